"""The course's install routes agree with each other.

pyproject.toml states seqlib's dependencies and extras as floors; requirements/constraints.txt
pins them (and everything they pull in) for the pip route. For conda, environment.yml lists the
learners' share (dependencies + notebooks extra) under conda-forge's names and environment-dev.yml
the dev extra; binder/requirements.txt lists the learners' share for Binder. Each check below
reads the files under a root folder and returns what disagrees, so that the same check can be run
on a mutated copy to prove it catches drift (test_checks_catch_drift).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The conda-forge names of every PyPI package pyproject.toml lists: PyPI name -> the conda-forge
# packages that provide it, the one environment*.yml use first. No fallback "same name on both":
# a package missing here fails check_conda_names, and so does a yml entry that is no name here.
# Each was checked in its conda-forge feedstock's recipe (package name, or the output's name),
# conda-forge/<feedstock> recipe/<file> at the newest commit read, August 2026:
CONDA_FORGE: dict[str, tuple[str, ...]] = {
    # pytorch-cpu-feedstock meta.yaml (2.13.0): outputs libtorch, pytorch, and pytorch-cpu or
    # pytorch-gpu (the CUDA build); pytorch-cpu pins the CPU build of pytorch
    "torch": ("pytorch-cpu", "pytorch-gpu", "pytorch"),
    "numpy": ("numpy",),  # numpy-feedstock recipe.yaml (2.5.1)
    "tqdm": ("tqdm",),  # tqdm-feedstock recipe.yaml (4.70.0)
    # matplotlib-feedstock meta.yaml (3.11.0): outputs matplotlib-base (= the PyPI package) and
    # matplotlib (matplotlib-base + pyside6 + tornado, a Qt GUI the notebooks do not use)
    "matplotlib": ("matplotlib-base", "matplotlib"),
    "ipywidgets": ("ipywidgets",),  # ipywidgets-feedstock meta.yaml (8.1.8)
    "jupyterlab": ("jupyterlab",),  # jupyterlab-feedstock meta.yaml (4.5.6)
    "ipykernel": ("ipykernel",),  # ipykernel-feedstock recipe.yaml (7.2.0)
    "jupyterlab-rise": ("jupyterlab_rise",),  # jupyterlab_rise-feedstock meta.yaml (0.43.1)
    "onnx": ("onnx",),  # onnx-feedstock recipe.yaml (1.22.0)
    # onnxruntime-feedstock meta.yaml (1.26.0): outputs onnxruntime and onnxruntime-cpp (C++ only)
    "onnxruntime": ("onnxruntime",),
    "onnxscript": ("onnxscript",),  # onnxscript-feedstock meta.yaml (0.5.6)
    "pytest": ("pytest",),  # pytest-feedstock recipe.yaml (9.1.1)
    "nbval": ("nbval",),  # nbval-feedstock meta.yaml (0.11.0)
    "ruff": ("ruff",),  # ruff-feedstock recipe.yaml (0.16.2)
    # playwright-python-feedstock recipe.yaml (1.61.0); conda-forge's `playwright`
    # (playwright-feedstock) is the Node.js tool, with no Python module
    "playwright": ("playwright-python",),
}
CONDA_TO_PYPI = {conda: pypi for pypi, names in CONDA_FORGE.items() for conda in names}
# conda environment file -> what it must list: the learners' environment is seqlib's
# dependencies + the notebooks extra, environment-dev.yml adds the dev extra to it
CONDA_ENVIRONMENTS = {
    "environment.yml": ("dependencies", "notebooks"),
    "environment-dev.yml": ("dev",),
}
# conda entries that are the environment itself, not dependencies of seqlib
CONDA_ONLY = {"python", "pip"}
BINDER_TORCH_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"
BINDER_CONSTRAINTS = "-c ../requirements/constraints.txt"
ROUND_1 = "notebooks/01_memory_power.ipynb"

SPEC = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:(==|>=|=)\s*(\S+))?$")
TORCH_PIN = re.compile(r"\b(?:torch|pytorch(?:-cpu|-gpu)?)\s?==?\s?(\d[\w.+]*)")

Deps = dict[str, str | None]  # normalised name -> floor (or pin), None if unstated


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_spec(spec: str, conda: bool = False) -> tuple[str, str | None, str | None]:
    """`name>=1.2` -> (name, ">=", "1.2"); a bare name has no operator or version.

    PyPI names are normalised (PEP 503: `-`, `_`, `.` are one); conda names only lowercased, as
    conda tells `jupyterlab_rise` from `jupyterlab-rise`.
    """
    match = SPEC.match(spec.split("#", 1)[0].split(";", 1)[0].strip())
    if match is None:
        raise ValueError(f"cannot parse the requirement {spec!r}")
    name, op, version = match.groups()
    return (name.lower() if conda else normalise(name)), op, version


def floors(specs: list[str], conda: bool = False) -> Deps:
    deps: Deps = {}
    for spec in specs:
        name, op, version = parse_spec(spec, conda)
        assert op in (None, ">=", "="), f"{spec!r}: only floors belong here"
        deps[name] = version
    return deps


def pyproject(root: Path) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def pyproject_deps(root: Path, *extras: str) -> Deps:
    """seqlib's dependencies and the given extras."""
    return pyproject_parts(root, "dependencies", *extras)


