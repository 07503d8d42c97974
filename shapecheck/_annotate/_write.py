"""The writer of `shapecheck annotate`: puts `Proposal`s into a module's source.

It edits the concrete syntax tree, so that what it does not write (layout,
comments, the other annotations) comes back byte for byte. Each proposal is
written, kept (an annotation is there and may not be replaced, or already says
the same) or missing (its target is not in the source, and why). Proposals apply
in order, each seeing what the ones before it wrote; rewriting the result with
the same proposals writes nothing more.

Where it writes, it lays out as `ruff format` and ruff's isort would: a `def`
whose header it made too long for a line is split, and a new `from` import
goes into its isort section. Everything else keeps its layout.

Example:
```python
>>> from shapecheck._annotate._model import Proposal
>>> done = rewrite(
...     "def f(x):\\n    y = x + 1  # one more\\n    return y\\n",
...     [Proposal("local", "f", "y", "Float[Tensor, 'n']", line=2,
...               imports=(("jaxtyping", "Float"), ("torch", "Tensor")))],
... )
>>> print(done.text, end="")
from jaxtyping import Float
from torch import Tensor
<BLANKLINE>
<BLANKLINE>
def f(x):
    y: Float[Tensor, 'n'] = x + 1  # one more
    return y

```
"""

from __future__ import annotations

import ast
import re
import sys
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import TypeGuard

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ._model import Proposal

__all__ = ["LINE_LENGTH", "Rewritten", "WriteError", "rewrite"]

LINE_LENGTH = 100
"""The longest line a header the writer lays out may have, as ruff's `line-length`."""


class WriteError(Exception):
    """The source does not parse, or a proposed annotation is not an expression."""


@dataclass(frozen=True)
class Rewritten:
    """The new source, and what became of each proposal.

    - `written`: put into `text`;
    - `kept`: an annotation is there already, and says the same or may not be
      replaced;
    - `missing`: the target is not in the source, with the reason.
    """

    text: str
    written: tuple[Proposal, ...] = ()
    kept: tuple[Proposal, ...] = ()
    missing: tuple[tuple[Proposal, str], ...] = ()


def rewrite(
    source: str,
    proposals: Sequence[Proposal],
    *,
    line_length: int = LINE_LENGTH,
    first_party: Collection[str] = (),
) -> Rewritten:
    """`source` with the `proposals` written in, and the imports they need.

    - `line_length`: a `def` header the writer changed that no longer fits is
      split as `ruff format` splits it;
    - `first_party`: the top-level packages that isort counts as the project's
      own (ruff finds them in the project's root, or `known-first-party`); a
      new import of one goes into the first-party section. A package the
      module imports already goes where it is; any other is third-party.
    """
    wrapper = MetadataWrapper(_parse(source), unsafe_skip_copy=True)  # parsed here: ours
    plan = _Plan(wrapper.module, wrapper.resolve(PositionProvider))
    written: list[Proposal] = []
    kept: list[Proposal] = []
    missing: list[tuple[Proposal, str]] = []
    for proposal in proposals:
        expression = _expression(proposal)
        slot = plan.slot(proposal)
        if isinstance(slot, str):
            missing.append((proposal, slot))
        elif slot.current is not None and (_same(slot.current, expression) or not proposal.replace):
            kept.append(proposal)
        else:
            slot.current, slot.written = expression, True
            written.append(proposal)
    module = wrapper.module.visit(_Writer(plan, line_length))
    needed: dict[str, set[str]] = defaultdict(set)
    for proposal in written:
        for origin, name in proposal.imports:
            needed[origin].add(name)
    module = _with_imports(module, needed, first_party)
    return Rewritten(module.code, tuple(written), tuple(kept), tuple(missing))


def _parse(source: str) -> cst.Module:
    """The module's tree; a `WriteError` with the parse error in one line."""
    try:
        _ast(source)
    except SyntaxError as error:
        where = f"line {error.lineno}, column {error.offset}"
        raise WriteError(f"the source does not parse: {error.msg} ({where})") from None
    except ValueError as error:  # a null byte, before Python 3.12
        raise WriteError(f"the source does not parse: {error}") from None
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        message = " ".join(error.message.split()).removeprefix("parser error: ")
        where = f"line {error.editor_line}, column {error.editor_column}"
        raise WriteError(f"the source does not parse: {message} ({where})") from None


def _expression(proposal: Proposal) -> cst.BaseExpression:
    """The proposal's annotation as an expression node."""
    try:
        return cst.parse_expression(proposal.annotation.strip())
    except cst.ParserSyntaxError:
        target = f"{proposal.owner}.{proposal.name}" if proposal.name else proposal.owner
        raise WriteError(
            f"the {proposal.kind} annotation proposed for `{target}` is not an expression: "
            f"{proposal.annotation!r}"
        ) from None


