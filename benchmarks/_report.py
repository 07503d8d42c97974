"""What every benchmark report starts with: the command, the versions, the machine."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import torch

import shapecheck

REPO_ROOT = Path(__file__).resolve().parent.parent


def git_describe(*paths: str) -> str:
    """The commit, and whether `paths` have changes on top of it."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--", *paths],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    changed = " or ".join(f"{path}/" for path in paths)
    return f"{head}, {changed} modified" if dirty else head


def base_environment(device: str, *watched: str) -> dict[str, str]:
    """The entries both reports share, in their order."""
    shown = f"cuda ({torch.cuda.get_device_name()})" if device == "cuda" else "cpu"
    return {
        "command": shlex.join(sys.orig_argv),
        "date (UTC)": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
        "torch": torch.__version__,
        "shapecheck": f"{shapecheck.__version__} (git {git_describe(*watched)})",
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu count": str(os.cpu_count()),
        "device": shown,
        "torch threads": str(torch.get_num_threads()),
    }


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (`--repeats`)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def timed_run(
    name: str, argv: list[str], cwd: Path = REPO_ROOT, env: dict[str, str] | None = None
) -> float:
    """Seconds `argv` takes in a fresh process; RuntimeError, with its last
    lines, when it fails."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"{name} exited with {done.returncode}: {' | '.join(tail)}")
    return elapsed


def interleaved(
    names: Sequence[str], repeats: int, run: Callable[[int], float]
) -> dict[str, list[float]]:
    """Each of `names` timed `repeats` times, interleaved (all once, then all
    again, ...), so that load from other processes weighs on each alike;
    `run(i)` times the i-th."""
    times: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(repeats):
        for index, name in enumerate(names):
            times[name].append(run(index))
    return times


def publish(text: str, markdown: Path | None) -> None:
    """Print a report, and write it to `markdown` too when given."""
    print(text, end="")
    if markdown is not None:
        markdown.write_text(text, encoding="utf-8")
