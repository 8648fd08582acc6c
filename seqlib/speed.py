"""Round 2: the parameter-matched pair timed side by side, and the sentences beside each verdict.

:func:`time_fighters` times ``torch.nn.LSTM`` against one ``torch.nn.TransformerEncoderLayer``
at equal parameters (:func:`seqlib.models.matched_backbones`) on one random batch, with the
same threads and device (the speed explorer, :func:`seqlib.widgets.speed_explorer`, is a view
over it).

Round 2 (computation speed) times the fight card's demo, a parameter-matched sweep over lengths
and batches, one sequence growing, and what a second core buys. Its verdict table needs, beside
every claim, a sentence on what was measured: the setting, the parameter counts, the threads,
the device. :func:`verdict_notes` writes those sentences from the measurements, so that the
notebook's verdict cell reads claim, measurement, decision; the decisions stay with the rules
registered in ``seqlib.claims`` (``VerdictTable.judge``), never here.

Every timed claim is judged on five interleaved repeats (``seqlib.timing.interleaved``), one
value per repeat: :func:`per_repeat` takes a ratio repeat by repeat, :func:`record` counts the
settings each fighter won by the :data:`MARGIN` (a 1.05x lead is a tie). The controls are built
here too: :func:`dependency_cut` (the same module with the step-to-step dependency cut),
:class:`PlantedChain` (a chain that waits by construction), :func:`critical_path` (the longest
chain of operations in an autograd graph) and :func:`thread_gains`.

Example::

    notes = seqlib.speed.verdict_notes(params=(49_664, 50_240), threads=2, ...)
    table.judge("r2.winner", seqlib.Measurement(balance, repeats=5), notes["r2.winner"],
                controls={...}, scope="cpu, 2 threads, 50k params, 20 settings, 5 repeats")
"""

from __future__ import annotations

import html
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from seqlib._validate import check_choice, check_keys, check_positive_int
from seqlib.models import count_parameters, matched_backbones
from seqlib.timing import as_device, benchmark

__all__ = [
    "MARGIN",
    "MAX_LENGTH",
    "MODES",
    "FighterTimings",
    "PlantedChain",
    "balance",
    "critical_path",
    "dependency_cut",
    "format_fighter_timings",
    "next_repeat",
    "per_repeat",
    "record",
    "records_per_repeat",
    "thread_gains",
    "time_fighters",
    "timed_call",
    "verdict_notes",
]

MODES = ("inference", "training")
MAX_LENGTH = 2048  # the explorer keeps every measurement well under a second
MARGIN = 1.10  # a timed "win" needs this lead: a 1.05x lead is a tie (issue 20)


FIGHTERS = ("LSTM", "Transformer")


def _pair(value: object, name: str) -> tuple:
    if not isinstance(value, tuple) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (LSTM, Transformer), got {value!r}")
    return value


def _spread(values: Sequence[float], fmt: str = ".2f", unit: str = "") -> str:
    """``"0.61 [0.58, 0.66]"``: the median of the repeats and their range."""
    values = [float(v) for v in values]
    if not values:
        raise ValueError("expected one value per repeat, got none")
    mid = statistics.median(values)
    return f"{mid:{fmt}}{unit} [{min(values):{fmt}}, {max(values):{fmt}}]"


