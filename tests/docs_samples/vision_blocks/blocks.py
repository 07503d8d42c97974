"""A convolutional block as an `nn.Module`."""

import torch
from jaxtyping import Float
from torch import Tensor, nn


class ConvBlock(nn.Module):
    """Convolution, group norm and ReLU, keeping the spatial size."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)
        self.norm = nn.GroupNorm(1, out_channels)

    def forward(
        self, x: Float[Tensor, "batch in_channels height width"]
    ) -> Float[Tensor, "batch out_channels height width"]:
        """Apply the block.

        Args:
            x: a batch of feature maps.

        Returns:
            the new feature maps, the same size.
        """
        h: Float[Tensor, "batch out_channels height width"] = self.conv(x)
        g: Float[Tensor, "batch out_channels height width"] = self.norm(h)
        return torch.relu(g)
