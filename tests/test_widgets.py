"""seqlib.widgets: every round's explorer, headless, reacts to its controls (observers fire
synchronously without a frontend), closes its figures and names what ipywidgets lacks."""

import matplotlib

matplotlib.use("Agg")  # no window: the tests run headless

import pytest  # noqa: E402
import torch  # noqa: E402

from seqlib import edge, language, speed  # noqa: E402
from seqlib.hire import Measurements  # noqa: E402
from seqlib.streaming import StreamRecord  # noqa: E402
from seqlib.widgets import (  # noqa: E402
    attention_explorer,
    edge_explorer,
    gradient_flow_explorer,
    hire_explorer,
    speed_explorer,
)

# ---------------------------------------------------------------------------------------------
# Round 1: gradient flow
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


# ---------------------------------------------------------------------------------------------
# Round 2: live timings of the matched pair
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def speed_box():
    return speed_explorer(batch=2, length=20, width=32, max_length=200, min_run_time=0.005)


def test_speed_explorer_has_its_controls(speed_box):
    controls = speed_box.controls
    assert set(controls) == {"batch", "length", "width", "mode", "threads"}
    assert (controls["length"].min, controls["length"].max, controls["length"].value) == (
        10,
        200,
        20,
    )
    assert list(controls["mode"].options) == list(speed.MODES)
    assert list(controls["threads"].options) == list(range(1, torch.get_num_threads() + 1))
    assert speed_box.result.length == 20 and "faster by" in speed_box.readout.value


@pytest.mark.parametrize(
    ("name", "value", "key"),
    [("batch", 3, "batch"), ("length", 30, "length"), ("width", 64, "width"),
     ("mode", "training", "mode"), ("threads", 1, "threads")],
)  # fmt: skip
def test_speed_explorer_reacts_to_every_control(speed_box, name, value, key):
    speed_box.controls[name].value = value
    assert getattr(speed_box.result, key) == value
    assert f"{value}" in speed_box.readout.value


def test_speed_explorer_bad_arguments():
    with pytest.raises(ValueError, match="max_length must be between 10 and 2048"):
        speed_explorer(max_length=5000)
    with pytest.raises(ValueError, match="length must be between 10 and max_length=100"):
        speed_explorer(length=500, max_length=100)
    with pytest.raises(ValueError, match="width must be 32, 64"):
        speed_explorer(width=48)
    with pytest.raises(ValueError, match="batch must be between 1 and 64"):
        speed_explorer(batch=100)


# ---------------------------------------------------------------------------------------------
# Round 3: attention and saliency of a typed sentence
# ---------------------------------------------------------------------------------------------

L = language


def test_attention_explorer_reacts_and_reports_unknown_words(language_fighters):
    box = attention_explorer(*language_fighters)
    assert set(box.controls) == {"text", "layer", "head"}
    assert list(box.controls["layer"].options) == [0, 1]
    assert list(box.controls["head"].options) == [0, 1]
    assert box.result.expected == "CEO" and "Transformer answers" in box.readout.value

    box.controls["head"].value = 1
    assert box.result.head == 1
    box.controls["layer"].value = 1
    assert box.result.layer == 1

    box.controls["text"].value = "the actor met the actress and she sells cars"
    assert box.result.expected == "actress"

    box.controls["text"].value = "Elon said he loves rockets"  # must not raise
    assert box.result is None
    assert "not in the vocabulary" in box.readout.value and "Elon" in box.readout.value

    box.controls["text"].value = L.FIGHT_CARD  # recovers
    assert box.result.expected == "CEO"
    assert matplotlib.pyplot.get_fignums() == []  # figures are closed after display


# ---------------------------------------------------------------------------------------------
# Round 4: which fighter to hire
# ---------------------------------------------------------------------------------------------


