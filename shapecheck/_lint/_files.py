"""Target -> files: the `.py` files of a target and their module names; no import.

A target is a module or package name (`models`, found on `sys.path`, the
current directory first), a `.py` file, or a package folder; a package means
every `.py` file under it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .._target import TargetError, parse_target


def display(path: Path) -> str:
    """How a finding names its file: relative to the current directory when possible."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _dotted(path: Path) -> tuple[list[str], Path]:
    """The dotted name parts of a .py file or package folder, and the folder above them."""
    path = path.resolve()
    if path.is_dir():
        parts = [path.name]
    elif path.name == "__init__.py":
        parts = []
    else:
        parts = [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    return parts, folder


def _python_files(folder: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        found.extend(Path(dirpath) / name for name in sorted(filenames) if name.endswith(".py"))
    return found


def _module_name(parts: list[str], relative: Path) -> tuple[str, bool]:
    names = [*parts, *relative.parent.parts]
    is_package = relative.name == "__init__.py"
    if not is_package:
        names.append(relative.stem)
    return ".".join(names), is_package


def _find_module(name: str) -> tuple[Path, Path]:
    """The file or package folder of a module name, and its sys.path entry; no import."""
    parts = name.split(".")
    entries: list[Path] = [Path.cwd()]
    entries.extend(Path(item) if item else Path.cwd() for item in sys.path)
    namespace: tuple[Path, Path] | None = None
    seen: set[Path] = set()
    for entry in entries:
        if entry in seen or not entry.is_dir():
            continue
        seen.add(entry)
        base = entry.joinpath(*parts)
        if (base / "__init__.py").is_file():
            return base, entry
        module = base.with_name(base.name + ".py")
        if module.is_file():
            return module, entry
        if namespace is None and base.is_dir():
            namespace = base, entry
    if namespace is not None:
        return namespace
    raise TargetError(f"cannot find module {name!r} in the current directory or on sys.path")


def target_files(target: str) -> tuple[list[tuple[Path, str, bool]], Path]:
    """(file, module name, is package) for each file of the target, and its root folder."""
    parsed = parse_target(target)  # `module:object`: the module is linted
    spec, path = parsed.spec, parsed.path
    if parsed.is_path:
        if not path.exists():
            raise TargetError(f"target {spec!r} does not exist")
        if path.is_file() and path.suffix != ".py":
            raise TargetError(f"target {spec!r} is not a Python file")
        if path.is_file() or (path / "__init__.py").is_file():
            parts, root = _dotted(path)
        else:
            parts, root = [], path  # a plain folder: its modules are named from it
    else:
        path, root = _find_module(spec)
        parts = spec.split(".")
    if path.is_file():
        return [(path, ".".join(parts), path.name == "__init__.py")], root
    files = [(file, *_module_name(parts, file.relative_to(path))) for file in _python_files(path)]
    if not files:
        raise TargetError(f"target {spec!r} holds no Python files")
    return files, root
