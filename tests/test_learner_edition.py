"""The learner edition: what a learner working alone in JupyterLab or Colab gets in each round.

Each round builds by hand what it measures and checks the build against torch or seqlib (cells
tagged ``build``), offers one open experiment (cells tagged ``experiment``: change one thing,
write a prediction down, measure), keeps its verdict cell short (claim, measurement, decision),
imports seqlib one way, opens with a table of contents and ends with the way on, and shows every
figure at least 600 px wide with a caption that is also its alt text.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_VERDICT_LINES = 25
MIN_FIGURE_WIDTH = 600


def cells(path: Path) -> list[nbformat.NotebookNode]:
    return nbformat.read(path, as_version=4).cells


def tagged(path: Path, tag: str) -> list[nbformat.NotebookNode]:
    return [cell for cell in cells(path) if tag in cell.metadata.get("tags", [])]


def anchor(heading: str) -> str:
    """JupyterLab's id for a heading: its text with spaces made dashes."""
    return heading.replace(" ", "-")


def section_headings(path: Path) -> list[str]:
    found = []
    for cell in cells(path):
        if cell.cell_type == "markdown":
            first = cell.source.lstrip("\n").split("\n", 1)[0]
            if first.startswith("## "):
                found.append(first[3:].strip())
    return found


def asserts_in(source: str) -> int:
    """How many checks a cell makes: assert statements and torch.testing.assert_close calls."""
    def is_check(node: ast.AST) -> bool:
        if isinstance(node, ast.Call):
            return getattr(node.func, "attr", "") == "assert_close"
        return isinstance(node, ast.Assert)

    return sum(is_check(node) for node in ast.walk(ast.parse(source)))


def test_five_rounds() -> None:
    assert len(NOTEBOOKS) == 5


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
class TestRound:
    def test_builds_what_it_measures_and_checks_the_build(self, path: Path) -> None:
        builds = [cell for cell in tagged(path, "build") if cell.cell_type == "code"]
        assert not [c for c in builds if "solution" in c.metadata.get("tags", [])]
        checks = sum(asserts_in(cell.source) for cell in builds)
        assert len(builds) >= 2 and checks >= 2, f"{len(builds)} build cells, {checks} checks"
        against = " ".join(cell.source for cell in builds)
        assert re.search(r"\btorch\.|\bnn\.|\bseqlib\.", against), "checked against nothing"

    def test_has_an_open_experiment_with_a_prediction(self, path: Path) -> None:
        experiment = tagged(path, "experiment")
        assert experiment, "no cell tagged `experiment`"
        text = " ".join(cell.source for cell in experiment).lower()
        assert "predict" in text, "the experiment asks for no prediction"
        assert any(cell.cell_type == "code" for cell in experiment), "nothing to run"

    def test_verdict_cell_is_short(self, path: Path) -> None:
        (verdict,) = [c for c in cells(path) if "seqlib.VerdictTable(" in c.source]
        lines = [line for line in verdict.source.splitlines() if line.strip()]
        assert len(lines) <= MAX_VERDICT_LINES, f"{len(lines)} lines"
        long = [line for line in lines if len(line) > 100]  # short, not squeezed
        assert not long, f"lines over 100 characters: {long}"

    def test_answers_are_not_given_away(self, path: Path) -> None:
        """The solutions and the experiment run, but their outputs are not committed."""
        for cell in tagged(path, "solution") + tagged(path, "experiment"):
            if cell.cell_type == "code":
                assert cell.execution_count is not None, "it must have run"
                assert not cell.outputs, f"committed output gives the answer: {cell.source[:80]}"

    def test_one_import_style(self, path: Path) -> None:
        """`import seqlib` and `import seqlib.<module>`, then seqlib.<module>.<name>."""
        for cell in cells(path):
            if cell.cell_type == "code":
                assert not re.search(r"^\s*from seqlib\b", cell.source, re.M), cell.source[:200]
        (setup,) = tagged(path, "setup")
        assert re.search(r"^import seqlib$", setup.source, re.M)
        for cell in cells(path):  # imports live in the setup cell (an optional package aside)
            if cell.cell_type == "code" and cell.get("id") != setup.get("id"):
                top = ast.parse(cell.source).body
                stray = [n for n in top if isinstance(n, ast.Import | ast.ImportFrom)]
                assert not stray, f"an import outside the setup cell: {cell.source[:120]}"
        assert not re.search(r"^from torch\b|^import torch\S* as ", setup.source, re.M), (
            "torch is imported as `import torch` (and its submodules), used as torch.nn..."
        )
        assert "seqlib.viz.use_course_style()" in setup.source

    def test_opens_with_a_table_of_contents(self, path: Path) -> None:
        (contents,) = tagged(path, "contents")
        links = re.findall(r"\]\(#([^)]+)\)", contents.source)
        wanted = [anchor(heading) for heading in section_headings(path)]
        assert links == wanted, f"contents link {links}, sections {wanted}"
        assert cells(path).index(contents) <= 2, "the contents come first"

    def test_ends_with_the_way_on(self, path: Path) -> None:
        index = NOTEBOOKS.index(path)
        last = cells(path)[-1]
        assert last.cell_type == "markdown" and "next" in last.metadata.get("tags", [])
        if index + 1 < len(NOTEBOOKS):
            assert f"]({NOTEBOOKS[index + 1].name})" in last.source, "no link to the next round"

    def test_figures_are_wide_and_captioned(self, path: Path) -> None:
        figures = 0
        for cell in cells(path):
            outputs = cell.get("outputs", [])
            for at, output in enumerate(outputs):
                if "image/png" not in output.get("data", {}):
                    continue
                figures += 1
                meta = output.get("metadata", {}).get("image/png", {})
                assert meta.get("width", 0) >= MIN_FIGURE_WIDTH, f"{meta}: {cell.source[:120]}"
                alt = meta.get("alt", "").strip()
                assert alt, f"a figure without alt text: {cell.source[:120]}"
                caption = outputs[at + 1] if at + 1 < len(outputs) else {}
                assert caption.get("data", {}).get("text/markdown") == f"*{alt}*", (
                    f"the figure's caption is not right under it: {cell.source[:120]}"
                )
        assert figures >= 2, f"{figures} figures"


def test_round_1_lists_the_rounds_with_their_needs() -> None:
    """Round 1's first cell: every round, with the quick run time and memory of the README."""
    first = cells(NOTEBOOKS[0])[0].source
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d) [^|]+\| (\d+ s) \| (\d\.\d+ GB) \|", readme, re.M)
    assert len(rows) == 5, rows
    for (number, seconds, memory), path in zip(rows, NOTEBOOKS, strict=True):
        (line,) = [line for line in first.splitlines() if f"]({path.name})" in line]
        assert seconds in line and memory in line, f"round {number}: {line!r}"
