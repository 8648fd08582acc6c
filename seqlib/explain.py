"""One typed sentence, both fighters: what each answered, and what each looked at; and how
round 3's explanations are compared and put into words.

Round 3's explorer (:func:`seqlib.widgets.attention_explorer`) is a view over
:func:`explain_sentence`: the Transformer's attention map and rollout from the pronoun, the
LSTM's integrated-gradients saliency, and both answers, for a sentence the learner types in
round 3's language (:mod:`seqlib.language`). :func:`kendall_tau` compares two explanations'
rankings; :func:`verdict_evidence` writes the sentences of round 3's verdict table, each
claim's measurement beside its controls'.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from seqlib import language
from seqlib._validate import check_positive_int, check_tensor
from seqlib.claims import CLAIMS
from seqlib.interpret import attention_maps, attention_rollout, predict, saliency
from seqlib.measurement import Measurement

__all__ = [
    "VERDICT_CLAIMS",
    "Explanation",
    "explain_sentence",
    "format_explanation",
    "kendall_tau",
    "verdict_evidence",
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


# ---------------------------------------------------------------------------------------------
# Agreement between explanations
# ---------------------------------------------------------------------------------------------


def kendall_tau(a: Tensor, b: Tensor) -> float:
    """Kendall's rank correlation of two 1-D score vectors (tau-a: ties count as 0), in [-1, 1]."""
    check_tensor(a, "a", floating=False)
    check_tensor(b, "b", floating=False)
    if a.dim() != 1 or a.shape != b.shape or len(a) < 2:
        raise ValueError(f"a and b must be 1-D of the same length >= 2, got {a.shape}, {b.shape}")
    a, b = a.double(), b.double()  # integer or bool scores too
    if not torch.isfinite(a + b).all():  # one pass for both: a NaN score has no rank
        raise ValueError("a and b must be finite (no NaN or infinity): a NaN has no rank")
    da = torch.sign(a[:, None] - a[None, :])
    db = torch.sign(b[:, None] - b[None, :])
    n = len(a)
    return ((da * db).sum() / (n * (n - 1))).item()


# ---------------------------------------------------------------------------------------------
# The round's verdict table, in words written from the measurements
# ---------------------------------------------------------------------------------------------

# The claims round 3 judges from its own measurements, in the order of its verdict table, with
# what each measurement is and what each of its registered controls is, in words
VERDICT_CLAIMS = ("r3.he_ceo", "r3.attention_shows_focus", "r3.see_influence", "r3.black_box",
                  "r3.lstm_dog")  # fmt: skip
_WORDS: dict[str, tuple[str, dict[str, str]]] = {
    "r3.he_ceo": (
        "held-out hit rate of the head chosen on {n_select} training sentences, on the "
        "sentences whose antecedent is not the subject",
        {"positional": "a head always on the subject", "untrained": "the head chosen in an "
         "untrained Transformer", "planted": "a planted antecedent head"},
    ),
    "r3.attention_shows_focus": (
        "answers changed by swapped weights (the smaller of uniform and shuffled)",
        {"counting": "the same swaps on the counting task", "masked_antecedent": "the weights "
         "on the antecedent set to 0"},
    ),
    "r3.see_influence": (
        "head's top word = top |gradient x input| word, on the sentences whose antecedent is "
        "not the subject",
        {"positional": "the subject's position", "random_word": "a random earlier word",
         "occlusion": "leave-one-out occlusion's top word"},
    ),
    "r3.black_box": (
        "probe for which person the pronoun refers to, normalised gain over an untrained LSTM",
        {"untrained_pair": "a second untrained LSTM", "control_task": "the control task",
         "planted": "a planted feature"},
    ),
    "r3.lstm_dog": (
        "LSTM held-out pronoun accuracy",
        {"untrained_lstm": "an untrained LSTM", "transformer": "the Transformer"},
    ),
}  # fmt: skip


def verdict_evidence(
    measured: Mapping[str, Measurement],
    controls: Mapping[str, Mapping[str, Measurement]],
    *,
    n_select: int,
    runs: str,
) -> dict[str, str]:
    """The "measured" sentence of each row of round 3's verdict table: claim id -> text.

    Only words: every number comes from a measurement passed in, and the verdicts stay with
    the rules in ``seqlib.claims`` (``table.judge(claim_id, measured[claim_id], text,
    controls=controls[claim_id], ...)``). ``measured``: the measurement each claim of
    :data:`VERDICT_CLAIMS` is judged on; ``controls``: for each of them, its registered
    controls' measurements (None: not measured); ``n_select``: how many training sentences the
    head was chosen on; ``runs``: how the runs were made, closing every sentence.
    """
    for name, given in (("measured", measured), ("controls", controls)):
        missing = [c for c in VERDICT_CLAIMS if c not in given]
        extra = [c for c in given if c not in VERDICT_CLAIMS]
        if missing or extra:
            raise ValueError(
                f"{name} must hold one entry per claim of {list(VERDICT_CLAIMS)}: "
                f"missing {missing}, unknown {extra}"
            )
    n_select = check_positive_int(n_select, "n_select")
    text = {}
    for claim_id in VERDICT_CLAIMS:
        lead, words = _WORDS[claim_id]
        wanted = [c.name for c in CLAIMS[claim_id].controls]
        if sorted(controls[claim_id]) != sorted(wanted):
            raise ValueError(f"controls[{claim_id!r}] must name {wanted}, got "
                             f"{list(controls[claim_id])}")  # fmt: skip
        given = [measured[claim_id], *controls[claim_id].values()]
        if not all(m is None or isinstance(m, Measurement) for m in given) or given[0] is None:
            raise TypeError(f"{claim_id}: measurements must be seqlib.Measurement values")
        parts = [
            f"{words[name]} " + ("not measured" if m is None else m.format())
            for name, m in ((n, controls[claim_id][n]) for n in wanted)
        ]
        text[claim_id] = (
            f"{lead.format(n_select=n_select)} {measured[claim_id].format()}; controls: "
            f"{'; '.join(parts)} ({runs})"
        )
    return text
