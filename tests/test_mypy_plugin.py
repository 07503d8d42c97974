"""The mypy plugin (`plugins = shapecheck.mypy`): mypy run in-process on samples.

The samples are in tests/static_samples/; each is copied to a temporary folder
and checked under a strict configuration that loads the plugin. A line of a
sample ending in `# expect: tag` is where the tagged message is expected;
every message of mypy on the sample is compared, none may be extra. One mypy
cache per module of tests (torch is analysed once), another for runs without
the plugin.
"""

import configparser
import os
import re
import shutil
from pathlib import Path

import mypy.api
import pytest

from shapecheck._lint import lint
from shapecheck._spec import parse_shape
from shapecheck._static._unify import Call, Leaf
from shapecheck.mypy import plugin, reveal_shape

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).parent / "static_samples"

_MESSAGE = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+): (?P<kind>error|note): (?P<text>.*)$")

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _plugin_bugs_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug of the plugin crashes mypy here, instead of leaving a call unchecked."""
    monkeypatch.setenv("SHAPECHECK_MYPY_DEBUG", "1")


def _write_config(folder: Path, *, with_plugin: bool = True) -> Path:
    lines = ["[mypy]", "strict = True", f"mypy_path = {ROOT}"]
    if with_plugin:
        lines.append("plugins = shapecheck.mypy")
    # shapecheck is found through mypy_path (its editable install is an import
    # hook, which mypy does not follow); its own errors are not the test's.
    lines += ["", "[mypy-shapecheck.*]", "follow_imports = silent", ""]
    config = folder / ("mypy.ini" if with_plugin else "mypy-plain.ini")
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def caches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("mypy-caches")
    return {"plugin": base / "plugin", "plain": base / "plain", "repo": base / "repo"}


def run_mypy(config: Path, cache: Path, *targets: Path | str) -> list[tuple[str, int, str]]:
    """mypy's messages, `(file name, line, "error: ..."/"note: ...")`, in its order."""
    stdout, stderr, status = mypy.api.run(
        ["--config-file", str(config), "--cache-dir", str(cache), *map(str, targets)]
    )
    assert status in (0, 1), stdout + stderr
    messages = []
    for line in stdout.splitlines():
        match = _MESSAGE.match(line)
        if match:
            name = Path(match["file"]).name
            messages.append((name, int(match["line"]), f"{match['kind']}: {match['text']}"))
    return messages


def sample(tmp_path: Path, name: str) -> tuple[Path, dict[str, int]]:
    """A sample copied into tmp_path, and the line of each `# expect:` tag."""
    path = tmp_path / name
    shutil.copy(SAMPLES / name, path)
    tags: dict[str, int] = {}
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        found = re.search(r"# expect: (.*)$", text)
        if found:
            for tag in found.group(1).split(", "):
                tags[tag] = number
    return path, tags


def check_sample(
    tmp_path: Path, caches: dict[str, Path], name: str, expected: dict[str, list[str]]
) -> None:
    path, tags = sample(tmp_path, name)
    assert sorted(tags) == sorted(expected)
    messages = run_mypy(_write_config(tmp_path), caches["plugin"], path)
    got = sorted((line, text) for file, line, text in messages if file == name)
    want = sorted((tags[tag], text) for tag, texts in expected.items() for text in texts)
    assert got == want


def _arg(param: str, callee: str, given: str, wanted: str, reason: str) -> str:
    return (
        f'error: Argument "{param}" to {callee} has shape "{given}", expected "{wanted}": '
        f"{reason}  [shape]"
    )


def _swapped(param: str, callee: str, given: str, wanted: str, first: str, source: str) -> str:
    reason = (
        f"dimension `{first}` is {given.split()[0]} at {param}.shape[0], but the caller's "
        f"{first} is at {param}.shape[1]; a transposition of {source} would match: "
        f"{source}.permute(1, 0) (axes 0 and 1 swapped)"
    )
    return _arg(param, callee, given, wanted, reason)


