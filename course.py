#!/usr/bin/env python3
"""The Neural Cage Fight: set the course up, then open it or test it.

    python3 course.py lab  [jupyter lab options]   open the notebooks in JupyterLab
    python3 course.py test [pytest options]        run ruff and the whole test suite (with
                                                   options: only ruff and that pytest run)

Both first make sure the course environment is ready: a virtual environment in .venv/ with the
pinned torch (installed first, on its own), then seqlib and its notebooks and dev extras under
requirements/constraints.txt. A stamp in .venv/ records the constraints and pyproject.toml it
was built from, so the install runs again only when one of them changes.

Set TORCH_INDEX_URL (e.g. https://download.pytorch.org/whl/cpu) to take torch from that index
too; to switch an existing .venv/ to another torch build, delete .venv/ first.
Standard library only: this file runs on the system Python, before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / "course-setup.stamp"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
# A second environment where the widget tests run under ipywidgets 7.7, Colab's version.
VENV_WIDGETS7 = ROOT / ".venv-ipywidgets7"
WIDGETS7 = ROOT / "requirements" / "ipywidgets7.txt"
WIDGETS7_ALSO = ("numpy", "matplotlib", "tqdm", "pytest")  # at their constraints.txt versions
PYPROJECT = ROOT / "pyproject.toml"
MIN_PYTHON = (3, 11)  # the oldest Python the pinned set in requirements/constraints.txt installs on


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def call(*command: str | Path) -> int:
    """Run a command from the repo root and return its exit code.

    Ctrl-C reaches the child too; we keep waiting so that it (JupyterLab asks to confirm) decides.
    """
    with subprocess.Popen([str(part) for part in command], cwd=ROOT) as child:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                continue


def check(*command: str | Path) -> None:
    """Run a setup step; stop the launcher with a clear message if it fails."""
    code = call(*command)
    if code != 0:
        say(f"setup step failed (exit {code}): {' '.join(str(part) for part in command)}")
        sys.exit(code)


def venv_python(venv_dir: Path = VENV) -> Path:
    if os.name == "nt":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def create_venv(venv_dir: Path) -> Path:
    """Create ``venv_dir`` if it has no Python yet; return its Python."""
    python = venv_python(venv_dir)
    if not python.exists():
        say(f"creating {venv_dir.name}/ with Python {platform.python_version()} ({sys.executable})")
        try:
            venv.create(venv_dir, with_pip=True, clear=venv_dir.exists())
        except subprocess.CalledProcessError:
            say(
                f"could not create {venv_dir.name}/ (on Debian or Ubuntu: apt install python3-venv)"
            )
            sys.exit(1)
    return python


def pinned(name: str) -> str:
    """The `name==version` line of requirements/constraints.txt."""
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement.lower().startswith(f"{name}=="):
            return requirement
    sys.exit(f"[course] {name} is not pinned in {CONSTRAINTS.relative_to(ROOT)}")


def setup_hash(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def install_torch(python: Path) -> None:
    """The pinned torch first, on its own (a plain `torch` requirement could pull a CUDA build)."""
    torch = pinned("torch")
    index = os.environ.get("TORCH_INDEX_URL")
    say(f"upgrading pip, then installing {torch}" + (f" (also from {index})" if index else ""))
    check(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    extra = ["--extra-index-url", index] if index else []
    check(python, "-m", "pip", "install", "-c", CONSTRAINTS, torch, *extra)


def setup() -> Path:
    """Create .venv/ if needed, install what is missing, and return its Python."""
    python = create_venv(VENV)
    wanted = setup_hash(CONSTRAINTS, PYPROJECT)
    if STAMP.exists() and STAMP.read_text(encoding="utf-8").strip() == wanted:
        say("environment up to date (.venv/)")
        return python
    install_torch(python)
    say("installing seqlib with its notebooks and dev extras (pinned by constraints.txt)")
    check(python, "-m", "pip", "install", "-c", CONSTRAINTS, "-e", ".[notebooks,dev]")
    STAMP.write_text(wanted + "\n", encoding="utf-8")
    say("environment ready (.venv/)")
    return python


def setup_widgets7() -> Path:
    """Create .venv-ipywidgets7/: torch, ipywidgets 7.7 and seqlib, for the widget tests."""
    python = create_venv(VENV_WIDGETS7)
    stamp = VENV_WIDGETS7 / "course-setup.stamp"
    wanted = setup_hash(CONSTRAINTS, PYPROJECT, WIDGETS7)
    if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == wanted:
        return python
    install_torch(python)
    say(f"installing {WIDGETS7.relative_to(ROOT)} into {VENV_WIDGETS7.name}/")
    also = [pinned(name) for name in WIDGETS7_ALSO]
    check(python, "-m", "pip", "install", "--quiet", "-r", WIDGETS7, *also)
    check(python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", ".")
    stamp.write_text(wanted + "\n", encoding="utf-8")
    return python


def test_widgets7() -> int:
    """The explorers' tests again, under ipywidgets 7.7 (pytest without nbval and its options)."""
    python = setup_widgets7()
    tests = sorted(  # every test file that builds an explorer
        str(path.relative_to(ROOT))
        for path in ROOT.glob("tests/test_*.py")
        if "explorer(" in path.read_text(encoding="utf-8")
    )
    say(f"pytest under ipywidgets 7.7: {' '.join(tests)}")
    options = ["-q", "-p", "no:cacheprovider", "-o", "addopts=", "-W", "ignore::DeprecationWarning"]
    return call(python, "-m", "pytest", *options, *tests)


