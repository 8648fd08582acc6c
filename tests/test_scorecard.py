"""seqlib.scorecard: measured results first, shipped reference as a labelled fallback, missing
rounds as one row each, and the fight card's two tables rebuilt from verdicts; nothing typed."""

from __future__ import annotations

import json

import pytest

from seqlib.claims import CLAIMS, FromClaims, fight_card
from seqlib.measurement import Measurement
from seqlib.scorecard import (
    BUSINESS_TABLE,
    MEASURED,
    MISSING,
    REFERENCE,
    ROUNDS,
    SUMMARY_TABLE,
    Scorecard,
    rebuild_table,
    scorecard,
    table_markdown,
)
from seqlib.verdict import VerdictTable
from tests.conftest import claim_controls, claim_measurement

THREE_ROUNDS = {"01_memory_power": "Round 1", "02_computation_speed": "Round 2", "03_x": "Round 3"}


def _round1(value: float) -> VerdictTable:
    table = VerdictTable("01_memory_power", profile="quick", device="cpu")
    table.judge("r1.sequential", Measurement(value, seeds=0), f"max diff {value}")
    return table


def _round2(outcome: str) -> VerdictTable:
    table = VerdictTable("02_computation_speed", profile="quick", device="cpu")
    m = claim_measurement("r2.demo_timestep3", outcome)
    controls = claim_controls("r2.demo_timestep3")
    table.judge("r2.demo_timestep3", m, "ratio", controls=controls, scope="cpu, 2 threads")
    return table


@pytest.fixture
def folders(tmp_path):
    measured, reference = tmp_path / "measured", tmp_path / "reference"
    _round1(0.0).save(measured)
    _round1(1.0).save(reference)  # shadowed by the measured table
    _round2("refuted").save(reference)
    return measured, reference


def test_measured_then_reference_then_missing(folders):
    measured, reference = folders
    card = scorecard(directory=measured, reference=reference, rounds=THREE_ROUNDS)
    assert card.sources == {
        "01_memory_power": MEASURED,
        "02_computation_speed": REFERENCE,
        "03_x": MISSING,
    }
    assert [row.verdict for row in card.rows] == ["checked", "refuted", None]
    assert card.verdicts() == {"r1.sequential": "checked", "r2.demo_timestep3": "refuted"}
    assert card.counts()["not measured here"] == 0 and card.counts()["checked"] == 1
    assert card.counts()["confirmed"] == 0 and card.counts()["inconclusive"] == 0
    assert card.scopes() == {"r2.demo_timestep3": "cpu, 2 threads"}
    assert [row.kind for row in card.rows] == ["checked", "timed", ""]
    assert card.counts()["not run"] == len([c for c in CLAIMS.values() if c.round == 3])
    assert card.rounds_with(REFERENCE) == ["02_computation_speed"]


def test_labels_say_where_numbers_came_from(folders):
    measured, reference = folders
    card = scorecard(directory=measured, reference=reference, rounds=THREE_ROUNDS)
    labels = [row.source_label for row in card.rows]
    assert labels[0].startswith("measured on this machine (quick profile, cpu")
    assert labels[1].startswith("reference (shipped), not measured on this machine")
    assert labels[2] == "not run yet"
    text = str(card)
    assert "not run yet" in text and "[r1.sequential]" in text and "Round 3" in text
    assert card._repr_html_().count("<tr>") == 1 + len(card.rows)
    assert "Scorecard(3 rounds, 3 rows" in repr(card)


def test_results_mapping_overrides_directory(folders):
    _, reference = folders
    card = scorecard({"03_x": _round1(0.0)}, reference=reference, rounds=THREE_ROUNDS)
    assert card.sources["03_x"] == MEASURED and card.sources["01_memory_power"] == REFERENCE


def test_nothing_anywhere(tmp_path):
    card = scorecard(directory=tmp_path / "none", reference=tmp_path / "none")
    assert isinstance(card, Scorecard) and list(card.sources) == list(ROUNDS)
    assert all(row.source == MISSING for row in card.rows)
    assert card.counts()["not run"] == len(CLAIMS)
    # every cell of both tables is "not measured here" when nothing was measured
    for table in (card.summary_table, card.business_table):
        for row in table:
            assert row["verdict"] == "not measured here"
            assert {c["verdict"] for c in row["cells"].values()} == {"not measured here"}


def test_bad_results_type(tmp_path):
    with pytest.raises(TypeError, match="VerdictTable"):
        scorecard({"01_memory_power": {"rows": []}}, reference=tmp_path, rounds=THREE_ROUNDS)


