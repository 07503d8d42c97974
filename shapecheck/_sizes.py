"""Size assignments for running a function with no data, and what a run found.

`verify` and the symbolic proof both read the dims of a signature, give them
sizes, and report a `Verdict`; both import them from here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from ._spec import Named, Signature, SizeSpec, Spec, Symbolic, Variadic, leaves

__all__ = ["Status", "Verdict", "assignments", "dims_of", "equal_sizes", "primes"]

# verified: every run passed its checks; violated: a check failed, or the code
# failed at some sizes the annotations allow and not at others; error: the code
# raised at every size, equal sizes included, so no size is to blame; skipped:
# nothing could be run (no factory, no argument can be made, abstract).
Status = Literal["verified", "violated", "error", "skipped"]


@dataclass(frozen=True)
class Verdict:
    """What verifying one function (or one method on one example instance) found."""

    name: str
    status: Status
    message: str
    sizes: dict[str, Any] = field(default_factory=dict)
    file: str | None = None
    line: int | None = None

    def as_json(self) -> dict[str, Any]:
        sizes = {k: list(v) if isinstance(v, tuple) else v for k, v in self.sizes.items()}
        return {"name": self.name, "status": self.status, "message": self.message, "sizes": sizes}


def primes() -> Iterator[int]:
    """2, 3, 5, 7, ...: as many as there are dims."""
    found: list[int] = []
    for candidate in itertools.count(2):
        if all(candidate % p for p in found if p * p <= candidate):
            found.append(candidate)
            yield candidate


def dims_of(signature: Signature, sites: list[Spec]) -> tuple[list[str], set[str], list[str]]:
    """Named dims in order of first use, the broadcastable ones, and variadic groups."""
    names: dict[str, None] = {}
    broadcast: set[str] = set()
    groups: dict[str, None] = {}
    specs = [param.spec for param in signature.params]
    if signature.returns is not None:
        specs.append(signature.returns)
    for spec in [*specs, *sites]:
        for leaf in (found.spec for found in leaves(spec, "")):
            if isinstance(leaf, SizeSpec):
                names.setdefault(leaf.name)
                continue
            if leaf.shape is None:
                continue
            for dim in leaf.shape.dims:
                if isinstance(dim, Named):
                    names.setdefault(dim.name)
                    if dim.broadcast:
                        broadcast.add(dim.name)
                elif isinstance(dim, Variadic) and dim.name is not None:
                    groups.setdefault(dim.name)
                elif isinstance(dim, Symbolic):
                    for name in dim.names:
                        names.setdefault(name)
    return list(names), broadcast, list(groups)


def assignments(
    names: list[str], broadcast: set[str], groups: list[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, sizes) for each size assignment a function is verified under."""
    sizes = primes()
    distinct: dict[str, Any] = {name: next(sizes) for name in names}
    distinct["_"] = next(sizes)
    for group in groups:
        distinct["*" + group] = (next(sizes), next(sizes))
    yield "distinct", distinct
    if broadcast:
        yield "broadcast", {**distinct, **dict.fromkeys(broadcast, 1)}
    if groups:
        yield "ranks", {**distinct, **{"*" + group: () for group in groups}}
        # Three primes no dim has: the 18th to 20th (61, 67, 71) when few
        # are taken, the next ones otherwise.
        taken = len(names) + 1 + 2 * len(groups)
        more = itertools.cycle(list(itertools.islice(primes(), max(17, taken), max(20, taken + 3))))
        yield "ranks", {**distinct, **{"*" + g: (next(more),) * 3 for g in groups}}


EQUAL_SIZE = 5


def equal_sizes(names: list[str], broadcast: set[str], groups: list[str]) -> dict[str, Any]:
    """Every dim at one size (`#` dims too; variadic groups one axis of it):
    sizes under which no two dims can be told apart, as in a plain test."""
    sizes: dict[str, Any] = dict.fromkeys([*names, "_"], EQUAL_SIZE)
    sizes |= {"*" + group: (EQUAL_SIZE,) for group in groups}
    return sizes
