"""The Time Machine data pipeline: corpus, vocabulary, minibatch iterators."""

import random
import string
from collections.abc import Callable, Iterator

import pytest
import torch
from torch import Tensor

from models.corpus import (
    Vocab,
    count_corpus,
    load_corpus_time_machine,
    read_time_machine,
    tokenize,
)
from models.data import (
    SeqDataLoader,
    load_data_time_machine,
    seq_data_iter_random,
    seq_data_iter_sequential,
)

IterFn = Callable[..., Iterator[tuple[Tensor, Tensor]]]
ITERATORS = [
    pytest.param(seq_data_iter_random, id="random"),
    pytest.param(seq_data_iter_sequential, id="sequential"),
]
# d2l's offsets: random in [0, num_steps - 1], sequential in [0, num_steps].
MAX_OFFSET: dict[IterFn, Callable[[int], int]] = {
    seq_data_iter_random: lambda num_steps: num_steps - 1,
    seq_data_iter_sequential: lambda num_steps: num_steps,
}


class FixedOffset(random.Random):
    """A generator whose ``randint`` returns a chosen offset and records its range."""

    def __init__(self, offset: int) -> None:
        super().__init__(0)
        self.offset = offset
        self.ranges: list[tuple[int, int]] = []

    def randint(self, a: int, b: int) -> int:
        self.ranges.append((a, b))
        assert a <= self.offset <= b
        return self.offset


# --------------------------------------------------------------------------
# Corpus, tokens, vocabulary
# --------------------------------------------------------------------------


def test_read_time_machine__lines_are_lowercase_letters_and_spaces() -> None:
    lines = read_time_machine()
    assert len(lines) == 3221
    assert lines[0] == "the time machine by h g wells"
    assert "" in lines  # blank lines are kept
    allowed = set(string.ascii_lowercase + " ")
    assert all(set(line) <= allowed for line in lines)
    assert all(line == line.strip() and "  " not in line for line in lines)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        pytest.param("char", [["a", " ", "b", "c"], [], ["d"]], id="char"),
        pytest.param("word", [["a", "bc"], [], ["d"]], id="word"),
    ],
)
def test_tokenize__token_types(token: str, expected: list[list[str]]) -> None:
    assert tokenize(["a bc", "", "d"], token) == expected


def test_tokenize__default_is_char() -> None:
    assert tokenize(["ab"]) == [["a", "b"]]


def test_tokenize__unknown_token_type_raises() -> None:
    with pytest.raises(ValueError, match="unknown token type 'byte'.*'word' or 'char'"):
        tokenize(["abc"], "byte")


@pytest.mark.parametrize(
    "tokens",
    [
        pytest.param(["a", "b", "a"], id="flat"),
        pytest.param([["a", "b"], [], ["a"]], id="lines"),
    ],
)
def test_count_corpus__flat_and_lines(tokens: list[str] | list[list[str]]) -> None:
    assert count_corpus(tokens) == {"a": 2, "b": 1}


def test_count_corpus__empty() -> None:
    assert count_corpus([]) == {}


def test_vocab__time_machine_has_28_tokens_in_frequency_order() -> None:
    corpus, vocab = load_corpus_time_machine()
    assert len(vocab) == 28
    assert vocab.idx_to_token[:10] == [
        "<unk>",
        " ",
        "e",
        "t",
        "a",
        "i",
        "n",
        "o",
        "s",
        "h",
    ]
    assert set(vocab.idx_to_token) == {"<unk>", " ", *string.ascii_lowercase}
    freqs = [freq for _, freq in vocab.token_freqs]
    assert freqs == sorted(freqs, reverse=True)
    assert vocab.token_freqs[0] == (" ", 29927)
    assert [token for token, _ in vocab.token_freqs] == vocab.idx_to_token[1:]
    assert len(corpus) == 170580
    assert vocab.unk not in corpus


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("a", 1, id="token"),
        pytest.param("z", 0, id="unknown-token-is-unk"),
        pytest.param(["b", "a", "z"], [2, 1, 0], id="list"),
        pytest.param(("a", "c"), [1, 3], id="tuple"),
        pytest.param([], [], id="empty-list"),
    ],
)
def test_vocab__getitem(query: str | list[str], expected: int | list[int]) -> None:
    vocab = Vocab([["a", "b", "a"], ["c", "a", "b"]])  # a: 3, b: 2, c: 1
    assert vocab[query] == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(0, "<unk>", id="unk"),
        pytest.param(3, "c", id="index"),
        pytest.param([1, 2, 3], ["a", "b", "c"], id="list"),
        pytest.param((3, 0), ["c", "<unk>"], id="tuple"),
    ],
)
def test_vocab__to_tokens(query: int | list[int], expected: str | list[str]) -> None:
    vocab = Vocab([["a", "b", "a"], ["c", "a", "b"]])
    assert vocab.to_tokens(query) == expected


