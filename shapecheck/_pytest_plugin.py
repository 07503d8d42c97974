"""The pytest plugin: `pytest --shapecheck-packages=models,mypkg`.

Registered through the `pytest11` entry point. It installs the import hook for
the named packages before any test module is collected, so every function and
class of those packages runs checked, annotated locals included, for the
whole test run. The same list can be set in the ini file as
`shapecheck_packages`; `--shapecheck` alone takes the `packages` of the
project's `[tool.shapecheck]` (docs/config.md). A plain `pytest` installs
nothing, whatever the settings say.

`--shapecheck-mode=warn` runs the tests in survey mode: violations are
recorded, not raised, and listed at the end of the run, grouped by function
and path (`--shapecheck-report=FILE` also writes them as JSON); the run's
exit status does not depend on them.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from pathlib import Path

import pytest

from ._config import MODES, Mode, configure, current_mode
from ._runtime import install, uninstall
from ._settings import SettingsError, load_settings
from ._survey import Violation, set_current_test, survey

_OPTION = "--shapecheck-packages"
_FROM_SETTINGS = "--shapecheck"
_MODE_OPTION = "--shapecheck-mode"
_REPORT_OPTION = "--shapecheck-report"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("shapecheck")
    group.addoption(
        _OPTION,
        action="store",
        default=None,
        metavar="PKG[,PKG...]",
        help="check the shapes of every function and class of these packages",
    )
    group.addoption(
        _FROM_SETTINGS,
        action="store_true",
        default=False,
        help="check the shapes of the packages of [tool.shapecheck] in pyproject.toml",
    )
    group.addoption(
        _MODE_OPTION,
        action="store",
        default=None,
        choices=MODES,
        help="warn: survey mode, shape violations are recorded and listed at the end, "
        "never failing a test; raise: a violation fails its test (default: "
        "SHAPECHECK=warn in the environment, else raise)",
    )
    group.addoption(
        _REPORT_OPTION,
        action="store",
        default=None,
        metavar="FILE",
        help="in survey mode, also write the violations to FILE as JSON",
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
    if config.getoption(_FROM_SETTINGS):
        try:
            settings = load_settings(start=config.invocation_params.dir)
        except SettingsError as error:
            raise pytest.UsageError(f"{_FROM_SETTINGS}: {error}") from None
        if not settings.packages:
            raise pytest.UsageError(
                f"{_FROM_SETTINGS}: no `packages` in [tool.shapecheck] "
                f"({settings.source or 'no pyproject.toml with one above this folder'})"
            )
        names += list(settings.packages)
    return list(dict.fromkeys(name.strip() for name in names if name.strip()))


def _report_path(config: pytest.Config, mode: Mode) -> Path | None:
    given: str | None = config.getoption(_REPORT_OPTION)
    if given is None:
        return None
    if mode != "warn":
        raise pytest.UsageError(
            f"{_REPORT_OPTION}: only survey mode records violations; "
            f"add {_MODE_OPTION}=warn (or set SHAPECHECK=warn)"
        )
    path = config.invocation_params.dir / given
    if not path.parent.is_dir():
        raise pytest.UsageError(f"{_REPORT_OPTION}: folder {str(path.parent)!r} does not exist")
    if path.is_dir():
        raise pytest.UsageError(f"{_REPORT_OPTION}: {given!r} is a folder, not a file")
    return path


def pytest_configure(config: pytest.Config) -> None:
    packages = _packages(config)
    for name in packages:
        if not all(part.isidentifier() for part in name.split(".")):
            raise pytest.UsageError(f"{_OPTION}: {name!r} is not a package name")
    given: Mode | None = config.getoption(_MODE_OPTION)
    mode = given or current_mode()
    report = _report_path(config, mode)
    if given is not None:
        config.stash[_previous_mode] = current_mode()
        configure(mode=given)
    if mode == "warn":
        survey(clear=True)  # this run's violations only
        config.stash[_surveying] = report
    if packages:
        install(*packages)
        config.stash[_installed] = packages


def pytest_unconfigure(config: pytest.Config) -> None:
    packages = config.stash.get(_installed, None)
    if packages:
        uninstall(*packages)
    previous = config.stash.get(_previous_mode, None)
    if previous is not None:
        configure(mode=previous)


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = []
    packages = _packages(config)
    if packages:
        lines.append(f"shapecheck: checking {', '.join(packages)}")
    if _surveying in config.stash:
        lines.append("shapecheck: survey mode, violations are recorded, not raised")
    return lines


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    """The test id that survey mode records with each violation."""
    set_current_test(item.nodeid)
    try:
        return (yield)
    finally:
        set_current_test(None)


def pytest_sessionfinish(session: pytest.Session) -> None:
    report = session.config.stash.get(_surveying, None)
    if report is not None:
        records = [
            {
                "function": v.function,
                "path": v.path,
                "count": v.count,
                "first_test": v.first_test,
                "message": v.message,
            }
            for v in survey()
        ]
        report.write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    if _surveying not in config.stash:
        return
    write_summary(terminalreporter, survey())


def write_summary(terminal: pytest.TerminalReporter, violations: list[Violation]) -> None:
    """One entry per (function, path), most frequent first: the count, the
    first test that hit it and the first line of one message."""
    if not violations:
        terminal.write_sep("=", "shapecheck survey: no shape violations")
        return
    total = sum(v.count for v in violations)
    places = len(violations)
    terminal.write_sep(
        "=",
        f"shapecheck survey: {total} shape violation{'s' * (total != 1)} "
        f"at {places} place{'s' * (places != 1)}",
    )
    width = len(str(violations[0].count))
    for v in violations:
        indent = " " * (width + 2)
        terminal.write_line(f"{v.count:>{width}}  {v.function}: {v.path}")
        terminal.write_line(f"{indent}first test: {v.first_test or '(outside any test)'}")
        terminal.write_line(f"{indent}{v.message.partition(chr(10))[0]}")


_installed = pytest.StashKey[list[str]]()
_previous_mode = pytest.StashKey[Mode]()
_surveying = pytest.StashKey[Path | None]()  # in survey mode: where the JSON goes, if anywhere
