"""Round 5's checkers: the right answer passes, the usual mistakes get their hints."""

from __future__ import annotations

import pytest
import torch

from seqlib.exercises import check_linear_scan, check_seasonal_naive


def linear_scan(a, b, h0):
    A = torch.cumprod(a, dim=1)  # (B, T, H)
    return A * (h0[:, None] + torch.cumsum(b / A, dim=1))


def test_linear_scan_right(capsys):
    assert check_linear_scan(linear_scan)
    assert "✅" in capsys.readouterr().out


def test_linear_scan_loop_also_right(capsys):
    from seqlib.minrnn import scan_sequential

    assert check_linear_scan(scan_sequential)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (
            lambda a, b, h0: torch.cat([h0[:, None], linear_scan(a, b, h0)[:, :-1]], 1),
            "one step late",
        ),
        (lambda a, b, h0: linear_scan(a, b, torch.zeros_like(h0)), "h0 is missing"),
        (lambda a, b, h0: torch.cumsum(b, 1) + h0[:, None], "divided by A_t"),
        (lambda a, b, h0: linear_scan(a, b, h0)[:, 1:], "shape"),
    ],
)
def test_linear_scan_mistakes(wrong, hint, capsys):
    assert not check_linear_scan(wrong)
    out = capsys.readouterr().out
    assert "❌" in out and hint in out


def test_not_done_and_bad_argument(capsys):
    def stub(*args):
        raise NotImplementedError

    assert not check_linear_scan(stub)
    assert not check_seasonal_naive(stub)
    assert capsys.readouterr().out.count("⏳") == 2
    with pytest.raises(TypeError, match="your function itself"):
        check_linear_scan(linear_scan(torch.ones(1, 1, 1), torch.ones(1, 1, 1), torch.ones(1, 1)))


def seasonal_naive(windows, period):
    return windows[:, -period]


def test_seasonal_naive_right(capsys):
    assert check_seasonal_naive(seasonal_naive)
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda w, p: w[:, -1], "last value"),
        (lambda w, p: w[:, -p - 1], "one step too far back"),
        (lambda w, p: w.mean(dim=1), "mean of the window"),
        (lambda w, p: w[:, -p, 0], "shape"),
    ],
)
def test_seasonal_naive_mistakes(wrong, hint, capsys):
    assert not check_seasonal_naive(wrong)
    out = capsys.readouterr().out
    assert "❌" in out and hint in out
