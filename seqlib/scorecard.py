"""The post-fight scorecard: every round's verdicts in one table, read from results files.

Each round ends with ``table.save()`` (see :mod:`seqlib.verdict`), which writes
``results/<round>.json`` from that round's own measurements. The scorecard reads those files
back, never typing a verdict by hand. Where a round has not been run on this machine yet (a
learner who opens round 5 first), it falls back to the **reference results shipped with
seqlib** (``seqlib/reference_results/``, written by the same ``table.save()`` when the course
was made) and labels those rows as such; a round with neither gets one row saying so::

    card = scorecard()   # measured here where possible, shipped reference otherwise
    card                 # an HTML table in Jupyter, aligned text in a terminal
    card.sources         # {"01_memory_power": "measured", "02_computation_speed": "reference", ...}
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from seqlib.verdict import VERDICTS, VerdictTable, load_results

ROUNDS = {
    "01_memory_power": "Round 1 — Memory power",
    "02_computation_speed": "Round 2 — Computation speed",
    "03_interpretability": "Round 3 — Interpretability",
    "04_business_context": "Round 4 — Business context",
    "05_future_proofing": "Round 5 — Future-proofing",
}
REFERENCE_DIR = Path(__file__).resolve().parent / "reference_results"

MEASURED, REFERENCE, MISSING = "measured", "reference", "missing"
SOURCE_LABELS = {
    MEASURED: "measured on this machine",
    REFERENCE: "reference (shipped), not measured on this machine",
    MISSING: "not run yet",
}


@dataclass(frozen=True)
class ScoreRow:
    """One claim of one round, or a placeholder row for a round with no results."""

    round: str
    title: str
    claim: str
    measured: str
    verdict: str | None  # None for a round that has not been run
    source: str  # MEASURED, REFERENCE or MISSING
    detail: str = ""  # where the numbers came from: profile, device, date

    @property
    def symbol(self) -> str:
        return VERDICTS[self.verdict] if self.verdict else "—"

    @property
    def source_label(self) -> str:
        label = SOURCE_LABELS[self.source]
        return f"{label} ({self.detail})" if self.detail else label


class Scorecard:
    """The rows of every round, in round order, with where each round's numbers came from."""

    def __init__(self, rows: list[ScoreRow], sources: dict[str, str]) -> None:
        self.rows = rows
        self.sources = sources

    def counts(self) -> dict[str, int]:
        """Verdicts over all rows with one: ``{"confirmed": 7, "nuanced": 3, "refuted": 2}``."""
        return {name: sum(row.verdict == name for row in self.rows) for name in VERDICTS}

    def rounds_with(self, source: str) -> list[str]:
        """The rounds whose rows come from ``source`` (``"measured"``, ``"reference"``, ...)."""
        return [name for name, s in self.sources.items() if s == source]

    def _cells(self, row: ScoreRow) -> list[str]:
        verdict = f"{row.symbol} {row.verdict}" if row.verdict else "—"
        return [row.title, row.claim, row.measured, verdict, row.source_label]

    HEADER = ("round", "claim", "measured", "verdict", "source")

    def __str__(self) -> str:
        lines = [self._cells(row) for row in self.rows]
        widths = [max(len(c[i]) for c in [list(self.HEADER), *lines]) for i in range(5)]

        def line(cells: list[str]) -> str:
            return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        rule = "-+-".join("-" * w for w in widths)
        return "\n".join(["Scorecard", line(list(self.HEADER)), rule, *map(line, lines)])

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {name}" for name, n in self.counts().items())
        return f"Scorecard({len(self.sources)} rounds, {len(self.rows)} rows; {counts})"

    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th style='text-align:left'>{h}</th>" for h in self.HEADER)
        body = "".join(
            "<tr>"
            + "".join(f"<td style='text-align:left'>{esc(c)}</td>" for c in self._cells(row))
            + "</tr>"
            for row in self.rows
        )
        caption = "<caption style='text-align:left'><b>Post-fight scorecard</b></caption>"
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _detail(table: VerdictTable) -> str:
    parts = [
        f"{table.meta[key]}" if key != "profile" else f"{table.meta[key]} profile"
        for key in ("profile", "device", "saved_at")
        if table.meta.get(key)
    ]
    return ", ".join(parts)


def scorecard(
    results: Mapping[str, VerdictTable] | None = None,
    *,
    directory: str | os.PathLike | None = None,
    reference: str | os.PathLike | None = None,
    rounds: Mapping[str, str] | None = None,
) -> Scorecard:
    """Build the scorecard of ``rounds`` (default: the five rounds of the course).

    ``results`` are the tables measured here (default: :func:`seqlib.verdict.load_results`
    of ``directory``, i.e. ``$SEQLIB_RESULTS`` or ``./results``); ``reference`` is the folder of
    shipped reference results (default: ``seqlib/reference_results``). For each round: its
    measured table if there is one, else its reference table, else one "not run yet" row.
    """
    rounds = dict(ROUNDS if rounds is None else rounds)
    measured = dict(load_results(directory) if results is None else results)
    for name, table in measured.items():
        if not isinstance(table, VerdictTable):
            raise TypeError(f"results[{name!r}] must be a VerdictTable, got {type(table).__name__}")
    shipped = load_results(REFERENCE_DIR if reference is None else reference)
    rows, sources = [], {}
    for name, title in rounds.items():
        if name in measured:
            table, source = measured[name], MEASURED
        elif name in shipped:
            table, source = shipped[name], REFERENCE
        else:
            sources[name] = MISSING
            rows.append(ScoreRow(name, title, "(no results yet)", "—", None, MISSING))
            continue
        sources[name] = source
        detail = _detail(table)
        rows.extend(
            ScoreRow(name, title, r.claim, r.measured, r.verdict, source, detail)
            for r in table.rows
        )
    return Scorecard(rows, sources)
