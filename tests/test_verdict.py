"""Tests for seqlib.verdict: rows judged by the registry, rendering, the saved results contract."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from seqlib.claims import CLAIMS, FromClaims
from seqlib.measurement import Measurement
from seqlib.verdict import VerdictTable, load_results
from tests.conftest import claim_controls, claim_measurement

CPU = "cpu, 2 threads, 50k params"


def judge(table, claim_id, outcome, measured="measured", *, controls=None, **kwargs):
    """Judge ``claim_id`` with a measurement its rule decides as ``outcome``."""
    controls = claim_controls(claim_id) if controls is None else controls
    m = claim_measurement(claim_id, outcome)
    return table.judge(claim_id, m, measured, controls=controls, scope=CPU, **kwargs)


def sample_table(device: str = "cpu") -> VerdictTable:
    table = VerdictTable("02_computation_speed", profile="quick", device=device)
    judge(table, "r2.demo_timestep3", "confirmed", "LSTM takes 12.3x as long")
    judge(table, "r2.waits_each_step", "confirmed", "time ~ T^0.98")
    table.judge("r2.gpu_friendly_faster", None, "no GPU here", note="runs where one is", scope=CPU)
    judge(table, "r2.winner", "nuanced", "half the settings")
    return table


def test_judge_uses_the_registered_rule():
    table = sample_table()
    assert [row.verdict for row in table.rows] == [
        "confirmed",
        "confirmed",
        "not measured here",
        "nuanced",
    ]
    assert [row.symbol for row in table.rows] == ["✅", "✅", "⚪", "⚠️"]
    assert table.rows[0].claim == "But Transformer finishes while LSTM is still on timestep 3."
    assert table.rows[0].repeats == 5 and table.rows[2].value is None
    assert table.rows[0].kind == "timed" and table.rows[0].scope == CPU
    assert table.counts() == {
        "confirmed": 2, "nuanced": 1, "refuted": 0, "inconclusive": 0, "checked": 0,
        "not measured here": 1,
    }  # fmt: skip
    assert repr(table) == (
        "VerdictTable('02_computation_speed': 4 claims; 2 confirmed, 1 nuanced, 0 refuted, "
        "0 inconclusive, 0 checked, 1 not measured here)"
    )


def test_a_control_that_earns_the_verdict_too_makes_it_inconclusive():
    table = VerdictTable("01_memory_power", profile="quick", device="cpu")
    claim_id = "r1.remember_10_steps"
    row = judge(table, claim_id, "confirmed", controls=claim_controls(claim_id, "confirmed"))
    assert row.verdict == "inconclusive" and row.rule_verdict == "confirmed" and row.symbol == "❔"
    negative = [c for c in row.controls if c.role == "negative"]
    assert negative and all(c.verdict == "confirmed" for c in negative)
    assert "rule alone: confirmed" in str(table) and "(negative)" in str(table)
    assert table.counts()["inconclusive"] == 1 and table.counts()["confirmed"] == 0


def test_a_refutation_stands_only_beside_a_positive_control_that_is_not_refuted():
    table = VerdictTable("01_memory_power", profile="quick", device="cpu")
    row = judge(table, "r1.formula", "refuted")
    assert row.verdict == "refuted"
    again = VerdictTable("01_memory_power", profile="quick", device="cpu")
    positive_refuted = claim_controls("r1.formula", positive="refuted")
    bad = judge(again, "r1.formula", "refuted", controls=positive_refuted)
    assert bad.verdict == "inconclusive" and bad.rule_verdict == "refuted"


def test_measured_claims_need_their_scope_and_controls():
    table = VerdictTable("01_memory_power", profile="quick", device="cpu")
    m = claim_measurement("r1.remember_10_steps", "confirmed")
    given = claim_controls("r1.remember_10_steps")
    with pytest.raises(ValueError, match="give its scope"):
        table.judge("r1.remember_10_steps", m, "acc", controls=given)
    with pytest.raises(ValueError, match="registers the controls"):
        table.judge("r1.remember_10_steps", m, "acc", scope=CPU)
    with pytest.raises(TypeError, match="scope must be a str"):
        table.judge("r1.remember_10_steps", m, "acc", scope=3)
    # a checked fact needs neither
    row = table.judge("r1.sequential", Measurement(0.0), "exact")
    assert row.verdict == "checked" and row.kind == "checked" and row.controls == ()


def test_a_gpu_claim_measured_on_a_gpu_is_judged():
    table = VerdictTable("02_computation_speed", profile="full", device=torch.device("cuda"))
    row = judge(table, "r2.gpu_friendly_faster", "confirmed", "3x on the GPU")
    assert row.verdict == "confirmed" and table.meta["device"] == "cuda" and row.device == "cuda"
    # a CPU timing in a GPU round cannot settle a GPU claim: the row's own device decides
    table = VerdictTable("02_computation_speed", profile="full", device="cuda")
    row = judge(table, "r2.gpu_friendly_faster", "confirmed", "cpu", device="cpu")
    assert row.verdict == "not measured here" and row.device == "cpu"
    assert all(c.verdict == "not measured here" for c in row.controls)


def test_seeds_and_interval_are_kept():
    table = VerdictTable("01_memory_power", profile="quick", device="cpu")
    high = claim_measurement("r1.remember_10_steps", "confirmed").values[0]
    values = [high, high + 0.1, high + 0.05]
    row = table.judge(
        "r1.remember_10_steps", Measurement(values, seeds=3), "acc", scope=CPU,
        controls=claim_controls("r1.remember_10_steps"),
    )  # fmt: skip
    assert row.seeds == 3 and row.interval == (high, high + 0.1)
    assert row.value == pytest.approx(high + 0.05) and row.verdict == "confirmed"
    with pytest.raises(ValueError, match="at least 3 seeds"):
        table.judge("r1.formula", Measurement([0.1], seeds=1), "one seed is an anecdote",
                    controls=claim_controls("r1.formula"), scope=CPU)  # fmt: skip


def test_derive_follows_the_rows_and_given_verdicts():
    table = VerdictTable("03_interpretability", profile="quick", device="cpu")
    rule = CLAIMS["r3.winner"].rule
    assert isinstance(rule, FromClaims)
    first, *rest = rule.supports
    for claim_id in rest:
        judge(table, claim_id, "confirmed", "high")
    row = table.derive("r3.winner", {first: "refuted"})
    assert row.verdict == "nuanced"
    assert f"❌ {first}" in row.measured and f"✅ {rest[0]}" in row.measured


def test_wrong_claims_are_refused():
    table = VerdictTable("01_memory_power", profile="quick", device="cpu")
    with pytest.raises(ValueError, match="unknown claim id 'r1.nope'"):
        table.judge("r1.nope", None, "m")
    with pytest.raises(ValueError, match="judged in round 2, not in round 1"):
        table.judge("r2.winner", None, "m")
    table.judge("r1.sequential", Measurement(0.0, seeds=0), "exact")
    with pytest.raises(ValueError, match="already in this table"):
        table.judge("r1.sequential", Measurement(0.0, seeds=0), "again")
    with pytest.raises(TypeError, match=r"measured must be a str, got float \(0.5\)"):
        table.judge("r1.formula", None, 0.5, scope=CPU)


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("../../etc/x", "two digits"),
        ("01_Memory", "two digits"),
        ("memory", "two digits"),
        ("01_memory/../../x", "two digits"),
    ],
)
def test_round_names_cannot_escape_the_results_folder(name, match):
    with pytest.raises(ValueError, match=match):
        VerdictTable(name, profile="quick", device="cpu")


def test_profile_and_device_are_checked():
    with pytest.raises(ValueError, match="profile must be"):
        VerdictTable("01_memory_power", profile="fast", device="cpu")
    with pytest.raises(TypeError, match="device must be"):
        VerdictTable("01_memory_power", profile="quick", device=None)


def test_text_rendering_is_aligned():
    text = str(sample_table())
    lines = text.splitlines()
    assert lines[0] == "Verdict: 02_computation_speed (quick profile, cpu)"
    bars = {line.index(" | ") for line in lines[1:] if " | " in line}
    assert len(bars) == 1  # the first column separator lines up on every row
    assert "⚪ not measured here" in text and "no GPU here (runs where one is)" in text


def test_html_rendering_escapes_cells():
    table = VerdictTable("01_memory_power", profile="quick", device="cpu")
    table.judge("r1.sequential", Measurement(0.0, seeds=0), "<script>alert(1)</script>")
    page = table._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<tr>") == 2 and "☑️ checked" in page and "range over seeds" in page
    assert "<th style='text-align:left'>controls</th>" in page and "scope" in page


def test_pretty_printer_uses_text_table():
    class Printer:
        def __init__(self):
            self.out = ""

        def text(self, s):
            self.out += s

    printer = Printer()
    sample_table()._repr_pretty_(printer, cycle=False)
    assert printer.out == str(sample_table())


def test_save_keeps_what_the_notebook_set(tmp_path):
    table = VerdictTable("01_memory_power", profile="full", device="cpu")
    table.meta["params"] = {"LSTM": 1234}
    judge(table, "r1.remember_10_steps", "confirmed", "acc")
    path = table.save(tmp_path)
    assert path == tmp_path / "01_memory_power.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["profile"] == "full" and data["device"] == "cpu"  # not re-read from config
    assert data["params"] == {"LSTM": 1234} and data["threads"] == torch.get_num_threads()
    assert {"torch", "saved_at", "interval_kind"} <= data.keys()
    value = claim_measurement("r1.remember_10_steps", "confirmed").values[0]
    controls = data["rows"][0].pop("controls")
    assert data["rows"][0] == {
        "claim_id": "r1.remember_10_steps",
        "claim": "“Hey, I still remember what you said 10 steps ago!” — LSTM, proudly holding "
        "onto 2008 data.",
        "measured": "acc",
        "verdict": "confirmed",
        "value": pytest.approx(value),
        "seeds": 3,
        "interval": [pytest.approx(value), pytest.approx(value)],
        "note": "",
        "device": "cpu",
        "kind": "trained",
        "repeats": 0,
        "scope": CPU,
        "rule_verdict": "confirmed",
    }
    registered = CLAIMS["r1.remember_10_steps"].controls
    assert [c["name"] for c in controls] == [c.name for c in registered]
    assert all({"name", "role", "value", "interval", "verdict"} <= c.keys() for c in controls)
    loaded = VerdictTable.load(path)
    assert loaded.rows == table.rows and loaded.meta == table.meta
    assert loaded.to_dict() == table.to_dict()


def test_save_default_dir_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQLIB_RESULTS", str(tmp_path / "res"))
    path = sample_table().save()
    assert path == tmp_path / "res" / "02_computation_speed.json" and path.is_file()
    monkeypatch.delenv("SEQLIB_RESULTS")
    monkeypatch.chdir(tmp_path)
    table = VerdictTable("01_memory_power", profile="quick", device="cpu")
    assert table.save() == tmp_path / "results" / "01_memory_power.json"


def test_load_results_by_round_and_skips_other_json(tmp_path):
    for name in ("03_interpretability", "01_memory_power"):
        VerdictTable(name, profile="quick", device="cpu").save(tmp_path)
    (tmp_path / "sweep.json").write_text("[1, 2, 3]", encoding="utf-8")
    (tmp_path / "scorecard.json").write_text('{"rows": []}', encoding="utf-8")
    results = load_results(tmp_path)
    assert list(results) == ["01_memory_power", "03_interpretability"]
    assert load_results(tmp_path / "missing") == {}


def test_load_rejects_rows_without_a_claim_id(tmp_path):
    path = tmp_path / "01_memory_power.json"
    data = {"round": "01_memory_power", "profile": "quick", "device": "cpu"}
    data["rows"] = [{"claim": "c", "measured": "m", "verdict": "confirmed"}]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="not a saved verdict row"):
        VerdictTable.load(path)


def test_load_missing_file():
    with pytest.raises(FileNotFoundError, match="no results file at"):
        VerdictTable.load("does/not/exist.json")


@pytest.mark.parametrize(
    "values",
    [
        [np.float32(0.95), np.float32(0.99), np.float32(0.97)],
        np.array([0.95, 0.99, 0.97]),
        np.array([0.95, 0.99, 0.97], dtype=np.float32),
        torch.tensor([0.95, 0.99, 0.97]),
        [torch.tensor(0.95), torch.tensor([0.99]), np.float64(0.97)],
    ],
    ids=["numpy_f32_scalars", "numpy_f64_array", "numpy_f32_array", "torch", "mixed"],
)
def test_numpy_and_torch_values_are_judged_saved_and_loaded(values, tmp_path):
    table = VerdictTable("01_memory_power", profile="quick", device=torch.device("cpu"))
    row = table.judge("r1.no_memory", Measurement(values, seeds=3), "accuracy", scope=CPU,
                      controls=claim_controls("r1.no_memory"))  # fmt: skip
    assert row.seeds == 3
    assert row.value == pytest.approx(0.97) and row.interval == pytest.approx((0.95, 0.99))
    assert type(row.value) is float and all(type(v) is float for v in row.interval)
    single = table.judge("r1.sequential", Measurement(torch.tensor(2e-6), seeds=0), "difference")
    assert single.verdict == "checked" and type(single.value) is float
    loaded = VerdictTable.load(table.save(tmp_path))
    assert loaded.verdicts() == table.verdicts()
    assert loaded.rows[0].value == pytest.approx(0.97)


def test_a_bad_device_name_is_a_clear_error():
    with pytest.raises(ValueError, match="device 'gpu' is not a device name torch knows"):
        VerdictTable("01_memory_power", profile="quick", device="gpu")
    table = VerdictTable("01_memory_power", profile="quick", device="cpu")
    with pytest.raises(ValueError, match="device 'cuda:x' is not a device name torch knows"):
        table.judge("r1.sequential", Measurement(0.0, seeds=0), "exact", device="cuda:x")
