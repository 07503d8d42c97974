"""Acceptance of the shape documentation: `shapecheck docs` on real packages.

Two packages are documented end to end. `models` (the bundled d2l models)
has registered dims and example sizes: its committed reference
`docs/shapes.md` + `docs/shapes/*.svg` must be what the generator writes, and
its pages must show the LSTM, the RNNModel variants and the glossary with
concrete sizes. `vision_blocks` (in `tests/docs_samples/`) is written the way
an outside project annotates, with plain jaxtyping and no shapecheck import:
its page must show every function, `...`, `#dim`, `*batch` and symbolic
shapes as written, and no concrete sizes at all.

The line numbers and expressions of intermediates, and the `def` lines, are
read from the source files with `ast`, never typed in here; the shapes shown
for intermediates are checked against the source's annotations too.

Every command-line run is a subprocess. They are all prepared and started
at once, in parallel, by the module-scoped `cli` fixture (the `models` runs
take seconds each); each test then reads the result it needs.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import typing
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

from shapecheck._spec import TensorSpec
from shapecheck.cli import main
from shapecheck.docs import Rendered, render
from shapecheck.docs import _docstring as docstring

REPO = Path(__file__).resolve().parents[1]
SAMPLES = Path(__file__).resolve().parent / "docs_samples"
DOCS_MD = REPO / "docs" / "shapes.md"
SVG_FOLDER = REPO / "docs" / "shapes"
SVG_NS = "{http://www.w3.org/2000/svg}"
_SCRIPT = Path(sys.executable).parent / "shapecheck"
SHAPECHECK = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "shapecheck.cli"]
SAMPLE_PACKAGES = (
    "vision_blocks",
    "broken_annotations",
    "failing_import_pkg",
    "docstring_sections",
    "union_arrays",
)


# --- reading the generated Markdown -------------------------------------------


def section(text: str, heading: str) -> str:
    """From the heading line `heading` to the next `##`/`###` heading."""
    lines = text.splitlines()
    starts = [index for index, line in enumerate(lines) if line == heading]
    assert len(starts) == 1, f"{heading!r} appears {len(starts)} times"
    end = next(
        (
            index
            for index in range(starts[0] + 1, len(lines))
            if lines[index].startswith(("## ", "### "))
        ),
        len(lines),
    )
    return "\n".join(lines[starts[0] : end])


def function_section(text: str, qualname: str) -> str:
    return section(text, f"### `{qualname}`")


def _cell_text(cell: str) -> str:
    """A table cell as plain text: `\\|` unescaped, a whole-cell code span unwrapped."""
    cell = cell.strip().replace("\\|", "|")
    match = re.fullmatch(r"(`+) ?(.*?) ?\1", cell)
    return match.group(2) if match else cell


def tables(text: str) -> dict[str, list[dict[str, str]]]:
    """Every table in `text` under its bold caption (`**Intermediates**`), as dict rows."""
    found: dict[str, list[dict[str, str]]] = {}
    caption = ""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        bold = re.fullmatch(r"\*\*(.+?)\*\*", line)
        if bold:
            caption = bold.group(1)
        if line.startswith("|"):
            block = []
            while index < len(lines) and lines[index].startswith("|"):
                block.append(lines[index])
                index += 1
            header, _separator, *body = (
                [_cell_text(c) for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]] for row in block
            )
            assert caption not in found, f"two tables under {caption!r}"
            found[caption] = [dict(zip(header, row, strict=True)) for row in body]
            continue
        index += 1
    return found


def headers(text: str) -> dict[str, list[str]]:
    """The column names of every table in `text`, by caption."""
    found: dict[str, list[str]] = {}
    caption = ""
    previous = ""
    for line in text.splitlines():
        bold = re.fullmatch(r"\*\*(.+?)\*\*", line)
        if bold:
            caption = bold.group(1)
        if line.startswith("|") and not previous.startswith("|"):
            found[caption] = [_cell_text(c) for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        previous = line
    return found


def rows_by_path(text: str) -> dict[str, dict[str, str]]:
    rows = tables(text)["Arguments and returns"]
    by_path = {row["path"]: row for row in rows}
    assert len(by_path) == len(rows), "a path appears twice"
    return by_path


def function_headings(text: str) -> list[str]:
    return re.findall(r"^### `(.+)`$", text, flags=re.MULTILINE)


# --- reading the source, the way the page should describe it ------------------


@dataclass(frozen=True)
class SourceBinding:
    """A statement that gives an annotated local a value."""

    name: str
    line: int
    dtype: str  # from the local's annotation: "Float"
    shape: str  # "batch hiddens"
    statement: str  # the statement's source (a `for` loop: its header only)


def _function_node(path: Path, qualname: str) -> ast.FunctionDef:
    scope: list[ast.stmt] = ast.parse(path.read_text(encoding="utf-8")).body
    node: ast.stmt | None = None
    for part in qualname.split("."):
        node = next(
            n for n in scope if isinstance(n, ast.FunctionDef | ast.ClassDef) and n.name == part
        )
        scope = node.body
    assert isinstance(node, ast.FunctionDef)
    return node


def def_line(path: Path, qualname: str) -> int:
    return _function_node(path, qualname).lineno


def _own_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _own_statements(getattr(stmt, field, []))


def _names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _names(element)


def source_bindings(path: Path, qualname: str) -> list[SourceBinding]:
    """Every binding of every local annotated `Dtype[Tensor, "shape"]`, in source order."""
    statements = list(_own_statements(_function_node(path, qualname).body))
    declared: dict[str, tuple[str, str]] = {}
    for stmt in statements:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            annotation = stmt.annotation
            assert isinstance(annotation, ast.Subscript) and isinstance(annotation.value, ast.Name)
            assert isinstance(annotation.slice, ast.Tuple)
            dims = annotation.slice.elts[1]
            assert isinstance(dims, ast.Constant) and isinstance(dims.value, str)
            declared.setdefault(stmt.target.id, (annotation.value.id, dims.value))
    found = []
    for stmt in statements:
        targets: list[ast.expr]
        if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, text = [stmt.target], ast.unparse(stmt)
        elif isinstance(stmt, ast.Assign):
            targets, text = stmt.targets, ast.unparse(stmt)
        elif isinstance(stmt, ast.For):
            targets = [stmt.target]
            text = f"for {ast.unparse(stmt.target)} in {ast.unparse(stmt.iter)}"
        else:
            continue
        for target in targets:
            for name in _names(target):
                if name in declared:
                    dtype, shape = declared[name]
                    found.append(SourceBinding(name, stmt.lineno, dtype, shape, text))
    return sorted(found, key=lambda binding: binding.line)


def assert_intermediates_match_source(
    page_section: str, path: Path, qualname: str, concrete: dict[str, str] | None
) -> None:
    """The intermediates table has one row per binding in the source, with its line,
    declared dtype and shape, and an expression taken from that statement."""
    rows = tables(page_section)["Intermediates"]
    expected = source_bindings(path, qualname)
    assert [(int(row["line"]), row["name"]) for row in rows] == [
        (binding.line, binding.name) for binding in expected
    ]
    for row, binding in zip(rows, expected, strict=True):
        assert (row["dtype"], row["shape"]) == (binding.dtype, binding.shape), row
        expression = row["expression"].split("  # in ")[0]
        assert expression and expression in binding.statement, (expression, binding.statement)
        if concrete is not None:
            assert row["at d2l"] == concrete[binding.name], row


# --- command-line runs, all started at once -----------------------------------


@dataclass(frozen=True)
class CliRun:
    args: tuple[str, ...]
    cwd: Path
    pythonpath: Path | None = None


def _run_cli(run: CliRun) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    if run.pythonpath is not None:
        env["PYTHONPATH"] = str(run.pythonpath)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [*SHAPECHECK, *run.args],
        cwd=run.cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
        check=False,
    )


class CliResults:
    """Subprocess runs by name; reading one waits for it."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._pool = pool
        self._futures: dict[str, Future[subprocess.CompletedProcess[str]]] = {}
        self.paths: dict[str, Path] = {}

    def start(self, name: str, run: CliRun) -> None:
        self._futures[name] = self._pool.submit(_run_cli, run)

    def __getitem__(self, name: str) -> subprocess.CompletedProcess[str]:
        return self._futures[name].result()


