"""Spec -> Python source: a checker generated once per signature.

The generated code answers one question, fast: does this value match? It
binds dims in the call's `Memo.single` dict exactly as `_values.check_value`
does, but keeps no record of where a dim was bound and builds no message.
When it says no, the caller re-runs the slow, explaining checker, which
raises the error. Whatever the generated code cannot express inline (unions,
lists, variadic groups, f-string dims) it hands to `check_value`.
"""

from __future__ import annotations

import ast
import copy
import inspect
import itertools
import re
from collections.abc import Callable
from typing import Any

import torch

from .._spec import (
    Anonymous,
    FieldsSpec,
    Fixed,
    MappingSpec,
    Named,
    OpaqueSpec,
    OtherSpec,
    SequenceSpec,
    SizeSpec,
    Spec,
    Symbolic,
    TensorSpec,
    TupleSpec,
    UnionSpec,
    Variadic,
)
from ._engine import opaque_matches
from ._failures import dtype_name
from ._values import Memo, check_value, other_matches

__all__ = ["Emitter", "compile_value_checker", "dtypes_of"]

_ALL_DTYPES = tuple({value for value in vars(torch).values() if isinstance(value, torch.dtype)})


def dtypes_of(spec: TensorSpec) -> frozenset[torch.dtype] | None:
    """The torch dtypes a spec accepts, matched by name as the engine matches them."""
    if spec.dtypes is None:
        return None
    accepted = set()
    for dtype in _ALL_DTYPES:
        name = dtype_name(dtype)
        for wanted in spec.dtypes:
            if (wanted == name) if isinstance(wanted, str) else bool(wanted.match(name)):
                accepted.add(dtype)
    return frozenset(accepted)


