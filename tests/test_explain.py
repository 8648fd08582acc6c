"""seqlib.explain: one typed sentence, both fighters' answers and what each looked at."""

import pytest

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
