"""The launcher's decisions, for machines other than this one.

``course.py`` runs on a learner's laptop: maybe no NVIDIA GPU, maybe a Mac or Windows, maybe
offline, maybe an old Python. This machine is none of those, so each decision is driven with the
inputs such a machine would give (what ``nvidia-smi`` says, what ``platform`` says, whether an
index answers), and what can run here for real does: pip against an index that does not answer,
a venv without pip, signals to a running server, a reset of a git checkout.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course.py"
POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


def load_course(path: Path = COURSE) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(f"course_{abs(hash(path))}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def course() -> types.ModuleType:
    return load_course()


def closed_port() -> int:
    """A loopback port nobody listens on (connections to it are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def offline_env(port: int) -> dict[str, str]:
    """pip with only a dead index: no config files, no local wheels, no cache."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_INDEX_URL=f"http://127.0.0.1:{port}/simple",
        PIP_NO_CACHE_DIR="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


# ---- which torch, and from where -------------------------------------------------------------


def test_nvidia_gpu_found_by_nvidia_smi(course):
    ran = []

    def run(command, **kwargs):
        ran.append(command)
        return subprocess.CompletedProcess(command, 0, stdout="GPU 0: NVIDIA T4 (UUID: x)\n")

    found = course.find_nvidia_gpu(
        which=lambda name: "/usr/bin/nvidia-smi", exists=lambda path: False, run=run
    )
    assert found == "GPU 0: NVIDIA T4 (UUID: x)"
    assert ran == [["/usr/bin/nvidia-smi", "-L"]]


def test_nvidia_gpu_found_by_its_driver_alone(course):
    found = course.find_nvidia_gpu(
        which=lambda name: None, exists=lambda path: path == "/proc/driver/nvidia"
    )
    assert found == "NVIDIA driver (/proc/driver/nvidia)"


def test_nvidia_smi_that_fails_still_counts(course):
    def run(command, **kwargs):
        raise OSError("nvidia-smi: driver/library version mismatch")

    found = course.find_nvidia_gpu(which=lambda n: "/bin/nvidia-smi", exists=lambda p: 0, run=run)
    assert found == "nvidia-smi at /bin/nvidia-smi"


def test_no_nvidia_gpu(course):
    assert course.find_nvidia_gpu(which=lambda name: None, exists=lambda path: False) is None


C = Path("requirements/constraints.txt")


@pytest.mark.parametrize(
    ("system", "machine", "nvidia", "index_url", "args", "build"),
    [
        # a Linux laptop without an NVIDIA GPU: the CPU build, from PyTorch's CPU index
        ("Linux", "x86_64", None, None,
         ["-c", str(C), "torch==2.13.0+cpu", "--extra-index-url", "https://download.pytorch.org/whl/cpu"],
         "cpu"),
        # with one: PyPI's CUDA build
        ("Linux", "x86_64", "GPU 0: NVIDIA T4", None, ["-c", str(C), "torch==2.13.0"], "cuda"),
        # TORCH_INDEX_URL wins over the detection, both ways
        ("Linux", "x86_64", None, "https://download.pytorch.org/whl/cu126",
         ["-c", str(C), "torch==2.13.0", "--extra-index-url", "https://download.pytorch.org/whl/cu126"],
         "the one that index serves"),
        ("Linux", "x86_64", "GPU 0", "https://download.pytorch.org/whl/cpu",
         ["-c", str(C), "torch==2.13.0", "--extra-index-url", "https://download.pytorch.org/whl/cpu"],
         "the one that index serves"),
        # a Mac: PyPI's build has MPS on Apple silicon
        ("Darwin", "arm64", None, None, ["-c", str(C), "torch==2.13.0"], "cpu + mps"),
        # an Intel Mac: no wheel of torch 2.13 exists (the plan says so, and installs nothing)
        ("Darwin", "x86_64", None, None, ["-c", str(C), "torch==2.13.0"], "none"),
        # Windows: PyPI's build is CPU-only, with or without a GPU (which the reason names)
        ("Windows", "AMD64", None, None, ["-c", str(C), "torch==2.13.0"], "cpu"),
        ("Windows", "AMD64", "GPU 0", None, ["-c", str(C), "torch==2.13.0"], "cpu"),
        # elsewhere PyPI decides
        ("Linux", "aarch64", None, None, ["-c", str(C), "torch==2.13.0"],
         "PyPI's default for Linux aarch64"),
    ],
)  # fmt: skip
def test_torch_plan(course, system, machine, nvidia, index_url, args, build):
    plan = course.torch_plan("2.13.0", system, machine, nvidia, index_url)
    assert plan.pip_args(C) == args
    assert plan.build == build
    if system == "Windows" and nvidia:
        assert "TORCH_INDEX_URL" in plan.reason and nvidia in plan.reason
    if system == "Linux" and machine == "x86_64" and not index_url:
        assert ("NVIDIA GPU was found" in plan.reason) == bool(nvidia)
    assert plan.installable == (build != "none")
    if not plan.installable:
        assert "conda" in plan.reason and "Colab" in plan.reason


def test_the_plan_uses_the_pinned_version(course):
    plan = course.this_machines_plan()
    assert plan.requirement.removesuffix("+cpu") == course.pinned("torch")


def fake_install(
    course, monkeypatch, *, answers: bool, code: int = 0, online: bool = True, plan=None
) -> list[list[str]]:
    """install_torch on a Linux x86-64 machine without a GPU, with the CPU index up or down
    (``answers``) and the default index up or down (``online``)."""
    plan = plan or course.torch_plan("2.13.0", "Linux", "x86_64", None, None)
    calls: list[list[str]] = []

    def run_logged(*command):
        calls.append([str(part) for part in command])
        return code, "ERROR: ResolutionImpossible" if code else ""

    def index_answers(url, project="pip"):
        return (answers if project == "torch" else online), "x"

    monkeypatch.setattr(course, "this_machines_plan", lambda: plan)
    monkeypatch.setattr(course, "index_answers", index_answers)
    monkeypatch.setattr(course, "run_logged", run_logged)
    return calls


def test_cpu_index_reachable_is_used(course, monkeypatch):
    calls = fake_install(course, monkeypatch, answers=True)
    course.install_torch(Path("python"))
    (command,) = calls
    assert command[-3:] == ["torch==2.13.0+cpu", "--extra-index-url", course.CPU_INDEX]


def test_cpu_index_unreachable_falls_back_without_retries(course, monkeypatch, capsys):
    calls = fake_install(course, monkeypatch, answers=False)
    course.install_torch(Path("python"))
    (command,) = calls
    assert "--extra-index-url" not in command  # pip never waits on the dead index
    assert command[-1] == "torch==2.13.0+cpu"  # still the CPU build, never the CUDA one
    assert "does not answer" in capsys.readouterr().out


def test_cpu_index_unreachable_and_no_wheel_says_what_to_do(course, monkeypatch, capsys):
    fake_install(course, monkeypatch, answers=False, code=1)
    with pytest.raises(SystemExit):
        course.install_torch(Path("python"))
    out = capsys.readouterr().out
    assert "cannot be reached" in out and "TORCH_INDEX_URL=" in out


def test_fully_offline_does_not_retry_and_says_so(course, monkeypatch, capsys):
    calls = fake_install(course, monkeypatch, answers=False, code=1, online=False)
    with pytest.raises(SystemExit):
        course.install_torch(Path("python"))
    (command,) = calls
    assert command[4:6] == ["--retries", "0"]
    out = capsys.readouterr().out
    assert "looks offline" in out and "TORCH_INDEX_URL=" not in out  # PyPI is no way out either


def test_a_torch_index_the_learner_set_is_never_bypassed(course, monkeypatch):
    """TORCH_INDEX_URL=<CPU index> that does not answer must not fall back to PyPI's CUDA build."""
    plan = course.torch_plan("2.13.0", "Linux", "x86_64", None, course.CPU_INDEX)
    calls = fake_install(course, monkeypatch, answers=False, plan=plan)
    installed: list[tuple[str, ...]] = []
    monkeypatch.setattr(course, "pip_install", lambda python, *args: installed.append(args))
    course.install_torch(Path("python"))
    assert calls == [] and installed[0][-2:] == ("--extra-index-url", course.CPU_INDEX)


def test_an_intel_mac_is_told_where_to_go_before_any_download(course, monkeypatch, capsys):
    plan = course.torch_plan("2.13.0", "Darwin", "x86_64", None, None)
    calls = fake_install(course, monkeypatch, answers=True, plan=plan)
    with pytest.raises(SystemExit):
        course.install_torch(Path("python"))
    assert calls == [] and "Intel Mac" in capsys.readouterr().out


# ---- the network -----------------------------------------------------------------------------


class Index(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(self.status)
        self.end_headers()
        self.wfile.write(b"<html></html>")

    def log_message(self, *args):
        pass


@pytest.fixture
def index_server():
    servers = []

    def start(status: int) -> str:
        handler = type("Handler", (Index,), {"status": status})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/simple"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("status", "answers"), [(200, True), (404, True), (503, False)])
def test_index_answers(course, index_server, status, answers):
    assert course.index_answers(index_server(status))[0] is answers


def test_dead_index_is_found_at_once(course):
    start = time.monotonic()
    answers, detail = course.index_answers(f"http://127.0.0.1:{closed_port()}/simple")
    assert answers is False and "refused" in detail.lower()
    assert time.monotonic() - start < course.PROBE_TIMEOUT


@pytest.mark.parametrize(
    ("output", "reachable", "expected"),
    [
        ("ERROR: ResolutionImpossible: for help visit ...", False, "cannot be reached"),
        ("ERROR: No matching distribution found for torch==9", False, "cannot be reached"),
        ("ERROR: No matching distribution found for torch==9", True, "no matching version"),
        ("NewConnectionError('Failed to establish a new connection')", None, "cannot be reached"),
        ("ERROR: could not build wheels for x", True, "its last lines above"),
    ],
)
def test_pip_failures_are_explained(course, output, reachable, expected):
    assert expected in course.explain_pip_failure(output, "https://pypi.org/simple", reachable)


def test_offline_pip_failure_names_the_index(course, monkeypatch, capsys):
    """Real pip, against an index that refuses connections: the cause is named."""
    port = closed_port()
    for key, value in offline_env(port).items():
        monkeypatch.setenv(key, value)
    for key in [k for k in os.environ if k.startswith("PIP_") and k not in offline_env(port)]:
        monkeypatch.delenv(key)
    with pytest.raises(SystemExit):
        course.pip_install(Path(sys.executable), "--retries", "0", "--dry-run", "no-such-pkg-xyz")
    out = capsys.readouterr().out
    assert f"127.0.0.1:{port}/simple) cannot be reached" in out


# ---- the environment -------------------------------------------------------------------------


def test_venv_without_pip_is_rebuilt(course, tmp_path, capsys):
    import venv

    broken = tmp_path / "venv"
    venv.create(broken, with_pip=False)  # what an interrupted setup or a missing python3-venv leave
    python = course.venv_python(broken)
    assert python.exists() and not course.has_pip(python)
    assert course.create_venv(broken) == python
    assert course.has_pip(python)
    assert "has no pip" in capsys.readouterr().out


def test_venv_that_cannot_get_pip_says_what_to_install(course, tmp_path, monkeypatch, capsys):
    def no_ensurepip(*args, **kwargs):
        raise subprocess.CalledProcessError(1, ["python", "-m", "ensurepip"])

    monkeypatch.setattr(course.venv, "create", no_ensurepip)
    with pytest.raises(SystemExit):
        course.create_venv(tmp_path / "venv")
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert f"apt install python{version}-venv" in capsys.readouterr().out


def test_venv_made_by_an_old_python_is_rebuilt(course, tmp_path, monkeypatch, capsys):
    old = tmp_path / "venv"
    python = course.venv_python(old)
    python.parent.mkdir(parents=True)
    python.symlink_to(sys.executable)  # a Python that runs and has pip
    (old / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.10.12\n")
    rebuilt = []

    def create(folder, **kwargs):
        rebuilt.append(kwargs)
        (folder / "pyvenv.cfg").write_text(f"version = {sys.version.split()[0]}\n")

    monkeypatch.setattr(course.venv, "create", create)
    assert course.create_venv(old) == python
    assert rebuilt and rebuilt[0]["clear"] is True
    assert "made by Python 3.10.12" in capsys.readouterr().out
    rebuilt.clear()
    course.create_venv(old)
    assert rebuilt == []  # now it is kept


def test_learners_get_the_notebooks_extra_and_test_adds_dev(course, tmp_path, monkeypatch):
    monkeypatch.setattr(course, "VENV", tmp_path)
    monkeypatch.setattr(course, "create_venv", lambda folder: Path("python"))
    done: list[str] = []
    monkeypatch.setattr(course, "install_torch", lambda python: done.append("torch"))
    monkeypatch.setattr(course, "pip_install", lambda python, *args: done.append(str(args[-1])))

    def run(extras) -> list[str]:
        done.clear()
        course.setup(extras)
        return list(done)

    assert run(course.LEARNER) == ["torch", ".[notebooks]"]
    assert run(course.LEARNER) == []  # up to date
    assert run(course.DEVELOPER) == [".[dev,notebooks]"]  # torch stays
    assert run(course.LEARNER) == []  # what is installed covers it
    monkeypatch.setattr(course, "setup_hash", lambda *paths: "another pin set")
    assert run(course.LEARNER) == ["torch", ".[notebooks]"]


# ---- commands and messages -------------------------------------------------------------------


def run_course(*args: str, cwd: Path = ROOT, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(cwd / "course.py"), *args],
        capture_output=True, text=True, cwd=cwd, timeout=120, **kwargs,
    )  # fmt: skip


def test_unknown_command_is_named(course):
    done = run_course("labb")
    assert done.returncode == 2
    assert "unknown command `labb` (did you mean `lab`?)" in done.stderr
    assert "python3 course.py doctor" in done.stderr  # then the usage


@pytest.mark.parametrize(("args", "code"), [([], 2), (["--help"], 0), (["doctor", "x"], 2)])
def test_usage(course, args, code):
    assert course.main(args) == code


def test_old_python_is_told_how_to_get_a_newer_one(course, monkeypatch, capsys):
    monkeypatch.setattr(course.sys, "version_info", (3, 9, 18, "final", 0))
    monkeypatch.setattr(course, "setup", lambda *a: pytest.fail("must not set anything up"))
    assert course.main(["lab"]) == 2
    out = capsys.readouterr().out
    for way in ("uv python install 3.11", 'uv python find 3.11)" course.py', "py -3.11",
                "conda create", "python3.11-venv"):  # fmt: skip
        assert way in out


def test_course_py_parses_on_old_pythons():
    """The file must parse on an old Python (3.7 and newer), to tell it what to do."""
    ast.parse(COURSE.read_text(encoding="utf-8"), feature_version=(3, 7))


# ---- stopping --------------------------------------------------------------------------------

SLEEPER = "import os, time; print(os.getpid(), flush=True); time.sleep(60)"


def gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def default_signals() -> None:
    """As in a terminal: a harness started under nohup would pass SIGHUP on as ignored."""
    for signum in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


def launcher(code: str) -> subprocess.Popen:
    script = f"import sys; sys.path.insert(0, {str(ROOT)!r}); import course; {code}"
    return subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
        preexec_fn=default_signals,
    )  # fmt: skip


@POSIX
def test_sigterm_to_the_launcher_stops_the_server(course):
    """`lab` hands its process to JupyterLab (exec): a SIGTERM reaches the server itself."""
    parent = launcher(f"course.serve([sys.executable, '-c', {SLEEPER!r}])")
    assert parent.stdout is not None
    server = int(parent.stdout.readline())
    parent.send_signal(signal.SIGTERM)
    parent.wait(timeout=10)
    assert gone(server), "the server outlived the launcher"


@POSIX
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_signals_to_the_launcher_reach_its_child(course, signum):
    """`test` waits on pytest: a SIGTERM, or a closed terminal (SIGHUP), stops pytest too."""
    parent = launcher(f"sys.exit(course.call(sys.executable, '-c', {SLEEPER!r}))")
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert child != parent.pid
    parent.send_signal(signum)
    parent.wait(timeout=10)
    assert gone(child), "the child outlived the launcher"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@POSIX
def test_a_stopped_launcher_takes_no_next_step(course):
    """`test` runs pytest, then the ipywidgets 7 step: a SIGTERM during pytest ends both."""
    parent = launcher(
        f"course.call(sys.executable, '-c', {SLEEPER!r}); print('NEXT STEP', flush=True)"
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.send_signal(signal.SIGTERM)
    assert parent.wait(timeout=10) == -signal.SIGTERM
    assert "NEXT STEP" not in parent.stdout.read()
    assert gone(child)


@POSIX
def test_sigterm_stops_jupyterlab_started_by_course_lab(course):
    """The real thing: `course.py lab`, then a SIGTERM, leaves no JupyterLab listening."""
    built, extras = course.read_stamp(course.VENV / "course-setup.stamp")
    fresh = built == course.setup_hash(course.CONSTRAINTS, course.PYPROJECT)
    if not fresh or "notebooks" not in extras:
        pytest.skip(".venv/ is not set up (run `python3 course.py setup`)")
    port = free_port()
    args = ["lab", "--no-browser", f"--port={port}", "--ServerApp.token=t"]
    args.append("--ServerApp.port_retries=0")
    lab = subprocess.Popen(
        [sys.executable, str(COURSE), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert lab.poll() is None, lab.stdout.read() if lab.stdout else ""
            time.sleep(0.2)
        else:
            pytest.fail("JupyterLab did not start within 90 s")
        lab.send_signal(signal.SIGTERM)
        lab.wait(timeout=30)
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, "JupyterLab still serves"
    finally:
        if lab.poll() is None:
            lab.kill()
            lab.wait()


# ---- the browser tests install nothing unless asked ------------------------------------------


@pytest.fixture
def no_chromium(course, monkeypatch, tmp_path):
    monkeypatch.delenv("SEQLIB_BROWSER_TESTS", raising=False)
    monkeypatch.setattr(course, "chromium_path", lambda: None)
    monkeypatch.setattr(course, "EMOJI_FONT", tmp_path / "no-font.ttf")
    calls: list[tuple[str, ...]] = []

    def call(*command):
        calls.append(command)
        return 100  # what apt-get says on Ubuntu, which has no chromium deb

    monkeypatch.setattr(course, "call", call)
    return calls


def test_test_installs_nothing_unless_asked(course, no_chromium, capsys):
    course.ensure_chromium(install=False)
    assert no_chromium == []
    out = capsys.readouterr().out
    assert "browser tests will be skipped" in out and "apt-get install chromium" in out


def test_install_browser_that_fails_does_not_stop_the_run(course, no_chromium, monkeypatch, capsys):
    monkeypatch.setattr(course.os, "geteuid", lambda: 0, raising=False)
    monkeypatch.setattr(course.shutil, "which", lambda name: f"/usr/bin/{name}")
    course.ensure_chromium(install=True)  # returns: no SystemExit
    assert no_chromium[0][:2] == ("apt-get", "update")
    assert "snap install chromium" in capsys.readouterr().out


def test_install_browser_flag_is_not_passed_to_pytest(course, monkeypatch):
    seen: dict[str, object] = {}
    monkeypatch.setattr(course, "setup", lambda extras: seen.setdefault("extras", extras))
    monkeypatch.setattr(course, "ensure_chromium", lambda flag: seen.setdefault("install", flag))
    monkeypatch.setattr(course, "call", lambda *command: seen.setdefault(command[2], command) and 0)
    monkeypatch.setenv("SEQLIB_PROFILE", "quick")
    assert course.test(["--install-browser", "tests/test_lstm.py"]) == 0
    assert seen["install"] is True and seen["extras"] == course.DEVELOPER
    assert seen["pytest"][3:] == ("tests/test_lstm.py",)


def test_ci_asks_for_the_browser():
    assert "python3 course.py test --install-browser" in (ROOT / ".ci" / "run").read_text()


# ---- doctor ----------------------------------------------------------------------------------


def course_copy(tmp_path: Path) -> Path:
    """course.py with the files it reads, in a folder with no .venv/ (a fresh clone)."""
    for name in ("course.py", "pyproject.toml", "requirements/constraints.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_doctor_before_setup(tmp_path):
    env = {**offline_env(closed_port()), "SEQLIB_PROFILE": ""}
    done = run_course("doctor", cwd=course_copy(tmp_path), env=env)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for row in ("python", "os", "architecture", "gpu", "torch build", "default profile"):
        assert f"\n  {row} " in out, row
    assert "not set up yet" in out
    plan = load_course().this_machines_plan()  # this machine's, whatever it is
    assert f"torch build      {plan.build} ({plan.requirement}" in out
    assert "default profile  quick" in out
    assert "package index    http://127.0.0.1:" in out and "no answer" in out


def test_doctor_after_setup(course):
    if not course.has_pip(course.venv_python()):
        pytest.skip(".venv/ is not set up")
    done = run_course("doctor")
    assert done.returncode == 0
    assert "torch installed  2.13.0" in done.stdout


@pytest.mark.parametrize("chosen", ["", "full"])
def test_doctor_profile_is_seqlib_s(course, monkeypatch, chosen):
    import seqlib.config

    monkeypatch.setenv("SEQLIB_PROFILE", chosen)
    assert course.default_profile().split()[0] == seqlib.config.load().name


# ---- reset -----------------------------------------------------------------------------------


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=folder, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A git checkout holding course.py and a notebook, then a learner's session in it."""
    repo = course_copy(tmp_path / "course")
    (repo / "notebooks").mkdir()
    (repo / "notebooks" / "01.ipynb").write_text("committed\n")
    (repo / "notebooks" / "02.ipynb").write_text("committed too\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "course")
    (repo / "notebooks" / "01.ipynb").write_text("a learner's outputs\n")
    (repo / "notebooks" / "02.ipynb").unlink()
    (repo / "notebooks" / "mine.ipynb").write_text("the learner's own notebook\n")
    (repo / "notebooks" / "results").mkdir()
    (repo / "notebooks" / "results" / "01.json").write_text("{}")
    return repo


def test_reset_handles_staged_renames_new_files_and_spaces(checkout):
    notebooks = checkout / "notebooks"
    git(checkout, "mv", "notebooks/01.ipynb", "notebooks/my copy.ipynb")  # staged rename
    (notebooks / "new one.ipynb").write_text("the learner's\n")
    git(checkout, "add", "notebooks/new one.ipynb")  # a staged new file
    (checkout / "instructor" / "results").mkdir(parents=True)  # the instructor edition's
    done = run_course("reset", "--yes", cwd=checkout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (notebooks / "01.ipynb").read_text() == "committed\n"
    assert (notebooks / "my copy.ipynb").exists() and (notebooks / "new one.ipynb").exists()
    assert not (checkout / "instructor" / "results").exists()


def test_reset_without_a_terminal_needs_yes(checkout):
    done = run_course("reset", cwd=checkout, stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and "--yes" in done.stdout
    assert (checkout / "notebooks" / "01.ipynb").read_text() == "a learner's outputs\n"
    assert (checkout / "notebooks" / "results").exists()


def test_reset_yes_restores_clears_and_keeps_a_copy(checkout):
    done = run_course("reset", "--yes", cwd=checkout, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (checkout / "notebooks" / "01.ipynb").read_text() == "committed\n"
    assert (checkout / "notebooks" / "02.ipynb").read_text() == "committed too\n"
    assert not (checkout / "notebooks" / "results").exists()
    assert (checkout / "notebooks" / "mine.ipynb").exists()  # not the course's: kept
    assert git(checkout, "status", "--porcelain", "--untracked-files=no") == ""
    (backup,) = (checkout / ".course-backups").iterdir()
    assert (backup / "notebooks" / "01.ipynb").read_text() == "a learner's outputs\n"
    assert (backup / "notebooks" / "results" / "01.json").exists()
    again = run_course("reset", "--yes", cwd=checkout)
    assert again.returncode == 0 and "nothing to reset" in again.stdout


@pytest.mark.parametrize(("answer", "restored"), [("n", False), ("", False), ("y", True)])
def test_reset_asks_at_a_terminal(checkout, monkeypatch, answer, restored):
    course = load_course(checkout / "course.py")
    monkeypatch.setattr(course.sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: answer)
    assert course.reset([]) == (0 if restored else 1)
    text = (checkout / "notebooks" / "01.ipynb").read_text()
    assert text == ("committed\n" if restored else "a learner's outputs\n")
    assert (checkout / ".course-backups").exists() == restored


def test_reset_outside_git_says_so(tmp_path):
    done = run_course("reset", "--yes", cwd=course_copy(tmp_path))
    assert done.returncode == 1 and "git checkout" in done.stdout


# ---- slides ----------------------------------------------------------------------------------


def test_slides_builds_the_instructor_edition(course, monkeypatch, tmp_path):
    """`slides --no-lab` runs tools/slides.py into instructor/ (here a temporary one)."""
    monkeypatch.setattr(course, "setup", lambda extras: Path(sys.executable))
    monkeypatch.setattr(course, "INSTRUCTOR", tmp_path / "instructor")
    monkeypatch.setattr(course, "serve", lambda command: pytest.fail("--no-lab opens nothing"))
    assert course.slides(["--no-lab"]) == 0
    built = sorted(path.name for path in (tmp_path / "instructor").glob("*.ipynb"))
    assert built == sorted(path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    text = (tmp_path / "instructor" / built[0]).read_text(encoding="utf-8")
    assert '"speaker-notes"' in text and '"slide_type"' in text
