"""Round 3's checkers: the solutions pass, the usual mistakes get their hint, nothing raises."""

import pytest
import torch

from seqlib.exercises import check_find_head, check_integrated_gradients, check_rollout
from seqlib.interpret import attention_rollout, choose_head, head_scores

# ---- rollout --------------------------------------------------------------------------------


def rollout(maps, *, order="later_left", residual=0.5, heads="mean"):
    T = maps[0].shape[-1]
    result = torch.eye(T)
    for m in maps:
        a = m.mean(0) if heads == "mean" else m[0]
        a = residual * torch.eye(T) + (1 - residual) * a
        a = a / a.sum(-1, keepdim=True)
        result = a @ result if order == "later_left" else result @ a
    return result


def test_rollout_solution_passes(capsys):
    assert check_rollout(rollout) is True
    assert check_rollout(attention_rollout) is True
    assert capsys.readouterr().out.startswith("✅")


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        ({"order": "earlier_left"}, "wrong order"),
        ({"residual": 0.0}, "residual connection is missing"),
        ({"heads": "first"}, "average the heads"),
    ],
)
def test_rollout_mistakes_get_their_hint(capsys, mistake, hint):
    assert check_rollout(lambda maps: rollout(maps, **mistake)) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and hint in out


def test_rollout_shape_not_done_and_exceptions(capsys):
    assert check_rollout(lambda maps: torch.stack(maps).mean(1)) is False
    assert "shape" in capsys.readouterr().out

    def not_done(maps):
        raise NotImplementedError

    assert check_rollout(not_done) is False
    assert capsys.readouterr().out.startswith("⏳")
    assert check_rollout(lambda maps: 1 / 0) is False
    assert "ZeroDivisionError" in capsys.readouterr().out
    assert check_rollout(lambda maps: None) is False
    assert "returned None" in capsys.readouterr().out
    with pytest.raises(TypeError, match="your function itself"):
        check_rollout(rollout(torch.eye(3)[None, None].expand(1, 1, 3, 3)))


# ---- integrated gradients ------------------------------------------------------------------


def ig(f, x, baseline, steps, *, mistake=None):
    if mistake == "grad_x_input":
        point = x.clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(f(point), point)
        return grad * x
    total = torch.zeros_like(x)
    for k in range(steps):
        point = (baseline + (k + 0.5) / steps * (x - baseline)).requires_grad_(True)
        (grad,) = torch.autograd.grad(f(point), point)
        total += grad
    if mistake == "no_multiply":
        return total / steps
    return total / steps * (x - baseline)


def test_integrated_gradients_solution_passes(capsys):
    assert check_integrated_gradients(ig) is True
    out = capsys.readouterr().out
    assert out.startswith("✅") and "completeness" in out


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [("grad_x_input", "gradient × input at x alone"), ("no_multiply", "did not multiply")],
)
def test_integrated_gradients_mistakes(capsys, mistake, hint):
    assert check_integrated_gradients(lambda *a: ig(*a, mistake=mistake)) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and hint in out


def test_integrated_gradients_wrong_shape(capsys):
    assert check_integrated_gradients(lambda f, x, b, s: x.sum()) is False
    assert "one score per input feature" in capsys.readouterr().out


# ---- find the head -------------------------------------------------------------------------


def find_head(maps, pronoun, antecedent, *, rule="hit"):
    scores = head_scores(maps, pronoun, antecedent)[rule]
    return divmod(int(scores.argmax()), scores.shape[1])


def test_find_head_solution_passes(capsys):
    assert check_find_head(find_head) is True
    assert capsys.readouterr().out.startswith("✅")
    assert check_find_head(choose_head) is True  # the notebook's own rule
    assert capsys.readouterr().out.startswith("✅")


def test_find_head_by_mean_weight_gets_the_rule_hint(capsys):
    assert check_find_head(lambda m, p, a: find_head(m, p, a, rule="weight")) is False
    assert "MEAN weight" in capsys.readouterr().out


def test_find_head_mistakes(capsys):
    swapped = lambda maps, p, a: find_head(maps, a, p)  # noqa: E731
    assert check_find_head(swapped) is False
    assert "rows are queries" in capsys.readouterr().out
    assert check_find_head(lambda maps, p, a: (0, 0)) is False
    assert "planted head" in capsys.readouterr().out
    assert check_find_head(lambda maps, p, a: "layer 1") is False
    assert "pair (layer, head)" in capsys.readouterr().out
    assert check_find_head(lambda maps, p, a: 3) is False
    assert "pair (layer, head)" in capsys.readouterr().out
