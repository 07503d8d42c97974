"""Target -> Report: every annotated function, its shapes, and what an example run observed.

Functions are found whether or not they are decorated with `check`: any
function or method whose signature or locals carry a jaxtyping annotation is
documented. Concrete sizes are never computed by hand: each function runs at
the package's example sizes with zeros for data (`_observe`, through
`_example.run`), and the shapes observed at its arguments, its return value
and every annotated local are recorded.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

from .._errors import AnnotationError
from .._example import Member
from .._registry import Registry, registry_of
from .._runtime._locals import local_annotations
from .._source import function_node, source_file
from .._spec import (
    Named,
    Signature,
    SizeSpec,
    Symbolic,
    TensorSpec,
    TupleSpec,
    signature_of,
)
from .._spec import Path as LeafPath
from .._target import Walk, annotated_members, load_modules
from ._docstring import descriptions as docstring_descriptions
from ._docstring import summary as docstring_summary
from ._flow import data_flow
from ._model import (
    DocsProblem,
    Example,
    ExampleInstance,
    FixedByModule,
    Flow,
    FunctionDoc,
    GivenBy,
    GlossaryEntry,
    Intermediate,
    ModuleDoc,
    MustAgree,
    Observed,
    Place,
    Relation,
    Report,
    Row,
    SymbolicAxis,
    dim_names,
)
from ._observe import ExampleRun
from ._rows import intermediates as intermediates_of
from ._rows import rows as rows_of

__all__ = ["build_report"]


def build_report(
    target: str,
    example: str | None = None,
    *,
    walk: Walk | None = None,
    registry: Registry | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Report:
    """Everything the docs of `target` say, ready to render. `walk`: the modules a
    package walk keeps; `registry`: one named outside the target; `progress`
    hears of each member before it is documented."""
    modules, attribute = load_modules(target, walk)
    root = _root_of(modules[0])
    registry = registry_of(modules, registry)
    chosen: Example | None = None
    sizes: dict[str, int] = {}
    if example is not None or registry.example_names:
        name = example if example is not None else registry.example_names[0]
        sizes = registry.example(name)
        chosen = Example(name, tuple(sizes.items()))
    problems: list[DocsProblem] = []
    module_docs = []
    members = [(module, list(annotated_members(module, attribute))) for module in modules]
    total, done = sum(len(found) for _, found in members), 0
    for module, found in members:
        documented = []
        for member in found:
            if progress is not None:
                progress(done, total, member.name)
            done += 1
            doc = _document(member, root, registry, sizes, chosen, problems)
            if doc is not None:
                documented.append(doc)
        if documented:
            module_docs.append(ModuleDoc(module.__name__, _summary(module), tuple(documented)))
    return Report(
        target=modules[0].__name__ if attribute is None else target,
        modules=tuple(module_docs),
        glossary=_glossary(module_docs, registry),
        example=chosen,
        problems=tuple(problems),
    )


# ------------------------------------------------------------------ finding


def _root_of(module: ModuleType) -> Path:
    """The folder that holds the target's top package: paths are shown relative to it."""
    top = module.__name__.split(".")[0]
    file = Path(getattr(module, "__file__", "") or ".").resolve()
    parts = len(module.__name__.split(".")) - (0 if file.name == "__init__.py" else 1)
    folder = file.parent
    for _ in range(parts):
        folder = folder.parent
    return folder if (folder / top).exists() or (folder / f"{top}.py").exists() else file.parent


# --------------------------------------------------------------- documenting


