"""The pytest plugin: `pytest --shapecheck-packages=models,mypkg`.

Registered through the `pytest11` entry point. It installs the import hook for
the named packages before any test module is collected, so every function and
class of those packages runs checked, annotated locals included, for the
whole test run. The same list can be set in the ini file as
`shapecheck_packages`.
"""

from __future__ import annotations

import pytest

from ._runtime import install, uninstall

_OPTION = "--shapecheck-packages"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("shapecheck")
    group.addoption(
        _OPTION,
        action="store",
        default=None,
        metavar="PKG[,PKG...]",
        help="check the shapes of every function and class of these packages",
    )
    parser.addini(
        "shapecheck_packages",
        type="args",
        default=[],
        help="packages whose functions and classes run shape-checked",
    )


def _packages(config: pytest.Config) -> list[str]:
    given = config.getoption(_OPTION)
    names = given.split(",") if given else list(config.getini("shapecheck_packages"))
    return [name.strip() for name in names if name.strip()]


def pytest_configure(config: pytest.Config) -> None:
    packages = _packages(config)
    for name in packages:
        if not all(part.isidentifier() for part in name.split(".")):
            raise pytest.UsageError(f"{_OPTION}: {name!r} is not a package name")
    if packages:
        install(*packages)
        config.stash[_installed] = packages


def pytest_unconfigure(config: pytest.Config) -> None:
    packages = config.stash.get(_installed, None)
    if packages:
        uninstall(*packages)


def pytest_report_header(config: pytest.Config) -> str | None:
    packages = _packages(config)
    return f"shapecheck: checking {', '.join(packages)}" if packages else None


_installed = pytest.StashKey[list[str]]()