def verdict_notes(
    *,
    params: tuple[int, int],
    threads: int,
    device: str,
    gains: Mapping[str, Sequence[float]] | None,
    gain_setting: str,
    why_not: str,
    wait_ratio: Sequence[float],
    wait_setting: str,
    depth: Mapping[str, tuple[int, int]],
    depth_lengths: tuple[int, int],
    gpu_ratio: Sequence[float] | None,
    records: Sequence[tuple[int, int, int]],
    sweep_setting: str,
    demo_ratio: Sequence[float],
    demo_steps: int,
) -> dict[str, str]:
    """The sentence beside each of round 2's claims, from the round's measurements: id -> text.

    - ``params``: (LSTM, Transformer) parameter counts of the fair fighters; ``threads``: the
      threads the timed claims ran on; ``device``: the device's description.
    - ``gains``: "LSTM" and "Transformer" -> speed-up from 1 thread to all, one per repeat, in
      ``gain_setting``; ``None`` when not measured, and then ``why_not`` says why.
    - ``wait_ratio``: the LSTM's time over its dependency-cut twin's, one per repeat, in
      ``wait_setting``.
    - ``depth``: "Transformer" and "LSTM" -> critical-path length (autograd nodes) of one
      forward pass at the two lengths of ``depth_lengths``.
    - ``gpu_ratio``: LSTM time / Transformer time per repeat on a GPU (``None`` on a CPU).
    - ``records``: per repeat, (settings the Transformer won, settings the LSTM won, settings)
      of the fair sweep described by ``sweep_setting``.
    - ``demo_ratio``: LSTM time / Transformer time per repeat in the fight card's demo, whose
      sequences have ``demo_steps`` steps.

    Numbers are formatted, never judged: the verdict is the registered rule's.
    """
    lstm_params, transformer_params = _pair(params, "params")
    check_keys(depth, ("LSTM", "Transformer"), "depth")
    if not records:
        raise ValueError("records is empty: expected (Transformer wins, LSTM wins, settings)")
    if not demo_ratio or min(demo_ratio) <= 0:
        raise ValueError(f"demo_ratio must be positive time ratios, got {demo_ratio!r}")
    setup = f"{lstm_params:,} vs {transformer_params:,} params, {threads} thread(s), {device}"
    if gains is None:
        parallel = f"not measured: {why_not or 'more threads were slower (a busy machine)'}"
    else:
        check_keys(gains, FIGHTERS, "gains")
        ratio = [a / b for a, b in zip(gains["LSTM"], gains["Transformer"], strict=True)]
        parallel = (
            f"{gain_setting}: 1 thread -> all, LSTM {_spread(gains['LSTM'], unit='x')}, "
            f"Transformer {_spread(gains['Transformer'], unit='x')} faster; LSTM gain / "
            f"Transformer gain {_spread(ratio)}"
        )
    (t0, t1), d_tf, d_lstm = depth_lengths, depth["Transformer"], depth["LSTM"]
    tf_won = [r[0] for r in records]
    lstm_won = [r[1] for r in records]
    n = records[0][2]
    median = statistics.median(demo_ratio)
    demo_reading = (
        f"while the Transformer runs once, the LSTM could read its {demo_steps} steps "
        f"{1 / median:.0f} times"
        if median < 1
        else f"the Transformer takes {1 / median:.2f}x the LSTM's time"
    )
    return {
        "r2.cant_parallelize": parallel,
        "r2.waits_each_step": (
            f"{wait_setting}: the LSTM's chain takes {_spread(wait_ratio, '.1f', 'x')} the time "
            "of the same LSTM with the step-to-step dependency cut (T one-step sequences)"
        ),
        "r2.all_in_parallel": (
            f"longest chain of operations in one forward pass (autograd nodes): Transformer "
            f"layer {d_tf[0]} at T={t0}, {d_tf[1]} at T={t1}; step-by-step LSTM "
            f"{d_lstm[0]} -> {d_lstm[1]}"
        ),
        "r2.gpu_friendly_faster": (
            f"no GPU here ({device}): a CPU timing cannot settle a GPU claim"
            if gpu_ratio is None
            else f"training, longest length: LSTM/Transformer time {_spread(gpu_ratio)} ({setup})"
        ),
        "r2.winner": (
            f"of {n} settings ({sweep_setting}), won by >= {MARGIN:g}x: Transformer "
            f"{min(tf_won)}-{max(tf_won)}, LSTM {min(lstm_won)}-{max(lstm_won)} per repeat, the "
            f"rest ties; {setup}"
        ),
        "r2.demo_timestep3": (
            f"the demo as written (train mode, {threads} thread(s), cpu): LSTM/Transformer time "
            f"{_spread(demo_ratio, '.3f')}; {demo_reading}"
        ),
    }


# ---------------------------------------------------------------------------------------------
# Round 2's measurements: records, the dependency cut, planted chains, critical paths, threads
# ---------------------------------------------------------------------------------------------


def per_repeat(times: Mapping[object, Sequence[float]], a: object, b: object) -> list[float]:
    """``times[a][r] / times[b][r]`` for every repeat ``r``: a ratio judged repeat by repeat."""
    return [x / y for x, y in zip(times[a], times[b], strict=True)]


def next_repeat(values: Sequence[float]) -> list[float]:
    """``values`` moved one repeat on (the last pairs with the first): a fighter timed against
    itself at another moment, the null a timed comparison must not confirm."""
    values = list(values)
    return values[1:] + values[:1]


def record(lstm_s: Sequence[float], transformer_s: Sequence[float], margin: float = MARGIN
           ) -> tuple[int, int, int]:  # fmt: skip
    """(settings the Transformer wins, settings the LSTM wins, settings), a win being faster by
    at least ``margin`` (a 1.05x lead is a tie); the times are paired setting by setting."""
    if len(lstm_s) != len(transformer_s) or not lstm_s:
        raise ValueError("expected one LSTM and one Transformer time per setting")
    if not margin >= 1:
        raise ValueError(f"margin must be >= 1, got {margin!r}")
    tf = sum(l_ >= margin * t for l_, t in zip(lstm_s, transformer_s, strict=True))
    lstm = sum(t >= margin * l_ for l_, t in zip(lstm_s, transformer_s, strict=True))
    return tf, lstm, len(lstm_s)


