"""The notebooks' setup cell, on "Colab" and off it, run for real.

On Colab (``google.colab`` imported) a missing seqlib is installed with
``pip install git+REPOSITORY@vVERSION`` (the release tag of pyproject.toml's version, so a learner
gets the seqlib the notebook was written for) and the cell says so; anywhere else a missing seqlib
stops the cell with one sentence on how to install it. Colab cannot be reached from here, so the
cell runs in a Python that has every package the course needs except seqlib (a fresh venv that
sees this environment's packages, minus seqlib), with ``google.colab`` stubbed and REPOSITORY
pointing at a git clone of this repository's HEAD tagged ``vVERSION``: the same pip command, the
same build from git, the same imports after it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
REPOSITORY_LINE = 'REPOSITORY = "https://github.com/'
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
VERSION_LINE = re.compile(r'^VERSION = "([^"]+)"$', re.MULTILINE)

RUN_CELL = """
import sys, types
if {on_colab}:
    sys.modules["google.colab"] = types.ModuleType("google.colab")  # what Colab has imported
PROFILE = None
exec(compile(open({cell!r}, encoding="utf-8").read(), "setup cell", "exec"))
import importlib.resources
print("SEQLIB_AT", seqlib.__file__)
print("REFERENCE_RESULTS", len(list(
    importlib.resources.files("seqlib").joinpath("reference_results").glob("*.json"))))
"""


def setup_cell(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    (cell,) = [c for c in cells if "setup" in c["metadata"].get("tags", [])]
    return "".join(cell["source"])


def notebook_version(cell: str) -> str:
    """The ``VERSION = "..."`` a setup cell installs on Colab (exactly one such line)."""
    (version,) = VERSION_LINE.findall(cell)
    return version


def version_mismatches(cells: dict[str, str], version: str) -> dict[str, str]:
    """Setup cells (name -> source) whose VERSION is not ``version``, or that pin no tag."""
    wrong = {}
    for name, cell in cells.items():
        found = VERSION_LINE.findall(cell)
        if found != [version] or 'f"git+{REPOSITORY}@v{VERSION}"' not in cell:
            wrong[name] = ", ".join(found) or "no VERSION"
    return wrong


def test_every_notebook_installs_the_version_in_pyproject() -> None:
    cells = {path.stem: setup_cell(path) for path in NOTEBOOKS}
    assert version_mismatches(cells, VERSION) == {}
    assert {notebook_version(cell) for cell in cells.values()} == {VERSION}


def test_a_version_mismatch_is_caught() -> None:
    cell = setup_cell(NOTEBOOKS[0])
    bumped = cell.replace(f'VERSION = "{VERSION}"', 'VERSION = "0.0.0-stale"')
    unpinned = cell.replace('f"git+{REPOSITORY}@v{VERSION}"', 'f"git+{REPOSITORY}"')
    assert bumped != cell and unpinned != cell
    found = version_mismatches({"good": cell, "bumped": bumped, "unpinned": unpinned}, VERSION)
    assert found == {"bumped": "0.0.0-stale", "unpinned": VERSION}


def python_without_seqlib(folder: Path) -> tuple[Path, dict[str, str]]:
    """A fresh venv's Python that imports this environment's packages, except seqlib."""
    venv.create(folder / "venv", with_pip=False)
    python = folder / "venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    # Every site-packages entry but seqlib's, linked into one folder on PYTHONPATH. (.pth files
    # on PYTHONPATH are not run, so the editable install's finder stays out too.)
    packages = folder / "packages"
    packages.mkdir()
    for directory in map(Path, site.getsitepackages()):
        for entry in directory.iterdir():
            if "seqlib" not in entry.name and not (packages / entry.name).exists():
                (packages / entry.name).symlink_to(entry)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "PIP_"))
    }
    env |= {
        "PYTHONPATH": str(packages),
        "PYTHONNOUSERSITE": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "MPLBACKEND": "Agg",
        "SEQLIB_PROFILE": "quick",
    }
    return python, env


def run_setup_cell(
    tmp_path: Path, notebook: Path, *, on_colab: bool, repository: str | None = None
) -> subprocess.CompletedProcess[str]:
    cell = setup_cell(notebook)
    if repository is not None:
        assert cell.count(REPOSITORY_LINE) == 1
        start = cell.index(REPOSITORY_LINE)
        end = cell.index("\n", start)
        cell = cell[:start] + f'REPOSITORY = "{repository}"' + cell[end:]
    (tmp_path / "cell.py").write_text(cell, encoding="utf-8")
    python, env = python_without_seqlib(tmp_path)
    code = RUN_CELL.format(on_colab=on_colab, cell=str(tmp_path / "cell.py"))
    return subprocess.run(
        [str(python), "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_without_seqlib_the_cell_says_how_to_install_it(tmp_path: Path, notebook: Path) -> None:
    result = run_setup_cell(tmp_path, notebook, on_colab=False)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: seqlib is not installed"), result.stderr
    # course.py, not a bare `pip install -e .`, which would pull PyPI's CUDA torch on Linux
    assert "python3 course.py lab" in last and "pip install" not in last


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(),
    reason="needs git and a git checkout",
)
def test_on_colab_the_cell_installs_seqlib_from_the_repository(tmp_path: Path) -> None:
    clone = tmp_path / "repository"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    # the release tag the cell installs, on HEAD (the published tag is on the release's commit)
    subprocess.run(["git", "-C", str(clone), "tag", "-f", f"v{VERSION}"], check=True)
    repository = clone.as_uri()  # file:///...: the cell runs `pip install git+file:///...@vX`
    result = run_setup_cell(tmp_path, NOTEBOOKS[0], on_colab=True, repository=repository)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert (
        f"Colab: seqlib is missing, installing v{VERSION} of {repository} (torch is already here)"
        in lines
    )
    assert "Colab: seqlib installed." in lines
    installed = next(line.split(" ", 1)[1] for line in lines if line.startswith("SEQLIB_AT"))
    assert Path(installed).is_relative_to(tmp_path / "venv"), installed  # not the checkout
    shipped = len(list((ROOT / "seqlib" / "reference_results").glob("*.json")))
    assert f"REFERENCE_RESULTS {shipped}" in lines, "the package holds the reference results"
    assert any(line.startswith("profile: quick") for line in lines), lines
