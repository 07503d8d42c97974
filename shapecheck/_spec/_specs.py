"""The spec types and `spec_of`: one resolved type hint -> `Spec`."""

from __future__ import annotations

import collections
import collections.abc
import dataclasses
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Union

import jaxtyping

from .._errors import AnnotationError
from ._dims import Shape, parse_shape

__all__ = [
    "FieldsSpec",
    "MappingSpec",
    "OpaqueSpec",
    "OtherSpec",
    "SequenceSpec",
    "Size",
    "SizeSpec",
    "Spec",
    "TensorSpec",
    "TupleSpec",
    "UnionSpec",
    "contains_tensor",
    "spec_of",
]


@dataclass(frozen=True)
class Size:
    """Makes an `int` argument bind a dim: `batch_size: Annotated[int, Size("batch")]`.

    Then `init_state(batch_size=3, ...)` must return tensors whose `batch`
    axis is 3, and the docs show `batch_size` as the source of `batch`.
    """

    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise AnnotationError(f"Size() takes a dim name, got {self.name!r}")


@dataclass(frozen=True)
class SizeSpec:
    """An int that binds the dim `name`."""

    name: str
    hint: Any = dataclasses.field(compare=False)

    def __str__(self) -> str:
        return f"int = {self.name}"


@dataclass(frozen=True)
class TensorSpec:
    """An array leaf: `Float[Tensor, "batch hiddens"]`, or a bare `Tensor`.

    `array_type` is the class in `Float[X, ...]`, checked with isinstance as
    jaxtyping does (`torch.Tensor`, `nn.Parameter`, `np.ndarray`, any class
    with `.shape` and `.dtype`), or `Any` for jaxtyping's duck-typed arrays.
    """

    dtype: str  # the dtype family as written: "Float", "Int", "Shaped", ...
    dtypes: tuple[str | re.Pattern[str], ...] | None  # None: any dtype
    shape: Shape | None  # None: a bare Tensor, any shape
    hint: Any = dataclasses.field(compare=False)
    array_type: Any = dataclasses.field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.array_type is None:
            import torch  # noqa: PLC0415

            object.__setattr__(self, "array_type", torch.Tensor)

    @property
    def is_torch(self) -> bool:
        """Whether the array type is `torch.Tensor` or a subclass of it."""
        import torch  # noqa: PLC0415

        return isinstance(self.array_type, type) and issubclass(self.array_type, torch.Tensor)

    @property
    def type_name(self) -> str:
        if self.array_type is Any:
            return "Any"
        return getattr(self.array_type, "__name__", repr(self.array_type))

    def __str__(self) -> str:
        if self.shape is None:
            return self.type_name
        return f'{self.dtype}[{self.type_name}, "{self.shape.text}"]'


@dataclass(frozen=True)
class TupleSpec:
    """A fixed-length tuple, `tuple[A, B]`."""

    items: tuple[Spec, ...]
    hint: Any = dataclasses.field(compare=False)

    def __str__(self) -> str:
        return "tuple[" + ", ".join(str(item) for item in self.items) + "]"


@dataclass(frozen=True)
class SequenceSpec:
    """A homogeneous `tuple[A, ...]` or `list[A]`."""

    item: Spec
    kind: type
    hint: Any = dataclasses.field(compare=False)

    def __str__(self) -> str:
        if self.kind is tuple:
            return f"tuple[{self.item}, ...]"
        return f"{self.kind.__name__}[{self.item}]"


@dataclass(frozen=True)
class MappingSpec:
    """A `dict[K, V]` or `Mapping[K, V]` with arrays in its keys or values."""

    key: Spec
    value: Spec
    kind: type
    hint: Any = dataclasses.field(compare=False)

    def __str__(self) -> str:
        return f"{self.kind.__name__}[{self.key}, {self.value}]"


@dataclass(frozen=True)
class OpaqueSpec:
    """A hint with arrays inside a form shapecheck does not model (`Iterable[X]`,
    a user's generic, ...): the engine checks it, against the call's dims."""

    hint: Any = dataclasses.field(compare=False)

    def __str__(self) -> str:
        return _hint_text(self.hint)


@dataclass(frozen=True)
class FieldsSpec:
    """A NamedTuple or dataclass whose fields carry annotations."""

    cls: type
    fields: tuple[tuple[str, Spec], ...]
    hint: Any = dataclasses.field(compare=False)

    def __str__(self) -> str:
        return self.cls.__name__


@dataclass(frozen=True)
class UnionSpec:
    options: tuple[Spec, ...]
    hint: Any = dataclasses.field(compare=False)

    def __str__(self) -> str:
        return " | ".join(str(option) for option in self.options)


@dataclass(frozen=True)
class OtherSpec:
    """Anything without tensors that shapecheck knows of; beartype checks it."""

    hint: Any = dataclasses.field(compare=False)

    def __str__(self) -> str:
        return _hint_text(self.hint)


Spec = (
    TensorSpec
    | SizeSpec
    | TupleSpec
    | SequenceSpec
    | MappingSpec
    | FieldsSpec
    | UnionSpec
    | OpaqueSpec
    | OtherSpec
)


def _hint_text(hint: Any) -> str:
    if hint is type(None):
        return "None"
    if isinstance(hint, type) and typing.get_origin(hint) is None:
        return hint.__qualname__
    text = repr(hint)
    return text.replace("typing.", "").replace("collections.abc.", "")


def _is_array_hint(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, jaxtyping.AbstractArray)


def _is_tensor_type(hint: Any) -> bool:
    import torch  # noqa: PLC0415  (torch is imported by jaxtyping users anyway)

    return isinstance(hint, type) and issubclass(hint, torch.Tensor)


