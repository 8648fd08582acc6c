"""seqlib.edge's words for round 5: the verdict sentences and the experiment's prediction check.

(The calculator and the explorer are tested in tests/test_round5_widgets.py.)
"""

from __future__ import annotations

import pytest

from seqlib.edge import stream_verdict_texts

NUMBERS = dict(
    tokens=1024,
    params={"LSTM": 67_456, "Transformer": 67_200},
    widths={"LSTM": 78, "Transformer": 64},
    ms={"LSTM": 0.1234, "Transformer": 0.2468},
    held={"LSTM": 270_000, "Transformer": 1_317_376},
    threads=1,
    cache_ratio=1024.0,
    cache_width=64,
    int8_fraction=0.3,
    export_diff=2.5e-7,
)


def test_stream_verdict_texts_say_what_was_measured():
    texts = stream_verdict_texts(**NUMBERS)
    assert set(texts) == {"r5.low_latency", "r5.edge"}
    pair = "equal parameters, LSTM 67,456 (d=78) vs Transformer 67,200 (d=64)"
    assert texts["r5.low_latency"] == {
        "measured": f"batch 1, last quarter of 1,024 tokens, {pair}, untrained, 1 thread: "
        "Transformer+KV cache 0.247 ms vs LSTM 0.123 ms per token",
        "note": "",
    }
    assert texts["r5.edge"] == {
        "measured": f"after 1,024 tokens, {pair}: weights + KV cache 1,317,376 B vs weights + "
        "state 270,000 B (the cache alone is 1,024x the state at equal width d=64)",
        "note": "int8 file 30% of float32; exported step vs eager, largest difference 2e-07",
    }
    two = stream_verdict_texts(**{**NUMBERS, "threads": 2})
    assert "untrained, 2 threads:" in two["r5.low_latency"]["measured"]


@pytest.mark.parametrize("field", ["params", "widths", "ms", "held"])
def test_stream_verdict_texts_need_both_fighters(field):
    with pytest.raises(ValueError, match=f"{field} must map exactly"):
        stream_verdict_texts(**{**NUMBERS, field: {"LSTM": 1}})


def test_stream_verdict_texts_bad_counts():
    with pytest.raises(ValueError, match="tokens"):
        stream_verdict_texts(**{**NUMBERS, "tokens": 0})
    with pytest.raises(ValueError, match="threads"):
        stream_verdict_texts(**{**NUMBERS, "threads": 0})


