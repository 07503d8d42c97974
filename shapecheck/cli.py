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
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__
from ._errors import EXIT_OK, EXIT_USAGE, EXIT_VIOLATION, AnnotationError
from ._spec import walk_tensors
from ._target import TargetError, collect, load_modules

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
    docs.add_argument(
        "target",
        metavar="TARGET",
        help="a module or package (models), a file path, or module:object",
    )
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
    lint.add_argument(
        "target", metavar="TARGET", help="a module or package name, a file or a package folder"
    )
    ci = commands.add_parser(
        "ci",
        help="lint, mypy, verify and docs --check in one step, with a summary table",
        description="Run lint, mypy, verify and docs --check on TARGET and print a summary "
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
    verify.add_argument(
        "target",
        metavar="TARGET",
        help="a module or package (models), a file path, or module:object",
    )
    verify.add_argument(
        "--symbolic",
        action="store_true",
        help="also prove the output shapes for all sizes with torch.export",
    )
    verify.add_argument(
        "--json", action="store_true", help="print a JSON list of {name, status, message, sizes}"
    )
    show = commands.add_parser(
        "show", help="list every checked function of TARGET with its tensor shapes"
    )
    show.add_argument(
        "target",
        metavar="TARGET",
        help="a module or package (models), a file path, or module:object",
    )
    return parser


def _note_none_found(command: str, target: str) -> None:
    # A run that found nothing to do says so: one line on stderr, exit 0.
    print(
        f"shapecheck {command}: note: {target!r} has no functions with tensor annotations",
        file=sys.stderr,
    )


def _show(target: str) -> int:
    found = collect(target)
    if not found:
        _note_none_found("show", target)
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


def _verify(args: argparse.Namespace) -> int:
    from ._verify import verify

    verdicts = verify(args.target, symbolic=args.symbolic)
    if not verdicts:
        _note_none_found("verify", args.target)
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
            s: sum(v.status == s for v in verdicts) for s in ("verified", "violated", "skipped")
        }
        print(", ".join(f"{n} {s}" for s, n in counts.items()))
    return EXIT_VIOLATION if any(v.status == "violated" for v in verdicts) else EXIT_OK


def _docs(args: argparse.Namespace) -> int:
    # The docs generator is not needed by the other commands.
    from .docs import render
    from .docs._fresh import check_docs

    output = Path(args.output) if args.output else None
    if args.check:
        if output is None:
            raise _UsageError("--check needs -o FILE: the file to compare with")
        try:
            check = check_docs(args.target, output, format=args.format, example=args.example)
        except KeyError as error:  # an unknown --example
            raise _UsageError(f"--example: {error.args[0]}") from None
        for problem in check.problems:
            print(f"shapecheck docs: {problem}", file=sys.stderr)
        for difference in check.differences:
            print(difference.text)
        if check.differences:
            print(f"shapecheck docs: out of date; run {check.regenerate}", file=sys.stderr)
        return EXIT_VIOLATION if check.differences or check.problems else EXIT_OK
    svg_dir = output.stem if output is not None and args.format == "markdown" else None
    try:
        page = render(args.target, format=args.format, example=args.example, svg_dir=svg_dir)
    except KeyError as error:  # an unknown --example
        raise _UsageError(f"--example: {error.args[0]}") from None
    if not page.report.modules:
        _note_none_found("docs", args.target)
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


def _lint(args: argparse.Namespace) -> int:
    from ._lint import lint

    result = lint(args.target)
    if not result.functions and not result.findings:
        _note_none_found("lint", args.target)
    for finding in result.findings:
        print(finding)
    print(
        f"{len(result.findings)} findings; annotation coverage {result.coverage:.1f}% "
        f"({result.covered} of {result.functions} functions with tensors)"
    )
    return EXIT_VIOLATION if result.findings else EXIT_OK


def _ci(args: argparse.Namespace) -> int:
    from ._ci import ci_options, run_ci

    if args.debug:
        # run_ci reports a target that does not import in one line; with
        # --debug, let its error reach main, which shows the traceback.
        load_modules(args.target)
    return run_ci(**ci_options(args))


class _UsageError(Exception):
    """A wrong argument found after parsing; exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "show":
            return _show(args.target)
        if args.command == "docs":
            return _docs(args)
        if args.command == "verify":
            return _verify(args)
        if args.command == "lint":
            return _lint(args)
        if args.command == "ci":
            return _ci(args)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`| head`): not an error
        return EXIT_OK
    except (TargetError, AnnotationError, _UsageError) as error:
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
