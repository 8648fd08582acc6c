"""The verdict table every round ends with: claim, what was measured, verdict.

A notebook adds one row per claim from its own numbers, never typed by hand::

    table = VerdictTable("02_computation_speed")
    ratio = t_lstm.median / t_transformer.median
    table.add(
        "The Transformer is faster than the LSTM",
        f"Transformer/LSTM time at T=1000: {1 / ratio:.2f}x ({describe(device)})",
        "confirmed" if ratio > 1 else "refuted",
        value=ratio,
    )
    table            # an HTML table in Jupyter, aligned text in a terminal
    table.save()     # results/02_computation_speed.json, for the final scorecard

The verdicts are ``"confirmed"`` (✅), ``"nuanced"`` (⚠️) and ``"refuted"`` (❌).
:func:`load_results` reads every saved table back for round 5's scorecard.
"""

from __future__ import annotations

import html
import json
import math
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

VERDICTS = {"confirmed": "✅", "nuanced": "⚠️", "refuted": "❌"}
RESULTS_ENV_VAR = "SEQLIB_RESULTS"
DEFAULT_RESULTS_DIR = "results"


@dataclass(frozen=True)
class Row:
    """One claim: what the fight card says, what the notebook measured, and the verdict."""

    claim: str
    measured: str
    verdict: str
    value: float | None = None
    note: str = ""

    @property
    def symbol(self) -> str:
        """✅, ⚠️ or ❌."""
        return VERDICTS[self.verdict]


def _check_str(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__} ({value!r})")
    return value


def _check_verdict(verdict: object) -> str:
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {list(VERDICTS)}, got {verdict!r}")
    return verdict  # type: ignore[return-value]


def _check_value(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"value must be a number or None, got {type(value).__name__} ({value!r})")
    return float(value)


def results_dir(directory: str | os.PathLike | None = None) -> Path:
    """Where results are saved: ``directory``, else ``$SEQLIB_RESULTS``, else ``./results``."""
    if directory is None:
        directory = os.environ.get(RESULTS_ENV_VAR) or DEFAULT_RESULTS_DIR
    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"directory must be a str or path, got {type(directory).__name__}")
    return Path(directory)


