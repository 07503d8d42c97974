"""Plan -> the fast wrapper: Python source generated once per signature.

The wrapper has the checked function's own parameter list and checks every
tensor inline (through `_compile`'s emitter), every non-tensor hint through
a beartype-checked stub, and the return value after the body; when a check
says no it hands the call to the plan's slow path.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch

from .._config import _disabled
from .._spec import (
    MappingSpec,
    OtherSpec,
    SequenceSpec,
    SizeSpec,
    Spec,
    Symbolic,
    TensorSpec,
    TupleSpec,
    contains_tensor,
    unwrapped,
    walk_tensors,
)
from ._compile import Emitter, parameter_source
from ._engine import STORAGE, beartype_stub, dims_stack, sync_dims
from ._explain import bind_instance_dims
from ._locals import frames
from ._values import Memo

if TYPE_CHECKING:
    from ._plan import Plan

__all__ = ["generate", "needs_beartype"]


def needs_beartype(spec: Spec) -> bool:
    """Whether a hint holds a non-tensor part that only beartype checks.

    The options of a union, tensor or not, are all checked by generated code.
    """
    if isinstance(spec, OtherSpec):
        return spec.hint is not Any
    if isinstance(spec, TupleSpec):
        return any(needs_beartype(item) for item in spec.items)
    if isinstance(spec, SequenceSpec):
        return needs_beartype(spec.item)
    if isinstance(spec, MappingSpec):
        return needs_beartype(spec.key) or needs_beartype(spec.value)
    return False


def generate(plan: Plan) -> Callable[..., Any]:
    """The fast wrapper: the function's own parameters, checks inline."""
    e = Emitter("return _sc_slow(%CALL%)", same_device=plan.same_device)
    hints = plan.signature.hints
    checked_params = {
        p.name
        for p in plan.signature.params
        if contains_tensor(p.spec) or (p.name in hints and needs_beartype(p.spec))
    }
    params, call, defaulted = parameter_source(plan.inspected, e, checked_params)
    e.namespace.update(
        _sc_compiling=torch.compiler.is_compiling,
        _sc_disabled=_disabled,
        _sc_Memo=Memo,
        _sc_fn=plan.fn,
        _sc_body=plan.body,
        _sc_slow=plan.slow_call,
        _sc_slow_return=plan.slow_return,
        _sc_slow_given=plan.slow_call_given,
        _sc_slow_return_given=plan.slow_return_given,
        _sc_frames=frames,
        _sc_bind=bind_instance_dims,
        _sc_storage=STORAGE,
        _sc_new_stack=dims_stack,
        _sc_sync=sync_dims,
        _sc_pure={},
        _sc_trees={},  # jaxtyping's PyTree memo: only jax code writes to it
    )
    # A default that was not passed is not checked, as in the engine: the
    # wrapper's defaults are sentinels, replaced by the real ones here.
    for name, default in defaulted.items():
        e.line(1, f"_sc_given_{name} = {name} is not _sc_unset")
        e.line(1, f"if not _sc_given_{name}:")
        e.line(2, f"{name} = {default}")
    # While torch.compile traces, checks are skipped: see docs/runtime.md.
    # is_compiling() first: torch.compile does not trace a ContextVar lookup.
    e.line(1, "if _sc_compiling() or _sc_disabled.get() or _sc_me.__no_type_check__:")
    e.line(2, f"return _sc_fn({call})")
    arguments = "None"
    if plan.sites or _uses_arguments(plan):
        arguments = (
            "{"
            + ", ".join(f"{p.name!r}: {p.name}" for p in plan.inspected.parameters.values())
            + "}"
        )
    memo_at = len(e.lines)  # where the memo is made: see below
    if _straight_line(plan, defaulted):
        e.static = {}
    if plan.same_device:
        e.line(1, "_sc_dev = None")
    if plan.method:
        e.line(1, "_sc_bind(self, _sc_m)")
    plan.defaulted = tuple(defaulted)
    given = "(" + "".join(f"_sc_given_{name}, " for name in defaulted) + ")"
    if defaulted:  # the slow path is told which defaults were passed
        e.fail = f"return _sc_slow_given({given}, {call})"
    else:
        e.fail = e.fail.replace("%CALL%", call)
    stubbed = [
        p.name
        for p in plan.signature.params
        if p.name in hints
        and needs_beartype(p.spec)
        and p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]
    always = [name for name in stubbed if name not in defaulted]
    if always:
        stub = e.const(beartype_stub({name: hints[name] for name in always}, plan.name), "bt")
        e.line(1, "try:")
        e.line(2, f"{stub}({', '.join(always)})")
        e.line(1, "except Exception:")
        e.line(2, e.fail)
    for name in stubbed:
        if name in defaulted:
            stub = e.const(beartype_stub({name: hints[name]}, plan.name), "bt")
            e.line(1, f"if _sc_given_{name}:")
            e.line(2, "try:")
            e.line(3, f"{stub}({name})")
            e.line(2, "except Exception:")
            e.line(3, e.fail)
    for p in plan.signature.params:
        # The hint of `*args` or `**kwargs` is each item's, as in the engine.
        if p.name not in hints or not needs_beartype(p.spec):
            continue
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            items = p.name
        elif p.kind is inspect.Parameter.VAR_KEYWORD:
            items = f"{p.name}.values()"
        else:
            continue
        stub = e.const(beartype_stub({p.name: hints[p.name]}, plan.name), "bt")
        e.line(1, f"for _sc_item in {items}:")
        e.line(2, "try:")
        e.line(3, f"{stub}(_sc_item)")
        e.line(2, "except Exception:")
        e.line(3, e.fail)
    for param in plan.signature.params:
        if not contains_tensor(param.spec):
            continue
        indent = 1
        if param.name in defaulted:
            e.line(1, f"if _sc_given_{param.name}:")
            indent = 2
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            e.line(indent, f"for _sc_item in {param.name}:")
            e.value(param.spec, "_sc_item", indent + 1)
        elif param.kind is inspect.Parameter.VAR_KEYWORD:
            e.line(indent, f"for _sc_item in {param.name}.values():")
            e.value(param.spec, "_sc_item", indent + 1)
        else:
            e.value(param.spec, param.name, indent)
    # The body runs with the call's dims visible to jaxtyping: an isinstance
    # check or a plain-beartype call inside it sees and binds the same dims.
    e.line(1, "try:")
    e.line(2, "_sc_js = _sc_storage.memo_stack")
    e.line(1, "except AttributeError:")
    e.line(2, "_sc_js = _sc_new_stack()")
    arguments_now = "_sc_m.arguments" if arguments != "None" else "_sc_pure"
    if e.static is not None:  # the dims so far, for jaxtyping and the return
        bound = ", ".join(f"{name!r}: {local}" for name, local in e.static.items())
        e.line(1, f"_sc_d = {{{bound}}}")
        e.line(1, "_sc_v = {}")
        e.static_binds = False
    e.line(1, f"_sc_js.append((_sc_d, _sc_v, _sc_trees, {arguments_now}))")
    if plan.sites:
        e.line(1, "_sc_stack = _sc_frames.stack")
        e.line(1, "_sc_stack.append(_sc_m)")
    e.line(1, "try:")
    e.line(2, f"_sc_out = _sc_body({call})")
    e.line(1, "finally:")
    e.line(2, "_sc_top = _sc_js.pop()")
    e.line(2, "if _sc_top[0] is not _sc_d or _sc_top[1] is not _sc_v:")
    e.line(3, "_sc_sync(_sc_top, _sc_d, _sc_v)")
    if plan.sites:
        e.line(2, "_sc_stack.pop()")
    returns = plan.signature.returns
    e.fail = f"return _sc_slow_return(_sc_out, _sc_d, _sc_v, {call})"
    if defaulted:
        e.fail = f"return _sc_slow_return_given({given}, _sc_out, _sc_d, _sc_v, {call})"
    if returns is not None and contains_tensor(returns):
        e.value(returns, "_sc_out", 1)
    if returns is not None and needs_beartype(returns):
        stub = e.const(beartype_stub({"return": hints["return"]}, plan.name), "bt")
        e.line(1, "try:")
        e.line(2, f"{stub}(_sc_out)")
        e.line(1, "except Exception:")
        e.line(2, e.fail)
    e.line(1, "return _sc_out")
    # A Memo object only where the checks need one (unions, variadic groups,
    # f-string dims, locals, instance dims); two dicts are cheaper.
    uses_memo = arguments != "None" or any(re.search(r"\b_sc_m\b", line) for line in e.lines)
    made = [] if e.static is not None else ["_sc_d = {}", "_sc_v = {}"]
    if uses_memo:
        made = [f"_sc_m = _sc_Memo({arguments})", "_sc_d = _sc_m.single", "_sc_v = _sc_m.variadic"]
    e.lines[memo_at:memo_at] = ["    " + line for line in made]
    name = "checked_" + plan.fn.__name__
    function = e.build(f"def {name}({params}):", name)
    function.__no_type_check__ = False  # type: ignore[attr-defined]
    e.namespace["_sc_me"] = function
    return function


