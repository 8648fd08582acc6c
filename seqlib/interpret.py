"""Looking inside the fighters: attention maps and rollout, saliency, probes, and the tests of
whether attention explains a prediction (erasure, uniform and permuted attention).

Pure functions over a trained :class:`seqlib.SequenceModel` and token ids; the notebook of
round 3 and its explorer share them. Shapes: ``inputs (B, T)`` token ids, ``positions (B,)``
the position whose prediction is explained (the pronoun), attention maps ``(B, heads, T, T)``
per layer (rows: queries, columns: keys).

- :func:`attention_maps`, :func:`attention_rollout` (Abnar & Zuidema, 2020), :func:`head_scores`,
  :func:`choose_head` (the round's rule for picking the pronoun head), :func:`top_before`;
- :func:`saliency`: gradient × input or integrated gradients (Sundararajan et al., 2017) per
  token, for any token model (Transformer or LSTM);
- :func:`lstm_gates`, :func:`linear_probe`, :func:`unit_scores` (Karpathy et al., 2015),
  :func:`control_task` (Hewitt & Liang, 2019's control labels for a probe);
- :func:`override_attention` (uniform or permuted weights swapped in at inference, the kind of
  test Jain & Wallace, 2019 ran; inside ``train`` it gives a model trained with frozen uniform
  attention, Wiegreffe & Pinter, 2019's baseline), :func:`override_changes`;
- :func:`erase`, :func:`erasure_changes`, :func:`same_kind_control` (erasure with a control
  word of the same kind), :func:`predict`, :func:`kendall_tau`;
- :func:`verdict_evidence` (the sentences of round 3's verdict table, written from its
  measurements).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from seqlib._validate import (
    check_choice,
    check_finite,
    check_integer_tensor,
    check_positions,
    check_positive_int,
    check_seed,
    check_tensor,
)
from seqlib.attention import MultiHeadAttention
from seqlib.lstm import LSTM, GateTrace
from seqlib.measurement import Measurement
from seqlib.models import SequenceModel

__all__ = [
    "Probe",
    "attention_maps",
    "attention_rollout",
    "choose_head",
    "control_task",
    "erase",
    "erasure_changes",
    "head_scores",
    "kendall_tau",
    "linear_probe",
    "logits_at",
    "lstm_gates",
    "override_attention",
    "override_changes",
    "permuted_weights",
    "predict",
    "saliency",
    "same_kind_control",
    "top_before",
    "uniform_weights",
    "unit_scores",
    "verdict_evidence",
]

OVERRIDES = ("uniform", "permuted")
SALIENCY = ("grad_x_input", "integrated_gradients")


# ---------------------------------------------------------------------------------------------
# Predictions
# ---------------------------------------------------------------------------------------------


def _check_model(model: object) -> nn.Module:
    """A module; a seqlib model must give one prediction per position (``output="per_step"``)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if getattr(model, "output", "per_step") != "per_step":
        raise ValueError(
            "this needs a per-step model (built with output='per_step'): one prediction per "
            f"position, not one per sequence; got output={model.output!r}"
        )
    return model


def logits_at(model: nn.Module, inputs: Tensor, positions: Tensor) -> Tensor:
    """Logits ``(B, C)`` of a per-step model at ``positions`` (eval mode, no gradients)."""
    _check_model(model)
    positions = check_positions(inputs, positions)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            logits = model(inputs)  # (B, T, C)
    finally:
        model.train(was_training)
    if not isinstance(logits, Tensor) or logits.shape[:2] != inputs.shape:
        shape = tuple(logits.shape) if isinstance(logits, Tensor) else type(logits).__name__
        raise ValueError(
            f"this needs a per-step model: logits (B, T, C) for inputs {tuple(inputs.shape)}, "
            f"got {shape} (build it with output='per_step')"
        )
    return logits[torch.arange(len(positions)), positions]  # (B, C)


def predict(model: nn.Module, inputs: Tensor, positions: Tensor) -> Tensor:
    """The predicted class ``(B,)`` at ``positions``."""
    return logits_at(model, inputs, positions).argmax(-1)


# ---------------------------------------------------------------------------------------------
# Attention maps
# ---------------------------------------------------------------------------------------------


