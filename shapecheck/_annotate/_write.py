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
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeGuard

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from ._cst import (
    bound_names,
    comment_lines,
    compound_header,
    inner_suites,
    suite_statements,
)
from ._imports import with_imports
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
    module = with_imports(module, needed, first_party)
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
        for statement in suite_statements(cls.body):
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
            binding = [
                s for s in sites if s.first <= line <= s.last and name in bound_names(s.node)
            ]
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
                    visit(suite_statements(statement.body), name + ".")
            elif isinstance(statement, cst.BaseCompoundStatement):
                for suite in inner_suites(statement):
                    visit(suite_statements(suite), prefix)

    visit(module.body, "")
    return found


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
    last = max([first, *(where[node].end.line for node in compound_header(statement))])
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
                lines[0] = lines[0].with_changes(leading_lines=comment_lines(new))
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
