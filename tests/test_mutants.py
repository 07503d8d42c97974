"""A catalogue of shape-bug mutants of LSTM, GRU and RNNModel-style code.

`verify` must flag every mutant and pass every correct function. For
contrast, a plain runtime check at sizes where the dims coincide (all 4, as a
small hand-written test would pick) misses the bugs that only show when dims
differ.
"""

import inspect
import sys
from pathlib import Path
from typing import Any

import pytest

from shapecheck._example import Member, prepare
from shapecheck._registry import registry_of
from shapecheck._verify import Verdict, verify

SAMPLES = Path(__file__).parent / "verify_samples"

CORRECT = [
    "input_gate",
    "rnn",
    "gru_candidate",
    "init_state",
    "one_hot_inputs",
    "head",
    "Model.forward [Model(bidirectional)]",
]
MUTANTS = [
    "mutant_h_in_place_of_x",
    "mutant_missing_transpose",
    "mutant_concat_wrong_dim",
    "mutant_state_hiddens_batch",
    "mutant_loop_over_batch",
    "mutant_reshape_mixes_axes",
    "mutant_wrong_return_annotation",
    "mutant_reset_gate_on_input",
    "mutant_output_weight_transposed",
    "mutant_output_bias_of_hiddens",
    "mutant_state_batch_last",
    "mutant_gate_sums_over_batch",
    "MutantHeadIgnoresDirections.forward [MutantHeadIgnoresDirections]",
]
# What a plain runtime check sees at sizes where every dim is 4: these bugs
# leave every shape right, so only distinct sizes reveal them.
MISSED_WHEN_DIMS_COINCIDE = {
    "mutant_h_in_place_of_x",
    "mutant_missing_transpose",
    "mutant_state_hiddens_batch",
    "mutant_loop_over_batch",
    "mutant_reshape_mixes_axes",
    "mutant_reset_gate_on_input",
    "mutant_output_bias_of_hiddens",
    "mutant_state_batch_last",
}


@pytest.fixture(scope="module")
def mutants() -> Any:
    sys.path.insert(0, str(SAMPLES))
    try:
        import mutants.cells as cells

        yield cells
    finally:
        sys.path.remove(str(SAMPLES))


@pytest.fixture(scope="module")
def verdicts(mutants: Any) -> dict[str, Verdict]:
    return {v.name.removeprefix("mutants.cells."): v for v in verify("mutants.cells")}


def test_catalogue__has_at_least_twelve_mutants() -> None:
    assert len(MUTANTS) >= 12


@pytest.mark.parametrize("name", CORRECT)
def test_verify__passes_the_correct_code(verdicts: dict[str, Verdict], name: str) -> None:
    assert verdicts[name].status == "verified", verdicts[name].message


@pytest.mark.parametrize("name", MUTANTS)
def test_verify__flags_every_mutant(verdicts: dict[str, Verdict], name: str) -> None:
    assert verdicts[name].status == "violated"
    assert verdicts[name].sizes


def test_verify__nothing_else_in_the_catalogue(verdicts: dict[str, Verdict]) -> None:
    assert set(verdicts) == set(CORRECT) | set(MUTANTS)


def _caught_at_coinciding_sizes(cells: Any, name: str) -> bool:
    """Run the plainly checked function once with every dim 4: did anything complain?"""
    qualname = name.split(" [")[0]
    owner_name, _, method = qualname.rpartition(".")
    sizes = {"batch": 4, "steps": 4, "vocab": 4, "hiddens": 4, "layers_dirs": 2}
    registry = registry_of([cells])
    factory = None
    if owner_name:
        owner = getattr(cells, owner_name)
        member = Member(getattr(owner, method), owner, {owner.__name__: owner})
        factory = registry.factories_for(owner)[0]
    else:
        member = Member(getattr(cells, qualname))
    try:
        prepare(member, sizes, "cpu", factory).call()
    except Exception:  # noqa: BLE001  (a ShapeError or torch's own error both count)
        return True
    return False


def test_contrast__plain_checks_miss_bugs_when_dims_coincide(mutants: Any) -> None:
    missed = {name for name in MUTANTS if not _caught_at_coinciding_sizes(mutants, name)}
    assert missed == MISSED_WHEN_DIMS_COINCIDE
    for name in CORRECT:
        assert not _caught_at_coinciding_sizes(mutants, name), name
    assert inspect.getsourcefile(mutants) is not None
