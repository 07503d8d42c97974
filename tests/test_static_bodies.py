"""`shapecheck static`: shapes followed through bodies, with no data and no run.

Measured on two catalogues: the verify mutants (tests/verify_samples/mutants)
and tests/static_catalogue/nets.py (recurrent cells, sequence loops, heads,
attention: 9 correct functions and 11 planted bugs). Every correct function
must give nothing; the bugs the model can see must be caught.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shapecheck._static._bodies import check_function
from shapecheck._static._check import check_target

REPO = Path(__file__).resolve().parent.parent

# The planted bugs of nets.py the model cannot see, and why: none now.
NOT_SEEN: set[str] = set()


def _by_function(target: str) -> dict[str, list[str]]:
    result = check_target(target)
    found: dict[str, list[str]] = {}
    for finding in result.findings:
        found.setdefault(finding.function, []).append(finding.message)
    return found


def test_static__catalogue_of_nets() -> None:
    from tests.static_catalogue import nets

    found = _by_function("tests.static_catalogue.nets")
    names = [
        n
        for n in vars(nets)
        if callable(getattr(nets, n))
        and getattr(getattr(nets, n), "__module__", "") == nets.__name__
    ]
    correct = [n for n in names if not n.startswith("bug_")]
    bugs = [n for n in names if n.startswith("bug_")]
    assert (len(correct), len(bugs)) == (9, 11)
    assert [n for n in correct if n in found] == []  # no false error
    caught = [n for n in bugs if n in found]
    assert set(bugs) - set(caught) == NOT_SEEN
    assert len(caught) == 11
    assert found["bug_init_state_swapped"] == [
        "return is `hiddens batch`, annotated `batch hiddens`: dim 1: batch against hiddens; "
        "a transposition of return would match: return.permute(1, 0) (axes 0 and 1 swapped)"
    ]
    assert found["bug_attention_missing_transpose"] == [
        "matmul: the inner dims differ: d (of a: batch queries d) against keys (of b: batch keys d)"
    ]
    assert found["bug_cat_wrong_dim"] == [
        "return is `batch steps*hiddens`, annotated `steps*batch hiddens`: "
        "dim 1: steps*hiddens against hiddens"
    ]


def test_static__mutants_and_their_correct_cells() -> None:
    sys.path.insert(0, str(REPO / "tests" / "verify_samples"))
    try:
        found = _by_function("mutants.cells")
    finally:
        sys.path.remove(str(REPO / "tests" / "verify_samples"))
    mutants = [n for n in found if n.startswith(("mutant_", "Mutant"))]
    assert [n for n in found if n not in mutants] == []  # the correct cells: nothing
    assert len(mutants) == 13
    assert found["MutantHeadIgnoresDirections.forward"] == [
        "nn.Linear: the inner dims differ: 2*hiddens (of input: steps*batch 2*hiddens) against "
        "hiddens (of weight: vocab hiddens)"
    ]
    assert found["mutant_missing_transpose"] == [
        "return is `batch steps vocab`, annotated `steps batch vocab`: dim 1: steps against "
        "batch; a transposition of return would match: return.permute(1, 0, 2) (axes 0 and 1 "
        "swapped)"
    ]


def test_static__the_bundled_models_are_clean() -> None:
    result = check_target("models")
    assert result.findings == [] and result.functions > 50


SILENT = """
import torch
from jaxtyping import Float
from torch import Tensor


def opaque(x: Float[Tensor, "a b"], n: int) -> Float[Tensor, "a b"]:
    y = x.reshape(n, -1)              # n is nobody's dim: unknown, silent
    z = some_library_call(y)          # not modelled
    w = x[torch.argmax(x)]            # data-dependent
    q = [1, 2][0]
    return z if n else x


def some_library_call(t):
    return t


def odd(x: Float[Tensor, "*batch n"]) -> Float[Tensor, "*batch n"]:
    *lead, n = x.shape
    y, = (x,)
    for _ in range(3):
        y = y + 1
    del lead
    return y
