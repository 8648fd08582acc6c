"""Round 3's explorer: the pure function explains a sentence, the widget reacts headless and
turns unknown words into a message, not a traceback."""

import matplotlib

matplotlib.use("Agg")  # no window: the tests run headless

import pytest  # noqa: E402

from seqlib import language as L  # noqa: E402
from seqlib.widgets import (  # noqa: E402
    attention_explorer,
    explain_sentence,
    format_explanation,
)


@pytest.fixture(scope="module")
def fighters(language_fighters):
    return language_fighters


def test_explain_sentence(fighters):
    result = explain_sentence(L.FIGHT_CARD, *fighters, layer=1, head=1)
    T = len(result["words"])
    assert result["words"][result["pronoun"]] == "he" and result["expected"] == "CEO"
    assert result["attention"].shape == (T, T) and result["saliency"].shape == (T,)
    assert result["rollout"].shape == (T,)
    assert result["transformer"] in L.PERSONS and result["lstm"] in L.PERSONS
    text = format_explanation(result)
    assert "<b>he</b>" in text and "<b>CEO</b>" in text
    ambiguous = explain_sentence("the CEO met the actress and she loves cars", *fighters)
    assert ambiguous["expected"] is None
    assert "no single person agrees" in format_explanation(ambiguous)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Elon said he loves rockets", "not in the vocabulary: 'Elon'"),
        ("the CEO of Tesla loves rockets", "no pronoun"),
        ("", "empty"),
    ],
)
def test_explain_sentence_bad_sentences(fighters, text, message):
    with pytest.raises(ValueError, match=message):
        explain_sentence(text, *fighters)


def test_explain_sentence_bad_layer_or_head(fighters):
    with pytest.raises(ValueError, match="layer must be in 0..1"):
        explain_sentence(L.FIGHT_CARD, *fighters, layer=2)
    with pytest.raises(ValueError, match="head must be in 0..1"):
        explain_sentence(L.FIGHT_CARD, *fighters, head=5)


def test_explorer_reacts_and_reports_unknown_words(fighters):
    box = attention_explorer(*fighters)
    assert set(box.controls) == {"text", "layer", "head"}
    assert list(box.controls["layer"].options) == [0, 1]
    assert list(box.controls["head"].options) == [0, 1]
    assert box.result["expected"] == "CEO" and "Transformer answers" in box.readout.value

    box.controls["head"].value = 1
    assert box.result["head"] == 1
    box.controls["layer"].value = 1
    assert box.result["layer"] == 1

    box.controls["text"].value = "the actor met the actress and she sells cars"
    assert box.result["expected"] == "actress"

    box.controls["text"].value = "Elon said he loves rockets"  # must not raise
    assert box.result is None
    assert "not in the vocabulary" in box.readout.value and "Elon" in box.readout.value

    box.controls["text"].value = L.FIGHT_CARD  # recovers
    assert box.result["expected"] == "CEO"
    assert matplotlib.pyplot.get_fignums() == []  # figures are closed after display


def test_missing_ipywidgets_gives_an_install_hint(fighters, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    with pytest.raises(ImportError, match="pip install"):
        attention_explorer(*fighters)
