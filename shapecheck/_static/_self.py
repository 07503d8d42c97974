"""What a method's body knows of `self`: the attributes its class's `__init__`
sets, as far as the walk can follow them, and the layers among them.

- `self.linear = nn.Linear(hiddens, vocab)` is a `Layer`: its class and the
  constructor arguments the walk could read, by the constructor's names;
- `self.W = nn.Parameter(torch.randn(hiddens, vocab))` is that tensor's shape;
- `self.cell = Cell(...)`, a module of the user's, is a `Layer` whose call
  goes to its annotated `forward`;
- a dim named by the class's `__shapecheck_dims__` (`{"hiddens":
  self.num_hiddens}`) is that symbol, in `self.num_hiddens` and in the
  `__init__` parameter stored there (`self.num_hiddens = num_hiddens`).

Nothing here runs the class: `__init__` is read from its source and walked as
any body is (`_bodies`).
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy

from .._source import function_node
from ._shape import dim_symbol

__all__ = ["Layer", "SelfValue", "init_of", "owner_class", "seeded_dims", "stored_params"]


@dataclass(frozen=True)
class Layer:
    """An `nn.Module` built in `__init__`: its class and readable arguments."""

    cls: type
    options: dict[str, Any]

    @property
    def kind(self) -> str:
        return self.cls.__name__

    @property
    def from_torch(self) -> bool:
        return (self.cls.__module__ or "").startswith("torch.")


@dataclass
class SelfValue:
    """`self` in a method: its class, and what is known of its attributes."""

    cls: type
    attributes: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> SelfValue:
        return SelfValue(self.cls, dict(self.attributes))


def owner_class(fn: Callable[..., Any]) -> type | None:
    """The class a method is defined in, found from its qualified name through
    its module's globals; None for a function, or one defined in a function."""
    parts = fn.__qualname__.split(".")
    if len(parts) < 2 or "<locals>" in parts:
        return None
    found: Any = fn.__globals__.get(parts[0])
    for part in parts[1:-1]:
        found = getattr(found, part, None)
    return found if isinstance(found, type) else None


def init_of(cls: type) -> Callable[..., Any] | None:
    """The class's own Python `__init__` (its nearest, not torch's), unwrapped."""
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        init = inspect.unwrap(init)
        module = getattr(init, "__module__", "") or ""
        if not inspect.isfunction(init) or module.startswith("torch") or klass is object:
            return None
        return init
    return None


def seeded_dims(cls: type) -> dict[str, sympy.Expr]:
    """`self.ATTR` -> its dim, from `__shapecheck_dims__` returning a dict display
    whose values are plain attributes of `self` (`{"vocab": self.vocab_size}`)."""
    method = cls.__dict__.get("__shapecheck_dims__") or getattr(cls, "__shapecheck_dims__", None)
    if not inspect.isfunction(method):
        return {}
    try:
        node, _ = function_node(method)
    except (OSError, TypeError, SyntaxError):
        return {}
    me = node.args.args[0].arg if node.args.args else "self"
    seeds: dict[str, sympy.Expr] = {}
    for stmt in ast.walk(node):
        if not isinstance(stmt, ast.Return) or not isinstance(stmt.value, ast.Dict):
            continue
        for key, value in zip(stmt.value.keys, stmt.value.values, strict=True):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                continue
            attribute = _attribute_of(value, me)
            if attribute is not None and key.value.isidentifier():
                seeds[attribute] = dim_symbol(key.value)
    return seeds


def stored_params(init: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, str]:
    """`self.ATTR = param` in `__init__` (tuple assignments included): ATTR -> param."""
    me = init.args.args[0].arg if init.args.args else "self"
    params = {a.arg for a in (*init.args.args[1:], *init.args.kwonlyargs)}
    stored: dict[str, str] = {}
    for stmt in ast.walk(init):
        if not isinstance(stmt, ast.Assign):
            continue
        for target in stmt.targets:
            pairs = [(target, stmt.value)]
            if isinstance(target, ast.Tuple) and isinstance(stmt.value, ast.Tuple):
                if len(target.elts) == len(stmt.value.elts):
                    pairs = list(zip(target.elts, stmt.value.elts, strict=True))
            for left, right in pairs:
                attribute = _attribute_of(left, me)
                if attribute is not None and isinstance(right, ast.Name) and right.id in params:
                    stored[attribute] = right.id
    return stored


def _attribute_of(node: ast.expr, me: str) -> str | None:
    """`ATTR` for `self.ATTR`; None for anything else."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.attr if node.value.id == me else None
    return None
