"""Round 1 (memory power): one LSTM step, attention weights, what each fighter remembers."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from seqlib.exercises.harness import (
    MATMUL_HINTS,
    Failed,
    as_number,
    as_tensor,
    call_learner,
    close,
    first_match,
    report,
    require_callable,
)

__all__ = [
    "check_attention_weights",
    "check_lstm_step",
    "check_memory_sizes",
]


# ---------------------------------------------------------------------------------------------
# Exercise: one LSTM step
# ---------------------------------------------------------------------------------------------


def _lstm_inputs(batch: int, inputs: int, hidden: int, seed: int) -> dict[str, Tensor]:
    """Random x (B, I), h and c (B, H), weights (4H, I) and (4H, H), biases (4H,)."""
    gen = torch.Generator().manual_seed(seed)

    def randn(*shape: int) -> Tensor:
        return torch.randn(*shape, generator=gen)

    return {
        "x": randn(batch, inputs),
        "h": randn(batch, hidden),
        "c": randn(batch, hidden),
        "weight_ih": randn(4 * hidden, inputs) * 0.5,
        "weight_hh": randn(4 * hidden, hidden) * 0.5,
        "bias_ih": randn(4 * hidden) * 0.5,
        "bias_hh": randn(4 * hidden) * 0.5,
    }


def _lstm_reference(data: dict[str, Tensor]) -> tuple[Tensor, Tensor]:
    """torch.nn.LSTMCell with the given weights: the answer."""
    hidden, inputs = data["weight_hh"].shape[1], data["weight_ih"].shape[1]
    cell = torch.nn.LSTMCell(inputs, hidden)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(data[name])
        return cell(data["x"], (data["h"], data["c"]))


def _lstm_variant(
    data: dict[str, Tensor],
    *,
    order: str = "ifgo",
    g_act: Callable[[Tensor], Tensor] = torch.tanh,
    tanh_c: bool = True,
    use_h: bool = True,
    use_c: bool = True,
    bias: str = "both",
) -> tuple[Tensor, Tensor]:
    """One LSTM step, right (the defaults) or with one of the usual mistakes.

    ``order`` names the gate the learner read from each of the four stacked blocks.
    """
    gates = data["x"] @ data["weight_ih"].T  # (B, 4H)
    if use_h:
        gates = gates + data["h"] @ data["weight_hh"].T
    if bias in ("both", "ih"):
        gates = gates + data["bias_ih"]
    if bias == "both":
        gates = gates + data["bias_hh"]
    blocks = dict(zip(order, gates.chunk(4, dim=-1), strict=True))  # gate name -> (B, H)
    i, f, o = (torch.sigmoid(blocks[name]) for name in "ifo")
    g = g_act(blocks["g"])
    c = (f * data["c"] if use_c else 0) + i * g
    h = o * torch.tanh(c) if tanh_c else o * c
    return h, c


def _lstm_mistakes(data: dict[str, Tensor]) -> list[tuple[str, dict[str, Any]]]:
    """(hint, arguments of ``_lstm_variant``) for each usual mistake."""
    mistakes: list[tuple[str, dict[str, Any]]] = [
        (
            "g (the cell candidate) needs tanh, not sigmoid: it is the new content, in (-1, 1), "
            "while i, f and o are gates, in (0, 1).",
            {"g_act": torch.sigmoid},
        ),
        ("h_new = o * tanh(c_new): the tanh of the cell state is missing.", {"tanh_c": False}),
        (
            "the recurrent term is missing: every gate also gets h @ weight_hh.T (that is how "
            "the past steers the gates).",
            {"use_h": False},
        ),
        (
            "c_new = f * c + i * g: the old cell state's term f * c is missing, so nothing is "
            "remembered.",
            {"use_c": False},
        ),
        ("the biases are missing: add bias_ih and bias_hh to the gates.", {"bias": "none"}),
        ("bias_hh is missing: torch adds both bias_ih and bias_hh.", {"bias": "ih"}),
    ]
    for order in itertools.permutations("ifgo"):
        if order != tuple("ifgo"):
            mistakes.append(
                (
                    f"your gates come out in the order {', '.join(order)}: torch stacks the four "
                    "blocks of weight_ih and weight_hh as i, f, g, o (input gate, forget gate, "
                    "cell candidate, output gate). Use `i, f, g, o = gates.chunk(4, dim=1)`.",
                    {"order": "".join(order)},
                )
            )
    return mistakes


def _unpack_pair(result: object, names: str, batch: int, hidden: int) -> tuple[Tensor, Tensor]:
    """The learner's result must be a pair of (B, H) tensors."""
    if isinstance(result, Tensor):
        raise Failed(
            f"Your function returned one tensor of shape {tuple(result.shape)}; it should return "
            f"two, {names}.\n   HINT: end with `return h_new, c_new`."
        )
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        size = f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""
        raise Failed(
            f"Your function should return a pair {names}, got {type(result).__name__}{size}."
        )
    first = as_tensor(result[0], "h_new (the first returned value)")
    second = as_tensor(result[1], "c_new (the second returned value)")
    for what, value in (("h_new", first), ("c_new", second)):
        if value.shape != (batch, hidden):
            hint = (
                "that is the four stacked gates: split them with `.chunk(4, dim=1)`."
                if value.shape == (batch, 4 * hidden)
                else "check the transposes and which dimension you split or sum over."
            )
            raise Failed(
                f"{what} should have shape (B, H) = {(batch, hidden)}, got {tuple(value.shape)}."
                f"\n   HINT: {hint}"
            )
    return first, second


