"""seqlib: the helper package of The Neural Cage Fight.

A from-scratch LSTM and attention that match PyTorch, seeded synthetic tasks, a small training
loop, honest timing, and the plots and explorers the five rounds share. One module per idea:

=========== ===============================================================================
*The fighters*
lstm        ``RNN``, ``LSTMCell``, ``LSTM`` (gates written as the equations)
attention   ``scaled_dot_product_attention``, ``MultiHeadAttention``,
            ``TransformerEncoderLayer``, masks, positional encodings
minrnn      minGRU and minLSTM (Feng et al., 2024): recurrences trained with a parallel scan
models      sequence models over a backbone; parameter counts and the one matched pair
*The data*
tasks       synthetic, seeded data sets for the rounds (and ``IGNORE_INDEX``)
language    round 3's tiny language: sentences, pronouns, their antecedents
series      a real time series shipped with seqlib (sunspots), baselines and splits
*Running them*
train       a small seeded training loop with a history, and where to train
timing      device choice, synchronised timing, peak memory, sweeps
speed       round 2: the matched pair timed side by side, and its verdict notes
streaming   one token at a time: an LSTM's state against a KV cache
cost        FLOPs per token, throughput and the cost of a million tokens
bench       ``python -m seqlib.bench``: seqlib against torch's own kernels
*Looking inside*
gradients   how far back a gradient reaches, by distance
interpret   attention maps, rollout, saliency, probes, erasure and override tests
explain     one typed sentence: both fighters' answers and what each looked at
*Judging*
rules       how a claim is judged: rules, controls, verdicts and kinds
claims      the fight card's claims: quote, criterion, rule, controls and grid of each
measurement one value per seed or timing repeat, and its range: what verdicts decide on
verdict     the claim / measured / verdict table every round ends with
scorecard   all rounds' verdicts, and the fight card's two tables rebuilt from them
experiment  the rounds' open experiments: a prediction against the measurement
memory      round 1's verdict notes
hire        round 4: which fighter to hire, from your measurements, with its reason
edge        round 5: from measured streams to a device's memory and latency budget
*The course*
config      the quick / full profile
viz         shared plots (imports matplotlib on first use)
widgets     the five rounds' ipywidgets explorers (imports ipywidgets on first use)
exercises   the exercise checkers, one module per round
=========== ===============================================================================
"""

from __future__ import annotations

import importlib
from typing import Any

from seqlib import config
from seqlib.attention import (
    LearnedPositionalEncoding,
    MultiHeadAttention,
    SinusoidalPositionalEncoding,
    TransformerEncoderLayer,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)
from seqlib.lstm import LSTM, RNN, LSTMCell
from seqlib.measurement import Measurement
from seqlib.models import SequenceModel, build_model, count_parameters, matched_pair
from seqlib.timing import benchmark, peak_memory, pick_device, sweep
from seqlib.train import History, evaluate, train, training_device, training_device_summary
from seqlib.verdict import VerdictTable

__version__ = "0.1.0"

# Modules with heavy optional imports (matplotlib, ipywidgets) load on first use.
_LAZY = (
    "viz",
    "widgets",
    "tasks",
    "exercises",
    "bench",
    "gradients",
    "streaming",
    "cost",
    "minrnn",
    "language",
    "interpret",
    "hire",
    "edge",
    "scorecard",
    "series",
    "speed",
    "memory",
    "experiment",
)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(f"seqlib.{name}")
    raise AttributeError(f"module 'seqlib' has no attribute {name!r}")


__all__ = [
    "LSTM",
    "RNN",
    "History",
    "LSTMCell",
    "Measurement",
    "LearnedPositionalEncoding",
    "MultiHeadAttention",
    "SequenceModel",
    "SinusoidalPositionalEncoding",
    "TransformerEncoderLayer",
    "VerdictTable",
    "benchmark",
    "build_model",
    "causal_mask",
    "config",
    "count_parameters",
    "evaluate",
    "matched_pair",
    "padding_mask",
    "peak_memory",
    "pick_device",
    "scaled_dot_product_attention",
    "sweep",
    "train",
    "training_device",
    "training_device_summary",
]
