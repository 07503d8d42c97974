"""Shapes on mypy types: where a dim string lives once mypy has analysed an annotation.

mypy reads `Float[Tensor, "batch hiddens"]` through jaxtyping's typing stubs as
`Annotated[Tensor, "batch hiddens"]` and keeps only `Tensor`. The plugin puts
the dim string back on that `Instance`, in its `extra_attrs`: an `ExtraAttrs`
with no attribute and one entry `shapecheck:batch hiddens` in its `immutable`
set. That set only ever names attributes of `attrs`, so the entry is inert for
mypy: no attribute is added, subtyping and messages are unchanged. What it
buys:

- the shape travels with the type wherever mypy copies it (variables, aliases,
  parameters, attributes, tuple items, narrowing), and into mypy's cache;
- a changed dim string changes the serialized interface of its module, so
  mypy rechecks the modules that use it.

A type whose class has its own `__getattr__` or `__getattribute__` carries no
shape: mypy reads `extra_attrs` as a sign of a module object there and would
stop consulting those methods. Nor does a builtin (`Float[int, "..."]`).

One catch: when mypy simplifies a union of Instances of one class whose
`extra_attrs` differ (two shapes, or a shape and none), it drops them *in
place* on the Instance that stands for the union, and that object may be an
annotation's. It does so for every tuple type (its fallback is
`tuple[<union of the items>]`) and for joined values (`a if c else b`). So
`Declarations` keeps each annotation's shape by object: a read of what an
annotation declares (a parameter of the callee, a variable the caller
annotated) goes through it, and each module's annotations get their shapes
back before mypy writes the module's cache. A value's type (what an
expression evaluates to) is read as it is: a union of two shapes has none.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from mypy.nodes import TypeInfo
from mypy.types import (
    ExtraAttrs,
    Instance,
    NoneType,
    ProperType,
    RawExpressionType,
    TupleType,
    Type,
    UnboundType,
    UnionType,
    get_proper_type,
)

from .._errors import AnnotationError
from .._spec import Shape, parse_shape

__all__ = [
    "MARK",
    "Declarations",
    "Reader",
    "carry",
    "dim_string",
    "has_shapes",
    "parsed",
    "rewrite_shapes",
    "shape_of",
    "without_none",
]

MARK = "shapecheck:"
"""The prefix of the dim string's entry in `ExtraAttrs.immutable`."""

_MAX_DEPTH = 8

Reader = Callable[[Type], "str | None"]
"""How a shape is read off a type: `shape_of`, or `Declarations.shape` for a declaration."""


@functools.lru_cache(maxsize=4096)
def parsed(text: str) -> Shape | None:
    """The shape of a dim string, None if malformed (reported where it is written)."""
    try:
        return parse_shape(text)
    except AnnotationError:
        return None


def dim_string(arg: Type) -> str | None:
    """The literal str of a jaxtyping annotation's second argument, as mypy's parser left it."""
    if isinstance(arg, RawExpressionType):
        if arg.base_type_name == "builtins.str" and isinstance(arg.literal_value, str):
            return arg.literal_value
        return None
    if isinstance(arg, UnboundType | UnionType):
        if arg.original_str_expr is not None and arg.original_str_fallback == "builtins.str":
            return arg.original_str_expr
    return None


def _can_carry(info: TypeInfo) -> bool:
    if info.fullname.startswith("builtins."):  # `Float[int, ...]` is no array
        return False
    for name in ("__getattr__", "__getattribute__"):
        method = info.get_method(name)
        if method is not None and method.info.fullname != "builtins.object":
            return False
    return True


def _marked(extra: ExtraAttrs | None, text: str | None) -> ExtraAttrs | None:
    """`extra` with the dim string `text` as its mark (None: without a mark)."""
    kept = {entry for entry in extra.immutable if not entry.startswith(MARK)} if extra else set()
    if text is not None:
        kept.add(MARK + text)
    if not kept and (extra is None or not extra.attrs):
        return None
    return ExtraAttrs(dict(extra.attrs) if extra else {}, kept, extra.mod_name if extra else None)


def carry(typ: Type, text: str | None) -> Type:
    """`typ` with the dim string `text` on it (None: without a shape), when it is an Instance."""
    proper = get_proper_type(typ)
    if not isinstance(proper, Instance):
        return typ
    extra = proper.extra_attrs
    if extra is not None and extra.mod_name is not None:
        return typ
    if text is not None and not _can_carry(proper.type):
        return typ
    new = proper.copy_modified()
    new.extra_attrs = _marked(extra, text)
    return new


