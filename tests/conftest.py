"""Fixtures shared by several test files."""

from __future__ import annotations

import pytest
import torch

import seqlib
from seqlib import language as L


@pytest.fixture(scope="module")
def language_fighters() -> tuple[torch.nn.Module, torch.nn.Module]:
    """Round 3's fighters, untrained and small: a causal Transformer (d=16, 2 heads) and an
    LSTM (d=12), 2 layers each, over the synthetic language's vocabulary, in eval mode.
    Built once per test module, so no module sees another's changes to them."""
    torch.set_num_threads(1)
    args = dict(
        vocab_size=len(L.VOCAB),
        num_classes=len(L.PERSONS),
        num_layers=2,
        output="per_step",
        causal=True,
        impl="seqlib",
    )
    transformer = seqlib.build_model("transformer", d_model=16, nhead=2, seed=0, **args).eval()
    lstm = seqlib.build_model("lstm", d_model=12, seed=0, **args).eval()
    return transformer, lstm
