"""Survey mode: violations recorded, never raised (`SHAPECHECK=warn`,
`configure(mode="warn")`, `pytest --shapecheck-mode=warn`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import jaxtyping
import pytest
import torch
from jaxtyping import Float
from torch import Tensor

import shapecheck
from shapecheck._config import current_mode
from shapecheck._runtime._decorator import plan_for
from shapecheck._runtime._explain import run_engine

HERE = "tests/test_survey.py"


@pytest.fixture
def warn() -> Iterator[None]:
    """Survey mode for one test, with an empty record before and after."""
    shapecheck.survey(clear=True)
    shapecheck.configure(mode="warn")
    try:
        yield
    finally:
        shapecheck.configure(mode="raise")
        shapecheck.survey(clear=True)


# ------------------------------------------------------------ configure(mode)


def test_configure__mode_round_trip() -> None:
    assert current_mode() == "raise"
    shapecheck.configure(mode="warn")
    try:
        assert current_mode() == "warn"
    finally:
        shapecheck.configure(mode="raise")
    assert current_mode() == "raise"
    shapecheck.configure(same_device=False)  # other settings leave the mode alone
    assert current_mode() == "raise"


@pytest.mark.parametrize("bad", ["wrn", "WARN", "", 1, None.__class__])
def test_configure__a_bad_mode_is_a_one_line_value_error(bad: object) -> None:
    with pytest.raises(ValueError) as raised:
        shapecheck.configure(mode=bad)  # type: ignore[arg-type]
    assert str(raised.value) == f"mode must be one of 'raise', 'warn', got {bad!r}"
    assert current_mode() == "raise"


def _import_with(value: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHAPECHECK": value}
    code = "import shapecheck, shapecheck._config as c; print('mode:', c.current_mode())"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("value", "mode"), [("warn", "warn"), (" Warn ", "warn"), ("1", "raise"), ("raise", "raise")]
)
def test_environment__shapecheck_warn_sets_the_mode_at_import(value: str, mode: str) -> None:
    result = _import_with(value)
    assert result.returncode == 0, result.stderr
    assert f"mode: {mode}" in result.stdout
    assert result.stderr == ""


@pytest.mark.slow
def test_environment__a_bad_value_is_warned_about_and_checks_stay_on() -> None:
    result = _import_with("wran")
    assert result.returncode == 0, result.stderr
    assert "mode: raise" in result.stdout
    assert "RuntimeWarning: SHAPECHECK='wran' is not understood" in result.stderr
    assert "0/false/no/off" in result.stderr and "warn (checks on" in result.stderr


# ------------------------------------------------------------ the decorator


@shapecheck.check
def double(x: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
    return torch.cat([x, x])


@shapecheck.check
def add(x: Float[Tensor, "n"], y: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
    return x + y[: x.shape[0]]


@shapecheck.check
def widen(x: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
    h: Float[Tensor, "n 1"] = x  # violates: a rank-1 tensor
    return h * 2


@shapecheck.check
def pair(x: Float[Tensor, "n"]) -> tuple[Float[Tensor, "n"], Float[Tensor, "n"]]:
    return x, x[:1]


def test_decorator__records_instead_of_raising(warn: None) -> None:
    x = torch.arange(3.0)
    for _ in range(3):
        assert torch.equal(double(x), torch.cat([x, x]))
    assert torch.equal(add(x, torch.ones(5)), x + 1)
    assert torch.equal(widen(x), x * 2)
    first, second = pair(x)
    assert first is x and torch.equal(second, x[:1])

    found = {(v.function, v.path): v for v in shapecheck.survey()}
    here = f"{HERE}::test_decorator__records_instead_of_raising"
    name = f"{__name__}."
    assert {key: v.count for key, v in found.items()} == {
        (name + "double", "return"): 3,
        (name + "add", "y"): 1,
        (name + "widen", "local h"): 1,
        (name + "pair", "return[1]"): 1,
    }
    assert all(v.first_test == here for v in found.values())
    message = found[name + "double", "return"].message
    assert message.startswith("double(): return does not match its annotation\n")
    assert "reason:   dimension `n` is 6 at return.shape[0], but n=3" in message
    local = found[name + "widen", "local h"].message
    assert local.startswith("widen(): h does not match its annotation (local variable, line ")
    assert shapecheck.survey()[0].path == "return"  # most frequent first


def test_decorator__a_violating_call_returns_what_the_unchecked_function_returns(
    warn: None,
) -> None:
    x, y = torch.randn(4), torch.randn(6)
    for checked, args in [(double, (x,)), (add, (x, y)), (widen, (x,)), (pair, (x,))]:
        plain = checked.__wrapped__  # type: ignore[attr-defined]
        got, want = checked(*args), plain(*args)
        for g, w in zip(got, want, strict=True) if isinstance(got, tuple) else [(got, want)]:
            assert torch.equal(g, w)
    assert len(shapecheck.survey()) == 4


def test_decorator__clear_resets_the_records(warn: None) -> None:
    double(torch.ones(2))
    double(torch.ones(2))
    [violation] = shapecheck.survey(clear=True)
    assert isinstance(violation, shapecheck.Violation)
    assert violation.count == 2
    assert shapecheck.survey() == []
    double(torch.ones(2))
    assert [v.count for v in shapecheck.survey()] == [1]


def test_decorator__passing_calls_record_nothing(warn: None) -> None:
    x = torch.ones(3)
    add(x, x)
    assert shapecheck.survey() == []


def test_decorator__raise_mode_still_raises_and_records_nothing() -> None:
    shapecheck.survey(clear=True)
    with pytest.raises(shapecheck.ShapeError, match="double\\(\\): return"):
        double(torch.ones(2))
    with pytest.raises(shapecheck.ShapeError, match="h does not match"):
        widen(torch.ones(2))
    assert shapecheck.survey() == []


def test_decorator__devices_and_non_tensor_hints_are_recorded(warn: None) -> None:
    @shapecheck.check(same_device=True)
    def on_one(x: Float[Tensor, "n"], y: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
        return x

    @shapecheck.check
    def scaled(x: Float[Tensor, "n"], k: int) -> Float[Tensor, "n"]:
        return x * k

    x = torch.ones(2)
    assert on_one(x, torch.ones(2, device="meta")) is x
    assert torch.equal(scaled(x, 2.5), x * 2.5)  # type: ignore[arg-type]
    assert {(v.function.rsplit(".", 1)[1], v.path) for v in shapecheck.survey()} == {
        ("on_one", "y"),
        ("scaled", "k"),
    }


def test_decorator__the_engines_own_verdict_is_recorded(warn: None) -> None:
    plan = plan_for(double)

    def engine(*args: object, **kwargs: object) -> None:
        raise jaxtyping.TypeCheckError("the engine says no")

    x = torch.ones(2)
    assert run_engine(plan, engine, (x,), {}, {"x": x}) is False
    [violation] = shapecheck.survey()
    assert (violation.path, violation.count) == ("(arguments)", 1)
    assert "the engine says no" in violation.message
    shapecheck.configure(mode="raise")
    with pytest.raises(shapecheck.ShapeError, match="the engine says no"):
        run_engine(plan, engine, (x,), {}, {"x": x})


def test_decorator__annotation_errors_still_raise(warn: None) -> None:
    @shapecheck.check
    def grow(x: Float[Tensor, "n"]) -> Float[Tensor, "n+q"]:
        return x

    with pytest.raises(shapecheck.AnnotationError, match="'q', which no earlier argument"):
        grow(torch.ones(2))
    assert shapecheck.survey() == []


def test_decorator__outside_pytest_the_test_is_none() -> None:
    code = textwrap.dedent("""
        import torch
        from jaxtyping import Float
        from torch import Tensor
        import shapecheck

        @shapecheck.check
        def first(x: Float[Tensor, "n"]) -> Float[Tensor, ""]:
            return x[0]

        shapecheck.configure(mode="warn")
        assert torch.equal(first(torch.ones(2, 3)), torch.ones(3))
        [v] = shapecheck.survey()
        print(v.function, v.path, v.count, v.first_test)
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "__main__.first x 1 None"


