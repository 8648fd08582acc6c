"""Round 1's controls and report: memory cut on purpose, where two fighters part, the notes.

Round 1 (memory power) trains three fights, delayed recall, associative recall and running
parity, and checks two formulas against torch. Every measured claim has controls (see
``seqlib.claims``); the cheapest and plainest negative control of a memory claim is the same
trained model with its memory **cut**: :func:`accuracy_in_windows` reads each window of
``window`` positions as a sequence of its own, so no recurrent state crosses from one window to
the next and no token attends outside its window. With ``window=1`` every connection between
positions is cut (each position alone: what a memoryless model can do); with ``window`` equal
to the training length, a model is held to short sequences.

:func:`parting_distance` finds where a fighter without a mechanism has lost the token (the
shortest distance at which every seed is at chance), so the gated fighter can be read there.

The verdict table needs, beside every claim, a short note on what was measured: the setting,
the parameter counts, the controls' numbers. :func:`verdict_notes` writes those notes from the
measurements; the decisions stay with the rules registered in ``seqlib.claims``
(``VerdictTable.judge``), never here.

Example::

    cut = seqlib.memory.accuracy_in_windows(model, test_data, window=1)  # memory cut
    seqlib.memory.parting_distance({10: [1.0, 1.0, 1.0], 30: [0.13, 0.12, 0.14]}, 0.25)  # 30
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import nn

from seqlib._validate import check_finite, check_keys, check_positive_int
from seqlib.tasks import IGNORE_INDEX
from seqlib.train import evaluate

__all__ = [
    "accuracy_in_windows",
    "in_windows",
    "parting_distance",
    "verdict_notes",
]


Accuracies = Sequence[float]  # one test accuracy per seed
WINDOW_BATCH = 4096  # windows per forward pass when reading them one by one


def in_windows(
    data: tuple[torch.Tensor, torch.Tensor], window: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(inputs, targets)`` (N, T) cut into windows of ``window`` positions: (N T / w, w) each.

    Windows in which nothing is scored (every target ``IGNORE_INDEX``) are dropped: they can
    change no accuracy. ``T`` must be a multiple of ``window``.
    """
    inputs, targets = data
    if not isinstance(inputs, torch.Tensor) or not isinstance(targets, torch.Tensor):
        raise TypeError("data must be (inputs, targets), two tensors (N, T)")
    if inputs.dim() != 2 or inputs.shape != targets.shape:
        raise ValueError(
            f"inputs and targets must both be (N, T) token ids and targets, got "
            f"{tuple(inputs.shape)} and {tuple(targets.shape)}"
        )
    window = check_positive_int(window, "window")
    length = inputs.shape[1]
    if length % window:
        raise ValueError(f"the length T={length} must be a multiple of window={window}")
    x = inputs.reshape(-1, window)  # (N T / w, w)
    y = targets.reshape(-1, window)  # (N T / w, w)
    scored = (y != IGNORE_INDEX).any(dim=1)  # (N T / w,)
    return x[scored], y[scored]


def accuracy_in_windows(
    model: nn.Module, data: tuple[torch.Tensor, torch.Tensor], window: int
) -> float:
    """Test accuracy of ``model`` when it reads ``data`` in windows of ``window`` positions.

    Each window is a sequence of its own (the state starts at zero, attention sees only the
    window, positions count from 0 again): the model's memory is cut at every window boundary.
    The same positions are scored as on the whole sequences. ``model`` gives one prediction
    per position (``output="per_step"``). ``window=1``: every connection between positions is
    cut.
    """
    if getattr(model, "output", "per_step") != "per_step":
        raise ValueError("accuracy_in_windows needs a model with output='per_step'")
    cut = in_windows(data, window)
    return evaluate(model, cut, batch_size=WINDOW_BATCH)["accuracy"]


def parting_distance(accuracies: Mapping[int, Accuracies], at_chance: float) -> int | None:
    """The shortest distance at which every seed scored at most ``at_chance``; ``None`` if none.

    ``accuracies``: distance -> one accuracy per seed (a fighter's sweep). Where a fighter
    without a mechanism is at chance, another fighter that holds the token there shows what the
    mechanism buys.
    """
    at_chance = check_finite(at_chance, "at_chance", low=0, high=1)
    if not accuracies:
        raise ValueError("accuracies is empty: expected {distance: accuracies per seed}")
    lost = [d for d, accs in accuracies.items() if accs and max(accs) <= at_chance]
    return min(lost) if lost else None


def _mean(values: Accuracies) -> float:
    if not values:
        raise ValueError("no accuracies to average: expected one per seed")
    return sum(values) / len(values)


