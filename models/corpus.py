"""The "Time Machine" corpus of d2l chapter 8: its characters and vocabulary.

Same names and semantics as "Dive into Deep Learning" (PyTorch edition,
section 8.2): read the novel, tokenize it into characters, count them and
build a vocabulary.  The corpus ships with the package
(``models/timemachine.txt``); nothing is downloaded.  The minibatches cut
from it are :mod:`models.data`'s.
"""

import collections
import re
from importlib.resources import files
from typing import overload

__all__ = [
    "Vocab",
    "count_corpus",
    "load_corpus_time_machine",
    "read_time_machine",
    "tokenize",
]


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
    index, unk = vocab.token_to_idx, vocab.unk  # vocab[token], without a call per character
    corpus = [index.get(token, unk) for line in tokens for token in line]
    if max_tokens > 0:
        corpus = corpus[:max_tokens]
    return corpus, vocab
