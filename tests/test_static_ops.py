"""The static shape model and the shape inference of torch ops (shapecheck._static).

Inputs are written as dim strings, as in annotations. Each op has cases that
give a shape, cases that provably conflict (the message is asserted), and
cases that cannot be told (no error).
"""

from __future__ import annotations

import random

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from shapecheck._spec import parse_shape
from shapecheck._static import _ops as ops
from shapecheck._static._shape import (
    ANY_DIMS,
    UNKNOWN,
    Repeated,
    ShapeConflict,
    StaticShape,
    Unknown,
    could_be_one,
    dim_symbol,
    dims_differ,
    dims_equal,
    format_dim,
    from_spec,
    is_known,
    opaque_dim,
    provably_nonnegative,
    provably_positive,
    shape_mismatch,
    shapes_equal,
    unknown_dim,
)

n, m, k, batch, steps, hiddens, vocab = (
    dim_symbol(name) for name in ("n", "m", "k", "batch", "steps", "hiddens", "vocab")
)


def S(text: str) -> StaticShape:
    """The static shape of a dim string (no trailing variadic group)."""
    shape = from_spec(parse_shape(text))
    assert isinstance(shape, StaticShape)
    return shape


def same(result: object, text: str) -> None:
    """`result` is the shape `text`, spelled so; equal to it where it names no unknown."""
    assert isinstance(result, StaticShape), result
    assert str(result) == text
    if "_" not in text and "#" not in text:
        assert result == S(text)


def conflict(result: object, message: str) -> None:
    """`result` is a conflict with exactly `message`."""
    assert isinstance(result, ShapeConflict), result
    assert result.message == message


def ok(result: object) -> StaticShape:
    """`result`, asserted to be a shape (to chain ops as a function body does)."""
    assert isinstance(result, StaticShape), result
    return result


def pieces(result: object, *texts: str) -> None:
    """`result` is a tuple of the shapes `texts`."""
    assert isinstance(result, tuple), result
    assert len(result) == len(texts)
    for piece, text in zip(result, texts, strict=True):
        same(piece, text)


# --- the shape model ------------------------------------------------------------------


def test_from_spec__named_fixed_and_symbolic_dims() -> None:
    shape = S("steps*batch 4*hiddens 2*hiddens n+1 n//2 3 rows=4")
    assert shape.dims == (
        steps * batch,
        4 * hiddens,
        2 * hiddens,
        n + 1,
        sympy.floor(n / 2),
        3,
        4,
    )
    assert str(shape) == "steps*batch 4*hiddens 2*hiddens n+1 n//2 3 4"
    assert shape.rank == 7 and shape.group is None


def test_from_spec__variadic_groups() -> None:
    assert S("*batch n") == StaticShape((n,), "batch")
    assert str(S("*batch n")) == "*batch n"
    assert S("... n").group == ANY_DIMS and str(S("... n")) == "... n"
    assert S("*_ n").group == ANY_DIMS
    assert S("#*b n").group == ANY_DIMS
    assert S("*b").rank is None and S("*b").min_rank == 0
    assert from_spec(parse_shape("n ...")) is UNKNOWN
    assert from_spec(parse_shape("n *b m")) is UNKNOWN


def test_from_spec__unknowns_are_fresh_and_printed_as_written() -> None:
    shape = S("_ _extra #batch #3 ?x #2*n")
    assert str(shape) == "_ _extra #batch #3 ?x #2*n"
    assert not any(is_known(dim) for dim in shape.dims)
    assert not dims_equal(S("_").dims[0], S("_").dims[0])
    assert not dims_differ(S("_").dims[0], hiddens)


def test_from_spec__f_string_fields_are_opaque_but_consistent() -> None:
    first = S("{self.num_directions}*hiddens").dims[0]
    second = S("{self.num_directions}*hiddens").dims[0]
    assert str(S("{self.num_directions}*hiddens")) == "{self.num_directions}*hiddens"
    assert dims_equal(first, second)
    assert not is_known(first)
    assert not dims_differ(first, 2 * hiddens)
    assert dims_differ(first, first + hiddens)


def test_from_spec__expressions_it_cannot_read_are_opaque() -> None:
    (dim,) = S("max(n,m)").dims
    assert not is_known(dim) and str(S("max(n,m)")) == "max(n,m)"
    assert not dims_differ(dim, n)
    assert not is_known(S("n/0").dims[0])


def test_str__scalar_and_built_shapes() -> None:
    assert str(StaticShape(())) == ""
    assert str(StaticShape.of(2, n + 1, m * n)) == "2 n+1 m*n"
    assert str(StaticShape.of(unknown_dim(), group="b")) == "*b _"
    assert repr(S("batch n")) == "StaticShape('batch n')"
    assert str(UNKNOWN) == "?"


def test_dims_equal__symbolic_not_numeric() -> None:
    assert dims_equal(2 * hiddens, hiddens + hiddens)
    assert dims_equal((n + 1) * m, n * m + m)
    assert dims_equal(steps * batch, batch * steps)
    assert not dims_equal(hiddens, vocab)
    assert not dims_equal(unknown_dim(), unknown_dim())


@pytest.mark.parametrize(
    ("a", "b", "differ"),
    [
        (hiddens, vocab, True),  # generic named dims
        (2 * n, n, True),
        (n, n + 1, True),
        (steps * batch, batch, True),
        (n, n, False),
        (unknown_dim(), n, False),  # nobody knows: not provable
        (2 * opaque_dim("{k}"), n, False),
    ],
)
def test_dims_differ__only_provable_differences(a: sympy.Expr, b: sympy.Expr, differ: bool) -> None:
    assert dims_differ(a, b) is differ


def test_dims_differ__opaque_parts_that_keep_a_sign() -> None:
    unknown = unknown_dim()
    assert dims_differ(unknown + 1, unknown)
    assert not dims_differ(unknown * n, n)
    assert not dims_equal(unknown + 1, unknown)


