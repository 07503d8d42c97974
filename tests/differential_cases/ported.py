"""jaxtyping's own tests, at tag v0.3.11, as torch cases.

Written anew for torch, not copied. Each id starts with the jaxtyping test it
ports: `array.fixed/...` is `test/test_array.py::test_fixed`, `decorator.` is
test_decorator.py, `hook.` is import_hook_tester.py. jax arrays become torch
tensors; numpy cases stay numpy. What has no torch meaning is in NOT_PORTED.
"""

import abc
import asyncio
import contextlib
import dataclasses
import functools
import io
import pickle
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, NamedTuple, TypeVar, no_type_check

import numpy as np
import torch
from beartype import beartype
from beartype.roar import BeartypeCallHintViolation
from jaxtyping import (
    AbstractDtype,
    Bool,
    Complex,
    Float,
    Float32,
    Int,
    Key,
    Shaped,
    UInt,
    print_bindings,
)
from torch import Tensor

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
    i32,
    i64,
    nf64,
    ni64,
    one,
    saw,
    tensor,
)

NOT_PORTED = {
    "test_array.py::test_dtypes": "names of jaxtyping's dtype classes; no call to check",
    "test_array.py::test_numpy_struct_dtype": "numpy struct dtypes through isinstance only",
    "test_array.py::test_no_commas": "ValueError when the annotation is built, before decorating",
    "test_array.py::test_arraylike": "jax.typing.ArrayLike needs jax",
    "test_array.py::test_key": "PRNGKeyArray needs jax; Key[Tensor, ...] is probed instead",
    "test_array.py::test_scalar_dtype_mismatch": "ValueError when the annotation is built",
    "test_array.py::test_non_instantiation": "jaxtyping's classes, no call to check",
    "test_array.py::test_typealiastype": "typing.TypeAliasType needs Python 3.12",
    "test_array.py::test_union_of_arraylike": "jax.Array needs jax",
    "test_decorator.py::test_identity": "identity of jaxtyped(typechecker=None)",
    "test_decorator.py::test_context": "jaxtyped('context') is jaxtyping's API, not a decorator",
    "test_decorator.py::test_no_garbage*": "reference cycles, not a verdict",
    "test_decorator.py::test_equinox_converter": "equinox; converters have no torch analogue",
    "test_decorator.py::test_mlx": "mlx arrays",
    "test_decorator.py::test_no_rewrapping_of_dataclass_init": "jaxtyping's __wrapped__ chain",
    "test_messages.py::test_return": "PyTree needs jax",
    "test_messages.py (text)": "message wording; shapecheck's own is tested in test_check.py",
    "test_pytree.py": "PyTree needs jax; nested containers of tensors stand in (everyday.py)",
    "test_import_hook.py": "the import hook itself; the functions it checks are ported (hook.*)",
    "test_ipython_extension.py": "IPython",
    "test_no_jax_dependency.py": "an import-time property, not a verdict",
    "test_all_importable.py": "an import-time property, not a verdict",
    "import_hook_tester.py::Mod1..Mod6, Base/Derived": "equinox Modules and converters",
}


def accepts(fn: Callable[..., Any], *args: Any) -> bool:
    """Whether a plain-beartype function accepts the call."""
    try:
        fn(*args)
    except BeartypeCallHintViolation:
        return False
    return True


# ------------------------------------------------------------------ test_array.py


def basic(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Shaped[Tensor, "..."]) -> None:
        pass

    return g


def return_transposed(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Float[Tensor, "b c"]) -> Float[Tensor, "c b"]:
        return x.T

    return g


def return_untransposed(deco: Decorator) -> Callable[..., Any]:
    @deco
    def h(x: Float[Tensor, "b c"]) -> Float[Tensor, "b c"]:
        return x.T

    return h


def two_args(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Shaped[Tensor, "b c"], y: Shaped[Tensor, "c d"]) -> None:
        pass

    return g


def two_args_return(deco: Decorator) -> Callable[..., Any]:
    @deco
    def h(x: Shaped[Tensor, "b c"], y: Shaped[Tensor, "c d"]) -> Shaped[Tensor, "b d"]:
        return torch.zeros(x.shape[0], y.shape[-1])

    return h


def any_dtype(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Shaped[Tensor, "a b"]) -> Shaped[Tensor, "a b"]:
        return x

    return g


def nested_jaxtyped(deco: Decorator) -> Callable[..., Any]:
    @deco
    def h(x: Float32[Tensor, "c b"], transpose: bool) -> Float32[Tensor, "b c"]:
        return x.T if transpose else x

    @deco
    def g(x: Float32[Tensor, "b c"], transpose: bool) -> Float32[Tensor, "c b"]:
        return h(x, transpose)

    return g


def nested_plain_beartype(deco: Decorator) -> Callable[..., Any]:
    @beartype
    def h(x: Float32[Tensor, "c b"]) -> None:
        pass

    @deco
    def g(x: Float32[Tensor, "b c"]):
        return Seen(accepts(h, x))

    return g


def isinstance_in_body(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Float32[Tensor, "b c"]):
        y = x.T
        transposed = isinstance(y, Float32[Tensor, "c b"])
        # z stays unbound: the check fails at b.
        mixed = isinstance(y, Float32[Tensor, "b z"])
        fresh = isinstance(torch.zeros(500), Float32[Tensor, "z"])
        return Seen((transposed, mixed, fresh))

    return g


def isinstance_binds_return(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Float32[Tensor, "b c"]) -> Float32[Tensor, "z"]:
        isinstance(torch.zeros(500), Float32[Tensor, "z"])  # binds z=500
        return torch.zeros(7)

    return g


