"""seqlib.edge: the fitted lines, the budget arithmetic on hand-made records, the explorer."""

from __future__ import annotations

import pytest

from seqlib.edge import CONTEXTS, edge_costs, edge_explorer, fit_stream, format_edge_costs


def records(ms: list[float], memory: list[float], every: int = 100) -> list[dict]:
    return [
        {"position": every * (i + 1), "ms_per_token": m, "memory_bytes": b}
        for i, (m, b) in enumerate(zip(ms, memory, strict=True))
    ]


# an LSTM: flat time, constant state; a KV cache: memory grows 1000 bytes per token
LSTM = records([1.0, 1.0, 1.0], [500, 500, 500])
KV = records([1.0, 1.5, 2.0], [100_000, 200_000, 300_000])
FITS = {"LSTM": fit_stream(LSTM), "KV": fit_stream(KV)}
WEIGHTS = {"LSTM": 400_000, "KV": 400_000}


def test_fit_stream_exact_lines():
    lstm, kv = FITS["LSTM"], FITS["KV"]
    assert lstm["ms_slope"] == pytest.approx(0.0, abs=1e-12)
    assert lstm["bytes_slope"] == pytest.approx(0.0, abs=1e-9)
    assert lstm["bytes_intercept"] == pytest.approx(500)
    assert kv["bytes_slope"] == pytest.approx(1000)
    assert kv["bytes_intercept"] == pytest.approx(0, abs=1e-6)
    assert kv["ms_slope"] == pytest.approx(0.005) and kv["ms_intercept"] == pytest.approx(0.5)
    assert kv["max_position"] == 300 and kv["min_ms"] == 1.0


def test_fit_stream_noise_does_not_go_negative():
    fit = fit_stream(records([2.0, 1.9, 1.8], [1, 1, 1]))
    assert fit["ms_slope"] == 0.0 and fit["ms_intercept"] == pytest.approx(1.9)


def test_edge_costs_arithmetic():
    rows = edge_costs(FITS, WEIGHTS, 1000, memory_budget_mb=1.0, latency_budget_ms=3.0)
    lstm, kv = rows
    assert lstm["fighter"] == "LSTM" and kv["fighter"] == "KV"
    assert lstm["memory_mb"] == pytest.approx(0.4005)
    assert kv["state_mb"] == pytest.approx(1.0) and kv["memory_mb"] == pytest.approx(1.4)
    assert kv["ms_per_token"] == pytest.approx(5.5)  # 0.5 + 0.005 * 1000
    assert kv["seconds_total"] == pytest.approx((0.5 + 0.005 * 1001 / 2) * 1000 / 1e3)
    assert lstm["fits"] and not kv["fits"]
    assert not kv["fits_memory"] and not kv["fits_latency"]
    assert all(row["extrapolated"] for row in rows)  # 1000 > 300 measured
    inside = edge_costs(FITS, WEIGHTS, 200, memory_budget_mb=1.0, latency_budget_ms=3.0)
    assert not any(row["extrapolated"] for row in inside) and all(r["fits"] for r in inside)


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
    with pytest.raises(ValueError, match="memory_bytes"):
        fit_stream([{"position": 1, "ms_per_token": 1.0}])


def test_explorer_reacts_to_its_controls():
    pytest.importorskip("ipywidgets")
    box = edge_explorer(FITS, WEIGHTS, context=256, memory_budget_mb=1.0, latency_budget_ms=3.0)
    assert set(box.controls) == {"context", "memory_mb", "latency_ms"}
    assert "LSTM, KV fits the device" in box.readout.value
    box.controls["context"].value = 4096  # the KV cache outgrows 1 MB
    assert "At 4,096 tokens" in box.readout.value
    assert [row["fits"] for row in box.rows] == [True, False]
    box.controls["memory_mb"].value = 10_000.0
    box.controls["latency_ms"].value = 1000.0
    assert all(row["fits"] for row in box.rows)
    with pytest.raises(ValueError, match="power of 2"):
        edge_explorer(FITS, WEIGHTS, context=100)
    assert CONTEXTS[0] == 64 and CONTEXTS[-1] == 2**20


def test_fit_stream_constant_memory_means_constant_time():
    """Timing noise that rises on an LSTM (constant state) must not extrapolate upwards."""
    fit = fit_stream(records([0.8, 0.9, 1.0], [500, 500, 500]))
    assert fit["ms_slope"] == 0.0 and fit["ms_intercept"] == pytest.approx(0.9)
