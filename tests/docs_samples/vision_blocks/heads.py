"""Patch embedding and detection heads, with structured inputs and outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch
from jaxtyping import Float, Int
from torch import Tensor


class Patches(NamedTuple):
    """An image cut into square patches."""

    pixels: Float[Tensor, "batch num_patches patch_dim"]
    positions: Int[Tensor, "num_patches 2"]


@dataclass(frozen=True)
class Detections:
    """Boxes and class scores for every anchor."""

    boxes: Float[Tensor, "batch anchors 4"]
    logits: Float[Tensor, "batch anchors classes"]


def embed_patches(
    patches: Patches, proj: Float[Tensor, "patch_dim dim"]
) -> Float[Tensor, "batch num_patches dim"]:
    """Project every patch to the model width.

    Args:
        patches: the pixels and grid positions of the patches.
        proj: the projection matrix.

    Returns:
        one embedding per patch.
    """
    return patches.pixels @ proj


def detect(
    features: Float[Tensor, "batch anchors dim"], weight: Float[Tensor, "dim 4+classes"]
) -> Detections:
    """Split one linear map of the features into boxes and class logits.

    Args:
        features: one feature vector per anchor.
        weight: the box and class weights side by side.

    Returns:
        the boxes and the class logits.
    """
    out: Float[Tensor, "batch anchors 4+classes"] = features @ weight
    return Detections(boxes=out[..., :4], logits=torch.log_softmax(out[..., 4:], dim=-1))
