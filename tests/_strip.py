"""A test helper: a module's source as it looks before anyone annotated its
shapes, so that `shapecheck annotate` can be tried on real, annotated code.

- a parameter or return whose annotation holds a jaxtyping array type
  (`Float[Tensor, "b h"]`, `tuple[Float[...], Tensor]`, `jt.Int[...] | None`)
  loses it;
- `aliases` names the module's shape aliases: one mapped to a plain type
  (`"BatchSize": "int"`) is replaced by it, one mapped to None counts as an
  array type;
- a local `x: Float[...] = value` becomes `x = value`; `x: Float[...]` goes,
  its comments kept above the next statement;
- a class field keeps an annotation: `W: Float[Tensor, "a b"]` becomes
  `W: Tensor`.

Everything else, comments, docstrings and other annotations, is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import libcst as cst

__all__ = ["DTYPES", "strip_annotations"]

DTYPES = frozenset(
    {"Shaped", "Bool", "Key", "Num", "Real", "Inexact", "Integer", "Float", "Complex"}
    | {"Int", "UInt", "BFloat16", "Float16", "Float32", "Float64", "Complex64", "Complex128"}
    | {f"{kind}{bits}" for kind in ("Int", "UInt") for bits in (2, 4, 8, 16, 32, 64)}
)
"""jaxtyping's dtype annotations: `Float` in `Float[Tensor, "b h"]`."""


def strip_annotations(source: str, aliases: Mapping[str, str | None] | None = None) -> str:
    """`source` without its jaxtyping shape annotations (see the module's doc)."""
    module = cst.parse_module(source)
    names = _JaxtypingNames()
    module.visit(names)
    return module.visit(_Stripper(names, aliases or {})).code


class _JaxtypingNames(cst.CSTVisitor):
    """The names jaxtyping goes by in a module: its own and `jt`, and the dtypes'."""

    def __init__(self) -> None:
        super().__init__()
        self.modules = {"jaxtyping", "jt"}
        self.dtypes = set(DTYPES)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if alias.evaluated_name == "jaxtyping" and alias.evaluated_alias:
                self.modules.add(alias.evaluated_alias)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = node.module
        if isinstance(node.names, cst.ImportStar) or not isinstance(module, cst.Name):
            return
        if module.value == "jaxtyping":
            for alias in node.names:
                if alias.evaluated_name in DTYPES and alias.evaluated_alias:
                    self.dtypes.add(alias.evaluated_alias)