def test_could_be_one() -> None:
    assert could_be_one(1) and could_be_one(unknown_dim())
    assert not could_be_one(n)  # a named dim is generic; `#n` is the one that may be 1
    assert not could_be_one(2 * unknown_dim())
    assert could_be_one(S("#n").dims[0])


def test_provably_nonnegative_and_positive() -> None:
    assert provably_nonnegative(n - 1) and not provably_positive(n - 1)
    assert not provably_nonnegative(n - 2)
    assert provably_nonnegative(n + m - 1) and provably_positive(n * m + 1 - m)
    assert provably_positive(3) and not provably_nonnegative(-1)


def test_format_dim() -> None:
    assert format_dim(n + 1) == "n+1"
    assert format_dim(2 * hiddens) == "2*hiddens"
    assert format_dim(unknown_dim()) == "_"
    assert format_dim(7) == "7"


def test_shapes_equal_and_shape_mismatch() -> None:
    assert shapes_equal(S("steps*batch vocab"), StaticShape((batch * steps, vocab)))
    assert shapes_equal(S("*b n"), S("*b n"))
    assert not shapes_equal(S("... n"), S("... n"))
    assert not shapes_equal(UNKNOWN, UNKNOWN)
    assert shape_mismatch(S("batch hiddens"), S("batch vocab")) == "dim 1: hiddens against vocab"
    assert shape_mismatch(S("batch"), S("batch vocab")) == "1 dims against 2"
    assert shape_mismatch(S("n"), S("*b n m")) == "1 dims against at least 2"
    assert shape_mismatch(S("*b n m"), S("m")) == "at least 2 dims against 1"
    assert shape_mismatch(S("*b n"), S("*b m n")) == "the numbers of dims differ"
    assert shape_mismatch(S("*b n"), S("... m")) == "dim -1: n against m"
    assert shape_mismatch(S("a b n"), S("*b n")) is None
    assert shape_mismatch(S("_ n"), S("m n")) is None
    assert shape_mismatch(UNKNOWN, S("n")) is None


# --- elementwise ------------------------------------------------------------------------


def test_elementwise__broadcasting() -> None:
    same(ops.add(S("batch hiddens"), S("hiddens")), "batch hiddens")
    same(ops.mul(S("batch 1"), S("hiddens")), "batch hiddens")
    same(ops.sub(S("batch hiddens"), StaticShape(())), "batch hiddens")
    same(ops.div(S("steps 1 n"), S("batch 1")), "steps batch n")
    same(ops.broadcast_shapes(S("1"), S("1 1")), "1 1")
    same(ops.elementwise("pow", S("n"), S("m 1"), S("1 1 n")), "1 m n")
    same(ops.maximum(S("2*n"), S("n+n")), "2*n")
    same(ops.minimum(S("n"), S("n")), "n")


def test_elementwise__the_lstm_gate() -> None:
    x_w = ops.matmul(S("batch vocab"), S("vocab hiddens"))
    h_w = ops.matmul(S("batch hiddens"), S("hiddens hiddens"))
    assert isinstance(x_w, StaticShape) and isinstance(h_w, StaticShape)
    gate = ops.unary(ok(ops.add(ok(ops.add(x_w, h_w)), S("hiddens"))))
    same(gate, "batch hiddens")


def test_elementwise__groups() -> None:
    same(ops.add(S("*b n"), S("n")), "*b n")
    same(ops.add(S("*b n"), S("*b 1")), "*b n")
    same(ops.add(S("*b n"), S("m n")), "... m n")
    same(ops.add(S("*b n"), S("*c n")), "... n")
    same(ops.add(S("*b 1"), S("n")), "*b n")


def test_elementwise__unknown_dims_take_the_known_size() -> None:
    same(ops.add(S("_ n"), S("m n")), "m n")
    same(ops.add(S("#batch n"), S("m n")), "m n")
    same(ops.add(S("_"), S("_")), "_")
    same(ops.add(S("*b"), S("n")), "... n")  # the group has 1 or n there


def test_elementwise__conflicts() -> None:
    conflict(
        ops.add(S("batch hiddens"), S("batch vocab")),
        "add: the size of a must match the size of b at non-singleton dimension 1: "
        "hiddens (of a: batch hiddens) against vocab (of b: batch vocab)",
    )
    conflict(
        ops.mul(S("*b n"), S("m")),
        "mul: the size of a must match the size of b at non-singleton dimension -1: "
        "n (of a: *b n) against m (of b: m)",
    )
    conflict(
        ops.where(S("n"), S("n"), S("n+1")),
        "where: the size of condition must match the size of other at non-singleton "
        "dimension 0: n (of condition: n) against n+1 (of other: n+1)",
    )
    conflict(
        ops.elementwise("pow", S("n"), S("m 1"), S("m m")),
        "pow: the size of a must match the size of c at non-singleton dimension 1: "
        "n (of a: n) against m (of c: m m)",
    )


def test_elementwise__unknown() -> None:
    assert ops.add(UNKNOWN, S("n")) is UNKNOWN
    assert ops.unary(UNKNOWN) is UNKNOWN
    # The known operands are still checked against each other.
    assert isinstance(ops.elementwise("add", UNKNOWN, S("n"), S("m")), ShapeConflict)
    same(ops.add(S("_ n"), S("_ n")), "_ n")
    assert ops.add(S("2*_"), S("n")) == S("n")  # not provably different: n


# --- matrix products ---------------------------------------------------------------------


def test_matmul__shapes() -> None:
    same(ops.matmul(S("batch vocab"), S("vocab hiddens")), "batch hiddens")
    same(ops.matmul(S("n"), S("n")), "")
    same(ops.matmul(S("m n"), S("n")), "m")
    same(ops.matmul(S("n"), S("b n m")), "b m")
    same(ops.matmul(S("b 1 n m"), S("c m k")), "b c n k")
    same(ops.matmul(S("*batch n m"), S("m k")), "*batch n k")
    same(ops.matmul(S("*batch n m"), S("*batch m k")), "*batch n k")
    same(ops.matmul(S("n"), S("*b n m")), "*b m")


