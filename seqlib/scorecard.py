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
    card.summary_table   # the fight card's summary table, rebuilt cell by cell from the verdicts
    card.save()          # results/scorecard.json

The fight card's **summary table** and **business table** are rebuilt cell by cell: each cell
keeps the fight card's words and gets the verdict of the claims behind it (named by id), combined
by :func:`seqlib.claims.combine`, and the **scope** of those claims' measurements (device,
threads, model size, data size, budget), so that a verdict never travels without it.
"Inconclusive", "checked" (facts checked by code) and "not measured here" are counted apart, and a
claim measured on a CPU never stands in for a GPU claim (that claim is "not measured here" on a
CPU).
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqlib.claims import CLAIMS, NOT_MEASURED, FromClaims, combine
from seqlib.verdict import VERDICTS, VerdictTable, load_results, results_dir

__all__ = [
    "BUSINESS_TABLE",
    "REFERENCE_DIR",
    "ROUNDS",
    "SOURCE_LABELS",
    "SUMMARY_TABLE",
    "ScoreRow",
    "Scorecard",
    "cell_scope",
    "claim_scope",
    "rebuild_table",
    "scorecard",
    "table_markdown",
]

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

# The fight card's two tables: (row, claim id of the row, {fighter: (the card's words,
# claims that support the cell, claims that oppose it)}). Each row's claim in seqlib.claims
# follows exactly the claims of its two cells (a test checks it).
Cells = dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]
SUMMARY_TABLE: list[tuple[str, str, Cells]] = [
    ("Memory", "sum.memory", {
        "LSTM": ("Sequential", ("r1.sequential",), ()),
        "Transformer": (
            "Self-Attention", ("r1.looks_at_everything", "r1.decides_what_matters"), ()
        ),
    }),
    ("Speed", "sum.speed", {
        "LSTM": ("Slow", ("r2.winner", "r2.demo_timestep3"), ()),
        "Transformer": ("Fast", ("r2.winner", "r2.demo_timestep3", "r2.gpu_friendly_faster"), ()),
    }),
    ("Interpretability", "sum.interpretability", {
        "LSTM": ("Hard", ("r3.black_box",), ()),
        "Transformer": (
            "Visualizable", ("r3.attention_shows_focus", "r3.see_influence", "r3.he_ceo"), ()
        ),
    }),
    ("Parallelization", "sum.parallelization", {
        "LSTM": ("No", ("r2.cant_parallelize", "r2.waits_each_step"), ()),
        "Transformer": ("Yes", ("r2.all_in_parallel",), ()),
    }),
    ("Best For", "sum.best_for", {
        "LSTM": ("Small, temporal data", ("biz.small_data", "r5.small_time_series"), ()),
        "Transformer": (
            "Large-scale language or multimodal tasks",
            ("biz.large_data", "r5.dominates_nlp", "r5.dominates_vision"),
            (),
        ),
    }),
]
BUSINESS_TABLE: list[tuple[str, str, Cells]] = [
    ("🧾 Small datasets", "biz.small_data", {
        "LSTM": ("✅ Great", ("biz.small_data",), ()),
        "Transformer": ("⚠️ Overkill", ("biz.small_data",), ()),
    }),
    ("🌐 Large datasets", "biz.large_data", {
        "LSTM": ("😩 Struggles", ("biz.large_data",), ()),
        "Transformer": ("✅ Excels", ("biz.large_data",), ()),
    }),
    ("💸 Cost", "biz.needs_budget", {
        "LSTM": ("💰 Cheap", ("biz.cost",), ()),
        "Transformer": ("💸💸 Requires GPUs", ("biz.requires_gpus",), ()),
    }),
    ("💬 Text length", "biz.text_length", {
        "LSTM": ("🚶 Short sequences", ("r1.long_sequences",), ("r1.gates_long_term",)),
        "Transformer": (
            "🚀 Long documents", ("r1.looks_at_everything", "r1.long_sequences"), ()
        ),
    }),
    ("🧠 Interpretability", "biz.interpretability", {
        "LSTM": ("🕳️ Limited", ("r3.black_box",), ()),
        "Transformer": (
            "🔦 Transparent", ("r3.attention_shows_focus", "r3.see_influence", "r3.he_ceo"), ()
        ),
    }),
    ("🛠️ Framework", "biz.framework", {
        "LSTM": ("nn.LSTM (PyTorch)", ("biz.framework",), ()),
        "Transformer": ("nn.Transformer (PyTorch)", ("biz.framework",), ()),
    }),
]  # fmt: skip


