"""The data-flow diagrams: the true dependencies, read back from the SVG's edges.

The SVG names every box (`<g class="node" data-label=...>`) and every arrow
(`<g class="edge" data-source=... data-target=...>`), so a test reads the graph
as drawn. What it must show for d2l's `lstm` is the seed's analysis: `X` and
`H` feed each gate and the candidate memory, `F`, `C`, `I` and `C_tilda` make
the new `C`, `O` and the new `C` make the new `H`, which makes `Y`.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from shapecheck.docs import build_report
from shapecheck.docs._model import Flow, FunctionDoc
from shapecheck.docs._svg import render_mermaid, render_svg

_EDGE = re.compile(r'<g class="edge( back)?" data-source="([^"]*)" data-target="([^"]*)">')
_NODE = re.compile(
    r'<g class="node" data-label="([^"]*)">\n<rect x="([\d.]+)" y="([\d.]+)" '
    r'width="([\d.]+)" height="([\d.]+)"'
)


def _function(target: str, qualname: str) -> FunctionDoc:
    report = build_report(target, None)
    return next(f for m in report.modules for f in m.functions if f.qualname == qualname)


def _edges(svg: str, *, back: bool = False) -> set[tuple[str, str]]:
    return {
        (source.replace("&#x27;", "'"), target.replace("&#x27;", "'"))
        for kind, source, target in _EDGE.findall(svg)
        if bool(kind) == back
    }


def _boxes(svg: str) -> dict[str, tuple[float, float]]:
    """Each box's center, by its label."""
    return {
        label: (float(x) + float(w) / 2, float(y) + float(h) / 2)
        for label, x, y, w, h in _NODE.findall(svg)
    }


def _flow(function: FunctionDoc) -> Flow:
    assert function.flow is not None
    return function.flow


def test_flow__lstm_shows_which_tensors_meet_where() -> None:
    svg = render_svg(_flow(_function("models.lstm", "lstm")))
    edges = _edges(svg)
    for gate in ("I", "F", "O", "C_tilda"):
        assert {("X", gate), ("H", gate)} <= edges, gate
    assert {source for source, target in edges if target == "C'"} == {"F", "C", "I", "C_tilda"}
    assert {source for source, target in edges if target == "H'"} == {"O", "C'"}
    assert {source for source, target in edges if target == "Y"} == {"H'"}
    assert ("Y", "return[0]") in edges  # through the list it is appended to, then cat
    assert {("state[0]", "H"), ("state[1]", "C"), ("inputs", "X")} <= edges
    # Not a chain: no arrow from one gate to the next.
    assert not {("I", "F"), ("F", "O"), ("O", "C_tilda")} & edges
    # The loop is a frame, not unrolled: the new H and C carry over to the next step.
    assert _edges(svg, back=True) == {("H'", "H"), ("C'", "C")}
    assert 'data-loop="for X in inputs"' in svg
    # The gates are made side by side, in one layer.
    boxes = _boxes(svg)
    rows = {boxes[gate][1] for gate in ("I", "F", "O", "C_tilda")}
    assert len(rows) == 1
    assert len({boxes[gate][0] for gate in ("I", "F", "O", "C_tilda")}) == 4


def test_flow__gru_true_dependencies() -> None:
    svg = render_svg(_flow(_function("models.gru", "gru")))
    edges = _edges(svg)
    assert {("X", "Z"), ("H", "Z"), ("X", "R"), ("H", "R")} <= edges
    assert {source for source, target in edges if target == "H_tilda"} == {"X", "R", "H"}
    assert {source for source, target in edges if target == "H'"} == {"Z", "H", "H_tilda"}
    assert _edges(svg, back=True) == {("H'", "H")}