def attention_maps(model: nn.Module, inputs: Tensor) -> list[Tensor]:
    """Run ``model`` (eval, no gradients) and return its per-layer maps, each (B, h, T, T)."""
    if not isinstance(model, nn.Module) or not callable(getattr(model, "attention_maps", None)):
        raise TypeError(f"model must be a seqlib SequenceModel, got {type(model).__name__}")
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(inputs)
    finally:
        model.train(was_training)
    return [m.clone() for m in model.attention_maps()]


def attention_rollout(maps: list[Tensor], residual: float = 0.5) -> Tensor:
    """Attention rollout (Abnar & Zuidema, 2020): how much each input token flows into each
    position through all layers, the residual stream counted as attention to oneself.

    Per layer: ``A = residual * I + (1 - residual) * mean over heads``, rows renormalised;
    rollout ``= A_L @ ... @ A_1``. ``maps``: per layer ``(B, h, T, T)`` or ``(h, T, T)``.
    Returns ``(B, T, T)`` (or ``(T, T)``); every row sums to 1 when every row of the maps does.
    """
    _check_maps(maps, ndim=(3, 4))
    residual = check_finite(residual, "residual", low=0, high=1)
    shape = maps[0].shape
    same = all(
        m.dim() == len(shape) and m.shape[:-3] + m.shape[-2:] == shape[:-3] + shape[-2:]
        for m in maps
    )  # the number of heads may differ between layers
    if not same or len(shape) not in (3, 4) or shape[-1] != shape[-2]:
        raise ValueError(
            "maps must all have the shape (B, heads, T, T) or (heads, T, T), got "
            f"{[tuple(m.shape) for m in maps]}"
        )
    eye = torch.eye(shape[-1], dtype=maps[0].dtype)
    rollout = None
    for m in maps:
        a = residual * eye + (1 - residual) * m.mean(dim=-3)  # (..., T, T)
        a = a / a.sum(dim=-1, keepdim=True).clamp_min(1e-12)
        rollout = a if rollout is None else a @ rollout
    return rollout


def _check_maps(maps: object, ndim: int | tuple[int, ...]) -> None:
    """``maps``: a non-empty list of per-layer attention maps, tensors of rank ``ndim``."""
    if not isinstance(maps, (list, tuple)):
        got = f"a tensor of shape {tuple(maps.shape)}" if isinstance(maps, Tensor) else maps
        raise TypeError(
            f"maps must be a list of per-layer attention maps (as attention_maps returns), "
            f"got {got!r}; for one layer, pass [maps]"
        )
    if not maps:
        raise ValueError("maps is empty: give one attention map per layer")
    for layer, m in enumerate(maps):
        check_tensor(m, f"maps[{layer}]", ndim=ndim)


def head_scores(maps: list[Tensor], queries: Tensor, keys: Tensor) -> dict[str, Tensor]:
    """How strongly each head links query ``queries[b]`` to key ``keys[b]``, over a batch.

    ``maps``: per layer (B, h, T, T). Returns ``{"weight": (layers, h), "hit": (layers, h)}``:
    the mean attention weight from the query to the key, and the fraction of rows where that
    key gets the largest weight of all keys.
    """
    _check_maps(maps, ndim=4)
    B, T = maps[0].shape[0], maps[0].shape[-1]
    if any(m.shape[:1] + m.shape[2:] != (B, T, T) for m in maps):
        raise ValueError(f"maps must all be (B, heads, T, T), got {[tuple(m.shape) for m in maps]}")
    queries = check_integer_tensor(queries, "queries", shape=(B,), low=0, high=T)
    keys = check_integer_tensor(keys, "keys", shape=(B,), low=0, high=T)
    b = torch.arange(B)
    weight, hit = [], []
    for m in maps:  # (B, h, T, T)
        rows = m[b, :, queries]  # (B, h, T): each head's weights from the query
        weight.append(rows[b, :, keys].mean(0))  # (h,)
        hit.append((rows.argmax(-1) == keys[:, None]).float().mean(0))  # (h,)
    return {"weight": torch.stack(weight), "hit": torch.stack(hit)}


