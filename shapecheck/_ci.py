"""`shapecheck ci`: the four shape checks a project runs on every change, in one command.

Steps, always in this order:

1. `lint`: static lint of the annotations; passes with no findings;
2. `mypy`: `python -m mypy` in a subprocess, as configured by the project;
3. `verify`: every annotated function run on the meta device; passes when no
   verdict is "violated" (skipped verdicts are reported, not failed);
4. `docs`: the committed shape reference compared with what would be generated.

Every step runs even when an earlier one failed, then a summary table is
printed. Exit status: 0 when every step that ran passed, 1 when any failed,
2 for a usage error (an unknown step, a target that does not exist or does not
import). `--junit FILE` also writes a JUnit XML report and `--github` prints
GitHub Actions workflow commands (`::error` for problems, `::warning` for
skipped verdicts) so that problems show on the lines they are about.
"""

from __future__ import annotations

import argparse
import configparser
import difflib
import importlib
import importlib.util
import re
import shlex
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TextIO

from ._errors import AnnotationError
from ._target import TargetError, load_modules

__all__ = [
    "DEFAULT_DOCS_PAGE",
    "DEFAULT_TARGET",
    "STEPS",
    "Case",
    "Difference",
    "DocsCheck",
    "Problem",
    "StepResult",
    "add_arguments",
    "check_docs",
    "ci_options",
    "docs_differences",
    "github_commands",
    "junit_xml",
    "mypy_command",
    "run_ci",
    "run_docs",
    "run_lint",
    "run_mypy",
    "run_verify",
    "summary_table",
]

EXIT_OK, EXIT_VIOLATION, EXIT_USAGE = 0, 1, 2

STEPS = ("lint", "mypy", "verify", "docs")
DEFAULT_TARGET = "models"
DEFAULT_DOCS_PAGE = Path("docs/shapes.md")
MYPY_TIMEOUT_S = 600.0

# Characters that XML 1.0 does not allow anywhere, not even escaped (ANSI
# colour codes in a tool's output, for instance).
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# `file:line[:column[:end...]]: severity: message`, mypy's line format.
_MYPY_LINE = re.compile(
    r"^(?P<file>[^\s:][^:]*):(?P<line>\d+)(?::\d+)*: (?P<severity>error|warning|note): "
    r"(?P<message>.*)$"
)
_MYPY_CHECKED = re.compile(r"\b(?:in|checked) (?P<count>\d+) source files?\b")
# A docs problem that starts with its location: `models/lstm.py:84: ...`.
_LOCATED = re.compile(r"^(?P<file>[^\s:][^:]*\.py):(?P<line>\d+): (?P<rest>.*)$", re.DOTALL)


# ------------------------------------------------------------------ results


class Problem(NamedTuple):
    """One thing to point at: a GitHub annotation, a JUnit failure."""

    file: str | None
    line: int | None
    code: str
    message: str


@dataclass(frozen=True)
class Case:
    """One JUnit test case: `outcome` is "passed", "failed" or "skipped"."""

    name: str
    outcome: str = "passed"
    message: str = ""
    text: str = ""


@dataclass
class StepResult:
    """What one step found.

    `summary` is the table's details column; `details` the lines printed above
    the table when the step failed or warned; `problems` become `::error`
    commands, `warnings` `::warning` commands; `cases` the JUnit test cases.
    """

    name: str
    ok: bool
    summary: str
    details: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    skipped: bool = False
    seconds: float = 0.0

    @property
    def status(self) -> str:
        if self.skipped:
            return "SKIP"
        return "PASS" if self.ok else "FAIL"


# The interfaces of `_lint` and `_verify`, structurally: the steps only read them.


class _FindingLike(Protocol):
    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...


class _LintResultLike(Protocol):
    @property
    def findings(self) -> Sequence[_FindingLike]: ...
    @property
    def functions(self) -> int: ...
    @property
    def covered(self) -> int: ...
    @property
    def coverage(self) -> float: ...


class _VerdictLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def sizes(self) -> Mapping[str, Any]: ...
    @property
    def file(self) -> str | None: ...
    @property
    def line(self) -> int | None: ...


