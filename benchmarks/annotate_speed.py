"""Wall time of `shapecheck annotate` against `shapecheck verify`, in one run.

Two settings, each command in a fresh interpreter, repeats interleaved:

- the bundled models as they are (annotated: annotate finds everything there
  and keeps it, but records, generalises and verifies all the same);
- a copy with `lstm.py`, `gru.py`, `rnn.py` and `rnn_model.py` stripped of
  every jaxtyping annotation (as tests/test_annotate.py strips them):
  `annotate` on it, against `verify` on the same copy once annotated.

The ratio is annotate's median over verify's median in the same setting;
the target is ≤ 2.0. Reported, not asserted.

    python benchmarks/annotate_speed.py [--repeats N] [--markdown PATH]

Exit status: 0 when every command ran, 1 when one failed, 2 on a bad argument.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple, NoReturn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import (  # noqa: E402
    REPO_ROOT,
    base_environment,
    interleaved,
    positive_int,
    publish,
    timed_run,
)

sys.path.insert(0, str(REPO_ROOT))
from tests._strip import strip_annotations  # noqa: E402
from tests.test_annotate import ALIASES, STRIPPED  # noqa: E402

TARGET = 2.0


class Command(NamedTuple):
    name: str
    argv: list[str]
    cwd: Path


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"annotate_speed.py: {message}\n")


def _stripped(folder: Path) -> Path:
    """A copy of the models with the four network files stripped, annotated
    once by `annotate --write` in a second copy for verify to check."""
    copy = folder / "stripped" / "models"
    shutil.copytree(REPO_ROOT / "models", copy, ignore=shutil.ignore_patterns("__pycache__"))
    for name in STRIPPED:
        path = copy / name
        path.write_text(strip_annotations(path.read_text(), ALIASES))
    restored = folder / "restored" / "models"
    shutil.copytree(copy, restored)
    timed(Command("annotate --write", [*_CLI, "annotate", "models", "--write"], restored.parent))
    return copy


_CLI = [sys.executable, "-m", "shapecheck.cli"]


def commands(folder: Path) -> list[Command]:
    stripped = _stripped(folder).parent
    restored = folder / "restored"
    return [
        Command("verify models", [*_CLI, "verify", "models"], REPO_ROOT),
        Command("annotate models", [*_CLI, "annotate", "models"], REPO_ROOT),
        Command("verify (stripped, annotated)", [*_CLI, "verify", "models"], restored),
        Command("annotate (stripped)", [*_CLI, "annotate", "models"], stripped),
    ]


def timed(command: Command) -> float:
    env = {"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"}
    return timed_run(command.name, command.argv, command.cwd, env)


def report(times: dict[str, list[float]]) -> str:
    env = base_environment("cpu", "shapecheck", "models")
    lines = ["# annotate against verify", ""]
    lines += [
        f"- {key}: `{value}`" if key == "command" else f"- {key}: {value}"
        for key, value in env.items()
    ]
    lines += [
        f"- method: each command in a fresh interpreter, {len(times['verify models'])} repeats "
        "interleaved; median wall time; ratio = annotate's median / verify's, same setting",
        "",
        "| setting | verify s | annotate s | annotate / verify | target | pass/fail |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for setting, verify, annotate in (
        ("bundled models", "verify models", "annotate models"),
        ("four files stripped", "verify (stripped, annotated)", "annotate (stripped)"),
    ):
        v, a = statistics.median(times[verify]), statistics.median(times[annotate])
        ratio = a / v
        verdict = "pass" if ratio <= TARGET else "fail"
        lines.append(
            f"| {setting} | {v:.2f} | {a:.2f} | {ratio:.2f} | ≤ {TARGET:.1f} | {verdict} |"
        )
    lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    parser = _Parser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=positive_int, default=3)
    parser.add_argument("--markdown", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            plan = commands(Path(tmp))
            times = interleaved([c.name for c in plan], args.repeats, lambda i: timed(plan[i]))
        except RuntimeError as error:
            print(f"annotate_speed.py: {error}", file=sys.stderr)
            return 1
    publish(report(times), args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
