"""From sizes seen at several size assignments to dims: which expression of
the package's dims each axis is.

Each run of the examples assigns sizes to the dims (distinct primes, a new
set each run). An axis seen with size `s` in a run may be any dim expression
that evaluates to `s` there: a dim (`hiddens`), a multiple (`4*hiddens`), a
product (`steps*batch`) or a multiple of one (`4*heads*head_dim`), a dim plus
or minus a little (`n+1`), or the literal `s`. The expression of an axis is
the one that holds in every observation of it, in every run; with distinct
primes a coincidence does not survive two runs. The simplest that holds is
taken: a dim, then a multiple, a product, a shift, and last a literal (a size
that never changed). An axis that no expression explains (a helper called
with different dims) is left to the caller to name.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Expr", "candidates", "explain", "render"]

_MULTIPLES = range(2, 9)
_SHIFTS = (1, 2, -1, -2)


@dataclass(frozen=True, order=True)
class Expr:
    """A dim expression: `rank` orders by simplicity (lower is simpler).

    `kind`: `dim` (`names[0]`), `multiple` (`factor*names[0]`), `product`
    (`names[0]*names[1]`, names sorted, times `factor` when it is over 1:
    `4*heads*head_dim`), `shift` (`names[0]+factor`), `literal` (`factor`)."""

    rank: int
    kind: str
    names: tuple[str, ...] = ()
    factor: int = 0

    def value(self, sizes: Mapping[str, int]) -> int | None:
        try:
            if self.kind == "dim":
                return sizes[self.names[0]]
            if self.kind == "multiple":
                return self.factor * sizes[self.names[0]]
            if self.kind == "product":
                return max(self.factor, 1) * sizes[self.names[0]] * sizes[self.names[1]]
            if self.kind == "shift":
                return sizes[self.names[0]] + self.factor
        except KeyError:
            return None
        return self.factor


def candidates(size: int, sizes: Mapping[str, int]) -> frozenset[Expr]:
    """Every expression of the dims in `sizes` that evaluates to `size`."""
    return _candidates(size, tuple(sorted(sizes.items())))


@functools.lru_cache(maxsize=4096)
def _candidates(size: int, sizes: tuple[tuple[str, int], ...]) -> frozenset[Expr]:
    found = {Expr(4, "literal", (), size)}
    by_name = dict(sizes)
    names = sorted(by_name)
    for name in names:
        value = by_name[name]
        if value == size:
            found.add(Expr(0, "dim", (name,)))
        for factor in _MULTIPLES:
            if factor * value == size:
                found.add(Expr(1, "multiple", (name,), factor))
        for shift in _SHIFTS:
            if value + shift == size:
                found.add(Expr(3, "shift", (name,), shift))
    for i, first in enumerate(names):
        for second in names[i:]:
            product = by_name[first] * by_name[second]
            if product == size:
                found.add(Expr(2, "product", (first, second)))
            for factor in _MULTIPLES:
                if factor * product == size:
                    found.add(Expr(2, "product", (first, second), factor))
    return frozenset(found)


def explain(observations: Iterable[tuple[int, Mapping[str, int]]]) -> Expr | None:
    """The simplest expression that fits every `(size, sizes of its run)`; None
    when none does (nor a literal: the size changed but with no dim)."""
    left: frozenset[Expr] | None = None
    for size, sizes in observations:
        fits = candidates(size, sizes)
        left = fits if left is None else left & fits
        if not left:
            return None
    return min(left) if left else None


def render(expr: Expr, order: Sequence[str] = ()) -> str:
    """`expr` in the dim-string syntax; a product's factors in `order` where
    they appear in it (`steps*batch` when steps comes first there)."""
    if expr.kind == "dim":
        return expr.names[0]
    if expr.kind == "multiple":
        return f"{expr.factor}*{expr.names[0]}"
    if expr.kind == "product":
        position = {name: i for i, name in enumerate(order)}
        first, second = sorted(expr.names, key=lambda n: (position.get(n, len(position)), n))
        scale = f"{expr.factor}*" if expr.factor > 1 else ""
        return f"{scale}{first}*{second}"
    if expr.kind == "shift":
        sign = "+" if expr.factor > 0 else "-"
        return f"{expr.names[0]}{sign}{abs(expr.factor)}"
    return str(expr.factor)
