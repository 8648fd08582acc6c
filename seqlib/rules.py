"""How a claim is judged: the rules, the controls beside them, and the claim itself.

A :class:`Claim` (its registry is :mod:`seqlib.claims`) turns a
:class:`~seqlib.measurement.Measurement` into a verdict in two steps. First its **rule** decides:

- :class:`AtLeast` / :class:`AtMost`: confirmed when **every seed** (or timing repeat) clears the
  confirm threshold, refuted when every one is past the refute threshold, nuanced otherwise (the
  seeds disagree, or the effect sits between the thresholds: "no clear difference at this scale").
- :class:`OnlyRefutable`: a claim this machine can refute but never confirm.
- :class:`Check`: a fact checked by code: ``"checked"`` when it holds, ``"refuted"`` when not.
- :class:`Cited`: a claim about work this course cannot run: always "not measured here".
- :class:`FromClaims`: a summary that follows the verdicts of other claims (:func:`combine`).

Then its **controls** (:class:`Control`) have their say, each measured in the same notebook,
through the same pipeline, and decided by the same rule (:func:`guard`): a **negative** control
lacks the claimed property and must not be confirmed, a **positive** control has it and must not
be refuted. A confirmation stands only if no negative control is confirmed, a refutation only if
no positive control is refuted; otherwise the verdict is **inconclusive** ❔.

The verdicts (:data:`OUTCOMES`): ``"confirmed"`` ✅, ``"nuanced"`` ⚠️, ``"refuted"`` ❌,
``"inconclusive"`` ❔, ``"checked"`` ☑️ and ``"not measured here"`` ⚪. The kinds of claim
(:data:`KINDS`): ``"trained"`` (at least 3 seeds), ``"timed"`` (at least 5 interleaved repeats),
``"computed"``, ``"checked"``, ``"cited"`` and ``"derived"``.
"""


from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

from seqlib._validate import check_device
from seqlib.measurement import MIN_REPEATS, MIN_SEEDS, Measurement, as_float

__all__ = [
    "CHECKED",
    "CONFIRMED",
    "GPU_DEVICES",
    "INCONCLUSIVE",
    "KINDS",
    "MEASURED_KINDS",
    "MEASURED_OUTCOMES",
    "NEGATIVE",
    "NOT_MEASURED",
    "NUANCED",
    "OUTCOMES",
    "POSITIVE",
    "REFUTED",
    "AtLeast",
    "AtMost",
    "Check",
    "Cited",
    "Claim",
    "Control",
    "ControlResult",
    "FromClaims",
    "Judgement",
    "OnlyRefutable",
    "Rule",
    "combine",
    "guard",
]

CONFIRMED, NUANCED, REFUTED = "confirmed", "nuanced", "refuted"
INCONCLUSIVE, CHECKED, NOT_MEASURED = "inconclusive", "checked", "not measured here"
OUTCOMES = (CONFIRMED, NUANCED, REFUTED, INCONCLUSIVE, CHECKED, NOT_MEASURED)
KINDS = ("trained", "timed", "computed", "checked", "cited", "derived")
MEASURED_KINDS = ("trained", "timed", "computed")  # judged from a measurement, with controls
NEGATIVE, POSITIVE = "negative", "positive"
GPU_DEVICES = ("cuda", "mps")


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


MEASURED_OUTCOMES = (CONFIRMED, NUANCED, REFUTED, INCONCLUSIVE, NOT_MEASURED)


@dataclass(frozen=True)
class AtLeast:
    """Higher favours the claim.

    Confirmed if the lowest seed >= ``confirm``, refuted if the highest seed <= ``refute``.
    """

    confirm: float
    refute: float
    outcomes: tuple[str, ...] = MEASURED_OUTCOMES

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
            f"confirmed if every seed (or repeat) >= {self.confirm:g}, "
            f"refuted if every one <= {self.refute:g}"
        )


