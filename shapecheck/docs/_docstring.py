"""What a docstring says about a function's arguments and return value.

Three styles are read, one function each: Google (`Args:` / `Returns:`),
NumPy (`Parameters` / `Returns` underlined with dashes) and Sphinx/reST
(`:param x:`, `:param type x:`, `:returns:`). `descriptions` merges them, the
first style that describes a name winning, so a docstring that mixes styles
is read whole. Every result maps an argument's name, without its `*` or `**`,
or `"return"`, to its description on one line; a docstring in none of the
styles gives nothing. `summary` is the first paragraph, without any of these
sections.

Sphinx roles (`` :class:`~torch.Tensor` ``, `` :math:`x` ``) become plain code
spans, as the renderers show code (`Tensor`, `x`).

Example
```python
doc = '''Scale rows.

:param x: the rows,
    one per line.
:returns: the scaled rows.
'''
assert descriptions(doc) == {"x": "the rows, one per line.", "return": "the scaled rows."}
assert summary(doc) == "Scale rows."
```
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable

__all__ = ["descriptions", "google", "numpy", "sphinx", "summary"]

RETURN = "return"

# Reads one line at a section's own indent: the names it starts an entry for,
# and the start of their description; None where the line starts no entry.
_EntryParser = Callable[[str], "tuple[list[str], str] | None"]

# --- Google -------------------------------------------------------------------

_GOOGLE_ARGS = ("Args", "Arguments", "Parameters", "Keyword Args", "Keyword Arguments")
_GOOGLE_RETURNS = ("Returns", "Yields")
_GOOGLE_HEADER = re.compile(r"^([A-Z][A-Za-z ]*):\s*$")  # any section: `Raises:`, `Note:` ...
_GOOGLE_ENTRY = re.compile(r"^[-*]?\s*`?(\*{0,2}\w+)`?\s*(?:\([^)]*\))?\s*:(?:\s+(.*))?$")


def google(doc: str) -> dict[str, str]:
    """Google style: `Args:` entries `name (type): text`, and `Returns:`/`Yields:`.

    An entry's description goes on in the lines indented deeper than it; a
    line back at the section header's indent (`Raises:`, `Example:`, prose)
    ends the section.
    """
    found: dict[str, str] = {}
    lines = _lines(doc)
    index = 0
    while index < len(lines):
        header = _GOOGLE_HEADER.match(lines[index].strip())
        title = header.group(1) if header else None
        index += 1
        if title not in _GOOGLE_ARGS + _GOOGLE_RETURNS:
            continue
        at = _indent(lines[index - 1])
        body: list[str] = []
        while index < len(lines):
            line = lines[index]
            if line.strip() and _indent(line) <= at and not _flat_entry(line, at, body, title):
                break
            body.append(line)
            index += 1
        if title in _GOOGLE_RETURNS:
            if _join(body):
                found.setdefault(RETURN, _join(body))
            continue
        for name, text in _entries(body, _google_entry):
            if text:
                found.setdefault(name, text)
    return found


def _flat_entry(line: str, at: int, body: list[str], title: str | None) -> bool:
    """Whether `line`, at the header's indent `at`, is one more entry of an
    `Args:` section whose entries are not indented (rare, but read)."""
    first = next((previous for previous in body if previous.strip()), None)
    return (
        title in _GOOGLE_ARGS
        and _indent(line) == at
        and (first is None or _indent(first) == at)
        and _GOOGLE_HEADER.match(line.strip()) is None
        and _GOOGLE_ENTRY.match(line.strip()) is not None
    )


def _google_entry(line: str) -> tuple[list[str], str] | None:
    match = _GOOGLE_ENTRY.match(line.strip())
    if match is None:
        return None
    return [match.group(1)], match.group(2) or ""


# --- NumPy --------------------------------------------------------------------

_NUMPY_ARGS = ("Parameters", "Other Parameters", "Arguments", "Keyword Arguments")
_NUMPY_RETURNS = ("Returns", "Yields")
_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")
_NUMPY_NAMES = re.compile(r"^(\*{0,2}\w+(?:\s*,\s*\*{0,2}\w+)*)\s*(?::(?:\s*(.*))?)?$")


def numpy(doc: str) -> dict[str, str]:
    """NumPy style: a `Parameters` section underlined with dashes, one entry
    per `name : type` line (or `x, y : type`, or `name` alone), its description
    indented below; `Returns` (or `Yields`) entries are `name : type` or a
    type alone, their descriptions joined, each after its name when several
    are named."""
    found: dict[str, str] = {}
    lines = _lines(doc)
    for title, body in _numpy_sections(lines):
        if title in _NUMPY_ARGS:
            for name, text in _entries(body, _numpy_entry):
                if text:
                    found.setdefault(name, text)
        elif title in _NUMPY_RETURNS and RETURN not in found:
            returned = [item for item in _entries(body, _numpy_return_entry) if item[1]]
            named = len(returned) > 1
            text = " ".join(
                f"`{name}`: {text}" if named and name else text for name, text in returned
            )
            if text:
                found[RETURN] = text
    return found


def _numpy_sections(lines: list[str]) -> list[tuple[str, list[str]]]:
    """Each `Title` line underlined by dashes, with the lines up to the next one."""
    starts = [
        index
        for index in range(len(lines) - 1)
        if lines[index].strip() and _UNDERLINE.match(lines[index + 1])
    ]
    if not starts:
        return []
    ends = [*starts[1:], len(lines)]
    return [
        (lines[start].strip(), lines[start + 2 : end])
        for start, end in zip(starts, ends, strict=True)
    ]


def _numpy_entry(line: str) -> tuple[list[str], str] | None:
    match = _NUMPY_NAMES.match(line.strip())
    if match is None:
        return None
    return [name.strip() for name in match.group(1).split(",")], ""


def _numpy_return_entry(line: str) -> tuple[list[str], str] | None:
    stripped = line.strip()
    if " : " in stripped or stripped.endswith(" :"):
        return [stripped.split(":", 1)[0].strip()], ""
    return [""], ""  # a type alone: the description is unnamed


# --- Sphinx / reST ------------------------------------------------------------

_SPHINX_FIELD = re.compile(r"^:([A-Za-z]+)((?:\s+[^:]+)?):(?:\s+(.*))?$")
_SPHINX_ARGS = ("param", "parameter", "arg", "argument", "key", "keyword")
_SPHINX_RETURNS = ("return", "returns", "yield", "yields")


def sphinx(doc: str) -> dict[str, str]:
    """Sphinx/reST fields: `:param x: text`, `:param type x: text` (and `:arg:`,
    `:key:` ...), `:returns:` or `:return:`; a field goes on in the lines
    indented deeper than it. `:type x:`, `:rtype:`, `:raises:` and other fields
    are not descriptions."""
    found: dict[str, str] = {}
    lines = _lines(doc)
    index = 0
    while index < len(lines):
        line = lines[index]
        match = _SPHINX_FIELD.match(line.strip())
        index += 1
        if match is None:
            continue
        kind, argument, first = match.group(1).lower(), match.group(2).split(), match.group(3)
        body = [first or ""]
        while index < len(lines) and (
            not lines[index].strip() or _indent(lines[index]) > _indent(line)
        ):
            if not lines[index].strip() and not _continues(lines, index, _indent(line)):
                break
            body.append(lines[index])
            index += 1
        text = _join(body)
        if not text:
            continue
        if kind in _SPHINX_ARGS and argument:
            # `:param \\*args:`: reST escapes the stars
            found.setdefault(argument[-1].replace("\\", "").lstrip("*"), text)
        elif kind in _SPHINX_RETURNS and not argument:
            found.setdefault(RETURN, text)
    return found


# --- all styles ---------------------------------------------------------------


def descriptions(doc: str) -> dict[str, str]:
    """Every argument's description and the return's, from any of the three styles."""
    found: dict[str, str] = {}
    for style in (google, numpy, sphinx):
        for name, text in style(doc).items():
            found.setdefault(name, _plain_roles(text))
    return found


def summary(doc: str) -> str:
    """The first paragraph on one line, stopping where a section or field list starts."""
    lines: list[str] = []
    doc_lines = _lines(doc)
    for index, line in enumerate(doc_lines):
        stripped = line.strip()
        if not stripped:
            if lines:
                break
            continue
        underlined = index + 1 < len(doc_lines) and _UNDERLINE.match(doc_lines[index + 1])
        header = _GOOGLE_HEADER.match(stripped)
        if underlined or _SPHINX_FIELD.match(stripped) or (header and _is_section(header)):
            break
        lines.append(stripped)
    return _plain_roles(" ".join(" ".join(lines).split()))


def _is_section(header: re.Match[str]) -> bool:
    return header.group(1) in _GOOGLE_ARGS + _GOOGLE_RETURNS + ("Raises", "Example", "Examples")


# --- shared -------------------------------------------------------------------

# `:role:`text``, `:py:class:`~a.b.C``, `:ref:`title <target>``.
_ROLE = re.compile(r":(?:[A-Za-z][\w-]*:)+`([^`]+)`")


def _plain_roles(text: str) -> str:
    """Sphinx roles as code spans: `` :class:`~torch.Tensor` `` -> `` `Tensor` ``."""

    def plain(match: re.Match[str]) -> str:
        inner = match.group(1)
        titled = re.fullmatch(r"(.+?)\s*<[^>]+>", inner)
        if titled:
            inner = titled.group(1)
        elif inner.startswith("~"):
            inner = inner[1:].rsplit(".", 1)[-1]
        return f"`{inner}`"

    return _ROLE.sub(plain, text)


def _lines(doc: str) -> list[str]:
    return inspect.cleandoc(doc).splitlines() if doc else []


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _join(lines: list[str]) -> str:
    return " ".join(" ".join(line.split()) for line in lines if line.strip())


def _continues(lines: list[str], index: int, indent: int) -> bool:
    """Whether the blank line at `index` is inside a block indented deeper than `indent`."""
    following = next((line for line in lines[index:] if line.strip()), None)
    return following is not None and _indent(following) > indent


def _entries(body: list[str], parse: _EntryParser) -> list[tuple[str, str]]:
    """The entries of a section's body: each line at the body's own indent that
    `parse` reads as names starts one; deeper lines continue its description.
    Each name comes back without its `*`s, beside its description."""
    lines = [line for line in body if line.strip()]
    if not lines:
        return []
    base = min(_indent(line) for line in lines)
    entries: list[tuple[list[str], list[str]]] = []
    for line in lines:
        parsed = parse(line) if _indent(line) == base else None
        if parsed is not None:
            names, first = parsed
            entries.append((names, [first] if first else []))
        elif entries:
            entries[-1][1].append(line)
    return [(name.lstrip("*"), _join(text)) for names, text in entries for name in names]
