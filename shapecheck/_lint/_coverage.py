"""Signatures -> coverage: the functions with tensors, and SC201 for each bare Tensor.

`functions` counts the module-level functions and methods whose signature
mentions a tensor (jaxtyping, a bare `Tensor`, or a NamedTuple or dataclass
of the target with tensor fields); `covered` those without SC201. SC201 is a
bare `Tensor` in a parameter or return annotation, also inside `tuple`,
`Optional` or a union; parameters without annotations are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._functions import FunctionNode, Signature
from ._index import Module
from ._result import Finding


@dataclass
class Coverage:
    functions: int = 0
    covered: int = 0

    def count(
        self, module: Module, fn: FunctionNode, qualname: str, signature: Signature
    ) -> Finding | None:
        """Count one function; its SC201 finding, if it has a bare Tensor."""
        if not signature.tensors:
            return None
        self.functions += 1
        if not signature.bare:
            self.covered += 1
            return None
        return module.finding(
            fn.lineno,
            "SC201",
            f"{qualname}: bare Tensor in {', '.join(signature.bare)}; "
            'give it a shape, e.g. Float[Tensor, "batch ..."]',
        )
