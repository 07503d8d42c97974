"""The program's quick exit: handlers run, output arrives whole, statuses are kept,
and a running thread is waited for."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shapecheck import __version__

REPO = Path(__file__).resolve().parent.parent

PACKAGE = textwrap.dedent(
    """
    import atexit
    import os
    import threading
    import time
    from pathlib import Path

    from jaxtyping import Float
    from torch import Tensor

    PROBE = Path(os.environ["EXIT_PROBE"])
    atexit.register(lambda: PROBE.with_suffix(".atexit").write_text("ran"))

    if os.environ.get("EXIT_THREAD"):
        def late() -> None:
            time.sleep(0.5)
            PROBE.with_suffix(".thread").write_text("done")

        threading.Thread(target=late, daemon=False).start()


    def transposed(x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hiddens"]:
        return x.T
    """
)


def _program(tmp_path: Path, *argv: str, thread: bool = False) -> subprocess.CompletedProcess[str]:
    (tmp_path / "exiting.py").write_text(PACKAGE)
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{tmp_path}:{REPO}",
        "EXIT_PROBE": str(tmp_path / "probe"),
    }
    if thread:
        env["EXIT_THREAD"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "shapecheck.cli", *argv],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_quick_exit__runs_exit_handlers_and_keeps_the_status(tmp_path: Path) -> None:
    done = _program(tmp_path, "verify", "exiting", "--json")
    assert done.returncode == 1, done.stderr  # the transposition is a violation
    assert '"violated"' in done.stdout and done.stdout.endswith("\n")
    assert (tmp_path / "probe.atexit").read_text() == "ran"


def test_quick_exit__waits_for_a_running_thread(tmp_path: Path) -> None:
    done = _program(tmp_path, "verify", "exiting", thread=True)
    assert done.returncode == 1, done.stderr
    assert (tmp_path / "probe.thread").read_text() == "done"
    assert (tmp_path / "probe.atexit").read_text() == "ran"


def test_quick_exit__piped_output_arrives_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from shapecheck.cli import main

    done = _program(tmp_path, "docs", "models")
    assert done.returncode == 0, done.stderr
    assert main(["docs", "models"]) == 0
    page = capsys.readouterr().out
    assert len(page) > 10_000 and done.stdout == page


@pytest.mark.parametrize(
    ("argv", "status", "stream", "text"),
    [
        (["--version"], 0, "stdout", f"shapecheck {__version__}"),
        (["verify"], 2, "stderr", "no TARGET given, and no `packages` in [tool.shapecheck]"),
        (["verify", "--frobnicate"], 2, "stderr", "unrecognized arguments: --frobnicate"),
        (["frobnicate"], 2, "stderr", "invalid choice: 'frobnicate'"),
        (["verify", "no_such_module_here"], 2, "stderr", "no_such_module_here"),
    ],
)
def test_quick_exit__usage_statuses(
    tmp_path: Path, argv: list[str], status: int, stream: str, text: str
) -> None:
    done = _program(tmp_path, *argv)
    assert done.returncode == status
    assert text in getattr(done, stream)


class _Terminal:
    """A stream that says it is a terminal, and keeps what is written."""

    def __init__(self, tty: bool) -> None:
        self.tty, self.written = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.written += text
        return len(text)

    def flush(self) -> None:
        pass


def test_progress__one_line_on_a_terminal_and_nothing_when_piped() -> None:
    from shapecheck._progress import Progress

    terminal = _Terminal(tty=True)
    progress = Progress("verify", terminal)  # type: ignore[arg-type]
    progress(0, 2, "pkg.a")
    progress(1, 2, "pkg.b")
    progress.close()
    assert terminal.written == (
        "\r\x1b[Kshapecheck verify: 1/2 pkg.a\r\x1b[Kshapecheck verify: 2/2 pkg.b\r\x1b[K"
    )
    piped = _Terminal(tty=False)
    progress = Progress("docs", piped)  # type: ignore[arg-type]
    progress(0, 1, "pkg.a")
    progress.close()
    assert piped.written == ""