def _diagnose_lstm_step(fn: Callable[..., Any], batch: int, inputs: int, hidden: int, seed: int):
    data = _lstm_inputs(batch, inputs, hidden, seed)
    args = [data[name].clone() for name in data]  # clones: an in-place edit can't spoil ours
    result = call_learner(fn, *args, exception_hints=MATMUL_HINTS)
    h, c = _unpack_pair(result, "(h_new, c_new)", batch, hidden)
    h_ref, c_ref = _lstm_reference(data)
    if close(h, h_ref) and close(c, c_ref):
        return
    if close(h, c_ref) and close(c, h_ref):
        raise Failed(
            "Your h_new and c_new are right but swapped.\n   HINT: return them in torch's "
            "order: `return h_new, c_new`."
        )
    for hint, kwargs in _lstm_mistakes(data):
        h_wrong, c_wrong = _lstm_variant(data, **kwargs)
        if close(h, h_wrong) and close(c, c_wrong):
            raise Failed(f"The values differ from torch.nn.LSTMCell.\n   HINT: {hint}")
    wrong = "c_new is right but h_new differs" if close(c, c_ref) else "h_new and c_new differ"
    raise Failed(
        f"{wrong} from torch.nn.LSTMCell (max difference "
        f"{(h - h_ref).abs().max().item():.3g} in h_new).\n   HINT: compare each line with the "
        "equations: gates = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, split as i, f, g, o; "
        "sigmoid for i, f, o, tanh for g; c_new = f * c + i * g; h_new = o * tanh(c_new)."
    )


def check_lstm_step(fn: Callable[..., Any]) -> bool:
    """Check ``fn(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh) -> (h_new, c_new)``.

    Shapes: x (B, I); h and c (B, H); weight_ih (4H, I) and weight_hh (4H, H), the blocks
    stacked i, f, g, o like torch's; bias_ih and bias_hh (4H,). Returns h_new and c_new (B, H).
    The reference is ``torch.nn.LSTMCell`` with the same weights, on two random batches.
    """
    require_callable(fn, "check_lstm_step")

    def run() -> str:
        _diagnose_lstm_step(fn, batch=3, inputs=4, hidden=5, seed=0)
        _diagnose_lstm_step(fn, batch=2, inputs=7, hidden=3, seed=1)
        return (
            "h_new and c_new match torch.nn.LSTMCell on two random batches "
            "(B, I, H) = (3, 4, 5) and (2, 7, 3)."
        )

    return report("check_lstm_step", run)


# ---------------------------------------------------------------------------------------------
# Exercise: attention weights
# ---------------------------------------------------------------------------------------------


