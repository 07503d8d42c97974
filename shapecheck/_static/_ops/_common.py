"""What the op models share: the result types, the op-name sets, and the helpers
that pair dims with their spellings, read literals and word conflicts.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Final, TypeAlias

import sympy

from .._shape import (
    DimLike,
    MaybeShape,
    Repeated,
    ShapeConflict,
    StaticShape,
    Unknown,
    as_dim,
    dims_differ,
    format_dim,
    is_known,
    unknown_dim,
)

__all__ = ["BINARY_OPS", "Pieces", "REDUCTIONS", "Result", "UNARY_OPS"]


Result: TypeAlias = "StaticShape | Unknown | ShapeConflict"

"""What an op gives: the result's shape, `UNKNOWN`, or a provable conflict."""

Pieces: TypeAlias = "tuple[MaybeShape, ...] | Repeated | Unknown | ShapeConflict"

"""What an op that returns several tensors gives (`chunk`, `split`, `unbind`)."""

UNARY_OPS: Final = frozenset(
    {
        "abs",
        "clone",
        "contiguous",
        "cos",
        "detach",
        "dropout",
        "elu",
        "empty_like",
        "exp",
        "expm1",
        "float",
        "full_like",
        "gelu",
        "half",
        "leaky_relu",
        "log",
        "log1p",
        "logical_not",
        "neg",
        "ones_like",
        "rand_like",
        "randn_like",
        "reciprocal",
        "relu",
        "requires_grad_",
        "round",
        "rsqrt",
        "sigmoid",
        "sign",
        "silu",
        "sin",
        "softplus",
        "sqrt",
        "square",
        "tanh",
        "to",
        "type",
        "zeros_like",
    }
)

"""torch functions and methods whose result has the shape of their tensor argument."""

BINARY_OPS: Final = frozenset(
    {
        "add",
        "atan2",
        "div",
        "eq",
        "floor_divide",
        "fmod",
        "ge",
        "gt",
        "le",
        "logical_and",
        "logical_or",
        "logical_xor",
        "lt",
        "maximum",
        "minimum",
        "mul",
        "ne",
        "pow",
        "remainder",
        "sub",
        "true_divide",
    }
)

"""torch functions (and operators) whose result is the broadcast of their arguments."""

REDUCTIONS: Final = frozenset(
    {
        "all",
        "amax",
        "amin",
        "any",
        "argmax",
        "argmin",
        "count_nonzero",
        "logsumexp",
        "max",
        "mean",
        "median",
        "min",
        "nanmean",
        "nansum",
        "norm",
        "prod",
        "std",
        "sum",
        "var",
    }
)

"""torch reductions over `dim=` (all dims when None), keeping them as 1 with `keepdim=True`."""

_Pair: TypeAlias = "tuple[sympy.Expr, str]"


# --- helpers --------------------------------------------------------------------------


def _show(shape: StaticShape) -> str:
    """A shape for a message: its dim string, `()` for a 0-d tensor."""
    return str(shape) or "()"


def _pairs(shape: StaticShape) -> list[_Pair]:
    """The `(dim, text)` pairs of a shape, to rearrange with their spellings."""
    return list(zip(shape.dims, shape.texts, strict=True))


def _pair(dim: DimLike) -> _Pair:
    """A new dim with its canonical spelling."""
    expr = as_dim(dim)
    return expr, format_dim(expr)


def _one() -> _Pair:
    """The dim 1."""
    return sympy.Integer(1), "1"


def _unknown() -> _Pair:
    """A fresh unknown dim."""
    return _pair(unknown_dim())


def _literal(value: object) -> int | None:
    """`value` as an int if it is a literal integer (not a bool), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, sympy.Basic) and value.is_Integer:
        return int(value)
    return None


def _paren(text: str) -> str:
    """`text` bracketed where it would not bind as one factor of a product."""
    return f"({text})" if any(char in text for char in "+-/%") else text


def _product(pairs: Sequence[_Pair]) -> _Pair:
    """The product of some dims, spelled as their texts joined by `*`, the
    literal factors first and multiplied out (`6*n`)."""
    expr = sympy.Mul(*(dim for dim, _ in pairs))
    factors = [text for dim, text in pairs if not dim.is_number]
    if expr.is_number or not factors:
        return _pair(expr)
    coefficient = sympy.Mul(*(dim for dim, _ in pairs if dim.is_number))
    if coefficient != 1:
        factors.insert(0, format_dim(coefficient))
    if len(factors) == 1:
        return expr, factors[0]
    return expr, "*".join(_paren(text) for text in factors)


def _spelled_as(dim: DimLike, spellings: Sequence[_Pair]) -> _Pair:
    """`dim`, spelled as the first of `spellings` (an input's dims) it equals:
    a size read from a shape (`x.shape[-1]`) keeps the annotation's text."""
    expr = as_dim(dim)
    for other, text in spellings:
        if other == expr:
            return other, text
    return _pair(expr)


def _divide(total: sympy.Expr, divisor: sympy.Expr) -> sympy.Expr:
    """`total / divisor`, cancelled only when sympy's own form is not an integer
    (so that a product stays factored: `n*(m+1)`, not `m*n+n`)."""
    quotient = total / divisor
    return quotient if quotient.is_integer is True else sympy.cancel(quotient)


def _rank_text(shape: StaticShape) -> str:
    """`2-D`, or `at least 2-D` for a shape with a variadic group."""
    rank = f"{len(shape.dims)}-D"
    return rank if shape.group is None else f"at least {rank}"


def _axis(op: str, shape: StaticShape, dim: int, *, extra: int = 0) -> int | None | ShapeConflict:
    """The index into `shape.dims` of axis `dim` of a tensor with `extra` more dims
    than `shape` (1 for `unsqueeze` and `stack`).

    Negative dims count from the end. A 0-d tensor takes dims -1 and 0, as in
    torch. None: the axis falls in the variadic group (or counts from the
    front of a shape that has one).
    """
    count = len(shape.dims) + extra
    if shape.group is None:
        span = builtins.max(count, 1)
        if not -span <= dim < span:
            return ShapeConflict(
                f"{op}: dimension out of range (expected to be in range of "
                f"[{-span}, {span - 1}], but got {dim}) for {_show(shape)}"
            )
        return dim % span
    if -count <= dim < 0:
        return count + dim
    return None


def _preferred(first: _Pair, second: _Pair) -> _Pair:
    """Of two dims known to be equal, the one without an opaque part."""
    return second if not is_known(first[0]) and is_known(second[0]) else first


def _inner_conflict(
    op: str, names: tuple[str, str], shapes: tuple[StaticShape, StaticShape], a: _Pair, b: _Pair
) -> ShapeConflict | None:
    """A conflict if the contracted dims `a` and `b` provably differ."""
    if not dims_differ(a[0], b[0]):
        return None
    return ShapeConflict(
        f"{op}: the inner dims differ: {a[1]} (of {names[0]}: {_show(shapes[0])}) "
        f"against {b[1]} (of {names[1]}: {_show(shapes[1])})"
    )
