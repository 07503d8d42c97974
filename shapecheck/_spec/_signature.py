"""Signatures: a function's annotations, resolved and parsed into `Spec`s."""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._errors import AnnotationError
from ._specs import Spec, contains_tensor, spec_of

__all__ = ["Param", "Signature", "resolve_hints", "signature_of", "unwrapped"]


@dataclass(frozen=True)
class Param:
    name: str
    spec: Spec
    kind: inspect._ParameterKind
    default: Any


@dataclass(frozen=True)
class Signature:
    """The parsed annotations of one function."""

    qualname: str
    params: tuple[Param, ...]
    returns: Spec | None
    hints: dict[str, Any] = dataclasses.field(compare=False)

    @property
    def has_tensors(self) -> bool:
        specs = [param.spec for param in self.params]
        if self.returns is not None:
            specs.append(self.returns)
        return any(contains_tensor(spec) for spec in specs)


def unwrapped(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The function under `functools.wraps` wrappers, as `inspect.signature` finds it."""
    try:
        inner: Callable[..., Any] = inspect.unwrap(fn, stop=lambda f: hasattr(f, "__signature__"))
    except ValueError:  # a cycle of __wrapped__
        return fn
    return inner


def resolve_hints(
    fn: Callable[..., Any], localns: dict[str, Any] | None = None, lenient: bool = False
) -> dict[str, Any]:
    """The function's annotations, evaluated, or `AnnotationError`.

    Annotations are read from the function under any `functools.wraps`
    wrappers. With `lenient`, an annotation naming something that is not
    defined (a class local to another function) is read as `Any`, as the
    engine reads it; the others are still checked.
    """
    target = unwrapped(fn)
    try:
        return typing.get_type_hints(target, localns=localns, include_extras=True)
    except AnnotationError:
        raise
    except NameError as error:
        if lenient:
            return _hints_one_by_one(target, localns)
        failure = _unresolved(fn, error)
        # A name not defined yet (a class decorating its own methods) may resolve
        # later; the decorator retries on the first call.
        failure.unresolved = True  # type: ignore[attr-defined]
        raise failure from None
    except Exception as error:  # noqa: BLE001  (any failure to resolve is the user's)
        raise _unresolved(fn, error) from None


def _unresolved(fn: Callable[..., Any], error: Exception) -> AnnotationError:
    name = getattr(fn, "__qualname__", repr(fn))
    return AnnotationError(
        f"cannot resolve the annotations of {name}: {type(error).__name__}: {error}"
    )


def _hints_one_by_one(target: Callable[..., Any], localns: dict[str, Any] | None) -> dict[str, Any]:
    hints: dict[str, Any] = {}
    globalns = getattr(target, "__globals__", {})
    for name, annotation in getattr(target, "__annotations__", {}).items():
        holder = types.SimpleNamespace(__annotations__={name: annotation})
        try:
            hints.update(typing.get_type_hints(holder, globalns, localns, include_extras=True))
        except NameError:
            hints[name] = Any
        except AnnotationError:
            raise
        except Exception as error:  # noqa: BLE001  (any failure to resolve is the user's)
            raise _unresolved(target, error) from None
    return hints


def signature_of(
    fn: Callable[..., Any], localns: dict[str, Any] | None = None, lenient: bool = False
) -> Signature:
    """Parse every annotation of `fn`; raise `AnnotationError` if one is malformed."""
    hints = resolve_hints(fn, localns, lenient)
    qualname = getattr(fn, "__qualname__", getattr(fn, "__name__", repr(fn)))
    params = []
    for param in inspect.signature(fn).parameters.values():
        hint = hints.get(param.name, Any)
        params.append(
            Param(param.name, _spec_in(qualname, param.name, hint), param.kind, param.default)
        )
    returns = None
    if "return" in hints:
        returns = _spec_in(qualname, "return", hints["return"])
    return Signature(qualname, tuple(params), returns, hints)


def _spec_in(qualname: str, where: str, hint: Any) -> Spec:
    try:
        return spec_of(hint)
    except AnnotationError as error:
        raise AnnotationError(f"{qualname}, {where}: {error}") from None
