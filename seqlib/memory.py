"""Round 1's report: the sentences beside each verdict, and the experiment's prediction check.

Round 1 (memory power) trains three fights, delayed recall, associative recall and running
parity, and checks two formulas against torch. Its verdict table needs, beside every claim, a
short note on what was measured: the setting, the parameter counts, the other fighters' numbers.
:func:`verdict_notes` writes those notes from the measurements, so the notebook's verdict cell
reads claim, measurement, decision; the decisions themselves stay with the rules registered in
``seqlib.claims`` (``VerdictTable.judge``), never here.

Example::

    notes = seqlib.memory.verdict_notes(delayed=delayed, delay_params=PARAMS_DELAY, ...)
    table.judge("r1.formula", seqlib.Measurement(delayed["vanilla RNN"][200]), notes["r1.formula"])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from seqlib._validate import check_keys

__all__ = [
    "verdict_notes",
]


Accuracies = Sequence[float]  # one test accuracy per seed


def _mean(values: Accuracies) -> float:
    if not values:
        raise ValueError("no accuracies to average: expected one per seed")
    return sum(values) / len(values)


def verdict_notes(
    *,
    delayed: Mapping[str, Mapping[int, Accuracies]],
    delay_params: Mapping[str, int],
    forget_bias: float,
    max_steps: int,
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
    - ``forget_bias``: the LSTM's forget-gate bias at initialisation; ``max_steps``: the step
      budget of delayed recall.
    - ``recall``: "Transformer" and "LSTM" -> accuracies on associative recall with ``n_pairs``.
    - ``parity``: fighter ("LSTM", ``transformer``) -> {length factor: accuracies}; factor 1 is
      the training length ``train_len``, the largest factor is "beyond".
    - ``stepwise_diff``, ``past_diff``: the LSTM run step by step against the whole sequence,
      and its output at t after the inputs after t changed (both 0 for a sequential model).

    Returns the notes in the order the verdict table lists the claims. Numbers are formatted,
    never judged: the verdict is the registered rule's (``VerdictTable.judge``).
    """
    check_keys(delayed, ("LSTM", "vanilla RNN", "Transformer"), "delayed")
    check_keys(recall, ("Transformer", "LSTM"), "recall")
    check_keys(parity, ("LSTM", transformer), "parity")
    distances = sorted(delayed["LSTM"])
    if not distances:
        raise ValueError("delayed['LSTM'] is empty: expected {distance: accuracies}")
    near, far = distances[0], distances[-1]
    beyond = max(parity[transformer])  # the longest test length, as a factor of train_len
    return {
        "r1.gates_long_term": (
            f"delayed recall at D={far}, LSTM ({delay_params['LSTM']:,} params, forget bias "
            f"{forget_bias:g}); vanilla RNN {_mean(delayed['vanilla RNN'][far]):.2f}, "
            f"Transformer {_mean(delayed['Transformer'][far]):.2f}; at most {max_steps} steps"
        ),
        "r1.sequential": (
            f"LSTM step by step vs whole sequence {stepwise_diff:.0e}; output at t after "
            f"changing later inputs {past_diff:.0e}"
        ),
        "r1.formula": (
            f"delayed recall at D={far}, trained vanilla RNN "
            f"({delay_params['vanilla RNN']:,} params)"
        ),
        "r1.remember_10_steps": (
            f"delayed recall at D={near} (the value {near + 1} steps before the query), LSTM "
            f"({delay_params['LSTM']:,} params)"
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
            f"({parity_params[transformer]:,} params); beyond ({beyond}x): "
            f"{_mean(parity[transformer][beyond]):.2f}; LSTM ({parity_params['LSTM']:,}): "
            f"{_mean(parity['LSTM'][1]):.2f} in distribution, "
            f"{_mean(parity['LSTM'][beyond]):.2f} at {beyond}x"
        ),
    }
