"""Recurrent cells, sequence loops, heads and attention: correct functions first,
then one planted bug each (the annotations are the correct ones). Written for
the static checker's catalogue, in the styles of d2l and of attention code."""

import math

import torch
import torch.nn.functional as F
from jaxtyping import Float, Int
from torch import Tensor

# ------------------------------------------------------------------ correct


def lstm_step(
    X: Float[Tensor, "batch vocab"],
    H: Float[Tensor, "batch hiddens"],
    C: Float[Tensor, "batch hiddens"],
    W_x: Float[Tensor, "vocab 4*hiddens"],
    W_h: Float[Tensor, "hiddens 4*hiddens"],
    b: Float[Tensor, "4*hiddens"],
) -> tuple[Float[Tensor, "batch hiddens"], Float[Tensor, "batch hiddens"]]:
    gates = X @ W_x + H @ W_h + b
    I, F_, O, G = gates.chunk(4, dim=1)
    C_new: Float[Tensor, "batch hiddens"] = torch.sigmoid(F_) * C + torch.sigmoid(I) * torch.tanh(G)
    H_new = torch.sigmoid(O) * torch.tanh(C_new)
    return H_new, C_new


def gru_step(
    X: Float[Tensor, "batch vocab"],
    H: Float[Tensor, "batch hiddens"],
    W_xz: Float[Tensor, "vocab hiddens"],
    W_hz: Float[Tensor, "hiddens hiddens"],
    W_xh: Float[Tensor, "vocab hiddens"],
    W_hh: Float[Tensor, "hiddens hiddens"],
) -> Float[Tensor, "batch hiddens"]:
    Z = torch.sigmoid(X @ W_xz + H @ W_hz)
    H_tilde = torch.tanh(X @ W_xh + (Z * H) @ W_hh)
    return Z * H + (1 - Z) * H_tilde


def run_sequence(
    inputs: Float[Tensor, "steps batch vocab"],
    H: Float[Tensor, "batch hiddens"],
    W_xh: Float[Tensor, "vocab hiddens"],
    W_hh: Float[Tensor, "hiddens hiddens"],
    W_hq: Float[Tensor, "hiddens vocab"],
) -> tuple[Float[Tensor, "steps*batch vocab"], Float[Tensor, "batch hiddens"]]:
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh)
        outputs.append(H @ W_hq)
    return torch.cat(outputs, dim=0), H


def stacked_outputs(
    inputs: Float[Tensor, "steps batch vocab"], W: Float[Tensor, "vocab hiddens"]
) -> Float[Tensor, "steps batch hiddens"]:
    return torch.stack([X @ W for X in inputs], dim=0)


def bidirectional_head(
    H0: Float[Tensor, "batch hiddens"],
    Y: Float[Tensor, "steps batch 2*hiddens"],
    W: Float[Tensor, "2*hiddens vocab"],
    b: Float[Tensor, "vocab"],
) -> Float[Tensor, "steps*batch vocab"]:
    """`H0` first, so that `hiddens` is bound before `2*hiddens` is read."""
    return Y.reshape(-1, Y.shape[-1]) @ W + b


def attention(
    q: Float[Tensor, "batch queries d"],
    k: Float[Tensor, "batch keys d"],
    v: Float[Tensor, "batch keys dv"],
) -> Float[Tensor, "batch queries dv"]:
    scores = q @ k.transpose(1, 2) / math.sqrt(q.shape[-1])
    weights = F.softmax(scores, dim=-1)
    return weights @ v


def split_heads(x: Float[Tensor, "batch seq model"], heads: int) -> Float[Tensor, "batch _ seq _"]:
    b, s, _ = x.shape
    return x.reshape(b, s, heads, -1).permute(0, 2, 1, 3)


def embed_tokens(
    tokens: Int[Tensor, "batch steps"], vocab_size: int
) -> Float[Tensor, "steps batch _"]:
    return F.one_hot(tokens.T, vocab_size).float()