class _StepUnavailable(Exception):
    """A step whose module is not part of this installation."""


def _step_function(module: str, name: str) -> Callable[..., Any]:
    """`shapecheck.<module>.<name>`, imported when its step runs (they are heavy)."""
    qualified = f"{__package__}.{module}"
    try:
        loaded = importlib.import_module(qualified)
    except ModuleNotFoundError as error:
        if error.name != qualified:
            raise
        raise _StepUnavailable(f"{qualified} is not installed; cannot run this step") from None
    function: Callable[..., Any] = getattr(loaded, name)
    return function


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


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


def _failed_step(name: str, error: Exception) -> StepResult:
    message = " ".join(str(error).split()) or type(error).__name__
    if isinstance(error, AnnotationError):
        message = f"malformed annotation: {message}"
    return StepResult(
        name,
        ok=False,
        summary=message,
        details=[message],
        problems=[Problem(None, None, name, message)],
        cases=[Case(name, "failed", message, message)],
    )


# ------------------------------------------------------------------ lint


def run_lint(target: str) -> StepResult:
    """Static lint: passes when there are no findings; shows the annotation coverage."""
    lint = _step_function("_lint", "lint")
    result: _LintResultLike = lint(target)
    problems = [Problem(_display_path(f.file), f.line, f.code, f.message) for f in result.findings]
    details = [f"{_location(p.file, p.line)}{p.code} {p.message}" for p in problems]
    summary = (
        f"{_plural(len(problems), 'finding')}, coverage {result.coverage:.1f}% "
        f"({result.covered}/{result.functions})"
    )
    cases = [
        Case(f"{p.file}:{p.line} {p.code}", "failed", f"{p.code} {p.message}", text)
        for p, text in zip(problems, details, strict=True)
    ] or [Case("lint", "passed")]
    return StepResult("lint", not problems, summary, details, problems, cases=cases)


# ------------------------------------------------------------------ mypy


class _MypyConfig(NamedTuple):
    path: Path
    has_files: bool


def _mypy_config(folder: Path) -> _MypyConfig | None:
    """The config file mypy itself would pick in `folder`, and whether it sets `files`."""
    for name in ("mypy.ini", ".mypy.ini"):
        path = folder / name
        if path.is_file():
            return _MypyConfig(path, _ini_has_files(path, "mypy"))
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file() and sys.version_info >= (3, 11):
        import tomllib

        try:
            tool = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            tool = {}
        if isinstance(tool, dict) and isinstance(tool.get("mypy"), dict):
            return _MypyConfig(pyproject, bool(tool["mypy"].get("files")))
    setup_cfg = folder / "setup.cfg"
    if setup_cfg.is_file():
        parser = _read_ini(setup_cfg)
        if parser is not None and parser.has_section("mypy"):
            return _MypyConfig(setup_cfg, bool(parser.get("mypy", "files", fallback="").strip()))
    return None


def _read_ini(path: Path) -> configparser.RawConfigParser | None:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None
    return parser


def _ini_has_files(path: Path, section: str) -> bool:
    parser = _read_ini(path)
    if parser is None or not parser.has_section(section):
        return False
    return bool(parser.get(section, "files", fallback="").strip())


def _mypy_target(target: str, folder: Path) -> list[str]:
    """What to hand mypy for a target: a path as it is, a module as `-p NAME`."""
    spec = target
    if ":" in target and not (folder / target).exists():
        spec = target.split(":", 1)[0]  # module:object -> the module
    if spec.endswith(".py") or "/" in spec or (folder / spec).exists():
        return [spec]
    return ["-p", spec]


def mypy_command(target: str, folder: Path | None = None) -> list[str]:
    """`python -m mypy ...` for `target`, run from `folder` (default: the working dir).

    A config file that sets `files` (mypy.ini, .mypy.ini, pyproject.toml or
    setup.cfg, the one mypy would use) is run as configured; otherwise the
    target is passed, with the config file when there is one. Plain output is
    asked for (`--no-pretty`, no colour) so that errors can be read back.
    """
    folder = Path.cwd() if folder is None else folder
    command = [sys.executable, "-m", "mypy", "--no-pretty", "--no-color-output"]
    config = _mypy_config(folder)
    if config is not None:
        command += ["--config-file", config.path.relative_to(folder).as_posix()]
    if config is None or not config.has_files:
        command += _mypy_target(target, folder)
    return command