def _document(
    member: Member,
    root: Path,
    registry: Registry,
    sizes: dict[str, int],
    example: Example | None,
    problems: list[DocsProblem],
) -> FunctionDoc | None:
    fn, owner = member.function, member.owner
    qualname = fn.__qualname__.replace("<locals>.", "")
    file, line = _location(fn, root)
    try:
        signature = signature_of(fn, member.localns)
        found_locals = local_annotations(fn, member.localns)
    except AnnotationError as error:
        problem = DocsProblem("annotation", file, line, qualname, str(error))
        problems.append(problem)
        return FunctionDoc(
            qualname,
            fn.__module__,
            file,
            line,
            qualname + "(...)",
            _docstring_summary(fn),
            (),
            (),
            (),
            None,
            (problem,),
        )
    sites = tuple(found_locals[2].values()) if found_locals else ()
    if not signature.has_tensors and not sites:
        return None

    member = dataclasses.replace(member, signature=signature)
    run = ExampleRun(member, registry, sizes) if example else None
    descriptions = docstring_descriptions(_own_doc(fn))
    rows = rows_of(signature, run, descriptions)
    intermediates = intermediates_of(sites, run)
    if run is not None:
        intermediates += tuple(run.inlined)
    function_problems = (
        (DocsProblem("example", file, line, qualname, run.problem),)
        if run is not None and run.problem
        else ()
    )
    return FunctionDoc(
        qualname=qualname,
        module=fn.__module__,
        file=file,
        line=line,
        signature=_signature_text(fn),
        summary=_docstring_summary(fn),
        rows=rows,
        intermediates=intermediates,
        relations=_relations(signature, rows, intermediates, run, example),
        flow=_flow(fn, owner, qualname, signature, rows, intermediates, run),
        problems=function_problems,
    )


def _location(fn: Callable[..., Any], root: Path) -> tuple[str, int]:
    """The file that defines `fn`, relative to `root`, and its `def` line."""
    file = Path(source_file(fn) or fn.__code__.co_filename).resolve()
    try:
        shown = file.relative_to(root).as_posix()
    except ValueError:
        shown = file.name
    return shown, _def_line(fn)


def _def_line(fn: Callable[..., Any]) -> int:
    try:
        node, offset = function_node(fn)
    except OSError:
        return int(fn.__code__.co_firstlineno)
    return node.lineno + offset


def _signature_text(fn: Callable[..., Any]) -> str:
    parts = []
    for param in inspect.signature(fn).parameters.values():
        text = param.name
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            text = "*" + text
        elif param.kind is inspect.Parameter.VAR_KEYWORD:
            text = "**" + text
        if param.default is not inspect.Parameter.empty:
            text += f"={param.default!r}"
        parts.append(text)
    return f"{fn.__name__}({', '.join(parts)})"


def _summary(module: ModuleType) -> str:
    return docstring_summary(inspect.getdoc(module) or "")


def _own_doc(fn: Callable[..., Any]) -> str:
    """The function's own docstring, not one inherited from a base class."""
    return inspect.cleandoc(fn.__doc__) if fn.__doc__ else ""


def _docstring_summary(fn: Callable[..., Any]) -> str:
    return docstring_summary(_own_doc(fn))


# -------------------------------------------------------------- relations


def _relations(
    signature: Signature,
    rows: tuple[Row, ...],
    intermediates: tuple[Intermediate, ...],
    run: ExampleRun | None,
    example: Example | None,
) -> tuple[Relation, ...]:
    at = example.name if example is not None else None
    relations: list[Relation] = []
    shaped: list[tuple[LeafPath | str, int | None, TensorSpec, Observed, str | None]] = []
    options: dict[LeafPath | str, int] = {}  # how many rows (union options) each path has
    for row in rows:
        options[row.path] = options.get(row.path, 0) + 1
        if isinstance(row.spec, SizeSpec):
            relations.append(GivenBy(row.spec.name, row.path))
        else:
            shaped.append((row.path, None, row.spec, row.concrete, row.branch))
    places: dict[str, list[Place]] = {}
    # One symbolic axis per place, its union options merged as the dims' are.
    symbolic: dict[tuple[LeafPath | str, int | None, int, str, int | None, bool], list[Place]]
    symbolic = {}
    shaped += [(item.name, item.line, item.spec, item.concrete, None) for item in intermediates]
    for where, line, spec, concrete, branch in shaped:
        shape = spec.shape
        if shape is None:
            continue
        dims = shape.dims
        # Only a tensor's own sizes name its axes, not those of a tuple of tensors.
        sizes = [size for size in concrete or () if isinstance(size, int)]
        for index, dim in enumerate(dims):
            # After a variadic group, axes count from the end.
            after = shape.variadic is not None and index > shape.variadic
            axis = index - len(dims) if after else index
            if isinstance(dim, Named):
                place = Place(where, line, axis, dim.broadcast, branch)
                places.setdefault(dim.name, []).append(place)
            elif isinstance(dim, Symbolic):
                size = sizes[index] if len(sizes) == len(dims) else None
                place = Place(where, line, axis, False, branch)
                key = (where, line, axis, dim.expr, size, dim.broadcast)
                symbolic.setdefault(key, []).append(place)
    relations += [
        MustAgree(name, merged)
        for name, found in places.items()
        if len(merged := _merge_options(found, options)) >= 2
    ]
    relations += [
        SymbolicAxis(place, expr, size, at, broadcast)
        for (*_, expr, size, broadcast), found in symbolic.items()
        for place in _merge_options(found, options)
    ]
    if run is not None and run.factory is not None:
        relations.append(ExampleInstance(run.factory))
    if run is not None and run.instance is not None:
        dims_of = getattr(type(run.instance), "__shapecheck_dims__", None)
        if dims_of is not None:
            relations.append(FixedByModule(tuple(dims_of(run.instance).items()), at))
    return tuple(relations)


