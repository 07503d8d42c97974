"""Shape-flow diagrams: a standalone SVG, and the same chain as Mermaid source.

`render_svg` draws a vertical chain of rounded boxes, one per `FlowNode`: the
label in bold, the symbolic shape in parentheses (`(scalar)` when empty), then
the concrete shape if the example run observed one. An arrow joins each box to the next, with the
node's `op` written beside it. Sizes come from the text length in a monospace
font (no font files are needed, so the SVG stands alone), and every number is
an integer or has one decimal, so the output is byte-for-byte deterministic.

`render_mermaid` returns the body of a Mermaid `flowchart TD` diagram, WITHOUT
the Markdown fences: the caller wraps it in a fenced block tagged `mermaid`.
It ends with a newline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._model import Flow, FlowNode
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
    y: float
    height: float
    lines: list[tuple[str, str]]
    fill: str


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
    widest = max(_text_width(text) for lines in all_lines for _, text in lines)
    box_width = max(widest + 2 * PAD_X, MIN_BOX_WIDTH)
    center = MARGIN + box_width / 2

    boxes: list[_Box] = []
    y = float(MARGIN)
    for index, lines in enumerate(all_lines):
        height = len(lines) * LINE_HEIGHT + 2 * PAD_Y
        if index == 0 and len(nodes) > 1:
            fill = FILL_INPUT
        elif index == len(nodes) - 1 and len(nodes) > 1:
            fill = FILL_OUTPUT
        else:
            fill = FILL_MIDDLE
        boxes.append(_Box(y, height, lines, fill))
        y += height + GAP
    total_height = y - GAP + MARGIN

    right = MARGIN + box_width + MARGIN
    for node in nodes[1:]:
        if node.op:
            right = max(right, center + OP_OFFSET + _text_width(_one_line(node.op)) + MARGIN)

    for index, box in enumerate(boxes):
        if index > 0:
            top = boxes[index - 1].y + boxes[index - 1].height
            body.extend(_arrow(center, top, box.y, nodes[index].op))
        body.append(
            f'<rect x="{_num(MARGIN)}" y="{_num(box.y)}" width="{_num(box_width)}" '
            f'height="{_num(box.height)}" rx="6" ry="6" fill="{box.fill}" '
            f'stroke="{STROKE}" stroke-width="1.2"/>'
        )
        for line_index, (kind, text) in enumerate(box.lines):
            baseline = box.y + PAD_Y + line_index * LINE_HEIGHT + FONT_SIZE
            if kind == "label":
                style = f'font-weight="bold" fill="{TEXT}"'
            elif kind == "shape":
                style = f'fill="{TEXT}"'
            else:
                style = f'fill="{MUTED}"'
            body.append(
                f'<text x="{_num(center)}" y="{_num(baseline)}" text-anchor="middle" '
                f"{style}>{_xml(text)}</text>"
            )
    return _wrap(flow, right, total_height, body)


def _arrow(x: float, top: float, bottom: float, op: str | None) -> list[str]:
    head = 7.0
    parts = [
        f'<line x1="{_num(x)}" y1="{_num(top)}" x2="{_num(x)}" y2="{_num(bottom - head)}" '
        f'stroke="{ARROW}" stroke-width="1.5"/>',
        f'<polygon points="{_num(x - 4.5)},{_num(bottom - head)} {_num(x + 4.5)},'
        f'{_num(bottom - head)} {_num(x)},{_num(bottom)}" fill="{ARROW}"/>',
    ]
    if op:
        middle = (top + bottom) / 2 + FONT_SIZE / 2 - 2
        parts.append(
            f'<text x="{_num(x + OP_OFFSET)}" y="{_num(middle)}" font-style="italic" '
            f'fill="{MUTED}">{_xml(_one_line(op))}</text>'
        )
    return parts


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
    the same lines as the SVG boxes;
    edges are `n0 -->|op| n1`, the op quoted when it holds anything but letters,
    digits, `_`, `.` and spaces, and left out when the node has no op.
    """
    lines = ["flowchart TD"]
    for index, node in enumerate(flow.nodes):
        parts = [text for _, text in _node_lines(node)]
        parts = [_mermaid_text(text) for text in parts]
        lines.append(f'    n{index}["{"<br/>".join(parts)}"]')
    for index, node in enumerate(flow.nodes[1:], start=1):
        source = f"n{index - 1}"
        if node.op is None or not node.op.strip():
            lines.append(f"    {source} --> n{index}")
            continue
        op = _one_line(node.op)
        if not _PLAIN_EDGE.fullmatch(op):
            op = f'"{_mermaid_text(op)}"'
        lines.append(f"    {source} -->|{op}| n{index}")
    return "\n".join(lines) + "\n"
