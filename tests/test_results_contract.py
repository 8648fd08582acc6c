"""The results contract, checked on the five rounds' saved quick-profile results.

`tools/refresh_notebooks.py` runs the five notebooks in the quick profile and saves their verdict
tables and round 5's scorecard into `seqlib/reference_results/`: the results of the committed
run, shipped with seqlib. This test reads them back and checks what every round promises:
every claim of the registry judged, 3 seeds and an interval behind every trained row, no GPU
claim settled on a CPU, and the fight card's two tables rebuilt in the scorecard.
"""

from __future__ import annotations

import json

import pytest

from seqlib.claims import CLAIMS, NOT_MEASURED
from seqlib.measurement import MIN_SEEDS
from seqlib.scorecard import BUSINESS_TABLE, REFERENCE_DIR, ROUNDS, SUMMARY_TABLE
from seqlib.verdict import VERDICTS, load_results

RESULTS = load_results(REFERENCE_DIR)


def rows():
    return [(name, row) for name, table in RESULTS.items() for row in table.rows]


def test_all_five_rounds_were_saved_by_one_quick_run():
    assert list(RESULTS) == list(ROUNDS)
    for name, table in RESULTS.items():
        assert table.meta["profile"] == "quick", name
        assert {"device", "threads", "torch", "saved_at"} <= table.meta.keys(), name


def test_every_registry_claim_has_one_row_in_its_round():
    seen = {}
    for name, row in rows():
        assert row.claim_id in CLAIMS, f"{name}: unknown claim {row.claim_id}"
        assert row.claim_id not in seen, f"{row.claim_id} judged twice"
        seen[row.claim_id] = name
        assert CLAIMS[row.claim_id].round == int(name[:2])
        assert row.claim == CLAIMS[row.claim_id].quote
        assert row.verdict in VERDICTS and row.measured.strip()
    missing = sorted(set(CLAIMS) - set(seen))
    assert not missing, f"claims with no row: {missing}"


def test_every_trained_row_rests_on_three_seeds_with_an_interval():
    for name, row in rows():
        claim = CLAIMS[row.claim_id]
        if claim.trained and row.verdict != NOT_MEASURED:
            assert row.seeds >= MIN_SEEDS, f"{name} {row.claim_id}: {row.seeds} seed(s)"
        if row.seeds >= 2:
            low, high = row.interval
            assert low <= row.value <= high, f"{name} {row.claim_id}: mean outside its interval"
        else:
            assert row.interval is None


@pytest.mark.parametrize("name", list(ROUNDS))
def test_gpu_claims_are_not_measured_on_a_cpu(name):
    table = RESULTS[name]
    if table.device.split(":")[0] in ("cuda", "mps"):
        pytest.skip(f"{name} ran on a GPU")
    for row in table.rows:
        if CLAIMS[row.claim_id].hardware == "gpu":
            assert row.verdict == NOT_MEASURED, f"{row.claim_id} judged on {table.device}"


def test_the_scorecard_has_both_tables():
    card = json.loads((REFERENCE_DIR / "scorecard.json").read_text(encoding="utf-8"))
    assert [r["row"] for r in card["summary_table"]] == [row for row, _, _ in SUMMARY_TABLE]
    assert [r["row"] for r in card["business_table"]] == [row for row, _, _ in BUSINESS_TABLE]
    for table in ("summary_table", "business_table"):
        for row in card[table]:
            assert row["verdict"] in VERDICTS
            for cell in row["cells"].values():
                assert cell["verdict"] in VERDICTS and cell["supports"] + cell["opposes"]
    assert set(card["counts"]) == set(VERDICTS)  # "not measured here" counted apart
    assert all(source == "measured" for source in card["sources"].values())
