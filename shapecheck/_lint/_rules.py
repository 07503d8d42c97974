"""The dim rules, SC101, SC301, SC303, SC401 and SC402, each with its message.

- SC101 malformed dim string: the `AnnotationError` of `parse_shape`, with the
  corrected form where one can be guessed.
- SC301 unbound dim (the rule is below).
- SC303 variadic used as a single dim (the rule is below).
- SC401 not in glossary: a dim name missing from the package's glossary, the
  literal `Registry(dims={...})` found in the target (or, for one module of a
  package, in the modules beside it and in the packages above it); skipped
  when there is none.
- SC402 used once: a dim name used exactly once in the target, often a typo;
  names starting with `_` are skipped. Only without a glossary: with one,
  every name is either in it or already reported by SC401.

SC301, the rule. A function's *bound* names (`_functions.Signature.bound`)
are read against its annotated locals, in source order, then its return
annotation:

- a symbolic dim (`steps*batch`) must use bound names only, always;
- a named dim that is not bound is reported when the function binds at least
  one name: that is the typical bug, `-> Float[Tensor, "batch hidden"]` when
  the arguments bind `hiddens`. When the function binds no name at all (a
  factory or a loader, `batch_size: int -> Int[Tensor, "batch steps"]`), its
  return and locals introduce their names, as jaxtyping allows.

A name, once read (reported or not), is bound for the rest of the function,
so each is reported at most once, at its first unbound use. A size that is
deliberately new and unchecked, in a function that binds names, is written
`_name` (anonymous in jaxtyping).

SC303, the rule. jaxtyping keeps a variadic group `*batch` and a single dim
`batch` apart: they are two names that are never compared. So a name used
both ways in one function (`other: Float[Tensor, "*batch2 n c"]` and
`-> Float[Tensor, "batch2 ... c"]`) is a bug: the single dim is new and
unchecked, or, in an expression (`2*batch`), cannot be evaluated. The uses
are read in the function's tensor annotations, in order: its arguments, its
annotated locals in source order, then its return annotation, as for SC301
(through type aliases and the fields of NamedTuple and dataclass arguments).
The first use fixes how the name is used; the first use the other way is
reported, once per name and function, at its line.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .._errors import AnnotationError
from .._spec import Dim, Named, Symbolic, Variadic, parse_shape
from ._annotations import Event, Leaf, size_name
from ._index import Module
from ._result import Finding
from ._sites import Use, dims_method_keys, glossary_in, module_dim_strings


def _suggest(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(set(candidates) - {name}), n=1)
    return f'; did you mean "{close[0]}"?' if close else ""


def read_uses(module: Module, findings: list[Finding]) -> Iterator[Use]:
    """The uses of dim names in a module, for SC401 and SC402; SC101 into `findings`."""
    assert module.tree is not None
    for line, text in module_dim_strings(module):
        try:
            shape = parse_shape(text)
        except AnnotationError as error:
            findings.append(module.finding(line, "SC101", str(error)))
            continue
        if shape.names:
            yield Use(module, line, shape.names)
    for node in module.nodes:
        if isinstance(node, ast.Call):
            name = size_name(node)
            if name is not None:
                yield Use(module, node.lineno, (name,))
        elif isinstance(node, ast.ClassDef):
            for line, key in dims_method_keys(node):
                yield Use(module, line, (key,))


def glossary_of(modules: Iterable[Module]) -> dict[str, None]:
    """The dim names of every `Registry(dims=...)` among `modules`."""
    names: dict[str, None] = {}
    for module in modules:
        names.update(glossary_in(module))
    return names


def glossary_findings(uses: list[Use], glossary: dict[str, None]) -> Iterator[Finding]:
    """SC401 with a glossary, SC402 without one."""
    counts: dict[str, int] = {}
    for use in uses:
        for name in use.names:
            counts[name] = counts.get(name, 0) + 1
    for use in uses:
        for name in use.names:
            if glossary and name not in glossary:
                hint = _suggest(name, glossary) or "; add it to Registry(dims=...)"
                message = f'dim "{name}" is not in the glossary{hint}'
                yield use.module.finding(use.line, "SC401", message)
            elif not glossary and counts[name] == 1 and not name.startswith("_"):
                message = f'dim "{name}" is used only once{_suggest(name, counts)}'
                yield use.module.finding(use.line, "SC402", message)


def unbound_dims(
    module: Module,
    qualname: str,
    bound: dict[str, None],
    reads: list[tuple[str, list[Event]]],
) -> Iterator[Finding]:
    """SC301 for the `(where, events)` reads of one function, in order; `bound` grows."""
    strict = bool(bound)
    arguments = tuple(bound)
    for where, events in reads:
        for event in events:
            if not isinstance(event, Leaf) or event.shape is None:
                continue
            for dim in event.shape.dims:
                if isinstance(dim, Symbolic):
                    missing = [name for name in dim.names if name not in bound]
                    for name in missing:
                        yield module.finding(
                            event.line,
                            "SC301",
                            f'dim "{dim.expr}" in {where} of {qualname} uses "{name}", '
                            "which nothing binds before it",
                        )
                        bound[name] = None
                elif isinstance(dim, Named | Variadic) and dim.name is not None:
                    if dim.name not in bound and strict:
                        hint = _suggest(dim.name, arguments) or (
                            "; bind it in an argument annotation, "
                            f'or with Annotated[int, Size("{dim.name}")]'
                        )
                        yield module.finding(
                            event.line,
                            "SC301",
                            f'dim "{dim.name}" in {where} of {qualname} '
                            f"is bound by no argument{hint}",
                        )
                    bound[dim.name] = None


def _name_uses(dim: Dim) -> Iterator[tuple[str, bool, str]]:
    """(name, used as a variadic group, the dim as written) for each name a dim uses."""
    if isinstance(dim, Variadic) and dim.name is not None:
        yield dim.name, True, f"*{dim.name}"
    elif isinstance(dim, Named):
        yield dim.name, False, dim.name
    elif isinstance(dim, Symbolic):
        for name in dim.names:
            yield name, False, dim.expr


@dataclass(frozen=True)
class _NameUse:
    """Where a function first uses a name, and how."""

    variadic: bool
    where: str
    line: int
    shown: str  # the dim as written: `*batch`, `batch`, `2*batch`


def _how(name: str, use: _NameUse) -> str:
    if use.variadic:
        return f'the variadic group "*{name}"'
    if use.shown == name:
        return f'the single dim "{name}"'
    return f'"{name}" as a single dim, in "{use.shown}"'


def _conflict(module: Module, qualname: str, name: str, first: _NameUse, use: _NameUse) -> Finding:
    if use.variadic:
        this = "is a variadic group"
    elif use.shown == name:
        this = "is a single dim"
    else:
        this = f'uses "{name}" as a single dim'
    where = first.where if first.line == use.line else f"{first.where} (line {first.line})"
    plain = {name, f"*{name}"}
    fix = (
        f'write "*{name}" in both, or rename one'
        if {use.shown, first.shown} <= plain
        else "rename one: an expression can use single dims only"
    )
    return module.finding(
        use.line,
        "SC303",
        f'dim "{use.shown}" in {use.where} of {qualname} {this}, but {where} has '
        f"{_how(name, first)}; jaxtyping keeps variadic groups and single dims apart "
        f"and never compares them: {fix}",
    )


def variadic_conflicts(
    module: Module, qualname: str, reads: list[tuple[str, list[Event]]]
) -> Iterator[Finding]:
    """SC303 for the `(where, events)` reads of one function, arguments first."""
    first: dict[str, _NameUse] = {}
    reported: set[str] = set()
    for where, events in reads:
        for event in events:
            if not isinstance(event, Leaf) or event.shape is None:
                continue
            for dim in event.shape.dims:
                for name, variadic, shown in _name_uses(dim):
                    use = _NameUse(variadic, where, event.line, shown)
                    earlier = first.setdefault(name, use)
                    if earlier.variadic != use.variadic and name not in reported:
                        reported.add(name)
                        yield _conflict(module, qualname, name, earlier, use)
