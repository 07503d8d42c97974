"""`verify --symbolic`: a proof for all sizes, through `torch.export`.

Each function is exported with one `torch.export.Dim` per named dim of its
argument annotations. torch then computes every output shape as an expression
over those dims; it is compared with the annotation, by sympy, for all sizes
at once. Two things torch may discover on the way are reported:

- a dim the code specialises to one value (a Python loop over `steps`
  unrolls it): the proof is redone with that dim fixed, and the verdict says so;
- a relation between dims that the code silently requires (`batch == hiddens`):
  a violation that names the dims.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import sympy
import torch

from ._config import disabled
from ._example import prepare
from ._registry import Registry
from ._runtime._values import tensor_leaves
from ._sizes import Verdict, assignments, dims_of
from ._spec import (
    FieldsSpec,
    Fixed,
    Named,
    Path,
    SequenceSpec,
    Signature,
    Spec,
    Symbolic,
    TensorSpec,
    TupleSpec,
    UnionSpec,
    leaves,
    signature_of,
    spec_at,
)
from ._synth import SynthError, synth_arguments
from ._target import Member

__all__ = ["prove"]

_FIX = re.compile(r"^\s*(\w+)\s*=\s*(.+?)\s*$")
_MAX_TRIES = 6


def prove(member: Member, registry: Registry) -> list[Verdict]:
    fn, owner = member.function, member.owner
    name = f"{member.name} [symbolic]"
    try:
        signature = signature_of(fn, member.localns)
    except Exception:  # noqa: BLE001  (reported by the plain verification)
        return []
    if not signature.has_tensors or not _tensor_inputs(signature):
        return []
    member = dataclasses.replace(member, signature=signature)
    method = member.kind(signature) == "method"
    if owner is not None and not method:
        return []
    names, broadcast, groups = dims_of(signature, [])
    # With `#` dims at size 1 the other tensors' dims can stay symbolic.
    sizes = list(assignments(names, broadcast, groups))[1 if broadcast else 0][1]
    factory = None
    if method:
        assert owner is not None
        factories = registry.factories_for(owner)
        if not factories:
            return [Verdict(name, "skipped", f"no example factory for {owner.__qualname__}", sizes)]
        factory = factories[0]
        name = f"{member.name} [{factory.name}, symbolic]"
    try:
        example = prepare(member, sizes, "cpu", factory)
    except SynthError as error:
        return [Verdict(name, "skipped", f"no example: {error}", sizes)]
    instance, plan, args, kwargs = example.instance, example.plan, example.args, example.kwargs
    if kwargs:
        return [Verdict(name, "skipped", "keyword-only arguments are not exported", sizes)]
    try:
        return [_prove(name, fn, instance, signature, args, sizes)]
    except RuntimeError as error:
        if "must match" not in str(error) or method:
            return [_untraced(name, error, sizes, with_type=False)]
        # The code needs two dims to be equal, and the example has them differ:
        # trace again with every dim the same size, so that torch names them.
        equal = {n: 5 for n in names} | {"*" + g: (5,) for g in groups}
        equal |= dict.fromkeys(broadcast, 1)
        args, _ = synth_arguments(plan.signature, equal, "cpu", skip_self=method)
        try:
            return [_prove(name, fn, instance, signature, args, equal)]
        except Exception as again:  # noqa: BLE001
            text = " ".join(str(again).split())[:300]
            message = f"the code needs sizes to agree that the annotations keep apart: {text}"
            return [Verdict(name, "violated", message, sizes)]
    except Exception as error:  # noqa: BLE001  (export's own failure, shown as a skip)
        return [_untraced(name, error, sizes, with_type=True)]


def _untraced(name: str, error: Exception, sizes: dict[str, Any], *, with_type: bool) -> Verdict:
    """The skip that says torch.export could not trace the function, and why."""
    text = " ".join(str(error).split())[:300]
    why = f"{type(error).__name__}: {text}" if with_type else text
    return Verdict(name, "skipped", f"torch.export could not trace it: {why}", sizes)


def _tensor_inputs(signature: Signature) -> bool:
    return any(isinstance(p.spec, TensorSpec | TupleSpec | FieldsSpec) for p in signature.params)


class _Call(torch.nn.Module):
    def __init__(self, fn: Any, instance: Any) -> None:
        super().__init__()
        self.fn = fn
        self.instance = instance

    def forward(self, *args: Any) -> Any:
        if self.instance is not None:
            return self.fn(self.instance, *args)
        return self.fn(*args)


def _prove(
    name: str,
    fn: Any,
    instance: Any,
    signature: Signature,
    args: list[Any],
    sizes: dict[str, Any],
) -> Verdict:
    params = [p for p in signature.params if p.name != "self"]
    exported = _export(name, fn, instance, params, args, sizes)
    if isinstance(exported, Verdict):
        return exported
    program, dims, fixed = exported
    symbols = _input_symbols(program, params, args, dims)
    with torch.no_grad(), disabled():
        out = _Call(fn, instance)(*args)
    mismatches = []
    returns = signature.returns
    if returns is not None:
        outputs = [n for n in program.graph.nodes if n.op == "output"][0].args[0]
        values = [node.meta.get("val") for node in outputs]
        for (path, _), value in zip(tensor_leaves(returns, out, "return"), values, strict=False):
            spec = _leaf_spec(returns, path)
            if spec is None or spec.shape is None or not isinstance(value, torch.Tensor):
                continue
            mismatches += _compare(str(path), spec, value, symbols, fixed, sizes)
    if mismatches:
        return Verdict(name, "violated", "; ".join(mismatches), sizes)
    proved = ", ".join(sorted(dims)) or "no dim"
    owned = getattr(type(instance), "__shapecheck_dims__", None)
    by_model = set(owned(instance)) if owned is not None else set()
    notes = []
    if fixed.keys() & by_model:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(fixed.items()) if k in by_model)
        notes.append(f"fixed by the model's weights: {shown}")
    if fixed.keys() - by_model:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(fixed.items()) if k not in by_model)
        notes.append(
            f"specialised, so proved at that size only (a Python loop over it, "
            f"a weight of that size, or the size used as a number): {shown}"
        )
    note = "".join(f"; {n}" for n in notes)
    return Verdict(name, "verified", f"output shapes proved for all {proved}{note}", sizes)


def _export(
    name: str,
    fn: Any,
    instance: Any,
    params: list[Any],
    args: list[Any],
    sizes: dict[str, Any],
) -> tuple[Any, dict[str, Any], dict[str, int]] | Verdict:
    """The exported program, one `Dim` per named input dim, and the dims torch
    fixed to constants; or the verdict when torch's guards relate two dims."""
    fixed: dict[str, int] = {}
    for _ in range(_MAX_TRIES):
        dims = {n: torch.export.Dim(n, min=2) for n in _named_input_dims(params) if n not in fixed}
        dynamic = tuple(_dynamic(p.spec, a, dims) for p, a in zip(params, args, strict=True))
        try:
            with disabled():
                program = torch.export.export(
                    _Call(fn, instance), tuple(args), dynamic_shapes=(dynamic,), strict=False
                )
            return program, dims, fixed
        except torch._dynamo.exc.UserError as error:
            fixes = _suggested_fixes(str(error))
            relations = {k: v for k, v in fixes.items() if not v.lstrip("-").isdigit()}
            if relations:
                said = ", ".join(f"{k} == {v}" for k, v in relations.items())
                return Verdict(
                    name,
                    "violated",
                    f"the code requires {said} (torch's guards); "
                    "the annotations say these dims are independent",
                    sizes,
                )
            constants = {k: int(v) for k, v in fixes.items() if k not in fixed}
            if not constants:
                raise
            fixed.update(constants)
    return Verdict(name, "skipped", "torch.export kept specialising dims", sizes)


