"""seqlib.measurement: one value per seed, the range over seeds, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqlib.measurement import INTERVAL_KIND, Measurement, as_float


def test_values_mean_and_range_over_seeds():
    m = Measurement([0.97, 1.0, 0.99], seeds=3)
    assert m.values == (0.97, 1.0, 0.99)
    assert m.mean == pytest.approx(0.98666, abs=1e-4)
    assert m.interval == (0.97, 1.0) and (m.low, m.high) == (0.97, 1.0)
    assert m.format() == "0.99 [0.97, 1.00] over 3 seeds" and str(m) == m.format()
    assert "min, max" in INTERVAL_KIND


def test_a_single_untrained_value_has_no_interval():
    m = Measurement(12.5, seeds=0)
    assert m.values == (12.5,) and m.interval is None and m.format(".1f") == "12.5"


def test_paired_differences_seed_by_seed():
    m = Measurement.paired([0.8, 0.9, 0.7], [0.6, 0.95, 0.7])
    assert m.seeds == 3
    assert m.values == pytest.approx((0.2, -0.05, 0.0))
    with pytest.raises(ValueError, match="same seeds"):
        Measurement.paired([1.0], [1.0, 2.0])


def test_numpy_and_torch_scalars_are_numbers():
    m = Measurement([np.float32(0.5), torch.tensor(0.25), np.int64(1)], seeds=3)
    assert m.values == (0.5, 0.25, 1.0)
    assert as_float(torch.tensor([2.0]), "x") == 2.0


@pytest.mark.parametrize(
    ("values", "seeds", "error", "match"),
    [
        ([1.0, 2.0], 0, ValueError, "seeds=0 and repeats=0 .* take one value, got 2"),
        ([1.0, 2.0], 3, ValueError, "3 seeds need 3 values"),
        ([], 0, ValueError, "at least one value"),
        ([float("nan")], 0, ValueError, "must be finite"),
        ([1.0, float("inf"), 2.0], 3, ValueError, "must be finite"),
        (["0.5"], 0, TypeError, "must be a real number, got str"),
        ([True], 0, TypeError, "must be a real number, got bool"),
        ([1.0], -1, ValueError, "seeds must be >= 0, got -1"),
        ([1.0], 1.0, TypeError, "seeds must be an int, got float"),
        ([1.0], True, TypeError, "seeds must be an int, got bool"),
        ([np.ones(2)], 0, TypeError, r"got an array of shape \(2,\)"),
        (np.ones((3, 2)), 3, TypeError, r"got an array of shape \(2,\)"),
        ([torch.ones(2)], 0, TypeError, r"got a tensor of shape \(2,\)"),
    ],
)
def test_bad_input(values, seeds, error, match):
    with pytest.raises(error, match=match):
        Measurement(values, seeds=seeds)


@pytest.mark.parametrize(
    "values",
    [
        np.array([0.5, 0.75, 1.0]),
        np.array([0.5, 0.75, 1.0], dtype=np.float32),
        torch.tensor([0.5, 0.75, 1.0]),
        torch.tensor([0.5, 0.75, 1.0], dtype=torch.float64),
        [np.float32(0.5), np.float64(0.75), torch.tensor([1.0])],
    ],
    ids=["numpy_f64", "numpy_f32", "torch_f32", "torch_f64", "mixed"],
)
def test_numpy_and_torch_sequences_of_values(values):
    m = Measurement(values, seeds=np.int64(3))
    assert m.values == (0.5, 0.75, 1.0) and m.seeds == 3 and type(m.seeds) is int
    assert all(type(v) is float for v in m.values)


@pytest.mark.parametrize(
    "value",
    [np.float32(0.5), np.float64(0.5), np.array(0.5), torch.tensor(0.5), torch.tensor([0.5])],
)
def test_a_single_numpy_or_torch_value(value):
    assert Measurement(value, seeds=0).values == (0.5,)
    assert as_float(value, "x") == 0.5


def test_paired_numpy_and_torch():
    a, b = np.array([0.8, 0.9, 0.7]), torch.tensor([0.6, 0.95, 0.7], dtype=torch.float64)
    assert Measurement.paired(a, b).values == pytest.approx((0.2, -0.05, 0.0))


def test_paired_needs_one_value_per_seed_on_each_side():
    with pytest.raises(TypeError, match="a must be a list of values, one per seed, got float"):
        Measurement.paired(1.0, 2.0)
    with pytest.raises(TypeError, match="b must be a list of values, one per seed, got str"):
        Measurement.paired([1.0, 2.0], "12")
    paired = Measurement.paired(np.array([1.0, 2.0, 3.0]), torch.tensor([0.5, 0.5, 0.5]))
    assert paired.values == (0.5, 1.5, 2.5) and paired.seeds == 3
    with pytest.raises(ValueError, match="paired values need at least one seed"):
        Measurement.paired([], [])


def test_repeats_are_judged_like_seeds():
    m = Measurement([1.2, 1.1, 1.3, 1.25, 1.15], repeats=5)
    assert m.repeats == 5 and m.seeds == 0 and m.interval == (1.1, 1.3)
    assert m.format() == "1.20 [1.10, 1.30] over 5 repeats"
    with pytest.raises(ValueError, match="5 repeats need 5 values"):
        Measurement([1.0, 2.0], repeats=5)
    with pytest.raises(ValueError, match="over seeds or over repeats, not both"):
        Measurement([1.0, 2.0, 3.0], seeds=3, repeats=3)
