"""An unannotated attention package, for `shapecheck annotate`'s tests: its
dims come from the registry in `glossary.py`, its calls from the exercise there."""