def _same(old: cst.BaseExpression, new: cst.BaseExpression) -> bool:
    """Whether two annotations say the same, whatever their layout and quotes."""
    texts = [_code(old), _code(new)]
    try:
        return len({ast.dump(_ast(text.strip(), "eval")) for text in texts}) == 1
    except SyntaxError:
        return texts[0] == texts[1]


def _ast(source: str, mode: str = "exec") -> ast.AST:
    """`ast.parse`, quietly: an invalid escape in the user's code is not ours to report."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, mode=mode)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=()).code_for_node(node)


# -- finding the targets ------------------------------------------------------------------


@dataclass
class _Slot:
    """One place an annotation goes, and what it holds after the proposals so far."""

    current: cst.BaseExpression | None
    written: bool = False


@dataclass(frozen=True)
class _Site:
    """A statement of a function's body that may bind locals: a small statement,
    or a compound statement's header (lines `first` to `last`). A declaration
    goes before `anchor`: the statement's line, or the compound statement, or
    the small statement itself in a one-line body (`for x in xs: a, b = x`)."""

    node: cst.CSTNode
    anchor: cst.CSTNode
    first: int
    last: int


class _Plan:
    """The slots the proposals name, keyed by the nodes that the writer edits."""

    def __init__(self, module: cst.Module, where: Mapping[cst.CSTNode, CodeRange]) -> None:
        self.where = where
        self.definitions = _definitions(module)
        self.params: dict[cst.Param, _Slot] = {}
        self.returns: dict[cst.FunctionDef, _Slot] = {}
        self.annotated: dict[cst.AnnAssign, _Slot] = {}
        self.assigns: dict[cst.Assign, _Slot] = {}
        self.before: dict[cst.CSTNode, list[tuple[str, _Slot]]] = defaultdict(list)
        self.locals: dict[tuple[cst.FunctionDef, str], _Slot] = {}

    def slot(self, proposal: Proposal) -> _Slot | str:
        """The proposal's slot, made on first use; or why there is none."""
        owner = proposal.owner
        definition = self.definitions.get(owner)
        if proposal.kind == "field":
            if not isinstance(definition, cst.ClassDef):
                return self._not_found(owner, "class")
            return self._field(definition, owner, proposal.name)
        if not isinstance(definition, cst.FunctionDef):
            return self._not_found(owner, "function")
        if proposal.kind == "param":
            return self._param(definition, owner, proposal.name)
        if proposal.kind == "return":
            if definition not in self.returns:
                returns = definition.returns
                self.returns[definition] = _Slot(returns.annotation if returns else None)
            return self.returns[definition]
        return self._local(definition, owner, proposal.name, proposal.line)

    def _not_found(self, owner: str, kind: str) -> str:
        found = self.definitions.get(owner)
        if found is not None:
            return f"`{owner}` is a {'class' if kind == 'function' else 'function'}, not a {kind}"
        parts = owner.split(".")
        for end in range(1, len(parts)):
            outer = ".".join(parts[:end])
            if isinstance(self.definitions.get(outer), cst.FunctionDef):
                return f"no {kind} `{owner}`: what a function defines inside it is not annotated"
        return f"no {kind} `{owner}` in the module"

    def _param(self, function: cst.FunctionDef, owner: str, name: str) -> _Slot | str:
        for param in _params(function):
            if param.name.value == name:
                if param not in self.params:
                    annotation = param.annotation
                    self.params[param] = _Slot(annotation.annotation if annotation else None)
                return self.params[param]
        return f"`{owner}` has no parameter `{name}`"

    def _field(self, cls: cst.ClassDef, owner: str, name: str) -> _Slot | str:
        for statement in _statements(cls.body):
            if isinstance(statement, cst.AnnAssign) and _is_name(statement.target, name):
                if statement not in self.annotated:
                    self.annotated[statement] = _Slot(statement.annotation.annotation)
                return self.annotated[statement]
        return f"`{owner}` has no annotated field `{name}`"

    def _local(
        self, function: cst.FunctionDef, owner: str, name: str, line: int | None
    ) -> _Slot | str:
        if (function, name) in self.locals:
            return self.locals[function, name]
        if any(param.name.value == name for param in _params(function)):
            return f"`{name}` is a parameter of `{owner}`, not a local"
        sites = list(_sites(function.body, self.where))
        for site in sites:
            if isinstance(site.node, (cst.Global, cst.Nonlocal)):
                if any(item.name.value == name for item in site.node.names):
                    return f"`{name}` is global or nonlocal in `{owner}`: it cannot be annotated"
        declared = [
            site.node
            for site in sites
            if isinstance(site.node, cst.AnnAssign) and _is_name(site.node.target, name)
        ]
        if declared:
            slot = _Slot(declared[0].annotation.annotation)
            for node in declared:
                self.annotated[node] = slot
        elif line is None:
            return f"no line given for the local `{name}` of `{owner}`, which declares none"
        else:
            binding = [s for s in sites if s.first <= line <= s.last and name in _binds(s.node)]
            if not binding:
                if any(
                    isinstance(s.node, (cst.FunctionDef, cst.ClassDef))
                    and s.first <= line <= s.last
                    for s in sites
                ):
                    return f"line {line} is in a def or class nested in `{owner}`: not annotated"
                return f"no statement at line {line} of `{owner}` binds `{name}`"
            site, slot = binding[0], _Slot(None)
            if _is_simple_assign(site.node):
                self.assigns[site.node] = slot
            else:
                self.before[site.anchor].append((name, slot))
        self.locals[function, name] = slot
        return slot


