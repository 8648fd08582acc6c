"""Every round in a real browser: JupyterLab on loopback, headless Chromium, Playwright.

For each notebook (a copy, so the committed one is never rewritten): open it in JupyterLab, run
all cells, save, and check that no cell raised; then change one control of the round's
explorer (a dropdown, else a slider) and check that what it shows changes. A screenshot per
round goes to ``tests/browser/screenshots/`` for review.

Needs Chromium (Debian's ``chromium``; ``course.py test`` installs it where it can) and the
``playwright`` Python package, and runs only with ``SEQLIB_BROWSER_TESTS=1`` (see below).
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


SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed ({CHROMIUM})"
    return None


# Opt-in for now: finding the explorer after "run all" is not yet reliable for every round
# (rounds 2-5 time out in some runs), so these tests run only with SEQLIB_BROWSER_TESTS=1.
ENABLED = os.environ.get("SEQLIB_BROWSER_TESTS") == "1"
missing = _missing_browser() if ENABLED else "opt-in: set SEQLIB_BROWSER_TESTS=1"
if ENABLED and missing:
    raise RuntimeError(f"SEQLIB_BROWSER_TESTS=1 but the browser tests cannot run: {missing}")
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
    # Render every cell (JupyterLab 4 only renders what is on screen by default), and no news
    # pop-up over the screenshots.
    settings = tmp_path_factory.mktemp("lab-settings")
    for name, values in SETTINGS.items():
        path = settings / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    port = _free_port()
    env = os.environ | {
        "SEQLIB_PROFILE": os.environ.get("SEQLIB_PROFILE", "quick"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
    }
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
    await app.commands.execute('notebook:clear-all-cell-outputs');  // execution counts too
    const ok = await app.commands.execute('notebook:run-all-cells');
    // wait until every code cell has run and the kernel is idle again
    const done = () => panel.content.widgets.every(
        (cell) => cell.model.type !== 'code' || cell.model.executionCount !== null
    ) && panel.sessionContext.session.kernel.status === 'idle';
    const start = Date.now();
    while (!done()) {
        if (Date.now() - start > 900000) throw new Error('the notebook did not finish in 15 min');
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await app.commands.execute('docmanager:save');
    return ok;
}"""

SHOW_LAST_WIDGET_CELL = """async () => {
    const notebook = window.jupyterapp.shell.currentWidget.content;
    const isExplorer = (cell) => cell.model.type === 'code' && JSON.stringify(
        cell.model.toJSON().outputs).includes('application/vnd.jupyter.widget-view+json');
    const index = notebook.widgets.map(isExplorer).lastIndexOf(true);
    if (index < 0) return -1;
    notebook.activeCellIndex = index;
    await notebook.scrollToItem(index, 'center');
    return index;
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

        # The round's explorer: the last cell with a widget in its outputs. Make it the active
        # cell and scroll to it (JupyterLab may leave cells off screen unrendered), then change
        # one control: a dropdown if it has one (another option), else a slider (one step right).
        assert page.evaluate(SHOW_LAST_WIDGET_CELL) >= 0, f"{notebook.name} shows no explorer"
        explorer = page.locator(".jp-Cell.jp-mod-active .jp-OutputArea-output:has(.widget-vbox)")
        explorer.first.wait_for(timeout=30_000)
        explorer = explorer.first
        explorer.scroll_into_view_if_needed()
        before = explorer.evaluate(EXPLORER_STATE)
        dropdowns = explorer.locator("select")
        if dropdowns.count():
            options = dropdowns.first.locator("option").all_inner_texts()
            current = dropdowns.first.evaluate("(s) => s.options[s.selectedIndex].text")
            dropdowns.first.select_option(label=next(o for o in options if o != current))
        else:
            handle = explorer.locator(".noUi-handle, .ui-slider-handle").first
            handle.focus()
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            f"([root, before]) => ({EXPLORER_STATE})(root) !== before",
            arg=[explorer.element_handle(), before],
            timeout=120_000,
        )
        SCREENSHOTS.mkdir(exist_ok=True)
        explorer.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}.png"))
    finally:
        page.close()
