"""Functions written the way external projects annotate them; some are wrong."""

from __future__ import annotations

import torch
from jaxtyping import Float
from torch import Tensor, nn

import shapecheck

shapes = shapecheck.Registry(dims={"batch": "rows", "hiddens": "features", "c": "channels"})


def good_linear(
    x: Float[Tensor, "batch hiddens"], W: Float[Tensor, "hiddens hiddens"]
) -> Float[Tensor, "batch hiddens"]:
    return x @ W


def transposed_result(x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hiddens"]:
    return x.T.contiguous()


def needs_square(
    x: Float[Tensor, "batch hiddens"], W: Float[Tensor, "hiddens hiddens"]
) -> Float[Tensor, "batch hiddens"]:
    # Adds x.T to x @ W: only runs when batch == hiddens.
    return x @ W + x.T


def broadcast_add(
    x: Float[Tensor, "#batch c"], y: Float[Tensor, "batch c"]
) -> Float[Tensor, "batch c"]:
    return x + y


def reduce_last(x: Float[Tensor, "*lead c"]) -> Float[Tensor, "*lead"]:
    return x.sum(-1)


def padded(x: Float[Tensor, "batch c"]) -> Float[Tensor, "batch c+2"]:
    return torch.nn.functional.pad(x, (1, 1))


def wrong_local(x: Float[Tensor, "batch c"]) -> Float[Tensor, "batch"]:
    total: Float[Tensor, "c"] = x.sum(-1)
    return total


def needs_callback(x: Float[Tensor, "batch c"], fn: object) -> Float[Tensor, "batch c"]:
    return x


class Scale(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))

    def forward(self, x: Float[Tensor, "batch c"]) -> Float[Tensor, "batch c"]:
        return x * self.weight


@shapes.factory("Scale", Scale)
def _scale(sizes: dict[str, int], device: str) -> Scale:
    return Scale(sizes["c"]).to(device)
