"""New imports in the writer's output (`_write`), placed as ruff's isort would
place them: a name goes into an existing `from` import of its module, or a new
`from` import goes into its section (standard library, third party, first
party, relative), in order; where the file's imports follow no sections, after
the last one. A name the module already binds is never imported again.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

import libcst as cst
from libcst.helpers import get_full_name_for_node

from ._cst import bound_names, comment_lines, inner_suites, suite_statements

__all__ = ["with_imports"]


def with_imports(
    module: cst.Module, needed: Mapping[str, set[str]], first_party: Collection[str]
) -> cst.Module:
    """`module` importing the `needed` names from their modules, merged into its
    `from MODULE import ...` where it has one, and skipping names it binds."""
    bound, starred = _top_level_names(module)
    wanted = {
        origin: sorted(names - bound, key=_member_order)
        for origin, names in sorted(needed.items())
        if origin not in starred and names - bound
    }
    body: list[cst.BaseStatement] = list(module.body)
    added: list[cst.SimpleStatementLine] = []
    for origin, names in wanted.items():
        found = _from_import(body, origin)
        if found is None:
            added.append(cst.SimpleStatementLine([_from_statement(origin, names)]))
            continue
        index, small = found
        line = body[index]
        assert isinstance(line, cst.SimpleStatementLine)
        smalls = list(line.body)
        smalls[small] = _merged(smalls[small], names)
        body[index] = line.with_changes(body=smalls)
    if added:
        _add(body, added, first_party)
    return module.with_changes(body=body)


def _add(
    body: list[cst.BaseStatement],
    added: Sequence[cst.SimpleStatementLine],
    first_party: Collection[str],
) -> None:
    """The new import lines, each in its isort section where the module's imports
    are in sections; else after the last import."""
    layout = _layout(body, first_party)
    if layout is None:
        _insert(body, added)
        return
    order = layout.section
    for line in sorted(added, key=lambda line: (order(_import_of(line)), _import_key(line))):
        if layout is None or not layout.groups:  # the first import is set apart
            _insert(body, [line])
        else:
            _insert_in_section(body, line, layout)
        layout = _layout(body, first_party)


def _insert(body: list[cst.BaseStatement], added: Sequence[cst.SimpleStatementLine]) -> None:
    """`added` after the module's last import, or after its docstring if it has none."""
    if not added:
        return
    position, after_import = _import_position(body)
    added = list(added)
    if not after_import:  # the first import: set it apart from what is around it
        if position > 0:
            added[0] = added[0].with_changes(leading_lines=[cst.EmptyLine()])
        if position < len(body):
            following = body[position]
            leading = comment_lines(following)
            if not leading or leading[0].comment is not None:
                blank = 2 if isinstance(following, (cst.FunctionDef, cst.ClassDef)) else 1
                body[position] = following.with_changes(
                    leading_lines=[cst.EmptyLine()] * blank + list(leading)
                )
    body[position:position] = added


# -- isort's sections ------------------------------------------------------------------------


class _Section(IntEnum):
    """isort's sections, in their order in a module."""

    FUTURE = 0
    STANDARD_LIBRARY = 1
    THIRD_PARTY = 2
    FIRST_PARTY = 3
    LOCAL_FOLDER = 4


_OURS_OR_THEIRS = frozenset({_Section.THIRD_PARTY, _Section.FIRST_PARTY})


@dataclass(frozen=True)
class _Group:
    """The import lines of one section, in a row: their indices in the module's body."""

    section: _Section
    indices: tuple[int, ...]


@dataclass(frozen=True)
class _Layout:
    """The module's top-level imports in isort's sections; and the section each
    package it imports, neither standard nor named first-party, was found in."""

    groups: tuple[_Group, ...]
    first_party: Collection[str]
    found: Mapping[str, _Section]

    def section(self, imported: tuple[str, int]) -> _Section:
        """The section of the module `imported`, with its relative level."""
        name, level = imported
        sections = _sections(name, level, self.first_party)
        if len(sections) == 1:
            (section,) = sections
            return section
        return self.found.get(name.split(".")[0], _Section.THIRD_PARTY)


