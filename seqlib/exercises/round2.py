"""Round 2 (computation speed): parameter counts, the critical path, a timing function."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import torch

from seqlib.exercises.harness import (
    Failed,
    as_number,
    call_learner,
    report,
    require_callable,
)

__all__ = [
    "check_parameter_counts",
    "check_sequential_steps",
    "check_timing_function",
]


# ---------------------------------------------------------------------------------------------
# Exercise: parameter counts by formula
# ---------------------------------------------------------------------------------------------

LSTM_COUNT_CASES = ((128, 64), (10, 20), (3, 7))
TRANSFORMER_COUNT_CASES = ((128, 2048), (64, 256), (16, 24))


def _lstm_count_hint(value: float, i: int, h: int) -> str:
    known = {
        4 * (i * h + h * h + h): "torch keeps TWO bias vectors per gate, bias_ih and bias_hh.",
        i * h + h * h + 2 * h: "there are four gates (i, f, g, o), each with its own weights.",
        4 * (i * h + 2 * h): "each gate also has a recurrent weight (H, H) applied to h_{t-1}.",
        4 * (i * h + h * h): "each gate has biases too (two of them in torch).",
        3 * (i * h + h * h + 2 * h): "three gates is a GRU; the LSTM has four (i, f, g, o).",
        4 * (i * i + i * h + 2 * h): "the recurrent weight is (H, H): h_{t-1} has H features.",
    }
    return known.get(value, "per gate: W (H, I) + U (H, H) + two biases (H,); four gates.")


def _transformer_count_hint(value: float, d: int, ff: int) -> str:
    attention = 4 * d * d + 4 * d  # Q, K, V and output projections, with biases
    feed_forward = 2 * d * ff + ff + d  # d -> ff -> d, with biases
    norms = 4 * d  # two LayerNorms, weight and bias each
    known = {
        attention + feed_forward: "4 x d_model short: count the two LayerNorms (a weight and a "
        "bias, (d,) each) and the biases of the four attention projections.",
        attention + norms: "the feed-forward block (d -> dim_feedforward -> d) is missing; "
        "it usually holds most of the parameters.",
        feed_forward + norms: "the attention block is missing: Q, K, V and output projections.",
        3 * d * d + 3 * d + feed_forward + norms: "attention has FOUR projections: Q, K, V and "
        "the output projection that mixes the heads.",
        attention + 2 * d * ff + norms: "the two feed-forward Linear layers have biases (ff,) "
        "and (d,).",
        attention + 8 * d * d + 5 * d + norms: "use dim_feedforward, not 4 x d_model: "
        "nn.TransformerEncoderLayer's default is 2048.",
    }
    return known.get(
        value,
        "attention: 4 projections (d, d) + biases; feed-forward: (ff, d) + (ff,) + (d, ff) + "
        "(d,); two LayerNorms: 2 x (d + d). The number of heads adds nothing.",
    )


def check_parameter_counts(lstm_params: Callable[..., Any], transformer_params: Callable) -> bool:
    """Check ``lstm_params(input_size, hidden_size)`` and ``transformer_params(d_model,
    dim_feedforward)`` against the parameters of ``nn.LSTM`` and ``nn.TransformerEncoderLayer``
    (counted by torch). The number of heads does not change a Transformer layer's count."""
    require_callable(lstm_params, "check_parameter_counts")
    require_callable(transformer_params, "check_parameter_counts")

    def run() -> str:
        for i, h in LSTM_COUNT_CASES:
            expected = sum(p.numel() for p in torch.nn.LSTM(i, h).parameters())
            value = as_number(call_learner(lstm_params, i, h), "lstm_params(...)")
            if value != expected:
                raise Failed(
                    f"lstm_params({i}, {h}) = {value:,.0f}, but nn.LSTM({i}, {h}) has "
                    f"{expected:,}.\n   HINT: {_lstm_count_hint(value, i, h)}"
                )
        for d, ff in TRANSFORMER_COUNT_CASES:
            layer = torch.nn.TransformerEncoderLayer(d, 8, dim_feedforward=ff)
            expected = sum(p.numel() for p in layer.parameters())
            value = as_number(call_learner(transformer_params, d, ff), "transformer_params(...)")
            if value != expected:
                raise Failed(
                    f"transformer_params({d}, {ff}) = {value:,.0f}, but "
                    f"nn.TransformerEncoderLayer({d}, nhead=8, dim_feedforward={ff}) has "
                    f"{expected:,}.\n   HINT: {_transformer_count_hint(value, d, ff)}"
                )
        demo_lstm = as_number(call_learner(lstm_params, 128, 64), "lstm_params(128, 64)")
        demo_tf = as_number(
            call_learner(transformer_params, 128, 2048), "transformer_params(128, 2048)"
        )
        return (
            f"both formulas match torch on {len(LSTM_COUNT_CASES)} + "
            f"{len(TRANSFORMER_COUNT_CASES)} cases. The fight card's demo: LSTM {demo_lstm:,.0f} "
            f"parameters, Transformer layer {demo_tf:,.0f} ({demo_tf / demo_lstm:.1f}x more)."
        )

    return report("check_parameter_counts", run)


# ---------------------------------------------------------------------------------------------
# Exercise: sequential steps on the critical path
# ---------------------------------------------------------------------------------------------

STEP_CASES = (
    ("lstm", 100, 3),
    ("transformer", 100, 3),
    ("lstm", 7, 1),
    ("transformer", 50, 6),
    ("lstm", 4096, 12),  # the last two: the example the message quotes
    ("transformer", 4096, 12),
)


