"""seqlib.attention against torch: outputs, weights and gradients, masks, errors.

How torch is compared, and why:

- ``F.scaled_dot_product_attention`` does not return its weights; calling it with the identity
  matrix as ``value`` does (``softmax(...) @ I``), which gives torch's weights to compare with.
- ``nn.MultiheadAttention`` and ``nn.TransformerEncoderLayer`` take a fused "fast path" in eval
  mode when autograd is off, which may treat padded positions differently (``nn.TransformerEncoder``
  even returns zeros there). The parity tests therefore run torch in train mode with
  ``dropout=0.0`` (the plain Python path, which is also what we differentiate); one test checks
  the eval-mode fast path, at non-padded positions only.
- ``nn.MultiheadAttention`` returns NaN for a query whose keys are all masked (seqlib returns
  zeros), so the parity tests keep at least one key per query; the fully masked case has its own
  tests.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from seqlib.attention import (
    LearnedPositionalEncoding,
    MultiHeadAttention,
    SinusoidalPositionalEncoding,
    TransformerEncoderLayer,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)

DTYPES = [torch.float32, torch.float64]
TOL = {torch.float32: {"atol": 1e-5, "rtol": 1e-5}, torch.float64: {"atol": 1e-10, "rtol": 1e-10}}


def close(actual: torch.Tensor, expected: torch.Tensor, dtype: torch.dtype) -> None:
    torch.testing.assert_close(actual, expected, **TOL[dtype])


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape: int, dtype: torch.dtype = torch.float32, seed: int = 0) -> torch.Tensor:
    return torch.randn(*shape, generator=gen(seed), dtype=dtype)


def keep_mask(*shape: int, seed: int = 0) -> torch.Tensor:
    """Random boolean mask, True = keep, with key 0 always kept (no fully masked rows)."""
    mask = torch.rand(*shape, generator=gen(seed)) > 0.4
    mask[..., 0] = True
    return mask


def float_mask(keep: torch.Tensor, dtype: torch.dtype, seed: int = 1) -> torch.Tensor:
    """A float mask with arbitrary finite values where ``keep`` and -inf elsewhere."""
    values = torch.randn(keep.shape, generator=gen(seed), dtype=dtype)
    return values.masked_fill(~keep, float("-inf"))


# ---------------------------------------------------------------------------------------------
# scaled_dot_product_attention
# ---------------------------------------------------------------------------------------------

B, H, L, S, E, EV = 2, 3, 4, 6, 8, 5

# name -> (batch shape, function making attn_mask from dtype, extra kwargs)
SDPA_CASES = {
    "3d-no-mask": ((B,), lambda dt: None, {}),
    "4d-no-mask": ((B, H), lambda dt: None, {}),
    "bool-LS": ((B, H), lambda dt: keep_mask(L, S), {}),
    "bool-full-shape": ((B, H), lambda dt: keep_mask(B, H, L, S), {}),
    "bool-B11S-padding": ((B, H), lambda dt: keep_mask(B, 1, 1, S), {}),
    "bool-1HLS": ((B, H), lambda dt: keep_mask(1, H, L, S), {}),
    "bool-L1-rows": ((B,), lambda dt: torch.ones(L, 1, dtype=torch.bool), {}),
    "bool-3d": ((B,), lambda dt: keep_mask(B, L, S), {}),
    "float-LS": ((B, H), lambda dt: float_mask(keep_mask(L, S), dt), {}),
    "float-finite-B1LS": ((B, H), lambda dt: randn(B, 1, L, S, dtype=dt, seed=3), {}),
    "float-3d": ((B,), lambda dt: float_mask(keep_mask(B, L, S), dt), {}),
    "causal": ((B, H), lambda dt: None, {"is_causal": True}),
    "causal-3d": ((B,), lambda dt: None, {"is_causal": True}),
    "scale": ((B, H), lambda dt: None, {"scale": 0.37}),
    "scale-and-mask": ((B, H), lambda dt: keep_mask(L, S), {"scale": 2.0}),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_matches_torch(case: str, dtype: torch.dtype) -> None:
    batch, make_mask, kwargs = SDPA_CASES[case]
    q = randn(*batch, L, E, dtype=dtype, seed=1).requires_grad_()
    k = randn(*batch, S, E, dtype=dtype, seed=2).requires_grad_()
    v = randn(*batch, S, EV, dtype=dtype, seed=3).requires_grad_()
    mask = make_mask(dtype)

    out, weights = scaled_dot_product_attention(q, k, v, attn_mask=mask, **kwargs)
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, **kwargs)
    close(out, expected, dtype)

    # torch's weights: attention applied to the identity matrix
    eye = torch.eye(S, dtype=dtype).expand(*batch, S, S)
    expected_weights = F.scaled_dot_product_attention(q, k, eye, attn_mask=mask, **kwargs)
    close(weights, expected_weights, dtype)
    close(weights.sum(-1), torch.ones(*batch, L, dtype=dtype), dtype)

    grad = randn(*out.shape, dtype=dtype, seed=9)
    ours = torch.autograd.grad(out, (q, k, v), grad)
    theirs = torch.autograd.grad(expected, (q, k, v), grad)
    for a, b in zip(ours, theirs, strict=True):
        close(a, b, dtype)


def test_sdpa_is_causal_equals_causal_mask_and_is_top_left_aligned() -> None:
    q, k, v = randn(2, 5, 4, seed=1), randn(2, 7, 4, seed=2), randn(2, 7, 3, seed=3)
    causal, weights = scaled_dot_product_attention(q, k, v, is_causal=True)
    top_left = torch.ones(5, 7, dtype=torch.bool).tril()
    masked, _ = scaled_dot_product_attention(q, k, v, attn_mask=top_left)
    close(causal, masked, torch.float32)
    assert (weights[..., ~top_left] == 0).all()
    square, _ = scaled_dot_product_attention(q, q, q, is_causal=True)
    close(square, scaled_dot_product_attention(q, q, q, attn_mask=causal_mask(5))[0], torch.float32)


def test_sdpa_is_the_equation() -> None:
    """softmax(QKᵀ/√d_k)V written out with a 2x2 example whose answer is known."""
    q = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    k = torch.tensor([[1.0, 0.0], [0.0, 1.0]]) * math.sqrt(2) * math.log(3)
    v = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    out, weights = scaled_dot_product_attention(q, k, v)
    expected = torch.tensor([[0.75, 0.25], [0.25, 0.75]])  # softmax([ln 3, 0]) = [3/4, 1/4]
    close(weights, expected, torch.float32)
    close(out, expected, torch.float32)


FULLY_MASKED = {
    "bool": lambda dt: torch.tensor([[True, True, False], [False, False, False]]),
    "float": lambda dt: torch.tensor([[0.0, 1.0, -math.inf], [-math.inf] * 3], dtype=dt),
    "bool-broadcast-L1": lambda dt: torch.tensor([[True], [False]]),
    "float-broadcast-L1": lambda dt: torch.tensor([[0.5], [-math.inf]], dtype=dt),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", list(FULLY_MASKED))
def test_sdpa_fully_masked_row_gives_zeros_like_torch(kind: str, dtype: torch.dtype) -> None:
    q = randn(2, 2, 4, dtype=dtype, seed=1).requires_grad_()
    k = randn(2, 3, 4, dtype=dtype, seed=2).requires_grad_()
    v = randn(2, 3, 5, dtype=dtype, seed=3).requires_grad_()
    mask = FULLY_MASKED[kind](dtype)  # query 1 may see nothing

    out, weights = scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert not out.isnan().any() and not weights.isnan().any()
    assert (out[:, 1] == 0).all() and (weights[:, 1] == 0).all()
    close(weights[:, 0].sum(-1), torch.ones(2, dtype=dtype), dtype)

    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    close(out, expected, dtype)  # torch 2.13 on CPU also returns zeros there
    grad = randn(*out.shape, dtype=dtype, seed=9)
    ours = torch.autograd.grad(out, (q, k, v), grad)
    theirs = torch.autograd.grad(expected, (q, k, v), grad)
    for a, b in zip(ours, theirs, strict=True):
        assert a.isfinite().all()
        close(a, b, dtype)
    assert (ours[0][:, 1] == 0).all()  # nothing flows back into a query that saw nothing


def test_sdpa_dropout() -> None:
    q, k, v = randn(2, 3, 8, 4, seed=1), randn(2, 3, 8, 4, seed=2), randn(2, 3, 8, 4, seed=3)
    plain, plain_weights = scaled_dot_product_attention(q, k, v)
    torch.manual_seed(7)
    out1, weights1 = scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    torch.manual_seed(7)
    out2, _ = scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    torch.manual_seed(8)
    out3, _ = scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    assert not torch.allclose(out1, plain)
    assert torch.equal(out1, out2)  # same seed, same dropout mask
    assert not torch.allclose(out1, out3)
    # the returned weights are the dropped-out ones that made the output
    close(out1, weights1 @ v, torch.float32)
    kept = weights1 != 0
    assert 0 < kept.float().mean() < 1
    close(weights1[kept], plain_weights[kept] / 0.5, torch.float32)


# ---------------------------------------------------------------------------------------------
# MultiHeadAttention
# ---------------------------------------------------------------------------------------------

EMBED, HEADS, BATCH, LQ, LK = 8, 2, 3, 4, 5


def mha_masks(name: str, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    """Masks in nn.MultiheadAttention's convention (bool True = ignore)."""
    lengths = [LK, 2, 4]
    pad = padding_mask(lengths)
    ignore = ~keep_mask(LQ, LK)
    ignore_3d = ~keep_mask(BATCH * HEADS, LQ, LK, seed=4)
    return {
        "none": {},
        "padding-bool": {"key_padding_mask": pad},
        "padding-float": {"key_padding_mask": float_mask(~pad, dtype)},
        "attn-bool": {"attn_mask": ignore},
        "attn-float": {"attn_mask": float_mask(~ignore, dtype)},
        "attn-bool-3d": {"attn_mask": ignore_3d},
        "attn-float-3d": {"attn_mask": randn(BATCH * HEADS, LQ, LK, dtype=dtype, seed=5)},
        "both-bool": {"attn_mask": ignore, "key_padding_mask": pad},
        "both-float": {
            "attn_mask": float_mask(~ignore, dtype),
            "key_padding_mask": float_mask(~pad, dtype, seed=2),
        },
    }[name]


