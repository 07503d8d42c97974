"""What a package tells shapecheck about its dims: descriptions, example sizes, factories.

A package declares one (or more) `Registry` at module level; the docs
generator and the verifier find it among the target's module attributes. For
code one does not own, a registry can live anywhere and be named
(`registry = "module:object"` in `[tool.shapecheck]`, or `--registry`): its
entries come first, the package's own after them.

Example
```python
import shapecheck

shapes = shapecheck.Registry(
    dims={"batch": "the minibatch size", "hiddens": "the hidden units"},
    examples={"small": {"batch": 2, "hiddens": 3}},
)
assert shapes.describe("batch") == "the minibatch size"
assert shapes.example("small") == {"batch": 2, "hiddens": 3}
```
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

__all__ = ["Factory", "Registry", "RegistryError", "load_registry", "registry_of"]

_F = TypeVar("_F", bound=Callable[..., Any])
_E = TypeVar("_E", bound=Callable[[dict[str, int], str], object])

Sizes = Mapping[str, int]


@dataclass(frozen=True)
class Factory:
    """Builds an instance of `cls` for given sizes on a device, to run its methods."""

    name: str
    cls: type
    build: Callable[[Sizes, str], Any]
    # The dims a built instance fixes, for a class that cannot say so itself
    # with a `__shapecheck_dims__` method (one you do not own).
    dims: Callable[[Any], Sizes] | None = None


class RegistryError(Exception):
    """A named registry that cannot be loaded; its text is one line."""


class Registry:
    """Dim descriptions, named example sizes and instance factories of one package."""

    def __init__(
        self,
        *,
        dims: Mapping[str, str] | None = None,
        examples: Mapping[str, Sizes | Callable[[], Sizes]] | None = None,
    ) -> None:
        self.dims: dict[str, str] = dict(dims or {})
        for name, text in self.dims.items():
            if not name.isidentifier() or not isinstance(text, str):
                raise ValueError(
                    f"Registry dims: {name!r} must be a dim name with a str description"
                )
        self._examples: dict[str, Sizes | Callable[[], Sizes]] = dict(examples or {})
        self.factories: list[Factory] = []
        self.exercises: list[tuple[str, Callable[[dict[str, int], str], object]]] = []

    def describe(self, dim: str) -> str | None:
        return self.dims.get(dim)

    @property
    def example_names(self) -> tuple[str, ...]:
        return tuple(self._examples)

    def example(self, name: str) -> dict[str, int]:
        """The sizes of a named example; a callable example is called once."""
        if name not in self._examples:
            known = ", ".join(self._examples) or "none"
            raise KeyError(f"no example named {name!r} (known: {known})")
        sizes = self._examples[name]
        if callable(sizes):
            sizes = sizes()
            self._examples[name] = sizes
        return {dim: int(size) for dim, size in sizes.items()}

    def factory(
        self, name: str, cls: type, *, dims: Callable[[Any], Sizes] | None = None
    ) -> Callable[[_F], _F]:
        """Register `build(sizes, device) -> instance of cls` under a readable name;
        `dims(instance)`, the dims an instance fixes when `cls` has no
        `__shapecheck_dims__` of its own."""
        if dims is not None and not callable(dims):
            raise TypeError(f"Registry.factory: dims must be callable, got {dims!r}")

        def register(build: _F) -> _F:
            self.factories.append(Factory(name, cls, build, dims))
            return build

        return register

    def exercise(self, name: str) -> Callable[[_E], _E]:
        """Register `run(sizes, device)`: code that calls the package's functions
        at the given sizes (a forward pass, a training step), for
        `shapecheck annotate` to watch; what it returns is ignored."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"Registry.exercise: name must be a non-empty str, got {name!r}")

        def register(run: _E) -> _E:
            if not callable(run):
                raise TypeError(f"Registry.exercise({name!r}): {run!r} is not callable")
            self.exercises.append((name, run))
            return run

        return register

    def factories_for(self, cls: type) -> list[Factory]:
        """Factories that build `cls` itself first, then those that build a subclass."""
        exact = [f for f in self.factories if f.cls is cls]
        return exact + [f for f in self.factories if f.cls is not cls and issubclass(f.cls, cls)]


def registry_of(modules: list[ModuleType], named: Registry | None = None) -> Registry:
    """The registry a target declares, after the one `named` outside it if any;
    several are merged into one, the first to describe a dim or an example
    giving it, and the factories in that order."""
    found = [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, Registry)
    ]
    if named is not None:
        found.insert(0, named)
    unique = list({id(registry): registry for registry in found}.values())
    if len(unique) == 1:
        return unique[0]
    merged = Registry()
    for registry in unique:
        for dim, text in registry.dims.items():
            merged.dims.setdefault(dim, text)
        for name in registry.example_names:
            merged._examples.setdefault(name, registry._examples[name])
        merged.factories.extend(registry.factories)
        merged.exercises.extend(registry.exercises)
    return merged


def load_registry(spec: str) -> Registry:
    """The `Registry` named `module:object` (the current folder is importable)."""
    module_name, _, name = spec.partition(":")
    if not name or not module_name:
        raise RegistryError(f"registry {spec!r} must be MODULE:OBJECT")
    if str(Path.cwd()) not in sys.path and "" not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # noqa: BLE001  (the registry's module is the user's code)
        text = " ".join(str(error).split())
        raise RegistryError(
            f"registry {spec!r}: cannot import {module_name!r}: {type(error).__name__}: {text}"
        ) from error
    found: Any = module
    for part in name.split("."):
        if not hasattr(found, part):
            raise RegistryError(f"registry {spec!r}: {module_name} has no {name!r}")
        found = getattr(found, part)
    if not isinstance(found, Registry):
        raise RegistryError(
            f"registry {spec!r} is a {type(found).__name__}, not a shapecheck.Registry"
        )
    return found
