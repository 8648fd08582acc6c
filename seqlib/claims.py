"""The fight card's claims, each with the criterion that judges it, written before any run.

Every claim the fight card makes is here once, with a short stable ``id`` the notebooks use,
the fight card's own words (``quote``, verbatim: a test checks it against ``fight_card.txt``),
the ``criterion`` in words, and the ``rule`` that turns a :class:`~seqlib.measurement.Measurement`
into a verdict. The rule is fixed here, so a notebook cannot bend it after seeing its numbers::

    claim = CLAIMS["r1.remember_10_steps"]
    claim.criterion        # what is measured, and the thresholds
    claim.judge(Measurement([0.98, 1.0, 0.99], seeds=3), device="cpu")   # "confirmed"

The verdicts are ``"confirmed"``, ``"nuanced"``, ``"refuted"`` and ``"not measured here"``.

- :class:`AtLeast` / :class:`AtMost`: confirmed when **every seed** clears the confirm
  threshold, refuted when every seed is past the refute threshold, nuanced otherwise (the seeds
  disagree, or the effect sits between the thresholds: "no clear difference at this scale").
- :class:`Cited`: a claim about work this course cannot run (ChatGPT, ViT, Whisper): always
  "not measured here"; the notebook cites what the papers did.
- :class:`FromClaims`: a claim that sums up others (a round's winner, the summary table): it
  follows the verdicts of the claims that ``support`` it (and, reversed, of those that
  ``oppose`` it). Claims not measured here are left out; if nothing is left, it is not measured.

A claim with ``hardware="gpu"`` is "not measured here" on a CPU whatever the numbers: a CPU
result settles a CPU claim, nothing more. A claim with ``trained=True`` refuses a measurement
with fewer than 3 seeds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch

from seqlib._validate import check_device
from seqlib.measurement import MIN_SEEDS, Measurement, as_float

__all__ = [
    "CLAIMS",
    "CONFIRMED",
    "NOT_MEASURED",
    "NUANCED",
    "OUTCOMES",
    "REFUTED",
    "AtLeast",
    "AtMost",
    "Cited",
    "Claim",
    "FromClaims",
    "OnlyRefutable",
    "claims_of_round",
    "combine",
    "fight_card",
]

CONFIRMED, NUANCED, REFUTED, NOT_MEASURED = "confirmed", "nuanced", "refuted", "not measured here"
OUTCOMES = (CONFIRMED, NUANCED, REFUTED, NOT_MEASURED)
GPU_DEVICES = ("cuda", "mps")
LARGE_DATA_MIN = 5_000  # sequences: the least training set the course calls "large"
FIGHT_CARD = Path(__file__).resolve().parent / "fight_card.txt"


def fight_card() -> str:
    """The fight card the course starts from, word for word."""
    return FIGHT_CARD.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Rules: a measurement in, a verdict out
# ---------------------------------------------------------------------------------------------


def _store_thresholds(rule: object, *names: str) -> None:
    """Keep each threshold of a (frozen) rule as a finite ``float``: numpy and torch scalars too."""
    for name in names:
        value = as_float(getattr(rule, name), name)
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value}")
        object.__setattr__(rule, name, value)


def _check_measurement(m: object) -> Measurement:
    if not isinstance(m, Measurement):
        raise TypeError(
            f"measurement must be a seqlib.measurement.Measurement, got {type(m).__name__}"
        )
    return m


@dataclass(frozen=True)
class AtLeast:
    """Higher favours the claim.

    Confirmed if the lowest seed >= ``confirm``, refuted if the highest seed <= ``refute``.
    """

    confirm: float
    refute: float
    outcomes: tuple[str, ...] = (CONFIRMED, NUANCED, REFUTED, NOT_MEASURED)

    def __post_init__(self) -> None:
        _store_thresholds(self, "confirm", "refute")
        if not self.refute < self.confirm:
            raise ValueError(
                f"AtLeast needs refute < confirm, got {self.refute} and {self.confirm}"
            )

    def decide(self, m: Measurement) -> str:
        m = _check_measurement(m)
        if m.low >= self.confirm:
            return CONFIRMED
        if m.high <= self.refute:
            return REFUTED
        return NUANCED

    def text(self) -> str:
        return (
            f"confirmed if every seed >= {self.confirm:g}, "
            f"refuted if every seed <= {self.refute:g}"
        )


@dataclass(frozen=True)
class AtMost:
    """Lower favours the claim.

    Confirmed if the highest seed <= ``confirm``, refuted if the lowest seed >= ``refute``.
    """

    confirm: float
    refute: float
    outcomes: tuple[str, ...] = (CONFIRMED, NUANCED, REFUTED, NOT_MEASURED)

    def __post_init__(self) -> None:
        _store_thresholds(self, "confirm", "refute")
        if not self.confirm < self.refute:
            raise ValueError(f"AtMost needs confirm < refute, got {self.confirm} and {self.refute}")

    def decide(self, m: Measurement) -> str:
        m = _check_measurement(m)
        if m.high <= self.confirm:
            return CONFIRMED
        if m.low >= self.refute:
            return REFUTED
        return NUANCED

    def text(self) -> str:
        return (
            f"confirmed if every seed <= {self.confirm:g}, "
            f"refuted if every seed >= {self.refute:g}"
        )


@dataclass(frozen=True)
class OnlyRefutable:
    """A claim this machine can refute but never confirm ("requires a GPU", tested on a CPU).

    Refuted if every seed >= ``refute_at`` (the CPU did it on every seed); otherwise nuanced:
    failing within a budget on this machine does not show that other hardware is required.
    """

    refute_at: float
    outcomes: tuple[str, ...] = (NUANCED, REFUTED, NOT_MEASURED)

    def __post_init__(self) -> None:
        _store_thresholds(self, "refute_at")

    def decide(self, m: Measurement) -> str:
        return REFUTED if _check_measurement(m).low >= self.refute_at else NUANCED

    def text(self) -> str:
        return (
            f"refuted if every seed >= {self.refute_at:g}, nuanced otherwise (this machine can "
            "refute the claim, never confirm it)"
        )


@dataclass(frozen=True)
class Cited:
    """A claim about systems the course cannot train or run: cited, never measured here."""

    outcomes: tuple[str, ...] = (NOT_MEASURED,)

    def text(self) -> str:
        return "not measured here: cited from the literature"


@dataclass(frozen=True)
class FromClaims:
    """Follows other claims' verdicts: ``supports`` as they are, ``opposes`` reversed."""

    supports: tuple[str, ...]
    opposes: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = (CONFIRMED, NUANCED, REFUTED, NOT_MEASURED)

    def text(self) -> str:
        parts = [f"follows {', '.join(self.supports)}"] if self.supports else []
        if self.opposes:
            parts.append(f"reversed: {', '.join(self.opposes)}")
        return (
            "; ".join(parts) + ": confirmed if all that were measured agree with it, refuted if "
            "all disagree, nuanced if they are mixed or nuanced, not measured if none was measured"
        )