def _definitions(module: cst.Module) -> dict[str, cst.FunctionDef | cst.ClassDef]:
    """Every function and class by qualified name, outside functions; the last
    definition of a name is the one the module keeps."""
    found: dict[str, cst.FunctionDef | cst.ClassDef] = {}

    def visit(statements: Sequence[cst.CSTNode], prefix: str) -> None:
        for statement in statements:
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                name = prefix + statement.name.value
                for stale in [key for key in found if key.startswith(name + ".")]:
                    del found[stale]
                found[name] = statement
                if isinstance(statement, cst.ClassDef):
                    visit(_statements(statement.body), name + ".")
            elif isinstance(statement, cst.BaseCompoundStatement):
                for suite in _suites(statement):
                    visit(_statements(suite), prefix)

    visit(module.body, "")
    return found


def _statements(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    """A body's statements; a one-line body's small statements."""
    if isinstance(suite, cst.IndentedBlock):
        return [
            small
            for statement in suite.body
            for small in (
                statement.body if isinstance(statement, cst.SimpleStatementLine) else [statement]
            )
        ]
    return list(suite.body) if isinstance(suite, cst.SimpleStatementSuite) else []


def _suites(node: cst.CSTNode) -> Iterator[cst.BaseSuite]:
    """The bodies of a compound statement: `else`, `elif`, `except`, `finally`
    and `case` ones included."""
    for child in node.children:
        if isinstance(child, cst.BaseSuite):
            yield child
        elif isinstance(
            child,
            (
                cst.If,
                cst.Else,
                cst.ExceptHandler,
                cst.ExceptStarHandler,
                cst.Finally,
                cst.MatchCase,
            ),
        ):
            yield from _suites(child)


def _params(function: cst.FunctionDef) -> Iterator[cst.Param]:
    params = function.params
    yield from params.posonly_params
    yield from params.params
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if params.star_kwarg is not None:
        yield params.star_kwarg


def _sites(suite: cst.BaseSuite, where: Mapping[cst.CSTNode, CodeRange]) -> Iterator[_Site]:
    """The statements of a body at any depth, but not inside a nested def or
    class, which is one site that binds nothing."""
    if isinstance(suite, cst.SimpleStatementSuite):
        for small in suite.body:
            yield _Site(small, small, where[small].start.line, where[small].end.line)
        return
    assert isinstance(suite, cst.IndentedBlock)
    for statement in suite.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                yield _Site(small, statement, where[small].start.line, where[small].end.line)
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):  # a scope of its own
            yield _Site(
                statement, statement, where[statement].start.line, where[statement].end.line
            )
        else:
            yield from _compound_sites(statement, statement, where)


def _compound_sites(
    statement: cst.CSTNode, anchor: cst.CSTNode, where: Mapping[cst.CSTNode, CodeRange]
) -> Iterator[_Site]:
    first = where[statement].start.line
    last = max([first, *(where[node].end.line for node in _header(statement))])
    yield _Site(statement, anchor, first, last)
    for child in statement.children:
        if isinstance(child, cst.BaseSuite):
            yield from _sites(child, where)
        elif isinstance(child, cst.If):  # an `elif`: its declarations go before the `if`
            yield from _compound_sites(child, anchor, where)
        elif isinstance(
            child, (cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally, cst.MatchCase)
        ):
            yield from _sites(child.body, where)


def _header(statement: cst.CSTNode) -> Sequence[cst.CSTNode]:
    """The parts of a compound statement before its body's colon that may bind."""
    if isinstance(statement, cst.For):
        return [statement.target, statement.iter]
    if isinstance(statement, (cst.If, cst.While)):
        return [statement.test]
    if isinstance(statement, cst.With):
        return list(statement.items)
    if isinstance(statement, cst.Match):
        return [statement.subject]
    return []


