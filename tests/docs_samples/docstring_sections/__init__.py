"""Google-style docstrings with more sections than `Args:` and `Returns:`."""

from jaxtyping import Float
from torch import Tensor


def normalize(x: Float[Tensor, "batch features"]) -> Float[Tensor, "batch features"]:
    """Scale every row to unit length.

    Args:
        x: the rows to scale.

    Raises:
        ValueError: if a row is all zeros.

    Returns:
        the scaled rows.
    """
    norms = x.norm(dim=-1, keepdim=True)
    if bool((norms == 0).any()):
        raise ValueError("a row is all zeros")
    return x / norms
