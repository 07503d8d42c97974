"""Distributed data-parallel training of d2l's models: one rank per torchrun process.

Each rank trains on its own slice of every global minibatch, with the shape
checks on; a step that fails on any rank stops every rank, none waiting in a
collective for the failed one.  The command line (``--ddp``, :mod:`models.cli`)
validates the job and calls :func:`train_on_rank`.  How it works:
``docs/ddp.md``.
"""

import math
import operator
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Annotated, Any, NamedTuple

import torch
from jaxtyping import Int
from torch import Tensor, nn

from shapecheck import Size, check

from .corpus import Vocab
from .progress import ProgressBar
from .rnn_model import RNNModel, RNNModelScratch
from .train import RecurrentNet, TrainHistory, _forward_loss, _next_state, _update, predict

__all__ = ["TORCHRUN_VARS", "Ranks", "torchrun_ranks", "train_on_rank"]

TORCHRUN_VARS = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")

_DDP_TIMEOUT_S = 60
"""Timeout of the process group: a collective that waits longer fails instead
of hanging (a safety net; a failed step is reported through the step flags)."""


class Ranks(NamedTuple):
    """Where this process stands in a torchrun job."""

    rank: int
    local_rank: int
    world_size: int


def torchrun_ranks(environ: Mapping[str, str]) -> Ranks | str:
    """This process's ranks from torchrun's variables, or why they are missing."""
    missing = [name for name in TORCHRUN_VARS if not environ.get(name)]
    if missing:
        return f"not started by torchrun ({', '.join(missing)} not set)"
    values: list[int] = []
    for name in ("RANK", "LOCAL_RANK", "WORLD_SIZE"):
        try:
            values.append(int(environ[name]))
        except ValueError:
            return f"bad torchrun environment: {name}={environ[name]!r} is not an integer"
    ranks = Ranks(*values)
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


def _failed_ranks(failed: bool, ranks: Ranks, device: torch.device) -> list[int]:
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


def _ddp_train_epoch(
    model: nn.Module,
    net: RecurrentNet,
    train_iter: Iterable[tuple[Int[Tensor, "batch steps"], Int[Tensor, "batch steps"]]],
    loss: Callable[[Tensor, Tensor], Tensor],
    updater: torch.optim.Optimizer,
    device: torch.device,
    use_random_iter: bool,
    ranks: Ranks,
    *,
    progress: str | None = None,
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
    ranks: Ranks,
    *,
    predict_len: int = 50,
    prefixes: Sequence[str] = ("time traveller", "traveller"),
    sample_every: int = 10,
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


def train_on_rank(
    net: RNNModelScratch | RNNModel,
    train_iter: Iterable[tuple[Int[Tensor, "batch steps"], Int[Tensor, "batch steps"]]],
    vocab: Vocab,
    lr: float,
    num_epochs: int,
    device: torch.device,
    use_random_iter: bool,
    ranks: Ranks,
    *,
    predict_len: int = 50,
) -> TrainHistory | None:
    """Train ``net`` as this rank of a torchrun job, on ``device``.

    Joins the process group (gloo on the CPU, nccl on CUDA), wraps ``net`` in
    DDP and trains it as :func:`models.train.train` does; rank 0 alone shows
    progress, logs and predicts.  Returns ``None`` when a step failed on any
    rank, once every rank has reported on stderr.  The process group is
    destroyed on the way out, whatever happens.
    """
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
    try:
        # Same seed on every rank; DDP also broadcasts rank 0's parameters.
        model = nn.parallel.DistributedDataParallel(
            net, device_ids=[device.index] if device.type == "cuda" else None
        )
        return _train_ddp(
            model,
            net,
            train_iter,
            vocab,
            lr,
            num_epochs,
            device,
            use_random_iter,
            ranks,
            predict_len=predict_len,
        )
    except _StepFailed as failure:
        # Every rank still takes part in collectives.  The first barrier: rank
        # 0 has ended its progress bar's line, so each report starts a line of
        # its own.  The second: every report is out before a rank exits (then
        # torchrun stops the others).
        torch.distributed.barrier()
        _report_failure(failure, ranks.rank)
        torch.distributed.barrier()
        return None
    finally:
        torch.distributed.destroy_process_group()