def choose_head(maps: list[Tensor], queries: Tensor, keys: Tensor) -> tuple[int, int]:
    """The round's rule for the head that links ``queries[b]`` to ``keys[b]``: the ``(layer,
    head)`` whose largest weight from the query lands on the key in the most rows (the
    ``"hit"`` of :func:`head_scores`; a tie goes to the earlier layer, then the earlier head).

    Choose it on one set of sentences and measure it on others: a head picked for its score
    on the sentences it is scored on is an anecdote with a number.
    """
    hit = head_scores(maps, queries, keys)["hit"]  # (layers, h)
    layer, head = divmod(int(hit.flatten().argmax()), hit.shape[1])
    return layer, head


def top_before(scores: Tensor, positions: Tensor) -> Tensor:
    """For each row of ``scores (B, T)``: the position before ``positions[b]`` with the
    largest score ``(B,)``. ``positions[b]`` must be at least 1 (one word before it)."""
    check_tensor(scores, "scores")
    if scores.dim() != 2:
        raise ValueError(f"scores must be (B, T), got shape {tuple(scores.shape)}")
    positions = check_integer_tensor(positions, "positions")
    if positions.shape != (scores.shape[0],) or (positions < 1).any():
        raise ValueError(
            f"positions must have shape ({scores.shape[0]},) with every entry >= 1 "
            f"(a word before it), got {positions.tolist()}"
        )
    before = torch.arange(scores.shape[1])[None] < positions[:, None]  # (B, T)
    return scores.masked_fill(~before, float("-inf")).argmax(-1)


# ---------------------------------------------------------------------------------------------
# Replacing the attention weights (for one forward pass)
# ---------------------------------------------------------------------------------------------


def uniform_weights(weights: Tensor, allowed: Tensor) -> Tensor:
    """The same attention spread evenly over the keys each query may see."""
    w = allowed.to(weights.dtype)
    return w / w.sum(-1, keepdim=True).clamp_min(1.0)


def permuted_weights(weights: Tensor, allowed: Tensor, generator: torch.Generator) -> Tensor:
    """Each query's weights shuffled among the keys it may see (a random permutation per row)."""
    big = torch.tensor(float("inf"), device=weights.device)
    order = torch.arange(weights.shape[-1], dtype=weights.dtype, device=weights.device)
    slots = torch.where(allowed, order.expand_as(weights), big).argsort(-1)  # allowed keys first
    # drawn on the CPU generator (the same draws on any device), then moved to the weights
    noise = torch.rand(weights.shape, generator=generator, dtype=weights.dtype).to(weights.device)
    shuffled = torch.where(allowed, noise, big).argsort(-1)  # allowed keys first, shuffled
    return torch.zeros_like(weights).scatter(-1, slots, weights.gather(-1, shuffled))


@contextlib.contextmanager
def override_attention(model: nn.Module, mode: str, *, seed: int = 0) -> Iterator[nn.Module]:
    """Inside the block, every seqlib attention layer of ``model`` uses replaced weights:

    - ``"uniform"``: each query attends equally to all the keys it may see;
    - ``"permuted"``: each query's own weights, shuffled among those keys.

    The values, projections and everything else stay the model's own, so a prediction that
    survives the swap did not depend on *where* attention pointed (at inference: the kind of
    counterfactual Jain & Wallace, 2019 ran). Training inside a ``"uniform"`` block trains a
    model whose attention is frozen to uniform weights (Wiegreffe & Pinter, 2019's baseline:
    does the task need learned attention at all?). It sets each layer's ``weights_hook`` (see
    :class:`seqlib.MultiHeadAttention`) and puts the old one back when the block ends; other
    models, and torch's fused layers, are not touched. Yields ``model``.
    """
    check_choice(mode, "mode", OVERRIDES)
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    layers = [m for m in model.modules() if isinstance(m, MultiHeadAttention)]
    if not layers:
        raise ValueError(
            "model has no seqlib attention layer to override (a Transformer built with "
            "impl='seqlib' has; torch's fused layers cannot be)"
        )
    generator = torch.Generator().manual_seed(check_seed(seed))

    def replace(weights: Tensor, allowed: Tensor) -> Tensor:
        if mode == "uniform":
            return uniform_weights(weights, allowed)
        return permuted_weights(weights, allowed, generator)

    saved = [layer.weights_hook for layer in layers]
    for layer in layers:
        layer.weights_hook = replace
    try:
        yield model
    finally:
        for layer, hook in zip(layers, saved, strict=True):
            layer.weights_hook = hook


