"""seqlib.series: the shipped sunspots file, windows, chronological splits, baselines, bad input."""

from __future__ import annotations

import pytest
import torch

from seqlib.series import (
    SUNSPOTS_CSV,
    fit_forecaster,
    fit_linear,
    forecast_splits,
    load_sunspots,
    make_windows,
    mse,
    planted_series,
    seasonal_naive,
)


def test_sunspots_ship_with_seqlib_and_load_offline():
    assert SUNSPOTS_CSV.is_file() and (SUNSPOTS_CSV.parent / "README.md").is_file()
    years, values = load_sunspots()
    assert years.shape == values.shape == (309,)
    assert years.dtype == torch.int64 and values.dtype == torch.float32
    assert years[0].item() == 1700 and years[-1].item() == 2008
    # statsmodels' first and last rows: 1700 -> 5, 2008 -> 2.9
    assert values[0].item() == 5.0 and abs(values[-1].item() - 2.9) < 1e-6
    assert values.min().item() >= 0


def test_sunspots_bad_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_sunspots(tmp_path / "missing.csv")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("A,B\n1,2\n")
    with pytest.raises(ValueError, match="YEAR and SUNACTIVITY"):
        load_sunspots(wrong)
    gap = tmp_path / "gap.csv"
    gap.write_text("YEAR,SUNACTIVITY\n1700,5\n1702,6\n")
    with pytest.raises(ValueError, match="gaps"):
        load_sunspots(gap)


def test_make_windows():
    series = torch.arange(10.0)
    x, y = make_windows(series, 4, horizon=2)
    assert x.shape == (5, 4, 1) and y.shape == (5, 2)
    assert torch.equal(x[1, :, 0], torch.tensor([1.0, 2, 3, 4]))
    assert torch.equal(y[1], torch.tensor([5.0, 6]))
    assert x.is_contiguous() and y.is_contiguous()


@pytest.mark.parametrize(
    "args, error",
    [
        ((torch.arange(5.0), 5), ValueError),  # no room for a target
        ((torch.arange(5.0).reshape(5, 1), 2), ValueError),  # not 1-D
        ((torch.arange(5), 2), TypeError),  # not floating point
        ((torch.arange(5.0), 0), ValueError),
        ((torch.arange(5.0), 2.0), TypeError),
    ],
)
def test_make_windows_bad_input(args, error):
    with pytest.raises(error):
        make_windows(*args)


def test_splits_are_chronological_and_scaled_by_training_values_only():
    series = torch.arange(100.0)
    splits = forecast_splits(series, 10, val_fraction=0.2, test_fraction=0.2)
    n = {k: len(getattr(splits, k)[1]) for k in ("train", "val", "test")}
    assert sum(n.values()) == 90 and n["val"] == n["test"] == 18
    seen = series[: n["train"] + 10]
    assert splits.mean == pytest.approx(seen.mean().item())
    assert splits.std == pytest.approx(seen.std().item())
    unscale = lambda t: t * splits.std + splits.mean  # noqa: E731
    # targets follow each other in time: train, then val, then test
    assert unscale(splits.train[1][-1]).item() < unscale(splits.val[1][0]).item()
    assert unscale(splits.val[1][-1]).item() < unscale(splits.test[1][0]).item()
    assert splits.first_target == {"train": 10, "val": 10 + n["train"], "test": 100 - n["test"]}
    assert unscale(splits.test[1][0]).item() == pytest.approx(splits.first_target["test"], abs=1e-3)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"val_fraction": 0.0},
        {"test_fraction": 1.0},
        {"val_fraction": 0.5, "test_fraction": 0.5},
        {"val_fraction": float("nan")},
    ],
)
def test_splits_bad_fractions(kwargs):
    with pytest.raises(ValueError):
        forecast_splits(torch.arange(50.0), 5, **kwargs)


@pytest.mark.parametrize("kwargs", [{"val_fraction": True}, {"test_fraction": "0.1"}])
def test_splits_fractions_must_be_numbers(kwargs):
    with pytest.raises(TypeError, match="_fraction must be a number"):
        forecast_splits(torch.arange(50.0), 5, **kwargs)


def test_splits_bad_series():
    with pytest.raises(ValueError, match="too few"):
        forecast_splits(torch.arange(8.0), 5)
    with pytest.raises(ValueError, match="constant"):
        forecast_splits(torch.ones(50), 5)


def test_seasonal_naive():
    x = torch.arange(24.0).reshape(2, 12, 1)
    assert torch.equal(seasonal_naive(x, 4), torch.tensor([[8.0], [20.0]]))
    with pytest.raises(ValueError, match="longer than the window"):
        seasonal_naive(x, 13)
    with pytest.raises(ValueError):
        seasonal_naive(x[..., 0], 4)  # (N, W) instead of (N, W, 1)
    with pytest.raises(TypeError):
        seasonal_naive(x, 2.0)


