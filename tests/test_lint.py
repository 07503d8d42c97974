"""The linter: planted problems found at their lines, coverage, targets, speed.

The sample packages under `tests/lint_samples/` mark each planted problem with
a `# <tag>` comment; the tables below say which finding each tag expects.
"""

import sys
import textwrap
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from shapecheck._lint import Finding, LintResult, lint
from shapecheck._target import TargetError

REPO = Path(__file__).resolve().parent.parent
SAMPLES = "tests/lint_samples"


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


@cache
def _lint(target: str) -> LintResult:
    return lint(target)


def _line(file: str, tag: str) -> int:
    lines = (REPO / file).read_text(encoding="utf-8").splitlines()
    found = [number for number, text in enumerate(lines, 1) if f"<{tag}>" in text]
    assert len(found) == 1, f"tag <{tag}> must appear once in {file}"
    return found[0]


# ----------------------------------------------------------------- planted


@dataclass(frozen=True)
class Planted:
    file: str  # under tests/lint_samples
    tag: str
    code: str
    message: str

    @property
    def finding(self) -> Finding:
        path = f"{SAMPLES}/{self.file}"
        return Finding(path, _line(path, self.tag), self.code, self.message)


GLOSSED = [
    Planted(
        "glossed/cells.py",
        "step-return",
        "SC301",
        'dim "hidden" in the return annotation of step is bound by no argument; '
        'did you mean "hiddens"?',
    ),
    Planted(
        "glossed/cells.py",
        "step-return",
        "SC401",
        'dim "hidden" is not in the glossary; did you mean "hiddens"?',
    ),
    Planted(
        "glossed/cells.py",
        "step-local",
        "SC301",
        'dim "steps" in local C of step is bound by no argument; bind it in an argument '
        'annotation, or with Annotated[int, Size("steps")]',
    ),
    Planted(
        "glossed/cells.py",
        "flatten-return",
        "SC301",
        'dim "steps*batch" in the return annotation of flatten uses "steps", '
        "which nothing binds before it",
    ),
    Planted(
        "glossed/cells.py",
        "begin-return",
        "SC301",
        'dim "batch" in the return annotation of Head.begin is bound by no argument; '
        'bind it in an argument annotation, or with Annotated[int, Size("batch")]',
    ),
    Planted(
        "glossed/cells.py",
        "hint-return",
        "SC301",
        'dim "vocb" in the return annotation of Head.hint is bound by no argument; '
        'did you mean "vocab"?',
    ),
    Planted(
        "glossed/cells.py",
        "hint-return",
        "SC401",
        'dim "vocb" is not in the glossary; did you mean "vocab"?',
    ),
    Planted(
        "glossed/malformed.py",
        "alias",
        "SC101",
        'invalid dimension string "batch# hiddens": `batch#`: the broadcast mark # goes '
        'before the name; did you mean "#batch hiddens"?',
    ),
    Planted(
        "glossed/malformed.py",
        "groups",
        "SC101",
        'invalid dimension string "*batch *steps": more than one variadic group '
        "(`*name` or `...`); a shape can have at most one",
    ),
    Planted(
        "glossed/malformed.py",
        "local",
        "SC101",
        'invalid dimension string "**batch": `**batch`: do not repeat `*`; did you mean "*batch"?',
    ),
    Planted(
        "glossed/strings.py",
        "scale",
        "SC201",
        'scale: bare Tensor in factor; give it a shape, e.g. Float[Tensor, "batch ..."]',
    ),
    Planted(
        "glossed/strings.py",
        "commas",
        "SC101",
        'invalid dimension string "batch, steps": dims are separated by spaces, not commas; '
        'did you mean "batch steps"?',
    ),
    Planted(
        "glossed/strings.py",
        "typo",
        "SC401",
        'dim "stpes" is not in the glossary; did you mean "steps"?',
    ),
    Planted(
        "glossed/strings.py",
        "unbound",
        "SC301",
        'dim "hidens" in the return annotation of unbound is bound by no argument; '
        'bind it in an argument annotation, or with Annotated[int, Size("hidens")]',
    ),
    Planted(
        "glossed/strings.py",
        "unbound",
        "SC401",
        'dim "hidens" is not in the glossary; did you mean "hiddens"?',
    ),
]