def shape_of(typ: Type) -> str | None:
    """The dim string an Instance carries, if any."""
    proper = get_proper_type(typ)
    if not isinstance(proper, Instance) or proper.extra_attrs is None:
        return None
    for entry in proper.extra_attrs.immutable:
        if entry.startswith(MARK):
            return entry[len(MARK) :]
    return None


class Declarations:
    """The shaped Instances that annotations produced, by module, kept from mypy's erasure."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[Instance, str]] = {}
        self._modules: dict[str, list[Instance]] = {}

    def add(self, typ: Type, module: str | None) -> Type:
        """Remember the shape of an annotation's type (as analysed in `module`); `typ`."""
        proper = get_proper_type(typ)
        text = shape_of(proper)
        if isinstance(proper, Instance) and text is not None:
            self._made[id(proper)] = (proper, text)
            if module is not None:
                self._modules.setdefault(module, []).append(proper)
        return typ

    def shape(self, typ: Type) -> str | None:
        """The dim string a declared type carries, or carried before mypy erased it."""
        proper = get_proper_type(typ)
        text = shape_of(proper)
        if text is None and isinstance(proper, Instance):
            made = self._made.get(id(proper))
            if made is not None and made[0] is proper:
                return made[1]
        return text

    def restore(self, module: str) -> None:
        """Put back the shapes mypy erased from the annotations of `module` (before its cache
        is written)."""
        for inst in self._modules.pop(module, []):
            text = self._made[id(inst)][1]
            if shape_of(inst) != text:
                inst.extra_attrs = _marked(inst.extra_attrs, text)


def without_none(typ: ProperType) -> ProperType:
    """`X | None` -> X; any other type as it is."""
    if isinstance(typ, UnionType):
        items = [
            get_proper_type(item)
            for item in typ.items
            if not isinstance(get_proper_type(item), NoneType)
        ]
        if len(items) == 1:
            return items[0]
    return typ


def has_shapes(typ: Type, read: Reader = shape_of, depth: int = 0) -> bool:
    """Whether a type carries a dim string: on itself, its tuple or union items, its type args."""
    if depth > _MAX_DEPTH:
        return False
    proper = get_proper_type(typ)
    if isinstance(proper, Instance):
        if read(proper) is not None:
            return True
        return any(has_shapes(arg, read, depth + 1) for arg in proper.args)
    if isinstance(proper, TupleType | UnionType):
        return any(has_shapes(item, read, depth + 1) for item in proper.items)
    return False


def rewrite_shapes(
    declared: Type,
    actual: Type,
    rewrite: Callable[[str], str | None],
    read: Reader = shape_of,
    depth: int = 0,
) -> Type:
    """`actual` (a call's result type) with each shape that its callee's `declared` return
    type states at that place (as `read` finds it) replaced by `rewrite(shape)`; None drops
    it. What a type variable brought in (the caller's own types) is left alone; `actual`
    itself comes back when nothing changes."""
    if depth > _MAX_DEPTH:
        return actual
    d, a = get_proper_type(declared), get_proper_type(actual)
    if isinstance(d, Instance) and isinstance(a, Instance) and d.type is a.type:
        result: Type = a
        if d.args and len(d.args) == len(a.args):
            args = [
                rewrite_shapes(x, y, rewrite, read, depth + 1)
                for x, y in zip(d.args, a.args, strict=True)
            ]
            if any(new is not old for new, old in zip(args, a.args, strict=True)):
                result = a.copy_modified(args=args)
        text = read(d)
        if text is not None:
            result = carry(result, rewrite(text))
        return actual if result is a else result
    if isinstance(d, TupleType) and isinstance(a, TupleType) and len(d.items) == len(a.items):
        items = [
            rewrite_shapes(x, y, rewrite, read, depth + 1)
            for x, y in zip(d.items, a.items, strict=True)
        ]
        if all(new is old for new, old in zip(items, a.items, strict=True)):
            return actual
        return a.copy_modified(items=items)
    if isinstance(d, UnionType) and isinstance(a, UnionType) and len(d.items) == len(a.items):
        items = [
            rewrite_shapes(x, y, rewrite, read, depth + 1)
            for x, y in zip(d.items, a.items, strict=True)
        ]
        if all(new is old for new, old in zip(items, a.items, strict=True)):
            return actual
        return UnionType(items, a.line, a.column)
    return actual
