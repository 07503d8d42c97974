"""The linter: planted problems found at their lines, coverage, targets, suppressions, speed.

The sample packages under `tests/lint_samples/` mark each planted problem with
a `# <tag>` comment; the tables below say which finding each tag expects.
"""

import sys
import textwrap
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from shapecheck._lint import CODES, Finding, LintResult, lint
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


SUPPRESSED = [
    Planted(
        "suppressed.py",
        "add-batch-dim",
        "SC303",
        'dim "batch2" in the return annotation of add_batch_dim is a single dim, but argument '
        'other (line 12) has the variadic group "*batch2"; jaxtyping keeps variadic groups and '
        'single dims apart and never compares them: write "*batch2" in both, or rename one',
    ),
    Planted(
        "suppressed.py",
        "s",
        "SC301",
        'dim "R" in the return annotation of shift is bound by no argument; bind it in an '
        'argument annotation, or with Annotated[int, Size("R")]',
    ),
    Planted("suppressed.py", "s", "SC402", 'dim "R" is used only once'),
    Planted(
        "suppressed.py",
        "t",
        "SC002",
        'unknown code "SC3O1" in suppression; did you mean "SC301"? known codes: '
        "SC001, SC002, SC101, SC201, SC301, SC303, SC401, SC402",
    ),
    Planted(
        "suppressed.py",
        "t",
        "SC301",
        'dim "W" in the return annotation of typo is bound by no argument; bind it in an '
        'argument annotation, or with Annotated[int, Size("W")]',
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
    # `scale` has a bare Tensor: its SC201 is silenced, it is still not covered.
    "suppressions": Target(f"{SAMPLES}/suppressed.py", SUPPRESSED, 6, 5, 83.3),
}

PLANTED = [
    pytest.param(key, planted, id=f"{key}:{planted.tag}:{planted.code}")
    for key in ("package-dir", "coverage-2-of-3", "no-glossary", "suppressions")
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


# ------------------------------------------------------------- suppressions


def _lint_pkg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], **options: Any
) -> LintResult:
    """Lint `pkg` in `tmp_path`, the current directory: findings name `pkg/...`."""
    _write(tmp_path, {"pkg/__init__.py": "", **files})
    monkeypatch.chdir(tmp_path)
    return lint("pkg", **options)


def _at(source: str, tag: str) -> int:
    """The line of `source` holding `<tag>`, once."""
    found = [n for n, text in enumerate(source.splitlines(), 1) if f"<{tag}>" in text]
    assert len(found) == 1, tag
    return found[0]


def _codes_at(result: LintResult) -> list[tuple[str, int, str]]:
    return [(f.file, f.line, f.code) for f in result.findings]


# Two functions, each with an SC301 in a local and one in its return; `c` and
# `d` are used twice, so there is no SC402. `{D}`, `{H1}` ... `{B}`: the
# places a comment can go in `f`.
TWO_FUNCTIONS = (
    HEADER
    + """

def deco(fn):
    return fn


@deco  {D}
def f(  {H1}
    x: Float[Tensor, "a b"],  {H2}
) -> Float[Tensor, "a c"]:  {H3} <f-return>
    y: Float[Tensor, "a d"] = x  {B} <f-local>
    return x


def g(x: Float[Tensor, "a b"]) -> Float[Tensor, "a c"]:  # <g-return>
    y: Float[Tensor, "a d"] = x  # <g-local>
    return x
"""
)
PLACES = ("D", "H1", "H2", "H3", "B")


def _two_functions(place: str | None, comment: str) -> str:
    marks = {key: ("" if key != place else comment) for key in PLACES}
    return TWO_FUNCTIONS.format(**{key: f"{value} #" for key, value in marks.items()})


