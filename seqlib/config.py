"""The quick / full profile: one switch, read in one place.

Every notebook runs in **quick** mode (small models, short sequences: about a minute on a
2-core CPU, the reference run the tests and the committed outputs use) or in **full** mode
(larger models, longer sequences, more steps: up to about ten minutes a round). Quick is the
default on every machine, with or without a GPU; full is opt-in.

How the profile is chosen, first match wins:

1. the argument to :func:`load` — a notebook's papermill-style ``parameters`` cell sets
   ``PROFILE = "full"`` and passes it in;
2. the environment variable ``SEQLIB_PROFILE`` (``quick`` or ``full``);
3. ``quick``.

A notebook then asks the profile for its sizes, naming both values where it uses them::

    cfg = seqlib.config.load(PROFILE)
    steps = cfg.pick(quick=300, full=3000)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "DEFAULT_SOURCE",
    "ENV_VAR",
    "PROFILES",
    "Profile",
    "load",
]

ENV_VAR = "SEQLIB_PROFILE"
PROFILES = ("quick", "full")
DEFAULT_SOURCE = f'the default; set PROFILE = "full" or {ENV_VAR}=full for the full run'

T = TypeVar("T")


@dataclass(frozen=True)
class Profile:
    """The chosen profile. ``name`` is ``"quick"`` or ``"full"``; ``source`` says who chose it."""

    name: str
    source: str

    @property
    def quick(self) -> bool:
        return self.name == "quick"

    @property
    def full(self) -> bool:
        return self.name == "full"

    @property
    def progress(self) -> bool:
        """Show progress bars: in full mode (long runs), not in quick mode (clean outputs)."""
        return self.full

    def pick(self, *, quick: T, full: T) -> T:
        """Return ``quick`` in quick mode and ``full`` in full mode."""
        return quick if self.quick else full

    def __str__(self) -> str:
        return f"{self.name} (chosen by {self.source})"


def load(profile: str | None = None) -> Profile:
    """Resolve the profile: explicit argument, then ``$SEQLIB_PROFILE``, then ``"quick"``.

    A GPU does not change the default: full is opt-in, by the argument or the variable (a GPU
    run of the full profile then trains where it is faster: :func:`seqlib.training_device`).
    Raises ``ValueError`` for a name other than ``"quick"`` or ``"full"``.
    """
    if profile is not None:
        name, source = profile, "the notebook's parameters cell"
    elif os.environ.get(ENV_VAR):
        name, source = os.environ[ENV_VAR], f"${ENV_VAR}"
    else:
        name, source = "quick", DEFAULT_SOURCE
    name = str(name).strip().lower()
    if name not in PROFILES:
        raise ValueError(
            f"profile must be one of {list(PROFILES)}, got {profile or os.environ.get(ENV_VAR)!r}"
        )
    return Profile(name=name, source=source)
