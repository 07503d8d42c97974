"""Shapes followed through a function's body, with no data and no run.

The function is imported (as `verify` imports it), so its annotations are the
parsed specs every tool reads and every name in its body resolves through its
own globals: `torch.cat` is torch's `cat`, whatever the module calls it. The
body is read from its source (`_source`) and walked once, statement by
statement, with what is known of each local:

- a tensor's `StaticShape` (its parameters' from their annotations; each
  named dim a symbol, so `batch` and `hiddens` are different sizes);
- an int that is a dim (`batch_size: Annotated[int, Size("batch")]`,
  `x.shape[0]`), a tuple of such, or a list built by appending once per step
  of a loop (`Repeated`: `steps` items after `for X in inputs`).

Each expression goes through the op it calls (`_ops`); a call of another
annotated function is unified with its parameters, its dims fresh per call.
An annotated local, an assignment to one, and each `return` are compared with
their annotations. Whatever is not modelled is unknown and silent: only a
provable conflict is reported.
"""

from __future__ import annotations

import ast
import builtins
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy

from .._errors import AnnotationError
from .._naming import dim_of_size_name
from .._runtime._locals import local_annotations
from .._source import function_node, source_file
from .._spec import (
    FieldsSpec,
    OtherSpec,
    Signature,
    SizeSpec,
    Spec,
    TensorSpec,
    TupleSpec,
    parse_shape,
    signature_of,
)
from . import _ops
from ._dispatch import HANDLERS, SAME_SHAPE_METHODS, Unmodelled
from ._self import Layer, SelfValue, init_of, owner_class, seeded_dims, stored_params
from ._shape import (
    UNKNOWN,
    MaybeShape,
    Repeated,
    ShapeConflict,
    StaticShape,
    Unknown,
    dim_symbol,
    from_spec,
    is_known,
    permutation_hint,
    shape_mismatch,
    sym_dim,
    to_spec,
)
from ._unify import Call, Leaf

__all__ = ["Finding", "check_function"]


@dataclass(frozen=True)
class Finding:
    """A provable shape error in a body: where, and why."""

    file: str
    line: int
    function: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.function}: {self.message}"


# What a local can hold, as far as the walk knows.
Value = Any  # MaybeShape | sympy.Expr | int | tuple[Value, ...] | Repeated | list | Fields | None


@dataclass(frozen=True)
class _Fields:
    """A NamedTuple or dataclass value whose fields have specs."""

    fields: dict[str, Value]


def check_function(fn: Callable[..., Any], localns: dict[str, Any] | None = None) -> list[Finding]:
    """Every provable shape error in the body of `fn`; [] when its source or
    annotations cannot be read."""
    try:
        signature = signature_of(fn, localns)
        node, offset = function_node(fn)
        located = local_annotations(fn, localns)
    except (AnnotationError, OSError, TypeError, SyntaxError):
        return []
    walk = _Walk(fn, offset, {s.name: s.spec for s in (located[2].values() if located else ())})
    for param in signature.params:
        walk.env[param.name] = _from_spec(param.spec)
    walk.returns = signature.returns
    _name_sizes(walk, signature)
    me = _self_of(fn)
    if me is not None and node.args.args:
        walk.env[node.args.args[0].arg] = me
    walk.block(node.body)
    return walk.findings


def _shown(file: str) -> str:
    """A file as findings show it: relative to the current folder when below it."""
    path = Path(file).resolve()
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _from_spec(spec: Spec | None) -> Value:
    if isinstance(spec, TensorSpec):
        return from_spec(spec.shape) if spec.shape is not None else UNKNOWN
    if isinstance(spec, SizeSpec):
        return dim_symbol(spec.name)
    if isinstance(spec, TupleSpec):
        return tuple(_from_spec(item) for item in spec.items)
    if isinstance(spec, FieldsSpec):
        return _Fields({name: _from_spec(field) for name, field in spec.fields})
    return None


