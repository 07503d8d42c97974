"""Survey mode: every violation recorded, none raised.

With `SHAPECHECK=warn`, `shapecheck.configure(mode="warn")` or
`pytest --shapecheck-mode=warn`, a check that fails builds its `ShapeError`
as usual, hands it to `record` instead of raising it, and the call goes on
unchecked. Memory stays bounded: one `Violation` per (function, path), with a
count, the first test that hit it and the first message.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._errors import ShapeError

__all__ = ["Violation", "current_test", "record", "set_current_test", "survey"]


@dataclass(frozen=True)
class Violation:
    """Every violation recorded at one (function, path), in survey mode.

    - `function`: the checked function, `module.QualifiedName`;
    - `path`: the argument or return path (`x`, `state[0]`, `return[1]`),
      `local h` for an annotated local, `(arguments)` for a verdict only the
      reference engine gave about the call as a whole;
    - `count`: how many times it was hit;
    - `first_test`: the pytest node id of the first test that hit it, or None
      outside a test;
    - `message`: the full `ShapeError` text of the first violation.
    """

    function: str
    path: str
    count: int
    first_test: str | None
    message: str


class _Entry:
    __slots__ = ("count", "first_test", "message")

    def __init__(self, first_test: str | None, message: str) -> None:
        self.count = 0
        self.first_test = first_test
        self.message = message


_lock = threading.Lock()
_entries: dict[tuple[str, str], _Entry] = {}
_test: str | None = None  # set by the pytest plugin around each test


def set_current_test(test: str | None) -> None:
    """The pytest node id of the test now running (the plugin's job), or None."""
    global _test
    _test = test


def current_test() -> str | None:
    """The test now running: the plugin's word, else pytest's own variable."""
    if _test is not None:
        return _test
    running = os.environ.get("PYTEST_CURRENT_TEST")  # "path::test (call)"
    return running.rsplit(" (", 1)[0] if running else None


def qualified_name(fn: Callable[..., Any]) -> str:
    qualname = getattr(fn, "__qualname__", None) or repr(fn)
    module = getattr(fn, "__module__", None)
    return f"{module}.{qualname}" if module else qualname


def record(fn: Callable[..., Any], error: ShapeError, local: bool = False) -> None:
    """Note one violation by `fn`; `local`: of an annotated local."""
    path = f"local {error.path}" if local else error.path
    key = (qualified_name(fn), path)
    with _lock:
        entry = _entries.get(key)
        if entry is None:
            entry = _entries[key] = _Entry(current_test(), str(error))
        entry.count += 1


def survey(*, clear: bool = False) -> list[Violation]:
    """The violations recorded in survey mode, most frequent first.

    One `Violation` per (function, path); `clear=True` also forgets them all,
    so that the next call starts afresh.

    Example
    ```python
    import torch
    from jaxtyping import Float
    from torch import Tensor
    import shapecheck

    @shapecheck.check
    def first(x: Float[Tensor, "n"]) -> Float[Tensor, ""]:
        return x[0]

    shapecheck.configure(mode="warn")
    try:
        first(torch.ones(2, 3))  # recorded, not raised
    finally:
        shapecheck.configure(mode="raise")
    [found] = shapecheck.survey(clear=True)
    assert (found.path, found.count) == ("x", 1)
    assert shapecheck.survey() == []
    ```
    """
    with _lock:
        found = [
            Violation(function, path, entry.count, entry.first_test, entry.message)
            for (function, path), entry in _entries.items()
        ]
        if clear:
            _entries.clear()
    found.sort(key=lambda v: (-v.count, v.function, v.path))
    return found
