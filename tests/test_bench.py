"""seqlib.bench, smoke-tested: its rows have the columns it prints, and ``main`` runs end to end
(the sweeps cut down to one tiny size: the real figures come from ``python -m seqlib.bench``)."""

from __future__ import annotations

import math

import pytest
import torch

from seqlib import bench

CPU = torch.device("cpu")


def test_lstm_rows_compare_the_same_work():
    (row,) = bench.lstm_rows([3], CPU, rounds=1)
    assert set(row) == {
        "T",
        "seqlib_ms",
        "torch_ms",
        "torch_unfused_ms",
        "ratio",
        "ratio_unfused",
    }
    assert row["T"] == 3 and all(row[k] > 0 for k in row)
    assert math.isclose(row["ratio"], row["seqlib_ms"] / row["torch_ms"])


def test_attention_rows_report_time_and_memory():
    (row,) = bench.attention_rows([8], CPU)
    assert row["T"] == 8 and row["seqlib_ms"] > 0 and row["fused_ms"] > 0
    assert math.isclose(row["ratio"], row["seqlib_ms"] / row["fused_ms"])
    assert row["seqlib_MB"] >= 0 and row["fused_MB"] >= 0


def test_import_seconds_times_a_fresh_interpreter():
    assert 0 < bench.import_seconds("json", repeats=1) < 30


def test_main_prints_every_section(monkeypatch, capsys):
    lstm_rows, attention_rows = bench.lstm_rows, bench.attention_rows
    monkeypatch.setattr(bench, "import_seconds", lambda module, **kwargs: 0.001)
    monkeypatch.setattr(bench, "lstm_rows", lambda lengths, device: lstm_rows([2], device, 1))
    monkeypatch.setattr(bench, "attention_rows", lambda lengths, dev: attention_rows([4], dev))
    bench.main(["--quick"])
    out = capsys.readouterr().out
    assert "# seqlib benchmark on" in out
    for section in ("## import time", "## seqlib.LSTM / nn.LSTM", "## seqlib attention"):
        assert section in out


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_main_on_a_missing_gpu_says_so():
    with pytest.raises(ValueError, match="cuda"):
        bench.main(["--device", "cuda"])