@pytest.mark.parametrize(
    ("place", "silenced"),
    [
        (None, []),
        ("D", ["f-return", "f-local"]),
        ("H1", ["f-return", "f-local"]),
        ("H2", ["f-return", "f-local"]),
        ("H3", ["f-return", "f-local"]),
        ("B", ["f-local"]),
    ],
    ids=["no-comment", "decorator", "def-line", "header-middle", "header-end", "body-line"],
)
def test_suppress__def_header_covers_the_function_a_body_line_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, place: str | None, silenced: list[str]
) -> None:
    source = _two_functions(place, "# shapecheck: ignore[SC301]")
    result = _lint_pkg(tmp_path, monkeypatch, {"pkg/mod.py": source})
    tags = ["f-local", "f-return", "g-local", "g-return"]
    expected = sorted(_at(source, tag) for tag in tags if tag not in silenced)
    assert [(f.line, f.code) for f in result.findings] == [(line, "SC301") for line in expected]
    assert result.suppressed == len(silenced)
    assert (result.functions, result.covered) == (2, 2)


@pytest.mark.parametrize(
    ("comment", "left", "suppressed"),
    [
        ("# shapecheck: ignore[SC301]", ["SC402"], 1),
        ("# shapecheck: ignore[SC402]", ["SC301"], 1),
        ("# shapecheck: ignore[SC301, SC402]", [], 2),
        ("# shapecheck: ignore[SC402,SC301]", [], 2),
        ("# shapecheck: ignore", [], 2),
        ("#shapecheck:ignore[SC301]  # the sizes come from a file", ["SC402"], 1),
        ("# noqa: E501  # shapecheck: ignore[SC301]", ["SC402"], 1),
        ("# shapecheck: ignore[SC201]", ["SC301", "SC402"], 0),
        ("# shapecheck: ignored", ["SC301", "SC402"], 0),
        ("# see shapecheck: ignore", ["SC301", "SC402"], 0),
    ],
    ids=[
        "one-code",
        "other-code",
        "two-codes",
        "two-codes-no-space",
        "bare",
        "no-spaces-and-a-reason",
        "after-another-comment",
        "code-not-on-the-line",
        "ignored-is-not-ignore",
        "not-at-comment-start",
    ],
)
def test_suppress__on_a_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    comment: str,
    left: list[str],
    suppressed: int,
) -> None:
    source = (
        HEADER + "\n\n"
        'def f(x: Float[Tensor, "a b"]) -> Float[Tensor, "a b"]:\n'
        f'    y: Float[Tensor, "a once"] = x  {comment}\n'
        '    z: Float[Tensor, "a b"] = x\n'
        "    return x\n"
    )
    result = _lint_pkg(tmp_path, monkeypatch, {"pkg/mod.py": source})
    line = len(HEADER.splitlines()) + 4
    assert _codes_at(result) == [("pkg/mod.py", line, code) for code in left]
    assert result.suppressed == suppressed


def test_suppress__other_functions_and_lines_keep_their_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = HEADER + textwrap.dedent(
        """

        class Cell:
            def step(self, x: Tensor) -> Tensor:  # shapecheck: ignore[SC201]
                def inner(y: Float[Tensor, "a"]) -> Float[Tensor, "a"]:
                    return y

                return inner(x)

            def other(self, x: Tensor) -> Tensor:  # <other>
                return x


        def top(x: Tensor) -> Tensor:  # <top>
            return x
        """
    )
    result = _lint_pkg(tmp_path, monkeypatch, {"pkg/mod.py": source})
    assert _codes_at(result) == [
        ("pkg/mod.py", _at(source, "other"), "SC201"),
        ("pkg/mod.py", _at(source, "top"), "SC201"),
    ]
    assert result.suppressed == 1
    # Coverage does not change: `step` still has a bare Tensor.
    assert (result.functions, result.covered, result.coverage) == (3, 0, 0.0)


@pytest.mark.parametrize(
    "code",
    [
        'y: Float[Tensor, "a c"] = "# shapecheck: ignore"',
        "y: Float[Tensor, \"a c\"] = f'# shapecheck: ignore[SC301] {x}'",
        'y: Float[Tensor, "a c"] = x; s = "# shapecheck: ignore"',
    ],
    ids=["string", "f-string", "after-a-statement"],
)
def test_suppress__hash_in_a_string_is_no_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    source = (
        HEADER + "\n\n"
        'def f(x: Float[Tensor, "a"]) -> Float[Tensor, "a c"]:\n'
        f"    {code}\n"
        "    return x\n"
    )
    result = _lint_pkg(tmp_path, monkeypatch, {"pkg/mod.py": source})
    assert _codes_at(result) == [("pkg/mod.py", len(HEADER.splitlines()) + 4, "SC301")]
    assert result.suppressed == 0


