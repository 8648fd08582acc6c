"""What every exercise checker shares: call the learner's function safely, type-check what it
returns, compare with the reference, and print one ✅ / ❌ / ⏳ line.

A checker's body raises :class:`Failed` at the first problem; :func:`report` prints its message.
Nothing a learner's function returns or raises escapes a checker: :func:`call_learner` turns an
exception into a :class:`Failed`, and the ``as_*`` helpers type-check a result before anything
compares it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

__all__ = [
    "ATOL",
    "MATMUL_HINTS",
    "RTOL",
    "Failed",
    "as_int",
    "as_number",
    "as_tensor",
    "call_learner",
    "close",
    "first_match",
    "report",
    "require_callable",
]

ATOL, RTOL = 1e-5, 1e-4  # float32 round-off, with room for a different order of operations

NOT_DONE = (
    "Not done yet: your function raises NotImplementedError. Replace the `raise "
    "NotImplementedError` line with your code, then run this check again."
)

MATMUL_HINTS = {
    "cannot be multiplied": "the weights are stored (out_features, in_features), like "
    "nn.Linear: multiply `x @ weight.T`, not `x @ weight`.",
    "size of tensor a": "two tensors with different sizes met in an elementwise operation; "
    "print the shapes of your intermediate results.",
}


class Failed(Exception):
    """Raised inside a checker to stop at the first problem; the message is what we print."""

    def __init__(self, message: str, *, not_done: bool = False) -> None:
        super().__init__(message)
        self.not_done = not_done


def require_callable(fn: object, checker: str) -> None:
    """``TypeError`` unless ``fn`` is a function: the one mistake a checker raises for."""
    if not callable(fn):
        raise TypeError(
            f"{checker} expects your function itself (e.g. {checker}(my_function), without "
            f"parentheses after my_function), got {type(fn).__name__}"
        )


def call_learner(
    fn: Callable[..., Any],
    *args: Any,
    exception_hints: dict[str, str] | None = None,
    none_is_an_answer: bool = False,
) -> Any:
    """Call the learner's ``fn``; turn an exception (or a ``None`` result) into :class:`Failed`."""
    try:
        result = fn(*args)
    except NotImplementedError as error:
        raise Failed(NOT_DONE, not_done=True) from error
    except Exception as error:  # a learner's bug, reported rather than raised
        message = f"Your function raised {type(error).__name__}: {error}"
        for fragment, hint in (exception_hints or {}).items():
            if fragment in str(error):
                message += f"\n   HINT: {hint}"
                break
        raise Failed(message) from error
    if result is None and not none_is_an_answer:
        raise Failed(
            "Your function returned None.\n   HINT: is its body still `...`, or is the "
            "`return` line missing?"
        )
    return result


def report(checker: str, run: Callable[[], str]) -> bool:
    """Run one checker's body, print ✅ / ❌ / ⏳ and its message, and return whether it passed."""
    try:
        success = run()
    except Failed as failure:
        print(f"{'⏳' if failure.not_done else '❌'} {checker}: {failure}")
        return False
    except Exception as error:  # a checker bug: still report, never crash the learner's cell
        print(
            f"❌ {checker}: the checker could not compare your answer ({type(error).__name__}: "
            f"{error}). Check what your function returns against the docstring: "
            f"help({checker})."
        )
        return False
    print(f"✅ {checker}: {success}")
    return True


def close(a: Tensor, b: Tensor) -> bool:
    """Same shape and equal to float32 round-off."""
    return a.shape == b.shape and torch.allclose(a, b, atol=ATOL, rtol=RTOL)


def as_tensor(value: object, what: str, *, dtype: torch.dtype = torch.float32) -> Tensor:
    """``value`` if it is a tensor of ``dtype`` (the inputs' dtype), detached; else :class:`Failed`.

    A result in another dtype is named as such: float16 rounds to about 3 digits, so its
    values would otherwise be told they are wrong.
    """
    if not isinstance(value, Tensor):
        raise Failed(f"{what} should be a torch.Tensor, got {type(value).__name__}.")
    if not value.is_floating_point():
        raise Failed(f"{what} should be a floating-point tensor, got dtype {value.dtype}.")
    if value.dtype != dtype:
        raise Failed(
            f"{what} has dtype {value.dtype}; the inputs are {dtype}, and so should the result "
            f"be.\n   HINT: do not convert (no .half(), .float() or .double()): compute in the "
            "inputs' dtype."
        )
    return value.detach()


def as_number(value: object, what: str) -> float:
    """A real number (Python, numpy or a one-element tensor) as a float; else :class:`Failed`."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise Failed(f"{what} should be a number, got a tensor of shape {tuple(value.shape)}.")
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Failed(f"{what} should be a number, got {type(value).__name__} ({value!r}).")
    if not math.isfinite(value):
        raise Failed(f"{what} should be a finite number, got {value}.")
    return float(value)


def as_int(value: object, what: str) -> int:
    """An integer (Python, numpy, or a one-element integer tensor) as an int; else :class:`Failed`.

    Floats and strings are refused, not rounded: ``1.25`` or ``"03"`` is not an index.
    """
    if isinstance(value, Tensor):
        if value.numel() != 1 or value.is_floating_point() or value.dtype == torch.bool:
            raise Failed(
                f"{what} should be an int, got a {value.dtype} tensor of shape "
                f"{tuple(value.shape)}."
            )
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise Failed(f"{what} should be an int, got {type(value).__name__} ({value!r}).")
    return int(value)


def first_match(result: Tensor, variants: list[tuple[str, Tensor]]) -> str | None:
    """The hint of the first wrong variant that ``result`` equals, or None."""
    for hint, expected in variants:
        if close(result, expected):
            return hint
    return None