def test_vocab__to_tokens_out_of_range_raises() -> None:
    with pytest.raises(IndexError):
        Vocab(["a"]).to_tokens(5)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({}, ["<unk>", "a", "b", "c"], id="defaults"),
        pytest.param({"min_freq": 2}, ["<unk>", "a", "b"], id="min-freq"),
        pytest.param(
            {"reserved_tokens": ["<pad>", "<bos>"]},
            ["<unk>", "<pad>", "<bos>", "a", "b", "c"],
            id="reserved",
        ),
        pytest.param(
            {"reserved_tokens": ["a"]},
            ["<unk>", "a", "b", "c"],
            id="reserved-in-corpus",
        ),
    ],
)
def test_vocab__construction(kwargs: dict[str, object], expected: list[str]) -> None:
    vocab = Vocab(["a", "b", "a", "c", "a", "b"], **kwargs)  # type: ignore[arg-type]
    assert vocab.idx_to_token == expected
    assert len(vocab) == len(expected)
    assert [vocab[token] for token in expected] == list(range(len(expected)))
    assert vocab.unk == 0
    assert vocab.token_freqs == [("a", 3), ("b", 2), ("c", 1)]


def test_vocab__empty() -> None:
    vocab = Vocab()
    assert len(vocab) == 1
    assert vocab["x"] == vocab.unk == 0
    assert vocab.token_freqs == []


@pytest.mark.parametrize("max_tokens", [pytest.param(1000, id="1000"), pytest.param(1, id="1")])
def test_load_corpus_time_machine__max_tokens_truncates(max_tokens: int) -> None:
    full, full_vocab = load_corpus_time_machine()
    corpus, vocab = load_corpus_time_machine(max_tokens)
    assert corpus == full[:max_tokens]
    assert vocab.idx_to_token == full_vocab.idx_to_token


@pytest.mark.parametrize("max_tokens", [pytest.param(-1, id="-1"), pytest.param(0, id="0")])
def test_load_corpus_time_machine__non_positive_max_tokens_keeps_all(
    max_tokens: int,
) -> None:
    corpus, vocab = load_corpus_time_machine(max_tokens)
    assert len(corpus) == 170580
    assert "".join(vocab.to_tokens(corpus[:16])) == "the time machine"


# --------------------------------------------------------------------------
# Minibatch iterators
# --------------------------------------------------------------------------

SIZES = [
    pytest.param(2, 5, id="b2-s5"),
    pytest.param(3, 4, id="b3-s4"),
    pytest.param(1, 1, id="b1-s1"),
    pytest.param(32, 35, id="b32-s35"),
]


@pytest.mark.parametrize("iter_fn", ITERATORS)
@pytest.mark.parametrize(("batch_size", "num_steps"), SIZES)
def test_seq_data_iter__shapes_dtypes_and_shifted_targets(
    iter_fn: IterFn, batch_size: int, num_steps: int
) -> None:
    corpus, _ = load_corpus_time_machine(1500)
    batches = list(iter_fn(corpus, batch_size, num_steps, rng=random.Random(1)))
    assert batches
    for X, Y in batches:
        assert X.shape == Y.shape == (batch_size, num_steps)
        assert X.dtype == Y.dtype == torch.int64
        assert torch.equal(X[:, 1:], Y[:, :-1])


@pytest.mark.parametrize(
    ("num_tokens", "batch_size", "num_steps", "offset"),
    [
        pytest.param(35, 2, 5, 0, id="n35-b2-s5-o0"),
        pytest.param(35, 2, 5, 4, id="n35-b2-s5-o4"),
        pytest.param(100, 3, 7, 6, id="n100-b3-s7-o6"),
        pytest.param(61, 3, 4, 0, id="n61-b3-s4-exact"),
        pytest.param(12, 1, 1, 0, id="n12-b1-s1"),
        pytest.param(10, 2, 5, 0, id="too-short-no-batch"),
    ],
)
def test_seq_data_iter_random__covers_corpus_as_d2l(
    num_tokens: int, batch_size: int, num_steps: int, offset: int
) -> None:
    corpus = list(range(num_tokens))
    rng = FixedOffset(offset)
    batches = list(seq_data_iter_random(corpus, batch_size, num_steps, rng=rng))
    assert rng.ranges == [(0, num_steps - 1)]
    num_subseqs = (num_tokens - offset - 1) // num_steps
    assert len(batches) == num_subseqs // batch_size
    starts = [row[0] for X, _ in batches for row in X.tolist()]
    # Non-overlapping subsequences, aligned on the offset, each used once.
    assert len(set(starts)) == len(starts) == len(batches) * batch_size
    assert all((s - offset) % num_steps == 0 for s in starts)
    assert set(starts) <= set(range(offset, offset + num_subseqs * num_steps, num_steps))
    for X, Y in batches:
        assert torch.equal(X, X[:, :1] + torch.arange(num_steps))
        assert torch.equal(Y, X + 1)


