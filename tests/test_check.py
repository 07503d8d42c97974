"""shapecheck.check: functions, methods, classes, the switches and the errors."""

import copy
import io
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, NamedTuple

import jaxtyping
import pytest
import torch
from jaxtyping import Float, Int, Shaped
from torch import Tensor, nn

import shapecheck
from shapecheck import AnnotationError, ShapeError, Size, check


class Pair(NamedTuple):
    W: Float[Tensor, "vocab hiddens"]
    b: Float[Tensor, "hiddens"]


@dataclass
class Box:
    x: Float[Tensor, "batch 2"]


@check
def step(
    inputs: Float[Tensor, "steps batch vocab"],
    state: tuple[Float[Tensor, "batch hiddens"], Float[Tensor, "batch hiddens"]],
    params: Pair,
) -> tuple[Float[Tensor, "steps*batch hiddens"], Float[Tensor, "batch hiddens"]]:
    H, _ = state
    out = torch.cat([x @ params.W + params.b for x in inputs])
    return out, H


@check
def zeros(batch_size: Annotated[int, Size("batch")], n: int) -> Float[Tensor, "batch n"]:
    return torch.zeros(batch_size + (n == 99), n)


@check
def variadic(x: Float[Tensor, "*lead c"], y: Float[Tensor, "*lead c"]) -> Float[Tensor, "*lead"]:
    return (x * y).sum(-1)


@check
def broadcast(
    x: Float[Tensor, "#batch c"], y: Float[Tensor, "batch c"]
) -> Float[Tensor, "batch c"]:
    return x + y


@check
def either(x: Float[Tensor, "a b"] | tuple[Float[Tensor, "a b"], Float[Tensor, "a b"]]) -> int:
    return 1


@check
def boxed(box: Box, rows: list[Int[Tensor, "batch"]]) -> Shaped[Tensor, "batch 2"]:
    return box.x


@check
def wrong_return(x: Float[Tensor, "a b"]) -> Float[Tensor, "b a"]:
    return x


def f32(*shape: int) -> Tensor:
    return torch.zeros(*shape)


def i64(*shape: int) -> Tensor:
    return torch.zeros(*shape, dtype=torch.long)


S, B, V, H = 5, 3, 7, 11
GOOD_PAIR = Pair(f32(V, H), f32(H))


@dataclass(frozen=True)
class Call:
    id: str
    fn: Callable[..., Any]
    args: tuple[Any, ...]


PASSING = [
    Call("step", step, (f32(S, B, V), (f32(B, H), f32(B, H)), GOOD_PAIR)),
    Call("size-binds", zeros, (3, 4)),
    Call("variadic-2", variadic, (f32(2, 3, 4), f32(2, 3, 4))),
    Call("variadic-0", variadic, (f32(4), f32(4))),
    Call("broadcast-1", broadcast, (f32(1, 4), f32(3, 4))),
    Call("union-tensor", either, (f32(2, 3),)),
    Call("union-tuple", either, ((f32(2, 3), f32(2, 3)),)),
    Call("dataclass-list", boxed, (Box(f32(3, 2)), [i64(3), i64(3)])),
]


@pytest.mark.parametrize("case", PASSING, ids=lambda c: c.id)
def test_check__passes(case: Call) -> None:
    case.fn(*case.args)


@dataclass(frozen=True)
class Violation:
    id: str
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    path: str
    fragments: tuple[str, ...]


