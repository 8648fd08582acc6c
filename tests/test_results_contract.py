"""The results contract, checked on the five rounds' saved quick-profile results.

`tools/refresh_notebooks.py` runs the five notebooks in the quick profile and saves their verdict
tables and round 5's scorecard into `seqlib/reference_results/`: the results of the committed
run, shipped with seqlib. This test reads them back and checks what every round promises:
every claim of the registry judged, 3 seeds and an interval behind every trained row, 5 repeats
behind every timed row, a scope and the registered controls on every measured row, no confirmation
without a negative control that was not confirmed and no refutation without a positive control
that was not refuted, no GPU claim settled on a CPU, and the fight card's two tables rebuilt in the
scorecard with a scope in every judged cell.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from seqlib.claims import (
    CLAIMS,
    CONFIRMED,
    MEASURED_KINDS,
    NEGATIVE,
    NOT_MEASURED,
    POSITIVE,
    REFUTED,
    Cited,
    FromClaims,
)
from seqlib.measurement import MIN_REPEATS, MIN_SEEDS, Measurement
from seqlib.scorecard import (
    BUSINESS_TABLE,
    REFERENCE_DIR,
    ROUNDS,
    SUMMARY_TABLE,
    rebuild_table,
    scorecard,
)
from seqlib.verdict import VERDICTS, load_results

RESULTS = load_results(REFERENCE_DIR)


def rows():
    return [(name, row) for name, table in RESULTS.items() for row in table.rows]


def test_all_five_rounds_were_saved_by_one_quick_run():
    assert list(RESULTS) == list(ROUNDS)
    for name, table in RESULTS.items():
        assert table.meta["profile"] == "quick", name
        assert {"device", "threads", "torch", "saved_at"} <= table.meta.keys(), name
    assert len({table.meta["torch"] for table in RESULTS.values()}) == 1
    times = [datetime.fromisoformat(table.meta["saved_at"]) for table in RESULTS.values()]
    assert times == sorted(times), "saved in round order, by one run of the five"
    assert (times[-1] - times[0]).total_seconds() < 3600, "saved more than an hour apart"


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


def test_not_measured_only_where_the_registry_allows_it():
    for name, table in RESULTS.items():
        for row in table.rows:
            claim = CLAIMS[row.claim_id]
            if row.verdict != NOT_MEASURED or isinstance(claim.rule, (Cited, FromClaims)):
                continue
            on_gpu = row.device.split(":")[0] in ("cuda", "mps")
            allowed = (claim.hardware == "gpu" and not on_gpu) or claim.unmeasured_when
            assert allowed, f"{name} {row.claim_id}: not measured, and nothing allows that"


def _rebuilt(value, interval, seeds: int, repeats: int) -> Measurement | None:
    """A measurement with the saved mean, lowest and highest value: what the rules read."""
    if value is None:
        return None
    n = seeds or repeats or 1
    if interval and n >= 2:
        low, high = interval
        values = [low, high, *[value] * (n - 2)]
    else:
        values = [value] * n
    return Measurement(values, seeds=seeds, repeats=repeats)


def test_every_saved_verdict_follows_from_its_saved_measurement_and_controls():
    """Re-judge each row from its saved value, interval and controls, each summary from the rows."""
    verdicts = {row.claim_id: row.verdict for _, row in rows()}
    for name, row in rows():
        claim = CLAIMS[row.claim_id]
        if isinstance(claim.rule, FromClaims):
            assert claim.derive(verdicts) == row.verdict, f"{name} {row.claim_id}"
        elif row.value is not None:
            measurement = _rebuilt(row.value, row.interval, row.seeds, row.repeats)
            controls = {
                c.name: _rebuilt(c.value, c.interval, c.seeds, c.repeats) for c in row.controls
            }
            judgement = claim.assess(measurement, device=row.device or "cpu", controls=controls)
            saved = (row.verdict, row.rule_verdict)
            again = (judgement.verdict, judgement.rule_verdict)
            assert again == saved, f"{name} {row.claim_id}: saved {saved}, rule {again}"
            assert [c.verdict for c in judgement.controls] == [c.verdict for c in row.controls]


def test_every_row_says_what_kind_of_claim_it_is():
    for name, row in rows():
        claim = CLAIMS[row.claim_id]
        assert row.kind == claim.kind, f"{name} {row.claim_id}: kind {row.kind!r}"
        if row.verdict == NOT_MEASURED:
            continue
        if claim.kind == "trained":
            assert row.seeds >= MIN_SEEDS, f"{row.claim_id}: {row.seeds} seed(s)"
        if claim.kind == "timed":
            assert row.repeats >= MIN_REPEATS, f"{row.claim_id}: {row.repeats} repeat(s)"
        if claim.kind in ("checked", "cited", "derived"):
            assert not row.controls, f"{row.claim_id}: a {claim.kind} claim has no controls"


def test_every_measured_row_has_its_scope_and_its_controls():
    for name, row in rows():
        claim = CLAIMS[row.claim_id]
        if claim.kind not in MEASURED_KINDS:
            continue
        assert row.scope.strip(), f"{name} {row.claim_id}: no scope"
        assert [(c.name, c.role) for c in row.controls] == [
            (c.name, c.role) for c in claim.controls
        ], f"{name} {row.claim_id}: not the registered controls"
        if row.verdict != NOT_MEASURED:
            measured = [c for c in row.controls if c.verdict != NOT_MEASURED]
            assert measured, f"{name} {row.claim_id}: no control was measured"


def test_confirmations_and_refutations_beat_their_controls():
    """The issue's bar: every confirmed row has a negative control that was not confirmed, and
    every refuted row a positive control that was not refuted (measured, not skipped); the
    rules go further and want every positive control of a refuted row confirmed."""
    for name, row in rows():
        if CLAIMS[row.claim_id].kind not in MEASURED_KINDS:
            continue
        negative = [c for c in row.controls if c.role == NEGATIVE]
        positive = [c for c in row.controls if c.role == POSITIVE]
        if row.verdict == CONFIRMED:
            assert negative, f"{row.claim_id}: confirmed with no negative control"
            assert all(c.verdict not in (CONFIRMED, NOT_MEASURED) for c in negative), (
                f"{name} {row.claim_id}: a negative control earns the verdict too"
            )
        if row.verdict == REFUTED:
            assert positive, f"{row.claim_id}: refuted with no positive control"
            assert all(c.verdict == CONFIRMED for c in positive), (
                f"{name} {row.claim_id}: a positive control was not confirmed"
            )


def test_every_trained_row_rests_on_three_seeds_with_an_interval():
    for name, row in rows():
        claim = CLAIMS[row.claim_id]
        if claim.trained and row.verdict != NOT_MEASURED:
            assert row.seeds >= MIN_SEEDS, f"{name} {row.claim_id}: {row.seeds} seed(s)"
        if row.seeds >= 2 or row.repeats >= 2:
            low, high = row.interval
            assert low <= row.value <= high, f"{name} {row.claim_id}: mean outside its interval"
        else:
            assert row.interval is None


@pytest.mark.parametrize("name", list(ROUNDS))
def test_gpu_claims_are_not_measured_on_a_cpu(name):
    for row in RESULTS[name].rows:  # each row's own device: where its measurement was taken
        if CLAIMS[row.claim_id].hardware == "gpu" and row.device.split(":")[0] not in (
            "cuda",
            "mps",
        ):
            assert row.verdict == NOT_MEASURED, f"{row.claim_id} judged on {row.device}"
    assert any(CLAIMS[row.claim_id].hardware == "gpu" for _, row in rows()), "no GPU claim saved"


def test_the_scorecard_has_both_tables():
    card = json.loads((REFERENCE_DIR / "scorecard.json").read_text(encoding="utf-8"))
    assert [r["row"] for r in card["summary_table"]] == [row for row, _, _ in SUMMARY_TABLE]
    assert [r["row"] for r in card["business_table"]] == [row for row, _, _ in BUSINESS_TABLE]
    for table in ("summary_table", "business_table"):
        for row in card[table]:
            assert row["verdict"] in VERDICTS
            for cell in row["cells"].values():
                assert cell["verdict"] in VERDICTS and cell["supports"] + cell["opposes"]
                if cell["verdict"] != NOT_MEASURED:  # a verdict never travels without its scope
                    assert cell["scope"].strip(), f"{row['row']}: {cell['fight_card']} no scope"
    assert set(card["counts"]) == {*VERDICTS, "not run"}  # "not measured here" counted apart
    assert sum(card["counts"].values()) == len(CLAIMS) and card["counts"]["not run"] == 0
    assert all(source == "measured" for source in card["sources"].values())
    # the saved tables are what the saved rounds give today
    again = scorecard(RESULTS)
    verdicts, scopes = again.verdicts(), again.scopes()
    assert card["summary_table"] == rebuild_table(SUMMARY_TABLE, verdicts, scopes)
    assert card["business_table"] == rebuild_table(BUSINESS_TABLE, verdicts, scopes)