@dataclass(frozen=True)
class ModelsEdit:
    """One annotation changed in a copy of `models/`, and the table row it changes."""

    file: str
    old: str
    new: str
    function: str  # the section of docs/shapes.md whose table row changes
    row: str  # the path (or intermediate name) whose shape changes
    old_shape: str
    new_shape: str


MODELS_EDITS = {
    "param-field": ModelsEdit(
        "lstm.py",
        'b_q: Float[Tensor, "vocab"]',
        'b_q: Float[Tensor, "#vocab"]',
        "lstm",
        "params.b_q",
        "vocab",
        "#vocab",
    ),
    "local": ModelsEdit(
        "lstm.py",
        'I: Float[Tensor, "batch hiddens"] =',
        'I: Float[Tensor, "... hiddens"] =',
        "lstm",
        "I",
        "batch hiddens",
        "... hiddens",
    ),
    "return": ModelsEdit(
        "lstm.py",
        '-> tuple[Float[Tensor, "steps*batch vocab"], LSTMState]:',
        '-> tuple[Float[Tensor, "batch*steps vocab"], LSTMState]:',
        "lstm",
        "return[0]",
        "steps*batch vocab",
        "batch*steps vocab",
    ),
}

ERROR_TARGETS = {
    # name: (target, fragments the one stderr line must hold)
    "init-raises": (
        "failing_import_pkg",
        ("cannot import 'failing_import_pkg'", "RuntimeError: failing_import_pkg refuses to load"),
    ),
    "syntax-error": (
        "docs_sample_syntax_error",
        ("cannot import 'docs_sample_syntax_error'", "SyntaxError", "line 4"),
    ),
    "no-such-module": (
        "docs_sample_no_such_module",
        (
            "cannot import 'docs_sample_no_such_module'",
            "no module named 'docs_sample_no_such_module'",
        ),
    ),
}

STALE_SVG = "models.removed_function.svg"


def _copy_models(destination: Path) -> Path:
    shutil.copytree(
        REPO / "models", destination / "models", ignore=shutil.ignore_patterns("__pycache__")
    )
    return destination


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliResults]:
    check_committed = ("docs", "models", "-o", str(DOCS_MD), "--check")
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = CliResults(pool)
        # The slow ones (`models`, a few seconds each) first.
        results.start("models-committed", CliRun(check_committed, REPO))
        unchanged = _copy_models(tmp_path_factory.mktemp("models_unchanged"))
        results.start("models-copy", CliRun(check_committed, unchanged, unchanged))
        for name, edit in MODELS_EDITS.items():
            edited = _copy_models(tmp_path_factory.mktemp(f"models_{name}"))
            file = edited / "models" / edit.file
            source = file.read_text(encoding="utf-8")
            assert source.count(edit.old) == 1, f"{edit.old!r} is not once in {edit.file}"
            file.write_text(source.replace(edit.old, edit.new), encoding="utf-8")
            results.start(f"edit-{name}", CliRun(check_committed, edited, edited))
        syntax = tmp_path_factory.mktemp("syntax")
        (syntax / "docs_sample_syntax_error.py").write_text(
            '"""A module that does not parse."""\n\n\ndef broken(x:\n    return x\n',
            encoding="utf-8",
        )
        for name, (target, _) in ERROR_TARGETS.items():
            where = syntax if name == "syntax-error" else SAMPLES
            results.start(f"error-{name}", CliRun(("docs", target), where, where))
        out = tmp_path_factory.mktemp("out")
        results.paths["out"] = out
        runs = {
            "broken": ("docs", "broken_annotations", "-o", str(out / "broken" / "shapes.md")),
            "vision-markdown": ("docs", "vision_blocks", "-o", str(out / "vision" / "shapes.md")),
        }
        for name, args in runs.items():
            results.start(name, CliRun(args, SAMPLES, SAMPLES))
        yield results


# --- in-process renders, once per module ----------------------------------------


@pytest.fixture(scope="module")
def samples_on_path() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(SAMPLES))
        yield
    for name in list(sys.modules):
        if name.split(".")[0] in SAMPLE_PACKAGES:
            del sys.modules[name]


@pytest.fixture(scope="module")
def models_page() -> Rendered:
    return render("models")