VIOLATIONS = [
    Violation(
        "state-transposed",
        step,
        (f32(S, B, V), (f32(H, B), f32(H, B)), GOOD_PAIR),
        "state[0]",
        (
            r"dimension `batch` is 11 at state\[0\]\.shape\[0\], "
            r"but batch=3 was bound by inputs\.shape\[1\]",
            r"expected: Float\[Tensor, \"batch hiddens\"\]",
            r"actual:   float32\[11, 3\] on cpu",
            r"permute\(1, 0\)",
        ),
    ),
    Violation(
        "state-1-tuple",
        step,
        (f32(S, B, V), (f32(B, H),), GOOD_PAIR),
        "state",
        (r"expected a tuple of 2, got tuple of 1",),
    ),
    Violation(
        "params-field",
        step,
        (f32(S, B, V), (f32(B, H), f32(B, H)), Pair(f32(H, V), f32(H))),
        "params.W",
        (r"dimension `vocab` is 11 at params\.W\.shape\[0\], but vocab=7",),
    ),
    Violation(
        "dtype",
        step,
        (i64(S, B, V), (f32(B, H), f32(B, H)), GOOD_PAIR),
        "inputs",
        (r"dtype int64 is not a Float dtype", r"actual:   int64\[5, 3, 7\]"),
    ),
    Violation(
        "rank",
        step,
        (f32(S, B), (f32(B, H), f32(B, H)), GOOD_PAIR),
        "inputs",
        (r"has 2 dims, expected 3",),
    ),
    Violation(
        "not-a-tensor",
        step,
        ([1.0], (f32(B, H), f32(B, H)), GOOD_PAIR),
        "inputs",
        (r"expected a tensor, got list",),
    ),
    Violation(
        "size-return",
        zeros,
        (3, 99),
        "return",
        (
            r"dimension `batch` is 4 at return\.shape\[0\], "
            r"but batch=3 was bound by batch_size",
        ),
    ),
    Violation("size-not-int", zeros, ("3", 4), "batch_size", (r"expected an int, got str",)),
    Violation("non-tensor-hint", zeros, (3, "4"), "n", (r"expected int, got str",)),
    Violation(
        "variadic",
        variadic,
        (f32(2, 3, 4), f32(3, 2, 4)),
        "y",
        (r"variadic dims `\*lead` are \(3, 2\), but were bound to \(2, 3\) by x\.shape",),
    ),
    Violation(
        "broadcast-wrong", broadcast, (f32(2, 4), f32(3, 4)), "y", (r"dimension `batch` is 3",)
    ),
    Violation("union-none", either, ((f32(2, 3),),), "x", (r"matches none of the 2 options",)),
    Violation(
        "union-inner",
        either,
        ((f32(2, 3), f32(3, 3)),),
        "x[1]",
        (r"dimension `a` is 3 at x\[1\]\.shape\[0\]",),
    ),
    Violation(
        "dataclass-field",
        boxed,
        (Box(f32(3, 3)), []),
        "box.x",
        (r"axis 1 is 3, expected the fixed size 2",),
    ),
    Violation(
        "list-item",
        boxed,
        (Box(f32(3, 2)), [i64(3), i64(4)]),
        "rows[1]",
        (r"dimension `batch` is 4",),
    ),
    Violation(
        "return",
        wrong_return,
        (f32(2, 3),),
        "return",
        (
            r"dimension `b` is 2 at return\.shape\[0\], but b=3 was bound by x\.shape\[1\]",
            r"permute\(1, 0\)",
        ),
    ),
]


@pytest.mark.parametrize("case", VIOLATIONS, ids=lambda c: c.id)
def test_check__violation(case: Violation) -> None:
    with pytest.raises(ShapeError) as info:
        case.fn(*case.args)
    error = info.value
    assert error.path == case.path
    assert error.function == case.fn.__qualname__ + "()"
    message = str(error)
    assert message.startswith(f"{case.fn.__qualname__}(): {case.path} does not match")
    for fragment in case.fragments:
        assert re.search(fragment, message), (fragment, message)
    assert isinstance(error, TypeError)
    # Raised from the engine's verdict, or from None where only shapecheck
    # looks (NamedTuple fields, Size ints): the context is never shown.
    assert error.__suppress_context__
    assert error.__cause__ is None or isinstance(error.__cause__, jaxtyping.TypeCheckError)


def test_check__whole_message_and_fields() -> None:
    with pytest.raises(ShapeError) as info:
        step(f32(S, B, V), (f32(H, B), f32(H, B)), GOOD_PAIR)
    error = info.value
    assert str(error) == (
        "step(): state[0] does not match its annotation\n"
        '  expected: Float[Tensor, "batch hiddens"]\n'
        "  actual:   float32[11, 3] on cpu\n"
        "  reason:   dimension `batch` is 11 at state[0].shape[0], "
        "but batch=3 was bound by inputs.shape[1]\n"
        "  hint:     a transposition of state[0] would match: "
        "state[0].permute(1, 0) (axes 0 and 1 swapped)"
    )
    assert (error.dim, error.bound_value, error.bound_at, error.actual_value) == (
        "batch",
        3,
        "inputs.shape[1]",
        11,
    )
    assert error.permutation == (1, 0)


