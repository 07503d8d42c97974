"""Training and prediction for the character-level language models of d2l.

``predict``, ``grad_clipping``, ``train_epoch`` and ``train`` are d2l's
``predict_ch8``, ``grad_clipping``, ``train_epoch_ch8`` and ``train_ch8``
(sections 8.5 and 9.x) with the same semantics, for any network that is an
``nn.Module`` with ``net(X, state) -> (Y_hat, state)`` and
``net.begin_state(batch_size=..., device=...)``: the scratch models
(``RNNModelScratch``) and the ``nn.RNN``/``nn.GRU``/``nn.LSTM`` wrapper
(``RNNModel``) of :mod:`models.rnn_model`.

Run ``python -m models.train --help`` for the command line: it trains one of
the models on the Time Machine corpus, shows a progress bar per epoch on
stderr, prints perplexity and tokens/s per epoch, a sample continuation of
"time traveller" at the end, and plots the perplexity curve to a PNG.
"""

import argparse
import math
import operator
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import (
    Annotated,
    Any,
    NamedTuple,
    NoReturn,
    Protocol,
    TextIO,
    TypeVar,
    runtime_checkable,
)

import torch
from jaxtyping import Float, Int
from torch import Tensor, nn

from models.data import Vocab, load_data_time_machine
from models.gru import get_params as get_gru_params
from models.gru import gru, init_gru_state
from models.lstm import get_lstm_params, init_lstm_state, lstm
from models.rnn import get_params as get_rnn_params
from models.rnn import init_rnn_state, rnn
from models.rnn_model import RNNModel, RNNModelScratch
from shapecheck import Size, check

__all__ = [
    "MODELS",
    "ProgressBar",
    "RecurrentNet",
    "TrainHistory",
    "build_model",
    "grad_clipping",
    "main",
    "plot_perplexity",
    "predict",
    "train",
    "train_epoch",
]

State = Float[Tensor, "..."] | tuple[Float[Tensor, "..."], ...]
"""A recurrent state: one tensor, or a tuple of them (``(H,)``, ``(H, C)``), of
the model's own shapes: `[batch, hiddens]` for the scratch models,
`[layers_dirs, batch, hiddens]` for `RNNModel`."""


@runtime_checkable
class RecurrentNet(Protocol):
    """What training needs of a network: the models of ``models.rnn_model``."""

    def __call__(self, X: Int[Tensor, "batch steps"], state: Any) -> Any: ...

    def begin_state(self, *, batch_size: int, device: torch.device) -> Any: ...

    def parameters(self, recurse: bool = True) -> Iterator[nn.Parameter]: ...


class TrainHistory(NamedTuple):
    """What :func:`train` returns."""

    perplexities: list[float]
    """Training perplexity of each epoch, in order."""
    tokens_per_sec: list[float]
    """Training speed of each epoch (target tokens per second)."""
    samples: dict[str, str]
    """Each prompt prefix and the model's continuation after training."""


# --------------------------------------------------------------------------
# d2l's prediction, gradient clipping and training loop
# --------------------------------------------------------------------------


@check
def _next_input(token: int, device: torch.device) -> Int[Tensor, "1 1"]:
    return torch.tensor([[token]], dtype=torch.int64, device=device)


@check
def predict(
    prefix: str,
    num_preds: int,
    net: RecurrentNet,
    vocab: Vocab,
    device: torch.device | str,
) -> str:
    """``prefix`` followed by ``num_preds`` greedily predicted characters.

    The network warms its state up on ``prefix`` and then feeds back its own
    most likely character at each step (d2l's ``predict_ch8``).  Characters
    outside the vocabulary are read as ``'<unk>'``.
    """
    if not prefix:
        raise ValueError("prefix must contain at least one character")
    if num_preds < 0:
        raise ValueError(f"num_preds must be non-negative, got {num_preds}")
    device = torch.device(device)
    with torch.no_grad():
        state = net.begin_state(batch_size=1, device=device)
        outputs = [vocab[prefix[0]]]
        for y in prefix[1:]:  # Warm-up period
            _, state = net(_next_input(outputs[-1], device), state)
            outputs.append(vocab[y])
        for _ in range(num_preds):  # Predict num_preds steps
            y_hat, state = net(_next_input(outputs[-1], device), state)
            outputs.append(int(y_hat.argmax(dim=1).reshape(1)))
    return "".join(vocab.to_tokens(outputs))


