"""A function's data flow: which annotated tensors each one is made from.

Read from the function's AST, statement by statement, with what every name
depends on:

- the sources are the tensor arguments; the sinks are the return's leaves;
- each binding of an annotated local is a node of its own (`C` from the state,
  then `C'` made in the loop), with an edge from every annotated value its
  expression reads, directly or through names that are not annotated
  (`W_xi` unpacked from `params`, a list `outputs` that `Y` is appended to);
- a `for` loop is one frame, not unrolled: the nodes bound in its body are in
  the frame, and a name rebound there feeds the next step (`H'` back to `H`:
  a back edge, drawn dashed);
- an edge is labelled with the op when the value is one call or one
  operator: `@`, `sigmoid`, `cat(dim=0)`.

What cannot be read (no source) gives no flow, and the docs fall back to
none.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field

from .._runtime._locals import CONVERSIONS, target_names
from ._model import Flow, FlowEdge, FlowNode, Intermediate, Row

__all__ = ["data_flow"]

_OPERATORS: dict[type[ast.operator], str] = {
    ast.MatMult: "@",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Pow: "**",
}


@dataclass
class _Graph:
    nodes: list[FlowNode] = field(default_factory=list)
    edges: dict[tuple[int, int], str | None] = field(default_factory=dict)
    back: set[tuple[int, int]] = field(default_factory=set)
    bindings: dict[str, int] = field(default_factory=dict)  # name -> its nodes so far

    def node(self, node: FlowNode) -> int:
        self.nodes.append(node)
        return len(self.nodes) - 1

    def connect(self, sources: Iterable[int], target: int, op: str | None) -> None:
        for source in sorted(sources):
            if source != target:
                self.edges.setdefault((source, target), op)


@dataclass
class _Walk:
    graph: _Graph
    annotated: dict[str, Intermediate]
    returns: list[Row]
    env: dict[str, set[int]] = field(default_factory=dict)  # what each name is made from
    items: dict[str, list[set[int]]] = field(default_factory=dict)  # a tuple argument's leaves
    loop_depth: int = 0
    loop_header: str | None = None  # the outermost loop the walk is in

    def reads(self, node: ast.AST | None) -> set[int]:
        if node is None:
            return set()
        found: set[int] = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                found |= self.env.get(sub.id, set())
        return found

    def bind(
        self, target: ast.expr, sources: set[int], op: str | None, value: ast.expr | None = None
    ) -> None:
        items = self.items.get(value.id) if isinstance(value, ast.Name) else None
        if isinstance(target, ast.Tuple | ast.List) and items is not None:
            if len(items) == len(target.elts):  # `(H, C) = state`: each its own leaf
                for element, leaf in zip(target.elts, items, strict=True):
                    self.bind(element, leaf, None)
                return
        names = list(target_names(target))
        for name in names:
            item = self.annotated.get(name)
            if item is None:
                self.env[name] = set(sources)
                continue
            count = self.graph.bindings.get(name, 0)
            label = name + "'" * min(count, 2)
            index = self.graph.node(FlowNode(label, item.spec, item.concrete, op, self.loop_header))
            self.graph.bindings[name] = count + 1
            self.graph.connect(sources, index, op if len(names) == 1 else None)
            self.env[name] = {index}

    def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.statement(stmt)

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign):
            sources, op = self.reads(stmt.value), _op(stmt.value)
            for target in stmt.targets:
                self.bind(target, sources, op, stmt.value)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self.bind(stmt.target, self.reads(stmt.value), _op(stmt.value))
        elif isinstance(stmt, ast.AugAssign):
            sources = self.reads(stmt.value) | self.reads(_as_load(stmt.target))
            self.bind(stmt.target, sources, _OPERATORS.get(type(stmt.op)))
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self.mutation(stmt.value)
        elif isinstance(stmt, ast.For | ast.AsyncFor):
            self.loop(stmt)
        elif isinstance(stmt, ast.While):
            self.block(stmt.body)
            self.block(stmt.orelse)
        elif isinstance(stmt, ast.If):
            self.block(stmt.body)
            self.block(stmt.orelse)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, self.reads(item.context_expr), None)
            self.block(stmt.body)
        elif isinstance(stmt, ast.Try):
            for part in (stmt.body, *(h.body for h in stmt.handlers), stmt.orelse, stmt.finalbody):
                self.block(part)
        elif isinstance(stmt, ast.Return) and stmt.value is not None:
            self.returned(stmt.value)

    def mutation(self, call: ast.Call) -> None:
        """`outputs.append(Y)`: the list is made from what goes in."""
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            if func.attr in ("append", "extend", "insert", "add", "update"):
                taken = set().union(*(self.reads(arg) for arg in call.args)) if call.args else set()
                self.env[func.value.id] = self.env.get(func.value.id, set()) | taken

    def loop(self, stmt: ast.For | ast.AsyncFor) -> None:
        before = {name: set(nodes) for name, nodes in self.env.items()}
        outer = self.loop_header
        if outer is None:  # a loop in a loop is drawn in the outer one's frame
            self.loop_header = f"for {ast.unparse(stmt.target)} in {ast.unparse(stmt.iter)}"
        self.loop_depth += 1
        self.bind(stmt.target, self.reads(stmt.iter), None)
        self.block(stmt.body)
        self.loop_depth -= 1
        # A name rebound in the body feeds the next step: its new node back to the old one.
        for name, nodes in self.env.items():
            old = before.get(name)
            if name in self.annotated and old is not None and nodes != old:
                for new in nodes:
                    for previous in old:
                        self.graph.back.add((new, previous))
        self.loop_header = outer
        self.block(stmt.orelse)

    def returned(self, value: ast.expr) -> None:
        for row in self.returns:
            steps = row.path.steps
            element: ast.expr = value
            for step in steps:
                index = step.at if step.kind == "index" else None
                if isinstance(element, ast.Tuple) and isinstance(index, int):
                    if -len(element.elts) <= index < len(element.elts):
                        element = element.elts[index]
                        continue
                break
            label = row.label
            index = self.graph.node(FlowNode(label, row.spec, row.concrete, _op(element)))
            self.graph.connect(self.reads(element), index, _op(element))


def _as_load(target: ast.expr) -> ast.expr:
    return ast.Name(id=target.id, ctx=ast.Load()) if isinstance(target, ast.Name) else target


def _op(value: ast.expr) -> str | None:
    """The op of a value that is one call or one operator: `sigmoid`, `@`, `cat(dim=0)`."""
    if isinstance(value, ast.BinOp):
        return _OPERATORS.get(type(value.op))
    if isinstance(value, ast.Call):
        func = value.func
        if isinstance(func, ast.Attribute) and func.attr in CONVERSIONS:
            if isinstance(func.value, ast.Call | ast.BinOp):
                return _op(func.value)
        if isinstance(func, ast.Name) and func.id == "cast" and len(value.args) == 2:
            return _op(value.args[1])
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name is None:
            return None
        literals = [
            f"{k.arg}={ast.unparse(k.value)}"
            for k in value.keywords
            if k.arg is not None and isinstance(k.value, ast.Constant)
        ]
        return f"{name}({', '.join(literals)})" if literals else name
    if isinstance(value, ast.Attribute) and value.attr in ("T", "mT"):
        return f".{value.attr}"
    return None


def data_flow(
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    title: str,
    slug: str,
    arguments: list[Row],
    returns: list[Row],
    intermediates: tuple[Intermediate, ...],
) -> Flow:
    """The flow graph of one function: `arguments` are its tensor arguments'
    rows (sources: a tensor, or a tuple's items), `returns` its return rows
    (sinks), `intermediates` its annotated locals."""
    graph = _Graph()
    named: dict[str, Intermediate] = {}
    for item in intermediates:  # a tuple local's rows are `state[0]`, ...: its first stands in
        named.setdefault(item.name.split("[")[0], item)
    walk = _Walk(graph, named, returns)
    for row in arguments:
        index = graph.node(FlowNode(row.label, row.spec, row.concrete, None))
        walk.env.setdefault(row.path.root, set()).add(index)
        steps = row.path.steps
        if len(steps) == 1 and steps[0].kind == "index" and isinstance(steps[0].at, int):
            leaves = walk.items.setdefault(row.path.root, [])
            leaves.extend(set() for _ in range(steps[0].at + 1 - len(leaves)))
            leaves[steps[0].at].add(index)
    walk.block(node.body)
    forward = [FlowEdge(source, target, op) for (source, target), op in graph.edges.items()]
    back = [FlowEdge(source, target, "next step", back=True) for source, target in graph.back]
    edges = tuple(forward) + tuple(sorted(back, key=lambda e: (e.source, e.target)))
    return Flow(title=title, slug=slug, nodes=tuple(graph.nodes), edges=edges)
