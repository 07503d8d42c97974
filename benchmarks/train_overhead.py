"""End-to-end cost of shapecheck's checks on d2l training steps.

Every model of `models` is trained for a number of steps with checks on and
with checks off, in one run:

- the scratch LSTM, GRU and RNN (`RNNModelScratch`);
- `RNNModel` over `nn.LSTM`, `nn.GRU` and `nn.RNN`;

at d2l's sizes by default (batch 32, 35 time steps, 256 hidden units, the
28-token vocabulary of the bundled corpus), under four configurations:

- `shipped`:    the models as the package ships them (decorated with
                `shapecheck.check`), checks on against `shapecheck.disabled()`;
- `hook`:       a fresh interpreter runs `shapecheck.install("models")` before
                importing `models`. The package is decorated already and the
                hook leaves checked objects alone, so this is the shipped
                package plus the few objects the hook finds unchecked (the
                parameter NamedTuples' constructors, for one); the report
                lists them;
- `hook-plain`: as `hook`, but `models` is imported with its `@check`
                decorators turned into no-ops, so that every check, locals
                included, comes from the import hook. The hook passes over
                functions whose signature names no tensor (`grad_clipping`),
                which the decorators check; the report lists the differences;
- `cell`:       the worst case: the per-time-step cell is itself a checked
                function, with annotated locals, called once per time step. The
                scratch models run a checked `lstm_cell`/`gru_cell`/`rnn_cell`
                defined here; the `nn.*` models call their layer one time step
                at a time through a checked wrapper (`nn_cell_h`/`nn_cell_hc`),
                in place of one call over the whole sequence.

A training step is what `models.train.train_epoch` does for one minibatch of
the corpus (sequential partitioning, the state carried over and detached):
forward, cross-entropy loss, backward, gradient clipping to norm 1 and an SGD
step (learning rate 1). The minibatches are cut from the corpus before timing.

Timing, per model and configuration: a few warm-up steps in each mode, then
`--blocks` blocks of `--steps-per-block` steps in each mode, on and off
alternating (on-off, off-on, on-off, ...) on the same network and the same
stream of minibatches, so that drift and load from other processes weigh on
both modes alike. Every step is timed on its own (on cuda, each step ends
with `torch.cuda.synchronize()`); the table gives the median step of each mode,
ratio = on / off, a 95% interval of the ratio from a bootstrap over the
(on, off) block pairs, which shows how far the machine's noise leaves the
ratio uncertain, and `paired`: the median over block pairs of the on block's
median step over its neighbouring off block's, less swayed when the machine's
speed shifts during the run. pass/fail is decided on the ratio. Targets, for
the CPU at d2l's sizes: <= 1.03 for `shipped`, `hook` and `hook-plain`, <= 1.10
for `cell`. They are reported, not asserted.

Before timing, for every model and configuration, one training step from the
same parameters and state must give a bitwise-equal loss, and bitwise-equal
parameters after the update, with checks on and off; and the checks must be
live (a state of the wrong batch size is rejected). Otherwise the script exits
with status 1.

Run from the repository root:

    python benchmarks/train_overhead.py [--device cpu|cuda] [--threads N]
        [--steps-per-block N] [--blocks N] [--warmup N] [--quick]
        [--models a,b] [--configs a,b] [--batch-size N] [--num-steps N]
        [--hiddens N] [--markdown PATH] [--json PATH]

Exit status: 0 when it ran, 1 when the pre-timing verification fails, 2 on a
bad argument.
"""

import argparse
import contextlib
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import torch
import torch.nn.functional as F
from jaxtyping import Float, Int
from torch import Tensor, nn

# Run as `python benchmarks/train_overhead.py`, sys.path[0] is benchmarks/: put
# the repository root first so that the working tree's packages are the ones timed.
_REPO_ROOT = Path(__file__).resolve().parent.parent
# ... and this folder, for the reports' shared header (`_report`), also when a
# fresh interpreter imports this file as a module.
for _folder in (Path(__file__).resolve().parent, _REPO_ROOT):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from _report import base_environment  # noqa: E402

import shapecheck  # noqa: E402
from models.data import load_data_time_machine  # noqa: E402
from models.dims import Hidden  # noqa: E402
from models.gru import GRUParams, GRUState, init_gru_state  # noqa: E402
from models.gru import get_params as get_gru_params  # noqa: E402
from models.lstm import LSTMParams, LSTMState, get_lstm_params, init_lstm_state  # noqa: E402
from models.rnn import RNNParams, RNNState, init_rnn_state  # noqa: E402
from models.rnn import get_params as get_rnn_params  # noqa: E402
from models.rnn_model import (  # noqa: E402
    LayerState,
    LSTMLayerState,
    RNNModel,
    RNNModelH,
    RNNModelHC,
    RNNModelScratch,
    RNNModelState,
)
from models.train import (  # noqa: E402
    RecurrentNet,
    _detach_state,
    _targets,
    grad_clipping,
)
from models.zoo import MODELS, build_model  # noqa: E402

