"""Tests for seqlib.timing: devices, benchmark, peak memory, sweeps, slopes."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import torch

from seqlib.timing import (
    Timing,
    _running_peak,
    benchmark,
    describe,
    fit_slope,
    peak_memory,
    pick_device,
    rss_peak_mb,
    side_by_side,
    sweep,
    synchronize,
)

MB = 2**20

# --- devices ----------------------------------------------------------------------------------


def test_pick_device_default_and_cpu():
    assert pick_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else None
    if expected:
        assert pick_device().type == expected
    assert pick_device().type in {"cuda", "mps", "cpu"}


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_pick_device_unavailable_raises():
    with pytest.raises(ValueError, match="'cuda' was asked for but is not available"):
        pick_device("cuda")


def test_pick_device_bad_name():
    with pytest.raises(ValueError, match=r"device must be one of \['cuda', 'mps', 'cpu'\]"):
        pick_device("tpu")
    with pytest.raises(TypeError, match="device must be a str or torch.device, got int"):
        pick_device(3)


def test_describe_names_device_threads_and_torch():
    text = describe(torch.device("cpu"))
    assert text.startswith("cpu, ")
    assert f"{torch.get_num_threads()} thread" in text
    assert text.endswith(f"torch {torch.__version__}")


def test_synchronize_cpu_is_noop():
    assert synchronize("cpu") is None


# --- benchmark --------------------------------------------------------------------------------


def test_benchmark_reports_positive_median_and_threads():
    x = torch.randn(64, 64)
    t = benchmark(lambda: x @ x, label="mm", threads=1, min_run_time=0.05)
    assert isinstance(t, Timing)
    assert t.median > 0 and t.iqr >= 0 and t.measurements >= 1
    assert t.threads == 1 and t.device == "cpu"
    assert str(t).startswith("mm: ") and "(median, IQR; 1 thread, cpu)" in str(t)
    record = t.to_record()
    assert record["median_s"] == t.median and record["threads"] == 1


def test_benchmark_defaults_to_torch_threads_not_one():
    t = benchmark(lambda: None, min_run_time=0.02)
    assert t.threads == torch.get_num_threads()


def test_benchmark_warms_up_and_restores_threads():
    calls = []
    before = torch.get_num_threads()
    benchmark(lambda: calls.append(1), warmup=3, threads=1, min_run_time=0.02)
    assert len(calls) > 3
    assert torch.get_num_threads() == before


def test_benchmark_measures_sleep():
    import time

    t = benchmark(lambda: time.sleep(0.002), min_run_time=0.05, warmup=0)
    assert 0.002 <= t.median < 0.05


def test_timing_str_units():
    t = Timing(
        label="lstm T=100", median=1.234e-3, iqr=5e-5, measurements=9, threads=2, device="cpu"
    )
    assert str(t) == "lstm T=100: 1.23 ms ± 0.05 (median, IQR; 2 threads, cpu)"
    assert "µs" in str(Timing("", 2e-6, 1e-7, 3, 1, "cpu"))


def test_benchmark_errors():
    with pytest.raises(TypeError, match="fn must be a zero-argument callable, got int"):
        benchmark(3)
    with pytest.raises(ValueError, match="threads must be >= 1, got 0"):
        benchmark(lambda: None, threads=0)
    with pytest.raises(ValueError, match="min_run_time must be > 0 seconds, got -1"):
        benchmark(lambda: None, min_run_time=-1)
    with pytest.raises(ValueError, match="warmup must be >= 0, got -1"):
        benchmark(lambda: None, warmup=-1)


# --- memory -----------------------------------------------------------------------------------


def test_peak_memory_counts_a_freed_64mb_tensor():
    def allocate_and_free():
        big = torch.empty(16 * MB)  # float32: 64 MB
        big.fill_(1.0)
        del big

    peak = peak_memory(allocate_and_free)
    assert 64 * MB <= peak < 128 * MB


def test_peak_memory_ignores_what_was_held_before():
    held = torch.ones(8 * MB)  # 32 MB held before and during: not counted
    peak = peak_memory(lambda: held * 2)  # one new 32 MB tensor
    assert 32 * MB <= peak < 40 * MB


def test_peak_memory_of_attention_matrix_grows_quadratically():
    peaks = []
    lengths = [256, 512, 1024]
    for T in lengths:
        x = torch.randn(T, 16)
        peaks.append(peak_memory(lambda x=x: x @ x.T))  # (T, T) float32
    for T, peak in zip(lengths, peaks, strict=True):
        assert T * T * 4 <= peak < 1.5 * T * T * 4
    assert fit_slope(lengths, peaks) == pytest.approx(2.0, abs=0.1)


def test_running_peak_replays_events_in_time_order():
    events = [(3, -100), (1, 100), (2, 50), (4, 10), (5, -60)]  # unsorted on purpose
    assert _running_peak(events) == 150
    assert _running_peak([(1, -10)]) == 0  # freeing older tensors is not a negative peak


def test_peak_memory_error():
    with pytest.raises(TypeError, match="fn must be a zero-argument callable, got Tensor"):
        peak_memory(torch.ones(2))


def test_rss_peak_mb_is_plausible():
    rss = rss_peak_mb()
    assert rss is None or 10 < rss < 1e6


# --- sweep ------------------------------------------------------------------------------------


def test_sweep_records_every_combination_in_order():
    setups = []

    def make(n: int, scale: float):
        setups.append((n, scale))
        x = torch.randn(n, n) * scale
        return lambda: x @ x

    grid = {"n": [8, 16, 32], "scale": [1.0, 2.0]}
    records = sweep(make, grid, threads=1, min_run_time=0.01, measure_memory=True, progress=False)
    assert len(records) == 6
    assert [(r["n"], r["scale"]) for r in records] == setups[:6]
    assert setups[:2] == [(8, 1.0), (8, 2.0)]
    assert set(records[0]) == {"n", "scale", "median_s", "iqr_s", "threads", "device", "peak_bytes"}
    assert all(r["median_s"] > 0 and r["threads"] == 1 and r["device"] == "cpu" for r in records)
    assert [r["peak_bytes"] for r in records[::2]] == [n * n * 4 for n in grid["n"]]


def test_sweep_errors():
    with pytest.raises(TypeError, match="must return a zero-argument callable to time, got int"):
        sweep(lambda n: n, {"n": [1]}, min_run_time=0.01, progress=False)
    with pytest.raises(
        ValueError, match=r"grid\['n'\] must be a non-empty list of values, got \[\]"
    ):
        sweep(lambda n: lambda: None, {"n": []}, progress=False)
    with pytest.raises(TypeError, match="grid must be a dict"):
        sweep(lambda n: lambda: None, [1, 2], progress=False)


# --- fit_slope --------------------------------------------------------------------------------


def test_side_by_side_times_each_in_turns_and_keeps_the_fastest():
    order = []
    calls = {"short": lambda: order.append("short"), "sleep": lambda: time.sleep(0.002)}
    best = side_by_side(calls, rounds=2, threads=1, min_run_time=0.01)
    assert list(best) == ["short", "sleep"]
    assert 0 < best["short"] < best["sleep"]
    assert 0.0015 < best["sleep"] < 0.05  # about the 2 ms it sleeps


def test_side_by_side_errors():
    with pytest.raises(ValueError, match="non-empty mapping"):
        side_by_side({})
    with pytest.raises(TypeError, match=r"calls\['x'\] must be a zero-argument callable"):
        side_by_side({"x": 3})
    with pytest.raises(ValueError, match="rounds"):
        side_by_side({"x": lambda: None}, rounds=0)


def test_fit_slope_recovers_exponent():
    xs = [10, 100, 1000]
    assert fit_slope(xs, [3 * x for x in xs]) == pytest.approx(1.0)
    assert fit_slope(xs, [0.5 * x**2 for x in xs]) == pytest.approx(2.0)
    assert math.isclose(fit_slope([1, 2], [5, 5]), 0.0, abs_tol=1e-12)


def test_fit_slope_errors():
    with pytest.raises(ValueError, match="ys must all be positive and finite"):
        fit_slope([1, 2], [1, 0])
    with pytest.raises(ValueError, match="equal length, got shapes"):
        fit_slope([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="at least two distinct xs"):
        fit_slope([2, 2], [1, 3])


# --- devices that are not here, numbers and flags ---------------------------------------------

UNAVAILABLE = [
    name
    for name, here in (
        ("cuda", torch.cuda.is_available()),
        ("mps", torch.backends.mps.is_available()),
    )
    if not here
]


@pytest.mark.parametrize("device", UNAVAILABLE + [f"{name}:0" for name in UNAVAILABLE])
@pytest.mark.parametrize(
    "call",
    [
        lambda device: benchmark(lambda: None, device=device, min_run_time=0.01),
        lambda device: peak_memory(lambda: None, device=device),
        lambda device: synchronize(device),
        lambda device: describe(device),
        lambda device: side_by_side({"a": lambda: None}, device=device, min_run_time=0.01),
    ],
    ids=["benchmark", "peak_memory", "synchronize", "describe", "side_by_side"],
)
def test_an_unavailable_device_is_a_clear_error(call, device):
    with pytest.raises(ValueError, match=rf"device '{device}' was asked for but is not available"):
        call(device)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_sweep_checks_the_device_before_building_anything():
    built = []
    with pytest.raises(ValueError, match="'cuda' was asked for but is not available"):
        sweep(lambda n: built.append(n) or (lambda: None), {"n": [1, 2]}, device="cuda")
    assert built == []


@pytest.mark.parametrize("device", ["cuda:x", "gpu", "cuda:-1", ""])
def test_a_malformed_device_name_is_a_clear_error(device):
    with pytest.raises(ValueError, match=r"device must be one of \['cuda', 'mps', 'cpu'\]"):
        benchmark(lambda: None, device=device)


def test_seconds_must_be_finite_numbers():
    with pytest.raises(ValueError, match="min_run_time must be finite, got inf"):
        benchmark(lambda: None, min_run_time=float("inf"))
    with pytest.raises(ValueError, match="min_run_time must be finite, got nan"):
        benchmark(lambda: None, min_run_time=float("nan"))
    with pytest.raises(TypeError, match="min_run_time must be a number, got str"):
        benchmark(lambda: None, min_run_time="1")
    assert benchmark(lambda: None, min_run_time=np.float32(0.01)).median > 0


def test_sweep_flags_are_bools():
    with pytest.raises(TypeError, match="progress must be a bool, got str"):
        sweep(lambda n: lambda: None, {"n": [1]}, progress="no")
    with pytest.raises(TypeError, match="measure_memory must be a bool, got int"):
        sweep(lambda n: lambda: None, {"n": [1]}, measure_memory=1)
