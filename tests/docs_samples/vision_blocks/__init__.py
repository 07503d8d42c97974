"""Small vision building blocks, annotated with plain jaxtyping.

A stand-in for an outside project: it never imports shapecheck and registers
no dims or example sizes, so its shape reference has no concrete sizes.
"""
