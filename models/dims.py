"""The dimension vocabulary of `models`, and the aliases built on it.

Every annotation in `models` uses these names:

- `batch`: the minibatch size;
- `steps`: the time steps, d2l's `num_steps`;
- `vocab`: the vocabulary size, which is also the one-hot width;
- `hiddens`: d2l's `num_hiddens`;
- `layers_dirs`: `num_layers * num_directions`.
"""

from typing import Annotated

import torch
from jaxtyping import Float
from torch import Tensor

from shapecheck import Registry, Size

__all__ = ["BatchSize", "Device", "Hidden", "NumHiddens", "NumSteps", "VocabSize", "shapes"]


def _d2l_sizes() -> dict[str, int]:
    """d2l's sizes; the vocabulary is the one the bundled corpus really produces."""
    from .data import load_corpus_time_machine

    _, vocab = load_corpus_time_machine()
    return {"batch": 32, "steps": 35, "vocab": len(vocab), "hiddens": 256}


# The package's glossary and example sizes, read by `shapecheck docs` and
# `shapecheck verify`. Factories for the models' classes live beside them, in
# `models.rnn_model`.
shapes = Registry(
    dims={
        "batch": "the minibatch size: sequences processed side by side",
        "steps": "the time steps of a minibatch, d2l's `num_steps`",
        "vocab": "the vocabulary size, which is also the one-hot width and the output width",
        "hiddens": "the hidden units of a recurrent layer, d2l's `num_hiddens`",
        "layers_dirs": "`num_layers * num_directions`: one hidden state per layer and direction",
    },
    examples={"d2l": _d2l_sizes},
)

# Integer arguments that fix a dim: `init_lstm_state(batch_size=3, ...)` must
# return states whose `batch` axis is 3.
BatchSize = Annotated[int, Size("batch")]
NumSteps = Annotated[int, Size("steps")]
VocabSize = Annotated[int, Size("vocab")]
NumHiddens = Annotated[int, Size("hiddens")]

Device = torch.device | str

# One hidden (or memory cell) state of a scratch recurrent cell.
Hidden = Float[Tensor, "batch hiddens"]
