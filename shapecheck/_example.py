"""Run one member of a package at a size assignment: the sequence that verify,
the symbolic proof, the docs and the mutant tests share.

The sequence: build the instance from a registry factory (for a method taking
`self`), let the instance fix its dims (`__shapecheck_dims__`), synthesise the
arguments from the specs at the sizes, then call the function through its
checking plan on the chosen device. Each tool decides what a failure means.

`run` picks the device. The arguments are zeros at small sizes, so the run is
made on the CPU first: torch's CPU kernels are native code, while many of its
meta kernels are Python and the first one loads torch's compiler stack (about
a second). A CPU run that raises anything is made again on the meta device,
and that run's outcome stands: a failure is always judged where no data
exists, so zeros cannot fail a function (a singular matrix, an index) that
meta would pass. A run whose arguments hold more than `CPU_ELEMENTS` values
goes to meta directly.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch

from ._config import raising
from ._registry import Factory
from ._runtime._decorator import plan_for
from ._runtime._locals import Record
from ._runtime._recording import recording
from ._spec import TensorSpec, leaves
from ._synth import SynthError, made_by_instance, shape_for, synth_arguments
from ._target import Member

__all__ = ["CPU_ELEMENTS", "Example", "Member", "Run", "prepare", "run"]

CPU_ELEMENTS = 1 << 20  # values in all the tensor arguments of a CPU run


@dataclass
class Example:
    """A call made ready: the instance, the arguments, and the sizes in force."""

    member: Member
    plan: Any  # the function's checking plan (`_runtime`'s own)
    sizes: dict[str, Any]
    device: str
    instance: Any = None
    factory: str | None = None
    leading: list[Any] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)

    def call(self) -> Any:
        """The call, checked, with no autograd; a violation raises even in survey mode."""
        with torch.no_grad(), raising():
            return self.plan.slow_call(*self.leading, *self.args, **self.kwargs)

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[Record]]:
        """Record the annotated locals that the calls in the block check."""
        with recording() as records:
            yield records

    def arguments(self) -> dict[str, Any]:
        """Every argument of the call by name, defaults filled in."""
        _, full = self.plan.bind((*self.leading, *self.args), self.kwargs)
        return dict(full)


def prepare(
    member: Member,
    sizes: dict[str, Any],
    device: str,
    factory: Factory | None = None,
) -> Example:
    """The example call of `member` at `sizes`: raises `SynthError` when one
    cannot be made. `factory` builds the instance of a method taking `self`;
    the dims it fixes are written into `sizes`, in place, as they are read."""
    plan = plan_for(member.found, member.localns, member.signature)
    example = Example(member, plan, sizes, device)
    kind = member.kind(plan.signature)
    if kind == "method":
        if factory is None:
            raise ValueError("a method taking self needs a factory")
        example.instance = factory.build(example.sizes, device)
        example.factory = factory.name
        dims = factory.dims or getattr(type(example.instance), "__shapecheck_dims__", None)
        if dims is not None:
            example.sizes.update(dims(example.instance))
        example.leading = [example.instance]
    elif kind == "classmethod":
        example.leading = [member.owner]
    overrides = made_by_instance(example.instance, plan.signature, example.sizes, device)
    example.args, example.kwargs = synth_arguments(
        plan.signature,
        example.sizes,
        device,
        skip_self=kind != "function",
        overrides=overrides,
    )
    return example


@dataclass
class Run:
    """A call that returned: the example it ran, what it returned, and the
    annotated locals it checked (when asked for)."""

    example: Example
    out: Any
    records: list[Record]


def run(
    member: Member,
    sizes: dict[str, Any],
    factory: Factory | None = None,
    *,
    record: bool = False,
) -> Run:
    """`member` called at `sizes`: on the CPU when that is small, and on the meta
    device when it is not or when the CPU run raised. Raises what the meta run
    raises. The dims the instance fixes are written into `sizes`, as by
    `prepare`."""
    if _elements(member, sizes) <= CPU_ELEMENTS:
        trial = dict(sizes)
        try:
            done = _run_on(member, trial, "cpu", factory, record)
        except Exception:  # noqa: BLE001  (judged again on meta, below)
            pass
        else:
            sizes.update(trial)
            return done
    return _run_on(member, sizes, "meta", factory, record)


def _run_on(
    member: Member, sizes: dict[str, Any], device: str, factory: Factory | None, record: bool
) -> Run:
    example = prepare(member, sizes, device, factory)
    if not record:
        return Run(example, example.call(), [])
    with example.recording() as records:
        out = example.call()
    return Run(example, out, records)


def _elements(member: Member, sizes: dict[str, Any]) -> int:
    """How many values the tensor arguments hold at `sizes`, as far as their
    specs say (a shape that depends on other arguments counts as empty)."""
    signature = member.signature or plan_for(member.found, member.localns).signature
    total = 0
    for param in signature.params:
        for leaf in leaves(param.spec, param.name):
            if not isinstance(leaf.spec, TensorSpec):
                continue
            try:
                shape = shape_for(leaf.spec, sizes)
            except (SynthError, TypeError, ValueError):
                continue
            total += math.prod(shape)
    return total
