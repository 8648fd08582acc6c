"""A measured value and how much it moved across seeds: what every verdict is decided on.

A trained comparison is run with several seeds (at least 3: one run is an anecdote). Each seed
gives one value; the verdict looks at all of them::

    accuracies = [0.97, 1.00, 0.99]          # one trained model per seed
    m = Measurement(accuracies, seeds=3)
    m.mean, m.interval                       # 0.987, (0.97, 1.0)

The interval is the **range over seeds**, ``[min, max]``: with 3 to 5 seeds a confidence
interval would rest on a guess of the spread, while the range says plainly "every seed landed
here". A claim is confirmed only when the whole range clears its threshold (see
:mod:`seqlib.claims`), so one lucky seed cannot carry a verdict.

A timing is measured several times, the fighters in turns (``seqlib.timing.interleaved``), and
judged like seeds: ``Measurement(ratios, repeats=5)`` holds one value per repeat, and a timed claim
needs at least 5 of them. A measurement with nothing trained or repeated behind it (a size, a
parity check against torch) has ``seeds=0`` and one value. A paired comparison (LSTM and
Transformer trained with the same seed and data) is measured seed by seed:
``Measurement.paired(lstm, transformer)`` holds the differences ``lstm[i] - transformer[i]``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from seqlib._validate import check_positive_int

__all__ = [
    "INTERVAL_KIND",
    "MIN_REPEATS",
    "MIN_SEEDS",
    "Measurement",
    "as_float",
]

INTERVAL_KIND = "range over seeds or repeats [min, max]"
MIN_SEEDS = 3  # behind every claim judged from trained models
MIN_REPEATS = 5  # interleaved repeats behind every timed claim


def as_float(value: object, name: str) -> float:
    """A real number (Python, numpy, or a one-element numpy array or torch tensor) as a ``float``.

    Raises ``TypeError`` for anything else (booleans and strings included).
    """
    if isinstance(value, (torch.Tensor, np.ndarray)):
        if math.prod(value.shape) != 1:
            kind = "a tensor" if isinstance(value, torch.Tensor) else "an array"
            raise TypeError(f"{name} must be a number, got {kind} of shape {tuple(value.shape)}")
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} ({value!r})")
    return float(value)


@dataclass(frozen=True)
class Measurement:
    """``values``: one per seed (``seeds >= 1``) or per repeat (``repeats >= 1``), else one value.

    ``seeds`` is the number of independently seeded training runs behind the values; 0 when
    nothing was trained. ``repeats`` is the number of interleaved repeats of a timing (then
    ``seeds=0``); 0 when nothing was repeated (a size, a count, a parity check).
    """

    values: tuple[float, ...]
    seeds: int
    repeats: int

    def __init__(
        self, values: Sequence[object] | object, seeds: int = 0, *, repeats: int = 0
    ) -> None:
        arrays = (torch.Tensor, np.ndarray)  # a 0-d one is a single value: torch.tensor(0.5)
        many = isinstance(values, Sequence) or (isinstance(values, arrays) and values.ndim > 0)
        if isinstance(values, (str, bytes)) or not many:
            values = (values,)
        floats = tuple(as_float(v, "each value") for v in values)
        seeds = check_positive_int(seeds, "seeds", allow_zero=True)
        repeats = check_positive_int(repeats, "repeats", allow_zero=True)
        if seeds and repeats:
            raise ValueError(
                f"a measurement is over seeds or over repeats, not both: {seeds=}, {repeats=}"
            )
        if not floats:
            raise ValueError("a measurement needs at least one value")
        if not all(math.isfinite(v) for v in floats):
            raise ValueError(f"a measurement must be finite (no NaN or infinity), got {floats}")
        if repeats > 0 and len(floats) != repeats:
            raise ValueError(
                f"{repeats} repeats need {repeats} values (one per repeat), got {len(floats)}"
            )
        if seeds == 0 and repeats == 0 and len(floats) != 1:
            raise ValueError(
                f"seeds=0 and repeats=0 (nothing trained or repeated) take one value, got "
                f"{len(floats)}"
            )
        if seeds > 0 and len(floats) != seeds:
            raise ValueError(f"{seeds} seeds need {seeds} values (one per seed), got {len(floats)}")
        object.__setattr__(self, "values", floats)
        object.__setattr__(self, "seeds", seeds)
        object.__setattr__(self, "repeats", repeats)

    @classmethod
    def paired(cls, a: Sequence[object], b: Sequence[object]) -> Measurement:
        """Seed-by-seed differences ``a[i] - b[i]`` of two fighters trained with the same seeds."""
        for name, values in (("a", a), ("b", b)):
            array = isinstance(values, (torch.Tensor, np.ndarray)) and values.ndim == 1
            if isinstance(values, (str, bytes)) or not (isinstance(values, Sequence) or array):
                raise TypeError(
                    f"{name} must be a list of values, one per seed, got {type(values).__name__}"
                )
        if not len(a):
            raise ValueError("paired values need at least one seed: a and b are empty")
        if len(a) != len(b):
            raise ValueError(f"paired values need the same seeds: got {len(a)} and {len(b)}")
        return cls([as_float(x, "a") - as_float(y, "b") for x, y in zip(a, b, strict=True)], len(a))

    @property
    def mean(self) -> float:
        return sum(self.values) / len(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    @property
    def interval(self) -> tuple[float, float] | None:
        """``(min, max)`` over seeds or repeats when there are at least 2, else ``None``."""
        return (self.low, self.high) if len(self.values) >= 2 else None

    def format(self, spec: str = ".2f") -> str:
        """``"0.99 [0.97, 1.00] over 3 seeds"`` (or ``repeats``), or ``"0.99"`` for one value."""
        if self.interval is None:
            return f"{self.mean:{spec}}"
        over = f"{self.seeds} seeds" if self.seeds else f"{self.repeats} repeats"
        return f"{self.mean:{spec}} [{self.low:{spec}}, {self.high:{spec}}] over {over}"

    def __str__(self) -> str:
        return self.format()
