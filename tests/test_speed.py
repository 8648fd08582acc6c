"""seqlib.speed: the matched pair timed side by side, and round 2's verdict sentences."""

from __future__ import annotations

import pytest

from seqlib.claims import CLAIMS
from seqlib.models import count_parameters, matched_backbones
from seqlib.speed import MODES, FighterTimings, format_fighter_timings, time_fighters, verdict_notes

QUICK = dict(min_run_time=0.005)  # a few ms per fighter: the tests check wiring, not speed


def measurements(**changes) -> dict:
    """Round 2's measurements as the notebook passes them (a CPU run, on 2 threads)."""
    base = {
        "params": (49_664, 50_240),
        "threads": 2,
        "all_threads": 2,
        "device": "cpu (2 threads)",
        "gains": (1.31, 1.62),
        "gain_length": 1000,
        "why_not": "",
        "short_slope": {"LSTM": 0.93, "Transformer": 1.08},
        "short_lengths": (64, 128, 256, 512, 1024),
        "gpu_ratio": None,
        "won": {"inference T=10 B=8": False, "training T=10 B=8": True},
        "lengths": (10, 30, 100, 1000),
        "batches": (1, 4, 16, 64),
        "demo_ratio": 0.08,
        "demo_steps": 10,
    }
    return base | changes


def test_a_sentence_for_every_round_2_claim_the_table_judges():
    notes = verdict_notes(**measurements())
    round_2 = {claim_id for claim_id in CLAIMS if claim_id.startswith("r2.")}
    assert set(notes) == round_2
    assert all(isinstance(text, str) and text for text in notes.values())


def test_the_sentences_are_written_from_the_measurements():
    notes = verdict_notes(**measurements())
    assert notes["r2.cant_parallelize"] == (
        "1 -> 2 threads, training at T=1000: LSTM 1.31x, Transformer 1.62x faster"
    )
    setup = "49,664 vs 50,240 params, 2 thread(s) timed, cpu (2 threads)"
    assert notes["r2.waits_each_step"] == (
        f"batch 1, T 64-1024, inference: LSTM time ~ T^0.93 (Transformer T^1.08); {setup}"
    )
    assert "slope LSTM minus Transformer -0.15" in notes["r2.all_in_parallel"]
    assert notes["r2.gpu_friendly_faster"].startswith("no GPU here (cpu (2 threads))")
    assert notes["r2.winner"].startswith(
        "Transformer faster in 1 of 2 settings (training T=10 B=8): T 10-1000, batch 1-64"
    )
    assert notes["r2.demo_timestep3"] == (
        "the demo as written (train mode, 2 thread(s), cpu): LSTM/Transformer time 0.08; "
        "while the Transformer runs once, the LSTM could read its 10 steps 12 times"
    )


def test_the_other_branches_of_each_sentence():
    notes = verdict_notes(
        **measurements(
            gains=None,
            why_not="torch has only one thread here",
            gpu_ratio=2.5,
            won={"a": False, "b": False},
            demo_ratio=4.0,
        )
    )
    assert notes["r2.cant_parallelize"] == "not measured: torch has only one thread here"
    assert notes["r2.gpu_friendly_faster"].startswith(
        "training at T=1000: LSTM/Transformer time 2.50"
    )
    assert "in 0 of 2 settings (none)" in notes["r2.winner"]
    assert notes["r2.demo_timestep3"].endswith("the Transformer takes 0.25x the LSTM's time")
    busy = verdict_notes(**measurements(gains=None))
    assert busy["r2.cant_parallelize"] == "not measured: more threads were slower (a busy machine)"


def test_verdict_notes_errors():
    with pytest.raises(ValueError, match=r"short_slope has no entry for \['Transformer'\]"):
        verdict_notes(**measurements(short_slope={"LSTM": 1.0}))
    with pytest.raises(TypeError, match="params must be a pair"):
        verdict_notes(**measurements(params=(1, 2, 3)))
    with pytest.raises(TypeError, match="gains must be a pair"):
        verdict_notes(**measurements(gains=1.5))
    with pytest.raises(ValueError, match="won is empty"):
        verdict_notes(**measurements(won={}))
    with pytest.raises(ValueError, match="demo_ratio must be a positive"):
        verdict_notes(**measurements(demo_ratio=0.0))


# The matched pair, timed side by side


@pytest.mark.parametrize("mode", MODES)
def test_time_fighters_reports_both(mode):
    result = time_fighters(2, 12, 32, mode, threads=1, **QUICK)
    assert (result.batch, result.length, result.width, result.mode) == (2, 12, 32, mode)
    assert result.threads == 1 and result.device == "cpu"
    assert result.lstm_ms > 0 and result.transformer_ms > 0
    slower = max(result.lstm_ms, result.transformer_ms)
    faster = min(result.lstm_ms, result.transformer_ms)
    assert result.ratio == pytest.approx(slower / faster)
    assert result.faster == (
        "LSTM" if result.lstm_ms <= result.transformer_ms else "Transformer"
    )
    lstm, transformer = matched_backbones(32)
    assert result.lstm_params == count_parameters(lstm)
    assert result.transformer_params == count_parameters(transformer)
    assert result.lstm_hidden == lstm.hidden_size


def test_time_fighters_training_runs_backward_in_train_mode():
    lstm, transformer = matched_backbones(32)
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
        time_fighters(2, 8, 64, models=matched_backbones(32))
    with pytest.raises(TypeError, match="batch must be an int"):
        time_fighters(2.0, 8, 32)
    with pytest.raises(TypeError, match="models must be"):
        time_fighters(2, 8, 32, models=("lstm", "transformer"))


def test_format_fighter_timings():
    result = FighterTimings(
        batch=4, length=100, width=64, mode="training", threads=1, device="cpu",
        lstm_ms=2.0, transformer_ms=5.0, lstm_params=50_400, transformer_params=49_984,
        lstm_hidden=84,
    )  # fmt: skip
    assert (result.faster, result.ratio) == ("LSTM", 2.5)
    text = format_fighter_timings(result)
    assert text.startswith("<table>") and text.count("<tr>") == 3
    assert "50,400" in text and "49,984" in text and "hidden 84" in text
    assert "<b>LSTM</b> is faster by <b>2.5x</b>" in text and "1 thread," in text