def _binds(node: cst.CSTNode) -> set[str]:
    """The names a small statement, or a compound statement's header, binds."""
    names: set[str] = set()
    if isinstance(node, cst.Assign):
        for target in node.targets:
            names |= _target_names(target.target)
    elif isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.For)):
        names |= _target_names(node.target)
    elif isinstance(node, cst.With):
        for item in node.items:
            names |= _target_names(item.asname.name) if item.asname else set()
    elif isinstance(node, (cst.Import, cst.ImportFrom)) and not isinstance(
        node.names, cst.ImportStar
    ):
        for alias in node.names:
            names.add(alias.evaluated_alias or alias.evaluated_name.split(".")[0])
    walrus = _Walrus()
    for part in _header(node) if isinstance(node, cst.BaseCompoundStatement) else [node]:
        part.visit(walrus)
    return names | walrus.names


def _target_names(target: cst.BaseExpression) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return {name for element in target.elements for name in _target_names(element.value)}
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return set()


class _Walrus(cst.CSTVisitor):
    """The names `:=` binds in the function's own scope (not in a lambda's)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.names |= _target_names(node.target)

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def _is_simple_assign(node: cst.CSTNode) -> TypeGuard[cst.Assign]:
    """`name = value`: one target, a plain name."""
    return (
        isinstance(node, cst.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0].target, cst.Name)
    )


def _is_name(node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


# -- writing ------------------------------------------------------------------------------


class _Writer(cst.CSTTransformer):
    """Puts the written slots of a `_Plan` into the tree it was made from."""

    def __init__(self, plan: _Plan, line_length: int) -> None:
        super().__init__()
        self.plan = plan
        self.line_length = line_length

    def leave_Param(self, original_node: cst.Param, updated_node: cst.Param) -> cst.Param:
        expression = _final(self.plan.params.get(original_node))
        if expression is None:
            return updated_node
        equal = updated_node.equal
        if (
            updated_node.annotation is None
            and isinstance(equal, cst.AssignEqual)
            and _code(equal) == "="
        ):  # `x=1` becomes `x: int = 1`
            equal = cst.AssignEqual()
        return updated_node.with_changes(
            annotation=_annotation(updated_node.annotation, expression), equal=equal
        )

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        expression = _final(self.plan.returns.get(original_node))
        if expression is not None:
            updated_node = updated_node.with_changes(
                returns=_annotation(updated_node.returns, expression)
            )
        elif all(_final(self.plan.params.get(p)) is None for p in _params(original_node)):
            return updated_node  # not ours to lay out
        column = self.plan.where[original_node].start.column
        return _laid_out(original_node, updated_node, column, self.line_length)

    def leave_AnnAssign(
        self, original_node: cst.AnnAssign, updated_node: cst.AnnAssign
    ) -> cst.AnnAssign:
        expression = _final(self.plan.annotated.get(original_node))
        if expression is None:
            return updated_node
        return updated_node.with_changes(
            annotation=_annotation(updated_node.annotation, expression)
        )

    def leave_Assign(
        self, original_node: cst.Assign, updated_node: cst.Assign
    ) -> cst.BaseSmallStatement:
        expression = _final(self.plan.assigns.get(original_node))
        if expression is None:
            return updated_node
        target = updated_node.targets[0]
        return cst.AnnAssign(
            target=target.target,
            annotation=cst.Annotation(expression),
            value=updated_node.value,
            equal=cst.AssignEqual(
                whitespace_before=target.whitespace_before_equal,
                whitespace_after=target.whitespace_after_equal,
            ),
            semicolon=updated_node.semicolon,
        )

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.BaseSuite:
        body: list[cst.BaseStatement] = []
        for old, new in zip(original_node.body, updated_node.body, strict=True):
            lines = [cst.SimpleStatementLine([small]) for small in self._declarations(old)]
            if lines:  # the declarations take the comments and blank lines above
                lines[0] = lines[0].with_changes(leading_lines=_leading_lines(new))
                new = new.with_changes(leading_lines=())
            body += [*lines, new]
        return updated_node.with_changes(body=body)

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.BaseSuite:
        body: list[cst.BaseSmallStatement] = []
        semicolon = cst.Semicolon(whitespace_after=cst.SimpleWhitespace(" "))
        for old, new in zip(original_node.body, updated_node.body, strict=True):
            smalls = self._declarations(old)
            body += [small.with_changes(semicolon=semicolon) for small in smalls] + [new]
        return updated_node.with_changes(body=body)

    def _declarations(self, anchor: cst.CSTNode) -> list[cst.AnnAssign]:
        """The bare declarations that go before `anchor`, in the proposals' order."""
        return [
            cst.AnnAssign(target=cst.Name(name), annotation=cst.Annotation(expression))
            for name, slot in self.plan.before.get(anchor, ())
            if (expression := _final(slot)) is not None
        ]


def _leading_lines(statement: cst.BaseStatement) -> Sequence[cst.EmptyLine]:
    """The blank and comment lines above a statement."""
    assert isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    return statement.leading_lines


