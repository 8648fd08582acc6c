"""Exercise checkers: run your function on seeded random data and compare with the reference.

Each checker prints one message and returns ``True`` or ``False``:

- ✅ what was checked and passed;
- ❌ what went wrong, with a HINT: the checker also runs the usual wrong versions of the
  exercise, and if yours matches one of them it says which mistake that is;
- ⏳ if your function still raises ``NotImplementedError`` (the exercise is not done yet).

A checker never raises because of a mistake in your function (an exception inside it is
reported, not propagated). It does raise ``TypeError`` if what you pass is not a function.

Example::

    def lstm_step(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh):
        ...  # your code

    seqlib.checks.check_lstm_step(lstm_step)
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from seqlib.interpret import attention_rollout

__all__ = [
    "check_attention_weights",
    "check_lstm_step",
    "check_memory_sizes",
    "check_parameter_counts",
    "check_sequential_steps",
    "check_timing_function",
]

ATOL, RTOL = 1e-5, 1e-4  # float32 round-off, with room for a different order of operations


class _Failed(Exception):
    """Raised inside a checker to stop at the first problem; the message is what we print."""

    def __init__(self, message: str, *, not_done: bool = False) -> None:
        super().__init__(message)
        self.not_done = not_done


# ---------------------------------------------------------------------------------------------
# Shared machinery
# ---------------------------------------------------------------------------------------------


def _require_callable(fn: object, checker: str) -> None:
    if not callable(fn):
        raise TypeError(
            f"{checker} expects your function itself (e.g. {checker}(my_function), without "
            f"parentheses after my_function), got {type(fn).__name__}"
        )


def _call(fn: Callable[..., Any], *args: Any, exception_hints: dict[str, str] | None = None):
    """Call the learner's ``fn``; turn an exception or a ``None`` result into ``_Failed``."""
    try:
        result = fn(*args)
    except NotImplementedError as error:
        raise _Failed(
            "Not done yet: your function raises NotImplementedError. Replace the `raise "
            "NotImplementedError` line with your code, then run this check again.",
            not_done=True,
        ) from error
    except Exception as error:  # a learner's bug, reported rather than raised
        message = f"Your function raised {type(error).__name__}: {error}"
        for fragment, hint in (exception_hints or {}).items():
            if fragment in str(error):
                message += f"\n   HINT: {hint}"
                break
        raise _Failed(message) from error
    if result is None:
        raise _Failed(
            "Your function returned None.\n   HINT: is its body still `...`, or is the "
            "`return` line missing?"
        )
    return result


def _report(checker: str, run: Callable[[], str]) -> bool:
    """Run one checker's body, print ✅ / ❌ / ⏳ and its message, and return whether it passed."""
    try:
        success = run()
    except _Failed as failure:
        print(f"{'⏳' if failure.not_done else '❌'} {checker}: {failure}")
        return False
    print(f"✅ {checker}: {success}")
    return True


def _close(a: Tensor, b: Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, atol=ATOL, rtol=RTOL)


