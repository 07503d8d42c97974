"""A vanilla recurrent neural network from scratch (d2l 9.5)."""

from typing import NamedTuple

import torch
from jaxtyping import Float
from torch import Tensor

from shapecheck import check

from .dims import BatchSize, Device, Hidden, NumHiddens, VocabSize

__all__ = ["RNNParams", "RNNState", "get_params", "init_rnn_state", "rnn"]


class RNNParams(NamedTuple):
    """The 5 parameters of the RNN, in d2l's order."""

    W_xh: Float[Tensor, "vocab hiddens"]
    W_hh: Float[Tensor, "hiddens hiddens"]
    b_h: Float[Tensor, "hiddens"]
    W_hq: Float[Tensor, "hiddens vocab"]
    b_q: Float[Tensor, "vocab"]


# (H,): a 1-tuple, as in d2l.
RNNState = tuple[Hidden]


@check
def get_params(vocab_size: VocabSize, num_hiddens: NumHiddens, device: Device) -> RNNParams:
    """Gaussian weights (std 0.01) and zero biases, all requiring grad.

    Args:
        vocab_size: the one-hot input width, which is also the output width.
        num_hiddens: the hidden units.
        device: where the parameters live (`meta` gives shapes without memory).

    Returns:
        the RNN parameters, in d2l's order.
    """
    num_inputs = num_outputs = vocab_size

    def normal(shape: tuple[int, int]) -> Tensor:
        return torch.randn(size=shape, device=device) * 0.01

    W_xh = normal((num_inputs, num_hiddens))
    W_hh = normal((num_hiddens, num_hiddens))
    b_h = torch.zeros(num_hiddens, device=device)
    W_hq = normal((num_hiddens, num_outputs))
    b_q = torch.zeros(num_outputs, device=device)
    params = RNNParams(W_xh, W_hh, b_h, W_hq, b_q)
    for param in params:
        param.requires_grad_(True)
    return params


@check
def init_rnn_state(batch_size: BatchSize, num_hiddens: NumHiddens, device: Device) -> RNNState:
    """A zero hidden state.

    Args:
        batch_size: the sequences processed side by side.
        num_hiddens: the hidden units.
        device: where the state lives.

    Returns:
        `(H,)`: the hidden state, in a 1-tuple as d2l keeps it.
    """
    return (torch.zeros((batch_size, num_hiddens), device=device),)


@check
def rnn(
    inputs: Float[Tensor, "steps batch vocab"], state: RNNState, params: RNNParams
) -> tuple[Float[Tensor, "steps*batch vocab"], RNNState]:
    """Run the RNN over `inputs`, one-hot encoded and time-major.

    Args:
        inputs: one one-hot row per sequence, for each time step.
        state: `(H,)` at the first time step.
        params: the weights from `get_params`.

    Returns:
        the output logits of every time step, stacked step after step, and
        the state after the last step.
    """
    W_xh, W_hh, b_h, W_hq, b_q = params
    H: Float[Tensor, "batch hiddens"]
    (H,) = state
    outputs = []
    X: Float[Tensor, "batch vocab"]
    for X in inputs:
        H = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
        Y: Float[Tensor, "batch vocab"] = torch.mm(H, W_hq) + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H,)
