"""seqlib.speed: the matched pair timed side by side, and round 2's verdict sentences."""

from __future__ import annotations

import pytest
import torch

from seqlib.claims import CLAIMS
from seqlib.lstm import LSTM
from seqlib.measurement import Measurement
from seqlib.models import count_parameters, matched_backbones
from seqlib.speed import (
    MARGIN,
    MODES,
    FighterTimings,
    PlantedChain,
    balance,
    critical_path,
    dependency_cut,
    format_fighter_timings,
    next_repeat,
    per_repeat,
    record,
    records_per_repeat,
    thread_gains,
    time_fighters,
    timed_call,
    verdict_notes,
)
from seqlib.timing import fit_slope

QUICK = dict(min_run_time=0.005)  # a few ms per fighter: the tests check wiring, not speed


def measurements(**changes) -> dict:
    """Round 2's measurements as the notebook passes them (a CPU run, on 2 threads)."""
    base = {
        "params": (49_664, 50_240),
        "threads": 2,
        "device": "cpu, 2 threads",
        "gains": {"LSTM": [1.0, 1.1, 0.9], "Transformer": [1.6, 1.7, 1.5]},
        "gain_setting": "training, T=500, batch 8",
        "why_not": "",
        "wait_ratio": [3.0, 2.5, 4.0],
        "wait_setting": "width 8, batch 1, T=4096, inference",
        "depth": {"Transformer": (31, 31), "LSTM": (120, 1800)},
        "depth_lengths": (16, 256),
        "gpu_ratio": None,
        "records": [(3, 14, 20), (4, 13, 20)],
        "sweep_setting": "T 10-1000 at batch 8",
        "demo_ratio": [0.08, 0.07, 0.09],
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
        "training, T=500, batch 8: 1 thread -> all, LSTM 1.00x [0.90, 1.10], Transformer "
        "1.60x [1.50, 1.70] faster; LSTM gain / Transformer gain 0.62 [0.60, 0.65]"
    )
    assert notes["r2.waits_each_step"].startswith(
        "width 8, batch 1, T=4096, inference: the LSTM's chain takes 3.0x [2.5, 4.0]"
    )
    assert "Transformer layer 31 at T=16, 31 at T=256" in notes["r2.all_in_parallel"]
    assert "step-by-step LSTM 120 -> 1800" in notes["r2.all_in_parallel"]
    assert notes["r2.gpu_friendly_faster"].startswith("no GPU here (cpu, 2 threads)")
    assert notes["r2.winner"].startswith(
        "of 20 settings (T 10-1000 at batch 8), won by >= 1.1x: Transformer 3-4, LSTM 13-14"
    )
    assert notes["r2.demo_timestep3"] == (
        "the demo as written (train mode, 2 thread(s), cpu): LSTM/Transformer time "
        "0.080 [0.070, 0.090]; while the Transformer runs once, the LSTM could read its 10 "
        "steps 12 times"
    )


def test_the_other_branches_of_each_sentence():
    notes = verdict_notes(
        **measurements(
            gains=None, why_not="torch has only one thread here", gpu_ratio=[2.5, 2.4],
            demo_ratio=[4.0, 4.0],
        )
    )  # fmt: skip
    assert notes["r2.cant_parallelize"] == "not measured: torch has only one thread here"
    assert notes["r2.gpu_friendly_faster"].startswith(
        "training, longest length: LSTM/Transformer time 2.45 [2.40, 2.50]"
    )
    assert notes["r2.demo_timestep3"].endswith("the Transformer takes 0.25x the LSTM's time")
    busy = verdict_notes(**measurements(gains=None))
    assert busy["r2.cant_parallelize"] == "not measured: more threads were slower (a busy machine)"


def test_verdict_notes_errors():
    with pytest.raises(ValueError, match=r"depth has no entry for \['Transformer'\]"):
        verdict_notes(**measurements(depth={"LSTM": (1, 2)}))
    with pytest.raises(TypeError, match="params must be a pair"):
        verdict_notes(**measurements(params=(1, 2, 3)))
    with pytest.raises(ValueError, match="gains has no entry"):
        verdict_notes(**measurements(gains={"LSTM": [1.0]}))
    with pytest.raises(ValueError, match="records is empty"):
        verdict_notes(**measurements(records=[]))
    with pytest.raises(ValueError, match="demo_ratio must be positive"):
        verdict_notes(**measurements(demo_ratio=[0.0]))


