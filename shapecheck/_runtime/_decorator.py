"""`check`: the decorator for functions, methods and whole classes.

A checked call takes one of two paths:

- the fast path, a wrapper generated once per signature (`_compile`), with the
  function's own parameter list, that checks every tensor inline and every
  non-tensor hint through a beartype-checked stub;
- the slow path, taken only when the fast path says no: shapecheck's
  explaining checker (`_values`) finds the culprit and the reference engine,
  jaxtyping's `jaxtyped` with beartype, has the last word. It raises a
  `ShapeError` that names the culprit.

Annotated locals are checked through `_locals`, against the same dims.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import typing
import weakref
from collections.abc import Callable
from typing import Any, TypeVar, overload

import jaxtyping
from beartype.roar import BeartypeException

from .._config import enabled_at_decoration, same_device_default
from .._errors import AnnotationError
from .._spec import (
    Signature,
    signature_of,
    unwrapped,
)
from ._locals import _NotReady, local_annotations
from ._plan import Options, Plan

__all__ = [
    "check",
    "check_every_method",
    "check_for_hook",
    "checked_signature",
    "mentions_tensor",
    "plan_for",
]

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])

RETURN = "__shapecheck_return__"
ENGINE_ERRORS = (jaxtyping.TypeCheckError, BeartypeException)


@overload
def check(obj: _T, /, *, same_device: bool | None = None) -> _T: ...
@overload
def check(obj: None = None, /, *, same_device: bool | None = None) -> Callable[[_T], _T]: ...
def check(obj: Any = None, /, *, same_device: bool | None = None) -> Any:
    """Check the jaxtyping annotations of a function, a method or a whole class.

    On a class, every method whose annotations mention a tensor is checked,
    including `forward` of an `nn.Module`. With `SHAPECHECK=0` in the
    environment when decorating, the object is returned unchanged.

    `same_device=True` also requires all tensors of a call, arguments and
    return, to sit on one device (default: `shapecheck.configure`).

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
        return functools.partial(check, same_device=same_device)
    if not enabled_at_decoration() or getattr(obj, "__no_type_check__", False):
        return obj
    options = Options(same_device_default() if same_device is None else same_device)
    if isinstance(obj, type):
        return _check_class(obj, options)
    if isinstance(obj, staticmethod | classmethod):
        return type(obj)(_check_function(obj.__func__, None, options))
    if isinstance(obj, property):
        return _check_property(obj, None, options)
    if inspect.isfunction(obj) or inspect.ismethod(obj) or _wraps_function(obj):
        return _check_function(obj, None, options)
    raise TypeError(
        f"shapecheck.check decorates a function, a method or a class, not {type(obj).__qualname__}"
    )


def checked_signature(fn: Any) -> Signature | None:
    """The parsed signature of a checked function, or None if it is not checked."""
    get_plan = getattr(fn, "__shapecheck_plan__", None)
    return get_plan().signature if callable(get_plan) else None


_DEFAULTS = Options()


def _wraps_function(obj: Any) -> bool:
    """A callable made by a `functools.wraps` decorator (`torch.no_grad()`...)."""
    return callable(obj) and inspect.isfunction(unwrapped(obj)) and unwrapped(obj) is not obj


def _wanted(
    function: Any, localns: dict[str, Any] | None, every: bool = False, init: bool = False
) -> bool:
    """Whether a class member is a function that `check` should wrap: one
    that mentions a tensor or, with `every`, any annotated one. `init`: a
    dataclass's `__init__`, which the engine checks whatever its fields."""
    if not inspect.isfunction(function) or hasattr(function, "__shapecheck__"):
        return False
    if getattr(function, "__no_type_check__", False):
        return False
    if not getattr(function, "__annotations__", None):
        return False
    return every or init or mentions_tensor(function, localns)


def _check_property(
    prop: property, localns: dict[str, Any] | None, options: Options, every: bool = False
) -> property:
    parts: list[Any] = [prop.fget, prop.fset, prop.fdel]
    checked = [
        _check_function(part, localns, options, lenient=every)
        if _wanted(part, localns, every)
        else part
        for part in parts
    ]
    if all(new is old for new, old in zip(checked, parts, strict=True)):
        return prop
    return property(checked[0], checked[1], checked[2], prop.__doc__)


