"""seqlib.lstm against torch.nn: outputs, final states and gradients, gates, conversions, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from seqlib.lstm import LSTM, RNN, GateTrace, LSTMCell

B, T, D, H = 3, 6, 5, 4  # batch, time steps, input_size, hidden_size

TOLERANCE = {
    torch.float32: {"atol": 1e-5, "rtol": 1e-4},
    torch.float64: {"atol": 1e-10, "rtol": 1e-8},
}


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


def flatten(result: object) -> list[torch.Tensor]:
    """The tensors of a module's return value, in order: output, (h_n, c_n) -> [output, h, c]."""
    if isinstance(result, torch.Tensor):
        return [result]
    return [t for item in result for t in flatten(item)]


def leaf(t: torch.Tensor) -> torch.Tensor:
    return t.detach().clone().requires_grad_(True)


def assert_parity(ours: nn.Module, theirs: nn.Module, x: torch.Tensor, hx: object) -> None:
    """Same outputs, and same gradients w.r.t. input, initial state and every parameter."""
    tol = TOLERANCE[x.dtype]
    x_ours, x_theirs = leaf(x), leaf(x)
    hx_ours = hx_theirs = None
    if hx is not None:
        hx_ours = leaf(hx) if isinstance(hx, torch.Tensor) else tuple(map(leaf, hx))
        hx_theirs = leaf(hx) if isinstance(hx, torch.Tensor) else tuple(map(leaf, hx))

    out_ours = flatten(ours(x_ours, hx_ours))
    out_theirs = flatten(theirs(x_theirs, hx_theirs))
    assert len(out_ours) == len(out_theirs)
    for a, b in zip(out_ours, out_theirs, strict=True):
        assert a.shape == b.shape
        torch.testing.assert_close(a, b, **tol)

    # A loss that weighs every output element differently, so no gradient is trivial.
    weights = [torch.randn_like(b) for b in out_theirs]
    sum(((a * w).sum() for a, w in zip(out_ours, weights, strict=True))).backward()
    sum(((b * w).sum() for b, w in zip(out_theirs, weights, strict=True))).backward()

    torch.testing.assert_close(x_ours.grad, x_theirs.grad, **tol)
    if hx is not None:
        for a, b in zip(flatten(hx_ours), flatten(hx_theirs), strict=True):
            torch.testing.assert_close(a.grad, b.grad, **tol)
    theirs_params = dict(theirs.named_parameters())
    ours_params = dict(ours.named_parameters())
    assert ours_params.keys() == theirs_params.keys()
    for name, p in ours_params.items():
        assert p.grad is not None, name
        torch.testing.assert_close(p.grad, theirs_params[name].grad, **tol, msg=name)


def make_input(batched: bool, batch_first: bool, dtype: torch.dtype) -> torch.Tensor:
    if not batched:
        return torch.randn(T, D, dtype=dtype)
    return torch.randn(B, T, D, dtype=dtype) if batch_first else torch.randn(T, B, D, dtype=dtype)


def make_state(num_layers: int, batched: bool, dtype: torch.dtype) -> torch.Tensor:
    shape = (num_layers, B, H) if batched else (num_layers, H)
    return torch.randn(shape, dtype=dtype)


DTYPES = [torch.float32, torch.float64]


