"""Wall time of the CLI's commands on the bundled models, against importing torch.

Five commands run in fresh interpreters, in one run, their repeats
interleaved (all five once, then all five again, ...) so that load from
other processes weighs on each alike:

- `python -c "import torch"`: the floor every command pays;
- `shapecheck docs models -o <tmp>/shapes.md`;
- `shapecheck verify models`;
- `shapecheck ci models --skip mypy --docs <tmp>/shapes.md` (docs written
  first, so that its freshness check passes);
- `docs, full teardown`: the docs command again, through `main` with the
  usual interpreter exit instead of the program's quick exit, to show what
  the quick exit saves (no target; the row is there to be read).

Each command's time is the median over repeats; the ratio is that median
over the torch import's. Targets: docs ≤ 1.5, verify ≤ 1.5, ci ≤ 2.0. The
ratios are reported, not asserted.

    python benchmarks/cli_speed.py [--repeats N] [--markdown PATH]

Exit status: 0 when every command ran (whatever the ratios), 1 when one
failed, 2 on a bad argument.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple, NoReturn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import (  # noqa: E402
    base_environment,
    interleaved,
    positive_int,
    publish,
    timed_run,
)

TARGETS = {"docs": 1.5, "verify": 1.5, "ci": 2.0}


class Command(NamedTuple):
    name: str
    argv: list[str]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"cli_speed.py: {message}\n")


# `main` with the interpreter's own exit: `python -c` passes the arguments after it.
_USUAL_EXIT = "import sys; from shapecheck.cli import main; sys.exit(main())"


def commands(folder: Path) -> list[Command]:
    cli = [sys.executable, "-m", "shapecheck.cli"]
    page = str(folder / "shapes.md")
    return [
        Command("import torch", [sys.executable, "-c", "import torch"]),
        Command("docs", [*cli, "docs", "models", "-o", page]),
        Command("verify", [*cli, "verify", "models"]),
        Command("ci", [*cli, "ci", "models", "--skip", "mypy", "--docs", page]),
        Command(
            "docs, full teardown",
            [sys.executable, "-c", _USUAL_EXIT, "docs", "models", "-o", page],
        ),
    ]


def timed(command: Command) -> float:
    return timed_run(command.name, command.argv)


def report(times: dict[str, list[float]]) -> str:
    env = base_environment("cpu", "shapecheck", "models")
    lines = ["# CLI speed", ""]
    lines += [
        f"- {key}: `{value}`" if key == "command" else f"- {key}: {value}"
        for key, value in env.items()
    ]
    lines += [
        f"- method: each command in a fresh interpreter, {len(times['import torch'])} repeats "
        "interleaved; median wall time; ratio = median / median of `import torch`",
        "",
        "| command | median s | runs (s) | × import torch | target | pass/fail |",
        "| --- | ---: | --- | ---: | ---: | --- |",
    ]
    floor = statistics.median(times["import torch"])
    for name, runs in times.items():
        median = statistics.median(runs)
        ratio = median / floor
        target = TARGETS.get(name)
        verdict = "" if target is None else ("pass" if ratio <= target else "fail")
        shown_target = "" if target is None else f"≤ {target:.1f}"
        runs_text = ", ".join(f"{run:.2f}" for run in runs)
        lines.append(
            f"| `{name}` | {median:.2f} | {runs_text} | {ratio:.2f} | {shown_target} | {verdict} |"
        )
    lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    parser = _Parser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=positive_int, default=3)
    parser.add_argument("--markdown", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        plan = commands(Path(tmp))
        try:
            timed(plan[1])  # the docs page the ci step compares against; warms caches
            times = interleaved([c.name for c in plan], args.repeats, lambda i: timed(plan[i]))
        except RuntimeError as error:
            print(f"cli_speed.py: {error}", file=sys.stderr)
            return 1
    publish(report(times), args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
