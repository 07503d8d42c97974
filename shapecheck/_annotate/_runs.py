"""Running a target's code at several size assignments, watched by a `Recorder`.

What runs, at each assignment:

- the exercises: the registry's (`Registry.exercise`), each module's
  `__shapecheck_examples__(sizes, device)`, and the one of `--examples FILE`;
- every function and method the exercises did not call, that can be called
  with made-up arguments: a
  parameter whose annotation has a shape is made as `verify` makes it, a
  plain or missing-annotation `int` named like a dim (`batch_size`) gets that
  dim's size, `device` the device; a method needs a registry factory.

Each exercise and call runs on the CPU first, with the small prime sizes
below (a recurrent net's forward pass takes milliseconds there, where the
meta device's Python kernels take twenty times as long), and again on the
meta device when the CPU run raised, as `verify` runs its examples. A call
that raises on both is recorded as failed (an exercise's failure is reported;
a made-up call's is not, and is not tried on meta: made-up arguments that fail
on the CPU fail there too); its calls do not count. The sizes: distinct primes
for every dim, a new set each run, so that a size tells its dim and a
coincidence does not survive two runs.
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

from .._config import raising
from .._errors import ShapeError
from .._naming import dim_of_size_name
from .._registry import Registry
from .._sizes import primes
from .._spec import OtherSpec, signature_of
from .._synth import SynthError, synth_arguments
from .._target import Member
from ._record import CallSeen, Recorder, Traced, instance_dims

__all__ = ["ExamplesError", "Exercise", "Run", "exercises_of", "prime_assignments", "record_runs"]

Exercise = tuple[str, Callable[[dict[str, int], str], object]]

RUNS = 3  # size assignments; two would tell most coincidences, three all we have met
_FIRST_PRIME = 5  # past 2 and 3: a factor such as 2*hiddens must not look like a dim


class ExamplesError(Exception):
    """An `--examples` file that cannot be used; the text is one line."""


@dataclass
class Run:
    """What one size assignment recorded: the calls of each member that
    returned, and what failed (`name: error`)."""

    sizes: dict[str, int]
    calls: dict[str, list[CallSeen]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)


def exercises_of(
    modules: list[ModuleType], registry: Registry, examples_file: Path | None
) -> list[Exercise]:
    """The exercises to run: the registry's, the modules', then the file's."""
    found: list[Exercise] = list(registry.exercises)
    for module in modules:
        run = vars(module).get("__shapecheck_examples__")
        if callable(run):
            found.append((f"{module.__name__}.__shapecheck_examples__", run))
    if examples_file is not None:
        found.append((str(examples_file), _load_examples(examples_file)))
    return found


