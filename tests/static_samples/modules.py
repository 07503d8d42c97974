"""Calls of an nn.Module (its `forward`), its constructor, its methods, a checked function."""

from jaxtyping import Float
from torch import Tensor, nn

from shapecheck import check


class Decoder(nn.Module):
    def __init__(self, weight: Float[Tensor, "hiddens vocab"]) -> None:
        super().__init__()
        self.weight = weight

    def forward(self, h: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch vocab"]:
        return h @ self.weight

    def logits(self, h: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch vocab"]:
        return h @ self.weight


@check
def decode(h: Float[Tensor, "batch hiddens"]) -> None:
    pass


def use(
    h: Float[Tensor, "batch hiddens"],
    t: Float[Tensor, "hiddens batch"],
    w: Float[Tensor, "hiddens vocab"],
    wt: Float[Tensor, "vocab hiddens"],
) -> None:
    decoder = Decoder(w)
    Decoder(wt)  # expect: constructor
    decoder(h)
    decoder(t)  # expect: module call
    decoder.forward(t)  # expect: forward
    decoder.logits(t)  # expect: method
    Decoder.logits(decoder, t)  # expect: unbound method
    decode(t)  # expect: decorated
    decode(h=t)  # expect: keyword
