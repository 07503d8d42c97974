"""linear_operator 0.6's own test suite, plain and under two import hooks.

The vendored upstream tests (`linear_operator/test/operators` and
`test/functions`) run three times, each in its own pytest process:

- plain;
- `--jaxtyping-packages=linear_operator.operators,beartype.beartype`, the
  reference engine;
- `--shapecheck-packages=linear_operator.operators`.

Every test's outcome comes from the run's JUnit XML. Two invariants hold when
shapecheck agrees with the reference: no test fails under shapecheck that
passes under jaxtyping (no false alarm), and shapecheck fails at least 90% of
the tests that jaxtyping fails (coverage). Wall times are reported, never
judged. Exit status: 0 when every invariant holds, 1 otherwise.

    .venv/bin/python tests/thirdparty/run_linear_operator.py --serial \\
        --markdown docs/thirdparty.md --json build/thirdparty.json

With `--survey FILE` it runs the suite once instead, under shapecheck's hook
in survey mode (`--shapecheck-mode=warn`), and writes every function that
violated its annotations, with its count, to FILE as Markdown. Every test must
pass there (a failure means a violation was raised, not recorded): exit
status 0 when they do, 1 otherwise.

    .venv/bin/python tests/thirdparty/run_linear_operator.py --survey build/survey.md

Needs `requirements-thirdparty.txt` installed (`make thirdparty` does it).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import enum
import importlib.metadata
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

SUITE = Path(__file__).resolve().parent / "linear_operator"
# The suite's own ini: shapecheck's pyproject.toml (`filterwarnings = error`)
# must not apply to upstream tests, which warn.
INI = SUITE / "pytest.ini"
PATHS = ("test/operators", "test/functions")
MIN_COVERAGE = 0.90
TIMING_TARGET = 1.5
TABLE_ROWS = 30  # groups shown per Markdown table; the JSON holds them all


class Mode(enum.Enum):
    PLAIN = "plain"
    JAXTYPING = "jaxtyping"
    SHAPECHECK = "shapecheck"


HOOK_ARGS: dict[Mode, tuple[str, ...]] = {
    Mode.PLAIN: (),
    Mode.JAXTYPING: ("--jaxtyping-packages=linear_operator.operators,beartype.beartype",),
    Mode.SHAPECHECK: ("--shapecheck-packages=linear_operator.operators",),
}


class Outcome(enum.Enum):
    PASSED = "passed"
    FAILED = "failed"  # a failure or an error, in the test or its set-up
    SKIPPED = "skipped"


@dataclass(frozen=True)
class CaseResult:
    outcome: Outcome
    message: str  # the first failure's message; "" unless failed


@dataclass(frozen=True)
class Run:
    mode: Mode
    results: Mapping[str, CaseResult]  # by test id, `module.Class::test`
    wall_s: float
    returncode: int

    def ids(self, outcome: Outcome) -> set[str]:
        return {test for test, result in self.results.items() if result.outcome is outcome}

    @property
    def completed(self) -> bool:
        """pytest ran the tests to the end: 0 all passed, 1 some failed."""
        return self.returncode in (0, 1) and bool(self.results)


@dataclass(frozen=True)
class Group:
    count: int
    first_line: str
    example_test: str
    example_message: str


@dataclass(frozen=True)
class Comparison:
    false_alarms: list[str]  # fail under shapecheck, pass under jaxtyping
    missed: list[str]  # fail under jaxtyping, pass under shapecheck
    both: list[str]
    plain_failures: list[str]
    coverage: float  # |fail_sc & fail_jt| / |fail_jt|, 1.0 when jaxtyping fails none
    invariant_failures: list[str]

    @property
    def ok(self) -> bool:
        return not self.invariant_failures


def parse_junit(path: Path) -> dict[str, CaseResult]:
    """Each test case of a JUnit XML file, once, subtests folded into their test."""
    results: dict[str, CaseResult] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        test = f"{case.get('classname', '')}::{case.get('name', '')}"
        failures = [child for child in case if child.tag in ("failure", "error")]
        if failures:
            message = failures[0].get("message") or (failures[0].text or "").strip()
            results[test] = CaseResult(Outcome.FAILED, message)
        elif any(child.tag == "skipped" for child in case):
            results[test] = CaseResult(Outcome.SKIPPED, "")
        else:
            results[test] = CaseResult(Outcome.PASSED, "")
    return results


def run_suite(
    mode: Mode,
    workdir: Path,
    select: str | None,
    timeout_s: float,
    extra: tuple[str, ...] = (),
) -> Run:
    """One pytest process over the vendored suite, one torch thread; `extra`:
    more pytest options."""
    junit = workdir / f"{mode.value}.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(INI),
        "--rootdir",
        str(SUITE),
        "--tb=no",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={junit}",
        *HOOK_ARGS[mode],
        *extra,
        *(("-k", select) if select else ()),
        *PATHS,
    ]
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    env.pop("SHAPECHECK", None)  # SHAPECHECK=0 would turn the hook into a no-op
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            cwd=SUITE,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=timeout_s,
        )
        returncode, stderr = done.returncode, done.stderr
    except subprocess.TimeoutExpired:
        returncode, stderr = -1, f"timed out after {timeout_s:.0f} s"
    wall_s = time.perf_counter() - start
    if stderr.strip():
        print(f"[{mode.value}] {stderr.strip()}", file=sys.stderr)
    results = parse_junit(junit) if junit.exists() else {}
    return Run(mode, results, wall_s, returncode)


def run_all(serial: bool, select: str | None, timeout_s: float) -> dict[Mode, Run]:
    with tempfile.TemporaryDirectory(prefix="thirdparty-") as tmp:
        workdir = Path(tmp)
        if serial:
            return {mode: run_suite(mode, workdir, select, timeout_s) for mode in Mode}
        with concurrent.futures.ThreadPoolExecutor(len(Mode)) as pool:
            futures = {
                mode: pool.submit(run_suite, mode, workdir, select, timeout_s) for mode in Mode
            }
            return {mode: future.result() for mode, future in futures.items()}


def compare(runs: Mapping[Mode, Run]) -> Comparison:
    plain, jt, sc = runs[Mode.PLAIN], runs[Mode.JAXTYPING], runs[Mode.SHAPECHECK]
    fail_jt, fail_sc = jt.ids(Outcome.FAILED), sc.ids(Outcome.FAILED)
    false_alarms = sorted(fail_sc & jt.ids(Outcome.PASSED))
    coverage = len(fail_sc & fail_jt) / len(fail_jt) if fail_jt else 1.0
    problems = [
        f"{run.mode.value}: pytest exited {run.returncode}"
        for run in runs.values()
        if not run.completed
    ]
    if plain.ids(Outcome.FAILED):
        problems.append(f"{len(plain.ids(Outcome.FAILED))} tests fail without any hook")
    if false_alarms:
        problems.append(f"{len(false_alarms)} false alarms (fail under shapecheck only)")
    if coverage < MIN_COVERAGE:
        problems.append(f"coverage {coverage:.1%} < {MIN_COVERAGE:.0%}")
    return Comparison(
        false_alarms=false_alarms,
        missed=sorted(fail_jt & sc.ids(Outcome.PASSED)),
        both=sorted(fail_sc & fail_jt),
        plain_failures=sorted(plain.ids(Outcome.FAILED)),
        coverage=coverage,
        invariant_failures=problems,
    )


def group_by_first_line(tests: Iterable[str], run: Run) -> list[Group]:
    """The failures of `tests` in `run`, by the first line of their message, largest first."""
    examples: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for test in sorted(tests):
        first_line = run.results[test].message.partition("\n")[0].strip()
        counts[first_line] += 1
        examples.setdefault(first_line, test)
    return [
        Group(count, line, examples[line], run.results[examples[line]].message)
        for line, count in counts.most_common()
    ]


def _ratio(run: Run, plain: Run) -> float:
    return run.wall_s / plain.wall_s if plain.wall_s else float("nan")


def _cell(text: str, limit: int = 240) -> str:
    """One table cell: lines joined, object addresses dropped (they change every run)."""
    flat = " ⏎ ".join(line.strip() for line in text.splitlines() if line.strip())
    flat = re.sub(r" (object )?at 0x[0-9a-f]+", "", flat)
    flat = flat if len(flat) <= limit else flat[: limit - 1] + "…"
    return flat.replace("|", "\\|").replace("`", "'")


def _versions() -> str:
    names = ("linear_operator", "torch", "jaxtyping", "beartype", "shapecheck")
    found = []
    for name in names:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def markdown(runs: Mapping[Mode, Run], result: Comparison, serial: bool, load: str) -> str:
    plain = runs[Mode.PLAIN]
    lines = [
        "# linear_operator 0.6 under the import hooks",
        "",
        "Written by `tests/thirdparty/run_linear_operator.py`. linear_operator's own tests "
        f"(`{'`, `'.join(PATHS)}`, vendored in `tests/thirdparty/linear_operator/`) run "
        "plain, under jaxtyping's import hook (with beartype, the reference engine) and "
        "under shapecheck's, one torch thread each.",
        "",
        f"- command: `.venv/bin/python tests/thirdparty/{Path(sys.argv[0]).name} "
        f"{' '.join(sys.argv[1:])}`",
        "- each run: `pytest test/operators test/functions --tb=no -q`, "
        "OMP_NUM_THREADS=1 (and MKL, OpenBLAS)",
        f"- versions: {_versions()}, python {platform.python_version()}",
        f"- runs: {'one after another' if serial else 'in parallel (timings not comparable)'}; "
        f"{os.cpu_count()} CPUs, load average at start {load}",
        "",
        "| run | tests | passed | failed | skipped | wall (s) | × plain |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs.values():
        lines.append(
            f"| {run.mode.value} | {len(run.results)} | {len(run.ids(Outcome.PASSED))} "
            f"| {len(run.ids(Outcome.FAILED))} | {len(run.ids(Outcome.SKIPPED))} "
            f"| {run.wall_s:.1f} | {_ratio(run, plain):.2f} |"
        )
    sc_ratio = _ratio(runs[Mode.SHAPECHECK], plain)
    lines += [
        "",
        "| invariant | value | required | holds |",
        "| --- | ---: | ---: | :---: |",
        f"| false alarms (fail under shapecheck, pass under jaxtyping) "
        f"| {len(result.false_alarms)} | 0 | {'yes' if not result.false_alarms else '**no**'} |",
        f"| coverage (fail under both / fail under jaxtyping) | {result.coverage:.1%} "
        f"| ≥ {MIN_COVERAGE:.0%} | {'yes' if result.coverage >= MIN_COVERAGE else '**no**'} |",
        f"| failures without a hook | {len(result.plain_failures)} | 0 "
        f"| {'yes' if not result.plain_failures else '**no**'} |",
        f"| wall time shapecheck / plain (reported, not enforced) | {sc_ratio:.2f} "
        f"| ≤ {TIMING_TARGET} | {'yes' if sc_ratio <= TIMING_TARGET else 'no'} |",
    ]
    sections = [
        ("Fail under shapecheck, pass under jaxtyping", result.false_alarms, Mode.SHAPECHECK),
        ("Fail under jaxtyping, pass under shapecheck", result.missed, Mode.JAXTYPING),
        ("Fail under both (jaxtyping's message)", result.both, Mode.JAXTYPING),
        ("Fail without a hook", result.plain_failures, Mode.PLAIN),
    ]
    for title, tests, mode in sections:
        if not tests:
            continue
        groups = group_by_first_line(tests, runs[mode])
        lines += [
            "",
            f"## {title}: {len(tests)}",
            "",
            "| tests | first line of the message | example test | rest of its message |",
            "| ---: | --- | --- | --- |",
        ]
        for group in groups[:TABLE_ROWS]:
            rest = group.example_message.partition("\n")[2]
            lines.append(
                f"| {group.count} | {_cell(group.first_line)} | `{group.example_test}` "
                f"| {_cell(rest)} |"
            )
        if len(groups) > TABLE_ROWS:
            hidden = sum(group.count for group in groups[TABLE_ROWS:])
            lines.append(f"| {hidden} | … {len(groups) - TABLE_ROWS} more groups | | |")
    return "\n".join(lines) + "\n"


def summary(runs: Mapping[Mode, Run], result: Comparison, serial: bool, load: str) -> object:
    def groups(tests: Iterable[str], mode: Mode) -> list[dict[str, object]]:
        return [
            {
                "count": g.count,
                "first_line": g.first_line,
                "example_test": g.example_test,
                "example_message": g.example_message,
            }
            for g in group_by_first_line(tests, runs[mode])
        ]

    plain = runs[Mode.PLAIN]
    return {
        "serial": serial,
        "load_average_at_start": load,
        "runs": {
            run.mode.value: {
                "returncode": run.returncode,
                "tests": len(run.results),
                **{o.value: len(run.ids(o)) for o in Outcome},
                "wall_s": round(run.wall_s, 2),
                "ratio_to_plain": round(_ratio(run, plain), 3),
            }
            for run in runs.values()
        },
        "coverage": round(result.coverage, 4),
        "false_alarms": len(result.false_alarms),
        "missed": len(result.missed),
        "invariants_hold": result.ok,
        "invariant_failures": result.invariant_failures,
        "false_alarm_groups": groups(result.false_alarms, Mode.SHAPECHECK),
        "missed_groups": groups(result.missed, Mode.JAXTYPING),
        "both_groups": groups(result.both, Mode.JAXTYPING),
        "plain_failure_groups": groups(result.plain_failures, Mode.PLAIN),
    }


@dataclass(frozen=True)
class Surveyed:
    """One function's violations in survey mode, all its paths together."""

    function: str
    count: int
    paths: list[tuple[str, int]]  # (path, count), most frequent first
    first_test: str | None  # of its most frequent path
    message: str  # the first line of that path's message


