"""Files -> modules: each module parsed once, its imports, aliases and classes, and names resolved.

Module-level type aliases and classes are followed within a module and through
imports between modules of the target's package (`from .dims import Hidden`);
the package's other modules are read on demand. A file that does not parse is
SC001; nothing else is checked in it.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ._files import display
from ._result import Finding
from ._syntax import dotted_expr, last_name, statements


@dataclass
class Module:
    name: str  # dotted
    path: Path
    is_package: bool
    in_target: bool
    tree: ast.Module | None = None
    source: bytes = b""  # as read, for the comments (inline suppressions)
    imports: dict[str, str] = field(default_factory=dict)  # local name -> qualified
    stars: list[str] = field(default_factory=list)  # `from x import *` modules
    aliases: dict[str, ast.expr] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    nodes: list[ast.AST] = field(default_factory=list)  # every node of the tree, walked once

    def finding(self, line: int, code: str, message: str) -> Finding:
        return Finding(display(self.path), line, code, message)


def _looks_like_type(value: ast.expr) -> bool:
    return isinstance(value, ast.Name | ast.Attribute | ast.Subscript) or (
        isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr)
    )


def _read_module(module: Module) -> None:
    assert module.tree is not None
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    for stmt in statements(module.tree.body):
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    module.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    module.imports[top] = top
        elif isinstance(stmt, ast.ImportFrom):
            base = stmt.module or ""
            if stmt.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (stmt.level - 1)] if stmt.level > 1 else parts
                base = ".".join([*parts, *([stmt.module] if stmt.module else [])])
            for alias in stmt.names:
                if alias.name == "*":
                    module.stars.append(base)
                else:
                    qualified = f"{base}.{alias.name}" if base else alias.name
                    module.imports[alias.asname or alias.name] = qualified
        elif isinstance(stmt, ast.Assign):
            if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                if _looks_like_type(stmt.value):
                    module.aliases[stmt.targets[0].id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            if (
                isinstance(stmt.target, ast.Name)
                and stmt.value is not None
                and last_name(stmt.annotation) == "TypeAlias"
            ):
                module.aliases[stmt.target.id] = stmt.value
        elif isinstance(stmt, ast.ClassDef):
            module.classes[stmt.name] = stmt
        elif type(stmt).__name__ == "TypeAlias":  # `type X = ...`, Python 3.12+
            name, value = getattr(stmt, "name", None), getattr(stmt, "value", None)
            if isinstance(name, ast.Name) and isinstance(value, ast.expr):
                module.aliases[name.id] = value


Def = tuple[Module, ast.expr | ast.ClassDef]


class Index:
    """The target's modules, and the other modules of its package, read on demand."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules: dict[str, Module | None] = {}
        self.tops: set[str] = set()
        self.errors: list[Finding] = []

    def add(self, path: Path, name: str, is_package: bool, in_target: bool) -> Module:
        module = Module(name, path, is_package, in_target)
        self.modules[name] = module
        self.tops.add(name.split(".")[0])
        try:
            source = module.source = path.read_bytes()
            with warnings.catch_warnings():  # `"\d"` and the like: not the linter's business
                warnings.simplefilter("ignore")
                module.tree = ast.parse(source, filename=str(path))
        except SyntaxError as error:
            if in_target:
                message = f"syntax error: {error.msg}"
                self.errors.append(Finding(display(path), error.lineno or 1, "SC001", message))
        except (OSError, ValueError) as error:
            if in_target:
                message = f"cannot read the file: {error}"
                self.errors.append(Finding(display(path), 1, "SC001", message))
        if module.tree is not None:
            module.nodes = list(ast.walk(module.tree))
            _read_module(module)
        return module

    def module(self, name: str) -> Module | None:
        if name in self.modules:
            return self.modules[name]
        self.modules[name] = None
        if name.split(".")[0] not in self.tops:
            return None
        base = self.root.joinpath(*name.split("."))
        if (base / "__init__.py").is_file():
            return self.add(base / "__init__.py", name, True, False)
        if base.with_name(base.name + ".py").is_file():
            return self.add(base.with_name(base.name + ".py"), name, False, False)
        return None

    def enclosing_modules(self, module: Module) -> list[Module]:
        """The modules beside `module` and in each package above it that mention Registry."""
        found: list[Module] = []
        package = module.name if module.is_package else module.name.rpartition(".")[0]
        while package:
            folder = self.root.joinpath(*package.split("."))
            for file in sorted(folder.glob("*.py")):
                try:
                    if "Registry" not in file.read_text(encoding="utf-8", errors="replace"):
                        continue
                except OSError:
                    continue
                name = package if file.name == "__init__.py" else f"{package}.{file.stem}"
                other = self.module(name)
                if other is not None:
                    found.append(other)
            package = package.rpartition(".")[0]
        return found

    def resolve(self, module: Module, name: str, depth: int = 0) -> Def | None:
        """What a module-level name of `module` is: a type alias or a class, if either."""
        if depth > 20:
            return None
        if name in module.aliases:
            return module, module.aliases[name]
        if name in module.classes:
            return module, module.classes[name]
        if name in module.imports:
            return self.qualified(module.imports[name], depth + 1)
        for star in module.stars:
            other = self.module(star)
            if other is not None and other is not module:
                found = self.resolve(other, name, depth + 1)
                if found is not None:
                    return found
        return None

    def qualified(self, qualified: str, depth: int = 0) -> Def | None:
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self.module(".".join(parts[:cut]))
            if module is not None:
                if cut == len(parts) - 1:
                    return self.resolve(module, parts[cut], depth)
                return None  # an attribute of a class: not followed
        return None

    def resolve_expr(self, module: Module, node: ast.expr) -> Def | None:
        parts = dotted_expr(node)
        if parts is None:
            return None
        if len(parts) == 1:
            return self.resolve(module, parts[0])
        if parts[0] in module.imports:
            return self.qualified(".".join([module.imports[parts[0]], *parts[1:]]))
        return None
