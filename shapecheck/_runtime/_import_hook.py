"""`install("pkg", ...)`: check every function and class of some packages.

One hook, shapecheck's own, that checks what the engine's import hook checks,
at the same moment: each module of an installed package is compiled from its
source with a checking decorator added to every `def` (innermost, under the
other decorators) and every `class` (outermost, so that a dataclass's
`__init__` exists), nested ones included; definitions under
`typing.no_type_check` are left alone. Each function is checked when its
`def` runs, so an annotation naming something not defined yet at that point,
such as the class being defined, reads as `Any`, as in the engine.

Modules imported before `install` are checked at once, in place: every
annotated function they define, and every annotated method of their classes.
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
from ._decorator import check_every_method, check_for_hook, mentions_tensor

__all__ = ["install", "installed_packages", "uninstall"]

_lock = threading.Lock()
_packages: set[str] = set()
_done: set[str] = set()


def _wanted(name: str) -> bool:
    return any(name == package or name.startswith(package + ".") for package in _packages)


_worth: dict[Any, bool] = {}  # code object -> whether its function is worth checking


def _worth_checking(fn: Any) -> bool:
    """Whether a function has annotations, or annotated tensor locals: asked
    once per code object, since a nested `def` runs again on every call."""
    code = fn.__code__
    worth = _worth.get(code)
    if worth is None:
        worth = _worth[code] = bool(fn.__annotations__) or mentions_tensor(fn)
    return worth


def _hook_check(obj: Any) -> Any:
    """The decorator the hook adds to every def and class."""
    if inspect.isfunction(obj):
        return check_for_hook(obj) if _worth_checking(obj) else obj
    if inspect.isclass(obj):
        return check_every_method(obj)
    return obj  # another decorator's product: not a function any more


def check_module(module: ModuleType) -> None:
    """Check, in place, every function and class that an imported `module` defines."""
    name = module.__name__
    with _lock:
        if name in _done:
            return
        _done.add(name)
    for attribute, obj in list(vars(module).items()):
        if getattr(obj, "__module__", None) != name or hasattr(obj, "__shapecheck__"):
            continue
        if inspect.isfunction(obj):
            setattr(module, attribute, _hook_check(obj))
        elif inspect.isclass(obj):
            check_every_method(obj)


_DECORATOR = "__shapecheck_hook__"


def _no_type_check(node: ast.expr) -> bool:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id in ("no_type_check", "overload")
    return isinstance(node, ast.Attribute) and node.attr in ("no_type_check", "overload")


class _AddChecks(ast.NodeTransformer):
    """Add the hook's decorator to every def and class, as the engine's hook does."""

    def _visit(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> ast.AST:
        if any(_no_type_check(decorator) for decorator in node.decorator_list):
            return node  # neither it nor anything inside it is checked
        decorator = ast.copy_location(ast.Name(_DECORATOR, ast.Load()), node)
        if isinstance(node, ast.ClassDef):
            node.decorator_list.insert(0, decorator)
        else:
            node.decorator_list.append(decorator)
        self.generic_visit(node)
        return node

    visit_FunctionDef = _visit
    visit_AsyncFunctionDef = _visit
    visit_ClassDef = _visit


class _Loader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader) -> None:
        self.inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        code = self._checked_code(module)
        if code is None:  # no source to rewrite: check what it defines, afterwards
            self.inner.exec_module(module)
            check_module(module)
            return
        with _lock:
            _done.add(module.__name__)
        module.__dict__[_DECORATOR] = _hook_check
        exec(code, module.__dict__)  # noqa: S102  (the module's own source)

    def _checked_code(self, module: ModuleType) -> Any:
        """The module's code with the hook's decorators, or None without source."""
        get_source = getattr(self.inner, "get_source", None)
        filename = getattr(module.__spec__, "origin", None)
        if get_source is None or filename is None:
            return None
        try:
            source = get_source(module.__name__)
        except (ImportError, OSError):
            return None
        if source is None:
            return None
        tree = _AddChecks().visit(ast.parse(source, filename))
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
