"""Correct cells first, then one mutant per bug; the annotations are the correct ones."""

from typing import Annotated

import torch
import torch.nn.functional as F
from jaxtyping import Float, Int
from torch import Tensor, nn

import shapecheck

shapes = shapecheck.Registry(
    dims={
        "batch": "minibatch size",
        "steps": "time steps",
        "vocab": "vocabulary size",
        "hiddens": "hidden units",
        "layers_dirs": "layers times directions",
    }
)

BatchSize = Annotated[int, shapecheck.Size("batch")]
NumHiddens = Annotated[int, shapecheck.Size("hiddens")]
Inputs = Float[Tensor, "steps batch vocab"]
Hidden = Float[Tensor, "batch hiddens"]
XWeight = Float[Tensor, "vocab hiddens"]
HWeight = Float[Tensor, "hiddens hiddens"]
Bias = Float[Tensor, "hiddens"]
OutWeight = Float[Tensor, "hiddens vocab"]
OutBias = Float[Tensor, "vocab"]
Outputs = Float[Tensor, "steps*batch vocab"]


# ------------------------------------------------------------------ correct


def input_gate(
    X: Float[Tensor, "batch vocab"], H: Hidden, W_xi: XWeight, W_hi: HWeight, b_i: Bias
) -> Hidden:
    return torch.sigmoid(X @ W_xi + H @ W_hi + b_i)


def rnn(
    inputs: Inputs,
    H: Hidden,
    W_xh: XWeight,
    W_hh: HWeight,
    b_h: Bias,
    W_hq: OutWeight,
    b_q: OutBias,
) -> tuple[Outputs, Hidden]:
    outputs = []
    X: Float[Tensor, "batch vocab"]
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        Y: Float[Tensor, "batch vocab"] = H @ W_hq + b_q
        outputs.append(Y)
    return torch.cat(outputs, dim=0), H


def gru_candidate(
    X: Float[Tensor, "batch vocab"], H: Hidden, R: Hidden, W_xh: XWeight, W_hh: HWeight, b_h: Bias
) -> Hidden:
    return torch.tanh(X @ W_xh + (R * H) @ W_hh + b_h)


def init_state(batch_size: BatchSize, num_hiddens: NumHiddens) -> Hidden:
    return torch.zeros((batch_size, num_hiddens))


def one_hot_inputs(tokens: Int[Tensor, "batch steps"], W_xh: XWeight) -> Inputs:
    return F.one_hot(tokens.T, W_xh.shape[0]).float()


def head(Y: Float[Tensor, "steps batch hiddens"], W_hq: OutWeight) -> Outputs:
    return Y.reshape(-1, Y.shape[-1]) @ W_hq


class Model(nn.Module):
    """RNNModel-style: an nn.GRU and a linear head over its output."""

    def __init__(self, vocab: int, hiddens: int, bidirectional: bool) -> None:
        super().__init__()
        self.rnn = nn.GRU(vocab, hiddens, bidirectional=bidirectional)
        self.directions = 2 if bidirectional else 1
        self.linear = nn.Linear(self.directions * hiddens, vocab)
        self.vocab, self.hiddens = vocab, hiddens

    def __shapecheck_dims__(self) -> dict[str, int]:
        return {"vocab": self.vocab, "hiddens": self.hiddens, "layers_dirs": self.directions}

    def forward(
        self, inputs: Inputs, state: Float[Tensor, "layers_dirs batch hiddens"]
    ) -> tuple[Outputs, Float[Tensor, "layers_dirs batch hiddens"]]:
        Y: Float[Tensor, "steps batch {self.directions}*hiddens"]
        Y, state = self.rnn(inputs, state)
        return self.linear(Y.reshape(-1, Y.shape[-1])), state


@shapes.factory("Model(bidirectional)", Model)
def _model(sizes: dict[str, int], device: str) -> Model:
    return Model(sizes["vocab"], sizes["hiddens"], True).to(device)


# ------------------------------------------------------------------ mutants


def mutant_h_in_place_of_x(
    X: Float[Tensor, "batch vocab"], H: Hidden, W_xi: XWeight, W_hi: HWeight, b_i: Bias
) -> Hidden:
    return torch.sigmoid(H @ W_xi + H @ W_hi + b_i)


def mutant_missing_transpose(tokens: Int[Tensor, "batch steps"], W_xh: XWeight) -> Inputs:
    return F.one_hot(tokens, W_xh.shape[0]).float()


