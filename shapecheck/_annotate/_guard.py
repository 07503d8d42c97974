"""Verifying annotations before they are written: the package, rewritten, in a
temporary copy, imported in place of the original and verified there.

The copy is imported under the package's own name (relative imports and the
registry work as they do in the original); the original's modules are put
back afterwards, whatever happens. Nothing is written to the user's files.
"""

from __future__ import annotations

import contextlib
import importlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

__all__ = ["package_of", "swapped_in"]


def package_of(module: ModuleType) -> tuple[str, Path]:
    """The top-level package (or lone module) of `module`: its name, and its
    folder (or file)."""
    top = module.__name__.split(".")[0]
    found = sys.modules[top]
    file = getattr(found, "__file__", None)
    if file is None:
        raise ValueError(f"{top} has no file: it cannot be copied")
    path = Path(file)
    return top, path.parent if path.name == "__init__.py" else path


@contextlib.contextmanager
def swapped_in(top: str, root: Path, rewritten: dict[Path, str]) -> Iterator[Path]:
    """A copy of `root` (the package `top`) with `rewritten` files (original
    path -> new text) in it, importable as `top` inside the block."""
    with tempfile.TemporaryDirectory(prefix="shapecheck-annotate-") as folder:
        copy = Path(folder) / root.name
        if root.is_dir():
            shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(root, copy)
        for original, text in rewritten.items():
            inside = original.resolve().relative_to(root.resolve()) if root.is_dir() else None
            target = copy if inside is None else copy / inside
            target.write_text(text, encoding="utf-8")
        saved = {
            name: module
            for name, module in sys.modules.items()
            if name == top or name.startswith(top + ".")
        }
        for name in saved:
            del sys.modules[name]
        sys.path.insert(0, folder)
        importlib.invalidate_caches()
        try:
            yield copy
        finally:
            sys.path.remove(folder)
            for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
                del sys.modules[name]
            sys.modules.update(saved)
            importlib.invalidate_caches()
