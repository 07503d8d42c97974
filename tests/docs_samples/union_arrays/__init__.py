"""Functions on either a torch tensor or a lazy matrix, annotated with unions.

A stand-in for a package like `linear_operator`: arguments and returns are
`Float[Tensor, ...] | Float[LazyMatrix, ...]`, some dims broadcast (`#dim`),
and the docstrings are in NumPy, Sphinx and Google style. It registers
example sizes, so the page shows what an example run observed.
"""

from shapecheck import Registry

shapes = Registry(examples={"small": {"rows": 2, "cols": 3, "n": 4}})