@dataclass(frozen=True)
class AtMost:
    """Lower favours the claim.

    Confirmed if the highest seed <= ``confirm``, refuted if the lowest seed >= ``refute``.
    """

    confirm: float
    refute: float
    outcomes: tuple[str, ...] = MEASURED_OUTCOMES

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
            f"confirmed if every seed (or repeat) <= {self.confirm:g}, "
            f"refuted if every one >= {self.refute:g}"
        )


@dataclass(frozen=True)
class OnlyRefutable:
    """A claim this machine can refute but never confirm ("requires a GPU", tested on a CPU).

    Refuted if every seed >= ``refute_at`` (the CPU did it on every seed); otherwise nuanced:
    failing within a budget on this machine does not show that other hardware is required.
    """

    refute_at: float
    outcomes: tuple[str, ...] = (NUANCED, REFUTED, INCONCLUSIVE, NOT_MEASURED)

    def __post_init__(self) -> None:
        _store_thresholds(self, "refute_at")

    def decide(self, m: Measurement) -> str:
        return REFUTED if _check_measurement(m).low >= self.refute_at else NUANCED

    def text(self) -> str:
        return (
            f"refuted if every seed (or repeat) >= {self.refute_at:g}, nuanced otherwise (this "
            "machine can refute the claim, never confirm it)"
        )


@dataclass(frozen=True)
class Check:
    """A fact checked by code (a formula against torch, causality, an API that exists).

    ``"checked"`` when the value is at most ``at_most`` (or at least ``at_least``: give one),
    ``"refuted"`` when it is not. A checked fact is not a measurement of behaviour, and it is
    counted apart from the measured verdicts.
    """

    at_most: float | None = None
    at_least: float | None = None
    outcomes: tuple[str, ...] = (CHECKED, REFUTED, NOT_MEASURED)

    def __post_init__(self) -> None:
        if (self.at_most is None) == (self.at_least is None):
            raise ValueError("Check takes exactly one of at_most and at_least")
        _store_thresholds(self, "at_most" if self.at_least is None else "at_least")

    def decide(self, m: Measurement) -> str:
        m = _check_measurement(m)
        holds = m.high <= self.at_most if self.at_least is None else m.low >= self.at_least
        return CHECKED if holds else REFUTED

    def text(self) -> str:
        bound = f"<= {self.at_most:g}" if self.at_least is None else f">= {self.at_least:g}"
        return f"checked if the value is {bound}, refuted otherwise (a checked fact)"


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
    outcomes: tuple[str, ...] = OUTCOMES

    def __post_init__(self) -> None:
        if self.opposes:  # a reversed part is never a checked fact: "checked" needs supports only
            object.__setattr__(self, "outcomes", tuple(o for o in self.outcomes if o != CHECKED))

    def text(self) -> str:
        parts = [f"follows {', '.join(self.supports)}"] if self.supports else []
        if self.opposes:
            parts.append(f"reversed: {', '.join(self.opposes)}")
        return (
            "; ".join(parts) + ": confirmed if every part was judged and all agree with it, "
            "refuted if all disagree, nuanced if they are mixed or nuanced or if a part is "
            "inconclusive or not measured here (partly measured); checked facts are left out of "
            "the vote (checked if there is nothing else); inconclusive if only inconclusive parts "
            "are left, not measured if none was measured"
        )


_FLIP = {
    CONFIRMED: REFUTED,
    REFUTED: CONFIRMED,
    CHECKED: CHECKED,  # left out of a summary's vote (combine)
    NUANCED: NUANCED,
    INCONCLUSIVE: INCONCLUSIVE,
    NOT_MEASURED: NOT_MEASURED,
}


