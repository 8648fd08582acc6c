"""seqlib.edge: the fitted lines and the budget arithmetic on hand-made records, and the words
of round 5's verdict (the explorer is tested in tests/test_widgets.py)."""

from __future__ import annotations

import pytest

from seqlib.edge import (
    break_even,
    edge_costs,
    fit_stream,
    format_edge_costs,
    stream_verdict_texts,
)
from seqlib.streaming import StreamRecord

NUMBERS = dict(
    tokens=1024,
    params={"LSTM": 67_456, "Transformer": 67_200},
    widths={"LSTM": 78, "Transformer": 64},
    ms={"LSTM": 0.1234, "Transformer": 0.2468},
    flops={"LSTM": 204_672, "Transformer": 729_088},
    held={"LSTM": 270_000, "Transformer": 1_317_376},
    threads=1,
    repeats=5,
    break_even_flops={1.0: 1.0, 2.0: 399.5},
    break_even_bytes={1.0: 2.0, 2.0: 428.0},
    cache_ratio=1024.0,
    cache_width=64,
    int8_fraction=0.3,
    export_diff=2.5e-7,
)


def test_stream_verdict_texts_say_what_was_measured():
    texts = stream_verdict_texts(**NUMBERS)
    assert set(texts) == {"r5.low_latency", "r5.edge", "r5.edge_memory"}
    pair = "equal parameters, LSTM 67,456 (d=78) vs Transformer 67,200 (d=64)"
    assert texts["r5.low_latency"] == {
        "measured": f"batch 1, the token after 1,023 others, {pair}, untrained, 1 thread: "
        "Transformer+KV cache 0.247 ms vs LSTM 0.123 ms per token (medians of 5 interleaved "
        "repeats)",
        "note": "",
    }
    assert texts["r5.edge"] == {
        "measured": f"FLOPs of the token after 1,023 others, {pair}: Transformer+KV cache "
        "729,088 vs LSTM 204,672; the ratio reaches 1x at the first token, 2x at about token 400",
        "note": "matrix products counted by torch's FlopCounterMode",
    }
    assert texts["r5.edge_memory"] == {
        "measured": f"after 1,024 tokens, {pair}: weights + KV cache 1,317,376 B vs weights + "
        "state 270,000 B (the cache alone is 1,024x the state at equal width d=64); the ratio "
        "reaches 1x at about token 2, 2x at about token 428",
        "note": "int8 file 30% of float32; exported step vs eager, largest difference 2e-07",
    }
    two = stream_verdict_texts(**{**NUMBERS, "threads": 2})
    assert "untrained, 2 threads:" in two["r5.low_latency"]["measured"]
    never = stream_verdict_texts(**{**NUMBERS, "break_even_flops": {2.0: None}})
    assert "2x at no length (it does not grow)" in never["r5.edge"]["measured"]


@pytest.mark.parametrize("field", ["params", "widths", "ms", "flops", "held"])
def test_stream_verdict_texts_need_both_fighters(field):
    with pytest.raises(ValueError, match=f"{field} must map exactly"):
        stream_verdict_texts(**{**NUMBERS, field: {"LSTM": 1}})


def test_stream_verdict_texts_bad_counts():
    with pytest.raises(ValueError, match="tokens"):
        stream_verdict_texts(**{**NUMBERS, "tokens": 0})
    with pytest.raises(ValueError, match="threads"):
        stream_verdict_texts(**{**NUMBERS, "threads": 0})
    with pytest.raises(ValueError, match="repeats"):
        stream_verdict_texts(**{**NUMBERS, "repeats": 0})
    with pytest.raises(ValueError, match="break_even_bytes must map"):
        stream_verdict_texts(**{**NUMBERS, "break_even_bytes": {}})


