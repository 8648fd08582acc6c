"""The rounds' open experiments: a learner's prediction, written first, against a measurement.

Every round ends its build with one experiment: change one thing, write a prediction in
``PREDICTION``, run, and compare. :func:`check_prediction` says how the prediction did, in one
line, the same way in every round. It never raises for a wrong prediction: a wrong guess,
measured, is what the experiment is for.

    print(check_prediction(PREDICTION, measured, what="time with / without", factor=1.25))
"""

from __future__ import annotations

import math
import numbers

from seqlib.measurement import Measurement

__all__ = [
    "check_prediction",
]


def _number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_prediction(
    prediction: object,
    measured: float | Measurement,
    *,
    what: str,
    factor: float | None = None,
    margin: float | None = None,
) -> str:
    """One line comparing ``prediction`` with ``measured`` (a number, or a range over seeds).

    Give exactly one of:

    - ``factor`` (> 1) for a positive quantity, a ratio or one that spans orders of magnitude:
      the prediction is close when ``low / factor <= prediction <= high * factor``;
    - ``margin`` (>= 0) for a quantity on a fixed scale, a fraction say: close when
      ``low - margin <= prediction <= high + margin``.

    ``low`` and ``high`` are the measured range (both the value itself for a number). ``what``
    names the quantity. The line starts with ⏳ (no prediction yet: ``None``; the measurement is
    not shown, so that the guess comes first), ❓ (not a number), ✅ (close) or 🔍 (how far
    off, and which way).
    """
    if not isinstance(what, str) or not what:
        raise TypeError(f"what must name the measured quantity, got {what!r}")
    if (factor is None) == (margin is None):
        raise ValueError("give exactly one of factor (a ratio, > 1) and margin (an absolute gap)")
    if factor is not None and not (_number(factor) and 1 < factor < math.inf):
        raise ValueError(f"factor must be a finite number above 1, got {factor!r}")
    if margin is not None and not (_number(margin) and 0 <= margin < math.inf):
        raise ValueError(f"margin must be a finite number >= 0, got {margin!r}")
    if isinstance(measured, Measurement):
        low, high = measured.low, measured.high
        shown = measured.format(".3g")
    elif _number(measured) and math.isfinite(measured):
        low = high = float(measured)
        shown = f"{low:.3g}"
    else:
        raise TypeError(f"measured must be a finite number or a Measurement, got {measured!r}")
    if factor is not None and not low > 0:
        raise ValueError(f"factor compares positive quantities; measured {what} = {shown}")

    if prediction is None:  # the measurement would give the answer away
        return (
            f"⏳ No prediction yet: write your guess of {what} in PREDICTION, then run this "
            "cell again to see the measurement."
        )
    if not (_number(prediction) and math.isfinite(prediction)):
        return f"❓ PREDICTION must be a number (your guess of {what}), got {prediction!r}."
    guess = float(prediction)
    if factor is not None:
        if guess <= 0:
            return f"🔍 you predicted {what} = {guess:.3g}; measured {shown}: it is positive."
        close = low / factor <= guess <= high * factor
        off = max(low / guess, guess / high, 1.0)
        gap = f"off by a factor of {off:.2g}"
    else:
        close = low - margin <= guess <= high + margin
        gap = f"off by {max(low - guess, guess - high):.3g}"
    if close:
        return f"✅ you predicted {what} = {guess:.3g}; measured {shown}: close."
    side = "high" if guess > high else "low"
    return (
        f"🔍 you predicted {what} = {guess:.3g}; measured {shown}: too {side}, {gap}. "
        "What did your prediction leave out?"
    )
