"""Inline suppressions and SC303, on linear_operator's block-diagonal `_add_batch_dim`.

No glossary. Each `<tag>` marks the one line of a finding the tests expect;
every other problem here is silenced by a `# shapecheck: ignore` comment.
"""

from jaxtyping import Float
from torch import Tensor


def add_batch_dim(
    other: Float[Tensor, "*batch2 N C"],
) -> Float[Tensor, "batch2 ... C"]:  # <add-batch-dim>
    return other


def add_batch_dim_quiet(
    other: Float[Tensor, "*batch2 N C"],
) -> Float[Tensor, "batch2 ... C"]:  # shapecheck: ignore[SC303]
    return other


def matmul(  # shapecheck: ignore[SC301]
    x: Float[Tensor, "*batch N M"],
    y: Float[Tensor, "*batch M N"],
) -> Float[Tensor, "*batch N Q"]:
    z: Float[Tensor, "*batch N Q"] = x @ y
    return z


def scale(x: Tensor, factor: float) -> Tensor:  # shapecheck: ignore[SC201]
    return x * factor


def shift(x: Float[Tensor, "N"], by: str = "# shapecheck: ignore") -> Float[Tensor, "R"]:  # <s>
    return x


def typo(x: Float[Tensor, "N"]) -> Float[Tensor, "N W"]:  # shapecheck: ignore[SC3O1, SC402] <t>
    return x
