"""Tests for seqlib.verdict: rows judged by the registry, rendering, the saved results contract."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from seqlib.measurement import Measurement
from seqlib.verdict import VerdictTable, load_results


def sample_table(device: str = "cpu") -> VerdictTable:
    table = VerdictTable("02_computation_speed", profile="quick", device=device)
    table.judge("r2.demo_timestep3", Measurement(12.3, seeds=0), "LSTM takes 12.3x as long")
    table.judge("r2.waits_each_step", Measurement(0.98, seeds=0), "time ~ T^0.98")
    table.judge("r2.gpu_friendly_faster", None, "no GPU here", note="runs where one is")
    table.judge("r2.winner", Measurement(0.5, seeds=0), "half the settings")
    return table


def test_judge_uses_the_registered_rule():
    table = sample_table()
    assert [row.verdict for row in table.rows] == [
        "confirmed",  # 12.3 >= 10/3: here the synthetic Transformer is the fast one
        "confirmed",
        "not measured here",
        "nuanced",
    ]
    assert [row.symbol for row in table.rows] == ["✅", "✅", "⚪", "⚠️"]
    assert table.rows[0].claim == "But Transformer finishes while LSTM is still on timestep 3."
    assert table.rows[0].value == 12.3 and table.rows[2].value is None
    assert table.counts() == {"confirmed": 2, "nuanced": 1, "refuted": 0, "not measured here": 1}
    assert repr(table) == (
        "VerdictTable('02_computation_speed': 4 claims; 2 confirmed, 1 nuanced, 0 refuted, "
        "1 not measured here)"
    )


def test_a_gpu_claim_measured_on_a_gpu_is_judged():
    table = VerdictTable("02_computation_speed", profile="full", device=torch.device("cuda"))
    row = table.judge("r2.gpu_friendly_faster", Measurement(3.0, seeds=0), "3x on the GPU")
    assert row.verdict == "confirmed" and table.meta["device"] == "cuda" and row.device == "cuda"
    # a CPU timing in a GPU round cannot settle a GPU claim: the row's own device decides
    table = VerdictTable("02_computation_speed", profile="full", device="cuda")
    row = table.judge("r2.gpu_friendly_faster", Measurement(3.0, seeds=0), "cpu", device="cpu")
    assert row.verdict == "not measured here" and row.device == "cpu"


def test_seeds_and_interval_are_kept():
    table = VerdictTable("01_memory_power", profile="quick", device="cpu")
    row = table.judge("r1.remember_10_steps", Measurement([0.9, 1.0, 0.95], seeds=3), "acc")
    assert row.seeds == 3 and row.interval == (0.9, 1.0) and row.value == pytest.approx(0.95)
    assert row.verdict == "confirmed"
    with pytest.raises(ValueError, match="at least 3 seeds"):
        table.judge("r1.formula", Measurement([0.1], seeds=1), "one seed is an anecdote")


def test_derive_follows_the_rows_and_given_verdicts():
    table = VerdictTable("03_interpretability", profile="quick", device="cpu")
    for claim_id in ("r3.attention_shows_focus", "r3.see_influence", "r3.he_ceo"):
        table.judge(claim_id, Measurement([0.95, 0.99, 0.97], seeds=3), "high")
    row = table.derive("r3.winner", {"r3.black_box": "refuted"})
    assert row.verdict == "nuanced"
    assert "❌ r3.black_box" in row.measured and "✅ r3.he_ceo" in row.measured


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
        table.judge("r1.formula", None, 0.5)


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
    assert page.count("<tr>") == 2 and "✅ confirmed" in page and "range over seeds" in page


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
    table.judge("r1.remember_10_steps", Measurement([0.9, 1.0, 0.95], seeds=3), "acc")
    path = table.save(tmp_path)
    assert path == tmp_path / "01_memory_power.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["profile"] == "full" and data["device"] == "cpu"  # not re-read from config
    assert data["params"] == {"LSTM": 1234} and data["threads"] == torch.get_num_threads()
    assert {"torch", "saved_at", "interval_kind"} <= data.keys()
    assert data["rows"][0] == {
        "claim_id": "r1.remember_10_steps",
        "claim": "“Hey, I still remember what you said 10 steps ago!” — LSTM, proudly holding "
        "onto 2008 data.",
        "measured": "acc",
        "verdict": "confirmed",
        "value": pytest.approx(0.95),
        "seeds": 3,
        "interval": [0.9, 1.0],
        "note": "",
        "device": "cpu",
    }
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
    row = table.judge("r1.remember_10_steps", Measurement(values, seeds=3), "accuracy")
    assert row.verdict == "confirmed" and row.seeds == 3
    assert row.value == pytest.approx(0.97) and row.interval == pytest.approx((0.95, 0.99))
    assert type(row.value) is float and all(type(v) is float for v in row.interval)
    single = table.judge("r1.sequential", Measurement(torch.tensor(2e-6), seeds=0), "difference")
    assert single.verdict == "confirmed" and type(single.value) is float
    loaded = VerdictTable.load(table.save(tmp_path))
    assert loaded.verdicts() == table.verdicts()
    assert loaded.rows[0].value == pytest.approx(0.97)


def test_a_bad_device_name_is_a_clear_error():
    with pytest.raises(ValueError, match="device 'gpu' is not a device name torch knows"):
        VerdictTable("01_memory_power", profile="quick", device="gpu")
    table = VerdictTable("01_memory_power", profile="quick", device="cpu")
    with pytest.raises(ValueError, match="device 'cuda:x' is not a device name torch knows"):
        table.judge("r1.sequential", Measurement(0.0, seeds=0), "exact", device="cuda:x")
