"""The two model wrappers of d2l: `RNNModelScratch` and `RNNModel`.

Both take token indices `[batch, steps]`, one-hot encode them time-major,
and return logits `[steps*batch, vocab]` with the new state.

Each model fixes `vocab`, `hiddens` (and `layers_dirs`) for all its checked
methods through `__shapecheck_dims__`, so a state built for another model is
caught at the call, not deep inside the layer.

`RNNModel(rnn_layer, vocab_size)` builds one of two classes, by the kind of
state the layer keeps, so that each `forward` is annotated exactly:

- `RNNModelH` for `nn.RNN` and `nn.GRU`: the state is one tensor
  `[layers_dirs, batch, hiddens]`;
- `RNNModelHC` for `nn.LSTM`: the state is a pair `(H, C)` of those.
"""

from collections.abc import Callable, Mapping
from typing import Any, Final, NamedTuple, cast

import torch
import torch.nn.functional as F
from jaxtyping import Float, Int, Shaped
from torch import Tensor, nn

from shapecheck import check

from .dims import BatchSize, Device, Hidden, shapes
from .gru import get_params as get_gru_params
from .gru import gru, init_gru_state
from .lstm import get_lstm_params, init_lstm_state, lstm
from .rnn import get_params as get_rnn_params
from .rnn import init_rnn_state, rnn

__all__ = [
    "SCRATCH_PARTS",
    "RNNModel",
    "RNNModelH",
    "RNNModelHC",
    "RNNModelScratch",
    "ScratchParts",
    "ScratchState",
]

# A scratch model's state: (H,) for the RNN and GRU, (H, C) for the LSTM.
ScratchState = tuple[Hidden, ...]

LayerState = Float[Tensor, "layers_dirs batch hiddens"]
LSTMLayerState = tuple[LayerState, LayerState]
RNNModelState = LayerState | LSTMLayerState


@check
class RNNModelScratch(nn.Module):
    """A recurrent model from scratch: parameters and step function are given.

    `get_params(vocab_size, num_hiddens, device)` returns a NamedTuple of
    tensors (for example `LSTMParams`); each becomes a registered parameter
    under its field name, so `state_dict`, optimizers and `.to()` see them.
    """

    def __init__(
        self,
        vocab_size: int,
        num_hiddens: int,
        device: Device,
        get_params: Callable[[int, int, Device], tuple[Tensor, ...]],
        # Each scratch net has its own state and params types; the checks on
        # forward and on the functions themselves hold them to their shapes.
        init_state: Callable[[int, int, Device], Any],
        forward_fn: Callable[[Tensor, Any, Any], tuple[Tensor, Any]],
    ) -> None:
        super().__init__()
        self.vocab_size, self.num_hiddens = vocab_size, num_hiddens
        params = get_params(vocab_size, num_hiddens, device)
        self._params_type = type(params)
        fields = getattr(params, "_fields", None)
        self._param_names: tuple[str, ...] = (
            tuple(fields) if fields else tuple(f"param{i}" for i in range(len(params)))
        )
        for name, param in zip(self._param_names, params, strict=True):
            self.register_parameter(name, nn.Parameter(param))
        self.init_state, self.forward_fn = init_state, forward_fn

    def __shapecheck_dims__(self) -> dict[str, int]:
        return {"vocab": self.vocab_size, "hiddens": self.num_hiddens}

    @property
    def params(self) -> tuple[Shaped[Tensor, "..."], ...]:
        """The parameters as the structure `get_params` returned, in its order."""
        values = [getattr(self, name) for name in self._param_names]
        if self._params_type is tuple:
            return tuple(values)
        params: tuple[Tensor, ...] = self._params_type(*values)
        return params

    def forward(
        self, X: Int[Tensor, "batch steps"], state: ScratchState
    ) -> tuple[Float[Tensor, "steps*batch vocab"], ScratchState]:
        """One-hot encode the tokens time-major, then run the step function.

        Args:
            X: token indices, one row per sequence.
            state: the state from `begin_state` or the previous minibatch.

        Returns:
            the logits of every time step, and the new state.
        """
        inputs: Float[Tensor, "steps batch vocab"] = F.one_hot(X.T, self.vocab_size).type(
            torch.float32
        )
        outputs: Float[Tensor, "steps*batch vocab"]
        new_state: ScratchState
        outputs, new_state = self.forward_fn(inputs, state, self.params)
        return outputs, new_state

    def begin_state(self, batch_size: BatchSize, device: Device) -> ScratchState:
        """The zero state of the step function for `batch_size` sequences."""
        state: ScratchState = self.init_state(batch_size, self.num_hiddens, device)
        return state


