"""The HTML shape reference: one standalone page, the Markdown page's twin.

Everything is inline: the CSS in a `<style>` element, each flow diagram as an
`<svg>` element. The page loads nothing (no fonts, scripts, images or style
sheets from anywhere) and needs no JavaScript. It has the same sections, text
and anchors as `_markdown`, plus a sidebar with the table of contents, and
every dimension name inside a shape links to its glossary entry.
"""

from __future__ import annotations

import html
import re

from .._spec import SizeSpec, TensorSpec
from ._markdown import (
    GLOSSARY_ANCHOR,
    HOW_TO_READ_ANCHOR,
    NOT_RUN,
    PROBLEMS_ANCHOR,
    UNDESCRIBED,
    Anchors,
    anchors,
    example_sentence,
    intro_sentence,
    reading_hints,
    short_function_name,
    split_code_spans,
)
from ._model import FunctionDoc, ModuleDoc, Observed, Report, dim_names
from ._svg import svg_element
from ._text import card_problem, dtype_text, observed_text, relation_text, shape_text

__all__ = ["render_html"]

_CSS = """
:root {
  --bg: #ffffff; --fg: #1d2430; --muted: #5b6573; --line: #d9dee5;
  --panel: #f5f7fa; --accent: #2f5f98; --code-bg: #eef1f5;
  --warn-bg: #fff6e0; --warn-line: #e0a800; --return-bg: #f3faf4;
  --mono: ui-monospace, Menlo, Consolas, monospace;
  --sans: system-ui, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #15191f; --fg: #e3e7ec; --muted: #9aa4b1; --line: #323a45;
    --panel: #1c2129; --accent: #8cb8ec; --code-bg: #262d37;
    --warn-bg: #3a2f12; --warn-line: #c99a1c; --return-bg: #1a2a1e;
  }
}
* { box-sizing: border-box; }
html { scroll-behavior: smooth; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.55 var(--sans);
}
.layout { display: grid; grid-template-columns: 17rem minmax(0, 1fr); min-height: 100vh; }
nav.sidebar {
  position: sticky; top: 0; align-self: start; height: 100vh; overflow-y: auto;
  padding: 1.25rem 1rem 2rem; background: var(--panel); border-right: 1px solid var(--line);
  font-size: 0.9rem;
}
nav.sidebar .brand { font-weight: 700; margin: 0 0 0.75rem; }
nav.sidebar ul { list-style: none; margin: 0; padding: 0; }
nav.sidebar ul ul { padding-left: 0.9rem; margin: 0.15rem 0 0.5rem; }
nav.sidebar li { margin: 0.15rem 0; }
nav.sidebar a { color: var(--fg); text-decoration: none; }
nav.sidebar a, nav.sidebar .brand { overflow-wrap: normal; word-break: normal; }
nav.sidebar a:hover { color: var(--accent); text-decoration: underline; }
nav.sidebar code { background: none; padding: 0; }
main { padding: 2rem 2.5rem 4rem; max-width: 72rem; }
h1 { font-size: 1.9rem; margin: 0 0 0.5rem; line-height: 1.25; }
h2 {
  font-size: 1.45rem; margin: 2.75rem 0 0.75rem; padding-bottom: 0.3rem;
  border-bottom: 2px solid var(--line);
}
h3 { font-size: 1.2rem; margin: 2.25rem 0 0.4rem; }
h4 {
  font-size: 0.8rem; margin: 1.4rem 0 0.45rem; text-transform: uppercase;
  letter-spacing: 0.05em; color: var(--muted);
}
h2, h3 { scroll-margin-top: 1rem; }
a { color: var(--accent); }
a.anchor {
  margin-left: 0.4rem; color: var(--muted); text-decoration: none; font-weight: 400; opacity: 0.5;
}
a.anchor:hover { color: var(--accent); }
code, pre { font-family: var(--mono); font-size: 0.88em; }
code { background: var(--code-bg); padding: 0.1em 0.35em; border-radius: 4px; }
pre {
  background: var(--code-bg); padding: 0.7rem 0.9rem; border-radius: 6px;
  overflow-x: auto; margin: 0.5rem 0;
}
pre code { background: none; padding: 0; font-size: 1em; }
code a { color: inherit; text-decoration: underline dotted; text-underline-offset: 2px; }
code a:hover { color: var(--accent); }
.intro, .where { color: var(--muted); }
.where { margin: 0; font-size: 0.9rem; }
.hints { margin: 0; padding-left: 1.2rem; }
article.function {
  border: 1px solid var(--line); border-radius: 8px; padding: 0.25rem 1.25rem 1rem;
  margin: 1.5rem 0;
}
article.function > h3 { margin-top: 1rem; }
.table-wrap { overflow-x: auto; margin: 0.4rem 0 0.8rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td {
  border: 1px solid var(--line); padding: 0.35rem 0.6rem; text-align: left; vertical-align: top;
}
th { background: var(--panel); font-weight: 600; white-space: nowrap; }
td.num, td.concrete { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.expr code { white-space: pre-wrap; word-break: break-word; }
tr.return td { background: var(--return-bg); }
.muted, .branch { color: var(--muted); }
figure.flow {
  margin: 0.5rem 0 1rem; padding: 0.75rem; display: inline-block; max-width: 100%;
  background: #ffffff; border: 1px solid var(--line); border-radius: 8px; overflow-x: auto;
}
figure.flow svg { display: block; max-width: 100%; height: auto; }
figure.flow figcaption { font-size: 0.8rem; color: #5b6573; margin-top: 0.4rem; }
.warning {
  background: var(--warn-bg); border-left: 4px solid var(--warn-line);
  padding: 0.5rem 1rem; border-radius: 4px; margin: 0.75rem 0;
}
.warning ul { margin: 0.25rem 0; padding-left: 1.2rem; }
tr:target td, article:target { outline: 2px solid var(--accent); outline-offset: -2px; }
@media (max-width: 900px) {
  .layout { display: block; }
  nav.sidebar {
    position: static; height: auto; border-right: 0; border-bottom: 1px solid var(--line);
  }
  main { padding: 1.25rem; }
}
@media print {
  nav.sidebar { display: none; }
  .layout { display: block; }
  article.function { break-inside: avoid; }
}
""".strip()

