"""`shapecheck ci`: the four steps, the table, the exit status, JUnit XML and GitHub commands.

Lint, verify, the docs generator and the mypy subprocess are replaced by fakes
(`World`), so that every outcome is cheap and exact. One test at the end runs
the real steps (mypy left out) on the bundled models.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import re
import subprocess
import sys
import types
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from shapecheck import AnnotationError, _ci
from shapecheck._ci import (
    STEPS,
    Problem,
    StepResult,
    _command,
    _steps,
    add_arguments,
    ci_options,
    github_commands,
    mypy_command,
    run_ci,
    summary_table,
)
from shapecheck._ci._steps import ProcessOutput, Scope
from shapecheck._project import project_from
from shapecheck._target import TargetError
from shapecheck.docs._fresh import docs_differences
from shapecheck.docs._model import DocsProblem, FunctionDoc, ModuleDoc, Report, problems_of

ROOT = Path(__file__).parent.parent

# --- fakes ----------------------------------------------------------------------


@dataclass(frozen=True)
class FakeFinding:
    file: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.code} {self.message}"


@dataclass(frozen=True)
class FakeStaticFinding:
    file: str
    line: int
    function: str
    message: str


@dataclass(frozen=True)
class FakeStaticResult:
    findings: list[FakeStaticFinding]
    functions: int


@dataclass(frozen=True)
class FakeLintResult:
    findings: tuple[FakeFinding, ...]
    functions: int
    covered: int

    @property
    def coverage(self) -> float:
        return 100.0 * self.covered / self.functions if self.functions else 100.0


@dataclass(frozen=True)
class FakeVerdict:
    name: str
    status: str
    message: str
    sizes: dict[str, int]
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class FakeRendered:
    text: str
    files: dict[str, str]
    report: Report


def function_doc(problem: DocsProblem, *more: DocsProblem) -> FunctionDoc:
    """A documented function, where `problem` says, that reported `problem` and `more`."""
    return FunctionDoc(
        problem.function,
        "models",
        problem.file,
        problem.line,
        f"{problem.function}(...)",
        "",
        (),
        (),
        (),
        None,
        (problem, *more),
    )


def failed_run(file: str, line: int, function: str, detail: str) -> DocsProblem:
    """The example run of `function`, defined at `file:line`, failed for `detail`."""
    return DocsProblem("example", file, line, function, detail)


def docs_report(
    functions: tuple[FunctionDoc, ...] = (), problems: tuple[DocsProblem, ...] = ()
) -> Report:
    """A docs Report of `functions`, with the target-wide `problems`."""
    modules = (ModuleDoc("models", "", functions),) if functions else ()
    return Report("models", modules, (), None, problems)


PAGE_TEXT = "# Shapes\n\nlstm: steps batch vocab\n"
SVG_TEXT = "<svg>lstm</svg>\n"
MYPY_SUCCESS = "Success: no issues found in 24 source files\n"


@dataclass
class World:
    """What the fake steps report; a test changes a field, then calls `run`."""

    tmp: Path
    findings: list[FakeFinding] = field(default_factory=list)
    conflicts: list[FakeStaticFinding] = field(default_factory=list)
    functions: int = 24
    covered: int = 24
    verdicts: list[FakeVerdict] = field(
        default_factory=lambda: [
            FakeVerdict("models.lstm.lstm", "verified", "ok", {"batch": 2}),
            FakeVerdict("models.gru.gru", "verified", "ok", {"batch": 2}),
        ]
    )
    mypy: tuple[int, str] = (0, MYPY_SUCCESS)
    generated: str = PAGE_TEXT
    generated_files: dict[str, str] = field(default_factory=lambda: {"shapes/lstm.svg": SVG_TEXT})
    docs_functions: tuple[FunctionDoc, ...] = ()  # what the docs generator reports on
    raises: dict[str, Exception] = field(default_factory=dict)  # step or "target" -> error
    mypy_commands: list[list[str]] = field(default_factory=list)

    @property
    def page(self) -> Path:
        return Path("docs/shapes.md")

    def commit_docs(self) -> None:
        (self.tmp / "docs/shapes").mkdir(parents=True, exist_ok=True)
        (self.tmp / "docs/shapes.md").write_text(PAGE_TEXT, encoding="utf-8")
        (self.tmp / "docs/shapes/lstm.svg").write_text(SVG_TEXT, encoding="utf-8")

    def _raise(self, what: str) -> None:
        if what in self.raises:
            raise self.raises[what]

    def lint(self, target: str) -> FakeLintResult:
        self._raise("lint")
        return FakeLintResult(tuple(self.findings), self.functions, self.covered)

    def check_target(self, target: str, *, walk: Any = None) -> FakeStaticResult:
        self._raise("static")
        return FakeStaticResult(list(self.conflicts), self.functions)

    def verify(
        self, target: str, *, symbolic: bool = False, walk: Any = None, registry: Any = None
    ) -> list[FakeVerdict]:
        self._raise("verify")
        return list(self.verdicts)

    def render(
        self,
        target: str,
        *,
        format: str,
        example: str | None,
        svg_dir: str | None,
        **scope: Any,
    ) -> FakeRendered:
        self._raise("docs")
        files = {
            name.replace("shapes/", f"{svg_dir}/", 1): text
            for name, text in self.generated_files.items()
        }
        report = docs_report(self.docs_functions)
        return FakeRendered(self.generated, files if svg_dir else {}, report)

    def run_process(self, command: list[str], timeout: float) -> ProcessOutput:
        self.mypy_commands.append(command)
        self._raise("mypy")
        return ProcessOutput(*self.mypy)

    def load_modules(
        self, target: str, walk: Any = None
    ) -> tuple[list[types.ModuleType], str | None]:
        self._raise("target")
        return [], None

    def run(self, **options: Any) -> tuple[int, str, str]:
        """(status, stdout, stderr), the steps' start and end lines taken out of
        stderr into `self.progress`."""
        out, err = io.StringIO(), io.StringIO()
        options.setdefault("docs_page", self.page)
        status = run_ci("models", out=out, err=err, **options)
        lines = err.getvalue().splitlines(keepends=True)
        self.progress = [line.rstrip("\n") for line in lines if PROGRESS.match(line)]
        return status, out.getvalue(), "".join(l for l in lines if not PROGRESS.match(l))


# A step's start and end on stderr: `shapecheck ci: lint ...`, `... lint passed in 0.1 s`.
PROGRESS = re.compile(r"^shapecheck ci: \w+ (\.\.\.|(passed|failed) in \d+\.\d s)$")


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> World:
    """Every step faked, in an empty working directory with the docs committed."""
    world = World(tmp_path)
    monkeypatch.chdir(tmp_path)
    world.commit_docs()
    lint_module = types.ModuleType("shapecheck._lint")
    lint_module.lint = world.lint  # type: ignore[attr-defined]
    verify_module = types.ModuleType("shapecheck._verify")
    verify_module.verify = world.verify  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "shapecheck._lint", lint_module)
    monkeypatch.setitem(sys.modules, "shapecheck._verify", verify_module)
    static_module = types.ModuleType("shapecheck._static._check")
    static_module.check_target = world.check_target  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "shapecheck._static._check", static_module)
    monkeypatch.setattr("shapecheck.docs._fresh.render", world.render)
    monkeypatch.setattr(_steps, "_run_process", world.run_process)
    monkeypatch.setattr(_command, "load_modules", world.load_modules)
    monkeypatch.setattr(_steps, "_mypy_installed", lambda: True)
    return world


def rows(out: str) -> dict[str, tuple[str, str]]:
    """The summary table: step -> (status, details)."""
    found = {}
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.split(" | ")]
        if len(cells) == 3 and cells[0] in STEPS:
            found[cells[0]] = (cells[1], cells[2])
    return found


def last_line(out: str) -> str:
    return out.rstrip("\n").splitlines()[-1]


# --- the table and the exit status ---------------------------------------------


def test_run_ci__all_pass_prints_only_the_table(world: World) -> None:
    status, out, err = world.run()
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        "step   | status | details",
        "-------+--------+" + "-" * 36,
        "lint   | PASS   | 0 findings, coverage 100.0% (24/24)",
        "mypy   | PASS   | no errors (24 files checked)",
        "static | PASS   | 0 conflicts in 24 functions",
        "verify | PASS   | 2 verified, 0 violated, 0 skipped",
        "docs   | PASS   | docs/shapes.md up to date (2 files)",
        "shapecheck ci: all 5 steps passed",
    ]


def _lint_fails(world: World) -> None:
    world.findings = [FakeFinding("models/lstm.py", 12, "SC101", "unannotated tensor")]
    world.covered = 21


def _mypy_fails(world: World) -> None:
    world.mypy = (
        1,
        'models/lstm.py:3: error: Name "x" is not defined  [name-defined]\n'
        "models/lstm.py:3: note: a note\n"
        "models/gru.py:9:5: error: Incompatible types  [assignment]\n"
        "Found 2 errors in 2 files (checked 24 source files)\n",
    )


def _static_fails(world: World) -> None:
    world.conflicts.append(
        FakeStaticFinding(
            "models/rnn.py", 7, "rnn", "return is `hiddens batch`, annotated `batch hiddens`"
        )
    )


def _verify_fails(world: World) -> None:
    world.verdicts.append(
        FakeVerdict("models.rnn.rnn", "violated", "return: expected 3 × 7", {"batch": 3}, "m.py", 4)
    )


def _docs_fails(world: World) -> None:
    world.generated = PAGE_TEXT.replace("vocab", "vocab hiddens")


FAILS = {
    "lint": _lint_fails,
    "mypy": _mypy_fails,
    "static": _static_fails,
    "verify": _verify_fails,
    "docs": _docs_fails,
}
SUMMARIES = {
    "lint": "1 finding, coverage 87.5% (21/24)",
    "mypy": "2 errors in 2 files (24 files checked)",
    "static": "1 conflict in 24 functions",
    "verify": "2 verified, 1 violated, 0 skipped",
    "docs": "1 of 2 files out of date",
}
DETAILS = {
    "lint": "models/lstm.py:12: SC101 unannotated tensor",
    "mypy": "models/gru.py:9:5: error: Incompatible types  [assignment]",
    "static": "models/rnn.py:7: rnn: return is `hiddens batch`, annotated `batch hiddens`",
    "verify": "violated: m.py:4: models.rnn.rnn: return: expected 3 × 7 [batch=3]",
    "docs": "+lstm: steps batch vocab hiddens",
}


@pytest.mark.parametrize("step", STEPS)
def test_run_ci__one_step_failing_alone_fails_the_run(world: World, step: str) -> None:
    FAILS[step](world)
    status, out, err = world.run()
    assert (status, err) == (1, "")
    table = rows(out)
    assert table[step] == ("FAIL", SUMMARIES[step])
    assert all(table[other][0] == "PASS" for other in STEPS if other != step)
    assert last_line(out) == f"shapecheck ci: 1 of 5 steps failed ({step})"
    assert f"== {step}: {SUMMARIES[step]}" in out.splitlines()
    assert DETAILS[step] in out.splitlines()


def test_run_ci__every_failure_is_named_in_order(world: World) -> None:
    for fail in FAILS.values():
        fail(world)
    status, out, _ = world.run()
    assert status == 1
    assert last_line(out) == (
        "shapecheck ci: 5 of 5 steps failed (lint, mypy, static, verify, docs)"
    )


def test_run_ci__skipped_verdicts_pass_and_are_listed(world: World) -> None:
    world.verdicts.append(FakeVerdict("models.train.train", "skipped", "no example", {}))
    status, out, _ = world.run()
    assert status == 0
    assert rows(out)["verify"] == ("PASS", "2 verified, 0 violated, 1 skipped")
    assert "skipped: models.train.train: no example" in out.splitlines()


@pytest.mark.parametrize(
    ("where", "error"),
    [
        ("target", TargetError("cannot import 'models': no module named 'models'")),
        ("lint", TargetError("target 'models' does not exist")),
        ("verify", TargetError("cannot import 'models': it called exit(3)")),
        ("docs", TargetError("cannot import 'models': ValueError: boom")),
    ],
    ids=["up-front", "in-lint", "in-verify", "in-docs"],
)
def test_run_ci__target_error_is_a_usage_error(
    world: World, tmp_path: Path, where: str, error: TargetError
) -> None:
    world.raises[where] = error
    status, out, err = world.run(junit=tmp_path / "report.xml")
    assert (status, out) == (2, "")
    assert err == f"shapecheck ci: error: {error}\n"
    assert not (tmp_path / "report.xml").exists()


def test_run_ci__real_missing_target_is_a_usage_error() -> None:
    out, err = io.StringIO(), io.StringIO()
    status = run_ci("no_such_module_for_ci", out=out, err=err)
    assert (status, out.getvalue()) == (2, "")
    assert "no module named 'no_such_module_for_ci'" in err.getvalue()


def test_run_ci__malformed_annotation_fails_its_step_only(world: World) -> None:
    world.raises["verify"] = AnnotationError('bad dim "**batch"')
    status, out, _ = world.run()
    assert status == 1
    assert rows(out)["verify"] == ("FAIL", 'malformed annotation: bad dim "**batch"')
    assert rows(out)["docs"][0] == "PASS"


def test_run_ci__missing_step_module_fails_the_step(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "shapecheck._lint", None)
    status, out, _ = world.run()
    assert status == 1
    assert rows(out)["lint"] == ("FAIL", "shapecheck._lint is not installed; cannot run this step")


# --- --skip ---------------------------------------------------------------------


def test_run_ci__skip_leaves_a_step_out(world: World) -> None:
    _mypy_fails(world)
    status, out, _ = world.run(skip={"mypy"})
    assert status == 0
    assert world.mypy_commands == []
    assert rows(out)["mypy"] == ("SKIP", "skipped (--skip)")
    assert last_line(out) == "shapecheck ci: all 4 steps passed; skipped: mypy"


def test_run_ci__skip_all_but_one(world: World) -> None:
    status, out, _ = world.run(skip={"mypy", "static", "verify", "docs"})
    assert status == 0
    assert last_line(out) == "shapecheck ci: 1 step passed; skipped: mypy, static, verify, docs"


@pytest.mark.parametrize(
    ("skip", "message"),
    [
        ({"typecheck"}, "unknown step 'typecheck' (steps: lint, mypy, static, verify, docs)"),
        ({"lint", "Docs"}, "unknown step 'Docs' (steps: lint, mypy, static, verify, docs)"),
        (set(STEPS), "every step is skipped; nothing to run"),
    ],
    ids=["unknown", "wrong-case", "everything"],
)
def test_run_ci__bad_skip_is_a_usage_error(world: World, skip: set[str], message: str) -> None:
    status, out, err = world.run(skip=skip)
    assert (status, out, err) == (2, "", f"shapecheck ci: error: {message}\n")


# --- JUnit XML ------------------------------------------------------------------


def test_junit__counts_cases_and_failure_messages(world: World, tmp_path: Path) -> None:
    world.findings = [
        FakeFinding("models/lstm.py", 12, "SC101", "unannotated tensor"),
        FakeFinding("models/gru.py", 3, "SC202", 'dims "a" & <b>'),
    ]
    world.verdicts.append(FakeVerdict("models.rnn.rnn", "violated", "expected 3", {"b": 3}))
    world.verdicts.append(FakeVerdict("models.train.train", "skipped", "no example", {}))
    report = tmp_path / "out" / "shapecheck.xml"
    status, _, _ = world.run(junit=report, skip={"mypy"})
    assert status == 1
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites"
    (suite,) = root
    assert suite.tag == "testsuite"
    assert list(suite.attrib) == ["name", "tests", "failures", "errors", "skipped", "time"]
    counts = {k: v for k, v in suite.attrib.items() if k != "time"}
    # 2 findings, mypy (skipped with --skip), static, 4 verdicts, docs
    assert counts == {
        "name": "shapecheck",
        "tests": "9",
        "failures": "3",
        "errors": "0",
        "skipped": "2",
    }
    assert float(suite.attrib["time"]) >= 0
    cases = [
        (case.attrib["classname"], case.attrib["name"], [(c.tag, c.get("message")) for c in case])
        for case in suite
    ]
    assert cases == [
        (
            "shapecheck.lint",
            "models/lstm.py:12 SC101",
            [("failure", "SC101 unannotated tensor")],
        ),
        ("shapecheck.lint", "models/gru.py:3 SC202", [("failure", 'SC202 dims "a" & <b>')]),
        ("shapecheck.mypy", "mypy", [("skipped", "left out with --skip")]),
        ("shapecheck.static", "static", []),
        ("shapecheck.verify", "models.lstm.lstm", []),
        ("shapecheck.verify", "models.gru.gru", []),
        ("shapecheck.verify", "models.rnn.rnn", [("failure", "expected 3")]),
        ("shapecheck.verify", "models.train.train", [("skipped", "no example")]),
        ("shapecheck.docs", "docs", []),
    ]
    assert suite[0][0].text == "models/lstm.py:12: SC101 unannotated tensor"


def test_junit__step_cases_carry_the_output(world: World, tmp_path: Path) -> None:
    _mypy_fails(world)
    world.mypy = (1, world.mypy[1] + "\x1b[31mcolour\x1b[0m\n")  # not allowed in XML 1.0
    _docs_fails(world)
    report = tmp_path / "shapecheck.xml"
    world.run(junit=report)
    suite = ET.parse(report).getroot()[0]
    by_class = {case.attrib["classname"]: case for case in suite}
    mypy_failure = by_class["shapecheck.mypy"][0]
    assert mypy_failure.get("message") == "2 errors in 2 files (24 files checked)"
    assert mypy_failure.text is not None and "\ufffd[31mcolour" in mypy_failure.text
    docs_failure = by_class["shapecheck.docs"][0]
    assert docs_failure.get("message") == "1 of 2 files out of date"
    assert docs_failure.text is not None and "+lstm: steps batch vocab hiddens" in docs_failure.text
    assert (suite.attrib["tests"], suite.attrib["failures"]) == ("6", "2")


# --- --github -------------------------------------------------------------------


def test_github__commands_for_every_problem(world: World) -> None:
    _lint_fails(world)
    _mypy_fails(world)
    _verify_fails(world)
    _docs_fails(world)
    world.verdicts.append(FakeVerdict("models.t.t", "skipped", "no example", {}, "models/t.py", 8))
    status, out, _ = world.run(github=True)
    assert status == 1
    commands = [line for line in out.splitlines() if line.startswith(("::error", "::warning"))]
    assert commands == [
        "::error file=models/lstm.py,line=12,title=shapecheck SC101::unannotated tensor",
        "::error file=models/lstm.py,line=3,title=shapecheck mypy::"
        'Name "x" is not defined  [name-defined]',
        "::error file=models/gru.py,line=9,title=shapecheck mypy::Incompatible types  [assignment]",
        "::error file=m.py,line=4,title=shapecheck verify::"
        "models.rnn.rnn: return: expected 3 × 7 [batch=3]",
        "::warning file=models/t.py,line=8,title=shapecheck verify skipped::models.t.t: no example",
        "::error file=docs/shapes.md,title=shapecheck docs::"
        "docs/shapes.md is out of date; run shapecheck docs models -o docs/shapes.md",
    ]
    assert "::group::lint: 1 finding, coverage 87.5%25 (21/24)" in out.splitlines()
    assert out.count("::group::") == out.count("::endgroup::") == 4


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        (
            Problem("a.py", 1, "SC1", "plain"),
            "::error file=a.py,line=1,title=shapecheck SC1::plain",
        ),
        (
            Problem("dir,x/b:c.py", 7, "SC2", "50% off\r\nsecond line, with: colon"),
            "::error file=dir%2Cx/b%3Ac.py,line=7,title=shapecheck SC2::"
            "50%25 off%0D%0Asecond line, with: colon",
        ),
        (
            Problem(None, None, "mypy", "mypy exited with status 2: crash"),
            "::error title=shapecheck mypy::mypy exited with status 2: crash",
        ),
        (
            Problem("c.py", None, "a,b:c%", "x"),
            "::error file=c.py,title=shapecheck a%2Cb%3Ac%25::x",
        ),
    ],
    ids=["plain", "escaped", "no-location", "escaped-title"],
)
def test_github_commands__format_and_escaping(problem: Problem, expected: str) -> None:
    result = StepResult("lint", False, "", problems=[problem])
    assert github_commands([result]) == [expected]


def test_github_commands__absolute_paths_under_the_working_dir_are_relative(
    world: World, tmp_path: Path
) -> None:
    world.findings = [FakeFinding(str(tmp_path / "models" / "a.py"), 2, "SC1", "m")]
    _, out, _ = world.run(github=True)
    assert "::error file=models/a.py,line=2,title=shapecheck SC1::m" in out.splitlines()


# --- mypy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "target", "expected"),
    [
        ({}, "mypkg", ["-p", "mypkg"]),
        ({}, "mypkg.sub:Model", ["-p", "mypkg.sub"]),
        ({}, "src/mypkg/mod.py", ["src/mypkg/mod.py"]),
        ({"mypkg/__init__.py": ""}, "mypkg", ["mypkg"]),
        (
            {"mypy.ini": "[mypy]\nstrict = True\nfiles = mypkg\n"},
            "mypkg",
            ["--config-file", "mypy.ini"],
        ),
        (
            {"mypy.ini": "[mypy]\nstrict = True\n"},
            "mypkg",
            ["--config-file", "mypy.ini", "-p", "mypkg"],
        ),
        ({".mypy.ini": "[mypy]\nfiles = a, b\n"}, "x", ["--config-file", ".mypy.ini"]),
        (
            {"pyproject.toml": '[tool.mypy]\nfiles = ["mypkg"]\n'},
            "mypkg",
            ["--config-file", "pyproject.toml"],
        ),
        ({"pyproject.toml": "[project]\nname = 'p'\n"}, "mypkg", ["-p", "mypkg"]),
        (
            {"setup.cfg": "[mypy]\nwarn_unused_ignores = True\n"},
            "mypkg",
            ["--config-file", "setup.cfg", "-p", "mypkg"],
        ),
        ({"mypy.ini": "not an ini file"}, "mypkg", ["--config-file", "mypy.ini", "-p", "mypkg"]),
    ],
    ids=[
        "module",
        "module-object",
        "file",
        "package-folder",
        "ini-with-files",
        "ini-without-files",
        "dot-ini",
        "pyproject",
        "pyproject-without-mypy",
        "setup-cfg",
        "broken-ini",
    ],
)
def test_mypy_command__config_and_target(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    target: str,
    expected: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert mypy_command(target) == [
        sys.executable,
        "-m",
        "mypy",
        "--no-pretty",
        "--no-color-output",
        *expected,
    ]


def test_mypy_command__the_project_config_runs_as_configured() -> None:
    assert mypy_command("models", ROOT)[-2:] == ["--config-file", "mypy.ini"]


@pytest.mark.parametrize(
    ("mypy", "summary", "problems"),
    [
        (
            (2, "mypy: error: Missing target module, package, files, or command.\n"),
            "mypy exited with status 2: mypy: error: Missing target module, package, files, "
            "or command.",
            1,
        ),
        ((1, ""), "mypy exited with status 1: no output", 1),
        (
            (
                1,
                "a.py:1:2:1:5: error: Bad  [misc]\nFound 1 error in 1 file (checked 1 source file)",
            ),
            "1 error in 1 file (1 file checked)",
            1,
        ),
    ],
    ids=["usage-error", "no-output", "error-end-columns"],
)
def test_run_mypy__failures_without_the_usual_output(
    world: World, mypy: tuple[int, str], summary: str, problems: int
) -> None:
    world.mypy = mypy
    result = _ci.run_mypy("models")
    assert (result.ok, result.summary, len(result.problems)) == (False, summary, problems)
    assert result.details[0].startswith("$ python -m mypy --no-pretty")


def test_run_mypy__timeout(world: World) -> None:
    world.raises["mypy"] = subprocess.TimeoutExpired(["mypy"], 600)
    status, out, _ = world.run()
    assert status == 1
    assert rows(out)["mypy"] == ("FAIL", "timed out after 600 s")


def test_run_mypy__not_installed(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_steps, "_mypy_installed", lambda: False)
    status, out, _ = world.run()
    assert status == 1
    assert rows(out)["mypy"] == ("FAIL", "mypy is not installed")
    assert "install it or use --skip mypy" in out
    assert world.mypy_commands == []


def test_run_process__runs_the_command() -> None:
    status, output = _steps._run_process([sys.executable, "-c", "print('hi'); exit(3)"], 60)
    assert (status, output) == (3, "hi\n")


# --- docs -----------------------------------------------------------------------


def test_docs_differences__up_to_date(world: World) -> None:
    assert docs_differences("models", world.page) == []


def test_docs_differences__one_chunk_per_file(world: World) -> None:
    world.generated = PAGE_TEXT.replace("vocab", "vocab hiddens")
    world.generated_files = {"shapes/lstm.svg": "<svg>new</svg>", "shapes/gru.svg": SVG_TEXT}
    (world.tmp / "docs/shapes/old.svg").write_text("<svg/>", encoding="utf-8")
    page, svg, new, stale = docs_differences("models", world.page)
    assert page.splitlines() == [
        "--- docs/shapes.md (committed)",
        "+++ docs/shapes.md (generated)",
        "@@ -1,3 +1,3 @@",
        " # Shapes",
        " ",
        "-lstm: steps batch vocab",
        "+lstm: steps batch vocab hiddens",
    ]
    assert svg.splitlines()[-3:] == [
        "-<svg>lstm</svg>",
        "+<svg>new</svg>",
        "\\ No newline at end of file",
    ]
    assert new.splitlines()[:2] == [
        "--- docs/shapes/gru.svg (committed)",
        "+++ docs/shapes/gru.svg (generated)",
    ]
    assert stale == "docs/shapes/old.svg: stale file, no longer generated"


def test_docs_differences__missing_page(world: World) -> None:
    assert docs_differences("models", Path("docs/other.md")) == [
        "docs/other.md does not exist; run shapecheck docs models -o docs/other.md"
    ]


def test_docs_differences__html_has_no_diagrams(world: World) -> None:
    (world.tmp / "docs/shapes.html").write_text(PAGE_TEXT, encoding="utf-8")
    assert docs_differences("models", Path("docs/shapes.html"), format="html") == []


@pytest.mark.parametrize(
    ("change", "summary"),
    [
        ("missing", "docs/shapes.md does not exist"),
        ("stale", "1 stale file"),
        ("problem", "1 generator problem"),
        ("svg", "1 of 2 files out of date"),
    ],
    ids=["missing", "stale", "problem", "svg"],
)
def test_run_ci__docs_failures(world: World, change: str, summary: str) -> None:
    if change == "missing":
        (world.tmp / "docs/shapes.md").unlink()
    elif change == "stale":
        (world.tmp / "docs/shapes/old.svg").write_text("<svg/>", encoding="utf-8")
    elif change == "problem":
        world.docs_functions = (
            function_doc(failed_run("models/lstm.py", 84, "lstm", "no example sizes")),
        )
    else:
        world.generated_files = {"shapes/lstm.svg": "<svg>changed</svg>\n"}
    status, out, _ = world.run(github=True)
    assert status == 1
    assert rows(out)["docs"] == ("FAIL", summary)
    expected = {
        "missing": "::error title=shapecheck docs::docs/shapes.md does not exist; "
        "run shapecheck docs models -o docs/shapes.md",
        "stale": "::error file=docs/shapes/old.svg,title=shapecheck docs::docs/shapes/old.svg "
        "is no longer generated; run shapecheck docs models -o docs/shapes.md",
        "problem": "::error file=models/lstm.py,line=84,title=shapecheck docs::"
        "lstm: no example sizes",
        "svg": "::error file=docs/shapes/lstm.svg,title=shapecheck docs::docs/shapes/lstm.svg "
        "is out of date; run shapecheck docs models -o docs/shapes.md",
    }[change]
    assert expected in out.splitlines()


def test_run_ci__docs_problem_is_shown_with_its_location(world: World) -> None:
    world.docs_functions = (
        function_doc(failed_run("models/lstm.py", 84, "lstm", "no example sizes")),
    )
    _, out, _ = world.run()
    assert "problem: models/lstm.py:84: lstm: no example sizes" in out.splitlines()


@dataclass(frozen=True)
class ProblemsCase:
    """A docs Report, and the located problems read from it."""

    id: str
    report: Report
    expected: tuple[DocsProblem, ...]


MALFORMED = DocsProblem("annotation", "models/x.py", 12, "f", "invalid dimension string 'a|b'")
BOOM = failed_run("models/lstm.py", 84, "lstm", "example run failed: boom")
RUN_A = failed_run("m/a.py", 3, "a", "example run failed: A")
BAD_B = DocsProblem("annotation", "m/b.py", 9, "b", "bad")
IN_A_STRING = failed_run("<string>", 1, "g", "example run failed: G")
PROBLEMS_CASES = [
    ProblemsCase("example-run-failed", docs_report((function_doc(BOOM),)), (BOOM,)),
    ProblemsCase(
        "malformed-annotation-listed-once",
        docs_report((function_doc(MALFORMED),), (MALFORMED,)),
        (MALFORMED,),
    ),
    ProblemsCase(
        "target-wide-first",
        docs_report((function_doc(RUN_A), function_doc(BAD_B)), (BAD_B,)),
        (BAD_B, RUN_A),
    ),
    ProblemsCase("no-function-owns-it", docs_report((), (MALFORMED,)), (MALFORMED,)),
    # Code run from a string: its file is what its code object names.
    ProblemsCase("defined-in-a-string", docs_report((function_doc(IN_A_STRING),)), (IN_A_STRING,)),
]


@pytest.mark.parametrize("case", PROBLEMS_CASES, ids=[case.id for case in PROBLEMS_CASES])
def test_problems_of__located(case: ProblemsCase) -> None:
    assert problems_of(case.report) == case.expected


@pytest.mark.parametrize("case", PROBLEMS_CASES, ids=[case.id for case in PROBLEMS_CASES])
def test_problems_of__words_of_render(case: ProblemsCase, monkeypatch: pytest.MonkeyPatch) -> None:
    import shapecheck.docs

    monkeypatch.setattr(shapecheck.docs, "build_report", lambda target, example, **_: case.report)
    rendered = shapecheck.docs.render("models", svg_dir=None)
    assert problems_of(case.report) == rendered.problems


def test_docs_problem__text() -> None:
    assert str(failed_run("a.py", 3, "f", "m")) == "a.py:3: f: m"
    assert str(DocsProblem("annotation", "a.py", 3, "f", "m")) == "a.py:3: f: m"
    assert failed_run("a.py", 3, "f", "m").message == "f: m"


def test_run_ci__docs_page_option(world: World) -> None:
    (world.tmp / "site").mkdir()
    (world.tmp / "site/ref.md").write_text(PAGE_TEXT, encoding="utf-8")
    status, out, _ = world.run(docs_page=Path("site/ref.md"))
    assert status == 1  # its diagrams belong in site/ref/, which is empty
    assert rows(out)["docs"] == ("FAIL", "1 of 2 files out of date")
    (world.tmp / "site/ref").mkdir()
    (world.tmp / "site/ref/lstm.svg").write_text(SVG_TEXT, encoding="utf-8")
    assert world.run(docs_page=Path("site/ref.md"))[0] == 0


# --- the pieces -----------------------------------------------------------------


def test_summary_table__aligned_with_the_verdict_line() -> None:
    results = [
        StepResult("lint", True, "0 findings"),
        StepResult("mypy", True, "skipped (--skip)", skipped=True),
        StepResult("verify", False, "1 violated"),
    ]
    assert summary_table(results) == [
        "step   | status | details",
        "-------+--------+-----------------",
        "lint   | PASS   | 0 findings",
        "mypy   | SKIP   | skipped (--skip)",
        "verify | FAIL   | 1 violated",
        "shapecheck ci: 1 of 2 steps failed (verify); skipped: mypy",
    ]


@pytest.mark.parametrize(
    ("argv", "options"),
    [
        (
            [],
            {
                "target": "models",
                "docs_page": Path("docs/shapes.md"),
                "skip": set(),
                "junit": None,
                "github": False,
            },
        ),
        (
            ["pkg", "--docs", "d/p.md", "--skip", "mypy", "--skip", "docs", "--junit", "r.xml"]
            + ["--github"],
            {
                "target": "pkg",
                "docs_page": Path("d/p.md"),
                "skip": {"mypy", "docs"},
                "junit": Path("r.xml"),
                "github": True,
            },
        ),
    ],
    ids=["defaults", "every-option"],
)
def test_add_arguments__options(
    argv: list[str], options: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default target is `packages` of the repository's own [tool.shapecheck].
    monkeypatch.chdir(ROOT)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(argv)
    found = dict(ci_options(args, project_from(args)))
    scope = found.pop("scope")
    assert found == options
    assert isinstance(scope, Scope) and scope.registry is None and scope.lint_ignore == ()
    assert scope.walk.exclude == () and not scope.walk.strict_imports


def test_add_arguments__unknown_skip_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="shapecheck ci")
    add_arguments(parser)
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(["--skip", "typecheck"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'typecheck'" in capsys.readouterr().err


def test_pre_commit_hooks__both_hooks_declared() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    hooks = text.split("\n- ")[1:]
    assert len(hooks) == 2
    ci, lint = (dict(_yaml_pairs(block)) for block in hooks)
    assert ci["id"] == "shapecheck-ci" and ci["entry"] == "shapecheck ci"
    assert (ci["language"], ci["pass_filenames"], ci["types"]) == ("python", "false", "[python]")
    assert lint["id"] == "shapecheck-lint" and lint["entry"] == "shapecheck lint"
    assert lint["pass_filenames"] == "false"


def _yaml_pairs(block: str) -> list[tuple[str, str]]:
    pairs = []
    for line in block.splitlines():
        key, _, value = line.strip().partition(":")
        if value and not line.strip().startswith("#"):
            pairs.append((key, value.strip()))
    return pairs


def test_docs_ci__every_command_shown_parses() -> None:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = text.split("```")[1::2]  # the fenced blocks
    commands = [
        match[1].split()
        for block in blocks
        for match in re.finditer(r"\bshapecheck ci(?=[ \n])([^\n#]*)", block)
    ]
    assert len(commands) >= 3
    parser = argparse.ArgumentParser(exit_on_error=False)
    add_arguments(parser)
    for argv in commands:
        parser.parse_args(argv)


# --- the real steps -------------------------------------------------------------


def test_run_ci__real_steps_pass_on_the_models(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for module in ("shapecheck._lint", "shapecheck._verify"):
        try:
            found = importlib.util.find_spec(module) is not None
        except ImportError:
            found = False
        if not found:
            pytest.skip(f"{module} is not there yet")
    monkeypatch.chdir(ROOT)
    out, err = io.StringIO(), io.StringIO()
    report = tmp_path / "shapecheck.xml"
    status = run_ci(
        "models",
        docs_page=Path("docs/shapes.md"),
        skip={"mypy"},
        junit=report,
        github=True,
        out=out,
        err=err,
    )
    progress = err.getvalue().splitlines()
    assert status == 0 and all(PROGRESS.match(line) for line in progress), err.getvalue()
    assert len(progress) == 8, progress  # each of the four steps starts and ends
    assert last_line(out.getvalue()) == "shapecheck ci: all 4 steps passed; skipped: mypy"
    suite = ET.parse(report).getroot()[0]
    assert suite.attrib["failures"] == "0"
    assert int(suite.attrib["tests"]) > 4


def test_run_ci__each_step_says_when_it_starts_and_ends(world: World) -> None:
    world.findings = [FakeFinding("models/lstm.py", 3, "SC201", "a bare Tensor")]
    status, _, err = world.run(skip={"mypy"})
    assert (status, err) == (1, "")
    names = [line.split()[2] for line in world.progress]
    assert names == ["lint", "lint", "static", "static", "verify", "verify", "docs", "docs"]
    assert world.progress[0] == "shapecheck ci: lint ..."
    assert re.fullmatch(r"shapecheck ci: lint failed in \d+\.\d s", world.progress[1])
    assert re.fullmatch(r"shapecheck ci: verify passed in \d+\.\d s", world.progress[5])