def _final(slot: _Slot | None) -> cst.BaseExpression | None:
    """What to write into a slot: nothing unless a proposal wrote it."""
    return slot.current if slot is not None and slot.written else None


def _annotation(old: cst.Annotation | None, expression: cst.BaseExpression) -> cst.Annotation:
    """`old` saying `expression`, its spacing kept."""
    return old.with_changes(annotation=expression) if old else cst.Annotation(expression)


# -- laying out a header -----------------------------------------------------------------

_PASS = cst.IndentedBlock([cst.SimpleStatementLine([cst.Pass()])])
_INDENT = "    "


def _laid_out(
    original: cst.FunctionDef, updated: cst.FunctionDef, column: int, line_length: int
) -> cst.FunctionDef:
    """`updated`, its header laid out as `ruff format` would where the writer
    made a line of it too long.

    A header on one line is split at its parentheses: the parameters on a
    line of their own if they fit there, `)` and the return on the next; else
    one parameter a line, each with a comma (a single one too, as ruff does).
    A header the user split keeps its layout unless a line is too long; then it
    is one parameter a line. A header with a comment inside, or with its body
    on its line, is never laid out again: nothing of the user's may be lost.
    """
    signature = _signature(updated)
    if (
        not isinstance(updated.body, cst.IndentedBlock)
        or _has_comment(signature)
        or _fits(_signature_code(signature), column, line_length)
    ):
        return updated
    items = _param_items(updated.params)
    if not items or any("\n" in item for item in items):
        return updated  # a long return alone, or a multi-line default: ruff splits inside them
    returns = f" -> {_code(updated.returns.annotation)}" if updated.returns else ""
    type_parameters = _code(updated.type_parameters) if updated.type_parameters else ""
    opening = (
        f"{'async ' if updated.asynchronous else ''}def {updated.name.value}{type_parameters}("
    )
    closing = f"){returns}"
    hugged = _INDENT + ", ".join(items)
    if (
        "\n" not in _signature_code(_signature(original))
        and len(items) > 1
        and not _magic_trailing_comma(updated.params)
        and _fits(hugged, column, line_length)
    ):
        lines = [opening, hugged, closing]
    else:
        lines = [opening, *(f"{_INDENT}{item}," for item in items), closing]
    parsed = cst.parse_statement("\n".join(lines) + ":\n" + _INDENT + "pass\n")
    assert isinstance(parsed, cst.FunctionDef)
    return parsed.with_changes(
        body=updated.body,
        decorators=updated.decorators,
        leading_lines=updated.leading_lines,
        lines_after_decorators=updated.lines_after_decorators,
    )


def _signature(function: cst.FunctionDef) -> cst.FunctionDef:
    """The function from `def` to its colon: no decorators, a bare body."""
    return function.with_changes(
        decorators=(), leading_lines=(), lines_after_decorators=(), body=_PASS
    )


def _signature_code(signature: cst.FunctionDef) -> str:
    """A `_signature`'s code, from `def` to the colon."""
    return _code(signature).removesuffix("\n" + _INDENT + "pass\n")


def _has_comment(node: cst.CSTNode) -> bool:
    found = _Comments()
    node.visit(found)
    return found.found


class _Comments(cst.CSTVisitor):
    """Whether a node has a comment anywhere inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found = True


def _fits(code: str, column: int, line_length: int) -> bool:
    """Whether each line of `code`, which starts at `column` and whose next lines
    are indented from there, is at most `line_length` wide."""
    return all(column + _width(line) <= line_length for line in code.split("\n"))


def _width(text: str) -> int:
    """The columns `text` takes, a wide character two, as ruff counts them."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def _param_items(params: cst.Parameters) -> list[str]:
    """The parameters as ruff writes them, the bare `*` and `/` included."""
    items = [_param_code(param) for param in params.posonly_params]
    if isinstance(params.posonly_ind, cst.ParamSlash):
        items.append("/")
    items += [_param_code(param) for param in params.params]
    if isinstance(params.star_arg, cst.Param):
        items.append(_param_code(params.star_arg, "*"))
    elif isinstance(params.star_arg, cst.ParamStar):
        items.append("*")
    items += [_param_code(param) for param in params.kwonly_params]
    if params.star_kwarg is not None:
        items.append(_param_code(params.star_kwarg, "**"))
    return items


def _param_code(param: cst.Param, star: str = "") -> str:
    """`name: annotation = default`, spaced as ruff spaces it."""
    code = star + param.name.value
    if param.annotation is not None:
        code += ": " + _code(param.annotation.annotation)
    if param.default is not None:
        code += (" = " if param.annotation is not None else "=") + _code(param.default)
    return code


