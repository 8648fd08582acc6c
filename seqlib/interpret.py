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
  word of the same kind), :func:`predict`;
- the controls of round 3's verdicts: :func:`held_out_hit` (a head chosen on one set, scored
  on another, away from a positional head's position), :func:`one_hot_head` (a planted or a
  positional head), :func:`masked_key_changes` (a swap that takes a key away: a planted
  effect), :func:`normalised_gain` (Zhang & Bowman's untrained baseline, as a share of
  the headroom it leaves), :func:`plant_feature` (a readable feature), :func:`occlusion` (a
  second influence method beside saliency).
  The verdict table's sentences are :func:`seqlib.explain.verdict_evidence`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
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
    "held_out_hit",
    "linear_probe",
    "logits_at",
    "lstm_gates",
    "masked_key_changes",
    "normalised_gain",
    "occlusion",
    "one_hot_head",
    "override_attention",
    "override_changes",
    "permuted_weights",
    "plant_feature",
    "predict",
    "saliency",
    "same_kind_control",
    "top_before",
    "uniform_weights",
    "unit_scores",
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
    generator = torch.Generator().manual_seed(check_seed(seed))

    def replace(weights: Tensor, allowed: Tensor) -> Tensor:
        if mode == "uniform":
            return uniform_weights(weights, allowed)
        return permuted_weights(weights, allowed, generator)

    with _hooked(model, replace):
        yield model