@pytest.fixture(scope="module")
def vision_page(samples_on_path: None) -> Rendered:
    return render("vision_blocks")


@pytest.fixture(scope="module")
def union_page(samples_on_path: None) -> Rendered:
    return render("union_arrays")


# --- 1. the committed reference is what the generator writes ----------------------


def test_cli_check__committed_reference_is_current(cli: CliResults) -> None:
    result = cli["models-committed"]
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr
    assert "out of date" not in result.stderr


def test_cli_check__copy_of_models_elsewhere_matches_too(cli: CliResults) -> None:
    # Same files from a package that lives in another folder: nothing in the
    # output depends on where the package is.
    result = cli["models-copy"]
    assert (result.returncode, result.stdout) == (0, ""), result.stdout + result.stderr


@pytest.mark.parametrize("name", list(MODELS_EDITS), ids=list(MODELS_EDITS))
def test_cli_check__edited_annotation_fails_with_diff(cli: CliResults, name: str) -> None:
    edit = MODELS_EDITS[name]
    result = cli[f"edit-{name}"]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "out of date" in result.stderr
    assert "example run failed" not in result.stderr  # the edit still runs
    assert f"--- {DOCS_MD} (committed)" in result.stdout
    assert f"+++ {DOCS_MD} (generated)" in result.stdout
    diff = result.stdout.splitlines()

    def changed(sign: str, shape: str) -> list[str]:
        return [
            line
            for line in diff
            if line.startswith(sign)
            and not line.startswith(sign * 3)
            and f"`{edit.row}`" in line
            and f"`{shape}`" in line
        ]

    removed = changed("-", edit.old_shape)
    committed = function_section(DOCS_MD.read_text(encoding="utf-8"), edit.function)
    assert any(line[1:] in committed.splitlines() for line in removed), result.stdout
    assert changed("+", edit.new_shape), result.stdout


# --- 2. the lstm page ----------------------------------------------------------

LSTM_PARAMS = {
    # field: (shape, size at d2l), in d2l's order
    "W_xi": ("vocab hiddens", "28 × 256"),
    "W_hi": ("hiddens hiddens", "256 × 256"),
    "b_i": ("hiddens", "256"),
    "W_xf": ("vocab hiddens", "28 × 256"),
    "W_hf": ("hiddens hiddens", "256 × 256"),
    "b_f": ("hiddens", "256"),
    "W_xo": ("vocab hiddens", "28 × 256"),
    "W_ho": ("hiddens hiddens", "256 × 256"),
    "b_o": ("hiddens", "256"),
    "W_xc": ("vocab hiddens", "28 × 256"),
    "W_hc": ("hiddens hiddens", "256 × 256"),
    "b_c": ("hiddens", "256"),
    "W_hq": ("hiddens vocab", "256 × 28"),
    "b_q": ("vocab", "28"),
}
LSTM_INTERMEDIATES = {
    # name: (shape, size at d2l)
    "X": ("batch vocab", "32 × 28"),
    "I": ("batch hiddens", "32 × 256"),
    "F": ("batch hiddens", "32 × 256"),
    "O": ("batch hiddens", "32 × 256"),
    "C_tilda": ("batch hiddens", "32 × 256"),
    "C": ("batch hiddens", "32 × 256"),
    "H": ("batch hiddens", "32 × 256"),
    "Y": ("batch vocab", "32 × 28"),
}
LSTM_SOURCE = REPO / "models" / "lstm.py"


@pytest.fixture(scope="module")
def lstm_section(models_page: Rendered) -> str:
    return function_section(models_page.text, "lstm")


def test_lstm_page__params_rows_in_order_with_shapes_and_sizes(lstm_section: str) -> None:
    rows = tables(lstm_section)["Arguments and returns"]
    params = [row for row in rows if row["path"].startswith("params.")]
    assert [row["path"] for row in params] == [f"params.{name}" for name in LSTM_PARAMS]
    for row in params:
        shape, size = LSTM_PARAMS[row["path"].removeprefix("params.")]
        assert (row["dtype"], row["shape"], row["at d2l"]) == ("Float", shape, size), row


@pytest.mark.parametrize(
    ("path", "shape", "size"),
    [
        ("inputs", "steps batch vocab", "35 × 32 × 28"),
        ("state[0]", "batch hiddens", "32 × 256"),
        ("state[1]", "batch hiddens", "32 × 256"),
        ("return[0]", "steps*batch vocab", "1120 × 28"),
        ("return[1][0]", "batch hiddens", "32 × 256"),
        ("return[1][1]", "batch hiddens", "32 × 256"),
    ],
    ids=["inputs", "state-H", "state-C", "return-logits", "return-H", "return-C"],
)
def test_lstm_page__argument_and_return_rows(
    lstm_section: str, path: str, shape: str, size: str
) -> None:
    row = rows_by_path(lstm_section)[path]
    assert (row["dtype"], row["shape"], row["at d2l"]) == ("Float", shape, size)


def test_lstm_page__defined_at_the_def_line(lstm_section: str) -> None:
    assert f"Defined at `models/lstm.py:{def_line(LSTM_SOURCE, 'lstm')}`." in lstm_section


def test_lstm_page__intermediates_with_source_lines_and_sizes(lstm_section: str) -> None:
    shown = {row["name"] for row in tables(lstm_section)["Intermediates"]}
    assert shown == set(LSTM_INTERMEDIATES)
    bindings = source_bindings(LSTM_SOURCE, "lstm")
    for binding in bindings:
        assert binding.shape == LSTM_INTERMEDIATES[binding.name][0], binding
    sizes = {name: size for name, (_, size) in LSTM_INTERMEDIATES.items()}
    assert_intermediates_match_source(lstm_section, LSTM_SOURCE, "lstm", sizes)


def test_lstm_page__gate_rows_show_their_expressions(lstm_section: str) -> None:
    rows = {row["name"]: row for row in tables(lstm_section)["Intermediates"]}
    for name, gate in (("I", "i"), ("F", "f"), ("O", "o")):
        assert (
            rows[name]["expression"] == f"torch.sigmoid(X @ W_x{gate} + H @ W_h{gate} + b_{gate})"
        )
    assert rows["C_tilda"]["expression"] == "torch.tanh(X @ W_xc + H @ W_hc + b_c)"
    assert rows["Y"]["expression"] == "H @ W_hq + b_q"


