"""Three functions with tensors, one of them with bare tensors: 2 of 3 covered."""

from collections.abc import Callable
from typing import Optional

import torch
from jaxtyping import Float, Shaped
from torch import Tensor


def shaped(x: Float[Tensor, "rows cols"], n: int) -> Shaped[Tensor, "rows cols"]:
    return x * n


def calls(
    x: Float[Tensor, "rows cols"], fn: Callable[[Tensor], Tensor]
) -> Float[Tensor, "rows cols"]:
    def helper(y: Tensor) -> Tensor:  # nested: not counted
        return fn(y)

    return helper(x)


def gaps(  # <gaps>
    x: Optional[torch.Tensor],  # noqa: UP045
    y: tuple[Tensor, Float[Tensor, "rows"]],
    z,
    n: int,
) -> list[Tensor]:
    return [x if x is not None else y[0], y[1], z] * n


def untyped(x, y):
    return x + y


def ints(n: int) -> int:
    return n
