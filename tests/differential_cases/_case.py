"""One differential case: a program, a call, and the engine's verdict on it.

A program is a function of a decorator. `test_differential.py` builds it twice,
once with `shapecheck.check` and once with the reference engine
`jaxtyping.jaxtyped(typechecker=beartype)`, so that both see the same source,
the same annotation objects and the same call.
"""

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

Decorator = Callable[[Any], Any]
Program = Callable[[Decorator], Callable[..., Any]]

# The verdicts. A body's own exception reads "body <Type>"; the engine's
# exceptions that are neither a type-check error nor an annotation error read
# "error <Type>".
PASS = "pass"
RAISE = "raise"
REJECT = "reject"


def saw(value: object) -> str:
    """The verdict of a call that passed and whose body observed `value`."""
    return f"pass, saw {value!r}"


@dataclass(frozen=True)
class Seen:
    """Returned by a body: what it observed (an isinstance, a grad mode), part of the verdict."""

    value: object


@dataclass(frozen=True)
class Case:
    """`program(decorator)(*args, **kwargs)`, and the engine's verdict on it.

    `policy` names an entry of `POLICIES` in test_differential.py, a deliberate
    difference; `shapecheck` is then shapecheck's own verdict.
    """

    id: str
    program: Program
    args: tuple[Any, ...]
    engine: str
    kwargs: Mapping[str, Any] = field(default_factory=dict, kw_only=True)
    policy: str | None = field(default=None, kw_only=True)
    shapecheck: str | None = field(default=None, kw_only=True)


def tensor(dtype: torch.dtype, *shape: int) -> torch.Tensor:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # complex32 is "experimental"
        return torch.zeros(shape, dtype=dtype)


def f32(*shape: int) -> torch.Tensor:
    return torch.zeros(shape)


def f64(*shape: int) -> torch.Tensor:
    return torch.zeros(shape, dtype=torch.float64)


def i32(*shape: int) -> torch.Tensor:
    return torch.zeros(shape, dtype=torch.int32)


def i64(*shape: int) -> torch.Tensor:
    return torch.zeros(shape, dtype=torch.int64)


def b8(*shape: int) -> torch.Tensor:
    return torch.zeros(shape, dtype=torch.bool)


def nf64(*shape: int) -> np.ndarray:
    return np.zeros(shape)


def ni64(*shape: int) -> np.ndarray:
    return np.zeros(shape, dtype=np.int64)


def one(hx: Any) -> Program:
    """`f(x: hx) -> None`."""

    def program(deco: Decorator) -> Callable[..., Any]:
        @deco
        def f(x: hx) -> None:
            pass

        return f

    return program
