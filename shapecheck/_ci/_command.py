"""`shapecheck ci`: its arguments, and running the steps into a printout and an exit status.

The CLI's parser is `cli.py`'s; `add_arguments` gives its `ci` subcommand the
arguments below, and `ci_options` turns what was parsed into `run_ci`'s.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO, TypedDict

from .._errors import EXIT_OK, EXIT_USAGE, EXIT_VIOLATION
from .._project import Project, add_project_arguments
from .._target import TargetError, load_modules
from ._reporters import details_lines, github_commands, summary_table, write_junit
from ._results import STEPS, StepResult
from ._steps import Scope, run_step

__all__ = [
    "DEFAULT_DOCS_PAGE",
    "CiOptions",
    "add_arguments",
    "ci_options",
    "run_ci",
]


DEFAULT_DOCS_PAGE = Path("docs/shapes.md")


def run_ci(
    target: str,
    *,
    docs_page: Path = DEFAULT_DOCS_PAGE,
    skip: Iterable[str] = (),
    junit: Path | None = None,
    github: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
    scope: Scope | None = None,
) -> int:
    """Run the steps not in `skip`, print their details and the summary table.

    Returns the exit status: 0 when every step that ran passed, 1 when one
    failed, 2 for a usage error (an unknown step in `skip`, every step
    skipped, a target that does not exist or does not import), which is
    printed to `err` (default stderr) with nothing else written. Each step
    says on `err` when it starts and when it ends, with its time. `scope`:
    the walk, the registry and lint's ignores (`Scope`), as the settings and
    the command line give them.
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    skip = set(skip)
    usage = _skip_error(skip)
    if usage is not None:
        print(f"shapecheck ci: error: {usage}", file=err)
        return EXIT_USAGE
    scope = scope if scope is not None else Scope()
    start = time.perf_counter()
    try:
        load_modules(target)  # a target that does not import is a usage error, up front
        results = []
        for name in STEPS:
            if name in skip:
                results.append(StepResult(name, True, "skipped (--skip)", skipped=True))
                continue
            print(f"shapecheck ci: {name} ...", file=err, flush=True)
            result = run_step(name, target, docs_page, scope)
            said = "passed" if result.ok else "failed"
            print(f"shapecheck ci: {name} {said} in {result.seconds:.1f} s", file=err, flush=True)
            results.append(result)
    except TargetError as error:
        print(f"shapecheck ci: error: {error}", file=err)
        return EXIT_USAGE
    seconds = time.perf_counter() - start

    lines = details_lines(results, github=github)
    if github:
        lines += github_commands(results)
    for line in lines + summary_table(results):
        print(line, file=out)
    if junit is not None:
        write_junit(results, seconds, junit)
    failed = any(not r.ok for r in results if not r.skipped)
    return EXIT_VIOLATION if failed else EXIT_OK


def _skip_error(skip: set[str]) -> str | None:
    """What is wrong with the steps to skip, if anything."""
    unknown = sorted(skip - set(STEPS))
    if unknown:
        return f"unknown step {', '.join(map(repr, unknown))} (steps: {', '.join(STEPS)})"
    if skip >= set(STEPS):
        return "every step is skipped; nothing to run"
    return None


class CiOptions(TypedDict):
    """`run_ci`'s keyword arguments, as the command line gives them."""

    target: str
    docs_page: Path
    skip: set[str]
    junit: Path | None
    github: bool
    scope: Scope


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `ci` subcommand's arguments; `run_ci(**ci_options(args, project), out=...)`
    takes them."""
    add_project_arguments(parser, lint=True)
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


def ci_options(args: argparse.Namespace, project: Project) -> CiOptions:
    """The keyword arguments of `run_ci` from arguments parsed with `add_arguments`."""
    return CiOptions(
        target=project.target,
        docs_page=args.docs,
        skip=set(args.skip),
        junit=args.junit,
        github=args.github,
        scope=Scope(
            project.walk, project.registry, project.lint_ignore, project.lint_per_file_ignores
        ),
    )
