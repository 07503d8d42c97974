"""The docs renderers on hand-built reports: Markdown, HTML and the flow diagrams.

Every report here is written out by hand (its leaves parsed from dim strings,
its sizes as numbers), so these tests need neither the collector nor an
example run: they pin what each format shows and how it escapes the
characters that matter to it (`|` in Markdown tables, `<>&"` in HTML and SVG).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from html.parser import HTMLParser

import pytest

from shapecheck._spec import Path as LeafPath
from shapecheck._spec import Step, TensorSpec, parse_shape
from shapecheck.docs._html import render_html
from shapecheck.docs._markdown import anchors, render_markdown, slugify
from shapecheck.docs._model import (
    DocsProblem,
    Example,
    Flow,
    FlowNode,
    FunctionDoc,
    GlossaryEntry,
    Intermediate,
    ModuleDoc,
    MustAgree,
    Place,
    Report,
    Row,
    SymbolicAxis,
)
from shapecheck.docs._svg import render_mermaid, render_svg
from shapecheck.docs._text import observed_text, shape_text

SVG_NS = "{http://www.w3.org/2000/svg}"

# --- hand-built reports -------------------------------------------------------


def at(root: str, *steps: int | str) -> LeafPath:
    """The path `root`, then per step a tuple's index (an int) or a field (a str)."""
    return LeafPath(
        root, tuple(Step("index", s) if isinstance(s, int) else Step("field", s) for s in steps)
    )


def tensor(shape: str, dtype: str = "Float") -> TensorSpec:
    """A tensor leaf annotated `dtype[Tensor, shape]`."""
    return TensorSpec(dtype, None, parse_shape(shape), None)


LSTM_FLOW = Flow(
    title="lstm",
    slug="models.lstm.lstm",
    nodes=(
        FlowNode("inputs", tensor("steps batch vocab"), (35, 32, 28), None),
        FlowNode("X", tensor("batch vocab"), (32, 28), "for X in inputs"),
        FlowNode("I", tensor("batch hiddens"), (32, 256), "torch.sigmoid"),
        FlowNode("Y", tensor("batch vocab"), (32, 28), "X @ W_hq + b_q"),
        FlowNode("return[0]", tensor("steps*batch vocab"), (1120, 28), "torch.cat"),
    ),
)

LSTM = FunctionDoc(
    qualname="lstm",
    module="models.lstm",
    file="models/lstm.py",
    line=84,
    signature="lstm(inputs, state, params)",
    summary="Run the LSTM over `inputs`, one-hot encoded and time-major.",
    rows=(
        Row(
            at("inputs"),
            "argument",
            tensor("steps batch vocab", "Float"),
            (35, 32, 28),
            "one-hot inputs",
        ),
        Row(
            at("state", 0),
            "argument",
            tensor("batch hiddens", "Float"),
            (32, 256),
            "the hidden state",
        ),
        Row(
            at("params", "W_xi"),
            "argument",
            tensor("vocab hiddens", "Float"),
            (28, 256),
            "",
        ),
        Row(
            at("return", 0),
            "return",
            tensor("steps*batch vocab", "Float"),
            (1120, 28),
            "logits | per step",
        ),
    ),
    intermediates=(
        Intermediate(
            "X", 91, tensor("batch vocab", "Float"), (32, 28), "inputs", "for X in inputs"
        ),
        Intermediate(
            "I",
            92,
            tensor("batch hiddens"),
            (32, 256),
            "torch.sigmoid((X @ W_xi) + (H @ W_hi) + b_i)",
            "torch.sigmoid",
        ),
        Intermediate("M", 95, tensor("batch hiddens", "Bool"), None, "(a < b) | (c & d)", "|"),
    ),
    relations=(
        MustAgree("batch", (Place(at("inputs"), None, 1), Place(at("state", 0), None, 0))),
        SymbolicAxis(Place(at("return", 0), None, 0), "steps*batch", 1120, "d2l"),
    ),
    flow=LSTM_FLOW,
    problems=(),
)

