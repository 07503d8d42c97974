"""The third-party runner's bookkeeping: JUnit outcomes and the invariants.

The suite itself runs only through `make thirdparty`; these cases need neither
linear_operator nor a subprocess.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

RUNNER = Path(__file__).parent / "thirdparty" / "run_linear_operator.py"


def _load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_linear_operator", RUNNER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


runner = _load_runner()
Mode, Outcome, Run, CaseResult = runner.Mode, runner.Outcome, runner.Run, runner.CaseResult

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
  <testcase classname="test.operators.test_a.TestA" name="test_pass" time="0.1" />
  <testcase classname="test.operators.test_a.TestA" name="test_fail" time="0.1">
    <failure message="shapecheck.ShapeError: f(): x does not match&#10;  reason: r">E</failure>
  </testcase>
  <testcase classname="test.operators.test_a.TestA" name="test_subtests" time="0.1">
    <failure message="AssertionError: first">E</failure>
    <failure message="AssertionError: second">E</failure>
  </testcase>
  <testcase classname="test.operators.test_a.TestA" name="test_setup" time="0.1">
    <error message="failed on setup with &quot;RuntimeError: boom&quot;">E</error>
  </testcase>
  <testcase classname="test.operators.test_a.TestA" name="test_skip" time="0.0">
    <skipped type="pytest.skip" message="no cuda">skip</skipped>
  </testcase>
</testsuite></testsuites>
"""


def test_parse_junit__one_outcome_per_test(tmp_path: Path) -> None:
    path = tmp_path / "run.xml"
    path.write_text(JUNIT, encoding="utf-8")
    results = runner.parse_junit(path)
    prefix = "test.operators.test_a.TestA::"
    assert {test.removeprefix(prefix): r.outcome for test, r in results.items()} == {
        "test_pass": Outcome.PASSED,
        "test_fail": Outcome.FAILED,
        "test_subtests": Outcome.FAILED,
        "test_setup": Outcome.FAILED,
        "test_skip": Outcome.SKIPPED,
    }
    assert results[prefix + "test_subtests"].message == "AssertionError: first"
    assert results[prefix + "test_fail"].message.splitlines()[1] == "  reason: r"


def _run(mode: object, failed: dict[str, str], tests: int = 10, returncode: int = 0) -> object:
    """`tests` tests t0, t1, ...; those in `failed` fail with the given message."""
    results = {
        f"t{i}": CaseResult(Outcome.FAILED, failed[f"t{i}"])
        if f"t{i}" in failed
        else CaseResult(Outcome.PASSED, "")
        for i in range(tests)
    }
    return Run(mode, results, 1.0, returncode or (1 if failed else 0))


def _failing(*tests: str) -> dict[str, str]:
    return {test: f"AssertionError: {test}\ndetail" for test in tests}


@dataclass(frozen=True)
class Case:
    id: str
    jaxtyping: tuple[str, ...]
    shapecheck: tuple[str, ...]
    coverage: float
    false_alarms: list[str]
    missed: list[str]


TEN = tuple(f"t{i}" for i in range(10))
HOLDS = [
    Case("no failures", (), (), 1.0, [], []),
    Case("same failures", ("t1", "t2"), ("t1", "t2"), 1.0, [], []),
    Case("one missed in ten", TEN, TEN[:9], 0.9, [], ["t9"]),
]
BROKEN = [
    Case("a false alarm", ("t1",), ("t1", "t2"), 1.0, ["t2"], []),
    Case("coverage below 90%", ("t1", "t2"), ("t1",), 0.5, [], ["t2"]),
]


@pytest.mark.parametrize("case", HOLDS + BROKEN, ids=lambda case: case.id)
def test_compare__counts(case: Case) -> None:
    runs = {
        Mode.PLAIN: _run(Mode.PLAIN, {}),
        Mode.JAXTYPING: _run(Mode.JAXTYPING, _failing(*case.jaxtyping)),
        Mode.SHAPECHECK: _run(Mode.SHAPECHECK, _failing(*case.shapecheck)),
    }
    result = runner.compare(runs)
    assert result.coverage == pytest.approx(case.coverage)
    assert (result.false_alarms, result.missed) == (case.false_alarms, case.missed)
    assert result.ok == (case in HOLDS)


@pytest.mark.parametrize(
    ("plain_failed", "returncode", "reason"),
    [(("t3",), 0, "1 tests fail without any hook"), ((), 2, "plain: pytest exited 2")],
    ids=["failure without a hook", "interrupted run"],
)
def test_compare__baseline_broken(
    plain_failed: tuple[str, ...], returncode: int, reason: str
) -> None:
    runs = {
        Mode.PLAIN: _run(Mode.PLAIN, _failing(*plain_failed), returncode=returncode),
        Mode.JAXTYPING: _run(Mode.JAXTYPING, {}),
        Mode.SHAPECHECK: _run(Mode.SHAPECHECK, {}),
    }
    assert runner.compare(runs).invariant_failures == [reason]


def test_markdown__groups_by_first_line() -> None:
    same_cause = "ShapeError: f(): self does not match its annotation\n  reason: r"
    runs = {
        Mode.PLAIN: _run(Mode.PLAIN, {}),
        Mode.JAXTYPING: _run(Mode.JAXTYPING, {}),
        Mode.SHAPECHECK: _run(Mode.SHAPECHECK, {"t1": same_cause, "t2": same_cause}),
    }
    text = runner.markdown(runs, runner.compare(runs), serial=True, load="0.00 0.00 0.00")
    assert "## Fail under shapecheck, pass under jaxtyping: 2" in text
    row = "| 2 | ShapeError: f(): self does not match its annotation | `t1` | reason: r |"
    assert row in text