def override_changes(
    model: nn.Module, inputs: Tensor, positions: Tensor, mode: str, *, seed: int = 0
) -> float:
    """The fraction of answers at ``positions`` that change when the model's own attention
    weights are replaced by ``mode`` (``"uniform"`` or ``"permuted"``) at inference, the
    trained weights untouched: does *this* model's answer depend on where its attention points?
    """
    before = predict(model, inputs, positions)
    with override_attention(model, mode, seed=seed):
        after = predict(model, inputs, positions)
    return (after != before).float().mean().item()


# ---------------------------------------------------------------------------------------------
# Erasure
# ---------------------------------------------------------------------------------------------


def erase(inputs: Tensor, drop: Tensor, positions: Tensor, pad_id: int) -> tuple[Tensor, Tensor]:
    """Remove token ``drop[b]`` from row ``b`` (the rest shifts left, ``pad_id`` fills the end).

    Returns the new inputs ``(B, T)`` and where ``positions`` moved to ``(B,)``. Dropping the
    token at ``positions[b]`` itself is an error.
    """
    positions = check_positions(inputs, positions)
    drop = check_positions(inputs, drop, "drop")
    pad_id = check_positive_int(pad_id, "pad_id", allow_zero=True)
    if (drop == positions).any():
        raise ValueError("cannot erase the token whose prediction is explained")
    T = inputs.shape[1]
    index = torch.arange(T).expand_as(inputs)  # (B, T)
    keep = index != drop[:, None]
    out = torch.full_like(inputs, pad_id)
    for b in range(inputs.shape[0]):
        kept = inputs[b][keep[b]]
        out[b, : len(kept)] = kept
    return out, positions - (drop < positions).long()


def same_kind_control(
    inputs: Tensor, chosen: Tensor, positions: Tensor, kinds: Tensor, *, seed: int = 0
) -> Tensor:
    """The control word for an erasure: for each row, another position before ``positions[b]``
    whose token has the same kind as the token at ``chosen[b]`` (drawn at random, seeded);
    ``-1`` where the row has none.

    ``kinds (V,)`` gives each token id a kind (e.g. person / company / other word). Erasing the
    attended word and erasing a word of the same kind differ only in where attention pointed.
    """
    positions = check_positions(inputs, positions)
    chosen = check_positions(inputs, chosen, "chosen")
    kinds = check_integer_tensor(kinds, "kinds")
    if kinds.dim() != 1 or int(inputs.max()) >= len(kinds):
        raise ValueError(
            f"kinds must be (V,) with one entry per token id, got {tuple(kinds.shape)}"
        )
    g = torch.Generator().manual_seed(check_seed(seed))
    rows = torch.arange(inputs.shape[0])
    kind = kinds[inputs]  # (B, T)
    index = torch.arange(inputs.shape[1])[None]  # (1, T)
    same = kind == kind[rows, chosen][:, None]  # (B, T)
    candidate = same & (index < positions[:, None]) & (index != chosen[:, None])
    noise = torch.rand(candidate.shape, generator=g).masked_fill(~candidate, -1.0)
    return torch.where(candidate.any(-1), noise.argmax(-1), -1)


def erasure_changes(
    model: nn.Module, inputs: Tensor, positions: Tensor, drop: Tensor, pad_id: int
) -> float:
    """The fraction of answers at ``positions`` that change when token ``drop[b]`` is erased
    from row ``b`` (:func:`erase`). Rows with ``drop[b] < 0`` are left out (no word to erase);
    at least one row must be left in."""
    positions = check_positions(inputs, positions)
    drop = check_integer_tensor(drop, "drop", shape=tuple(positions.shape))
    check_positive_int(pad_id, "pad_id", allow_zero=True)
    keep = drop >= 0
    if not keep.any():
        raise ValueError("every entry of drop is < 0: there is no word to erase")
    before = predict(model, inputs[keep], positions[keep])
    erased, moved = erase(inputs[keep], drop[keep], positions[keep], pad_id)
    return (predict(model, erased, moved) != before).float().mean().item()


# ---------------------------------------------------------------------------------------------
# Saliency
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _embedding_replaced(model: nn.Module, embeddings: Tensor) -> Iterator[None]:
    """Make ``model.embed`` return ``embeddings`` instead of looking the tokens up."""
    handle = model.embed.register_forward_hook(lambda module, args, output: embeddings)
    try:
        yield
    finally:
        handle.remove()