def test_seq_data_iter_random__shuffles_subsequences() -> None:
    corpus = list(range(1001))  # 200 subsequences of 5, 50 minibatches of 4
    starts = [X[:, 0].tolist() for X, _ in seq_data_iter_random(corpus, 4, 5, rng=FixedOffset(0))]
    flat = [s for batch in starts for s in batch]
    assert sorted(flat) == list(range(0, 1000, 5))  # all 200 subsequences...
    assert flat != sorted(flat)  # ...in shuffled order


@pytest.mark.parametrize(
    ("num_tokens", "batch_size", "num_steps", "offset"),
    [
        pytest.param(35, 2, 5, 0, id="n35-b2-s5-o0"),
        pytest.param(35, 2, 5, 5, id="n35-b2-s5-o5"),
        pytest.param(100, 3, 7, 7, id="n100-b3-s7-o7"),
        pytest.param(41, 2, 4, 0, id="n41-b2-s4-exact"),
        pytest.param(12, 1, 1, 0, id="n12-b1-s1"),
        pytest.param(10, 2, 5, 0, id="too-short-no-batch"),
    ],
)
def test_seq_data_iter_sequential__covers_corpus_as_d2l(
    num_tokens: int, batch_size: int, num_steps: int, offset: int
) -> None:
    corpus = list(range(num_tokens))
    rng = FixedOffset(offset)
    batches = list(seq_data_iter_sequential(corpus, batch_size, num_steps, rng=rng))
    assert rng.ranges == [(0, num_steps)]
    row_len = (num_tokens - offset - 1) // batch_size
    assert len(batches) == row_len // num_steps
    if not batches:
        return
    # Side by side, the minibatches are the offset corpus laid out in rows.
    Xs = torch.cat([X for X, _ in batches], dim=1)
    Ys = torch.cat([Y for _, Y in batches], dim=1)
    rows = torch.arange(offset, offset + batch_size * row_len).reshape(batch_size, -1)
    assert torch.equal(Xs, rows[:, : len(batches) * num_steps])
    assert torch.equal(Ys, Xs + 1)
    # Each minibatch continues the rows of the one before: state can carry over.
    for (X0, _), (X1, _) in zip(batches, batches[1:], strict=False):
        assert torch.equal(X1[:, 0], X0[:, -1] + 1)


@pytest.mark.parametrize("iter_fn", ITERATORS)
def test_seq_data_iter__offsets_span_d2l_range(iter_fn: IterFn) -> None:
    num_steps = 4
    corpus = list(range(200))
    offsets = set()
    for seed in range(100):
        X, _ = next(iter_fn(corpus, 2, num_steps, rng=random.Random(seed)))
        # The smallest token index in the first minibatch gives away the
        # offset: random subsequences start at offset + k * num_steps.
        first = int(X.min()) if iter_fn is seq_data_iter_random else int(X[0, 0])
        offsets.add(first % num_steps if iter_fn is seq_data_iter_random else first)
    assert offsets == set(range(MAX_OFFSET[iter_fn](num_steps) + 1))


@pytest.mark.parametrize("iter_fn", ITERATORS)
def test_seq_data_iter__global_random_seed_reproduces(iter_fn: IterFn) -> None:
    corpus = list(range(500))
    runs = []
    for _ in range(2):
        random.seed(7)
        runs.append([X.tolist() for X, _ in iter_fn(corpus, 3, 5)])
    assert runs[0] == runs[1]


@pytest.mark.parametrize("iter_fn", ITERATORS)
@pytest.mark.parametrize(
    ("batch_size", "num_steps", "message"),
    [
        pytest.param(0, 5, "batch_size must be a positive integer, got 0", id="batch-0"),
        pytest.param(-2, 5, "batch_size must be a positive integer, got -2", id="batch-neg"),
        pytest.param(2, 0, "num_steps must be a positive integer, got 0", id="steps-0"),
        pytest.param(2, -1, "num_steps must be a positive integer, got -1", id="steps-neg"),
    ],
)
def test_seq_data_iter__non_positive_sizes_raise_at_call(
    iter_fn: IterFn, batch_size: int, num_steps: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        iter_fn(list(range(100)), batch_size, num_steps)  # no next() needed


# --------------------------------------------------------------------------
# SeqDataLoader, load_data_time_machine
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "use_random_iter",
    [pytest.param(False, id="sequential"), pytest.param(True, id="random")],
)
def test_load_data_time_machine__full_corpus(use_random_iter: bool) -> None:
    loader, vocab = load_data_time_machine(32, 35, use_random_iter)
    assert isinstance(loader, SeqDataLoader)
    assert vocab is loader.vocab
    assert len(vocab) == 28
    assert len(loader.corpus) == 170580
    assert (loader.batch_size, loader.num_steps) == (32, 35)
    assert loader.use_random_iter is use_random_iter
    assert len(loader) == (170580 - 1) // (32 * 35) == 152