def _layout(body: Sequence[cst.BaseStatement], first_party: Collection[str]) -> _Layout | None:
    """The import lines before the first def or class, in isort's sections and
    order, a blank line where a section starts; None where they are not (a
    statement among them, two imports on a line, sections mixed or out of order).

    A blank line starts the next section, unless comment lines follow it: ruff
    sets those apart inside a section too."""
    lines: list[int] = []
    for index, statement in enumerate(body):
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            break
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        ):
            if len(statement.body) > 1 or (lines and lines[-1] != index - 1):
                return None
            lines.append(index)
    sections: list[tuple[_Section, int]] = []
    found: dict[str, _Section] = {}
    for index in lines:
        imported = _imported(body[index])
        possible = set(_Section)
        for name, level in imported:
            possible &= _sections(name, level, first_party)
        leading = comment_lines(body[index])
        blank = any(line.comment is None for line in leading)
        if not sections:
            if not possible:
                return None
            section = min(possible)
        else:
            previous = sections[-1][0]
            later = [s for s in possible if s > previous]
            commented = blank and leading[-1].comment is not None
            if previous in possible and (not blank or not later or commented):
                section = previous
            elif blank and later:
                section = min(later)
            else:
                return None
        sections.append((section, index))
        for name, level in imported:
            if _sections(name, level, first_party) == _OURS_OR_THEIRS:
                found.setdefault(name.split(".")[0], section)
    groups = tuple(
        _Group(section, tuple(index for s, index in sections if s == section))
        for section in sorted({section for section, _ in sections})
    )
    return _Layout(groups, first_party, found)


def _sections(name: str, level: int, first_party: Collection[str]) -> frozenset[_Section]:
    """The sections isort may put a module in, as far as the module tells."""
    package = name.split(".")[0]
    if level:
        return frozenset({_Section.LOCAL_FOLDER})
    if name == "__future__":
        return frozenset({_Section.FUTURE})
    if package in sys.stdlib_module_names:
        return frozenset({_Section.STANDARD_LIBRARY})
    if package in first_party:
        return frozenset({_Section.FIRST_PARTY})
    return _OURS_OR_THEIRS  # the project's own if ruff finds it there, else third-party


def _imported(statement: cst.BaseStatement) -> list[tuple[str, int]]:
    """The modules an import line imports, with their relative levels."""
    assert isinstance(statement, cst.SimpleStatementLine)
    (small,) = statement.body
    if isinstance(small, cst.Import):
        return [(get_full_name_for_node(alias.name) or "", 0) for alias in small.names]
    assert isinstance(small, cst.ImportFrom)
    return [_import_of(statement)]


def _import_of(statement: cst.BaseStatement) -> tuple[str, int]:
    """The module of a `from` import line, and its relative level."""
    assert isinstance(statement, cst.SimpleStatementLine)
    (small,) = statement.body
    assert isinstance(small, cst.ImportFrom)
    name = get_full_name_for_node(small.module) if small.module is not None else None
    return name or "", len(small.relative)


_Natural = tuple[tuple[int, str], ...]


def _import_key(
    statement: cst.BaseStatement,
) -> tuple[int, int, bool, _Natural, _Natural, tuple[int, str, str]]:
    """isort's order in a section (ruff's defaults): `import m` lines first, then
    `from m import ...`; the furthest relative level first; then the module,
    case aside, numbers by value; then the first name imported."""
    assert isinstance(statement, cst.SimpleStatementLine)
    (small,) = statement.body
    if isinstance(small, cst.Import):
        name = get_full_name_for_node(small.names[0].name) or ""
        return 0, 0, True, _natural(name.lower()), _natural(name), _member_order("")
    assert isinstance(small, cst.ImportFrom)
    name, level = _import_of(statement)
    first = "" if isinstance(small.names, cst.ImportStar) else small.names[0].evaluated_name
    return 1, -level, bool(name), _natural(name.lower()), _natural(name), _member_order(first)


def _natural(text: str) -> _Natural:
    """`text` in natural order: `torch9` before `torch10`."""
    return tuple(
        (int(part), "") if index % 2 else (0, part)
        for index, part in enumerate(re.split(r"(\d+)", text))
    )


def _insert_in_section(
    body: list[cst.BaseStatement], line: cst.SimpleStatementLine, layout: _Layout
) -> None:
    """`line` in its place among the module's imports: in order in its section's
    group, or a group of its own between those of the sections around it. The
    comment lines above an import stay with it, a blank line above them (as
    ruff writes them)."""
    section = layout.section(_import_of(line))
    key = _import_key(line)
    same = [group for group in layout.groups if group.section == section]
    later = [group for group in layout.groups if group.section > section]
    if same:
        (group,) = same
        at = next((i for i in group.indices if _import_key(body[i]) > key), None)
        if at is None or at != group.indices[0]:  # what is above `at` stays with it
            body.insert(group.indices[-1] + 1 if at is None else at, line)
            return
    elif later:
        at = later[0].indices[0]
    else:
        after = layout.groups[-1].indices[-1] + 1
        body.insert(after, line.with_changes(leading_lines=[cst.EmptyLine()]))
        return
    above, own = _comments_above(body[at])
    if own or not same:
        own = [cst.EmptyLine(), *own]
    body[at] = body[at].with_changes(leading_lines=own)
    body.insert(at, line.with_changes(leading_lines=above))