def test_lstm_page__flow_diagram(models_page: Rendered, lstm_section: str) -> None:
    assert "![lstm](shapes/models.lstm.lstm.svg)" in lstm_section
    mermaid = lstm_section.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    for name in [*LSTM_INTERMEDIATES, "inputs", "return[0]"]:
        assert f'["{name}<br/>' in mermaid, name
    assert "1120 × 28" in models_page.files["shapes/models.lstm.lstm.svg"]


# --- 3. the RNNModel pages -----------------------------------------------------


@pytest.mark.parametrize(
    ("qualname", "state_rows", "head_width"),
    [
        ("RNNModelHC.forward", ("state[0]", "state[1]"), 512),  # bidirectional: 2 x 256
        ("RNNModelH.forward", ("state",), 256),
    ],
    ids=["lstm-pair-state-bidirectional", "gru-tensor-state"],
)
def test_rnn_model_page__state_form_and_head_width(
    models_page: Rendered, qualname: str, state_rows: tuple[str, ...], head_width: int
) -> None:
    page = function_section(models_page.text, qualname)
    # The example instance fixes `layers_dirs` (layers x directions); the
    # relations say which.
    fixed = re.search(r"`layers_dirs`=(\d+) at d2l \(`__shapecheck_dims__`\)", page)
    assert fixed, page
    rows = rows_by_path(page)
    assert tuple(path for path in rows if path.startswith("state")) == state_rows
    for path in state_rows:
        row = rows[path]
        assert (row["shape"], row["at d2l"]) == (
            "layers_dirs batch hiddens",
            f"{fixed.group(1)} × 32 × 256",
        )
    head = next(row for row in tables(page)["Intermediates"] if row["name"] == "Y")
    assert (head["shape"], head["at d2l"]) == (
        "steps batch {self.num_directions}*hiddens",
        f"35 × 32 × {head_width}",
    )


def test_rnn_model_page__bidirectional_head_is_twice_hiddens(models_page: Rendered) -> None:
    example = models_page.report.example
    assert example is not None
    hiddens = dict(example.sizes)["hiddens"]
    page = function_section(models_page.text, "RNNModelHC.forward")
    head = next(row for row in tables(page)["Intermediates"] if row["name"] == "Y")
    assert head["at d2l"].split(" × ")[-1] == str(2 * hiddens)
    assert f"is `{{self.num_directions}}*hiddens` = {2 * hiddens} at d2l" in page


def test_rnn_model_page__variable_length_state_shows_item_sizes(models_page: Rendered) -> None:
    # ScratchState is `tuple[Hidden, ...]`: one row `state[i]`, sized by the
    # items the example run passed (the LSTM's H and C).
    rows = rows_by_path(function_section(models_page.text, "RNNModelScratch.forward"))
    assert (rows["state[i]"]["shape"], rows["state[i]"]["at d2l"]) == ("batch hiddens", "32 × 256")
    assert rows["return[1][i]"]["at d2l"] == "32 × 256"


# --- 4. the glossary -------------------------------------------------------------

MODELS_DIMS = ("batch", "steps", "vocab", "hiddens", "layers_dirs")


@pytest.mark.parametrize("dim", MODELS_DIMS, ids=MODELS_DIMS)
def test_glossary__models_dim_described_and_used(models_page: Rendered, dim: str) -> None:
    glossary = section(models_page.text, "## Glossary of dimensions")
    row = next(row for row in tables(glossary)[""] if row["dim"] == dim)
    assert row["description"] and "undescribed" not in row["description"]
    anchors = re.findall(r"\]\(#([a-z0-9-]+)\)", row["used by"])
    assert anchors, row
    for anchor in anchors:
        assert f'<a id="{anchor}"></a>' in models_page.text, anchor
    entry = next(entry for entry in models_page.report.glossary if entry.name == dim)
    assert entry.description and entry.used_by


# --- 5. the committed SVGs -----------------------------------------------------

COMMITTED_SVGS = sorted(path.name for path in SVG_FOLDER.glob("*.svg"))


@pytest.mark.parametrize("name", COMMITTED_SVGS, ids=COMMITTED_SVGS)
def test_committed_svg__is_svg_with_a_size(name: str) -> None:
    root = ET.parse(SVG_FOLDER / name).getroot()
    assert root.tag == f"{SVG_NS}svg"
    assert float(root.attrib["width"]) > 0 and float(root.attrib["height"]) > 0


def test_committed_svg__links_and_files_match() -> None:
    links = re.findall(r"!\[[^\]]*\]\(([^)\s]+\.svg)\)", DOCS_MD.read_text(encoding="utf-8"))
    linked = {(DOCS_MD.parent / unquote(link)).resolve() for link in links}
    assert len(linked) == len(links) >= 5
    assert all(path.is_file() for path in linked), sorted(map(str, linked))
    assert linked == {path.resolve() for path in SVG_FOLDER.iterdir()}


# --- 6. a package annotated the way an outside project does --------------------

