"""How far back can a gradient reach? ``‖∂h_T/∂x_t‖`` against the distance ``T - t``.

A model that is to learn a dependency between step t and step T needs a gradient from the
output at T back to the input at t. In a recurrent network that gradient is a product of
``T - t`` step Jacobians: it shrinks (or explodes) geometrically with distance. In an LSTM the
cell state ``c_t = f_t * c_{t-1} + i_t * g_t`` adds a path whose factor per step is the forget
gate ``f_t``: close to 1, the gradient survives. In self-attention, the output at T is a
weighted sum over every input: the path from any t to T is one step long.

Round 1 computes this with ``torch.autograd`` in front of the learner; these functions do the
same for the explorer widget and the tests.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from seqlib._validate import check_choice, check_positive_int, check_tensor
from seqlib.attention import MultiHeadAttention, causal_mask
from seqlib.lstm import LSTM, RNN

BACKBONES = ("rnn", "lstm", "attention")


def gradient_by_distance(model: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """``‖∂h_T/∂x_t‖`` for every ``t``, ordered by distance ``T - t`` (0, 1, ..., T-1).

    ``model`` maps ``x`` (B, T, d) to ``h`` (B, T, d_out). The norm is the Frobenius norm of
    the Jacobian of the last output ``h_T`` (d_out,) with respect to the input ``x_t`` (d,),
    averaged over the batch. Returns a tensor of shape (T,).
    """
    check_tensor(x, "x", ndim=3)
    x = x.detach().requires_grad_(True)
    h_last = model(x)[:, -1]  # (B, d_out): the output after the last step
    squared = torch.zeros(x.shape[0], x.shape[1], dtype=x.dtype)  # (B, T)
    for unit in range(h_last.shape[-1]):  # one backward pass per output unit: a Jacobian row
        (grad,) = torch.autograd.grad(h_last[:, unit].sum(), x, retain_graph=True)  # (B, T, d)
        squared += grad.pow(2).sum(-1).detach().cpu()
    norms = squared.sqrt().mean(0)  # (T,): ‖∂h_T/∂x_t‖ averaged over the batch
    return norms.flip(0)  # index k is the distance T - t = k


def make_backbone(
    name: str, d_model: int = 32, *, forget_bias: float = 0.0, seed: int = 0
) -> Callable[[Tensor], Tensor]:
    """A one-layer backbone (B, T, d) -> (B, T, d) with torch's default initialisation.

    ``"rnn"`` and ``"lstm"`` are seqlib's; ``forget_bias`` is added to the LSTM's forget-gate
    bias (a common trick: a positive bias makes the gate start near 1, "remember by default").
    ``"attention"`` is causal single-head self-attention, so that h_T sees x_1 .. x_T like the
    recurrent models do.
    """
    check_choice(name, "name", BACKBONES)
    check_positive_int(d_model, "d_model")
    torch.manual_seed(seed)
    if name == "rnn":
        rnn = RNN(d_model, d_model, batch_first=True)
        return lambda x: rnn(x)[0]
    if name == "lstm":
        lstm = LSTM(d_model, d_model, batch_first=True)
        with torch.no_grad():  # gates are stacked i, f, g, o: the second block is f's bias
            lstm.bias_ih_l0[d_model : 2 * d_model] += forget_bias
        return lambda x: lstm(x)[0]
    attention = MultiHeadAttention(d_model, num_heads=1, batch_first=True)

    def attend(x: Tensor) -> Tensor:
        mask = ~causal_mask(x.shape[1], device=x.device)  # True = may not attend (torch's way)
        return attention(x, x, x, attn_mask=mask, need_weights=False)[0]

    return attend


def gradient_flow(
    name: str,
    *,
    length: int = 64,
    d_model: int = 32,
    forget_bias: float = 0.0,
    batch: int = 4,
    seed: int = 0,
) -> Tensor:
    """``‖∂h_T/∂x_t‖`` by distance (length,) for a freshly initialised backbone on random input."""
    check_positive_int(length, "length")
    check_positive_int(batch, "batch")
    model = make_backbone(name, d_model, forget_bias=forget_bias, seed=seed)
    x = torch.randn(batch, length, d_model, generator=torch.Generator().manual_seed(seed))
    return gradient_by_distance(model, x)


def gradient_flow_curves(
    names: tuple[str, ...] | list[str] = BACKBONES, **kwargs: object
) -> dict[str, Tensor]:
    """:func:`gradient_flow` for several backbones with the same arguments: name -> (length,)."""
    return {name: gradient_flow(name, **kwargs) for name in names}  # type: ignore[arg-type]


def set_forget_bias(lstm: torch.nn.Module, value: float = 1.0) -> torch.nn.Module:
    """Start every forget gate of ``lstm`` at ``sigmoid(value)``: "remember by default".

    ``lstm`` is a ``torch.nn.LSTM`` or a ``seqlib.LSTM`` (the ``.rnn`` of an LSTM
    :class:`~seqlib.models.SequenceModel`), any number of layers. Its two biases are added, so
    the forget block (the second of the stacked i, f, g, o blocks) of ``bias_ih_l{k}`` is set to
    ``value`` and that of ``bias_hh_l{k}`` to 0. Jozefowicz et al. (2015) recommend ``value=1``.
    Returns ``lstm``, changed in place.
    """
    if not isinstance(lstm, (torch.nn.LSTM, LSTM)):
        raise TypeError(f"lstm must be a torch.nn.LSTM or seqlib.LSTM, got {type(lstm).__name__}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"value must be a number, got {type(value).__name__}")
    hidden = lstm.hidden_size
    with torch.no_grad():
        for layer in range(lstm.num_layers):
            bias_ih = getattr(lstm, f"bias_ih_l{layer}", None)
            bias_hh = getattr(lstm, f"bias_hh_l{layer}", None)
            if bias_ih is None or bias_hh is None:
                raise ValueError("lstm has no biases (built with bias=False): nothing to set")
            bias_ih[hidden : 2 * hidden] = float(value)
            bias_hh[hidden : 2 * hidden] = 0.0
    return lstm


__all__ = [
    "gradient_by_distance",
    "gradient_flow",
    "gradient_flow_curves",
    "make_backbone",
    "set_forget_bias",
]
