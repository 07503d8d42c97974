"""Whether the committed docs are fresh: the page and its diagrams against what would be written.

`shapecheck docs TARGET -o PAGE --check` and the `docs` step of `shapecheck ci`
both ask this. The diagrams of a Markdown page live in a folder named after the
page's stem, beside it (`docs/shapes.md` -> `docs/shapes/*.svg`).
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

from .._registry import Registry
from .._target import Walk
from . import render
from ._model import DocsProblem, problems_of

__all__ = ["DifferenceKind", "Difference", "DocsCheck", "check_docs", "docs_differences"]

# "missing": the page does not exist; "differs": a file is not what would be
# generated; "stale": a diagram that would no longer be generated.
DifferenceKind = Literal["missing", "differs", "stale"]


class Difference(NamedTuple):
    """One file of the docs that is not what would be generated.

    `text` is what to show: a unified diff for "differs", one line otherwise.
    """

    path: Path
    kind: DifferenceKind
    text: str


@dataclass(frozen=True)
class DocsCheck:
    """The committed docs against the generated ones.

    `located_problems` are what the generator itself reported, each at its
    file and line; `files` how many files were compared (the page and its
    diagrams); `regenerate` the command that brings the docs up to date.
    """

    page: Path
    differences: tuple[Difference, ...]
    located_problems: tuple[DocsProblem, ...]
    files: int
    regenerate: str

    @property
    def problems(self) -> tuple[str, ...]:
        """The problems as `shapecheck docs` prints them, one line each."""
        return tuple(str(problem) for problem in self.located_problems)


def check_docs(
    target: str,
    page: Path,
    *,
    format: str = "markdown",  # noqa: A002  (the CLI's --format)
    example: str | None = None,
    walk: Walk | None = None,
    registry: Registry | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> DocsCheck:
    """Compare the docs of `target` with the committed `page` and its diagrams.

    Raises TargetError for a target that does not import and KeyError for an
    unknown `example`; `walk`, `registry` and `progress` are `render`'s.
    """
    svg_dir = page.stem if format == "markdown" else None
    rendered = render(
        target,
        format=format,
        example=example,
        svg_dir=svg_dir,
        walk=walk,
        registry=registry,
        progress=progress,
    )
    regenerate = _regenerate(target, page, format, example)
    wanted = {page: rendered.text} | {
        page.parent / name: text for name, text in rendered.files.items()
    }
    if not page.exists():
        missing = Difference(page, "missing", f"{page} does not exist; run {regenerate}")
        differences: tuple[Difference, ...] = (missing,)
    else:
        svg_folder = page.parent / svg_dir if svg_dir is not None else None
        differences = _differences(wanted, svg_folder)
    problems = problems_of(rendered.report)
    return DocsCheck(page, differences, problems, len(wanted), regenerate)


def docs_differences(
    target: str,
    page: Path,
    *,
    format: str = "markdown",  # noqa: A002  (the CLI's --format)
    example: str | None = None,
) -> list[str]:
    """Human-readable differences between the committed docs and the generated ones.

    One item per file: its unified diff (no trailing newline), a
    "stale file" line, or a line saying that the page does not exist and how
    to write it. Empty when the docs are up to date.
    """
    check = check_docs(target, page, format=format, example=example)
    return [difference.text for difference in check.differences]


def _regenerate(target: str, page: Path, page_format: str, example: str | None) -> str:
    """The `shapecheck docs` command that writes these docs."""
    command = ["shapecheck", "docs", target, "-o", str(page)]
    if page_format != "markdown":
        command += ["--format", page_format]
    if example is not None:
        command += ["--example", example]
    return shlex.join(command)


def _differences(wanted: dict[Path, str], svg_folder: Path | None) -> tuple[Difference, ...]:
    """Each wanted file that differs from the one on disk, then the diagrams no longer wanted."""
    differences: list[Difference] = []
    for path, text in wanted.items():
        committed = path.read_text(encoding="utf-8") if path.exists() else ""
        if committed != text:
            differences.append(Difference(path, "differs", _diff(path, committed, text)))
    if svg_folder is not None and svg_folder.is_dir():
        for path in sorted(svg_folder.glob("*.svg")):
            if path not in wanted:
                message = f"{path}: stale file, no longer generated"
                differences.append(Difference(path, "stale", message))
    return tuple(differences)


def _diff(path: Path, committed: str, generated: str) -> str:
    lines = []
    for line in difflib.unified_diff(
        committed.splitlines(keepends=True),
        generated.splitlines(keepends=True),
        fromfile=f"{path} (committed)",
        tofile=f"{path} (generated)",
    ):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        lines.append(line)
    return "".join(lines).rstrip("\n")
