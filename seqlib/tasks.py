"""Synthetic, seeded data sets for the rounds: generated on your machine, never downloaded.

Each task returns ``(inputs, targets)`` tensors ready for :func:`seqlib.train.train`.
Positions that carry no question have the target ``IGNORE_INDEX`` (-100), which the loss and the
accuracy skip, as ``torch.nn.functional.cross_entropy`` does.
"""

from __future__ import annotations

import torch

from seqlib._validate import (
    check_finite,
    check_integer_tensor,
    check_positive_int,
    check_seed,
    check_tensor,
)

__all__ = [
    "IGNORE_INDEX",
    "associative_recall",
    "delayed_recall",
    "markov_chain",
    "markov_optimal_accuracy",
    "markov_transition_matrix",
    "repeated_markov",
    "repeated_markov_ceilings",
    "running_parity",
    "seasonal_series",
]

IGNORE_INDEX = -100


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(check_seed(seed))


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

    Returns ``inputs (N, 2n + m)`` long and ``targets (N, 2n + m)`` long, ``IGNORE_INDEX`` except at
    the query positions.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    n_pairs = check_positive_int(n_pairs, "n_pairs")
    n_keys = check_positive_int(n_keys, "n_keys")
    n_values = check_positive_int(n_values, "n_values")
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
    targets = torch.full_like(inputs, IGNORE_INDEX)
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
    n_samples = check_positive_int(n_samples, "n_samples")
    length = check_positive_int(length, "length")
    bits = torch.randint(2, (n_samples, length), generator=_generator(seed))  # (N, T)
    return bits, bits.cumsum(dim=1) % 2