def test_suppress__hash_in_a_default_string_of_a_def_is_no_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        HEADER + "\n\n"
        'def f(x: Float[Tensor, "a"], s: str = "# shapecheck: ignore") -> Float[Tensor, "c"]:\n'
        '    y: Float[Tensor, "a c"] = x\n'
        "    return x\n"
    )
    result = _lint_pkg(tmp_path, monkeypatch, {"pkg/mod.py": source})
    line = len(HEADER.splitlines()) + 4  # the local, read before the return
    assert _codes_at(result) == [("pkg/mod.py", line, "SC301")]
    assert result.suppressed == 0


KNOWN = "SC001, SC002, SC101, SC201, SC301, SC303, SC401, SC402"


@pytest.mark.parametrize(
    ("comment", "messages", "left"),
    [
        (
            "# shapecheck: ignore[SC3O1]",
            [f'unknown code "SC3O1" in suppression; did you mean "SC301"? known codes: {KNOWN}'],
            ["SC301", "SC402"],
        ),
        (
            "# shapecheck: ignore[SC3O1, SC402]",
            [f'unknown code "SC3O1" in suppression; did you mean "SC301"? known codes: {KNOWN}'],
            ["SC301"],
        ),
        (
            "# shapecheck: ignore[sc301, E501]",
            [
                f'unknown code "sc301" in suppression; did you mean "SC301"? known codes: {KNOWN}',
                f'unknown code "E501" in suppression; known codes: {KNOWN}',
            ],
            ["SC301", "SC402"],
        ),
        (
            "# shapecheck: ignore[]",
            [
                'suppression "# shapecheck: ignore[]" names no code; '
                'write "# shapecheck: ignore" to silence every code'
            ],
            ["SC301", "SC402"],
        ),
        (
            "# shapecheck: ignore[SC301",
            ['suppression "# shapecheck: ignore[SC301" has no closing "]"'],
            ["SC301", "SC402"],
        ),
    ],
    ids=["typo", "typo-and-a-known-code", "two-unknown", "empty", "unclosed"],
)
def test_suppress__bad_comment_is_sc002(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    comment: str,
    messages: list[str],
    left: list[str],
) -> None:
    source = (
        HEADER + "\n\n"
        'def f(x: Float[Tensor, "a b"]) -> Float[Tensor, "a b"]:\n'
        f'    y: Float[Tensor, "a once"] = x  {comment}\n'
        "    return x\n"
    )
    result = _lint_pkg(tmp_path, monkeypatch, {"pkg/mod.py": source})
    line = len(HEADER.splitlines()) + 4
    findings = [(f.line, f.code, f.message) for f in result.findings]
    assert [(n, c) for n, c, _ in findings] == sorted(
        [(line, "SC002")] * len(messages) + [(line, code) for code in left]
    )
    assert sorted(m for _, c, m in findings if c == "SC002") == sorted(messages)


def test_suppress__sc002_is_not_silenced_by_a_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        HEADER + "\n\n"
        'def f(x: Float[Tensor, "a b"]) -> Float[Tensor, "a b"]:  # shapecheck: ignore\n'
        '    y: Float[Tensor, "a once"] = x  # shapecheck: ignore[SC002, SC3O1]\n'
        "    return x\n"
    )
    result = _lint_pkg(tmp_path, monkeypatch, {"pkg/mod.py": source})
    assert [(f.line, f.code) for f in result.findings] == [(len(HEADER.splitlines()) + 4, "SC002")]
    assert result.suppressed == 2  # SC301 and SC402 of `once`
    quiet = _lint_pkg(tmp_path, monkeypatch, {"pkg/mod.py": source}, ignore=["SC002"])
    assert (quiet.findings, quiet.suppressed) == ((), 3)


