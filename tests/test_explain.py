"""seqlib.explain: one typed sentence, both fighters' answers and what each looked at; rank
agreement; the sentences of round 3's verdict table."""

import pytest
import torch

import seqlib
from seqlib import explain as E
from seqlib import language as L
from seqlib.explain import explain_sentence, format_explanation


def test_explain_sentence(language_fighters):
    result = explain_sentence(L.FIGHT_CARD, *language_fighters, layer=1, head=1)
    T = len(result.words)
    assert result.words[result.pronoun] == "he" and result.expected == "CEO"
    assert result.attention.shape == (T, T) and result.saliency.shape == (T,)
    assert result.rollout.shape == (T,)
    assert result.transformer in L.PERSONS and result.lstm in L.PERSONS
    text = format_explanation(result)
    assert "<b>he</b>" in text and "<b>CEO</b>" in text
    ambiguous = explain_sentence("the CEO met the actress and she loves cars", *language_fighters)
    assert ambiguous.expected is None
    assert "no single person agrees" in format_explanation(ambiguous)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Elon said he loves rockets", "not in the vocabulary: 'Elon'"),
        ("the CEO of Tesla loves rockets", "no pronoun"),
        ("", "empty"),
    ],
)
def test_explain_sentence_bad_sentences(language_fighters, text, message):
    with pytest.raises(ValueError, match=message):
        explain_sentence(text, *language_fighters)


def test_explain_sentence_bad_layer_or_head(language_fighters):
    with pytest.raises(ValueError, match="layer must be in 0..1"):
        explain_sentence(L.FIGHT_CARD, *language_fighters, layer=2)
    with pytest.raises(ValueError, match="head must be in 0..1"):
        explain_sentence(L.FIGHT_CARD, *language_fighters, head=5)


def test_kendall_tau():
    a = torch.tensor([1.0, 2.0, 3.0, 4.0])
    assert E.kendall_tau(a, a * 10) == 1.0
    assert E.kendall_tau(a, -a) == -1.0
    assert E.kendall_tau(a, torch.tensor([2.0, 1.0, 3.0, 4.0])) == pytest.approx(4 / 6)
    with pytest.raises(ValueError):
        E.kendall_tau(a, a[:3])


def test_kendall_tau_checks_its_vectors():
    with pytest.raises(TypeError, match="a must be a torch.Tensor, got list"):
        E.kendall_tau([1, 2, 3], [1, 2, 3])
    with pytest.raises(ValueError, match="a and b must be finite"):
        E.kendall_tau(torch.tensor([1.0, float("nan")]), torch.tensor([1.0, 2.0]))
    assert E.kendall_tau(torch.tensor([1, 2, 3]), torch.tensor([3.0, 2.0, 1.0])) == -1.0


# ---- the verdict's sentences ----------------------------------------------------------------


def _evidence_inputs():
    m = seqlib.Measurement
    measured = {
        "r3.he_ceo": m([0.86, 0.92, 0.95], seeds=3),
        "r3.attention_shows_focus": m([0.5, 0.6, 0.7], seeds=3),
        "r3.see_influence": m([0.5, 0.6, 0.7], seeds=3),
        "r3.black_box": m([-0.1, 0.0, 0.1], seeds=3),
        "r3.lstm_dog": m([0.99, 0.98, 1.0], seeds=3),
    }
    controls = {
        "r3.he_ceo": {"positional": m([0.0] * 3, seeds=3), "untrained": m([0.1, 0.2, 0.3], seeds=3),
                      "planted": m([1.0] * 3, seeds=3)},
        "r3.attention_shows_focus": {"counting": m([0.02, 0.04, 0.06], seeds=3),
                                     "masked_antecedent": m([0.8, 0.85, 0.9], seeds=3)},
        "r3.see_influence": {"positional": m([0.05] * 3, seeds=3),
                             "random_word": m([0.1] * 3, seeds=3),
                             "occlusion": None},
        "r3.black_box": {"planted": m([0.6, 0.7, 0.8], seeds=3),
                         "untrained_pair": m([-0.2, 0.0, 0.2], seeds=3),
                         "control_task": m([0.0, 0.1, 0.2], seeds=3)},
        "r3.lstm_dog": {"transformer": m([1.0] * 3, seeds=3),
                        "untrained_lstm": m([0.02, 0.05, 0.08], seeds=3)},
    }  # fmt: skip
    return measured, controls


