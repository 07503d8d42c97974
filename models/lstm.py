"""Long short-term memory from scratch (d2l 10.1).

Every intermediate of the time loop is annotated, following d2l's shape
analysis: `X` is [batch, vocab], the weights `W_x*` are [vocab, hiddens], so
each gate and the candidate memory are [batch, hiddens].
"""

from typing import NamedTuple

import torch
from jaxtyping import Float
from torch import Tensor

from shapecheck import check

from .dims import BatchSize, Device, Hidden, NumHiddens, VocabSize

__all__ = ["LSTMParams", "LSTMState", "get_lstm_params", "init_lstm_state", "lstm"]


class LSTMParams(NamedTuple):
    """The 14 parameters of the LSTM, in d2l's order."""

    W_xi: Float[Tensor, "vocab hiddens"]
    W_hi: Float[Tensor, "hiddens hiddens"]
    b_i: Float[Tensor, "hiddens"]
    W_xf: Float[Tensor, "vocab hiddens"]
    W_hf: Float[Tensor, "hiddens hiddens"]
    b_f: Float[Tensor, "hiddens"]
    W_xo: Float[Tensor, "vocab hiddens"]
    W_ho: Float[Tensor, "hiddens hiddens"]
    b_o: Float[Tensor, "hiddens"]
    W_xc: Float[Tensor, "vocab hiddens"]
    W_hc: Float[Tensor, "hiddens hiddens"]
    b_c: Float[Tensor, "hiddens"]
    W_hq: Float[Tensor, "hiddens vocab"]
    b_q: Float[Tensor, "vocab"]


# (H, C): the hidden state and the memory cell.
LSTMState = tuple[Hidden, Hidden]


@check
def get_lstm_params(vocab_size: VocabSize, num_hiddens: NumHiddens, device: Device) -> LSTMParams:
    """Gaussian weights (std 0.01) and zero biases, all requiring grad.

    Args:
        vocab_size: the one-hot input width, which is also the output width.
        num_hiddens: the hidden units.
        device: where the parameters live (`meta` gives shapes without memory).

    Returns:
        the LSTM parameters, in d2l's order.
    """
    num_inputs = num_outputs = vocab_size

    def normal(shape: tuple[int, int]) -> Tensor:
        return torch.randn(size=shape, device=device) * 0.01

    def three() -> tuple[Tensor, Tensor, Tensor]:
        return (
            normal((num_inputs, num_hiddens)),
            normal((num_hiddens, num_hiddens)),
            torch.zeros(num_hiddens, device=device),
        )

    W_xi, W_hi, b_i = three()  # input gate
    W_xf, W_hf, b_f = three()  # forget gate
    W_xo, W_ho, b_o = three()  # output gate
    W_xc, W_hc, b_c = three()  # candidate memory cell
    W_hq = normal((num_hiddens, num_outputs))
    b_q = torch.zeros(num_outputs, device=device)
    params = LSTMParams(
        W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q
    )
    for param in params:
        param.requires_grad_(True)
    return params


@check
def init_lstm_state(batch_size: BatchSize, num_hiddens: NumHiddens, device: Device) -> LSTMState:
    """Zero hidden state and memory cell.

    Args:
        batch_size: the sequences processed side by side.
        num_hiddens: the hidden units.
        device: where the state lives.

    Returns:
        `(H, C)`: the hidden state and the memory cell.
    """
    return (
        torch.zeros((batch_size, num_hiddens), device=device),
        torch.zeros((batch_size, num_hiddens), device=device),
    )


@check
def lstm(
    inputs: Float[Tensor, "steps batch vocab"], state: LSTMState, params: LSTMParams
) -> tuple[Float[Tensor, "steps*batch vocab"], LSTMState]:
    """Run the LSTM over `inputs`, one-hot encoded and time-major.

    Args:
        inputs: one one-hot row per sequence, for each time step.
        state: `(H, C)` at the first time step.
        params: the weights from `get_lstm_params`.

    Returns:
        the output logits of every time step, stacked step after step, and
        the state after the last step.
    """
    [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q] = params
    H: Float[Tensor, "batch hiddens"]
    C: Float[Tensor, "batch hiddens"]
    (H, C) = state
    outputs = []
    X: Float[Tensor, "batch vocab"]
    for X in inputs:
        I: Float[Tensor, "batch hiddens"] = torch.sigmoid((X @ W_xi) + (H @ W_hi) + b_i)
        F: Float[Tensor, "batch hiddens"] = torch.sigmoid((X @ W_xf) + (H @ W_hf) + b_f)
        O: Float[Tensor, "batch hiddens"] = torch.sigmoid((X @ W_xo) + (H @ W_ho) + b_o)
        C_tilda: Float[Tensor, "batch hiddens"] = torch.tanh((X @ W_xc) + (H @ W_hc) + b_c)
        C = F * C + I * C_tilda
        H = O * torch.tanh(C)
        Y: Float[Tensor, "batch vocab"] = (H @ W_hq) + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H, C)
