"""`shapecheck summary`: a layer-by-layer table of an `nn.Module`, in named dims.

MODEL is the name of a registry factory (`Registry.factory`), or
`MODULE:CALLABLE` for a callable `build(sizes, device) -> nn.Module`, or one
of no arguments (a model of fixed sizes: built once, then moved to the meta
device). Its dims are the registry's: `--registry` first, then the ones TARGET
declares; for `MODULE:CALLABLE`, TARGET defaults to MODEL itself, so the
registry of the callable's module is read.

The model is built and run on the meta device, with no data and no autograd,
at three assignments of distinct primes to the dims; the dims the model fixes
itself (`__shapecheck_dims__`) are read from each instance. Its inputs are made
from the annotations of its `forward` as `verify` makes them (a state from the
instance's `begin_state`), or, for a `forward` without shapes, from `--input`
dim strings. A forward hook on every submodule records the shapes of the
tensors its first call takes and returns, inside tuples and dicts too. Each
axis is named by the simplest dim expression that fits its size in every run:
with distinct primes a coincidence does not survive three runs. An axis that
no expression fits is shown as its size in the first run with a `?`, and is
listed at the end.

The parameters are counted on one more build, at the registry's example sizes
(the first example, or `--example`), on meta, where a count costs no memory.
A row's count is of every parameter below its module, its children's too.

Example
```python
import shapecheck
from shapecheck._registry import Factory
from shapecheck._summary import Model, render, summarize
from torch import nn

dims = shapecheck.Registry(dims={"batch": "rows", "width": "features"})
build = Factory("mlp", nn.Sequential, lambda sizes, device: nn.Sequential(
    nn.Linear(sizes["width"], 2 * sizes["width"], device=device), nn.ReLU()))
summary = summarize(Model(build, dims), inputs=["batch width"])
assert [row.name for row in summary.layers] == ["", "0", "1"]
assert summary.shapes(summary.layers[1].outputs) == ["batch 2*width"]
assert summary.layers[1].params == 7 * 14 + 14  # no example: at the first run's width, 7
assert "  1 (ReLU)" in render(summary, "text")
```
"""

from __future__ import annotations

import ast
import inspect
import json
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import torch
from torch import nn

from ._annotate._infer import Expr, explain
from ._annotate._infer import render as render_expr
from ._annotate._runs import prime_assignments
from ._config import raising
from ._project import Project
from ._registry import Factory, Registry, registry_of
from ._spec import (
    Named,
    Signature,
    Spec,
    Symbolic,
    TensorSpec,
    leaves,
    parse_shape,
    signature_of,
)
from ._synth import SynthError, made_by_instance, synth_arguments, synth_value
from ._target import _one_line, load_modules

__all__ = [
    "Axis",
    "Counted",
    "Layer",
    "Model",
    "Summary",
    "SummaryError",
    "Unnamed",
    "as_json",
    "find_model",
    "is_callable_ref",
    "render",
    "summarize",
]

RUNS = 3
DEVICE = "meta"

Format = Literal["text", "markdown", "json"]
Side = Literal["input", "output"]
Shape = tuple["Axis", ...]


class SummaryError(Exception):
    """A model that cannot be found, built or run; its text is one line."""


# ------------------------------------------------------------------ records


class Model(NamedTuple):
    """What MODEL names: the factory that builds it, the registry of its dims,
    and whether it takes sizes at all (`sized`: False for a callable of no
    arguments, whose sizes are its own)."""

    factory: Factory
    registry: Registry
    sized: bool = True


@dataclass(frozen=True)
class Axis:
    """One axis of a recorded tensor: its size in each run, and the dim
    expression that fits them all (None: none does)."""

    sizes: tuple[int, ...]
    expr: Expr | None


@dataclass(frozen=True)
class Layer:
    """One row: a submodule (`name` dotted, `""` for the model itself), the
    shapes of the tensors its first call took and returned, and its parameters."""

    name: str
    cls: str
    depth: int
    calls: int
    inputs: tuple[Shape, ...]
    outputs: tuple[Shape, ...]
    params: int
    trainable: int


