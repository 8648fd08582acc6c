"""Round 5's real time series and the baselines every forecaster must beat.

A small, real, structured series ships with seqlib: the yearly sunspot numbers 1700-2008 (309
values, copied from statsmodels 0.15.0's ``datasets/sunspots``, public domain: see
``seqlib/data/README.md``). It is read offline, without statsmodels::

    years, spots = load_sunspots()                      # (309,) int64, (309,) float32
    splits = forecast_splits(spots, window=24)          # chronological train / val / test
    x, y = splits.train                                 # (N, 24, 1), (N, 1): standardised
    naive = seasonal_naive(x, period=11)                # (N, 1): the value one cycle ago
    linear = fit_linear(x, y)                           # least squares: an nn.Module

The splits are **chronological**: the model is validated on the years after its training
years, and tested on the years after those, as a forecaster would be used. Every split is
standardised with the mean and standard deviation of the training years only (the test years
must not leak into the scaling), so MSEs are in units of the training years' variance.
"""

from __future__ import annotations

import copy
import csv
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from seqlib._validate import check_finite, check_positive_int, check_seed, check_tensor
from seqlib.measurement import Measurement

__all__ = [
    "SUNSPOTS_CSV",
    "Fit",
    "ForecastSplits",
    "fit_forecaster",
    "fit_linear",
    "forecast_splits",
    "forecast_verdict_text",
    "load_sunspots",
    "make_windows",
    "mse",
    "planted_series",
    "seasonal_naive",
]


SUNSPOTS_CSV = Path(__file__).resolve().parent / "data" / "sunspots.csv"