class _Walk:
    def __init__(self, fn: Callable[..., Any], offset: int, locals_: dict[str, Spec]) -> None:
        self.fn = fn
        self.offset = offset
        self.locals = locals_  # annotated locals: their specs
        self.env: dict[str, Value] = {}
        self.returns: Spec | None = None
        self.findings: list[Finding] = []
        self.file = _shown(source_file(fn) or fn.__code__.co_filename)
        self.name = fn.__qualname__

    # -------------------------------------------------------------- statements

    def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.statement(stmt)

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign):
            value = self.expr(stmt.value)
            for target in stmt.targets:
                self.bind(target, value, stmt)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.bind(stmt.target, self.expr(stmt.value), stmt)
        elif isinstance(stmt, ast.AugAssign):
            if isinstance(stmt.target, ast.Name):
                left = self.env.get(stmt.target.id)
                self.bind(stmt.target, self.binop(stmt.op, left, self.expr(stmt.value), stmt), stmt)
        elif isinstance(stmt, ast.Return):
            if stmt.value is not None and self.returns is not None:
                self.expect(self.expr(stmt.value), self.returns, "return", stmt)
        elif isinstance(stmt, ast.For):
            self.loop(stmt)
        elif isinstance(stmt, ast.Expr):
            self.expr(stmt.value)
        elif isinstance(stmt, ast.If | ast.While):
            self.expr(stmt.test)
            self.block(stmt.body)
            self.block(stmt.orelse)
        elif isinstance(stmt, ast.With):
            self.block(stmt.body)
        elif isinstance(stmt, ast.Try):
            self.block(stmt.body)
            for handler in stmt.handlers:
                self.block(handler.body)
            self.block(stmt.orelse)
            self.block(stmt.finalbody)

    def loop(self, stmt: ast.For) -> None:
        """`for X in inputs`: X is an item of `inputs`; a list that was empty
        before the loop and gets one `append` per step holds one item a step."""
        source = self.expr(stmt.iter)
        count: sympy.Expr | None = None
        if isinstance(source, StaticShape) and source.group is None and source.dims:
            count = source.dims[0]
            self.bind(stmt.target, self.check(_ops.iterate(source), stmt), stmt)
        elif isinstance(source, Repeated):
            count = source.count
            self.bind(stmt.target, source.item, stmt)
        else:
            self.bind(stmt.target, None, stmt)
        empty = {name for name, value in self.env.items() if isinstance(value, list) and not value}
        self.block(stmt.body)
        for name in empty:
            items = self.env.get(name)
            if isinstance(items, list) and len(items) == 1 and count is not None:
                self.env[name] = Repeated(items[0], count)  # one append per step
            elif isinstance(items, list) and items:
                self.env[name] = None  # appended more than once a step: not modelled
        self.block(stmt.orelse)

    def bind(self, target: ast.expr, value: Value, stmt: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            spec = self.locals.get(target.id)
            if spec is not None:
                self.expect(value, spec, f"local {target.id}", stmt)
                value = _from_spec(spec)  # the annotation is what the rest relies on
            self.env[target.id] = value
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            owner = self.env.get(target.value.id)
            if isinstance(owner, SelfValue):
                if value is not None or target.attr not in owner.attributes:  # seeds stay
                    owner.attributes[target.attr] = value
        elif isinstance(target, ast.Tuple | ast.List):
            if isinstance(value, _Fields):  # a NamedTuple unpacked: its fields in order
                value = tuple(value.fields.values())
            items = value if isinstance(value, tuple) else None
            if items is not None and len(items) != len(target.elts):
                items = None
            for index, element in enumerate(target.elts):
                self.bind(element, items[index] if items is not None else None, stmt)

    def expect(self, value: Value, spec: Spec, what: str, stmt: ast.stmt) -> None:
        """Report where `value` provably is not what `spec` says."""
        if isinstance(spec, TensorSpec) and spec.shape is not None:
            if isinstance(value, StaticShape):
                wanted = from_spec(spec.shape)
                why = shape_mismatch(value, wanted)
                if why is not None:
                    hint = permutation_hint(value, wanted, what.removeprefix("local "))
                    said = f"{what} is `{value}`, annotated `{wanted}`: {why}"
                    self.report(stmt, f"{said}; {hint}" if hint else said)
        elif isinstance(spec, TupleSpec) and isinstance(value, tuple):
            if len(value) == len(spec.items):
                for index, (item, item_spec) in enumerate(zip(value, spec.items, strict=True)):
                    self.expect(item, item_spec, f"{what}[{index}]", stmt)

    def report(self, node: ast.stmt | ast.expr, message: str) -> None:
        finding = Finding(self.file, node.lineno + self.offset, self.name, message)
        if finding not in self.findings:
            self.findings.append(finding)

    def check(self, result: Any, node: ast.stmt | ast.expr) -> Value:
        """The result of an op, or None after reporting its conflict."""
        if isinstance(result, ShapeConflict):
            self.report(node, result.message)
            return None
        return result

    # ------------------------------------------------------------- expressions

    def expr(self, node: ast.expr) -> Value:
        if isinstance(node, ast.Name):
            return self.env.get(node.id)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, float | complex):
                return NUMBER
            return (
                node.value
                if isinstance(node.value, int) and not isinstance(node.value, bool)
                else None
            )
        if isinstance(node, ast.Tuple):
            return tuple(self.expr(element) for element in node.elts)
        if isinstance(node, ast.List):
            return [self.expr(element) for element in node.elts]
        if isinstance(node, ast.BinOp):
            return self.binop(node.op, self.expr(node.left), self.expr(node.right), node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            value = self.expr(node.operand)
            return -value if isinstance(value, int | sympy.Expr) else value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
            return self.expr(node.operand)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.ListComp):
            return self.comprehension(node)
        return None

    def comprehension(self, node: ast.ListComp) -> Value:
        """`[f(X) for X in inputs]`: one item a step of the first axis."""
        if len(node.generators) != 1 or node.generators[0].ifs:
            return None
        loop = node.generators[0]
        source = self.expr(loop.iter)
        if not (isinstance(source, StaticShape) and source.group is None and source.dims):
            return None
        saved = dict(self.env)
        self.bind(loop.target, self.check(_ops.iterate(source), node), _statement(node))
        item = self.expr(node.elt)
        self.env = saved
        if isinstance(item, StaticShape | Unknown):
            return Repeated(item, source.dims[0])
        return None

    def binop(self, op: ast.operator, left: Value, right: Value, node: ast.AST) -> Value:
        tensors = [v for v in (left, right) if isinstance(v, StaticShape | Unknown)]
        at = node if isinstance(node, ast.stmt | ast.expr) else None
        if isinstance(op, ast.MatMult):
            if isinstance(left, StaticShape | Unknown) and isinstance(right, StaticShape | Unknown):
                return self.check(_ops.matmul(left, right), at) if at else UNKNOWN
            return UNKNOWN
        if tensors:
            if len(tensors) == 2 and isinstance(
                op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow
            ):
                result = _ops.elementwise(_OPERATORS[type(op)], left, right)
                return self.check(result, at) if at else UNKNOWN
            other = right if tensors[0] is left else left
            if other is NUMBER or isinstance(other, int | sympy.Expr):
                return tensors[0]  # a tensor and a number
            return UNKNOWN  # a tensor and what may be another tensor
        if NUMBER in (left, right) and all(_numeric(v) for v in (left, right)):
            return NUMBER
        if isinstance(left, int | sympy.Expr) and isinstance(right, int | sympy.Expr):
            if isinstance(op, ast.Mult):
                return left * right
            if isinstance(op, ast.Add):
                return left + right
            if isinstance(op, ast.Sub):
                return left - right
            if isinstance(op, ast.FloorDiv):
                return sympy.floor(sympy.sympify(left) / right)
        if isinstance(left, list) and isinstance(right, list) and isinstance(op, ast.Add):
            return left + right
        return None

    def attribute(self, node: ast.Attribute) -> Value:
        owner = self.expr(node.value)
        if isinstance(owner, StaticShape | Unknown):
            if node.attr == "T":
                return self.check(_ops.T(owner), node)
            if node.attr == "mT":
                return self.check(_ops.mT(owner), node)
            if node.attr == "shape":
                dims = _ops.shape_tuple(owner)
                return dims if isinstance(dims, tuple) else None
            return None
        if isinstance(owner, _Fields):
            return owner.fields.get(node.attr)
        if isinstance(owner, SelfValue):
            return owner.attributes.get(node.attr)
        return None

    def subscript(self, node: ast.Subscript) -> Value:
        owner = self.expr(node.value)
        key = self.index_key(node.slice)
        if isinstance(owner, tuple) and isinstance(key, int):
            return owner[key] if -len(owner) <= key < len(owner) else None
        if isinstance(owner, StaticShape | Unknown) and key is not _UNREADABLE:
            return self.check(_ops.index(owner, key), node)
        return None

    def index_key(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Tuple):
            items = tuple(self.index_key(element) for element in node.elts)
            return _UNREADABLE if _UNREADABLE in items else items
        if isinstance(node, ast.Slice):
            parts = [
                self.expr(p) if p is not None else None for p in (node.lower, node.upper, node.step)
            ]
            if any(p is not None and not isinstance(p, int) for p in parts):
                return _UNREADABLE
            return slice(*parts)
        if isinstance(node, ast.Constant) and node.value is None:
            return None
        if isinstance(node, ast.Constant) and node.value is Ellipsis:
            return Ellipsis
        value = self.expr(node)
        return value if isinstance(value, int) else _UNREADABLE

    # ------------------------------------------------------------------- calls

    def call(self, node: ast.Call) -> Value:
        if isinstance(node.func, ast.Attribute):
            owner = self.expr(node.func.value)
            if isinstance(owner, StaticShape | Unknown):
                return self.method(owner, node.func.attr, node)
            if isinstance(owner, list) and node.func.attr == "append" and node.args:
                owner.append(self.expr(node.args[0]))
                return None
            if isinstance(owner, SelfValue):
                return self.self_call(owner, node.func.attr, node)
        if isinstance(node.func, ast.Name) and isinstance(self.env.get(node.func.id), Layer):
            return self.layer_call(self.env[node.func.id], node)
        callee = self.resolve(node.func)
        if callee is None:
            self.arguments(node)
            return None
        if _is_module_class(callee):
            args, kwargs = self.arguments(node)
            args = [_literal(a, v) for a, v in zip(node.args, args, strict=True)]
            kwargs = {k.arg: _literal(k.value, kwargs[k.arg]) for k in node.keywords if k.arg}
            return Layer(callee, _options(callee, args, kwargs))
        if _is_parameter(callee) and node.args:
            return self.expr(node.args[0])
        if getattr(callee, "__module__", None) == "math" or callee is float:
            self.arguments(node)
            return NUMBER
        module = getattr(callee, "__module__", "") or ""
        name = getattr(callee, "__name__", "")
        if module.startswith("torch") or getattr(callee, "__self__", None) is not None and name:
            if module.startswith("torch") or module == "":
                return self.torch_call(name, node)
        if inspect.isfunction(callee) and callee is not self.fn:
            return self.user_call(callee, node)
        if callee in (builtins.len,) and node.args:
            value = self.expr(node.args[0])
            if isinstance(value, StaticShape) and value.group is None and value.dims:
                return value.dims[0]
        return None

    def resolve(self, node: ast.expr) -> Any:
        """The object a dotted name in the body refers to, through the function's globals."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.insert(0, node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id in self.env:
            return None
        scope = self.fn.__globals__
        if node.id in scope:
            found = scope[node.id]
        elif hasattr(builtins, node.id):
            found = getattr(builtins, node.id)
        else:
            return None
        for part in parts:
            found = getattr(found, part, None)
            if found is None:
                return None
        return found

    def arguments(self, node: ast.Call) -> tuple[list[Value], dict[str, Value]]:
        args = [self.expr(arg) for arg in node.args]
        kwargs = {k.arg: self.expr(k.value) for k in node.keywords if k.arg is not None}
        return args, kwargs

    def torch_call(self, name: str, node: ast.Call) -> Value:
        args, kwargs = self.arguments(node)
        return self.op(name, args, kwargs, node)

    def method(self, owner: MaybeShape, name: str, node: ast.Call) -> Value:
        args, kwargs = self.arguments(node)
        if name in SAME_SHAPE_METHODS:
            return owner
        if name == "item" and not args and not kwargs:
            return NUMBER
        if name == "size" and not args and not kwargs:
            dims = _ops.shape_tuple(owner)
            return dims if isinstance(dims, tuple) else None
        return self.op(name, [owner, *args], kwargs, node)

    def op(self, name: str, args: list[Value], kwargs: dict[str, Value], node: ast.Call) -> Value:
        """A torch op by name over the values of its arguments; None when it is
        not modelled or its arguments are not known well enough."""
        if name in _ops.UNARY_OPS or name in SAME_SHAPE_METHODS:
            first = args[0] if args else None
            return first if isinstance(first, StaticShape | Unknown) else None
        if name in _ops.BINARY_OPS and len(args) >= 2:
            left, right = args[0], args[1]
            if isinstance(left, StaticShape | Unknown) and isinstance(right, StaticShape | Unknown):
                return self.check(_ops.elementwise(name, left, right), node)
            return left if isinstance(left, StaticShape | Unknown) else right
        handler = HANDLERS.get(name)
        if handler is None:
            return None
        try:
            result = handler(args, kwargs)
        except (Unmodelled, TypeError, ValueError, IndexError, KeyError):
            return None  # arguments the op's model does not take: unknown, silent
        if isinstance(result, Repeated | tuple) or result is None:
            return result
        return self.check(result, node)

    def self_call(self, me: SelfValue, name: str, node: ast.Call) -> Value:
        """`self.layer(x)` or `self.method(x)` in a method."""
        held = me.attributes.get(name)
        if isinstance(held, Layer):
            return self.layer_call(held, node)
        method = inspect.getattr_static(me.cls, name, None)
        bound = inspect.isfunction(method)
        if isinstance(method, staticmethod):
            method = method.__func__
        if not inspect.isfunction(method) or inspect.unwrap(method) is self.fn:
            self.arguments(node)
            return None
        return self.user_call(method, node, bound=bound)

    def layer_call(self, layer: Layer, node: ast.Call) -> Value:
        """A call of a module built in `__init__`: a torch layer's model
        (`_ops.call_layer`), or the annotated `forward` of the user's module."""
        if not layer.from_torch:
            forward = inspect.getattr_static(layer.cls, "forward", None)
            if inspect.isfunction(forward):
                return self.user_call(forward, node, bound=True)
            self.arguments(node)
            return None
        args, kwargs = self.arguments(node)
        result = _ops.call_layer(layer.kind, layer.options, args)
        return self.check(result, node) if isinstance(result, ShapeConflict) else result

    def user_call(self, callee: Callable[..., Any], node: ast.Call, bound: bool = False) -> Value:
        """A call of another annotated function, unified as the mypy plugin
        unifies one (`_unify`): its dims fresh per call, bound from the
        arguments; its return shape in the caller's dims. `bound`: a method
        called on an instance, its first parameter already given."""
        try:
            signature = signature_of(inspect.unwrap(callee))
        except (AnnotationError, TypeError, ValueError):
            return None
        args, kwargs = self.arguments(node)
        params = [
            p
            for p in signature.params[1 if bound else 0 :]
            if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        ]
        written = [*node.args, *(k.value for k in node.keywords if k.arg is not None)]
        given = [*args, *kwargs.values()]
        names = [*(p.name for p in params[: len(args)]), *kwargs]
        values = dict(zip(names, zip(given, written, strict=True), strict=False))
        leaves: list[Leaf] = []
        for param in params:
            if param.name in values:
                value, expr = values[param.name]
                _leaves(param.spec, value, param.name, ast.unparse(expr), leaves)
        call = Call()
        mismatch = call.unify(leaves)
        if mismatch is not None:
            name = getattr(callee, "__qualname__", "?")
            self.report(node, mismatch.message(f'"{name}"'))
            return None
        return _returned(signature.returns, call)