def pyproject_parts(root: Path, *parts: str) -> Deps:
    """The given parts of pyproject: "dependencies" and/or names of extras."""
    project = pyproject(root)
    specs: list[str] = []
    for part in parts:
        specs += project[part] if part == "dependencies" else project["optional-dependencies"][part]
    return floors(specs)


def requirement_lines(path: Path) -> list[str]:
    """Non-empty, non-comment lines of a pip requirements file, comments stripped."""
    text = path.read_text(encoding="utf-8")
    lines = (line.split(" #", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def constraints(root: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in requirement_lines(root / "requirements" / "constraints.txt"):
        name, op, version = parse_spec(line)
        assert op == "==" and version, f"constraints.txt: {line!r} is not a `name==version` pin"
        pins[name] = version
    return pins


def binder_lines(root: Path) -> list[str]:
    lines = requirement_lines(root / "binder" / "requirements.txt")
    return [line for line in lines if not line.startswith("-")]


def binder_deps(root: Path) -> Deps:
    """binder/requirements.txt's floors; its torch pin (check_binder) counts as no floor."""
    lines = binder_lines(root)
    deps = floors([line for line in lines if parse_spec(line)[0] != "torch"])
    if any(parse_spec(line)[0] == "torch" for line in lines):
        deps["torch"] = None
    return deps


def conda_specs(root: Path, yml: str = "environment.yml") -> list[str]:
    """The top-level `dependencies:` items of a conda environment file (tiny parser, no PyYAML)."""
    specs: list[str] = []
    in_deps = False
    item_indent: int | None = None
    for raw in (root / yml).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            in_deps = line == "dependencies:"
            continue
        if not in_deps or not line.lstrip().startswith("- "):
            continue
        item_indent = indent if item_indent is None else item_indent
        item = line.lstrip()[2:].strip()
        if indent == item_indent and not item.endswith(":"):  # skip a nested `- pip:` list
            specs.append(item.replace(" ", ""))
    return specs


def conda_deps(root: Path, yml: str) -> tuple[Deps, list[str]]:
    """The yml's dependencies under their PyPI names, and its entries that are no known name."""
    deps: Deps = {}
    unknown = []
    for name, version in floors(conda_specs(root, yml), conda=True).items():
        if name in CONDA_ONLY:
            continue
        if name not in CONDA_TO_PYPI:
            unknown.append(f"{yml}: {name} is not a verified conda-forge name (CONDA_FORGE)")
            continue
        deps[CONDA_TO_PYPI[name]] = version
    return deps, unknown


def compare(expected: Deps, actual: Deps, where: str) -> list[str]:
    """Same package set; equal floors where both state one."""
    problems = [f"{where}: missing {name}" for name in sorted(expected.keys() - actual.keys())]
    extra = sorted(actual.keys() - expected.keys())
    problems += [f"{where}: {name} does not belong here (pyproject)" for name in extra]
    for name in sorted(expected.keys() & actual.keys()):
        want, got = expected[name], actual[name]
        if want and got and want != got:
            problems.append(f"{where}: {name} floor {got}, pyproject says {want}")
    return problems


def release(version: str) -> tuple[int, ...]:
    match = re.match(r"\d+(\.\d+)*", version)
    assert match, f"not a version: {version!r}"
    return tuple(int(part) for part in match.group().split("."))


# ---- the checks: each returns what disagrees under `root` ------------------------------------


def check_conda_names(root: Path) -> list[str]:
    """Every PyPI package pyproject lists has a verified conda-forge name in CONDA_FORGE."""
    project = pyproject(root)
    listed = pyproject_deps(root, *project["optional-dependencies"])
    missing = sorted(listed.keys() - CONDA_FORGE.keys())
    return [f"CONDA_FORGE has no verified conda-forge name for {name}" for name in missing]


def check_environment_yml(root: Path) -> list[str]:
    """environment.yml = dependencies + notebooks extra, environment-dev.yml = dev extra."""
    problems = []
    for yml, parts in CONDA_ENVIRONMENTS.items():
        actual, unknown = conda_deps(root, yml)
        problems += unknown + compare(pyproject_parts(root, *parts), actual, yml)
    if not any(re.fullmatch(r"python=\d+\.\d+", spec) for spec in conda_specs(root)):
        problems.append("environment.yml: no `python=X.Y` entry")
    return problems


def check_binder(root: Path) -> list[str]:
    requirements = root / "binder" / "requirements.txt"
    problems = compare(pyproject_deps(root, "notebooks"), binder_deps(root), "binder/")
    # torch pinned to the CPU index's build, so that a missing CPU wheel fails the build instead
    # of pip taking PyPI's CUDA build; constraints.txt's `torch==X` admits `X+cpu` (PEP 440)
    wanted_torch = f"torch=={constraints(root).get('torch')}+cpu"
    torch = [line for line in binder_lines(root) if parse_spec(line)[0] == "torch"]
    if torch != [wanted_torch]:
        problems.append(f"binder/requirements.txt: torch is {torch}, wanted [{wanted_torch!r}]")
    options = [line for line in requirement_lines(requirements) if line.startswith("-")]
    for wanted in (BINDER_TORCH_INDEX, BINDER_CONSTRAINTS):
        if wanted not in options:
            problems.append(f"binder/requirements.txt: missing `{wanted}`")
    post_build = root / "binder" / "postBuild"
    if "pip install --no-deps -e ." not in post_build.read_text(encoding="utf-8"):
        problems.append("binder/postBuild does not install seqlib (`pip install --no-deps -e .`)")
    runtime = (root / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    conda_python = [spec for spec in conda_specs(root) if spec.startswith("python=")]
    if [runtime.replace("python-", "python=")] != conda_python:
        problems.append(f"binder/runtime.txt says {runtime}, environment.yml says {conda_python}")
    return problems


def check_constraints(root: Path) -> list[str]:
    pins = constraints(root)
    project = pyproject(root)
    problems = []
    if normalise(project["name"]) in pins:
        problems.append(f"constraints.txt pins the course's own package {project['name']}")
    for name, floor in pyproject_deps(root, *project["optional-dependencies"]).items():
        if name not in pins:
            problems.append(f"constraints.txt does not pin {name}")
        elif floor and release(pins[name]) < release(floor):
            problems.append(f"constraints.txt pins {name}=={pins[name]}, below the floor {floor}")
    return problems


def check_torch_pins(root: Path) -> list[str]:
    pin = constraints(root).get("torch")
    if pin is None:
        return ["constraints.txt does not pin torch"]
    files = [root / "README.md", root / ".ci" / "run", root / "course.py"]
    files += [root / yml for yml in CONDA_ENVIRONMENTS]
    files += sorted((root / "binder").iterdir())
    problems = []
    for path in files:
        for version in TORCH_PIN.findall(path.read_text(encoding="utf-8")):
            if version.split("+", 1)[0] != pin:  # binder's 2.13.0+cpu is torch 2.13.0
                where = path.relative_to(root)
                problems.append(f"{where} pins torch {version}, constraints.txt {pin}")
    return problems


def readme_test_commands(root: Path) -> set[str]:
    """The lines of README code blocks that are exactly the test command (no arguments)."""
    readme = (root / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```[^\n]*\n(.*?)```", readme, re.S)
    lines = {line.strip() for block in blocks for line in block.splitlines()}
    return {line for line in lines if re.fullmatch(r"python3 course\.py test", line)}


def check_ci(root: Path) -> list[str]:
    script = root / ".ci" / "run"
    lines = [line.strip() for line in script.read_text(encoding="utf-8").splitlines()]
    commands = [
        line
        for line in lines
        if line and not line.startswith(("#", "set ", "cd "))  # comments, shell options, cd to root
    ]
    readme = readme_test_commands(root)
    # CI may add --install-browser (install Chromium with apt-get) and nothing else
    ran = [command.removesuffix(" --install-browser") for command in commands]
    problems = [] if ran == sorted(readme) else [f".ci/run runs {commands}, README {readme}"]
    if len(readme) != 1:
        problems.append(f"README.md should show the test command once in a code block: {readme}")
    if "set -euo pipefail" not in lines:
        problems.append(".ci/run lacks `set -euo pipefail`")
    return problems


def check_readme_links(root: Path) -> list[str]:
    repository = pyproject(root)["urls"]["Repository"]
    owner_name = repository.removeprefix("https://github.com/")
    readme = (root / "README.md").read_text(encoding="utf-8")
    problems = []
    patterns = (
        r"git clone https://github\.com/([\w.-]+/[\w.-]+)",
        r"mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/",
        r"colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/",
    )
    for pattern in patterns:
        for found in re.findall(pattern, readme):
            if found.removesuffix(".git") != owner_name:
                problems.append(f"README.md links to {found}, pyproject's Repository: {owner_name}")
    binder = f"mybinder.org/v2/gh/{owner_name}/HEAD?urlpath=lab/tree/{ROUND_1}"
    colab = f"colab.research.google.com/github/{owner_name}/blob/main/{ROUND_1}"
    for badge in (binder, colab):
        if badge not in readme:
            problems.append(f"README.md has no badge link to {badge}")
    return problems


CHECKS: list[Callable[[Path], list[str]]] = [
    check_conda_names,
    check_environment_yml,
    check_binder,
    check_constraints,
    check_torch_pins,
    check_ci,
    check_readme_links,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_files_agree(check: Callable[[Path], list[str]]) -> None:
    assert check(ROOT) == []


# ---- the checks catch drift: each mutation of a copy must be reported ------------------------

FILES = [
    "pyproject.toml",
    "requirements/constraints.txt",
    "environment.yml",
    "environment-dev.yml",
    "binder",
    "README.md",
    ".ci/run",
    "course.py",
]

MUTATIONS = [
    # (file, old text, new text, the check that must complain)
    ("environment.yml", "numpy>=1.24", "numpy>=1.25", check_environment_yml),
    ("environment.yml", "  - tqdm>=4.66\n", "", check_environment_yml),
    ("environment.yml", "pytorch-cpu>=2.2", "pytorch-cpu>=2.1", check_environment_yml),
    ("environment.yml", "  - onnx>=1.17\n", "  - onnx>=1.17\n  - scipy\n", check_environment_yml),
    # a conda-forge name replaced by the PyPI spelling, where they differ
    ("environment.yml", "jupyterlab_rise>=", "jupyterlab-rise>=", check_environment_yml),
    ("environment.yml", "pytorch-cpu>=", "torch>=", check_environment_yml),
    ("environment-dev.yml", "playwright-python>=", "playwright>=", check_environment_yml),
    # a test tool in the learners' environment, or missing from the maintainers'
    (
        "environment.yml",
        "  - onnx>=1.17\n",
        "  - onnx>=1.17\n  - pytest>=7.4\n",
        check_environment_yml,
    ),
    ("environment-dev.yml", "  - nbval>=0.11\n", "", check_environment_yml),
    (
        "environment-dev.yml",
        "  - ruff>=0.5\n",
        "  - ruff>=0.5\n  - onnx>=1.17\n",
        check_environment_yml,
    ),
    ("environment.yml", "  - onnxscript>=0.2\n", "", check_environment_yml),
    ("environment.yml", "matplotlib-base>=3.7", "matplotlib-base>=3.8", check_environment_yml),
    # a PyPI package with no verified conda-forge name
    ("pyproject.toml", '"tqdm>=4.66",', '"tqdm>=4.66",\n    "scipy>=1.10",', check_conda_names),
    ("pyproject.toml", '"ruff>=0.5",', '"ruff>=0.5",\n    "mypy>=1.0",', check_conda_names),
    ("binder/requirements.txt", "matplotlib>=3.7", "matplotlib>=3.8", check_binder),
    ("binder/requirements.txt", "ipykernel>=6.25\n", "", check_binder),
    ("binder/requirements.txt", "-c ../requirements/constraints.txt\n", "", check_binder),
    ("binder/requirements.txt", "torch==2.13.0+cpu", "torch==2.13.0", check_binder),
    ("binder/requirements.txt", "torch==2.13.0+cpu", "torch>=2.2", check_binder),
    ("binder/requirements.txt", "torch==2.13.0+cpu", "torch==2.12.0+cpu", check_binder),
    ("binder/requirements.txt", "torch==2.13.0+cpu", "torch==2.12.0+cpu", check_torch_pins),
    ("binder/requirements.txt", "onnxruntime>=1.20\n", "", check_binder),
    ("binder/runtime.txt", "python-3.11", "python-3.12", check_binder),
    ("pyproject.toml", '"tqdm>=4.66",', '"tqdm>=4.66",\n    "scipy>=1.10",', check_constraints),
    ("pyproject.toml", '"tqdm>=4.66",', '"tqdm>=4.66",\n    "scipy>=1.10",', check_environment_yml),
    ("pyproject.toml", '"tqdm>=4.66",', '"tqdm>=4.66",\n    "scipy>=1.10",', check_binder),
    ("pyproject.toml", '"ruff>=0.5"', '"ruff>=0.5",\n    "mypy>=1.0"', check_constraints),
    ("pyproject.toml", '"numpy>=1.24"', '"numpy>=99"', check_constraints),
    ("requirements/constraints.txt", "\nnbval==", "\n# nbval==", check_constraints),
    ("requirements/constraints.txt", "\ntorch==2.13.0", "\ntorch==2.12.0", check_torch_pins),
    ("README.md", "python3 course.py test", "python3 course.py test -x", check_ci),
    (".ci/run", "python3 course.py test", "python3 -m pytest", check_ci),
    (".ci/run", "--install-browser", "--install-browser -x", check_ci),
    ("pyproject.toml", "neural-cage-fight/neural-cage-fight", "someone/else", check_readme_links),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "check"),
    MUTATIONS,
    ids=[f"{m[3].__name__}:{m[0]}:{i}" for i, m in enumerate(MUTATIONS)],
)
def test_checks_catch_drift(
    tmp_path: Path, file: str, old: str, new: str, check: Callable[[Path], list[str]]
) -> None:
    for name in FILES:
        source, copy = ROOT / name, tmp_path / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, copy)
    target = tmp_path / file
    text = target.read_text(encoding="utf-8")
    assert old in text, f"the mutation no longer applies: {old!r} is not in {file}"
    target.write_text(text.replace(old, new), encoding="utf-8")
    assert check(tmp_path) != []


# ---- the launcher and the CI script ----------------------------------------------------------


def test_course_py_installs_the_pinned_torch() -> None:
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    assert spec is not None and spec.loader is not None
    course = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = course  # dataclasses look their module up there
    try:
        spec.loader.exec_module(course)
    finally:
        del sys.modules[spec.name]
    assert course.pinned("torch") == f"torch=={constraints(ROOT)['torch']}"


@pytest.mark.skipif(os.name == "nt", reason="no executable bit on Windows")
@pytest.mark.parametrize("script", [".ci/run", "binder/postBuild", "course.py"])
def test_scripts_are_executable(script: str) -> None:
    assert os.access(ROOT / script, os.X_OK), f"chmod +x {script}"


def test_sanitizers_hide_what_varies_between_runs() -> None:
    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns((ROOT / "tests" / "sanitize.cfg").read_text(encoding="utf-8"))
    assert patterns, "tests/sanitize.cfg has no `regex:` / `replace:` pairs"

    def sanitize(text: str) -> str:
        for regex, replace in patterns:
            text = re.sub(regex, replace, text)
        return text

    varies = {
        "took 1.234 ms": "took 0.9 ms",
        "median 450 µs": "median 12.5 µs",
        "trained in 12 s": "trained in 9.5 seconds",
        "object at 0x7f1b93595d60": "object at 0x10a2b3c4d",
        "ran at 2026-11-25 19:00:18.296817": "ran at 2025-01-02 03:04:05.000001",
        "1234.5 tokens/s": "99 tokens/s",
        "peak 12.3 MiB": "peak 7 MiB",
    }
    for first, second in varies.items():
        assert sanitize(first) == sanitize(second), (first, second)
    for kept in ("15.0 [[5.0, 14.0], [14.0, 50.0]]", "3 seeds, 10 steps", "accuracy 0.98"):
        assert sanitize(kept) == kept
