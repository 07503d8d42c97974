"""A project's settings for the tools: the `[tool.shapecheck]` table of its pyproject.toml.

    [tool.shapecheck]
    packages = ["mypkg"]               # the default TARGET of every command
    exclude = ["mypkg.legacy", "*.test_*"]   # modules left out of package walks
    registry = "mypkg_shapes:registry" # dims, examples and factories, anywhere
    strict-imports = false             # true: a module that fails to import stops the command

    [tool.shapecheck.lint]
    ignore = ["SC301"]                 # codes ignored everywhere
    per-file-ignores = { "mypkg/generated/*.py" = ["SC201"] }

The file is the nearest `pyproject.toml` above the current folder that has a
`[tool.shapecheck]` table; `--config FILE` names one. Command-line flags
override what it says. Every key is checked: an unknown key or a value of the
wrong type is a `SettingsError`, one line, which the CLI reports with exit
status 2.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Settings", "SettingsError", "find_pyproject", "load_settings"]


class SettingsError(Exception):
    """A `[tool.shapecheck]` table that cannot be used; its text is one line."""


@dataclass(frozen=True)
class Settings:
    packages: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    registry: str | None = None
    strict_imports: bool = False
    lint_ignore: tuple[str, ...] = ()
    lint_per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: Path | None = None  # the file it was read from; None: no file, defaults


_KEYS = ("packages", "exclude", "registry", "strict-imports", "lint")
_LINT_KEYS = ("ignore", "per-file-ignores")


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest pyproject.toml at or above `start` with a `[tool.shapecheck]` table."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            try:
                table = _read(path)
            except SettingsError:
                return path  # a broken file is reported when it is loaded
            if table is not None:
                return path
    return None


def load_settings(path: Path | None = None, start: Path | None = None) -> Settings:
    """The settings in `path` (a pyproject.toml), or in the one found above `start`;
    the defaults when there is none."""
    if path is not None and not path.is_file():
        raise SettingsError(f"{path}: no such file")
    source = path or find_pyproject(start)
    if source is None:
        return Settings()
    table = _read(source)
    if table is None:
        return Settings(source=source)
    where = f"{source}: [tool.shapecheck]"
    _no_unknown(table, _KEYS, where)
    lint = table.get("lint", {})
    if not isinstance(lint, dict):
        raise SettingsError(f"{where}: `lint` must be a table, got {_kind(lint)}")
    _no_unknown(lint, _LINT_KEYS, f"{where}.lint")
    return Settings(
        packages=_strings(table, "packages", where, one_allowed=True),
        exclude=_strings(table, "exclude", where, one_allowed=True),
        registry=_registry(table, where),
        strict_imports=_bool(table, "strict-imports", where),
        lint_ignore=_strings(lint, "ignore", f"{where}.lint", one_allowed=False),
        lint_per_file_ignores=_per_file(lint, f"{where}.lint"),
        source=source,
    )


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: cannot be read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: not valid TOML: {error}") from None
    tool = data.get("tool", {})
    table = tool.get("shapecheck") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [tool.shapecheck] must be a table, got {_kind(table)}")
    return table


def _no_unknown(table: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in known:
            hint = next((k for k in known if k.replace("-", "_") == key), None)
            said = f"; did you mean `{hint}`?" if hint else f" (known: {', '.join(known)})"
            raise SettingsError(f"{where}: unknown key `{key}`{said}")


def _kind(value: Any) -> str:
    return {dict: "a table", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def _strings(
    table: Mapping[str, Any], key: str, where: str, *, one_allowed: bool
) -> tuple[str, ...]:
    value = table.get(key, [])
    if one_allowed and isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        wanted = "a string or an array of strings" if one_allowed else "an array of strings"
        raise SettingsError(f"{where}: `{key}` must be {wanted}, got {value!r}")
    return tuple(value)


def _bool(table: Mapping[str, Any], key: str, where: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise SettingsError(f"{where}: `{key}` must be true or false, got {value!r}")
    return value


def _registry(table: Mapping[str, Any], where: str) -> str | None:
    value = table.get("registry")
    if value is None:
        return None
    if not isinstance(value, str) or not _is_module_object(value):
        raise SettingsError(f'{where}: `registry` must be "MODULE:OBJECT", got {value!r}')
    return value


def _is_module_object(text: str) -> bool:
    module, _, name = text.partition(":")
    return bool(name) and all(
        part.isidentifier() for part in (*module.split("."), *name.split("."))
    )


def _per_file(lint: Mapping[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    value = lint.get("per-file-ignores", {})
    if not isinstance(value, dict):
        raise SettingsError(f"{where}: `per-file-ignores` must be a table, got {_kind(value)}")
    return {
        glob: _strings(value, glob, f"{where}.per-file-ignores", one_allowed=False)
        for glob in value
    }
