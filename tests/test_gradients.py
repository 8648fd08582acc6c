"""seqlib.gradients: the gradient-by-distance curves are the Jacobian norms they claim to be."""

import math

import pytest
import torch

from seqlib.gradients import (
    format_gradient_flow_summary,
    gradient_by_distance,
    gradient_flow,
    gradient_flow_curves,
    gradient_flow_summary,
    set_chrono_bias,
    set_forget_bias,
)
from seqlib.lstm import LSTM


def test_matches_the_full_jacobian():
    torch.manual_seed(0)
    rnn = torch.nn.RNN(3, 4, batch_first=True)
    x = torch.randn(1, 6, 3)
    norms = gradient_by_distance(lambda x: rnn(x)[0], x)
    jac = torch.autograd.functional.jacobian(lambda x: rnn(x)[0][:, -1], x)  # (1, 4, 1, 6, 3)
    expected = jac[0, :, 0].pow(2).sum(dim=(0, 2)).sqrt().flip(0)  # (6,) by distance
    torch.testing.assert_close(norms, expected)


def test_a_model_that_ignores_the_past_has_zero_gradient_there():
    norms = gradient_by_distance(lambda x: x * 2.0, torch.randn(2, 5, 3))
    assert norms[0] == pytest.approx(2.0 * 3**0.5)  # d(2 x_T)/d x_T = 2 I (3x3)
    assert torch.all(norms[1:] == 0)


def test_the_shapes_of_forgetting():
    curves = gradient_flow_curves(length=60, d_model=16)
    rnn, lstm, attention = curves["rnn"], curves["lstm"], curves["attention"]
    assert rnn.shape == lstm.shape == attention.shape == (60,)
    # the vanilla RNN's gradient vanishes geometrically with distance
    assert rnn[40] / rnn[1] < 1e-6
    # attention's path is one step long: distance barely matters
    assert attention[50] / attention[1] > 0.1
    # a forget gate that starts open lets the cell state carry the gradient far back
    open_gate = gradient_flow("lstm", length=60, d_model=16, forget_bias=3.0)
    assert open_gate[50] / open_gate[1] > 100 * (lstm[50] / lstm[1])


def test_bad_input():
    with pytest.raises(ValueError, match="name must be one of"):
        gradient_flow("gru")
    with pytest.raises(ValueError, match="x must be 3-D"):
        gradient_by_distance(lambda x: x, torch.randn(4, 3))
    with pytest.raises(ValueError, match="length must be >= 1"):
        gradient_flow("rnn", length=0)


@pytest.mark.parametrize("make", [torch.nn.LSTM, LSTM])
def test_set_forget_bias_opens_every_forget_gate(make):
    lstm = make(3, 5, num_layers=2, batch_first=True)
    assert set_forget_bias(lstm, 1.0) is lstm
    for layer in range(2):
        total = getattr(lstm, f"bias_ih_l{layer}") + getattr(lstm, f"bias_hh_l{layer}")  # (4H,)
        i, f, g, o = total.detach().chunk(4)
        assert torch.all(f == 1.0)
    # at zero input and state, every forget gate is sigmoid(1)
    cell = torch.nn.LSTMCell(3, 5)
    reference = torch.nn.LSTM(3, 5)
    set_forget_bias(reference, 1.0)
    cell.load_state_dict({k[:-3]: v for k, v in reference.state_dict().items()})
    gates = cell.bias_ih + cell.bias_hh  # (4H,)
    assert torch.sigmoid(gates.chunk(4)[1]).detach() == pytest.approx(
        [torch.sigmoid(torch.tensor(1.0)).item()] * 5
    )


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: set_forget_bias(torch.nn.GRU(2, 3)), TypeError, "torch.nn.LSTM or seqlib.LSTM"),
        (lambda: set_forget_bias(torch.nn.LSTM(2, 3), "1"), TypeError, "value must be a number"),
        (lambda: set_forget_bias(torch.nn.LSTM(2, 3, bias=False)), ValueError, "no biases"),
    ],
)
def test_set_forget_bias_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize("make", [torch.nn.LSTM, LSTM])
def test_chrono_bias_times_each_forget_gate_and_shuts_its_input_gate(make):
    lstm = make(3, 200, num_layers=2, batch_first=True)
    assert set_chrono_bias(lstm, 50, seed=1) is lstm
    for layer in range(2):
        total = getattr(lstm, f"bias_ih_l{layer}") + getattr(lstm, f"bias_hh_l{layer}")  # (4H,)
        i, f, g, o = total.detach().chunk(4)
        assert torch.all(f >= 0) and torch.all(f <= math.log(49) + 1e-6)  # log u, u in [1, 49]
        torch.testing.assert_close(i, -f)
        # e^{b_f} is uniform on [1, T - 1]: its mean is near the middle, 25
        assert 20 < f.exp().mean() < 30
    again = set_chrono_bias(make(3, 200, num_layers=2), 50, seed=1)
    torch.testing.assert_close(again.bias_ih_l0[:400], lstm.bias_ih_l0[:400])  # i, f: seeded


