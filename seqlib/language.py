"""A small synthetic language for round 3: who does the pronoun refer to?

Sentences like the fight card's "The CEO of Tesla said he loves rockets", built from templates
with people (roles), companies, possessive (``'s``) and prepositional (``of``, ``near``)
phrases, and one pronoun. The task: at the pronoun, name its **antecedent**, the one person in
the sentence the pronoun can refer to. Agreement decides it:

- ``he``: a singular role that is male or neutral (``actor``, ``CEO``);
- ``she``: a singular role that is female or neutral (``actress``, ``CEO``);
- ``they``: a plural role (``engineers``);
- a company (``Tesla``) is never the antecedent of he, she or they.

The generator makes sure exactly one person in each sentence agrees with the pronoun, so
every sentence has one right answer. Templates are split into **training** and **held-out**
ones (the fight card's sentence is held out): a model that scores on held-out templates has
learnt the agreement rule, not the sentences.

A second, contrasting task, :func:`counting_data`, uses the same words: a list of nouns and a
``?``; the answer is whether companies outnumber people. Any token can be counted, so
attention need not point at anything in particular to solve it.

Everything is seeded; nothing is downloaded. Words are matched case-insensitively
(``"The"`` is ``the``); a word outside the vocabulary raises ``ValueError`` naming it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch

from seqlib._validate import (
    check_choice,
    check_integer_tensor,
    check_positions,
    check_positive_int,
    check_seed,
)
from seqlib.tasks import IGNORE_INDEX

__all__ = [
    "COMPANIES",
    "FIGHT_CARD",
    "HELDOUT_TEMPLATES",
    "KINDS",
    "PERSONS",
    "PRONOUNS",
    "SUBJECT_POSITION",
    "TEMPLATES",
    "TRAIN_TEMPLATES",
    "VOCAB",
    "Sentence",
    "agrees",
    "counting_data",
    "decode",
    "encode",
    "gender",
    "generate",
    "max_length",
    "parse",
    "random_of_kind",
    "split",
    "to_tensors",
    "tokenize",
    "word_kinds",
]

PAD = "<pad>"

MALE = ("actor", "king", "waiter", "uncle")
FEMALE = ("actress", "queen", "waitress", "aunt")
NEUTRAL = ("CEO", "engineer", "designer", "founder", "manager", "doctor")
PLURAL = ("engineers", "designers", "investors", "lawyers")
PERSONS = NEUTRAL + MALE + FEMALE + PLURAL  # the candidates: one class per person noun
COMPANIES = ("Tesla", "Apple", "Google", "Amazon", "Nvidia")
PRONOUNS = ("he", "she", "they")
VERBS = {
    "singular": ("loves", "hates", "builds", "sells"),
    "plural": ("love", "hate", "build", "sell"),
}
OBJECTS = ("rockets", "cars", "phones", "chips", "robots")
FUNCTION_WORDS = ("the", "of", "said", "met", "and", "near", "'s", "?")

VOCAB: tuple[str, ...] = (
    PAD,
    *FUNCTION_WORDS,
    *PERSONS,
    *COMPANIES,
    *PRONOUNS,
    *VERBS["singular"],
    *VERBS["plural"],
    *OBJECTS,
)
WORD_TO_ID = {word: i for i, word in enumerate(VOCAB)}
_LOOKUP = {word.lower(): word for word in VOCAB}  # case-insensitive

# {A} is the first person, {B} the second, {C} a company; the clause after the pronoun is
# "{pron} {verb} {object}". The fight card's sentence comes from "of_said", a held-out template.
TEMPLATES: dict[str, str] = {
    # training templates
    "said": "the {A} said {pron}",
    "met": "the {A} met the {B} and {pron}",
    "of_met": "the {A} of {C} met the {B} and {pron}",
    "possessive": "the {A} 's {B} said {pron}",
    "near": "the {A} near the {B} said {pron}",
    # held-out templates: new combinations of the same constructions
    "of_said": "the {A} of {C} said {pron}",
    "of_near": "the {A} of {C} near the {B} said {pron}",
    "met_of": "the {A} met the {B} of {C} and {pron}",
}
TRAIN_TEMPLATES = ("said", "met", "of_met", "possessive", "near")
HELDOUT_TEMPLATES = ("of_said", "of_near", "met_of")
# Every template starts "the {A}": the subject (the first person) is always at position 1, so
# a head that always looks there finds the antecedent whenever it is the subject
SUBJECT_POSITION = 1

FIGHT_CARD = "The CEO of Tesla said he loves rockets"


@dataclass(frozen=True)
class Sentence:
    """One sentence: its words, where the pronoun is, where its antecedent is.

    ``features`` holds facts about the sentence a probe can look for: ``"subject_gender"``
    (``"male"``, ``"female"``, ``"neutral"`` or ``"plural"``: the first person's) and
    ``"antecedent_is_subject"``.
    """

    words: tuple[str, ...]
    pronoun: int  # index of the pronoun in words
    antecedent: int  # index of the antecedent in words
    template: str
    features: dict

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def answer(self) -> str:
        return self.words[self.antecedent]


def gender(noun: str) -> str:
    """``"male"``, ``"female"``, ``"neutral"`` (singular, either) or ``"plural"``."""
    for name, group in (
        ("male", MALE),
        ("female", FEMALE),
        ("neutral", NEUTRAL),
        ("plural", PLURAL),
    ):
        if noun in group:
            return name
    raise ValueError(f"{noun!r} is not a person noun; person nouns are {list(PERSONS)}")


def agrees(pronoun: str, noun: str) -> bool:
    """Can ``pronoun`` refer to the person ``noun``? (Companies: never.)"""
    if pronoun not in PRONOUNS:
        raise ValueError(f"{pronoun!r} is not a pronoun; pronouns are {list(PRONOUNS)}")
    if noun not in PERSONS:
        return False
    kind = gender(noun)
    return {"he": kind in ("male", "neutral"), "she": kind in ("female", "neutral")}.get(
        pronoun, kind == "plural"
    )


def tokenize(sentence: str) -> list[str]:
    """Split a sentence into vocabulary words: case-insensitive, ``'s`` split off, final
    ``.``/``!``/``,`` dropped. Raises ``ValueError`` naming every word not in the vocabulary."""
    if not isinstance(sentence, str):
        raise TypeError(f"sentence must be a str, got {type(sentence).__name__}")
    raw = sentence.replace("'s ", " 's ").replace(",", " ").strip().rstrip(".!").split()
    if raw and raw[-1].endswith("'s"):
        raw[-1:] = [raw[-1][:-2], "'s"]
    if not raw:
        raise ValueError("the sentence is empty: type a few words from the vocabulary")
    unknown = [word for word in raw if word.lower() not in _LOOKUP or word == PAD]
    if unknown:
        raise ValueError(
            f"not in the vocabulary: {', '.join(repr(w) for w in dict.fromkeys(unknown))}. "
            f"Known words: {', '.join(VOCAB[1:])}"
        )
    return [_LOOKUP[word.lower()] for word in raw]


def encode(sentence: str | Sentence) -> torch.Tensor:
    """Token ids ``(T,)`` of a sentence (a string or a :class:`Sentence`)."""
    words = sentence.words if isinstance(sentence, Sentence) else tokenize(sentence)
    return torch.tensor([WORD_TO_ID[w] for w in words])


def decode(ids: torch.Tensor | list[int]) -> list[str]:
    """Words of token ids ``(T,)`` (padding dropped)."""
    ids = check_integer_tensor(ids, "ids", low=0, high=len(VOCAB))
    if ids.dim() != 1:
        raise ValueError(f"ids must be 1-D (T,): one sentence, got shape {tuple(ids.shape)}")
    return [VOCAB[i] for i in ids.tolist() if i != WORD_TO_ID[PAD]]


def parse(sentence: str) -> Sentence:
    """A typed sentence as a :class:`Sentence`: its pronoun (the last he/she/they) and, if
    exactly one person agrees with it, its antecedent (else ``antecedent = -1``)."""
    words = tuple(tokenize(sentence))
    pronouns = [i for i, w in enumerate(words) if w in PRONOUNS]
    if not pronouns:
        raise ValueError(f"no pronoun in {' '.join(words)!r}: add one of {list(PRONOUNS)}")
    p = pronouns[-1]
    candidates = [i for i in range(p) if agrees(words[p], words[i])]
    persons = [i for i in range(p) if words[i] in PERSONS]
    subject = gender(words[persons[0]]) if persons else "none"
    antecedent = candidates[0] if len(candidates) == 1 else -1
    features = {
        "subject_gender": subject,
        "antecedent_is_subject": bool(persons) and antecedent == persons[0],
    }
    return Sentence(words, p, antecedent, "typed", features)


def _sentence(template: str, rng: random.Random) -> Sentence:
    pattern = TEMPLATES[template]
    two = "{B}" in pattern
    pron = rng.choice(PRONOUNS)
    agreeing = [n for n in PERSONS if agrees(pron, n)]
    others = [n for n in PERSONS if not agrees(pron, n)]
    first_is_antecedent = not two or rng.random() < 0.5
    antecedent, other = rng.choice(agreeing), rng.choice(others)
    a, b = (antecedent, other) if first_is_antecedent else (other, antecedent)
    number = "plural" if pron == "they" else "singular"
    text = pattern.format(A=a, B=b, C=rng.choice(COMPANIES), pron=pron)
    text += f" {rng.choice(VERBS[number])} {rng.choice(OBJECTS)}"
    words = tuple(text.split())
    p = words.index(pron)
    slot = words.index(a) if first_is_antecedent else words.index(b, words.index(a) + 1)
    features = {"subject_gender": gender(a), "antecedent_is_subject": first_is_antecedent}
    return Sentence(words, p, slot, template, features)


def generate(templates: tuple[str, ...] | list[str], n: int, *, seed: int = 0) -> list[Sentence]:
    """``n`` sentences from ``templates`` (drawn uniformly), seeded."""
    n = check_positive_int(n, "n")
    unknown = [t for t in templates if t not in TEMPLATES]
    if unknown or not templates:
        raise ValueError(f"templates must be among {list(TEMPLATES)}, got {list(templates)}")
    rng = random.Random(check_seed(seed))
    return [_sentence(rng.choice(list(templates)), rng) for _ in range(n)]


def split(n_train: int, n_test: int, *, seed: int = 0) -> tuple[list[Sentence], list[Sentence]]:
    """Training sentences (training templates) and held-out ones (held-out templates).

    The held-out list starts with the fight card's sentence. Different seeds for the two
    halves; no held-out sentence text occurs in the training list.
    """
    n_test = check_positive_int(n_test, "n_test")
    train = generate(TRAIN_TEMPLATES, check_positive_int(n_train, "n_train"), seed=seed)
    seed = check_seed(seed)
    more = generate(HELDOUT_TEMPLATES, n_test - 1, seed=seed + 10_000) if n_test > 1 else []
    test = [parse(FIGHT_CARD), *more]
    return train, test


def max_length() -> int:
    """The longest sentence any template makes (in tokens)."""
    return max(len(t.split()) for t in TEMPLATES.values()) + 2  # + verb and object


def to_tensors(
    sentences: list[Sentence], length: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """``inputs (N, T)`` token ids, right-padded with ``<pad>``, and ``targets (N, T)``:
    ``IGNORE_INDEX`` everywhere except at the pronoun, where it is the antecedent's index in
    :data:`PERSONS` (the class to predict)."""
    if not sentences:
        raise ValueError("sentences is empty: give a list of Sentence objects")
    for row, s in enumerate(sentences):
        if not isinstance(s, Sentence):
            raise TypeError(
                f"sentences[{row}] must be a Sentence (from generate, split or parse), got "
                f"{s!r}; for a typed sentence use parse(text)"
            )
    if length is None:
        length = max(len(s.words) for s in sentences)
    length = check_positive_int(length, "length")
    inputs = torch.full((len(sentences), length), WORD_TO_ID[PAD])
    targets = torch.full((len(sentences), length), IGNORE_INDEX)
    for row, s in enumerate(sentences):
        if len(s.words) > length:
            raise ValueError(f"sentence {row} has {len(s.words)} words, longer than {length}")
        inputs[row, : len(s.words)] = encode(s)
        if s.antecedent >= 0:
            targets[row, s.pronoun] = PERSONS.index(s.answer)
    return inputs, targets


KINDS = ("person", "company", "other")


def word_kinds() -> torch.Tensor:
    """The kind of every token id ``(V,)``, an index into :data:`KINDS`: a person noun, a
    company, or any other word. Used to erase a control word of the same kind."""
    return torch.tensor(
        [0 if w in PERSONS else 1 if w in COMPANIES else 2 for w in VOCAB], dtype=torch.long
    )


def random_of_kind(
    inputs: torch.Tensor, positions: torch.Tensor, kind: str, *, seed: int = 0
) -> torch.Tensor:
    """For each row of ``inputs (B, T)``: a random position before ``positions[b]`` whose word
    is of ``kind`` (one of :data:`KINDS`: ``"person"``, ``"company"`` or ``"other"``), drawn
    with ``seed``; ``-1`` where the row has no such word. Returns ``(B,)``.

    Round 3's experiment erases these words (``seqlib.interpret.erasure_changes`` leaves out
    the rows with ``-1``): which kinds of word does the answer depend on?
    """
    check_choice(kind, "kind", KINDS)
    if not isinstance(inputs, torch.Tensor) or inputs.dim() != 2 or inputs.is_floating_point():
        shape = tuple(inputs.shape) if isinstance(inputs, torch.Tensor) else type(inputs).__name__
        raise ValueError(f"inputs must be integer token ids (B, T), got {shape}")
    if inputs.numel() and (int(inputs.min()) < 0 or int(inputs.max()) >= len(VOCAB)):
        raise ValueError(f"inputs must be token ids in [0, {len(VOCAB)})")
    positions = check_positions(inputs, positions)
    before = torch.arange(inputs.shape[1])[None] < positions[:, None]  # (B, T)
    candidate = (word_kinds()[inputs] == KINDS.index(kind)) & before  # (B, T)
    g = torch.Generator().manual_seed(check_seed(seed))
    noise = torch.rand(candidate.shape, generator=g).masked_fill(~candidate, -1.0)  # (B, T)
    return torch.where(candidate.any(-1), noise.argmax(-1), -1)


def counting_data(
    n: int, *, min_nouns: int = 5, max_nouns: int = 11, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The contrast task: ``noun noun ... noun ?``; at ``?``: do companies outnumber people?

    An odd number of nouns between ``min_nouns`` and ``max_nouns`` (so no ties), each a
    company or a person with probability 1/2. Returns ``inputs (N, T)`` right-padded,
    ``targets (N, T)`` (``IGNORE_INDEX`` except at ``?``: 1 if more companies, else 0) and the
    position of ``?`` for every row ``(N,)``.
    """
    n = check_positive_int(n, "n")
    min_nouns = check_positive_int(min_nouns, "min_nouns")
    max_nouns = check_positive_int(max_nouns, "max_nouns")
    sizes = [k for k in range(min_nouns, max_nouns + 1) if k % 2]  # odd: no ties
    if not sizes:
        raise ValueError(
            f"no odd number of nouns between min_nouns={min_nouns} and max_nouns={max_nouns}"
        )
    rng = random.Random(check_seed(seed))
    length = max_nouns + 1
    inputs = torch.full((n, length), WORD_TO_ID[PAD])
    targets = torch.full((n, length), IGNORE_INDEX)
    ask = torch.empty(n, dtype=torch.long)
    for row in range(n):
        k = rng.choice(sizes)
        kinds = [rng.random() < 0.5 for _ in range(k)]  # True: a company
        words = [rng.choice(COMPANIES) if c else rng.choice(PERSONS) for c in kinds]
        inputs[row, : k + 1] = torch.tensor([WORD_TO_ID[w] for w in [*words, "?"]])
        targets[row, k] = int(sum(kinds) > k / 2)
        ask[row] = k
    return inputs, targets, ask
