"""A module that refuses to be imported."""

raise RuntimeError("rb_import_raises refuses to load")
