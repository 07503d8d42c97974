"""A package with a glossary: the linter's tests plant problems in its modules."""
