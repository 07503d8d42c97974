"""Recording what the functions of a target see while example code runs.

Every call of a traced function records the value of each argument, each
value a local takes (every bind, in a loop every step), and what it returns,
each reduced to what an annotation can say (`Seen`): a tensor's shape and
dtype class, an int, a tuple of such (a NamedTuple's class kept), None, or
something else. The recording is per thread and only while `Recorder` is
entered; functions are matched by their code's file, name and first line, so
a `@check`-instrumented body is the same function as its source.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import CodeType, FrameType
from typing import Any

import torch

from .._source import function_node

__all__ = [
    "NONE",
    "OTHER",
    "CallSeen",
    "IntSeen",
    "Recorder",
    "Seen",
    "TensorSeen",
    "Traced",
    "TupleSeen",
    "instance_dims",
]


@dataclass(frozen=True)
class TensorSeen:
    shape: tuple[int, ...]
    dtype: str  # the jaxtyping class that fits: Float, Int, Bool, Complex, Shaped


@dataclass(frozen=True)
class IntSeen:
    value: int


@dataclass(frozen=True)
class TupleSeen:
    items: tuple[Seen, ...]
    cls: type | None = None  # a NamedTuple's class; None for a plain tuple


@dataclass(frozen=True)
class _Marker:
    what: str


NONE = _Marker("None")
OTHER = _Marker("other")  # anything an annotation here would not describe

Seen = TensorSeen | IntSeen | TupleSeen | _Marker

_MAX_ITEMS = 64  # a longer tuple is not annotated item by item


def dtype_class(dtype: torch.dtype) -> str:
    if dtype == torch.bool:
        return "Bool"
    if dtype.is_complex:
        return "Complex"
    if dtype.is_floating_point:
        return "Float"
    return "Int"


def seen(value: Any, depth: int = 0) -> Seen:
    """What an annotation could say of `value`."""
    if isinstance(value, torch.Tensor):
        return TensorSeen(tuple(int(n) for n in value.shape), dtype_class(value.dtype))
    if value is None:
        return NONE
    if isinstance(value, int) and not isinstance(value, bool):
        return IntSeen(value)
    if isinstance(value, tuple) and depth < 4 and len(value) <= _MAX_ITEMS:
        fields = getattr(type(value), "_fields", None)
        cls = type(value) if isinstance(fields, tuple) else None
        return TupleSeen(tuple(seen(item, depth + 1) for item in value), cls)
    return OTHER


@dataclass
class CallSeen:
    """One call of a traced function."""

    args: dict[str, Seen]
    returned: Seen | None = None  # None: it raised
    locals: list[tuple[str, Seen]] = field(default_factory=list)
    dims: dict[str, int] = field(default_factory=dict)  # what `self` says it fixes


def instance_dims(instance: Any, dims: Callable[[Any], Any] | None = None) -> dict[str, int]:
    """The dims an instance fixes: by its factory's `dims`, else by its class's
    `__shapecheck_dims__`; {} if it says none (or cannot yet: half built)."""
    method = (
        (lambda: dims(instance))
        if dims is not None
        else getattr(instance, "__shapecheck_dims__", None)
    )
    if method is None:
        return {}
    try:
        return {str(k): int(v) for k, v in method().items() if not str(k).startswith("*")}
    except Exception:  # noqa: BLE001  (a half-built instance: nothing fixed yet)
        return {}


def _def_line(function: Any) -> int:
    """The line of the `def` itself, below any decorators."""
    try:
        node, offset = function_node(function)
    except (OSError, TypeError, SyntaxError):
        return int(function.__code__.co_firstlineno)
    return node.lineno + offset


Key = tuple[str, str, int]  # the code's file, name and first line


def code_key(code: CodeType) -> Key:
    return (code.co_filename, code.co_name, code.co_firstlineno)


class Traced(dict[Key, str]):
    """The functions to record, by the keys of the code that runs them."""

    def __init__(self, functions: Iterable[tuple[str, Callable[..., Any]]]) -> None:
        super().__init__()
        for name, function in functions:
            code = getattr(function, "__code__", None)
            if isinstance(code, CodeType):
                self[code_key(code)] = name
                # A `@check`-instrumented body starts at the `def`, past the decorators.
                self[(code.co_filename, code.co_name, _def_line(function))] = name


class _Frame:
    """What is known of one running call: its record and the locals last seen."""

    def __init__(self, call: CallSeen, before: dict[str, Any]) -> None:
        self.call = call
        self.before = before
        self.raising = False  # an exception is on its way out, unless a line runs next


class Recorder:
    """`with Recorder(functions) as calls:` records each call of `functions`
    (by qualified name) made in this thread inside the block into `calls`."""

    def __init__(self, functions: Iterable[tuple[str, Callable[..., Any]]] | Traced) -> None:
        self._names = functions if isinstance(functions, Traced) else Traced(functions)
        self.calls: dict[str, list[CallSeen]] = {}
        self._frames: dict[int, _Frame] = {}
        self._previous: Any = None
        self._thread = threading.get_ident()

    def __enter__(self) -> dict[str, list[CallSeen]]:
        self._previous = sys.gettrace()
        sys.settrace(self._trace_calls)
        return self.calls

    def __exit__(self, *exc: object) -> None:
        sys.settrace(self._previous)
        self._frames.clear()

    def _trace_calls(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event != "call":
            return None
        name = self._names.get(code_key(frame.f_code))
        if name is None:
            return None
        code = frame.f_code
        count = code.co_argcount + code.co_kwonlyargcount
        count += bool(code.co_flags & 0x04) + bool(code.co_flags & 0x08)  # *args, **kwargs
        params = code.co_varnames[:count]
        values = frame.f_locals
        call = CallSeen({p: seen(values[p]) for p in params if p in values})
        if params and params[0] == "self":
            call.dims = instance_dims(values.get("self"))
        self.calls.setdefault(name, []).append(call)
        self._frames[id(frame)] = _Frame(call, dict(values))
        return self._trace_lines

    def _trace_lines(self, frame: FrameType, event: str, arg: Any) -> Any:
        state = self._frames.get(id(frame))
        if state is None:
            return None
        if event == "exception":
            state.raising = True
            return self._trace_lines
        if event == "line":
            state.raising = False
        if event in ("line", "return"):
            now = frame.f_locals
            before = state.before
            for name, value in now.items():
                if name not in before or before[name] is not value:
                    state.call.locals.append((name, seen(value)))
            state.before = dict(now)
        if event == "return":
            state.call.returned = None if state.raising else seen(arg)
            del self._frames[id(frame)]
            return None
        return self._trace_lines