def combine(supports: list[str], opposes: list[str] = ()) -> str:  # type: ignore[assignment]
    """The verdict of a summary from the verdicts of its parts (see :class:`FromClaims`)."""
    flip = {CONFIRMED: REFUTED, REFUTED: CONFIRMED, NUANCED: NUANCED, NOT_MEASURED: NOT_MEASURED}
    for verdict in [*supports, *opposes]:
        if verdict not in OUTCOMES:
            raise ValueError(f"verdicts must be among {list(OUTCOMES)}, got {verdict!r}")
    votes = [v for v in [*supports, *(flip[v] for v in opposes)] if v != NOT_MEASURED]
    if not votes:
        return NOT_MEASURED
    if all(v == CONFIRMED for v in votes):
        return CONFIRMED
    if all(v == REFUTED for v in votes):
        return REFUTED
    return NUANCED


Rule = AtLeast | AtMost | OnlyRefutable | Cited | FromClaims


# ---------------------------------------------------------------------------------------------
# A claim
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """One claim of the fight card and how the course judges it.

    ``round``: the round (1-5) whose notebook judges it. ``quote``: the fight card's words.
    ``criterion``: what is measured, on what, and why that measurement can go either way.
    ``hardware``: ``"any"``, or ``"gpu"`` for a claim only a GPU can settle. ``trained``: the
    measurement comes from trained models (then at least 3 seeds).
    """

    id: str
    round: int
    quote: str
    criterion: str
    rule: Rule
    hardware: str = "any"
    trained: bool = False
    measures: str = ""  # what the value is, with its unit (shown beside the number)
    # when, if ever, a claim judged from a measurement may legitimately be "not measured here"
    # (e.g. a thread speed-up on a one-thread machine); empty: it must be measured
    unmeasured_when: str = ""

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The verdicts this claim can receive (each one reachable: a unit test shows it)."""
        return self.rule.outcomes

    def full_criterion(self) -> str:
        """The criterion in words, then what the value is and the rule's thresholds."""
        gpu = self.hardware == "gpu"
        scope = " Only a GPU can settle it: not measured on a CPU." if gpu else ""
        value = f" Value: {self.measures}." if self.measures else ""
        return f"{self.criterion}{value} Rule: {self.rule.text()}.{scope}"

    def judge(
        self, measurement: Measurement | None, *, device: str | torch.device = "cpu"
    ) -> str:
        """The verdict for ``measurement`` taken on ``device`` (``None``: it could not be taken).

        Raises ``ValueError`` for a trained claim measured on fewer than 3 seeds, and
        ``TypeError`` for a summary claim (use :meth:`derive`).
        """
        if isinstance(self.rule, FromClaims):
            raise TypeError(f"{self.id} sums up other claims: use derive(verdicts), not judge()")
        device = check_device(device, "device")
        if isinstance(self.rule, Cited) or measurement is None:
            return NOT_MEASURED
        if not isinstance(measurement, Measurement):
            raise TypeError(
                f"measurement must be a seqlib.measurement.Measurement or None, "
                f"got {type(measurement).__name__}"
            )
        if self.trained and measurement.seeds < MIN_SEEDS:
            raise ValueError(
                f"{self.id} is judged from trained models: it needs at least {MIN_SEEDS} seeds, "
                f"got {measurement.seeds}"
            )
        if self.hardware == "gpu" and device.type not in GPU_DEVICES:
            return NOT_MEASURED
        return self.rule.decide(measurement)

    def derive(self, verdicts: Mapping[str, str]) -> str:
        """The verdict of a summary claim from ``verdicts`` (claim id -> verdict).

        A claim it depends on that is missing from ``verdicts`` counts as not measured.
        """
        if not isinstance(self.rule, FromClaims):
            raise TypeError(f"{self.id} is judged from a measurement: use judge(), not derive()")
        get = lambda ids: [verdicts.get(i, NOT_MEASURED) for i in ids]  # noqa: E731
        return combine(get(self.rule.supports), get(self.rule.opposes))


