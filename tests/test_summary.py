"""`shapecheck summary`: a model's layers in named dims.

Every `RNNModel` variant of the models registry is held to the shapes torch
documents for its recurrent layer (input `(L, N, H_in)`, output
`(L, N, D*H_out)`, `h_n` and `c_n` `(D*num_layers, N, H_out)`) and to torch's
parameter counts; a torch layer written elsewhere (`TransformerEncoderLayer`)
runs through `MODULE:CALLABLE` with `--input`; errors are one line, exit 2.
"""

import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from torch import nn

import shapecheck
import shapecheck._summary as summary_module
from shapecheck._project import Project
from shapecheck._registry import Factory
from shapecheck._summary import (
    Axis,
    Model,
    Summary,
    SummaryError,
    find_model,
    is_callable_ref,
    render,
    summarize,
)
from shapecheck.cli import main

REPO = Path(__file__).resolve().parent.parent
MODELS = Project(targets=("models",))
BILSTM = "RNNModel(nn.LSTM, 2 layers, bidirectional)"
D2L = {"vocab": 28, "hiddens": 256}  # the `d2l` example's, which the counts are made at

# A torch layer not written here, built from the registry's dims; `wide`'s
# feed-forward width (10 * d_model) is no dim expression, so it stays unnamed.
ENCODER = textwrap.dedent(
    """
    from torch import nn

    import shapecheck

    dims = shapecheck.Registry(
        dims={
            "seq": "tokens",
            "batch": "sequences",
            "heads": "attention heads",
            "head_dim": "the width of one head",
            "ffn": "the feed-forward width",
        },
        examples={"small": {"seq": 10, "batch": 4, "heads": 4, "head_dim": 16, "ffn": 128}},
    )


    def build(sizes, device):
        d_model = sizes["heads"] * sizes["head_dim"]
        return nn.TransformerEncoderLayer(
            d_model, sizes["heads"], dim_feedforward=sizes["ffn"], device=device
        )


    def wide(sizes, device):
        d_model = sizes["heads"] * sizes["head_dim"]
        return nn.TransformerEncoderLayer(
            d_model, sizes["heads"], dim_feedforward=10 * d_model, device=device
        )


    def fixed():
        return nn.TransformerEncoderLayer(16, 4)


    def raises(sizes, device):
        raise ValueError("no such layer")


    def not_a_module(sizes, device):
        return {"layer": 1}


    def three(a, b, c):
        return nn.Identity()
    """
)
BROKEN = "raise ZeroDivisionError('at import')\n"
# A callable without a registry of its own: its dims come from --registry.
BARE = textwrap.dedent(
    """
    from torch import nn


    def build(sizes, device):
        return nn.Linear(sizes["width"], 3 * sizes["width"], device=device)
    """
)
DIMS = "import shapecheck\n\ndims = shapecheck.Registry(dims={'batch': 'rows', 'width': 'cols'})\n"
D_MODEL = "seq batch heads*head_dim"


@pytest.fixture
def samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The sample modules, importable from the current folder."""
    for name, text in (("encoder", ENCODER), ("broken", BROKEN), ("bare", BARE), ("dims", DIMS)):
        (tmp_path / f"{name}.py").write_text(text)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("encoder", "broken", "bare", "dims"):
        sys.modules.pop(name, None)


def _rows(summary: Summary) -> list[tuple[str, list[str], list[str], int]]:
    return [
        (layer.name, summary.shapes(layer.inputs), summary.shapes(layer.outputs), layer.params)
        for layer in summary.layers
    ]


# ------------------------------------------------- the models, against torch


@dataclass(frozen=True)
class Variant:
    """One `RNNModel` factory of the models registry."""

    kind: str  # RNN, GRU, LSTM
    layers: int
    bidirectional: bool

    @property
    def name(self) -> str:
        plural = "s" if self.layers > 1 else ""
        directions = "bidirectional" if self.bidirectional else "unidirectional"
        return f"RNNModel(nn.{self.kind}, {self.layers} layer{plural}, {directions})"

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def state(self) -> list[str]:
        """h (and c for an LSTM): torch's (D*num_layers, N, H_out)."""
        return ["layers_dirs batch hiddens"] * (2 if self.kind == "LSTM" else 1)

    @property
    def width(self) -> str:
        """torch's D*H_out, the output's last axis and the head's input."""
        return "2*hiddens" if self.bidirectional else "hiddens"

    def params(self) -> tuple[int, int]:
        """torch's counts at the d2l sizes: the layer's, and the linear head's.
        Per layer and direction, gates*H*(H_in + H) weights and 2*gates*H biases."""
        gates = {"RNN": 1, "GRU": 3, "LSTM": 4}[self.kind]
        vocab, hiddens = D2L["vocab"], D2L["hiddens"]
        layer = 0
        for number in range(self.layers):
            width = vocab if number == 0 else self.directions * hiddens
            layer += self.directions * (gates * hiddens * (width + hiddens) + 2 * gates * hiddens)
        head = self.directions * hiddens * vocab + vocab
        return layer, head