# --- parity with torch ----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "given_state"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["time_first", "batch_first"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_lstm_matches_torch(num_layers, batch_first, with_state, batched, dtype):
    theirs = nn.LSTM(D, H, num_layers, batch_first=batch_first, dtype=dtype)
    ours = LSTM.from_torch(theirs)
    x = make_input(batched, batch_first, dtype)
    hx = None
    if with_state:
        hx = (make_state(num_layers, batched, dtype), make_state(num_layers, batched, dtype))
    assert_parity(ours, theirs, x, hx)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "given_state"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["time_first", "batch_first"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_matches_torch(nonlinearity, num_layers, batch_first, with_state, batched, dtype):
    theirs = nn.RNN(D, H, num_layers, nonlinearity, batch_first=batch_first, dtype=dtype)
    ours = RNN.from_torch(theirs)
    x = make_input(batched, batch_first, dtype)
    hx = make_state(num_layers, batched, dtype) if with_state else None
    assert_parity(ours, theirs, x, hx)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("with_state", [False, True], ids=["zero_state", "given_state"])
def test_lstm_cell_matches_torch(with_state, batched, dtype):
    theirs = nn.LSTMCell(D, H, dtype=dtype)
    ours = LSTMCell.from_torch(theirs)
    x = torch.randn(B, D, dtype=dtype) if batched else torch.randn(D, dtype=dtype)
    state_shape = (B, H) if batched else (H,)
    hx = None
    if with_state:
        hx = (torch.randn(state_shape, dtype=dtype), torch.randn(state_shape, dtype=dtype))
    assert_parity(ours, theirs, x, hx)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("kind", ["lstm", "rnn", "cell"])
def test_without_bias_matches_torch(kind, dtype):
    if kind == "cell":
        theirs = nn.LSTMCell(D, H, bias=False, dtype=dtype)
        ours, x = LSTMCell.from_torch(theirs), torch.randn(B, D, dtype=dtype)
    else:
        torch_class, our_class = (nn.LSTM, LSTM) if kind == "lstm" else (nn.RNN, RNN)
        theirs = torch_class(D, H, 2, bias=False, dtype=dtype)
        ours, x = our_class.from_torch(theirs), torch.randn(T, B, D, dtype=dtype)
    assert not any("bias" in name for name, _ in ours.named_parameters())
    assert_parity(ours, theirs, x, None)


@pytest.mark.parametrize("torch_class, our_class", [(nn.LSTM, LSTM), (nn.RNN, RNN)])
def test_dropout_between_layers_matches_torch(torch_class, our_class):
    theirs = torch_class(D, H, num_layers=3, dropout=0.5)
    ours = our_class.from_torch(theirs)
    x = torch.randn(T, B, D)

    theirs.eval(), ours.eval()
    assert_parity(ours, theirs, x, None)

    theirs.train(), ours.train()
    torch.manual_seed(1)
    ours_train = ours(x)[0]
    assert not torch.allclose(ours_train, ours.eval()(x)[0]), "dropout had no effect in train mode"
    # Same seed, same masks: torch draws its dropout masks in the same order.
    torch.manual_seed(1)
    torch.testing.assert_close(ours_train, theirs(x)[0], **TOLERANCE[torch.float32])


def test_dropout_with_one_layer_warns_like_torch():
    with pytest.warns(UserWarning, match="num_layers=1"):
        LSTM(D, H, dropout=0.2)


# --- parameters and conversions -------------------------------------------------------------


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda b: LSTM(D, H, 3, bias=b), lambda b: nn.LSTM(D, H, 3, bias=b)),
        (lambda b: RNN(D, H, 2, bias=b), lambda b: nn.RNN(D, H, 2, bias=b)),
        (lambda b: LSTMCell(D, H, bias=b), lambda b: nn.LSTMCell(D, H, bias=b)),
    ],
    ids=["lstm", "rnn", "cell"],
)
def test_parameters_named_and_shaped_like_torch(ours, theirs, bias):
    ours, theirs = ours(bias), theirs(bias)
    shapes = [(name, p.shape) for name, p in ours.named_parameters()]
    assert shapes == [(name, p.shape) for name, p in theirs.named_parameters()]
    # State dicts load in both directions.
    ours.load_state_dict(theirs.state_dict())
    theirs.load_state_dict(ours.state_dict())
    fresh = type(ours)(D, 64)  # init as torch: U(-1/sqrt(H), 1/sqrt(H)) for every parameter
    values = torch.cat([p.detach().flatten() for p in fresh.parameters()])
    assert values.abs().max() <= 1 / 8
    assert values.abs().max() > 0.99 / 8
    torch.testing.assert_close(values.std().item(), 1 / 8 / 3**0.5, rtol=0.05, atol=0)