# ---------------------------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------------------------

_CLAIMS = [
    # -- Round 1: memory power ------------------------------------------------------------------
    Claim(
        "r1.gates_long_term", 1,
        "Designed to remember long-term dependencies using clever gates (input, forget, output).",
        "Delayed recall: a token is shown once, then D distractor tokens, then the model must "
        "name it. Trained and tested at each distance D (in distribution), with the same data, "
        "step budget and seeds as the other fighters, the LSTM's forget-gate bias starting at 1 "
        "(Jozefowicz et al. 2015). Measured: the LSTM's test accuracy at the longest distance "
        "swept (chance is 1/number of values). A vanilla RNN trained the same way is the "
        "control: it can fail where the gates succeed. Scope: the profile's step budget (a few "
        "hundred steps); Hochreiter & Schmidhuber (1997) trained for far longer, so a refutation "
        "here means the gates did not learn the lag in this budget, not that they cannot hold it.",
        AtLeast(0.9, 0.5), trained=True, measures="LSTM accuracy at the longest distance",
    ),
    Claim(
        "r1.sequential", 1,
        "Processes data sequentially, one step at a time.",
        "Run the LSTM cell one step at a time and compare with the whole-sequence call; change "
        "the inputs after step t and check the output at t does not move. Measured: the largest "
        "absolute difference over both checks (float32).",
        AtMost(1e-5, 1e-2), measures="max |difference|",
    ),
    Claim(
        "r1.formula", 1,
        "🧩 Formula: [ h_t = f(Wx_t + Uh_{t-1}) ]",
        "This is the vanilla RNN's recurrence, not the LSTM's (which adds gates and a cell "
        "state). Read as a memory claim: does h_t = f(Wx_t + Uh_{t-1}), trained like the LSTM on "
        "delayed recall, hold the token across the longest distance? Measured: the trained "
        "vanilla RNN's test accuracy there.",
        AtLeast(0.9, 0.5), trained=True, measures="vanilla RNN accuracy at the longest distance",
    ),
    Claim(
        "r1.remember_10_steps", 1,
        "“Hey, I still remember what you said 10 steps ago!” — LSTM, proudly holding onto 2008 "
        "data.",
        "Delayed recall at distance 10. Measured: the LSTM's test accuracy.",
        AtLeast(0.9, 0.5), trained=True, measures="LSTM accuracy at distance 10",
    ),
    Claim(
        "r1.looks_at_everything", 1,
        "Doesn’t need to remember — it just looks at everything at once.",
        "Delayed recall in distribution (trained and tested at the same distance), with no "
        "recurrent state. Measured: the causal Transformer's test accuracy at the longest "
        "distance swept.",
        AtLeast(0.9, 0.5), trained=True,
        measures="Transformer accuracy at the longest distance",
    ),
    Claim(
        "r1.decides_what_matters", 1,
        "Uses self-attention to decide what’s important.",
        "Associative recall (Zoology's MQAR): key-value pairs, then queries. Answering needs the "
        "one earlier token that matches the query. Measured: the Transformer's test accuracy "
        "at the pair count the notebook trains on (its profile's largest).",
        AtLeast(0.9, 0.5), trained=True, measures="Transformer recall accuracy",
    ),
    Claim(
        "r1.attention_formula", 1,
        r"🧠 Key Idea: [ \text{Attention}(Q, K, V) = \text{softmax}\left(\frac{QK^T}{\sqrt{d_k}}"
        r"\right)V ]",
        "The formula computed by hand, against torch's scaled_dot_product_attention on random "
        "inputs. Measured: the largest absolute difference (float32).",
        AtMost(1e-5, 1e-2), measures="max |difference| from torch",
    ),
    Claim(
        "r1.no_memory", 1,
        "“I don’t need memory. I’ve got focus.” — Transformer, sipping Red Bull.",
        "Running parity is a task that needs a state (the parity so far). Measured in "
        "distribution: the Transformer's accuracy at the training length, where it can attend to "
        "the whole prefix at once. Beyond the training length is reported beside it, not judged "
        "here.",
        AtLeast(0.9, 0.6), trained=True,
        measures="Transformer parity accuracy at the training length",
    ),
    # -- Round 2: computation speed -------------------------------------------------------------
    Claim(
        "r2.cant_parallelize", 2,
        "Sequential by nature → can’t parallelize easily.",
        "What extra CPU threads buy each fighter: speed-up from 1 thread to all of this "
        "machine's threads, forward+backward, parameter-matched, at the longest length. "
        "Measured: the LSTM's speed-up divided by the Transformer's. Needs 2 or more threads.",
        AtMost(0.8, 1.0), measures="LSTM speed-up / Transformer speed-up",
        unmeasured_when="torch has one thread, or more threads were slower (a busy machine)",
    ),
    Claim(
        "r2.waits_each_step", 2,
        "Needs to wait for each timestep before moving on.",
        "If every step waits for the one before, time grows in proportion to the length T even "
        "when each step has little work. Measured on one sequence (batch 1), T from 64 to 1024 "
        "(shorter ones time mostly the fixed cost of a call), inference, the machine's threads: "
        "the fitted log-log slope of the LSTM's time against T (the Transformer is timed beside "
        "it, in the same regime).",
        AtLeast(0.8, 0.5), measures="slope of log time vs log T",
    ),
    Claim(
        "r2.all_in_parallel", 2,
        "Processes all words in parallel.",
        "If positions run in parallel, adding positions to one sequence adds less time than to "
        "a chain of steps, as long as the hardware has room. Measured in the same regime as "
        "r2.waits_each_step (batch 1, T from 64 to 1024, inference, the machine's threads): "
        "the LSTM's log-log slope minus the Transformer's. On a CPU with few cores both may "
        "grow like T; a GPU has the room (not measured here).",
        AtLeast(0.3, 0.0), measures="slope LSTM - slope Transformer (batch 1)",
    ),
    Claim(
        "r2.gpu_friendly_faster", 2,
        "GPU-friendly, faster, and scalable.",
        "On a GPU, with synchronised timing: the LSTM's time over the Transformer's, "
        "parameter-matched, forward+backward, at the longest length.",
        AtLeast(1.5, 1.0), hardware="gpu", measures="LSTM time / Transformer time on the GPU",
    ),
    Claim(
        "r2.winner", 2,
        "🏁 Winner: Transformer",
        "The fair sweep on this machine's device: parameter-matched, every length and mode "
        "(inference, training). Measured: the fraction of settings in which the Transformer is "
        "faster. The device is named in the verdict: a CPU result settles the CPU.",
        AtLeast(0.75, 0.25), measures="fraction of settings the Transformer wins",
    ),
    Claim(
        "r2.demo_timestep3", 2,
        "But Transformer finishes while LSTM is still on timestep 3.",
        "The fight card's demo exactly as written (on the CPU, as its code runs). Still on "
        "timestep 3 of 10 means the Transformer takes at most 3/10 of the LSTM's time. "
        "Measured: LSTM time / Transformer time (median).",
        AtLeast(10 / 3, 1.0), measures="LSTM time / Transformer time",
    ),
    # -- Round 3: interpretability --------------------------------------------------------------
    Claim(
        "r3.black_box", 3,
        "Hard to visualize — hidden states are like black boxes with emotions.",
        "A linear probe on the trained LSTM's hidden states for a feature of the sentence, "
        "against the same probe on an untrained LSTM (Zhang & Bowman 2018's control). "
        "Measured: probe accuracy, trained minus untrained, every run (each width and seed). "
        "A black box gives the probe nothing more than random features do. Reported beside it: "
        "the probe's selectivity over a control task (Hewitt & Liang 2019).",
        AtMost(0.05, 0.2), trained=True, measures="probe accuracy gain over untrained",
    ),
    Claim(
        "r3.attention_shows_focus", 3,
        "Attention weights show what the model focused on.",
        "Erasure with two controls: remove the word the chosen head attends to most, and, "
        "separately, another word of the same kind; do the same erasures on the LSTM, which has "
        "no attention. Effect = fraction of answers changed by the attended word minus by the "
        "control word. Measured, run by run (each width and seed): the Transformer's effect "
        "minus the LSTM's. A word that any model needs shows what the task needs; attention "
        "shows what this model focused on only if the Transformer depends on it more.",
        AtLeast(0.2, 0.0), trained=True, measures="effect: Transformer minus LSTM",
    ),
    Claim(
        "r3.see_influence", 3,
        "You can literally see which words influenced the prediction.",
        "Does attention rank the words as a gradient saliency method does? Measured: the "
        "fraction of held-out sentences in which the word the chosen head gives the most "
        "attention is also the word with the largest |gradient x input| saliency, every run "
        "(each width and seed).",
        AtLeast(0.7, 0.3), trained=True, measures="top-word agreement with saliency",
    ),
    Claim(
        "r3.he_ceo", 3,
        "“The CEO of Tesla said he loves rockets.” The attention map highlights he ↔ CEO.",
        "The head is chosen on one set of sentences (training sentences; rule: the head whose "
        "strongest attention from the pronoun lands on the antecedent most often); measured on "
        "held-out ones: the fraction in which that head's strongest attention from the pronoun "
        "lands on its antecedent, every run (each width and seed).",
        AtLeast(0.8, 0.3), trained=True, measures="pronoun -> antecedent hit rate",
    ),
    Claim(
        "r3.lstm_dog", 3,
        "LSTM would’ve probably guessed “dog.”",
        "The LSTM trained on the same sentences, parameter-matched. Measured: its held-out "
        "accuracy at resolving the pronoun, every run (each width and seed). The claim says it "
        "fails.",
        AtMost(0.6, 0.9), trained=True, measures="LSTM pronoun accuracy",
    ),
    Claim(
        "r3.winner", 3,
        "🏁 Winner: Transformer",
        "The interpretability round's winner follows its measured claims.",
        FromClaims(
            ("r3.attention_shows_focus", "r3.see_influence", "r3.he_ceo", "r3.black_box")
        ),
    ),
    # -- Round 4: business context (the table's rows) ------------------------------------------
    Claim(
        "biz.small_data", 4,
        "| 🧾 Small datasets | ✅ Great | ⚠️ Overkill |",
        "Learning curves on a task the two can differ on (neither at its ceiling with little "
        "data), parameter-matched, early-stopped on a validation set. Measured: LSTM minus "
        "Transformer test accuracy at the smallest training set, seed by seed.",
        AtLeast(0.02, -0.02), trained=True, measures="LSTM - Transformer accuracy",
    ),
    Claim(
        "biz.large_data", 4,
        "| 🌐 Large datasets | 😩 Struggles | ✅ Excels |",
        "The same learning curves. Measured: Transformer minus LSTM test accuracy at the "
        "largest training set, seed by seed, judged only when that set holds at least "
        f"LARGE_DATA_MIN ({LARGE_DATA_MIN:,}) sequences: a few hundred is not 'large'.",
        AtLeast(0.02, -0.02), trained=True, measures="Transformer - LSTM accuracy",
        unmeasured_when="the largest training set is under LARGE_DATA_MIN sequences (quick)",
    ),
    Claim(
        "biz.cost", 4,
        "| 💸 Cost | 💰 Cheap | 💸💸 Requires GPUs |",
        "Cheap: the Transformer's cost per million tokens over the LSTM's, at matched "
        "parameters, inference on this machine (measured throughput).",
        AtLeast(2.0, 1.0), measures="Transformer / LSTM cost per token",
    ),
    Claim(
        "biz.requires_gpus", 4,
        "| 💸 Cost | 💰 Cheap | 💸💸 Requires GPUs |",
        "Requires GPUs: the fraction of seeds whose Transformer, trained on this CPU within the "
        "notebook's budget (the learning curves' largest training set), reaches the target "
        "accuracy: half way from the local-statistics ceiling to the look-back ceiling, on the "
        "validation set. A CPU that trains it refutes 'requires', at this model size; a CPU "
        "that does not cannot confirm it (another budget or a GPU might).",
        OnlyRefutable(1.0), trained=True, measures="fraction of seeds trained on the CPU",
    ),
    Claim(
        "biz.framework", 4,
        "| 🛠️ Framework | nn.LSTM (PyTorch) | nn.Transformer (PyTorch) |",
        "Of the two classes the row names, the fraction that exist in the installed torch and "
        "that this round's fighters are built from, directly or through the class's building "
        "block (nn.Transformer is an encoder-decoder; its encoder is a stack of the layer class "
        "the Transformer fighter uses, read from torch itself).",
        AtLeast(1.0, 0.0), measures="fraction of named classes used",
    ),
    Claim(
        "biz.small_internal", 4,
        "LSTM = Great for small internal data (chat logs, IoT).",
        "Follows the small-data row.",
        FromClaims(("biz.small_data",)),
    ),
    Claim(
        "biz.needs_budget", 4,
        "Transformer = The “CEO” of modern AI — needs budget, GPUs, and coffee.",
        "Follows the cost rows.",
        FromClaims(("biz.cost", "biz.requires_gpus")),
    ),
    # -- Round 5: future-proofing ---------------------------------------------------------------
    Claim(
        "r5.low_latency", 5,
        "Low-latency devices",
        "Batch-1 streaming, one token at a time, at equal parameters (what a device runs): the "
        "Transformer's (with a KV cache) per-token latency over the LSTM's, at the end of a "
        "long stream.",
        AtLeast(1.5, 1.0), measures="Transformer / LSTM latency per token",
    ),
    Claim(
        "r5.small_time_series", 5,
        "Small structured time series",
        "Forecasting a synthetic seasonal series and a real one (yearly sunspots 1700-2008, "
        "statsmodels' data set, shipped with seqlib), early-stopped on a validation split. "
        "Measured, seed by seed: the LSTM's test MSE over the best baseline's (seasonal naive "
        "or linear), on the series where it does worse.",
        AtMost(0.95, 1.05), trained=True, measures="LSTM MSE / best baseline MSE",
    ),
    Claim(
        "r5.edge", 5,
        "Edge deployment (low compute)",
        "Memory a device must hold to keep reading after the stream, at equal parameters: the "
        "Transformer's weights plus its KV cache over the LSTM's weights plus its state "
        "(float32). It depends on the stream's length: the notebook prints where it breaks even.",
        AtLeast(2.0, 1.0), measures="(weights + KV cache) / (weights + state)",
    ),
    Claim(
        "r5.dominates_nlp", 5, "NLP (ChatGPT, BERT, T5, etc.)",
        "Cited: BERT (2019), T5 (2020), GPT-3 (2020). Not trained here.", Cited(),
    ),
    Claim(
        "r5.dominates_vision", 5, "Vision (ViT, CLIP)",
        "Cited: ViT (2020), CLIP (2021). Not trained here.", Cited(),
    ),
    Claim(
        "r5.dominates_audio", 5, "Audio (Whisper)",
        "Cited: Whisper (2022). Not trained here.", Cited(),
    ),
    Claim(
        "r5.dominates_science", 5,
        "Finance, forecasting, even protein folding (yep, science got in on it)",
        "Cited: AlphaFold 2 (2021) uses attention; for forecasting, Zeng et al. 2023 found a "
        "linear model beats the Transformers they tested. Not trained here.", Cited(),
    ),
    Claim(
        "r5.knockout", 5,
        "🏁 Winner: Transformer — by knockout.",
        "A knockout means the Transformer wins everywhere: it follows the round winners and the "
        "large-data row, against every claim where the LSTM was found useful.",
        FromClaims(
            ("r2.winner", "r3.winner", "biz.large_data"),
            ("r1.gates_long_term", "biz.small_data", "biz.cost", "r5.low_latency",
             "r5.small_time_series", "r5.edge"),
        ),
    ),
    # -- Post-fight commentary ------------------------------------------------------------------
    Claim(
        "post.start_small", 5,
        "Start small with LSTM if data is limited.",
        "Follows the small-data row of round 4.",
        FromClaims(("biz.small_data",)),
    ),
    Claim(
        "post.move_to_transformer", 5,
        "Move to Transformer when you want scale, power, and bragging rights.",
        "Follows the large-data row of round 4.",
        FromClaims(("biz.large_data",)),
    ),
    # -- The business table's rows judged from other rounds -------------------------------------
    Claim(
        "biz.text_length", 5,
        "| 💬 Text length | 🚶 Short sequences | 🚀 Long documents |",
        "LSTM only for short sequences, Transformer for long ones: follows round 1's "
        "long-distance recall for the Transformer, and reversed, for the LSTM.",
        FromClaims(("r1.looks_at_everything",), ("r1.gates_long_term",)),
    ),
    Claim(
        "biz.interpretability", 5,
        "| 🧠 Interpretability | 🕳️ Limited | 🔦 Transparent |",
        "Follows round 3's claims about the LSTM's hidden states and attention weights.",
        FromClaims(("r3.black_box", "r3.attention_shows_focus", "r3.see_influence", "r3.he_ceo")),
    ),
    # -- The summary table ----------------------------------------------------------------------
    Claim(
        "sum.memory", 5, "| Memory | Sequential | Self-Attention |",
        "Follows round 1.",
        FromClaims(("r1.sequential", "r1.looks_at_everything", "r1.decides_what_matters")),
    ),
    Claim(
        "sum.speed", 5, "| Speed | Slow | Fast |",
        "Follows round 2's speed claims (a GPU claim counts only when measured on a GPU).",
        FromClaims(("r2.winner", "r2.demo_timestep3", "r2.gpu_friendly_faster")),
    ),
    Claim(
        "sum.interpretability", 5, "| Interpretability | Hard | Visualizable |",
        "Follows round 3.",
        FromClaims(
            ("r3.black_box", "r3.attention_shows_focus", "r3.see_influence", "r3.he_ceo")
        ),
    ),
    Claim(
        "sum.parallelization", 5, "| Parallelization | No | Yes |",
        "Follows round 2's parallelism claims.",
        FromClaims(("r2.cant_parallelize", "r2.waits_each_step", "r2.all_in_parallel")),
    ),
    Claim(
        "sum.best_for", 5,
        "| Best For | Small, temporal data | Large-scale language or multimodal tasks |",
        "Follows the small- and large-data rows and the small time series (the Transformer's "
        "language and multimodal record is cited, not measured).",
        FromClaims(
            ("biz.small_data", "biz.large_data", "r5.small_time_series", "r5.dominates_nlp",
             "r5.dominates_vision")
        ),
    ),
]  # fmt: skip

CLAIMS: dict[str, Claim] = {claim.id: claim for claim in _CLAIMS}


def claims_of_round(round_number: int) -> list[Claim]:
    """The claims judged in round ``round_number`` (1-5), in registry order."""
    if isinstance(round_number, bool) or round_number not in range(1, 6):
        raise ValueError(f"round_number must be 1 to 5, got {round_number!r}")
    return [claim for claim in _CLAIMS if claim.round == round_number]