def _magic_trailing_comma(params: cst.Parameters) -> bool:
    """Whether the last parameter has a comma after it, which keeps them one a line."""
    last: cst.CSTNode | None = None
    for part in (
        *params.posonly_params,
        params.posonly_ind,
        *params.params,
        params.star_arg,
        *params.kwonly_params,
        params.star_kwarg,
    ):
        if isinstance(part, (cst.Param, cst.ParamSlash, cst.ParamStar)):
            last = part
    return isinstance(last, (cst.Param, cst.ParamSlash)) and isinstance(last.comma, cst.Comma)


# -- imports ------------------------------------------------------------------------------


def _with_imports(
    module: cst.Module, needed: Mapping[str, set[str]], first_party: Collection[str]
) -> cst.Module:
    """`module` importing the `needed` names from their modules, merged into its
    `from MODULE import ...` where it has one, and skipping names it binds."""
    bound, starred = _top_level_names(module)
    wanted = {
        origin: sorted(names - bound, key=_member_order)
        for origin, names in sorted(needed.items())
        if origin not in starred and names - bound
    }
    body: list[cst.BaseStatement] = list(module.body)
    added: list[cst.SimpleStatementLine] = []
    for origin, names in wanted.items():
        found = _from_import(body, origin)
        if found is None:
            added.append(cst.SimpleStatementLine([_from_statement(origin, names)]))
            continue
        index, small = found
        line = body[index]
        assert isinstance(line, cst.SimpleStatementLine)
        smalls = list(line.body)
        smalls[small] = _merged(smalls[small], names)
        body[index] = line.with_changes(body=smalls)
    if added:
        _add(body, added, first_party)
    return module.with_changes(body=body)


def _add(
    body: list[cst.BaseStatement],
    added: Sequence[cst.SimpleStatementLine],
    first_party: Collection[str],
) -> None:
    """The new import lines, each in its isort section where the module's imports
    are in sections; else after the last import."""
    layout = _layout(body, first_party)
    if layout is None:
        _insert(body, added)
        return
    order = layout.section
    for line in sorted(added, key=lambda line: (order(_import_of(line)), _import_key(line))):
        if layout is None or not layout.groups:  # the first import is set apart
            _insert(body, [line])
        else:
            _insert_in_section(body, line, layout)
        layout = _layout(body, first_party)


def _insert(body: list[cst.BaseStatement], added: Sequence[cst.SimpleStatementLine]) -> None:
    """`added` after the module's last import, or after its docstring if it has none."""
    if not added:
        return
    position, after_import = _import_position(body)
    added = list(added)
    if not after_import:  # the first import: set it apart from what is around it
        if position > 0:
            added[0] = added[0].with_changes(leading_lines=[cst.EmptyLine()])
        if position < len(body):
            following = body[position]
            leading = _leading_lines(following)
            if not leading or leading[0].comment is not None:
                blank = 2 if isinstance(following, (cst.FunctionDef, cst.ClassDef)) else 1
                body[position] = following.with_changes(
                    leading_lines=[cst.EmptyLine()] * blank + list(leading)
                )
    body[position:position] = added


# -- isort's sections ------------------------------------------------------------------------


class _Section(IntEnum):
    """isort's sections, in their order in a module."""

    FUTURE = 0
    STANDARD_LIBRARY = 1
    THIRD_PARTY = 2
    FIRST_PARTY = 3
    LOCAL_FOLDER = 4


_OURS_OR_THEIRS = frozenset({_Section.THIRD_PARTY, _Section.FIRST_PARTY})


@dataclass(frozen=True)
class _Group:
    """The import lines of one section, in a row: their indices in the module's body."""

    section: _Section
    indices: tuple[int, ...]


@dataclass(frozen=True)
class _Layout:
    """The module's top-level imports in isort's sections; and the section each
    package it imports, neither standard nor named first-party, was found in."""

    groups: tuple[_Group, ...]
    first_party: Collection[str]
    found: Mapping[str, _Section]

    def section(self, imported: tuple[str, int]) -> _Section:
        """The section of the module `imported`, with its relative level."""
        name, level = imported
        sections = _sections(name, level, self.first_party)
        if len(sections) == 1:
            (section,) = sections
            return section
        return self.found.get(name.split(".")[0], _Section.THIRD_PARTY)


