"""Sequence models over a chosen backbone, and fair (parameter-matched) pairs of them.

Every model in the course has the same three parts, so that only the backbone differs::

    tokens (B, T) or vectors (B, T, F)
      -> embed      nn.Embedding or nn.Linear          (B, T, d)
      -> backbone   rnn | lstm | transformer            (B, T, d)
      -> head       nn.Linear                           (B, C) or (B, T, C)

``output="sequence"`` reads the last position (the answer after the whole sequence has been
seen); ``output="per_step"`` gives one prediction per position. With ``causal=True`` the
Transformer may only look backwards, like the recurrent backbones always do.

``impl="seqlib"`` builds the backbone from seqlib's from-scratch modules (whose gates and
attention weights can be inspected); ``impl="torch"`` uses ``torch.nn``'s fused modules with the
same arguments (faster, same maths).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from seqlib._validate import (
    check_bool,
    check_choice,
    check_finite,
    check_positive_int,
    check_same_dtype,
    check_seed,
    check_sequence_length,
    check_tensor,
    dtype_of,
)
from seqlib.attention import (
    LearnedPositionalEncoding,
    SinusoidalPositionalEncoding,
    TransformerEncoderLayer,
    causal_mask,
)
from seqlib.lstm import LSTM, RNN

__all__ = [
    "BACKBONES",
    "IMPLS",
    "OUTPUTS",
    "POSITIONAL",
    "SequenceModel",
    "build_model",
    "closest_width",
    "count_parameters",
    "match_width",
    "matched_backbones",
    "matched_pair",
]

BACKBONES = ("rnn", "lstm", "transformer")
OUTPUTS = ("sequence", "per_step")
POSITIONAL = ("sinusoidal", "learned", "none")
IMPLS = ("seqlib", "torch")


class SequenceModel(nn.Module):
    """embed -> backbone -> head. Build it with :func:`build_model`.

    Input: long token ids ``(B, T)`` when ``vocab_size`` is given, float vectors ``(B, T, F)``
    (the model's dtype) when ``input_size`` is given, with T >= 1. Output: logits ``(B, C)``
    (``output="sequence"``) or ``(B, T, C)`` (``output="per_step"``).
    """

    def __init__(
        self,
        backbone: str,
        *,
        d_model: int,
        num_classes: int,
        vocab_size: int | None = None,
        input_size: int | None = None,
        num_layers: int = 1,
        output: str = "sequence",
        causal: bool = False,
        nhead: int = 4,
        dim_feedforward: int | None = None,
        dropout: float = 0.0,
        positional: str = "sinusoidal",
        max_len: int = 4096,
        norm_first: bool = True,
        impl: str = "seqlib",
    ) -> None:
        super().__init__()
        self.backbone_name = check_choice(backbone, "backbone", BACKBONES)
        self.output = check_choice(output, "output", OUTPUTS)
        self.impl = check_choice(impl, "impl", IMPLS)
        check_choice(positional, "positional", POSITIONAL)
        self.d_model = check_positive_int(d_model, "d_model")
        self.num_classes = check_positive_int(num_classes, "num_classes")
        self.num_layers = check_positive_int(num_layers, "num_layers")
        if (vocab_size is None) == (input_size is None):
            raise ValueError(
                "give exactly one of vocab_size (token inputs) or input_size (vector inputs), "
                f"got vocab_size={vocab_size!r}, input_size={input_size!r}"
            )
        self.vocab_size, self.input_size = vocab_size, input_size
        self.causal = check_bool(causal, "causal")
        norm_first = check_bool(norm_first, "norm_first")
        check_finite(dropout, "dropout", low=0, high=1)

        if vocab_size is not None:
            self.embed: nn.Module = nn.Embedding(
                check_positive_int(vocab_size, "vocab_size"), d_model
            )
        else:
            self.embed = nn.Linear(check_positive_int(input_size, "input_size"), d_model)

        self.pos: nn.Module | None = None
        if self.backbone_name == "transformer":
            nhead = check_positive_int(nhead, "nhead")
            if dim_feedforward is not None:
                dim_feedforward = check_positive_int(dim_feedforward, "dim_feedforward")
            if d_model % nhead:
                raise ValueError(f"d_model ({d_model}) must be divisible by nhead ({nhead})")
            if positional == "sinusoidal":
                self.pos = SinusoidalPositionalEncoding(d_model, max_len=max_len)
            elif positional == "learned":
                self.pos = LearnedPositionalEncoding(d_model, max_len=max_len)
            layer = TransformerEncoderLayer if impl == "seqlib" else nn.TransformerEncoderLayer
            self.layers = nn.ModuleList(
                layer(
                    d_model,
                    nhead,
                    dim_feedforward=dim_feedforward or 4 * d_model,
                    dropout=dropout,
                    batch_first=True,
                    norm_first=norm_first,
                )
                for _ in range(num_layers)
            )
            self.norm: nn.Module = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        else:
            if impl == "seqlib":
                cls = LSTM if self.backbone_name == "lstm" else RNN
            else:
                cls = nn.LSTM if self.backbone_name == "lstm" else nn.RNN
            self.rnn = cls(
                d_model, d_model, num_layers=num_layers, batch_first=True, dropout=dropout
            )
        self.head = nn.Linear(d_model, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The backbone's output at every position: ``(B, T)`` / ``(B, T, F)`` -> ``(B, T, d)``."""
        x = self.check_input(x)
        h = self.embed(x)  # (B, T, d)
        if self.backbone_name == "transformer":
            if self.pos is not None:
                h = self.pos(h)  # (B, T, d)
            mask = None
            if self.causal:
                # torch's layer wants True = "may not attend"; causal_mask gives True = "may attend"
                mask = ~causal_mask(h.shape[1], device=h.device)  # (T, T)
            for layer in self.layers:
                h = layer(h, src_mask=mask, is_causal=self.causal)  # (B, T, d)
            return self.norm(h)
        h, _ = self.rnn(h)  # (B, T, d)
        return h

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits: ``(B, C)`` for ``output="sequence"``, ``(B, T, C)`` for ``output="per_step"``."""
        h = self.features(x)  # (B, T, d)
        if self.output == "sequence":
            h = h[:, -1]  # (B, d): the answer is read after the last position
        return self.head(h)

    def attention_maps(self) -> list[torch.Tensor]:
        """Per-layer attention weights of the last call, each ``(B, heads, T, T)``.

        Only for a Transformer built with ``impl="seqlib"`` (torch's layers don't keep them).
        """
        if self.backbone_name != "transformer" or self.impl != "seqlib":
            raise ValueError(
                "attention maps need backbone='transformer' and impl='seqlib', "
                f"got backbone={self.backbone_name!r}, impl={self.impl!r}"
            )
        maps = [layer.last_attention for layer in self.layers]
        if any(m is None for m in maps):
            raise ValueError("no attention maps yet: call the model on an input first")
        return maps

    def check_input(self, x: torch.Tensor, *, name: str = "x") -> torch.Tensor:
        """Check a batch of sequences as :meth:`forward` takes it: long token ids ``(B, T)``
        (``vocab_size``) or vectors ``(B, T, F)`` in the model's dtype (``input_size``), T >= 1.
        Returns ``x``; ``name`` is what the messages call it."""
        self._check_values(x, name, batch_dims=2)
        return check_sequence_length(x, name, 1)

    def check_step(self, token: torch.Tensor) -> torch.Tensor:
        """Check one step of input, as streaming feeds it: ids ``(B,)`` or vectors ``(B, F)``."""
        return self._check_values(token, "token", batch_dims=1)

    def _check_values(self, x: torch.Tensor, name: str, batch_dims: int) -> torch.Tensor:
        """Token ids with ``batch_dims`` dimensions, or vectors with one more (the features)."""
        if self.vocab_size is not None:
            check_tensor(x, f"{name} (token ids)", ndim=batch_dims, floating=False)
            if x.is_floating_point() or x.dtype == torch.bool:
                raise TypeError(
                    f"{name} (token ids) must be an integer tensor (torch.long), got dtype "
                    f"{x.dtype}: this model was built with vocab_size (for vectors, build it with "
                    "input_size)"
                )
            if x.numel():
                low, high = (int(v) for v in x.aminmax())  # one pass for both ends
                if low < 0 or high >= self.vocab_size:
                    raise ValueError(
                        f"token ids must lie in [0, {self.vocab_size}), "
                        f"got values from {low} to {high}"
                    )
        else:
            check_tensor(x, f"{name} (vectors)", ndim=batch_dims + 1)
            check_same_dtype(x, f"{name} (vectors)", dtype_of(self.embed.weight))
            if x.shape[-1] != self.input_size:
                raise ValueError(
                    f"{name} has {x.shape[-1]} features (shape {tuple(x.shape)}), "
                    f"expected input_size {self.input_size}"
                )
        return x

    def extra_repr(self) -> str:
        return (
            f"backbone={self.backbone_name}, d_model={self.d_model}, layers={self.num_layers}, "
            f"output={self.output}, causal={self.causal}, impl={self.impl}, "
            f"params={count_parameters(self):,}"
        )


def build_model(backbone: str, *, seed: int | None = None, **kwargs: object) -> SequenceModel:
    """Build a :class:`SequenceModel`; with ``seed`` the initial weights are reproducible.

    Example: ``build_model("lstm", vocab_size=20, d_model=64, num_classes=20)``.
    """
    if seed is not None:
        torch.manual_seed(check_seed(seed))
    return SequenceModel(backbone, **kwargs)  # type: ignore[arg-type]


def count_parameters(model: nn.Module, *, trainable_only: bool = True) -> int:
    """Number of (trainable) parameters of ``model``."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_bool(trainable_only, "trainable_only")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


MAX_WIDTH = 2**20  # closest_width's search stops here: no model of the course is this wide


def closest_width(size: Callable[[int], int], target_params: int, *, step: int = 1) -> int:
    """The width ``w`` (a multiple of ``step``) whose parameter count ``size(w)`` is closest to
    ``target_params``; ``size`` must grow with the width. Doubling, then bisection: a dozen
    calls of ``size`` for any width. The one search behind every parameter-matched pair."""
    if not callable(size):
        raise TypeError(f"size must be a function width -> parameter count, got {size!r}")
    target_params = check_positive_int(target_params, "target_params")
    step = check_positive_int(step, "step")

    def count(m: int) -> float:  # the parameter count at width m * step, checked to be a number
        return check_finite(size(m * step), f"size({m * step})")

    lo, hi, previous = 1, 1, count(1)
    while previous < target_params:  # grow until we overshoot
        if hi * step >= MAX_WIDTH:
            raise ValueError(
                f"size({hi * step}) = {previous:g} is still below target_params={target_params}: "
                f"the search stops at width {MAX_WIDTH}"
            )
        lo, hi = hi, hi * 2
        current = count(hi)
        if current <= previous:
            raise ValueError(
                f"size does not grow with the width: size({lo * step}) = {previous:g}, "
                f"size({hi * step}) = {current:g}"
            )
        previous = current
    while hi - lo > 1:  # bisect on the width (parameter count grows with it)
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if count(mid) < target_params else (lo, mid)
    return step * min((lo, hi), key=lambda m: abs(count(m) - target_params))


def match_width(backbone: str, target_params: int, **kwargs: object) -> SequenceModel:
    """The model of ``backbone`` whose ``d_model`` brings its parameter count closest to
    ``target_params`` (a Transformer's width stays a multiple of its ``nhead``)."""
    target_params = check_positive_int(target_params, "target_params")
    kwargs.pop("d_model", None)
    seed = kwargs.pop("seed", None)
    step = check_positive_int(kwargs.get("nhead", 4), "nhead") if backbone == "transformer" else 1

    def size(d: int) -> int:
        return count_parameters(SequenceModel(backbone, d_model=d, **kwargs))  # type: ignore[arg-type]

    width = closest_width(size, target_params, step=step)
    return build_model(backbone, seed=seed, d_model=width, **kwargs)  # type: ignore[arg-type]


def matched_pair(
    reference: str = "transformer",
    other: str = "lstm",
    *,
    d_model: int,
    seed: int | None = 0,
    **kwargs: object,
) -> tuple[SequenceModel, SequenceModel]:
    """A fair pair: ``reference`` at width ``d_model`` and ``other`` with its width chosen so
    the two parameter counts are as close as they can be. Same seed, same remaining arguments.

    Returns ``(reference_model, other_model)``; print :func:`count_parameters` of both beside
    every comparison.
    """
    ref = build_model(reference, d_model=d_model, seed=seed, **kwargs)
    # nhead only concerns a Transformer; keep it so that the other side can be one too
    other_model = match_width(other, count_parameters(ref), seed=seed, **kwargs)
    return ref, other_model


def matched_backbones(
    width: int, *, nhead: int = 4, seed: int = 0
) -> tuple[nn.LSTM, nn.TransformerEncoderLayer]:
    """torch's own backbones at equal parameters, for timing them (round 2): no embedding, no
    head, the fused kernels torch would run in production.

    The Transformer is one ``nn.TransformerEncoderLayer(width, nhead, dim_feedforward=4 *
    width, dropout=0.0, batch_first=True)``; the LSTM is ``nn.LSTM(width, H, batch_first=True)``
    with the hidden size H whose parameter count is closest to the layer's
    (:func:`closest_width`). Returns ``(lstm, transformer)``; for whole models at equal
    parameters use :func:`matched_pair`.
    """
    width = check_positive_int(width, "width")
    nhead = check_positive_int(nhead, "nhead")
    if width % nhead:
        raise ValueError(f"width must be a multiple of nhead={nhead}, got {width}")
    torch.manual_seed(check_seed(seed))
    transformer = nn.TransformerEncoderLayer(
        width, nhead, dim_feedforward=4 * width, dropout=0.0, batch_first=True
    )

    def lstm_size(hidden: int) -> int:  # on the meta device: counted, not initialised
        return count_parameters(nn.LSTM(width, hidden, device="meta"))

    hidden = closest_width(lstm_size, count_parameters(transformer))
    return nn.LSTM(width, hidden, batch_first=True), transformer
