"""`Annotated` forms that are not shapes, and odd jaxtyping ones: mypy's verdict, unchanged.

The plugin must add nothing here and crash on nothing; mypy's own errors and
notes (marked) must come out exactly as without the plugin.
"""

from dataclasses import dataclass, field
from typing import Annotated, ClassVar, NamedTuple, TypedDict, TypeVar

import jaxtyping as jt
import typing_extensions as te
from jaxtyping import Float, Shaped
from torch import Tensor
from typing_extensions import NotRequired, ReadOnly, Required

from shapecheck import Size

T = TypeVar("T")


class Marker:
    def __init__(self, *args: object) -> None:
        self.args = args


Meta = Annotated[int, "meta"]
Generic = Annotated[list[T], Marker()]
Nested = Annotated[Annotated[int, "a"], "b"]
Extension = te.Annotated[str, "x"]
BatchSize = Annotated[int, Size("batch")]
NotAShape = Annotated[Tensor, "batch,hiddens"]


class Options(TypedDict, total=False):
    a: Annotated[Required[int], "meta"]
    b: Annotated[NotRequired[str], Marker()]
    c: Annotated[ReadOnly[int], "x"]


class Holder:
    shared: Annotated[ClassVar[int], "m"] = 1  # mypy: ClassVar nested


@dataclass
class Record:
    a: Annotated[int, "meta"]
    b: Annotated[list[int], Marker()] = field(default_factory=list)
    t: Float[Tensor, "batch"] | None = None


class Row(NamedTuple):
    a: Annotated[int, "m"]


def forms(
    a: Annotated[int, "meta"],
    b: Annotated[str, Marker()],
    c: Annotated[int, Size("batch")],
    d: Meta,
    e: Generic[int],
    f: Nested,
    g: Extension,
    h: BatchSize,
    i: "Annotated[int, 'q']",
    j: NotAShape,
) -> Annotated[int, "x y"]:
    reveal_type(e)
    reveal_type(j)
    return b  # mypy: incompatible return


def odd(
    x: Float[Tensor, 3],
    y: Float[Tensor, b"batch"],
    z: Float[int, "batch hiddens"],
    u: Shaped[Tensor, "..."],
    v: jt.Int[Tensor, ""],
    w: Float[Tensor, "a", "b"],
    s: Float["Tensor", "batch"],
) -> None:
    reveal_type(x)
    reveal_type(z)
    print(x.nope)  # mypy: no attribute
    forms(1, "s", 2, 3, [4], 5, "g", 6, 7, x)
    forms("1", "s", 2, 3, [4], 5, "g", 6, 7, x)  # mypy: incompatible argument


union: Float[Tensor, "a b"] | int = 3
reveal_type(union)
listed: list[Float[Tensor, "a"]] = []
reveal_type(listed)