def test_verdict_evidence_writes_each_claims_sentence_from_its_measurements():
    measured, controls = _evidence_inputs()
    text = E.verdict_evidence(measured, controls, n_select=400, runs="1 width x 3 seeds")
    assert list(text) == list(E.VERDICT_CLAIMS)
    assert all(t.endswith("(1 width x 3 seeds)") for t in text.values())
    assert text["r3.he_ceo"].startswith(
        "held-out hit rate of the head chosen on 400 training sentences, on the sentences whose "
        "antecedent is not the subject 0.91 [0.86, 0.95] over 3 seeds; controls: a head always "
        "on the subject 0.00 [0.00, 0.00] over 3 seeds;"
    )
    assert "leave-one-out occlusion's top word not measured" in text["r3.see_influence"]
    assert "a planted feature 0.70 [0.60, 0.80]" in text["r3.black_box"]
    assert "an untrained LSTM 0.05 [0.02, 0.08]" in text["r3.lstm_dog"]
    # the verdict table takes them as they are: each claim judged by its own rule and controls
    table = seqlib.VerdictTable(
        "03_interpretability", profile=seqlib.config.load("quick"), device="cpu"
    )
    for claim_id, measurement in measured.items():
        table.judge(
            claim_id, measurement, text[claim_id], controls=controls[claim_id], scope="test"
        )
    assert table.verdicts() == {
        "r3.he_ceo": "confirmed",
        "r3.attention_shows_focus": "confirmed",
        "r3.see_influence": "nuanced",
        "r3.black_box": "confirmed",
        "r3.lstm_dog": "refuted",
    }


def test_verdict_evidence_names_what_is_missing_or_wrong():
    measured, controls = _evidence_inputs()
    del measured["r3.black_box"]
    with pytest.raises(ValueError, match=r"measured must .* missing \['r3.black_box'\]"):
        E.verdict_evidence(measured, controls, n_select=1, runs="")
    measured, controls = _evidence_inputs()
    del controls["r3.he_ceo"]["planted"]
    with pytest.raises(ValueError, match=r"controls\['r3.he_ceo'\] must name"):
        E.verdict_evidence(measured, controls, n_select=1, runs="")
    measured, controls = _evidence_inputs()
    with pytest.raises(TypeError, match="r3.he_ceo: measurements must be seqlib.Measurement"):
        E.verdict_evidence({**measured, "r3.he_ceo": 0.9}, controls, n_select=1, runs="")


def test_round_3s_controls_turn_a_verdict_they_contradict_into_inconclusive():
    """A confirmation whose negative control is confirmed too, or a refutation whose positive
    control is refuted too, cannot stand: the experiment could not tell."""
    m = seqlib.Measurement
    claims = seqlib.claims.CLAIMS
    ok_he = {"untrained": m([0.1] * 3, seeds=3), "planted": m([1.0] * 3, seeds=3)}
    he = claims["r3.he_ceo"].assess(
        m([0.9] * 3, seeds=3), controls={**ok_he, "positional": m([0.0] * 3, seeds=3)}
    )
    assert (he.rule_verdict, he.verdict) == ("confirmed", "confirmed")
    positional_passes = {**ok_he, "positional": m([0.85] * 3, seeds=3)}  # a head on the subject
    assert claims["r3.he_ceo"].judge(m([0.9] * 3, seeds=3), controls=positional_passes) == (
        "inconclusive"
    )
    untrained_resolves = {
        "transformer": m([1.0] * 3, seeds=3),
        "untrained_lstm": m([0.95] * 3, seeds=3),
    }
    assert claims["r3.lstm_dog"].judge(m([0.99] * 3, seeds=3), controls=untrained_resolves) == (
        "inconclusive"
    )
    counting_depends = {
        "counting": m([0.5] * 3, seeds=3),
        "masked_antecedent": m([0.9] * 3, seeds=3),
    }
    assert (
        claims["r3.attention_shows_focus"].judge(m([0.6] * 3, seeds=3), controls=counting_depends)
        == "inconclusive"
    )
    planted_unread = {"planted": m([0.0] * 3, seeds=3), "untrained_pair": m([0.0] * 3, seeds=3),
                      "control_task": m([0.1] * 3, seeds=3)}  # fmt: skip
    assert claims["r3.black_box"].judge(m([0.0] * 3, seeds=3), controls=planted_unread) == (
        "inconclusive"
    )
    noise_reads = {"planted": m([0.8] * 3, seeds=3), "untrained_pair": m([0.5] * 3, seeds=3),
                   "control_task": m([0.1] * 3, seeds=3)}  # fmt: skip
    assert claims["r3.black_box"].judge(m([0.6] * 3, seeds=3), controls=noise_reads) == (
        "inconclusive"
    )