# ------------------------------------------------------- configured ignores

CONFIGURED = {
    "pkg/mod.py": HEADER + '\n\ndef f(x: Float[Tensor, "a b"]) -> Float[Tensor, "a c"]: ...\n',
    "pkg/gen/__init__.py": "",
    "pkg/gen/made.py": HEADER
    + '\n\ndef g(x: Float[Tensor, "a b"]) -> Float[Tensor, "a c"]: ...\n'
    + "\n\ndef h(x: Tensor) -> None: ...\n",
}
_F = len(HEADER.splitlines()) + 3  # the line of f, and of g
_H = _F + 3  # the line of h
ALL_CONFIGURED = [
    ("pkg/gen/made.py", _F, "SC301"),
    ("pkg/gen/made.py", _H, "SC201"),
    ("pkg/mod.py", _F, "SC301"),
]


@pytest.mark.parametrize(
    ("options", "left"),
    [
        ({}, ALL_CONFIGURED),
        ({"ignore": ["SC301"]}, [ALL_CONFIGURED[1]]),
        ({"ignore": ("SC301", "SC201")}, []),
        ({"per_file_ignores": {"pkg/gen/*.py": ["SC301"]}}, ALL_CONFIGURED[1:]),
        ({"per_file_ignores": {"./pkg/gen/*": ["SC301", "SC201"]}}, ALL_CONFIGURED[2:]),
        ({"per_file_ignores": {"pkg/*": ["SC201"]}}, [ALL_CONFIGURED[0], ALL_CONFIGURED[2]]),
        ({"per_file_ignores": {"gen/*.py": ["SC301"]}}, ALL_CONFIGURED),
        ({"per_file_ignores": {"pkg/GEN/*.py": ["SC301"]}}, ALL_CONFIGURED),
        ({"per_file_ignores": {"*/mod.py": ["SC301"]}}, ALL_CONFIGURED[:2]),
        (
            {"ignore": ["SC201"], "per_file_ignores": {"pkg/mod.py": ["SC301"]}},
            [ALL_CONFIGURED[0]],
        ),
    ],
    ids=[
        "none",
        "ignore",
        "ignore-two",
        "per-file",
        "per-file-dot-slash",
        "per-file-star-crosses-folders",
        "per-file-relative-to-cwd-not-package",
        "per-file-case-sensitive",
        "per-file-leading-star",
        "both",
    ],
)
def test_ignores__configured(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    options: dict[str, Any],
    left: list[tuple[str, int, str]],
) -> None:
    result = _lint_pkg(tmp_path, monkeypatch, CONFIGURED, **options)
    assert _codes_at(result) == left
    assert result.suppressed == len(ALL_CONFIGURED) - len(left)
    # Coverage does not change: `h` has a bare Tensor, ignored or not.
    assert (result.functions, result.covered) == (3, 2)


def test_ignores__add_up_with_comments_once_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "pkg/mod.py": HEADER
        + '\n\ndef f(x: Float[Tensor, "a b"]) -> Float[Tensor, "a c"]: ...  # shapecheck: ignore\n'
        + '\n\ndef g(x: Float[Tensor, "a b"]) -> Float[Tensor, "a c"]: ...\n'
    }
    result = _lint_pkg(tmp_path, monkeypatch, files, ignore=["SC301"])
    assert (result.findings, result.suppressed) == ((), 2)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ignore": ["SC999"]}, f"unknown lint code 'SC999' in ignore; known codes: {KNOWN}"),
        (
            {"ignore": ["SC301", "sc402"]},
            f"unknown lint code 'sc402' in ignore; known codes: {KNOWN}",
        ),
        (
            {"per_file_ignores": {"tests/*.py": ["SC31"]}},
            f"unknown lint code 'SC31' in per_file_ignores['tests/*.py']; known codes: {KNOWN}",
        ),
        ({"ignore": "SC301"}, "ignore must be a list of codes, not the string 'SC301'"),
        (
            {"per_file_ignores": {"a/*": "SC301"}},
            "per_file_ignores['a/*'] must be a list of codes, not the string 'SC301'",
        ),
        (
            {"ignore": ["SC301\nSC402"]},
            f"unknown lint code 'SC301\\nSC402' in ignore; known codes: {KNOWN}",
        ),
    ],
    ids=["unknown", "lower-case", "per-file", "string", "per-file-string", "newline"],
)
def test_ignores__unknown_code_is_a_value_error(options: dict[str, Any], message: str) -> None:
    # Checked before the target is read: this one does not exist.
    with pytest.raises(ValueError) as raised:
        lint("no_such_module", **options)
    assert str(raised.value) == message
    assert "\n" not in str(raised.value)


