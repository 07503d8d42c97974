"""`shapecheck ...`: the command line, thin over the library.

Exit status: 0 when all is well, 1 for a violation, 2 for a usage error (a bad
argument, a target that does not exist or does not import) or any other error
that stops a command. Errors are one line on stderr; `--debug` shows the
traceback. A target with nothing to check is noted on stderr, with status 0.

The program (`shapecheck`, `python -m shapecheck.cli`) ends with a quick exit:
once the command is done, the exit handlers run and the output is flushed,
then the process ends without the interpreter's teardown, which with torch
loaded takes about a third of a second of freeing memory that the operating
system reclaims anyway. While a thread of the target's that is not a daemon
still runs, the exit is the usual one, which waits for it. `main` itself
returns, for callers in Python.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from . import __version__
from ._errors import EXIT_OK, EXIT_USAGE, EXIT_VIOLATION, AnnotationError
from ._progress import Progress
from ._project import Project, ProjectError, add_project_arguments, project_from
from ._spec import walk_tensors
from ._target import TargetError, Walk, collect, load_modules

__all__ = ["entry", "main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage dump; `--help` still shows the usage.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> _Parser:
    parser = _Parser(prog="shapecheck", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"shapecheck {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    docs = commands.add_parser(
        "docs",
        help="write the shape reference of TARGET from its annotations",
        description="Write the shape reference of TARGET: every function's arguments, "
        "returns and annotated intermediates, relations, flow diagrams and a glossary.",
    )
    add_project_arguments(docs)
    docs.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE (SVGs go to a folder named after it); default: stdout",
    )
    docs.add_argument(
        "--format",
        choices=("markdown", "html"),
        default="markdown",
        help="markdown (with SVG files and Mermaid blocks) or one standalone "
        "HTML page (default: markdown)",
    )
    docs.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 with a diff if FILE is not what would be generated",
    )
    docs.add_argument(
        "--example",
        metavar="NAME",
        help="the registered example sizes to show (default: the first)",
    )
    lint = commands.add_parser(
        "lint",
        help="check the annotations of TARGET statically, without running it",
        description="Parse the source of TARGET (nothing is imported or run) and report "
        "malformed dim strings, tensors without a shape annotation, unbound dims, dims "
        "missing from the glossary and dims used once, as file:line: code message.",
    )
    add_project_arguments(lint, registry=False, lint=True)
    ci = commands.add_parser(
        "ci",
        help="lint, mypy, static, verify and docs --check in one step, with a summary table",
        description="Run lint, mypy, static, verify and docs --check on TARGET and print a summary "
        "table; exit 0 only when all pass.",
    )
    from ._ci import add_arguments

    add_arguments(ci)
    verify = commands.add_parser(
        "verify",
        help="run every annotated function of TARGET, with no data",
        description="Run every annotated function and method of TARGET, fully checked, "
        "with arguments made from its annotations (zeros, on the CPU when small; every "
        "failure judged again on the meta device), under several size assignments. "
        "Exit 1 if any is violated.",
    )
    add_project_arguments(verify)
    verify.add_argument(
        "--symbolic",
        action="store_true",
        help="also prove the output shapes for all sizes with torch.export",
    )
    verify.add_argument(
        "--json", action="store_true", help="print a JSON list of {name, status, message, sizes}"
    )
    static = commands.add_parser(
        "static",
        help="follow shapes through every annotated function of TARGET, without running it",
        description="Follow tensor shapes through the body of every annotated function "
        "and method of TARGET, from its annotations, through the common torch ops and "
        "calls of other annotated functions, and report each provable conflict as "
        "file:line: function: message. Nothing is run; what is not modelled is unknown "
        "and silent. Exit 1 if any conflict is found.",
    )
    add_project_arguments(static, registry=False)
    annotate = commands.add_parser(
        "annotate",
        help="write the shape annotations of TARGET's code from example runs",
        description="Run TARGET's exercises (Registry.exercise, __shapecheck_examples__, "
        "--examples) and every function that can be called with made-up arguments, at "
        "three assignments of distinct primes to the registry's dims; turn every tensor "
        "seen in an argument, a return or a local into a jaxtyping annotation in the "
        "glossary's dim names; verify the annotated package in a temporary copy and "
        "drop what fails; then show (--diff) or write (--write) the rest. Existing shape "
        "annotations are kept unless --overwrite.",
    )
    add_project_arguments(annotate)
    what = annotate.add_mutually_exclusive_group()
    what.add_argument("--write", action="store_true", help="write the annotations into the files")
    what.add_argument(
        "--diff", action="store_true", help="print them as a unified diff (the summary on stderr)"
    )
    annotate.add_argument(
        "--example",
        metavar="NAME",
        help="size only the dims of this registered example (default: every registry dim)",
    )
    annotate.add_argument(
        "--examples",
        metavar="FILE",
        type=Path,
        help="a Python file defining __shapecheck_examples__(sizes, device) to run as well",
    )
    annotate.add_argument(
        "--locals",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="annotate the tensors a body assigns too (default: yes)",
    )
    annotate.add_argument(
        "--overwrite",
        action="store_true",
        help="replace annotations that already state a shape",
    )
    show = commands.add_parser(
        "show", help="list every checked function of TARGET with its tensor shapes"
    )
    add_project_arguments(show, registry=False)
    summary = commands.add_parser(
        "summary",
        help="a layer-by-layer table of an nn.Module, with its shapes in named dims",
        description="Build MODEL on the meta device, run its forward at three assignments "
        "of distinct primes to the registry's dims with a hook on every submodule, and "
        "print each submodule's input and output shapes as dim expressions, and its "
        "parameters counted at the example sizes. Sizes no dim expression explains are "
        "shown with a `?` and listed at the end. The dims are those of --registry and of "
        "TARGET's registry (TARGET defaults to the settings' packages, and for "
        "MODULE:CALLABLE to MODEL itself).",
    )
    summary.add_argument(
        "model",
        metavar="MODEL",
        help="a registry factory's name, or MODULE:CALLABLE, a callable taking "
        "(sizes, device) or no arguments that returns the nn.Module",
    )
    add_project_arguments(summary)
    summary.add_argument(
        "--example",
        metavar="NAME",
        help="the registered example sizes to count the parameters at (default: the first)",
    )
    summary.add_argument(
        "--depth",
        metavar="N",
        type=int,
        help="show submodules down to depth N; the model itself is depth 0 (default: all)",
    )
    summary.add_argument(
        "--input",
        metavar="DIMS",
        action="append",
        default=[],
        help="the dims of a positional input of forward (`seq batch d_model`), for a "
        "forward without shape annotations; repeatable, in order",
    )
    shown = summary.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print the table's data as JSON")
    shown.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="aligned text or a Markdown table (default: text)",
    )
    return parser


def _note_none_found(command: str, target: str) -> None:
    # A run that found nothing to do says so: one line on stderr, exit 0.
    print(
        f"shapecheck {command}: note: {target!r} has no functions with tensor annotations",
        file=sys.stderr,
    )


def _skipped_modules(command: str, walk: Walk) -> None:
    """One line on stderr for each module a walk left out because it did not import."""
    for failure in walk.failed:
        print(
            f"shapecheck {command}: skipped module {failure.module}: {failure.cause}",
            file=sys.stderr,
        )
    walk.failed.clear()


def _show(project: Project) -> int:
    found = [checked for target in project.targets for checked in collect(target, project.walk)]
    _skipped_modules("show", project.walk)
    if not found:
        _note_none_found("show", ", ".join(project.targets))
    for checked in found:
        print(f"{checked.name}")
        signature = checked.signature
        for param in signature.params:
            for path, spec in walk_tensors(param.spec, param.name):
                print(f"    {path}: {spec}")
        if signature.returns is not None:
            for path, spec in walk_tensors(signature.returns, "return"):
                print(f"    {path}: {spec}")
    return EXIT_OK


def _verify(args: argparse.Namespace, project: Project) -> int:
    from ._verify import verify

    progress = Progress("verify")
    verdicts = []
    try:
        for target in project.targets:
            verdicts += verify(
                target,
                symbolic=args.symbolic,
                walk=project.walk,
                registry=project.registry,
                progress=progress,
            )
    finally:
        progress.close()
    _skipped_modules("verify", project.walk)
    if not verdicts:
        _note_none_found("verify", ", ".join(project.targets))
    if args.json:
        print(json.dumps([v.as_json() for v in verdicts], indent=2, sort_keys=True))
    else:
        width = max((len(v.status) for v in verdicts), default=8)
        for verdict in verdicts:
            line = f"{verdict.status:<{width}}  {verdict.name}: {verdict.message}"
            if verdict.status == "violated" and verdict.sizes:
                sizes = ", ".join(f"{k}={v}" for k, v in verdict.sizes.items())
                line += f" (sizes: {sizes})"
            print(line.splitlines()[0] if verdict.status != "violated" else line)
        counts = {
            s: sum(v.status == s for v in verdicts)
            for s in ("verified", "violated", "error", "skipped")
        }
        if not counts["error"]:
            del counts["error"]  # a count of errors only where there are some
        print(", ".join(f"{n} {s}" for s, n in counts.items()))
    return EXIT_VIOLATION if any(v.status == "violated" for v in verdicts) else EXIT_OK


def _docs(args: argparse.Namespace, project: Project) -> int:
    output = Path(args.output) if args.output else None
    if args.check:
        if output is None:
            raise _UsageError("--check needs -o FILE: the file to compare with")
        return _docs_check(args, project, output)
    return _docs_write(args, project, output)


_T = TypeVar("_T")


def _generated(project: Project, make: Callable[[dict[str, Any]], _T]) -> _T:
    """What `make` generates from the project's walk and registry, with progress
    on a terminal; an unknown --example is a usage error."""
    progress = Progress("docs")
    options = {"walk": project.walk, "registry": project.registry, "progress": progress}
    try:
        return make(options)
    except KeyError as error:  # an unknown --example
        raise _UsageError(f"--example: {error.args[0]}") from None
    finally:
        progress.close()
        _skipped_modules("docs", project.walk)


def _docs_options(args: argparse.Namespace, options: dict[str, Any]) -> dict[str, Any]:
    return {"format": args.format, "example": args.example, **options}


def _docs_check(args: argparse.Namespace, project: Project, output: Path) -> int:
    """`docs --check`: exit 1 with a diff when the page or a diagram is stale."""
    from .docs._fresh import check_docs  # the generator is not needed by the other commands

    check = _generated(
        project, lambda options: check_docs(project.target, output, **_docs_options(args, options))
    )
    for problem in check.problems:
        print(f"shapecheck docs: {problem}", file=sys.stderr)
    for difference in check.differences:
        print(difference.text)
    if check.differences:
        print(f"shapecheck docs: out of date; run {check.regenerate}", file=sys.stderr)
    return EXIT_VIOLATION if check.differences or check.problems else EXIT_OK


def _docs_write(args: argparse.Namespace, project: Project, output: Path | None) -> int:
    """The page to stdout, or to `output` with its diagrams beside it."""
    from .docs import render

    svg_dir = output.stem if output is not None and args.format == "markdown" else None
    page = _generated(
        project,
        lambda options: render(project.target, svg_dir=svg_dir, **_docs_options(args, options)),
    )
    if not page.report.modules:
        _note_none_found("docs", project.target)
    for located in page.problems:
        print(f"shapecheck docs: {located}", file=sys.stderr)
    status = EXIT_VIOLATION if page.problems else EXIT_OK
    if output is None:
        sys.stdout.write(page.text)
        return status
    wanted = {output: page.text} | {output.parent / name: text for name, text in page.files.items()}
    for path, text in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if svg_dir is not None:
        for path in sorted((output.parent / svg_dir).glob("*.svg")):
            if path not in wanted:
                path.unlink()  # a diagram of a function that no longer exists
    print(f"wrote {output} and {len(page.files)} diagrams", file=sys.stderr)
    return status


def _lint(args: argparse.Namespace, project: Project) -> int:
    from ._lint import lint

    status = EXIT_OK
    for target in project.targets:
        try:
            result = lint(
                target,
                ignore=project.lint_ignore,
                per_file_ignores=project.lint_per_file_ignores,
            )
        except ValueError as error:  # an unknown code in --ignore or the settings
            raise _UsageError(str(error)) from None
        if not result.functions and not result.findings:
            _note_none_found("lint", target)
        for finding in result.findings:
            print(finding)
        suppressed = f"; {result.suppressed} suppressed" if result.suppressed else ""
        print(
            f"{len(result.findings)} findings{suppressed}; annotation coverage "
            f"{result.coverage:.1f}% ({result.covered} of {result.functions} functions with "
            "tensors)"
        )
        if result.findings:
            status = EXIT_VIOLATION
    return status


def _static(project: Project) -> int:
    from ._static._check import check_target

    progress = Progress("static")
    findings, functions = [], 0
    try:
        for target in project.targets:
            result = check_target(target, walk=project.walk, progress=progress)
            findings += result.findings
            functions += result.functions
    finally:
        progress.close()
    _skipped_modules("static", project.walk)
    if not functions:
        _note_none_found("static", ", ".join(project.targets))
    for finding in findings:
        print(finding)
    from ._ci._results import plural

    print(f"{plural(len(findings), 'shape conflict')} in {plural(functions, 'function')} walked")
    return EXIT_VIOLATION if findings else EXIT_OK


def _ci(args: argparse.Namespace, project: Project) -> int:
    from ._ci import ci_options, run_ci

    if args.debug:
        # run_ci reports a target that does not import in one line; with
        # --debug, let its error reach main, which shows the traceback.
        load_modules(project.target)
    return run_ci(**ci_options(args, project))


def _annotate(args: argparse.Namespace, project: Project) -> int:
    try:
        from ._annotate import ExamplesError, annotate, summary
    except ModuleNotFoundError as error:
        if error.name != "libcst":
            raise
        raise _UsageError(
            "annotate rewrites source with libcst, which is not installed: "
            "pip install 'shapecheck[annotate]'"
        ) from None

    progress = Progress("annotate")
    try:
        result = annotate(
            project.target,
            walk=project.walk,
            registry=project.registry,
            example=args.example,
            examples_file=args.examples,
            with_locals=args.locals,
            overwrite=args.overwrite,
            progress=lambda text: progress(0, 1, text),
        )
    except (ExamplesError, KeyError) as error:
        raise _UsageError(str(error).strip("'\"")) from None
    finally:
        progress.close()
    _skipped_modules("annotate", project.walk)
    report = summary(result, written=args.write)
    if args.diff:
        sys.stdout.write(result.diff())
        print(report, file=sys.stderr)
        return EXIT_OK
    if args.write:
        result.write()
    print(report)
    return EXIT_OK


def _summary(args: argparse.Namespace) -> int:
    """`summary`: the layer table of MODEL; for MODULE:CALLABLE, TARGET defaults
    to MODEL itself (the registry of the callable's module)."""
    if args.depth is not None and args.depth < 1:
        raise _UsageError(f"--depth must be 1 or more (the model is depth 0), not {args.depth}")
    from ._summary import SummaryError, find_model, is_callable_ref, render, summarize

    if args.target is None and is_callable_ref(args.model):
        args = argparse.Namespace(**{**vars(args), "target": args.model})
    project = project_from(args)
    try:
        table = summarize(find_model(args.model, project), example=args.example, inputs=args.input)
    except SummaryError as error:
        raise _UsageError(str(error)) from None
    finally:
        _skipped_modules("summary", project.walk)
    sys.stdout.write(render(table, "json" if args.json else args.format, args.depth))
    return EXIT_OK


class _UsageError(Exception):
    """A wrong argument found after parsing; exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "summary":  # its TARGET may default to MODEL
            return _summary(args)
        project = project_from(args)
        if args.command == "show":
            return _show(project)
        if args.command == "docs":
            return _docs(args, project)
        if args.command == "verify":
            return _verify(args, project)
        if args.command == "lint":
            return _lint(args, project)
        if args.command == "ci":
            return _ci(args, project)
        if args.command == "static":
            return _static(project)
        if args.command == "annotate":
            return _annotate(args, project)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`| head`): not an error
        return EXIT_OK
    except (TargetError, AnnotationError, ProjectError, _UsageError) as error:
        if args.debug:
            traceback.print_exc()
        print(f"shapecheck {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # noqa: BLE001  (errors are one line, whatever raised them)
        # The target's own code failing outside a checked run (a registry's
        # example sizes that cannot be computed), or a bug of shapecheck's.
        if args.debug:
            traceback.print_exc()
        text = " ".join(str(error).split())
        what = f"{type(error).__name__}: {text}" if text else type(error).__name__
        print(
            f"shapecheck {args.command}: error: unexpected {what} (--debug shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    parser.error(f"unknown command {args.command!r}")


def entry() -> NoReturn:
    """The `shapecheck` program: `main`, then the quick exit."""
    try:
        status = main()
    except SystemExit as stop:  # argparse's --help, --version and usage errors
        if not isinstance(stop.code, int):
            raise
        status = stop.code
    quick_exit(status)


def quick_exit(status: int) -> NoReturn:
    """End the process with `status` once exit handlers have run and output is
    flushed, skipping the interpreter's teardown; the usual exit while another
    thread that is not a daemon runs."""
    main_thread = threading.main_thread()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not main_thread):
        sys.exit(status)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # closed, or the reader went away: nothing more can be said
    os._exit(status)


if __name__ == "__main__":
    entry()
