"""Every round in a real browser: JupyterLab on loopback, headless Chromium, Playwright.

For each notebook (a copy, so the committed one is never rewritten): open it in JupyterLab, run
all cells, save, and check that no cell raised; then move the first slider of the round's
explorer and check that what it shows changes. A screenshot per round goes to
``tests/browser/screenshots/`` for review.

Needs Chromium (Debian's ``chromium``; ``course.py test`` installs it where it can) and the
``playwright`` Python package. Without Chromium these tests are skipped, except under CI
(``CI=true``), where a missing browser is a failure.
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
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
TOKEN = "cage-fight-browser-test"
CHROMIUM_ARGS = [  # a closed network: no background connections, no GPU, fresh profile
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed ({CHROMIUM})"
    return None


missing = _missing_browser()
if missing and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run under CI: {missing}")
pytestmark = pytest.mark.skipif(missing is not None, reason=missing or "")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """JupyterLab on loopback, serving copies of the notebooks; yields (base URL, folder)."""
    folder = tmp_path_factory.mktemp("notebooks")
    for notebook in NOTEBOOKS:
        shutil.copy(notebook, folder / notebook.name)
    port = _free_port()
    env = os.environ | {"SEQLIB_PROFILE": os.environ.get("SEQLIB_PROFILE", "quick")}
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
        f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={folder}",
        "--ServerApp.allow_root=True", "--LabApp.expose_app_in_browser=True",
        "--ServerApp.disable_check_xsrf=True",
    ]  # fmt: skip
    log = (folder / "jupyterlab.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"JupyterLab did not start; see {log.name}") from None
                time.sleep(0.5)
        yield url, folder
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


RUN_ALL_AND_SAVE = """async () => {
    const app = window.jupyterapp;
    const panel = app.shell.currentWidget;
    await panel.context.ready;
    await panel.sessionContext.ready;
    const ok = await app.commands.execute('notebook:run-all-cells');
    await app.commands.execute('docmanager:save');
    return ok;
}"""

EXPLORER_STATE = (
    """(root) => root.innerText + [...root.querySelectorAll('img')].map(i => i.src).join()"""
)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_round_runs_and_its_explorer_responds(lab, browser, notebook: Path) -> None:
    url, folder = lab
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    try:
        page.goto(f"{url}/lab/tree/{notebook.name}?token={TOKEN}")
        page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget "
                               "&& window.jupyterapp.shell.currentWidget.sessionContext",
                               timeout=60_000)  # fmt: skip
        page.evaluate(RUN_ALL_AND_SAVE)

        saved = json.loads((folder / notebook.name).read_text(encoding="utf-8"))
        errors = [
            f"cell {i}: {output.get('ename')}: {output.get('evalue')}"
            for i, cell in enumerate(saved["cells"])
            for output in cell.get("outputs", [])
            if output.get("output_type") == "error"
        ]
        assert not errors, f"{notebook.name} raised in the browser: {errors}"

        explorer = page.locator(".jp-OutputArea-output:has(.widget-slider)").first
        explorer.wait_for(timeout=30_000)
        explorer.scroll_into_view_if_needed()
        before = explorer.evaluate(EXPLORER_STATE)
        handle = explorer.locator(".widget-slider .noUi-handle, .widget-slider .ui-slider-handle")
        handle.first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            f"([root, before]) => ({EXPLORER_STATE})(root) !== before",
            arg=[explorer.element_handle(), before],
            timeout=60_000,
        )
        SCREENSHOTS.mkdir(exist_ok=True)
        explorer.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}.png"))
    finally:
        page.close()