@pytest.mark.parametrize(
    "ours",
    [
        lambda: LSTM(D, H, 2, batch_first=True, dropout=0.25, dtype=torch.float64),
        lambda: RNN(D, H, 2, nonlinearity="relu", bias=False),
        lambda: LSTMCell(D, H, bias=False),
    ],
    ids=["lstm", "rnn", "cell"],
)
def test_to_torch_round_trip(ours):
    ours = ours().eval()
    theirs = ours.to_torch()
    assert type(theirs).__name__ == type(ours).__name__
    assert type(theirs).__module__.startswith("torch.nn")
    assert not theirs.training
    for name in ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout"]:
        assert getattr(theirs, name, None) == getattr(ours, name, None), name
    assert getattr(theirs, "nonlinearity", None) == getattr(ours, "nonlinearity", None)
    for (name, p), (name_t, p_t) in zip(
        ours.named_parameters(), theirs.named_parameters(), strict=True
    ):
        assert name == name_t and p.dtype == p_t.dtype
        assert torch.equal(p, p_t) and p.data_ptr() != p_t.data_ptr()  # a copy
    back = type(ours).from_torch(theirs)
    assert repr(back) == repr(ours)
    for p, q in zip(back.parameters(), ours.parameters(), strict=True):
        assert torch.equal(p, q)
    dtype = next(ours.parameters()).dtype
    x = (
        torch.randn(B, D, dtype=dtype)
        if isinstance(ours, LSTMCell)
        else torch.randn(T, B, D, dtype=dtype)
    )
    torch.testing.assert_close(flatten(ours(x)), flatten(theirs(x)))


def test_repr_shows_torch_arguments():
    assert repr(LSTM(D, H, 2, batch_first=True)) == "LSTM(5, 4, num_layers=2, batch_first=True)"
    assert repr(RNN(D, H, nonlinearity="relu")) == "RNN(5, 4, nonlinearity='relu')"
    assert repr(LSTMCell(D, H)) == "LSTMCell(5, 4)"


# --- gate traces ----------------------------------------------------------------------------


@pytest.mark.parametrize("batch_first", [False, True], ids=["time_first", "batch_first"])
def test_gate_trace_follows_the_equations(batch_first):
    dtype = torch.float64
    theirs = nn.LSTM(D, H, 2, batch_first=batch_first, dtype=dtype)
    ours = LSTM.from_torch(theirs)
    x = make_input(True, batch_first, dtype)
    h_0, c_0 = make_state(2, True, dtype), make_state(2, True, dtype)

    output, (h_n, c_n), gates = ours(x, (h_0, c_0), return_gates=True)
    plain_output, (plain_h, plain_c) = ours(x, (h_0, c_0))
    torch.testing.assert_close(output, plain_output, rtol=0, atol=0)
    torch.testing.assert_close((h_n, c_n), (plain_h, plain_c), rtol=0, atol=0)

    assert isinstance(gates, list) and len(gates) == 2
    time_dim = 1 if batch_first else 0
    layer_input = x.transpose(0, 1) if batch_first else x  # (T, B, D)
    for layer, trace in enumerate(gates):
        assert isinstance(trace, GateTrace)
        assert all(t.shape == output.shape for t in trace)
        i, f, g, o, c = (t.movedim(time_dim, 0) for t in trace)  # (T, B, H) each
        h = o * torch.tanh(c)  # h_t = o_t * tanh(c_t)
        c_prev = torch.cat([c_0[layer][None], c[:-1]])
        torch.testing.assert_close(c, f * c_prev + i * g)  # c_t = f_t * c_{t-1} + i_t * g_t
        torch.testing.assert_close(h[-1], h_n[layer])
        torch.testing.assert_close(c[-1], c_n[layer])

        # The gates themselves, from torch's weights and the layer's own inputs and states.
        h_prev = torch.cat([h_0[layer][None], h[:-1]])
        pre = (
            layer_input @ getattr(theirs, f"weight_ih_l{layer}").T
            + h_prev @ getattr(theirs, f"weight_hh_l{layer}").T
            + getattr(theirs, f"bias_ih_l{layer}")
            + getattr(theirs, f"bias_hh_l{layer}")
        )  # (T, B, 4H), in the order i, f, g, o
        pre_i, pre_f, pre_g, pre_o = pre.chunk(4, dim=-1)
        torch.testing.assert_close(i, torch.sigmoid(pre_i))
        torch.testing.assert_close(f, torch.sigmoid(pre_f))
        torch.testing.assert_close(g, torch.tanh(pre_g))
        torch.testing.assert_close(o, torch.sigmoid(pre_o))
        layer_input = h

    last = layer_input.transpose(0, 1) if batch_first else layer_input
    torch.testing.assert_close(last, output)


