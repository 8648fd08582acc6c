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


def _claim_value(claim_id: str, outcome: str) -> float:
    """A value that ``claim_id``'s rule decides as ``outcome`` (for an OnlyRefutable rule, a
    "confirmed" request gets a value that is merely not refuted)."""
    from seqlib.claims import CLAIMS, CONFIRMED, NUANCED, REFUTED, AtLeast, AtMost, Check

    rule = CLAIMS[claim_id].rule
    if isinstance(rule, AtLeast):
        return {CONFIRMED: rule.confirm + 1, REFUTED: rule.refute - 1,
                NUANCED: (rule.confirm + rule.refute) / 2}[outcome]  # fmt: skip
    if isinstance(rule, AtMost):
        return {CONFIRMED: rule.confirm - 1, REFUTED: rule.refute + 1,
                NUANCED: (rule.confirm + rule.refute) / 2}[outcome]  # fmt: skip
    if isinstance(rule, Check):
        bound = rule.at_most if rule.at_least is None else rule.at_least
        sign = -1 if rule.at_least is None else 1
        return bound + (sign if outcome != REFUTED else -sign)
    return rule.refute_at + (1 if outcome == REFUTED else -1)  # OnlyRefutable


def claim_measurement(claim_id: str, outcome: str):
    """A Measurement with the seeds or repeats ``claim_id``'s kind needs, decided as ``outcome``."""
    from seqlib.claims import CLAIMS
    from seqlib.measurement import MIN_REPEATS, MIN_SEEDS, Measurement

    value, kind = _claim_value(claim_id, outcome), CLAIMS[claim_id].kind
    if kind == "trained":
        return Measurement([value] * MIN_SEEDS, seeds=MIN_SEEDS)
    if kind == "timed":
        return Measurement([value] * MIN_REPEATS, repeats=MIN_REPEATS)
    return Measurement(value)


def claim_controls(claim_id: str, negative: str = "refuted", positive: str = "confirmed"):
    """Measurements for every registered control of ``claim_id``: by default ones that let any
    verdict stand (negative controls refuted, positive controls confirmed)."""
    from seqlib.claims import CLAIMS, NEGATIVE

    return {
        c.name: claim_measurement(claim_id, negative if c.role == NEGATIVE else positive)
        for c in CLAIMS[claim_id].controls
    }


@pytest.fixture
def measure():
    """``measure(claim_id, outcome)``: see :func:`claim_measurement`."""
    return claim_measurement


@pytest.fixture
def controls():
    """``controls(claim_id, negative=..., positive=...)``: see :func:`claim_controls`."""
    return claim_controls
