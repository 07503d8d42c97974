"""The five steps of `shapecheck ci`, each run on a target and read into a `StepResult`.

1. `lint`: static lint of the annotations; passes with no findings;
2. `mypy`: `python -m mypy` in a subprocess, as configured by the project;
3. `static`: shapes followed through every body with no data (`shapecheck
   static`); passes with no conflict;
4. `verify`: every annotated function run with no data; passes when no
   verdict is "violated" (skipped verdicts are reported, not failed);
5. `docs`: the committed shape reference compared with what would be generated.

The modules behind lint, verify and docs are imported only when their step
runs: they are heavy.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import shlex
import subprocess
import sys
import time
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from .._errors import AnnotationError
from .._registry import Registry
from .._target import Walk
from ._mypy_config import mypy_command
from ._results import Case, Problem, StepName, StepResult, plural

if TYPE_CHECKING:
    from .._lint import LintResult
    from .._static._check import StaticResult
    from .._verify import Verdict
    from ..docs._fresh import DocsCheck

__all__ = ["MYPY_TIMEOUT_S", "run_docs", "run_lint", "run_mypy", "run_step", "run_verify"]

MYPY_TIMEOUT_S = 600.0

# `file:line[:column[:end...]]: severity: message`, mypy's line format.
_MYPY_LINE = re.compile(
    r"^(?P<file>[^\s:][^:]*):(?P<line>\d+)(?::\d+)*: (?P<severity>error|warning|note): "
    r"(?P<message>.*)$"
)
_MYPY_CHECKED = re.compile(r"\b(?:in|checked) (?P<count>\d+) source files?\b")

VerdictStatus = Literal["verified", "violated", "error", "skipped"]


@dataclass(frozen=True)
class Scope:
    """What the steps share beyond the target: the package walk (whose import
    failures they report), a registry named outside the target, lint's ignores."""

    walk: Walk = field(default_factory=lambda: Walk(strict_imports=False))
    registry: Registry | None = None
    lint_ignore: tuple[str, ...] = ()
    lint_per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def run_step(
    name: StepName, target: str, docs_page: Path, scope: Scope | None = None
) -> StepResult:
    """One step, timed; a malformed annotation or a missing step module fails the step."""
    scope = scope if scope is not None else Scope()
    runners: dict[StepName, Callable[[], StepResult]] = {
        "lint": lambda: run_lint(target, scope),
        "mypy": lambda: run_mypy(target),
        "static": lambda: run_static(target, scope),
        "verify": lambda: run_verify(target, scope),
        "docs": lambda: run_docs(target, docs_page, scope),
    }
    start = time.perf_counter()
    try:
        result = runners[name]()
    except (AnnotationError, _StepUnavailable) as error:
        # A malformed annotation is a defect of the checked code, not a usage error.
        message = " ".join(str(error).split()) or type(error).__name__
        if isinstance(error, AnnotationError):
            message = f"malformed annotation: {message}"
        result = _failed(name, message, message)
    return replace(result, seconds=time.perf_counter() - start)


# ------------------------------------------------------------------ shared


class _StepUnavailable(Exception):
    """A step whose module is not part of this installation."""


def _step_function(module: str, name: str) -> Callable[..., Any]:
    """`shapecheck.<module>.<name>`, imported when its step runs (they are heavy)."""
    qualified = importlib.util.resolve_name(f"..{module}", __package__)
    try:
        loaded = importlib.import_module(qualified)
    except ModuleNotFoundError as error:
        if error.name != qualified:
            raise
        raise _StepUnavailable(f"{qualified} is not installed; cannot run this step") from None
    function: Callable[..., Any] = getattr(loaded, name)
    return function


def _failed(name: StepName, summary: str, message: str, case_message: str = "") -> StepResult:
    """A step that failed as a whole, for one reason: `message` is the detail and the problem."""
    return StepResult(
        name,
        ok=False,
        summary=summary,
        details=[message],
        problems=[Problem(None, None, name, message)],
        cases=[Case(name, "failed", case_message or summary, message)],
    )


def _display_path(file: str | None) -> str | None:
    """A path relative to the working directory when it is under it, with `/`."""
    if not file:
        return None
    path = Path(file)
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def _location(file: str | None, line: int | None) -> str:
    if file is None:
        return ""
    return f"{file}:{line}: " if line is not None else f"{file}: "


# ------------------------------------------------------------------ lint


