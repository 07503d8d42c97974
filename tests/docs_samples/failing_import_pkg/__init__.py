"""A package that cannot be imported: its set-up fails."""

raise RuntimeError("failing_import_pkg refuses to load")
