"""What a `ci` step found: the records that the steps write and the reporters read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

__all__ = ["STEPS", "Case", "Outcome", "Problem", "Status", "StepName", "StepResult", "plural"]

StepName = Literal["lint", "mypy", "static", "verify", "docs"]
Status = Literal["PASS", "FAIL", "SKIP"]  # the table's status column
Outcome = Literal["passed", "failed", "skipped"]  # a JUnit test case's

STEPS: tuple[StepName, ...] = ("lint", "mypy", "static", "verify", "docs")  # the order they run


class Problem(NamedTuple):
    """One thing to point at: a GitHub annotation, a JUnit failure."""

    file: str | None
    line: int | None
    code: str
    message: str


@dataclass(frozen=True)
class Case:
    """One JUnit test case."""

    name: str
    outcome: Outcome = "passed"
    message: str = ""
    text: str = ""


@dataclass
class StepResult:
    """What one step found.

    `summary` is the table's details column; `details` the lines printed above
    the table when the step failed or warned; `problems` become `::error`
    commands, `warnings` `::warning` commands; `cases` the JUnit test cases.
    """

    name: StepName
    ok: bool
    summary: str
    details: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    skipped: bool = False
    seconds: float = 0.0

    @property
    def status(self) -> Status:
        if self.skipped:
            return "SKIP"
        return "PASS" if self.ok else "FAIL"


def plural(count: int, noun: str) -> str:
    """`1 finding`, `2 findings`: the wording of every summary."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
