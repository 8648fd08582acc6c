"""A small, seeded training loop with a progress bar and a history.

One loop for every round: AdamW, gradient clipping, minibatches drawn from a seeded generator,
an optional evaluation every few steps. The same seed on the same machine (with the same
``torch.get_num_threads()``) gives the same curve, step for step, and two fighters trained with
the same seed and data see the same batches in the same order.

Data is a pair of tensors ``(inputs, targets)``:

- ``inputs``: token ids ``(N, T)`` (long) or features ``(N, T, F)`` (float) or anything else the
  model accepts; only the first dimension (the examples) matters here.
- ``targets`` for ``loss="cross_entropy"``: class ids ``(N,)`` when the model returns logits
  ``(B, C)``, or ``(N, T)`` when it returns logits ``(B, T, C)``. Positions marked
  ``IGNORE_INDEX`` (-100) count in neither the loss nor the accuracy, as in
  ``torch.nn.functional.cross_entropy``.
- ``targets`` for ``loss="mse"``: the same shape as the model's output.

Example::

    history = train(model, (x_train, y_train), steps=300, eval_data=(x_test, y_test))
    print(history)            # History(300 steps in 4.1 s: loss 0.021, ...)
    plt.plot(history.step, history.loss)

Where to train: :func:`training_device` keeps the quick profile on the CPU (the reference run)
and, in the full profile, times a few steps on the CPU and on the GPU, if there is one, and
returns the faster. ``train(..., device=...)`` trains there and hands the model back on the
device it came on, so the rest of a notebook measures and plots on the CPU as before.
"""

from __future__ import annotations

import copy
import math
import numbers
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from seqlib._validate import check_bool, check_choice, check_finite, check_positive_int, check_seed
from seqlib.config import PROFILES, Profile
from seqlib.tasks import IGNORE_INDEX
from seqlib.timing import as_device, pick_device

__all__ = [
    "EVAL_BATCH_SIZE",
    "LOSSES",
    "History",
    "accuracy",
    "evaluate",
    "train",
    "training_device",
    "training_device_summary",
]

LOSSES = ("cross_entropy", "mse")
EVAL_BATCH_SIZE = 256

Data = tuple[torch.Tensor, torch.Tensor]


@dataclass
class History:
    """What happened during :func:`train`, step by step.

    ``step``, ``loss``, ``accuracy``: one entry per training step (the minibatch's loss and
    accuracy; accuracy is ``nan`` for ``loss="mse"``). ``eval_step``, ``eval_loss``,
    ``eval_accuracy``: one entry per evaluation on ``eval_data``. ``seconds``: wall time of the
    whole run, evaluations included. ``steps``: the number of training steps. ``best_step``: the
    step whose weights ``train(..., keep_best=True)`` kept (lowest eval loss), else ``None``.
    """

    step: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    eval_step: list[int] = field(default_factory=list)
    eval_loss: list[float] = field(default_factory=list)
    eval_accuracy: list[float] = field(default_factory=list)
    seconds: float = 0.0
    steps: int = 0
    best_step: int | None = None

    @property
    def final_loss(self) -> float:
        """The training loss of the last step (``nan`` if no step was taken)."""
        return self.loss[-1] if self.loss else math.nan

    @property
    def final_eval_accuracy(self) -> float | None:
        """The accuracy of the last evaluation, or ``None`` if there was none."""
        return self.eval_accuracy[-1] if self.eval_accuracy else None

    @property
    def best_eval_accuracy(self) -> float | None:
        """The eval accuracy at ``best_step`` (the kept weights), or ``None`` without one."""
        if self.best_step is None:
            return None
        return self.eval_accuracy[self.eval_step.index(self.best_step)]

    def to_dict(self) -> dict:
        """A plain dict of lists and numbers (ready for ``json.dump``)."""
        return asdict(self)

    def __repr__(self) -> str:
        parts = [f"loss {self.final_loss:.4g}"]
        if self.accuracy and not math.isnan(self.accuracy[-1]):
            parts.append(f"train accuracy {self.accuracy[-1]:.3f}")
        if self.eval_loss:
            parts.append(f"eval loss {self.eval_loss[-1]:.4g}")
        if self.final_eval_accuracy is not None and not math.isnan(self.final_eval_accuracy):
            parts.append(f"eval accuracy {self.final_eval_accuracy:.3f}")
        return f"History({self.steps} steps in {self.seconds:.1f} s: {', '.join(parts)})"


