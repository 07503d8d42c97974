"""Every network of `models` by name: the table `--model` chooses from.

The scratch networks (`lstm`, `gru`, `rnn`) are d2l's step functions in an
`RNNModelScratch`; the `nn-*` networks are torch's recurrent layers wrapped
by `RNNModel` (:mod:`models.rnn_model`).
"""

from collections.abc import Mapping
from typing import Final

import torch
from torch import nn

from .rnn_model import SCRATCH_PARTS, RNNModel, RNNModelScratch

__all__ = ["MODELS", "NN_LAYERS", "NN_MODELS", "SCRATCH_MODELS", "build_model"]

NN_LAYERS: Final[Mapping[str, type[nn.LSTM | nn.GRU | nn.RNN]]] = {
    "nn-lstm": nn.LSTM,
    "nn-gru": nn.GRU,
    "nn-rnn": nn.RNN,
}
"""The torch layer of each `nn-*` network."""

SCRATCH_MODELS: Final = tuple(SCRATCH_PARTS)
"""The networks from scratch: `lstm`, `gru`, `rnn`."""
NN_MODELS: Final = tuple(NN_LAYERS)
"""torch's layers wrapped by `RNNModel`: `nn-lstm`, `nn-gru`, `nn-rnn`."""
MODELS: Final = (*SCRATCH_MODELS, *NN_MODELS)
"""Model names: the scratch LSTM/GRU/RNN, or ``nn.*`` wrapped by RNNModel."""


def build_model(
    name: str,
    vocab_size: int,
    num_hiddens: int,
    device: torch.device,
    *,
    num_layers: int = 1,
    bidirectional: bool = False,
) -> RNNModelScratch | RNNModel:
    """The network named ``name`` (one of :data:`MODELS`), on ``device``.

    ``num_layers`` and ``bidirectional`` only apply to the ``nn-*`` models.
    """
    if name in SCRATCH_PARTS:
        if num_layers != 1 or bidirectional:
            raise ValueError(
                f"num_layers and bidirectional only apply to the nn-* models, not {name!r}"
            )
        return RNNModelScratch(vocab_size, num_hiddens, device, *SCRATCH_PARTS[name])
    if name not in NN_LAYERS:
        raise ValueError(f"unknown model {name!r}: choose from {', '.join(MODELS)}")
    layer = NN_LAYERS[name](vocab_size, num_hiddens, num_layers, bidirectional=bidirectional)
    return RNNModel(layer, vocab_size).to(device)
