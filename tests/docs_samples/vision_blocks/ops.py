"""Tensor operations on channels, sequences and attention heads."""

from __future__ import annotations

import torch
from jaxtyping import Bool, Float
from torch import Tensor


def add_bias(
    x: Float[Tensor, "... channels"], bias: Float[Tensor, "#channels"]
) -> Float[Tensor, "... channels"]:
    """Add one bias per channel to the last axis.

    Args:
        x: activations with any leading axes.
        bias: one value per channel, or a single value for all.

    Returns:
        the shifted activations.
    """
    return x + bias


def pad_both(x: Float[Tensor, "batch length"]) -> Float[Tensor, "batch length+2"]:
    """Pad every sequence with one zero at each end.

    Args:
        x: a batch of sequences.

    Returns:
        the sequences, two entries longer.
    """
    return torch.nn.functional.pad(x, (1, 1))


def attention(
    q: Float[Tensor, "*batch heads q_len d"],
    k: Float[Tensor, "*batch heads k_len d"],
    v: Float[Tensor, "*batch heads k_len d_v"],
    mask: Bool[Tensor, "#q_len k_len"] | None = None,
) -> Float[Tensor, "*batch heads q_len d_v"]:
    """Scaled dot-product attention over any leading batch axes.

    Args:
        q (Tensor): the queries.
        k (Tensor): the keys, one per value.
        v (Tensor): the values, read with the attention
            weights of each query.
        mask (Tensor, optional): true where a query may look at a key.

    Returns:
        one mixed value per query.
    """
    scores: Float[Tensor, "*batch heads q_len k_len"] = (q @ k.transpose(-2, -1)) / q.shape[
        -1
    ] ** 0.5
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights: Float[Tensor, "*batch heads q_len k_len"] = torch.softmax(scores, dim=-1)
    return weights @ v
