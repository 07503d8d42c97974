"""At scale and under stress: bad input, memory, resilience.

1. `parse_shape` fuzzed with arbitrary text, with strings built from dim
   tokens and junk, and with objects that are not strings: a `Shape` or an
   `AnnotationError` with a message, never anything else.
2. The CLI against targets that are missing, do not parse, raise on import,
   import each other in a circle, hold nothing annotated, or hold functions
   that fail for reasons other than shapes: one line on stderr, the
   documented exit status, a traceback only with `--debug`.
3. Memory: many checked calls at ever-new sizes keep the process flat and the
   caches bounded; checked calls keep no tensor alive.
4. Resilience: DataLoader workers, autograd modes, and copies of checked
   modules (deepcopy, pickle, torch.save).

Every CLI case runs in a process of its own. A fresh interpreter spends some
3 s of CPU importing torch, so the cases are forked from one driver process
that has imported torch and shapecheck once (`DRIVER`); each child runs
`shapecheck.cli.main` as `python -m shapecheck.cli` does, with its own
stdout, stderr and exit status. A few cases also run as `python -m
shapecheck.cli` itself, and must print the same.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import io
import json
import keyword
import os
import pickle
import re
import shutil
import subprocess
import sys
import tracemalloc
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jaxtyping import Float
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset

import shapecheck
from models.gru import get_params as get_gru_params
from models.gru import gru, init_gru_state
from models.lstm import LSTMParams, get_lstm_params, init_lstm_state, lstm
from models.rnn_model import RNNModel, RNNModelScratch
from shapecheck import AnnotationError, ShapeError, _spec
from shapecheck._runtime._locals import frames as _frames
from shapecheck._spec import Anonymous, Fixed, Named, Shape, Symbolic, Variadic, parse_shape

REPO = Path(__file__).parent.parent
SAMPLES = Path(__file__).parent / "robustness_samples"

# --------------------------------------------------------------------------------
# 1. parse_shape under fuzzing
# --------------------------------------------------------------------------------

MAX_TEXT = 400  # long enough for every construct; short enough that no example is slow

# Hypothesis' per-example deadline is the hang guard: 2 s is some 1000 times a
# normal parse, and still loose enough for a loaded CI machine.
FUZZ = settings(
    max_examples=300,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def assert_parses_or_explains(text: object) -> Shape | None:
    """The contract: a consistent Shape, or an AnnotationError with a message."""
    try:
        shape = parse_shape(text)
    except AnnotationError as error:
        message = str(error)
        assert message.strip(), f"empty message for {text!r}"
        prefix = "invalid dimension string" if isinstance(text, str) else "a dimension string"
        assert message.startswith(prefix), message[:200]
        return None
    assert isinstance(text, str)
    assert isinstance(shape, Shape)
    assert shape.text == text
    assert len(shape.dims) == len(text.split())
    variadic = [i for i, dim in enumerate(shape.dims) if isinstance(dim, Variadic)]
    assert variadic == ([] if shape.variadic is None else [shape.variadic])
    for dim in shape.dims:
        assert isinstance(dim, Named | Fixed | Symbolic | Anonymous | Variadic)
    return shape


def assert_round_trips(shape: Shape) -> None:
    """A parsed shape, written back dim by dim, parses to the same dims."""
    again = parse_shape(" ".join(str(dim) for dim in shape.dims))
    assert again.dims == shape.dims, (shape.text, again.text)


NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
LETTER_NAMES = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,6}", fullmatch=True)  # not anonymous
MODIFIERS = st.sampled_from(["", "", "", "#", "*", "_", "?", "#*", "*#", "?*", "**", "##", "__"])
NUMBERS = st.one_of(
    st.integers(0, 10**6).map(str),
    st.sampled_from(
        ["0", "00", "007", "1" + "0" * 5000, "9" * 4301, "١٢", "²", "3.5", "-1", "1e3"]
    ),
)
OPERATORS = st.sampled_from(["+", "-", "*", "//", "/", "**", "%", "@", "<<", "(", ")", "[", "]"])
SYMBOLIC = st.builds(
    lambda a, op, b: f"{a}{op}{b}", st.one_of(NAMES, NUMBERS), OPERATORS, st.one_of(NAMES, NUMBERS)
)
BRACED = st.one_of(
    NAMES.map(lambda name: "{" + name + "}"),
    st.builds(lambda a, b: "{" + a + "}*" + b, NAMES, NAMES),
    NAMES.map(lambda name: "{self." + name + "}*hiddens"),
    st.sampled_from(["{", "}", "{}", "}{", "{{x}}", "{x", "x}", 'f"{x}"', "{x!r}", "{x:>3}"]),
)
JUNK = st.sampled_from(
    [
        "",
        ",",
        "a,b",
        "#",
        "...",
        "....",
        "...x",
        "*...",
        "=",
        "a=",
        "=3",
        "a=3",
        "a=b=c",
        "x#",
        "\x00",
        "a\x00b",
        "(",
        ")",
        "lambda: 0",
        "lambda",
        "yield x",
        "await x",
        "__import__('os')",
        "print(1)",
        "x.y",
        "x[0]",
        "(x:=1)",
        "'str'",
        '"',
        "\\",
        "\ud800",
        "\u200b",
        "ℌ",
        "é",
        "🙂",
        "∗",
        "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((x",
        "-" * 300 + "1",
    ]
)
TOKENS = st.one_of(
    st.builds(lambda mod, name: mod + name, MODIFIERS, NAMES),
    st.builds(lambda mod, number: mod + number, MODIFIERS, NUMBERS),
    st.builds(lambda mod, expr: mod + expr, MODIFIERS, SYMBOLIC),
    BRACED,
    JUNK,
    st.sampled_from(keyword.kwlist + keyword.softkwlist),
    st.text(max_size=4),
)
SEPARATORS = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", ",", ", ", "", "\u3000"])


@st.composite
def dim_strings(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(TOKENS, max_size=8))
    text = tokens[0] if tokens else ""
    for token in tokens[1:]:
        text += draw(SEPARATORS) + token
    return text


FULL_UNICODE = st.characters(exclude_categories=())  # surrogates and controls too

WELL_FORMED = st.lists(
    st.one_of(
        st.builds(
            lambda mod, name: mod + name, st.sampled_from(["", "#", "?", "#?"]), LETTER_NAMES
        ),
        st.integers(0, 10**6).map(str),
        st.builds(lambda label, n: f"{label}={n}", LETTER_NAMES, st.integers(0, 99)),
        st.sampled_from(["_", "_t", "a*b", "#steps*batch", "a+1", "2*hiddens", "a//2"]),
    ),
    max_size=6,
).flatmap(
    lambda dims: st.sampled_from([None, "...", "*batch", "*_", "#*batch", "?*tree"]).flatmap(
        lambda group: st.integers(0, len(dims)).map(
            lambda at: " ".join(dims[:at] + ([group] if group else []) + dims[at:])
        )
    )
)


@FUZZ
@given(st.text(FULL_UNICODE, max_size=MAX_TEXT))
def test_parse_shape__arbitrary_unicode(text: str) -> None:
    assert_parses_or_explains(text)


@FUZZ
@given(st.text(st.sampled_from(list("ab1_#*?.,=+-(){}[]'\" \t\x00é")), max_size=MAX_TEXT))
def test_parse_shape__dense_punctuation(text: str) -> None:
    assert_parses_or_explains(text)


@FUZZ
@given(dim_strings())
def test_parse_shape__dim_tokens_and_junk(text: str) -> None:
    assert_parses_or_explains(text)


@FUZZ
@given(WELL_FORMED)
def test_parse_shape__well_formed_strings_parse_and_round_trip(text: str) -> None:
    shape = assert_parses_or_explains(text)
    assert shape is not None, text
    assert_round_trips(shape)


class _ReprRaises:
    def __repr__(self) -> str:
        raise RuntimeError("no repr for you")


NOT_STRINGS: dict[str, object] = {
    "none": None,
    "int": 3,
    "huge-int": 10**5000,  # its repr raises ValueError (more than 4300 digits)
    "float": float("nan"),
    "bytes": b"batch hiddens",
    "huge-bytes": b"x" * 1_000_000,
    "bytearray": bytearray(b"batch"),
    "list": ["batch", "hiddens"],
    "tuple": ("batch",),
    "type": str,
    "repr-raises": _ReprRaises(),
}


@pytest.mark.parametrize("value", list(NOT_STRINGS.values()), ids=list(NOT_STRINGS))
def test_parse_shape__non_str_is_an_annotation_error(value: object) -> None:
    with pytest.raises(AnnotationError, match=r"^a dimension string must be a str, got ") as info:
        parse_shape(value)
    assert len(str(info.value)) < 200  # the value is shown, cut short


@FUZZ
@given(
    st.one_of(
        st.none(),
        st.integers(),
        st.floats(),
        st.binary(max_size=50),
        st.lists(st.text(max_size=5), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    )
)
def test_parse_shape__non_str_objects(value: object) -> None:
    assert_parses_or_explains(value)


LONG_OR_DEEP = {
    "huge-number": "1" + "0" * 10_000,
    "huge-number-with-label": "n=" + "9" * 10_000,
    "many-dims": "a " * 50_000,
    "long-name": "a" * 100_000,
    "deep-parens": "(" * 10_000 + "x" + ")" * 10_000,
    "deep-unary": "-" * 100_000 + "x",
    "long-sum": "a+" * 50_000 + "a",
    "long-attribute-chain": "x" + ".y" * 50_000,
    "many-braces": "{x}*" * 10_000 + "1",
    "unbalanced-braces": "{" * 10_000,
    "many-stars": "*" * 10_000,
    "many-hashes": "#" * 10_000 + "a",
    "many-ellipses": "... " * 10_000,
    "nul-bytes": "\x00" * 10_000,
    "empty": "",
    "only-spaces": " \t\n " * 1000,
}


@pytest.mark.parametrize("text", list(LONG_OR_DEEP.values()), ids=list(LONG_OR_DEEP))
def test_parse_shape__long_and_deep_strings(text: str) -> None:
    assert_parses_or_explains(text)


PARSE_ERRORS = {
    # name: (text, fragment of the message)
    "double-star": ("**batch", "do not repeat `*`"),
    "commas": ("batch, hiddens", 'did you mean "batch hiddens"?'),
    "hash-after": ("batch#", "the broadcast mark # goes before the name"),
    "two-variadics": ("*a ... b", "more than one variadic group"),
    "dots-glued": ("...batch", "must stand on its own"),
    "unbalanced-brace": ("{x*2", "unbalanced braces"),
    "huge-size": ("9" * 5000, "the size is too large"),
    "nul": ("a\x00b", "neither a dim name, a size, nor a valid expression"),
    "keyword-expression": ("lambda: 0", "neither a dim name"),
    "await": ("await+1", "neither a dim name"),
    "lone-modifier": ("#", "a modifier needs a name after it"),
}


@pytest.mark.parametrize("text, fragment", list(PARSE_ERRORS.values()), ids=list(PARSE_ERRORS))
def test_parse_shape__known_errors_are_explained(text: str, fragment: str) -> None:
    with pytest.raises(AnnotationError) as info:
        parse_shape(text)
    assert fragment in str(info.value)


# --------------------------------------------------------------------------------
# 2. The CLI against bad targets
# --------------------------------------------------------------------------------

SYNTAX_ERROR_SOURCE = '"""A module that does not parse."""\n\n\ndef broken(x:\n    return x\n'

# Runs each case of a JSON list [[name, argv], ...] in a forked child and
# writes {name: exit status}; the child's stdout and stderr go to NAME.out and
# NAME.err in the folder given as the first argument.
DRIVER = r"""
import json, os, sys
import torch  # the imports every case would pay for, paid once
import shapecheck.cli, shapecheck._ci, shapecheck._lint, shapecheck._verify, shapecheck.docs