def _steps_hint(backbone: str, value: float, length: int, layers: int) -> str:
    if backbone == "lstm":
        known = {
            length * layers: "that is how nn.LSTM schedules it (layer after layer), but layer 2 "
            "can compute step t as soon as layer 1 has finished step t: a wavefront. Count the "
            "longest chain of cells that each wait for the previous one.",
            length: "every extra layer adds one step to the chain: the last layer finishes "
            "step T one step after the layer below it.",
            layers: "inside one layer, h_t needs h_{t-1}: the T steps cannot run at once.",
            length + layers: "count cells, not arrows: a 1-layer LSTM over T steps has T.",
        }
        default = "in layer l, step t waits for step t-1 of layer l and step t of layer l-1."
    else:
        known = {
            length * layers: "attention computes all positions at once: T does not appear.",
            length: "attention computes all positions at once: T does not appear.",
            1: "each layer needs the whole output of the layer below: one step per layer.",
            length + layers - 1: "that is the LSTM's answer; attention has no step-to-step chain.",
        }
        default = "one step per layer, whatever the length."
    return known.get(value, default)


def check_sequential_steps(fn: Callable[..., Any]) -> bool:
    """Check ``fn(backbone, length, num_layers)``: the number of steps on the critical path of
    a forward pass (the longest chain of computations that each wait for the previous one).

    LSTM: cell ``(l, t)`` waits for ``(l, t-1)`` and ``(l-1, t)``, so the chain is
    ``length + num_layers - 1``. Transformer: one step per layer, ``num_layers``.
    """
    require_callable(fn, "check_sequential_steps")

    def run() -> str:
        for backbone, length, layers in STEP_CASES:
            expected = length + layers - 1 if backbone == "lstm" else layers
            value = as_number(call_learner(fn, backbone, length, layers), "your function's result")
            if value != expected:
                raise Failed(
                    f"{backbone!r}, length={length}, num_layers={layers}: you gave {value:g}, "
                    f"the critical path is {expected}.\n   HINT: "
                    f"{_steps_hint(backbone, value, length, layers)}"
                )
        return (
            f"right on {len(STEP_CASES)} cases. A 12-layer model over 4096 tokens: the LSTM's "
            f"chain is {4096 + 12 - 1:,} steps, the Transformer's 12."
        )

    return report("check_sequential_steps", run)


# ---------------------------------------------------------------------------------------------
# Exercise: a timing function (warm-up + median)
# ---------------------------------------------------------------------------------------------

TIMING_REPEATS = 9
_BASE, _OUTLIER, _COLD = 0.010, 0.100, 0.200  # seconds: a normal call, a hiccup, the first call


class _FakeWorkload:
    """A function to time whose true cost per call is known: the first call is slow (cold), and
    every third call after it hiccups (as when the OS runs something else)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:

        n = self.calls
        self.calls += 1
        time.sleep(_COLD if n == 0 else _OUTLIER if n % 3 == 0 else _BASE)


def check_timing_function(fn: Callable[..., Any]) -> bool:
    """Check ``fn(f, repeats) -> seconds per call`` of ``f()``: at least one warm-up call before
    the clock starts, then ``repeats`` timed calls summarised by their median (robust to the
    hiccups a busy machine adds; the minimum is accepted too).

    The checker times a fake workload with a known cost (10 ms per call; a 200 ms first call; a
    100 ms hiccup every third call) and diagnoses the usual mistakes from the answer.
    """
    require_callable(fn, "check_timing_function")

    def run() -> str:
        work = _FakeWorkload()
        value = as_number(call_learner(fn, work, TIMING_REPEATS), "your function's result")
        repeats = TIMING_REPEATS
        if work.calls < repeats:
            raise Failed(
                f"f was called {work.calls} times for repeats={repeats}.\n   HINT: time "
                "`repeats` calls (in a loop), after the warm-up."
            )
        if value > 1.0:
            raise Failed(
                f"you returned {value:g}; a call takes about {_BASE * 1e3:g} ms = {_BASE} s."
                "\n   HINT: return seconds (time.perf_counter() counts seconds), not ms."
            )
        if value > 2 * repeats * _BASE:
            raise Failed(
                f"you returned {value * 1e3:.0f} ms, the time of all {repeats} calls together."
                "\n   HINT: return the time of ONE call: the median of the per-call times."
            )
        if value > 2.5 * _BASE:
            raise Failed(
                f"you returned {value * 1e3:.1f} ms per call; a normal call takes about "
                f"{_BASE * 1e3:g} ms, but the first call and every third one are slow."
                "\n   HINT: a mean is pulled up by the slow calls: time each call separately "
                "and return the median (statistics.median)."
            )
        if value < 0.8 * _BASE:
            raise Failed(
                f"you returned {value * 1e3:.2f} ms per call, less than one call can take "
                f"({_BASE * 1e3:g} ms).\n   HINT: start the clock before the call and stop it "
                "after: `t = time.perf_counter(); f(); times.append(time.perf_counter() - t)`."
            )
        if work.calls == repeats:
            raise Failed(
                f"the number is right here, but f was called exactly {repeats} times: no "
                "warm-up.\n   HINT: call f() once (or a few times) BEFORE timing; the first "
                f"call pays for allocation and setup (here it is {_COLD / _BASE:.0f}x slower)."
            )
        return (
            f"{value * 1e3:.1f} ms per call (true cost {_BASE * 1e3:g} ms), after "
            f"{work.calls - repeats} warm-up call(s): the slow first call and the hiccups did "
            "not fool it."
        )

    return report("check_timing_function", run)
