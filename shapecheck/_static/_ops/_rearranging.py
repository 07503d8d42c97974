"""Rearranging and reshaping: `transpose`, `permute`, `unsqueeze`, `squeeze`,
`flatten`, `reshape`, `view`, `expand`, `repeat`.
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
    could_be_one,
    dims_differ,
    dims_equal,
    provably_nonnegative,
    spelled,
)
from ._common import (
    Result,
    _axis,
    _divide,
    _literal,
    _one,
    _Pair,
    _pair,
    _pairs,
    _product,
    _rank_text,
    _show,
    _spelled_as,
    _unknown,
)
from ._joining import _insert

__all__ = [
    "T",
    "expand",
    "flatten",
    "mT",
    "permute",
    "repeat",
    "reshape",
    "reshape_as",
    "squeeze",
    "swapaxes",
    "t",
    "transpose",
    "unflatten",
    "unsqueeze",
    "view",
    "view_as",
]


def transpose(x: MaybeShape, dim0: int, dim1: int) -> Result:
    """`x.transpose(dim0, dim1)`, `torch.swapaxes`: two dims swapped."""
    return _transpose("transpose", x, dim0, dim1)


def swapaxes(x: MaybeShape, axis0: int, axis1: int) -> Result:
    """`torch.swapaxes(x, axis0, axis1)` (and `swapdims`): `transpose`."""
    return _transpose("swapaxes", x, axis0, axis1)


def _transpose(op: str, x: MaybeShape, dim0: int, dim1: int) -> Result:
    """`transpose` under the name `op`."""
    if isinstance(x, Unknown):
        return UNKNOWN
    first, second = _axis(op, x, dim0), _axis(op, x, dim1)
    for axis in (first, second):
        if isinstance(axis, ShapeConflict):
            return axis
    if not isinstance(first, int) or not isinstance(second, int):
        return UNKNOWN
    if not x.dims:
        return x
    pairs = _pairs(x)
    pairs[first], pairs[second] = pairs[second], pairs[first]
    return spelled(pairs, x.group)


def t(x: MaybeShape) -> Result:
    """`x.t()`: a matrix transposed; a vector or 0-d tensor as it is."""
    if isinstance(x, Unknown):
        return UNKNOWN
    if len(x.dims) > 2:
        return ShapeConflict(
            f"t: expects a tensor with <= 2 dimensions, but it is {_rank_text(x)}: {_show(x)}"
        )
    if x.group is not None:
        return UNKNOWN
    return spelled(_pairs(x)[::-1])


def T(x: MaybeShape) -> Result:
    """`x.T`: all dims reversed."""
    if isinstance(x, Unknown) or x.group is not None:
        return UNKNOWN
    return spelled(_pairs(x)[::-1])


def mT(x: MaybeShape) -> Result:
    """`x.mT`: the last two dims swapped (a batch of matrices transposed)."""
    if isinstance(x, Unknown):
        return UNKNOWN
    if x.group is None and len(x.dims) < 2:
        return ShapeConflict(
            "mT: only supported on matrices or batches of matrices, "
            f"but it is {_rank_text(x)}: {_show(x)}"
        )
    return _transpose("mT", x, -2, -1)


def permute(x: MaybeShape, dims: Sequence[int]) -> Result:
    """`x.permute(dims)`: dim `i` of the result is dim `dims[i]` of `x`. With a
    variadic group, `dims` fixes the rank; the group's dims become unknown."""
    if isinstance(x, Unknown):
        return UNKNOWN
    rank = len(dims)
    if (x.group is None and rank != len(x.dims)) or rank < len(x.dims):
        return ShapeConflict(
            f"permute: the tensor has {len(x.dims)} dims ({_show(x)}) "
            f"but the order has {rank}: {list(dims)}"
        )
    padded = [_unknown() for _ in range(rank - len(x.dims))] + _pairs(x)
    full = StaticShape(tuple(d for d, _ in padded), None, tuple(text for _, text in padded))
    axes: list[int] = []
    for dim in dims:
        axis = _axis("permute", full, dim)
        if isinstance(axis, ShapeConflict):
            return axis
        assert axis is not None  # a shape without a group has every axis
        if axis in axes:
            return ShapeConflict(f"permute: repeated dim {dim} in {list(dims)}")
        axes.append(axis)
    return spelled([padded[axis] for axis in axes])


def unsqueeze(x: MaybeShape, dim: int) -> Result:
    """`x.unsqueeze(dim)`: a new dim of size 1 at axis `dim` of the result."""
    if isinstance(x, Unknown):
        return UNKNOWN
    return _insert("unsqueeze", x, dim, _one())


