"""A good checked function, and one that fails for a reason that is not a shape."""

from jaxtyping import Float
from torch import Tensor

import shapecheck

shapes = shapecheck.Registry(
    dims={"batch": "the minibatch size", "hiddens": "the hidden units"},
    examples={"small": {"batch": 2, "hiddens": 3}},
)


@shapecheck.check
def double(x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hiddens"]:
    """Twice the input."""
    return x * 2


@shapecheck.check
def explode(x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hiddens"]:
    """Raises whatever it is given."""
    raise ValueError("explode always fails")