# Same qualname as LSTM in another module, odd characters everywhere, no concrete shapes.
ODD_FLOW = Flow(
    title='odd<"x">',
    slug="models.odd.lstm",
    nodes=(
        FlowNode('a<b&c"d', tensor("n m"), None, None),
        FlowNode("out", tensor("n*m"), None, "X @ W | y"),
        FlowNode("end", tensor(""), None, None),
    ),
)
ODD = FunctionDoc(
    qualname="lstm",
    module="models.odd",
    file="models/odd.py",
    line=3,
    signature="lstm(x: Float[Tensor, 'n m']) -> Float[Tensor, 'n*m']",
    summary="Flatten <x> & keep `a|b` as code; *not* emphasis.",
    rows=(Row(at("x"), "argument", tensor("n m"), None, "values < 0 & > 1"),),
    intermediates=(),
    relations=(),
    flow=ODD_FLOW,
    problems=(
        DocsProblem("annotation", "models/odd.py", 5, "lstm", "the example run failed: <boom>"),
    ),
)
SCALAR = FunctionDoc(
    qualname="Model.scale",
    module="models.odd",
    file="models/odd.py",
    line=20,
    signature="scale(self, k)",
    summary="",
    rows=(Row(at("k"), "argument", tensor("", "Int"), None, ""),),
    intermediates=(),
    relations=(),
    flow=None,
    problems=(),
)

D2L = Example("d2l", (("batch", 32), ("steps", 35), ("vocab", 28), ("hiddens", 256)))
FULL = Report(
    target="models",
    modules=(
        ModuleDoc("models.lstm", "Long short-term memory from scratch. More text.", (LSTM,)),
        ModuleDoc("models.odd", "", (ODD, SCALAR)),
    ),
    glossary=(
        GlossaryEntry("batch", "the minibatch size", ("models.lstm.lstm",)),
        GlossaryEntry("hiddens", None, ("models.lstm.lstm",)),
        GlossaryEntry("m", "", ("models.odd.lstm",)),
        GlossaryEntry("n", "rows | lines", ("models.odd.lstm", "models.odd.Model.scale")),
        GlossaryEntry("steps", "the time steps, d2l's `num_steps`", ("models.lstm.lstm",)),
        GlossaryEntry("vocab", "the vocabulary size", ("models.lstm.lstm",)),
    ),
    example=D2L,
    problems=(DocsProblem("annotation", "models/x.py", 12, "f", "invalid dimension string 'a|b'"),),
)
NO_EXAMPLE = replace(FULL, example=None, problems=())
EMPTY = Report(target="nothing", modules=(), glossary=(), example=None, problems=())
REPORTS = {"full": FULL, "no_example": NO_EXAMPLE, "empty": EMPTY}


def _flows(report: Report) -> list[Flow]:
    return [f.flow for m in report.modules for f in m.functions if f.flow is not None]


def _functions(report: Report) -> list[FunctionDoc]:
    return [f for m in report.modules for f in m.functions]


# --- SVG ----------------------------------------------------------------------

FLOWS = {
    "lstm": LSTM_FLOW,
    "odd": ODD_FLOW,
    "one_node": Flow("one", "one", (FlowNode("x", tensor("batch"), (3,), None),)),
    "no_nodes": Flow("none", "none", ()),
}


@pytest.mark.parametrize("name", FLOWS)
def test_render_svg__is_valid_svg_with_every_node(name: str) -> None:
    flow = FLOWS[name]
    text = render_svg(flow)
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("version") == "1.1"
    width, height = float(root.attrib["width"]), float(root.attrib["height"])
    assert width > 0 and height > 0
    assert root.get("viewBox") == f"0 0 {root.attrib['width']} {root.attrib['height']}"
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.text == flow.title
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    for node in flow.nodes:
        assert node.label in texts
        assert f"({', '.join(shape_text(node.spec).split()) or 'scalar'})" in texts
        if node.concrete is not None:
            assert observed_text(node.concrete) in texts
        if node.op:
            assert node.op in texts
    assert len(root.findall(f"{SVG_NS}rect")) == len(flow.nodes)
    assert len(root.findall(f"{SVG_NS}polygon")) == max(len(flow.nodes) - 1, 0)


@pytest.mark.parametrize("name", FLOWS)
def test_render_svg__is_deterministic(name: str) -> None:
    assert render_svg(FLOWS[name]) == render_svg(FLOWS[name])


