"""mypy must reject each line marked with the error code it expects: checks hide no static error."""

import torch
from jaxtyping import Float
from torch import Tensor

import shapecheck
from models.lstm import get_lstm_params


@shapecheck.check
def double(x: Float[Tensor, "n"]) -> Float[Tensor, "2*n"]:
    return torch.cat([x, x])


double("not a tensor")  # expect: arg-type
count: int = double(torch.zeros(3))  # expect: assignment
get_lstm_params(28, "16", "cpu")  # expect: arg-type
missing = get_lstm_params(28, 16, "cpu").W_nope  # expect: attr-defined