def balance(counts: tuple[int, int, int]) -> float:
    """(Transformer wins - LSTM wins) / settings, from :func:`record`: +1 the Transformer won
    everywhere, -1 the LSTM did, 0 an even record (or all ties)."""
    tf, lstm, n = counts
    return (tf - lstm) / n


def records_per_repeat(
    times: Mapping[object, Sequence[float]],
    settings: Sequence[object],
    *,
    lstm: str = "LSTM",
    transformer: str = "Transformer",
    shift_lstm: bool = False,
) -> list[tuple[int, int, int]]:
    """One :func:`record` per repeat over ``settings``: ``times[setting, lstm]`` against
    ``times[setting, transformer]`` of the same repeat. ``shift_lstm`` pairs each repeat with
    the next repeat's times of the *first* fighter instead (the LSTM against itself)."""
    repeats = len(times[settings[0], lstm])
    out = []
    for r in range(repeats):
        first = [times[s, lstm][r] for s in settings]
        if shift_lstm:
            second = [times[s, lstm][(r + 1) % repeats] for s in settings]
        else:
            second = [times[s, transformer][r] for s in settings]
        out.append(record(first, second))
    return out


def dependency_cut(module: nn.Module, x: torch.Tensor, mode: str = "inference"
                   ) -> Callable[[], None]:  # fmt: skip
    """``module`` with the step-to-step dependency cut, to time: the same module (the same
    kernel, the same weights) reading ``x`` (B, T, D) as B*T sequences of one step each, so
    that it evaluates the same B*T cells as on ``x``, each from the initial state instead of
    from the step before: nothing waits, and all of them run in one step. ``mode`` as in
    :func:`timed_call`."""
    batch, length, width = x.shape
    return timed_call(module, x.reshape(batch * length, 1, width), mode)  # (B*T, 1, D)


class PlantedChain(nn.Module):
    """A pure sequential chain, planted: ``h_t = tanh(x_t W + h_{t-1} U)``, one step at a time
    in a Python loop (no batched input projection, nothing fused): each step waits for the
    one before, by construction."""

    def __init__(self, width: int, hidden: int) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.randn(width, hidden) / width**0.5)
        self.u = nn.Parameter(torch.randn(hidden, hidden) / hidden**0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x (B, T, D) -> h_T (B, H)
        h = x.new_zeros(x.shape[0], self.u.shape[0])  # (B, H)
        for x_t in x.unbind(1):  # T x (B, D)
            h = torch.tanh(x_t @ self.w + h @ self.u)
        return h


def timed_call(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, mode: str
               ) -> Callable[[], None]:  # fmt: skip
    """``fn(x)`` to time: under ``torch.no_grad()`` (``"inference"``) or with ``.sum()``
    back-propagated (``"training"``); a tuple output (``nn.LSTM``'s) is read at ``[0]``."""
    check_choice(mode, "mode", MODES)

    def inference() -> None:
        with torch.no_grad():
            fn(x)

    def training() -> None:
        out = fn(x)
        out = out[0] if isinstance(out, tuple) else out
        out.sum().backward()

    return training if mode == "training" else inference


def critical_path(output: torch.Tensor) -> int:
    """The longest chain of operations behind ``output``: the number of autograd nodes on the
    longest path from ``output`` back to the inputs. Operations on that path must run one
    after another; everything else could run beside them. Iterative (no recursion limit)."""
    if not isinstance(output, torch.Tensor) or output.grad_fn is None:
        raise ValueError("output must be a tensor computed with autograd (an input requiring grad)")
    depth: dict[object, int] = {}
    stack: list[tuple[object, bool]] = [(output.grad_fn, False)]
    while stack:
        node, expanded = stack.pop()
        if node in depth:
            continue
        children = [child for child, _ in node.next_functions if child is not None]
        if expanded:
            depth[node] = 1 + max((depth[child] for child in children), default=0)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if child not in depth)
    return depth[output.grad_fn]


def thread_gains(
    calls: Mapping[str, Callable[[], object]],
    *,
    threads: int,
    repeats: int = 5,
    min_run_time: float = 0.05,
    device: str | torch.device | None = None,
) -> dict[str, list[float]]:
    """What more threads buy each callable: name -> one speed-up per repeat (time on 1 thread /
    time on ``threads``). Each repeat times every callable on 1 thread and on ``threads``, in
    turns, so that another program on the machine slows them alike."""
    threads = check_positive_int(threads, "threads")
    repeats = check_positive_int(repeats, "repeats")
    gains: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, fn in calls.items():
            one, many = (
                benchmark(fn, label=name, threads=n, min_run_time=min_run_time, device=device)
                for n in (1, threads)
            )
            gains[name].append(one.median / many.median)
    return gains