# Records, ratios per repeat


def test_a_win_needs_the_margin():
    # 1.05x is a tie, 1.1x a win, either way round
    assert record([1.05, 1.10, 1.0, 1.0], [1.0, 1.0, 1.05, 1.10]) == (1, 1, 4)
    assert pytest.approx(1.1) == MARGIN
    assert balance((3, 14, 20)) == pytest.approx(-0.55)
    assert balance((0, 0, 5)) == 0
    with pytest.raises(ValueError, match="one LSTM and one Transformer time per setting"):
        record([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="margin must be >= 1"):
        record([1.0], [1.0], margin=0.9)


def test_records_and_ratios_are_taken_repeat_by_repeat():
    times = {
        ("a", "LSTM"): [1.0, 1.0], ("a", "Transformer"): [2.0, 0.5], ("a", "again"): [1.0, 1.0],
        ("b", "LSTM"): [1.0, 3.0], ("b", "Transformer"): [2.0, 1.0], ("b", "again"): [1.0, 3.0],
    }  # fmt: skip
    assert records_per_repeat(times, ["a", "b"]) == [(0, 2, 2), (2, 0, 2)]
    assert records_per_repeat(times, ["a", "b"], transformer="again") == [(0, 0, 2)] * 2
    assert records_per_repeat(times, ["a", "b"], shift_lstm=True) == [(0, 1, 2), (1, 0, 2)]
    assert per_repeat(times, ("b", "LSTM"), ("b", "Transformer")) == [0.5, 3.0]
    assert next_repeat([1, 2, 3]) == [2, 3, 1]


# The dependency cut, the planted chain, the critical path, thread gains


def test_the_dependency_cut_evaluates_the_same_cells_from_the_initial_state():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(4, 3, batch_first=True)
    x = torch.randn(2, 5, 4)  # (B, T, D)
    seen = []
    hook = lstm.register_forward_hook(lambda module, args, out: seen.append(args[0].shape))
    dependency_cut(lstm, x)()
    dependency_cut(lstm, x, "training")()
    hook.remove()
    assert seen == [torch.Size([10, 1, 4])] * 2 and lstm.weight_hh_l0.grad is not None
    # the cut: each step from the initial state, i.e. step t does not see step t-1
    with torch.no_grad():
        cut = lstm(x.reshape(10, 1, 4))[0].reshape(2, 5, 3)
        alone = torch.stack([lstm(x[:, t : t + 1])[0][:, 0] for t in range(5)], dim=1)
        chained = lstm(x)[0]
    torch.testing.assert_close(cut, alone)
    assert not torch.allclose(cut[:, 1:], chained[:, 1:])  # with the chain, later steps differ


def test_the_planted_chain_waits_for_every_step():
    torch.manual_seed(0)
    chain = PlantedChain(4, 3)
    x = torch.randn(2, 6, 4, requires_grad=True)
    h = chain(x)  # (B, H): the last state
    assert h.shape == (2, 3)
    h.sum().backward()
    assert x.grad[:, 0].abs().sum() > 0  # the first step reaches the last state
    # its critical path grows by a fixed number of operations per step
    depths = [critical_path(chain(torch.randn(1, T, 4, requires_grad=True))) for T in (4, 8, 16)]
    assert depths[2] - depths[1] == 2 * (depths[1] - depths[0]) > 0


def test_critical_path_tells_a_chain_from_a_parallel_layer():
    lstm, transformer = matched_backbones(16)
    transformer.train()
    scratch = LSTM.from_torch(lstm)
    mlp = torch.nn.Sequential(torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 16))
    lengths = (8, 32, 128)

    def path(f, T):
        return critical_path(f(torch.randn(1, T, 16, requires_grad=True)))

    tf = [path(transformer, T) for T in lengths]
    rnn = [path(lambda x: scratch(x)[0], T) for T in lengths]
    block = [path(mlp, T) for T in lengths]
    assert len(set(tf)) == 1 and len(set(block)) == 1 and tf[0] > block[0] > 1
    assert rnn[0] < rnn[1] < rnn[2] and fit_slope(lengths, rnn) > 0.8
    # the registered rule: the Transformer confirmed, the chain control refuted, so it stands
    claim = CLAIMS["r2.all_in_parallel"]
    judged = claim.assess(
        Measurement(fit_slope(lengths, tf)),
        controls={"lstm_chain": Measurement(fit_slope(lengths, rnn)),
                  "planted_parallel": Measurement(fit_slope(lengths, block))},
    )  # fmt: skip
    assert (judged.verdict, [c.verdict for c in judged.controls]) == (
        "confirmed", ["refuted", "confirmed"]
    )
    with pytest.raises(ValueError, match="computed with autograd"):
        critical_path(torch.randn(3))