def _as_tensor(value: object, what: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise _Failed(f"{what} should be a torch.Tensor, got {type(value).__name__}.")
    if not value.is_floating_point():
        raise _Failed(f"{what} should be a floating-point tensor, got dtype {value.dtype}.")
    return value.detach().float()


def _first_match(result: Tensor, variants: list[tuple[str, Tensor]]) -> str | None:
    """The hint of the first wrong variant that ``result`` equals, or None."""
    for hint, expected in variants:
        if _close(result, expected):
            return hint
    return None


MATMUL_HINTS = {
    "cannot be multiplied": "the weights are stored (out_features, in_features), like "
    "nn.Linear: multiply `x @ weight.T`, not `x @ weight`.",
    "size of tensor a": "two tensors with different sizes met in an elementwise operation; "
    "print the shapes of your intermediate results.",
}


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
        raise _Failed(
            f"Your function returned one tensor of shape {tuple(result.shape)}; it should return "
            f"two, {names}.\n   HINT: end with `return h_new, c_new`."
        )
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        size = f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""
        raise _Failed(
            f"Your function should return a pair {names}, got {type(result).__name__}{size}."
        )
    first = _as_tensor(result[0], "h_new (the first returned value)")
    second = _as_tensor(result[1], "c_new (the second returned value)")
    for what, value in (("h_new", first), ("c_new", second)):
        if value.shape != (batch, hidden):
            hint = (
                "that is the four stacked gates: split them with `.chunk(4, dim=1)`."
                if value.shape == (batch, 4 * hidden)
                else "check the transposes and which dimension you split or sum over."
            )
            raise _Failed(
                f"{what} should have shape (B, H) = {(batch, hidden)}, got {tuple(value.shape)}."
                f"\n   HINT: {hint}"
            )
    return first, second


def _diagnose_lstm_step(fn: Callable[..., Any], batch: int, inputs: int, hidden: int, seed: int):
    data = _lstm_inputs(batch, inputs, hidden, seed)
    args = [data[name].clone() for name in data]  # clones: an in-place edit can't spoil ours
    result = _call(fn, *args, exception_hints=MATMUL_HINTS)
    h, c = _unpack_pair(result, "(h_new, c_new)", batch, hidden)
    h_ref, c_ref = _lstm_reference(data)
    if _close(h, h_ref) and _close(c, c_ref):
        return
    if _close(h, c_ref) and _close(c, h_ref):
        raise _Failed(
            "Your h_new and c_new are right but swapped.\n   HINT: return them in torch's "
            "order: `return h_new, c_new`."
        )
    for hint, kwargs in _lstm_mistakes(data):
        h_wrong, c_wrong = _lstm_variant(data, **kwargs)
        if _close(h, h_wrong) and _close(c, c_wrong):
            raise _Failed(f"The values differ from torch.nn.LSTMCell.\n   HINT: {hint}")
    wrong = "c_new is right but h_new differs" if _close(c, c_ref) else "h_new and c_new differ"
    raise _Failed(
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
    _require_callable(fn, "check_lstm_step")

    def run() -> str:
        _diagnose_lstm_step(fn, batch=3, inputs=4, hidden=5, seed=0)
        _diagnose_lstm_step(fn, batch=2, inputs=7, hidden=3, seed=1)
        return (
            "h_new and c_new match torch.nn.LSTMCell on two random batches "
            "(B, I, H) = (3, 4, 5) and (2, 7, 3)."
        )

    return _report("check_lstm_step", run)


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
    result = _call(fn, query.clone(), key.clone(), exception_hints=MATMUL_HINTS)
    weights = _as_tensor(result, "weights")
    if _close(weights, expected):
        return
    if _close(weights, expected.T):
        raise _Failed(
            "Your weights are transposed: row i should hold query i's weights over the keys."
            "\n   HINT: compute `query @ key.T` (L, S), not `key @ query.T`."
        )
    if weights.shape != expected.shape:
        raise _Failed(
            f"weights should have shape (L, S) = {(length, source)} for query (L, d) = "
            f"{(length, d)} and key (S, d) = {(source, d)}, got {tuple(weights.shape)}.\n"
            "   HINT: one row per query, one column per key: `query @ key.T`."
        )
    hint = _first_match(weights, _attention_mistakes(query, key))
    if hint is None:
        rows_sum_to_1 = torch.allclose(weights.sum(-1), torch.ones(length), atol=1e-4)
        hint = (
            "each row sums to 1 (good) but the values differ: check the scores Q Kᵀ / sqrt(d)."
            if rows_sum_to_1
            else "the rows do not sum to 1: the weights are softmax(Q Kᵀ / sqrt(d), dim=-1)."
        )
    raise _Failed(f"The weights differ from softmax(Q Kᵀ / √d).\n   HINT: {hint}")


def check_attention_weights(fn: Callable[..., Any]) -> bool:
    """Check ``fn(query, key) -> weights`` = ``softmax(query @ key.T / sqrt(d))`` over the keys.

    Shapes: query (L, d), key (S, d), weights (L, S); row i holds query i's weights over the S
    keys and sums to 1. Checked on two random examples (one with L != S, one with L == S).
    """
    _require_callable(fn, "check_attention_weights")

    def run() -> str:
        _diagnose_attention(fn, length=4, source=6, d=8, seed=0)
        _diagnose_attention(fn, length=5, source=5, d=16, seed=1)
        return (
            "your weights match softmax(Q Kᵀ / √d) over the keys on two random examples "
            "(L, S, d) = (4, 6, 8) and (5, 5, 16); every row sums to 1."
        )

    return _report("check_attention_weights", run)


# ---------------------------------------------------------------------------------------------
# Exercise: what each fighter must remember while generating
# ---------------------------------------------------------------------------------------------


def _as_count(value: object, what: str) -> float:
    if isinstance(value, Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _Failed(f"{what} should be a number, got {type(value).__name__}.")
    if not math.isfinite(value):
        raise _Failed(f"{what} should be a finite number, got {value}.")
    return float(value)


def _memory_pair(fn: Callable[..., Any], d: int, layers: int, length: int) -> tuple[float, float]:
    result = _call(fn, d, layers, length)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise _Failed(
            f"Your function should return a pair (lstm_state, kv_cache), got "
            f"{type(result).__name__}.\n   HINT: end with `return lstm_state, kv_cache`."
        )
    return (
        _as_count(result[0], "lstm_state (the first returned value)"),
        _as_count(result[1], "kv_cache (the second returned value)"),
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
        raise _Failed(
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
    raise _Failed(f"For {case}:\n   HINT: " + "\n   HINT: ".join(hints))


def check_memory_sizes(fn: Callable[..., Any]) -> bool:
    """Check ``fn(d_model, num_layers, length) -> (lstm_state, kv_cache)``, counts of floats.

    What a model must keep to generate the next token after ``length`` tokens: the LSTM keeps
    h and c in every layer, ``2 * d_model * num_layers``; the Transformer keeps a key and a value
    per past token in every layer, ``2 * length * d_model * num_layers``.
    """
    _require_callable(fn, "check_memory_sizes")

    def run() -> str:
        # first a case where every usual mistake gives a different number
        for d, layers, length in ((64, 3, 100), (32, 2, 1000), (128, 1, 1)):
            _diagnose_memory(fn, d, layers, length)
        lstm_state, kv_cache = _memory_pair(fn, 512, 6, 4096)
        return (
            "right on 3 cases. For a 6-layer model with d_model=512 after 4096 tokens: the LSTM "
            f"keeps {lstm_state:,.0f} floats, the KV cache {kv_cache:,.0f} "
            f"({kv_cache / lstm_state:,.0f} times more)."
        )

    return _report("check_memory_sizes", run)


# ---------------------------------------------------------------------------------------------
# Round 2, exercise: parameter counts by formula
# ---------------------------------------------------------------------------------------------

LSTM_COUNT_CASES = ((128, 64), (10, 20), (3, 7))
TRANSFORMER_COUNT_CASES = ((128, 2048), (64, 256), (16, 24))


def _lstm_count_hint(value: float, i: int, h: int) -> str:
    known = {
        4 * (i * h + h * h + h): "torch keeps TWO bias vectors per gate, bias_ih and bias_hh.",
        i * h + h * h + 2 * h: "there are four gates (i, f, g, o), each with its own weights.",
        4 * (i * h + 2 * h): "each gate also has a recurrent weight (H, H) applied to h_{t-1}.",
        4 * (i * h + h * h): "each gate has biases too (two of them in torch).",
        3 * (i * h + h * h + 2 * h): "three gates is a GRU; the LSTM has four (i, f, g, o).",
        4 * (i * i + i * h + 2 * h): "the recurrent weight is (H, H): h_{t-1} has H features.",
    }
    return known.get(value, "per gate: W (H, I) + U (H, H) + two biases (H,); four gates.")


def _transformer_count_hint(value: float, d: int, ff: int) -> str:
    attention = 4 * d * d + 4 * d  # Q, K, V and output projections, with biases
    feed_forward = 2 * d * ff + ff + d  # d -> ff -> d, with biases
    norms = 4 * d  # two LayerNorms, weight and bias each
    known = {
        attention + feed_forward: "4 x d_model short: count the two LayerNorms (a weight and a "
        "bias, (d,) each) and the biases of the four attention projections.",
        attention + norms: "the feed-forward block (d -> dim_feedforward -> d) is missing; "
        "it usually holds most of the parameters.",
        feed_forward + norms: "the attention block is missing: Q, K, V and output projections.",
        3 * d * d + 3 * d + feed_forward + norms: "attention has FOUR projections: Q, K, V and "
        "the output projection that mixes the heads.",
        attention + 2 * d * ff + norms: "the two feed-forward Linear layers have biases (ff,) "
        "and (d,).",
        attention + 8 * d * d + 5 * d + norms: "use dim_feedforward, not 4 x d_model: "
        "nn.TransformerEncoderLayer's default is 2048.",
    }
    return known.get(
        value,
        "attention: 4 projections (d, d) + biases; feed-forward: (ff, d) + (ff,) + (d, ff) + "
        "(d,); two LayerNorms: 2 x (d + d). The number of heads adds nothing.",
    )


def check_parameter_counts(lstm_params: Callable[..., Any], transformer_params: Callable) -> bool:
    """Check ``lstm_params(input_size, hidden_size)`` and ``transformer_params(d_model,
    dim_feedforward)`` against the parameters of ``nn.LSTM`` and ``nn.TransformerEncoderLayer``
    (counted by torch). The number of heads does not change a Transformer layer's count."""
    _require_callable(lstm_params, "check_parameter_counts")
    _require_callable(transformer_params, "check_parameter_counts")

    def run() -> str:
        for i, h in LSTM_COUNT_CASES:
            expected = sum(p.numel() for p in torch.nn.LSTM(i, h).parameters())
            value = _as_count(_call(lstm_params, i, h), "lstm_params(...)")
            if value != expected:
                raise _Failed(
                    f"lstm_params({i}, {h}) = {value:,.0f}, but nn.LSTM({i}, {h}) has "
                    f"{expected:,}.\n   HINT: {_lstm_count_hint(value, i, h)}"
                )
        for d, ff in TRANSFORMER_COUNT_CASES:
            layer = torch.nn.TransformerEncoderLayer(d, 8, dim_feedforward=ff)
            expected = sum(p.numel() for p in layer.parameters())
            value = _as_count(_call(transformer_params, d, ff), "transformer_params(...)")
            if value != expected:
                raise _Failed(
                    f"transformer_params({d}, {ff}) = {value:,.0f}, but "
                    f"nn.TransformerEncoderLayer({d}, nhead=8, dim_feedforward={ff}) has "
                    f"{expected:,}.\n   HINT: {_transformer_count_hint(value, d, ff)}"
                )
        demo_lstm, demo_tf = lstm_params(128, 64), transformer_params(128, 2048)
        return (
            f"both formulas match torch on {len(LSTM_COUNT_CASES)} + "
            f"{len(TRANSFORMER_COUNT_CASES)} cases. The fight card's demo: LSTM {demo_lstm:,.0f} "
            f"parameters, Transformer layer {demo_tf:,.0f} ({demo_tf / demo_lstm:.1f}x more)."
        )

    return _report("check_parameter_counts", run)


# ---------------------------------------------------------------------------------------------
# Round 2, exercise: sequential steps on the critical path
# ---------------------------------------------------------------------------------------------

STEP_CASES = (("lstm", 100, 3), ("transformer", 100, 3), ("lstm", 7, 1), ("transformer", 50, 6))


def _steps_hint(backbone: str, value: float, length: int, layers: int) -> str:
    if backbone == "lstm":
        known = {
            length * layers: "that is how nn.LSTM schedules it (layer after layer), but layer 2 "
            "can compute step t as soon as layer 1 has finished step t: a wavefront. Count the "
            "longest chain of cells that each wait for the previous one.",
            length: "every extra layer adds one step to the chain: the last layer finishes "
            "step T one step after the layer below it.",
            layers: "inside one layer, h_t needs h_{t-1}: the T steps cannot run at once.",
            length + layers: "count cells, not arrows: a 1-layer LSTM over T steps has T.",
        }
        default = "in layer l, step t waits for step t-1 of layer l and step t of layer l-1."
    else:
        known = {
            length * layers: "attention computes all positions at once: T does not appear.",
            length: "attention computes all positions at once: T does not appear.",
            1: "each layer needs the whole output of the layer below: one step per layer.",
            length + layers - 1: "that is the LSTM's answer; attention has no step-to-step chain.",
        }
        default = "one step per layer, whatever the length."
    return known.get(value, default)


def check_sequential_steps(fn: Callable[..., Any]) -> bool:
    """Check ``fn(backbone, length, num_layers)``: the number of steps on the critical path of
    a forward pass (the longest chain of computations that each wait for the previous one).

    LSTM: cell ``(l, t)`` waits for ``(l, t-1)`` and ``(l-1, t)``, so the chain is
    ``length + num_layers - 1``. Transformer: one step per layer, ``num_layers``.
    """
    _require_callable(fn, "check_sequential_steps")

    def run() -> str:
        for backbone, length, layers in STEP_CASES:
            expected = length + layers - 1 if backbone == "lstm" else layers
            value = _as_count(_call(fn, backbone, length, layers), "your function's result")
            if value != expected:
                raise _Failed(
                    f"{backbone!r}, length={length}, num_layers={layers}: you gave {value:g}, "
                    f"the critical path is {expected}.\n   HINT: "
                    f"{_steps_hint(backbone, value, length, layers)}"
                )
        lstm, transformer = fn("lstm", 4096, 12), fn("transformer", 4096, 12)
        return (
            f"right on {len(STEP_CASES)} cases. A 12-layer model over 4096 tokens: the LSTM's "
            f"chain is {lstm:,.0f} steps, the Transformer's {transformer:,.0f}."
        )

    return _report("check_sequential_steps", run)


# ---------------------------------------------------------------------------------------------
# Round 2, exercise: a timing function (warm-up + median)
# ---------------------------------------------------------------------------------------------

TIMING_REPEATS = 9
_BASE, _OUTLIER, _COLD = 0.010, 0.100, 0.200  # seconds: a normal call, a hiccup, the first call


class _FakeWorkload:
    """A function to time whose true cost per call is known: the first call is slow (cold), and
    every third call after it hiccups (as when the OS runs something else)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        import time

        n = self.calls
        self.calls += 1
        time.sleep(_COLD if n == 0 else _OUTLIER if n % 3 == 0 else _BASE)


def check_timing_function(fn: Callable[..., Any]) -> bool:
    """Check ``fn(f, repeats) -> seconds per call`` of ``f()``: at least one warm-up call before
    the clock starts, then ``repeats`` timed calls summarised by their median (robust to the
    hiccups a busy machine adds; the minimum is accepted too).

    The checker times a fake workload with a known cost (10 ms per call; a 200 ms first call; a
    100 ms hiccup every third call) and diagnoses the usual mistakes from the answer.
    """
    _require_callable(fn, "check_timing_function")

    def run() -> str:
        work = _FakeWorkload()
        value = _as_count(_call(fn, work, TIMING_REPEATS), "your function's result")
        repeats = TIMING_REPEATS
        if work.calls < repeats:
            raise _Failed(
                f"f was called {work.calls} times for repeats={repeats}.\n   HINT: time "
                "`repeats` calls (in a loop), after the warm-up."
            )
        if value > 1.0:
            raise _Failed(
                f"you returned {value:g}; a call takes about {_BASE * 1e3:g} ms = {_BASE} s."
                "\n   HINT: return seconds (time.perf_counter() counts seconds), not ms."
            )
        if value > 2 * repeats * _BASE:
            raise _Failed(
                f"you returned {value * 1e3:.0f} ms, the time of all {repeats} calls together."
                "\n   HINT: return the time of ONE call: the median of the per-call times."
            )
        if value > 2.5 * _BASE:
            raise _Failed(
                f"you returned {value * 1e3:.1f} ms per call; a normal call takes about "
                f"{_BASE * 1e3:g} ms, but the first call and every third one are slow."
                "\n   HINT: a mean is pulled up by the slow calls: time each call separately "
                "and return the median (statistics.median)."
            )
        if value < 0.8 * _BASE:
            raise _Failed(
                f"you returned {value * 1e3:.2f} ms per call, less than one call can take "
                f"({_BASE * 1e3:g} ms).\n   HINT: start the clock before the call and stop it "
                "after: `t = time.perf_counter(); f(); times.append(time.perf_counter() - t)`."
            )
        if work.calls == repeats:
            raise _Failed(
                f"the number is right here, but f was called exactly {repeats} times: no "
                "warm-up.\n   HINT: call f() once (or a few times) BEFORE timing; the first "
                f"call pays for allocation and setup (here it is {_COLD / _BASE:.0f}x slower)."
            )
        return (
            f"{value * 1e3:.1f} ms per call (true cost {_BASE * 1e3:g} ms), after "
            f"{work.calls - repeats} warm-up call(s): the slow first call and the hiccups did "
            "not fool it."
        )

    return _report("check_timing_function", run)


# ---------------------------------------------------------------------------------------------
# Round 4, exercises: the cost calculator and the crossover of two learning curves
# ---------------------------------------------------------------------------------------------

COST_CASES = ((1000.0, 3.6), (250_000.0, 0.5), (12.5, 2.0))  # (tokens per second, price per hour)


def _cost_reference(tokens_per_second: float, price_per_hour: float) -> float:
    return price_per_hour / (tokens_per_second * 3600) * 1e6


def _cost_hint(value: float, rate: float, price: float) -> str:
    variants = (
        (
            price / rate * 1e6,
            "the price is per HOUR and the throughput per SECOND: a machine "
            "hour processes tokens_per_second * 3600 tokens",
        ),
        (price / (rate * 3600), "that is the price of ONE token; multiply by a million"),
        (price / (rate * 60) * 1e6, "an hour has 3600 seconds, not 60"),
        (
            rate * 3600 / price / 1e6,
            "upside down: divide the price by the tokens, not the other way",
        ),
        (
            price * rate * 3600 / 1e6,
            "multiply the price by the TIME a million tokens take, "
            "1e6 / tokens_per_second seconds, not by the throughput",
        ),
    )
    for expected, hint in variants:
        if math.isclose(value, expected, rel_tol=1e-6):
            return f"\n   HINT: {hint}."
    return (
        "\n   HINT: a million tokens take 1e6 / tokens_per_second seconds, that is "
        "1e6 / tokens_per_second / 3600 hours; multiply by the price per hour."
    )


def check_cost_per_million(fn: Callable[..., Any]) -> bool:
    """Check ``fn(tokens_per_second, price_per_hour) -> money per million tokens``.

    A million tokens take ``1e6 / tokens_per_second`` seconds, that is that over 3600 hours, at
    ``price_per_hour``: ``price_per_hour / (tokens_per_second * 3600) * 1e6``.
    """
    _require_callable(fn, "check_cost_per_million")

    def run() -> str:
        for rate, price in COST_CASES:
            value = _as_count(_call(fn, rate, price), "your result")
            expected = _cost_reference(rate, price)
            if not math.isclose(value, expected, rel_tol=1e-6):
                raise _Failed(
                    f"for {rate:,g} tokens/s at {price:g} per hour you returned {value:.6g}, "
                    f"expected {expected:.6g}." + _cost_hint(value, rate, price)
                )
        rate, price = COST_CASES[1]
        return (
            f"right on {len(COST_CASES)} cases; e.g. {rate:,.0f} tokens/s on a machine at "
            f"{price:g} per hour: {_cost_reference(rate, price):.3g} per million tokens."
        )

    return _report("check_cost_per_million", run)


CROSSOVER_CASES = (
    ((50, 200, 800, 3200), (0.40, 0.42, 0.43, 0.43), (0.30, 0.38, 0.44, 0.45), 800),
    ((50, 200, 800, 3200), (0.40, 0.42, 0.43, 0.43), (0.30, 0.38, 0.43, 0.40), 800),  # a tie
    ((10, 100, 1000), (0.9, 0.9, 0.9), (0.5, 0.6, 0.7), None),  # never
    ((10, 100, 1000), (0.5, 0.6, 0.6), (0.7, 0.5, 0.8), 10),  # at once
)


def _crossover_hint(value: object, sizes: tuple, lstm: tuple, transformer: tuple) -> str:
    ahead = [s for s, a, b in zip(sizes, lstm, transformer, strict=True) if b >= a]
    strict = [s for s, a, b in zip(sizes, lstm, transformer, strict=True) if b > a]
    indices = [i for i, (a, b) in enumerate(zip(lstm, transformer, strict=True)) if b >= a]
    if ahead and value == ahead[-1]:
        return "you returned the LAST size where the Transformer is ahead; return the first"
    if indices and value == indices[0]:
        return "you returned the index of the size; return the size itself (sizes[i])"
    if strict and value == strict[0]:
        return "at a tie the Transformer has caught up: use >=, not >"
    if not ahead and value is not None:
        return "the Transformer never catches up here: return None"
    return "walk through the sizes in order; return the first where transformer >= lstm"


def check_crossover(fn: Callable[..., Any]) -> bool:
    """Check ``fn(sizes, acc_lstm, acc_transformer) -> the first size where the Transformer's
    accuracy is at least the LSTM's``, or ``None`` if it never is."""
    _require_callable(fn, "check_crossover")

    def run() -> str:
        for sizes, lstm, transformer, expected in CROSSOVER_CASES:
            try:  # not _call: None is a right answer here
                value = fn(list(sizes), list(lstm), list(transformer))
            except NotImplementedError as error:
                raise _Failed(
                    "Not done yet: your function raises NotImplementedError. Replace the "
                    "`raise NotImplementedError` line with your code, then run this check again.",
                    not_done=True,
                ) from error
            except Exception as error:  # a learner's bug, reported rather than raised
                raise _Failed(f"Your function raised {type(error).__name__}: {error}") from error
            if value != expected or (expected is None and value is not None):
                raise _Failed(
                    f"for sizes {list(sizes)}, LSTM {list(lstm)}, Transformer "
                    f"{list(transformer)} you returned {value!r}, expected {expected!r}.\n   "
                    f"HINT: {_crossover_hint(value, sizes, lstm, transformer)}."
                )
        return (
            f"right on {len(CROSSOVER_CASES)} cases, including a tie and a Transformer that "
            "never catches up."
        )

    return _report("check_crossover", run)


__all__ += ["check_cost_per_million", "check_crossover"]


# ---------------------------------------------------------------------------------------------
# Round 5, exercise: the linear recurrence of minGRU without a loop
# ---------------------------------------------------------------------------------------------

SCAN_CASES = ((2, 7, 3, 0), (1, 1, 4, 1), (3, 30, 2, 2))  # (batch, length, hidden, seed)


def _scan_inputs(batch: int, length: int, hidden: int, seed: int) -> tuple[Tensor, Tensor, Tensor]:
    """a in (0.5, 1) (a forget factor), b and h0 in (0, 1): a (B, T, H), b (B, T, H), h0 (B, H)."""
    g = torch.Generator().manual_seed(seed)
    a = 0.5 + 0.5 * torch.rand(batch, length, hidden, generator=g, dtype=torch.float64)
    b = torch.rand(batch, length, hidden, generator=g, dtype=torch.float64)
    h0 = torch.rand(batch, hidden, generator=g, dtype=torch.float64)
    return a, b, h0


def _scan_mistakes(a: Tensor, b: Tensor, h0: Tensor) -> list[tuple[str, Tensor]]:
    from seqlib.minrnn import scan_sequential

    right = scan_sequential(a, b, h0)  # (B, T, H)
    previous = torch.cat([h0[:, None], right[:, :-1]], dim=1)  # h_{t-1}: one step late
    return [
        (
            "you returned h_{t-1} at step t (the states are one step late): the output at t "
            "includes b_t.",
            previous,
        ),
        (
            "h0 is missing: with A_t = a_1 ... a_t, h_t = A_t * (h0 + sum_{s<=t} b_s / A_s).",
            scan_sequential(a, b, torch.zeros_like(h0)),
        ),
        (
            "every b_t should be divided by A_t = a_1 ... a_t (the product up to and including "
            "t), then the cumulative sum multiplied by A_t.",
            torch.cumsum(b, dim=1) + h0[:, None],
        ),
    ]


def check_linear_scan(fn: Callable[..., Any]) -> bool:
    """Check ``fn(a, b, h0) -> h``: all states of ``h_t = a_t * h_{t-1} + b_t`` at once.

    ``a``, ``b`` (B, T, H), ``h0`` (B, H) -> ``h`` (B, T, H), ``h[:, t]`` the state after step t.
    Compared with :func:`seqlib.minrnn.scan_sequential` (the loop) on seeded inputs in float64.
    """
    _require_callable(fn, "check_linear_scan")
    from seqlib.minrnn import scan_sequential

    def run() -> str:
        for batch, length, hidden, seed in SCAN_CASES:
            a, b, h0 = _scan_inputs(batch, length, hidden, seed)
            result = _as_tensor(_call(fn, a, b, h0), "your result").double()
            expected = scan_sequential(a, b, h0)
            if result.shape != expected.shape:
                raise _Failed(
                    f"shape {tuple(result.shape)}, expected {tuple(expected.shape)} "
                    f"(B={batch}, T={length}, H={hidden}).\n   HINT: one state per step: "
                    "(B, T, H), h0 itself is not part of the output."
                )
            if not torch.allclose(result, expected, atol=1e-8, rtol=1e-6):
                hint = _first_match(
                    result.float(), [(h, e.float()) for h, e in _scan_mistakes(a, b, h0)]
                )
                error = (result - expected).abs().max().item()
                raise _Failed(
                    f"B={batch}, T={length}, H={hidden}: largest difference from the loop "
                    f"{error:.2e}.\n   HINT: "
                    + (
                        hint
                        or "A_t = torch.cumprod(a, dim=1); h = A_t * (h0[:, None] + "
                        "torch.cumsum(b / A_t, dim=1))."
                    )
                )
        return (
            f"equal to the step-by-step loop on {len(SCAN_CASES)} cases (float64): "
            "a cumulative product and a cumulative sum replace the loop."
        )

    return _report("check_linear_scan", run)


# ---------------------------------------------------------------------------------------------
# Round 5, exercise: the seasonal naive forecast (the baseline every forecaster must beat)
# ---------------------------------------------------------------------------------------------

NAIVE_CASES = ((4, 24, 12, 0), (3, 30, 7, 1), (2, 5, 5, 2))  # (samples, window, period, seed)


def check_seasonal_naive(fn: Callable[..., Any]) -> bool:
    """Check ``fn(windows, period) -> forecast``: the next value is the value one period ago.

    ``windows`` (N, W, 1) as :func:`seqlib.tasks.seasonal_series` gives them, ``period`` <= W;
    the forecast is (N, 1), like the targets: ``windows[:, W - period, :]``.
    """
    _require_callable(fn, "check_seasonal_naive")

    def run() -> str:
        for n, window, period, seed in NAIVE_CASES:
            g = torch.Generator().manual_seed(seed)
            windows = torch.randn(n, window, 1, generator=g)  # (N, W, 1)
            result = _as_tensor(_call(fn, windows, period), "your forecast")
            expected = windows[:, window - period]  # (N, 1): same phase, one period back
            if result.shape != expected.shape:
                raise _Failed(
                    f"shape {tuple(result.shape)}, expected {tuple(expected.shape)} for windows "
                    f"{tuple(windows.shape)}.\n   HINT: one value per series, shaped like the "
                    "targets (N, 1): index the time axis with a single position."
                )
            if not _close(result, expected):
                hint = _first_match(
                    result,
                    [
                        (
                            "that is the last value of the window (a 'naive' forecast, not a "
                            "seasonal one): go back one whole period.",
                            windows[:, -1],
                        ),
                        (
                            "one step too far back: the value to forecast is at position W, so one "
                            "period earlier is W - period (windows[:, -period]).",
                            windows[:, window - period - 1] if window > period else expected + 1,
                        ),
                        (
                            "that is the mean of the window; the seasonal naive forecast "
                            "copies one value.",
                            windows.mean(dim=1),
                        ),
                    ],
                )
                raise _Failed(
                    f"window {window}, period {period}: wrong values.\n   HINT: "
                    + (hint or "the forecast for position W is windows[:, W - period].")
                )
        return f"right on {len(NAIVE_CASES)} cases: the forecast repeats the value one period ago."

    return _report("check_seasonal_naive", run)


__all__ += ["check_linear_scan", "check_seasonal_naive"]


# ---------------------------------------------------------------------------------------------
# Exercise: attention rollout
# ---------------------------------------------------------------------------------------------


def _random_maps(layers: int, heads: int, length: int, seed: int) -> list[Tensor]:
    """Causal attention maps (heads, T, T) per layer, rows summing to 1."""
    g = torch.Generator().manual_seed(seed)
    allowed = torch.ones(length, length).tril().bool()
    maps = []
    for _ in range(layers):
        scores = torch.randn(heads, length, length, generator=g) * 2
        maps.append(scores.masked_fill(~allowed, float("-inf")).softmax(-1))
    return maps


def _rollout_variant(
    maps: list[Tensor],
    *,
    order: str = "later_left",
    residual: float = 0.5,
    normalise: bool = True,
    heads: str = "mean",
) -> Tensor:
    eye = torch.eye(maps[0].shape[-1])
    out = None
    for m in maps:
        a = m.mean(0) if heads == "mean" else m[0]
        a = residual * eye + (1 - residual) * a
        if normalise:
            a = a / a.sum(-1, keepdim=True)
        out = a if out is None else (a @ out if order == "later_left" else out @ a)
    return out


def _rollout_mistakes(maps: list[Tensor]) -> list[tuple[str, Tensor]]:
    return [
        (
            "the layers are multiplied in the wrong order: the later layer goes on the left, "
            "rollout = A_2 @ A_1 (a token's mix at layer 2 is made of layer-1 mixes).",
            _rollout_variant(maps, order="later_left_swapped"),
        ),
        (
            "the residual connection is missing: each layer's matrix is 0.5 * I + 0.5 * (mean "
            "over heads), not the attention alone.",
            _rollout_variant(maps, residual=0.0),
        ),
        (
            "you used one head; average the heads first: maps[l].mean(dim=0).",
            _rollout_variant(maps, heads="first"),
        ),
    ]


def check_rollout(fn: Callable[..., Any]) -> bool:
    """Check ``fn(maps) -> (T, T)``: attention rollout of per-layer maps ``(heads, T, T)``.

    Per layer ``A = 0.5 * I + 0.5 * mean over heads`` (rows sum to 1 already); rollout
    ``= A_L @ ... @ A_1``. Checked on random causal maps with 2 and 3 layers.
    """
    _require_callable(fn, "check_rollout")

    def run() -> str:
        for layers, heads, length, seed in ((2, 4, 5, 0), (3, 2, 6, 1)):
            maps = _random_maps(layers, heads, length, seed)
            result = _as_tensor(_call(fn, [m.clone() for m in maps]), "your rollout")
            expected = attention_rollout(maps)
            if result.shape != expected.shape:
                raise _Failed(
                    f"your rollout has shape {tuple(result.shape)}, expected "
                    f"{tuple(expected.shape)} (T, T).\n   HINT: average over the heads (dim 0) "
                    "before multiplying the layers."
                )
            if not _close(result, expected):
                hint = _first_match(result, _rollout_mistakes(maps)) or (
                    "compare one layer first: A = 0.5 * torch.eye(T) + 0.5 * maps[0].mean(0)."
                )
                raise _Failed(f"the rollout differs from the reference.\n   HINT: {hint}")
        return "your rollout matches on random causal maps with 2 and 3 layers."

    return _report("check_rollout", run)


# ---------------------------------------------------------------------------------------------
# Exercise: integrated gradients
# ---------------------------------------------------------------------------------------------


def _toy_function(x: Tensor) -> Tensor:
    """A small nonlinear scalar function of a vector (n,), with known gradients."""
    w = torch.linspace(-1.0, 2.0, x.shape[-1])
    return torch.tanh(x @ w) + (x**2).sum(-1) * 0.3


def _ig_reference(f: Callable[[Tensor], Tensor], x: Tensor, baseline: Tensor, steps: int) -> Tensor:
    alphas = (torch.arange(steps, dtype=x.dtype) + 0.5) / steps
    total = torch.zeros_like(x)
    for a in alphas:
        point = (baseline + a * (x - baseline)).requires_grad_(True)
        (grad,) = torch.autograd.grad(f(point), point)
        total += grad
    return total / steps * (x - baseline)


def _gradient(f: Callable[[Tensor], Tensor], point: Tensor) -> Tensor:
    point = point.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(point), point)
    return grad


def check_integrated_gradients(fn: Callable[..., Any]) -> bool:
    """Check ``fn(f, x, baseline, steps) -> (n,)``: integrated gradients of a scalar function
    ``f`` at ``x`` (n,) from ``baseline`` (n,), midpoint rule with ``steps`` points.

    Checked against the reference on a nonlinear function, and for completeness: the scores
    sum to ``f(x) - f(baseline)`` (to within 1e-3 with 64 steps).
    """
    _require_callable(fn, "check_integrated_gradients")

    def run() -> str:
        g = torch.Generator().manual_seed(0)
        x, baseline = torch.randn(6, generator=g), torch.zeros(6)
        steps = 64
        result = _as_tensor(_call(fn, _toy_function, x.clone(), baseline.clone(), steps), "your IG")
        if result.shape != x.shape:
            raise _Failed(
                f"your attributions have shape {tuple(result.shape)}, expected {tuple(x.shape)}: "
                "one score per input feature."
            )
        expected = _ig_reference(_toy_function, x, baseline, steps)
        if not torch.allclose(result, expected, atol=1e-3):
            mistakes = [
                (
                    "that is gradient × input at x alone: average the gradient along the path "
                    "baseline + alpha * (x - baseline) for alpha in (0, 1).",
                    _gradient(_toy_function, x) * x,
                ),
                (
                    "you averaged the gradients but did not multiply by (x - baseline).",
                    expected / x,
                ),
            ]
            hint = next(
                (h for h, wrong in mistakes if torch.allclose(result, wrong, atol=1e-3)),
                "check the path points: baseline + alpha * (x - baseline), alpha = (k + 0.5) / "
                "steps for k = 0 .. steps - 1.",
            )
            raise _Failed(f"your attributions differ from the reference.\n   HINT: {hint}")
        gap = abs(result.sum().item() - (_toy_function(x) - _toy_function(baseline)).item())
        return (
            "your attributions match the reference and sum to f(x) - f(baseline) "
            f"(completeness, off by {gap:.1e})."
        )

    return _report("check_integrated_gradients", run)


# ---------------------------------------------------------------------------------------------
# Exercise: find the head that links the pronoun to its antecedent
# ---------------------------------------------------------------------------------------------


def _planted_maps(seed: int) -> tuple[list[Tensor], Tensor, Tensor, tuple[int, int]]:
    """Random causal maps (B, h, T, T), 2 layers x 4 heads, with one planted head whose largest
    weight from the pronoun lands on the antecedent in every row; a decoy head that attends the
    other way round; and a head that gives the antecedent more weight on average but is the
    pronoun's strongest link to it in only half of the rows."""
    g = torch.Generator().manual_seed(seed)
    B, H, T = 32, 4, 8
    pronoun = torch.randint(4, T, (B,), generator=g)
    antecedent = (torch.rand(B, generator=g) * pronoun).long()
    allowed = torch.ones(T, T).tril().bool()
    maps = [
        (torch.randn(B, H, T, T, generator=g)).masked_fill(~allowed, float("-inf")).softmax(-1)
        for _ in range(2)
    ]
    planted = (1, 2) if seed % 2 else (0, 3)
    decoy = (0, 1) if seed % 2 else (1, 0)
    heavy = (0, 2) if seed % 2 else (1, 1)
    b = torch.arange(B)
    for (layer, head), (q, k) in ((planted, (pronoun, antecedent)), (decoy, (antecedent, pronoun))):
        maps[layer][b, head, q] *= 0.5
        maps[layer][b, head, q, k] += 0.5  # > 0.5: the largest weight of its row
    layer, head = heavy
    half = b % 2 == 0  # all the weight on the antecedent in half of the rows; else 0.45
    other = torch.where(antecedent == 0, 1, 0)  # another visible key
    maps[layer][b, head, pronoun] = 0.0
    maps[layer][b, head, pronoun, antecedent] = torch.where(half, 1.0, 0.45)
    maps[layer][b, head, pronoun, other] = torch.where(half, 0.0, 0.55)
    return maps, pronoun, antecedent, planted


def check_find_head(fn: Callable[..., Any]) -> bool:
    """Check ``fn(maps, pronoun, antecedent) -> (layer, head)``: section 2's rule, the head
    whose largest weight from the pronoun (query, a row) lands on the antecedent (key, a
    column) in the most rows (:func:`seqlib.interpret.choose_head`).

    ``maps``: per layer (B, heads, T, T); ``pronoun`` and ``antecedent``: positions (B,).
    Checked on random maps with one planted head, a decoy that links them the other way, and
    a head with a larger mean weight on the antecedent that is its top key less often.
    """
    _require_callable(fn, "check_find_head")

    def run() -> str:
        for seed in (0, 1):
            maps, pronoun, antecedent, planted = _planted_maps(seed)
            result = _call(fn, [m.clone() for m in maps], pronoun.clone(), antecedent.clone())
            try:
                found = tuple(int(v) for v in result)
            except (TypeError, ValueError) as error:
                raise _Failed(f"return a pair (layer, head) of ints, got {result!r}") from error
            if len(found) != 2:
                raise _Failed(f"return a pair (layer, head), got {len(found)} values")
            if found == planted:
                continue
            decoy = (0, 1) if seed % 2 else (1, 0)
            heavy = (0, 2) if seed % 2 else (1, 1)
            if found == decoy:
                hint = (
                    "that head links the antecedent (query) to the pronoun (key): rows are "
                    "queries, columns are keys, so read maps[l][b, h, pronoun[b], :]."
                )
            elif found == heavy:
                hint = (
                    "that head has the largest MEAN weight on the antecedent, but section 2's "
                    "rule counts hits: in how many rows is the antecedent the key with the "
                    "largest weight from the pronoun (argmax over the row)?"
                )
            else:
                hint = (
                    "for every (l, h), take the row maps[l][b, h, pronoun[b]], count the b "
                    "whose argmax is antecedent[b], then pick the head with the most."
                )
            raise _Failed(f"you found {found}, the planted head is {planted}.\n   HINT: {hint}")
        return (
            "you found the planted head in two sets of random maps (and skipped the decoy and "
            "the head with the larger mean weight)."
        )

    return _report("check_find_head", run)


__all__ += ["check_find_head", "check_integrated_gradients", "check_rollout"]