# ---------------------------------------------------------------------------------------------
# The matched pair, timed side by side
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FighterTimings:
    """:func:`time_fighters`'s result: the setting (``batch``, ``length``, ``width``, ``mode``,
    ``threads``, ``device``), each fighter's median time per call in ms and its parameters, the
    LSTM's hidden size, and ``faster`` with ``ratio`` (slower time / faster time, >= 1)."""

    batch: int
    length: int
    width: int
    mode: str
    threads: int
    device: str
    lstm_ms: float
    transformer_ms: float
    lstm_params: int
    transformer_params: int
    lstm_hidden: int

    @property
    def faster(self) -> str:
        return "LSTM" if self.lstm_ms <= self.transformer_ms else "Transformer"

    @property
    def ratio(self) -> float:
        return max(self.lstm_ms, self.transformer_ms) / min(self.lstm_ms, self.transformer_ms)


def _timed_call(model: nn.Module, x: torch.Tensor, mode: str) -> Callable[[], None]:
    """The zero-argument callable to time: a forward pass in eval mode without autograd
    (``"inference"``), or a forward and backward pass in train mode (``"training"``)."""
    model.train(mode == "training")

    def inference() -> None:
        with torch.no_grad():
            model(x)

    def training() -> None:
        out = model(x)
        out = out[0] if isinstance(out, tuple) else out  # nn.LSTM returns (output, (h, c))
        out.sum().backward()

    return training if mode == "training" else inference


def time_fighters(
    batch: int,
    length: int,
    width: int,
    mode: str = "inference",
    *,
    threads: int | None = None,
    min_run_time: float = 0.05,
    device: str | torch.device | None = None,
    models: tuple[nn.LSTM, nn.TransformerEncoderLayer] | None = None,
) -> FighterTimings:
    """Time the parameter-matched LSTM and Transformer layer on one random batch.

    ``x`` is ``(batch, length, width)``; ``mode`` is ``"inference"`` (eval mode, no autograd,
    forward only) or ``"training"`` (train mode, forward + backward). The two are timed with
    :func:`seqlib.timing.benchmark` one after the other, with the same thread count and device.
    ``models`` reuses a pair from :func:`seqlib.models.matched_backbones` (built for ``width``
    if omitted).
    """
    batch = check_positive_int(batch, "batch")
    length = check_positive_int(length, "length")
    width = check_positive_int(width, "width")
    check_choice(mode, "mode", MODES)
    if length > MAX_LENGTH:
        raise ValueError(f"length must be <= {MAX_LENGTH} (kept quick), got {length}")
    device = as_device(device)
    lstm, transformer = matched_backbones(width) if models is None else models
    if not isinstance(lstm, nn.LSTM) or not isinstance(transformer, nn.TransformerEncoderLayer):
        raise TypeError("models must be (nn.LSTM, nn.TransformerEncoderLayer): matched_backbones")
    if lstm.input_size != width or transformer.linear1.in_features != width:
        raise ValueError(f"models must read width={width} features (from matched_backbones)")
    lstm, transformer = lstm.to(device), transformer.to(device)
    x = torch.randn(batch, length, width, device=device)  # (B, T, width)
    times = {
        name: benchmark(
            _timed_call(model, x, mode),
            label=name,
            threads=threads,
            min_run_time=min_run_time,
            device=device,
        )
        for name, model in (("LSTM", lstm), ("Transformer", transformer))
    }
    return FighterTimings(
        batch=batch,
        length=length,
        width=width,
        mode=mode,
        threads=times["LSTM"].threads,
        device=str(device),
        lstm_ms=times["LSTM"].median * 1e3,
        transformer_ms=times["Transformer"].median * 1e3,
        lstm_params=count_parameters(lstm),
        transformer_params=count_parameters(transformer),
        lstm_hidden=lstm.hidden_size,
    )


def format_fighter_timings(result: FighterTimings) -> str:
    """An HTML table of :func:`time_fighters`'s result: time and parameters of each fighter,
    the winner and by how much, and the conditions (mode, threads, device)."""
    rows = "".join(
        f"<tr><td><b>{name}</b>{extra}</td><td>{ms:.3g} ms</td><td>{params:,}</td></tr>"
        for name, extra, ms, params in (
            ("LSTM", f" (hidden {result.lstm_hidden})", result.lstm_ms, result.lstm_params),
            ("Transformer layer", "", result.transformer_ms, result.transformer_params),
        )
    )
    threads = f"{result.threads} thread{'s' if result.threads != 1 else ''}"
    return (
        "<table><tr><th>fighter</th><th>time per call (median)</th><th>parameters</th></tr>"
        f"{rows}</table>"
        f"<p><b>{html.escape(result.faster)}</b> is faster by <b>{result.ratio:.1f}x</b> "
        f"({html.escape(result.mode)}, batch {result.batch}, length {result.length}, "
        f"width {result.width}; {threads}, {html.escape(result.device)})</p>"
    )
