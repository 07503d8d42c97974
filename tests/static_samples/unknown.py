"""Shapes nobody states, or that may be equal: silent, as mypy is on untyped code."""

from typing import Any

import torch
from jaxtyping import Float
from torch import Tensor


def step(h: Float[Tensor, "batch hiddens"]) -> None:
    pass


def square(x: Float[Tensor, "n n"]) -> None:
    pass


def unknown(
    plain: Tensor,
    anything: Any,
    anonymous: Float[Tensor, "_ _"],
    broadcast: Float[Tensor, "#batch hiddens"],
    field: Float[Tensor, "{k} hiddens"],
    many: Float[Tensor, "*batch"],
    sized: Float[Tensor, "batch 3"] | None,
) -> None:
    step(plain)
    step(anything)
    step(anonymous)
    step(broadcast)
    step(field)
    step(many)
    step(torch.zeros(3, 4))
    square(anonymous)
    if sized is not None:
        step(sized)
    local = plain.T
    step(local)
