"""Source -> findings: the shape annotations of a target, checked without running it.

`lint(target)` reads the target's source with `ast`; it never imports or
executes it. A target is a module or package name (`models`, found on
`sys.path`, the current directory first), a `.py` file, or a package folder;
a package means every `.py` file under it.

Annotations are recognised by their syntax: `Float[Tensor, "batch hiddens"]`
(any jaxtyping dtype name, also written `jaxtyping.Float` or `jt.Float`),
anywhere inside an annotation (`tuple[...]`, `Optional`, `X | Y`,
`Annotated`), also inside string annotations. Module-level type aliases are
followed, within a module and through imports between modules of the target's
package (`from .dims import Hidden`).

Codes:

- SC001 syntax error: the file cannot be parsed; nothing else is checked in it.
- SC101 malformed dim string: the `AnnotationError` of `parse_shape`, with the
  corrected form where one can be guessed.
- SC201 coverage gap: a module-level function or a method (not a function
  nested in a function) has a bare `Tensor` in a parameter or return
  annotation, also inside `tuple`, `Optional` or a union. `Callable[...]`
  contents do not count (they are other functions' signatures) and
  parameters without annotations are not counted.
- SC301 unbound dim (the rule is below).
- SC401 not in glossary: a dim name missing from the package's glossary, the
  literal `Registry(dims={...})` found in the target (or, for one module of a
  package, in the modules beside it and in the packages above it); skipped
  when there is none.
- SC402 used once: a dim name used exactly once in the target, often a typo;
  names starting with `_` are skipped. Only without a glossary: with one,
  every name is either in it or already reported by SC401.

SC301, the rule. A function's *bound* names are the named dims (`batch`,
`*batch`) of its argument annotations, the fields of NamedTuple and
dataclass arguments defined in the target, `Annotated[int, Size("batch")]`
arguments, and, for a method, the keys of the dict literal that its class's
(or a base class's) `__shapecheck_dims__` returns. The annotated locals of
the body, in source order, then the return annotation, are read against
them:

- a symbolic dim (`steps*batch`) must use bound names only, always;
- a named dim that is not bound is reported when the function binds at least
  one name: that is the typical bug, `-> Float[Tensor, "batch hidden"]` when
  the arguments bind `hiddens`. When the function binds no name at all (a
  factory or a loader, `batch_size: int -> Int[Tensor, "batch steps"]`), its
  return and locals introduce their names, as jaxtyping allows.

A name, once read (reported or not), is bound for the rest of the function,
so each is reported at most once, at its first unbound use. A size that is
deliberately new and unchecked, in a function that binds names, is written
`_name` (anonymous in jaxtyping).

Coverage: `functions` counts the module-level functions and methods whose
signature mentions a tensor (jaxtyping, a bare `Tensor`, or a NamedTuple or
dataclass of the target with tensor fields); `covered` those without SC201.
"""

from __future__ import annotations

import ast
import difflib
import os
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jaxtyping

from ._errors import AnnotationError
from ._spec import Named, Shape, Symbolic, Variadic, parse_shape
from ._target import TargetError, parse_target

__all__ = ["Finding", "LintResult", "lint"]


@dataclass(frozen=True)
class Finding:
    """One problem, at a file and line."""

    file: str  # relative to the current directory when possible, posix
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.code} {self.message}"


@dataclass(frozen=True)
class LintResult:
    """The findings of one target, sorted, and its shape coverage."""

    findings: tuple[Finding, ...]
    functions: int  # functions and methods whose signature mentions a tensor
    covered: int  # of those, the ones without a bare Tensor

    @property
    def coverage(self) -> float:
        """Percent of `functions` that are covered, to one decimal; 100.0 for none."""
        if self.functions == 0:
            return 100.0
        return round(100.0 * self.covered / self.functions, 1)


DTYPES: frozenset[str] = frozenset(
    name
    for name, value in vars(jaxtyping).items()
    if isinstance(value, type)
    and issubclass(value, jaxtyping.AbstractDtype)
    and value is not jaxtyping.AbstractDtype
)
"""The jaxtyping dtype names, `Float`, `Int`, `Shaped`, ...: `Float[...]` is a shape."""

_OPAQUE = frozenset({"Callable", "Literal", "type", "Type", "ClassVar"})
"""Subscripted heads whose contents are not tensors of this signature."""


# ------------------------------------------------------------------ the target


