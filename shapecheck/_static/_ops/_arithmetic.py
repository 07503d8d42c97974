"""Elementwise ops with broadcasting, and the matrix products (`@`, `mm`, `bmm`, `linear`, ...)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import NamedTuple

from .._shape import (
    ANY_DIMS,
    UNKNOWN,
    MaybeShape,
    ShapeConflict,
    StaticShape,
    Unknown,
    could_be_one,
    dims_differ,
    dims_equal,
    is_known,
    spelled,
)
from ._common import (
    Result,
    _inner_conflict,
    _one,
    _Pair,
    _pairs,
    _preferred,
    _rank_text,
    _show,
    _unknown,
)

__all__ = [
    "add",
    "bmm",
    "broadcast_shapes",
    "div",
    "dot",
    "elementwise",
    "linear",
    "matmul",
    "maximum",
    "minimum",
    "mm",
    "mul",
    "mv",
    "outer",
    "sub",
    "unary",
    "where",
]


class _Operand(NamedTuple):
    """A broadcast operand: its name in messages, the shape broadcast, the shape shown."""

    name: str
    shape: StaticShape
    shown: StaticShape


def _broadcast(op: str, operands: Sequence[_Operand], what: str = "dimension") -> Result:
    """The broadcast of known shapes (torch's rules, aligned from the right)."""
    if not operands:
        return StaticShape(())
    width = builtins.max(len(operand.shape.dims) for operand in operands)
    fixed = all(operand.shape.group is None for operand in operands)
    result: list[_Pair] = []
    for back in range(width, 0, -1):
        index = width - back if fixed else -back
        position = _broadcast_position(op, operands, back, f"{what} {index}")
        if isinstance(position, ShapeConflict):
            return position
        result.append(position)
    return spelled(result, _broadcast_group(operands, width))


def _broadcast_group(operands: Sequence[_Operand], width: int) -> str | None:
    """The variadic group of a broadcast `width` dims wide: a named group only
    when every operand with a group has that one, and no more dims than it."""
    grouped = [operand.shape for operand in operands if operand.shape.group is not None]
    if not grouped:
        return None
    names = {shape.group for shape in grouped}
    if len(names) == 1 and all(len(shape.dims) == width for shape in grouped):
        return grouped[0].group
    return ANY_DIMS


def _broadcast_position(
    op: str, operands: Sequence[_Operand], back: int, where: str
) -> _Pair | ShapeConflict:
    """The broadcast dim `back` places from the right, or the conflict there."""
    entries: list[tuple[_Operand, _Pair]] = []
    gap = False  # an operand whose variadic group may or may not reach here
    for operand in operands:
        shape = operand.shape
        if len(shape.dims) < back:
            gap = gap or shape.group is not None
            continue
        pair = (shape.dims[-back], shape.texts[-back])
        if not dims_equal(pair[0], 1):
            entries.append((operand, pair))
    firm = [(operand, pair) for operand, pair in entries if not could_be_one(pair[0])]
    for i, (first, first_dim) in enumerate(firm):
        for second, second_dim in firm[i + 1 :]:
            if dims_differ(first_dim[0], second_dim[0]):
                return ShapeConflict(
                    f"{op}: the size of {first.name} must match the size of {second.name} "
                    f"at non-singleton {where}: {first_dim[1]} (of {first.name}: "
                    f"{_show(first.shown)}) against {second_dim[1]} (of {second.name}: "
                    f"{_show(second.shown)})"
                )
    if firm:
        known = [pair for _, pair in firm if is_known(pair[0])]
        return known[0] if known else firm[0][1]
    if not entries:
        return _unknown() if gap else _one()
    first_pair = entries[0][1]
    if gap or any(not dims_equal(pair[0], first_pair[0]) for _, pair in entries):
        return _unknown()
    return first_pair


def _named(op: str, names: Sequence[str], shapes: Sequence[MaybeShape]) -> Result:
    """Broadcast `shapes`, named `names` in messages; `UNKNOWN` if one is unknown,
    once the known ones are checked against each other."""
    operands = [
        _Operand(name, shape, shape)
        for name, shape in zip(names, shapes, strict=True)
        if isinstance(shape, StaticShape)
    ]
    result = _broadcast(op, operands)
    if isinstance(result, ShapeConflict) or len(operands) == len(shapes):
        return result
    return UNKNOWN


def broadcast_shapes(*shapes: MaybeShape) -> Result:
    """`torch.broadcast_shapes`: the shape all of `shapes` broadcast to."""
    return elementwise("broadcast_shapes", *shapes)


def elementwise(op: str, *shapes: MaybeShape) -> Result:
    """Any elementwise op of tensors (`+`, `torch.add`, `torch.where`, the
    comparisons; see `BINARY_OPS`): the broadcast of their shapes. The operands
    are called a, b, c... in messages, as torch does. A Python number is a
    0-d shape, `StaticShape(())`."""
    names = [chr(ord("a") + i) if i < 26 else f"#{i}" for i in range(len(shapes))]
    return _named(op, names, shapes)


def add(a: MaybeShape, b: MaybeShape) -> Result:
    """`a + b`, `torch.add(a, b)`."""
    return elementwise("add", a, b)


def sub(a: MaybeShape, b: MaybeShape) -> Result:
    """`a - b`, `torch.sub(a, b)`."""
    return elementwise("sub", a, b)


def mul(a: MaybeShape, b: MaybeShape) -> Result:
    """`a * b`, `torch.mul(a, b)`."""
    return elementwise("mul", a, b)


def div(a: MaybeShape, b: MaybeShape) -> Result:
    """`a / b`, `torch.div(a, b)`."""
    return elementwise("div", a, b)


def maximum(a: MaybeShape, b: MaybeShape) -> Result:
    """`torch.maximum(a, b)`."""
    return elementwise("maximum", a, b)


def minimum(a: MaybeShape, b: MaybeShape) -> Result:
    """`torch.minimum(a, b)`."""
    return elementwise("minimum", a, b)


def where(condition: MaybeShape, input: MaybeShape, other: MaybeShape) -> Result:
    """`torch.where(condition, input, other)`: the broadcast of the three."""
    return _named("where", ("condition", "input", "other"), (condition, input, other))


def unary(x: MaybeShape) -> MaybeShape:
    """A shape-preserving op (`torch.sigmoid`, `tanh`, `relu`, `exp`, `.float()`,
    `zeros_like`...; see `UNARY_OPS`): the shape of its argument."""
    return x


# --- matrix products ------------------------------------------------------------------


def _at_least_1d(op: str, a: StaticShape, b: StaticShape) -> ShapeConflict | None:
    """torch's complaint about a 0-d operand of a matrix product."""
    if (a.group is None and not a.dims) or (b.group is None and not b.dims):
        return ShapeConflict(
            f"{op}: both arguments need to be at least 1-D, but they are "
            f"{_rank_text(a)} and {_rank_text(b)}"
        )
    return None


def _batch_part(shape: StaticShape, keep: int) -> StaticShape:
    """`shape` without its last `keep` dims (the matrix dims of a batched product)."""
    return spelled(_pairs(shape)[: len(shape.dims) - keep], shape.group)


def matmul(a: MaybeShape, b: MaybeShape) -> Result:
    """`a @ b`, `torch.matmul(a, b)`: dot, matrix-vector, matrix and batched
    products, the batch dims broadcast."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return UNKNOWN
    problem = _at_least_1d("matmul", a, b)
    if problem is not None:
        return problem
    a_vector = a.group is None and len(a.dims) == 1
    b_vector = b.group is None and len(b.dims) == 1
    a_inner = _pairs(a)[-1] if a.dims else None
    b_inner = None
    if b_vector or len(b.dims) >= 2:
        b_inner = _pairs(b)[0] if b_vector else _pairs(b)[-2]
    if a_inner is not None and b_inner is not None:
        problem = _inner_conflict("matmul", ("a", "b"), (a, b), a_inner, b_inner)
        if problem is not None:
            return problem
    if a_vector and b_vector:
        return StaticShape(())
    if b_vector:
        return spelled(_pairs(a)[:-1], a.group) if len(a.dims) >= 2 else UNKNOWN
    if a_vector:
        if len(b.dims) < 2:
            return UNKNOWN
        return spelled(_pairs(b)[:-2] + _pairs(b)[-1:], b.group)
    if len(a.dims) < 2 or len(b.dims) < 2:
        return UNKNOWN
    batch = _broadcast(
        "matmul",
        [_Operand("a", _batch_part(a, 2), a), _Operand("b", _batch_part(b, 2), b)],
        what="batch dimension",
    )
    if not isinstance(batch, StaticShape):
        return batch
    return spelled(_pairs(batch) + [_pairs(a)[-2], _pairs(b)[-1]], batch.group)


def _exact_rank(op: str, name: str, shape: StaticShape, rank: int, kind: str) -> Result:
    """`shape` if it may have exactly `rank` dims (its group then empty), else a conflict."""
    if len(shape.dims) == rank or (shape.group is not None and len(shape.dims) < rank):
        if len(shape.dims) < rank:
            return UNKNOWN
        return StaticShape(shape.dims, None, shape.texts)
    return ShapeConflict(
        f"{op}: {name} must be {kind} ({rank}-D), but it is {_rank_text(shape)}: {_show(shape)}"
    )


def _exact_ranks(
    op: str, checks: Sequence[tuple[str, MaybeShape, int, str]]
) -> list[StaticShape] | Unknown | ShapeConflict:
    """Each operand at its exact rank; the first conflict; or `UNKNOWN`."""
    shapes: list[StaticShape] = []
    unknown = False
    for name, shape, rank, kind in checks:
        if isinstance(shape, Unknown):
            unknown = True
            continue
        exact = _exact_rank(op, name, shape, rank, kind)
        if isinstance(exact, ShapeConflict):
            return exact
        if isinstance(exact, Unknown):
            unknown = True
        else:
            shapes.append(exact)
    return UNKNOWN if unknown else shapes


def mm(a: MaybeShape, b: MaybeShape) -> Result:
    """`torch.mm(a, b)`: matrix times matrix, no broadcasting."""
    shapes = _exact_ranks("mm", [("a", a, 2, "a matrix"), ("b", b, 2, "a matrix")])
    if not isinstance(shapes, list):
        return shapes
    (x, y), (xp, yp) = shapes, (_pairs(shapes[0]), _pairs(shapes[1]))
    problem = _inner_conflict("mm", ("a", "b"), (x, y), xp[1], yp[0])
    return problem or spelled([xp[0], yp[1]])


def bmm(a: MaybeShape, b: MaybeShape) -> Result:
    """`torch.bmm(a, b)`: batches of matrices, the batch dims equal (no broadcasting)."""
    kind = "a batch of matrices"
    shapes = _exact_ranks("bmm", [("a", a, 3, kind), ("b", b, 3, kind)])
    if not isinstance(shapes, list):
        return shapes
    (x, y), (xp, yp) = shapes, (_pairs(shapes[0]), _pairs(shapes[1]))
    if dims_differ(xp[0][0], yp[0][0]):
        return ShapeConflict(
            f"bmm: the batch dims differ: {xp[0][1]} (of a: {_show(x)}) "
            f"against {yp[0][1]} (of b: {_show(y)})"
        )
    problem = _inner_conflict("bmm", ("a", "b"), (x, y), xp[2], yp[1])
    return problem or spelled([_preferred(xp[0], yp[0]), xp[1], yp[2]])


def mv(a: MaybeShape, v: MaybeShape) -> Result:
    """`torch.mv(a, v)`: matrix times vector."""
    shapes = _exact_ranks("mv", [("a", a, 2, "a matrix"), ("v", v, 1, "a vector")])
    if not isinstance(shapes, list):
        return shapes
    (x, y), (xp, yp) = shapes, (_pairs(shapes[0]), _pairs(shapes[1]))
    problem = _inner_conflict("mv", ("a", "v"), (x, y), xp[1], yp[0])
    return problem or spelled([xp[0]])


def dot(a: MaybeShape, b: MaybeShape) -> Result:
    """`torch.dot(a, b)`: two vectors of one length, to a 0-d tensor."""
    shapes = _exact_ranks("dot", [("a", a, 1, "a vector"), ("b", b, 1, "a vector")])
    if not isinstance(shapes, list):
        return shapes
    (x, y) = shapes
    problem = _inner_conflict("dot", ("a", "b"), (x, y), _pairs(x)[0], _pairs(y)[0])
    return problem or StaticShape(())


def outer(a: MaybeShape, b: MaybeShape) -> Result:
    """`torch.outer(a, b)`: two vectors to a matrix."""
    shapes = _exact_ranks("outer", [("a", a, 1, "a vector"), ("b", b, 1, "a vector")])
    if not isinstance(shapes, list):
        return shapes
    return spelled(_pairs(shapes[0]) + _pairs(shapes[1]))


def linear(input: MaybeShape, weight: MaybeShape, bias: MaybeShape | None = None) -> Result:
    """`F.linear(input, weight, bias)`: `input @ weight.T + bias`, with `weight`
    `out in` (or `in`) and `input` `* in`."""
    if isinstance(input, Unknown) or isinstance(weight, Unknown):
        return UNKNOWN
    if (weight.group is None and not weight.dims) or len(weight.dims) > 2:
        return ShapeConflict(
            f"linear: weight must be 1-D or 2-D, but it is {_rank_text(weight)}: {_show(weight)}"
        )
    if input.group is None and not input.dims:
        return ShapeConflict("linear: input must be at least 1-D, but it is 0-D")
    if not input.dims or not weight.dims:
        return UNKNOWN
    problem = _inner_conflict(
        "linear", ("input", "weight"), (input, weight), _pairs(input)[-1], _pairs(weight)[-1]
    )
    if problem is not None:
        return problem
    if weight.group is not None and len(weight.dims) < 2:
        return UNKNOWN
    out = _pairs(weight)[:1] if len(weight.dims) == 2 else []
    output = spelled(_pairs(input)[:-1] + out, input.group)
    if bias is None:
        return output
    return _named("linear", ("output", "bias"), (output, bias))