def test_render_svg__escapes_xml_specials() -> None:
    text = render_svg(ODD_FLOW)
    assert "a&lt;b&amp;c&quot;d" in text
    assert "X @ W | y" in text
    assert "<b&" not in text


def test_render_svg__numbers_have_at_most_one_decimal() -> None:
    text = render_svg(LSTM_FLOW)
    numbers = re.findall(r'="([0-9., ]+)"', text)
    assert numbers
    for value in " ".join(numbers).replace(",", " ").split():
        assert re.fullmatch(r"\d+(\.\d)?", value), value


def test_render_svg__empty_shape_with_observed_axes_is_not_called_scalar() -> None:
    flow = Flow(
        "f",
        "f",
        (
            FlowNode("inputs", tensor("batch"), (3,), None),
            FlowNode("inlined", tensor(""), (3, 4), "g"),
            FlowNode("loss", tensor(""), (), "mean"),
        ),
    )
    texts = [t.text for t in ET.fromstring(render_svg(flow)).iter(f"{SVG_NS}text")]
    assert texts.count("(scalar)") == 1
    assert "3 × 4" in texts and "()" not in texts
    assert '    n1["inlined<br/>3 × 4"]' in render_mermaid(flow).splitlines()


def test_render_svg__width_grows_with_the_longest_text() -> None:
    short = Flow("s", "s", (FlowNode("x", tensor("a"), None, None),))
    long = Flow(
        "l",
        "l",
        (FlowNode("x", tensor("a_very_long_dimension_name another_long_one"), None, None),),
    )
    short_width = float(ET.fromstring(render_svg(short)).attrib["width"])
    long_width = float(ET.fromstring(render_svg(long)).attrib["width"])
    assert long_width > short_width + 200


@dataclass(frozen=True)
class MermaidCase:
    flow: Flow
    lines: tuple[str, ...]


MERMAID = {
    "lstm": MermaidCase(
        LSTM_FLOW,
        (
            "flowchart TD",
            '    n0["inputs<br/>(steps, batch, vocab)<br/>35 × 32 × 28"]',
            '    n4["return[0]<br/>(steps*batch, vocab)<br/>1120 × 28"]',
            "    n0 -->|for X in inputs| n1",
            "    n1 -->|torch.sigmoid| n2",
            '    n2 -->|"X @ W_hq + b_q"| n3',
        ),
    ),
    "odd": MermaidCase(
        ODD_FLOW,
        (
            '    n0["a#60;b#38;c#quot;d<br/>(n, m)"]',
            '    n0 -->|"X @ W #124; y"| n1',
            "    n1 --> n2",
            '    n2["end<br/>(scalar)"]',
        ),
    ),
}


@pytest.mark.parametrize("name", MERMAID)
def test_render_mermaid__nodes_and_edges(name: str) -> None:
    case = MERMAID[name]
    text = render_mermaid(case.flow)
    assert text.startswith("flowchart TD\n") and text.endswith("\n")
    assert "```" not in text
    lines = text.splitlines()
    for line in case.lines:
        assert line in lines
    assert sum(line.lstrip().startswith("n") and "[" in line for line in lines) == len(
        case.flow.nodes
    )
    assert render_mermaid(case.flow) == text


# --- Markdown -----------------------------------------------------------------


def _table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row, splitting only on unescaped `|`."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]


@dataclass(frozen=True)
class MarkdownCase:
    report: Report
    svg_dir: str | None
    present: tuple[str, ...]
    absent: tuple[str, ...] = ()


