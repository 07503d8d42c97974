"""What the docs generator knows about a target, before any rendering.

`_collect` builds a `Report` from the parsed specs and from example runs with
zeros for data; `_markdown`, `_html` and `_svg` only render it. A shape travels as
the parsed leaf (`TensorSpec` or `SizeSpec`) and observed sizes as numbers:
text is made only by the renderers (`_text` holds what they share). Every
field is in a fixed order, so that output is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .._spec import Path, SizeSpec, TensorSpec

__all__ = [
    "DocsProblem",
    "Example",
    "ExampleInstance",
    "FixedByModule",
    "Flow",
    "FlowNode",
    "FunctionDoc",
    "GivenBy",
    "GlossaryEntry",
    "Intermediate",
    "ModuleDoc",
    "MustAgree",
    "Observed",
    "Place",
    "ProblemKind",
    "Relation",
    "Report",
    "Row",
    "Sizes",
    "SymbolicAxis",
    "dim_names",
    "problems_of",
]

Sizes = tuple[int, ...]  # one tensor's sizes, outermost axis first; () for a scalar
# What the example run saw at one place: a tensor's sizes, or, for a local
# bound to a tuple of tensors, each tensor's sizes; None where nothing ran.
Observed = Sizes | tuple[Sizes, ...] | None

# "annotation": the function's annotations are malformed (it is also listed
# target-wide); "example": its run at the example sizes failed.
ProblemKind = Literal["annotation", "example"]


@dataclass(frozen=True)
class DocsProblem:
    """One problem: a malformed annotation, or an example run that failed.

    `file` is relative to the target's root, as in the page; `line` is the
    function's `def` line. It prints as the one-line text `shapecheck docs`
    shows (`models/lstm.py:84: lstm: example run failed: ...`), and tools that
    point at the line (the GitHub annotations of `shapecheck ci`) read its
    fields instead.
    """

    kind: ProblemKind
    file: str
    line: int
    function: str  # the qualified name: "lstm", "RNNModelHC.forward"
    detail: str  # "example run failed: ...", or the annotation's error

    @property
    def message(self) -> str:
        """The problem without its place, naming the function first."""
        return f"{self.function}: {self.detail}"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Row:
    """One argument or return path, for example `state[0]` or `params.W_xi`."""

    path: Path  # shown as `state[0]`, `params.W_xi`, `return`
    kind: str  # "argument" or "return"
    spec: TensorSpec | SizeSpec  # the leaf as annotated; a SizeSpec is an int that binds a dim
    concrete: Observed  # observed at the example sizes
    description: str  # from the docstring's arguments and returns section, or ""
    # The array type, shown beside the path (`other (LinearOperator)`) where
    # it is not plain `torch.Tensor`, and on every option of a union whose
    # options are of different array types; None: not shown.
    branch: str | None = None

    @property
    def label(self) -> str:
        """The row as the tables and diagrams name it: `other`, `other (LinearOperator)`."""
        return str(self.path) if self.branch is None else f"{self.path} ({self.branch})"


@dataclass(frozen=True)
class Intermediate:
    """One annotated local, in source order."""

    name: str
    line: int  # the line of the statement that first binds it
    spec: TensorSpec
    concrete: Observed
    expression: str  # the source that produces it: "torch.sigmoid((X @ W_xi) + ...)"
    op: str  # a short label of the operation, for diagrams: "torch.sigmoid", "self.rnn"


@dataclass(frozen=True)
class Place:
    """An axis where a dim appears: of an argument or return path, or of a
    local (its name and the line that binds it)."""

    where: Path | str
    line: int | None
    axis: int  # from the end (negative) after a variadic group
    broadcast: bool = False  # written `#name`: the axis may also be 1
    branch: str | None = None  # the row's array type, where the path has several options


@dataclass(frozen=True)
class GivenBy:
    """A dim an int argument gives (`Annotated[int, Size(...)]`)."""

    dim: str
    argument: Path


@dataclass(frozen=True)
class MustAgree:
    """A dim bound at its first place, which every later place must match;
    a place written `#name` (`broadcast`) may also be 1."""

    dim: str
    places: tuple[Place, ...]


@dataclass(frozen=True)
class SymbolicAxis:
    """An axis whose size is an expression, and its size at the example."""

    place: Place
    expr: str
    size: int | None
    example: str | None  # the name of the example sizes ("d2l")
    broadcast: bool = False  # written `#expr`: the axis may also be 1


@dataclass(frozen=True)
class ExampleInstance:
    factory: str


@dataclass(frozen=True)
class FixedByModule:
    """The dims the example instance fixes through `__shapecheck_dims__`."""

    dims: tuple[tuple[str, int], ...]
    example: str | None


Relation = GivenBy | MustAgree | SymbolicAxis | ExampleInstance | FixedByModule


@dataclass(frozen=True)
class FlowNode:
    """One tensor in a shape-flow diagram: an argument, a binding of an
    annotated local (`C`, then `C'` where the loop rebinds it), or a return leaf."""

    label: str  # "inputs", "X", "C'", "return[0]"
    spec: TensorSpec | SizeSpec
    concrete: Observed
    op: str | None  # the operation that makes it, when it is one call or operator
    loop: str | None = None  # the loop whose body binds it: "for X in inputs"


@dataclass(frozen=True)
class FlowEdge:
    """`source` is read to make `target` (indices into `Flow.nodes`); a `back`
    edge carries a value rebound in a loop to the next step."""

    source: int
    target: int
    op: str | None
    back: bool = False


@dataclass(frozen=True)
class Flow:
    """The data flow of one function: its tensors, and which make which."""

    title: str  # "RNNModelHC.forward"
    slug: str  # a file-name-safe id: "models.rnn_model.RNNModelHC.forward"
    nodes: tuple[FlowNode, ...]
    edges: tuple[FlowEdge, ...] = ()

    def sources_of(self, label: str) -> set[str]:
        """The labels of the nodes that make the node `label` (forward edges)."""
        index = {node.label: i for i, node in enumerate(self.nodes)}
        target = index[label]
        return {self.nodes[e.source].label for e in self.edges if e.target == target and not e.back}


@dataclass(frozen=True)
class FunctionDoc:
    qualname: str  # "lstm", "RNNModelHC.forward"
    module: str  # "models.lstm"
    file: str  # "models/lstm.py", relative to the target's root
    line: int  # the `def` line
    signature: str  # "lstm(inputs, state, params)"
    summary: str  # the docstring's first paragraph
    rows: tuple[Row, ...]
    intermediates: tuple[Intermediate, ...]
    relations: tuple[Relation, ...]
    flow: Flow | None
    problems: tuple[DocsProblem, ...]  # malformed annotations, failed example runs

    @property
    def location(self) -> str:
        """Where it is defined, as the page shows it: "models/lstm.py:84"."""
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class ModuleDoc:
    name: str
    summary: str
    functions: tuple[FunctionDoc, ...]


@dataclass(frozen=True)
class GlossaryEntry:
    name: str
    description: str | None  # None: used but not described by the package
    used_by: tuple[str, ...]  # qualified names of the functions that use it


@dataclass(frozen=True)
class Example:
    name: str  # "d2l"
    sizes: tuple[tuple[str, int], ...]  # (("batch", 32), ("steps", 35), ...)


@dataclass(frozen=True)
class Report:
    target: str
    modules: tuple[ModuleDoc, ...]
    glossary: tuple[GlossaryEntry, ...]
    example: Example | None
    problems: tuple[DocsProblem, ...]  # target-wide: the malformed annotations


def problems_of(report: Report) -> tuple[DocsProblem, ...]:
    """Every problem of `report`: the target-wide ones first, then each
    function's own (its failed example run); a problem listed in both places
    is listed once."""
    return report.problems + tuple(
        problem
        for module in report.modules
        for function in module.functions
        for problem in function.problems
        if problem not in report.problems
    )


def dim_names(spec: TensorSpec | SizeSpec) -> tuple[str, ...]:
    """Every dim name a leaf mentions, in order: the dim a size binds, or its shape's names."""
    if isinstance(spec, SizeSpec):
        return (spec.name,)
    return spec.shape.names if spec.shape is not None else ()