VARIANTS = [
    Variant(kind, layers, bidirectional)
    for layers, bidirectional in ((1, False), (1, True), (2, True), (3, False))
    for kind in ("RNN", "GRU", "LSTM")
]


@pytest.fixture(scope="module")
def summaries() -> dict[str, Summary]:
    return {}


def _summary_of(name: str, cache: dict[str, Summary]) -> Summary:
    if name not in cache:
        cache[name] = summarize(find_model(name, MODELS))
    return cache[name]


def test_summary__every_rnn_model_factory_is_a_variant() -> None:
    from models.dims import shapes

    find_model(BILSTM, MODELS)  # loads the package, which registers the factories
    names = {f.name for f in shapes.factories if f.name.startswith("RNNModel(")}
    assert names == {variant.name for variant in VARIANTS}


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_summary__rnn_model_reads_as_torch_documents(
    variant: Variant, summaries: dict[str, Summary]
) -> None:
    summary = _summary_of(variant.name, summaries)
    layer, head = variant.params()
    assert summary.cls == ("RNNModelHC" if variant.kind == "LSTM" else "RNNModelH")
    assert _rows(summary) == [
        (
            "",
            ["batch steps", *variant.state],
            ["steps*batch vocab", *variant.state],
            layer + head,
        ),
        (
            "rnn",
            ["steps batch vocab", *variant.state],
            [f"steps batch {variant.width}", *variant.state],
            layer,
        ),
        ("linear", [f"steps*batch {variant.width}"], ["steps*batch vocab"], head),
    ]
    # layers_dirs is the model's own D*num_layers in every run
    assert {run["layers_dirs"] for run in summary.runs} == {variant.directions * variant.layers}
    assert summary.unnamed() == []
    assert (summary.total, summary.trainable) == (layer + head, layer + head)
    assert summary.counted.example == "d2l"


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_summary__scratch_model__one_row_products_as_annotated(kind: str) -> None:
    summary = summarize(find_model(f"RNNModelScratch({kind})", MODELS))
    state = ["batch hiddens"] * (2 if kind == "lstm" else 1)
    assert [(name, ins, outs) for name, ins, outs, _ in _rows(summary)] == [
        ("", ["batch steps", *state], ["steps*batch vocab", *state])
    ]


BILSTM_TEXT = """\
layer              input                      output                        params
-----------------  -------------------------  -------------------------  ---------
RNNModelHC         batch steps                steps*batch vocab          2,177,052
                   layers_dirs batch hiddens  layers_dirs batch hiddens
                   layers_dirs batch hiddens  layers_dirs batch hiddens
  rnn (LSTM)       steps batch vocab          steps batch 2*hiddens      2,162,688
                   layers_dirs batch hiddens  layers_dirs batch hiddens
                   layers_dirs batch hiddens  layers_dirs batch hiddens
  linear (Linear)  steps*batch 2*hiddens      steps*batch vocab             14,364
params: 2,177,052 (trainable: 2,177,052), at the sizes of example 'd2l': batch=32, steps=35, \
vocab=28, hiddens=256, layers_dirs=4
shapes named from 3 runs on the meta device: batch=5/19/41, steps=7/23/43, vocab=11/29/47, \
hiddens=13/31/53, layers_dirs=4/4/4
"""

