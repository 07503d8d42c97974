"""What one checked function needs at call time, built once: its parsed
signature, its fast wrapper, its annotated locals, and its slow path.

Every violation the slow path finds is raised as a `ShapeError`, or in survey
mode recorded (`_survey.record`), and the call then goes on as if unchecked:
the original function runs, its result is returned unchanged.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any

from .._spec import Signature, signature_of
from ._compile import compile_value_checker
from ._engine import (
    EngineVerdict,
    engine_for,
    engine_rejects,
    pop_dims,
    push_dims,
)
from ._explain import (
    argument_items,
    bind_instance_dims,
    check_arguments,
    check_path,
    local_failure,
    run_engine,
    shape_error,
    violation,
)
from ._failures import device_failure
from ._generate import generate
from ._locals import LocalSite, frames, instrument
from ._recording import register
from ._values import Memo, tensor_leaves

__all__ = ["RETURN", "Options", "Plan"]

RETURN = "__shapecheck_return__"


class Options(typing.NamedTuple):
    same_device: bool = False


class Plan:
    """What one checked function needs at call time, built once."""

    def __init__(
        self,
        fn: Callable[..., Any],
        name: str,
        localns: dict[str, Any] | None,
        options: Options,
        lenient: bool = False,
        signature: Signature | None = None,
    ) -> None:
        self.fn = fn
        self.name = name
        self.same_device = options.same_device
        self.signature = signature or signature_of(fn, localns, lenient)
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
            register(self)
        self.fast = generate(self)

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
        parameters.insert(position, inspect.Parameter(RETURN, inspect.Parameter.KEYWORD_ONLY))
        signature = inspect.Signature(parameters, return_annotation=returns)
        return engine_for(self.fn, signature, returned=RETURN)

    # The hooks an instrumented body calls after each bind of an annotated local.

    def local_hook(self, k: int, value: Any, line: int) -> None:
        stack = frames.stack
        if not stack:
            return
        memo = stack[-1]
        if not self.site_checkers[k](value, memo):
            local_failure(self, self.sites[k], value, memo, line)

    def recording_hook(self, k: int, value: Any, line: int) -> None:
        """`local_hook`, and the value recorded for the tools (`_recording`)."""
        self.local_hook(k, value, line)
        stack, recorder = frames.stack, frames.recorder
        if stack and recorder is not None:
            arguments = stack[-1].arguments
            owner = arguments.get("self") if arguments else None
            recorder.append((self, self.sites[k].name, line, value, owner))

    # The slow path: explain, then defer to the engine.

    def slow_memo(self, arguments: dict[str, Any]) -> Memo:
        memo = Memo(arguments)
        if self.method:
            bind_instance_dims(arguments["self"], memo)
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

    def check_devices(self, arguments: dict[str, Any], *returned: Any) -> bool:
        """True when the call's tensors sit on one device; otherwise its
        `ShapeError` raised, or in survey mode recorded (then False)."""
        if not self.same_device:
            return True
        leaves = [
            leaf
            for spec, path, value in argument_items(self, arguments)
            for leaf in tensor_leaves(spec, value, path)
        ]
        if returned and self.signature.returns is not None:
            leaves += tensor_leaves(self.signature.returns, returned[0], "return")
        failure = device_failure(leaves)
        if failure is None:
            return True
        violation(self, shape_error(self.name, failure))
        return False

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
        # The passed arguments, each `*args` item on its own, as the engine sees them.
        checks = [(value, spec.hint) for spec, _, value in argument_items(self, passed)]
        if returned and "return" in hints:
            checks.append((returned[0], hints["return"]))
        if not engine_rejects(checks):
            return None
        call_kwargs = {**kwargs, RETURN: returned[0]} if returned else kwargs
        return EngineVerdict(engine, args, call_kwargs)

    def explained(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], Memo] | None:
        """Check the arguments on the slow path: the ones passed, and their
        memo; None when they fail in survey mode (the violation recorded)."""
        passed, full = self.bind(args, kwargs)
        memo = self.slow_memo(full)
        failure = check_arguments(self, passed, memo)
        if failure is not None:
            cause = functools.partial(self.engine_cause, self.engine_args, args, kwargs)
            violation(self, shape_error(self.name, failure), cause)
            return None
        return passed, memo

    def slow_call(self, *args: Any, **kwargs: Any) -> Any:
        try:
            self.bind(args, kwargs)
        except TypeError:
            return self.fn(*args, **kwargs)  # let Python report the bad call itself
        explained = self.explained(args, kwargs)
        if explained is None:  # survey mode: recorded, the call goes on unchecked
            return self.fn(*args, **kwargs)
        passed, memo = explained
        if not (
            self.check_devices(passed) and run_engine(self, self.engine_args, args, kwargs, passed)
        ):
            return self.fn(*args, **kwargs)  # as above
        stack = frames.stack
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
        the body left them. In survey mode `out` is returned whatever the
        verdict, any violation recorded."""
        explained = self.explained(args, kwargs)
        if explained is None:
            return out
        passed, memo = explained
        for dim_name, size in single.items():
            if dim_name not in memo.single:
                memo.single[dim_name] = size
                memo.origin[dim_name] = "the function body"
        for dim_name, group in variadic.items():
            memo.variadic.setdefault(dim_name, group)
        failure = None
        if self.signature.returns is not None:
            failure = check_path(self.signature.returns, out, "return", memo)
        if failure is not None:
            cause = functools.partial(self.engine_cause, self.engine_full, args, kwargs, (out,))
            violation(self, shape_error(self.name, failure), cause)
            return out
        if self.check_devices(passed, out) and self.engine_full is not None:
            run_engine(
                self, self.engine_full, args, {**kwargs, RETURN: out}, {**passed, "return": out}
            )
        return out
