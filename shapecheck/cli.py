"""`shapecheck ...`: the command line, thin over the library.

Exit status: 0 when all is well, 1 for a violation, 2 for a usage error (a bad
argument, a target that does not exist or does not import).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "show":
            return _show(args.target)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`| head`): not an error
        return EXIT_OK
    except (TargetError, AnnotationError) as error:
        if args.debug:
            traceback.print_exc()
        print(f"shapecheck {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    parser.error(f"unknown command {args.command!r}")


if __name__ == "__main__":
    sys.exit(main())
