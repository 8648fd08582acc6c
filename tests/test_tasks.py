"""seqlib.tasks: the data sets are what their docstrings say, seeded, and checked."""

import numpy as np
import pytest
import torch

from seqlib.tasks import (
    IGNORE_INDEX,
    associative_recall,
    delayed_recall,
    markov_chain,
    markov_transition_matrix,
    repeated_markov,
    running_parity,
    seasonal_series,
)


def test_associative_recall_answers_are_the_values_that_followed_the_keys():
    x, y = associative_recall(50, n_pairs=4, n_queries=6, seed=1)
    assert x.shape == y.shape == (50, 4 * 2 + 6)
    assert (y[:, :8] == IGNORE_INDEX).all()
    for row_x, row_y in zip(x, y, strict=True):
        table = {int(k): int(v) for k, v in zip(row_x[0:8:2], row_x[1:8:2], strict=True)}
        assert len(table) == 4  # keys are distinct
        for q, answer in zip(row_x[8:], row_y[8:], strict=True):
            assert table[int(q)] == int(answer)


def test_associative_recall_token_ranges():
    x, y = associative_recall(20, n_pairs=3, n_keys=10, n_values=7, seed=0)
    keys, values = x[:, 0:6:2], x[:, 1:6:2]
    assert keys.max() < 10 and values.min() >= 10 and values.max() < 17
    assert y[:, 6:].min() >= 10


def test_seeds():
    a = associative_recall(10, 3, seed=5)
    b = associative_recall(10, 3, seed=5)
    c = associative_recall(10, 3, seed=6)
    assert torch.equal(a[0], b[0]) and not torch.equal(a[0], c[0])
    assert torch.equal(running_parity(5, 9, seed=2)[0], running_parity(5, 9, seed=2)[0])


