"""seqlib.widgets: the summary is right on hand-made curves; the explorer reacts to its controls."""

import math

import matplotlib

matplotlib.use("Agg")  # no window: the tests run headless

import pytest  # noqa: E402
import torch  # noqa: E402

from seqlib.widgets import (  # noqa: E402
    format_gradient_flow_summary,
    gradient_flow_explorer,
    gradient_flow_summary,
)

# ---------------------------------------------------------------------------------------------
# The pure functions
# ---------------------------------------------------------------------------------------------


def test_summary_on_hand_made_curves():
    curves = {
        "halves": torch.tensor([8.0, 1.0, 0.5, 0.25, 0.125]),  # 1 / 2^(k-1) from distance 1
        "flat": torch.tensor([5.0, 2.0, 2.0, 2.0, 2.0]),
        "dip": torch.tensor([1.0, 1.0, 1e-9, 0.5, 1e-9]),  # dips and recovers at distance 3
        "dead": torch.tensor([1.0, 0.0, 0.0, 0.0, 0.0]),
    }
    rows = gradient_flow_summary(curves, threshold=0.3)
    assert [row["model"] for row in rows] == ["halves", "flat", "dip", "dead"]
    halves, flat, dip, dead = rows
    assert halves["length"] == 5
    assert (halves["at_1"], halves["at_last"], halves["ratio"]) == (1.0, 0.125, 0.125)
    assert halves["reach"] == 2  # 0.5 >= 0.3 at distance 2, 0.25 < 0.3 at distance 3
    assert flat["ratio"] == 1.0 and flat["reach"] == 4  # all the way back: T - 1
    assert dip["reach"] == 3  # the largest distance above the threshold, not the first drop
    assert dead["reach"] == 0 and math.isnan(dead["ratio"])
    assert all(row["threshold"] == 0.3 for row in rows)
    assert gradient_flow_summary(curves)[0]["reach"] == 4  # default 1e-3: 0.125 >= 0.001


def test_summary_bad_input():
    with pytest.raises(TypeError, match="curves must be a mapping"):
        gradient_flow_summary(torch.ones(5))
    with pytest.raises(ValueError, match=r"at least 2 distances .* got shape \(1,\)"):
        gradient_flow_summary({"a": torch.ones(1)})
    with pytest.raises(ValueError, match="threshold must be in"):
        gradient_flow_summary({"a": torch.ones(3)}, threshold=0)


def test_format_summary_is_an_html_table():
    rows = gradient_flow_summary({"<rnn>": torch.tensor([1.0, 0.5, 0.25])})
    text = format_gradient_flow_summary(rows)
    assert text.startswith("<table>") and text.count("<tr>") == 2  # header + one model
    assert "&lt;rnn&gt;" in text  # names are escaped
    assert "5.00e-01" in text and "2.50e-01" in text and "5.0e-01" in text
    assert "2 of 2" in text  # reach of T - 1
    assert "tick at least one" in format_gradient_flow_summary([])


# ---------------------------------------------------------------------------------------------
# The explorer, headless (observers fire synchronously without a frontend)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def explorer():
    return gradient_flow_explorer(length=20, d_model=4)


def test_explorer_has_its_controls(explorer):
    controls = explorer.controls
    assert set(controls) == {"rnn", "lstm", "attention", "length", "forget_bias"}
    assert (controls["length"].min, controls["length"].max, controls["length"].value) == (
        10,
        200,
        20,
    )
    bias = controls["forget_bias"]
    assert (bias.min, bias.max, bias.step) == (-2.0, 5.0, 0.5)
    assert set(explorer.curves) == {"rnn", "lstm", "attention"}
    assert explorer.readout.value.count("<tr>") == 4  # header + three models


def test_explorer_reacts_to_every_control(explorer):
    before = explorer.readout.value
    explorer.controls["length"].value = 30
    assert explorer.curves["rnn"].shape == (30,)
    assert "of 29" in explorer.readout.value and explorer.readout.value != before

    lstm_before = explorer.curves["lstm"]
    rnn_before = explorer.curves["rnn"]
    explorer.controls["forget_bias"].value = 3.0
    assert not torch.equal(explorer.curves["lstm"], lstm_before)  # the bias opens the gate
    assert explorer.curves["rnn"] is rnn_before  # the RNN does not depend on it: cached

    explorer.controls["attention"].value = False
    assert set(explorer.curves) == {"rnn", "lstm"}
    assert "attention" not in explorer.readout.value
    for name in ("rnn", "lstm"):
        explorer.controls[name].value = False
    assert explorer.curves == {} and "tick at least one" in explorer.readout.value


def test_explorer_closes_its_figures(explorer):
    import matplotlib.pyplot as plt

    explorer.controls["rnn"].value = not explorer.controls["rnn"].value  # one more redraw
    assert plt.get_fignums() == []  # displayed, then closed: no figure piles up


def test_explorer_bad_arguments():
    with pytest.raises(ValueError, match="length must be between 10 and 200"):
        gradient_flow_explorer(length=5)
    with pytest.raises(TypeError, match="d_model must be an int"):
        gradient_flow_explorer(d_model=2.5)


def test_missing_ipywidgets_gives_an_install_hint(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    with pytest.raises(ImportError, match="pip install"):
        gradient_flow_explorer()
