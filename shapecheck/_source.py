"""Where a function or class is written: its file, its lines and its syntax tree.

Every tool that needs a definition's source asks here. A module's source is
parsed once, whatever number of its functions are asked about (and kept, the
trees being read only), and a function's first line comes from its code
object. Reading one definition's block with `inspect` instead tokenizes it
anew on every call, in Python.
"""

from __future__ import annotations

import ast
import functools
import inspect
import linecache
import textwrap
from typing import Any

__all__ = ["first_line", "function_node", "source_file"]

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def source_file(obj: Any) -> str | None:
    """The file that defines `obj`, or None when it has none (a built-in)."""
    try:
        return inspect.getsourcefile(obj)
    except TypeError:
        return None


def first_line(obj: Any) -> int:
    """The first line of a function's or class's definition, its first
    decorator included; 0 when its source cannot be found."""
    code = getattr(obj, "__code__", None)
    if code is not None:
        return int(code.co_firstlineno)
    if inspect.isclass(obj):
        tree = _tree_of(obj)
        if tree is not None:
            node = _classes(tree).get(obj.__qualname__)
            if node is not None:
                return _start(node)
    try:
        return inspect.getsourcelines(obj)[1]
    except (OSError, TypeError):
        return 0


def function_node(fn: Any) -> tuple[FunctionNode, int]:
    """The `def` of `fn`, parsed anew from its lines (the caller may change it),
    and the offset from its line numbers to the file's. Raises OSError when the
    source cannot be found or does not match the function."""
    code = fn.__code__
    lines = _lines_of(fn)
    tree = _parsed("".join(lines)) if lines else None
    if tree is None:
        raise OSError(f"no source for {code.co_name}")
    for found in _functions(tree).get(code.co_name, ()):
        start = _start(found)
        if start == code.co_firstlineno and found.end_lineno is not None:
            text = textwrap.dedent("".join(lines[start - 1 : found.end_lineno]))
            node = ast.parse(text).body[0]
            assert isinstance(node, FunctionNode)
            return node, start - 1
    raise OSError("source does not match the function")


def _start(node: FunctionNode | ast.ClassDef) -> int:
    return node.decorator_list[0].lineno if node.decorator_list else node.lineno


def _lines_of(obj: Any) -> list[str]:
    """The lines of the file that defines `obj`, as `inspect` reads them."""
    code = getattr(obj, "__code__", None)
    file = code.co_filename if code is not None else source_file(obj)
    if file is None:
        return []
    module = inspect.getmodule(obj)
    linecache.checkcache(file)
    return linecache.getlines(file, module.__dict__ if module is not None else None)


def _tree_of(obj: Any) -> ast.Module | None:
    lines = _lines_of(obj)
    return _parsed("".join(lines)) if lines else None


@functools.lru_cache(maxsize=64)
def _parsed(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


@functools.lru_cache(maxsize=64)
def _functions(tree: ast.Module) -> dict[str, list[FunctionNode]]:
    found: dict[str, list[FunctionNode]] = {}
    for node in ast.walk(tree):
        if isinstance(node, FunctionNode):
            found.setdefault(node.name, []).append(node)
    return found


@functools.lru_cache(maxsize=64)
def _classes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    """Each class by qualified name (`Outer.Inner`, `f.<locals>.Local`)."""
    found: dict[str, ast.ClassDef] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                found.setdefault(prefix + child.name, child)
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, FunctionNode):
                visit(child, f"{prefix}{child.name}.<locals>.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found
