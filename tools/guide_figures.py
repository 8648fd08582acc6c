"""Write the instructor guide's "expected figures" from the committed run's results.

    python tools/guide_figures.py           # rewrite the blocks in docs/instructor_guide.md
    python tools/guide_figures.py --check   # exit 1 if a block is out of date

Each round's block in the guide lies between ``<!-- figures:<round> -->`` and
``<!-- /figures -->``; it lists that round's verdicts, read from
``seqlib/reference_results/<round>.json`` (written by ``tools/refresh_notebooks.py``), so the
guide never quotes a number that the committed run did not measure.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seqlib.scorecard import REFERENCE_DIR  # noqa: E402
from seqlib.verdict import VerdictTable, load_results  # noqa: E402

GUIDE = ROOT / "docs" / "instructor_guide.md"
BLOCK = re.compile(r"(<!-- figures:(\w+) -->\n)(.*?)(<!-- /figures -->)", re.S)


def figures(table: VerdictTable) -> str:
    """One line per verdict: symbol, verdict, claim id, what was measured, its controls and
    its scope."""
    lines = [
        f"- {row.symbol} {row.verdict}, `{row.claim_id}`: {row.measured}"
        + (f" ({row.note})" if row.note else "")
        + (f"; controls: {row.controls_text()}" if row.controls else "")
        + (f"; scope: {row.scope}" if row.scope else "")
        for row in table.rows
    ]
    return "\n".join(lines) + "\n"


def rewrite(text: str) -> str:
    results = load_results(REFERENCE_DIR)

    def block(match: re.Match) -> str:
        name = match.group(2)
        body = figures(results[name]) if name in results else "- (no reference results yet)\n"
        return match.group(1) + body + match.group(4)

    return BLOCK.sub(block, text)


def main(argv: list[str]) -> int:
    text = GUIDE.read_text(encoding="utf-8")
    new = rewrite(text)
    if "--check" in argv:
        if new != text:
            print(f"{GUIDE.relative_to(ROOT)}: expected figures out of date; run {__file__}")
            return 1
        return 0
    GUIDE.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
