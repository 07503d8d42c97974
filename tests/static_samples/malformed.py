"""Malformed dim strings: each an error at its line, worded as `shapecheck lint`'s SC101."""

from jaxtyping import Float
from torch import Tensor

Pair = Float[Tensor, "batch,hiddens"]  # expect: alias


def step(x: Float[Tensor, "batch#"]) -> Float[Tensor, "*a *b"]:  # expect: param, return
    y: Float[Tensor, "**x"] = x  # expect: local
    return y


class Model:
    weight: "Float[Tensor, '3 _3']"  # expect: string

    def forward(self, x: Float[Tensor, "steps*"]) -> None:  # expect: method
        pass


later: Late  # a forward reference: mypy analyses this module's top level twice


class Late:
    pass


Twice = Float[Tensor, "a b#"]  # expect: after the second pass
