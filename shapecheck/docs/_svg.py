"""Data-flow diagrams: a standalone SVG, and the same graph as Mermaid source.

`render_svg` draws the function's data-flow graph (`_flow`) as a layered
drawing: one rounded box per `FlowNode` (the label in bold, the symbolic shape
in parentheses, `(scalar)` when empty, then the concrete shape if the example
run observed one), an arrow from each value to what it makes, the op beside
the box it makes, the loop's frame (its header, `for X in inputs`, above the
drawing, and a dashed outline on each box its body makes: not unrolled), and a
dashed curve carrying a rebound value to the
next step. The layers come from a Sugiyama layout of the forward edges
(grandalf): values made independently of each other sit side by side.
Sizes come from the text length in a monospace font (no font files are
needed, so the SVG stands alone), and every number is an integer or has one
decimal, so the output is byte-for-byte deterministic. Each box and arrow is
a `<g>` whose `data-label`, `data-source` and `data-target` name its nodes.

`render_mermaid` returns the body of a Mermaid `flowchart TD` diagram with the
same nodes and edges, WITHOUT the Markdown fences: the caller wraps it in a
fenced block tagged `mermaid`. It ends with a newline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._model import Flow, FlowEdge, FlowNode
from ._text import observed_text, shape_text

__all__ = ["render_mermaid", "render_svg", "svg_element"]

FONT_FAMILY = "ui-monospace, Menlo, Consolas, monospace"
FONT_SIZE = 12
CHAR_WIDTH = 7.2  # the advance of one monospace character at 12 px
LINE_HEIGHT = 16
PAD_X = 14  # inside a box, left and right of the widest line
PAD_Y = 9  # inside a box, above the first and below the last line
MARGIN = 16  # around the whole drawing
GAP = 46  # between two boxes: room for the arrow
OP_OFFSET = 10  # from the arrow to the start of its op text
MIN_BOX_WIDTH = 120

# Input, intermediate and output boxes get different fills.
FILL_INPUT = "#e8f1fb"
FILL_MIDDLE = "#f6f6f4"
FILL_OUTPUT = "#eaf6ec"
STROKE = "#4a5562"
TEXT = "#1d2430"
MUTED = "#55606e"
ARROW = "#6b7683"

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    """Escape text for XML content and double-quoted attributes."""
    text = _INVALID_XML.sub("\ufffd", text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _num(value: float) -> str:
    """A deterministic number: an integer, or one decimal."""
    rounded = round(value, 1)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.1f}"


def _text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shape_line(node: FlowNode) -> str | None:
    """The symbolic shape in parentheses, axes separated by `, `; `(scalar)` for an
    empty one, unless the example run saw axes there (the shape is then unknown,
    not scalar: no line)."""
    shape = ", ".join(shape_text(node.spec).split())
    if shape:
        return f"({shape})"
    if node.concrete:
        return None
    return "(scalar)"


def _node_lines(node: FlowNode) -> list[tuple[str, str]]:
    """The lines of one box, each as (kind, text); kind is label, shape or concrete."""
    lines = [("label", _one_line(node.label))]
    shape = _shape_line(node)
    if shape is not None:
        lines.append(("shape", shape))
    concrete = observed_text(node.concrete)
    if concrete is not None:
        lines.append(("concrete", concrete))
    return lines


@dataclass(frozen=True)
class _Box:
    x: float  # the left edge
    y: float  # the top edge
    width: float
    height: float
    lines: list[tuple[str, str]]
    fill: str

    @property
    def center(self) -> float:
        return self.x + self.width / 2


class _View:
    """A vertex's size, as the layout reads it (`w`, `h`), and where it put it (`xy`)."""

    def __init__(self, width: float, height: float) -> None:
        self.w = width
        self.h = height
        self.xy: tuple[float, float] = (0.0, 0.0)


