"""What the docs generator knows about a target, before any rendering.

`_collect` builds a `Report` from the parsed specs and from real runs on the
meta device; `_markdown`, `_html` and `_svg` only render it. Every field is
plain text or numbers, in a fixed order, so that output is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Example",
    "Flow",
    "FlowNode",
    "FunctionDoc",
    "GlossaryEntry",
    "ModuleDoc",
    "Report",
    "Row",
    "Intermediate",
]


@dataclass(frozen=True)
class Row:
    """One argument or return path, for example `state[0]` or `params.W_xi`."""

    path: str
    kind: str  # "argument" or "return"
    dtype: str  # the dtype family as written: "Float", "Int", "int" for a Size
    shape: str  # the dim string as written: "steps*batch vocab"; "" for a scalar
    concrete: str | None  # observed at the example sizes: "1120 × 28"; None if not run
    description: str  # from the docstring's Args/Returns, or ""


@dataclass(frozen=True)
class Intermediate:
    """One annotated local, in source order."""

    name: str
    line: int  # the line of the statement that first binds it
    dtype: str
    shape: str
    concrete: str | None
    expression: str  # the source that produces it: "torch.sigmoid((X @ W_xi) + ...)"
    op: str  # a short label of the operation, for diagrams: "torch.sigmoid", "self.rnn"


@dataclass(frozen=True)
class FlowNode:
    """One tensor in a shape-flow diagram."""

    label: str  # "inputs", "X", "return"
    shape: str  # symbolic, axes separated by ", ": "steps, batch, vocab"
    concrete: str | None  # "35 × 32 × 28"
    op: str | None  # the operation on the edge into this node, None for inputs


@dataclass(frozen=True)
class Flow:
    """A chain of tensors from the inputs through the intermediates to the output."""

    title: str  # "RNNModelHC.forward"
    slug: str  # a file-name-safe id: "models.rnn_model.RNNModelHC.forward"
    nodes: tuple[FlowNode, ...]


@dataclass(frozen=True)
class FunctionDoc:
    qualname: str  # "lstm", "RNNModelHC.forward"
    module: str  # "models.lstm"
    location: str  # "models/lstm.py:84", relative to the target's root
    signature: str  # "lstm(inputs, state, params)"
    summary: str  # the docstring's first paragraph
    rows: tuple[Row, ...]
    intermediates: tuple[Intermediate, ...]
    relations: tuple[str, ...]  # "return[0] axis 0 = steps*batch (1120 at d2l)"
    flow: Flow | None
    problems: tuple[str, ...]  # malformed annotations, failed example runs


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
    problems: tuple[str, ...]  # target-wide: "models/x.py:12: f: invalid dimension string ..."
