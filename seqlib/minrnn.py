r"""minGRU and minLSTM: recurrences that train in parallel ("Were RNNs All We Needed?", 2024).

The LSTM's gates read ``h_{t-1}``, so step t must wait for step t-1. Drop that dependence and
keep the gates' job, and the recurrence becomes *linear* in h::

    minGRU:   z_t = sigmoid(W_z x_t)          h~_t = g(W_h x_t)
              h_t = (1 - z_t) * h_{t-1} + z_t * h~_t
    minLSTM:  f_t = sigmoid(W_f x_t)   i_t = sigmoid(W_i x_t)   h~_t = g(W_h x_t)
              f'_t, i'_t = f_t / (f_t + i_t), i_t / (f_t + i_t)
              h_t = f'_t * h_{t-1} + i'_t * h~_t

Both are ``h_t = a_t * h_{t-1} + b_t`` with ``a_t, b_t`` computed from x alone, for all t at once.
Unrolled, ``h_t = A_t * (h_0 + sum_{s<=t} b_s / A_s)`` with ``A_t = a_1 * ... * a_t``: a cumulative
product and a cumulative sum, which a parallel *scan* computes in O(log T) parallel steps. In log
space (the paper's way, stable for long sequences)::

    log h_t = cumsum(log a)_t + logcumsumexp([log h_0, log b_s - cumsum(log a)_s])_t

which needs ``b_t > 0``: ``g(x) = x + 0.5`` for x >= 0, ``sigmoid(x)`` below, keeps h~ positive.
At inference the same model runs step by step, with a constant-size state, like an LSTM.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlib._validate import (
    check_bool,
    check_choice,
    check_dim,
    check_positive_int,
    check_same_dtype,
    check_sequence_length,
    check_tensor,
    dtype_of,
)

__all__ = [
    "MODES",
    "MinGRU",
    "MinLSTM",
    "g",
    "log_g",
    "parallel_steps",
    "scan_parallel_log",
    "scan_sequential",
]

MODES = ("parallel", "sequential")


def g(x: Tensor) -> Tensor:
    """The paper's positive activation: ``x + 0.5`` for x >= 0, ``sigmoid(x)`` below."""
    check_tensor(x, "x")
    return torch.where(x >= 0, x + 0.5, torch.sigmoid(x))


def log_g(x: Tensor) -> Tensor:
    """``log(g(x))``, computed stably."""
    check_tensor(x, "x")
    return torch.where(x >= 0, torch.log(F.relu(x) + 0.5), -F.softplus(-x))


def _check_scan(a: Tensor, b: Tensor, h0: Tensor, names: tuple[str, str, str]) -> None:
    """``a``, ``b`` (B, T, H) with T >= 1 and ``h0`` (B, H): the recurrence's coefficients."""
    for x, name, ndim in zip((a, b, h0), names, (3, 3, 2), strict=True):
        check_tensor(x, name, ndim=ndim)
    if b.shape != a.shape or h0.shape != (a.shape[0], a.shape[2]):
        raise ValueError(
            f"{names[0]} and {names[1]} must be (B, T, H) and {names[2]} (B, H) = "
            f"{(a.shape[0], a.shape[2])}, got {tuple(a.shape)}, {tuple(b.shape)} and "
            f"{tuple(h0.shape)}"
        )
    check_sequence_length(a, names[0], 1)


def scan_sequential(a: Tensor, b: Tensor, h0: Tensor) -> Tensor:
    """``h_t = a_t * h_{t-1} + b_t`` one step at a time: a, b (B, T, H), h0 (B, H) -> (B, T, H)."""
    _check_scan(a, b, h0, ("a", "b", "h0"))
    h, outputs = h0, []
    for a_t, b_t in zip(a.unbind(1), b.unbind(1), strict=True):  # (B, H) each
        h = a_t * h + b_t
        outputs.append(h)
    return torch.stack(outputs, dim=1)


def scan_parallel_log(log_a: Tensor, log_b: Tensor, log_h0: Tensor) -> Tensor:
    """The same recurrence for all t at once, in log space (needs a, b, h0 > 0).

    ``log_a``, ``log_b`` (B, T, H) and ``log_h0`` (B, H) -> h (B, T, H).
    """
    _check_scan(log_a, log_b, log_h0, ("log_a", "log_b", "log_h0"))
    a_star = torch.cumsum(log_a, dim=1)  # (B, T, H): log A_t
    terms = torch.cat([log_h0[:, None], log_b - a_star], dim=1)  # (B, T+1, H)
    log_h = a_star + torch.logcumsumexp(terms, dim=1)[:, 1:]  # (B, T, H)
    return torch.exp(log_h)


