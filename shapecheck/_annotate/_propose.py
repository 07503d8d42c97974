"""Recorded calls -> proposals: the annotation of every parameter, return, local
and NamedTuple field that the runs saw, in the package's dim names.

For one function, each place (a parameter, the return, a local) gathers what
it held in every call of every run, with the sizes in force there (the run's,
updated by what `self` fixes). A tensor's axis is the expression that fits all
of them (`_infer`); an axis that none fits (a helper called on different
dims) is named for the function alone: by the `int` parameter that always
equals it (`heads`), else by a short letter (`n`, `m`, ...), the same letter
for axes that are equal in every call. The dtype gives `Float`, `Int`,
`Bool`; an `int` that is always one dim gets `Annotated[int, Size(dim)]`;
tuples, NamedTuples of the target and `None` give `tuple[...]`, the class,
and `| None`.

Locals: a tensor bound in the body by `name = ...`, by `for` or `with`, or
bound more than once (`H, C = state` then `H = ...` in a loop: declared
before the unpacking). Left out: a parameter's name, a tuple, a name bound
once by unpacking (`W_xi, W_hi, b_i = three()`: its shape is its source's, and
a declaration line per name says little), and an axis that is no dim of the
package (a local has no dims of its own to name).
"""

from __future__ import annotations

import ast
import functools
import inspect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch

from .._naming import stems
from .._runtime._locals import _own_statements, bindings, local_annotations
from .._source import function_node
from .._spec import OtherSpec, Spec, TensorSpec, TupleSpec, UnionSpec, signature_of
from .._target import Member
from ._infer import explain, render
from ._model import Proposal
from ._record import NONE, CallSeen, IntSeen, Seen, TensorSeen, TupleSeen
from ._runs import Run

__all__ = ["Placed", "Refusal", "propose"]

_LETTERS = ("n", "m", "k", "p", "q", "r", "s", "t", "u", "v", "w")
_TENSOR = (("torch", "Tensor"),)


@dataclass(frozen=True)
class Refusal:
    """A place the runs saw that gets no annotation, and why."""

    owner: str
    name: str
    reason: str


@dataclass
class _Observed:
    """One value a place held: in which call, at which sizes."""

    seen: Seen
    call: int
    sizes: dict[str, int]


@dataclass
class _Axis:
    """An axis no dim expression explains, to be named for its function."""

    sizes: dict[int, int]  # call -> size
    name: str = ""


@dataclass
class _Function:
    """What one function's calls say, and the names given to its own axes."""

    member: Member
    calls: list[tuple[CallSeen, dict[str, int]]]
    axes: list[_Axis] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # dims by first appearance
    used: set[str] = field(default_factory=set)  # names taken: the package's and fresh ones
    ints: dict[str, dict[int, int]] = field(default_factory=dict)  # int parameters, by call
    bound: set[str] = field(default_factory=set)  # dims the places so far bind, in order

    def fresh(self, sizes: dict[int, int]) -> str:
        """The function's own name for an axis of these sizes, call by call."""
        twin = next((a for a in self.axes if a.sizes == sizes), None)
        if twin is not None:
            return twin.name
        axis = _Axis(sizes, _fresh_name(_Axis(sizes), self.ints, self.used))
        self.used.add(axis.name)
        self.axes.append(axis)
        return axis.name


@dataclass(frozen=True)
class Placed:
    """A proposal, and the file and module it goes into."""

    file: str
    module: str
    proposal: Proposal
    kept: bool = False  # an annotation that states a shape is there: nothing to write


