"""The writer of `shapecheck annotate`: proposals into source, byte for byte
elsewhere; and the test helper that strips shape annotations off a module."""

from __future__ import annotations

import ast
import doctest
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
import pytest
from _strip import strip_annotations  # tests/, on the path under pytest

from shapecheck._annotate import _write
from shapecheck._annotate._model import Proposal
from shapecheck._annotate._write import LINE_LENGTH, Rewritten, WriteError, rewrite

HB = 'Float[Tensor, "batch hiddens"]'
BV = 'Float[Tensor, "batch vocab"]'
SBV = 'Float[Tensor, "num_steps batch_size vocab_size"]'
JT = (("jaxtyping", "Float"), ("torch", "Tensor"))


Imports = tuple[tuple[str, str], ...]


def param(
    owner: str, name: str, annotation: str = HB, replace: bool = False, imports: Imports = ()
) -> Proposal:
    return Proposal("param", owner, name, annotation, None, replace, imports)


def returns(
    owner: str, annotation: str = HB, replace: bool = False, imports: Imports = ()
) -> Proposal:
    return Proposal("return", owner, "", annotation, None, replace, imports)


def local(
    owner: str,
    name: str,
    line: int | None,
    annotation: str = HB,
    replace: bool = False,
    imports: Imports = (),
) -> Proposal:
    return Proposal("local", owner, name, annotation, line, replace, imports)


def field(owner: str, name: str, annotation: str = HB, replace: bool = False) -> Proposal:
    return Proposal("field", owner, name, annotation, replace=replace)


def outcome(result: Rewritten, proposals: tuple[Proposal, ...]) -> tuple[str, ...]:
    """For each proposal, in order: "written", "kept" or "missing"."""
    buckets = {
        "written": result.written,
        "kept": result.kept,
        "missing": tuple(proposal for proposal, _ in result.missing),
    }
    return tuple(
        next(name for name, bucket in buckets.items() if any(p is proposal for p in bucket))
        for proposal in proposals
    )


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    proposals: tuple[Proposal, ...]
    expected: str
    outcome: tuple[str, ...]
    formatted: bool = False  # the expected text is as `ruff format` leaves it


# -- parameters and returns -------------------------------------------------------------

PARAMS = [
    Case(
        "param-added",
        "def f(x, y):\n    return x\n",
        (param("f", "x"),),
        'def f(x: Float[Tensor, "batch hiddens"], y):\n    return x\n',
        ("written",),
    ),
    Case(
        "param-defaults-star-and-keyword",
        "def f(n=3, *args, k=1, **kw):\n    pass\n",
        (
            param("f", "n", "int"),
            param("f", "args", "int"),
            param("f", "k", "int"),
            param("f", "kw", "str"),
        ),
        "def f(n: int = 3, *args: int, k: int = 1, **kw: str):\n    pass\n",
        ("written",) * 4,
    ),
    Case(
        "param-positional-only",
        "def f(a, /, b):\n    pass\n",
        (param("f", "a", "int"),),
        "def f(a: int, /, b):\n    pass\n",
        ("written",),
    ),
    Case(
        "param-annotated-kept",
        "def f(x: Tensor, n: int=2):\n    pass\n",
        (param("f", "x"), param("f", "n", "float")),
        "def f(x: Tensor, n: int=2):\n    pass\n",
        ("kept", "kept"),
    ),
    Case(
        "param-annotated-replaced-spacing-kept",
        "def f(x:Tensor, n: int=2):\n    pass\n",
        (param("f", "x", replace=True), param("f", "n", "float", replace=True)),
        'def f(x:Float[Tensor, "batch hiddens"], n: float=2):\n    pass\n',
        ("written", "written"),
    ),
    Case(
        "param-same-annotation-kept-even-with-replace",
        "def f(x: Float[Tensor, 'batch  hiddens'] ):\n    pass\n",
        (param("f", "x", 'Float[Tensor,"batch  hiddens"]', replace=True),),
        "def f(x: Float[Tensor, 'batch  hiddens'] ):\n    pass\n",
        ("kept",),
    ),
    Case(
        "return-added",
        "def f(x):  # comment\n    return x\n",
        (returns("f"),),
        'def f(x) -> Float[Tensor, "batch hiddens"]:  # comment\n    return x\n',
        ("written",),
    ),
    Case(
        "return-kept-and-replaced",
        "def f(x) -> Tensor:\n    return x\n\n\ndef g(x)->Tensor:\n    return x\n",
        (returns("f"), returns("g", replace=True)),
        'def f(x) -> Tensor:\n    return x\n\n\ndef g(x)->Float[Tensor, "batch hiddens"]:\n'
        "    return x\n",
        ("kept", "written"),
    ),
    Case(
        "multi-line-def-layout-kept",
        "def f(\n    x,  # the input\n    y,\n):\n    return x\n",
        (param("f", "x", "int"), param("f", "y", "int"), returns("f", "int")),
        "def f(\n    x: int,  # the input\n    y: int,\n) -> int:\n    return x\n",
        ("written",) * 3,
    ),
    Case(
        "methods-self-and-cls-untouched",
        "class M:\n"
        "    def forward(self, x):\n"
        "        return x\n"
        "\n"
        "    @classmethod\n"
        "    def make(cls, n):\n"
        "        return cls()\n"
        "\n"
        "    @staticmethod\n"
        "    def twice(n):\n"
        "        return 2 * n\n",
        (
            param("M.forward", "x"),
            returns("M.forward"),
            param("M.make", "n", "int"),
            param("M.twice", "n", "int"),
            returns("M.twice", "int"),
        ),
        "class M:\n"
        '    def forward(self, x: Float[Tensor, "batch hiddens"])'
        ' -> Float[Tensor, "batch hiddens"]:\n'
        "        return x\n"
        "\n"
        "    @classmethod\n"
        "    def make(cls, n: int):\n"
        "        return cls()\n"
        "\n"
        "    @staticmethod\n"
        "    def twice(n: int) -> int:\n"
        "        return 2 * n\n",
        ("written",) * 5,
    ),
    Case(
        "method-of-nested-class",
        "class Outer:\n    class Inner:\n        def method(self, x):\n            return x\n",
        (param("Outer.Inner.method", "x", "int"),),
        "class Outer:\n    class Inner:\n        def method(self, x: int):\n            return x\n",
        ("written",),
    ),
    Case(
        "last-definition-of-a-name",
        "def f(x):\n    return 1\n\n\ndef f(x):\n    return 2\n",
        (param("f", "x", "int"),),
        "def f(x):\n    return 1\n\n\ndef f(x: int):\n    return 2\n",
        ("written",),
    ),
    Case(
        "function-defined-under-if",
        "import sys\n\nif sys.version_info >= (3, 11):\n    def f(x):\n        return x\n",
        (param("f", "x", "int"),),
        "import sys\n\nif sys.version_info >= (3, 11):\n    def f(x: int):\n        return x\n",
        ("written",),
    ),
    Case(
        "later-proposal-sees-earlier",
        "def f(x):\n    return x\n\n\ndef g(x):\n    return x\n",
        (
            param("f", "x", "int"),
            param("f", "x", "float"),
            param("g", "x", "int"),
            param("g", "x", "float", replace=True),
        ),
        "def f(x: int):\n    return x\n\n\ndef g(x: float):\n    return x\n",
        ("written", "kept", "written", "written"),
    ),
]