def saliency(
    model: nn.Module,
    inputs: Tensor,
    positions: Tensor,
    target: Tensor | None = None,
    *,
    method: str = "grad_x_input",
    steps: int = 32,
) -> Tensor:
    """How much each input token pushes the logit of ``target`` at ``positions``: ``(B, T)``.

    - ``"grad_x_input"``: ``∂logit/∂e_t · e_t`` summed over the embedding dimension;
    - ``"integrated_gradients"``: the gradient averaged along the straight path from an
      all-zero embedding to ``e`` (``steps`` points, midpoint rule), times ``e``. Its scores sum
      to ``logit(e) - logit(0)`` (completeness) up to the discretisation error.

    ``target`` defaults to the model's prediction. The sign is kept: positive scores push the
    target up. Works for any :class:`SequenceModel` with token inputs, in eval mode.
    """
    check_choice(method, "method", SALIENCY)
    steps = check_positive_int(steps, "steps")
    logits = logits_at(model, inputs, positions)  # (B, C); checks the model and the inputs
    positions = check_positions(inputs, positions)
    if target is None:
        target = logits.argmax(-1)
    target = check_integer_tensor(
        target, "target", shape=tuple(positions.shape), low=0, high=logits.shape[-1]
    )
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            embedded = model.embed(inputs)  # (B, T, d)
        rows = torch.arange(inputs.shape[0])
        if method == "grad_x_input":
            alphas = torch.ones(1)
        else:
            alphas = (torch.arange(steps, dtype=embedded.dtype) + 0.5) / steps  # midpoints
        total = torch.zeros_like(embedded)
        for alpha in alphas:
            e = (alpha * embedded).requires_grad_(True)
            with _embedding_replaced(model, e):
                logits = model(inputs)  # (B, T, C)
            chosen = logits[rows, positions, target].sum()
            (grad,) = torch.autograd.grad(chosen, e)
            total += grad
        return (total / len(alphas) * embedded).sum(-1).detach()  # (B, T)
    finally:
        model.train(was_training)


# ---------------------------------------------------------------------------------------------
# The LSTM: gates, probes
# ---------------------------------------------------------------------------------------------


def lstm_gates(model: nn.Module, inputs: Tensor) -> list[GateTrace]:
    """The gate activations of a SequenceModel whose backbone is ``seqlib.LSTM``: one
    ``GateTrace(i, f, g, o, c)`` per layer, each field (B, T, H)."""
    rnn = getattr(model, "rnn", None)
    if not isinstance(rnn, LSTM):
        raise ValueError(
            "gates need a model built with backbone='lstm' and impl='seqlib' "
            f"(its rnn is {type(rnn).__name__})"
        )
    if isinstance(model, SequenceModel):
        model.check_input(inputs, name="inputs")
    with torch.no_grad():
        _, _, gates = rnn(model.embed(inputs), return_gates=True)
    return gates


@dataclass
class Probe:
    """A linear probe's result: held-out ``accuracy``, the majority-class ``baseline``,
    ``weight`` (classes, d) of the fitted linear map."""

    accuracy: float
    baseline: float
    weight: Tensor


