"""seqlib.streaming: stepping token by token gives the full forward pass's logits."""

import pytest
import torch

from seqlib.models import build_model
from seqlib.streaming import (
    KVCacheStreamer,
    PrefixStreamer,
    RecurrentStreamer,
    flops_per_token,
    next_step,
    prime,
    stream,
    streamer_for,
)

ARGS = dict(vocab_size=11, num_classes=7, num_layers=2, output="per_step", seed=0)


def step_all(streamer, tokens):
    streamer.reset()
    return torch.stack([streamer.step(t) for t in tokens.unbind(1)], dim=1)  # (B, T, C)


@pytest.mark.parametrize("backbone", ["rnn", "lstm"])
@pytest.mark.parametrize("impl", ["seqlib", "torch"])
def test_recurrent_stream_equals_full_forward(backbone, impl):
    model = build_model(backbone, d_model=12, impl=impl, **ARGS).eval()
    tokens = torch.randint(11, (3, 9))
    with torch.no_grad():
        full = model(tokens)
    torch.testing.assert_close(step_all(RecurrentStreamer(model), tokens), full)


@pytest.mark.parametrize("impl", ["seqlib", "torch"])
@pytest.mark.parametrize("norm_first", [True, False])
@pytest.mark.parametrize("positional", ["sinusoidal", "learned", "none"])
@pytest.mark.parametrize("streamer", [KVCacheStreamer, PrefixStreamer])
def test_transformer_stream_equals_full_causal_forward(impl, norm_first, positional, streamer):
    model = build_model(
        "transformer", d_model=16, nhead=4, causal=True, impl=impl, norm_first=norm_first,
        positional=positional, max_len=64, **ARGS,
    ).eval()  # fmt: skip
    tokens = torch.randint(11, (2, 10))
    with torch.no_grad():
        full = model(tokens)
    torch.testing.assert_close(step_all(streamer(model), tokens), full, atol=1e-5, rtol=1e-5)


def test_memory_the_lstm_is_constant_the_cache_grows_linearly():
    lstm = build_model("lstm", d_model=8, **ARGS).eval()
    tf = build_model("transformer", d_model=8, nhead=2, causal=True, **ARGS).eval()
    tokens = torch.randint(11, (1, 40))
    lstm_mem = [r.memory_bytes for r in stream(streamer_for(lstm), tokens, every=10)]
    cache_mem = [r.memory_bytes for r in stream(streamer_for(tf), tokens, every=10)]
    assert lstm_mem == [2 * 2 * 8 * 4] * 4  # h and c, 2 layers, 8 floats, 4 bytes each
    assert cache_mem == [2 * 2 * 8 * 4 * t for t in (10, 20, 30, 40)]  # K and V per token


def test_stream_records():
    model = build_model("lstm", d_model=8, **ARGS).eval()
    ticks = iter(range(100))
    records = stream(streamer_for(model), torch.randint(11, (1, 6)), every=2,
                     clock=lambda: float(next(ticks)))  # fmt: skip
    assert [r.position for r in records] == [2, 4, 6]
    assert all(r.ms_per_token == 500.0 for r in records)  # one tick per 2 tokens


def test_bad_models_and_input():
    with pytest.raises(ValueError, match="causal"):
        KVCacheStreamer(build_model("transformer", d_model=8, nhead=2, **ARGS))
    with pytest.raises(ValueError, match="per_step"):
        RecurrentStreamer(build_model("lstm", d_model=8, vocab_size=3, num_classes=2))
    with pytest.raises(TypeError, match="SequenceModel"):
        RecurrentStreamer(torch.nn.LSTM(3, 4))
    with pytest.raises(ValueError, match="backbone"):
        RecurrentStreamer(build_model("transformer", d_model=8, nhead=2, causal=True, **ARGS))
    model = build_model("lstm", d_model=8, **ARGS)
    with pytest.raises(ValueError, match="every must be >= 1"):
        stream(streamer_for(model), torch.randint(11, (1, 4)), every=0)
    short = build_model("transformer", d_model=8, nhead=2, causal=True, max_len=3, **ARGS)
    with pytest.raises(ValueError, match="beyond the encoding's max_len 3"):
        stream(streamer_for(short), torch.randint(11, (1, 5)))


# ---- what a learner can get wrong: every token is checked as the model would check it -------


def test_streamers_check_tokens_as_the_model_does():
    lstm = build_model("lstm", d_model=8, **ARGS).eval()
    tf = build_model("transformer", d_model=8, nhead=2, causal=True, **ARGS).eval()
    ids = torch.randint(11, (2, 4))
    for streamer in (streamer_for(lstm), streamer_for(tf), streamer_for(tf, cache=False)):
        with pytest.raises(ValueError, match=r"token ids must lie in \[0, 11\)"):
            stream(streamer, ids + 11)
        with pytest.raises(TypeError, match="must be an integer tensor"):
            stream(streamer, ids.float())
        with pytest.raises(ValueError, match=r"token ids must lie in \[0, 11\)"):
            streamer.step(torch.tensor([11, 0]))
        with pytest.raises(ValueError, match=r"token \(token ids\) must be 1-D"):
            streamer.step(ids)
        streamer.reset()
        streamer.step(ids[:, 0])
        with pytest.raises(ValueError, match="batch of 2.*call reset"):
            streamer.step(ids[:1, 0])