def test_matmul__conflicts() -> None:
    conflict(
        ops.matmul(S("batch hiddens"), S("vocab hiddens")),
        "matmul: the inner dims differ: hiddens (of a: batch hiddens) "
        "against vocab (of b: vocab hiddens)",
    )
    conflict(
        ops.matmul(S("b n m"), S("c m k")),
        "matmul: the size of a must match the size of b at non-singleton batch dimension 0: "
        "b (of a: b n m) against c (of b: c m k)",
    )
    conflict(
        ops.matmul(S(""), S("n m")),
        "matmul: both arguments need to be at least 1-D, but they are 0-D and 2-D",
    )
    conflict(
        ops.matmul(S("*b n"), S("m")),
        "matmul: the inner dims differ: n (of a: *b n) against m (of b: m)",
    )


def test_matmul__unknown() -> None:
    assert ops.matmul(UNKNOWN, S("n m")) is UNKNOWN
    assert ops.matmul(S("*b n"), S("n m")) is UNKNOWN  # a may be 1-D or not
    same(ops.matmul(S("_ n"), S("n m")), "_ m")
    same(ops.matmul(S("batch _"), S("vocab hiddens")), "batch hiddens")


def test_mm_bmm_mv_dot_outer() -> None:
    same(ops.mm(S("n m"), S("m k")), "n k")
    same(ops.bmm(S("b n m"), S("b m k")), "b n k")
    same(ops.mv(S("n m"), S("m")), "n")
    same(ops.dot(S("n"), S("n")), "")
    same(ops.outer(S("n"), S("m")), "n m")
    same(ops.mm(S("*b n m"), S("m k")), "n k")
    conflict(ops.mm(S("b n m"), S("m k")), "mm: a must be a matrix (2-D), but it is 3-D: b n m")
    conflict(
        ops.mm(S("n m"), S("k m")), "mm: the inner dims differ: m (of a: n m) against k (of b: k m)"
    )
    conflict(
        ops.bmm(S("b n m"), S("c m k")),
        "bmm: the batch dims differ: b (of a: b n m) against c (of b: c m k)",
    )
    conflict(
        ops.bmm(S("n m"), S("b m k")),
        "bmm: a must be a batch of matrices (3-D), but it is 2-D: n m",
    )
    conflict(
        ops.mv(S("n m"), S("n")), "mv: the inner dims differ: m (of a: n m) against n (of v: n)"
    )
    conflict(ops.dot(S("n"), S("m")), "dot: the inner dims differ: n (of a: n) against m (of b: m)")
    conflict(
        ops.outer(S("n m"), S("m")),
        "outer: a must be a vector (1-D), but it is 2-D: n m",
    )
    assert ops.mm(UNKNOWN, S("n m")) is UNKNOWN
    assert ops.bmm(S("*b n"), S("b n m")) is UNKNOWN


def test_linear() -> None:
    same(ops.linear(S("batch vocab"), S("hiddens vocab")), "batch hiddens")
    same(ops.linear(S("*b vocab"), S("hiddens vocab"), S("hiddens")), "*b hiddens")
    same(ops.linear(S("batch vocab"), S("vocab")), "batch")
    conflict(
        ops.linear(S("batch hiddens"), S("hiddens vocab")),
        "linear: the inner dims differ: hiddens (of input: batch hiddens) "
        "against vocab (of weight: hiddens vocab)",
    )
    conflict(
        ops.linear(S("batch vocab"), S("hiddens vocab"), S("vocab")),
        "linear: the size of output must match the size of bias at non-singleton dimension 1: "
        "hiddens (of output: batch hiddens) against vocab (of bias: vocab)",
    )
    conflict(
        ops.linear(S("n"), S("a b n")),
        "linear: weight must be 1-D or 2-D, but it is 3-D: a b n",
    )
    assert ops.linear(S("batch vocab"), UNKNOWN) is UNKNOWN
    assert ops.linear(S("batch vocab"), S("hiddens vocab"), UNKNOWN) is UNKNOWN


def test_linear__the_rnn_model_head() -> None:
    """d2l's RNNModel: `self.linear(Y.reshape((-1, Y.shape[-1])))`."""
    Y = S("steps batch {self.num_directions}*hiddens")
    flat = ok(ops.reshape(Y, (-1, ops.size(Y, -1))))
    same(flat, "steps*batch {self.num_directions}*hiddens")
    same(
        ops.linear(flat, S("vocab {self.num_directions}*hiddens"), S("vocab")), "steps*batch vocab"
    )


# --- cat and stack ---------------------------------------------------------------------


def test_cat__shapes() -> None:
    same(ops.cat([S("batch vocab"), S("batch vocab")], dim=0), "2*batch vocab")
    same(ops.cat([S("n k"), S("m k")]), "m+n k")
    same(ops.cat([S("b n"), S("b 2*n")], dim=-1), "b 3*n")
    same(ops.cat([S("b n")], dim=1), "b n")
    same(ops.cat([S("*b n"), S("*b m")], dim=-1), "*b m+n")
    same(ops.cat([S("_ n"), S("b m")], dim=1), "b m+n")


def test_cat__a_list_of_symbolic_length() -> None:
    """d2l: `torch.cat(outputs, dim=0)` of `steps` outputs of `batch vocab`."""
    outputs = Repeated(S("batch vocab"), steps)
    same(ops.cat(outputs, dim=0), "steps*batch vocab")
    same(ops.cat(Repeated(S("batch vocab"), steps), dim=-1), "batch steps*vocab")
    same(ops.cat(Repeated(S("n+1"), 2)), "2*(n+1)")
    assert ops.cat(Repeated(UNKNOWN, steps)) is UNKNOWN


