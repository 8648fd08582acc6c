"""seqlib.models: shapes, causality, the seqlib/torch backbones agree, parameter matching."""

import pytest
import torch
from torch import nn

from seqlib.models import (
    build_model,
    closest_width,
    count_parameters,
    match_width,
    matched_backbones,
    matched_pair,
)

COMMON = dict(vocab_size=12, num_classes=5, num_layers=2)


@pytest.mark.parametrize("backbone", ["rnn", "lstm", "transformer"])
@pytest.mark.parametrize("output", ["sequence", "per_step"])
def test_output_shapes(backbone, output):
    model = build_model(backbone, d_model=16, output=output, seed=0, **COMMON)
    x = torch.randint(12, (3, 7))
    expected = (3, 5) if output == "sequence" else (3, 7, 5)
    assert model(x).shape == expected


def test_vector_inputs():
    model = build_model("lstm", input_size=4, d_model=8, num_classes=1, seed=0)
    assert model(torch.randn(2, 9, 4)).shape == (2, 1)


@pytest.mark.parametrize("backbone", ["rnn", "lstm", "transformer"])
def test_causal_models_do_not_see_the_future(backbone):
    model = build_model(backbone, d_model=16, output="per_step", causal=True, seed=0, **COMMON)
    model.eval()
    x = torch.randint(12, (2, 10))
    y = x.clone()
    y[:, 6:] = (y[:, 6:] + 1) % 12  # change only the future of position 5
    with torch.no_grad():
        assert torch.allclose(model(x)[:, :6], model(y)[:, :6], atol=1e-6)
        assert not torch.allclose(model(x)[:, 6:], model(y)[:, 6:], atol=1e-6)


def test_bidirectional_transformer_sees_the_future():
    model = build_model("transformer", d_model=16, output="per_step", seed=0, **COMMON).eval()
    x = torch.randint(12, (2, 10))
    y = x.clone()
    y[:, -1] = (y[:, -1] + 1) % 12
    with torch.no_grad():
        assert not torch.allclose(model(x)[:, 0], model(y)[:, 0], atol=1e-6)


@pytest.mark.parametrize("backbone", ["rnn", "lstm", "transformer"])
@pytest.mark.parametrize("causal", [False, True])
def test_seqlib_and_torch_backbones_agree(backbone, causal):
    """Same weights, same outputs: the from-scratch backbone is the same maths as torch's."""
    kw = dict(d_model=16, output="per_step", causal=causal, **COMMON)
    ours = build_model(backbone, impl="seqlib", seed=0, **kw).eval()
    theirs = build_model(backbone, impl="torch", seed=1, **kw).eval()
    assert count_parameters(ours) == count_parameters(theirs)
    theirs.load_state_dict(ours.state_dict())
    x = torch.randint(12, (3, 8))
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x), atol=1e-5, rtol=1e-5)


def test_same_seed_same_weights():
    a = build_model("lstm", d_model=8, seed=3, **COMMON)
    b = build_model("lstm", d_model=8, seed=3, **COMMON)
    c = build_model("lstm", d_model=8, seed=4, **COMMON)
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)


def test_attention_maps():
    model = build_model("transformer", d_model=16, nhead=2, seed=0, **COMMON)
    with pytest.raises(ValueError, match="no attention maps yet"):
        model.attention_maps()
    model(torch.randint(12, (3, 6)))
    maps = model.attention_maps()
    assert len(maps) == 2 and maps[0].shape == (3, 2, 6, 6)
    torch.testing.assert_close(maps[0].sum(-1), torch.ones(3, 2, 6))
    with pytest.raises(ValueError, match="backbone='transformer' and impl='seqlib'"):
        build_model("lstm", d_model=8, **COMMON).attention_maps()


def test_count_parameters_counts_trainable_only_by_default():
    model = nn.Linear(3, 2)  # 3*2 + 2
    assert count_parameters(model) == 8
    model.bias.requires_grad_(False)
    assert count_parameters(model) == 6
    assert count_parameters(model, trainable_only=False) == 8
    with pytest.raises(TypeError, match="torch.nn.Module"):
        count_parameters("model")


def test_matched_pair_is_close_and_same_arguments():
    ref, other = matched_pair("transformer", "lstm", d_model=32, **COMMON)
    n_ref, n_other = count_parameters(ref), count_parameters(other)
    assert ref.backbone_name == "transformer" and other.backbone_name == "lstm"
    assert abs(n_ref - n_other) / n_ref < 0.05
    assert other.num_layers == ref.num_layers


