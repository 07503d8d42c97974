"""`shapecheck annotate TARGET`: record, generalise, name, verify, then write.

1. Record (`_runs`, `_record`): the target's exercises and every function
   that can be called with made-up arguments run at three assignments of
   distinct primes to the package's dims, every call of the target's
   functions watched.
2. Generalise and name (`_propose`, `_infer`): each axis becomes the dim
   expression that fits every observation, in the registry's dim names.
3. Verify (`_guard`): the package, rewritten, is imported from a temporary
   copy and every function given annotations is verified there; one whose
   verdict is `violated` loses every proposal of its own, and is then as it
   was before.
4. Write (`_write`): a codemod puts what is left into the source.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from .._lint import lint
from .._naming import stems
from .._registry import Registry, registry_of
from .._spec import OtherSpec, signature_of
from .._target import Member, Walk, annotated_members, load_modules
from .._verify import verify_members
from ._guard import package_of, swapped_in
from ._model import Proposal
from ._propose import propose
from ._runs import Exercise, exercises_of, prime_assignments, record_runs
from ._write import Rewritten, WriteError, rewrite

__all__ = ["AnnotateResult", "FileChange", "annotate"]


@dataclass(frozen=True)
class FileChange:
    path: Path
    before: str
    after: str

    def diff(self) -> str:
        shown = self.path.as_posix()
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                f"a/{shown}",
                f"b/{shown}",
            )
        )


@dataclass
class AnnotateResult:
    """What `annotate` proposes, and what became of it."""

    changes: list[FileChange] = field(default_factory=list)
    written: list[Proposal] = field(default_factory=list)
    kept: list[Proposal] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # owner, place, why
    functions: int = 0  # functions and methods of the target
    annotated: int = 0  # of those, the ones given at least one annotation
    failed: list[str] = field(default_factory=list)  # exercises and calls that raised
    dims: dict[str, list[int]] = field(default_factory=dict)  # the sizes each run gave
    coverage_before: tuple[int, int] = (0, 0)  # lint's functions with tensors, covered
    coverage_after: tuple[int, int] = (0, 0)

    def diff(self) -> str:
        return "".join(change.diff() for change in self.changes)

    def write(self) -> None:
        for change in self.changes:
            change.path.write_text(change.after, encoding="utf-8")


def annotate(
    target: str,
    *,
    walk: Walk | None = None,
    registry: Registry | None = None,
    example: str | None = None,
    examples_file: Path | None = None,
    with_locals: bool = True,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
) -> AnnotateResult:
    """The annotations `target` would get; nothing is written (`write()` does)."""
    say = progress or (lambda _: None)
    modules, attribute = load_modules(target, walk)
    named_registry = registry
    registry = registry_of(modules, registry)
    members = [m for module in modules for m in annotated_members(module, attribute, private=True)]
    exercises = exercises_of(modules, registry, examples_file)
    members = [m for m in members if not _is_exercise(m, exercises)]
    result = AnnotateResult(functions=len(members))
    dims = _dims(registry, example, members)
    assignments = prime_assignments(dims)
    result.dims = {dim: [sizes[dim] for sizes in assignments] for dim in dims}
    say(f"recording {len(members)} functions at {len(assignments)} size assignments")
    runs = record_runs(members, exercises, registry, assignments)
    result.failed = sorted({failure for run in runs for failure in run.failed})
    placed, refusals = propose(members, runs, with_locals=with_locals, overwrite=overwrite)
    result.refused = [(r.owner, r.name, r.reason) for r in refusals]
    named = [(Path(item.file), item.module, item.proposal) for item in placed if not item.kept]
    result.kept += [item.proposal for item in placed if item.kept]
    top, root = package_of(modules[0])
    result.coverage_before = _coverage(str(_copied(modules[0], root, root)))
    accepted = named
    cache: dict[Path, tuple[list[Proposal], tuple[str, Rewritten]]] = {}
    rewritten = _rewritten(accepted, cache, (top,))
    touched = {f"{module}.{p.owner}" for _, module, p in accepted if p.kind != "field"}
    checked = _checked_through(touched, members)
    say(f"verifying the {len(checked)} functions given annotations, or calling those")
    for helpers in (False, True):  # a function's own proposals first, then its module's helpers
        texts = {path: done.text for path, (_, done) in rewritten.items()}
        with swapped_in(top, root, texts) as copy:
            verdicts = verify_members(target, checked, walk=walk, registry=named_registry)
            violated = {
                v.name.split(" [")[0]: v.message for v in verdicts if v.status == "violated"
            }
            blamed = _blamed(violated, touched, members, helpers=helpers)
            bad = [item for item in accepted if f"{item[1]}.{item[2].owner}" in blamed]
            if not bad:
                after = _coverage(str(_copied(modules[0], root, copy)))
                break
        for _, module, proposal in bad:
            why = blamed[f"{module}.{proposal.owner}"].splitlines()[0]
            result.refused.append((proposal.owner, _place(proposal), f"verify: {why}"))
        accepted = [item for item in accepted if item not in bad]
        rewritten = _rewritten(accepted, cache, (top,))
        checked = set(violated)  # what passed with more annotations passes with fewer
    else:
        texts = {path: done.text for path, (_, done) in rewritten.items()}
        with swapped_in(top, root, texts) as copy:
            after = _coverage(str(_copied(modules[0], root, copy)))
    result.coverage_after = after
    for path, (before, done) in sorted(rewritten.items()):
        result.written += done.written
        result.kept += done.kept
        result.refused += [(p.owner, _place(p), why) for p, why in done.missing]
        if done.text != before:
            result.changes.append(FileChange(path, before, done.text))
    result.annotated = len({(p.owner) for p in result.written if p.kind != "field"})
    return result


def _private(qualname: str) -> bool:
    return any(part.startswith("_") and not part.endswith("__") for part in qualname.split("."))


def _checked_through(touched: set[str], members: list[Member]) -> set[str]:
    """What `verify` runs to check `touched`: each public function itself; for a
    private helper, which `verify` does not run alone, the public functions of
    its module, through which its checks run."""
    private_in = {m.module for m in members if m.name in touched and _private(m.qualname)}
    return {
        m.name
        for m in members
        if not _private(m.qualname) and (m.name in touched or m.module in private_in)
    }


def _blamed(
    violated: dict[str, str], touched: set[str], members: list[Member], *, helpers: bool
) -> dict[str, str]:
    """The functions whose proposals a violated verdict refuses, with why: the
    function itself; with `helpers`, also the private helpers of its module
    that were touched (their checks ran inside it)."""
    module_of = {m.name: m.module for m in members}
    blamed: dict[str, str] = {}
    for name, why in violated.items():
        for other in touched:
            helper = helpers and _private(other.removeprefix(module_of.get(other, "") + "."))
            if other == name or (helper and module_of.get(other) == module_of.get(name)):
                blamed.setdefault(other, why)
    return blamed


def _is_exercise(member: Member, exercises: list[Exercise]) -> bool:
    """An exercise is the user's example code, not code to annotate."""
    return any(member.function is inspect.unwrap(run) for _, run in exercises)


