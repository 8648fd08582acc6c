"""tools/compare_results.py: two runs' verdicts side by side, a changed verdict caught."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from seqlib.measurement import Measurement
from seqlib.verdict import VerdictTable

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("compare", ROOT / "tools" / "compare_results.py")
compare = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare)


def _run(folder: Path, difference: float) -> Path:
    table = VerdictTable("01_memory_power", profile="quick", device="cpu")
    table.judge("r1.sequential", Measurement(difference), "max difference")
    table.save(folder)
    return folder


def test_same_verdicts_pass_and_a_changed_one_is_caught(tmp_path, capsys):
    a, b, c = (_run(tmp_path / n, d) for n, d in (("a", 0.0), ("b", 1e-7), ("c", 1.0)))
    assert compare.main([str(a), str(b)]) == 0
    assert "1 claims, 0 with a different verdict" in capsys.readouterr().out
    assert compare.main([str(a), str(c)]) == 1
    out = capsys.readouterr().out
    assert "| r1.sequential | ☑️ checked 0 | ❌ refuted 1 | NO |" in out
    assert compare.main([str(a)]) == 2