_SPEC_CACHE: dict[Any, Spec] = {}


def spec_of(hint: Any) -> Spec:
    """The `Spec` of one resolved type hint."""
    try:
        return _SPEC_CACHE[hint]
    except (KeyError, TypeError):
        pass
    spec = _spec_of(hint, ())
    try:
        _SPEC_CACHE[hint] = spec
    except TypeError:
        pass
    return spec


def _array_spec(hint: Any) -> TensorSpec:
    """The `TensorSpec` of a jaxtyping array hint, such as `Float[Tensor, "batch n"]`."""
    dtypes = hint.dtypes
    if not isinstance(dtypes, tuple | list):
        dtypes = None  # jaxtyping's "any dtype" sentinel (Shaped)
    shape = parse_shape(hint.dim_str)
    if any(getattr(dim, "treepath", False) for dim in shape.dims):
        raise AnnotationError(
            f'"{shape.text}": `?` dims depend on a place in a PyTree, and mean '
            "nothing outside a PyTree annotation; write the dim without `?`"
        )
    return TensorSpec(
        dtype=hint.dtype.__name__,
        dtypes=None if dtypes is None else tuple(dtypes),
        shape=shape,
        hint=hint,
        array_type=hint.array_type,
    )


def _spec_of(hint: Any, seen: tuple[type, ...]) -> Spec:
    if _is_array_hint(hint):
        return _array_spec(hint)
    if _is_tensor_type(hint):
        return TensorSpec(dtype="Tensor", dtypes=None, shape=None, hint=hint, array_type=hint)

    if isinstance(hint, dataclasses.InitVar):
        return _spec_of(hint.type, seen)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        sizes = [meta for meta in hint.__metadata__ if isinstance(meta, Size)]
        if sizes:
            if args[0] is not int:
                raise AnnotationError(f"Size({sizes[0].name!r}) annotates an int, not {args[0]!r}")
            return SizeSpec(sizes[0].name, hint)
        inner = _spec_of(args[0], seen)
        if any(_is_validator(meta) for meta in hint.__metadata__):
            # beartype's validators (`Is[...]`) are the engine's to check.
            return OtherSpec(hint) if isinstance(inner, OtherSpec) else OpaqueSpec(hint)
        return inner
    if origin is Union or origin is types.UnionType:
        options = tuple(_spec_of(arg, seen) for arg in args)
        if not any(contains_tensor(option) for option in options):
            return OtherSpec(hint)
        return UnionSpec(options, hint)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _spec_of(args[0], seen)
            return SequenceSpec(item, tuple, hint) if contains_tensor(item) else OtherSpec(hint)
        if args == ((),):
            return OtherSpec(hint)
        items = tuple(_spec_of(arg, seen) for arg in args)
        return TupleSpec(items, hint) if any(map(contains_tensor, items)) else OtherSpec(hint)
    if origin in _SEQUENCES:
        item = _spec_of(args[0], seen) if args else OtherSpec(Any)
        return SequenceSpec(item, origin, hint) if contains_tensor(item) else OtherSpec(hint)
    if origin in _MAPPINGS and len(args) == 2:
        key, value = _spec_of(args[0], seen), _spec_of(args[1], seen)
        if contains_tensor(key) or contains_tensor(value):
            return MappingSpec(key, value, origin, hint)
        return OtherSpec(hint)
    if isinstance(hint, type) and hint not in seen and _has_fields(hint):
        fields = tuple(
            (name, _spec_of(field_hint, (*seen, hint)))
            for name, field_hint in _field_hints(hint).items()
        )
        if any(contains_tensor(spec) for _, spec in fields):
            return FieldsSpec(hint, fields, hint)
    if origin is not None and _mentions_array(hint):
        return OpaqueSpec(hint)
    return OtherSpec(hint)


# Containers whose every item shapecheck checks, against the call's dims.
_SEQUENCES: tuple[Any, ...] = (list, collections.abc.Sequence, collections.abc.MutableSequence)
_MAPPINGS: tuple[Any, ...] = (
    dict,
    collections.abc.Mapping,
    collections.abc.MutableMapping,
    collections.OrderedDict,
    collections.defaultdict,
)


def _is_validator(meta: Any) -> bool:
    return type(meta).__module__.startswith("beartype.")


def _mentions_array(hint: Any, depth: int = 0) -> bool:
    """Whether arrays appear in a hint where the engine would check them
    (not in a `Callable`'s signature, nor as a `type[...]`)."""
    if _is_array_hint(hint) or _is_tensor_type(hint):
        return True
    if depth > 20 or typing.get_origin(hint) in (collections.abc.Callable, type):
        return False
    try:
        args = typing.get_args(hint)
    except Exception:  # noqa: BLE001  (an exotic hint: nothing to find)
        return False
    return any(_mentions_array(arg, depth + 1) for arg in args if not isinstance(arg, str))


def _has_fields(cls: type) -> bool:
    is_namedtuple = issubclass(cls, tuple) and hasattr(cls, "_fields")
    return is_namedtuple or dataclasses.is_dataclass(cls)


def _field_hints(cls: type) -> dict[str, Any]:
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception as error:  # noqa: BLE001  (any failure to resolve is the user's)
        raise AnnotationError(
            f"cannot resolve the field annotations of {cls.__qualname__}: {error}"
        ) from None
    if dataclasses.is_dataclass(cls):
        return {
            field.name: hints[field.name]
            for field in dataclasses.fields(cls)
            if field.name in hints
        }
    return {name: hints[name] for name in cls._fields if name in hints}  # type: ignore[attr-defined]


def contains_tensor(spec: Spec) -> bool:
    return not isinstance(spec, OtherSpec)
