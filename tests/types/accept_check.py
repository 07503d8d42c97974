"""mypy must accept this: checked functions and classes keep their static types."""

import torch
from jaxtyping import Float
from torch import Tensor, nn

import shapecheck
from models.lstm import LSTMParams, get_lstm_params, init_lstm_state, lstm
from models.rnn_model import RNNModel


@shapecheck.check
def double(x: Float[Tensor, "n"]) -> Float[Tensor, "2*n"]:
    return torch.cat([x, x])


@shapecheck.check()
def scale(x: Float[Tensor, "n"], k: float) -> Float[Tensor, "n"]:
    return x * k


y: Tensor = double(torch.zeros(3))
z: Tensor = scale(y, 2.0)
params: LSTMParams = get_lstm_params(28, 16, "cpu")
W_xi: Tensor = params.W_xi
outputs, (H, C) = lstm(torch.zeros(5, 2, 28), init_lstm_state(2, 16, "cpu"), params)
net: RNNModel = RNNModel(nn.GRU(28, 16), 28)
state = net.begin_state("cpu", batch_size=2)
with shapecheck.disabled():
    active: bool = shapecheck.checks_active()