@check
def grad_clipping(net: RecurrentNet, theta: float | int) -> None:
    """Scale all gradients down so their joint L2 norm is at most ``theta``.

    As d2l's ``grad_clipping``: parameters without a gradient are skipped and
    gradients whose norm is within ``theta`` are left as they are.  The
    comparison is done on the device, without a synchronisation.
    """
    grads = [p.grad for p in net.parameters() if p.requires_grad and p.grad is not None]
    if not grads:
        return
    norm = torch.sqrt(torch.stack([torch.sum(g.detach() ** 2) for g in grads]).sum())
    scale = torch.clamp(theta / norm, max=1.0)
    for g in grads:
        g.mul_(scale)


@check
def _detach_state(state: State) -> None:
    # In place, as d2l: the state stays the same objects, cut from the graph.
    if isinstance(state, Tensor):
        state.detach_()
    else:
        for s in state:
            s.detach_()


@check
def _targets(Y: Int[Tensor, "batch steps"]) -> Int[Tensor, "steps*batch"]:  # noqa: F821
    # Time-major, to line up with the rows of the network's output.
    return Y.T.reshape(-1)


class ProgressBar:
    """A one-line progress bar, redrawn in place on ``stream`` (stderr).

    Only redraws when the bar visibly changes, so a log file gets at most
    ``width + 1`` updates per bar.  ``close()`` erases it on a terminal and
    ends the line elsewhere.
    """

    def __init__(
        self,
        total: int,
        label: str = "",
        width: int = 30,
        stream: TextIO | None = None,
    ) -> None:
        self.total = total
        self.label = label
        self.width = width
        self.stream = stream if stream is not None else sys.stderr
        self._drawn: tuple[int, int] | None = None
        self._length = 0
        self.update(0)

    def _render(self, done: int) -> tuple[str, tuple[int, int]]:
        if self.total > 0:
            filled = min(self.width, self.width * done // self.total)
            bar = "#" * filled + "-" * (self.width - filled)
            text = f"{self.label} [{bar}] {done}/{self.total}"
            return text, (filled, int(done >= self.total))
        return f"{self.label} {done} batches", (done, 0)

    def update(self, done: int) -> None:
        """Show ``done`` of ``total`` minibatches."""
        text, key = self._render(done)
        if key == self._drawn:
            return
        self._drawn = key
        pad = " " * max(self._length - len(text), 0)
        self._length = len(text)
        self.stream.write("\r" + text + pad)
        self.stream.flush()

    def close(self) -> None:
        """Finish the bar: erase it on a terminal, end its line otherwise."""
        isatty = getattr(self.stream, "isatty", None)
        if callable(isatty) and isatty():
            self.stream.write("\r" + " " * self._length + "\r")
        else:
            self.stream.write("\n")
        self.stream.flush()


def _next_state(
    net: RecurrentNet, state: Any, batch_size: int, device: torch.device, fresh: bool
) -> Any:
    # d2l: a new state at the first minibatch and with random sampling; else
    # the same state, cut from the graph in place.
    if state is None or fresh:
        return net.begin_state(batch_size=batch_size, device=device)
    _detach_state(state)
    return state


def _forward_loss(
    forward: Callable[..., Any],
    X: Int[Tensor, "batch steps"],
    Y: Int[Tensor, "batch steps"],
    state: Any,
    loss: Callable[[Tensor, Tensor], Tensor],
    device: torch.device,
) -> tuple[Float[Tensor, ""], Int[Tensor, "steps*batch"], Any]:
    """The mean loss of one minibatch, the targets, and the new state."""
    y = _targets(Y).to(device)
    y_hat, state = forward(X.to(device), state)
    return loss(y_hat, y.long()).mean(), y, state


def _update(
    net: RecurrentNet, updater: torch.optim.Optimizer, batch_loss: Float[Tensor, ""]
) -> None:
    updater.zero_grad()
    torch.autograd.backward(batch_loss)
    grad_clipping(net, 1)
    updater.step()


@check
def train_epoch(
    net: RecurrentNet,
    train_iter: Iterable[tuple[Int[Tensor, "batch steps"], Int[Tensor, "batch steps"]]],
    loss: Callable[[Tensor, Tensor], Tensor],
    updater: torch.optim.Optimizer,
    device: torch.device | str,
    use_random_iter: bool,
    *,
    progress: str | None = None,
) -> tuple[float, float]:
    """Train ``net`` for one epoch; return (perplexity, tokens per second).

    d2l's ``train_epoch_ch8``: with random sampling (``use_random_iter``) each
    minibatch starts from a fresh state; with sequential partitioning the
    state is carried over and only detached from the graph in place.  The
    mean loss is backpropagated, gradients are clipped to norm 1 and
    ``updater`` takes a step.  With ``progress`` set, a progress bar with that
    label is shown on stderr.
    """
    device = torch.device(device)
    state: State | None = None
    total_loss = torch.zeros((), device=device)
    num_tokens = 0
    batches = iter(train_iter)
    bar = None
    if progress is not None:
        bar = ProgressBar(operator.length_hint(batches, 0), progress)
    start = time.perf_counter()
    try:
        for i, (X, Y) in enumerate(batches, 1):
            state = _next_state(net, state, X.shape[0], device, use_random_iter)
            batch_loss, y, state = _forward_loss(net, X, Y, state, loss, device)
            _update(net, updater, batch_loss)
            total_loss += batch_loss.detach() * y.numel()
            num_tokens += y.numel()
            if bar is not None:
                bar.update(i)
        mean_loss = total_loss.item() / num_tokens if num_tokens else math.nan
        elapsed = time.perf_counter() - start
    finally:
        if bar is not None:
            bar.close()
    if num_tokens == 0:
        raise ValueError("train_iter yielded no minibatches")
    return math.exp(mean_loss), num_tokens / max(elapsed, 1e-9)


@check
def train(
    net: RecurrentNet,
    train_iter: Iterable[tuple[Int[Tensor, "batch steps"], Int[Tensor, "batch steps"]]],
    vocab: Vocab,
    lr: float | int,
    num_epochs: int,
    device: torch.device | str,
    use_random_iter: bool = False,
    *,
    predict_len: int = 50,
    prefixes: Sequence[str] = ("time traveller", "traveller"),
    sample_every: int = 10,
    progress: bool = False,
    log: Callable[[str], None] = print,
) -> TrainHistory:
    """Train ``net`` with SGD for ``num_epochs`` epochs (d2l's ``train_ch8``).

    Logs one line per epoch (epoch, perplexity, tokens/s) through ``log``, a
    sample continuation of ``prefixes[0]`` every ``sample_every`` epochs (0:
    never), and at the end the continuation of each prefix, ``predict_len``
    characters long.  With ``progress``, each epoch shows a progress bar over
    its minibatches on stderr.

    Returns a :class:`TrainHistory`: the per-epoch perplexities and speeds
    and the final continuation of each prefix.
    """
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be a positive integer, got {num_epochs}")
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr}")
    device = torch.device(device)
    loss = nn.CrossEntropyLoss()
    updater = torch.optim.SGD(net.parameters(), lr)
    perplexities: list[float] = []
    speeds: list[float] = []
    for epoch in range(1, num_epochs + 1):
        label = f"epoch {epoch}/{num_epochs}" if progress else None
        ppl, speed = train_epoch(
            net, train_iter, loss, updater, device, use_random_iter, progress=label
        )
        perplexities.append(ppl)
        speeds.append(speed)
        log(f"epoch {epoch}/{num_epochs}: perplexity {ppl:.2f}, {speed:.1f} tokens/sec on {device}")
        if sample_every > 0 and epoch % sample_every == 0 and prefixes:
            log(predict(prefixes[0], predict_len, net, vocab, device))
    log(f"perplexity {perplexities[-1]:.1f}, {speeds[-1]:.1f} tokens/sec on {device}")
    samples = {}
    for prefix in prefixes:
        samples[prefix] = predict(prefix, predict_len, net, vocab, device)
        log(samples[prefix])
    return TrainHistory(perplexities, speeds, samples)


