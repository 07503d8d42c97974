"""The character-level "Time Machine" minibatches of d2l chapter 8.

Same names and semantics as "Dive into Deep Learning" (PyTorch edition,
section 8.3): cut the corpus of :mod:`models.corpus` into minibatches of
``(X, Y)`` where ``Y`` is ``X`` shifted by one time step, by random sampling
or by sequential partitioning.

Every minibatch is an ``Int[Tensor, "batch steps"]`` (``torch.int64``).
"""

import random
from collections.abc import Iterator, Mapping, Sequence

import torch
from jaxtyping import Int
from torch import Tensor

from shapecheck import check

from .corpus import Vocab, load_corpus_time_machine
from .dims import shapes

__all__ = [
    "SeqDataLoader",
    "SeqEpoch",
    "load_data_time_machine",
    "seq_data_iter_random",
    "seq_data_iter_sequential",
]

Minibatch = tuple[Int[Tensor, "batch steps"], Int[Tensor, "batch steps"]]
"""One minibatch ``(X, Y)``: inputs and their targets, one step later."""


def _check_sizes(batch_size: int, num_steps: int) -> None:
    if batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
    if num_steps <= 0:
        raise ValueError(f"num_steps must be a positive integer, got {num_steps}")


def _num_batches(num_tokens: int, batch_size: int, num_steps: int, offset: int) -> int:
    # Both partitionings drop ``offset`` tokens and keep one for the last target:
    # random: ((n - offset - 1) // num_steps) // batch_size;
    # sequential: ((n - offset - 1) // batch_size) // num_steps; both equal this.
    return max(num_tokens - offset - 1, 0) // (batch_size * num_steps)


@check
def _minibatch(
    X: Int[Tensor, "batch steps"], Y: Int[Tensor, "batch steps"]
) -> tuple[Int[Tensor, "batch steps"], Int[Tensor, "batch steps"]]:
    # Generators' yields are not checked by their return annotation; each
    # minibatch passes through here so that it is.
    return X, Y


def _random_batches(
    corpus: Sequence[int],
    batch_size: int,
    num_steps: int,
    offset: int,
    rng: random.Random | None,
) -> Iterator[Minibatch]:
    corpus = corpus[offset:]
    num_subseqs = (len(corpus) - 1) // num_steps
    initial_indices = list(range(0, num_subseqs * num_steps, num_steps))
    _shuffle(rng, initial_indices)
    num_batches = num_subseqs // batch_size
    for i in range(0, batch_size * num_batches, batch_size):
        starts = initial_indices[i : i + batch_size]
        X = torch.tensor([corpus[j : j + num_steps] for j in starts], dtype=torch.int64)
        Y = torch.tensor([corpus[j + 1 : j + 1 + num_steps] for j in starts], dtype=torch.int64)
        yield _minibatch(X, Y)


def _sequential_batches(
    corpus: Sequence[int], batch_size: int, num_steps: int, offset: int
) -> Iterator[Minibatch]:
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    if num_tokens <= 0:
        return
    Xs = torch.tensor(corpus[offset : offset + num_tokens], dtype=torch.int64)
    Ys = torch.tensor(corpus[offset + 1 : offset + 1 + num_tokens], dtype=torch.int64)
    Xs, Ys = Xs.reshape(batch_size, -1), Ys.reshape(batch_size, -1)
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        yield _minibatch(Xs[:, i : i + num_steps], Ys[:, i : i + num_steps])


def _randint(rng: random.Random | None, a: int, b: int) -> int:
    # Without an explicit generator use the ``random`` module's, as d2l does,
    # so that ``random.seed`` makes the offsets and shuffles reproducible.
    if rng is None:
        return random.randint(a, b)
    return rng.randint(a, b)


def _shuffle(rng: random.Random | None, items: list[int]) -> None:
    if rng is None:
        random.shuffle(items)
    else:
        rng.shuffle(items)


@check
def seq_data_iter_random(
    corpus: Sequence[int],
    batch_size: int,
    num_steps: int,
    *,
    rng: random.Random | None = None,
) -> Iterator[tuple[Int[Tensor, "batch steps"], Int[Tensor, "batch steps"]]]:
    """Minibatches of random, non-overlapping subsequences (d2l semantics).

    The corpus is first shifted by a random offset in ``[0, num_steps - 1]``,
    cut into subsequences of ``num_steps`` tokens, and these are shuffled;
    adjacent minibatches are not adjacent in the corpus.  ``Y`` is ``X``
    shifted by one token.  Draws from ``rng`` (default: the ``random``
    module's generator, so ``random.seed`` makes it reproducible).
    """
    _check_sizes(batch_size, num_steps)
    # The body is a separate generator so that bad sizes raise here, at the call.
    offset = _randint(rng, 0, num_steps - 1)
    return _random_batches(corpus, batch_size, num_steps, offset, rng)