BILSTM_MARKDOWN = """\
| layer | input | output | params |
| --- | --- | --- | ---: |
| RNNModelHC | `batch steps`<br>`layers_dirs batch hiddens`<br>`layers_dirs batch hiddens` \
| `steps*batch vocab`<br>`layers_dirs batch hiddens`<br>`layers_dirs batch hiddens` | 2,177,052 |
| `rnn` (LSTM) | `steps batch vocab`<br>`layers_dirs batch hiddens`<br>`layers_dirs batch hiddens` \
| `steps batch 2*hiddens`<br>`layers_dirs batch hiddens`<br>`layers_dirs batch hiddens` \
| 2,162,688 |
| `linear` (Linear) | `steps*batch 2*hiddens` | `steps*batch vocab` | 14,364 |

params: 2,177,052 (trainable: 2,177,052), at the sizes of example 'd2l': batch=32, steps=35, \
vocab=28, hiddens=256, layers_dirs=4

shapes named from 3 runs on the meta device: batch=5/19/41, steps=7/23/43, vocab=11/29/47, \
hiddens=13/31/53, layers_dirs=4/4/4
"""


def test_summary__bidirectional_lstm__text(summaries: dict[str, Summary]) -> None:
    assert render(_summary_of(BILSTM, summaries), "text") == BILSTM_TEXT


def test_summary__bidirectional_lstm__markdown(summaries: dict[str, Summary]) -> None:
    assert render(_summary_of(BILSTM, summaries), "markdown") == BILSTM_MARKDOWN


def test_summary__bidirectional_lstm__depth_1_is_every_row(
    summaries: dict[str, Summary],
) -> None:
    shown = render(_summary_of(BILSTM, summaries), "text", depth=1)
    assert shown == BILSTM_TEXT  # rnn and linear are depth 1
    data = json.loads(render(_summary_of(BILSTM, summaries), "json", depth=1))
    assert [row["name"] for row in data["rows"]] == ["", "rnn", "linear"]


def test_summary__docs_page_shows_the_current_output(summaries: dict[str, Summary]) -> None:
    page = (REPO / "docs" / "summary.md").read_text(encoding="utf-8")
    shown = f"```text\n$ shapecheck summary '{BILSTM}'\n{BILSTM_TEXT}```"
    assert shown in page, "docs/summary.md: regenerate its example output"
    assert render(_summary_of(BILSTM, summaries), "markdown") in page


# ------------------------------------------------------ a torch layer, third-party


ENCODER_ROWS = [
    ("", [D_MODEL], [D_MODEL], 33472),
    ("self_attn", [D_MODEL] * 3, [D_MODEL], 16640),
    ("self_attn.out_proj", [], [], 4160),  # its weights are used, the module is not called
    ("linear1", [D_MODEL], ["seq batch ffn"], 8320),
    ("dropout", ["seq batch ffn"], ["seq batch ffn"], 0),
    ("linear2", ["seq batch ffn"], [D_MODEL], 8256),
    ("norm1", [D_MODEL], [D_MODEL], 128),
    ("norm2", [D_MODEL], [D_MODEL], 128),
    ("dropout1", [D_MODEL], [D_MODEL], 0),
    ("dropout2", [D_MODEL], [D_MODEL], 0),
]


def test_summary__transformer_encoder_layer__names_every_dim(samples: Path) -> None:
    summary = summarize(find_model("encoder:build", Project(("encoder:build",))), inputs=[D_MODEL])
    assert summary.cls == "TransformerEncoderLayer"
    assert _rows(summary) == ENCODER_ROWS
    assert [layer.calls for layer in summary.layers] == [1, 1, 0, 1, 1, 1, 1, 1, 1, 1]
    assert summary.unnamed() == []
    assert summary.counted.example == "small"


def test_summary__transformer_encoder_layer__lists_what_it_could_not_name(
    samples: Path,
) -> None:
    summary = summarize(find_model("encoder:wide", Project(("encoder:wide",))), inputs=[D_MODEL])
    # 10 * heads * head_dim, at the runs' heads 11/29/47 and head_dims 13/31/53
    wide = (1430, 8990, 24910)
    assert [(u.layer, u.side, u.index, u.axis, u.sizes) for u in summary.unnamed()] == [
        ("linear1", "output", 0, 2, wide),
        ("dropout", "input", 0, 2, wide),
        ("dropout", "output", 0, 2, wide),
        ("linear2", "input", 0, 2, wide),
    ]
    assert summary.shapes(summary.layers[3].outputs) == ["seq batch 1430?"]
    text = render(summary, "text", depth=1)
    assert text.endswith(
        "sizes it could not name:\n"
        "  1430? (1430/8990/24910 in the runs): linear1 output[0] axis 2, "
        "dropout input[0] axis 2, dropout output[0] axis 2, linear2 input[0] axis 2\n"
    )
    data = json.loads(render(summary, "json"))
    assert data["unnamed"][0] == {
        "layer": "linear1",
        "side": "output",
        "index": 0,
        "axis": 2,
        "sizes": list(wide),
    }


