"""String annotations, under `from __future__ import annotations`."""

from __future__ import annotations

from typing import Optional

from jaxtyping import Float
from torch import Tensor


def mean(x: "Float[Tensor, 'batch steps']") -> "Float[Tensor, 'batch']":
    return x.mean(dim=1)


def scale(  # <scale>
    x: Float[Tensor, "batch steps"],
    factor: "Tensor",
) -> "Float[Tensor, 'batch steps']":
    return x * factor


def commas(x: "Float[Tensor, 'batch, steps']") -> None:  # <commas>
    pass


def typo(x: Optional["Float[Tensor, 'batch stpes']"]) -> None:  # noqa: UP045  <typo>
    pass


def unbound(x: Float[Tensor, "batch steps"]) -> "Float[Tensor, 'batch hidens']":  # <unbound>
    return x
