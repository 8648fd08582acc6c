"""seqlib.tasks.markov_chain (seeded sequences of one fixed random Markov chain) and
repeated_markov (the same text twice: local statistics plus a look-back)."""

import pytest
import torch

from seqlib.tasks import (
    markov_chain,
    markov_optimal_accuracy,
    markov_transition_matrix,
    repeated_markov,
    repeated_markov_ceilings,
)


def test_shapes_and_next_state_targets():
    x, y = markov_chain(5, 12, n_states=7, seed=0)
    assert x.shape == y.shape == (5, 12) and x.dtype == y.dtype == torch.long
    assert int(x.min()) >= 0 and int(x.max()) < 7
    assert torch.equal(x[:, 1:], y[:, :-1])  # the target is the next input


def test_seeded_and_the_chain_is_shared_across_seeds():
    a = markov_chain(20, 10, n_states=5, seed=3)
    b = markov_chain(20, 10, n_states=5, seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a, b, strict=True))
    assert not torch.equal(a[0], markov_chain(20, 10, n_states=5, seed=4)[0])
    P = markov_transition_matrix(5)
    assert torch.equal(P, markov_transition_matrix(5, chain_seed=0))
    assert not torch.equal(P, markov_transition_matrix(5, chain_seed=1))


def test_transition_matrix_rows_are_distributions():
    P = markov_transition_matrix(9, concentration=0.2)
    assert P.shape == (9, 9) and (P >= 0).all()
    torch.testing.assert_close(P.sum(dim=1), torch.ones(9))


def test_samples_follow_the_chain():
    P = markov_transition_matrix(4, concentration=0.5)
    x, y = markov_chain(4000, 20, n_states=4, seed=0, concentration=0.5)
    counts = torch.zeros(4, 4)
    counts.index_put_((x.flatten(), y.flatten()), torch.ones(x.numel()), accumulate=True)
    empirical = counts / counts.sum(dim=1, keepdim=True)
    torch.testing.assert_close(empirical, P, atol=0.02, rtol=0)
    # the best predictor guesses P's argmax; its accuracy is the mean of the row maxima
    best = markov_optimal_accuracy(x, y, P)
    assert best == pytest.approx(P.max(dim=1).values.mean().item(), abs=0.05)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        (dict(n_samples=0, length=5, n_states=3), ValueError),
        (dict(n_samples=2, length=-1, n_states=3), ValueError),
        (dict(n_samples=2, length=5, n_states=0), ValueError),
        (dict(n_samples=2, length=5, n_states=3, concentration=0.0), ValueError),
        (dict(n_samples=2, length=5, n_states=3, seed=1.5), TypeError),
    ],
)
def test_bad_arguments_are_refused(kwargs, error):
    n, length = kwargs.pop("n_samples"), kwargs.pop("length")
    with pytest.raises(error):
        markov_chain(n, length, **kwargs)


def test_repeated_markov_repeats_the_first_half():
    x, y = repeated_markov(6, 5, n_states=7, seed=2)
    assert x.shape == y.shape == (6, 9) and x.dtype == y.dtype == torch.long
    assert torch.equal(x[:, 1:], y[:, :-1])  # the target is the next input
    sequence = torch.cat([x, y[:, -1:]], dim=1)  # (N, 2 lag)
    assert torch.equal(sequence[:, :5], sequence[:, 5:])  # the second half is the first again
    # the first half is the chain's own text, seeded like markov_chain
    assert torch.equal(sequence[:, :5], markov_chain(6, 5, n_states=7, seed=2)[0])
    assert torch.equal(x, repeated_markov(6, 5, n_states=7, seed=2)[0])
    assert not torch.equal(x, repeated_markov(6, 5, n_states=7, seed=3)[0])


def test_repeated_markov_ceilings():
    P = markov_transition_matrix(8, concentration=0.2)
    x, y = repeated_markov(2000, 10, n_states=8, seed=0, concentration=0.2)
    ceilings = repeated_markov_ceilings(x, y, P, 10)
    # local statistics: the chain's own ceiling; looking back: exact in the second half
    assert ceilings["local"] == pytest.approx(markov_optimal_accuracy(x, y, P))
    local = (P.argmax(dim=1)[x] == y).float()  # (N, 19)
    expected = (local[:, :9].sum() + 10 * 2000) / (19 * 2000)
    assert ceilings["look_back"] == pytest.approx(expected.item())
    assert ceilings["look_back"] > ceilings["local"]


def test_repeated_markov_refuses_bad_arguments():
    with pytest.raises(ValueError, match="lag"):
        repeated_markov(3, 1, n_states=4)
    with pytest.raises(ValueError):
        repeated_markov(0, 4, n_states=4)
    x, y = repeated_markov(3, 4, n_states=4)
    P = markov_transition_matrix(4)
    with pytest.raises(ValueError, match="2 lag - 1"):
        repeated_markov_ceilings(x, y, P, 5)
    with pytest.raises(TypeError):
        repeated_markov_ceilings(x.tolist(), y, P, 4)