# ------------------------------------------------------------ the pytest plugin

_PACKAGE = """
import torch
from jaxtyping import Float
from torch import Tensor


def double(x: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
    return torch.cat([x, x])


def add(x: Float[Tensor, "n"], y: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
    return x + y[: x.shape[0]]


def widen(x: Float[Tensor, "n"]) -> Tensor:
    h: Float[Tensor, "n 1"] = x
    return h * 2


def fine(x: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
    return x * 2
"""

_TESTS_A = """
import torch
from survey_pkg import ops


def test_double_twice():
    x = torch.arange(3.0)
    assert torch.equal(ops.double(x), torch.cat([x, x]))
    ops.double(x)


def test_add():
    assert torch.equal(ops.add(torch.zeros(2), torch.ones(4)), torch.ones(2))


def test_fine():
    assert torch.equal(ops.fine(torch.ones(2)), torch.full((2,), 2.0))
"""

_TESTS_B = """
import torch
from survey_pkg import ops


def test_double_again():
    ops.double(torch.ones(1))


def test_widen():
    assert torch.equal(ops.widen(torch.ones(2)), torch.full((2,), 2.0))
"""


def _suite(root: Path) -> None:
    package = root / "survey_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "ops.py").write_text(_PACKAGE)
    (root / "test_a.py").write_text(_TESTS_A)
    (root / "test_b.py").write_text(_TESTS_B)