def _layout(body: Sequence[cst.BaseStatement], first_party: Collection[str]) -> _Layout | None:
    """The import lines before the first def or class, in isort's sections and
    order, a blank line where a section starts; None where they are not (a
    statement among them, two imports on a line, sections mixed or out of order).

    A blank line starts the next section, unless comment lines follow it: ruff
    sets those apart inside a section too."""
    lines: list[int] = []
    for index, statement in enumerate(body):
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            break
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        ):
            if len(statement.body) > 1 or (lines and lines[-1] != index - 1):
                return None
            lines.append(index)
    sections: list[tuple[_Section, int]] = []
    found: dict[str, _Section] = {}
    for index in lines:
        imported = _imported(body[index])
        possible = set(_Section)
        for name, level in imported:
            possible &= _sections(name, level, first_party)
        leading = _leading_lines(body[index])
        blank = any(line.comment is None for line in leading)
        if not sections:
            if not possible:
                return None
            section = min(possible)
        else:
            previous = sections[-1][0]
            later = [s for s in possible if s > previous]
            commented = blank and leading[-1].comment is not None
            if previous in possible and (not blank or not later or commented):
                section = previous
            elif blank and later:
                section = min(later)
            else:
                return None
        sections.append((section, index))
        for name, level in imported:
            if _sections(name, level, first_party) == _OURS_OR_THEIRS:
                found.setdefault(name.split(".")[0], section)
    groups = tuple(
        _Group(section, tuple(index for s, index in sections if s == section))
        for section in sorted({section for section, _ in sections})
    )
    return _Layout(groups, first_party, found)


def _sections(name: str, level: int, first_party: Collection[str]) -> frozenset[_Section]:
    """The sections isort may put a module in, as far as the module tells."""
    package = name.split(".")[0]
    if level:
        return frozenset({_Section.LOCAL_FOLDER})
    if name == "__future__":
        return frozenset({_Section.FUTURE})
    if package in sys.stdlib_module_names:
        return frozenset({_Section.STANDARD_LIBRARY})
    if package in first_party:
        return frozenset({_Section.FIRST_PARTY})
    return _OURS_OR_THEIRS  # the project's own if ruff finds it there, else third-party


def _imported(statement: cst.BaseStatement) -> list[tuple[str, int]]:
    """The modules an import line imports, with their relative levels."""
    assert isinstance(statement, cst.SimpleStatementLine)
    (small,) = statement.body
    if isinstance(small, cst.Import):
        return [(get_full_name_for_node(alias.name) or "", 0) for alias in small.names]
    assert isinstance(small, cst.ImportFrom)
    return [_import_of(statement)]


def _import_of(statement: cst.BaseStatement) -> tuple[str, int]:
    """The module of a `from` import line, and its relative level."""
    assert isinstance(statement, cst.SimpleStatementLine)
    (small,) = statement.body
    assert isinstance(small, cst.ImportFrom)
    name = get_full_name_for_node(small.module) if small.module is not None else None
    return name or "", len(small.relative)


_Natural = tuple[tuple[int, str], ...]


def _import_key(
    statement: cst.BaseStatement,
) -> tuple[int, int, bool, _Natural, _Natural, tuple[int, str, str]]:
    """isort's order in a section (ruff's defaults): `import m` lines first, then
    `from m import ...`; the furthest relative level first; then the module,
    case aside, numbers by value; then the first name imported."""
    assert isinstance(statement, cst.SimpleStatementLine)
    (small,) = statement.body
    if isinstance(small, cst.Import):
        name = get_full_name_for_node(small.names[0].name) or ""
        return 0, 0, True, _natural(name.lower()), _natural(name), _member_order("")
    assert isinstance(small, cst.ImportFrom)
    name, level = _import_of(statement)
    first = "" if isinstance(small.names, cst.ImportStar) else small.names[0].evaluated_name
    return 1, -level, bool(name), _natural(name.lower()), _natural(name), _member_order(first)


def _natural(text: str) -> _Natural:
    """`text` in natural order: `torch9` before `torch10`."""
    return tuple(
        (int(part), "") if index % 2 else (0, part)
        for index, part in enumerate(re.split(r"(\d+)", text))
    )


def _insert_in_section(
    body: list[cst.BaseStatement], line: cst.SimpleStatementLine, layout: _Layout
) -> None:
    """`line` in its place among the module's imports: in order in its section's
    group, or a group of its own between those of the sections around it. The
    comment lines above an import stay with it, a blank line above them (as
    ruff writes them)."""
    section = layout.section(_import_of(line))
    key = _import_key(line)
    same = [group for group in layout.groups if group.section == section]
    later = [group for group in layout.groups if group.section > section]
    if same:
        (group,) = same
        at = next((i for i in group.indices if _import_key(body[i]) > key), None)
        if at is None or at != group.indices[0]:  # what is above `at` stays with it
            body.insert(group.indices[-1] + 1 if at is None else at, line)
            return
    elif later:
        at = later[0].indices[0]
    else:
        after = layout.groups[-1].indices[-1] + 1
        body.insert(after, line.with_changes(leading_lines=[cst.EmptyLine()]))
        return
    above, own = _comments_above(body[at])
    if own or not same:
        own = [cst.EmptyLine(), *own]
    body[at] = body[at].with_changes(leading_lines=own)
    body.insert(at, line.with_changes(leading_lines=above))


