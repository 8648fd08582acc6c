"""The instructor guide quotes only what the committed run measured (tools/guide_figures.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("guide_figures", ROOT / "tools" / "guide_figures.py")
guide_figures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(guide_figures)


def test_every_round_has_a_block_and_the_blocks_are_up_to_date():
    text = guide_figures.GUIDE.read_text(encoding="utf-8")
    names = [m.group(2) for m in guide_figures.BLOCK.finditer(text)]
    assert names == [
        "01_memory_power",
        "02_computation_speed",
        "03_interpretability",
        "04_business_context",
        "05_future_proofing",
    ]
    assert guide_figures.rewrite(text) == text, "run python tools/guide_figures.py"


def test_a_changed_figure_is_caught():
    text = guide_figures.GUIDE.read_text(encoding="utf-8")
    stale = text.replace("<!-- /figures -->", "- ✅ confirmed, made up\n<!-- /figures -->", 1)
    assert guide_figures.rewrite(stale) == text