def propose(
    members: list[Member], runs: list[Run], *, with_locals: bool = True, overwrite: bool = False
) -> tuple[list[Placed], list[Refusal]]:
    """Where each annotation goes, for every place seen; and what was refused."""
    proposals: list[Placed] = []
    refusals: list[Refusal] = []
    fields: dict[type, dict[str, list[_Observed]]] = {}
    for member in members:
        fn = member.function
        calls = [
            (call, {**run.sizes, **call.dims})
            for run in runs
            for call in run.calls.get(member.name, [])
        ]
        if not calls:
            continue
        file = inspect.getsourcefile(fn) or fn.__code__.co_filename
        function = _Function(member, calls)
        for proposal, kept in _function_proposals(
            function, with_locals, overwrite, fields, refusals
        ):
            proposals.append(Placed(file, member.module, proposal, kept))
    proposals += _field_proposals(fields, overwrite, refusals)
    return proposals, refusals


def _function_proposals(
    function: _Function,
    with_locals: bool,
    overwrite: bool,
    fields: dict[type, dict[str, list[_Observed]]],
    refusals: list[Refusal],
) -> Iterator[tuple[Proposal, bool]]:
    fn = function.member.function
    owner = fn.__qualname__
    places = _places(function, with_locals)
    _name_axes(function, places)
    try:
        signature = signature_of(fn, function.member.localns)
    except Exception:  # noqa: BLE001  (an annotation that does not resolve: leave it)
        return
    specs = {p.name: p.spec for p in signature.params}
    annotated = set(getattr(fn, "__annotations__", {}))
    try:
        located = local_annotations(fn, function.member.localns)
    except Exception:  # noqa: BLE001  (a malformed local annotation: verify reports it)
        located = None
    declared = set(located[2]) if located else set()
    tensors = any(
        isinstance(leaf, TensorSeen)
        for (kind, _), observed in places.items()
        if kind != "local"
        for o in observed
        for _, leaf in _leaves(o.seen)
    )
    for (kind, name), observed in places.items():
        if not any(_says_something(o.seen) for o in observed):
            continue  # no tensor, no int: nothing an annotation here would add
        if not tensors and all(isinstance(o.seen, IntSeen) for o in observed):
            continue  # a size, but no tensor of the signature it sizes: `Size` relates nothing
        if all(isinstance(o.seen, IntSeen) for o in observed) and isinstance(_size(observed), str):
            continue  # a count or an option, not a size: an int says it all
        built = _annotation(function, observed, fields, local=kind == "local")
        if isinstance(built, str):
            refusals.append(Refusal(owner, name or "return", built))
            continue
        text, imports = built
        # An annotation already there is kept (the writer says so) unless it
        # states no shape (a bare `Tensor`, `int`) or `overwrite` is given.
        if kind == "param":
            spec = specs.get(name)
            there = name in annotated
            replace = overwrite or _bare(spec)
        elif kind == "return":
            there = "return" in annotated
            replace = overwrite or _bare(signature.returns)
        else:
            there = name in declared
            replace = overwrite
        line = _first_binding(fn, name) if kind == "local" else None
        proposal = Proposal(kind, owner, name, text, line, replace, imports)  # type: ignore[arg-type]
        yield proposal, there and not replace


def _places(function: _Function, with_locals: bool) -> dict[tuple[str, str], list[_Observed]]:
    """What each parameter, the return and each local held, call by call."""
    fn = function.member.function
    params = list(inspect.signature(fn).parameters)
    skip = {params[0]} if params and params[0] in ("self", "cls") else set()
    places: dict[tuple[str, str], list[_Observed]] = {}
    for index, (call, sizes) in enumerate(function.calls):
        for name, value in call.args.items():
            if name not in skip:
                places.setdefault(("param", name), []).append(_Observed(value, index, sizes))
        if call.returned is not None and fn.__name__ != "__init__":
            places.setdefault(("return", ""), []).append(_Observed(call.returned, index, sizes))
    if with_locals:
        wanted = _annotatable_locals(fn, set(params))
        for index, (call, sizes) in enumerate(function.calls):
            for name, value in call.locals:
                if name in wanted and isinstance(value, TensorSeen):
                    places.setdefault(("local", name), []).append(_Observed(value, index, sizes))
                elif name in wanted:
                    wanted.discard(name)  # a non-tensor value: not a tensor local
                    places.pop(("local", name), None)
    return places


