"""Checked intermediates: annotated locals, checked against the call's dims.

The function's source is parsed once, and after every statement that binds an
annotated local (`I: Float[Tensor, "batch hiddens"] = ...`, or a name declared
`X: Float[...]` and bound later by `for X in inputs:` or `H, C = state`), a
call `__shapecheck_local__(k, name)` is inserted. The function is compiled
again with its own file name and line numbers, so tracebacks and debuggers
still point at the real source.

Functions whose source cannot be read (lambdas, the REPL), generators and
coroutines (their locals run after the call has returned), and functions
already wrapped by another decorator keep their locals unchecked.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._errors import AnnotationError
from .._source import function_node
from .._spec import Spec, contains_tensor, spec_of

if TYPE_CHECKING:
    from ._plan import Plan
    from ._values import Memo

__all__ = [
    "Frames",
    "LocalSite",
    "CONVERSIONS",
    "Record",
    "bindings",
    "frames",
    "instrument",
    "local_annotations",
    "target_names",
]

_HOOK = "__shapecheck_local__"


@dataclass(frozen=True)
class LocalSite:
    """One annotated local: its name, its spec, and the line that declares it."""

    name: str
    spec: Spec
    line: int
    annotation: str
    # Each statement that gives it a value: (line, source of the value, a short
    # label of the operation for diagrams), in source order.
    bindings: tuple[tuple[int, str, str], ...] = ()


def _own_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a function body, not those of nested defs and classes."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list):
                yield from _own_statements([s for s in inner if isinstance(s, ast.stmt)])
                for handler in inner:
                    if isinstance(handler, ast.ExceptHandler):
                        yield from _own_statements(handler.body)
        if isinstance(stmt, ast.Match):
            for case in stmt.cases:
                yield from _own_statements(case.body)


def local_annotations(
    fn: Callable[..., Any], localns: dict[str, Any] | None = None
) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef, int, dict[str, LocalSite]] | None:
    """The annotated tensor locals of `fn`, or None when its source is unavailable."""
    if hasattr(fn, "__wrapped__"):
        return None
    try:
        node, offset = function_node(fn)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    sites: dict[str, LocalSite] = {}
    for stmt in _own_statements(node.body):
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
            continue
        name = stmt.target.id
        if name in sites:
            continue
        text = ast.unparse(stmt.annotation)
        try:
            expression = compile(ast.Expression(stmt.annotation), "<annotation>", "eval")
            hint = eval(expression, fn.__globals__, localns)  # noqa: S307
            if isinstance(hint, str):
                hint = eval(hint, fn.__globals__, localns)  # noqa: S307
        except AnnotationError:
            raise
        except NameError:
            # Not resolvable here (a name defined later): mypy reports a
            # misspelt one; the local is left unchecked.
            continue
        except Exception as error:  # noqa: BLE001  (the annotation is the user's code)
            raise AnnotationError(
                f"{fn.__qualname__}, local {name!r} (line {stmt.lineno + offset}): "
                f"cannot evaluate its annotation {text}: {type(error).__name__}: {error}"
            ) from None
        try:
            spec = spec_of(hint)
        except AnnotationError as error:
            raise AnnotationError(
                f"{fn.__qualname__}, local {name!r} (line {stmt.lineno + offset}): {error}"
            ) from None
        if contains_tensor(spec):
            sites[name] = LocalSite(name, spec, stmt.lineno + offset, text)
    for stmt in _own_statements(node.body):
        for name, line, value in bindings(stmt):
            site = sites.get(name)
            if site is not None:
                binding = (line + offset, value, _op_label(stmt))
                sites[name] = dataclasses.replace(site, bindings=(*site.bindings, binding))
    return node, offset, sites


def bindings(stmt: ast.stmt) -> Iterator[tuple[str, int, str]]:
    """(name, line, source of the value) for each name a statement binds."""
    if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        yield from ((n, stmt.lineno, ast.unparse(stmt.value)) for n in target_names(stmt.target))
    elif isinstance(stmt, ast.Assign):
        # An unpacking shows whole (`H, C = state`): the value alone would not
        # say which part each name takes.
        unpacks = any(isinstance(t, ast.Tuple | ast.List) for t in stmt.targets)
        value = ast.unparse(stmt) if unpacks else ast.unparse(stmt.value)
        for target in stmt.targets:
            yield from ((n, stmt.lineno, value) for n in target_names(target))
    elif isinstance(stmt, ast.AugAssign):
        value = (
            f"{ast.unparse(stmt.target)} {_AUG.get(type(stmt.op), '?')}= {ast.unparse(stmt.value)}"
        )
        yield from ((n, stmt.lineno, value) for n in target_names(stmt.target))
    elif isinstance(stmt, ast.For | ast.AsyncFor):
        value = f"for {ast.unparse(stmt.target)} in {ast.unparse(stmt.iter)}"
        yield from ((n, stmt.lineno, value) for n in target_names(stmt.target))
    elif isinstance(stmt, ast.With | ast.AsyncWith):
        for item in stmt.items:
            if item.optional_vars is not None:
                value = ast.unparse(item.context_expr)
                yield from ((n, stmt.lineno, value) for n in target_names(item.optional_vars))


_AUG = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.MatMult: "@"}
# Method calls that only convert: the label names the call they convert.
CONVERSIONS = frozenset({"to", "type", "float", "long", "int", "double", "contiguous"})
"""Methods that change a tensor's dtype, device or layout: an op label looks inside them."""