def by_function(violations: Iterable[Mapping[str, object]]) -> list[Surveyed]:
    """shapecheck's JSON report, one row per (function, path), folded by function."""
    paths: dict[str, list[Mapping[str, object]]] = {}
    for violation in violations:
        paths.setdefault(str(violation["function"]), []).append(violation)
    found = []
    for function, rows in paths.items():
        rows = sorted(rows, key=lambda row: -int(str(row["count"])))
        top = rows[0]
        found.append(
            Surveyed(
                function=function,
                count=sum(int(str(row["count"])) for row in rows),
                paths=[(str(row["path"]), int(str(row["count"]))) for row in rows],
                first_test=None if top["first_test"] is None else str(top["first_test"]),
                message=str(top["message"]).partition("\n")[0],
            )
        )
    return sorted(found, key=lambda f: (-f.count, f.function))


def run_survey(select: str | None, timeout_s: float) -> tuple[Run, list[Surveyed]]:
    """The suite once, under shapecheck's hook in survey mode."""
    with tempfile.TemporaryDirectory(prefix="thirdparty-survey-") as tmp:
        report = Path(tmp) / "survey.json"
        extra = ("--shapecheck-mode=warn", f"--shapecheck-report={report}")
        run = run_suite(Mode.SHAPECHECK, Path(tmp), select, timeout_s, extra)
        violations = json.loads(report.read_text(encoding="utf-8")) if report.exists() else []
    return run, by_function(violations)


