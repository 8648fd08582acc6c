"""Round 5 (future-proofing): the minGRU scan without a loop, the seasonal naive forecast."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from seqlib.exercises.harness import (
    Failed,
    as_tensor,
    call_learner,
    close,
    first_match,
    report,
    require_callable,
)
from seqlib.minrnn import scan_sequential

__all__ = [
    "check_linear_scan",
    "check_seasonal_naive",
]


# ---------------------------------------------------------------------------------------------
# Exercise: the linear recurrence of minGRU without a loop
# ---------------------------------------------------------------------------------------------

SCAN_CASES = ((2, 7, 3, 0), (1, 1, 4, 1), (3, 30, 2, 2))  # (batch, length, hidden, seed)


def _scan_inputs(batch: int, length: int, hidden: int, seed: int) -> tuple[Tensor, Tensor, Tensor]:
    """a in (0.5, 1) (a forget factor), b and h0 in (0, 1): a (B, T, H), b (B, T, H), h0 (B, H)."""
    g = torch.Generator().manual_seed(seed)
    a = 0.5 + 0.5 * torch.rand(batch, length, hidden, generator=g, dtype=torch.float64)
    b = torch.rand(batch, length, hidden, generator=g, dtype=torch.float64)
    h0 = torch.rand(batch, hidden, generator=g, dtype=torch.float64)
    return a, b, h0


def _scan_mistakes(a: Tensor, b: Tensor, h0: Tensor) -> list[tuple[str, Tensor]]:

    right = scan_sequential(a, b, h0)  # (B, T, H)
    previous = torch.cat([h0[:, None], right[:, :-1]], dim=1)  # h_{t-1}: one step late
    return [
        (
            "you returned h_{t-1} at step t (the states are one step late): the output at t "
            "includes b_t.",
            previous,
        ),
        (
            "h0 is missing: with A_t = a_1 ... a_t, h_t = A_t * (h0 + sum_{s<=t} b_s / A_s).",
            scan_sequential(a, b, torch.zeros_like(h0)),
        ),
        (
            "every b_t should be divided by A_t = a_1 ... a_t (the product up to and including "
            "t), then the cumulative sum multiplied by A_t.",
            torch.cumsum(b, dim=1) + h0[:, None],
        ),
    ]


def check_linear_scan(fn: Callable[..., Any]) -> bool:
    """Check ``fn(a, b, h0) -> h``: all states of ``h_t = a_t * h_{t-1} + b_t`` at once.

    ``a``, ``b`` (B, T, H), ``h0`` (B, H) -> ``h`` (B, T, H), ``h[:, t]`` the state after step t.
    Compared with :func:`seqlib.minrnn.scan_sequential` (the loop) on seeded inputs in float64.
    """
    require_callable(fn, "check_linear_scan")

    def run() -> str:
        for batch, length, hidden, seed in SCAN_CASES:
            a, b, h0 = _scan_inputs(batch, length, hidden, seed)
            result = as_tensor(call_learner(fn, a, b, h0), "your result", dtype=torch.float64)
            expected = scan_sequential(a, b, h0)
            if result.shape != expected.shape:
                raise Failed(
                    f"shape {tuple(result.shape)}, expected {tuple(expected.shape)} "
                    f"(B={batch}, T={length}, H={hidden}).\n   HINT: one state per step: "
                    "(B, T, H), h0 itself is not part of the output."
                )
            if not torch.allclose(result, expected, atol=1e-8, rtol=1e-6):
                hint = first_match(result, _scan_mistakes(a, b, h0))
                error = (result - expected).abs().max().item()
                raise Failed(
                    f"B={batch}, T={length}, H={hidden}: largest difference from the loop "
                    f"{error:.2e}.\n   HINT: "
                    + (
                        hint
                        or "A_t = torch.cumprod(a, dim=1); h = A_t * (h0[:, None] + "
                        "torch.cumsum(b / A_t, dim=1))."
                    )
                )
        return (
            f"equal to the step-by-step loop on {len(SCAN_CASES)} cases (float64): "
            "a cumulative product and a cumulative sum replace the loop."
        )

    return report("check_linear_scan", run)


# ---------------------------------------------------------------------------------------------
# Exercise: the seasonal naive forecast (the baseline every forecaster must beat)
# ---------------------------------------------------------------------------------------------

NAIVE_CASES = ((4, 24, 12, 0), (3, 30, 7, 1), (2, 5, 5, 2))  # (samples, window, period, seed)


def check_seasonal_naive(fn: Callable[..., Any]) -> bool:
    """Check ``fn(windows, period) -> forecast``: the next value is the value one period ago.

    ``windows`` (N, W, 1) as :func:`seqlib.tasks.seasonal_series` gives them, ``period`` <= W;
    the forecast is (N, 1), like the targets: ``windows[:, W - period, :]``.
    """
    require_callable(fn, "check_seasonal_naive")

    def run() -> str:
        for n, window, period, seed in NAIVE_CASES:
            g = torch.Generator().manual_seed(seed)
            windows = torch.randn(n, window, 1, generator=g)  # (N, W, 1)
            result = as_tensor(call_learner(fn, windows, period), "your forecast")
            expected = windows[:, window - period]  # (N, 1): same phase, one period back
            if result.shape != expected.shape:
                raise Failed(
                    f"shape {tuple(result.shape)}, expected {tuple(expected.shape)} for windows "
                    f"{tuple(windows.shape)}.\n   HINT: one value per series, shaped like the "
                    "targets (N, 1): index the time axis with a single position."
                )
            if not close(result, expected):
                hint = first_match(
                    result,
                    [
                        (
                            "that is the last value of the window (a 'naive' forecast, not a "
                            "seasonal one): go back one whole period.",
                            windows[:, -1],
                        ),
                        (
                            "one step too far back: the value to forecast is at position W, so one "
                            "period earlier is W - period (windows[:, -period]).",
                            windows[:, window - period - 1] if window > period else expected + 1,
                        ),
                        (
                            "that is the mean of the window; the seasonal naive forecast "
                            "copies one value.",
                            windows.mean(dim=1),
                        ),
                    ],
                )
                raise Failed(
                    f"window {window}, period {period}: wrong values.\n   HINT: "
                    + (hint or "the forecast for position W is windows[:, W - period].")
                )
        return f"right on {len(NAIVE_CASES)} cases: the forecast repeats the value one period ago."

    return report("check_seasonal_naive", run)