class _Stripper(cst.CSTTransformer):
    def __init__(self, names: _JaxtypingNames, aliases: Mapping[str, str | None]) -> None:
        super().__init__()
        self.names = names
        self.aliases = aliases
        self.scopes: list[str] = []  # "class" or "function", innermost last

    # -- what counts as a shape annotation --------------------------------------------

    def is_array_type(self, node: cst.CSTNode) -> bool:
        """`Float[...]`, `jaxtyping.Float[...]`: a jaxtyping dtype subscript."""
        if not isinstance(node, cst.Subscript):
            return False
        value = node.value
        if isinstance(value, cst.Name):
            return value.value in self.names.dtypes
        return (
            isinstance(value, cst.Attribute)
            and isinstance(value.value, cst.Name)
            and value.value.value in self.names.modules
            and value.attr.value in DTYPES
        )

    def holds_shape(self, annotation: cst.BaseExpression) -> bool:
        """Whether an annotation is, or holds, an array type or a shape alias."""
        found = _Find(
            lambda node: (
                self.is_array_type(node)
                or (
                    isinstance(node, cst.Name)
                    and node.value in self.aliases
                    and self.aliases[node.value] is None
                )
            )
        )
        annotation.visit(found)
        return found.found

    def plain(self, annotation: cst.Annotation, in_class: bool) -> cst.Annotation:
        """The annotation with its aliases to plain types replaced; in a class,
        with each array type replaced by the array it annotates (`Tensor`)."""
        return annotation.with_changes(
            annotation=annotation.annotation.visit(_Plain(self, in_class))
        )

    # -- scopes ---------------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scopes.append("class")

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self.scopes.pop()
        return updated_node

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append("function")

    def in_class(self) -> bool:
        return bool(self.scopes) and self.scopes[-1] == "class"

    # -- parameters and returns -----------------------------------------------------------

    def leave_Param(self, original_node: cst.Param, updated_node: cst.Param) -> cst.Param:
        annotation = updated_node.annotation
        if annotation is None:
            return updated_node
        if not self.holds_shape(annotation.annotation):
            return updated_node.with_changes(annotation=self.plain(annotation, False))
        equal = updated_node.equal
        if isinstance(equal, cst.AssignEqual):  # `x: T = 1` becomes `x=1`
            equal = equal.with_changes(
                whitespace_before=cst.SimpleWhitespace(""),
                whitespace_after=cst.SimpleWhitespace(""),
            )
        return updated_node.with_changes(annotation=None, equal=equal)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.scopes.pop()
        returns = updated_node.returns
        if returns is not None:
            if self.holds_shape(returns.annotation):
                updated_node = updated_node.with_changes(returns=None)
            else:
                updated_node = updated_node.with_changes(returns=self.plain(returns, False))
        if updated_node.deep_equals(original_node):
            return updated_node
        return _joined(updated_node, indent=4 * len(self.scopes))

    # -- locals and fields ----------------------------------------------------------------

    def leave_AnnAssign(
        self, original_node: cst.AnnAssign, updated_node: cst.AnnAssign
    ) -> cst.BaseSmallStatement:
        annotation = updated_node.annotation
        if self.in_class() or not self.holds_shape(annotation.annotation):
            return updated_node.with_changes(annotation=self.plain(annotation, self.in_class()))
        if updated_node.value is None:
            return updated_node  # a bare declaration: its block drops it, comments kept
        equal = updated_node.equal
        before, after = cst.SimpleWhitespace(" "), cst.SimpleWhitespace(" ")
        if isinstance(equal, cst.AssignEqual):
            if isinstance(equal.whitespace_before, cst.SimpleWhitespace):
                before = equal.whitespace_before
            if isinstance(equal.whitespace_after, cst.SimpleWhitespace):
                after = equal.whitespace_after
        return cst.Assign(
            targets=[cst.AssignTarget(updated_node.target, before, after)],
            value=updated_node.value,
            semicolon=updated_node.semicolon,
        )

    def is_declaration(self, small: cst.BaseSmallStatement) -> bool:
        """`x: Float[...]` outside a class body: to drop."""
        return (
            isinstance(small, cst.AnnAssign)
            and small.value is None
            and not self.in_class()
            and self.holds_shape(small.annotation.annotation)
        )

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.BaseSuite:
        body, left = self.without_declarations(updated_node.body)
        return updated_node.with_changes(
            body=body or [cst.SimpleStatementLine([cst.Pass()])],
            footer=[*left, *updated_node.footer],
        )

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body, left = self.without_declarations(updated_node.body)
        return updated_node.with_changes(body=body, footer=[*left, *updated_node.footer])

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.BaseSuite:
        body = _last_without_semicolon(
            [small for small in updated_node.body if not self.is_declaration(small)]
        )
        return updated_node.with_changes(body=body or [cst.Pass()])

    def without_declarations(
        self, statements: Sequence[cst.BaseStatement]
    ) -> tuple[list[cst.BaseStatement], list[cst.EmptyLine]]:
        """The statements less the bare shape declarations; the lines above a
        dropped one (and its trailing comment) move above the next statement.
        Also the lines left over at the end."""
        kept: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        for statement in statements:
            assert isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
            if isinstance(statement, cst.SimpleStatementLine):
                smalls = [small for small in statement.body if not self.is_declaration(small)]
                if not smalls:
                    carried += statement.leading_lines
                    comment = statement.trailing_whitespace.comment
                    if comment is not None:
                        carried.append(cst.EmptyLine(comment=comment))
                    continue
                statement = statement.with_changes(body=_last_without_semicolon(smalls))
            if carried:
                statement = statement.with_changes(
                    leading_lines=[*carried, *statement.leading_lines]
                )
                carried = []
            kept.append(statement)
        return kept, carried


