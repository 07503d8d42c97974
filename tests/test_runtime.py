"""Runtime checks beyond one call: locals, culprits, devices, compile, threads, hooks."""

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import torch
from jaxtyping import Float, Int
from torch import Tensor, nn

import shapecheck
from models.lstm import get_lstm_params, init_lstm_state, lstm
from models.rnn_model import RNNModel
from shapecheck import AnnotationError, ShapeError, check

B, S, V, H = 3, 5, 7, 11


# ------------------------------------------------------------------- culprits


def test_lstm__transposed_inputs_names_the_culprit() -> None:
    params, state = get_lstm_params(V, H, "cpu"), init_lstm_state(B, H, "cpu")
    with pytest.raises(ShapeError) as info:
        lstm(torch.zeros(B, S, V), state, params)
    error = info.value
    assert error.path == "inputs"
    assert error.dim in ("batch", "steps")
    assert (error.dim, error.bound_value, error.bound_at, error.actual_value) == (
        "batch",
        B,
        "state[0].shape[0]",
        S,
    )
    message = str(error)
    assert "dimension `batch` is 5 at inputs.shape[1]" in message  # where it conflicted
    assert "but batch=3 was bound by state[0].shape[0]" in message  # where it was bound
    assert "a transposition of inputs would match: inputs.permute(1, 0, 2)" in message
    assert error.permutation == (1, 0, 2)


def test_culprit__ambiguous_blame_keeps_the_first_conflict() -> None:
    @check
    def add(x: Float[Tensor, "a b"], y: Float[Tensor, "a b"]) -> Float[Tensor, "a b"]:
        return x + y

    with pytest.raises(ShapeError) as info:
        add(torch.zeros(2, 3), torch.zeros(3, 2))
    assert info.value.path == "y"  # x or y could be the transposed one


def test_culprit__symbolic_dims_do_not_break_the_search() -> None:
    @check
    def gate(
        X: Float[Tensor, "batch vocab"],
        H: Float[Tensor, "batch hiddens"],
        W: Float[Tensor, "vocab+hiddens hiddens"],
    ) -> Float[Tensor, "batch hiddens"]:
        return torch.cat([X, H], dim=1) @ W

    with pytest.raises(ShapeError, match=r"dimension `hiddens` is 4 at W\.shape\[1\]"):
        gate(torch.zeros(2, 3), torch.zeros(2, 5), torch.zeros(8, 4))
    with pytest.raises(ShapeError, match=r"dimension `batch` is 1 at H\.shape\[0\]"):
        gate(torch.zeros(2, 3), torch.zeros(1, 5), torch.zeros(8, 5))


# --------------------------------------------------------------------- locals


@check
def outer_product(x: Float[Tensor, "n"], y: Float[Tensor, "m"]) -> Float[Tensor, "n m"]:
    table: Float[Tensor, "n m"] = x[:, None] * y[None, :]
    wrong: Float[Tensor, "n m"]
    if x.shape[0] == 4:
        wrong = table.T
        return wrong
    return table


def test_locals__checked_against_the_arguments_dims() -> None:
    assert outer_product(torch.ones(2), torch.ones(3)).shape == (2, 3)
    with pytest.raises(ShapeError) as info:
        outer_product(torch.ones(4), torch.ones(3))
    error = info.value
    assert error.path == "wrong"
    assert error.location is not None and error.location.startswith("local variable, line ")
    line = int(error.location.split("line ")[1].split()[0])
    source = Path(__file__).read_text().splitlines()
    assert source[line - 1].strip() == "wrong = table.T"
    declared = int(error.location.split("declared at line ")[1])
    assert source[declared - 1].strip() == 'wrong: Float[Tensor, "n m"]'
    assert str(error).startswith("outer_product(): wrong does not match its annotation (local")
    assert "dimension `n` is 3 at wrong.shape[0], but n=4 was bound by x.shape[0]" in str(error)


def test_locals__lstm_intermediates_are_checked() -> None:
    sites = {site.name for site in lstm.__shapecheck_plan__().sites}  # type: ignore[attr-defined]
    assert sites == {"X", "I", "F", "O", "C_tilda", "C", "H", "Y"}


