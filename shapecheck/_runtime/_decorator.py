"""`check`: the decorator for functions, methods and whole classes.

A checked call takes one of two paths:

- the fast path, a wrapper generated once per signature (`_compile`), with the
  function's own parameter list, that checks every tensor inline and every
  non-tensor hint through a beartype-checked stub;
- the slow path, taken only when the fast path says no: shapecheck's
  explaining checker (`_values`) finds the culprit and the reference engine,
  jaxtyping's `jaxtyped` with beartype, has the last word. It raises a
  `ShapeError` that names the culprit.

Annotated locals are checked through `_locals`, against the same dims.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import re
import threading
import typing
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, overload

import jaxtyping
import torch
from beartype.door import is_bearable
from beartype.roar import BeartypeException

from .._config import _disabled, enabled_at_decoration, same_device_default
from .._errors import AnnotationError, ShapeError
from .._spec import (
    MappingSpec,
    OtherSpec,
    SequenceSpec,
    Signature,
    SizeSpec,
    Spec,
    Symbolic,
    TensorSpec,
    TupleSpec,
    contains_tensor,
    signature_of,
    unwrapped,
    walk_tensors,
)
from ._compile import Emitter, compile_value_checker, parameter_source
from ._engine import (
    STORAGE,
    EngineVerdict,
    beartype_stub,
    dims_stack,
    engine_for,
    engine_rejects,
    keeping_random_state,
    pop_dims,
    push_dims,
    sync_dims,
)
from ._locals import LocalSite, _NotReady, instrument, local_annotations
from ._values import (
    Failure,
    Memo,
    check_value,
    describe_value,
    device_failure,
    tensor_leaves,
)

__all__ = [
    "check",
    "check_every_method",
    "check_for_hook",
    "checked_signature",
    "mentions_tensor",
    "plan_for",
    "recording",
]

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])

_RETURN = "__shapecheck_return__"
_ENGINE_ERRORS = (jaxtyping.TypeCheckError, BeartypeException)


@overload
def check(obj: _T, /, *, same_device: bool | None = None) -> _T: ...
@overload
def check(obj: None = None, /, *, same_device: bool | None = None) -> Callable[[_T], _T]: ...
def check(obj: Any = None, /, *, same_device: bool | None = None) -> Any:
    """Check the jaxtyping annotations of a function, a method or a whole class.

    On a class, every method whose annotations mention a tensor is checked,
    including `forward` of an `nn.Module`. With `SHAPECHECK=0` in the
    environment when decorating, the object is returned unchanged.

    `same_device=True` also requires all tensors of a call, arguments and
    return, to sit on one device (default: `shapecheck.configure`).

    Example
    ```python
    import torch
    from jaxtyping import Float
    from torch import Tensor
    import shapecheck

    @shapecheck.check
    def outer(x: Float[Tensor, "a"], y: Float[Tensor, "b"]) -> Float[Tensor, "a b"]:
        return x[:, None] * y[None, :]

    assert outer(torch.ones(2), torch.ones(3)).shape == (2, 3)
    ```
    """
    if obj is None:
        return functools.partial(check, same_device=same_device)
    if not enabled_at_decoration() or getattr(obj, "__no_type_check__", False):
        return obj
    options = _Options(same_device_default() if same_device is None else same_device)
    if isinstance(obj, type):
        return _check_class(obj, options)
    if isinstance(obj, staticmethod | classmethod):
        return type(obj)(_check_function(obj.__func__, None, options))
    if isinstance(obj, property):
        return _check_property(obj, None, options)
    if inspect.isfunction(obj) or inspect.ismethod(obj) or _wraps_function(obj):
        return _check_function(obj, None, options)
    raise TypeError(
        f"shapecheck.check decorates a function, a method or a class, not {type(obj).__qualname__}"
    )


def checked_signature(fn: Any) -> Signature | None:
    """The parsed signature of a checked function, or None if it is not checked."""
    get_plan = getattr(fn, "__shapecheck_plan__", None)
    return get_plan().signature if callable(get_plan) else None


class _Options(typing.NamedTuple):
    same_device: bool = False


_DEFAULTS = _Options()


def _wraps_function(obj: Any) -> bool:
    """A callable made by a `functools.wraps` decorator (`torch.no_grad()`...)."""
    return callable(obj) and inspect.isfunction(unwrapped(obj)) and unwrapped(obj) is not obj


def _wanted(
    function: Any, localns: dict[str, Any] | None, every: bool = False, init: bool = False
) -> bool:
    """Whether a class member is a function that `check` should wrap: one
    that mentions a tensor or, with `every`, any annotated one. `init`: a
    dataclass's `__init__`, which the engine checks whatever its fields."""
    if not inspect.isfunction(function) or hasattr(function, "__shapecheck__"):
        return False
    if getattr(function, "__no_type_check__", False):
        return False
    if not getattr(function, "__annotations__", None):
        return False
    return every or init or mentions_tensor(function, localns)


