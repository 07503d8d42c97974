"""The command line of `python -m models.train`: train one model on the Time Machine.

It trains one of the networks of :mod:`models.zoo` on the corpus, shows a
progress bar per epoch on stderr, prints perplexity and tokens/s per epoch, a
sample continuation of "time traveller" at the end, and plots the perplexity
curve to a PNG.  With ``--ddp`` it is one rank of a torchrun job
(:mod:`models.ddp`).  The size defaults are d2l's, from :mod:`models.dims`.

Every usage error is one line on stderr and exit status 2.
"""

import argparse
import math
import os
import random
import sys
from collections.abc import Callable, Iterable
from typing import NoReturn, TypeVar

import torch
from jaxtyping import Int
from torch import Tensor

from .corpus import Vocab
from .data import load_data_time_machine
from .ddp import Ranks, torchrun_ranks, train_on_rank
from .dims import D2L_SIZES
from .plot import plot_perplexity
from .rnn_model import RNNModel, RNNModelScratch
from .train import TrainHistory, train
from .zoo import MODELS, NN_LAYERS, NN_MODELS, SCRATCH_MODELS, build_model

__all__ = ["DEFAULT_THREADS", "PROG", "main"]

PROG = "python -m models.train"

# Half the cores, at most 4: a shared CPU keeps cores for others, and d2l's
# small matrices gain little from more threads.
DEFAULT_THREADS = max(1, min(4, (os.cpu_count() or 2) // 2))

Batches = Iterable[tuple[Int[Tensor, "batch steps"], Int[Tensor, "batch steps"]]]


# --------------------------------------------------------------------------
# Parsing: one-line usage errors, and the types of the options
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# The options
# --------------------------------------------------------------------------


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    layers = "/".join(f"nn.{layer.__name__}" for layer in NN_LAYERS.values())
    parser.add_argument(
        "--model",
        choices=MODELS,
        default=MODELS[0],
        help=f"{', '.join(SCRATCH_MODELS)}: the from-scratch models; {', '.join(NN_MODELS)}: "
        f"torch's {layers} wrapped by RNNModel (default: %(default)s)",
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


def _add_training_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--epochs",
        type=_positive_int,
        default=500,
        help="number of training epochs (default: %(default)s, as in d2l)",
    )
    parser.add_argument(
        "--hiddens",
        type=_positive_int,
        default=D2L_SIZES["hiddens"],
        help="number of hidden units (default: %(default)s)",
    )
    parser.add_argument(
        "--batch-size",
        type=_positive_int,
        default=D2L_SIZES["batch"],
        help="minibatch size (default: %(default)s)",
    )
    parser.add_argument(
        "--steps",
        type=_positive_int,
        default=D2L_SIZES["steps"],
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


def _add_data_options(parser: argparse.ArgumentParser) -> None:
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


def _add_output_options(parser: argparse.ArgumentParser) -> None:
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
    _add_model_options(parser)
    _add_training_options(parser)
    _add_data_options(parser)
    _add_output_options(parser)
    parser.add_argument(
        "--threads",
        type=_positive_int,
        default=DEFAULT_THREADS,
        metavar="N",
        help="torch's intra-op threads (default: half the cores, at most 4, here "
        "%(default)s: a shared CPU keeps cores for others, and these small "
        "matrices gain little from more)",
    )
    parser.add_argument(
        "--ddp",
        action="store_true",
        help="train with DistributedDataParallel, one rank per process started by "
        "torchrun (torchrun --nproc_per_node=N -m models.train --ddp ...): gloo on "
        "the CPU, nccl on CUDA (cuda:LOCAL_RANK); --batch-size is the global batch, "
        "split evenly: each rank trains on its own slice of every minibatch",
    )
    return parser


# --------------------------------------------------------------------------
# Checks of the arguments as a whole
# --------------------------------------------------------------------------


def _check_options(parser: _OneLineParser, args: argparse.Namespace) -> None:
    """The checks that involve more than one option, or the file system."""
    if args.model in SCRATCH_MODELS:
        for option, given in (
            ("--layers", args.layers is not None),
            ("--bidirectional", args.bidirectional),
        ):
            if given:
                parser.error(
                    f"argument {option}: only valid with the nn-* models "
                    f"({', '.join(NN_MODELS)}), not --model {args.model}"
                )
    if not args.no_plot:
        directory = os.path.dirname(os.path.abspath(args.plot))
        if not os.path.isdir(directory):
            parser.error(f"argument --plot: directory {directory!r} does not exist")


def _ddp_device(device: torch.device, ranks: Ranks) -> torch.device | str:
    """This rank's device for ``--device``, or why no rank can have one."""
    if device.type == "cpu":
        return device
    if device.type != "cuda":
        return f"--ddp trains on cpu or cuda, not {device.type}"
    if str(device) != "cuda":  # cuda:N
        return f"with --ddp give cuda, not {device}: each rank uses cuda:LOCAL_RANK"
    return torch.device("cuda", ranks.local_rank)


def _check_ddp(
    parser: _OneLineParser, args: argparse.Namespace, under_torchrun: Ranks | str
) -> torch.device:
    """This rank's device for a ``--ddp`` job; a usage error if there is none."""
    if not torch.distributed.is_available():
        parser.error("argument --ddp: this torch build has no torch.distributed")
    if isinstance(under_torchrun, str):
        parser.error(
            f"argument --ddp: {under_torchrun}: "
            "run torchrun --nproc_per_node=N -m models.train --ddp ..."
        )
    ranks = under_torchrun
    device = _ddp_device(args.device, ranks)
    if isinstance(device, str):
        parser.error(f"argument --device: {device}")
    count = torch.cuda.device_count() if device.type == "cuda" else 0
    if device.type == "cuda" and ranks.local_rank >= count:
        parser.quiet = False  # this rank's own problem: it says so
        parser.error(
            f"argument --device: rank {ranks.rank} has no {device}: found {count} "
            "CUDA devices (start at most that many processes per node)"
        )
    if args.batch_size % ranks.world_size:
        parser.error(
            f"argument --batch-size: {args.batch_size} does not divide evenly "
            f"among {ranks.world_size} ranks"
        )
    return device


def _load_data(parser: _OneLineParser, args: argparse.Namespace) -> tuple[Batches, Vocab]:
    """Seed torch and ``random``, then the corpus's minibatches and vocabulary."""
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    try:
        # A generator of its own, so that nothing else drawing from the
        # ``random`` module (the runtime checks do) shifts the data order.
        return load_data_time_machine(
            args.batch_size,
            args.steps,
            args.random_iter,
            args.max_tokens,
            rng=random.Random(args.seed),
        )
    except ValueError as exc:
        parser.error(str(exc))


# --------------------------------------------------------------------------
# Training, in one process or as one rank
# --------------------------------------------------------------------------


def _build(
    args: argparse.Namespace, vocab: Vocab, device: torch.device
) -> RNNModelScratch | RNNModel:
    return build_model(
        args.model,
        len(vocab),
        args.hiddens,
        device,
        num_layers=args.layers if args.layers is not None else 1,
        bidirectional=args.bidirectional,
    )


def _plot(args: argparse.Namespace, history: TrainHistory) -> None:
    if not args.no_plot and plot_perplexity(history.perplexities, args.plot):
        print(f"perplexity plot written to {args.plot}")


def _run(args: argparse.Namespace, device: torch.device, train_iter: Batches, vocab: Vocab) -> int:
    """Train in this process; return the exit status."""
    net = _build(args, vocab, device)
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
    _plot(args, history)
    return 0


def _run_ddp(
    args: argparse.Namespace,
    ranks: Ranks,
    device: torch.device,
    train_iter: Batches,
    vocab: Vocab,
) -> int:
    """Train as one rank of a torchrun job; return this rank's exit status."""
    lead = ranks.rank == 0
    try:
        history = train_on_rank(
            _build(args, vocab, device),
            train_iter,
            vocab,
            args.lr,
            args.epochs,
            device,
            args.random_iter,
            ranks,
            predict_len=args.predict_len,
        )
    except KeyboardInterrupt:
        if lead:
            print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    if history is None:  # a step failed; every rank has said so
        return 1
    if lead:
        _plot(args, history)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (2 on bad input)."""
    parser = _build_parser()
    under_torchrun = torchrun_ranks(os.environ)
    ranks = under_torchrun if isinstance(under_torchrun, Ranks) else None
    # Every rank of a --ddp job parses the same arguments: rank 0 alone
    # reports a usage error.
    words = sys.argv[1:] if argv is None else argv
    parser.quiet = ranks is not None and ranks.rank != 0 and "--ddp" in words
    try:
        args = parser.parse_args(argv)
        _check_options(parser, args)
        device = _check_ddp(parser, args, under_torchrun) if args.ddp else args.device
        train_iter, vocab = _load_data(parser, args)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    torch.set_num_threads(args.threads)
    if args.ddp:
        assert ranks is not None
        return _run_ddp(args, ranks, device, train_iter, vocab)
    return _run(args, device, train_iter, vocab)
