"""The MkDocs plugin: shape references written into a site's own pages.

A page asks for them with one line each, at the start of the line:

- `::: shapes models.lstm`: every documented function of a module (of each
  module, under a heading, for a package);
- `::: shapes models.lstm:lstm`: one function, or the methods of one class;
- `::: shapes-glossary models`: the glossary of dim names.

Each line becomes the Markdown that `shapecheck docs` writes for the same
functions (`docs._markdown`): the argument and return table, the
intermediates, the relations and the shape flow, with its SVG written into the
site beside the page, in a folder named after the page's stem, as the CLI
does (`api.md` -> `api/<slug>.svg`). The `shapes` keyword keeps these lines
apart from other plugins' `::: identifier` blocks, which are left as they are.

One `Report` per top-level package is built per site build: a package's
registry (its glossary and example sizes) is found only when the whole package
is walked, and every page that names one of its modules reads the same report.

Example
```python
from shapecheck.mkdocs import Block, find_blocks

page = "# LSTM\\n\\n::: shapes models.lstm:lstm\\n\\n::: models.lstm\\n"
assert find_blocks(page) == [Block("shapes", "models.lstm:lstm", 3)]
```
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Literal

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from ._target import TargetError, Walk, load_modules
from .docs import build_report
from .docs._markdown import (
    Anchors,
    _backticks,
    _function,
    _glossary,
    _module,
    _prose,
    anchors,
    example_sentence,
)
from .docs._model import FunctionDoc, Report
from .docs._svg import render_svg

__all__ = [
    "Block",
    "BlockError",
    "BlockKind",
    "ShapecheckConfig",
    "ShapecheckPlugin",
    "find_blocks",
]

log = get_plugin_logger("shapecheck")

# "shapes": a module's functions; "shapes-glossary": a package's dim names.
BlockKind = Literal["shapes", "shapes-glossary"]

_BLOCK = re.compile(r":::[ \t]*(shapes-glossary|shapes)(?![^ \t])(.*)")
_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
_USAGE: dict[BlockKind, str] = {
    "shapes": "'::: shapes MODULE' or '::: shapes MODULE:OBJECT', as in "
    "'::: shapes models.lstm:lstm'",
    "shapes-glossary": "'::: shapes-glossary PACKAGE', as in '::: shapes-glossary models'",
}


@dataclass(frozen=True)
class Block:
    """One `::: shapes` or `::: shapes-glossary` line of a page."""

    kind: BlockKind
    target: str  # "models.lstm", "models.lstm:lstm"; a package for a glossary
    line: int  # 1-based, in the page's Markdown

    @property
    def module(self) -> str:
        return self.target.partition(":")[0]

    @property
    def attribute(self) -> str | None:
        """The function or class after `:`, None for a whole module."""
        return self.target.partition(":")[2] or None


class BlockError(ValueError):
    """A malformed block; `line` is where it is in the page."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def find_blocks(markdown: str, *, bare_shapes_is_other: bool = False) -> list[Block]:
    """The blocks of a page, in order; lines inside fenced code are not read.

    A bare `::: shapes` line is also how another plugin would document a
    module named `shapes`: with `bare_shapes_is_other` it is left to it, and
    otherwise it is malformed. Raises `BlockError` for a malformed block.
    """
    found: list[Block] = []
    fence: str | None = None
    for number, line in enumerate(markdown.split("\n"), start=1):
        opening = _FENCE.match(line)
        if fence is not None:
            marker = opening.group(1) if opening else ""
            closes = marker[:1] == fence[0] and len(marker) >= len(fence)
            if opening and closes and not line[opening.end() :].strip():
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        match = _BLOCK.fullmatch(line)
        if match is None:
            continue
        kind: BlockKind = "shapes" if match.group(1) == "shapes" else "shapes-glossary"
        words = match.group(2).split()
        if not words and kind == "shapes" and bare_shapes_is_other:
            continue
        if len(words) != 1 or not _is_target(words[0], kind):
            raise BlockError(number, f"{line.strip()!r} must be {_USAGE[kind]}")
        found.append(Block(kind, words[0], number))
    return found


