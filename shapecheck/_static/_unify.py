"""Leaves -> a verdict: one call's shapes, the callee's unified with the caller's.

Nothing here knows mypy: a call is a list of `Leaf`s, one per tensor of an
argument whose shape both sides state, in argument order.

- The callee's dims are fresh per call: a name is bound on first sight to what
  the caller has at that axis, then checked.
- The caller's dims are fixed symbols (`Sym`): two distinct names are two
  distinct sizes, and so are two distinct ints; a name and an int, or an
  expression (`steps*batch`) and anything but itself, may be equal: never a
  conflict. Anonymous (`_`), broadcastable (`#batch`) and tree-path (`?x`)
  dims of the caller are unknown.
- A callee name written at one axis of an argument whose own annotation has
  that name at another axis is a mismatch too: the axes are out of order
  (`batch` bound to the caller's `hiddens` while the caller's `batch` sits
  elsewhere in the same tensor).
- Variadic groups (`*batch`, `...`) take any run of dims, on either side;
  where a caller's variadic group makes the rank open, only the axes before
  and after it are compared.
- Symbolic dims of the callee (`steps*batch`) are checked once every name is
  bound, after all the leaves: never evaluated with `eval`; only `+ - * // %`
  and small powers of ints are computed, the rest is compared as text.

The first mismatch is the verdict. Its reasons are worded as the runtime's
(`_runtime/_values.py`), and a permutation of the caller's axes that would
match is offered as the runtime's hint (`_errors._permutation_hint`).
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass, field

from .._errors import _permutation_hint
from .._spec import Dim, Fixed, Named, Shape, Symbolic, Variadic
from ._shape import dims_differ, sym_dim

__all__ = ["Call", "Leaf", "Mismatch", "Sym", "caller_syms"]

_MAX_PERMUTED_RANK = 6  # as the runtime's `_fitting_permutation`


@dataclass(frozen=True)
class Sym:
    """A caller's dim: a `name`, an `int` or an `expr`; `var` marks a variadic group in a run."""

    kind: str
    text: str

    def __str__(self) -> str:
        return self.text


Run = tuple["Sym | None", ...]


def distinct(a: Sym | None, b: Sym | None) -> bool:
    """Whether two caller dims are surely of different sizes: two distinct
    names, two distinct ints, or expressions that differ for every assignment
    of distinct sizes to distinct names (`steps*batch` is not `batch`), as in
    `verify`; a name or an expression and an int may be equal."""
    if a is None or b is None or "var" in (a.kind, b.kind):
        return False
    if a.kind == b.kind and a.kind in ("name", "int"):
        return a.text != b.text
    if "expr" not in (a.kind, b.kind):
        return False
    x, y = sym_dim(a.text), sym_dim(b.text)
    if x is None or y is None or x.is_number != y.is_number:
        return False  # unreadable, or a size against an expression that may take it
    return dims_differ(x, y)


def _runs_distinct(a: Run, b: Run) -> bool:
    known = all(s is not None and s.kind != "var" for s in (*a, *b))
    if not known:
        return False
    if len(a) != len(b):
        return True
    return any(distinct(x, y) for x, y in zip(a, b, strict=True))


def _show(sym: Sym | None) -> str:
    return "_" if sym is None else sym.text


def _show_run(run: Run) -> str:
    return "(" + " ".join(_show(s) for s in run) + ")"


# ---------------------------------------------------------------- expressions

_OPS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_LIMIT = 2**64


