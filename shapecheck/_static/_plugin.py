"""The mypy plugin: jaxtyping dim strings read, carried on types, unified at calls.

Hooks, by what mypy asks:

- `get_type_analyze_hook("typing.Annotated")`: `Float[Tensor, "..."]` is
  `Annotated[Tensor, "..."]` under mypy. mypy's own analysis runs first (the
  plugin gives way for that one lookup), then a jaxtyping annotation's dim
  string is parsed (`parse_shape`, the linter's SC101 message when it is
  malformed) and put on the resulting `Instance` (`_carry`).
- `get_additional_deps` and `get_type_analyze_hook(<array type>)`: the same for
  the jaxtyping subscripts of type aliases, which mypy strips first (`_aliases`).
- `get_function_hook` / `get_method_hook`: a call of a function, method,
  class or `nn.Module` whose signature has shapes; its arguments' shapes are
  unified with its parameters' (`_unify`), the first mismatch is an error at
  the argument, and the return type's shapes are rewritten in the caller's
  dims (unknown ones as `_`), so that no callee name leaks into the caller.
- `get_function_hook("shapecheck.mypy.reveal_shape")`: a note with the shape.
- `report_config_data`: the plugin's version and a hash of its sources and of
  the dim-string parser, so that a new parser or plugin invalidates the cache.

No hook lets an exception of the plugin's own reach mypy: a call it cannot
read is left unchecked (with SHAPECHECK_MYPY_DEBUG=1, as in the tests, the
exception is raised instead).
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from mypy.errorcodes import ErrorCode
from mypy.nodes import ARG_STAR, ARG_STAR2, MypyFile, TypeAlias, TypeInfo
from mypy.options import Options
from mypy.plugin import (
    AnalyzeTypeContext,
    FunctionContext,
    MethodContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import AnyType, Instance, TupleType, Type, TypeOfAny, get_proper_type

from .. import __version__
from .._errors import AnnotationError
from .._lint._annotations import DTYPES
from .._spec import parse_shape
from ._aliases import alias_sites
from ._calls import (
    Callee,
    arguments,
    declared_type,
    function_callee,
    leaves_of,
    method_callee,
    source_of,
)
from ._carry import (
    Declarations,
    Reader,
    carry,
    dim_string,
    parsed,
    rewrite_shapes,
    shape_of,
    without_none,
)
from ._unify import Call, Leaf

__all__ = ["SHAPE", "SHAPE_ANNOTATION", "ShapecheckPlugin"]

SHAPE = ErrorCode("shape", "Argument shapes that do not unify with the parameters'", "shapecheck")
SHAPE_ANNOTATION = ErrorCode(
    "shape-annotation", "A malformed dim string (shapecheck lint's SC101)", "shapecheck"
)

ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
REVEAL = frozenset({"shapecheck.mypy.reveal_shape", "shapecheck.reveal_shape"})

_ROOT = Path(__file__).resolve().parent.parent
_SOURCES = (
    "_spec/_dims.py",
    "mypy.py",
    "_static/__init__.py",
    "_static/_aliases.py",
    "_static/_calls.py",
    "_static/_carry.py",
    "_static/_plugin.py",
    "_static/_unify.py",
)
"""What the plugin's verdicts depend on: the dim-string parser and the plugin itself."""


def _reraise_when_debugging() -> None:
    """Re-raise the exception being handled when SHAPECHECK_MYPY_DEBUG=1 (the tests set it):
    otherwise a bug of the plugin would only leave calls unchecked."""
    if os.environ.get("SHAPECHECK_MYPY_DEBUG") == "1":
        raise


def _config_data() -> dict[str, str]:
    digest = hashlib.sha256()
    for name in _SOURCES:
        digest.update(name.encode())
        try:
            digest.update((_ROOT / name).read_bytes())
        except OSError:
            digest.update(b"?")
    return {"shapecheck": __version__, "sources": digest.hexdigest()}


def describe(typ: Type, read: Reader = shape_of) -> str | None:
    """A type's shapes as `reveal_shape` shows them: `"batch hiddens"`, `tuple["a", "b"]`."""
    proper = without_none(get_proper_type(typ))
    if isinstance(proper, Instance):
        text = read(proper)
        return None if text is None else f'"{text}"'
    if isinstance(proper, TupleType):
        items = [describe(item, read) for item in proper.items]
        if any(item is not None for item in items):
            return "tuple[" + ", ".join(item or "unknown" for item in items) + "]"
    return None