def _named_input_dims(params: list[Any]) -> list[str]:
    names: dict[str, None] = {}
    for param in params:
        for leaf in _tensor_specs(param.spec):
            if leaf.shape is not None:
                for dim in leaf.shape.dims:
                    if isinstance(dim, Named) and not dim.broadcast:
                        names.setdefault(dim.name)
    return list(names)


def _tensor_specs(spec: Spec) -> list[TensorSpec]:
    return [leaf.spec for leaf in leaves(spec, "") if isinstance(leaf.spec, TensorSpec)]


def _dynamic(spec: Spec, value: Any, dims: dict[str, Any]) -> Any:
    """The `dynamic_shapes` entry mirroring one argument's value."""
    if isinstance(spec, UnionSpec):
        for option in spec.options:
            if isinstance(value, torch.Tensor) == isinstance(option, TensorSpec):
                return _dynamic(option, value, dims)
        return None
    if isinstance(spec, TensorSpec):
        if spec.shape is None or spec.shape.variadic is not None:
            return None
        axes = {
            axis: dims[dim.name]
            for axis, dim in enumerate(spec.shape.dims)
            if isinstance(dim, Named) and dim.name in dims and not dim.broadcast
        }
        return axes or None
    if isinstance(spec, TupleSpec) and isinstance(value, tuple):
        return tuple(_dynamic(item, v, dims) for item, v in zip(spec.items, value, strict=True))
    if isinstance(spec, SequenceSpec) and isinstance(value, tuple | list):
        return type(value)(_dynamic(spec.item, v, dims) for v in value)
    if isinstance(spec, FieldsSpec) and isinstance(value, tuple):
        return spec.cls(*(_dynamic(item, getattr(value, n), dims) for n, item in spec.fields))
    return None


