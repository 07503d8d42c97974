# ruff: noqa: UP007  (written with typing.Union, as linear_operator writes its unions)
"""Scaling, shifting and blending tensors and lazy matrices."""

from __future__ import annotations

from typing import Union

import torch
from jaxtyping import Float
from torch import Tensor


class LazyMatrix:
    """A matrix kept as a dense factor: enough `.shape` and `.dtype` for jaxtyping."""

    def __init__(self, factor: Tensor) -> None:
        self.factor = factor

    @property
    def shape(self) -> torch.Size:
        return self.factor.shape

    @property
    def dtype(self) -> torch.dtype:
        return self.factor.dtype


def scale(
    x: Union[Float[LazyMatrix, "rows cols"], Float[Tensor, "rows cols"]], factor: float = 2.0
) -> Union[Float[Tensor, "rows cols"], Float[LazyMatrix, "rows cols"]]:
    """Multiply every entry by `factor`.

    Parameters
    ----------
    x : Tensor or LazyMatrix
        the matrix to scale,
        dense or lazy.
    factor : float
        the multiplier.

    Returns
    -------
    Tensor or LazyMatrix
        the scaled matrix, of the same kind as `x`.
    """
    if isinstance(x, LazyMatrix):
        return LazyMatrix(x.factor * factor)
    return x * factor


def shift(
    x: Float[Tensor, "rows cols"],
    diag: Union[
        Float[Tensor, "... cols"],
        Float[Tensor, "... 1"],
        Float[Tensor, "... 1"],
        Float[Tensor, ""],
    ],
) -> Float[Tensor, "rows cols"]:
    """Add `diag` to every row of `x`.

    :param x: the rows.
    :param Tensor diag: one value per column,
        or one value for all.
    :type diag: Tensor
    :returns: the shifted rows.
    :rtype: Tensor
    """
    return x + diag


def blend(
    a: Float[Tensor, "#rows cols"], b: Float[Tensor, "rows #cols"]
) -> Float[Tensor, "rows cols"]:
    """Average two matrices that broadcast against each other.

    Args:
        a: one row, or one per row.
        b: one column, or one per column.

    Returns:
        the average.
    """
    return (a + b) / 2


def grow(x: Float[Tensor, "n"]) -> Float[Tensor, "#n+1"]:
    """Append a zero to `x`."""
    return torch.cat([x, x.new_zeros(1)])
