"""The committed notebooks are what a learner should open: run once, in order, clean, small,
and launchable from Binder and Colab with the course's one repository address."""

import json
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
REPOSITORY = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
    "urls"
]["Repository"]
MAX_BYTES = 2_000_000
SOLUTION_TITLE = "# @title Solution (double-click to show the code)"


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def test_the_five_rounds_are_here():
    assert [path.name[:2] for path in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
class TestCommittedNotebook:
    def test_executed_top_to_bottom_in_one_run(self, path):
        counts = [cell.get("execution_count") for cell in code_cells(load(path))]
        assert counts == list(range(1, len(counts) + 1)), f"execution counts {counts}"

    def test_no_error_output(self, path):
        errors = [
            output.get("ename")
            for cell in code_cells(load(path))
            for output in cell.get("outputs", [])
            if output.get("output_type") == "error"
        ]
        assert not errors, errors

    def test_no_widget_state_and_small(self, path):
        assert "widgets" not in load(path)["metadata"], "strip the saved widget state"
        timed = [i for i, c in enumerate(load(path)["cells"]) if "execution" in c["metadata"]]
        assert not timed, f"cells {timed} keep nbclient's timestamps (record_timing=False)"
        assert path.stat().st_size < MAX_BYTES, f"{path.stat().st_size:,} bytes"

    def test_badges_and_setup_use_the_one_repository_address(self, path):
        notebook = load(path)
        title = "".join(notebook["cells"][0]["source"])
        slug = REPOSITORY.removeprefix("https://github.com/")
        assert f"mybinder.org/v2/gh/{slug}/HEAD?urlpath=lab/tree/notebooks/{path.name}" in title
        assert f"colab.research.google.com/github/{slug}/blob/main/notebooks/{path.name}" in title
        setup = [c for c in code_cells(notebook) if "google.colab" in "".join(c["source"])]
        assert len(setup) == 1, "one setup cell installs seqlib on Colab"
        assert "setup" in setup[0]["metadata"].get("tags", []), "tag it `setup` (its own slide)"
        assert f'REPOSITORY = "{REPOSITORY}"' in "".join(setup[0]["source"])

    def test_parameters_cell_for_papermill(self, path):
        tagged = [
            c for c in code_cells(load(path)) if "parameters" in c["metadata"].get("tags", [])
        ]
        assert len(tagged) == 1 and "PROFILE = None" in "".join(tagged[0]["source"])

    def test_solutions_are_hidden_in_jupyterlab_and_on_colab(self, path):
        solutions = [c for c in load(path)["cells"] if "solution" in c["metadata"].get("tags", [])]
        assert solutions, "every round has exercises with solutions"
        for cell in solutions:
            first = "".join(cell["source"]).split("\n", 1)[0]
            assert cell["cell_type"] == "code", first
            assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True, first
            assert cell["metadata"].get("cellView") == "form", "Colab hides a form cell's code"
            assert first == SOLUTION_TITLE, f"Colab shows the form's @title: {first!r}"