COVERAGE = [
    Planted(
        "coverage.py",
        "gaps",
        "SC201",
        'gaps: bare Tensor in x, y, return; give it a shape, e.g. Float[Tensor, "batch ..."]',
    ),
]

LOOSE = [
    Planted(
        "loose.py",
        "blur",
        "SC301",
        'dim "chanels" in the return annotation of blur is bound by no argument; '
        'did you mean "channels"?',
    ),
    Planted(
        "loose.py",
        "blur",
        "SC402",
        'dim "chanels" is used only once; did you mean "channels"?',
    ),
]


@dataclass(frozen=True)
class Target:
    target: str
    planted: list[Planted]
    functions: int
    covered: int
    coverage: float


TARGETS = {
    "package-dir": Target(f"{SAMPLES}/glossed", GLOSSED, 15, 14, 93.3),
    "package-dir-slash": Target(f"{SAMPLES}/glossed/", GLOSSED, 15, 14, 93.3),
    "one-file-of-package": Target(
        f"{SAMPLES}/glossed/cells.py",
        [p for p in GLOSSED if p.file == "glossed/cells.py"],
        8,
        8,
        100.0,
    ),
    "coverage-2-of-3": Target(f"{SAMPLES}/coverage.py", COVERAGE, 3, 2, 66.7),
    "no-glossary": Target(f"{SAMPLES}/loose.py", LOOSE, 2, 2, 100.0),
}

PLANTED = [
    pytest.param(key, planted, id=f"{key}:{planted.tag}:{planted.code}")
    for key in ("package-dir", "coverage-2-of-3", "no-glossary")
    for planted in TARGETS[key].planted
]


@pytest.mark.parametrize(("key", "planted"), PLANTED)
def test_lint__finds_planted(key: str, planted: Planted) -> None:
    assert planted.finding in _lint(TARGETS[key].target).findings


@pytest.mark.parametrize("key", list(TARGETS))
def test_lint__finds_nothing_else(key: str) -> None:
    case = TARGETS[key]
    expected = sorted(
        (planted.finding for planted in case.planted), key=lambda f: (f.file, f.line, f.code)
    )
    assert list(_lint(case.target).findings) == expected


@pytest.mark.parametrize("key", list(TARGETS))
def test_lint__coverage(key: str) -> None:
    case = TARGETS[key]
    result = _lint(case.target)
    assert (result.functions, result.covered, result.coverage) == (
        case.functions,
        case.covered,
        case.coverage,
    )


@pytest.mark.parametrize(
    ("functions", "covered", "coverage"),
    [(0, 0, 100.0), (3, 2, 66.7), (3, 1, 33.3), (8, 8, 100.0), (7, 0, 0.0)],
    ids=["none", "2-of-3", "1-of-3", "all", "nothing-covered"],
)
def test_lint_result__coverage(functions: int, covered: int, coverage: float) -> None:
    assert LintResult((), functions, covered).coverage == coverage


def test_finding__str() -> None:
    finding = Finding("models/lstm.py", 12, "SC401", 'dim "x" is not in the glossary')
    assert str(finding) == 'models/lstm.py:12: SC401 dim "x" is not in the glossary'


# ------------------------------------------------------------------ targets


def _write(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")


@pytest.mark.parametrize(
    ("target", "same_as"),
    [
        ("glossed", f"{SAMPLES}/glossed"),
        ("glossed.cells", f"{SAMPLES}/glossed/cells.py"),
        ("glossed.cells:Head", f"{SAMPLES}/glossed/cells.py"),
        ("loose", f"{SAMPLES}/loose.py"),
    ],
    ids=["package", "submodule", "module-colon-object", "top-module"],
)
def test_lint__module_name_searched_on_sys_path(
    target: str, same_as: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(REPO / SAMPLES))
    assert lint(target) == _lint(same_as)
    assert not any(name == "glossed" or name.startswith("glossed.") for name in sys.modules)


def test_lint__module_name_current_directory_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, {"loose.py": "from torch import Tensor\n\ndef f(x: Tensor) -> None: ...\n"})
    monkeypatch.syspath_prepend(str(REPO / SAMPLES))
    monkeypatch.chdir(tmp_path)
    assert [f.code for f in lint("loose").findings] == ["SC201"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no_such_module", "cannot find module 'no_such_module'"),
        ("models.no_such_module", "cannot find module 'models.no_such_module'"),
        ("tests/no_such_file.py", "target 'tests/no_such_file.py' does not exist"),
        ("tests/no_such_dir/", "does not exist"),
        ("not-a-name", "is neither a module name nor a path"),
        (f"{SAMPLES}/README.md", "is not a Python file"),
    ],
    ids=["module", "submodule", "file", "folder", "bad-name", "not-python"],
)
def test_lint__missing_target(target: str, message: str) -> None:
    with pytest.raises(TargetError, match=message) as raised:
        lint(target)
    assert "\n" not in str(raised.value)


