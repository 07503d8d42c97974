"""The static shape model: shapes as tuples of sympy expressions over dim names.

A `StaticShape` is what a static checker knows of a tensor's shape: a tuple of
dims, each a sympy expression over named dim symbols (`steps*batch`,
`2*hiddens`, `n + 1`) or an integer, optionally preceded by one variadic group
(`*batch` or `...`) that stands for any number of leading dims. `UNKNOWN` is
the shape nobody knows.

Named dims are *generic*: a function annotated `batch hiddens` must work for
every size of `batch` and `hiddens`, so two dims that are not the same
expression are provably different (`hiddens` against `vocab`, `2*n` against
`n`), and a named dim is never taken to be 1. What nobody knows is *opaque*:

- an unknown dim (`unknown_dim()`, an anonymous `_`, a broadcastable `#name`
  that may also be 1): a fresh symbol, equal only to itself;
- an f-string field of a dim (`{self.num_directions}*hiddens`), or an
  expression the model cannot read: a symbol named by its text, the same for
  the same text.

Checking is gradual: only a provable difference is an error. A dim with an
opaque part differs from another only when the difference has a sign for
every size (`u + 1` against `u`), so `dims_differ` is not the negation of
`dims_equal`.
"""

from __future__ import annotations

import ast
import enum
import functools
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final, TypeAlias

import sympy

from .._errors import AnnotationError, _permutation_hint
from .._spec import Anonymous, Fixed, Named, Shape, Symbolic, Variadic, parse_shape

__all__ = [
    "ANY_DIMS",
    "UNKNOWN",
    "DimLike",
    "MaybeShape",
    "Repeated",
    "ShapeConflict",
    "StaticShape",
    "Unknown",
    "as_dim",
    "could_be_one",
    "dim_symbol",
    "dims_differ",
    "dims_equal",
    "format_dim",
    "from_spec",
    "is_known",
    "opaque_dim",
    "permutation_hint",
    "provably_nonnegative",
    "provably_positive",
    "shape_mismatch",
    "shapes_equal",
    "spelled",
    "sym_dim",
    "to_spec",
    "unknown_dim",
]

DimLike: TypeAlias = "int | sympy.Expr"
"""A dim as the ops take it: a literal int or a sympy expression."""

ANY_DIMS: Final = "..."
"""The group of an anonymous variadic `...`: any number of dims, of any sizes."""


class Unknown(enum.Enum):
    """The type of `UNKNOWN`, the shape nobody knows."""

    UNKNOWN = "UNKNOWN"

    def __str__(self) -> str:
        return "?"


UNKNOWN: Final = Unknown.UNKNOWN


@dataclass(frozen=True)
class ShapeConflict:
    """A provable shape error, with a message in the style of torch's own."""

    message: str

    def __str__(self) -> str:
        return self.message


# --- dims ---------------------------------------------------------------------


def dim_symbol(name: str) -> sympy.Expr:
    """The symbol of the named dim `name`: a positive integer. (A name that is
    not an identifier, or starts with `_`, is opaque: see `opaque_dim`.)"""
    return sympy.Symbol(name, integer=True, positive=True)


def unknown_dim(label: str = "_") -> sympy.Expr:
    """A fresh dim of unknown size, equal only to itself, printed as `label`."""
    return sympy.Dummy(label, integer=True, positive=True)


def opaque_dim(text: str) -> sympy.Expr:
    """A dim of unknown size named by the source `text` (an f-string field, an
    expression the model cannot read): the same for the same text."""
    if text.isidentifier():
        text = f"({text})"
    return sympy.Symbol(text, integer=True, positive=True)


def as_dim(value: DimLike) -> sympy.Expr:
    """`value` as a sympy expression: ints become `sympy.Integer`."""
    if isinstance(value, bool):
        raise TypeError(f"a dim is an int or a sympy expression, not {value!r}")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, sympy.Basic):
        return value
    raise TypeError(f"a dim is an int or a sympy expression, not {type(value).__name__}")


def _is_opaque(symbol: sympy.Symbol) -> bool:
    """Whether `symbol` stands for something unknown rather than a named dim."""
    name = symbol.name
    return isinstance(symbol, sympy.Dummy) or not name.isidentifier() or name.startswith("_")


def is_known(dim: DimLike) -> bool:
    """Whether `dim` is an expression over named dims only (no opaque part)."""
    return not any(_is_opaque(symbol) for symbol in as_dim(dim).free_symbols)


def _is_polynomial(expr: sympy.Expr) -> bool:
    """Whether `expr` is a polynomial in its symbols (rational coefficients allowed)."""
    return bool(expr.is_polynomial())


