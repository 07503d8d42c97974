"""The global switch: `SHAPECHECK=0` at decoration time, `disabled()` at run time."""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator

__all__ = ["checks_active", "configure", "disabled", "enabled_at_decoration", "same_device_default"]

_OFF_VALUES = frozenset({"0", "false", "no", "off"})

# A context variable rather than a global, so that `disabled()` in one thread
# or task does not switch checks off in another.
_disabled: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "shapecheck_disabled", default=False
)


def enabled_at_decoration() -> bool:
    """False when the environment says `SHAPECHECK=0` (or false/no/off)."""
    return os.environ.get("SHAPECHECK", "1").strip().lower() not in _OFF_VALUES


_settings = {
    "same_device": os.environ.get("SHAPECHECK_SAME_DEVICE", "0").strip().lower() not in _OFF_VALUES,
}


def configure(*, same_device: bool | None = None) -> None:
    """Defaults for functions decorated from now on.

    `same_device=True`: all tensors of one call (arguments and return) must
    sit on one device; the environment variable `SHAPECHECK_SAME_DEVICE=1`
    sets the same default.
    """
    if same_device is not None:
        if not isinstance(same_device, bool):
            raise TypeError(f"same_device must be a bool, got {same_device!r}")
        _settings["same_device"] = same_device


def same_device_default() -> bool:
    return _settings["same_device"]


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