def test_lint__syntax_error_is_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/broken.py": "x = 1\n\ndef f(:\n    pass\n",
            "pkg/fine.py": """\
                from torch import Tensor

                def g(x: Tensor) -> None: ...
            """,
        },
    )
    monkeypatch.chdir(tmp_path)
    result = lint("pkg")
    assert [(f.file, f.line, f.code) for f in result.findings] == [
        ("pkg/broken.py", 3, "SC001"),
        ("pkg/fine.py", 3, "SC201"),
    ]
    assert result.findings[0].message.startswith("syntax error: ")


def test_lint__never_imports_the_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(
        tmp_path,
        {
            "explodes/__init__.py": "raise SystemExit('imported')\n",
            "explodes/ops.py": """\
                import sys
                from jaxtyping import Float
                from torch import Tensor

                sys.exit(3)

                def f(x: Float[Tensor, "n"]) -> Float[Tensor, "n"]: ...
            """,
        },
    )
    monkeypatch.chdir(tmp_path)
    result = lint("explodes")
    assert (result.findings, result.functions, result.covered) == ((), 1, 1)
    assert "explodes" not in sys.modules


def test_lint__syntax_warnings_are_not_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, {"m.py": 'import re\n\nPATTERN = re.compile("\\d+")\n'})
    monkeypatch.chdir(tmp_path)
    assert lint("m").findings == ()


def test_lint__files_outside_the_current_directory_are_absolute(tmp_path: Path) -> None:
    _write(tmp_path, {"m.py": "from torch import Tensor\n\ndef f(x: Tensor) -> None: ...\n"})
    (finding,) = lint(str(tmp_path / "m.py")).findings
    assert finding.file == (tmp_path / "m.py").resolve().as_posix()


# ------------------------------------------------------------------ the rules


def _findings(tmp_path: Path, source: str, extra: dict[str, str] | None = None) -> list[str]:
    files = {"pkg/__init__.py": "", "pkg/mod.py": source, **(extra or {})}
    _write(tmp_path, files)
    result = lint(str(tmp_path / "pkg"))
    return [f"{f.line}: {f.code} {f.message}" for f in result.findings]


HEADER = """\
from collections.abc import Callable, Iterator
from typing import Annotated, Optional, Union

import torch
from jaxtyping import Float, Int, Shaped
from torch import Tensor

from shapecheck import Size
"""

