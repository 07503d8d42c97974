"""The other half of the circular import of rb_circular_a."""

from rb_circular_a import A

B = A + 1
