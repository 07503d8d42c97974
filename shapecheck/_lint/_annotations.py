"""Annotation -> events: the tensors (shaped or bare) and `Size` bindings one annotation holds.

Annotations are recognised by their syntax: `Float[Tensor, "batch hiddens"]`
(any jaxtyping dtype name, also written `jaxtyping.Float` or `jt.Float`),
anywhere inside an annotation (`tuple[...]`, `Optional`, `X | Y`,
`Annotated`), also inside string annotations. Type aliases and the fields of
NamedTuples and dataclasses of the target are followed through the `Index`.
`Callable[...]` contents do not count: they are other functions' signatures.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

import jaxtyping

from .._errors import AnnotationError
from .._spec import Shape, parse_shape
from ._index import Index, Module
from ._syntax import last_name, parse_string

DTYPES: frozenset[str] = frozenset(
    name
    for name, value in vars(jaxtyping).items()
    if isinstance(value, type)
    and issubclass(value, jaxtyping.AbstractDtype)
    and value is not jaxtyping.AbstractDtype
)
"""The jaxtyping dtype names, `Float`, `Int`, `Shaped`, ...: `Float[...]` is a shape."""

_OPAQUE = frozenset({"Callable", "Literal", "type", "Type", "ClassVar"})
"""Subscripted heads whose contents are not tensors of this signature."""


@dataclass(frozen=True)
class Leaf:
    """One tensor of an annotation: a shape, or a bare Tensor."""

    shape: Shape | None  # None: bare, or a dim string that could not be read
    bare: bool
    line: int
    via_field: bool  # reached through a field of a NamedTuple or dataclass


@dataclass(frozen=True)
class SizeBind:
    name: str


Event = Leaf | SizeBind


def is_jaxtyping(node: ast.Subscript) -> bool:
    return (
        last_name(node.value) in DTYPES
        and isinstance(node.slice, ast.Tuple)
        and len(node.slice.elts) >= 2
    )


def dim_text(node: ast.Subscript) -> tuple[int, str] | None:
    """The line and text of a jaxtyping annotation's dim string, if it is a literal."""
    assert isinstance(node.slice, ast.Tuple)
    text = node.slice.elts[1]
    if isinstance(text, ast.Constant) and isinstance(text.value, str):
        return text.lineno, text.value
    return None


def _shape_or_none(text: str) -> Shape | None:
    try:
        return parse_shape(text)
    except AnnotationError:
        return None  # reported once, as SC101, where it is written


def size_name(node: ast.expr) -> str | None:
    """The dim of `Size("batch")`, if `node` is that."""
    if not (isinstance(node, ast.Call) and last_name(node.func) == "Size"):
        return None
    candidates = [*node.args[:1], *(kw.value for kw in node.keywords if kw.arg == "name")]
    for arg in candidates:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return None


def _is_record(cls: ast.ClassDef) -> bool:
    """A NamedTuple or a dataclass: its fields are checked with it."""
    if any(last_name(base) == "NamedTuple" for base in cls.bases):
        return True
    for decorator in cls.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if last_name(target) == "dataclass":
            return True
    return False


def _fields(cls: ast.ClassDef) -> Iterator[ast.expr]:
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            if last_name(stmt.annotation) != "ClassVar" and not (
                isinstance(stmt.annotation, ast.Subscript)
                and last_name(stmt.annotation.value) == "ClassVar"
            ):
                yield stmt.annotation


class Walker:
    """Expands one annotation into its tensors and Size bindings, following aliases."""

    def __init__(self, index: Index) -> None:
        self.index = index

    def events(self, module: Module, annotation: ast.expr | None) -> list[Event]:
        """The events of an annotation, none for a missing one."""
        if annotation is None:
            return []
        return list(self.walk(module, annotation))

    def walk(
        self,
        module: Module,
        node: ast.expr,
        line: int | None = None,
        seen: frozenset[int] = frozenset(),
        via_field: bool = False,
    ) -> Iterator[Event]:
        at = line if line is not None else getattr(node, "lineno", 1)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                parsed = parse_string(node.value)
                if parsed is not None:
                    yield from self.walk(module, parsed, at, seen, via_field)
        elif isinstance(node, ast.Subscript):
            yield from self._subscript(module, node, line, seen, via_field)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            yield from self.walk(module, node.left, line, seen, via_field)
            yield from self.walk(module, node.right, line, seen, via_field)
        elif isinstance(node, ast.Tuple):
            for item in node.elts:
                yield from self.walk(module, item, line, seen, via_field)
        elif isinstance(node, ast.Name | ast.Attribute):
            yield from self._name(module, node, at, seen, via_field)

    def _name(
        self,
        module: Module,
        node: ast.Name | ast.Attribute,
        at: int,
        seen: frozenset[int],
        via_field: bool,
    ) -> Iterator[Event]:
        if last_name(node) == "Tensor":
            yield Leaf(None, True, at, via_field)
            return
        found = self.index.resolve_expr(module, node)
        if found is None or id(found[1]) in seen:
            return
        owner, definition = found
        inner = seen | {id(definition)}
        if isinstance(definition, ast.ClassDef):
            if _is_record(definition):
                for annotation in _fields(definition):
                    yield from self.walk(owner, annotation, at, inner, True)
        else:
            yield from self.walk(owner, definition, at, inner, via_field)

    def _subscript(
        self,
        module: Module,
        node: ast.Subscript,
        line: int | None,
        seen: frozenset[int],
        via_field: bool,
    ) -> Iterator[Event]:
        head = last_name(node.value)
        if is_jaxtyping(node):
            text = dim_text(node)
            at = line if line is not None else text[0] if text else node.lineno
            shape = None if text is None else _shape_or_none(text[1])
            yield Leaf(shape, False, at, via_field)
            return
        if head in _OPAQUE:
            return
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Annotated":
            for meta in items[1:]:
                name = size_name(meta)
                if name is not None:
                    yield SizeBind(name)
            items = items[:1]
        for item in items:
            yield from self.walk(module, item, line, seen, via_field)
