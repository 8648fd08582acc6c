"""Re-run notebooks top to bottom in the quick profile and save them with their outputs.

    python tools/refresh_notebooks.py                      # every notebooks/*.ipynb
    python tools/refresh_notebooks.py notebooks/01_memory_power.ipynb

What gets committed is what this writes: one run, in order, in the quick profile, with no
per-cell timestamps and no saved widget state (the explorers' state is the reader's own), and
no outputs for the exercises' solutions and the open experiment (they would give the answers). The
verdict tables the notebooks save, and round 5's scorecard, go to ``seqlib/reference_results/``:
the reference results shipped with seqlib are those of the committed run (set SEQLIB_RESULTS to
send them elsewhere). Prints each notebook's wall time.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def refresh(path: Path, timeout: int = 1800) -> float:
    """Execute ``path`` in place (kernel started in its folder); return the wall time in s."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    # nbclient 0.11 fails with store_widget_state=False when an Output widget is shown, so the
    # state is stored, then dropped here.
    notebook.metadata.pop("widgets", None)
    # A solution's or an experiment's output would give its answer away: they run (so a broken
    # one fails here) but their outputs are not committed.
    for cell in notebook.cells:
        answers = {"solution", "experiment"} & set(cell.metadata.get("tags", []))
        if cell.cell_type == "code" and answers:
            cell.outputs = []
    nbformat.write(notebook, path)
    return seconds


def main(argv: list[str]) -> None:
    paths = [Path(p).resolve() for p in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    os.environ["SEQLIB_PROFILE"] = "quick"
    os.environ.setdefault("SEQLIB_RESULTS", str(ROOT / "seqlib" / "reference_results"))
    for path in paths:
        print(f"{path.relative_to(ROOT)}: {refresh(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