# --------------------------------------------------------------------------
# The perplexity plot
# --------------------------------------------------------------------------


def plot_perplexity(perplexities: Sequence[float], path: str | os.PathLike[str]) -> bool:
    """Write the perplexity curve (x: epoch, y: perplexity) as a PNG.

    Returns ``False``, after printing a one-line note on stderr, when
    matplotlib is not installed.  matplotlib is only imported here, with its
    non-interactive Agg canvas, so importing this module never needs it.
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        print(
            "perplexity plot skipped: matplotlib is not installed (pip install shapecheck[models])",
            file=sys.stderr,
        )
        return False
    fig = Figure(figsize=(3.5, 2.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    epochs = range(1, len(perplexities) + 1)
    ax.plot(epochs, list(perplexities), label="train")
    ax.set_xlabel("epoch")
    ax.set_ylabel("perplexity")
    ax.set_xlim(1, max(len(perplexities), 2))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, format="png")
    return True


# --------------------------------------------------------------------------
# Distributed data-parallel training (``--ddp`` under torchrun)
# --------------------------------------------------------------------------

_TORCHRUN_VARS = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")

_DDP_TIMEOUT_S = 60
"""Timeout of the process group: a collective that waits longer fails instead
of hanging (a safety net; a failed step is reported through the step flags)."""


class _Ranks(NamedTuple):
    """Where this process stands in a torchrun job."""

    rank: int
    local_rank: int
    world_size: int


def _torchrun_ranks(environ: Mapping[str, str]) -> _Ranks | str:
    """This process's ranks from torchrun's variables, or why they are missing."""
    missing = [name for name in _TORCHRUN_VARS if not environ.get(name)]
    if missing:
        return f"not started by torchrun ({', '.join(missing)} not set)"
    values: list[int] = []
    for name in ("RANK", "LOCAL_RANK", "WORLD_SIZE"):
        try:
            values.append(int(environ[name]))
        except ValueError:
            return f"bad torchrun environment: {name}={environ[name]!r} is not an integer"
    ranks = _Ranks(*values)
    if not 0 <= ranks.rank < ranks.world_size:
        return f"bad torchrun environment: RANK={ranks.rank} with WORLD_SIZE={ranks.world_size}"
    return ranks


def _rank_names(ranks: Sequence[int]) -> str:
    return ("rank " if len(ranks) == 1 else "ranks ") + ", ".join(map(str, ranks))


class _StepFailed(Exception):
    """Raised on every rank once any rank failed a training step."""

    def __init__(self, ranks: list[int], error: Exception | None) -> None:
        super().__init__(f"{_rank_names(ranks)} failed")
        self.ranks = ranks
        self.error = error
        """This rank's own error; ``None`` where only other ranks failed."""