def _pytest(
    root: Path, *options: str, shapecheck_env: str | None = None, named: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    if shapecheck_env is not None:
        env["SHAPECHECK"] = shapecheck_env
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            *(["--shapecheck-packages=survey_pkg"] if named else []),
            *options,
            "test_a.py",
            "test_b.py",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def _summary(stdout: str) -> list[str]:
    """The lines of the survey section, up to pytest's last line."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "shapecheck survey" in line)
    return lines[start : len(lines) - 1]


_LOCAL_LINE = _PACKAGE.splitlines().index('    h: Float[Tensor, "n 1"] = x') + 1
_SUMMARY = [
    "3  survey_pkg.ops.double: return",
    "   first test: test_a.py::test_double_twice",
    "   double(): return does not match its annotation",
    "1  survey_pkg.ops.add: y",
    "   first test: test_a.py::test_add",
    "   add(): y does not match its annotation",
    "1  survey_pkg.ops.widen: local h",
    "   first test: test_b.py::test_widen",
    "   widen(): h does not match its annotation (local variable, line {line} of {file})",
]


def _expected_summary(root: Path) -> list[str]:
    file = root / "survey_pkg" / "ops.py"
    return [line.format(line=_LOCAL_LINE, file=file) for line in _SUMMARY]


@pytest.mark.slow
def test_plugin__warn_mode_passes_and_lists_every_violation_once(tmp_path: Path) -> None:
    _suite(tmp_path)
    (tmp_path / "out").mkdir()
    result = _pytest(tmp_path, "--shapecheck-mode=warn", "--shapecheck-report=out/report.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed" in result.stdout
    assert "shapecheck: survey mode, violations are recorded, not raised" in result.stdout
    heading, *body = _summary(result.stdout)
    assert " shapecheck survey: 5 shape violations at 3 places " in heading
    assert heading.startswith("=") and heading.endswith("=")
    assert body == _expected_summary(tmp_path)

    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [(r["function"], r["path"], r["count"], r["first_test"]) for r in report] == [
        ("survey_pkg.ops.double", "return", 3, "test_a.py::test_double_twice"),
        ("survey_pkg.ops.add", "y", 1, "test_a.py::test_add"),
        ("survey_pkg.ops.widen", "local h", 1, "test_b.py::test_widen"),
    ]
    assert all(list(r) == ["function", "path", "count", "first_test", "message"] for r in report)
    assert report[0]["message"] == (
        "double(): return does not match its annotation\n"
        '  expected: Float[Tensor, "n"]\n'
        "  actual:   float32[6] on cpu\n"
        "  reason:   dimension `n` is 6 at return.shape[0], but n=3 was bound by x.shape[0]"
    )


@pytest.mark.slow
def test_plugin__the_environment_turns_survey_mode_on_and_the_option_off(tmp_path: Path) -> None:
    _suite(tmp_path)
    result = _pytest(tmp_path, "--shapecheck-report=report.json", shapecheck_env="warn")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _summary(result.stdout)[1:] == _expected_summary(tmp_path)
    assert len(json.loads((tmp_path / "report.json").read_text())) == 3

    result = _pytest(tmp_path, "--shapecheck-mode=raise", shapecheck_env="warn")
    assert result.returncode == 1
    assert "4 failed, 1 passed" in result.stdout
    assert "shapecheck survey" not in result.stdout


@pytest.mark.slow
def test_plugin__raise_mode_still_fails(tmp_path: Path) -> None:
    _suite(tmp_path)
    result = _pytest(tmp_path)
    assert result.returncode == 1
    assert "4 failed, 1 passed" in result.stdout
    assert "ShapeError: double(): return does not match its annotation" in result.stdout
    assert "shapecheck survey" not in result.stdout


@pytest.mark.slow
def test_plugin__no_violations_says_so(tmp_path: Path) -> None:
    _suite(tmp_path)
    (tmp_path / "empty.json").write_text("stale")
    result = _pytest(
        tmp_path, "--shapecheck-mode=warn", "--shapecheck-report=empty.json", "-k", "fine"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "shapecheck survey: no shape violations" in result.stdout
    assert json.loads((tmp_path / "empty.json").read_text()) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--shapecheck-mode=warn", "--shapecheck-report=missing/report.json"],
            "--shapecheck-report: folder '{root}/missing' does not exist",
        ),
        (
            ["--shapecheck-mode=warn", "--shapecheck-report=."],
            "--shapecheck-report: '.' is a folder, not a file",
        ),
        (
            ["--shapecheck-report=report.json"],
            "--shapecheck-report: only survey mode records violations; "
            "add --shapecheck-mode=warn (or set SHAPECHECK=warn)",
        ),
        (
            ["--shapecheck-mode=loud"],
            "argument --shapecheck-mode: invalid choice: 'loud' (choose from 'raise', 'warn')",
        ),
    ],
    ids=["missing-folder", "a-folder", "not-surveying", "bad-mode"],
)
def test_plugin__bad_options_are_usage_errors(
    tmp_path: Path, options: list[str], message: str
) -> None:
    _suite(tmp_path)
    result = _pytest(tmp_path, *options)
    assert result.returncode == 4, result.stdout + result.stderr  # pytest's usage error
    assert message.format(root=tmp_path) in result.stderr


@pytest.mark.slow
def test_plugin__packages_from_the_settings_with_shapecheck_alone(tmp_path: Path) -> None:
    _suite(tmp_path)
    result = _pytest(tmp_path, "--shapecheck", named=False)
    assert result.returncode == 4
    assert "--shapecheck: no `packages` in [tool.shapecheck]" in result.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.shapecheck]\npackages = ["survey_pkg"]\n')
    result = _pytest(tmp_path, "--shapecheck", "--shapecheck-mode=warn", named=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _summary(result.stdout)[1:] == _expected_summary(tmp_path)
    plain = _pytest(tmp_path, named=False)  # the settings alone install nothing
    assert plain.returncode == 0 and "5 passed" in plain.stdout, plain.stdout
    (tmp_path / "pyproject.toml").write_text("[tool.shapecheck]\npakages = []\n")
    result = _pytest(tmp_path, "--shapecheck", named=False)
    assert result.returncode == 4 and "unknown key `pakages`" in result.stderr
