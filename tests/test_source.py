"""Where definitions are written: first lines and `def` nodes, one parse per module."""

import ast
import importlib.util
import inspect
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from shapecheck import _source
from shapecheck._source import first_line, function_node, source_file

SOURCE = """\
def plain(x):
    return x


def keep(fn):
    return fn


@keep
@keep
def decorated(x):
    return x


class Outer:
    class Inner:
        def method(self):
            return 1

    @property
    def value(self):
        return 2


def factory():
    class Local:
        def method(self):
            return 3

    return Local


def twin(x):
    return 1


def twin(x):  # a second def of the name: the one the module keeps
    return 2
"""


def _line(text: str, nth: int = 0) -> int:
    """The line number of the `nth` line of SOURCE that is `text`, stripped."""
    found = [n for n, line in enumerate(SOURCE.splitlines(), 1) if line.strip() == text]
    return found[nth]


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    path = tmp_path / "written.py"
    path.write_text(SOURCE)
    spec = importlib.util.spec_from_file_location("written", path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "written", loaded)  # where inspect finds a class's file
    spec.loader.exec_module(loaded)
    return loaded


def test_first_line__agrees_with_inspect(module: ModuleType) -> None:
    local = module.factory()
    objects = [
        module.plain,
        module.decorated,
        module.Outer,
        module.Outer.Inner,
        module.Outer.Inner.method,
        module.Outer.value.fget,
        local,
        local.method,
        module.twin,
    ]
    for obj in objects:
        assert first_line(obj) == inspect.getsourcelines(obj)[1], obj


def test_function_node__is_the_def_with_the_file_lines(module: ModuleType) -> None:
    node, offset = function_node(module.Outer.Inner.method)
    assert isinstance(node, ast.FunctionDef) and node.name == "method"
    assert node.lineno + offset == _line("def method(self):")
    assert ast.unparse(node.body[0]) == "return 1"
    node, offset = function_node(module.decorated)
    assert node.lineno + offset == _line("def decorated(x):")  # the def, not its decorators
    node, offset = function_node(module.twin)
    assert node.lineno + offset == _line(
        "def twin(x):  # a second def of the name: the one the module keeps"
    )
    assert ast.unparse(node.body[0]) == "return 2"


def test_function_node__is_a_fresh_tree_each_time(module: ModuleType) -> None:
    node, _ = function_node(module.plain)
    node.name = "changed"
    node.body = []
    again, _ = function_node(module.plain)
    assert again.name == "plain" and ast.unparse(again.body[0]) == "return x"


def test_function_node__without_source_raises_os_error(module: ModuleType) -> None:
    namespace: dict[str, object] = {}
    exec("def made(x):\n    return x\n", namespace)  # noqa: S102
    with pytest.raises(OSError, match="no source"):
        function_node(namespace["made"])
    with pytest.raises(OSError, match="does not match"):
        function_node(lambda x: x)
    assert first_line(len) == 0 and source_file(len) is None


def test_function_node__sees_the_file_as_it_is_now(tmp_path: Path, module: ModuleType) -> None:
    path = Path(module.__file__)
    path.write_text(textwrap.dedent(SOURCE).replace("def plain(x):", "\n\ndef plain(x):"))
    with pytest.raises(OSError, match="does not match"):
        function_node(module.plain)  # its code says line 4; the file has moved it


def test_modules_are_parsed_once(module: ModuleType) -> None:
    _source._parsed.cache_clear()
    for fn in (module.plain, module.twin, module.Outer.Inner.method, module.factory):
        function_node(fn)
        first_line(fn)
    first_line(module.Outer)
    info = _source._parsed.cache_info()
    assert (info.misses, info.hits) == (1, 4)