def _in_caller_terms(call: Call, text: str) -> str | None:
    shape = parsed(text)
    if shape is None:
        return None
    new = call.substitute(shape)
    return new if new is not None and parsed(new) is not None else None


class ShapecheckPlugin(Plugin):
    """Shapes read from jaxtyping annotations, carried on types, unified at calls."""

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self._sites: dict[tuple[str, int, int], str] = {}
        self._heads: set[str] = set()
        # The full names whose next type-analysis lookup gives way to mypy,
        # and the types being analysed that way (a guard against re-entry).
        self._declined: set[str] = set()
        self._busy: set[int] = set()
        self._classes: set[str] = set()  # full names known to be classes, not aliases
        self._declarations = Declarations()
        self._config = _config_data()

    def report_config_data(self, ctx: ReportConfigContext) -> dict[str, str]:
        if not ctx.is_check:  # mypy is about to write the module's cache
            try:
                self._declarations.restore(ctx.id)
            except Exception:  # noqa: BLE001  (never crash mypy)
                _reraise_when_debugging()
        return self._config

    # ------------------------------------------------------------ annotations

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        try:
            for site in alias_sites(file):
                self._sites[(site.module, site.line, site.column)] = site.text
                self._heads.add(site.head)
        except Exception:  # noqa: BLE001  (never crash mypy: the aliases stay unshaped)
            _reraise_when_debugging()
        return []

    def get_type_analyze_hook(self, fullname: str) -> Callable[[AnalyzeTypeContext], Type] | None:
        if fullname in self._declined:
            self._declined.discard(fullname)
            return None
        if fullname in ANNOTATED:
            return functools.partial(self._annotated, fullname)
        if self._heads and fullname.rpartition(".")[2] in self._heads:
            return functools.partial(self._alias_head, fullname)
        text = self._alias_shape(fullname)
        if text is not None:
            return functools.partial(self._alias_use, fullname, text)
        return None

    def set_modules(self, modules: dict[str, MypyFile]) -> None:
        super().set_modules(modules)
        self._classes.clear()

    def _alias_shape(self, fullname: str) -> str | None:
        """The dim string of an alias of a bare class, `Hidden = Float[Tensor, "..."]`."""
        if fullname in self._classes:
            return None
        try:
            sym = self.lookup_fully_qualified(fullname)
        except Exception:  # noqa: BLE001  (never crash mypy: the name stays unshaped)
            _reraise_when_debugging()
            return None
        node = sym.node if sym is not None else None
        if isinstance(node, TypeInfo):
            self._classes.add(fullname)  # the most asked, and never an alias within a build
        if not isinstance(node, TypeAlias) or not node.no_args:
            return None
        return self._declarations.shape(node.target)

    def _default(self, ctx: AnalyzeTypeContext, fullname: str) -> Type:
        """mypy's own analysis of the type, as without the plugin."""
        t = ctx.type
        if id(t) in self._busy:  # mypy did not ask again: analyse as it would
            if fullname in ANNOTATED:
                return ctx.api.analyze_type(t.args[0]) if t.args else AnyType(TypeOfAny.from_error)
            return AnyType(TypeOfAny.special_form)
        self._busy.add(id(t))
        self._declined.add(fullname)
        try:
            return ctx.api.analyze_type(t)
        finally:
            self._busy.discard(id(t))
            self._declined.discard(fullname)

    def _annotated(self, fullname: str, ctx: AnalyzeTypeContext) -> Type:
        analyzed = self._default(ctx, fullname)
        t = ctx.type
        if len(t.args) < 2 or t.name.rpartition(".")[2] not in DTYPES:
            return analyzed
        text = dim_string(t.args[1])
        return analyzed if text is None else self._shaped(ctx, analyzed, text)

    def _alias_head(self, fullname: str, ctx: AnalyzeTypeContext) -> Type:
        analyzed = self._default(ctx, fullname)
        t = ctx.type
        module = getattr(getattr(ctx.api, "api", None), "cur_mod_id", None)
        text = self._sites.get((module, t.line, t.column)) if isinstance(module, str) else None
        if text is None or t.args:
            return analyzed
        return self._shaped(ctx, analyzed, text)

    def _alias_use(self, fullname: str, text: str, ctx: AnalyzeTypeContext) -> Type:
        # mypy expands an alias of a bare class to a new Instance, without the
        # target's extra_attrs: the alias's shape goes back on.
        analyzed = self._default(ctx, fullname)
        if ctx.type.args:
            return analyzed
        return self._declare(ctx, analyzed, text)

    def _declare(self, ctx: AnalyzeTypeContext, analyzed: Type, text: str) -> Type:
        """The analysed type of an annotation with its shape on, remembered as declared."""
        try:
            module = getattr(getattr(ctx.api, "api", None), "cur_mod_id", None)
            shaped = carry(analyzed, text)
            return self._declarations.add(shaped, module if isinstance(module, str) else None)
        except Exception:  # noqa: BLE001  (never crash mypy: the type stays unshaped)
            _reraise_when_debugging()
            return analyzed

    def _shaped(self, ctx: AnalyzeTypeContext, analyzed: Type, text: str) -> Type:
        try:
            parse_shape(text)
        except AnnotationError as error:
            ctx.api.fail(str(error), ctx.context, code=SHAPE_ANNOTATION)
            return analyzed
        return self._declare(ctx, analyzed, text)

    # ------------------------------------------------------------------ calls

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        if fullname in REVEAL:
            return self._reveal
        try:
            callee = function_callee(self, fullname, self._declarations.shape)
        except Exception:  # noqa: BLE001  (never crash mypy: the call stays unchecked)
            _reraise_when_debugging()
            return None
        return None if callee is None else functools.partial(self._call, callee)

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        try:
            callee = method_callee(self, fullname, self._declarations.shape)
        except Exception:  # noqa: BLE001  (never crash mypy: the call stays unchecked)
            _reraise_when_debugging()
            return None
        return None if callee is None else functools.partial(self._call, callee)

    def _call(self, callee: Callee, ctx: FunctionContext | MethodContext) -> Type:
        try:
            return self._check(callee, ctx)
        except Exception:  # noqa: BLE001  (never crash mypy: the call stays unchecked)
            _reraise_when_debugging()
            return ctx.default_return_type

    def _check(self, callee: Callee, ctx: FunctionContext | MethodContext) -> Type:
        found = arguments(ctx, callee)
        if found is None:
            return ctx.default_return_type
        sig, formals = found
        declared = self._declarations.shape
        leaves: list[Leaf] = []
        where = []
        for index, actuals in enumerate(formals):
            name = sig.arg_names[index] or str(index + 1)
            kind = sig.arg_kinds[index]
            for position, actual in enumerate(actuals):
                if actual.kind in (ARG_STAR, ARG_STAR2):
                    continue  # *xs or **kw of the caller: their items are unknown
                path = name
                if kind == ARG_STAR:
                    path = f"{name}[{position}]"
                elif kind == ARG_STAR2:
                    path = f"{name}[{actual.name!r}]"
                formal, expr = sig.arg_types[index], actual.expr
                source = source_of(expr) or path
                before = len(leaves)
                leaves_of(formal, actual.type, expr, path, source, leaves, (declared, shape_of))
                annotation = declared_type(expr, actual.type)
                if len(leaves) == before and annotation is not None:
                    leaves_of(formal, annotation, expr, path, source, leaves, (declared, declared))
                where += [expr] * (len(leaves) - before)
        call = Call()
        mismatch = call.unify(leaves)
        if mismatch is not None:
            at = next(i for i, leaf in enumerate(leaves) if leaf is mismatch.leaf)
            ctx.api.fail(mismatch.message(callee.label), where[at], code=SHAPE)
        if callee.via_call:
            return ctx.default_return_type
        rewrite = functools.partial(_in_caller_terms, call)
        return rewrite_shapes(sig.ret_type, ctx.default_return_type, rewrite, declared)

    def _reveal(self, ctx: FunctionContext) -> Type:
        try:
            if ctx.args and ctx.args[0]:
                expr, typ = ctx.args[0][0], ctx.arg_types[0][0]
                text = describe(typ)
                annotation = declared_type(expr, typ)
                if text is None and annotation is not None:
                    text = describe(annotation, self._declarations.shape)
                ctx.api.msg.note(f"Revealed shape is {text or 'unknown'}", ctx.context)
        except Exception:  # noqa: BLE001  (never crash mypy: no note)
            _reraise_when_debugging()
        return ctx.default_return_type
