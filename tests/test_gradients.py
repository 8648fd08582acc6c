"""seqlib.gradients: the gradient-by-distance curves are the Jacobian norms they claim to be."""

import pytest
import torch

from seqlib.gradients import gradient_by_distance, gradient_flow, gradient_flow_curves


def test_matches_the_full_jacobian():
    torch.manual_seed(0)
    rnn = torch.nn.RNN(3, 4, batch_first=True)
    x = torch.randn(1, 6, 3)
    norms = gradient_by_distance(lambda x: rnn(x)[0], x)
    jac = torch.autograd.functional.jacobian(lambda x: rnn(x)[0][:, -1], x)  # (1, 4, 1, 6, 3)
    expected = jac[0, :, 0].pow(2).sum(dim=(0, 2)).sqrt().flip(0)  # (6,) by distance
    torch.testing.assert_close(norms, expected)


def test_a_model_that_ignores_the_past_has_zero_gradient_there():
    norms = gradient_by_distance(lambda x: x * 2.0, torch.randn(2, 5, 3))
    assert norms[0] == pytest.approx(2.0 * 3**0.5)  # d(2 x_T)/d x_T = 2 I (3x3)
    assert torch.all(norms[1:] == 0)


def test_the_shapes_of_forgetting():
    curves = gradient_flow_curves(length=60, d_model=16)
    rnn, lstm, attention = curves["rnn"], curves["lstm"], curves["attention"]
    assert rnn.shape == lstm.shape == attention.shape == (60,)
    # the vanilla RNN's gradient vanishes geometrically with distance
    assert rnn[40] / rnn[1] < 1e-6
    # attention's path is one step long: distance barely matters
    assert attention[50] / attention[1] > 0.1
    # a forget gate that starts open lets the cell state carry the gradient far back
    open_gate = gradient_flow("lstm", length=60, d_model=16, forget_bias=3.0)
    assert open_gate[50] / open_gate[1] > 100 * (lstm[50] / lstm[1])


def test_bad_input():
    with pytest.raises(ValueError, match="name must be one of"):
        gradient_flow("gru")
    with pytest.raises(ValueError, match="x must be 3-D"):
        gradient_by_distance(lambda x: x, torch.randn(4, 3))
    with pytest.raises(ValueError, match="length must be >= 1"):
        gradient_flow("rnn", length=0)