def test_codes__every_code_is_documented() -> None:
    assert list(CODES) == KNOWN.split(", ")
    table = (REPO / "docs/verify.md").read_text(encoding="utf-8")
    for code in CODES:
        assert f"| {code} |" in table, code


# --------------------------------------------------------------------- SC303

SC303 = {
    "block-diag": (
        'def f(\n    other: Float[Tensor, "*batch2 m n"],  # <first>\n'
        ') -> Float[Tensor, "batch2 m"]:  # <here>\n    ...',
        'dim "batch2" in the return annotation of f is a single dim, but argument other '
        '(line {first}) has the variadic group "*batch2"; jaxtyping keeps variadic groups and '
        'single dims apart and never compares them: write "*batch2" in both, or rename one',
    ),
    "single-then-variadic": (
        'def f(x: Float[Tensor, "b n"], y: Float[Tensor, "*b n"]) -> None: ...  # <here>',
        'dim "*b" in argument y of f is a variadic group, but argument x has the single dim '
        '"b"; jaxtyping keeps variadic groups and single dims apart and never compares them: '
        'write "*b" in both, or rename one',
    ),
    "one-dim-string": (
        'def f(x: Float[Tensor, "*b b"]) -> None: ...  # <here>',
        'dim "b" in argument x of f is a single dim, but argument x has the variadic group '
        '"*b"; jaxtyping keeps variadic groups and single dims apart and never compares them: '
        'write "*b" in both, or rename one',
    ),
    "local": (
        'def f(x: Float[Tensor, "*b n"]) -> Float[Tensor, "*b n"]:  # <first>\n'
        '    y: Float[Tensor, "b n"] = x  # <here>\n'
        "    return x",
        'dim "b" in local y of f is a single dim, but argument x (line {first}) has the '
        'variadic group "*b"; jaxtyping keeps variadic groups and single dims apart and never '
        'compares them: write "*b" in both, or rename one',
    ),
    "expression": (
        'def f(x: Float[Tensor, "*b n"]) -> Float[Tensor, "2*b n"]: ...  # <here>',
        'dim "2*b" in the return annotation of f uses "b" as a single dim, but argument x has '
        'the variadic group "*b"; jaxtyping keeps variadic groups and single dims apart and '
        "never compares them: rename one: an expression can use single dims only",
    ),
    "expression-first": (
        'def f(x: Float[Tensor, "n"], y: Float[Tensor, "n+1"], z: Float[Tensor, "*n"]) -> None:'
        " ...  # <here>",
        'dim "*n" in argument z of f is a variadic group, but argument x has the single dim '
        '"n"; jaxtyping keeps variadic groups and single dims apart and never compares them: '
        'write "*n" in both, or rename one',
    ),
    "alias-and-method": (
        'Batched = Float[Tensor, "*batch m n"]\n\n'
        "class Op:\n"
        '    def f(self, x: Batched) -> Float[Tensor, "batch m"]: ...  # <here>',
        'dim "batch" in the return annotation of Op.f is a single dim, but argument x has the '
        'variadic group "*batch"; jaxtyping keeps variadic groups and single dims apart and '
        'never compares them: write "*batch" in both, or rename one',
    ),
    "broadcast-variadic": (
        'def f(x: Float[Tensor, "#*b n"], y: Float[Tensor, "#b"]) -> None: ...  # <here>',
        'dim "b" in argument y of f is a single dim, but argument x has the variadic group '
        '"*b"; jaxtyping keeps variadic groups and single dims apart and never compares them: '
        'write "*b" in both, or rename one',
    ),
}