def load_sunspots(path: str | Path | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The yearly sunspot numbers: ``years (309,)`` int64 and ``values (309,)`` float32.

    ``path`` defaults to the copy shipped with seqlib (``SUNSPOTS_CSV``); a file given instead
    must have the same two columns, ``YEAR`` and ``SUNACTIVITY``.
    """
    path = Path(SUNSPOTS_CSV if path is None else path)
    if not path.is_file():
        raise FileNotFoundError(f"no sunspots file at {path}")
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows or not {"YEAR", "SUNACTIVITY"} <= set(rows[0]):
        raise ValueError(f"{path} needs the columns YEAR and SUNACTIVITY (statsmodels' layout)")
    years = torch.tensor([int(float(r["YEAR"])) for r in rows], dtype=torch.int64)
    values = torch.tensor([float(r["SUNACTIVITY"]) for r in rows], dtype=torch.float32)
    if not torch.all(years[1:] - years[:-1] == 1):
        raise ValueError(f"{path}: the years must follow each other without gaps")
    return years, values


def make_windows(
    series: torch.Tensor, window: int, *, horizon: int = 1
) -> tuple[torch.Tensor, torch.Tensor]:
    """Every window of ``window`` values and the ``horizon`` values after it.

    ``series (L,)`` -> ``inputs (N, window, 1)`` and ``targets (N, horizon)`` with
    ``N = L - window - horizon + 1``: sample ``i`` reads ``series[i : i + window]`` and must
    forecast ``series[i + window : i + window + horizon]``.
    """
    check_tensor(series, "series", ndim=1)
    if not torch.isfinite(series).all():
        raise ValueError("series holds NaN or infinity: every window and forecast would too")
    window = check_positive_int(window, "window")
    horizon = check_positive_int(horizon, "horizon")
    n = series.shape[0] - window - horizon + 1
    if n < 1:
        raise ValueError(
            f"a series of {series.shape[0]} values has no window of {window} + {horizon} values"
        )
    spans = series.unfold(0, window + horizon, 1)  # (N, window + horizon)
    return spans[:, :window, None].contiguous(), spans[:, window:].contiguous()


@dataclass(frozen=True)
class ForecastSplits:
    """Chronological train / val / test windows of one series, standardised.

    ``train``, ``val``, ``test``: ``(inputs (N, W, 1), targets (N, 1))``. ``mean`` and ``std``
    are the training values' (multiply an MSE by ``std**2`` for the series' own units).
    ``first_target``: the index in the series of each split's first target.
    """

    train: tuple[torch.Tensor, torch.Tensor]
    val: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]
    mean: float
    std: float
    first_target: dict[str, int]


def forecast_splits(
    series: torch.Tensor, window: int, *, val_fraction: float = 0.15, test_fraction: float = 0.15
) -> ForecastSplits:
    """Split ``series (L,)`` in time: the last ``test_fraction`` of the targets is the test
    split, the ``val_fraction`` before it the validation split, the rest the training split.

    A window may read values of the split before its own (a forecaster of 1980 may read 1960):
    only the targets are split. Everything is standardised with the mean and standard deviation
    of the values the training split sees (its windows and targets).
    """
    check_tensor(series, "series", ndim=1)
    window = check_positive_int(window, "window")
    val_fraction, test_fraction = (
        check_finite(value, name, low=0, high=1, low_inclusive=False, high_inclusive=False)
        for name, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction))
    )
    if val_fraction + test_fraction >= 1:
        raise ValueError(
            f"val_fraction + test_fraction must leave a training split, got "
            f"{val_fraction} + {test_fraction}"
        )
    inputs, targets = make_windows(series, window)  # (N, W, 1), (N, 1)
    n = targets.shape[0]
    n_test, n_val = round(n * test_fraction), round(n * val_fraction)
    n_train = n - n_val - n_test
    if min(n_train, n_val, n_test) < 1:
        raise ValueError(f"{n} windows are too few for a train, val and test split")
    seen = series[: n_train + window]  # every value the training split reads or predicts
    mean, std = seen.mean().item(), seen.std().item()
    if std == 0:
        raise ValueError("the training values are constant: nothing to standardise by")
    inputs, targets = (inputs - mean) / std, (targets - mean) / std
    bounds = {"train": (0, n_train), "val": (n_train, n_train + n_val), "test": (n - n_test, n)}
    parts = {k: (inputs[a:b], targets[a:b]) for k, (a, b) in bounds.items()}
    return ForecastSplits(
        train=parts["train"],
        val=parts["val"],
        test=parts["test"],
        mean=mean,
        std=std,
        first_target={k: a + window for k, (a, _) in bounds.items()},
    )


def seasonal_naive(inputs: torch.Tensor, period: int) -> torch.Tensor:
    """The forecast with no parameters: the value one ``period`` before the next one.

    ``inputs (N, W, 1)`` -> ``(N, 1)``; needs ``period <= W``.
    """
    check_tensor(inputs, "inputs", ndim=3)
    period = check_positive_int(period, "period")
    if period > inputs.shape[1]:
        raise ValueError(f"period {period} is longer than the window ({inputs.shape[1]} values)")
    return inputs[:, -period]  # (N, 1): same phase, one period back


def fit_linear(inputs: torch.Tensor, targets: torch.Tensor, *, ridge: float = 1e-3) -> nn.Module:
    """The linear forecaster ``y = w^T x + b`` fitted by (ridge) least squares, in closed form.

    ``inputs (N, W, 1)``, ``targets (N, h)`` -> an ``nn.Sequential(Flatten, Linear(W, h))`` in
    eval mode. ``ridge`` (>= 0) adds ``ridge * N * |w|^2`` to the squared error (not on ``b``):
    a small value keeps the solve stable when windows are nearly collinear. No training loop,
    no seed: the least-squares answer is unique.
    """
    check_tensor(inputs, "inputs", ndim=3)
    check_tensor(targets, "targets", ndim=2)
    if inputs.shape[0] != targets.shape[0]:
        raise ValueError(
            f"inputs and targets need the same number of samples, got {inputs.shape[0]} and "
            f"{targets.shape[0]}"
        )
    if inputs.shape[2] != 1:
        raise ValueError(f"inputs must be (N, W, 1), got shape {tuple(inputs.shape)}")
    for name, tensor in (("inputs", inputs), ("targets", targets)):
        if not torch.isfinite(tensor).all():
            raise ValueError(f"{name} hold NaN or infinity: the least-squares fit would be NaN")
    ridge = check_finite(ridge, "ridge", low=0)
    n, w = inputs.shape[:2]
    x = torch.cat([inputs[..., 0], torch.ones(n, 1)], dim=1).double()  # (N, W + 1)
    penalty = torch.eye(w + 1, dtype=torch.float64) * ridge * n
    penalty[-1, -1] = 0.0  # no penalty on the bias
    solution = torch.linalg.solve(x.T @ x + penalty, x.T @ targets.double())  # (W + 1, h)
    model = nn.Sequential(nn.Flatten(), nn.Linear(w, targets.shape[1]))
    with torch.no_grad():
        model[1].weight.copy_(solution[:-1].T)
        model[1].bias.copy_(solution[-1])
    return model.eval()


def mse(predictions: torch.Tensor, targets: torch.Tensor) -> float:
    """Mean squared error of ``predictions`` against ``targets`` (same shape)."""
    check_tensor(predictions, "predictions")
    check_tensor(targets, "targets")
    if predictions.shape != targets.shape:
        raise ValueError(
            f"predictions {tuple(predictions.shape)} and targets {tuple(targets.shape)} differ"
        )
    return (predictions - targets).pow(2).mean().item()


def forecast_verdict_text(
    lstm: Mapping[str, Measurement],
    baselines: Mapping[str, Mapping[str, float]],
    *,
    params: int,
    best_steps: Sequence[int],
    steps: int,
) -> dict[str, str]:
    """What round 5's verdict table says was measured for ``r5.small_time_series``.

    ``lstm``: the LSTM's test MSE per series (a Measurement over seeds); ``baselines``: each
    series' baselines' test MSE (``{"seasonal naive": ..., "linear": ...}``), the lowest of which
    is quoted; ``params``: the LSTM's parameter count; ``best_steps``: the step of each run's best
    validation MSE (early stopping), of ``steps``. Returns ``{"measured": ..., "note": ...}``,
    to pass on as ``table.judge("r5.small_time_series", measurement, **text)``. Nothing is
    decided here: the registered rule judges the measurement.
    """
    params = check_positive_int(params, "params")
    steps = check_positive_int(steps, "steps")
    if not lstm or set(lstm) != set(baselines):
        raise ValueError(
            f"lstm and baselines must name the same series, got {sorted(lstm)} and "
            f"{sorted(baselines)}"
        )
    quoted = []
    for name, measurement in lstm.items():
        if not isinstance(measurement, Measurement):
            raise TypeError(f"lstm[{name!r}] must be a Measurement, got {measurement!r}")
        if not baselines[name]:
            raise ValueError(f"baselines[{name!r}] is empty: expected {{baseline: test MSE}}")
        for baseline, value in baselines[name].items():
            check_finite(value, f"baselines[{name!r}][{baseline!r}]")
        best = min(baselines[name], key=baselines[name].get)
        quoted.append(
            f"{name}: LSTM {measurement.format('.4f')} vs {best} {baselines[name][best]:.4f}"
        )
    return {
        "measured": "; ".join(quoted) + f" (test MSE; LSTM {params:,} params, early-stopped)",
        "note": f"best validation at steps {list(best_steps)} of {steps}",
    }


def planted_series(
    n_samples: int, window: int, *, r: float = 3.8, noise: float = 0.02, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Windows of a series whose next value is a **nonlinear** function of the last one.

    Each sample is its own trajectory of the logistic map ``x_{t+1} = r x_t (1 - x_t)``
    (chaotic at ``r = 3.8``) from a random start, observed with Gaussian noise of std
    ``noise`` and scaled to about [-2, 2] (``4 (x - 0.5)``). The rule that makes the next value
    is planted: a network that learns the parabola forecasts it to about the noise, while a
    linear map of the window cannot bend. Returns ``inputs (N, window, 1)`` and
    ``targets (N, 1)``, like :func:`seqlib.tasks.seasonal_series`.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    window = check_positive_int(window, "window")
    r = check_finite(r, "r", low=0, high=4)
    noise = check_finite(noise, "noise", low=0)
    g = torch.Generator().manual_seed(check_seed(seed))
    x = 0.1 + 0.8 * torch.rand(n_samples, generator=g, dtype=torch.float64)  # (N,)
    for _ in range(20):  # leave the start behind: onto the map's attractor
        x = r * x * (1 - x)
    values = []
    for _ in range(window + 1):
        values.append(x)
        x = r * x * (1 - x)
    clean = torch.stack(values, dim=1).float()  # (N, W + 1)
    series = 4 * (clean - 0.5) + noise * torch.randn(clean.shape, generator=g)  # (N, W + 1)
    return series[:, :window, None].contiguous(), series[:, window:].contiguous()


@dataclass
class Fit:
    """What :func:`fit_forecaster` did: ``steps`` taken (of ``max_steps``), ``best_step`` (the
    weights kept), ``stopped_early`` (the validation MSE stopped improving before
    ``max_steps``), the validation curve (``eval_step``, ``eval_mse``) and the wall time."""

    steps: int
    max_steps: int
    best_step: int
    stopped_early: bool
    eval_step: list[int] = field(default_factory=list)
    eval_mse: list[float] = field(default_factory=list)
    seconds: float = 0.0


def fit_forecaster(
    model: nn.Module,
    train_data: tuple[torch.Tensor, torch.Tensor],
    val_data: tuple[torch.Tensor, torch.Tensor],
    *,
    max_steps: int,
    patience: int,
    min_improvement: float = 0.0,
    eval_every: int = 25,
    batch_size: int = 64,
    lr: float = 3e-3,
    seed: int = 0,
    device: str | torch.device | None = None,
) -> Fit:
    """Train a forecaster on the MSE with AdamW until its validation MSE stops improving.

    Every ``eval_every`` steps the validation MSE is measured; training **stops** when
    ``patience`` evaluations in a row have not improved on the best one by more than the
    fraction ``min_improvement`` (e.g. ``0.01``: 1% lower; ``0``: any decrease), or at
    ``max_steps``, and the best evaluation's weights are put back: early stopping by
    validation, so that a run is neither cut short while it still improves nor left to
    overfit. The gradient norm is clipped to 1. ``seed`` seeds torch (dropout) and the
    minibatch order; the model's initial weights are its own. The model ends in eval mode on
    the device it came on, with the kept weights.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    for name, (x, y) in (("train_data", train_data), ("val_data", val_data)):
        check_tensor(x, f"{name}[0]", ndim=3)
        check_tensor(y, f"{name}[1]", ndim=2)
        if x.shape[0] != y.shape[0]:
            raise ValueError(f"{name}: {x.shape[0]} inputs but {y.shape[0]} targets")
    max_steps = check_positive_int(max_steps, "max_steps")
    patience = check_positive_int(patience, "patience")
    min_improvement = check_finite(min_improvement, "min_improvement", low=0, high=1)
    eval_every = check_positive_int(eval_every, "eval_every")
    batch_size = check_positive_int(batch_size, "batch_size")
    lr = check_finite(lr, "lr", low=0, low_inclusive=False)
    seed = check_seed(seed)
    home = next(model.parameters()).device
    device = home if device is None else torch.device(device)
    model.to(device)
    x_train, y_train = train_data
    x_val, y_val = (t.to(device) for t in val_data)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    fit = Fit(steps=0, max_steps=max_steps, best_step=0, stopped_early=False)
    best, best_weights, waited = float("inf"), copy.deepcopy(model.state_dict()), 0
    order, start = torch.randperm(len(x_train), generator=generator), time.perf_counter()
    cursor = 0
    for step in range(1, max_steps + 1):
        if cursor >= len(order):  # a fresh pass over the training windows
            order, cursor = torch.randperm(len(x_train), generator=generator), 0
        idx = order[cursor : cursor + batch_size]
        cursor += batch_size
        model.train()
        loss = (model(x_train[idx].to(device)) - y_train[idx].to(device)).pow(2).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        fit.steps = step
        if step % eval_every == 0 or step == max_steps:
            model.eval()
            with torch.no_grad():
                value = (model(x_val) - y_val).pow(2).mean().item()
            fit.eval_step.append(step)
            fit.eval_mse.append(value)
            if value < best * (1 - min_improvement):
                best, best_weights, waited = value, copy.deepcopy(model.state_dict()), 0
                fit.best_step = step
            else:
                waited += 1
                if waited >= patience:
                    fit.stopped_early = step < max_steps
                    break
    model.load_state_dict(best_weights)
    model.eval().to(home)
    fit.seconds = time.perf_counter() - start
    return fit
