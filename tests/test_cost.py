"""seqlib.cost: torch's FLOP counter on our models, and the cost arithmetic."""

import pytest
import torch
from torch import nn

from seqlib.claims import CLAIMS
from seqlib.cost import (
    alternating,
    cost_per_million_tokens,
    flops_per_token,
    forward_flops,
    phase_calls,
    ratios_per_repeat,
    smaller_per_repeat,
    twice,
)
from seqlib.measurement import Measurement
from seqlib.models import build_model


def test_a_linear_layer_counts_two_flops_per_multiply_add():
    model = nn.Sequential(nn.Embedding(10, 8), nn.Linear(8, 4))
    tokens = torch.randint(10, (3, 5))
    assert forward_flops(model, tokens) == 2 * 3 * 5 * 8 * 4
    assert flops_per_token(model, tokens) == 2 * 8 * 4


def test_lstm_flops_per_token_do_not_depend_on_length():
    model = build_model("lstm", vocab_size=10, d_model=16, num_classes=4, seed=0)  # seqlib's
    short, long = torch.randint(10, (2, 8)), torch.randint(10, (2, 64))
    per_token = flops_per_token(model, long)
    assert per_token == pytest.approx(flops_per_token(model, short), rel=0.1)
    # the recurrence alone: 2 FLOPs per multiply-add, (d -> 4d) from x and from h
    assert per_token >= 2 * (16 * 64 + 16 * 64)


def test_torchs_fused_lstm_is_invisible_to_the_flop_counter():
    """Documented in seqlib.cost: count seqlib's LSTM, whose matrix products torch can see."""
    ours = build_model("lstm", vocab_size=10, d_model=16, num_classes=4, seed=0)
    fused = build_model("lstm", vocab_size=10, d_model=16, num_classes=4, impl="torch", seed=0)
    tokens = torch.randint(10, (2, 32))
    assert forward_flops(fused, tokens) < 0.1 * forward_flops(ours, tokens)


def test_attention_flops_per_token_grow_with_length():
    model = build_model("transformer", vocab_size=10, d_model=16, nhead=2, num_classes=4, seed=0)
    short, long = torch.randint(10, (2, 8)), torch.randint(10, (2, 256))
    assert flops_per_token(model, long) > 1.5 * flops_per_token(model, short)


def test_cost_per_million_tokens():
    # 1000 tokens/s for an hour is 3.6M tokens; at 3.6 per hour that is 1 per million
    assert cost_per_million_tokens(1000, 3.6) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="tokens_per_second must be a positive number"):
        cost_per_million_tokens(0, 1.0)
    with pytest.raises(ValueError, match="price_per_hour must be a positive number"):
        cost_per_million_tokens(10, -2)
    with pytest.raises(TypeError, match="price_per_hour must be a number"):
        cost_per_million_tokens(10, "2 dollars")


