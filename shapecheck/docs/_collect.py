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
from .._runtime._locals import LocalSite, local_annotations
from .._source import function_node, source_file
from .._spec import (
    Fixed,
    Named,
    Signature,
    SizeSpec,
    Spec,
    Step,
    Symbolic,
    TensorSpec,
    leaves,
    signature_of,
)
from .._spec import Path as LeafPath
from .._target import Walk, annotated_members, load_modules
from ._docstring import descriptions as docstring_descriptions
from ._docstring import summary as docstring_summary
from ._model import (
    DocsProblem,
    Example,
    ExampleInstance,
    FixedByModule,
    Flow,
    FlowNode,
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
    rows = _rows(signature, run, descriptions)
    intermediates = _intermediates(sites, run)
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


# ------------------------------------------------------------------- rows


def _rows(
    signature: Signature, run: ExampleRun | None, descriptions: dict[str, str]
) -> tuple[Row, ...]:
    rows: list[Row] = []
    named: list[tuple[str, str, Spec]] = [
        ("argument", param.name, param.spec) for param in signature.params
    ]
    if signature.returns is not None:
        named.append(("return", "return", signature.returns))
    for kind, root, spec in named:
        described = False
        # The options of a union share their path: each is one row, labelled
        # with its array type where the options differ in it, and a repeated
        # option (the same dtype, shape and array type) is shown once.
        options: dict[LeafPath, list[TensorSpec | SizeSpec]] = {}
        for path, leaf in leaves(spec, root):
            options.setdefault(path, []).append(leaf)
        for path, specs in options.items():
            observed, observed_type = _observed_at(run, path)
            shown: list[tuple[TensorSpec | SizeSpec, str | None]] = []
            for leaf, branch in zip(specs, _branch_labels(specs), strict=True):
                if (leaf, branch) in shown:
                    continue
                shown.append((leaf, branch))
            several = len(shown) > 1
            for leaf, branch in shown:
                # Of several options, only those the example value matches
                # show what the run observed.
                seen = observed
                if several and not _matches(leaf, observed, observed_type, run):
                    seen = None
                description = "" if described else descriptions.get(root, "")
                described = described or bool(description)
                rows.append(Row(path, kind, leaf, seen, description, branch))
    return tuple(rows)


def _observed_at(run: ExampleRun | None, path: LeafPath) -> tuple[Observed, type | None]:
    """What the example run saw at `path`, and the type of the value there."""
    if run is None:
        return None, None
    # `state[i]`: the items of a variable-length tuple, shown by the first,
    # which a union may have walked as the tuple's `[0]`.
    for candidate in (path, _first_items(path)):
        if candidate in run.paths:
            return run.paths[candidate], run.types.get(candidate)
    return None, None


def _branch_labels(specs: list[TensorSpec | SizeSpec]) -> list[str | None]:
    """The array type of each option at one path, where it is to be shown.

    Shown where it is not plain `torch.Tensor` (a `LinearOperator`, an
    `nn.Parameter`, a NumPy array), and on every option when the options are
    of different types. Two different classes of the same name are told
    apart by their module.
    """
    types: list[Any] = [spec.array_type if isinstance(spec, TensorSpec) else int for spec in specs]
    differ = len({id(kind) for kind in types}) > 1
    names = [_type_name(kind) for kind in types]
    if len(set(names)) < len({id(kind) for kind in types}):
        names = [_type_name(kind, qualified=True) for kind in types]
    return [
        name if differ or kind not in (torch.Tensor, Any, int) else None
        for name, kind in zip(names, types, strict=True)
    ]


def _type_name(kind: Any, *, qualified: bool = False) -> str:
    if kind is Any:
        return "Any"
    name = str(getattr(kind, "__qualname__", getattr(kind, "__name__", repr(kind))))
    module = getattr(kind, "__module__", None)
    return f"{module}.{name}" if qualified and module else name


def _matches(
    spec: TensorSpec | SizeSpec, observed: Observed, kind: type | None, run: ExampleRun | None
) -> bool:
    """Whether the value the example run passed (its sizes, its type) fits this option."""
    if observed is None or kind is None or run is None:
        return False
    if isinstance(spec, SizeSpec):
        return issubclass(kind, int)
    if spec.array_type is not Any and not (
        isinstance(spec.array_type, type) and issubclass(kind, spec.array_type)
    ):
        return False
    sizes = [size for size in observed if isinstance(size, int)]
    if spec.shape is None:
        return True
    dims, variadic = spec.shape.dims, spec.shape.variadic
    if variadic is None:
        if len(sizes) != len(dims):
            return False
        pairs = list(zip(dims, sizes, strict=True))
    else:
        before, after = dims[:variadic], dims[variadic + 1 :]
        if len(sizes) < len(before) + len(after):
            return False
        pairs = list(zip(before, sizes, strict=False))
        pairs += list(zip(after, sizes[len(sizes) - len(after) :], strict=True))
    for dim, size in pairs:
        if isinstance(dim, Fixed):
            wanted: int | None = dim.size
        elif isinstance(dim, Named):
            wanted = run.sizes.get(dim.name)
        else:
            continue
        if wanted is not None and size != wanted and not (dim.broadcast and size == 1):
            return False
    return True


def _first_items(path: LeafPath) -> LeafPath:
    """`path` with each item of a sequence read as index 0 of a tuple."""
    return LeafPath(
        path.root, tuple(Step("index", 0) if step.kind == "item" else step for step in path.steps)
    )


def _intermediates(
    sites: tuple[LocalSite, ...], run: ExampleRun | None
) -> tuple[Intermediate, ...]:
    found = []
    for site in sites:
        for leaf in leaves(site.spec, site.name):
            if not isinstance(leaf.spec, TensorSpec):
                continue
            for line, expression, op in site.bindings:
                observed = run.locals.get((site.name, line)) if run is not None else None
                found.append(Intermediate(site.name, line, leaf.spec, observed, expression, op))
            break
    return tuple(sorted(found, key=lambda item: item.line))


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
    nodes = [
        FlowNode(row.label, row.spec, row.concrete, None)
        for row in rows
        if row.kind == "argument" and not row.path.steps and row.path.root in roots
    ]
    for item in intermediates:
        nodes.append(FlowNode(item.name, item.spec, item.concrete, item.op or None))
    outputs = [row for row in rows if row.kind == "return"]
    if outputs:
        first = outputs[0]
        nodes.append(FlowNode(first.label, first.spec, first.concrete, "return"))
    slug = f"{fn.__module__}.{qualname}"
    return Flow(title=qualname, slug=slug, nodes=tuple(nodes))


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
