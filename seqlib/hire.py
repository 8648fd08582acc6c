"""Which fighter should I hire? Advice computed from *your* measurements, with its reason.

The advice is a pure function of what you tell it (how many training examples you have, how
long your sequences are, how many milliseconds per token you can afford, which hardware) and of
what the notebook measured (learning curves, latency per token as the context grows, cost per
million tokens). It always names the measurement that decided it::

    measured = Measurements(
        sizes=[50, 200, 800], accuracy={"LSTM": [...], "Transformer": [...]},
        positions=[32, 64, 128], ms_per_token={"LSTM": [...], "Transformer": [...]},
        cost_per_million={"LSTM": 0.01, "Transformer": 0.03}, device="cpu",
    )
    advice = advise(n_examples=300, seq_length=100, latency_budget_ms=2.0, hardware="cpu",
                    measured=measured)
    print(advice)   # LSTM (decided by: learning curve) ...

The order of the questions: first latency (a fighter that misses your budget is out), then
data efficiency (the learning curve at your data size, inside the measured sizes), then cost
(a tie goes to the cheaper). Latency and cost count only on the kind of hardware they were
measured on: asked about a GPU with CPU timings, the advice rests on the learning curves alone,
or says that nothing measured here decides.
Nonsense input (a negative size, a zero budget, an unknown hardware) raises ``ValueError`` with
a message saying what is expected; the explorer (:func:`seqlib.widgets.hire_explorer`) shows
that message instead of advice.
"""

from __future__ import annotations

import contextlib
import html
import math
import numbers
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from seqlib._validate import check_finite, check_keys

if TYPE_CHECKING:
    from seqlib.measurement import Measurement

__all__ = [
    "DRIVERS",
    "FIGHTERS",
    "HARDWARE",
    "Advice",
    "Measurements",
    "accuracy_at",
    "advice_html",
    "advise",
    "latency_at",
    "validate_inputs",
    "verdict_sentences",
]

FIGHTERS = ("LSTM", "Transformer")
HARDWARE = ("cpu", "gpu")
GPU_DEVICES = ("cuda", "mps")  # torch device types that are GPUs
DRIVERS = ("latency per token", "learning curve", "cost per million tokens", "none")


@dataclass(frozen=True)
class Measurements:
    """What the notebook measured, per fighter (keys ``"LSTM"`` and ``"Transformer"``).

    - ``sizes`` (N,): training-set sizes of the learning curves; ``accuracy[f]`` (N,): the mean
      test accuracy of fighter ``f`` at each size.
    - ``positions`` (M,): context lengths of the streaming measurement; ``ms_per_token[f]`` (M,):
      milliseconds per generated token at each (the Transformer with its KV cache).
    - ``cost_per_million[f]``: money per million tokens of inference at the user's price
      (``None``: no tie-break on cost).
    - ``device``: where the timings were taken (``"cpu"``, ``"cuda"`` ...): the advice uses
      them only for that kind of hardware.
    """

    sizes: Sequence[int]
    accuracy: Mapping[str, Sequence[float]]
    positions: Sequence[int]
    ms_per_token: Mapping[str, Sequence[float]]
    cost_per_million: Mapping[str, float] | None = None
    device: str = "cpu"

    def __post_init__(self) -> None:
        with _as_value_error():
            if not isinstance(self.device, str):
                raise ValueError(f"device must be a str ('cpu', 'cuda' ...), got {self.device!r}")
            for name, xs, what, curves, bounds in (
                ("sizes", self.sizes, "accuracy", self.accuracy, {"low": 0, "high": 1}),
                ("positions", self.positions, "ms_per_token", self.ms_per_token, {"low": 0}),
            ):
                _check_curve(xs, name)
                if not isinstance(curves, Mapping):
                    raise ValueError(f"{what} must map each fighter to a list, got {curves!r}")
                for fighter in FIGHTERS:
                    if fighter not in curves:
                        raise ValueError(f"measurements for {fighter!r} are missing from {what}")
                    _check_curve(curves[fighter], f"{what}[{fighter!r}]", name, xs, **bounds)
            if self.cost_per_million:  # None or {}: no tie-break on cost
                check_keys(self.cost_per_million, FIGHTERS, "cost_per_million")
                for f in FIGHTERS:
                    check_finite(self.cost_per_million[f], f"cost_per_million[{f!r}]", low=0)