def test_match_width_is_the_closest_width():
    target = count_parameters(build_model("transformer", d_model=32, **COMMON))
    model = match_width("lstm", target, **COMMON)
    best = abs(count_parameters(model) - target)
    for d in (model.d_model - 1, model.d_model + 1):
        assert best <= abs(count_parameters(build_model("lstm", d_model=d, **COMMON)) - target)


def test_transformer_width_stays_a_multiple_of_nhead():
    target = count_parameters(build_model("lstm", d_model=50, **COMMON))
    model = match_width("transformer", target, nhead=4, **COMMON)
    assert model.d_model % 4 == 0


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(backbone="gru"), ValueError, "backbone must be one of"),
        (dict(output="mean"), ValueError, "output must be one of"),
        (dict(impl="jax"), ValueError, "impl must be one of"),
        (dict(d_model=0), ValueError, "d_model must be >= 1"),
        (dict(d_model=18, backbone="transformer"), ValueError, "divisible by nhead"),
        (dict(input_size=3), ValueError, "exactly one of vocab_size"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    args = dict(backbone="lstm", d_model=16, **COMMON) | kwargs
    with pytest.raises(error, match=match):
        build_model(args.pop("backbone"), **args)


def test_bad_inputs():
    tokens = build_model("lstm", d_model=8, **COMMON)
    with pytest.raises(TypeError, match="integer tensor"):
        tokens(torch.randn(2, 5))
    with pytest.raises(ValueError, match=r"\[0, 12\)"):
        tokens(torch.full((2, 5), 12))
    with pytest.raises(ValueError, match="2-D"):
        tokens(torch.zeros(2, 5, 1, dtype=torch.long))
    vectors = build_model("lstm", input_size=4, d_model=8, num_classes=2)
    with pytest.raises(ValueError, match="expected input_size 4"):
        vectors(torch.randn(2, 5, 3))


# --- dtypes, empty sequences and flags --------------------------------------------------------


@pytest.mark.parametrize("backbone", ["rnn", "lstm", "transformer"])
@pytest.mark.parametrize("impl", ["seqlib", "torch"])
def test_float64_vectors_into_a_float32_model(backbone, impl):
    model = build_model(backbone, input_size=4, d_model=8, num_classes=2, impl=impl, seed=0)
    x = torch.randn(2, 5, 4, dtype=torch.float64)  # what torch.from_numpy gives
    with pytest.raises(TypeError, match=r"x \(vectors\) has dtype torch.float64 .*torch.float32"):
        model(x)
    assert model.double()(x).dtype == torch.float64  # a float64 model takes float64 vectors


@pytest.mark.parametrize("backbone", ["rnn", "lstm", "transformer"])
def test_token_ids_and_vectors_are_not_confused(backbone):
    tokens = build_model(backbone, d_model=8, seed=0, **COMMON)
    with pytest.raises(TypeError, match=r"x \(token ids\) must be an integer tensor.*float32"):
        tokens(torch.rand(2, 5))
    vectors = build_model(backbone, input_size=4, d_model=8, num_classes=2, seed=0)
    with pytest.raises(TypeError, match=r"x \(vectors\) must be a floating-point tensor.*int64"):
        vectors(torch.zeros(2, 5, 4, dtype=torch.long))


@pytest.mark.parametrize("backbone", ["rnn", "lstm", "transformer"])
@pytest.mark.parametrize("output", ["sequence", "per_step"])
def test_zero_length_sequence_is_a_clear_error(backbone, output):
    tokens = build_model(backbone, d_model=8, output=output, seed=0, **COMMON)
    with pytest.raises(ValueError, match=r"x has sequence length 0 .*must be >= 1"):
        tokens(torch.zeros(2, 0, dtype=torch.long))
    vectors = build_model(backbone, input_size=4, d_model=8, num_classes=2, output=output)
    with pytest.raises(ValueError, match=r"x has sequence length 0 .*must be >= 1"):
        vectors.features(torch.zeros(2, 0, 4))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(causal="False"), TypeError, "causal must be a bool, got str"),
        (dict(causal=1), TypeError, "causal must be a bool, got int"),
        (dict(norm_first="no"), TypeError, "norm_first must be a bool, got str"),
        (dict(nhead=0), ValueError, "nhead must be >= 1, got 0"),
        (dict(nhead="4"), TypeError, "nhead must be an int, got str"),
        (dict(dropout=float("nan"), impl="torch"), ValueError, "dropout must be finite, got nan"),
        (dict(dropout=1.5, impl="torch"), ValueError, r"dropout must be in \[0, 1\], got 1.5"),
        (dict(dim_feedforward=0, impl="torch"), ValueError, "dim_feedforward must be >= 1"),
    ],
)
def test_bad_transformer_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        build_model("transformer", d_model=16, **COMMON, **kwargs)