@check
def seq_data_iter_sequential(
    corpus: Sequence[int],
    batch_size: int,
    num_steps: int,
    *,
    rng: random.Random | None = None,
) -> Iterator[tuple[Int[Tensor, "batch steps"], Int[Tensor, "batch steps"]]]:
    """Minibatches of sequential partitions (d2l semantics).

    The corpus is shifted by a random offset in ``[0, num_steps]`` and laid
    out as ``batch_size`` contiguous rows; minibatch ``t + 1`` continues each
    row of minibatch ``t``, so a recurrent state can be carried over.
    ``Y`` is ``X`` shifted by one token.
    """
    _check_sizes(batch_size, num_steps)
    offset = _randint(rng, 0, num_steps)
    return _sequential_batches(corpus, batch_size, num_steps, offset)


class SeqEpoch(Iterator[Minibatch]):
    """The minibatches of one epoch of a :class:`SeqDataLoader`.

    ``len()`` is the exact number of minibatches the epoch yields in all
    (the random offset is already drawn), not the number left.
    """

    def __init__(self, batches: Iterator[Minibatch], num_batches: int) -> None:
        self._batches = batches
        self._num_batches = num_batches

    def __len__(self) -> int:
        return self._num_batches

    def __iter__(self) -> "SeqEpoch":
        return self

    def __next__(self) -> Minibatch:
        return next(self._batches)


class SeqDataLoader:
    """Iterable over minibatches of the Time Machine corpus (d2l semantics).

    Each ``iter()`` starts a new epoch with a fresh random offset (and, with
    ``use_random_iter``, a fresh shuffle).  ``len(loader)`` is the most
    minibatches an epoch can yield (random offset 0); because of the offset
    an epoch may yield one fewer, and ``len(iter(loader))`` is that epoch's
    exact count.

    Raises ``ValueError`` for a non-positive ``batch_size`` or ``num_steps``,
    and when the corpus is too short for one minibatch at every offset.
    """

    def __init__(
        self,
        batch_size: int,
        num_steps: int,
        use_random_iter: bool,
        max_tokens: int,
        *,
        rng: random.Random | None = None,
    ) -> None:
        _check_sizes(batch_size, num_steps)
        self.use_random_iter = use_random_iter
        self.corpus, self.vocab = load_corpus_time_machine(max_tokens)
        self.batch_size, self.num_steps = batch_size, num_steps
        self._rng = rng
        needed = batch_size * num_steps + self._max_offset + 1
        if len(self.corpus) < needed:
            raise ValueError(
                f"corpus of {len(self.corpus)} tokens is too short for one "
                f"minibatch of batch_size={batch_size} x num_steps={num_steps}: "
                f"needs at least {needed} tokens (raise max_tokens or lower "
                "batch_size/num_steps)"
            )

    @property
    def _max_offset(self) -> int:
        return self.num_steps - 1 if self.use_random_iter else self.num_steps

    def __len__(self) -> int:
        return _num_batches(len(self.corpus), self.batch_size, self.num_steps, 0)

    @check
    def __iter__(
        self,
    ) -> Iterator[tuple[Int[Tensor, "batch steps"], Int[Tensor, "batch steps"]]]:
        offset = _randint(self._rng, 0, self._max_offset)
        batches: Iterator[Minibatch]
        if self.use_random_iter:
            batches = _random_batches(
                self.corpus, self.batch_size, self.num_steps, offset, self._rng
            )
        else:
            batches = _sequential_batches(self.corpus, self.batch_size, self.num_steps, offset)
        count = _num_batches(len(self.corpus), self.batch_size, self.num_steps, offset)
        return SeqEpoch(batches, count)


def load_data_time_machine(
    batch_size: int,
    num_steps: int,
    use_random_iter: bool = False,
    max_tokens: int = -1,
    *,
    rng: random.Random | None = None,
) -> tuple[SeqDataLoader, Vocab]:
    """The minibatch loader of the Time Machine corpus and its vocabulary.

    ``max_tokens=-1`` uses the whole corpus (about 170k characters).  The
    loader draws its offsets and shuffles from ``rng``, by default from the
    ``random`` module's generator (so ``random.seed`` governs it, as in d2l).
    """
    data_iter = SeqDataLoader(batch_size, num_steps, use_random_iter, max_tokens, rng=rng)
    return data_iter, data_iter.vocab


@shapes.factory("SeqEpoch(sequential, synthetic corpus)", SeqEpoch)
def _example_epoch(sizes: Mapping[str, int], device: str) -> SeqEpoch:
    """An epoch over a synthetic corpus, for `shapecheck verify` and `docs`."""
    batch_size, num_steps = sizes["batch"], sizes["steps"]
    corpus = [i % sizes["vocab"] for i in range(2 * batch_size * num_steps + 2)]
    batches = seq_data_iter_sequential(corpus, batch_size, num_steps, rng=random.Random(0))
    return SeqEpoch(batches, 1)