def test_locals__a_bad_loop_variable_is_named() -> None:
    @check
    def scan(inputs: Float[Tensor, "steps batch vocab"]) -> Float[Tensor, "batch"]:
        X: Float[Tensor, "batch vocab"]
        total = torch.zeros(inputs.shape[1])
        for X in inputs.transpose(0, 1):
            total = total + X.sum()
        return total

    with pytest.raises(ShapeError, match=r"\.scan\(\): X does not match its annotation \(local"):
        scan(torch.zeros(S, B, V))


def test_locals__malformed_local_annotation_fails_at_decoration() -> None:
    def bad(x: Float[Tensor, "n"]) -> None:
        y: "Float[Tensor, 'n**']" = x  # noqa: F841
        return None

    with pytest.raises(AnnotationError, match=r"bad, local 'y' \(line \d+\)"):
        check(bad)


def test_locals__off_when_disabled() -> None:
    with shapecheck.disabled():
        assert outer_product(torch.ones(4), torch.ones(3)).shape == (3, 4)


# --------------------------------------------------------------------- devices


def test_same_device__names_the_odd_one_out() -> None:
    @check(same_device=True)
    def mix(
        a: Float[Tensor, "n"], b: Float[Tensor, "n"], c: Float[Tensor, "n"]
    ) -> Float[Tensor, "n"]:
        return a

    mix(torch.zeros(2), torch.zeros(2), torch.zeros(2))
    with pytest.raises(ShapeError) as info:
        mix(torch.zeros(2), torch.zeros(2, device="meta"), torch.zeros(2))
    assert info.value.path == "b"
    assert "b is on meta, but the other tensors of the call are on cpu (a, c)" in str(info.value)