# -- locals ---------------------------------------------------------------------------------

LOCALS = [
    Case(
        "assign-becomes-annotated-format-and-comment-kept",
        "def f(x):\n    y   =  (x +\n          1)  # one more\n    return y\n",
        (local("f", "y", 2),),
        'def f(x):\n    y: Float[Tensor, "batch hiddens"]   =  (x +\n          1)  # one more\n'
        "    return y\n",
        ("written",),
    ),
    Case(
        "assign-line-inside-a-multi-line-statement",
        "def f(x):\n    y = g(\n        x,\n    )\n    return y\n",
        (local("f", "y", 3, "int"),),
        "def f(x):\n    y: int = g(\n        x,\n    )\n    return y\n",
        ("written",),
    ),
    Case(
        "assigns-on-one-line",
        "def f(x):\n    a = 1; b = 2  # two\n    return a + b\n",
        (local("f", "b", 2, "int"), local("f", "a", 2, "int")),
        "def f(x):\n    a: int = 1; b: int = 2  # two\n    return a + b\n",
        ("written", "written"),
    ),
    Case(
        "tuple-unpacking-in-nested-block-declared-before-in-order",
        "def f(xs, state):\n"
        "    for x in xs:\n"
        "        if x:\n"
        "            H, C = state  # unpack\n"
        "    return H\n",
        (local("f", "H", 4), local("f", "C", 4)),
        "def f(xs, state):\n"
        "    for x in xs:\n"
        "        if x:\n"
        '            H: Float[Tensor, "batch hiddens"]\n'
        '            C: Float[Tensor, "batch hiddens"]\n'
        "            H, C = state  # unpack\n"
        "    return H\n",
        ("written", "written"),
    ),
    Case(
        "declarations-keep-the-proposals-order",
        "def f(state):\n    (H, C) = state\n    return H\n",
        (local("f", "C", 2, "int"), local("f", "H", 2, "float")),
        "def f(state):\n    C: int\n    H: float\n    (H, C) = state\n    return H\n",
        ("written", "written"),
    ),
    Case(
        "list-unpacking-and-starred",
        "def f(params):\n    [a, b] = params\n    c, *rest = params\n    return a\n",
        (local("f", "b", 2, "int"), local("f", "rest", 3, "list[int]")),
        "def f(params):\n    b: int\n    [a, b] = params\n    rest: list[int]\n"
        "    c, *rest = params\n    return a\n",
        ("written", "written"),
    ),
    Case(
        "declaration-before-a-for-loop",
        "def f(inputs):\n"
        "    outputs = []\n"
        "    for X in inputs:\n"
        "        outputs.append(X)\n"
        "    for i, (Y, Z) in enumerate(inputs):\n"
        "        pass\n"
        "    return outputs\n",
        (local("f", "X", 3, BV), local("f", "Z", 5, BV)),
        "def f(inputs):\n"
        "    outputs = []\n"
        '    X: Float[Tensor, "batch vocab"]\n'
        "    for X in inputs:\n"
        "        outputs.append(X)\n"
        '    Z: Float[Tensor, "batch vocab"]\n'
        "    for i, (Y, Z) in enumerate(inputs):\n"
        "        pass\n"
        "    return outputs\n",
        ("written", "written"),
    ),
    Case(
        "comments-and-blank-lines-above-move-above-the-declarations",
        "def f(state):\n    a = 1\n\n    # the state\n    H, C = state\n    return H\n",
        (local("f", "H", 5, "int"),),
        "def f(state):\n    a = 1\n\n    # the state\n    H: int\n    H, C = state\n    return H\n",
        ("written",),
    ),
    Case(
        "with-augmented-chained-walrus",
        "def f(path, n):\n"
        "    with open(path) as fh, g() as (u, v):\n"
        "        total = 0\n"
        "    count = 0\n"
        "    count += 1\n"
        "    a = b = 0\n"
        "    if (m := n + 1) > 2:\n"
        "        pass\n"
        "    elif (k := n - 1) > 2:\n"
        "        pass\n"
        "    return fh, v, total\n",
        (
            local("f", "fh", 2, "IO[str]"),
            local("f", "v", 2, "int"),
            local("f", "total", 3, "int"),
            local("f", "b", 6, "int"),
            local("f", "m", 7, "int"),
            local("f", "k", 9, "int"),
        ),
        "def f(path, n):\n"
        "    fh: IO[str]\n"
        "    v: int\n"
        "    with open(path) as fh, g() as (u, v):\n"
        "        total: int = 0\n"
        "    count = 0\n"
        "    count += 1\n"
        "    b: int\n"
        "    a = b = 0\n"
        "    m: int\n"
        "    k: int\n"
        "    if (m := n + 1) > 2:\n"
        "        pass\n"
        "    elif (k := n - 1) > 2:\n"
        "        pass\n"
        "    return fh, v, total\n",
        ("written",) * 6,
    ),
    Case(
        "augmented-assignment-as-first-binding",
        "def f(n):\n    global_total = 0\n    def g():\n        pass\n    s += n\n    return s\n",
        (local("f", "s", 5, "int"),),
        "def f(n):\n    global_total = 0\n    def g():\n        pass\n    s: int\n    s += n\n"
        "    return s\n",
        ("written",),
    ),
    Case(
        "one-line-body",
        "def f(xs):\n    for x in xs: a, b = x\n    return a\n",
        (local("f", "a", 2, "int"),),
        "def f(xs):\n    for x in xs: a: int; a, b = x\n    return a\n",
        ("written",),
    ),
    Case(
        "try-except-finally-bodies",
        "def f(x):\n"
        "    try:\n"
        "        a, b = x\n"
        "    except ValueError:\n"
        "        c = 0\n"
        "    finally:\n"
        "        d, e = x\n"
        "    return a\n",
        (local("f", "a", 3, "int"), local("f", "c", 5, "int"), local("f", "e", 7, "int")),
        "def f(x):\n"
        "    try:\n"
        "        a: int\n"
        "        a, b = x\n"
        "    except ValueError:\n"
        "        c: int = 0\n"
        "    finally:\n"
        "        e: int\n"
        "        d, e = x\n"
        "    return a\n",
        ("written",) * 3,
    ),
    Case(
        "declared-local-kept-whatever-the-line",
        "def f(x):\n    H: Tensor\n    H, C = x\n    y: int = 1\n    return H\n",
        (local("f", "H", 3), local("f", "y", 99), local("f", "y", None, "int")),
        "def f(x):\n    H: Tensor\n    H, C = x\n    y: int = 1\n    return H\n",
        ("kept", "kept", "kept"),
    ),
    Case(
        "declared-local-replaced-in-place",
        "def f(x):\n    H: Tensor\n    H, C = x\n    y: int = 1  # one\n    return H\n",
        (local("f", "H", 3, replace=True), local("f", "y", 4, "float", replace=True)),
        'def f(x):\n    H: Float[Tensor, "batch hiddens"]\n    H, C = x\n    y: float = 1  # one\n'
        "    return H\n",
        ("written", "written"),
    ),
    Case(
        "second-proposal-for-a-local",
        "def f(x):\n    a, b = x\n    c = x\n    return a\n",
        (
            local("f", "a", 2, "int"),
            local("f", "a", 2, "float"),
            local("f", "c", 3, "int"),
            local("f", "c", 3, "float", replace=True),
        ),
        "def f(x):\n    a: int\n    a, b = x\n    c: float = x\n    return a\n",
        ("written", "kept", "written", "written"),
    ),
    Case(
        "local-of-a-method",
        "class M:\n    def forward(self, x):\n        y = self.linear(x)\n        return y\n",
        (local("M.forward", "y", 3),),
        "class M:\n    def forward(self, x):\n"
        '        y: Float[Tensor, "batch hiddens"] = self.linear(x)\n        return y\n',
        ("written",),
    ),
]

