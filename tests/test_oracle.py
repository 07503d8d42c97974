"""shapecheck's own checker against jaxtyping + beartype, the reference engine.

Random annotations and random shapes: the verdicts must agree.
"""

import jaxtyping
import torch
from beartype import beartype
from hypothesis import given, settings
from hypothesis import strategies as st
from jaxtyping import Float
from torch import Tensor

import shapecheck
from shapecheck import AnnotationError, ShapeError
from shapecheck._runtime._values import Memo, check_value
from shapecheck._spec import spec_of

SINGLE = ["a", "b", "c", "1", "2", "3", "#a", "#b", "_", "a+1", "a*b", "2*a"]
VARIADIC = ["*v", "#*v", "..."]


@st.composite
def dim_strings(draw: st.DrawFn) -> str:
    dims = draw(st.lists(st.sampled_from(SINGLE), max_size=3))
    if draw(st.booleans()):
        dims.insert(draw(st.integers(0, len(dims))), draw(st.sampled_from(VARIADIC)))
    return " ".join(dims)


shapes = st.lists(st.integers(1, 3), max_size=4).map(tuple)


def engine_verdict(hx: object, hy: object, x: Tensor, y: Tensor) -> str:
    def f(x, y):  # type: ignore[no-untyped-def]
        return None

    f.__annotations__ = {"x": hx, "y": hy}
    try:
        jaxtyping.jaxtyped(typechecker=beartype)(f)(x, y)
    except jaxtyping.TypeCheckError:
        return "fail"
    except jaxtyping.AnnotationError:
        return "annotation"
    return "pass"


def own_verdict(hx: object, hy: object, x: Tensor, y: Tensor) -> str:
    memo = Memo({"x": x, "y": y})
    try:
        for name, hint, value in (("x", hx, x), ("y", hy, y)):
            if check_value(spec_of(hint), value, name, memo) is not None:
                return "fail"
    except AnnotationError:
        return "annotation"
    return "pass"


@settings(max_examples=400, deadline=None)
@given(dim_strings(), dim_strings(), shapes, shapes)
def test_checker__agrees_with_engine(
    sx: str, sy: str, shx: tuple[int, ...], shy: tuple[int, ...]
) -> None:
    hx, hy = Float[Tensor, sx], Float[Tensor, sy]
    x, y = torch.zeros(shx), torch.zeros(shy)
    assert own_verdict(hx, hy, x, y) == engine_verdict(hx, hy, x, y), (sx, sy, shx, shy)


@settings(max_examples=100, deadline=None)
@given(dim_strings(), shapes, st.sampled_from([torch.float32, torch.int64, torch.bool]))
def test_checker__agrees_on_dtypes(sx: str, shx: tuple[int, ...], dtype: torch.dtype) -> None:
    hint = Float[Tensor, sx]
    x = torch.zeros(shx, dtype=dtype)
    y = torch.zeros(())
    scalar = Float[Tensor, ""]
    assert own_verdict(hint, scalar, x, y) == engine_verdict(hint, scalar, x, y)


# ------------------------------------------------- the whole decorator, fast path

FAMILIES = [jaxtyping.Float, jaxtyping.Int, jaxtyping.Shaped, jaxtyping.Bool]
DTYPES = [torch.float32, torch.float16, torch.int64, torch.int32, torch.bool]


@st.composite
def tensor_hints(draw: st.DrawFn) -> object:
    family = draw(st.sampled_from(FAMILIES))
    return family[Tensor, draw(dim_strings())]


@st.composite
def hints(draw: st.DrawFn) -> object:
    # No `tuple[X, ...]`: the engine checks one random item of it, shapecheck
    # every item, so their verdicts differ on purpose (docs/runtime.md).
    kind = draw(st.sampled_from(["tensor", "tensor", "pair", "tuple1", "union"]))
    if kind == "union":
        return draw(tensor_hints()) | tuple[draw(tensor_hints()), draw(tensor_hints())]  # type: ignore[operator,misc]
    if kind == "pair":
        return tuple[draw(tensor_hints()), draw(tensor_hints())]  # type: ignore[misc]
    if kind == "tuple1":
        return tuple[draw(tensor_hints())]  # type: ignore[misc]
    return draw(tensor_hints())


tensors = st.builds(
    lambda shape, dtype: torch.zeros(shape, dtype=dtype), shapes, st.sampled_from(DTYPES)
)
values = st.one_of(tensors, st.tuples(tensors), st.tuples(tensors, tensors))


def decorator_verdict(fn: object) -> str:
    try:
        fn()  # type: ignore[operator]
    except ShapeError:
        return "fail"
    except AnnotationError:
        return "annotation"
    return "pass"


def reference_verdict(fn: object) -> str:
    try:
        fn()  # type: ignore[operator]
    except jaxtyping.TypeCheckError:
        return "fail"
    except jaxtyping.AnnotationError:
        return "annotation"
    return "pass"


@settings(max_examples=500, deadline=None)
@given(hints(), hints(), hints(), values, values)
def test_check__agrees_with_engine_on_random_signatures(
    hx: object, hy: object, hr: object, x: object, y: object
) -> None:
    def f(x, y):  # type: ignore[no-untyped-def]
        return y

    f.__annotations__ = {"x": hx, "y": hy, "return": hr}
    ours = shapecheck.check(f)
    engine = jaxtyping.jaxtyped(typechecker=beartype)(f)
    got = decorator_verdict(lambda: ours(x, y))
    assert got == reference_verdict(lambda: engine(x, y)), (hx, hy, hr, x, y)