# ---------------------------------------------------------------------------------------------
# Accuracy and loss
# ---------------------------------------------------------------------------------------------


def _check_classification(
    logits: torch.Tensor, targets: torch.Tensor, ignore_index: int = IGNORE_INDEX
) -> None:
    """Logits ``(..., C)`` float and targets ``(...)``: class ids in [0, C) or ``ignore_index``."""
    if not isinstance(logits, torch.Tensor) or not isinstance(targets, torch.Tensor):
        raise TypeError(
            "logits and targets must be torch.Tensors, got "
            f"{type(logits).__name__} and {type(targets).__name__}"
        )
    if not logits.is_floating_point():
        raise TypeError(f"logits must be a floating-point tensor, got dtype {logits.dtype}")
    if targets.is_floating_point() or targets.dtype == torch.bool:
        raise TypeError(
            f"targets must be integer class ids (torch.long), got dtype {targets.dtype}"
        )
    if logits.dim() < 2 or logits.shape[:-1] != targets.shape:
        raise ValueError(
            "logits must have shape (*targets.shape, C): expected (B, C) with targets (B,) or "
            f"(B, T, C) with targets (B, T); got logits {tuple(logits.shape)} and targets "
            f"{tuple(targets.shape)}"
        )
    if targets.numel() == 0:
        return
    num_classes = logits.shape[-1]
    # one pass for both ends; ignored positions count as class 0
    low, high = targets.masked_fill(targets == ignore_index, 0).aminmax()
    if low < 0 or high >= num_classes:
        bad = int(low) if low < 0 else int(high)
        raise ValueError(
            f"targets must be class ids in [0, {num_classes}) or {ignore_index} (ignored); "
            f"got {bad} (the classes are the last dimension of the logits, shape "
            f"{tuple(logits.shape)})"
        )


def _count_correct(
    logits: torch.Tensor, targets: torch.Tensor, ignore_index: int = IGNORE_INDEX
) -> tuple[int, int]:
    """Return ``(correct, counted)``: argmax hits and the number of non-ignored positions."""
    keep = targets != ignore_index  # (...)
    correct = (logits.argmax(dim=-1) == targets) & keep
    return int(correct.sum()), int(keep.sum())


def accuracy(
    logits: torch.Tensor, targets: torch.Tensor, ignore_index: int = IGNORE_INDEX
) -> float:
    """Fraction of positions where ``logits.argmax(-1) == targets``, skipping ``ignore_index``.

    ``logits``: ``(B, C)`` with ``targets`` ``(B,)``, or ``(B, T, C)`` with ``targets``
    ``(B, T)``. Returns ``nan`` when every position is ignored (there is nothing to score).
    """
    _check_classification(logits, targets, ignore_index)
    correct, counted = _count_correct(logits, targets, ignore_index)
    return correct / counted if counted else math.nan