_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "add",
    ast.Sub: "sub",
    ast.Mult: "mul",
    ast.Div: "div",
    ast.Pow: "pow",
}


def _statement(node: ast.expr) -> ast.stmt:
    """A statement at `node`'s line, for reports made while binding."""
    return ast.copy_location(ast.Pass(), node)


def _name_sizes(walk: _Walk, signature: Signature) -> None:
    """A plain `int` parameter whose name reads as one of the function's own
    dims (`batch_size` as `batch` where an annotation says `batch`) is that dim."""
    values = [walk.env[p.name] for p in signature.params]
    values += [_from_spec(signature.returns), *(_from_spec(spec) for spec in walk.locals.values())]
    dims = _dim_names(values)
    for param in signature.params:
        if isinstance(param.spec, OtherSpec) and param.spec.hint is int:
            dim = dim_of_size_name(param.name, dims)
            if dim is not None:
                walk.env[param.name] = dim_symbol(dim)


def _dim_names(values: list[Value]) -> set[str]:
    """The names of the dims in what annotations say."""
    names: set[str] = set()
    for value in values:
        if isinstance(value, StaticShape):
            for dim in value.dims:
                names |= {s.name for s in dim.free_symbols if is_known(s)}
        elif isinstance(value, tuple):
            names |= _dim_names(list(value))
        elif isinstance(value, _Fields):
            names |= _dim_names(list(value.fields.values()))
        elif isinstance(value, sympy.Symbol) and is_known(value):
            names.add(value.name)
    return names


