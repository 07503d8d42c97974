"""Static shape checking: the shape model, torch ops, and the mypy plugin."""