@pytest.mark.parametrize(
    "use_random_iter",
    [pytest.param(False, id="sequential"), pytest.param(True, id="random")],
)
def test_seq_data_loader__each_iter_is_a_new_epoch(use_random_iter: bool) -> None:
    rng = random.Random(3)
    loader = SeqDataLoader(4, 10, use_random_iter, 2000, rng=rng)
    epochs = []
    for _ in range(6):
        epoch = iter(loader)
        expected = len(epoch)
        assert expected in (len(loader), len(loader) - 1)
        batches = list(epoch)
        assert len(batches) == expected
        assert all(X.shape == Y.shape == (4, 10) for X, Y in batches)
        epochs.append(torch.cat([X for X, _ in batches]).tolist())
    assert len(loader) == (2000 - 1) // 40
    # Fresh offsets (and shuffles) per epoch, so epochs differ.
    assert any(e != epochs[0] for e in epochs[1:])


@pytest.mark.parametrize(
    ("use_random_iter", "seq_fn"),
    [
        pytest.param(False, seq_data_iter_sequential, id="sequential"),
        pytest.param(True, seq_data_iter_random, id="random"),
    ],
)
def test_seq_data_loader__matches_iterator_function(use_random_iter: bool, seq_fn: IterFn) -> None:
    loader = SeqDataLoader(3, 7, use_random_iter, 1500, rng=random.Random(11))
    expected = list(seq_fn(loader.corpus, 3, 7, rng=random.Random(11)))
    got = list(loader)
    assert len(got) == len(expected)
    for (X, Y), (EX, EY) in zip(got, expected, strict=True):
        assert torch.equal(X, EX) and torch.equal(Y, EY)


@pytest.mark.parametrize(
    ("use_random_iter", "max_offset"),
    [pytest.param(False, 5, id="sequential"), pytest.param(True, 4, id="random")],
)
def test_seq_data_loader__shortest_corpus_gives_one_batch_every_epoch(
    use_random_iter: bool, max_offset: int
) -> None:
    batch_size, num_steps = 3, 5
    needed = batch_size * num_steps + max_offset + 1
    loader = SeqDataLoader(batch_size, num_steps, use_random_iter, needed)
    for offset in range(max_offset + 1):
        loader._rng = FixedOffset(offset)
        assert len(list(loader)) == 1
    with pytest.raises(ValueError, match=f"corpus of {needed - 1} tokens is too short"):
        SeqDataLoader(batch_size, num_steps, use_random_iter, needed - 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param((0, 35), "batch_size must be a positive integer, got 0", id="batch-0"),
        pytest.param((-1, 35), "batch_size must be a positive integer, got -1", id="batch-neg"),
        pytest.param((32, 0), "num_steps must be a positive integer, got 0", id="steps-0"),
        pytest.param((32, -5), "num_steps must be a positive integer, got -5", id="steps-neg"),
        pytest.param(
            (32, 35, False, 100),
            r"corpus of 100 tokens is too short for one minibatch of "
            r"batch_size=32 x num_steps=35: needs at least 1156 tokens",
            id="corpus-too-short",
        ),
        pytest.param(
            (4096, 64),
            r"corpus of 170580 tokens is too short .* needs at least 262209 tokens",
            id="batch-larger-than-corpus",
        ),
    ],
)
def test_load_data_time_machine__bad_sizes_raise(args: tuple[int, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_data_time_machine(*args)  # type: ignore[arg-type]


def test_load_data_time_machine__own_rng_ignores_global_random_draws() -> None:
    runs = []
    for draws in (0, 5):
        loader, _ = load_data_time_machine(4, 10, True, 2000, rng=random.Random(5))
        epochs = []
        for _ in range(2):
            for _ in range(draws):
                random.random()  # other code using the random module
            epochs.append([X.tolist() for X, _ in loader])
        runs.append(epochs)
    assert runs[0] == runs[1]
    assert runs[0][0] != runs[0][1]
