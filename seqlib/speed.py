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

Example::

    notes = seqlib.speed.verdict_notes(params=(49_664, 50_240), threads=2, ...)
    table.judge("r2.winner", seqlib.Measurement(share, seeds=0), notes["r2.winner"])
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from seqlib._validate import check_choice, check_keys, check_positive_int
from seqlib.models import count_parameters, matched_backbones
from seqlib.timing import as_device, benchmark

__all__ = [
    "MAX_LENGTH",
    "MODES",
    "FighterTimings",
    "format_fighter_timings",
    "time_fighters",
    "verdict_notes",
]

MODES = ("inference", "training")
MAX_LENGTH = 2048  # the explorer keeps every measurement well under a second


FIGHTERS = ("LSTM", "Transformer")


def _pair(value: object, name: str) -> tuple:
    if not isinstance(value, tuple) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (LSTM, Transformer), got {value!r}")
    return value


def verdict_notes(
    *,
    params: tuple[int, int],
    threads: int,
    all_threads: int,
    device: str,
    gains: tuple[float, float] | None,
    gain_length: int,
    why_not: str,
    short_slope: Mapping[str, float],
    short_lengths: Sequence[int],
    gpu_ratio: float | None,
    won: Mapping[str, bool],
    lengths: Sequence[int],
    batches: Sequence[int],
    demo_ratio: float,
    demo_steps: int,
) -> dict[str, str]:
    """The sentence beside each of round 2's claims, from the round's measurements: id -> text.

    - ``params``: (LSTM, Transformer) parameter counts of the fair fighters; ``threads``: the
      threads the sweeps were timed on, ``all_threads`` those torch has; ``device``: the
      device's description (``seqlib.timing.describe``).
    - ``gains``: (LSTM, Transformer) speed-up from 1 thread to ``all_threads``, training at
      ``gain_length``; ``None`` when not measured, and then ``why_not`` says why (empty: more
      threads were slower, a busy machine).
    - ``short_slope``: "LSTM" and "Transformer" -> log-log slope of time against T, batch 1,
      inference, over ``short_lengths``.
    - ``gpu_ratio``: LSTM time / Transformer time, training at the longest of ``lengths``, on a
      GPU (``None`` on a CPU).
    - ``won``: setting name -> whether the Transformer was faster there, over ``lengths`` and
      ``batches``.
    - ``demo_ratio``: LSTM time / Transformer time in the fight card's demo (train mode, CPU),
      whose sequences have ``demo_steps`` steps.

    Returns the sentences in the order the verdict table lists the claims. Numbers are
    formatted, never judged: the verdict is the registered rule's (``VerdictTable.judge``).
    """
    lstm_params, transformer_params = _pair(params, "params")
    check_keys(short_slope, FIGHTERS, "short_slope")
    if not won:
        raise ValueError("won is empty: expected {setting: whether the Transformer was faster}")
    if demo_ratio <= 0:
        raise ValueError(f"demo_ratio must be a positive time ratio, got {demo_ratio!r}")
    setup = f"{lstm_params:,} vs {transformer_params:,} params, {threads} thread(s) timed, {device}"
    lstm_slope, tf_slope = short_slope["LSTM"], short_slope["Transformer"]
    one_sequence = f"batch 1, T {short_lengths[0]}-{short_lengths[-1]}, inference"
    tf_won = [setting for setting, yes in won.items() if yes]
    if gains is None:
        parallel = f"not measured: {why_not or 'more threads were slower (a busy machine)'}"
    else:
        lstm_gain, tf_gain = _pair(gains, "gains")
        parallel = (
            f"1 -> {all_threads} threads, training at T={gain_length}: LSTM {lstm_gain:.2f}x, "
            f"Transformer {tf_gain:.2f}x faster"
        )
    demo_reading = (
        f"while the Transformer runs once, the LSTM could read its {demo_steps} steps "
        f"{1 / demo_ratio:.0f} times"
        if demo_ratio < 1
        else f"the Transformer takes {1 / demo_ratio:.2f}x the LSTM's time"
    )
    return {
        "r2.cant_parallelize": parallel,
        "r2.waits_each_step": (
            f"{one_sequence}: LSTM time ~ T^{lstm_slope:.2f} (Transformer T^{tf_slope:.2f}); "
            f"{setup}"
        ),
        "r2.all_in_parallel": (
            f"{one_sequence}: slope LSTM minus Transformer {lstm_slope - tf_slope:+.2f} "
            f"(Transformer T^{tf_slope:.2f}, LSTM T^{lstm_slope:.2f}); {setup}"
        ),
        "r2.gpu_friendly_faster": (
            f"no GPU here ({device}): a CPU timing cannot settle a GPU claim"
            if gpu_ratio is None
            else f"training at T={max(lengths)}: LSTM/Transformer time {gpu_ratio:.2f} ({setup})"
        ),
        "r2.winner": (
            f"Transformer faster in {len(tf_won)} of {len(won)} settings "
            f"({', '.join(tf_won) or 'none'}): T {min(lengths)}-{max(lengths)}, batch "
            f"{min(batches)}-{max(batches)}, inference and training; {setup}"
        ),
        "r2.demo_timestep3": (
            f"the demo as written (train mode, {threads} thread(s), cpu): LSTM/Transformer time "
            f"{demo_ratio:.2f}; {demo_reading}"
        ),
    }


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
