"""What a fighter costs: FLOPs per token, counted by torch, and money per million tokens.

FLOPs are counted by ``torch.utils.flop_counter.FlopCounterMode``, which records every matrix
multiplication the forward pass really runs (elementwise operations are not counted: they are
cheap next to the matrix products). It sees only operations that go through torch's operator
dispatch: ``torch.nn.LSTM``'s fused CPU kernel is one opaque call that it does not count, so
count the from-scratch ``seqlib.LSTM`` (``impl="seqlib"``), whose matrix products it sees.
Money is arithmetic on a *measured* throughput and a price
per hour that you type in: the course never assumes a price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.utils.flop_counter import FlopCounterMode

from seqlib._validate import check_finite, check_tensor

__all__ = [
    "CostRow",
    "cost_per_million_tokens",
    "cost_table",
    "flops_per_token",
    "format_cost_table",
    "forward_flops",
    "tokens_per_second",
]


def forward_flops(model: nn.Module, inputs: Tensor) -> int:
    """Floating-point operations of one forward pass of ``model`` on ``inputs``, as counted
    by torch (a multiply-add is 2 FLOPs)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_tensor(inputs, "inputs", ndim=(2, 3), floating=False)
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(inputs)
    return counter.get_total_flops()


def flops_per_token(model: nn.Module, inputs: Tensor) -> float:
    """:func:`forward_flops` divided by the number of tokens in ``inputs`` (B * T)."""
    check_tensor(inputs, "inputs", ndim=(2, 3), floating=False)
    batch, length = inputs.shape[:2]
    if batch * length == 0:
        raise ValueError(
            f"inputs hold no tokens (shape {tuple(inputs.shape)}): nothing to divide by"
        )
    return forward_flops(model, inputs) / (batch * length)


def _check_positive(value: object, name: str) -> float:
    """A finite number > 0 (Python's or numpy's), as a ``float``."""
    value = check_finite(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return value


def cost_per_million_tokens(tokens_per_second: float, price_per_hour: float) -> float:
    """Money per million tokens at a measured throughput and a price per hour of the machine.

    ``price_per_hour / (tokens_per_second * 3600) * 1e6``, in the currency of the price.
    """
    tokens_per_second = _check_positive(tokens_per_second, "tokens_per_second")
    price_per_hour = _check_positive(price_per_hour, "price_per_hour")
    return price_per_hour / (tokens_per_second * 3600) * 1e6


# ---------------------------------------------------------------------------------------------
# The cost calculator (round 4): measured throughput x your price -> money per million tokens
# ---------------------------------------------------------------------------------------------


def tokens_per_second(seconds_per_call: float, tokens_per_call: int) -> float:
    """Throughput of a measured call: ``tokens_per_call / seconds_per_call``.

    ``seconds_per_call`` is a measured time (e.g. ``benchmark(...).median``) of one call that
    processes ``tokens_per_call`` tokens (batch x length for a forward pass or a training step).
    """
    seconds_per_call = _check_positive(seconds_per_call, "seconds_per_call")
    tokens_per_call = _check_positive(tokens_per_call, "tokens_per_call")
    return tokens_per_call / seconds_per_call


@dataclass(frozen=True)
class CostRow:
    """One fighter in one phase (:func:`cost_table`): its measured throughput and what a
    million tokens cost at the price per hour given."""

    fighter: str
    phase: str
    tokens_per_second: float
    cost_per_million: float


def cost_table(
    throughputs: dict[str, dict[str, float]], price_per_hour: float
) -> list[CostRow]:
    """One row per fighter and phase: throughput and money per million tokens at your price.

    ``throughputs`` maps a fighter's name to ``{"training": tokens/s, "inference": tokens/s}``
    (measured; either phase may be missing). Returns one :class:`CostRow` per fighter and
    phase, in the order given.
    """
    price_per_hour = _check_positive(price_per_hour, "price_per_hour")
    if not isinstance(throughputs, dict) or not throughputs:
        raise ValueError("throughputs must be a non-empty dict {fighter: {phase: tokens/s}}")
    rows = []
    for fighter, phases in throughputs.items():
        if not isinstance(phases, dict) or not phases:
            raise ValueError(
                f"throughputs[{fighter!r}] must be a non-empty dict {{phase: tokens/s}}"
            )
        for phase, rate in phases.items():
            rate = _check_positive(rate, f"{fighter} {phase} tokens/s")
            rows.append(
                CostRow(
                    fighter=str(fighter),
                    phase=str(phase),
                    tokens_per_second=rate,
                    cost_per_million=cost_per_million_tokens(rate, price_per_hour),
                )
            )
    return rows


def format_cost_table(rows: Sequence[CostRow], currency: str = "$") -> str:
    """:func:`cost_table`'s rows as aligned text (for ``print``)."""
    if not isinstance(currency, str):
        raise TypeError(f"currency must be a str (e.g. '$'), got {currency!r}")
    if not all(isinstance(row, CostRow) for row in rows):
        raise TypeError("rows must be CostRows, as cost_table returns them")
    lines = [f"{'fighter':<13}{'phase':<11}{'tokens/s':>12}{'per 1M tokens':>16}"]
    for row in rows:
        lines.append(
            f"{row.fighter:<13}{row.phase:<11}{row.tokens_per_second:>12,.0f}"
            f"{currency + format(row.cost_per_million, '.4g'):>16}"
        )
    return "\n".join(lines)
