"""seqlib.exercises, round 2: right answers pass, each usual mistake gets its own hint."""

import statistics
import time

import pytest

from seqlib.exercises import (
    check_parameter_counts,
    check_sequential_steps,
    check_timing_function,
)

# ---------------------------------------------------------------------------------------------
# Parameter counts
# ---------------------------------------------------------------------------------------------


def lstm_params(i, h):
    return 4 * (i * h + h * h + 2 * h)


def transformer_params(d, ff):
    return 4 * d * d + 4 * d + 2 * d * ff + ff + d + 4 * d


def test_parameter_counts_solution_passes(capsys):
    assert check_parameter_counts(lstm_params, transformer_params) is True
    out = capsys.readouterr().out
    assert out.startswith("✅") and "49,664" in out and "593,024" in out


@pytest.mark.parametrize(
    ("wrong_lstm", "hint"),
    [
        (lambda i, h: 4 * (i * h + h * h + h), "TWO bias vectors"),
        (lambda i, h: i * h + h * h + 2 * h, "four gates"),
        (lambda i, h: 4 * (i * h + 2 * h), "recurrent weight (H, H)"),
        (lambda i, h: 4 * (i * h + h * h), "biases too"),
        (lambda i, h: 3 * (i * h + h * h + 2 * h), "GRU"),
        (lambda i, h: 7, "per gate"),
    ],
)
def test_lstm_count_mistakes_get_their_hint(capsys, wrong_lstm, hint):
    assert check_parameter_counts(wrong_lstm, transformer_params) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and "nn.LSTM(128, 64) has 49,664" in out and hint in out


@pytest.mark.parametrize(
    ("wrong_transformer", "hint"),
    [
        (lambda d, ff: 4 * d * d + 4 * d + 2 * d * ff + ff + d, "two LayerNorms"),
        (lambda d, ff: 4 * d * d + 2 * d * ff + ff + d + 4 * d, "biases of the four attention"),
        (lambda d, ff: 4 * d * d + 4 * d + 4 * d, "feed-forward block"),
        (lambda d, ff: 2 * d * ff + ff + d + 4 * d, "attention block is missing"),
        (lambda d, ff: 3 * d * d + 3 * d + 2 * d * ff + ff + d + 4 * d, "FOUR projections"),
        (lambda d, ff: 4 * d * d + 4 * d + 2 * d * ff + 4 * d, "have biases (ff,)"),
        (lambda d, ff: transformer_params(d, 4 * d), "not 4 x d_model"),
        (lambda d, ff: 1, "The number of heads adds nothing"),
    ],
)
def test_transformer_count_mistakes_get_their_hint(capsys, wrong_transformer, hint):
    assert check_parameter_counts(lstm_params, wrong_transformer) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and "has 593,024" in out and hint in out


# ---------------------------------------------------------------------------------------------
# Sequential steps
# ---------------------------------------------------------------------------------------------


def steps(backbone, length, layers):
    return length + layers - 1 if backbone == "lstm" else layers


def test_sequential_steps_solution_passes(capsys):
    assert check_sequential_steps(steps) is True
    out = capsys.readouterr().out
    assert out.startswith("✅") and "4,107 steps" in out and "Transformer's 12" in out


@pytest.mark.parametrize(
    ("lstm_answer", "transformer_answer", "hint"),
    [
        (lambda t, n: t * n, lambda t, n: n, "wavefront"),
        (lambda t, n: t, lambda t, n: n, "every extra layer adds one step"),
        (lambda t, n: n, lambda t, n: n, "h_t needs h_{t-1}"),
        (lambda t, n: t + n, lambda t, n: n, "count cells, not arrows"),
        (lambda t, n: t + n - 1, lambda t, n: t * n, "T does not appear"),
        (lambda t, n: t + n - 1, lambda t, n: 1, "one step per layer"),
        (lambda t, n: t + n - 1, lambda t, n: t + n - 1, "the LSTM's answer"),
    ],
)
def test_sequential_steps_mistakes_get_their_hint(capsys, lstm_answer, transformer_answer, hint):
    def fn(backbone, length, layers):
        answer = lstm_answer if backbone == "lstm" else transformer_answer
        return answer(length, layers)

    assert check_sequential_steps(fn) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and hint in out


# ---------------------------------------------------------------------------------------------
# A timing function
# ---------------------------------------------------------------------------------------------


def time_per_call(f, repeats, *, warmup=1, summary=statistics.median, unit=1.0, total=False):
    """The solution, or (with keyword arguments) one of the usual wrong versions."""
    for _ in range(warmup):
        f()
    if total:
        start = time.perf_counter()
        for _ in range(repeats):
            f()
        return (time.perf_counter() - start) * unit
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return summary(times) * unit


def test_timing_solution_passes(capsys):
    assert check_timing_function(time_per_call) is True
    out = capsys.readouterr().out
    assert out.startswith("✅") and "1 warm-up call(s)" in out
    assert check_timing_function(lambda f, n: time_per_call(f, n, warmup=3, summary=min))


@pytest.mark.parametrize(
    ("kwargs", "hint"),
    [
        ({"warmup": 0}, "no warm-up"),
        ({"summary": statistics.mean}, "return the median"),
        ({"warmup": 0, "summary": statistics.mean}, "return the median"),
        ({"total": True}, "the time of ONE call"),
        ({"unit": 1e3}, "not ms"),
        ({"summary": lambda times: 0.0}, "start the clock before the call"),
    ],
)
def test_timing_mistakes_get_their_hint(capsys, kwargs, hint):
    assert check_timing_function(lambda f, n: time_per_call(f, n, **kwargs)) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and hint in out


def test_timing_too_few_calls(capsys):
    assert check_timing_function(lambda f, n: time_per_call(f, 2)) is False
    assert "time `repeats` calls" in capsys.readouterr().out