def _failed_ranks(failed: bool, ranks: _Ranks, device: torch.device) -> list[int]:
    # One small all-reduce per step: every rank learns which ranks failed
    # before the backward pass, whose gradient all-reduce would otherwise
    # wait for the failed rank forever.
    flags = torch.zeros(ranks.world_size, dtype=torch.int32, device=device)
    if failed:
        flags[ranks.rank] = 1
    torch.distributed.all_reduce(flags)
    return [rank for rank, flag in enumerate(flags.tolist()) if flag]


@check
def _shard(
    X: Int[Tensor, "_global_batch steps"], rank: int, size: Annotated[int, Size("batch")]
) -> Int[Tensor, "batch steps"]:
    # Rank r trains on rows [r*size, (r+1)*size) of every global minibatch:
    # the same rows each time, so sequential partitioning carries each row's
    # state on.  `batch` is this rank's share.
    return X[rank * size : (rank + 1) * size]


def _wrong_state(net: RecurrentNet, batch_size: int, device: torch.device) -> Any:
    # ``--fault-rank``: a state for one sequence more than the minibatch has.
    return net.begin_state(batch_size=batch_size + 1, device=device)


def _ddp_train_epoch(
    model: nn.Module,
    net: RecurrentNet,
    train_iter: Iterable[tuple[Int[Tensor, "batch steps"], Int[Tensor, "batch steps"]]],
    loss: Callable[[Tensor, Tensor], Tensor],
    updater: torch.optim.Optimizer,
    device: torch.device,
    use_random_iter: bool,
    ranks: _Ranks,
    *,
    progress: str | None = None,
    fault: bool = False,
) -> tuple[float, float]:
    """:func:`train_epoch` on this rank's shard of each minibatch.

    ``model`` is the DDP wrapper of ``net``.  A failed forward pass on any
    rank raises :class:`_StepFailed` on every rank, before any of them waits
    in the gradient all-reduce.  Returns the perplexity and tokens/s of the
    whole (global) minibatches.
    """
    state: Any = None
    totals = torch.zeros(2, dtype=torch.float64, device=device)  # loss sum, tokens
    batches = iter(train_iter)
    bar = None
    if progress is not None:
        bar = ProgressBar(operator.length_hint(batches, 0), progress)
    start = time.perf_counter()
    try:
        for i, (X_all, Y_all) in enumerate(batches, 1):
            size = X_all.shape[0] // ranks.world_size
            X = _shard(X_all, ranks.rank, size)
            Y = _shard(Y_all, ranks.rank, size)
            error: Exception | None = None
            try:
                state = _next_state(net, state, X.shape[0], device, use_random_iter)
                if fault and i == 1:
                    state = _wrong_state(net, X.shape[0], device)
                batch_loss, y, state = _forward_loss(model, X, Y, state, loss, device)
            except Exception as exc:
                error = exc
                _record_error(exc)
            failed = _failed_ranks(error is not None, ranks, device)
            if failed:
                raise _StepFailed(failed, error)
            _update(net, updater, batch_loss)  # the gradients are all-reduced by now
            totals[0] += batch_loss.detach() * y.numel()
            totals[1] += y.numel()
            if bar is not None:
                bar.update(i)
        torch.distributed.all_reduce(totals)
        loss_sum, num_tokens = totals.tolist()
        elapsed = time.perf_counter() - start
    finally:
        if bar is not None:
            bar.close()
    if num_tokens == 0:
        raise ValueError("train_iter yielded no minibatches")
    return math.exp(loss_sum / num_tokens), num_tokens / max(elapsed, 1e-9)