@dataclass(frozen=True)
class Advice:
    """The advice: ``fighter`` (``"LSTM"``, ``"Transformer"`` or ``None`` if neither fits),
    ``driver`` (the measurement that decided), ``reason`` (one sentence with the numbers) and
    ``details`` (the other measurements consulted, one sentence each)."""

    fighter: str | None
    driver: str
    reason: str
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.fighter or 'neither'} (decided by: {self.driver})"
        return "\n".join([head, self.reason, *(f"- {d}" for d in self.details)])

    def to_html(self) -> str:
        """The advice as a small HTML block (what the explorer shows)."""
        items = "".join(f"<li>{html.escape(d)}</li>" for d in self.details)
        return (
            f"<p><b>Hire: {html.escape(self.fighter or 'neither fighter')}</b> "
            f"(decided by: <i>{html.escape(self.driver)}</i>)<br>{html.escape(self.reason)}</p>"
            f"<ul>{items}</ul>"
        )


# ---------------------------------------------------------------------------------------------
# Input checks: nonsense gets a sentence saying what is expected
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _as_value_error() -> Iterator[None]:
    """Checks inside raise ``ValueError`` only: the explorer catches it and shows the message."""
    try:
        yield
    except TypeError as error:
        raise ValueError(str(error)) from None


def _check_curve(
    values: object,
    name: str,
    along: str | None = None,
    xs: Sequence[float] = (),
    **bounds: float,
) -> list[float]:
    """A list (or 1-D array) of finite numbers within ``bounds``. Without ``along``: a measured
    axis, >= 2 increasing positive numbers; with it, one value per entry of ``xs``."""
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise ValueError(f"{name} must be a list of numbers, got {values!r}")
    checked = [check_finite(v, f"{name}[{i}]", **bounds) for i, v in enumerate(values)]
    if along is None and (len(checked) < 2 or checked[0] <= 0 or np.any(np.diff(checked) <= 0)):
        raise ValueError(f"{name} must be >= 2 increasing positive numbers, got {values}")
    if along is not None and len(checked) != len(xs):
        raise ValueError(
            f"{name}: expected {len(xs)} values (one per entry of {along}), got {len(checked)}"
        )
    return checked


def _check_count(value: object, name: str) -> int:
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value != int(value)
    ):
        raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1 (you can't have {value!r}), got {value!r}")
    return int(value)


def _check_budget(value: object) -> float:
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, numbers.Real)
        or math.isnan(value)
    ):
        raise ValueError(f"latency_budget_ms must be a number of milliseconds, got {value!r}")
    if value <= 0:
        raise ValueError(
            f"latency_budget_ms must be more than 0 ms per token (no model answers in no time), "
            f"got {value!r}"
        )
    return float(value)


def validate_inputs(
    n_examples: object, seq_length: object, latency_budget_ms: object, hardware: object
) -> tuple[int, int, float, str]:
    """Check the user's four inputs; return them cleaned or raise ``ValueError`` saying why."""
    hardware = str(hardware).strip().lower() if isinstance(hardware, str) else hardware
    if hardware not in HARDWARE:
        raise ValueError(f"hardware must be one of {list(HARDWARE)}, got {hardware!r}")
    return (
        _check_count(n_examples, "n_examples (training examples)"),
        _check_count(seq_length, "seq_length (tokens per sequence)"),
        _check_budget(latency_budget_ms),
        hardware,
    )


# ---------------------------------------------------------------------------------------------
# Reading the measured curves
# ---------------------------------------------------------------------------------------------