# ------------------------------------------------------------------ the entry point


def test_plugin__entry_point_is_the_plugin_class() -> None:
    from mypy.plugin import Plugin

    cls = plugin("2.4.1")
    assert issubclass(cls, Plugin)


def test_plugin__reveal_shape_is_identity_at_run_time() -> None:
    value = object()
    assert reveal_shape(value) is value


# ------------------------------------------------------------------ the unifier, alone


def _unify(*pairs: tuple[str, str]) -> tuple[Call, str | None]:
    leaves = [
        Leaf(parse_shape(callee), parse_shape(caller), f"x{i}", f"a{i}")
        for i, (callee, caller) in enumerate(pairs)
    ]
    call = Call()
    mismatch = call.unify(leaves)
    return call, None if mismatch is None else mismatch.message('"f"')


@pytest.mark.parametrize(
    ("pairs", "reason"),
    [
        ([("*b d", "steps batch hiddens"), ("*b", "steps batch")], None),
        ([("*b d", "steps batch hiddens"), ("*b", "batch steps")], "variadic dims `*b`"),
        ([("*b d", "steps batch hiddens"), ("*b", "batch")], "variadic dims `*b`"),
        ([("*b d", "*batch hiddens"), ("d", "hiddens")], None),
        ([("n d", "*batch hiddens steps vocab")], "has at least 3 dims, expected 2"),
        ([("n 3", "batch _")], None),
        ([("n n", "#batch hiddens")], None),
        ([("n m", "steps*batch 4"), ("n", "steps*batch")], None),
        ([("n m", "steps*batch 4"), ("n", "batch*steps")], None),  # may be equal
        ([("2*n", "6"), ("n", "3")], None),
        ([("n", "3"), ("2*n", "7")], "dimension `2*n` is 7"),
    ],
)
def test_unify__cases(pairs: list[tuple[str, str]], reason: str | None) -> None:
    _, message = _unify(*pairs)
    if reason is None:
        assert message is None
    else:
        assert message is not None and reason in message


def test_unify__a_hint_only_for_a_permutation_that_surely_fits() -> None:
    _, message = _unify(("batch 3", "batch 4"))
    assert message == (
        'Argument "x0" to "f" has shape "batch 4", expected "batch 3": '
        "axis 1 is 4, expected the fixed size 3"
    )
    _, message = _unify(("a b c", "c a b"))
    assert message is not None
    assert message.endswith("a permutation of a0's axes would match: a0.permute(1, 2, 0)")


def test_unify__a_return_shape_in_the_callers_dims() -> None:
    call, message = _unify(("*b n d", "steps batch hiddens vocab"), ("k", "4"))
    assert message is None
    assert call.substitute(parse_shape("*b d k 2*k m")) == "steps batch vocab 4 8 _"


# ------------------------------------------------------------------ malformed strings


def test_plugin__malformed_dim_strings_are_errors_worded_as_lint(
    tmp_path: Path, caches: dict[str, Path]
) -> None:
    path, tags = sample(tmp_path, "malformed.py")
    messages = run_mypy(_write_config(tmp_path), caches["plugin"], path)
    errors = {(line, text) for file, line, text in messages if file == path.name}
    findings = lint(str(path)).findings
    assert {f.code for f in findings} == {"SC101"}
    assert errors == {(f.line, f"error: {f.message}  [shape-annotation]") for f in findings}
    assert {line for line, _ in errors} == set(tags.values())
    # once each, though mypy analyses the module's top level twice (a forward reference)
    assert len(messages) == len(findings) == 7
    assert (
        tags["alias"],
        'error: invalid dimension string "batch,hiddens": dims are separated by spaces, '
        'not commas; did you mean "batch hiddens"?  [shape-annotation]',
    ) in errors


# ------------------------------------------------------------------ calls


