"""The model's values as the reader sees them, shared by every renderer.

A leaf's dtype and shape read as annotated (`Float`, `steps*batch vocab`; an
int that binds a dim reads `int` and the dim's name); observed sizes read
`35 × 32 × 28`, `scalar` for none, and a tuple of tensors as
`(32 × 256, 32 × 256)`.
"""

from __future__ import annotations

from .._spec import SizeSpec, TensorSpec
from ._model import (
    DocsProblem,
    ExampleInstance,
    GivenBy,
    MustAgree,
    Observed,
    Place,
    Relation,
    SymbolicAxis,
)

__all__ = ["card_problem", "dtype_text", "observed_text", "relation_text", "shape_text"]


def dtype_text(spec: TensorSpec | SizeSpec) -> str:
    return "int" if isinstance(spec, SizeSpec) else spec.dtype


def shape_text(spec: TensorSpec | SizeSpec) -> str:
    """The dim string as written; the bound dim of a size; `...` for a bare tensor."""
    if isinstance(spec, SizeSpec):
        return spec.name
    return spec.shape.text if spec.shape is not None else "..."


def observed_text(observed: Observed) -> str | None:
    """The sizes the example run saw; None where it saw nothing."""
    if observed is None:
        return None
    if observed and isinstance(observed[0], tuple):
        return (
            "(" + ", ".join(_sizes(inner) for inner in observed if isinstance(inner, tuple)) + ")"
        )
    return _sizes(tuple(size for size in observed if isinstance(size, int)))


def _sizes(sizes: tuple[int, ...]) -> str:
    return " × ".join(str(size) for size in sizes) if sizes else "scalar"


def card_problem(problem: DocsProblem) -> str:
    """A problem as the function's own card lists it.

    A malformed annotation is also listed page-wide, and reads the same in
    both places; a failed run is listed only on the card, which names the
    function already.
    """
    return str(problem) if problem.kind == "annotation" else problem.detail


def _place(place: Place) -> str:
    where = str(place.where) if place.line is None else f"{place.where} (line {place.line})"
    branch = f" ({place.branch})" if place.branch is not None else ""
    return f"`{where}`{branch} axis {place.axis}"


def _places(places: list[Place]) -> str:
    """Up to four places, then how many more."""
    shown = ", ".join(_place(place) for place in places[:4])
    return shown + (f" and {len(places) - 4} more" if len(places) > 4 else "")


def _must_agree(relation: MustAgree) -> str:
    """A dim's places as prose. A place written `#dim` may also be 1 (it
    broadcasts), so it is never said to "agree" without saying so; the dim is
    "bound by" its first place only where that place is not one of those."""
    dim = f"`{relation.dim}`"
    strict = [place for place in relation.places if not place.broadcast]
    loose = [place for place in relation.places if place.broadcast]
    if not loose:
        first, *rest = strict
        return f"{dim} is bound by {_place(first)} and must agree at {_places(rest)}"
    written = f"(written `#{relation.dim}`)"
    if not strict:
        return f"{dim} must agree at {_places(loose)} {written}, except where it is 1, to broadcast"
    first, *rest = strict
    verb = "is the size at" if relation.places[0].broadcast else "is bound by"
    head = f"{dim} {verb} {_place(first)}" + (f" and must agree at {_places(rest)}" if rest else "")
    return f"{head}; at {_places(loose)} {written} it must agree or be 1, to broadcast"


def relation_text(relation: Relation) -> str:
    """One relation as prose, with `code spans` for the renderers to keep."""
    if isinstance(relation, GivenBy):
        return f"`{relation.dim}` is given by the argument `{relation.argument}`"
    if isinstance(relation, MustAgree):
        return _must_agree(relation)
    if isinstance(relation, SymbolicAxis):
        at = f" at {relation.example}" if relation.example is not None else ""
        if relation.broadcast:
            # `#expr`: the axis is the expression's size or 1.
            value = f"; {relation.size}{at}" if relation.size is not None else ""
            return (
                f"{_place(relation.place)} is `{relation.expr}`, or 1 to broadcast "
                f"(written `#{relation.expr}`){value}"
            )
        value = f" = {relation.size}{at}" if relation.size is not None else ""
        return f"{_place(relation.place)} is `{relation.expr}`{value}"
    if isinstance(relation, ExampleInstance):
        return f"the example instance is `{relation.factory}`"
    fixed = ", ".join(f"`{name}`={size}" for name, size in relation.dims)
    at = f" at {relation.example}" if relation.example is not None else ""
    return f"the module fixes {fixed}{at} (`__shapecheck_dims__`)"