def test_fit_linear_recovers_a_linear_rule():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(200, 6, 1, generator=g)
    w = torch.tensor([0.5, -1.0, 0.0, 2.0, 0.25, 1.0])
    y = (x[..., 0] @ w + 0.3)[:, None]  # (200, 1)
    model = fit_linear(x, y, ridge=0.0)
    assert not model.training
    with torch.no_grad():
        assert torch.allclose(model[1].weight[0], w, atol=1e-4)
        assert model[1].bias.item() == pytest.approx(0.3, abs=1e-4)
        assert mse(model(x), y) < 1e-8


def test_fit_linear_ridge_shrinks_the_weights():
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(50, 8, 1, generator=g), torch.randn(50, 1, generator=g)
    small, large = fit_linear(x, y, ridge=0.0), fit_linear(x, y, ridge=10.0)
    assert large[1].weight.norm() < small[1].weight.norm()


@pytest.mark.parametrize(
    "x, y, ridge, error",
    [
        (torch.randn(5, 4, 1), torch.randn(6, 1), 0.0, ValueError),  # samples differ
        (torch.randn(5, 4, 2), torch.randn(5, 1), 0.0, ValueError),  # two features
        (torch.randn(5, 4), torch.randn(5, 1), 0.0, ValueError),  # not (N, W, 1)
        (torch.randn(5, 4, 1), torch.randn(5, 1), -1.0, ValueError),
        (torch.randn(5, 4, 1), torch.randn(5, 1), True, TypeError),
        (torch.randn(5, 4, 1), torch.randn(5, 1), "0.1", TypeError),
        ([[1.0]], torch.randn(5, 1), 0.0, TypeError),
    ],
)
def test_fit_linear_bad_input(x, y, ridge, error):
    with pytest.raises(error):
        fit_linear(x, y, ridge=ridge)


def test_mse():
    assert mse(torch.tensor([[1.0], [3.0]]), torch.tensor([[0.0], [1.0]])) == pytest.approx(2.5)
    with pytest.raises(ValueError, match="differ"):
        mse(torch.zeros(2, 1), torch.zeros(2))
    with pytest.raises(TypeError):
        mse([0.0], torch.zeros(1))


def test_forecast_verdict_text_quotes_the_best_baseline_of_each_series():
    from seqlib.measurement import Measurement
    from seqlib.series import forecast_verdict_text

    text = forecast_verdict_text(
        {
            "synthetic": Measurement([0.02, 0.03, 0.025], seeds=3),
            "sunspots": Measurement([0.2, 0.3, 0.25], seeds=3),
        },
        {
            "synthetic": {"seasonal naive": 0.05, "linear": 0.0144},
            "sunspots": {"seasonal naive": 0.29, "linear": 0.31},
        },
        params=7531,
        best_steps=[500, 475, 450, 100, 125, 75],
        steps=500,
    )
    assert text == {
        "measured": "synthetic: LSTM 0.0250 [0.0200, 0.0300] over 3 seeds vs linear 0.0144; "
        "sunspots: LSTM 0.2500 [0.2000, 0.3000] over 3 seeds vs seasonal naive 0.2900 "
        "(test MSE; LSTM 7,531 params, early-stopped)",
        "note": "best validation at steps [500, 475, 450, 100, 125, 75] of 500",
    }


def test_forecast_verdict_text_bad_input():
    from seqlib.measurement import Measurement
    from seqlib.series import forecast_verdict_text

    lstm = {"synthetic": Measurement([0.02, 0.03, 0.025], seeds=3)}
    with pytest.raises(ValueError, match="the same series"):
        forecast_verdict_text(lstm, {"sunspots": {"linear": 0.3}}, params=1, best_steps=[], steps=1)
    with pytest.raises(ValueError, match="empty"):
        forecast_verdict_text(lstm, {"synthetic": {}}, params=1, best_steps=[], steps=1)


# ---------------------------------------------------------------------------------------------
# Numbers from numpy are numbers; NaN and infinity never reach the solve
# ---------------------------------------------------------------------------------------------


def test_numpy_numbers_are_accepted():
    import numpy as np

    series = torch.sin(torch.arange(80.0))
    splits = forecast_splits(series, 5, val_fraction=np.float32(0.1), test_fraction=np.float64(0.2))
    assert splits.val[1].shape[0] == round(76 * 0.1)
    model = fit_linear(*splits.train, ridge=np.float32(1e-3))
    assert torch.isfinite(model[1].weight).all()


@pytest.mark.parametrize("ridge", [float("inf"), float("nan")])
def test_fit_linear_refuses_a_non_finite_ridge(ridge):
    with pytest.raises(ValueError, match="ridge must be finite"):
        fit_linear(torch.randn(5, 4, 1), torch.randn(5, 1), ridge=ridge)