def fixed(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Float32[Tensor, "4 5 foo"], y: Float32[Tensor, " foo"]) -> Float32[Tensor, "4 5"]:
        return x[..., 0]

    return g


def anonymous(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Float32[Tensor, "foo _"], y: Float32[Tensor, " _"]) -> None:
        pass

    return g


def named_variadic(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(
        x: Float32[Tensor, "*batch foo"],
        y: Float32[Tensor, " *batch"],
        z: Float32[Tensor, " foo"],
    ) -> None:
        pass

    return g


def named_variadic_middle(deco: Decorator) -> Callable[..., Any]:
    @deco
    def h(x: Float32[Tensor, " foo *batch"], y: Float32[Tensor, " foo *batch bar"]) -> None:
        pass

    return h


def anonymous_variadic(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Float32[Tensor, "... foo"], y: Float32[Tensor, " foo"]) -> None:
        pass

    return g


def broadcast_fixed(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Float32[Tensor, "#4"]) -> None:
        pass

    return g


def broadcast_named(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Float32[Tensor, " #foo"], y: Float32[Tensor, " #foo"]) -> None:
        pass

    return g


def broadcast_variadic_named(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Float32[Tensor, " *#foo"], y: Float32[Tensor, " *#foo"]) -> None:
        pass

    return g


def mixed_broadcast(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, " *foo"], y: Float[Tensor, " #*foo"]) -> None:
        pass

    return f


def mixed_broadcast2(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, " *#foo"], y: Float[Tensor, " *foo"]) -> None:
        pass

    return f