def _rewritten(
    accepted: list[tuple[Path, str, Proposal]],
    cache: dict[Path, tuple[list[Proposal], tuple[str, Rewritten]]],
    first_party: tuple[str, ...] = (),
) -> dict[Path, tuple[str, Rewritten]]:
    """Each file's text, and the file with the proposals written (a file whose
    proposals did not change since the last round is not rewritten again)."""
    by_file: dict[Path, list[Proposal]] = {}
    for path, _, proposal in accepted:
        by_file.setdefault(path, []).append(proposal)
    done: dict[Path, tuple[str, Rewritten]] = {}
    for path, proposals in by_file.items():
        cached = cache.get(path)
        if cached is None or cached[0] != proposals:
            before = path.read_text(encoding="utf-8")
            try:
                done_here = rewrite(before, proposals, first_party=first_party)
            except WriteError as error:  # the file changed under us, or will not parse
                why = f"{path}: {error}"
                done_here = Rewritten(before, missing=tuple((p, why) for p in proposals))
            cached = (proposals, (before, done_here))
            cache[path] = cached
        done[path] = cached[1]
    return done


def _copied(module: ModuleType, root: Path, copy: Path) -> Path:
    """Where `module`'s file (its package's folder, for a package) is in `copy` of `root`."""
    file = Path(module.__file__ or "")
    if root.is_file():
        return copy
    inside = file.resolve().relative_to(root.resolve())
    if inside.name == "__init__.py":
        inside = inside.parent
    return copy / inside


def _place(proposal: Proposal) -> str:
    return proposal.name or "return"


def _coverage(target: str) -> tuple[int, int]:
    found = lint(target)
    return found.functions, found.covered


def _dims(registry: Registry, example: str | None, members: list[Member]) -> list[str]:
    """The dims to size: the registry's glossary and examples (one example's,
    with `example`); without a registry, what `int` parameters are named for."""
    if example is not None:
        names = list(registry.example(example))
    else:
        names = [dim for name in registry.example_names for dim in registry.example(name)]
    names += list(registry.dims)
    if not names:
        names = [dim for member in members for dim in _size_names(member)]
    return list(dict.fromkeys(names))


def _size_names(member: Member) -> list[str]:
    """The dims a function's plain `int` parameters are named for (`batch_size`: batch)."""
    try:
        signature = signature_of(member.function, member.localns)
    except Exception:  # noqa: BLE001  (an annotation that does not resolve)
        return []
    found = []
    for param in signature.params:
        plain = isinstance(param.spec, OtherSpec) and param.spec.hint in (int, Any)
        readings = stems(param.name)
        if plain and len(readings) > 2:  # something was taken off: `num_`, `_size`
            found.append(readings[2])
    return found
