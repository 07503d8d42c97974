"""Recording the annotated locals of checked calls, for the tools, off the hot path.

An instrumented body calls its plan's hook after each bind of an annotated
local. Outside a recording that hook only checks the value. While a thread
records (`recording()`), every instrumented body, those made meanwhile
included, is pointed at its plan's recording hook, which also appends the
value to the thread's records; when the last recording ends they are pointed
back. Other threads keep checking as before and record nothing: the records
are per thread.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ._locals import Record, frames, set_hook

if TYPE_CHECKING:
    from ._plan import Plan

__all__ = ["recording", "register"]

_lock = threading.Lock()
_plans: weakref.WeakSet[Plan] = weakref.WeakSet()  # every plan with an instrumented body
_active = 0  # recordings in progress, all threads together


def register(plan: Plan) -> None:
    """Note a plan whose body is instrumented, and point it at the hook in force."""
    with _lock:
        _plans.add(plan)
        set_hook(plan.body, plan.recording_hook if _active else plan.local_hook)


@contextlib.contextmanager
def recording() -> Iterator[list[Record]]:
    """Record every annotated local checked in this thread inside the block."""
    global _active
    with _lock:
        _active += 1
        if _active == 1:
            for plan in list(_plans):
                set_hook(plan.body, plan.recording_hook)
    previous = frames.recorder
    records: list[Record] = []
    frames.recorder = records
    try:
        yield records
    finally:
        frames.recorder = previous
        with _lock:
            _active -= 1
            if _active == 0:
                for plan in list(_plans):
                    set_hook(plan.body, plan.local_hook)