def linear_probe(
    features: Tensor,
    labels: Tensor,
    *,
    train_fraction: float = 0.7,
    steps: int = 300,
    lr: float = 0.05,
    weight_decay: float = 1e-3,
    seed: int = 0,
) -> Probe:
    """Fit a linear classifier (logistic regression) from ``features (N, d)`` to ``labels (N,)``
    on a seeded ``train_fraction`` of the rows; score it on the rest.

    A high held-out accuracy means the feature can be *read off* the vectors linearly.
    """
    check_tensor(features, "features", floating=False)
    if features.dim() != 2:
        raise ValueError(f"features must be (N, d), got shape {tuple(features.shape)}")
    labels = check_integer_tensor(labels, "labels", shape=(features.shape[0],), low=0)
    train_fraction = check_finite(
        train_fraction, "train_fraction", low=0, high=1, low_inclusive=False, high_inclusive=False
    )
    steps = check_positive_int(steps, "steps")
    lr = check_finite(lr, "lr", low=0, low_inclusive=False)
    weight_decay = check_finite(weight_decay, "weight_decay", low=0)
    if features.is_floating_point() and not torch.isfinite(features).all():
        raise ValueError("features hold NaN or infinity: the probe would learn NaN")
    g = torch.Generator().manual_seed(check_seed(seed))
    order = torch.randperm(len(labels), generator=g)
    cut = int(train_fraction * len(labels))
    if not 0 < cut < len(labels):
        raise ValueError(f"train_fraction {train_fraction} leaves no training or test rows")
    tr, te = order[:cut], order[cut:]
    x = features.detach().float()
    mean, std = x[tr].mean(0), x[tr].std(0).clamp_min(1e-6)
    x = (x - mean) / std  # standardised with the training rows' statistics
    classes = int(labels.max()) + 1
    torch.manual_seed(check_seed(seed))
    probe = nn.Linear(x.shape[1], classes)
    optimizer = torch.optim.Adam(probe.parameters(), lr=lr, weight_decay=weight_decay)
    for _ in range(steps):
        loss = nn.functional.cross_entropy(probe(x[tr]), labels[tr])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        accuracy = (probe(x[te]).argmax(-1) == labels[te]).float().mean().item()
    baseline = labels[te].eq(labels[tr].mode().values).float().mean().item()
    return Probe(accuracy=accuracy, baseline=baseline, weight=probe.weight.detach())


def control_task(types: Tensor, labels: Tensor, *, seed: int = 0) -> Tensor:
    """Hewitt & Liang (2019)'s control task for a probe: every word *type* gets a random label,
    drawn once from the empirical distribution of ``labels``, and keeps it wherever it occurs.

    ``types (N,)``: the word (token id) each example's label is about; ``labels (N,)``: the
    real labels. Returns the control labels ``(N,)``. A probe that scores as well on these as
    on the real labels is memorising words, not reading the feature: *selectivity* is the real
    task's accuracy minus the control task's.
    """
    types = check_integer_tensor(types, "types")
    check_tensor(labels, "labels", floating=False)
    if types.dim() != 1 or labels.shape != types.shape:
        raise ValueError(
            f"types and labels must both be (N,), got {tuple(types.shape)} and "
            f"{tuple(labels.shape)}"
        )
    if not len(types):
        raise ValueError("types is empty")
    g = torch.Generator().manual_seed(check_seed(seed))
    distinct, where = types.unique(return_inverse=True)  # where (N,): index into distinct
    drawn = labels[torch.randint(len(labels), (len(distinct),), generator=g)]  # one per type
    return drawn[where]


def unit_scores(features: Tensor, labels: Tensor) -> Tensor:
    """For a binary feature: how well each single unit separates it, ``(d,)``.

    The accuracy of the best threshold on that unit alone (either direction), between 0.5
    (the unit knows nothing) and 1 (the unit *is* the feature).
    """
    check_tensor(features, "features", floating=False)
    check_tensor(labels, "labels", floating=False)
    if features.dim() != 2 or labels.shape != (features.shape[0],):
        raise ValueError(
            f"features must be (N, d) and labels (N,), got {tuple(features.shape)} "
            f"and {tuple(labels.shape)}"
        )
    if set(labels.unique().tolist()) - {0, 1}:
        raise ValueError("unit_scores needs binary labels (0 or 1)")
    order = features.argsort(0)  # (N, d): rows sorted by each unit's value
    y = labels[order].float()  # (N, d): labels in that order
    n, positives = len(labels), labels.sum().float()
    # threshold after k rows: predict 0 below, 1 above; correct = zeros below + ones above
    zeros_below = torch.cumsum(1 - y, 0)
    ones_above = positives - torch.cumsum(y, 0)
    correct = torch.cat([positives.expand(1, y.shape[1]), zeros_below + ones_above])  # (N+1, d)
    best = torch.maximum(correct, n - correct).max(0).values
    return best / n


# ---------------------------------------------------------------------------------------------
# Agreement between explanations
# ---------------------------------------------------------------------------------------------


