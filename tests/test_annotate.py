"""`shapecheck annotate`: annotations written from example runs, verified first.

The acceptance case: `models/lstm.py`, `gru.py`, `rnn.py` and `rnn_model.py`
with every jaxtyping annotation stripped get back annotations equivalent to
today's (the differences listed in `EXPECTED_DIFFERENCES`, which
docs/annotate.md discusses), `verify` passes on the result and `lint` reports
full coverage. The rest: an unannotated attention package nobody annotated by
hand, a package with no registry, what is refused and why, idempotence, the
CLI's errors.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shapecheck._annotate._infer import Expr, candidates, explain, render
from shapecheck._naming import dim_of_size_name, stems
from tests._strip import strip_annotations

REPO = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).parent / "annotate_samples"
STRIPPED = ("lstm.py", "gru.py", "rnn.py", "rnn_model.py")
# The aliases of models/dims.py and models/*: what a user without them would write.
ALIASES: dict[str, str | None] = {
    **dict.fromkeys(("BatchSize", "NumHiddens", "VocabSize", "NumSteps"), "int"),
    **dict.fromkeys(
        (
            "Hidden",
            "LSTMState",
            "GRUState",
            "RNNState",
            "ScratchState",
            "LayerState",
            "LSTMLayerState",
            "RNNModelState",
            "LSTMParams",
            "GRUParams",
            "RNNParams",
        ),
        None,
    ),
}

# Where the result differs from today's hand annotations: (function, place) ->
# (today's, annotate's). docs/annotate.md says which is better, and why.
EXPECTED_DIFFERENCES: dict[tuple[str, str], tuple[object, object]] = {
    ("models.gru.get_params", "local W_hq"): (None, "Float[hiddens vocab]"),
    ("models.gru.get_params", "local b_q"): (None, "Float[vocab]"),
    ("models.lstm.get_lstm_params", "local W_hq"): (None, "Float[hiddens vocab]"),
    ("models.lstm.get_lstm_params", "local b_q"): (None, "Float[vocab]"),
    ("models.rnn.get_params", "local W_hh"): (None, "Float[hiddens hiddens]"),
    ("models.rnn.get_params", "local W_hq"): (None, "Float[hiddens vocab]"),
    ("models.rnn.get_params", "local W_xh"): (None, "Float[vocab hiddens]"),
    ("models.rnn.get_params", "local b_h"): (None, "Float[hiddens]"),
    ("models.rnn.get_params", "local b_q"): (None, "Float[vocab]"),
    ("models.rnn_model.RNNModel._run", "local Y"): (
        "Float[steps batch hiddens*{self.num_directions}]",
        None,
    ),
    ("models.rnn_model.RNNModelScratch.begin_state", "local state"): (
        'tuple[Float[Tensor, "batch hiddens"], ...]',
        None,
    ),
    ("models.rnn_model.RNNModelScratch.forward", "local new_state"): (
        'tuple[Float[Tensor, "batch hiddens"], ...]',
        None,
    ),
    ("models.rnn_model.RNNModelScratch.forward", "local outputs"): (
        "Float[batch*steps vocab]",
        None,
    ),
}


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "shapecheck.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=env,
    )


def _shapes(root: Path, modules: list[str]) -> dict[str, dict[str, object]]:
    done = subprocess.run(
        [sys.executable, str(REPO / "tests" / "_shapes_of.py"), str(root), *modules],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    found: dict[str, dict[str, object]] = json.loads(done.stdout)
    return found


def _stripped_models(tmp_path: Path) -> Path:
    copy = tmp_path / "models"
    shutil.copytree(REPO / "models", copy, ignore=shutil.ignore_patterns("__pycache__"))
    for name in STRIPPED:
        path = copy / name
        path.write_text(strip_annotations(path.read_text(), ALIASES))
    return copy


@pytest.mark.slow
def test_annotate__restores_the_stripped_models(tmp_path: Path) -> None:
    copy = _stripped_models(tmp_path)
    stripped = {name: (copy / name).read_text() for name in STRIPPED}
    assert (
        "Float[" not in stripped["lstm.py"]
        and "def lstm(inputs, state, params)" in (stripped["lstm.py"])
    )

    done = _cli("annotate", "models", "--write", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "lint coverage after               41 of 41 (100.0%)" in done.stdout

    modules = [f"models.{name.removesuffix('.py')}" for name in STRIPPED]
    today, restored = _shapes(REPO, modules), _shapes(tmp_path, modules)
    differences = {
        (fn, place): (today.get(fn, {}).get(place), restored.get(fn, {}).get(place))
        for fn in set(today) | set(restored)
        for place in set(today.get(fn, {})) | set(restored.get(fn, {}))
        if today.get(fn, {}).get(place) != restored.get(fn, {}).get(place)
    }
    assert differences == EXPECTED_DIFFERENCES
    # The seed's analysis, gate by gate, as the hand annotations have it.
    lstm = restored["models.lstm.lstm"]
    for gate in ("I", "F", "O", "C_tilda", "H", "C"):
        assert lstm[f"local {gate}"] == "Float[batch hiddens]"
    assert lstm["local X"] == "Float[batch vocab]"
    assert lstm["param inputs"] == "Float[steps batch vocab]"

    verified = _cli("verify", "models", cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout
    assert "0 violated" in verified.stdout
    linted = _cli("lint", "models", cwd=tmp_path)
    assert "annotation coverage 100.0%" in linted.stdout

    # Idempotent: a second run writes nothing and keeps every byte.
    first = {name: (copy / name).read_text() for name in STRIPPED}
    again = _cli("annotate", "models", "--write", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "annotations written               0" in again.stdout
    assert {name: (copy / name).read_text() for name in STRIPPED} == first
    # Comments and docstrings of the stripped source are all still there.
    for name in STRIPPED:
        for line in stripped[name].splitlines():
            if line.strip().startswith("#"):
                assert line in first[name]


def _attention(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLES / "attn", tmp_path / "attn")
    return tmp_path / "attn" / "layers.py"


@pytest.mark.slow
def test_annotate__an_unseen_attention_package_gets_the_glossary_s_dims(tmp_path: Path) -> None:
    layers = _attention(tmp_path)
    before = layers.read_text()
    shown = _cli("annotate", "attn", "--diff", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert layers.read_text() == before  # --diff writes nothing
    assert shown.stdout.startswith("--- a/")
    assert "annotations to write" in shown.stderr  # the summary goes to stderr
    added = "\n".join(line[1:] for line in shown.stdout.splitlines() if line.startswith("+"))
    assert (
        "def attend(\n"
        '    q: Float[Tensor, "batch heads queries model"],\n'
        '    k: Float[Tensor, "batch heads keys model"],\n'
        '    v: Float[Tensor, "batch heads keys model"],\n'
        ') -> Float[Tensor, "batch heads queries model"]:\n'
        '    scores: Float[Tensor, "batch heads queries keys"] = '
    ) in added
    assert (
        "def merge_heads(\n"
        '    x: Float[Tensor, "batch heads queries model"],\n'
        ') -> Float[Tensor, "batch queries heads*model"]:'
    ) in added
    # split_heads' width is heads*model, but `heads` is bound by a later
    # parameter: no annotation holds for every size, and verify says so.
    assert "split_heads: x: verify: distinct sizes: RuntimeError" in shown.stderr
    assert "def split_heads" not in added

    written = _cli("annotate", "attn", "--write", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert "# one slice of the width per head" in layers.read_text()  # comments kept
    assert "# back to the model's width" in layers.read_text()
    verified = _cli("verify", "attn", cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout
    assert " 0 violated" in verified.stdout


NO_REGISTRY = """
import torch