@dataclass(frozen=True)
class ScoreRow:
    """One claim of one round, or a placeholder row for a round with no results."""

    round: str
    title: str
    claim_id: str
    claim: str
    measured: str
    verdict: str | None  # None for a round that has not been run
    source: str  # MEASURED, REFERENCE or MISSING
    detail: str = ""  # where the numbers came from: profile, device, date
    scope: str = ""  # what the measurement covers (device, threads, sizes, budget)
    kind: str = ""  # seqlib.claims.KINDS

    @property
    def symbol(self) -> str:
        return VERDICTS[self.verdict] if self.verdict else "—"

    @property
    def source_label(self) -> str:
        label = SOURCE_LABELS[self.source]
        return f"{label} ({self.detail})" if self.detail else label


def claim_scope(claim_id: str, scopes: Mapping[str, str] | None = None) -> str:
    """The scope a claim's verdict holds for: its row's scope, else what its kind says."""
    scope = (scopes or {}).get(claim_id, "")
    if scope:
        return scope
    kind = CLAIMS[claim_id].kind if claim_id in CLAIMS else ""
    return {"cited": "cited, not measured", "checked": "checked by code"}.get(kind, "")


def cell_scope(ids: tuple[str, ...], scopes: Mapping[str, str] | None = None) -> str:
    """The scopes of the claims behind a cell, each once, joined by ``"; "``."""
    parts = [claim_scope(i, scopes) for i in ids]
    return "; ".join(dict.fromkeys(p for p in parts if p))