# -- fields ---------------------------------------------------------------------------------

FIELDS = [
    Case(
        "named-tuple-fields",
        "class P(NamedTuple):\n"
        '    """Doc."""\n'
        "\n"
        "    W: Tensor\n"
        "    b: Tensor = None  # bias\n"
        "    n: int\n"
        "    m: Float[Tensor, 'batch hiddens']\n",
        (
            field("P", "W", 'Float[Tensor, "vocab hiddens"]', replace=True),
            field("P", "b", 'Float[Tensor, "hiddens"]', replace=True),
            field("P", "n", "Float[Tensor, 'n']"),
            field("P", "m", replace=True),
        ),
        "class P(NamedTuple):\n"
        '    """Doc."""\n'
        "\n"
        '    W: Float[Tensor, "vocab hiddens"]\n'
        '    b: Float[Tensor, "hiddens"] = None  # bias\n'
        "    n: int\n"
        "    m: Float[Tensor, 'batch hiddens']\n",
        ("written", "written", "kept", "kept"),
    ),
    Case(
        "dataclass-field-of-nested-class",
        "class A:\n    @dataclass\n    class B:\n        x: Tensor = field(default=None)\n",
        (field("A.B", "x", replace=True),),
        "class A:\n    @dataclass\n    class B:\n"
        '        x: Float[Tensor, "batch hiddens"] = field(default=None)\n',
        ("written",),
    ),
]

# -- headers made too long -------------------------------------------------------------------

