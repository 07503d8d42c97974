"""Functions over the aliases of `.dims`: unbound dims and names off the glossary."""

from collections.abc import Iterator
from typing import NamedTuple

import jaxtyping as jt
import torch
from torch import Tensor

from . import dims
from .dims import BatchSize, Hidden, NumHiddens, State


class Params(NamedTuple):
    W: jt.Float[Tensor, "vocab hiddens"]
    b: jt.Float[Tensor, "vocab"]


def init_state(batch_size: BatchSize, num_hiddens: NumHiddens) -> State:
    return (torch.zeros(batch_size, num_hiddens), torch.zeros(batch_size, num_hiddens))


def project(h: Hidden, params: Params) -> jt.Float[Tensor, "batch vocab"]:
    return h @ params.W.T + params.b


def step(
    x: jt.Float[Tensor, "batch vocab"], state: State
) -> tuple[
    jt.Float[Tensor, "batch hidden"],  # <step-return>
    State,
]:
    H, _ = state
    C: jt.Float[Tensor, "batch steps"] = H[:, :1]  # <step-local>
    return H + C, state


def flatten(h: dims.Hidden) -> jt.Float[Tensor, "steps*batch"]:  # <flatten-return>
    return h.reshape(-1)


def batches(batch_size: int, num_steps: int) -> Iterator[jt.Int[Tensor, "batch steps"]]:
    # Binds no name: the yielded tensors introduce `batch` and `steps`.
    yield torch.zeros((batch_size, num_steps), dtype=torch.int64)


class Base:
    def __shapecheck_dims__(self) -> dict[str, int]:
        return {"vocab": 28, "hiddens": 4}


class Head(Base):
    n = 1

    def forward(self, h: Hidden) -> jt.Float[Tensor, "batch vocab"]:
        y: jt.Float[Tensor, "batch {self.n}*vocab"] = h[:, :1]
        return y

    def begin(self, batch_size: int) -> Hidden:  # <begin-return>
        return torch.zeros(batch_size, 4)

    def hint(self, h: Hidden) -> jt.Float[Tensor, "batch vocb"]:  # <hint-return>
        return h
