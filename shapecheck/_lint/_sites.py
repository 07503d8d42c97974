"""Module -> sites: where dim names are written, and the glossary a package declares.

A site is a dim string (also inside string annotations), a `Size("...")`, or
a key of the dict literal a class's `__shapecheck_dims__` returns. The
glossary is the literal `Registry(dims={...})` of a module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ._annotations import dim_text, is_jaxtyping
from ._index import Module
from ._syntax import last_name, parse_string


@dataclass(frozen=True)
class Use:
    """One written use of dim names: a dim string, a Size(), a dims key."""

    module: Module
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
            if node.value is not None and last_name(node.annotation) == "TypeAlias":
                yield node.value


def _strings_in(node: ast.expr) -> Iterator[tuple[int, str]]:
    """The string annotations inside an annotation (not dim strings, not Literal values)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.lineno, node.value
    elif isinstance(node, ast.Subscript):
        if is_jaxtyping(node) or last_name(node.value) in ("Literal", "Annotated"):
            if last_name(node.value) == "Annotated" and isinstance(node.slice, ast.Tuple):
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
        if isinstance(node, ast.Subscript) and is_jaxtyping(node):
            text = dim_text(node)
            if text is not None:
                yield (line if line is not None else text[0]), text[1]


def module_dim_strings(module: Module) -> Iterator[tuple[int, str]]:
    """(line, text) of every dim string of a module, string annotations included."""
    yield from _dim_strings(module.nodes)
    pending: list[tuple[ast.expr, int | None]] = [
        (root, None) for root in _string_annotation_roots(module.nodes)
    ]
    while pending:
        root, line = pending.pop()
        for lineno, text in _strings_in(root):
            parsed = parse_string(text)
            if parsed is None:
                continue
            at = line if line is not None else lineno
            yield from _dim_strings(ast.walk(parsed), at)
            pending.append((parsed, at))


def dims_method_keys(cls: ast.ClassDef) -> list[tuple[int, str]]:
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
            elif isinstance(value, ast.Call) and last_name(value.func) == "dict":
                keys.extend((kw.value.lineno, kw.arg) for kw in value.keywords if kw.arg)
    return keys


def glossary_in(module: Module) -> dict[str, None]:
    """The dim names of a module's `Registry(dims=...)` literals, in order."""
    names: dict[str, None] = {}
    for node in module.nodes:
        if not (isinstance(node, ast.Call) and last_name(node.func) == "Registry"):
            continue
        for keyword in node.keywords:
            if keyword.arg != "dims":
                continue
            value = keyword.value
            if isinstance(value, ast.Call) and last_name(value.func) == "dict":
                names.update(dict.fromkeys(kw.arg for kw in value.keywords if kw.arg))
                value = value.args[0] if value.args else value
            if isinstance(value, ast.Dict):
                for key in value.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        names[key.value] = None
    return names
