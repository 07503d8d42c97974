"""Joining and splitting: `cat`, `stack`, `chunk`, `split`, `unbind`."""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from .._shape import (
    ANY_DIMS,
    UNKNOWN,
    DimLike,
    MaybeShape,
    Repeated,
    ShapeConflict,
    StaticShape,
    Unknown,
    as_dim,
    dims_differ,
    provably_positive,
    shape_mismatch,
    spelled,
)
from ._common import (
    Pieces,
    Result,
    _axis,
    _divide,
    _literal,
    _Pair,
    _pair,
    _pairs,
    _preferred,
    _product,
    _show,
    _spelled_as,
)

__all__ = ["cat", "chunk", "split", "stack", "unbind"]


def _same_layout(shapes: Sequence[StaticShape]) -> bool:
    """Whether `shapes` line up dim by dim: no group, or one named group and
    as many trailing dims."""
    first = shapes[0]
    if first.group == ANY_DIMS:
        return False
    return all(s.group == first.group and len(s.dims) == len(first.dims) for s in shapes)


def cat(tensors: Sequence[MaybeShape] | Repeated, *, dim: int = 0) -> Result:
    """`torch.cat(tensors, dim=dim)`: the sizes along `dim` add up, the others
    must be equal. A `Repeated` list of `count` tensors gives `count*size`."""
    if isinstance(tensors, Repeated):
        return _cat_repeated(tensors, dim)
    if not tensors:
        return ShapeConflict("cat: expected a non-empty list of tensors")
    known = [(i, s) for i, s in enumerate(tensors) if isinstance(s, StaticShape)]
    for i, shape in known:
        if shape.group is None and not shape.dims:
            return ShapeConflict(
                f"cat: zero-dimensional tensor (at position {i}) cannot be concatenated"
            )
    if not known:
        return UNKNOWN
    first_index, first = known[0]
    for i, shape in known[1:]:
        if first.group is None and shape.group is None and len(shape.dims) != len(first.dims):
            return ShapeConflict(
                f"cat: tensors must have the same number of dims: got {len(first.dims)} "
                f"(tensor {first_index}: {_show(first)}) and {len(shape.dims)} "
                f"(tensor {i}: {_show(shape)})"
            )
    shapes = [shape for _, shape in known]
    if not _same_layout(shapes):
        return UNKNOWN
    axis = _axis("cat", first, dim)
    if not isinstance(axis, int):
        return UNKNOWN if axis is None else axis
    result = _pairs(first)
    for position in range(len(first.dims)):
        if position == axis:
            continue
        shown = position if first.group is None else position - len(first.dims)
        for shape in shapes[1:]:
            pair = (shape.dims[position], shape.texts[position])
            if dims_differ(result[position][0], pair[0]):
                return ShapeConflict(
                    f"cat along dim {dim}: dims {shown} differ: "
                    f"{result[position][1]} against {pair[1]}"
                )
            result[position] = _preferred(result[position], pair)
    if len(known) != len(tensors):
        return UNKNOWN
    if len(shapes) > 1:
        result[axis] = _pair(sympy.Add(*(shape.dims[axis] for shape in shapes)))
    return spelled(result, first.group)


def _cat_repeated(tensors: Repeated, dim: int) -> Result:
    """`cat` of `count` tensors of one shape: `count*size` along `dim`."""
    item = tensors.item
    if _literal(tensors.count) == 0:
        return ShapeConflict("cat: expected a non-empty list of tensors")
    if isinstance(item, Unknown):
        return UNKNOWN
    if item.group is None and not item.dims:
        return ShapeConflict("cat: zero-dimensional tensor (at position 0) cannot be concatenated")
    axis = _axis("cat", item, dim)
    if not isinstance(axis, int):
        return UNKNOWN if axis is None else axis
    result = _pairs(item)
    result[axis] = _product([_pair(tensors.count), result[axis]])
    return spelled(result, item.group)


def stack(tensors: Sequence[MaybeShape] | Repeated, *, dim: int = 0) -> Result:
    """`torch.stack(tensors, dim=dim)`: equal shapes, a new dim of their number."""
    if isinstance(tensors, Repeated):
        if isinstance(tensors.item, Unknown):
            return UNKNOWN
        return _insert("stack", tensors.item, dim, _pair(tensors.count))
    if not tensors:
        return ShapeConflict("stack: expected a non-empty list of tensors")
    known = [(i, s) for i, s in enumerate(tensors) if isinstance(s, StaticShape)]
    if not known:
        return UNKNOWN
    first_index, first = known[0]
    for i, shape in known[1:]:
        if shape_mismatch(shape, first) is not None:
            return ShapeConflict(
                f"stack: expects each tensor to be equal size, but got {_show(first)} "
                f"at entry {first_index} and {_show(shape)} at entry {i}"
            )
    if len(known) != len(tensors) or not _same_layout([shape for _, shape in known]):
        return UNKNOWN
    return _insert("stack", first, dim, _pair(len(tensors)))


def _insert(op: str, shape: StaticShape, dim: int, new: _Pair) -> Result:
    """`shape` with the dim `new` inserted so that it is at axis `dim` of the result."""
    axis = _axis(op, shape, dim, extra=1)
    if not isinstance(axis, int):
        return UNKNOWN if axis is None else axis
    pairs = _pairs(shape)
    return spelled(pairs[:axis] + [new] + pairs[axis:], shape.group)


