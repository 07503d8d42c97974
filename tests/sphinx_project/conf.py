"""A tiny Sphinx project for tests/test_sphinx.py: `models.lstm` and the glossary of `models`.

The build runs with the repository's top folder on `PYTHONPATH`, so that
`models` imports from the source tree.
"""

project = "shapecheck sphinx test"
extensions = ["sphinx.ext.autodoc", "shapecheck.sphinx"]
exclude_patterns = ["_build"]
