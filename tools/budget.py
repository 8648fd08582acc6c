"""The time and memory budget of each round, measured: run the notebooks and print a table.

    python tools/budget.py                     # every round, quick profile
    python tools/budget.py --profile full      # every round, full profile (minutes each)
    python tools/budget.py --profile full notebooks/01_memory_power.ipynb
    python tools/budget.py --results /tmp/run-a   # keep the verdict tables this run saved

Each notebook runs top to bottom in a fresh kernel, on a copy in a temporary folder (the
committed notebooks are not touched), in the order given, so round 5 finds the other rounds'
results. The figures come from each notebook's own last code cell (wall time inside the kernel and
the kernel's peak RSS), plus the wall time seen from outside. The budget: quick at most 60 s and
1.5 GB per round on a 2-core CPU, full at most 10 min. This is a benchmark, not a test: a slow
machine prints slow figures and fails nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = {"quick": 60, "full": 600}
BUDGET_MB = 1536
TIME_LINE = re.compile(r"whole notebook in ([\d.]+) s")
PEAK_LINE = re.compile(r"peak memory \(RSS\): ([\d.]+) MB")


def run(path: Path, folder: Path) -> tuple[float, float | None, float | None]:
    """Execute a copy of ``path`` in ``folder``: (outside wall s, inside wall s, peak RSS MB)."""
    copy = folder / path.name
    shutil.copy(path, copy)
    notebook = nbformat.read(copy, as_version=4)
    client = NotebookClient(
        notebook, timeout=3600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    start = time.perf_counter()
    client.execute()
    outside = time.perf_counter() - start
    text = "".join(
        output.get("text", "")
        for output in [c for c in notebook.cells if c.cell_type == "code"][-1].get("outputs", [])
        if output.get("output_type") == "stream"
    )
    inside, peak = TIME_LINE.search(text), PEAK_LINE.search(text)
    return (
        outside,
        float(inside.group(1)) if inside else None,
        float(peak.group(1)) if peak else None,
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--profile", choices=tuple(BUDGET_S), default="quick")
    parser.add_argument(
        "--results", type=Path, help="copy the verdict tables this run saved into this folder"
    )
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    os.environ["SEQLIB_PROFILE"] = args.profile
    rows = []
    with tempfile.TemporaryDirectory(prefix="seqlib-budget-") as tmp:
        folder = Path(tmp)
        os.environ["SEQLIB_RESULTS"] = str(folder / "results")
        for path in paths:
            outside, inside, peak = run(path, folder)
            rows.append((path.name, outside, inside, peak))
            print(f"{path.name}: {outside:.1f} s", flush=True)
        if args.results is not None:
            shutil.copytree(folder / "results", args.results, dirs_exist_ok=True)
    limit_s = BUDGET_S[args.profile]
    print(f"\n{args.profile} profile, {os.cpu_count()} CPUs; budget {limit_s} s and {BUDGET_MB} MB")
    print("| notebook | wall time (outside) | in the kernel | peak RSS | within budget |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, outside, inside, peak in rows:
        within = outside <= limit_s and (peak is None or peak <= BUDGET_MB)
        inside_s = f"{inside:.0f} s" if inside is not None else "?"
        peak_mb = f"{peak:.0f} MB" if peak is not None else "?"
        verdict = "yes" if within else "NO"
        print(f"| {name} | {outside:.0f} s | {inside_s} | {peak_mb} | {verdict} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
