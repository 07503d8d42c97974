"""shapecheck's own checker against jaxtyping + beartype, the reference engine.

Random annotations and random shapes: the verdicts must agree.
"""

import functools
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import jaxtyping
import numpy as np
import torch
from beartype import beartype
from hypothesis import assume, example, given, settings
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
def dim_strings(
    draw: st.DrawFn, single: Sequence[str] = SINGLE, variadic: Sequence[str] = VARIADIC
) -> str:
    dims = draw(st.lists(st.sampled_from(single), max_size=3))
    if draw(st.booleans()):
        dims.insert(draw(st.integers(0, len(dims))), draw(st.sampled_from(variadic)))
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


# ------------------------------------------- size 0, unions, containers, wrappers, defaults,
# ------------------------------------------- array types: one case, two engines
#
# Every draw below is a `Case`: the annotations, defaults and arguments of one
# function `f(x, y) -> y` (or `f(x, y, z) -> z`), and how it is decorated. Both
# engines decorate the same function body and get the same arguments.
#
# Left out, as deliberate policy (docs/runtime.md): NamedTuples and dataclasses,
# whose fields shapecheck checks and the engine does not; containers whose items
# differ, every one of which shapecheck checks and only one of which the engine
# does (see `values_for`).

sizes_from_zero = st.integers(0, 3)
shapes_from_zero = st.lists(sizes_from_zero, max_size=4).map(tuple)

# Broadcasting is where size 0 differs from size 1: 0 broadcasts with 1 to 0.
BROADCAST_SINGLE = ["a", "b", "#a", "#b", "0", "1", "#1", "_"]
BROADCAST_VARIADIC = ["*v", "#*v", "*#v", "..."]
# Half of them a variadic group alone, which binds across arguments most often.
broadcast_dims = st.one_of(
    st.sampled_from(BROADCAST_VARIADIC), dim_strings(BROADCAST_SINGLE, BROADCAST_VARIADIC)
)


class MyArray:
    """A user's own array type: jaxtyping reads only `.shape` and `.dtype`."""

    def __init__(self, tensor: Tensor) -> None:
        self.tensor = tensor

    @property
    def shape(self) -> torch.Size:
        return self.tensor.shape

    @property
    def dtype(self) -> torch.dtype:
        return self.tensor.dtype


ARRAY_KINDS: dict[type, str] = {
    Tensor: "tensor",
    torch.nn.Parameter: "parameter",
    np.ndarray: "numpy",
    MyArray: "custom",
}
TENSORS_ONLY = ("tensor",)


def make_array(kind: str, shape: tuple[int, ...], dtype: torch.dtype) -> object:
    tensor = torch.zeros(shape, dtype=dtype)
    if kind == "numpy":
        return tensor.numpy()
    if kind == "parameter":
        return torch.nn.Parameter(tensor, requires_grad=tensor.is_floating_point())
    if kind == "custom":
        return MyArray(tensor)
    return tensor


def is_array_hint(hint: object) -> bool:
    return isinstance(hint, type) and issubclass(hint, jaxtyping.AbstractArray)


@st.composite
def leaf_hints(
    draw: st.DrawFn, dims: st.SearchStrategy[str] | None = None, arrays: Sequence[type] = (Tensor,)
) -> object:
    family = draw(st.sampled_from(FAMILIES))
    return family[draw(st.sampled_from(arrays)), draw(dim_strings() if dims is None else dims)]


Sizes = dict[str, Any]  # a dim name (or `_`, `...`) -> its size, or a variadic group's sizes


@st.composite
def size_sets(draw: st.DrawFn) -> Sizes:
    """One size for each dim name, shared by the values of a case, so that they often agree."""
    sizes: Sizes = {name: draw(sizes_from_zero) for name in ("a", "b", "c", "_")}
    sizes["v"] = tuple(draw(st.lists(sizes_from_zero, min_size=1, max_size=2)))
    sizes["..."] = tuple(draw(st.lists(sizes_from_zero, max_size=2)))
    return sizes