def test_shape_error__keeps_the_engine_text_as_cause() -> None:
    with pytest.raises(ShapeError) as info:
        step(f32(S, B, V), (f32(H, B), f32(H, B)), GOOD_PAIR)
    cause = info.value.__cause__
    assert isinstance(cause, jaxtyping.TypeCheckError)
    assert "state" in str(cause)
    with pytest.raises(ShapeError) as info:
        step(f32(S, B, V), (f32(B, H), f32(B, H)), Pair(f32(H, V), f32(H)))
    assert info.value.__cause__ is None  # the engine does not look into NamedTuple fields


def test_shape_error__pickles_with_its_fields() -> None:
    with pytest.raises(ShapeError) as info:
        step(f32(S, B, V), (f32(H, B), f32(H, B)), GOOD_PAIR)
    clone = pickle.loads(pickle.dumps(info.value))
    assert str(clone) == str(info.value)
    assert clone.path == "state[0]" and clone.bound_value == 3


def test_check__symbolic_dim_over_unbound_name_is_an_annotation_error() -> None:
    @check
    def f(x: Float[Tensor, "a+b"]) -> None:
        return None

    with pytest.raises(AnnotationError, match=r"uses 'a', which no earlier argument binds"):
        f(f32(3))


def test_check__fstring_dim_reads_arguments() -> None:
    @check
    def f(x: Float[Tensor, "n"], k: int) -> Float[Tensor, "{k}*n"]:
        return x.repeat(k if x.shape[0] != 5 else 1)

    assert f(f32(3), 2).shape == (6,)
    with pytest.raises(ShapeError, match=r"dimension `\{k\}\*n` is 5 at return.shape\[0\], but"):
        f(f32(5), 2)


def test_check__malformed_string_annotation_fails_at_decoration() -> None:
    def f(x: "Float[Tensor, '**batch']") -> None:
        return None

    with pytest.raises(AnnotationError, match=r"cannot resolve the annotations of .*f"):
        check(f)


def test_check__name_undefined_at_first_call_reads_as_any() -> None:
    # As in the engine: an annotation naming something that is not defined
    # (a class local to another function) accepts anything; the others are
    # still checked.
    def f(x: "Float[Tensor, 'a']", y: "NotDefinedYet") -> None:  # type: ignore[name-defined]  # noqa: F821
        return None

    checked = check(f)
    checked(f32(2), 1)
    checked(f32(2), "anything")
    with pytest.raises(ShapeError, match=r"x does not match"):
        checked(f32(2, 3), 1)


def test_check__rejects_non_callables() -> None:
    with pytest.raises(TypeError, match="decorates a function, a method or a class, not int"):
        check(3)


def test_check__with_parentheses_and_idempotent() -> None:
    once = check(wrong_return)
    assert once is wrong_return
    assert check()(wrong_return) is wrong_return


def test_check__bad_call_is_python_own_error() -> None:
    with pytest.raises(TypeError, match="missing a required argument|required positional"):
        step(f32(S, B, V))  # type: ignore[call-arg]


# ------------------------------------------------------------------- switches


def test_disabled__skips_checks_and_restores() -> None:
    bad = (f32(S, B, V), (f32(H, B), f32(H, B)), GOOD_PAIR)
    with shapecheck.disabled():
        assert not shapecheck.checks_active()
        _, H_out = step(*bad)  # unchecked: the wrong state passes through
        assert H_out.shape == (H, B)
    assert shapecheck.checks_active()
    with pytest.raises(ShapeError):
        step(*bad)


def test_disabled__restores_after_an_exception() -> None:
    with pytest.raises(KeyError), shapecheck.disabled():
        raise KeyError("x")
    assert shapecheck.checks_active()


