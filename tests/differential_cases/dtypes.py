"""Every jaxtyping dtype family against every torch dtype, and a few fixed widths.

`dtypes.<Family>/<torch dtype>`: `f(x: Family[Tensor, "n"])` called with a
tensor of that dtype. jaxtyping matches a torch dtype by its name
(`torch.float32` -> "float32"), so the expected verdicts follow jaxtyping's
lists of names: complex32, for one, is in none of them but Shaped's.
"""

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from jaxtyping import (
    BFloat16,
    Bool,
    Complex,
    Complex64,
    Float,
    Float16,
    Float32,
    Inexact,
    Int,
    Int64,
    Integer,
    Num,
    Real,
    Shaped,
    UInt,
    UInt8,
)
from torch import Tensor

from ._case import PASS, RAISE, Case, Decorator, Program, tensor

TORCH_DTYPES = [
    "bool",
    "uint1",
    "uint2",
    "uint4",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "int1",
    "int2",
    "int4",
    "int8",
    "int16",
    "int32",
    "int64",
    "float8_e4m3fn",
    "float8_e5m2",
    "float8_e4m3fnuz",
    "float8_e5m2fnuz",
    "float8_e8m0fnu",
    "float4_e2m1fn_x2",
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "complex32",
    "complex64",
    "complex128",
    "quint8",
]

# torch's uint1, int1, float8_e8m0fnu, float4_e2m1fn_x2 (jaxtyping knows float4_e2m1fn)
# and the quantized quint8 have no jaxtyping name.
_UINT = {"uint2", "uint4", "uint8", "uint16", "uint32", "uint64"}
_INT = {"int2", "int4", "int8", "int16", "int32", "int64"}
_FLOAT = {
    "float8_e4m3fn",
    "float8_e5m2",
    "float8_e4m3fnuz",
    "float8_e5m2fnuz",
    "float16",
    "bfloat16",
    "float32",
    "float64",
}
_COMPLEX = {"complex64", "complex128"}

FAMILIES: dict[str, tuple[Any, set[str]]] = {
    "Shaped": (Shaped, set(TORCH_DTYPES)),
    "Bool": (Bool, {"bool"}),
    "UInt": (UInt, _UINT),
    "Int": (Int, _INT),
    "Integer": (Integer, _UINT | _INT),
    "Float": (Float, _FLOAT),
    "Complex": (Complex, _COMPLEX),
    "Inexact": (Inexact, _FLOAT | _COMPLEX),
    "Real": (Real, _UINT | _INT | _FLOAT),
    "Num": (Num, _UINT | _INT | _FLOAT | _COMPLEX),
}

WIDTHS: dict[str, tuple[Any, dict[str, str]]] = {
    "Float32": (Float32, {"float32": PASS, "float64": RAISE, "bfloat16": RAISE}),
    "Float16": (Float16, {"float16": PASS, "bfloat16": RAISE}),
    "BFloat16": (BFloat16, {"bfloat16": PASS, "float16": RAISE}),
    "Int64": (Int64, {"int64": PASS, "int32": RAISE, "uint64": RAISE}),
    "UInt8": (UInt8, {"uint8": PASS, "int8": RAISE, "bool": RAISE}),
    "Complex64": (Complex64, {"complex64": PASS, "complex128": RAISE}),
}

NUMPY: dict[str, str] = {
    "float16": PASS,
    "float32": PASS,
    "float64": PASS,
    "int32": RAISE,
    "bool": RAISE,
    "complex64": RAISE,
}


def example(dtype: str) -> Tensor:
    if dtype == "quint8":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # quantized tensors are deprecated
            return torch.quantize_per_tensor(torch.zeros(2), 0.1, 0, torch.quint8)
    return tensor(getattr(torch, dtype), 2)


def typed(family: Any, array_type: Any = Tensor) -> Program:
    def program(deco: Decorator) -> Callable[..., Any]:
        @deco
        def f(x: family[array_type, "n"]) -> None:
            pass

        return f

    return program


CASES = [
    *[
        Case(
            f"dtypes.{name}/{dtype}",
            typed(family),
            (example(dtype),),
            PASS if dtype in accepted else RAISE,
        )
        for name, (family, accepted) in FAMILIES.items()
        for dtype in TORCH_DTYPES
    ],
    *[
        Case(f"dtypes.{name}/{dtype}", typed(family), (example(dtype),), verdict)
        for name, (family, verdicts) in WIDTHS.items()
        for dtype, verdict in verdicts.items()
    ],
    *[
        Case(
            f"dtypes.Float-numpy/{dtype}", typed(Float, np.ndarray), (np.zeros(2, dtype),), verdict
        )
        for dtype, verdict in NUMPY.items()
    ],
]
