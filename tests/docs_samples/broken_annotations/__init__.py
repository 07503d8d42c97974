"""A package with one malformed annotation beside a good one."""