def combine(supports: list[str], opposes: list[str] = ()) -> str:  # type: ignore[assignment]
    """The verdict of a summary from the verdicts of its parts (see :class:`FromClaims`).

    Checked facts are not evidence about behaviour: they are left out of the vote, and a summary
    of checked facts alone is ``"checked"``. A summary is confirmed (or refuted) only when every
    part was judged and all agree: a part that is not measured here or inconclusive makes a
    summary that would be decisive "nuanced" (partly measured). Nothing judged: "inconclusive"
    if a part is, else "not measured here".
    """
    for verdict in [*supports, *opposes]:
        if verdict not in OUTCOMES:
            raise ValueError(f"verdicts must be among {list(OUTCOMES)}, got {verdict!r}")
    facts = [v for v in [*supports, *opposes] if v == CHECKED]
    flipped = [_FLIP[v] for v in opposes if v != CHECKED]
    parts = [v for v in supports if v != CHECKED] + flipped
    votes = [v for v in parts if v not in (NOT_MEASURED, INCONCLUSIVE)]
    if not votes:
        if facts:
            return CHECKED if CHECKED not in opposes else NUANCED
        return INCONCLUSIVE if INCONCLUSIVE in parts else NOT_MEASURED
    partly = len(votes) < len(parts)
    if all(v == CONFIRMED for v in votes):
        return NUANCED if partly else CONFIRMED
    if all(v == REFUTED for v in votes):
        return NUANCED if partly else REFUTED
    return NUANCED


Rule = AtLeast | AtMost | OnlyRefutable | Check | Cited | FromClaims


# ---------------------------------------------------------------------------------------------
# Controls
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Control:
    """A condition run beside the fighter, through the same pipeline, decided by the same rule.

    ``role`` is ``"negative"`` (the property absent: it must not be confirmed) or
    ``"positive"`` (the property present: it must not be refuted). ``name`` is the key the
    notebook passes its measurement under; ``description`` says what it is and why.
    """

    name: str
    role: str
    description: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"a control's name must be an identifier, got {self.name!r}")
        if self.role not in (NEGATIVE, POSITIVE):
            raise ValueError(f"role must be {NEGATIVE!r} or {POSITIVE!r}, got {self.role!r}")
        if not isinstance(self.description, str) or not self.description.strip():
            raise ValueError(f"control {self.name!r} needs a description")


@dataclass(frozen=True)
class ControlResult:
    """A control as measured: its value (mean), interval, seeds or repeats, and the rule's
    verdict on it."""

    name: str
    role: str
    value: float | None
    interval: tuple[float, float] | None
    verdict: str
    seeds: int = 0
    repeats: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "value": self.value,
            "interval": list(self.interval) if self.interval else None,
            "verdict": self.verdict,
            "seeds": self.seeds,
            "repeats": self.repeats,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ControlResult:
        interval = data.get("interval")
        return cls(
            name=data["name"],
            role=data["role"],
            value=data.get("value"),
            interval=tuple(interval) if interval else None,
            verdict=data["verdict"],
            seeds=data.get("seeds", 0),
            repeats=data.get("repeats", 0),
        )


@dataclass(frozen=True)
class Judgement:
    """What :meth:`Claim.assess` found: the rule's verdict, the controls', and the final one."""

    verdict: str
    rule_verdict: str
    controls: tuple[ControlResult, ...] = ()
    reason: str = ""


def guard(rule_verdict: str, controls: tuple[ControlResult, ...]) -> tuple[str, str]:
    """Step 2 of a decision: ``(verdict, reason)`` after the controls have had their say.

    A confirmation stands only if no negative control was confirmed (or went unmeasured). A
    refutation stands only if every positive control was confirmed: the experiment showed that
    it sees the property where the property is there (a positive control that is only nuanced
    means it could not have confirmed the claim either).
    """
    if rule_verdict == CONFIRMED:
        bad = [c for c in controls if c.role == NEGATIVE and c.verdict in (CONFIRMED, NOT_MEASURED)]
        if bad:
            names = ", ".join(f"{c.name} ({c.verdict})" for c in bad)
            return INCONCLUSIVE, f"the rule confirms, but so does a negative control: {names}"
    if rule_verdict == REFUTED:
        bad = [c for c in controls if c.role == POSITIVE and c.verdict != CONFIRMED]
        if bad:
            names = ", ".join(f"{c.name} ({c.verdict})" for c in bad)
            why = f"the rule refutes, but a positive control was not confirmed: {names}"
            return INCONCLUSIVE, why
    return rule_verdict, ""


