"""seqlib._validate: the shared checks accept what they should and name what went wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from seqlib._validate import (
    check_bool,
    check_device,
    check_finite,
    check_keys,
    check_same_dtype,
    check_sequence_length,
)


@pytest.mark.parametrize("value", [True, False, np.bool_(True), np.bool_(False)])
def test_check_bool_accepts_real_bools(value):
    result = check_bool(value, "flag")
    assert result is bool(value)  # a plain bool, numpy's included


@pytest.mark.parametrize("value", ["False", "yes", 1, 0, None, 1.0, torch.tensor(True)])
def test_check_bool_refuses_everything_else(value):
    with pytest.raises(TypeError, match=r"flag must be a bool, got "):
        check_bool(value, "flag")


@pytest.mark.parametrize("value", [1, 0.5, np.float32(0.5), np.float64(2.0), np.int64(3), -7.25])
def test_check_finite_accepts_python_and_numpy_numbers(value):
    result = check_finite(value, "x")
    assert type(result) is float and result == float(value)


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        ("a", TypeError, r"x must be a number, got str \('a'\)"),
        (None, TypeError, "x must be a number, got NoneType"),
        (True, TypeError, "x must be a number, got bool"),
        (np.bool_(True), TypeError, "x must be a number, got bool"),
        (torch.tensor(0.5), TypeError, "x must be a number, got Tensor"),
        (float("nan"), ValueError, "x must be finite, got nan"),
        (float("inf"), ValueError, "x must be finite, got inf"),
        (np.float32("-inf"), ValueError, "x must be finite, got -inf"),
    ],
)
def test_check_finite_refuses_non_numbers_and_non_finite(value, error, match):
    with pytest.raises(error, match=match):
        check_finite(value, "x")


@pytest.mark.parametrize(
    ("kwargs", "value", "match"),
    [
        ({"low": 0.0}, -0.1, r"x must be >= 0.0, got -0.1"),
        ({"low": 0.0, "low_inclusive": False}, 0.0, r"x must be > 0.0, got 0.0"),
        ({"high": 1}, 1.5, r"x must be <= 1, got 1.5"),
        ({"high": 1, "high_inclusive": False}, 1, r"x must be < 1, got 1"),
        ({"low": 0, "high": 1}, 1.5, r"x must be in \[0, 1\], got 1.5"),
        ({"low": 0, "high": 1, "low_inclusive": False}, 0, r"x must be in \(0, 1\], got 0"),
        ({"low": 0, "high": 1, "high_inclusive": False}, 1, r"x must be in \[0, 1\), got 1"),
    ],
)
def test_check_finite_bounds(kwargs, value, match):
    with pytest.raises(ValueError, match=match):
        check_finite(value, "x", **kwargs)


def test_check_finite_bounds_accept_the_edges_they_include():
    assert check_finite(0, "x", low=0, high=1) == 0.0
    assert check_finite(1, "x", low=0, high=1) == 1.0
    assert check_finite(math.pi, "x", low=0, low_inclusive=False) == math.pi


def test_check_same_dtype():
    x = torch.zeros(2, dtype=torch.float64)
    assert check_same_dtype(x, "input", torch.float64) is x
    with pytest.raises(
        TypeError,
        match=r"input has dtype torch.float64 but the module's parameters are torch.float32; "
        r"convert the input with .to\(torch.float32\) or the module with .to\(torch.float64\)",
    ):
        check_same_dtype(x, "input", torch.float32)
    with pytest.raises(TypeError, match="h0 has dtype torch.float64 but the weights are torch.f"):
        check_same_dtype(x, "h0", torch.float32, "the weights")


def test_check_sequence_length():
    x = torch.zeros(2, 3, 4)
    assert check_sequence_length(x, "x", 1) is x
    with pytest.raises(
        ValueError,
        match=r"x has sequence length 0 in dimension 1 \(shape \(2, 0, 4\)\): the sequence "
        r"length must be >= 1",
    ):
        check_sequence_length(torch.zeros(2, 0, 4), "x", 1)


def test_check_device():
    assert check_device("cpu", "device") == torch.device("cpu")
    assert check_device(torch.device("cpu"), "device") == torch.device("cpu")
    assert check_device("cuda:1", "device") == torch.device("cuda", 1)  # a name, not availability
    with pytest.raises(ValueError, match=r"device 'gpu' is not a device name torch knows"):
        check_device("gpu", "device")
    with pytest.raises(ValueError, match=r"where 'cuda:x' is not a device name torch knows"):
        check_device("cuda:x", "where")
    with pytest.raises(TypeError, match="device must be a str or torch.device, got int"):
        check_device(0, "device")


def test_check_keys_names_what_is_missing():
    check_keys({"LSTM": 1, "Transformer": 2}, ("LSTM", "Transformer"), "ms")
    missing = r"ms has no entry for \['Transformer'\]; it has \['LSTM'\]"
    with pytest.raises(ValueError, match=missing):
        check_keys({"LSTM": 1}, ("LSTM", "Transformer"), "ms")
    with pytest.raises(TypeError, match="ms must be a mapping, got list"):
        check_keys(["LSTM"], ("LSTM",), "ms")


def test_check_positive_int_takes_numpy_integers_not_floats_or_bools():
    from seqlib._validate import check_positive_int

    assert check_positive_int(np.int64(3), "steps") == 3
    assert type(check_positive_int(np.int32(0), "seed", allow_zero=True)) is int
    for bad in (3.0, np.float64(3), True, np.bool_(True), "3"):
        with pytest.raises(TypeError, match="steps must be an int"):
            check_positive_int(bad, "steps")
    with pytest.raises(ValueError, match="steps must be >= 1, got 0"):
        check_positive_int(np.int64(0), "steps")


def test_numpy_integers_go_all_the_way_through():
    """An integer argument that passes the check is used as the checked int: numpy integers
    (from np.arange, a saved array) once passed the check and then crashed inside torch."""
    import seqlib
    from seqlib import language, models, speed, tasks

    i = np.int64
    model = seqlib.build_model("lstm", vocab_size=5, d_model=i(8), num_classes=3, seed=i(1))
    x, y = torch.randint(5, (8, 6)), torch.randint(3, (8,))
    seqlib.train(model, (x, y), steps=i(2), batch_size=i(4), seed=i(1), progress=False)
    tasks.running_parity(i(4), i(5), seed=i(1))
    language.generate(language.TRAIN_TEMPLATES, i(3), seed=i(0))
    lstm, _ = models.matched_backbones(i(32), nhead=i(4), seed=i(0))
    assert type(lstm.input_size) is int
    speed.time_fighters(i(2), i(10), i(32), min_run_time=0.001)


@pytest.mark.parametrize(("seed", "error"), [(1.5, TypeError), ("a", TypeError), (-1, ValueError)])
def test_a_seed_is_an_integer_from_zero(seed, error):
    import seqlib

    with pytest.raises(error, match="seed must be"):
        seqlib.build_model("lstm", vocab_size=5, d_model=8, num_classes=3, seed=seed)


# ---------------------------------------------------------------------------------------------
# Integer tensors and positions: floats are never truncated, strings never reach torch
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "positions", [[1, 2], (1, 2), np.array([1, 2]), torch.tensor([1, 2], dtype=torch.int32)]
)
def test_check_positions_accepts_integers(positions):
    from seqlib._validate import check_positions

    result = check_positions(torch.zeros(2, 4, dtype=torch.long), positions)
    assert result.dtype == torch.long and result.tolist() == [1, 2]


@pytest.mark.parametrize(
    "positions",
    [[1.7, 2.2], torch.tensor([1.0, 2.0]), np.array([1.5, 2.0]), [True, False], ["1", "2"]],
)
def test_check_positions_refuses_floats_bools_and_strings(positions):
    from seqlib._validate import check_positions

    with pytest.raises(TypeError, match="positions must be integers"):
        check_positions(torch.zeros(2, 4, dtype=torch.long), positions)


def test_check_positions_names_the_argument_and_checks_inputs():
    from seqlib._validate import check_positions

    with pytest.raises(ValueError, match=r"drop must lie in \[0, 4\)"):
        check_positions(torch.zeros(2, 4, dtype=torch.long), [0, 4], "drop")
    with pytest.raises(TypeError, match="inputs must be a torch.Tensor, got list"):
        check_positions([[1, 2]], [0])


def test_check_integer_tensor():
    from seqlib._validate import check_integer_tensor

    assert check_integer_tensor(np.int64(3), "i").tolist() == 3
    assert check_integer_tensor([], "i").shape == (0,)
    out = check_integer_tensor([0, 2], "labels", shape=(2,), low=0, high=3)
    assert out.dtype == torch.long and out.tolist() == [0, 2]
    with pytest.raises(TypeError, match=r"labels must be integers .*got float"):
        check_integer_tensor([0.0, 1.0], "labels")
    with pytest.raises(ValueError, match=r"labels must have shape \(3,\), got \(2,\)"):
        check_integer_tensor([0, 1], "labels", shape=(3,))
    with pytest.raises(ValueError, match=r"labels must be >= 0, got values from -2 to 0"):
        check_integer_tensor([0, -2], "labels", low=0)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\), got values from 0 to 5"):
        check_integer_tensor([0, 5], "labels", low=0, high=3)
    with pytest.raises(ValueError, match="labels must be a rectangular"):
        check_integer_tensor([[0, 1], [2]], "labels")