MARKDOWN = {
    "full": MarkdownCase(
        FULL,
        "shapes",
        (
            "# Shape reference: models",
            "Concrete sizes are observed by running each function, with zeros for data, at the "
            "example `d2l`: batch=32, steps=35, vocab=28, hiddens=256.",
            "- [`models.lstm`](#models-lstm) — Long short-term memory from scratch.",
            "  - [`lstm`](#models-lstm-lstm)",
            "  - [`lstm`](#models-odd-lstm)",
            "  - [`Model.scale`](#models-odd-model-scale)",
            '<a id="models-lstm-lstm"></a>',
            "### `lstm`",
            "Defined at `models/lstm.py:84`.",
            "lstm(inputs, state, params)",
            "Run the LSTM over `inputs`, one-hot encoded and time-major.",
            "| path | dtype | shape | at d2l | description |",
            "| `inputs` | Float | `steps batch vocab` | 35 × 32 × 28 | one-hot inputs |",
            "| `params.W_xi` | Float | `vocab hiddens` | 28 × 256 |  |",
            "| `return[0]` | Float | `steps*batch vocab` | 1120 × 28 | logits \\| per step |",
            "| line | name | dtype | shape | at d2l | expression |",
            "| 91 | `X` | Float | `batch vocab` | 32 × 28 | `inputs` |",
            "| 92 | `I` | Float | `batch hiddens` | 32 × 256 "
            "| `torch.sigmoid((X @ W_xi) + (H @ W_hi) + b_i)` |",
            "| 95 | `M` | Bool | `batch hiddens` | — | `(a < b) \\| (c & d)` |",
            "**Relations**",
            "- `batch` is bound by `inputs` axis 1 and must agree at `state[0]` axis 0",
            "- `return[0]` axis 0 is `steps*batch` = 1120 at d2l",
            "![lstm](shapes/models.lstm.lstm.svg)",
            '![odd\\<"x"\\>](shapes/models.odd.lstm.svg)',
            "| `k` | Int | *(scalar)* | — |  |",
            "Flatten \\<x\\> & keep `a|b` as code; \\*not\\* emphasis.",
            "> - models/odd.py:5: lstm: the example run failed: \\<boom\\>",
            "## Glossary of dimensions",
            "| dim | description | used by |",
            "| `batch` | the minibatch size | [`lstm.lstm`](#models-lstm-lstm) |",
            "| `hiddens` | *(undescribed)* | [`lstm.lstm`](#models-lstm-lstm) |",
            "| `m` | *(undescribed)* | [`odd.lstm`](#models-odd-lstm) |",
            "| `n` | rows \\| lines | [`odd.lstm`](#models-odd-lstm), "
            "[`odd.Model.scale`](#models-odd-model-scale) |",
            "| `steps` | the time steps, d2l's `num_steps` | [`lstm.lstm`](#models-lstm-lstm) |",
            "## Problems",
            "- models/x.py:12: f: invalid dimension string 'a\\|b'",
        ),
    ),
    "no_example": MarkdownCase(
        NO_EXAMPLE,
        None,
        (
            "| path | dtype | shape | description |",
            "| `inputs` | Float | `steps batch vocab` | one-hot inputs |",
            "| line | name | dtype | shape | expression |",
            "| 91 | `X` | Float | `batch vocab` | `inputs` |",
            "```mermaid",
        ),
        ("Concrete sizes", "| at d2l |", ".svg)", "## Problems", "35 × 32 × 28 |"),
    ),
    "nested_svg_dir": MarkdownCase(
        NO_EXAMPLE,
        "docs/shape flows/",
        ("![lstm](docs/shape%20flows/models.lstm.lstm.svg)",),
    ),
    "empty": MarkdownCase(
        EMPTY,
        "shapes",
        ("# Shape reference: nothing", "## Glossary of dimensions", "*No named dimensions.*"),
        ("```mermaid", "## Problems", "Concrete sizes"),
    ),
}


@pytest.mark.parametrize("name", MARKDOWN)
def test_render_markdown__content(name: str) -> None:
    case = MARKDOWN[name]
    text = render_markdown(case.report, case.svg_dir)
    lines = text.splitlines()
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "shapecheck docs" in lines[2] and "by hand" in lines[2]
    for expected in case.present:  # whole lines
        assert expected in lines, expected
    for unexpected in case.absent:
        assert unexpected not in text, unexpected


@pytest.mark.parametrize("name", MARKDOWN)
def test_render_markdown__one_mermaid_block_and_svg_link_per_flow(name: str) -> None:
    case = MARKDOWN[name]
    text = render_markdown(case.report, case.svg_dir)
    flows = _flows(case.report)
    assert text.count("```mermaid\nflowchart TD\n") == len(flows)
    links = re.findall(r"^!\[[^\n]*\]\(([^)\s]+)\)$", text, re.MULTILINE)
    if case.svg_dir is None:
        assert links == []
    else:
        directory = case.svg_dir.rstrip("/").replace(" ", "%20")
        assert links == [f"{directory}/{flow.slug}.svg" for flow in flows]


