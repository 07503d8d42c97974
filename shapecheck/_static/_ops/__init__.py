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

from ._arithmetic import (
    add,
    bmm,
    broadcast_shapes,
    div,
    dot,
    elementwise,
    linear,
    matmul,
    maximum,
    minimum,
    mm,
    mul,
    mv,
    outer,
    sub,
    unary,
    where,
)
from ._common import BINARY_OPS, REDUCTIONS, UNARY_OPS, Pieces, Result
from ._creating import (
    amax,
    amin,
    arange,
    argmax,
    argmin,
    cumsum,
    empty,
    full,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    one_hot,
    ones,
    prod,
    rand,
    randn,
    reduce,
    softmax,
    std,
    sum,
    var,
    zeros,
)
from ._indexing import index, iterate, ndim, numel, shape_tuple, size
from ._joining import cat, chunk, split, stack, unbind
from ._layers import SAME_SHAPE_LAYERS, call_layer
from ._rearranging import (
    T,
    expand,
    flatten,
    mT,
    permute,
    repeat,
    reshape,
    reshape_as,
    squeeze,
    swapaxes,
    t,
    transpose,
    unflatten,
    unsqueeze,
    view,
    view_as,
)

__all__ = [
    "SAME_SHAPE_LAYERS",
    "call_layer",
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
