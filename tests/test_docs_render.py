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
    FlowEdge,
    FlowNode,
    FunctionDoc,
    GlossaryEntry,
    Intermediate,
    ModuleDoc,
    MustAgree,
    Place,
    Relation,
    Report,
    Row,
    SymbolicAxis,
)
from shapecheck.docs._svg import render_mermaid, render_svg
from shapecheck.docs._text import observed_text, relation_text, shape_text

SVG_NS = "{http://www.w3.org/2000/svg}"

# --- hand-built reports -------------------------------------------------------


def at(root: str, *steps: int | str) -> LeafPath:
    """The path `root`, then per step a tuple's index (an int) or a field (a str)."""
    return LeafPath(
        root, tuple(Step("index", s) if isinstance(s, int) else Step("field", s) for s in steps)
    )


def tensor(shape: str, dtype: str = "Float", array_type: type | None = None) -> TensorSpec:
    """A tensor leaf annotated `dtype[Tensor, shape]` (or `dtype[array_type, shape]`)."""
    return TensorSpec(dtype, None, parse_shape(shape), None, array_type)


class LinearOperator:
    """An array class that is not a torch tensor, as in `Float[LinearOperator, "..."]`."""


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
    edges=(
        FlowEdge(0, 1, "for X in inputs"),
        FlowEdge(1, 2, "torch.sigmoid"),
        FlowEdge(2, 3, "X @ W_hq + b_q"),
        FlowEdge(3, 4, "torch.cat"),
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
    edges=(FlowEdge(0, 1, "X @ W | y"), FlowEdge(1, 2, None)),
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

# The options of a union, each a row labelled with its array type; broadcast dims.
ADD = FunctionDoc(
    qualname="DiagLinearOperator.__add__",
    module="linear_operator.operators.diag_linear_operator",
    file="linear_operator/operators/diag_linear_operator.py",
    line=30,
    signature="__add__(self, other)",
    summary="",
    rows=(
        Row(
            at("self"),
            "argument",
            tensor("... #M #N", array_type=LinearOperator),
            None,
            "",
            "LinearOperator",
        ),
        Row(at("other"), "argument", tensor("... #M #N"), None, "a | b", "Tensor"),
        Row(
            at("other"),
            "argument",
            tensor("... #M #N", array_type=LinearOperator),
            None,
            "",
            "LinearOperator",
        ),
        Row(
            at("return"),
            "return",
            tensor("... M N", array_type=LinearOperator),
            None,
            "",
            "LinearOperator",
        ),
        Row(at("return"), "return", tensor("... M N"), None, "", "Tensor"),
    ),
    intermediates=(),
    relations=(
        MustAgree(
            "M",
            (
                Place(at("self"), None, -2, broadcast=True),
                Place(at("other"), None, -2, broadcast=True),
                Place(at("return"), None, -2),
            ),
        ),
    ),
    flow=None,
    problems=(),
)
UNION = Report(
    target="linear_operator.operators.diag_linear_operator",
    modules=(ModuleDoc("linear_operator.operators.diag_linear_operator", "", (ADD,)),),
    glossary=(
        GlossaryEntry(
            "M",
            None,
            ("linear_operator.operators.diag_linear_operator.DiagLinearOperator.__add__",),
        ),
        GlossaryEntry(
            "N",
            None,
            ("linear_operator.operators.diag_linear_operator.DiagLinearOperator.__add__",),
        ),
    ),
    example=None,
    problems=(),
)
REPORTS = {"full": FULL, "no_example": NO_EXAMPLE, "empty": EMPTY, "union": UNION}


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
    groups = list(root.iter(f"{SVG_NS}g"))
    drawn = [g for g in groups if g.get("class") == "node"]
    assert [g.get("data-label") for g in drawn] == [node.label for node in flow.nodes]
    assert all(len(g.findall(f"{SVG_NS}rect")) == 1 for g in drawn)
    arrows = [g for g in groups if (g.get("class") or "").startswith("edge")]
    assert len(arrows) == len(flow.edges)
    assert all(len(g.findall(f"{SVG_NS}polygon")) == 1 for g in arrows)


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
            "    n3 -->|torch.cat| n4",
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
    "union": MarkdownCase(
        UNION,
        None,
        (
            "| `self` (LinearOperator) | Float | `... #M #N` |  |",
            "| `other` (Tensor) | Float | `... #M #N` | a \\| b |",
            "| `other` (LinearOperator) | Float | `... #M #N` |  |",
            "| `return` (LinearOperator) | Float | `... M N` |  |",
            "| `return` (Tensor) | Float | `... M N` |  |",
            "- `M` is the size at `return` axis -2; at `self` axis -2, `other` axis -2 "
            "(written `#M`) it must agree or be 1, to broadcast",
        ),
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
        if tag not in ("meta", "br", "wbr", "rect", "line", "polygon"):  # void elements
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


def test_render_html__union_options_labelled_with_their_array_type() -> None:
    text = render_html(UNION)
    for path, branch in (
        ("self", "LinearOperator"),
        ("other", "Tensor"),
        ("other", "LinearOperator"),
        ("return", "LinearOperator"),
        ("return", "Tensor"),
    ):
        cell = f'<td><code>{path}</code> <span class="branch">({branch})</span></td>'
        assert text.count(cell) == 1, cell
    assert '<span class="branch">' not in render_html(FULL)  # plain Tensors: no label


# --- no two rows alike --------------------------------------------------------


@pytest.mark.parametrize("name", MARKDOWN)
def test_render_markdown__no_two_rows_alike(name: str) -> None:
    case = MARKDOWN[name]
    rows = _table_rows(render_markdown(case.report, case.svg_dir))
    body = [line for line in rows if not line.startswith("|---") and _cells(line)[0] != "path"]
    assert len(body) == len(set(body))


# --- relations of broadcast dims ------------------------------------------------


def _places(*spec: tuple[str, int, bool]) -> tuple[Place, ...]:
    return tuple(Place(at(where), None, axis, broadcast) for where, axis, broadcast in spec)


@pytest.mark.parametrize(
    ("relation", "text"),
    [
        pytest.param(
            MustAgree("n", _places(("x", 0, False), ("y", 0, False), ("return", 1, False))),
            "`n` is bound by `x` axis 0 and must agree at `y` axis 0, `return` axis 1",
            id="no-broadcast",
        ),
        pytest.param(
            MustAgree("n", _places(("x", -1, False), ("bias", 0, True), ("return", -1, False))),
            "`n` is bound by `x` axis -1 and must agree at `return` axis -1; "
            "at `bias` axis 0 (written `#n`) it must agree or be 1, to broadcast",
            id="first-strict",
        ),
        pytest.param(
            MustAgree("n", _places(("x", 0, False), ("bias", 0, True))),
            "`n` is bound by `x` axis 0; "
            "at `bias` axis 0 (written `#n`) it must agree or be 1, to broadcast",
            id="one-strict",
        ),
        pytest.param(
            MustAgree("M", _places(("self", -2, True), ("other", -2, True), ("return", -2, False))),
            "`M` is the size at `return` axis -2; "
            "at `self` axis -2, `other` axis -2 (written `#M`) it must agree or be 1, to broadcast",
            id="first-broadcast",
        ),
        pytest.param(
            MustAgree("n", _places(("a", 0, True), ("b", 1, True))),
            "`n` must agree at `a` axis 0, `b` axis 1 (written `#n`), "
            "except where it is 1, to broadcast",
            id="all-broadcast",
        ),
        pytest.param(
            MustAgree("n", _places(*((f"b{i}", 0, True) for i in range(6)), ("x", 0, False))),
            "`n` is the size at `x` axis 0; at `b0` axis 0, `b1` axis 0, `b2` axis 0, "
            "`b3` axis 0 and 2 more (written `#n`) it must agree or be 1, to broadcast",
            id="many-broadcast",
        ),
        pytest.param(
            MustAgree(
                "N",
                (
                    Place(at("self"), None, -1),
                    Place(at("other"), None, -2, branch="Tensor"),
                    Place(at("other"), None, -1, True, "LinearOperator"),
                ),
            ),
            "`N` is bound by `self` axis -1 and must agree at `other` (Tensor) axis -2; "
            "at `other` (LinearOperator) axis -1 (written `#N`) it must agree or be 1, "
            "to broadcast",
            id="union-options",
        ),
        pytest.param(
            SymbolicAxis(Place(at("return"), None, 0), "n+1", 5, "small", broadcast=True),
            "`return` axis 0 is `n+1`, or 1 to broadcast (written `#n+1`); 5 at small",
            id="symbolic-broadcast",
        ),
        pytest.param(
            SymbolicAxis(Place(at("return"), None, 0), "n+1", None, None, broadcast=True),
            "`return` axis 0 is `n+1`, or 1 to broadcast (written `#n+1`)",
            id="symbolic-broadcast-not-run",
        ),
        pytest.param(
            SymbolicAxis(Place(at("return"), None, 0), "n+1", 5, "small"),
            "`return` axis 0 is `n+1` = 5 at small",
            id="symbolic",
        ),
    ],
)
def test_relation_text__broadcast_dims_may_be_one(relation: Relation, text: str) -> None:
    assert relation_text(relation) == text
    if any(place.broadcast for place in getattr(relation, "places", ())):
        assert "or be 1" in text or "except where it is 1" in text


def test_render__broadcast_relation_in_both_formats() -> None:
    sentence = (
        "`M` is the size at `return` axis -2; at `self` axis -2, `other` axis -2 "
        "(written `#M`) it must agree or be 1, to broadcast"
    )
    assert f"- {sentence}" in render_markdown(UNION, None).splitlines()
    words = "".join(_parse(render_html(UNION)).text)
    assert sentence.replace("`", "") in words


# --- how to read: the package's own example ---------------------------------------

READ_FALLBACK = (
    "A shape lists a tensor's axes in order, outermost first: one name, size or expression "
    "per axis."
)


def _how_to_read(report: Report) -> tuple[str, str]:
    """The how-to-read paragraph of `report` in Markdown, and as the HTML page's words."""
    markdown = next(
        line for line in render_markdown(report, None).splitlines() if "How to read the" in line
    )
    page = render_html(report)
    section = page.split('<section id="how-to-read-the-shapes">', 1)[1].split("</section>")[0]
    return markdown, "".join(_parse(section).text)


def _one_function(*rows: Row, intermediates: tuple[Intermediate, ...] = ()) -> Report:
    function = replace(LSTM, rows=rows, intermediates=intermediates, relations=(), flow=None)
    return replace(EMPTY, target="pkg", modules=(ModuleDoc("pkg.mod", "", (function,)),))


@pytest.mark.parametrize(
    ("report", "first", "expression"),
    [
        pytest.param(
            FULL,
            "`inputs` of `lstm` is `steps batch vocab` (35 × 32 × 28 at `d2l`), a 3-d tensor "
            "whose first axis has `steps` entries.",
            "`steps*batch`",
            id="observed",
        ),
        pytest.param(
            NO_EXAMPLE,
            "`inputs` of `lstm` is `steps batch vocab`, a 3-d tensor whose first axis has "
            "`steps` entries.",
            "`steps*batch`",
            id="no-example",
        ),
        pytest.param(
            replace(
                _one_function(
                    Row(at("weight"), "argument", tensor("rows cols"), None, ""),
                    Row(at("x"), "argument", tensor("3 width"), (3, 7), ""),
                ),
                example=Example("tiny", (("width", 7),)),
            ),
            "`x` of `lstm` is `3 width` (3 × 7 at `tiny`), a 2-d tensor whose first axis "
            "has 3 entries.",
            None,
            id="observed-first-and-a-fixed-size",
        ),
        pytest.param(
            _one_function(
                Row(at("x"), "argument", tensor("... n"), None, ""),
                Row(at("y"), "argument", tensor("#n k"), None, ""),
                Row(at("z"), "argument", tensor("n"), None, ""),
                Row(
                    at("other"),
                    "argument",
                    tensor("n k", array_type=LinearOperator),
                    None,
                    "",
                    "LinearOperator",
                ),
                intermediates=(Intermediate("h", 9, tensor("k 2*n"), None, "f(x)", "f"),),
            ),
            "`other` (LinearOperator) of `lstm` is `n k`, a 2-d tensor whose first axis has "
            "`n` entries.",
            "`2*n`",
            id="plain-axes-only",
        ),
        pytest.param(
            UNION,
            "`return` (LinearOperator) of `DiagLinearOperator.__add__` is `... M N`, a tensor "
            "of 2 or more axes whose last axis has `N` entries.",
            None,
            id="variadic-when-none-is-plain",
        ),
        pytest.param(
            replace(
                _one_function(
                    Row(at("x"), "argument", tensor("*batch n"), None, ""),
                    Row(at("y"), "argument", tensor("3 *rest"), (3, 2, 5), ""),
                ),
                example=Example("tiny", ()),
            ),
            "`y` of `lstm` is `3 *rest` (3 × 2 × 5 at `tiny`), a tensor of 1 or more axes "
            "whose first axis has 3 entries.",
            None,
            id="variadic-observed-first",
        ),
    ],
)
def test_how_to_read__example_from_the_package(
    report: Report, first: str, expression: str | None
) -> None:
    markdown, words = _how_to_read(report)
    start = "A shape lists a tensor's axes in order, outermost first: "
    assert markdown.startswith(f"**How to read the shapes.** {start}{first} A name is"), markdown
    assert (start + first).replace("`", "") in words
    if expression is not None:
        assert f"A number is a fixed size; an expression such as {expression} is one axis" in (
            markdown
        )
    else:
        assert "an expression over other dimensions is one axis" in markdown
    assert "#name" in markdown and "broadcasts" in markdown


@pytest.mark.parametrize(
    "report",
    [
        EMPTY,
        _one_function(
            Row(at("x"), "argument", tensor("n"), (4,), ""),
            Row(at("y"), "argument", tensor("_ n"), None, ""),
            Row(at("z"), "argument", tensor(""), (), ""),
            Row(at("v"), "argument", tensor("*#batch n"), None, ""),
            Row(at("w"), "argument", tensor("... #n k"), None, ""),
            Row(at("u"), "argument", tensor("..."), None, ""),
        ),
    ],
    ids=["empty", "one-axis-anonymous-broadcast-or-only-variadic"],
)
def test_how_to_read__neutral_without_a_plain_shape(report: Report) -> None:
    markdown, words = _how_to_read(report)
    assert markdown.startswith(f"**How to read the shapes.** {READ_FALLBACK} A name is"), markdown
    assert READ_FALLBACK in words
    assert "steps" not in markdown and "steps" not in words  # no borrowed example
    assert "an expression over other dimensions is one axis" in markdown


# --- the sidebar wraps names at dots ---------------------------------------------


def _sidebar(text: str) -> str:
    return text.split('<nav class="sidebar"', 1)[1].split("</nav>", 1)[0]


def test_render_html__sidebar_names_wrap_only_after_dots() -> None:
    long_module = "pkg.subpackage_with_a_long_name.<odd>&module"
    function = replace(LSTM, qualname="ALongClassName.a_method_with_a_long_name")
    report = replace(
        UNION,
        target="pkg.subpackage_with_a_long_name",
        modules=(*UNION.modules, ModuleDoc(long_module, "", (function,))),
    )
    sidebar = _sidebar(render_html(report))
    assert "<code>linear_operator.<wbr>operators.<wbr>diag_linear_operator</code>" in sidebar
    assert "<code>DiagLinearOperator.<wbr>__add__</code>" in sidebar
    assert "<code>pkg.<wbr>subpackage_with_a_long_name.<wbr>&lt;odd&gt;&amp;module</code>" in (
        sidebar
    )
    assert "<code>ALongClassName.<wbr>a_method_with_a_long_name</code>" in sidebar
    assert "pkg.<wbr>subpackage_with_a_long_name: shapes" in sidebar  # the brand line
    # Every break opportunity follows a dot, and every dot is followed by one.
    assert sidebar.count("<wbr>") == sidebar.count(".<wbr>")
    for code in re.findall(r"<code>(.*?)</code>", sidebar):
        assert code.count(".") == code.count(".<wbr>"), code
    # The main column's names stay as they are.
    main = render_html(report).split("<main>", 1)[1]
    assert "<wbr>" not in main


def test_render_html__sidebar_css_breaks_no_word() -> None:
    text = render_html(FULL)
    css = text.split("<style>", 1)[1].split("</style>", 1)[0]
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", css)
    sidebar_rules = [
        (selector.strip(), body) for selector, body in rules if "nav.sidebar" in selector
    ]
    links = [body for selector, body in sidebar_rules if "nav.sidebar a" in selector.split(",")[0]]
    assert any("overflow-wrap: normal" in body and "word-break: normal" in body for body in links)
    for selector, body in sidebar_rules:
        assert "break-word" not in body and "break-all" not in body, selector
        assert "anywhere" not in body, selector
