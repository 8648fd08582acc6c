"""Round 5's edge calculator: from measured streaming curves to a device budget.

:func:`seqlib.streaming.stream` measures, for each fighter, the time per token and the memory
carried between tokens at a few positions. :func:`fit_stream` fits a straight line to each
(``value = intercept + slope * position``: exact for memory, a summary for time), and
:func:`edge_costs` reads the lines at the context length a device must handle, adds the
weights, and says whether each fighter fits a memory and a latency budget. Beyond the longest
measured position the numbers are extrapolated, and labelled so.

:func:`stream_verdict_texts` words the streaming numbers for round 5's verdict table. The
explorer over :func:`edge_costs` is :func:`seqlib.widgets.edge_explorer`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from seqlib._validate import check_finite, check_positive_int
from seqlib.streaming import StreamRecord

__all__ = [
    "CONTEXTS",
    "EdgeCost",
    "StreamFit",
    "break_even",
    "edge_costs",
    "fit_stream",
    "format_edge_costs",
    "stream_verdict_texts",
]

CONTEXTS = tuple(2**k for k in range(6, 21))  # 64 .. 1,048,576 tokens: the explorer's steps


def _line(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
    """Least-squares ``(intercept, slope)`` of ys against xs (slope 0 for a single point)."""
    if len(np.unique(xs)) < 2:
        return float(ys.mean()), 0.0
    slope, intercept = np.polyfit(xs, ys, deg=1)
    return float(intercept), float(slope)


@dataclass(frozen=True)
class StreamFit:
    """Straight lines through one fighter's stream records (:func:`fit_stream`).

    ``ms_intercept`` + ``ms_slope`` x position: ms per token (slope 0 when the work per token is
    constant); ``bytes_intercept`` + ``bytes_slope`` x position: bytes carried (slope 0 for an
    LSTM, a key and a value per layer for a KV cache); ``min_ms``: the fastest measured token;
    ``max_position``: the longest measured position (beyond it, a cost is extrapolated).
    """

    ms_intercept: float
    ms_slope: float
    bytes_intercept: float
    bytes_slope: float
    min_ms: float
    max_position: float


@dataclass(frozen=True)
class EdgeCost:
    """One fighter at ``context`` tokens on a device (:func:`edge_costs`).

    ``ms_per_token`` at the last token; ``seconds_total`` for all ``context`` tokens (the area
    under the line); ``state_mb`` carried between tokens; ``memory_mb`` weights + state;
    whether it fits the memory budget, the latency budget, and both; ``extrapolated``:
    ``context`` lies beyond the longest measured position.
    """

    fighter: str
    context: int
    ms_per_token: float
    seconds_total: float
    state_mb: float
    memory_mb: float
    fits_memory: bool
    fits_latency: bool
    extrapolated: bool

    @property
    def fits(self) -> bool:
        return self.fits_memory and self.fits_latency


def fit_stream(records: Sequence[StreamRecord]) -> StreamFit:
    """Straight lines through one fighter's :func:`seqlib.streaming.stream` records.

    The time's slope is 0 when the fitted slope is negative or the memory does not grow: the
    work per token is then constant, and timing noise must not extrapolate.
    """
    if not isinstance(records, Sequence) or not records:
        raise ValueError("records must be a non-empty list of stream() records")
    for i, record in enumerate(records):
        if not isinstance(record, StreamRecord):
            raise TypeError(
                "each record must be a seqlib.streaming.StreamRecord (what stream() returns), "
                f"got {type(record).__name__}"
            )
        check_positive_int(record.position, f"records[{i}].position")
        check_finite(record.ms_per_token, f"records[{i}].ms_per_token", low=0)
        check_positive_int(record.memory_bytes, f"records[{i}].memory_bytes", allow_zero=True)
    position = np.array([r.position for r in records], dtype=float)
    ms = np.array([r.ms_per_token for r in records], dtype=float)
    memory = np.array([r.memory_bytes for r in records], dtype=float)
    bytes_intercept, bytes_slope = _line(position, memory)
    ms_intercept, ms_slope = _line(position, ms)
    if ms_slope < 0 or np.ptp(memory) == 0:
        # a streamer whose memory does not grow (an LSTM) does the same work at every token, and
        # noise on a flat curve must not extrapolate up or down: its time is the median, flat
        ms_intercept, ms_slope = float(np.median(ms)), 0.0
    return StreamFit(
        ms_intercept=ms_intercept,
        ms_slope=ms_slope,
        bytes_intercept=bytes_intercept,
        bytes_slope=bytes_slope,
        min_ms=float(ms.min()),
        max_position=float(position.max()),
    )


def edge_costs(
    fits: Mapping[str, StreamFit],
    weights_bytes: Mapping[str, int],
    context: int,
    *,
    memory_budget_mb: float,
    latency_budget_ms: float,
) -> list[EdgeCost]:
    """Each fighter's cost at ``context`` tokens, and whether it fits the device's budgets.

    ``fits``: :func:`fit_stream` per fighter; ``weights_bytes``: the size of each fighter's
    weights in bytes (the same keys). One :class:`EdgeCost` per fighter, in the order of
    ``fits``.
    """
    context = check_positive_int(context, "context")
    memory_budget_mb = check_finite(
        memory_budget_mb, "memory_budget_mb", low=0, low_inclusive=False
    )
    latency_budget_ms = check_finite(
        latency_budget_ms, "latency_budget_ms", low=0, low_inclusive=False
    )
    if not isinstance(fits, Mapping) or not all(isinstance(f, StreamFit) for f in fits.values()):
        raise TypeError("fits must map each fighter to a StreamFit (what fit_stream returns)")
    if not isinstance(weights_bytes, Mapping):
        raise TypeError(f"weights_bytes must map each fighter to bytes, got {weights_bytes!r}")
    if set(fits) != set(weights_bytes):
        raise ValueError(
            f"fits and weights_bytes must name the same fighters, got {sorted(fits)} and "
            f"{sorted(weights_bytes)}"
        )
    weights = {
        name: check_finite(b, f"weights_bytes[{name!r}]", low=0)
        for name, b in weights_bytes.items()
    }
    rows = []
    for name, fit in fits.items():
        ms = max(fit.ms_intercept + fit.ms_slope * context, fit.min_ms)
        mean_ms = max(fit.ms_intercept + fit.ms_slope * (context + 1) / 2, fit.min_ms)
        state = max(fit.bytes_intercept + fit.bytes_slope * context, 0.0)
        memory_mb = (weights[name] + state) / 1e6
        rows.append(
            EdgeCost(
                fighter=name,
                context=context,
                ms_per_token=ms,
                seconds_total=mean_ms * context / 1e3,
                state_mb=state / 1e6,
                memory_mb=memory_mb,
                fits_memory=memory_mb <= memory_budget_mb,
                fits_latency=ms <= latency_budget_ms,
                extrapolated=context > fit.max_position,
            )
        )
    return rows


def format_edge_costs(rows: Sequence[EdgeCost]) -> str:
    """:func:`edge_costs`'s rows as a small HTML table with a one-line summary."""
    if not rows:
        return "<p>no fighters</p>"
    if not all(isinstance(row, EdgeCost) for row in rows):
        raise TypeError(f"rows must be EdgeCost rows (what edge_costs returns), got {rows!r}")
    head = "".join(
        f"<th style='text-align:left'>{h}</th>"
        for h in ("fighter", "ms / token", "all tokens", "state", "weights + state", "fits?")
    )
    body = ""
    for row in rows:
        verdict = (
            "✅ yes"
            if row.fits
            else "❌ "
            + " and ".join(
                what
                for what, ok in (("memory", row.fits_memory), ("latency", row.fits_latency))
                if not ok
            )
        )
        cells = (
            html.escape(row.fighter),
            f"{row.ms_per_token:.2f} ms",
            f"{row.seconds_total:,.1f} s",
            f"{row.state_mb:,.3f} MB",
            f"{row.memory_mb:,.3f} MB",
            verdict,
        )
        body += "<tr>" + "".join(f"<td style='text-align:left'>{c}</td>" for c in cells) + "</tr>"
    fitting = [row.fighter for row in rows if row.fits]
    context = rows[0].context
    note = (
        " (extrapolated beyond the measured positions: a straight line through the measurements)"
        if any(row.extrapolated for row in rows)
        else " (within the measured positions)"
    )
    summary = (
        f"At {context:,} tokens{note}: "
        + (", ".join(html.escape(f) for f in fitting) if fitting else "no fighter")
        + " fits the device."
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table><p>{summary}</p>"


FIGHTERS = ("LSTM", "Transformer")


def break_even(
    first: float, last: float, tokens: int, baseline: float, ratio: float
) -> float | None:
    """The stream length at which a cost growing in a straight line reaches ``ratio`` x
    ``baseline``.

    ``first``: the cost at the first token, ``last``: at token ``tokens`` (a KV cache's bytes,
    or FLOPs of a step: both exactly linear in the stream length). Returns the length ``n`` (a
    float, >= 1) where ``first + (last - first) (n - 1) / (tokens - 1) = ratio * baseline``;
    ``1.0`` when the cost is there from the first token; ``None`` when it never gets there.
    """
    tokens = check_positive_int(tokens, "tokens")
    if tokens < 2:
        raise ValueError("tokens must be at least 2: a line needs two stream lengths")
    first, last, baseline, ratio = (
        check_finite(v, n, low=0)
        for n, v in (("first", first), ("last", last), ("baseline", baseline), ("ratio", ratio))
    )
    target = ratio * baseline
    if first >= target:
        return 1.0
    if last <= first:
        return None
    return 1 + (target - first) * (tokens - 1) / (last - first)


def _length(n: float | None) -> str:
    if n is None:
        return "no length (it does not grow)"
    return "the first token" if n <= 1 else f"about token {n:,.0f}"


def stream_verdict_texts(
    *,
    tokens: int,
    params: Mapping[str, int],
    widths: Mapping[str, int],
    ms: Mapping[str, float],
    flops: Mapping[str, float],
    held: Mapping[str, int],
    threads: int,
    repeats: int,
    break_even_flops: Mapping[float, float | None],
    break_even_bytes: Mapping[float, float | None],
    cache_ratio: float,
    cache_width: int,
    int8_fraction: float,
    export_diff: float,
) -> dict[str, dict[str, str]]:
    """What round 5's verdict table says was measured for ``r5.low_latency``, ``r5.edge``
    (compute) and ``r5.edge_memory``.

    Every number comes in as measured by the notebook; nothing is decided here (the registered
    rules judge the measurements). ``tokens``: the registered stream length (batch 1). Per
    fighter (keys ``"LSTM"`` and ``"Transformer"``, the pair at equal parameters): ``params``,
    ``widths`` (d_model), ``ms`` per token (median over ``repeats`` interleaved repeats),
    ``flops`` per token and ``held`` bytes (weights plus the state or KV cache) after
    ``tokens`` tokens. ``break_even_flops`` and ``break_even_bytes``: ratio -> the stream length
    where the Transformer's over the LSTM's reaches it (:func:`break_even`). ``threads``: CPU
    threads; ``cache_ratio``: the KV cache over the LSTM's state at the equal width
    ``cache_width``; ``int8_fraction``: the int8 file's size over the float32 file's;
    ``export_diff``: the exported step's largest difference from the model.

    Returns ``{claim_id: {"measured": ..., "note": ...}}``, to pass on as
    ``table.judge(claim_id, measurement, **texts[claim_id])``.
    """
    tokens = check_positive_int(tokens, "tokens")
    threads = check_positive_int(threads, "threads")
    repeats = check_positive_int(repeats, "repeats")
    for name, value in (
        ("params", params), ("widths", widths), ("ms", ms), ("flops", flops), ("held", held)
    ):  # fmt: skip
        if not isinstance(value, Mapping) or set(value) != set(FIGHTERS):
            raise ValueError(f"{name} must map exactly {FIGHTERS} to numbers, got {value!r}")
        for fighter in FIGHTERS:
            check_finite(value[fighter], f"{name}[{fighter!r}]", low=0)
    for name, value in (
        ("break_even_flops", break_even_flops),
        ("break_even_bytes", break_even_bytes),
    ):
        if not isinstance(value, Mapping) or not value:
            raise ValueError(f"{name} must map ratios to stream lengths, got {value!r}")
        for ratio, n in value.items():
            check_finite(ratio, f"{name} ratio", low=0)
            if n is not None:
                check_finite(n, f"{name}[{ratio}]", low=0)
    for name, value in (
        ("cache_ratio", cache_ratio),
        ("int8_fraction", int8_fraction),
        ("export_diff", export_diff),
    ):
        check_finite(value, name, low=0)
    cache_width = check_positive_int(cache_width, "cache_width")
    pair = (
        f"equal parameters, LSTM {params['LSTM']:,} (d={widths['LSTM']}) vs Transformer "
        f"{params['Transformer']:,} (d={widths['Transformer']})"
    )

    def crossings(table: Mapping[float, float | None]) -> str:
        return ", ".join(f"{r:g}x at {_length(n)}" for r, n in sorted(table.items()))

    return {
        "r5.low_latency": {
            "measured": f"batch 1, the token after {tokens - 1:,} others, {pair}, untrained, "
            f"{threads} thread{'s' if threads > 1 else ''}: Transformer+KV cache "
            f"{ms['Transformer']:.3f} ms vs LSTM {ms['LSTM']:.3f} ms per token (medians of "
            f"{repeats} interleaved repeats)",
            "note": "",
        },
        "r5.edge": {
            "measured": f"FLOPs of the token after {tokens - 1:,} others, {pair}: Transformer+KV "
            f"cache {flops['Transformer']:,.0f} vs LSTM {flops['LSTM']:,.0f}; the ratio reaches "
            + crossings(break_even_flops),
            "note": "matrix products counted by torch's FlopCounterMode",
        },
        "r5.edge_memory": {
            "measured": f"after {tokens:,} tokens, {pair}: weights + KV cache "
            f"{held['Transformer']:,} B vs weights + state {held['LSTM']:,} B (the cache alone "
            f"is {cache_ratio:,.0f}x the state at equal width d={cache_width}); the ratio "
            "reaches " + crossings(break_even_bytes),
            "note": f"int8 file {int8_fraction:.0%} of float32; exported step vs eager, largest "
            f"difference {export_diff:.0e}",
        },
    }
