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
import re
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
from .._target import annotated_members, load_modules
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


def build_report(target: str, example: str | None = None) -> Report:
    """Everything the docs of `target` say, ready to render."""
    modules, attribute = load_modules(target)
    root = _root_of(modules[0])
    registry = registry_of(modules)
    chosen: Example | None = None
    sizes: dict[str, int] = {}
    if example is not None or registry.example_names:
        name = example if example is not None else registry.example_names[0]
        sizes = registry.example(name)
        chosen = Example(name, tuple(sizes.items()))
    problems: list[DocsProblem] = []
    module_docs = []
    for module in modules:
        documented = [
            doc
            for member in annotated_members(module, attribute)
            if (doc := _document(member, root, registry, sizes, chosen, problems))
        ]
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
    descriptions = _arg_descriptions(fn)
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
    doc = inspect.getdoc(module) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _own_doc(fn: Callable[..., Any]) -> str:
    """The function's own docstring, not one inherited from a base class."""
    return inspect.cleandoc(fn.__doc__) if fn.__doc__ else ""


def _docstring_summary(fn: Callable[..., Any]) -> str:
    doc = _own_doc(fn)
    return " ".join(doc.split("\n\n")[0].split())


_SECTION = re.compile(r"^(Args|Arguments|Parameters|Returns|Yields):\s*$")
_OTHER_SECTION = re.compile(r"^[A-Z][A-Za-z ]*:\s*$")
_ARG = re.compile(r"^\s*[-*]?\s*`?(\*{0,2}\w+)`?\s*(?:\([^)]*\))?\s*:\s*(.+)$")


def _arg_descriptions(fn: Callable[..., Any]) -> dict[str, str]:
    """Descriptions from the docstring's `Args:` and `Returns:` sections."""
    doc = _own_doc(fn)
    found: dict[str, str] = {}
    section = None
    last = None
    for line in doc.splitlines():
        header = _SECTION.match(line.strip())
        if header:
            section = header.group(1)
            last = None
            continue
        if _OTHER_SECTION.match(line):
            section = None  # Raises:, Example:, Note: ... end the arguments
            continue
        if section is None or not line.strip():
            continue
        if section in ("Returns", "Yields"):
            found["return"] = (found.get("return", "") + " " + line.strip()).strip()
            continue
        match = _ARG.match(line)
        if match and line.startswith(("  ", "    ", "- ", "* ", "`")) or (match and last is None):
            assert match is not None
            last = match.group(1).lstrip("*")
            found[last] = match.group(2).strip()
        elif last is not None:
            found[last] += " " + line.strip()
    return found


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
        for path, leaf in leaves(spec, root):
            observed = None
            if run is not None:
                # `state[i]`: the items of a variable-length tuple, shown by the
                # first, which a union may have walked as the tuple's `[0]`.
                observed = run.paths.get(path, run.paths.get(_first_items(path)))
            description = "" if described else descriptions.get(root, "")
            described = described or bool(description)
            rows.append(Row(path, kind, leaf, observed, description))
    return tuple(rows)


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
    shaped: list[tuple[LeafPath | str, int | None, TensorSpec, Observed]] = []
    for row in rows:
        if isinstance(row.spec, SizeSpec):
            relations.append(GivenBy(row.spec.name, row.path))
        else:
            shaped.append((row.path, None, row.spec, row.concrete))
    places: dict[str, list[Place]] = {}
    symbolic: list[Relation] = []
    shaped += [(item.name, item.line, item.spec, item.concrete) for item in intermediates]
    for where, line, spec, concrete in shaped:
        shape = spec.shape
        if shape is None:
            continue
        dims = shape.dims
        # Only a tensor's own sizes name its axes, not those of a tuple of tensors.
        sizes = [size for size in concrete or () if isinstance(size, int)]
        for index, dim in enumerate(dims):
            # After a variadic group, axes count from the end.
            after = shape.variadic is not None and index > shape.variadic
            place = Place(where, line, index - len(dims) if after else index)
            if isinstance(dim, Named):
                places.setdefault(dim.name, []).append(place)
            elif isinstance(dim, Symbolic):
                size = sizes[index] if len(sizes) == len(dims) else None
                symbolic.append(SymbolicAxis(place, dim.expr, size, at))
    relations += [
        MustAgree(name, tuple(where)) for name, where in places.items() if len(where) >= 2
    ]
    relations.extend(symbolic)
    if run is not None and run.factory is not None:
        relations.append(ExampleInstance(run.factory))
    if run is not None and run.instance is not None:
        dims_of = getattr(type(run.instance), "__shapecheck_dims__", None)
        if dims_of is not None:
            relations.append(FixedByModule(tuple(dims_of(run.instance).items()), at))
    return tuple(relations)


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
        FlowNode(str(row.path), row.spec, row.concrete, None)
        for row in rows
        if row.kind == "argument" and not row.path.steps and row.path.root in roots
    ]
    for item in intermediates:
        nodes.append(FlowNode(item.name, item.spec, item.concrete, item.op or None))
    outputs = [row for row in rows if row.kind == "return"]
    if outputs:
        first = outputs[0]
        nodes.append(FlowNode(str(first.path), first.spec, first.concrete, "return"))
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