PROG = "train_overhead.py"

CONFIGS = ("shipped", "hook", "hook-plain", "cell")
HOOK_CONFIGS = ("hook", "hook-plain")
TARGETS = {"shipped": 1.03, "hook": 1.03, "hook-plain": 1.03, "cell": 1.10}

D2L_SIZES = {"batch": 32, "steps": 35, "hiddens": 256}
QUICK_SIZES = {"batch": 4, "steps": 5, "hiddens": 16}
# Full run: 3 warm-up steps, then 60 blocks of 2 steps, per mode, model and
# configuration: 2 x 123 steps for each of 6 models x 4 configurations, about
# 4 minutes on 2 cores at d2l's sizes (longer when other processes load them).
# Short blocks: the machine's speed shifts every few seconds, and with modes
# alternating every 2 steps both see each shift alike.
FULL_TIMING = {"blocks": 60, "steps_per_block": 2, "warmup": 3}
QUICK_TIMING = {"blocks": 2, "steps_per_block": 2, "warmup": 1}

SEED = 0
LR = 1.0
BOOTSTRAP = 1000  # resamples for the ratio's confidence interval

MODES = ("on", "off")


# --------------------------------------------------------------------------- options


class _Parser(argparse.ArgumentParser):
    """argparse, with a bad argument reported on one line (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {value}")
    return value


def _names(allowed: Sequence[str]) -> Callable[[str], tuple[str, ...]]:
    def parse(text: str) -> tuple[str, ...]:
        names = tuple(name.strip() for name in text.split(",") if name.strip())
        if not names:
            raise argparse.ArgumentTypeError(f"expected a comma-separated list of {allowed}")
        for name in names:
            if name not in allowed:
                raise argparse.ArgumentTypeError(
                    f"unknown name {name!r}: choose from {', '.join(allowed)}"
                )
        return tuple(name for name in allowed if name in names)  # canonical order

    return parse


@dataclass(frozen=True)
class Options:
    device: str
    threads: int
    quick: bool
    blocks: int
    steps_per_block: int
    warmup: int
    batch: int
    steps: int
    hiddens: int
    models: tuple[str, ...]
    configs: tuple[str, ...]
    json_path: Path | None
    markdown_path: Path | None
    worker: str | None  # internal: time one hook configuration, in a fresh interpreter
    worker_out: Path | None

    def forwarded(self) -> list[str]:
        """The command-line options that a worker needs to time what this run times."""
        return [
            f"--device={self.device}",
            f"--threads={self.threads}",
            f"--blocks={self.blocks}",
            f"--steps-per-block={self.steps_per_block}",
            f"--warmup={self.warmup}",
            f"--batch-size={self.batch}",
            f"--num-steps={self.steps}",
            f"--hiddens={self.hiddens}",
            f"--models={','.join(self.models)}",
        ]

    @property
    def targets_apply(self) -> bool:
        """The targets are set for the CPU at d2l's sizes."""
        sizes = {"batch": self.batch, "steps": self.steps, "hiddens": self.hiddens}
        return self.device == "cpu" and not self.quick and sizes == D2L_SIZES