def _train_ddp(
    model: nn.Module,
    net: RecurrentNet,
    train_iter: Iterable[tuple[Int[Tensor, "batch steps"], Int[Tensor, "batch steps"]]],
    vocab: Vocab,
    lr: float,
    num_epochs: int,
    device: torch.device,
    use_random_iter: bool,
    ranks: _Ranks,
    *,
    predict_len: int = 50,
    prefixes: Sequence[str] = ("time traveller", "traveller"),
    sample_every: int = 10,
    fault_rank: int | None = None,
    log: Callable[[str], None] = print,
) -> TrainHistory:
    """:func:`train` with DDP: rank 0 alone shows progress, logs and predicts.

    ``net`` is the model itself and ``model`` its DDP wrapper.  On ranks other
    than 0 the history has no samples.
    """
    lead = ranks.rank == 0
    loss = nn.CrossEntropyLoss()
    updater = torch.optim.SGD(model.parameters(), lr)
    perplexities: list[float] = []
    speeds: list[float] = []
    where = f"{device.type} x {ranks.world_size} rank{'s' if ranks.world_size > 1 else ''}"
    for epoch in range(1, num_epochs + 1):
        ppl, speed = _ddp_train_epoch(
            model,
            net,
            train_iter,
            loss,
            updater,
            device,
            use_random_iter,
            ranks,
            progress=f"epoch {epoch}/{num_epochs}" if lead else None,
            fault=epoch == 1 and fault_rank == ranks.rank,
        )
        perplexities.append(ppl)
        speeds.append(speed)
        if lead:
            speed_text = f"{speed:.1f} tokens/sec on {where}"
            log(f"epoch {epoch}/{num_epochs}: perplexity {ppl:.2f}, {speed_text}")
            if sample_every > 0 and epoch % sample_every == 0 and prefixes:
                log(predict(prefixes[0], predict_len, net, vocab, device))
    samples = {}
    if lead:
        log(f"perplexity {perplexities[-1]:.1f}, {speeds[-1]:.1f} tokens/sec on {where}")
        for prefix in prefixes:
            samples[prefix] = predict(prefix, predict_len, net, vocab, device)
            log(samples[prefix])
    return TrainHistory(perplexities, speeds, samples)


def _report_failure(failure: _StepFailed, rank: int) -> None:
    """One line on stderr naming the rank, the error's sections beneath it."""
    if failure.error is None:
        lines = [f"rank {rank}: stopped: {failure}"]
    else:
        error = failure.error
        first, *rest = (str(error) or "(no message)").splitlines()
        lines = [f"rank {rank}: {type(error).__name__}: {first}"]
        lines += [f"    {line}" for line in rest]
    # One write: the ranks share the stream, and a short write is not split.
    sys.stderr.write("".join(f"{line}\n" for line in lines))
    sys.stderr.flush()


def _record_error(error: Exception) -> None:
    """Leave ``error`` where torchrun's failure summary shows it, with its traceback.

    Called while ``error`` is being handled; a no-op outside torchrun.
    """
    if os.environ.get("TORCHELASTIC_ERROR_FILE"):
        from torch.distributed.elastic.multiprocessing.errors import ErrorHandler

        ErrorHandler().record_exception(error)


