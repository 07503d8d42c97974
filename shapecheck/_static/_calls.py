"""A call, as mypy's hooks see it -> the callee's signature and the leaves to unify.

- `function_callee` / `method_callee`: the signature a call's hook is about,
  found by the full name mypy gives the hook: a function, a method, a class
  (its `__init__`, or `__new__` where that is the more derived one) or, for a
  call of an `nn.Module` instance, its `forward`.
- `arguments`: the actual arguments of each formal, with their types.
- `leaves_of`: a formal's type and an actual's type walked side by side, one
  `Leaf` per tensor whose shape both state (through tuples, `X | None`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from mypy.argmap import map_actuals_to_formals
from mypy.nodes import (
    ARG_STAR,
    ARG_STAR2,
    ArgKind,
    CallExpr,
    Decorator,
    Expression,
    FuncDef,
    MemberExpr,
    NameExpr,
    RefExpr,
    SymbolTableNode,
    TupleExpr,
    TypeInfo,
    Var,
)
from mypy.plugin import FunctionContext, MethodContext
from mypy.types import (
    CallableType,
    Instance,
    NoneType,
    TupleType,
    Type,
    UnionType,
    get_proper_type,
)

from ._carry import Reader, has_shapes, parsed, shape_of, without_none
from ._unify import Leaf

__all__ = [
    "Callee",
    "Lookup",
    "arguments",
    "declared_type",
    "function_callee",
    "leaves_of",
    "method_callee",
    "source_of",
]

MODULE = "torch.nn.modules.module.Module"

_MAX_DEPTH = 8


class Lookup(Protocol):
    """What the callee finders need of the plugin: a symbol by its full name."""

    def lookup_fully_qualified(self, fullname: str) -> SymbolTableNode | None: ...


@dataclass(frozen=True)
class Callee:
    label: str  # as mypy names it in messages: `"f"`, `"forward" of "Model"`
    bound: CallableType  # without `self` or `cls` where the definition has one
    unbound: CallableType  # as defined
    via_call: bool  # an `nn.Module` called: the arguments go to `forward`

    def signature(self, names: list[str | None]) -> CallableType | None:
        """The signature whose formals the hook's arguments are grouped by, if either is."""
        for sig in (self.bound, self.unbound):
            if list(sig.arg_names) == names:
                return sig
        return None


def _has_shapes(sig: CallableType, read: Reader) -> bool:
    return has_shapes(sig.ret_type, read) or any(has_shapes(typ, read) for typ in sig.arg_types)


def _defined(node: object) -> tuple[CallableType, FuncDef] | None:
    func = node.func if isinstance(node, Decorator) else node
    if isinstance(func, FuncDef) and isinstance(func.type, CallableType):
        return func.type, func
    return None


def _without_first(sig: CallableType) -> CallableType | None:
    if not sig.arg_types or sig.arg_kinds[0] in (ARG_STAR, ARG_STAR2):
        return None
    return sig.copy_modified(
        arg_types=sig.arg_types[1:], arg_kinds=sig.arg_kinds[1:], arg_names=sig.arg_names[1:]
    )


def _method(node: object, label: str, read: Reader, via_call: bool = False) -> Callee | None:
    found = _defined(node)
    if found is None:
        return None
    sig, func = found
    if not _has_shapes(sig, read):
        return None
    bound = sig if func.is_static and func.name != "__new__" else _without_first(sig)
    return None if bound is None else Callee(label, bound, sig, via_call)


def _constructor(info: TypeInfo, read: Reader) -> Callee | None:
    init, new = info.get_method("__init__"), info.get_method("__new__")
    depth = {cls.fullname: i for i, cls in enumerate(info.mro)}

    def rank(node: object) -> int:
        if not isinstance(node, FuncDef | Decorator) or node.info.fullname == "builtins.object":
            return len(depth) + 1
        return depth.get(node.info.fullname, len(depth))

    chosen = init if rank(init) <= rank(new) else new
    if rank(chosen) > len(depth):
        return None
    return _method(chosen, f'"{info.name}"', read)


def function_callee(lookup: Lookup, fullname: str, read: Reader) -> Callee | None:
    """The shaped signature behind a function hook's full name: a function or a class."""
    sym = lookup.lookup_fully_qualified(fullname)
    node = sym.node if sym is not None else None
    if isinstance(node, TypeInfo):
        return _constructor(node, read)
    if not isinstance(node, FuncDef | Decorator):
        return None
    found = _defined(node)
    if found is None or not _has_shapes(found[0], read):
        return None
    return Callee(f'"{found[1].name}"', found[0], found[0], False)