def rebuild_table(
    spec: list[tuple[str, str, Cells]],
    verdicts: Mapping[str, str],
    scopes: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One of the fight card's tables, cell by cell, from ``verdicts`` (claim id -> verdict).

    Each row: ``{"row", "claim_id", "verdict", "cells": {fighter: {"fight_card", "verdict",
    "symbol", "scope", "supports", "opposes", "evidence"}}}``; ``evidence`` lists the verdict of
    every claim behind the cell, ``scope`` what their measurements cover (from ``scopes``, claim
    id -> scope phrase). A claim missing from ``verdicts`` counts as not measured here.
    """
    table = []
    for row, claim_id, cells in spec:
        out: dict[str, Any] = {}
        for fighter, (words, supports, opposes) in cells.items():
            verdict = combine(
                [verdicts.get(i, NOT_MEASURED) for i in supports],
                [verdicts.get(i, NOT_MEASURED) for i in opposes],
            )
            out[fighter] = {
                "fight_card": words,
                "verdict": verdict,
                "symbol": VERDICTS[verdict],
                "scope": cell_scope((*supports, *opposes), scopes),
                "supports": list(supports),
                "opposes": list(opposes),
                "evidence": {i: verdicts.get(i, NOT_MEASURED) for i in (*supports, *opposes)},
            }
        if claim_id in verdicts:
            verdict = verdicts[claim_id]
        elif isinstance(CLAIMS[claim_id].rule, FromClaims):
            verdict = CLAIMS[claim_id].derive(verdicts)
        else:
            verdict = NOT_MEASURED
        table.append({"row": row, "claim_id": claim_id, "verdict": verdict, "cells": out})
    return table


def table_markdown(table: list[dict[str, Any]]) -> str:
    """A rebuilt table as Markdown: the fight card's words, each with its verdict, the scope it
    holds for and the claim ids behind it."""

    def cell(c: dict[str, Any]) -> str:
        ids = ", ".join([*c["supports"], *(f"not {i}" for i in c["opposes"])])
        scope = f", {c['scope']}" if c["scope"] else ""
        return f"{c['fight_card']}: {c['symbol']} {c['verdict']}{scope} ({ids})"

    lines = ["| | LSTM | Transformer |", "|---|---|---|"]
    lines += [
        f"| {r['row']} | {cell(r['cells']['LSTM'])} | {cell(r['cells']['Transformer'])} |"
        for r in table
    ]
    return "\n".join(lines)


class Scorecard:
    """The rows of every round, in round order, with where each round's numbers came from."""

    def __init__(self, rows: list[ScoreRow], sources: dict[str, str]) -> None:
        self.rows = rows
        self.sources = sources

    def verdicts(self) -> dict[str, str]:
        """``{claim_id: verdict}`` over every round's rows."""
        return {row.claim_id: row.verdict for row in self.rows if row.verdict}

    def scopes(self) -> dict[str, str]:
        """``{claim_id: scope}`` over every round's rows that have one."""
        return {row.claim_id: row.scope for row in self.rows if row.scope}

    def verdicts_except(self, round_number: int) -> dict[str, str]:
        """``{claim_id: verdict}`` of the registry's claims of every round but ``round_number``.

        What a round that derives its summary from the others reads *before* saving its own
        table (round 5: ``scorecard().verdicts_except(5)``), so that an earlier run of that same
        round cannot leak into its derived verdicts.
        """
        if isinstance(round_number, bool) or not isinstance(round_number, int):
            raise TypeError(f"round_number must be an int, got {type(round_number).__name__}")
        return {
            claim_id: verdict
            for claim_id, verdict in self.verdicts().items()
            if claim_id in CLAIMS and CLAIMS[claim_id].round != round_number
        }

    def counts(self) -> dict[str, int]:
        """How many registry claims got each verdict; "inconclusive", "checked" and "not
        measured here" are counts of their own, and ``"not run"`` counts the claims of rounds
        with no results at all."""
        counts = {name: sum(row.verdict == name for row in self.rows) for name in VERDICTS}
        judged = {row.claim_id for row in self.rows if row.verdict}
        counts["not run"] = sum(
            claim.round == int(name[:2])
            for claim in CLAIMS.values()
            for name, source in self.sources.items()
            if source == MISSING and name[:2].isdigit() and claim.id not in judged
        )
        return counts

    def rounds_with(self, source: str) -> list[str]:
        """The rounds whose rows come from ``source`` (``"measured"``, ``"reference"``, ...)."""
        return [name for name, s in self.sources.items() if s == source]

    @property
    def summary_table(self) -> list[dict[str, Any]]:
        """The fight card's summary table rebuilt from the verdicts (see :func:`rebuild_table`)."""
        return rebuild_table(SUMMARY_TABLE, self.verdicts(), self.scopes())

    @property
    def business_table(self) -> list[dict[str, Any]]:
        """The fight card's business table rebuilt from the verdicts."""
        return rebuild_table(BUSINESS_TABLE, self.verdicts(), self.scopes())

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "counts": self.counts(),
            "summary_table": self.summary_table,
            "business_table": self.business_table,
            "rows": [
                {
                    "round": r.round,
                    "claim_id": r.claim_id,
                    "claim": r.claim,
                    "measured": r.measured,
                    "verdict": r.verdict,
                    "kind": r.kind,
                    "scope": r.scope,
                    "source": r.source_label,
                }
                for r in self.rows
            ],
        }

    def save(self, directory: str | os.PathLike | None = None) -> Path:
        """Write ``scorecard.json`` (both rebuilt tables and every row) and return its path."""
        target = results_dir(directory) / "scorecard.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
        target.write_text(text + "\n", encoding="utf-8")
        return target.resolve()

    def _cells(self, row: ScoreRow) -> list[str]:
        verdict = f"{row.symbol} {row.verdict}" if row.verdict else "—"
        claim = f"[{row.claim_id}] {row.claim}" if row.claim_id else row.claim
        return [row.title, claim, row.measured, row.scope or "—", verdict, row.source_label]

    HEADER = ("round", "claim", "measured", "scope", "verdict", "source")

    def __str__(self) -> str:
        lines = [self._cells(row) for row in self.rows]
        n = len(self.HEADER)
        widths = [max(len(c[i]) for c in [list(self.HEADER), *lines]) for i in range(n)]

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
            rows.append(ScoreRow(name, title, "", "(no results yet)", "—", None, MISSING))
            continue
        sources[name] = source
        detail = _detail(table)
        rows.extend(
            ScoreRow(
                name, title, r.claim_id, r.claim, r.measured, r.verdict, source, detail,
                scope=r.scope,
                kind=r.kind or (CLAIMS[r.claim_id].kind if r.claim_id in CLAIMS else ""),
            )  # fmt: skip
            for r in table.rows
        )
    return Scorecard(rows, sources)