def delayed_recall(
    n_samples: int,
    distance: int,
    *,
    n_values: int = 8,
    n_distractors: int = 8,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A value shown once, ``distance`` distractors, then a query: name the value.

    A sequence is ``v  d1 d2 ... dD  ?``: one value token, ``distance`` random distractor
    tokens, then the query token ``?``. At the query the model must output the value it saw
    ``distance + 1`` steps earlier; nothing else is asked. Sweeping ``distance`` sweeps how far
    back the one dependency reaches. Token ids: values ``0 .. n_values-1``, distractors
    ``n_values .. n_values+n_distractors-1``, the query ``n_values + n_distractors`` (so the
    vocabulary has ``n_values + n_distractors + 1`` tokens; targets are value ids, chance is
    ``1 / n_values``).

    Returns ``inputs (N, distance + 2)`` long and ``targets (N, distance + 2)`` long,
    ``IGNORE_INDEX`` everywhere except the last position (the query).
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    distance = check_positive_int(distance, "distance")
    n_values = check_positive_int(n_values, "n_values")
    n_distractors = check_positive_int(n_distractors, "n_distractors")
    g = _generator(seed)
    values = torch.randint(n_values, (n_samples, 1), generator=g)  # (N, 1)
    distractors = n_values + torch.randint(n_distractors, (n_samples, distance), generator=g)
    query = torch.full((n_samples, 1), n_values + n_distractors)  # (N, 1)
    inputs = torch.cat([values, distractors, query], dim=1)  # (N, D + 2)
    targets = torch.full_like(inputs, IGNORE_INDEX)
    targets[:, -1] = values[:, 0]
    return inputs, targets


def markov_transition_matrix(n_states: int, *, concentration: float = 0.3, chain_seed: int = 0):
    """The transition matrix ``P (n_states, n_states)`` of a random Markov chain.

    ``P[i, j]`` is the probability that state ``j`` follows state ``i``; each row is drawn from
    a Dirichlet distribution with the given ``concentration`` (small: a few likely successors
    per state, so there is something to learn). Every row sums to 1.
    """
    n_states = check_positive_int(n_states, "n_states")
    concentration = check_finite(concentration, "concentration", low=0, low_inclusive=False)
    g = _generator(chain_seed)
    # Dirichlet(alpha) via normalised Gamma(alpha) draws, from the seeded generator
    alpha = torch.full((n_states, n_states), concentration, dtype=torch.float64)
    gamma = torch._standard_gamma(alpha, generator=g)  # (S, S)
    gamma = gamma + 1e-12  # a row of tiny draws must not divide by zero
    return (gamma / gamma.sum(dim=1, keepdim=True)).float()


def markov_chain(
    n_samples: int,
    length: int,
    *,
    n_states: int,
    seed: int = 0,
    chain_seed: int = 0,
    concentration: float = 0.3,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences from one random Markov chain; predict the next state at every step.

    The chain (:func:`markov_transition_matrix` with ``chain_seed``) is the same for every
    ``seed``: ``seed`` only draws the sequences, so training sets of different sizes (or
    different seeds) sample the same language. A model that has learnt the chain predicts
    ``P[state].argmax()``; its accuracy is bounded by :func:`markov_optimal_accuracy`.

    Returns ``inputs (N, T)`` (states, long) and ``targets (N, T)`` (the next state, long).
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    length = check_positive_int(length, "length")
    P = markov_transition_matrix(n_states, concentration=concentration, chain_seed=chain_seed)
    g = _generator(seed)
    states = torch.empty(n_samples, length + 1, dtype=torch.long)
    states[:, 0] = torch.randint(n_states, (n_samples,), generator=g)
    cdf = P.cumsum(dim=1)  # (S, S): inverse-CDF sampling, one uniform number per step
    u = torch.rand(n_samples, length, generator=g)  # (N, T)
    for t in range(length):  # (N,) per step: the first state whose cumulative mass exceeds u
        nxt = torch.searchsorted(cdf[states[:, t]], u[:, t : t + 1].contiguous())[:, 0]
        states[:, t + 1] = nxt.clamp(max=n_states - 1)  # round-off guard
    return states[:, :-1], states[:, 1:]


def _best_guesses(
    inputs: torch.Tensor, targets: torch.Tensor, P: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Check states and ``P``; return the guess that knows ``P`` and the targets, same shape."""
    check_tensor(P, "P", ndim=2)
    if P.shape[0] != P.shape[1]:
        raise ValueError(f"P must be square (n_states, n_states), got shape {tuple(P.shape)}")
    if not torch.isfinite(P).all():
        raise ValueError("P must be finite (no NaN or infinity): it holds probabilities")
    n_states = P.shape[0]
    inputs = check_integer_tensor(inputs, "inputs", low=0, high=n_states)
    targets = check_integer_tensor(targets, "targets", low=0, high=n_states)
    if inputs.shape != targets.shape:
        raise ValueError(
            f"inputs {tuple(inputs.shape)} and targets {tuple(targets.shape)} must have the same "
            "shape: one next state per state"
        )
    return P.argmax(dim=1)[inputs], targets  # the most likely next state of each state


def markov_optimal_accuracy(inputs: torch.Tensor, targets: torch.Tensor, P: torch.Tensor) -> float:
    """Accuracy of the best possible predictor, which knows ``P``: guess ``P[state].argmax()``."""
    guesses, targets = _best_guesses(inputs, targets, P)
    return (guesses == targets).float().mean().item()


def seasonal_series(
    n_samples: int,
    window: int,
    *,
    period: int = 12,
    horizon: int = 1,
    noise: float = 0.1,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Windows of a noisy seasonal series, and the values that follow them (for forecasting).

    Each sample is its own series ``y_t = a sin(2 pi (t + p) / period)
    + (a / 2) sin(4 pi (t + p) / period) + s t / window + noise``, with a random amplitude
    ``a`` in [0.5, 1.5], phase ``p`` and trend ``s`` in [-0.5, 0.5] per sample: a small,
    structured time series, like monthly sales. ``noise`` is the standard deviation of the
    Gaussian noise added to every value (inputs and targets alike).

    Returns ``inputs (N, window, 1)`` float and ``targets (N, horizon)`` float: the next
    ``horizon`` values after the window. Train with ``loss="mse"``.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    window = check_positive_int(window, "window")
    period = check_positive_int(period, "period")
    horizon = check_positive_int(horizon, "horizon")
    noise = check_finite(noise, "noise", low=0)  # NaN or inf would fill the series with it
    g = _generator(seed)
    amplitude = 0.5 + torch.rand(n_samples, 1, generator=g)  # (N, 1)
    phase = torch.rand(n_samples, 1, generator=g) * period  # (N, 1)
    slope = torch.rand(n_samples, 1, generator=g) - 0.5  # (N, 1)
    t = torch.arange(window + horizon, dtype=torch.float32)  # (W + h,)
    angle = 2 * torch.pi * (t + phase) / period  # (N, W + h)
    series = amplitude * (torch.sin(angle) + 0.5 * torch.sin(2 * angle)) + slope * t / window
    series = series + noise * torch.randn(series.shape, generator=g)  # (N, W + h)
    # contiguous copies, not views of one (N, W + h) tensor: strides that depend on W + h
    # would tie the inputs' layout to the horizon (torch.export specialises on strides)
    return series[:, :window, None].contiguous(), series[:, window:].contiguous()


def repeated_markov(
    n_samples: int,
    lag: int,
    *,
    n_states: int,
    seed: int = 0,
    chain_seed: int = 0,
    concentration: float = 0.3,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Markov text that repeats itself: ``lag`` states of one chain, then the same ``lag`` again.

    Local statistics (the chain, :func:`markov_chain`) predict the next state as well as
    anything can in the first half; in the second half the next state is the one seen ``lag``
    steps earlier, so a model that learns to **look back** ``lag`` tokens predicts it exactly.
    Predict the next state at every step (round 4: the structure that more data lets attention
    exploit, above the local-statistics ceiling; see :func:`repeated_markov_ceilings`).

    Returns ``inputs (N, 2 lag - 1)`` and ``targets (N, 2 lag - 1)``, long: the sequence
    ``s_0 .. s_{lag-1} s_0 .. s_{lag-1}`` and its next state.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    lag = check_positive_int(lag, "lag")
    if lag < 2:
        raise ValueError(f"lag must be at least 2 (one state repeated is not text), got {lag}")
    first, _ = markov_chain(
        n_samples,
        lag,
        n_states=n_states,
        seed=seed,
        chain_seed=chain_seed,
        concentration=concentration,
    )  # (N, lag): the first lag states of each sequence
    sequence = torch.cat([first, first], dim=1)  # (N, 2 lag)
    return sequence[:, :-1].contiguous(), sequence[:, 1:].contiguous()


def repeated_markov_ceilings(
    inputs: torch.Tensor, targets: torch.Tensor, P: torch.Tensor, lag: int
) -> dict[str, float]:
    """The two ceilings of :func:`repeated_markov` data, as accuracies over every position.

    - ``"local"``: the best predictor that uses only the current state (it knows ``P`` and
      guesses ``P[state].argmax()``): what local statistics can reach.
    - ``"look_back"``: the same in the first half, and the state ``lag`` steps back in the
      second half (exact): what a model that also looks back can reach.
    """
    lag = check_positive_int(lag, "lag")
    if not isinstance(inputs, torch.Tensor) or not isinstance(targets, torch.Tensor):
        raise TypeError("inputs and targets must be torch tensors")
    if inputs.shape != targets.shape or inputs.dim() != 2 or inputs.shape[1] != 2 * lag - 1:
        raise ValueError(
            f"inputs and targets must both be (N, 2 lag - 1) = (N, {2 * lag - 1}), got "
            f"{tuple(inputs.shape)} and {tuple(targets.shape)}"
        )
    guesses, targets = _best_guesses(inputs, targets, P)
    local = guesses == targets  # (N, 2 lag - 1)
    repeated = torch.arange(inputs.shape[1]) + 1 >= lag  # (2 lag - 1,): target in the 2nd half
    look_back = local | repeated  # the second half is read off lag steps back
    return {"local": local.float().mean().item(), "look_back": look_back.float().mean().item()}
