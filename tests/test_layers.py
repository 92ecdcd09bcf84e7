"""The package's layers follow the flow of data, and every import points downward.

Every ``import`` and ``from ... import`` in ``risksim/`` counts, lazy ones inside functions
included (only those under ``if TYPE_CHECKING:`` do not: they are never executed), and so
does a module named by a string to ``importlib.import_module``. A module may import its own
layer and the layers below it; anything higher is reported with its file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.builders import ROOT

PACKAGE = ROOT / "risksim"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("risksim.errors", "risksim.streams", "risksim.util"),
    ("risksim.stats",),
    ("risksim.scenario",),
    ("risksim.portfolio",),
    ("risksim.models",),
    ("risksim.rules",),
    ("risksim.compile",),
    ("risksim.engine",),
    ("risksim.timeline",),
    ("risksim.results",),
    ("risksim.analysis",),
    ("risksim.present",),
    ("risksim.cli",),
    ("risksim", "risksim.__main__", "risksim.data"),
)
"""From the bottom up; a module belongs to the layer of its longest listed prefix."""

DISPATCH = {("risksim.results.base", "risksim.present.plots"):
            "result.plot loads the plotting module by name when a plot is asked for, as "
            "pandas' DataFrame.plot loads its plotting backend: results never import it",
            ("risksim.results.base", "risksim.present.report"):
            "a result's notebook view (_repr_html_) loads the report module by name, as "
            "its plots do"}
"""The upward references by name (both from the results' base, to presentation), and why."""


def layer_of(module: str) -> int:
    """The index in :data:`LAYERS` of ``module``'s layer (its longest listed prefix)."""
    best, depth = -1, -1
    for index, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > depth:
                best, depth = index, len(name)
    if best < 0:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return best


def module_name(path: Path, root: Path) -> str:
    """The dotted name of the module at ``path`` in the tree ``root``."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str, root: Path) -> bool:
    path = root.joinpath(*name.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for body in node.body for child in ast.walk(body))
    return skipped


def imports_of(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, imported module) of every executed import in ``path`` (in the tree ``root``),
    and of every module named by a string (for ``import_module``)."""
    tree = ast.parse(path.read_text("utf-8"))
    skipped = _type_checking_nodes(tree)
    this = module_name(path, root)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names
                      if _is_module(f"{base}.{alias.name}", root)]
        elif (isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module")
              and node.args and isinstance(node.args[0], ast.Constant)):
            found.append((node.lineno, str(node.args[0].value)))
        elif (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
              and isinstance(node.value.value, str) and node.value.value.startswith("risksim.")
              and all(part.isidentifier() for part in node.value.value.split("."))):
            found.append((node.lineno, node.value.value))  # a module named for import_module
    return [(line, name) for line, name in found if name.split(".")[0] == "risksim"]


def upward_imports(root: Path = ROOT) -> list[str]:
    """``file:line: A imports B, a higher layer (...)`` for every import of a higher layer
    in the package ``risksim`` of the tree ``root``."""
    problems = []
    for path in sorted((root / "risksim").rglob("*.py")):
        this = module_name(path, root)
        for line, imported in imports_of(path, root):
            if (this, imported) in DISPATCH:
                continue
            if layer_of(imported) > layer_of(this):
                problems.append(f"{path.relative_to(root)}:{line}: {this} imports {imported}, "
                                f"a higher layer ({LAYERS[layer_of(imported)][0]} above "
                                f"{LAYERS[layer_of(this)][0]})")
    return problems


def test_every_import_points_downward() -> None:
    problems = upward_imports()
    assert not problems, "\n".join(problems)


def test_every_module_has_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        layer_of(module_name(path, ROOT))


def test_the_dispatch_by_name_is_still_needed() -> None:
    """Each allowed reference by name exists (else remove it from DISPATCH)."""
    for this, imported in DISPATCH:
        path = ROOT / Path(*this.split(".")).with_suffix(".py")
        assert imported in {name for _, name in imports_of(path)}, (this, imported)


def _planted(tree: Path, text: str) -> Path:
    """A tree holding one module of the lowest layer, ``risksim/util/planted.py``."""
    folder = tree / "risksim" / "util"
    folder.mkdir(parents=True)
    (folder / "planted.py").write_text(text, "utf-8")
    return tree


@pytest.mark.parametrize(("text", "expected"), [
    ("from risksim.cli.commands import main\n", "imports risksim.cli.commands"),
    ("def f():\n    from risksim.analysis.simulate import simulate\n",
     "imports risksim.analysis.simulate"),
    ("import importlib\nimportlib.import_module('risksim.present.report')\n",
     "imports risksim.present.report"),
])
def test_a_lazy_or_named_upward_import_is_caught(tmp_path: Path, text: str,
                                                expected: str) -> None:
    """Each kind of import is seen: one planted in the lowest layer is reported at its line."""
    problems = upward_imports(_planted(tmp_path, text))
    assert len(problems) == 1 and expected in problems[0], problems
    assert problems[0].startswith("risksim/util/planted.py:")


def test_type_checking_imports_are_not_counted(tmp_path: Path) -> None:
    text = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from risksim.results.result import Result\n")
    assert upward_imports(_planted(tmp_path, text)) == []
