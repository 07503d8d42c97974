"""The dim types and the one dimension-string parser, `parse_shape`.

A dimension string follows the grammar of jaxtyping shape strings:

- `batch`: a named dim, bound on first sight, then checked for equality;
- `3` or `rows=3`: a fixed size;
- `steps*batch`: a symbolic dim, a Python expression over names bound earlier;
- `_` or `_name`: any size, never bound;
- `*batch`, `...`: a variadic group of any number of axes (at most one);
- `#batch`: may also be 1, to allow broadcasting.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import types
from dataclasses import dataclass

from .._errors import AnnotationError

__all__ = [
    "Anonymous",
    "Dim",
    "Fixed",
    "Named",
    "Shape",
    "Symbolic",
    "Variadic",
    "parse_shape",
]


@dataclass(frozen=True)
class Named:
    name: str
    broadcast: bool = False
    treepath: bool = False

    def __str__(self) -> str:
        return ("#" if self.broadcast else "") + ("?" if self.treepath else "") + self.name


@dataclass(frozen=True)
class Fixed:
    size: int
    broadcast: bool = False
    label: str | None = None

    def __str__(self) -> str:
        label = f"{self.label}=" if self.label else ""
        return ("#" if self.broadcast else "") + label + str(self.size)


@dataclass(frozen=True)
class Symbolic:
    expr: str
    names: tuple[str, ...]
    broadcast: bool = False
    code: types.CodeType | None = dataclasses.field(default=None, compare=False)
    # The parsed expression, for those that rewrite it (the generated checks);
    # None for f-string dims, whose text is known only at the call.
    tree: ast.Expression | None = dataclasses.field(default=None, compare=False)

    def __str__(self) -> str:
        return ("#" if self.broadcast else "") + self.expr


@dataclass(frozen=True)
class Anonymous:
    label: str = "_"

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Variadic:
    name: str | None  # None: anonymous, written `...` or `*_`
    broadcast: bool = False
    treepath: bool = False

    def __str__(self) -> str:
        if self.name is None:
            return "..."
        prefix = ("#" if self.broadcast else "") + ("?" if self.treepath else "")
        return f"{prefix}*{self.name}"


Dim = Named | Fixed | Symbolic | Anonymous | Variadic


@dataclass(frozen=True)
class Shape:
    text: str
    dims: tuple[Dim, ...]
    variadic: int | None  # index of the variadic dim, if any

    def __str__(self) -> str:
        return self.text

    @property
    def names(self) -> tuple[str, ...]:
        """Every dim name this shape mentions, in order, without repeats."""
        seen: dict[str, None] = {}
        for dim in self.dims:
            if isinstance(dim, Named | Variadic) and dim.name is not None:
                seen[dim.name] = None
            elif isinstance(dim, Symbolic):
                seen.update(dict.fromkeys(dim.names))
        return tuple(seen)


def _fail(text: str, problem: str, fix: str | None = None) -> AnnotationError:
    message = f'invalid dimension string "{text}": {problem}'
    if fix is not None and fix != text:
        message += f'; did you mean "{fix}"?'
    return AnnotationError(message)


_MODIFIERS = {"#": "broadcast", "*": "variadic", "_": "anonymous", "?": "treepath"}


def parse_shape(text: object) -> Shape:
    """Parse a dimension string such as `"steps*batch vocab"` into a `Shape`.

    Raises `AnnotationError` with the corrected form, where one can be
    guessed, for anything that is not a valid dimension string.
    """
    if not isinstance(text, str):
        raise AnnotationError(
            f"a dimension string must be a str, got {type(text).__name__} {_short_repr(text)}"
        )
    elements = text.split()
    dims: list[Dim] = []
    variadic: int | None = None
    for index, element in enumerate(elements):
        dim = _parse_element(text, elements, index, element)
        if isinstance(dim, Variadic):
            if variadic is not None:
                raise _fail(
                    text,
                    "more than one variadic group (`*name` or `...`); a shape can have at most one",
                )
            variadic = index
        dims.append(dim)
    return Shape(text=text, dims=tuple(dims), variadic=variadic)


def _short_repr(value: object, limit: int = 80) -> str:
    """`repr(value)` cut to `limit` characters, for a message; never raises (a huge
    int's repr does, and so may a user's `__repr__`)."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001  (any failure: fall back to the type)
        return f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _replaced(elements: list[str], index: int, new: str) -> str:
    return " ".join(elements[:index] + [new] + elements[index + 1 :])


