"""Shape documentation generated from the annotations: `render(target)`.

collect (`_collect`: specs, locals, meta-device runs, the docstrings read by
`_docstring`) -> `Report` (`_model`: parsed leaves, sizes as numbers, located
problems) -> render (`_markdown`, `_html`, `_svg`, all making their text with
`_text`).

Example
```python
import shapecheck.docs

page = shapecheck.docs.render("models.lstm", svg_dir=None)
assert "steps*batch vocab" in page.text and "1120 × 28" in page.text
```
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .._registry import Registry
from .._target import Walk
from ._collect import build_report
from ._html import render_html
from ._markdown import render_markdown
from ._model import DocsProblem, Report, problems_of
from ._svg import render_svg

__all__ = ["FORMATS", "Rendered", "build_report", "render"]

FORMATS = ("markdown", "html")


@dataclass(frozen=True)
class Rendered:
    """A rendered page, the files that go beside it, and the problems found."""

    text: str
    files: dict[str, str]  # path relative to the page's folder -> content (the SVGs)
    problems: tuple[DocsProblem, ...]  # each prints as `file:line: function: detail`
    report: Report


def render(
    target: str,
    *,
    format: str = "markdown",  # noqa: A002  (the CLI's --format)
    example: str | None = None,
    svg_dir: str | None = "shapes",
    walk: Walk | None = None,
    registry: Registry | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Rendered:
    """The shape reference of `target` (a module, a package, a file, or `module:object`).

    `example` picks one of the package's registered example sizes (default:
    the first). For Markdown, `svg_dir` is where the flow diagrams go,
    relative to the page; None leaves them out (the Mermaid blocks remain).
    `walk`, `registry` and `progress` are `build_report`'s.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    report = build_report(target, example, walk=walk, registry=registry, progress=progress)
    files: dict[str, str] = {}
    if format == "html":
        text = render_html(report)
    else:
        text = render_markdown(report, svg_dir)
        if svg_dir is not None:
            for module in report.modules:
                for function in module.functions:
                    if function.flow is not None:
                        files[f"{svg_dir}/{function.flow.slug}.svg"] = render_svg(function.flow)
    return Rendered(text, files, problems_of(report), report)
