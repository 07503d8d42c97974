"""What `lint` returns: the findings of a target and its annotation coverage."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One problem, at a file and line."""

    file: str  # relative to the current directory when possible, posix
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.code} {self.message}"


@dataclass(frozen=True)
class LintResult:
    """The findings of one target, sorted, and its shape coverage.

    `findings` are those left once suppressions (inline comments, and the
    `ignore` and `per_file_ignores` of `lint`) are applied; `suppressed` counts
    the ones they silenced. Suppressions never change the coverage.
    """

    findings: tuple[Finding, ...]
    functions: int  # functions and methods whose signature mentions a tensor
    covered: int  # of those, the ones without a bare Tensor
    suppressed: int = 0  # findings silenced by a suppression

    @property
    def coverage(self) -> float:
        """Percent of `functions` that are covered, to one decimal; 100.0 for none."""
        if self.functions == 0:
            return 100.0
        return round(100.0 * self.covered / self.functions, 1)