def test_cat__conflicts() -> None:
    conflict(
        ops.cat([S("batch batch"), S("batch hiddens")], dim=0),
        "cat along dim 0: dims 1 differ: batch against hiddens",
    )
    conflict(
        ops.cat([S("*b n m"), S("*b n k")], dim=-2),
        "cat along dim -2: dims -1 differ: m against k",
    )
    conflict(
        ops.cat([S("n m"), S("n")]),
        "cat: tensors must have the same number of dims: got 2 (tensor 0: n m) and 1 (tensor 1: n)",
    )
    conflict(
        ops.cat([S("n"), S("")]),
        "cat: zero-dimensional tensor (at position 1) cannot be concatenated",
    )
    conflict(ops.cat([]), "cat: expected a non-empty list of tensors")
    conflict(ops.cat(Repeated(S("n"), 0)), "cat: expected a non-empty list of tensors")
    conflict(
        ops.cat([S("n m"), S("n m")], dim=2),
        "cat: dimension out of range (expected to be in range of [-2, 1], but got 2) for n m",
    )


def test_cat__unknown() -> None:
    assert ops.cat([S("n m"), UNKNOWN]) is UNKNOWN
    assert ops.cat([S("*b n"), S("*c n")], dim=-1) is UNKNOWN
    assert ops.cat([S("*b n"), S("*b n")], dim=0) is UNKNOWN
    # the known ones are still checked
    assert isinstance(ops.cat([S("n m"), UNKNOWN, S("n k")]), ShapeConflict)


def test_stack() -> None:
    same(ops.stack([S("batch n"), S("batch n")]), "2 batch n")
    same(ops.stack([S("batch n"), S("batch n")], dim=-1), "batch n 2")
    same(ops.stack(Repeated(S("batch vocab"), steps)), "steps batch vocab")
    same(ops.stack(Repeated(S("*b n"), steps), dim=-2), "*b steps n")
    conflict(
        ops.stack([S("batch hiddens"), S("batch vocab")]),
        "stack: expects each tensor to be equal size, but got batch hiddens at entry 0 "
        "and batch vocab at entry 1",
    )
    conflict(
        ops.stack([S("n"), S("n")], dim=2),
        "stack: dimension out of range (expected to be in range of [-2, 1], but got 2) for n",
    )
    conflict(ops.stack([]), "stack: expected a non-empty list of tensors")
    assert ops.stack([S("n"), UNKNOWN]) is UNKNOWN
    assert ops.stack([S("*b n"), S("*b n")], dim=0) is UNKNOWN


# --- chunk, split, unbind -----------------------------------------------------------------


def test_chunk() -> None:
    """d2l's fused gates: a `4*hiddens` projection in 4 chunks of `hiddens`."""
    pieces(ops.chunk(S("batch 4*hiddens"), 4, dim=1), *["batch hiddens"] * 4)
    pieces(ops.chunk(S("4*hiddens batch"), 2), "2*hiddens batch", "2*hiddens batch")
    pieces(ops.chunk(S("10 n"), 3), "4 n", "4 n", "2 n")
    pieces(ops.chunk(S("6"), 4), "2", "2", "2")  # torch gives fewer chunks
    pieces(ops.chunk(S("n"), 1), "n")
    pieces(ops.chunk(S("*b 2*n"), 2, dim=-1), "*b n", "*b n")
    conflict(ops.chunk(S("n"), 0), "chunk: expects `chunks` to be greater than 0, got: 0")
    conflict(ops.chunk(S(""), 2), "chunk: expects at least a 1-dimensional tensor")
    conflict(
        ops.chunk(S("n"), 2, dim=1),
        "chunk: dimension out of range (expected to be in range of [-1, 0], but got 1) for n",
    )
    assert ops.chunk(S("n"), 2) is UNKNOWN  # n may be odd
    assert ops.chunk(S("*b n"), 2) is UNKNOWN
    assert ops.chunk(UNKNOWN, 2) is UNKNOWN


def test_split() -> None:
    pieces(ops.split(S("10 n"), 4), "4 n", "4 n", "2 n")
    pieces(ops.split(S("n 4*hiddens"), hiddens, dim=1), *["n hiddens"] * 4)
    pieces(ops.split(S("n+m k"), [n, m]), "n k", "m k")
    pieces(ops.split(S("k 5"), [2, 3], dim=-1), "k 2", "k 3")
    repeated = ops.split(S("steps*batch vocab"), batch)
    assert isinstance(repeated, Repeated) and repeated.count == steps
    same(repeated.item, "batch vocab")
    conflict(
        ops.split(S("10 n"), [3, 4]),
        "split: split_sizes must sum exactly to 10 (the size of dim 0 of 10 n), "
        "but got split_sizes=[3, 4]",
    )
    conflict(
        ops.split(S("n"), [m, 1]),
        "split: split_sizes must sum exactly to n (the size of dim 0 of n), "
        "but got split_sizes=[m, 1]",
    )
    conflict(ops.split(S("n"), 0), "split: expects split_size to be positive, but got split_size=0")
    conflict(
        ops.split(S("n"), [-1, 3]),
        "split: split_sizes must be nonnegative, but got split_sizes=[-1, 3]",
    )
    assert ops.split(S("n"), 2) is UNKNOWN
    assert ops.split(S("n"), m) is UNKNOWN
    pieces(ops.split(S("_"), [n, m]), "n", "m")


def test_unbind() -> None:
    pieces(ops.unbind(S("3 n")), "n", "n", "n")
    pieces(ops.unbind(S("n 2"), dim=-1), "n", "n")
    repeated = ops.unbind(S("steps batch"))
    assert repeated == Repeated(S("batch"), steps)
    conflict(ops.unbind(S("")), "unbind: dimension specified as 0 but tensor has no dimensions")
    assert ops.unbind(S("*b n")) is UNKNOWN


# --- rearranging -----------------------------------------------------------------------