def _loss_and_counts(
    outputs: torch.Tensor, targets: torch.Tensor, loss: str
) -> tuple[torch.Tensor, int, int]:
    """Return ``(loss, correct, counted)`` for one batch; counts are ``(0, 0)`` for mse."""
    if not isinstance(outputs, torch.Tensor):
        raise TypeError(f"the model must return a tensor, got {type(outputs).__name__}")
    if loss == "mse":
        if outputs.shape != targets.shape:
            raise ValueError(
                "for loss='mse' targets must have the model output's shape: expected "
                f"{tuple(outputs.shape)}, got {tuple(targets.shape)}"
            )
        if not targets.is_floating_point():
            raise TypeError(f"for loss='mse' targets must be floating point, got {targets.dtype}")
        return F.mse_loss(outputs, targets), 0, 0
    _check_classification(outputs, targets)
    if targets.dtype not in (torch.long, torch.uint8):  # what cross_entropy takes
        raise TypeError(
            f"targets must be class ids of dtype torch.long, got {targets.dtype}: "
            "convert them with .long()"
        )
    num_classes = outputs.shape[-1]
    correct, counted = _count_correct(outputs.detach(), targets)
    total = F.cross_entropy(
        outputs.reshape(-1, num_classes),
        targets.reshape(-1),
        ignore_index=IGNORE_INDEX,
        reduction="sum",
    )
    # The mean over scored positions; a batch with none scores 0 (not NaN) and changes nothing.
    return total / max(counted, 1), correct, counted


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------


def _check_data(data: object, name: str) -> Data:
    """``data`` must be ``(inputs, targets)``: two tensors with the same number of examples."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(
            f"{name} must be a tuple (inputs, targets) of two tensors, got {type(data).__name__}"
            + (f" of length {len(data)}" if isinstance(data, (tuple, list)) else "")
        )
    inputs, targets = data
    for part, tensor in (("inputs", inputs), ("targets", targets)):
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"{name} {part} must be a torch.Tensor, got {type(tensor).__name__}")
        if tensor.dim() == 0:
            raise ValueError(f"{name} {part} must have a batch dimension, got a 0-D tensor")
    if inputs.shape[0] != targets.shape[0]:
        raise ValueError(
            f"{name} inputs and targets must hold the same number of examples, got "
            f"{inputs.shape[0]} inputs and {targets.shape[0]} targets"
        )
    if inputs.shape[0] == 0:
        raise ValueError(f"{name} holds no examples (shape {tuple(inputs.shape)})")
    for part, tensor in (("inputs", inputs), ("targets", targets)):
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise ValueError(f"{name} {part} hold NaN or infinity: the loss would be NaN")
    return inputs, targets


def _check_scored(data: Data, name: str, loss: str) -> None:
    """For ``"cross_entropy"``: at least one target that is not ``IGNORE_INDEX``, or the loss
    would be 0 at every step (nothing learnt) and every evaluation NaN. One pass, up front."""
    targets = data[1]
    classes = loss == "cross_entropy" and not targets.is_floating_point()
    if classes and not (targets != IGNORE_INDEX).any():
        raise ValueError(
            f"{name} has no scored targets: every target is {IGNORE_INDEX} (IGNORE_INDEX), "
            "which the loss and the accuracy skip, so there is nothing to learn or score"
        )


def _home(model: nn.Module) -> torch.device:
    """Where the model's parameters live (the CPU for a model without any)."""
    first = next(model.parameters(), None)
    return first.device if first is not None else torch.device("cpu")


def _resolve_device(model: nn.Module, device: str | torch.device | None) -> torch.device:
    """The device to train on: ``device`` (checked to be on this machine), else the model's."""
    return _home(model) if device is None else pick_device(device)


# ---------------------------------------------------------------------------------------------
# Minibatches
# ---------------------------------------------------------------------------------------------