# ---------------------------------------------------------------------------------------------
# A claim
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Claim:
    """One claim of the fight card and how the course judges it.

    ``round``: the round (1-5) whose notebook judges it. ``quote``: the fight card's words.
    ``criterion``: what is measured, on what, and why that measurement can go either way.
    ``kind``: one of :data:`KINDS` (``cited`` and ``derived`` follow from the rule).
    ``hardware``: ``"any"``, or ``"gpu"`` for a claim only a GPU can settle. ``controls``: the
    negative and positive controls the notebook measures beside it. ``grid``: what it is
    measured on (lengths, batches, budgets...); an entry may be ``{"quick": .., "full": ..}``.
    """

    id: str
    round: int
    quote: str
    criterion: str
    rule: Rule
    kind: str = ""
    hardware: str = "any"
    measures: str = ""  # what the value is, with its unit (shown beside the number)
    # when, if ever, a claim judged from a measurement may legitimately be "not measured here"
    # (e.g. a thread speed-up on a one-thread machine); empty: it must be measured
    unmeasured_when: str = ""
    controls: tuple[Control, ...] = ()
    grid: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        kind = self.kind or (
            "cited" if isinstance(self.rule, Cited)
            else "derived" if isinstance(self.rule, FromClaims)
            else "checked" if isinstance(self.rule, Check)
            else ""
        )  # fmt: skip
        if kind not in KINDS:
            raise ValueError(f"{self.id}: kind must be one of {KINDS}, got {self.kind!r}")
        expected = {"cited": Cited, "derived": FromClaims, "checked": Check}
        for name, rule_type in expected.items():
            if (kind == name) != isinstance(self.rule, rule_type):
                raise ValueError(f"{self.id}: kind {kind!r} and rule {type(self.rule).__name__}")
        object.__setattr__(self, "kind", kind)
        names = [c.name for c in self.controls]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.id}: two controls share a name: {names}")
        if kind in MEASURED_KINDS:
            roles = {c.role for c in self.controls}
            if CONFIRMED in self.outcomes and NEGATIVE not in roles:
                raise ValueError(f"{self.id} can be confirmed: it needs a negative control")
            if REFUTED in self.outcomes and POSITIVE not in roles:
                raise ValueError(f"{self.id} can be refuted: it needs a positive control")
        elif self.controls:
            raise ValueError(f"{self.id}: a {kind} claim takes no controls")

    @property
    def trained(self) -> bool:
        """Judged from trained models (then at least 3 seeds)."""
        return self.kind == "trained"

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The verdicts this claim can receive (each one reachable: a unit test shows it)."""
        return self.rule.outcomes

    def grid_for(self, profile: object) -> dict[str, Any]:
        """The registered grid for ``profile`` (``"quick"``, ``"full"`` or a Profile)."""
        name = getattr(profile, "name", profile)
        if name not in ("quick", "full"):
            raise ValueError(f"profile must be 'quick', 'full' or a Profile, got {profile!r}")
        return {
            key: value[name] if isinstance(value, Mapping) and set(value) == {"quick", "full"}
            else value
            for key, value in self.grid.items()
        }  # fmt: skip

    def full_criterion(self) -> str:
        """The criterion in words, then what the value is, the rule and the controls."""
        gpu = self.hardware == "gpu"
        scope = " Only a GPU can settle it: not measured on a CPU." if gpu else ""
        value = f" Value: {self.measures}." if self.measures else ""
        controls = "".join(
            f" {c.role.capitalize()} control {c.name}: {c.description}." for c in self.controls
        )
        return f"{self.criterion}{value} Rule: {self.rule.text()}.{controls}{scope}"

    def _check_controls(
        self, controls: Mapping[str, Measurement | None] | None
    ) -> dict[str, Measurement | None]:
        given = dict(controls or {})
        if not isinstance(controls, (Mapping, type(None))):
            raise TypeError(f"controls must be a mapping name -> Measurement, got {controls!r}")
        wanted = [c.name for c in self.controls]
        missing = [n for n in wanted if n not in given]
        unknown = [n for n in given if n not in wanted]
        if missing or unknown:
            raise ValueError(
                f"{self.id} registers the controls {wanted}: "
                + ", ".join(
                    part for part in (
                        f"missing {missing}" if missing else "",
                        f"unknown {unknown}" if unknown else "",
                    ) if part
                )
            )  # fmt: skip
        for name, m in given.items():
            if m is not None and not isinstance(m, Measurement):
                raise TypeError(
                    f"control {name!r} must be a Measurement or None, got {type(m).__name__}"
                )
        return given

    def _check_noise(self, m: Measurement, what: str) -> None:
        if self.kind == "trained" and m.seeds < MIN_SEEDS:
            raise ValueError(
                f"{self.id} is judged from trained models: {what} needs at least {MIN_SEEDS} "
                f"seeds, got {m.seeds}"
            )
        if self.kind == "timed" and m.repeats < MIN_REPEATS:
            raise ValueError(
                f"{self.id} is timed: {what} needs at least {MIN_REPEATS} interleaved repeats, "
                f"got {m.repeats}"
            )

    def assess(
        self,
        measurement: Measurement | None,
        *,
        device: str | torch.device = "cpu",
        controls: Mapping[str, Measurement | None] | None = None,
    ) -> Judgement:
        """Decide ``measurement`` taken on ``device`` (``None``: it could not be taken).

        ``controls`` maps each registered control's name to its measurement (``None``: not
        measured; a constant such as chance is a one-value Measurement). Raises ``ValueError``
        for a trained claim on fewer than 3 seeds, a timed claim on fewer than 5 repeats (the
        measurement, and every control that was trained or repeated), or controls that are not
        the registered ones, and
        ``TypeError`` for a summary claim (use :meth:`derive`).
        """
        if isinstance(self.rule, FromClaims):
            raise TypeError(f"{self.id} sums up other claims: use derive(verdicts), not judge()")
        device = check_device(device, "device")
        if measurement is not None and not isinstance(measurement, Measurement):
            raise TypeError(
                f"measurement must be a seqlib.measurement.Measurement or None, "
                f"got {type(measurement).__name__}"
            )
        given = self._check_controls(controls) if measurement is not None else {}
        unmeasured = isinstance(self.rule, Cited) or measurement is None
        if not unmeasured and self.hardware == "gpu" and device.type not in GPU_DEVICES:
            unmeasured = True
        if unmeasured:
            results = tuple(
                ControlResult(c.name, c.role, None, None, NOT_MEASURED) for c in self.controls
            )
            return Judgement(NOT_MEASURED, NOT_MEASURED, results)
        self._check_noise(measurement, "the measurement")
        results = []
        for control in self.controls:
            m = given[control.name]
            if m is None:
                results.append(ControlResult(control.name, control.role, None, None, NOT_MEASURED))
                continue
            if m.seeds or m.repeats:  # a constant (chance, an analytic baseline) has neither
                self._check_noise(m, f"control {control.name!r}")
            verdict = self.rule.decide(m)
            results.append(
                ControlResult(
                    control.name, control.role, m.mean, m.interval, verdict, m.seeds, m.repeats
                )
            )
        rule_verdict = self.rule.decide(measurement)
        verdict, reason = guard(rule_verdict, tuple(results))
        return Judgement(verdict, rule_verdict, tuple(results), reason)

    def judge(
        self,
        measurement: Measurement | None,
        *,
        device: str | torch.device = "cpu",
        controls: Mapping[str, Measurement | None] | None = None,
    ) -> str:
        """The verdict of :meth:`assess`."""
        return self.assess(measurement, device=device, controls=controls).verdict

    def derive(self, verdicts: Mapping[str, str]) -> str:
        """The verdict of a summary claim from ``verdicts`` (claim id -> verdict).

        A claim it depends on that is missing from ``verdicts`` counts as not measured.
        """
        if not isinstance(self.rule, FromClaims):
            raise TypeError(f"{self.id} is judged from a measurement: use judge(), not derive()")
        get = lambda ids: [verdicts.get(i, NOT_MEASURED) for i in ids]  # noqa: E731
        return combine(get(self.rule.supports), get(self.rule.opposes))
