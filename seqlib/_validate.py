"""Input checks shared by seqlib's public functions.

Every public function in seqlib checks what it is given and fails with a message that names
what was expected and what was given, instead of broadcasting silently. These helpers keep
those messages uniform.
"""

from __future__ import annotations

import math
import numbers
import reprlib
from collections.abc import Mapping, Sequence

import numpy as np
import torch


def check_tensor(
    x: object,
    name: str,
    *,
    ndim: int | Sequence[int] | None = None,
    floating: bool = True,
) -> torch.Tensor:
    """Check that ``x`` is a tensor of the given rank (or ranks) and, by default, floating point.

    Raises ``TypeError`` for a non-tensor or a wrong dtype, ``ValueError`` for a wrong rank.
    Returns ``x`` so the call can be used inline.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if floating and not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if x.dim() not in allowed:
            want = " or ".join(f"{n}-D" for n in allowed)
            raise ValueError(f"{name} must be {want}, got {x.dim()}-D with shape {tuple(x.shape)}")
    return x


def check_dim(x: torch.Tensor, name: str, dim: int, expected: int, what: str) -> None:
    """Check that ``x.shape[dim] == expected``; ``what`` names the size (e.g. ``"input_size"``)."""
    if x.shape[dim] != expected:
        raise ValueError(
            f"{name} has {what} {x.shape[dim]} in dimension {dim} (shape {tuple(x.shape)}), "
            f"expected {what} {expected}"
        )


def check_positive_int(value: object, name: str, *, allow_zero: bool = False) -> int:
    """Check that ``value`` is an integer (Python's or numpy's, not a bool) greater than 0 (or
    >= 0 with ``allow_zero``); returns it as a Python ``int``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r})")
    low = 0 if allow_zero else 1
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def check_seed(seed: object, name: str = "seed") -> int:
    """A seed: an integer >= 0 (Python's or numpy's), as a Python ``int``."""
    return check_positive_int(seed, name, allow_zero=True)


def check_integer_tensor(
    value: object,
    name: str,
    *,
    shape: tuple[int, ...] | None = None,
    low: int | None = None,
    high: int | None = None,
) -> torch.Tensor:
    """``value`` (an integer tensor or array, a list of ints, an int) as a long tensor.

    Floats, bools and strings are a ``TypeError`` (a float is never truncated to an index);
    a wrong ``shape`` or a value outside ``[low, high)`` is a ``ValueError``.
    """
    if not isinstance(value, torch.Tensor):
        try:
            array = np.asarray(value)
        except ValueError as error:  # a ragged list
            raise ValueError(f"{name} must be a rectangular list of integers: {error}") from None
        if array.size == 0:
            array = array.astype(np.int64)  # [] is float64 to numpy
        if array.dtype.kind not in "iu":
            kind = {"f": "float", "b": "bool", "U": "str"}.get(array.dtype.kind, str(array.dtype))
            raise TypeError(
                f"{name} must be integers (ints or an integer tensor), got {kind} values "
                f"{reprlib.repr(value)}"
            )
        value = torch.from_numpy(array.astype(np.int64))
    if value.is_floating_point() or value.is_complex() or value.dtype == torch.bool:
        raise TypeError(f"{name} must be integers (an integer tensor), got dtype {value.dtype}")
    value = value.long()
    if shape is not None and value.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {tuple(value.shape)}")
    if value.numel() and (low is not None or high is not None):
        smallest, largest = (int(v) for v in value.aminmax())
        if (low is not None and smallest < low) or (high is not None and largest >= high):
            if high is None:
                allowed = f">= {low}"
            else:
                allowed = f"< {high}" if low is None else f"in [{low}, {high})"
            raise ValueError(f"{name} must be {allowed}, got values from {smallest} to {largest}")
    return value