def mixed_broadcast3(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(
        x: Float[Tensor, "*B L D"],
        *,
        y: Float[Tensor, "*#B J d"],
        z: Bool[Tensor, "*B L J"],
    ) -> Float[Tensor, "*B L D"]:
        return x

    return f


def make_slice(deco: Decorator) -> Callable[..., Any]:
    @deco
    def make_slice(x: Float32[Tensor, " dim"]) -> Float32[Tensor, " dim-1"]:
        return x[1:]

    return make_slice


def cat(deco: Decorator) -> Callable[..., Any]:
    @deco
    def cat(x: Float32[Tensor, " dim"]) -> Float32[Tensor, " 2*dim"]:
        return torch.cat([x, x])

    return cat


def bad_make_slice(deco: Decorator) -> Callable[..., Any]:
    @deco
    def bad_make_slice(x: Float32[Tensor, " dim"]) -> Float32[Tensor, " dim-1"]:
        return x

    return bad_make_slice


def bad_cat(deco: Decorator) -> Callable[..., Any]:
    @deco
    def bad_cat(x: Float32[Tensor, " dim"]) -> Float32[Tensor, " 2*dim"]:
        return torch.cat([x, x, x])

    return bad_cat


def incomplete_symbolic(deco: Decorator) -> Callable[..., Any]:
    @deco
    def foo(x: Float32[Tensor, " 2*dim"]) -> None:
        pass

    return foo


def deferred_good(deco: Decorator) -> Callable[..., Any]:
    @deco
    def foo(dim: int, fill: Float[Tensor, ""]) -> Float[Tensor, " {dim}"]:
        return fill.expand(dim)

    return foo


def deferred_good_method(deco: Decorator) -> Callable[..., Any]:
    class A:
        size = 5

        @deco
        def bar(self, fill: Float[Tensor, ""]) -> Float[Tensor, " {self.size}"]:
            return fill.expand(self.size)

    return lambda fill: A().bar(fill)


def deferred_bad(deco: Decorator) -> Callable[..., Any]:
    @deco
    def foo(dim: int, fill: Float[Tensor, ""]) -> Float[Tensor, " {dim-1}"]:
        return fill.expand(dim)

    return foo


def deferred_bad_method(deco: Decorator) -> Callable[..., Any]:
    class A:
        size = 5

        @deco
        def bar(self, fill: Float[Tensor, ""]) -> Float[Tensor, " {self.size}-1"]:
            return fill.expand(self.size)

    return lambda fill: A().bar(fill)


def deferred_dataclass(deco: Decorator) -> Callable[..., Any]:
    @deco
    @dataclasses.dataclass
    class A:
        value: int
        array: Float[Tensor, " {value}"]

    return A


def numpy_hint(dims: str) -> Program:
    def program(deco: Decorator) -> Callable[..., Any]:
        @deco
        def f(x: Float[np.ndarray, dims]) -> None:
            pass

        return f

    return program


def union_array_type(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Shaped[Tensor | np.ndarray, "_"]) -> None:
        pass

    return f


def key_scalar(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Key[Tensor, ""]) -> None:
        pass

    return f


X = Float[Tensor, "a"]
Y = Float[X, "b"]  # "b a"


def extension(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(a: X, b: Y) -> None:
        pass

    return f


def scalar_variadic(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[float, "..."]) -> None:
        pass

    return f


class MyArray1:
    @property
    def dtype(self) -> str:
        return "foo"

    @property
    def shape(self) -> tuple[int, ...]:
        return (3,)


class MyArray2:
    @property
    def dtype(self) -> str:
        return "bar"

    @property
    def shape(self) -> tuple[int, ...]:
        return (3,)


class MyArray3:
    @property
    def dtype(self) -> str:
        return "foo"

    @property
    def shape(self) -> tuple[int, ...]:
        return (4,)


class FooDtype(AbstractDtype):
    dtypes = ["foo"]


def custom_array(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: FooDtype[MyArray1, "3"]) -> None:
        pass

    return f


def custom_array_two(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: FooDtype[MyArray1, "3"], y: FooDtype[MyArray1, "4"]) -> None:
        pass

    return g


def custom_array_mixed(deco: Decorator) -> Callable[..., Any]:
    @deco
    def h(x: FooDtype[MyArray1, "3"], y: FooDtype[MyArray3, "4"]) -> None:
        pass

    return h


class DuckArray1:
    @property
    def shape(self) -> tuple[int, ...]:
        return 3, 4

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype(np.float32)


class DuckArray2:
    @property
    def shape(self) -> tuple[int, ...]:
        return 3, 4, 5

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype(np.float32)


class DuckArray3:
    @property
    def shape(self) -> tuple[int, ...]:
        return 3, 4

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype(np.int32)


T = TypeVar("T")
TensorT = TypeVar("TensorT", bound=Tensor)


def any_array(array_type: Any) -> Program:
    def program(deco: Decorator) -> Callable[..., Any]:
        @deco
        def f(x: Float[array_type, "foo bar"]) -> None:
            pass

        return f

    return program


def optional_numpy(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[np.ndarray, ""] | None) -> None:
        pass

    return f


# -------------------------------------------------------------- test_decorator.py


def method_form(form: str) -> Program:
    """M of test_decorator.py, with tensors: the decorator above or below each wrapper."""

    def program(deco: Decorator) -> Callable[..., Any]:
        class M:
            if form == "method":

                @deco
                def f(self, x: Float[Tensor, "n"], y: Float[Tensor, "n"]) -> int:
                    return 0

            elif form == "check-over-classmethod":

                @deco
                @classmethod
                def f(cls, x: Float[Tensor, "n"], y: Float[Tensor, "n"]) -> int:
                    return 3

            elif form == "classmethod-over-check":

                @classmethod
                @deco
                def f(cls, x: Float[Tensor, "n"], y: Float[Tensor, "n"]) -> int:
                    return 4

            elif form == "check-over-staticmethod":

                @deco
                @staticmethod
                def f(x: Float[Tensor, "n"], y: Float[Tensor, "n"]) -> int:
                    return 3

            elif form == "staticmethod-over-check":

                @staticmethod
                @deco
                def f(x: Float[Tensor, "n"], y: Float[Tensor, "n"]) -> int:
                    return 4

        return lambda x, y: M().f(x, y)

    return program


def abstract_method(above: bool) -> Program:
    def program(deco: Decorator) -> Callable[..., Any]:
        if above:

            class M1(metaclass=abc.ABCMeta):
                @deco
                @abc.abstractmethod
                def i(self, x: Float[Tensor, "n"]) -> None: ...

            return lambda: Seen(M1.i.__isabstractmethod__)

        class M2(metaclass=abc.ABCMeta):
            @abc.abstractmethod
            @deco
            def i(self, x: Float[Tensor, "n"]) -> None: ...

        return lambda: Seen(M2.i.__isabstractmethod__)

    return program


def property_form(above: bool) -> Program:
    def program(deco: Decorator) -> Callable[..., Any]:
        if above:

            class N1:
                def __init__(self, x: Tensor) -> None:
                    self.x = x

                @deco
                @property
                def j(self) -> Float[Tensor, "n 2"]:
                    return self.x

            return lambda x: N1(x).j

        class N2:
            def __init__(self, x: Tensor) -> None:
                self.x = x

            @property
            @deco
            def j(self) -> Float[Tensor, "n 2"]:
                return self.x

        return lambda x: N2(x).j

    return program


def varargs(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(*args) -> None:
        pass

    return f


def varkwargs(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(**kwargs) -> None:
        pass

    return f


def defaults(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: int, y=1) -> None:
        pass

    return f


def default_bindings(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: int, y: int = 1) -> Float[Tensor, "x {y}"]:
        return torch.zeros(x, y)

    return f


class _GlobalFoo:
    pass


def global_string_same(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: "_GlobalFoo") -> "_GlobalFoo":
        return x

    return f


def global_string_return(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: int) -> "_GlobalFoo":
        return x

    return g


def global_string_param(deco: Decorator) -> Callable[..., Any]:
    @deco
    def h(x: "_GlobalFoo") -> int:
        return x

    return h


def local_string(deco: Decorator) -> Callable[..., Any]:
    class LocalFoo:
        pass

    @deco
    def f(x: "LocalFoo") -> "LocalFoo":
        return x

    return lambda: f(LocalFoo())


def printed_bindings(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: Float[Tensor, "foo bar"]) -> None:
        print_bindings()

    def call(x: Tensor) -> Seen:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            f(x)
        return Seen(out.getvalue())

    return call


def no_type_check_below(deco: Decorator) -> Callable[..., Any]:
    @deco
    @no_type_check
    def f(x: Float[Tensor, "foo bar"]) -> None:
        pass

    return f


def no_type_check_above(deco: Decorator) -> Callable[..., Any]:
    @no_type_check
    @deco
    def g(x: Float[Tensor, "foo bar"]) -> None:
        pass

    return g


def no_type_check_dataclass_below(deco: Decorator) -> Callable[..., Any]:
    @deco
    @no_type_check
    @dataclasses.dataclass
    class Foo:
        x: Float[Tensor, "foo bar"]

    return Foo


def no_type_check_dataclass_above(deco: Decorator) -> Callable[..., Any]:
    @no_type_check
    @deco
    @dataclasses.dataclass
    class Bar:
        x: Float[Tensor, "foo bar"]

    return Bar


def string_multiple_variadic(deco: Decorator) -> Callable[..., Any]:
    @deco
    def foo() -> 'Float[Tensor, "*foo *bar"]':
        return torch.arange(3.0)

    return foo


class _GlobalBar:
    def returns_self(self) -> "_GlobalBar":
        return self

    def returns_tuple(self) -> tuple["_GlobalBar", int]:
        return self, 1


def string_forward(method: str) -> Program:
    def program(deco: Decorator) -> Callable[..., Any]:
        checked = deco(getattr(_GlobalBar, method))
        return lambda: checked(_GlobalBar())

    return program


# --------------------------------------------------------------- test_messages.py


def arg_localisation(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: str, y: str, z: int) -> None:
        pass

    return f


def arg_localisation_tensors(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Float[Tensor, "a b"], y: Float[Tensor, "b c"]) -> None:
        pass

    return g


def dataclass_init(deco: Decorator) -> Callable[..., Any]:
    @deco
    @dataclasses.dataclass
    class M:
        x: Float[Tensor, " *foo"]
        y: Any
        z: int

    return M


# ----------------------------------------------------------------- test_pytree.py


class CustomNamedTuple(NamedTuple):
    x: Float[Tensor, "a b"]
    y: Float[Tensor, "b c"]


class OtherCustomNamedTuple(NamedTuple):
    x: Float[Tensor, "a b"]
    y: Float[Tensor, "b c"]


def pytree_namedtuple(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: CustomNamedTuple) -> None: ...

    return g


# -------------------------------------------------------------- test_generators.py


def generator(annotated_return: bool) -> Program:
    def program(deco: Decorator) -> Callable[..., Any]:
        if annotated_return:

            @deco
            def gen(x: Float[Tensor, "*"]) -> Iterator[Float[Tensor, "*"]]:
                yield x

        else:

            @deco
            def gen(x: Float[Tensor, "*"]):
                yield x

        @deco
        def foo() -> None:
            next(gen(torch.zeros(2)))
            next(gen(torch.zeros((3, 4))))

        return foo

    return program


def async_generator(deco: Decorator) -> Callable[..., Any]:
    @deco
    async def gen(x: Float[Tensor, "*"]) -> AsyncIterator[Float[Tensor, "*"]]:
        yield x

    @deco
    async def foo():
        async for _ in gen(torch.zeros(2)):
            pass
        async for _ in gen(torch.zeros((3, 4))):
            pass

    return lambda: asyncio.run(foo())


def generator_fixed(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Float[Tensor, "1"]) -> Iterator[Float[Tensor, "1"]]:
        yield x

    return lambda x: next(g(x))


def function_fixed(deco: Decorator) -> Callable[..., Any]:
    @deco
    def m(x: Float[Tensor, "1"]) -> Float[Tensor, "1"]:
        return x

    return m


def generator_original_issue(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Shaped[torch.Tensor, "*"]) -> Iterator[Shaped[torch.Tensor, "*"]]:
        yield x

    @deco
    def f() -> None:
        next(g(torch.zeros(1)))
        next(g(torch.zeros(2)))

    return f


# --------------------------------------------------------------- test_threading.py


def in_thread(deco: Decorator) -> Callable[..., Any]:
    @deco
    def add(x: Float[Tensor, "a b"], y: Float[Tensor, "a b"]) -> Float[Tensor, "a b"]:
        return x + y

    def call(x: Tensor, y: Tensor) -> None:
        raised: list[BaseException] = []

        def run() -> None:
            try:
                add(x, y)
            except BaseException as error:  # noqa: BLE001  (re-raised below)
                raised.append(error)

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        if raised:
            raise raised[0]

    return call


# ----------------------------------------------------------- test_serialisation.py


def pickled(hint: Any) -> Program:
    loaded = pickle.loads(pickle.dumps(hint))

    def program(deco: Decorator) -> Callable[..., Any]:
        @deco
        def f(x: loaded) -> None:
            pass

        return f

    return program


def pickled_shares_dims(deco: Decorator) -> Callable[..., Any]:
    loaded = pickle.loads(pickle.dumps(Float[torch.Tensor, "batch length"]))

    @deco
    def f(x: loaded, y: Float[Tensor, "batch"]) -> None:
        pass

    return f


# ----------------------------------------------------------------- test_tf_dtype.py


def unsigned(deco: Decorator) -> Callable[..., Any]:
    @deco
    def f(x: UInt[Tensor, "..."]) -> None:
        pass

    return f


# ------------------------------------------------------------ import_hook_tester.py


def hook_function(deco: Decorator) -> Callable[..., Any]:
    @deco
    def g(x: Float32[Tensor, " b"]) -> None:
        pass

    return g


def hook_dataclass(deco: Decorator) -> Callable[..., Any]:
    @deco
    @dataclasses.dataclass
    class D:
        foo: int
        bar: Float32[Tensor, " a"]

    return D


def hook_methods(method: str) -> Program:
    def program(deco: Decorator) -> Callable[..., Any]:
        class N:
            def __init__(self, a: Any) -> None:
                self.a = a

            @deco
            def foo(self, x: Tensor) -> None:
                pass

            @deco
            def bar(self) -> Tensor:
                return self.a

        if method == "foo":
            return lambda x: N(torch.zeros(())).foo(x)
        return lambda a: N(a).bar()

    return program


class Foo:
    pass


def hook_type_fields(deco: Decorator) -> Callable[..., Any]:
    @deco
    @dataclasses.dataclass
    class Bar:
        x: type[Foo]
        y: "type[Foo]"

    return Bar


class CustomGeneric:
    def __init__(self, arg: object) -> None:
        self.arg = arg

    def __repr__(self) -> str:
        return f"CustomGeneric({self.arg})"


class CustomType:
    def __class_getitem__(cls, item: object) -> CustomGeneric:
        return CustomGeneric(item)


def dummy_decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper


def invalid_hint(form: str) -> Program:
    def program(deco: Decorator) -> Callable[..., Any]:
        if form == "check-over-no_type_check":

            @deco
            @no_type_check
            def f(x: CustomType[int]) -> None:
                pass

        elif form == "no_type_check-over-check":

            @no_type_check
            @deco
            def f(x: CustomType[int]) -> None:
                pass

        else:

            @deco
            @dummy_decorator
            @no_type_check
            @dummy_decorator
            def f(x: CustomType[int]) -> None:
                pass

        return f

    return program


# --------------------------------------------------------------------------- cases

BVN_A, BVN_B, BVN_C, BVN_D = f32(3), f32(4), f32(4, 4), f32(5, 6)
BVN_J, BVN_K, BVN_L, BVN_M, BVN_N, BVN_O = (
    f32(1),
    f32(1, 4),
    f32(5, 1),
    f32(1, 1),
    f32(2, 1),
    f32(1, 6),
)
BVN = {
    "a": BVN_A,
    "b": BVN_B,
    "c": BVN_C,
    "d": BVN_D,
    "j": BVN_J,
    "k": BVN_K,
    "l": BVN_L,
    "m": BVN_M,
    "n": BVN_N,
    "o": BVN_O,
}
# test_broadcast_variadic_named: a=(3,) b=(4,) c=(4,4) d=(5,6) j=(1,) k=(1,4)
# l=(5,1) m=(1,1) n=(2,1) o=(1,6).
BVN_PASS = "aa bb cc dd bc aj bj cj dj bk ck dl am cm dm an bn od".split()
BVN_RAISE = "ab ac db dk cl cn dn oc oa".split()

ANY_TYPES = {"Any": Any, "TypeVar": T}

CASES = [
    Case("array.basic/scalar", basic, (f32(),), PASS),
    Case("array.return/transposed", return_transposed, (f32(3, 4),), PASS),
    Case("array.return/untransposed", return_untransposed, (f32(3, 4),), RAISE),
    Case("array.return/untransposed-square", return_untransposed, (f32(3, 3),), PASS),
    Case("array.two_args/ok", two_args, (f32(3, 4), f32(4, 5)), PASS),
    Case("array.two_args/bad", two_args, (f32(3, 4), f32(5, 4)), RAISE),
    Case("array.two_args/return-ok", two_args_return, (f32(3, 4), f32(4, 5)), PASS),
    Case("array.two_args/return-bad", two_args_return, (f32(3, 4), f32(5, 4)), RAISE),
    *[
        Case(f"array.any_dtype/{dtype}", any_dtype, (tensor(getattr(torch, dtype), 3, 4),), PASS)
        for dtype in (
            "float32",
            "bool",
            "int8",
            "uint8",
            "uint16",
            "complex64",
            "complex32",
            "bfloat16",
            "float8_e4m3fn",
        )
    ],
    Case("array.any_dtype/rank-1", any_dtype, (f32(1),), RAISE),
    Case("array.nested_jaxtyped/2x3-transpose", nested_jaxtyped, (f32(2, 3), True), PASS),
    Case("array.nested_jaxtyped/3x3-transpose", nested_jaxtyped, (f32(3, 3), True), PASS),
    Case("array.nested_jaxtyped/3x3-as-is", nested_jaxtyped, (f32(3, 3), False), PASS),
    Case("array.nested_jaxtyped/2x3-as-is", nested_jaxtyped, (f32(2, 3), False), RAISE),
    Case("array.nested_nojaxtyped/2x3", nested_plain_beartype, (f32(2, 3),), saw(False)),
    Case("array.nested_nojaxtyped/3x3", nested_plain_beartype, (f32(3, 3),), saw(True)),
    Case("array.isinstance/in-body", isinstance_in_body, (f32(2, 3),), saw((True, False, True))),
    Case("array.isinstance/binds-for-return", isinstance_binds_return, (f32(2, 3),), RAISE),
    Case("array.fixed/ok", fixed, (f32(4, 5, 2), f32(2)), PASS),
    Case("array.fixed/bad", fixed, (f32(3, 5, 2), f32(2)), RAISE),
    Case("array.anonymous/ok", anonymous, (f32(3, 4), f32(5)), PASS),
    Case("array.named_variadic/1d-0d", named_variadic, (f32(5), f32(), f32(5)), PASS),
    Case("array.named_variadic/2d-1d", named_variadic, (f32(3, 5), f32(3), f32(5)), PASS),
    Case("array.named_variadic/1d-1d", named_variadic, (f32(5), f32(3), f32(5)), RAISE),
    Case("array.named_variadic/2d-0d", named_variadic, (f32(3, 5), f32(), f32(5)), RAISE),
    Case("array.named_variadic/middle-ok", named_variadic_middle, (f32(4), f32(4, 3)), PASS),
    Case("array.named_variadic/middle-bad", named_variadic_middle, (f32(4), f32(3, 4)), RAISE),
    Case("array.named_variadic/middle-bad2", named_variadic_middle, (f32(4, 3), f32(3, 4)), RAISE),
    *[
        Case(f"array.anonymous_variadic/{rank}d-ok", anonymous_variadic, (x, f32(5)), PASS)
        for rank, x in ((1, f32(5)), (2, f32(3, 5)), (3, f32(3, 4, 5)))
    ],
    *[
        Case(f"array.anonymous_variadic/{rank}d-bad", anonymous_variadic, (x, f32(1)), RAISE)
        for rank, x in ((1, f32(5)), (2, f32(3, 5)), (3, f32(3, 4, 5)))
    ],
    Case("array.broadcast_fixed/4", broadcast_fixed, (f32(4),), PASS),
    Case("array.broadcast_fixed/1", broadcast_fixed, (f32(1),), PASS),
    Case("array.broadcast_fixed/3", broadcast_fixed, (f32(3),), RAISE),
    *[
        Case(
            f"array.broadcast_named/{x}-{y}",
            broadcast_named,
            (f32(x), f32(y)),
            RAISE if {x, y} == {3, 4} else PASS,
        )
        for x, y in ((3, 3), (4, 4), (1, 1), (3, 1), (4, 1), (1, 3), (1, 4), (3, 4), (4, 3))
    ],
    *[
        Case(
            f"array.broadcast_variadic_named/{p}",
            broadcast_variadic_named,
            (BVN[p[0]], BVN[p[1]]),
            PASS,
        )
        for p in BVN_PASS
    ],
    *[
        Case(
            f"array.broadcast_variadic_named/{p}",
            broadcast_variadic_named,
            (BVN[p[0]], BVN[p[1]]),
            RAISE,
        )
        for p in BVN_RAISE
    ],
    Case("array.variadic_mixed_broadcast/bad", mixed_broadcast, (f32(3, 4), f32(5)), RAISE),
    Case("array.variadic_mixed_broadcast/ok", mixed_broadcast, (f32(7, 3, 2), f32(1, 2)), PASS),
    Case("array.variadic_mixed_broadcast2/bad", mixed_broadcast2, (f32(3, 4), f32(5)), RAISE),
    Case("array.variadic_mixed_broadcast2/ok", mixed_broadcast2, (f32(1, 2), f32(7, 3, 2)), PASS),
    Case(
        "array.variadic_mixed_broadcast3/ok",
        mixed_broadcast3,
        (f32(2, 7, 3, 2, 2),),
        PASS,
        kwargs={"y": f32(2, 7, 1, 2, 2), "z": b8(2, 7, 3, 2, 2)},
    ),
    Case("array.symbolic/make_slice", make_slice, (f32(5),), PASS),
    Case("array.symbolic/cat", cat, (f32(5),), PASS),
    Case("array.symbolic/make_slice-2d", make_slice, (f32(3, 4),), RAISE),
    Case("array.symbolic/cat-2d", cat, (f32(3, 4),), RAISE),
    Case("array.symbolic/bad_make_slice", bad_make_slice, (f32(5),), RAISE),
    Case("array.symbolic/bad_cat", bad_cat, (f32(5),), RAISE),
    Case("array.incomplete_symbolic/2*dim", incomplete_symbolic, (f32(4),), REJECT),
    Case("array.deferred_symbolic_good/function", deferred_good, (3, f32()), PASS),
    Case("array.deferred_symbolic_good/method", deferred_good_method, (f32(),), PASS),
    Case("array.deferred_symbolic_bad/function", deferred_bad, (3, f32()), RAISE),
    Case("array.deferred_symbolic_bad/method", deferred_bad_method, (f32(),), RAISE),
    Case("array.deferred_symbolic_dataclass/ok", deferred_dataclass, (3, f32(3)), PASS),
    Case("array.deferred_symbolic_dataclass/bad", deferred_dataclass, (3, f32(4)), RAISE),
    Case("array.pep484_badness/bool", one(Bool[np.typing.ArrayLike, ""]), (True,), PASS),
    Case("array.pep484_badness/int", one(Int[np.typing.ArrayLike, ""]), (1,), PASS),
    Case("array.pep484_badness/float", one(Float[np.typing.ArrayLike, ""]), (1.0,), PASS),
    Case("array.pep484_badness/complex", one(Complex[np.typing.ArrayLike, ""]), (1 + 1j,), PASS),
    Case("array.pep484_badness/float-...", one(Float[np.typing.ArrayLike, "..."]), (1.0,), PASS),
    Case("array.pep484_badness/int-*foo", one(Int[np.typing.ArrayLike, "*foo"]), (1,), PASS),
    Case("array.ignored_names/foo=4-ok", numpy_hint("foo=4"), (nf64(4),), PASS),
    Case("array.ignored_names/foo=4-5", numpy_hint("foo=4"), (nf64(5),), RAISE),
    Case("array.ignored_names/foo=4-4x5", numpy_hint("foo=4"), (nf64(4, 5),), RAISE),
    Case(
        "array.ignored_names/foo=bar+qux-ok",
        numpy_hint("bar qux foo=bar+qux"),
        (nf64(2, 3, 5),),
        PASS,
    ),
    Case(
        "array.ignored_names/foo=bar+qux-bad",
        numpy_hint("bar qux foo=bar+qux"),
        (nf64(2, 3, 6),),
        RAISE,
    ),
    Case("array.ignored_names/#foo=bar-3x3", numpy_hint("bar #foo=bar"), (nf64(3, 3),), PASS),
    Case("array.ignored_names/#foo=bar-3x1", numpy_hint("bar #foo=bar"), (nf64(3, 1),), PASS),
    Case("array.ignored_names/#foo=bar-3x4", numpy_hint("bar #foo=bar"), (nf64(3, 4),), RAISE),
    Case("array.ignored_names/foo=#bar-3x3", numpy_hint("bar foo=#bar"), (nf64(3, 3),), PASS),
    Case("array.ignored_names/foo=#bar-3x1", numpy_hint("bar foo=#bar"), (nf64(3, 1),), PASS),
    Case("array.ignored_names/foo=#bar-3x4", numpy_hint("bar foo=#bar"), (nf64(3, 4),), RAISE),
    Case(
        "array.symbolic_functions/min-2x3",
        numpy_hint("foo bar min(foo,bar)"),
        (nf64(2, 3, 2),),
        PASS,
    ),
    Case(
        "array.symbolic_functions/min-3x2",
        numpy_hint("foo bar min(foo,bar)"),
        (nf64(3, 2, 2),),
        PASS,
    ),
    Case(
        "array.symbolic_functions/min-bad",
        numpy_hint("foo bar min(foo,bar)"),
        (nf64(3, 2, 4),),
        RAISE,
    ),
    Case("array.py310_unions/numpy", union_array_type, (nf64(3),), PASS),
    Case("array.py310_unions/torch", union_array_type, (f32(3),), PASS),
    Case("array.py310_unions/torch-2d", union_array_type, (f32(3, 3),), RAISE),
    Case("array.py310_unions/list", union_array_type, ([1.0, 2.0, 3.0],), RAISE),
    Case("array.key_dtype/float", key_scalar, (f32(),), RAISE),
    Case("array.key_dtype/int", key_scalar, (i64(),), RAISE),
    Case("array.extension/ok", extension, (f32(4), f32(3, 4)), PASS),
    Case("array.extension/bad-a", extension, (f32(3), f32(3, 4)), RAISE),
    Case("array.extension/bad-rank", extension, (f32(3, 4), f32(3, 4)), RAISE),
    Case("array.scalar_variadic_dim/float", scalar_variadic, (1.0,), PASS),
    Case("array.scalar_variadic_dim/tensor", scalar_variadic, (f32(3),), RAISE),
    Case("array.custom_array/ok", custom_array, (MyArray1(),), PASS),
    Case("array.custom_array/other-dtype", custom_array, (MyArray2(),), RAISE),
    Case("array.custom_array/other-shape", custom_array, (MyArray3(),), RAISE),
    Case("array.custom_array/two-fixed", custom_array_two, (MyArray1(), MyArray1()), RAISE),
    Case("array.custom_array/two-types", custom_array_two, (MyArray1(), MyArray3()), RAISE),
    Case("array.custom_array/mixed-types", custom_array_mixed, (MyArray1(), MyArray3()), PASS),
    *[
        case
        for name, array_type in ANY_TYPES.items()
        for case in (
            Case(f"array.any[{name}]/numpy", any_array(array_type), (nf64(3, 4),), PASS),
            Case(f"array.any[{name}]/torch", any_array(array_type), (f32(3, 4),), PASS),
            Case(f"array.any[{name}]/duck", any_array(array_type), (DuckArray1(),), PASS),
            Case(f"array.any[{name}]/numpy-rank", any_array(array_type), (nf64(3, 2, 2),), RAISE),
            Case(f"array.any[{name}]/torch-rank", any_array(array_type), (f32(3, 2, 2),), RAISE),
            Case(f"array.any[{name}]/duck-rank", any_array(array_type), (DuckArray2(),), RAISE),
            Case(f"array.any[{name}]/numpy-int", any_array(array_type), (ni64(3, 4),), RAISE),
            Case(f"array.any[{name}]/torch-int", any_array(array_type), (i32(3, 4),), RAISE),
            Case(f"array.any[{name}]/duck-int", any_array(array_type), (DuckArray3(),), RAISE),
            Case(f"array.any[{name}]/int", any_array(array_type), (1,), RAISE),
        )
    ],
    Case("array.any[TypeVar-bound-Tensor]/torch", any_array(TensorT), (f32(3, 4),), PASS),
    Case("array.any[TypeVar-bound-Tensor]/numpy", any_array(TensorT), (nf64(3, 4),), RAISE),
    Case("array.any[TypeVar-bound-Tensor]/duck", any_array(TensorT), (DuckArray1(),), RAISE),
    Case("array.uniontype/none", optional_numpy, (None,), PASS),
    Case("array.uniontype/scalar", optional_numpy, (np.array(1.0),), PASS),
    Case("array.uniontype/vector", optional_numpy, (np.array([1.0, 2.0]),), RAISE),
    *[
        case
        for form in (
            "method",
            "check-over-classmethod",
            "classmethod-over-check",
            "check-over-staticmethod",
            "staticmethod-over-check",
        )
        for case in (
            Case(f"decorator.methods/{form}-ok", method_form(form), (f32(3), f32(3)), PASS),
            Case(f"decorator.methods/{form}-bad", method_form(form), (f32(3), f32(4)), RAISE),
        )
    ],
    Case("decorator.abstractmethod/check-over", abstract_method(True), (), saw(True)),
    Case("decorator.abstractmethod/under-check", abstract_method(False), (), saw(True)),
    Case("decorator.property/check-over-ok", property_form(True), (f32(3, 2),), PASS),
    Case("decorator.property/check-over-bad", property_form(True), (f32(3),), RAISE),
    Case("decorator.property/under-check-ok", property_form(False), (f32(3, 2),), PASS),
    Case("decorator.property/under-check-bad", property_form(False), (f32(3),), RAISE),
    Case("decorator.varargs/ints", varargs, (1, 2), PASS),
    Case("decorator.varkwargs/ints", varkwargs, (), PASS, kwargs={"a": 1, "b": 2}),
    Case("decorator.defaults/unannotated", defaults, (1,), PASS),
    *[
        Case(f"decorator.default_bindings/{args}", default_bindings, args, PASS)
        for args in ((1,), (1, 1), (1, 0), (1, 5))
    ],
    Case("decorator.global_string/ok", global_string_same, (_GlobalFoo(),), PASS),
    Case("decorator.global_string/return", global_string_return, (1,), RAISE),
    Case("decorator.global_string/param", global_string_param, (1,), RAISE),
    Case("decorator.local_string/ok", local_string, (), PASS),
    Case(
        "decorator.print_bindings/foo-bar",
        printed_bindings,
        (f32(3, 4),),
        saw(
            "The current values for each jaxtyping axis annotation are as follows.\nfoo=3\nbar=4\n"
        ),
    ),
    Case("decorator.no_type_check/check-over", no_type_check_below, ("not an array",), PASS),
    Case("decorator.no_type_check/under-check", no_type_check_above, ("not an array",), PASS),
    Case(
        "decorator.no_type_check/dataclass-check-over",
        no_type_check_dataclass_below,
        (),
        PASS,
        kwargs={"x": "not an array"},
    ),
    Case(
        "decorator.no_type_check/dataclass-under-check",
        no_type_check_dataclass_above,
        (),
        PASS,
        kwargs={"x": "not an array"},
    ),
    Case(
        "decorator.stringified_multiple_variadic",
        string_multiple_variadic,
        (),
        PASS,
        policy="decoration-errors",
        shapecheck=REJECT,
    ),
    Case("decorator.stringified_forward/self", string_forward("returns_self"), (), PASS),
    Case("decorator.stringified_forward/tuple", string_forward("returns_tuple"), (), PASS),
    Case("messages.arg_localisation/int", arg_localisation, ("hi", "bye", "not-an-int"), RAISE),
    Case(
        "messages.arg_localisation/tensors",
        arg_localisation_tensors,
        (f32(2, 3),),
        RAISE,
        kwargs={"y": f32(4, 3)},
    ),
    Case("messages.dataclass_init/int", dataclass_init, (f32(2, 3), (1, (3, 4)), "no"), RAISE),
    Case(
        "pytree.namedtuple/ok",
        pytree_namedtuple,
        (CustomNamedTuple(f32(3, 2), f32(2, 5)),),
        PASS,
    ),
    Case(
        "pytree.namedtuple/other-class",
        pytree_namedtuple,
        (OtherCustomNamedTuple(f32(3, 2), f32(2, 5)),),
        RAISE,
    ),
    Case("pytree.namedtuple/object", pytree_namedtuple, (object(),), RAISE),
    Case("generators.simple", generator(True), (), PASS),
    Case("generators.return_no_annotations", generator(False), (), PASS),
    Case("generators.async_simple", async_generator, (), PASS),
    Case("generators.dont_modify/generator", generator_fixed, (f32(2),), RAISE),
    Case("generators.dont_modify/function", function_fixed, (f32(2),), RAISE),
    Case("generators.original_issue", generator_original_issue, (), PASS),
    Case("threading.jaxtyped/ok", in_thread, (f32(1, 2), f32(1, 2)), PASS),
    Case("threading.jaxtyped/bad", in_thread, (f32(1, 2), f32(2, 1)), RAISE),
    Case("serialisation.any_dtype", pickled(Shaped[np.ndarray, "2 3"]), (nf64(2, 3),), PASS),
    Case("serialisation.anonymous_dim", pickled(Float[np.ndarray, "_ _"]), (nf64(2, 3),), PASS),
    Case(
        "serialisation.anonymous_variadic", pickled(Float[np.ndarray, "..."]), (nf64(2, 3),), PASS
    ),
    Case("serialisation.torch/ok", pickled_shares_dims, (f32(3, 4), f32(3)), PASS),
    Case("serialisation.torch/bad", pickled_shares_dims, (f32(3, 4), f32(4)), RAISE),
    Case("tf_dtype.uint8", unsigned, (tensor(torch.uint8),), PASS),
    Case("tf_dtype.float32", unsigned, (f32(),), RAISE),
    Case("hook.function/ok", hook_function, (f32(1),), PASS),
    Case("hook.function/int-scalar", hook_function, (i32(),), RAISE),
    Case("hook.dataclass/ok", hook_dataclass, (1, f32(1)), PASS),
    Case("hook.dataclass/float-foo", hook_dataclass, (1.0, f32(1)), RAISE),
    Case("hook.dataclass/scalar-bar", hook_dataclass, (1, f32()), RAISE),
    Case("hook.methods/foo-string", hook_methods("foo"), ("not_an_array",), RAISE),
    Case("hook.methods/bar-string", hook_methods("bar"), ("not_an_array",), RAISE),
    Case("hook.methods/bar-ok", hook_methods("bar"), (f32(2),), PASS),
    Case("hook.type_fields/ok", hook_type_fields, (Foo, Foo), PASS),
    Case("hook.type_fields/int", hook_type_fields, (1, Foo), RAISE),
    Case(
        "hook.invalid_hint/check-over-no_type_check",
        invalid_hint("check-over-no_type_check"),
        (None,),
        REJECT,
        policy="no-type-check",
        shapecheck=PASS,
    ),
    Case(
        "hook.invalid_hint/no_type_check-over-check",
        invalid_hint("no_type_check-over-check"),
        (None,),
        REJECT,
    ),
    Case(
        "hook.invalid_hint/wrapped-no_type_check",
        invalid_hint("wrapped"),
        (None,),
        REJECT,
        policy="no-type-check",
        shapecheck=PASS,
    ),
]
