"""The global switches: `SHAPECHECK=0` at decoration time, `disabled()` at run
time, and the mode, `raise` or `warn` (survey mode), read at each violation."""

from __future__ import annotations

import contextlib
import contextvars
import os
import warnings
from collections.abc import Iterator
from typing import Literal

__all__ = [
    "MODES",
    "Mode",
    "checks_active",
    "raising",
    "configure",
    "current_mode",
    "disabled",
    "enabled_at_decoration",
    "same_device_default",
    "surveying",
]

Mode = Literal["raise", "warn"]
MODES: tuple[Mode, ...] = ("raise", "warn")

_OFF_VALUES = frozenset({"0", "false", "no", "off"})
_ON_VALUES = frozenset({"", "1", "true", "yes", "on", "raise"})

# A context variable rather than a global, so that `disabled()` in one thread
# or task does not switch checks off in another.
_disabled: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "shapecheck_disabled", default=False
)


def enabled_at_decoration() -> bool:
    """False when the environment says `SHAPECHECK=0` (or false/no/off)."""
    return os.environ.get("SHAPECHECK", "1").strip().lower() not in _OFF_VALUES


def _mode_from_environment() -> Mode:
    """The mode `SHAPECHECK` asks for, read once at import: `warn`, or `raise`.

    Any value that is neither off (`0`, `false`, `no`, `off`), on (`1`,
    `true`, `yes`, `on`, `raise`) nor `warn` is warned about; it leaves the
    checks on, raising, as it always did.
    """
    value = os.environ.get("SHAPECHECK", "1").strip().lower()
    if value == "warn":
        return "warn"
    if value not in _ON_VALUES and value not in _OFF_VALUES:
        warnings.warn(
            f"SHAPECHECK={os.environ['SHAPECHECK']!r} is not understood: use 0/false/no/off "
            "(checks off), 1/true/yes/on/raise (checks on, violations raise) or warn "
            "(checks on, violations recorded); checks stay on and raise",
            RuntimeWarning,
            stacklevel=2,
        )
    return "raise"


_same_device = os.environ.get("SHAPECHECK_SAME_DEVICE", "0").strip().lower() not in _OFF_VALUES
_mode: Mode = _mode_from_environment()


def configure(*, same_device: bool | None = None, mode: Mode | None = None) -> None:
    """Set shapecheck's defaults.

    `same_device=True`: all tensors of one call (arguments and return) of
    the functions decorated from now on must sit on one device; the
    environment variable `SHAPECHECK_SAME_DEVICE=1` sets the same default.

    `mode="warn"`: survey mode, from now on and for every checked function,
    those decorated already included: a violation is recorded
    (`shapecheck.survey()`) instead of raising a `ShapeError`, and the call
    goes on unchecked. `mode="raise"`, the default, goes back. The
    environment variable `SHAPECHECK=warn` sets warn mode at import.

    Example
    ```python
    import shapecheck
    shapecheck.configure(mode="warn")
    shapecheck.configure(mode="raise")
    ```
    """
    global _same_device, _mode
    if mode is not None and mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    if same_device is not None:
        if not isinstance(same_device, bool):
            raise TypeError(f"same_device must be a bool, got {same_device!r}")
        _same_device = same_device
    if mode is not None:
        _mode = mode


def same_device_default() -> bool:
    return _same_device


def current_mode() -> Mode:
    """`raise`, or `warn` in survey mode."""
    return _mode


@contextlib.contextmanager
def raising() -> Iterator[None]:
    """Raise mode inside the block, whatever the mode outside: the tools that
    run functions to judge them (verify, docs) need each violation raised."""
    global _mode
    previous, _mode = _mode, "raise"
    try:
        yield
    finally:
        _mode = previous


def surveying() -> bool:
    """Whether a violation is recorded rather than raised: read on the slow path only."""
    return _mode == "warn"


def checks_active() -> bool:
    return not _disabled.get()


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Turn every check off inside the block; they come back on when it ends.

    Example
    ```python
    import shapecheck
    with shapecheck.disabled():
        assert not shapecheck.checks_active()
    assert shapecheck.checks_active()
    ```
    """
    token = _disabled.set(True)
    try:
        yield
    finally:
        _disabled.reset(token)