@check
class RNNModel(nn.Module):
    """d2l's high-level recurrent model: an `nn.RNN`/`nn.GRU`/`nn.LSTM` and a linear head.

    Any number of layers, one or two directions. The head's input width is
    `num_directions * num_hiddens`.
    """

    def __new__(cls, rnn_layer: nn.RNNBase | None = None, vocab_size: int = 0) -> "RNNModel":
        # Unpickling and deepcopy call __new__ with no arguments on the
        # concrete class; only a direct RNNModel(...) call dispatches.
        target: type[RNNModel] = cls
        if cls is RNNModel:
            target = RNNModelHC if isinstance(rnn_layer, nn.LSTM) else RNNModelH
        return super().__new__(target)

    def __init__(self, rnn_layer: nn.RNNBase, vocab_size: int) -> None:
        super().__init__()
        _validate_layer(rnn_layer, vocab_size)
        self.rnn = rnn_layer
        self.vocab_size = vocab_size
        self.num_hiddens = rnn_layer.hidden_size
        self.num_layers = rnn_layer.num_layers
        self.num_directions = 2 if rnn_layer.bidirectional else 1
        weight = next(rnn_layer.parameters())
        self.linear = nn.Linear(
            self.num_hiddens * self.num_directions,
            self.vocab_size,
            device=weight.device,
            dtype=weight.dtype,
        )

    def __shapecheck_dims__(self) -> dict[str, int]:
        return {
            "vocab": self.vocab_size,
            "hiddens": self.num_hiddens,
            "layers_dirs": self.num_layers * self.num_directions,
        }

    def _run(
        self, inputs: Int[Tensor, "batch steps"], state: RNNModelState
    ) -> tuple[Float[Tensor, "steps*batch vocab"], RNNModelState]:
        X: Float[Tensor, "steps batch vocab"] = F.one_hot(inputs.T.long(), self.vocab_size).to(
            self.linear.weight.dtype
        )
        Y: Float[Tensor, "steps batch {self.num_directions}*hiddens"]
        Y, state = self.rnn(X, state)
        output: Float[Tensor, "steps*batch vocab"] = self.linear(Y.reshape((-1, Y.shape[-1])))
        return output, state

    def _zeros(
        self, device: Device, batch_size: BatchSize
    ) -> Float[Tensor, "layers_dirs batch hiddens"]:
        return torch.zeros(
            (self.num_directions * self.num_layers, batch_size, self.num_hiddens),
            device=device,
            dtype=self.linear.weight.dtype,
        )

    def begin_state(self, device: Device, batch_size: BatchSize = 1) -> RNNModelState:
        """Zero state for every layer and direction: `(H, C)` for an LSTM, else `H`."""
        if isinstance(self.rnn, nn.LSTM):
            return (self._zeros(device, batch_size), self._zeros(device, batch_size))
        return self._zeros(device, batch_size)


@check
class RNNModelH(RNNModel):
    """`RNNModel` over `nn.RNN` or `nn.GRU`: the state is one tensor."""

    def forward(
        self, inputs: Int[Tensor, "batch steps"], state: LayerState
    ) -> tuple[Float[Tensor, "steps*batch vocab"], LayerState]:
        """Logits for every time step, and the layer's new hidden state.

        Args:
            inputs: token indices, one row per sequence.
            state: the hidden state of every layer and direction.
        """
        output, new_state = self._run(inputs, state)
        return output, cast(Tensor, new_state)

    def begin_state(self, device: Device, batch_size: BatchSize = 1) -> LayerState:
        """A zero hidden state for every layer and direction."""
        return cast(Tensor, super().begin_state(device, batch_size))


@check
class RNNModelHC(RNNModel):
    """`RNNModel` over `nn.LSTM`: the state is the pair `(H, C)`."""

    def forward(
        self, inputs: Int[Tensor, "batch steps"], state: LSTMLayerState
    ) -> tuple[Float[Tensor, "steps*batch vocab"], LSTMLayerState]:
        """Logits for every time step, and the LSTM's new `(H, C)`.

        Args:
            inputs: token indices, one row per sequence.
            state: `(H, C)`: hidden state and memory cell of every layer and direction.
        """
        output, new_state = self._run(inputs, state)
        return output, cast(LSTMLayerState, new_state)

    def begin_state(self, device: Device, batch_size: BatchSize = 1) -> LSTMLayerState:
        """Zero `(H, C)` for every layer and direction."""
        return cast(LSTMLayerState, super().begin_state(device, batch_size))


