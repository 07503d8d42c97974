"""Suppressions: `# shapecheck: ignore[...]` comments, and the ignores `lint` is given.

Inline, read with `tokenize` (a `#` inside a string is no comment):

- `# shapecheck: ignore[SC301]` at the end of a line silences SC301 on that
  line; `ignore[SC301, SC201]` several codes; a bare `# shapecheck: ignore`
  every code. Other text may follow in the comment (`# shapecheck:
  ignore[SC301]  # why`), or come before it (`# noqa: E501  # shapecheck: ...`).
- On a line of a function's header (its decorators, its `def` line, or any
  line up to the `:` that ends its signature), the comment silences those
  codes in the whole function: decorators, signature and body, nested
  functions included.
- A comment naming an unknown code, or naming none (`ignore[]`), or without
  its `]`, is SC002 at its line; the known codes of that comment still apply.
  SC002 itself is never silenced by a comment, only by `ignore`.

Configured: `Ignores`, the `ignore` and `per_file_ignores` arguments of
`lint`, each code checked. A `per_file_ignores` pattern is matched with
`fnmatch` (case-sensitive) against the finding's file as it is printed: posix,
relative to the current directory when under it. `*` also matches `/`, so
`tests/*` holds the files of every folder under `tests`.
"""

from __future__ import annotations

import ast
import difflib
import io
import re
import tokenize
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from ._codes import CODES, checked_codes, known_codes
from ._index import Module
from ._result import Finding

_DIRECTIVE = re.compile(r"#\s*shapecheck\s*:\s*ignore(?![\w-])")
_EVERY = frozenset(CODES)
_NEVER_INLINE = "SC002"  # a typo in a suppression is never silenced by one


@dataclass
class FileSuppressions:
    """The inline suppressions of one file: per line, and per function."""

    lines: dict[int, frozenset[str]] = field(default_factory=dict)
    scopes: list[tuple[int, int, frozenset[str]]] = field(default_factory=list)

    def silences(self, line: int, code: str) -> bool:
        if code == _NEVER_INLINE:
            return False
        if code in self.lines.get(line, ()):
            return True
        return any(first <= line <= last and code in codes for first, last, codes in self.scopes)


@dataclass(frozen=True)
class Ignores:
    """The codes `lint` was told to ignore, everywhere and per file pattern."""

    everywhere: frozenset[str] = frozenset()
    per_file: tuple[tuple[str, frozenset[str]], ...] = ()

    @classmethod
    def checked(
        cls, ignore: Sequence[str], per_file_ignores: Mapping[str, Sequence[str]] | None
    ) -> Ignores:
        """The ignores of `lint`'s arguments; a one-line ValueError for an unknown code."""
        everywhere = checked_codes(ignore, "ignore")
        per_file: list[tuple[str, frozenset[str]]] = []
        for pattern, codes in (per_file_ignores or {}).items():
            if not isinstance(pattern, str):
                raise ValueError(f"per_file_ignores: a pattern must be a str, got {pattern!r}")
            where = f"per_file_ignores[{pattern!r}]"
            per_file.append((pattern.removeprefix("./"), checked_codes(codes, where)))
        return cls(everywhere, tuple(per_file))

    def silences(self, finding: Finding) -> bool:
        if finding.code in self.everywhere:
            return True
        return any(
            finding.code in codes and fnmatchcase(finding.file, pattern)
            for pattern, codes in self.per_file
        )


def _directive_codes(comment: str) -> tuple[frozenset[str], list[str]]:
    """The codes the directives of one comment silence, and what is wrong with them."""
    codes: set[str] = set()
    problems: list[str] = []
    for match in _DIRECTIVE.finditer(comment):
        rest = comment[match.end() :].lstrip()
        if not rest.startswith("["):
            codes.update(_EVERY)
            continue
        close = rest.find("]")
        if close < 0:
            problems.append(f'suppression "{match.group(0)}{rest.rstrip()}" has no closing "]"')
            continue
        names = [name.strip() for name in rest[1:close].split(",")]
        if not any(names):
            problems.append(
                f'suppression "{match.group(0)}{rest[: close + 1]}" names no code; '
                'write "# shapecheck: ignore" to silence every code'
            )
        for name in filter(None, names):
            if name in CODES:
                codes.add(name)
                continue
            close_match = difflib.get_close_matches(name.upper(), list(CODES), n=1)
            hint = f'did you mean "{close_match[0]}"? ' if close_match else ""
            message = f'unknown code "{name}" in suppression; {hint}known codes: {known_codes()}'
            problems.append(message)
    return frozenset(codes), problems


def _tokens(source: bytes) -> Iterator[tokenize.TokenInfo]:
    try:
        yield from tokenize.tokenize(io.BytesIO(source).readline)
    except (tokenize.TokenError, SyntaxError):
        return  # the file parsed with `ast`; what was read so far is kept


def _scan(source: bytes) -> tuple[list[tuple[int, str]], dict[int, list[tuple[int, int]]]]:
    """(line, text) of each comment, and for each `def` keyword, by line, (column, the
    line of the `:` that ends its header)."""
    comments: list[tuple[int, str]] = []
    headers: dict[int, list[tuple[int, int]]] = {}
    open_def: tuple[int, int] | None = None
    depth = 0
    for token in _tokens(source):
        if token.type == tokenize.COMMENT:
            comments.append((token.start[0], token.string))
        elif token.type == tokenize.NAME and token.string == "def":
            open_def, depth = token.start, 0
        elif token.type == tokenize.OP and open_def is not None:
            if token.string in "([{":
                depth += 1
            elif token.string in ")]}":
                depth -= 1
            elif token.string == ":" and depth == 0:
                headers.setdefault(open_def[0], []).append((open_def[1], token.start[0]))
                open_def = None
    return comments, headers


def _function_scopes(
    nodes: Iterable[ast.AST], headers: dict[int, list[tuple[int, int]]]
) -> Iterator[tuple[set[int], int, int]]:
    """(header lines, first line, last line) of every function of a module."""
    for node in nodes:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        colons = [line for col, line in headers.get(node.lineno, []) if col >= node.col_offset]
        header = set(range(node.lineno, (colons[0] if colons else node.lineno) + 1))
        for decorator in node.decorator_list:
            header.update(range(decorator.lineno, (decorator.end_lineno or decorator.lineno) + 1))
        first = min(header)
        yield header, first, max(node.end_lineno or node.lineno, first)


def read_suppressions(module: Module) -> tuple[FileSuppressions, list[Finding]]:
    """A parsed module's inline suppressions, and SC002 for each bad one."""
    found = FileSuppressions()
    problems: list[Finding] = []
    if b"shapecheck" not in module.source:  # no directive: no need to tokenize
        return found, problems
    comments, headers = _scan(module.source)
    scopes: list[tuple[set[int], int, int]] | None = None
    for line, comment in comments:
        codes, bad = _directive_codes(comment)
        problems.extend(module.finding(line, "SC002", message) for message in bad)
        if not codes:
            continue
        if scopes is None:
            scopes = list(_function_scopes(module.nodes, headers))
        enclosing = [(first, last) for header, first, last in scopes if line in header]
        for first, last in enclosing:
            found.scopes.append((first, last, codes))
        if not enclosing:
            found.lines[line] = found.lines.get(line, frozenset()) | codes
    return found, problems