out_dir, cases = sys.argv[1], json.loads(sys.stdin.read())
running, statuses, width = {}, {}, max(2, os.cpu_count() or 2)

def start(name, argv):
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        running[pid] = name
        return
    code = 1
    try:
        with open(os.path.join(out_dir, name + ".out"), "wb") as out, open(
            os.path.join(out_dir, name + ".err"), "wb"
        ) as err:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
        code = shapecheck.cli.main(argv)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (stop.code is not None)
    except BaseException:
        sys.excepthook(*sys.exc_info())  # what the interpreter does, then exit 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

def reap():
    pid, status = os.wait()
    statuses[running.pop(pid)] = os.waitstatus_to_exitcode(status)

for name, argv in cases:
    while len(running) >= width:
        reap()
    start(name, argv)
while running:
    reap()
print(json.dumps(statuses))
"""


@dataclass(frozen=True)
class CliCase:
    """One run of the CLI: its arguments, exit status, and what it prints.

    `stderr` holds the fragments of the one stderr line, in order; empty: stderr
    is empty. `stdout` holds fragments that stdout must contain.
    """

    args: tuple[str, ...]
    status: int
    stderr: tuple[str, ...] = ()
    stdout: tuple[str, ...] = ()


def _error(command: str, *fragments: str) -> tuple[str, ...]:
    return (f"shapecheck {command}: error: ", *fragments)


def _note(command: str, target: str) -> tuple[str, ...]:
    return (f"shapecheck {command}: note: {target!r} has no functions with tensor annotations",)


NOT_FOUND = {
    "missing-path": ("rb_missing.py", ("target 'rb_missing.py' does not exist",)),
    "missing-module": (
        "rb_missing_module",
        ("cannot import 'rb_missing_module': no module named 'rb_missing_module'",),
    ),
    "syntax-error": (
        "rb_syntax_error",
        ("cannot import 'rb_syntax_error': SyntaxError: ", "line 4"),
    ),
    "import-raises": (
        "rb_import_raises",
        ("cannot import 'rb_import_raises': RuntimeError: rb_import_raises refuses to load",),
    ),
    "circular-import": (
        "rb_circular_a",
        ("cannot import 'rb_circular_a': ImportError: cannot import name", "circular import"),
    ),
    "subpackage-raises": (
        "rb_pkg_sub_raises",
        (
            "cannot import 'rb_pkg_sub_raises.inner': "
            "RuntimeError: rb_pkg_sub_raises.inner refuses to load",
        ),
    ),
    "subpackage-exits": (
        "rb_pkg_sub_exits",
        ("cannot import 'rb_pkg_sub_exits.sub': it called exit(3)",),
    ),
    "missing-object": ("rb_value_error:nowhere", ("rb_value_error has no object 'nowhere'",)),
    "missing-attribute-path": (
        "rb_value_error:double.nowhere",
        ("rb_value_error has no object 'double.nowhere'",),
    ),
}

# A submodule that fails to import is left out with a one-line note, and the
# exit status follows the checks; with --strict-imports it stops the command.
SKIPPED_SUBMODULE = {
    "subpackage-raises": (
        "rb_pkg_sub_raises.inner",
        "RuntimeError: rb_pkg_sub_raises.inner refuses to load",
    ),
    "subpackage-exits": ("rb_pkg_sub_exits.sub", "it called exit(3)"),
}

CLI_CASES: dict[str, CliCase] = {}
SKIP_CASES: dict[str, CliCase] = {}  # stderr: these lines exactly
for _command in ("verify", "docs", "show"):
    for _name, (_target, _fragments) in NOT_FOUND.items():
        if _name in SKIPPED_SUBMODULE:
            CLI_CASES[f"{_command}-{_name}-strict"] = CliCase(
                (_command, _target, "--strict-imports"), 2, _error(_command, *_fragments)
            )
            module, cause = SKIPPED_SUBMODULE[_name]
            SKIP_CASES[f"{_command}-{_name}"] = CliCase(
                (_command, _target),
                0,
                (
                    f"shapecheck {_command}: skipped module {module}: {cause}",
                    *_note(_command, _target),
                ),
            )
            continue
        CLI_CASES[f"{_command}-{_name}"] = CliCase(
            (_command, _target), 2, _error(_command, *_fragments)
        )
    CLI_CASES[f"{_command}-no-annotations"] = CliCase(
        (_command, "rb_no_annotations"), 0, _note(_command, "rb_no_annotations")
    )
CLI_CASES |= {
    # A function that raises ValueError at every size: an error for verify
    # (no size is to blame, so no violation), a problem for docs (which still
    # documents it, with its good neighbour), nothing for show, which runs nothing.
    "verify-value-error": CliCase(
        ("verify", "rb_value_error"),
        0,
        stdout=(
            "verified  rb_value_error.double: checked under distinct sizes",
            "error     rb_value_error.explode: raises at every size, equal sizes included: "
            "ValueError: explode always fails",
            "1 verified, 0 violated, 1 error, 0 skipped",
        ),
    ),
    "verify-value-error-json": CliCase(
        ("verify", "--json", "rb_value_error:explode"),
        0,
        stdout=(
            '"message": "raises at every size, equal sizes included: '
            'ValueError: explode always fails"',
            '"status": "error"',
        ),
    ),
    "docs-value-error": CliCase(
        ("docs", "rb_value_error"),
        1,
        ("shapecheck docs: rb_value_error.py:", ": explode: example run failed: ValueError: "),
        ("### `double`", "### `explode`", "explode always fails"),
    ),
    "show-value-error": CliCase(
        ("show", "rb_value_error"),
        0,
        stdout=("rb_value_error.explode\n", '    x: Float[Tensor, "batch hiddens"]'),
    ),
    "verify-no-annotations-json": CliCase(
        ("verify", "--json", "rb_no_annotations"),
        0,
        _note("verify", "rb_no_annotations"),
        ("[]",),
    ),
    # A registry whose example sizes raise: the target's own code failed.
    "verify-registry-raises": CliCase(
        ("verify", "rb_registry_raises"),
        2,
        _error("verify", "unexpected ValueError: no example sizes today", "--debug"),
    ),
    "docs-registry-raises": CliCase(
        ("docs", "rb_registry_raises"),
        2,
        _error("docs", "unexpected ValueError: no example sizes today", "--debug"),
    ),
    # lint reads the source and runs nothing: import failures are not its
    # business, a syntax error is a finding.
    "lint-missing-path": CliCase(
        ("lint", "rb_missing.py"), 2, _error("lint", "target 'rb_missing.py' does not exist")
    ),
    "lint-missing-module": CliCase(
        ("lint", "rb_missing_module"), 2, _error("lint", "cannot find module 'rb_missing_module'")
    ),
    "lint-syntax-error": CliCase(
        ("lint", "rb_syntax_error"),
        1,
        stdout=("rb_syntax_error.py:4: SC001 syntax error", "1 findings"),
    ),
    "lint-import-raises": CliCase(
        ("lint", "rb_import_raises"), 0, _note("lint", "rb_import_raises"), ("0 findings",)
    ),
    "lint-circular-import": CliCase(
        ("lint", "rb_circular_a"), 0, _note("lint", "rb_circular_a"), ("0 findings",)
    ),
    "lint-no-annotations": CliCase(
        ("lint", "rb_no_annotations"), 0, _note("lint", "rb_no_annotations"), ("0 findings",)
    ),
    "lint-value-error": CliCase(
        ("lint", "rb_value_error"), 0, stdout=("0 findings; annotation coverage 100.0% (2 of 2",)
    ),
    # ci: a target that does not import is a usage error, up front.
    **{
        f"ci-{name}": CliCase(("ci", NOT_FOUND[name][0], "--skip", "mypy"), 2, _error("ci", frag))
        for name, frag in (
            ("missing-module", "no module named 'rb_missing_module'"),
            ("syntax-error", "cannot import 'rb_syntax_error': SyntaxError"),
            ("import-raises", "RuntimeError: rb_import_raises refuses to load"),
            ("circular-import", "circular import"),
            ("missing-object", "rb_value_error has no object 'nowhere'"),
        )
    },
    "ci-subpackage-raises-strict": CliCase(
        ("ci", "rb_pkg_sub_raises", "--skip", "mypy", "--strict-imports"),
        2,
        _error("ci", "cannot import 'rb_pkg_sub_raises.inner'"),
    ),
    "ci-no-annotations": CliCase(
        ("ci", "rb_no_annotations", "--skip", "mypy", "--skip", "docs"),
        0,
        stdout=("0 verified, 0 violated, 0 skipped", "shapecheck ci: all 3 steps passed"),
    ),
    "ci-value-error": CliCase(
        ("ci", "rb_value_error", "--skip", "mypy", "--skip", "docs"),
        0,
        stdout=(
            "error: rb_value_error.py:",
            "rb_value_error.explode",
            "ValueError: explode always fails",
            "1 verified, 0 violated, 1 error, 0 skipped",
            "shapecheck ci: all 3 steps passed",
        ),
    ),
    # argparse's own errors are one line too.
    "no-command": CliCase((), 2, ("shapecheck: error: the following arguments are required",)),
    "unknown-command": CliCase(("frobnicate",), 2, ("shapecheck: error: argument COMMAND",)),
    "verify-no-target": CliCase(
        ("verify",), 2, _error("verify", "no TARGET given, and no `packages` in [tool.shapecheck]")
    ),
    "ci-unknown-step": CliCase(
        ("ci", "--skip", "typecheck"),
        2,
        ("shapecheck ci: error: argument --skip: invalid choice: 'typecheck'",),
    ),
}

# Errors of argparse itself: a usage line, never a traceback.
ARGUMENT_ERRORS = {"no-command", "unknown-command", "verify-no-target", "ci-unknown-step"}

# `ci` says on stderr when each step starts and ends: not the one line checked.
CI_PROGRESS = re.compile(r"^shapecheck ci: \w+ (\.\.\.|(passed|failed) in \d+\.\d s)$")

# Every other case that ends with an error line is run again with --debug.
DEBUG_CASES = {
    f"{name}--debug": CliCase(("--debug", *case.args), case.status, case.stderr)
    for name, case in CLI_CASES.items()
    if case.status == 2 and name not in ARGUMENT_ERRORS
}

# Also run as `python -m shapecheck.cli`, each in a fresh interpreter.
ENTRY_POINT_CASES = ("show-missing-module", "verify-import-raises--debug", "lint-no-annotations")


@dataclass(frozen=True)
class CliResult:
    status: int
    stdout: str
    stderr: str


def _workspace(root: Path) -> Path:
    where = root / "work"
    shutil.copytree(SAMPLES, where, ignore=shutil.ignore_patterns("__pycache__"))
    (where / "rb_syntax_error.py").write_text(SYNTAX_ERROR_SOURCE, encoding="utf-8")
    return where


def _environment(where: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SHAPECHECK")}
    env["PYTHONPATH"] = os.pathsep.join([str(where), str(REPO)])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _entry_point(argv: tuple[str, ...], where: Path) -> CliResult:
    done = subprocess.run(
        [sys.executable, "-m", "shapecheck.cli", *argv],
        cwd=where,
        env=_environment(where),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, CliResult]]:
    if not hasattr(os, "fork"):
        pytest.skip("the CLI cases are forked from one driver process; no os.fork here")
    root = tmp_path_factory.mktemp("robustness_cli")
    where = _workspace(root)
    outputs = root / "outputs"
    outputs.mkdir()
    cases = {**CLI_CASES, **DEBUG_CASES, **SKIP_CASES}
    with ThreadPoolExecutor(max_workers=len(ENTRY_POINT_CASES)) as pool:
        direct = {
            name: pool.submit(_entry_point, cases[name].args, where) for name in ENTRY_POINT_CASES
        }
        driver = subprocess.run(
            [sys.executable, "-c", DRIVER, str(outputs)],
            input=json.dumps([[name, list(case.args)] for name, case in cases.items()]),
            cwd=where,
            env=_environment(where),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert driver.returncode == 0, driver.stderr[-3000:]
        statuses = json.loads(driver.stdout.splitlines()[-1])
        results = {
            name: CliResult(
                statuses[name],
                (outputs / f"{name}.out").read_text(encoding="utf-8", errors="replace"),
                (outputs / f"{name}.err").read_text(encoding="utf-8", errors="replace"),
            )
            for name in cases
        }
        for name, future in direct.items():
            results[f"{name}[entry-point]"] = future.result()
    yield results


def _assert_one_line(stderr: str, fragments: tuple[str, ...]) -> None:
    if not fragments:
        assert stderr == "", stderr
        return
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    (line,) = lines
    assert line.startswith(fragments[0]), line
    position = 0
    for fragment in fragments:  # in order
        found = line.find(fragment, position)
        assert found >= 0, f"{fragment!r} not in {line!r}"
        position = found + len(fragment)


@pytest.mark.parametrize("name", list(CLI_CASES), ids=list(CLI_CASES))
def test_cli__bad_target(cli: dict[str, CliResult], name: str) -> None:
    case, result = CLI_CASES[name], cli[name]
    assert result.status == case.status, result
    assert "Traceback" not in result.stderr + result.stdout
    stderr = result.stderr
    if case.args and case.args[0] == "ci":
        lines = stderr.splitlines(keepends=True)
        stderr = "".join(line for line in lines if not CI_PROGRESS.match(line))
    _assert_one_line(stderr, case.stderr)
    for fragment in case.stdout:
        assert fragment in result.stdout, result.stdout[-3000:]
    if case.status == 2:
        assert result.stdout == "", result.stdout  # an error writes nothing else


@pytest.mark.parametrize("name", list(SKIP_CASES), ids=list(SKIP_CASES))
def test_cli__a_submodule_that_fails_to_import_is_skipped(
    cli: dict[str, CliResult], name: str
) -> None:
    case, result = SKIP_CASES[name], cli[name]
    assert result.status == case.status, result
    assert result.stderr.splitlines() == list(case.stderr)
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("name", list(DEBUG_CASES), ids=list(DEBUG_CASES))
def test_cli__debug_shows_the_traceback(cli: dict[str, CliResult], name: str) -> None:
    plain = cli[name.removesuffix("--debug")]
    result = cli[name]
    assert result.status == plain.status == 2
    assert result.stderr.startswith("Traceback (most recent call last):"), result.stderr
    assert result.stderr.splitlines()[-1] == plain.stderr.strip()  # then the same one line


SAMPLE_FILES_IN_TRACEBACK = {
    # The failure inside the target is shown, not only shapecheck's own frames.
    "verify-import-raises--debug": 'rb_import_raises.py", line 3',
    "docs-subpackage-raises-strict--debug": (
        f'rb_pkg_sub_raises{os.sep}inner{os.sep}__init__.py", line 3'
    ),
    "show-circular-import--debug": 'rb_circular_b.py", line 3',
    "show-syntax-error--debug": 'rb_syntax_error.py", line 4',
    "ci-import-raises--debug": 'rb_import_raises.py", line 3',
    "docs-registry-raises--debug": 'rb_registry_raises.py", line 10',
}


@pytest.mark.parametrize(
    "name, where", list(SAMPLE_FILES_IN_TRACEBACK.items()), ids=list(SAMPLE_FILES_IN_TRACEBACK)
)
def test_cli__debug_traceback_reaches_the_target(
    cli: dict[str, CliResult], name: str, where: str
) -> None:
    assert where in cli[name].stderr, cli[name].stderr


@pytest.mark.parametrize("name", ENTRY_POINT_CASES, ids=ENTRY_POINT_CASES)
def test_cli__entry_point_prints_what_main_prints(cli: dict[str, CliResult], name: str) -> None:
    direct, forked = cli[f"{name}[entry-point]"], cli[name]
    assert (direct.status, direct.stdout) == (forked.status, forked.stdout)
    if "--debug" in name:  # the traceback's frames differ; its last line does not
        assert direct.stderr.startswith("Traceback")
        assert direct.stderr.splitlines()[-1] == forked.stderr.splitlines()[-1]
    else:
        assert direct.stderr == forked.stderr


# --------------------------------------------------------------------------------
# 3. Memory
# --------------------------------------------------------------------------------

MB = 2**20


def _rss() -> int:
    """The resident set size now, in bytes, after a full collection."""
    gc.collect()
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        pytest.skip("no /proc/self/statm on this platform")


@shapecheck.check
def scale(
    x: Float[Tensor, "batch hiddens"], w: Float[Tensor, "hiddens"]
) -> Float[Tensor, "batch hiddens"]:
    return x * w


@shapecheck.check
def widen(x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hiddens"]:
    y: Float[Tensor, "batch hiddens"] = torch.cat([x, x], dim=1)  # wrong: twice as wide
    return y[:, : x.shape[1]]


def _caches() -> dict[str, int]:
    return {"spec cache": len(_spec._SPEC_CACHE), "frames": len(_frames.stack)}


def test_memory__ten_thousand_batch_sizes_keep_rss_flat() -> None:
    # One hidden unit: the largest x is 44 KB, so that torch's own allocations
    # stay cheap (wider tensors are mapped and unmapped on every call).
    w = torch.ones(1)

    def calls(sizes: range) -> None:
        for batch in sizes:
            out = scale(torch.empty(batch, 1), w)
            assert out.shape[0] == batch

    calls(range(1, 1001))  # warm-up: plans, allocator pools, lazy imports
    caches = _caches()
    # RSS sees everything, torch's allocations included, but only in pages;
    # tracemalloc sees Python's objects to the byte: a Memo kept per call
    # (some 400 bytes) is 4 MB over these calls, under the RSS bound.
    tracemalloc.start()
    try:
        before, traced = _rss(), tracemalloc.get_traced_memory()[0]
        calls(range(1001, 11001))  # 10,000 calls, every one at a batch size never seen
        growth = _rss() - before
        traced_growth = tracemalloc.get_traced_memory()[0] - traced
    finally:
        tracemalloc.stop()
    assert growth < 5 * MB, f"RSS grew by {growth / MB:.1f} MB over 10,000 calls"
    assert traced_growth < 256 * 1024, f"Python objects grew by {traced_growth / 1024:.0f} KB"
    assert _caches() == caches


def test_memory__failing_calls_keep_rss_flat() -> None:
    # The slow path: the explaining checker, the engine, the error and its cause.
    w = torch.ones(4)

    def calls(sizes: range) -> None:
        for batch in sizes:
            with contextlib.suppress(ShapeError):
                scale(torch.empty(batch, 3), w)

    calls(range(1, 201))
    before, caches = _rss(), _caches()
    calls(range(201, 701))
    growth = _rss() - before
    assert growth < 5 * MB, f"RSS grew by {growth / MB:.1f} MB over 500 failing calls"
    assert _caches() == caches


def _all_dead(refs: list[weakref.ref[Tensor]]) -> list[bool]:
    gc.collect()
    return [ref() is None for ref in refs]


def _run_rnn_model() -> list[weakref.ref[Tensor]]:
    model = RNNModel(nn.GRU(5, 4), 5)
    X = torch.randint(0, 5, (3, 7))
    state = model.begin_state("cpu", 3)
    out, new_state = model(X, state)
    return [weakref.ref(t) for t in (X, state, out, new_state)]


def _run_lstm() -> list[weakref.ref[Tensor]]:
    params = get_lstm_params(5, 4, "cpu")
    inputs = torch.randn(7, 3, 5)
    state = init_lstm_state(3, 4, "cpu")
    Y, (H, C) = lstm(inputs, state, params)
    return [weakref.ref(t) for t in (inputs, *state, Y, H, C, *params)]


def _run_scale_failing() -> list[weakref.ref[Tensor]]:
    x, w = torch.ones(3, 2), torch.ones(5)
    try:
        scale(x, w)
    except ShapeError as error:
        assert "dimension `hiddens` is 5 at w.shape[0]" in str(error)
    else:
        raise AssertionError("no ShapeError")
    return [weakref.ref(x), weakref.ref(w)]


def _run_widen_failing_local() -> list[weakref.ref[Tensor]]:
    x = torch.ones(3, 2)
    try:
        widen(x)
    except ShapeError as error:
        assert "widen(): y does not match its annotation" in str(error)
    else:
        raise AssertionError("no ShapeError")
    assert _frames.stack == []  # the failed call's memo is gone from the stack
    return [weakref.ref(x)]


KEPT_ALIVE: dict[str, Callable[[], list[weakref.ref[Tensor]]]] = {
    "rnn-model-forward": _run_rnn_model,
    "lstm-annotated-locals": _run_lstm,
    "failed-argument-check": _run_scale_failing,
    "failed-local-check": _run_widen_failing_local,
}


@pytest.mark.parametrize("run", list(KEPT_ALIVE.values()), ids=list(KEPT_ALIVE))
def test_memory__checked_call_keeps_no_tensor_alive(
    run: Callable[[], list[weakref.ref[Tensor]]],
) -> None:
    refs = run()
    assert refs
    assert _all_dead(refs) == [True] * len(refs)


# --------------------------------------------------------------------------------
# 4. Resilience
# --------------------------------------------------------------------------------


class WrongShapes(Dataset[Tensor]):
    """Each item calls a checked function with a `w` one too wide."""

    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> Tensor:
        return scale(torch.ones(index + 2, 3), torch.ones(4))


def _shape_error_text(call: Callable[[], object]) -> str:
    with pytest.raises(ShapeError) as info:
        call()
    return str(info.value)


def test_dataloader__worker_shape_error_reaches_the_main_process() -> None:
    expected = _shape_error_text(lambda: WrongShapes()[0])
    with pytest.raises(ShapeError) as info:
        for _ in DataLoader(WrongShapes(), batch_size=None, num_workers=1):
            pass
    message = str(info.value)
    # The DataLoader rebuilds the error from its text, so the type survives,
    # with the worker's traceback and the ShapeError's sections in it.
    assert "Caught ShapeError in DataLoader worker process 0" in message
    assert expected in message
    assert expected.splitlines()[0] == "scale(): w does not match its annotation"


def _no_mode() -> contextlib.AbstractContextManager[None]:
    return contextlib.nullcontext()


MODES: dict[str, Callable[[], contextlib.AbstractContextManager[Any]]] = {
    "plain": _no_mode,
    "no-grad": torch.no_grad,
    "inference-mode": torch.inference_mode,
    "enable-grad": torch.enable_grad,
}


def _lstm_transposed(requires_grad: bool) -> None:
    params = get_lstm_params(7, 4, "cpu")
    inputs = torch.randn(3, 5, 7, requires_grad=requires_grad)  # [batch, steps, vocab]
    lstm(inputs, init_lstm_state(3, 4, "cpu"), params)


def _rnn_model_wrong_state(requires_grad: bool) -> None:
    model = RNNModel(nn.LSTM(5, 4, num_layers=2), 5)
    H = torch.zeros(2, 3, 6, requires_grad=requires_grad)  # hiddens 6, not 4
    model(torch.randint(0, 5, (3, 7)), (H, torch.zeros(2, 3, 4)))


def _scratch_gru_wrong_batch(requires_grad: bool) -> None:
    model = RNNModelScratch(5, 4, "cpu", get_gru_params, init_gru_state, gru)
    (H,) = model.begin_state(2, "cpu")
    model(torch.randint(0, 5, (3, 7)), (H.requires_grad_(requires_grad),))


UNITS: dict[str, tuple[Callable[[bool], None], str]] = {
    "lstm": (_lstm_transposed, "hint:     a transposition of inputs would match"),
    "rnn-model": (_rnn_model_wrong_state, "but hiddens=4 was bound by"),
    "scratch-gru": (_scratch_gru_wrong_batch, "dimension `batch` is 2 at state[0].shape[0]"),
}


# Every unit in every mode, with plain tensors and with tensors that require
# grad (but inference mode, where no tensor can require grad).
AUTOGRAD_CASES = {
    f"{unit}-{mode}-{'requires-grad' if requires_grad else 'data'}": (unit, mode, requires_grad)
    for unit in UNITS
    for mode in MODES
    for requires_grad in (False, True)
    if not (requires_grad and mode == "inference-mode")
}


@pytest.mark.parametrize(
    "unit, mode, requires_grad", list(AUTOGRAD_CASES.values()), ids=list(AUTOGRAD_CASES)
)
def test_autograd_modes__same_shape_error(unit: str, mode: str, requires_grad: bool) -> None:
    call, fragment = UNITS[unit]
    baseline = _shape_error_text(lambda: call(False))
    assert fragment in baseline
    with MODES[mode]():
        assert _shape_error_text(lambda: call(requires_grad)) == baseline


def _torch_save(module: nn.Module) -> nn.Module:
    buffer = io.BytesIO()
    torch.save(module, buffer)
    buffer.seek(0)
    loaded: nn.Module = torch.load(buffer, weights_only=False)
    return loaded


ROUND_TRIPS: dict[str, Callable[[nn.Module], nn.Module]] = {
    "deepcopy": copy.deepcopy,
    "pickle": lambda module: pickle.loads(pickle.dumps(module)),
    "torch-save": _torch_save,
}


@dataclass(frozen=True)
class ModelCase:
    build: Callable[[], nn.Module]
    state: Callable[[nn.Module, int], Any]  # (model, batch) -> a good state
    wrong_state: Callable[[], Any]  # a state for hiddens=6: wrong for every model here


def _scratch_lstm() -> nn.Module:
    return RNNModelScratch(5, 4, "cpu", get_lstm_params, init_lstm_state, lstm)


MODELS: dict[str, ModelCase] = {
    "rnn-model-gru": ModelCase(
        lambda: RNNModel(nn.GRU(5, 4), 5),
        lambda model, batch: model.begin_state("cpu", batch),
        lambda: torch.zeros(1, 3, 6),
    ),
    "rnn-model-lstm-bidirectional": ModelCase(
        lambda: RNNModel(nn.LSTM(5, 4, bidirectional=True), 5),
        lambda model, batch: model.begin_state("cpu", batch),
        lambda: (torch.zeros(2, 3, 6), torch.zeros(2, 3, 6)),
    ),
    "scratch-lstm": ModelCase(
        _scratch_lstm,
        lambda model, batch: model.begin_state(batch, "cpu"),
        lambda: init_lstm_state(3, 6, "cpu"),
    ),
}


@pytest.mark.parametrize("trip", list(ROUND_TRIPS), ids=list(ROUND_TRIPS))
@pytest.mark.parametrize("model_name", list(MODELS), ids=list(MODELS))
def test_round_trip__checked_module_still_runs_and_checks(model_name: str, trip: str) -> None:
    case = MODELS[model_name]
    torch.manual_seed(0)
    model = case.build()
    X = torch.randint(0, 5, (3, 7))
    copied = ROUND_TRIPS[trip](model)
    assert type(copied) is type(model)
    out, _ = model(X, case.state(model, 3))
    out_copied, _ = copied(X, case.state(copied, 3))
    assert torch.equal(out, out_copied)
    expected = _shape_error_text(lambda: model(X, case.wrong_state()))
    assert "hiddens" in expected
    assert _shape_error_text(lambda: copied(X, case.wrong_state())) == expected


def test_round_trip__params_namedtuple_of_a_copied_scratch_model_is_checked() -> None:
    model = pickle.loads(pickle.dumps(_scratch_lstm()))
    params = model.params
    assert isinstance(params, LSTMParams)
    bad = params._replace(b_q=torch.zeros(6))
    message = _shape_error_text(
        lambda: lstm(torch.zeros(7, 3, 5), init_lstm_state(3, 4, "cpu"), bad)
    )
    assert "params.b_q" in message


def test_shape_error__pickles_with_its_fields() -> None:
    error = pytest.raises(ShapeError, lambda: _lstm_transposed(False)).value
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is ShapeError
    assert str(again) == str(error)
    assert (again.dim, again.permutation, again.path) == (error.dim, error.permutation, "inputs")


def test_frames__empty_after_errors_in_every_unit() -> None:
    for call, _ in UNITS.values():
        with contextlib.suppress(ShapeError):
            call(False)
    assert _frames.stack == []


# The samples' README names every sample.
def test_samples__every_sample_is_described() -> None:
    readme = (SAMPLES / "README.md").read_text(encoding="utf-8")
    names = {path.stem for path in SAMPLES.glob("rb_*")}
    described = set(re.findall(r"`(rb_\w+)`", readme))
    assert names <= described, names - described