VISION_MODULES = {
    "vision_blocks.blocks": ["ConvBlock.forward"],
    "vision_blocks.heads": ["embed_patches", "detect"],
    "vision_blocks.ops": ["add_bias", "pad_both", "attention"],
}
VISION_ROWS = {
    # qualname: [(path, dtype, shape)]: shapes exactly as written in the source
    "ConvBlock.forward": [
        ("x", "Float", "batch in_channels height width"),
        ("return", "Float", "batch out_channels height width"),
    ],
    "embed_patches": [
        ("patches.pixels", "Float", "batch num_patches patch_dim"),
        ("patches.positions", "Int", "num_patches 2"),
        ("proj", "Float", "patch_dim dim"),
        ("return", "Float", "batch num_patches dim"),
    ],
    "detect": [
        ("features", "Float", "batch anchors dim"),
        ("weight", "Float", "dim 4+classes"),
        ("return.boxes", "Float", "batch anchors 4"),
        ("return.logits", "Float", "batch anchors classes"),
    ],
    "add_bias": [
        ("x", "Float", "... channels"),
        ("bias", "Float", "#channels"),
        ("return", "Float", "... channels"),
    ],
    "pad_both": [("x", "Float", "batch length"), ("return", "Float", "batch length+2")],
    "attention": [
        ("q", "Float", "*batch heads q_len d"),
        ("k", "Float", "*batch heads k_len d"),
        ("v", "Float", "*batch heads k_len d_v"),
        ("mask", "Bool", "#q_len k_len"),
        ("return", "Float", "*batch heads q_len d_v"),
    ],
}
VISION_DESCRIPTIONS = {
    # qualname: {argument or "return": its text in the docstring's Args/Returns}
    "ConvBlock.forward": {
        "x": "a batch of feature maps.",
        "return": "the new feature maps, the same size.",
    },
    "embed_patches": {
        "patches": "the pixels and grid positions of the patches.",
        "proj": "the projection matrix.",
        "return": "one embedding per patch.",
    },
    "detect": {
        "features": "one feature vector per anchor.",
        "weight": "the box and class weights side by side.",
        "return": "the boxes and the class logits.",
    },
    "add_bias": {
        "x": "activations with any leading axes.",
        "bias": "one value per channel, or a single value for all.",
        "return": "the shifted activations.",
    },
    "pad_both": {"x": "a batch of sequences.", "return": "the sequences, two entries longer."},
    "attention": {
        "q": "the queries.",
        "k": "the keys, one per value.",
        "v": "the values, read with the attention weights of each query.",  # two lines
        "mask": "optional; true where a query may look at a key.",
        "return": "one mixed value per query.",
    },
}
VISION_FLOWS = {
    # qualname: (module, source file): the functions with a shape-flow diagram
    "ConvBlock.forward": ("vision_blocks.blocks", "blocks.py"),
    "detect": ("vision_blocks.heads", "heads.py"),
    "attention": ("vision_blocks.ops", "ops.py"),
}
VISION_DIMS = {
    "anchors",
    "batch",
    "channels",
    "classes",
    "d",
    "d_v",
    "dim",
    "heads",
    "height",
    "in_channels",
    "k_len",
    "length",
    "num_patches",
    "out_channels",
    "patch_dim",
    "q_len",
    "width",
}
VISION = SAMPLES / "vision_blocks"


def test_vision_page__every_function_documented(vision_page: Rendered) -> None:
    documented = {
        module.name: [function.qualname for function in module.functions]
        for module in vision_page.report.modules
    }
    assert documented == VISION_MODULES
    assert function_headings(vision_page.text) == [
        qualname for functions in VISION_MODULES.values() for qualname in functions
    ]
    assert vision_page.problems == ()


@pytest.mark.parametrize("qualname", list(VISION_ROWS), ids=list(VISION_ROWS))
def test_vision_page__rows_as_written_with_descriptions(
    vision_page: Rendered, qualname: str
) -> None:
    page = function_section(vision_page.text, qualname)
    rows = tables(page)["Arguments and returns"]
    assert [(row["path"], row["dtype"], row["shape"]) for row in rows] == VISION_ROWS[qualname]
    for root, description in VISION_DESCRIPTIONS[qualname].items():
        first = next(row for row in rows if re.match(rf"{re.escape(root)}(\b|$)", row["path"]))
        assert first["description"] == description, first


@pytest.mark.parametrize("qualname", list(VISION_FLOWS), ids=list(VISION_FLOWS))
def test_vision_page__intermediates_and_flow(vision_page: Rendered, qualname: str) -> None:
    module, file = VISION_FLOWS[qualname]
    page = function_section(vision_page.text, qualname)
    assert_intermediates_match_source(page, VISION / file, qualname, None)
    slug = f"{module}.{qualname}"
    assert f"![{qualname}](shapes/{slug}.svg)" in page
    mermaid = page.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    assert mermaid.startswith("flowchart TD\n")
    svg = ET.fromstring(vision_page.files[f"shapes/{slug}.svg"])
    labels = {text.text for text in svg.iter(f"{SVG_NS}text")}
    for binding in source_bindings(VISION / file, qualname):
        assert f'["{binding.name}<br/>({", ".join(binding.shape.split())})' in mermaid
        assert binding.name in labels and f"({', '.join(binding.shape.split())})" in labels


def test_vision_page__no_flow_without_intermediates(vision_page: Rendered) -> None:
    without = [name for name in VISION_ROWS if name not in VISION_FLOWS]
    for qualname in without:
        page = function_section(vision_page.text, qualname)
        assert "**Shape flow**" not in page and "```mermaid" not in page, qualname
    assert sorted(vision_page.files) == sorted(
        f"shapes/{module}.{qualname}.svg" for qualname, (module, _) in VISION_FLOWS.items()
    )


def test_vision_page__glossary_lists_every_dim_undescribed(vision_page: Rendered) -> None:
    glossary = tables(section(vision_page.text, "## Glossary of dimensions"))[""]
    assert {row["dim"] for row in glossary} == VISION_DIMS
    for row in glossary:
        assert row["description"] == "*(undescribed)*", row
        assert re.search(r"\]\(#[a-z0-9-]+\)", row["used by"]), row
    assert all(entry.description is None for entry in vision_page.report.glossary)


def test_vision_page__no_example_and_no_concrete_column(vision_page: Rendered) -> None:
    assert vision_page.report.example is None
    assert "example" not in vision_page.text.lower()
    assert "Concrete sizes are observed" not in vision_page.text
    for qualname in VISION_ROWS:
        page = function_section(vision_page.text, qualname)
        for caption, columns in headers(page).items():
            assert not any(column.startswith("at ") for column in columns), (qualname, caption)
        assert "—" not in page  # no "not observed" cells either


def test_vision_page__symbolic_axis_named_in_relations(vision_page: Rendered) -> None:
    page = function_section(vision_page.text, "pad_both")
    assert "- `return` axis 1 is `length+2`" in page.splitlines()


@pytest.mark.parametrize(
    ("qualname", "right", "wrong"),
    [
        ("add_bias", "`channels` is bound by `x` axis -1", "`x` axis 1"),
        ("attention", "`heads` is bound by `q` axis -3", "`q` axis 1"),
        ("attention", "`d_v` is bound by `v` axis -1", "`v` axis 3"),
    ],
    ids=["after-ellipsis", "after-variadic", "last-after-variadic"],
)
def test_vision_page__relation_axes_count_from_the_end_after_a_variadic_group(
    vision_page: Rendered, qualname: str, right: str, wrong: str
) -> None:
    page = function_section(vision_page.text, qualname)
    assert right in page
    assert wrong not in page


