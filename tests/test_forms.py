"""Every annotation form jaxtyping accepts, checked as the engine checks it.

The error paths here assert the type, the path and the text; the verdicts of
the two engines side by side are in `test_differential.py`.
"""

import dataclasses
import functools
import subprocess
import sys
import textwrap
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from jaxtyping import Float, Int, Shaped
from torch import Tensor, nn

from shapecheck import AnnotationError, ShapeError, check


def f32(*shape: int) -> Tensor:
    return torch.zeros(shape)


# ------------------------------------------------------------------ array types


class Grid:
    """A user's array type: jaxtyping needs only `.shape` and `.dtype`."""

    def __init__(self, shape: tuple[int, ...], dtype: str = "float32") -> None:
        self.shape, self.dtype = shape, dtype


def test_array_type__numpy_accepts_arrays_and_rejects_tensors() -> None:
    @check
    def f(x: Float[np.ndarray, "n"], y: Float[np.ndarray, "n"]) -> None:
        return None

    f(np.zeros(3, np.float32), np.zeros(3, np.float64))
    with pytest.raises(ShapeError, match=r"expected a ndarray, got float32\[3\] on cpu") as info:
        f(f32(3), np.zeros(3))
    assert info.value.path == "x"
    assert info.value.expected == 'Float[ndarray, "n"]'
    with pytest.raises(ShapeError, match=r"dimension `n` is 4 at y.shape\[0\]"):
        f(np.zeros(3, np.float32), np.zeros(4, np.float32))
    with pytest.raises(ShapeError, match=r"dtype int64 is not a Float dtype"):
        f(np.zeros(3, np.int64), np.zeros(3, np.float32))


def test_array_type__parameter_is_not_a_plain_tensor() -> None:
    @check
    def f(x: Float[nn.Parameter, "n"], y: nn.Parameter) -> None:
        return None

    p = nn.Parameter(f32(2))
    f(p, p)
    with pytest.raises(ShapeError, match=r"expected a Parameter") as info:
        f(f32(2), p)
    assert info.value.path == "x"
    with pytest.raises(ShapeError, match=r"expected a Parameter") as info:
        f(p, f32(2))
    assert info.value.path == "y"


def test_array_type__a_users_class_by_shape_and_dtype() -> None:
    @check
    def f(x: Float[Grid, "a b"], y: Int[Grid, "b"]) -> Float[Grid, "a"]:
        return Grid(x.shape[:1])

    assert f(Grid((2, 3)), Grid((3,), "int64")).shape == (2,)
    with pytest.raises(ShapeError, match=r"dimension `b` is 4 at y.shape\[0\]") as info:
        f(Grid((2, 3)), Grid((4,), "int64"))
    assert info.value.actual == "Grid int64[4]"
    with pytest.raises(ShapeError, match=r"dtype float32 is not a Int dtype"):
        f(Grid((2, 3)), Grid((3,)))
    with pytest.raises(ShapeError, match=r"expected a Grid, got float32\[2, 3\]"):
        f(f32(2, 3), Grid((3,), "int64"))


def test_array_type__any_is_duck_typed() -> None:
    @check
    def f(x: Shaped[Any, "n"], y: Shaped[Any, "n"]) -> None:
        return None

    f(np.zeros(2), f32(2))
    with pytest.raises(ShapeError, match=r"an array with `shape` and `dtype`"):
        f(np.zeros(2), [0.0, 0.0])


class Operator:
    """Like a LinearOperator: not a tensor, but with a torch shape and dtype."""

    dtype = torch.float32

    def __init__(self, *shape: int) -> None:
        self.shape = torch.Size(shape)


class Dense(Operator):
    @check
    def matmul(
        self: Float[Operator, "*batch m n"], rhs: Float[Tensor, "*batch n k"]
    ) -> Float[Tensor, "*batch m k"]:
        return torch.zeros(*self.shape[:-1], rhs.shape[-1])


def test_array_type__self_annotated_with_its_own_class() -> None:
    assert Dense(2, 3).matmul(f32(3, 5)).shape == (2, 5)
    with pytest.raises(ShapeError, match=r"dimension `n` is 4 at rhs.shape\[0\]"):
        Dense(2, 3).matmul(f32(4, 5))


# ------------------------------------------------------------- unions, containers


def test_union__optional_shares_the_calls_dims() -> None:
    @check
    def f(x: Float[Tensor, "n"], mask: Float[Tensor, "n"] | None = None) -> None:
        return None

    f(f32(2))
    f(f32(2), None)
    f(f32(2), f32(2))
    with pytest.raises(ShapeError, match=r"dimension `n` is 3 at mask.shape\[0\]") as info:
        f(f32(2), f32(3))
    assert info.value.path == "mask"


