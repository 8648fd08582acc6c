"""seqlib.tasks.seasonal_series: shapes, seeding, the seasonality it promises, bad input."""

from __future__ import annotations

import pytest
import torch

from seqlib.tasks import seasonal_series


def test_shapes_and_dtypes():
    inputs, targets = seasonal_series(10, 48, horizon=3)
    assert inputs.shape == (10, 48, 1) and targets.shape == (10, 3)
    assert inputs.dtype == targets.dtype == torch.float32


def test_seeded():
    a, b = seasonal_series(5, 24, seed=3), seasonal_series(5, 24, seed=3)
    c = seasonal_series(5, 24, seed=4)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], c[0])


def test_targets_continue_the_window():
    """Without noise the series is exact: the target is the next value of the same formula,
    so the value one period before it (minus the trend over one period) predicts it."""
    period, window = 12, 48
    inputs, targets = seasonal_series(200, window, period=period, noise=0.0)
    series = torch.cat([inputs[..., 0], targets], dim=1)  # (N, W + 1)
    seasonal_diff = series[:, period:] - series[:, :-period]  # (N, W + 1 - period)
    # what is left after removing one period is the trend: constant along each series
    assert torch.allclose(seasonal_diff, seasonal_diff[:, :1].expand_as(seasonal_diff), atol=1e-4)


def test_noise_level():
    clean, _ = seasonal_series(100, 36, noise=0.0, seed=1)
    noisy, _ = seasonal_series(100, 36, noise=0.2, seed=1)
    assert abs((noisy - clean).std().item() - 0.2) < 0.02


@pytest.mark.parametrize(
    "kwargs", [{"window": 0}, {"period": 0}, {"horizon": 0}, {"noise": -1.0}, {"noise": True}]
)
def test_bad_input(kwargs):
    args = {"n_samples": 4, "window": 12, **kwargs}
    with pytest.raises((ValueError, TypeError)):
        seasonal_series(**args)


def test_bad_seed():
    with pytest.raises(TypeError, match="seed"):
        seasonal_series(4, 12, seed=1.5)


def test_contiguous():
    inputs, targets = seasonal_series(3, 10, horizon=2)
    assert inputs.is_contiguous() and targets.is_contiguous()