def check_positions(
    inputs: torch.Tensor, positions: object, name: str = "positions"
) -> torch.Tensor:
    """``positions`` as a long tensor (B,): one position in [0, T) per row of ``inputs`` (B, T)."""
    check_tensor(inputs, "inputs", floating=False)
    if inputs.dim() != 2:
        raise ValueError(f"inputs must be token ids (B, T), got shape {tuple(inputs.shape)}")
    positions = check_integer_tensor(positions, name)
    if positions.shape != (inputs.shape[0],):
        raise ValueError(
            f"{name} must have shape ({inputs.shape[0]},) (one per row of inputs), "
            f"got {tuple(positions.shape)}"
        )
    if positions.numel() and (positions.min() < 0 or positions.max() >= inputs.shape[1]):
        raise ValueError(f"{name} must lie in [0, {inputs.shape[1]}), got {positions.tolist()}")
    return positions


def check_choice(value: object, name: str, choices: Sequence[str]) -> str:
    """Check that ``value`` is one of ``choices`` (strings)."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value  # type: ignore[return-value]


def check_bool(value: object, name: str) -> bool:
    """Check that ``value`` is a real bool (numpy's included): ``"False"`` or ``1`` is not."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} ({value!r})")
    return bool(value)


def check_finite(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Check that ``value`` is a finite real number (Python or numpy, not a bool) within bounds.

    ``low`` and ``high`` are included unless ``low_inclusive`` / ``high_inclusive`` say not.
    Raises ``TypeError`` for a non-number, ``ValueError`` for NaN, infinity or out of bounds.
    Returns ``value`` as a ``float``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} ({value!r})")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value}")
    too_low = low is not None and (number < low if low_inclusive else number <= low)
    too_high = high is not None and (number > high if high_inclusive else number >= high)
    if too_low or too_high:
        if low is not None and high is not None:
            left, right = "[" if low_inclusive else "(", "]" if high_inclusive else ")"
            allowed = f"in {left}{low}, {high}{right}"
        elif low is not None:
            allowed = f"{'>=' if low_inclusive else '>'} {low}"
        else:
            allowed = f"{'<=' if high_inclusive else '<'} {high}"
        raise ValueError(f"{name} must be {allowed}, got {value}")
    return number


def check_same_dtype(
    x: torch.Tensor,
    name: str,
    expected_dtype: torch.dtype | None,
    what: str = "the module's parameters",
) -> torch.Tensor:
    """Check that ``x`` has the dtype of the module it goes into (``what`` names its weights).

    A float64 input (what ``torch.from_numpy`` gives) into a float32 module is the usual case.
    ``expected_dtype=None`` (weights without one dtype, see :func:`dtype_of`) checks nothing.
    """
    if expected_dtype is not None and x.dtype != expected_dtype:
        raise TypeError(
            f"{name} has dtype {x.dtype} but {what} are {expected_dtype}; convert the input "
            f"with .to({expected_dtype}) or the module with .to({x.dtype})"
        )
    return x


def dtype_of(weight: object) -> torch.dtype | None:
    """A module weight's dtype, or None when it is not a tensor: ``quantize_dynamic`` turns a
    Linear's ``weight`` into a method that unpacks int8 values."""
    return weight.dtype if isinstance(weight, torch.Tensor) else None


def check_sequence_length(x: torch.Tensor, name: str, dim: int) -> torch.Tensor:
    """Check that ``x`` has at least one time step in dimension ``dim``."""
    if x.shape[dim] == 0:
        raise ValueError(
            f"{name} has sequence length 0 in dimension {dim} (shape {tuple(x.shape)}): "
            "the sequence length must be >= 1"
        )
    return x


def check_device(device: object, name: str) -> torch.device:
    """``device`` (a str or ``torch.device``) as a ``torch.device``; not checked to be present."""
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"{name} must be a str or torch.device, got {type(device).__name__}")
    try:
        return torch.device(device)
    except RuntimeError as error:
        raise ValueError(f"{name} {device!r} is not a device name torch knows") from error


def check_keys(mapping: object, keys: Sequence[object], name: str) -> None:
    """Check that ``mapping`` is a mapping with an entry for each of ``keys``."""
    if not isinstance(mapping, Mapping):
        raise TypeError(f"{name} must be a mapping, got {type(mapping).__name__}")
    missing = [key for key in keys if key not in mapping]
    if missing:
        raise ValueError(f"{name} has no entry for {missing}; it has {list(mapping)}")