def squeeze(x: MaybeShape, *, dim: int | Sequence[int] | None = None) -> Result:
    """`x.squeeze(dim)`: the dims of size 1 among `dim` (all when None) removed;
    `UNKNOWN` where a dim may or may not be 1."""
    if isinstance(x, Unknown):
        return UNKNOWN
    if dim is None:
        if x.group is not None:
            return UNKNOWN
        axes = list(range(len(x.dims)))
    else:
        found = _axes("squeeze", x, [dim] if isinstance(dim, int) else list(dim))
        if not isinstance(found, list):
            return found
        axes = found
    keep: list[_Pair] = []
    for axis, pair in enumerate(_pairs(x)):
        if axis in axes and could_be_one(pair[0]):
            if not dims_equal(pair[0], 1):
                return UNKNOWN
            continue
        keep.append(pair)
    return spelled(keep, x.group)


def _axes(op: str, x: StaticShape, dims: Sequence[int]) -> list[int] | Unknown | ShapeConflict:
    """The distinct axes of `dims`; a conflict for one out of range or repeated."""
    axes: list[int] = []
    for dim in dims:
        axis = _axis(op, x, dim)
        if not isinstance(axis, int):
            return UNKNOWN if axis is None else axis
        if axis in axes:
            return ShapeConflict(f"{op}: dim {axis} appears multiple times in the list of dims")
        axes.append(axis)
    return axes


def flatten(x: MaybeShape, *, start_dim: int = 0, end_dim: int = -1) -> Result:
    """`x.flatten(start_dim, end_dim)`: the dims from `start_dim` to `end_dim`
    multiplied into one (a 0-d tensor becomes 1-D)."""
    if isinstance(x, Unknown):
        return UNKNOWN
    if x.group is None and not x.dims:
        return spelled([_one()])
    start, end = _axis("flatten", x, start_dim), _axis("flatten", x, end_dim)
    for axis in (start, end):
        if isinstance(axis, ShapeConflict):
            return axis
    if not isinstance(end, int):
        return UNKNOWN
    pairs = _pairs(x)
    if start is None:
        # From the front of a variadic group: the rank is known, not the size.
        return spelled([_unknown()] + pairs[end + 1 :]) if start_dim == 0 else UNKNOWN
    assert isinstance(start, int)
    if start > end:
        return ShapeConflict("flatten: start_dim cannot come after end_dim")
    return spelled(pairs[:start] + [_product(pairs[start : end + 1])] + pairs[end + 1 :], x.group)


def _target(
    op: str, shape: Sequence[DimLike], spellings: Sequence[_Pair]
) -> tuple[list[_Pair], int | None] | ShapeConflict:
    """The sizes of a `reshape`-like target (spelled as the input's dims they
    equal), and the index of its `-1` if any."""
    sizes = [_spelled_as(size, spellings) for size in shape]
    holes = [i for i, (size, _) in enumerate(sizes) if _literal(size) == -1]
    if len(holes) > 1:
        return ShapeConflict(f"{op}: only one dimension can be inferred")
    for size, _ in sizes:
        literal = _literal(size)
        if literal is not None and literal < -1:
            return ShapeConflict(f"{op}: invalid shape dimension {literal}")
    return sizes, holes[0] if holes else None


def _shown(sizes: Sequence[_Pair]) -> str:
    """A target shape as torch shows it: `[steps, -1]`."""
    return "[" + ", ".join(text for _, text in sizes) + "]"


def _solve(op: str, pairs: Sequence[_Pair], sizes: list[_Pair], hole: int) -> _Pair | ShapeConflict:
    """The size of the `-1` of `sizes`, so that they hold the dims `pairs`.

    Exact when the total divides symbolically; spelled, when it is a run of
    the input's dims, as their product (`steps*batch`); unknown otherwise.
    """
    total = _product(pairs)
    others = sympy.Mul(*(size for i, (size, _) in enumerate(sizes) if i != hole))
    if total[0].is_number and others.is_number and (others == 0 or total[0] % others != 0):
        return ShapeConflict(
            f"{op}: shape '{_shown(sizes)}' is invalid for input of size {total[1]}"
        )
    if others == 0:
        return _unknown()
    quotient = _divide(total[0], others)
    if not (quotient.is_integer is True and provably_nonnegative(quotient)):
        return _unknown()
    for start in range(len(pairs)):
        for end in range(start + 1, len(pairs) + 1):
            run = _product(pairs[start:end])
            if dims_equal(run[0], quotient):
                return run
    return _pair(quotient)


