"""`shapecheck annotate`: jaxtyping annotations written from example runs.

See `_annotate` for the pipeline; `summary` is the report the CLI prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._runs import ExamplesError

if TYPE_CHECKING:
    from ._annotate import AnnotateResult, FileChange, annotate

__all__ = ["AnnotateResult", "ExamplesError", "FileChange", "annotate", "summary"]


def __getattr__(name: str) -> Any:
    """The pipeline, loaded on first use: it needs libcst, which `_infer` and
    `_runs` (also used by `shapecheck summary`) do not."""
    if name in ("AnnotateResult", "FileChange", "annotate"):
        from . import _annotate

        return getattr(_annotate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
