"""A one-line progress bar for the minibatches of an epoch, on stderr."""

import sys
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """A one-line progress bar, redrawn in place on ``stream`` (stderr).

    Only redraws when the bar visibly changes, so a log file gets at most
    ``width + 1`` updates per bar.  ``close()`` erases it on a terminal and
    ends the line elsewhere.
    """

    def __init__(
        self,
        total: int,
        label: str = "",
        width: int = 30,
        stream: TextIO | None = None,
    ) -> None:
        self.total = total
        self.label = label
        self.width = width
        self.stream = stream if stream is not None else sys.stderr
        self._drawn: tuple[int, int] | None = None
        self._length = 0
        self.update(0)

    def _render(self, done: int) -> tuple[str, tuple[int, int]]:
        if self.total > 0:
            filled = min(self.width, self.width * done // self.total)
            bar = "#" * filled + "-" * (self.width - filled)
            text = f"{self.label} [{bar}] {done}/{self.total}"
            return text, (filled, int(done >= self.total))
        return f"{self.label} {done} batches", (done, 0)

    def update(self, done: int) -> None:
        """Show ``done`` of ``total`` minibatches."""
        text, key = self._render(done)
        if key == self._drawn:
            return
        self._drawn = key
        pad = " " * max(self._length - len(text), 0)
        self._length = len(text)
        self.stream.write("\r" + text + pad)
        self.stream.flush()

    def close(self) -> None:
        """Finish the bar: erase it on a terminal, end its line otherwise."""
        isatty = getattr(self.stream, "isatty", None)
        if callable(isatty) and isatty():
            self.stream.write("\r" + " " * self._length + "\r")
        else:
            self.stream.write("\n")
        self.stream.flush()
