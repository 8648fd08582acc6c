"""seqlib.exercises, round 1: right answers pass, each usual mistake gets its own hint."""

import math

import pytest
import torch

from seqlib.exercises import check_attention_weights, check_lstm_step, check_memory_sizes

# ---------------------------------------------------------------------------------------------
# LSTM step
# ---------------------------------------------------------------------------------------------


def lstm_step(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh, *, order="ifgo", **mistake):
    """The solution, or (with keyword arguments) one of the usual wrong versions."""
    gates = x @ weight_ih.T + bias_ih
    if not mistake.get("no_h"):
        gates = gates + h @ weight_hh.T
    if not mistake.get("no_bias_hh"):
        gates = gates + bias_hh
    blocks = dict(zip(order, gates.chunk(4, dim=1), strict=True))
    i, f, o = (torch.sigmoid(blocks[name]) for name in "ifo")
    g = torch.sigmoid(blocks["g"]) if mistake.get("sigmoid_g") else torch.tanh(blocks["g"])
    c_new = f * c + i * g
    h_new = o * c_new if mistake.get("no_tanh") else o * torch.tanh(c_new)
    if mistake.get("swap"):
        return c_new, h_new
    return h_new, c_new


def wrong(**mistake):
    return lambda *args: lstm_step(*args, **mistake)


def test_lstm_step_solution_passes(capsys):
    assert check_lstm_step(lstm_step) is True
    out = capsys.readouterr().out
    assert out.startswith("✅") and "torch.nn.LSTMCell" in out


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        ({"order": "ifog"}, "order i, f, o, g"),
        ({"order": "figo"}, "order f, i, g, o"),
        ({"sigmoid_g": True}, "tanh, not sigmoid"),
        ({"no_tanh": True}, "tanh of the cell state is missing"),
        ({"no_h": True}, "recurrent term is missing"),
        ({"no_bias_hh": True}, "bias_hh is missing"),
        ({"swap": True}, "right but swapped"),
    ],
)
def test_lstm_step_mistakes_get_their_hint(capsys, mistake, hint):
    assert check_lstm_step(wrong(**mistake)) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and hint in out


def test_lstm_step_shape_and_return_mistakes(capsys):
    def only_h(*args):
        return lstm_step(*args)[0]

    def gates_only(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh):
        gates = x @ weight_ih.T + h @ weight_hh.T
        return gates, c

    def transposed(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh):
        return x @ weight_ih, c

    def placeholder(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh): ...

    cases = [
        (only_h, "return h_new, c_new"),
        (gates_only, ".chunk(4, dim=1)"),
        (transposed, "x @ weight.T"),
        (placeholder, "returned None"),
        (lambda *args: [1.0, 2.0], "should be a torch.Tensor"),
        (lambda *args: (torch.zeros(2), torch.zeros(2), torch.zeros(2)), "of length 3"),
    ]
    for fn, hint in cases:
        assert check_lstm_step(fn) is False
        out = capsys.readouterr().out
        assert out.startswith("❌") and hint in out, (fn, out)


def test_lstm_step_unknown_mistake_gets_the_equations(capsys):
    assert check_lstm_step(lambda x, h, c, *weights: (h * 0.5, c * 0.5)) is False
    assert "c_new = f * c + i * g" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# Attention weights
# ---------------------------------------------------------------------------------------------


def attention_weights(query, key):
    return torch.softmax(query @ key.T / math.sqrt(query.shape[-1]), dim=-1)


def test_attention_solution_passes(capsys):
    assert check_attention_weights(attention_weights) is True
    assert capsys.readouterr().out.startswith("✅")


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (lambda q, k: torch.softmax(q @ k.T, dim=-1), "without scaling"),
        (lambda q, k: torch.softmax(q @ k.T / q.shape[-1], dim=-1), "divided the scores by d"),
        (lambda q, k: torch.softmax(q @ k.T / q.shape[-1] ** 0.5, dim=0), "softmax ran over"),
        (lambda q, k: q @ k.T / q.shape[-1] ** 0.5, "scaled scores"),
        (lambda q, k: q @ k.T, "raw scores"),
        (lambda q, k: attention_weights(q, k).T, "transposed"),
        (lambda q, k: attention_weights(q, k)[None], "should have shape (L, S)"),
        (lambda q, k: attention_weights(q, k).numpy(), "should be a torch.Tensor"),
    ],
)
def test_attention_mistakes_get_their_hint(capsys, fn, hint):
    assert check_attention_weights(fn) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and hint in out


# ---------------------------------------------------------------------------------------------
# Memory sizes
# ---------------------------------------------------------------------------------------------


def memory_sizes(d_model, num_layers, length):
    return 2 * d_model * num_layers, 2 * length * d_model * num_layers


def test_memory_solution_passes(capsys):
    assert check_memory_sizes(memory_sizes) is True
    out = capsys.readouterr().out
    assert out.startswith("✅") and "6,144 floats" in out  # 2 * 512 * 6


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (lambda d, n, t: (d * n, 2 * t * d * n), "h AND c"),
        (lambda d, n, t: (2 * d * n, t * d * n), "keys AND the values"),
        (lambda d, n, t: (2 * d, 2 * t * d), "multiply by num_layers"),
        (lambda d, n, t: (2 * d * n * t, 2 * t * d * n), "does not grow with the length"),
        (lambda d, n, t: (2 * t * d * n, 2 * d * n), "right but swapped"),
        (lambda d, n, t: 2 * d * n, "should return a pair"),
        (lambda d, n, t: ("2", 2), "should be a number"),
    ],
)
def test_memory_mistakes_get_their_hint(capsys, fn, hint):
    assert check_memory_sizes(fn) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and hint in out


def test_memory_accepts_numpy_and_tensor_numbers(capsys):
    assert check_memory_sizes(lambda d, n, t: map(torch.tensor, memory_sizes(d, n, t))) is False
    capsys.readouterr()
    assert check_memory_sizes(lambda d, n, t: tuple(map(torch.tensor, memory_sizes(d, n, t))))
    assert check_memory_sizes(lambda d, n, t: tuple(float(v) for v in memory_sizes(d, n, t)))