def _parse_element(text: str, elements: list[str], index: int, element: str) -> Dim:
    # The grammar and its order of reading follow jaxtyping's own parser, so
    # that every string jaxtyping accepts parses here to the same dim; only
    # what it rejects gets an error, with the corrected form where one can be
    # guessed.
    if "," in element and "(" not in element:
        fix = " ".join(part for part in text.replace(",", " ").split())
        raise _fail(text, "dims are separated by spaces, not commas", fix)
    if element == "#":
        raise _fail(text, "`#`: a modifier needs a name after it")
    if element.endswith("#"):
        fix = _replaced(elements, index, "#" + element.rstrip("#"))
        raise _fail(text, f"`{element}`: the broadcast mark # goes before the name", fix)
    if "..." in element:
        if element != "...":
            raise _fail(
                text,
                f"`{element}`: the anonymous variadic `...` must stand on its own",
                _replaced(elements, index, "..."),
            )
        return Variadic(None)
    flags, label, body = _read_modifiers(text, elements, index, element)
    if body == "" or body.isidentifier():
        return _named_dim(text, elements, index, element, body, flags)
    try:
        size = int(body)
    except ValueError:
        size = None
    if size is not None:
        return _fixed_dim(text, elements, index, element, size, flags, label)
    return _symbolic_dim(text, elements, index, element, body, flags)


def _read_modifiers(
    text: str, elements: list[str], index: int, element: str
) -> tuple[set[str], str | None, str]:
    """The modifier flags of an element, its `label=` if any, and what follows them."""
    flags: set[str] = set()
    label: str | None = None
    body = element
    while body:
        if body[0] in _MODIFIERS:
            flag = _MODIFIERS[body[0]]
            if flag in flags:
                fix = _replaced(elements, index, element.replace(body[0] * 2, body[0], 1))
                raise _fail(text, f"`{element}`: do not repeat `{body[0]}`", fix)
            flags.add(flag)
            body = body[1:]
        elif body.count("=") == 1:
            # `rows=3`: a label for the reader; jaxtyping keeps only what
            # follows the `=`.
            label, body = body.split("=")
        else:
            break
    return flags, label, body


def _named_dim(
    text: str, elements: list[str], index: int, element: str, body: str, flags: set[str]
) -> Dim:
    """The dim of an element whose body is a name or empty: named, anonymous or variadic."""
    broadcast = "broadcast" in flags
    variadic = "variadic" in flags
    if "anonymous" in flags:
        if broadcast:
            raise _fail(
                text,
                f"`{element}`: a dim cannot be both anonymous and broadcastable",
                _replaced(elements, index, element.replace("#", "")),
            )
        return Variadic(None) if variadic else Anonymous(element)
    # An empty name (`*` or `?` alone) is a dim named "", as in jaxtyping.
    if variadic:
        return Variadic(body, broadcast, "treepath" in flags)
    return Named(body, broadcast, "treepath" in flags)


def _fixed_dim(
    text: str,
    elements: list[str],
    index: int,
    element: str,
    size: int,
    flags: set[str],
    label: str | None,
) -> Fixed:
    """The dim of an element whose body is an int, once its modifiers are known to fit."""
    if "variadic" in flags:
        raise _fail(
            text,
            f"`{element}`: a fixed size cannot be variadic",
            _replaced(elements, index, element.replace("*", "")),
        )
    if "anonymous" in flags:
        raise _fail(
            text,
            f"`{element}`: a fixed size cannot be anonymous",
            _replaced(elements, index, element.replace("_", "", 1)),
        )
    if "treepath" in flags:
        raise _fail(
            text,
            f"`{element}`: a fixed size cannot depend on a tree path",
            _replaced(elements, index, element.replace("?", "")),
        )
    return Fixed(size, "broadcast" in flags, label or None)


def _symbolic_dim(
    text: str, elements: list[str], index: int, element: str, body: str, flags: set[str]
) -> Symbolic:
    """The dim of an element whose body is an expression, once its modifiers are known to fit."""
    if "variadic" in flags:
        raise _fail(text, f"`{element}`: a symbolic expression cannot be variadic")
    if "anonymous" in flags:
        raise _fail(
            text,
            f"`{element}`: a symbolic expression cannot be anonymous",
            _replaced(elements, index, element.replace("_", "", 1)),
        )
    if "treepath" in flags:
        raise _fail(text, f"`{element}`: a symbolic expression cannot depend on a tree path")
    if len(body) > 4300 and body.isdigit():
        raise _fail(text, f"`{element[:20]}...`: the size is too large")
    return _parse_symbolic(text, body, "broadcast" in flags)


_BRACES = re.compile(r"\{[^{}]*\}")


def _parse_symbolic(text: str, expr: str, broadcast: bool) -> Symbolic:
    # `{...}` parts are f-string fields over the call's arguments, as in
    # jaxtyping; the rest is a Python expression over bound dim names.
    plain = _BRACES.sub("0", expr)
    if "{" in plain or "}" in plain:
        raise _fail(text, f"`{expr}`: unbalanced braces")
    try:
        tree = ast.parse(plain, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise _fail(
            text, f"`{expr}` is neither a dim name, a size, nor a valid expression"
        ) from None
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    names = tuple(
        dict.fromkeys(
            node.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and id(node) not in called
        )
    )
    code = None
    if expr == plain:
        try:
            code = compile(tree, "<dim>", "eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            raise _fail(text, f"`{expr}` is not a valid expression") from None
    return Symbolic(expr, names, broadcast, code, tree if expr == plain else None)
