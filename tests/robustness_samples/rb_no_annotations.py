"""Plain functions: no tensor in any annotation."""


def add(a: int, b: int) -> int:
    """The sum of two ints."""
    return a + b


def greet(name):
    return f"hello {name}"
