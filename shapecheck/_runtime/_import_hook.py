"""`install("pkg", ...)`: check every function and class of some packages.

One hook, shapecheck's own: when a module of an installed package has been
executed, every function and class it defines that mentions a tensor (in its
signature or its annotated locals) is replaced by its checked version, as if
decorated with `check`. Modules imported before `install` are processed at
once. Functions and classes only re-exported by a module are left to the
module that defines them.

Functions and classes defined inside a function exist only while it runs:
for those, the module's source is rewritten on import so that each such
definition gets `check` as its innermost decorator.
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import inspect
import sys
import threading
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from .._config import enabled_at_decoration
from ._decorator import check, mentions_tensor

__all__ = ["install", "installed_packages", "uninstall"]

_lock = threading.Lock()
_packages: set[str] = set()
_done: set[str] = set()


def _wanted(name: str) -> bool:
    return any(name == package or name.startswith(package + ".") for package in _packages)


def _class_mentions_tensor(cls: type) -> bool:
    for member in vars(cls).values():
        function = getattr(member, "__func__", member)
        if inspect.isfunction(function) and mentions_tensor(function, {cls.__name__: cls}):
            return True
    return False


def check_module(module: ModuleType) -> None:
    """Check, in place, every function and class that `module` defines."""
    name = module.__name__
    with _lock:
        if name in _done:
            return
        _done.add(name)
    for attribute, obj in list(vars(module).items()):
        if getattr(obj, "__module__", None) != name or hasattr(obj, "__shapecheck__"):
            continue
        if inspect.isfunction(obj) and mentions_tensor(obj):
            setattr(module, attribute, check(obj))
        elif inspect.isclass(obj) and _class_mentions_tensor(obj):
            check(obj)


_NESTED = "__shapecheck_nested__"


_nested_mentions: dict[Any, bool] = {}  # code object -> mentions a tensor


def _check_nested(obj: Any) -> Any:
    """The decorator given to definitions inside functions: run each time
    the enclosing function runs, so the costly question is asked once."""
    if inspect.isfunction(obj):
        mentions = _nested_mentions.get(obj.__code__)
        if mentions is None:
            mentions = _nested_mentions[obj.__code__] = mentions_tensor(obj)
        return check(obj) if mentions else obj
    if inspect.isclass(obj) and _class_mentions_tensor(obj):
        return check(obj)
    return obj


class _DecorateNested(ast.NodeTransformer):
    """Add `__shapecheck_nested__` under the decorators of every def and
    class nested in a function."""

    def __init__(self) -> None:
        self.depth = 0  # how many function bodies we are in
        self.changed = False

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        if self.depth > 0:
            self._decorate(node)
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1
        return node

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        if self.depth > 0:
            self._decorate(node)
        saved, self.depth = self.depth, 0  # its methods are checked with the class
        self.generic_visit(node)
        self.depth = saved
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        return node

    def _decorate(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        decorator = ast.Name(_NESTED, ast.Load())
        ast.copy_location(decorator, node)
        node.decorator_list.append(decorator)
        self.changed = True


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader) -> None:
        self.inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        code = self._with_nested_checks(module)
        if code is None:
            self.inner.exec_module(module)
        else:
            module.__dict__[_NESTED] = _check_nested
            exec(code, module.__dict__)  # noqa: S102  (the module's own source)
        check_module(module)

    def _with_nested_checks(self, module: ModuleType) -> Any:
        """The module's code with checks on nested definitions, or None when
        it has none (or no source): then the usual loader runs."""
        get_source = getattr(self.inner, "get_source", None)
        filename = getattr(module.__spec__, "origin", None)
        if get_source is None or filename is None:
            return None
        try:
            source = get_source(module.__name__)
        except (ImportError, OSError):
            return None
        if not source or "def " not in source:
            return None
        tree = ast.parse(source, filename)
        rewriter = _DecorateNested()
        tree = rewriter.visit(tree)
        if not rewriter.changed:
            return None
        return compile(tree, filename, "exec", dont_inherit=True)

    def __getattr__(self, name: str) -> Any:
        # get_source, get_filename, is_package...: what the inner loader offers.
        return getattr(self.inner, name)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not _wanted(fullname):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader)
                return spec
        return None


_finder = _Finder()


def install(*packages: str) -> None:
    """Check every function and class of `packages` (and their subpackages).

    Modules already imported are checked at once; the others when they are
    imported. With `SHAPECHECK=0` in the environment, nothing is installed.

    Example
    ```python
    import shapecheck
    shapecheck.install("models")
    assert "models" in shapecheck.installed_packages()
    shapecheck.uninstall("models")
    ```
    """
    for package in packages:
        if not isinstance(package, str) or not all(
            part.isidentifier() for part in package.split(".")
        ):
            raise ValueError(f"install() takes package names, got {package!r}")
    if not enabled_at_decoration():
        return
    with _lock:
        _packages.update(packages)
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)
    for name, module in list(sys.modules.items()):
        if module is not None and _wanted(name):
            check_module(module)


def uninstall(*packages: str) -> None:
    """Stop checking modules of `packages` imported from now on (all when none given)."""
    with _lock:
        if packages:
            _packages.difference_update(packages)
        else:
            _packages.clear()
        if not _packages and _finder in sys.meta_path:
            sys.meta_path.remove(_finder)


def installed_packages() -> frozenset[str]:
    return frozenset(_packages)
