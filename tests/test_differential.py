"""shapecheck against the reference engine, case by case (issue 9).

Every case of `differential_cases` is a program written over a decorator. It
is built and called twice: with `shapecheck.check`, and with the reference
engine, `jaxtyping.jaxtyped(typechecker=beartype)`. The verdicts (pass, raise
a type-check error, or reject the annotation) must be equal, unless the case
names one of POLICIES: a deliberate difference, documented in docs/runtime.md.

Both verdicts are computed here. Each case also records the engine's verdict,
so that a change of the engine is noticed apart from a change of shapecheck.
Any exception from shapecheck other than ShapeError or AnnotationError is a
crash, and fails the case whatever the engine says.
"""

import random
import re
import traceback
import warnings
from pathlib import Path
from typing import NamedTuple

import jaxtyping
import pytest
from beartype import beartype
from beartype.roar import (
    BeartypeCallHintForwardRefException,
    BeartypeDecorException,
    BeartypeHintViolation,
)
from differential_cases import CASES, NOT_PORTED
from differential_cases._case import PASS, RAISE, REJECT, Case, Decorator, Seen, saw

import shapecheck

ROOT = Path(__file__).parent.parent
CASE_DIR = str(Path(__file__).parent / "differential_cases")

ENGINE: Decorator = jaxtyping.jaxtyped(typechecker=beartype)

# Deliberate differences: id -> why. Each id used by a case must appear in the
# table "Where shapecheck differs from jaxtyping" of docs/runtime.md.
POLICIES = {
    "fields": (
        "tensor fields of NamedTuple and dataclass arguments are checked against the "
        "call's dims; the engine checks only the class"
    ),
    "every-item": (
        "every item of a list, tuple[X, ...], Sequence, dict or Mapping is checked; the "
        "engine checks one (a random one, or a dict's first)"
    ),
    "size-int": "an Annotated[int, Size(name)] argument binds the dim",
    "instance-dims": "a class's __shapecheck_dims__() binds dims for its checked methods",
    "locals": "annotated locals in the body are checked against the call's dims",
    "decoration-errors": (
        "a malformed dim string is an AnnotationError when decorated; the engine raises "
        "when a call reaches it, or never"
    ),
    "wrapped-strings": (
        "string annotations under a functools.wraps decorator are resolved in the "
        "function's own module; the engine reads them as Any"
    ),
    "forward-refs": (
        "a string annotation naming something defined after decorating is resolved at "
        "the first call; the engine reads it as Any"
    ),
    "whole-class": (
        "check on a class checks its methods and properties; jaxtyped on a class checks "
        "only a dataclass's __init__"
    ),
    "no-type-check": (
        "a function under no_type_check is not read at all; the engine still validates "
        "its hints when decorated"
    ),
}


class Outcome(NamedTuple):
    verdict: str
    detail: str  # the first line of the error, for the report


class Crash(Exception):
    """shapecheck raised something other than ShapeError or AnnotationError."""


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"


def _raised_by_body(error: BaseException) -> bool:
    """Whether the innermost frame of the traceback is in a case's own code."""
    tb = error.__traceback__
    filename = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return filename is not None and filename.startswith(CASE_DIR)


def _run(case: Case, decorator: Decorator, seed: int) -> Outcome:
    state = random.getstate()
    random.seed(seed)  # beartype draws the item of a container it checks
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = case.program(decorator)(*case.args, **case.kwargs)
    finally:
        random.setstate(state)
    if isinstance(result, Seen):
        return Outcome(saw(result.value), "")
    return Outcome(PASS, "")


def engine_outcome(case: Case, seed: int = 0) -> Outcome:
    try:
        return _run(case, ENGINE, seed)
    except (jaxtyping.TypeCheckError, BeartypeHintViolation) as error:
        return Outcome(RAISE, _first_line(error))
    except (
        jaxtyping.AnnotationError,
        BeartypeDecorException,
        BeartypeCallHintForwardRefException,
    ) as error:
        return Outcome(REJECT, _first_line(error))
    except Exception as error:  # noqa: BLE001  (a verdict of its own)
        where = "body" if _raised_by_body(error) else "error"
        return Outcome(f"{where} {type(error).__name__}", _first_line(error))


def shapecheck_outcome(case: Case, seed: int = 0) -> Outcome:
    try:
        return _run(case, shapecheck.check, seed)
    except shapecheck.ShapeError as error:
        return Outcome(RAISE, _first_line(error))
    except shapecheck.AnnotationError as error:
        return Outcome(REJECT, _first_line(error))
    except Exception as error:  # noqa: BLE001  (a crash, unless the body raised it)
        if _raised_by_body(error):
            return Outcome(f"body {type(error).__name__}", _first_line(error))
        text = "".join(traceback.format_exception(error))
        raise Crash(f"{case.id}: shapecheck crashed\n{text}") from None


def _id(case: Case) -> str:
    return case.id


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_engine__verdict_as_recorded(case: Case) -> None:
    outcomes = {engine_outcome(case, seed).verdict for seed in range(5)}
    assert len(outcomes) == 1, f"{case.id}: the engine's verdict depends on its random draw"
    (verdict,) = outcomes
    assert verdict == case.engine, f"{case.id}: the engine now says {verdict}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_shapecheck__agrees_with_engine(case: Case) -> None:
    engine = engine_outcome(case)
    crash = None
    try:
        own = shapecheck_outcome(case)
    except Crash as error:
        crash = str(error)
    if crash is not None:
        pytest.fail(crash, pytrace=False)
    said = f"shapecheck: {own.verdict} ({own.detail}); engine: {engine.verdict} ({engine.detail})"
    if case.policy is None:
        assert own.verdict == engine.verdict, f"{case.id}: {said}"
    else:
        assert own.verdict == case.shapecheck, f"{case.id} (policy {case.policy}): {said}"
        assert own.verdict != engine.verdict, (
            f"{case.id}: policy {case.policy} no longer makes a difference; {said}"
        )


def test_cases__ids_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_cases__policies_known() -> None:
    for case in CASES:
        if case.policy is not None:
            assert case.policy in POLICIES, case.id
            assert case.shapecheck is not None, case.id
        else:
            assert case.shapecheck is None, case.id


def _documented_policies() -> set[str] | None:
    """The ids in the first column of the table under "Where shapecheck differs from jaxtyping"."""
    text = (ROOT / "docs" / "runtime.md").read_text()
    heading = re.search(r"^(#+)\s*Where shapecheck differs from jaxtyping.*$", text, re.M | re.I)
    if heading is None:
        return None
    level = len(heading.group(1))
    rest = text[heading.end() :]
    end = re.search(rf"^#{{1,{level}}}\s", rest, re.M)
    section = rest[: end.start()] if end else rest
    return set(re.findall(r"^\|\s*`?([\w.-]+)`?\s*\|", section, re.M))


def test_policies__documented() -> None:
    documented = _documented_policies()
    if documented is None:
        pytest.skip(
            'docs/runtime.md has no section "Where shapecheck differs from jaxtyping" yet; '
            "every policy id of test_differential.POLICIES used by a case must appear in it"
        )
    used = sorted({case.policy for case in CASES if case.policy is not None})
    missing = [policy for policy in used if policy not in documented]
    assert not missing, f"policies missing from docs/runtime.md's table: {missing}"


@pytest.mark.parametrize("test", sorted(NOT_PORTED))
def test_jaxtyping_port__not_ported(test: str) -> None:
    pytest.skip(f"jaxtyping's {test}: {NOT_PORTED[test]}")
