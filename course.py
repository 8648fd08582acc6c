#!/usr/bin/env python3
"""The Neural Cage Fight: set the course up, open it, test it, reset it.

    python3 course.py setup                        set up the course environment (.venv/) and exit
    python3 course.py lab    [jupyter lab options] open the notebooks in JupyterLab
    python3 course.py slides [--no-lab]            build the instructor edition (slide decks with
                                                   speaker notes) into instructor/ and open it
    python3 course.py doctor                       what this machine is and has: paste it into a
                                                   bug report (works before and after setup)
    python3 course.py reset  [--yes]               restore the notebooks to their committed state
                                                   and clear results/ (asks first; keeps a copy)
    python3 course.py test   [--install-browser] [pytest options]
                                                   ruff and the whole test suite (with pytest
                                                   options: ruff and that pytest run only)

`setup`, `lab` and `test` first make sure .venv/ is ready: a virtual environment with the
pinned torch (installed first, on its own), then seqlib and what the notebooks need (`lab`,
`setup`), plus the test tools (`test`), under requirements/constraints.txt. A stamp in .venv/
records what it was built from, so the install runs again only when that changes.

Which torch build: without an NVIDIA GPU on Linux x86-64, the CPU build (about 180 MB) from
PyTorch's CPU index; with one, PyPI's CUDA build (about 3 GB); elsewhere PyPI's build (macOS:
CPU and MPS; Windows: CPU). TORCH_INDEX_URL=<a PyTorch wheel index> overrides the choice; delete
.venv/ to switch an existing environment. `doctor` prints the choice and why.

Standard library only, and it must parse on old Pythons: this file runs on the system Python,
before anything is installed, and tells a Python older than 3.11 how to get a newer one.
"""

from __future__ import annotations

import contextlib
import datetime
import difflib
import hashlib
import os
import platform
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
PYPROJECT = ROOT / "pyproject.toml"
# A second environment where the widget tests run under ipywidgets 7.7, Colab's version.
VENV_WIDGETS7 = ROOT / ".venv-ipywidgets7"
WIDGETS7 = ROOT / "requirements" / "ipywidgets7.txt"
WIDGETS7_ALSO = ("numpy", "matplotlib", "tqdm", "pytest")  # at their constraints.txt versions
MIN_PYTHON = (3, 11)  # the oldest Python the pinned set in requirements/constraints.txt installs on

LEARNER = ("notebooks",)  # what `setup` and `lab` install: seqlib and what the notebooks need
DEVELOPER = ("notebooks", "dev")  # what `test` installs: the test tools too

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PYPI = "https://pypi.org/simple"
PROBE_TIMEOUT = 5.0  # seconds: an index that has not answered by then is taken as unreachable

NOTEBOOKS = ROOT / "notebooks"
INSTRUCTOR = ROOT / "instructor"  # the instructor edition, built by `slides` (ignored by git)
# the notebooks save their results where they run
RESULTS = (ROOT / "results", NOTEBOOKS / "results", INSTRUCTOR / "results")
BACKUPS = ROOT / ".course-backups"

EMOJI_FONT = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")  # the verdicts' ✅ ❌
INSTALL_CHROMIUM = (
    "Debian: `sudo apt-get install chromium fonts-noto-color-emoji` (as root, "
    "`python3 course.py test --install-browser` does it); Ubuntu (chromium is a snap there): "
    "`sudo snap install chromium` and CHROMIUM=/snap/bin/chromium; elsewhere point CHROMIUM= at "
    "a Chromium or Chrome"
)


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


# ---- running commands --------------------------------------------------------------------------


def call(*command: str | Path) -> int:
    """Run a command from the repo root and return its exit code.

    Ctrl-C reaches the child too; we keep waiting so that it (JupyterLab asks to confirm) decides.
    A SIGTERM or SIGHUP to this launcher (a closed terminal) is passed on to the child (POSIX), so
    that nothing keeps running once the launcher is told to stop. Once the child has ended, a
    launcher that was told to stop stops too, rather than going on to its next step.
    """
    interrupted = False
    with subprocess.Popen([str(part) for part in command], cwd=ROOT) as child, forwarding_signals(
        child
    ) as received:
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:
                interrupted = True
    if received:  # die of the same signal, as if it had reached us directly
        signal.signal(received[0], signal.SIG_DFL)
        os.kill(os.getpid(), received[0])
    if interrupted:
        raise KeyboardInterrupt
    return code