def _is_module_class(callee: Any) -> bool:
    """Whether `callee` is a subclass of `torch.nn.Module` (torch's or the user's)."""
    if not isinstance(callee, type):
        return False
    return any(
        k.__name__ == "Module" and k.__module__ == "torch.nn.modules.module" for k in callee.__mro__
    )


def _is_parameter(callee: Any) -> bool:
    """Whether `callee` is `nn.Parameter`, which holds the shape of its tensor."""
    return isinstance(callee, type) and (callee.__module__, callee.__name__) == (
        "torch.nn.parameter",
        "Parameter",
    )


def _literal(node: ast.expr, value: Value) -> Value:
    """A constructor argument: a literal bool, float or str as written, else its value."""
    if isinstance(node, ast.Constant) and isinstance(node.value, bool | float | str):
        return node.value
    return value


# The constructor parameters of torch's recurrent layers, which take `*args, **kwargs`.
_RECURRENT_PARAMS = {
    "RNN": ("input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first",
            "dropout", "bidirectional"),
    "GRU": ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
            "bidirectional"),
    "LSTM": ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
             "bidirectional", "proj_size"),
}  # fmt: skip


def _options(cls: type, args: list[Value], kwargs: dict[str, Value]) -> dict[str, Value]:
    """A layer's constructor arguments, by the constructor's parameter names."""
    names = _RECURRENT_PARAMS.get(cls.__name__) if cls.__module__.startswith("torch.") else None
    if names is not None:
        return {**dict(zip(names, args, strict=False)), **kwargs}
    try:
        return dict(inspect.signature(cls).bind_partial(*args, **kwargs).arguments)
    except (TypeError, ValueError):
        return {}


