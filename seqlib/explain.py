"""One typed sentence, both fighters: what each answered, and what each looked at.

Round 3's explorer (:func:`seqlib.widgets.attention_explorer`) is a view over
:func:`explain_sentence`: the Transformer's attention map and rollout from the pronoun, the
LSTM's integrated-gradients saliency, and both answers, for a sentence the learner types in
round 3's language (:mod:`seqlib.language`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from seqlib import language
from seqlib._validate import check_positive_int
from seqlib.interpret import attention_maps, attention_rollout, predict, saliency

__all__ = [
    "Explanation",
    "explain_sentence",
    "format_explanation",
]

@dataclass(frozen=True)
class Explanation:
    """Both fighters on one sentence (:func:`explain_sentence`).

    ``words``; ``pronoun``: the index of the last he/she/they; ``expected``: the agreeing
    person, or None when no single person agrees; ``transformer`` and ``lstm``: the predicted
    antecedents; ``attention`` (T, T): layer ``layer``, head ``head``; ``rollout`` (T,):
    attention rollout from the pronoun; ``saliency`` (T,): the LSTM's integrated-gradients
    saliency of its answer.
    """

    words: list[str]
    pronoun: int
    expected: str | None
    transformer: str
    lstm: str
    attention: Tensor
    rollout: Tensor
    saliency: Tensor
    layer: int
    head: int


def explain_sentence(
    text: str, transformer: nn.Module, lstm: nn.Module, *, layer: int = 0, head: int = 0
) -> Explanation:
    """Both fighters' answer for the pronoun of ``text``, with what each one looked at.

    Raises ``ValueError`` with a readable message for a word outside the vocabulary, a sentence
    without a pronoun or longer than the models were trained on, or a layer/head out of range.
    """
    sentence = language.parse(text)
    limit = language.max_length()
    if len(sentence.words) > limit:
        raise ValueError(
            f"the sentence has {len(sentence.words)} words; keep it to {limit} or fewer"
        )
    layer = check_positive_int(layer, "layer", allow_zero=True)
    head = check_positive_int(head, "head", allow_zero=True)
    inputs = language.encode(sentence)[None]  # (1, T)
    position = torch.tensor([sentence.pronoun])
    maps = attention_maps(transformer, inputs)  # per layer (1, h, T, T)
    if layer >= len(maps):
        raise ValueError(f"layer must be in 0..{len(maps) - 1}, got {layer}")
    if head >= maps[0].shape[1]:
        raise ValueError(f"head must be in 0..{maps[0].shape[1] - 1}, got {head}")
    answers = {
        name: language.PERSONS[int(predict(model, inputs, position))]
        for name, model in (("transformer", transformer), ("lstm", lstm))
    }
    return Explanation(
        words=list(sentence.words),
        pronoun=sentence.pronoun,
        expected=sentence.answer if sentence.antecedent >= 0 else None,
        attention=maps[layer][0, head],
        rollout=attention_rollout(maps)[0, sentence.pronoun],  # (T,)
        saliency=saliency(lstm, inputs, position, method="integrated_gradients", steps=16)[0],
        layer=layer,
        head=head,
        **answers,
    )


def format_explanation(result: Explanation) -> str:
    """A one-paragraph HTML readout of :func:`explain_sentence`'s result."""
    words = result.words
    before = result.rollout[: result.pronoun]
    top = words[int(before.argmax())] if len(before) else "(nothing)"
    sal = result.saliency[: result.pronoun].abs()
    top_sal = words[int(sal.argmax())] if len(sal) else "(nothing)"
    rule = (
        f"agreement says <b>{html.escape(result.expected)}</b>"
        if result.expected
        else "no single person agrees with it: the models must guess"
    )
    return (
        f"<p>Pronoun <b>{html.escape(words[result.pronoun])}</b>: {rule}. "
        f"Transformer answers <b>{html.escape(result.transformer)}</b>, "
        f"LSTM answers <b>{html.escape(result.lstm)}</b>. "
        f"Most attended word before the pronoun (rollout): <b>{html.escape(top)}</b>; "
        f"most salient word for the LSTM: <b>{html.escape(top_sal)}</b>.</p>"
    )
