"""Annotation -> Spec: the one parsed model that every feature reads.

The runtime checker, the docs generator, the linter and the verifier all take
their view of an annotation from here. Nothing in this module imports the rest
of shapecheck.

A dimension string follows the grammar of jaxtyping shape strings:

- `batch`: a named dim, bound on first sight, then checked for equality;
- `3` or `rows=3`: a fixed size;
- `steps*batch`: a symbolic dim, a Python expression over names bound earlier;
- `_` or `_name`: any size, never bound;
- `*batch`, `...`: a variadic group of any number of axes (at most one);
- `#batch`: may also be 1, to allow broadcasting.
"""

from __future__ import annotations

import ast
import collections
import collections.abc
import dataclasses
import inspect
import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Union

import jaxtyping

from ._errors import AnnotationError

__all__ = [
    "Anonymous",
    "Dim",
    "FieldsSpec",
    "Fixed",
    "Leaf",
    "MappingSpec",
    "Named",
    "OpaqueSpec",
    "OtherSpec",
    "Param",
    "Path",
    "SequenceSpec",
    "Shape",
    "Signature",
    "Size",
    "SizeSpec",
    "Spec",
    "Step",
    "Symbolic",
    "TensorSpec",
    "TupleSpec",
    "UnionSpec",
    "Variadic",
    "contains_tensor",
    "leaves",
    "parse_shape",
    "signature_of",
    "spec_at",
    "spec_of",
]


# --------------------------------------------------------------------------- dims


@dataclass(frozen=True)
class Named:
    name: str
    broadcast: bool = False
    treepath: bool = False

    def __str__(self) -> str:
        return ("#" if self.broadcast else "") + ("?" if self.treepath else "") + self.name


@dataclass(frozen=True)
class Fixed:
    size: int
    broadcast: bool = False
    label: str | None = None

    def __str__(self) -> str:
        label = f"{self.label}=" if self.label else ""
        return ("#" if self.broadcast else "") + label + str(self.size)


@dataclass(frozen=True)
class Symbolic:
    expr: str
    names: tuple[str, ...]
    broadcast: bool = False
    code: types.CodeType | None = dataclasses.field(default=None, compare=False)
    # The parsed expression, for those that rewrite it (the generated checks);
    # None for f-string dims, whose text is known only at the call.
    tree: ast.Expression | None = dataclasses.field(default=None, compare=False)

    def __str__(self) -> str:
        return ("#" if self.broadcast else "") + self.expr


@dataclass(frozen=True)
class Anonymous:
    label: str = "_"

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Variadic:
    name: str | None  # None: anonymous, written `...` or `*_`
    broadcast: bool = False
    treepath: bool = False

    def __str__(self) -> str:
        if self.name is None:
            return "..."
        prefix = ("#" if self.broadcast else "") + ("?" if self.treepath else "")
        return f"{prefix}*{self.name}"


Dim = Named | Fixed | Symbolic | Anonymous | Variadic


@dataclass(frozen=True)
class Shape:
    text: str
    dims: tuple[Dim, ...]
    variadic: int | None  # index of the variadic dim, if any

    def __str__(self) -> str:
        return self.text

    @property
    def names(self) -> tuple[str, ...]:
        """Every dim name this shape mentions, in order, without repeats."""
        seen: dict[str, None] = {}
        for dim in self.dims:
            if isinstance(dim, Named | Variadic) and dim.name is not None:
                seen[dim.name] = None
            elif isinstance(dim, Symbolic):
                seen.update(dict.fromkeys(dim.names))
        return tuple(seen)


def _fail(text: str, problem: str, fix: str | None = None) -> AnnotationError:
    message = f'invalid dimension string "{text}": {problem}'
    if fix is not None and fix != text:
        message += f'; did you mean "{fix}"?'
    return AnnotationError(message)


_MODIFIERS = {"#": "broadcast", "*": "variadic", "_": "anonymous", "?": "treepath"}


def parse_shape(text: object) -> Shape:
    """Parse a dimension string such as `"steps*batch vocab"` into a `Shape`.

    Raises `AnnotationError` with the corrected form, where one can be
    guessed, for anything that is not a valid dimension string.
    """
    if not isinstance(text, str):
        raise AnnotationError(
            f"a dimension string must be a str, got {type(text).__name__} {_short_repr(text)}"
        )
    elements = text.split()
    dims: list[Dim] = []
    variadic: int | None = None
    for index, element in enumerate(elements):
        dim = _parse_element(text, elements, index, element)
        if isinstance(dim, Variadic):
            if variadic is not None:
                raise _fail(
                    text,
                    "more than one variadic group (`*name` or `...`); a shape can have at most one",
                )
            variadic = index
        dims.append(dim)
    return Shape(text=text, dims=tuple(dims), variadic=variadic)


