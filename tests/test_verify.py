"""shapecheck verify: meta-device runs with no data, and the symbolic proof."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shapecheck._sizes import assignments, primes
from shapecheck._target import TargetError
from shapecheck._verify import Verdict, verify

SAMPLES = Path(__file__).parent / "verify_samples"


@pytest.fixture(scope="module")
def buggy() -> dict[str, Verdict]:
    sys.path.insert(0, str(SAMPLES))
    try:
        return {v.name: v for v in verify("verify_buggy")}
    finally:
        sys.path.remove(str(SAMPLES))


CASES = [
    ("good_linear", "verified", "distinct sizes"),
    ("transposed_result", "violated", "a transposition of return would match"),
    ("needs_square", "violated", "RuntimeError"),
    ("broadcast_add", "verified", "distinct, broadcast sizes"),
    ("reduce_last", "verified", "distinct, ranks sizes"),
    ("padded", "verified", "distinct sizes"),
    ("wrong_local", "violated", "total does not match its annotation (local variable"),
    ("needs_callback", "skipped", "no example: `fn`: cannot make a value of type object"),
    ("Scale.forward [Scale]", "verified", "distinct sizes"),
]


@pytest.mark.parametrize(("name", "status", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_verify__planted_bugs(
    buggy: dict[str, Verdict], name: str, status: str, fragment: str
) -> None:
    verdict = buggy[f"verify_buggy.ops.{name}"]
    assert verdict.status == status, verdict.message
    assert fragment in verdict.message
    if status == "violated":
        assert verdict.sizes  # the sizes it failed at are reported


def test_verify__distinct_primes_never_coincide(buggy: dict[str, Verdict]) -> None:
    sizes = buggy["verify_buggy.ops.transposed_result"].sizes
    assert sizes == {"batch": 2, "hiddens": 3} or len(set(sizes.values())) == len(sizes)


def test_assignments__cover_broadcast_and_ranks() -> None:
    labelled = list(assignments(["batch", "c"], {"batch"}, ["lead"]))
    kinds = [label for label, _ in labelled]
    assert kinds == ["distinct", "broadcast", "ranks", "ranks"]
    distinct = labelled[0][1]
    assert distinct["batch"] != distinct["c"]
    assert labelled[1][1]["batch"] == 1
    assert {len(sizes["*lead"]) for _, sizes in labelled[2:]} == {0, 3}


def test_verify__models_every_variant() -> None:
    verdicts = verify("models")
    assert [v.name for v in verdicts if v.status == "violated"] == []
    forwards = [v for v in verdicts if ".forward [RNNModel(" in v.name]
    assert len(forwards) == 12  # nn.RNN/GRU/LSTM x four layer/direction settings
    assert all(v.status == "verified" for v in forwards)
    for name in (
        "models.lstm.lstm",
        "models.gru.gru",
        "models.rnn.rnn",
        "models.lstm.get_lstm_params",
        "models.lstm.init_lstm_state",
    ):
        assert any(v.name == name and v.status == "verified" for v in verdicts), name
    skipped = [v for v in verdicts if v.status == "skipped"]
    assert all(v.message.startswith("no example") for v in skipped)


def test_verify__symbolic_proves_and_finds_relations() -> None:
    sys.path.insert(0, str(SAMPLES))
    try:
        symbolic = {
            v.name: v
            for v in verify("verify_buggy.ops", symbolic=True)
            if v.name.endswith("[symbolic]")
        }
    finally:
        sys.path.remove(str(SAMPLES))
    assert symbolic["verify_buggy.ops.good_linear [symbolic]"].status == "verified"
    square = symbolic["verify_buggy.ops.needs_square [symbolic]"]
    assert square.status == "violated"
    assert "requires hiddens == batch" in square.message
    transposed = symbolic["verify_buggy.ops.transposed_result [symbolic]"]
    assert transposed.status == "violated"
    assert "torch proves `hiddens`, the annotation says `batch`" in transposed.message


def test_verify__symbolic_lstm_specialises_steps() -> None:
    verdicts = {v.name: v for v in verify("models.lstm:lstm", symbolic=True)}
    proof = verdicts["models.lstm.lstm [symbolic]"]
    assert proof.status == "verified"
    assert "proved for all batch, hiddens, vocab" in proof.message
    assert "steps=" in proof.message and "specialised" in proof.message


def test_verify__missing_target() -> None:
    with pytest.raises(TargetError, match="no module named 'no_such_pkg'"):
        verify("no_such_pkg")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shapecheck.cli", "verify", *args],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(SAMPLES), "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).parent.parent,
    )


def test_verify_cli__exit_status_and_json() -> None:
    bad = _cli("verify_buggy", "--json")
    assert bad.returncode == 1
    records = json.loads(bad.stdout)
    assert {r["status"] for r in records} == {"verified", "violated", "skipped"}
    assert all(set(r) == {"name", "status", "message", "sizes"} for r in records)
    good = _cli("verify_buggy.ops:good_linear")
    assert good.returncode == 0
    assert "1 verified, 0 violated, 0 skipped" in good.stdout
    missing = _cli("no_such_pkg")
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        "shapecheck verify: error: cannot import 'no_such_pkg': no module named 'no_such_pkg'"
    ]


WIDE_PACKAGE = '''
"""A package with a registry of 40 dims."""
import torch
from jaxtyping import Float
from torch import Tensor
import shapecheck

NAMES = [f"d{k}" for k in range(40)]
shapes = shapecheck.Registry(dims={name: f"dim {name}" for name in NAMES})


class Wide(torch.nn.Module):
    def forward(
        self, x: Float[Tensor, "d0 d1 d2 d3"], y: Float[Tensor, "*lead d4"]
    ) -> Float[Tensor, "d0 d1 d2 d3"]:
        return x


@shapes.factory("Wide()", Wide)
def build(sizes, device):
    assert len(sizes) > 40  # every dim of the registry has a size
    return Wide()


def pair(a: Float[Tensor, "d38 d39"], b: Float[Tensor, "d39 d38"]) -> Float[Tensor, "d38 d38"]:
    return a @ b
'''


def test_primes__as_many_as_asked() -> None:
    first = [p for _, p in zip(range(100), primes(), strict=False)]
    assert first[:6] == [2, 3, 5, 7, 11, 13] and first[-1] == 541
    assert len(set(first)) == 100


def test_verify__a_registry_of_forty_dims(tmp_path: Path) -> None:
    (tmp_path / "wide_pkg").mkdir()
    (tmp_path / "wide_pkg" / "__init__.py").write_text(WIDE_PACKAGE)
    sys.path.insert(0, str(tmp_path))
    try:
        verdicts = {v.name: v for v in verify("wide_pkg")}
    finally:
        sys.path.remove(str(tmp_path))
    assert {v.status for v in verdicts.values()} == {"verified"}, verdicts
    wide = verdicts["wide_pkg.Wide.forward [Wide()]"]
    assert len({size for name, size in wide.sizes.items() if name.startswith("d")}) == 40
    assert "ranks" in wide.message


HONEST = """
import torch
from jaxtyping import Float
from torch import Tensor


