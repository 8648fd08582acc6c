"""Input checks shared by seqlib's public functions.

Every public function in seqlib checks what it is given and fails with a message that names
what was expected and what was given, instead of broadcasting silently. These helpers keep
those messages uniform.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    """Check that ``value`` is an int (not a bool) greater than 0 (or >= 0 with ``allow_zero``)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r})")
    low = 0 if allow_zero else 1
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return value


def check_positions(inputs: torch.Tensor, positions: object) -> torch.Tensor:
    """``positions`` as a long tensor (B,): one position in [0, T) per row of ``inputs`` (B, T)."""
    if inputs.dim() != 2:
        raise ValueError(f"inputs must be token ids (B, T), got shape {tuple(inputs.shape)}")
    positions = torch.as_tensor(positions, dtype=torch.long)
    if positions.shape != (inputs.shape[0],):
        raise ValueError(
            f"positions must have shape ({inputs.shape[0]},) (one per row of inputs), "
            f"got {tuple(positions.shape)}"
        )
    if positions.numel() and (positions.min() < 0 or positions.max() >= inputs.shape[1]):
        raise ValueError(f"positions must lie in [0, {inputs.shape[1]}), got {positions.tolist()}")
    return positions


def check_choice(value: object, name: str, choices: Sequence[str]) -> str:
    """Check that ``value`` is one of ``choices`` (strings)."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value  # type: ignore[return-value]
