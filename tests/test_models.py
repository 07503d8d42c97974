"""The d2l recurrent models: exact shapes on cpu and meta, ShapeError on every misuse.

All sizes differ (batch 3, steps 5, vocab 7, hiddens 11), so no transposition
or mix-up can pass by coincidence.
"""

import ast
import copy
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import Tensor, nn

from models import gru as gru_module
from models import rnn as rnn_module
from models.lstm import LSTMParams, get_lstm_params, init_lstm_state, lstm
from models.rnn_model import RNNModel, RNNModelH, RNNModelHC, RNNModelScratch
from shapecheck import ShapeError

B, S, V, H = 3, 5, 7, 11
DEVICES = ["cpu", "meta"]


@dataclass(frozen=True)
class Scratch:
    name: str
    get_params: Callable[..., Any]
    init_state: Callable[..., Any]
    forward_fn: Callable[..., Any]
    state_size: int
    param_shapes: dict[str, tuple[int, ...]]


def _gates(prefix: str, letters: str) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {}
    for letter in letters:
        shapes |= {f"W_x{letter}": (V, H), f"W_h{letter}": (H, H), f"b_{letter}": (H,)}
    return shapes | {"W_hq": (H, V), "b_q": (V,)}


SCRATCH = [
    Scratch("lstm", get_lstm_params, init_lstm_state, lstm, 2, _gates("", "ifoc")),
    Scratch(
        "gru",
        gru_module.get_params,
        gru_module.init_gru_state,
        gru_module.gru,
        1,
        _gates("", "zrh"),
    ),
    Scratch(
        "rnn",
        rnn_module.get_params,
        rnn_module.init_rnn_state,
        rnn_module.rnn,
        1,
        {"W_xh": (V, H), "W_hh": (H, H), "b_h": (H,), "W_hq": (H, V), "b_q": (V,)},
    ),
]