def _joined(function: cst.FunctionDef, indent: int) -> cst.FunctionDef:
    """A `def` whose parameters were split over lines, on one line where it fits
    (as a formatter would put it once its annotations are gone); as it is where
    it has comments or a trailing comma, which keep it split."""
    if not isinstance(function.whitespace_before_params, cst.ParenthesizedWhitespace):
        return function
    params = function.params
    comments = _Find(lambda node: isinstance(node, cst.Comment))
    params.visit(comments)
    last = _last_param(params)
    if comments.found or (isinstance(last, cst.Param) and isinstance(last.comma, cst.Comma)):
        return function
    joined = function.with_changes(
        whitespace_before_params=cst.SimpleWhitespace(""), params=params.visit(_OneLine())
    )
    header = cst.Module(body=()).code_for_node(
        joined.with_changes(
            body=cst.SimpleStatementSuite([cst.Pass()]), decorators=(), leading_lines=()
        )
    )
    header = header.removesuffix(" pass\n")
    return joined if "\n" not in header and indent + len(header) <= 100 else function


def _last_param(params: cst.Parameters) -> cst.CSTNode | None:
    """The parameter written last in a `def`."""
    order: list[cst.CSTNode | None] = [
        *params.posonly_params,
        *params.params,
        params.star_arg if isinstance(params.star_arg, cst.CSTNode) else None,
        *params.kwonly_params,
        params.star_kwarg,
    ]
    written = [param for param in order if param is not None]
    return written[-1] if written else None


class _OneLine(cst.CSTTransformer):
    """Parameters with the line breaks between them made spaces."""

    def leave_Comma(self, original_node: cst.Comma, updated_node: cst.Comma) -> cst.Comma:
        if isinstance(updated_node.whitespace_after, cst.ParenthesizedWhitespace):
            return updated_node.with_changes(whitespace_after=cst.SimpleWhitespace(" "))
        return updated_node

    def leave_Param(self, original_node: cst.Param, updated_node: cst.Param) -> cst.Param:
        if isinstance(updated_node.whitespace_after_param, cst.ParenthesizedWhitespace):
            return updated_node.with_changes(whitespace_after_param=cst.SimpleWhitespace(""))
        return updated_node


def _last_without_semicolon(
    smalls: list[cst.BaseSmallStatement],
) -> list[cst.BaseSmallStatement]:
    """`a = 1; b = 2` as it was, once a declaration after `b` is dropped."""
    if smalls and isinstance(smalls[-1].semicolon, cst.Semicolon):
        smalls[-1] = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return smalls


class _Find(cst.CSTVisitor):
    """Whether any node of a tree passes a test."""

    def __init__(self, test: Callable[[cst.CSTNode], bool]) -> None:
        super().__init__()
        self.test = test
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.found = self.found or self.test(node)
        return not self.found


class _Plain(cst.CSTTransformer):
    """Aliases to plain types replaced; in a class, array types by their arrays."""

    def __init__(self, stripper: _Stripper, in_class: bool) -> None:
        super().__init__()
        self.stripper = stripper
        self.in_class = in_class

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        plain = self.stripper.aliases.get(updated_node.value)
        return cst.parse_expression(plain) if plain is not None else updated_node

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        return updated_node.with_changes(attr=original_node.attr)  # `m.Hidden` is no alias

    def leave_Subscript(
        self, original_node: cst.Subscript, updated_node: cst.Subscript
    ) -> cst.BaseExpression:
        if not (self.in_class and self.stripper.is_array_type(original_node)):
            return updated_node
        array = updated_node.slice[0].slice
        assert isinstance(array, cst.Index)
        return array.value
