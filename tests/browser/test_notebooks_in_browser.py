"""Every round in a real browser: JupyterLab on loopback, headless Chromium, Playwright.

For each notebook (a copy: see ``conftest.py``): open it in JupyterLab, run all cells, save, and
check that every cell ran, in order, and none raised; then change one control of the round's
explorer (a dropdown, else a slider) and check that what it shows changes. Then the learner's
view: the top of the round (title, the list of rounds in round 1, the contents) as a screenshot,
every contents link pointing at a heading JupyterLab rendered, and every figure with its
caption right under it. The screenshots go to ``tests/browser/screenshots/`` for review.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Lab  # tests/browser/conftest.py

# Each snippet finds its notebook by path: with several tabs open, "the current widget" is
# whichever JupyterLab restored last.
FIND_PANEL = """
    const app = window.jupyterapp;
    const panel = [...app.shell.widgets('main')].find((w) => w.context && w.context.path === path);
    if (!panel) throw new Error(`${path} is not open`);
    app.shell.activateById(panel.id);
"""

OPENED = """(path) => {
    const app = window.jupyterapp;
    return !!(app && [...app.shell.widgets('main')].find(
        (w) => w.context && w.context.path === path && w.sessionContext));
}"""

RUN_ALL_AND_SAVE = (
    """async (path) => {"""
    + FIND_PANEL
    + """
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
    await panel.context.save();
    return ok;
}"""
)

SHOW_LAST_WIDGET_CELL = (
    """async (path) => {"""
    + FIND_PANEL
    + """
    const notebook = panel.content;
    const isExplorer = (cell) => cell.model.type === 'code' && JSON.stringify(
        cell.model.toJSON().outputs).includes('application/vnd.jupyter.widget-view+json');
    const index = notebook.widgets.map(isExplorer).lastIndexOf(true);
    if (index < 0) return -1;
    notebook.activeCellIndex = index;
    await notebook.scrollToItem(index, 'center');
    notebook.widgets[index].node.setAttribute('data-explorer-of', path);  // for the locator
    return index;
}"""
)

# What the explorer shows, without its controls: a slider's own readout and a dropdown's label
# change in the browser alone, so only what the kernel sends back (text, tables, plots) counts.
SHOW_TOP = (
    """async (path) => {"""
    + FIND_PANEL
    + """
    const notebook = panel.content;
    notebook.activeCellIndex = 0;
    await notebook.scrollToItem(0, 'start');
    const node = notebook.node;
    const ids = [...node.querySelectorAll('h1, h2, h3')].map(
        (h) => h.id || h.getAttribute('data-jupyter-id') || '');
    const links = [...node.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute('href'));
    // each figure of the notebook's own outputs (not an explorer's) and the caption under it
    const captions = [...node.querySelectorAll('.jp-OutputArea-output.jp-RenderedImage')]
        .filter((image) => !image.closest('.jupyter-widgets, .widget-output'))
        .map((image) => {
            const next = image.closest('.jp-OutputArea-child').nextElementSibling;
            const caption = next && next.querySelector('.jp-RenderedMarkdown em');
            return caption ? caption.textContent.trim() : '';
        });
    return {ids, links, captions};
}"""
)

EXPLORER_STATE = """(root) => {
    const shown = root.cloneNode(true);
    shown.querySelectorAll('.widget-readout, .widget-label, select, input, label')
        .forEach((control) => control.remove());
    return shown.textContent + [...root.querySelectorAll('img')].map((i) => i.src).join();
}"""


def test_round_runs_and_its_explorer_responds(
    lab: Lab, page: object, notebook: Path, screenshots: Path
) -> None:
    page.goto(lab.address(f"/lab/tree/{notebook.name}?reset"))
    page.wait_for_function(OPENED, arg=notebook.name, timeout=60_000)
    assert page.evaluate(RUN_ALL_AND_SAVE, notebook.name) is True, "run-all did not start"

    saved = json.loads((lab.folder / notebook.name).read_text(encoding="utf-8"))
    code = [cell for cell in saved["cells"] if cell["cell_type"] == "code"]
    counts = [cell.get("execution_count") for cell in code]
    assert None not in counts, f"{notebook.name}: not every cell ran in the browser: {counts}"
    assert counts == sorted(counts), f"{notebook.name} did not run in order: {counts}"
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
    shown = page.evaluate(SHOW_LAST_WIDGET_CELL, notebook.name)
    assert shown >= 0, f"{notebook.name} shows no explorer"
    cell = f'.jp-Cell[data-explorer-of="{notebook.name}"]'
    explorer = page.locator(f"{cell} .jp-OutputArea-output:has(.widget-vbox)").first
    explorer.wait_for(timeout=30_000)
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
    explorer.screenshot(path=str(screenshots / f"{notebook.stem}.png"))

    # The learner's view: the top of the round, its contents, its figures.
    view = page.evaluate(SHOW_TOP, notebook.name)
    page.screenshot(path=str(screenshots / f"{notebook.stem}_learner.png"))
    contents = [link[1:] for link in view["links"] if not link.startswith("#scrollTo")]
    missing = [anchor for anchor in contents if anchor not in view["ids"]]
    assert contents and not missing, f"{notebook.name}: contents links to no heading: {missing}"
    # JupyterLab 4.6 does not render an image output's alt text (its metadata, which nbconvert's
    # classic HTML export uses): the caption under each figure is what a reader sees
    captions = view["captions"]
    assert len(captions) >= 2 and all(captions), f"{notebook.name}: figure captions {captions}"
