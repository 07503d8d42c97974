"""Shape tables, flow diagrams and the glossary of dims in Sphinx docs.

Add `"shapecheck.sphinx"` to `extensions` in `conf.py` (it sets up
`sphinx.ext.autodoc` too). Then every function and method that autodoc
documents gets, after its docstring, what `shapecheck docs` shows for it:
the argument and return table, the intermediates, the relations between
dims and the flow diagram (inline SVG, in HTML output only). The directive
`.. shapecheck-glossary:: PACKAGE` renders the package's glossary of dims.

The data is `shapecheck.docs.build_report` of the function's top-level
package, made once per build (and per process of a parallel build). A
package whose report cannot be made (an unknown example) is one warning.
Options in `conf.py`:

- `shapecheck_example`: the registered example sizes to observe, one name
  for every package or a dict of names by package (default: each package's
  first);
- `shapecheck_warn`: report each documented function's problems (malformed
  annotations, failed example runs) as warnings at its `def` line (default
  False: they are shown on the page, and a `-W` build still passes)."""

from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import __version__
from ._target import TargetError, Walk
from .docs import build_report
from .docs._model import FunctionDoc, Report
from .docs._rst import function_lines, glossary_lines

__all__ = ["GlossaryDirective", "add_shapes", "setup"]

logger = logging.getLogger(__name__)

# Marks the references the glossary makes to the functions that use a dim:
# one to a function the docs leave out is plain text, not a warning.
_GLOSSARY_REFERENCE = "shapecheck_glossary"


@dataclass
class _Reports:
    """The reports of one build, each made once: by target, the report or why
    it could not be made (one line)."""

    made: dict[str, Report | str] = field(default_factory=dict)
    warned: set[str] = field(default_factory=set)

    def get(self, target: str, config: Config) -> Report | str:
        if target not in self.made:
            self.made[target] = _build(target, _example(config, target))
        return self.made[target]

    def warn_once(self, message: str, location: str | None, subtype: str) -> None:
        key = f"{location}: {message}"
        if key not in self.warned:
            self.warned.add(key)
            logger.warning(message, location=location, type="shapecheck", subtype=subtype)


# Per build environment, so that a second build in the same process starts
# afresh; parallel readers each hold their own copy.
_BUILDS: WeakKeyDictionary[BuildEnvironment, _Reports] = WeakKeyDictionary()


def _reports(env: BuildEnvironment) -> _Reports:
    return _BUILDS.setdefault(env, _Reports())


def _example(config: Config, target: str) -> str | None:
    """The example sizes `shapecheck_example` picks for `target`: one name for
    every package, or a name per package (None: the package's first)."""
    chosen = config.shapecheck_example
    if isinstance(chosen, dict):
        named = chosen.get(target, chosen.get(target.split(".")[0]))
        return named if isinstance(named, str) else None
    return chosen if isinstance(chosen, str) else None


def _build(target: str, example: str | None) -> Report | str:
    """The report of `target`; where it cannot be made, why, as one line.

    A submodule that fails to import is left out rather than failing the
    whole package: autodoc reports the modules it was asked for itself.
    """
    try:
        return build_report(target, example, walk=Walk(strict_imports=False))
    except TargetError as error:
        return str(error)
    except Exception as error:  # noqa: BLE001  (the package is the user's code)
        return f"cannot document {target!r}: {_one_line(error)}"


def _one_line(error: Exception) -> str:
    """An error as one line; a KeyError by its message, not its key's repr."""
    if isinstance(error, KeyError) and error.args:
        return " ".join(str(error.args[0]).split())
    detail = " ".join(str(error).split())
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__


def _find(report: Report, module: str, qualname: str) -> FunctionDoc | None:
    for module_doc in report.modules:
        if module_doc.name == module:
            for function in module_doc.functions:
                if function.qualname == qualname:
                    return function
    return None


def _source(function: Any) -> str | None:
    try:
        return inspect.getsourcefile(function)
    except TypeError:
        return None


def add_shapes(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """autodoc's `autodoc-process-docstring`: append the shape tables of a
    function or method that the report of its package documents.

    A function documented under another package than the one that defines it
    (an imported member) is left alone: its package may be anyone's.
    """
    if what not in ("function", "method", "decorator"):
        return
    function = inspect.unwrap(getattr(obj, "__func__", obj))
    module = getattr(function, "__module__", None)
    qualname = getattr(function, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        return
    package = module.split(".")[0]
    if name.split(".")[0] != package:
        return
    reports = _reports(app.env)
    report = reports.get(package, app.config)
    if isinstance(report, str):
        reports.warn_once(report, None, "report")
        return
    doc = _find(report, module, qualname.replace("<locals>.", ""))
    if doc is None:
        return
    if app.config.shapecheck_warn:
        source = _source(function)
        for problem in doc.problems:
            location = f"{source or problem.file}:{problem.line}"
            reports.warn_once(problem.message, location, "problem")
    added = function_lines(doc, report.example)
    if added:
        if lines and lines[-1].strip():
            lines.append("")
        lines.extend(added)


class GlossaryDirective(SphinxDirective):
    """`.. shapecheck-glossary:: PACKAGE`: the package's dims, what each
    means, and the functions that use it."""

    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = False
    has_content = False

    def run(self) -> list[nodes.Node]:
        package = self.arguments[0]
        report = _reports(self.env).get(package, self.config)
        if isinstance(report, str):
            logger.warning(
                f"shapecheck-glossary: {report}",
                location=self.get_location(),
                type="shapecheck",
                subtype="glossary",
            )
            return []
        for module in report.modules:
            file = getattr(sys.modules.get(module.name), "__file__", None)
            if file:
                self.env.note_dependency(file)
        container = nodes.container(classes=["shapecheck-glossary"])
        source, _ = self.get_source_info()
        content = StringList(glossary_lines(report), source=source)
        self.state.nested_parse(content, self.content_offset, container)
        for reference in container.findall(addnodes.pending_xref):
            reference[_GLOSSARY_REFERENCE] = True
        return [container]


def _quiet_glossary_reference(app: Sphinx, domain: Domain, node: addnodes.pending_xref) -> bool:
    """A glossary's reference to a function the docs leave out is no warning."""
    return bool(node.get(_GLOSSARY_REFERENCE))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the docstring hook, the glossary directive and the options."""
    app.setup_extension("sphinx.ext.autodoc")
    app.add_config_value("shapecheck_example", None, "env", types=(str, dict, type(None)))
    app.add_config_value("shapecheck_warn", False, "env", types=(bool,))
    app.add_directive("shapecheck-glossary", GlossaryDirective)
    app.connect("autodoc-process-docstring", add_shapes)
    app.connect("warn-missing-reference", _quiet_glossary_reference)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
