"""Device choice, synchronised timing, peak memory and sweeps: measuring speed honestly.

Four pitfalls make naive timings of neural networks wrong, and this module avoids each one:

1. **No warm-up.** The first call pays for memory allocation, kernel selection and caches.
   :func:`benchmark` calls the function ``warmup`` times before it starts the clock.
2. **No synchronisation.** On a GPU, a call returns as soon as the work is *queued*. The clock
   must wait for the device to finish: ``torch.utils.benchmark`` synchronises the accelerator
   around every block of calls (CUDA always; in recent torch any accelerator through
   ``torch.accelerator``), and :func:`benchmark` also synchronises MPS after every call, for
   torch versions whose timer only knows CUDA.
3. **One thread.** ``torch.utils.benchmark.Timer`` runs with ``num_threads=1`` unless told
   otherwise, whatever your machine has. :func:`benchmark` always passes the thread count
   explicitly (by default ``torch.get_num_threads()``) and records it next to the result.
4. **One noisy number.** A single run says little. :func:`benchmark` reports the median and
   the interquartile range (IQR) of many measurements (``blocked_autorange``).

Example::

    t = benchmark(lambda: model(x), label="lstm T=100")
    print(t)                  # lstm T=100: 1.23 ms ± 0.05 (median, IQR; 2 threads, cpu)
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from seqlib._validate import check_bool, check_finite, check_positive_int

__all__ = [
    "Timing",
    "as_device",
    "benchmark",
    "describe",
    "fit_slope",
    "peak_memory",
    "pick_device",
    "rss_peak_mb",
    "interleaved",
    "side_by_side",
    "sweep",
    "synchronize",
]

DEVICE_TYPES = ("cuda", "mps", "cpu")


# ---------------------------------------------------------------------------------------------
# Devices
# ---------------------------------------------------------------------------------------------


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def _available(device_type: str) -> bool:
    if device_type == "cuda":
        return torch.cuda.is_available()
    if device_type == "mps":
        return _mps_available()
    return device_type == "cpu"


def as_device(device: str | torch.device | None, *, here: bool = True) -> torch.device:
    """``device`` as a ``torch.device`` (``None``: the CPU).

    ``ValueError`` for a device type seqlib does not know and, with ``here`` (the default), for
    a device this machine does not have (a CUDA index included); ``TypeError`` for a non-device.
    """
    if device is None:
        return torch.device("cpu")
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"device must be a str or torch.device, got {type(device).__name__}")
    try:
        device = torch.device(device)
    except RuntimeError as error:
        raise ValueError(f"device must be one of {list(DEVICE_TYPES)}, got {device!r}") from error
    if device.type not in DEVICE_TYPES:
        raise ValueError(f"device must be one of {list(DEVICE_TYPES)}, got {device.type!r}")
    if here:
        found = _available(device.type)
        if found and device.type == "cuda" and device.index is not None:
            found = device.index < torch.cuda.device_count()
        if not found:
            available = [name for name in DEVICE_TYPES if _available(name)]
            raise ValueError(
                f"device {str(device)!r} was asked for but is not available on this machine; "
                f"available: {available}"
            )
    return device


def pick_device(prefer: str | torch.device | None = None) -> torch.device:
    """The device to run on: CUDA if available, else MPS (Apple GPU) if available, else the CPU.

    ``prefer`` (``"cuda"``, ``"cuda:1"``, ``"mps"``, ``"cpu"``) forces a device and raises
    ``ValueError`` if it is not available here.
    """
    if prefer is not None:
        return as_device(prefer)
    for name in DEVICE_TYPES:
        if _available(name):
            return torch.device(name)
    return torch.device("cpu")  # not reached: the CPU is always available


def describe(device: str | torch.device | None = None) -> str:
    """One line naming the device, the CPU thread count and the torch version.

    For example ``"cpu, 2 threads, torch 2.13.0"`` or
    ``"cuda (Tesla T4), 2 threads, torch 2.13.0"``.
    """
    device = as_device(device)
    name = device.type
    if device.type == "cuda" and torch.cuda.is_available():
        name = f"cuda ({torch.cuda.get_device_name(device)})"
    elif device.type == "mps":
        name = "mps (Apple GPU)"
    threads = torch.get_num_threads()
    return f"{name}, {threads} thread{'s' if threads != 1 else ''}, torch {torch.__version__}"


def synchronize(device: str | torch.device | None = None) -> None:
    """Wait until all queued work on ``device`` has finished (a no-op on the CPU)."""
    device = as_device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


def _format_seconds(seconds: float) -> tuple[float, str]:
    """Pick a readable unit: ``(value, unit)`` in s, ms or µs."""
    if seconds >= 1.0:
        return seconds, "s"
    if seconds >= 1e-3:
        return seconds * 1e3, "ms"
    return seconds * 1e6, "µs"


@dataclass(frozen=True)
class Timing:
    """The result of :func:`benchmark`: seconds per call of the timed function.

    ``median`` and ``iqr`` (interquartile range) are in seconds per call; ``measurements`` is the
    number of timed blocks they summarise; ``threads`` the CPU threads torch used; ``device``
    where the function ran.
    """

    label: str
    median: float
    iqr: float
    measurements: int
    threads: int
    device: str

    def __str__(self) -> str:
        value, unit = _format_seconds(self.median)
        spread = self.iqr * value / self.median if self.median > 0 else 0.0
        prefix = f"{self.label}: " if self.label else ""
        return (
            f"{prefix}{value:.3g} {unit} ± {spread:.2g} (median, IQR; "
            f"{self.threads} thread{'s' if self.threads != 1 else ''}, {self.device})"
        )

    def to_record(self) -> dict[str, Any]:
        """A flat dict (for tables and JSON): label, median_s, iqr_s, measurements, ..."""
        record = asdict(self)
        record["median_s"] = record.pop("median")
        record["iqr_s"] = record.pop("iqr")
        return record


def _check_callable(fn: object, name: str = "fn") -> None:
    if not callable(fn):
        raise TypeError(f"{name} must be a zero-argument callable, got {type(fn).__name__}")


def _check_seconds(value: object, name: str) -> float:
    seconds = check_finite(value, name)
    if not seconds > 0:
        raise ValueError(f"{name} must be > 0 seconds, got {value}")
    return seconds


def _synchronised(fn: Callable[[], object]) -> Callable[[], None]:
    """``fn`` followed by waiting for the MPS device: the timer of older torch versions
    synchronises CUDA only, so an MPS call would otherwise be timed when queued, not done."""

    def call() -> None:
        fn()
        torch.mps.synchronize()

    return call


def benchmark(
    fn: Callable[[], object],
    *,
    label: str = "",
    threads: int | None = None,
    min_run_time: float = 0.2,
    device: str | torch.device | None = None,
    warmup: int = 1,
) -> Timing:
    """Time ``fn()`` with ``torch.utils.benchmark``: warm-up, synchronisation, median and IQR.

    Args:
        fn: a zero-argument callable; everything it does is timed, so build inputs outside.
        label: a name for the printed result.
        threads: CPU threads for torch during the measurement. ``None`` uses
            ``torch.get_num_threads()``. (``torch.utils.benchmark.Timer`` itself defaults to
            1 thread, which is why this is always passed explicitly.)
        min_run_time: seconds of measurement to collect at least (``blocked_autorange``).
        device: where ``fn`` runs (``None``: the CPU); used to synchronise and to label.
        warmup: calls of ``fn`` before the clock starts (>= 0).
    """
    _check_callable(fn)
    if not isinstance(label, str):
        raise TypeError(f"label must be a str, got {type(label).__name__}")
    threads = torch.get_num_threads() if threads is None else check_positive_int(threads, "threads")
    min_run_time = _check_seconds(min_run_time, "min_run_time")
    warmup = check_positive_int(warmup, "warmup", allow_zero=True)
    device = as_device(device)

    timed = _synchronised(fn) if device.type == "mps" else fn

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        for _ in range(warmup):
            timed()
        synchronize(device)
    finally:
        torch.set_num_threads(previous)

    from torch.utils.benchmark import Timer  # imported here: it adds 0.1 s to `import seqlib`

    timer = Timer(stmt="fn()", globals={"fn": timed}, num_threads=threads, label=label)
    measurement = timer.blocked_autorange(min_run_time=min_run_time)
    return Timing(
        label=label,
        median=float(measurement.median),
        iqr=float(measurement.iqr),
        measurements=len(measurement.times),
        threads=threads,
        device=str(device),
    )


# ---------------------------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------------------------


def _peak_memory_cuda(fn: Callable[[], object], device: torch.device) -> int:
    torch.cuda.synchronize(device)
    before = torch.cuda.memory_allocated(device)
    torch.cuda.reset_peak_memory_stats(device)
    fn()
    torch.cuda.synchronize(device)
    return max(0, torch.cuda.max_memory_allocated(device) - before)


def _peak_memory_mps(fn: Callable[[], object], interval: float = 1e-3) -> int:
    """Best effort: sample ``torch.mps.current_allocated_memory()`` from a thread every ms.

    MPS keeps no peak counter, so a short-lived allocation between two samples can be missed:
    read the result as a lower bound.
    """
    torch.mps.synchronize()
    before = torch.mps.current_allocated_memory()
    samples = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(torch.mps.current_allocated_memory())
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        fn()
        torch.mps.synchronize()
        samples.append(torch.mps.current_allocated_memory())
    finally:
        done.set()
        sampler.join()
    return max(0, max(samples) - before)


def _peak_memory_cpu(fn: Callable[[], object]) -> int:
    """Replay the profiler's allocation events in time order; return the running sum's peak.

    With ``profile_memory=True`` the profiler records one ``[memory]`` event per allocation
    (positive ``nbytes``) and per free (negative ``nbytes``), each with a timestamp. Summed in
    time order they give the bytes held by tensors created during ``fn``, relative to the start;
    the maximum of that running sum is the peak.
    """
    from torch.autograd import DeviceType
    from torch.profiler import ProfilerActivity, profile

    # Kineto (the profiler's engine) prints two log lines per run at its default level; in a
    # notebook they would show under every cell. Level 6 silences them (set before first use;
    # export KINETO_LOG_LEVEL yourself to choose another level).
    os.environ.setdefault("KINETO_LOG_LEVEL", "6")
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    # prof.events() keeps only memory events outside any operator, so read the raw events.
    # (MKLDNN and IDEEP are oneDNN's CPU buffers; torch's profiler counts them as CPU too.)
    cpu = (DeviceType.CPU, DeviceType.MKLDNN, DeviceType.IDEEP)
    events = [
        (event.start_ns(), event.nbytes())
        for event in prof.profiler.kineto_results.events()
        if event.name() == "[memory]" and event.device_type() in cpu
    ]
    return _running_peak(events)


def _running_peak(events: Sequence[tuple[int, int]]) -> int:
    """Peak of the running sum of signed byte counts ``(time, nbytes)``, in time order, >= 0."""
    held, peak = 0, 0
    for _, nbytes in sorted(events):
        held += nbytes
        peak = max(peak, held)
    return peak


def peak_memory(fn: Callable[[], object], device: str | torch.device | None = None) -> int:
    """Peak bytes held by tensors allocated while ``fn()`` ran, above what was held before.

    ``fn`` is called once. How it is measured depends on ``device`` (``None``: the CPU):

    - CUDA: ``torch.cuda.reset_peak_memory_stats`` then ``torch.cuda.max_memory_allocated``
      minus the bytes allocated before.
    - MPS: best effort, sampling ``torch.mps.current_allocated_memory()`` every millisecond
      (MPS has no peak counter; a very short-lived peak can be missed).
    - CPU: ``torch.profiler`` with ``profile_memory=True`` records every allocation and free;
      the peak of their running sum in time order. Only tensor memory counts (not Python
      objects, not the allocator's caches), which is what the T×T attention matrix costs.
    """
    _check_callable(fn)
    device = as_device(device)
    if device.type == "cuda":
        return _peak_memory_cuda(fn, device)
    if device.type == "mps":
        return _peak_memory_mps(fn)
    return _peak_memory_cpu(fn)


def rss_peak_mb() -> float | None:
    """The process's peak resident memory (RAM high-water mark) so far, in MB.

    From ``resource.getrusage``: Linux reports kilobytes, macOS bytes; both are converted.
    Returns ``None`` where the ``resource`` module does not exist (Windows).
    """
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    bytes_ = peak if sys.platform == "darwin" else peak * 1024
    return bytes_ / 2**20


# ---------------------------------------------------------------------------------------------
# Sweeps and slopes
# ---------------------------------------------------------------------------------------------


def _check_grid(grid: object) -> dict[str, list]:
    """``grid`` must map parameter names to non-empty lists of values."""
    if not isinstance(grid, dict):
        raise TypeError(f"grid must be a dict {{name: list of values}}, got {type(grid).__name__}")
    if not grid:
        raise ValueError("grid must name at least one parameter, got an empty dict")
    for key, values in grid.items():
        if not isinstance(key, str):
            raise TypeError(f"grid keys must be parameter names (str), got {key!r}")
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise ValueError(f"grid[{key!r}] must be a non-empty list of values, got {values!r}")
    return grid


def sweep(
    fn: Callable[..., Callable[[], object]],
    grid: dict[str, list],
    *,
    threads: int | None = None,
    min_run_time: float = 0.2,
    device: str | torch.device | None = None,
    measure_memory: bool = False,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Time a function over every combination of parameters; return one record per combination.

    ``fn(**params)`` is called for every combination of ``grid`` (``itertools.product`` of its
    values, in order) and must *return* a zero-argument callable: building models and inputs
    happens in ``fn``, outside the clock, and only the returned callable is timed with
    :func:`benchmark`.

    Each record holds the parameters plus ``median_s``, ``iqr_s``, ``threads``, ``device``
    (and ``peak_bytes`` from :func:`peak_memory` with ``measure_memory=True``): a tidy list,
    ready for ``pandas.DataFrame(records)`` or a plot.
    """
    _check_callable(fn)
    grid = _check_grid(grid)
    device = as_device(device)  # before anything is built
    measure_memory = check_bool(measure_memory, "measure_memory")
    progress = check_bool(progress, "progress")
    from tqdm.auto import tqdm

    names = list(grid)
    combos = list(itertools.product(*grid.values()))
    records = []
    for values in tqdm(combos, desc="sweep", leave=False, disable=not progress):
        params = dict(zip(names, values, strict=True))
        run = fn(**params)
        if not callable(run):
            raise TypeError(
                "fn(**params) must return a zero-argument callable to time, got "
                f"{type(run).__name__} for {params}"
            )
        label = ", ".join(f"{k}={v}" for k, v in params.items())
        timing = benchmark(
            run, label=label, threads=threads, min_run_time=min_run_time, device=device
        )
        record = {**params, "median_s": timing.median, "iqr_s": timing.iqr}
        record.update(threads=timing.threads, device=timing.device)
        if measure_memory:
            record["peak_bytes"] = peak_memory(run, device=device)
        records.append(record)
    return records


def interleaved(
    calls: Mapping[str, Callable[[], object]],
    *,
    repeats: int = 5,
    threads: int | None = None,
    min_run_time: float = 0.2,
    device: str | torch.device | None = None,
) -> dict[str, list[float]]:
    """Time several callables in turns, ``repeats`` times; return name -> one median per repeat.

    Each repeat times every callable of ``calls`` once with :func:`benchmark`, one right after
    the other, so that another program busy on the machine slows them alike. A timed claim is
    judged on every repeat (a ratio per repeat: ``[a / b for a, b in zip(t["A"], t["B"])]``),
    like a trained claim on every seed.
    """
    if not isinstance(calls, Mapping) or not calls:
        raise ValueError(f"calls must be a non-empty mapping {{name: callable}}, got {calls!r}")
    for name, fn in calls.items():
        _check_callable(fn, f"calls[{name!r}]")
    repeats = check_positive_int(repeats, "repeats")
    device = as_device(device)
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, fn in calls.items():
            timing = benchmark(
                fn, label=str(name), threads=threads, min_run_time=min_run_time, device=device
            )
            times[name].append(timing.median)
    return times


def side_by_side(
    calls: Mapping[str, Callable[[], object]],
    *,
    rounds: int = 3,
    threads: int | None = None,
    min_run_time: float = 0.2,
    device: str | torch.device | None = None,
) -> dict[str, float]:
    """Time several callables in turns, ``rounds`` times; return name -> fastest median (s).

    The fastest of the ``rounds`` medians of :func:`interleaved` is kept (a busy machine can
    only ever *add* time).
    """
    rounds = check_positive_int(rounds, "rounds")
    times = interleaved(
        calls, repeats=rounds, threads=threads, min_run_time=min_run_time, device=device
    )
    return {name: min(values) for name, values in times.items()}


def fit_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Slope of ``log(y)`` against ``log(x)`` by least squares: the exponent ``k`` in y ~ x^k.

    On a log-log plot a cost growing like ``T`` has slope 1, like ``T²`` slope 2. All values
    must be positive and finite, with at least two distinct ``xs``.
    """
    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"xs and ys must be 1-D sequences of equal length, got shapes {x.shape} and {y.shape}"
        )
    if len(np.unique(x)) < 2:
        raise ValueError(f"need at least two distinct xs to fit a slope, got {x.tolist()}")
    for name, values in (("xs", x), ("ys", y)):
        if not np.all(np.isfinite(values)) or np.any(values <= 0):
            raise ValueError(
                f"{name} must all be positive and finite for a log-log fit, got {values.tolist()}"
            )
    slope, _ = np.polyfit(np.log(x), np.log(y), deg=1)
    return float(slope)
