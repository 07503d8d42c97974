"""A package that imports, with a subpackage that exits."""
