"""The character-level "Time Machine" data pipeline of d2l chapter 8.

Same names and semantics as "Dive into Deep Learning" (PyTorch edition,
sections 8.2 and 8.3): read the novel, tokenize it into characters, build a
vocabulary, and cut the corpus into minibatches of ``(X, Y)`` where ``Y`` is
``X`` shifted by one time step.  The corpus ships with the package
(``models/timemachine.txt``); nothing is downloaded.

Every minibatch is an ``Int[Tensor, "batch steps"]`` (``torch.int64``).
"""

import collections
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from importlib.resources import files
from typing import overload

import torch
from jaxtyping import Int
from torch import Tensor

from shapecheck import check

from .dims import shapes

__all__ = [
    "SeqDataLoader",
    "SeqEpoch",
    "Vocab",
    "count_corpus",
    "load_corpus_time_machine",
    "load_data_time_machine",
    "read_time_machine",
    "seq_data_iter_random",
    "seq_data_iter_sequential",
    "tokenize",
]

Minibatch = tuple[Int[Tensor, "batch steps"], Int[Tensor, "batch steps"]]
"""One minibatch ``(X, Y)``: inputs and their targets, one step later."""


def read_time_machine() -> list[str]:
    """The novel's lines, keeping letters only, lower-cased (d2l semantics).

    Every run of non-letters becomes one space and each line is stripped, so
    blank lines stay in the list as empty strings.
    """
    text = files("models").joinpath("timemachine.txt").read_text(encoding="utf-8")
    return [re.sub("[^A-Za-z]+", " ", line).strip().lower() for line in text.splitlines()]


def tokenize(lines: list[str], token: str = "char") -> list[list[str]]:
    """Split each line into ``'word'`` or ``'char'`` tokens.

    Raises ``ValueError`` for any other token type.
    """
    if token == "word":
        return [line.split() for line in lines]
    if token == "char":
        return [list(line) for line in lines]
    raise ValueError(f"unknown token type {token!r}: expected 'word' or 'char'")


def count_corpus(tokens: list[str] | list[list[str]]) -> collections.Counter[str]:
    """Token frequencies of a flat token list or a list of token lines."""
    flat: list[str] = []
    for item in tokens:
        if isinstance(item, list):
            flat.extend(item)
        else:
            flat.append(item)
    return collections.Counter(flat)


class Vocab:
    """Vocabulary mapping tokens to indices, most frequent first.

    Index 0 is the unknown token ``'<unk>'``, followed by ``reserved_tokens``,
    then the tokens of frequency at least ``min_freq`` sorted by descending
    frequency (ties keep first-seen order, as ``sorted`` is stable).
    """

    def __init__(
        self,
        tokens: list[str] | list[list[str]] | None = None,
        min_freq: int = 0,
        reserved_tokens: list[str] | None = None,
    ) -> None:
        if tokens is None:
            tokens = []
        if reserved_tokens is None:
            reserved_tokens = []
        counter = count_corpus(tokens)
        self._token_freqs: list[tuple[str, int]] = sorted(
            counter.items(), key=lambda x: x[1], reverse=True
        )
        self.idx_to_token: list[str] = ["<unk>", *reserved_tokens]
        self.token_to_idx: dict[str, int] = {
            token: idx for idx, token in enumerate(self.idx_to_token)
        }
        for token, freq in self._token_freqs:
            if freq < min_freq:
                break
            if token not in self.token_to_idx:
                self.idx_to_token.append(token)
                self.token_to_idx[token] = len(self.idx_to_token) - 1

    def __len__(self) -> int:
        return len(self.idx_to_token)

    @overload
    def __getitem__(self, tokens: str) -> int: ...

    @overload
    def __getitem__(self, tokens: list[str] | tuple[str, ...]) -> list[int]: ...

    def __getitem__(self, tokens: str | list[str] | tuple[str, ...]) -> int | list[int]:
        """Index of a token (``unk`` if unknown), or a list of indices."""
        if isinstance(tokens, (list, tuple)):
            return [self.token_to_idx.get(token, self.unk) for token in tokens]
        return self.token_to_idx.get(tokens, self.unk)

    @overload
    def to_tokens(self, indices: int) -> str: ...

    @overload
    def to_tokens(self, indices: list[int] | tuple[int, ...]) -> list[str]: ...

    def to_tokens(self, indices: int | list[int] | tuple[int, ...]) -> str | list[str]:
        """Token of an index, or a list of tokens; ``IndexError`` if out of range."""
        if isinstance(indices, (list, tuple)):
            return [self.idx_to_token[index] for index in indices]
        return self.idx_to_token[indices]

    @property
    def unk(self) -> int:
        """Index of the unknown token."""
        return 0

    @property
    def token_freqs(self) -> list[tuple[str, int]]:
        """``(token, count)`` pairs of the corpus, most frequent first."""
        return self._token_freqs


def load_corpus_time_machine(max_tokens: int = -1) -> tuple[list[int], Vocab]:
    """Character indices of the whole novel and its vocabulary.

    ``max_tokens > 0`` keeps only the first ``max_tokens`` indices (the
    vocabulary is always built from the whole novel: 26 letters, the space
    and ``'<unk>'``).
    """
    lines = read_time_machine()
    tokens = tokenize(lines, "char")
    vocab = Vocab(tokens)
    corpus = [vocab[token] for line in tokens for token in line]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab


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