@pytest.mark.parametrize("value", ["0", "false", "off", "NO"])
def test_env_switch__returns_the_function_unchanged(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("SHAPECHECK", value)

    def f(x: Float[Tensor, "a"]) -> Float[Tensor, "a"]:
        return x

    class M(nn.Module):
        def forward(self, x: Float[Tensor, "a"]) -> Float[Tensor, "a"]:
            return x

    forward = M.forward
    assert check(f) is f
    assert check(M) is M and M.forward is forward


@pytest.mark.parametrize("value", ["1", "", "yes"])
def test_env_switch__other_values_check(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SHAPECHECK", value)

    def f(x: Float[Tensor, "a"]) -> Float[Tensor, "a"]:
        return x

    assert check(f) is not f
    with pytest.raises(ShapeError):
        check(f)(f32(2, 2))


# -------------------------------------------------------------------- classes


@check
class Cell(nn.Module):
    def __init__(self, vocab: int, hiddens: int) -> None:
        super().__init__()
        self.linear = nn.Linear(vocab, hiddens)

    def forward(self, x: Float[Tensor, "batch vocab"]) -> Float[Tensor, "batch hiddens"]:
        return self.linear(x)

    def zero(self, batch_size: Annotated[int, Size("batch")]) -> Float[Tensor, "batch 1"]:
        return torch.zeros(batch_size, 1)

    @staticmethod
    def twice(x: Float[Tensor, "n"]) -> Float[Tensor, "2*n"]:
        return torch.cat([x, x])

    @classmethod
    def make(cls, x: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
        return x

    def plain(self, k: int) -> int:
        return k


def test_check_class__checks_every_tensor_method() -> None:
    cell = Cell(4, 5)
    assert cell(f32(3, 4)).shape == (3, 5)
    assert Cell.twice(f32(2)).shape == (4,)
    with pytest.raises(ShapeError, match=r"^Cell\.forward\(\): x does not match"):
        cell(f32(3))
    with pytest.raises(ShapeError, match=r"^Cell\.twice\(\): x does not match"):
        Cell.twice(f32(2, 2))
    with pytest.raises(ShapeError, match=r"^Cell\.make\(\): x does not match"):
        Cell.make(f32(2, 2))
    with pytest.raises(ShapeError, match=r"^Cell\.zero\(\): batch_size does not match"):
        cell.zero("2")  # type: ignore[arg-type]
    assert not hasattr(Cell.plain, "__shapecheck__")
    assert hasattr(Cell.forward, "__shapecheck__")


def test_check_class__module_machinery_still_works() -> None:
    cell = Cell(4, 5)
    seen: list[tuple[int, ...]] = []
    handle = cell.register_forward_hook(lambda m, i, o: seen.append(tuple(o.shape)))
    cell(f32(2, 4))
    handle.remove()
    assert seen == [(2, 5)]

    state = cell.state_dict()
    other = Cell(4, 5)
    other.load_state_dict(state)
    x = torch.randn(2, 4)
    assert torch.equal(other(x), cell(x))

    for clone in (copy.deepcopy(cell), pickle.loads(pickle.dumps(cell))):
        assert torch.equal(clone(x), cell(x))
        with pytest.raises(ShapeError):
            clone(f32(2))

    buffer = io.BytesIO()
    torch.save(cell, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=False)
    assert torch.equal(loaded(x), cell(x))


def test_check__results_are_bitwise_equal_on_and_off() -> None:
    cell = Cell(4, 5)
    x = torch.randn(6, 4)
    on = cell(x)
    with shapecheck.disabled():
        off = cell(x)
    assert torch.equal(on, off)


def test_check__meta_device() -> None:
    out = step(
        torch.zeros(S, B, V, device="meta"),
        (torch.zeros(B, H, device="meta"),) * 2,
        Pair(torch.zeros(V, H, device="meta"), torch.zeros(H, device="meta")),
    )
    assert out[0].shape == (S * B, H) and out[0].device.type == "meta"
    with pytest.raises(ShapeError, match=r"actual:   float32\[11, 3\] on meta"):
        step(
            torch.zeros(S, B, V, device="meta"),
            (torch.zeros(H, B, device="meta"),) * 2,
            Pair(torch.zeros(V, H, device="meta"), torch.zeros(H, device="meta")),
        )


@check
def tokens_of(corpus: list[int], x: Float[Tensor, "n"]) -> list[int]:
    return corpus[: x.shape[0]]


def test_check__leaves_the_global_random_state_alone() -> None:
    import random

    random.seed(1234)
    expected = [random.random() for _ in range(3)]
    random.seed(1234)
    for _ in range(20):
        tokens_of(list(range(50)), f32(3))
    with pytest.raises(ShapeError):
        tokens_of(list(range(50)), f32(3, 1))
    assert [random.random() for _ in range(3)] == expected