def _check_property(
    prop: property, localns: dict[str, Any] | None, options: _Options, every: bool = False
) -> property:
    parts: list[Any] = [prop.fget, prop.fset, prop.fdel]
    checked = [
        _check_function(part, localns, options, lenient=every)
        if _wanted(part, localns, every)
        else part
        for part in parts
    ]
    if all(new is old for new, old in zip(checked, parts, strict=True)):
        return prop
    return property(checked[0], checked[1], checked[2], prop.__doc__)


def check_for_hook(fn: _F) -> _F:
    """Check a function as the import hook does, as its `def` runs: an
    annotation naming something not defined yet reads as `Any`, as in the
    engine's hook."""
    if not enabled_at_decoration() or getattr(fn, "__no_type_check__", False):
        return fn
    return _check_function(fn, None, _Options(same_device_default()), lenient=True)


def check_every_method(cls: type[_T]) -> type[_T]:
    """Check every annotated method of a class not checked yet, tensors or
    not, as the import hook does (the engine's hook checks every annotation):
    a dataclass's `__init__`, or the methods of a module imported before
    `install`."""
    if not enabled_at_decoration() or getattr(cls, "__no_type_check__", False):
        return cls
    return _check_class(cls, _Options(same_device_default()), every=True)


def _check_class(cls: type[_T], options: _Options, every: bool = False) -> type[_T]:
    # `check` on a class: the class is not bound to its name yet; let its
    # methods' annotations refer to it all the same. The hook (`every`)
    # reads them as the engine's hook does, where the name is not bound.
    localns = None if every else {cls.__name__: cls}
    for name, member in list(vars(cls).items()):
        if isinstance(member, property):
            new = _check_property(member, localns, options, every)
            if new is not member:
                setattr(cls, name, new)
            continue
        function = member.__func__ if isinstance(member, staticmethod | classmethod) else member
        init = name == "__init__" and dataclasses.is_dataclass(cls)
        if not _wanted(function, localns, every, init):
            continue
        checked: Any = _check_function(function, localns, options, lenient=every)
        if isinstance(member, staticmethod | classmethod):
            checked = type(member)(checked)
        setattr(cls, name, checked)
    return cls


def mentions_tensor(fn: Callable[..., Any], localns: dict[str, Any] | None = None) -> bool:
    """Whether a function's signature or annotated locals mention a tensor."""
    try:
        if signature_of(fn, localns).has_tensors:
            return True
    except AnnotationError as error:
        if getattr(error, "unresolved", False):
            return True  # a forward reference: resolved on first call
        raise
    found = local_annotations(fn, localns)
    return found is not None and bool(found[2])


# ------------------------------------------------------------------ the frames


Record = tuple["_Plan", str, int, Any, Any]


class _Frames(threading.local):
    """Per thread: the memos of the checked calls in progress, innermost last."""

    def __init__(self) -> None:
        self.stack: list[Memo] = []
        # While documenting: (plan, local name, line, value, self or None) for
        # each local checked.
        self.recorder: list[Record] | None = None


_frames = _Frames()


# -------------------------------------------------------------------- the plan


