"""Malformed dim strings: in a signature, in an alias, in a local."""

from jaxtyping import Float, Int
from torch import Tensor

Pair = tuple[Float[Tensor, "batch# hiddens"], Float[Tensor, "batch hiddens"]]  # <alias>


def swap(pair: Pair) -> Pair:
    return pair[1], pair[0]


def two_groups(x: Int[Tensor, "*batch *steps"]) -> Int[Tensor, "*batch"]:  # <groups>
    y: Float[Tensor, "**batch"] = x.float()  # <local>
    return y.long()
