"""The verdict table every round ends with: claim, what was measured, verdict.

A notebook judges each claim of the fight card by its id in :mod:`seqlib.claims`, with a
:class:`~seqlib.measurement.Measurement` of its own numbers; the claim's rule, written before the
run, gives the verdict. The notebook never types one::

    table = VerdictTable("01_memory_power", profile=cfg, device=DEVICE)
    table.judge(
        "r1.remember_10_steps",
        Measurement(lstm_accuracy_at_10, seeds=3),        # one value per seed
        f"delayed recall at distance 10 ({params:,} params)",
    )
    table.derive("sum.memory", other_verdicts)   # in round 5: a summary of judged claims
    table            # an HTML table in Jupyter, aligned text in a terminal
    table.save()     # results/01_memory_power.json, for the final scorecard

A claim judged from a measurement also gets its registered controls, each measured by the
notebook, and the scope of the measurement in one short phrase::

    table.judge("r1.gates_long_term", Measurement(lstm, seeds=3), "...",
                controls={"vanilla_rnn": Measurement(rnn, seeds=3), "transformer": ...},
                scope="CPU, 2 threads, 3.9k params, 400 steps")

The verdicts are ``"confirmed"`` (✅), ``"nuanced"`` (⚠️), ``"refuted"`` (❌),
``"inconclusive"`` (❔: a control showed the experiment could not tell), ``"checked"`` (☑️: a fact
checked by code) and ``"not measured here"`` (⚪). :func:`load_results` reads every saved table
back for round 5.

A saved row has ``claim_id``, ``claim`` (the fight card's words), ``kind`` (see
:data:`seqlib.claims.KINDS`), ``measured`` (the sentence), ``verdict``, ``rule_verdict`` (the
rule's verdict before the controls), ``value`` (the mean), ``seeds`` (trained runs behind it),
``repeats`` (interleaved timings behind it), ``interval`` (``[low, high]`` over seeds or repeats
when there are at least 2, else ``None``), ``scope``, ``controls`` (``[{name, role, value,
interval, verdict}]``) and ``note``. The top level records the round, the profile and device the
notebook ran with, and what the notebook adds to ``table.meta``.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

from seqlib._validate import check_device
from seqlib.claims import (
    CLAIMS,
    MEASURED_KINDS,
    NOT_MEASURED,
    OUTCOMES,
    Claim,
    ControlResult,
    Judgement,
)
from seqlib.measurement import INTERVAL_KIND, Measurement

__all__ = [
    "DEFAULT_RESULTS_DIR",
    "RESULTS_ENV_VAR",
    "ROUND_NAME",
    "VERDICTS",
    "Row",
    "VerdictTable",
    "load_results",
    "results_dir",
]

VERDICTS = dict(zip(OUTCOMES, ("✅", "⚠️", "❌", "❔", "☑️", "⚪"), strict=True))
RESULTS_ENV_VAR = "SEQLIB_RESULTS"
DEFAULT_RESULTS_DIR = "results"
ROUND_NAME = re.compile(r"^(\d\d)_[a-z0-9_]+$")  # 01_memory_power: also a safe file name


@dataclass(frozen=True)
class Row:
    """One claim: what the fight card says, what the notebook measured, and the verdict."""

    claim_id: str
    claim: str
    measured: str
    verdict: str
    value: float | None = None
    seeds: int = 0
    interval: tuple[float, float] | None = None
    note: str = ""
    device: str = ""  # where the measurement was taken (a summary row: "")
    kind: str = ""
    repeats: int = 0
    scope: str = ""
    controls: tuple[ControlResult, ...] = ()
    rule_verdict: str = ""  # the rule's verdict before the controls had their say

    @property
    def symbol(self) -> str:
        """✅, ⚠️, ❌, ❔, ☑️ or ⚪."""
        return VERDICTS[self.verdict]

    def controls_text(self) -> str:
        """``"vanilla_rnn (negative) 0.11 [0.09, 0.13] ⚠️; ..."``: each control and its verdict."""
        parts = []
        for c in self.controls:
            if c.value is None:
                value = "not measured"
            elif c.interval:
                value = f"{c.value:.3g} [{c.interval[0]:.3g}, {c.interval[1]:.3g}]"
            else:
                value = f"{c.value:.3g}"
            parts.append(f"{c.name} ({c.role}) {value} {VERDICTS[c.verdict]}")
        return "; ".join(parts)


def _check_str(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__} ({value!r})")
    return value


def results_dir(directory: str | os.PathLike | None = None) -> Path:
    """Where results are saved: ``directory``, else ``$SEQLIB_RESULTS``, else ``./results``."""
    if directory is None:
        directory = os.environ.get(RESULTS_ENV_VAR) or DEFAULT_RESULTS_DIR
    if not isinstance(directory, (str, os.PathLike)):
        raise TypeError(f"directory must be a str or path, got {type(directory).__name__}")
    return Path(directory)


def _device_name(device: object) -> str:
    if isinstance(device, torch.device):
        return str(device)
    if isinstance(device, str) and device.strip():
        check_device(device, "device")  # ValueError for a name torch does not know
        return device
    raise TypeError(f"device must be a torch.device or its name, got {device!r}")


class VerdictTable:
    """The claims of one round with their measurements and verdicts.

    ``round_name`` names the round and its results file: two digits, an underscore and lower-case
    words (``"01_memory_power"``). ``profile`` (``"quick"``/``"full"`` or a
    :class:`seqlib.config.Profile`) and ``device`` are what the notebook actually ran with; they
    are saved as given.
    """

    def __init__(self, round_name: str, *, profile: object, device: str | torch.device) -> None:
        _check_str(round_name, "round_name")
        match = ROUND_NAME.match(round_name)
        if not match:
            raise ValueError(
                "round_name must be two digits, '_' and lower-case words (e.g. "
                f"'01_memory_power'), got {round_name!r}"
            )
        self.round_name = round_name
        self.round = int(match.group(1))
        name = getattr(profile, "name", profile)
        if name not in ("quick", "full"):
            raise ValueError(f"profile must be 'quick', 'full' or a Profile, got {profile!r}")
        self.device = _device_name(device)
        self.rows: list[Row] = []
        self.meta: dict[str, Any] = {
            "profile": name,
            "device": self.device,
            "threads": torch.get_num_threads(),
        }

    # -- judging ------------------------------------------------------------------------------

    def _claim(self, claim_id: str) -> Claim:
        if claim_id not in CLAIMS:
            raise ValueError(f"unknown claim id {claim_id!r}: see seqlib.claims.CLAIMS")
        claim = CLAIMS[claim_id]
        if claim.round != self.round:
            raise ValueError(
                f"{claim_id} is judged in round {claim.round}, not in round {self.round}"
            )
        if any(row.claim_id == claim_id for row in self.rows):
            raise ValueError(f"{claim_id} is already in this table")
        return claim

    def judge(
        self,
        claim_id: str,
        measurement: Measurement | None,
        measured: str,
        *,
        controls: Mapping[str, Measurement | None] | None = None,
        scope: str = "",
        note: str = "",
        device: str | torch.device | None = None,
    ) -> Row:
        """Judge a claim by its registered rule on ``measurement`` (``None``: could not measure).

        ``measured`` is the sentence the notebook formats from its own numbers. ``controls``
        maps each of the claim's registered controls to its measurement (see
        :meth:`seqlib.claims.Claim.assess`). ``scope`` says in one short phrase what the
        measurement covers (device, threads, model size, data size, budget): required for
        trained, timed and computed claims. ``device`` is where the measurement was taken, when
        that is not the table's device (e.g. the fight card's demo, timed on the CPU as written,
        in a round that ran on a GPU).
        """
        claim = self._claim(claim_id)
        _check_str(scope, "scope")
        if claim.kind in MEASURED_KINDS and not scope.strip():
            raise ValueError(
                f"{claim_id} is a {claim.kind} claim: give its scope (device, threads, model "
                "size, data size, budget) in one short phrase"
            )
        where = self.device if device is None else _device_name(device)
        judgement = claim.assess(measurement, device=where, controls=controls)
        return self._append(claim, measured, judgement, measurement, note, where, scope)

    def derive(
        self,
        claim_id: str,
        verdicts: Mapping[str, str] | None = None,
        *,
        note: str = "",
    ) -> Row:
        """Judge a summary claim from the verdicts of the claims it follows.

        Those are taken from this table's rows, then from ``verdicts`` (claim id -> verdict,
        e.g. other rounds' saved results); one found in neither counts as not measured.
        """
        claim = self._claim(claim_id)
        known = {**(verdicts or {}), **{row.claim_id: row.verdict for row in self.rows}}
        verdict = Judgement(claim.derive(known), "")
        parts = [*claim.rule.supports, *claim.rule.opposes]  # type: ignore[union-attr]
        measured = "; ".join(
            f"{VERDICTS[known.get(i, NOT_MEASURED)]} {i}"
            + (" (reversed)" if i in claim.rule.opposes else "")  # type: ignore[union-attr]
            for i in parts
        )
        return self._append(claim, measured, verdict, None, note, "", "")

    def _append(
        self,
        claim: Claim,
        measured: str,
        judgement: Judgement,
        m: Measurement | None,
        note: str,
        device: str,
        scope: str,
    ) -> Row:
        row = Row(
            claim_id=claim.id,
            claim=claim.quote,
            measured=_check_str(measured, "measured"),
            verdict=judgement.verdict,
            value=None if m is None else m.mean,
            seeds=0 if m is None else m.seeds,
            interval=None if m is None else m.interval,
            note=_check_str(note, "note"),
            device=device,
            kind=claim.kind,
            repeats=0 if m is None else m.repeats,
            scope=scope.strip(),
            controls=judgement.controls,
            rule_verdict=judgement.rule_verdict or judgement.verdict,
        )
        self.rows.append(row)
        return row

    def verdicts(self) -> dict[str, str]:
        """``{claim_id: verdict}`` for every row."""
        return {row.claim_id: row.verdict for row in self.rows}

    def counts(self) -> dict[str, int]:
        """How many rows have each verdict (inconclusive and checked rows counted apart)."""
        return {name: sum(row.verdict == name for row in self.rows) for name in VERDICTS}

    # -- rendering ------------------------------------------------------------------------------

    HEADER = ("claim", "measured", "controls", "scope", "verdict")

    def _cells(self, row: Row) -> list[str]:
        measured = f"{row.measured} ({row.note})" if row.note else row.measured
        verdict = f"{row.symbol} {row.verdict}"
        if row.rule_verdict and row.rule_verdict != row.verdict:
            verdict += f" (rule alone: {row.rule_verdict})"
        return [
            f"[{row.claim_id}] {row.claim}",
            measured,
            row.controls_text() or "—",
            row.scope or "—",
            verdict,
        ]

    def __str__(self) -> str:
        lines = [self._cells(row) for row in self.rows]
        n = len(self.HEADER)
        widths = [max(len(cells[i]) for cells in [list(self.HEADER), *lines]) for i in range(n)]

        def line(cells: list[str]) -> str:
            return " | ".join(
                cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
            ).rstrip()

        rule = "-+-".join("-" * width for width in widths)
        body = [line(cells) for cells in lines] or ["(no claims yet)"]
        title = f"Verdict: {self.round_name} ({self.meta['profile']} profile, {self.device})"
        return "\n".join([title, line(list(self.HEADER)), rule, *body])

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {name}" for name, n in self.counts().items())
        return f"VerdictTable({self.round_name!r}: {len(self.rows)} claims; {counts})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's plain-text display (a terminal console): the aligned table."""
        printer.text(repr(self) if cycle else str(self))

    def _repr_html_(self) -> str:
        """Jupyter's display: an HTML table, every cell escaped."""
        esc = html.escape
        head = "".join(f"<th style='text-align:left'>{h}</th>" for h in self.HEADER)
        rows = "".join(
            "<tr>"
            + "".join(f"<td style='text-align:left'>{esc(c)}</td>" for c in self._cells(row))
            + "</tr>"
            for row in self.rows
        )
        caption = (
            f"<caption style='text-align:left'><b>Verdict: {esc(self.round_name)}</b> "
            f"({esc(self.meta['profile'])} profile, {esc(self.device)}; interval: "
            f"{INTERVAL_KIND})</caption>"
        )
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"

    # -- saving and loading ---------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """``{"round": ..., "rows": [...], **meta}``: plain types, ready for JSON."""
        rows = []
        for row in self.rows:
            data = asdict(row)
            data["interval"] = list(row.interval) if row.interval else None
            data["controls"] = [c.to_dict() for c in row.controls]
            rows.append(data)
        return {"round": self.round_name, "interval_kind": INTERVAL_KIND, **self.meta, "rows": rows}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VerdictTable:
        """Rebuild a table from :meth:`to_dict`'s output."""
        if not isinstance(data, dict) or not {"round", "rows", "profile", "device"} <= data.keys():
            raise ValueError(
                "expected a dict with keys 'round', 'rows', 'profile' and 'device' "
                "(VerdictTable.to_dict)"
            )
        table = cls(data["round"], profile=data["profile"], device=data["device"])
        for row in data["rows"]:
            if row.get("verdict") not in VERDICTS or "claim_id" not in row:
                raise ValueError(f"not a saved verdict row: {row!r}")
            interval = row.get("interval")
            table.rows.append(
                Row(
                    claim_id=row["claim_id"],
                    claim=row["claim"],
                    measured=row["measured"],
                    verdict=row["verdict"],
                    value=row.get("value"),
                    seeds=row.get("seeds", 0),
                    interval=tuple(interval) if interval else None,
                    note=row.get("note", ""),
                    device=row.get("device", ""),
                    kind=row.get("kind", ""),
                    repeats=row.get("repeats", 0),
                    scope=row.get("scope", ""),
                    controls=tuple(ControlResult.from_dict(c) for c in row.get("controls", [])),
                    rule_verdict=row.get("rule_verdict", ""),
                )
            )
        skip = ("round", "rows", "interval_kind")
        table.meta = {k: v for k, v in data.items() if k not in skip}
        return table

    def save(self, directory: str | os.PathLike | None = None) -> Path:
        """Write ``<directory>/<round_name>.json`` and return its absolute path.

        ``directory`` defaults to ``$SEQLIB_RESULTS`` or ``./results``. The file keeps the
        profile and device given to the table and everything the notebook put in ``meta``, and
        adds the torch version and the time.
        """
        target = results_dir(directory) / f"{self.round_name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        self.meta.setdefault("torch", torch.__version__)
        self.meta["saved_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        data = self.to_dict()
        for row in data["rows"]:  # JSON has no NaN or infinity
            for item in [row, *row["controls"]]:
                if item["value"] is not None and not math.isfinite(item["value"]):
                    item["value"] = None
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

    Sorted by round name, so rounds ``01_…`` to ``05_…`` come in order. Files that are not
    verdict tables (e.g. ``scorecard.json``) are skipped. Returns an empty dict if the directory
    does not exist yet.
    """
    folder = results_dir(directory)
    if not folder.is_dir():
        return {}
    tables = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and {"round", "rows", "profile", "device"} <= data.keys():
            table = VerdictTable.from_dict(data)
            tables[table.round_name] = table
    return tables
