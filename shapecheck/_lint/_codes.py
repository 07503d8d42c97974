"""Every finding code of the linter, with what it means, in one table.

The codes of inline suppressions (`# shapecheck: ignore[SC301]`) and of the
`ignore` and `per_file_ignores` arguments of `lint` are checked against it.
"""

from __future__ import annotations

from collections.abc import Iterable

CODES: dict[str, str] = {
    "SC001": "a file that does not parse",
    "SC002": "a suppression comment naming an unknown code, or none",
    "SC101": "a malformed dim string",
    "SC201": "a bare Tensor in a signature: a coverage gap",
    "SC301": "a dim that no argument binds",
    "SC303": "a name used both as a variadic group and as a single dim",
    "SC401": "a dim not in the glossary",
    "SC402": "a dim used once in the target",
}
"""Code -> what it reports, in code order."""


def known_codes() -> str:
    """`SC001, SC002, ...`: the known codes, for a message."""
    return ", ".join(CODES)


def _show(value: object) -> str:
    text = repr(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "..."


def checked_codes(codes: Iterable[object], where: str) -> frozenset[str]:
    """The codes of a keyword argument of `lint`, each known; a one-line ValueError if not."""
    if isinstance(codes, str):
        raise ValueError(f"{where} must be a list of codes, not the string {_show(codes)}")
    found: set[str] = set()
    for code in codes:
        if not isinstance(code, str) or code not in CODES:
            raise ValueError(
                f"unknown lint code {_show(code)} in {where}; known codes: {known_codes()}"
            )
        found.add(code)
    return frozenset(found)