MHA_MASKS = [
    "none",
    "padding-bool",
    "padding-float",
    "attn-bool",
    "attn-float",
    "attn-bool-3d",
    "attn-float-3d",
    "both-bool",
    "both-float",
]


def make_mha_pair(
    dtype: torch.dtype, batch_first: bool, dropout: float = 0.0, bias: bool = True
) -> tuple[nn.MultiheadAttention, MultiHeadAttention]:
    torch.manual_seed(0)
    theirs = nn.MultiheadAttention(
        EMBED, HEADS, dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype
    )
    with torch.no_grad():  # non-zero biases, so a bias mix-up shows
        for p in theirs.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return theirs, MultiHeadAttention.from_torch(theirs)


def qkv(dtype: torch.dtype, batch_first: bool) -> list[torch.Tensor]:
    shapes = [(BATCH, LQ, EMBED), (BATCH, LK, EMBED), (BATCH, LK, EMBED)]
    tensors = [randn(*s, dtype=dtype, seed=i) for i, s in enumerate(shapes)]
    if not batch_first:
        tensors = [t.transpose(0, 1).contiguous() for t in tensors]
    return [t.requires_grad_() for t in tensors]


def assert_same_grads(
    ours: nn.Module, theirs: nn.Module, out: torch.Tensor, expected: torch.Tensor, inputs, dtype
) -> None:
    grad = randn(*out.shape, dtype=dtype, seed=9)
    ours_params, theirs_params = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert ours_params.keys() == theirs_params.keys()
    names = list(theirs_params)
    got = torch.autograd.grad(out, [*inputs, *(ours_params[n] for n in names)], grad)
    want = torch.autograd.grad(expected, [*inputs, *(theirs_params[n] for n in names)], grad)
    for name, a, b in zip(["input"] * len(inputs) + names, got, want, strict=True):
        assert a.isfinite().all(), name
        close(a, b, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", MHA_MASKS)
def test_mha_matches_torch(masks: str, batch_first: bool, dtype: torch.dtype) -> None:
    theirs, ours = make_mha_pair(dtype, batch_first)
    q, k, v = qkv(dtype, batch_first)
    kwargs = mha_masks(masks, dtype)
    out, weights = ours(q, k, v, **kwargs)
    expected, expected_weights = theirs(q, k, v, **kwargs)
    close(out, expected, dtype)
    close(weights, expected_weights, dtype)
    assert weights.shape == (BATCH, LQ, LK)
    assert_same_grads(ours, theirs, out, expected, [q, k, v], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("average", [True, False])
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_weights_options_match_torch(
    need_weights: bool, average: bool, dtype: torch.dtype
) -> None:
    theirs, ours = make_mha_pair(dtype, batch_first=True)
    x = randn(BATCH, LQ, EMBED, dtype=dtype).requires_grad_()  # self-attention
    kwargs = {"need_weights": need_weights, "average_attn_weights": average}
    kwargs["key_padding_mask"] = padding_mask([LQ, 2, 3])
    out, weights = ours(x, x, x, **kwargs)
    expected, expected_weights = theirs(x, x, x, **kwargs)
    close(out, expected, dtype)
    if need_weights:
        close(weights, expected_weights, dtype)
        assert weights.shape == ((BATCH, LQ, LQ) if average else (BATCH, HEADS, LQ, LQ))
    else:
        assert weights is None and expected_weights is None
    assert_same_grads(ours, theirs, out, expected, [x], dtype)


def test_mha_last_attention() -> None:
    theirs, ours = make_mha_pair(torch.float32, batch_first=False)
    q, k, v = qkv(torch.float32, batch_first=False)
    _, per_head = ours(q, k, v, average_attn_weights=False)
    assert ours.last_attention.shape == (BATCH, HEADS, LQ, LK)
    assert not ours.last_attention.requires_grad
    assert torch.equal(ours.last_attention, per_head.detach())
    _, averaged = ours(q, k, v)
    close(ours.last_attention.mean(1), averaged.detach(), torch.float32)
    ours(q[:2], k[:2], v[:2], need_weights=False)  # stored even when not returned
    assert ours.last_attention.shape == (BATCH, HEADS, 2, 2)


def test_mha_unbatched_matches_torch() -> None:
    theirs, ours = make_mha_pair(torch.float64, batch_first=True)
    q, k, v = (t[0].detach().requires_grad_() for t in qkv(torch.float64, batch_first=True))
    kwargs = {"key_padding_mask": torch.tensor([False, False, True, False, True])}
    kwargs["attn_mask"] = ~keep_mask(HEADS, LQ, LK)
    out, weights = ours(q, k, v, average_attn_weights=False, **kwargs)
    expected, expected_weights = theirs(q, k, v, average_attn_weights=False, **kwargs)
    assert out.shape == (LQ, EMBED) and weights.shape == (HEADS, LQ, LK)
    assert ours.last_attention.shape == (HEADS, LQ, LK)
    close(out, expected, torch.float64)
    close(weights, expected_weights, torch.float64)
    assert_same_grads(ours, theirs, out, expected, [q, k, v], torch.float64)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mha_is_causal(dtype: torch.dtype) -> None:
    theirs, ours = make_mha_pair(dtype, batch_first=True)
    x = randn(BATCH, LQ, EMBED, dtype=dtype)
    mask = ~causal_mask(LQ)  # nn.MultiheadAttention: True = ignore
    expected, expected_weights = theirs(x, x, x, attn_mask=mask, is_causal=True)
    for kwargs in ({"attn_mask": mask, "is_causal": True}, {"is_causal": True}):
        out, weights = ours(x, x, x, **kwargs)
        close(out, expected, dtype)
        close(weights, expected_weights, dtype)
    assert (ours.last_attention[..., mask] == 0).all()


@pytest.mark.parametrize("dtype", DTYPES)
def test_mha_fully_masked_batch_element(dtype: torch.dtype) -> None:
    theirs, ours = make_mha_pair(dtype, batch_first=True)
    q, k, v = qkv(dtype, batch_first=True)
    pad = padding_mask([0, 2, LK])  # sequence 0 has no keys at all
    out, weights = ours(q, k, v, key_padding_mask=pad)
    expected, _ = theirs(q, k, v, key_padding_mask=pad)
    assert expected[0].isnan().all()  # torch: NaN (need_weights=True path)
    assert out.isfinite().all() and weights.isfinite().all()
    assert (weights[0] == 0).all()
    close(out[0], ours.out_proj.bias.expand(LQ, EMBED), dtype)  # attends to nothing: bias only
    close(out[1:], expected[1:], dtype)
    out.sum().backward()
    assert all(p.grad.isfinite().all() for p in ours.parameters())
    assert q.grad.isfinite().all() and (q.grad[0] == 0).all()


def test_mha_dropout_matches_torch_under_the_same_seed() -> None:
    theirs, ours = make_mha_pair(torch.float32, batch_first=True, dropout=0.5)
    q, k, v = qkv(torch.float32, batch_first=True)
    torch.manual_seed(3)
    expected, expected_weights = theirs(q, k, v, average_attn_weights=False)
    torch.manual_seed(3)
    out, weights = ours(q, k, v, average_attn_weights=False)
    close(out, expected, torch.float32)
    close(weights, expected_weights, torch.float32)  # both return post-dropout weights
    no_dropout, _ = ours.eval()(q, k, v)
    assert not torch.allclose(out, no_dropout)
    theirs.dropout = 0.0
    close(no_dropout, theirs(q, k, v)[0], torch.float32)  # eval mode: dropout is off


def test_mha_same_initialisation_and_state_dict_as_torch() -> None:
    torch.manual_seed(0)
    theirs = nn.MultiheadAttention(12, 3, bias=False)
    torch.manual_seed(0)
    ours = MultiHeadAttention(12, 3, bias=False)
    assert ours.in_proj_bias is None and ours.out_proj.bias is None
    want, got = theirs.state_dict(), ours.state_dict()
    assert list(got) == list(want)
    for name in want:
        assert torch.equal(got[name], want[name]), name


@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_to_torch_round_trip(batch_first: bool) -> None:
    _, ours = make_mha_pair(torch.float64, batch_first, dropout=0.25)
    ours.eval()
    theirs = ours.to_torch()
    assert isinstance(theirs, nn.MultiheadAttention) and not theirs.training
    assert theirs.batch_first == batch_first and theirs.dropout == 0.25
    q, k, v = qkv(torch.float64, batch_first)
    close(ours(q, k, v)[0], theirs(q, k, v)[0], torch.float64)
    back = MultiHeadAttention.from_torch(theirs)
    assert not back.training and back.dropout == 0.25
    for name, tensor in ours.state_dict().items():
        assert torch.equal(back.state_dict()[name], tensor)


# ---------------------------------------------------------------------------------------------
# TransformerEncoderLayer
# ---------------------------------------------------------------------------------------------

D_MODEL, NHEAD, FF, T = 8, 2, 16, 5


def layer_masks(name: str, dtype: torch.dtype) -> dict:
    pad = padding_mask([T, 3, 4])
    ignore = ~keep_mask(T, T)
    return {
        "none": {},
        "src-bool": {"src_mask": ignore},
        "src-float": {"src_mask": float_mask(~ignore, dtype)},
        "padding": {"src_key_padding_mask": pad},
        "both": {"src_mask": ignore, "src_key_padding_mask": pad},
        "causal": {"src_mask": ~causal_mask(T), "is_causal": True},
    }[name]


def make_layer_pair(
    dtype: torch.dtype, activation, norm_first: bool, batch_first: bool, dropout: float = 0.0
) -> tuple[nn.TransformerEncoderLayer, TransformerEncoderLayer]:
    torch.manual_seed(0)
    theirs = nn.TransformerEncoderLayer(
        D_MODEL,
        NHEAD,
        dim_feedforward=FF,
        dropout=dropout,
        activation=activation,
        batch_first=batch_first,
        norm_first=norm_first,
        dtype=dtype,
    )
    with torch.no_grad():  # move LayerNorm and biases away from their 1 / 0 initial values
        for p in theirs.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return theirs, TransformerEncoderLayer.from_torch(theirs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", ["none", "src-bool", "src-float", "padding", "both", "causal"])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_matches_torch(
    activation: str, norm_first: bool, masks: str, batch_first: bool, dtype: torch.dtype
) -> None:
    theirs, ours = make_layer_pair(dtype, activation, norm_first, batch_first)
    assert theirs.training and ours.training  # train mode, dropout 0: torch's reference path
    src = randn(3, T, D_MODEL, dtype=dtype)
    src = (src if batch_first else src.transpose(0, 1).contiguous()).requires_grad_()
    kwargs = layer_masks(masks, dtype)
    out = ours(src, **kwargs)
    expected = theirs(src, **kwargs)
    close(out, expected, dtype)
    assert_same_grads(ours, theirs, out, expected, [src], dtype)
    assert ours.last_attention.shape == (3, NHEAD, T, T)


@pytest.mark.parametrize("activation", [F.relu, F.gelu])
def test_encoder_layer_callable_activation_and_eval_fast_path(activation) -> None:
    theirs, ours = make_layer_pair(torch.float32, activation, False, batch_first=True)
    theirs.eval(), ours.eval()
    src = randn(3, T, D_MODEL)
    pad = padding_mask([T, 3, 4])
    with torch.no_grad():  # torch's fused eval path; compare where tokens are real
        expected = theirs(src, src_key_padding_mask=pad)
        out = ours(src, src_key_padding_mask=pad)
    close(out[~pad], expected[~pad], torch.float32)
    assert ours.to_torch().activation is activation


def test_encoder_layer_is_causal_builds_the_mask() -> None:
    theirs, ours = make_layer_pair(torch.float64, "gelu", True, batch_first=True)
    src = randn(2, T, D_MODEL, dtype=torch.float64)
    expected = theirs(src, src_mask=~causal_mask(T))
    close(ours(src, is_causal=True), expected, torch.float64)
    assert (ours.last_attention[..., ~causal_mask(T)] == 0).all()


def test_encoder_layer_unbatched() -> None:
    theirs, ours = make_layer_pair(torch.float64, "relu", False, batch_first=False)
    src = randn(T, D_MODEL, dtype=torch.float64)
    close(ours(src), theirs(src), torch.float64)
    assert ours.last_attention.shape == (NHEAD, T, T)


def test_encoder_layer_same_initialisation_and_round_trip() -> None:
    torch.manual_seed(0)
    theirs = nn.TransformerEncoderLayer(16, 4, 32, batch_first=True, norm_first=True)
    torch.manual_seed(0)
    ours = TransformerEncoderLayer(16, 4, 32, batch_first=True, norm_first=True)
    want, got = theirs.state_dict(), ours.state_dict()
    assert list(got) == list(want)
    for name in want:
        assert torch.equal(got[name], want[name]), name
    back = ours.to_torch()
    assert isinstance(back, nn.TransformerEncoderLayer)
    assert back.norm_first and back.self_attn.batch_first and back.linear1.out_features == 32
    assert back.dropout.p == 0.1 and back.training


def test_encoder_layer_dropout_is_seeded() -> None:
    _, ours = make_layer_pair(torch.float32, "relu", False, batch_first=True, dropout=0.3)
    src = randn(3, T, D_MODEL)
    torch.manual_seed(1)
    out1 = ours(src)
    torch.manual_seed(1)
    out2 = ours(src)
    assert torch.equal(out1, out2)
    assert not torch.allclose(out1, ours.eval()(src))


# ---------------------------------------------------------------------------------------------
# masks and positional encodings
# ---------------------------------------------------------------------------------------------


def test_causal_mask() -> None:
    expected = torch.tensor([[1, 0, 0], [1, 1, 0], [1, 1, 1]], dtype=torch.bool)
    assert torch.equal(causal_mask(3), expected)


def test_padding_mask() -> None:
    expected = torch.tensor([[0, 0, 0], [0, 1, 1], [1, 1, 1]], dtype=torch.bool)
    assert torch.equal(padding_mask([3, 1, 0]), expected)
    assert torch.equal(padding_mask(torch.tensor([2]), max_len=4), torch.tensor([[0, 0, 1, 1]]) > 0)


def test_padding_mask_in_both_conventions_agrees() -> None:
    """padding_mask feeds MultiHeadAttention directly and sdpa after ``~`` and unsqueezing."""
    _, mha = make_mha_pair(torch.float64, batch_first=True)
    x = randn(BATCH, LQ, EMBED, dtype=torch.float64)
    lengths = [4, 2, 3]
    out, _ = mha(x, x, x, key_padding_mask=padding_mask(lengths))
    for b, n in enumerate(lengths):  # the same as running each sequence without its padding
        alone, _ = mha(x[b : b + 1, :n], x[b : b + 1, :n], x[b : b + 1, :n])
        close(out[b, :n], alone[0], torch.float64)
    q, k, v = randn(3, 2, 4, 6, seed=1), randn(3, 2, 4, 6, seed=2), randn(3, 2, 4, 6, seed=3)
    keep = ~padding_mask(lengths)[:, None, None, :]
    out, weights = scaled_dot_product_attention(q, k, v, attn_mask=keep)
    assert (weights.masked_select(~keep) == 0).all() and weights.masked_select(~keep).numel() > 0
    close(out[1], scaled_dot_product_attention(q[1], k[1, :, :2], v[1, :, :2])[0], torch.float32)


@pytest.mark.parametrize("d_model", [6, 7])
def test_sinusoidal_positional_encoding(d_model: int) -> None:
    pe = SinusoidalPositionalEncoding(d_model, max_len=10)
    x = randn(2, 4, d_model)
    added = pe(x) - x
    for t in range(4):
        for i in range(d_model):
            angle = t / 10000 ** (2 * (i // 2) / d_model)
            want = math.sin(angle) if i % 2 == 0 else math.cos(angle)
            assert added[0, t, i].item() == pytest.approx(want, abs=1e-6)
    close(added[0], added[1], torch.float32)
    assert "pe" not in pe.state_dict() and not list(pe.parameters())
    assert pe(x.double()).dtype == torch.float64


def test_positional_encoding_dropout() -> None:
    pe = SinusoidalPositionalEncoding(6, dropout=0.5)
    x = randn(2, 4, 6)
    torch.manual_seed(0)
    assert not torch.allclose(pe(x), pe.eval()(x))


def test_learned_positional_encoding() -> None:
    pe = LearnedPositionalEncoding(6, max_len=10)
    x = randn(2, 4, 6)
    out = pe(x)
    close(out, x + pe.embedding.weight[:4], torch.float32)
    out.sum().backward()
    assert (pe.embedding.weight.grad[:4] == 2).all() and (pe.embedding.weight.grad[4:] == 0).all()


@pytest.mark.parametrize("cls", [SinusoidalPositionalEncoding, LearnedPositionalEncoding])
def test_positional_encoding_errors(cls) -> None:
    pe = cls(6, max_len=4)
    with pytest.raises(ValueError, match="sequence length 5 is longer than max_len 4"):
        pe(torch.zeros(1, 5, 6))
    with pytest.raises(ValueError, match="x has d_model 5 .* expected d_model 6"):
        pe(torch.zeros(1, 3, 5))
    with pytest.raises(ValueError, match=r"x must be 3-D, got 2-D with shape \(3, 6\)"):
        pe(torch.zeros(3, 6))
    with pytest.raises(ValueError, match="d_model must be >= 1, got 0"):
        cls(0, max_len=4)


# ---------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------

Q, K, V = torch.zeros(2, 3, 4), torch.zeros(2, 5, 4), torch.zeros(2, 5, 6)

SDPA_ERRORS = [
    ({"query": [[1.0]]}, TypeError, "query must be a torch.Tensor, got list"),
    (
        {"query": Q.long()},
        TypeError,
        "query must be a floating-point tensor, got dtype torch.int64",
    ),
    ({"query": torch.zeros(4)}, ValueError, r"query must be at least 2-D .* got 1-D"),
    ({"key": torch.zeros(1, 2, 5, 4)}, ValueError, r"key must be 3-D, got 4-D"),
    ({"key": torch.zeros(2, 5, 3)}, ValueError, "key has embedding size E 3 .* expected .* 4"),
    ({"value": torch.zeros(2, 4, 6)}, ValueError, "value has sequence length S 4 .* expected .* 5"),
    ({"key": torch.zeros(3, 5, 4)}, ValueError, r"key has batch dimensions \(3,\).*\(2,\)"),
    ({"value": V.double()}, TypeError, "value must have the dtype of query"),
    ({"attn_mask": torch.ones(3, 5, dtype=torch.int64)}, TypeError, "bool or floating-point"),
    ({"attn_mask": torch.ones(3, 4, dtype=torch.bool)}, ValueError, r"\(3, 4\) does not broad"),
    ({"attn_mask": torch.ones(4, 2, 3, 5)}, ValueError, r"does not broadcast .* \(2, 3, 5\)"),
    ({"attn_mask": "causal"}, TypeError, "attn_mask must be a torch.Tensor"),
    (
        {"attn_mask": torch.ones(3, 5, dtype=torch.bool), "is_causal": True},
        ValueError,
        "either attn_mask or is_causal",
    ),
    ({"dropout_p": 1.5}, ValueError, r"dropout_p must be in \[0, 1\], got 1.5"),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), SDPA_ERRORS)
def test_sdpa_errors(kwargs: dict, error: type, message: str) -> None:
    args = {"query": Q, "key": K, "value": V} | kwargs
    with pytest.raises(error, match=message):
        scaled_dot_product_attention(**args)


MHA_INIT_ERRORS = [
    ({"embed_dim": 10, "num_heads": 3}, ValueError, "divisible by num_heads.*10.*3"),
    ({"num_heads": 0}, ValueError, "num_heads must be >= 1, got 0"),
    ({"embed_dim": 8.0}, TypeError, "embed_dim must be an int, got float"),
    ({"dropout": 1.5}, ValueError, r"dropout must be in \[0, 1\], got 1.5"),
    ({"kdim": 4}, NotImplementedError, "kdim and vdim"),
    ({"add_bias_kv": True}, NotImplementedError, "add_bias_kv"),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), MHA_INIT_ERRORS)
def test_mha_constructor_errors(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        MultiHeadAttention(**({"embed_dim": 8, "num_heads": 2} | kwargs))


X = torch.zeros(3, 4, 8)  # batch_first: (B, L, E)

MHA_FORWARD_ERRORS = [
    ({"query": torch.zeros(1, 3, 4, 8)}, ValueError, r"query must be 2-D or 3-D, got 4-D"),
    ({"key": torch.zeros(3, 4, 6)}, ValueError, "key has embed_dim 6 .* expected embed_dim 8"),
    ({"key": torch.zeros(4, 8)}, ValueError, "key must be 3-D, got 2-D"),
    ({"value": torch.zeros(2, 4, 8)}, ValueError, "value has batch size 2, expected 3"),
    ({"value": torch.zeros(3, 6, 8)}, ValueError, "value has sequence length 6, expected 4"),
    ({"key_padding_mask": torch.zeros(3, 5, dtype=torch.bool)}, ValueError, r"\(3, 4\).*\(3, 5\)"),
    ({"key_padding_mask": torch.zeros(4, dtype=torch.bool)}, ValueError, "key_padding_mask must"),
    ({"key_padding_mask": torch.zeros(3, 4, dtype=torch.int64)}, TypeError, "bool or floating"),
    ({"attn_mask": torch.zeros(4, 5, dtype=torch.bool)}, ValueError, r"\(4, 4\).*\(6, 4, 4\)"),
    ({"attn_mask": torch.zeros(3, 4, 4, dtype=torch.bool)}, ValueError, "got \\(3, 4, 4\\)"),
    ({"attn_mask": torch.zeros(4, 4, dtype=torch.int32)}, TypeError, "attn_mask must be a bool"),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), MHA_FORWARD_ERRORS)
def test_mha_forward_errors(kwargs: dict, error: type, message: str) -> None:
    mha = MultiHeadAttention(8, 2, batch_first=True)
    with pytest.raises(error, match=message):
        mha(**({"query": X, "key": X, "value": X} | kwargs))


def test_from_torch_errors() -> None:
    with pytest.raises(TypeError, match="module must be nn.MultiheadAttention, got Linear"):
        MultiHeadAttention.from_torch(nn.Linear(2, 2))
    with pytest.raises(NotImplementedError, match="kdim and vdim"):
        MultiHeadAttention.from_torch(nn.MultiheadAttention(8, 2, kdim=4, vdim=4))
    with pytest.raises(TypeError, match="module must be nn.TransformerEncoderLayer, got Linear"):
        TransformerEncoderLayer.from_torch(nn.Linear(2, 2))


def test_encoder_layer_errors() -> None:
    with pytest.raises(ValueError, match="d_model must be divisible by nhead.*d_model=10.*nhead=4"):
        TransformerEncoderLayer(10, 4)
    with pytest.raises(ValueError, match=r"activation must be one of \['relu', 'gelu'\]"):
        TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(TypeError, match="activation must be 'relu', 'gelu' or a callable"):
        TransformerEncoderLayer(8, 2, activation=3)
    layer = TransformerEncoderLayer(8, 2, 16, batch_first=True)
    with pytest.raises(ValueError, match="src has d_model 6 .* expected d_model 8"):
        layer(torch.zeros(2, 3, 6))
    with pytest.raises(ValueError, match="src must be 2-D or 3-D, got 1-D"):
        layer(torch.zeros(8))


MASK_ERRORS = [
    (lambda: causal_mask(0), ValueError, "size must be >= 1, got 0"),
    (lambda: padding_mask([2, -1]), ValueError, r"lengths must be >= 0, got \[2, -1\]"),
    (lambda: padding_mask([2, 5], max_len=4), ValueError, "<= max_len=4, got a length of 5"),
    (lambda: padding_mask([1.5, 2.0]), TypeError, "1-D sequence of ints, got dtype torch.float"),
    (lambda: padding_mask([[1, 2]]), TypeError, r"with shape \(1, 2\)"),
]


@pytest.mark.parametrize(("call", "error", "message"), MASK_ERRORS)
def test_mask_errors(call, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------------------------------------
# dtypes, flags, numbers and empty sequences
# ---------------------------------------------------------------------------------------------

X64 = torch.zeros(3, 4, 8, dtype=torch.float64)  # the torch.from_numpy trap


@pytest.mark.parametrize("name", ["query", "key", "value"])
def test_mha_input_dtype_must_match_the_parameters(name: str) -> None:
    mha = MultiHeadAttention(8, 2, batch_first=True)
    with pytest.raises(TypeError, match=rf"{name} has dtype torch.float64 but the module's "):
        mha(**({"query": X, "key": X, "value": X} | {name: X64}))
    assert mha.double()(X64, X64, X64)[0].dtype == torch.float64  # matching dtypes are fine


def test_encoder_layer_input_dtype_must_match_the_parameters() -> None:
    layer = TransformerEncoderLayer(8, 2, 16, batch_first=True)
    with pytest.raises(TypeError, match=r"src has dtype torch.float64 .* torch.float32"):
        layer(X64)


def test_learned_positional_encoding_dtype_must_match_its_table() -> None:
    with pytest.raises(TypeError, match=r"x has dtype torch.float64 .* torch.float32"):
        LearnedPositionalEncoding(8, max_len=10)(X64)
    # the sinusoidal table has no weights: it follows x (see test_sinusoidal_positional_encoding)
    assert SinusoidalPositionalEncoding(8)(X64).dtype == torch.float64


FLAG_ERRORS = [
    (lambda: MultiHeadAttention(8, 2, batch_first="yes"), "batch_first"),
    (lambda: MultiHeadAttention(8, 2, bias="no"), "bias"),
    (lambda: MultiHeadAttention(8, 2, add_bias_kv="no"), "add_bias_kv"),
    (lambda: MultiHeadAttention(8, 2, add_zero_attn=0), "add_zero_attn"),
    (lambda: MultiHeadAttention(8, 2)(X[0], X[0], X[0], need_weights="no"), "need_weights"),
    (
        lambda: MultiHeadAttention(8, 2)(X[0], X[0], X[0], average_attn_weights=1),
        "average_attn_weights",
    ),
    (lambda: MultiHeadAttention(8, 2)(X[0], X[0], X[0], is_causal="False"), "is_causal"),
    (lambda: TransformerEncoderLayer(8, 2, 16, batch_first="yes"), "batch_first"),
    (lambda: TransformerEncoderLayer(8, 2, 16, norm_first="yes"), "norm_first"),
    (lambda: TransformerEncoderLayer(8, 2, 16, bias=None), "bias"),
    (lambda: TransformerEncoderLayer(8, 2, 16)(X[0], is_causal="yes"), "is_causal"),
    (lambda: scaled_dot_product_attention(Q, K, V, is_causal="False"), "is_causal"),
]


@pytest.mark.parametrize(("call", "name"), FLAG_ERRORS)
def test_flags_must_be_bools(call, name: str) -> None:
    with pytest.raises(TypeError, match=rf"{name} must be a bool, got "):
        call()


NUMBER_ERRORS = [
    ({"dropout_p": None}, TypeError, "dropout_p must be a number, got NoneType"),
    ({"dropout_p": "0.1"}, TypeError, "dropout_p must be a number, got str"),
    ({"dropout_p": float("nan")}, ValueError, "dropout_p must be finite, got nan"),
    ({"dropout_p": -0.1}, ValueError, r"dropout_p must be in \[0, 1\], got -0.1"),
    ({"scale": "a"}, TypeError, "scale must be a number, got str"),
    ({"scale": float("nan")}, ValueError, "scale must be finite, got nan"),
    ({"scale": float("inf")}, ValueError, "scale must be finite, got inf"),
    ({"scale": 0.0}, ValueError, "scale must be > 0, got 0.0"),
    ({"scale": -1}, ValueError, "scale must be > 0, got -1"),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), NUMBER_ERRORS)
def test_sdpa_number_errors(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        scaled_dot_product_attention(Q, K, V, **kwargs)


def test_numpy_numbers_are_numbers() -> None:
    q, k, v = randn(2, 3, 4, seed=1), randn(2, 5, 4, seed=2), randn(2, 5, 6, seed=3)
    plain, _ = scaled_dot_product_attention(q, k, v, scale=0.5)
    close(scaled_dot_product_attention(q, k, v, scale=np.float32(0.5))[0], plain, torch.float32)
    close(scaled_dot_product_attention(q, k, v, dropout_p=np.float64(0.0))[0],
          scaled_dot_product_attention(q, k, v)[0], torch.float32)  # fmt: skip
    assert MultiHeadAttention(8, 2, dropout=np.float32(0.25)).dropout == 0.25
    assert SinusoidalPositionalEncoding(8, dropout=np.float64(0.5)).dropout.p == 0.5


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: MultiHeadAttention(8, 2, dropout=float("nan")), ValueError, "dropout must be fin"),
        (lambda: MultiHeadAttention(8, 2, dropout="0.1"), TypeError, "dropout must be a number"),
        (lambda: TransformerEncoderLayer(8, 2, dropout=None), TypeError, "dropout must be a num"),
        (
            lambda: TransformerEncoderLayer(8, 2, layer_norm_eps=float("nan")),
            ValueError,
            "layer_norm_eps must be finite, got nan",
        ),
        (
            lambda: TransformerEncoderLayer(8, 2, layer_norm_eps=-1e-5),
            ValueError,
            "layer_norm_eps must be >= 0, got -1e-05",
        ),
        (lambda: LearnedPositionalEncoding(8, 4, dropout=2.0), ValueError, r"in \[0, 1\], got 2"),
    ],
)
def test_constructor_number_errors(build, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build()


# Empty sequences: torch's attention returns an empty result (no query) or zeros (no key), and so
# does seqlib's: these modules are drop-ins, so they follow torch rather than raise.


def test_empty_sequences_match_torch() -> None:
    q, k = randn(2, 3, 8), randn(2, 0, 8)
    for query, key in ((k, q), (q, k)):  # no query; no key
        ours, weights = scaled_dot_product_attention(query, key, key)
        close(ours, F.scaled_dot_product_attention(query, key, key), torch.float32)
        assert weights.shape == (2, query.shape[1], key.shape[1])
    theirs = nn.MultiheadAttention(8, 2, batch_first=True, dropout=0.0)
    ours = MultiHeadAttention.from_torch(theirs)
    for query, key in ((k, q), (q, k)):
        for a, b in zip(ours(query, key, key), theirs(query, key, key), strict=True):
            close(a, b, torch.float32)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    close(TransformerEncoderLayer.from_torch(layer)(k), layer(k), torch.float32)
    assert SinusoidalPositionalEncoding(8)(k).shape == (2, 0, 8)


def test_weights_hook_observes_and_replaces_the_weights():
    """The explicit hook: it sees the weights and which keys each query may see, and what it
    returns is what multiplies the values; without it, nothing changes."""
    torch.manual_seed(0)
    mha = MultiHeadAttention(8, 2, batch_first=True).eval()
    x = torch.randn(3, 5, 8)
    mask = ~causal_mask(5)  # torch's convention: True = may not attend
    plain, _ = mha(x, x, x, attn_mask=mask)
    seen = {}

    def observe(weights, allowed):
        seen["weights"], seen["allowed"] = weights, allowed
        return weights

    mha.weights_hook = observe
    observed, _ = mha(x, x, x, attn_mask=mask)
    torch.testing.assert_close(observed, plain)
    assert seen["weights"].shape == seen["allowed"].shape == (3, 2, 5, 5)
    assert torch.equal(seen["allowed"][0, 0], causal_mask(5))

    def uniform(weights, allowed):
        return allowed.float() / allowed.sum(-1, keepdim=True)

    mha.weights_hook = uniform
    flat, _ = mha(x, x, x, attn_mask=mask)
    expected = torch.ones(5, 5).tril() / torch.arange(1, 6)[:, None]
    torch.testing.assert_close(mha.last_attention[0, 0], expected)
    assert not torch.allclose(flat, plain)
    mha.weights_hook = None
    torch.testing.assert_close(mha(x, x, x, attn_mask=mask)[0], plain)


def test_a_dynamically_quantized_encoder_layer_still_runs():
    """quantize_dynamic turns linear1's weight into a method: the dtype check skips it."""
    layer = TransformerEncoderLayer(8, 2, 16, batch_first=True).eval()
    quantized = torch.ao.quantization.quantize_dynamic(layer, {nn.Linear}, dtype=torch.qint8)
    assert quantized(torch.randn(2, 5, 8)).shape == (2, 5, 8)
