"""The Markdown shape reference: one page for a whole target.

The page reads top to bottom: a title and how it was made, how to read a
shape, a table of contents, one section per module and per function (the
argument and return table, the annotated intermediates, the relations between
dims, the shape-flow diagram), the glossary of dimensions and the target-wide
problems. `_html` renders the same page as HTML and reuses the text and the
anchors made here, so both formats stay in step.

Text from docstrings (summaries, descriptions) and generated sentences
(relations, problems) are prose with optional `code spans`: the spans are kept
as code, everything else is escaped, so nothing in a docstring can break a
table or start a list. Shapes, names and expressions are always code spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from .._spec import Fixed, Named, SizeSpec, Symbolic, TensorSpec, Variadic
from ._model import Example, FunctionDoc, ModuleDoc, Observed, Report
from ._svg import render_mermaid
from ._text import card_problem, dtype_text, observed_text, relation_text, shape_text

__all__ = [
    "Anchors",
    "anchors",
    "example_sentence",
    "function_key",
    "intro_sentence",
    "reading_hints",
    "short_function_name",
    "render_markdown",
    "slugify",
    "svg_link",
    "split_code_spans",
]

CONTENTS_ANCHOR = "contents"
GLOSSARY_ANCHOR = "glossary-of-dimensions"
PROBLEMS_ANCHOR = "problems"
HOW_TO_READ_ANCHOR = "how-to-read-the-shapes"
NOT_RUN = "—"  # a concrete shape that the example run did not observe
UNDESCRIBED = "(undescribed)"


# --- shared with _html --------------------------------------------------------


def slugify(text: str) -> str:
    """Lowercase ASCII letters and digits, every other run of characters one `-`."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "section"


def function_key(module: ModuleDoc, function: FunctionDoc) -> str:
    """The qualified name of a function, as the glossary's `used_by` names it."""
    return f"{module.name}.{function.qualname}"


@dataclass(frozen=True)
class Anchors:
    """Unique, stable anchors for the sections of one report."""

    modules: tuple[str, ...]  # per module, in report order
    functions: tuple[tuple[str, ...], ...]  # per module, per function
    by_function_name: dict[str, str]  # "models.lstm.lstm" (and "lstm" if unique) -> anchor
    glossary_rows: tuple[str, ...]  # per glossary entry, in report order
    dims: dict[str, str]  # glossary dim name -> the anchor of its first entry


def anchors(report: Report) -> Anchors:
    """Anchors from the report's order alone: the same report always gets the same ones."""
    used = {CONTENTS_ANCHOR, GLOSSARY_ANCHOR, PROBLEMS_ANCHOR, HOW_TO_READ_ANCHOR}

    def unique(base: str) -> str:
        candidate, number = base, 2
        while candidate in used:
            candidate = f"{base}-{number}"
            number += 1
        used.add(candidate)
        return candidate

    modules: list[str] = []
    functions: list[tuple[str, ...]] = []
    by_name: dict[str, str] = {}
    short: dict[str, list[str]] = {}
    for module in report.modules:
        modules.append(unique(slugify(module.name)))
        anchors_here: list[str] = []
        for function in module.functions:
            anchor = unique(slugify(function_key(module, function)))
            anchors_here.append(anchor)
            by_name.setdefault(function_key(module, function), anchor)
            short.setdefault(function.qualname, []).append(anchor)
        functions.append(tuple(anchors_here))
    for name, found in short.items():
        if len(found) == 1:
            by_name.setdefault(name, found[0])
    rows = tuple(unique("dim-" + slugify(entry.name)) for entry in report.glossary)
    dims: dict[str, str] = {}
    for entry, anchor in zip(report.glossary, rows, strict=True):
        dims.setdefault(entry.name, anchor)
    return Anchors(tuple(modules), tuple(functions), by_name, rows, dims)


_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)


def split_code_spans(text: str) -> list[tuple[bool, str]]:
    """Split prose into (is_code, text) pieces; code spans lose their backticks."""
    pieces: list[tuple[bool, str]] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        if match.start() > position:
            pieces.append((False, text[position : match.start()]))
        code = match.group(2)
        if code.startswith(" ") and code.endswith(" ") and code.strip():
            code = code[1:-1]
        pieces.append((True, code))
        position = match.end()
    if position < len(text):
        pieces.append((False, text[position:]))
    return pieces


def short_function_name(report: Report, name: str) -> str:
    """A qualified function name without the target's own prefix: `lstm.lstm` in `models`."""
    prefix = report.target + "."
    return name[len(prefix) :] if name.startswith(prefix) and len(name) > len(prefix) else name