def test_break_even_of_a_straight_line():
    # cost 100 at the first token, 1,100 at token 11: 100 per token; the baseline 200
    assert break_even(100, 1100, 11, 200, 2.0) == pytest.approx(4.0)  # 400 = 100 + 3 x 100
    assert break_even(100, 1100, 11, 200, 0.5) == 1.0  # there from the first token
    assert break_even(100, 100, 11, 200, 2.0) is None  # flat: never
    # the round's own numbers: FLOPs 204,800 + 512 N against the LSTM's 204,672
    n = break_even(205_312, 204_800 + 512 * 1024, 1024, 204_672, 2.0)
    assert n == pytest.approx((2 * 204_672 - 204_800) / 512)
    with pytest.raises(ValueError, match="at least 2"):
        break_even(1, 2, 1, 1, 2.0)
    with pytest.raises(ValueError, match="baseline"):
        break_even(1, 2, 10, -1, 2.0)


def records(ms: list[float], memory: list[int], every: int = 100) -> list[StreamRecord]:
    return [
        StreamRecord(position=every * (i + 1), ms_per_token=m, memory_bytes=b)
        for i, (m, b) in enumerate(zip(ms, memory, strict=True))
    ]


# an LSTM: flat time, constant state; a KV cache: memory grows 1000 bytes per token
LSTM = records([1.0, 1.0, 1.0], [500, 500, 500])
KV = records([1.0, 1.5, 2.0], [100_000, 200_000, 300_000])
FITS = {"LSTM": fit_stream(LSTM), "KV": fit_stream(KV)}
WEIGHTS = {"LSTM": 400_000, "KV": 400_000}


def test_fit_stream_exact_lines():
    lstm, kv = FITS["LSTM"], FITS["KV"]
    assert lstm.ms_slope == pytest.approx(0.0, abs=1e-12)
    assert lstm.bytes_slope == pytest.approx(0.0, abs=1e-9)
    assert lstm.bytes_intercept == pytest.approx(500)
    assert kv.bytes_slope == pytest.approx(1000)
    assert kv.bytes_intercept == pytest.approx(0, abs=1e-6)
    assert kv.ms_slope == pytest.approx(0.005) and kv.ms_intercept == pytest.approx(0.5)
    assert kv.max_position == 300 and kv.min_ms == 1.0


def test_fit_stream_noise_does_not_go_negative():
    fit = fit_stream(records([2.0, 1.9, 1.8], [1, 1, 1]))
    assert fit.ms_slope == 0.0 and fit.ms_intercept == pytest.approx(1.9)


def test_edge_costs_arithmetic():
    rows = edge_costs(FITS, WEIGHTS, 1000, memory_budget_mb=1.0, latency_budget_ms=3.0)
    lstm, kv = rows
    assert lstm.fighter == "LSTM" and kv.fighter == "KV"
    assert lstm.memory_mb == pytest.approx(0.4005)
    assert kv.state_mb == pytest.approx(1.0) and kv.memory_mb == pytest.approx(1.4)
    assert kv.ms_per_token == pytest.approx(5.5)  # 0.5 + 0.005 * 1000
    assert kv.seconds_total == pytest.approx((0.5 + 0.005 * 1001 / 2) * 1000 / 1e3)
    assert lstm.fits and not kv.fits
    assert not kv.fits_memory and not kv.fits_latency
    assert all(row.extrapolated for row in rows)  # 1000 > 300 measured
    inside = edge_costs(FITS, WEIGHTS, 200, memory_budget_mb=1.0, latency_budget_ms=3.0)
    assert not any(row.extrapolated for row in inside) and all(r.fits for r in inside)


def test_format():
    text = format_edge_costs(
        edge_costs(FITS, WEIGHTS, 1000, memory_budget_mb=1.0, latency_budget_ms=3.0)
    )
    assert "At 1,000 tokens (extrapolated" in text and "LSTM fits the device" in text
    assert "❌ memory and latency" in text
    assert format_edge_costs([]) == "<p>no fighters</p>"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"context": 0}, "context"),
        ({"memory_budget_mb": 0}, "memory_budget_mb"),
        ({"latency_budget_ms": -1}, "latency_budget_ms"),
        ({"weights_bytes": {"LSTM": 1}}, "same fighters"),
    ],
)
def test_edge_costs_bad_input(kwargs, match):
    args = {
        "fits": FITS,
        "weights_bytes": WEIGHTS,
        "context": 100,
        "memory_budget_mb": 1.0,
        "latency_budget_ms": 1.0,
        **kwargs,
    }
    with pytest.raises((ValueError, TypeError), match=match):
        edge_costs(**args)


