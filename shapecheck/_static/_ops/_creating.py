"""Tensors made from a shape (`zeros`, `ones`, `randn`, `arange`, ...), and the
reductions over `dim=`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from .._shape import (
    UNKNOWN,
    DimLike,
    MaybeShape,
    ShapeConflict,
    StaticShape,
    Unknown,
    as_dim,
    provably_nonnegative,
    provably_positive,
    spelled,
)
from ._common import Result, _axis, _literal, _one, _Pair, _pair, _pairs, _unknown
from ._rearranging import _axes, _shown

__all__ = [
    "amax",
    "amin",
    "arange",
    "argmax",
    "argmin",
    "cumsum",
    "empty",
    "full",
    "log_softmax",
    "logsumexp",
    "max",
    "mean",
    "min",
    "one_hot",
    "ones",
    "prod",
    "rand",
    "randn",
    "reduce",
    "softmax",
    "std",
    "sum",
    "var",
    "zeros",
]


def _factory(op: str, size: Sequence[DimLike | Sequence[DimLike]]) -> Result:
    """A new tensor of `size`, given as sizes or as one tuple of them."""
    flat: Sequence[object] = size
    if len(size) == 1 and isinstance(size[0], Sequence):
        flat = size[0]
    pairs = [_pair(s) for s in flat]
    for dim, _ in pairs:
        literal = _literal(dim)
        if literal is not None and literal < 0:
            return ShapeConflict(
                f"{op}: trying to create tensor with negative dimension {literal}: {_shown(pairs)}"
            )
    return spelled(pairs)


def zeros(*size: DimLike | Sequence[DimLike]) -> Result:
    """`torch.zeros(*size)` or `torch.zeros(size)`."""
    return _factory("zeros", size)


def ones(*size: DimLike | Sequence[DimLike]) -> Result:
    """`torch.ones(*size)` or `torch.ones(size)`."""
    return _factory("ones", size)


def empty(*size: DimLike | Sequence[DimLike]) -> Result:
    """`torch.empty(*size)` or `torch.empty(size)`."""
    return _factory("empty", size)


def randn(*size: DimLike | Sequence[DimLike]) -> Result:
    """`torch.randn(*size)` or `torch.randn(size)`."""
    return _factory("randn", size)


def rand(*size: DimLike | Sequence[DimLike]) -> Result:
    """`torch.rand(*size)` or `torch.rand(size)`."""
    return _factory("rand", size)


def full(size: Sequence[DimLike], fill_value: object = None) -> Result:
    """`torch.full(size, fill_value)`."""
    return _factory("full", [size])


def arange(start: DimLike, end: DimLike | None = None, step: DimLike = 1) -> Result:
    """`torch.arange(end)`, `torch.arange(start, end, step)` with int bounds: a
    vector of `ceil((end - start) / step)` (0 when negative)."""
    if end is None:
        start, end = 0, start
    first, last, stride = as_dim(start), as_dim(end), as_dim(step)
    if stride == 0:
        return ShapeConflict("arange: step must be nonzero")
    literals = [_literal(first), _literal(last), _literal(stride)]
    if all(v is not None for v in literals):
        a, b, c = (v for v in literals if v is not None)
        return spelled([_pair(len(range(a, b, c)))])
    span = last - first if provably_positive(stride) else first - last
    count = sympy.cancel(span / abs(stride)) if stride.is_number else None
    if count is not None and count.is_integer is True and provably_nonnegative(count):
        return spelled([_pair(count)])
    if count is not None and provably_nonnegative(-span):
        return spelled([_pair(0)])
    return spelled([_unknown()])


# --- reductions -----------------------------------------------------------------------


def reduce(
    op: str, x: MaybeShape, *, dim: int | Sequence[int] | None = None, keepdim: bool = False
) -> Result:
    """A reduction (`torch.sum`, `mean`, `amax`...; see `REDUCTIONS`) over `dim`
    (all dims when None or empty): those dims removed, or kept as 1 with
    `keepdim`."""
    if isinstance(x, Unknown):
        return UNKNOWN
    dims = [dim] if isinstance(dim, int) else list(dim or ())
    if not dims:
        if not keepdim:
            return StaticShape(())
        return UNKNOWN if x.group is not None else spelled([_one()] * len(x.dims))
    axes = _axes(op, x, dims)
    if not isinstance(axes, list):
        return axes
    kept: list[_Pair] = []
    for axis, pair in enumerate(_pairs(x)):
        if axis not in axes:
            kept.append(pair)
        elif keepdim:
            kept.append(_one())
    return spelled(kept, x.group)


def sum(x: MaybeShape, *, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Result:
    """`x.sum(dim, keepdim)`."""
    return reduce("sum", x, dim=dim, keepdim=keepdim)


def mean(x: MaybeShape, *, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Result:
    """`x.mean(dim, keepdim)`."""
    return reduce("mean", x, dim=dim, keepdim=keepdim)


def prod(x: MaybeShape, *, dim: int | None = None, keepdim: bool = False) -> Result:
    """`x.prod(dim, keepdim)`."""
    return reduce("prod", x, dim=dim, keepdim=keepdim)


def max(x: MaybeShape, *, dim: int | None = None, keepdim: bool = False) -> Result:
    """`x.max()` (0-d) or `x.max(dim, keepdim)`, whose values and indices both
    have this shape. (`torch.max(a, b)` is `maximum`.)"""
    return reduce("max", x, dim=dim, keepdim=keepdim)


def min(x: MaybeShape, *, dim: int | None = None, keepdim: bool = False) -> Result:
    """`x.min()` or `x.min(dim, keepdim)`: see `max`."""
    return reduce("min", x, dim=dim, keepdim=keepdim)


def amax(x: MaybeShape, *, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Result:
    """`x.amax(dim, keepdim)`."""
    return reduce("amax", x, dim=dim, keepdim=keepdim)


def amin(x: MaybeShape, *, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Result:
    """`x.amin(dim, keepdim)`."""
    return reduce("amin", x, dim=dim, keepdim=keepdim)


def argmax(x: MaybeShape, *, dim: int | None = None, keepdim: bool = False) -> Result:
    """`x.argmax(dim, keepdim)`: the index of the flattened tensor when `dim` is None."""
    return reduce("argmax", x, dim=dim, keepdim=keepdim)


def argmin(x: MaybeShape, *, dim: int | None = None, keepdim: bool = False) -> Result:
    """`x.argmin(dim, keepdim)`."""
    return reduce("argmin", x, dim=dim, keepdim=keepdim)


def std(x: MaybeShape, *, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Result:
    """`x.std(dim, keepdim=keepdim)`."""
    return reduce("std", x, dim=dim, keepdim=keepdim)


def var(x: MaybeShape, *, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Result:
    """`x.var(dim, keepdim=keepdim)`."""
    return reduce("var", x, dim=dim, keepdim=keepdim)


def logsumexp(x: MaybeShape, *, dim: int | Sequence[int], keepdim: bool = False) -> Result:
    """`torch.logsumexp(x, dim, keepdim)`."""
    return reduce("logsumexp", x, dim=dim, keepdim=keepdim)


def _along(op: str, x: MaybeShape, dim: int | None) -> Result:
    """An op along one dim that keeps the shape; checks that `dim` exists."""
    if isinstance(x, Unknown) or dim is None:
        return x
    axis = _axis(op, x, dim)
    return axis if isinstance(axis, ShapeConflict) else x


def softmax(x: MaybeShape, *, dim: int | None = None) -> Result:
    """`F.softmax(x, dim=dim)`: the shape of `x`."""
    return _along("softmax", x, dim)


def log_softmax(x: MaybeShape, *, dim: int | None = None) -> Result:
    """`F.log_softmax(x, dim=dim)`: the shape of `x`."""
    return _along("log_softmax", x, dim)


def cumsum(x: MaybeShape, *, dim: int) -> Result:
    """`torch.cumsum(x, dim)`: the shape of `x`."""
    return _along("cumsum", x, dim)


def one_hot(x: MaybeShape, *, num_classes: DimLike = -1) -> Result:
    """`F.one_hot(x, num_classes)`: a new last dim of `num_classes` (unknown for
    -1, where the data decides)."""
    literal = _literal(num_classes)
    if literal is not None and literal < -1:
        return ShapeConflict(f"one_hot: num_classes must be -1 or nonnegative, got {literal}")
    if isinstance(x, Unknown):
        return UNKNOWN
    classes = _unknown() if literal == -1 else _pair(num_classes)
    return spelled(_pairs(x) + [classes], x.group)
