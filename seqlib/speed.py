"""Round 2's report: the sentences beside each verdict, and the experiment's prediction check.

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

from collections.abc import Mapping, Sequence

__all__ = [
    "verdict_notes",
]


FIGHTERS = ("LSTM", "Transformer")


def _require(mapping: Mapping, keys: Sequence, name: str) -> None:
    missing = [key for key in keys if key not in mapping]
    if missing:
        raise KeyError(f"{name} has no entry for {missing}; it has {list(mapping)}")


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
    _require(short_slope, FIGHTERS, "short_slope")
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