def bare(x: Tensor, y: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
    return y


def bare_with_default(y: Float[Tensor, "n"], z: Tensor = torch.ones(1)) -> Float[Tensor, "n"]:
    return y * z


def broken(x: Float[Tensor, "a b"]) -> Float[Tensor, "a b"]:
    raise TypeError("broken at any size")


def square_only(x: Float[Tensor, "a b"]) -> Float[Tensor, "a b"]:
    if x.shape[0] != x.shape[1]:
        raise ValueError("wants a square")
    return x


def head(x: Float[Tensor, "b h"], w: Float[Tensor, "h v"]) -> Float[Tensor, "b v"]:
    return x @ torch.cat([w, w])  # 2*h rows against h columns, at every size


def survives(x: Float[Tensor, "a b"]) -> Float[Tensor, "a b"]:
    if x.shape[0] == 2:
        raise ValueError("not at 2")
    return x
"""


def test_verify__honest_verdicts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sc_honest.py").write_text(HONEST)
    monkeypatch.syspath_prepend(str(tmp_path))
    verdicts = {v.name.removeprefix("sc_honest."): v for v in verify("sc_honest")}
    assert verdicts["bare"].status == "skipped"
    assert verdicts["bare"].message == "no example: `x`: a bare Tensor has no shape to make it at"
    assert verdicts["bare_with_default"].status == "verified"  # the default stands in
    broken = verdicts["broken"]
    assert broken.status == "error"
    assert broken.message == (
        "raises at every size, equal sizes included: TypeError: broken at any size"
    )
    square = verdicts["square_only"]  # fails when the dims differ, passes when equal
    assert square.status == "violated"
    assert square.message.startswith("distinct sizes: ValueError: wants a square")
    assert verdicts["survives"].status == "violated"  # fails at a=2, passes at a=5
    head = verdicts["head"]  # torch's own shape error at every size: still a violation
    assert head.status == "violated"
    assert head.message.startswith("distinct sizes: RuntimeError: ")
