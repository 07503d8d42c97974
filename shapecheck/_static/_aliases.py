"""Parsed module -> the dim strings of its type aliases, found before mypy strips them.

mypy turns `Hidden = Float[Tensor, "batch hiddens"]` into an alias of plain
`Tensor`: for an alias, `Annotated[...]` is dropped while the expression is
converted, before any plugin hook sees it. What mypy still asks the plugin
about is the array type inside (`Tensor`), at its line and column. So each
freshly parsed module is read first (`Plugin.get_additional_deps`), and
every jaxtyping subscript in the value of an assignment at module or class
level is recorded by where its array type is written; the hook on that
array type then finds the dim string and puts it on the alias's target.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mypy.nodes import (
    AssignmentStmt,
    Block,
    CallExpr,
    ClassDef,
    Expression,
    IfStmt,
    IndexExpr,
    ListExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    OpExpr,
    Statement,
    StrExpr,
    TupleExpr,
)

from .._lint._annotations import DTYPES

__all__ = ["Site", "alias_sites"]


@dataclass(frozen=True)
class Site:
    """A jaxtyping subscript in an alias: where its array type is written, and its dim string."""

    module: str
    line: int  # of the array type, `Tensor` in `Float[Tensor, "..."]`
    column: int
    head: str  # the array type's last name, `Tensor`
    text: str  # the dim string


def _last_name(expr: Expression) -> str | None:
    if isinstance(expr, NameExpr | MemberExpr):
        return expr.name
    return None


def _statements(body: Iterable[Statement]) -> Iterator[Statement]:
    for stmt in body:
        yield stmt
        if isinstance(stmt, IfStmt):
            for block in stmt.body:
                yield from _statements(block.body)
            if stmt.else_body is not None:
                yield from _statements(stmt.else_body.body)
        elif isinstance(stmt, ClassDef):
            yield from _statements(stmt.defs.body)
        elif isinstance(stmt, Block):
            yield from _statements(stmt.body)


def _subscripts(expr: Expression, depth: int = 0) -> Iterator[IndexExpr]:
    """The jaxtyping subscripts in an expression: `Float[...]` itself, or inside `tuple[...]`,
    `X | Y`, a list or a call (a functional NamedTuple)."""
    if depth > 16:
        return
    if isinstance(expr, IndexExpr):
        if _last_name(expr.base) in DTYPES and isinstance(expr.index, TupleExpr):
            yield expr
            return
        yield from _subscripts(expr.index, depth + 1)
    elif isinstance(expr, TupleExpr | ListExpr):
        for item in expr.items:
            yield from _subscripts(item, depth + 1)
    elif isinstance(expr, OpExpr):
        yield from _subscripts(expr.left, depth + 1)
        yield from _subscripts(expr.right, depth + 1)
    elif isinstance(expr, CallExpr):
        for arg in expr.args:
            yield from _subscripts(arg, depth + 1)


def alias_sites(file: MypyFile) -> Iterator[Site]:
    """The jaxtyping subscripts in the assignments of a module and its classes."""
    for stmt in _statements(file.defs):
        if not isinstance(stmt, AssignmentStmt):
            continue
        for node in _subscripts(stmt.rvalue):
            assert isinstance(node.index, TupleExpr)
            items = node.index.items
            if len(items) < 2 or not isinstance(items[1], StrExpr):
                continue
            head = _last_name(items[0])
            if head is None:
                continue
            yield Site(file.fullname, items[0].line, items[0].column, head, items[1].value)