def test_summary__fixed_model__sizes_it_fixes_are_literals(samples: Path) -> None:
    summary = summarize(
        find_model("encoder:fixed", Project(("encoder:fixed",))), inputs=["seq batch 16"]
    )
    rows = {name: (ins, outs) for name, ins, outs, _ in _rows(summary)}
    assert rows["linear1"] == (["seq batch 16"], ["seq batch 2048"])
    assert summary.counted.at == "built"
    assert summary.total == 68752
    assert "params: 68,752 (trainable: 68,752), as the model was built" in render(summary)


def test_summary__registry_given_on_the_command_line(
    samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["summary", "bare:build", "--registry", "dims:dims", "--input", "batch width", "--json"]
    )
    data = json.loads(capsys.readouterr().out)
    assert status == 0
    assert [(r["name"], r["class"], r["inputs"], r["outputs"]) for r in data["rows"]] == [
        ("", "Linear", ["batch width"], ["batch 3*width"])
    ]
    # no example: counted at the first run's sizes, width 7
    assert data["params_at"] == {"example": None, "sizes": {"batch": 5, "width": 7}}
    assert data["totals"] == {"params": 7 * 21 + 21, "trainable": 7 * 21 + 21}


# -------------------------------------------------------------- the function


def _sequential(*layers: nn.Module) -> Model:
    dims = shapecheck.Registry(dims={"batch": "rows", "steps": "steps", "width": "features"})
    return Model(Factory("seq", nn.Sequential, lambda sizes, device: nn.Sequential(*layers)), dims)


def test_summary__docstring_example_runs() -> None:
    doc = summary_module.__doc__ or ""
    code = doc.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "shapecheck._summary.__doc__", "exec"), {})  # noqa: S102


def test_summary__a_module_called_twice__its_first_call_and_the_count() -> None:
    shared = nn.Identity()
    summary = summarize(_sequential(shared, shared), inputs=["batch width"])
    assert [(layer.name, layer.calls) for layer in summary.layers] == [("", 1), ("0", 2)]
    assert "  0 (Identity), 2 calls  batch width" in render(summary)


def test_summary__product_order__as_the_dims_first_show_alone() -> None:
    summary = summarize(_sequential(nn.Flatten(0, 1)), inputs=["batch steps width"])
    assert summary.shapes(summary.layers[1].outputs) == ["batch*steps width"]
    swapped = summarize(_sequential(nn.Flatten(0, 1)), inputs=["steps batch width"])
    assert swapped.shapes(swapped.layers[1].outputs) == ["steps*batch width"]


def test_summary__product_order__as_an_input_writes_it() -> None:
    summary = summarize(_sequential(nn.Identity()), inputs=["width*batch"])
    assert summary.shapes(summary.layers[1].outputs) == ["width*batch"]


def test_summary__depth_and_rows() -> None:
    model = _sequential(nn.Sequential(nn.Linear(1, 1)))
    summary = summarize(model, inputs=["batch 1"])
    assert [(layer.name, layer.depth) for layer in summary.layers] == [
        ("", 0),
        ("0", 1),
        ("0.0", 2),
    ]
    assert [layer.name for layer in summary.rows(1)] == ["", "0"]
    assert "    0 (Linear)" in render(summary, "text")


def test_summary__an_unnamed_axis_shows_its_first_size() -> None:
    summary = summarize(_sequential(nn.Identity()), inputs=["batch"])
    assert summary.dim(Axis((17, 19, 23), None)) == "17?"


@pytest.mark.parametrize(
    ("text", "callable_ref"),
    [
        ("models.rnn_model:build", True),
        ("encoder:build", True),
        ("path/to/encoder.py:make.model", True),
        (BILSTM, False),
        ("RNNModelScratch(lstm)", False),
        ("a name: with a colon", False),
    ],
    ids=["module", "top-level", "file", "factory", "scratch-factory", "spaced-name"],
)
def test_summary__is_callable_ref(text: str, callable_ref: bool) -> None:
    assert is_callable_ref(text) is callable_ref


def test_summary__unknown_factory__lists_the_known_ones() -> None:
    with pytest.raises(SummaryError) as raised:
        find_model("RNNModel(nn.LSTM, 9 layers)", MODELS)
    message = str(raised.value)
    assert message.startswith("no factory named 'RNNModel(nn.LSTM, 9 layers)'")
    assert f"'{BILSTM}'" in message and "'RNNModelScratch(lstm)'" in message
    assert "\n" not in message


