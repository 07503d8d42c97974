"""Indexing, iteration and sizes: `index`, `iterate`, `shape_tuple`, `size`, `ndim`, `numel`."""

from __future__ import annotations

import builtins
from collections.abc import Sequence

import sympy

from .._shape import (
    UNKNOWN,
    MaybeShape,
    ShapeConflict,
    StaticShape,
    Unknown,
    as_dim,
    provably_nonnegative,
    provably_positive,
    spelled,
)
from ._common import Result, _axis, _literal, _one, _Pair, _pair, _pairs, _show, _unknown

__all__ = ["index", "iterate", "ndim", "numel", "shape_tuple", "size"]


def index(x: MaybeShape, key: object) -> Result:
    """`x[key]`: ints (and int expressions) drop a dim, `None` adds a dim of 1,
    `...` stands for the dims not indexed, and a slice keeps its dim, whose
    length is exact where it is provable (a full slice keeps the dim). Any
    other index (a tensor, a list, a bool) gives `UNKNOWN`."""
    if isinstance(x, Unknown):
        return UNKNOWN
    items = list(key) if isinstance(key, tuple) else [key]
    if any(not _basic_index(item) for item in items):
        return UNKNOWN
    if builtins.sum(item is Ellipsis for item in items) > 1:
        return ShapeConflict("index: an index can only have a single ellipsis ('...')")
    used = builtins.sum(not (item is None or item is Ellipsis) for item in items)
    if x.group is None and used > len(x.dims):
        return ShapeConflict(
            f"index: too many indices for tensor of dimension {len(x.dims)} ({_show(x)})"
        )
    if Ellipsis not in items:
        items.append(Ellipsis)
    cut = items.index(Ellipsis)
    before, after = items[:cut], items[cut + 1 :]
    pairs = _pairs(x)
    after_used = builtins.sum(item is not None for item in after)
    if x.group is not None and (before or after_used > len(pairs)):
        return UNKNOWN
    head = _index_run(x, before, pairs, 0)
    if isinstance(head, ShapeConflict):
        return head
    front = builtins.sum(item is not None for item in before)
    middle = pairs[front : len(pairs) - after_used]
    tail = _index_run(x, after, pairs, len(pairs) - after_used)
    if isinstance(tail, ShapeConflict):
        return tail
    return spelled(head + middle + tail, x.group)


def _basic_index(item: object) -> bool:
    """Whether `item` is an index the model follows (not a tensor or a list)."""
    if item is None or item is Ellipsis or isinstance(item, slice):
        return True
    if isinstance(item, bool):
        return False
    return isinstance(item, int) or (isinstance(item, sympy.Basic) and item.is_integer is True)


def _index_run(
    x: StaticShape, items: Sequence[object], pairs: Sequence[_Pair], start: int
) -> list[_Pair] | ShapeConflict:
    """The dims that `items` (no ellipsis) leave of the dims from `start` on."""
    result: list[_Pair] = []
    position = start
    for item in items:
        if item is None:
            result.append(_one())
            continue
        pair = pairs[position]
        if isinstance(item, slice):
            length = _slice_length(pair, item)
            if isinstance(length, ShapeConflict):
                return length
            result.append(length)
        else:
            literal, size = _literal(item), _literal(pair[0])
            if literal is not None and size is not None and not -size <= literal < size:
                where = position if x.group is None else position - len(pairs)
                return ShapeConflict(
                    f"index: index {literal} is out of bounds for dimension {where} "
                    f"with size {size} ({_show(x)})"
                )
        position += 1
    return result


def _slice_bound(bound: object, size: sympy.Expr, default: sympy.Expr) -> sympy.Expr | None:
    """Where a slice bound falls in a dim of `size`, clipped to `[0, size]`, or
    None when that is not provable."""
    if bound is None:
        return default
    value = as_dim(bound)
    if provably_nonnegative(value):
        place = value
    elif provably_positive(-value):
        place = size + value
    else:
        return None
    if not provably_nonnegative(place):
        return sympy.Integer(0) if provably_nonnegative(-place) else None
    if provably_nonnegative(size - place):
        return place
    return size if provably_nonnegative(place - size) else None


def _slice_length(pair: _Pair, item: slice) -> _Pair | ShapeConflict:
    """The length of `item` of a dim: exact when provable, else unknown."""
    step = 1 if item.step is None else _literal(item.step)
    if step is not None and step <= 0:
        return ShapeConflict("index: step must be greater than zero")
    if item.start is None and item.stop is None and step == 1:
        return pair
    size = pair[0]
    bounds = [_literal(b) if b is not None else None for b in (item.start, item.stop)]
    concrete = _literal(size)
    if (
        step is not None
        and concrete is not None
        and all(
            b is not None or raw is None
            for b, raw in zip(bounds, (item.start, item.stop), strict=True)
        )
    ):
        return _pair(len(range(*slice(bounds[0], bounds[1], step).indices(concrete))))
    if step is None:
        return _unknown()
    try:
        begin = _slice_bound(item.start, size, sympy.Integer(0))
        end = _slice_bound(item.stop, size, size)
    except TypeError:
        return _unknown()
    if begin is None or end is None:
        return _unknown()
    span = end - begin
    if not provably_nonnegative(span):
        return _pair(0) if provably_nonnegative(-span) else _unknown()
    if step == 1:
        return _pair(span)
    literal = _literal(span)
    if literal is not None:
        return _pair(-(-literal // step))
    count = sympy.cancel(span / step)
    return _pair(count) if count.is_integer is True else _unknown()


def iterate(x: MaybeShape) -> Result:
    """`for row in x`: each row has the shape of `x` without its first dim."""
    if isinstance(x, Unknown) or x.group is not None:
        return UNKNOWN
    if not x.dims:
        return ShapeConflict("iterate: iteration over a 0-d tensor")
    return spelled(_pairs(x)[1:])


def shape_tuple(x: MaybeShape) -> tuple[sympy.Expr, ...] | Unknown:
    """`x.shape`, to unpack (`steps, batch = x.shape`): its dims, when its rank is known."""
    if isinstance(x, Unknown) or x.group is not None:
        return UNKNOWN
    return x.dims


def size(x: MaybeShape, dim: int) -> sympy.Expr | Unknown | ShapeConflict:
    """`x.size(dim)`, `x.shape[dim]`: that dim's expression."""
    if isinstance(x, Unknown):
        return UNKNOWN
    if x.group is None and not x.dims:
        return ShapeConflict(f"size: dimension specified as {dim} but tensor has no dimensions")
    axis = _axis("size", x, dim)
    if not isinstance(axis, int):
        return UNKNOWN if axis is None else axis
    return x.dims[axis]


def ndim(x: MaybeShape) -> int | Unknown:
    """`x.ndim`, `x.dim()`: the number of dims, when known."""
    if isinstance(x, Unknown) or x.group is not None:
        return UNKNOWN
    return len(x.dims)


def numel(x: MaybeShape) -> sympy.Expr | Unknown:
    """`x.numel()`: the product of the dims, when known."""
    if isinstance(x, Unknown) or x.group is not None:
        return UNKNOWN
    return sympy.Mul(*x.dims)