def test_plugin__calls_unify_argument_shapes(tmp_path: Path, caches: dict[str, Path]) -> None:
    check_sample(
        tmp_path,
        caches,
        "calls.py",
        {
            "swapped": [_swapped("h", '"step"', "hiddens batch", "batch hiddens", "batch", "t")],
            "rank": [
                _arg(
                    "h", '"step"', "steps batch hiddens", "batch hiddens", "has 3 dims, expected 2"
                )
            ],
            "fixed": [
                _arg(
                    "image",
                    '"rgb"',
                    "batch 4",
                    "batch 3",
                    "axis 1 is 4, expected the fixed size 3",
                )
            ],
            "two dims": [
                _arg(
                    "w",
                    '"project"',
                    "batch hiddens",
                    "d k",
                    "dimension `d` is batch at w.shape[0], but d=hiddens was bound by "
                    "x.shape[1]; a transposition of h would match: h.permute(1, 0) "
                    "(axes 0 and 1 swapped)",
                )
            ],
            "revealed": ['note: Revealed shape is "batch vocab"'],
            "variadic": ['note: Revealed shape is "steps batch"'],
            "variadic group": ['note: Revealed shape is "*batch"'],
            "symbolic": [
                _arg(
                    "y",
                    '"flatten"',
                    "21",
                    "steps*batch",
                    "dimension `steps*batch` is 21 at y.shape[0], but steps*batch=20 "
                    "(steps=4 from x.shape[0], batch=5 from x.shape[1])",
                )
            ],
            "product": [
                _arg(
                    "x",
                    '"square"',
                    "steps*batch hiddens",
                    "n n",
                    "dimension `n` is hiddens at x.shape[1], but n=steps*batch was bound by "
                    "x.shape[0]",
                )
            ],
            "returned": [_swapped("h", '"step"', "hiddens batch", "batch hiddens", "batch", "out")],
        },
    )


def test_plugin__module_calls_go_to_forward_and_constructors_to_init(
    tmp_path: Path, caches: dict[str, Path]
) -> None:
    forward = '"forward" of "Decoder"'
    logits = '"logits" of "Decoder"'
    check_sample(
        tmp_path,
        caches,
        "modules.py",
        {
            "constructor": [
                _swapped("weight", '"Decoder"', "vocab hiddens", "hiddens vocab", "hiddens", "wt")
            ],
            "module call": [_swapped("h", forward, "hiddens batch", "batch hiddens", "batch", "t")],
            "forward": [_swapped("h", forward, "hiddens batch", "batch hiddens", "batch", "t")],
            "method": [_swapped("h", logits, "hiddens batch", "batch hiddens", "batch", "t")],
            "unbound method": [
                _swapped("h", logits, "hiddens batch", "batch hiddens", "batch", "t")
            ],
            "decorated": [
                _swapped("h", '"decode"', "hiddens batch", "batch hiddens", "batch", "t")
            ],
            "keyword": [_swapped("h", '"decode"', "hiddens batch", "batch hiddens", "batch", "t")],
        },
    )


def test_plugin__unknown_shapes_are_silent(tmp_path: Path, caches: dict[str, Path]) -> None:
    check_sample(tmp_path, caches, "unknown.py", {})


def test_plugin__a_correct_call_and_an_alias(tmp_path: Path, caches: dict[str, Path]) -> None:
    (tmp_path / "dims.py").write_text(
        "from jaxtyping import Float\n"
        "from torch import Tensor\n"
        'Hidden = Float[Tensor, "batch hiddens"]\n'
        "State = tuple[Hidden, Hidden]\n",
        encoding="utf-8",
    )
    user = tmp_path / "user.py"
    user.write_text(
        "from dims import Hidden, State\n"
        "from shapecheck.mypy import reveal_shape\n"
        "def step(h: Hidden, state: State) -> None: ...\n"
        "def go(h: Hidden, s: State, t: tuple[Hidden, Hidden]) -> None:\n"
        "    step(h, s)\n"
        "    step(h, t)\n"
        "    step(h, (h, h))\n"
        "    reveal_shape(h)\n"
        "    reveal_shape(s)\n"
        "    step(h, (h, h.T))\n",
        encoding="utf-8",
    )
    messages = run_mypy(_write_config(tmp_path), caches["plugin"], tmp_path / "dims.py", user)
    assert messages == [
        ("user.py", 8, 'note: Revealed shape is "batch hiddens"'),
        ("user.py", 9, 'note: Revealed shape is tuple["batch hiddens", "batch hiddens"]'),
    ]