"""


def test_static__what_is_not_modelled_is_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sc_silent.py").write_text(SILENT)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert check_target("sc_silent").findings == []


def test_static__calls_of_annotated_functions_bind_fresh_dims(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sc_calls.py").write_text(
        textwrap.dedent("""
        import torch
        from jaxtyping import Float
        from torch import Tensor


        def step(h: Float[Tensor, "b n"], w: Float[Tensor, "n n"]) -> Float[Tensor, "b n"]:
            return h @ w


        H = Float[Tensor, "batch hiddens"]
        W = Float[Tensor, "hiddens hiddens"]


        def good(h: H, w: W) -> H:
            return step(step(h, w), w)


        def swapped(h: Float[Tensor, "hiddens batch"], w: W) -> H:
            return step(h, w)
    """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    found = {f.function: f for f in check_target("sc_calls").findings}
    assert set(found) == {"swapped"}
    assert found["swapped"].message == (
        'Argument "w" to "step" has shape "hiddens hiddens", expected "n n": dimension `n` '
        "is hiddens at w.shape[0], but n=batch was bound by h.shape[1]"
    )
    assert found["swapped"].line == 20 and found["swapped"].file.endswith("sc_calls.py")


def _findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str
) -> dict[str, list[str]]:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    monkeypatch.syspath_prepend(str(tmp_path))
    return _by_function(name)


def test_static__plain_int_sizes_named_like_a_dim_are_that_dim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = _findings(
        tmp_path,
        monkeypatch,
        "sc_sizes",
        """
        import torch
        from jaxtyping import Float
        from torch import Tensor


        def good(batch_size: int, num_hiddens: int) -> Float[Tensor, "batch hiddens"]:
            return torch.zeros((batch_size, num_hiddens))


        def swapped(batch_size: int, num_hiddens: int) -> Float[Tensor, "batch hiddens"]:
            return torch.zeros((num_hiddens, batch_size))


        def hidden_size(batch_size: int, hidden_size: int) -> Float[Tensor, "batch hiddens"]:
            return torch.zeros(hidden_size, batch_size)


        def no_such_dim(batch_size: int, width: int) -> Float[Tensor, "batch hiddens"]:
            return torch.zeros(width, batch_size)  # width names no dim here: unknown


        def two_fits(n_dim: int) -> Float[Tensor, "n ns"]:
            return torch.zeros(n_dim, n_dim)  # `n` or `ns`: no reading, silent


        def not_an_int(batch_size: float, num_hiddens) -> Float[Tensor, "batch hiddens"]:
            return torch.zeros(num_hiddens, batch_size)  # only a plain `int` is read
        """,
    )
    assert set(found) == {"swapped", "hidden_size"}
    assert found["hidden_size"][0].startswith(
        "return is `hiddens batch`, annotated `batch hiddens`: dim 1: batch against hiddens"
    )


def test_static__a_module_s_layers_and_attributes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = _findings(
        tmp_path,
        monkeypatch,
        "sc_layers",
        """
        import math

        import torch
        from jaxtyping import Float, Int
        from torch import Tensor, nn


        class Cell(nn.Module):
            def forward(self, x: Float[Tensor, "b i"]) -> Float[Tensor, "b i"]:
                return x


        class Head(nn.Module):
            def __init__(self, vocab: int, hiddens: int, bidirectional: bool) -> None:
                super().__init__()
                self.vocab_size, self.num_hiddens = vocab, hiddens
                self.rnn = nn.LSTM(vocab, hiddens, num_layers=2, bidirectional=True)
                self.gru = nn.GRU(vocab, hiddens, batch_first=True)
                self.free = nn.GRU(vocab, hiddens, bidirectional=bidirectional)
                self.linear = nn.Linear(hiddens, vocab)
                self.wide = nn.Linear(2 * hiddens, vocab)
                self.embedding = nn.Embedding(vocab, hiddens)
                self.dropout = nn.Dropout(0.1)
                self.W = nn.Parameter(torch.randn(hiddens, vocab))
                self.cell = Cell()
                self.conv = nn.Conv1d(hiddens, hiddens, 3)

            def __shapecheck_dims__(self) -> dict[str, int]:
                return {"vocab": self.vocab_size, "hiddens": self.num_hiddens}

            def wide_head(
                self, x: Float[Tensor, "steps batch vocab"]
            ) -> Float[Tensor, "steps batch vocab"]:
                Y, (h, c) = self.rnn(x)
                return self.wide(self.dropout(Y))

            def narrow_head(
                self, x: Float[Tensor, "steps batch vocab"]
            ) -> Float[Tensor, "steps batch vocab"]:
                Y, _ = self.rnn(x)
                return self.linear(Y)  # bidirectional: 2*hiddens wide

            def batch_first(
                self, x: Float[Tensor, "batch steps vocab"]
            ) -> Float[Tensor, "steps batch hiddens"]:
                Y, h = self.gru(x)
                return Y  # batch first in, batch first out

            def unknown_directions(
                self, x: Float[Tensor, "steps batch vocab"]
            ) -> Float[Tensor, "steps batch hiddens"]:
                Y, h = self.free(x)
                return Y  # the width depends on a flag the walk cannot read: silent

            def wrong_input(
                self, x: Float[Tensor, "steps batch hiddens"]
            ) -> Float[Tensor, "steps batch hiddens"]:
                Y, h = self.gru(x)
                return x

            def embed(
                self, tokens: Int[Tensor, "batch steps"]
            ) -> Float[Tensor, "steps batch hiddens"]:
                return self.embedding(tokens)

            def parameter(self, h: Float[Tensor, "batch vocab"]) -> Float[Tensor, "batch vocab"]:
                return h @ self.W

            def submodule(self, h: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "hiddens _"]:
                return self.cell(h)

            def method(self, h: Float[Tensor, "hiddens batch"]) -> Float[Tensor, "batch hiddens"]:
                return self.scale(h)

            def scale(self, h: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hiddens"]:
                return h / math.sqrt(h.shape[-1]) * 0.5

            def unmodelled(self, h: Float[Tensor, "batch hiddens steps"]) -> Float[Tensor, "batch"]:
                return self.conv(h)

            def with_unknown(self, h: Float[Tensor, "batch hiddens"], o) -> Float[Tensor, "batch"]:
                return h + o  # o may be a tensor: unknown

            @staticmethod
            def static(h: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hiddens"]:
                return h
        """,
    )
    assert sorted(found) == [
        "Head.batch_first",
        "Head.embed",
        "Head.method",
        "Head.narrow_head",
        "Head.parameter",
        "Head.submodule",
        "Head.wrong_input",
    ]
    assert found["Head.narrow_head"] == [
        "nn.Linear: the inner dims differ: 2*hiddens (of input: steps batch 2*hiddens) against "
        "hiddens (of weight: vocab hiddens)"
    ]
    assert found["Head.wrong_input"] == [
        "nn.GRU: input.size(-1) must be equal to input_size, but the input is "
        "steps batch hiddens for input_size=vocab"
    ]
    assert found["Head.batch_first"][0].startswith("return is `batch steps hiddens`")
    assert found["Head.embed"][0].startswith("return is `batch steps hiddens`")
    assert found["Head.parameter"][0].startswith("matmul: the inner dims differ: vocab")
    assert found["Head.submodule"][0].startswith("return is `batch hiddens`")
    assert found["Head.method"][0].startswith(
        'Argument "h" to "Head.scale" has shape "hiddens batch", expected "batch hiddens"'
    )


def test_static__no_source_no_findings() -> None:
    namespace: dict[str, object] = {}
    exec("def made(x):\n    return x\n", namespace)  # noqa: S102
    assert check_function(namespace["made"]) == []  # type: ignore[arg-type]


def test_static_cli__exit_statuses() -> None:
    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "shapecheck.cli", "static", *argv],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    clean = cli("models")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.strip().endswith("0 shape conflicts in 63 functions walked")
    planted = cli("tests/static_catalogue/nets.py")
    assert planted.returncode == 1
    assert (
        "tests/static_catalogue/nets.py:161: bug_attention_missing_transpose: matmul"
        in planted.stdout
    )
    assert cli("no_such_module_here").returncode == 2


PLANTED = '''

@check
def lstm_batch_major(
    inputs: Float[Tensor, "batch steps vocab"], state: LSTMState, params: LSTMParams
) -> tuple[Float[Tensor, "steps*batch vocab"], LSTMState]:
    """Planted: batch-major inputs handed on without the transpose."""
    return lstm(inputs, state, params)
'''


@pytest.mark.slow
def test_static_ci__passes_on_models_and_fails_on_a_planted_swapped_call(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "models"
    shutil.copytree(REPO / "models", copy, ignore=shutil.ignore_patterns("__pycache__"))

    def ci() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "shapecheck.cli",
                "ci",
                "models",
                "--skip",
                "mypy",
                "--skip",
                "verify",
                "--skip",
                "docs",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
        )

    clean = ci()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "static | PASS   | 0 conflicts in 63 functions" in clean.stdout
    lstm = copy / "lstm.py"
    lstm.write_text(lstm.read_text() + PLANTED)
    planted = ci()
    assert planted.returncode == 1, planted.stdout
    line = len(lstm.read_text().splitlines())
    assert (
        f'models/lstm.py:{line}: lstm_batch_major: Argument "inputs" to "lstm" has shape '
        '"batch steps vocab", expected "steps batch vocab": dimension `steps` is batch at '
        "inputs.shape[0], but the caller's steps is at inputs.shape[1]; a transposition of "
        "inputs would match: inputs.permute(1, 0, 2) (axes 0 and 1 swapped)"
    ) in planted.stdout
    assert "static | FAIL   | 1 conflict in 64 functions" in planted.stdout
