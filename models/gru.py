"""Gated recurrent units from scratch (d2l 10.2)."""

from typing import NamedTuple

import torch
from jaxtyping import Float
from torch import Tensor

from shapecheck import check

from .dims import BatchSize, Device, Hidden, NumHiddens, VocabSize

__all__ = ["GRUParams", "GRUState", "get_params", "gru", "init_gru_state"]


class GRUParams(NamedTuple):
    """The 11 parameters of the GRU, in d2l's order."""

    W_xz: Float[Tensor, "vocab hiddens"]
    W_hz: Float[Tensor, "hiddens hiddens"]
    b_z: Float[Tensor, "hiddens"]
    W_xr: Float[Tensor, "vocab hiddens"]
    W_hr: Float[Tensor, "hiddens hiddens"]
    b_r: Float[Tensor, "hiddens"]
    W_xh: Float[Tensor, "vocab hiddens"]
    W_hh: Float[Tensor, "hiddens hiddens"]
    b_h: Float[Tensor, "hiddens"]
    W_hq: Float[Tensor, "hiddens vocab"]
    b_q: Float[Tensor, "vocab"]


# (H,): d2l keeps the GRU state in a 1-tuple, like the LSTM's (H, C).
GRUState = tuple[Hidden]


@check
def get_params(vocab_size: VocabSize, num_hiddens: NumHiddens, device: Device) -> GRUParams:
    """Gaussian weights (std 0.01) and zero biases, all requiring grad.

    Args:
        vocab_size: the one-hot input width, which is also the output width.
        num_hiddens: the hidden units.
        device: where the parameters live (`meta` gives shapes without memory).

    Returns:
        the GRU parameters, in d2l's order.
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

    W_xz, W_hz, b_z = three()  # update gate
    W_xr, W_hr, b_r = three()  # reset gate
    W_xh, W_hh, b_h = three()  # candidate hidden state
    W_hq = normal((num_hiddens, num_outputs))
    b_q = torch.zeros(num_outputs, device=device)
    params = GRUParams(W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q)
    for param in params:
        param.requires_grad_(True)
    return params


@check
def init_gru_state(batch_size: BatchSize, num_hiddens: NumHiddens, device: Device) -> GRUState:
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
def gru(
    inputs: Float[Tensor, "steps batch vocab"], state: GRUState, params: GRUParams
) -> tuple[Float[Tensor, "steps*batch vocab"], GRUState]:
    """Run the GRU over `inputs`, one-hot encoded and time-major.

    Args:
        inputs: one one-hot row per sequence, for each time step.
        state: `(H,)` at the first time step.
        params: the weights from `get_params`.

    Returns:
        the output logits of every time step, stacked step after step, and
        the state after the last step.
    """
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
    H: Float[Tensor, "batch hiddens"]
    (H,) = state
    outputs = []
    X: Float[Tensor, "batch vocab"]
    for X in inputs:
        Z: Float[Tensor, "batch hiddens"] = torch.sigmoid((X @ W_xz) + (H @ W_hz) + b_z)
        R: Float[Tensor, "batch hiddens"] = torch.sigmoid((X @ W_xr) + (H @ W_hr) + b_r)
        H_tilda: Float[Tensor, "batch hiddens"] = torch.tanh((X @ W_xh) + ((R * H) @ W_hh) + b_h)
        H = Z * H + (1 - Z) * H_tilda
        Y: Float[Tensor, "batch vocab"] = H @ W_hq + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H,)