_instances: dict[type, SelfValue] = {}


def _self_of(fn: Callable[..., Any]) -> SelfValue | None:
    """What `fn`'s first parameter is when `fn` is a plain method: `self`, with
    what its class's `__init__` sets; None for a function, a static or a class method."""
    cls = owner_class(fn)
    if cls is None or not inspect.isfunction(inspect.getattr_static(cls, fn.__name__, None)):
        return None
    if cls not in _instances:
        _instances[cls] = SelfValue(cls)  # a guard while `__init__` is walked
        _instances[cls] = _instance(cls)
    return _instances[cls].copy()


def _instance(cls: type) -> SelfValue:
    """`self` after its class's `__init__`, walked as a body; its findings are
    `__init__`'s own, reported when it is checked itself, so dropped here."""
    seeds = seeded_dims(cls)
    me = SelfValue(cls, dict(seeds))
    init = init_of(cls)
    if init is None:
        return me
    try:
        signature = signature_of(init)
        node, offset = function_node(init)
    except (AnnotationError, OSError, TypeError, SyntaxError):
        return me
    walk = _Walk(init, offset, {})
    for param in signature.params:
        walk.env[param.name] = _from_spec(param.spec)
    for attribute, param_name in stored_params(node).items():
        if attribute in seeds and walk.env.get(param_name) is None:
            walk.env[param_name] = seeds[attribute]
    if node.args.args:
        walk.env[node.args.args[0].arg] = me
    walk.block(node.body)
    return me


