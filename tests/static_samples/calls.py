"""Calls whose argument shapes do, or do not, unify with the parameters'."""

from jaxtyping import Float
from torch import Tensor

from shapecheck.mypy import reveal_shape

Hidden = Float[Tensor, "batch hiddens"]


def step(h: Hidden) -> Float[Tensor, "hiddens batch"]:
    raise NotImplementedError


def project(x: Float[Tensor, "n d"], w: Float[Tensor, "d k"]) -> Float[Tensor, "n k"]:
    raise NotImplementedError


def rgb(image: Float[Tensor, "batch 3"]) -> None:
    pass


def gather(rows: Float[Tensor, "*b d"]) -> Float[Tensor, "*b"]:
    raise NotImplementedError


def square(x: Float[Tensor, "n n"]) -> None:
    pass


def flatten(x: Float[Tensor, "steps batch"], y: Float[Tensor, "steps*batch"]) -> None:
    pass


def calls(
    h: Hidden,
    t: Float[Tensor, "hiddens batch"],
    w: Float[Tensor, "hiddens vocab"],
    seq: Float[Tensor, "steps batch hiddens"],
    four: Float[Tensor, "batch 4"],
    three: Float[Tensor, "batch 3"],
    many: Float[Tensor, "*batch hiddens"],
    sizes: Float[Tensor, "4 5"],
    twenty: Float[Tensor, "20"],
    odd: Float[Tensor, "21"],
    rows: Float[Tensor, "steps*batch hiddens"],
    flat: Float[Tensor, "steps*batch batch*steps"],
) -> None:
    step(t)  # expect: swapped
    step(h)
    step(seq)  # expect: rank
    rgb(four)  # expect: fixed
    rgb(three)
    project(h, h)  # expect: two dims
    project(h, w)
    reveal_shape(project(h, w))  # expect: revealed
    reveal_shape(gather(seq))  # expect: variadic
    reveal_shape(gather(many))  # expect: variadic group
    gather(h)
    flatten(sizes, twenty)
    flatten(sizes, odd)  # expect: symbolic
    square(rows)  # expect: product
    square(flat)
    out = step(h)
    project(out, h)
    step(out)  # expect: returned
