"""No glossary: a dim used only once is reported."""

from jaxtyping import Float
from torch import Tensor


def blur(x: Float[Tensor, "channels width"]) -> Float[Tensor, "chanels width"]:  # <blur>
    return x


def sharpen(x: Float[Tensor, "channels width"]) -> Float[Tensor, "channels width"]:
    return x
