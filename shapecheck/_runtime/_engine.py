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
from beartype.roar import BeartypeException
from jaxtyping import _storage

from .._errors import AnnotationError

__all__ = [
    "EngineVerdict",
    "STORAGE",
    "beartype_stub",
    "dims_stack",
    "engine_rejects",
    "sync_dims",
    "bearable",
    "engine_for",
    "keeping_random_state",
    "opaque_matches",
    "pop_dims",
    "push_dims",
]

_NO_ARGUMENTS: dict[str, Any] = {}


STORAGE = _storage._shape_storage  # per thread: jaxtyping's stack of dims


def dims_stack() -> list[Any]:
    """jaxtyping's stack of dims in this thread, made if it has none yet."""
    try:
        stack: list[Any] = STORAGE.memo_stack
    except AttributeError:
        stack = STORAGE.memo_stack = []
    return stack


def push_dims(single: dict[str, int], variadic: dict[str, Any], arguments: Any) -> None:
    """Make `single` and `variadic` the dims jaxtyping sees in this thread."""
    dims_stack().append((single, variadic, {}, _NO_ARGUMENTS if arguments is None else arguments))


def pop_dims(single: dict[str, int], variadic: dict[str, Any]) -> None:
    """Undo `push_dims`, keeping whatever jaxtyping bound in the meantime."""
    sync_dims(STORAGE.memo_stack.pop(), single, variadic)


def sync_dims(top: Any, single: dict[str, int], variadic: dict[str, Any]) -> None:
    """jaxtyping restores a failed check's backup by swapping in new dicts; the
    bindings are copied back into the caller's own dicts, in place, because
    generated checkers hold references to them."""
    top_single, top_variadic, _, _ = top
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
    try:
        return bool(keeping_random_state(is_bearable, value, hint))
    except BeartypeException as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise AnnotationError(f"{hint!r} is not a type hint that can be checked: {first}") from None


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
    """A function that only checks `hints`, positionally, through beartype.

    A hint beartype refuses is an `AnnotationError` that names its parameter.
    """
    try:
        checked = _decorated_stub(hints, qualname)
    except BeartypeException as error:
        for name, hint in hints.items():
            try:
                _decorated_stub({name: hint}, qualname)
            except BeartypeException:
                break
        else:  # only together: name them all
            name, hint = ", ".join(hints), tuple(hints.values())
        text = str(error).strip().splitlines()[0] if str(error).strip() else ""
        reason = "invalid or unrecognized" if "invalid or unrecognized" in text else text
        raise AnnotationError(
            f"{qualname}: {name}: {hint!r} is not a type hint that can be checked ({reason})"
        ) from None
    defaults = getattr(checked, "__kwdefaults__", None)
    if defaults is not None and "__beartype_getrandbits" in defaults:
        defaults["__beartype_getrandbits"] = _CHECK_RNG.getrandbits
        return checked
    if defaults is not None and "__beartype_func" in defaults:
        return checked  # beartype's own wrapper, which draws no random numbers
    return functools.partial(keeping_random_state, checked)


def _decorated_stub(hints: dict[str, Any], qualname: str) -> Callable[..., None]:
    namespace: dict[str, Any] = {}
    if set(hints) == {"return"}:  # a return hint, checked where the engine checks it
        exec("def stub(value, /): return value", namespace)  # noqa: S102
    else:
        exec(f"def stub({', '.join(hints)}, /): return None", namespace)  # noqa: S102
    stub = namespace["stub"]
    stub.__annotations__ = dict(hints)
    stub.__qualname__ = qualname
    checked: Callable[..., None] = beartype(stub)
    return checked


def engine_for(
    fn: Callable[..., Any], signature: inspect.Signature, returned: str | None = None
) -> Callable[..., Any]:
    """jaxtyping + beartype over `signature`, as a function that only checks.

    With `returned`, the name of a keyword-only parameter of `signature`: the
    function returns that argument, so that the engine checks it against the
    signature's return annotation, where it checks a return value.
    """

    def verdict(*args: Any, **kwargs: Any) -> Any:
        return kwargs.get(returned) if returned is not None else None

    verdict.__name__ = getattr(fn, "__name__", "verdict")
    verdict.__qualname__ = getattr(fn, "__qualname__", "verdict")
    verdict.__module__ = getattr(fn, "__module__", __name__)
    verdict.__signature__ = signature  # type: ignore[attr-defined]
    return jaxtyping.jaxtyped(typechecker=beartype)(verdict)


class EngineVerdict(jaxtyping.TypeCheckError):
    """The engine's own error for a call that both engines reject.

    Kept as a ShapeError's `__cause__`. Building the engine's message takes
    milliseconds (it prints the tensors), so it is built when first read.
    """

    def __init__(self, engine: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]):
        super().__init__()
        self._call: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None = (
            engine,
            args,
            kwargs,
        )
        self._text = ""

    def __str__(self) -> str:
        if self._call is not None:
            engine, args, kwargs = self._call
            self._call = None  # the call's values are not kept once read
            try:
                keeping_random_state(engine, *args, **kwargs)
                self._text = "(the engine accepts this call)"
            except Exception as error:  # noqa: BLE001  (whatever the engine says is kept)
                self._text = str(error)
        return self._text


def engine_rejects(checks: list[tuple[Any, Any]]) -> bool:
    """The engine's verdict, without its message: each (value, hint) in order,
    against one fresh set of dims, as jaxtyping and beartype check a call."""
    single: dict[str, int] = {}
    variadic: dict[str, Any] = {}
    push_dims(single, variadic, None)
    try:
        return not all(bearable(value, hint) for value, hint in checks)
    except Exception:  # noqa: BLE001  (an engine that raises rejects)
        return True
    finally:
        pop_dims(single, variadic)