def _layout(flow: Flow, sizes: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The center of each node: a layered drawing of the forward edges (back
    edges take no part), sources on top; unconnected parts side by side."""
    from grandalf.graphs import Edge, Graph, Vertex
    from grandalf.layouts import SugiyamaLayout

    vertices = [Vertex(index) for index in range(len(flow.nodes))]
    for vertex, (width, height) in zip(vertices, sizes, strict=True):
        vertex.view = _View(width, height)
    edges = [Edge(vertices[e.source], vertices[e.target]) for e in flow.edges if not e.back]
    graph = Graph(vertices, edges)
    centers: list[tuple[float, float]] = [(0.0, 0.0)] * len(vertices)
    left = 0.0
    for part in sorted(graph.C, key=lambda c: min(v.data for v in c.sV)):
        layout = SugiyamaLayout(part)
        layout.xspace, layout.yspace = GAP / 2, GAP
        layout.init_all()
        layout.draw()
        found = {v.data: v.view.xy for v in part.sV}
        low = min(x - sizes[i][0] / 2 for i, (x, _) in found.items())
        high = max(x + sizes[i][0] / 2 for i, (x, _) in found.items())
        for index, (x, y) in found.items():
            centers[index] = (left + x - low, y)
        left += high - low + GAP
    return centers


def _fill(flow: Flow, index: int) -> str:
    """Sources blue, sinks green, the rest grey."""
    into = any(e.target == index and not e.back for e in flow.edges)
    out = any(e.source == index and not e.back for e in flow.edges)
    if out and not into:
        return FILL_INPUT
    if into and not out:
        return FILL_OUTPUT
    return FILL_MIDDLE


def svg_element(flow: Flow) -> str:
    """The `<svg>` element alone, without an XML declaration, for inlining in HTML."""
    nodes = flow.nodes
    body: list[str] = []
    if not nodes:
        message = "(no tensors to draw)"
        width = MARGIN * 2 + max(_text_width(message), MIN_BOX_WIDTH)
        height = MARGIN * 2 + LINE_HEIGHT
        body.append(
            f'<text x="{_num(MARGIN)}" y="{_num(MARGIN + FONT_SIZE)}" '
            f'fill="{MUTED}">{_xml(message)}</text>'
        )
        return _wrap(flow, width, height, body)

    all_lines = [_node_lines(node) for node in nodes]
    sizes = [
        (
            max(max(_text_width(text) for _, text in lines) + 2 * PAD_X, MIN_BOX_WIDTH),
            float(len(lines) * LINE_HEIGHT + 2 * PAD_Y),
        )
        for lines in all_lines
    ]
    centers = _layout(flow, sizes)
    top = min(y - h / 2 for (_, y), (_, h) in zip(centers, sizes, strict=True))
    loops = len({node.loop for node in nodes if node.loop})
    frame_room = loops * LINE_HEIGHT + PAD_Y if loops else 0
    boxes = [
        _Box(
            MARGIN + x - w / 2,
            MARGIN + frame_room + y - h / 2 - top,
            w,
            h,
            lines,
            _fill(flow, index),
        )
        for index, ((x, y), (w, h), lines) in enumerate(zip(centers, sizes, all_lines, strict=True))
    ]
    body += _frames(flow, boxes)
    for edge in flow.edges:
        body += _edge(flow, edge, boxes)
    labelled: set[int] = set()
    for edge in flow.edges:
        op = nodes[edge.target].op
        if not edge.back and op and edge.target not in labelled:
            labelled.add(edge.target)
            box = boxes[edge.target]
            body.append(
                f'<text x="{_num(box.x + box.width + 4)}" y="{_num(box.y - 4)}" '
                f'font-style="italic" fill="{MUTED}">{_xml(_one_line(op))}</text>'
            )
    for index, box in enumerate(boxes):
        body += _box(nodes[index].label, box)
    right = max(b.x + b.width for b in boxes) + MARGIN + _op_room(flow)
    bottom = max(b.y + b.height for b in boxes) + MARGIN
    return _wrap(flow, right, bottom, body)


def _op_room(flow: Flow) -> float:
    """Room at the right for the op labels and the back edges' curves."""
    ops = [_text_width(_one_line(n.op)) + 4 for n in flow.nodes if n.op]
    return max([*ops, 2 * GAP if any(e.back for e in flow.edges) else 0.0])


def _frames(flow: Flow, boxes: list[_Box]) -> list[str]:
    """The loop's frame: each box its body binds gets a dashed outline, and the
    loop's header is written above the drawing (a box around them all would
    take in values the layout puts between them, made outside the loop)."""
    parts: list[str] = []
    headers = list(dict.fromkeys(node.loop for node in flow.nodes if node.loop))
    for number, header in enumerate(headers):
        for index, node in enumerate(flow.nodes):
            if node.loop == header:
                box = boxes[index]
                pad = 4
                parts.append(
                    f'<rect class="loop" data-loop="{_xml(header)}" x="{_num(box.x - pad)}" '
                    f'y="{_num(box.y - pad)}" width="{_num(box.width + 2 * pad)}" '
                    f'height="{_num(box.height + 2 * pad)}" rx="9" ry="9" fill="none" '
                    f'stroke="{MUTED}" stroke-dasharray="5 4"/>'
                )
        baseline = MARGIN + FONT_SIZE + number * LINE_HEIGHT
        parts.append(
            f'<text class="loop" x="{_num(MARGIN)}" y="{_num(baseline)}" '
            f'font-style="italic" fill="{MUTED}">dashed: made in the loop {_xml(header)}, '
            f"once a step</text>"
        )
    return parts


def _box(label: str, box: _Box) -> list[str]:
    parts = [
        f'<g class="node" data-label="{_xml(label)}">',
        f'<rect x="{_num(box.x)}" y="{_num(box.y)}" width="{_num(box.width)}" '
        f'height="{_num(box.height)}" rx="6" ry="6" fill="{box.fill}" '
        f'stroke="{STROKE}" stroke-width="1.2"/>',
    ]
    for line_index, (kind, text) in enumerate(box.lines):
        baseline = box.y + PAD_Y + line_index * LINE_HEIGHT + FONT_SIZE
        if kind == "label":
            style = f'font-weight="bold" fill="{TEXT}"'
        elif kind == "shape":
            style = f'fill="{TEXT}"'
        else:
            style = f'fill="{MUTED}"'
        parts.append(
            f'<text x="{_num(box.center)}" y="{_num(baseline)}" text-anchor="middle" '
            f"{style}>{_xml(text)}</text>"
        )
    parts.append("</g>")
    return parts


def _edge(flow: Flow, edge: FlowEdge, boxes: list[_Box]) -> list[str]:
    """An arrow from the bottom of `source` to the top of `target`; a back edge
    is a dashed curve on the right, from the new value up to the old."""
    source, target = boxes[edge.source], boxes[edge.target]
    names = (
        f'data-source="{_xml(flow.nodes[edge.source].label)}" '
        f'data-target="{_xml(flow.nodes[edge.target].label)}"'
    )
    head = 7.0
    if edge.back:
        x0, y0 = source.x + source.width, source.y + source.height / 2
        x1, y1 = target.x + target.width, target.y + target.height / 2
        bend = max(x0, x1) + GAP
        return [
            f'<g class="edge back" {names}>',
            f'<path d="M {_num(x0)} {_num(y0)} C {_num(bend)} {_num(y0)}, {_num(bend)} '
            f'{_num(y1)}, {_num(x1 + head)} {_num(y1)}" fill="none" stroke="{ARROW}" '
            f'stroke-width="1.2" stroke-dasharray="4 3"/>',
            f'<polygon points="{_num(x1 + head)},{_num(y1 - 4.5)} {_num(x1 + head)},'
            f'{_num(y1 + 4.5)} {_num(x1)},{_num(y1)}" fill="{ARROW}"/>',
            f'<text x="{_num(bend - 6)}" y="{_num((y0 + y1) / 2)}" text-anchor="end" '
            f'font-style="italic" fill="{MUTED}">{_xml(edge.op or "")}</text>',
            "</g>",
        ]
    x0, y0 = source.center, source.y + source.height
    x1, y1 = target.center, target.y
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1.0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    bx, by = x1 - ux * head, y1 - uy * head  # the base of the arrowhead
    return [
        f'<g class="edge" {names}>',
        f'<line x1="{_num(x0)}" y1="{_num(y0)}" x2="{_num(bx)}" y2="{_num(by)}" '
        f'stroke="{ARROW}" stroke-width="1.4"/>',
        f'<polygon points="{_num(bx - uy * 4.5)},{_num(by + ux * 4.5)} '
        f'{_num(bx + uy * 4.5)},{_num(by - ux * 4.5)} {_num(x1)},{_num(y1)}" fill="{ARROW}"/>',
        "</g>",
    ]


def _wrap(flow: Flow, width: float, height: float, body: list[str]) -> str:
    w, h = _num(width), _num(height)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}">'
    )
    lines = [head, f"<title>{_xml(flow.title)}</title>", *body, "</svg>"]
    return "\n".join(lines)


