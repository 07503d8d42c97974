"""Half of a circular import: needs `B` from rb_circular_b, which needs `A` from here."""

from rb_circular_b import B

A = B + 1
