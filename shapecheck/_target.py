"""TARGET -> the checked functions it holds, for every CLI command.

A target is a module or package (`models`), a file path (`models/lstm.py`),
or `module:object` (`models.lstm:lstm`, `models.rnn_model:RNNModelH`).
"""

from __future__ import annotations

import fnmatch
import importlib
import importlib.util
import inspect
import os
import pkgutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, NamedTuple

from ._runtime import checked_signature
from ._source import first_line
from ._spec import Signature

__all__ = [
    "Checked",
    "ImportFailure",
    "Member",
    "Target",
    "TargetError",
    "Walk",
    "annotated_members",
    "collect",
    "load_modules",
    "parse_target",
]


class TargetError(Exception):
    """A target that does not exist or does not import; its text is one line."""


Kind = Literal["function", "method", "classmethod"]


@dataclass(frozen=True)
class Member:
    """A function or method as found in its module or class: the members view
    of a target, which every tool but lint walks."""

    found: Any  # what the module or class holds: maybe a checked wrapper
    owner: type | None = None
    localns: dict[str, Any] | None = None
    signature: Signature | None = None  # parsed already by the tool, if it was
    module: str = ""

    @property
    def function(self) -> Any:
        """The function itself, under any wrappers."""
        return inspect.unwrap(self.found)

    @property
    def qualname(self) -> str:
        return str(self.function.__qualname__)

    @property
    def name(self) -> str:
        """`module.qualname`, as the tools report it."""
        return f"{self.module}.{self.qualname}"

    def kind(self, signature: Signature) -> Kind:
        """A method takes `self` (and needs an instance) or `cls` (its class)."""
        params = signature.params
        if self.owner is None or not params or params[0].name not in ("self", "cls"):
            return "function"
        return "method" if params[0].name == "self" else "classmethod"


@dataclass(frozen=True)
class Target:
    """A TARGET argument, read once: a module (`models`), a path
    (`models/lstm.py`, a package folder), either with `:object`."""

    text: str
    spec: str  # the module name or the path, without `:object`
    is_path: bool
    attribute: str | None = None

    @property
    def path(self) -> Path:
        return Path(self.spec)


def parse_target(text: str, base: Path | None = None) -> Target:
    """Read a TARGET; `base` is the folder relative paths are looked up in.

    Only the form is checked here: whether a path exists or a module imports
    is for the view that needs it (lint reads files, the rest imports)."""
    folder = base or Path()
    spec, attribute = text, None
    if ":" in text and not (folder / text).exists():
        spec, attribute = text.split(":", 1)
        if not spec or not attribute:
            raise TargetError(f"target {text!r} must be MODULE:OBJECT")
    is_path = spec.endswith(".py") or "/" in spec or os.sep in spec or (folder / spec).exists()
    if not is_path and not all(part.isidentifier() for part in spec.split(".")):
        raise TargetError(f"target {text!r} is neither a module name nor a path")
    return Target(text, spec, is_path, attribute)


class ImportFailure(NamedTuple):
    """A module left out of a walk because it failed to import, and why (one line)."""

    module: str
    cause: str


@dataclass
class Walk:
    """How a package is walked: the modules left out (globs of dotted names; a
    package's glob leaves out what is below it too), and whether a module that
    fails to import stops the walk (`strict_imports`) or is left out and noted
    in `failed`. A walk with no options given is strict."""

    exclude: tuple[str, ...] = ()
    strict_imports: bool = True
    failed: list[ImportFailure] = field(default_factory=list)

    def excludes(self, name: str) -> bool:
        parts = name.split(".")
        names = [".".join(parts[:n]) for n in range(1, len(parts) + 1)]
        return any(fnmatch.fnmatchcase(n, glob) for n in names for glob in self.exclude)


@dataclass(frozen=True)
class Checked:
    """One checked function or method, found in a target."""

    module: str
    qualname: str
    function: Callable[..., Any]
    signature: Signature
    owner: type | None = None

    @property
    def name(self) -> str:
        return f"{self.module}.{self.qualname}"


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _import(name: str, target: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and (name == error.name or name.startswith(error.name + ".")):
            raise TargetError(f"cannot import {target!r}: no module named {error.name!r}") from None
        # `from error`: with --debug, the traceback shows where the import failed.
        raise TargetError(f"cannot import {target!r}: {_one_line(error)}") from error
    except SystemExit as error:
        raise TargetError(f"cannot import {target!r}: it called exit({error.code})") from error
    except BaseException as error:  # noqa: BLE001  (any import failure is the target's)
        if isinstance(error, KeyboardInterrupt):
            raise
        raise TargetError(f"cannot import {target!r}: {_one_line(error)}") from error


def _module_name_for_path(path: Path) -> tuple[str, Path]:
    """The dotted name of a .py file or package dir, and the folder to put on sys.path."""
    path = path.resolve()
    parts = [path.stem if path.is_file() else path.name]
    if path.is_file() and path.name == "__init__.py":
        parts = []
    folder = path.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts), folder