def test_bad_model_or_inputs():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        forward_flops(lambda x: x, torch.zeros(1, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="inputs must be 2-D or 3-D"):
        forward_flops(nn.Linear(2, 2), torch.zeros(2))


# -- the cost calculator (round 4) -------------------------------------------------------------

from seqlib.cost import cost_table, format_cost_table, tokens_per_second  # noqa: E402


def test_tokens_per_second_is_tokens_over_seconds():
    assert tokens_per_second(0.5, 1000) == pytest.approx(2000)
    with pytest.raises(ValueError, match="seconds_per_call"):
        tokens_per_second(0, 1000)
    with pytest.raises(ValueError, match="tokens_per_call"):
        tokens_per_second(1.0, -5)


def test_cost_table_one_row_per_fighter_and_phase():
    rows = cost_table(
        {"LSTM": {"training": 3600.0, "inference": 7200.0}, "T": {"training": 1.0}}, 1.0
    )
    assert [(r.fighter, r.phase) for r in rows] == [
        ("LSTM", "training"),
        ("LSTM", "inference"),
        ("T", "training"),
    ]
    # 3600 tokens/s at 1 per hour: 3600 * 3600 tokens per 1 -> 1e6 tokens cost 1e6 / 3600**2
    assert rows[0].cost_per_million == pytest.approx(1e6 / 3600**2)
    assert rows[1].cost_per_million == pytest.approx(rows[0].cost_per_million / 2)
    assert "LSTM" in format_cost_table(rows) and "per 1M tokens" in format_cost_table(rows)


@pytest.mark.parametrize("price", [0, -1.0, float("nan")])
def test_cost_table_rejects_a_nonsense_price(price):
    with pytest.raises(ValueError, match="price_per_hour"):
        cost_table({"LSTM": {"training": 10.0}}, price)


def test_cost_table_rejects_empty_or_negative_throughput():
    with pytest.raises(ValueError, match="non-empty"):
        cost_table({}, 1.0)
    with pytest.raises(ValueError, match="LSTM inference"):
        cost_table({"LSTM": {"inference": -3.0}}, 1.0)


# ---------------------------------------------------------------------------------------------
# The experiment's checker: a prediction against the measurement, never an exception
# ---------------------------------------------------------------------------------------------




# ---------------------------------------------------------------------------------------------
# Numbers from numpy are numbers; nonsense gets a message naming the argument
# ---------------------------------------------------------------------------------------------


def test_numpy_numbers_are_numbers():
    np = pytest.importorskip("numpy")
    assert tokens_per_second(0.1, np.int64(100)) == pytest.approx(1000)
    assert cost_per_million_tokens(np.float32(1e3), 2.0) == pytest.approx(2 / 3.6)
    rows = cost_table({"LSTM": {"inference": np.float32(3600.0)}}, np.float64(1.0))
    assert type(rows[0].tokens_per_second) is float
    with pytest.raises(ValueError, match="tokens_per_call must be finite"):
        tokens_per_second(0.1, np.float64("inf"))


def test_flops_per_token_checks_inputs_first():
    model = build_model("lstm", vocab_size=10, d_model=8, num_classes=4, seed=0)
    with pytest.raises(TypeError, match="inputs must be a torch.Tensor, got list"):
        flops_per_token(model, [[1, 2]])
    with pytest.raises(ValueError, match="inputs hold no tokens"):
        flops_per_token(model, torch.zeros(0, 4, dtype=torch.long))


def test_format_cost_table_checks_its_rows():
    with pytest.raises(TypeError, match="rows must be CostRows"):
        format_cost_table([{"fighter": "x"}])
    rows = cost_table({"LSTM": {"inference": 10.0}}, 1.0)
    with pytest.raises(TypeError, match="currency must be a str"):
        format_cost_table(rows, currency=1)


# ---------------------------------------------------------------------------------------------
# Timed cost: the calls, one ratio per repeat, and the controls judged by the cost claim's rule
# ---------------------------------------------------------------------------------------------


def test_phase_calls_train_one_model_and_serve_a_copy():
    model = build_model("lstm", vocab_size=10, d_model=8, num_classes=10, seed=0,
                        output="per_step", impl="torch")  # fmt: skip
    x, y = torch.randint(10, (4, 6)), torch.randint(10, (4, 6))
    calls = phase_calls(model, x, y)
    assert set(calls) == {"training", "inference"}
    before = [p.detach().clone() for p in model.parameters()]
    calls["inference"]()
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    calls["training"]()  # one AdamW step changes the weights
    assert not all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert model.training
    with pytest.raises(ValueError, match="same shape"):
        phase_calls(model, x, y[:, :3])


def test_twice_runs_the_call_two_times():
    seen = []
    twice(lambda: seen.append(1))()
    assert seen == [1, 1]
    with pytest.raises(TypeError, match="callable"):
        twice(3)


def test_ratios_per_repeat_divide_turn_by_turn():
    times = {"A": [2.0, 3.0, 4.0], "B": [1.0, 1.5, 4.0]}
    assert ratios_per_repeat(times, "A", "B") == [2.0, 2.0, 1.0]
    with pytest.raises(ValueError, match="no entry 'C'"):
        ratios_per_repeat(times, "C", "B")
    with pytest.raises(ValueError, match="same number"):
        ratios_per_repeat({"A": [1.0], "B": [1.0, 2.0]}, "A", "B")
    with pytest.raises(ValueError, match="positive"):
        ratios_per_repeat({"A": [1.0], "B": [0.0]}, "A", "B")


def test_smaller_per_repeat_takes_the_weaker_phase():
    ratios = {"training": [2.0, 1.0, 3.0], "inference": [1.5, 2.0, 3.5]}
    assert smaller_per_repeat(ratios) == [1.5, 1.0, 3.0]
    with pytest.raises(ValueError, match="same number"):
        smaller_per_repeat({"training": [1.0], "inference": [1.0, 2.0]})
    with pytest.raises(ValueError, match="map each phase"):
        smaller_per_repeat({})


def _judged(fighter, itself, double):
    claim = CLAIMS["biz.cost"]
    m = lambda v: Measurement(v, repeats=len(v))  # noqa: E731
    return claim.assess(m(fighter), controls={"lstm_vs_itself": m(itself),
                                              "planted_double": m(double)})  # fmt: skip


def test_cost_rule_and_its_controls_reach_each_verdict():
    one, two = [0.97, 1.02, 1.0, 0.99, 1.03], [1.9, 2.0, 2.1, 2.05, 1.95]
    assert _judged([2.2, 2.4, 2.3, 2.1, 2.5], one, two).verdict == "confirmed"
    assert _judged([1.0, 0.9, 1.02, 0.95, 0.98], one, two).verdict == "refuted"
    assert _judged([1.1, 1.4, 1.3, 1.2, 1.5], one, two).verdict == "nuanced"
    # a timer that makes everything look dear: the same model against itself is "confirmed"
    broken = _judged([2.2, 2.4, 2.3, 2.1, 2.5], [1.5, 1.6, 1.4, 1.5, 1.6], two)
    assert broken.rule_verdict == "confirmed" and broken.verdict == "inconclusive"
    # a timer that hides every cost: even the planted 2x is refuted
    blind = _judged([1.0, 0.9, 1.02, 0.95, 0.98], one, [1.0, 1.01, 0.99, 1.0, 1.02])
    assert blind.rule_verdict == "refuted" and blind.verdict == "inconclusive"


def test_cost_grid_is_registered():
    grid = CLAIMS["biz.cost"].grid_for("quick")
    assert {"batch", "context", "threads", "repeats"} <= set(grid)
    assert grid["repeats"] >= 5


def test_alternating_times_calls_in_turns_one_median_per_repeat():
    order, ticks = [], iter(range(10_000))
    calls = {"A": lambda: order.append("A"), "B": lambda: order.append("B")}
    times = alternating(calls, repeats=3, rounds=4, warmup=1, clock=lambda: float(next(ticks)))
    assert order[:2] == ["A", "B"] and order.count("A") == order.count("B") == 1 + 3 * 4
    assert all(a != b for a, b in zip(order, order[1:], strict=False))  # in turns, call by call
    assert {name: len(v) for name, v in times.items()} == {"A": 3, "B": 3}
    assert all(v == 1.0 for values in times.values() for v in values)  # one tick per call
    assert torch.get_num_threads() >= 1
    with pytest.raises(ValueError, match="non-empty"):
        alternating({})
    with pytest.raises(TypeError, match="callable"):
        alternating({"A": 3})


def test_alternating_sees_a_planted_double():
    work = torch.randn(200, 200)
    once = lambda: work @ work  # noqa: E731
    times = alternating({"twice": twice(once), "once": once}, repeats=5, rounds=10)
    ratios = ratios_per_repeat(times, "twice", "once")
    assert all(1.3 < r < 3.0 for r in ratios), ratios
