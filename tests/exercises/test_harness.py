"""What every exercise checker shares, tested on all thirteen.

A checker never raises because of a learner's answer (an exception, an odd type, a lower
precision, a function that breaks on its last call), type-checks what it compares, says "not
done yet" for NotImplementedError, and raises TypeError only when it is not given a function.
"""

from __future__ import annotations

import math
import statistics
import time

import numpy as np
import pytest
import torch

import seqlib.exercises
from seqlib.exercises import (
    check_attention_weights,
    check_cost_per_million,
    check_crossover,
    check_find_head,
    check_integrated_gradients,
    check_linear_scan,
    check_lstm_step,
    check_memory_sizes,
    check_parameter_counts,
    check_rollout,
    check_seasonal_naive,
    check_sequential_steps,
    check_timing_function,
)
from seqlib.interpret import attention_rollout, choose_head

# ---------------------------------------------------------------------------------------------
# A right answer to every exercise
# ---------------------------------------------------------------------------------------------


def lstm_step(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh):
    gates = x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh
    i, f, g, o = gates.chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new


def attention_weights(query, key):
    return torch.softmax(query @ key.T / math.sqrt(query.shape[-1]), dim=-1)


def memory_sizes(d_model, num_layers, length):
    return 2 * d_model * num_layers, 2 * length * d_model * num_layers


def lstm_params(i, h):
    return 4 * (i * h + h * h + 2 * h)


def transformer_params(d, ff):
    return 4 * d * d + 4 * d + 2 * d * ff + ff + d + 4 * d


def sequential_steps(backbone, length, num_layers):
    return length + num_layers - 1 if backbone == "lstm" else num_layers


def time_it(f, repeats):
    f()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def integrated_gradients(f, x, baseline, steps):
    total = torch.zeros_like(x)
    for k in range(steps):
        point = (baseline + (k + 0.5) / steps * (x - baseline)).requires_grad_(True)
        (grad,) = torch.autograd.grad(f(point), point)
        total += grad
    return total / steps * (x - baseline)


def cost_per_million(tokens_per_second, price_per_hour):
    return price_per_hour / (tokens_per_second * 3600) * 1e6


def crossover(sizes, acc_lstm, acc_transformer):
    for size, a, b in zip(sizes, acc_lstm, acc_transformer, strict=True):
        if b >= a:
            return size
    return None


def linear_scan(a, b, h0):
    A = torch.cumprod(a, dim=1)  # (B, T, H)
    return A * (h0[:, None] + torch.cumsum(b / A, dim=1))


def seasonal_naive(windows, period):
    return windows[:, windows.shape[1] - period]


# name: (how to run the checker on one function, the right answer, whether it returns tensors)
CHECKERS = {
    "lstm_step": (check_lstm_step, lstm_step, True),
    "attention_weights": (check_attention_weights, attention_weights, True),
    "memory_sizes": (check_memory_sizes, memory_sizes, False),
    "parameter_counts (lstm)": (
        lambda fn: check_parameter_counts(fn, transformer_params),
        lstm_params,
        False,
    ),
    "parameter_counts (transformer)": (
        lambda fn: check_parameter_counts(lstm_params, fn),
        transformer_params,
        False,
    ),
    "sequential_steps": (check_sequential_steps, sequential_steps, False),
    "timing_function": (check_timing_function, time_it, False),
    "rollout": (check_rollout, attention_rollout, True),
    "integrated_gradients": (check_integrated_gradients, integrated_gradients, True),
    "find_head": (check_find_head, choose_head, False),
    "cost_per_million": (check_cost_per_million, cost_per_million, False),
    "crossover": (check_crossover, crossover, False),
    "linear_scan": (check_linear_scan, linear_scan, True),
    "seasonal_naive": (check_seasonal_naive, seasonal_naive, True),
}
NAMES = list(CHECKERS)
TENSOR_NAMES = [name for name in NAMES if CHECKERS[name][2]]
COUNT_NAMES = [  # answers that are numbers of things: counts, steps, money, an index
    name for name in NAMES if name not in TENSOR_NAMES + ["timing_function", "crossover"]
]


def test_every_checker_is_covered():
    covered = {name.split(" ")[0] for name in CHECKERS}  # "parameter_counts (lstm)": both halves
    assert {name.removeprefix("check_") for name in seqlib.exercises.__all__} == covered


def run(name, fn):
    return CHECKERS[name][0](fn)


@pytest.mark.parametrize("name", NAMES)
def test_the_right_answer_passes(capsys, name):
    assert run(name, CHECKERS[name][1]) is True
    assert capsys.readouterr().out.startswith("✅")


@pytest.mark.parametrize("name", NAMES)
def test_not_done_yet(capsys, name):
    def todo(*args):
        raise NotImplementedError

    assert run(name, todo) is False
    out = capsys.readouterr().out
    assert out.startswith("⏳") and "Not done yet" in out


@pytest.mark.parametrize("name", NAMES)
def test_learner_errors_are_reported_not_raised(capsys, name):
    def broken(*args):
        raise ZeroDivisionError("oops")

    assert run(name, broken) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and "ZeroDivisionError: oops" in out
    assert run(name, lambda: 0) is False  # wrong number of arguments: a TypeError inside
    assert "raised TypeError" in capsys.readouterr().out