@dataclass
class _Module:
    name: str  # dotted
    path: Path
    is_package: bool
    in_target: bool
    tree: ast.Module | None = None
    imports: dict[str, str] = field(default_factory=dict)  # local name -> qualified
    stars: list[str] = field(default_factory=list)  # `from x import *` modules
    aliases: dict[str, ast.expr] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    nodes: list[ast.AST] = field(default_factory=list)  # every node of the tree, walked once


def _dotted(path: Path) -> tuple[list[str], Path]:
    """The dotted name parts of a .py file or package folder, and the folder above them."""
    path = path.resolve()
    if path.is_dir():
        parts = [path.name]
    elif path.name == "__init__.py":
        parts = []
    else:
        parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    return parts, folder


def _python_files(folder: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        found.extend(Path(dirpath) / name for name in sorted(filenames) if name.endswith(".py"))
    return found


def _module_name(parts: list[str], relative: Path) -> tuple[str, bool]:
    names = [*parts, *relative.parent.parts]
    is_package = relative.name == "__init__.py"
    if not is_package:
        names.append(relative.stem)
    return ".".join(names), is_package


def _find_module(name: str) -> tuple[Path, Path]:
    """The file or package folder of a module name, and its sys.path entry; no import."""
    parts = name.split(".")
    entries: list[Path] = [Path.cwd()]
    entries.extend(Path(item) if item else Path.cwd() for item in sys.path)
    namespace: tuple[Path, Path] | None = None
    seen: set[Path] = set()
    for entry in entries:
        if entry in seen or not entry.is_dir():
            continue
        seen.add(entry)
        base = entry.joinpath(*parts)
        if (base / "__init__.py").is_file():
            return base, entry
        module = base.with_name(base.name + ".py")
        if module.is_file():
            return module, entry
        if namespace is None and base.is_dir():
            namespace = base, entry
    if namespace is not None:
        return namespace
    raise TargetError(f"cannot find module {name!r} in the current directory or on sys.path")


def _target_files(target: str) -> tuple[list[tuple[Path, str, bool]], Path]:
    """(file, module name, is package) for each file of the target, and its root folder."""
    parsed = parse_target(target)  # `module:object`: the module is linted
    spec, path = parsed.spec, parsed.path
    if parsed.is_path:
        if not path.exists():
            raise TargetError(f"target {spec!r} does not exist")
        if path.is_file() and path.suffix != ".py":
            raise TargetError(f"target {spec!r} is not a Python file")
        if path.is_file() or (path / "__init__.py").is_file():
            parts, root = _dotted(path)
        else:
            parts, root = [], path  # a plain folder: its modules are named from it
    else:
        path, root = _find_module(spec)
        parts = spec.split(".")
    if path.is_file():
        return [(path, ".".join(parts), path.name == "__init__.py")], root
    files = [(file, *_module_name(parts, file.relative_to(path))) for file in _python_files(path)]
    if not files:
        raise TargetError(f"target {spec!r} holds no Python files")
    return files, root


# ------------------------------------------------------------------ the modules


def _statements(body: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a module or class body, also inside `if`, `try` and `with`."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If | ast.With | ast.AsyncWith):
            yield from _statements(stmt.body)
            if isinstance(stmt, ast.If):
                yield from _statements(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, stmt.finalbody):
                yield from _statements(block)
            for handler in stmt.handlers:
                yield from _statements(handler.body)


def _last_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _dotted_expr(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *parts]
    return None


def _looks_like_type(value: ast.expr) -> bool:
    return isinstance(value, ast.Name | ast.Attribute | ast.Subscript) or (
        isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr)
    )


def _read_module(module: _Module) -> None:
    assert module.tree is not None
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    for stmt in _statements(module.tree.body):
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
                and _last_name(stmt.annotation) == "TypeAlias"
            ):
                module.aliases[stmt.target.id] = stmt.value
        elif isinstance(stmt, ast.ClassDef):
            module.classes[stmt.name] = stmt
        elif type(stmt).__name__ == "TypeAlias":  # `type X = ...`, Python 3.12+
            name, value = getattr(stmt, "name", None), getattr(stmt, "value", None)
            if isinstance(name, ast.Name) and isinstance(value, ast.expr):
                module.aliases[name.id] = value


_Def = tuple[_Module, ast.expr | ast.ClassDef]