def test_chrono_bias_keeps_the_gradient_where_the_default_loses_it():
    torch.manual_seed(0)
    default, chrono = torch.nn.LSTM(8, 16, batch_first=True), torch.nn.LSTM(8, 16, batch_first=True)
    set_chrono_bias(chrono, 200, seed=0)
    x = torch.randn(2, 120, 8)
    near_far = {}
    for name, lstm in (("default", default), ("chrono", chrono)):
        curve = gradient_by_distance(lambda inp, lstm=lstm: lstm(inp)[0], x)
        near_far[name] = (curve[100] / curve[1]).item()
    assert near_far["chrono"] > 1e3 * near_far["default"]


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: set_chrono_bias(torch.nn.GRU(2, 3), 10), TypeError, "torch.nn.LSTM"),
        (lambda: set_chrono_bias(torch.nn.LSTM(2, 3), 2), ValueError, "at least 3"),
        (lambda: set_chrono_bias(torch.nn.LSTM(2, 3), 0), ValueError, "t_max"),
        (lambda: set_chrono_bias(torch.nn.LSTM(2, 3, bias=False), 10), ValueError, "no biases"),
    ],
)
def test_set_chrono_bias_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_summary_on_hand_made_curves():
    curves = {
        "halves": torch.tensor([8.0, 1.0, 0.5, 0.25, 0.125]),  # 1 / 2^(k-1) from distance 1
        "flat": torch.tensor([5.0, 2.0, 2.0, 2.0, 2.0]),
        "dip": torch.tensor([1.0, 1.0, 1e-9, 0.5, 1e-9]),  # dips and recovers at distance 3
        "dead": torch.tensor([1.0, 0.0, 0.0, 0.0, 0.0]),
    }
    rows = gradient_flow_summary(curves, threshold=0.3)
    assert [row.model for row in rows] == ["halves", "flat", "dip", "dead"]
    halves, flat, dip, dead = rows
    assert halves.length == 5
    assert (halves.at_1, halves.at_last, halves.ratio) == (1.0, 0.125, 0.125)
    assert halves.reach == 2  # 0.5 >= 0.3 at distance 2, 0.25 < 0.3 at distance 3
    assert flat.ratio == 1.0 and flat.reach == 4  # all the way back: T - 1
    assert dip.reach == 3  # the largest distance above the threshold, not the first drop
    assert dead.reach == 0 and math.isnan(dead.ratio)
    assert all(row.threshold == 0.3 for row in rows)
    assert gradient_flow_summary(curves)[0].reach == 4  # default 1e-3: 0.125 >= 0.001


def test_summary_bad_input():
    with pytest.raises(TypeError, match="curves must be a mapping"):
        gradient_flow_summary(torch.ones(5))
    with pytest.raises(ValueError, match=r"at least 2 distances .* got shape \(1,\)"):
        gradient_flow_summary({"a": torch.ones(1)})
    with pytest.raises(ValueError, match="threshold must be in"):
        gradient_flow_summary({"a": torch.ones(3)}, threshold=0)


def test_format_summary_is_an_html_table():
    rows = gradient_flow_summary({"<rnn>": torch.tensor([1.0, 0.5, 0.25])})
    text = format_gradient_flow_summary(rows)
    assert text.startswith("<table>") and text.count("<tr>") == 2  # header + one model
    assert "&lt;rnn&gt;" in text  # names are escaped
    assert "5.00e-01" in text and "2.50e-01" in text and "5.0e-01" in text
    assert "2 of 2" in text  # reach of T - 1
    assert "tick at least one" in format_gradient_flow_summary([])


# ---------------------------------------------------------------------------------------------
# A learner's plausible mistakes: a NaN bias, a string, an nn.LSTM that returns a tuple
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("bias", "error", "match"), [
    (float("nan"), ValueError, "forget_bias must be finite"),
    (float("inf"), ValueError, "forget_bias must be finite"),
    ("1", TypeError, "forget_bias must be a number"),
])  # fmt: skip
def test_gradient_flow_checks_the_forget_bias(bias, error, match):
    with pytest.raises(error, match=match):
        gradient_flow("lstm", length=4, d_model=4, forget_bias=bias)


def test_set_forget_bias_checks_the_value():
    import numpy as np

    lstm = torch.nn.LSTM(3, 4)
    with pytest.raises(ValueError, match="value must be finite"):
        set_forget_bias(lstm, float("nan"))
    with pytest.raises(TypeError, match="value must be a number"):
        set_forget_bias(lstm, "1")
    set_forget_bias(lstm, np.float32(2.0))
    assert torch.all(lstm.bias_ih_l0[4:8] == 2.0)


def test_gradient_by_distance_needs_a_model_returning_a_sequence():
    x = torch.randn(2, 5, 4)
    lstm = torch.nn.LSTM(4, 4, batch_first=True)
    with pytest.raises(TypeError, match=r"model must return a tensor \(B, T, d\).*lstm\(x\)\[0\]"):
        gradient_by_distance(lstm, x)
    assert gradient_by_distance(lambda x: lstm(x)[0], x).shape == (5,)
    with pytest.raises(ValueError, match=r"model must return a tensor \(B, T, d\).*\(2, 4\)"):
        gradient_by_distance(lambda x: lstm(x)[0][:, -1], x)
    with pytest.raises(TypeError, match="model must be callable"):
        gradient_by_distance("lstm", x)


def test_gradient_flow_curves_needs_a_list_of_names():
    with pytest.raises(TypeError, match="names must be a list"):
        gradient_flow_curves("lstm", length=4, d_model=4)


def test_format_summary_needs_rows_from_the_summary():
    with pytest.raises(TypeError, match="rows must be GradientReach rows"):
        format_gradient_flow_summary([{"model": "lstm"}])
