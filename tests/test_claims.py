"""seqlib.claims: every claim of the fight card, quoted word for word, and every decision able to
reach each outcome it lists."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from seqlib.claims import (
    CHECKED,
    CLAIMS,
    CONFIRMED,
    INCONCLUSIVE,
    KINDS,
    MEASURED_KINDS,
    NEGATIVE,
    NOT_MEASURED,
    NUANCED,
    OUTCOMES,
    POSITIVE,
    REFUTED,
    AtLeast,
    AtMost,
    Check,
    Cited,
    Claim,
    Control,
    FromClaims,
    OnlyRefutable,
    claims_of_round,
    combine,
    fight_card,
)
from seqlib.measurement import Measurement
from tests.conftest import claim_controls, claim_measurement

SHARED_CARD = Path(__file__).resolve().parents[2] / "shared" / "fight_card.txt"


REQUIRED = {  # every claim the issue lists; deleting one from the registry fails this test
    "r1.gates_long_term", "r1.sequential", "r1.formula", "r1.remember_10_steps",
    "r1.looks_at_everything", "r1.decides_what_matters", "r1.attention_formula", "r1.no_memory",
    "r2.cant_parallelize", "r2.waits_each_step", "r2.all_in_parallel", "r2.gpu_friendly_faster",
    "r2.winner", "r2.demo_timestep3",
    "r3.black_box", "r3.attention_shows_focus", "r3.see_influence", "r3.he_ceo", "r3.lstm_dog",
    "r3.winner",
    "biz.small_data", "biz.large_data", "biz.cost", "biz.requires_gpus", "biz.text_length",
    "biz.interpretability", "biz.framework", "biz.small_internal", "biz.needs_budget",
    "r5.low_latency", "r5.small_time_series", "r5.edge", "r5.dominates_nlp",
    "r5.dominates_vision", "r5.dominates_audio", "r5.dominates_science", "r5.knockout",
    "post.start_small", "post.move_to_transformer",
    "sum.memory", "sum.speed", "sum.interpretability", "sum.parallelization", "sum.best_for",
}  # fmt: skip


def test_the_registry_covers_the_fight_card():
    assert set(CLAIMS) >= REQUIRED
    assert len(CLAIMS) >= 24
    card = fight_card()
    for claim in CLAIMS.values():
        assert claim.quote in card, f"{claim.id}: not the fight card's words: {claim.quote!r}"
        assert claim.round in range(1, 6)
        assert claim.hardware in ("any", "gpu")
        assert claim.criterion.strip()
    quotes = {claim.quote for claim in CLAIMS.values()}
    # what the issue lists: the demo's observation, the six business rows, the five summary
    # rows, the winner lines and the post-fight advice
    must = [
        "But Transformer finishes while LSTM is still on timestep 3.",
        "Start small with LSTM if data is limited.",
        "🏁 Winner: Transformer — by knockout.",
        "🏁 Winner: Transformer",
    ]
    must += [line for line in card.splitlines() if line.startswith("| ") and "---" not in line]
    must = [m for m in must if not m.startswith(("| Criteria", "| Feature"))]
    assert len(must) == 4 + 6 + 5
    for quote in must:
        assert quote in quotes, f"no claim quotes {quote!r}"
    assert sum(claim.quote == "🏁 Winner: Transformer" for claim in CLAIMS.values()) == 2


@pytest.mark.skipif(not SHARED_CARD.is_file(), reason="no shared/ folder beside the checkout")
def test_the_shipped_fight_card_is_the_shared_one():
    assert fight_card() == SHARED_CARD.read_text(encoding="utf-8")


def test_ids_are_unique_and_the_summaries_point_at_known_claims():
    for claim in CLAIMS.values():
        if isinstance(claim.rule, FromClaims):
            for other in (*claim.rule.supports, *claim.rule.opposes):
                assert other in CLAIMS and other != claim.id
                # a summary is judged after what it follows: same round or later
                assert CLAIMS[other].round <= claim.round, (claim.id, other)


def test_the_readme_counts_the_registry():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"({len(CLAIMS)} of them" in readme


def test_claims_of_round():
    assert sum(len(claims_of_round(r)) for r in range(1, 6)) == len(CLAIMS)
    assert all(claim.round == 2 for claim in claims_of_round(2))
    with pytest.raises(ValueError, match="1 to 5"):
        claims_of_round(6)


def _example(claim_id: str, outcome: str):
    """A measurement and controls (or verdicts) that should lead the claim to ``outcome``."""
    claim = CLAIMS[claim_id]
    rule = claim.rule
    if isinstance(rule, FromClaims):
        ids = [*rule.supports, *rule.opposes]
        if outcome in (CONFIRMED, REFUTED):
            flip = {CONFIRMED: REFUTED, REFUTED: CONFIRMED}[outcome]
            return {i: (flip if i in rule.opposes else outcome) for i in ids}
        if outcome == CHECKED:
            return {i: (REFUTED if i in rule.opposes else CHECKED) for i in ids}
        if outcome in (NUANCED, INCONCLUSIVE):
            return {i: outcome for i in ids}
        return {}
    if isinstance(rule, Cited) or outcome == NOT_MEASURED:
        return None, {}
    if outcome == INCONCLUSIVE:  # the rule confirms (or refutes), and so does a control
        first = REFUTED if isinstance(rule, OnlyRefutable) else CONFIRMED
        return claim_measurement(claim_id, first), claim_controls(claim_id, first, first)
    if outcome == CHECKED:
        return claim_measurement(claim_id, CONFIRMED), {}
    return claim_measurement(claim_id, outcome), claim_controls(claim_id)


@pytest.mark.parametrize("claim_id", list(CLAIMS))
def test_every_decision_reaches_each_outcome_it_lists(claim_id):
    claim = CLAIMS[claim_id]
    assert set(claim.outcomes) <= set(OUTCOMES) and claim.outcomes
    device = "cuda" if claim.hardware == "gpu" else "cpu"
    for outcome in claim.outcomes:
        example = _example(claim_id, outcome)
        if isinstance(claim.rule, FromClaims):
            got = claim.derive(example)
        else:
            measurement, controls = example
            got = claim.judge(measurement, device=device, controls=controls)
        assert got == outcome, f"{claim_id}: wanted {outcome}, got {got} from {example}"


@pytest.mark.parametrize(
    "claim_id", [i for i, c in CLAIMS.items() if c.kind in MEASURED_KINDS]
)
def test_every_measured_claim_has_controls_that_can_overturn_it(claim_id):
    """A confirmation falls to a confirmed negative control, a refutation to a refuted positive
    one: the verdict becomes inconclusive, and says why."""
    claim = CLAIMS[claim_id]
    roles = {c.role for c in claim.controls}
    assert all(c.name != "pending_negative" and c.name != "pending_positive"
               for c in claim.controls), f"{claim_id}: placeholder controls"  # fmt: skip
    device = "cuda" if claim.hardware == "gpu" else "cpu"
    if CONFIRMED in claim.outcomes:
        assert NEGATIVE in roles
        m = claim_measurement(claim_id, CONFIRMED)
        assert claim.judge(m, device=device, controls=claim_controls(claim_id)) == CONFIRMED
        bad = claim.assess(m, device=device, controls=claim_controls(claim_id, CONFIRMED))
        assert bad.verdict == INCONCLUSIVE and bad.rule_verdict == CONFIRMED
        assert "negative control" in bad.reason
        unmeasured = {
            name: (None if c.role == NEGATIVE else value)
            for (name, value), c in zip(
                claim_controls(claim_id).items(), claim.controls, strict=True
            )
        }
        assert claim.judge(m, device=device, controls=unmeasured) == INCONCLUSIVE
    if REFUTED in claim.outcomes:
        assert POSITIVE in roles
        m = claim_measurement(claim_id, REFUTED)
        assert claim.judge(m, device=device, controls=claim_controls(claim_id)) == REFUTED
        bad = claim.assess(m, device=device, controls=claim_controls(claim_id, positive=REFUTED))
        assert bad.verdict == INCONCLUSIVE and "positive control" in bad.reason
    for c in claim.controls:
        assert c.name in claim.full_criterion() and c.description.strip()


def test_controls_must_be_the_registered_ones():
    claim_id = "r1.remember_10_steps"
    claim, m = CLAIMS[claim_id], claim_measurement(claim_id, CONFIRMED)
    given = claim_controls(claim_id)
    missing = dict(list(given.items())[1:])
    with pytest.raises(ValueError, match="missing"):
        claim.judge(m, controls=missing)
    with pytest.raises(ValueError, match=r"unknown \['nope'\]"):
        claim.judge(m, controls={**given, "nope": m})
    with pytest.raises(TypeError, match="must be a Measurement or None, got float"):
        claim.judge(m, controls={name: 0.5 for name in given})
    one_seed = {name: Measurement([0.1], seeds=1) for name in given}
    with pytest.raises(ValueError, match="control .* needs at least 3 seeds"):
        claim.judge(m, controls=one_seed)


def test_a_claim_that_can_confirm_needs_a_negative_control():
    with pytest.raises(ValueError, match="needs a negative control"):
        Claim("x.y", 1, "q", "c", AtLeast(0.9, 0.5), kind="trained",
              controls=(Control("other", POSITIVE, "the other fighter"),))  # fmt: skip
    with pytest.raises(ValueError, match="needs a positive control"):
        Claim("x.y", 1, "q", "c", AtLeast(0.9, 0.5), kind="timed",
              controls=(Control("other", NEGATIVE, "the same work, no dependency"),))  # fmt: skip
    with pytest.raises(ValueError, match="takes no controls"):
        Claim("x.y", 1, "q", "c", Check(at_most=1e-5),
              controls=(Control("other", NEGATIVE, "nothing"),))  # fmt: skip
    with pytest.raises(ValueError, match="kind must be one of"):
        Claim("x.y", 1, "q", "c", AtLeast(0.9, 0.5))
    with pytest.raises(ValueError, match="role must be"):
        Control("x", "neutral", "d")
    with pytest.raises(ValueError, match="must be an identifier"):
        Control("a b", NEGATIVE, "d")


def test_checked_facts_are_a_kind_of_their_own():
    checked = [c for c in CLAIMS.values() if c.kind == "checked"]
    assert {"r1.sequential", "r1.attention_formula", "biz.framework"} <= {c.id for c in checked}
    for claim in checked:
        assert isinstance(claim.rule, Check) and not claim.controls
    assert Check(at_most=1e-5).decide(Measurement(0.0)) == CHECKED
    assert Check(at_most=1e-5).decide(Measurement(1e-3)) == REFUTED
    assert Check(at_least=1.0).decide(Measurement(0.5)) == REFUTED
    with pytest.raises(ValueError, match="exactly one"):
        Check()
    with pytest.raises(ValueError, match="exactly one"):
        Check(at_most=1.0, at_least=0.0)


def test_timed_claims_need_five_repeats():
    claim_id = next(i for i, c in CLAIMS.items() if c.kind == "timed" and c.hardware == "any")
    claim = CLAIMS[claim_id]
    value = claim_measurement(claim_id, CONFIRMED).values[0]
    with pytest.raises(ValueError, match="at least 5 interleaved repeats, got 0"):
        claim.judge(Measurement(value), controls=claim_controls(claim_id))
    with pytest.raises(ValueError, match="at least 5 interleaved repeats, got 3"):
        claim.judge(Measurement([value] * 3, repeats=3), controls=claim_controls(claim_id))


def test_every_claim_has_a_kind_and_its_grid_resolves():
    for claim in CLAIMS.values():
        assert claim.kind in KINDS
        for profile in ("quick", "full"):
            grid = claim.grid_for(profile)
            assert set(grid) == set(claim.grid)
            assert not any(isinstance(v, dict) and set(v) == {"quick", "full"}
                           for v in grid.values())  # fmt: skip
    with pytest.raises(ValueError, match="profile must be"):
        next(iter(CLAIMS.values())).grid_for("fast")


def test_a_gpu_claim_is_not_measured_on_a_cpu_whatever_the_numbers():
    claim_id = "r2.gpu_friendly_faster"
    claim = CLAIMS[claim_id]
    assert claim.hardware == "gpu"
    huge, controls = claim_measurement(claim_id, CONFIRMED), claim_controls(claim_id)
    assert claim.judge(huge, device="cpu", controls=controls) == NOT_MEASURED
    assert claim.judge(huge, device="cuda", controls=controls) == CONFIRMED
    assert claim.judge(huge, device="mps", controls=controls) == CONFIRMED
    assert "Only a GPU can settle it" in claim.full_criterion()


def test_trained_claims_need_three_seeds():
    claim_id = "r1.remember_10_steps"
    claim, controls = CLAIMS[claim_id], claim_controls(claim_id)
    assert claim.trained
    with pytest.raises(ValueError, match="at least 3 seeds, got 1"):
        claim.judge(Measurement([1.0], seeds=1), controls=controls)
    with pytest.raises(ValueError, match="at least 3 seeds, got 0"):
        claim.judge(Measurement([1.0], seeds=0), controls=controls)
    good = claim_measurement(claim_id, CONFIRMED)
    assert claim.judge(good, controls=controls) == CONFIRMED


def test_one_bad_seed_keeps_a_claim_from_being_confirmed():
    rule = AtLeast(0.9, 0.5)
    assert rule.decide(Measurement([1.0, 1.0, 0.89], seeds=3)) == NUANCED
    assert rule.decide(Measurement([0.5, 0.4, 0.2], seeds=3)) == REFUTED
    assert AtMost(0.05, 0.2).decide(Measurement([0.01, 0.3, 0.0], seeds=3)) == NUANCED


def test_rules_reject_thresholds_the_wrong_way_round():
    with pytest.raises(ValueError, match="refute < confirm"):
        AtLeast(0.5, 0.9)
    with pytest.raises(ValueError, match="confirm < refute"):
        AtMost(0.9, 0.5)


def test_judge_and_derive_are_not_interchangeable():
    with pytest.raises(TypeError, match="use derive"):
        CLAIMS["sum.speed"].judge(Measurement([1.0], seeds=0))
    with pytest.raises(TypeError, match="use judge"):
        CLAIMS["r2.winner"].derive({})
    with pytest.raises(TypeError, match="Measurement or None, got float"):
        CLAIMS["r2.winner"].judge(0.5)
    with pytest.raises(TypeError, match="use derive"):
        CLAIMS["sum.speed"].assess(None)


def test_combine():
    assert combine([CONFIRMED, CONFIRMED]) == CONFIRMED
    assert combine([CONFIRMED, CHECKED]) == CONFIRMED  # a checked fact is left out of the vote
    assert combine([CHECKED, CHECKED]) == CHECKED  # facts alone stay facts
    assert combine([CHECKED], [CHECKED]) == NUANCED
    assert combine([REFUTED], [CHECKED]) == REFUTED
    assert combine([CONFIRMED, INCONCLUSIVE]) == NUANCED  # partly measured: not decisive
    assert combine([INCONCLUSIVE, NOT_MEASURED]) == INCONCLUSIVE
    assert combine([REFUTED], [INCONCLUSIVE]) == NUANCED
    assert combine([REFUTED], [CONFIRMED]) == REFUTED
    assert combine([CONFIRMED], [CONFIRMED]) == NUANCED
    assert combine([CONFIRMED, NOT_MEASURED]) == NUANCED  # a part not measured: partly measured
    assert combine([NOT_MEASURED], [NOT_MEASURED]) == NOT_MEASURED
    assert combine([]) == NOT_MEASURED
    with pytest.raises(ValueError, match="verdicts must be among"):
        combine(["yes"])


def test_a_missing_part_counts_as_not_measured():
    claim = CLAIMS["sum.speed"]
    assert claim.derive({}) == NOT_MEASURED
    both = {"r2.winner": REFUTED, "r2.demo_timestep3": REFUTED}
    assert claim.derive({"r2.winner": REFUTED}) == NUANCED  # the rest not measured: partly
    assert claim.derive(both) == NUANCED  # the GPU claim is not measured here
    # a GPU claim that was measured on a GPU counts like any other
    assert claim.derive({**both, "r2.gpu_friendly_faster": REFUTED}) == REFUTED
    assert claim.derive({**both, "r2.gpu_friendly_faster": CONFIRMED}) == NUANCED


@pytest.mark.parametrize(
    ("confirm", "refute"),
    [
        (np.float32(0.75), np.float64(0.25)),
        (torch.tensor(0.75), torch.tensor(0.25, dtype=torch.float64)),
        (torch.tensor([0.75]), np.array(0.25)),
    ],
    ids=["numpy", "torch", "one_element"],
)
def test_rules_take_numpy_and_torch_thresholds(confirm, refute):
    rule = AtLeast(confirm, refute)
    assert (rule.confirm, rule.refute) == (0.75, 0.25)
    assert type(rule.confirm) is float and type(rule.refute) is float
    assert rule.text() == (
        "confirmed if every seed (or repeat) >= 0.75, refuted if every one <= 0.25"
    )
    assert rule.decide(Measurement(np.array([0.8, 0.9, 1.0]), seeds=3)) == CONFIRMED
    flipped = AtMost(refute, confirm)
    assert flipped.decide(Measurement(torch.tensor([0.1, 0.2]), seeds=2)) == CONFIRMED
    assert OnlyRefutable(confirm).decide(Measurement(np.float32(0.9), seeds=0)) == REFUTED


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: AtLeast("0.9", 0.5), TypeError, "confirm must be a real number, got str"),
        (lambda: AtMost(0.1, None), TypeError, "refute must be a real number, got NoneType"),
        (lambda: AtLeast(float("nan"), 0.5), ValueError, "confirm must be finite, got nan"),
        (lambda: AtMost(0.1, float("inf")), ValueError, "refute must be finite, got inf"),
        (lambda: OnlyRefutable(True), TypeError, "refute_at must be a real number, got bool"),
    ],
)
def test_rules_reject_thresholds_that_are_not_finite_numbers(build, error, match):
    with pytest.raises(error, match=match):
        build()


@pytest.mark.parametrize("rule", [AtLeast(0.9, 0.5), AtMost(0.1, 0.5), OnlyRefutable(0.5)])
def test_decide_takes_a_measurement(rule):
    with pytest.raises(TypeError, match="measurement must be a seqlib.measurement.Measurement, go"):
        rule.decide(0.95)


def test_judge_names_a_bad_device():
    claim, m = CLAIMS["r2.gpu_friendly_faster"], Measurement(3.0, seeds=0)
    with pytest.raises(ValueError, match="device 'gpu' is not a device name torch knows"):
        claim.judge(m, device="gpu")
    with pytest.raises(TypeError, match="device must be a str or torch.device, got int"):
        claim.judge(m, device=0)
