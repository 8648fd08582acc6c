"""Build the instructor edition: the notebooks as slide decks with speaker notes (jupyterlab-rise).

    python tools/slides.py                      # every notebooks/NN_*.ipynb -> instructor/
    python tools/slides.py --out DIR notebooks/01_memory_power.ipynb

The learner notebooks in ``notebooks/`` carry neither speaker notes nor slide metadata: a learner
working alone reads the round, not the presenter's cues. This script writes a copy of each into
``instructor/`` (ignored by git; ``python3 course.py slides`` runs it) with every cell's slide
type and the speaker notes, and never writes into ``notebooks/``.

Slide types (``cell.metadata["slideshow"]["slide_type"]``):

- a markdown cell whose first line starts with ``# `` or ``## ``: ``slide``; ``### ``: ``subslide``;
- the ``parameters`` cell and the exercise solutions (tag ``solution``): ``skip``;
- the setup cell (tag ``setup``): ``subslide``, so that the title slide shows the round's
  question and the setup is one step below it;
- the speaker notes inserted by this script: ``notes``;
- every other cell: ``-`` (it continues the slide above it).

Speaker notes live in ``docs/speaker_notes/<notebook stem>.md``: each ``## <heading>`` section
holds the notes for the markdown cell whose first line is that heading (without its ``#``s). The
notes go into a markdown cell right after that cell, tagged ``speaker-notes``. A section that
matches no heading is an error (exit status 1, nothing written for that notebook). Cell sources,
outputs and execution counts of the other cells are never touched; the notes cells are markdown,
so the 1..N execution order stays intact. :func:`learner_edition` is the inverse: the notebook
without notes cells and slide metadata, which is what ``notebooks/`` holds.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import nbformat
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
INSTRUCTOR = ROOT / "instructor"
NOTES = ROOT / "docs" / "speaker_notes"
NOTES_TAG = "speaker-notes"
SKIP_TAGS = ("parameters", "solution")
SUBSLIDE_TAGS = ("setup",)
NOTEBOOK_NAME = re.compile(r"\d\d_.+\.ipynb")


def heading(cell: NotebookNode) -> tuple[int, str] | None:
    """(level, text) of a markdown cell whose first line is a ``#`` heading, else None."""
    if cell.cell_type != "markdown":
        return None
    first = cell.source.lstrip("\n").split("\n", 1)[0]
    match = re.match(r"(#{1,6})\s+(.*?)\s*#*\s*$", first)
    return (len(match.group(1)), match.group(2)) if match else None


def slide_type(cell: NotebookNode) -> str:
    tags = cell.metadata.get("tags", [])
    if NOTES_TAG in tags:
        return "notes"
    if any(tag in tags for tag in SKIP_TAGS):
        return "skip"
    if any(tag in tags for tag in SUBSLIDE_TAGS):
        return "subslide"
    level = (heading(cell) or (0, ""))[0]
    if level in (1, 2):
        return "slide"
    if level == 3:
        return "subslide"
    return "-"


def read_notes(path: Path) -> dict[str, str]:
    """The ``## heading`` sections of a speaker-notes file: heading text -> notes (Markdown)."""
    if not path.exists():
        return {}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            title = line[3:].strip()
            if title in sections:
                raise ValueError(f"{path}: the section `## {title}` appears twice")
            current = sections[title] = []
        elif current is not None:
            current.append(line)
    return {title: "\n".join(lines).strip() for title, lines in sections.items()}


def notes_cell(title: str, text: str) -> NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text)
    # A stable id, so that running the script twice writes the same file.
    cell.id = "notes-" + hashlib.sha1(title.encode("utf-8")).hexdigest()[:12]
    cell.metadata = NotebookNode({"slideshow": {"slide_type": "notes"}, "tags": [NOTES_TAG]})
    return cell


def apply_slides(notebook: NotebookNode, notes: dict[str, str]) -> list[str]:
    """Set slide types and (re)insert the notes in ``notebook``, in place.

    Returns the notes sections that matched no heading (the notebook is left unchanged then).
    """
    cells = [cell for cell in notebook.cells if NOTES_TAG not in cell.metadata.get("tags", [])]
    titles = {found[1] for cell in cells if (found := heading(cell))}
    unmatched = [title for title in notes if title not in titles]
    if unmatched:
        return unmatched
    new_cells: list[NotebookNode] = []
    for cell in cells:
        new_cells.append(cell)
        found = heading(cell)
        if found and found[1] in notes and notes[found[1]]:
            new_cells.append(notes_cell(found[1], notes[found[1]]))
    for cell in new_cells:
        cell.metadata.setdefault("slideshow", {})["slide_type"] = slide_type(cell)
    notebook.cells = new_cells
    return []


def learner_edition(notebook: NotebookNode) -> None:
    """Remove the speaker notes and the slide metadata from ``notebook``, in place."""
    notebook.cells = [c for c in notebook.cells if NOTES_TAG not in c.metadata.get("tags", [])]
    for cell in notebook.cells:
        cell.metadata.pop("slideshow", None)


def process(path: Path, out: Path = INSTRUCTOR, notes_dir: Path = NOTES) -> list[str]:
    """Write the instructor edition of the notebook at ``path`` into the folder ``out``.

    Returns the problems found (then nothing is written).
    """
    notes_path = notes_dir / f"{path.stem}.md"
    notebook = nbformat.read(path, as_version=4)
    unmatched = apply_slides(notebook, read_notes(notes_path))
    if unmatched:
        return [
            f"{notes_path}: `## {title}` matches no heading in {path.name}" for title in unmatched
        ]
    out.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out / path.name)
    return []


def main(argv: list[str]) -> int:
    out = INSTRUCTOR
    if argv[:1] == ["--out"]:
        if len(argv) < 2:
            print("error: --out needs a folder", file=sys.stderr)
            return 2
        out, argv = Path(argv[1]), argv[2:]
    paths = [Path(arg) for arg in argv] or sorted(
        path for path in NOTEBOOKS.glob("*.ipynb") if NOTEBOOK_NAME.fullmatch(path.name)
    )
    problems: list[str] = []
    for path in paths:
        found = process(path, out)
        problems += found
        if not found:
            notebook = nbformat.read(out / path.name, as_version=4)
            n_notes = sum(NOTES_TAG in cell.metadata.get("tags", []) for cell in notebook.cells)
            print(f"{out / path.name}: {len(notebook.cells)} cells, {n_notes} speaker notes")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