@dataclass(frozen=True)
class Unnamed:
    """An axis no dim expression explains: where it is, and its size in each run."""

    layer: str
    side: Side
    index: int
    axis: int
    sizes: tuple[int, ...]


@dataclass(frozen=True)
class Counted:
    """The sizes the parameters were counted at: a named example's, the first
    run's (the registry has no example), or the model's own (`example` None)."""

    example: str | None
    sizes: Mapping[str, int]
    at: Literal["example", "run", "built"]


@dataclass(frozen=True)
class Summary:
    """A model's layers in named dims, with what they were named from."""

    model: str
    cls: str
    layers: tuple[Layer, ...]
    runs: tuple[Mapping[str, int], ...]
    counted: Counted
    # A product's factors: as an annotation writes it (`steps*batch`), else in
    # the order the dims first show as whole axes, as the layers returned.
    order: tuple[str, ...] = ()
    written: Mapping[frozenset[str], tuple[str, ...]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.layers[0].params

    @property
    def trainable(self) -> int:
        return self.layers[0].trainable

    def dim(self, axis: Axis) -> str:
        """One axis as a dim-string element; `17?` for a size with no name."""
        if axis.expr is None:
            return f"{axis.sizes[0]}?"
        order = self.written.get(frozenset(axis.expr.names), self.order)
        return render_expr(axis.expr, order)

    def shapes(self, shapes: Iterable[Shape]) -> list[str]:
        """Each shape as a dim string (`steps batch 2*hiddens`)."""
        return [" ".join(self.dim(axis) for axis in shape) for shape in shapes]

    def rows(self, depth: int | None = None) -> list[Layer]:
        """The layers down to `depth` (the model itself is depth 0); all by default."""
        return [layer for layer in self.layers if depth is None or layer.depth <= depth]

    def unnamed(self, depth: int | None = None) -> list[Unnamed]:
        """The axes of the rows down to `depth` that no dim expression explains."""
        found = []
        for layer in self.rows(depth):
            sides: tuple[tuple[Side, tuple[Shape, ...]], ...] = (
                ("input", layer.inputs),
                ("output", layer.outputs),
            )
            for side, shapes in sides:
                for index, shape in enumerate(shapes):
                    for number, axis in enumerate(shape):
                        if axis.expr is None:
                            found.append(Unnamed(layer.name, side, index, number, axis.sizes))
        return found


# -------------------------------------------------------------- finding MODEL

_CALLABLE = re.compile(r"^[^:\s()]+:[A-Za-z_][\w.]*$")


def is_callable_ref(text: str) -> bool:
    """Whether MODEL names a callable (`module:callable`, `file.py:callable`)
    rather than a registry factory (`RNNModel(nn.LSTM, 2 layers, bidirectional)`)."""
    return _CALLABLE.match(text) is not None


def find_model(text: str, project: Project) -> Model:
    """The model MODEL names, with the registry of the project's targets (after
    the one named outside them) and, for a callable, of its module."""
    modules = [
        module for target in project.targets for module in load_modules(target, project.walk)[0]
    ]
    if not is_callable_ref(text):
        registry = registry_of(modules, project.registry)
        return Model(_factory_named(text, registry), registry)
    found, attribute = load_modules(text, project.walk)
    registry = registry_of([*modules, *found], project.registry)
    build = operator.attrgetter(attribute or "")(found[0])  # `is_callable_ref`: one is named
    if not callable(build):
        raise SummaryError(f"{text!r} is a {type(build).__name__}, not a callable")
    if _takes_sizes(build):
        return Model(Factory(text, nn.Module, build), registry)
    return Model(Factory(text, nn.Module, _built_once(build)), registry, sized=False)


def _factory_named(name: str, registry: Registry) -> Factory:
    modules = [f for f in registry.factories if issubclass(f.cls, nn.Module)]
    for factory in registry.factories:
        if factory.name == name:
            if factory not in modules:
                raise SummaryError(
                    f"factory {name!r} builds a {factory.cls.__name__}, not an nn.Module"
                )
            return factory
    known = ", ".join(repr(f.name) for f in modules) or "none"
    raise SummaryError(
        f"no factory named {name!r} (MODEL is a factory's name or MODULE:CALLABLE); known: {known}"
    )


def _takes_sizes(build: Callable[..., Any]) -> bool:
    """Whether `build` takes `(sizes, device)`; if not, it must take nothing."""
    try:
        signature = inspect.signature(build)
    except (TypeError, ValueError):
        return True  # a builtin that says nothing: called as a factory
    tries: tuple[tuple[Any, ...], ...] = (({}, DEVICE), ())
    for arguments in tries:
        try:
            signature.bind(*arguments)
        except TypeError:
            continue
        return bool(arguments)
    raise SummaryError(f"{build.__qualname__}{signature} must take (sizes, device) or no arguments")


def _built_once(make: Callable[[], Any]) -> Callable[[Mapping[str, int], str], Any]:
    """A factory of the one model `make()` builds: built once, at its own sizes."""
    built: list[Any] = []

    def build(sizes: Mapping[str, int], device: str) -> Any:
        if not built:
            built.append(make())
        return built[0]

    return build


# ----------------------------------------------------------------- running


@dataclass
class _Seen:
    """A submodule's first call in one run: the shapes of its tensors."""

    inputs: list[tuple[int, ...]]
    outputs: list[tuple[int, ...]]
    calls: int = 1


@dataclass
class _Run:
    """One run: the sizes in force (the model's own dims written in), each
    submodule's name and class in the model's order, and what was seen of
    them in the order their calls returned."""

    sizes: dict[str, int]
    modules: dict[str, str]
    seen: dict[str, _Seen]
    written: dict[frozenset[str], tuple[str, ...]]


def summarize(model: Model, *, example: str | None = None, inputs: Sequence[str] = ()) -> Summary:
    """The table of `model`: run at three prime assignments on the meta device,
    counted at the example sizes; `inputs`, a dim string per positional
    argument of `forward`, stand in for its annotations."""
    specs = [_input_spec(text) for text in inputs]
    names = _dim_names(model.registry, specs)
    assignments = prime_assignments(names, RUNS)
    counted, params = _count(model, example, assignments[0])  # a wrong --example fails first
    runs = [_observe(model, sizes, specs) for sizes in assignments]
    first = runs[0]
    layers: list[Layer] = []
    for name, cls in first.modules.items():
        seen = [(run.seen[name], run.sizes) for run in runs if name in run.seen]
        mine = params.get(name, (0, 0))
        layers.append(
            Layer(
                name=name,
                cls=cls,
                depth=name.count(".") + 1 if name else 0,
                calls=first.seen[name].calls if name in first.seen else 0,
                inputs=_explained([(s.inputs, sizes) for s, sizes in seen]),
                outputs=_explained([(s.outputs, sizes) for s, sizes in seen]),
                params=mine[0],
                trainable=mine[1],
            )
        )
    by_name = {layer.name: layer for layer in layers}
    order: dict[str, None] = {}
    for name in first.seen:
        for shape in (*by_name[name].inputs, *by_name[name].outputs):
            order.update((a.expr.names[0], None) for a in shape if a.expr and a.expr.kind == "dim")
    order.update(dict.fromkeys(first.sizes))
    return Summary(
        model=model.factory.name,
        cls=first.modules[""],
        layers=tuple(layers),
        runs=tuple(run.sizes for run in runs),
        counted=counted,
        order=tuple(order),
        written=first.written,
    )


def _input_spec(text: str) -> TensorSpec:
    """The spec of one `--input`: float zeros shaped by the dim string."""
    return TensorSpec("Float", None, parse_shape(text), hint=None)


def _dim_names(registry: Registry, specs: list[TensorSpec]) -> list[str]:
    """The dims to size: the registry's, its examples', then those of the inputs."""
    names = dict.fromkeys(registry.dims)
    for example in registry.example_names:
        names.update(dict.fromkeys(registry.example(example)))
    for spec in specs:
        for dim in spec.shape.dims if spec.shape is not None else ():
            if isinstance(dim, Named):
                names[dim.name] = None
            elif isinstance(dim, Symbolic):
                names.update(dict.fromkeys(dim.names))
    return list(names)


def _observe(model: Model, assigned: dict[str, int], specs: list[TensorSpec]) -> _Run:
    """One run of the model's forward at `assigned`, every submodule hooked."""
    sizes = dict(assigned)
    instance = _build(model, sizes)
    args, kwargs, specs_read = _arguments(instance, sizes, specs)
    seen: dict[str, _Seen] = {}
    modules = {name: type(module).__name__ for name, module in instance.named_modules()}
    handles = [
        module.register_forward_hook(_recorder(seen, name), with_kwargs=True)
        for name, module in instance.named_modules()
    ]
    try:
        with torch.no_grad(), raising():
            instance(*args, **kwargs)
    except Exception as error:  # noqa: BLE001  (the model's code: one line)
        raise SummaryError(
            f"{type(instance).__name__}.forward raised at {_sizes_text(sizes)}: {_one_line(error)}"
        ) from None
    finally:
        for handle in handles:
            handle.remove()
    return _Run(sizes, modules, seen, _written_products(specs_read))


def _build(model: Model, sizes: dict[str, int], example: str | None = None) -> nn.Module:
    """The model at `sizes` (those of `example`) on meta; the dims it fixes are
    written into `sizes`."""
    factory = model.factory
    try:
        instance = factory.build(dict(sizes), DEVICE)
    except Exception as error:  # noqa: BLE001  (the user's builder: one line)
        at = f" at {_sizes_text(sizes)}" if model.sized else ""
        if example is not None:
            at = f" at example {example!r} ({_sizes_text(sizes)})"
        raise SummaryError(f"building {factory.name!r}{at} raised {_one_line(error)}") from None
    if not isinstance(instance, nn.Module):
        raise SummaryError(f"{factory.name!r} built a {type(instance).__name__}, not an nn.Module")
    instance.to(DEVICE)  # a builder that left `device` unused: no data is needed
    dims = factory.dims or getattr(type(instance), "__shapecheck_dims__", None)
    if dims is not None:
        sizes.update({name: int(size) for name, size in dims(instance).items()})
    return instance


def _arguments(
    instance: nn.Module, sizes: dict[str, int], specs: list[TensorSpec]
) -> tuple[list[Any], dict[str, Any], list[Spec]]:
    """The forward's arguments: from `specs` when given, else made from its
    annotations; and the specs they were made from."""
    if specs:
        return [synth_value(spec, sizes, DEVICE) for spec in specs], {}, list(specs)
    cls = type(instance)
    signature: Signature = signature_of(inspect.unwrap(cls.forward), {cls.__name__: cls})
    try:
        overrides = made_by_instance(instance, signature, sizes, DEVICE)
        args, kwargs = synth_arguments(
            signature, sizes, DEVICE, skip_self=True, overrides=overrides
        )
    except SynthError as error:
        raise SummaryError(
            f"cannot make the inputs of {cls.__name__}.forward: {error}; "
            "give each positional input's dims with --input DIMS"
        ) from None
    except Exception as error:  # noqa: BLE001  (the model's begin_state: one line)
        raise SummaryError(
            f"cannot make the inputs of {cls.__name__}.forward: {_one_line(error)}"
        ) from None
    specs_read = [param.spec for param in signature.params]
    if signature.returns is not None:
        specs_read.append(signature.returns)
    return args, kwargs, specs_read


def _recorder(
    seen: dict[str, _Seen], name: str
) -> Callable[[nn.Module, tuple[Any, ...], dict[str, Any], Any], None]:
    def record(module: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any) -> None:
        if name in seen:
            seen[name].calls += 1
        else:
            seen[name] = _Seen(list(_tensor_shapes((args, kwargs))), list(_tensor_shapes(out)))

    return record


def _tensor_shapes(value: Any) -> Iterator[tuple[int, ...]]:
    """The shape of every tensor in `value`, through tuples, lists and dicts."""
    if isinstance(value, torch.Tensor):
        yield tuple(int(size) for size in value.shape)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _tensor_shapes(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _tensor_shapes(item)


def _written_products(specs: Iterable[Spec]) -> dict[frozenset[str], tuple[str, ...]]:
    """Products of two dims as the annotations write them: `steps*batch`."""
    found: dict[frozenset[str], tuple[str, ...]] = {}
    for spec in specs:
        for leaf in leaves(spec, ""):
            shape = leaf.spec.shape if isinstance(leaf.spec, TensorSpec) else None
            for dim in shape.dims if shape is not None else ():
                body = dim.tree.body if isinstance(dim, Symbolic) and dim.tree else None
                if (
                    isinstance(body, ast.BinOp)
                    and isinstance(body.op, ast.Mult)
                    and isinstance(body.left, ast.Name)
                    and isinstance(body.right, ast.Name)
                ):
                    factors = (body.left.id, body.right.id)
                    found.setdefault(frozenset(factors), factors)
    return found


def _explained(seen: list[tuple[list[tuple[int, ...]], dict[str, int]]]) -> tuple[Shape, ...]:
    """The first run's shapes, each axis named across every run that has it."""
    if not seen:
        return ()
    shapes = []
    for index, shape in enumerate(seen[0][0]):
        axes = []
        for number in range(len(shape)):
            observed = [
                (shapes_seen[index][number], sizes)
                for shapes_seen, sizes in seen
                if index < len(shapes_seen) and number < len(shapes_seen[index])
            ]
            axes.append(Axis(tuple(size for size, _ in observed), explain(observed)))
        shapes.append(tuple(axes))
    return tuple(shapes)


def _count(
    model: Model, example: str | None, first: dict[str, int]
) -> tuple[Counted, dict[str, tuple[int, int]]]:
    """Each submodule's parameters and trainable ones, and the sizes counted at."""
    registry = model.registry
    if not model.sized:
        counted = Counted(None, {}, "built")
    elif example is None and not registry.example_names:
        counted = Counted(None, dict(first), "run")
    else:
        name = example if example is not None else registry.example_names[0]
        try:
            sizes = registry.example(name)
        except KeyError as error:
            raise SummaryError(f"--example: {error.args[0]}") from None
        counted = Counted(name, sizes, "example")
    sizes = dict(counted.sizes)
    instance = _build(model, sizes, counted.example)
    counted = Counted(counted.example, sizes, counted.at)
    params = {
        name: (
            sum(p.numel() for p in module.parameters()),
            sum(p.numel() for p in module.parameters() if p.requires_grad),
        )
        for name, module in instance.named_modules()
    }
    return counted, params


def _sizes_text(sizes: Mapping[str, object]) -> str:
    return ", ".join(f"{name}={size}" for name, size in sizes.items()) or "no sizes"


# ---------------------------------------------------------------- rendering


def render(summary: Summary, fmt: Format = "text", depth: int | None = None) -> str:
    """The table as aligned text, a Markdown pipe table, or JSON; rows down to `depth`."""
    if fmt == "json":
        return json.dumps(as_json(summary, depth), indent=2) + "\n"
    if fmt == "markdown":
        return _markdown(summary, depth)
    return _text(summary, depth)


def as_json(summary: Summary, depth: int | None = None) -> dict[str, Any]:
    """The table's data: rows, totals, the sizes used, and the unnamed sizes."""
    return {
        "model": summary.model,
        "class": summary.cls,
        "rows": [
            {
                "name": layer.name,
                "class": layer.cls,
                "depth": layer.depth,
                "calls": layer.calls,
                "inputs": summary.shapes(layer.inputs),
                "outputs": summary.shapes(layer.outputs),
                "params": layer.params,
                "trainable": layer.trainable,
            }
            for layer in summary.rows(depth)
        ],
        "totals": {"params": summary.total, "trainable": summary.trainable},
        "params_at": {"example": summary.counted.example, "sizes": dict(summary.counted.sizes)},
        "runs": [dict(sizes) for sizes in summary.runs],
        "unnamed": [
            {
                "layer": u.layer,
                "side": u.side,
                "index": u.index,
                "axis": u.axis,
                "sizes": list(u.sizes),
            }
            for u in summary.unnamed(depth)
        ],
    }


def _cells(summary: Summary, layer: Layer) -> tuple[list[str], list[str]]:
    """The input and output cells of a row, one shape a line."""
    if not layer.calls:
        return ["not called"], ["-"]
    return summary.shapes(layer.inputs) or ["-"], summary.shapes(layer.outputs) or ["-"]


def _label(layer: Layer) -> str:
    calls = f", {layer.calls} calls" if layer.calls > 1 else ""
    own = f"{layer.name.rpartition('.')[2]} ({layer.cls})" if layer.name else layer.cls
    return "  " * layer.depth + own + calls


def _count_text(count: int) -> str:
    return f"{count:,}" if count else "-"


def _text(summary: Summary, depth: int | None) -> str:
    header = ("layer", "input", "output", "params")
    rows: list[list[list[str]]] = []
    for layer in summary.rows(depth):
        inputs, outputs = _cells(summary, layer)
        rows.append([[_label(layer)], inputs, outputs, [_count_text(layer.params)]])
    widths = [
        max([len(header[column])] + [len(line) for row in rows for line in row[column]])
        for column in range(4)
    ]

    def line(cells: Sequence[str]) -> str:
        left = "  ".join(cell.ljust(width) for cell, width in zip(cells[:3], widths, strict=False))
        return f"{left}  {cells[3].rjust(widths[3])}".rstrip()

    lines = [line(header), line(["-" * width for width in widths])]
    for row in rows:
        for number in range(max(len(cell) for cell in row)):
            lines.append(line([cell[number] if number < len(cell) else "" for cell in row]))
    return "\n".join([*lines, *_footer(summary, depth, "text")]) + "\n"


def _markdown(summary: Summary, depth: int | None) -> str:
    lines = ["| layer | input | output | params |", "| --- | --- | --- | ---: |"]
    for layer in summary.rows(depth):
        calls = f", {layer.calls} calls" if layer.calls > 1 else ""
        label = f"`{layer.name}` ({layer.cls}){calls}" if layer.name else f"{layer.cls}{calls}"
        inputs, outputs = _cells(summary, layer)
        shown = [
            "<br>".join(f"`{cell}`" if cell not in ("-", "not called") else cell for cell in cells)
            for cells in (inputs, outputs)
        ]
        lines.append(f"| {label} | {shown[0]} | {shown[1]} | {_count_text(layer.params)} |")
    return "\n".join([*lines, "", *_footer(summary, depth, "markdown")]) + "\n"


def _footer(summary: Summary, depth: int | None, fmt: Format) -> list[str]:
    """The totals, the sizes of the runs, and the sizes no dim names."""
    counted = summary.counted
    where = {
        "example": f"at the sizes of example {counted.example!r}: {_sizes_text(counted.sizes)}",
        "run": f"at the sizes of the first run: {_sizes_text(counted.sizes)}",
        "built": "as the model was built",
    }[counted.at]
    dims = {name: "/".join(str(run[name]) for run in summary.runs) for name in summary.runs[0]}
    lines = [
        f"params: {summary.total:,} (trainable: {summary.trainable:,}), {where}",
        f"shapes named from {len(summary.runs)} runs on the meta device: {_sizes_text(dims)}",
    ]
    # One line a size: the places where one size shows up are one cause.
    places: dict[tuple[int, ...], list[str]] = {}
    for u in summary.unnamed(depth):
        place = f"{u.layer or summary.cls} {u.side}[{u.index}] axis {u.axis}"
        places.setdefault(u.sizes, []).append(place)
    if places:
        lines.append("sizes it could not name:")
    bullet = "- " if fmt == "markdown" else "  "
    items = [
        f"{bullet}{sizes[0]}? ({'/'.join(map(str, sizes))} in the runs): {', '.join(where)}"
        for sizes, where in places.items()
    ]
    if fmt == "markdown":  # paragraphs, then the list
        return ["\n\n".join(lines), *([""] if items else []), *items]
    return [*lines, *items]