def method_callee(lookup: Lookup, fullname: str, read: Reader) -> Callee | None:
    """The shaped signature behind a method hook's full name, `pkg.Class.method`."""
    owner, _, name = fullname.rpartition(".")
    if not owner:
        return None
    sym = lookup.lookup_fully_qualified(owner)
    info = sym.node if sym is not None else None
    if not isinstance(info, TypeInfo):
        return None
    node = info.get_method(name)
    if name == "__call__" and info.has_base(MODULE):
        # nn.Module's `__call__` is an attribute, `Callable[..., Any]`: a class
        # that does not define its own is called through `forward`.
        defined_by = node.info.fullname if isinstance(node, FuncDef | Decorator) else MODULE
        if defined_by == MODULE:
            forward = info.get_method("forward")
            return _method(forward, f'"forward" of "{info.name}"', read, via_call=True)
    if not isinstance(node, FuncDef | Decorator):
        return None
    return _method(node, f'"{name}" of "{info.name}"', read)


@dataclass(frozen=True)
class Actual:
    expr: Expression
    type: Type
    kind: ArgKind
    name: str | None


def arguments(
    ctx: FunctionContext | MethodContext, callee: Callee
) -> tuple[CallableType, list[list[Actual]]] | None:
    """The formals of the callee and the actuals given to each, or None if they cannot be told."""
    if not callee.via_call:
        sig = callee.signature(list(ctx.callee_arg_names))
        if sig is None or len(ctx.args) != len(sig.arg_types):
            return None
        return sig, [
            [
                Actual(expr, typ, kind, name)
                for expr, typ, kind, name in zip(
                    ctx.args[i], ctx.arg_types[i], ctx.arg_kinds[i], ctx.arg_names[i], strict=True
                )
            ]
            for i in range(len(sig.arg_types))
        ]
    call = ctx.context
    if not isinstance(call, CallExpr):
        return None
    types = {
        id(expr): typ
        for exprs, typs in zip(ctx.args, ctx.arg_types, strict=True)
        for expr, typ in zip(exprs, typs, strict=True)
    }
    if any(id(arg) not in types for arg in call.args):
        return None
    sig = callee.bound
    mapping = map_actuals_to_formals(
        call.arg_kinds,
        call.arg_names,
        sig.arg_kinds,
        sig.arg_names,
        lambda i: types[id(call.args[i])],
    )
    return sig, [
        [
            Actual(call.args[i], types[id(call.args[i])], call.arg_kinds[i], call.arg_names[i])
            for i in actuals
        ]
        for actuals in mapping
    ]


def source_of(expr: Expression) -> str | None:
    """How an argument is written, when it is a name or an attribute chain: `h`, `self.h`."""
    if isinstance(expr, NameExpr):
        return expr.name
    if isinstance(expr, MemberExpr):
        base = source_of(expr.expr)
        return None if base is None else f"{base}.{expr.name}"
    return None


def declared_type(expr: Expression, value: Type) -> Type | None:
    """The annotation of the variable an argument names, when the argument's type `value` is
    that annotation's own (not narrowed to another value by an assignment)."""
    if isinstance(expr, RefExpr) and isinstance(expr.node, Var):
        var = expr.node
        if var.type is not None and not var.is_inferred and _holds(var.type, value):
            return var.type
    return None


def _holds(declared: Type, value: Type) -> bool:
    """Whether `value` is `declared` itself, or one of its union items (an Optional narrowed)."""
    d, v = get_proper_type(declared), get_proper_type(value)
    if d is v:
        return True
    return isinstance(d, UnionType) and any(get_proper_type(item) is v for item in d.items)


def leaves_of(
    formal: Type,
    actual: Type,
    expr: Expression | None,
    path: str,
    source: str,
    out: list[Leaf],
    read: tuple[Reader, Reader] = (shape_of, shape_of),
    depth: int = 0,
) -> None:
    """Append to `out` a leaf for each tensor that the formal and the actual both shape;
    `read`: how shapes are read off the formal's type and off the actual's."""
    if depth > _MAX_DEPTH:
        return
    p = get_proper_type(formal)
    a = without_none(get_proper_type(actual))
    if isinstance(p, UnionType):
        items = [item for item in p.items if not isinstance(get_proper_type(item), NoneType)]
        shaped = [item for item in items if has_shapes(item, read[0])]
        if len(shaped) == 1:
            leaves_of(shaped[0], a, expr, path, source, out, read, depth + 1)
        return
    if isinstance(p, Instance):
        expected, given = read[0](p), read[1](a)
        if expected is None or given is None or not isinstance(a, Instance):
            return
        callee_shape, caller_shape = parsed(expected), parsed(given)
        if callee_shape is not None and caller_shape is not None:
            out.append(Leaf(callee_shape, caller_shape, path, source))
        return
    if isinstance(p, TupleType) and isinstance(a, TupleType) and len(p.items) == len(a.items):
        exprs = expr.items if isinstance(expr, TupleExpr) else None
        if exprs is not None and len(exprs) != len(p.items):
            exprs = None
        for i, (p_item, a_item) in enumerate(zip(p.items, a.items, strict=True)):
            item_expr = exprs[i] if exprs is not None else None
            item_source = (source_of(item_expr) if item_expr is not None else None) or (
                f"{source}[{i}]"
            )
            item_path = f"{path}[{i}]"
            leaves_of(p_item, a_item, item_expr, item_path, item_source, out, read, depth + 1)
