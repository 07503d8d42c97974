"""`shapecheck static TARGET`: every annotated function's body, shapes followed
with no data and no run (`_bodies`), one finding per provable conflict."""

from __future__ import annotations

from collections.abc import Callable

from .._target import Walk, annotated_members, load_modules
from ._bodies import Finding, check_function

__all__ = ["StaticResult", "check_target"]


class StaticResult:
    """The findings of one target, and how many functions were walked."""

    def __init__(self, findings: list[Finding], functions: int) -> None:
        self.findings = findings
        self.functions = functions


def check_target(
    target: str,
    *,
    walk: Walk | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> StaticResult:
    """Walk the body of every function and method of `target` (public ones, as
    the other tools find them) and collect what provably conflicts."""
    modules, attribute = load_modules(target, walk)
    members = [member for module in modules for member in annotated_members(module, attribute)]
    findings: list[Finding] = []
    for done, member in enumerate(members):
        if progress is not None:
            progress(done, len(members), member.name)
        findings += check_function(member.function, member.localns)
    return StaticResult(findings, len(members))