def _annotatable_locals(fn: Any, params: set[str]) -> set[str]:
    """The names the body binds that may be annotated (see the module's doc)."""
    try:
        node, _ = _node_of(fn)
    except (OSError, TypeError, SyntaxError):
        return set()
    bound: dict[str, list[ast.stmt]] = {}
    for stmt in _own_statements(node.body):
        for name in dict.fromkeys(n for n, _, _ in bindings(stmt)):
            bound.setdefault(name, []).append(stmt)
    wanted = set()
    for name, statements in bound.items():
        first = statements[0]
        unpacked = isinstance(first, ast.Assign) and not any(
            isinstance(t, ast.Name) for t in first.targets
        )
        if name in params or (len(statements) == 1 and unpacked):
            continue
        wanted.add(name)
    return wanted


def _first_binding(fn: Any, name: str) -> int | None:
    """The file line of the first statement of `fn`'s body that binds `name`."""
    try:
        node, offset = _node_of(fn)
    except (OSError, TypeError, SyntaxError):
        return None
    lines = [s.lineno for s in _own_statements(node.body) if name in {n for n, _, _ in bindings(s)}]
    return min(lines) + offset if lines else None


@functools.lru_cache(maxsize=512)
def _node_of(fn: Any) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef, int]:
    """`fn`'s `def`, parsed once for all its places (it is only read here)."""
    return function_node(fn)


def _bare(spec: Spec | None) -> bool:
    """An annotation that says no shape: a bare `Tensor`, `int`, a tuple or
    optional of those; it may be replaced by one that does."""
    if isinstance(spec, TensorSpec):
        return spec.shape is None
    if isinstance(spec, OtherSpec):
        return spec.hint is int
    if isinstance(spec, TupleSpec):
        return all(_bare(item) for item in spec.items)
    if isinstance(spec, UnionSpec):
        return all(_bare(o) or (isinstance(o, OtherSpec) and o.hint is None) for o in spec.options)
    return False


# ----------------------------------------------------------------- axes


def _leaves(seen: Seen, path: tuple[int, ...] = ()) -> Iterator[tuple[tuple[int, ...], Seen]]:
    if isinstance(seen, TupleSeen):
        for index, item in enumerate(seen.items):
            yield from _leaves(item, (*path, index))
    else:
        yield path, seen


def _name_axes(function: _Function, places: dict[tuple[str, str], list[_Observed]]) -> None:
    """Explain every tensor axis; name the ones no dim explains, for this function."""
    unexplained: list[_Axis] = []
    for observed in places.values():
        for axis_sizes in _axis_observations(observed):
            expr = explain((size, sizes) for size, sizes, _ in axis_sizes)
            by_call = _by_call(axis_sizes)
            if expr is None and by_call is not None:
                unexplained.append(_Axis(by_call))
            elif expr is not None and expr.kind == "dim" and expr.names[0] not in function.order:
                function.order.append(expr.names[0])
    function.used = set(function.order) | {n for _, s in function.calls for n in s}
    function.ints = _int_params(function)
    for axis in unexplained:
        axis.name = function.fresh(axis.sizes)


def _by_call(axis_sizes: list[tuple[int, dict[str, int], int]]) -> dict[int, int] | None:
    """An axis's size in each call; None when one call saw it at two sizes
    (a local rebound to another shape, a loop over differently shaped items)."""
    found: dict[int, int] = {}
    for size, _, call in axis_sizes:
        if found.setdefault(call, size) != size:
            return None
    return found


def _axis_observations(
    observed: list[_Observed],
) -> Iterator[list[tuple[int, dict[str, int], int]]]:
    """For each tensor axis of a place: its (size, sizes, call) in every observation."""
    by_leaf: dict[tuple[int, ...], list[tuple[TensorSeen, _Observed]]] = {}
    for item in observed:
        for path, leaf in _leaves(item.seen):
            if isinstance(leaf, TensorSeen):
                by_leaf.setdefault(path, []).append((leaf, item))
    for leaves in by_leaf.values():
        rank = min(len(leaf.shape) for leaf, _ in leaves)
        for axis in range(rank, 0, -1):  # the first axis first: it orders the dims
            yield [(leaf.shape[-axis], item.sizes, item.call) for leaf, item in leaves]