def test_docstring__sections_after_args_stay_out_of_descriptions(samples_on_path: None) -> None:
    page = render("docstring_sections")
    rows = rows_by_path(function_section(page.text, "normalize"))
    assert rows["x"]["description"] == "the rows to scale."  # not "... Raises: ..."
    assert rows["return"]["description"] == "the scaled rows."
    assert "ValueError" not in page.text


def test_vision_cli__writes_the_rendered_page_and_svgs(
    cli: CliResults, vision_page: Rendered
) -> None:
    result = cli["vision-markdown"]
    assert result.returncode == 0, result.stderr
    folder = cli.paths["out"] / "vision"
    assert (folder / "shapes.md").read_text(encoding="utf-8") == vision_page.text
    written = {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in (folder / "shapes").iterdir()
    }
    assert written == vision_page.files
    assert "shapecheck docs:" not in result.stderr  # no problem, no error


# --- 6b. unions of array types, broadcast dims, docstring styles ----------------

UNION_ROWS = {
    # qualname: [(path cell, dtype, shape, at small)]: one row per option of a union,
    # labelled with its array type where the options differ in it; sizes only on
    # the option the example run passed (a torch tensor: a LazyMatrix is never made)
    "scale": [
        ("`x` (LazyMatrix)", "Float", "rows cols", "—"),
        ("`x` (Tensor)", "Float", "rows cols", "2 × 3"),
        ("`return` (Tensor)", "Float", "rows cols", "2 × 3"),
        ("`return` (LazyMatrix)", "Float", "rows cols", "—"),
    ],
    # options of one array type: told apart by their shapes, no label; the
    # repeated `... 1` is one row
    "shift": [
        ("x", "Float", "rows cols", "2 × 3"),
        ("diag", "Float", "... cols", "3"),
        ("diag", "Float", "... 1", "—"),
        ("diag", "Float", "*(scalar)*", "—"),
        ("return", "Float", "rows cols", "2 × 3"),
    ],
}


@pytest.mark.parametrize("qualname", list(UNION_ROWS), ids=list(UNION_ROWS))
def test_union_page__each_option_a_row_labelled_with_its_array_type(
    union_page: Rendered, qualname: str
) -> None:
    rows = tables(function_section(union_page.text, qualname))["Arguments and returns"]
    shown = [(row["path"], row["dtype"], row["shape"], row["at small"]) for row in rows]
    assert shown == UNION_ROWS[qualname]


def test_union_page__no_two_rows_alike(union_page: Rendered, models_page: Rendered) -> None:
    for page in (union_page, models_page):
        for module in page.report.modules:
            for function in module.functions:
                keys = [(row.label, row.spec, row.kind) for row in function.rows]
                assert len(keys) == len(set(keys)), function.qualname
        for block in page.text.split("\n### ")[1:]:
            lines = [line for line in block.splitlines() if line.startswith("| ")]
            assert len(lines) == len(set(lines)), block.splitlines()[0]


def test_union_page__html_labels_the_options_too(samples_on_path: None) -> None:
    page = render("union_arrays", format="html").text
    for path, branch in (("x", "LazyMatrix"), ("x", "Tensor"), ("return", "Tensor")):
        assert f'<code>{path}</code> <span class="branch">({branch})</span>' in page
    assert '<code>diag</code> <span class="branch">' not in page


@pytest.mark.parametrize(
    ("qualname", "relations"),
    [
        pytest.param(
            "scale",
            [
                # an axis every option has alike is one place, without a label
                "`rows` is bound by `x` axis 0 and must agree at `return` axis 0",
                "`cols` is bound by `x` axis 1 and must agree at `return` axis 1",
            ],
            id="union-options-merged",
        ),
        pytest.param(
            "blend",
            [
                "`rows` is the size at `b` axis 0 and must agree at `return` axis 0; "
                "at `a` axis 0 (written `#rows`) it must agree or be 1, to broadcast",
                "`cols` is bound by `a` axis 1 and must agree at `return` axis 1; "
                "at `b` axis 1 (written `#cols`) it must agree or be 1, to broadcast",
            ],
            id="broadcast",
        ),
        pytest.param(
            "grow",
            ["`return` axis 0 is `n+1`, or 1 to broadcast (written `#n+1`); 5 at small"],
            id="symbolic-broadcast",
        ),
    ],
)
def test_union_page__relations(union_page: Rendered, qualname: str, relations: list[str]) -> None:
    page = function_section(union_page.text, qualname)
    shown = [
        line[2:] for line in section(page, f"### `{qualname}`").splitlines() if line[:2] == "- "
    ]
    assert shown == relations


def test_relations__broadcast_dims_never_said_only_to_agree(
    union_page: Rendered, vision_page: Rendered
) -> None:
    for page in (union_page, vision_page):
        for module in page.report.modules:
            for function in module.functions:
                specs = [row.spec for row in function.rows]
                written = {
                    f"`{dim.name}`"
                    for spec in specs
                    if isinstance(spec, TensorSpec) and spec.shape is not None
                    for dim in spec.shape.dims
                    if getattr(dim, "broadcast", False) and hasattr(dim, "name")
                }
                for line in function_section(page.text, function.qualname).splitlines():
                    dim = line[2:].split(" ", 1)[0]
                    if line.startswith("- ") and dim in written:
                        assert "or be 1" in line or "except where it is 1" in line, line


@pytest.mark.parametrize(
    ("qualname", "descriptions"),
    [
        pytest.param(
            "scale",
            {
                "`x` (LazyMatrix)": "the matrix to scale, dense or lazy.",
                "`return` (Tensor)": "the scaled matrix, of the same kind as `x`.",
            },
            id="numpy",
        ),
        pytest.param(
            "shift",
            {
                "x": "the rows.",
                "diag": "one value per column, or one value for all.",
                "return": "the shifted rows.",
            },
            id="sphinx",
        ),
        pytest.param(
            "blend",
            {
                "a": "one row, or one per row.",
                "b": "one column, or one per column.",
                "return": "the average.",
            },
            id="google",
        ),
    ],
)
def test_union_page__descriptions_from_every_docstring_style(
    union_page: Rendered, qualname: str, descriptions: dict[str, str]
) -> None:
    rows = tables(function_section(union_page.text, qualname))["Arguments and returns"]
    first = {}
    for row in rows:
        first.setdefault(row["path"], row["description"])
    assert {path: first[path] for path in descriptions} == descriptions
    (module,) = union_page.report.modules
    function = next(function for function in module.functions if function.qualname == qualname)
    assert function.summary.count(".") == 1, function.summary  # no section in the summary