BRANCHES = """
import torch
from jaxtyping import Float
from torch import Tensor


def join(x: Float[Tensor, "b n"], y: Float[Tensor, "b n"]) -> Float[Tensor, "b n"]:
    left: Float[Tensor, "b n"] = torch.relu(x)
    right: Float[Tensor, "b n"] = torch.tanh(y * 2)
    both: Float[Tensor, "b n"] = left + right
    return both


def fork(x: Float[Tensor, "b n"], w: Float[Tensor, "n n"]) -> Float[Tensor, "b n"]:
    up: Float[Tensor, "b n"] = x @ w
    down: Float[Tensor, "b n"] = torch.sigmoid(x)
    return up * down
"""


@pytest.mark.parametrize(
    ("qualname", "branches"), [("join", ("left", "right")), ("fork", ("up", "down"))]
)
def test_flow__independent_branches_are_side_by_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qualname: str, branches: tuple[str, str]
) -> None:
    (tmp_path / "sc_branches.py").write_text(textwrap.dedent(BRANCHES))
    monkeypatch.syspath_prepend(str(tmp_path))
    flow = _flow(_function("sc_branches", qualname))
    svg = render_svg(flow)
    boxes = _boxes(svg)
    (lx, ly), (rx, ry) = boxes[branches[0]], boxes[branches[1]]
    assert ly == ry and lx != rx  # one layer, two columns: not chained
    edges = _edges(svg)
    assert (branches[0], branches[1]) not in edges and (branches[1], branches[0]) not in edges
    if qualname == "join":
        assert {("x", "left"), ("y", "right"), ("left", "both"), ("right", "both")} <= edges
        assert ("both", "return") in edges
        assert flow.nodes[[n.label for n in flow.nodes].index("right")].op == "tanh"
    else:
        assert {("x", "up"), ("w", "up"), ("x", "down")} <= edges
        assert {("up", "return"), ("down", "return")} <= edges


def test_flow__mermaid_has_the_svg_s_edges() -> None:
    flow = _flow(_function("models.lstm", "lstm"))
    mermaid = render_mermaid(flow)
    labels = {f"n{i}": node.label for i, node in enumerate(flow.nodes)}
    forward = {
        (labels[a], labels[b]) for a, b in re.findall(r"(n\d+) -->(?:\|[^|]*\|)? (n\d+)", mermaid)
    }
    back = {(labels[a], labels[b]) for a, b in re.findall(r"(n\d+) -\.->\|[^|]*\| (n\d+)", mermaid)}
    svg = render_svg(flow)
    assert forward == _edges(svg)
    assert back == _edges(svg, back=True)
    assert 'subgraph loop0["for X in inputs"]' in mermaid
    assert '-->|"cat(dim=0)"|' in mermaid


def test_flow__is_deterministic() -> None:
    flow = _flow(_function("models.lstm", "lstm"))
    assert render_svg(flow) == render_svg(flow)


GAPS = '''
from jaxtyping import Float
from torch import Tensor


def step(
    x: Float[Tensor, "b n"], h: Float[Tensor, "b n"] | None = None
) -> tuple[Float[Tensor, "b n"], Float[Tensor, "b n"]]:
    """One step.

    Args:
        x: the input.
        h: the state, zeros when not given.

    Returns:
        the output and the new state.
    """
    state: tuple[Float[Tensor, "b n"], Float[Tensor, "b n"]] = (x, x if h is None else h)
    return state
'''


def test_rows__small_gaps_mended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sc_gaps.py").write_text(GAPS)
    monkeypatch.syspath_prepend(str(tmp_path))
    function = _function("sc_gaps", "step")
    described = {str(row.path): row.description for row in function.rows}
    # Every leaf of the return carries its description, not only the first.
    assert described["return[0]"] == described["return[1]"] == "the output and the new state."
    # An argument that may be None says so.
    assert described["h"] == "optional; the state, zeros when not given."
    assert described["x"] == "the input."
    # A tuple local: a row per item, each with its own shape.
    names = [item.name for item in function.intermediates]
    assert names == ["state[0]", "state[1]"]
