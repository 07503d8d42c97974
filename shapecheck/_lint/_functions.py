"""Function -> signature: what a function's annotations bind, where it has a bare Tensor.

Only module-level functions and methods (also of nested classes) are read,
never functions nested in a function. A function's bound names are the named
dims of its argument annotations (through the fields of NamedTuple and
dataclass arguments of the target), its `Annotated[int, Size("batch")]`
arguments, and, for a method, the keys its class's (or a base class's)
`__shapecheck_dims__` returns.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .._spec import Named, Shape, Variadic
from ._annotations import Event, Leaf, SizeBind, Walker
from ._index import Index, Module
from ._sites import dims_method_keys
from ._syntax import statements

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def functions(
    body: Iterable[ast.stmt], owner: ast.ClassDef | None = None, prefix: str = ""
) -> Iterator[tuple[FunctionNode, ast.ClassDef | None, str]]:
    """Module-level functions and methods (also of nested classes), never nested functions."""
    for stmt in statements(body):
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            yield stmt, owner, prefix + stmt.name
        elif isinstance(stmt, ast.ClassDef):
            yield from functions(stmt.body, stmt, f"{prefix}{stmt.name}.")


def own_annotated_locals(fn: FunctionNode) -> list[ast.AnnAssign]:
    """The annotated locals of a function's own body, in source order."""
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


@dataclass
class Signature:
    """What a function's parameters and return annotation say about tensors."""

    bound: dict[str, None]  # the dim names its arguments bind, in order
    bare: list[str]  # the parameters, and "return", with a bare Tensor
    tensors: bool  # whether it mentions a tensor at all
    returns: list[Event]
    params: list[tuple[str, list[Event]]]  # ("argument x", its events), in order


def _binding_names(shape: Shape) -> Iterator[str]:
    for dim in shape.dims:
        if isinstance(dim, Named | Variadic) and dim.name is not None:
            yield dim.name


def read_signature(walker: Walker, module: Module, fn: FunctionNode) -> Signature:
    args = fn.args
    params = [*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg]
    bound: dict[str, None] = {}
    bare: list[str] = []
    tensors = False
    reads: list[tuple[str, list[Event]]] = []
    for param in params:
        if param is None:
            continue
        events = walker.events(module, param.annotation)
        reads.append((f"argument {param.arg}", events))
        for event in events:
            if isinstance(event, SizeBind):
                bound[event.name] = None
                continue
            tensors = True
            if event.bare and not event.via_field and param.arg not in bare:
                bare.append(param.arg)
            if event.shape is not None:
                bound.update(dict.fromkeys(_binding_names(event.shape)))
    returns = walker.events(module, fn.returns)
    for event in returns:
        if isinstance(event, Leaf):
            tensors = True
            if event.bare and not event.via_field and "return" not in bare:
                bare.append("return")
    return Signature(bound, bare, tensors, returns, reads)


def class_dims(
    index: Index, module: Module, cls: ast.ClassDef, seen: frozenset[int] = frozenset()
) -> list[tuple[int, str]]:
    """The dims a class's `__shapecheck_dims__` (or a base's) returns, statically."""
    keys = dims_method_keys(cls)
    for base in cls.bases:
        found = index.resolve_expr(module, base)
        if found is None or id(found[1]) in seen or not isinstance(found[1], ast.ClassDef):
            continue
        keys.extend(class_dims(index, found[0], found[1], seen | {id(cls)}))
    return keys