def _op_label(stmt: ast.stmt) -> str:
    if isinstance(stmt, ast.For | ast.AsyncFor):
        return f"for each of {ast.unparse(stmt.iter)}"
    value = getattr(stmt, "value", None)
    if isinstance(stmt, ast.With | ast.AsyncWith):
        value = stmt.items[0].context_expr
    if not isinstance(value, ast.expr):
        return ""
    while isinstance(value, ast.Call):
        func = value.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in CONVERSIONS
            and isinstance(func.value, ast.Call)
        ):
            value = func.value
            continue
        return ast.unparse(func)
    text = ast.unparse(value)
    return text if len(text) <= 28 else text[:27] + "…"


def target_names(target: ast.expr) -> Iterator[str]:
    """The names an assignment target binds: `x`, `(h, c)`, `[a, *rest]`."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from target_names(element)
    elif isinstance(target, ast.Starred):
        yield from target_names(target.value)


class _Instrument(ast.NodeTransformer):
    def __init__(self, index: dict[str, int], offset: int) -> None:
        self.index = index
        self.offset = offset  # from line numbers in the parsed source to the file's

    def _checks(self, names: Iterator[str], like: ast.stmt, line: int) -> list[ast.stmt]:
        """Calls that check each annotated name in `names`, bound at `line`."""
        calls: list[ast.stmt] = []
        for name in dict.fromkeys(names):
            if name in self.index:
                call = ast.Expr(
                    ast.Call(
                        func=ast.Name(_HOOK, ast.Load()),
                        args=[
                            ast.Constant(self.index[name]),
                            ast.Name(name, ast.Load()),
                            ast.Constant(line + self.offset),
                        ],
                        keywords=[],
                    )
                )
                calls.append(ast.copy_location(call, like))
        return calls

    def _nested(self, node: ast.AST) -> ast.AST:
        return node  # nested functions and classes keep their own locals

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_Lambda = _nested

    def generic_visit(self, node: ast.AST) -> ast.AST:
        for field, old in ast.iter_fields(node):
            if isinstance(old, list) and old and isinstance(old[0], ast.stmt):
                new: list[ast.stmt] = []
                for stmt in old:
                    visited = self.visit(stmt)
                    new.append(visited)
                    new.extend(self._after(stmt))
                setattr(node, field, new)
            elif isinstance(old, list):
                setattr(node, field, [self.visit(x) if isinstance(x, ast.AST) else x for x in old])
            elif isinstance(old, ast.AST):
                setattr(node, field, self.visit(old))
        if isinstance(node, ast.For | ast.AsyncFor):
            node.body[:0] = self._checks(target_names(node.target), node.body[0], node.lineno)
        if isinstance(node, ast.With | ast.AsyncWith):
            names = (
                n
                for item in node.items
                if item.optional_vars is not None
                for n in target_names(item.optional_vars)
            )
            node.body[:0] = self._checks(names, node.body[0], node.lineno)
        return node

    def _after(self, stmt: ast.stmt) -> list[ast.stmt]:
        if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            return self._checks(target_names(stmt.target), stmt, stmt.lineno)
        if isinstance(stmt, ast.Assign):
            return self._checks(
                (n for t in stmt.targets for n in target_names(t)), stmt, stmt.lineno
            )
        if isinstance(stmt, ast.AugAssign):
            return self._checks(target_names(stmt.target), stmt, stmt.lineno)
        return []


def instrument(
    fn: Callable[..., Any],
    hook: Callable[[int, Any, int], None],
    localns: dict[str, Any] | None = None,
) -> tuple[Callable[..., Any], tuple[LocalSite, ...]] | None:
    """`fn` recompiled with a call to `hook(k, value)` after each bind of an annotated local.

    None when `fn` has no annotated tensor locals or cannot be instrumented.
    """
    if inspect.isgeneratorfunction(fn) or inspect.iscoroutinefunction(fn):
        return None
    if inspect.isasyncgenfunction(fn):
        return None
    found = local_annotations(fn, localns)
    if found is None:
        return None
    node, offset, sites = found
    if not sites:
        return None
    index = {name: k for k, name in enumerate(sites)}
    node.decorator_list = []
    # Under its own name, the recompiled def would become the body's meaning
    # of that name: a recursive call would skip the checks.
    node.name = "__shapecheck_body__"
    node = _Instrument(index, offset).generic_visit(node)  # type: ignore[assignment]
    freevars = fn.__code__.co_freevars
    try:
        cells = [cell.cell_contents for cell in fn.__closure__ or ()]
    except ValueError:
        raise _NotReady from None  # a closure cell (super()'s __class__) is not filled yet
    # A factory whose parameters are the hook and the closure's free
    # variables, so that the recompiled function sees them as before.
    factory = ast.parse(
        f"def __shapecheck_factory__({', '.join([_HOOK, *freevars])}):\n    pass"
    ).body[0]
    assert isinstance(factory, ast.FunctionDef)
    factory.body = [node, ast.Return(ast.Name(node.name, ast.Load()))]
    module = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(module)
    ast.increment_lineno(module, offset)
    code = compile(module, fn.__code__.co_filename, "exec")
    namespace: dict[str, Any] = {}
    exec(code, fn.__globals__, namespace)  # noqa: S102  (the function's own source)
    new = namespace["__shapecheck_factory__"](hook, *cells)
    new.__code__ = new.__code__.replace(
        co_name=fn.__code__.co_name, co_qualname=fn.__code__.co_qualname
    )
    new.__name__ = fn.__name__
    new.__defaults__ = fn.__defaults__
    new.__kwdefaults__ = fn.__kwdefaults__
    new.__qualname__ = fn.__qualname__
    new.__module__ = fn.__module__
    new.__doc__ = fn.__doc__
    new.__annotations__ = fn.__annotations__
    new.__dict__.update(fn.__dict__)
    return new, tuple(sites.values())


def set_hook(body: Callable[..., Any], hook: Callable[[int, Any, int], None]) -> None:
    """Point the calls of a body made by `instrument` at another hook."""
    assert body.__closure__ is not None
    body.__closure__[body.__code__.co_freevars.index(_HOOK)].cell_contents = hook


class _NotReady(Exception):
    """The function cannot be instrumented yet; retry on its first call."""


# ------------------------------------------------------------------ the frames


# While documenting: one checked local, as (plan, name, line, value, self or None).
Record = tuple["Plan", str, int, Any, Any]


class Frames(threading.local):
    """Per thread: the memos of the checked calls in progress, innermost last."""

    def __init__(self) -> None:
        self.stack: list[Memo] = []
        # While documenting: (plan, local name, line, value, self or None) for
        # each local checked.
        self.recorder: list[Record] | None = None


frames = Frames()