def one_hot_inputs(device: str) -> Tensor:
    return torch.zeros(S, B, V, device=device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("model", SCRATCH, ids=lambda m: m.name)
def test_scratch__exact_shapes(model: Scratch, device: str) -> None:
    params = model.get_params(V, H, device)
    assert list(params._fields) == list(model.param_shapes)
    for name, shape in model.param_shapes.items():
        tensor = getattr(params, name)
        assert tuple(tensor.shape) == shape, name
        assert tensor.requires_grad and tensor.device.type == device
    state = model.init_state(B, H, device)
    assert [tuple(s.shape) for s in state] == [(B, H)] * model.state_size
    Y, new_state = model.forward_fn(one_hot_inputs(device), state, params)
    assert tuple(Y.shape) == (S * B, V) and Y.device.type == device
    assert [tuple(s.shape) for s in new_state] == [(B, H)] * model.state_size


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("model", SCRATCH, ids=lambda m: m.name)
def test_rnn_model_scratch__exact_shapes(model: Scratch, device: str) -> None:
    net = RNNModelScratch(V, H, device, model.get_params, model.init_state, model.forward_fn)
    state = net.begin_state(B, device)
    Y, new_state = net(torch.zeros(B, S, dtype=torch.long, device=device), state)
    assert tuple(Y.shape) == (S * B, V)
    assert [tuple(s.shape) for s in new_state] == [(B, H)] * model.state_size
    assert [name for name, _ in net.named_parameters()] == list(model.param_shapes)
    assert type(net.params).__name__.endswith("Params")


KINDS = [nn.RNN, nn.GRU, nn.LSTM]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("layers", [1, 2, 3])
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_rnn_model__agrees_with_documented_layer_shapes(
    kind: type[nn.RNNBase], layers: int, bidirectional: bool, device: str
) -> None:
    layer = kind(V, H, num_layers=layers, bidirectional=bidirectional, device=device)
    net = RNNModel(layer, V)
    directions = 2 if bidirectional else 1
    assert isinstance(net, RNNModelHC if kind is nn.LSTM else RNNModelH)
    assert net.linear.in_features == directions * H
    state = net.begin_state(device, batch_size=B)
    inputs = torch.zeros(B, S, dtype=torch.long, device=device)
    Y, new_state = net(inputs, state)
    assert tuple(Y.shape) == (S * B, V)

    # What torch documents for the layer itself: output (L, N, D*H_out) and
    # h_n (and c_n) of (D*num_layers, N, H_out), time-major.
    X = torch.zeros(S, B, V, device=device)
    layer_out, layer_state = layer(X, state)
    assert tuple(layer_out.shape) == (S, B, directions * H)
    expected = (directions * layers, B, H)
    if kind is nn.LSTM:
        assert isinstance(new_state, tuple) and len(new_state) == 2
        assert [tuple(s.shape) for s in new_state] == [expected, expected]
        assert [tuple(s.shape) for s in layer_state] == [expected, expected]
    else:
        assert isinstance(new_state, Tensor) and tuple(new_state.shape) == expected
        assert tuple(layer_state.shape) == expected


# --------------------------------------------------------------- violations


def lstm_args() -> tuple[Tensor, tuple[Tensor, Tensor], LSTMParams]:
    return one_hot_inputs("cpu"), init_lstm_state(B, H, "cpu"), get_lstm_params(V, H, "cpu")


@dataclass(frozen=True)
class Misuse:
    id: str
    call: Callable[[], Any]
    path: str


def _lstm_with(**changes: Any) -> Callable[[], Any]:
    def call() -> Any:
        inputs, state, params = lstm_args()
        args = {"inputs": inputs, "state": state, "params": params} | changes
        return lstm(**args)

    return call


def _net(kind: type[nn.RNNBase], **options: Any) -> RNNModel:
    return RNNModel(kind(V, H, **options), V)


def _scratch(index: int) -> RNNModelScratch:
    model = SCRATCH[index]
    return RNNModelScratch(V, H, "cpu", model.get_params, model.init_state, model.forward_fn)


def _tokens() -> Tensor:
    return torch.zeros(B, S, dtype=torch.long)


MISUSES = [
    Misuse("lstm-transposed-inputs", _lstm_with(inputs=torch.zeros(B, S, V)), "inputs"),
    Misuse(
        "lstm-state-hiddens-batch",
        _lstm_with(state=(torch.zeros(H, B), torch.zeros(H, B))),
        "state[0]",
    ),
    Misuse(
        "lstm-W_xi-hiddens-vocab",
        _lstm_with(params=get_lstm_params(V, H, "cpu")._replace(W_xi=torch.zeros(H, V))),
        "params.W_xi",
    ),
    Misuse("lstm-gru-state", _lstm_with(state=(torch.zeros(B, H),)), "state"),
    Misuse(
        "gru-lstm-state",
        lambda: gru_module.gru(
            one_hot_inputs("cpu"), (torch.zeros(B, H),) * 2, gru_module.get_params(V, H, "cpu")
        ),
        "state",
    ),
    Misuse(
        "rnn-state-hiddens-batch",
        lambda: rnn_module.rnn(
            one_hot_inputs("cpu"), (torch.zeros(H, B),), rnn_module.get_params(V, H, "cpu")
        ),
        "state[0]",
    ),
    Misuse(
        "scratch-gru-lstm-state", lambda: _scratch(1)(_tokens(), (torch.zeros(B, H),) * 2), "state"
    ),
    Misuse(
        "scratch-transposed-tokens",
        lambda: _scratch(0)(_tokens().T, _scratch(0).begin_state(B, "cpu")),
        "X",
    ),
    Misuse(
        "scratch-float-tokens",
        lambda: _scratch(0)(torch.zeros(B, S), (torch.zeros(B, H),) * 2),
        "X",
    ),
    Misuse(
        "nn-gru-lstm-state", lambda: _net(nn.GRU)(_tokens(), (torch.zeros(1, B, H),) * 2), "state"
    ),
    Misuse("nn-lstm-gru-state", lambda: _net(nn.LSTM)(_tokens(), torch.zeros(1, B, H)), "state"),
    Misuse(
        "nn-state-hiddens-batch",
        lambda: _net(nn.GRU, num_layers=2)(_tokens(), torch.zeros(2, H, B)),
        "state",
    ),
    Misuse(
        "nn-transposed-tokens", lambda: _net(nn.RNN)(_tokens().T, torch.zeros(1, B, H)), "inputs"
    ),
    Misuse(
        "nn-bi-state-for-uni",
        lambda: _net(nn.LSTM, num_layers=2, bidirectional=True)(
            _tokens(), (torch.zeros(2, B, H),) * 2
        ),
        "state[0]",
    ),
    Misuse(
        "init-state-size",
        lambda: (
            init_lstm_state(B, H, "cpu")
            and lstm(
                one_hot_inputs("cpu"),
                init_lstm_state(B + 1, H, "cpu"),
                get_lstm_params(V, H, "cpu"),
            )
        ),
        "state[0]",
    ),
]


@pytest.mark.parametrize("case", MISUSES, ids=lambda c: c.id)
def test_models__misuse_raises_shape_error(case: Misuse) -> None:
    with pytest.raises(ShapeError) as info:
        case.call()
    assert info.value.path == case.path
    assert str(info.value).split(":")[0].endswith("()")


def test_rnn_model__bidirectional_state_error_names_the_dim() -> None:
    net = _net(nn.LSTM, num_layers=2, bidirectional=True)
    with pytest.raises(ShapeError) as info:
        net(_tokens(), (torch.zeros(2, B, H),) * 2)
    error = info.value
    assert error.dim == "layers_dirs"
    assert (error.bound_value, error.actual_value) == (4, 2)
    assert error.bound_at == "RNNModelHC.__shapecheck_dims__()"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: RNNModel(nn.Linear(V, H), V), r"wraps nn.RNN, nn.GRU or nn.LSTM, not Linear"),
        (lambda: RNNModel(nn.GRU(V, H, batch_first=True), V), r"use batch_first=False"),
        (lambda: RNNModel(nn.GRU(V + 1, H), V), r"input_size is 8, but .* vocab_size=7"),
        (lambda: RNNModel(nn.LSTM(V, H, proj_size=2), V), r"proj_size"),
    ],
    ids=["not-a-layer", "batch-first", "input-size", "proj-size"],
)
def test_rnn_model__rejects_bad_layers(make: Callable[[], Any], message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        make()


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_rnn_model__copies_and_pickles_keep_checks(kind: type[nn.RNNBase]) -> None:
    net = _net(kind, num_layers=2)
    tokens = torch.randint(0, V, (B, S))
    state = net.begin_state("cpu", batch_size=B)
    for clone in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert type(clone) is type(net)
        assert torch.equal(clone(tokens, state)[0], net(tokens, state)[0])
        with pytest.raises(ShapeError):
            clone(tokens.T, state)


def test_models__every_public_function_is_checked() -> None:
    from shapecheck._target import collect

    names = {checked.name for checked in collect("models")}
    for expected in [
        "models.lstm.get_lstm_params",
        "models.lstm.init_lstm_state",
        "models.lstm.lstm",
        "models.gru.get_params",
        "models.gru.init_gru_state",
        "models.gru.gru",
        "models.rnn.get_params",
        "models.rnn.init_rnn_state",
        "models.rnn.rnn",
        "models.rnn_model.RNNModelScratch.forward",
        "models.rnn_model.RNNModelScratch.begin_state",
        "models.rnn_model.RNNModelH.forward",
        "models.rnn_model.RNNModelH.begin_state",
        "models.rnn_model.RNNModelHC.forward",
        "models.rnn_model.RNNModelHC.begin_state",
    ]:
        assert expected in names


# --------------------------------------------------------------------------
# The modules of `models` import one another without a cycle
# --------------------------------------------------------------------------

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


def _imports_of(path: Path, names: set[str]) -> set[str]:
    """The modules of `models` that `path` imports, lazily or not.

    A module-level `if __name__ == "__main__":` block runs only when the file
    is the program (`python -m models.train`), never on import: not counted.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    main_blocks = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "__name__ == '__main__'"
    ]
    skipped = {id(node) for block in main_blocks for node in ast.walk(block)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("models.")}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1 and module:  # from .dims import ...
                found.add(module.split(".")[0])
            elif node.level == 1 or module == "models":  # from . import dims
                found |= {alias.name for alias in node.names}
            elif module.startswith("models."):  # from models.dims import ...
                found.add(module.split(".")[1])
    return (found & names) - {path.stem}


def test_models__imports_have_no_cycle() -> None:
    names = {path.stem for path in MODELS_DIR.glob("*.py")}
    graph = {path.stem: _imports_of(path, names) for path in MODELS_DIR.glob("*.py")}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        if name not in done:
            for imported in sorted(graph[name]):
                visit(imported, (*path, name))
            done.add(name)

    for name in sorted(graph):
        visit(name, ())