@pytest.mark.parametrize("name", MARKDOWN)
def test_render_markdown__tables_have_one_cell_per_column(name: str) -> None:
    case = MARKDOWN[name]
    text = render_markdown(case.report, case.svg_dir)
    header_width = 0
    for line in _table_rows(text):
        if line.startswith("|---"):
            continue
        cells = _cells(line)
        if cells[0] in ("path", "line", "dim"):
            header_width = len(cells)
        assert len(cells) == header_width, line


@pytest.mark.parametrize("name", MARKDOWN)
def test_render_markdown__every_link_has_its_anchor(name: str) -> None:
    case = MARKDOWN[name]
    text = render_markdown(case.report, case.svg_dir)
    ids = re.findall(r'<a id="([^"]+)"></a>', text)
    assert len(ids) == len(set(ids))
    targets = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert targets <= set(ids)
    for function in _functions(case.report):
        assert f"### `{function.qualname}`" in text


@pytest.mark.parametrize("name", MARKDOWN)
def test_render_markdown__is_deterministic(name: str) -> None:
    case = MARKDOWN[name]
    assert render_markdown(case.report, case.svg_dir) == render_markdown(case.report, case.svg_dir)


def test_render_markdown__sections_in_order() -> None:
    text = render_markdown(FULL, "shapes")
    order = [
        "# Shape reference",
        "## Contents",
        "## `models.lstm`",
        "### `lstm`",
        "**Arguments and returns**",
        "**Intermediates**",
        "**Relations**",
        "**Shape flow**",
        "## `models.odd`",
        "> **Warning:**",
        "### `Model.scale`",
        "## Glossary of dimensions",
        "## Problems",
    ]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_render_markdown__code_spans_hold_backticks() -> None:
    function = replace(
        LSTM,
        intermediates=(replace(LSTM.intermediates[0], expression="f(`x`) | ``y``"),),
    )
    report = replace(EMPTY, modules=(ModuleDoc("m", "", (function,)),))
    text = render_markdown(report, None)
    # The longest backtick run inside is 2, so the fence is 3; a space pads the ending backtick.
    assert "| 91 | `X` | Float | `batch vocab` | ``` f(`x`) \\| ``y`` ``` |" in text.splitlines()


