"""Attention from scratch: scaled dot-product attention, multi-head attention, an encoder layer,
masks and positional encodings. Every piece matches its PyTorch counterpart to round-off.

The one equation of the Transformer ("Attention Is All You Need", 2017)::

    Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V

Shapes use nanoGPT's letters: ``B`` batch, ``h`` heads, ``L`` query length, ``S`` key length,
``T`` sequence length (self-attention: L = S = T), ``E`` embedding size, ``d`` head size (E / h).

Masks: two conventions, both PyTorch's own, so look at where the mask goes
--------------------------------------------------------------------------

- ``scaled_dot_product_attention(attn_mask=...)``, like ``F.scaled_dot_product_attention``:
  boolean **True = may attend** (keep this key).
- ``MultiHeadAttention`` and ``TransformerEncoderLayer`` (``attn_mask``, ``key_padding_mask``,
  ``src_mask``, ``src_key_padding_mask``), like ``nn.MultiheadAttention``:
  boolean **True = ignore** (mask this key out).
- A float mask means the same everywhere: it is added to the scores (``0`` keeps, ``-inf``
  removes).

``causal_mask(T)`` is True where attending is *allowed*: give it to
``scaled_dot_product_attention``, and ``~causal_mask(T)`` to ``MultiHeadAttention``.
``padding_mask(lengths)`` is True at *padded* positions: give it to ``MultiHeadAttention`` as
``key_padding_mask``, and ``~padding_mask(lengths)[:, None, None, :]`` to
``scaled_dot_product_attention``.

Empty sequences (no query or no key) give empty or zero results, as torch's attention does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlib._validate import (
    check_bool,
    check_choice,
    check_dim,
    check_finite,
    check_positive_int,
    check_same_dtype,
    check_tensor,
    dtype_of,
)

__all__ = [
    "LearnedPositionalEncoding",
    "MultiHeadAttention",
    "SinusoidalPositionalEncoding",
    "TransformerEncoderLayer",
    "causal_mask",
    "padding_mask",
    "scaled_dot_product_attention",
]


# --------------------------------------------------------------------------------------------
# masks
# --------------------------------------------------------------------------------------------


def _lower_triangle(rows: int, cols: int, device: torch.device | str | None = None) -> Tensor:
    """Boolean (rows, cols), True on and below the diagonal (top-left aligned, as torch's)."""
    return torch.ones(rows, cols, dtype=torch.bool, device=device).tril()


def causal_mask(size: int, device: torch.device | str | None = None) -> Tensor:
    """Boolean (size, size) mask, **True where attending is allowed**: on and below the diagonal.

    Query ``i`` may look at keys ``0..i`` only. This is the ``F.scaled_dot_product_attention``
    convention; ``nn.MultiheadAttention`` wants the opposite, so pass ``~causal_mask(size)`` there.

    >>> causal_mask(3).int()
    tensor([[1, 0, 0],
            [1, 1, 0],
            [1, 1, 1]], dtype=torch.int32)
    """
    size = check_positive_int(size, "size")
    return _lower_triangle(size, size, device)


def padding_mask(lengths: Tensor | Sequence[int], max_len: int | None = None) -> Tensor:
    """Boolean (B, T) mask, **True at padded positions** (``key_padding_mask`` convention).

    ``lengths[b]`` is the number of real tokens in sequence ``b``; positions ``t >= lengths[b]``
    are padding. ``T`` is ``max_len`` if given, else ``max(lengths)``. Pass the result to
    ``MultiHeadAttention`` as ``key_padding_mask``; for ``scaled_dot_product_attention`` use
    ``~padding_mask(lengths)[:, None, None, :]`` (True = may attend, broadcast over heads and
    queries).

    >>> padding_mask([3, 1]).int()
    tensor([[0, 0, 0],
            [0, 1, 1]], dtype=torch.int32)
    """
    if not isinstance(lengths, Tensor):
        lengths = torch.as_tensor(lengths)
    if lengths.dim() != 1 or lengths.is_floating_point() or lengths.dtype == torch.bool:
        raise TypeError(
            f"lengths must be a 1-D sequence of ints, got dtype {lengths.dtype} "
            f"with shape {tuple(lengths.shape)}"
        )
    if lengths.numel() > 0 and int(lengths.min()) < 0:
        raise ValueError(f"lengths must be >= 0, got {lengths.tolist()}")
    longest = int(lengths.max()) if lengths.numel() > 0 else 0
    if max_len is None:
        max_len = longest
    max_len = check_positive_int(max_len, "max_len", allow_zero=True)
    if longest > max_len:
        raise ValueError(f"lengths must be <= max_len={max_len}, got a length of {longest}")
    positions = torch.arange(max_len, device=lengths.device)  # (T,)
    return positions[None, :] >= lengths[:, None]  # (B, T)


# --------------------------------------------------------------------------------------------
# scaled dot-product attention
# --------------------------------------------------------------------------------------------


def _check_mask_dtype(mask: Tensor, name: str) -> None:
    if not isinstance(mask, Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(mask).__name__}")
    if mask.dtype != torch.bool and not mask.is_floating_point():
        raise TypeError(f"{name} must be a bool or floating-point tensor, got dtype {mask.dtype}")


def _check_qkv(query: Tensor, key: Tensor, value: Tensor) -> None:
    """(..., L, E), (..., S, E), (..., S, Ev): same batch dimensions, same dtype."""
    check_tensor(query, "query")
    if query.dim() < 2:
        raise ValueError(
            f"query must be at least 2-D (..., L, E), got {query.dim()}-D "
            f"with shape {tuple(query.shape)}"
        )
    check_tensor(key, "key", ndim=query.dim())
    check_tensor(value, "value", ndim=query.dim())
    for name, x in (("key", key), ("value", value)):
        if x.dtype != query.dtype:
            raise TypeError(f"{name} must have the dtype of query ({query.dtype}), got {x.dtype}")
        if x.shape[:-2] != query.shape[:-2]:
            raise ValueError(
                f"{name} has batch dimensions {tuple(x.shape[:-2])} (shape {tuple(x.shape)}), "
                f"expected the batch dimensions of query {tuple(query.shape[:-2])}"
            )
    check_dim(key, "key", -1, query.shape[-1], "embedding size E")
    check_dim(value, "value", -2, key.shape[-2], "sequence length S")


def _check_mask_broadcasts(mask: Tensor, scores_shape: tuple[int, ...]) -> None:
    """A bool or float mask that broadcasts to the scores without enlarging them."""
    _check_mask_dtype(mask, "attn_mask")
    try:
        fits = torch.broadcast_shapes(mask.shape, scores_shape) == scores_shape
    except RuntimeError:
        fits = False
    if not fits:
        raise ValueError(
            f"attn_mask of shape {tuple(mask.shape)} does not broadcast to the "
            f"attention scores' shape {scores_shape} (..., L, S)"
        )


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
) -> tuple[Tensor, Tensor]:
    """softmax(Q Kᵀ · scale + mask) V, returning the output **and** the attention weights.

    Arguments mirror ``torch.nn.functional.scaled_dot_product_attention``:

    - ``query`` (..., L, E), ``key`` (..., S, E), ``value`` (..., S, Ev); the leading batch
      dimensions (e.g. ``B, h``) must be the same for all three.
    - ``attn_mask`` broadcastable to (..., L, S). **Boolean: True = may attend**; float: added
      to the scores (``-inf`` removes a key). Any other dtype is a ``TypeError``.
    - ``is_causal``: query ``i`` sees keys ``0..i`` (top-left aligned when L != S). Setting it
      together with ``attn_mask`` is a ``ValueError`` (torch's math backend raises too; torch
      2.13's default CPU kernel silently applies both).
    - ``scale``: a number > 0, or None for 1/√E.
    - ``dropout_p``: dropout applied to the weights whenever ``dropout_p > 0`` (like torch's
      function, there is no train/eval switch here: pass ``0.0`` for evaluation).

    Returns ``output`` (..., L, Ev) and ``weights`` (..., L, S). The weights are the ones that
    produced the output (after dropout, as ``nn.MultiheadAttention`` returns them), so
    ``output == weights @ value``; without dropout each row sums to 1.

    A query whose keys are **all** masked gets a zero row of weights and a zero output (and zero,
    finite gradients), never NaN. That is what torch 2.13's ``F.scaled_dot_product_attention``
    returns on CPU (both its default and its math kernel); a plain softmax over a row of ``-inf``
    would give NaN, and ``nn.MultiheadAttention`` with ``need_weights=True`` does return NaN there.
    """
    _check_qkv(query, key, value)
    dropout_p = check_finite(dropout_p, "dropout_p", low=0, high=1)
    if scale is not None:
        scale = check_finite(scale, "scale", low=0, low_inclusive=False)
    L, S = query.shape[-2], key.shape[-2]
    if check_bool(is_causal, "is_causal"):
        if attn_mask is not None:
            raise ValueError("give either attn_mask or is_causal=True, not both")
        attn_mask = _lower_triangle(L, S, query.device)  # True = may attend
    if attn_mask is not None:
        _check_mask_broadcasts(attn_mask, (*query.shape[:-2], L, S))

    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = query @ key.transpose(-2, -1) * scale  # (..., L, S)
    empty = None  # queries that may attend to no key at all
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
            empty = ~attn_mask.any(dim=-1, keepdim=True)  # (..., L, 1)
        else:
            scores = scores + attn_mask.to(scores.dtype)
            empty = attn_mask.isneginf().all(dim=-1, keepdim=True)  # (..., L, 1)
    if empty is not None and empty.any():
        # softmax of a row of -inf is 0/0 = NaN: such rows get zero weights instead
        weights = scores.masked_fill(empty, 0.0).softmax(dim=-1).masked_fill(empty, 0.0)
    else:
        weights = scores.softmax(dim=-1)  # (..., L, S)
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p)
    return weights @ value, weights  # (..., L, Ev), (..., L, S)


