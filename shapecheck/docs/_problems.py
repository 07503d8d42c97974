"""The problems the docs generator reported, as located values: file, line, message.

A `DocsProblem` prints as the one-line text `shapecheck docs` has always shown
(`models/lstm.py:84: lstm: example run failed: ...`), and tools that point at
the line (the GitHub annotations of `shapecheck ci`) read its fields instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._model import FunctionDoc, Report

__all__ = ["DocsProblem", "problems_of"]


@dataclass(frozen=True)
class DocsProblem:
    """One problem: a malformed annotation, or an example run that failed.

    `file` is relative to the target's root, as in the page; `message` names
    the function first (`lstm: example run failed: ...`).
    """

    file: str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.file is None:
            return self.message
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


def problems_of(report: Report) -> tuple[DocsProblem, ...]:
    """Every problem of `report`, in the order and words of `render(...).problems`.

    The target-wide problems come first, then each function's own (its
    failed example run); a problem listed in both places is listed once.
    """
    functions = [function for module in report.modules for function in module.functions]
    found: list[DocsProblem] = []
    for text in report.problems:
        # The collector lists a function's malformed annotation here too,
        # already prefixed with the function's location.
        owner = next((function for function in functions if text in function.problems), None)
        if owner is None or not text.startswith(f"{owner.location}: "):
            found.append(DocsProblem(None, None, text))
        else:
            found.append(_at(owner, text.removeprefix(f"{owner.location}: ")))
    for function in functions:
        found += [
            _at(function, f"{function.qualname}: {problem}")
            for problem in function.problems
            if not problem.startswith(function.location)
        ]
    return tuple(found)


def _at(function: FunctionDoc, message: str) -> DocsProblem:
    """A problem at `function`'s definition (`location` is `file:line`, as the page shows it)."""
    file, _, line = function.location.rpartition(":")
    if not file or not line.isdigit():
        return DocsProblem(None, None, f"{function.location}: {message}")
    return DocsProblem(file, int(line), message)