def test_thread_gains_one_per_repeat():
    x = torch.randn(64, 64)
    gains = thread_gains({"mm": lambda: x @ x}, threads=1, repeats=2, min_run_time=0.005)
    assert list(gains) == ["mm"] and len(gains["mm"]) == 2 and all(g > 0 for g in gains["mm"])


def test_timed_call_modes():
    lstm = torch.nn.LSTM(4, 3, batch_first=True)
    x = torch.randn(2, 5, 4)
    timed_call(lstm, x, "inference")()
    assert lstm.weight_ih_l0.grad is None
    timed_call(lstm, x, "training")()
    assert lstm.weight_ih_l0.grad is not None
    with pytest.raises(ValueError, match="mode must be one of"):
        timed_call(lstm, x, "train")


# The registered rules of round 2, with their controls: each way a control can fail


def M(values):
    return Measurement(values, repeats=len(values))


@pytest.mark.parametrize(
    ("claim_id", "confirm", "refute", "controls"),
    [
        ("r2.demo_timestep3", [4.0] * 5, [0.1] * 5, ("lstm_vs_itself", "planted_10x")),
        ("r2.winner", [0.5] * 5, [-0.5] * 5, ("lstm_vs_itself", "planted_3x")),
        ("r2.waits_each_step", [3.0] * 5, [1.0] * 5, ("dependency_cut", "planted_chain")),
        ("r2.cant_parallelize", [0.6] * 5, [1.2] * 5, ("dependency_cut", "planted_chain")),
    ],
)
def test_round_2_controls_make_a_verdict_inconclusive(claim_id, confirm, refute, controls):
    claim = CLAIMS[claim_id]
    negative, positive = controls
    assert {c.name: c.role for c in claim.controls} == {negative: "negative", positive: "positive"}
    sound = {negative: M(refute), positive: M(confirm)}
    assert claim.judge(M(confirm), controls=sound) == "confirmed"
    assert claim.judge(M(refute), controls=sound) == "refuted"
    assert claim.judge(M(confirm), controls=sound | {negative: M(confirm)}) == "inconclusive"
    assert claim.judge(M(refute), controls=sound | {positive: M(refute)}) == "inconclusive"
    assert claim.judge(M(confirm), controls=sound | {negative: None}) == "inconclusive"
    with pytest.raises(ValueError, match="at least 5 interleaved repeats"):
        claim.judge(Measurement(confirm[:4], repeats=4), controls=sound)


def test_a_tie_is_not_a_win():
    # a 1.05x lead in every repeat is no verdict either way: every rule sits it between
    assert CLAIMS["r2.demo_timestep3"].judge(M([1.05] * 5), controls={
        "lstm_vs_itself": M([1.0] * 5), "planted_10x": M([10.0] * 5)}) == "nuanced"  # fmt: skip
    assert CLAIMS["r2.waits_each_step"].judge(M([1.05] * 5), controls={
        "dependency_cut": M([1.0] * 5), "planted_chain": M([50.0] * 5)}) == "refuted"  # fmt: skip
    one_repeat_short = [3.0, 3.0, 3.0, 3.0, 1.4]
    assert CLAIMS["r2.waits_each_step"].judge(M(one_repeat_short), controls={
        "dependency_cut": M([1.0] * 5), "planted_chain": M([50.0] * 5)}) == "nuanced"  # fmt: skip


def test_the_gpu_claim_is_not_measured_on_a_cpu():
    claim = CLAIMS["r2.gpu_friendly_faster"]
    controls = {"lstm_vs_itself": M([1.0] * 5), "planted_3x": M([3.0] * 5)}
    assert claim.judge(M([2.0] * 5), device="cpu", controls=controls) == "not measured here"
    assert claim.judge(None, device="cpu") == "not measured here"
    assert claim.judge(M([2.0] * 5), device="cuda", controls=controls) == "confirmed"
    assert claim.judge(M([0.5] * 5), device="cuda", controls=controls) == "refuted"


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