def test_gate_trace_unbatched_and_differentiable():
    ours = LSTM(D, H)
    x = torch.randn(T, D, requires_grad=True)
    output, (h_n, c_n), (trace,) = ours(x, return_gates=True)
    assert output.shape == (T, H) and h_n.shape == c_n.shape == (1, H)
    assert all(t.shape == (T, H) for t in trace)
    assert trace.f.min() > 0 and trace.f.max() < 1
    assert trace.g.min() > -1 and trace.g.max() < 1
    trace.f[-1].sum().backward()  # e.g. saliency of a gate
    assert x.grad is not None and x.grad.abs().sum() > 0


# --- speed: the structure of the graph ------------------------------------------------------


def graph_nodes(t: torch.Tensor) -> list[str]:
    seen, stack, names = set(), [t.grad_fn], []
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.append(type(node).__name__)
        stack.extend(next_fn for next_fn, _ in node.next_functions)
    return names


@pytest.mark.parametrize("our_class", [LSTM, RNN])
def test_one_matmul_per_step_and_no_per_step_indexing(our_class):
    steps, layers = 30, 2
    model = our_class(D, H, layers, batch_first=True)
    output = model(torch.randn(B, steps, D, requires_grad=True))[0]
    names = graph_nodes(output)
    matmuls = names.count("AddmmBackward0") + names.count("MmBackward0")
    # h W_hh^T once per step, and x W_ih^T once per layer for all steps.
    assert steps * layers <= matmuls <= (steps + 1) * layers
    assert names.count("UnbindBackward0") == layers  # the input projection, split once
    # Indexing a tensor that requires grad step by step makes backward quadratic in T.
    assert not any(name.startswith(("SelectBackward", "SliceBackward")) for name in names)


# --- errors ---------------------------------------------------------------------------------