# Where a name stands in a shape's text: a whole identifier, so that `batch`
# is not linked inside `batches`.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _prose(text: str) -> str:
    """Docstring-like text: `code` spans become <code>, everything else is escaped."""
    out: list[str] = []
    for is_code, piece in split_code_spans(text):
        out.append(f"<code>{_e(piece)}</code>" if is_code else _e(piece))
    return "".join(out)


def _dotted(name: str) -> str:
    """A dotted name, escaped, that may wrap after each dot and nowhere else:
    `models.<wbr>lstm`. The sidebar's CSS keeps words whole, so a part longer
    than the sidebar scrolls sideways rather than breaking mid-word."""
    return ".<wbr>".join(_e(part) for part in name.split("."))


def _code(text: str) -> str:
    return f"<code>{_e(text)}</code>"


def _concrete(observed: Observed) -> str:
    text = observed_text(observed)
    return _e(text if text is not None else NOT_RUN)


class _Page:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.marks: Anchors = anchors(report)
        self.out: list[str] = []

    # --- pieces ---------------------------------------------------------------

    def shape(self, spec: TensorSpec | SizeSpec) -> str:
        """A shape as code, each of its dims linked to its glossary entry."""
        shape = shape_text(spec)
        if not shape.strip():
            return '<span class="muted"><em>(scalar)</em></span>'
        targets = {
            name: self.marks.dims[name] for name in dim_names(spec) if name in self.marks.dims
        }
        parts: list[str] = []
        position = 0
        for match in _IDENTIFIER.finditer(shape):
            target = targets.get(match.group(0))
            if target is None:
                continue
            parts.append(_e(shape[position : match.start()]))
            parts.append(f'<a href="#{target}">{_e(match.group(0))}</a>')
            position = match.end()
        parts.append(_e(shape[position:]))
        return f"<code>{''.join(parts)}</code>"

    def table(self, header: list[str], rows: list[tuple[str, list[tuple[str, str]]]]) -> None:
        """A table; each row is (row class, [(cell class, cell html)])."""
        self.out.append('<div class="table-wrap"><table>')
        self.out.append("<thead><tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr></thead>")
        self.out.append("<tbody>")
        for row_class, cells in rows:
            attr = f' class="{row_class}"' if row_class else ""
            tds = "".join(
                f'<td class="{css}">{cell}</td>' if css else f"<td>{cell}</td>"
                for css, cell in cells
            )
            self.out.append(f"<tr{attr}>{tds}</tr>")
        self.out.append("</tbody></table></div>")

    # --- sections -------------------------------------------------------------

    def render(self) -> str:
        report = self.report
        title = f"Shape reference: {report.target}"
        self.out += [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="shapecheck docs">',
            f"<title>{_e(title)}</title>",
            f"<style>\n{_CSS}\n</style>",
            "</head>",
            "<body>",
            '<div class="layout">',
        ]
        self.sidebar()
        self.out.append("<main>")
        self.out.append(f"<h1>Shape reference: {_code(report.target)}</h1>")
        self.out.append(f'<p class="intro">{_prose(intro_sentence())}</p>')
        if report.example is not None:
            self.out.append(f'<p class="example">{_prose(example_sentence(report.example))}</p>')
        self.out.append(f'<section id="{HOW_TO_READ_ANCHOR}">')
        self.out.append("<h2>How to read the shapes</h2>")
        self.out.append('<ul class="hints">')
        self.out += [f"<li>{_prose(hint)}</li>" for hint in reading_hints(report)]
        self.out.append("</ul></section>")
        for index, module in enumerate(report.modules):
            self.module(module, index)
        self.glossary()
        if report.problems:
            self.out.append(f'<section id="{PROBLEMS_ANCHOR}">')
            self.out.append("<h2>Problems</h2>")
            self.out.append('<div class="warning"><ul>')
            self.out += [f"<li>{_prose(str(problem))}</li>" for problem in report.problems]
            self.out.append("</ul></div></section>")
        self.out += ["</main>", "</div>", "</body>", "</html>"]
        return "\n".join(self.out) + "\n"

    def sidebar(self) -> None:
        report, marks = self.report, self.marks
        self.out.append('<nav class="sidebar" id="contents" aria-label="Contents">')
        self.out.append(f'<p class="brand">{_dotted(report.target)}: shapes</p>')
        self.out.append("<ul>")
        self.out.append(f'<li><a href="#{HOW_TO_READ_ANCHOR}">How to read the shapes</a></li>')
        for module_index, module in enumerate(report.modules):
            self.out.append(
                f'<li><a href="#{marks.modules[module_index]}">'
                f"<code>{_dotted(module.name)}</code></a>"
            )
            if module.functions:
                self.out.append("<ul>")
                for function_index, function in enumerate(module.functions):
                    anchor = marks.functions[module_index][function_index]
                    name = f"<code>{_dotted(function.qualname)}</code>"
                    self.out.append(f'<li><a href="#{anchor}">{name}</a></li>')
                self.out.append("</ul>")
            self.out.append("</li>")
        self.out.append(f'<li><a href="#{GLOSSARY_ANCHOR}">Glossary of dimensions</a></li>')
        if report.problems:
            count = len(report.problems)
            self.out.append(f'<li><a href="#{PROBLEMS_ANCHOR}">Problems ({count})</a></li>')
        self.out += ["</ul>", "</nav>"]

    def module(self, module: ModuleDoc, module_index: int) -> None:
        anchor = self.marks.modules[module_index]
        self.out.append(f'<section class="module" id="{anchor}">')
        self.out.append(
            f'<h2>{_code(module.name)}<a class="anchor" href="#{anchor}" '
            f'aria-label="Link to this module">#</a></h2>'
        )
        if module.summary.strip():
            self.out.append(f"<p>{_prose(module.summary.strip())}</p>")
        if not module.functions:
            self.out.append('<p class="muted"><em>No annotated functions.</em></p>')
        for function_index, function in enumerate(module.functions):
            self.function(function, self.marks.functions[module_index][function_index])
        self.out.append("</section>")

    def function(self, function: FunctionDoc, anchor: str) -> None:
        example = self.report.example
        at = f"at {_e(example.name)}" if example is not None else None
        self.out.append(f'<article class="function" id="{anchor}">')
        self.out.append(
            f'<h3>{_code(function.qualname)}<a class="anchor" href="#{anchor}" '
            f'aria-label="Link to this function">#</a></h3>'
        )
        self.out.append(f'<p class="where">Defined at {_code(function.location)}</p>')
        self.out.append(
            f'<pre class="signature"><code>{_e(function.signature.strip())}</code></pre>'
        )
        if function.summary.strip():
            self.out.append(f"<p>{_prose(function.summary.strip())}</p>")

        if function.rows:
            self.argument_table(function, at)
        if function.intermediates:
            self.intermediate_table(function, at)

        if function.relations:
            self.out.append("<h4>Relations</h4>")
            self.out.append("<ul>")
            self.out += [
                f"<li>{_prose(relation_text(relation))}</li>" for relation in function.relations
            ]
            self.out.append("</ul>")

        if function.flow is not None:
            self.out.append("<h4>Shape flow</h4>")
            self.out.append('<figure class="flow">')
            self.out.append(svg_element(function.flow))
            self.out.append(
                f"<figcaption>Shape flow of {_code(function.flow.title)}</figcaption></figure>"
            )

        if function.problems:
            self.out.append('<div class="warning" role="note">')
            self.out.append(f"<strong>Problems with {_code(function.qualname)}</strong>")
            self.out.append("<ul>")
            self.out += [f"<li>{_prose(card_problem(p))}</li>" for p in function.problems]
            self.out.append("</ul></div>")
        self.out.append("</article>")

    def argument_table(self, function: FunctionDoc, at: str | None) -> None:
        """The table of a function's arguments and returns, `at` naming the example column."""
        header = ["path", "dtype", "shape"] + ([at] if at else []) + ["description"]
        rows: list[tuple[str, list[tuple[str, str]]]] = []
        for row in function.rows:
            branch = (
                f' <span class="branch">({_e(row.branch)})</span>' if row.branch is not None else ""
            )
            cells = [
                ("", _code(str(row.path)) + branch),
                ("", _e(dtype_text(row.spec))),
                ("", self.shape(row.spec)),
            ]
            if at:
                cells.append(("concrete", _concrete(row.concrete)))
            cells.append(("", _prose(row.description)))
            rows.append(("return" if row.kind == "return" else "", cells))
        self.out.append("<h4>Arguments and returns</h4>")
        self.table(header, rows)

    def intermediate_table(self, function: FunctionDoc, at: str | None) -> None:
        """The table of a function's intermediates, `at` naming the example column."""
        header = ["line", "name", "dtype", "shape"] + ([at] if at else []) + ["expression"]
        rows: list[tuple[str, list[tuple[str, str]]]] = []
        for item in function.intermediates:
            cells = [
                ("num", str(item.line)),
                ("", _code(item.name)),
                ("", _e(dtype_text(item.spec))),
                ("", self.shape(item.spec)),
            ]
            if at:
                cells.append(("concrete", _concrete(item.concrete)))
            cells.append(("expr", _code(" ".join(item.expression.split()))))
            rows.append(("", cells))
        self.out.append("<h4>Intermediates</h4>")
        self.table(header, rows)

    def glossary(self) -> None:
        report, marks = self.report, self.marks
        self.out.append(f'<section id="{GLOSSARY_ANCHOR}">')
        self.out.append("<h2>Glossary of dimensions</h2>")
        if not report.glossary:
            self.out.append('<p class="muted"><em>No named dimensions.</em></p>')
            self.out.append("</section>")
            return
        self.out.append('<div class="table-wrap"><table>')
        self.out.append("<thead><tr><th>dim</th><th>description</th><th>used by</th></tr></thead>")
        self.out.append("<tbody>")
        for entry, anchor in zip(report.glossary, marks.glossary_rows, strict=True):
            if entry.description is not None and entry.description.strip():
                description = _prose(entry.description)
            else:
                description = f'<em class="muted">{UNDESCRIBED}</em>'
            users: list[str] = []
            for name in entry.used_by:
                target = marks.by_function_name.get(name)
                code = _code(short_function_name(report, name))
                users.append(
                    f'<a href="#{target}" title="{_e(name)}">{code}</a>' if target else code
                )
            self.out.append(
                f'<tr id="{anchor}"><td>{_code(entry.name)}</td>'
                f"<td>{description}</td><td>{', '.join(users)}</td></tr>"
            )
        self.out.append("</tbody></table></div>")
        self.out.append("</section>")


def render_html(report: Report) -> str:
    """The whole shape reference as one standalone HTML5 page, ending with a newline."""
    return _Page(report).render()
