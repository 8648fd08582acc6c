"""Round 4's exercise checkers: right answers pass, the usual mistakes get their hint."""

import pytest

from seqlib.exercises import check_cost_per_million, check_crossover


def cost_right(tokens_per_second, price_per_hour):
    return price_per_hour / (tokens_per_second * 3600) * 1e6


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (lambda r, p: p / r * 1e6, "per HOUR"),
        (lambda r, p: p / (r * 3600), "ONE token"),
        (lambda r, p: p / (r * 60) * 1e6, "3600 seconds"),
        (lambda r, p: r * 3600 / p / 1e6, "upside down"),
        (lambda r, p: 42.0, "a million tokens take"),
    ],
)
def test_cost_mistakes_get_their_hint(fn, hint, capsys):
    assert check_cost_per_million(fn) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and hint in out


def test_cost_right_passes_and_not_done_waits(capsys):
    assert check_cost_per_million(cost_right) is True
    assert capsys.readouterr().out.startswith("✅")

    def stub(tokens_per_second, price_per_hour):
        raise NotImplementedError

    assert check_cost_per_million(stub) is False
    assert capsys.readouterr().out.startswith("⏳")
    assert check_cost_per_million(lambda r, p: 1 / 0) is False
    assert "ZeroDivisionError" in capsys.readouterr().out
    assert check_cost_per_million(lambda r, p: "cheap") is False
    assert "should be a number" in capsys.readouterr().out
    with pytest.raises(TypeError, match="your function itself"):
        check_cost_per_million(cost_right(1.0, 1.0))


def crossover_right(sizes, acc_lstm, acc_transformer):
    for size, a, b in zip(sizes, acc_lstm, acc_transformer, strict=True):
        if b >= a:
            return size
    return None


def crossover_last(sizes, acc_lstm, acc_transformer):
    found = None
    for size, a, b in zip(sizes, acc_lstm, acc_transformer, strict=True):
        if b >= a:
            found = size
    return found


def crossover_index(sizes, acc_lstm, acc_transformer):
    for i, (a, b) in enumerate(zip(acc_lstm, acc_transformer, strict=True)):
        if b >= a:
            return i
    return None


def crossover_strict(sizes, acc_lstm, acc_transformer):
    for size, a, b in zip(sizes, acc_lstm, acc_transformer, strict=True):
        if b > a:
            return size
    return None


def crossover_minus_one(sizes, acc_lstm, acc_transformer):
    return crossover_right(sizes, acc_lstm, acc_transformer) or -1


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (crossover_last, "LAST size"),
        (crossover_index, "index"),
        (crossover_strict, ">="),
        (crossover_minus_one, "return None"),
    ],
)
def test_crossover_mistakes_get_their_hint(fn, hint, capsys):
    assert check_crossover(fn) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and hint in out


def test_crossover_right_passes_and_not_done_waits(capsys):
    assert check_crossover(crossover_right) is True
    assert capsys.readouterr().out.startswith("✅")

    def stub(sizes, acc_lstm, acc_transformer):
        raise NotImplementedError

    assert check_crossover(stub) is False
    assert capsys.readouterr().out.startswith("⏳")
    assert check_crossover(lambda s, a, b: s[99]) is False
    assert "IndexError" in capsys.readouterr().out
