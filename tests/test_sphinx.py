"""The Sphinx extension: `shapecheck.sphinx` and its reStructuredText (`docs._rst`).

The rST pieces are parsed with docutils and compared by the text they read
as. The extension is tested through real `python -m sphinx -W -b html`
builds in a subprocess: tests/sphinx_project (`models.lstm` and the glossary
of `models`), and small projects written into tmp_path for the error paths;
each build takes a few seconds (marked `slow`).
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("sphinx", reason="the Sphinx extension needs sphinx installed")

from docutils import nodes  # noqa: E402  (sphinx brings docutils)
from docutils.core import publish_doctree  # noqa: E402

import shapecheck  # noqa: E402
from shapecheck._spec import TensorSpec, parse_shape  # noqa: E402
from shapecheck.docs._model import Flow, FlowNode, FunctionDoc  # noqa: E402
from shapecheck.docs._rst import function_lines, literal, prose  # noqa: E402
from shapecheck.sphinx import _example, setup  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "sphinx_project"
SAMPLES = ROOT / "tests" / "docs_samples"


# --- the rST pieces -----------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    id: str
    text: str  # the docstring-like prose, with `code spans`
    reads: str  # what the parsed paragraph reads as


PROSE = [
    Piece("code-spans", "`batch` is bound by `x` axis 0", "batch is bound by x axis 0"),
    Piece("span-touching-a-word", "the `dim`s agree", "the dims agree"),
    Piece("span-in-parentheses", "(`H`, `C`) at the start", "(H, C) at the start"),
    Piece("bullet-at-start", "- not a list", "- not a list"),
    Piece("number-at-start", "1. not a list", "1. not a list"),
    Piece("letter-at-start", "a) not a list", "a) not a list"),
    Piece("comment-at-start", ".. not a comment", ".. not a comment"),
    Piece("field-at-start", ":not: a field", ":not: a field"),
    Piece("inline-markup", "*no* |sub| name_ [1]_ \\ok", "*no* |sub| name_ [1]_ \\ok"),
    Piece("backticks-in-code", "see `` a`b ``", "see a`b"),
    Piece("backslash-in-code", "see `a\\b`", "see a\\b"),
    Piece("sizes", "35 × 32 × 28", "35 × 32 × 28"),
]


def _paragraph(rst: str) -> nodes.paragraph:
    """The one paragraph `rst` parses to; any other node, or a docutils message, fails."""
    tree = publish_doctree(rst, settings_overrides={"report_level": 5})
    messages = list(tree.findall(nodes.system_message))
    assert not messages, [message.astext() for message in messages]
    assert [child.tagname for child in tree.children] == ["paragraph"], tree.pformat()
    paragraph = tree.children[0]
    assert isinstance(paragraph, nodes.paragraph)
    return paragraph


@pytest.mark.parametrize("case", PROSE, ids=[case.id for case in PROSE])
def test_rst_prose__reads_as_written(case: Piece) -> None:
    assert _paragraph(prose(case.text)).astext() == case.reads


@pytest.mark.parametrize("code", ["steps*batch vocab", "a`b", "``x``", "x\\", "a \\` b"])
def test_rst_literal__one_literal_node(code: str) -> None:
    paragraph = _paragraph(literal(code))
    assert [type(child) for child in paragraph.children] == [nodes.literal]
    assert paragraph.astext() == code


def bare_function(flow: Flow | None = None) -> FunctionDoc:
    """A documented function with nothing in it but, maybe, a flow."""
    return FunctionDoc("f", "pkg.mod", "pkg/mod.py", 3, "f(x)", "", (), (), (), flow, ())


def test_rst_function__nothing_to_show_no_lines() -> None:
    assert function_lines(bare_function(), None) == []


def test_rst_function__flow_inline_for_html_only() -> None:
    spec = TensorSpec("Float", None, parse_shape("n"), None, None)
    flow = Flow("f", "pkg.mod.f", (FlowNode("x", spec, (3,), None), FlowNode("y", spec, (3,), "f")))
    lines = function_lines(bare_function(flow), None)
    assert lines[:4] == [".. only:: html", "", "   .. rubric:: Shape flow", ""]
    assert "      <svg" in "\n".join(lines) and "<?xml" not in "\n".join(lines)
    assert all(line == "" or line.startswith("      ") for line in lines[6:])


# --- builds -------------------------------------------------------------------


class _Text(HTMLParser):
    """The visible text of an HTML fragment, one space between words."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(fragment: str) -> str:
    parser = _Text()
    parser.feed(fragment)
    # Sphinx's smart quotes turn `d2l's` into `d2l’s`.
    return " ".join(html.unescape("".join(parser.parts)).replace("’", "'").split())