def _leaves(spec: Spec | None, value: Value, path: str, source: str, out: list[Leaf]) -> None:
    """A leaf for each tensor or size of a parameter whose shape the caller knows."""
    if isinstance(spec, TensorSpec) and spec.shape is not None:
        caller = to_spec(value) if isinstance(value, StaticShape) else None
        if caller is not None:
            out.append(Leaf(spec.shape, caller, path, source))
    elif isinstance(spec, SizeSpec) and isinstance(value, int | sympy.Expr):
        caller = to_spec(StaticShape.of(value))
        if caller is not None:
            out.append(Leaf(parse_shape(spec.name), caller, path, source, scalar=True))
    elif isinstance(spec, TupleSpec) and isinstance(value, tuple):
        for index, (item, item_value) in enumerate(zip(spec.items, value, strict=False)):
            _leaves(item, item_value, f"{path}[{index}]", f"{source}[{index}]", out)


def _returned(spec: Spec | None, call: Call) -> Value:
    """What a call returns: the callee's return spec in the caller's dims."""
    if isinstance(spec, TensorSpec):
        text = call.substitute(spec.shape) if spec.shape is not None else None
        return UNKNOWN if text is None else from_spec(parse_shape(text))
    if isinstance(spec, SizeSpec):
        text = call.substitute(parse_shape(spec.name))
        return None if text is None or text == "_" else sym_dim(text)
    if isinstance(spec, TupleSpec):
        return tuple(_returned(item, call) for item in spec.items)
    if isinstance(spec, FieldsSpec):
        return _Fields({name: _returned(field, call) for name, field in spec.fields})
    return None


_UNREADABLE = object()


class _Number:
    """A Python number whose value the walk does not follow (`0.5`,
    `math.sqrt(d)`): what it scales keeps its shape."""

    def __repr__(self) -> str:
        return "NUMBER"


NUMBER = _Number()


def _numeric(value: Value) -> bool:
    return value is NUMBER or (isinstance(value, int | sympy.Expr) and not isinstance(value, bool))