def parse_args(argv: Sequence[str]) -> Options:
    parser = _Parser(
        prog=PROG,
        description="Training-step time of d2l's recurrent models with shapecheck's checks "
        "on and off, per model and configuration.",
    )
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument(
        "--threads", type=_positive_int, default=1, help="torch.set_num_threads (default: 1)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: batch 4, 5 time steps, 16 hiddens, 2 blocks of 2 steps",
    )
    parser.add_argument(
        "--blocks",
        type=_positive_int,
        help=f"timed blocks per mode (default: {FULL_TIMING['blocks']})",
    )
    parser.add_argument(
        "--steps-per-block",
        type=_positive_int,
        help=f"training steps per block (default: {FULL_TIMING['steps_per_block']})",
    )
    parser.add_argument(
        "--warmup",
        type=_non_negative_int,
        help=f"untimed steps per mode first (default: {FULL_TIMING['warmup']})",
    )
    parser.add_argument("--batch-size", type=_positive_int, help="default: 32 (d2l)")
    parser.add_argument("--num-steps", type=_positive_int, help="time steps, default: 35 (d2l)")
    parser.add_argument("--hiddens", type=_positive_int, help="default: 256 (d2l)")
    parser.add_argument(
        "--models",
        type=_names(MODELS),
        default=MODELS,
        help=f"comma-separated subset of {','.join(MODELS)} (default: all)",
    )
    parser.add_argument(
        "--configs",
        type=_names(CONFIGS),
        default=CONFIGS,
        help=f"comma-separated subset of {','.join(CONFIGS)} (default: all)",
    )
    parser.add_argument("--json", dest="json_path", type=Path, metavar="PATH")
    parser.add_argument("--markdown", dest="markdown_path", type=Path, metavar="PATH")
    parser.add_argument("--worker", choices=HOOK_CONFIGS, help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    ns = parser.parse_args(list(argv))

    device: str = ns.device
    if device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: torch reports no CUDA device")
    for flag, path in (("--json", ns.json_path), ("--markdown", ns.markdown_path)):
        if path is not None and not path.resolve().parent.is_dir():
            parser.error(f"{flag} {path}: directory {path.resolve().parent} does not exist")
    if ns.worker is not None:
        if ns.worker_out is None:
            parser.error("--worker needs --worker-out")
        if "models" not in shapecheck.installed_packages():
            parser.error("--worker is internal: the run starts it with the import hook installed")
    sizes = QUICK_SIZES if ns.quick else D2L_SIZES
    timing = QUICK_TIMING if ns.quick else FULL_TIMING

    def pick(value: int | None, default: int) -> int:
        return default if value is None else value

    return Options(
        device=device,
        threads=ns.threads,
        quick=ns.quick,
        blocks=pick(ns.blocks, timing["blocks"]),
        steps_per_block=pick(ns.steps_per_block, timing["steps_per_block"]),
        warmup=pick(ns.warmup, timing["warmup"]),
        batch=pick(ns.batch_size, sizes["batch"]),
        steps=pick(ns.num_steps, sizes["steps"]),
        hiddens=pick(ns.hiddens, sizes["hiddens"]),
        models=ns.models,
        configs=ns.configs,
        json_path=ns.json_path,
        markdown_path=ns.markdown_path,
        worker=ns.worker,
        worker_out=ns.worker_out,
    )


# ------------------------------------------------------------ the checked cells


@shapecheck.check
def lstm_cell(
    X: Float[Tensor, "batch vocab"], H: Hidden, C: Hidden, params: LSTMParams
) -> tuple[Float[Tensor, "batch vocab"], LSTMState]:
    """One LSTM time step (d2l 10.1): the output logits and the new `(H, C)`."""
    [W_xi, W_hi, b_i, W_xf, W_hf, b_f, W_xo, W_ho, b_o, W_xc, W_hc, b_c, W_hq, b_q] = params
    I: Float[Tensor, "batch hiddens"] = torch.sigmoid((X @ W_xi) + (H @ W_hi) + b_i)
    F: Float[Tensor, "batch hiddens"] = torch.sigmoid((X @ W_xf) + (H @ W_hf) + b_f)
    O: Float[Tensor, "batch hiddens"] = torch.sigmoid((X @ W_xo) + (H @ W_ho) + b_o)
    C_tilda: Float[Tensor, "batch hiddens"] = torch.tanh((X @ W_xc) + (H @ W_hc) + b_c)
    C_next: Float[Tensor, "batch hiddens"] = F * C + I * C_tilda
    H_next: Float[Tensor, "batch hiddens"] = O * torch.tanh(C_next)
    Y: Float[Tensor, "batch vocab"] = (H_next @ W_hq) + b_q
    return Y, (H_next, C_next)


@shapecheck.check
def lstm_by_cell(
    inputs: Float[Tensor, "steps batch vocab"], state: LSTMState, params: LSTMParams
) -> tuple[Float[Tensor, "steps*batch vocab"], LSTMState]:
    """`models.lstm.lstm`, one checked `lstm_cell` call per time step."""
    H, C = state
    outputs = []
    for X in inputs:
        Y, (H, C) = lstm_cell(X, H, C, params)
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H, C)


@shapecheck.check
def gru_cell(
    X: Float[Tensor, "batch vocab"], H: Hidden, params: GRUParams
) -> tuple[Float[Tensor, "batch vocab"], GRUState]:
    """One GRU time step (d2l 10.2): the output logits and the new `(H,)`."""
    W_xz, W_hz, b_z, W_xr, W_hr, b_r, W_xh, W_hh, b_h, W_hq, b_q = params
    Z: Float[Tensor, "batch hiddens"] = torch.sigmoid((X @ W_xz) + (H @ W_hz) + b_z)
    R: Float[Tensor, "batch hiddens"] = torch.sigmoid((X @ W_xr) + (H @ W_hr) + b_r)
    H_tilda: Float[Tensor, "batch hiddens"] = torch.tanh((X @ W_xh) + ((R * H) @ W_hh) + b_h)
    H_next: Float[Tensor, "batch hiddens"] = Z * H + (1 - Z) * H_tilda
    Y: Float[Tensor, "batch vocab"] = H_next @ W_hq + b_q
    return Y, (H_next,)


@shapecheck.check
def gru_by_cell(
    inputs: Float[Tensor, "steps batch vocab"], state: GRUState, params: GRUParams
) -> tuple[Float[Tensor, "steps*batch vocab"], GRUState]:
    """`models.gru.gru`, one checked `gru_cell` call per time step."""
    (H,) = state
    outputs = []
    for X in inputs:
        Y, (H,) = gru_cell(X, H, params)
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H,)


