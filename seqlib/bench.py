"""Side-by-side benchmarks of seqlib against torch's own modules: ``python -m seqlib.bench``.

Prints, measured in one run on this machine:

1. seqlib's import time (and torch's, which most of it is);
2. ``seqlib.LSTM`` forward+backward time over ``torch.nn.LSTM``'s (batch 32, 128 -> 64);
3. seqlib's attention over torch's fused ``scaled_dot_product_attention``, time and peak memory,
   for growing sequence length (seqlib stores the T x T weights; the fused kernel does not).

Ratios, not absolute times, are the point: both sides run in the same process, with the same
thread count, one after the other. ``--quick`` trims the sweep.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import warnings

import torch
import torch.nn.functional as F
from torch import nn

from seqlib.attention import scaled_dot_product_attention
from seqlib.lstm import LSTM
from seqlib.timing import benchmark, describe, peak_memory, pick_device

__all__ = [
    "attention_rows",
    "import_seconds",
    "lstm_rows",
    "main",
]


def import_seconds(module: str, *, after: str = "", repeats: int = 3) -> float:
    """Best-of-``repeats`` wall time of ``import module`` in a fresh interpreter that has
    already imported ``after`` (so that ``after``'s own import time is left out)."""
    pre = f"import {after}; " if after else ""
    code = f"{pre}import time; t = time.perf_counter(); import {module}; "
    code += "print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(repeats)
    ]
    return min(runs)


def lstm_rows(lengths: list[int], device: torch.device, rounds: int = 3) -> list[dict]:
    """Forward+backward of seqlib.LSTM and nn.LSTM with identical weights.

    On a CPU in float32, ``nn.LSTM`` runs oneDNN's fused LSTM kernel; with oneDNN switched off
    it runs torch's own step-by-step C++ loop, the same algorithm as seqlib's Python loop. The
    three are timed in turns, ``rounds`` times, so that a busy machine slows them alike.
    """
    rows = []
    ref = nn.LSTM(128, 64, batch_first=True).to(device)
    ours = LSTM.from_torch(ref).to(device)
    for T in lengths:
        x = torch.randn(32, T, 128, device=device, requires_grad=True)

        def fused(x: torch.Tensor = x) -> None:
            ref(x)[0].sum().backward()

        def unfused(x: torch.Tensor = x) -> None:
            with warnings.catch_warnings():  # torch warns about Intel-GPU TF32 on any toggle
                warnings.simplefilter("ignore", UserWarning)
                with torch.backends.mkldnn.flags(enabled=False):
                    ref(x)[0].sum().backward()

        def scratch(x: torch.Tensor = x) -> None:
            ours(x)[0].sum().backward()

        runs = {"torch": fused, "torch_unfused": unfused, "seqlib": scratch}
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(rounds):
            for name, fn in runs.items():
                times[name].append(benchmark(fn, label=name, device=device).median)
        ms = {name: statistics.median(t) * 1e3 for name, t in times.items()}
        rows.append(
            {
                "T": T,
                **{f"{k}_ms": v for k, v in ms.items()},
                "ratio": ms["seqlib"] / ms["torch"],
                "ratio_unfused": ms["seqlib"] / ms["torch_unfused"],
            }
        )
    return rows


def attention_rows(lengths: list[int], device: torch.device) -> list[dict]:
    """Forward attention, (B=4, heads=4, T, 32): seqlib's (keeps weights) against torch's fused."""
    rows = []
    for T in lengths:
        q, k, v = (torch.randn(4, 4, T, 32, device=device) for _ in range(3))

        def ours(q=q, k=k, v=v) -> torch.Tensor:
            return scaled_dot_product_attention(q, k, v)[0]

        def fused(q=q, k=k, v=v) -> torch.Tensor:
            return F.scaled_dot_product_attention(q, k, v)

        with torch.no_grad():
            t_ours = benchmark(ours, label=f"seqlib T={T}", device=device)
            t_fused = benchmark(fused, label=f"fused T={T}", device=device)
            m_ours = peak_memory(ours, device=device)
            m_fused = peak_memory(fused, device=device)
        rows.append(
            {
                "T": T,
                "seqlib_ms": t_ours.median * 1e3,
                "fused_ms": t_fused.median * 1e3,
                "ratio": t_ours.median / t_fused.median,
                "seqlib_MB": m_ours / 2**20,
                "fused_MB": m_fused / 2**20,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter sweeps")
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda or mps")
    args = parser.parse_args(argv)
    device = pick_device(args.device)
    print(f"# seqlib benchmark on {describe(device)}")

    print("\n## import time (fresh interpreter, best of 3)")
    t_torch, t_own = import_seconds("torch"), import_seconds("seqlib", after="torch")
    print(f"import torch                    : {t_torch * 1e3:6.0f} ms")
    print(f"import seqlib (torch already in): {t_own * 1e3:6.0f} ms")

    print("\n## seqlib.LSTM / nn.LSTM, forward+backward, batch 32, 128 -> 64 (target <= 1.5x)")
    print("   (nn.LSTM uses oneDNN's fused kernel on a CPU; 'unfused' switches oneDNN off)")
    print(
        f"{'T':>6} {'seqlib ms':>10} {'torch ms':>10} {'ratio':>7} {'unfused ms':>11} {'ratio':>7}"
    )
    for r in lstm_rows([100] if args.quick else [100, 1000], device):
        print(
            f"{r['T']:>6} {r['seqlib_ms']:>10.2f} {r['torch_ms']:>10.2f} {r['ratio']:>6.2f}x "
            f"{r['torch_unfused_ms']:>11.2f} {r['ratio_unfused']:>6.2f}x"
        )

    print("\n## seqlib attention / torch fused attention, forward, (4, 4 heads, T, 32)")
    print(
        f"{'T':>6} {'seqlib ms':>10} {'fused ms':>10} {'ratio':>7} {'seqlib MB':>10} "
        f"{'fused MB':>9}"
    )
    lengths = [64, 256] if args.quick else [64, 128, 256, 512, 1024, 2048]
    for r in attention_rows(lengths, device):
        print(
            f"{r['T']:>6} {r['seqlib_ms']:>10.2f} {r['fused_ms']:>10.2f} {r['ratio']:>6.2f}x "
            f"{r['seqlib_MB']:>10.1f} {r['fused_MB']:>9.1f}"
        )


if __name__ == "__main__":
    main()
