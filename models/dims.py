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

from shapecheck import Size

__all__ = ["BatchSize", "Device", "Hidden", "NumHiddens", "NumSteps", "VocabSize"]

# Integer arguments that fix a dim: `init_lstm_state(batch_size=3, ...)` must
# return states whose `batch` axis is 3.
BatchSize = Annotated[int, Size("batch")]
NumSteps = Annotated[int, Size("steps")]
VocabSize = Annotated[int, Size("vocab")]
NumHiddens = Annotated[int, Size("hiddens")]

Device = torch.device | str

# One hidden (or memory cell) state of a scratch recurrent cell.
Hidden = Float[Tensor, "batch hiddens"]