SC301 = {
    "return-new-name-when-args-bind": (
        'def f(x: Float[Tensor, "a b"]) -> Float[Tensor, "a c"]: ...',
        [
            'dim "c" in the return annotation of f is bound by no argument; bind it in an '
            'argument annotation, or with Annotated[int, Size("c")]'
        ],
    ),
    "near-miss-suggested": (
        'def f(x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hidden"]: ...',
        [
            'dim "hidden" in the return annotation of f is bound by no argument; '
            'did you mean "hiddens"?'
        ],
    ),
    "factory-binds-nothing": (
        'def f(n: int) -> tuple[Float[Tensor, "a b"], Int[Tensor, "a"]]: ...',
        [],
    ),
    "symbolic-over-unbound": (
        'def f(n: int) -> Float[Tensor, "a 2*k"]: ...',
        ['dim "2*k" in the return annotation of f uses "k", which nothing binds before it'],
    ),
    "symbolic-over-earlier-dim": (
        'def f(n: int) -> Float[Tensor, "k 2*k"]: ...',
        [],
    ),
    "symbolic-over-bound": (
        'def f(x: Float[Tensor, "a b"]) -> Float[Tensor, "a*b"]: ...',
        [],
    ),
    "size-binds": (
        'def f(x: Float[Tensor, "b"], n: Annotated[int, Size("a")]) -> Float[Tensor, "a b"]: ...',
        [],
    ),
    "size-alias-binds": (
        'N = Annotated[int, Size("a")]\n\n'
        'def f(x: Float[Tensor, "b"], n: N) -> Float[Tensor, "a"]: ...',
        [],
    ),
    "variadic-binds": (
        'def f(x: Float[Tensor, "*batch c"]) -> Float[Tensor, "*batch"]: ...',
        [],
    ),
    "local-reported-once": (
        'def f(x: Float[Tensor, "a"]) -> Float[Tensor, "a z"]:\n'
        '    y: Float[Tensor, "a z"] = x\n'
        "    if x:\n"
        '        w: Float[Tensor, "z"] = x\n'
        "    return y",
        [
            'dim "z" in local y of f is bound by no argument; bind it in an argument '
            'annotation, or with Annotated[int, Size("z")]'
        ],
    ),
    "anonymous-and-fixed": (
        'def f(x: Float[Tensor, "a"]) -> Float[Tensor, "a _ _rest 3 rows=4 ..."]: ...',
        [],
    ),
    "nested-function-ignored": (
        'def f(x: Float[Tensor, "a"]) -> None:\n'
        '    def g(y: Float[Tensor, "a"]) -> Float[Tensor, "zz"]: ...',
        [],
    ),
    "namedtuple-fields-bind": (
        "from typing import NamedTuple\n\n"
        'class P(NamedTuple):\n    w: Float[Tensor, "a b"]\n\n'
        'def f(x: Float[Tensor, "a"], p: P) -> Float[Tensor, "b"]: ...',
        [],
    ),
    "plain-class-fields-do-not-bind": (
        'class P:\n    w: Float[Tensor, "a b"]\n\n'
        'def f(x: Float[Tensor, "a"], p: P) -> Float[Tensor, "b"]: ...',
        [
            'dim "b" in the return annotation of f is bound by no argument; bind it in an '
            'argument annotation, or with Annotated[int, Size("b")]'
        ],
    ),
    "dataclass-fields-bind": (
        "from dataclasses import dataclass\n\n"
        '@dataclass\nclass P:\n    w: Float[Tensor, "a b"]\n\n'
        'def f(x: Float[Tensor, "a"], p: P) -> Float[Tensor, "b"]: ...',
        [],
    ),
    "shapecheck-dims-bind-with-fstring": (
        "class M:\n"
        "    k = 2\n\n"
        '    def __shapecheck_dims__(self) -> dict[str, int]:\n        return {"v": 3}\n\n'
        '    def f(self, x: Float[Tensor, "a"]) -> Float[Tensor, "a {self.k}*v"]: ...',
        [],
    ),
    "shapecheck-dims-from-imported-base": (
        "from .base import Base\n\n"
        "class M(Base):\n"
        '    def f(self, x: Float[Tensor, "a"]) -> Float[Tensor, "a v"]: ...',
        [],
    ),
}

SC301_EXTRA = {
    "pkg/base.py": "class Base:\n    def __shapecheck_dims__(self):\n        return dict(v=3)\n"
}


@pytest.mark.parametrize(("source", "messages"), list(SC301.values()), ids=list(SC301))
def test_sc301__rule(tmp_path: Path, source: str, messages: list[str]) -> None:
    findings = _findings(tmp_path, HEADER + "\n\n" + source + "\n", SC301_EXTRA)
    assert [f.split(" ", 2)[2] for f in findings if " SC301 " in f] == messages


