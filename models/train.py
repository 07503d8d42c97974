"""Training and prediction for the character-level language models of d2l.

``predict``, ``grad_clipping``, ``train_epoch`` and ``train`` are d2l's
``predict_ch8``, ``grad_clipping``, ``train_epoch_ch8`` and ``train_ch8``
(sections 8.5 and 9.x) with the same semantics, for any network that is an
``nn.Module`` with ``net(X, state) -> (Y_hat, state)`` and
``net.begin_state(batch_size=..., device=...)``: the scratch models
(``RNNModelScratch``) and the ``nn.RNN``/``nn.GRU``/``nn.LSTM`` wrapper
(``RNNModel``) of :mod:`models.rnn_model`.

``python -m models.train`` runs the command line of :mod:`models.cli`.
"""

import math
import operator
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple, Protocol, runtime_checkable

import torch
from jaxtyping import Float, Int
from torch import Tensor, nn

from models.corpus import Vocab
from models.progress import ProgressBar
from shapecheck import check

__all__ = [
    "RecurrentNet",
    "TrainHistory",
    "grad_clipping",
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


if __name__ == "__main__":
    from models.cli import main

    sys.exit(main())