def mean_pool(
    x: Float[Tensor, "batch seq d"], W: Float[Tensor, "d classes"]
) -> Float[Tensor, "batch classes"]:
    pooled = x.mean(dim=1)
    return pooled @ W


# ------------------------------------------------------------------ bugs


def bug_lstm_gate_from_state(
    X: Float[Tensor, "batch vocab"],
    H: Float[Tensor, "batch hiddens"],
    W_x: Float[Tensor, "vocab hiddens"],
    W_h: Float[Tensor, "hiddens hiddens"],
) -> Float[Tensor, "batch hiddens"]:
    return torch.sigmoid(H @ W_x + H @ W_h)  # H where X belongs


def bug_state_transposed(
    X: Float[Tensor, "batch vocab"],
    H: Float[Tensor, "batch hiddens"],
    W_xh: Float[Tensor, "vocab hiddens"],
    W_hh: Float[Tensor, "hiddens hiddens"],
) -> Float[Tensor, "batch hiddens"]:
    return torch.tanh(X @ W_xh + H @ W_hh).T  # a stray transpose


def bug_cat_wrong_dim(
    inputs: Float[Tensor, "steps batch vocab"],
    H: Float[Tensor, "batch hiddens"],
    W_xh: Float[Tensor, "vocab hiddens"],
    W_hh: Float[Tensor, "hiddens hiddens"],
) -> Float[Tensor, "steps*batch hiddens"]:
    outputs = []
    for X in inputs:
        H = torch.tanh(X @ W_xh + H @ W_hh)
        outputs.append(H)
    return torch.cat(outputs, dim=1)


def bug_loop_over_batch(
    inputs: Float[Tensor, "steps batch vocab"],
    H: Float[Tensor, "batch hiddens"],
    W_xh: Float[Tensor, "vocab hiddens"],
    W_hh: Float[Tensor, "hiddens hiddens"],
) -> Float[Tensor, "batch hiddens"]:
    for X in inputs.transpose(0, 1):
        H = torch.tanh(X @ W_xh + H @ W_hh)
    return H


def bug_init_state_swapped(batch_size: int, num_hiddens: int) -> Float[Tensor, "batch hiddens"]:
    return torch.zeros((num_hiddens, batch_size))


def bug_head_without_flatten(
    Y: Float[Tensor, "steps batch hiddens"], W: Float[Tensor, "hiddens vocab"]
) -> Float[Tensor, "steps*batch vocab"]:
    return Y @ W


def bug_attention_missing_transpose(
    q: Float[Tensor, "batch queries d"],
    k: Float[Tensor, "batch keys d"],
    v: Float[Tensor, "batch keys dv"],
) -> Float[Tensor, "batch queries dv"]:
    weights = F.softmax(q @ k, dim=-1)
    return weights @ v


def bug_attention_values_from_queries(
    q: Float[Tensor, "batch queries d"],
    k: Float[Tensor, "batch keys d"],
    v: Float[Tensor, "batch keys dv"],
) -> Float[Tensor, "batch queries dv"]:
    weights = F.softmax(q @ k.transpose(1, 2), dim=-1)
    return weights @ q


def bug_bias_of_hiddens(
    H: Float[Tensor, "batch hiddens"],
    W_hq: Float[Tensor, "hiddens vocab"],
    b_h: Float[Tensor, "hiddens"],
) -> Float[Tensor, "batch vocab"]:
    return H @ W_hq + b_h


def bug_pool_over_batch(
    x: Float[Tensor, "batch seq d"], W: Float[Tensor, "d classes"]
) -> Float[Tensor, "batch classes"]:
    pooled = x.mean(dim=0)
    return pooled @ W


def bug_stack_wrong_dim(
    inputs: Float[Tensor, "steps batch vocab"], W: Float[Tensor, "vocab hiddens"]
) -> Float[Tensor, "steps batch hiddens"]:
    return torch.stack([X @ W for X in inputs], dim=1)
