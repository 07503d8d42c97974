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

from shapecheck import AnnotationError
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