LAYOUT = [
    Case(
        "header-split-parameters-on-one-line",
        "def lstm(inputs, state, params):\n    pass\n",
        (
            param("lstm", "inputs", SBV),
            param("lstm", "state", "LSTMState"),
            param("lstm", "params", "LSTMParams"),
            returns("lstm", 'tuple[Float[Tensor, "num_steps*batch_size vocab_size"], LSTMState]'),
        ),
        "def lstm(\n"
        '    inputs: Float[Tensor, "num_steps batch_size vocab_size"], state: LSTMState, '
        "params: LSTMParams\n"
        ') -> tuple[Float[Tensor, "num_steps*batch_size vocab_size"], LSTMState]:\n'
        "    pass\n",
        ("written",) * 4,
        formatted=True,
    ),
    Case(
        "header-split-in-a-decorated-method",
        "class M:\n    @check\n    def forward(self, x, h):  # step\n        return x\n",
        (param("M.forward", "x"), param("M.forward", "h"), returns("M.forward")),
        "class M:\n"
        "    @check\n"
        "    def forward(\n"
        '        self, x: Float[Tensor, "batch hiddens"], h: Float[Tensor, "batch hiddens"]\n'
        '    ) -> Float[Tensor, "batch hiddens"]:  # step\n'
        "        return x\n",
        ("written",) * 3,
        formatted=True,
    ),
    Case(
        "header-one-parameter-a-line-spaced-as-ruff",
        "def f(inputs, state, n=3, *args, k=1, **kw):  # keep\n    pass\n",
        (
            param("f", "inputs", SBV),
            param("f", "state", SBV),
            param("f", "n", "int"),
            param("f", "k", "int"),
        ),
        "def f(\n"
        '    inputs: Float[Tensor, "num_steps batch_size vocab_size"],\n'
        '    state: Float[Tensor, "num_steps batch_size vocab_size"],\n'
        "    n: int = 3,\n"
        "    *args,\n"
        "    k: int = 1,\n"
        "    **kw,\n"
        "):  # keep\n"
        "    pass\n",
        ("written",) * 4,
        formatted=True,
    ),
    Case(
        "header-a-single-parameter-takes-a-trailing-comma",
        "def f(inputs):\n    pass\n",
        (param("f", "inputs", SBV), returns("f", f"tuple[{SBV}, int]")),
        "def f(\n"
        '    inputs: Float[Tensor, "num_steps batch_size vocab_size"],\n'
        ') -> tuple[Float[Tensor, "num_steps batch_size vocab_size"], int]:\n'
        "    pass\n",
        ("written",) * 2,
        formatted=True,
    ),
    Case(
        "header-bare-slash-and-star",
        "def f(x, /, *, h):\n    pass\n",
        (param("f", "x"), param("f", "h"), returns("f")),
        "def f(\n"
        '    x: Float[Tensor, "batch hiddens"], /, *, h: Float[Tensor, "batch hiddens"]\n'
        ') -> Float[Tensor, "batch hiddens"]:\n'
        "    pass\n",
        ("written",) * 3,
        formatted=True,
    ),
    Case(
        "header-magic-trailing-comma-async",
        "async def f(inputs, state,):\n    pass\n",
        (param("f", "inputs", SBV), param("f", "state", SBV)),
        "async def f(\n"
        '    inputs: Float[Tensor, "num_steps batch_size vocab_size"],\n'
        '    state: Float[Tensor, "num_steps batch_size vocab_size"],\n'
        "):\n"
        "    pass\n",
        ("written",) * 2,
        formatted=True,
    ),
    Case(
        "header-split-by-the-user-kept",
        "def f(\n    inputs, state\n):\n    pass\n",
        (param("f", "inputs", "int"), returns("f", SBV)),
        "def f(\n"
        "    inputs: int, state\n"
        ') -> Float[Tensor, "num_steps batch_size vocab_size"]:\n'
        "    pass\n",
        ("written",) * 2,
    ),
    Case(
        "header-split-by-the-user-too-long-one-a-line",
        "def f(\n    inputs, state\n):\n    pass\n",
        (param("f", "inputs", SBV), param("f", "state", SBV)),
        "def f(\n"
        '    inputs: Float[Tensor, "num_steps batch_size vocab_size"],\n'
        '    state: Float[Tensor, "num_steps batch_size vocab_size"],\n'
        "):\n"
        "    pass\n",
        ("written",) * 2,
        formatted=True,
    ),
    Case(
        "header-with-a-comment-inside-untouched",
        "def f(inputs,  # in\n      state):\n    pass\n",
        (param("f", "inputs", SBV), param("f", "state", SBV)),
        'def f(inputs: Float[Tensor, "num_steps batch_size vocab_size"],  # in\n'
        '      state: Float[Tensor, "num_steps batch_size vocab_size"]):\n'
        "    pass\n",
        ("written",) * 2,
    ),
    Case(
        "header-with-its-body-on-the-line-untouched",
        "def f(inputs, state): pass\n",
        (param("f", "inputs", SBV), param("f", "state", SBV)),
        'def f(inputs: Float[Tensor, "num_steps batch_size vocab_size"], '
        'state: Float[Tensor, "num_steps batch_size vocab_size"]): pass\n',
        ("written",) * 2,
    ),
    Case(
        "header-without-parameters-untouched",
        "def f():\n    pass\n",
        (returns("f", f"tuple[{SBV}, {SBV}]"),),
        'def f() -> tuple[Float[Tensor, "num_steps batch_size vocab_size"], '
        'Float[Tensor, "num_steps batch_size vocab_size"]]:\n'
        "    pass\n",
        ("written",),
    ),
    Case(
        "header-with-a-multi-line-default-untouched",
        "def f(inputs, state=(1,\n                     2)):\n    pass\n",
        (param("f", "inputs", SBV), param("f", "state", SBV)),
        'def f(inputs: Float[Tensor, "num_steps batch_size vocab_size"], '
        'state: Float[Tensor, "num_steps batch_size vocab_size"] = (1,\n'
        "                     2)):\n"
        "    pass\n",
        ("written",) * 2,
    ),
    Case(
        "long-header-not-written-and-long-local-untouched",
        f"def f(inputs: {SBV}, state: {SBV}):\n    y = inputs\n    return y\n",
        (local("f", "y", 2, f"tuple[{SBV}, {SBV}]"),),
        f"def f(inputs: {SBV}, state: {SBV}):\n    y: tuple[{SBV}, {SBV}] = inputs\n    return y\n",
        ("written",),
    ),
]

CASES = PARAMS + LOCALS + FIELDS + LAYOUT


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_rewrite__case(case: Case) -> None:
    result = rewrite(case.source, case.proposals)
    assert result.text == case.expected
    assert outcome(result, case.proposals) == case.outcome
    ast.parse(result.text)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_rewrite__idempotent(case: Case) -> None:
    once = rewrite(case.source, case.proposals)
    twice = rewrite(once.text, case.proposals)
    assert twice.text == once.text
    assert twice.written == ()
    assert outcome(twice, case.proposals) == ("kept",) * len(case.proposals)


def test_rewrite__line_length() -> None:
    source = "def f(x, y):\n    pass\n"
    proposals = [param("f", "x", "int"), param("f", "y", "int")]
    assert LINE_LENGTH == 100
    assert rewrite(source, proposals).text == "def f(x: int, y: int):\n    pass\n"
    assert rewrite(source, proposals, line_length=22).text == "def f(x: int, y: int):\n    pass\n"
    assert rewrite(source, proposals, line_length=21).text == (
        "def f(\n    x: int, y: int\n):\n    pass\n"
    )
    assert rewrite(source, proposals, line_length=14).text == (
        "def f(\n    x: int,\n    y: int,\n):\n    pass\n"
    )


ROOT = Path(__file__).parents[1]