def _replaced(shape: StaticShape, axis: int, sizes: Sequence[_Pair]) -> tuple[StaticShape, ...]:
    """One copy of `shape` for each of `sizes`, with that size at `axis`."""
    pairs = _pairs(shape)
    return tuple(spelled(pairs[:axis] + [size] + pairs[axis + 1 :], shape.group) for size in sizes)


def _split_axis(
    op: str, x: MaybeShape, dim: int
) -> tuple[StaticShape, int] | Unknown | ShapeConflict:
    """The shape and axis an op that splits `x` along `dim` works on."""
    if isinstance(x, Unknown):
        return UNKNOWN
    if x.group is None and not x.dims:
        return ShapeConflict(f"{op}: expects at least a 1-dimensional tensor")
    axis = _axis(op, x, dim)
    if not isinstance(axis, int):
        return UNKNOWN if axis is None else axis
    return x, axis


def _concrete_sizes(total: int, size: int) -> list[int]:
    """The piece sizes of splitting `total` into pieces of `size` (the last may be short)."""
    count = -(-total // size)
    return [size] * (count - 1) + [total - size * (count - 1)]


def _quotient(total: sympy.Expr, divisor: sympy.Expr) -> sympy.Expr | None:
    """`total / divisor` when it is provably a positive integer, else None."""
    quotient = _divide(total, divisor)
    if quotient.is_integer is True and provably_positive(quotient):
        return quotient
    return None


def chunk(x: MaybeShape, chunks: int, *, dim: int = 0) -> Pieces:
    """`torch.chunk(x, chunks, dim=dim)`: pieces of `ceil(size / chunks)`, the
    last maybe shorter (and maybe fewer pieces). A symbolic size gives a tuple
    only when `chunks` divides it exactly (`4*hiddens` in 4: `hiddens` each)."""
    if chunks <= 0:
        return ShapeConflict(f"chunk: expects `chunks` to be greater than 0, got: {chunks}")
    found = _split_axis("chunk", x, dim)
    if not isinstance(found, tuple):
        return found
    shape, axis = found
    pair = _pairs(shape)[axis]
    total = _literal(pair[0])
    if total is not None:
        if total == 0:
            return UNKNOWN
        return _replaced(
            shape, axis, [_pair(n) for n in _concrete_sizes(total, -(-total // chunks))]
        )
    if chunks == 1:
        return (shape,)
    quotient = _quotient(pair[0], sympy.Integer(chunks))
    if quotient is None:
        return UNKNOWN
    return _replaced(shape, axis, [_pair(quotient)] * chunks)


def split(
    x: MaybeShape, split_size_or_sections: DimLike | Sequence[DimLike], *, dim: int = 0
) -> Pieces:
    """`torch.split(x, split_size_or_sections, dim=dim)`.

    With a size: pieces of that size (the last maybe shorter); a symbolic
    number of pieces gives a `Repeated` (`steps*batch` split by `batch`:
    `steps` pieces of `batch`), and a size that does not provably divide gives
    `UNKNOWN`. With a list of sizes: one piece each; they must add up.
    """
    found = _split_axis("split", x, dim)
    if not isinstance(found, tuple):
        return found
    shape, axis = found
    pair = _pairs(shape)[axis]
    if isinstance(split_size_or_sections, Sequence):
        return _split_sections(shape, axis, dim, pair, split_size_or_sections)
    size = as_dim(split_size_or_sections)
    literal, total = _literal(size), _literal(pair[0])
    if literal is not None and literal <= 0:
        return ShapeConflict(
            f"split: expects split_size to be positive, but got split_size={literal}"
        )
    if literal is not None and total is not None:
        if total == 0:
            return UNKNOWN
        return _replaced(shape, axis, [_pair(n) for n in _concrete_sizes(total, literal)])
    count = _quotient(pair[0], size)
    if count is None:
        return UNKNOWN
    (piece,) = _replaced(shape, axis, [_spelled_as(size, _pairs(shape))])
    count_literal = _literal(count)
    if count_literal is not None:
        return (piece,) * count_literal
    return Repeated(piece, count)


def _split_sections(
    shape: StaticShape, axis: int, dim: int, pair: _Pair, sections: Sequence[DimLike]
) -> Pieces:
    """`split` with a list of sizes: they must be nonnegative and add up to the dim."""
    sizes = [_spelled_as(section, _pairs(shape)) for section in sections]
    shown = "[" + ", ".join(text for _, text in sizes) + "]"
    if any((_literal(size) or 0) < 0 for size, _ in sizes):
        return ShapeConflict(f"split: split_sizes must be nonnegative, but got split_sizes={shown}")
    if dims_differ(sympy.Add(*(size for size, _ in sizes)), pair[0]):
        return ShapeConflict(
            f"split: split_sizes must sum exactly to {pair[1]} (the size of dim {dim} of "
            f"{_show(shape)}), but got split_sizes={shown}"
        )
    return _replaced(shape, axis, sizes)


def unbind(x: MaybeShape, *, dim: int = 0) -> Pieces:
    """`torch.unbind(x, dim=dim)`: one tensor per index of `dim`, without it; a
    `Repeated` when the size is symbolic."""
    if isinstance(x, Unknown):
        return UNKNOWN
    if x.group is None and not x.dims:
        return ShapeConflict("unbind: dimension specified as 0 but tensor has no dimensions")
    axis = _axis("unbind", x, dim)
    if not isinstance(axis, int):
        return UNKNOWN if axis is None else axis
    pairs = _pairs(x)
    item = spelled(pairs[:axis] + pairs[axis + 1 :], x.group)
    count = _literal(pairs[axis][0])
    return (item,) * count if count is not None else Repeated(item, pairs[axis][0])