class _MinRNN(nn.Module):
    """What minGRU and minLSTM share: input checks, the initial state, the two modes."""

    _blocks: int  # linear maps of x: 2 for minGRU (z, h~), 3 for minLSTM (f, i, h~)

    def __init__(self, input_size: int, hidden_size: int, *, bias: bool = True) -> None:
        super().__init__()
        self.input_size = check_positive_int(input_size, "input_size")
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        bias = check_bool(bias, "bias")
        self.linear = nn.Linear(input_size, self._blocks * hidden_size, bias=bias)

    def _check_state(self, h: Tensor, name: str, batch: int) -> Tensor:
        """A state ``h`` (B, H) for a batch of ``batch``, in the parameters' dtype."""
        check_tensor(h, name, ndim=2)
        check_same_dtype(h, name, dtype_of(self.linear.weight))
        check_dim(h, name, 0, batch, "batch size")
        check_dim(h, name, 1, self.hidden_size, "hidden_size")
        return h

    def _check(self, x: Tensor, h0: Tensor | None) -> Tensor:
        check_tensor(x, "x", ndim=3)
        check_same_dtype(x, "x", dtype_of(self.linear.weight))
        check_dim(x, "x", 2, self.input_size, "input_size")
        check_sequence_length(x, "x", 1)
        if h0 is None:  # the paper starts from g(0) = 0.5, the state every positive h~ shares
            return torch.full((x.shape[0], self.hidden_size), 0.5, dtype=x.dtype, device=x.device)
        self._check_state(h0, "h0", x.shape[0])
        if not bool((h0 > 0).all()):
            raise ValueError("h0 must be positive (the log-space scan takes its logarithm)")
        return h0

    def coefficients(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``log a`` and ``log b`` (B, T, H) of ``h_t = a_t * h_{t-1} + b_t``, from x alone."""
        raise NotImplementedError

    def forward(
        self, x: Tensor, h0: Tensor | None = None, *, mode: str = "parallel"
    ) -> tuple[Tensor, Tensor]:
        """x (B, T, input_size) -> output (B, T, H) and the last state h_n (B, H).

        ``mode="parallel"`` uses the log-space scan (training); ``"sequential"`` loops over t.
        Both compute the same numbers.
        """
        check_choice(mode, "mode", MODES)
        h0 = self._check(x, h0)
        log_a, log_b = self.coefficients(x)  # (B, T, H) each
        if mode == "parallel":
            out = scan_parallel_log(log_a, log_b, torch.log(h0))
        else:
            out = scan_sequential(log_a.exp(), log_b.exp(), h0)
        return out, out[:, -1]

    def step(self, x_t: Tensor, h: Tensor) -> Tensor:
        """One step of inference: x_t (B, input_size), h (B, H) -> the next h (B, H)."""
        check_tensor(x_t, "x_t", ndim=2)
        check_same_dtype(x_t, "x_t", dtype_of(self.linear.weight))
        check_dim(x_t, "x_t", 1, self.input_size, "input_size")
        self._check_state(h, "h", x_t.shape[0])
        log_a, log_b = self.coefficients(x_t[:, None])  # (B, 1, H) each
        return log_a[:, 0].exp() * h + log_b[:, 0].exp()


class MinGRU(_MinRNN):
    """minGRU: ``h_t = (1 - z_t) * h_{t-1} + z_t * g(W_h x_t)``, ``z_t = sigmoid(W_z x_t)``."""

    _blocks = 2

    def coefficients(self, x: Tensor) -> tuple[Tensor, Tensor]:
        k, pre_h = self.linear(x).chunk(2, dim=-1)  # (B, T, H) each; z_t = sigmoid(k)
        log_z = -F.softplus(-k)  # log sigmoid(k)
        log_one_minus_z = -F.softplus(k)  # log (1 - sigmoid(k))
        return log_one_minus_z, log_z + log_g(pre_h)  # log a, log b


class MinLSTM(_MinRNN):
    """minLSTM: ``h_t = f'_t * h_{t-1} + i'_t * g(W_h x_t)`` with normalised gates
    ``f' = f / (f + i)``, ``i' = i / (f + i)``."""

    _blocks = 3

    def coefficients(self, x: Tensor) -> tuple[Tensor, Tensor]:
        pre_f, pre_i, pre_h = self.linear(x).chunk(3, dim=-1)  # (B, T, H) each
        log_f, log_i = -F.softplus(-pre_f), -F.softplus(-pre_i)  # log sigmoid
        log_sum = torch.logaddexp(log_f, log_i)  # log (f + i)
        return log_f - log_sum, log_i - log_sum + log_g(pre_h)  # log f', log (i' h~)


def parallel_steps(length: int) -> int:
    """Sequential steps on a parallel scan's critical path: ``ceil(log2(T)) + 1`` (1 for T=1).

    A count from the algorithm (Blelloch, 1990), given as many processors as a step needs: a
    formula, not a measurement. The sequential loop's critical path is ``T`` steps.
    """
    length = check_positive_int(length, "length")
    return math.ceil(math.log2(length)) + 1 if length > 1 else 1