@shapecheck.check
def rnn_cell(
    X: Float[Tensor, "batch vocab"], H: Hidden, params: RNNParams
) -> tuple[Float[Tensor, "batch vocab"], RNNState]:
    """One RNN time step (d2l 8.5): the output logits and the new `(H,)`."""
    W_xh, W_hh, b_h, W_hq, b_q = params
    H_next: Float[Tensor, "batch hiddens"] = torch.tanh(torch.mm(X, W_xh) + torch.mm(H, W_hh) + b_h)
    Y: Float[Tensor, "batch vocab"] = torch.mm(H_next, W_hq) + b_q
    return Y, (H_next,)


@shapecheck.check
def rnn_by_cell(
    inputs: Float[Tensor, "steps batch vocab"], state: RNNState, params: RNNParams
) -> tuple[Float[Tensor, "steps*batch vocab"], RNNState]:
    """`models.rnn.rnn`, one checked `rnn_cell` call per time step."""
    (H,) = state
    outputs = []
    for X in inputs:
        Y, (H,) = rnn_cell(X, H, params)
        outputs.append(Y)
    return torch.cat(outputs, dim=0), (H,)


@shapecheck.check
def nn_cell_h(
    layer: nn.RNN | nn.GRU, X: Float[Tensor, "batch vocab"], state: LayerState
) -> tuple[Float[Tensor, "batch hiddens"], LayerState]:
    """One time step of a one-direction `nn.RNN`/`nn.GRU`: its output and new state."""
    Y: Float[Tensor, "1 batch hiddens"]
    Y, new_state = layer(X.unsqueeze(0), state)
    return Y[0], new_state


@shapecheck.check
def nn_cell_hc(
    layer: nn.LSTM, X: Float[Tensor, "batch vocab"], state: LSTMLayerState
) -> tuple[Float[Tensor, "batch hiddens"], LSTMLayerState]:
    """One time step of a one-direction `nn.LSTM`: its output and new `(H, C)`."""
    Y: Float[Tensor, "1 batch hiddens"]
    Y, new_state = layer(X.unsqueeze(0), state)
    return Y[0], new_state


def _check_stepwise(layer: nn.Module) -> None:
    if not isinstance(layer, nn.RNN | nn.GRU | nn.LSTM) or layer.bidirectional:
        raise ValueError("the cell variant steps a one-direction nn.RNN/nn.GRU/nn.LSTM")


@shapecheck.check
class StepwiseRNNModelH(RNNModelH):
    """`RNNModel` over `nn.RNN`/`nn.GRU`, the layer called one checked time step at a time."""

    def _run(
        self, inputs: Int[Tensor, "batch steps"], state: RNNModelState
    ) -> tuple[Float[Tensor, "steps*batch vocab"], RNNModelState]:
        rnn = self.rnn
        if not isinstance(rnn, nn.RNN | nn.GRU) or not isinstance(state, Tensor):
            raise TypeError("StepwiseRNNModelH runs an nn.RNN or nn.GRU on a tensor state")
        X: Float[Tensor, "steps batch vocab"] = F.one_hot(inputs.T.long(), self.vocab_size).to(
            self.linear.weight.dtype
        )
        outputs = []
        H = state
        for X_t in X:
            Y_t, H = nn_cell_h(rnn, X_t, H)
            outputs.append(Y_t)
        Y: Float[Tensor, "steps batch hiddens"] = torch.stack(outputs)
        output: Float[Tensor, "steps*batch vocab"] = self.linear(Y.reshape((-1, Y.shape[-1])))
        return output, H


@shapecheck.check
class StepwiseRNNModelHC(RNNModelHC):
    """`RNNModel` over `nn.LSTM`, the layer called one checked time step at a time."""

    def _run(
        self, inputs: Int[Tensor, "batch steps"], state: RNNModelState
    ) -> tuple[Float[Tensor, "steps*batch vocab"], RNNModelState]:
        rnn = self.rnn
        if not isinstance(rnn, nn.LSTM) or isinstance(state, Tensor):
            raise TypeError("StepwiseRNNModelHC runs an nn.LSTM on an (H, C) state")
        X: Float[Tensor, "steps batch vocab"] = F.one_hot(inputs.T.long(), self.vocab_size).to(
            self.linear.weight.dtype
        )
        outputs = []
        HC = state
        for X_t in X:
            Y_t, HC = nn_cell_hc(rnn, X_t, HC)
            outputs.append(Y_t)
        Y: Float[Tensor, "steps batch hiddens"] = torch.stack(outputs)
        output: Float[Tensor, "steps*batch vocab"] = self.linear(Y.reshape((-1, Y.shape[-1])))
        return output, HC


