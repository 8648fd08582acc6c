"""seqlib.cost: torch's FLOP counter on our models, and the cost arithmetic."""

import pytest
import torch
from torch import nn

from seqlib.cost import (
    cost_per_million_tokens,
    flops_per_token,
    forward_flops,
)
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