def survey_markdown(run: Run, found: list[Surveyed], load: str) -> str:
    total = sum(f.count for f in found)
    lines = [
        "# linear_operator 0.6 under shapecheck's hook, survey mode",
        "",
        "Written by `tests/thirdparty/run_linear_operator.py --survey`. linear_operator's "
        f"own tests (`{'`, `'.join(PATHS)}`) run once under "
        "`--shapecheck-packages=linear_operator.operators --shapecheck-mode=warn`: every "
        "violation is recorded, none raised, so every test passes as it does without a hook.",
        "",
        f"- command: `.venv/bin/python tests/thirdparty/{Path(sys.argv[0]).name} "
        f"{' '.join(sys.argv[1:])}`",
        f"- versions: {_versions()}, python {platform.python_version()}",
        f"- {os.cpu_count()} CPUs, load average at start {load}",
        "",
        "| tests | passed | failed | skipped | wall (s) | violations | functions |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {len(run.results)} | {len(run.ids(Outcome.PASSED))} "
        f"| {len(run.ids(Outcome.FAILED))} | {len(run.ids(Outcome.SKIPPED))} "
        f"| {run.wall_s:.1f} | {total} | {len(found)} |",
        "",
        "## Violations by function, most frequent first",
        "",
    ]
    if not found:
        return "\n".join([*lines, "No shape violations."]) + "\n"
    lines += [
        "| function | count | paths (count) | first test | first line of the message |",
        "| --- | ---: | --- | --- | --- |",
    ]
    for f in found:
        paths = ", ".join(f"`{path}` ({count})" for path, count in f.paths)
        lines.append(
            f"| `{f.function}` | {f.count} | {paths} | `{f.first_test}` | {_cell(f.message)} |"
        )
    return "\n".join(lines) + "\n"


