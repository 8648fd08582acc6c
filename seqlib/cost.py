"""What a fighter costs: FLOPs per token, counted by torch, and money per million tokens.

FLOPs are counted by ``torch.utils.flop_counter.FlopCounterMode``, which records every matrix
multiplication the forward pass really runs (elementwise operations are not counted: they are
cheap next to the matrix products). It sees only operations that go through torch's operator
dispatch: ``torch.nn.LSTM``'s fused CPU kernel is one opaque call that it does not count, so
count the from-scratch ``seqlib.LSTM`` (``impl="seqlib"``), whose matrix products it sees.
Money is arithmetic on a *measured* throughput and a price
per hour that you type in: the course never assumes a price.
"""

from __future__ import annotations

import copy
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.utils.flop_counter import FlopCounterMode

from seqlib._validate import check_finite, check_positive_int, check_tensor

__all__ = [
    "PHASES",
    "CostRow",
    "alternating",
    "cost_per_million_tokens",
    "cost_table",
    "flops_per_token",
    "format_cost_table",
    "forward_flops",
    "phase_calls",
    "ratios_per_repeat",
    "smaller_per_repeat",
    "twice",
    "tokens_per_second",
]

PHASES = ("training", "inference")


def forward_flops(model: nn.Module, inputs: Tensor) -> int:
    """Floating-point operations of one forward pass of ``model`` on ``inputs``, as counted
    by torch (a multiply-add is 2 FLOPs)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_tensor(inputs, "inputs", ndim=(2, 3), floating=False)
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(inputs)
    return counter.get_total_flops()


def flops_per_token(model: nn.Module, inputs: Tensor) -> float:
    """:func:`forward_flops` divided by the number of tokens in ``inputs`` (B * T)."""
    check_tensor(inputs, "inputs", ndim=(2, 3), floating=False)
    batch, length = inputs.shape[:2]
    if batch * length == 0:
        raise ValueError(
            f"inputs hold no tokens (shape {tuple(inputs.shape)}): nothing to divide by"
        )
    return forward_flops(model, inputs) / (batch * length)


def _check_positive(value: object, name: str) -> float:
    """A finite number > 0 (Python's or numpy's), as a ``float``."""
    value = check_finite(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return value


def cost_per_million_tokens(tokens_per_second: float, price_per_hour: float) -> float:
    """Money per million tokens at a measured throughput and a price per hour of the machine.

    ``price_per_hour / (tokens_per_second * 3600) * 1e6``, in the currency of the price.
    """
    tokens_per_second = _check_positive(tokens_per_second, "tokens_per_second")
    price_per_hour = _check_positive(price_per_hour, "price_per_hour")
    return price_per_hour / (tokens_per_second * 3600) * 1e6


# ---------------------------------------------------------------------------------------------
# The cost calculator (round 4): measured throughput x your price -> money per million tokens
# ---------------------------------------------------------------------------------------------


def tokens_per_second(seconds_per_call: float, tokens_per_call: int) -> float:
    """Throughput of a measured call: ``tokens_per_call / seconds_per_call``.

    ``seconds_per_call`` is a measured time (e.g. ``benchmark(...).median``) of one call that
    processes ``tokens_per_call`` tokens (batch x length for a forward pass or a training step).
    """
    seconds_per_call = _check_positive(seconds_per_call, "seconds_per_call")
    tokens_per_call = _check_positive(tokens_per_call, "tokens_per_call")
    return tokens_per_call / seconds_per_call


@dataclass(frozen=True)
class CostRow:
    """One fighter in one phase (:func:`cost_table`): its measured throughput and what a
    million tokens cost at the price per hour given."""

    fighter: str
    phase: str
    tokens_per_second: float
    cost_per_million: float


def cost_table(
    throughputs: dict[str, dict[str, float]], price_per_hour: float
) -> list[CostRow]:
    """One row per fighter and phase: throughput and money per million tokens at your price.

    ``throughputs`` maps a fighter's name to ``{"training": tokens/s, "inference": tokens/s}``
    (measured; either phase may be missing). Returns one :class:`CostRow` per fighter and
    phase, in the order given.
    """
    price_per_hour = _check_positive(price_per_hour, "price_per_hour")
    if not isinstance(throughputs, dict) or not throughputs:
        raise ValueError("throughputs must be a non-empty dict {fighter: {phase: tokens/s}}")
    rows = []
    for fighter, phases in throughputs.items():
        if not isinstance(phases, dict) or not phases:
            raise ValueError(
                f"throughputs[{fighter!r}] must be a non-empty dict {{phase: tokens/s}}"
            )
        for phase, rate in phases.items():
            rate = _check_positive(rate, f"{fighter} {phase} tokens/s")
            rows.append(
                CostRow(
                    fighter=str(fighter),
                    phase=str(phase),
                    tokens_per_second=rate,
                    cost_per_million=cost_per_million_tokens(rate, price_per_hour),
                )
            )
    return rows


def format_cost_table(rows: Sequence[CostRow], currency: str = "$") -> str:
    """:func:`cost_table`'s rows as aligned text (for ``print``)."""
    if not isinstance(currency, str):
        raise TypeError(f"currency must be a str (e.g. '$'), got {currency!r}")
    if not all(isinstance(row, CostRow) for row in rows):
        raise TypeError("rows must be CostRows, as cost_table returns them")
    lines = [f"{'fighter':<13}{'phase':<11}{'tokens/s':>12}{'per 1M tokens':>16}"]
    for row in rows:
        lines.append(
            f"{row.fighter:<13}{row.phase:<11}{row.tokens_per_second:>12,.0f}"
            f"{currency + format(row.cost_per_million, '.4g'):>16}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Timed cost (round 4's biz.cost): the calls to time, and one ratio per interleaved repeat
# ---------------------------------------------------------------------------------------------


def phase_calls(
    model: nn.Module, inputs: Tensor, targets: Tensor, *, lr: float = 1e-3
) -> dict[str, Callable[[], None]]:
    """``{"training": step, "inference": forward}``: zero-argument calls to time.

    ``step`` is one AdamW step of ``model`` (train mode) on ``inputs (B, T)`` and ``targets
    (B, T)`` (next-token cross-entropy); ``forward`` one forward pass without gradients of a
    copy of ``model`` in eval mode (the model itself stays in train mode for ``step``). Both
    process ``B * T`` tokens per call.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_tensor(inputs, "inputs", ndim=2, floating=False)
    check_tensor(targets, "targets", ndim=2, floating=False)
    if inputs.shape != targets.shape:
        raise ValueError(
            f"inputs and targets must have the same shape (B, T), got {tuple(inputs.shape)} "
            f"and {tuple(targets.shape)}"
        )
    lr = _check_positive(lr, "lr")
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    served = copy.deepcopy(model).eval()
    model.train()

    def step() -> None:
        logits = model(inputs)  # (B, T, C)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    def forward() -> None:
        with torch.no_grad():
            served(inputs)  # (B, T, C)

    return {"training": step, "inference": forward}


def alternating(
    calls: Mapping[str, Callable[[], object]],
    *,
    repeats: int = 5,
    rounds: int = 15,
    threads: int = 1,
    warmup: int = 2,
    clock: Callable[[], float] = time.thread_time,
) -> dict[str, list[float]]:
    """Time several calls in alternation, call by call; name -> one median per repeat (s).

    Each repeat runs ``rounds`` rounds, and a round calls every entry of ``calls`` once, in
    order, each timed alone with ``clock``: a repeat's median per call is taken over calls
    that ran side by side with the others', milliseconds apart, so a program that starts or
    stops on the machine meets all of them alike (finer turns than
    :func:`seqlib.timing.interleaved`, whose turns are whole timing blocks). A timed claim
    takes one ratio per repeat (:func:`ratios_per_repeat`).

    The default ``clock`` is the calling thread's CPU time (``time.thread_time``): with torch
    on ``threads=1`` every operation runs in that thread, so it counts the core-seconds a call
    costs (what a price per core-hour buys), and another program busy on the machine, which
    delays the call, does not add to it (its use of the caches still can). On an idle machine
    it equals the wall time. Give ``time.perf_counter`` for the wall clock (and with more than
    one thread). torch runs on ``threads`` threads meanwhile (set back afterwards); ``warmup``
    rounds run untimed first. CPU only: nothing here waits for a GPU.
    """
    if not isinstance(calls, Mapping) or not calls:
        raise ValueError(f"calls must be a non-empty mapping {{name: callable}}, got {calls!r}")
    for name, fn in calls.items():
        if not callable(fn):
            raise TypeError(f"calls[{name!r}] must be a zero-argument callable, got {fn!r}")
    repeats = check_positive_int(repeats, "repeats")
    rounds = check_positive_int(rounds, "rounds")
    threads = check_positive_int(threads, "threads")
    warmup = check_positive_int(warmup, "warmup", allow_zero=True)
    if not callable(clock):
        raise TypeError(f"clock must be a function returning seconds, got {clock!r}")
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        for _ in range(warmup):
            for fn in calls.values():
                fn()
        medians: dict[str, list[float]] = {name: [] for name in calls}
        for _ in range(repeats):
            taken: dict[str, list[float]] = {name: [] for name in calls}
            for _ in range(rounds):
                for name, fn in calls.items():
                    start = clock()
                    fn()
                    taken[name].append(clock() - start)
            for name, values in taken.items():
                medians[name].append(statistics.median(values))
    finally:
        torch.set_num_threads(previous)
    return medians


def twice(fn: Callable[[], object]) -> Callable[[], None]:
    """A call that runs ``fn`` two times: a cost planted at exactly 2x (a positive control)."""
    if not callable(fn):
        raise TypeError(f"fn must be a zero-argument callable, got {type(fn).__name__}")

    def both() -> None:
        fn()
        fn()

    return both


def ratios_per_repeat(
    times: Mapping[str, Sequence[float]], numerator: str, denominator: str
) -> list[float]:
    """``times[numerator][r] / times[denominator][r]`` for every repeat ``r``.

    ``times`` is :func:`seqlib.timing.interleaved`'s output (name -> one median per repeat):
    the two entries were timed in the same turn, so a busy moment of the machine slows both.
    """
    for name in (numerator, denominator):
        if name not in times:
            raise ValueError(f"times has no entry {name!r}; it has {sorted(times)}")
    top, bottom = times[numerator], times[denominator]
    if len(top) != len(bottom) or not len(top):
        raise ValueError(
            f"{numerator!r} and {denominator!r} need the same number (>= 1) of repeats, got "
            f"{len(top)} and {len(bottom)}"
        )
    return [
        _check_positive(a, f"{numerator}[{r}]") / _check_positive(b, f"{denominator}[{r}]")
        for r, (a, b) in enumerate(zip(top, bottom, strict=True))
    ]


def smaller_per_repeat(ratios: Mapping[str, Sequence[float]]) -> list[float]:
    """Per repeat, the smallest of the ratios over phases (``{phase: [ratio per repeat]}``).

    The conservative reading of "A costs more than B": the value of a repeat is the phase in
    which A's lead is the smallest.
    """
    if not isinstance(ratios, Mapping) or not ratios:
        raise ValueError(f"ratios must map each phase to a list of ratios, got {ratios!r}")
    lengths = {len(values) for values in ratios.values()}
    if len(lengths) != 1 or 0 in lengths:
        raise ValueError(f"every phase needs the same number (>= 1) of repeats, got {lengths}")
    return [min(values) for values in zip(*ratios.values(), strict=True)]