class _Index:
    """The target's modules, and the other modules of its package, read on demand."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules: dict[str, _Module | None] = {}
        self.tops: set[str] = set()
        self.errors: list[Finding] = []

    def add(self, path: Path, name: str, is_package: bool, in_target: bool) -> _Module:
        module = _Module(name, path, is_package, in_target)
        self.modules[name] = module
        self.tops.add(name.split(".")[0])
        try:
            source = path.read_bytes()
            with warnings.catch_warnings():  # `"\d"` and the like: not the linter's business
                warnings.simplefilter("ignore")
                module.tree = ast.parse(source, filename=str(path))
        except SyntaxError as error:
            if in_target:
                message = f"syntax error: {error.msg}"
                self.errors.append(Finding(_display(path), error.lineno or 1, "SC001", message))
        except (OSError, ValueError) as error:
            if in_target:
                message = f"cannot read the file: {error}"
                self.errors.append(Finding(_display(path), 1, "SC001", message))
        if module.tree is not None:
            module.nodes = list(ast.walk(module.tree))
            _read_module(module)
        return module

    def module(self, name: str) -> _Module | None:
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

    def enclosing_modules(self, module: _Module) -> list[_Module]:
        """The modules beside `module` and in each package above it that mention Registry."""
        found: list[_Module] = []
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

    def resolve(self, module: _Module, name: str, depth: int = 0) -> _Def | None:
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

    def qualified(self, qualified: str, depth: int = 0) -> _Def | None:
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self.module(".".join(parts[:cut]))
            if module is not None:
                if cut == len(parts) - 1:
                    return self.resolve(module, parts[cut], depth)
                return None  # an attribute of a class: not followed
        return None

    def resolve_expr(self, module: _Module, node: ast.expr) -> _Def | None:
        parts = _dotted_expr(node)
        if parts is None:
            return None
        if len(parts) == 1:
            return self.resolve(module, parts[0])
        if parts[0] in module.imports:
            return self.qualified(".".join([module.imports[parts[0]], *parts[1:]]))
        return None


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


# ------------------------------------------------------------- the annotations


@dataclass(frozen=True)
class _Leaf:
    """One tensor of an annotation: a shape, or a bare Tensor."""

    shape: Shape | None  # None: bare, or a dim string that could not be read
    bare: bool
    line: int
    via_field: bool  # reached through a field of a NamedTuple or dataclass


@dataclass(frozen=True)
class _SizeBind:
    name: str


_Event = _Leaf | _SizeBind


def _is_jaxtyping(node: ast.Subscript) -> bool:
    return (
        _last_name(node.value) in DTYPES
        and isinstance(node.slice, ast.Tuple)
        and len(node.slice.elts) >= 2
    )


def _dim_text(node: ast.Subscript) -> tuple[int, str] | None:
    """The line and text of a jaxtyping annotation's dim string, if it is a literal."""
    assert isinstance(node.slice, ast.Tuple)
    text = node.slice.elts[1]
    if isinstance(text, ast.Constant) and isinstance(text.value, str):
        return text.lineno, text.value
    return None


def _shape_or_none(text: str) -> Shape | None:
    try:
        return parse_shape(text)
    except AnnotationError:
        return None  # reported once, as SC101, where it is written


def _parse_string(text: str) -> ast.expr | None:
    try:
        return ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _size_name(node: ast.expr) -> str | None:
    """The dim of `Size("batch")`, if `node` is that."""
    if not (isinstance(node, ast.Call) and _last_name(node.func) == "Size"):
        return None
    candidates = [*node.args[:1], *(kw.value for kw in node.keywords if kw.arg == "name")]
    for arg in candidates:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return None


def _is_record(cls: ast.ClassDef) -> bool:
    """A NamedTuple or a dataclass: its fields are checked with it."""
    if any(_last_name(base) == "NamedTuple" for base in cls.bases):
        return True
    for decorator in cls.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if _last_name(target) == "dataclass":
            return True
    return False


def _fields(cls: ast.ClassDef) -> Iterator[ast.expr]:
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            if _last_name(stmt.annotation) != "ClassVar" and not (
                isinstance(stmt.annotation, ast.Subscript)
                and _last_name(stmt.annotation.value) == "ClassVar"
            ):
                yield stmt.annotation


