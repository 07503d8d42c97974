"""Two functions: `scale` is annotated well, `row_sums` is not."""

from __future__ import annotations

from jaxtyping import Float
from torch import Tensor


def scale(x: Float[Tensor, "batch channels"], factor: float) -> Float[Tensor, "batch channels"]:
    """Multiply every entry by `factor`."""
    return x * factor


def row_sums(x: Float[Tensor, "batch, channels"]) -> Float[Tensor, "batch"]:
    """Sum each row; the annotation separates its dims with a comma."""
    return x.sum(-1)
