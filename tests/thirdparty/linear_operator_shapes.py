"""A registry for linear_operator, which this project does not own: the dims its
annotations use, and factories for some of its operators, so that
`shapecheck verify` can run their methods.

    shapecheck verify linear_operator.operators.diag_linear_operator \\
        --registry tests.thirdparty.linear_operator_shapes:shapes

(or `registry = "tests.thirdparty.linear_operator_shapes:shapes"` in
`[tool.shapecheck]`). A diagonal operator is square: its factory says so with
`dims`, which fixes `M` and `N` to the size it was built at.
"""

from __future__ import annotations

import torch
from linear_operator.operators import DenseLinearOperator, DiagLinearOperator

from shapecheck import Registry

shapes = Registry(
    dims={
        "M": "the rows of an operator",
        "N": "the columns of an operator (its size, when square)",
        "P": "the columns of a right-hand side",
        "C": "the columns of a right-hand side",
        "batch": "the batch dims of an operator",
        "batch2": "the batch dims of a right-hand side",
    },
)


@shapes.factory(
    "DiagLinearOperator(n)",
    DiagLinearOperator,
    dims=lambda op: {"M": op.shape[-1], "N": op.shape[-1], "*batch": tuple(op.shape[:-2])},
)
def _diag(sizes: dict[str, int], device: str) -> DiagLinearOperator:
    n = int(sizes.get("N", sizes.get("M", 3)))
    return DiagLinearOperator(torch.arange(1.0, n + 1.0, device=device))


@shapes.factory(
    "DenseLinearOperator(m, n)",
    DenseLinearOperator,
    dims=lambda op: {"M": op.shape[-2], "N": op.shape[-1], "*batch": tuple(op.shape[:-2])},
)
def _dense(sizes: dict[str, int], device: str) -> DenseLinearOperator:
    m, n = int(sizes.get("M", 3)), int(sizes.get("N", 3))
    return DenseLinearOperator(torch.ones(m, n, device=device))