@pytest.mark.parametrize(("source", "message"), list(SC303.values()), ids=list(SC303))
def test_sc303__variadic_used_as_a_single_dim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, message: str
) -> None:
    text = HEADER + "\n\n" + source + "\n"
    result = _lint_pkg(tmp_path, monkeypatch, {"pkg/mod.py": text})
    found = [(f.line, f.message) for f in result.findings if f.code == "SC303"]
    first = _at(text, "first") if "<first>" in text else None
    assert found == [(_at(text, "here"), message.format(first=first))]
    assert [f.code for f in result.findings if f.code not in ("SC303", "SC402")] == []


SC303_NEGATIVES = {
    "variadic-everywhere": (
        'def f(x: Float[Tensor, "*batch m n"], y: Float[Tensor, "*batch n"])'
        ' -> Float[Tensor, "*batch m"]:\n'
        '    z: Float[Tensor, "*batch m"] = x[..., 0]\n'
        "    return z"
    ),
    "single-everywhere": (
        'def f(x: Float[Tensor, "batch m n"], y: Float[Tensor, "batch n"])'
        ' -> Float[Tensor, "batch 2*batch"]:\n'
        '    z: Float[Tensor, "batch m"] = x[..., 0]\n'
        "    return z"
    ),
    "each-way-in-another-function": (
        'def f(x: Float[Tensor, "*batch m"]) -> Float[Tensor, "*batch m"]: ...\n\n'
        'def g(x: Float[Tensor, "batch m"]) -> Float[Tensor, "batch m"]: ...'
    ),
    "anonymous-variadic": (
        'def f(x: Float[Tensor, "... m"], y: Float[Tensor, "*_ m"]) -> Float[Tensor, "_ m"]: ...'
    ),
    "callable-not-this-signature": (
        'def f(x: Float[Tensor, "*batch m"],'
        ' g: Callable[[Float[Tensor, "batch"]], Float[Tensor, "batch"]]) -> None: ...'
    ),
    "nested-function-not-read": (
        'def f(x: Float[Tensor, "*batch m"]) -> Float[Tensor, "*batch m"]:\n'
        '    def g(y: Float[Tensor, "batch"]) -> Float[Tensor, "batch"]: ...\n'
        "    return x"
    ),
}


@pytest.mark.parametrize("source", list(SC303_NEGATIVES.values()), ids=list(SC303_NEGATIVES))
def test_sc303__consistent_uses_give_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    result = _lint_pkg(tmp_path, monkeypatch, {"pkg/mod.py": HEADER + "\n\n" + source + "\n"})
    assert [str(f) for f in result.findings if f.code in ("SC301", "SC303")] == []


def test_sc303__reported_once_per_name_and_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = HEADER + textwrap.dedent(
        """

        def f(
            x: Float[Tensor, "*b n"],
            y: Float[Tensor, "b n"],  # <y>
        ) -> Float[Tensor, "b n"]:
            z: Float[Tensor, "b"] = x
            return y
        """
    )
    result = _lint_pkg(tmp_path, monkeypatch, {"pkg/mod.py": source})
    assert _codes_at(result) == [("pkg/mod.py", _at(source, "y"), "SC303")]


def test_sc303__silenced_on_its_line_and_by_ignore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = (
        HEADER + "\n\n"
        'def f(x: Float[Tensor, "*b n"]) -> Float[Tensor, "b n"]:  # shapecheck: ignore[SC303]\n'
        "    ...\n"
        'def g(x: Float[Tensor, "*b n"]) -> Float[Tensor, "b n"]: ...\n'
    )
    result = _lint_pkg(tmp_path, monkeypatch, {"pkg/mod.py": source})
    assert (_codes_at(result), result.suppressed) == (
        [("pkg/mod.py", len(HEADER.splitlines()) + 5, "SC303")],
        1,
    )
    quiet = _lint_pkg(tmp_path, monkeypatch, {"pkg/mod.py": source}, ignore=["SC303"])
    assert (quiet.findings, quiet.suppressed) == ((), 2)


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