def _attention_mistakes(query: Tensor, key: Tensor) -> list[tuple[str, Tensor]]:
    """(hint, the wrong weights) for each usual mistake."""
    d = query.shape[-1]
    scores = query @ key.T  # (L, S)
    softmax_hint = "softmax over the keys (dim=-1) turns the scores into weights that sum to 1."
    return [
        (
            f"these are softmax(Q Kᵀ) without scaling: divide the scores by sqrt(d) = "
            f"{math.sqrt(d):.3g} before the softmax.",
            torch.softmax(scores, dim=-1),
        ),
        (
            f"you divided the scores by d = {d}; divide by sqrt(d) = {math.sqrt(d):.3g}.",
            torch.softmax(scores / d, dim=-1),
        ),
        (
            "you multiplied the scores by sqrt(d); divide by it.",
            torch.softmax(scores * math.sqrt(d), dim=-1),
        ),
        (
            "your columns sum to 1, not your rows: the softmax ran over the queries (dim=0). "
            "Each query's weights over the keys must sum to 1: use dim=-1.",
            torch.softmax(scores / math.sqrt(d), dim=0),
        ),
        (
            "your columns sum to 1, not your rows, and the scores are not scaled: softmax over "
            "dim=-1 of Q Kᵀ / sqrt(d).",
            torch.softmax(scores, dim=0),
        ),
        (
            f"these are the scaled scores Q Kᵀ / sqrt(d), not weights: {softmax_hint}",
            scores / d**0.5,
        ),
        (
            f"these are the raw scores Q Kᵀ, not weights: scale by 1/sqrt(d), then {softmax_hint}",
            scores,
        ),
    ]


def _diagnose_attention(fn: Callable[..., Any], length: int, source: int, d: int, seed: int):
    gen = torch.Generator().manual_seed(seed)
    query = torch.randn(length, d, generator=gen)
    key = torch.randn(source, d, generator=gen)
    expected = torch.softmax(query @ key.T / math.sqrt(d), dim=-1)  # (L, S)
    result = call_learner(fn, query.clone(), key.clone(), exception_hints=MATMUL_HINTS)
    weights = as_tensor(result, "weights")
    if close(weights, expected):
        return
    if close(weights, expected.T):
        raise Failed(
            "Your weights are transposed: row i should hold query i's weights over the keys."
            "\n   HINT: compute `query @ key.T` (L, S), not `key @ query.T`."
        )
    if weights.shape != expected.shape:
        raise Failed(
            f"weights should have shape (L, S) = {(length, source)} for query (L, d) = "
            f"{(length, d)} and key (S, d) = {(source, d)}, got {tuple(weights.shape)}.\n"
            "   HINT: one row per query, one column per key: `query @ key.T`."
        )
    hint = first_match(weights, _attention_mistakes(query, key))
    if hint is None:
        rows_sum_to_1 = torch.allclose(weights.sum(-1), torch.ones(length), atol=1e-4)
        hint = (
            "each row sums to 1 (good) but the values differ: check the scores Q Kᵀ / sqrt(d)."
            if rows_sum_to_1
            else "the rows do not sum to 1: the weights are softmax(Q Kᵀ / sqrt(d), dim=-1)."
        )
    raise Failed(f"The weights differ from softmax(Q Kᵀ / √d).\n   HINT: {hint}")


def check_attention_weights(fn: Callable[..., Any]) -> bool:
    """Check ``fn(query, key) -> weights`` = ``softmax(query @ key.T / sqrt(d))`` over the keys.

    Shapes: query (L, d), key (S, d), weights (L, S); row i holds query i's weights over the S
    keys and sums to 1. Checked on two random examples (one with L != S, one with L == S).
    """
    require_callable(fn, "check_attention_weights")

    def run() -> str:
        _diagnose_attention(fn, length=4, source=6, d=8, seed=0)
        _diagnose_attention(fn, length=5, source=5, d=16, seed=1)
        return (
            "your weights match softmax(Q Kᵀ / √d) over the keys on two random examples "
            "(L, S, d) = (4, 6, 8) and (5, 5, 16); every row sums to 1."
        )

    return report("check_attention_weights", run)


# ---------------------------------------------------------------------------------------------
# Exercise: what each fighter must remember while generating
# ---------------------------------------------------------------------------------------------