def check_for_hook(fn: _F) -> _F:
    """Check a function as the import hook does, as its `def` runs: an
    annotation naming something not defined yet reads as `Any`, as in the
    engine's hook."""
    if not enabled_at_decoration() or getattr(fn, "__no_type_check__", False):
        return fn
    return _check_function(fn, None, Options(same_device_default()), lenient=True)


def check_every_method(cls: type[_T]) -> type[_T]:
    """Check every annotated method of a class not checked yet, tensors or
    not, as the import hook does (the engine's hook checks every annotation):
    a dataclass's `__init__`, or the methods of a module imported before
    `install`."""
    if not enabled_at_decoration() or getattr(cls, "__no_type_check__", False):
        return cls
    return _check_class(cls, Options(same_device_default()), every=True)


def _check_class(cls: type[_T], options: Options, every: bool = False) -> type[_T]:
    # `check` on a class: the class is not bound to its name yet; let its
    # methods' annotations refer to it all the same. The hook (`every`)
    # reads them as the engine's hook does, where the name is not bound.
    localns = None if every else {cls.__name__: cls}
    for name, member in list(vars(cls).items()):
        if isinstance(member, property):
            new = _check_property(member, localns, options, every)
            if new is not member:
                setattr(cls, name, new)
            continue
        function = member.__func__ if isinstance(member, staticmethod | classmethod) else member
        init = name == "__init__" and dataclasses.is_dataclass(cls)
        if not _wanted(function, localns, every, init):
            continue
        checked: Any = _check_function(function, localns, options, lenient=every)
        if isinstance(member, staticmethod | classmethod):
            checked = type(member)(checked)
        setattr(cls, name, checked)
    return cls


def mentions_tensor(fn: Callable[..., Any], localns: dict[str, Any] | None = None) -> bool:
    """Whether a function's signature or annotated locals mention a tensor."""
    try:
        if signature_of(fn, localns).has_tensors:
            return True
    except AnnotationError as error:
        if getattr(error, "unresolved", False):
            return True  # a forward reference: resolved on first call
        raise
    found = local_annotations(fn, localns)
    return found is not None and bool(found[2])


# -------------------------------------------------------------------- the plan


def _check_function(
    fn: _F,
    localns: dict[str, Any] | None = None,
    options: Options = _DEFAULTS,
    lenient: bool = False,
) -> _F:
    """`lenient`: read an undefined name as `Any` now, rather than try again
    at the first call."""
    if hasattr(fn, "__shapecheck__"):
        return fn
    name = getattr(fn, "__qualname__", repr(fn)) + "()"
    plan: Plan | None = None
    try:
        plan = Plan(fn, name, localns, options, lenient)
    except AnnotationError as error:
        if not getattr(error, "unresolved", False):
            raise
    except _NotReady:
        pass

    def get_plan() -> Plan:
        nonlocal plan
        if plan is None:
            # A name still undefined at the first call (a class local to
            # another function) reads as Any, as in the engine.
            plan = Plan(fn, name, localns, options, lenient=True)
        return plan

    if plan is not None:
        checked = functools.wraps(fn)(plan.fast)
    else:
        # Built on first call: a forward reference or an unfilled closure cell.
        @functools.wraps(fn)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if checked.__no_type_check__:  # type: ignore[attr-defined]
                return fn(*args, **kwargs)
            return get_plan().fast(*args, **kwargs)

        checked.__no_type_check__ = False  # type: ignore[attr-defined]

    checked.__shapecheck__ = True  # type: ignore[attr-defined]
    checked.__shapecheck_plan__ = get_plan  # type: ignore[attr-defined]
    return typing.cast(_F, checked)


# The plans of functions nobody checked, made for the tools: one per function.
_unchecked_plans: weakref.WeakKeyDictionary[Any, Plan] = weakref.WeakKeyDictionary()


def plan_for(
    fn: Callable[..., Any],
    localns: dict[str, Any] | None = None,
    signature: Signature | None = None,
) -> Plan:
    """The plan of a checked function, or the one made (once) for a function
    nobody checked; `signature`, when the caller has parsed it already."""
    get_plan = getattr(fn, "__shapecheck_plan__", None)
    if callable(get_plan):
        plan: Plan = get_plan()
        return plan
    try:
        return _unchecked_plans[fn]
    except (KeyError, TypeError):
        pass
    plan = Plan(
        fn, getattr(fn, "__qualname__", repr(fn)) + "()", localns, _DEFAULTS, signature=signature
    )
    try:
        _unchecked_plans[fn] = plan
    except TypeError:
        pass  # not weakly referable: made again next time
    return plan