def accuracy_at(sizes: Sequence[int], accuracy: Sequence[float], n: int) -> tuple[float, str]:
    """The learning curve at ``n`` examples, interpolated in log(size); ``(value, where)``.

    ``where`` is ``"measured"`` inside the range, ``"below"`` / ``"beyond"`` outside it (the
    nearest measured value is returned: the curve is not extrapolated).
    """
    with _as_value_error():
        _check_curve(sizes, "sizes")
        _check_curve(accuracy, "accuracy", "sizes", sizes)
    n = _check_count(n, "n")
    xs, ys = np.log(np.asarray(sizes, dtype=float)), np.asarray(accuracy, dtype=float)
    where = "below" if n < sizes[0] else "beyond" if n > sizes[-1] else "measured"
    return float(np.interp(math.log(n), xs, ys)), where


def latency_at(positions: Sequence[int], ms: Sequence[float], length: int) -> tuple[float, bool]:
    """Milliseconds per token at context ``length``; ``(value, extrapolated)``.

    Inside the measured range: linear interpolation. Beyond it: a straight line fitted to all
    the measurements (constant for the LSTM's state, growing for the KV cache), never below
    the smallest measured value.
    """
    with _as_value_error():
        _check_curve(positions, "positions")
        _check_curve(ms, "ms", "positions", positions)
    length = _check_count(length, "length")
    xs, ys = np.asarray(positions, dtype=float), np.asarray(ms, dtype=float)
    if length <= xs[-1]:
        return float(np.interp(length, xs, ys)), False
    slope, intercept = np.polyfit(xs, ys, 1)
    return float(max(intercept + slope * length, ys.min())), True


# ---------------------------------------------------------------------------------------------
# The advice
# ---------------------------------------------------------------------------------------------