def _memory_pair(fn: Callable[..., Any], d: int, layers: int, length: int) -> tuple[float, float]:
    result = call_learner(fn, d, layers, length)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Failed(
            f"Your function should return a pair (lstm_state, kv_cache), got "
            f"{type(result).__name__}.\n   HINT: end with `return lstm_state, kv_cache`."
        )
    return (
        as_number(result[0], "lstm_state (the first returned value)"),
        as_number(result[1], "kv_cache (the second returned value)"),
    )


def _lstm_state_hint(value: float, d: int, layers: int, length: int) -> str:
    known = {
        d * layers: "an LSTM layer keeps two vectors, h AND c (d_model floats each).",
        2 * d: "every layer keeps its own h and c: multiply by num_layers.",
        d: "each layer keeps h and c (2 x d_model floats), and there are num_layers layers.",
        2 * d * layers * length: "the LSTM's state does not grow with the length: it keeps only "
        "the latest h and c, whatever came before.",
        4 * 2 * d * layers: "count floats, not bytes (no factor 4).",
    }
    return known.get(value, "an LSTM keeps h and c, d_model floats each, in every layer.")


def _kv_cache_hint(value: float, d: int, layers: int, length: int) -> str:
    known = {
        length * d * layers: "the cache keeps both the keys AND the values of every past token.",
        2 * length * d: "every layer caches its own keys and values: multiply by num_layers.",
        length * d: "keys and values (x 2), in every layer (x num_layers).",
        2 * d * layers: "the KV cache grows with every token: one key and one value per past "
        "token, per layer.",
        2 * (length + 1) * d * layers: "after `length` tokens the cache holds exactly `length` "
        "keys and `length` values per layer.",
        2 * (length - 1) * d * layers: "after `length` tokens the cache holds exactly `length` "
        "keys and `length` values per layer.",
        4 * 2 * length * d * layers: "count floats, not bytes (no factor 4).",
    }
    return known.get(
        value, "every layer keeps a key and a value (d_model floats each) for every past token."
    )


def _diagnose_memory(fn: Callable[..., Any], d: int, layers: int, length: int) -> None:
    lstm_state, kv_cache = _memory_pair(fn, d, layers, length)
    lstm_expected, kv_expected = 2 * d * layers, 2 * length * d * layers
    if (lstm_state, kv_cache) == (lstm_expected, kv_expected):
        return
    case = f"d_model={d}, num_layers={layers}, length={length}"
    if (lstm_state, kv_cache) == (kv_expected, lstm_expected):
        raise Failed(
            f"For {case} your two numbers are right but swapped.\n   HINT: return "
            "(lstm_state, kv_cache) in that order."
        )
    hints = []
    if lstm_state != lstm_expected:
        lstm_hint = _lstm_state_hint(lstm_state, d, layers, length)
        hints.append(f"lstm_state = {lstm_state:g} is wrong: {lstm_hint}")
    if kv_cache != kv_expected:
        hints.append(
            f"kv_cache = {kv_cache:g} is wrong: {_kv_cache_hint(kv_cache, d, layers, length)}"
        )
    raise Failed(f"For {case}:\n   HINT: " + "\n   HINT: ".join(hints))


def check_memory_sizes(fn: Callable[..., Any]) -> bool:
    """Check ``fn(d_model, num_layers, length) -> (lstm_state, kv_cache)``, counts of floats.

    What a model must keep to generate the next token after ``length`` tokens: the LSTM keeps
    h and c in every layer, ``2 * d_model * num_layers``; the Transformer keeps a key and a value
    per past token in every layer, ``2 * length * d_model * num_layers``.
    """
    require_callable(fn, "check_memory_sizes")

    def run() -> str:
        # first a case where every usual mistake gives a different number; the last one is
        # the example the message quotes
        for d, layers, length in ((64, 3, 100), (32, 2, 1000), (128, 1, 1), (512, 6, 4096)):
            _diagnose_memory(fn, d, layers, length)
        lstm_state, kv_cache = 2 * 512 * 6, 2 * 4096 * 512 * 6
        return (
            "right on 4 cases. For a 6-layer model with d_model=512 after 4096 tokens: the LSTM "
            f"keeps {lstm_state:,} floats, the KV cache {kv_cache:,} "
            f"({kv_cache // lstm_state:,} times more)."
        )

    return report("check_memory_sizes", run)