def _run_ddp(
    args: argparse.Namespace,
    ranks: _Ranks,
    device: torch.device,
    train_iter: Iterable[tuple[Int[Tensor, "batch steps"], Int[Tensor, "batch steps"]]],
    vocab: Vocab,
) -> int:
    """Train as one rank of a torchrun job; return this rank's exit status."""
    from datetime import timedelta

    if device.type == "cuda":
        torch.cuda.set_device(device)
    torch.distributed.init_process_group(
        "nccl" if device.type == "cuda" else "gloo",
        init_method="env://",
        rank=ranks.rank,
        world_size=ranks.world_size,
        timeout=timedelta(seconds=_DDP_TIMEOUT_S),
        device_id=device if device.type == "cuda" else None,
    )
    lead = ranks.rank == 0
    try:
        net = build_model(
            args.model,
            len(vocab),
            args.hiddens,
            device,
            num_layers=args.layers if args.layers is not None else 1,
            bidirectional=args.bidirectional,
        )
        assert isinstance(net, nn.Module)
        # Same seed on every rank; DDP also broadcasts rank 0's parameters.
        model = nn.parallel.DistributedDataParallel(
            net, device_ids=[device.index] if device.type == "cuda" else None
        )
        history = _train_ddp(
            model,
            net,
            train_iter,
            vocab,
            args.lr,
            args.epochs,
            device,
            args.random_iter,
            ranks,
            predict_len=args.predict_len,
            fault_rank=args.fault_rank,
        )
    except _StepFailed as failure:
        # Every rank still takes part in collectives.  The first barrier: rank
        # 0 has ended its progress bar's line, so each report starts a line of
        # its own.  The second: every report is out before a rank exits (then
        # torchrun stops the others).
        torch.distributed.barrier()
        _report_failure(failure, ranks.rank)
        torch.distributed.barrier()
        return 1
    except KeyboardInterrupt:
        if lead:
            print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    finally:
        torch.distributed.destroy_process_group()
    if lead and not args.no_plot and plot_perplexity(history.perplexities, args.plot):
        print(f"perplexity plot written to {args.plot}")
    return 0


# --------------------------------------------------------------------------
# The models and the command line
# --------------------------------------------------------------------------

MODELS = ("lstm", "gru", "rnn", "nn-lstm", "nn-gru", "nn-rnn")
"""Model names: the scratch LSTM/GRU/RNN, or ``nn.*`` wrapped by RNNModel."""

# Each scratch model's (get_params, init_state, forward_fn).  The step
# functions take their own state type ((H, C) or (H,)), so they are held
# here under a signature that does not pin the state's length.
_ScratchFns = tuple[
    Callable[[int, int, torch.device | str], tuple[Tensor, ...]],
    Callable[[int, int, torch.device | str], tuple[Tensor, ...]],
    Callable[..., tuple[Tensor, tuple[Tensor, ...]]],
]
_SCRATCH: dict[str, _ScratchFns] = {
    "lstm": (get_lstm_params, init_lstm_state, lstm),
    "gru": (get_gru_params, init_gru_state, gru),
    "rnn": (get_rnn_params, init_rnn_state, rnn),
}


def build_model(
    name: str,
    vocab_size: int,
    num_hiddens: int,
    device: torch.device,
    *,
    num_layers: int = 1,
    bidirectional: bool = False,
) -> RecurrentNet:
    """The network named ``name`` (one of :data:`MODELS`), on ``device``.

    ``num_layers`` and ``bidirectional`` only apply to the ``nn-*`` models.
    """
    if name in _SCRATCH:
        if num_layers != 1 or bidirectional:
            raise ValueError(
                f"num_layers and bidirectional only apply to the nn-* models, not {name!r}"
            )
        get_params, init_state, forward_fn = _SCRATCH[name]
        return RNNModelScratch(vocab_size, num_hiddens, device, get_params, init_state, forward_fn)
    layer: nn.RNNBase
    if name == "nn-lstm":
        layer = nn.LSTM(vocab_size, num_hiddens, num_layers, bidirectional=bidirectional)
    elif name == "nn-gru":
        layer = nn.GRU(vocab_size, num_hiddens, num_layers, bidirectional=bidirectional)
    elif name == "nn-rnn":
        layer = nn.RNN(vocab_size, num_hiddens, num_layers, bidirectional=bidirectional)
    else:
        raise ValueError(f"unknown model {name!r}: choose from {', '.join(MODELS)}")
    return RNNModel(layer, vocab_size).to(device)


PROG = "python -m models.train"


class _OneLineParser(argparse.ArgumentParser):
    """Reports a usage error as one line on stderr and exits with status 2.

    With ``quiet`` set (ranks other than 0 of a torchrun job, which all see
    the same arguments) it exits with status 2 without a word.
    """

    quiet = False

    def error(self, message: str) -> NoReturn:
        if self.quiet:
            self.exit(2)
        message = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {message}\n")


_N = TypeVar("_N", int, float)


