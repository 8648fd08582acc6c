"""Two runs' verdicts side by side: does the same notebook run twice give the same verdicts?

    python tools/budget.py --results /tmp/run-a          # one quick run of the five rounds
    python tools/compare_results.py /tmp/run-a seqlib/reference_results

Prints one Markdown row per claim (verdict and value in each run, and whether the verdicts
agree) and the number of claims whose verdict differs; exits 1 if any does. Each folder holds
the ``<round>.json`` files that ``VerdictTable.save`` writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seqlib.verdict import Row, load_results  # noqa: E402


def rows_of(folder: Path) -> dict[str, Row]:
    """Every saved row in ``folder``, by claim id."""
    return {row.claim_id: row for table in load_results(folder).values() for row in table.rows}


def cell(row: Row | None) -> str:
    if row is None:
        return "—"
    value = "" if row.value is None else f" {row.value:.3g}"
    return f"{row.symbol} {row.verdict}{value}"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    a, b = (rows_of(Path(folder)) for folder in argv)
    differ = 0
    print(f"| claim | {argv[0]} | {argv[1]} | same verdict |")
    print("| --- | --- | --- | --- |")
    for claim_id in dict.fromkeys([*a, *b]):
        ra, rb = a.get(claim_id), b.get(claim_id)
        same = ra is not None and rb is not None and ra.verdict == rb.verdict
        differ += not same
        print(f"| {claim_id} | {cell(ra)} | {cell(rb)} | {'yes' if same else 'NO'} |")
    print(f"\n{len(dict.fromkeys([*a, *b]))} claims, {differ} with a different verdict")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