# ------------------------------------------------------------------ mypy's verdict


def test_plugin__annotated_forms_keep_mypys_verdict(
    tmp_path: Path, caches: dict[str, Path]
) -> None:
    path, _ = sample(tmp_path, "annotated.py")
    with_plugin = run_mypy(_write_config(tmp_path), caches["plugin"], path)
    without = run_mypy(_write_config(tmp_path, with_plugin=False), caches["plain"], path)
    assert with_plugin == without
    assert [text for _, _, text in without if text.startswith("error")] == [
        "error: Invalid type: ClassVar nested inside other type  [valid-type]",
        'error: Incompatible return value type (got "str", expected "int")  [return-value]',
        'error: "Tensor" has no attribute "nope"  [attr-defined]',
        'error: Argument 1 to "forms" has incompatible type "str"; expected "int"  [arg-type]',
    ]


_LIB = """\
from typing import NamedTuple
from jaxtyping import Float
from torch import Tensor
from .dims import Hidden
def f(x: Hidden) -> None: ...
class Params(NamedTuple):
    w: Float[Tensor, "hiddens vocab"]
    b: Float[Tensor, "vocab"]
"""

_USER = """\
from jaxtyping import Float
from torch import Tensor
from .lib import Params, f
def g(
    h: Float[Tensor, "b a"], w: Float[Tensor, "vocab hiddens"], b: Float[Tensor, "vocab"]
) -> None:
    f(h)
    Params(w, b)
"""


def test_plugin__the_cache_keeps_shapes_and_a_changed_string_rechecks_its_users(
    tmp_path: Path, caches: dict[str, Path]
) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    dims = package / "dims.py"
    dims.write_text(
        'from jaxtyping import Float\nfrom torch import Tensor\nHidden = Float[Tensor, "a b"]\n',
        encoding="utf-8",
    )
    (package / "lib.py").write_text(_LIB, encoding="utf-8")
    user = package / "user.py"
    user.write_text(_USER, encoding="utf-8")
    config = _write_config(tmp_path)
    cache = caches["plugin"]  # incremental: what did not change comes from the cache
    start = dims.stat().st_mtime

    def edit(path: Path, old: str, new: str, step: int) -> None:
        # Perhaps the same size: mypy sees the change by its mtime, in whole seconds.
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        os.utime(path, (start + 10 * step, start + 10 * step))

    first = run_mypy(config, cache, package)
    assert [(f, line) for f, line, _ in first] == [("user.py", 7), ("user.py", 8)]
    # dims and lib from the cache: the NamedTuple's first field keeps its shape
    # (mypy erases it in place while it builds the tuple's fallback).
    edit(user, "    f(h)\n", "    f(h)  # again\n", 1)
    assert run_mypy(config, cache, package) == first
    edit(dims, '"a b"', '"b a"', 2)
    assert [line for _, line, _ in run_mypy(config, cache, package)] == [8]
    edit(dims, '"b a"', '"a b"', 3)
    assert run_mypy(config, cache, package) == first


def test_plugin__models_type_check_with_the_plugin(
    tmp_path: Path, caches: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "mypy.ini", encoding="utf-8")
    parser["mypy"]["plugins"] = "shapecheck.mypy"
    config = tmp_path / "mypy.ini"
    with config.open("w", encoding="utf-8") as out:
        parser.write(out)
    monkeypatch.chdir(ROOT)
    stdout, stderr, status = mypy.api.run(
        ["--config-file", str(config), "--cache-dir", str(caches["repo"]), "models"]
    )
    assert status == 0, stdout + stderr
    assert stdout.startswith("Success: no issues found")