def test_transpose_and_swapaxes() -> None:
    same(ops.transpose(S("a b c"), 0, 2), "c b a")
    same(ops.transpose(S("a b c"), -1, -2), "a c b")
    same(ops.swapaxes(S("*g a b"), -1, -2), "*g b a")
    same(ops.transpose(S(""), 0, -1), "")
    conflict(
        ops.transpose(S("batch hiddens"), 0, 2),
        "transpose: dimension out of range (expected to be in range of [-2, 1], but got 2) "
        "for batch hiddens",
    )
    conflict(
        ops.swapaxes(S("a"), 0, -2),
        "swapaxes: dimension out of range (expected to be in range of [-1, 0], but got -2) for a",
    )
    assert ops.transpose(S("*g a b"), 0, 1) is UNKNOWN
    assert ops.transpose(UNKNOWN, 0, 1) is UNKNOWN


def test_T_mT_t() -> None:
    same(ops.T(S("batch steps")), "steps batch")
    same(ops.T(S("a b c")), "c b a")
    same(ops.T(S("n")), "n")
    same(ops.mT(S("*b n m")), "*b m n")
    same(ops.t(S("n m")), "m n")
    same(ops.t(S("n")), "n")
    conflict(
        ops.mT(S("n")),
        "mT: only supported on matrices or batches of matrices, but it is 1-D: n",
    )
    conflict(ops.t(S("a b c")), "t: expects a tensor with <= 2 dimensions, but it is 3-D: a b c")
    assert ops.T(S("*b n")) is UNKNOWN
    assert ops.mT(S("*b n")) is UNKNOWN
    assert ops.t(S("*b n")) is UNKNOWN


def test_permute() -> None:
    same(ops.permute(S("a b c"), (2, 0, 1)), "c a b")
    same(ops.permute(S("a b c"), (-1, 0, 1)), "c a b")
    same(ops.permute(S("*g n m"), (2, 0, 1)), "m _ n")
    conflict(
        ops.permute(S("a b"), (0, 1, 2)),
        "permute: the tensor has 2 dims (a b) but the order has 3: [0, 1, 2]",
    )
    conflict(ops.permute(S("a b"), (0, 0)), "permute: repeated dim 0 in [0, 0]")
    conflict(
        ops.permute(S("a b"), (0, 2)),
        "permute: dimension out of range (expected to be in range of [-2, 1], but got 2) for a b",
    )
    conflict(
        ops.permute(S("*g a b c"), (1, 0)),
        "permute: the tensor has 3 dims (*g a b c) but the order has 2: [1, 0]",
    )
    assert ops.permute(UNKNOWN, (1, 0)) is UNKNOWN


def test_unsqueeze_and_squeeze() -> None:
    same(ops.unsqueeze(S("a b"), 0), "1 a b")
    same(ops.unsqueeze(S("a b"), 2), "a b 1")
    same(ops.unsqueeze(S("a b"), -1), "a b 1")
    same(ops.unsqueeze(S("*g a"), -2), "*g 1 a")
    same(ops.squeeze(S("1 a 1"), dim=0), "a 1")
    same(ops.squeeze(S("1 a 1")), "a")
    same(ops.squeeze(S("1 a 1"), dim=(0, -1)), "a")
    same(ops.squeeze(S("a b"), dim=1), "a b")  # not 1: left as it is
    same(ops.squeeze(S("*g a 1"), dim=-1), "*g a")
    conflict(
        ops.unsqueeze(S("a b"), 3),
        "unsqueeze: dimension out of range (expected to be in range of [-3, 2], but got 3) for a b",
    )
    conflict(
        ops.squeeze(S("1 1"), dim=(0, -2)),
        "squeeze: dim 0 appears multiple times in the list of dims",
    )
    assert ops.squeeze(S("_ a"), dim=0) is UNKNOWN
    assert ops.squeeze(S("#a b")) is UNKNOWN
    assert ops.squeeze(S("*g a")) is UNKNOWN
    assert ops.unsqueeze(S("*g a"), 0) is UNKNOWN


def test_flatten_and_unflatten() -> None:
    same(ops.flatten(S("steps batch 2*hiddens"), start_dim=0, end_dim=1), "steps*batch 2*hiddens")
    same(ops.flatten(S("a b c")), "a*b*c")
    same(ops.flatten(S("a b c"), start_dim=1), "a b*c")
    same(ops.flatten(S("2 3 n")), "6*n")
    same(ops.flatten(S("n")), "n")
    same(ops.flatten(S("")), "1")
    same(ops.flatten(S("*g a b"), start_dim=-2), "*g a*b")
    same(ops.flatten(S("*g a b"), start_dim=0, end_dim=-2), "_ b")
    same(ops.unflatten(S("steps*batch n"), 0, (steps, batch)), "steps batch n")
    same(ops.unflatten(S("steps*batch n"), 0, (steps, -1)), "steps batch n")
    conflict(
        ops.flatten(S("a b c"), start_dim=2, end_dim=1),
        "flatten: start_dim cannot come after end_dim",
    )
    conflict(
        ops.unflatten(S("n m"), 1, (2, n)),
        "unflatten: shape '[2, n]' is invalid for input of size m",
    )
    assert ops.flatten(S("*g a b"), start_dim=1) is UNKNOWN
    same(ops.unflatten(S("n m"), 1, (2, -1)), "n 2 _")  # m may be odd


# --- reshape and view -----------------------------------------------------------------


def test_reshape__solves_minus_one() -> None:
    """d2l: `Y.reshape(-1, Y.shape[-1])` of `steps batch 2*hiddens`."""
    Y = S("steps batch 2*hiddens")
    last = ops.size(Y, -1)
    assert isinstance(last, sympy.Expr)
    same(ops.reshape(Y, (-1, last)), "steps*batch 2*hiddens")
    same(ops.reshape(Y, (-1,)), "steps*batch*2*hiddens")
    same(ops.reshape(Y, (steps, -1)), "steps batch*2*hiddens")
    same(ops.view(S("a b c"), (-1, ops.size(S("a b c"), 0))), "b*c a")
    same(ops.reshape(S("4 6"), (3, -1)), "3 8")
    same(ops.reshape(S("n 2*m"), (2, -1)), "2 m*n")
    same(ops.reshape(S("n"), (1, -1, 1)), "1 n 1")