def survey_main(path: Path, select: str | None, timeout_s: float) -> int:
    load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    run, found = run_survey(select, timeout_s)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(survey_markdown(run, found, load), encoding="utf-8")
    failed = run.ids(Outcome.FAILED)
    print(
        f"survey: {len(run.results)} tests, {len(run.ids(Outcome.PASSED))} passed, "
        f"{len(failed)} failed, {len(run.ids(Outcome.SKIPPED))} skipped in {run.wall_s:.1f} s; "
        f"{sum(f.count for f in found)} violations in {len(found)} functions; written to {path}"
    )
    for f in found[:10]:
        print(f"{f.count:>8}  {f.function}")
    if not run.completed:
        print(f"survey: pytest exited {run.returncode}", file=sys.stderr)
    for test in sorted(failed)[:10]:
        print(f"failed in survey mode: {test}: {run.results[test].message}", file=sys.stderr)
    return 0 if run.completed and not failed else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument(
        "--serial", action="store_true", help="one run after another, for comparable wall times"
    )
    parser.add_argument("-k", dest="select", metavar="EXPR", help="pytest -k, for a subset")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write the report here")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the summary here")
    parser.add_argument(
        "--timeout", type=float, default=540, metavar="S", help="per run (default 540)"
    )
    parser.add_argument(
        "--survey",
        type=Path,
        metavar="FILE",
        help="instead: run once under shapecheck's hook in survey mode and write the "
        "violating functions, with their counts, to FILE as Markdown",
    )
    args = parser.parse_args(argv)
    if args.survey is not None:
        return survey_main(args.survey, args.select, args.timeout)

    load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    runs = run_all(args.serial, args.select, args.timeout)
    result = compare(runs)
    report = markdown(runs, result, args.serial, load)
    print(report.split("\n## ", 1)[0].rstrip())  # the tables; the groups go to the files
    for path, text in (
        (args.markdown, report),
        (args.json, json.dumps(summary(runs, result, args.serial, load), indent=2) + "\n"),
    ):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for problem in result.invariant_failures:
        print(f"invariant failed: {problem}", file=sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
