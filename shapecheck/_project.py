"""What a command works on: the settings file and the command line, merged once.

Every command reads the same options: TARGET (or the settings' `packages`),
`--exclude`, `--strict-imports` and `--config`; those that run examples
(verify, docs, ci) also `--registry`, and lint and ci `--ignore`.
`add_project_arguments` gives a subcommand those flags, and `project_from`
reads the parsed flags over the settings into one `Project`, which the tools
take as it is. A flag overrides its key; the excludes and lint ignores of both
add up.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ._lint._codes import checked_codes
from ._registry import Registry, RegistryError, load_registry
from ._settings import Settings, SettingsError, load_settings
from ._target import Walk

__all__ = ["Project", "ProjectError", "add_project_arguments", "project_from"]


class ProjectError(Exception):
    """Options that cannot be used together or a setting that cannot be read: exit 2."""


@dataclass
class Project:
    targets: tuple[str, ...]
    walk: Walk = field(default_factory=Walk)
    registry: Registry | None = None
    lint_ignore: tuple[str, ...] = ()
    lint_per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)

    @property
    def target(self) -> str:
        """The one target of a command that takes one."""
        if len(self.targets) != 1:
            raise ProjectError(
                f"this command takes one TARGET; [tool.shapecheck] packages names "
                f"{len(self.targets)} ({', '.join(self.targets)}): give one"
            )
        return self.targets[0]


def add_project_arguments(
    parser: argparse.ArgumentParser, *, registry: bool = True, lint: bool = False
) -> None:
    """TARGET and the options every command shares (`registry`: the commands that
    run code; `lint`: lint's ignores)."""
    parser.add_argument(
        "target",
        metavar="TARGET",
        nargs="?",
        default=None,
        help="a module or package, a file path, or module:object "
        "(default: `packages` of [tool.shapecheck] in pyproject.toml)",
    )
    parser.add_argument(
        "--exclude",
        metavar="GLOB",
        action="append",
        default=[],
        help="leave out the modules whose dotted name (or a package above them) "
        "matches GLOB; repeatable, added to the settings' exclude",
    )
    parser.add_argument(
        "--strict-imports",
        action="store_true",
        default=None,
        help="stop with exit 2 when a module of the package fails to import "
        "(default: note it in one line and go on)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="the pyproject.toml to read [tool.shapecheck] from "
        "(default: the nearest one above the current folder that has it)",
    )
    if registry:
        parser.add_argument(
            "--registry",
            metavar="MODULE:OBJECT",
            help="a shapecheck.Registry outside the target: its dims, examples and "
            "factories come first (default: the settings' registry)",
        )
    if lint:
        parser.add_argument(
            "--ignore",
            metavar="CODE",
            action="append",
            default=[],
            help="a finding code to leave out (SC301); repeatable, added to the settings'",
        )


def project_from(args: argparse.Namespace) -> Project:
    """The project of a parsed command line, over the settings it names or finds."""
    try:
        settings = load_settings(args.config)
    except SettingsError as error:
        raise ProjectError(str(error)) from None
    if args.target is not None:
        targets: tuple[str, ...] = (args.target,)
    elif settings.packages:
        targets = settings.packages
    else:
        where = f" in {settings.source}" if settings.source is not None else ""
        raise ProjectError(
            f"no TARGET given, and no `packages` in [tool.shapecheck]{where}: "
            "name a module, a package or a file"
        )
    strict = settings.strict_imports if args.strict_imports is None else args.strict_imports
    walk = Walk(exclude=(*settings.exclude, *args.exclude), strict_imports=strict)
    named = getattr(args, "registry", None) or settings.registry
    try:
        registry = load_registry(named) if named else None
    except RegistryError as error:
        raise ProjectError(str(error)) from None
    lint_ignore = (*settings.lint_ignore, *getattr(args, "ignore", ()))
    try:  # an unknown code is a usage error up front, in every command
        checked_codes(lint_ignore, "--ignore" if getattr(args, "ignore", ()) else "ignore")
        for glob, codes in settings.lint_per_file_ignores.items():
            checked_codes(codes, f"per-file-ignores[{glob!r}]")
    except ValueError as error:
        raise ProjectError(str(error)) from None
    return Project(
        targets=targets,
        walk=walk,
        registry=registry,
        lint_ignore=lint_ignore,
        lint_per_file_ignores=settings.lint_per_file_ignores,
        settings=settings,
    )
