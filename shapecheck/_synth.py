"""Spec + sizes -> values on any device, to run functions without data.

The docs generator runs every function at a package's example sizes, with
zeros for data; the verifier runs them under many size assignments. Both build
their arguments here, from the same parsed specs the checker uses.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Mapping
from typing import Any

import torch

from ._runtime._compile import dtypes_of
from ._spec import (
    Anonymous,
    FieldsSpec,
    Fixed,
    MappingSpec,
    Named,
    OpaqueSpec,
    OtherSpec,
    SequenceSpec,
    Signature,
    SizeSpec,
    Spec,
    Symbolic,
    TensorSpec,
    TupleSpec,
    UnionSpec,
    Variadic,
    signature_of,
)

__all__ = ["SynthError", "made_by_instance", "shape_for", "synth_arguments", "synth_value"]

_PREFERRED = (torch.float32, torch.int64, torch.bool, torch.float64, torch.int32)


class SynthError(Exception):
    """No value can be made for a spec at these sizes; the text says why."""


def _dtype_for(spec: TensorSpec) -> torch.dtype:
    accepted = dtypes_of(spec)
    if accepted is None:
        return torch.float32
    for dtype in _PREFERRED:
        if dtype in accepted:
            return dtype
    if not accepted:
        raise SynthError(f"no torch dtype matches {spec}")
    return sorted(accepted, key=str)[0]


def shape_for(
    spec: TensorSpec, sizes: Mapping[str, Any], arguments: Mapping[str, Any] | None = None
) -> tuple[int, ...]:
    """The shape a tensor for `spec` has at `sizes` (`*name` entries hold tuples)."""
    if spec.shape is None:
        return ()
    shape: list[int] = []
    for dim in spec.shape.dims:
        if isinstance(dim, Named):
            if dim.name not in sizes:
                raise SynthError(f"no size given for `{dim.name}`")
            shape.append(int(sizes[dim.name]))
        elif isinstance(dim, Fixed):
            shape.append(dim.size)
        elif isinstance(dim, Anonymous):
            shape.append(int(sizes.get("_", 1)))
        elif isinstance(dim, Variadic):
            shape.extend(sizes.get("*" + (dim.name or "_"), ()))
        else:
            shape.append(_evaluate(dim, sizes, arguments))
    return tuple(shape)


def _evaluate(dim: Symbolic, sizes: Mapping[str, Any], arguments: Mapping[str, Any] | None) -> int:
    scope = {name: size for name, size in sizes.items() if name.isidentifier()}
    try:
        if dim.code is not None:
            return int(eval(dim.code, scope))  # noqa: S307  (a parsed dim expression)
        if arguments is None:
            raise SynthError(f"`{dim.expr}` depends on the call's arguments")
        text = eval(f"f'{dim.expr}'", dict(arguments))  # noqa: S307
        return int(eval(text, scope))  # noqa: S307
    except NameError as error:
        raise SynthError(f"`{dim.expr}` uses {error.name!r}, which has no size") from None
    except SynthError:
        raise
    except Exception as error:  # noqa: BLE001  (an expression over user sizes)
        raise SynthError(f"`{dim.expr}` cannot be evaluated: {error}") from None


def synth_value(
    spec: Spec, sizes: Mapping[str, Any], device: str, *, arguments: Mapping[str, Any] | None = None
) -> Any:
    """A value matching `spec` at `sizes`: zeros on `device` for every tensor."""
    if isinstance(spec, TensorSpec):
        if not spec.is_torch and spec.array_type is not Any:
            raise SynthError(f"cannot make a {spec.type_name}: only torch tensors are made")
        if spec.shape is None:
            raise SynthError(f"a bare {spec.type_name} has no shape to make it at")
        return torch.zeros(shape_for(spec, sizes, arguments), dtype=_dtype_for(spec), device=device)
    if isinstance(spec, SizeSpec):
        if spec.name not in sizes:
            raise SynthError(f"no size given for `{spec.name}`")
        return int(sizes[spec.name])
    if isinstance(spec, TupleSpec):
        return tuple(synth_value(item, sizes, device, arguments=arguments) for item in spec.items)
    if isinstance(spec, SequenceSpec):
        item = synth_value(spec.item, sizes, device, arguments=arguments)
        return tuple([item]) if spec.kind is tuple else [item]
    if isinstance(spec, MappingSpec):
        if spec.key.hint is not str:
            raise SynthError(f"cannot make a {spec}: only str keys are made")
        return {"key": synth_value(spec.value, sizes, device, arguments=arguments)}
    if isinstance(spec, OpaqueSpec):
        raise SynthError(f"cannot make a {spec}")
    if isinstance(spec, FieldsSpec):
        values = {
            name: synth_value(field, sizes, device, arguments=arguments)
            for name, field in spec.fields
        }
        return spec.cls(**values)
    if isinstance(spec, UnionSpec):
        reasons = []
        for option in spec.options:
            try:
                return synth_value(option, sizes, device, arguments=arguments)
            except SynthError as error:
                reasons.append(str(error))
        raise SynthError("; ".join(reasons))
    return _plain_value(spec, device)


def _plain_value(spec: OtherSpec, device: str) -> Any:
    hint = spec.hint
    is_union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    options = typing.get_args(hint) if is_union else (hint,)
    for option in options:
        if option is torch.device or option is str:
            return device if option is str else torch.device(device)
        if option is type(None):
            return None
    for option, value in ((bool, False), (int, 1), (float, 1.0)):
        if option in options:
            return value
    raise SynthError(f"cannot make a value of type {spec}")


def synth_arguments(
    signature: Signature,
    sizes: Mapping[str, Any],
    device: str,
    *,
    skip_self: bool = False,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments for a call at `sizes` on `device`.

    A parameter with a default keeps it unless it binds a dim; `device`
    parameters get `device`; `overrides` gives values made elsewhere.
    """
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for index, param in enumerate(signature.params):
        if skip_self and index == 0:
            continue
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        spec = param.spec
        if overrides is not None and param.name in overrides:
            value: Any = overrides[param.name]
        elif param.name == "device" and isinstance(spec, OtherSpec):
            value = _plain_value(spec, device)
        elif param.default is not inspect.Parameter.empty and isinstance(spec, OtherSpec):
            continue
        else:
            try:
                value = synth_value(spec, sizes, device)
            except SynthError as error:
                if param.default is not inspect.Parameter.empty:
                    continue  # the default stands in for what cannot be made
                raise SynthError(f"`{param.name}`: {error}") from None
        if param.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[param.name] = value
        else:
            args.append(value)
    return args, kwargs


def made_by_instance(
    instance: Any, signature: Signature, sizes: Mapping[str, Any], device: str
) -> dict[str, Any]:
    """Values the object itself makes for parameters of a type with many forms.

    A state may be one tensor or a tuple of them, depending on the model; a
    method of the instance that returns that type (`begin_state`) knows which.
    The type is matched by the hint itself (an alias), or by its whole parsed
    spec (the same annotation written out twice).
    """
    if instance is None:
        return {}
    made: dict[str, Any] = {}
    for param in signature.params[1:]:
        if not isinstance(param.spec, SequenceSpec | UnionSpec):
            continue
        wanted = signature.hints.get(param.name)
        options = {wanted, *getattr(wanted, "__args__", ())}
        for name in sorted(vars(type(instance))):
            maker = getattr(type(instance), name)
            if not inspect.isfunction(maker) or maker is None or name.startswith("_"):
                continue
            made_signature = signature_of(
                inspect.unwrap(maker), {type(instance).__name__: type(instance)}
            )
            same = made_signature.returns == param.spec
            if not same and made_signature.hints.get("return") not in options:
                continue
            args, kwargs = synth_arguments(made_signature, sizes, device, skip_self=True)
            made[param.name] = maker(instance, *args, **kwargs)
            break
    return made