def advise(
    n_examples: int,
    seq_length: int,
    latency_budget_ms: float,
    hardware: str,
    measured: Measurements,
    *,
    margin: float = 0.01,
) -> Advice:
    """Which fighter to hire, and the measurement that decided it.

    1. Latency: each fighter's measured ms per token at ``seq_length`` tokens of context. If
       only one fits ``latency_budget_ms``, hire it; if neither fits, say so (``fighter=None``).
    2. Data: the learning curves at ``n_examples``, only inside the measured sizes (the
       curves are not extrapolated). A lead of more than ``margin`` in accuracy decides.
    3. Cost: otherwise, the cheaper per million tokens.

    ``hardware`` (``"cpu"`` or ``"gpu"``) must be the kind of hardware the timings were taken
    on (``measured.device``) for latency and cost to count. If it is not, they are left out:
    a lead on the learning curve still decides (what a model learns does not depend on the
    hardware), otherwise there is no advice (``fighter=None``, driver ``"none"``). CPU timings
    never become advice "on a GPU".
    """
    if not isinstance(measured, Measurements):
        raise TypeError(f"measured must be a Measurements, got {type(measured).__name__}")
    bad = isinstance(margin, (bool, np.bool_)) or not isinstance(margin, numbers.Real)
    if bad or not 0 <= margin < math.inf:
        raise ValueError(f"margin must be a finite accuracy difference >= 0, got {margin!r}")
    n, length, budget, hardware = validate_inputs(
        n_examples, seq_length, latency_budget_ms, hardware
    )
    latency = {
        f: latency_at(measured.positions, measured.ms_per_token[f], length) for f in FIGHTERS
    }
    lat_text = ", ".join(
        f"{f} {ms:.3g} ms{' (extrapolated)' if extra else ''}" for f, (ms, extra) in latency.items()
    )
    lat_sentence = f"latency per token at {length:,} tokens of context: {lat_text}"
    fits = [f for f in FIGHTERS if latency[f][0] <= budget]

    accuracy = {f: accuracy_at(measured.sizes, measured.accuracy[f], n) for f in FIGHTERS}
    where = accuracy["LSTM"][1]
    acc_sentence = (
        f"learning curve at {n:,} examples: LSTM {accuracy['LSTM'][0]:.3f}, Transformer "
        f"{accuracy['Transformer'][0]:.3f}"
    )
    if where == "beyond":
        acc_sentence += (
            f" (beyond the largest measured size, {measured.sizes[-1]:,}: the last measured "
            "point; what more data does was not measured)"
        )
    elif where == "below":
        acc_sentence += f" (below the smallest measured size, {measured.sizes[0]:,})"

    device_type = measured.device.split(":")[0]
    same_hardware = (hardware == "gpu") == (device_type in GPU_DEVICES)
    curve_measured = where == "measured"
    lead = accuracy["LSTM"][0] - accuracy["Transformer"][0]
    curve_winner = ("LSTM" if lead > 0 else "Transformer") if abs(lead) > margin else None

    if not same_hardware:
        # A timing on one kind of hardware says nothing about the other (round 2): latency and
        # cost are left out, and only the learning curve (what the models learn, on any
        # hardware) can decide.
        unmeasured = (
            f"latency and cost were measured on {measured.device}, not on a {hardware}: they "
            "are not consulted (a timing on one kind of hardware does not transfer to another)"
        )
        if curve_measured and curve_winner is not None:
            return Advice(
                curve_winner,
                "learning curve",
                f"The {curve_winner} learns more from your data: {acc_sentence} (a lead of "
                f"{abs(lead):.3f}).",
                [unmeasured],
            )
        return Advice(
            None,
            "none",
            f"No advice for a {hardware} from these measurements: {acc_sentence}"
            + (" (no clear lead)" if curve_measured else "")
            + f"; {unmeasured}. Measure both fighters on a {hardware}.",
            [],
        )

    if not fits:
        return Advice(
            None,
            "latency per token",
            f"Neither fighter fits your budget of {budget:.3g} ms per token: {lat_text}.",
            [acc_sentence],
        )
    if len(fits) == 1:
        (winner,) = fits
        return Advice(
            winner,
            "latency per token",
            f"Only the {winner} fits your budget of {budget:.3g} ms per token: {lat_sentence}.",
            [acc_sentence],
        )

    if curve_measured and curve_winner is not None:
        return Advice(
            curve_winner,
            "learning curve",
            f"Both fit your latency budget; the {curve_winner} learns more from your data: "
            f"{acc_sentence} (a lead of {abs(lead):.3f}).",
            [lat_sentence],
        )

    tie = (
        f"{acc_sentence}: within {margin} of each other"
        if curve_measured
        else f"{acc_sentence}: not a measured size, so the curves do not decide"
    )
    cost = measured.cost_per_million
    if cost:
        winner = min(FIGHTERS, key=lambda f: cost[f])
        return Advice(
            winner,
            "cost per million tokens",
            f"Both fit your budget and the learning curves do not separate them ({tie}); the "
            f"{winner} is cheaper on {measured.device}: "
            + ", ".join(f"{f} {cost[f]:.3g} per million tokens" for f in FIGHTERS)
            + ".",
            [lat_sentence],
        )
    return Advice(
        "LSTM" if latency["LSTM"][0] <= latency["Transformer"][0] else "Transformer",
        "latency per token",
        f"Both fit and the learning curves do not separate them ({tie}); the faster one per "
        f"token wins: {lat_sentence}.",
        [],
    )


# ---------------------------------------------------------------------------------------------
# The verdict's sentences (round 4)
# ---------------------------------------------------------------------------------------------