def _load_examples(path: Path) -> Callable[[dict[str, int], str], object]:
    if not path.is_file():
        raise ExamplesError(f"--examples: no such file: {path}")
    spec = importlib.util.spec_from_file_location(f"_shapecheck_examples_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ExamplesError(f"--examples: {path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001  (the user's file: reported in one line)
        raise ExamplesError(
            f"--examples: {path} does not import: {type(error).__name__}: {error}"
        ) from None
    run = getattr(module, "__shapecheck_examples__", None)
    if not callable(run):
        raise ExamplesError(
            f"--examples: {path} defines no __shapecheck_examples__(sizes, device) function"
        )
    return run  # type: ignore[no-any-return]


def prime_assignments(dims: list[str], count: int = RUNS) -> list[dict[str, int]]:
    """`count` assignments of distinct primes to `dims`, no prime used twice."""
    source = (p for p in primes() if p >= _FIRST_PRIME)
    return [{dim: next(source) for dim in dims} for _ in range(count)]


def record_runs(
    members: list[Member],
    exercises: list[Exercise],
    registry: Registry,
    assignments: list[dict[str, int]],
) -> list[Run]:
    """Run the exercises and the callable members at each assignment, recorded."""
    traced = Traced((member.name, member.function) for member in members)
    runs: list[Run] = []
    for sizes in assignments:
        run = Run(dict(sizes))
        for name, exercise in exercises:
            _watched(run, traced, name, functools.partial(_exercised, exercise, sizes))
        for member in members:
            if member.name in run.calls:
                continue  # the exercises called it: their calls are the real ones
            call = _auto_call(member, registry, sizes)
            if call is not None:
                _watched(run, traced, member.name, call, report=False)
        runs.append(run)
    return runs


def _exercised(
    exercise: Callable[[dict[str, int], str], object], sizes: dict[str, int], device: str
) -> object:
    return exercise(dict(sizes), device)


def _watched(
    run: Run,
    traced: Traced,
    name: str,
    call: Callable[[str], object],
    *,
    report: bool = True,
) -> None:
    """`call(device)` recorded, on the CPU and else on meta; the calls made by
    the attempt that returned go into `run`."""
    problem = ""
    # Made-up arguments that fail on the CPU fail on meta too, only slower.
    for device in ("cpu", "meta") if report else ("cpu",):
        recorder = Recorder(traced)
        try:
            with torch.no_grad(), raising(), recorder:
                call(device)
        except ShapeError as error:  # an annotation's check: meta would say the same
            problem = f"{type(error).__name__}: {error}".splitlines()[0]
            break
        except Exception as error:  # noqa: BLE001  (the user's code: reported, not raised)
            problem = f"{type(error).__name__}: {error}".splitlines()[0]
            continue
        for qualname, calls in recorder.calls.items():
            done = [c for c in calls if c.returned is not None]
            run.calls.setdefault(qualname, []).extend(done)
        return
    if report:
        run.failed.append(f"{name}: {problem}")


def _auto_call(
    member: Member, registry: Registry, sizes: dict[str, int]
) -> Callable[[str], object] | None:
    """A call of `member` with made-up arguments, or None when one cannot be made."""
    fn = member.function
    if fn.__name__.startswith("__") and fn.__name__ != "__call__":
        return None  # `__init__` and the like run when their class is built
    try:
        signature = signature_of(fn, member.localns)
    except Exception:  # noqa: BLE001  (a malformed annotation: verify reports it)
        return None
    kind = member.kind(signature)
    if kind == "method" and member.owner is not None:
        factories = registry.factories_for(member.owner)
        if not factories:
            return None
        factory = factories[0]
    elif kind != "function":
        return None

    def call(device: str) -> object:
        local = dict(sizes)
        leading: list[Any] = []
        if kind == "method":
            instance = factory.build(local, device)
            local.update(instance_dims(instance, factory.dims))
            leading = [instance]
        args, kwargs = synth_arguments(
            signature,
            local,
            device,
            skip_self=kind != "function",
            overrides=_overrides(signature, local, device),
        )
        return member.found(*leading, *args, **kwargs)

    if not _overrides(signature, sizes, "meta") and not _sized_specs(signature):
        return None  # nothing of its arguments is sized: not a shape's function to call
    try:  # can every argument be made? (at the first sizes, on meta: nothing runs)
        synth_arguments(
            signature,
            sizes,
            "meta",
            skip_self=kind != "function",
            overrides=_overrides(signature, sizes, "meta"),
        )
    except SynthError:
        return None
    return call


def _overrides(signature: Any, sizes: dict[str, int], device: str) -> dict[str, Any]:
    """Plain or unannotated parameters whose name reads as a dim: that dim's size;
    an unannotated `device`: the device."""
    found: dict[str, Any] = {}
    for param in signature.params:
        plain = isinstance(param.spec, OtherSpec) and param.spec.hint in (int, Any)
        if not plain or param.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        if param.name == "device" and param.spec.hint is Any:
            found[param.name] = device
            continue
        dim = dim_of_size_name(param.name, sizes)
        if dim is not None:
            found[param.name] = sizes[dim]
    return found


def _sized_specs(signature: Any) -> bool:
    """Whether an annotation of a parameter states a shape or a size."""
    return any(not isinstance(p.spec, OtherSpec) for p in signature.params)