@functools.lru_cache(maxsize=8192)
def _difference(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    """`a - b`, expanded, and simplified when it is not a polynomial."""
    difference = sympy.expand(a - b)
    if difference == 0 or _is_polynomial(difference):
        return difference
    try:
        return sympy.simplify(difference)
    except Exception:  # noqa: BLE001  (sympy can fail on odd input: keep what we have)
        return difference


def _shifted_terms(expr: sympy.Expr) -> list[tuple[tuple[int, ...], sympy.Expr]] | None:
    """The terms of `expr` as a polynomial in `s - 1` for each symbol `s`, or None.

    Every symbol is a positive integer, so each `s - 1` is at least 0: when all
    these coefficients are nonnegative, so is `expr`.
    """
    if not _is_polynomial(expr):
        return None
    symbols = sorted(expr.free_symbols, key=str)
    shifted = sympy.expand(expr.xreplace({symbol: symbol + 1 for symbol in symbols}))
    if not symbols:
        return [((), shifted)]
    return [(monomial, coeff) for monomial, coeff in sympy.Poly(shifted, *symbols).terms()]


def provably_nonnegative(expr: DimLike) -> bool:
    """Whether `expr` is at least 0 for every positive size of its symbols."""
    expr = as_dim(expr)
    terms = _shifted_terms(expr)
    if terms is None:
        return expr.is_nonnegative is True
    return all(coeff >= 0 for _, coeff in terms)


def provably_positive(expr: DimLike) -> bool:
    """Whether `expr` is above 0 for every positive size of its symbols."""
    expr = as_dim(expr)
    terms = _shifted_terms(expr)
    if terms is None:
        return expr.is_positive is True
    constant = sum((coeff for monomial, coeff in terms if not any(monomial)), sympy.Integer(0))
    return all(coeff >= 0 for _, coeff in terms) and constant > 0


def dims_equal(a: DimLike, b: DimLike) -> bool:
    """Whether `a` and `b` are provably the same size: equal as expressions."""
    return bool(_difference(as_dim(a), as_dim(b)) == 0)


def dims_differ(a: DimLike, b: DimLike) -> bool:
    """Whether `a` and `b` provably differ, for generic named dims.

    Two expressions over named dims only differ when they are not the same
    expression (a polynomial difference; a non-polynomial one only when sympy
    proves it nonzero). With an opaque part, only a difference that has one
    sign for every size counts.
    """
    difference = _difference(as_dim(a), as_dim(b))
    if difference == 0:
        return False
    if difference.is_number:
        return True
    if is_known(difference) and _is_polynomial(difference):
        return True
    if difference.is_zero is False:
        return True
    return provably_positive(difference) or provably_positive(-difference)


def could_be_one(dim: DimLike) -> bool:
    """Whether `dim` may be 1: it is 1, or has an opaque part that allows 1.

    A generic named dim is never taken to be 1 (that is what `#` is for).
    """
    dim = as_dim(dim)
    if dims_equal(dim, 1):
        return True
    if is_known(dim):
        return False
    return not (provably_positive(dim - 1) or provably_positive(1 - dim))


def format_dim(dim: DimLike) -> str:
    """`dim` in the dim-string syntax, without spaces: `n+1`, `2*hiddens`, `_`."""
    dim = as_dim(dim)
    plain = dim.xreplace({symbol: sympy.Symbol(symbol.name) for symbol in dim.atoms(sympy.Dummy)})
    return str(sympy.sstr(plain)).replace(" ", "")


# --- shapes ---------------------------------------------------------------------


@dataclass(frozen=True)
class StaticShape:
    """A tensor shape as far as it is known statically.

    `dims` are the known trailing dims (all of them when `group` is None);
    `group` is the leading variadic group: a name for `*name` (the same name,
    the same dims), `ANY_DIMS` for `...`, None for none. `texts` is how each
    dim is written, as the annotation spelled it where it came from one
    (`steps*batch` rather than sympy's `batch*steps`); it takes no part in
    equality, which is structural over the sympy dims (see `shapes_equal` for
    the symbolic one).
    """

    dims: tuple[sympy.Expr, ...]
    group: str | None = None
    texts: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        dims = tuple(as_dim(dim) for dim in self.dims)
        object.__setattr__(self, "dims", dims)
        if len(self.texts) != len(dims):
            object.__setattr__(self, "texts", tuple(format_dim(dim) for dim in dims))

    @classmethod
    def of(cls, *dims: DimLike, group: str | None = None) -> StaticShape:
        """A shape from its dims: `StaticShape.of(2, dim_symbol("n"))`."""
        return cls(tuple(as_dim(dim) for dim in dims), group)

    @property
    def rank(self) -> int | None:
        """The number of dims, or None when a variadic group leaves it open."""
        return None if self.group is not None else len(self.dims)

    @property
    def min_rank(self) -> int:
        """The fewest dims the shape can have."""
        return len(self.dims)

    def __str__(self) -> str:
        parts = list(self.texts)
        if self.group is not None:
            parts.insert(0, ANY_DIMS if self.group == ANY_DIMS else f"*{self.group}")
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"StaticShape({str(self)!r})"


MaybeShape: TypeAlias = "StaticShape | Unknown"
"""What a checker may know of a shape: a `StaticShape` or `UNKNOWN`."""


@dataclass(frozen=True)
class Repeated:
    """A list of `count` tensors, each of shape `item`: what a loop builds by
    appending once per step (`count` is then the loop's length, `steps`)."""

    item: StaticShape | Unknown
    count: sympy.Expr

    def __post_init__(self) -> None:
        object.__setattr__(self, "count", as_dim(self.count))


def shapes_equal(a: MaybeShape, b: MaybeShape) -> bool:
    """Whether `a` and `b` are provably the same shape (dim by dim, and the
    same named group if any; two `...` are not known to be the same)."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return False
    if a.group != b.group or a.group == ANY_DIMS or len(a.dims) != len(b.dims):
        return False
    return all(dims_equal(x, y) for x, y in zip(a.dims, b.dims, strict=True))


def shape_mismatch(actual: MaybeShape, expected: MaybeShape) -> str | None:
    """Why `actual` provably is not `expected` (an annotation), or None.

    Dims are compared from the right, as far as both shapes know them; the
    ranks only where both are fixed (or one is fixed and too small for the
    other's known dims, or both share a named group).
    """
    if isinstance(actual, Unknown) or isinstance(expected, Unknown):
        return None
    have, want = len(actual.dims), len(expected.dims)
    fixed_rank = actual.group is None and expected.group is None
    same_group = actual.group is not None and actual.group == expected.group != ANY_DIMS
    if (fixed_rank or same_group) and have != want:
        return f"{have} dims against {want}" if fixed_rank else "the numbers of dims differ"
    if actual.group is None and have < want:
        return f"{have} dims against at least {want}"
    if expected.group is None and want < have:
        return f"at least {have} dims against {want}"
    for back in range(1, min(have, want) + 1):
        if dims_differ(actual.dims[-back], expected.dims[-back]):
            where = have - back if actual.group is None else -back
            return f"dim {where}: {actual.texts[-back]} against {expected.texts[-back]}"
    return None


# --- from annotations -------------------------------------------------------------


def from_spec(shape: Shape) -> MaybeShape:
    """The static shape of a parsed dim string (`shapecheck._spec.parse_shape`).

    - `batch` -> the symbol `batch`; `3` -> 3 (a `rows=3` label is dropped);
    - `steps*batch`, `2*hiddens`, `n+1`, `n//2` -> that expression (read from
      the parsed tree, never evaluated; what the model cannot read, such as a
      call, becomes an opaque dim named by its text);
    - an f-string field, `{self.num_directions}*hiddens` -> an opaque symbol
      for the field, times `hiddens`;
    - `_`, `_name` -> a fresh unknown dim (any size, never bound);
    - `#batch`, `#3`, `#2*n` (may also be 1), `?batch` (differs per tree
      path) -> a fresh unknown dim, printed as written;
    - `*batch` first -> the group `batch`; `...`, `*_`, `#*batch` or
      `?*batch` first -> the anonymous group `...`;
    - a variadic group anywhere but first -> `UNKNOWN` (the model keeps only
      leading groups).
    """
    if shape.variadic not in (None, 0):
        return UNKNOWN
    group: str | None = None
    dims: list[sympy.Expr] = []
    texts: list[str] = []
    for dim in shape.dims:
        if isinstance(dim, Variadic):
            plain = dim.name and not dim.broadcast and not dim.treepath
            group = dim.name if plain else ANY_DIMS
            continue
        expr, text = _from_dim(dim)
        dims.append(expr)
        texts.append(text)
    return StaticShape(tuple(dims), group, tuple(texts))


def _from_dim(dim: Named | Fixed | Symbolic | Anonymous) -> tuple[sympy.Expr, str]:
    """One non-variadic dim of an annotation: its expression and its spelling."""
    if isinstance(dim, Named):
        if dim.broadcast or dim.treepath or not dim.name:
            return unknown_dim(str(dim) or "_"), str(dim) or "_"
        return dim_symbol(dim.name), dim.name
    if isinstance(dim, Fixed):
        if dim.broadcast:
            return unknown_dim(f"#{dim.size}"), f"#{dim.size}"
        return sympy.Integer(dim.size), str(dim.size)
    if isinstance(dim, Symbolic):
        if dim.broadcast:
            return unknown_dim(str(dim)), str(dim)
        return _symbolic_expr(dim), dim.expr
    return unknown_dim(dim.label), dim.label


_BRACES = re.compile(r"\{[^{}]*\}")


def _symbolic_expr(dim: Symbolic) -> sympy.Expr:
    """The expression of a symbolic dim, its f-string fields made opaque."""
    fields: dict[str, sympy.Expr] = {}
    tree = dim.tree
    if tree is None:

        def placeholder(match: re.Match[str]) -> str:
            name = f"__field{len(fields)}"
            fields[name] = opaque_dim(match.group(0))
            return name

        try:
            tree = ast.parse(_BRACES.sub(placeholder, dim.expr), mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return opaque_dim(dim.expr)
    try:
        expr = _from_ast(tree.body, fields)
    except (_Unreadable, RecursionError):
        return opaque_dim(dim.expr)
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return opaque_dim(dim.expr)
    return expr


class _Unreadable(Exception):
    """An expression the model does not turn into sympy (a call, an attribute)."""


_BINARY: Final[dict[type[ast.operator], Callable[[sympy.Expr, sympy.Expr], sympy.Expr]]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: sympy.floor(a / b),
    ast.Mod: lambda a, b: sympy.Mod(a, b),
}


def _from_ast(node: ast.expr, fields: dict[str, sympy.Expr]) -> sympy.Expr:
    """A sympy expression from a dim's parsed expression; never evaluates Python."""
    if isinstance(node, ast.Name):
        if node.id in fields:
            return fields[node.id]
        # `_` in an expression is anonymous, as on its own: any size.
        return unknown_dim(node.id) if node.id.startswith("_") else dim_symbol(node.id)
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return sympy.Integer(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _from_ast(node.operand, fields)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _from_ast(node.left, fields), _from_ast(node.right, fields)
        if isinstance(node.op, ast.Pow):
            if not (right.is_Integer and 0 <= right <= 64):
                raise _Unreadable
            return left**right
        combine = _BINARY.get(type(node.op))
        if combine is not None:
            return combine(left, right)
    raise _Unreadable


def to_spec(shape: MaybeShape) -> Shape | None:
    """A static shape as a dim string's parsed model, for the one unifier of
    calls (`_unify`); None when nothing is known. A dim that the dim-string
    syntax cannot spell (an unknown or opaque one, a `floor`) becomes `_`."""
    if not isinstance(shape, StaticShape):
        return None
    group = shape.group
    parts = [] if group is None else [group if group == ANY_DIMS else f"*{group}"]
    for dim, text in zip(shape.dims, shape.texts, strict=True):
        parts.append(text if is_known(dim) and _spellable(text) else "_")
    return parse_shape(" ".join(parts))


@functools.lru_cache(maxsize=1024)
def _spellable(text: str) -> bool:
    try:
        parse_shape(text)
    except AnnotationError:
        return False
    return True


def sym_dim(text: str) -> sympy.Expr | None:
    """A dim written in the dim-string syntax (`steps*batch`, `4`, `hiddens`)
    as sympy; None where the model cannot read it."""
    try:
        return _from_ast(ast.parse(text, mode="eval").body, {})
    except (_Unreadable, SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def spelled(dims: Iterable[tuple[sympy.Expr, str]], group: str | None = None) -> StaticShape:
    """A shape from `(dim, text)` pairs, keeping each dim's spelling."""
    pairs = list(dims)
    return StaticShape(tuple(dim for dim, _ in pairs), group, tuple(text for _, text in pairs))


def permutation_hint(value: StaticShape, wanted: MaybeShape, path: str) -> str | None:
    """The runtime's hint, when some order of `value`'s axes would match."""
    if not isinstance(wanted, StaticShape) or value.group is not None or wanted.group is not None:
        return None
    rank = len(value.dims)
    if rank != len(wanted.dims) or not 2 <= rank <= 6:
        return None
    for order in itertools.permutations(range(rank)):
        if order == tuple(range(rank)):
            continue
        moved = StaticShape(
            tuple(value.dims[i] for i in order), None, tuple(value.texts[i] for i in order)
        )
        if all(dims_equal(a, b) for a, b in zip(moved.dims, wanted.dims, strict=True)):
            return _permutation_hint(path, order)
    return None