def init_state(batch_size, num_hiddens):
    return torch.zeros(batch_size, num_hiddens)


def step(x, h, w_x, w_h):
    return torch.tanh(x @ w_x + h @ w_h)


def __shapecheck_examples__(sizes, device):
    batch, hiddens = sizes["batch"], sizes["hiddens"]
    h = init_state(batch, hiddens)
    step(torch.zeros(batch, 3), h, torch.zeros(3, hiddens), torch.zeros(hiddens, hiddens))
"""


def test_annotate__names_dims_after_parameters_without_a_registry(tmp_path: Path) -> None:
    (tmp_path / "cells.py").write_text(NO_REGISTRY)
    done = _cli("annotate", "cells.py", "--write", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "cells.py").read_text()
    assert (
        "def init_state(\n"
        '    batch_size: Annotated[int, Size("batch")], '
        'num_hiddens: Annotated[int, Size("hiddens")]\n'
        ') -> Float[Tensor, "batch hiddens"]:\n'
    ) in text
    # The input width is 3 at every size: a literal, as it never changed.
    assert (
        "def step(\n"
        '    x: Float[Tensor, "batch 3"],\n'
        '    h: Float[Tensor, "batch hiddens"],\n'
        '    w_x: Float[Tensor, "3 hiddens"],\n'
        '    w_h: Float[Tensor, "hiddens hiddens"],\n'
        ') -> Float[Tensor, "batch hiddens"]:\n'
    ) in text
    assert text.startswith("\nfrom typing import Annotated\n\nimport torch\nfrom jaxtyping import")
    assert "sizes of the three runs: batch=5/11/17, hiddens=7/13/19" in done.stdout


REFUSED = """
import torch

