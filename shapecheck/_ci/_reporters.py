"""What `shapecheck ci` prints and writes from the step results.

- the details of each failing step, then the summary table (always);
- GitHub Actions workflow commands (`--github`): `::error` for problems,
  `::warning` for skipped verdicts, the details folded into `::group::`s;
- a JUnit XML report (`--junit FILE`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal, NamedTuple

from ._results import Case, Problem, StepResult, plural

__all__ = ["details_lines", "github_commands", "junit_xml", "summary_table", "write_junit"]

# Characters that XML 1.0 does not allow anywhere, not even escaped (ANSI
# colour codes in a tool's output, for instance).
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# ------------------------------------------------------------------ the table


def details_lines(results: Iterable[StepResult], *, github: bool = False) -> list[str]:
    """The details of each step that failed or warned, under a heading (a `::group::`)."""
    lines = []
    for result in results:
        if result.details and (not result.ok or result.warnings):
            heading = f"{result.name}: {result.summary}"
            lines.append(f"::group::{_escape_data(heading)}" if github else f"== {heading}")
            lines += result.details
            lines.append("::endgroup::" if github else "")
    return lines


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
        verdict = f"{len(failed)} of {plural(len(ran), 'step')} failed ({', '.join(failed)})"
    elif len(ran) == 1:
        verdict = "1 step passed"
    else:
        verdict = f"all {len(ran)} steps passed"
    if skipped:
        verdict += f"; skipped: {', '.join(skipped)}"
    lines.append(f"shapecheck ci: {verdict}")
    return lines


# ------------------------------------------------------------------ GitHub


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_command(kind: Literal["error", "warning"], problem: Problem) -> str:
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


# ------------------------------------------------------------------ JUnit


class _StepCase(NamedTuple):
    step: StepResult
    case: Case


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text)


def _cases(results: Iterable[StepResult]) -> list[_StepCase]:
    """Every test case with its step; a step left out with --skip is one skipped case."""
    cases: list[_StepCase] = []
    for result in results:
        if result.skipped:
            cases.append(_StepCase(result, Case(result.name, "skipped", "left out with --skip")))
        else:
            cases += [_StepCase(result, case) for case in result.cases]
    return cases


def junit_xml(results: Sequence[StepResult], seconds: float) -> ET.Element:
    """One `<testsuite name="shapecheck">` in `<testsuites>`: a case per finding, verdict, step.

    A step left out with --skip is one skipped case named after the step.
    """
    cases = _cases(results)
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


def write_junit(results: Sequence[StepResult], seconds: float, path: Path) -> None:
    """`junit_xml`, indented, to `path` (its folder is made when missing)."""
    root = junit_xml(results, seconds)
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