class VerdictTable:
    """The claims of one round with their measurements and verdicts.

    ``round_name`` names the round (and the results file), e.g. ``"01_memory_power"``.
    """

    def __init__(self, round_name: str) -> None:
        _check_str(round_name, "round_name")
        if not round_name.strip():
            raise ValueError("round_name must not be empty")
        self.round_name = round_name
        self.rows: list[Row] = []
        self.meta: dict[str, Any] = {}

    def add(
        self,
        claim: str,
        measured: str,
        verdict: str,
        *,
        value: float | None = None,
        note: str = "",
    ) -> Row:
        """Add a row and return it.

        ``measured`` is a sentence the notebook formats from its own numbers; ``verdict`` is
        ``"confirmed"``, ``"nuanced"`` or ``"refuted"``; ``value`` an optional key number kept
        in the JSON (e.g. a ratio or an accuracy); ``note`` an optional remark.
        """
        row = Row(
            claim=_check_str(claim, "claim"),
            measured=_check_str(measured, "measured"),
            verdict=_check_verdict(verdict),
            value=_check_value(value),
            note=_check_str(note, "note"),
        )
        self.rows.append(row)
        return row

    def counts(self) -> dict[str, int]:
        """How many rows have each verdict: ``{"confirmed": 1, "nuanced": 2, "refuted": 0}``."""
        return {name: sum(row.verdict == name for row in self.rows) for name in VERDICTS}

    # -- rendering ------------------------------------------------------------------------------

    def _cells(self, row: Row) -> list[str]:
        verdict = f"{row.symbol} {row.verdict}"
        measured = f"{row.measured} ({row.note})" if row.note else row.measured
        return [row.claim, measured, verdict]

    def __str__(self) -> str:
        header = ["claim", "measured", "verdict"]
        lines = [self._cells(row) for row in self.rows]
        widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(3)]

        def line(cells: list[str]) -> str:
            return " | ".join(
                cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
            ).rstrip()

        rule = "-+-".join("-" * width for width in widths)
        body = [line(cells) for cells in lines] or ["(no claims yet)"]
        return "\n".join([f"Verdict: {self.round_name}", line(header), rule, *body])

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {name}" for name, n in self.counts().items())
        return f"VerdictTable({self.round_name!r}: {len(self.rows)} claims; {counts})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's plain-text display (a terminal console): the aligned table."""
        printer.text(repr(self) if cycle else str(self))

    def _repr_html_(self) -> str:
        """Jupyter's display: an HTML table, every cell escaped."""
        esc = html.escape
        head = "".join(
            f"<th style='text-align:left'>{h}</th>" for h in ("claim", "measured", "verdict")
        )
        rows = "".join(
            "<tr>"
            + "".join(f"<td style='text-align:left'>{esc(c)}</td>" for c in self._cells(row))
            + "</tr>"
            for row in self.rows
        )
        caption = (
            f"<caption style='text-align:left'><b>Verdict: {esc(self.round_name)}</b></caption>"
        )
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"

    # -- saving and loading ---------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """``{"round": ..., "rows": [...], **meta}``: plain types, ready for JSON."""
        rows = [asdict(row) for row in self.rows]
        return {"round": self.round_name, "rows": rows, **self.meta}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VerdictTable:
        """Rebuild a table from :meth:`to_dict`'s output."""
        if not isinstance(data, dict) or "round" not in data or "rows" not in data:
            raise ValueError("expected a dict with keys 'round' and 'rows' (VerdictTable.to_dict)")
        table = cls(data["round"])
        for row in data["rows"]:
            table.add(
                row["claim"],
                row["measured"],
                row["verdict"],
                value=row.get("value"),
                note=row.get("note", ""),
            )
        table.meta = {k: v for k, v in data.items() if k not in ("round", "rows")}
        return table

    def save(self, path: str | os.PathLike | None = None) -> Path:
        """Write the table as JSON and return the file's absolute path.

        ``path`` may be a file (``.json``) or a directory; by default the directory is
        ``$SEQLIB_RESULTS`` or ``./results`` and the file ``<round_name>.json``. Besides the
        rows, the file records the profile (quick/full), the device, the torch version and
        the time, so a scorecard can say where its numbers came from.
        """
        from seqlib import config
        from seqlib.timing import describe, pick_device

        if path is not None and Path(path).suffix == ".json":
            target = Path(path)
        else:
            target = results_dir(path) / f"{self.round_name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        self.meta = {
            "profile": config.load().name,
            "device": describe(pick_device()),
            "torch": torch.__version__,
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        data = self.to_dict()
        for row in data["rows"]:  # JSON has no NaN or infinity
            if row["value"] is not None and not math.isfinite(row["value"]):
                row["value"] = None
        target.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return target.resolve()

    @classmethod
    def load(cls, path: str | os.PathLike) -> VerdictTable:
        """Read a table written by :meth:`save`."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no results file at {path}")
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def load_results(directory: str | os.PathLike | None = None) -> dict[str, VerdictTable]:
    """Every saved table in ``directory`` (default as in :meth:`VerdictTable.save`), by round.

    Sorted by round name, so rounds ``01_…`` to ``05_…`` come in order. Returns an empty dict
    if the directory does not exist yet.
    """
    folder = results_dir(directory)
    if not folder.is_dir():
        return {}
    tables = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and {"round", "rows"} <= data.keys():  # skip other results
            table = VerdictTable.from_dict(data)
            tables[table.round_name] = table
    return tables


def decide(confirmed: bool, refuted: bool = False) -> str:
    """Turn two measured conditions into a verdict: ``"confirmed"``, ``"refuted"`` or ``"nuanced"``.

    ``confirmed`` and ``refuted`` are the notebook's tests of its own numbers, e.g.
    ``decide(confirmed=acc_lstm > 0.9, refuted=acc_lstm < 0.6)``; when neither holds the
    answer is ``"nuanced"``. Both true is a contradiction and raises ``ValueError``.
    """
    for name, flag in (("confirmed", confirmed), ("refuted", refuted)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be a bool, got {type(flag).__name__} ({flag!r})")
    if confirmed and refuted:
        raise ValueError("confirmed and refuted cannot both be True: check the conditions")
    return "confirmed" if confirmed else "refuted" if refuted else "nuanced"
