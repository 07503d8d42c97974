"""A registry whose example sizes cannot be computed."""

from jaxtyping import Float
from torch import Tensor

import shapecheck


def _sizes() -> dict[str, int]:
    raise ValueError("no example sizes today")


shapes = shapecheck.Registry(examples={"broken": _sizes})


@shapecheck.check
def identity(x: Float[Tensor, "batch"]) -> Float[Tensor, "batch"]:
    """The input itself."""
    return x
