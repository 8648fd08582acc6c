"""The README's table of rounds matches the notebooks that exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rounds_table() -> dict[str, str]:
    """notebook file name -> the table's run-time cell."""
    rows = re.findall(
        r"^\| \d \| \[`(\d\d_\w+\.ipynb)`\].*\| ([^|]+) \|$",
        (ROOT / "README.md").read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    return {name: time.strip() for name, time in rows}


def test_every_round_is_listed_once():
    table = rounds_table()
    assert len(table) == 5, table
    for name in (path.name for path in (ROOT / "notebooks").glob("*.ipynb")):
        assert name in table, f"{name} is missing from the README's table of rounds"


def test_written_rounds_state_a_run_time_and_missing_ones_say_so():
    for name, cell in rounds_table().items():
        exists = (ROOT / "notebooks" / name).exists()
        if exists:
            assert re.search(r"\d+ s\b", cell), f"{name}: give its quick run time, got {cell!r}"
        else:
            assert cell == "not yet written", f"{name} does not exist yet, README says {cell!r}"