def test_running_parity():
    x, y = running_parity(30, 12, seed=0)
    assert x.shape == y.shape == (30, 12)
    manual = torch.zeros(30, dtype=torch.long)
    for t in range(12):
        manual = manual ^ x[:, t]
        assert torch.equal(y[:, t], manual)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: associative_recall(10, 40), ValueError, r"n_pairs \(40\) cannot exceed n_keys"),
        (lambda: associative_recall(0, 4), ValueError, "n_samples must be >= 1"),
        (lambda: associative_recall(10, 4, seed=1.5), TypeError, "seed must be an int"),
        (lambda: running_parity(10, 0), ValueError, "length must be >= 1"),
        (lambda: running_parity(10, 3.0), TypeError, "length must be an int"),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_delayed_recall_asks_for_the_value_seen_distance_plus_one_steps_earlier():
    x, y = delayed_recall(40, 7, n_values=5, n_distractors=3, seed=2)
    assert x.shape == y.shape == (40, 9)
    assert (y[:, :-1] == IGNORE_INDEX).all()
    assert torch.equal(y[:, -1], x[:, 0])  # the answer is the first token
    assert x[:, 0].min() >= 0 and x[:, 0].max() < 5  # values
    assert x[:, 1:-1].min() >= 5 and x[:, 1:-1].max() < 8  # distractors, never a value
    assert (x[:, -1] == 8).all()  # the query token
    assert len(set(x[:, 0].tolist())) > 1
    assert torch.equal(delayed_recall(5, 3, seed=1)[0], delayed_recall(5, 3, seed=1)[0])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: delayed_recall(10, 0), ValueError, "distance must be >= 1"),
        (lambda: delayed_recall(0, 5), ValueError, "n_samples must be >= 1"),
        (lambda: delayed_recall(10, 5, n_values=0), ValueError, "n_values must be >= 1"),
        (
            lambda: delayed_recall(10, 5, n_distractors=2.0),
            TypeError,
            "n_distractors must be an int",
        ),
        (lambda: delayed_recall(10, 5, seed="0"), TypeError, "seed must be an int"),
    ],
)
def test_delayed_recall_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: seasonal_series(4, 8, noise=float("nan")), ValueError, "noise must be finite"),
        (lambda: seasonal_series(4, 8, noise=float("inf")), ValueError, "noise must be finite"),
        (lambda: seasonal_series(4, 8, noise=-0.1), ValueError, "noise must be >= 0, got -0.1"),
        (lambda: seasonal_series(4, 8, noise="0.1"), TypeError, "noise must be a number, got str"),
        (lambda: seasonal_series(4, 8, noise=True), TypeError, "noise must be a number, got bool"),
        (
            lambda: markov_chain(4, 5, n_states=3, concentration=float("inf")),
            ValueError,
            "concentration must be finite, got inf",
        ),
        (
            lambda: markov_transition_matrix(3, concentration=float("nan")),
            ValueError,
            "concentration must be finite, got nan",
        ),
        (
            lambda: repeated_markov(4, 3, n_states=3, concentration=0),
            ValueError,
            "concentration must be > 0, got 0",
        ),
    ],
)
def test_float_arguments_must_be_finite(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_numpy_numbers_are_numbers():
    inputs, targets = seasonal_series(4, 8, noise=np.float32(0.0), seed=3)
    assert torch.equal(inputs, seasonal_series(4, 8, noise=0.0, seed=3)[0])
    assert torch.isfinite(inputs).all() and torch.isfinite(targets).all()
    P = markov_transition_matrix(3, concentration=np.float64(0.3))
    torch.testing.assert_close(P, markov_transition_matrix(3, concentration=0.3))


# ---------------------------------------------------------------------------------------------
# The Markov ceilings check their states, their shapes and P (appended: input checks)
# ---------------------------------------------------------------------------------------------


def test_markov_optimal_accuracy_checks_states_shapes_and_p():
    from seqlib.tasks import markov_optimal_accuracy

    P = markov_transition_matrix(3)
    inputs, targets = markov_chain(4, 5, n_states=3)
    assert 0 <= markov_optimal_accuracy(inputs, targets, P) <= 1
    with pytest.raises(ValueError, match=r"inputs must be in \[0, 3\)"):
        markov_optimal_accuracy(inputs + 3, targets, P)
    with pytest.raises(ValueError, match=r"targets must be in \[0, 3\)"):
        markov_optimal_accuracy(inputs, targets - 1, P)
    with pytest.raises(TypeError, match="P must be a torch.Tensor, got ndarray"):
        markov_optimal_accuracy(inputs, targets, P.numpy())
    with pytest.raises(ValueError, match=r"P must be square \(n_states, n_states\)"):
        markov_optimal_accuracy(inputs, targets, P[:2])
    with pytest.raises(ValueError, match=r"inputs \(1, 2\) and targets \(1, 1\) must have"):
        markov_optimal_accuracy(torch.tensor([[0, 1]]), torch.tensor([[1]]), P)
    with pytest.raises(TypeError, match="inputs must be integers"):
        markov_optimal_accuracy(inputs.float(), targets, P)


def test_repeated_markov_ceilings_check_p_and_states():
    from seqlib.tasks import repeated_markov_ceilings

    P = markov_transition_matrix(3)
    inputs, targets = repeated_markov(4, 3, n_states=3)
    assert set(repeated_markov_ceilings(inputs, targets, P, 3)) == {"local", "look_back"}
    with pytest.raises(ValueError, match=r"inputs must be in \[0, 2\)"):
        repeated_markov_ceilings(inputs, targets, P[:2, :2], 3)
    with pytest.raises(TypeError, match="P must be a torch.Tensor"):
        repeated_markov_ceilings(inputs, targets, P.tolist(), 3)
    bad = P.clone()
    bad[0, 0] = float("nan")
    with pytest.raises(ValueError, match="P must be finite"):
        repeated_markov_ceilings(inputs, targets, bad, 3)