# ------------------------------------------------------------------ the CLI


def _cli(*argv: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shapecheck.cli", "summary", *argv],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{cwd}:{REPO}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_summary__cli__bidirectional_lstm_text() -> None:
    done = _cli(BILSTM)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == BILSTM_TEXT


@pytest.mark.slow
def test_summary__cli__third_party_json(samples: Path) -> None:
    done = _cli("encoder:build", "--input", D_MODEL, "--json", "--depth", "1", cwd=samples)
    assert (done.returncode, done.stderr) == (0, "")
    data = json.loads(done.stdout)
    assert [(r["name"], r["inputs"], r["outputs"], r["params"]) for r in data["rows"]] == [
        row for row in ENCODER_ROWS if "." not in row[0]
    ]
    assert [r["depth"] for r in data["rows"]] == [0] + [1] * 8


@pytest.mark.slow
def test_summary__cli__error_is_one_line(samples: Path) -> None:
    done = _cli("encoder:raises", cwd=samples)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "shapecheck summary: error: building 'encoder:raises' at example 'small' (seq=10, "
        "batch=4, heads=4, head_dim=16, ffn=128) raised ValueError: no such layer\n"
    )


ERRORS = [
    (
        ("RNNModel(nn.LSTM, 9 layers)",),
        r"no factory named 'RNNModel\(nn.LSTM, 9 layers\)' .*known: ",
    ),
    (
        ("nosuch_module:build",),
        r"cannot import 'nosuch_module:build': no module named 'nosuch_module'",
    ),
    (("broken:build",), r"cannot import 'broken:build': ZeroDivisionError: at import"),
    (("encoder:nothing",), r"encoder has no object 'nothing'"),
    (("encoder:dims",), r"'encoder:dims' is a Registry, not a callable"),
    (("encoder:three",), r"three\(a, b, c\) must take \(sizes, device\) or no arguments"),
    (
        ("encoder:raises",),
        r"building 'encoder:raises' at example 'small' \(seq=10, .*\) raised ValueError: "
        r"no such layer",
    ),
    (("encoder:not_a_module",), r"'encoder:not_a_module' built a dict, not an nn.Module"),
    (
        ("encoder:build",),
        r"cannot make the inputs of TransformerEncoderLayer.forward: `src`: a bare Tensor has no "
        r"shape to make it at; give each positional input's dims with --input DIMS",
    ),
    (
        ("encoder:build", "--input", "seq batch heads"),
        r"TransformerEncoderLayer.forward raised at seq=5, .*: AssertionError: was expecting "
        r"embedding dimension of 143, but got 11",
    ),
    (("encoder:build", "--input", "seq **"), r'invalid dimension string "seq \*\*"'),
    (
        ("encoder:build", "--input", D_MODEL, "--example", "big"),
        r"--example: no example named 'big' \(known: small\)",
    ),
    ((BILSTM, "--depth", "0"), r"--depth must be 1 or more \(the model is depth 0\), not 0"),
    ((BILSTM, "--depth", "-2"), r"--depth must be 1 or more \(the model is depth 0\), not -2"),
    ((BILSTM, "--depth", "two"), r"argument --depth: invalid int value: 'two'"),
    (
        (BILSTM, "--json", "--format", "markdown"),
        r"argument --format: not allowed with argument --json",
    ),
]


@pytest.mark.parametrize(
    ("argv", "pattern"),
    ERRORS,
    ids=[
        "unknown-factory",
        "no-module",
        "module-raises",
        "no-object",
        "not-callable",
        "wrong-arguments",
        "callable-raises",
        "not-a-module",
        "forward-without-shapes",
        "forward-raises",
        "bad-input",
        "unknown-example",
        "depth-0",
        "depth-negative",
        "depth-not-int",
        "json-and-format",
    ],
)
def test_summary__error__exit_2_one_line(
    argv: tuple[str, ...],
    pattern: str,
    samples: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if argv[0].startswith("RNNModel"):
        monkeypatch.chdir(REPO)  # the settings name the models package
    try:
        status = main(["summary", *argv])
    except SystemExit as stop:  # argparse's own usage errors
        status = stop.code  # type: ignore[assignment]
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("shapecheck summary: error: ")
    assert re.search(pattern, err), err
