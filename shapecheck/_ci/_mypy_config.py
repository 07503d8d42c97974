"""The `mypy` step's command line: the config file mypy itself would pick, and the target.

mypy is run as the project configures it. When the config file that mypy would
use in the working directory (`mypy.ini`, `.mypy.ini`, `pyproject.toml` with
`[tool.mypy]`, or `setup.cfg` with `[mypy]`, in that order) sets `files`, mypy
runs on those files; otherwise it is given the target.
"""

from __future__ import annotations

import configparser
import sys
from pathlib import Path
from typing import NamedTuple

from .._target import parse_target

__all__ = ["MypyConfig", "find_mypy_config", "mypy_command"]


class MypyConfig(NamedTuple):
    path: Path
    has_files: bool  # whether it sets `files`, the files mypy checks


def find_mypy_config(folder: Path) -> MypyConfig | None:
    """The config file mypy itself would pick in `folder`, and whether it sets `files`."""
    for name in ("mypy.ini", ".mypy.ini"):
        path = folder / name
        if path.is_file():
            return MypyConfig(path, _ini_has_files(path, "mypy"))
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file() and sys.version_info >= (3, 11):  # tomllib: Python 3.11
        import tomllib

        try:
            tool = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            tool = {}
        if isinstance(tool, dict) and isinstance(tool.get("mypy"), dict):
            return MypyConfig(pyproject, bool(tool["mypy"].get("files")))
    setup_cfg = folder / "setup.cfg"
    if setup_cfg.is_file():
        parser = _read_ini(setup_cfg)
        if parser is not None and parser.has_section("mypy"):
            return MypyConfig(setup_cfg, bool(parser.get("mypy", "files", fallback="").strip()))
    return None


def _read_ini(path: Path) -> configparser.RawConfigParser | None:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None
    return parser


def _ini_has_files(path: Path, section: str) -> bool:
    parser = _read_ini(path)
    if parser is None or not parser.has_section(section):
        return False
    return bool(parser.get(section, "files", fallback="").strip())


def _mypy_target(target: str, folder: Path) -> list[str]:
    """What to hand mypy for a target: a path as it is, a module as `-p NAME`."""
    parsed = parse_target(target, folder)  # module:object -> the module
    return [parsed.spec] if parsed.is_path else ["-p", parsed.spec]


def mypy_command(target: str, folder: Path | None = None) -> list[str]:
    """`python -m mypy ...` for `target`, run from `folder` (default: the working dir).

    A config file that sets `files` (mypy.ini, .mypy.ini, pyproject.toml or
    setup.cfg, the one mypy would use) is run as configured; otherwise the
    target is passed, with the config file when there is one. Plain output is
    asked for (`--no-pretty`, no colour) so that errors can be read back.
    """
    folder = Path.cwd() if folder is None else folder
    command = [sys.executable, "-m", "mypy", "--no-pretty", "--no-color-output"]
    config = find_mypy_config(folder)
    if config is not None:
        command += ["--config-file", config.path.relative_to(folder).as_posix()]
    if config is None or not config.has_files:
        command += _mypy_target(target, folder)
    return command
