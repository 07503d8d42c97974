"""One example run of a function for the docs, and the shapes it showed: at its
arguments and return (by leaf path), at its annotated locals, and at the
locals of the helper methods of the same object that it called."""

from __future__ import annotations

from typing import Any

import torch

from .._example import run
from .._registry import Registry
from .._runtime._values import tensor_leaves
from .._spec import Path as LeafPath
from .._spec import SizeSpec, Spec, TensorSpec, leaves
from .._synth import SynthError
from .._target import Member
from ._model import Intermediate, Observed, Sizes

__all__ = ["ExampleRun", "shape_of"]


class ExampleRun:
    """One example run of a function, and the shapes it showed."""

    def __init__(self, member: Member, registry: Registry, sizes: dict[str, int]) -> None:
        self.paths: dict[LeafPath, Sizes] = {}  # by generic path: `state[i]`, not `state[0]`
        self.types: dict[LeafPath, type] = {}  # the type of the value at each of `paths`
        self.locals: dict[tuple[str, int], Any] = {}
        self.inlined: list[Intermediate] = []  # locals of helper methods it called
        self.sizes = dict(sizes)
        self.instance: Any = None
        self.factory: str | None = None
        self.problem: str | None = None
        self.skipped: str | None = None
        try:
            self._run(member, registry)
        except NotImplementedError:
            pass  # an abstract method: nothing to observe
        except SynthError as error:
            self.skipped = str(error)  # no example for it: the concrete column stays empty
        except Exception as error:  # noqa: BLE001  (the user's function failed)
            text = " ".join(str(error).split())
            self.problem = f"example run failed: {type(error).__name__}: {text}"

    def _run(self, member: Member, registry: Registry) -> None:
        owner, signature = member.owner, member.signature
        assert signature is not None
        factory = None
        if member.kind(signature) == "method":
            assert owner is not None
            factories = registry.factories_for(owner)
            if not factories:
                raise SynthError(f"no example factory for {owner.__qualname__}")
            factory = factories[0]
            self.factory = factory.name  # shown even when no example can be made
        done = run(member, self.sizes, factory, record=True)
        example, out, records = done.example, done.out, done.records
        self.instance = example.instance
        plan = example.plan
        arguments = example.arguments()
        for param in plan.signature.params:
            if param.name in arguments:
                self._observe(param.spec, arguments[param.name], param.name)
        if plan.signature.returns is not None:
            self._observe(plan.signature.returns, out, "return")
        for record_plan, name, line, value, owner_instance in records:
            shape = shape_of(value)
            if shape is None:
                continue
            if record_plan is plan:
                self.locals.setdefault((name, line), shape)
            elif owner_instance is not None and owner_instance is self.instance:
                # A helper method of the same object: its locals belong to this
                # method's story (`forward` calling `self._run`).
                site = next(s for s in record_plan.sites if s.name == name)
                binding = next((b for b in site.bindings if b[0] == line), (line, "", ""))
                leaf = next(
                    (
                        leaf.spec
                        for leaf in leaves(site.spec, name)
                        if isinstance(leaf.spec, TensorSpec)
                    ),
                    None,
                )
                if leaf is None:
                    continue
                item = Intermediate(
                    name=name,
                    line=line,
                    spec=leaf,
                    concrete=shape,
                    expression=f"{binding[1]}  # in {record_plan.fn.__name__}()",
                    op=binding[2],
                )
                if item not in self.inlined:
                    self.inlined.append(item)

    def _observe(self, spec: Spec, value: Any, path: str) -> None:
        for leaf_path, tensor in tensor_leaves(spec, value, path):
            # a sequence's rows show its first item: `[i]`, not `[0]`
            self.paths.setdefault(leaf_path.generic(), tuple(tensor.shape))
            self.types.setdefault(leaf_path.generic(), type(tensor))
        if isinstance(spec, SizeSpec) and isinstance(value, int):
            self.paths.setdefault(LeafPath(path), (value,))
            self.types.setdefault(LeafPath(path), type(value))


def shape_of(value: Any) -> Observed:
    """A tensor's sizes, or each tensor's for a tuple of tensors; None otherwise."""
    if isinstance(value, torch.Tensor):
        return tuple(value.shape)
    if (
        isinstance(value, tuple | list)
        and value
        and all(isinstance(item, torch.Tensor) for item in value)
    ):
        return tuple(tuple(item.shape) for item in value)
    return None