def _mypy_installed() -> bool:
    return importlib.util.find_spec("mypy") is not None


def _run_process(command: list[str], timeout: float) -> tuple[int, str]:
    """Exit status and output (stdout then stderr) of a command; raises on a timeout."""
    done = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def run_mypy(target: str) -> StepResult:
    """`python -m mypy` in a subprocess; a failure shows the error count."""
    command = mypy_command(target)
    shown = shlex.join(["python", *command[1:]])
    if not _mypy_installed():
        message = f"mypy is not installed for {sys.executable}; install it or use --skip mypy"
        return StepResult(
            "mypy",
            ok=False,
            summary="mypy is not installed",
            details=[message],
            problems=[Problem(None, None, "mypy", message)],
            cases=[Case("mypy", "failed", "mypy is not installed", message)],
        )
    try:
        status, output = _run_process(command, MYPY_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        message = f"{shown} did not finish in {MYPY_TIMEOUT_S:.0f} s"
        return StepResult(
            "mypy",
            ok=False,
            summary=f"timed out after {MYPY_TIMEOUT_S:.0f} s",
            details=[message],
            problems=[Problem(None, None, "mypy", message)],
            cases=[Case("mypy", "failed", "timed out", message)],
        )
    lines = output.splitlines()
    errors: list[Problem] = []
    for text in lines:
        match = _MYPY_LINE.match(text)
        if match is not None and match["severity"] == "error":
            file = _display_path(match["file"])
            errors.append(Problem(file, int(match["line"]), "mypy", match["message"]))
    checked = _MYPY_CHECKED.search(output)
    checked_text = f" ({_plural(int(checked['count']), 'file')} checked)" if checked else ""
    if status == 0:
        summary = f"no errors{checked_text}"
        return StepResult("mypy", True, summary, cases=[Case("mypy", "passed")])
    if errors:
        files = len({error.file for error in errors})
        summary = f"{_plural(len(errors), 'error')} in {_plural(files, 'file')}{checked_text}"
    else:  # a crash or a usage error: no error lines to count
        last = next((text for text in reversed(lines) if text.strip()), "no output")
        summary = f"mypy exited with status {status}: {last.strip()}"
        errors = [Problem(None, None, "mypy", summary)]
    details = [f"$ {shown}", *lines]
    case = Case("mypy", "failed", summary, "\n".join(details))
    return StepResult("mypy", False, summary, details, errors, cases=[case])


# ------------------------------------------------------------------ verify


def _format_sizes(sizes: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={value}" for name, value in sizes.items())


def run_verify(target: str) -> StepResult:
    """Meta-device verification: passes when no verdict is "violated"."""
    verify = _step_function("_verify", "verify")
    verdicts: list[_VerdictLike] = list(verify(target))
    counts = {"verified": 0, "violated": 0, "skipped": 0}
    details: list[str] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    cases: list[Case] = []
    for verdict in verdicts:
        # Anything but "verified" or "skipped" counts as a violation: fail closed.
        status = verdict.status if verdict.status in ("verified", "skipped") else "violated"
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
            warnings.append(Problem(file, verdict.line, "verify skipped", message))
            cases.append(Case(verdict.name, "skipped", verdict.message, text))
    summary = ", ".join(f"{count} {status}" for status, count in counts.items())
    ok = counts["violated"] == 0
    return StepResult(
        "verify", ok, summary, details, problems, warnings, cases or [Case("verify", "passed")]
    )


# ------------------------------------------------------------------ docs


class Difference(NamedTuple):
    """One file of the docs that is not what would be generated.

    `kind` is "missing" (the page does not exist), "differs" (`text` is a
    unified diff) or "stale" (a diagram that would no longer be generated).
    """

    path: Path
    kind: str
    text: str


@dataclass(frozen=True)
class DocsCheck:
    """The committed docs against the generated ones.

    `problems` are what the generator itself reported; `files` how many files
    were compared (the page and its diagrams); `regenerate` the command that
    brings the docs up to date.
    """

    page: Path
    differences: tuple[Difference, ...]
    problems: tuple[str, ...]
    files: int
    regenerate: str


def _diff(path: Path, committed: str, generated: str) -> str:
    lines = []
    for line in difflib.unified_diff(
        committed.splitlines(keepends=True),
        generated.splitlines(keepends=True),
        fromfile=f"{path} (committed)",
        tofile=f"{path} (generated)",
    ):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        lines.append(line)
    return "".join(lines).rstrip("\n")


def check_docs(
    target: str,
    page: Path,
    *,
    format: str = "markdown",  # noqa: A002  (the CLI's --format)
    example: str | None = None,
) -> DocsCheck:
    """Compare the docs of `target` with the committed `page` and its diagrams.

    The diagrams of a Markdown page live in a folder named after the page's
    stem, beside it (`docs/shapes.md` -> `docs/shapes/*.svg`), as `shapecheck
    docs TARGET -o PAGE` writes them. Raises TargetError for a target that does
    not import and KeyError for an unknown `example`.
    """
    from .docs import render  # the generator is only needed by this step

    svg_dir = page.stem if format == "markdown" else None
    rendered = render(target, format=format, example=example, svg_dir=svg_dir)
    command = ["shapecheck", "docs", target, "-o", str(page)]
    if format != "markdown":
        command += ["--format", format]
    if example is not None:
        command += ["--example", example]
    regenerate = shlex.join(command)
    wanted = {page: rendered.text} | {
        page.parent / name: text for name, text in rendered.files.items()
    }
    differences: list[Difference] = []
    if not page.exists():
        message = f"{page} does not exist; run {regenerate}"
        differences.append(Difference(page, "missing", message))
        return DocsCheck(page, tuple(differences), rendered.problems, len(wanted), regenerate)
    for path, text in wanted.items():
        committed = path.read_text(encoding="utf-8") if path.exists() else ""
        if committed != text:
            differences.append(Difference(path, "differs", _diff(path, committed, text)))
    if svg_dir is not None and (page.parent / svg_dir).is_dir():
        for path in sorted((page.parent / svg_dir).glob("*.svg")):
            if path not in wanted:
                message = f"{path}: stale file, no longer generated"
                differences.append(Difference(path, "stale", message))
    return DocsCheck(page, tuple(differences), rendered.problems, len(wanted), regenerate)


def docs_differences(
    target: str,
    page: Path,
    *,
    format: str = "markdown",  # noqa: A002  (the CLI's --format)
    example: str | None = None,
) -> list[str]:
    """Human-readable differences between the committed docs and the generated ones.

    One item per file: its unified diff (no trailing newline), a
    "stale file" line, or a line saying that the page does not exist and how
    to write it. Empty when the docs are up to date.
    """
    check = check_docs(target, page, format=format, example=example)
    return [difference.text for difference in check.differences]


def run_docs(target: str, page: Path) -> StepResult:
    """`docs --check`: passes when the committed page and diagrams are what would be generated."""
    check = check_docs(target, page)
    problems: list[Problem] = []
    details: list[str] = []
    parts: list[str] = []
    kinds = [difference.kind for difference in check.differences]
    if "missing" in kinds:
        parts.append(f"{page} does not exist")
    if kinds.count("differs"):
        parts.append(f"{kinds.count('differs')} of {_plural(check.files, 'file')} out of date")
    if kinds.count("stale"):
        parts.append(_plural(kinds.count("stale"), "stale file"))
    for difference in check.differences:
        details.append(difference.text)
        if difference.kind == "missing":
            problems.append(Problem(None, None, "docs", difference.text))
            continue
        what = "is out of date" if difference.kind == "differs" else "is no longer generated"
        message = f"{difference.path.as_posix()} {what}; run {check.regenerate}"
        problems.append(Problem(difference.path.as_posix(), None, "docs", message))
    for problem in check.problems:
        details.append(f"problem: {problem}")
        match = _LOCATED.match(problem)
        if match is not None:
            problems.append(Problem(match["file"], int(match["line"]), "docs", match["rest"]))
        else:
            problems.append(Problem(None, None, "docs", problem))
    if check.problems:
        parts.append(_plural(len(check.problems), "generator problem"))
    if not parts:
        summary = f"{page} up to date ({_plural(check.files, 'file')})"
        return StepResult("docs", True, summary, cases=[Case("docs", "passed")])
    if "differs" in kinds or "stale" in kinds:
        details.append(f"regenerate: {check.regenerate}")
    summary = ", ".join(parts)
    case = Case("docs", "failed", summary, "\n".join(details))
    return StepResult("docs", False, summary, details, problems, cases=[case])


# ------------------------------------------------------------------ output


def summary_table(results: Sequence[StepResult]) -> list[str]:
    """`step | status | details`, aligned, then the verdict line."""
    rows = [("step", "status", "details")] + [(r.name, r.status, r.summary) for r in results]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = [f"{row[0]:<{widths[0]}} | {row[1]:<{widths[1]}} | {row[2]}".rstrip() for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    ran = [r for r in results if not r.skipped]
    failed = [r.name for r in ran if not r.ok]
    skipped = [r.name for r in results if r.skipped]
    if failed:
        verdict = f"{len(failed)} of {_plural(len(ran), 'step')} failed ({', '.join(failed)})"
    elif len(ran) == 1:
        verdict = "1 step passed"
    else:
        verdict = f"all {len(ran)} steps passed"
    if skipped:
        verdict += f"; skipped: {', '.join(skipped)}"
    lines.append(f"shapecheck ci: {verdict}")
    return lines


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_command(kind: str, problem: Problem) -> str:
    properties = []
    if problem.file is not None:
        properties.append(f"file={_escape_property(problem.file)}")
        if problem.line is not None:
            properties.append(f"line={problem.line}")
    properties.append(f"title={_escape_property(f'shapecheck {problem.code}')}")
    return f"::{kind} {','.join(properties)}::{_escape_data(problem.message)}"


def github_commands(results: Iterable[StepResult]) -> list[str]:
    """GitHub Actions workflow commands: `::error` per problem, `::warning` per warning."""
    lines = []
    for result in results:
        lines += [_github_command("error", problem) for problem in result.problems]
        lines += [_github_command("warning", warning) for warning in result.warnings]
    return lines


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


def junit_xml(results: Sequence[StepResult], seconds: float) -> ET.Element:
    """One `<testsuite name="shapecheck">` in `<testsuites>`: a case per finding, verdict, step.

    A step left out with --skip is one skipped case named after the step.
    """
    cases: list[tuple[StepResult, Case]] = []
    for result in results:
        if result.skipped:
            cases.append((result, Case(result.name, "skipped", "left out with --skip")))
        else:
            cases += [(result, case) for case in result.cases]
    counts = {
        "tests": str(len(cases)),
        "failures": str(sum(case.outcome == "failed" for _, case in cases)),
        "errors": "0",
        "skipped": str(sum(case.outcome == "skipped" for _, case in cases)),
        "time": f"{seconds:.3f}",
    }
    root = ET.Element("testsuites", {"name": "shapecheck", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "shapecheck", **counts})
    for result, case in cases:
        # A step's own case takes its time; the per-item cases of lint and verify do not.
        own = case.name == result.name
        element = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": f"shapecheck.{result.name}",
                "name": _xml_text(case.name),
                "time": f"{result.seconds if own else 0.0:.3f}",
            },
        )
        if case.outcome == "failed":
            failure = ET.SubElement(
                element, "failure", {"message": _xml_text(case.message), "type": result.name}
            )
            failure.text = _xml_text(case.text) or None
        elif case.outcome == "skipped":
            skipped = ET.SubElement(element, "skipped", {"message": _xml_text(case.message)})
            skipped.text = _xml_text(case.text) or None
    return root


def _write_junit(results: Sequence[StepResult], seconds: float, path: Path) -> None:
    root = junit_xml(results, seconds)
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


# ------------------------------------------------------------------ the command


def _run_step(name: str, target: str, docs_page: Path) -> StepResult:
    runners: dict[str, Callable[[], StepResult]] = {
        "lint": lambda: run_lint(target),
        "mypy": lambda: run_mypy(target),
        "verify": lambda: run_verify(target),
        "docs": lambda: run_docs(target, docs_page),
    }
    start = time.perf_counter()
    try:
        result = runners[name]()
    except (AnnotationError, _StepUnavailable) as error:
        # A malformed annotation is a defect of the checked code, not a usage error.
        result = _failed_step(name, error)
    return replace(result, seconds=time.perf_counter() - start)


def run_ci(
    target: str = DEFAULT_TARGET,
    *,
    docs_page: Path = DEFAULT_DOCS_PAGE,
    skip: Iterable[str] = (),
    junit: Path | None = None,
    github: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the steps not in `skip`, print their details and the summary table.

    Returns the exit status: 0 when every step that ran passed, 1 when one
    failed, 2 for a usage error (an unknown step in `skip`, every step
    skipped, a target that does not exist or does not import), which is
    printed to `err` (default stderr) with nothing else written.
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    skip = set(skip)
    unknown = sorted(skip - set(STEPS))
    if unknown:
        print(
            f"shapecheck ci: error: unknown step {', '.join(map(repr, unknown))} "
            f"(steps: {', '.join(STEPS)})",
            file=err,
        )
        return EXIT_USAGE
    if skip >= set(STEPS):
        print("shapecheck ci: error: every step is skipped; nothing to run", file=err)
        return EXIT_USAGE
    start = time.perf_counter()
    try:
        load_modules(target)  # a target that does not import is a usage error, up front
        results = [
            StepResult(name, True, "skipped (--skip)", skipped=True)
            if name in skip
            else _run_step(name, target, docs_page)
            for name in STEPS
        ]
    except TargetError as error:
        print(f"shapecheck ci: error: {error}", file=err)
        return EXIT_USAGE
    seconds = time.perf_counter() - start

    for result in results:
        if result.details and (not result.ok or result.warnings):
            heading = f"{result.name}: {result.summary}"
            if github:
                print(f"::group::{_escape_data(heading)}", file=out)
            else:
                print(f"== {heading}", file=out)
            for line in result.details:
                print(line, file=out)
            print("::endgroup::" if github else "", file=out)
    if github:
        for line in github_commands(results):
            print(line, file=out)
    for line in summary_table(results):
        print(line, file=out)
    if junit is not None:
        _write_junit(results, seconds, junit)
    failed = any(not r.ok for r in results if not r.skipped)
    return EXIT_VIOLATION if failed else EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `ci` subcommand's arguments; `run_ci(**ci_options(args), out=...)` takes them."""
    parser.add_argument(
        "target",
        metavar="TARGET",
        nargs="?",
        default=DEFAULT_TARGET,
        help=f"a module or package, a file path, or module:object (default: {DEFAULT_TARGET})",
    )
    parser.add_argument(
        "--docs",
        metavar="PATH",
        type=Path,
        default=DEFAULT_DOCS_PAGE,
        help=f"the committed shape reference to check (default: {DEFAULT_DOCS_PAGE})",
    )
    parser.add_argument(
        "--skip",
        metavar="STEP",
        action="append",
        choices=STEPS,
        default=[],
        help=f"leave out a step, repeatable; one of {', '.join(STEPS)}",
    )
    parser.add_argument(
        "--junit", metavar="FILE", type=Path, help="also write a JUnit XML report to FILE"
    )
    parser.add_argument(
        "--github",
        action="store_true",
        help="print GitHub Actions workflow commands (::error, ::warning) for every problem",
    )


def ci_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of `run_ci` from arguments parsed with `add_arguments`."""
    return {
        "target": args.target,
        "docs_page": args.docs,
        "skip": set(args.skip),
        "junit": args.junit,
        "github": args.github,
    }
