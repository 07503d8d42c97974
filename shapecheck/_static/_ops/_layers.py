"""The `torch.nn` layers a module builds in `__init__` and calls in `forward`.

A layer is known by its class and the constructor arguments the walk could
read (`options`, by the constructor's parameter names): `nn.Linear(hiddens,
vocab)` holds a `vocab hiddens` weight, so calling it is `F.linear` with that
weight. An option the walk could not read is an unknown dim; a layer class not
modelled here gives an unknown result, never an error.
"""

from __future__ import annotations

from typing import Any, Final

import sympy

from .._shape import (
    UNKNOWN,
    MaybeShape,
    ShapeConflict,
    StaticShape,
    Unknown,
    dims_differ,
    spelled,
    unknown_dim,
)
from ._arithmetic import linear
from ._common import Result, _pair, _pairs, _show

__all__ = ["SAME_SHAPE_LAYERS", "call_layer"]

Options = dict[str, Any]

# Layers whose output has the shape of their input.
SAME_SHAPE_LAYERS: Final = frozenset(
    {"Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "Identity", "ReLU",
     "ReLU6", "LeakyReLU", "PReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Tanh",
     "Sigmoid", "Hardtanh", "Hardswish", "Hardsigmoid", "Softplus", "Softsign", "Tanhshrink",
     "Softmax", "LogSoftmax", "LayerNorm", "RMSNorm", "GroupNorm", "BatchNorm1d", "BatchNorm2d",
     "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "LocalResponseNorm"}
)  # fmt: skip

RECURRENT_LAYERS: Final = frozenset({"RNN", "GRU", "LSTM"})


def _dim(value: Any) -> sympy.Expr:
    """A size option as a dim: its int or expression, else a fresh unknown."""
    if isinstance(value, bool) or not isinstance(value, int | sympy.Expr):
        return unknown_dim()
    return sympy.sympify(value)


def _flag(value: Any, default: bool) -> bool | None:
    """A literal bool option; None when the walk could not read it."""
    if value is None:
        return default
    return value if isinstance(value, bool) else None


def call_layer(kind: str, options: Options, args: list[Any]) -> Any:
    """The result of calling a layer of class `kind` on `args`: a shape, a
    tuple of them, a `ShapeConflict`, or None where it is not modelled."""
    if not args or not isinstance(args[0], StaticShape | Unknown):
        return None
    x: MaybeShape = args[0]
    if kind in SAME_SHAPE_LAYERS:
        return x
    if kind == "Linear":
        out, in_ = _dim(options.get("out_features")), _dim(options.get("in_features"))
        return _renamed(linear(x, StaticShape.of(out, in_)), kind)
    if kind == "Embedding":
        if isinstance(x, Unknown):
            return UNKNOWN
        return spelled([*_pairs(x), _pair(_dim(options.get("embedding_dim")))], x.group)
    if kind in RECURRENT_LAYERS:
        state = args[1] if len(args) > 1 else None
        return _recurrent(kind, options, x, state)
    return None


def _renamed(result: Result, kind: str) -> Result:
    """A functional op's conflict, worded for the layer that called it."""
    if isinstance(result, ShapeConflict):
        return ShapeConflict(f"nn.{kind}: {result.message.removeprefix('linear: ')}")
    return result


def _recurrent(kind: str, options: Options, x: MaybeShape, state: Any) -> Any:
    """`nn.RNN`/`GRU`/`LSTM` as torch documents them: input `(L, N, H_in)`
    (`(N, L, H_in)` with `batch_first`, `(L, H_in)` unbatched); output `(L, N,
    D*H_out)`; the final state as the initial one, `(D*num_layers, N, H_out)`."""
    if isinstance(x, Unknown) or x.group is not None or len(x.dims) not in (2, 3):
        return None
    batch_first = _flag(options.get("batch_first"), False)
    bidirectional = _flag(options.get("bidirectional"), False)
    if batch_first is None:
        return None
    hidden = _dim(options.get("hidden_size"))
    proj = options.get("proj_size")
    h_out = _dim(proj) if isinstance(proj, int) and proj > 0 else hidden
    if proj is not None and not isinstance(proj, int):
        h_out = unknown_dim()
    directions = None if bidirectional is None else (2 if bidirectional else 1)
    width = h_out * directions if directions is not None else unknown_dim()
    pairs = _pairs(x)
    in_dim = _dim(options.get("input_size"))
    if dims_differ(pairs[-1][0], in_dim):
        return ShapeConflict(
            f"nn.{kind}: input.size(-1) must be equal to input_size, but the input is "
            f"{_show(x)} for input_size={in_dim}"
        )
    output = spelled([*pairs[:-1], _pair(width)])
    if len(x.dims) == 3:
        batch = pairs[0] if batch_first else pairs[1]
        final: MaybeShape = spelled([_pair(unknown_dim()), batch, _pair(h_out)])
    else:
        final = spelled([_pair(unknown_dim()), _pair(h_out)])
    given = state[0] if kind == "LSTM" and isinstance(state, tuple) and state else state
    if isinstance(given, StaticShape):
        final = given  # the final state has the shape of the initial one
    if kind == "LSTM":
        cell = state[1] if isinstance(state, tuple) and len(state) == 2 else None
        return output, (final, cell if isinstance(cell, StaticShape) else UNKNOWN)
    return output, final