def test_union__int_option_and_optional_return() -> None:
    @check
    def f(x: Float[Tensor, "n"], y: int | Float[Tensor, "n"]) -> Float[Tensor, "n"] | None:
        return None if isinstance(y, int) else y

    assert f(f32(2), True) is None
    f(f32(2), f32(2))
    with pytest.raises(ShapeError, match=r"y does not match"):
        f(f32(2), f32(3))
    with pytest.raises(ShapeError, match=r"y does not match"):
        f(f32(2), "3")

    @check
    def g(x: Float[Tensor, "n"]) -> Float[Tensor, "n"] | None:
        return f32(3)

    with pytest.raises(ShapeError, match=r"return does not match"):
        g(f32(2))


CONTAINERS: list[tuple[str, Any, Callable[[Tensor], Any]]] = [
    ("dict", dict[str, Float[Tensor, "n"]], lambda t: {"k": t}),
    ("Mapping", Mapping[str, Float[Tensor, "n"]], lambda t: {"k": t}),
    ("Sequence", Sequence[Float[Tensor, "n"]], lambda t: (t,)),
    ("list-of-optional", list[Float[Tensor, "n"] | None], lambda t: [None, t]),
    ("nested", dict[str, list[tuple[Float[Tensor, "n"], int]]], lambda t: {"k": [(t, 1)]}),
    ("Iterable", Iterable[Float[Tensor, "n"]], lambda t: [t]),
]


@pytest.mark.parametrize("hint, make", [c[1:] for c in CONTAINERS], ids=[c[0] for c in CONTAINERS])
def test_container__items_share_the_calls_dims(hint: Any, make: Callable[[Tensor], Any]) -> None:
    def f(x: Float[Tensor, "n"], d: Any) -> None:
        return None

    f.__annotations__["d"] = hint
    checked = check(f)
    checked(f32(2), make(f32(2)))
    with pytest.raises(ShapeError) as info:
        checked(f32(2), make(f32(3)))
    assert info.value.path.startswith("d")


def test_container__every_dict_value_is_checked() -> None:
    @check
    def f(x: Float[Tensor, "n"], d: dict[str, Float[Tensor, "n"]]) -> None:
        return None

    with pytest.raises(ShapeError, match=r"dimension `n` is 3 at d\['b'\].shape\[0\]"):
        f(f32(2), {"a": f32(2), "b": f32(3), "c": f32(2)})


# ---------------------------------------------------------------- wrapped functions