@pytest.mark.parametrize("name", NAMES)
def test_every_call_of_the_learners_function_is_guarded(capsys, name):
    """A function that breaks on its k-th call, for every k the checker makes: reported, never
    raised (a checker once called the function again, unguarded, for its success message)."""
    checker, right, _ = CHECKERS[name]
    calls = 0

    def counting(*args):
        nonlocal calls
        calls += 1
        return right(*args)

    assert run(name, counting) is True
    capsys.readouterr()
    for k in range(1, calls + 1):
        made = 0

        def breaks_on_call_k(*args, k=k):
            nonlocal made
            made += 1
            if made == k:
                raise RuntimeError(f"call {k}")
            return right(*args)

        assert run(name, breaks_on_call_k) is False
        assert f"raised RuntimeError: call {k}" in capsys.readouterr().out


ODD_ANSWERS = {
    "a string": "03",
    "a dict": {"h": 1},
    "a numpy array": np.zeros(3),
    "a bool": True,
    "NaN": float("nan"),
    "an integer tensor": torch.arange(3),
    "a float16 tensor": torch.zeros(3, dtype=torch.float16),
    "a generator": "GENERATOR",  # made fresh for each test: one would be used up by the first
    "an object": object(),
    "a pair of strings": ("0", "3"),
    "a pair of floats": (1.25, 2.0),
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("odd", ODD_ANSWERS)
def test_odd_answers_are_type_checked_not_crashed_on(capsys, name, odd):
    """Every checker type-checks what it compares: an odd answer gets a ❌ that says what was
    expected, never the checker's own error (nor a pass)."""
    answer = ODD_ANSWERS[odd]
    fresh = (lambda: (v for v in range(2))) if odd == "a generator" else (lambda: answer)
    assert run(name, lambda *args: fresh()) is False
    out = capsys.readouterr().out
    assert out.startswith("❌"), out
    assert "could not compare" not in out, out


@pytest.mark.parametrize("name", COUNT_NAMES)
def test_a_right_one_element_tensor_or_numpy_number_is_a_number(capsys, name):
    """Counts may come back as numpy numbers or one-element tensors: they pass, and the success
    message formats them (a checker once crashed formatting a tensor)."""
    right = CHECKERS[name][1]

    def convert(value, to):
        if isinstance(value, tuple):
            return tuple(convert(v, to) for v in value)
        return to(value)

    one_element = lambda v: torch.tensor([v])  # noqa: E731  (shape (1,), not a 0-d tensor)
    assert run(name, lambda *args: convert(right(*args), one_element)) is True
    numpy_number = np.int64 if name == "find_head" else np.float64  # indices are ints
    assert run(name, lambda *args: convert(right(*args), numpy_number)) is True
    assert "could not compare" not in capsys.readouterr().out


@pytest.mark.parametrize("name", TENSOR_NAMES)
def test_a_right_answer_in_float16_is_told_its_dtype(capsys, name):
    """Not "the rows do not sum to 1": the values are right to float16's 3 digits."""
    right = CHECKERS[name][1]

    def half(value):
        if isinstance(value, tuple):
            return tuple(half(v) for v in value)
        return value.detach().half()

    assert run(name, lambda *args: half(right(*args))) is False
    out = capsys.readouterr().out
    assert "dtype torch.float16" in out and "sum to 1" not in out, out


@pytest.mark.parametrize("name", NAMES)
def test_a_non_callable_is_a_type_error(name):
    with pytest.raises(TypeError, match="expects your function itself"):
        run(name, 42)


@pytest.mark.parametrize("answer", [(1.25, 3.0), (0.0, 3.0), "03", ("0", "3"), (0.4, 3.2)])
def test_find_head_does_not_round_an_answer_into_a_head(capsys, answer):
    """The planted head of the first case is (0, 3): floats and strings are not indices."""
    assert check_find_head(lambda *args: answer) is False
    out = capsys.readouterr().out
    assert "should be an int" in out or "pair (layer, head)" in out, out


def test_find_head_accepts_integer_tensors(capsys):
    def answer(maps, pronoun, antecedent):
        layer, head = choose_head(maps, pronoun, antecedent)
        return torch.tensor(layer), np.int64(head)

    def as_one_tensor(maps, pronoun, antecedent):
        return torch.tensor(choose_head(maps, pronoun, antecedent))  # (2,)

    assert check_find_head(answer) is True
    assert check_find_head(as_one_tensor) is True
    assert check_find_head(lambda *args: torch.tensor([0.0, 3.0])) is False
    assert "should be an int" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("checker", "right", "example"),
    [
        (check_memory_sizes, memory_sizes, (512, 6, 4096)),
        (check_sequential_steps, sequential_steps, ("lstm", 4096, 12)),
    ],
)
def test_the_example_a_success_message_quotes_is_checked_too(capsys, checker, right, example):
    """A function right on the other cases but wrong on the quoted example gets a ❌ with a
    hint, not a ✅ quoting its wrong numbers (nor a crash dividing by its zero)."""

    def wrong_on_the_example(*args):
        return (
            (0, 0)
            if args == example and isinstance(right(*args), tuple)
            else (0 if args == example else right(*args))
        )

    assert checker(wrong_on_the_example) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and "HINT" in out and "could not compare" not in out