def _straight_line(plan: Plan, defaulted: dict[str, str]) -> bool:
    """Whether every check before the body is unconditional and unlooped, so
    that dims can live in local variables (the generator's static mode)."""
    if plan.method or plan.sites or plan.same_device or defaulted:
        return False
    variable = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    if any(p.kind in variable and contains_tensor(p.spec) for p in plan.signature.params):
        return False  # checked in a loop
    specs = [p.spec for p in plan.signature.params if contains_tensor(p.spec)]
    if plan.signature.returns is not None:
        specs.append(plan.signature.returns)
    for spec in specs:
        if isinstance(spec, SizeSpec | OtherSpec):
            continue
        if not isinstance(spec, TensorSpec) or not spec.is_torch or spec.shape is None:
            return False
        if spec.shape.variadic is not None:
            return False
        for dim in spec.shape.dims:
            if getattr(dim, "broadcast", False):
                return False
            if isinstance(dim, Symbolic) and dim.code is None:
                return False
    return True


def _uses_arguments(plan: Plan) -> bool:
    """Whether f-string dims may need the call's arguments.

    True for f-string dims in the signature, and for any string with a brace
    in the body: an `isinstance(x, Float[Tensor, "{n}"])` there reads them.
    """
    specs = [p.spec for p in plan.signature.params]
    if plan.signature.returns is not None:
        specs.append(plan.signature.returns)
    for spec in specs:
        for _, leaf in walk_tensors(spec, ""):
            if leaf.shape is not None and any(
                isinstance(d, Symbolic) and d.code is None for d in leaf.shape.dims
            ):
                return True
    code = getattr(unwrapped(plan.fn), "__code__", None)
    return code is not None and _braces_in(code)


def _braces_in(code: Any) -> bool:
    for const in code.co_consts:
        if isinstance(const, str) and "{" in const:
            return True
        if hasattr(const, "co_consts") and _braces_in(const):
            return True
    return False
