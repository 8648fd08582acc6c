"""tools/slides.py: slide types and speaker notes for jupyterlab-rise (instructor mode).

The script runs on copies of the notebooks in tmp_path, never on the committed ones; the last
tests check that the committed notebooks already carry what the script writes.
"""

from __future__ import annotations

import copy
import importlib.util
import shutil
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
    """(original, processed copy) for every round. The copies are stripped first (no slide
    types, no notes cells), so what the tests below find is the script's own work."""
    folder = tmp_path_factory.mktemp("notebooks")
    pairs = []
    for original in NOTEBOOKS:
        notebook = nbformat.read(original, as_version=4)
        notebook.cells = [without_slides(c) for c in notebook.cells if not is_notes(c)]
        target = folder / original.name
        nbformat.write(nbformat.from_dict(notebook), target)
        pairs.append((original, target))
    assert slides.main([str(target) for _, target in pairs]) == 0
    return pairs


def test_the_script_rebuilds_the_committed_notebooks(processed: list[tuple[Path, Path]]) -> None:
    for original, path in processed:
        rebuilt, committed = (nbformat.read(p, as_version=4) for p in (path, original))
        assert rebuilt == committed, f"{original.name}: the script's output differs"


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
    notebook = tmp_path / NOTEBOOKS[0].name
    shutil.copy(NOTEBOOKS[0], notebook)
    notes_dir = tmp_path / "notes"
    notes_dir.mkdir()
    text = (NOTES_DIR / f"{notebook.stem}.md").read_text(encoding="utf-8")
    (notes_dir / f"{notebook.stem}.md").write_text(
        text + "\n## A heading that is not in the notebook\n\n- notes\n", encoding="utf-8"
    )
    before = notebook.read_bytes()
    problems = slides.process(notebook, notes_dir)
    assert len(problems) == 1 and "A heading that is not in the notebook" in problems[0]
    assert notebook.read_bytes() == before, "nothing is written when a section does not match"


def test_a_repeated_section_is_an_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("## The claim\n\n- one\n\n## The claim\n\n- two\n", encoding="utf-8")
    with pytest.raises(ValueError, match="twice"):
        slides.read_notes(notes)


def test_the_script_is_idempotent(processed: list[tuple[Path, Path]]) -> None:
    for _, path in processed:
        once = path.read_bytes()
        assert slides.main([str(path)]) == 0
        assert path.read_bytes() == once, f"{path.name} changed on a second run"


def test_only_slide_metadata_and_notes_cells_change(processed: list[tuple[Path, Path]]) -> None:
    for original, path in processed:
        old = nbformat.read(original, as_version=4)
        new = nbformat.read(path, as_version=4)
        kept = [cell for cell in new.cells if not is_notes(cell)]
        old_cells = [cell for cell in old.cells if not is_notes(cell)]
        assert len(kept) == len(old_cells), original.name
        for before, after in zip(old_cells, kept, strict=True):
            assert without_slides(after) == without_slides(before), (original.name, before.id)
        counts = [cell.execution_count for cell in new.cells if cell.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1)), f"{original.name}: {counts}"
        assert new.metadata == old.metadata


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_committed_notebooks_are_ready_to_present(notebook: Path) -> None:
    """`python tools/slides.py` has been run on the committed notebook and is up to date."""
    committed = nbformat.read(notebook, as_version=4)
    missing = [
        index
        for index, cell in enumerate(committed.cells)
        if "slide_type" not in cell.metadata.get("slideshow", {})
    ]
    assert not missing, f"cells without a slide type (run `python tools/slides.py`): {missing}"
    assert any(is_notes(cell) for cell in committed.cells), "no speaker notes"
    refreshed = copy.deepcopy(committed)
    assert (
        slides.apply_slides(refreshed, slides.read_notes(NOTES_DIR / f"{notebook.stem}.md")) == []
    )
    assert refreshed == committed, "out of date with docs/speaker_notes: run tools/slides.py"
