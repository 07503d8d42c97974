"""What a package tells shapecheck about its dims: descriptions, example sizes, factories.

A package declares one (or more) `Registry` at module level; the docs
generator and the verifier find it among the target's module attributes.

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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TypeVar

__all__ = ["Factory", "Registry", "registry_of"]

_F = TypeVar("_F", bound=Callable[..., Any])

Sizes = Mapping[str, int]


@dataclass(frozen=True)
class Factory:
    """Builds an instance of `cls` for given sizes on a device, to run its methods."""

    name: str
    cls: type
    build: Callable[[Sizes, str], Any]


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

    def factory(self, name: str, cls: type) -> Callable[[_F], _F]:
        """Register `build(sizes, device) -> instance of cls` under a readable name."""

        def register(build: _F) -> _F:
            self.factories.append(Factory(name, cls, build))
            return build

        return register

    def factories_for(self, cls: type) -> list[Factory]:
        """Factories that build `cls` itself first, then those that build a subclass."""
        exact = [f for f in self.factories if f.cls is cls]
        return exact + [f for f in self.factories if f.cls is not cls and issubclass(f.cls, cls)]


def registry_of(modules: list[ModuleType]) -> Registry:
    """The registry a target declares; several are merged into one."""
    found = [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, Registry)
    ]
    unique = list({id(registry): registry for registry in found}.values())
    if len(unique) == 1:
        return unique[0]
    merged = Registry()
    for registry in unique:
        merged.dims.update(registry.dims)
        for name in registry.example_names:
            merged._examples.setdefault(name, registry.example(name))
        merged.factories.extend(registry.factories)
    return merged