def lab(args: list[str]) -> int:
    python = setup()
    command: list[str | Path] = [python, "-m", "jupyterlab", "notebooks", *args]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--ServerApp.allow_root=True")
    say("opening the course in JupyterLab (Ctrl-C to stop)")
    return call(*command)


EMOJI_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")  # the verdicts' ✅ ❌


def ensure_chromium() -> None:
    """The browser tests drive Debian's Chromium; install it where we can (root with apt-get).

    Debian's emoji font comes with it, so that the screenshots show the verdicts' marks.
    """
    if os.environ.get("SEQLIB_BROWSER_TESTS") == "0":
        say("SEQLIB_BROWSER_TESTS=0: the browser tests are skipped")
        return
    has_chromium = bool(os.environ.get("CHROMIUM") or shutil.which("chromium"))
    packages = [] if has_chromium else ["chromium"]
    if sys.platform.startswith("linux") and not EMOJI_FONT.exists():
        packages.append("fonts-noto-color-emoji")
    if not packages:
        return
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if root and shutil.which("apt-get"):
        say(f"installing {' '.join(packages)} for the browser tests (apt-get)")
        if has_chromium:  # only the font is missing: the tests run without it
            call("apt-get", "install", "-y", "-qq", *packages)
            return
        check("apt-get", "update", "-qq")
        check("apt-get", "install", "-y", "-qq", *packages)
    elif not has_chromium:
        say(
            "Chromium not found: the browser tests will be skipped (install Debian's `chromium`, "
            "or set CHROMIUM=/path/to/chromium; `playwright install` is not used)"
        )


def test(args: list[str]) -> int:
    python = setup()
    ensure_chromium()
    os.environ.setdefault("SEQLIB_PROFILE", "quick")
    say(f"SEQLIB_PROFILE={os.environ['SEQLIB_PROFILE']}")
    say("ruff check .")
    lint = call(python, "-m", "ruff", "check", ".")
    say("pytest: unit tests and every notebook under tests/ and notebooks/ (nbval)")
    code = call(python, "-m", "pytest", *args)
    if code == 5:
        say("FAILED: pytest collected no tests")
        return 1
    widgets7 = test_widgets7() if not args else 0  # the whole suite only, not a selection
    failures = [
        f"ruff found problems (exit {lint})" if lint else "",
        f"pytest exit code {code}" if code else "",
        f"widget tests under ipywidgets 7.7 (exit {widgets7})" if widgets7 else "",
    ]
    failures = [failure for failure in failures if failure]
    say("FAILED: " + "; ".join(failures) if failures else "all checks and tests passed")
    return 1 if failures else 0


COMMANDS = {"lab": lab, "test": test}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    if sys.version_info < MIN_PYTHON:
        wanted = ".".join(map(str, MIN_PYTHON))
        say(f"needs Python {wanted} or newer, this is {platform.python_version()}")
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
