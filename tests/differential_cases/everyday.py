"""Everyday patterns, and the known problem classes of issue 9.

Ids start with the pattern: `optional.` unions with non-tensor options,
`stacked.` other decorators around the checked one, `containers.` dims shared
through dicts, sequences and nested containers, `arrays.` array types other
than a plain tensor, `zero.` size-0 axes, `dataclass.` and `namedtuple.`,
`defaults.`, `strings.` string annotations, `edge.` dim-string forms,
`property.`, `no_type_check.`, `body.` what the body sees of the call's dims,
`module.` nn.Module methods, `misc.`.

Where beartype checks one random item of a container, the items are all bad,
or there is one, so that the engine's verdict does not depend on its draw.
"""

import asyncio
import collections
import dataclasses
import functools
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal, NamedTuple, Optional, Union, no_type_check

import numpy as np
import torch
from beartype import beartype
from jaxtyping import Bool, Float, Int, Shaped
from torch import Tensor, nn

import shapecheck

from ._case import (
    PASS,
    RAISE,
    REJECT,
    Case,
    Decorator,
    Program,
    Seen,
    b8,
    f32,
    i64,
    nf64,
    ni64,
    one,
    saw,
)

N = Float[Tensor, "n"]
TypingList = typing.List  # noqa: UP006  (the old spelling, on purpose)


def pair(hx: Any, hy: Any) -> Program:
    """`f(x: hx, y: hy) -> None`."""

    def program(deco: Decorator) -> Callable[..., Any]:
        @deco
        def f(x: hx, y: hy) -> None:
            pass

        return f

    return program


def unreturned(hx: Any) -> Program:
    """`f(x: hx)`, no return annotation: the engine draws one item of a container, once."""

    def program(deco: Decorator) -> Callable[..., Any]:
        @deco
        def f(x: hx):
            pass

        return f

    return program


def returning(hint: Any, value: Any) -> Program:
    """`f(x: Float[Tensor, "n"]) -> hint`, returning `value`."""

    def program(deco: Decorator) -> Callable[..., Any]:
        @deco
        def f(x: Float[Tensor, "n"]) -> hint:
            return value

        return f

    return program


# ------------------------------------------------------------------- optional.