def kendall_tau(a: Tensor, b: Tensor) -> float:
    """Kendall's rank correlation of two 1-D score vectors (tau-a: ties count as 0), in [-1, 1]."""
    check_tensor(a, "a", floating=False)
    check_tensor(b, "b", floating=False)
    if a.dim() != 1 or a.shape != b.shape or len(a) < 2:
        raise ValueError(f"a and b must be 1-D of the same length >= 2, got {a.shape}, {b.shape}")
    a, b = a.double(), b.double()  # integer or bool scores too
    if not torch.isfinite(a + b).all():  # one pass for both: a NaN score has no rank
        raise ValueError("a and b must be finite (no NaN or infinity): a NaN has no rank")
    da = torch.sign(a[:, None] - a[None, :])
    db = torch.sign(b[:, None] - b[None, :])
    n = len(a)
    return ((da * db).sum() / (n * (n - 1))).item()


# ---------------------------------------------------------------------------------------------
# The round's verdict and experiment, in words written from the measurements
# ---------------------------------------------------------------------------------------------

# The claims round 3 judges from its own measurements, in the order of its verdict table
VERDICT_CLAIMS = (
    "r3.he_ceo",
    "r3.attention_shows_focus",
    "r3.see_influence",
    "r3.black_box",
    "r3.lstm_dog",
)
FIGHTERS = ("Transformer", "LSTM")


def verdict_evidence(
    measured: Mapping[str, Measurement],
    *,
    erasure: Mapping[str, Measurement],
    selectivity: Measurement,
    n_select: int,
    runs: str,
) -> dict[str, str]:
    """The "measured" sentence of each row of round 3's verdict table: claim id -> text.

    Only words: every number comes from a measurement passed in, and the verdicts stay with
    the rules in ``seqlib.claims`` (``table.judge(claim_id, measured[claim_id], text)``).

    - ``measured``: the measurement each claim of :data:`VERDICT_CLAIMS` is judged on:
      ``"r3.he_ceo"`` the chosen head's held-out hit rate, ``"r3.attention_shows_focus"`` the
      Transformer's erasure effect minus the LSTM's (run by run), ``"r3.see_influence"`` how
      often the head's top word is the top |gradient x input| word, ``"r3.black_box"`` the
      probe's gain over an untrained LSTM, ``"r3.lstm_dog"`` the LSTM's held-out accuracy;
    - ``erasure``: each fighter's erasure effect (attended minus same-kind word),
      ``{"Transformer": ..., "LSTM": ...}``;
    - ``selectivity``: the probe's accuracy on the real task minus on the control task;
    - ``n_select``: how many training sentences the head was chosen on;
    - ``runs``: how the runs were made (widths, seeds, parameters), closing every sentence.
    """
    missing = [c for c in VERDICT_CLAIMS if c not in measured]
    extra = [c for c in measured if c not in VERDICT_CLAIMS]
    if missing or extra:
        raise ValueError(
            f"measured must hold one measurement per claim of {list(VERDICT_CLAIMS)}: "
            f"missing {missing}, unknown {extra}"
        )
    if sorted(erasure) != sorted(FIGHTERS):
        raise ValueError(f"erasure must have the keys {list(FIGHTERS)}, got {list(erasure)}")
    if not all(isinstance(m, Measurement) for m in [*measured.values(), *erasure.values()]):
        raise TypeError("measured and erasure must hold seqlib.Measurement values")
    if not isinstance(selectivity, Measurement):
        raise TypeError(f"selectivity must be a Measurement, got {type(selectivity).__name__}")
    n_select = check_positive_int(n_select, "n_select")
    t_effect, l_effect = erasure["Transformer"].format("+.2f"), erasure["LSTM"].format("+.2f")
    return {
        "r3.he_ceo": f"head chosen on {n_select} training sentences; held-out hit rate "
        f"{measured['r3.he_ceo'].format()} ({runs})",
        "r3.attention_shows_focus": f"answers changed, attended minus same-kind word: "
        f"Transformer {t_effect}, the LSTM (no attention) at the same words {l_effect}; "
        f"difference {measured['r3.attention_shows_focus'].format('+.2f')} ({runs})",
        "r3.see_influence": f"chosen head's top word = top |gradient x input| word in "
        f"{measured['r3.see_influence'].format()} of held-out sentences ({runs})",
        "r3.black_box": f"subject-gender probe, trained minus untrained LSTM "
        f"{measured['r3.black_box'].format('+.2f')}; selectivity over a control task "
        f"{selectivity.format('+.2f')} ({runs})",
        "r3.lstm_dog": f"LSTM held-out pronoun accuracy "
        f"{measured['r3.lstm_dog'].format('.3f')} ({runs})",
    }