def verdict_sentences(
    *,
    small: Measurement,
    large: Measurement,
    sizes: Sequence[int],
    ceilings: Mapping[str, float],
    params: Mapping[str, int],
    steps: int,
    seeds: Sequence[int],
    trained_on: str,
    large_min: int,
    cost: Measurement,
    cost_by_phase: Mapping[str, Measurement],
    threads: int,
    cpu_seconds: Measurement | None,
    used: Mapping[str, bool],
    block: str | None,
) -> dict[str, str]:
    """The "measured" sentence of each of round 4's claims, from the round's numbers.

    Only words: the verdicts are decided by the registered rules (``VerdictTable.judge``) on
    the measurements, never here. ``small`` and ``large`` are the seed-by-seed accuracy gaps at
    the smallest and largest training-set size (LSTM - Transformer, Transformer - LSTM).
    ``sizes`` are the training-set sizes, ``ceilings`` the task's ``"local"`` and
    ``"look_back"`` accuracies, ``params`` the parameter count per fighter, ``steps`` and
    ``seeds`` the training budget, ``trained_on`` where (``seqlib.timing.describe``);
    ``large_min`` the smallest set judged "large". ``cost`` is the Transformer / LSTM cost per
    token per interleaved repeat (the smaller phase), ``cost_by_phase`` the same per phase
    (``"inference"``, ``"training"``), on ``threads`` threads. ``cpu_seconds``: the seconds
    each Transformer run on the largest set took on the CPU, for scale beside the cited
    ``biz.requires_gpus`` (``None``: this run trained elsewhere). ``used`` says whether a
    fighter is built from ``nn.LSTM`` / ``nn.Transformer`` (keys ``"LSTM"``, ``"Transformer"``)
    and ``block`` the class ``nn.Transformer``'s encoder is made of (``None``: no
    ``nn.Transformer`` here).

    Returns ``{claim id: sentence}`` for ``biz.small_data``, ``biz.large_data``, ``biz.cost``,
    ``biz.requires_gpus`` and ``biz.framework``.
    """
    check_keys(params, FIGHTERS, "params")
    check_keys(used, FIGHTERS, "used")
    check_keys(ceilings, ("local", "look_back"), "ceilings")
    check_keys(cost_by_phase, ("inference", "training"), "cost_by_phase")
    lstm, transformer = params["LSTM"], params["Transformer"]
    fair = (
        f"LSTM {lstm:,} vs Transformer {transformer:,} params, {steps} steps, early-stopped, "
        f"seeds {tuple(seeds)}, trained on {trained_on}"
    )
    large_text = (
        f"Transformer - LSTM test accuracy, {sizes[-1]:,} sequences: {large.format('+.3f')} "
        f"({fair})"
    )
    if sizes[-1] < large_min:
        large_text += (
            f"; under {large_min:,} sequences: not 'large', so not judged (the full profile "
            "goes further)"
        )
    gpu_text = "cited, not judged here (the criterion names the papers)"
    if cpu_seconds is not None:
        gpu_text += (
            f"; for scale only: this notebook's {transformer:,}-parameter Transformer trained on "
            f"this CPU in {cpu_seconds.low:.1f}-{cpu_seconds.high:.1f} s per run (every seed), "
            "a size that says nothing of the models the claim is about"
        )
    else:
        gpu_text += f"; this run trained on {trained_on}"
    framework = "; ".join(f"nn.{c} {'used' if used[c] else 'not used'}" for c in FIGHTERS)
    framework += (
        " by this round's fighters, directly or through its building block (nn.Transformer's "
        f"encoder is made of {block or '?'}"
        + (", which the Transformer fighter stacks)" if used["Transformer"] else ")")
    )
    return {
        "biz.small_data": (
            f"LSTM - Transformer test accuracy, {sizes[0]} sequences: {small.format('+.3f')} "
            f"(ceilings {ceilings['local']:.3f} local, {ceilings['look_back']:.3f} look-back; "
            f"{fair})"
        ),
        "biz.large_data": large_text,
        "biz.cost": (
            f"Transformer / LSTM cost per token on this CPU, the smaller phase of each repeat: "
            f"{cost.format('.2f')} (inference {cost_by_phase['inference'].format('.2f')}, "
            f"training {cost_by_phase['training'].format('.2f')}); {transformer:,} vs {lstm:,} "
            f"params, {threads} thread{'s' if threads != 1 else ''}"
        ),
        "biz.requires_gpus": gpu_text,
        "biz.framework": framework,
    }


# ---------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------


def advice_html(
    n_examples: object,
    seq_length: object,
    latency_budget_ms: object,
    hardware: object,
    measured: Measurements,
    *,
    margin: float = 0.01,
) -> str:
    """:func:`advise` as HTML; nonsense input gives the error message (⚠️), never an exception."""
    try:
        return advise(
            n_examples,  # type: ignore[arg-type]
            seq_length,  # type: ignore[arg-type]
            latency_budget_ms,  # type: ignore[arg-type]
            hardware,  # type: ignore[arg-type]
            measured,
            margin=margin,
        ).to_html()
    except ValueError as error:
        return f"<p>⚠️ <b>Check your input:</b> {html.escape(str(error))}</p>"