def run_lint(target: str, scope: Scope | None = None) -> StepResult:
    """Static lint: passes when there are no findings; shows the annotation coverage.
    An unknown code among the scope's ignores fails the step with its one line."""
    scope = scope if scope is not None else Scope()
    lint: Callable[..., LintResult] = _step_function("_lint", "lint")
    options: dict[str, Any] = {}
    if scope.lint_ignore or scope.lint_per_file_ignores:
        options = {"ignore": scope.lint_ignore, "per_file_ignores": scope.lint_per_file_ignores}
    try:
        result = lint(target, **options)
    except ValueError as error:
        return _failed("lint", "bad lint options", str(error))
    problems = [Problem(_display_path(f.file), f.line, f.code, f.message) for f in result.findings]
    details = [f"{_location(p.file, p.line)}{p.code} {p.message}" for p in problems]
    summary = (
        f"{plural(len(problems), 'finding')}, coverage {result.coverage:.1f}% "
        f"({result.covered}/{result.functions})"
    )
    cases = [
        Case(f"{p.file}:{p.line} {p.code}", "failed", f"{p.code} {p.message}", text)
        for p, text in zip(problems, details, strict=True)
    ] or [Case("lint", "passed")]
    return StepResult("lint", not problems, summary, details, problems, cases=cases)


# ------------------------------------------------------------------ mypy


class ProcessOutput(NamedTuple):
    status: int  # the exit status
    output: str  # stdout, then stderr


def _mypy_installed() -> bool:
    return importlib.util.find_spec("mypy") is not None


def _run_process(command: list[str], timeout: float) -> ProcessOutput:
    """Exit status and output of a command; raises on a timeout."""
    done = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )
    return ProcessOutput(done.returncode, done.stdout + done.stderr)