def _reading(page: str) -> str:
    line = next(line for line in page.splitlines() if line.startswith("**How to read"))
    return line.split(" A name is", 1)[0]


def test_how_to_read__example_is_the_package_own(
    union_page: Rendered, vision_page: Rendered, models_page: Rendered
) -> None:
    start = "**How to read the shapes.** A shape lists a tensor's axes in order, outermost first: "
    assert _reading(union_page.text) == (
        f"{start}`x` (Tensor) of `scale` is `rows cols` (2 × 3 at `small`), a 2-d tensor "
        "whose first axis has `rows` entries."
    )
    assert _reading(vision_page.text) == (
        f"{start}`x` of `ConvBlock.forward` is `batch in_channels height width`, a 4-d tensor "
        "whose first axis has `batch` entries."
    )
    example = models_page.report.example
    assert example is not None
    sizes = dict(example.sizes)
    assert _reading(models_page.text) == (
        f"{start}`return[0]` of `SeqEpoch.__next__` is `batch steps` "
        f"({sizes['batch']} × {sizes['steps']} at `d2l`), a 2-d tensor whose first axis has "
        "`batch` entries."
    )
    assert "an expression such as `n+1` is one axis" in union_page.text
    assert "an expression such as `4+classes` is one axis" in vision_page.text
    assert "steps" not in union_page.text and "steps" not in vision_page.text


def test_how_to_read__neutral_when_the_package_has_no_plain_shape(
    samples_on_path: None,
) -> None:
    page = render("union_arrays.ops:grow").text  # shapes of one axis only
    assert _reading(page) == (
        "**How to read the shapes.** A shape lists a tensor's axes in order, outermost first: "
        "one name, size or expression per axis."
    )


# --- 6c. docstrings in each style ----------------------------------------------------

GOOGLE_DOC = """Mix the values.

Args:
    q (Tensor): the queries,
        one per row.
    k: the keys.
        note: not an argument, only a continuation.
    *extra: more tensors.
    **options (dict): passed on.

Raises:
    ValueError: if q is empty.

Returns:
    the mixed values,
    one per query.
"""

NUMPY_DOC = """Mix the values.

Parameters
----------
q : Tensor
    the queries,
    one per row.

    Another paragraph about q.
k, v : Tensor
    the keys and the values.
*extra : Tensor
    more tensors.
**options
    passed on.

Returns
-------
Tensor
    the mixed values,
    one per query.

Raises
------
ValueError
    if q is empty.
"""

SPHINX_DOC = """Mix the values.

:param q: the queries,
    one per row.
:param Tensor k: the keys.
:type k: Tensor
:param \\*extra: more tensors.
:keyword options: passed on.
:raises ValueError: if q is empty.
:returns: the mixed values,
    one per query.
:rtype: Tensor
"""


@pytest.mark.parametrize(
    ("parse", "doc", "expected"),
    [
        pytest.param(
            docstring.google,
            GOOGLE_DOC,
            {
                "q": "the queries, one per row.",
                "k": "the keys. note: not an argument, only a continuation.",
                "extra": "more tensors.",
                "options": "passed on.",
                "return": "the mixed values, one per query.",
            },
            id="google",
        ),
        pytest.param(
            docstring.numpy,
            NUMPY_DOC,
            {
                "q": "the queries, one per row. Another paragraph about q.",
                "k": "the keys and the values.",
                "v": "the keys and the values.",
                "extra": "more tensors.",
                "options": "passed on.",
                "return": "the mixed values, one per query.",
            },
            id="numpy",
        ),
        pytest.param(
            docstring.sphinx,
            SPHINX_DOC,
            {
                "q": "the queries, one per row.",
                "k": "the keys.",
                "extra": "more tensors.",
                "options": "passed on.",
                "return": "the mixed values, one per query.",
            },
            id="sphinx",
        ),
    ],
)
def test_docstring__each_style(
    parse: Callable[[str], dict[str, str]], doc: str, expected: dict[str, str]
) -> None:
    assert parse(doc) == expected
    assert docstring.descriptions(doc) == expected
    assert docstring.summary(doc) == "Mix the values."
    others = {docstring.google, docstring.numpy, docstring.sphinx} - {parse}
    for other in others:
        assert other(doc) == {}, other.__name__  # each style reads only its own sections


def test_docstring__numpy_returns_named_and_flat_google_args() -> None:
    numpy_doc = """Split.

    Returns
    -------
    head : Tensor
        the first part.
    tail : Tensor
        the rest.
    """
    assert docstring.numpy(numpy_doc) == {"return": "`head`: the first part. `tail`: the rest."}
    flat = "Add.\n\nArgs:\nx: the rows.\ny: the columns,\n    all of them.\n\nNotes here."
    assert docstring.google(flat) == {"x": "the rows.", "y": "the columns, all of them."}


def test_docstring__mixed_styles_read_whole() -> None:
    doc = """Add.

    Args:
        x: the rows.

    :param y: the columns.
    :returns: the sum.
    """
    assert docstring.descriptions(doc) == {
        "x": "the rows.",
        "y": "the columns.",
        "return": "the sum.",
    }


@pytest.mark.parametrize(
    "doc",
    [
        "",
        "Just prose.",
        "Add two things.\n\nThe result: a sum of x and y, see: elsewhere.\n"
        "    x: indented, but under no section.\n\nNote:\n    x: not an argument.\n",
    ],
    ids=["empty", "one-line", "prose-with-colons"],
)
def test_docstring__none_of_the_styles_gives_nothing(doc: str) -> None:
    assert docstring.google(doc) == docstring.numpy(doc) == docstring.sphinx(doc) == {}
    assert docstring.descriptions(doc) == {}


