"""The bridge to the reference engine: jaxtyping's dim storage and beartype.

Three things live here, all at the edge between shapecheck and the engine:

- `shared_dims`: a call's dims pushed onto jaxtyping's own storage, so that an
  `isinstance(x, Float[Tensor, "n"])` in the body, a nested plain-beartype
  call, or a hint only beartype understands, sees and binds the same dims as
  shapecheck's own checks;
- `bearable`: beartype's verdict on one value, with the program's `random`
  state kept (beartype samples container items from it);
- `engine_for`: jaxtyping's `jaxtyped` with beartype over a signature, as a
  function that only checks, for the engine's verdict on a failing call.
"""

from __future__ import annotations

import functools
import inspect
import random
from collections.abc import Callable
from typing import Any

import jaxtyping
from beartype import beartype
from beartype.door import is_bearable
from jaxtyping import _storage

__all__ = [
    "beartype_stub",
    "bearable",
    "engine_for",
    "keeping_random_state",
    "opaque_matches",
    "pop_dims",
    "push_dims",
]

_NO_ARGUMENTS: dict[str, Any] = {}


def push_dims(single: dict[str, int], variadic: dict[str, Any], arguments: Any) -> None:
    """Make `single` and `variadic` the dims jaxtyping sees in this thread."""
    storage = _storage._shape_storage
    try:
        stack = storage.memo_stack
    except AttributeError:
        stack = storage.memo_stack = []
    stack.append((single, variadic, {}, _NO_ARGUMENTS if arguments is None else arguments))


def pop_dims(single: dict[str, int], variadic: dict[str, Any]) -> None:
    """Undo `push_dims`, keeping whatever jaxtyping bound in the meantime.

    jaxtyping restores a failed check's backup by swapping in new dicts; the
    bindings are copied back into the caller's own dicts, in place, because
    generated checkers hold references to them.
    """
    top_single, top_variadic, _, _ = _storage._shape_storage.memo_stack.pop()
    if top_single is not single:
        single.clear()
        single.update(top_single)
    if top_variadic is not variadic:
        variadic.clear()
        variadic.update(top_variadic)


# beartype checks one random item of a container per call. Drawn from the
# global `random`, that would make a checked program's random numbers differ
# from an unchecked one's; shapecheck's calls into beartype keep that state.
_CHECK_RNG = random.Random(0x5EED)


def keeping_random_state(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    state = random.getstate()
    try:
        return fn(*args, **kwargs)
    finally:
        random.setstate(state)


def bearable(value: Any, hint: Any) -> bool:
    """beartype's verdict on `value` against `hint`."""
    return bool(keeping_random_state(is_bearable, value, hint))


def opaque_matches(
    hint: Any, value: Any, single: dict[str, int], variadic: dict[str, Any], arguments: Any
) -> bool:
    """beartype's verdict on a hint with arrays inside, against the call's dims."""
    push_dims(single, variadic, arguments)
    try:
        return bearable(value, hint)
    finally:
        pop_dims(single, variadic)


def beartype_stub(hints: dict[str, Any], qualname: str) -> Callable[..., None]:
    """A function that only checks `hints`, positionally, through beartype."""
    namespace: dict[str, Any] = {}
    exec(f"def stub({', '.join(hints)}, /): return None", namespace)  # noqa: S102
    stub = namespace["stub"]
    stub.__annotations__ = dict(hints)
    stub.__qualname__ = qualname
    checked: Callable[..., None] = beartype(stub)
    defaults = getattr(checked, "__kwdefaults__", None)
    if defaults is not None and "__beartype_getrandbits" in defaults:
        defaults["__beartype_getrandbits"] = _CHECK_RNG.getrandbits
        return checked
    if defaults is not None and "__beartype_func" in defaults:
        return checked  # beartype's own wrapper, which draws no random numbers
    return functools.partial(keeping_random_state, checked)


def engine_for(fn: Callable[..., Any], signature: inspect.Signature) -> Callable[..., Any]:
    """jaxtyping + beartype over `signature`, as a function that only checks."""

    def verdict(*args: Any, **kwargs: Any) -> None:
        return None

    verdict.__name__ = getattr(fn, "__name__", "verdict")
    verdict.__qualname__ = getattr(fn, "__qualname__", "verdict")
    verdict.__module__ = getattr(fn, "__module__", __name__)
    verdict.__signature__ = signature  # type: ignore[attr-defined]
    return jaxtyping.jaxtyped(typechecker=beartype)(verdict)