class _Walker:
    """Expands one annotation into its tensors and Size bindings, following aliases."""

    def __init__(self, index: _Index) -> None:
        self.index = index

    def walk(
        self,
        module: _Module,
        node: ast.expr,
        line: int | None = None,
        seen: frozenset[int] = frozenset(),
        via_field: bool = False,
    ) -> Iterator[_Event]:
        at = line if line is not None else getattr(node, "lineno", 1)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                parsed = _parse_string(node.value)
                if parsed is not None:
                    yield from self.walk(module, parsed, at, seen, via_field)
        elif isinstance(node, ast.Subscript):
            yield from self._subscript(module, node, line, seen, via_field)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            yield from self.walk(module, node.left, line, seen, via_field)
            yield from self.walk(module, node.right, line, seen, via_field)
        elif isinstance(node, ast.Tuple):
            for item in node.elts:
                yield from self.walk(module, item, line, seen, via_field)
        elif isinstance(node, ast.Name | ast.Attribute):
            if _last_name(node) == "Tensor":
                yield _Leaf(None, True, at, via_field)
                return
            found = self.index.resolve_expr(module, node)
            if found is None or id(found[1]) in seen:
                return
            owner, definition = found
            inner = seen | {id(definition)}
            if isinstance(definition, ast.ClassDef):
                if _is_record(definition):
                    for annotation in _fields(definition):
                        yield from self.walk(owner, annotation, at, inner, True)
            else:
                yield from self.walk(owner, definition, at, inner, via_field)

    def _subscript(
        self,
        module: _Module,
        node: ast.Subscript,
        line: int | None,
        seen: frozenset[int],
        via_field: bool,
    ) -> Iterator[_Event]:
        head = _last_name(node.value)
        if _is_jaxtyping(node):
            text = _dim_text(node)
            at = line if line is not None else text[0] if text else node.lineno
            shape = None if text is None else _shape_or_none(text[1])
            yield _Leaf(shape, False, at, via_field)
            return
        if head in _OPAQUE:
            return
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Annotated":
            for meta in items[1:]:
                name = _size_name(meta)
                if name is not None:
                    yield _SizeBind(name)
            items = items[:1]
        for item in items:
            yield from self.walk(module, item, line, seen, via_field)


# ------------------------------------------------------------------- the sites


@dataclass(frozen=True)
class _Use:
    """One written use of dim names: a dim string, a Size(), a dims key."""

    module: _Module
    line: int
    names: tuple[str, ...]


def _string_annotation_roots(nodes: Iterable[ast.AST]) -> Iterator[ast.expr]:
    for node in nodes:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                if arg is not None and arg.annotation is not None:
                    yield arg.annotation
            if node.returns is not None:
                yield node.returns
        elif isinstance(node, ast.AnnAssign):
            yield node.annotation
            if node.value is not None and _last_name(node.annotation) == "TypeAlias":
                yield node.value


