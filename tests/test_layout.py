"""seqlib's house rules, checked on its source: one home per thing, no module reaching into
another's private names, modules a learner can read in one sitting, and a package docstring
that lists every module."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import seqlib

PACKAGE = Path(seqlib.__file__).parent
MAX_LINES = 700
# The registry is data, one entry per claim of the fight card with its criterion, controls and
# grid: it grows with the fight card, not with logic (the rules live in seqlib/rules.py).
REGISTRY_MAX_LINES = {"claims.py": 1000}


def modules() -> list[str]:
    """Every module of seqlib, dotted (``seqlib.exercises.round1``), private ones included."""
    return sorted(info.name for info in pkgutil.walk_packages([str(PACKAGE)], prefix="seqlib."))


def source(name: str) -> tuple[Path, ast.Module]:
    module = importlib.util.find_spec(name)
    path = Path(module.origin)
    return path, ast.parse(path.read_text(encoding="utf-8"))


def is_module(dotted: str) -> bool:
    try:
        return importlib.util.find_spec(dotted) is not None
    except ModuleNotFoundError:  # the parent is a module, not a package
        return False


def is_private(dotted: str) -> bool:
    return any(part.startswith("_") and part != "__init__" for part in dotted.split("."))


@pytest.mark.parametrize("name", modules())
def test_no_module_imports_another_modules_private_names(name):
    """``from seqlib.x import _y`` or ``x._y`` on a seqlib module: a private name used from
    outside its home. (Private *modules*, like ``_validate``, are the package's own helpers.)"""
    path, tree = source(name)
    imported_modules: dict[str, str] = {}  # local name -> seqlib module
    offences = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("seqlib"):
            for alias in node.names:
                if alias.name.startswith("_"):
                    offences.append(f"from {node.module} import {alias.name}")
                elif is_module(f"{node.module}.{alias.name}"):  # from seqlib import hire
                    imported_modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("seqlib."):
                    if alias.asname and alias.asname.startswith("_"):
                        offences.append(f"import {alias.name} as {alias.asname}")
                    imported_modules[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id in imported_modules
        ):
            offences.append(f"{node.value.id}.{node.attr} (line {node.lineno})")
    assert not offences, f"{path.name} reaches into private names: {offences}"


@pytest.mark.parametrize("name", modules())
def test_modules_stay_readable(name):
    path, _ = source(name)
    lines = len(path.read_text(encoding="utf-8").splitlines())
    limit = REGISTRY_MAX_LINES.get(path.name, MAX_LINES)
    assert lines <= limit, f"{path.name}: {lines} lines, split it by idea (<= {limit})"


@pytest.mark.parametrize("name", [m for m in modules() if not is_private(m)])
def test_all_sits_right_after_the_imports(name):
    """Every public module says what it exports, in one place: ``__all__`` right after the
    imports (and the ``if TYPE_CHECKING:`` block), and every name in it exists."""
    path, tree = source(name)
    body = [n for n in tree.body if not isinstance(n, ast.Expr)]  # the docstring
    position = next(
        (
            i
            for i, node in enumerate(body)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        ),
        None,
    )
    assert position is not None, f"{path.name} has no __all__"
    before = body[:position]
    assert all(
        isinstance(n, (ast.Import, ast.ImportFrom))
        or (isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test))
        for n in before
    ), f"{path.name}: __all__ comes after other code, not right after the imports"
    later = [n for n in ast.walk(ast.Module(body=body[position + 1 :], type_ignores=[]))]
    assert not any(
        isinstance(n, ast.Name) and n.id == "__all__" and isinstance(n.ctx, ast.Store)
        for n in later
    ), f"{path.name} changes __all__ again further down"
    module = importlib.import_module(name)
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{path.name}: __all__ names what it does not define: {missing}"


def test_the_package_docstring_lists_every_module():
    top = sorted(
        info.name for info in pkgutil.iter_modules([str(PACKAGE)]) if not info.name.startswith("_")
    )
    table = [line.split()[0] for line in seqlib.__doc__.splitlines() if line[:1].isalpha()]
    assert sorted(set(table) & set(top)) == top, f"not in the table: {set(top) - set(table)}"


def test_one_ignore_index():
    """Data sets, the loss and the accuracy agree on what "no target here" is, in one place."""
    homes = []
    for name in modules():
        path, tree = source(name)
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if any(isinstance(t, ast.Name) and "IGNORE" in t.id for t in targets):
                homes.append(f"{path.name}: {ast.unparse(node)}")
    assert len(homes) == 1, homes


def test_backbones_means_one_thing():
    """``BACKBONES`` is the models' backbones, nowhere something else."""
    homes = []
    for name in modules():
        path, tree = source(name)
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if any(isinstance(t, ast.Name) and t.id == "BACKBONES" for t in targets):
                homes.append(path.name)
    assert homes == ["models.py"], homes


def test_test_files_are_named_after_what_they_test():
    """tests/test_<module>.py or test_<module>_<part>.py, for a seqlib module or a part of the
    course (the launcher, the notebooks, the README...): no file named after a round."""
    tests = Path(__file__).parent
    named_by_round = [p.name for p in tests.glob("test_round*.py")]
    assert not named_by_round, f"name these after the module they test: {named_by_round}"
    assert sorted(p.name for p in (tests / "exercises").glob("test_*.py")) == [
        "test_harness.py",
        *(f"test_round{n}.py" for n in range(1, 6)),
    ], "tests/exercises/ mirrors seqlib/exercises/: the harness and one module per round"
