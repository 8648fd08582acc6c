"""Tests for seqlib.verdict: rows, rendering, escaping, JSON round-trip, loading results."""

from __future__ import annotations

import json

import pytest

from seqlib.verdict import VerdictTable, decide, load_results


def sample_table() -> VerdictTable:
    table = VerdictTable("02_computation_speed")
    table.add("LSTM is sequential", "T steps on the critical path", "confirmed", value=1.0)
    table.add("Transformer is faster", "LSTM 12.3x faster at T=100 (cpu)", "refuted", value=12.3)
    table.add("Parallel on GPU", "no GPU here", "nuanced", note="full mode only")
    return table


def test_add_rows_and_counts():
    table = sample_table()
    assert [row.verdict for row in table.rows] == ["confirmed", "refuted", "nuanced"]
    assert [row.symbol for row in table.rows] == ["✅", "❌", "⚠️"]
    assert table.rows[1].value == 12.3 and table.rows[2].value is None
    assert table.counts() == {"confirmed": 1, "nuanced": 1, "refuted": 1}
    assert repr(table) == (
        "VerdictTable('02_computation_speed': 3 claims; 1 confirmed, 1 nuanced, 1 refuted)"
    )


def test_bad_verdict_lists_allowed_values():
    with pytest.raises(
        ValueError, match=r"one of \['confirmed', 'nuanced', 'refuted'\], got 'yes'"
    ):
        VerdictTable("r").add("claim", "measured", "yes")


def test_argument_type_errors():
    table = VerdictTable("r")
    with pytest.raises(TypeError, match=r"measured must be a str, got float \(0.5\)"):
        table.add("claim", 0.5, "confirmed")
    with pytest.raises(TypeError, match="value must be a number or None, got str"):
        table.add("claim", "m", "confirmed", value="big")
    with pytest.raises(ValueError, match="round_name must not be empty"):
        VerdictTable(" ")


def test_text_rendering_is_aligned():
    text = str(sample_table())
    lines = text.splitlines()
    assert lines[0] == "Verdict: 02_computation_speed"
    assert lines[1].startswith("claim") and "measured" in lines[1]
    bars = {line.index(" | ") for line in lines[1:] if " | " in line}
    assert len(bars) == 1  # the first column separator lines up on every row
    assert "❌ refuted" in text and "no GPU here (full mode only)" in text


def test_html_rendering_escapes_cells():
    table = VerdictTable("<round>")
    table.add("a < b & c", "<script>alert(1)</script>", "confirmed")
    page = table._repr_html_()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a &lt; b &amp; c" in page and "&lt;round&gt;" in page
    assert page.count("<tr>") == 2 and "✅ confirmed" in page


def test_pretty_printer_uses_text_table():
    class Printer:
        def __init__(self):
            self.out = ""

        def text(self, s):
            self.out += s

    printer = Printer()
    sample_table()._repr_pretty_(printer, cycle=False)
    assert printer.out == str(sample_table())


def test_save_and_load_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQLIB_PROFILE", "quick")
    table = sample_table()
    path = table.save(tmp_path)
    assert path == tmp_path / "02_computation_speed.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["round"] == "02_computation_speed" and data["profile"] == "quick"
    assert {"device", "torch", "saved_at"} <= data.keys()
    assert data["rows"][1] == {
        "claim": "Transformer is faster",
        "measured": "LSTM 12.3x faster at T=100 (cpu)",
        "verdict": "refuted",
        "value": 12.3,
        "note": "",
    }
    loaded = VerdictTable.load(path)
    assert loaded.rows == table.rows and loaded.round_name == table.round_name
    assert loaded.to_dict() == table.to_dict()


def test_save_default_dir_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQLIB_RESULTS", str(tmp_path / "res"))
    path = sample_table().save()
    assert path == tmp_path / "res" / "02_computation_speed.json" and path.is_file()
    monkeypatch.delenv("SEQLIB_RESULTS")
    monkeypatch.chdir(tmp_path)
    assert VerdictTable("r1").save() == tmp_path / "results" / "r1.json"


def test_save_nan_value_becomes_null(tmp_path):
    table = VerdictTable("r")
    table.add("c", "m", "nuanced", value=float("nan"))
    data = json.loads(table.save(tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["rows"][0]["value"] is None


def test_load_results_by_round_and_skips_other_json(tmp_path):
    for name in ("03_interp", "01_memory"):
        VerdictTable(name).add("c", "m", "confirmed")
    VerdictTable("03_interp").save(tmp_path)
    VerdictTable("01_memory").save(tmp_path)
    (tmp_path / "sweep.json").write_text("[1, 2, 3]", encoding="utf-8")
    results = load_results(tmp_path)
    assert list(results) == ["01_memory", "03_interp"]
    assert all(isinstance(t, VerdictTable) for t in results.values())
    assert load_results(tmp_path / "missing") == {}


def test_load_missing_file():
    with pytest.raises(FileNotFoundError, match="no results file at"):
        VerdictTable.load("does/not/exist.json")


def test_decide():
    assert decide(True) == "confirmed"
    assert decide(False, refuted=True) == "refuted"
    assert decide(False) == "nuanced"
    with pytest.raises(ValueError, match="cannot both be True"):
        decide(True, True)
    with pytest.raises(TypeError, match="confirmed must be a bool, got float"):
        decide(0.9)
