"""On a CUDA device: the models run checked, and no check synchronises the device."""

import pytest
import torch
from torch import nn

from models.lstm import get_lstm_params, init_lstm_state, lstm
from models.rnn_model import RNNModel
from shapecheck import ShapeError

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device present"),
]

B, S, V, H = 3, 5, 7, 11


# torch says its sync debug mode is a prototype, with a warning on every switch.
@pytest.mark.filterwarnings("ignore:Synchronization debug mode is a prototype")
def test_lstm__checked_on_cuda_without_sync() -> None:
    params = get_lstm_params(V, H, "cuda")
    state = init_lstm_state(B, H, "cuda")
    inputs = torch.zeros(S, B, V, device="cuda")
    lstm(inputs, state, params)  # warm-up: allocations may sync once
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        Y, (H_, C_) = lstm(inputs, state, params)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert Y.shape == (S * B, V) and Y.device.type == "cuda"


def test_lstm__violation_on_cuda_names_the_device() -> None:
    params = get_lstm_params(V, H, "cuda")
    bad_state = (torch.zeros(H, B, device="cuda"),) * 2
    with pytest.raises(ShapeError, match=r"actual:   float32\[11, 3\] on cuda:0"):
        lstm(torch.zeros(S, B, V, device="cuda"), bad_state, params)


@pytest.mark.parametrize("kind", [nn.RNN, nn.GRU, nn.LSTM], ids=lambda k: k.__name__)
def test_rnn_model__cuda_shapes(kind: type[nn.RNNBase]) -> None:
    net = RNNModel(kind(V, H, num_layers=2, bidirectional=True, device="cuda"), V)
    state = net.begin_state("cuda", batch_size=B)
    Y, _ = net(torch.zeros(B, S, dtype=torch.long, device="cuda"), state)
    assert Y.shape == (S * B, V) and Y.device.type == "cuda"
