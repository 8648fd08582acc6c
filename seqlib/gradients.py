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

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from seqlib._validate import (
    check_choice,
    check_finite,
    check_positive_int,
    check_seed,
    check_sequence_length,
    check_tensor,
)
from seqlib.attention import MultiHeadAttention, causal_mask
from seqlib.lstm import LSTM, RNN

__all__ = [
    "PROBES",
    "GradientReach",
    "format_gradient_flow_summary",
    "gradient_by_distance",
    "gradient_flow",
    "gradient_flow_curves",
    "gradient_flow_summary",
    "make_probe",
    "set_chrono_bias",
    "set_forget_bias",
]

# Three ways to carry x_t to h_T, probed at the same width (not a fight: see make_probe)
PROBES = ("rnn", "lstm", "attention")


def gradient_by_distance(model: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """``‖∂h_T/∂x_t‖`` for every ``t``, ordered by distance ``T - t`` (0, 1, ..., T-1).

    ``model`` maps ``x`` (B, T, d) to ``h`` (B, T, d_out). The norm is the Frobenius norm of
    the Jacobian of the last output ``h_T`` (d_out,) with respect to the input ``x_t`` (d,),
    averaged over the batch. Returns a tensor of shape (T,).
    """
    if not callable(model):
        raise TypeError(f"model must be callable (B, T, d) -> (B, T, d_out), got {model!r}")
    check_tensor(x, "x", ndim=3)
    check_sequence_length(x, "x", 1)
    x = x.detach().requires_grad_(True)
    h = model(x)
    if not isinstance(h, Tensor):
        raise TypeError(
            f"model must return a tensor (B, T, d), got {type(h).__name__}; for an nn.LSTM, "
            "which returns (output, (h, c)), wrap it: lambda x: lstm(x)[0]"
        )
    if h.dim() != 3 or h.shape[:2] != x.shape[:2]:
        raise ValueError(
            f"model must return a tensor (B, T, d) = {tuple(x.shape[:2])} + (d,), one output per "
            f"step, got shape {tuple(h.shape)}"
        )
    h_last = h[:, -1]  # (B, d_out): the output after the last step
    squared = torch.zeros(x.shape[0], x.shape[1], dtype=x.dtype)  # (B, T)
    for unit in range(h_last.shape[-1]):  # one backward pass per output unit: a Jacobian row
        (grad,) = torch.autograd.grad(h_last[:, unit].sum(), x, retain_graph=True)  # (B, T, d)
        squared += grad.pow(2).sum(-1).detach().cpu()
    norms = squared.sqrt().mean(0)  # (T,): ‖∂h_T/∂x_t‖ averaged over the batch
    return norms.flip(0)  # index k is the distance T - t = k


def make_probe(
    name: str, d_model: int = 32, *, forget_bias: float = 0.0, seed: int = 0
) -> Callable[[Tensor], Tensor]:
    """A one-layer probe (B, T, d) -> (B, T, d) with torch's default initialisation.

    The three probes share the width ``d_model``, not the parameter count: at initialisation,
    how the gradient fades with distance is set by the recurrence, not the size. A fight at
    equal parameters is :func:`seqlib.models.matched_pair`.

    ``"rnn"`` and ``"lstm"`` are seqlib's; ``forget_bias`` is added to the LSTM's forget-gate
    bias (a common trick: a positive bias makes the gate start near 1, "remember by default").
    ``"attention"`` is causal single-head self-attention, so that h_T sees x_1 .. x_T like the
    recurrent models do.
    """
    check_choice(name, "name", PROBES)
    d_model = check_positive_int(d_model, "d_model")
    forget_bias = check_finite(forget_bias, "forget_bias")
    torch.manual_seed(check_seed(seed))
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
    length = check_positive_int(length, "length")
    batch = check_positive_int(batch, "batch")
    model = make_probe(name, d_model, forget_bias=forget_bias, seed=seed)
    generator = torch.Generator().manual_seed(check_seed(seed))
    x = torch.randn(batch, length, d_model, generator=generator)  # (B, T, d)
    return gradient_by_distance(model, x)


def gradient_flow_curves(
    names: tuple[str, ...] | list[str] = PROBES, **kwargs: object
) -> dict[str, Tensor]:
    """:func:`gradient_flow` for several backbones with the same arguments: name -> (length,)."""
    if isinstance(names, str):
        raise TypeError(f"names must be a list of probe names, e.g. [{names!r}], got {names!r}")
    return {name: gradient_flow(name, **kwargs) for name in names}  # type: ignore[arg-type]


def _layer_biases(lstm: torch.nn.Module) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``(bias_ih_l{k}, bias_hh_l{k})`` of every layer of a ``torch.nn.LSTM`` or ``seqlib.LSTM``
    (each ``(4H,)``, gates stacked i, f, g, o); errors for any other module or no biases."""
    if not isinstance(lstm, (torch.nn.LSTM, LSTM)):
        raise TypeError(f"lstm must be a torch.nn.LSTM or seqlib.LSTM, got {type(lstm).__name__}")
    pairs = []
    for layer in range(lstm.num_layers):
        bias_ih = getattr(lstm, f"bias_ih_l{layer}", None)
        bias_hh = getattr(lstm, f"bias_hh_l{layer}", None)
        if bias_ih is None or bias_hh is None:
            raise ValueError("lstm has no biases (built with bias=False): nothing to set")
        pairs.append((bias_ih, bias_hh))
    return pairs


def set_forget_bias(lstm: torch.nn.Module, value: float = 1.0) -> torch.nn.Module:
    """Start every forget gate of ``lstm`` at ``sigmoid(value)``: "remember by default".

    ``lstm`` is a ``torch.nn.LSTM`` or a ``seqlib.LSTM`` (the ``.rnn`` of an LSTM
    :class:`~seqlib.models.SequenceModel`), any number of layers. Its two biases are added, so
    the forget block (the second of the stacked i, f, g, o blocks) of ``bias_ih_l{k}`` is set to
    ``value`` and that of ``bias_hh_l{k}`` to 0. Jozefowicz et al. (2015) recommend ``value=1``.
    Returns ``lstm``, changed in place.
    """
    value = check_finite(value, "value")
    hidden = lstm.hidden_size
    with torch.no_grad():
        for bias_ih, bias_hh in _layer_biases(lstm):
            bias_ih[hidden : 2 * hidden] = value
            bias_hh[hidden : 2 * hidden] = 0.0
    return lstm


def set_chrono_bias(lstm: torch.nn.Module, t_max: int, *, seed: int = 0) -> torch.nn.Module:
    """Chrono initialisation (Tallec & Ollivier, ICLR 2018): gates timed for lags up to ``t_max``.

    Every unit ``j`` of every layer gets a forget-gate bias ``b_f[j] = log(u_j)`` with ``u_j``
    drawn uniformly from ``[1, t_max - 1]``, and an input-gate bias ``b_i[j] = -b_f[j]``: unit
    ``j`` starts out keeping its cell for about ``u_j`` steps and writing little, so the cell
    state starts as a highway for the gradient (section 2) instead of a leak. As in
    :func:`set_forget_bias`, the values go into ``bias_ih_l{k}`` and the same blocks of
    ``bias_hh_l{k}`` are set to 0; the cell-candidate and output-gate biases are left as they
    are. ``seed`` draws the ``u_j``. Returns ``lstm``, changed in place.
    """
    t_max = check_positive_int(t_max, "t_max")
    if t_max < 3:
        raise ValueError(f"t_max must be at least 3 (u is drawn from [1, t_max - 1]), got {t_max}")
    generator = torch.Generator().manual_seed(check_seed(seed))
    hidden = lstm.hidden_size
    with torch.no_grad():
        for bias_ih, bias_hh in _layer_biases(lstm):
            u = 1 + torch.rand(hidden, generator=generator) * (t_max - 2)  # (H,) in [1, t_max - 1]
            forget = torch.log(u).to(bias_ih.dtype)  # (H,) in [0, log(t_max - 1)]
            bias_ih[hidden : 2 * hidden] = forget  # gates are stacked i, f, g, o
            bias_ih[:hidden] = -forget
            bias_hh[: 2 * hidden] = 0.0
    return lstm


# ---------------------------------------------------------------------------------------------
# Reading the curves: how much gradient is left, and how far it reaches
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradientReach:
    """One model's gradient-by-distance curve in a few numbers (:func:`gradient_flow_summary`).

    ``length``: T; ``at_1`` and ``at_last``: the norm at distance 1 and at T - 1; ``ratio``:
    ``at_last / at_1`` (``nan`` if ``at_1`` is 0); ``reach``: the largest distance k in
    1 .. T-1 with ``norm[k] >= threshold * at_1`` (0 if ``at_1`` is 0; T - 1 means all the way
    back); ``threshold``: the one used for ``reach``.
    """

    model: str
    length: int
    at_1: float
    at_last: float
    ratio: float
    reach: int
    threshold: float


def _curve_to_numpy(curve: object, name: str) -> np.ndarray:
    if isinstance(curve, torch.Tensor):
        curve = curve.detach().cpu().double().numpy()
    try:
        norms = np.asarray(curve, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"curves[{name!r}] must be a 1-D tensor of norms, got {curve!r}") from error
    if norms.ndim != 1 or len(norms) < 2:
        raise ValueError(
            f"curves[{name!r}] must be 1-D with at least 2 distances (0 and 1), "
            f"got shape {norms.shape}"
        )
    if not np.isfinite(norms).all():
        raise ValueError(f"curves[{name!r}] must be finite (no NaN or infinity)")
    return norms


def gradient_flow_summary(
    curves: Mapping[str, Tensor], threshold: float = 1e-3
) -> list[GradientReach]:
    """Summarise gradient-by-distance curves: how much gradient is left, and how far it reaches.

    ``curves`` maps a model name to a 1-D tensor (T,) whose entry k is ``‖∂h_T/∂x_t‖`` at
    distance ``k = T - t`` (as from :func:`gradient_flow_curves`); T >= 2. Distance 0 is
    skipped as the reference because ``x_T`` reaches ``h_T`` directly in every model; distance
    1 is the first step that has to travel back in time. ``reach`` is the largest distance
    above the threshold, so a curve that dips and recovers counts its recovery.

    Returns one :class:`GradientReach` per model, in the order of ``curves``.
    """
    if not isinstance(curves, Mapping):
        raise TypeError(f"curves must be a mapping {{name: tensor}}, got {type(curves).__name__}")
    threshold = check_finite(threshold, "threshold", low=0, high=1, low_inclusive=False)
    rows = []
    for name, curve in curves.items():
        norms = _curve_to_numpy(curve, name)
        at_1, at_last = float(norms[1]), float(norms[-1])
        strong = np.flatnonzero(norms[1:] >= threshold * at_1) + 1 if at_1 > 0 else []
        rows.append(
            GradientReach(
                model=str(name),
                length=len(norms),
                at_1=at_1,
                at_last=at_last,
                ratio=at_last / at_1 if at_1 > 0 else math.nan,
                reach=int(strong[-1]) if len(strong) else 0,
                threshold=float(threshold),
            )
        )
    return rows


def format_gradient_flow_summary(rows: Sequence[GradientReach]) -> str:
    """An HTML table of :func:`gradient_flow_summary`'s rows (one row per model).

    Display it with ``IPython.display.HTML(...)`` or put it in an ``ipywidgets.HTML``.
    """
    if not rows:
        return "<p>No model selected: tick at least one.</p>"
    if not all(isinstance(row, GradientReach) for row in rows):
        raise TypeError("rows must be GradientReach rows (what gradient_flow_summary returns)")
    header = (
        "<tr><th>model</th><th>‖∂h<sub>T</sub>/∂x<sub>T−1</sub>‖</th>"
        "<th>at distance T−1</th><th>last / first</th><th>reach (steps)</th></tr>"
    )
    body = "".join(
        "<tr>"
        f"<td><b>{html.escape(row.model)}</b></td>"
        f"<td>{row.at_1:.2e}</td>"
        f"<td>{row.at_last:.2e}</td>"
        f"<td>{row.ratio:.1e}</td>"
        f"<td>{row.reach} of {row.length - 1}</td>"
        "</tr>"
        for row in rows
    )
    note = (
        "<small>reach: the farthest distance where the gradient is still at least "
        f"{rows[0].threshold:.2g} times its value at distance 1.</small>"
    )
    return f"<table>{header}{body}</table>{note}"
