"""Tests for seqlib.train: determinism, learning, ignore_index, modes, error messages."""

from __future__ import annotations

import importlib
import math

import pytest
import torch
from torch import nn

from seqlib.train import History, accuracy, evaluate, train


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models run fastest, and least disturbed by a busy machine, on one thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def sign_task(n: int = 512, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs (n, 8) floats; target 1 where their sum is positive, else 0."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 8, generator=g)
    return x, (x.sum(dim=1) > 0).long()


def small_classifier() -> nn.Module:
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))


class TokenTagger(nn.Module):
    """Token ids (B, T) -> logits (B, T, V): predicts each token's own id."""

    def __init__(self, vocab: int = 5) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, 16)
        self.head = nn.Linear(16, vocab)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(x))


class ModeRecorder(nn.Module):
    """Records whether it was in train mode at each forward call."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(8, 2)
        self.modes: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.modes.append(self.training)
        return self.linear(x)


def run(seed: int, **kwargs) -> History:
    torch.manual_seed(123)  # same initial weights for every run
    model = small_classifier()
    return train(model, sign_task(), steps=30, seed=seed, progress=False, **kwargs)


# --- determinism and learning ----------------------------------------------------------------


def test_same_seed_gives_identical_curve():
    a, b = run(seed=7), run(seed=7)
    assert a.loss == b.loss
    assert a.accuracy == b.accuracy


def test_different_seed_gives_different_curve():
    assert run(seed=7).loss != run(seed=8).loss


def test_learns_sign_of_sum():
    torch.manual_seed(0)
    model = small_classifier()
    history = train(
        model,
        sign_task(1024, seed=1),
        steps=300,
        lr=1e-2,
        eval_data=sign_task(512, seed=2),
        eval_every=100,
        progress=False,
    )
    assert history.final_eval_accuracy > 0.9
    assert history.final_loss < history.loss[0]
    assert history.eval_step == [100, 200, 300]
    assert evaluate(model, sign_task(512, seed=3))["accuracy"] > 0.9


def test_stop_at_ends_the_run_once_the_task_is_solved():
    def fit(stop_at):
        torch.manual_seed(0)
        return train(
            small_classifier(), sign_task(1024, seed=1), steps=600, lr=1e-2,
            eval_data=sign_task(512, seed=2), eval_every=20, stop_at=stop_at, progress=False,
        )  # fmt: skip

    stopped, full = fit(0.9), fit(None)
    assert stopped.steps < 600 and stopped.steps == stopped.step[-1] == stopped.eval_step[-1]
    assert stopped.final_eval_accuracy >= 0.9 and len(stopped.loss) == stopped.steps
    assert stopped.eval_accuracy[:-1] == [a for a in stopped.eval_accuracy[:-1] if a < 0.9]
    assert full.steps == 600 and full.loss[: stopped.steps] == stopped.loss  # same run until then
    assert fit(1.0).steps <= 600  # an accuracy it may never reach: it runs to the end if so


def test_history_records_every_step():
    history = run(seed=0)
    assert history.step == list(range(1, 31))
    assert len(history.loss) == len(history.accuracy) == history.steps == 30
    assert history.seconds > 0
    assert history.eval_step == []
    assert history.final_eval_accuracy is None
    assert set(history.to_dict()) >= {"step", "loss", "accuracy", "eval_loss", "seconds"}
    assert repr(history).startswith("History(30 steps in ")


def test_eval_only_at_end_by_default():
    history = run(seed=0, eval_data=sign_task(64, seed=5))
    assert history.eval_step == [30]
    assert 0.0 <= history.final_eval_accuracy <= 1.0


def test_sequence_targets_with_ignore_index():
    torch.manual_seed(0)
    x = torch.randint(0, 5, (256, 6))
    y = x.clone()
    y[:, :3] = -100  # only the last three positions are scored
    history = train(TokenTagger(), (x, y), steps=150, lr=1e-2, progress=False)
    assert evaluate(TokenTagger(), (x, y))["accuracy"] < 0.9  # untrained is not already right
    assert history.accuracy[-1] > 0.95


def test_mse_regression():
    torch.manual_seed(0)
    x = torch.randn(256, 4)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]])  # (256, 1)
    model = nn.Linear(4, 1)
    history = train(model, (x, y), steps=300, lr=5e-2, loss="mse", progress=False)
    assert history.final_loss < 1e-2 < history.loss[0]
    assert all(math.isnan(a) for a in history.accuracy)
    scores = evaluate(model, (x, y), loss="mse")
    assert scores["loss"] < 1e-2 and math.isnan(scores["accuracy"])


def test_modes_train_then_eval_then_restored():
    model = ModeRecorder().eval()
    train(model, sign_task(64), steps=3, eval_data=sign_task(16), eval_every=3, progress=False)
    assert model.modes == [True, True, True, False]
    assert model.training is False  # restored
    model.train()
    evaluate(model, sign_task(16))
    assert model.modes[-1] is False and model.training is True


def test_evaluate_loss_is_mean_over_scored_positions():
    logits = torch.tensor([[[2.0, 0.0], [0.0, 1.0]], [[0.0, 3.0], [1.0, 2.0]]])  # (2, 2, 2)
    targets = torch.tensor([[0, -100], [1, 0]])
    model = nn.Identity()
    model.register_parameter("dummy", nn.Parameter(torch.zeros(1)))
    expected = nn.functional.cross_entropy(logits.reshape(-1, 2), targets.reshape(-1)).item()
    scores = evaluate(model, (logits, targets), batch_size=1)  # batches of unequal size
    assert scores["loss"] == pytest.approx(expected)
    assert scores["accuracy"] == pytest.approx(2 / 3)


# --- accuracy ---------------------------------------------------------------------------------


def test_accuracy_skips_ignored_positions():
    logits = torch.tensor([[[5.0, 0.0], [0.0, 5.0], [5.0, 0.0]]])  # predicts 0, 1, 0
    assert accuracy(logits, torch.tensor([[0, 1, 1]])) == pytest.approx(2 / 3)
    assert accuracy(logits, torch.tensor([[0, 1, -100]])) == 1.0
    assert accuracy(logits, torch.tensor([[1, -100, -100]])) == 0.0
    assert math.isnan(accuracy(logits, torch.tensor([[-100, -100, -100]])))


def test_accuracy_flat_logits():
    logits = torch.tensor([[0.1, 0.9], [0.8, 0.2]])
    assert accuracy(logits, torch.tensor([1, 1])) == 0.5


def test_accuracy_errors():
    with pytest.raises(
        ValueError, match=r"expected \(B, C\).*got logits \(2, 3\) and targets \(3,\)"
    ):
        accuracy(torch.zeros(2, 3), torch.zeros(3, dtype=torch.long))
    with pytest.raises(TypeError, match="targets must be integer class ids.*float32"):
        accuracy(torch.zeros(2, 3), torch.zeros(2))
    with pytest.raises(TypeError, match="logits must be a floating-point tensor"):
        accuracy(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, dtype=torch.long))


# --- early stopping (keep_best) ----------------------------------------------------------------


def test_keep_best_puts_back_the_weights_with_the_lowest_eval_loss():
    # 16 noisy examples, 8x16 hidden units, 400 steps: the model memorises them and the held-out
    # loss turns up after a while, so the best evaluation is not the last one.
    x, y = sign_task(16, seed=1)
    y = torch.where(torch.arange(16) % 4 == 0, 1 - y, y)  # a quarter of the labels flipped
    held_out = sign_task(512, seed=2)
    model = small_classifier()
    history = train(
        model, (x, y), steps=400, lr=1e-2, eval_data=held_out, eval_every=10,
        keep_best=True, progress=False,
    )  # fmt: skip
    best = min(range(len(history.eval_loss)), key=history.eval_loss.__getitem__)
    assert history.best_step == history.eval_step[best] < history.steps
    assert history.eval_loss[-1] > history.eval_loss[best] + 0.05  # it did overfit
    kept = evaluate(model, held_out)
    assert kept["loss"] == pytest.approx(history.eval_loss[best], rel=1e-5)
    assert history.best_eval_accuracy == history.eval_accuracy[best] == kept["accuracy"]


def test_without_keep_best_the_last_weights_stay():
    # the same overfitting run: the last evaluation is not the best, and its weights stay
    x, y = sign_task(16, seed=1)
    y = torch.where(torch.arange(16) % 4 == 0, 1 - y, y)
    held_out = sign_task(512, seed=2)
    model = small_classifier()
    history = train(
        model, (x, y), steps=400, lr=1e-2, eval_data=held_out, eval_every=10, progress=False
    )
    assert history.best_step is None and history.best_eval_accuracy is None
    assert history.eval_loss[-1] > min(history.eval_loss) + 0.05
    assert evaluate(model, held_out)["loss"] == pytest.approx(history.eval_loss[-1], rel=1e-5)


# --- error messages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"steps": 0}, ValueError, "steps must be >= 1, got 0"),
        ({"steps": 2.5}, TypeError, "steps must be an int, got float"),
        ({"batch_size": -1}, ValueError, "batch_size must be >= 1, got -1"),
        ({"loss": "l1"}, ValueError, r"loss must be one of \['cross_entropy', 'mse'\], got 'l1'"),
        ({"lr": 0}, ValueError, "lr must be > 0.0, got 0"),
        ({"lr": "fast"}, TypeError, "lr must be a number, got str"),
        ({"weight_decay": -0.1}, ValueError, "weight_decay must be >= 0.0, got -0.1"),
        ({"clip_grad": 0.0}, ValueError, "clip_grad must be > 0.0"),
        ({"eval_every": 5}, ValueError, "eval_every is set but eval_data is None"),
        ({"keep_best": True}, ValueError, "keep_best=True needs eval_data"),
        ({"keep_best": 1}, TypeError, "keep_best must be a bool, got int"),
        ({"stop_at": 0.9}, ValueError, "stop_at needs eval_data and eval_every"),
        ({"stop_at": 1.5, "eval_data": sign_task(8), "eval_every": 1}, ValueError, r"in \(0, 1\]"),
        ({"stop_at": 0.0, "eval_data": sign_task(8), "eval_every": 1}, ValueError, "must be > 0"),
        ({"stop_at": "high"}, TypeError, "stop_at must be a number, got str"),
    ],
)
def test_train_argument_errors(kwargs, error, match):
    kwargs = {"steps": 1, **kwargs}
    with pytest.raises(error, match=match):
        train(small_classifier(), sign_task(16), progress=False, **kwargs)


def test_train_data_errors():
    model = small_classifier()
    x, y = sign_task(16)
    with pytest.raises(TypeError, match=r"train_data must be a tuple \(inputs, targets\).*Tensor"):
        train(model, x, steps=1, progress=False)
    with pytest.raises(ValueError, match="same number of examples, got 16 inputs and 15 targets"):
        train(model, (x, y[:15]), steps=1, progress=False)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module, got function"):
        train(lambda t: t, (x, y), steps=1, progress=False)
    with pytest.raises(ValueError, match=r"expected \(B, C\) with targets \(B,\)"):
        train(model, (x, y[:, None].expand(16, 3)), steps=1, progress=False)
    with pytest.raises(ValueError, match=r"for loss='mse'.*expected \(16, 2\), got \(16,\)"):
        train(model, (x, y.float()), steps=1, loss="mse", progress=False)
    with pytest.raises(TypeError, match="eval_data inputs must be a torch.Tensor, got list"):
        train(model, (x, y), steps=1, eval_data=([1], y), progress=False)


def test_progress_bar_shows_and_hides(capsys):
    train(small_classifier(), sign_task(32), steps=5, progress=True)
    assert "training" in capsys.readouterr().err
    train(small_classifier(), sign_task(32), steps=5, progress=False)
    assert capsys.readouterr().err == ""


def test_batch_with_no_scored_position_leaves_weights_finite():
    x, labels = sign_task(8)
    y = torch.full((8,), -100)
    y[0] = labels[0]  # one scored example: the other batches of one have none
    model = small_classifier()
    history = train(model, (x, y), steps=8, batch_size=1, progress=False)
    assert history.loss.count(0.0) == 7 and sum(math.isnan(a) for a in history.accuracy) == 7
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_data_with_no_scored_target_is_refused():
    """Every target ignored: training would report loss 0 and learn nothing, evaluation NaN."""
    x, labels = sign_task(8)
    ignored = (x, torch.full((8,), -100))
    with pytest.raises(ValueError, match="train_data has no scored targets.*-100"):
        train(small_classifier(), ignored, steps=2, progress=False)
    with pytest.raises(ValueError, match="eval_data has no scored targets"):
        train(small_classifier(), (x, labels), steps=2, eval_data=ignored, progress=False)
    with pytest.raises(ValueError, match="data has no scored targets"):
        evaluate(small_classifier(), ignored)
    x, y = torch.randint(5, (4, 6)), torch.full((4, 6), -100)
    with pytest.raises(ValueError, match="train_data has no scored targets"):
        train(TokenTagger(), (x, y), steps=1, progress=False)
    regression = (torch.randn(8, 8), torch.full((8, 2), -100.0))  # for mse, -100 is a value
    assert evaluate(nn.Linear(8, 2), regression, loss="mse")["loss"] > 0


def test_training_device_takes_numpy_seconds():
    np = pytest.importorskip("numpy")
    from seqlib.train import training_device

    seconds = {"cpu": np.float32(0.5), "mps": np.float64(0.25)}
    device, timings = training_device("full", lambda d: seconds[d.type], gpu="mps")
    assert device == torch.device("mps") and timings == {"cpu": 0.5, "mps": 0.25}
    with pytest.raises(ValueError, match=r"seconds_for_steps\('cpu'\) must return seconds > 0"):
        training_device("full", lambda d: np.float32("nan"), gpu="mps")


# --- the device: train elsewhere, come back home ----------------------------------------------
# No GPU here: the meta device stands in for the model's home (the CPU, in a notebook) and the
# CPU for the device it trains on (a GPU, in a notebook).


@pytest.fixture
def home_is_meta(monkeypatch):
    train_module = importlib.import_module("seqlib.train")  # `seqlib.train` is the function
    monkeypatch.setattr(train_module, "_home", lambda model: torch.device("meta"))


def test_train_on_another_device_returns_the_model_home(home_is_meta):
    model = small_classifier()
    history = train(model, sign_task(64), steps=3, device="cpu", progress=False)
    assert all(math.isfinite(loss) for loss in history.loss)  # it trained, on the CPU
    assert {p.device.type for p in model.parameters()} == {"meta"}


def test_train_returns_the_model_home_when_a_step_raises(home_is_meta):
    model = small_classifier()
    with pytest.raises(ValueError, match="expected"):
        train(model, (sign_task(8)[0], torch.zeros(8, 3, dtype=torch.long)), steps=1,
              device="cpu", progress=False)  # fmt: skip
    assert {p.device.type for p in model.parameters()} == {"meta"}


def test_evaluate_on_another_device_returns_the_model_home(home_is_meta):
    model = small_classifier()
    scores = evaluate(model, sign_task(64), device="cpu")
    assert 0.0 <= scores["accuracy"] <= 1.0
    assert {p.device.type for p in model.parameters()} == {"meta"}


def test_train_without_device_leaves_the_model_where_it_is():
    model = small_classifier()
    train(model, sign_task(64), steps=2, progress=False)
    assert {p.device.type for p in model.parameters()} == {"cpu"}


# --- numbers, flags, targets, devices: clear errors, never NaN weights or torch's messages ----


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lr": float("inf")}, ValueError, "lr must be finite, got inf"),
        ({"lr": float("nan")}, ValueError, "lr must be finite, got nan"),
        ({"lr": None}, TypeError, "lr must be a number, got NoneType"),
        ({"weight_decay": float("inf")}, ValueError, "weight_decay must be finite, got inf"),
        ({"clip_grad": float("inf")}, ValueError, "clip_grad must be finite, got inf"),
        ({"clip_grad": float("nan")}, ValueError, "clip_grad must be finite, got nan"),
        ({"stop_at": float("nan")}, ValueError, "stop_at must be finite, got nan"),
        ({"progress": "no"}, TypeError, "progress must be a bool, got str"),
        ({"keep_best": "yes"}, TypeError, "keep_best must be a bool, got str"),
        ({"device": "cuda:x"}, ValueError, "device must be one of"),
        ({"device": "gpu"}, ValueError, "device must be one of"),
    ],
)
def test_train_number_and_flag_errors(kwargs, error, match):
    model = small_classifier()
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(error, match=match):
        train(model, sign_task(16), steps=1, **({"progress": False} | kwargs))
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_an_unavailable_device_is_a_clear_error():
    with pytest.raises(ValueError, match="'cuda' was asked for but is not available"):
        train(small_classifier(), sign_task(16), steps=1, device="cuda", progress=False)
    with pytest.raises(ValueError, match="'cuda' was asked for but is not available"):
        evaluate(small_classifier(), sign_task(16), device="cuda")


def test_numpy_numbers_are_numbers():
    np = pytest.importorskip("numpy")
    history = train(
        small_classifier(), sign_task(64), steps=3, lr=np.float32(1e-2),
        weight_decay=np.float64(0.01), clip_grad=np.float32(1.0), progress=False,
    )  # fmt: skip
    assert history.steps == 3 and all(math.isfinite(v) for v in history.loss)


def test_a_loss_that_turns_nan_names_the_learning_rate():
    model = small_classifier()
    with pytest.raises(ValueError, match=r"loss became nan at step 2.*lr=1e\+30.*too high"):
        train(model, sign_task(64), steps=5, lr=1e30, clip_grad=None, progress=False)


def test_non_finite_data_is_refused_before_training():
    x, y = sign_task(16)
    x[3, 2] = float("nan")
    with pytest.raises(ValueError, match="train_data inputs hold NaN or infinity"):
        train(small_classifier(), (x, y), steps=1, progress=False)
    with pytest.raises(ValueError, match="data targets hold NaN or infinity"):
        evaluate(small_classifier(), (x[:, :2], torch.full((16, 2), float("inf"))), loss="mse")


@pytest.mark.parametrize("bad", [7, 2, -1, -99])
def test_targets_outside_the_classes_are_named(bad):
    x, y = sign_task(16)
    y[5] = bad
    match = rf"targets must be class ids in \[0, 2\) or -100 \(ignored\); got {bad}"
    with pytest.raises(ValueError, match=match):
        train(small_classifier(), (x, y), steps=3, batch_size=16, progress=False)
    with pytest.raises(ValueError, match=match):
        evaluate(small_classifier(), (x, y))
    with pytest.raises(ValueError, match=match):
        accuracy(torch.zeros(16, 2), y)


def test_targets_per_step_outside_the_classes_are_named():
    x = torch.randint(5, (4, 6))
    y = x.clone()
    y[1, 2] = 5
    with pytest.raises(ValueError, match=r"\[0, 5\) or -100 \(ignored\); got 5"):
        train(TokenTagger(), (x, y), steps=1, progress=False)


def test_int32_targets_are_named():
    x, y = sign_task(16)
    with pytest.raises(TypeError, match=r"targets must be class ids of dtype torch.long, got t"):
        train(small_classifier(), (x, y.int()), steps=1, progress=False)
    assert 0 <= accuracy(torch.zeros(16, 2), y.int()) <= 1  # counting works with any integer
