"""Which dim a size's name speaks of: `batch_size` is `batch`, `num_hiddens` is
`hiddens`, `vocab_size` is `vocab`, `num_steps` is `steps`.

A name is read as a dim only among the dims a caller offers (those of the
function's own annotations, or a package's glossary), and only when exactly
one of them fits: a name that fits none, or two, names no dim.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["dim_of_size_name", "stems"]

_PREFIXES = ("number_of_", "num_", "n_")
_SUFFIXES = ("_size", "_sizes", "_dim", "_dims", "_len", "_length", "_count", "_num")


def stems(name: str) -> list[str]:
    """The readings of a size's name, most literal first: `num_hiddens` ->
    `num_hiddens`, `hiddens`, `hidden`; `batch_size` -> `batch_size`, `batch`,
    `batches`."""
    lowered = name.lower().strip("_")
    cores = [lowered]
    for prefix in _PREFIXES:
        if lowered.startswith(prefix) and len(lowered) > len(prefix):
            cores.append(lowered.removeprefix(prefix))
    for core in list(cores):
        for suffix in _SUFFIXES:
            if core.endswith(suffix) and len(core) > len(suffix):
                cores.append(core.removesuffix(suffix))
    readings: list[str] = []
    for core in cores:
        forms = [core, core[:-1] if core.endswith("s") else core + "s"]
        readings += [form for form in forms if form and form not in readings]
    return readings


def dim_of_size_name(name: str, dims: Iterable[str]) -> str | None:
    """The one dim of `dims` that `name` reads as; None for none or several."""
    offered = set(dims)
    if name in offered:
        return name
    fits = {reading for reading in stems(name) if reading in offered}
    return fits.pop() if len(fits) == 1 else None
