"""Per-call overhead of `shapecheck.check`, against jaxtyping + beartype.

One function, one LSTM gate at d2l's sizes (batch 32, vocab 28, hiddens 256),
is timed in this one process three ways:

- `unchecked`:  the plain function;
- `engine`:     `jaxtyping.jaxtyped(typechecker=beartype.beartype)(gate)`;
- `shapecheck`: `shapecheck.check(gate)`.

Two scenarios: the same tensors on every call, and a different batch size on
every call (64 batch sizes, 1..64, allocated before timing).

Timing: 7 repeats (3 with --quick), each of N calls per variant, N chosen so
that the plain function's repeat takes at least 0.2 s. A repeat runs in blocks
of 64 calls, the three variants' blocks side by side, their order rotated from
block to block, so that drift and load from other processes weigh on all three
alike; on cuda each block ends with one torch.cuda.synchronize(). Per repeat, a
variant's per-call time is its median block's, and the overhead of a checked
variant is the median over blocks of (checked block - plain block); the table
gives the medians of both over repeats. The median block leaves out blocks in
which the process was descheduled. Ratio = shapecheck overhead / engine
overhead.

Before timing, the three variants must return bitwise-equal outputs and both
checked variants must reject a wrong-shaped call that the plain function runs
without complaint; otherwise the script exits with status 1.

Run from the repository root:

    python benchmarks/bench_check.py [--device cpu|cuda] [--threads N] [--quick]
                                     [--json PATH] [--markdown PATH]

Exit status: 0 when it ran (the ratio is reported, not asserted), 1 when the
pre-timing verification fails, 2 on a bad argument.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import beartype
import jaxtyping
import torch
from jaxtyping import Float
from torch import Tensor

# Run as `python benchmarks/bench_check.py`, sys.path[0] is benchmarks/: put the
# repository root first so that the working tree's shapecheck is the one timed.
_REPO_ROOT = Path(__file__).resolve().parent.parent
# ... and this folder, for the reports' shared header (`_report`), also when a
# fresh interpreter imports this file as a module.
for _folder in (Path(__file__).resolve().parent, _REPO_ROOT):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from _report import base_environment  # noqa: E402

import shapecheck  # noqa: E402

BATCH = 32
VOCAB = 28
HIDDENS = 256
CHANGING_BATCHES = tuple(range(1, 65))  # 64 distinct batch sizes
# Calls per timed block: one pass over every batch size in the changing scenario.
BLOCK = len(CHANGING_BATCHES)

TARGETS = {"fixed": 0.05, "changing": 0.05}
# The failure path: explaining checker plus the engine's message, per failing call.
FAILURE_TARGET_MS = 2.0
FAILURE_CALLS = 50
VARIANTS = ("unchecked", "engine", "shapecheck")

FULL_REPEATS = 7
FULL_MIN_REPEAT_S = 0.2
QUICK_REPEATS = 3
QUICK_MIN_REPEAT_S = 0.02

Gate = Callable[[Tensor, Tensor, Tensor], Tensor]
Args = tuple[Tensor, Tensor, Tensor]


def gate(
    X: Float[Tensor, "batch vocab"],
    H: Float[Tensor, "batch hiddens"],
    W: Float[Tensor, "vocab+hiddens hiddens"],
) -> Float[Tensor, "batch hiddens"]:
    """One LSTM gate: sigmoid([X, H] @ W), W stacking W_x over W_h."""
    return torch.sigmoid(torch.cat([X, H], dim=1) @ W)


class _Parser(argparse.ArgumentParser):
    """argparse, with a bad argument reported on one line (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


@dataclass(frozen=True)
class Options:
    device: str
    threads: int
    quick: bool
    json_path: Path | None
    markdown_path: Path | None


def parse_args(argv: Sequence[str]) -> Options:
    parser = _Parser(
        prog="bench_check.py",
        description="Per-call overhead of shapecheck.check against jaxtyping + beartype.",
    )
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument(
        "--threads",
        type=_positive_int,
        default=1,
        help="torch.set_num_threads value (default: 1)",
    )
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats (smoke test)")
    parser.add_argument("--json", dest="json_path", type=Path, metavar="PATH")
    parser.add_argument("--markdown", dest="markdown_path", type=Path, metavar="PATH")
    ns = parser.parse_args(list(argv))
    device: str = ns.device
    if device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: torch reports no CUDA device")
    for flag, path in (("--json", ns.json_path), ("--markdown", ns.markdown_path)):
        if path is not None and not path.resolve().parent.is_dir():
            parser.error(f"{flag} {path}: directory {path.resolve().parent} does not exist")
    return Options(
        device=device,
        threads=ns.threads,
        quick=ns.quick,
        json_path=ns.json_path,
        markdown_path=ns.markdown_path,
    )


# --------------------------------------------------------------------------- inputs


def _randn(*shape: int, generator: torch.Generator, device: str) -> Tensor:
    # Drawn on the CPU so that the values do not depend on the device.
    return torch.randn(*shape, generator=generator).to(device)


def make_inputs(device: str) -> tuple[list[Args], list[Args]]:
    """(fixed, changing): one argument tuple, and one per batch size of CHANGING_BATCHES."""
    g = torch.Generator().manual_seed(0)
    W = _randn(VOCAB + HIDDENS, HIDDENS, generator=g, device=device)
    fixed: Args = (
        _randn(BATCH, VOCAB, generator=g, device=device),
        _randn(BATCH, HIDDENS, generator=g, device=device),
        W,
    )
    changing: list[Args] = [
        (
            _randn(b, VOCAB, generator=g, device=device),
            _randn(b, HIDDENS, generator=g, device=device),
            W,
        )
        for b in CHANGING_BATCHES
    ]
    return [fixed], changing


# --------------------------------------------------------------------- verification


_SWITCH_OFF = {"engine": "JAXTYPING_DISABLE", "shapecheck": "SHAPECHECK=0"}


class VerificationError(Exception):
    pass


def verify(variants: dict[str, Gate], fixed: Args, changing: Sequence[Args]) -> list[str]:
    """Check that the benchmark times real checks; the lines it returns describe what passed."""
    if not shapecheck.checks_active():
        raise VerificationError("shapecheck.checks_active() is False")
    if variants["shapecheck"] is gate:
        raise VerificationError(
            "shapecheck.check returned the function unchanged (is SHAPECHECK=0 set?)"
        )

    passed: list[str] = []
    inputs = (fixed, changing[len(changing) // 2])
    for args in inputs:
        outputs = {name: fn(*args) for name, fn in variants.items()}
        reference = outputs["unchecked"]
        for name, out in outputs.items():
            if not torch.equal(out, reference):
                raise VerificationError(
                    f"{name} output differs from unchecked output at batch {args[0].shape[0]}"
                )
    batches = " and ".join(str(args[0].shape[0]) for args in inputs)
    passed.append(
        f"outputs: unchecked, engine and shapecheck bitwise equal (torch.equal) at batch {batches}"
    )

    # W with 100 columns where `hiddens` is 256 (bound by H): the plain function
    # runs, returning (batch, 100), so an exception can only come from a check.
    X, H, W = fixed
    bad_W = W[:, :100].contiguous()
    try:
        variants["unchecked"](X, H, bad_W)
    except Exception as e:  # pragma: no cover - would be a bug in this script
        raise VerificationError(f"the unchecked gate fails on the wrong-shaped call: {e!r}") from e
    for name in ("engine", "shapecheck"):
        try:
            variants[name](X, H, bad_W)
        except Exception as e:
            first_line = (str(e).splitlines() or [""])[0]
            if len(first_line) > 120:
                first_line = first_line[:117] + "..."
            passed.append(
                f"rejection: {name} raised {type(e).__module__}.{type(e).__qualname__}"
                f" for W of shape {tuple(bad_W.shape)}: {first_line}"
            )
        else:
            raise VerificationError(
                f"{name} accepted a wrong-shaped call: W of shape {tuple(bad_W.shape)}"
                f" where `vocab+hiddens hiddens` is ({VOCAB + HIDDENS}, {HIDDENS})"
                f" (is {_SWITCH_OFF[name]} set?)"
            )
    return passed


# --------------------------------------------------------------------------- timing


def _sync(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def time_loop(fn: Gate, calls: Sequence[Args], device: str) -> int:
    """Nanoseconds for one call per element of `calls`; on cuda, one synchronisation at the end."""
    _sync(device)
    start = time.perf_counter_ns()
    for X, H, W in calls:
        fn(X, H, W)
    _sync(device)
    return time.perf_counter_ns() - start


def calibrate(fn: Gate, inputs: Sequence[Args], device: str, min_repeat_s: float) -> int:
    """A call count, a multiple of BLOCK, for which `fn` takes at least min_repeat_s."""
    n = BLOCK
    while True:
        elapsed_s = time_loop(fn, _calls(inputs, n), device) / 1e9
        if elapsed_s >= min_repeat_s:
            return n
        if elapsed_s < min_repeat_s / 100:
            n *= 10  # too short to extrapolate from
        else:
            n = int(n * 1.2 * min_repeat_s / elapsed_s) + 1  # aim 20% over
        n = -(-n // BLOCK) * BLOCK  # round up to whole blocks


def _calls(inputs: Sequence[Args], n: int) -> list[Args]:
    """n argument tuples cycling through `inputs` (references only, no allocation of tensors)."""
    return [inputs[i % len(inputs)] for i in range(n)]


CHECKED = ("engine", "shapecheck")


@dataclass
class ScenarioResult:
    """The timings of one scenario: for each variant, repeat and block, one block's ns."""

    scenario: str
    description: str
    calls_per_repeat: int
    block_ns: dict[str, list[list[int]]]  # variant -> repeat -> block -> ns for BLOCK calls

    @property
    def repeats(self) -> int:
        return len(self.block_ns["unchecked"])

    def per_call_us(self, variant: str) -> list[float]:
        """Per repeat: the median block's time per call."""
        return [statistics.median(blocks) / BLOCK / 1e3 for blocks in self.block_ns[variant]]

    def mean_per_call_us(self, variant: str) -> list[float]:
        """Per repeat: the whole repeat's time per call (outliers included)."""
        return [sum(blocks) / len(blocks) / BLOCK / 1e3 for blocks in self.block_ns[variant]]

    def overheads_us(self, variant: str) -> list[float]:
        """Per repeat: the median over blocks of (variant - unchecked), timed side by side."""
        return [
            statistics.median(c - u for c, u in zip(checked, plain, strict=True)) / BLOCK / 1e3
            for checked, plain in zip(
                self.block_ns[variant], self.block_ns["unchecked"], strict=True
            )
        ]

    def median_us(self, variant: str) -> float:
        return statistics.median(self.per_call_us(variant))

    def overhead_us(self, variant: str) -> float:
        return statistics.median(self.overheads_us(variant))

    @property
    def ratio(self) -> float | None:
        engine = self.overhead_us("engine")
        return self.overhead_us("shapecheck") / engine if engine > 0 else None

    @property
    def target(self) -> float:
        return TARGETS[self.scenario]

    @property
    def passed(self) -> bool:
        ratio = self.ratio
        return ratio is not None and ratio <= self.target


def run_scenario(
    scenario: str,
    description: str,
    variants: dict[str, Gate],
    inputs: Sequence[Args],
    device: str,
    repeats: int,
    min_repeat_s: float,
) -> ScenarioResult:
    warmup = _calls(inputs, max(len(inputs), 200))
    for fn in variants.values():
        time_loop(fn, warmup, device)
    # The fastest variant sets the count, so every variant's repeat is long enough.
    n = calibrate(variants["unchecked"], inputs, device, min_repeat_s)
    block = _calls(inputs, BLOCK)
    names = list(variants)
    block_ns: dict[str, list[list[int]]] = {name: [] for name in names}
    gc.collect()
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(repeats):
            # Interleaved block by block, the order rotated every block, so that
            # drift and load from elsewhere weigh on all three variants alike.
            times: dict[str, list[int]] = {name: [] for name in names}
            for k in range(n // BLOCK):
                shift = (r + k) % len(names)
                for name in names[shift:] + names[:shift]:
                    times[name].append(time_loop(variants[name], block, device))
            for name in names:
                block_ns[name].append(times[name])
    finally:
        if gc_was_enabled:
            gc.enable()
    return ScenarioResult(scenario, description, n, block_ns)


# -------------------------------------------------------------------------- reports


def environment(opts: Options, repeats: int, min_repeat_s: float) -> dict[str, str]:
    return base_environment(opts.device, "shapecheck") | {
        "jaxtyping": jaxtyping.__version__,
        "beartype": beartype.__version__,
        "method": (
            f"{repeats} repeats, each >= {min_repeat_s:g} s of unchecked calls, in blocks of"
            f" {BLOCK} calls with the three variants' blocks side by side; per-call time ="
            " median over repeats of the median block; overhead = median over repeats of the"
            " median over blocks of (checked block - unchecked block);"
            " ratio = shapecheck overhead / engine overhead"
        ),
        "function": (
            f"gate(X[batch, vocab], H[batch, hiddens], W[vocab+hiddens, hiddens]) ->"
            f" [batch, hiddens], vocab={VOCAB}, hiddens={HIDDENS}"
        ),
    }


@dataclass
class FailureResult:
    """Milliseconds per failing call (a wrong-shaped W), per variant and repeat."""

    ms: dict[str, list[float]]

    def median_ms(self, variant: str) -> float:
        return statistics.median(self.ms[variant])

    @property
    def passed(self) -> bool:
        return self.median_ms("shapecheck") <= FAILURE_TARGET_MS


def time_failures(variants: dict[str, Gate], bad: Args, repeats: int) -> FailureResult:
    """Each checked variant, called FAILURE_CALLS times on arguments it rejects."""
    ms: dict[str, list[float]] = {name: [] for name in CHECKED}
    for _ in range(repeats):
        for name in CHECKED:
            fn = variants[name]
            start = time.perf_counter_ns()
            for _ in range(FAILURE_CALLS):
                try:
                    fn(*bad)
                except TypeError:  # ShapeError and the engine's TypeCheckError
                    pass
            ms[name].append((time.perf_counter_ns() - start) / FAILURE_CALLS / 1e6)
    return FailureResult(ms)


def markdown_report(
    env: dict[str, str],
    checks: list[str],
    results: list[ScenarioResult],
    failures: FailureResult | None = None,
) -> str:
    lines = ["# shapecheck.check overhead", ""]
    lines += [
        f"- {key}: `{value}`" if key == "command" else f"- {key}: {value}"
        for key, value in env.items()
    ]
    lines += [f"- verified: {line}" for line in checks]
    lines += [
        "",
        "| scenario | unchecked µs/call | engine µs/call | shapecheck µs/call"
        " | engine overhead µs | shapecheck overhead µs | ratio | target | pass/fail |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for res in results:
        ratio = res.ratio
        lines.append(
            f"| {res.scenario} ({res.description}) | {res.median_us('unchecked'):.2f}"
            f" | {res.median_us('engine'):.2f} | {res.median_us('shapecheck'):.2f}"
            f" | {res.overhead_us('engine'):.2f} | {res.overhead_us('shapecheck'):.2f}"
            f" | {'n/a' if ratio is None else f'{ratio:.3f}'} | ≤ {res.target:.2f}"
            f" | {'pass' if res.passed else 'fail'} |"
        )
    if failures is not None:
        lines += [
            "",
            "| failure path (a wrong-shaped W) | engine ms/call | shapecheck ms/call"
            " | target | pass/fail |",
            "| --- | ---: | ---: | ---: | --- |",
            f"| error raised, message built | {failures.median_ms('engine'):.3f}"
            f" | {failures.median_ms('shapecheck'):.3f} | ≤ {FAILURE_TARGET_MS:.1f}"
            f" | {'pass' if failures.passed else 'fail'} |",
        ]
    lines.append("")
    return "\n".join(lines)


def json_report(
    env: dict[str, str],
    checks: list[str],
    results: list[ScenarioResult],
    failures: FailureResult | None = None,
) -> str:
    data = {
        "environment": env,
        "verified": checks,
        "failure_path_ms": None if failures is None else failures.ms,
        "scenarios": [
            {
                "scenario": res.scenario,
                "description": res.description,
                "calls_per_repeat": res.calls_per_repeat,
                "repeats": res.repeats,
                "block_calls": BLOCK,
                "median_us": {name: res.median_us(name) for name in VARIANTS},
                "overhead_us": {name: res.overhead_us(name) for name in CHECKED},
                "ratio": res.ratio,
                "by_repeat": {
                    "per_call_us": {name: res.per_call_us(name) for name in VARIANTS},
                    "mean_per_call_us": {name: res.mean_per_call_us(name) for name in VARIANTS},
                    "overhead_us": {name: res.overheads_us(name) for name in CHECKED},
                },
                "target": res.target,
                "pass": res.passed,
                "block_ns": res.block_ns,
            }
            for res in results
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ----------------------------------------------------------------------------- main


def main(argv: Sequence[str]) -> int:
    opts = parse_args(argv)
    torch.set_num_threads(opts.threads)
    repeats = QUICK_REPEATS if opts.quick else FULL_REPEATS
    min_repeat_s = QUICK_MIN_REPEAT_S if opts.quick else FULL_MIN_REPEAT_S

    variants: dict[str, Gate] = {
        "unchecked": gate,
        "engine": jaxtyping.jaxtyped(typechecker=beartype.beartype)(gate),
        "shapecheck": shapecheck.check(gate),
    }
    fixed, changing = make_inputs(opts.device)
    try:
        checks = verify(variants, fixed[0], changing)
    except VerificationError as e:
        print(f"bench_check.py: verification failed: {e}", file=sys.stderr)
        return 1

    scenarios = (
        ("fixed", f"batch {BATCH} every call", fixed),
        (
            "changing",
            f"batch {CHANGING_BATCHES[0]}..{CHANGING_BATCHES[-1]}, a new one every call",
            changing,
        ),
    )
    results: list[ScenarioResult] = []
    for name, description, inputs in scenarios:
        print(f"timing {name} ...", file=sys.stderr, flush=True)
        results.append(
            run_scenario(name, description, variants, inputs, opts.device, repeats, min_repeat_s)
        )

    print("timing the failure path ...", file=sys.stderr, flush=True)
    X, H, W = fixed[0]
    failures = time_failures(variants, (X, H, W[:, : HIDDENS // 2]), repeats)

    env = environment(opts, repeats, min_repeat_s)
    report = markdown_report(env, checks, results, failures)
    print(report, end="")
    if opts.markdown_path is not None:
        opts.markdown_path.write_text(report, encoding="utf-8")
    if opts.json_path is not None:
        opts.json_path.write_text(json_report(env, checks, results, failures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