def _merge_options(found: list[Place], options: dict[LeafPath | str, int]) -> tuple[Place, ...]:
    """`found` with the places of a union's options merged: an axis that every
    option of its path has alike is one place, without a label; one that only
    some options have is a place per option, each labelled with its array type
    (where the options differ in it)."""
    groups: dict[tuple[LeafPath | str, int | None, int, bool], list[Place]] = {}
    for place in found:
        groups.setdefault((place.where, place.line, place.axis, place.broadcast), []).append(place)
    merged: list[Place] = []
    for group in groups.values():
        branches = list(dict.fromkeys(place.branch for place in group))
        if len(group) >= options.get(group[0].where, 1) or branches == [None]:
            merged.append(dataclasses.replace(group[0], branch=None))
        else:
            merged += [dataclasses.replace(group[0], branch=branch) for branch in branches]
    return tuple(merged)


# ------------------------------------------------------------------- flows


def _flow(
    fn: Callable[..., Any],
    owner: type | None,
    qualname: str,
    signature: Signature,
    rows: tuple[Row, ...],
    intermediates: tuple[Intermediate, ...],
    run: ExampleRun | None,
) -> Flow | None:
    is_forward = (
        owner is not None and fn.__name__ == "forward" and issubclass(owner, torch.nn.Module)
    )
    if not intermediates and not is_forward:
        return None
    roots = {param.name for param in signature.params if isinstance(param.spec, TensorSpec)}
    arguments = [  # a tensor, or an item of a tuple (a state's `state[0]`), not fields
        row
        for row in rows
        if row.kind == "argument"
        and row.path.root in roots | _tuples(signature)
        and all(step.kind == "index" for step in row.path.steps)
        and len(row.path.steps) <= 1
    ]
    returns = [row for row in rows if row.kind == "return"]
    slug = f"{fn.__module__}.{qualname}"
    try:
        node, _ = function_node(fn)
    except (OSError, TypeError, SyntaxError):
        return None
    return data_flow(node, qualname, slug, arguments, returns, intermediates)


def _tuples(signature: Signature) -> set[str]:
    return {param.name for param in signature.params if isinstance(param.spec, TupleSpec)}


# ------------------------------------------------------------------- glossary


def _glossary(modules: list[ModuleDoc], registry: Registry) -> tuple[GlossaryEntry, ...]:
    used: dict[str, list[str]] = {}
    for module in modules:
        for function in module.functions:
            name = f"{module.name}.{function.qualname}"
            specs = [row.spec for row in function.rows]
            specs += [item.spec for item in function.intermediates]
            for spec in specs:
                for dim in dim_names(spec):
                    users = used.setdefault(dim, [])
                    if name not in users:
                        users.append(name)
    return tuple(
        GlossaryEntry(dim, registry.describe(dim), tuple(users))
        for dim, users in sorted(used.items())
    )