def sphinx_build(source: Path, out: Path, *pythonpath: Path) -> subprocess.CompletedProcess[str]:
    """`python -m sphinx -W -b html` of `source` into `out`, with `pythonpath` importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [*(str(path) for path in pythonpath), str(ROOT), env.get("PYTHONPATH", "")]
    )
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", str(source), str(out)]
        + ["-d", str(out / ".doctrees")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def located(stderr: str) -> str:
    """Sphinx's messages as `file:line: text`, whatever the version prints
    between the two (`WARNING: `, or nothing under -W before Sphinx 8)."""
    return re.sub(r"(:\d+): ?(?:(?:WARNING|ERROR): )?", r"\1: ", stderr)


def project(tmp_path: Path, conf: str, index: str) -> Path:
    """A Sphinx project of one page in tmp_path/src."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(conf, encoding="utf-8")
    (source / "index.rst").write_text(index, encoding="utf-8")
    return source


CONF = 'extensions = ["shapecheck.sphinx"]\n'


@pytest.fixture(scope="module")
def lstm_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """tests/sphinx_project built to HTML: its one page."""
    out = tmp_path_factory.mktemp("sphinx") / "html"
    built = sphinx_build(PROJECT, out)
    assert built.returncode == 0, built.stderr
    assert built.stderr == ""
    return (out / "index.html").read_text(encoding="utf-8")


def function_section(page: str, name: str) -> str:
    """The HTML of one documented function: from its anchor to the next object."""
    start = page.index(f'id="{name}"')
    end = page.find('<dt class="sig', start + 1)
    return page[start : end if end != -1 else len(page)]


@pytest.mark.slow
def test_sphinx__shape_table_after_the_docstring(lstm_page: str) -> None:
    section = function_section(lstm_page, "models.lstm.lstm")
    text = text_of(section)
    assert text.index("Run the LSTM over inputs") < text.index("Arguments and returns")
    assert "inputs Float steps batch vocab 35 × 32 × 28" in text
    assert "return[0] Float steps*batch vocab 1120 × 28" in text


@pytest.mark.slow
def test_sphinx__intermediates_relations_and_flow(lstm_page: str) -> None:
    section = function_section(lstm_page, "models.lstm.lstm")
    text = text_of(section)
    assert re.search(r"Intermediates .* C_tilda Float batch hiddens 32 × 256 torch\.tanh", text)
    assert re.search(r"Relations .*hiddens is bound by \S+ axis \d+ and must agree at", text)
    assert re.search(r'<p class="rubric">Shape flow</p>\s*<div class="shapecheck-flow"', section)
    assert section.count("<svg") == 1 and "<?xml" not in section


@pytest.mark.slow
def test_sphinx__glossary_of_the_package(lstm_page: str) -> None:
    from models.dims import shapes

    glossary = lstm_page[lstm_page.index('class="shapecheck-glossary') :]
    text = text_of(glossary)
    assert "at the example d2l: batch=32, steps=35, vocab=28, hiddens=256" in text
    for dim in ("batch", "steps", "vocab", "hiddens"):
        assert f"{dim} {shapes.dims[dim]}".replace("`", "") in text
    # Used by: a link where autodoc documents the function, plain text elsewhere.
    assert '<a class="reference internal" href="#models.lstm.lstm"' in glossary
    assert "gru.gru" in text


@dataclass(frozen=True)
class Failing:
    id: str
    index: str  # the page
    message: str  # a regex of the one warning or error
    conf: str = CONF