@pytest.mark.parametrize(("spec", "rows"), [(SUMMARY_TABLE, 5), (BUSINESS_TABLE, 6)])
def test_the_tables_are_the_fight_cards(spec, rows):
    card = fight_card()
    assert len(spec) == rows
    for row, claim_id, cells in spec:
        line = f"| {row} | {cells['LSTM'][0]} | {cells['Transformer'][0]} |"
        assert line in card, line
        claim = CLAIMS[claim_id]
        # the row's claim follows exactly the claims of its cells
        supports = {i for _, s, _ in cells.values() for i in s}
        opposes = {i for _, _, o in cells.values() for i in o}
        if isinstance(claim.rule, FromClaims):
            assert supports == set(claim.rule.supports) and opposes == set(claim.rule.opposes)
        else:  # a measured row: both cells follow it
            assert supports == {claim_id} and not opposes


def test_cells_follow_their_claims_and_reverse_the_opposing_ones():
    verdicts = {
        "r1.gates_long_term": "confirmed",  # the LSTM holds long dependencies ...
        "r1.looks_at_everything": "confirmed",
        "r1.long_sequences": "refuted",  # ... and generalises past the training length
        "biz.small_data": "refuted",
        "r2.winner": "refuted",
        "r2.demo_timestep3": "refuted",
    }
    business = {row["row"]: row for row in rebuild_table(BUSINESS_TABLE, verdicts)}
    text = business["💬 Text length"]
    assert text["cells"]["LSTM"]["verdict"] == "refuted"  # ... so "short sequences" is refuted
    assert text["cells"]["Transformer"]["verdict"] == "nuanced"  # recall yes, parity no
    assert text["verdict"] == "nuanced"  # derived from both
    assert business["🧾 Small datasets"]["verdict"] == "refuted"
    summary = {row["row"]: row for row in rebuild_table(SUMMARY_TABLE, verdicts)}
    speed = summary["Speed"]
    assert speed["cells"]["Transformer"]["evidence"]["r2.gpu_friendly_faster"] == (
        "not measured here"
    )
    assert speed["cells"]["LSTM"]["verdict"] == "refuted"  # both of its parts measured
    # the GPU claim, not measured: "Fast" and the row are only partly measured
    assert speed["cells"]["Transformer"]["verdict"] == "nuanced"
    assert speed["verdict"] == "nuanced"
    markdown = table_markdown(rebuild_table(BUSINESS_TABLE, verdicts))
    assert "🚶 Short sequences: ❌ refuted (r1.long_sequences, not r1.gates_long_term)" in markdown
    scoped = rebuild_table(BUSINESS_TABLE, verdicts, {"r1.gates_long_term": "CPU, 400 steps"})
    scoped_md = table_markdown(scoped)
    short = (
        "🚶 Short sequences: ❌ refuted, CPU, 400 steps (r1.long_sequences, not r1.gates_long_term)"
    )
    assert short in scoped_md
    framework = {row["row"]: row for row in scoped}["🛠️ Framework"]
    assert framework["cells"]["LSTM"]["scope"] == "checked by code"


def test_save_writes_both_tables(folders, tmp_path):
    measured, reference = folders
    card = scorecard(directory=measured, reference=reference)
    path = card.save(tmp_path / "out")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert path.name == "scorecard.json"
    assert len(data["summary_table"]) == 5 and len(data["business_table"]) == 6
    assert data["sources"]["01_memory_power"] == MEASURED
    assert "not measured here" in data["counts"]


def test_verdicts_except_leaves_out_one_round(folders):
    """Round 5 derives its summary from the other rounds: its own earlier run must not leak in."""
    measured, reference = folders
    earlier = VerdictTable("05_future_proofing", profile="quick", device="cpu")
    earlier.judge(
        "r5.low_latency", claim_measurement("r5.low_latency", "confirmed"), "an earlier run",
        controls=claim_controls("r5.low_latency"), scope="cpu",
    )  # fmt: skip
    earlier.save(measured)
    rounds = {**THREE_ROUNDS, "05_future_proofing": "Round 5"}
    card = scorecard(directory=measured, reference=reference, rounds=rounds)
    assert "r5.low_latency" in card.verdicts()
    assert card.verdicts_except(5) == {"r1.sequential": "checked", "r2.demo_timestep3": "refuted"}
    assert set(card.verdicts_except(1)) == {"r2.demo_timestep3", "r5.low_latency"}
    with pytest.raises(TypeError, match="round_number must be an int"):
        card.verdicts_except("5")
