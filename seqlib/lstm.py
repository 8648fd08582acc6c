r"""From-scratch recurrent networks: ``RNN``, ``LSTMCell`` and ``LSTM``, written as the equations.

Each module takes the same arguments, has the same parameter names and shapes, and returns the
same outputs as its ``torch.nn`` twin, so a state dict loads into either one; ``from_torch`` and
``to_torch`` convert in both directions. Only what the course needs is left out:
``bidirectional=True`` and ``proj_size > 0`` raise ``NotImplementedError``, and packed sequences
are not accepted.

The LSTM, as in the ``torch.nn.LSTM`` documentation, for every time step t::

    i_t = sigmoid(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)    input gate: how much to write
    f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf)    forget gate: how much to keep
    g_t =    tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)    cell candidate: what to write
    o_t = sigmoid(W_io x_t + b_io + W_ho h_{t-1} + b_ho)    output gate: how much to show
    c_t = f_t * c_{t-1} + i_t * g_t                         cell state: the memory
    h_t = o_t * tanh(c_t)                                   hidden state: the output

The four gates' weights are stacked in the order i, f, g, o: ``weight_ih_l0`` is (4H, I) and
``weight_hh_l0`` is (4H, H). The vanilla RNN is the same loop with one "gate":
``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``.

Shapes: B batch, T time steps, I input_size, H hidden_size, L num_layers, G gate blocks (4 for
the LSTM: i, f, g, o; 1 for the RNN).

Speed: the input half of every gate, ``x_t W_ih^T + b``, does not depend on h, so it is computed
for all T steps in one matrix product before the loop. The loop then does one matrix product
``h W_hh^T`` and a few elementwise operations per step. It walks over ``x_proj.unbind(0)`` and
stacks the outputs once at the end, because indexing ``x_proj[t]`` step by step would make the
backward pass quadratic in T (each index's gradient is a full-size tensor of zeros).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, ClassVar, NamedTuple, TypeVar

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlib._validate import (
    check_bool,
    check_choice,
    check_dim,
    check_finite,
    check_positive_int,
    check_same_dtype,
    check_sequence_length,
    check_tensor,
)

__all__ = [
    "LSTM",
    "RNN",
    "GateTrace",
    "LSTMCell",
    "input_projection",
    "lstm_layer",
    "lstm_step",
    "rnn_layer",
]


class GateTrace(NamedTuple):
    """The per-step activations of one LSTM layer, each laid out like the layer's output.

    Each field is (B, T, H) if ``batch_first`` else (T, B, H); (T, H) for unbatched input.
    """

    i: Tensor  # input gate, in (0, 1)
    f: Tensor  # forget gate, in (0, 1)
    g: Tensor  # cell candidate, in (-1, 1)
    o: Tensor  # output gate, in (0, 1)
    c: Tensor  # cell state after the step


# --------------------------------------------------------------------------------------------
# The equations
# --------------------------------------------------------------------------------------------


def lstm_step(gates: Tensor, c: Tensor) -> tuple[Tensor, Tensor, tuple[Tensor, ...]]:
    """One LSTM step from the gate pre-activations ``gates`` (B, 4H) and the cell state (B, H).

    Returns the new ``h`` and ``c`` (B, H each) and the activations ``(i, f, g, o)``.
    """
    i, f, g, o = gates.chunk(4, dim=-1)  # (B, H) each, in torch's order
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = f * c + i * g  # (B, H) keep part of the old memory, write part of the new
    h = o * torch.tanh(c)  # (B, H) show part of the memory
    return h, c, (i, f, g, o)


def lstm_layer(
    x_proj: Tensor, h: Tensor, c: Tensor, weight_hh: Tensor, *, trace: bool = False
) -> tuple[Tensor, Tensor, Tensor, GateTrace | None]:
    """Run one LSTM layer over time.

    ``x_proj`` (T, B, 4H) holds ``x_t W_ih^T + b_ih + b_hh`` for every step; ``h`` and ``c``
    (B, H) are the initial states. Returns the output (T, B, H), the final ``h`` and ``c``
    (B, H), and, if ``trace``, a ``GateTrace`` of (T, B, H) tensors.
    """
    w_hh_t = weight_hh.t()  # (H, 4H)
    outputs, steps = [], []
    for x_t in x_proj.unbind(0):  # (B, 4H) each: views, no copies
        gates = torch.addmm(x_t, h, w_hh_t)  # (B, 4H) = x_t W_ih^T + b + h W_hh^T
        h, c, (i, f, g, o) = lstm_step(gates, c)
        outputs.append(h)
        if trace:
            steps.append((i, f, g, o, c))
    gate_trace = GateTrace(*map(torch.stack, zip(*steps, strict=True))) if trace else None
    return torch.stack(outputs), h, c, gate_trace  # (T, B, H)


def rnn_layer(
    x_proj: Tensor, h: Tensor, weight_hh: Tensor, nonlinearity: str
) -> tuple[Tensor, Tensor]:
    """Run one vanilla RNN layer over time: ``h_t = act(x_proj_t + h_{t-1} W_hh^T)``.

    ``x_proj`` (T, B, H) holds ``x_t W_ih^T + b_ih + b_hh``; ``h`` (B, H) is the initial state.
    Returns the output (T, B, H) and the final ``h`` (B, H).
    """
    act = torch.tanh if nonlinearity == "tanh" else torch.relu
    w_hh_t = weight_hh.t()  # (H, H)
    outputs = []
    for x_t in x_proj.unbind(0):  # (B, H) each
        h = act(torch.addmm(x_t, h, w_hh_t))  # (B, H)
        outputs.append(h)
    return torch.stack(outputs), h  # (T, B, H)


def input_projection(x: Tensor, w_ih: Tensor, b_ih: Tensor | None, b_hh: Tensor | None) -> Tensor:
    """``x W_ih^T + b_ih + b_hh`` for all time steps in one matrix product: (T, B, I) -> (T, B, GH).

    Both biases are added here, once, since neither depends on h.
    """
    bias = None if b_ih is None else b_ih + b_hh  # (GH,)
    return F.linear(x, w_ih, bias)  # (T, B, GH)


# --------------------------------------------------------------------------------------------
# Input checks shared by the modules
# --------------------------------------------------------------------------------------------


def _check_state(
    state: object,
    name: str,
    shape: tuple[int, ...],
    dim_names: tuple[str, ...],
    dtype: torch.dtype,
    batched: bool,
) -> Tensor:
    """Check an initial state against its expected ``shape``; ``dim_names`` names each dimension."""
    label = f"{name} (for {'batched' if batched else 'unbatched'} input)"
    state = check_tensor(state, label, ndim=len(shape))
    check_same_dtype(state, name, dtype)
    for dim, (size, size_name) in enumerate(zip(shape, dim_names, strict=True)):
        check_dim(state, name, dim, size, size_name)
    return state


def _unpack_pair(hx: object, names: tuple[str, str]) -> tuple[object, object]:
    """Split ``hx`` into its two states, or fail if it is not a pair."""
    if not isinstance(hx, (tuple, list)) or len(hx) != 2:
        given = type(hx).__name__
        if isinstance(hx, (tuple, list)):
            given += f" of length {len(hx)}"
        raise TypeError(f"hx must be a tuple ({names[0]}, {names[1]}) of tensors, got {given}")
    return hx[0], hx[1]


# --------------------------------------------------------------------------------------------
# Multi-layer RNN and LSTM
# --------------------------------------------------------------------------------------------


_Module = TypeVar("_Module", bound="_StackedRecurrent")


class _StackedRecurrent(nn.Module):
    """What ``RNN`` and ``LSTM`` share: arguments, parameters, input checks, torch conversion."""

    _gate_count: ClassVar[int]  # 1 for the RNN, 4 for the LSTM (i, f, g, o)
    _torch_class: ClassVar[type[nn.Module]]
    _config_names: ClassVar[tuple[str, ...]] = (
        "input_size",
        "hidden_size",
        "num_layers",
        "bias",
        "batch_first",
        "dropout",
        "bidirectional",
    )

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int,
        bias: bool,
        batch_first: bool,
        dropout: float,
        bidirectional: bool,
        device: torch.device | str | None,
        dtype: torch.dtype | None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.input_size = check_positive_int(input_size, "input_size")
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.num_layers = check_positive_int(num_layers, "num_layers")
        bias = check_bool(bias, "bias")
        batch_first = check_bool(batch_first, "batch_first")
        dropout = check_finite(dropout, "dropout", low=0, high=1)  # a probability
        bidirectional = check_bool(bidirectional, "bidirectional")
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                f"dropout is applied between layers, so dropout={dropout} does nothing with "
                f"num_layers=1 (as in torch.nn.{name})",
                stacklevel=3,
            )
        if bidirectional:
            raise NotImplementedError(
                f"seqlib.{name} runs one direction only (bidirectional=False); for a "
                f"bidirectional model use torch.nn.{name}(..., bidirectional=True)"
            )
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = dropout
        self.bidirectional = bidirectional

        factory = {"device": device, "dtype": dtype}
        gate_size = self._gate_count * hidden_size
        for layer in range(num_layers):
            layer_input_size = input_size if layer == 0 else hidden_size
            # Registered in torch's order, so parameters() lists them the same way.
            w_ih = torch.empty(gate_size, layer_input_size, **factory)
            self.register_parameter(f"weight_ih_l{layer}", nn.Parameter(w_ih))
            w_hh = torch.empty(gate_size, hidden_size, **factory)
            self.register_parameter(f"weight_hh_l{layer}", nn.Parameter(w_hh))
            if bias:
                b_ih, b_hh = torch.empty(gate_size, **factory), torch.empty(gate_size, **factory)
                self.register_parameter(f"bias_ih_l{layer}", nn.Parameter(b_ih))
                self.register_parameter(f"bias_hh_l{layer}", nn.Parameter(b_hh))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every parameter from U(-1/sqrt(H), 1/sqrt(H)), as torch does."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            nn.init.uniform_(weight, -bound, bound)

    def layer_weights(self, layer: int) -> tuple[Tensor, Tensor, Tensor | None, Tensor | None]:
        """``(weight_ih, weight_hh, bias_ih, bias_hh)`` of one layer (biases None if bias=False)."""
        return (
            getattr(self, f"weight_ih_l{layer}"),
            getattr(self, f"weight_hh_l{layer}"),
            getattr(self, f"bias_ih_l{layer}", None),
            getattr(self, f"bias_hh_l{layer}", None),
        )

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        for name, default in [
            ("num_layers", 1),
            ("nonlinearity", "tanh"),
            ("bias", True),
            ("batch_first", False),
            ("dropout", 0.0),
        ]:
            value = getattr(self, name, default)
            if value != default:
                s += f", {name}={value!r}" if isinstance(value, str) else f", {name}={value}"
        return s

    # --- checks -------------------------------------------------------------------------------

    def _check_input(self, x: object) -> Tensor:
        x = check_tensor(x, "input", ndim=(2, 3))
        check_same_dtype(x, "input", self.weight_ih_l0.dtype)
        check_dim(x, "input", x.dim() - 1, self.input_size, "input_size")
        time_dim = 1 if self.batch_first and x.dim() == 3 else 0
        return check_sequence_length(x, "input", time_dim)  # torch.nn refuses T=0 too

    def _to_time_major(self, x: Tensor) -> Tensor:
        """(B, T, I), (T, B, I) or unbatched (T, I) -> (T, B, I)."""
        if x.dim() == 2:
            return x.unsqueeze(1)  # (T, 1, I)
        return x.transpose(0, 1) if self.batch_first else x

    def _from_time_major(self, y: Tensor, batched: bool) -> Tensor:
        """(T, B, H) -> the layout of the input: (B, T, H), (T, B, H) or unbatched (T, H)."""
        if not batched:
            return y.squeeze(1)
        return y.transpose(0, 1) if self.batch_first else y

    def _check_initial_state(self, state: object, name: str, x: Tensor) -> Tensor:
        """Check ``state`` (L, B, H), or (L, H) for unbatched ``x``; return it as (L, B, H)."""
        dtype = self.weight_ih_l0.dtype
        if x.dim() == 2:
            shape, names = (self.num_layers, self.hidden_size), ("num_layers", "hidden_size")
            return _check_state(state, name, shape, names, dtype, batched=False).unsqueeze(1)
        batch = x.shape[0] if self.batch_first else x.shape[1]
        shape = (self.num_layers, batch, self.hidden_size)
        names = ("num_layers", "batch size", "hidden_size")
        return _check_state(state, name, shape, names, dtype, batched=True)

    def _dropout_between_layers(self, y: Tensor, layer: int) -> Tensor:
        if layer < self.num_layers - 1 and self.dropout > 0:
            return F.dropout(y, self.dropout, self.training)
        return y

    # --- conversion to and from torch ---------------------------------------------------------

    def _config(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._config_names}

    @classmethod
    def from_torch(cls: type[_Module], module: nn.Module) -> _Module:
        """A copy of the ``torch.nn`` module (configuration, weights, train/eval mode)."""
        if not isinstance(module, cls._torch_class):
            raise TypeError(
                f"{cls.__name__}.from_torch expects a torch.nn.{cls._torch_class.__name__}, "
                f"got {type(module).__name__}"
            )
        weight = module.weight_ih_l0
        config = {name: getattr(module, name) for name in cls._config_names}
        copy = cls(**config, device=weight.device, dtype=weight.dtype)
        copy.load_state_dict(module.state_dict())
        return copy.train(module.training)

    def to_torch(self) -> nn.Module:
        """The equivalent ``torch.nn`` module, with a copy of the weights and the same mode."""
        weight = self.weight_ih_l0
        module = self._torch_class(**self._config(), device=weight.device, dtype=weight.dtype)
        module.load_state_dict(self.state_dict())
        return module.train(self.training)


class RNN(_StackedRecurrent):
    """A multi-layer Elman RNN, ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``.

    Arguments, parameters and outputs as ``torch.nn.RNN`` (``nonlinearity`` 'tanh' or 'relu').

    ``forward(x, hx=None)`` takes ``x`` (T, B, I), or (B, T, I) if ``batch_first``, or
    unbatched (T, I), and ``hx = h_0`` (L, B, H) (unbatched: (L, H)), zeros if omitted. It returns
    ``output`` (the last layer's h at every step, laid out like ``x`` with H features) and
    ``h_n`` (L, B, H), the final h of every layer.
    """

    _gate_count = 1
    _torch_class = nn.RNN
    _config_names = (*_StackedRecurrent._config_names, "nonlinearity")

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        self.nonlinearity = check_choice(nonlinearity, "nonlinearity", ("tanh", "relu"))
        super().__init__(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
            device, dtype,
        )  # fmt: skip

    def forward(self, x: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        x = self._check_input(x)
        batched = x.dim() == 3
        h_0 = None if hx is None else self._check_initial_state(hx, "h_0", x)  # (L, B, H)
        x = self._to_time_major(x)  # (T, B, I)
        h_n = []
        for layer in range(self.num_layers):
            w_ih, w_hh, b_ih, b_hh = self.layer_weights(layer)
            x_proj = input_projection(x, w_ih, b_ih, b_hh)  # (T, B, H)
            h = x.new_zeros(x.shape[1], self.hidden_size) if h_0 is None else h_0[layer]
            x, h = rnn_layer(x_proj, h, w_hh, self.nonlinearity)  # (T, B, H), (B, H)
            x = self._dropout_between_layers(x, layer)
            h_n.append(h)
        h_n = torch.stack(h_n)  # (L, B, H)
        if not batched:
            h_n = h_n.squeeze(1)  # (L, H)
        return self._from_time_major(x, batched), h_n


class LSTM(_StackedRecurrent):
    """A multi-layer LSTM, the equations in this module's docstring, one layer over the next.

    Arguments, parameters and outputs as ``torch.nn.LSTM`` (``proj_size`` must be 0).

    ``forward(x, hx=None, return_gates=False)`` takes ``x`` (T, B, I), or (B, T, I) if
    ``batch_first``, or unbatched (T, I), and ``hx = (h_0, c_0)``, each (L, B, H) (unbatched:
    (L, H)), zeros if omitted. It returns ``output, (h_n, c_n)``: the last layer's h at every
    step, laid out like ``x`` with H features, and the final h and c of every layer (L, B, H).
    With ``return_gates=True`` it returns ``output, (h_n, c_n), gates``, where ``gates`` is a
    list with one ``GateTrace(i, f, g, o, c)`` per layer, each field laid out like ``output``.
    """

    _gate_count = 4
    _torch_class = nn.LSTM
    _config_names = (*_StackedRecurrent._config_names, "proj_size")

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        if check_positive_int(proj_size, "proj_size", allow_zero=True) > 0:
            raise NotImplementedError(
                f"seqlib.LSTM has no projection (proj_size=0); got proj_size={proj_size}, "
                "use torch.nn.LSTM for an LSTM with projections"
            )
        self.proj_size = proj_size
        super().__init__(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
            device, dtype,
        )  # fmt: skip

    def forward(
        self,
        x: Tensor,
        hx: tuple[Tensor, Tensor] | None = None,
        return_gates: bool = False,
    ) -> (
        tuple[Tensor, tuple[Tensor, Tensor]] | tuple[Tensor, tuple[Tensor, Tensor], list[GateTrace]]
    ):
        x = self._check_input(x)
        return_gates = check_bool(return_gates, "return_gates")
        batched = x.dim() == 3
        if hx is not None:
            h_0, c_0 = _unpack_pair(hx, ("h_0", "c_0"))
            h_0 = self._check_initial_state(h_0, "h_0", x)  # (L, B, H)
            c_0 = self._check_initial_state(c_0, "c_0", x)  # (L, B, H)
        x = self._to_time_major(x)  # (T, B, I)
        h_n, c_n, gates = [], [], []
        for layer in range(self.num_layers):
            w_ih, w_hh, b_ih, b_hh = self.layer_weights(layer)
            x_proj = input_projection(x, w_ih, b_ih, b_hh)  # (T, B, 4H)
            if hx is None:
                h = c = x.new_zeros(x.shape[1], self.hidden_size)  # (B, H)
            else:
                h, c = h_0[layer], c_0[layer]  # (B, H)
            x, h, c, trace = lstm_layer(x_proj, h, c, w_hh, trace=return_gates)  # (T, B, H)
            x = self._dropout_between_layers(x, layer)
            h_n.append(h)
            c_n.append(c)
            if return_gates:
                gates.append(GateTrace(*(self._from_time_major(t, batched) for t in trace)))
        h_n, c_n = torch.stack(h_n), torch.stack(c_n)  # (L, B, H)
        if not batched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)  # (L, H)
        output = self._from_time_major(x, batched)
        if return_gates:
            return output, (h_n, c_n), gates
        return output, (h_n, c_n)


# --------------------------------------------------------------------------------------------
# One LSTM step as a module
# --------------------------------------------------------------------------------------------


class LSTMCell(nn.Module):
    """One LSTM step, as ``torch.nn.LSTMCell``: ``(h, c) = cell(x, (h, c))``.

    ``x`` is (B, I) or unbatched (I,); ``hx = (h, c)``, each (B, H) or (H,), zeros if omitted.
    Returns the new ``(h, c)``. Parameters ``weight_ih`` (4H, I), ``weight_hh`` (4H, H),
    ``bias_ih`` and ``bias_hh`` (4H,), gates stacked in the order i, f, g, o.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int(input_size, "input_size")
        self.hidden_size = check_positive_int(hidden_size, "hidden_size")
        self.bias = bias = check_bool(bias, "bias")
        factory = {"device": device, "dtype": dtype}
        self.weight_ih = nn.Parameter(torch.empty(4 * hidden_size, input_size, **factory))
        self.weight_hh = nn.Parameter(torch.empty(4 * hidden_size, hidden_size, **factory))
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(4 * hidden_size, **factory))
            self.bias_hh = nn.Parameter(torch.empty(4 * hidden_size, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw every parameter from U(-1/sqrt(H), 1/sqrt(H)), as torch does."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            nn.init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")

    def forward(self, x: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        x = check_tensor(x, "input", ndim=(1, 2))
        check_same_dtype(x, "input", self.weight_ih.dtype)
        check_dim(x, "input", x.dim() - 1, self.input_size, "input_size")
        batched = x.dim() == 2
        x = x if batched else x.unsqueeze(0)  # (B, I)
        if hx is None:
            h = c = x.new_zeros(x.shape[0], self.hidden_size)  # (B, H)
        else:
            shape = (x.shape[0], self.hidden_size) if batched else (self.hidden_size,)
            names = ("batch size", "hidden_size") if batched else ("hidden_size",)
            h, c = (
                _check_state(state, name, shape, names, self.weight_ih.dtype, batched)
                for state, name in zip(_unpack_pair(hx, ("h", "c")), ("h", "c"), strict=True)
            )
            h, c = (h, c) if batched else (h.unsqueeze(0), c.unsqueeze(0))  # (B, H)
        gates = F.linear(x, self.weight_ih, self.bias_ih) + F.linear(
            h, self.weight_hh, self.bias_hh
        )
        h, c, _ = lstm_step(gates, c)  # (B, H) each
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))

    @classmethod
    def from_torch(cls, module: nn.LSTMCell) -> LSTMCell:
        """A copy of the ``torch.nn.LSTMCell`` (weights and train/eval mode)."""
        if not isinstance(module, nn.LSTMCell):
            raise TypeError(
                f"LSTMCell.from_torch expects a torch.nn.LSTMCell, got {type(module).__name__}"
            )
        weight = module.weight_ih
        copy = cls(
            module.input_size, module.hidden_size, module.bias,
            device=weight.device, dtype=weight.dtype,
        )  # fmt: skip
        copy.load_state_dict(module.state_dict())
        return copy.train(module.training)

    def to_torch(self) -> nn.LSTMCell:
        """The equivalent ``torch.nn.LSTMCell``, with a copy of the weights and the same mode."""
        weight = self.weight_ih
        module = nn.LSTMCell(
            self.input_size, self.hidden_size, self.bias, device=weight.device, dtype=weight.dtype
        )
        module.load_state_dict(self.state_dict())
        return module.train(self.training)