def ruff(*args: str, source: str) -> subprocess.CompletedProcess[str]:
    """ruff on `source` as a file at the top of the repository, under its settings
    (`shapecheck` and `models` are first-party there)."""
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found is None:
        pytest.skip("ruff is not installed")
    return subprocess.run(
        [found, *args, "--config", str(ROOT / "pyproject.toml")]
        + ["--stdin-filename", str(ROOT / "annotated.py"), "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


FORMATTED = [case for case in LAYOUT if case.formatted]


@pytest.mark.parametrize("case", FORMATTED, ids=[case.id for case in FORMATTED])
def test_rewrite__header_as_ruff_formats_it(case: Case) -> None:
    text = rewrite(case.source, case.proposals).text
    formatted = ruff("format", source=text)
    assert formatted.returncode == 0, formatted.stderr
    assert formatted.stdout == text


def test_rewrite__nothing_proposed_round_trips() -> None:
    source = Path(__file__).with_name("_strip.py").read_text()
    assert rewrite(source, []) == Rewritten(source)


# -- targets that are not there -------------------------------------------------------------

MISSING_SOURCE = """\
import torch


class P(NamedTuple):
    W: Tensor
    b = None


def f(x, *, y):
    global counter
    a = 1
    def inner(t):
        r = t
        return r
    return a


class M:
    def forward(self, x):
        return x
"""

MISSING = [
    ("no-function", param("g", "x"), "no function `g` in the module"),
    ("no-method", param("M.backward", "x"), "no function `M.backward` in the module"),
    ("class-as-function", param("P", "x"), "`P` is a class, not a function"),
    ("class-return", returns("M"), "`M` is a class, not a function"),
    ("function-as-class", field("f", "x"), "`f` is a function, not a class"),
    ("no-class", field("Q", "x"), "no class `Q` in the module"),
    (
        "function-in-function",
        param("f.inner", "t"),
        "no function `f.inner`: what a function defines inside it is not annotated",
    ),
    ("no-param", param("f", "z"), "`f` has no parameter `z`"),
    ("no-param-self-in-function", param("f", "self"), "`f` has no parameter `self`"),
    ("local-is-param", local("f", "y", 11), "`y` is a parameter of `f`, not a local"),
    (
        "local-is-global",
        local("f", "counter", 11),
        "`counter` is global or nonlocal in `f`: it cannot be annotated",
    ),
    ("line-binds-another-name", local("f", "b", 11), "no statement at line 11 of `f` binds `b`"),
    ("line-outside-function", local("f", "a", 2), "no statement at line 2 of `f` binds `a`"),
    (
        "line-in-nested-def",
        local("f", "r", 13),
        "line 13 is in a def or class nested in `f`: not annotated",
    ),
    (
        "local-without-line",
        local("f", "a", None),
        "no line given for the local `a` of `f`, which declares none",
    ),
    ("no-field", field("P", "c"), "`P` has no annotated field `c`"),
    ("unannotated-class-attribute", field("P", "b"), "`P` has no annotated field `b`"),
]


@pytest.mark.parametrize(
    ("proposal", "reason"),
    [case[1:] for case in MISSING],
    ids=[case[0] for case in MISSING],
)
def test_rewrite__missing(proposal: Proposal, reason: str) -> None:
    with_imports = Proposal(
        proposal.kind, proposal.owner, proposal.name, proposal.annotation, proposal.line,
        imports=JT,
    )  # fmt: skip
    result = rewrite(MISSING_SOURCE, [with_imports])
    assert result.missing == ((with_imports, reason),)
    assert result.text == MISSING_SOURCE  # nor the imports of a missing one


def test_rewrite__missing_among_written() -> None:
    proposals = (local("f", "nope", 11), param("M.forward", "x", "int"), param("g", "x"))
    result = rewrite(MISSING_SOURCE, proposals)
    assert outcome(result, proposals) == ("missing", "written", "missing")
    assert result.text == MISSING_SOURCE.replace("forward(self, x)", "forward(self, x: int)")


# -- errors -----------------------------------------------------------------------------------

SYNTAX_ERRORS = [
    ("invalid", "def f(:\n    pass\n", "invalid syntax (line 1, column 7)"),
    ("indent", "def f(x):\n  return x\n    y = 1\n", "unexpected indent (line 3, column 4)"),
    ("unclosed", "x = (1,\n", "'(' was never closed (line 1, column 5)"),
]


@pytest.mark.parametrize(
    ("source", "message"), [case[1:] for case in SYNTAX_ERRORS], ids=[c[0] for c in SYNTAX_ERRORS]
)
def test_rewrite__syntax_error(source: str, message: str) -> None:
    with pytest.raises(WriteError) as raised:
        rewrite(source, [param("f", "x")])
    assert str(raised.value) == f"the source does not parse: {message}"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_rewrite__syntax_error_of_the_tree_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Source that Python reads but the concrete tree does not: its error in one line."""
    real = cst.parse_module
    monkeypatch.setattr(cst, "parse_module", lambda source: real("def f(:\n    pass\n"))
    with pytest.raises(WriteError) as raised:
        rewrite("x = 1\n", [])
    assert re.fullmatch(
        r"the source does not parse: [^\n]*expected one of [^\n]* \(line 2, column 1\)",
        str(raised.value),
    )
    assert raised.value.__suppress_context__


def test_rewrite__invalid_escape_is_no_error() -> None:
    source = 'def f(x: "\\d"):\n    return "\\d"\n'
    result = rewrite(source, [param("f", "x", '"\\d"', replace=True), returns("f", "str")])
    assert result.text == 'def f(x: "\\d") -> str:\n    return "\\d"\n'


@pytest.mark.parametrize(
    ("proposal", "message"),
    [
        (param("f", "x", "Float["), "the param annotation proposed for `f.x` is not an expression"),
        (returns("f", "int int"), "the return annotation proposed for `f` is not an expression"),
        (local("f", "y", 2, ""), "the local annotation proposed for `f.y` is not an expression"),
    ],
    ids=["unclosed", "two-names", "empty"],
)
def test_rewrite__bad_annotation(proposal: Proposal, message: str) -> None:
    with pytest.raises(WriteError) as raised:
        rewrite("def f(x):\n    y = x\n", [proposal])
    assert str(raised.value) == f"{message}: {proposal.annotation!r}"


# -- imports ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportCase:
    id: str
    head: str  # the module up to `def f(x):`
    imports: tuple[tuple[str, str], ...]
    expected: str


IMPORTS = [
    ImportCase(
        "merged-in-order",
        "from jaxtyping import Float, Shaped\nimport torch\n\n\n",
        (("jaxtyping", "Int"), ("jaxtyping", "Bool"), ("jaxtyping", "jaxtyped")),
        "from jaxtyping import Bool, Float, Int, Shaped, jaxtyped\nimport torch\n\n\n",
    ),
    ImportCase(
        "merged-constants-classes-then-the-rest",
        "from typing import TYPE_CHECKING, Any, cast\n\n\n",
        (("typing", "Final"),),
        "from typing import TYPE_CHECKING, Any, Final, cast\n\n\n",
    ),
    ImportCase(
        "merged-one-a-line-with-comments",
        "from jaxtyping import (\n    Float,  # the float ones\n    Shaped,\n)\n\n\n",
        (("jaxtyping", "Int"), ("jaxtyping", "Bool"), ("jaxtyping", "jaxtyped")),
        "from jaxtyping import (\n    Bool,\n    Float,  # the float ones\n    Int,\n"
        "    Shaped,\n    jaxtyped,\n)\n\n\n",
    ),
    ImportCase(
        "merged-into-a-single-name-one-a-line",
        "from jaxtyping import (\n    Float,\n)\n\n\n",
        (("jaxtyping", "Int"),),
        "from jaxtyping import (\n    Float,\n    Int,\n)\n\n\n",
    ),
    ImportCase(
        "merged-into-parentheses-on-one-line",
        "from jaxtyping import (Float)\n\n\n",
        (("jaxtyping", "Int"),),
        "from jaxtyping import (Float, Int)\n\n\n",
    ),
    ImportCase(
        "bound-already",
        "from torch import Tensor\nfrom mytypes import Float as Float\n\n\n",
        JT,
        "from torch import Tensor\nfrom mytypes import Float as Float\n\n\n",
    ),
    ImportCase(
        "bound-under-type-checking",
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from torch import Tensor\n\n\n",
        (("torch", "Tensor"),),
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from torch import Tensor\n\n\n",
    ),
    ImportCase(
        "star-import",
        "from jaxtyping import *\n\n\n",
        (("jaxtyping", "Float"),),
        "from jaxtyping import *\n\n\n",
    ),
    ImportCase(
        "whole-module-imported",
        "import jaxtyping\nimport torch\n\n\n",
        JT,
        "import jaxtyping\nimport torch\nfrom jaxtyping import Float\n"
        "from torch import Tensor\n\n\n",
    ),
    ImportCase(
        "after-the-last-import",
        '"""Doc."""\n\nimport torch\n\nfrom .dims import Hidden\n\n__all__ = ["f"]\n\n\n',
        JT,
        '"""Doc."""\n\nimport torch\nfrom jaxtyping import Float\nfrom torch import Tensor\n\n'
        'from .dims import Hidden\n\n__all__ = ["f"]\n\n\n',
    ),
    ImportCase(
        "relative-import-is-another-module",
        "from .jaxtyping import Int\n\n\n",
        (("jaxtyping", "Float"),),
        "from jaxtyping import Float\n\nfrom .jaxtyping import Int\n\n\n",
    ),
    ImportCase(
        "after-the-docstring",
        '"""Doc."""\n\n\n',
        JT,
        '"""Doc."""\n\nfrom jaxtyping import Float\nfrom torch import Tensor\n\n\n',
    ),
    ImportCase(
        "after-future",
        '"""Doc."""\n\nfrom __future__ import annotations\n\n\n',
        (("jaxtyping", "Float"),),
        '"""Doc."""\n\nfrom __future__ import annotations\n\nfrom jaxtyping import Float\n\n\n',
    ),
    ImportCase(
        "top-of-an-empty-head",
        "",
        (("jaxtyping", "Float"),),
        "from jaxtyping import Float\n\n\n",
    ),
    ImportCase(
        "below-header-comments",
        "#!/usr/bin/env python\n# Licence.\n",
        (("jaxtyping", "Float"),),
        "#!/usr/bin/env python\n# Licence.\nfrom jaxtyping import Float\n\n\n",
    ),
]


@pytest.mark.parametrize("case", IMPORTS, ids=[case.id for case in IMPORTS])
def test_rewrite__imports(case: ImportCase) -> None:
    body = "def f(x):\n    return x\n"
    proposal = param("f", "x", "Float[Tensor, 'n']", imports=case.imports)
    result = rewrite(case.head + body, [proposal])
    assert result.text == case.expected + body.replace("(x)", "(x: Float[Tensor, 'n'])")
    assert rewrite(result.text, [proposal]).text == result.text


FIRST_PARTY = ("shapecheck", "models")
SIZE = (("typing", "Annotated"), ("shapecheck", "Size"))

# Each expected text is as ruff's isort (I001) leaves it, under this repository's settings.
SECTIONS = [
    ImportCase(
        "each-into-its-section",
        '"""Doc."""\n\n'
        "import os\nfrom collections.abc import Mapping\n\n"
        "import torch\nfrom PIL import Image\nfrom torch import nn\n\n"
        "from models.dims import Hidden\n\n"
        "from .corpus import Vocab\n\n\n",
        (*JT, *SIZE),
        '"""Doc."""\n\n'
        "import os\nfrom collections.abc import Mapping\nfrom typing import Annotated\n\n"
        "import torch\nfrom jaxtyping import Float\nfrom PIL import Image\n"
        "from torch import Tensor, nn\n\n"
        "from models.dims import Hidden\nfrom shapecheck import Size\n\n"
        "from .corpus import Vocab\n\n\n",
    ),
    ImportCase(
        "no-standard-library-yet",
        "import torch\nfrom jaxtyping import Float\n\nfrom shapecheck import check\n\n\n",
        SIZE,
        "from typing import Annotated\n\n"
        "import torch\nfrom jaxtyping import Float\n\nfrom shapecheck import Size, check\n\n\n",
    ),
    ImportCase(
        "no-third-party-yet",
        "from typing import NamedTuple\n\nfrom shapecheck import check\n\n\n",
        JT,
        "from typing import NamedTuple\n\n"
        "from jaxtyping import Float\nfrom torch import Tensor\n\n"
        "from shapecheck import check\n\n\n",
    ),
    ImportCase(
        "no-first-party-yet-after-future",
        '"""Doc."""\n\nfrom __future__ import annotations\n\nimport torch\n\n__all__ = ["f"]\n\n\n',
        SIZE,
        '"""Doc."""\n\nfrom __future__ import annotations\n\n'
        "from typing import Annotated\n\nimport torch\n\nfrom shapecheck import Size\n\n"
        '__all__ = ["f"]\n\n\n',
    ),
    ImportCase(
        "no-imports-yet",
        '"""Doc."""\n\n\n',
        (*JT, *SIZE),
        '"""Doc."""\n\n'
        "from typing import Annotated\n\n"
        "from jaxtyping import Float\nfrom torch import Tensor\n\n"
        "from shapecheck import Size\n\n\n",
    ),
    ImportCase(
        "comments-stay-with-their-import",
        '"""Doc."""\n\n# the tensors\nimport torch\n\n'
        "# ours\n# and more\nfrom shapecheck import check\n\n\n",
        (("typing", "Annotated"), ("jaxtyping", "Float"), ("models", "dims")),
        '"""Doc."""\n\n'
        "from typing import Annotated\n\n"
        "# the tensors\nimport torch\nfrom jaxtyping import Float\n\n"
        "from models import dims\n\n# ours\n# and more\nfrom shapecheck import check\n\n\n",
    ),
    ImportCase(
        "comment-lines-inside-a-section",
        "import torch\n\nfrom models import dims\n\n# ours\nfrom shapecheck import check\n\n\n",
        (("models.zoo", "ZOO"), ("shapecheck.cli", "entry")),
        "import torch\n\nfrom models import dims\nfrom models.zoo import ZOO\n\n"
        "# ours\nfrom shapecheck import check\nfrom shapecheck.cli import entry\n\n\n",
    ),
    ImportCase(
        "before-the-first-of-a-section",
        "#!/usr/bin/env python\nimport typing\nimport zlib\n\nimport torch\n\n\n",
        (("abc", "ABC"),),
        "#!/usr/bin/env python\nimport typing\nimport zlib\nfrom abc import ABC\n\n"
        "import torch\n\n\n",
    ),
    ImportCase(
        "natural-order",
        "import torch\nfrom torch9 import a\nfrom torch10 import b\n\n\n",
        (("torch2", "c"), ("torch11", "d")),
        "import torch\nfrom torch2 import c\nfrom torch9 import a\nfrom torch10 import b\n"
        "from torch11 import d\n\n\n",
    ),
    ImportCase(
        "relative-levels",
        "from ..dims import Hidden\nfrom . import corpus\n\n\n",
        (("..data", "load"), (".corpus", "Vocab"), ("...base", "Base")),
        "from ...base import Base\nfrom ..data import load\nfrom ..dims import Hidden\n"
        "from . import corpus\nfrom .corpus import Vocab\n\n\n",
    ),
]


@pytest.mark.parametrize("case", SECTIONS, ids=[case.id for case in SECTIONS])
def test_rewrite__import_sections(case: ImportCase) -> None:
    body = "def f(x):\n    return x\n"
    proposal = param("f", "x", 'Float[Tensor, "n"]', imports=case.imports)
    result = rewrite(case.head + body, [proposal], first_party=FIRST_PARTY)
    assert result.text == case.expected + body.replace("(x)", '(x: Float[Tensor, "n"])')
    assert rewrite(result.text, [proposal], first_party=FIRST_PARTY).text == result.text


@pytest.mark.parametrize("case", SECTIONS, ids=[case.id for case in SECTIONS])
def test_rewrite__import_sections_as_ruff_sorts_them(case: ImportCase) -> None:
    proposal = param("f", "x", 'Float[Tensor, "n"]', imports=case.imports)
    text = rewrite(case.head + "def f(x):\n    return x\n", [proposal], first_party=FIRST_PARTY)
    checked = ruff("check", "--select", "I", "--output-format", "concise", source=text.text)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            "import torch\n\nfrom shapecheck.dims import Hidden\n\n\n",
            "import torch\n\nfrom shapecheck import Size\nfrom shapecheck.dims import Hidden\n\n\n",
        ),
        (
            "import torch\nfrom shapecheck.dims import Hidden\n\n\n",
            "import torch\nfrom shapecheck import Size\nfrom shapecheck.dims import Hidden\n\n\n",
        ),
        (
            "import os\n\nimport shapecheck\n\nfrom .dims import Hidden\n\n\n",
            "import os\n\nimport shapecheck\nfrom shapecheck import Size\n\n"
            "from .dims import Hidden\n\n\n",
        ),
    ],
    ids=["first-party", "third-party", "imported-whole"],
)
def test_rewrite__import_section_of_a_package_the_module_imports(head: str, expected: str) -> None:
    """Without `first_party`, a package goes to the section where the module
    imports it already."""
    proposal = param("f", "x", "int", imports=(("shapecheck", "Size"),))
    body = "def f(x):\n    return x\n"
    result = rewrite(head + body, [proposal])
    assert result.text == expected + body.replace("(x)", "(x: int)")


@pytest.mark.parametrize(
    "head",
    [
        "import torch\nimport os\n\n\n",
        "import os\n\nx = 1\nimport torch\n\n\n",
        "import os; import sys\n\n\n",
        "import torch\n\nimport os\n\n\n",
    ],
    ids=["sections-mixed", "statement-between", "two-on-a-line", "sections-out-of-order"],
)
def test_rewrite__imports_not_in_sections_go_after_the_last(head: str) -> None:
    proposal = param("f", "x", "int", imports=(("typing", "Annotated"),))
    result = rewrite(head + "def f(x):\n    return x\n", [proposal], first_party=FIRST_PARTY)
    assert result.text.startswith(head.replace("\n\n\n", "\nfrom typing import Annotated\n\n\n"))


def test_rewrite__imports_go_before_the_first_def() -> None:
    source = "import torch\n\n\ndef f(x):\n    return x\n\n\nimport numpy\n"
    result = rewrite(source, [param("f", "x", "Float[Tensor, 'n']", imports=JT)])
    assert result.text == (
        "import torch\nfrom jaxtyping import Float\nfrom torch import Tensor\n\n\n"
        "def f(x: Float[Tensor, 'n']):\n    return x\n\n\nimport numpy\n"
    )


def test_rewrite__imports_of_written_proposals_only() -> None:
    source = "from torch import Tensor\n\n\ndef f(x: Tensor, y):\n    return x\n"
    proposals = (
        param("f", "x", "Float[Tensor, 'n']", imports=(("jaxtyping", "Float"),)),
        param("f", "y", "Int[Tensor, 'n']", imports=(("jaxtyping", "Int"), ("torch", "Tensor"))),
        param("g", "y", "Bool[Tensor, 'n']", imports=(("jaxtyping", "Bool"),)),
    )
    result = rewrite(source, proposals)
    assert outcome(result, proposals) == ("kept", "written", "missing")
    assert result.text == (
        "from jaxtyping import Int\nfrom torch import Tensor\n\n\n"
        "def f(x: Tensor, y: Int[Tensor, 'n']):\n    return x\n"
    )


def test_rewrite__imports_union_across_proposals() -> None:
    source = '"""Doc."""\n\nfrom typing import NamedTuple\n\n\ndef f(x, y):\n    return x\n'
    proposals = (
        param("f", "x", "Float[Tensor, 'n']", imports=JT),
        param("f", "y", "Optional[Int[Tensor, 'n']]", imports=(("typing", "Optional"), *JT)),
        returns("f", "Int[Tensor, 'n']", imports=(("jaxtyping", "Int"), ("torch", "Tensor"))),
    )
    assert rewrite(source, proposals).text == (
        '"""Doc."""\n\nfrom typing import NamedTuple, Optional\n\n'
        "from jaxtyping import Float, Int\nfrom torch import Tensor\n\n\n"
        "def f(x: Float[Tensor, 'n'], y: Optional[Int[Tensor, 'n']]) -> Int[Tensor, 'n']:\n"
        "    return x\n"
    )


def test_rewrite__example_in_docstring() -> None:
    failures, tried = doctest.testmod(_write, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert (failures, tried) == (0, 3)


# -- the strip helper -------------------------------------------------------------------------

STRIP_SOURCE = '''\
"""Doc."""

import jaxtyping
import jaxtyping as jt
from jaxtyping import Float, Int as I
from torch import Tensor

from .dims import BatchSize, Hidden


class P(NamedTuple):
    """Fields keep an annotation."""

    W: Float[Tensor, "a b"]
    b: jaxtyping.Float[torch.Tensor, "b"] = None  # bias
    s: tuple[Float[Tensor, "a"], int]
    n: int


@check
def f(
    x: Float[Tensor, "batch hiddens"], n: BatchSize, y: I[Tensor, "b"] | None = None
) -> tuple[Hidden, Hidden]:
    """Doc of f."""
    H: Float[Tensor, "b h"]  # the hidden state
    C: Hidden
    (H, C) = x
    # the loop
    X: jt.Float[Tensor, "b v"]
    for X in x:
        Y: Float[Tensor, "b v"]  =  X @ W  # out
        k: int = 0
    return H, C


def g(a: Optional[Float[Tensor, "n"]] = None, *args: jt.Shaped[Tensor, "..."], b: str) -> None:
    z: Float[Tensor, "n"]
    for q in a: w: Int[Tensor, "n"]; v: Float[Tensor, ""] = q
'''

STRIPPED = '''\
"""Doc."""

import jaxtyping
import jaxtyping as jt
from jaxtyping import Float, Int as I
from torch import Tensor

from .dims import BatchSize, Hidden


class P(NamedTuple):
    """Fields keep an annotation."""

    W: Tensor
    b: torch.Tensor = None  # bias
    s: tuple[Tensor, int]
    n: int


@check
def f(x, n: int, y=None):
    """Doc of f."""
    # the hidden state
    (H, C) = x
    # the loop
    for X in x:
        Y  =  X @ W  # out
        k: int = 0
    return H, C


def g(a=None, *args, b: str) -> None:
    for q in a: v = q
'''


def test_strip_annotations__module() -> None:
    stripped = strip_annotations(STRIP_SOURCE, {"BatchSize": "int", "Hidden": None})
    assert stripped == STRIPPED


def test_strip_annotations__keeps_a_split_def_with_comments_or_trailing_comma() -> None:
    source = (
        "def f(\n    x: Float[Tensor, 'n'],  # in\n) -> None:\n    pass\n\n\n"
        "def g(\n    x: Float[Tensor, 'n'],\n):\n    pass\n"
    )
    assert strip_annotations(source) == (
        "def f(\n    x,  # in\n) -> None:\n    pass\n\n\ndef g(\n    x,\n):\n    pass\n"
    )


def test_strip_annotations__then_rewrite_gives_the_original() -> None:
    source = (
        "from jaxtyping import Float\nfrom torch import Tensor\n\n\n"
        "class S(NamedTuple):\n"
        '    W: Float[Tensor, "a b"]\n'
        "\n\n"
        "def f(x: Float[Tensor, 'b'], n: int = 2) -> Float[Tensor, 'b']:\n"
        "    # pair\n"
        "    H: Float[Tensor, 'b']\n"
        "    H, C = x\n"
        "    y: Float[Tensor, 'b'] = H  # same\n"
        "    return y\n"
    )
    stripped = strip_annotations(source)
    assert stripped == (
        "from jaxtyping import Float\nfrom torch import Tensor\n\n\n"
        "class S(NamedTuple):\n    W: Tensor\n\n\n"
        "def f(x, n: int = 2):\n    # pair\n    H, C = x\n    y = H  # same\n    return y\n"
    )
    proposals = (
        field("S", "W", 'Float[Tensor, "a b"]', replace=True),
        param("f", "x", "Float[Tensor, 'b']"),
        returns("f", "Float[Tensor, 'b']"),
        local("f", "H", 11, "Float[Tensor, 'b']"),
        local("f", "y", 12, "Float[Tensor, 'b']"),
    )
    result = rewrite(stripped, proposals)
    assert result.text == source
    assert outcome(result, proposals) == ("written",) * 5


# -- the real thing: models/lstm.py -----------------------------------------------------------

LSTM = Path(__file__).parents[1] / "models" / "lstm.py"
LSTM_ALIASES: dict[str, str | None] = {
    "BatchSize": "int",
    "NumHiddens": "int",
    "VocabSize": "int",
    "NumSteps": "int",
    "Hidden": None,
    "LSTMState": None,
    "LSTMParams": None,
}


def test_strip_annotations__lstm() -> None:
    stripped = strip_annotations(LSTM.read_text(), LSTM_ALIASES)
    compile(stripped, str(LSTM), "exec")
    assert "def lstm(inputs, state, params):\n" in stripped
    assert "        I = torch.sigmoid(" in stripped
    assert "    (H, C) = state\n" in stripped
    assert "def init_lstm_state(batch_size: int, num_hiddens: int, device: Device):\n" in stripped
    assert "    W_xi: Tensor\n" in stripped
    assert "Float[" not in stripped.split("class LSTMParams")[1].split("LSTMState =")[1]


def test_rewrite__lstm_round_trip() -> None:
    """Stripped, then given back its annotations, models/lstm.py is itself again,
    the one `def` too long for a line split as ruff splits it."""
    original = LSTM.read_text()
    stripped = strip_annotations(original, LSTM_ALIASES)
    lines = stripped.splitlines()

    def at(text: str) -> int:
        (found,) = [n for n, line in enumerate(lines, 1) if line.strip().startswith(text)]
        return found

    def segment(node: ast.expr) -> str:
        text = ast.get_source_segment(original, node)
        assert text is not None
        return text

    fields = ast.parse(original).body
    (params,) = [node for node in fields if isinstance(node, ast.ClassDef)]
    proposals = [
        field("LSTMParams", node.target.id, segment(node.annotation), replace=True)
        for node in params.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    ]
    proposals += [
        param("get_lstm_params", "vocab_size", "VocabSize", replace=True),
        param("get_lstm_params", "num_hiddens", "NumHiddens", replace=True),
        returns("get_lstm_params", "LSTMParams"),
        param("init_lstm_state", "batch_size", "BatchSize", replace=True),
        param("init_lstm_state", "num_hiddens", "NumHiddens", replace=True),
        returns("init_lstm_state", "LSTMState"),
        param("lstm", "inputs", 'Float[Tensor, "steps batch vocab"]'),
        param("lstm", "state", "LSTMState"),
        param("lstm", "params", "LSTMParams"),
        returns("lstm", 'tuple[Float[Tensor, "steps*batch vocab"], LSTMState]'),
        local("lstm", "H", at("(H, C) = state")),
        local("lstm", "C", at("(H, C) = state")),
        local("lstm", "X", at("for X in inputs:"), BV, imports=JT),
        *(local("lstm", name, at(f"{name} = torch.")) for name in ("I", "F", "O", "C_tilda")),
        local("lstm", "Y", at("Y = (H @ W_hq)"), BV),
    ]
    result = rewrite(stripped, proposals)
    assert result.kept == () and result.missing == ()
    assert result.text == original
    assert rewrite(result.text, proposals).text == result.text