class Emitter:
    """Collects the lines and constants of one generated function."""

    def __init__(self, fail: str, same_device: bool = False) -> None:
        self.fail = fail  # the statement that ends the check with a "no"
        self.same_device = same_device  # every tensor on the device of the first, `_sc_dev`
        self.lines: list[str] = []
        # Static mode (`static` not None): dims live in local variables, one
        # per name, not in the `_sc_d` dict. For straight-line checks only:
        # the generator turns it on where no check is conditional or looped.
        self.static: dict[str, str] | None = None
        self.static_binds = True  # False once the body has run
        self.namespace: dict[str, Any] = {
            "_sc_Tensor": torch.Tensor,
            "_sc_walk": _walk,
            "_sc_union": _union,
            "_sc_opaque": _opaque,
            "_sc_other": other_matches,
        }
        self._names = itertools.count()

    def const(self, value: Any, hint: str = "c") -> str:
        name = f"_sc_{hint}{next(self._names)}"
        self.namespace[name] = value
        return name

    def tmp(self, hint: str = "t") -> str:
        return f"_sc_{hint}{next(self._names)}"

    def line(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    def check(self, indent: int, condition: str) -> None:
        self.line(indent, f"if {condition}:")
        self.line(indent + 1, self.fail)

    def value(self, spec: Spec, var: str, indent: int) -> None:
        """Lines that fail unless `var` matches `spec`; dims go to `_sc_d`."""
        if isinstance(spec, TensorSpec):
            self._tensor(spec, var, indent)
        elif isinstance(spec, SizeSpec):
            self.check(indent, f"not isinstance({var}, int) or isinstance({var}, bool)")
            self._named(spec.name, var, False, indent)
        elif isinstance(spec, TupleSpec):
            self.check(indent, f"not isinstance({var}, tuple) or len({var}) != {len(spec.items)}")
            for index, item in enumerate(spec.items):
                if isinstance(item, OtherSpec):
                    continue
                item_var = self.tmp("v")
                self.line(indent, f"{item_var} = {var}[{index}]")
                self.value(item, item_var, indent)
        elif isinstance(spec, FieldsSpec):
            self.check(indent, f"not isinstance({var}, {self.const(spec.cls, 'cls')})")
            for name, field in spec.fields:
                if isinstance(field, OtherSpec):
                    continue
                field_var = self.tmp("v")
                self.line(indent, f"{field_var} = {var}.{name}")
                self.value(field, field_var, indent)
        elif isinstance(spec, SequenceSpec):
            kind = self.const(spec.kind, "kind")
            self.check(indent, f"not isinstance({var}, {kind})")
            each = self.tmp("item")
            self.line(indent, f"for {each} in {var}:")
            self.value(spec.item, each, indent + 1)
        elif isinstance(spec, MappingSpec):
            kind = self.const(spec.kind, "kind")
            self.check(indent, f"not isinstance({var}, {kind})")
            key, each = self.tmp("key"), self.tmp("item")
            self.line(indent, f"for {key}, {each} in {var}.items():")
            if not isinstance(spec.key, OtherSpec):
                self.value(spec.key, key, indent + 1)
            if not isinstance(spec.value, OtherSpec):
                self.value(spec.value, each, indent + 1)
            else:
                self.line(indent + 1, "pass")
        elif isinstance(spec, OpaqueSpec):
            self.check(indent, f"not _sc_opaque({self.const(spec.hint, 'hint')}, {var}, _sc_m)")
        elif isinstance(spec, OtherSpec):
            self._other(spec, var, indent)
        elif isinstance(spec, UnionSpec):
            # Each option checked by its own generated checker, the dims
            # bound by a failed option undone before the next.
            options = tuple(
                compile_value_checker(option, f"option{k}") for k, option in enumerate(spec.options)
            )
            self.check(indent, f"not _sc_union({var}, _sc_m, {self.const(options, 'options')})")

    def _other(self, spec: OtherSpec, var: str, indent: int) -> None:
        """A hint without arrays, as an option of a union: checked exactly."""
        hint = spec.hint
        if hint is Any or hint is object:
            self.line(indent, "pass")
        elif hint is None or hint is type(None):
            self.check(indent, f"{var} is not None")
        else:
            self.check(indent, f"not _sc_other({self.const(spec, 'other')}, {var})")

    def _walk(self, spec: Spec, var: str, indent: int) -> None:
        self.check(indent, f"_sc_walk({self.const(spec, 'spec')}, {var}, _sc_m)")

    def _tensor(self, spec: TensorSpec, var: str, indent: int) -> None:
        if not spec.is_torch:
            # numpy, a LinearOperator, a duck-typed array: the explaining
            # checker reads its dtype and shape as jaxtyping does.
            self._walk(spec, var, indent)
            return
        cls = "_sc_Tensor"
        if spec.array_type is not torch.Tensor:
            cls = self.const(spec.array_type, "cls")
        self.check(indent, f"not isinstance({var}, {cls})")
        if self.same_device:
            self.line(indent, "if _sc_dev is None:")
            self.line(indent + 1, f"_sc_dev = {var}.device")
            self.check(indent, f"{var}.device != _sc_dev")
        dtypes = dtypes_of(spec)
        if dtypes is not None:
            self.check(indent, f"{var}.dtype not in {self.const(dtypes, 'dtypes')}")
        shape = spec.shape
        if shape is None:
            return
        if shape.variadic is not None or any(
            isinstance(dim, Symbolic) and dim.code is None for dim in shape.dims
        ):
            self._walk(spec, var, indent)
            return
        sizes = self.tmp("s")
        self.line(indent, f"{sizes} = {var}.shape")
        self.check(indent, f"len({sizes}) != {len(shape.dims)}")
        for axis, dim in enumerate(shape.dims):
            size = f"{sizes}[{axis}]"
            if isinstance(dim, Anonymous):
                continue
            if isinstance(dim, Named):
                self._named(dim.name, size, dim.broadcast, indent)
            elif isinstance(dim, Fixed):
                spare = f" and {size} != 1" if dim.broadcast else ""
                self.check(indent, f"{size} != {dim.size}{spare}")
            elif isinstance(dim, Symbolic):
                expected = self.tmp("e")
                self.line(indent, "try:")
                self.line(indent + 1, f"{expected} = {_rewrite(dim, self.static)}")
                self.line(indent, "except Exception:")
                self.line(indent + 1, self.fail)
                spare = f" and {size} != 1" if dim.broadcast else ""
                self.check(indent, f"{size} != {expected}{spare}")
            else:  # a variadic dim cannot reach here: handled above
                assert isinstance(dim, Variadic)

    def _named(self, name: str, size: str, broadcast: bool, indent: int) -> None:
        if self.static is not None and not broadcast and indent == 1:
            known = self.static.get(name)
            if known is not None:
                self.check(indent, f"{size} != {known}")
                return
            if self.static_binds:
                local = self.static[name] = self.tmp("n")
                self.line(indent, f"{local} = {size}")
                return
        if broadcast:
            self.line(indent, f"if {size} != 1:")
            indent += 1
        bound = self.tmp("b")
        key = repr(name)
        self.line(indent, f"{bound} = _sc_d.get({key})")
        self.line(indent, f"if {bound} is None:")
        self.line(indent + 1, f"_sc_d[{key}] = {size}")
        self.line(indent, f"elif {bound} != {size}:")
        self.line(indent + 1, self.fail)

    def build(self, header: str, name: str) -> Callable[..., Any]:
        source = "\n".join([header, *self.lines])
        code = compile(source, f"<shapecheck {name}>", "exec")
        exec(code, self.namespace)  # noqa: S102  (source generated from parsed specs)
        function: Callable[..., Any] = self.namespace[name]
        function.__shapecheck_source__ = source  # type: ignore[attr-defined]
        return function


def _union(value: Any, memo: Memo, options: tuple[Callable[[Any, Memo], bool], ...]) -> bool:
    """True when one option matches; a failed option's bindings are undone."""
    single, variadic = dict(memo.single), dict(memo.variadic)
    for option in options:
        if option(value, memo):
            return True
        memo.single.clear()
        memo.single.update(single)
        memo.variadic.clear()
        memo.variadic.update(variadic)
    return False


def _opaque(hint: Any, value: Any, memo: Memo) -> bool:
    return opaque_matches(hint, value, memo.single, memo.variadic, memo.arguments)


def _walk(spec: Spec, value: Any, memo: Memo) -> bool:
    """True when the slow checker finds a mismatch (the generated code then fails)."""
    return check_value(spec, value, "", memo) is not None


class _DimNames(ast.NodeTransformer):
    def __init__(self, names: tuple[str, ...], static: dict[str, str]) -> None:
        self.names = set(names)
        self.static = static

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.static:
            return ast.Name(self.static[node.id], ast.Load())
        if node.id in self.names:
            return ast.Subscript(
                value=ast.Name("_sc_d", ast.Load()), slice=ast.Constant(node.id), ctx=ast.Load()
            )
        return node


def _rewrite(dim: Symbolic, static: dict[str, str] | None = None) -> str:
    """`steps*batch` -> `_sc_d['steps']*_sc_d['batch']`, or the local variables
    of dims bound in static mode. An unbound name fails (KeyError, NameError)."""
    assert dim.tree is not None  # f-string dims go through the explaining checker
    tree = copy.deepcopy(dim.tree)  # the spec's own tree stays as parsed
    return ast.unparse(_DimNames(dim.names, static or {}).visit(tree))


_IDENT = re.compile(r"\W")


def compile_value_checker(spec: Spec, label: str) -> Callable[[Any, Memo], bool]:
    """`checker(value, memo) -> bool` for one spec, used for annotated locals."""
    emitter = Emitter("return False")
    name = "_sc_check_" + _IDENT.sub("_", label)
    emitter.line(1, "_sc_d = _sc_m.single")
    emitter.value(spec, "_sc_value", 1)
    emitter.line(1, "return True")
    return emitter.build(f"def {name}(_sc_value, _sc_m):", name)


_UNSET = object()  # the default of a checked parameter in a generated wrapper


def parameter_source(
    signature: inspect.Signature, emitter: Emitter, checked: frozenset[str] | set[str] = frozenset()
) -> tuple[str, str, dict[str, str]]:
    """The parameter list of a generated wrapper, the call that forwards them,
    and, for each parameter in `checked` with a default, the name of its real
    default: those parameters default to a sentinel, so the wrapper knows
    whether they were passed."""
    params: list[str] = []
    call: list[str] = []
    defaulted: dict[str, str] = {}
    emitter.namespace["_sc_unset"] = _UNSET
    seen_keyword_only = False
    previous_kind = None
    for param in signature.parameters.values():
        kind = param.kind
        if previous_kind is inspect.Parameter.POSITIONAL_ONLY and kind is not previous_kind:
            params.append("/")
        if kind is inspect.Parameter.KEYWORD_ONLY and not seen_keyword_only:
            if not any(p.startswith("*") for p in params):
                params.append("*")
            seen_keyword_only = True
        text = param.name
        if param.default is not inspect.Parameter.empty:
            default = emitter.const(param.default, "default")
            if param.name in checked:
                defaulted[param.name] = default
                default = "_sc_unset"
            text += "=" + default
        if kind is inspect.Parameter.VAR_POSITIONAL:
            params.append("*" + param.name)
            call.append("*" + param.name)
        elif kind is inspect.Parameter.VAR_KEYWORD:
            params.append("**" + param.name)
            call.append("**" + param.name)
        elif kind is inspect.Parameter.KEYWORD_ONLY:
            params.append(text)
            call.append(f"{param.name}={param.name}")
        else:
            params.append(text)
            call.append(param.name)
        previous_kind = kind
    if previous_kind is inspect.Parameter.POSITIONAL_ONLY:
        params.append("/")
    return ", ".join(params), ", ".join(call), defaulted
