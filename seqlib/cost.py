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

import math

import torch
from torch import Tensor, nn
from torch.utils.flop_counter import FlopCounterMode

from seqlib._validate import check_tensor


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
    batch, length = inputs.shape[:2]
    return forward_flops(model, inputs) / (batch * length)


def _check_positive(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} ({value!r})")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def cost_per_million_tokens(tokens_per_second: float, price_per_hour: float) -> float:
    """Money per million tokens at a measured throughput and a price per hour of the machine.

    ``price_per_hour / (tokens_per_second * 3600) * 1e6``, in the currency of the price.
    """
    tokens_per_second = _check_positive(tokens_per_second, "tokens_per_second")
    price_per_hour = _check_positive(price_per_hour, "price_per_hour")
    return price_per_hour / (tokens_per_second * 3600) * 1e6