def lstm_call(x, hx=None, **kwargs):
    return LSTM(D, H, **kwargs)(x, hx)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: lstm_call(torch.randn(T, B, 7)),
            ValueError,
            r"input_size 7.*expected input_size 5",
        ),
        (
            lambda: lstm_call(torch.randn(2, T, B, D)),
            ValueError,
            r"2-D or 3-D, got 4-D.*\(2, 6, 3, 5\)",
        ),
        (lambda: lstm_call(torch.randn(D)), ValueError, r"2-D or 3-D, got 1-D"),
        (lambda: lstm_call([[1.0] * D] * T), TypeError, r"torch.Tensor, got list"),
        (
            lambda: lstm_call(torch.ones(T, B, D, dtype=torch.long)),
            TypeError,
            r"floating-point.*torch.int64",
        ),
        (
            lambda: lstm_call(torch.randn(T, B, D, dtype=torch.float64)),
            TypeError,
            r"torch.float64.*torch.float32",
        ),
        (lambda: lstm_call(torch.randn(0, B, D)), ValueError, r"sequence length 0"),
        (
            lambda: lstm_call(torch.randn(T, B, D), (torch.zeros(1, 4, H), torch.zeros(1, 4, H))),
            ValueError,
            r"h_0 has batch size 4 in dimension 1 \(shape \(1, 4, 4\)\), expected batch size 3",
        ),
        (
            lambda: lstm_call(torch.randn(B, T, D), (torch.zeros(1, T, H),) * 2, batch_first=True),
            ValueError,
            r"h_0 has batch size 6.*expected batch size 3",
        ),
        (
            lambda: lstm_call(torch.randn(T, B, D), (torch.zeros(1, B, H), torch.zeros(1, B, 9))),
            ValueError,
            r"c_0 has hidden_size 9.*expected hidden_size 4",
        ),
        (
            lambda: lstm_call(torch.randn(T, B, D), (torch.zeros(1, B, H),) * 2, num_layers=2),
            ValueError,
            r"h_0 has num_layers 1.*expected num_layers 2",
        ),
        (
            lambda: lstm_call(torch.randn(T, B, D), (torch.zeros(B, H),) * 2),
            ValueError,
            r"h_0 \(for batched input\) must be 3-D, got 2-D with shape \(3, 4\)",
        ),
        (
            lambda: lstm_call(torch.randn(T, D), (torch.zeros(1, 1, H),) * 2),
            ValueError,
            r"h_0 \(for unbatched input\) must be 2-D, got 3-D",
        ),
        (
            lambda: lstm_call(torch.randn(T, B, D), torch.zeros(1, B, H)),
            TypeError,
            r"tuple \(h_0, c_0\) of tensors, got Tensor",
        ),
        (
            lambda: lstm_call(torch.randn(T, B, D), (torch.zeros(1, B, H, dtype=torch.int32),) * 2),
            TypeError,
            r"h_0.*floating-point.*torch.int32",
        ),
        (
            lambda: RNN(D, H)(torch.randn(T, B, D), torch.zeros(1, 2, H)),
            ValueError,
            r"h_0 has batch size 2.*expected batch size 3",
        ),
        (
            lambda: RNN(D, H)(torch.randn(T, B, 2)),
            ValueError,
            r"input_size 2.*expected input_size 5",
        ),
        (
            lambda: LSTMCell(D, H)(torch.randn(B, 8)),
            ValueError,
            r"input_size 8.*expected input_size 5",
        ),
        (lambda: LSTMCell(D, H)(torch.randn(T, B, D)), ValueError, r"1-D or 2-D, got 3-D"),
        (
            lambda: LSTMCell(D, H)(torch.randn(B, D), (torch.zeros(2, H), torch.zeros(2, H))),
            ValueError,
            r"h has batch size 2.*expected batch size 3",
        ),
        (
            lambda: LSTMCell(D, H)(torch.randn(B, D), (torch.zeros(B, H), torch.zeros(B, 3))),
            ValueError,
            r"c has hidden_size 3.*expected hidden_size 4",
        ),
    ],
    ids=[
        "feature_size",
        "rank_4",
        "rank_1",
        "not_a_tensor",
        "integer_dtype",
        "dtype_mismatch",
        "empty_sequence",
        "state_batch",
        "state_batch_first",
        "state_hidden",
        "state_layers",
        "state_rank_batched",
        "state_rank_unbatched",
        "state_not_pair",
        "state_integer",
        "rnn_state_batch",
        "rnn_feature_size",
        "cell_feature_size",
        "cell_rank",
        "cell_state_batch",
        "cell_state_hidden",
    ],
)
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda: LSTM(D, 0), ValueError, r"hidden_size must be >= 1, got 0"),
        (lambda: LSTM(-1, H), ValueError, r"input_size must be >= 1, got -1"),
        (lambda: LSTM(D, H, num_layers=0), ValueError, r"num_layers must be >= 1, got 0"),
        (lambda: RNN(D, 2.5), TypeError, r"hidden_size must be an int, got float"),
        (lambda: LSTMCell(D, 0), ValueError, r"hidden_size must be >= 1, got 0"),
        (
            lambda: RNN(D, H, nonlinearity="sigmoid"),
            ValueError,
            r"\['tanh', 'relu'\], got 'sigmoid'",
        ),
        (lambda: LSTM(D, H, 2, dropout=1.5), ValueError, r"dropout must be in \[0, 1\].*got 1.5"),
        (lambda: LSTM(D, H, batch_first="yes"), TypeError, r"batch_first must be a bool, got str"),
        (lambda: LSTM(D, H, bidirectional=True), NotImplementedError, r"bidirectional"),
        (lambda: RNN(D, H, bidirectional=True), NotImplementedError, r"bidirectional"),
        (lambda: LSTM(D, H, proj_size=2), NotImplementedError, r"proj_size=2"),
        (
            lambda: LSTM.from_torch(nn.LSTM(D, H, bidirectional=True)),
            NotImplementedError,
            r"bidirectional",
        ),
        (lambda: LSTM.from_torch(nn.GRU(D, H)), TypeError, r"torch.nn.LSTM, got GRU"),
        (lambda: RNN.from_torch(nn.LSTM(D, H)), TypeError, r"torch.nn.RNN, got LSTM"),
        (lambda: LSTMCell.from_torch(nn.LSTM(D, H)), TypeError, r"torch.nn.LSTMCell, got LSTM"),
    ],
    ids=[
        "hidden_zero",
        "input_negative",
        "layers_zero",
        "hidden_float",
        "cell_hidden_zero",
        "nonlinearity",
        "dropout_range",
        "batch_first_type",
        "lstm_bidirectional",
        "rnn_bidirectional",
        "proj_size",
        "from_torch_bidirectional",
        "from_torch_wrong_type",
        "rnn_from_torch_wrong_type",
        "cell_from_torch_wrong_type",
    ],
)
def test_bad_arguments_raise_a_clear_error(build, error, match):
    with pytest.raises(error, match=match):
        build()


