"""The notebook harness can't break silently.

Runs pytest, with the project's own configuration (pyproject.toml: nbval options and sanitizers)
and no nbval flags of its own, on two edited copies of tests/fixtures/fixture.ipynb:

- "sanitized": the timing, address and date in a checked cell's stored output changed: every
  code cell is collected and passes, so the sanitizers in tests/sanitize.cfg work;
- "broken": its `assert` made false, and a checked (`# NBVAL_CHECK_OUTPUT`) output changed in
  the stored notebook: exactly those two cells fail.

One pytest subprocess runs both notebooks; its JUnit report says which cell did what.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "fixture.ipynb"

Notebook = dict
Outcomes = dict[str, dict[int, str]]  # notebook stem -> cell number -> "passed" / "failed"


def code_cells(notebook: Notebook) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def cell_with(notebook: Notebook, text: str) -> dict:
    """The one code cell whose source contains `text`."""
    found = [cell for cell in code_cells(notebook) if text in "".join(cell["source"])]
    assert len(found) == 1, f"the fixture should have one code cell containing {text!r}"
    return found[0]


def replace_in(cell: dict, key: str, old: str, new: str) -> None:
    """Replace text in a cell's source (key="source") or in its stream output (key="output")."""
    if key == "source":
        text = "".join(cell["source"])
        assert old in text, f"{old!r} not in the cell's source"
        cell["source"] = text.replace(old, new)
        return
    stream = next(output for output in cell["outputs"] if output["output_type"] == "stream")
    text = "".join(stream["text"])
    assert old in text, f"{old!r} not in the cell's stored output {text!r}"
    stream["text"] = text.replace(old, new)


def changed_timing(notebook: Notebook) -> None:
    cell = cell_with(notebook, "perf_counter")
    stream = next(output for output in cell["outputs"] if output["output_type"] == "stream")
    stream["text"] = (
        "matmul took 987.654 ms\ntensor object at 0xdeadbeef\nran at 1999-12-31 23:59:59.999999\n"
    )


def broken(notebook: Notebook) -> None:
    replace_in(cell_with(notebook, "assert gram"), "source", "50.0]]", "51.0]]")
    replace_in(cell_with(notebook, "x.sum()"), "output", "15.0 ", "16.0 ")


VARIANTS: dict[str, Callable[[Notebook], None]] = {"sanitized": changed_timing, "broken": broken}


def cell_number(notebook: Notebook, cell: dict) -> int:
    """nbval's `Cell N` counts code cells from 0."""
    return code_cells(notebook).index(cell)


@pytest.fixture(scope="module")
def fixture() -> Notebook:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory, fixture: Notebook) -> Outcomes:
    folder = tmp_path_factory.mktemp("harness")
    paths = []
    for name, edit in VARIANTS.items():
        notebook = json.loads(json.dumps(fixture))  # a deep copy
        edit(notebook)
        path = folder / f"{name}.ipynb"
        path.write_text(json.dumps(notebook), encoding="utf-8")
        paths.append(path)
    report = folder / "report.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",
        str(folder),
        "-p",
        "no:cacheprovider",
        "-q",
        f"--junitxml={report}",
        *map(str, paths),
    ]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode in (0, 1), f"pytest did not run the notebooks:\n{run.stdout}{run.stderr}"
    results: Outcomes = {name: {} for name in VARIANTS}
    for case in ET.parse(report).iter("testcase"):
        # e.g. classname="broken.ipynb", name="Cell 2"
        stem = case.get("classname", "").removesuffix(".ipynb")
        failed = case.find("failure") is not None or case.find("error") is not None
        results[stem][int(case.get("name", "").removeprefix("Cell "))] = (
            "failed" if failed else "passed"
        )
    return results


def test_every_cell_runs_and_varying_output_is_sanitized(
    outcomes: Outcomes, fixture: Notebook
) -> None:
    cells = len(code_cells(fixture))
    assert cells >= 4
    assert "# NBVAL_CHECK_OUTPUT" in "".join(cell_with(fixture, "perf_counter")["source"])
    assert outcomes["sanitized"] == dict.fromkeys(range(cells), "passed")


def test_a_false_assert_and_a_changed_checked_output_fail(
    outcomes: Outcomes, fixture: Notebook
) -> None:
    assert "# NBVAL_CHECK_OUTPUT" in "".join(cell_with(fixture, "x.sum()")["source"])
    failing = {
        cell_number(fixture, cell_with(fixture, "assert gram")),
        cell_number(fixture, cell_with(fixture, "x.sum()")),
    }
    expected = {cell: "failed" if cell in failing else "passed" for cell in outcomes["sanitized"]}
    assert outcomes["broken"] == expected
