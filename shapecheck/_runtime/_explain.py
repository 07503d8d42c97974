"""The slow path: explain a failed check, then defer to the engine.

Run only when a generated checker says no. It checks again, recording where
each dim was bound, looks for the one tensor to blame, and builds the
`ShapeError`; the reference engine's verdict is kept as its cause. In survey
mode (`_config.surveying()`) the error is recorded (`_survey`) instead of
raised, and the caller goes on as if the call were unchecked.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jaxtyping
from beartype.door import is_bearable
from beartype.roar import BeartypeException

from .._config import surveying
from .._errors import AnnotationError, ShapeError
from .._spec import OtherSpec, Spec, walk_tensors
from .._survey import record
from ._engine import keeping_random_state
from ._failures import Failure, describe_value
from ._locals import LocalSite
from ._values import Memo, check_value

if TYPE_CHECKING:
    from ._plan import Plan

__all__ = [
    "ENGINE_ERRORS",
    "argument_items",
    "bind_instance_dims",
    "check_arguments",
    "check_path",
    "local_failure",
    "run_engine",
    "shape_error",
]

ENGINE_ERRORS = (jaxtyping.TypeCheckError, BeartypeException)


def bind_instance_dims(instance: Any, memo: Memo) -> None:
    """Dims an object fixes for all its methods, from its `__shapecheck_dims__()`."""
    dims_of = getattr(type(instance), "__shapecheck_dims__", None)
    if dims_of is None:
        return
    origin = f"{type(instance).__qualname__}.__shapecheck_dims__()"
    for dim_name, size in dims_of(instance).items():
        memo.single[dim_name] = size
        memo.origin[dim_name] = origin


def check_path(spec: Any, value: Any, path: str, memo: Memo) -> Failure | None:
    try:
        return check_value(spec, value, path, memo)
    except AnnotationError as error:
        raise AnnotationError(f"{path}: {error}") from None


def argument_items(plan: Plan, arguments: dict[str, Any]) -> list[tuple[Spec, str, Any]]:
    items: list[tuple[Spec, str, Any]] = []
    for param in plan.signature.params:
        if param.name not in plan.signature.hints or param.name not in arguments:
            continue
        value = arguments[param.name]
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            items += [(param.spec, f"{param.name}[{i}]", v) for i, v in enumerate(value)]
        elif param.kind is inspect.Parameter.VAR_KEYWORD:
            items += [(param.spec, f"{param.name}[{k!r}]", v) for k, v in value.items()]
        else:
            items.append((param.spec, param.name, value))
    return items


def check_arguments(plan: Plan, arguments: dict[str, Any], memo: Memo) -> Failure | None:
    """The first failing argument, or the culprit behind it."""
    items = argument_items(plan, arguments)
    for spec, path, value in items:
        failure = check_path(spec, value, path, memo)
        if failure is not None:
            culprit = _culprit(plan, arguments, items) if failure.dim is not None else None
            return culprit or failure
    return None


def _culprit(
    plan: Plan, arguments: dict[str, Any], items: list[tuple[Spec, str, Any]]
) -> Failure | None:
    """The one tensor whose axes are out of order, when the others agree.

    A conflict is noticed at the second tensor that mentions a dim; the
    culprit may be the first, for example transposed `inputs` that bound
    `batch` to the number of steps. If leaving out exactly one tensor makes
    all the others agree, and a permutation of that tensor would then match,
    blame it. With two or more such tensors the blame is ambiguous: None.
    """
    candidates: list[Failure] = []
    for root_spec, root, _ in items:
        for leaf, _ in walk_tensors(root_spec, root):
            memo = plan.slow_memo(arguments)
            memo.skip = leaf
            try:
                if any(check_value(s, v, p, memo) is not None for s, p, v in items):
                    continue
                memo.skip = None
                failure = None
                for spec, path, item in items:
                    failure = check_value(spec, item, path, memo)
                    if failure is not None:
                        break
            except AnnotationError:
                continue  # without that tensor, a symbolic dim has nothing to refer to
            if failure is not None and failure.path == leaf and failure.permutation is not None:
                candidates.append(failure)
    return candidates[0] if len(candidates) == 1 else None


def local_failure(plan: Plan, site: LocalSite, value: Any, fast: Memo, line: int) -> None:
    """Explain a failed local check, against dims bound with their origins,
    and raise its `ShapeError` (in survey mode: record it and return)."""
    arguments = fast.arguments or {}
    memo = plan.slow_memo(arguments)
    check_arguments(plan, arguments, memo)
    for dim_name, size in fast.single.items():
        if dim_name not in memo.single:
            memo.single[dim_name] = size
            memo.origin[dim_name] = "an earlier local"
    failure = check_path(site.spec, value, site.name, memo)
    if failure is None:
        return
    filename = plan.fn.__code__.co_filename
    error = shape_error(plan.name, failure)
    declared = f", declared at line {site.line}" if site.line != line else ""
    error.location = f"local variable, line {line} of {filename}{declared}"
    error.args = (error._format(),)
    violation(plan, error, local=True)


def violation(
    plan: Plan,
    error: ShapeError,
    cause: Callable[[], BaseException | None] | None = None,
    *,
    local: bool = False,
) -> None:
    """Raise `error`, with `cause()` (the engine's verdict) as its cause; in
    survey mode record it and return, and the caller goes on unchecked. The
    one place a violation of a checked call is raised."""
    if surveying():
        record(plan.fn, error, local=local)
        return
    raise error from (cause() if cause is not None else None)


def run_engine(
    plan: Plan,
    engine: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    arguments: dict[str, Any],
) -> bool:
    """The engine's verdict on a call shapecheck's own checks passed: True
    when it agrees; its `ShapeError` raised, or in survey mode recorded
    (then False)."""
    try:
        keeping_random_state(engine, *args, **kwargs)
    except ENGINE_ERRORS as error:
        violation(plan, _engine_error(plan, arguments, error))
        return False
    except jaxtyping.AnnotationError as error:
        raise AnnotationError(f"{plan.name}: {error}") from None
    return True


def _engine_error(plan: Plan, arguments: dict[str, Any], error: Exception) -> ShapeError:
    """A ShapeError for a verdict that only the engine reached: a non-tensor hint."""
    hints = plan.signature.hints
    for path, value in arguments.items():
        hint = hints.get(path)
        if hint is not None and not keeping_random_state(is_bearable, value, hint):
            text = str(OtherSpec(hint))
            return ShapeError(
                function=plan.name,
                path=path,
                expected=text,
                actual=describe_value(value),
                reason=f"{describe_value(value)} is not a {text}",
            )
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
    return ShapeError(
        function=plan.name,
        path="(arguments)",
        expected="see reason",
        actual="see reason",
        reason=first_line,
    )


def shape_error(name: str, failure: Failure) -> ShapeError:
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