def _short_repr(value: object, limit: int = 80) -> str:
    """`repr(value)` cut to `limit` characters, for a message; never raises (a huge
    int's repr does, and so may a user's `__repr__`)."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001  (any failure: fall back to the type)
        return f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _replaced(elements: list[str], index: int, new: str) -> str:
    return " ".join(elements[:index] + [new] + elements[index + 1 :])


def _parse_element(text: str, elements: list[str], index: int, element: str) -> Dim:
    # The grammar and its order of reading follow jaxtyping's own parser, so
    # that every string jaxtyping accepts parses here to the same dim; only
    # what it rejects gets an error, with the corrected form where one can be
    # guessed.
    if "," in element and "(" not in element:
        fix = " ".join(part for part in text.replace(",", " ").split())
        raise _fail(text, "dims are separated by spaces, not commas", fix)
    if element == "#":
        raise _fail(text, "`#`: a modifier needs a name after it")
    if element.endswith("#"):
        fix = _replaced(elements, index, "#" + element.rstrip("#"))
        raise _fail(text, f"`{element}`: the broadcast mark # goes before the name", fix)
    if "..." in element:
        if element != "...":
            raise _fail(
                text,
                f"`{element}`: the anonymous variadic `...` must stand on its own",
                _replaced(elements, index, "..."),
            )
        return Variadic(None)

    flags: set[str] = set()
    label: str | None = None
    body = element
    while body:
        if body[0] in _MODIFIERS:
            flag = _MODIFIERS[body[0]]
            if flag in flags:
                fix = _replaced(elements, index, element.replace(body[0] * 2, body[0], 1))
                raise _fail(text, f"`{element}`: do not repeat `{body[0]}`", fix)
            flags.add(flag)
            body = body[1:]
        elif body.count("=") == 1:
            # `rows=3`: a label for the reader; jaxtyping keeps only what
            # follows the `=`.
            label, body = body.split("=")
        else:
            break

    broadcast = "broadcast" in flags
    treepath = "treepath" in flags
    anonymous = "anonymous" in flags
    variadic = "variadic" in flags

    if body == "" or body.isidentifier():
        if anonymous:
            if broadcast:
                raise _fail(
                    text,
                    f"`{element}`: a dim cannot be both anonymous and broadcastable",
                    _replaced(elements, index, element.replace("#", "")),
                )
            return Variadic(None) if variadic else Anonymous(element)
        # An empty name (`*` or `?` alone) is a dim named "", as in jaxtyping.
        if variadic:
            return Variadic(body, broadcast, treepath)
        return Named(body, broadcast, treepath)

    try:
        size = int(body)
    except ValueError:
        size = None
    if size is not None:
        if variadic:
            raise _fail(
                text,
                f"`{element}`: a fixed size cannot be variadic",
                _replaced(elements, index, element.replace("*", "")),
            )
        if anonymous:
            raise _fail(
                text,
                f"`{element}`: a fixed size cannot be anonymous",
                _replaced(elements, index, element.replace("_", "", 1)),
            )
        if treepath:
            raise _fail(
                text,
                f"`{element}`: a fixed size cannot depend on a tree path",
                _replaced(elements, index, element.replace("?", "")),
            )
        return Fixed(size, broadcast, label or None)

    if variadic:
        raise _fail(text, f"`{element}`: a symbolic expression cannot be variadic")
    if anonymous:
        raise _fail(
            text,
            f"`{element}`: a symbolic expression cannot be anonymous",
            _replaced(elements, index, element.replace("_", "", 1)),
        )
    if treepath:
        raise _fail(text, f"`{element}`: a symbolic expression cannot depend on a tree path")
    if len(body) > 4300 and body.isdigit():
        raise _fail(text, f"`{element[:20]}...`: the size is too large")
    return _parse_symbolic(text, body, broadcast)


_BRACES = re.compile(r"\{[^{}]*\}")


def _parse_symbolic(text: str, expr: str, broadcast: bool) -> Symbolic:
    # `{...}` parts are f-string fields over the call's arguments, as in
    # jaxtyping; the rest is a Python expression over bound dim names.
    plain = _BRACES.sub("0", expr)
    if "{" in plain or "}" in plain:
        raise _fail(text, f"`{expr}`: unbalanced braces")
    try:
        tree = ast.parse(plain, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise _fail(
            text, f"`{expr}` is neither a dim name, a size, nor a valid expression"
        ) from None
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    names = tuple(
        dict.fromkeys(
            node.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and id(node) not in called
        )
    )
    code = None
    if expr == plain:
        try:
            code = compile(tree, "<dim>", "eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            raise _fail(text, f"`{expr}` is not a valid expression") from None
    return Symbolic(expr, names, broadcast, code, tree if expr == plain else None)


# -------------------------------------------------------------------------- specs


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


def _spec_of(hint: Any, seen: tuple[type, ...]) -> Spec:
    if _is_array_hint(hint):
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


class Step(NamedTuple):
    """One step into a value: `[0]` of a tuple, `.W_xi` of a NamedTuple, an
    item `[i]` of a sequence (`at` its index when a value is walked), a value
    `[k]` of a mapping (`at` its key) or the mapping's `.keys()`."""

    kind: Literal["index", "field", "item", "value", "key"]
    at: Any = None

    def __str__(self) -> str:
        if self.kind == "index":
            return f"[{self.at}]"
        if self.kind == "field":
            return f".{self.at}"
        if self.kind == "key":
            return ".keys()"
        if self.at is None:
            return "[i]" if self.kind == "item" else "[k]"
        return f"[{self.at}]" if self.kind == "item" else f"[{self.at!r}]"


