"""Progress of long work on a terminal: one line on stderr, rewritten in place.

Nothing is written when stderr is not a terminal (piped, in CI logs, under
tests), so that output stays what it was.
"""

from __future__ import annotations

import shutil
import sys
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """`progress(done, total, name)` for `verify` and `docs`; `close()` clears the line."""

    def __init__(self, command: str, stream: TextIO | None = None) -> None:
        self.command = command
        self.stream = sys.stderr if stream is None else stream
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.shown = False

    def __call__(self, done: int, total: int, name: str) -> None:
        if not self.live:
            return
        width = shutil.get_terminal_size((80, 24)).columns - 1
        line = f"shapecheck {self.command}: {done + 1}/{total} {name}"
        self.stream.write("\r\x1b[K" + line[:width])
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