# --------------------------------------------------------------------------------------------
# multi-head attention
# --------------------------------------------------------------------------------------------


def _additive(mask: Tensor, dtype: torch.dtype) -> Tensor:
    """nn.MultiheadAttention's mask as something to add to the scores: bool True -> -inf."""
    if mask.dtype == torch.bool:
        return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(
            mask, float("-inf")
        )
    return mask.to(dtype)


class MultiHeadAttention(nn.Module):
    """Multi-head attention, written out; a drop-in for ``torch.nn.MultiheadAttention``.

    Each head attends in its own d = E / h dimensional subspace::

        head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)
        MultiHead(Q, K, V) = concat(head_1, ..., head_h) W^O

    Parameters have torch's names, shapes and initialisation, so state dicts load both ways:
    ``in_proj_weight`` (3E, E) stacks W^Q, W^K, W^V; ``in_proj_bias`` (3E,); ``out_proj`` is
    W^O. ``add_bias_kv``, ``add_zero_attn`` and ``kdim``/``vdim`` other than ``embed_dim`` are
    not supported (``NotImplementedError``).

    Shapes (``batch_first=False``, torch's default): ``query`` (L, B, E), ``key`` and
    ``value`` (S, B, E); with ``batch_first=True``: (B, L, E) and (B, S, E). Unbatched (L, E)
    and (S, E) inputs work too.

    After every call ``last_attention`` holds the per-head weights, detached, shape
    (B, h, L, S) ((h, L, S) for unbatched input), whatever ``need_weights`` says. In train mode
    with dropout they are the dropped-out weights; call ``.eval()`` before plotting.

    ``weights_hook`` (``None`` by default) is the one place to observe or replace the weights:
    a function ``hook(weights, allowed) -> weights``, called in every forward pass with the
    weights (B, h, L, S) and ``allowed`` (B, h, L, S), True where the masks let a query see a
    key; what it returns is what multiplies the values (and what ``last_attention`` keeps).
    :func:`seqlib.interpret.override_attention` sets it for the length of a ``with`` block.
    """

    weights_hook: Callable[[Tensor, Tensor], Tensor] | None

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        embed_dim = check_positive_int(embed_dim, "embed_dim")
        num_heads = check_positive_int(num_heads, "num_heads")
        if embed_dim % num_heads != 0:
            raise ValueError(
                f"embed_dim must be divisible by num_heads, got embed_dim={embed_dim} "
                f"and num_heads={num_heads}"
            )
        bias, batch_first = check_bool(bias, "bias"), check_bool(batch_first, "batch_first")
        if check_bool(add_bias_kv, "add_bias_kv") or check_bool(add_zero_attn, "add_zero_attn"):
            raise NotImplementedError("add_bias_kv and add_zero_attn are not supported")
        if kdim not in (None, embed_dim) or vdim not in (None, embed_dim):
            raise NotImplementedError(
                f"kdim and vdim other than embed_dim ({embed_dim}) are not supported, "
                f"got kdim={kdim} and vdim={vdim}"
            )
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        self.dropout = check_finite(dropout, "dropout", low=0, high=1)
        self.batch_first = batch_first
        factory = {"device": device, "dtype": dtype}
        # Created in torch's order, so the same seed gives the same initial weights.
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim, **factory))
        if bias:
            self.in_proj_bias = nn.Parameter(torch.empty(3 * embed_dim, **factory))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias, **factory)
        nn.init.xavier_uniform_(self.in_proj_weight)
        if bias:
            nn.init.zeros_(self.in_proj_bias)
            nn.init.zeros_(self.out_proj.bias)
        self.last_attention: Tensor | None = None
        self.weights_hook = None

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """Attend from ``query`` to ``key``/``value``; returns ``(attn_output, attn_weights)``.

        Masks follow ``nn.MultiheadAttention``: **boolean True = ignore** this key; a float mask
        is added to the scores.

        - ``key_padding_mask`` (B, S) (or (S,) unbatched): padded keys.
        - ``attn_mask`` (L, S) or (B·h, L, S): which keys each query may not see.
        - ``is_causal=True``: in torch a hint that ``attn_mask`` is causal (torch raises if it
          is missing); here, if ``attn_mask`` is None the causal mask is built for you.

        ``attn_output`` has the shape of ``query``. ``attn_weights`` is (B, L, S) averaged over
        heads, or (B, h, L, S) with ``average_attn_weights=False``, or None with
        ``need_weights=False``. A query with every key masked attends to nothing: zero weights,
        and its output is ``out_proj.bias`` (torch gives NaN there when ``need_weights=True``).
        """
        check_tensor(query, "query", ndim=(2, 3))
        check_tensor(key, "key", ndim=query.dim())
        check_tensor(value, "value", ndim=query.dim())
        for name, x in (("query", query), ("key", key), ("value", value)):
            check_same_dtype(x, name, self.in_proj_weight.dtype)
            check_dim(x, name, -1, self.embed_dim, "embed_dim")
        need_weights = check_bool(need_weights, "need_weights")
        average_attn_weights = check_bool(average_attn_weights, "average_attn_weights")
        is_causal = check_bool(is_causal, "is_causal")
        batched = query.dim() == 3
        if not batched:  # (L, E) -> (1, L, E)
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
        elif not self.batch_first:  # (L, B, E) -> (B, L, E)
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        B, L, E = query.shape
        S = key.shape[1]
        for name, x in (("key", key), ("value", value)):
            if x.shape[0] != B:
                raise ValueError(f"{name} has batch size {x.shape[0]}, expected {B} (as query)")
        if value.shape[1] != S:
            raise ValueError(f"value has sequence length {value.shape[1]}, expected {S} (as key)")

        mask = self._merge_masks(attn_mask, key_padding_mask, is_causal, B, L, S, query, batched)

        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = (None,) * 3 if self.in_proj_bias is None else self.in_proj_bias.chunk(3)
        h, d = self.num_heads, self.head_dim
        q = F.linear(query, w_q, b_q).view(B, L, h, d).transpose(1, 2)  # (B, h, L, d)
        k = F.linear(key, w_k, b_k).view(B, S, h, d).transpose(1, 2)  # (B, h, S, d)
        v = F.linear(value, w_v, b_v).view(B, S, h, d).transpose(1, 2)  # (B, h, S, d)
        y, weights = scaled_dot_product_attention(
            q, k, v, attn_mask=mask, dropout_p=self.dropout if self.training else 0.0
        )  # (B, h, L, d), (B, h, L, S)
        if self.weights_hook is not None:
            allowed = torch.ones_like(weights, dtype=torch.bool)  # (B, h, L, S)
            if mask is not None:
                allowed = allowed & ~mask.isneginf()  # the merged mask adds -inf where not
            weights = self.weights_hook(weights, allowed)
            y = weights @ v  # (B, h, L, d)
        y = y.transpose(1, 2).reshape(B, L, E)  # (B, L, E): heads side by side
        y = self.out_proj(y)

        if not batched:
            y, weights = y.squeeze(0), weights.squeeze(0)  # (L, E), (h, L, S)
        elif not self.batch_first:
            y = y.transpose(0, 1)  # (L, B, E)
        self.last_attention = weights.detach()
        if not need_weights:
            return y, None
        return y, weights.mean(dim=-3) if average_attn_weights else weights

    def _merge_masks(
        self,
        attn_mask: Tensor | None,
        key_padding_mask: Tensor | None,
        is_causal: bool,
        B: int,
        L: int,
        S: int,
        query: Tensor,
        batched: bool,
    ) -> Tensor | None:
        """Both masks as one float mask broadcastable to (B, h, L, S), to add to the scores."""
        if attn_mask is None and is_causal:
            attn_mask = ~_lower_triangle(L, S, query.device)
        merged = None
        if attn_mask is not None:
            _check_mask_dtype(attn_mask, "attn_mask")
            if attn_mask.shape == (L, S):
                merged = _additive(attn_mask, query.dtype)  # (L, S)
            elif attn_mask.shape == (B * self.num_heads, L, S):
                merged = _additive(attn_mask, query.dtype).view(B, self.num_heads, L, S)
            else:
                raise ValueError(
                    f"attn_mask must have shape {(L, S)} (L, S) or "
                    f"{(B * self.num_heads, L, S)} (B*num_heads, L, S), "
                    f"got {tuple(attn_mask.shape)}"
                )
        if key_padding_mask is not None:
            _check_mask_dtype(key_padding_mask, "key_padding_mask")
            expected = (B, S) if batched else (S,)
            if tuple(key_padding_mask.shape) != expected:
                raise ValueError(
                    f"key_padding_mask must have shape {expected} (batch, key length), "
                    f"got {tuple(key_padding_mask.shape)}"
                )
            padding = _additive(key_padding_mask, query.dtype).view(B, 1, 1, S)
            merged = padding if merged is None else merged + padding
        return merged

    @classmethod
    def from_torch(cls, module: nn.MultiheadAttention) -> MultiHeadAttention:
        """A ``MultiHeadAttention`` with the configuration, weights and mode of ``module``."""
        if not isinstance(module, nn.MultiheadAttention):
            raise TypeError(f"module must be nn.MultiheadAttention, got {type(module).__name__}")
        if not module._qkv_same_embed_dim:
            raise NotImplementedError("kdim and vdim other than embed_dim are not supported")
        weight = module.in_proj_weight
        new = cls(
            module.embed_dim,
            module.num_heads,
            dropout=module.dropout,
            bias=module.in_proj_bias is not None,
            add_bias_kv=module.bias_k is not None,
            add_zero_attn=module.add_zero_attn,
            batch_first=module.batch_first,
            device=weight.device,
            dtype=weight.dtype,
        )
        new.load_state_dict(module.state_dict())
        return new.train(module.training)

    def to_torch(self) -> nn.MultiheadAttention:
        """The equivalent ``torch.nn.MultiheadAttention``, same weights and mode."""
        weight = self.in_proj_weight
        module = nn.MultiheadAttention(
            self.embed_dim,
            self.num_heads,
            dropout=self.dropout,
            bias=self.in_proj_bias is not None,
            batch_first=self.batch_first,
            device=weight.device,
            dtype=weight.dtype,
        )
        module.load_state_dict(self.state_dict())
        return module.train(self.training)