def load_modules(target: str, walk: Walk | None = None) -> tuple[list[ModuleType], str | None]:
    """The modules a target names (a package brings its submodules), and an object name.

    The target itself must import. Below it, `walk` says which submodules are
    left out and what becomes of one that fails to import (see `Walk`)."""
    walk = walk if walk is not None else Walk()
    parsed = parse_target(target)
    spec, attribute, path = parsed.spec, parsed.attribute, parsed.path
    if parsed.is_path:
        if not path.exists():
            raise TargetError(f"target {spec!r} does not exist")
        if path.is_dir() and not (path / "__init__.py").exists():
            raise TargetError(f"target {spec!r} is a folder, not a Python package")
        name, root = _module_name_for_path(path)
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
    else:
        name = spec
        if "" not in sys.path and str(Path.cwd()) not in sys.path:
            sys.path.insert(0, str(Path.cwd()))
    root_module = _import(name, target)
    modules = [root_module]
    if attribute is not None:
        _lookup(root_module, attribute)  # a missing object is a usage error, up front
    elif hasattr(root_module, "__path__"):
        found = _submodules(list(root_module.__path__), name + ".", set(), walk)
        modules += [module for _, module in sorted(found, key=lambda item: item[0])]
    return modules, attribute


def _submodules(
    path: list[str], prefix: str, seen: set[str], walk: Walk
) -> Iterator[tuple[str, ModuleType]]:
    """Every module under a package that the walk keeps, imported, as
    `pkgutil.walk_packages` finds them; but a module that fails to import (with
    any exception, or exit) is one line: a `TargetError` in a strict walk, a
    note in `walk.failed` otherwise, where `walk_packages` would raise the error
    as it is. Below a package that fails, nothing is walked."""
    for info in pkgutil.iter_modules(path, prefix):
        if info.name.split(".")[-1] == "__main__" or walk.excludes(info.name):
            continue
        try:
            module = _import(info.name, info.name)
        except TargetError as error:
            if walk.strict_imports:
                raise
            cause = str(error).removeprefix(f"cannot import {info.name!r}: ")
            walk.failed.append(ImportFailure(info.name, cause))
            continue
        yield info.name, module
        if info.ispkg:
            paths = [p for p in getattr(module, "__path__", None) or [] if p not in seen]
            seen.update(paths)
            yield from _submodules(paths, info.name + ".", seen, walk)


def collect(target: str, walk: Walk | None = None) -> list[Checked]:
    """Every checked function and method in the target, in a stable order."""
    modules, attribute = load_modules(target, walk)
    found: list[Checked] = []
    for module in modules:
        for member in annotated_members(module, attribute, private=True):
            function, owner = member.found, member.owner
            signature = checked_signature(function)
            if signature is not None:
                found.append(
                    Checked(module.__name__, function.__qualname__, function, signature, owner)
                )
    unique = {checked.name: checked for checked in found}
    return [unique[name] for name in sorted(unique, key=_source_order(unique))]


def _source_order(found: dict[str, Checked]) -> Callable[[str], tuple[str, int, str]]:
    def key(name: str) -> tuple[str, int, str]:
        fn = inspect.unwrap(found[name].function)
        line = getattr(getattr(fn, "__code__", None), "co_firstlineno", 0)
        return (found[name].module, line, name)

    return key


def annotated_members(
    module: ModuleType, attribute: str | None, private: bool = False
) -> Iterator[Member]:
    """Public functions and methods of a module (with `private`, all of them),
    each with its owner class and the names its annotations may refer to, in
    source order. Interfaces (Protocols) and generated members are left out.
    The one way the tools find the members of a module."""
    visible = (lambda name: True) if private else _public
    if attribute is not None:
        objects: list[Any] = [_lookup(module, attribute)]
    else:
        objects = [
            obj
            for name, obj in vars(module).items()
            if getattr(obj, "__module__", None) == module.__name__
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and visible(name)
        ]
    objects.sort(key=lambda obj: first_line(inspect.unwrap(obj) if callable(obj) else obj))
    for obj in objects:
        if inspect.isclass(obj):
            localns = {obj.__name__: obj}
            if getattr(obj, "_is_protocol", False):
                continue  # an interface: nothing runs there
            members = [getattr(m, "__func__", m) for m in vars(obj).values()]
            members = [
                m
                for m in members
                if inspect.isfunction(m) and _has_source(m) and visible(m.__name__)
            ]
            members.sort(key=lambda m: first_line(inspect.unwrap(m)))
            for member in members:
                yield Member(member, obj, localns, module=module.__name__)
        elif inspect.isfunction(obj):
            yield Member(obj, module=module.__name__)


def _public(name: str) -> bool:
    """Private helpers are documented through the public functions that call them."""
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _has_source(fn: Any) -> bool:
    """False for members generated at run time, such as a NamedTuple's `__new__`."""
    return not inspect.unwrap(fn).__code__.co_filename.startswith("<")


def _lookup(module: ModuleType, attribute: str) -> Any:
    obj: Any = module
    for part in attribute.split("."):
        if not hasattr(obj, part):
            raise TargetError(f"{module.__name__} has no object {attribute!r}")
        obj = getattr(obj, part)
    return obj