def run_mypy(target: str) -> StepResult:
    """`python -m mypy` in a subprocess; a failure shows the error count."""
    command = mypy_command(target)
    shown = shlex.join(["python", *command[1:]])
    if not _mypy_installed():
        message = f"mypy is not installed for {sys.executable}; install it or use --skip mypy"
        return _failed("mypy", "mypy is not installed", message)
    try:
        done = _run_process(command, MYPY_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        message = f"{shown} did not finish in {MYPY_TIMEOUT_S:.0f} s"
        return _failed("mypy", f"timed out after {MYPY_TIMEOUT_S:.0f} s", message, "timed out")
    return _read_mypy(done, shown)


def _read_mypy(done: ProcessOutput, shown: str) -> StepResult:
    """The mypy step from mypy's exit status and output; `shown` is the command run."""
    lines = done.output.splitlines()
    errors: list[Problem] = []
    for text in lines:
        match = _MYPY_LINE.match(text)
        if match is not None and match["severity"] == "error":
            file = _display_path(match["file"])
            errors.append(Problem(file, int(match["line"]), "mypy", match["message"]))
    checked = _MYPY_CHECKED.search(done.output)
    checked_text = f" ({plural(int(checked['count']), 'file')} checked)" if checked else ""
    if done.status == 0:
        summary = f"no errors{checked_text}"
        return StepResult("mypy", True, summary, cases=[Case("mypy", "passed")])
    if errors:
        files = len({error.file for error in errors})
        summary = f"{plural(len(errors), 'error')} in {plural(files, 'file')}{checked_text}"
    else:  # a crash or a usage error: no error lines to count
        last = next((text for text in reversed(lines) if text.strip()), "no output")
        summary = f"mypy exited with status {done.status}: {last.strip()}"
        errors = [Problem(None, None, "mypy", summary)]
    details = [f"$ {shown}", *lines]
    case = Case("mypy", "failed", summary, "\n".join(details))
    return StepResult("mypy", False, summary, details, errors, cases=[case])


# ------------------------------------------------------------------ static


def run_static(target: str, scope: Scope | None = None) -> StepResult:
    """Shapes followed through every body with no data: passes with no conflict."""
    scope = scope if scope is not None else Scope()
    check: Callable[..., StaticResult] = _step_function("_static._check", "check_target")
    result = check(target, walk=scope.walk)
    problems = [
        Problem(_display_path(f.file), f.line, "static", f"{f.function}: {f.message}")
        for f in result.findings
    ]
    details = [f"{_location(p.file, p.line)}{p.message}" for p in problems]
    summary = f"{plural(len(problems), 'conflict')} in {plural(result.functions, 'function')}"
    cases = [
        Case(f"{p.file}:{p.line} static", "failed", p.message, text)
        for p, text in zip(problems, details, strict=True)
    ] or [Case("static", "passed")]
    warnings = _skipped_modules(scope.walk, "static")
    return StepResult("static", not problems, summary, details, problems, warnings, cases)


# ------------------------------------------------------------------ verify


def _verdict_status(status: str) -> VerdictStatus:
    # Anything but "verified", "error" or "skipped" counts as a violation: fail closed.
    if status in ("verified", "error", "skipped"):
        return typing.cast(VerdictStatus, status)
    return "violated"


def _skipped_modules(walk: Walk, step: str) -> list[Problem]:
    """A warning for each module the walk left out because it failed to import."""
    found = [
        Problem(None, None, f"{step} skipped module", f"{f.module}: {f.cause}") for f in walk.failed
    ]
    walk.failed.clear()
    return found


def _format_sizes(sizes: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={value}" for name, value in sizes.items())


def run_verify(target: str, scope: Scope | None = None) -> StepResult:
    """Verification with no data: passes when no verdict is "violated" (an
    "error", code that raises at every size, is reported and does not fail)."""
    scope = scope if scope is not None else Scope()
    verify: Callable[..., list[Verdict]] = _step_function("_verify", "verify")
    counts: dict[VerdictStatus, int] = {"verified": 0, "violated": 0, "error": 0, "skipped": 0}
    details: list[str] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    cases: list[Case] = []
    for verdict in verify(target, walk=scope.walk, registry=scope.registry):
        status = _verdict_status(verdict.status)
        counts[status] += 1
        file = _display_path(verdict.file)
        sizes = f" [{_format_sizes(verdict.sizes)}]" if verdict.sizes else ""
        message = f"{verdict.name}: {verdict.message}{sizes}"
        text = f"{_location(file, verdict.line)}{message}"
        if status == "verified":
            cases.append(Case(verdict.name, "passed"))
            continue
        details.append(f"{status}: {text}")
        if status == "violated":
            problems.append(Problem(file, verdict.line, "verify", message))
            cases.append(Case(verdict.name, "failed", verdict.message, text))
        else:
            warnings.append(Problem(file, verdict.line, f"verify {status}", message))
            cases.append(Case(verdict.name, "skipped", verdict.message, text))
    warnings += _skipped_modules(scope.walk, "verify")
    if not counts["error"]:
        del counts["error"]  # a count of errors only where there are some
    summary = ", ".join(f"{count} {status}" for status, count in counts.items())
    ok = counts["violated"] == 0
    return StepResult(
        "verify", ok, summary, details, problems, warnings, cases or [Case("verify", "passed")]
    )


# ------------------------------------------------------------------ docs


def run_docs(target: str, page: Path, scope: Scope | None = None) -> StepResult:
    """`docs --check`: passes when the committed page and diagrams are what would be generated."""
    from ..docs._fresh import check_docs  # the generator is only needed by this step

    scope = scope if scope is not None else Scope()
    check = check_docs(target, page, walk=scope.walk, registry=scope.registry)
    parts = _docs_summary(check)
    if not parts:
        summary = f"{page} up to date ({plural(check.files, 'file')})"
        return StepResult("docs", True, summary, cases=[Case("docs", "passed")])
    details = [difference.text for difference in check.differences]
    details += [f"problem: {problem}" for problem in check.located_problems]
    if any(difference.kind != "missing" for difference in check.differences):
        details.append(f"regenerate: {check.regenerate}")
    summary = ", ".join(parts)
    case = Case("docs", "failed", summary, "\n".join(details))
    return StepResult("docs", False, summary, details, _docs_problems(check), cases=[case])


def _docs_summary(check: DocsCheck) -> list[str]:
    """The parts of the docs step's summary; none when the docs are fresh."""
    kinds = [difference.kind for difference in check.differences]
    parts: list[str] = []
    if "missing" in kinds:
        parts.append(f"{check.page} does not exist")
    if kinds.count("differs"):
        parts.append(f"{kinds.count('differs')} of {plural(check.files, 'file')} out of date")
    if kinds.count("stale"):
        parts.append(plural(kinds.count("stale"), "stale file"))
    if check.located_problems:
        parts.append(plural(len(check.located_problems), "generator problem"))
    return parts


def _docs_problems(check: DocsCheck) -> list[Problem]:
    """An `::error` per file out of date or stale, and per problem the generator reported."""
    problems: list[Problem] = []
    for difference in check.differences:
        if difference.kind == "missing":
            problems.append(Problem(None, None, "docs", difference.text))
            continue
        what = "is out of date" if difference.kind == "differs" else "is no longer generated"
        message = f"{difference.path.as_posix()} {what}; run {check.regenerate}"
        problems.append(Problem(difference.path.as_posix(), None, "docs", message))
    problems += [Problem(p.file, p.line, "docs", p.message) for p in check.located_problems]
    return problems