def _int_params(function: _Function) -> dict[str, dict[int, int]]:
    """Each int parameter's value, call by call."""
    values: dict[str, dict[int, int]] = {}
    for index, (call, _) in enumerate(function.calls):
        for name, value in call.args.items():
            if isinstance(value, IntSeen):
                values.setdefault(name, {})[index] = value.value
    return values


def _fresh_name(axis: _Axis, ints: dict[str, dict[int, int]], used: set[str]) -> str:
    for param, values in ints.items():
        if all(values.get(call) == size for call, size in axis.sizes.items()):
            readings = [r for r in stems(param) if r.isidentifier()]
            name = min(readings, key=len) if readings else param
            if name not in used:
                return name
    for letter in _LETTERS:
        if letter not in used:
            return letter
    return f"n{len(used)}"


# ----------------------------------------------------------- annotations


Built = tuple[str, tuple[tuple[str, str], ...]]


def _says_something(seen: Seen) -> bool:
    """Whether a value holds a tensor or an int, the things annotated here."""
    return any(isinstance(leaf, TensorSeen | IntSeen) for _, leaf in _leaves(seen))


def _annotation(
    function: _Function,
    observed: list[_Observed],
    fields: dict[type, dict[str, list[_Observed]]],
    *,
    local: bool = False,
) -> Built | str:
    """The annotation text of a place, and what it imports; or why there is none."""
    values = [o for o in observed if o.seen is not NONE]
    if not values:
        return "it was always None"
    optional = len(values) != len(observed)
    if any(not isinstance(o.seen, TensorSeen | IntSeen | TupleSeen) for o in values):
        return "it held values that are not tensors, ints or tuples"
    texts: list[str] = []
    imports: list[tuple[str, str]] = []
    for kind in (TensorSeen, IntSeen, TupleSeen):  # a union: each kind on its own
        group = [o for o in values if isinstance(o.seen, kind)]
        if not group:
            continue
        built: Built | str
        if kind is TensorSeen:
            built = _tensor(function, group, local)
        elif kind is IntSeen:
            built = _size(group, function)
        else:
            built = _tuple(function, group, fields)
        if isinstance(built, str):
            return built
        texts.append(built[0])
        imports += built[1]
    if optional:
        texts.append("None")
    return " | ".join(dict.fromkeys(texts)), tuple(dict.fromkeys(imports))


def _tensor(function: _Function, values: list[_Observed], local: bool) -> Built | str:
    leaves = [o.seen for o in values if isinstance(o.seen, TensorSeen)]
    ranks = {len(leaf.shape) for leaf in leaves}
    rank = min(ranks)
    dims: list[str] = []
    for axis in range(rank, 0, -1):
        observations = [
            (o.seen.shape[-axis], o.sizes, o.call) for o in values if isinstance(o.seen, TensorSeen)
        ]
        expr = explain((size, sizes) for size, sizes, _ in observations)
        if expr is None and local:
            return f"axis {rank - axis} is no dim of the package: a local names no dim of its own"
        by_call = _by_call(observations)
        if expr is not None and expr.kind not in ("dim", "literal") and by_call is not None:
            if not set(expr.names) <= function.bound:
                expr = None  # `heads*model` before `heads` is bound: the axis is named alone
        if expr is not None:
            text = render(expr, function.order)
        elif by_call is not None:
            text = function.fresh(by_call)
        else:
            return f"axis {rank - axis} takes several sizes in one call"
        if expr is None or expr.kind == "dim":
            function.bound.add(text)
        dims.append(text)
    if len(ranks) > 1:
        dims.insert(0, "...")
    dtypes = {leaf.dtype for leaf in leaves}
    dtype = dtypes.pop() if len(dtypes) == 1 else "Shaped"
    text = f'{dtype}[Tensor, "{" ".join(dims)}"]'
    return text, (("jaxtyping", dtype), *_TENSOR)


