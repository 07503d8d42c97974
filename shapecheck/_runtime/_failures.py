"""What a failed check reports: the `Failure` record and how values read in it.

Reading `tensor.shape` and `tensor.dtype` never synchronises a device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from .._spec import Path, Spec

__all__ = [
    "Failure",
    "array_dtype_name",
    "describe_value",
    "device_failure",
    "dtype_name",
    "is_array_like",
    "structural",
]


@dataclass
class Failure:
    path: str
    expected: str
    actual: str
    reason: str
    dim: str | None = None
    bound_value: int | None = None
    bound_at: str | None = None
    actual_value: int | None = None
    permutation: tuple[int, ...] | None = None
    structural: bool = False  # the value is not even the right kind of thing


def dtype_name(dtype: torch.dtype) -> str:
    return repr(dtype).rsplit(".", 1)[-1]


def array_dtype_name(value: Any) -> str:
    """The dtype name of any array, read as jaxtyping reads it."""
    dtype = value.dtype
    kind = getattr(dtype, "type", None)
    if kind is not None and hasattr(kind, "__name__"):  # numpy and alike
        name: str = kind.__name__
        if name == "void" and getattr(dtype, "names", None):  # a structured array
            return str(dtype)
        return name
    if hasattr(dtype, "as_numpy_dtype"):
        return str(dtype.as_numpy_dtype.__name__)
    if isinstance(dtype, str):
        return dtype
    return repr(dtype).rsplit(".", 1)[-1]


def is_array_like(value: Any) -> bool:
    return hasattr(value, "shape") and hasattr(value, "dtype")


def describe_value(value: Any) -> str:
    """`float32[3, 11] on cpu`, or the type and length of a container."""
    if isinstance(value, torch.Tensor):
        dims = ", ".join(str(size) for size in value.shape)
        return f"{dtype_name(value.dtype)}[{dims}] on {value.device}"
    if not isinstance(value, type) and is_array_like(value):
        try:
            dims = ", ".join(str(size) for size in value.shape)
            name = array_dtype_name(value)
        except Exception:  # noqa: BLE001  (a broken array-like: say what it is)
            return type(value).__qualname__
        device = getattr(value, "device", None)
        where = f" on {device}" if device is not None and not callable(device) else ""
        return f"{type(value).__qualname__} {name}[{dims}]{where}"
    if isinstance(value, dict):
        return f"{type(value).__name__} of {len(value)}"
    if isinstance(value, tuple | list):
        inner = ", ".join(describe_value(item) for item in value[:4])
        more = ", ..." if len(value) > 4 else ""
        return f"{type(value).__name__} of {len(value)}: ({inner}{more})"
    return type(value).__qualname__


def structural(spec: Spec, value: Any, path: str, wanted: str) -> Failure:
    """The failure of a value that is not the kind of thing `spec` wants."""
    return Failure(
        path,
        str(spec),
        describe_value(value),
        f"expected {wanted}, got {describe_value(value)}",
        structural=True,
    )


def device_failure(leaves: list[tuple[Path, torch.Tensor]]) -> Failure | None:
    """The odd one out when the tensors of one call sit on different devices."""
    devices = [tensor.device for _, tensor in leaves]
    if len(set(devices)) <= 1:
        return None
    counts = {device: devices.count(device) for device in devices}
    majority = max(counts, key=lambda device: (counts[device], -devices.index(device)))
    on_majority = [str(path) for path, tensor in leaves if tensor.device == majority]
    for at, tensor in leaves:
        path = str(at)
        if tensor.device != majority:
            shown = ", ".join(on_majority[:3]) + (", ..." if len(on_majority) > 3 else "")
            return Failure(
                path,
                f"a tensor on {majority}",
                describe_value(tensor),
                f"{path} is on {tensor.device}, but the other tensors of the call are on "
                f"{majority} ({shown})",
            )
    return None