def _suggested_fixes(text: str) -> dict[str, str]:
    fixes: dict[str, str] = {}
    if "Suggested fixes:" not in text:
        return fixes
    for line in text.split("Suggested fixes:", 1)[1].splitlines():
        match = _FIX.match(line)
        if match:
            fixes[match.group(1)] = match.group(2)
        elif line.strip() and fixes:
            break
    return fixes


def _input_symbols(
    program: Any, params: list[Any], args: list[Any], dims: dict[str, Any]
) -> dict[sympy.Symbol, sympy.Symbol]:
    """torch's symbols for the input sizes -> sympy symbols named after the dims."""
    placeholders = [
        n
        for n in program.graph.nodes
        if n.op == "placeholder" and isinstance(n.meta.get("val"), torch.Tensor)
    ]
    inputs = [
        (path, _leaf_spec(param.spec, path))
        for param, arg in zip(params, args, strict=True)
        for path, _ in tensor_leaves(param.spec, arg, param.name)
    ]
    # The module's own parameters come first; the call's tensors are the last ones.
    user = placeholders[len(placeholders) - len(inputs) :] if inputs else []
    mapping: dict[sympy.Symbol, sympy.Symbol] = {}
    for (_, spec), node in zip(inputs, user, strict=False):
        if spec is None or spec.shape is None:
            continue
        shape = node.meta["val"].shape
        for axis, dim in enumerate(spec.shape.dims):
            if isinstance(dim, Named) and dim.name in dims and axis < len(shape):
                expr = _expr(shape[axis])
                if isinstance(expr, sympy.Symbol):
                    mapping[expr] = sympy.Symbol(dim.name, positive=True, integer=True)
    return mapping


def _leaf_spec(spec: Spec, path: Path) -> TensorSpec | None:
    """The TensorSpec at a leaf path such as `return[1][0]` or `params.W_xi`."""
    found = spec_at(spec, path)
    return found if isinstance(found, TensorSpec) else None


def _expr(size: Any) -> sympy.Expr:
    if isinstance(size, torch.SymInt):
        return sympy.sympify(size.node.expr)
    return sympy.Integer(int(size))


def _compare(
    path: str,
    spec: TensorSpec,
    value: torch.Tensor,
    symbols: dict[sympy.Symbol, sympy.Symbol],
    fixed: dict[str, int],
    sizes: dict[str, Any],
) -> list[str]:
    assert spec.shape is not None
    if spec.shape.variadic is not None or len(spec.shape.dims) != value.dim():
        return (
            []
            if spec.shape.variadic is not None
            else [f"{path}: torch gives {value.dim()} dims, the annotation {len(spec.shape.dims)}"]
        )
    problems = []
    for axis, dim in enumerate(spec.shape.dims):
        actual = _expr(value.shape[axis]).subs(symbols)
        expected = _annotated(dim, symbols, fixed, sizes)
        if expected is None:
            continue
        if sympy.simplify(actual - expected) != 0:
            problems.append(
                f"{path} axis {axis}: torch proves `{actual}`, "
                f"the annotation says `{dim}` = `{expected}`"
            )
    return problems


def _annotated(
    dim: Any,
    symbols: dict[sympy.Symbol, sympy.Symbol],
    fixed: dict[str, int],
    sizes: dict[str, Any],
) -> sympy.Expr | None:
    known = {s.name: s for s in symbols.values()}

    def value_of(name: str) -> sympy.Expr:
        if name in fixed:
            return sympy.Integer(fixed[name])
        if name in known:
            return known[name]
        return sympy.Integer(int(sizes[name])) if name in sizes else sympy.Symbol(name)

    if isinstance(dim, Named):
        return value_of(dim.name)
    if isinstance(dim, Fixed):
        return sympy.Integer(dim.size)
    if isinstance(dim, Symbolic) and dim.code is not None:
        return sympy.sympify(dim.expr, locals={n: value_of(n) for n in dim.names})
    return None
