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
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy

from .._errors import AnnotationError, _permutation_hint
from .._runtime._locals import local_annotations
from .._source import function_node, source_file
from .._spec import (
    FieldsSpec,
    SizeSpec,
    Spec,
    TensorSpec,
    TupleSpec,
    signature_of,
)
from . import _ops
from ._shape import (
    UNKNOWN,
    MaybeShape,
    Repeated,
    ShapeConflict,
    StaticShape,
    Unknown,
    dim_symbol,
    dims_equal,
    from_spec,
    shape_mismatch,
)

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


_SAME_SHAPE_METHODS = frozenset(
    {"float", "double", "half", "long", "int", "bool", "to", "contiguous", "detach", "clone",
     "cpu", "cuda", "requires_grad_", "type_as", "abs", "exp", "log", "sigmoid", "tanh",
     "relu", "neg", "sqrt", "square", "zero_", "fill_", "normal_", "uniform_"}
)  # fmt: skip


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
                    hint = _permutation(value, wanted, what.removeprefix("local "))
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
            return tensors[0]  # a tensor and a number
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
        callee = self.resolve(node.func)
        if callee is None:
            for arg in node.args:
                self.expr(arg)
            return None
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
        if name in _SAME_SHAPE_METHODS:
            return owner
        if name == "size" and not args and not kwargs:
            dims = _ops.shape_tuple(owner)
            return dims if isinstance(dims, tuple) else None
        return self.op(name, [owner, *args], kwargs, node)

    def op(self, name: str, args: list[Value], kwargs: dict[str, Value], node: ast.Call) -> Value:
        """A torch op by name over the values of its arguments; None when it is
        not modelled or its arguments are not known well enough."""
        if name in _ops.UNARY_OPS or name in _SAME_SHAPE_METHODS:
            first = args[0] if args else None
            return first if isinstance(first, StaticShape | Unknown) else None
        if name in _ops.BINARY_OPS and len(args) >= 2:
            left, right = args[0], args[1]
            if isinstance(left, StaticShape | Unknown) and isinstance(right, StaticShape | Unknown):
                return self.check(_ops.elementwise(name, left, right), node)
            return left if isinstance(left, StaticShape | Unknown) else right
        handler = _HANDLERS.get(name)
        if handler is None:
            return None
        try:
            result = handler(args, kwargs)
        except (_Unmodelled, TypeError, ValueError, IndexError, KeyError):
            return None  # arguments the op's model does not take: unknown, silent
        if isinstance(result, Repeated | tuple) or result is None:
            return result
        return self.check(result, node)

    def user_call(self, callee: Callable[..., Any], node: ast.Call) -> Value:
        """A call of another annotated function: its dims bound afresh from the
        arguments; its return shape with them substituted."""
        try:
            signature = signature_of(inspect.unwrap(callee))
        except (AnnotationError, TypeError, ValueError):
            return None
        args, kwargs = self.arguments(node)
        params = [
            p
            for p in signature.params
            if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        ]
        bound: dict[str, Value] = dict(zip((p.name for p in params), args, strict=False))
        bound.update(kwargs)
        binding: dict[sympy.Symbol, sympy.Expr] = {}
        for param in params:
            if param.name not in bound or not isinstance(
                param.spec, TensorSpec | SizeSpec | TupleSpec
            ):
                continue
            problem = _bind(_from_spec(param.spec), bound[param.name], binding)
            if problem is not None:
                name = getattr(callee, "__qualname__", "?")
                self.report(node, f"{name}(): argument `{param.name}`: {problem}")
                return None
        result = _from_spec(signature.returns)
        return _substitute(result, binding)


_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "add",
    ast.Sub: "sub",
    ast.Mult: "mul",
    ast.Div: "div",
    ast.Pow: "pow",
}


def _permutation(value: StaticShape, wanted: MaybeShape, path: str) -> str | None:
    """The runtime's hint, when some order of `value`'s axes would match."""
    if not isinstance(wanted, StaticShape) or value.group is not None or wanted.group is not None:
        return None
    rank = len(value.dims)
    if rank != len(wanted.dims) or not 2 <= rank <= 6:
        return None
    for order in itertools.permutations(range(rank)):
        if order == tuple(range(rank)):
            continue
        moved = StaticShape(
            tuple(value.dims[i] for i in order), None, tuple(value.texts[i] for i in order)
        )
        if all(dims_equal(a, b) for a, b in zip(moved.dims, wanted.dims, strict=True)):
            return _permutation_hint(path, order)
    return None