def test_non_finite_series_and_inputs_are_refused():
    series = torch.arange(50.0)
    series[7] = float("nan")
    with pytest.raises(ValueError, match="series holds NaN or infinity"):
        forecast_splits(series, 5)
    x = torch.randn(5, 4, 1)
    x[0, 0, 0] = float("inf")
    with pytest.raises(ValueError, match="inputs hold NaN or infinity"):
        fit_linear(x, torch.randn(5, 1))


def test_forecast_verdict_text_checks_its_numbers():
    from seqlib.measurement import Measurement
    from seqlib.series import forecast_verdict_text

    lstm = {"sunspots": Measurement([0.5, 0.6, 0.7], seeds=3)}
    baselines = {"sunspots": {"linear": 0.4}}
    args = dict(params=1000, best_steps=[10, 20, 30], steps=100)
    with pytest.raises(TypeError, match=r"lstm\['sunspots'\] must be a Measurement"):
        forecast_verdict_text({"sunspots": 0.5}, baselines, **args)
    with pytest.raises(TypeError, match="params must be an int"):
        forecast_verdict_text(lstm, baselines, **{**args, "params": "1000"})
    with pytest.raises(TypeError, match=r"baselines\['sunspots'\]\['linear'\] must be a number"):
        forecast_verdict_text(lstm, {"sunspots": {"linear": "0.4"}}, **args)


def test_planted_series_is_a_parabola_of_the_last_value():
    x, y = planted_series(50, 8, noise=0.0, seed=3)
    assert x.shape == (50, 8, 1) and y.shape == (50, 1)
    last = x[:, -1, 0] / 4 + 0.5  # back to the map's (0, 1)
    torch.testing.assert_close(4 * (3.8 * last * (1 - last) - 0.5), y[:, 0], atol=1e-5, rtol=0)
    torch.testing.assert_close(planted_series(50, 8, noise=0.0, seed=3)[0], x)  # seeded
    # a linear map of the window cannot follow it: its least-squares fit leaves most of the
    # variance, while the parabola of the last value leaves none
    xs, ys = planted_series(500, 8, noise=0.0, seed=0)
    assert mse(fit_linear(xs, ys)(xs), ys) > 0.3 * ys.var().item()
    with pytest.raises(ValueError, match="r"):
        planted_series(10, 8, r=5.0)


def _lstm(seed: int = 0) -> torch.nn.Module:
    from seqlib.models import build_model

    return build_model(
        "lstm", d_model=8, input_size=1, num_classes=1, output="sequence", seed=seed,
        impl="torch",
    )  # fmt: skip


def test_fit_forecaster_stops_when_the_validation_curve_flattens():
    train, val = planted_series(200, 8, seed=0), planted_series(100, 8, seed=1)
    model = _lstm()
    fit = fit_forecaster(
        model, train, val, max_steps=3000, patience=3, eval_every=10, lr=1e-2, seed=0,
        min_improvement=0.02,
    )  # fmt: skip
    assert fit.stopped_early and fit.steps < 3000
    assert fit.steps - fit.best_step == 3 * 10  # stopped after 3 evaluations without a gain
    assert fit.eval_step[-1] == fit.steps and len(fit.eval_mse) == fit.steps // 10
    assert not model.training
    with torch.no_grad():  # the best evaluation's weights were put back
        kept = fit.eval_mse[fit.eval_step.index(fit.best_step)]
        assert mse(model(val[0]), val[1]) == pytest.approx(kept, rel=1e-5)
    # the learnt model beats the linear map on the planted nonlinearity
    assert mse(model(val[0]).detach(), val[1]) < 0.5 * mse(fit_linear(*train)(val[0]), val[1])
    # a budget too short to flatten: it runs to max_steps and says it did not stop early
    short = fit_forecaster(_lstm(), train, val, max_steps=30, patience=3, eval_every=10)
    assert not short.stopped_early and short.steps == 30
    # a larger improvement demanded: it stops sooner
    strict = fit_forecaster(
        _lstm(), train, val, max_steps=3000, patience=3, eval_every=10, lr=1e-2,
        min_improvement=0.5,
    )  # fmt: skip
    assert strict.steps < fit.steps


def test_fit_forecaster_bad_input():
    train, val = planted_series(20, 8), planted_series(10, 8)
    with pytest.raises(TypeError, match="torch.nn.Module"):
        fit_forecaster("lstm", train, val, max_steps=10, patience=2)
    with pytest.raises(ValueError, match="patience"):
        fit_forecaster(_lstm(), train, val, max_steps=10, patience=0)
    with pytest.raises(ValueError, match="min_improvement"):
        fit_forecaster(_lstm(), train, val, max_steps=10, patience=2, min_improvement=2.0)
    with pytest.raises(ValueError, match="train_data"):
        fit_forecaster(_lstm(), (train[0], train[1][:5]), val, max_steps=10, patience=2)