def test_same_device__off_by_default() -> None:
    @check
    def mix(a: Float[Tensor, "n"], b: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
        return b

    assert mix(torch.zeros(2), torch.zeros(2, device="meta")).device.type == "meta"


def test_configure__sets_the_default_for_later_decorations() -> None:
    shapecheck.configure(same_device=True)
    try:

        @check
        def mix(a: Float[Tensor, "n"], b: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
            return b
    finally:
        shapecheck.configure(same_device=False)
    with pytest.raises(ShapeError, match="is on meta"):
        mix(torch.zeros(2), torch.zeros(2, device="meta"))
    with pytest.raises(TypeError, match="same_device must be a bool"):
        shapecheck.configure(same_device="yes")  # type: ignore[arg-type]


# ---------------------------------------------------------------- torch.compile


# torch.compile cannot trace nn.LSTM and resumes after it; torch's resume code
# touches `.grad` of a non-leaf and warns. That warning is torch's, not ours.
@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")
@pytest.mark.parametrize("backend", ["eager", "aot_eager"])
def test_compile__checked_rnn_model_trains_without_false_errors(backend: str) -> None:
    torch.manual_seed(0)
    net = RNNModel(nn.LSTM(V, H, num_layers=2), V)
    compiled = torch.compile(net, backend=backend)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
    X, Y = torch.randint(0, V, (B, S)), torch.randint(0, V, (B, S))
    losses = []
    for _ in range(4):
        state = net.begin_state("cpu", batch_size=B)
        out, _ = compiled(X, state)
        loss = nn.functional.cross_entropy(out, Y.T.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    state = net.begin_state("cpu", batch_size=B)
    assert torch.allclose(compiled(X, state)[0], net(X, state)[0])


# --------------------------------------------------------------------- threads


def test_threads__bindings_never_mix() -> None:
    errors: list[BaseException] = []
    params = get_lstm_params(V, H, "cpu")

    def worker(batch: int) -> None:
        try:
            state = init_lstm_state(batch, H, "cpu")
            for steps in range(1, 30):
                Y, _ = lstm(torch.zeros(steps, batch, V), state, params)
                assert Y.shape == (steps * batch, V)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(batch,)) for batch in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


# ----------------------------------------------------------------- import hook


def _write_package(root: Path, name: str) -> None:
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "cells.py").write_text(
        textwrap.dedent("""
        import torch
        from jaxtyping import Float
        from torch import Tensor, nn

        def double(x: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
            return torch.cat([x, x])

        def with_local(x: Float[Tensor, "n"]) -> Tensor:
            y: Float[Tensor, "n"] = torch.cat([x, x])
            return y

        def untouched(k: int) -> int:
            return k

        class Cell(nn.Module):
            def forward(self, x: Float[Tensor, "b n"]) -> Float[Tensor, "b"]:
                return x.sum(0)
    """)
    )


def test_install__checks_every_function_and_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_package(tmp_path, "hooked_pkg")
    monkeypatch.syspath_prepend(str(tmp_path))
    shapecheck.install("hooked_pkg")
    try:
        from hooked_pkg import cells  # type: ignore[import-not-found]
    finally:
        shapecheck.uninstall("hooked_pkg")
    with pytest.raises(ShapeError, match=r"^double\(\): return does not match"):
        cells.double(torch.zeros(2))
    with pytest.raises(ShapeError, match=r"^with_local\(\): y does not match .*\(local"):
        cells.with_local(torch.zeros(2))
    with pytest.raises(ShapeError, match=r"^Cell\.forward\(\): return does not match"):
        cells.Cell()(torch.zeros(2, 3))
    # Every annotation is checked, tensors or not, as under the engine's hook.
    assert cells.untouched(3) == 3
    with pytest.raises(ShapeError, match=r"^untouched\(\): k does not match"):
        cells.untouched("3")
    assert "hooked_pkg" not in shapecheck.installed_packages()


def test_install__processes_modules_already_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_package(tmp_path, "early_pkg")
    monkeypatch.syspath_prepend(str(tmp_path))
    from early_pkg import cells  # type: ignore[import-not-found]

    assert cells.double(torch.zeros(2)).shape == (4,)  # unchecked so far
    shapecheck.install("early_pkg")
    shapecheck.uninstall("early_pkg")
    with pytest.raises(ShapeError):
        cells.double(torch.zeros(2))


def test_install__rejects_bad_names_and_keeps_import_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValueError, match=r"install\(\) takes package names, got 'a b'"):
        shapecheck.install("a b")
    package = tmp_path / "broken_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('boom at import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    shapecheck.install("broken_pkg")
    try:
        with pytest.raises(RuntimeError, match="boom at import"):
            import broken_pkg  # type: ignore[import-not-found]  # noqa: F401
    finally:
        shapecheck.uninstall("broken_pkg")


# ---------------------------------------------------------------- pytest plugin

_PLUGIN_TEST = """
import torch
import pytest
from plugged_pkg import cells

def test_double():
    cells.double(torch.zeros(2))
"""


@pytest.mark.parametrize(
    ("options", "outcome"),
    [([], "1 passed"), (["--shapecheck-packages=plugged_pkg"], "1 failed")],
    ids=["off", "on"],
)
def test_pytest_plugin__enables_checks_for_packages(
    tmp_path: Path, options: list[str], outcome: str
) -> None:
    _write_package(tmp_path, "plugged_pkg")
    (tmp_path / "test_plugged.py").write_text(_PLUGIN_TEST)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *options, "test_plugged.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert outcome in result.stdout, result.stdout + result.stderr
    if options:
        assert "ShapeError: double(): return does not match its annotation" in result.stdout
        assert "shapecheck: checking plugged_pkg" in result.stdout


def test_pytest_plugin__rejects_a_bad_package_name(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--shapecheck-packages=not a name"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 4  # pytest's usage error
    assert "--shapecheck-packages: 'not a name' is not a package name" in result.stderr


# ----------------------------------------------------------------- int inputs


def test_check__int_tensor_annotations() -> None:
    @check
    def count(tokens: Int[Tensor, "batch steps"]) -> Int[Tensor, "batch"]:
        return tokens.sum(1)

    assert count(torch.ones(2, 3, dtype=torch.long)).tolist() == [3, 3]
    with pytest.raises(ShapeError, match="dtype float32 is not a Int dtype"):
        count(torch.ones(2, 3))
