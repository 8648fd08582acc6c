"""Feeding a trained model one token at a time, as generation and streaming do.

A model trained on whole sequences can also be run step by step, batch 1, token after token.
What it must keep between steps is what separates the fighters:

- the LSTM keeps its state, ``h`` and ``c`` per layer: the same size after 10 tokens or 10,000;
- the Transformer with a **KV cache** keeps a key and a value for every past token in every
  layer: memory grows linearly, and each step attends over all of them;
- the Transformer **without** a cache keeps only the tokens and runs the whole prefix again at
  every step: the work per token grows with the position.

Each streamer's ``step`` returns the same logits as the model's full causal forward pass at that
position (tested), so the measurements compare the same computation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlib._validate import check_bool, check_positive_int, check_tensor
from seqlib.attention import (
    LearnedPositionalEncoding,
    SinusoidalPositionalEncoding,
    scaled_dot_product_attention,
)
from seqlib.models import SequenceModel

__all__ = [
    "KVCacheStreamer",
    "PrefixStreamer",
    "RecurrentStreamer",
    "StreamRecord",
    "Streamer",
    "flops_per_token",
    "next_step",
    "prime",
    "stream",
    "streamer_for",
]


def _check_model(model: object, backbones: tuple[str, ...], causal: bool) -> SequenceModel:
    if not isinstance(model, SequenceModel):
        raise TypeError(f"model must be a seqlib SequenceModel, got {type(model).__name__}")
    if model.backbone_name not in backbones:
        raise ValueError(f"model must have a backbone in {backbones}, got {model.backbone_name!r}")
    if causal and not model.causal:
        raise ValueError("a Transformer can only be streamed if it is causal (causal=True)")
    if model.output != "per_step":
        raise ValueError(f"streaming needs output='per_step', got {model.output!r}")
    return model


def _check_token(streamer: Streamer, token: Tensor) -> Tensor:
    """One step's input, checked as the model checks a sequence, in the stream's batch size."""
    streamer.model.check_step(token)
    if streamer.batch is not None and token.shape[0] != streamer.batch:
        raise ValueError(
            f"token has a batch of {token.shape[0]}, but this stream has a batch of "
            f"{streamer.batch}: call reset() before a new stream"
        )
    streamer.batch = token.shape[0]
    return token


def _tensor_bytes(*tensors: Tensor) -> int:
    return sum(t.numel() * t.element_size() for t in tensors)


class RecurrentStreamer:
    """Steps an RNN or LSTM ``SequenceModel``: one token in, one logit vector out."""

    def __init__(self, model: SequenceModel) -> None:
        self.model = _check_model(model, ("rnn", "lstm"), causal=False)
        self.reset()

    def reset(self) -> None:
        self.batch: int | None = None  # the batch size of the stream so far
        self.state: Tensor | tuple[Tensor, Tensor] | None = None  # None: zeros, as in training

    def step(self, token: Tensor) -> Tensor:
        """``token`` (B,) ids or (B, F) vectors -> logits (B, C)."""
        return self._step(_check_token(self, token))

    @torch.no_grad()
    def _step(self, token: Tensor) -> Tensor:  # unchecked: stream() checks all tokens at once
        x = self.model.embed(token)[:, None]  # (B, 1, d): a sequence of one step
        out, self.state = self.model.rnn(x, self.state)  # (B, 1, d); state carried forward
        return self.model.head(out[:, 0])  # (B, C)

    def memory_bytes(self) -> int:
        """Bytes the model carries to the next step: h (and c) of every layer."""
        if self.state is None:
            return 0
        return _tensor_bytes(*(self.state if isinstance(self.state, tuple) else (self.state,)))


class KVCacheStreamer:
    """Steps a causal Transformer ``SequenceModel``, keeping every past key and value.

    ``window``: keep only the newest ``window`` keys and values per layer (sliding-window
    attention: memory and work per token stop growing). The outputs then differ from the full
    causal forward pass once the stream is longer than the window: a different model, used as a
    control of cost, not of accuracy. ``None`` (the default): keep them all.
    """

    def __init__(self, model: SequenceModel, *, window: int | None = None) -> None:
        self.model = _check_model(model, ("transformer",), causal=True)
        self.window = None if window is None else check_positive_int(window, "window")
        self.reset()

    def reset(self) -> None:
        self.batch: int | None = None  # the batch size of the stream so far
        self.position = 0
        self.keys: list[Tensor | None] = [None] * len(self.model.layers)  # (B, h, t, dh) each
        self.values: list[Tensor | None] = [None] * len(self.model.layers)

    def step(self, token: Tensor) -> Tensor:
        """``token`` (B,) ids or (B, F) vectors -> logits (B, C)."""
        return self._step(_check_token(self, token))

    @torch.no_grad()
    def _step(self, token: Tensor) -> Tensor:  # unchecked: stream() checks all tokens at once
        x = self.model.embed(token) + _position(self.model, self.position)  # (B, d)
        for index, layer in enumerate(self.model.layers):
            x = self._layer_step(index, layer, x)  # (B, d)
        self.position += 1
        return self.model.head(self.model.norm(x))  # (B, C)

    def _layer_step(self, index: int, layer: nn.Module, x: Tensor) -> Tensor:
        """One encoder layer for the newest token only; its key and value join the cache."""
        attn = layer.self_attn
        heads, B, d = attn.num_heads, x.shape[0], x.shape[-1]

        def attend(h: Tensor) -> Tensor:  # (B, d) -> (B, d)
            q, k, v = F.linear(h, attn.in_proj_weight, attn.in_proj_bias).chunk(3, dim=-1)
            q, k, v = (t.view(B, heads, 1, d // heads) for t in (q, k, v))  # (B, h, 1, dh)
            if self.keys[index] is not None:  # append to the cache: (B, h, t+1, dh)
                k = torch.cat([self.keys[index], k], dim=2)
                v = torch.cat([self.values[index], v], dim=2)
            if self.window is not None:  # sliding window: the newest `window` only
                k, v = k[:, :, -self.window :], v[:, :, -self.window :]
            self.keys[index], self.values[index] = k, v
            out, _ = scaled_dot_product_attention(q, k, v)  # (B, h, 1, dh): the past only
            return attn.out_proj(out.reshape(B, d))

        def feed_forward(h: Tensor) -> Tensor:
            return layer.linear2(layer.activation(layer.linear1(h)))

        if layer.norm_first:
            x = x + attend(layer.norm1(x))
            return x + feed_forward(layer.norm2(x))
        x = layer.norm1(x + attend(x))
        return layer.norm2(x + feed_forward(x))

    def memory_bytes(self) -> int:
        """Bytes of the KV cache: a key and a value per past token, per layer."""
        return _tensor_bytes(*(t for t in self.keys + self.values if t is not None))


class PrefixStreamer:
    """Steps a causal Transformer with no cache: the whole prefix runs again at every step."""

    def __init__(self, model: SequenceModel) -> None:
        self.model = _check_model(model, ("transformer",), causal=True)
        self.reset()

    def reset(self) -> None:
        self.batch: int | None = None  # the batch size of the stream so far
        self.tokens: list[Tensor] = []

    def step(self, token: Tensor) -> Tensor:
        """``token`` (B,) ids or (B, F) vectors -> logits (B, C)."""
        return self._step(_check_token(self, token))

    @torch.no_grad()
    def _step(self, token: Tensor) -> Tensor:  # unchecked: stream() checks all tokens at once
        self.tokens.append(token)
        prefix = torch.stack(self.tokens, dim=1)  # (B, t+1) or (B, t+1, F)
        return self.model(prefix)[:, -1]  # (B, C): only the last position is new

    def memory_bytes(self) -> int:
        """Bytes kept between steps: the tokens so far (the activations are recomputed)."""
        return _tensor_bytes(*self.tokens)


def _position(model: SequenceModel, t: int) -> Tensor | float:
    """The positional encoding the model adds at position ``t`` (d,), or 0 without one."""
    if isinstance(model.pos, SinusoidalPositionalEncoding):
        if t >= model.pos.max_len:
            raise ValueError(f"position {t} is beyond the encoding's max_len {model.pos.max_len}")
        return model.pos.pe[t]
    if isinstance(model.pos, LearnedPositionalEncoding):
        if t >= model.pos.max_len:
            raise ValueError(f"position {t} is beyond the encoding's max_len {model.pos.max_len}")
        return model.pos.embedding.weight[t]
    return 0.0


Streamer = RecurrentStreamer | KVCacheStreamer | PrefixStreamer


def streamer_for(
    model: SequenceModel, *, cache: bool = True, window: int | None = None
) -> Streamer:
    """The streamer of ``model``: recurrent for rnn/lstm, KV cache (or none) for a Transformer.

    ``window`` (a Transformer with a cache only): keep the newest ``window`` keys and values.
    """
    cache = check_bool(cache, "cache")
    if isinstance(model, SequenceModel) and model.backbone_name == "transformer":
        if not cache:
            if window is not None:
                raise ValueError("window needs cache=True: without a cache nothing is kept")
            return PrefixStreamer(model)
        return KVCacheStreamer(model, window=window)
    if window is not None:
        raise ValueError("window concerns a Transformer's KV cache, not a recurrent model")
    return RecurrentStreamer(model)


@dataclass(frozen=True)
class StreamRecord:
    """One measurement of a stream: after ``position`` tokens, the mean time per token since
    the previous record (ms) and the bytes carried to the next token (state or KV cache)."""

    position: int
    ms_per_token: float
    memory_bytes: int


def stream(
    streamer: Streamer,
    tokens: Tensor,
    *,
    every: int = 1,
    clock: Callable[[], float] = time.perf_counter,
) -> list[StreamRecord]:
    """Feed ``tokens`` (B, N) (or (B, N, F)) one step at a time; measure as it goes.

    Every ``every`` tokens, one :class:`StreamRecord`: the position, the mean wall time per
    step since the last record, and the bytes the streamer carries.
    """
    if not isinstance(streamer, Streamer):
        raise TypeError(
            f"streamer must be a streamer (from streamer_for(model)), got {type(streamer).__name__}"
        )
    check_tensor(tokens, "tokens", ndim=(2, 3), floating=False)
    streamer.model.check_input(tokens, name="tokens")  # once here, so no step is slowed
    every = check_positive_int(every, "every")
    if not callable(clock):
        raise TypeError(f"clock must be a function returning seconds, got {clock!r}")
    streamer.reset()
    streamer.batch = tokens.shape[0]
    records, start = [], clock()
    for t, token in enumerate(tokens.unbind(1), start=1):  # (B,) or (B, F) each
        streamer._step(token)
        if t % every == 0:
            now = clock()
            records.append(
                StreamRecord(
                    position=t,
                    ms_per_token=(now - start) * 1e3 / every,
                    memory_bytes=streamer.memory_bytes(),
                )
            )
            start = clock()
    return records


def _check_stream(streamer: object, tokens: object) -> None:
    if not isinstance(streamer, Streamer):
        raise TypeError(
            f"streamer must be a streamer (from streamer_for(model)), got {type(streamer).__name__}"
        )
    check_tensor(tokens, "tokens", ndim=(2, 3), floating=False)
    streamer.model.check_input(tokens, name="tokens")


def prime(streamer: Streamer, tokens: Tensor) -> None:
    """Reset ``streamer`` and feed it ``tokens`` (B, N) (or (B, N, F)), untimed."""
    _check_stream(streamer, tokens)
    streamer.reset()
    streamer.batch = tokens.shape[0]
    if isinstance(streamer, PrefixStreamer):  # it keeps only the tokens: no need to run them
        streamer.tokens = list(tokens.unbind(1))
        return
    for token in tokens.unbind(1):  # (B,) or (B, F) each
        streamer._step(token)


def _snapshot(streamer: Streamer) -> dict[str, object]:
    """What a step changes: the state, the cache or the tokens (lists copied, tensors shared:
    a step replaces the tensors it changes, it never writes into them)."""
    return {
        name: list(value) if isinstance(value, list) else value
        for name, value in vars(streamer).items()
        if name != "model"
    }


def next_step(streamer: Streamer, tokens: Tensor) -> Callable[[], Tensor]:
    """A call that runs the step of the last token of ``tokens`` (B, N), again and again.

    ``streamer`` is primed with the first ``N - 1`` tokens (:func:`prime`); every call of the
    returned function puts that state back and steps the ``N``-th token: the latency of one
    token after ``N - 1`` others (a KV cache of ``N - 1`` tokens, then ``N``), to time with
    :func:`seqlib.timing.benchmark` or :func:`seqlib.timing.interleaved`. Returns the logits.
    """
    _check_stream(streamer, tokens)
    if tokens.shape[1] < 1:
        raise ValueError("tokens must hold at least one token")
    if tokens.shape[1] > 1:
        prime(streamer, tokens[:, :-1])
    else:  # the first token: nothing before it
        streamer.reset()
        streamer.batch = tokens.shape[0]
    saved, last = _snapshot(streamer), tokens[:, -1]

    def call() -> Tensor:
        for name, value in saved.items():
            setattr(streamer, name, list(value) if isinstance(value, list) else value)
        return streamer._step(last)  # (B, C)

    return call


def flops_per_token(streamer: Streamer, tokens: Tensor) -> int:
    """Floating-point operations of the step of the last token of ``tokens`` (B, N).

    Counted by torch's own ``torch.utils.flop_counter.FlopCounterMode`` on the call of
    :func:`next_step`: the matrix products (2 per multiply-add), not the elementwise work
    (gates, softmax, norms), which is small beside them at these widths. torch's fused
    ``nn.LSTM`` kernel is invisible to the counter: count an LSTM built with ``impl="seqlib"``
    (the same equations, written as matrix products).
    """
    from torch.utils.flop_counter import FlopCounterMode

    fused = (nn.RNN, nn.LSTM, nn.GRU)
    if isinstance(streamer, RecurrentStreamer) and isinstance(streamer.model.rnn, fused):
        raise ValueError(
            "torch's fused recurrent kernel is invisible to the FLOP counter: count the same "
            "model built with impl='seqlib'"
        )
    call = next_step(streamer, tokens)
    with FlopCounterMode(display=False) as counter:
        call()
    return int(counter.get_total_flops())
