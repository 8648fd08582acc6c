"""tools/slides.py: the instructor edition (slide types and speaker notes for jupyterlab-rise).

The committed notebooks are the learner edition: no speaker notes, no slide metadata. The script
writes the instructor edition into a folder of its own (tmp_path here, never notebooks/).
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NOTES_DIR = ROOT / "docs" / "speaker_notes"


def load_slides() -> ModuleType:
    spec = importlib.util.spec_from_file_location("slides", ROOT / "tools" / "slides.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


slides = load_slides()


def is_notes(cell: nbformat.NotebookNode) -> bool:
    return slides.NOTES_TAG in cell.metadata.get("tags", [])


def expected_type(cell: nbformat.NotebookNode) -> str:
    tags = cell.metadata.get("tags", [])
    if is_notes(cell):
        return "notes"
    if "solution" in tags or "parameters" in tags:
        return "skip"
    if "setup" in tags:
        return "subslide"
    first = cell.source.lstrip("\n").split("\n", 1)[0] if cell.cell_type == "markdown" else ""
    if first.startswith(("# ", "## ")):
        return "slide"
    if first.startswith("### "):
        return "subslide"
    return "-"


def without_slides(cell: nbformat.NotebookNode) -> dict:
    """The cell as it was before the script: no slideshow metadata."""
    plain = copy.deepcopy(dict(cell))
    plain["metadata"] = {k: v for k, v in cell.metadata.items() if k != "slideshow"}
    return plain


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path]]:
    """(learner notebook, its instructor edition) for every round."""
    folder = tmp_path_factory.mktemp("instructor")
    assert slides.main(["--out", str(folder), *map(str, NOTEBOOKS)]) == 0
    return [(original, folder / original.name) for original in NOTEBOOKS]


def test_the_learner_edition_is_the_instructor_edition_without_notes(
    processed: list[tuple[Path, Path]],
) -> None:
    for original, path in processed:
        instructor = nbformat.read(path, as_version=4)
        slides.learner_edition(instructor)
        assert instructor == nbformat.read(original, as_version=4), original.name


def test_there_are_five_rounds_with_notes() -> None:
    assert len(NOTEBOOKS) == 5
    for notebook in NOTEBOOKS:
        notes = slides.read_notes(NOTES_DIR / f"{notebook.stem}.md")
        assert 4 <= len(notes) <= 10, f"{notebook.stem}: {len(notes)} notes sections"
    orphans = {p.stem for p in NOTES_DIR.glob("*.md")} - {p.stem for p in NOTEBOOKS}
    assert not orphans, f"speaker notes without a notebook: {orphans}"


def test_every_cell_has_the_right_slide_type(processed: list[tuple[Path, Path]]) -> None:
    for _, path in processed:
        notebook = nbformat.read(path, as_version=4)
        for index, cell in enumerate(notebook.cells):
            got = cell.metadata.get("slideshow", {}).get("slide_type")
            assert got == expected_type(cell), f"{path.name} cell {index}: {got}"
        types = [cell.metadata.slideshow.slide_type for cell in notebook.cells]
        assert types[0] == "slide", f"{path.name} does not open with a slide"
        assert "subslide" in types and "skip" in types and "notes" in types


def test_parameters_and_solutions_are_skipped(processed: list[tuple[Path, Path]]) -> None:
    for _, path in processed:
        notebook = nbformat.read(path, as_version=4)
        tagged = {
            tag: [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]
            for tag in ("parameters", "solution")
        }
        assert len(tagged["parameters"]) == 1, path.name
        assert tagged["solution"], path.name
        for cell in tagged["parameters"] + tagged["solution"]:
            assert cell.metadata.slideshow.slide_type == "skip"


def test_every_notes_section_sits_after_its_heading(processed: list[tuple[Path, Path]]) -> None:
    for _, path in processed:
        notes = slides.read_notes(NOTES_DIR / f"{path.stem}.md")
        cells = nbformat.read(path, as_version=4).cells
        placed: dict[str, str] = {}
        for before, cell in zip(cells, cells[1:], strict=False):
            if is_notes(cell):
                found = slides.heading(before)
                assert found is not None, f"{path.name}: notes after a cell with no heading"
                assert cell.cell_type == "markdown" and "execution_count" not in cell
                placed[found[1]] = cell.source
        assert placed == notes, f"{path.name}: notes placed {set(placed)}, written {set(notes)}"


def test_an_unmatched_section_is_an_error(tmp_path: Path) -> None:
    notebook = NOTEBOOKS[0]
    notes_dir = tmp_path / "notes"
    notes_dir.mkdir()
    text = (NOTES_DIR / f"{notebook.stem}.md").read_text(encoding="utf-8")
    (notes_dir / f"{notebook.stem}.md").write_text(
        text + "\n## A heading that is not in the notebook\n\n- notes\n", encoding="utf-8"
    )
    out = tmp_path / "instructor"
    problems = slides.process(notebook, out, notes_dir)
    assert len(problems) == 1 and "A heading that is not in the notebook" in problems[0]
    assert not out.exists(), "nothing is written when a section does not match"


def test_a_repeated_section_is_an_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("## The claim\n\n- one\n\n## The claim\n\n- two\n", encoding="utf-8")
    with pytest.raises(ValueError, match="twice"):
        slides.read_notes(notes)


def test_the_script_is_idempotent(processed: list[tuple[Path, Path]], tmp_path: Path) -> None:
    """Built from its own output, the instructor edition comes out the same."""
    for _, path in processed:
        assert slides.main(["--out", str(tmp_path), str(path)]) == 0
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_only_slide_metadata_and_notes_cells_change(processed: list[tuple[Path, Path]]) -> None:
    for original, path in processed:
        old = nbformat.read(original, as_version=4)
        new = nbformat.read(path, as_version=4)
        kept = [cell for cell in new.cells if not is_notes(cell)]
        assert len(kept) == len(old.cells), original.name
        for before, after in zip(old.cells, kept, strict=True):
            assert without_slides(after) == without_slides(before), (original.name, before.id)
        counts = [cell.execution_count for cell in new.cells if cell.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1)), f"{original.name}: {counts}"
        assert new.metadata == old.metadata


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_learner_notebooks_carry_no_notes_and_no_slides(notebook: Path) -> None:
    """A learner working alone reads the round, not the presenter's cues."""
    committed = nbformat.read(notebook, as_version=4)
    assert not any(is_notes(cell) for cell in committed.cells), "speaker notes in notebooks/"
    assert not any("slideshow" in cell.metadata for cell in committed.cells), "slide metadata"
    notes = slides.read_notes(NOTES_DIR / f"{notebook.stem}.md")
    assert slides.apply_slides(committed, notes) == [], "a notes section matches no heading"


def test_the_instructor_edition_is_not_committed() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "instructor/" in ignored
