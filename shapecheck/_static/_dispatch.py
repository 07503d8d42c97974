"""The torch ops a body calls, by name, over what the walk knows of their
arguments (`_bodies`): each handler reads the arguments as `_ops` takes them
and raises `Unmodelled` when they are not known well enough."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy

from . import _ops
from ._shape import UNKNOWN, MaybeShape, Repeated, StaticShape, Unknown

__all__ = ["HANDLERS", "SAME_SHAPE_METHODS", "Unmodelled"]

Value = Any  # what the walk knows of a local (see `_bodies`)

# Tensor methods whose result has the shape of the tensor.
SAME_SHAPE_METHODS = frozenset(
    {"float", "double", "half", "long", "int", "bool", "to", "contiguous", "detach", "clone",
     "cpu", "cuda", "requires_grad_", "type_as", "abs", "exp", "log", "sigmoid", "tanh",
     "relu", "neg", "sqrt", "square", "zero_", "fill_", "normal_", "uniform_"}
)  # fmt: skip


class Unmodelled(Exception):
    """An op's arguments are not known well enough to say anything."""


def _shape(value: Value) -> MaybeShape:
    if isinstance(value, StaticShape | Unknown):
        return value
    raise Unmodelled


def _int(value: Value) -> int:
    if isinstance(value, int):
        return value
    raise Unmodelled


def _dims(values: list[Value]) -> list[Any]:
    """A size given as ints and dims, spread (`zeros(a, b)`) or as one tuple."""
    if len(values) == 1 and isinstance(values[0], tuple | list):
        values = list(values[0])
    if all(isinstance(v, int | sympy.Expr) for v in values):
        return values
    raise Unmodelled


def _size(value: Value) -> Any:
    if isinstance(value, int | sympy.Expr):
        return value
    raise Unmodelled


def _opt(kwargs: dict[str, Value], args: list[Value], index: int, name: str, default: Any) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else default


def _tensors(value: Value) -> Any:
    if isinstance(value, Repeated):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, StaticShape | Unknown) for v in value):
        return list(value)
    raise Unmodelled


def _reduce(name: str) -> Callable[[list[Value], dict[str, Value]], Any]:
    def handler(args: list[Value], kwargs: dict[str, Value]) -> Any:
        dim = _opt(kwargs, args, 1, "dim", None)
        if dim is not None and not isinstance(dim, int | tuple):
            raise Unmodelled
        keepdim = bool(_opt(kwargs, args, 2, "keepdim", False))
        return getattr(_ops, name)(_shape(args[0]), dim=dim, keepdim=keepdim)

    return handler


HANDLERS: dict[str, Callable[[list[Value], dict[str, Value]], Any]] = {
    "matmul": lambda a, k: _ops.matmul(_shape(a[0]), _shape(a[1])),
    "mm": lambda a, k: _ops.mm(_shape(a[0]), _shape(a[1])),
    "bmm": lambda a, k: _ops.bmm(_shape(a[0]), _shape(a[1])),
    "linear": lambda a, k: _ops.linear(
        _shape(a[0]), _shape(a[1]), _shape(_opt(k, a, 2, "bias", UNKNOWN))
    ),
    "cat": lambda a, k: _ops.cat(_tensors(a[0]), dim=_int(_opt(k, a, 1, "dim", 0))),
    "concat": lambda a, k: _ops.cat(_tensors(a[0]), dim=_int(_opt(k, a, 1, "dim", 0))),
    "stack": lambda a, k: _ops.stack(_tensors(a[0]), dim=_int(_opt(k, a, 1, "dim", 0))),
    "chunk": lambda a, k: _ops.chunk(
        _shape(a[0]), _int(_opt(k, a, 1, "chunks", None)), dim=_int(_opt(k, a, 2, "dim", 0))
    ),
    "transpose": lambda a, k: _ops.transpose(_shape(a[0]), _int(a[1]), _int(a[2])),
    "swapaxes": lambda a, k: _ops.swapaxes(_shape(a[0]), _int(a[1]), _int(a[2])),
    "t": lambda a, k: _ops.t(_shape(a[0])),
    "permute": lambda a, k: _ops.permute(_shape(a[0]), [_int(d) for d in _dims(a[1:])]),
    "unsqueeze": lambda a, k: _ops.unsqueeze(_shape(a[0]), _int(_opt(k, a, 1, "dim", None))),
    "squeeze": lambda a, k: _ops.squeeze(_shape(a[0]), dim=_opt(k, a, 1, "dim", None)),
    "flatten": lambda a, k: _ops.flatten(
        _shape(a[0]),
        start_dim=_int(_opt(k, a, 1, "start_dim", 0)),
        end_dim=_int(_opt(k, a, 2, "end_dim", -1)),
    ),
    "reshape": lambda a, k: _ops.reshape(_shape(a[0]), _dims(a[1:])),
    "view": lambda a, k: _ops.view(_shape(a[0]), _dims(a[1:])),
    "zeros": lambda a, k: _ops.zeros(*_dims(a or [k.get("size")])),
    "ones": lambda a, k: _ops.ones(*_dims(a or [k.get("size")])),
    "empty": lambda a, k: _ops.empty(*_dims(a or [k.get("size")])),
    "randn": lambda a, k: _ops.randn(*_dims(a or [k.get("size")])),
    "rand": lambda a, k: _ops.rand(*_dims(a or [k.get("size")])),
    "softmax": lambda a, k: _ops.softmax(_shape(a[0]), dim=_opt(k, a, 1, "dim", None)),
    "log_softmax": lambda a, k: _ops.log_softmax(_shape(a[0]), dim=_opt(k, a, 1, "dim", None)),
    "one_hot": lambda a, k: _ops.one_hot(
        _shape(a[0]), num_classes=_size(_opt(k, a, 1, "num_classes", -1))
    ),
    **{name: _reduce(name) for name in ("sum", "mean", "prod", "amax", "amin", "argmax", "argmin")},
}