def test_count_parameters_flag_is_a_bool():
    with pytest.raises(TypeError, match="trainable_only must be a bool, got str"):
        count_parameters(nn.Linear(2, 2), trainable_only="no")


def test_match_width_names_a_bad_nhead():
    with pytest.raises(ValueError, match="nhead must be >= 1, got 0"):
        match_width("transformer", 1000, nhead=0, **COMMON)


# ---------------------------------------------------------------------------------------------
# torch's backbones at equal parameters (round 2's timings)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [32, 64, 128])
def test_matched_backbones_are_matched(width):
    lstm, transformer = matched_backbones(width)
    assert isinstance(lstm, torch.nn.LSTM) and lstm.batch_first and lstm.input_size == width
    assert transformer.linear1.out_features == 4 * width and transformer.self_attn.batch_first
    target = count_parameters(transformer)
    gap = abs(count_parameters(lstm) - target)
    for h in (lstm.hidden_size - 1, lstm.hidden_size + 1):  # its neighbours are no closer
        assert abs(count_parameters(torch.nn.LSTM(width, h)) - target) >= gap
    assert gap / target < 0.05


def test_matched_backbones_are_seeded():
    first, second = matched_backbones(32, seed=3), matched_backbones(32, seed=3)
    for a, b in zip(first, second, strict=True):
        for p, q in zip(a.parameters(), b.parameters(), strict=True):
            assert torch.equal(p, q)


def test_matched_backbones_bad_width():
    with pytest.raises(ValueError, match="multiple of nhead=4"):
        matched_backbones(30)
    with pytest.raises(TypeError, match="width must be an int"):
        matched_backbones(64.0)


def test_closest_width_is_the_argmin():
    """Doubling then bisection finds the same width as trying them all."""
    for target in (1, 7, 50, 999, 12_345):
        size = lambda w: 3 * w * w + 5  # noqa: E731
        found = closest_width(size, target)
        best = min(range(1, 200), key=lambda w: abs(size(w) - target))
        assert abs(size(found) - target) == abs(size(best) - target)
    assert closest_width(lambda w: w, 37, step=4) == 36
    with pytest.raises(ValueError, match="target_params"):
        closest_width(lambda w: w, 0)


def test_closest_width_stops_when_the_size_does_not_grow():
    with pytest.raises(ValueError, match="size.*does not grow with the width"):
        closest_width(lambda w: 5, 100)
    with pytest.raises(TypeError, match="size must be a function"):
        closest_width(5, 100)
    with pytest.raises(TypeError, match=r"size\(1\) must be a number"):
        closest_width(lambda w: "many", 100)
    assert closest_width(lambda w: w, 2**20) == 2**20
    with pytest.raises(ValueError, match="still below target_params"):
        closest_width(lambda w: w, 2**30)  # grows, but would need a width beyond 2**20


def test_check_input_is_public_and_steps_are_checked():
    model = build_model("lstm", vocab_size=5, d_model=8, num_classes=3)
    x = torch.randint(5, (2, 4))
    assert model.check_input(x) is x
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 5\)"):
        model.check_input(x + 5)
    assert model.check_step(x[:, 0]) is not None
    with pytest.raises(ValueError, match=r"token \(token ids\) must be 1-D"):
        model.check_step(x)
    vectors = build_model("lstm", input_size=3, d_model=8, num_classes=3)
    vectors.check_step(torch.randn(2, 3))
    with pytest.raises(ValueError, match="token has 4 features"):
        vectors.check_step(torch.randn(2, 4))


def test_a_dynamically_quantized_vector_model_still_runs():
    """quantize_dynamic swaps the embedding's Linear for one whose ``weight`` is a method:
    the input check must not trip over it (round 5 quantizes a forecaster)."""
    model = build_model("lstm", input_size=3, d_model=8, num_classes=1, seed=0, impl="torch")
    quantized = torch.ao.quantization.quantize_dynamic(
        model.eval(), {torch.nn.Linear, torch.nn.LSTM}, dtype=torch.qint8
    )
    assert quantized(torch.randn(2, 5, 3)).shape == (2, 1)
