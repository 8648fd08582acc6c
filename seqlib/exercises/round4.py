"""Round 4 (business context): the cost per million tokens, the crossover of two curves."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from seqlib.cost import cost_per_million_tokens
from seqlib.exercises.harness import (
    Failed,
    as_number,
    call_learner,
    report,
    require_callable,
)

__all__ = [
    "check_cost_per_million",
    "check_crossover",
]


# ---------------------------------------------------------------------------------------------
# Exercises: the cost calculator and the crossover of two learning curves
# ---------------------------------------------------------------------------------------------

COST_CASES = ((1000.0, 3.6), (250_000.0, 0.5), (12.5, 2.0))  # (tokens per second, price per hour)


def _cost_hint(value: float, rate: float, price: float) -> str:
    variants = (
        (
            price / rate * 1e6,
            "the price is per HOUR and the throughput per SECOND: a machine "
            "hour processes tokens_per_second * 3600 tokens",
        ),
        (price / (rate * 3600), "that is the price of ONE token; multiply by a million"),
        (price / (rate * 60) * 1e6, "an hour has 3600 seconds, not 60"),
        (
            rate * 3600 / price / 1e6,
            "upside down: divide the price by the tokens, not the other way",
        ),
        (
            price * rate * 3600 / 1e6,
            "multiply the price by the TIME a million tokens take, "
            "1e6 / tokens_per_second seconds, not by the throughput",
        ),
    )
    for expected, hint in variants:
        if math.isclose(value, expected, rel_tol=1e-6):
            return f"\n   HINT: {hint}."
    return (
        "\n   HINT: a million tokens take 1e6 / tokens_per_second seconds, that is "
        "1e6 / tokens_per_second / 3600 hours; multiply by the price per hour."
    )


def check_cost_per_million(fn: Callable[..., Any]) -> bool:
    """Check ``fn(tokens_per_second, price_per_hour) -> money per million tokens``.

    A million tokens take ``1e6 / tokens_per_second`` seconds, that is that over 3600 hours, at
    ``price_per_hour``: ``price_per_hour / (tokens_per_second * 3600) * 1e6``.
    """
    require_callable(fn, "check_cost_per_million")

    def run() -> str:
        for rate, price in COST_CASES:
            value = as_number(call_learner(fn, rate, price), "your result")
            expected = cost_per_million_tokens(rate, price)
            if not math.isclose(value, expected, rel_tol=1e-6):
                raise Failed(
                    f"for {rate:,g} tokens/s at {price:g} per hour you returned {value:.6g}, "
                    f"expected {expected:.6g}." + _cost_hint(value, rate, price)
                )
        rate, price = COST_CASES[1]
        return (
            f"right on {len(COST_CASES)} cases; e.g. {rate:,.0f} tokens/s on a machine at "
            f"{price:g} per hour: {cost_per_million_tokens(rate, price):.3g} per million tokens."
        )

    return report("check_cost_per_million", run)


CROSSOVER_CASES = (
    ((50, 200, 800, 3200), (0.40, 0.42, 0.43, 0.43), (0.30, 0.38, 0.44, 0.45), 800),
    ((50, 200, 800, 3200), (0.40, 0.42, 0.43, 0.43), (0.30, 0.38, 0.43, 0.40), 800),  # a tie
    ((10, 100, 1000), (0.9, 0.9, 0.9), (0.5, 0.6, 0.7), None),  # never
    ((10, 100, 1000), (0.5, 0.6, 0.6), (0.7, 0.5, 0.8), 10),  # at once
)


def _crossover_hint(value: object, sizes: tuple, lstm: tuple, transformer: tuple) -> str:
    ahead = [s for s, a, b in zip(sizes, lstm, transformer, strict=True) if b >= a]
    strict = [s for s, a, b in zip(sizes, lstm, transformer, strict=True) if b > a]
    indices = [i for i, (a, b) in enumerate(zip(lstm, transformer, strict=True)) if b >= a]
    if ahead and value == ahead[-1]:
        return "you returned the LAST size where the Transformer is ahead; return the first"
    if indices and value == indices[0]:
        return "you returned the index of the size; return the size itself (sizes[i])"
    if strict and value == strict[0]:
        return "at a tie the Transformer has caught up: use >=, not >"
    if not ahead and value is not None:
        return "the Transformer never catches up here: return None"
    return "walk through the sizes in order; return the first where transformer >= lstm"


def check_crossover(fn: Callable[..., Any]) -> bool:
    """Check ``fn(sizes, acc_lstm, acc_transformer) -> the first size where the Transformer's
    accuracy is at least the LSTM's``, or ``None`` if it never is."""
    require_callable(fn, "check_crossover")

    def run() -> str:
        for sizes, lstm, transformer, expected in CROSSOVER_CASES:
            answer = call_learner(
                fn, list(sizes), list(lstm), list(transformer), none_is_an_answer=True
            )
            value = None if answer is None else as_number(answer, "your result (a size or None)")
            if value != expected:
                raise Failed(
                    f"for sizes {list(sizes)}, LSTM {list(lstm)}, Transformer "
                    f"{list(transformer)} you returned {answer!r:.60}, expected {expected!r}.\n   "
                    f"HINT: {_crossover_hint(value, sizes, lstm, transformer)}."
                )
        return (
            f"right on {len(CROSSOVER_CASES)} cases, including a tie and a Transformer that "
            "never catches up."
        )

    return report("check_crossover", run)