_SCRATCH_CELLS: dict[str, tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]] = {
    "lstm": (get_lstm_params, init_lstm_state, lstm_by_cell),
    "gru": (get_gru_params, init_gru_state, gru_by_cell),
    "rnn": (get_rnn_params, init_rnn_state, rnn_by_cell),
}
_CELL_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lstm": lstm_cell,
    "gru": gru_cell,
    "rnn": rnn_cell,
    "nn-lstm": nn_cell_hc,
    "nn-gru": nn_cell_h,
    "nn-rnn": nn_cell_h,
}
_LAYERS: dict[str, type[nn.RNN | nn.GRU | nn.LSTM]] = {
    "nn-lstm": nn.LSTM,
    "nn-gru": nn.GRU,
    "nn-rnn": nn.RNN,
}


def build_cell_model(name: str, vocab_size: int, hiddens: int, device: torch.device) -> nn.Module:
    """The `cell` variant of model `name`: its time step is a checked function."""
    if name in _SCRATCH_CELLS:
        get_params, init_state, forward_fn = _SCRATCH_CELLS[name]
        return RNNModelScratch(vocab_size, hiddens, device, get_params, init_state, forward_fn)
    layer = _LAYERS[name](vocab_size, hiddens)
    _check_stepwise(layer)
    model: RNNModel
    if isinstance(layer, nn.LSTM):
        model = StepwiseRNNModelHC(layer, vocab_size)
    else:
        model = StepwiseRNNModelH(layer, vocab_size)
    return model.to(device)


def build_net(config: str, name: str, vocab_size: int, hiddens: int, device: torch.device) -> Any:
    """Model `name` for `config`, its parameters drawn after seeding torch with SEED."""
    torch.manual_seed(SEED)
    if config == "cell":
        return build_cell_model(name, vocab_size, hiddens, device)
    return build_model(name, vocab_size, hiddens, device)


# ----------------------------------------------------------------- the training step


Minibatch = tuple[Tensor, Tensor]


class Trainer:
    """`train_epoch`'s body, one minibatch at a time, over a cycle of minibatches."""

    def __init__(self, net: Any, batches: Sequence[Minibatch], device: torch.device) -> None:
        if not isinstance(net, RecurrentNet) or not isinstance(net, nn.Module):
            raise TypeError(f"not a recurrent network: {type(net).__qualname__}")
        self.net = net
        self.batches = batches
        self.device = device
        self.loss = nn.CrossEntropyLoss()
        self.updater = torch.optim.SGD(net.parameters(), LR)
        self.state: Any = None
        self.index = 0
        self.total_loss = torch.zeros((), device=device)
        self.num_tokens = 0

    def step(self) -> Tensor:
        """One training step on the next minibatch; returns its (mean) loss."""
        if self.index == len(self.batches):
            self.index = 0
            self.state = None  # a new epoch: a fresh state, as train_epoch starts with
        X, Y = self.batches[self.index]
        self.index += 1
        net, device = self.net, self.device
        if self.state is None:
            self.state = net.begin_state(batch_size=X.shape[0], device=device)
        else:
            _detach_state(self.state)
        y = _targets(Y)
        X, y = X.to(device), y.to(device)
        y_hat, self.state = net(X, self.state)
        batch_loss: Tensor = self.loss(y_hat, y.long()).mean()
        self.updater.zero_grad()
        torch.autograd.backward(batch_loss)
        grad_clipping(net, 1)
        self.updater.step()
        self.total_loss += batch_loss.detach() * y.numel()
        self.num_tokens += y.numel()
        return batch_loss


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _steps(trainer: Trainer, mode: str, count: int) -> list[float]:
    """Seconds of each of `count` training steps in `mode` (on: checks on)."""
    times: list[float] = []
    device = trainer.device
    with _mode(mode):
        for _ in range(count):
            _sync(device)
            start = time.perf_counter()
            trainer.step()
            _sync(device)
            times.append(time.perf_counter() - start)
    return times


def _mode(mode: str) -> AbstractContextManager[None]:
    """Checks off inside the block for "off"; for "on", as they are by default."""
    return shapecheck.disabled() if mode == "off" else contextlib.nullcontext()


# --------------------------------------------------------------------- verification


class VerificationError(Exception):
    pass


