"""Reading a module's concrete syntax tree, for the writer and its imports:
the statements of a suite, the suites inside a statement, the names a
statement binds, and the comment lines above a statement."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import libcst as cst

__all__ = [
    "Walrus",
    "bound_names",
    "comment_lines",
    "compound_header",
    "inner_suites",
    "suite_statements",
    "target_names",
]


def suite_statements(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    """A body's statements; a one-line body's small statements."""
    if isinstance(suite, cst.IndentedBlock):
        return [
            small
            for statement in suite.body
            for small in (
                statement.body if isinstance(statement, cst.SimpleStatementLine) else [statement]
            )
        ]
    return list(suite.body) if isinstance(suite, cst.SimpleStatementSuite) else []


def inner_suites(node: cst.CSTNode) -> Iterator[cst.BaseSuite]:
    """The bodies of a compound statement: `else`, `elif`, `except`, `finally`
    and `case` ones included."""
    for child in node.children:
        if isinstance(child, cst.BaseSuite):
            yield child
        elif isinstance(
            child,
            (
                cst.If,
                cst.Else,
                cst.ExceptHandler,
                cst.ExceptStarHandler,
                cst.Finally,
                cst.MatchCase,
            ),
        ):
            yield from inner_suites(child)


def compound_header(statement: cst.CSTNode) -> Sequence[cst.CSTNode]:
    """The parts of a compound statement before its body's colon that may bind."""
    if isinstance(statement, cst.For):
        return [statement.target, statement.iter]
    if isinstance(statement, (cst.If, cst.While)):
        return [statement.test]
    if isinstance(statement, cst.With):
        return list(statement.items)
    if isinstance(statement, cst.Match):
        return [statement.subject]
    return []


def bound_names(node: cst.CSTNode) -> set[str]:
    """The names a small statement, or a compound statement's header, binds."""
    names: set[str] = set()
    if isinstance(node, cst.Assign):
        for target in node.targets:
            names |= target_names(target.target)
    elif isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.For)):
        names |= target_names(node.target)
    elif isinstance(node, cst.With):
        for item in node.items:
            names |= target_names(item.asname.name) if item.asname else set()
    elif isinstance(node, (cst.Import, cst.ImportFrom)) and not isinstance(
        node.names, cst.ImportStar
    ):
        for alias in node.names:
            names.add(alias.evaluated_alias or alias.evaluated_name.split(".")[0])
    walrus = Walrus()
    for part in compound_header(node) if isinstance(node, cst.BaseCompoundStatement) else [node]:
        part.visit(walrus)
    return names | walrus.names


def target_names(target: cst.BaseExpression) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return {name for element in target.elements for name in target_names(element.value)}
    if isinstance(target, cst.StarredElement):
        return target_names(target.value)
    return set()


class Walrus(cst.CSTVisitor):
    """The names `:=` binds in the function's own scope (not in a lambda's)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.names |= target_names(node.target)

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def comment_lines(statement: cst.BaseStatement) -> Sequence[cst.EmptyLine]:
    """The blank and comment lines above a statement."""
    assert isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    return statement.leading_lines