def _strings_in(node: ast.expr) -> Iterator[tuple[int, str]]:
    """The string annotations inside an annotation (not dim strings, not Literal values)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.lineno, node.value
    elif isinstance(node, ast.Subscript):
        if _is_jaxtyping(node) or _last_name(node.value) in ("Literal", "Annotated"):
            if _last_name(node.value) == "Annotated" and isinstance(node.slice, ast.Tuple):
                yield from _strings_in(node.slice.elts[0])
            return
        yield from _strings_in(node.slice)
    elif isinstance(node, ast.Tuple | ast.List):
        for item in node.elts:
            yield from _strings_in(item)
    elif isinstance(node, ast.BinOp):
        yield from _strings_in(node.left)
        yield from _strings_in(node.right)


def _dim_strings(nodes: Iterable[ast.AST], line: int | None = None) -> Iterator[tuple[int, str]]:
    """(line, text) of every jaxtyping dim string among `nodes`."""
    for node in nodes:
        if isinstance(node, ast.Subscript) and _is_jaxtyping(node):
            text = _dim_text(node)
            if text is not None:
                yield (line if line is not None else text[0]), text[1]


def _module_dim_strings(module: _Module) -> Iterator[tuple[int, str]]:
    yield from _dim_strings(module.nodes)
    pending: list[tuple[ast.expr, int | None]] = [
        (root, None) for root in _string_annotation_roots(module.nodes)
    ]
    while pending:
        root, line = pending.pop()
        for lineno, text in _strings_in(root):
            parsed = _parse_string(text)
            if parsed is None:
                continue
            at = line if line is not None else lineno
            yield from _dim_strings(ast.walk(parsed), at)
            pending.append((parsed, at))


def _dims_method_keys(cls: ast.ClassDef) -> list[tuple[int, str]]:
    """(line, key) of the dict literals `__shapecheck_dims__` returns."""
    keys: list[tuple[int, str]] = []
    for stmt in cls.body:
        if not (
            isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef)
            and stmt.name == "__shapecheck_dims__"
        ):
            continue
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Return) or node.value is None:
                continue
            value = node.value
            if isinstance(value, ast.Dict):
                for key in value.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        keys.append((key.lineno, key.value))
            elif isinstance(value, ast.Call) and _last_name(value.func) == "dict":
                keys.extend((kw.value.lineno, kw.arg) for kw in value.keywords if kw.arg)
    return keys


def _glossary_in(module: _Module) -> dict[str, None]:
    names: dict[str, None] = {}
    for node in module.nodes:
        if not (isinstance(node, ast.Call) and _last_name(node.func) == "Registry"):
            continue
        for keyword in node.keywords:
            if keyword.arg != "dims":
                continue
            value = keyword.value
            if isinstance(value, ast.Call) and _last_name(value.func) == "dict":
                names.update(dict.fromkeys(kw.arg for kw in value.keywords if kw.arg))
                value = value.args[0] if value.args else value
            if isinstance(value, ast.Dict):
                for key in value.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        names[key.value] = None
    return names


def _suggest(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(set(candidates) - {name}), n=1)
    return f'; did you mean "{close[0]}"?' if close else ""


# --------------------------------------------------------------- the functions


def _functions(
    body: Iterable[ast.stmt], owner: ast.ClassDef | None = None, prefix: str = ""
) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.ClassDef | None, str]]:
    """Module-level functions and methods (also of nested classes), never nested functions."""
    for stmt in _statements(body):
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            yield stmt, owner, prefix + stmt.name
        elif isinstance(stmt, ast.ClassDef):
            yield from _functions(stmt.body, stmt, f"{prefix}{stmt.name}.")


def _own_annotated_locals(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AnnAssign]:
    found: list[ast.AnnAssign] = []
    pending: list[ast.AST] = list(fn.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return sorted(found, key=lambda node: (node.lineno, node.col_offset))


class _Linter:
    def __init__(self, index: _Index, targets: list[_Module]) -> None:
        self.index = index
        self.targets = targets
        self.walker = _Walker(index)
        self.findings: list[Finding] = list(index.errors)
        self.functions = 0
        self.covered = 0

    def report(self, module: _Module, line: int, code: str, message: str) -> None:
        self.findings.append(Finding(_display(module.path), line, code, message))

    def run(self) -> LintResult:
        uses: list[_Use] = []
        for module in self.targets:
            if module.tree is not None:
                uses.extend(self._uses(module))
        self._glossary_checks(uses)
        for module in self.targets:
            if module.tree is not None:
                for fn, owner, qualname in _functions(module.tree.body):
                    self._function(module, fn, owner, qualname)
        findings = tuple(
            sorted(set(self.findings), key=lambda f: (f.file, f.line, f.code, f.message))
        )
        return LintResult(findings, self.functions, self.covered)

    # SC101, and the uses that SC401 and SC402 count
    def _uses(self, module: _Module) -> Iterator[_Use]:
        assert module.tree is not None
        for line, text in _module_dim_strings(module):
            try:
                shape = parse_shape(text)
            except AnnotationError as error:
                self.report(module, line, "SC101", str(error))
                continue
            if shape.names:
                yield _Use(module, line, shape.names)
        for node in module.nodes:
            if isinstance(node, ast.Call):
                name = _size_name(node)
                if name is not None:
                    yield _Use(module, node.lineno, (name,))
            elif isinstance(node, ast.ClassDef):
                for line, key in _dims_method_keys(node):
                    yield _Use(module, line, (key,))

    def _glossary_checks(self, uses: list[_Use]) -> None:
        glossary: dict[str, None] = {}
        for module in self.targets:
            glossary.update(_glossary_in(module))
        if not glossary and len(self.targets) == 1:
            for module in self.index.enclosing_modules(self.targets[0]):
                glossary.update(_glossary_in(module))
        counts: dict[str, int] = {}
        for use in uses:
            for name in use.names:
                counts[name] = counts.get(name, 0) + 1
        for use in uses:
            for name in use.names:
                if glossary and name not in glossary:
                    hint = _suggest(name, glossary) or "; add it to Registry(dims=...)"
                    message = f'dim "{name}" is not in the glossary{hint}'
                    self.report(use.module, use.line, "SC401", message)
                elif not glossary and counts[name] == 1 and not name.startswith("_"):
                    self.report(
                        use.module,
                        use.line,
                        "SC402",
                        f'dim "{name}" is used only once{_suggest(name, counts)}',
                    )

    # SC201, SC301 and coverage
    def _events(self, module: _Module, annotation: ast.expr | None) -> list[_Event]:
        if annotation is None:
            return []
        return list(self.walker.walk(module, annotation))

    def _function(
        self,
        module: _Module,
        fn: ast.FunctionDef | ast.AsyncFunctionDef,
        owner: ast.ClassDef | None,
        qualname: str,
    ) -> None:
        args = fn.args
        params = [*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg]
        bound: dict[str, None] = {}
        bare: list[str] = []
        tensors = False
        for param in params:
            if param is None:
                continue
            events = self._events(module, param.annotation)
            for event in events:
                if isinstance(event, _SizeBind):
                    bound[event.name] = None
                    continue
                tensors = True
                if event.bare and not event.via_field and param.arg not in bare:
                    bare.append(param.arg)
                if event.shape is not None:
                    bound.update(dict.fromkeys(_binding_names(event.shape)))
        returns = self._events(module, fn.returns)
        for event in returns:
            if isinstance(event, _Leaf):
                tensors = True
                if event.bare and not event.via_field and "return" not in bare:
                    bare.append("return")
        if owner is not None:
            bound.update(dict.fromkeys(key for _, key in self._class_dims(module, owner)))
        if tensors:
            self.functions += 1
            if bare:
                self.report(
                    module,
                    fn.lineno,
                    "SC201",
                    f"{qualname}: bare Tensor in {', '.join(bare)}; "
                    'give it a shape, e.g. Float[Tensor, "batch ..."]',
                )
            else:
                self.covered += 1
        strict = bool(bound)
        reads: list[tuple[str, list[_Event]]] = [
            (f"local {local.target.id}", self._events(module, local.annotation))
            for local in _own_annotated_locals(fn)
            if isinstance(local.target, ast.Name)
        ]
        reads.append(("the return annotation", returns))
        arguments = tuple(bound)
        for where, events in reads:
            for event in events:
                if not isinstance(event, _Leaf) or event.shape is None:
                    continue
                for dim in event.shape.dims:
                    if isinstance(dim, Symbolic):
                        missing = [name for name in dim.names if name not in bound]
                        for name in missing:
                            self.report(
                                module,
                                event.line,
                                "SC301",
                                f'dim "{dim.expr}" in {where} of {qualname} uses "{name}", '
                                "which nothing binds before it",
                            )
                            bound[name] = None
                    elif isinstance(dim, Named | Variadic) and dim.name is not None:
                        if dim.name not in bound and strict:
                            hint = _suggest(dim.name, arguments) or (
                                "; bind it in an argument annotation, "
                                f'or with Annotated[int, Size("{dim.name}")]'
                            )
                            self.report(
                                module,
                                event.line,
                                "SC301",
                                f'dim "{dim.name}" in {where} of {qualname} '
                                f"is bound by no argument{hint}",
                            )
                        bound[dim.name] = None

    def _class_dims(
        self, module: _Module, cls: ast.ClassDef, seen: frozenset[int] = frozenset()
    ) -> list[tuple[int, str]]:
        """The dims a class's `__shapecheck_dims__` (or a base's) returns, statically."""
        keys = _dims_method_keys(cls)
        for base in cls.bases:
            found = self.index.resolve_expr(module, base)
            if found is None or id(found[1]) in seen or not isinstance(found[1], ast.ClassDef):
                continue
            keys.extend(self._class_dims(found[0], found[1], seen | {id(cls)}))
        return keys


def _binding_names(shape: Shape) -> Iterator[str]:
    for dim in shape.dims:
        if isinstance(dim, Named | Variadic) and dim.name is not None:
            yield dim.name


# ----------------------------------------------------------------------- entry


def lint(target: str) -> LintResult:
    """Lint the shape annotations of a module, package, file or package folder.

    Never imports the target. Raises `TargetError` when it does not exist.
    """
    files, root = _target_files(target)
    index = _Index(root)
    modules = [index.add(path, name, is_package, True) for path, name, is_package in files]
    return _Linter(index, modules).run()