def _batch_indices(n: int, batch_size: int, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """Yield index tensors forever: shuffle the ``n`` examples, walk through them in batches.

    Each pass ("epoch") is a fresh permutation from ``generator``, so the order depends only on
    the seed. The last batch of a pass may be smaller, as with ``DataLoader(drop_last=False)``.
    """
    while True:
        order = torch.randperm(n, generator=generator)  # (n,)
        yield from order.split(batch_size)


# ---------------------------------------------------------------------------------------------
# Evaluation and training
# ---------------------------------------------------------------------------------------------


def _evaluate(
    model: nn.Module, data: Data, batch_size: int, loss: str, device: torch.device
) -> dict[str, float]:
    """Mean loss and accuracy over ``data``, in eval mode, without gradients."""
    inputs, targets = data
    was_training = model.training
    model.eval()
    total_loss, total_weight, correct, counted = 0.0, 0, 0, 0
    try:
        with torch.no_grad():
            for start in range(0, inputs.shape[0], batch_size):
                x = inputs[start : start + batch_size].to(device)
                y = targets[start : start + batch_size].to(device)
                value, c, k = _loss_and_counts(model(x), y, loss)
                # Weight each batch by what its loss averaged over, so the mean is exact.
                weight = k if loss == "cross_entropy" else y.numel()
                if weight:
                    total_loss += value.item() * weight
                    total_weight += weight
                correct += c
                counted += k
    finally:
        model.train(was_training)
    mean_loss = total_loss / total_weight if total_weight else math.nan
    acc = correct / counted if counted else math.nan
    return {"loss": mean_loss, "accuracy": acc}


def evaluate(
    model: nn.Module,
    data: Data,
    *,
    batch_size: int = EVAL_BATCH_SIZE,
    loss: str = "cross_entropy",
    device: str | torch.device | None = None,
) -> dict[str, float]:
    """Loss and accuracy of ``model`` on ``data = (inputs, targets)``.

    Runs in eval mode under ``torch.no_grad()`` (the model's mode is restored afterwards), in
    batches of ``batch_size``, on ``device`` (``None``: where the model is; a model moved there
    is moved back afterwards). Returns ``{"loss": ..., "accuracy": ...}``: the mean loss over
    all scored positions and the fraction predicted correctly (``nan`` for ``loss="mse"``).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    data = _check_data(data, "data")
    batch_size = check_positive_int(batch_size, "batch_size")
    check_choice(loss, "loss", LOSSES)
    _check_scored(data, "data", loss)
    home, device = _home(model), _resolve_device(model, device)
    model.to(device)
    try:
        return _evaluate(model, data, batch_size, loss, device)
    finally:
        model.to(home)


def train(
    model: nn.Module,
    train_data: Data,
    *,
    steps: int,
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
    loss: str = "cross_entropy",
    eval_data: Data | None = None,
    eval_every: int | None = None,
    weight_decay: float = 0.0,
    clip_grad: float | None = 1.0,
    device: str | torch.device | None = None,
    progress: bool = True,
    keep_best: bool = False,
    stop_at: float | None = None,
) -> History:
    """Train ``model`` for ``steps`` AdamW steps on minibatches of ``train_data``.

    Args:
        model: any ``nn.Module`` mapping a batch of inputs to outputs (logits ``(B, C)`` or
            ``(B, T, C)`` for ``"cross_entropy"``; any shape matching the targets for ``"mse"``).
        train_data: ``(inputs, targets)``, the first dimension indexing examples.
        steps: number of optimiser steps.
        batch_size: examples per step (the last batch of a pass over the data may be smaller).
        lr, weight_decay: AdamW's learning rate (> 0) and weight decay (>= 0), finite.
        seed: seeds ``torch.manual_seed`` (initialisation done here, dropout) and the generator
            that shuffles the minibatches: same seed, same machine and thread count, same
            curve (another thread count may change the last digits).
        loss: ``"cross_entropy"`` (ignoring targets equal to -100) or ``"mse"``.
        eval_data: optional ``(inputs, targets)`` scored with :func:`evaluate`.
        eval_every: evaluate every this many steps; with ``None``, only after the last step.
        clip_grad: clip the gradient norm to this value (``None``: no clipping).
        device: where to train; ``None`` keeps the model where it is. Batches are moved there
            (the data stays where it is), and afterwards the model goes back to the device it
            came on: train on a GPU, measure and plot on the CPU.
        progress: show a ``tqdm`` progress bar (in Jupyter and in a terminal).
        keep_best: early stopping, the standard way: after the last step, put back the weights
            of the evaluation with the lowest ``eval_data`` loss (``history.best_step`` says
            which). Needs ``eval_data``, which must then not be the data you report on.
        stop_at: stop as soon as an evaluation reaches this accuracy (e.g. ``0.99``): a model
            that has solved the task does not spend the rest of the budget. Needs ``eval_data``
            and ``eval_every``; ``history.steps`` then says how many steps were taken.

    Returns a :class:`History`. The model is left in the mode (train/eval) it came in, on the
    device it came on (also when a step raises), with the trained (or kept best) weights.
    A training loss that turns NaN or infinite stops the run with a ``ValueError`` (usually
    ``lr`` is too high), before that step changes the weights.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    inputs, targets = _check_data(train_data, "train_data")
    if eval_data is not None:
        eval_data = _check_data(eval_data, "eval_data")
    steps = check_positive_int(steps, "steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    check_choice(loss, "loss", LOSSES)
    _check_scored((inputs, targets), "train_data", loss)
    if eval_data is not None:
        _check_scored(eval_data, "eval_data", loss)
    lr = check_finite(lr, "lr", low=0.0, low_inclusive=False)
    weight_decay = check_finite(weight_decay, "weight_decay", low=0.0)
    if clip_grad is not None:
        clip_grad = check_finite(clip_grad, "clip_grad", low=0.0, low_inclusive=False)
    if eval_every is not None:
        eval_every = check_positive_int(eval_every, "eval_every")
        if eval_data is None:
            raise ValueError("eval_every is set but eval_data is None: give eval_data to evaluate")
    progress = check_bool(progress, "progress")
    keep_best = check_bool(keep_best, "keep_best")
    if keep_best and eval_data is None:
        raise ValueError("keep_best=True needs eval_data: the weights kept are the best on it")
    if stop_at is not None:
        stop_at = check_finite(stop_at, "stop_at", low=0.0, low_inclusive=False)
        if stop_at > 1:
            raise ValueError(f"stop_at is an accuracy in (0, 1], got {stop_at}")
        if eval_data is None or eval_every is None:
            raise ValueError("stop_at needs eval_data and eval_every: it stops at an evaluation")
    if next(model.parameters(), None) is None:
        raise ValueError("model has no parameters to train")

    home, device = _home(model), _resolve_device(model, device)
    model.to(device)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    batches = _batch_indices(inputs.shape[0], batch_size, generator)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    history = History(steps=steps)
    was_training = model.training
    best_weights: dict[str, torch.Tensor] | None = None  # a copy, when keep_best
    start = time.perf_counter()

    bar = tqdm(range(1, steps + 1), desc="training", leave=False, disable=not progress)
    try:
        for step in bar:
            model.train()
            idx = next(batches)
            x, y = inputs[idx].to(device), targets[idx].to(device)
            value, correct, counted = _loss_and_counts(model(x), y, loss)
            loss_value = value.item()  # checked before it changes any weight
            if not math.isfinite(loss_value):
                cause = (
                    f"lr={lr:g} is probably too high (try 10x smaller)"
                    if step > 1
                    else "the model's outputs are not finite, before any update"
                )
                raise ValueError(f"the training loss became {loss_value} at step {step}: {cause}")
            optimizer.zero_grad(set_to_none=True)
            value.backward()
            if clip_grad is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip_grad)
            optimizer.step()

            history.step.append(step)
            history.loss.append(loss_value)
            history.accuracy.append(correct / counted if counted else math.nan)
            if eval_data is not None and (step == steps or (eval_every and step % eval_every == 0)):
                scores = _evaluate(model, eval_data, EVAL_BATCH_SIZE, loss, device)
                history.eval_step.append(step)
                history.eval_loss.append(scores["loss"])
                history.eval_accuracy.append(scores["accuracy"])
                if keep_best and scores["loss"] <= min(history.eval_loss):
                    history.best_step = step
                    best_weights = copy.deepcopy(model.state_dict())
                if stop_at is not None and scores["accuracy"] >= stop_at:
                    history.steps = step
                    break
            bar.set_postfix(loss=f"{history.loss[-1]:.3g}", refresh=False)
    finally:
        bar.close()
        model.train(was_training)
        model.to(home)
    if best_weights is not None:
        model.load_state_dict(best_weights)  # copied onto the model's own device
    history.seconds = time.perf_counter() - start
    return history


# ---------------------------------------------------------------------------------------------
# Where to train
# ---------------------------------------------------------------------------------------------


def _check_seconds(value: object, device: torch.device) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"seconds_for_steps({str(device)!r}) must return a number of seconds, got "
            f"{type(value).__name__} ({value!r})"
        )
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"seconds_for_steps({str(device)!r}) must return seconds > 0, got {value}")
    return float(value)


