"""The dimension vocabulary of `models`, and the aliases built on it.

Every annotation in `models` uses these names:

- `batch`: the minibatch size;
- `steps`: the time steps, d2l's `num_steps`;
- `vocab`: the vocabulary size, which is also the one-hot width;
- `hiddens`: d2l's `num_hiddens`;
- `layers_dirs`: `num_layers * num_directions`.
"""

from collections.abc import Mapping
from typing import Annotated, Final

import torch
from jaxtyping import Float
from torch import Tensor

from shapecheck import Registry, Size

from .corpus import Vocab, read_time_machine, tokenize

__all__ = [
    "D2L_SIZES",
    "BatchSize",
    "Device",
    "Hidden",
    "NumHiddens",
    "NumSteps",
    "VocabSize",
    "shapes",
]

D2L_SIZES: Final[Mapping[str, int]] = {"batch": 32, "steps": 35, "hiddens": 256}
"""d2l's sizes of chapter 9, all but `vocab`, which the corpus decides: the
`d2l` example below, and the defaults of `python -m models.train`."""


def _d2l_sizes() -> dict[str, int]:
    """d2l's sizes; the vocabulary is the one the bundled corpus really produces."""
    vocab = Vocab(tokenize(read_time_machine(), "char"))  # as load_corpus_time_machine's
    batch, steps, hiddens = D2L_SIZES["batch"], D2L_SIZES["steps"], D2L_SIZES["hiddens"]
    return {"batch": batch, "steps": steps, "vocab": len(vocab), "hiddens": hiddens}


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