def test_reshape__literal_and_symbolic_sizes() -> None:
    same(ops.reshape(S("n m"), (m, n)), "m n")
    same(ops.reshape(S("2 3"), (6,)), "6")
    same(ops.view(S("steps*batch n"), (steps, batch, n)), "steps batch n")
    same(ops.reshape_as(S("a b"), S("b a")), "b a")
    same(ops.view_as(S("a b"), S("a*b")), "a*b")


def test_reshape__conflicts() -> None:
    conflict(
        ops.reshape(S("2 5"), (-1, 3)), "reshape: shape '[-1, 3]' is invalid for input of size 10"
    )
    conflict(
        ops.view(S("steps batch vocab"), (steps, batch)),
        "view: shape '[steps, batch]' is invalid for input of size steps*batch*vocab",
    )
    conflict(ops.reshape(S("n"), (-1, -1)), "reshape: only one dimension can be inferred")
    conflict(ops.reshape(S("n"), (-2, n)), "reshape: invalid shape dimension -2")
    conflict(ops.view_as(S("a b"), S("a")), "view_as: shape '[a]' is invalid for input of size a*b")


def test_reshape__unknown() -> None:
    same(ops.reshape(S("n"), (-1, 2)), "_ 2")  # n may be odd
    same(ops.reshape(S("*g n"), (-1, n)), "_ n")
    same(ops.reshape(UNKNOWN, (n, m)), "n m")
    same(ops.reshape(S("_ n"), (m, 3)), "m 3")  # _ may make it right
    assert ops.reshape_as(S("n"), UNKNOWN) is UNKNOWN


def test_expand_and_repeat() -> None:
    same(ops.expand(S("1 n"), (m, -1)), "m n")
    same(ops.expand(S("n"), (batch, steps, n)), "batch steps n")
    same(ops.expand(S("_ n"), (m, n)), "m n")
    same(ops.repeat(S("a b"), (2, 3)), "2*a 3*b")
    same(ops.repeat(S("n"), (steps, 1)), "steps n")
    conflict(
        ops.expand(S("n m"), (n, k)),
        "expand: the expanded size of the tensor (k) must match the existing size (m) at "
        "non-singleton dimension 1; target sizes: [n, k], tensor sizes: n m",
    )
    conflict(
        ops.expand(S("n"), (-1, n)),
        "expand: the expanded size of the tensor (-1) isn't allowed in a leading, "
        "non-existing dimension 0",
    )
    conflict(
        ops.repeat(S("a b"), (2,)),
        "repeat: number of dimensions of repeat dims can not be smaller than number of "
        "dimensions of tensor (a b)",
    )
    assert ops.repeat(S("*g n"), (1, 2)) is UNKNOWN


# --- creating --------------------------------------------------------------------------


def test_factories() -> None:
    same(ops.zeros((batch, hiddens)), "batch hiddens")
    same(ops.ones(batch, hiddens), "batch hiddens")
    same(ops.randn((vocab, hiddens)), "vocab hiddens")
    same(ops.empty(3), "3")
    same(ops.rand(()), "")
    same(ops.full((2, n), 0.5), "2 n")
    same(ops.zeros((2 * m, unknown_dim())), "2*m _")
    conflict(ops.zeros(2, -1), "zeros: trying to create tensor with negative dimension -1: [2, -1]")


def test_arange() -> None:
    same(ops.arange(5), "5")
    same(ops.arange(1, 10, 3), "3")
    same(ops.arange(n), "n")
    same(ops.arange(1, n + 1), "n")
    same(ops.arange(0, 2 * n, 2), "n")
    same(ops.arange(2, n), "_")  # n may be 1
    conflict(ops.arange(0, 5, 0), "arange: step must be nonzero")


# --- reductions ------------------------------------------------------------------------


def test_reductions() -> None:
    same(ops.sum(S("a b c")), "")
    same(ops.sum(S("a b c"), dim=1), "a c")
    same(ops.mean(S("a b c"), dim=(0, -1)), "b")
    same(ops.sum(S("a b c"), dim=(0, -1), keepdim=True), "1 b 1")
    same(ops.max(S("a b"), dim=1), "a")
    same(ops.min(S("a b"), dim=0, keepdim=True), "1 b")
    same(ops.argmax(S("a b")), "")
    same(ops.argmax(S("batch vocab"), dim=-1), "batch")
    same(ops.argmin(S("a b"), dim=0), "b")
    same(ops.prod(S("a b"), keepdim=True), "1 1")
    same(ops.amax(S("*g a b"), dim=-1), "*g a")
    same(ops.amin(S("a"), dim=[]), "")
    same(ops.std(S("a b"), dim=0), "b")
    same(ops.var(S("a b"), dim=1, keepdim=True), "a 1")
    same(ops.logsumexp(S("a b"), dim=1), "a")
    same(ops.reduce("norm", S(""), dim=0), "")
    conflict(
        ops.sum(S("a b"), dim=2),
        "sum: dimension out of range (expected to be in range of [-2, 1], but got 2) for a b",
    )
    conflict(
        ops.mean(S("a b"), dim=(1, -1)), "mean: dim 1 appears multiple times in the list of dims"
    )
    assert ops.sum(S("*g a"), dim=0) is UNKNOWN
    assert ops.sum(S("*g a"), keepdim=True) is UNKNOWN
    same(ops.sum(S("*g a")), "")
    assert ops.max(UNKNOWN, dim=0) is UNKNOWN