@st.composite
def shapes_near(draw: st.DrawFn, dims: str, sizes: Sizes) -> tuple[int, ...]:
    """The shape `dims` means under `sizes` (some `#` axes 1 instead), or a near miss:
    one axis off, one axis too many or too few, or any shape at all."""
    how = draw(st.sampled_from(["fit"] * 15 + ["axis off", "rank off", "any"]))
    if how == "any":
        return tuple(draw(shapes_from_zero))
    shape: list[int] = []
    for dim in dims.split():
        body = dim.lstrip("#*")
        if dim == "..." or dim.lstrip("#").startswith("*"):  # a variadic group
            group = list(sizes[body])
            if "#" in dim and draw(st.booleans()):  # broadcast: fewer axes, or 1s
                group = [draw(st.sampled_from([1, size])) for size in group]
                group = group[draw(st.integers(0, len(group))) :]
            shape += group
        elif body.isdigit():
            shape.append(int(body))
        else:  # a name, `_`, or an expression over names
            size = eval(body, {"__builtins__": {}}, dict(sizes))
            shape.append(1 if "#" in dim and draw(st.booleans()) else size)
    if how == "axis off" and shape:
        shape[draw(st.integers(0, len(shape) - 1))] = draw(sizes_from_zero)
    elif how == "rank off":
        if draw(st.booleans()) and shape:
            del shape[draw(st.integers(0, len(shape) - 1))]
        else:
            shape.insert(draw(st.integers(0, len(shape))), draw(sizes_from_zero))
    return tuple(shape)


def fitting_dtypes(hint: Any) -> list[torch.dtype]:
    if not isinstance(hint.dtypes, list | tuple):
        return DTYPES  # Shaped: any dtype
    names = [repr(dtype).rsplit(".", 1)[-1] for dtype in DTYPES]  # as jaxtyping names them
    return [dtype for dtype, name in zip(DTYPES, names, strict=True) if name in hint.dtypes]


@st.composite
def arrays_for(
    draw: st.DrawFn, hint: Any, sizes: Sizes, kinds: Sequence[str] = TENSORS_ONLY
) -> object:
    """An array near `hint`: most of the time of its shape, dtype and array type."""
    shape = draw(shapes_near(hint.dim_str, sizes))
    dtype = draw(st.sampled_from(draw(st.sampled_from([fitting_dtypes(hint)] * 9 + [DTYPES]))))
    own = ARRAY_KINDS[hint.array_type]
    kind = draw(st.sampled_from([own] * (3 * len(kinds)) + list(kinds)))
    return make_array(kind, shape, dtype)


WRONG_KINDS: st.SearchStrategy[object] = st.sampled_from([None, 1, "s", (), [], {}])


@st.composite
def values_for(
    draw: st.DrawFn, hint: Any, sizes: Sizes, kinds: Sequence[str] = TENSORS_ONLY
) -> object:
    """A value of the structure of `hint` most of the time, else a wrong kind of thing.

    The engine (beartype) checks one item of a container, drawn at random;
    shapecheck checks every item (docs/runtime.md). So that both verdicts are
    deterministic and comparable, every container holds one drawn item
    repeated (the same object, or none at all): its items are all valid or all
    wrong in the same way, and checking one of them says what checking all
    says. Containers whose items differ would compare that policy, not bugs.
    """
    if draw(st.integers(0, 9)) == 9:
        return draw(WRONG_KINDS)
    if is_array_hint(hint):
        return draw(arrays_for(hint, sizes, kinds))
    if hint is int:
        return draw(st.one_of(sizes_from_zero, WRONG_KINDS))
    if hint is type(None):
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return draw(values_for(draw(st.sampled_from(args)), sizes, kinds))
    if origin is tuple and args[-1] is not Ellipsis:
        return tuple(draw(values_for(arg, sizes, kinds)) for arg in args)
    item = draw(values_for(args[0] if origin is tuple else args[-1], sizes, kinds))
    n = draw(st.integers(0, 3))
    if origin is dict or origin is Mapping:
        keys: list[object] = [f"k{i}" for i in range(n)]
        if draw(st.integers(0, 7)) == 7:
            keys = list(range(n))  # every key of the wrong type
        return dict.fromkeys(keys, item)
    if origin is list:
        return [item] * n
    if origin is tuple:
        return (item,) * n
    assert origin is Sequence, hint
    return draw(st.sampled_from([list, tuple]))([item] * n)


