"""Static shape checking: the shape model, torch ops, and the mypy plugin.

`shapecheck static` (`_check`, `_bodies`, `_ops`, `_shape`) follows shapes
through function bodies; each module says what it does.

The mypy plugin (`plugins = shapecheck.mypy`, docs/static.md) is:

- `_carry`: where a dim string lives on a mypy type (`Instance.extra_attrs`);
- `_aliases`: the dim strings of type aliases, read before mypy strips them;
- `_unify`: one call's leaves -> bindings and the first mismatch (no mypy);
- `_calls`: a hook's call -> the callee's signature and the leaves to unify;
- `_plugin`: the mypy `Plugin` and its hooks.

Importing this package imports nothing; the plugin's modules import mypy (a
dev dependency), and only mypy loading the plugin imports them.
"""
