"""Check one value against its Spec, binding dims in a memo shared by one call.

The semantics are jaxtyping's: named dims bind on first sight, symbolic dims
are Python expressions over bound names, `#` admits size 1, and a variadic
group binds a tuple of sizes. On top of that, fields of NamedTuples and
dataclasses are checked, and every failure says where a dim was bound.

Reading `tensor.shape` and `tensor.dtype` never synchronises a device.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import types
import typing
from collections.abc import Iterator
from typing import Any

import torch

from .._errors import AnnotationError
from .._spec import (
    Anonymous,
    Dim,
    FieldsSpec,
    Fixed,
    MappingSpec,
    Named,
    OpaqueSpec,
    OtherSpec,
    Path,
    SequenceSpec,
    SizeSpec,
    Spec,
    Step,
    Symbolic,
    TensorSpec,
    TupleSpec,
    UnionSpec,
    Variadic,
)
from ._engine import bearable, opaque_matches
from ._failures import Failure, array_dtype_name, describe_value, is_array_like, structural

__all__ = ["Memo", "check_value", "other_matches", "tensor_leaves"]


class Memo:
    """Dim bindings of one call: sizes, variadic groups, and where each was bound."""

    __slots__ = ("arguments", "origin", "single", "skip", "variadic")

    def __init__(self, arguments: dict[str, Any] | None = None) -> None:
        self.single: dict[str, int] = {}
        self.variadic: dict[str, tuple[bool, tuple[int, ...]]] = {}
        self.origin: dict[str, str] = {}
        self.arguments = arguments
        self.skip: str | None = None  # a leaf path to leave out, when looking for a culprit

    def copy(self) -> Memo:
        new = Memo(self.arguments)
        new.skip = self.skip
        new.single = dict(self.single)
        new.variadic = dict(self.variadic)
        new.origin = dict(self.origin)
        return new

    def restore(self, other: Memo) -> None:
        self.single, self.variadic, self.origin = other.single, other.variadic, other.origin

    def bindings(self) -> str:
        return ", ".join(f"{name}={size}" for name, size in self.single.items())


def check_value(spec: Spec, value: Any, path: str, memo: Memo) -> Failure | None:
    if isinstance(spec, TensorSpec):
        return _check_tensor(spec, value, path, memo)
    if isinstance(spec, OtherSpec):
        # Checked here too, in order: the engine reports a wrong int before a
        # later tensor's unbound dim.
        if other_matches(spec, value):
            return None
        return structural(spec, value, path, str(spec))
    if isinstance(spec, SizeSpec):
        return _check_size(spec, value, path, memo)
    if isinstance(spec, TupleSpec):
        if not isinstance(value, tuple) or len(value) != len(spec.items):
            return structural(spec, value, path, f"a tuple of {len(spec.items)}")
        for index, (item_spec, item) in enumerate(zip(spec.items, value, strict=True)):
            failure = check_value(item_spec, item, f"{path}[{index}]", memo)
            if failure is not None:
                return failure
        return None
    if isinstance(spec, SequenceSpec):
        if not isinstance(value, spec.kind):
            return structural(spec, value, path, f"a {spec.kind.__name__}")
        items: Any = value
        for index, item in enumerate(items):
            failure = check_value(spec.item, item, f"{path}[{index}]", memo)
            if failure is not None:
                return failure
        return None
    if isinstance(spec, MappingSpec):
        if not isinstance(value, spec.kind):
            return structural(spec, value, path, f"a {spec.kind.__name__}")
        mapping: Any = value
        for key, item in mapping.items():
            failure = check_value(spec.key, key, f"{path}.keys()", memo)
            if failure is None:
                failure = check_value(spec.value, item, f"{path}[{key!r}]", memo)
            if failure is not None:
                return failure
        return None
    if isinstance(spec, OpaqueSpec):
        if opaque_matches(spec.hint, value, memo.single, memo.variadic, memo.arguments):
            return None
        return structural(spec, value, path, str(spec))
    if isinstance(spec, FieldsSpec):
        if not isinstance(value, spec.cls):
            return structural(spec, value, path, f"a {spec.cls.__qualname__}")
        for name, field_spec in spec.fields:
            failure = check_value(field_spec, getattr(value, name), f"{path}.{name}", memo)
            if failure is not None:
                return failure
        return None
    return _check_union(spec, value, path, memo)


def tensor_leaves(spec: Spec, value: Any, path: str | Path) -> Iterator[tuple[Path, torch.Tensor]]:
    """The tensors of a value that matched `spec`, with their paths."""
    at = path if isinstance(path, Path) else Path(path)
    if isinstance(value, torch.Tensor):
        if isinstance(spec, TensorSpec | UnionSpec):
            yield at, value
    elif isinstance(spec, TupleSpec) and isinstance(value, tuple):
        for index, (item_spec, item) in enumerate(zip(spec.items, value, strict=False)):
            yield from tensor_leaves(item_spec, item, at / Step("index", index))
    elif isinstance(spec, SequenceSpec) and isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from tensor_leaves(spec.item, item, at / Step("item", index))
    elif isinstance(spec, MappingSpec) and isinstance(value, dict):
        for key, item in value.items():
            yield from tensor_leaves(spec.value, item, at / Step("value", key))
    elif isinstance(spec, FieldsSpec) and isinstance(value, spec.cls):
        for name, field_spec in spec.fields:
            yield from tensor_leaves(field_spec, getattr(value, name), at / Step("field", name))
    elif isinstance(spec, UnionSpec) and isinstance(value, tuple | list):
        for option in spec.options:
            if isinstance(option, TupleSpec | SequenceSpec):
                yield from tensor_leaves(option, value, at)
                return


def other_matches(spec: OtherSpec, value: Any) -> bool:
    """Whether a value matches a hint without arrays, as beartype decides."""
    hint = spec.hint
    if hint is Any or hint is object:
        return True
    if hint is None or hint is type(None):
        return value is None
    if hint is typing.NoReturn or hint is typing.Never:
        return False  # a function that returns at all breaks it
    if isinstance(hint, type) and typing.get_origin(hint) is None and hint.__module__ == "builtins":
        return isinstance(value, hint)
    return bearable(value, hint)


def _check_union(spec: UnionSpec, value: Any, path: str, memo: Memo) -> Failure | None:
    failures = []
    for option in spec.options:
        if isinstance(option, OtherSpec):
            if other_matches(option, value):
                return None
            failures.append(structural(option, value, path, str(option)))
            continue
        saved = memo.copy()
        failure = check_value(option, value, path, memo)
        if failure is None:
            return None
        memo.restore(saved)
        failures.append(failure)
    # Report the option whose structure fitted, if one did: its reason is the
    # useful one. Otherwise say that no option fitted.
    for failure in failures:
        if not failure.structural:
            return failure
    return Failure(
        path,
        str(spec),
        describe_value(value),
        f"matches none of the {len(spec.options)} options",
        structural=True,
    )


def _check_size(spec: SizeSpec, value: Any, path: str, memo: Memo) -> Failure | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return structural(spec, value, path, "an int")
    failure = _bind(spec.name, value, path, path, str(spec), memo)
    if failure is None:
        return None
    reason = f"`{spec.name}` is {value} here, but {spec.name}={failure.bound_value} was bound by "
    return dataclasses.replace(failure, actual=str(value), reason=reason + str(failure.bound_at))


def _check_tensor(spec: TensorSpec, value: Any, path: str, memo: Memo) -> Failure | None:
    if path == memo.skip:
        return None
    if spec.array_type is Any:
        if not is_array_like(value):
            return structural(spec, value, path, "an array with `shape` and `dtype`")
    elif not isinstance(value, spec.array_type):
        wanted = "a tensor" if spec.array_type is torch.Tensor else f"a {spec.type_name}"
        return structural(spec, value, path, wanted)
    if spec.dtypes is not None:
        name = array_dtype_name(value)
        if not any(_dtype_matches(wanted, name) for wanted in spec.dtypes):
            return Failure(
                path, str(spec), describe_value(value), f"dtype {name} is not a {spec.dtype} dtype"
            )
    if spec.shape is None:
        return None
    saved = memo.copy()
    failure = _check_shape(spec, tuple(value.shape), path, memo)
    if failure is None:
        return None
    memo.restore(saved)
    failure.actual = describe_value(value)
    if failure.dim is not None or failure.reason.startswith("axis"):
        failure.permutation = _fitting_permutation(spec, tuple(value.shape), path, memo)
    return failure


def _dtype_matches(wanted: Any, name: str) -> bool:
    if isinstance(wanted, str):
        return wanted == name
    return bool(wanted.match(name))


def _check_shape(spec: TensorSpec, shape: tuple[int, ...], path: str, memo: Memo) -> Failure | None:
    assert spec.shape is not None
    dims = spec.shape.dims
    expected = str(spec)
    v = spec.shape.variadic
    if v is None:
        if len(shape) != len(dims):
            return Failure(path, expected, "", f"has {len(shape)} dims, expected {len(dims)}")
        return _check_dims(dims, shape, 0, path, expected, memo)
    if len(shape) < len(dims) - 1:
        return Failure(
            path, expected, "", f"has {len(shape)} dims, expected at least {len(dims) - 1}"
        )
    after = len(dims) - v - 1
    end = len(shape) - after
    failure = _check_dims(dims[:v], shape[:v], 0, path, expected, memo)
    if failure is None:
        failure = _check_dims(dims[v + 1 :], shape[end:], end, path, expected, memo)
    if failure is None:
        group = dims[v]
        assert isinstance(group, Variadic)
        failure = _check_group(group, shape[v:end], path, expected, memo)
    return failure


def _check_dims(
    dims: tuple[Dim, ...],
    sizes: tuple[int, ...],
    start: int,
    path: str,
    expected: str,
    memo: Memo,
) -> Failure | None:
    """Check sizes against dims one axis at a time, numbered from `start`, binding names."""
    for axis, (dim, size) in enumerate(zip(dims, sizes, strict=True), start):
        if isinstance(dim, Anonymous):
            continue
        if getattr(dim, "broadcast", False) and size == 1:
            continue
        where = f"{path}.shape[{axis}]"
        failure: Failure | None = None
        if isinstance(dim, Named):
            failure = _bind(dim.name, size, where, path, expected, memo)
        elif isinstance(dim, Fixed):
            if dim.size != size:
                failure = Failure(
                    path,
                    expected,
                    "",
                    f"axis {axis} is {size}, expected the fixed size {dim.size}",
                    dim=str(dim),
                    bound_value=dim.size,
                    bound_at="the annotation",
                    actual_value=size,
                )
        elif isinstance(dim, Symbolic):
            failure = _check_symbolic(dim, size, where, path, expected, memo)
        if failure is not None:
            return failure
    return None


def _bind(name: str, size: int, where: str, path: str, expected: str, memo: Memo) -> Failure | None:
    """Bind the dim `name` on first sight, else check the size it was bound to."""
    bound = memo.single.get(name)
    if bound is None:
        memo.single[name] = size
        memo.origin[name] = where
        return None
    if bound == size:
        return None
    origin = memo.origin.get(name, "?")
    return Failure(
        path,
        expected,
        "",
        f"dimension `{name}` is {size} at {where}, but {name}={bound} was bound by {origin}",
        dim=name,
        bound_value=bound,
        bound_at=origin,
        actual_value=size,
    )


def _check_symbolic(
    dim: Symbolic, size: int, where: str, path: str, expected: str, memo: Memo
) -> Failure | None:
    """Check a size against the value of a symbolic dim's expression."""
    try:
        value = evaluate(dim, memo)
    except _Unevaluable as error:
        return Failure(
            path,
            expected,
            "",
            f"dimension `{dim.expr}` at {where} cannot be evaluated: {error}",
            dim=dim.expr,
            actual_value=size,
        )
    if value != size:
        origins = ", ".join(
            f"{name}={memo.single[name]} from {memo.origin.get(name, '?')}"
            for name in dim.names
            if name in memo.single
        )
        return Failure(
            path,
            expected,
            "",
            f"dimension `{dim.expr}` is {size} at {where}, but {dim.expr}={value} ({origins})",
            dim=dim.expr,
            bound_value=value,
            bound_at=origins,
            actual_value=size,
        )
    return None