def _statement(node: ast.expr) -> ast.stmt:
    """A statement at `node`'s line, for reports made while binding."""
    return ast.copy_location(ast.Pass(), node)


class _Unmodelled(Exception):
    """An op's arguments are not known well enough to say anything."""


_UNREADABLE = object()


def _bind(wanted: Value, got: Value, binding: dict[sympy.Symbol, sympy.Expr]) -> str | None:
    """Bind the callee's dims in `wanted` to what the caller passes; why not, if
    they provably disagree."""
    if isinstance(wanted, sympy.Expr) and isinstance(got, int | sympy.Expr):
        if isinstance(wanted, sympy.Symbol):
            known = binding.get(wanted)
            if known is None:
                binding[wanted] = sympy.sympify(got)
                return None
            return (
                None
                if sympy.simplify(known - got) == 0 or not _definite(known, got)
                else (f"`{wanted}` is {got} here but {known} before")
            )
        return None
    if isinstance(wanted, tuple) and isinstance(got, tuple) and len(wanted) == len(got):
        for want_item, got_item in zip(wanted, got, strict=True):
            problem = _bind(want_item, got_item, binding)
            if problem is not None:
                return problem
        return None
    if not isinstance(wanted, StaticShape) or not isinstance(got, StaticShape):
        return None
    if wanted.group is not None or got.group is not None:
        return None
    if len(wanted.dims) != len(got.dims):
        return f"{len(got.dims)} dims (`{got}`) where `{wanted}` has {len(wanted.dims)}"
    for index, (want, have) in enumerate(zip(wanted.dims, got.dims, strict=True)):
        if isinstance(want, sympy.Symbol) and not want.name.startswith("_"):
            known = binding.get(want)
            if known is None:
                binding[want] = have
            elif _definite(known, have):
                return (
                    f"dim {index} of `{got}` is {have}, but `{want}` is {known} from an "
                    f"earlier argument"
                )
        elif want.is_Integer and have.is_Integer and want != have:
            return f"dim {index} of `{got}` is {have}, annotated {want}"
    return None


def _definite(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Whether two caller-side dims are provably different: distinct names are
    distinct sizes, as `verify` makes them."""
    difference = sympy.simplify(sympy.sympify(a) - b)
    if difference == 0:
        return False
    free = difference.free_symbols
    return all(getattr(s, "name", "_")[:1] != "_" for s in free) and not any(
        str(s).startswith("{") for s in free
    )


def _substitute(value: Value, binding: dict[sympy.Symbol, sympy.Expr]) -> Value:
    if isinstance(value, StaticShape):
        if value.group is not None:
            return UNKNOWN
        dims = tuple(sympy.sympify(dim).xreplace(binding) for dim in value.dims)
        return StaticShape(dims)
    if isinstance(value, tuple):
        return tuple(_substitute(item, binding) for item in value)
    if isinstance(value, sympy.Expr):
        return value.xreplace(binding)
    return value


# ------------------------------------------------------------- op arguments


def _shape(value: Value) -> MaybeShape:
    if isinstance(value, StaticShape | Unknown):
        return value
    raise _Unmodelled


def _int(value: Value) -> int:
    if isinstance(value, int):
        return value
    raise _Unmodelled


def _dims(values: list[Value]) -> list[Any]:
    """A size given as ints and dims, spread (`zeros(a, b)`) or as one tuple."""
    if len(values) == 1 and isinstance(values[0], tuple | list):
        values = list(values[0])
    if all(isinstance(v, int | sympy.Expr) for v in values):
        return values
    raise _Unmodelled


def _size(value: Value) -> Any:
    if isinstance(value, int | sympy.Expr):
        return value
    raise _Unmodelled


def _opt(kwargs: dict[str, Value], args: list[Value], index: int, name: str, default: Any) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else default


def _tensors(value: Value) -> Any:
    if isinstance(value, Repeated):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, StaticShape | Unknown) for v in value):
        return list(value)
    raise _Unmodelled


def _reduce(name: str) -> Callable[[list[Value], dict[str, Value]], Any]:
    def handler(args: list[Value], kwargs: dict[str, Value]) -> Any:
        dim = _opt(kwargs, args, 1, "dim", None)
        if dim is not None and not isinstance(dim, int | tuple):
            raise _Unmodelled
        keepdim = bool(_opt(kwargs, args, 2, "keepdim", False))
        return getattr(_ops, name)(_shape(args[0]), dim=dim, keepdim=keepdim)

    return handler


_HANDLERS: dict[str, Callable[[list[Value], dict[str, Value]], Any]] = {
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
