"""`check`: the decorator for functions, methods and whole classes.

A checked call runs two checkers over the same annotations:

- shapecheck's own (`_values`), which walks tensors, tuples, lists,
  NamedTuples and dataclasses, binds dims, and knows where each dim was bound,
  so its error names the culprit;
- the reference engine, jaxtyping's `jaxtyped` with beartype, which also
  enforces every non-tensor hint.

A value fails if either says so. The error is always a `ShapeError`.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any, TypeVar, overload

import jaxtyping
from beartype import beartype
from beartype.door import is_bearable
from beartype.roar import BeartypeException

from .._config import checks_active, enabled_at_decoration
from .._errors import AnnotationError, ShapeError
from .._spec import OtherSpec, Signature, contains_tensor, signature_of
from ._values import Failure, Memo, check_value, describe_value

__all__ = ["check", "checked_signature"]

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])

_RETURN = "__shapecheck_return__"
_ENGINE_ERRORS = (jaxtyping.TypeCheckError, BeartypeException)


@overload
def check(obj: _T, /) -> _T: ...
@overload
def check(obj: None = None, /) -> Callable[[_T], _T]: ...
def check(obj: Any = None, /) -> Any:
    """Check the jaxtyping annotations of a function, a method or a whole class.

    On a class, every method whose annotations mention a tensor is checked,
    including `forward` of an `nn.Module`. With `SHAPECHECK=0` in the
    environment when decorating, the object is returned unchanged.

    Example
    ```python
    import torch
    from jaxtyping import Float
    from torch import Tensor
    import shapecheck

    @shapecheck.check
    def outer(x: Float[Tensor, "a"], y: Float[Tensor, "b"]) -> Float[Tensor, "a b"]:
        return x[:, None] * y[None, :]

    assert outer(torch.ones(2), torch.ones(3)).shape == (2, 3)
    ```
    """
    if obj is None:
        return check
    if not enabled_at_decoration():
        return obj
    if isinstance(obj, type):
        return _check_class(obj)
    if isinstance(obj, staticmethod | classmethod):
        return type(obj)(_check_function(obj.__func__))
    if inspect.isfunction(obj) or inspect.ismethod(obj):
        return _check_function(obj)
    raise TypeError(
        f"shapecheck.check decorates a function, a method or a class, not {type(obj).__qualname__}"
    )


def checked_signature(fn: Any) -> Signature | None:
    """The parsed signature of a checked function, or None if it is not checked."""
    get_plan = getattr(fn, "__shapecheck_plan__", None)
    return get_plan().signature if callable(get_plan) else None


def _check_class(cls: type[_T]) -> type[_T]:
    for name, member in list(vars(cls).items()):
        function = member.__func__ if isinstance(member, staticmethod | classmethod) else member
        if not inspect.isfunction(function) or hasattr(function, "__shapecheck__"):
            continue
        annotations = getattr(function, "__annotations__", {})
        if not annotations or not _mentions_tensor(function):
            continue
        setattr(cls, name, check(member))
    return cls


def _mentions_tensor(fn: Callable[..., Any]) -> bool:
    try:
        return signature_of(fn).has_tensors
    except AnnotationError as error:
        if getattr(error, "unresolved", False):
            return True  # a forward reference: resolved on first call
        raise


class _Plan:
    """What one checked function needs at call time, built once."""

    __slots__ = ("engine_args", "engine_full", "fn", "inspected", "method", "signature")

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.signature = signature_of(fn)
        hints = self.signature.hints
        parameters = [
            p.replace(annotation=hints.get(p.name, inspect.Parameter.empty))
            for p in inspect.signature(fn, follow_wrapped=False).parameters.values()
        ]
        self.inspected = inspect.Signature(parameters)
        self.method = bool(parameters) and parameters[0].name == "self"
        self.engine_args = _engine(fn, self.inspected)
        returns = hints.get("return", inspect.Parameter.empty)
        self.engine_full = None
        if returns is not inspect.Parameter.empty:
            with_return = list(parameters)
            position = len(with_return)
            if with_return and with_return[-1].kind is inspect.Parameter.VAR_KEYWORD:
                position -= 1
            with_return.insert(
                position,
                inspect.Parameter(_RETURN, inspect.Parameter.KEYWORD_ONLY, annotation=returns),
            )
            self.engine_full = _engine(fn, inspect.Signature(with_return))


def _engine(fn: Callable[..., Any], signature: inspect.Signature) -> Callable[..., Any]:
    """jaxtyping + beartype over `signature`, as a function that only checks."""

    def verdict(*args: Any, **kwargs: Any) -> None:
        return None

    verdict.__name__ = getattr(fn, "__name__", "verdict")
    verdict.__qualname__ = getattr(fn, "__qualname__", "verdict")
    verdict.__module__ = getattr(fn, "__module__", __name__)
    verdict.__signature__ = signature  # type: ignore[attr-defined]
    return jaxtyping.jaxtyped(typechecker=beartype)(verdict)


def _check_function(fn: _F) -> _F:
    if hasattr(fn, "__shapecheck__"):
        return fn
    plan: _Plan | None = None
    try:
        plan = _Plan(fn)
    except AnnotationError as error:
        if not getattr(error, "unresolved", False):
            raise
    name = getattr(fn, "__qualname__", repr(fn)) + "()"

    def get_plan() -> _Plan:
        nonlocal plan
        if plan is None:
            plan = _Plan(fn)
            checked.__shapecheck__ = plan  # type: ignore[attr-defined]
        return plan

    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not checks_active():
            return fn(*args, **kwargs)
        current = get_plan()
        try:
            bound = current.inspected.bind(*args, **kwargs)
        except TypeError:
            return fn(*args, **kwargs)  # let Python report the bad call itself
        bound.apply_defaults()
        memo = Memo(bound.arguments)
        if current.method:
            _bind_instance_dims(bound.arguments["self"], memo)
        _check_arguments(name, current, bound.arguments, memo)
        _run_engine(name, current, current.engine_args, args, kwargs, bound.arguments)
        out = fn(*args, **kwargs)
        if current.signature.returns is not None:
            failure = _checked(current.signature.returns, out, "return", memo)
            if failure is not None:
                raise _shape_error(name, failure) from None
            if current.engine_full is not None:
                _run_engine(
                    name,
                    current,
                    current.engine_full,
                    args,
                    {**kwargs, _RETURN: out},
                    {**bound.arguments, "return": out},
                )
        return out

    checked.__shapecheck__ = plan  # type: ignore[attr-defined]
    checked.__shapecheck_plan__ = get_plan  # type: ignore[attr-defined]
    return typing.cast(_F, checked)


def _bind_instance_dims(instance: Any, memo: Memo) -> None:
    """Dims an object fixes for all its methods, from its `__shapecheck_dims__()`."""
    dims_of = getattr(type(instance), "__shapecheck_dims__", None)
    if dims_of is None:
        return
    origin = f"{type(instance).__qualname__}.__shapecheck_dims__()"
    for name, size in dims_of(instance).items():
        memo.single[name] = size
        memo.origin[name] = origin


def _checked(spec: Any, value: Any, path: str, memo: Memo) -> Failure | None:
    try:
        return check_value(spec, value, path, memo)
    except AnnotationError as error:
        raise AnnotationError(f"{path}: {error}") from None


def _check_arguments(name: str, plan: _Plan, arguments: dict[str, Any], memo: Memo) -> None:
    for param in plan.signature.params:
        if not contains_tensor(param.spec) or param.name not in arguments:
            continue
        value = arguments[param.name]
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            items = [(f"{param.name}[{i}]", item) for i, item in enumerate(value)]
        elif param.kind is inspect.Parameter.VAR_KEYWORD:
            items = [(f"{param.name}[{key!r}]", item) for key, item in value.items()]
        else:
            items = [(param.name, value)]
        for path, item in items:
            failure = _checked(param.spec, item, path, memo)
            if failure is not None:
                raise _shape_error(name, failure) from None


def _run_engine(
    name: str,
    plan: _Plan,
    engine: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    arguments: dict[str, Any],
) -> None:
    try:
        engine(*args, **kwargs)
    except _ENGINE_ERRORS as error:
        raise _engine_error(name, plan, arguments, error) from None
    except jaxtyping.AnnotationError as error:
        raise AnnotationError(f"{name}: {error}") from None


def _engine_error(
    name: str, plan: _Plan, arguments: dict[str, Any], error: Exception
) -> ShapeError:
    """A ShapeError for a verdict that only the engine reached: a non-tensor hint."""
    hints = plan.signature.hints
    for path, value in arguments.items():
        hint = hints.get(path)
        if hint is not None and not is_bearable(value, hint):
            return ShapeError(
                function=name,
                path=path,
                expected=_hint_text(hint),
                actual=describe_value(value),
                reason=f"{describe_value(value)} is not a {_hint_text(hint)}",
            )
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
    return ShapeError(
        function=name,
        path="(arguments)",
        expected="see reason",
        actual="see reason",
        reason=first_line,
    )


def _hint_text(hint: Any) -> str:
    return str(OtherSpec(hint))


def _shape_error(name: str, failure: Failure) -> ShapeError:
    return ShapeError(
        function=name,
        path=failure.path,
        expected=failure.expected,
        actual=failure.actual,
        reason=failure.reason,
        dim=failure.dim,
        bound_value=failure.bound_value,
        bound_at=failure.bound_at,
        actual_value=failure.actual_value,
        permutation=failure.permutation,
    )