def training_device(
    profile: Profile | str,
    seconds_for_steps: Callable[[torch.device], float],
    *,
    gpu: str | torch.device | None = None,
) -> tuple[torch.device, dict[str, float]]:
    """The device to train on, and the timings that chose it.

    - quick profile: the CPU, nothing timed (quick is the CPU reference run);
    - full profile, no GPU: the CPU, nothing timed;
    - full profile with a GPU: ``seconds_for_steps(device)`` (the time of a few training steps
      of the notebook's own models there, warm-up done) is called for the CPU, then the GPU,
      and the faster is returned (the CPU on a tie).

    ``profile``: a :class:`seqlib.config.Profile` or its name. ``gpu``: the GPU to compare with
    the CPU; ``None``: the one :func:`seqlib.pick_device` finds (CUDA, else MPS), if any.

    Returns ``(device, timings)``, ``timings`` mapping each device timed (``"cpu"``, ``"cuda"``,
    ...) to its seconds: empty when nothing was timed. Example::

        TRAIN_DEVICE, timings = training_device(cfg, seconds_for_10_steps)
        print(training_device_summary(cfg, TRAIN_DEVICE, timings))
    """
    name = _profile_name(profile)
    if not callable(seconds_for_steps):
        raise TypeError(
            "seconds_for_steps must be a function device -> seconds, got "
            f"{type(seconds_for_steps).__name__}"
        )
    if gpu is None:
        gpu = pick_device()
    else:
        gpu = as_device(gpu, here=False)
        if gpu.type == "cpu":
            raise ValueError(f"gpu must name a GPU (cuda or mps), got {str(gpu)!r}")
    cpu = torch.device("cpu")
    if name == "quick" or gpu.type == "cpu":
        return cpu, {}
    timings = {str(d): _check_seconds(seconds_for_steps(d), d) for d in (cpu, gpu)}
    faster = gpu if timings[str(gpu)] < timings[str(cpu)] else cpu
    return faster, timings