def test_softmax_and_friends() -> None:
    same(ops.softmax(S("batch vocab"), dim=-1), "batch vocab")
    same(ops.log_softmax(S("batch vocab"), dim=1), "batch vocab")
    same(ops.cumsum(S("*g n"), dim=0), "*g n")
    same(ops.softmax(S("n")), "n")
    conflict(
        ops.log_softmax(S("batch vocab"), dim=2),
        "log_softmax: dimension out of range (expected to be in range of [-2, 1], but got 2) "
        "for batch vocab",
    )
    assert ops.softmax(UNKNOWN, dim=1) is UNKNOWN


def test_one_hot() -> None:
    """d2l: `F.one_hot(X.T, vocab_size)` of token indices `batch steps`."""
    same(ops.one_hot(ok(ops.T(S("batch steps"))), num_classes=vocab), "steps batch vocab")
    same(ops.one_hot(S("*g n"), num_classes=10), "*g n 10")
    same(ops.one_hot(S("n")), "n _")
    conflict(
        ops.one_hot(S("n"), num_classes=-3),
        "one_hot: num_classes must be -1 or nonnegative, got -3",
    )
    assert ops.one_hot(UNKNOWN, num_classes=vocab) is UNKNOWN


# --- indexing, iteration, sizes ----------------------------------------------------------


def test_index__ints_none_ellipsis() -> None:
    same(ops.index(S("a b c"), 0), "b c")
    same(ops.index(S("a b c"), (0, -1)), "c")
    same(ops.index(S("a b c"), (Ellipsis, 0)), "a b")
    same(ops.index(S("a b c"), (None, 0, None)), "1 1 b c")
    same(ops.index(S("a b c"), (slice(None), None, Ellipsis, n)), "a 1 b")
    same(ops.index(S("*g a b"), (Ellipsis, 0)), "*g a")
    same(ops.index(S("*g a b"), (Ellipsis, None, slice(None))), "*g a 1 b")
    same(ops.index(S("a"), ()), "a")
    conflict(
        ops.index(S("a b"), (0, 0, 0)), "index: too many indices for tensor of dimension 2 (a b)"
    )
    conflict(
        ops.index(S("3 n"), 3),
        "index: index 3 is out of bounds for dimension 0 with size 3 (3 n)",
    )
    conflict(
        ops.index(S("n 3"), (Ellipsis, -4)),
        "index: index -4 is out of bounds for dimension 1 with size 3 (n 3)",
    )
    conflict(
        ops.index(S("a b"), (Ellipsis, 0, Ellipsis)),
        "index: an index can only have a single ellipsis ('...')",
    )


def test_index__slices() -> None:
    same(ops.index(S("a b"), slice(None)), "a b")
    same(ops.index(S("n+1 b"), slice(1, None)), "n b")
    same(ops.index(S("n b"), slice(None, -1)), "n-1 b")
    same(ops.index(S("n b"), slice(-1, None)), "1 b")
    same(ops.index(S("n b"), slice(None, 1)), "1 b")
    same(ops.index(S("n b"), slice(None, n)), "n b")
    same(ops.index(S("n+m b"), slice(n, None)), "m b")
    same(ops.index(S("10 b"), slice(2, 8, 3)), "2 b")
    same(ops.index(S("10 b"), slice(-3, None)), "3 b")
    same(ops.index(S("10 b"), slice(20, None)), "0 b")
    same(ops.index(S("2*n"), slice(None, None, 2)), "n")
    same(ops.index(S("*g n+2"), (Ellipsis, slice(2, None))), "*g n")
    conflict(ops.index(S("n"), slice(None, None, -1)), "index: step must be greater than zero")


def test_index__unknown() -> None:
    same(ops.index(S("n b"), slice(None, 3)), "_ b")  # n may be below 3
    same(ops.index(S("n b"), slice(2, None)), "_ b")
    same(ops.index(S("n b"), slice(m, None)), "_ b")
    same(ops.index(S("n"), slice(None, None, 2)), "_")
    assert ops.index(S("a b"), S("a")) is UNKNOWN  # a tensor index
    assert ops.index(S("a b"), [0, 1]) is UNKNOWN
    assert ops.index(S("a b"), True) is UNKNOWN
    assert ops.index(S("*g a"), 0) is UNKNOWN
    assert ops.index(S("*g a"), (Ellipsis, 0, 0)) is UNKNOWN
    assert ops.index(UNKNOWN, 0) is UNKNOWN
    same(ops.index(S("n b"), 5), "b")  # n is generic: no bound to check


def test_iterate() -> None:
    """d2l: `for X in inputs` of `steps batch vocab` gives `batch vocab`."""
    same(ops.iterate(S("steps batch vocab")), "batch vocab")
    same(ops.iterate(S("n")), "")
    conflict(ops.iterate(S("")), "iterate: iteration over a 0-d tensor")
    assert ops.iterate(S("*g n")) is UNKNOWN
    assert ops.iterate(UNKNOWN) is UNKNOWN


def test_shape_size_ndim_numel() -> None:
    assert ops.shape_tuple(S("steps batch")) == (steps, batch)
    assert ops.shape_tuple(S("*g n")) is UNKNOWN
    assert ops.size(S("steps batch 2*hiddens"), -1) == 2 * hiddens
    assert ops.size(S("*g n"), -1) == n
    assert ops.size(S("*g n"), 0) is UNKNOWN
    conflict(
        ops.size(S("a b"), 2),
        "size: dimension out of range (expected to be in range of [-2, 1], but got 2) for a b",
    )
    conflict(ops.size(S(""), 0), "size: dimension specified as 0 but tensor has no dimensions")
    assert ops.ndim(S("a b")) == 2 and ops.ndim(S("*g a")) is UNKNOWN
    assert ops.numel(S("steps batch")) == steps * batch
    assert ops.numel(UNKNOWN) is UNKNOWN


