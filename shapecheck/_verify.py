"""`verify`: run every annotated function at example sizes, with no data.

For each public function and method of a target, arguments are synthesised
from its annotations under several size assignments:

- `distinct`: every dim gets a different prime, so that no two dims coincide
  and a transposition cannot pass by accident;
- `broadcast`: size 1 for the dims written `#name`;
- `ranks`: the variadic groups (`*batch`) at another rank;

symbolic dims are computed from their expressions and fixed sizes are kept.
Each call runs fully checked, annotated locals included. Methods run on
instances built by the package's registered factories, one run per factory,
so every variant of a model is verified.

With `symbolic=True` (`_symbolic`), each function is also exported with
`torch.export`, one `Dim` per named dim, and its output shapes are compared
with the annotations for all sizes at once.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ._errors import AnnotationError, ShapeError
from ._example import run
from ._registry import Factory, Registry, registry_of
from ._runtime._locals import local_annotations
from ._sizes import Verdict, assignments, dims_of, equal_sizes
from ._source import first_line, source_file
from ._spec import Signature, Spec, signature_of
from ._synth import SynthError
from ._target import Member, Walk, annotated_members, load_modules

__all__ = ["Progress", "Verdict", "verify", "verify_members"]

Progress = Callable[[int, int, str], None]


def verify(
    target: str,
    *,
    symbolic: bool = False,
    walk: Walk | None = None,
    registry: Registry | None = None,
    progress: Progress | None = None,
) -> list[Verdict]:
    """Verdicts for every public function and method of `target` that mentions a
    tensor; `walk` says which modules a package walk keeps, `registry` is one
    named outside the target (its entries before the target's own), and
    `progress(done, total, name)` hears of each member before it runs."""
    modules, attribute = load_modules(target, walk)
    registry = registry_of(modules, registry)
    verdicts: list[Verdict] = []
    members = [member for module in modules for member in annotated_members(module, attribute)]
    for done, member in enumerate(members):
        if progress is not None:
            progress(done, len(members), member.name)
        verdicts.extend(_verify_member(member, registry))
    if symbolic:
        from ._symbolic import prove  # torch.export is heavy: only when asked

        for member in members:
            verdicts.extend(prove(member, registry))
    return verdicts


def verify_members(
    target: str,
    names: set[str],
    *,
    walk: Walk | None = None,
    registry: Registry | None = None,
) -> list[Verdict]:
    """Verdicts for the members of `target` named in `names` (`module.qualname`,
    private ones too), with the whole target's registry: what `annotate`
    verifies of the functions it annotated."""
    modules, attribute = load_modules(target, walk)
    registry = registry_of(modules, registry)
    return [
        verdict
        for module in modules
        for member in annotated_members(module, attribute, private=True)
        if member.name in names
        for verdict in _verify_member(member, registry)
    ]


# ------------------------------------------------------------------- running


def _location(fn: Any) -> tuple[str | None, int | None]:
    file = source_file(fn)
    line = first_line(fn) or None
    if file is None:
        return None, line
    path = Path(file)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix(), line
    except ValueError:
        return path.as_posix(), line


def _verify_member(member: Member, registry: Registry) -> list[Verdict]:
    fn, name, owner = member.function, member.name, member.owner
    file, line = _location(fn)
    try:
        signature = signature_of(fn, member.localns)
        located = local_annotations(fn, member.localns)
    except AnnotationError as error:
        return [Verdict(name, "violated", f"malformed annotation: {error}", {}, file, line)]
    sites = [site.spec for site in (located[2].values() if located else ())]
    if not signature.has_tensors and not sites:
        return []
    member = dataclasses.replace(member, signature=signature)
    if member.kind(signature) == "method":
        assert owner is not None
        factories: list[Factory | None] = list(registry.factories_for(owner))
        if not factories:
            return [
                Verdict(
                    name,
                    "skipped",
                    f"no example: register a factory for {owner.__qualname__}",
                    {},
                    file,
                    line,
                )
            ]
    else:
        factories = [None]
    verdicts = []
    for factory in factories:
        label = f"{name} [{factory.name}]" if factory is not None else name
        verdicts.append(
            _run_all(label, member, signature, sites, factory, file, line, _known_dims(registry))
        )
    return verdicts


def _run_all(
    label: str,
    member: Member,
    signature: Signature,
    sites: list[Spec],
    factory: Factory | None,
    file: str | None,
    line: int | None,
    known: list[str],
) -> Verdict:
    names, broadcast, groups = dims_of(signature, sites)
    if factory is not None:
        # The factory may need dims the method does not mention (the model's
        # vocab for `begin_state`): every dim the package knows gets a size.
        names += [name for name in known if name not in names]
    ran: list[str] = []
    reasons: list[str] = []
    raised: list[tuple[str, _Outcome]] = []  # the code's own exceptions, by assignment
    last_sizes: dict[str, Any] = {}
    for kind, sizes in assignments(names, broadcast, groups):
        outcome = _run_once(member, factory, sizes)
        last_sizes = outcome.sizes
        if outcome.status == "violated":
            return Verdict(
                label, "violated", f"{kind} sizes: {outcome.message}", outcome.sizes, file, line
            )
        if outcome.status == "skipped":
            reasons.append(outcome.message)
        elif outcome.status == "raised":
            raised.append((kind, outcome))
        else:
            ran.append(kind)
    if raised:
        return _raised(label, member, factory, ran, raised, (names, broadcast, groups), file, line)
    if not ran:
        return Verdict(
            label, "skipped", reasons[0] if reasons else "nothing to run", last_sizes, file, line
        )
    return Verdict(
        label,
        "verified",
        f"checked under {', '.join(dict.fromkeys(ran))} sizes",
        last_sizes,
        file,
        line,
    )


def _raised(
    label: str,
    member: Member,
    factory: Factory | None,
    ran: list[str],
    raised: list[tuple[str, _Outcome]],
    dims: tuple[list[str], set[str], list[str]],
    file: str | None,
    line: int | None,
) -> Verdict:
    """The verdict on a function whose code raised under some assignments.

    When it passed under another one, or passes with every dim at one size,
    the sizes are to blame: violated. When it raises under every assignment and
    at equal sizes too, torch's own shape errors (a head `hiddens` wide fed
    `2*hiddens`) are still violations; any other failure is the code's,
    whatever the shapes: error."""
    kind, first = raised[0]
    blamed = Verdict(label, "violated", f"{kind} sizes: {first.message}", first.sizes, file, line)
    if ran:
        return blamed
    equal = _run_once(member, factory, equal_sizes(*dims))
    if equal.status == "verified" or _SHAPE_ERROR.search(first.message):
        return blamed
    if equal.status == "violated":
        return Verdict(label, "violated", f"equal sizes: {equal.message}", equal.sizes, file, line)
    message = f"raises at every size, equal sizes included: {first.message}"
    return Verdict(label, "error", message, first.sizes, file, line)


# How torch words a shape mismatch found inside the body: matmul, cat, view,
# broadcasting, indexing a dim that is not there.
_SHAPE_ERROR = re.compile(
    r"^(RuntimeError|ValueError|IndexError): .*("
    r"shape|size of tensor|sizes of tensors|dimension|\bdims?\b|broadcast|mat1 and mat2"
    r"|must match|out of range|invalid for input of size)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Outcome:
    # raised: the function's own code raised something other than a shape error
    status: Literal["verified", "violated", "skipped", "raised"]
    message: str
    sizes: dict[str, Any]


def _run_once(member: Member, factory: Factory | None, sizes: dict[str, Any]) -> _Outcome:
    sizes = dict(sizes)  # the instance's own dims are written in
    try:
        run(member, sizes, factory)
    except NotImplementedError:
        return _Outcome("skipped", "abstract: raises NotImplementedError", _shown(sizes))
    except SynthError as error:
        return _Outcome("skipped", f"no example: {error}", _shown(sizes))
    except (ShapeError, AnnotationError) as error:
        return _Outcome("violated", str(error), _shown(sizes))
    except Exception as error:  # noqa: BLE001  (torch's error, reported with the sizes)
        text = " ".join(str(error).split())
        return _Outcome("raised", f"{type(error).__name__}: {text}", _shown(sizes))
    return _Outcome("verified", "", _shown(sizes))


def _known_dims(registry: Registry) -> list[str]:
    names = dict.fromkeys(registry.dims)
    for example in registry.example_names:
        names.update(dict.fromkeys(registry.example(example)))
    return list(names)


def _shown(sizes: dict[str, Any]) -> dict[str, Any]:
    return {name: size for name, size in sizes.items() if name != "_"}