def hire_measured() -> Measurements:
    return Measurements(
        sizes=[50, 200, 800, 3200],
        accuracy={"LSTM": [0.40, 0.42, 0.43, 0.43], "Transformer": [0.30, 0.38, 0.43, 0.44]},
        positions=[64, 128, 256],
        ms_per_token={"LSTM": [0.2, 0.2, 0.2], "Transformer": [0.5, 1.0, 2.0]},
        cost_per_million={"LSTM": 0.01, "Transformer": 0.03},
        device="cpu",
    )


def test_hire_explorer_updates_and_shows_messages():
    box = hire_explorer(hire_measured(), n_examples=100, seq_length=64, latency_budget_ms=10.0)
    assert set(box.controls) == {"n_examples", "seq_length", "latency_budget_ms", "hardware"}
    assert "LSTM" in box.readout.value and "learning curve" in box.readout.value
    box.controls["latency_budget_ms"].value = 0.0
    assert "⚠️" in box.readout.value and "latency_budget_ms" in box.readout.value
    box.controls["latency_budget_ms"].value = 1.0
    box.controls["seq_length"].value = 256
    assert "latency per token" in box.readout.value
    box.controls["hardware"].value = "gpu"  # CPU timings: no latency advice for a GPU
    assert "not consulted" in box.readout.value and "latency per token" not in box.readout.value
    wide = hire_explorer(hire_measured(), n_examples=100, latency_budget_ms=10.0, margin=0.1)
    assert "cost per million tokens" in wide.readout.value


# ---------------------------------------------------------------------------------------------
# Round 5: the edge calculator
# ---------------------------------------------------------------------------------------------


def stream_records(ms: list[float], memory: list[int]) -> list[StreamRecord]:
    return [
        StreamRecord(position=100 * (i + 1), ms_per_token=m, memory_bytes=b)
        for i, (m, b) in enumerate(zip(ms, memory, strict=True))
    ]


EDGE_FITS = {  # an LSTM: flat time, constant state; a KV cache: 1000 more bytes per token
    "LSTM": edge.fit_stream(stream_records([1.0, 1.0, 1.0], [500, 500, 500])),
    "KV": edge.fit_stream(stream_records([1.0, 1.5, 2.0], [100_000, 200_000, 300_000])),
}
EDGE_WEIGHTS = {"LSTM": 400_000, "KV": 400_000}


def test_edge_explorer_reacts_to_its_controls():
    box = edge_explorer(
        EDGE_FITS, EDGE_WEIGHTS, context=256, memory_budget_mb=1.0, latency_budget_ms=3.0
    )
    assert set(box.controls) == {"context", "memory_mb", "latency_ms"}
    assert "LSTM, KV fits the device" in box.readout.value
    box.controls["context"].value = 4096  # the KV cache outgrows 1 MB
    assert "At 4,096 tokens" in box.readout.value
    assert [row.fits for row in box.rows] == [True, False]
    box.controls["memory_mb"].value = 10_000.0
    box.controls["latency_ms"].value = 1000.0
    assert all(row.fits for row in box.rows)
    with pytest.raises(ValueError, match="power of 2"):
        edge_explorer(EDGE_FITS, EDGE_WEIGHTS, context=100)
    assert edge.CONTEXTS[0] == 64 and edge.CONTEXTS[-1] == 2**20


# ---------------------------------------------------------------------------------------------
# All five: without ipywidgets, a one-sentence install hint
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("explorer", ["gradient", "speed", "attention", "hire", "edge"])
def test_every_explorer_without_ipywidgets_gives_an_install_hint(
    explorer, language_fighters, monkeypatch
):
    import sys

    build = {
        "gradient": lambda: gradient_flow_explorer(),
        "speed": lambda: speed_explorer(),
        "attention": lambda: attention_explorer(*language_fighters),
        "hire": lambda: hire_explorer(hire_measured()),
        "edge": lambda: edge_explorer(EDGE_FITS, EDGE_WEIGHTS),
    }[explorer]
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    with pytest.raises(ImportError, match="pip install"):
        build()