@pytest.mark.parametrize(
    ("doc", "summary"),
    [
        ("Add.\n\nMore.", "Add."),
        ("Add two\n    things.\n:param x: the rows.", "Add two things."),
        (":param x: the rows.\n:returns: the sum.", ""),
        ("Args:\n    x: the rows.", ""),
        ("Add.\nParameters\n----------\nx : Tensor", "Add."),
        (
            "Use :class:`~torch.Tensor` or :math:`x^2`, see :ref:`the guide <guide>`.",
            "Use `Tensor` or `x^2`, see `the guide`.",
        ),
    ],
    ids=["paragraph", "sphinx-fields", "only-fields", "only-args", "numpy-section", "roles"],
)
def test_docstring__summary_stops_at_sections(doc: str, summary: str) -> None:
    assert docstring.summary(doc) == summary


def test_docstring__sphinx_roles_become_code_spans() -> None:
    doc = (
        ":param other: :math:`\\mathbf B` - a :obj:`torch.Tensor` or :class:`~a.b.LinearOperator`."
    )
    assert docstring.descriptions(doc) == {
        "other": "`\\mathbf B` - a `torch.Tensor` or `LinearOperator`."
    }


# --- 7. errors ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ERROR_TARGETS), ids=list(ERROR_TARGETS))
def test_cli_errors__target_that_does_not_import(cli: CliResults, name: str) -> None:
    target, fragments = ERROR_TARGETS[name]
    result = cli[f"error-{name}"]
    assert (result.returncode, result.stdout) == (2, "")
    (line,) = result.stderr.splitlines()
    assert line.startswith("shapecheck docs: error: "), line
    for fragment in fragments:
        assert fragment in line


def test_broken_annotations__malformed_only_when_evaluated(samples_on_path: None) -> None:
    layers = importlib.import_module("broken_annotations.layers")  # imports: they are strings

    with pytest.raises(ValueError, match="Axes should be separated with spaces, not commas"):
        typing.get_type_hints(layers.row_sums)
    assert set(typing.get_type_hints(layers.scale)) == {"x", "factor", "return"}


def test_cli_errors__malformed_annotation_reported_good_function_documented(
    cli: CliResults,
) -> None:
    result = cli["broken"]
    assert result.returncode == 1, result.stderr
    source = SAMPLES / "broken_annotations" / "layers.py"
    where = f"broken_annotations/layers.py:{def_line(source, 'row_sums')}"
    problems = [line for line in result.stderr.splitlines() if "row_sums" in line]
    assert len(problems) == 1, result.stderr
    assert problems[0].startswith(f"shapecheck docs: {where}: row_sums: "), problems[0]
    assert "ValueError" in problems[0]
    assert "scale" not in result.stderr
    page = (cli.paths["out"] / "broken" / "shapes.md").read_text(encoding="utf-8")
    rows = rows_by_path(function_section(page, "scale"))
    assert {path: row["shape"] for path, row in rows.items()} == {
        "x": "batch channels",
        "return": "batch channels",
    }
    assert "**Warning:**" in function_section(page, "row_sums")
    assert where in section(page, "## Problems")


# --- 8. determinism, no absolute paths, no timestamps -----------------------------

RENDERED = {"models": "models_page", "vision_blocks": "vision_page"}  # target: its fixture


def _page(name: str, request: pytest.FixtureRequest) -> Rendered:
    page: Rendered = request.getfixturevalue(RENDERED[name])
    return page


@pytest.mark.parametrize("name", list(RENDERED), ids=list(RENDERED))
def test_render__twice_gives_the_same_text_and_files(
    name: str, request: pytest.FixtureRequest
) -> None:
    first = _page(name, request)
    second = render(name)
    assert second.text == first.text
    assert second.files == first.files


@pytest.mark.parametrize("name", list(RENDERED), ids=list(RENDERED))
def test_render__no_absolute_paths_or_timestamps(
    name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    page = _page(name, request)
    forbidden = {str(REPO), "/work/", tempfile.gettempdir(), str(tmp_path.parent.parent)}
    if len(str(Path.home())) > 1:
        forbidden.add(str(Path.home()))
    timestamps = (r"\b\d{4}-\d{2}-\d{2}\b", r"\b\d{1,2}:\d{2}(:\d{2})?\b")
    for where, text in {"page": page.text, **page.files}.items():
        for path in forbidden:
            assert path not in text, (where, path)
        for pattern in timestamps:
            assert not re.search(pattern, text), (where, re.search(pattern, text))


def test_render__path_target_gives_the_same_page_as_the_module_name(
    vision_page: Rendered,
) -> None:
    by_path = render(str(SAMPLES / "vision_blocks"))
    assert by_path.text == vision_page.text
    assert by_path.files == vision_page.files


# --- 9. command-line options, in this process (`models` is imported already) ------


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`shapecheck ARGS` through `shapecheck.cli.main`: (exit status, stdout, stderr)."""
    capsys.readouterr()
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_check__without_output_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_main(["docs", "models", "--check"], capsys)
    assert (status, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith("shapecheck docs: error: ") and "--check needs -o FILE" in line, line


def test_cli_check__stale_svg_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(DOCS_MD, tmp_path / "shapes.md")
    shutil.copytree(SVG_FOLDER, tmp_path / "shapes")
    stale = tmp_path / "shapes" / STALE_SVG
    shutil.copy(SVG_FOLDER / COMMITTED_SVGS[0], stale)
    status, out, err = run_main(
        ["docs", "models", "-o", str(tmp_path / "shapes.md"), "--check"], capsys
    )
    assert status == 1, out + err
    (reported,) = [line for line in out.splitlines() if re.match(r"\S+\.svg: ", line)]
    assert reported.startswith(f"{stale}: ") and "no longer generated" in reported, out
    assert "out of date" in err
    assert stale.exists()  # --check writes and deletes nothing


def test_cli_html__one_file_with_inline_svgs(
    samples_on_path: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page_file = tmp_path / "html" / "page.html"
    status, out, err = run_main(
        ["docs", "vision_blocks", "--format", "html", "-o", str(page_file)], capsys
    )
    assert (status, out) == (0, ""), err
    assert [path.name for path in page_file.parent.iterdir()] == ["page.html"]
    page = page_file.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert len(re.findall(r"<svg\b", page)) == len(VISION_FLOWS)
    assert ".svg" not in page