def _number(
    convert: Callable[[str], _N], accept: Callable[[_N], bool], what: str
) -> Callable[[str], _N]:
    """An argparse type: `convert`, then `accept`, else "must be {what}"."""

    def parse(text: str) -> _N:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
        if not accept(value):
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
        return value

    return parse


_positive_int = _number(int, lambda value: value > 0, "a positive integer")
_non_negative_int = _number(int, lambda value: value >= 0, "a non-negative integer")
_positive_float = _number(
    float, lambda value: value > 0 and math.isfinite(value), "a positive number"
)


def _max_tokens(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == -1 or value > 0:
        return value
    raise argparse.ArgumentTypeError(
        f"must be a positive integer or -1 (whole corpus), got {text!r}"
    )


def _device(text: str) -> torch.device:
    try:
        device = torch.device(text)
    except (RuntimeError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown device {text!r}: use cpu, cuda, cuda:N or mps"
        ) from None
    if device.type == "cpu":
        return device
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise argparse.ArgumentTypeError(
                f"device {text!r} is not available: this torch build or machine has no CUDA device"
            )
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise argparse.ArgumentTypeError(
                f"device {text!r} is not available: found {count} CUDA "
                + ("device (cuda:0)" if count == 1 else f"devices (cuda:0 to cuda:{count - 1})")
            )
        return device
    if device.type == "mps":
        if not torch.backends.mps.is_available():
            raise argparse.ArgumentTypeError(f"device {text!r} is not available on this machine")
        return device
    raise argparse.ArgumentTypeError(f"unsupported device {text!r}: use cpu, cuda, cuda:N or mps")


def _build_parser() -> _OneLineParser:
    parser = _OneLineParser(
        prog=PROG,
        description=(
            "Train a character-level language model of d2l chapter 9 on the Time "
            "Machine corpus: show a progress bar per epoch, print perplexity and "
            "tokens/s per epoch and a sample continuation of 'time traveller', "
            "and plot the perplexity curve."
        ),
    )
    parser.add_argument(
        "--model",
        choices=MODELS,
        default="lstm",
        help="lstm, gru, rnn: the from-scratch models; nn-lstm, nn-gru, nn-rnn: "
        "torch's nn.LSTM/nn.GRU/nn.RNN wrapped by RNNModel (default: %(default)s)",
    )
    parser.add_argument(
        "--bidirectional",
        action="store_true",
        help="use a bidirectional recurrent layer (nn-* models only)",
    )
    parser.add_argument(
        "--layers",
        type=_positive_int,
        default=None,
        metavar="N",
        help="number of stacked recurrent layers (nn-* models only; default: 1)",
    )
    parser.add_argument(
        "--epochs",
        type=_positive_int,
        default=500,
        help="number of training epochs (default: %(default)s, as in d2l)",
    )
    parser.add_argument(
        "--hiddens",
        type=_positive_int,
        default=256,
        help="number of hidden units (default: %(default)s)",
    )
    parser.add_argument(
        "--batch-size",
        type=_positive_int,
        default=32,
        help="minibatch size (default: %(default)s)",
    )
    parser.add_argument(
        "--steps",
        type=_positive_int,
        default=35,
        help="time steps per minibatch (default: %(default)s)",
    )
    parser.add_argument(
        "--lr",
        type=_positive_float,
        default=1.0,
        help="SGD learning rate (default: %(default)s)",
    )
    parser.add_argument(
        "--seed",
        type=_non_negative_int,
        default=0,
        help="seed of torch and of random (default: %(default)s)",
    )
    parser.add_argument(
        "--device",
        type=_device,
        default=torch.device("cpu"),
        help="device to train on: cpu, cuda, cuda:N or mps (default: cpu)",
    )
    parser.add_argument(
        "--max-tokens",
        type=_max_tokens,
        default=-1,
        metavar="N",
        help="use only the first N characters of the corpus "
        "(default: %(default)s, the whole corpus)",
    )
    parser.add_argument(
        "--random-iter",
        action="store_true",
        help="sample minibatches randomly instead of sequential partitioning",
    )
    parser.add_argument(
        "--plot",
        default="perplexity.png",
        metavar="PATH",
        help="where to write the perplexity curve as PNG (default: %(default)s)",
    )
    parser.add_argument(
        "--no-plot",
        action="store_true",
        help="do not write the perplexity plot",
    )
    parser.add_argument(
        "--predict-len",
        type=_non_negative_int,
        default=50,
        metavar="N",
        help="characters to predict after each prefix (default: %(default)s)",
    )
    parser.add_argument(
        "--ddp",
        action="store_true",
        help="train with DistributedDataParallel, one rank per process started by "
        "torchrun (torchrun --nproc_per_node=N -m models.train --ddp ...): gloo on "
        "the CPU, nccl on CUDA (cuda:LOCAL_RANK); --batch-size is the global batch, "
        "split evenly: each rank trains on its own slice of every minibatch",
    )
    parser.add_argument(
        "--fault-rank",
        type=_non_negative_int,
        default=None,
        metavar="N",
        help="for tests: feed rank N a wrongly shaped state at the first step (with --ddp)",
    )
    return parser


def _ddp_device(device: torch.device, ranks: _Ranks) -> torch.device | str:
    """This rank's device for ``--device``, or why no rank can have one."""
    if device.type == "cpu":
        return device
    if device.type != "cuda":
        return f"--ddp trains on cpu or cuda, not {device.type}"
    if str(device) != "cuda":  # cuda:N
        return f"with --ddp give cuda, not {device}: each rank uses cuda:LOCAL_RANK"
    return torch.device("cuda", ranks.local_rank)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (2 on bad input)."""
    parser = _build_parser()
    under_torchrun = _torchrun_ranks(os.environ)
    ranks = under_torchrun if isinstance(under_torchrun, _Ranks) else None
    # Every rank of a --ddp job parses the same arguments: rank 0 alone
    # reports a usage error.
    words = sys.argv[1:] if argv is None else argv
    parser.quiet = ranks is not None and ranks.rank != 0 and "--ddp" in words
    try:
        args = parser.parse_args(argv)
        if args.model in ("lstm", "gru", "rnn"):
            for option, given in (
                ("--layers", args.layers is not None),
                ("--bidirectional", args.bidirectional),
            ):
                if given:
                    parser.error(
                        f"argument {option}: only valid with the nn-* models "
                        f"(nn-lstm, nn-gru, nn-rnn), not --model {args.model}"
                    )
        if not args.no_plot:
            directory = os.path.dirname(os.path.abspath(args.plot))
            if not os.path.isdir(directory):
                parser.error(f"argument --plot: directory {directory!r} does not exist")
        device: torch.device = args.device
        batch_size: int = args.batch_size
        if args.ddp:
            if not torch.distributed.is_available():
                parser.error("argument --ddp: this torch build has no torch.distributed")
            if ranks is None:
                parser.error(
                    f"argument --ddp: {under_torchrun}: "
                    "run torchrun --nproc_per_node=N -m models.train --ddp ..."
                )
            ddp_device = _ddp_device(device, ranks)
            if isinstance(ddp_device, str):
                parser.error(f"argument --device: {ddp_device}")
            device = ddp_device
            count = torch.cuda.device_count() if device.type == "cuda" else 0
            if device.type == "cuda" and ranks.local_rank >= count:
                parser.quiet = False  # this rank's own problem: it says so
                parser.error(
                    f"argument --device: rank {ranks.rank} has no {device}: found {count} "
                    "CUDA devices (start at most that many processes per node)"
                )
            if batch_size % ranks.world_size:
                parser.error(
                    f"argument --batch-size: {batch_size} does not divide evenly "
                    f"among {ranks.world_size} ranks"
                )
            if args.fault_rank is not None and args.fault_rank >= ranks.world_size:
                parser.error(
                    f"argument --fault-rank: no rank {args.fault_rank} "
                    f"among {ranks.world_size} ranks"
                )
        elif args.fault_rank is not None:
            parser.error("argument --fault-rank: only valid with --ddp")
        random.seed(args.seed)
        torch.manual_seed(args.seed)
        try:
            # A generator of its own, so that nothing else drawing from the
            # ``random`` module (the runtime checks do) shifts the data order.
            train_iter, vocab = load_data_time_machine(
                args.batch_size,
                args.steps,
                args.random_iter,
                args.max_tokens,
                rng=random.Random(args.seed),
            )
        except ValueError as exc:
            parser.error(str(exc))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2

    if args.ddp:
        assert ranks is not None
        return _run_ddp(args, ranks, device, train_iter, vocab)
    net = build_model(
        args.model,
        len(vocab),
        args.hiddens,
        device,
        num_layers=args.layers if args.layers is not None else 1,
        bidirectional=args.bidirectional,
    )
    try:
        history = train(
            net,
            train_iter,
            vocab,
            args.lr,
            args.epochs,
            device,
            args.random_iter,
            predict_len=args.predict_len,
            progress=True,
        )
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    if not args.no_plot and plot_perplexity(history.perplexities, args.plot):
        print(f"perplexity plot written to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