@contextlib.contextmanager
def _hooked(model: nn.Module, replace: object) -> Iterator[None]:
    """Set ``replace`` as the ``weights_hook`` of every seqlib attention layer of ``model`` for
    the block, and put the old hooks back when it ends."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    layers = [m for m in model.modules() if isinstance(m, MultiHeadAttention)]
    if not layers:
        raise ValueError(
            "model has no seqlib attention layer to override (a Transformer built with "
            "impl='seqlib' has; torch's fused layers cannot be)"
        )
    saved = [layer.weights_hook for layer in layers]
    for layer in layers:
        layer.weights_hook = replace
    try:
        yield
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
# Controls for the round's verdicts
# ---------------------------------------------------------------------------------------------


def one_hot_head(queries: Tensor, keys: Tensor, length: int) -> list[Tensor]:
    """A planted head, ``[(B, 1, T, T)]`` (one layer, one head): its row at ``queries[b]`` puts
    all its weight on ``keys[b]``, every other row on the query itself. Keys at the antecedents:
    an oracle pronoun head; every key at one position: a positional head."""
    length = check_positive_int(length, "length")
    queries = check_integer_tensor(queries, "queries", low=0, high=length)
    if queries.dim() != 1:
        raise ValueError(f"queries must be (B,), got shape {tuple(queries.shape)}")
    keys = check_integer_tensor(keys, "keys", shape=tuple(queries.shape), low=0, high=length)
    if (keys > queries).any():
        raise ValueError("a causal head cannot look at a key after its query: keys <= queries")
    maps = torch.eye(length).repeat(len(queries), 1, 1)  # (B, T, T): each row on itself
    rows = torch.arange(len(queries))
    maps[rows, queries] = 0.0
    maps[rows, queries, keys] = 1.0
    return [maps[:, None]]  # [(B, 1, T, T)]


def held_out_hit(
    select_maps: list[Tensor],
    select_queries: Tensor,
    select_keys: Tensor,
    maps: list[Tensor],
    queries: Tensor,
    keys: Tensor,
    *,
    away_from: int | None = None,
) -> tuple[tuple[int, int], float]:
    """:func:`choose_head` on ``select_maps``, scored on ``maps``: ``((layer, head), hit)``, hit
    the fraction of rows where its largest weight from ``queries[b]`` lands on ``keys[b]``.
    ``away_from``: leave out, in both sets, the rows whose key is at that position (where a head
    that always looks there scores by the base rate alone)."""
    select_keys = check_integer_tensor(select_keys, "select_keys")
    keys = check_integer_tensor(keys, "keys")
    if away_from is None:
        pick, score = torch.ones_like(select_keys, dtype=torch.bool), torch.ones_like(keys) > 0
    else:
        pick, score = select_keys != away_from, keys != away_from
    if not pick.any() or not score.any():
        raise ValueError(f"every key is at away_from={away_from}: no row is left to score")
    select_queries, queries = torch.as_tensor(select_queries), torch.as_tensor(queries)
    layer, head = choose_head(
        [m[pick] for m in select_maps], select_queries[pick], select_keys[pick]
    )
    hit = head_scores([m[score] for m in maps], queries[score], keys[score])["hit"]
    return (layer, head), hit[layer, head].item()


def masked_key_changes(model: nn.Module, inputs: Tensor, positions: Tensor, keys: Tensor) -> float:
    """The fraction of answers at ``positions`` that change when every layer's and head's weight
    on key ``keys[b]`` of row ``b`` is set to 0 (rows renormalised): a swap that takes away a
    word the answer needs (in a Transformer only attention carries a token to a later
    position), the planted effect :func:`override_changes` is calibrated against."""
    keys = check_positions(inputs, keys, "keys")
    keep = torch.arange(inputs.shape[1])[None] != keys[:, None]  # (B, S): the keys left

    def replace(weights: Tensor, allowed: Tensor) -> Tensor:  # (B, h, L, S) each
        kept = weights * keep[:, None, None, :].to(weights.dtype)
        return kept / kept.sum(-1, keepdim=True).clamp_min(1e-12)

    before = predict(model, inputs, positions)
    with _hooked(model, replace):
        after = predict(model, inputs, positions)
    return (after != before).float().mean().item()


def occlusion(model: nn.Module, inputs: Tensor, positions: Tensor, pad_id: int) -> Tensor:
    """Leave-one-out influence ``(B, T)``: how far the logit of the model's answer at
    ``positions`` drops when the token at ``t`` is replaced by ``pad_id`` (the other words stay
    where they are); 0 at and after ``positions``."""
    pad_id = check_positive_int(pad_id, "pad_id", allow_zero=True)
    logits = logits_at(model, inputs, positions)  # (B, C): checks the model and the positions
    rows, target = torch.arange(len(positions)), logits.argmax(-1)
    drops = torch.zeros(inputs.shape, dtype=logits.dtype)
    for t in range(int(torch.as_tensor(positions).max())):
        occluded = inputs.clone()
        occluded[:, t] = pad_id
        drop = logits[rows, target] - logits_at(model, occluded, positions)[rows, target]
        drops[:, t] = torch.where(torch.as_tensor(positions) > t, drop, 0.0)
    return drops


def normalised_gain(trained: float, untrained: float) -> float:
    """``(trained - untrained) / (1 - untrained)``: the share of the headroom an untrained
    network's probe accuracy leaves that training closed (0: no more than random features, 1:
    perfect; negative: less). ``untrained`` must be below 1 (else there is no headroom)."""
    trained = check_finite(trained, "trained", low=0, high=1)
    untrained = check_finite(untrained, "untrained", low=0, high=1, high_inclusive=False)
    return (trained - untrained) / (1 - untrained)


def plant_feature(features: Tensor, labels: Tensor, *, noise: float = 0.5, seed: int = 0) -> Tensor:
    """A copy of ``features (N, d)`` whose unit 0 is ``labels`` plus Gaussian noise (standard
    deviation ``noise``, seeded): a feature planted where a linear probe can read it."""
    check_tensor(features, "features")
    if features.dim() != 2:
        raise ValueError(f"features must be (N, d), got shape {tuple(features.shape)}")
    labels = check_integer_tensor(labels, "labels", shape=(features.shape[0],), low=0)
    noise = check_finite(noise, "noise", low=0)
    g = torch.Generator().manual_seed(check_seed(seed))
    planted = features.detach().clone()
    planted[:, 0] = labels.to(planted.dtype) + noise * torch.randn(len(labels), generator=g)
    return planted