def _comments_above(
    statement: cst.BaseStatement,
) -> tuple[list[cst.EmptyLine], list[cst.EmptyLine]]:
    """The lines above a statement: those up to its last blank line, and the
    comment lines below that, which isort keeps with the statement."""
    leading = list(comment_lines(statement))
    blank = max((n for n, line in enumerate(leading) if line.comment is None), default=-1)
    return leading[: blank + 1], leading[blank + 1 :]


# -- the import statements ---------------------------------------------------------------


def _top_level_names(module: cst.Module) -> tuple[set[str], set[str]]:
    """The names the module binds outside functions and classes (imports, defs,
    classes, assignments), and the modules it imports `*` from."""
    bound: set[str] = set()
    starred: set[str] = set()

    def visit(statements: Sequence[cst.CSTNode]) -> None:
        for statement in statements:
            if isinstance(statement, cst.SimpleStatementLine):
                visit(statement.body)
            elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                bound.add(statement.name.value)
            elif isinstance(statement, cst.BaseCompoundStatement):
                for suite in inner_suites(statement):
                    visit(suite_statements(suite))
            elif isinstance(statement, cst.ImportFrom) and isinstance(
                statement.names, cst.ImportStar
            ):
                starred.add(_module_name(statement) or "")
            elif isinstance(
                statement, (cst.Import, cst.ImportFrom, cst.Assign, cst.AnnAssign, cst.AugAssign)
            ):
                bound.update(bound_names(statement))

    visit(module.body)
    return bound, starred


def _module_name(statement: cst.ImportFrom) -> str | None:
    """`a.b` for `from a.b import ...`; None for a relative import."""
    if statement.relative or statement.module is None:
        return None
    return get_full_name_for_node(statement.module)


def _from_import(body: Sequence[cst.BaseStatement], origin: str) -> tuple[int, int] | None:
    """Where the module's first top-level `from origin import names` is: the
    statement's index, and its index in that line."""
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine):
            for small, node in enumerate(statement.body):
                if (
                    isinstance(node, cst.ImportFrom)
                    and not isinstance(node.names, cst.ImportStar)
                    and _module_name(node) == origin
                ):
                    return index, small
    return None


def _import_position(body: Sequence[cst.BaseStatement]) -> tuple[int, bool]:
    """Where a new import goes: after the last import before the first def or
    class, else after the docstring; and whether that is after an import."""
    position, after_import = 0, False
    if body and _is_docstring(body[0]):
        position = 1
    for index, statement in enumerate(body):
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            break
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        ):
            position, after_import = index + 1, True
    return position, after_import


def _is_docstring(statement: cst.BaseStatement) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    return isinstance(small, cst.Expr) and isinstance(
        small.value, (cst.SimpleString, cst.ConcatenatedString)
    )


def _from_statement(origin: str, names: Sequence[str]) -> cst.ImportFrom:
    statement = cst.parse_statement(f"from {origin} import {', '.join(names)}\n")
    assert isinstance(statement, cst.SimpleStatementLine)
    small = statement.body[0]
    assert isinstance(small, cst.ImportFrom)
    return small


def _merged(node: cst.BaseSmallStatement, names: Sequence[str]) -> cst.ImportFrom:
    """`from m import a, c` with `b` added in order, in the statement's layout."""
    assert isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar)
    aliases = list(node.names)
    last = aliases[-1]
    template = _comma(node, aliases)
    merged: list[cst.ImportAlias] = list(aliases)
    for name in names:
        at = next(
            (
                index
                for index, alias in enumerate(merged)
                if _member_order(name) < _member_order(alias.evaluated_name)
            ),
            len(merged),
        )
        merged.insert(at, cst.ImportAlias(cst.Name(name)))
    laid_out = []
    for index, alias in enumerate(merged):
        if index == len(merged) - 1:
            alias = alias.with_changes(comma=last.comma)
        elif alias is last or isinstance(alias.comma, cst.MaybeSentinel):
            alias = alias.with_changes(comma=template)
        laid_out.append(alias)
    return node.with_changes(names=laid_out)


def _comma(statement: cst.ImportFrom, aliases: Sequence[cst.ImportAlias]) -> cst.Comma:
    """The comma between two names of the import, as it writes them: on one line,
    or one name a line (without the comment a line may end with)."""
    for alias in aliases[:-1]:
        comma = alias.comma
        if isinstance(comma, cst.Comma) and isinstance(
            comma.whitespace_after, cst.SimpleWhitespace
        ):
            return comma
    opening = statement.lpar.whitespace_after if statement.lpar else None
    if isinstance(opening, cst.ParenthesizedWhitespace):
        return cst.Comma(
            whitespace_after=cst.ParenthesizedWhitespace(
                indent=opening.indent, last_line=opening.last_line
            )
        )
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _member_order(name: str) -> tuple[int, str, str]:
    """The order of names in a `from` import: constants, classes, then the rest."""
    kind = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name.lower(), name
