"""Source -> findings: the shape annotations of a target, checked without running it.

`lint(target)` reads the target's source with `ast`; it never imports or
executes it. Each finding is `file:line: CODE message`:

- SC001 syntax error: the file cannot be parsed; nothing else is checked in it.
- SC002 bad suppression: a `# shapecheck: ignore[...]` comment naming an
  unknown code, or none.
- SC101 malformed dim string.
- SC201 coverage gap: a module-level function or a method has a bare `Tensor`
  in a parameter or return annotation.
- SC301 unbound dim: a dim of a return annotation or annotated local that no
  argument binds.
- SC303 variadic used as a single dim: a name written `*batch` in one
  annotation of a function and `batch` (or in an expression) in another.
- SC401 not in glossary; SC402 used once.

One module per step, each reading the one before:

- `_files`: target -> its `.py` files and their module names.
- `_index`: files -> parsed modules, their imports, aliases and classes (SC001).
- `_annotations`: one annotation -> its tensors and `Size` bindings.
- `_sites`: a module -> where dim names are written, and its glossary.
- `_functions`: a function -> what its signature binds, its bare tensors.
- `_coverage`: the functions with tensors, covered or not (SC201).
- `_rules`: SC101, SC301, SC303, SC401 and SC402, with their messages.
- `_suppress`: inline `# shapecheck: ignore[...]` comments (SC002), and the
  `ignore` and `per_file_ignores` arguments of `lint`.
- `_linter`: `lint`, every rule over every module and function, then the
  suppressions.
- `_codes`: `CODES`, every code and what it reports.
- `_result`: `Finding` and `LintResult`.

Findings are silenced by a `# shapecheck: ignore[SC301]` comment at the end
of their line (several codes comma-separated; no `[...]`: every code), or on
the header of the function they are in (a decorator, the `def` line, a line
of the signature), and by `lint(target, ignore=[...], per_file_ignores={glob:
[...]})`. `LintResult.suppressed` counts them.
"""

from __future__ import annotations

from ._codes import CODES as CODES
from ._linter import lint as lint
from ._result import Finding as Finding
from ._result import LintResult as LintResult

__all__ = ["CODES", "Finding", "LintResult", "lint"]
