"""Shape inference for the common torch ops, over `StaticShape`s.

Each function takes the shapes of an op's tensor arguments (and its literal
ints, tuples and slices; a size read from another shape, `x.shape[i]`, is
passed as its sympy expression) and returns:

- the shape of the result (a tuple of shapes, or a `Repeated`, for the ops that
  return several tensors);
- a `ShapeConflict` when the shapes provably do not fit, with a message in the
  style of torch's own: it names the op, the dims and the shapes;
- `UNKNOWN` when the result cannot be told; a dim that cannot be told in a
  shape whose rank can is a fresh unknown dim (printed `_`).

An `UNKNOWN` argument never causes an error: checking is gradual. The
functions are named after the ops; their options are keyword-only, named as
in torch. Names that shadow builtins (`sum`, `max`, `min`) mirror torch's.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Final, NamedTuple, TypeAlias

import sympy

from ._shape import (
    ANY_DIMS,
    UNKNOWN,
    DimLike,
    MaybeShape,
    Repeated,
    ShapeConflict,
    StaticShape,
    Unknown,
    as_dim,
    could_be_one,
    dims_differ,
    dims_equal,
    format_dim,
    is_known,
    provably_nonnegative,
    provably_positive,
    shape_mismatch,
    spelled,
    unknown_dim,
)

__all__ = [
    "BINARY_OPS",
    "Pieces",
    "REDUCTIONS",
    "Result",
    "T",
    "UNARY_OPS",
    "add",
    "amax",
    "amin",
    "arange",
    "argmax",
    "argmin",
    "bmm",
    "broadcast_shapes",
    "cat",
    "chunk",
    "cumsum",
    "div",
    "dot",
    "elementwise",
    "empty",
    "expand",
    "flatten",
    "full",
    "index",
    "iterate",
    "linear",
    "log_softmax",
    "logsumexp",
    "mT",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mm",
    "mul",
    "mv",
    "ndim",
    "numel",
    "one_hot",
    "ones",
    "outer",
    "permute",
    "prod",
    "rand",
    "randn",
    "reduce",
    "repeat",
    "reshape",
    "reshape_as",
    "shape_tuple",
    "size",
    "softmax",
    "split",
    "squeeze",
    "stack",
    "std",
    "sub",
    "sum",
    "swapaxes",
    "t",
    "transpose",
    "unary",
    "unbind",
    "unflatten",
    "unsqueeze",
    "var",
    "view",
    "view_as",
    "where",
    "zeros",
]

Result: TypeAlias = "StaticShape | Unknown | ShapeConflict"
"""What an op gives: the result's shape, `UNKNOWN`, or a provable conflict."""

Pieces: TypeAlias = "tuple[MaybeShape, ...] | Repeated | Unknown | ShapeConflict"
"""What an op that returns several tensors gives (`chunk`, `split`, `unbind`)."""

UNARY_OPS: Final = frozenset(
    {
        "abs", "clone", "contiguous", "cos", "detach", "dropout", "elu", "empty_like", "exp",
        "expm1", "float", "full_like", "gelu", "half", "leaky_relu", "log", "log1p",
        "logical_not", "neg", "ones_like", "rand_like", "randn_like", "reciprocal", "relu",
        "requires_grad_", "round", "rsqrt", "sigmoid", "sign", "silu", "sin", "softplus",
        "sqrt", "square", "tanh", "to", "type", "zeros_like",
    }
)  # fmt: skip
"""torch functions and methods whose result has the shape of their tensor argument."""

BINARY_OPS: Final = frozenset(
    {
        "add", "atan2", "div", "eq", "floor_divide", "fmod", "ge", "gt", "le", "logical_and",
        "logical_or", "logical_xor", "lt", "maximum", "minimum", "mul", "ne", "pow",
        "remainder", "sub", "true_divide",
    }
)  # fmt: skip
"""torch functions (and operators) whose result is the broadcast of their arguments."""

REDUCTIONS: Final = frozenset(
    {
        "all", "amax", "amin", "any", "argmax", "argmin", "count_nonzero", "logsumexp", "max",
        "mean", "median", "min", "nanmean", "nansum", "norm", "prod", "std", "sum", "var",
    }
)  # fmt: skip
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


# --- elementwise ----------------------------------------------------------------------


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


# --- joining and splitting ------------------------------------------------------------


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


# --- rearranging ----------------------------------------------------------------------


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


# --- creating -------------------------------------------------------------------------


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


# --- indexing and sizes ---------------------------------------------------------------


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
