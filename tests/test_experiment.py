"""seqlib.experiment.check_prediction: one way, in every round, to say how a prediction did."""

from __future__ import annotations

import pytest

from seqlib.experiment import check_prediction
from seqlib.measurement import Measurement


def test_no_prediction_yet_keeps_the_measurement_back():
    line = check_prediction(None, 2.5, what="the ratio", factor=1.25)
    assert line.startswith("⏳") and "2.5" not in line and "PREDICTION" in line


@pytest.mark.parametrize("guess", ["fast", True, float("nan"), float("inf")])
def test_a_prediction_that_is_not_a_number_is_named_not_raised(guess):
    assert check_prediction(guess, 2.0, what="x", factor=2).startswith("❓")


@pytest.mark.parametrize(
    ("guess", "close"), [(2.0, True), (2.4, True), (1.7, True), (2.6, False), (1.5, False)]
)
def test_factor_compares_as_a_ratio(guess, close):
    line = check_prediction(guess, 2.0, what="the ratio", factor=1.25)
    assert line.startswith("✅" if close else "🔍"), line


def test_factor_spans_orders_of_magnitude():
    assert check_prediction(3e-4, 2.7e-4, what="g", factor=10).startswith("✅")
    far = check_prediction(1e-1, 2.7e-4, what="g", factor=10)
    assert far.startswith("🔍") and "too high" in far and "factor of 3.7e+02" in far
    assert "too low" in check_prediction(1e-7, 2.7e-4, what="g", factor=10)


def test_margin_compares_with_the_measured_range():
    measured = Measurement([0.10, 0.20, 0.30], seeds=3)
    assert check_prediction(0.33, measured, what="f", margin=0.05).startswith("✅")
    assert check_prediction(0.05, measured, what="f", margin=0.05).startswith("✅")
    line = check_prediction(0.50, measured, what="f", margin=0.05)
    assert line.startswith("🔍") and "too high, off by 0.2" in line
    none_changed = Measurement([0.0, 0.0, 0.0], seeds=3)
    assert check_prediction(0.0, none_changed, what="f", margin=0.05).startswith("✅")


def test_a_negative_guess_of_a_positive_quantity_is_not_close():
    assert check_prediction(-1.0, 2.0, what="x", factor=2).startswith("🔍")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"factor": 1.2, "margin": 0.1}, ValueError, "exactly one"),  # both
        ({}, ValueError, "exactly one"),  # neither
        ({"factor": 1.0}, ValueError, "factor must be"),
        ({"factor": True}, ValueError, "factor must be"),
        ({"factor": float("inf")}, ValueError, "factor must be a finite"),
        ({"margin": -0.1}, ValueError, "margin must be"),
        ({"margin": float("inf")}, ValueError, "margin must be a finite"),
    ],
)
def test_bad_options(kwargs, error, message):
    with pytest.raises(error, match=message):
        check_prediction(1.0, 2.0, what="x", **kwargs)


def test_bad_measurement_and_name():
    with pytest.raises(TypeError, match="measured must be"):
        check_prediction(1.0, "2", what="x", factor=2)
    with pytest.raises(TypeError, match="what must name"):
        check_prediction(1.0, 2.0, what="", factor=2)
    with pytest.raises(ValueError, match="positive"):
        check_prediction(1.0, 0.0, what="x", factor=2)