def test_streamers_check_vectors_as_the_model_does():
    args = dict(ARGS, vocab_size=None, input_size=3)
    for model in (
        build_model("lstm", d_model=8, **args).eval(),
        build_model("transformer", d_model=8, nhead=2, causal=True, **args).eval(),
    ):
        for streamer in (streamer_for(model), streamer_for(model, cache=False)):
            vectors = torch.randn(2, 4, 3)
            assert len(stream(streamer, vectors)) == 4
            with pytest.raises(TypeError, match="float64.*float32"):
                stream(streamer, vectors.double())
            with pytest.raises(ValueError, match="5 features.*input_size 3"):
                stream(streamer, torch.randn(2, 4, 5))
            with pytest.raises(TypeError, match="float64.*float32"):
                streamer.step(vectors[:, 0].double())


def test_stream_needs_a_streamer_and_cache_a_bool():
    model = build_model("lstm", d_model=8, **ARGS).eval()
    with pytest.raises(TypeError, match="streamer must be a streamer.*streamer_for"):
        stream(model, torch.randint(11, (1, 4)))
    tf = build_model("transformer", d_model=8, nhead=2, causal=True, **ARGS).eval()
    with pytest.raises(TypeError, match="cache must be a bool"):
        streamer_for(tf, cache="no")


def test_a_window_bounds_the_cache_and_equals_full_attention_within_it():
    tf = build_model("transformer", d_model=8, nhead=2, causal=True, max_len=64, **ARGS).eval()
    tokens = torch.randint(11, (1, 30))
    windowed = streamer_for(tf, window=5)
    mem = [r.memory_bytes for r in stream(windowed, tokens, every=3)]
    assert mem[0] == 2 * 2 * 8 * 4 * 3 and set(mem[1:]) == {2 * 2 * 8 * 4 * 5}  # at most 5
    with torch.no_grad():  # within the window, the same as full attention
        torch.testing.assert_close(step_all(windowed, tokens[:, :5]), tf(tokens[:, :5]))
        late = step_all(windowed, tokens)[:, -1]
    assert not torch.allclose(late, tf(tokens)[:, -1])  # beyond it, another model
    with pytest.raises(ValueError, match="window needs cache=True"):
        streamer_for(tf, cache=False, window=5)
    lstm = build_model("lstm", d_model=8, **ARGS)
    with pytest.raises(ValueError, match="window concerns a Transformer"):
        streamer_for(lstm, window=5)
    with pytest.raises(ValueError, match="window"):
        streamer_for(tf, window=0)


@pytest.mark.parametrize("backbone", ["lstm", "transformer"])
@pytest.mark.parametrize("cache", [True, False])
def test_next_step_repeats_the_last_tokens_step(backbone, cache):
    model = build_model(backbone, d_model=8, nhead=2, causal=True, max_len=64, **ARGS).eval()
    tokens = torch.randint(11, (1, 12))
    call = next_step(streamer_for(model, cache=cache), tokens)
    with torch.no_grad():
        full = model(tokens)[:, -1]
    for _ in range(3):  # the same state every call: the same logits
        torch.testing.assert_close(call(), full, atol=1e-5, rtol=1e-5)
    first = next_step(streamer_for(model, cache=cache), tokens[:, :1])
    with torch.no_grad():
        torch.testing.assert_close(first(), model(tokens[:, :1])[:, -1], atol=1e-5, rtol=1e-5)


def test_prime_feeds_the_tokens():
    tf = build_model("transformer", d_model=8, nhead=2, causal=True, max_len=64, **ARGS).eval()
    cached = streamer_for(tf)
    prime(cached, torch.randint(11, (1, 7)))
    assert cached.position == 7 and cached.memory_bytes() == 2 * 2 * 8 * 4 * 7
    prefix = streamer_for(tf, cache=False)
    prime(prefix, torch.randint(11, (1, 7)))
    assert len(prefix.tokens) == 7
    with pytest.raises(TypeError, match="streamer must be a streamer"):
        prime(tf, torch.randint(11, (1, 7)))


def test_flops_per_token_the_lstm_is_flat_attention_grows():
    d, layers, vocab = 8, 2, 11
    lstm = build_model("lstm", d_model=d, impl="seqlib", **ARGS).eval()
    tf = build_model("transformer", d_model=d, nhead=2, causal=True, impl="seqlib", max_len=64,
                     **ARGS).eval()  # fmt: skip
    tokens = torch.randint(vocab, (1, 20))
    lstm_flops = [flops_per_token(streamer_for(lstm), tokens[:, :n]) for n in (1, 10, 20)]
    # two layers of 4 gates, (d in + d state) x d each, 2 FLOPs a multiply-add; and the head
    assert lstm_flops == [layers * 2 * 4 * d * (d + d) + 2 * d * 7] * 3
    tf_flops = [flops_per_token(streamer_for(tf), tokens[:, :n]) for n in (1, 10, 20)]
    per_key = 2 * 2 * 2 * d  # per layer: q.k and weights x v, 2 FLOPs each, over d
    assert tf_flops[1] - tf_flops[0] == 9 * per_key and tf_flops[2] - tf_flops[1] == 10 * per_key
    windowed = [flops_per_token(streamer_for(tf, window=4), tokens[:, :n]) for n in (10, 20)]
    assert windowed[0] == windowed[1] < tf_flops[1]  # a bounded window: the cost stops growing
    prefix = flops_per_token(streamer_for(tf, cache=False), tokens)
    assert prefix > 10 * tf_flops[2]  # without a cache: the whole prefix again
    torch_lstm = build_model("lstm", d_model=d, impl="torch", **ARGS).eval()
    with pytest.raises(ValueError, match="invisible to the FLOP counter"):
        flops_per_token(streamer_for(torch_lstm), tokens)