# --- d2l's LSTM, step by step -------------------------------------------------------------


def test_the_d2l_lstm_body() -> None:
    """models/lstm.py's `lstm`, followed op by op."""
    inputs, H, C = S("steps batch vocab"), S("batch hiddens"), S("batch hiddens")
    W_x, W_h, b = S("vocab hiddens"), S("hiddens hiddens"), S("hiddens")
    W_hq, b_q = S("hiddens vocab"), S("vocab")
    X = ok(ops.iterate(inputs))

    def gate() -> StaticShape:
        # torch.sigmoid((X @ W_x) + (H @ W_h) + b)
        x_w, h_w = ok(ops.matmul(X, W_x)), ok(ops.matmul(H, W_h))
        return ok(ops.unary(ok(ops.add(ok(ops.add(x_w, h_w)), b))))

    I, F, O, C_tilda = gate(), gate(), gate(), gate()
    C_new = ok(ops.add(ok(ops.mul(F, C)), ok(ops.mul(I, C_tilda))))
    H_new = ok(ops.mul(O, ops.unary(C_new)))
    same(C_new, "batch hiddens")
    same(H_new, "batch hiddens")
    Y = ok(ops.add(ok(ops.matmul(H_new, W_hq)), b_q))
    same(Y, "batch vocab")
    steps_of = ops.size(inputs, 0)
    assert isinstance(steps_of, sympy.Expr)
    same(ops.cat(Repeated(Y, steps_of), dim=0), "steps*batch vocab")
    # The bug d2l's shape analysis guards against: the weights the wrong way round.
    conflict(
        ops.matmul(X, S("hiddens vocab")),
        "matmul: the inner dims differ: vocab (of a: batch vocab) against hiddens (of b: "
        "hiddens vocab)",
    )


# --- properties ------------------------------------------------------------------------

_POOL = [n, m, batch, 2 * n, n + 1, steps * batch, sympy.Integer(1), sympy.Integer(3)]
dims_lists = st.lists(st.sampled_from(_POOL), max_size=5)


def _shape(dims: list[sympy.Expr]) -> StaticShape:
    return StaticShape(tuple(dims))


@settings(max_examples=60, deadline=None)
@given(dims_lists, st.randoms(use_true_random=False))
def test_property__permute_then_inverse_is_identity(
    dims: list[sympy.Expr], rng: random.Random
) -> None:
    order = list(range(len(dims)))
    rng.shuffle(order)
    inverse = [order.index(i) for i in range(len(dims))]
    permuted = ops.permute(_shape(dims), order)
    assert isinstance(permuted, StaticShape)
    assert ops.permute(permuted, inverse) == _shape(dims)


@settings(max_examples=60, deadline=None)
@given(dims_lists)
def test_property__reshape_flat_then_back(dims: list[sympy.Expr]) -> None:
    flat = ops.reshape(_shape(dims), (-1,))
    assert isinstance(flat, StaticShape)
    assert flat.dims == (sympy.Mul(*dims),)
    assert ops.reshape(flat, dims) == _shape(dims)
    if dims:
        back = ops.reshape(flat, [-1, *dims[1:]])
        assert back == _shape(dims)


@settings(max_examples=60, deadline=None)
@given(dims_lists.filter(bool), st.data())
def test_property__transpose_twice_and_unsqueeze_squeeze(
    dims: list[sympy.Expr], data: st.DataObject
) -> None:
    shape = _shape(dims)
    rank = len(dims)
    a = data.draw(st.integers(-rank, rank - 1))
    b = data.draw(st.integers(-rank, rank - 1))
    once = ops.transpose(shape, a, b)
    assert isinstance(once, StaticShape)
    assert ops.transpose(once, a, b) == shape
    at = data.draw(st.integers(-rank - 1, rank))
    added = ops.unsqueeze(shape, at)
    assert isinstance(added, StaticShape) and added.rank == rank + 1
    assert ops.squeeze(added, dim=at) == shape


@settings(max_examples=60, deadline=None)
@given(dims_lists.filter(bool), st.integers(1, 4), st.data())
def test_property__chunk_then_cat_is_identity(
    dims: list[sympy.Expr], chunks: int, data: st.DataObject
) -> None:
    axis = data.draw(st.integers(0, len(dims) - 1))
    dims[axis] = chunks * dims[axis]
    shape = _shape(dims)
    parts = ops.chunk(shape, chunks, dim=axis)
    assert isinstance(parts, tuple) and len(parts) == chunks
    assert ops.cat(list(parts), dim=axis) == shape
    assert ops.cat(Repeated(parts[0], chunks), dim=axis) == shape


@settings(max_examples=60, deadline=None)
@given(dims_lists, dims_lists)
def test_property__broadcast_is_symmetric(
    first: list[sympy.Expr], second: list[sympy.Expr]
) -> None:
    forward = ops.add(_shape(first), _shape(second))
    backward = ops.add(_shape(second), _shape(first))
    assert isinstance(forward, ShapeConflict) == isinstance(backward, ShapeConflict)
    if isinstance(forward, StaticShape):
        assert forward == backward
        assert ops.add(forward, _shape(first)) == forward


@settings(max_examples=60, deadline=None)
@given(dims_lists.filter(lambda dims: len(dims) >= 2), st.data())
def test_property__flatten_then_unflatten(dims: list[sympy.Expr], data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(dims) - 2))
    end = data.draw(st.integers(start, len(dims) - 1))
    shape = _shape(dims)
    flat = ops.flatten(shape, start_dim=start, end_dim=end)
    assert isinstance(flat, StaticShape) and flat.rank == len(dims) - (end - start)
    assert ops.unflatten(flat, start, dims[start : end + 1]) == shape
    assert ops.index(shape, (slice(None),) * len(dims)) == shape


def test_unknown_is_a_singleton() -> None:
    assert isinstance(UNKNOWN, Unknown)
    assert Unknown("UNKNOWN") is UNKNOWN
