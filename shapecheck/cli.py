"""`shapecheck ...`: the command line, thin over the library.

Exit status: 0 when all is well, 1 for a violation, 2 for a usage error (a bad
argument, a target that does not exist or does not import).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__
from ._errors import AnnotationError
from ._spec import walk_tensors
from ._target import TargetError, collect

__all__ = ["main"]

EXIT_OK, EXIT_VIOLATION, EXIT_USAGE = 0, 1, 2


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
    verify = commands.add_parser(
        "verify",
        help="run every annotated function of TARGET on the meta device, with no data",
        description="Run every annotated function and method of TARGET, fully checked, on "
        "the meta device with arguments made from its annotations, under several size "
        "assignments. Exit 1 if any is violated.",
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


def _show(target: str) -> int:
    for checked in collect(target):
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
    from .docs import render  # the docs generator is not needed by the other commands

    output = Path(args.output) if args.output else None
    if args.check and output is None:
        raise _UsageError("--check needs -o FILE: the file to compare with")
    svg_dir = output.stem if output is not None and args.format == "markdown" else None
    try:
        page = render(args.target, format=args.format, example=args.example, svg_dir=svg_dir)
    except KeyError as error:  # an unknown --example
        raise _UsageError(f"--example: {error.args[0]}") from None
    for problem in page.problems:
        print(f"shapecheck docs: {problem}", file=sys.stderr)
    status = EXIT_VIOLATION if page.problems else EXIT_OK
    if output is None:
        sys.stdout.write(page.text)
        return status
    wanted = {output: page.text} | {output.parent / name: text for name, text in page.files.items()}
    stale = []
    if svg_dir is not None and (output.parent / svg_dir).is_dir():
        stale = [p for p in sorted((output.parent / svg_dir).glob("*.svg")) if p not in wanted]
    if args.check:
        return _check_files(wanted, stale) or status
    for path, text in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for path in stale:
        path.unlink()
    print(f"wrote {output} and {len(page.files)} diagrams", file=sys.stderr)
    return status


def _check_files(wanted: dict[Path, str], stale: list[Path]) -> int:
    """Print a unified diff of every file that differs; 1 if any does."""
    differs = False
    for path, text in wanted.items():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            differs = True
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    fromfile=f"{path} (committed)",
                    tofile=f"{path} (generated)",
                )
            )
    for path in stale:
        differs = True
        print(f"{path}: no longer generated")
    if differs:
        print("shapecheck docs: out of date; regenerate without --check", file=sys.stderr)
        return EXIT_VIOLATION
    return EXIT_OK


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
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`| head`): not an error
        return EXIT_OK
    except (TargetError, AnnotationError, _UsageError) as error:
        if args.debug:
            traceback.print_exc()
        print(f"shapecheck {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    parser.error(f"unknown command {args.command!r}")


if __name__ == "__main__":
    sys.exit(main())