def _size(values: list[_Observed], function: _Function | None = None) -> Built | str:
    expr = explain((o.seen.value, o.sizes) for o in values if isinstance(o.seen, IntSeen))
    if expr is None or expr.kind != "dim":
        return "an int that is no one dim"
    if function is not None:
        function.bound.add(expr.names[0])
    text = f'Annotated[int, Size("{expr.names[0]}")]'
    return text, (("typing", "Annotated"), ("shapecheck", "Size"))


def _tuple(
    function: _Function,
    values: list[_Observed],
    fields: dict[type, dict[str, list[_Observed]]],
) -> Built | str:
    tuples = [o.seen for o in values if isinstance(o.seen, TupleSeen)]
    classes = {t.cls for t in tuples}
    lengths = {len(t.items) for t in tuples}
    if classes == {None} and len(lengths) > 1:  # a tuple of any length: one item type
        every = [
            _Observed(item, o.call, o.sizes)
            for o in values
            if isinstance(o.seen, TupleSeen)
            for item in o.seen.items
        ]
        built = _annotation(function, every, fields)
        if isinstance(built, str):
            return f"tuples of different lengths whose items differ: {built}"
        return f"tuple[{built[0]}, ...]", built[1]
    if len(classes) != 1 or len(lengths) != 1:
        return "tuples of different classes"
    cls = classes.pop()
    if cls is not None:
        return _named_tuple(function, cls, values, fields)
    items: list[str] = []
    imports: list[tuple[str, str]] = []
    for index in range(lengths.pop()):
        item = [
            _Observed(o.seen.items[index], o.call, o.sizes)
            for o in values
            if isinstance(o.seen, TupleSeen)
        ]
        built = _annotation(function, item, fields)
        if isinstance(built, str):
            return f"item {index}: {built}"
        items.append(built[0])
        imports += built[1]
    return f"tuple[{', '.join(items)}]", tuple(dict.fromkeys(imports))


def _named_tuple(
    function: _Function,
    cls: type,
    values: list[_Observed],
    fields: dict[type, dict[str, list[_Observed]]],
) -> Built | str:
    """A NamedTuple of the user's: its class by name, and its fields observed."""
    fn = function.member.function
    if fn.__globals__.get(cls.__name__) is not cls or cls.__module__.startswith("torch"):
        return f"a {cls.__qualname__}, which its module does not name"
    names: tuple[str, ...] = getattr(cls, "_fields", ())
    for o in values:
        if isinstance(o.seen, TupleSeen):
            for name, item in zip(names, o.seen.items, strict=False):
                fields.setdefault(cls, {}).setdefault(name, []).append(
                    _Observed(item, -1 - len(fields.get(cls, {}).get(name, [])), o.sizes)
                )
    return cls.__name__, ()


def _field_proposals(
    fields: dict[type, dict[str, list[_Observed]]], overwrite: bool, refusals: list[Refusal]
) -> list[Placed]:
    proposals: list[Placed] = []
    for cls, observed in fields.items():
        file = inspect.getsourcefile(cls)
        if file is None:
            continue
        hints = getattr(cls, "__annotations__", {})
        holder = _Function(Member(cls), [])
        for name, values in observed.items():
            existing = hints.get(name)
            bare = existing in (None, torch.Tensor, "Tensor", "torch.Tensor")
            if not bare and not overwrite:
                continue
            if not any(_says_something(o.seen) for o in values):
                continue
            built = _annotation(holder, values, {})
            if isinstance(built, str):
                refusals.append(Refusal(cls.__qualname__, name, built))
                continue
            proposal = Proposal("field", cls.__qualname__, name, built[0], None, True, built[1])
            proposals.append(Placed(file, cls.__module__, proposal))
    return proposals