@contextlib.contextmanager
def forwarding_signals(child: subprocess.Popen) -> Iterator[list[int]]:
    """While active, SIGTERM and SIGHUP sent to this process go to ``child`` too (POSIX).

    Yields the list of the signals received, in order.
    """
    received: list[int] = []

    def forward(signum: int, frame: object) -> None:
        received.append(signum)
        if child.poll() is None:
            child.send_signal(signum)

    names = ("SIGTERM", "SIGHUP") if os.name == "posix" else ()
    previous = {
        getattr(signal, name): signal.signal(getattr(signal, name), forward) for name in names
    }
    try:
        yield received
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def serve(command: list[str | Path]) -> int:
    """Hand this process over to a long-running server (JupyterLab).

    On POSIX the launcher *becomes* the server (``exec``): a SIGTERM, a closed terminal or Ctrl-C
    reach JupyterLab itself and nothing is left behind. Windows has no ``exec`` that keeps the
    process, so there the launcher waits on it (closing the console window ends both).
    """
    parts = [str(part) for part in command]
    if os.name == "posix":
        sys.stdout.flush()
        sys.stderr.flush()
        os.chdir(ROOT)
        os.execv(parts[0], parts)
    return call(*parts)


def run_logged(*command: str | Path) -> tuple[int, str]:
    """Run a command, echoing its output as it comes; return its exit code and that output."""
    lines: list[str] = []
    with subprocess.Popen(
        [str(part) for part in command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as child, forwarding_signals(child) as received:
        assert child.stdout is not None
        for line in child.stdout:
            print(line, end="", flush=True)
            lines.append(line)
        code = child.wait()
    if received:
        signal.signal(received[0], signal.SIG_DFL)
        os.kill(os.getpid(), received[0])
    return code, "".join(lines)


# ---- the network ---------------------------------------------------------------------------


def index_answers(
    url: str, project: str = "pip", timeout: float = PROBE_TIMEOUT
) -> tuple[bool, str]:
    """Does a package index answer? ``(True, "answers in 0.12 s")`` or ``(False, why)``.

    Asks for the index's page of ``project`` and reads one byte of it; proxies are taken from the
    environment, as pip does. A TLS certificate this Python cannot check (python.org's macOS
    Python before "Install Certificates") still means the server answered: pip has its own.
    """
    probe = url.rstrip("/") + f"/{project}/"
    start = time.monotonic()
    try:
        with urllib.request.urlopen(probe, timeout=timeout) as response:
            response.read(1)
    except urllib.error.HTTPError as error:
        if error.code in (401, 403, 407):  # a proxy or a mirror that wants credentials
            return False, f"HTTP {error.code} {error.reason} (credentials for a proxy or mirror?)"
        if error.code < 500:  # the server answered: 404 means no page for it, not no index
            return True, f"answers in {time.monotonic() - start:.2f} s (HTTP {error.code})"
        return False, f"HTTP {error.code} {error.reason}"
    except (OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, ssl.SSLCertVerificationError):
            return True, "answers (its TLS certificate could not be checked by this Python)"
        return False, f"{type(error).__name__}: {reason}"
    return True, f"answers in {time.monotonic() - start:.2f} s"


def package_index() -> str:
    """The index pip uses: $PIP_INDEX_URL, else PyPI (pip's config files are not read)."""
    return os.environ.get("PIP_INDEX_URL") or PYPI


UNREACHABLE = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "nodename nor servname",
    "getaddrinfo failed",
    "ProxyError",
    "Max retries exceeded",
    "ConnectTimeoutError",
    "Network is unreachable",
)
NOT_FOUND = (
    "ResolutionImpossible",
    "No matching distribution found",
    "Could not find a version that satisfies",
)


def explain_pip_failure(output: str, index: str, reachable: bool | None) -> str:
    """One sentence on why pip failed, from its output and whether ``index`` answered.

    Offline, pip reports ``ResolutionImpossible`` or "No matching distribution": it only saw what
    is on this machine. That hides the cause, so it is named here.
    """
    network = any(sign in output for sign in UNREACHABLE)
    missing = any(sign in output for sign in NOT_FOUND)
    if reachable is False or (network and reachable is not True):
        return (
            f"the package index ({index}) cannot be reached (no network, or a proxy in the way: "
            "set HTTPS_PROXY, or PIP_INDEX_URL for a mirror), so pip could only use what is on "
            "this machine. Connect, then run `python3 course.py setup` again."
        )
    if missing:
        return (
            f"pip found no matching version on {index}: check that this Python "
            f"({platform.python_version()}, {platform.machine()}) has wheels for the pinned set "
            "in requirements/constraints.txt (see pip's lines above)."
        )
    return "pip failed: its last lines above say why."


def pip_install(python: Path, *args: str | Path) -> None:
    """``python -m pip install ARGS``; on failure, say why in one sentence and stop."""
    code, output = run_logged(python, "-m", "pip", "install", *args)
    if code == 0:
        return
    looked = re.search(r"Looking in indexes: (\S+?),?\s", output)  # what pip was configured with
    index = looked.group(1) if looked else package_index()
    reachable, _ = index_answers(index)
    say(f"setup step failed (pip exit {code}): {explain_pip_failure(output, index, reachable)}")
    sys.exit(code)


# ---- which torch ---------------------------------------------------------------------------


def find_nvidia_gpu(which=shutil.which, exists=os.path.exists, run=subprocess.run) -> str | None:
    """How an NVIDIA GPU shows itself here (``nvidia-smi`` or its driver), or None.

    The arguments are for tests: a machine's answers can be given instead of this machine's.
    """
    smi = which("nvidia-smi")
    if smi:
        try:
            listed = run([smi, "-L"], capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            listed = ""
        return listed.splitlines()[0] if listed else f"nvidia-smi at {smi}"
    if exists("/proc/driver/nvidia"):
        return "NVIDIA driver (/proc/driver/nvidia)"
    return None


@dataclass(frozen=True)
class TorchPlan:
    """Which torch build to install, from where, and why."""

    requirement: str  # e.g. "torch==2.13.0+cpu"
    index: str | None  # an extra index for pip, or None for the default one
    build: str  # "cpu", "cuda", or a description where the index decides
    reason: str
    installable: bool = True  # False where no wheel of the pinned torch exists

    def pip_args(self, constraints: Path) -> list[str]:
        """The arguments of ``pip install`` that install this plan's torch."""
        args = ["-c", str(constraints), self.requirement]
        return args + (["--extra-index-url", self.index] if self.index else [])


def torch_plan(
    version: str, system: str, machine: str, nvidia: str | None, index_url: str | None
) -> TorchPlan:
    """Choose the torch build for a machine.

    ``version`` is the pinned release (``"2.13.0"``); ``system`` and ``machine`` are
    ``platform.system()`` and ``platform.machine()``; ``nvidia`` is what
    :func:`find_nvidia_gpu` found; ``index_url`` is ``$TORCH_INDEX_URL``.
    """
    pin = f"torch=={version}"
    x86 = machine.lower() in ("x86_64", "amd64")
    if index_url:
        reason = f"TORCH_INDEX_URL={index_url}"
        return TorchPlan(pin, index_url, "the one that index serves", reason)
    if system == "Linux" and x86:
        if nvidia:
            return TorchPlan(
                pin, None, "cuda",
                f"an NVIDIA GPU was found ({nvidia}): PyPI's CUDA build (about 3 GB)",
            )  # fmt: skip
        return TorchPlan(
            f"{pin}+cpu", CPU_INDEX, "cpu",
            "no NVIDIA GPU (no nvidia-smi, no /proc/driver/nvidia): the CPU build (about 180 MB) "
            "instead of PyPI's CUDA build (about 3 GB)",
        )  # fmt: skip
    if system == "Darwin" and machine == "arm64":
        return TorchPlan(pin, None, "cpu + mps", "macOS: PyPI's build (Apple GPUs through MPS)")
    if system == "Darwin":
        return TorchPlan(
            pin, None, "none",
            "an Intel Mac: PyTorch publishes no wheels for it after torch 2.2, so the pinned "
            f"torch {version} cannot be installed here. Use the Binder or Colab badge in the "
            "README, or the conda route (environment.yml: conda-forge builds pytorch-cpu)",
            installable=False,
        )  # fmt: skip
    if system == "Windows":
        reason = "Windows: PyPI's build is CPU-only"
        if nvidia:
            reason += (
                f"; an NVIDIA GPU was found ({nvidia}): for CUDA, set TORCH_INDEX_URL to PyTorch's "
                "cuXYZ index and delete .venv/"
            )
        return TorchPlan(pin, None, "cpu", reason)
    return TorchPlan(pin, None, f"PyPI's default for {system} {machine}", f"{system} {machine}")


def pinned(name: str) -> str:
    """The `name==version` line of requirements/constraints.txt."""
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement.lower().startswith(f"{name}=="):
            return requirement
    sys.exit(f"[course] {name} is not pinned in {CONSTRAINTS.relative_to(ROOT)}")


def this_machines_plan() -> TorchPlan:
    version = pinned("torch").split("==", 1)[1]
    return torch_plan(
        version,
        platform.system(),
        platform.machine(),
        find_nvidia_gpu(),
        os.environ.get("TORCH_INDEX_URL"),
    )


def install_torch(python: Path) -> None:
    """The pinned torch first, on its own (a plain `torch` requirement could pull a CUDA build).

    Where the CPU build was chosen (no NVIDIA GPU), PyTorch's CPU index is asked first whether it
    answers: where it does not (offline, a proxy, or a machine that has the wheel on disk), pip
    looks for the same CPU build without it rather than spending minutes on retries, and a
    failure says what to do. A TORCH_INDEX_URL the learner set is used as it is.
    """
    plan = this_machines_plan()
    say(f"torch: {plan.requirement} ({plan.build} build): {plan.reason}")
    if not plan.installable:
        sys.exit(1)
    if plan.requirement.endswith("+cpu") and plan.index:
        answers, detail = index_answers(plan.index, "torch")
        if not answers:
            online, _ = index_answers(package_index())
            say(
                f"PyTorch's CPU index ({plan.index}) does not answer ({detail}): looking for "
                f"{plan.requirement} among local wheels and the default index instead"
            )
            retries = [] if online else ["--retries", "0"]  # nothing to wait for
            args = TorchPlan(plan.requirement, None, plan.build, plan.reason).pip_args(CONSTRAINTS)
            code, output = run_logged(python, "-m", "pip", "install", *retries, *args)
            if code != 0:
                where = (
                    "PyTorch's CPU index cannot be reached (network or proxy)"
                    if online
                    else "neither PyTorch's CPU index nor the package index can be reached: "
                    "this machine looks offline, or a proxy is in the way (set HTTPS_PROXY)"
                )
                say(
                    f"could not install {plan.requirement}: {where}, and no CPU wheel was found "
                    "on this machine. Connect, then run `python3 course.py setup` again."
                )
                if online:
                    say(
                        "Or take PyPI's build (CUDA on Linux x86-64, about 3 GB): "
                        f"TORCH_INDEX_URL={PYPI} python3 course.py setup"
                    )
                sys.exit(code)
            return
    pip_install(python, *plan.pip_args(CONSTRAINTS))


# ---- the environment -----------------------------------------------------------------------


def venv_python(venv_dir: Path = VENV) -> Path:
    if os.name == "nt":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def has_pip(python: Path) -> bool:
    """Does this Python run, and does it have pip?"""
    if not python.exists():
        return False
    try:
        done = subprocess.run(
            [str(python), "-m", "pip", "--version"], capture_output=True, timeout=120
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def venv_package_hint() -> str:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"on Debian or Ubuntu: sudo apt install python{version}-venv (or python3-venv)"


def venv_version(venv_dir: Path) -> tuple[int, ...]:
    """The Python version a venv was made with (its pyvenv.cfg), or () if unknown."""
    config = venv_dir / "pyvenv.cfg"
    if not config.exists():
        return ()
    for line in config.read_text(encoding="utf-8", errors="replace").splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version", "version_info"):
            return tuple(int(part) for part in re.findall(r"\d+", value)[:3])
    return ()


def create_venv(venv_dir: Path) -> Path:
    """Make sure ``venv_dir`` holds a working Python with pip, (re)building it if not.

    A folder whose Python does not run or has no pip (an interrupted setup; a venv made where
    Debian's python3-venv is missing; a Python upgraded underneath), or that was made by a Python
    older than the course needs, is built again from scratch.
    """
    python = venv_python(venv_dir)
    made_by = venv_version(venv_dir)
    too_old = bool(made_by) and made_by[:2] < MIN_PYTHON
    if python.exists() and not too_old and has_pip(python):
        return python
    if venv_dir.exists():
        if too_old:
            why = f"was made by Python {'.'.join(map(str, made_by))}, older than the course needs"
        else:
            why = "has no pip (an interrupted setup?)" if python.exists() else "has no Python"
        say(f"{venv_dir.name}/ {why}: building it again")
    say(f"creating {venv_dir.name}/ with Python {platform.python_version()} ({sys.executable})")
    try:
        venv.create(venv_dir, with_pip=True, clear=venv_dir.exists())
    except (subprocess.CalledProcessError, OSError) as error:
        say(f"could not create {venv_dir.name}/ with pip ({error}): {venv_package_hint()}")
        sys.exit(1)
    if not has_pip(python):
        say(f"{venv_dir.name}/ still has no pip: {venv_package_hint()}, then delete {venv_dir}")
        sys.exit(1)
    return python


def setup_hash(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_stamp(stamp: Path) -> tuple[str, set[str]]:
    """The stamp's (hash, extras installed); ("", set()) when there is none."""
    if not stamp.exists():
        return "", set()
    lines = stamp.read_text(encoding="utf-8").splitlines() + ["", ""]
    return lines[0].strip(), {extra for extra in lines[1].split(",") if extra}


def setup(extras: tuple[str, ...] = LEARNER) -> Path:
    """Create .venv/ if needed, install what is missing, and return its Python."""
    python = create_venv(VENV)
    stamp = VENV / "course-setup.stamp"
    wanted = setup_hash(CONSTRAINTS, PYPROJECT)
    built, installed = read_stamp(stamp)
    if built == wanted and set(extras) <= installed:
        say(f"environment up to date (.venv/, extras: {','.join(sorted(installed))})")
        return python
    if built == wanted:
        installed_extras = set(extras) | installed
    else:
        installed_extras = set(extras)
        install_torch(python)
    names = ",".join(sorted(installed_extras))
    say(f"installing seqlib with the extras [{names}] (pinned by constraints.txt)")
    pip_install(python, "-c", CONSTRAINTS, "-e", f".[{names}]")
    stamp.write_text(f"{wanted}\n{names}\n", encoding="utf-8")
    say("environment ready (.venv/)")
    return python


def setup_widgets7() -> Path:
    """Create .venv-ipywidgets7/: torch, ipywidgets 7.7 and seqlib, for the widget tests."""
    python = create_venv(VENV_WIDGETS7)
    stamp = VENV_WIDGETS7 / "course-setup.stamp"
    wanted = setup_hash(CONSTRAINTS, PYPROJECT, WIDGETS7)
    if read_stamp(stamp)[0] == wanted:
        return python
    install_torch(python)
    say(f"installing {WIDGETS7.relative_to(ROOT)} into {VENV_WIDGETS7.name}/")
    also = [pinned(name) for name in WIDGETS7_ALSO]
    pip_install(python, "--quiet", "-r", WIDGETS7, *also)
    pip_install(python, "--quiet", "--no-deps", "-e", ".")
    stamp.write_text(wanted + "\n", encoding="utf-8")
    return python


# ---- the commands --------------------------------------------------------------------------


def setup_command(args: list[str]) -> int:
    if args:
        return usage_error(f"`setup` takes no arguments, got {' '.join(args)}")
    setup(LEARNER)
    say("next: python3 course.py lab")
    return 0


def open_lab(python: Path, folder: Path, args: list[str], what: str) -> int:
    """Hand this process over to JupyterLab on ``folder`` (extra ``args`` go to JupyterLab)."""
    command: list[str | Path] = [python, "-m", "jupyterlab", folder.name, *args]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--ServerApp.allow_root=True")
    say(f"opening {what} in JupyterLab (Ctrl-C to stop)")
    return serve(command)


def lab(args: list[str]) -> int:
    return open_lab(setup(LEARNER), NOTEBOOKS, args, "the course")


def slides(args: list[str]) -> int:
    """Build the instructor edition into instructor/, then open it in JupyterLab.

    ``--no-lab`` only builds it. Other arguments go to JupyterLab, as with ``lab``.
    """
    python = setup(LEARNER)
    say("building the instructor edition (slides and speaker notes) into instructor/")
    code = call(python, ROOT / "tools" / "slides.py", "--out", INSTRUCTOR)
    if code != 0 or "--no-lab" in args:
        return code
    what = "the instructor edition (View > Render as slideshow; T: speaker view)"
    return open_lab(python, INSTRUCTOR, args, what)


def test_widgets7() -> int:
    """The explorers' tests again, under ipywidgets 7.7 (pytest without nbval and its options)."""
    python = setup_widgets7()
    tests = ["tests/test_widgets.py"]  # all five explorers live in seqlib.widgets, tested there
    say(f"pytest under ipywidgets 7.7: {' '.join(tests)}")
    options = ["-q", "-p", "no:cacheprovider", "-o", "addopts=", "-W", "ignore::DeprecationWarning"]
    return call(python, "-m", "pytest", *options, *tests)


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium")


def ensure_chromium(install: bool) -> None:
    """The browser tests drive Chromium. Install it (Debian's, with apt-get) only when asked.

    Without ``--install-browser`` nothing is installed system-wide: a missing Chromium means the
    browser tests are skipped (pytest says so), and this says how to install it.
    """
    if os.environ.get("SEQLIB_BROWSER_TESTS") == "0":
        say("SEQLIB_BROWSER_TESTS=0: the browser tests are skipped")
        return
    has_chromium = chromium_path() is not None
    packages = [] if has_chromium else ["chromium"]
    if sys.platform.startswith("linux") and not EMOJI_FONT.exists():
        packages.append("fonts-noto-color-emoji")  # the screenshots' ✅ ❌
    if not packages:
        return
    if not install:
        if not has_chromium:
            say(f"Chromium not found: the browser tests will be skipped; {INSTALL_CHROMIUM}")
        return
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if not (root and shutil.which("apt-get")):
        say(f"--install-browser needs root and apt-get (Debian); otherwise: {INSTALL_CHROMIUM}")
        return
    say(f"--install-browser: installing {' '.join(packages)} with apt-get")
    code = call("apt-get", "update", "-qq")
    if code == 0:
        code = call("apt-get", "install", "-y", "-qq", *packages)
    if code != 0:  # e.g. Ubuntu, which has no chromium deb: the rest of the run goes on
        say(f"apt-get could not install {' '.join(packages)} (exit {code}): {INSTALL_CHROMIUM}")


def test(args: list[str]) -> int:
    install_browser = "--install-browser" in args
    args = [arg for arg in args if arg != "--install-browser"]
    python = setup(DEVELOPER)
    ensure_chromium(install_browser)
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


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)


def changed_notebooks() -> list[str]:
    """The committed files under notebooks/ that differ from the last commit (staged or not).

    Compared with HEAD itself, so staged edits, deletions and renames count; files the learner
    added (not in HEAD) are not the course's and are left alone.
    """
    committed = git("ls-tree", "-r", "-z", "--name-only", "HEAD", "--", "notebooks")
    changed = git("diff", "--name-only", "--no-renames", "-z", "HEAD", "--", "notebooks")
    for done in (committed, changed):
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip() or "git failed")
    ours = set(committed.stdout.split("\0"))
    return sorted(name for name in changed.stdout.split("\0") if name and name in ours)


def reset(args: list[str]) -> int:
    """Restore the notebooks to their committed state and clear results/, keeping a copy."""
    unknown = [arg for arg in args if arg not in ("--yes", "-y")]
    if unknown:
        return usage_error(f"`reset` takes only --yes, got {' '.join(unknown)}")
    if shutil.which("git") is None:
        say("reset needs git, which is not installed here (it restores the committed notebooks)")
        return 1
    if not (ROOT / ".git").exists():
        say(
            "reset needs a git checkout of the course, and this copy is not one. Download the "
            "course again, or delete results/ and notebooks/results/ by hand."
        )
        return 1
    notebooks = changed_notebooks()
    results = [folder for folder in RESULTS if folder.exists()]
    if os.environ.get("SEQLIB_RESULTS"):
        say(f"SEQLIB_RESULTS is set: its folder ({os.environ['SEQLIB_RESULTS']}) is not cleared")
    if not notebooks and not results:
        say("nothing to reset: the notebooks are as committed and there are no results")
        return 0
    stamp = datetime.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    backup = BACKUPS / stamp
    number = 1
    while backup.exists():  # two resets in one second
        number += 1
        backup = BACKUPS / f"{stamp}_{number}"
    say("reset will:")
    for name in notebooks:
        print(f"  restore {name} to its committed state")
    for folder in results:
        print(f"  clear {folder.relative_to(ROOT)}/")
    print(f"  after copying what it replaces to {backup.relative_to(ROOT)}/")
    print("  (close JupyterLab first: it may save its open notebooks over the restored ones)")
    if "--yes" not in args and "-y" not in args:
        if not sys.stdin.isatty():
            say("not run: no terminal to ask; run `python3 course.py reset --yes` to go ahead")
            return 1
        if input("Go ahead? [y/N] ").strip().lower() not in ("y", "yes"):
            say("nothing changed")
            return 1
    for name in notebooks:
        source = ROOT / name
        if source.exists():
            (backup / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, backup / name)
    for folder in results:
        shutil.copytree(folder, backup / folder.relative_to(ROOT))
    if notebooks:
        done = git("checkout", "HEAD", "--", *notebooks)
        if done.returncode != 0:
            say(f"git could not restore the notebooks: {done.stderr.strip()}")
            return 1
    for folder in results:
        shutil.rmtree(folder)
    say(f"done: {len(notebooks)} notebook(s) restored, {len(results)} results folder(s) cleared")
    say(f"the previous versions are in {backup.relative_to(ROOT)}/")
    return 0


def installed_torch(python: Path) -> str:
    """What torch the environment has, e.g. ``"2.13.0+cpu (build: cpu)"``, or why not."""
    script = (
        "import torch; cuda = torch.version.cuda; mps = getattr(torch.backends, 'mps', None)\n"
        "build = 'cu' + cuda.replace('.', '') if cuda else 'cpu'\n"
        "gpu = torch.cuda.is_available() or bool(mps and mps.is_available())\n"
        "print(f'{torch.__version__} (build: {build}; GPU usable: {gpu})')"
    )
    try:
        done = subprocess.run(
            [str(python), "-c", script], capture_output=True, text=True, timeout=120
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"could not ask ({error})"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return f"not importable ({last})"
    return done.stdout.strip()


def default_profile() -> str:
    """The profile a notebook runs in when its parameters cell says nothing (seqlib.config)."""
    chosen = os.environ.get("SEQLIB_PROFILE", "").strip().lower()
    if chosen:
        return f"{chosen} (from $SEQLIB_PROFILE)"
    return 'quick (the default everywhere; full: SEQLIB_PROFILE=full or PROFILE = "full")'


def describe_gpu() -> str:
    nvidia = find_nvidia_gpu()
    if nvidia:
        return f"NVIDIA: {nvidia}"
    if platform.system() == "Darwin" and platform.machine() == "arm64":
        return "Apple MPS (Apple silicon)"
    return "none found (no nvidia-smi, no /proc/driver/nvidia, not an Apple silicon Mac)"


def describe_os() -> str:
    name = platform.system()
    if name == "Linux":
        try:  # Python 3.10 and newer
            distro = platform.freedesktop_os_release().get("PRETTY_NAME", "")
        except (OSError, AttributeError):
            distro = ""
        return f"Linux {platform.release()}" + (f" ({distro})" if distro else "")
    if name == "Darwin":
        return f"macOS {platform.mac_ver()[0]}"
    return f"{name} {platform.release()} {platform.version()}".strip()


def doctor(args: list[str]) -> int:
    """What a bug report needs: this machine, its GPU, the torch build, the profile, the network."""
    if args:
        return usage_error(f"`doctor` takes no arguments, got {' '.join(args)}")
    plan = this_machines_plan()
    python = venv_python(VENV)
    rows = [
        ("python", f"{platform.python_version()} ({sys.executable})"),
        ("python ok", "yes" if sys.version_info >= MIN_PYTHON else f"no: {python_hint()}"),
        ("os", describe_os()),
        ("architecture", platform.machine()),
        ("gpu", describe_gpu()),
    ]
    built, extras = read_stamp(VENV / "course-setup.stamp")
    if not python.exists():
        rows.append(("environment", ".venv/ not set up yet (python3 course.py setup)"))
    elif not has_pip(python):
        rows.append(("environment", ".venv/ has no pip: `setup` rebuilds it"))
    else:
        made_by = ".".join(map(str, venv_version(VENV))) or "?"
        fresh = built == setup_hash(CONSTRAINTS, PYPROJECT)
        state = "up to date" if fresh else "needs `python3 course.py setup`"
        listed = ",".join(sorted(extras)) or "-"
        rows.append(("environment", f".venv/ (Python {made_by}) {state}; extras: {listed}"))
    if python.exists():
        torch = installed_torch(python)
        version = pinned("torch").split("==", 1)[1]
        if not torch.startswith(version):
            torch += f"; NOT the pinned {version}: delete .venv/ and run `python3 course.py setup`"
        rows.append(("torch installed", torch))
    rows.append(("torch build", f"{plan.build} ({plan.requirement} for a new setup)"))
    rows.append(("torch why", plan.reason))
    rows.append(("default profile", default_profile()))
    index = package_index()
    answers, detail = index_answers(index)
    rows.append(("package index", f"{index}: {detail if answers else 'no answer: ' + detail}"))
    if plan.index:
        answers, detail = index_answers(plan.index, "torch")
        state = detail if answers else "no answer: " + detail
        rows.append(("torch index", f"{plan.index}: {state}"))
    print("The Neural Cage Fight: course.py doctor (paste this into a bug report)")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    return 0


COMMANDS = {
    "setup": setup_command,
    "lab": lab,
    "slides": slides,
    "doctor": doctor,
    "reset": reset,
    "test": test,
}


def python_hint() -> str:
    wanted = ".".join(map(str, MIN_PYTHON))
    return (
        f"the course needs Python {wanted} or newer, this is {platform.python_version()} "
        f"({sys.executable}). Ways to get one:\n"
        f"  uv (any OS):       uv python install {wanted}   then   "
        f'"$(uv python find {wanted})" course.py lab\n'
        f"  Windows:           install it from python.org, then   py -{wanted} course.py lab\n"
        f"  conda:             conda create -n py{wanted.replace('.', '')} python={wanted}   "
        f"then activate it and run   python course.py lab\n"
        f"  Debian 12, Ubuntu 23.04 and newer:  sudo apt install python{wanted} "
        f"python{wanted}-venv   then   python{wanted} course.py lab (older releases: uv or conda)"
    )


def usage_error(message: str) -> int:
    print(f"[course] {message}\n", file=sys.stderr)
    print(__doc__, file=sys.stderr)
    return 2


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0 if argv else 2
    if argv[0] not in COMMANDS:
        close = difflib.get_close_matches(argv[0], COMMANDS, n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return usage_error(f"unknown command `{argv[0]}`{hint}")
    if sys.version_info < MIN_PYTHON and argv[0] != "doctor":  # doctor runs anywhere
        say(python_hint())
        return 2
    try:
        return COMMANDS[argv[0]](argv[1:])
    except KeyboardInterrupt:
        say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