def intro_sentence() -> str:
    return (
        "Generated by `shapecheck docs` from the shape annotations and docstrings; "
        "do not edit it by hand: change the code and generate it again."
    )


def example_sentence(example: Example) -> str:
    """The sentence on where concrete sizes come from, with `code` spans."""
    sentence = (
        "Concrete sizes are observed by running each function, with zeros for data, "
        f"at the example {_backticks(example.name)}"
    )
    if example.sizes:
        sizes = ", ".join(f"{name}={value}" for name, value in example.sizes)
        return f"{sentence}: {sizes}."
    return sentence + "."


def reading_hints(report: Report) -> tuple[str, ...]:
    """How to read a shape, as prose with `code` spans, one sentence per hint.

    The examples are the package's own (`_example_shape`): one of its shapes,
    with the sizes the example run observed there if it ran, and its first
    expression. Where it has none, the sentence goes without an example.
    """
    example = _example_shape(report)
    if example is None:
        layout = (
            "A shape lists a tensor's axes in order, outermost first: one name, size "
            "or expression per axis."
        )
    else:
        function, where, spec, sizes = example
        shape = spec.shape
        assert shape is not None
        seen = (
            f" ({observed_text(sizes)} at {_backticks(report.example.name)})"
            if sizes is not None and report.example is not None
            else ""
        )
        if shape.variadic is None:
            kind = f"a {len(shape.dims)}-d tensor whose first axis has"
            edge = shape.dims[0]
        else:
            end = "first" if shape.variadic > 0 else "last"
            kind = f"a tensor of {len(shape.dims) - 1} or more axes whose {end} axis has"
            edge = shape.dims[0] if shape.variadic > 0 else shape.dims[-1]
        layout = (
            f"A shape lists a tensor's axes in order, outermost first: {where} of "
            f"{_backticks(function)} is {_backticks(shape.text)}{seen}, "
            f"{kind} {_axis_size(edge)} entries."
        )
    expression = _first_expression(report)
    computed = (
        f"an expression such as {_backticks(expression)} is one axis whose size is computed "
        "from other dimensions."
        if expression is not None
        else "an expression over other dimensions is one axis whose size is computed from them."
    )
    return (
        layout,
        "A name is a dimension from the glossary; the same name means the same size "
        "everywhere within one call.",
        "A number is a fixed size; " + computed,
        "`*name` or `...` stands for any number of axes; `#name` is an axis of size `name` "
        "or 1, which broadcasts; `_` is an axis of any size; an empty shape is a scalar.",
    )


def _shapes_of(report: Report) -> list[tuple[str, str, TensorSpec | SizeSpec, Observed]]:
    """Every shape of the report, in page order: (function, place as prose, spec, observed)."""
    found: list[tuple[str, str, TensorSpec | SizeSpec, Observed]] = []
    for module in report.modules:
        for function in module.functions:
            for row in function.rows:
                branch = f" ({row.branch})" if row.branch is not None else ""
                where = f"{_backticks(str(row.path))}{branch}"
                found.append((function.qualname, where, row.spec, row.concrete))
            for item in function.intermediates:
                found.append((function.qualname, _backticks(item.name), item.spec, item.concrete))
    return found


def _example_shape(
    report: Report,
) -> tuple[str, str, TensorSpec, tuple[int, ...] | None] | None:
    """The shape the how-to-read paragraph shows: (function, place, spec, observed sizes).

    Its axes are plain: each a name, a size or an expression, none broadcast
    (`#`) or anonymous (`_`). Best is one of two or more such axes alone,
    then one with a variadic group (`*batch N N`, `... M`) and at least one
    such axis; among either, one the example run observed comes first. None
    where the report has neither.
    """
    ranked: list[tuple[int, tuple[str, str, TensorSpec, tuple[int, ...] | None]]] = []
    for function, where, spec, observed in _shapes_of(report):
        if not isinstance(spec, TensorSpec) or spec.shape is None:
            continue
        dims, variadic = spec.shape.dims, spec.shape.variadic
        axes = [dim for index, dim in enumerate(dims) if index != variadic]
        plain = all(isinstance(d, Named | Fixed | Symbolic) and not d.broadcast for d in axes)
        group = dims[variadic] if variadic is not None else None
        if isinstance(group, Variadic) and group.broadcast:
            continue  # `*#batch`: left to the hint on `#`
        if not plain or len(axes) < (2 if group is None else 1):
            continue
        sizes = tuple(size for size in observed or () if isinstance(size, int))
        fits = len(sizes) == len(dims) if group is None else len(sizes) >= len(axes)
        seen = sizes if observed is not None and fits else None
        rank = (0 if group is None else 2) + (0 if seen is not None else 1)
        ranked.append((rank, (function, where, spec, seen)))
    return min(ranked, key=lambda item: item[0])[1] if ranked else None


