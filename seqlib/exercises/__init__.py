"""Exercise checkers: run your function on seeded random data and compare with the reference.

Each checker prints one message and returns ``True`` or ``False``:

- ✅ what was checked and passed;
- ❌ what went wrong, with a HINT: the checker also runs the usual wrong versions of the
  exercise, and if yours matches one of them it says which mistake that is;
- ⏳ if your function still raises ``NotImplementedError`` (the exercise is not done yet).

A checker never raises because of your answer: an exception inside your function is reported,
not propagated, and what your function returns is type-checked before it is compared. It does
raise ``TypeError`` if what you pass is not a function.

One module per round (``round1`` ... ``round5``); :mod:`seqlib.exercises.harness` holds what
they share. Example::

    def lstm_step(x, h, c, weight_ih, weight_hh, bias_ih, bias_hh):
        ...  # your code

    seqlib.exercises.check_lstm_step(lstm_step)
"""

from __future__ import annotations

from seqlib.exercises.round1 import check_attention_weights, check_lstm_step, check_memory_sizes
from seqlib.exercises.round2 import (
    check_parameter_counts,
    check_sequential_steps,
    check_timing_function,
)
from seqlib.exercises.round3 import check_find_head, check_integrated_gradients, check_rollout
from seqlib.exercises.round4 import check_cost_per_million, check_crossover
from seqlib.exercises.round5 import check_linear_scan, check_seasonal_naive

__all__ = [
    "check_attention_weights",
    "check_cost_per_million",
    "check_crossover",
    "check_find_head",
    "check_integrated_gradients",
    "check_linear_scan",
    "check_lstm_step",
    "check_memory_sizes",
    "check_parameter_counts",
    "check_rollout",
    "check_seasonal_naive",
    "check_sequential_steps",
    "check_timing_function",
]
