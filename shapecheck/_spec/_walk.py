"""The one walker of specs: every leaf with its `Path`, and the spec at a path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, NamedTuple

from ._specs import (
    FieldsSpec,
    MappingSpec,
    SequenceSpec,
    SizeSpec,
    Spec,
    TensorSpec,
    TupleSpec,
    UnionSpec,
)

__all__ = ["Leaf", "Path", "Step", "leaves", "spec_at", "walk_tensors"]


class Step(NamedTuple):
    """One step into a value: `[0]` of a tuple, `.W_xi` of a NamedTuple, an
    item `[i]` of a sequence (`at` its index when a value is walked), a value
    `[k]` of a mapping (`at` its key) or the mapping's `.keys()`."""

    kind: Literal["index", "field", "item", "value", "key"]
    at: Any = None

    def __str__(self) -> str:
        if self.kind == "index":
            return f"[{self.at}]"
        if self.kind == "field":
            return f".{self.at}"
        if self.kind == "key":
            return ".keys()"
        if self.at is None:
            return "[i]" if self.kind == "item" else "[k]"
        return f"[{self.at}]" if self.kind == "item" else f"[{self.at!r}]"


class Path(NamedTuple):
    """Where a leaf sits: an argument's name or `return`, then the steps in.
    Text only when shown: `state[0]`, `params.W_xi`, `return[1][0]`."""

    root: str
    steps: tuple[Step, ...] = ()

    def __str__(self) -> str:
        return self.root + "".join(str(step) for step in self.steps)

    def __truediv__(self, step: Step) -> Path:
        return Path(self.root, (*self.steps, step))

    def generic(self) -> Path:
        """The same path with any item's index and any value's key left out."""
        return Path(
            self.root,
            tuple(Step(s.kind) if s.kind in ("item", "value") else s for s in self.steps),
        )


class Leaf(NamedTuple):
    path: Path
    spec: TensorSpec | SizeSpec


def leaves(spec: Spec, root: str | Path) -> Iterator[Leaf]:
    """Every tensor and size leaf of `spec`, with its path; each option of a
    union at the union's own path. The one walker of specs."""
    path = root if isinstance(root, Path) else Path(root)
    if isinstance(spec, TensorSpec | SizeSpec):
        yield Leaf(path, spec)
    elif isinstance(spec, TupleSpec):
        for index, item in enumerate(spec.items):
            yield from leaves(item, path / Step("index", index))
    elif isinstance(spec, SequenceSpec):
        yield from leaves(spec.item, path / Step("item"))
    elif isinstance(spec, MappingSpec):
        yield from leaves(spec.key, path / Step("key"))
        yield from leaves(spec.value, path / Step("value"))
    elif isinstance(spec, FieldsSpec):
        for name, field in spec.fields:
            yield from leaves(field, path / Step("field", name))
    elif isinstance(spec, UnionSpec):
        for option in spec.options:
            yield from leaves(option, path)


def spec_at(spec: Spec, path: Path) -> Spec | None:
    """The spec under `path`, or None where the spec has no such step."""
    current: Spec = spec
    for step in path.steps:
        if step.kind == "index" and isinstance(current, TupleSpec):
            current = current.items[step.at]
        elif step.kind == "field" and isinstance(current, FieldsSpec):
            current = dict(current.fields)[step.at]
        elif step.kind == "item" and isinstance(current, SequenceSpec):
            current = current.item
        elif step.kind == "value" and isinstance(current, MappingSpec):
            current = current.value
        else:
            return None
    return current


def walk_tensors(spec: Spec, path: str) -> Iterator[tuple[str, TensorSpec]]:
    """Every tensor leaf of `spec` with its path as text, for example `state[0]`."""
    for leaf in leaves(spec, path):
        if isinstance(leaf.spec, TensorSpec):
            yield str(leaf.path), leaf.spec
