"""The rows of a function's tables: each argument and return leaf (a union's
options each on a row, labelled by array type where that tells them apart)
with the sizes its example run observed, and the annotated intermediates."""

from __future__ import annotations

from typing import Any

import torch

from .._runtime._locals import LocalSite
from .._spec import (
    Fixed,
    Named,
    OtherSpec,
    Signature,
    SizeSpec,
    Spec,
    Step,
    TensorSpec,
    UnionSpec,
    leaves,
)
from .._spec import Path as LeafPath
from ._model import (
    Intermediate,
    Observed,
    Row,
)
from ._observe import ExampleRun

__all__ = ["intermediates", "rows"]


def rows(
    signature: Signature, run: ExampleRun | None, descriptions: dict[str, str]
) -> tuple[Row, ...]:
    rows: list[Row] = []
    named: list[tuple[str, str, Spec]] = [
        ("argument", param.name, param.spec) for param in signature.params
    ]
    if signature.returns is not None:
        named.append(("return", "return", signature.returns))
    for kind, root, spec in named:
        # Every leaf of a tuple carries the description: the docstring says
        # what the whole is, and each row is read on its own.
        description = descriptions.get(root, "")
        if kind == "argument" and _optional(spec, signature, root):
            description = f"optional; {description}" if description else "optional"
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
                rows.append(Row(path, kind, leaf, seen, description, branch))
    return tuple(rows)


def _optional(spec: Spec, signature: Signature, name: str) -> bool:
    """An argument that may be None: a union with None, or a None default."""
    if isinstance(spec, UnionSpec) and any(
        isinstance(o, OtherSpec) and o.hint is type(None) for o in spec.options
    ):
        return True
    return any(p.name == name and p.default is None for p in signature.params)


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


def intermediates(sites: tuple[LocalSite, ...], run: ExampleRun | None) -> tuple[Intermediate, ...]:
    """One row per annotated local and binding; a tuple local (a state) gets a
    row per item, `state[0]`, each with its own shape and sizes."""
    found = []
    for site in sites:
        tensors: list[tuple[LeafPath, TensorSpec]] = []
        for leaf in leaves(site.spec, site.name):
            spec = leaf.spec
            if isinstance(spec, TensorSpec):
                tensors.append((leaf.path, spec))
        if not tensors:
            continue
        for line, expression, op in site.bindings:
            observed = run.locals.get((site.name, line)) if run is not None else None
            if observed and isinstance(observed[0], tuple):  # the run saw a tuple
                for index, item in enumerate(observed):
                    if isinstance(item, tuple):
                        item_spec = tensors[min(index, len(tensors) - 1)][1]  # `tuple[X, ...]`
                        name = f"{site.name}[{index}]"
                        found.append(Intermediate(name, line, item_spec, item, expression, op))
            elif len(tensors) > 1 or tensors[0][0].steps:
                for path, leaf_spec in tensors:
                    found.append(Intermediate(str(path), line, leaf_spec, None, expression, op))
            else:
                only = tensors[0][1]
                found.append(Intermediate(site.name, line, only, observed, expression, op))
    return tuple(sorted(found, key=lambda item: item.line))