def optional_mask(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"], mask: Optional[Float[Tensor, "n"]] = None) -> Float[Tensor, "n"]:  # noqa: UP045
        return x

    return f


def optional_mask_first(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(mask: Float[Tensor, "n"] | None, x: Float[Tensor, "n"]) -> None:
        pass

    return f


def optional_kwonly(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"], *, mask: Float[Tensor, "n"] | None = None) -> None:
        pass

    return f


def optional_method(deco: Decorator) -> Callable[..., Any]:
    class Attention(nn.Module):
        @deco
        def forward(
            self, q: Float[Tensor, "b n d"], mask: Bool[Tensor, "b n"] | None = None
        ) -> Float[Tensor, "b n d"]:
            return q

    return Attention()


def optional_return(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"], out: Any) -> Optional[Float[Tensor, "n"]]:  # noqa: UP045
        return out

    return f


def union_return_tuple(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(
        x: Float[Tensor, "n"], out: Any
    ) -> Float[Tensor, "n"] | tuple[Float[Tensor, "n"], Float[Tensor, "n"]]:
        return out

    return f


# -------------------------------------------------------------------- stacked.


def passthrough(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper


STACKED: dict[str, Callable[[Callable[..., Any]], Callable[..., Any]]] = {
    "no_grad": torch.no_grad(),
    "inference_mode": torch.inference_mode(),
    "enable_grad": torch.enable_grad(),
    "wraps": passthrough,
    "wraps-twice": lambda fn: passthrough(passthrough(fn)),
}


def stacked(name: str, below: bool) -> Program:
    """The checked function under (or over) another decorator; the body reports the grad mode."""
    other = STACKED[name]

    def program(deco: Decorator) -> Callable[..., Any]:
        def f(x: Float[Tensor, "n"], y: Float[Tensor, "n"]):
            return Seen((torch.is_grad_enabled(), torch.is_inference_mode_enabled()))

        return deco(other(f)) if below else other(deco(f))

    return program


def stacked_return(name: str, below: bool) -> Program:
    other = STACKED[name]

    def program(deco: Decorator) -> Callable[..., Any]:
        def f(x: Float[Tensor, "n"]) -> Float[Tensor, "n n"]:
            return x

        return deco(other(f)) if below else other(deco(f))

    return program


def stacked_cases(name: str, below: bool) -> list[Case]:
    where = f"check-over-{name}" if below else f"{name}-over-check"
    grad_mode = (name not in ("no_grad", "inference_mode"), name == "inference_mode")
    return [
        Case(f"stacked.{where}/ok", stacked(name, below), (f32(3), f32(3)), saw(grad_mode)),
        Case(f"stacked.{where}/bad", stacked(name, below), (f32(3), f32(4)), RAISE),
        Case(f"stacked.{where}/return-bad", stacked_return(name, below), (f32(3),), RAISE),
    ]


def stacked_module(deco: Decorator) -> Callable[..., Any]:
    class Head(nn.Module):
        @deco
        @torch.no_grad()
        def forward(self, x: Float[Tensor, "b n"], y: Float[Tensor, "b"]) -> Float[Tensor, "b"]:
            return y

    return Head()


# ----------------------------------------------------------------- containers.


def shared(hint: Any) -> Program:
    """`f(xs: hint, y: Float[Tensor, "b"])`: the container's tensors share b with y."""

    def program(deco: Decorator) -> Callable[..., Any]:
        @deco
        def f(xs: hint, y: Float[Tensor, "b"]) -> None:
            pass

        return f

    return program


def variadic_positional(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(*xs: Float[Tensor, "n"]) -> None:
        pass

    return f


def variadic_keyword(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(**xs: Float[Tensor, "n"]) -> None:
        pass

    return f


def variadic_return(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(*xs: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
        return torch.zeros(4)

    return f


def shared_return(hint: Any, value: Any) -> Program:
    return returning(hint, value)


# --------------------------------------------------------------------- arrays.


class Duck:
    """Duck-typed: a `.shape` and a torch `.dtype`, nothing else."""

    def __init__(self, *shape: int) -> None:
        self.shape = torch.Size(shape)
        self.dtype = torch.float32


class SubTensor(Tensor):
    pass


def numpy_shares(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[np.ndarray, "n"], y: Float[Tensor, "n"]) -> None:
        pass

    return f


def numpy_return(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"], out: Any) -> Float[np.ndarray, "n"]:
        return out

    return f


# ----------------------------------------------------------------------- zero.


def zero_transpose(transpose: bool) -> Program:
    def program(deco: Decorator) -> Callable[..., Any]:
        @deco
        def f(x: Float[Tensor, "a b"]) -> Float[Tensor, "b a"]:
            return x.T if transpose else x

        return f

    return program


def symbolic_return(dims: str, expr: str, out: Tensor) -> Program:
    def program(deco: Decorator) -> Callable[..., Any]:
        @deco
        def f(x: Float[Tensor, dims]) -> Float[Tensor, expr]:
            return out

        return f

    return program


# -------------------------------------------------------- dataclass, namedtuple.


def default_factory(deco: Decorator) -> Callable[..., Any]:
    @deco
    @dataclasses.dataclass
    class Params:
        w: Float[Tensor, "n"] = dataclasses.field(default_factory=lambda: torch.zeros(3))
        b: Float[Tensor, "n"] = dataclasses.field(default_factory=lambda: torch.zeros(3))

    return Params


def default_factory_mismatch(deco: Decorator) -> Callable[..., Any]:
    @deco
    @dataclasses.dataclass
    class Params:
        w: Float[Tensor, "n"] = dataclasses.field(default_factory=lambda: torch.zeros(3))
        b: Float[Tensor, "n"] = dataclasses.field(default_factory=lambda: torch.zeros(4))

    return Params


def dataclass_fields(**options: bool) -> Program:
    def program(deco: Decorator) -> Callable[..., Any]:
        @deco
        @dataclasses.dataclass(**options)
        class Box:
            x: Float[Tensor, "n"]
            y: Float[Tensor, "n"]

        return Box

    return program


def dataclass_post_init(deco: Decorator) -> Callable[..., Any]:
    @deco
    @dataclasses.dataclass
    class Box:
        x: Float[Tensor, "n"]
        y: Float[Tensor, "n"] = dataclasses.field(init=False)

        def __post_init__(self) -> None:
            self.y = torch.zeros(7)

    return Box


@dataclasses.dataclass
class Params:
    W: Float[Tensor, "n m"]
    b: Float[Tensor, "m"] = dataclasses.field(default_factory=lambda: torch.zeros(2))


class State(NamedTuple):
    H: Float[Tensor, "b h"]
    C: Float[Tensor, "b h"]


def takes_params(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(p: Params, x: Float[Tensor, "n"]) -> None:
        pass

    return f


def takes_state(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(state: State, x: Float[Tensor, "b"]) -> None:
        pass

    return f


def returns_state(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "b h"]) -> State:
        return State(x, torch.zeros(9, 9))

    return f


# ------------------------------------------------------------------- defaults.


def default_none(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"], mask: Float[Tensor, "n"] = None) -> None:
        pass

    return f


def default_none_kwonly(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"], *, mask: Float[Tensor, "n"] = None) -> None:
        pass

    return f


def default_none_method(deco: Decorator) -> Callable[..., Any]:
    class Layer(nn.Module):
        @deco
        def forward(self, x: Float[Tensor, "b n"], bias: Float[Tensor, "n"] = None) -> None:
            pass

    return Layer()


def default_tensor(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"], y: Float[Tensor, "n"] = torch.zeros(3)) -> None:  # noqa: B008
        pass

    return f


def default_wrong_type(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"], k: int = "two") -> None:
        pass

    return f


# -------------------------------------------------------------------- strings.


Vector = Float[Tensor, "n"]


def local_class_wrong(deco: Decorator) -> Callable[..., Any]:
    class LocalFoo:
        pass

    @deco
    def f(x: "LocalFoo") -> "LocalFoo":
        return x

    return lambda: f(1)


def local_namedtuple(deco: Decorator) -> Callable[..., Any]:
    class LocalPair(NamedTuple):
        a: Float[Tensor, "n"]
        b: Float[Tensor, "n"]

    @deco
    def f(p: "LocalPair", y: Float[Tensor, "n"]) -> None:
        pass

    return lambda y: f(LocalPair(torch.zeros(3), torch.zeros(3)), y)


def string_whole(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: 'Float[Tensor, "n"]', y: 'Float[Tensor, "n"]') -> None:
        pass

    return f


def string_local_alias(deco: Decorator) -> Callable[..., Any]:
    LocalVector = Float[Tensor, "n"]  # noqa: N806

    @deco
    def f(x: "LocalVector", y: "LocalVector") -> None:
        pass

    del LocalVector
    return f


def string_module_alias(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: "Vector", y: "Vector") -> None:
        pass

    return f


def string_in_container(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(xs: list["Vector"], y: Vector) -> None:
        pass

    return f


# ----------------------------------------------------------------------- edge.


def fstring_attr(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(p: Params, x: Float[Tensor, "{p.W.shape[1]}"]) -> None:
        pass

    return f


def fstring_div(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(n: int, m: int) -> Float[Tensor, "{n//m}"]:
        return torch.zeros(1)

    return f


def late_global(deco: Decorator) -> Callable[..., Any]:
    """A string annotation naming a module global that exists only after decorating."""

    @deco
    def f(x: "LateVector", y: "LateVector") -> None:
        pass

    def call(*args: Any) -> None:
        globals()["LateVector"] = Float[Tensor, "n"]
        try:
            f(*args)
        finally:
            del globals()["LateVector"]

    return call


def wrapped_strings(deco: Decorator) -> Callable[..., Any]:
    @deco
    @torch.no_grad()
    def f(x: 'Float[Tensor, "n"]', y: 'Float[Tensor, "n"]') -> None:
        pass

    return f


def no_tensor_dataclass(deco: Decorator) -> Callable[..., Any]:
    @deco
    @dataclasses.dataclass
    class Config:
        width: int

    return Config


class NotAHint:
    def __class_getitem__(cls, item: object) -> object:
        return object()


def invalid_hint(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"], k: NotAHint[int]) -> None:
        pass

    return f


# ------------------------------------------------------------------- property.


def property_in_class(deco: Decorator) -> Callable[..., Any]:
    @deco
    class Holder:
        def __init__(self, x: Tensor) -> None:
            self.x = x

        @property
        def pair(self) -> Float[Tensor, "n 2"]:
            return self.x

    return lambda x: Holder(x).pair


def property_in_dataclass(deco: Decorator) -> Callable[..., Any]:
    @deco
    @dataclasses.dataclass
    class Holder:
        x: Tensor

        @property
        def pair(self) -> Float[Tensor, "n 2"]:
            return self.x

    return lambda x: Holder(x).pair


def cached_property_form(deco: Decorator) -> Callable[..., Any]:
    class Holder:
        def __init__(self, x: Tensor) -> None:
            self.x = x

        @functools.cached_property
        @deco
        def pair(self) -> Float[Tensor, "n 2"]:
            return self.x

    return lambda x: Holder(x).pair


# -------------------------------------------------------------- no_type_check.


def no_type_check_method(above: bool) -> Program:
    def program(deco: Decorator) -> Callable[..., Any]:
        if above:

            class A:
                @no_type_check
                @deco
                def f(self, x: Float[Tensor, "n"]) -> None:
                    pass

            return lambda x: A().f(x)

        class B:
            @deco
            @no_type_check
            def f(self, x: Float[Tensor, "n"]) -> None:
                pass

        return lambda x: B().f(x)

    return program


def no_type_check_class(deco: Decorator) -> Callable[..., Any]:
    @deco
    @no_type_check
    class A:
        def f(self, x: Float[Tensor, "n"]) -> None:
            pass

    return lambda x: A().f(x)


# ----------------------------------------------------------------------- body.


def body_isinstance(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"], y: Tensor):
        return Seen(isinstance(y, Float[Tensor, "n"]))

    return f


def body_isinstance_numpy(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"], y: np.ndarray):
        return Seen(isinstance(y, Float[np.ndarray, "n"]))

    return f


def body_isinstance_method(deco: Decorator) -> Callable[..., Any]:
    class Layer:
        @deco
        def f(self, x: Float[Tensor, "b n"], y: Tensor):
            return Seen(isinstance(y, Float[Tensor, "b"]))

    return lambda x, y: Layer().f(x, y)


def body_plain_beartype(deco: Decorator) -> Callable[..., Any]:
    @beartype
    def helper(v: Float[Tensor, "n"]) -> None:
        pass

    @deco
    def f(x: Float[Tensor, "n"], y: Tensor):
        from beartype.roar import BeartypeCallHintViolation

        try:
            helper(y)
        except BeartypeCallHintViolation:
            return Seen(False)
        return Seen(True)

    return f


def body_after_nested(deco: Decorator) -> Callable[..., Any]:
    @deco
    def inner(v: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
        return v

    @deco
    def outer(x: Float[Tensor, "n"], y: Tensor):
        inner(y)  # its own dims: n is y's size in there
        return Seen(isinstance(y, Float[Tensor, "n"]))

    return outer


def body_recursion(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
        if x.shape[0] > 1:
            f(x[1:])
        return x

    return f


def body_local_annotation(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"]) -> None:
        z: Float[Tensor, "n"] = torch.zeros(4)
        del z

    return f


# ---------------------------------------------------------------- module, misc.


def module_forward(deco: Decorator) -> Callable[..., Any]:
    class Proj(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.width = 2

        @deco
        def forward(self, x: Float[Tensor, "b n"]) -> Float[Tensor, "b {self.width}"]:
            return torch.zeros(x.shape[0], 3)

    return Proj()


def module_class(deco: Decorator) -> Callable[..., Any]:
    @deco
    class Proj(nn.Module):
        def forward(self, x: Float[Tensor, "b n"], y: Float[Tensor, "b"]) -> None:
            pass

    return Proj()


def size_binds(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(n: Annotated[int, shapecheck.Size("n")], x: Float[Tensor, "n"]) -> None:
        pass

    return f


def instance_dims(deco: Decorator) -> Callable[..., Any]:
    class Model:
        def __shapecheck_dims__(self) -> dict[str, int]:
            return {"n": 3}

        @deco
        def f(self, x: Float[Tensor, "n"]) -> None:
            pass

    return lambda x: Model().f(x)


def positional_only(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"], /, y: Float[Tensor, "n"]) -> None:
        pass

    return f


def returns_none_annotated(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"]) -> None:
        return x

    return f


# ----------------------------------------------------------- more of the above.


def body_isinstance_hint(hint: Any) -> Program:
    """The body asks `isinstance(y, hint)` while x: `Float[Tensor, "*b n"]` has bound b and n."""

    def program(deco: Decorator) -> Callable[..., Any]:
        @deco
        def f(x: Float[Tensor, "*b n"], y: Tensor):
            return Seen(isinstance(y, hint))

        return f

    return program


def body_raises(error: type[Exception]) -> Program:
    def program(deco: Decorator) -> Callable[..., Any]:
        @deco
        def f(x: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
            raise error("from the body")

        return f

    return program


def default_fills_fstring(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "{k}"], k: int = 3) -> None:
        pass

    return f


WIDTH = 3


def fstring_global(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "{WIDTH}"]) -> None:
        pass

    return f


def union_rollback(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "a 2"] | Float[Tensor, "b c"], y: Float[Tensor, "a"]) -> None:
        pass

    return f


def broadcast_then_exact(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "#n"], y: Float[Tensor, "n"], z: Float[Tensor, "n"]) -> None:
        pass

    return f


def async_function(deco: Decorator) -> Callable[..., Any]:
    @deco
    async def f(x: Float[Tensor, "n"], y: Float[Tensor, "n"]):
        pass

    return lambda *args: asyncio.run(f(*args))


def checked_init(deco: Decorator) -> Callable[..., Any]:
    class Pair:
        @deco
        def __init__(self, x: Float[Tensor, "n"], y: Float[Tensor, "n"]) -> None:
            self.x, self.y = x, y

    return Pair


def checked_dunder(deco: Decorator) -> Callable[..., Any]:
    class Vec:
        def __init__(self, data: Tensor) -> None:
            self.data = data

        @deco
        def __add__(self, other: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
            return self.data

    return lambda x, y: Vec(x) + y


def property_setter(deco: Decorator) -> Callable[..., Any]:
    class Holder:
        def __init__(self) -> None:
            self._x = torch.zeros(3, 2)

        @property
        def x(self) -> Tensor:
            return self._x

        @x.setter
        @deco
        def x(self, value: Float[Tensor, "n 2"]) -> None:
            self._x = value

    def call(value: Tensor) -> None:
        Holder().x = value

    return call


def inherited_method(deco: Decorator) -> Callable[..., Any]:
    class Base:
        @deco
        def f(self, x: Float[Tensor, "n"], y: Float[Tensor, "n"]) -> None:
            pass

    class Child(Base):
        pass

    return lambda x, y: Child().f(x, y)


def classmethod_called_on_class(deco: Decorator) -> Callable[..., Any]:
    class Factory:
        @classmethod
        @deco
        def make(cls, x: Float[Tensor, "n"], y: Float[Tensor, "n"]) -> None:
            pass

    return Factory.make


BoundT = typing.TypeVar("BoundT", bound=Tensor)


def typevar_bound(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: BoundT) -> BoundT:
        return x

    return f


def dataclass_optional_field(deco: Decorator) -> Callable[..., Any]:
    @deco
    @dataclasses.dataclass
    class Batch:
        x: Float[Tensor, "n"]
        mask: Float[Tensor, "n"] | None = None

    return Batch


def dataclass_initvar(deco: Decorator) -> Callable[..., Any]:
    @deco
    @dataclasses.dataclass
    class Scaled:
        x: Float[Tensor, "n"]
        scale: dataclasses.InitVar[Float[Tensor, "n"]]

        def __post_init__(self, scale: Tensor) -> None:
            pass

    return Scaled


def dataclass_inherited(deco: Decorator) -> Callable[..., Any]:
    @dataclasses.dataclass
    class Base:
        x: Float[Tensor, "n"]

    @deco
    @dataclasses.dataclass
    class Child(Base):
        y: Float[Tensor, "n"]

    return Child


def treepath_in_list(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(xs: list[Float[Tensor, "?n"]]) -> None:
        pass

    return f


def old_union(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Union[Float[Tensor, "n"], int], y: Float[Tensor, "n"]) -> None:  # noqa: UP007
        pass

    return f


def varargs_variadic(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(*xs: Float[Tensor, "*b n"]) -> None:
        pass

    return f


def keyword_tensors(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"], **extra: Float[Tensor, "n"]) -> None:
        pass

    return f


def module_called_with_hook(deco: Decorator) -> Callable[..., Any]:
    class Proj(nn.Module):
        @deco
        def forward(self, x: Float[Tensor, "b n"], y: Float[Tensor, "b"]) -> Float[Tensor, "b"]:
            return y

    module = Proj()
    module.register_forward_pre_hook(lambda mod, args: None)
    return module


# ---------------------------------------------------------------------- locals.
# shapecheck recompiles a body with annotated locals; it must run as written.


def local_closure(deco: Decorator) -> Callable[..., Any]:
    scale = 2.0

    @deco
    def f(x: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
        y: Float[Tensor, "n"] = x * scale
        return y

    return f


def local_nonlocal(deco: Decorator) -> Callable[..., Any]:
    calls = 0

    @deco
    def f(x: Float[Tensor, "n"]):
        nonlocal calls
        calls += 1
        y: Float[Tensor, "n"] = x + 1
        del y
        return Seen(calls)

    return f


def local_super(deco: Decorator) -> Callable[..., Any]:
    class Base(nn.Module):
        def forward(self, x: Tensor) -> Tensor:
            return x + 1

    class Child(Base):
        @deco
        def forward(self, x: Float[Tensor, "b n"]) -> Float[Tensor, "b n"]:
            y: Float[Tensor, "b n"] = super().forward(x)
            return y

    return Child()


def local_recursion(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
        rest: Float[Tensor, "m"] = x[1:]
        if rest.shape[0] > 0:
            f(rest)
        return x

    return f


def local_recursion_bad_inner(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"], y: Float[Tensor, "n"]) -> None:
        z: Float[Tensor, "_"] = x
        del z
        if x.shape[0] == 3:
            f(torch.zeros(2), torch.zeros(5))  # a bad call, checked as any other

    return f


def local_not_a_tensor(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "n"]) -> None:
        k: int = "no"
        m: Float[Tensor, "n"] | None = None
        del k, m

    return f


def local_loop(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(xs: list[Float[Tensor, "n"]], y: Float[Tensor, "n"]) -> None:
        x: Float[Tensor, "n"]
        for x in xs:  # noqa: B007  (binding x is what is checked)
            pass

    return f


# ---------------------------------------------------------------------- cases

CASES = [
    # optional.: a tensor-or-None sharing the call's dims.
    Case("optional.mask/omitted", optional_mask, (f32(3),), PASS),
    Case("optional.mask/none", optional_mask, (f32(3), None), PASS),
    Case("optional.mask/ok", optional_mask, (f32(3), f32(3)), PASS),
    Case("optional.mask/bad", optional_mask, (f32(3), f32(4)), RAISE),
    Case("optional.mask/string", optional_mask, (f32(3), "no"), RAISE),
    Case("optional.mask-first/bad", optional_mask_first, (f32(4), f32(3)), RAISE),
    Case("optional.mask-first/none", optional_mask_first, (None, f32(3)), PASS),
    Case("optional.kwonly/bad", optional_kwonly, (f32(3),), RAISE, kwargs={"mask": f32(4)}),
    Case("optional.kwonly/ok", optional_kwonly, (f32(3),), PASS, kwargs={"mask": f32(3)}),
    Case("optional.module/mask-ok", optional_method, (f32(2, 3, 4), b8(2, 3)), PASS),
    Case("optional.module/mask-bad", optional_method, (f32(2, 3, 4), b8(2, 5)), RAISE),
    Case("optional.module/mask-none", optional_method, (f32(2, 3, 4),), PASS),
    Case("optional.union-int/int", pair(Float[Tensor, "n"] | int, N), (3, f32(3)), PASS),
    Case("optional.union-int/ok", pair(Float[Tensor, "n"] | int, N), (f32(3), f32(3)), PASS),
    Case("optional.union-int/bad", pair(Float[Tensor, "n"] | int, N), (f32(4), f32(3)), RAISE),
    Case("optional.union-int/string", pair(Float[Tensor, "n"] | int, N), ("s", f32(3)), RAISE),
    Case("optional.union-str/string", pair(Float[Tensor, "n"] | str, N), ("s", f32(3)), PASS),
    Case("optional.list-of-optional/none", pair(list[N | None], N), ([None], f32(3)), PASS),
    Case("optional.list-of-optional/ok", pair(list[N | None], N), ([f32(3)], f32(3)), PASS),
    Case("optional.list-of-optional/bad", pair(list[N | None], N), ([f32(4)], f32(3)), RAISE),
    Case(
        "optional.list-of-optional/all-bad",
        pair(list[N | None], N),
        ([f32(4), f32(4)], f32(3)),
        RAISE,
    ),
    Case(
        "optional.dict-of-optional/bad",
        pair(dict[str, N | None], N),
        ({"a": f32(4)}, f32(3)),
        RAISE,
    ),
    Case("optional.return/none", optional_return, (f32(3), None), PASS),
    Case("optional.return/ok", optional_return, (f32(3), f32(3)), PASS),
    Case("optional.return/bad", optional_return, (f32(3), f32(4)), RAISE),
    Case("optional.return/string", optional_return, (f32(3), "no"), RAISE),
    Case("optional.return-pipe/bad", returning(N | None, f32(4)), (f32(3),), RAISE),
    Case(
        "optional.return-union-tuple/tuple-bad",
        union_return_tuple,
        (f32(3), (f32(3), f32(4))),
        RAISE,
    ),
    Case(
        "optional.return-union-tuple/tuple-ok", union_return_tuple, (f32(3), (f32(3), f32(3))), PASS
    ),
    Case("optional.union-shapes/1d", pair(N | Float[Tensor, "n m"], N), (f32(3), f32(3)), PASS),
    Case("optional.union-shapes/2d", pair(N | Float[Tensor, "n m"], N), (f32(3, 2), f32(3)), PASS),
    Case(
        "optional.union-shapes/bad", pair(N | Float[Tensor, "n m"], N), (f32(4, 2), f32(3)), RAISE
    ),
    Case("optional.union-dtypes/float", one(N | Int[Tensor, "n"]), (f32(3),), PASS),
    Case("optional.union-dtypes/int", one(N | Int[Tensor, "n"]), (i64(3),), PASS),
    Case("optional.union-dtypes/bool", one(N | Int[Tensor, "n"]), (b8(3),), RAISE),
    Case(
        "optional.union-tuple/bad",
        pair(N | tuple[N, N], N),
        ((f32(3), f32(4)), f32(3)),
        RAISE,
    ),
    # stacked.: the checked function over or under another decorator.
    *[case for name in STACKED for below in (True, False) for case in stacked_cases(name, below)],
    Case("stacked.module-check-over-no_grad/bad", stacked_module, (f32(2, 3), f32(4)), RAISE),
    # containers.: tensors inside containers share the call's dims.
    Case(
        "containers.dict/ok", shared(dict[str, Float[Tensor, "b"]]), ({"a": f32(3)}, f32(3)), PASS
    ),
    Case(
        "containers.dict/bad", shared(dict[str, Float[Tensor, "b"]]), ({"a": f32(4)}, f32(3)), RAISE
    ),
    Case(
        "containers.dict/all-bad",
        shared(dict[str, Float[Tensor, "b"]]),
        ({"a": f32(4), "c": f32(4)}, f32(3)),
        RAISE,
    ),
    Case(
        "containers.dict/mixed",
        shared(dict[str, Float[Tensor, "b"]]),
        ({"a": f32(3), "c": f32(4)}, f32(3)),
        PASS,
        policy="every-item",
        shapecheck=RAISE,
    ),
    Case(
        "containers.Mapping/mixed",
        shared(Mapping[str, Float[Tensor, "b"]]),
        ({"a": f32(3), "c": f32(4)}, f32(3)),
        PASS,
        policy="every-item",
        shapecheck=RAISE,
    ),
    Case(
        "containers.Sequence/mixed-alone",
        unreturned(Sequence[Float[Tensor, "b"]]),
        ([f32(3), f32(4)],),
        PASS,
        policy="every-item",
        shapecheck=RAISE,
    ),
    Case(
        "containers.dict/mixed-first-bad",
        shared(dict[str, Float[Tensor, "b"]]),
        ({"a": f32(4), "c": f32(3)}, f32(3)),
        RAISE,
    ),
    Case(
        "containers.dict/int-keys",
        shared(dict[str, Float[Tensor, "b"]]),
        ({1: f32(3)}, f32(3)),
        RAISE,
    ),
    Case(
        "containers.Mapping/ok",
        shared(Mapping[str, Float[Tensor, "b"]]),
        ({"a": f32(3)}, f32(3)),
        PASS,
    ),
    Case(
        "containers.Mapping/bad",
        shared(Mapping[str, Float[Tensor, "b"]]),
        ({"a": f32(4)}, f32(3)),
        RAISE,
    ),
    Case("containers.Sequence/ok", shared(Sequence[Float[Tensor, "b"]]), ([f32(3)], f32(3)), PASS),
    Case(
        "containers.Sequence/bad", shared(Sequence[Float[Tensor, "b"]]), ([f32(4)], f32(3)), RAISE
    ),
    Case(
        "containers.Sequence/tuple-bad",
        shared(Sequence[Float[Tensor, "b"]]),
        ((f32(4),), f32(3)),
        RAISE,
    ),
    Case("containers.Iterable/ok", shared(Iterable[Float[Tensor, "b"]]), ([f32(3)], f32(3)), PASS),
    Case(
        "containers.Iterable/bad", shared(Iterable[Float[Tensor, "b"]]), ([f32(4)], f32(3)), RAISE
    ),
    Case(
        "containers.list-of-pairs/ok",
        shared(list[tuple[Float[Tensor, "b"], Float[Tensor, "b c"]]]),
        ([(f32(3), f32(3, 2))], f32(3)),
        PASS,
    ),
    Case(
        "containers.list-of-pairs/bad",
        shared(list[tuple[Float[Tensor, "b"], Float[Tensor, "b c"]]]),
        ([(f32(3), f32(4, 2))], f32(3)),
        RAISE,
    ),
    Case(
        "containers.dict-of-lists/bad",
        shared(dict[str, list[Float[Tensor, "b"]]]),
        ({"a": [f32(4)]}, f32(3)),
        RAISE,
    ),
    Case(
        "containers.list-of-dicts/bad",
        shared(list[dict[str, Float[Tensor, "b"]]]),
        ([{"a": f32(4)}], f32(3)),
        RAISE,
    ),
    Case(
        "containers.tuple-ellipsis/ok",
        shared(tuple[Float[Tensor, "b"], ...]),
        ((f32(3), f32(3)), f32(3)),
        PASS,
    ),
    Case(
        "containers.tuple-ellipsis/all-bad",
        shared(tuple[Float[Tensor, "b"], ...]),
        ((f32(4), f32(4)), f32(3)),
        RAISE,
    ),
    Case(
        "containers.tuple-ellipsis/mixed-alone",
        unreturned(tuple[Float[Tensor, "b"], ...]),
        ((f32(3), f32(4)),),
        PASS,
        policy="every-item",
        shapecheck=RAISE,
    ),
    Case(
        "containers.tuple-fixed/bad",
        shared(tuple[Float[Tensor, "b"], Float[Tensor, "b"]]),
        ((f32(3), f32(4)), f32(3)),
        RAISE,
    ),
    Case(
        "containers.list/all-bad",
        shared(list[Float[Tensor, "b"]]),
        ([f32(4), f32(4)], f32(3)),
        RAISE,
    ),
    Case(
        "containers.list/mixed-alone",
        unreturned(list[Float[Tensor, "b"]]),
        ([f32(3), f32(4)],),
        PASS,
        policy="every-item",
        shapecheck=RAISE,
    ),
    Case(
        "containers.typing-List/bad",
        shared(TypingList[Float[Tensor, "b"]]),
        ([f32(4)], f32(3)),
        RAISE,
    ),  # noqa: UP006
    Case(
        "containers.deque/bad",
        shared(collections.deque[Float[Tensor, "b"]]),
        (collections.deque([f32(4)]), f32(3)),
        RAISE,
    ),
    Case("containers.varargs/ok", variadic_positional, (f32(3), f32(3)), PASS),
    Case("containers.varargs/bad", variadic_positional, (f32(3), f32(4)), RAISE),
    Case("containers.varkw/bad", variadic_keyword, (), RAISE, kwargs={"a": f32(3), "b": f32(4)}),
    Case("containers.varargs/return-bad", variadic_return, (f32(3), f32(3)), RAISE),
    Case("containers.return-dict/bad", returning(dict[str, N], {"a": f32(4)}), (f32(3),), RAISE),
    Case("containers.return-list/bad", returning(list[N], [f32(4)]), (f32(3),), RAISE),
    Case("containers.return-tuple/arity", returning(tuple[N, N], (f32(3),) * 3), (f32(3),), RAISE),
    Case("containers.return-tuple/list", returning(tuple[N, N], [f32(3)] * 2), (f32(3),), RAISE),
    # arrays.: array types other than a plain tensor.
    Case("arrays.numpy/torch-given", one(Float[np.ndarray, "n"]), (f32(3),), RAISE),
    Case("arrays.numpy/numpy-given", one(Float[np.ndarray, "n"]), (nf64(3),), PASS),
    Case("arrays.numpy/int-numpy", one(Float[np.ndarray, "n"]), (ni64(3),), RAISE),
    Case("arrays.numpy/rank", one(Float[np.ndarray, "n"]), (nf64(3, 3),), RAISE),
    Case("arrays.numpy-shares-dims/ok", numpy_shares, (nf64(3), f32(3)), PASS),
    Case("arrays.numpy-shares-dims/bad", numpy_shares, (nf64(3), f32(4)), RAISE),
    Case("arrays.numpy-return/ok", numpy_return, (f32(3), nf64(3)), PASS),
    Case("arrays.numpy-return/tensor", numpy_return, (f32(3), f32(3)), RAISE),
    Case(
        "arrays.tensor-or-numpy/bad",
        pair(Float[Tensor | np.ndarray, "n"], N),
        (nf64(4), f32(3)),
        RAISE,
    ),
    Case("arrays.Parameter-hint/tensor", one(Float[nn.Parameter, "n"]), (f32(3),), RAISE),
    Case(
        "arrays.Parameter-hint/parameter",
        one(Float[nn.Parameter, "n"]),
        (nn.Parameter(f32(3)),),
        PASS,
    ),
    Case("arrays.bare-Parameter/tensor", one(nn.Parameter), (f32(3),), RAISE),
    Case("arrays.bare-Parameter/parameter", one(nn.Parameter), (nn.Parameter(f32(3)),), PASS),
    Case("arrays.tensor-hint/parameter", one(N), (nn.Parameter(f32(3)),), PASS),
    Case("arrays.tensor-hint/subclass", one(N), (f32(3).as_subclass(SubTensor),), PASS),
    Case("arrays.subclass-hint/tensor", one(Float[SubTensor, "n"]), (f32(3),), RAISE),
    Case("arrays.bare-Tensor/numpy", one(Tensor), (nf64(3),), RAISE),
    Case("arrays.bare-Tensor/float", one(Tensor), (1.0,), RAISE),
    Case("arrays.tensor-hint/duck", one(N), (Duck(3),), RAISE),
    Case("arrays.tensor-hint/list", one(N), ([0.0, 0.0, 0.0],), RAISE),
    Case("arrays.tensor-hint/python-float", one(Float[Tensor, ""]), (1.0,), RAISE),
    Case("arrays.tensor-hint/numpy-scalar", one(Float[Tensor, ""]), (np.float32(1.0),), RAISE),
    Case("arrays.numpy-hint/numpy-scalar", one(Float[np.ndarray, ""]), (np.float64(1.0),), RAISE),
    Case("arrays.duck-hint/ok", pair(Float[Duck, "n"], N), (Duck(3), f32(3)), PASS),
    Case("arrays.duck-hint/bad", pair(Float[Duck, "n"], N), (Duck(4), f32(3)), RAISE),
    Case("arrays.any-hint/duck", pair(Float[Any, "n"], N), (Duck(4), f32(3)), RAISE),
    Case("arrays.meta/ok", pair(N, N), (torch.zeros(3, device="meta"), f32(3)), PASS),
    Case("arrays.meta/bad", pair(N, N), (torch.zeros(4, device="meta"), f32(3)), RAISE),
    Case("arrays.sparse/ok", pair(Float[Tensor, "n m"], N), (f32(3, 4).to_sparse(), f32(3)), PASS),
    # zero.: size-0 axes.
    Case("zero.named/0-0", pair(N, N), (f32(0), f32(0)), PASS),
    Case("zero.named/0-1", pair(N, N), (f32(0), f32(1)), RAISE),
    Case(
        "zero.broadcast/0-1", pair(Float[Tensor, "#n"], Float[Tensor, "#n"]), (f32(0), f32(1)), PASS
    ),
    Case(
        "zero.broadcast/1-0", pair(Float[Tensor, "#n"], Float[Tensor, "#n"]), (f32(1), f32(0)), PASS
    ),
    Case(
        "zero.broadcast/0-3",
        pair(Float[Tensor, "#n"], Float[Tensor, "#n"]),
        (f32(0), f32(3)),
        RAISE,
    ),
    Case(
        "zero.*#foo-*foo/1-0",
        pair(Float[Tensor, "*#foo"], Float[Tensor, "*foo"]),
        (f32(1), f32(0)),
        PASS,
    ),
    Case(
        "zero.*#foo-*foo/0-1",
        pair(Float[Tensor, "*#foo"], Float[Tensor, "*foo"]),
        (f32(0), f32(1)),
        RAISE,
    ),
    Case(
        "zero.*foo-*#foo/0-1",
        pair(Float[Tensor, "*foo"], Float[Tensor, "*#foo"]),
        (f32(0), f32(1)),
        PASS,
    ),
    Case(
        "zero.*foo-*#foo/1-0",
        pair(Float[Tensor, "*foo"], Float[Tensor, "*#foo"]),
        (f32(1), f32(0)),
        RAISE,
    ),
    Case(
        "zero.*#foo-*#foo/0-1",
        pair(Float[Tensor, "*#foo"], Float[Tensor, "*#foo"]),
        (f32(0), f32(1)),
        PASS,
    ),
    Case(
        "zero.*#foo-*#foo/0x3-1x3",
        pair(Float[Tensor, "*#foo"], Float[Tensor, "*#foo"]),
        (f32(0, 3), f32(1, 3)),
        PASS,
    ),
    Case(
        "zero.*#foo-*#foo/0x3-2x3",
        pair(Float[Tensor, "*#foo"], Float[Tensor, "*#foo"]),
        (f32(0, 3), f32(2, 3)),
        RAISE,
    ),
    Case(
        "zero.variadic/ok",
        pair(Float[Tensor, "*b n"], Float[Tensor, "*b"]),
        (f32(0, 3), f32(0)),
        PASS,
    ),
    Case(
        "zero.variadic/bad",
        pair(Float[Tensor, "*b n"], Float[Tensor, "*b"]),
        (f32(0, 3), f32()),
        RAISE,
    ),
    Case("zero.transpose/ok", zero_transpose(True), (f32(0, 5),), PASS),
    Case("zero.transpose/bad", zero_transpose(False), (f32(0, 5),), RAISE),
    Case("zero.symbolic/n+1-ok", symbolic_return("n", "n+1", f32(1)), (f32(0),), PASS),
    Case("zero.symbolic/n+1-bad", symbolic_return("n", "n+1", f32(0)), (f32(0),), RAISE),
    Case("zero.symbolic/n*m-ok", symbolic_return("n m", "n*m", f32(0)), (f32(0, 5),), PASS),
    Case("zero.symbolic/n*m-bad", symbolic_return("n m", "n*m", f32(5)), (f32(0, 5),), RAISE),
    Case("zero.symbolic/dim-1", symbolic_return("dim", "dim-1", f32(0)), (f32(0),), RAISE),
    Case("zero.fixed/0", one(Float[Tensor, "0"]), (f32(0),), PASS),
    Case("zero.fixed/1", one(Float[Tensor, "0"]), (f32(1),), RAISE),
    Case("zero.broadcast-fixed/#4", one(Float[Tensor, "#4"]), (f32(0),), RAISE),
    Case("zero.anonymous-variadic", one(Float[Tensor, "..."]), (f32(0, 0, 0),), PASS),
    Case("zero.list/empty", shared(list[Float[Tensor, "b"]]), ([], f32(3)), PASS),
    Case("zero.tuple/empty", shared(tuple[Float[Tensor, "b"], ...]), ((), f32(3)), PASS),
    Case("zero.numpy/shares", numpy_shares, (nf64(0), f32(0)), PASS),
    # dataclass., namedtuple.
    Case("dataclass.default_factory/defaults", default_factory, (), PASS),
    Case("dataclass.default_factory/b-4", default_factory, (), PASS, kwargs={"b": f32(4)}),
    Case("dataclass.default_factory/both-bad", default_factory, (f32(3), f32(4)), RAISE),
    Case("dataclass.default_factory/mismatched-defaults", default_factory_mismatch, (), PASS),
    Case("dataclass.fields/ok", dataclass_fields(), (f32(3), f32(3)), PASS),
    Case("dataclass.fields/bad", dataclass_fields(), (f32(3), f32(4)), RAISE),
    Case("dataclass.fields/string", dataclass_fields(), (f32(3), "no"), RAISE),
    Case("dataclass.frozen/bad", dataclass_fields(frozen=True), (f32(3), f32(4)), RAISE),
    Case(
        "dataclass.kw_only/bad",
        dataclass_fields(kw_only=True),
        (),
        RAISE,
        kwargs={"x": f32(3), "y": f32(4)},
    ),
    Case("dataclass.post_init/ok", dataclass_post_init, (f32(3),), PASS),
    Case("dataclass.argument/ok", takes_params, (Params(f32(3, 2)), f32(3)), PASS),
    Case(
        "dataclass.argument/bad-field",
        takes_params,
        (Params(f32(4, 2)), f32(3)),
        PASS,
        policy="fields",
        shapecheck=RAISE,
    ),
    Case(
        "dataclass.argument/default_factory-field",
        takes_params,
        (Params(f32(3, 5)), f32(3)),
        PASS,
        policy="fields",
        shapecheck=RAISE,
    ),
    Case("namedtuple.argument/ok", takes_state, (State(f32(3, 2), f32(3, 2)), f32(3)), PASS),
    Case(
        "namedtuple.argument/bad-field",
        takes_state,
        (State(f32(4, 2), f32(4, 2)), f32(3)),
        PASS,
        policy="fields",
        shapecheck=RAISE,
    ),
    Case(
        "namedtuple.argument/fields-disagree",
        takes_state,
        (State(f32(3, 2), f32(3, 5)), f32(3)),
        PASS,
        policy="fields",
        shapecheck=RAISE,
    ),
    Case("namedtuple.argument/plain-tuple", takes_state, ((f32(3, 2), f32(3, 2)), f32(3)), RAISE),
    Case(
        "namedtuple.return/bad-field",
        returns_state,
        (f32(3, 2),),
        PASS,
        policy="fields",
        shapecheck=RAISE,
    ),
    # defaults.
    Case("defaults.none/omitted", default_none, (f32(3),), PASS),
    Case("defaults.none/explicit", default_none, (f32(3), None), RAISE),
    Case("defaults.none/given-bad", default_none, (f32(3), f32(4)), RAISE),
    Case("defaults.none-kwonly/omitted", default_none_kwonly, (f32(3),), PASS),
    Case("defaults.none-method/omitted", default_none_method, (f32(2, 3),), PASS),
    Case("defaults.tensor/omitted", default_tensor, (f32(4),), PASS),
    Case("defaults.tensor/given-bad", default_tensor, (f32(4), f32(3)), RAISE),
    Case("defaults.wrong-type/omitted", default_wrong_type, (f32(3),), PASS),
    # strings.
    Case("strings.local-class/wrong", local_class_wrong, (), PASS),
    Case("strings.local-namedtuple/ok", local_namedtuple, (f32(3),), PASS),
    Case("strings.whole-annotation/ok", string_whole, (f32(3), f32(3)), PASS),
    Case("strings.whole-annotation/bad", string_whole, (f32(3), f32(4)), RAISE),
    Case("strings.local-alias/bad", string_local_alias, (f32(3), f32(4)), PASS),
    Case("strings.module-alias/bad", string_module_alias, (f32(3), f32(4)), RAISE),
    Case("strings.in-container/bad", string_in_container, ([f32(4)], f32(3)), RAISE),
    # edge.: dim-string forms.
    Case("edge.star/2d", one(Float[Tensor, "*"]), (f32(2, 3),), PASS),
    Case("edge.star/0d", one(Float[Tensor, "*"]), (f32(),), PASS),
    Case("edge.star-with-named/ok", one(Float[Tensor, "* n"]), (f32(2, 3),), PASS),
    Case(
        "edge.star-twice/same",
        pair(Float[Tensor, "*"], Float[Tensor, "*"]),
        (f32(2, 3), f32(2, 3)),
        PASS,
    ),
    Case(
        "edge.star-twice/other",
        pair(Float[Tensor, "*"], Float[Tensor, "*"]),
        (f32(2), f32(3, 4)),
        RAISE,
    ),
    Case(
        "edge.foo=#bar/torch-ok",
        pair(Float[Tensor, "bar foo=#bar"], Float[Tensor, "bar"]),
        (f32(3, 1), f32(3)),
        PASS,
    ),
    Case(
        "edge.foo=#bar/torch-bad",
        pair(Float[Tensor, "bar foo=#bar"], Float[Tensor, "bar"]),
        (f32(3, 4), f32(3)),
        RAISE,
    ),
    Case(
        "edge.foo=4/not-bound",
        pair(Float[Tensor, "foo=4"], Float[Tensor, "foo"]),
        (f32(4), f32(5)),
        PASS,
    ),
    Case(
        "edge.foo=bar/binds-bar",
        pair(Float[Tensor, "foo=bar"], Float[Tensor, "bar"]),
        (f32(3), f32(4)),
        RAISE,
    ),
    Case(
        "edge.foo=bar/foo-free",
        pair(Float[Tensor, "foo=bar"], Float[Tensor, "foo"]),
        (f32(3), f32(4)),
        PASS,
    ),
    Case(
        "edge._name/not-bound",
        pair(Float[Tensor, "_n"], Float[Tensor, "_n"]),
        (f32(3), f32(4)),
        PASS,
    ),
    Case("edge.*_/ok", one(Float[Tensor, "*_ n"]), (f32(2, 3, 4),), PASS),
    Case("edge.repeated/ok", one(Float[Tensor, "n n"]), (f32(3, 3),), PASS),
    Case("edge.repeated/bad", one(Float[Tensor, "n n"]), (f32(3, 4),), RAISE),
    Case("edge.empty/scalar", one(Float[Tensor, ""]), (f32(),), PASS),
    Case("edge.empty/vector", one(Float[Tensor, ""]), (f32(3),), RAISE),
    Case("edge.spaces/ok", one(Float[Tensor, "  n   m  "]), (f32(3, 4),), PASS),
    Case("edge.treepath/?foo", one(Float[Tensor, "?foo"]), (f32(3),), REJECT),
    Case("edge.treepath/*?foo", one(Float[Tensor, "*?foo"]), (f32(3),), REJECT),
    Case(
        "edge.div0/floordiv",
        pair(Float[Tensor, "n m"], Float[Tensor, "n//m"]),
        (f32(4, 0), f32(1)),
        RAISE,
    ),
    Case(
        "edge.div0/mod",
        pair(Float[Tensor, "n m"], Float[Tensor, "n%m"]),
        (f32(4, 0), f32(1)),
        RAISE,
    ),
    Case("edge.div0/fstring", fstring_div, (3, 0), RAISE),
    Case(
        "edge.true-division/ok",
        pair(Float[Tensor, "n m"], Float[Tensor, "n/m"]),
        (f32(4, 2), f32(2)),
        PASS,
    ),
    Case(
        "edge.true-division/bad",
        pair(Float[Tensor, "n m"], Float[Tensor, "n/m"]),
        (f32(4, 3), f32(1)),
        RAISE,
    ),
    Case(
        "edge.max/ok",
        pair(Float[Tensor, "a b"], Float[Tensor, "max(a,b)"]),
        (f32(2, 3), f32(3)),
        PASS,
    ),
    Case(
        "edge.max/bad",
        pair(Float[Tensor, "a b"], Float[Tensor, "max(a,b)"]),
        (f32(2, 3), f32(2)),
        RAISE,
    ),
    Case(
        "edge.names/digits-underscores",
        pair(Float[Tensor, "h_0 x1"], Float[Tensor, "x1"]),
        (f32(2, 3), f32(3)),
        PASS,
    ),
    Case("edge.negative/-1", one(Float[Tensor, "-1"]), (f32(3),), RAISE),
    Case(
        "edge.return-variadic/unbound", returning(Float[Tensor, "*b"], f32(2, 2)), (f32(3),), PASS
    ),
    Case("edge.fstring-attr/ok", fstring_attr, (Params(f32(3, 2)), f32(2)), PASS),
    Case("edge.fstring-attr/bad", fstring_attr, (Params(f32(3, 2)), f32(3)), RAISE),
    Case(
        "strings.forward-ref/bad",
        late_global,
        (f32(3), f32(4)),
        PASS,
        policy="forward-refs",
        shapecheck=RAISE,
    ),
    Case(
        "strings.under-no_grad/bad",
        wrapped_strings,
        (f32(3), f32(4)),
        PASS,
        policy="wrapped-strings",
        shapecheck=RAISE,
    ),
    *[
        Case(
            f"edge.malformed/{dims}",
            one(Float[Tensor, dims]),
            (f32(3),),
            RAISE,
            policy="decoration-errors",
            shapecheck=REJECT,
        )
        for dims in ("a+", "n a+", "(x", "n (x")
    ],
    # property.
    Case(
        "property.in-checked-class/bad",
        property_in_class,
        (f32(3),),
        PASS,
        policy="whole-class",
        shapecheck=RAISE,
    ),
    Case(
        "property.in-checked-dataclass/bad",
        property_in_dataclass,
        (f32(3),),
        PASS,
        policy="whole-class",
        shapecheck=RAISE,
    ),
    Case("property.cached_property-over-check/bad", cached_property_form, (f32(3),), RAISE),
    # no_type_check.
    Case("no_type_check.method-over-check/string", no_type_check_method(True), ("no",), PASS),
    Case("no_type_check.method-under-check/string", no_type_check_method(False), ("no",), PASS),
    Case("no_type_check.class-under-check/string", no_type_check_class, ("no",), PASS),
    # body.: what the body sees of the call's dims.
    Case("body.isinstance/other-size", body_isinstance, (f32(3), f32(4)), saw(False)),
    Case("body.isinstance/same-size", body_isinstance, (f32(3), f32(3)), saw(True)),
    Case("body.isinstance/numpy", body_isinstance_numpy, (f32(3), nf64(4)), saw(False)),
    Case("body.isinstance/method", body_isinstance_method, (f32(2, 3), f32(3)), saw(False)),
    Case("body.plain-beartype/other-size", body_plain_beartype, (f32(3), f32(4)), saw(False)),
    Case("body.plain-beartype/same-size", body_plain_beartype, (f32(3), f32(3)), saw(True)),
    Case("body.after-nested-call/other-size", body_after_nested, (f32(3), f32(4)), saw(False)),
    Case("body.recursion/ok", body_recursion, (f32(3),), PASS),
    Case(
        "body.local-annotation/bad",
        body_local_annotation,
        (f32(3),),
        PASS,
        policy="locals",
        shapecheck=RAISE,
    ),
    # module.
    Case("module.forward/return-bad", module_forward, (f32(2, 5),), RAISE),
    Case(
        "module.class-checked/bad",
        module_class,
        (f32(2, 5), f32(3)),
        PASS,
        policy="whole-class",
        shapecheck=RAISE,
    ),
    # misc.
    Case("misc.dataclass-without-tensors/string", no_tensor_dataclass, ("no",), RAISE),
    Case("misc.invalid-hint/int", invalid_hint, (f32(3), 1), REJECT),
    Case("misc.size-binds/bad", size_binds, (3, f32(4)), PASS, policy="size-int", shapecheck=RAISE),
    Case(
        "misc.instance-dims/bad",
        instance_dims,
        (f32(4),),
        PASS,
        policy="instance-dims",
        shapecheck=RAISE,
    ),
    Case("misc.positional-only/bad", positional_only, (f32(3), f32(4)), RAISE),
    Case(
        "misc.keywords-reversed/bad",
        pair(Float[Tensor, "n m"], Float[Tensor, "m"]),
        (),
        RAISE,
        kwargs={"y": f32(3), "x": f32(4, 2)},
    ),
    Case(
        "misc.same-object/bad",
        pair(Float[Tensor, "n m"], Float[Tensor, "m n"]),
        (f32(3, 4),) * 2,
        RAISE,
    ),
    Case("misc.returns-none/tensor", returns_none_annotated, (f32(3),), RAISE),
    Case("misc.int-for-float", one(float), (1,), RAISE),
    Case("misc.bool-for-int", one(int), (True,), PASS),
    Case("misc.annotated-tensor/bad", pair(Annotated[N, "doc"], N), (f32(3), f32(4)), RAISE),
    Case("misc.literal/bad", pair(N, Literal["a", "b"]), (f32(3), "c"), RAISE),
    Case("misc.callable/int", pair(N, Callable[[Tensor], Tensor]), (f32(3), 1), RAISE),
    Case("misc.dtype-arg/string", pair(N, torch.dtype), (f32(3), "float32"), RAISE),
    Case(
        "misc.high-rank/ok",
        pair(Float[Tensor, "*b n"], N),
        (f32(1, 2, 1, 2, 1, 2, 1, 3), f32(3)),
        PASS,
    ),
    Case("misc.requires-grad/ok", pair(N, N), (f32(3).requires_grad_(), f32(3)), PASS),
    Case(
        "misc.noncontiguous/ok",
        pair(Float[Tensor, "a b"], Float[Tensor, "a"]),
        (f32(4, 3).T, f32(3)),
        PASS,
    ),
    Case("misc.shaped-bool/ok", pair(Shaped[Tensor, "n"], N), (b8(3), f32(3)), PASS),
    # more of the above.
    Case(
        "body.isinstance/variadic-same",
        body_isinstance_hint(Float[Tensor, "*b"]),
        (f32(2, 3), f32(2)),
        saw(True),
    ),
    Case(
        "body.isinstance/variadic-other",
        body_isinstance_hint(Float[Tensor, "*b"]),
        (f32(2, 3), f32(5)),
        saw(False),
    ),
    Case(
        "body.isinstance/symbolic",
        body_isinstance_hint(Float[Tensor, "n+1"]),
        (f32(2, 3), f32(4)),
        saw(True),
    ),
    Case(
        "body.isinstance/symbolic-other",
        body_isinstance_hint(Float[Tensor, "n+1"]),
        (f32(2, 3), f32(3)),
        saw(False),
    ),
    Case(
        "body.isinstance/broadcast",
        body_isinstance_hint(Float[Tensor, "#n"]),
        (f32(2, 3), f32(1)),
        saw(True),
    ),
    Case(
        "body.isinstance/new-dim",
        body_isinstance_hint(Float[Tensor, "m"]),
        (f32(2, 3), f32(7)),
        saw(True),
    ),
    Case("body.raises/ValueError", body_raises(ValueError), (f32(3),), "body ValueError"),
    Case("body.raises/TypeError", body_raises(TypeError), (f32(3),), "body TypeError"),
    Case("defaults.fill-fstring/ok", default_fills_fstring, (f32(3),), PASS),
    Case("defaults.fill-fstring/bad", default_fills_fstring, (f32(4),), RAISE),
    Case("defaults.fill-fstring/given", default_fills_fstring, (f32(4), 4), PASS),
    Case("edge.fstring-global/ok", fstring_global, (f32(3),), REJECT),
    Case("optional.union-rollback/ok", union_rollback, (f32(3, 5), f32(4)), PASS),
    Case("optional.union-old-spelling/bad", old_union, (f32(4), f32(3)), RAISE),
    Case("edge.broadcast-then-exact/1-3-3", broadcast_then_exact, (f32(1), f32(3), f32(3)), PASS),
    Case("edge.broadcast-then-exact/3-1-1", broadcast_then_exact, (f32(3), f32(1), f32(1)), RAISE),
    Case("edge.broadcast-then-exact/1-3-1", broadcast_then_exact, (f32(1), f32(3), f32(1)), RAISE),
    Case("misc.async/bad", async_function, (f32(3), f32(4)), RAISE),
    Case("misc.async/ok", async_function, (f32(3), f32(3)), PASS),
    Case("module.init/bad", checked_init, (f32(3), f32(4)), RAISE),
    Case("module.dunder/bad", checked_dunder, (f32(3), f32(4)), RAISE),
    Case("property.setter/bad", property_setter, (f32(3),), RAISE),
    Case("property.setter/ok", property_setter, (f32(5, 2),), PASS),
    Case("module.inherited/bad", inherited_method, (f32(3), f32(4)), RAISE),
    Case("module.classmethod-on-class/bad", classmethod_called_on_class, (f32(3), f32(4)), RAISE),
    Case("module.forward-with-hook/bad", module_called_with_hook, (f32(2, 3), f32(3)), RAISE),
    Case("misc.typevar-bound/numpy", typevar_bound, (nf64(3),), RAISE),
    Case("misc.typevar-bound/tensor", typevar_bound, (f32(3),), PASS),
    Case("dataclass.optional-field/bad", dataclass_optional_field, (f32(3), f32(4)), RAISE),
    Case("dataclass.optional-field/omitted", dataclass_optional_field, (f32(3),), PASS),
    Case("dataclass.initvar/bad", dataclass_initvar, (f32(3), f32(4)), RAISE),
    Case("dataclass.inherited/bad", dataclass_inherited, (f32(3), f32(4)), RAISE),
    Case("edge.treepath/in-list", treepath_in_list, ([f32(3)],), REJECT),
    Case("containers.varargs-variadic/bad", varargs_variadic, (f32(2, 3), f32(5, 3)), RAISE),
    Case("containers.varargs-variadic/ok", varargs_variadic, (f32(2, 3), f32(2, 3)), PASS),
    Case(
        "containers.varkw-with-named/bad", keyword_tensors, (f32(3),), RAISE, kwargs={"a": f32(4)}
    ),
    # locals.
    Case("locals.closure/ok", local_closure, (f32(3),), PASS),
    Case("locals.nonlocal/ok", local_nonlocal, (f32(3),), saw(1)),
    Case("locals.super/ok", local_super, (f32(2, 3),), PASS),
    Case("locals.recursion/ok", local_recursion, (f32(3),), PASS),
    Case("locals.recursion/inner-call-bad", local_recursion_bad_inner, (f32(3), f32(3)), RAISE),
    Case("locals.not-a-tensor/ok", local_not_a_tensor, (f32(3),), PASS),
    Case("locals.loop/ok", local_loop, ([f32(3)], f32(3)), PASS),
    Case("locals.loop/bad", local_loop, ([f32(4)], f32(3)), RAISE),
]
