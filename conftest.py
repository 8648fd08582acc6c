"""Session-wide test settings, for the unit tests and the notebooks nbval runs alike."""

from __future__ import annotations

import os
import tempfile


def pytest_configure(config: object) -> None:
    """Notebooks save their verdict tables (results/*.json) for round 5's scorecard. Under test
    they go to one temporary folder for the whole session, so the rounds still find each
    other's results but nothing is left in the working tree. nbval's kernels inherit this."""
    if not os.environ.get("SEQLIB_RESULTS"):
        os.environ["SEQLIB_RESULTS"] = tempfile.mkdtemp(prefix="seqlib-results-")
