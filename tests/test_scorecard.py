"""seqlib.scorecard: measured results first, shipped reference as a labelled fallback, missing
rounds as one row each; nothing typed by hand."""

from __future__ import annotations

import json

import pytest

from seqlib.scorecard import (
    MEASURED,
    MISSING,
    REFERENCE,
    REFERENCE_DIR,
    ROUNDS,
    Scorecard,
    scorecard,
)
from seqlib.verdict import VerdictTable, load_results

TWO_ROUNDS = {"01_a": "Round A", "02_b": "Round B", "03_c": "Round C"}


def _table(name: str, *verdicts: str) -> VerdictTable:
    table = VerdictTable(name)
    for i, verdict in enumerate(verdicts):
        table.add(f"claim {i} of {name}", f"measured {i}", verdict, value=float(i))
    return table


@pytest.fixture
def folders(tmp_path):
    measured, reference = tmp_path / "measured", tmp_path / "reference"
    _table("01_a", "confirmed", "refuted").save(measured)
    _table("01_a", "nuanced").save(reference)  # shadowed by the measured table
    _table("02_b", "confirmed").save(reference)
    return measured, reference


def test_measured_then_reference_then_missing(folders):
    measured, reference = folders
    card = scorecard(directory=measured, reference=reference, rounds=TWO_ROUNDS)
    assert card.sources == {"01_a": MEASURED, "02_b": REFERENCE, "03_c": MISSING}
    assert [row.round for row in card.rows] == ["01_a", "01_a", "02_b", "03_c"]
    assert [row.verdict for row in card.rows] == ["confirmed", "refuted", "confirmed", None]
    assert card.counts() == {"confirmed": 2, "nuanced": 0, "refuted": 1}
    assert card.rounds_with(REFERENCE) == ["02_b"]


def test_labels_say_where_numbers_came_from(folders):
    measured, reference = folders
    card = scorecard(directory=measured, reference=reference, rounds=TWO_ROUNDS)
    labels = [row.source_label for row in card.rows]
    assert labels[0].startswith("measured on this machine (")
    assert "profile" in labels[0]  # the saved metadata: profile, device, date
    assert labels[2].startswith("reference (shipped), not measured on this machine")
    assert labels[3] == "not run yet"
    text = str(card)
    assert "not run yet" in text and "reference (shipped)" in text and "Round C" in text
    html = card._repr_html_()
    assert html.count("<tr>") == 1 + len(card.rows)
    assert "Scorecard(3 rounds, 4 rows" in repr(card)


def test_results_mapping_overrides_directory(folders, tmp_path):
    _, reference = folders
    card = scorecard({"03_c": _table("03_c", "nuanced")}, reference=reference, rounds=TWO_ROUNDS)
    assert card.sources == {"01_a": REFERENCE, "02_b": REFERENCE, "03_c": MEASURED}


def test_nothing_anywhere(tmp_path):
    card = scorecard(directory=tmp_path / "none", reference=tmp_path / "none", rounds=TWO_ROUNDS)
    assert isinstance(card, Scorecard)
    assert all(row.source == MISSING for row in card.rows) and len(card.rows) == 3
    assert card.counts() == {"confirmed": 0, "nuanced": 0, "refuted": 0}


def test_default_rounds_are_the_course(tmp_path):
    card = scorecard(directory=tmp_path / "empty")
    assert list(card.sources) == list(ROUNDS) and len(ROUNDS) == 5


def test_bad_results_type(tmp_path):
    with pytest.raises(TypeError, match="VerdictTable"):
        scorecard({"01_a": {"rows": []}}, reference=tmp_path, rounds=TWO_ROUNDS)


def test_shipped_reference_results_are_tables_the_rounds_wrote():
    """Every shipped file is a VerdictTable.save() of a course round, with its metadata."""
    shipped = load_results(REFERENCE_DIR)
    assert shipped, "seqlib/reference_results/ should ship at least one round"
    for name, table in shipped.items():
        assert name in ROUNDS
        assert table.rows
        assert {"profile", "device", "torch", "saved_at"} <= table.meta.keys()
        raw = json.loads((REFERENCE_DIR / f"{name}.json").read_text(encoding="utf-8"))
        assert raw["round"] == name