def _validate_layer(rnn_layer: object, vocab_size: int) -> None:
    if not isinstance(rnn_layer, nn.RNN | nn.GRU | nn.LSTM):
        raise TypeError(
            f"RNNModel wraps nn.RNN, nn.GRU or nn.LSTM, not {type(rnn_layer).__qualname__}"
        )
    if rnn_layer.batch_first:
        raise ValueError("RNNModel feeds the layer time-major inputs; use batch_first=False")
    if rnn_layer.input_size != vocab_size:
        raise ValueError(
            f"the layer's input_size is {rnn_layer.input_size}, but the one-hot "
            f"inputs are vocab_size={vocab_size} wide"
        )
    if isinstance(rnn_layer, nn.LSTM) and rnn_layer.proj_size:
        raise ValueError("RNNModel does not support LSTM projections (proj_size > 0)")


# Example instances for `shapecheck docs` and `shapecheck verify`: every
# RNNModel variant, and the three scratch models. The docs run the first one
# of each class: a bidirectional LSTM (the wider head, the pair state) and a
# one-layer GRU (the tensor state).
_LAYERS: tuple[tuple[type[nn.RNN | nn.GRU | nn.LSTM], int, bool], ...] = (
    (nn.LSTM, 1, True),
    (nn.GRU, 1, False),
    *(
        (kind, layers, bidirectional)
        for layers, bidirectional in ((1, False), (2, True), (3, False), (1, True))
        for kind in (nn.LSTM, nn.GRU, nn.RNN)
        if (kind, layers, bidirectional) not in ((nn.LSTM, 1, True), (nn.GRU, 1, False))
    ),
)


def _register_rnn_model(
    kind: type[nn.RNN | nn.GRU | nn.LSTM], layers: int, bidirectional: bool
) -> None:
    cls = RNNModelHC if kind is nn.LSTM else RNNModelH
    directions = "bidirectional" if bidirectional else "unidirectional"
    plural = "s" if layers > 1 else ""
    name = f"RNNModel(nn.{kind.__name__}, {layers} layer{plural}, {directions})"

    @shapes.factory(name, cls)
    def build(sizes: Mapping[str, int], device: str) -> RNNModel:
        layer = kind(
            sizes["vocab"],
            sizes["hiddens"],
            num_layers=layers,
            bidirectional=bidirectional,
            device=device,
        )
        return RNNModel(layer, sizes["vocab"])


for _kind, _layers, _bidirectional in _LAYERS:
    _register_rnn_model(_kind, _layers, _bidirectional)


class ScratchParts(NamedTuple):
    """What an `RNNModelScratch` is made of, besides its sizes and device."""

    get_params: Callable[[int, int, Device], tuple[Tensor, ...]]
    init_state: Callable[[int, int, Device], Any]
    forward_fn: Callable[[Tensor, Any, Any], tuple[Tensor, Any]]


SCRATCH_PARTS: Final[Mapping[str, ScratchParts]] = {
    "lstm": ScratchParts(get_lstm_params, init_lstm_state, lstm),
    "gru": ScratchParts(get_gru_params, init_gru_state, gru),
    "rnn": ScratchParts(get_rnn_params, init_rnn_state, rnn),
}
"""The scratch networks by name: `RNNModelScratch(vocab, hiddens, device, *parts)`."""


def _register_scratch(name: str, parts: ScratchParts) -> None:
    @shapes.factory(f"RNNModelScratch({name})", RNNModelScratch)
    def build(sizes: Mapping[str, int], device: str) -> RNNModelScratch:
        return RNNModelScratch(sizes["vocab"], sizes["hiddens"], device, *parts)


for _name, _parts in SCRATCH_PARTS.items():
    _register_scratch(_name, _parts)


@shapes.exercise("a forward pass of every registered network")
def _forward_every_network(sizes: dict[str, int], device: str) -> None:
    """What `shapecheck annotate` watches: each network the registry can build
    (the factories above), on a minibatch of token ids."""
    tokens = torch.zeros((sizes["batch"], sizes["steps"]), dtype=torch.long, device=device)
    for factory in shapes.factories:
        if issubclass(factory.cls, RNNModel | RNNModelScratch):
            net = factory.build(dict(sizes), device)
            net(tokens, net.begin_state(batch_size=sizes["batch"], device=device))