FAILING = [
    Failing(
        "package-raises-on-import",
        ".. shapecheck-glossary:: failing_import_pkg\n",
        r"index\.rst:1: shapecheck-glossary: cannot import 'failing_import_pkg': "
        r"RuntimeError: failing_import_pkg refuses to load",
    ),
    Failing(
        "no-such-package",
        ".. shapecheck-glossary:: no_such_package_here\n",
        r"index\.rst:1: shapecheck-glossary: cannot import 'no_such_package_here': "
        r"no module named 'no_such_package_here'",
    ),
    Failing(
        "no-argument",
        ".. shapecheck-glossary::\n",
        r"index\.rst:1: Error in \"shapecheck-glossary\" directive:\s*"
        r"1 argument\(s\) required, 0 supplied",
    ),
    Failing(
        "unknown-example",
        ".. automodule:: models.lstm\n   :members:\n",
        r"cannot document 'models': no example named 'big' \(known: d2l\)",
        conf=CONF + 'shapecheck_example = "big"\n',
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("case", FAILING, ids=[case.id for case in FAILING])
def test_sphinx__fails_the_build_in_one_message(tmp_path: Path, case: Failing) -> None:
    built = sphinx_build(project(tmp_path, case.conf, case.index), tmp_path / "out", SAMPLES)
    assert built.returncode != 0
    assert re.search(case.message, located(built.stderr)), built.stderr
    assert "Traceback" not in built.stderr + built.stdout


BROKEN = "Broken\n======\n\n.. automodule:: broken_annotations.layers\n   :members:\n"


@pytest.mark.slow
def test_sphinx_warn__problems_at_the_def_line(tmp_path: Path) -> None:
    source = project(tmp_path, CONF + "shapecheck_warn = True\n", BROKEN)
    built = sphinx_build(source, tmp_path / "out", SAMPLES)
    assert built.returncode != 0
    layers = SAMPLES / "broken_annotations" / "layers.py"
    lines = layers.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("def row_sums("))
    expected = f"{layers}:{line}: row_sums: cannot resolve the annotations of row_sums"
    assert expected in located(built.stderr), built.stderr


PLAIN = '''"""Tensors and plain numbers."""

from jaxtyping import Float
from torch import Tensor


def double(x: Float[Tensor, "n"]) -> Float[Tensor, "n"]:
    """Twice `x`."""
    return 2 * x


def add(a: int, b: int) -> int:
    """No tensors: nothing to add to its docs."""
    return a + b
'''


@pytest.mark.slow
def test_sphinx_warn__off_by_default_and_shown_on_the_page(tmp_path: Path) -> None:
    (tmp_path / "plain_ops.py").write_text(PLAIN, encoding="utf-8")
    index = BROKEN + "\n.. automodule:: plain_ops\n   :members:\n"
    built = sphinx_build(project(tmp_path, CONF, index), tmp_path / "out", SAMPLES, tmp_path)
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    problem = text_of(function_section(page, "broken_annotations.layers.row_sums"))
    assert "Problems with row_sums: broken_annotations/layers.py" in problem
    scale = text_of(function_section(page, "broken_annotations.layers.scale"))
    assert "x Float batch channels" in scale
    assert "x Float n" in text_of(function_section(page, "plain_ops.double"))
    added = text_of(function_section(page, "plain_ops.add"))
    assert "No tensors" in added and "Arguments and returns" not in added


@pytest.mark.parametrize(
    ("option", "target", "expected"),
    [
        (None, "models", None),
        ("d2l", "models", "d2l"),
        ({"models": "d2l"}, "models", "d2l"),
        ({"models": "d2l"}, "models.sub", "d2l"),
        ({"models.sub": "big", "models": "d2l"}, "models.sub", "big"),
        ({"other": "d2l"}, "models", None),
    ],
    ids=["default", "one-name", "by-package", "subpackage", "subpackage-own", "other-package"],
)
def test_sphinx_example__picked_per_package(
    option: object, target: str, expected: str | None
) -> None:
    config = SimpleNamespace(shapecheck_example=option)
    assert _example(config, target) == expected  # type: ignore[arg-type]


def test_sphinx_setup__metadata() -> None:
    calls: list[tuple[str, object]] = []

    class App:
        def setup_extension(self, name: str) -> None:
            calls.append(("extension", name))

        def add_config_value(self, name: str, default: object, *args: object, **kw: object) -> None:
            calls.append(("config", (name, default)))

        def add_directive(self, name: str, directive: object) -> None:
            calls.append(("directive", name))

        def connect(self, event: str, callback: object) -> None:
            calls.append(("event", event))

    metadata = setup(App())  # type: ignore[arg-type]
    assert metadata == {
        "version": shapecheck.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
    assert ("extension", "sphinx.ext.autodoc") in calls
    assert ("config", ("shapecheck_example", None)) in calls
    assert ("config", ("shapecheck_warn", False)) in calls
    assert ("directive", "shapecheck-glossary") in calls
    assert ("event", "autodoc-process-docstring") in calls