def mutant_concat_wrong_dim(
    inputs: Inputs,
    H: Hidden,
    W_xh: XWeight,
    W_hh: HWeight,
    b_h: Bias,
    W_hq: OutWeight,
    b_q: OutBias,
) -> tuple[Outputs, Hidden]:
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H @ W_hq + b_q)
    return torch.cat(outputs, dim=1), H


def mutant_state_hiddens_batch(batch_size: BatchSize, num_hiddens: NumHiddens) -> Hidden:
    return torch.zeros((num_hiddens, batch_size))


def mutant_loop_over_batch(
    inputs: Inputs,
    H: Hidden,
    W_xh: XWeight,
    W_hh: HWeight,
    b_h: Bias,
    W_hq: OutWeight,
    b_q: OutBias,
) -> tuple[Outputs, Hidden]:
    outputs = []
    X: Float[Tensor, "batch vocab"]
    for X in inputs.transpose(0, 1):
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H @ W_hq + b_q)
    return torch.cat(outputs, dim=0), H


def mutant_reshape_mixes_axes(Y: Float[Tensor, "steps batch hiddens"], W_hq: OutWeight) -> Outputs:
    return Y.reshape(-1, Y.shape[1]) @ W_hq


def mutant_wrong_return_annotation(
    Y: Float[Tensor, "steps batch hiddens"], W_hq: OutWeight
) -> Float[Tensor, "steps batch vocab"]:
    return Y.reshape(-1, Y.shape[-1]) @ W_hq


def mutant_reset_gate_on_input(
    X: Float[Tensor, "batch vocab"], H: Hidden, R: Hidden, W_xh: XWeight, W_hh: HWeight, b_h: Bias
) -> Hidden:
    return torch.tanh((R * X) @ W_xh + H @ W_hh + b_h)


def mutant_output_weight_transposed(
    inputs: Inputs,
    H: Hidden,
    W_xh: XWeight,
    W_hh: HWeight,
    b_h: Bias,
    W_hq: OutWeight,
    b_q: OutBias,
) -> tuple[Outputs, Hidden]:
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh + b_h)
        outputs.append(H @ W_hq.T.reshape(W_hq.shape) + b_q)
    Y: Float[Tensor, "steps*batch vocab"] = torch.cat(outputs, dim=0)
    return Y.reshape(-1, Y.shape[0]), H


def mutant_output_bias_of_hiddens(
    Y: Float[Tensor, "steps batch hiddens"], W_hq: OutWeight, b_h: Bias
) -> Outputs:
    return Y.reshape(-1, Y.shape[-1]) @ W_hq + b_h


def mutant_state_batch_last(H: Hidden, W_hh: HWeight) -> Hidden:
    return (W_hh @ H.T).contiguous()


def mutant_gate_sums_over_batch(
    X: Float[Tensor, "batch vocab"], H: Hidden, W_xi: XWeight, W_hi: HWeight, b_i: Bias
) -> Hidden:
    gate: Hidden = torch.sigmoid(X @ W_xi + H @ W_hi + b_i).sum(0, keepdim=True)
    return gate.expand_as(H).contiguous()


class MutantHeadIgnoresDirections(nn.Module):
    """The linear head is `hiddens` wide: wrong for a bidirectional layer."""

    def __init__(self, vocab: int, hiddens: int) -> None:
        super().__init__()
        self.rnn = nn.GRU(vocab, hiddens, bidirectional=True)
        self.linear = nn.Linear(hiddens, vocab)
        self.vocab, self.hiddens = vocab, hiddens

    def __shapecheck_dims__(self) -> dict[str, int]:
        return {"vocab": self.vocab, "hiddens": self.hiddens, "layers_dirs": 2}

    def forward(
        self, inputs: Inputs, state: Float[Tensor, "layers_dirs batch hiddens"]
    ) -> tuple[Outputs, Float[Tensor, "layers_dirs batch hiddens"]]:
        Y, state = self.rnn(inputs, state)
        return self.linear(Y.reshape(-1, Y.shape[-1])), state


@shapes.factory("MutantHeadIgnoresDirections", MutantHeadIgnoresDirections)
def _mutant_head(sizes: dict[str, int], device: str) -> MutantHeadIgnoresDirections:
    return MutantHeadIgnoresDirections(sizes["vocab"], sizes["hiddens"]).to(device)
