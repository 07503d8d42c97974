"""The two error classes: a value that breaks its annotation, and a malformed annotation.

A `ShapeError` message is built from fixed sections, always in this order:

1. what was called, and which argument or return path failed;
2. expected and actual, aligned one under the other;
3. the reason: which dimension conflicted, where it was bound and to what;
4. a hint, when the actual shape is a permutation of one that would match.
"""

from __future__ import annotations

__all__ = ["EXIT_OK", "EXIT_USAGE", "EXIT_VIOLATION", "AnnotationError", "ShapeError"]

# The command line's exit statuses: a violation is 1, a usage error 2.
EXIT_OK, EXIT_VIOLATION, EXIT_USAGE = 0, 1, 2


class AnnotationError(ValueError):
    """An annotation that is itself malformed, for example `Float[Tensor, "**batch"]`.

    Raised when the annotation is parsed: at decoration time for a checked
    function, or by `shapecheck lint` for source that is never run.
    """

    __module__ = "shapecheck"


class ShapeError(TypeError):
    """A value that does not match its shape or dtype annotation.

    Every field is also available on its own, so that tools can act on the
    error without parsing its text.
    """

    __module__ = "shapecheck"

    function: str
    path: str
    expected: str
    actual: str
    reason: str
    dim: str | None
    bound_value: int | None
    bound_at: str | None
    actual_value: int | None
    permutation: tuple[int, ...] | None
    location: str | None

    def __init__(
        self,
        message: str | None = None,
        /,
        *,
        function: str = "",
        path: str = "",
        expected: str = "",
        actual: str = "",
        reason: str = "",
        dim: str | None = None,
        bound_value: int | None = None,
        bound_at: str | None = None,
        actual_value: int | None = None,
        permutation: tuple[int, ...] | None = None,
        location: str | None = None,
    ) -> None:
        self.function = function
        self.path = path
        self.expected = expected
        self.actual = actual
        self.reason = reason
        self.dim = dim
        self.bound_value = bound_value
        self.bound_at = bound_at
        self.actual_value = actual_value
        self.permutation = permutation
        self.location = location
        # A bare message: how code that only knows the text (a DataLoader
        # re-raising a worker's error) rebuilds the error, keeping its type.
        super().__init__(message if message is not None else self._format())

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only constructors do not survive the default pickling, which
        # matters for errors raised in DataLoader workers and other processes.
        return (_rebuild_shape_error, (self.__dict__.copy(),))

    def _format(self) -> str:
        where = f" ({self.location})" if self.location else ""
        lines = [
            f"{self.function}: {self.path} does not match its annotation{where}",
            f"  expected: {self.expected}",
            f"  actual:   {self.actual}",
            f"  reason:   {self.reason}",
        ]
        if self.permutation is not None:
            lines.append(f"  hint:     {_permutation_hint(self.path, self.permutation)}")
        return "\n".join(lines)


def _permutation_hint(path: str, order: tuple[int, ...]) -> str:
    call = f"{path}.permute({', '.join(str(i) for i in order)})"
    moved = [axis for axis, source in enumerate(order) if axis != source]
    if len(moved) == 2:
        return (
            f"a transposition of {path} would match: {call} "
            f"(axes {moved[0]} and {moved[1]} swapped)"
        )
    return f"a permutation of {path}'s axes would match: {call}"


def _rebuild_shape_error(fields: dict[str, object]) -> ShapeError:
    error = ShapeError.__new__(ShapeError)
    error.__dict__.update(fields)
    TypeError.__init__(error, error._format())
    return error
