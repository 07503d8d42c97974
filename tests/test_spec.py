"""The dim-string parser: what it accepts, and how it rejects the rest."""

from dataclasses import dataclass

import pytest

from shapecheck import AnnotationError
from shapecheck._spec import (
    Anonymous,
    Fixed,
    Named,
    Symbolic,
    Variadic,
    parse_shape,
)


@dataclass(frozen=True)
class Good:
    text: str
    dims: tuple[object, ...]
    variadic: int | None = None


GOOD = [
    Good("", ()),
    Good("batch hiddens", (Named("batch"), Named("hiddens"))),
    Good("  batch   hiddens ", (Named("batch"), Named("hiddens"))),
    Good("3 rows=4", (Fixed(3), Fixed(4, label="rows"))),
    Good("#batch", (Named("batch", broadcast=True),)),
    Good("_ _extra", (Anonymous("_"), Anonymous("_extra"))),
    Good("*batch c", (Variadic("batch"), Named("c")), 0),
    Good("a ... b", (Named("a"), Variadic(None), Named("b")), 1),
    Good("#*b", (Variadic("b", broadcast=True),), 0),
    Good("*_", (Variadic(None),), 0),
    Good("?x", (Named("x", treepath=True),)),
    # Forms jaxtyping accepts, read as jaxtyping reads them.
    Good("*", (Variadic(""),), 0),
    Good("foo=#bar", (Named("bar", broadcast=True),)),
    Good("#foo=bar", (Named("bar", broadcast=True),)),
    Good("a=*b c", (Variadic("b"), Named("c")), 0),
    Good("1x=3", (Fixed(3, label="1x"),)),
    Good("=", (Named(""),)),
    Good("+3 1_0", (Fixed(3), Fixed(10))),
    Good("\u0663", (Fixed(3),)),
]


@pytest.mark.parametrize("case", GOOD, ids=lambda c: repr(c.text))
def test_parse_shape__accepts(case: Good) -> None:
    shape = parse_shape(case.text)
    assert shape.dims == case.dims
    assert shape.variadic == case.variadic
    assert shape.text == case.text


def test_parse_shape__symbolic_names_exclude_called_functions() -> None:
    shape = parse_shape("steps*batch max(a,b)+1")
    first, second = shape.dims
    assert isinstance(first, Symbolic) and first.names == ("steps", "batch")
    assert isinstance(second, Symbolic) and second.names == ("a", "b")
    assert shape.names == ("steps", "batch", "a", "b")


def test_parse_shape__fstring_fields_are_not_dim_names() -> None:
    (dim,) = parse_shape("{self.n}*hiddens").dims
    assert isinstance(dim, Symbolic)
    assert dim.names == ("hiddens",)
    assert dim.code is None  # evaluated per call, with the arguments


@dataclass(frozen=True)
class Bad:
    text: object
    fragment: str
    fix: str | None


BAD = [
    Bad("batch,hiddens", "separated by spaces, not commas", "batch hiddens"),
    Bad("**batch", "do not repeat `*`", "*batch"),
    Bad("##batch", "do not repeat `#`", "#batch"),
    Bad("batch#", "goes before the name", "#batch"),
    Bad("*a *b", "more than one variadic group", None),
    Bad("*a ...", "more than one variadic group", None),
    Bad("*4", "a fixed size cannot be variadic", "4"),
    Bad("_4", "a fixed size cannot be anonymous", "4"),
    Bad("#_", "both anonymous and broadcastable", "_"),
    Bad("a+", "neither a dim name, a size, nor a valid expression", None),
    Bad("x...", "must stand on its own", "..."),
    Bad("*a+b", "cannot be variadic", None),
    Bad("{a", "unbalanced braces", None),
    Bad(3, "must be a str", None),
]


@pytest.mark.parametrize("case", BAD, ids=lambda c: repr(c.text))
def test_parse_shape__rejects_with_fix(case: Bad) -> None:
    with pytest.raises(AnnotationError) as info:
        parse_shape(case.text)
    message = str(info.value)
    assert case.fragment in message
    if case.fix is None:
        assert "did you mean" not in message
    else:
        assert message.endswith(f'did you mean "{case.fix}"?')


def test_parse_shape__whole_message() -> None:
    with pytest.raises(AnnotationError) as info:
        parse_shape("steps **batch")
    assert str(info.value) == (
        'invalid dimension string "steps **batch": `**batch`: do not repeat `*`; '
        'did you mean "steps *batch"?'
    )