def _reshape(op: str, x: MaybeShape, shape: Sequence[DimLike]) -> Result:
    """`reshape` under the name `op`."""
    found = _target(op, shape, _pairs(x) if isinstance(x, StaticShape) else [])
    if isinstance(found, ShapeConflict):
        return found
    sizes, hole = found
    known = isinstance(x, StaticShape) and x.group is None
    pairs = _pairs(x) if isinstance(x, StaticShape) else []
    if hole is not None:
        solved = _solve(op, pairs, sizes, hole) if known else _unknown()
        if isinstance(solved, ShapeConflict):
            return solved
        sizes[hole] = solved
    elif known:
        total = _product(pairs)
        if dims_differ(total[0], sympy.Mul(*(size for size, _ in sizes))):
            return ShapeConflict(
                f"{op}: shape '{_shown(sizes)}' is invalid for input of size {total[1]}"
            )
    return spelled(sizes)


def reshape(x: MaybeShape, shape: Sequence[DimLike]) -> Result:
    """`x.reshape(shape)`: literal sizes, `-1` (solved: the total size over the
    others, exact when it divides symbolically) and sizes read from other
    shapes (`y.shape[-1]` as its expression). The total must be kept."""
    return _reshape("reshape", x, shape)


def view(x: MaybeShape, shape: Sequence[DimLike]) -> Result:
    """`x.view(shape)`: as `reshape` (contiguity is not modelled)."""
    return _reshape("view", x, shape)


def reshape_as(x: MaybeShape, other: MaybeShape) -> Result:
    """`x.reshape_as(other)`: the shape of `other`, holding as many elements as `x`."""
    if isinstance(other, Unknown) or other.group is not None:
        return other
    return _reshape("reshape_as", x, other.dims)


def view_as(x: MaybeShape, other: MaybeShape) -> Result:
    """`x.view_as(other)`: as `reshape_as`."""
    if isinstance(other, Unknown) or other.group is not None:
        return other
    return _reshape("view_as", x, other.dims)


def unflatten(x: MaybeShape, dim: int, sizes: Sequence[DimLike]) -> Result:
    """`x.unflatten(dim, sizes)`: dim `dim` split into `sizes` (one may be `-1`)."""
    if isinstance(x, Unknown):
        return UNKNOWN
    axis = _axis("unflatten", x, dim)
    if not isinstance(axis, int):
        return UNKNOWN if axis is None else axis
    pairs = _pairs(x)
    inner = _reshape("unflatten", spelled([pairs[axis]]), sizes)
    if not isinstance(inner, StaticShape):
        return inner
    return spelled(pairs[:axis] + _pairs(inner) + pairs[axis + 1 :], x.group)


def expand(x: MaybeShape, size: Sequence[DimLike]) -> Result:
    """`x.expand(size)`: dims of size 1 stretched, new leading dims added; `-1`
    keeps a dim."""
    if isinstance(x, Unknown):
        return UNKNOWN
    sizes = [_spelled_as(s, _pairs(x)) for s in size]
    if len(sizes) < len(x.dims):
        return ShapeConflict(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
            f"to the number of dimensions in the tensor ({_show(x)})"
        )
    lead = len(sizes) - len(x.dims)
    result: list[_Pair] = []
    for i, target in enumerate(sizes):
        literal = _literal(target[0])
        if i < lead:
            if literal == -1 and x.group is None:
                return ShapeConflict(
                    f"expand: the expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            result.append(_unknown() if literal == -1 else target)
            continue
        have = (x.dims[i - lead], x.texts[i - lead])
        if literal == -1 or dims_equal(have[0], target[0]):
            result.append(have)
        elif could_be_one(have[0]) or not dims_differ(have[0], target[0]):
            result.append(target)
        else:
            return ShapeConflict(
                f"expand: the expanded size of the tensor ({target[1]}) must match the existing "
                f"size ({have[1]}) at non-singleton dimension {i}; target sizes: "
                f"{_shown(sizes)}, tensor sizes: {_show(x)}"
            )
    return spelled(result)


def repeat(x: MaybeShape, sizes: Sequence[DimLike]) -> Result:
    """`x.repeat(sizes)`: each dim times its count; extra counts add leading dims."""
    if isinstance(x, Unknown):
        return UNKNOWN
    counts = [_pair(s) for s in sizes]
    if len(counts) < len(x.dims):
        return ShapeConflict(
            "repeat: number of dimensions of repeat dims can not be smaller than number of "
            f"dimensions of tensor ({_show(x)})"
        )
    if x.group is not None:
        return UNKNOWN
    padded = [_one()] * (len(counts) - len(x.dims)) + _pairs(x)
    return spelled([_product([have, count]) for have, count in zip(padded, counts, strict=True)])