def training_device_summary(
    profile: Profile | str, device: torch.device, timings: dict[str, float]
) -> str:
    """One sentence on where training runs and why, from :func:`training_device`'s answer."""
    name = _profile_name(profile)
    if not timings:
        if name == "quick":
            return (
                f"training on {device}: the quick profile is the CPU reference run (the full "
                "profile times a GPU, if there is one, and trains on the faster)"
            )
        return f"training on {device}: the full profile found no GPU here to time"
    (gpu,) = (d for d in timings if d != "cpu")
    ratio = timings["cpu"] / timings[gpu]
    speed = f"{ratio:.1f}x faster" if ratio >= 1 else f"{1 / ratio:.1f}x slower"
    return (
        f"the same steps took {timings['cpu'] * 1000:.0f} ms on the CPU and "
        f"{timings[gpu] * 1000:.0f} ms on {gpu}: the GPU is {speed} for these models, so "
        f"training runs on {device}"
    )


def _profile_name(profile: object) -> str:
    """The name of a :class:`Profile` or a profile name (``"quick"`` or ``"full"``)."""
    if isinstance(profile, Profile):
        return profile.name
    if not isinstance(profile, str):
        raise TypeError(
            f"profile must be a seqlib.config.Profile or its name, got {type(profile).__name__}"
        )
    return check_choice(profile, "profile", PROFILES)