from shapecheck import Registry

shapes = Registry(dims={"batch": "rows", "hiddens": "width"})


def halves(x, parts=3):
    return x.reshape(parts, -1)


def __shapecheck_examples__(sizes, device):
    halves(torch.zeros(sizes["batch"], 2 * sizes["hiddens"]), 2)
"""


def test_annotate__refuses_what_verify_rejects(tmp_path: Path) -> None:
    """Seen with parts=2 only, `halves` returns `2 n`; verify calls it with the
    default parts=3, which that annotation does not hold for: refused, and
    nothing of it written."""
    (tmp_path / "split.py").write_text(REFUSED)
    before = (tmp_path / "split.py").read_text()
    done = _cli("annotate", "split.py", "--write", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "halves: return: verify: distinct sizes:" in done.stdout
    assert "annotations written               0" in done.stdout
    assert (tmp_path / "split.py").read_text() == before


KEPT = """
import torch
from jaxtyping import Float
from torch import Tensor


def scale(h: Float[Tensor, "b n"]) -> Tensor:
    return h * 2


def __shapecheck_examples__(sizes, device):
    scale(torch.zeros(sizes["batch"], sizes["hiddens"]))


from shapecheck import Registry

shapes = Registry(dims={"batch": "rows", "hiddens": "width"})
"""


def test_annotate__keeps_shape_annotations_unless_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "kept.py"
    path.write_text(KEPT)
    done = _cli("annotate", "kept.py", "--write", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    text = path.read_text()
    # `h` states a shape: kept; the bare `Tensor` return states none: filled in.
    assert 'def scale(h: Float[Tensor, "b n"]) -> Float[Tensor, "batch hiddens"]:' in text
    assert "annotations kept (already there)  1" in done.stdout
    done = _cli("annotate", "kept.py", "--write", "--overwrite", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (
        'def scale(h: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hiddens"]:'
        in path.read_text()
    )


def test_annotate_cli__usage_errors(tmp_path: Path) -> None:
    (tmp_path / "cells.py").write_text(NO_REGISTRY)
    missing = _cli("annotate", "cells.py", "--examples", "nope.py", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        "shapecheck annotate: error: --examples: no such file: nope.py"
    )
    (tmp_path / "empty.py").write_text("x = 1\n")
    empty = _cli("annotate", "cells.py", "--examples", "empty.py", cwd=tmp_path)
    assert empty.returncode == 2
    assert "defines no __shapecheck_examples__(sizes, device) function" in empty.stderr
    (tmp_path / "broken.py").write_text("raise ValueError('no')\n")
    broken = _cli("annotate", "cells.py", "--examples", "broken.py", cwd=tmp_path)
    assert broken.returncode == 2
    assert "broken.py does not import: ValueError: no" in broken.stderr
    both = _cli("annotate", "cells.py", "--write", "--diff", cwd=tmp_path)
    assert both.returncode == 2
    assert "not allowed with argument" in both.stderr
    nothing = _cli("annotate", "no_such_module", cwd=tmp_path)
    assert nothing.returncode == 2
    assert "Traceback" not in nothing.stderr
    example = _cli("annotate", "cells.py", "--example", "nope", cwd=tmp_path)
    assert example.returncode == 2
    assert "no example named 'nope' (known: none)" in example.stderr
    assert (tmp_path / "cells.py").read_text() == NO_REGISTRY  # nothing half-written


def test_annotate__an_examples_file(tmp_path: Path) -> None:
    (tmp_path / "cells.py").write_text(NO_REGISTRY.split("def __shapecheck_examples__")[0])
    (tmp_path / "calls.py").write_text(
        "import torch\nfrom cells import init_state\n\n\n"
        "def __shapecheck_examples__(sizes, device):\n"
        '    init_state(sizes["batch"], sizes["hiddens"])\n'
    )
    done = _cli("annotate", "cells.py", "--examples", "calls.py", "--write", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '-> Float[Tensor, "batch hiddens"]:' in (tmp_path / "cells.py").read_text()


# ------------------------------------------------------------- generalising


def test_infer__the_simplest_expression_that_fits_every_run() -> None:
    runs = [{"batch": 5, "steps": 7, "hiddens": 11}, {"batch": 13, "steps": 17, "hiddens": 19}]
    assert explain([(5, runs[0]), (13, runs[1])]) == Expr(0, "dim", ("batch",))
    assert explain([(44, runs[0]), (76, runs[1])]) == Expr(1, "multiple", ("hiddens",), 4)
    product = explain([(35, runs[0]), (221, runs[1])])
    assert product == Expr(2, "product", ("batch", "steps"))
    assert product is not None
    assert render(product, ["steps", "batch"]) == "steps*batch"
    assert render(product, []) == "batch*steps"
    scaled = explain([(4 * 35, runs[0]), (4 * 221, runs[1])])
    assert scaled == Expr(2, "product", ("batch", "steps"), 4)
    assert scaled is not None and render(scaled, ["steps"]) == "4*steps*batch"
    shift = explain([(12, runs[0]), (20, runs[1])])
    assert shift is not None and render(shift) == "hiddens+1"
    assert explain([(3, runs[0]), (3, runs[1])]) == Expr(4, "literal", (), 3)
    assert explain([(3, runs[0]), (4, runs[1])]) is None  # changed, with no dim: unexplained
    # 10 is 2*batch in the first run only: a coincidence the second run removes.
    assert Expr(1, "multiple", ("batch",), 2) in candidates(10, runs[0])
    assert explain([(10, runs[0]), (10, runs[1])]) == Expr(4, "literal", (), 10)


def test_naming__a_size_s_name_reads_as_one_dim() -> None:
    dims = ["batch", "steps", "vocab", "hiddens", "layers_dirs"]
    assert dim_of_size_name("batch_size", dims) == "batch"
    assert dim_of_size_name("num_hiddens", dims) == "hiddens"
    assert dim_of_size_name("hidden_size", dims) == "hiddens"
    assert dim_of_size_name("vocab_size", dims) == "vocab"
    assert dim_of_size_name("num_steps", dims) == "steps"
    assert dim_of_size_name("num_layers", dims) is None
    assert dim_of_size_name("width", dims) is None
    assert dim_of_size_name("n_dim", ["n", "ns"]) is None  # two readings fit: none
    assert stems("num_hiddens")[:3] == ["num_hiddens", "num_hidden", "hiddens"]


def test_registry_exercise__registers_and_rejects_what_cannot_run() -> None:
    from shapecheck import Registry

    shapes = Registry(dims={"batch": "rows"})

    @shapes.exercise("one call")
    def run(sizes: dict[str, int], device: str) -> None:
        pass

    assert shapes.exercises == [("one call", run)]
    with pytest.raises(TypeError, match=r"name must be a non-empty str, got ''"):
        shapes.exercise("")
    with pytest.raises(TypeError, match=r"Registry.exercise\('x'\): 3 is not callable"):
        shapes.exercise("x")(3)  # type: ignore[type-var]
    assert shapes.exercises == [("one call", run)]  # nothing half-registered