def render_svg(flow: Flow) -> str:
    """A standalone SVG 1.1 document for `flow`, ending with a newline."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg_element(flow) + "\n"


# Characters that an unquoted Mermaid edge label can hold safely.
_PLAIN_EDGE = re.compile(r"[A-Za-z0-9_. ]+")


def _mermaid_text(text: str) -> str:
    """Text for inside a double-quoted Mermaid label, with entity codes for specials."""
    out: list[str] = []
    for char in _one_line(text):
        if char == '"':
            out.append("#quot;")
        elif char in "<>&#`|":
            out.append(f"#{ord(char)};")
        else:
            out.append(char)
    return "".join(out)


def render_mermaid(flow: Flow) -> str:
    """The body of a Mermaid `flowchart TD` for `flow`, without fences, ending with a newline.

    Nodes are `n0`, `n1`, ... with a quoted label `label<br/>(shape)<br/>concrete`,
    the same lines as the SVG boxes; the nodes a loop binds are in a
    `subgraph` titled with its header. Edges are the SVG's: `n0 -->|op| n1`,
    the op being the target's, quoted when it holds anything but letters,
    digits, `_`, `.` and spaces; a back edge is dotted, `n9 -.->|next step| n1`.
    """
    lines = ["flowchart TD"]
    headers = list(dict.fromkeys(node.loop for node in flow.nodes if node.loop))
    for index, node in enumerate(flow.nodes):
        if node.loop is None:
            lines.append(f"    {_mermaid_node(index, node)}")
    for number, header in enumerate(headers):
        lines.append(f'    subgraph loop{number}["{_mermaid_text(header)}"]')
        for index, node in enumerate(flow.nodes):
            if node.loop == header:
                lines.append(f"        {_mermaid_node(index, node)}")
        lines.append("    end")
    for edge in flow.edges:
        op = edge.op if edge.back else flow.nodes[edge.target].op
        arrow = "-.->" if edge.back else "-->"
        if op is None or not op.strip():
            lines.append(f"    n{edge.source} {arrow} n{edge.target}")
            continue
        op = _one_line(op)
        if not _PLAIN_EDGE.fullmatch(op):
            op = f'"{_mermaid_text(op)}"'
        lines.append(f"    n{edge.source} {arrow}|{op}| n{edge.target}")
    return "\n".join(lines) + "\n"


def _mermaid_node(index: int, node: FlowNode) -> str:
    parts = [_mermaid_text(text) for _, text in _node_lines(node)]
    return f'n{index}["{"<br/>".join(parts)}"]'