def _comments_above(
    statement: cst.BaseStatement,
) -> tuple[list[cst.EmptyLine], list[cst.EmptyLine]]:
    """The lines above a statement: those up to its last blank line, and the
    comment lines below that, which isort keeps with the statement."""
    leading = list(_leading_lines(statement))
    blank = max((n for n, line in enumerate(leading) if line.comment is None), default=-1)
    return leading[: blank + 1], leading[blank + 1 :]


# -- the import statements ---------------------------------------------------------------


def _top_level_names(module: cst.Module) -> tuple[set[str], set[str]]:
    """The names the module binds outside functions and classes (imports, defs,
    classes, assignments), and the modules it imports `*` from."""
    bound: set[str] = set()
    starred: set[str] = set()

    def visit(statements: Sequence[cst.CSTNode]) -> None:
        for statement in statements:
            if isinstance(statement, cst.SimpleStatementLine):
                visit(statement.body)
            elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                bound.add(statement.name.value)
            elif isinstance(statement, cst.BaseCompoundStatement):
                for suite in _suites(statement):
                    visit(_statements(suite))
            elif isinstance(statement, cst.ImportFrom) and isinstance(
                statement.names, cst.ImportStar
            ):
                starred.add(_module_name(statement) or "")
            elif isinstance(
                statement, (cst.Import, cst.ImportFrom, cst.Assign, cst.AnnAssign, cst.AugAssign)
            ):
                bound.update(_binds(statement))

    visit(module.body)
    return bound, starred


def _module_name(statement: cst.ImportFrom) -> str | None:
    """`a.b` for `from a.b import ...`; None for a relative import."""
    if statement.relative or statement.module is None:
        return None
    return get_full_name_for_node(statement.module)


def _from_import(body: Sequence[cst.BaseStatement], origin: str) -> tuple[int, int] | None:
    """Where the module's first top-level `from origin import names` is: the
    statement's index, and its index in that line."""
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine):
            for small, node in enumerate(statement.body):
                if (
                    isinstance(node, cst.ImportFrom)
                    and not isinstance(node.names, cst.ImportStar)
                    and _module_name(node) == origin
                ):
                    return index, small
    return None


def _import_position(body: Sequence[cst.BaseStatement]) -> tuple[int, bool]:
    """Where a new import goes: after the last import before the first def or
    class, else after the docstring; and whether that is after an import."""
    position, after_import = 0, False
    if body and _is_docstring(body[0]):
        position = 1
    for index, statement in enumerate(body):
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            break
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        ):
            position, after_import = index + 1, True
    return position, after_import


def _is_docstring(statement: cst.BaseStatement) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    return isinstance(small, cst.Expr) and isinstance(
        small.value, (cst.SimpleString, cst.ConcatenatedString)
    )


def _from_statement(origin: str, names: Sequence[str]) -> cst.ImportFrom:
    statement = cst.parse_statement(f"from {origin} import {', '.join(names)}\n")
    assert isinstance(statement, cst.SimpleStatementLine)
    small = statement.body[0]
    assert isinstance(small, cst.ImportFrom)
    return small


def _merged(node: cst.BaseSmallStatement, names: Sequence[str]) -> cst.ImportFrom:
    """`from m import a, c` with `b` added in order, in the statement's layout."""
    assert isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar)
    aliases = list(node.names)
    last = aliases[-1]
    template = _comma(node, aliases)
    merged: list[cst.ImportAlias] = list(aliases)
    for name in names:
        at = next(
            (
                index
                for index, alias in enumerate(merged)
                if _member_order(name) < _member_order(alias.evaluated_name)
            ),
            len(merged),
        )
        merged.insert(at, cst.ImportAlias(cst.Name(name)))
    laid_out = []
    for index, alias in enumerate(merged):
        if index == len(merged) - 1:
            alias = alias.with_changes(comma=last.comma)
        elif alias is last or isinstance(alias.comma, cst.MaybeSentinel):
            alias = alias.with_changes(comma=template)
        laid_out.append(alias)
    return node.with_changes(names=laid_out)


def _comma(statement: cst.ImportFrom, aliases: Sequence[cst.ImportAlias]) -> cst.Comma:
    """The comma between two names of the import, as it writes them: on one line,
    or one name a line (without the comment a line may end with)."""
    for alias in aliases[:-1]:
        comma = alias.comma
        if isinstance(comma, cst.Comma) and isinstance(
            comma.whitespace_after, cst.SimpleWhitespace
        ):
            return comma
    opening = statement.lpar.whitespace_after if statement.lpar else None
    if isinstance(opening, cst.ParenthesizedWhitespace):
        return cst.Comma(
            whitespace_after=cst.ParenthesizedWhitespace(
                indent=opening.indent, last_line=opening.last_line
            )
        )
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _member_order(name: str) -> tuple[int, str, str]:
    """The order of names in a `from` import: constants, classes, then the rest."""
    kind = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name.lower(), name
