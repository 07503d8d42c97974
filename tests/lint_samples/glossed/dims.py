"""The glossary, and the aliases that the other modules import."""

from typing import Annotated, TypeAlias

from jaxtyping import Float
from torch import Tensor

from shapecheck import Registry, Size

shapes = Registry(
    dims={
        "batch": "the minibatch size",
        "steps": "the time steps",
        "hiddens": "the hidden units",
        "vocab": "the vocabulary size",
    }
)

BatchSize = Annotated[int, Size("batch")]
NumHiddens = Annotated[int, Size("hiddens")]
Hidden = Float[Tensor, "batch hiddens"]
State: TypeAlias = tuple[Hidden, Hidden]
