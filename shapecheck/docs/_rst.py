"""The shape reference as reStructuredText, for the Sphinx extension.

A function's part is what its section of the Markdown page holds below the
signature and summary (which autodoc shows already): the argument and return
table, the intermediates, the relations, the flow diagram and the problems.
The glossary is the page's glossary table. Both are lines to append to a
docstring or to parse in a directive, so there are no section titles: each
part is headed by a `rubric`.

Shapes, names and expressions are inline literals; prose (docstring text,
relations) keeps its `code spans` as literals and escapes everything else,
so nothing in a docstring can start a list or a reference inside a table.
"""

from __future__ import annotations

import re

from ._markdown import (
    NOT_RUN,
    UNDESCRIBED,
    example_sentence,
    short_function_name,
    split_code_spans,
)
from ._model import Example, Flow, FunctionDoc, Observed, Report
from ._svg import render_svg
from ._text import card_problem, dtype_text, observed_text, relation_text, shape_text

__all__ = ["function_lines", "glossary_lines", "literal", "prose"]

_INDENT = "   "
# Markup that can start inside a line: emphasis, literals, roles,
# substitutions, references (`name_`, `[1]_`), and the escape itself.
_INLINE_SPECIALS = re.compile(r"[\\`*|_]")
# What turns a line's start into a list, a field, a comment or a title.
_BLOCK_START = re.compile(r"[^\w\s]|\w{1,5}[.)](?=\s|$)")
_XML_PROLOG = re.compile(r"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!DOCTYPE[^>]*>\s*)?")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def literal(code: str) -> str:
    """`code` on one line as an inline literal, whatever characters it holds."""
    code = _one_line(code)
    if not code:
        return ""
    if "`" not in code and "\\" not in code:
        return f"``{code}``"
    # Inside interpreted text a backslash escapes, as it does not in ``...``.
    return ":literal:`" + code.replace("\\", "\\\\").replace("`", "\\`") + "`"


def _escape(text: str) -> str:
    return _INLINE_SPECIALS.sub(lambda match: "\\" + match.group(0), text)


def prose(text: str) -> str:
    """Docstring-like text on one line: `code` spans as literals, everything else escaped.

    A literal touching other text is set off by an escaped space (`\\ `),
    which reads as nothing, so that `` `dim`s `` still parses.
    """
    pieces = [(is_code, piece) for is_code, piece in split_code_spans(_one_line(text)) if piece]
    out: list[str] = []
    for index, (is_code, piece) in enumerate(pieces):
        if not is_code:
            out.append(_line_start(_escape(piece)) if index == 0 else _escape(piece))
            continue
        code = literal(piece)
        if not code:
            continue
        if out and not out[-1][-1].isspace():
            out.append("\\ ")
        out.append(code)
        following = pieces[index + 1][1] if index + 1 < len(pieces) else " "
        if not following[0].isspace():
            out.append("\\ ")
    return "".join(out)


def _line_start(text: str) -> str:
    """`text` with what would start a list, a field or a comment escaped."""
    match = _BLOCK_START.match(text)
    if match is None or text.startswith("\\"):
        return text
    return text[: match.end() - 1] + "\\" + text[match.end() - 1 :]


def _shape(spec_text: str) -> str:
    return literal(spec_text) if spec_text.strip() else "*(scalar)*"


def _concrete(observed: Observed) -> str:
    text = observed_text(observed)
    return prose(text) if text is not None else NOT_RUN


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A `list-table` with a header row; empty cells stay empty."""
    out = [".. list-table::", f"{_INDENT}:header-rows: 1", f"{_INDENT}:widths: auto", ""]
    for row in [header, *rows]:
        for index, cell in enumerate(row):
            bullet = "* -" if index == 0 else "  -"
            out.append(f"{_INDENT}{bullet} {cell}".rstrip())
    return [*out, ""]


def _indented(lines: list[str], indent: str = _INDENT) -> list[str]:
    return [indent + line if line else "" for line in lines]


def _flow(flow: Flow) -> list[str]:
    """The flow diagram as inline SVG, for HTML output only: other formats
    leave raw HTML out, so the heading goes with it."""
    svg = _XML_PROLOG.sub("", render_svg(flow)).rstrip()
    raw = ['<div class="shapecheck-flow" style="overflow-x: auto">', *svg.splitlines(), "</div>"]
    body = [".. rubric:: Shape flow", "", ".. raw:: html", "", *_indented(raw)]
    return [".. only:: html", "", *_indented(body), ""]


def function_lines(function: FunctionDoc, example: Example | None) -> list[str]:
    """A function's shape tables, relations, flow and problems as rST lines.

    `example` names the column of observed sizes (none without one). A
    function with none of these gets no lines.
    """
    at = f"at {prose(example.name)}" if example is not None else None
    out: list[str] = []
    if function.rows:
        header = ["path", "dtype", "shape"] + ([at] if at else []) + ["description"]
        rows = []
        for row in function.rows:
            branch = f" ({prose(row.branch)})" if row.branch is not None else ""
            cells = [literal(str(row.path)) + branch, prose(dtype_text(row.spec))]
            cells.append(_shape(shape_text(row.spec)))
            if at:
                cells.append(_concrete(row.concrete))
            cells.append(prose(row.description))
            rows.append(cells)
        out += [".. rubric:: Arguments and returns", "", *_table(header, rows)]

    if function.intermediates:
        header = ["line", "name", "dtype", "shape"] + ([at] if at else []) + ["expression"]
        rows = []
        for item in function.intermediates:
            cells = [str(item.line), literal(item.name), prose(dtype_text(item.spec))]
            cells.append(_shape(shape_text(item.spec)))
            if at:
                cells.append(_concrete(item.concrete))
            cells.append(literal(item.expression))
            rows.append(cells)
        out += [".. rubric:: Intermediates", "", *_table(header, rows)]

    if function.relations:
        out += [".. rubric:: Relations", ""]
        out += [f"- {prose(relation_text(relation))}" for relation in function.relations]
        out.append("")

    if function.flow is not None:
        out += _flow(function.flow)

    if function.problems:
        body = [f"Problems with {literal(function.qualname)}:", ""]
        body += [f"- {prose(card_problem(problem))}" for problem in function.problems]
        out += [".. warning::", "", *_indented(body), ""]
    return out


def glossary_lines(report: Report) -> list[str]:
    """The glossary of `report` as rST lines: each dim, its description, and
    the functions that use it as `py:obj` references (titled without the
    target's prefix); the example sizes first, where there are some."""
    out: list[str] = []
    if report.example is not None:
        out += [prose(example_sentence(report.example)), ""]
    if not report.glossary:
        return [*out, "*No named dimensions.*", ""]
    rows = []
    for entry in report.glossary:
        described = entry.description is not None and entry.description.strip()
        description = prose(entry.description or "") if described else f"*{UNDESCRIBED}*"
        users = ", ".join(
            f":py:obj:`{short_function_name(report, name)} <{name}>`" for name in entry.used_by
        )
        rows.append([literal(entry.name), description, users])
    return [*out, *_table(["dim", "description", "used by"], rows)]