def test_fit_stream_bad_input():
    with pytest.raises(ValueError, match="non-empty"):
        fit_stream([])
    with pytest.raises(TypeError, match="StreamRecord"):
        fit_stream([{"position": 1, "ms_per_token": 1.0, "memory_bytes": 1}])


def test_fit_stream_constant_memory_means_constant_time():
    """Timing noise that rises on an LSTM (constant state) must not extrapolate upwards."""
    fit = fit_stream(records([0.8, 0.9, 1.0], [500, 500, 500]))
    assert fit.ms_slope == 0.0 and fit.ms_intercept == pytest.approx(0.9)


# ---- nonsense measurements and sizes are refused, numpy numbers are numbers -----------------


@pytest.mark.parametrize(
    ("record", "error", "match"),
    [
        (StreamRecord(9, float("nan"), 5), ValueError, r"records\[1\].ms_per_token must be fin"),
        (StreamRecord(100, -1.0, 500), ValueError, r"records\[1\].ms_per_token must be >= 0"),
        (StreamRecord(100, "1", 500), TypeError, r"records\[1\].ms_per_token must be a number"),
        (StreamRecord(100, 1.0, -5), ValueError, r"records\[1\].memory_bytes must be >= 0"),
        (StreamRecord(0, 1.0, 5), ValueError, r"records\[1\].position must be >= 1"),
        (StreamRecord(1.5, 1.0, 5), TypeError, r"records\[1\].position must be an int"),
    ],
)  # fmt: skip
def test_fit_stream_refuses_nonsense_records(record, error, match):
    with pytest.raises(error, match=match):
        fit_stream([StreamRecord(50, 1.0, 500), record])


@pytest.mark.parametrize(
    ("weights", "error", "match"),
    [
        ({"LSTM": "10", "KV": 10}, TypeError, r"weights_bytes\['LSTM'\] must be a number"),
        ({"LSTM": -10, "KV": 10}, ValueError, r"weights_bytes\['LSTM'\] must be >= 0"),
        ({"LSTM": float("nan"), "KV": 10}, ValueError, r"weights_bytes\['LSTM'\] must be finite"),
    ],
)  # fmt: skip
def test_edge_costs_refuses_nonsense_weights(weights, error, match):
    with pytest.raises(error, match=match):
        edge_costs(FITS, weights, 100, memory_budget_mb=1.0, latency_budget_ms=1.0)


def test_edge_costs_numpy_numbers_come_out_as_python_numbers():
    import numpy as np

    weights = {"LSTM": np.int64(400_000), "KV": 400_000}
    budgets = dict(memory_budget_mb=np.float32(1.0), latency_budget_ms=np.float64(3.0))
    rows = edge_costs(FITS, weights, np.int64(1000), **budgets)
    for row in rows:
        assert type(row.context) is int and type(row.memory_mb) is float
        assert type(row.fits_memory) is bool and type(row.fits_latency) is bool


def test_format_edge_costs_needs_rows_from_edge_costs():
    with pytest.raises(TypeError, match="rows must be EdgeCost rows"):
        format_edge_costs([{"fighter": "LSTM"}])


def test_stream_verdict_texts_checks_its_numbers():
    with pytest.raises(TypeError, match=r"params\['LSTM'\] must be a number"):
        stream_verdict_texts(**{**NUMBERS, "params": {"LSTM": "1", "Transformer": 2}})
    with pytest.raises(ValueError, match="cache_ratio must be finite"):
        stream_verdict_texts(**{**NUMBERS, "cache_ratio": float("nan")})