def verify(
    config: str, name: str, net: Any, batches: Sequence[Minibatch], device: torch.device
) -> str:
    """Check that on and off train alike, bit for bit, and that the checks are live."""
    label = f"{name} ({config})"
    if not shapecheck.checks_active():
        raise VerificationError("shapecheck.checks_active() is False")
    if not hasattr(type(net).forward, "__shapecheck__"):
        raise VerificationError(f"{label}: forward is not checked (is SHAPECHECK=0 set?)")
    if config == "cell" and not hasattr(_CELL_FUNCTIONS[name], "__shapecheck__"):
        raise VerificationError(f"{label}: the cell function is not checked")

    snapshot = {key: value.detach().clone() for key, value in net.state_dict().items()}

    def one_step(mode: str) -> tuple[Tensor, list[Tensor]]:
        net.load_state_dict(snapshot)
        trainer = Trainer(net, batches[:1], device)
        with _mode(mode):
            loss = trainer.step().detach().clone()
        return loss, [p.detach().clone() for p in net.parameters()]

    loss_on, params_on = one_step("on")
    loss_off, params_off = one_step("off")
    if not torch.equal(loss_on, loss_off):
        net.load_state_dict(snapshot)
        raise VerificationError(
            f"{label}: the loss of one step differs with checks on and off:"
            f" {loss_on.item()!r} vs {loss_off.item()!r}"
        )
    params_note = "parameters after the update bitwise equal"
    differ = [
        k
        for k, (a, b) in enumerate(zip(params_on, params_off, strict=True))
        if not torch.equal(a, b)
    ]
    if differ:
        # A backward pass that is not deterministic on this device (atomics in
        # some GPU kernels) differs from itself too: then only the loss counts.
        _, params_again = one_step("off")
        if all(torch.equal(a, b) for a, b in zip(params_off, params_again, strict=True)):
            net.load_state_dict(snapshot)
            raise VerificationError(
                f"{label}: parameters {differ} differ after one step with checks on and off"
            )
        params_note = "parameters after the update not compared (backward not deterministic here)"
    net.load_state_dict(snapshot)

    # The check on forward's arguments runs before the body, so a ShapeError
    # can only come from shapecheck (the layers raise RuntimeError).
    X = batches[0][0].to(device)
    bad_state = net.begin_state(batch_size=X.shape[0] + 1, device=device)
    with torch.no_grad():
        try:
            net(X, bad_state)
        except shapecheck.ShapeError:
            pass
        else:
            raise VerificationError(
                f"{label}: a state of batch {X.shape[0] + 1} for inputs of batch"
                f" {X.shape[0]} was not rejected with checks on"
            )
    return f"{label}: loss {loss_on.item():.6f} bitwise equal on/off, {params_note}"


# ---------------------------------------------------------------------------- timing


@dataclass
class Series:
    """The step times of one model under one configuration."""

    model: str
    config: str
    block_s: dict[str, list[list[float]]] = field(default_factory=dict)  # mode -> block -> step

    def steps_s(self, mode: str) -> list[float]:
        return [t for block in self.block_s[mode] for t in block]

    def median_ms(self, mode: str) -> float:
        return statistics.median(self.steps_s(mode)) * 1e3

    @property
    def ratio(self) -> float:
        return self.median_ms("on") / self.median_ms("off")

    @property
    def paired_ratios(self) -> list[float]:
        """Per block pair, median on step / median off step (neighbouring blocks)."""
        return [
            statistics.median(on) / statistics.median(off)
            for on, off in zip(self.block_s["on"], self.block_s["off"], strict=True)
        ]

    @property
    def paired_ratio(self) -> float:
        return statistics.median(self.paired_ratios)

    def ci95(self) -> tuple[float, float]:
        """95% interval of the ratio: a bootstrap over (on, off) block pairs.

        Whole blocks are resampled, each on block with its off neighbour, so
        that the interval keeps the load shared by neighbouring blocks.
        """
        rng = random.Random(SEED)
        on, off = self.block_s["on"], self.block_s["off"]
        n = len(on)
        ratios = []
        for _ in range(BOOTSTRAP):
            picks = [rng.randrange(n) for _ in range(n)]
            ratios.append(
                statistics.median(t for k in picks for t in on[k])
                / statistics.median(t for k in picks for t in off[k])
            )
        ratios.sort()
        return ratios[int(0.025 * BOOTSTRAP)], ratios[int(0.975 * BOOTSTRAP) - 1]

    @property
    def target(self) -> float:
        return TARGETS[self.config]

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "config": self.config,
            "median_ms": {mode: self.median_ms(mode) for mode in MODES},
            "ratio": self.ratio,
            "paired_ratio": self.paired_ratio,
            "ratio_ci95": list(self.ci95()),
            "target": self.target,
            "block_s": self.block_s,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Series":
        return cls(str(data["model"]), str(data["config"]), data["block_s"])


def time_model(trainer: Trainer, opts: Options, series: Series) -> None:
    for mode in MODES:
        _steps(trainer, mode, opts.warmup)
    series.block_s = {mode: [] for mode in MODES}
    for b in range(opts.blocks):
        # on-off, off-on, ...: each mode goes first in half the pairs.
        order = MODES if b % 2 == 0 else MODES[::-1]
        for mode in order:
            series.block_s[mode].append(_steps(trainer, mode, opts.steps_per_block))


def load_batches(opts: Options) -> tuple[list[Minibatch], int]:
    """The minibatches of one epoch of the corpus (sequential), and the vocabulary size."""
    loader, vocab = load_data_time_machine(
        opts.batch, opts.steps, False, -1, rng=random.Random(SEED)
    )
    return list(iter(loader)), len(vocab)