def passthrough(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper


WRAPPERS: list[tuple[str, Callable[[Callable[..., Any]], Callable[..., Any]]]] = [
    ("no_grad", torch.no_grad()),
    ("inference_mode", torch.inference_mode()),
    ("functools.wraps", passthrough),
]


@pytest.mark.parametrize("wrap", [w[1] for w in WRAPPERS], ids=[w[0] for w in WRAPPERS])
@pytest.mark.parametrize("order", ["check-above", "check-below"])
def test_wrapped__checked_above_or_below(
    wrap: Callable[[Callable[..., Any]], Callable[..., Any]], order: str
) -> None:
    def add(x: Float[Tensor, "n"], y: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
        return x + y

    checked = check(wrap(add)) if order == "check-above" else wrap(check(add))
    assert checked(f32(2), f32(2)).shape == (2,)
    with pytest.raises(ShapeError, match=r"dimension `n` is 3 at y.shape\[0\]"):
        checked(f32(2), f32(3))


def test_wrapped__grad_mode_still_applies() -> None:
    @check
    @torch.no_grad()
    def f(x: Float[Tensor, "n"]) -> bool:
        return torch.is_grad_enabled()

    assert f(f32(2)) is False


# ------------------------------------------------------------------------ defaults


def test_defaults__not_passed_not_checked_passed_checked() -> None:
    @check
    def f(x: Float[Tensor, "n"], mask: Float[Tensor, "n"] = None, k: int = "one") -> None:  # type: ignore[assignment]
        return None

    f(f32(2))
    with pytest.raises(ShapeError, match=r"mask does not match"):
        f(f32(2), None)
    with pytest.raises(ShapeError, match=r"k does not match"):
        f(f32(2), k="two")


def test_defaults__dataclass_default_factory() -> None:
    @check
    @dataclasses.dataclass
    class State:
        h: Float[Tensor, "n"] = dataclasses.field(default_factory=lambda: f32(2))

        def width(self, x: Float[Tensor, "m n"]) -> int:
            return int(x.shape[1])

    state = State()
    assert state.h.shape == (2,)
    assert State(f32(3)).h.shape == (3,)
    with pytest.raises(ShapeError, match=r"h does not match"):
        State(f32(2, 2))


# ---------------------------------------------------------- body, properties, switches


def test_body__isinstance_sees_the_calls_dims() -> None:
    @check
    def f(x: Float[Tensor, "n"], y: Tensor) -> bool:
        return isinstance(y, Float[Tensor, "n"])

    assert f(f32(2), f32(2)) is True
    assert f(f32(2), f32(3)) is False


def test_body__dims_bound_in_the_body_reach_the_return() -> None:
    @check
    def f(x: Float[Tensor, "n"], y: Tensor) -> Float[Tensor, "m"]:
        assert isinstance(y, Float[Tensor, "m"])
        return y

    f(f32(2), f32(5))

    @check
    def g(x: Float[Tensor, "n"], y: Tensor) -> Float[Tensor, "m"]:
        assert isinstance(y, Float[Tensor, "m"])
        return torch.cat([y, y])

    with pytest.raises(ShapeError, match=r"m=5 was bound by the function body"):
        g(f32(2), f32(5))


def test_property__over_a_property_and_in_a_checked_class() -> None:
    @check
    class Box:
        def __init__(self, n: int) -> None:
            self.n = n

        @property
        def side(self) -> Float[Tensor, "2"]:
            return f32(self.n)

    assert Box(2).side.shape == (2,)
    with pytest.raises(ShapeError, match=r"Box.side\(\): return does not match"):
        _ = Box(3).side

    class Plain:
        @check
        @property
        def side(self) -> Float[Tensor, "2"]:
            return f32(3)

    with pytest.raises(ShapeError, match=r"return does not match"):
        _ = Plain().side


@pytest.mark.parametrize("order", ["over-check", "under-check"])
def test_no_type_check__turns_checks_off(order: str) -> None:
    def f(x: Float[Tensor, "2"]) -> Tensor:
        return x

    checked = (
        typing.no_type_check(check(f)) if order == "over-check" else check(typing.no_type_check(f))
    )
    assert checked(f32(3)).shape == (3,)


def test_symbolic__a_failing_expression_is_a_shape_error() -> None:
    @check
    def f(x: Float[Tensor, "n"]) -> Float[Tensor, "n//0"]:
        return x

    with pytest.raises(ShapeError, match=r"cannot be evaluated: ZeroDivisionError") as info:
        f(f32(2))
    assert info.value.path == "return"


def test_symbolic__an_unbound_name_is_an_annotation_error() -> None:
    @check
    def f(x: Float[Tensor, "m+1"]) -> None:
        return None

    with pytest.raises(AnnotationError, match=r"uses 'm', which no earlier argument binds"):
        f(f32(2))


@pytest.mark.parametrize(
    "x_dims, y_dims, x_shape, y_shape, ok",
    [
        ("*#foo", "*foo", (1,), (0,), True),
        ("#n", "n", (1,), (0,), True),
        ("n", "n", (0,), (0,), True),
        ("n", "n", (0,), (1,), False),
        ("*foo", "*#foo", (0,), (1,), True),
        ("*", "*", (1, 2), (2,), False),
        ("foo=#bar", "bar", (1,), (3,), True),
        ("foo=#bar", "bar", (2,), (3,), False),
    ],
)
def test_dims__size_zero_and_jaxtyping_forms(
    x_dims: str, y_dims: str, x_shape: tuple[int, ...], y_shape: tuple[int, ...], ok: bool
) -> None:
    def f(x: Any, y: Any) -> None:
        return None

    f.__annotations__.update(x=Float[Tensor, x_dims], y=Float[Tensor, y_dims])
    checked = check(f)
    if ok:
        checked(f32(*x_shape), f32(*y_shape))
    else:
        with pytest.raises(ShapeError):
            checked(f32(*x_shape), f32(*y_shape))


# ------------------------------------------------------------------------- install

NESTED_PACKAGE = """
import torch
from torch import Tensor
from jaxtyping import Float


def outer():
    def inner(x: Float[Tensor, "a"], y: Float[Tensor, "a"]) -> Float[Tensor, "a"]:
        return x + y
    return inner


def make_class():
    class Local:
        def first(self, x: Float[Tensor, "a b"]) -> Float[Tensor, "b"]:
            return x[0]
    return Local
"""

NESTED_SCRIPT = """
import shapecheck, torch
shapecheck.install("nested_demo")
import nested_demo
inner = nested_demo.outer()
assert inner(torch.zeros(2), torch.zeros(2)).shape == (2,)
for call in (lambda: inner(torch.zeros(2), torch.zeros(3)),
             lambda: nested_demo.make_class()().first(torch.zeros(2))):
    try:
        call()
    except shapecheck.ShapeError as error:
        print(str(error).splitlines()[0])
"""


def _run_installed(folder: Path, module: str, source: str, script: str) -> list[str]:
    """Write `module`, then run `script` (which installs the hook) in a fresh
    interpreter; its output lines."""
    (folder / f"{module}.py").write_text(textwrap.dedent(source))
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.mark.slow
def test_install__nested_functions_and_classes_are_checked(tmp_path: Path) -> None:
    assert _run_installed(tmp_path, "nested_demo", NESTED_PACKAGE, NESTED_SCRIPT) == [
        "outer.<locals>.inner(): y does not match its annotation",
        "make_class.<locals>.Local.first(): x does not match its annotation",
    ]


def test_annotation__a_hint_beartype_cannot_check_is_an_annotation_error() -> None:
    class NotAHint:
        def __class_getitem__(cls, item: Any) -> object:
            return object()

    def f(x: Float[Tensor, "n"], k: NotAHint[int]) -> None:  # type: ignore[valid-type]
        return None

    with pytest.raises(
        AnnotationError,
        match=r"f\(\): k: <object object at .*> is not a type hint that can be checked "
        r"\(invalid or unrecognized\)",
    ):
        check(f)


def test_locals__a_recursive_call_is_checked_too() -> None:
    @check
    def walk(x: Float[Tensor, "n"], y: Float[Tensor, "n"], depth: int) -> Tensor:
        z: Float[Tensor, "n"] = x + y
        if depth:
            return walk(f32(2), f32(depth + 2), depth - 1)
        return z

    assert walk(f32(3), f32(3), 0).shape == (3,)
    with pytest.raises(ShapeError, match=r"walk\(\): y does not match"):
        walk(f32(3), f32(3), 1)


INSTALL_FORWARD_REF = """
from __future__ import annotations
import torch
from torch import Tensor
from jaxtyping import Float


class Op:
    shape = torch.Size([2, 3])
    dtype = torch.float32

    def size(self: Float[Op, "m n"], x: Float[Tensor, "n"]) -> int:
        return 0
"""

INSTALL_FORWARD_REF_SCRIPT = """
import shapecheck, torch
shapecheck.install("forward_demo")
import forward_demo
op = forward_demo.Op()
print(op.size(torch.zeros(7)))
checked = shapecheck.check(forward_demo.Op)
try:
    op.size(torch.zeros(7))
except shapecheck.ShapeError as error:
    print(str(error).splitlines()[0])
"""


@pytest.mark.slow
def test_install__a_name_undefined_where_the_def_runs_reads_as_any(tmp_path: Path) -> None:
    # As under the engine's hook: inside `class Op`, `Op` is not defined yet,
    # so `self: Float[Op, ...]` is Any and `n` is bound by `x` alone; a later
    # `check` of the class leaves the hook's checked method as it is.
    lines = _run_installed(
        tmp_path, "forward_demo", INSTALL_FORWARD_REF, INSTALL_FORWARD_REF_SCRIPT
    )
    assert lines == ["0"]


def test_return__no_return_hint_is_checked_where_the_engine_checks_it() -> None:
    @check
    def stop(x: Float[Tensor, "n"]) -> typing.NoReturn:
        raise ValueError("stopped")

    @check
    def returns(x: Float[Tensor, "n"]) -> typing.NoReturn:  # type: ignore[misc]
        return None  # type: ignore[misc]

    with pytest.raises(ValueError, match="stopped"):
        stop(f32(2))
    with pytest.raises(ShapeError, match=r"returns\(\): return does not match") as info:
        returns(f32(2))
    assert info.value.expected == "NoReturn"
    assert "Expected type: typing.NoReturn" in str(info.value.__cause__)


def test_hook__every_method_including_the_dims_hook() -> None:
    # The import hook checks every annotated method, `__shapecheck_dims__`
    # too: that one is checked without reading the object's dims first.
    from shapecheck._runtime._decorator import check_every_method

    class Layer:
        def __init__(self, n: int) -> None:
            self.n = n

        def __shapecheck_dims__(self) -> dict[str, int]:
            return {"n": self.n}

        def forward(self, x: Float[Tensor, "b n"]) -> Float[Tensor, "b n"]:
            return x

    check_every_method(Layer)
    assert Layer(3).forward(f32(2, 3)).shape == (2, 3)
    assert Layer(3).__shapecheck_dims__() == {"n": 3}
    with pytest.raises(ShapeError, match=r"n=3 was bound by .*Layer.__shapecheck_dims__\(\)"):
        Layer(3).forward(f32(2, 4))