@functools.lru_cache(maxsize=512)
def _compiled(source: str) -> types.CodeType:
    return compile(source, "<dim>", "eval")


class _Unevaluable(Exception):
    """A symbolic dim whose expression raised (a division by zero, say)."""


def evaluate(dim: Symbolic, memo: Memo) -> Any:
    """The size a symbolic dim stands for, given the dims bound so far.

    A name that nothing bound is an `AnnotationError`, as in jaxtyping; any
    other failure of the expression is a violation (`_Unevaluable`).
    """
    try:
        if dim.code is not None:
            return eval(dim.code, dict(memo.single))  # noqa: S307
        # Fields in braces are f-string fields over the call's arguments.
        text = eval(_compiled(f"f'{dim.expr}'"), dict(memo.arguments or {}))  # noqa: S307
        return eval(_compiled(text), dict(memo.single))  # noqa: S307
    except NameError as error:
        raise AnnotationError(
            f"symbolic dim `{dim.expr}` uses {error.name!r}, which no earlier "
            f"argument binds (bound so far: {memo.bindings() or 'nothing'})"
        ) from None
    except Exception as error:  # noqa: BLE001  (the expression is the user's)
        raise _Unevaluable(f"{type(error).__name__}: {error}") from None


def _check_group(
    group: Variadic, sizes: tuple[int, ...], path: str, expected: str, memo: Memo
) -> Failure | None:
    if group.name is None:
        return None
    previous = memo.variadic.get(group.name)
    if previous is None:
        memo.variadic[group.name] = (group.broadcast, sizes)
        memo.origin["*" + group.name] = f"{path}.shape"
        return None
    was_broadcast, before = previous
    if was_broadcast or group.broadcast:
        merged = _broadcast(before, sizes)
        if was_broadcast:
            ok = merged is not None and (group.broadcast or merged == sizes)
        else:
            ok = merged is not None and merged == before
        if ok and was_broadcast:
            assert merged is not None
            memo.variadic[group.name] = (group.broadcast, merged)
    else:
        ok = before == sizes
    if ok:
        return None
    origin = memo.origin.get("*" + group.name, "?")
    return Failure(
        path,
        expected,
        "",
        f"variadic dims `*{group.name}` are {sizes}, but were bound to {before} by {origin}",
        dim="*" + group.name,
        bound_at=origin,
    )


def _broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    """The broadcast of two shapes, by numpy's rule (a size 1 takes the other
    size, even 0), or None when they do not broadcast."""
    out = []
    for x, y in itertools.zip_longest(reversed(a), reversed(b), fillvalue=1):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            return None
    return tuple(reversed(out))


_MAX_PERMUTED_RANK = 6


def _fitting_permutation(
    spec: TensorSpec, shape: tuple[int, ...], path: str, memo: Memo
) -> tuple[int, ...] | None:
    """A non-identity `permute(...)` order under which `shape` would match."""
    if len(shape) > _MAX_PERMUTED_RANK or len(shape) < 2:
        return None
    identity = tuple(range(len(shape)))
    for order in itertools.permutations(identity):
        if order == identity:
            continue
        trial = memo.copy()
        permuted = tuple(shape[axis] for axis in order)
        if permuted == shape:
            continue
        try:
            if _check_shape(spec, permuted, path, trial) is None:
                return order
        except AnnotationError:
            return None
    return None