class Path(NamedTuple):
    """Where a leaf sits: an argument's name or `return`, then the steps in.
    Text only when shown: `state[0]`, `params.W_xi`, `return[1][0]`."""

    root: str
    steps: tuple[Step, ...] = ()

    def __str__(self) -> str:
        return self.root + "".join(str(step) for step in self.steps)

    def __truediv__(self, step: Step) -> Path:
        return Path(self.root, (*self.steps, step))

    def generic(self) -> Path:
        """The same path with any item's index and any value's key left out."""
        return Path(
            self.root,
            tuple(Step(s.kind) if s.kind in ("item", "value") else s for s in self.steps),
        )


class Leaf(NamedTuple):
    path: Path
    spec: TensorSpec | SizeSpec


def leaves(spec: Spec, root: str | Path) -> Iterator[Leaf]:
    """Every tensor and size leaf of `spec`, with its path; each option of a
    union at the union's own path. The one walker of specs."""
    path = root if isinstance(root, Path) else Path(root)
    if isinstance(spec, TensorSpec | SizeSpec):
        yield Leaf(path, spec)
    elif isinstance(spec, TupleSpec):
        for index, item in enumerate(spec.items):
            yield from leaves(item, path / Step("index", index))
    elif isinstance(spec, SequenceSpec):
        yield from leaves(spec.item, path / Step("item"))
    elif isinstance(spec, MappingSpec):
        yield from leaves(spec.key, path / Step("key"))
        yield from leaves(spec.value, path / Step("value"))
    elif isinstance(spec, FieldsSpec):
        for name, field in spec.fields:
            yield from leaves(field, path / Step("field", name))
    elif isinstance(spec, UnionSpec):
        for option in spec.options:
            yield from leaves(option, path)


def spec_at(spec: Spec, path: Path) -> Spec | None:
    """The spec under `path`, or None where the spec has no such step."""
    current: Spec = spec
    for step in path.steps:
        if step.kind == "index" and isinstance(current, TupleSpec):
            current = current.items[step.at]
        elif step.kind == "field" and isinstance(current, FieldsSpec):
            current = dict(current.fields)[step.at]
        elif step.kind == "item" and isinstance(current, SequenceSpec):
            current = current.item
        elif step.kind == "value" and isinstance(current, MappingSpec):
            current = current.value
        else:
            return None
    return current


def walk_tensors(spec: Spec, path: str) -> Iterator[tuple[str, TensorSpec]]:
    """Every tensor leaf of `spec` with its path as text, for example `state[0]`."""
    for leaf in leaves(spec, path):
        if isinstance(leaf.spec, TensorSpec):
            yield str(leaf.path), leaf.spec


# --------------------------------------------------------------------- signatures


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
