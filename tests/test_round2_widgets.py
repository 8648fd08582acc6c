"""seqlib.widgets, round 2: matched fighters, time_fighters and the speed explorer (headless)."""

import pytest
import torch

from seqlib.widgets import (
    SPEED_MODES,
    format_fighter_timings,
    lstm_parameter_count,
    matched_fighters,
    speed_explorer,
    time_fighters,
)

QUICK = dict(min_run_time=0.005)  # a few ms per fighter: the tests check wiring, not speed


def n_params(module):
    return sum(p.numel() for p in module.parameters())


def test_lstm_parameter_count_is_torchs():
    for i, h in ((128, 64), (3, 7), (64, 84)):
        assert lstm_parameter_count(i, h) == n_params(torch.nn.LSTM(i, h))
    assert lstm_parameter_count(128, 64) == 49_664  # the fight card's demo


@pytest.mark.parametrize("width", [32, 64, 128])
def test_matched_fighters_are_matched(width):
    lstm, transformer = matched_fighters(width)
    assert isinstance(lstm, torch.nn.LSTM) and lstm.batch_first and lstm.input_size == width
    assert transformer.linear1.out_features == 4 * width and transformer.self_attn.batch_first
    target = n_params(transformer)
    # the closest hidden size: its neighbours are no closer
    for h in (lstm.hidden_size - 1, lstm.hidden_size + 1):
        assert abs(lstm_parameter_count(width, h) - target) >= abs(n_params(lstm) - target)
    assert abs(n_params(lstm) - target) / target < 0.05


def test_matched_fighters_bad_width():
    with pytest.raises(ValueError, match="multiple of nhead=4"):
        matched_fighters(30)
    with pytest.raises(TypeError, match="width must be an int"):
        matched_fighters(64.0)


@pytest.mark.parametrize("mode", SPEED_MODES)
def test_time_fighters_reports_both(mode):
    result = time_fighters(2, 12, 32, mode, threads=1, **QUICK)
    assert (result["batch"], result["length"], result["width"], result["mode"]) == (2, 12, 32, mode)
    assert result["threads"] == 1 and result["device"] == "cpu"
    assert result["lstm_ms"] > 0 and result["transformer_ms"] > 0
    slower = max(result["lstm_ms"], result["transformer_ms"])
    faster = min(result["lstm_ms"], result["transformer_ms"])
    assert result["ratio"] == pytest.approx(slower / faster)
    assert result["faster"] == (
        "LSTM" if result["lstm_ms"] <= result["transformer_ms"] else "Transformer"
    )
    lstm, transformer = matched_fighters(32)
    assert result["lstm_params"] == n_params(lstm)
    assert result["transformer_params"] == n_params(transformer)
    assert result["lstm_hidden"] == lstm.hidden_size


def test_time_fighters_training_runs_backward_in_train_mode():
    lstm, transformer = matched_fighters(32)
    time_fighters(2, 8, 32, "training", models=(lstm, transformer), **QUICK)
    assert lstm.training and transformer.training
    assert lstm.weight_hh_l0.grad is not None and transformer.linear1.weight.grad is not None
    time_fighters(2, 8, 32, "inference", models=(lstm, transformer), **QUICK)
    assert not lstm.training and not transformer.training


def test_time_fighters_bad_arguments():
    with pytest.raises(ValueError, match="mode must be one of"):
        time_fighters(2, 8, 32, "train")
    with pytest.raises(ValueError, match="length must be <= 2048"):
        time_fighters(2, 5000, 32)
    with pytest.raises(ValueError, match="models must read width=64"):
        time_fighters(2, 8, 64, models=matched_fighters(32))
    with pytest.raises(TypeError, match="batch must be an int"):
        time_fighters(2.0, 8, 32)


def test_format_fighter_timings():
    result = dict(
        batch=4, length=100, width=64, mode="training", threads=1, device="cpu",
        lstm_ms=2.0, transformer_ms=5.0, lstm_params=50_400, transformer_params=49_984,
        lstm_hidden=84, faster="LSTM", ratio=2.5,
    )  # fmt: skip
    text = format_fighter_timings(result)
    assert text.startswith("<table>") and text.count("<tr>") == 3
    assert "50,400" in text and "49,984" in text and "hidden 84" in text
    assert "<b>LSTM</b> is faster by <b>2.5x</b>" in text and "1 thread," in text


# ---------------------------------------------------------------------------------------------
# The explorer, headless (observers fire synchronously without a frontend)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def explorer():
    return speed_explorer(batch=2, length=20, width=32, max_length=200, **QUICK)


def test_explorer_has_its_controls(explorer):
    controls = explorer.controls
    assert set(controls) == {"batch", "length", "width", "mode", "threads"}
    assert (controls["length"].min, controls["length"].max, controls["length"].value) == (
        10,
        200,
        20,
    )
    assert list(controls["mode"].options) == list(SPEED_MODES)
    assert list(controls["threads"].options) == list(range(1, torch.get_num_threads() + 1))
    assert explorer.result["length"] == 20 and "faster by" in explorer.readout.value


@pytest.mark.parametrize(
    ("name", "value", "key"),
    [("batch", 3, "batch"), ("length", 30, "length"), ("width", 64, "width"),
     ("mode", "training", "mode"), ("threads", 1, "threads")],
)  # fmt: skip
def test_explorer_reacts_to_every_control(explorer, name, value, key):
    explorer.controls[name].value = value
    assert explorer.result[key] == value
    assert f"{value}" in explorer.readout.value


def test_explorer_bad_arguments():
    with pytest.raises(ValueError, match="max_length must be between 10 and 2048"):
        speed_explorer(max_length=5000)
    with pytest.raises(ValueError, match="length must be between 10 and max_length=100"):
        speed_explorer(length=500, max_length=100)
    with pytest.raises(ValueError, match="width must be 32, 64"):
        speed_explorer(width=48)
    with pytest.raises(ValueError, match="batch must be between 1 and 64"):
        speed_explorer(batch=100)


def test_missing_ipywidgets_gives_an_install_hint(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    with pytest.raises(ImportError, match="pip install"):
        speed_explorer()