class _Plan:
    """What one checked function needs at call time, built once."""

    def __init__(
        self,
        fn: Callable[..., Any],
        name: str,
        localns: dict[str, Any] | None,
        options: _Options,
        lenient: bool = False,
    ) -> None:
        self.fn = fn
        self.name = name
        self.same_device = options.same_device
        self.signature = signature_of(fn, localns, lenient)
        hints = self.signature.hints
        parameters = [
            p.replace(annotation=hints.get(p.name, inspect.Parameter.empty))
            for p in inspect.signature(fn).parameters.values()
        ]
        self.inspected = inspect.Signature(parameters)
        # The dims an object fixes (`__shapecheck_dims__`) are read from a
        # built object: not in the methods that build it.
        self.method = (
            bool(parameters)
            and parameters[0].name == "self"
            and fn.__name__ not in ("__init__", "__new__", "__post_init__", "__shapecheck_dims__")
        )
        self.body = fn
        self.defaulted: tuple[str, ...] = ()  # checked parameters with defaults
        self.sites: tuple[LocalSite, ...] = ()
        self.site_checkers: tuple[Callable[[Any, Memo], bool], ...] = ()
        instrumented = instrument(fn, self.local_hook, localns)
        if instrumented is not None:
            self.body, self.sites = instrumented
            self.site_checkers = tuple(
                compile_value_checker(site.spec, f"{fn.__name__}_{site.name}")
                for site in self.sites
            )
        self.fast = _generate(self)

    # The engine's own checkers, built on the first failing call.

    @functools.cached_property
    def engine_args(self) -> Callable[..., Any]:
        return engine_for(self.fn, self.inspected)

    @functools.cached_property
    def engine_full(self) -> Callable[..., Any] | None:
        returns = self.signature.hints.get("return", inspect.Parameter.empty)
        if returns is inspect.Parameter.empty:
            return None
        parameters = list(self.inspected.parameters.values())
        position = len(parameters)
        if parameters and parameters[-1].kind is inspect.Parameter.VAR_KEYWORD:
            position -= 1
        parameters.insert(position, inspect.Parameter(_RETURN, inspect.Parameter.KEYWORD_ONLY))
        signature = inspect.Signature(parameters, return_annotation=returns)
        return engine_for(self.fn, signature, returned=_RETURN)

    def local_hook(self, k: int, value: Any, line: int) -> None:
        stack = _frames.stack
        if not stack:
            return
        memo = stack[-1]
        if not self.site_checkers[k](value, memo):
            _local_failure(self, self.sites[k], value, memo, line)
        recorder = _frames.recorder
        if recorder is not None:
            owner = memo.arguments.get("self") if memo.arguments else None
            recorder.append((self, self.sites[k].name, line, value, owner))

    # The slow path: explain, then defer to the engine.

    def slow_memo(self, arguments: dict[str, Any]) -> Memo:
        memo = Memo(arguments)
        if self.method:
            _bind_instance_dims(arguments["self"], memo)
        return memo

    def bind(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The arguments passed, and all of them with the defaults filled in.

        Only what was passed is checked: the engine never checks a default.
        """
        bound = self.inspected.bind(*args, **kwargs)
        passed = dict(bound.arguments)
        bound.apply_defaults()
        return passed, dict(bound.arguments)

    def check_devices(self, arguments: dict[str, Any], *returned: Any) -> None:
        if not self.same_device:
            return
        leaves = [
            leaf
            for spec, path, value in _argument_items(self, arguments)
            for leaf in tensor_leaves(spec, value, path)
        ]
        if returned and self.signature.returns is not None:
            leaves += tensor_leaves(self.signature.returns, returned[0], "return")
        failure = device_failure(leaves)
        if failure is not None:
            raise _shape_error(self.name, failure) from None

    def engine_cause(
        self,
        engine: Callable[..., Any] | None,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        returned: tuple[Any, ...] = (),
    ) -> BaseException | None:
        """The engine's own error for the same call, kept as the `__cause__`:
        None where the engine accepts the call (it does not look into
        NamedTuple fields, for one)."""
        if engine is None:
            return None
        try:
            passed, full = self.bind(args, kwargs)
        except TypeError:
            return None
        hints = self.signature.hints
        checks: list[tuple[Any, Any]] = []
        for param in self.signature.params:
            if param.name not in passed or param.name not in hints:
                continue
            value = passed[param.name]
            if param.kind is inspect.Parameter.VAR_POSITIONAL:
                checks += [(item, hints[param.name]) for item in value]
            elif param.kind is inspect.Parameter.VAR_KEYWORD:
                checks += [(item, hints[param.name]) for item in value.values()]
            else:
                checks.append((value, hints[param.name]))
        if returned and "return" in hints:
            checks.append((returned[0], hints["return"]))
        if not engine_rejects(checks):
            return None
        call_kwargs = {**kwargs, _RETURN: returned[0]} if returned else kwargs
        return EngineVerdict(engine, args, call_kwargs)

    def explained(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], Memo]:
        """Check the arguments on the slow path: the ones passed, and their memo."""
        passed, full = self.bind(args, kwargs)
        memo = self.slow_memo(full)
        failure = _check_arguments(self, passed, memo)
        if failure is not None:
            raise _shape_error(self.name, failure) from self.engine_cause(
                self.engine_args, args, kwargs
            )
        return passed, memo

    def slow_call(self, *args: Any, **kwargs: Any) -> Any:
        try:
            self.bind(args, kwargs)
        except TypeError:
            return self.fn(*args, **kwargs)  # let Python report the bad call itself
        passed, memo = self.explained(args, kwargs)
        self.check_devices(passed)
        _run_engine(self, self.engine_args, args, kwargs, passed)
        stack = _frames.stack
        stack.append(memo)
        push_dims(memo.single, memo.variadic, memo.arguments)
        try:
            out = self.body(*args, **kwargs)
        finally:
            pop_dims(memo.single, memo.variadic)
            stack.pop()
        return self.slow_return(out, memo.single, memo.variadic, *args, **kwargs)

    def as_called(
        self, given: tuple[bool, ...], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """The call as it was made: the fast wrapper filled in the defaults
        (`self.defaulted`), and says for each whether it was passed."""
        bound = self.inspected.bind(*args, **kwargs)
        for name, was_given in zip(self.defaulted, given, strict=True):
            if not was_given:
                del bound.arguments[name]
        return bound.args, bound.kwargs

    def slow_call_given(self, given: tuple[bool, ...], *args: Any, **kwargs: Any) -> Any:
        args, kwargs = self.as_called(given, args, kwargs)
        return self.slow_call(*args, **kwargs)

    def slow_return_given(
        self,
        given: tuple[bool, ...],
        out: Any,
        single: dict[str, int],
        variadic: dict[str, Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        args, kwargs = self.as_called(given, args, kwargs)
        return self.slow_return(out, single, variadic, *args, **kwargs)

    def slow_return(
        self,
        out: Any,
        single: dict[str, int],
        variadic: dict[str, Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """Check the return value; `single` and `variadic` hold the dims as
        the body left them."""
        passed, memo = self.explained(args, kwargs)
        for dim_name, size in single.items():
            if dim_name not in memo.single:
                memo.single[dim_name] = size
                memo.origin[dim_name] = "the function body"
        for dim_name, group in variadic.items():
            memo.variadic.setdefault(dim_name, group)
        failure = None
        if self.signature.returns is not None:
            failure = _checked(self.signature.returns, out, "return", memo)
        if failure is not None:
            raise _shape_error(self.name, failure) from self.engine_cause(
                self.engine_full, args, kwargs, (out,)
            )
        self.check_devices(passed, out)
        if self.engine_full is not None:
            _run_engine(
                self, self.engine_full, args, {**kwargs, _RETURN: out}, {**passed, "return": out}
            )
        return out


def _needs_beartype(spec: Spec) -> bool:
    """Whether a hint holds a non-tensor part that only beartype checks.

    The options of a union, tensor or not, are all checked by generated code.
    """
    if isinstance(spec, OtherSpec):
        return spec.hint is not Any
    if isinstance(spec, TupleSpec):
        return any(_needs_beartype(item) for item in spec.items)
    if isinstance(spec, SequenceSpec):
        return _needs_beartype(spec.item)
    if isinstance(spec, MappingSpec):
        return _needs_beartype(spec.key) or _needs_beartype(spec.value)
    return False


def _generate(plan: _Plan) -> Callable[..., Any]:
    """The fast wrapper: the function's own parameters, checks inline."""
    e = Emitter("return _sc_slow(%CALL%)", same_device=plan.same_device)
    hints = plan.signature.hints
    checked_params = {
        p.name
        for p in plan.signature.params
        if contains_tensor(p.spec) or (p.name in hints and _needs_beartype(p.spec))
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
        _sc_frames=_frames,
        _sc_bind=_bind_instance_dims,
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
        and _needs_beartype(p.spec)
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
        if p.name not in hints or not _needs_beartype(p.spec):
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
    if returns is not None and _needs_beartype(returns):
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


def _straight_line(plan: _Plan, defaulted: dict[str, str]) -> bool:
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


def _uses_arguments(plan: _Plan) -> bool:
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


def _check_function(
    fn: _F,
    localns: dict[str, Any] | None = None,
    options: _Options = _DEFAULTS,
    lenient: bool = False,
) -> _F:
    """`lenient`: read an undefined name as `Any` now, rather than try again
    at the first call."""
    if hasattr(fn, "__shapecheck__"):
        return fn
    name = getattr(fn, "__qualname__", repr(fn)) + "()"
    plan: _Plan | None = None
    try:
        plan = _Plan(fn, name, localns, options, lenient)
    except AnnotationError as error:
        if not getattr(error, "unresolved", False):
            raise
    except _NotReady:
        pass

    def get_plan() -> _Plan:
        nonlocal plan
        if plan is None:
            # A name still undefined at the first call (a class local to
            # another function) reads as Any, as in the engine.
            plan = _Plan(fn, name, localns, options, lenient=True)
        return plan

    if plan is not None:
        checked = functools.wraps(fn)(plan.fast)
    else:
        # Built on first call: a forward reference or an unfilled closure cell.
        @functools.wraps(fn)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if checked.__no_type_check__:  # type: ignore[attr-defined]
                return fn(*args, **kwargs)
            return get_plan().fast(*args, **kwargs)

        checked.__no_type_check__ = False  # type: ignore[attr-defined]

    checked.__shapecheck__ = True  # type: ignore[attr-defined]
    checked.__shapecheck_plan__ = get_plan  # type: ignore[attr-defined]
    return typing.cast(_F, checked)


def plan_for(fn: Callable[..., Any], localns: dict[str, Any] | None = None) -> _Plan:
    """The plan of a checked function, or a new one for a function nobody checked."""
    get_plan = getattr(fn, "__shapecheck_plan__", None)
    if callable(get_plan):
        plan: _Plan = get_plan()
        return plan
    return _Plan(fn, getattr(fn, "__qualname__", repr(fn)) + "()", localns, _DEFAULTS)


@contextlib.contextmanager
def recording() -> Iterator[list[Record]]:
    """Record every annotated local checked in this thread inside the block."""
    previous = _frames.recorder
    records: list[Record] = []
    _frames.recorder = records
    try:
        yield records
    finally:
        _frames.recorder = previous


# ---------------------------------------------------------- the slow path


def _bind_instance_dims(instance: Any, memo: Memo) -> None:
    """Dims an object fixes for all its methods, from its `__shapecheck_dims__()`."""
    dims_of = getattr(type(instance), "__shapecheck_dims__", None)
    if dims_of is None:
        return
    origin = f"{type(instance).__qualname__}.__shapecheck_dims__()"
    for dim_name, size in dims_of(instance).items():
        memo.single[dim_name] = size
        memo.origin[dim_name] = origin


def _checked(spec: Any, value: Any, path: str, memo: Memo) -> Failure | None:
    try:
        return check_value(spec, value, path, memo)
    except AnnotationError as error:
        raise AnnotationError(f"{path}: {error}") from None


def _argument_items(plan: _Plan, arguments: dict[str, Any]) -> list[tuple[Spec, str, Any]]:
    items: list[tuple[Spec, str, Any]] = []
    for param in plan.signature.params:
        if param.name not in plan.signature.hints or param.name not in arguments:
            continue
        value = arguments[param.name]
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            items += [(param.spec, f"{param.name}[{i}]", v) for i, v in enumerate(value)]
        elif param.kind is inspect.Parameter.VAR_KEYWORD:
            items += [(param.spec, f"{param.name}[{k!r}]", v) for k, v in value.items()]
        else:
            items.append((param.spec, param.name, value))
    return items


def _check_arguments(plan: _Plan, arguments: dict[str, Any], memo: Memo) -> Failure | None:
    """The first failing argument, or the culprit behind it."""
    items = _argument_items(plan, arguments)
    for spec, path, value in items:
        failure = _checked(spec, value, path, memo)
        if failure is not None:
            culprit = _culprit(plan, arguments, items) if failure.dim is not None else None
            return culprit or failure
    return None


def _culprit(
    plan: _Plan, arguments: dict[str, Any], items: list[tuple[Spec, str, Any]]
) -> Failure | None:
    """The one tensor whose axes are out of order, when the others agree.

    A conflict is noticed at the second tensor that mentions a dim; the
    culprit may be the first, for example transposed `inputs` that bound
    `batch` to the number of steps. If leaving out exactly one tensor makes
    all the others agree, and a permutation of that tensor would then match,
    blame it. With two or more such tensors the blame is ambiguous: None.
    """
    candidates: list[Failure] = []
    for root_spec, root, _ in items:
        for leaf, _ in walk_tensors(root_spec, root):
            memo = plan.slow_memo(arguments)
            memo.skip = leaf
            try:
                if any(check_value(s, v, p, memo) is not None for s, p, v in items):
                    continue
                memo.skip = None
                failure = None
                for spec, path, item in items:
                    failure = check_value(spec, item, path, memo)
                    if failure is not None:
                        break
            except AnnotationError:
                continue  # without that tensor, a symbolic dim has nothing to refer to
            if failure is not None and failure.path == leaf and failure.permutation is not None:
                candidates.append(failure)
    return candidates[0] if len(candidates) == 1 else None


def _local_failure(plan: _Plan, site: LocalSite, value: Any, fast: Memo, line: int) -> None:
    """Explain a failed local check, against dims bound with their origins."""
    arguments = fast.arguments or {}
    memo = plan.slow_memo(arguments)
    _check_arguments(plan, arguments, memo)
    for dim_name, size in fast.single.items():
        if dim_name not in memo.single:
            memo.single[dim_name] = size
            memo.origin[dim_name] = "an earlier local"
    failure = _checked(site.spec, value, site.name, memo)
    if failure is None:
        return
    filename = plan.fn.__code__.co_filename
    error = _shape_error(plan.name, failure)
    declared = f", declared at line {site.line}" if site.line != line else ""
    error.location = f"local variable, line {line} of {filename}{declared}"
    error.args = (error._format(),)
    raise error from None


def _run_engine(
    plan: _Plan,
    engine: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    arguments: dict[str, Any],
) -> None:
    try:
        keeping_random_state(engine, *args, **kwargs)
    except _ENGINE_ERRORS as error:
        raise _engine_error(plan, arguments, error) from None
    except jaxtyping.AnnotationError as error:
        raise AnnotationError(f"{plan.name}: {error}") from None


def _engine_error(plan: _Plan, arguments: dict[str, Any], error: Exception) -> ShapeError:
    """A ShapeError for a verdict that only the engine reached: a non-tensor hint."""
    hints = plan.signature.hints
    for path, value in arguments.items():
        hint = hints.get(path)
        if hint is not None and not keeping_random_state(is_bearable, value, hint):
            text = str(OtherSpec(hint))
            return ShapeError(
                function=plan.name,
                path=path,
                expected=text,
                actual=describe_value(value),
                reason=f"{describe_value(value)} is not a {text}",
            )
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
    return ShapeError(
        function=plan.name,
        path="(arguments)",
        expected="see reason",
        actual="see reason",
        reason=first_line,
    )


def _shape_error(name: str, failure: Failure) -> ShapeError:
    return ShapeError(
        function=name,
        path=failure.path,
        expected=failure.expected,
        actual=failure.actual,
        reason=failure.reason,
        dim=failure.dim,
        bound_value=failure.bound_value,
        bound_at=failure.bound_at,
        actual_value=failure.actual_value,
        permutation=failure.permutation,
    )
