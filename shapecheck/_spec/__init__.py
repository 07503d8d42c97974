"""Annotation -> Spec: the one parsed model that every feature reads.

The runtime checker, the docs generator, the linter and the verifier all take
their view of an annotation from here. Nothing in this package imports the rest
of shapecheck but `_errors`.

One module per job, imported one way (`_dims` <- `_specs` <- `_walk`, and
`_specs` <- `_signature`):

- `_dims`: the dim types and the one dimension-string parser, `parse_shape`;
- `_specs`: the spec types and `spec_of`, one resolved type hint -> `Spec`;
- `_walk`: the one walker of specs, `leaves` and `spec_at` over `Path`s;
- `_signature`: a function's annotations, resolved and parsed, `signature_of`.
"""

from ._dims import Anonymous as Anonymous
from ._dims import Dim as Dim
from ._dims import Fixed as Fixed
from ._dims import Named as Named
from ._dims import Shape as Shape
from ._dims import Symbolic as Symbolic
from ._dims import Variadic as Variadic
from ._dims import parse_shape as parse_shape
from ._signature import Param as Param
from ._signature import Signature as Signature
from ._signature import resolve_hints as resolve_hints
from ._signature import signature_of as signature_of
from ._signature import unwrapped as unwrapped
from ._specs import _SPEC_CACHE as _SPEC_CACHE  # the tests watch it for leaks
from ._specs import FieldsSpec as FieldsSpec
from ._specs import MappingSpec as MappingSpec
from ._specs import OpaqueSpec as OpaqueSpec
from ._specs import OtherSpec as OtherSpec
from ._specs import SequenceSpec as SequenceSpec
from ._specs import Size as Size
from ._specs import SizeSpec as SizeSpec
from ._specs import Spec as Spec
from ._specs import TensorSpec as TensorSpec
from ._specs import TupleSpec as TupleSpec
from ._specs import UnionSpec as UnionSpec
from ._specs import contains_tensor as contains_tensor
from ._specs import spec_of as spec_of
from ._walk import Leaf as Leaf
from ._walk import Path as Path
from ._walk import Step as Step
from ._walk import leaves as leaves
from ._walk import spec_at as spec_at
from ._walk import walk_tensors as walk_tensors

__all__ = [
    "Anonymous",
    "Dim",
    "FieldsSpec",
    "Fixed",
    "Leaf",
    "MappingSpec",
    "Named",
    "OpaqueSpec",
    "OtherSpec",
    "Param",
    "Path",
    "SequenceSpec",
    "Shape",
    "Signature",
    "Size",
    "SizeSpec",
    "Spec",
    "Step",
    "Symbolic",
    "TensorSpec",
    "TupleSpec",
    "UnionSpec",
    "Variadic",
    "contains_tensor",
    "leaves",
    "parse_shape",
    "resolve_hints",
    "signature_of",
    "spec_at",
    "spec_of",
    "unwrapped",
    "walk_tensors",
]