# --- flags are real bools; empty sequences are refused as torch refuses them -----------------


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: LSTM(D, H, bidirectional="False"), r"bidirectional must be a bool, got str"),
        (lambda: RNN(D, H, bias="no"), r"bias must be a bool, got str"),
        (lambda: RNN(D, H, batch_first=1), r"batch_first must be a bool, got int"),
        (lambda: LSTMCell(D, H, bias=None), r"bias must be a bool, got NoneType"),
        (lambda: LSTM(D, H)(torch.randn(T, D), return_gates="no"), r"return_gates must be a bool"),
    ],
    ids=["bidirectional_str", "rnn_bias_str", "batch_first_int", "cell_bias_none", "return_gates"],
)
def test_flags_must_be_bools(build, match):
    with pytest.raises(TypeError, match=match):
        build()


def test_numpy_bools_are_bools():
    lstm = LSTM(D, H, batch_first=np.bool_(True), bias=np.bool_(True))
    assert lstm.batch_first is True and lstm.bias is True
    assert lstm(torch.randn(B, T, D))[0].shape == (B, T, H)
    assert lstm.to_torch().batch_first is True


@pytest.mark.parametrize("cls", [LSTM, RNN])
@pytest.mark.parametrize("batch_first", [False, True])
def test_zero_length_sequence_raises_like_torch(cls, batch_first):
    x = torch.randn(B, 0, D) if batch_first else torch.randn(0, B, D)
    with pytest.raises(RuntimeError, match="sequence length"):  # what torch.nn does
        cls._torch_class(D, H, batch_first=batch_first)(x)
    with pytest.raises(ValueError, match=r"input has sequence length 0 .*must be >= 1"):
        cls(D, H, batch_first=batch_first)(x)
    with pytest.raises(ValueError, match=r"input has sequence length 0 in dimension 0"):
        cls(D, H)(torch.randn(0, D))  # unbatched
