"""A real browser for the tests in this folder: JupyterLab on loopback and headless Chromium.

One JupyterLab server (serving copies of the notebooks, so the committed ones are never
rewritten) and one Chromium, driven by Playwright, for the whole session. The tests run by
default: ``SEQLIB_BROWSER_TESTS=0`` skips them; without Chromium or the ``playwright`` package
they are skipped with the reason, except where they must run (``SEQLIB_BROWSER_TESTS=1``, or
``CI`` set): there a missing browser is an error, not a silent skip.

Chromium is Debian's ``chromium`` (``course.py test --install-browser`` installs it with
apt-get; plain ``course.py test`` installs nothing), or the one ``CHROMIUM`` points to;
``playwright install`` is never used.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SCREENSHOTS = HERE / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
TOKEN = "cage-fight-browser-test"
INSTRUCTOR = "instructor"  # the served folder's subfolder holding the instructor edition
CHROMIUM_ARGS = [  # a closed network: no background connections, no GPU, fresh profile
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SETTINGS = {  # JupyterLab's user settings for the test server
    # render every cell (JupyterLab 4 only renders what is on screen by default)
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    # no news pop-up over the screenshots
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not Path(CHROMIUM).exists():
        return (
            f"Chromium is not installed ({CHROMIUM}); install it with `sudo apt-get install "
            "chromium` (Debian) or `sudo python3 course.py test --install-browser`, or set "
            "CHROMIUM=/path/to/chromium"
        )
    return None


CHOICE = os.environ.get("SEQLIB_BROWSER_TESTS", "")
REQUIRED = CHOICE == "1" or (CHOICE != "0" and bool(os.environ.get("CI")))
MISSING = "SEQLIB_BROWSER_TESTS=0" if CHOICE == "0" else _missing_browser()
if REQUIRED and MISSING:
    raise RuntimeError(f"the browser tests must run here but cannot: {MISSING}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if MISSING:
        skip = pytest.mark.skip(reason=f"browser tests: {MISSING}")
        for item in items:
            if HERE in item.path.parents:
                item.add_marker(skip)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that takes ``notebook`` runs once per round."""
    if "notebook" in metafunc.fixturenames:
        metafunc.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])


@dataclass
class Lab:
    """The running JupyterLab: its address and the folder it serves."""

    url: str
    folder: Path

    def address(self, path: str) -> str:
        """``path`` on this server (``/lab/tree/NAME``, ``/rise/NAME``...), with the token."""
        return f"{self.url}{path}{'&' if '?' in path else '?'}token={TOKEN}"

    def shut_down_kernels(self) -> None:
        """One kernel at a time, as on a Binder-sized machine."""
        headers = {"Authorization": f"token {TOKEN}"}
        listing = urllib.request.Request(f"{self.url}/api/kernels", headers=headers)
        with urllib.request.urlopen(listing, timeout=10) as response:
            kernels = json.load(response)
        for kernel in kernels:
            delete = urllib.request.Request(
                f"{self.url}/api/kernels/{kernel['id']}", method="DELETE", headers=headers
            )
            urllib.request.urlopen(delete, timeout=30).close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab on loopback, serving copies of the learner notebooks and, in ``instructor/``,
    their instructor edition, in the quick profile."""
    folder = tmp_path_factory.mktemp("notebooks")
    for notebook in NOTEBOOKS:
        shutil.copy(notebook, folder / notebook.name)
    # beside them, the instructor edition (slides and speaker notes), as `course.py slides` builds
    build = [sys.executable, str(ROOT / "tools" / "slides.py"), "--out", str(folder / INSTRUCTOR)]
    subprocess.run([*build, *map(str, NOTEBOOKS)], check=True, capture_output=True)
    settings = tmp_path_factory.mktemp("lab-settings")
    for name, values in SETTINGS.items():
        path = settings / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    # A workspace of its own: JupyterLab reopens the tabs of the last session it finds in
    # ~/.jupyter/lab/workspaces, and "the current notebook" would be any of them.
    workspaces = tmp_path_factory.mktemp("lab-workspaces")
    port = _free_port()
    env = os.environ | {
        "SEQLIB_PROFILE": os.environ.get("SEQLIB_PROFILE", "quick"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
    }
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
        f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={folder}",
        "--ServerApp.allow_root=True", "--LabApp.expose_app_in_browser=True",
        "--ServerApp.disable_check_xsrf=True", f"--LabApp.workspaces_dir={workspaces}",
    ]  # fmt: skip
    log_path = tmp_path_factory.mktemp("lab-log") / "jupyterlab.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        running = Lab(f"http://127.0.0.1:{port}", folder)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(running.address("/api/status"), timeout=2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError(f"JupyterLab did not start; see {log_path}") from None
                    time.sleep(0.5)
            yield running
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium (a Playwright ``Browser``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(lab: Lab, browser: object) -> Iterator[object]:
    """A fresh tab; afterwards it is closed and every kernel shut down."""
    tab = browser.new_page(viewport={"width": 1280, "height": 1600})
    try:
        yield tab
    finally:
        tab.close()
        lab.shut_down_kernels()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the screenshots for review go (``tests/browser/screenshots/``, not committed)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
