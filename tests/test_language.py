"""seqlib.language: agreement rules hold, the split is clean, everything is seeded."""

import pytest
import torch

from seqlib import language as L
from seqlib.tasks import IGNORE_INDEX


@pytest.fixture(scope="module")
def sentences():
    return L.generate(tuple(L.TEMPLATES), 600, seed=3)


def test_every_sentence_has_exactly_one_agreeing_person(sentences):
    for s in sentences:
        pronoun = s.words[s.pronoun]
        assert pronoun in L.PRONOUNS and s.antecedent < s.pronoun
        agreeing = [i for i in range(s.pronoun) if L.agrees(pronoun, s.words[i])]
        assert agreeing == [s.antecedent], s.text
        assert s.answer in L.PERSONS
        assert len(s.words) <= L.max_length() <= 16


def test_agreement_rules():
    assert L.agrees("he", "CEO") and L.agrees("she", "CEO") and not L.agrees("they", "CEO")
    assert L.agrees("he", "actor") and not L.agrees("she", "actor")
    assert L.agrees("she", "actress") and not L.agrees("he", "actress")
    assert L.agrees("they", "engineers") and not L.agrees("he", "engineers")
    assert not any(L.agrees(p, c) for p in L.PRONOUNS for c in L.COMPANIES)
    with pytest.raises(ValueError, match="not a pronoun"):
        L.agrees("it", "CEO")


def test_verbs_agree_in_number(sentences):
    for s in sentences:
        verb = s.words[s.pronoun + 1]
        number = "plural" if s.words[s.pronoun] == "they" else "singular"
        assert verb in L.VERBS[number]


def test_every_template_and_both_antecedent_slots_occur(sentences):
    assert {s.template for s in sentences} == set(L.TEMPLATES)
    two_person = [s for s in sentences if "{B}" in L.TEMPLATES[s.template]]
    share = sum(s.features["antecedent_is_subject"] for s in two_person) / len(two_person)
    assert 0.35 < share < 0.65


def test_split_is_disjoint_and_holds_out_the_fight_card():
    train, test = L.split(500, 100, seed=0)
    assert len(train) == 500 and len(test) == 100
    assert test[0].text == "the CEO of Tesla said he loves rockets" and test[0].answer == "CEO"
    assert {s.template for s in train} <= set(L.TRAIN_TEMPLATES)
    assert {s.template for s in test[1:]} <= set(L.HELDOUT_TEMPLATES)
    assert not {s.text for s in train} & {s.text for s in test}
    assert not set(L.TRAIN_TEMPLATES) & set(L.HELDOUT_TEMPLATES)
    # the fight card's template cannot come out of the training templates
    big = L.generate(L.TRAIN_TEMPLATES, 3000, seed=1)
    assert "the CEO of Tesla said he loves rockets" not in {s.text for s in big}


def test_seeded():
    assert [s.text for s in L.generate(L.TRAIN_TEMPLATES, 50, seed=4)] == [
        s.text for s in L.generate(L.TRAIN_TEMPLATES, 50, seed=4)
    ]
    assert [s.text for s in L.generate(L.TRAIN_TEMPLATES, 50, seed=4)] != [
        s.text for s in L.generate(L.TRAIN_TEMPLATES, 50, seed=5)
    ]
    a, b = L.counting_data(20, seed=1), L.counting_data(20, seed=1)
    assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def test_tensors_mark_only_the_pronoun():
    sentences = L.generate(L.TRAIN_TEMPLATES, 30, seed=2)
    inputs, targets = L.to_tensors(sentences, L.max_length())
    assert inputs.shape == targets.shape == (30, L.max_length())
    for row, s in enumerate(sentences):
        assert L.decode(inputs[row]) == list(s.words)
        scored = (targets[row] != IGNORE_INDEX).nonzero().flatten().tolist()
        assert scored == [s.pronoun]
        assert L.PERSONS[targets[row, s.pronoun]] == s.answer
    with pytest.raises(ValueError, match="longer than"):
        L.to_tensors(sentences, 3)


def test_tokenize_is_case_insensitive_and_names_unknown_words():
    assert L.tokenize("The CEO of tesla said he loves rockets.") == (
        ["the", "CEO", "of", "Tesla", "said", "he", "loves", "rockets"]
    )
    assert L.tokenize("the CEO's actor said he loves cars") == (
        ["the", "CEO", "'s", "actor", "said", "he", "loves", "cars"]
    )
    with pytest.raises(ValueError, match=r"not in the vocabulary: 'Elon', 'tweets'"):
        L.encode("Elon said he tweets")
    with pytest.raises(ValueError, match="empty"):
        L.tokenize("   ")
    with pytest.raises(ValueError, match="no pronoun"):
        L.parse("the CEO of Tesla loves rockets")
    with pytest.raises(TypeError):
        L.tokenize(3)


def test_parse_finds_the_antecedent_or_none():
    s = L.parse(L.FIGHT_CARD)
    assert (s.words[s.pronoun], s.answer) == ("he", "CEO")
    assert L.parse("the actor met the actress and she loves cars").answer == "actress"
    assert L.parse("the CEO met the actress and she loves cars").antecedent == -1  # ambiguous


def test_counting_data():
    inputs, targets, ask = L.counting_data(200, seed=0)
    for row in range(200):
        k = int(ask[row])
        words = L.decode(inputs[row])
        assert words[-1] == "?" and len(words) == k + 1 and k % 2 == 1
        companies = sum(w in L.COMPANIES for w in words[:-1])
        assert targets[row, k] == int(companies > k - companies)
        assert (targets[row] != IGNORE_INDEX).sum() == 1
    assert 0.3 < targets[targets != IGNORE_INDEX].float().mean() < 0.7


