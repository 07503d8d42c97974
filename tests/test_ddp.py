"""`python -m models.train --ddp`: DistributedDataParallel under torchrun, checks on.

The torchrun runs are subprocesses (`python -m torch.distributed.run`, two
ranks on the CPU with gloo), all started at once by the module-scoped `runs`
fixture; each test reads the run it needs. The run with a shape bug on one
rank starts `ddp_fault.py` beside this file, which plants the bug and then
runs the command line. The usage errors are found before any process group
exists, so those tests call `main` in this process with torchrun's variables
set by hand.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from models.cli import PROG, main
from models.ddp import TORCHRUN_VARS, _shard
from shapecheck import ShapeError

REPO = Path(__file__).resolve().parents[1]
FAULT_SCRIPT = Path(__file__).resolve().with_name("ddp_fault.py")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# A few seconds of training on two CPU cores (starting the processes takes longer).
COMMON = ["--hiddens", "32", "--batch-size", "8", "--steps", "10"]
LSTM = ["--model", "lstm", *COMMON, "--max-tokens", "1000", "--epochs", "1", "--predict-len", "10"]
NN_GRU = ["--model", "nn-gru", "--layers", "2", "--random-iter", *COMMON, "--max-tokens", "2000"]
NN_GRU += ["--epochs", "2"]

EPOCH_LINE = re.compile(
    r"^epoch (\d+)/(\d+): perplexity ([\d.]+|nan|inf), [\d.]+ tokens/sec on (.+)$", re.MULTILINE
)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def _free_ports(count: int) -> list[int]:
    # Held open together, so that the ports differ from each other.
    with ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in TORCHRUN_VARS}
    path = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    env.update(PYTHONPATH=os.pathsep.join(path), OMP_NUM_THREADS="1")
    return env


def _torchrun(port: int, *args: str, entry: tuple[str, ...] = ("-m", "models.train")) -> list[str]:
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        "--master-addr=127.0.0.1",
        f"--master-port={port}",
        *entry,
        "--ddp",
        *args,
    ]


def _run(command: list[str], cwd: Path) -> Run:
    start = time.monotonic()
    result = subprocess.run(
        command, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120, check=False
    )
    return Run(result.returncode, result.stdout, result.stderr, time.monotonic() - start)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ddp")


@pytest.fixture(scope="module")
def runs(folder: Path) -> dict[str, Run]:
    ports = _free_ports(3)
    commands = {
        "lstm": _torchrun(ports[0], *LSTM, "--plot", str(folder / "ppl.png")),
        "single": [sys.executable, "-m", "models.train", *LSTM, "--no-plot"],
        "nn-gru": _torchrun(ports[1], *NN_GRU, "--no-plot"),
        "fault": _torchrun(
            ports[2], *LSTM, "--no-plot", "--fault-rank", "1", entry=(str(FAULT_SCRIPT),)
        ),
    }
    with ThreadPoolExecutor(len(commands)) as pool:
        futures = {name: pool.submit(_run, cmd, folder) for name, cmd in commands.items()}
        return {name: future.result() for name, future in futures.items()}


def _epochs(run: Run) -> list[tuple[int, int, float, str]]:
    return [(int(e), int(n), float(p), where) for e, n, p, where in EPOCH_LINE.findall(run.stdout)]


# --------------------------------------------------------------------------
# Training on two ranks
# --------------------------------------------------------------------------


def test_ddp__lstm_on_two_ranks_logs_once_from_rank_0(runs: dict[str, Run], folder: Path) -> None:
    run = runs["lstm"]
    assert run.returncode == 0, run.stderr
    epochs = _epochs(run)
    assert len(epochs) == 1, run.stdout  # rank 0 alone logs
    (epoch, total, ppl, where) = epochs[0]
    assert (epoch, total, where) == (1, 1, "cpu x 2 ranks")
    assert math.isfinite(ppl) and 1 < ppl < 30  # near uniform over 28 tokens at most
    assert run.stdout.count("epoch 1/1:") == 1
    lines = run.stdout.splitlines()
    assert sum(line.startswith("time traveller") for line in lines) == 1
    assert sum(line.startswith("perplexity plot written to") for line in lines) == 1
    assert (folder / "ppl.png").read_bytes().startswith(PNG_MAGIC)
    # One progress bar, ended once (rank 0's); no rank reported a failure.
    assert len(re.findall(r"epoch 1/1 \[#{30}\] (\d+)/\1", run.stderr)) == 1
    assert "rank " not in run.stderr


def test_ddp__two_ranks_train_as_one_process_on_the_global_batch(runs: dict[str, Run]) -> None:
    # Each rank takes its half of every minibatch and DDP averages the two
    # halves' gradients: the same as one process on the whole minibatch.
    single, ddp = runs["single"], runs["lstm"]
    assert single.returncode == 0, single.stderr
    (_, _, ppl_single, where) = _epochs(single)[0]
    assert where == "cpu"
    (_, _, ppl_ddp, _) = _epochs(ddp)[0]
    assert ppl_ddp == pytest.approx(ppl_single, abs=0.02)


def test_ddp__nn_gru_with_random_iter(runs: dict[str, Run]) -> None:
    run = runs["nn-gru"]
    assert run.returncode == 0, run.stderr
    epochs = _epochs(run)
    assert [(e, n) for e, n, _, _ in epochs] == [(1, 2), (2, 2)]
    assert all(math.isfinite(ppl) for _, _, ppl, _ in epochs)
    assert "plot" not in run.stdout


# --------------------------------------------------------------------------
# A shape violation on one rank stops them all
# --------------------------------------------------------------------------


def test_ddp__violation_on_rank_1_stops_every_rank(runs: dict[str, Run]) -> None:
    run = runs["fault"]
    assert run.returncode != 0
    assert run.seconds < 60
    reports = re.findall(r"^rank (\d+): (\w+): (.*)$", run.stderr, re.MULTILINE)
    assert (
        "1",
        "ShapeError",
        "RNNModelScratch.forward(): state[0] does not match its annotation",
    ) in reports
    assert ("0", "stopped", "rank 1 failed") in reports
    assert len(reports) == 2, run.stderr
    # The message's sections follow the one line, indented.
    assert re.search(
        r"^ +reason: +dimension `batch` is 5 .* batch=4 was bound", run.stderr, re.MULTILINE
    )
    assert "epoch 1/1:" not in run.stdout  # stopped at the first step


# --------------------------------------------------------------------------
# Usage errors: one line, exit 2, before any process group
# --------------------------------------------------------------------------


def _torchrun_env(monkeypatch: pytest.MonkeyPatch, rank: int, world_size: int = 2) -> None:
    env = {"RANK": rank, "LOCAL_RANK": rank, "WORLD_SIZE": world_size}
    for name, value in {**env, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": 1}.items():
        monkeypatch.setenv(name, str(value))


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"{PROG}: error: ") and err.count("\n") == 1 and err.endswith("\n"), err
    return err


def test_main__ddp_without_torchrun_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in TORCHRUN_VARS:
        monkeypatch.delenv(name, raising=False)
    assert main(["--ddp", "--no-plot"]) == 2
    err = _one_line_error(capsys)
    assert "argument --ddp: not started by torchrun (RANK, LOCAL_RANK" in err
    assert "torchrun --nproc_per_node=N -m models.train --ddp" in err


def test_main__ddp_with_a_broken_torchrun_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _torchrun_env(monkeypatch, 0)
    monkeypatch.setenv("RANK", "zero")
    assert main(["--ddp"]) == 2
    assert "RANK='zero' is not an integer" in _one_line_error(capsys)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["--batch-size", "7"],
            "argument --batch-size: 7 does not divide evenly among 2 ranks",
            id="batch-size",
        ),
        pytest.param(
            ["--fault-rank", "1"],
            "unrecognized arguments: --fault-rank 1",
            id="fault-rank-is-for-tests-only",
        ),
        pytest.param(["--model", "x"], "argument --model: invalid choice: 'x'", id="model"),
    ],
)
def test_main__ddp_usage_error_only_rank_0_reports(
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _torchrun_env(monkeypatch, 0)
    assert main(["--ddp", "--no-plot", *argv]) == 2
    assert message in _one_line_error(capsys)
    _torchrun_env(monkeypatch, 1)
    assert main(["--ddp", "--no-plot", *argv]) == 2
    assert capsys.readouterr() == ("", "")


def test_main__fault_rank_is_not_a_product_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--fault-rank", "0"]) == 2
    assert "unrecognized arguments: --fault-rank 0" in _one_line_error(capsys)


def test_main__help_documents_ddp_and_not_fault_rank(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--ddp train with DistributedDataParallel" in out
    assert "--fault-rank" not in out


# --------------------------------------------------------------------------
# The test script that plants the fault refuses a fault it cannot plant
# --------------------------------------------------------------------------


def _fault_script_run() -> Callable[[list[str]], int]:
    spec = importlib.util.spec_from_file_location("ddp_fault", FAULT_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    run: Callable[[list[str]], int] = module.run
    return run


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["--fault-rank", "2", "--ddp"],
            "argument --fault-rank: no rank 2 among 2 ranks",
            id="fault-rank-range",
        ),
        pytest.param(
            ["--fault-rank", "0"],
            "argument --fault-rank: only valid with --ddp",
            id="without-ddp",
        ),
    ],
)
def test_fault_script__usage_error_is_exit_2(
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _torchrun_env(monkeypatch, 0)
    with pytest.raises(SystemExit) as exit_info:
        _fault_script_run()(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


# --------------------------------------------------------------------------
# Sharding
# --------------------------------------------------------------------------


def test_shard__ranks_take_disjoint_slices_of_the_batch_in_order() -> None:
    X = torch.arange(6 * 5).reshape(6, 5)
    shards = [_shard(X, rank, 2) for rank in range(3)]
    assert [s.shape for s in shards] == [(2, 5)] * 3
    assert torch.equal(torch.cat(shards), X)


def test_shard__checks_the_share_of_the_batch() -> None:
    with pytest.raises(ShapeError, match=r"batch=2 was bound by size"):
        _shard(torch.zeros(5, 4, dtype=torch.int64), 2, 2)  # rows 4:6 of 5: one row
