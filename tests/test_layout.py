"""The import graphs of `shapecheck` and `models` have no cycle.

Imports are read from the source, lazy ones (inside functions) included, so
that a cycle broken only by import order still counts. Imports under
`if TYPE_CHECKING:` and in a `__main__` block never run on import: not counted.
"""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _modules(package: str) -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _skipped(tree: ast.Module) -> set[int]:
    """Nodes under `if TYPE_CHECKING:` or `if __name__ == "__main__":`."""
    tests = {"TYPE_CHECKING", "typing.TYPE_CHECKING", "__name__ == '__main__'"}
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in tests:
            skipped |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    return skipped


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _skipped(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in modules else base)
    # A module imports the packages above it too, but only their `__init__`
    # runs: an edge to one's own package would be a cycle of Python's making.
    return {module for module in found if module in modules and not name.startswith(module + ".")}


def _cycle(package: str) -> list[str] | None:
    modules = _modules(package)
    graph = {name: _imports(name, path, modules) - {name} for name, path in modules.items()}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for imported in sorted(graph[name]):
            cycle = visit(imported, (*path, name))
            if cycle:
                return cycle
        done.add(name)
        return None

    for name in sorted(graph):
        cycle = visit(name, ())
        if cycle:
            return cycle
    return None


@pytest.mark.parametrize("package", ["shapecheck", "models"])
def test_layout__no_import_cycle(package: str) -> None:
    cycle = _cycle(package)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_layout__a_planted_cycle_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "planted"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("def f():\n    from .c import g\n")
    (package / "c.py").write_text("from planted.a import x\n")
    (package / "d.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _cycle("planted") == ["planted.a", "planted.b", "planted.c", "planted.a"]