def _is_target(text: str, kind: BlockKind) -> bool:
    """A dotted module name, with `:object` (dotted too) only for `shapes`."""
    module, colon, attribute = text.partition(":")
    parts = module.split(".") + (attribute.split(".") if colon else [])
    if colon and kind != "shapes":
        return False
    return all(part.isidentifier() for part in parts)


# MkDocs leaves `__init_subclass__` of both base classes unannotated.
class ShapecheckConfig(Config):  # type: ignore[no-untyped-call]
    """The plugin's options in `mkdocs.yml`."""

    # The registered example sizes the tables show (default: the package's first).
    example = config_options.Optional(config_options.Type(str))
    # True: each flow is an SVG image as well as a Mermaid block; False: Mermaid only.
    svg = config_options.Type(bool, default=True)


@dataclass(frozen=True)
class _Selected:
    """What a `shapes` block shows: functions of one report, by index."""

    block: Block
    report: Report
    package: bool  # the block names a package: each module gets its heading
    functions: tuple[tuple[int, int], ...]  # (module, function) in report.modules


class ShapecheckPlugin(BasePlugin[ShapecheckConfig]):  # type: ignore[no-untyped-call]
    """Renders `::: shapes` and `::: shapes-glossary` blocks in `on_page_markdown`."""

    def __init__(self) -> None:
        super().__init__()
        self._reports: dict[str, Report] = {}  # top-level package -> its report, this build
        self._svgs: set[str] = set()  # the SVG files added this build, by src_uri

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self._reports.clear()
        self._svgs.clear()

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        where = page.file.src_uri
        try:
            blocks = find_blocks(markdown, bare_shapes_is_other="mkdocstrings" in config.plugins)
        except BlockError as error:
            raise PluginError(f"shapecheck: {where}:{error.line}: {error.message}") from None
        if not blocks:
            return markdown
        selected = {b.line: self._select(b, where) for b in blocks if b.kind == "shapes"}
        on_page: dict[str, set[str]] = {}  # report target -> function anchors shown here
        marks: dict[str, Anchors] = {}
        for chosen in selected.values():
            report = chosen.report
            marks.setdefault(report.target, anchors(report))
            shown = on_page.setdefault(report.target, set())
            shown.update(marks[report.target].functions[m][f] for m, f in chosen.functions)

        svg_dir = posixpath.splitext(posixpath.basename(where))[0] if self.config.svg else None
        by_line = {block.line: block for block in blocks}
        explained: set[str] = set()  # reports whose example sizes are said already
        out: list[str] = []
        for number, line in enumerate(markdown.split("\n"), start=1):
            block = by_line.get(number)
            if block is None:
                out.append(line)
            elif block.kind == "shapes":
                chosen = selected[number]
                report = chosen.report
                mark = marks[report.target]
                out += ["", *self._shapes(chosen, mark, svg_dir, report.target not in explained)]
                explained.add(report.target)
                self._add_svgs(chosen, where, svg_dir, config, files)
            else:
                _import(block, where)
                report = self._report(block, where)
                mark = marks.setdefault(report.target, anchors(report))
                out += ["", *_glossary_of(block, report, mark, on_page.get(report.target, set()))]
        return "\n".join(out)

    # ------------------------------------------------------------ the data

    def _select(self, block: Block, where: str) -> _Selected:
        """The functions a `shapes` block names; its module must import."""
        modules = _import(block, where)
        report = self._report(block, where)
        package = block.attribute is None and hasattr(modules[0], "__path__")
        picked: list[tuple[int, int]] = []
        for module_index, module in enumerate(report.modules):
            inside = package and module.name.startswith(block.module + ".")
            if module.name != block.module and not inside:
                continue
            for function_index, function in enumerate(module.functions):
                if _names(function, block.attribute):
                    picked.append((module_index, function_index))
        if not picked:
            log.warning(f"{where}:{block.line}: {block.target} has no annotated functions")
        for module_index, function_index in picked:
            for problem in report.modules[module_index].functions[function_index].problems:
                log.warning(f"{where}: {problem}")
        return _Selected(block, report, package, tuple(picked))

    def _report(self, block: Block, where: str) -> Report:
        """The report of the block's top-level package, built once per site build.

        A submodule that fails to import is left out of it (`Walk`): only the
        modules a block names must import, and `_import` checks those.
        """
        top = block.module.split(".")[0]
        if top not in self._reports:
            try:
                report = build_report(top, self.config.example, walk=Walk(strict_imports=False))
            except KeyError as error:  # an unknown `example`
                message = f"shapecheck: {where}:{block.line}: example: {error.args[0]}"
                raise PluginError(message) from None
            except TargetError as error:
                raise PluginError(f"shapecheck: {where}:{block.line}: {error}") from None
            except Exception as error:  # noqa: BLE001  (one line, whatever the package raised)
                reason = _one_line(error)
                raise PluginError(
                    f"shapecheck: {where}:{block.line}: documenting {top!r} failed: {reason}"
                ) from None
            self._reports[top] = report
        return self._reports[top]

    # ------------------------------------------------------------ the text

    def _shapes(
        self, chosen: _Selected, marks: Anchors, svg_dir: str | None, explain: bool
    ) -> list[str]:
        """A `shapes` block's Markdown: `_function`'s sections, or `_module`'s for a package."""
        report = chosen.report
        out: list[str] = []
        if explain and report.example is not None:
            out += [_prose(example_sentence(report.example)), ""]
        if not chosen.functions:
            return out + [f"*No annotated functions in {_backticks(chosen.block.target)}.*", ""]
        if chosen.package:
            for module_index in sorted({m for m, _ in chosen.functions}):
                module = report.modules[module_index]
                out += _module(report, module, marks, module_index, svg_dir)
            return out
        for module_index, function_index in chosen.functions:
            function = report.modules[module_index].functions[function_index]
            anchor = marks.functions[module_index][function_index]
            out += _function(report, function, anchor, svg_dir)
        return out

    def _add_svgs(
        self,
        chosen: _Selected,
        where: str,
        svg_dir: str | None,
        config: MkDocsConfig,
        files: Files,
    ) -> None:
        """The flows' SVGs as site files beside the page, where its image links point.

        Added to `files` now, before the page is rendered, so that the links
        resolve; a file already there under that name (an older diagram) is
        replaced by the fresh one.
        """
        if svg_dir is None:
            return
        folder = posixpath.join(posixpath.dirname(where), svg_dir)
        for module_index, function_index in chosen.functions:
            flow = chosen.report.modules[module_index].functions[function_index].flow
            if flow is None:
                continue
            src_uri = posixpath.join(folder, f"{flow.slug}.svg")
            if src_uri in self._svgs:
                continue
            existing = files.get_file_from_path(src_uri)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, src_uri, content=render_svg(flow)))
            self._svgs.add(src_uri)


def _import(block: Block, where: str) -> list[ModuleType]:
    """The block's modules, imported; one that does not import is a `PluginError`."""
    try:
        modules, _ = load_modules(block.target)
    except TargetError as error:
        raise PluginError(f"shapecheck: {where}:{block.line}: {error}") from None
    return modules


def _names(function: FunctionDoc, attribute: str | None) -> bool:
    """Whether `module:attribute` names the function: itself, or its class."""
    if attribute is None:
        return True
    return function.qualname == attribute or function.qualname.startswith(attribute + ".")


def _glossary_of(block: Block, report: Report, marks: Anchors, on_page: set[str]) -> list[str]:
    """The glossary section of a `shapes-glossary` block.

    A subpackage's glossary keeps the dims its own functions use. A function
    is linked only where its section is on the same page.
    """
    glossary = report.glossary
    if block.target != report.target:
        prefix = block.target + "."
        glossary = tuple(e for e in glossary if any(n.startswith(prefix) for n in e.used_by))
    links = {name: anchor for name, anchor in marks.by_function_name.items() if anchor in on_page}
    return _glossary(replace(report, glossary=glossary), replace(marks, by_function_name=links))


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