def run_config(config: str, opts: Options) -> tuple[list[Series], list[str]]:
    """Verify and time every model under `config`, in this process."""
    device = torch.device(opts.device)
    batches, vocab_size = load_batches(opts)
    results: list[Series] = []
    verified: list[str] = []
    for name in opts.models:
        net = build_net(config, name, vocab_size, opts.hiddens, device)
        verified.append(verify(config, name, net, batches, device))
        series = Series(name, config)
        print(f"{PROG}: timing {config} {name} ...", file=sys.stderr, flush=True)
        time_model(Trainer(net, batches, device), opts, series)
        print(
            f"{PROG}:   off {series.median_ms('off'):.2f} ms, on {series.median_ms('on'):.2f} ms,"
            f" ratio {series.ratio:.3f}",
            file=sys.stderr,
            flush=True,
        )
        results.append(series)
    return results, verified


# A fresh interpreter for a hook configuration: the hook is installed before
# `models` is first imported; for hook-plain, `models` is imported with
# `shapecheck.check` standing in as a no-op, so only the hook checks it. Then
# this script runs as __main__ and times the configuration (`--worker`).
_BOOTSTRAP = """\
import runpy, sys
sys.path.insert(0, sys.argv[1])
import shapecheck
config, script = sys.argv[2], sys.argv[3]
shapecheck.install("models")
if config == "hook-plain":
    real_check = shapecheck.check
    def no_check(obj=None, /, **options):
        return obj if obj is not None else (lambda obj: obj)
    shapecheck.check = no_check
    try:
        import models.data, models.train, models.zoo
    finally:
        shapecheck.check = real_check
else:
    import models.data, models.train, models.zoo
sys.argv = [script, *sys.argv[4:]]
runpy.run_path(script, run_name="__main__")
"""


@dataclass
class WorkerResult:
    series: list[Series]
    verified: list[str]
    inventory: dict[str, bool]