# ----------------------------------------------------------------- the case itself


def passthrough(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A plain decorator of a user's own, transparent through `functools.wraps`."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

WRAPPERS: dict[str, Decorator] = {
    "passthrough": passthrough,
    "torch.no_grad()": lambda fn: torch.no_grad()(fn),
    "torch.inference_mode()": lambda fn: torch.inference_mode()(fn),
}
ENGINE: Decorator = jaxtyping.jaxtyped(typechecker=beartype)


@dataclass(frozen=True, repr=False)
class Case:
    """`f(x, y) -> y` (or `f(x, y, z) -> z`) with these annotations, called once."""

    hints: dict[str, object]  # by parameter name, and "return"
    args: tuple[object, ...]
    kwargs: dict[str, object] = field(default_factory=dict)
    defaults: tuple[object, ...] = ()  # of the last parameters, as in `__defaults__`
    wrapper: str | None = None  # a key of WRAPPERS
    check_outside: bool = True  # check(wrapper(f)), else wrapper(check(f))

    @property
    def params(self) -> list[str]:
        return [name for name in self.hints if name != "return"]

    def function(self) -> Callable[..., Any]:
        if len(self.params) == 3:

            def f(x: Any, y: Any, z: Any) -> Any:
                return z

        else:

            def f(x: Any, y: Any) -> Any:  # type: ignore[misc]
                return y

        f.__annotations__ = dict(self.hints)
        f.__defaults__ = self.defaults or None
        return f

    def verdict(
        self, decorate: Decorator, failure: type[Exception], annotation: type[Exception]
    ) -> str:
        fn = self.function()
        try:
            if self.wrapper is None:
                checked = decorate(fn)
            elif self.check_outside:
                checked = decorate(WRAPPERS[self.wrapper](fn))
            else:
                checked = WRAPPERS[self.wrapper](decorate(fn))
            checked(*self.args, **self.kwargs)
        except failure:
            return "fail"
        except annotation:
            return "annotation"
        except Exception as error:  # noqa: BLE001  (a crash is a verdict too)
            return f"raised {type(error).__name__}"
        return "pass"

    def __repr__(self) -> str:
        """The case as a reproducer: `check` stands for either engine."""
        defaults = dict(
            zip(self.params[len(self.params) - len(self.defaults) :], self.defaults, strict=True)
        )
        params = ", ".join(
            f"{name}: {hint_source(self.hints[name])}"
            + (f" = {value_source(defaults[name])}" if name in defaults else "")
            for name in self.params
        )
        returns = f" -> {hint_source(self.hints['return'])}" if "return" in self.hints else ""
        decorated = "check(f)"
        if self.wrapper is not None:
            decorated = (
                f"check({self.wrapper}(f))" if self.check_outside else f"{self.wrapper}(check(f))"
            )
        call = [value_source(arg) for arg in self.args]
        call += [f"{name}={value_source(value)}" for name, value in self.kwargs.items()]
        return (
            f"\ndef f({params}){returns}:\n    return {self.params[-1]}\n"
            f"{decorated}({', '.join(call)})\n"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def agree(case: Case) -> None:
    engine = case.verdict(ENGINE, jaxtyping.TypeCheckError, jaxtyping.AnnotationError)
    assume(not engine.startswith("raised"))  # the engine's own crash is no verdict
    ours = case.verdict(shapecheck.check, ShapeError, AnnotationError)
    assert ours == engine, f"shapecheck: {ours}, engine: {engine}\n{case!r}"


ARRAY_NAMES = {Tensor: "Tensor", torch.nn.Parameter: "nn.Parameter", np.ndarray: "np.ndarray"}


def hint_source(hint: Any) -> str:
    if is_array_hint(hint):
        array = ARRAY_NAMES.get(hint.array_type, hint.array_type.__name__)
        return f'{hint.dtype.__name__}[{array}, "{hint.dim_str}"]'
    if hint is type(None):
        return "None"
    if hint is Ellipsis:
        return "..."
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is None:
        return str(hint.__name__)
    inner = [hint_source(arg) for arg in args]
    if origin is types.UnionType:
        return " | ".join(inner)
    if origin is typing.Union:
        if len(args) == 2 and type(None) in args:
            return f"Optional[{inner[args.index(type(None)) - 1]}]"
        return f"Union[{', '.join(inner)}]"
    return f"{origin.__name__}[{', '.join(inner)}]"


def value_source(value: object) -> str:
    if isinstance(value, torch.nn.Parameter):
        return f"nn.Parameter({value_source(value.data)})"
    if isinstance(value, Tensor):
        dtype = "" if value.dtype == torch.float32 else f", dtype={value.dtype}"
        return f"torch.zeros({tuple(value.shape)}{dtype})"
    if isinstance(value, np.ndarray):
        return f"np.zeros({value.shape}, dtype=np.{value.dtype})"
    if isinstance(value, MyArray):
        return f"MyArray({value_source(value.tensor)})"
    if isinstance(value, list):
        return "[" + ", ".join(map(value_source, value)) + "]"
    if isinstance(value, tuple):
        return "(" + "".join(value_source(item) + ", " for item in value)[:-1] + ")"
    if isinstance(value, dict):
        items = (f"{key!r}: {value_source(item)}" for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    return repr(value)


# Derandomized: the same draws on every run, so that a difference found here
# is found again by whoever fixes it.
ORACLE = settings(max_examples=400, deadline=None, derandomize=True)

Test = Callable[[Case], None]


def pinned(*found: Case) -> Callable[[Test], Test]:
    """Differences that random runs found once, tried first on every run."""

    def pin(test: Test) -> Test:
        for case in reversed(found):
            test = example(case)(test)
        return test

    return pin


@st.composite
def cases(
    draw: st.DrawFn,
    hints: st.SearchStrategy[object],
    returns: st.SearchStrategy[object] | None = None,
    kinds: Sequence[str] = TENSORS_ONLY,
    params: Sequence[str] = ("x", "y"),
) -> Case:
    """Annotations from `hints` and values near them. The return annotation is
    drawn from `returns`, or is the last parameter's, or there is none."""
    annotations = {name: draw(hints) for name in params}
    last: Any = annotations[params[-1]]
    # `last | None`, not `Optional[last]`: beartype 0.23 fails to decorate a
    # second function that spells one class both `X | None` and `Optional[X]`.
    options = [st.none(), st.just(last), st.just(last | None)]
    returned = draw(st.one_of(*options, *([returns] if returns is not None else [])))
    if returned is not None:
        annotations["return"] = returned
    sizes = draw(size_sets())
    args = tuple(draw(values_for(annotations[name], sizes, kinds)) for name in params)
    return Case(annotations, args)


# ------------------------------------------------------------------------ size 0


@settings(max_examples=400, deadline=None, derandomize=True)
@given(broadcast_dims, broadcast_dims, shapes_from_zero, shapes_from_zero)
@example("#*v", "*v", (1,), (0,))  # 0 broadcasts with 1 to 0, not to 1
@example("*v", "#*v", (0,), ())
def test_checker__agrees_with_engine_on_size_zero(
    sx: str, sy: str, shx: tuple[int, ...], shy: tuple[int, ...]
) -> None:
    hx, hy = Float[Tensor, sx], Float[Tensor, sy]
    x, y = torch.zeros(shx), torch.zeros(shy)
    assert own_verdict(hx, hy, x, y) == engine_verdict(hx, hy, x, y), (sx, sy, shx, shy)


broadcast_leaves = leaf_hints(dims=broadcast_dims)


# Three arguments: a variadic group broadcast twice, then checked against a third.
@ORACLE
@given(cases(broadcast_leaves, returns=broadcast_leaves, params=("x", "y", "z")))
@pinned(
    # `*v` bound to (1,) by a `#*v` broadcasts with (0,) to (0,), not to (1,)
    Case({"x": Float[Tensor, "#*v"], "y": Float[Tensor, "*v"]}, (torch.zeros(1), torch.zeros(0))),
    Case(
        {"x": Float[Tensor, "#*v"], "y": Float[Tensor, "#*v"], "z": Float[Tensor, "#*v"]},
        (torch.zeros(0), torch.zeros(()), torch.zeros(2)),
    ),
)
def test_check__agrees_with_engine_on_size_zero(case: Case) -> None:
    agree(case)


# ---------------------------------------------------------- unions with None and int


@st.composite
def optional_hints(draw: st.DrawFn) -> object:
    """A tensor hint in a union with None or int, or beside a plain `int` (whose
    failure the engine reports before any later argument is looked at)."""
    leaf: Any = draw(tensor_hints())
    forms = [
        leaf,
        typing.Optional[leaf],  # noqa: UP045
        leaf | None,
        leaf | int,
        int | leaf,
        typing.Union[leaf, None, int],  # noqa: UP007
        list[leaf | None],
        tuple[leaf | None, ...],
        typing.Optional[tuple[leaf, leaf]],  # noqa: UP045
        int,
    ]
    return draw(st.sampled_from(forms))


@ORACLE
@given(cases(optional_hints(), returns=optional_hints()))
@pinned(
    # the None option of a union matches None only
    Case(
        {"x": Float[Tensor, "a"], "y": Float[Tensor, "b"], "return": Float[Tensor, "a"] | None},
        (torch.zeros(2), torch.zeros(3)),
    ),
    # the int option matches ints only: the tensor option binds `a`
    Case(
        {"x": int | Float[Tensor, "a"], "y": Float[Tensor, "2*a"]}, (torch.zeros(1), torch.zeros(2))
    ),
    # the engine fails `x` before it looks at `y` (and its unbound `b`)
    Case({"x": int, "y": Float[Tensor, "b+1"]}, ("s", torch.zeros(1))),
)
def test_check__agrees_with_engine_on_unions_with_none_and_int(case: Case) -> None:
    agree(case)


# ------------------------------------------------------------ dicts and sequences

CONTAINERS: list[Callable[[Any], object]] = [
    lambda item: list[item],  # type: ignore[valid-type]
    lambda item: tuple[item, ...],  # type: ignore[valid-type]
    lambda item: Sequence[item],  # type: ignore[valid-type]
    lambda item: dict[str, item],  # type: ignore[valid-type]
    lambda item: Mapping[str, item],  # type: ignore[valid-type]
]


@st.composite
def container_hints(draw: st.DrawFn) -> object:
    """A leaf in one or two containers: `dict[str, list[Float[Tensor, "a"]]]`."""
    hint = draw(tensor_hints())
    for _ in range(draw(st.integers(1, 2))):
        hint = draw(st.sampled_from(CONTAINERS))(hint)
    return hint


@ORACLE
@given(cases(st.one_of(container_hints(), tensor_hints()), returns=container_hints()))
@pinned(
    # dims in dicts and sequences are the call's dims
    Case(
        {"x": dict[str, Float[Tensor, "a"]], "y": Float[Tensor, "a"]},
        ({"k": torch.zeros(2)}, torch.zeros(3)),
    ),
    Case(
        {"x": Sequence[Float[Tensor, "a"]], "y": Float[Tensor, "a+1"]},
        ([torch.zeros(0)], torch.zeros(1)),
    ),
    # a key of the wrong type fails before the engine looks at a value, or at `y`
    Case(
        {"x": dict[str, Float[Tensor, "a"]], "y": Float[Tensor, "b+1"]},
        ({0: torch.zeros(2)}, torch.zeros(1)),
    ),
    Case(
        {"x": dict[str, Float[Tensor, "a+1"]], "y": Float[Tensor, ""]},
        ({0: torch.zeros(1)}, torch.zeros(())),
    ),
)
def test_check__agrees_with_engine_on_containers(case: Case) -> None:
    agree(case)


# ------------------------------------------------------------ wrapped functions


@st.composite
def wrapped_cases(draw: st.DrawFn) -> Case:
    case = draw(cases(st.one_of(tensor_hints(), optional_hints()), returns=tensor_hints()))
    wrapper = draw(st.sampled_from(sorted(WRAPPERS)))
    return replace(case, wrapper=wrapper, check_outside=draw(st.booleans()))


@ORACLE
@given(wrapped_cases())
@pinned(  # the wrapped function's annotations are checked
    *(
        Case(
            {"x": Float[Tensor, ""], "y": Float[Tensor, ""]},
            (torch.zeros(()), torch.zeros(0)),
            wrapper=name,
        )
        for name in WRAPPERS
    )
)
def test_check__agrees_with_engine_through_wrappers(case: Case) -> None:
    agree(case)


# ---------------------------------------------------------------------- defaults


@st.composite
def default_cases(draw: st.DrawFn) -> Case:
    """Defaults for `y`, or for `x` and `y`: None, or an array near the annotation
    (so maybe a conflicting one); each call passes some of them, positionally or
    by keyword. A default not passed is never checked (the engine's policy);
    the return value, which may be that default, is."""
    case = draw(cases(st.one_of(tensor_hints(), optional_hints()), returns=tensor_hints()))
    defaulted = draw(st.integers(1, 2))
    sizes = draw(size_sets())
    defaults = tuple(
        draw(st.one_of(st.none(), values_for(case.hints[name], sizes)))
        for name in case.params[2 - defaulted :]
    )
    x, y = case.args
    calls: list[tuple[tuple[object, ...], dict[str, object]]] = [
        ((x,), {}),  # y left out
        ((x, y), {}),
        ((x,), {"y": y}),
    ]
    if defaulted == 2:
        calls += [((), {}), ((), {"y": y})]  # x left out as well
    args, kwargs = draw(st.sampled_from(calls))
    return replace(case, args=args, kwargs=kwargs, defaults=defaults)


@ORACLE
@given(default_cases())
@pinned(
    # a default not passed is not checked: not None, not a conflicting tensor,
    # not on the way to explaining the return value's failure
    Case({"x": Float[Tensor, ""], "y": Float[Tensor, ""]}, (torch.zeros(()),), defaults=(None,)),
    Case(
        {"x": Float[Tensor, "a"], "y": Float[Tensor, "a"]},
        (torch.zeros(2),),
        defaults=(torch.zeros(3),),
    ),
    Case(
        {"x": Float[Tensor, "a+1"], "y": Float[Tensor, ""], "return": Float[Tensor, ""]},
        (),
        defaults=(torch.zeros(1), None),
    ),
    Case(
        {"x": Float[Tensor, ""], "y": Float[Tensor, "a+1"]},
        (),
        {"y": torch.zeros(1)},
        defaults=(None, None),
    ),
)
def test_check__agrees_with_engine_on_defaults(case: Case) -> None:
    agree(case)


# -------------------------------------------------------- array types other than Tensor


@ORACLE
@given(
    cases(
        leaf_hints(arrays=list(ARRAY_KINDS)),
        returns=leaf_hints(arrays=list(ARRAY_KINDS)),
        kinds=list(ARRAY_KINDS.values()),
    )
)
@pinned(  # each array type is its own: a tensor is no ndarray, a Parameter is a tensor
    Case(
        {"x": Float[np.ndarray, "a"], "y": Float[Tensor, "a"]},
        (np.zeros(2, np.float32), torch.zeros(2)),
    ),
    Case({"x": Float[np.ndarray, "a"], "y": Float[Tensor, "a"]}, (torch.zeros(2), torch.zeros(2))),
    Case(
        {"x": Float[torch.nn.Parameter, "a"], "y": Float[Tensor, "a"]},
        (torch.zeros(2), torch.zeros(2)),
    ),
    Case(
        {"x": Float[MyArray, "a"], "y": Float[Tensor, "a"]},
        (MyArray(torch.zeros(2)), torch.zeros(2)),
    ),
)
def test_check__agrees_with_engine_on_array_types(case: Case) -> None:
    agree(case)