def _rewrite(node: ast.expr, names: dict[str, Sym | None] | None) -> ast.expr | None:
    """`node` with each name replaced by its binding (`names`; None: names kept);
    None where a name is unbound or the expression is not plain arithmetic."""
    if isinstance(node, ast.Name):
        if names is None:
            return ast.Name(id=node.id, ctx=ast.Load())
        sym = names.get(node.id)
        if sym is None or sym.kind == "var":
            return None
        if sym.kind == "int":
            return ast.Constant(value=int(sym.text))
        if sym.kind == "name":
            return ast.Name(id=sym.text, ctx=ast.Load())
        try:
            return ast.parse(sym.text, mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    if isinstance(node, ast.Constant):
        if type(node.value) is int:
            return ast.Constant(value=node.value)
        return None
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        left = _rewrite(node.left, names)
        right = _rewrite(node.right, names)
        if left is None or right is None:
            return None
        return ast.BinOp(left=left, op=node.op, right=right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _rewrite(node.operand, names)
        return None if operand is None else ast.UnaryOp(op=node.op, operand=operand)
    return None


def _evaluate(node: ast.expr) -> int | None:
    """The int value of plain int arithmetic, without `eval`; None if it has names or is huge."""
    if isinstance(node, ast.Constant):
        return node.value if type(node.value) is int and abs(node.value) < _LIMIT else None
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand)
        if value is None:
            return None
        return -value if isinstance(node.op, ast.USub) else value
    if not isinstance(node, ast.BinOp):
        return None
    a, b = _evaluate(node.left), _evaluate(node.right)
    if a is None or b is None:
        return None
    op = node.op
    if isinstance(op, ast.Add):
        result = a + b
    elif isinstance(op, ast.Sub):
        result = a - b
    elif isinstance(op, ast.Mult):
        result = a * b
    elif isinstance(op, ast.FloorDiv | ast.Mod):
        if b == 0:
            return None
        result = a // b if isinstance(op, ast.FloorDiv) else a % b
    elif isinstance(op, ast.Pow):
        if not 0 <= b <= 64 or abs(a) > 2**16:
            return None
        result = a**b
    else:
        return None
    return result if abs(result) < _LIMIT else None


def _sym_of(node: ast.expr) -> Sym:
    if isinstance(node, ast.Name):
        return Sym("name", node.id)
    value = _evaluate(node)
    if value is not None:
        return Sym("int", str(value))
    return Sym("expr", ast.unparse(node).replace(" ", ""))


def _symbolic(dim: Symbolic, names: dict[str, Sym | None] | None) -> Sym | None:
    if dim.tree is None:  # an f-string dim: known only at the call
        return None
    node = _rewrite(dim.tree.body, names)
    return None if node is None else _sym_of(node)


# ----------------------------------------------------------------- alignment


def caller_syms(shape: Shape) -> list[Sym | None]:
    """The caller's dims as symbols; None for unknown ones, a `var` Sym for its variadic group."""
    syms: list[Sym | None] = []
    for dim in shape.dims:
        syms.append(_caller_sym(dim))
    return syms


def _caller_sym(dim: Dim) -> Sym | None:
    if isinstance(dim, Variadic):
        return Sym("var", str(dim))
    if isinstance(dim, Named):
        if dim.broadcast or dim.treepath or not dim.name:
            return None
        return Sym("name", dim.name)
    if isinstance(dim, Fixed):
        return None if dim.broadcast else Sym("int", str(dim.size))
    if isinstance(dim, Symbolic):
        return None if dim.broadcast else _symbolic(dim, None)
    return None


@dataclass(frozen=True)
class _Pair:
    dim: Dim
    sym: Sym | None
    axis: int  # of the caller's tensor; negative after the caller's variadic group
    where: str


@dataclass(frozen=True)
class _Aligned:
    pairs: list[_Pair]
    runs: list[tuple[Variadic, Run | None, str]]
    rank: str | None  # the reason, when the ranks cannot agree


def _align(callee: Shape, syms: list[Sym | None], path: str, scalar: bool = False) -> _Aligned:
    """Pair each callee dim with the caller's dim at the same axis (`scalar`:
    the one dim of a size, named by `path` alone)."""
    dims = callee.dims
    pv = callee.variadic
    av = next((i for i, s in enumerate(syms) if s is not None and s.kind == "var"), None)

    def pair(dim: Dim, sym: Sym | None, axis: int) -> _Pair:
        return _Pair(dim, sym, axis, path if scalar else f"{path}.shape[{axis}]")

    pairs: list[_Pair] = []
    runs: list[tuple[Variadic, Run | None, str]] = []
    if pv is None and av is None:
        if len(syms) != len(dims):
            return _Aligned([], [], f"has {len(syms)} dims, expected {len(dims)}")
        pairs = [pair(d, s, i) for i, (d, s) in enumerate(zip(dims, syms, strict=True))]
        return _Aligned(pairs, runs, None)
    if pv is None:
        assert av is not None
        if len(syms) - 1 > len(dims):
            return _Aligned([], [], f"has at least {len(syms) - 1} dims, expected {len(dims)}")
        before, after = syms[:av], syms[av + 1 :]
        pairs = [pair(dims[i], s, i) for i, s in enumerate(before)]
        start = len(dims) - len(after)
        pairs += [pair(dims[start + j], s, j - len(after)) for j, s in enumerate(after)]
        return _Aligned(pairs, runs, None)
    group = dims[pv]
    assert isinstance(group, Variadic)
    head, tail = dims[:pv], dims[pv + 1 :]
    if av is None:
        if len(syms) < len(dims) - 1:
            return _Aligned([], [], f"has {len(syms)} dims, expected at least {len(dims) - 1}")
        end = len(syms) - len(tail)
        pairs = [pair(d, syms[i], i) for i, d in enumerate(head)]
        pairs += [pair(d, syms[end + j], end + j) for j, d in enumerate(tail)]
        runs.append((group, tuple(syms[len(head) : end]), f"{path}.shape[{len(head)}:{end}]"))
        return _Aligned(pairs, runs, None)
    before, after = syms[:av], syms[av + 1 :]
    pairs = [pair(d, before[i], i) for i, d in enumerate(head[: len(before)])]
    shared = min(len(tail), len(after))
    for j in range(1, shared + 1):
        pairs.append(pair(tail[-j], after[-j], -j))
    run: Run | None = None
    if len(before) >= len(head) and len(after) >= len(tail):
        run = (*before[len(head) :], syms[av], *after[: len(after) - len(tail)])
    runs.append((group, run, f"{path}.shape[{len(head)}:{-len(tail) or ''}]"))
    return _Aligned(pairs, runs, None)


# ---------------------------------------------------------------- unification


@dataclass(frozen=True)
class Leaf:
    """One tensor of one argument: the callee's shape and the caller's."""

    callee: Shape
    caller: Shape
    path: str  # the callee's parameter, as the runtime names it: `x`, `state[0]`
    source: str  # the caller's value as written, for the hint: `h`, `self.h`
    scalar: bool = False  # an int that is one dim (`Size`), its "shape" that one dim


@dataclass(frozen=True)
class Mismatch:
    leaf: Leaf
    reason: str
    permutation: tuple[int, ...] | None = None

    def message(self, callee: str) -> str:
        """The error, one line: `Argument "x" to "f" has shape "..", expected "..": reason`."""
        leaf = self.leaf
        what = "is the size" if leaf.scalar else "has shape"
        text = (
            f'Argument "{leaf.path}" to {callee} {what} "{leaf.caller.text}", '
            f'expected "{leaf.callee.text}": {self.reason}'
        )
        if self.permutation is not None:
            text += "; " + _permutation_hint(leaf.source, self.permutation)
        return text


@dataclass
class _State:
    single: dict[str, Sym | None] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    runs: dict[str, Run] = field(default_factory=dict)

    def copy(self) -> _State:
        return _State(dict(self.single), dict(self.origin), dict(self.runs))


@dataclass(frozen=True)
class _Deferred:
    leaf: Leaf
    dim: Symbolic
    sym: Sym | None
    where: str


class Call:
    """The unification of one call: `unify` its leaves, then `substitute` its return shapes."""

    def __init__(self) -> None:
        self._state = _State()

    def unify(self, leaves: list[Leaf]) -> Mismatch | None:
        """The first mismatch among the leaves, in order, or None; bindings are kept."""
        deferred: list[_Deferred] = []
        for leaf in leaves:
            saved = self._state.copy()
            syms = caller_syms(leaf.caller)
            aligned = _align(leaf.callee, syms, leaf.path, leaf.scalar)
            reason = aligned.rank or _bind(aligned, syms, leaf, self._state, deferred)
            if reason is not None:
                self._state = saved
                order = None if aligned.rank else _permutation(leaf, syms, saved)
                return Mismatch(leaf, reason, order)
        for item in deferred:
            reason = _check_symbolic(item, self._state)
            if reason is not None:
                return Mismatch(item.leaf, reason)
        return None

    def substitute(self, shape: Shape) -> str | None:
        """`shape`, a callee's, in the caller's dims: what a call returns; `_` for the unknown."""
        state = self._state
        parts: list[str] = []
        for dim in shape.dims:
            if isinstance(dim, Variadic):
                run = state.runs.get(dim.name) if dim.name is not None else None
                if run is None:
                    parts.append("...")
                else:
                    parts.extend(_show(s) for s in run)
                continue
            if isinstance(dim, Named) and not dim.treepath:
                text = _show(state.single.get(dim.name))
            elif isinstance(dim, Fixed):
                text = str(dim.size)
            elif isinstance(dim, Symbolic):
                text = _show(_symbolic(dim, state.single))
            else:
                text = "_"
            broadcast = getattr(dim, "broadcast", False)
            parts.append("#" + text if broadcast and text != "_" else text)
        return " ".join(parts)


def _bind(
    aligned: _Aligned,
    syms: list[Sym | None],
    leaf: Leaf,
    state: _State,
    deferred: list[_Deferred],
    sure: bool = False,
) -> str | None:
    """Bind the callee's dims of one leaf into `state`; the reason of the first conflict.

    `sure`: also fail where the sizes are not known to be equal (a fixed size
    against a name, say), for a permutation that is offered as a fix."""
    variadic = next((i for i, s in enumerate(syms) if s is not None and s.kind == "var"), None)
    axes = {
        s.text: i if variadic is None or i < variadic else i - len(syms)
        for i, s in enumerate(syms)
        if s is not None and s.kind == "name"
    }
    for pair in aligned.pairs:
        reason = _bind_one(pair, axes, leaf, state, deferred, sure)
        if reason is not None:
            return reason
    for group, run, where in aligned.runs:
        if group.name is None or group.broadcast or run is None:
            continue
        before = state.runs.get(group.name)
        if before is None:
            state.runs[group.name] = run
            state.origin["*" + group.name] = where
        elif _runs_distinct(before, run) or (sure and before != run):
            origin = state.origin.get("*" + group.name, "?")
            return (
                f"variadic dims `*{group.name}` are {_show_run(run)} at {where}, "
                f"but were bound to {_show_run(before)} by {origin}"
            )
    return None


def _bind_one(
    pair: _Pair,
    axes: dict[str, int],
    leaf: Leaf,
    state: _State,
    deferred: list[_Deferred],
    sure: bool,
) -> str | None:
    dim, sym, where = pair.dim, pair.sym, pair.where
    if isinstance(dim, Fixed):
        if dim.broadcast:
            return None
        if sym is not None and sym.kind == "int" and int(sym.text) != dim.size:
            return f"axis {pair.axis} is {sym}, expected the fixed size {dim.size}"
        if sure and (sym is None or sym.kind != "int"):
            return "unsure"
        return None
    if isinstance(dim, Symbolic):
        deferred.append(_Deferred(leaf, dim, sym, where))
        return None
    if not isinstance(dim, Named) or dim.treepath or not dim.name:
        return None
    name = dim.name
    bound = state.single.get(name)
    if bound is not None and not dim.broadcast:
        if distinct(bound, sym):
            origin = state.origin.get(name, "?")
            return (
                f"dimension `{name}` is {sym} at {where}, but {name}={bound} was bound by {origin}"
            )
        if sure and bound != sym:
            return "unsure"
    if (
        not dim.broadcast
        and sym is not None
        and sym.kind == "name"
        and sym.text != name
        and name in axes
    ):
        return (
            f"dimension `{name}` is {sym} at {where}, "
            f"but the caller's {name} is at {leaf.path}.shape[{axes[name]}]"
        )
    if bound is None and (sym is not None or name not in state.single):
        state.single[name] = sym
        state.origin[name] = where
    return None


def _check_symbolic(item: _Deferred, state: _State, sure: bool = False) -> str | None:
    if item.dim.broadcast:
        return None
    value = _symbolic(item.dim, state.single)
    if not distinct(value, item.sym):
        if sure and (value is None or value != item.sym):
            return "unsure"
        return None
    origins = ", ".join(
        f"{name}={_show(state.single[name])} from {state.origin.get(name, '?')}"
        for name in item.dim.names
        if state.single.get(name) is not None
    )
    return (
        f"dimension `{item.dim.expr}` is {item.sym} at {item.where}, "
        f"but {item.dim.expr}={value} ({origins})"
    )


def _permutation(leaf: Leaf, syms: list[Sym | None], before: _State) -> tuple[int, ...] | None:
    """A non-identity `permute(...)` order of the caller's axes under which the leaf would unify."""
    if leaf.scalar or leaf.caller.variadic is not None or not 2 <= len(syms) <= _MAX_PERMUTED_RANK:
        return None
    identity = tuple(range(len(syms)))
    for order in itertools.permutations(identity):
        permuted = [syms[axis] for axis in order]
        if permuted == syms:
            continue
        aligned = _align(leaf.callee, permuted, leaf.path)
        if aligned.rank is not None:
            return None
        trial = before.copy()
        deferred: list[_Deferred] = []
        if _bind(aligned, permuted, leaf, trial, deferred, sure=True) is not None:
            continue
        if any(_check_symbolic(item, trial, sure=True) is not None for item in deferred):
            continue
        return order
    return None