def run_worker(config: str, opts: Options) -> WorkerResult:
    """Run `config` in a fresh interpreter, the import hook installed first."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        command = [
            sys.executable,
            "-c",
            _BOOTSTRAP,
            str(_REPO_ROOT),
            config,
            str(Path(__file__).resolve()),
            f"--worker={config}",
            f"--worker-out={out}",
            *opts.forwarded(),
        ]
        done = subprocess.run(command, stdout=subprocess.DEVNULL, check=False)
        if done.returncode != 0 or not out.exists():
            raise VerificationError(
                f"the {config} run in a fresh interpreter exited with status"
                f" {done.returncode} (its message is above)"
            )
        data = json.loads(out.read_text(encoding="utf-8"))
    return WorkerResult(
        [Series.from_json(item) for item in data["series"]],
        [str(line) for line in data["verified"]],
        {str(key): bool(value) for key, value in data["inventory"].items()},
    )


def worker_main(config: str, opts: Options, out: Path) -> int:
    try:
        series, verified = run_config(config, opts)
    except VerificationError as e:
        print(f"{PROG}: verification failed: {e}", file=sys.stderr)
        return 1
    data = {
        "series": [s.to_json() for s in series],
        "verified": verified,
        "inventory": checked_inventory(),
    }
    out.write_text(json.dumps(data), encoding="utf-8")
    return 0


# ------------------------------------------------------------------------ inventory


def _models_modules() -> Iterator[ModuleType]:
    for name, module in sorted(sys.modules.items()):
        if module is not None and (name == "models" or name.startswith("models.")):
            yield module


def checked_inventory() -> dict[str, bool]:
    """Whether each function and method that `models` defines is checked."""
    found: dict[str, bool] = {}
    for module in _models_modules():
        for attribute, obj in vars(module).items():
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            if callable(obj) and hasattr(obj, "__code__"):
                found[f"{module.__name__}.{attribute}"] = hasattr(obj, "__shapecheck__")
            elif isinstance(obj, type):
                for member_name, member in vars(obj).items():
                    function = getattr(member, "__func__", member)
                    if hasattr(function, "__code__"):
                        key = f"{module.__name__}.{obj.__qualname__}.{member_name}"
                        found[key] = hasattr(function, "__shapecheck__")
    return found


def compare_inventories(config: str, shipped: dict[str, bool], other: dict[str, bool]) -> str:
    """One line: what `config` checks in `models`, against the shipped package."""
    count = sum(other.values())
    only_other = sorted(k for k, v in other.items() if v and not shipped.get(k, False))
    only_shipped = sorted(k for k, v in shipped.items() if v and not other.get(k, False))
    line = f"{config}: {count} functions and methods of models checked"
    if not only_other and not only_shipped:
        return line + ", the same ones as in the shipped package"
    parts = []
    if only_other:
        parts.append(f"also {', '.join(only_other)}")
    if only_shipped:
        parts.append(f"not {', '.join(only_shipped)}")
    return line + f" ({count - len(only_other)} as shipped; " + "; ".join(parts) + ")"


# -------------------------------------------------------------------------- reports


def environment(opts: Options, vocab_size: int, elapsed_s: float) -> dict[str, str]:
    steps = opts.warmup + opts.blocks * opts.steps_per_block
    return base_environment(opts.device, "shapecheck", "models") | {
        "sizes": (
            f"batch {opts.batch}, {opts.steps} time steps, {opts.hiddens} hiddens,"
            f" vocab {vocab_size} (the bundled corpus)"
        ),
        "steps": (
            f"{opts.warmup} warm-up + {opts.blocks} blocks x {opts.steps_per_block} timed"
            f" = {steps} training steps per mode, model and configuration"
        ),
        "method": (
            "per model and configuration, one network and one stream of minibatches;"
            " blocks of steps with checks on and off alternate (on-off, off-on, ...);"
            " ms/step = median step; ratio = median on / median off (pass/fail is on it);"
            f" 95% CI = bootstrap of the ratio over on/off block pairs ({BOOTSTRAP}"
            " resamples); paired = median over block pairs of (on block / off block),"
            " each pair run back to back"
        ),
        "wall time": f"{elapsed_s:.0f} s",
    }


def table(results: Sequence[Series], targets_apply: bool) -> list[str]:
    lines = [
        "| model | config | off ms/step | on ms/step | ratio | 95% CI | paired | target"
        " | pass/fail |",
        "| --- | --- | ---: | ---: | ---: | :---: | ---: | ---: | --- |",
    ]
    for s in results:
        verdict = "n/a"
        if targets_apply:
            verdict = "pass" if s.ratio <= s.target else "fail"
        low, high = s.ci95()
        lines.append(
            f"| {s.model} | {s.config} | {s.median_ms('off'):.2f} | {s.median_ms('on'):.2f}"
            f" | {s.ratio:.3f} | {low:.3f}–{high:.3f} | {s.paired_ratio:.3f}"
            f" | ≤ {s.target:.2f} | {verdict} |"
        )
    return lines


def markdown_report(
    env: dict[str, str],
    verified: list[str],
    notes: list[str],
    results: Sequence[Series],
    targets_apply: bool,
) -> str:
    lines = ["# shapecheck: training-step overhead", ""]
    lines += [
        f"- {key}: `{value}`" if key == "command" else f"- {key}: {value}"
        for key, value in env.items()
    ]
    lines += [f"- verified: {line}" for line in verified]
    lines += [f"- checked: {line}" for line in notes]
    lines += [""]
    lines += table(results, targets_apply)
    if not targets_apply:
        lines += [
            "",
            "pass/fail: n/a; the targets are set for the CPU at d2l's sizes"
            " (batch 32, 35 steps, 256 hiddens), not --quick.",
        ]
    lines.append("")
    return "\n".join(lines)


def json_report(
    env: dict[str, str],
    verified: list[str],
    notes: list[str],
    results: Sequence[Series],
    targets_apply: bool,
) -> str:
    data = {
        "environment": env,
        "verified": verified,
        "checked": notes,
        "targets_apply": targets_apply,
        "results": [
            {
                **s.to_json(),
                "pass": (s.ratio <= s.target) if targets_apply else None,
                "paired_ratios": s.paired_ratios,
            }
            for s in results
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ----------------------------------------------------------------------------- main


def _probe(x: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
    return x


def main(argv: Sequence[str]) -> int:
    opts = parse_args(argv)
    torch.set_num_threads(opts.threads)
    if opts.worker is not None and opts.worker_out is not None:
        return worker_main(opts.worker, opts, opts.worker_out)

    start = time.perf_counter()
    if shapecheck.check(_probe) is _probe:
        print(
            f"{PROG}: verification failed: shapecheck.check returned the function unchanged"
            " (is SHAPECHECK=0 set?)",
            file=sys.stderr,
        )
        return 1
    shipped_inventory = checked_inventory()
    results: list[Series] = []
    verified: list[str] = []
    notes: list[str] = []
    try:
        for config in opts.configs:
            if config in HOOK_CONFIGS:
                print(f"{PROG}: {config}: a fresh interpreter ...", file=sys.stderr, flush=True)
                worker = run_worker(config, opts)
                series, lines = worker.series, worker.verified
                notes.append(compare_inventories(config, shipped_inventory, worker.inventory))
            else:
                series, lines = run_config(config, opts)
            results += series
            verified += lines
    except VerificationError as e:
        print(f"{PROG}: verification failed: {e}", file=sys.stderr)
        return 1
    notes.insert(0, compare_inventories("shipped", shipped_inventory, shipped_inventory))

    order = {name: k for k, name in enumerate(opts.models)}
    results.sort(key=lambda s: (order[s.model], opts.configs.index(s.config)))
    _, vocab_size = load_batches(opts)
    env = environment(opts, vocab_size, time.perf_counter() - start)
    report = markdown_report(env, verified, notes, results, opts.targets_apply)
    print(report, end="")
    if opts.markdown_path is not None:
        opts.markdown_path.write_text(report, encoding="utf-8")
    if opts.json_path is not None:
        opts.json_path.write_text(
            json_report(env, verified, notes, results, opts.targets_apply), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