# --------------------------------------------------------------------------------------------
# the encoder layer
# --------------------------------------------------------------------------------------------

_ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {"relu": F.relu, "gelu": F.gelu}


class TransformerEncoderLayer(nn.Module):
    """Self-attention then a feed-forward network, each wrapped in a residual and a LayerNorm.

    A drop-in for ``torch.nn.TransformerEncoderLayer``, with the same arguments and submodule
    names (``self_attn``, ``linear1``, ``dropout``, ``linear2``, ``norm1``, ``norm2``,
    ``dropout1``, ``dropout2``), so state dicts load both ways::

        post-norm (norm_first=False, the 2017 paper):  x = norm1(x + SA(x));  x = norm2(x + FF(x))
        pre-norm  (norm_first=True):                   x = x + SA(norm1(x));  x = x + FF(norm2(x))

        FF(x) = linear2(dropout(activation(linear1(x))))

    ``src`` is (T, B, E), or (B, T, E) with ``batch_first=True``, or unbatched (T, E).
    ``src_mask`` and ``src_key_padding_mask`` follow ``MultiHeadAttention`` (bool True = ignore).
    ``last_attention`` gives the per-head weights (B, h, T, T) of the last call.

    Unlike torch's layer there is no eval-mode "fast path": the same Python code runs in train
    and eval mode, and padded positions get ordinary (finite) outputs.
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = F.relu,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        d_model = check_positive_int(d_model, "d_model")
        nhead = check_positive_int(nhead, "nhead")
        dim_feedforward = check_positive_int(dim_feedforward, "dim_feedforward")
        check_finite(layer_norm_eps, "layer_norm_eps", low=0)
        norm_first = check_bool(norm_first, "norm_first")
        if d_model % nhead != 0:
            raise ValueError(
                f"d_model must be divisible by nhead, got d_model={d_model} and nhead={nhead}"
            )
        if isinstance(activation, str):
            activation = _ACTIVATIONS[check_choice(activation, "activation", list(_ACTIVATIONS))]
        elif not callable(activation):
            raise TypeError(
                f"activation must be 'relu', 'gelu' or a callable, got {type(activation).__name__}"
            )
        factory = {"device": device, "dtype": dtype}
        # Created in torch's order, so the same seed gives the same initial weights.
        # (MultiHeadAttention checks dropout, bias and batch_first.)
        self.self_attn = MultiHeadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, **factory
        )
        self.linear1 = nn.Linear(d_model, dim_feedforward, bias=bias, **factory)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model, bias=bias, **factory)
        self.norm_first = norm_first
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.activation = activation

    def forward(
        self,
        src: Tensor,
        src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        """Encode ``src``; the output has its shape. ``is_causal`` as in ``MultiHeadAttention``."""
        check_tensor(src, "src", ndim=(2, 3))
        check_same_dtype(src, "src", dtype_of(self.linear1.weight))
        check_dim(src, "src", -1, self.self_attn.embed_dim, "d_model")
        is_causal = check_bool(is_causal, "is_causal")
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(
        self, x: Tensor, mask: Tensor | None, padding: Tensor | None, is_causal: bool
    ) -> Tensor:
        x, _ = self.self_attn(
            x,
            x,
            x,
            key_padding_mask=padding,
            need_weights=False,
            attn_mask=mask,
            is_causal=is_causal,
        )
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    @property
    def last_attention(self) -> Tensor | None:
        """Per-head self-attention weights of the last call, (B, h, T, T), detached."""
        return self.self_attn.last_attention

    @staticmethod
    def _config(layer: nn.Module) -> dict[str, Any]:
        """Constructor arguments read off a layer, seqlib's or torch's (same attribute names)."""
        attn = layer.self_attn
        return dict(
            d_model=attn.embed_dim,
            nhead=attn.num_heads,
            dim_feedforward=layer.linear1.out_features,
            dropout=layer.dropout.p,
            activation=layer.activation,
            layer_norm_eps=layer.norm1.eps,
            batch_first=attn.batch_first,
            norm_first=layer.norm_first,
            bias=layer.linear1.bias is not None,
            device=attn.in_proj_weight.device,
            dtype=attn.in_proj_weight.dtype,
        )

    @classmethod
    def from_torch(cls, module: nn.TransformerEncoderLayer) -> TransformerEncoderLayer:
        """A ``TransformerEncoderLayer`` with the configuration, weights and mode of ``module``."""
        if not isinstance(module, nn.TransformerEncoderLayer):
            raise TypeError(
                f"module must be nn.TransformerEncoderLayer, got {type(module).__name__}"
            )
        new = cls(**cls._config(module))
        new.load_state_dict(module.state_dict())
        return new.train(module.training)

    def to_torch(self) -> nn.TransformerEncoderLayer:
        """The equivalent ``torch.nn.TransformerEncoderLayer``, same weights and mode."""
        module = nn.TransformerEncoderLayer(**self._config(self))
        module.load_state_dict(self.state_dict())
        return module.train(self.training)


# --------------------------------------------------------------------------------------------
# positional encodings
# --------------------------------------------------------------------------------------------


def _check_sequence(x: Tensor, d_model: int, max_len: int) -> int:
    check_tensor(x, "x", ndim=3)
    check_dim(x, "x", -1, d_model, "d_model")
    seq_len = x.shape[1]
    if seq_len > max_len:
        raise ValueError(f"sequence length {seq_len} is longer than max_len {max_len}")
    return seq_len


class SinusoidalPositionalEncoding(nn.Module):
    """Adds the fixed sin/cos position table of "Attention Is All You Need" (2017) to ``x``::

        PE[t, 2i]   = sin(t / 10000^(2i / d_model))
        PE[t, 2i+1] = cos(t / 10000^(2i / d_model))

    ``x`` is (B, T, d_model), batch first, with T <= ``max_len``; returns
    ``dropout(x + PE[:T])``, same shape. The table is a buffer (not saved in the state dict:
    it is recomputed, never learned).
    """

    def __init__(self, d_model: int, max_len: int = 5000, dropout: float = 0.0) -> None:
        super().__init__()
        self.d_model = check_positive_int(d_model, "d_model")
        self.max_len = check_positive_int(max_len, "max_len")
        self.dropout = nn.Dropout(check_finite(dropout, "dropout", low=0, high=1))
        position = torch.arange(max_len, dtype=torch.float64)[:, None]  # (T, 1)
        frequency = torch.exp(
            torch.arange(0, d_model, 2, dtype=torch.float64) * (-math.log(10000.0) / d_model)
        )  # (ceil(d_model / 2),)
        pe = torch.zeros(max_len, d_model, dtype=torch.float64)  # (T, d_model)
        pe[:, 0::2] = torch.sin(position * frequency)
        pe[:, 1::2] = torch.cos(position * frequency[: d_model // 2])
        self.register_buffer("pe", pe.to(torch.get_default_dtype()), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        T = _check_sequence(x, self.d_model, self.max_len)
        return self.dropout(x + self.pe[:T].to(x.dtype))  # (B, T, d_model)


class LearnedPositionalEncoding(nn.Module):
    """Adds a learned vector per position (an ``nn.Embedding`` of positions, as in GPT) to ``x``.

    ``x`` is (B, T, d_model), batch first, with T <= ``max_len``; returns
    ``dropout(x + embedding(0..T-1))``, same shape.
    """

    def __init__(self, d_model: int, max_len: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.d_model = check_positive_int(d_model, "d_model")
        self.max_len = check_positive_int(max_len, "max_len")
        self.embedding = nn.Embedding(max_len, d_model)
        self.dropout = nn.Dropout(check_finite(dropout, "dropout", low=0, high=1))

    def forward(self, x: Tensor) -> Tensor:
        T = _check_sequence(x, self.d_model, self.max_len)
        check_same_dtype(x, "x", self.embedding.weight.dtype)
        positions = torch.arange(T, device=x.device)  # (T,)
        return self.dropout(x + self.embedding(positions))  # (B, T, d_model)