SC201 = {
    "bare-param": ("def f(x: Tensor) -> None: ...", "x"),
    "qualified": ("def f(x: torch.Tensor) -> None: ...", "x"),
    "optional": ("def f(x: Optional[Tensor]) -> None: ...", "x"),
    "union": ('def f(x: Union[int, Tensor]) -> Float[Tensor, "a"]: ...', "x"),
    "pipe-union": ("def f(x: int | Tensor) -> None: ...", "x"),
    "in-tuple": (
        'def f(x: Float[Tensor, "a"]) -> tuple[Float[Tensor, "a"], Tensor]: ...',
        "return",
    ),
    "in-list": ("def f(x: list[Tensor], y: int) -> None: ...", "x"),
    "string": ("def f(x: 'Tensor') -> 'Tensor': ...", "x, return"),
    "alias": ("T = tuple[Tensor, ...]\n\ndef f(x: T) -> None: ...", "x"),
    "varargs": ("def f(*xs: Tensor, **kw: Tensor) -> None: ...", "xs, kw"),
    "method": ("class C:\n    def f(self, x: Tensor) -> None: ...", "x"),
    "shaped-counts": ('def f(x: Shaped[Tensor, "..."]) -> None: ...', None),
    "callable-skipped": (
        'def f(g: Callable[[Tensor], Tensor], x: Int[Tensor, "a"]) -> None: ...',
        None,
    ),
    "unannotated-skipped": ('def f(x, y: Int[Tensor, "a"]) -> None: ...', None),
    "nested-skipped": ("def f() -> None:\n    def g(x: Tensor) -> Tensor: ...", None),
}


@pytest.mark.parametrize(("source", "names"), list(SC201.values()), ids=list(SC201))
def test_sc201__bare_tensors(tmp_path: Path, source: str, names: str | None) -> None:
    findings = [f for f in _findings(tmp_path, HEADER + "\n\n" + source + "\n") if "SC201" in f]
    if names is None:
        assert findings == []
    else:
        (finding,) = findings
        assert f": bare Tensor in {names};" in finding


SC4 = {
    "glossary-near-miss": (
        'from shapecheck import Registry\n\nR = Registry(dims={"batch": "b", "hiddens": "h"})\n\n'
        'def f(x: Float[Tensor, "batch hidden"]) -> Float[Tensor, "batch hidden"]: ...',
        ['SC401 dim "hidden" is not in the glossary; did you mean "hiddens"?'],
    ),
    "glossary-no-match": (
        'import shapecheck\n\nR = shapecheck.Registry(dims=dict(batch="b"))\n\n'
        'def f(x: Float[Tensor, "batch width"]) -> Float[Tensor, "batch width"]: ...',
        ['SC401 dim "width" is not in the glossary; add it to Registry(dims=...)'],
    ),
    "glossary-checks-size-names": (
        'from shapecheck import Registry\n\nR = Registry(dims={"batch": "b"})\n\n'
        'B = Annotated[int, Size("btach")]',
        ['SC401 dim "btach" is not in the glossary; did you mean "batch"?'],
    ),
    "used-once": (
        'def f(x: Float[Tensor, "width"]) -> Float[Tensor, "width"]: ...\n\n'
        'def g(x: Float[Tensor, "widht"]) -> None: ...',
        ['SC402 dim "widht" is used only once; did you mean "width"?'],
    ),
    "used-once-underscore-skipped": (
        'def g(x: Annotated[int, Size("_private")]) -> None: ...',
        [],
    ),
    "used-once-glossary-skipped": (
        'from shapecheck import Registry\n\nR = Registry(dims={"batch": "b"})\n\n'
        'def g(x: Float[Tensor, "batch"]) -> None: ...',
        [],
    ),
}


@pytest.mark.parametrize(("source", "messages"), list(SC4.values()), ids=list(SC4))
def test_sc4xx__glossary_and_single_use(tmp_path: Path, source: str, messages: list[str]) -> None:
    findings = _findings(tmp_path, HEADER + "\n\n" + source + "\n")
    assert [f.split(" ", 1)[1] for f in findings if " SC4" in f] == messages


# ------------------------------------------------------------------- models


def test_lint__models_is_clean() -> None:
    result = lint("models")
    assert [str(f) for f in result.findings] == []
    assert result.functions > 20
    assert result.coverage == 100.0


def test_lint__models_is_fast() -> None:
    lint("models")  # the first call reads nothing more than later ones; warm the OS cache
    start = time.perf_counter()
    lint("models")
    assert time.perf_counter() - start < 0.5
