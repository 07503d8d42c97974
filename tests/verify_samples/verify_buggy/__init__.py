"""A small package with planted shape bugs, for `shapecheck verify`."""