@pytest.mark.parametrize(
    ("summary", "line"),
    [
        ("Plain words.", "Plain words."),
        ("Wrapped\n    over two lines.", "Wrapped over two lines."),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "1\\. not a list"),
        ("# not a heading", "\\# not a heading"),
        ("`x` = 1 - 2", "`x` = 1 - 2"),
        ("a*b*c and _x_ but W_xi", "a\\*b\\*c and \\_x\\_ but W_xi"),
        ("<b> &amp; [link](x)", "\\<b\\> \\&amp; \\[link\\](x)"),
        ("unclosed ` tick", "unclosed \\` tick"),
    ],
)
def test_render_markdown__prose_escaping(summary: str, line: str) -> None:
    report = replace(EMPTY, modules=(ModuleDoc("m", summary, ()),))
    lines = render_markdown(report, None).splitlines()
    assert lines[lines.index("## `m`") + 2] == line


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("models.lstm", "models-lstm"),
        ("RNNModelHC.forward", "rnnmodelhc-forward"),
        ("__", "section"),
    ],
)
def test_slugify__lowercase_and_dashes(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_anchors__unique_when_names_collide() -> None:
    twin = ModuleDoc("Models.LSTM", "", (replace(LSTM, module="Models.LSTM"),))
    clash = ModuleDoc("glossary of dimensions", "", ())
    report = replace(FULL, modules=(*FULL.modules, twin, clash))
    marks = anchors(report)
    every = [*marks.modules, *(a for fs in marks.functions for a in fs), *marks.glossary_rows]
    assert len(every) == len(set(every))
    assert marks.modules[2] == "models-lstm-2"
    assert marks.functions[2] == ("models-lstm-lstm-2",)
    assert marks.modules[3] == "glossary-of-dimensions-2"
    assert anchors(report) == marks


# --- HTML ---------------------------------------------------------------------


class _Page(HTMLParser):
    """What the tests need from a page: tags, attributes, ids, text and svg count."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []  # (tag, name, value)
        self.ids: list[str] = []
        self.text: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))
            if name == "id" and value:
                self.ids.append(value)
        if tag not in ("meta", "br", "rect", "line", "polygon"):
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


@pytest.mark.parametrize("name", REPORTS)
def test_render_html__standalone_page(name: str) -> None:
    report = REPORTS[name]
    text = render_html(report)
    assert text.startswith("<!DOCTYPE html>\n")
    page = _parse(text)
    assert page.stack == []  # every element closed, in order
    assert page.tags.count("svg") == len(_flows(report))
    assert page.tags.count("style") == 1
    for tag in ("script", "link", "img", "iframe", "object", "embed"):
        assert tag not in page.tags
    assert "@import" not in text and "url(" not in text
    for tag, attr, value in page.attrs:
        if "http://" in value or "https://" in value or "//" in value[:2]:
            assert (tag, attr, value) == ("svg", "xmlns", "http://www.w3.org/2000/svg")


@pytest.mark.parametrize("name", REPORTS)
def test_render_html__anchors_and_sidebar(name: str) -> None:
    report = REPORTS[name]
    page = _parse(render_html(report))
    assert len(page.ids) == len(set(page.ids))
    hrefs = [value for _, attr, value in page.attrs if attr == "href"]
    assert all(href.startswith("#") for href in hrefs)
    assert {href[1:] for href in hrefs} <= set(page.ids)
    assert "contents" in page.ids and "glossary-of-dimensions" in page.ids
    marks = anchors(report)
    for per_module in marks.functions:
        for anchor in per_module:
            assert f"#{anchor}" in hrefs


def test_render_html__content_and_escaping() -> None:
    text = render_html(FULL)
    page = _parse(text)
    words = "".join(page.text)
    for expected in (
        "Shape reference: models",
        "batch=32, steps=35, vocab=28, hiddens=256",
        "models/lstm.py:84",
        "logits | per step",
        "torch.sigmoid((X @ W_xi) + (H @ W_hi) + b_i)",
        "(a < b) | (c & d)",
        "Flatten <x> & keep a|b as code; *not* emphasis.",
        'a<b&c"d',
        "values < 0 & > 1",
        "(undescribed)",
        "models/x.py:12: f: invalid dimension string 'a|b'",
        "at d2l",
        "1120 × 28",
    ):
        assert expected in words, expected
    assert "&lt;x&gt; &amp; keep <code>a|b</code>" in text
    assert "<code>(a &lt; b) | (c &amp; d)</code>" in text
    assert "a&lt;b&amp;c&quot;d" in text
    assert "<boom>" not in text and "&lt;boom&gt;" in text
    # Shapes link their dims to the glossary rows.
    assert '<a href="#dim-steps">steps</a>*<a href="#dim-batch">batch</a>' in text


def test_render_html__inline_svgs_are_xml() -> None:
    text = render_html(FULL)
    svgs = re.findall(r"<svg\b.*?</svg>", text, re.DOTALL)
    assert len(svgs) == len(_flows(FULL))
    for svg, flow in zip(svgs, _flows(FULL), strict=True):
        root = ET.fromstring(svg)
        assert float(root.attrib["width"]) > 0 and float(root.attrib["height"]) > 0
        title = root.find(f"{SVG_NS}title")
        assert title is not None and title.text == flow.title


def test_render_html__no_example_column_without_example() -> None:
    text = render_html(NO_EXAMPLE)
    assert "<th>at d2l</th>" not in text and "Concrete sizes" not in text
    assert "<th>path</th><th>dtype</th><th>shape</th><th>description</th>" in text


@pytest.mark.parametrize("name", REPORTS)
def test_render_html__is_deterministic(name: str) -> None:
    assert render_html(REPORTS[name]) == render_html(REPORTS[name])
