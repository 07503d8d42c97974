"""shapecheck's mypy plugin, and `reveal_shape`.

Enable the plugin in a mypy configuration:

```ini
[mypy]
plugins = shapecheck.mypy
```

mypy then reports malformed dim strings and calls whose argument shapes do
not unify with the parameters' (docs/static.md). `reveal_shape(x)` is an
identity function at run time; under the plugin, mypy notes the shape it
knows for `x`, as `reveal_type` notes its type.

This module imports mypy only when mypy loads the plugin, so `reveal_shape`
works where mypy is not installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from mypy.plugin import Plugin

__all__ = ["plugin", "reveal_shape"]

_T = TypeVar("_T")


def reveal_shape(value: _T, /) -> _T:
    """Return `value` unchanged; under the plugin, mypy notes its shape."""
    return value


def plugin(version: str) -> type[Plugin]:
    """The entry point mypy calls with its version: the plugin class."""
    from ._static._plugin import ShapecheckPlugin

    return ShapecheckPlugin
