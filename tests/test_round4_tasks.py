"""seqlib.tasks.markov_chain: seeded sequences of one fixed random Markov chain."""

import pytest
import torch

from seqlib.tasks import markov_chain, markov_optimal_accuracy, markov_transition_matrix


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