def _axis_size(dim: Named | Fixed | Symbolic | object) -> str:
    if isinstance(dim, Named):
        return _backticks(dim.name)
    if isinstance(dim, Fixed):
        return str(dim.size)
    return _backticks(str(dim))


def _first_expression(report: Report) -> str | None:
    for _, _, spec, _ in _shapes_of(report):
        if isinstance(spec, TensorSpec) and spec.shape is not None:
            for dim in spec.shape.dims:
                if isinstance(dim, Symbolic):
                    return dim.expr
    return None


# --- Markdown text ------------------------------------------------------------

_PROSE_SPECIALS = re.compile(r"[\\`*\[\]<>|~]|&(?=#?\w+;)|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _escape_plain(text: str, *, line_start: bool = True) -> str:
    """Escape Markdown punctuation in plain text (outside code spans).

    `line_start` says whether `text` begins a line (it is not the rest of a
    line after a code span); only there, and after a newline, can `#`, `-`,
    `+`, `=` or `1.` start a heading or a list.
    """
    escaped = _PROSE_SPECIALS.sub(lambda match: "\\" + match.group(0), text)
    start = r"(?:\A|(?<=\n))" if line_start else r"(?<=\n)"
    escaped = re.sub(start + r"([ \t]*)([#+=-])", r"\1\\\2", escaped)
    escaped = re.sub(start + r"([ \t]*\d+)([.)])", r"\1\\\2", escaped)
    return escaped


def _backticks(code: str, *, in_table: bool = False) -> str:
    """`code` as a Markdown code span, whatever backticks it holds."""
    code = _one_line(code)
    if not code:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * (longest + 1)
    if code.startswith("`") or code.endswith("`"):
        code = f" {code} "
    if in_table:
        code = code.replace("|", "\\|")
    return f"{fence}{code}{fence}"


def _prose(text: str, *, in_table: bool = False) -> str:
    """Docstring-like text on one line: code spans kept, everything else escaped."""
    text = _one_line(text)
    out: list[str] = []
    for index, (is_code, piece) in enumerate(split_code_spans(text)):
        if is_code:
            out.append(_backticks(piece, in_table=in_table))
        else:
            out.append(_escape_plain(piece, line_start=index == 0))
    return "".join(out)


def _cell(text: str) -> str:
    return _prose(text, in_table=True)


def _shape_cell(spec: TensorSpec | SizeSpec) -> str:
    shape = shape_text(spec)
    return _backticks(shape, in_table=True) if shape.strip() else "*(scalar)*"


def _concrete_cell(concrete: Observed) -> str:
    text = observed_text(concrete)
    return _cell(text) if text is not None else NOT_RUN


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def svg_link(svg_dir: str, slug: str) -> str:
    """The relative URL of a flow's SVG file: `<svg_dir>/<slug>.svg`, percent-encoded."""
    directory = svg_dir.replace("\\", "/").rstrip("/")
    path = f"{directory}/{slug}.svg" if directory else f"{slug}.svg"
    return quote(path, safe="/._-~")


def _link_text(text: str) -> str:
    return _escape_plain(_one_line(text))


# --- the page -----------------------------------------------------------------


def render_markdown(report: Report, svg_dir: str | None) -> str:
    """The whole shape reference as Markdown, ending with one newline.

    `svg_dir` is where the flow SVGs are written, relative to the Markdown file
    (each flow links `<svg_dir>/<slug>.svg`); None links no SVG files. Every flow
    also gets a ```mermaid block, which code hosts draw in place.
    """
    marks = anchors(report)
    example = report.example
    out: list[str] = [f"# Shape reference: {_prose(report.target)}", "", intro_sentence(), ""]
    if example is not None:
        out += [example_sentence(example), ""]

    out += [f'<a id="{HOW_TO_READ_ANCHOR}"></a>', ""]
    hints = " ".join(_prose(hint) for hint in reading_hints(report))
    out += ["**How to read the shapes.** " + hints, ""]

    out += _contents(report, marks)
    for module_index, module in enumerate(report.modules):
        out += _module(report, module, marks, module_index, svg_dir)
    out += _glossary(report, marks)
    if report.problems:
        out += [f'<a id="{PROBLEMS_ANCHOR}"></a>', "", "## Problems", ""]
        out += [f"- {_prose(str(problem))}" for problem in report.problems]
        out.append("")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _contents(report: Report, marks: Anchors) -> list[str]:
    out = [f'<a id="{CONTENTS_ANCHOR}"></a>', "", "## Contents", ""]
    out.append(f"- [How to read the shapes](#{HOW_TO_READ_ANCHOR})")
    for module_index, module in enumerate(report.modules):
        out.append(
            f"- [{_backticks(module.name)}](#{marks.modules[module_index]})"
            + (f" — {_prose(_first_sentence(module.summary))}" if module.summary.strip() else "")
        )
        for function_index, function in enumerate(module.functions):
            anchor = marks.functions[module_index][function_index]
            out.append(f"  - [{_backticks(function.qualname)}](#{anchor})")
    out.append(f"- [Glossary of dimensions](#{GLOSSARY_ANCHOR})")
    if report.problems:
        out.append(f"- [Problems](#{PROBLEMS_ANCHOR}) ({len(report.problems)})")
    out.append("")
    return out


def _first_sentence(text: str) -> str:
    text = _one_line(text)
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def _module(
    report: Report, module: ModuleDoc, marks: Anchors, module_index: int, svg_dir: str | None
) -> list[str]:
    out = [f'<a id="{marks.modules[module_index]}"></a>', "", f"## {_backticks(module.name)}", ""]
    if module.summary.strip():
        out += [_prose(module.summary.strip()), ""]
    if not module.functions:
        out += ["*No annotated functions.*", ""]
    for function_index, function in enumerate(module.functions):
        anchor = marks.functions[module_index][function_index]
        out += _function(report, function, anchor, svg_dir)
    return out


def _function(report: Report, function: FunctionDoc, anchor: str, svg_dir: str | None) -> list[str]:
    example = report.example
    out = [f'<a id="{anchor}"></a>', "", f"### {_backticks(function.qualname)}", ""]
    out += [f"Defined at {_backticks(function.location)}.", ""]
    longest = max((len(run) for run in re.findall(r"`{3,}", function.signature)), default=2)
    fence = "`" * (longest + 1)
    out += [f"{fence}python", function.signature.strip(), fence, ""]
    if function.summary.strip():
        out += [_prose(function.summary.strip()), ""]

    at = f"at {_link_text(example.name)}" if example is not None else None
    if function.rows:
        header = ["path", "dtype", "shape"] + ([at] if at else []) + ["description"]
        rows = []
        for row in function.rows:
            branch = f" ({_cell(row.branch)})" if row.branch is not None else ""
            cells = [
                _backticks(str(row.path), in_table=True) + branch,
                _cell(dtype_text(row.spec)),
                _shape_cell(row.spec),
            ]
            if at:
                cells.append(_concrete_cell(row.concrete))
            cells.append(_cell(row.description))
            rows.append(cells)
        out += ["**Arguments and returns**", "", *_table(header, rows), ""]

    if function.intermediates:
        header = ["line", "name", "dtype", "shape"] + ([at] if at else []) + ["expression"]
        rows = []
        for item in function.intermediates:
            cells = [
                str(item.line),
                _backticks(item.name, in_table=True),
                _cell(dtype_text(item.spec)),
                _shape_cell(item.spec),
            ]
            if at:
                cells.append(_concrete_cell(item.concrete))
            cells.append(_backticks(item.expression, in_table=True))
            rows.append(cells)
        out += ["**Intermediates**", "", *_table(header, rows), ""]

    if function.relations:
        out += ["**Relations**", ""]
        out += [f"- {_prose(relation_text(relation))}" for relation in function.relations]
        out.append("")

    flow = function.flow
    if flow is not None:
        out += ["**Shape flow**", ""]
        if svg_dir is not None:
            out += [f"![{_link_text(flow.title)}]({svg_link(svg_dir, flow.slug)})", ""]
        out += ["```mermaid", render_mermaid(flow).rstrip("\n"), "```", ""]

    if function.problems:
        out += [f"> **Warning:** problems with {_backticks(function.qualname)}:", ">"]
        out += [f"> - {_prose(_one_line(card_problem(p)))}" for p in function.problems]
        out.append("")
    return out


def _glossary(report: Report, marks: Anchors) -> list[str]:
    out = [f'<a id="{GLOSSARY_ANCHOR}"></a>', "", "## Glossary of dimensions", ""]
    if not report.glossary:
        return out + ["*No named dimensions.*", ""]
    rows = []
    for entry in report.glossary:
        description = (
            _cell(entry.description)
            if entry.description is not None and entry.description.strip()
            else f"*{UNDESCRIBED}*"
        )
        users = []
        for name in entry.used_by:
            target = marks.by_function_name.get(name)
            code = _backticks(short_function_name(report, name), in_table=True)
            users.append(f"[{code}](#{target})" if target else code)
        rows.append([_backticks(entry.name, in_table=True), description, ", ".join(users)])
    out += _table(["dim", "description", "used by"], rows)
    out.append("")
    return out
