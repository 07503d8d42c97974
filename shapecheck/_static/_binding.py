"""A call of an annotated function inside a body: the callee's dims bound afresh
from what the caller passes, then put into its return shape. Distinct caller
dims are distinct sizes (as `verify` makes them); unknown ones bind silently."""

from __future__ import annotations

from typing import Any

import sympy

from ._shape import UNKNOWN, StaticShape

__all__ = ["bind", "substitute"]

Value = Any  # what the walk knows of a local (see `_bodies`)


def bind(wanted: Value, got: Value, binding: dict[sympy.Symbol, sympy.Expr]) -> str | None:
    """Bind the callee's dims in `wanted` to what the caller passes; why not, if
    they provably disagree."""
    if isinstance(wanted, sympy.Expr) and isinstance(got, int | sympy.Expr):
        if isinstance(wanted, sympy.Symbol):
            known = binding.get(wanted)
            if known is None:
                binding[wanted] = sympy.sympify(got)
                return None
            return (
                None
                if sympy.simplify(known - got) == 0 or not _definite(known, got)
                else (f"`{wanted}` is {got} here but {known} before")
            )
        return None
    if isinstance(wanted, tuple) and isinstance(got, tuple) and len(wanted) == len(got):
        for want_item, got_item in zip(wanted, got, strict=True):
            problem = bind(want_item, got_item, binding)
            if problem is not None:
                return problem
        return None
    if not isinstance(wanted, StaticShape) or not isinstance(got, StaticShape):
        return None
    if wanted.group is not None or got.group is not None:
        return None
    if len(wanted.dims) != len(got.dims):
        return f"{len(got.dims)} dims (`{got}`) where `{wanted}` has {len(wanted.dims)}"
    for index, (want, have) in enumerate(zip(wanted.dims, got.dims, strict=True)):
        if isinstance(want, sympy.Symbol) and not want.name.startswith("_"):
            known = binding.get(want)
            if known is None:
                binding[want] = have
            elif _definite(known, have):
                return (
                    f"dim {index} of `{got}` is {have}, but `{want}` is {known} from an "
                    f"earlier argument"
                )
        elif want.is_Integer and have.is_Integer and want != have:
            return f"dim {index} of `{got}` is {have}, annotated {want}"
    return None


def _definite(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Whether two caller-side dims are provably different: distinct names are
    distinct sizes, as `verify` makes them."""
    difference = sympy.simplify(sympy.sympify(a) - b)
    if difference == 0:
        return False
    free = difference.free_symbols
    return all(getattr(s, "name", "_")[:1] != "_" for s in free) and not any(
        str(s).startswith("{") for s in free
    )


def substitute(value: Value, binding: dict[sympy.Symbol, sympy.Expr]) -> Value:
    if isinstance(value, StaticShape):
        if value.group is not None:
            return UNKNOWN
        dims = tuple(sympy.sympify(dim).xreplace(binding) for dim in value.dims)
        return StaticShape(dims)
    if isinstance(value, tuple):
        return tuple(substitute(item, binding) for item in value)
    if isinstance(value, sympy.Expr):
        return value.xreplace(binding)
    return value
