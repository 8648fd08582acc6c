"""Round 3 (interpretability): attention rollout, integrated gradients, the pronoun head."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from seqlib.exercises.harness import (
    Failed,
    as_int,
    as_tensor,
    call_learner,
    close,
    first_match,
    report,
    require_callable,
)
from seqlib.interpret import attention_rollout

__all__ = [
    "check_find_head",
    "check_integrated_gradients",
    "check_rollout",
]


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
    require_callable(fn, "check_rollout")

    def run() -> str:
        for layers, heads, length, seed in ((2, 4, 5, 0), (3, 2, 6, 1)):
            maps = _random_maps(layers, heads, length, seed)
            result = as_tensor(call_learner(fn, [m.clone() for m in maps]), "your rollout")
            expected = attention_rollout(maps)
            if result.shape != expected.shape:
                raise Failed(
                    f"your rollout has shape {tuple(result.shape)}, expected "
                    f"{tuple(expected.shape)} (T, T).\n   HINT: average over the heads (dim 0) "
                    "before multiplying the layers."
                )
            if not close(result, expected):
                hint = first_match(result, _rollout_mistakes(maps)) or (
                    "compare one layer first: A = 0.5 * torch.eye(T) + 0.5 * maps[0].mean(0)."
                )
                raise Failed(f"the rollout differs from the reference.\n   HINT: {hint}")
        return "your rollout matches on random causal maps with 2 and 3 layers."

    return report("check_rollout", run)


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
    require_callable(fn, "check_integrated_gradients")

    def run() -> str:
        g = torch.Generator().manual_seed(0)
        x, baseline = torch.randn(6, generator=g), torch.zeros(6)
        steps = 64
        answer = call_learner(fn, _toy_function, x.clone(), baseline.clone(), steps)
        result = as_tensor(answer, "your attributions")
        if result.shape != x.shape:
            raise Failed(
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
            raise Failed(f"your attributions differ from the reference.\n   HINT: {hint}")
        gap = abs(result.sum().item() - (_toy_function(x) - _toy_function(baseline)).item())
        return (
            "your attributions match the reference and sum to f(x) - f(baseline) "
            f"(completeness, off by {gap:.1e})."
        )

    return report("check_integrated_gradients", run)


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
    require_callable(fn, "check_find_head")

    def run() -> str:
        for seed in (0, 1):
            maps, pronoun, antecedent, planted = _planted_maps(seed)
            maps_copy = [m.clone() for m in maps]
            result = call_learner(fn, maps_copy, pronoun.clone(), antecedent.clone())
            if isinstance(result, Tensor) and result.dim() == 1:  # e.g. torch.tensor([1, 3])
                result = tuple(result)
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise Failed(
                    f"return a pair (layer, head) of ints, got {type(result).__name__} "
                    f"({result!r:.80}).\n   HINT: end with `return layer, head`."
                )
            found = (as_int(result[0], "layer"), as_int(result[1], "head"))
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
            raise Failed(f"you found {found}, the planted head is {planted}.\n   HINT: {hint}")
        return (
            "you found the planted head in two sets of random maps (and skipped the decoy and "
            "the head with the larger mean weight)."
        )

    return report("check_find_head", run)
