"""`shapecheck annotate`: jaxtyping annotations written from example runs.

See `_annotate` for the pipeline; `summary` is the report the CLI prints.
"""

from __future__ import annotations

from ._annotate import AnnotateResult, FileChange, annotate
from ._runs import ExamplesError

__all__ = ["AnnotateResult", "ExamplesError", "FileChange", "annotate", "summary"]


def _percent(functions: int, covered: int) -> str:
    share = 100.0 if functions == 0 else round(100.0 * covered / functions, 1)
    return f"{covered} of {functions} ({share}%)"


def summary(result: AnnotateResult, *, written: bool) -> str:
    """The report: what was written, kept and refused, and lint's coverage."""
    rows = [
        ("functions and methods", str(result.functions)),
        ("functions given annotations", str(result.annotated)),
        ("annotations " + ("written" if written else "to write"), str(len(result.written))),
        ("annotations kept (already there)", str(len(result.kept))),
        ("places refused", str(len(result.refused))),
        ("lint coverage before", _percent(*result.coverage_before)),
        ("lint coverage after", _percent(*result.coverage_after)),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}" for label, value in rows]
    if result.dims:
        sized = ", ".join(
            f"{dim}={'/'.join(map(str, sizes))}" for dim, sizes in result.dims.items()
        )
        lines.append(f"sizes of the three runs: {sized}")
    if result.refused:
        lines.append("refused:")
        lines += [f"  {owner}: {place}: {why}" for owner, place, why in result.refused]
    if result.failed:
        lines.append("exercises that raised (their calls are not used):")
        lines += [f"  {failure}" for failure in result.failed]
    if not written and result.changes:
        files = len(result.changes)
        lines.append(
            f"nothing written: --write changes {files} file{'s' * (files != 1)}, --diff shows how"
        )
    return "\n".join(lines)
