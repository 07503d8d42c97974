"""What `shapecheck annotate` proposes to write: one `Proposal` per annotation.

The recorder and the generaliser make proposals; the writer (`_write`) puts
them into the source; the report counts them. Nothing here knows how.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Kind", "Proposal"]

Kind = Literal["param", "return", "local", "field"]


@dataclass(frozen=True)
class Proposal:
    """One annotation to write into one file.

    - `owner`: the qualified name, in its module, of the function (`lstm`,
      `RNNModel.forward`) for a `param`, `return` or `local`; of the class
      (`LSTMParams`) for a `field` of a NamedTuple or dataclass;
    - `name`: the parameter, local or field (`""` for a return);
    - `annotation`: the source text to write (`Float[Tensor, "batch hiddens"]`);
    - `line`: for a local, the 1-based line in the file of the statement that
      first binds it (an assignment, a tuple unpacking, a `for`);
    - `replace`: whether an annotation already there may be replaced (a bare
      `Tensor` or `int`, or `--overwrite`); an annotation that says more is
      otherwise kept;
    - `imports`: the names the annotation needs, as `(module, name)` pairs:
      `("jaxtyping", "Float")`, `("torch", "Tensor")`.
    """

    kind: Kind
    owner: str
    name: str
    annotation: str
    line: int | None = None
    replace: bool = False
    imports: tuple[tuple[str, str], ...] = ()
