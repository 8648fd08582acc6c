"""Synthetic, seeded data sets for the rounds: generated on your machine, never downloaded.

Each task returns ``(inputs, targets)`` tensors ready for :func:`seqlib.train.train`.
Positions that carry no question have the target ``IGNORE`` (-100), which the loss and the
accuracy skip, as ``torch.nn.functional.cross_entropy`` does.
"""

from __future__ import annotations

import torch

from seqlib._validate import check_positive_int

IGNORE = -100


def _generator(seed: int) -> torch.Generator:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    return torch.Generator().manual_seed(seed)


def associative_recall(
    n_samples: int,
    n_pairs: int,
    *,
    n_keys: int = 32,
    n_values: int = 32,
    n_queries: int | None = None,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Key-value pairs, then queries (the MQAR task of the Zoology paper, 2023).

    A sequence is ``k1 v1 k2 v2 ... kn vn  q1 q2 ... qm``: ``n_pairs`` distinct keys, each
    followed by its value, then ``n_queries`` of those keys again. At each query position the
    model must output the value that followed that key. Token ids: keys are ``0 .. n_keys-1``,
    values are ``n_keys .. n_keys+n_values-1`` (so the vocabulary has ``n_keys + n_values``
    tokens; targets are value ids).

    Returns ``inputs (N, 2n + m)`` long and ``targets (N, 2n + m)`` long, ``IGNORE`` except at
    the query positions.
    """
    check_positive_int(n_samples, "n_samples")
    check_positive_int(n_pairs, "n_pairs")
    check_positive_int(n_keys, "n_keys")
    check_positive_int(n_values, "n_values")
    if n_pairs > n_keys:
        raise ValueError(f"n_pairs ({n_pairs}) cannot exceed n_keys ({n_keys}): keys are distinct")
    m = n_pairs if n_queries is None else check_positive_int(n_queries, "n_queries")
    g = _generator(seed)
    keys = torch.rand(n_samples, n_keys, generator=g).argsort(dim=1)[:, :n_pairs]  # (N, n)
    values = n_keys + torch.randint(n_values, (n_samples, n_pairs), generator=g)  # (N, n)
    which = torch.randint(n_pairs, (n_samples, m), generator=g)  # (N, m): asked pair
    queries = keys.gather(1, which)  # (N, m)
    answers = values.gather(1, which)  # (N, m)
    pairs = torch.stack([keys, values], dim=2).reshape(n_samples, 2 * n_pairs)  # k1 v1 k2 v2 ..
    inputs = torch.cat([pairs, queries], dim=1)  # (N, 2n + m)
    targets = torch.full_like(inputs, IGNORE)
    targets[:, 2 * n_pairs :] = answers
    return inputs, targets


def running_parity(
    n_samples: int, length: int, *, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Bits in, the parity of the bits so far out, at every step.

    ``targets[:, t] = (inputs[:, 0] + ... + inputs[:, t]) % 2``: a one-bit state that must be
    carried along the whole sequence (a regular language: a finite automaton with two states).
    Returns ``inputs (N, T)`` and ``targets (N, T)``, both long with values 0 or 1.
    """
    check_positive_int(n_samples, "n_samples")
    check_positive_int(length, "length")
    bits = torch.randint(2, (n_samples, length), generator=_generator(seed))  # (N, T)
    return bits, bits.cumsum(dim=1) % 2
