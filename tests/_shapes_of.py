"""Print, as JSON, the shape every annotation of some modules states: run as
`python tests/_shapes_of.py ROOT MODULE...` with ROOT the folder that holds the
package, so that an annotated copy and the original can be compared.

Each function gives `{place: shape}`, where a place is `param x`, `return` or
`local X`, and a shape is the annotation's spec with each dim an expression
in sympy's canonical form (`batch*steps` for `steps*batch`): aliases,
spellings and the order of a product's factors do not count, the dims do.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import sympy


def _dims(spec: Any) -> Any:
    from shapecheck._spec import FieldsSpec, SizeSpec, TensorSpec, TupleSpec, UnionSpec
    from shapecheck._static._shape import StaticShape, from_spec

    if isinstance(spec, TensorSpec):
        if spec.shape is None:
            return "Tensor"
        static = from_spec(spec.shape)
        if not isinstance(static, StaticShape):
            return str(spec.shape)
        dims = [str(sympy.sympify(d)) for d in static.dims]
        prefix = [] if static.group is None else ["..."]
        return f"{spec.dtype}[{' '.join(prefix + dims)}]"
    if isinstance(spec, SizeSpec):
        return f"Size({spec.name})"
    if isinstance(spec, TupleSpec):
        return [_dims(item) for item in spec.items]
    if isinstance(spec, FieldsSpec):
        return {name: _dims(field) for name, field in spec.fields}
    if isinstance(spec, UnionSpec):
        return sorted(json.dumps(_dims(o)) for o in spec.options)
    return str(spec)


def shapes_of(modules: list[str]) -> dict[str, dict[str, Any]]:
    import importlib
    import inspect

    from shapecheck._runtime._locals import local_annotations
    from shapecheck._spec import signature_of, spec_of
    from shapecheck._target import annotated_members

    found: dict[str, dict[str, Any]] = {}
    for name in modules:
        module = importlib.import_module(name)
        for member in annotated_members(module, None, private=True):
            fn = member.function
            places: dict[str, Any] = {}
            signature = signature_of(fn, member.localns)
            for param in signature.params:
                text = _dims(param.spec)
                if text not in ("Any", "typing.Any"):
                    places[f"param {param.name}"] = text
            if signature.returns is not None:
                places["return"] = _dims(signature.returns)
            located = local_annotations(fn, member.localns)
            for local, site in (located[2] if located else {}).items():
                places[f"local {local}"] = _dims(site.spec)
            found[f"{name}.{fn.__qualname__}"] = places
        for cls_name, cls in vars(module).items():
            fields = getattr(cls, "_fields", None)
            if inspect.isclass(cls) and fields and cls.__module__ == name:
                hints = cls.__annotations__
                found[f"{name}.{cls_name}"] = {
                    f"field {f}": _dims(spec_of(hints[f])) for f in fields if f in hints
                }
    return found


if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1])
    print(json.dumps(shapes_of(sys.argv[2:]), indent=1, sort_keys=True))
