#!/usr/bin/env python3
"""The Neural Cage Fight: set the course up, then open it or test it.

    python3 course.py lab  [jupyter lab options]   open the notebooks in JupyterLab
    python3 course.py test [pytest options]        run ruff and the whole test suite

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
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / "course-setup.stamp"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
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


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def pinned(name: str) -> str:
    """The `name==version` line of requirements/constraints.txt."""
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement.lower().startswith(f"{name}=="):
            return requirement
    sys.exit(f"[course] {name} is not pinned in {CONSTRAINTS.relative_to(ROOT)}")


def setup_hash() -> str:
    digest = hashlib.sha256()
    for path in (CONSTRAINTS, PYPROJECT):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def setup() -> Path:
    """Create .venv/ if needed, install what is missing, and return its Python."""
    python = venv_python()
    if not python.exists():
        say(f"creating .venv/ with Python {platform.python_version()} ({sys.executable})")
        try:
            venv.create(VENV, with_pip=True, clear=VENV.exists())
        except subprocess.CalledProcessError:
            say("could not create .venv/ (on Debian or Ubuntu: apt install python3-venv)")
            sys.exit(1)
    wanted = setup_hash()
    if STAMP.exists() and STAMP.read_text(encoding="utf-8").strip() == wanted:
        say("environment up to date (.venv/)")
        return python

    torch = pinned("torch")
    index = os.environ.get("TORCH_INDEX_URL")
    say("upgrading pip in .venv/")
    check(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    say(f"installing {torch}" + (f" (also from {index})" if index else ""))
    extra = ["--extra-index-url", index] if index else []
    check(python, "-m", "pip", "install", "-c", CONSTRAINTS, torch, *extra)
    say("installing seqlib with its notebooks and dev extras (pinned by constraints.txt)")
    check(python, "-m", "pip", "install", "-c", CONSTRAINTS, "-e", ".[notebooks,dev]")
    STAMP.write_text(wanted + "\n", encoding="utf-8")
    say("environment ready (.venv/)")
    return python


def lab(args: list[str]) -> int:
    python = setup()
    command: list[str | Path] = [python, "-m", "jupyterlab", "notebooks", *args]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--ServerApp.allow_root=True")
    say("opening the course in JupyterLab (Ctrl-C to stop)")
    return call(*command)


def test(args: list[str]) -> int:
    python = setup()
    os.environ.setdefault("SEQLIB_PROFILE", "quick")
    say(f"SEQLIB_PROFILE={os.environ['SEQLIB_PROFILE']}")
    say("ruff check .")
    lint = call(python, "-m", "ruff", "check", ".")
    say("pytest: unit tests and every notebook under tests/ and notebooks/ (nbval)")
    code = call(python, "-m", "pytest", *args)
    if code == 5:
        say("FAILED: pytest collected no tests")
        return 1
    if lint != 0:
        say(f"FAILED: ruff found problems (pytest exit code {code})")
        return 1
    say("all checks and tests passed" if code == 0 else f"FAILED: pytest exit code {code}")
    return code


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