def _range(values: Accuracies) -> str:
    return f"{_mean(values):.2f} [{min(values):.2f}, {max(values):.2f}]"


def verdict_notes(
    *,
    delayed: Mapping[str, Mapping[int, Accuracies]],
    delay_params: Mapping[str, int],
    parted_at: int | None,
    recall: Mapping[str, Accuracies],
    recall_params: Mapping[str, int],
    n_pairs: int,
    parity: Mapping[str, Mapping[int, Accuracies]],
    parity_params: Mapping[str, int],
    train_len: int,
    stepwise_diff: float,
    past_diff: float,
    transformer: str = "Transformer (sinusoidal)",
) -> dict[str, str]:
    """The note beside each of round 1's claims, from the round's measurements: id -> text.

    - ``delayed``: fighter ("LSTM", "vanilla RNN", "Transformer") -> {distance D: accuracies};
      the shortest and the longest distance are the ones the verdicts read.
    - ``delay_params``, ``recall_params``, ``parity_params``: fighter -> parameter count.
    - ``parted_at``: the shortest distance at which the vanilla RNN is at chance on every seed
      (:func:`parting_distance`), ``None`` if it never is.
    - ``recall``: "Transformer" and "LSTM" -> accuracies on associative recall with ``n_pairs``.
    - ``parity``: fighter ("LSTM", ``transformer``) -> {length factor: accuracies}; factor 1 is
      the training length ``train_len``, the largest factor is "beyond".
    - ``stepwise_diff``, ``past_diff``: the LSTM run step by step against the whole sequence,
      and its output at t after the inputs after t changed (both 0 for a sequential model).

    Returns the notes in the order the verdict table lists the claims (the controls' numbers
    are in the table's own column). Numbers are formatted, never judged: the verdict is the
    registered rule's (``VerdictTable.judge``).
    """
    check_keys(delayed, ("LSTM", "vanilla RNN", "Transformer"), "delayed")
    check_keys(recall, ("Transformer", "LSTM"), "recall")
    check_keys(parity, ("LSTM", transformer), "parity")
    distances = sorted(delayed["LSTM"])
    if not distances:
        raise ValueError("delayed['LSTM'] is empty: expected {distance: accuracies}")
    near, far = distances[0], distances[-1]
    beyond = max(parity[transformer])  # the longest test length, as a factor of train_len
    parted = (
        f"the vanilla RNN at chance from D={parted_at}"
        if parted_at is not None
        else "the vanilla RNN never at chance in the sweep"
    )
    return {
        "r1.gates_long_term": (
            f"delayed recall at D={far}, LSTM ({delay_params['LSTM']:,} params, chrono-"
            f"initialised gates); {parted} (D={', '.join(map(str, distances))})"
        ),
        "r1.sequential": (
            f"LSTM step by step vs whole sequence {stepwise_diff:.0e}; output at t after "
            f"changing later inputs {past_diff:.0e}"
        ),
        "r1.formula": (
            f"delayed recall at D={far}, trained vanilla RNN "
            f"({delay_params['vanilla RNN']:,} params); at D={near}: "
            f"{_range(delayed['vanilla RNN'][near])}"
        ),
        "r1.remember_10_steps": (
            f"delayed recall at D={near} (the value {near + 1} steps before the query), LSTM "
            f"({delay_params['LSTM']:,} params); the vanilla RNN, no gates: "
            f"{_range(delayed['vanilla RNN'][near])}"
        ),
        "r1.looks_at_everything": (
            f"delayed recall at D={far}, trained and tested at that distance, Transformer "
            f"({delay_params['Transformer']:,} params)"
        ),
        "r1.decides_what_matters": (
            f"MQAR with {n_pairs} pairs: Transformer ({recall_params['Transformer']:,} params); "
            f"matched LSTM ({recall_params['LSTM']:,}) {_mean(recall['LSTM']):.2f}"
        ),
        "r1.attention_formula": (
            "by hand vs torch.nn.functional.scaled_dot_product_attention, float32"
        ),
        "r1.no_memory": (
            f"running parity at the training length {train_len}, {transformer} "
            f"({parity_params[transformer]:,} params); LSTM ({parity_params['LSTM']:,}): "
            f"{_mean(parity['LSTM'][1]):.2f}"
        ),
        "r1.long_sequences": (
            f"running parity beyond the training length {train_len} (at {beyond}x, new "
            f"positions only), {transformer} minus LSTM, paired by seed: "
            f"{_mean(parity[transformer][beyond]):.2f} vs {_mean(parity['LSTM'][beyond]):.2f} "
            f"({parity_params[transformer]:,} vs {parity_params['LSTM']:,} params)"
        ),
    }