def test_word_kinds():
    kinds = L.word_kinds()
    assert kinds.shape == (len(L.VOCAB),) and L.KINDS == ("person", "company", "other")
    assert kinds[L.WORD_TO_ID["CEO"]] == 0 and kinds[L.WORD_TO_ID["engineers"]] == 0
    assert kinds[L.WORD_TO_ID["Tesla"]] == 1
    assert kinds[L.WORD_TO_ID["the"]] == 2 and kinds[L.WORD_TO_ID["he"]] == 2
    assert set(kinds.tolist()) == {0, 1, 2}


def test_random_of_kind_draws_a_word_of_that_kind_before_the_position():
    sentences = L.generate(L.HELDOUT_TEMPLATES, 50, seed=3)
    inputs, _ = L.to_tensors(sentences, L.max_length())
    pronoun = torch.tensor([s.pronoun for s in sentences])
    kinds = L.word_kinds()
    rows = torch.arange(len(sentences))
    for kind in L.KINDS:
        drop = L.random_of_kind(inputs, pronoun, kind, seed=0)
        assert drop.shape == (len(sentences),) and (drop >= 0).all()  # every template has each
        assert (drop < pronoun).all()
        assert (kinds[inputs[rows, drop]] == L.KINDS.index(kind)).all()
        assert torch.equal(drop, L.random_of_kind(inputs, pronoun, kind, seed=0))  # seeded
    people = L.random_of_kind(inputs, pronoun, "person", seed=0)
    assert (
        len({tuple(L.random_of_kind(inputs, pronoun, "person", seed=s).tolist()) for s in range(5)})
        > 1
    )
    assert people.tolist() != [-1] * len(sentences)
    # no company before position 1 ("the"): -1
    assert (
        L.random_of_kind(inputs, torch.ones(len(sentences), dtype=torch.long), "company") == -1
    ).all()


def test_random_of_kind_names_bad_input():
    inputs = L.encode(L.FIGHT_CARD)[None]
    with pytest.raises(ValueError, match="kind must be one of"):
        L.random_of_kind(inputs, torch.tensor([5]), "pronoun")
    with pytest.raises(ValueError, match="positions must have shape"):
        L.random_of_kind(inputs, torch.tensor([5, 5]), "person")
    with pytest.raises(ValueError, match="integer token ids"):
        L.random_of_kind(inputs.float(), torch.tensor([5]), "person")


def test_random_of_kind_rejects_positions_outside_the_sequence():
    import pytest
    import torch

    from seqlib import language

    inputs = torch.zeros(2, 5, dtype=torch.long)
    with pytest.raises(ValueError, match=r"positions must lie in \[0, 5\)"):
        language.random_of_kind(inputs, torch.tensor([1, 5]), language.KINDS[0])


# ---- a learner's plausible mistakes get a message naming the argument ------------------------


def test_decode_checks_the_ids():
    assert L.decode([L.WORD_TO_ID["the"], 0]) == ["the"]
    with pytest.raises(ValueError, match=rf"ids must be in \[0, {len(L.VOCAB)}\)"):
        L.decode([9999])
    with pytest.raises(ValueError, match=rf"ids must be in \[0, {len(L.VOCAB)}\)"):
        L.decode([-1])  # not the last word of the vocabulary
    with pytest.raises(TypeError, match="ids must be integers"):
        L.decode([1.0, 2.0])
    with pytest.raises(ValueError, match=r"ids must be 1-D \(T,\)"):
        L.decode(torch.zeros(2, 3, dtype=torch.long))


def test_to_tensors_needs_sentences():
    with pytest.raises(TypeError, match=r"sentences\[0\] must be a Sentence.*parse"):
        L.to_tensors(["the dog ran"])
    with pytest.raises(ValueError, match="sentences is empty"):
        L.to_tensors([])
    with pytest.raises(ValueError, match="length must be >= 1"):
        L.to_tensors(L.generate(L.TRAIN_TEMPLATES, 2), 0)
    with pytest.raises(TypeError, match="length must be an int"):
        L.to_tensors(L.generate(L.TRAIN_TEMPLATES, 2), 12.0)


def test_split_with_only_the_fight_card_held_out():
    train, test = L.split(3, 1)
    assert len(train) == 3 and [s.text for s in test] == [L.parse(L.FIGHT_CARD).text]
    with pytest.raises(ValueError, match="n_test must be >= 1"):
        L.split(3, 0)


def test_counting_data_checks_the_noun_counts():
    with pytest.raises(
        ValueError, match="no odd number of nouns between min_nouns=6 and max_nouns=6"
    ):
        L.counting_data(4, min_nouns=6, max_nouns=6)
    with pytest.raises(TypeError, match="min_nouns must be an int"):
        L.counting_data(4, min_nouns=2.5)


def test_the_subject_is_always_at_subject_position():
    """Every template starts "the {A}": a head always on position 1 finds the antecedent
    whenever it is the subject, about two thirds of the held-out sentences."""
    held_out = L.generate(L.HELDOUT_TEMPLATES, 600, seed=3)
    for s in [*held_out, *L.generate(L.TRAIN_TEMPLATES, 200, seed=3)]:
        assert s.words[L.SUBJECT_POSITION] in L.PERSONS
        assert s.features["antecedent_is_subject"] == (s.antecedent == L.SUBJECT_POSITION)
    share = sum(s.antecedent == L.SUBJECT_POSITION for s in held_out) / len(held_out)
    assert 0.6 < share < 0.73
