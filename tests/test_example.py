"""The example runner: the device a run is made on, and which run's outcome stands.

`run` tries the CPU (zeros at small sizes) and judges every failure again on
the meta device. These tests watch the device each attempt saw.
"""

import pytest
import torch
from jaxtyping import Float
from torch import Tensor, nn

from shapecheck import ShapeError
from shapecheck._example import CPU_ELEMENTS, Member, prepare, run
from shapecheck._registry import Factory

SEEN: list[str] = []


@pytest.fixture(autouse=True)
def _forget() -> None:
    SEEN.clear()


def scaled(x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hiddens"]:
    SEEN.append(x.device.type)
    return x * 2


def diagonal_of_factor(x: Float[Tensor, "n n"]) -> Float[Tensor, " n"]:
    """Zeros are not positive definite: the CPU run raises, meta's passes."""
    SEEN.append(x.device.type)
    return torch.linalg.cholesky(x).diagonal()


def transposed(x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hiddens"]:
    SEEN.append(x.device.type)
    return x.T


def positive_part(x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hiddens"]:
    """Reads data: meta cannot say whether any value is positive."""
    SEEN.append(x.device.type)
    if bool((x > 0).any()):
        return x.clamp(min=0)
    return x


def test_run__small_examples_run_on_the_cpu() -> None:
    done = run(Member(scaled), {"batch": 2, "hiddens": 3})
    assert SEEN == ["cpu"]
    assert done.example.device == "cpu"
    assert done.out.device.type == "cpu" and tuple(done.out.shape) == (2, 3)
    assert done.records == []  # none asked for


def test_run__a_cpu_failure_is_judged_again_on_meta() -> None:
    done = run(Member(diagonal_of_factor), {"n": 5})
    assert SEEN == ["cpu", "meta"]
    assert done.example.device == "meta"
    assert done.out.device.type == "meta" and tuple(done.out.shape) == (5,)


def test_run__meta_decides_a_real_violation_with_its_own_message() -> None:
    with pytest.raises(ShapeError) as on_meta:
        prepare(Member(transposed), {"batch": 2, "hiddens": 3}, "meta").call()
    SEEN.clear()
    with pytest.raises(ShapeError) as raised:
        run(Member(transposed), {"batch": 2, "hiddens": 3})
    assert SEEN == ["cpu", "meta"]
    assert str(raised.value) == str(on_meta.value)
    assert "transposition" in str(raised.value)


def test_run__code_that_reads_data_passes_on_the_cpu() -> None:
    with pytest.raises(RuntimeError, match="meta"):
        prepare(Member(positive_part), {"batch": 2, "hiddens": 3}, "meta").call()
    SEEN.clear()
    done = run(Member(positive_part), {"batch": 2, "hiddens": 3})
    assert SEEN == ["cpu"]
    assert tuple(done.out.shape) == (2, 3)


def test_run__large_examples_go_straight_to_meta() -> None:
    side = 1 + int(CPU_ELEMENTS**0.5)  # side * side > CPU_ELEMENTS
    done = run(Member(scaled), {"batch": side, "hiddens": side})
    assert SEEN == ["meta"]
    assert tuple(done.out.shape) == (side, side)
    SEEN.clear()
    run(Member(scaled), {"batch": side - 1, "hiddens": side - 1})
    assert SEEN == ["cpu"]


class Doubler(nn.Module):
    def __init__(self, hiddens: int, device: str) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hiddens, device=device))
        self.fails_on_cpu = True

    def __shapecheck_dims__(self) -> dict[str, int]:
        return {"hiddens": self.weight.shape[0]}

    def forward(self, x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hiddens"]:
        SEEN.append(x.device.type)
        if self.fails_on_cpu and x.device.type == "cpu":
            raise ValueError("only on the cpu")
        return x * self.weight


def test_run__the_instance_and_its_dims_come_from_the_run_that_stands() -> None:
    built: list[str] = []

    def build(sizes: dict[str, int], device: str) -> Doubler:
        built.append(device)
        return Doubler(7, device)  # fixes hiddens=7, whatever was asked

    factory = Factory("Doubler", Doubler, build)
    sizes = {"batch": 2, "hiddens": 3}
    done = run(Member(Doubler.forward, Doubler), sizes, factory)
    assert built == ["cpu", "meta"] and SEEN == ["cpu", "meta"]
    assert done.example.instance.weight.device.type == "meta"
    assert sizes == {"batch": 2, "hiddens": 7}  # written in by the meta run's instance
    assert tuple(done.out.shape) == (2, 7)


def test_run__the_meta_run_raises_what_it_raises_and_sizes_stay_as_given() -> None:
    sizes = {"n": 4}

    def always(x: Float[Tensor, "n n"]) -> Float[Tensor, "n n"]:
        SEEN.append(x.device.type)
        raise KeyError("broken")

    with pytest.raises(KeyError, match="broken"):
        run(Member(always), sizes)
    assert SEEN == ["cpu", "meta"]
    assert sizes == {"n": 4}


def test_run__records_the_locals_of_the_run_that_stands() -> None:
    def body(x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "hiddens batch"]:
        SEEN.append(x.device.type)
        flipped: Float[Tensor, "hiddens batch"] = x.T
        if x.device.type == "cpu":
            raise ValueError("only on the cpu")
        return flipped

    done = run(Member(body), {"batch": 2, "hiddens": 3}, record=True)
    assert SEEN == ["cpu", "meta"]
    assert [(name, value.device.type) for _, name, _, value, _ in done.records] == [
        ("flipped", "meta")
    ]


# ------------------------------------------------------- recording, off the hot path


def _hook_of(fn: object) -> object:
    from shapecheck._runtime._decorator import plan_for

    body = plan_for(fn).body
    assert body.__closure__ is not None
    index = body.__code__.co_freevars.index("__shapecheck_local__")
    return body.__closure__[index].cell_contents


def with_local(x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "hiddens batch"]:
    flipped: Float[Tensor, "hiddens batch"] = x.T
    return flipped


def test_recording__the_hook_records_only_inside_a_recording() -> None:
    from shapecheck._runtime._decorator import plan_for
    from shapecheck._runtime._recording import recording

    plan = plan_for(with_local)
    x = torch.zeros(2, 3)
    assert _hook_of(with_local) == plan.local_hook  # checks, records nothing
    with recording() as outer:
        assert _hook_of(with_local) == plan.recording_hook
        with recording() as inner:
            plan.slow_call(x)
        plan.slow_call(x)
        assert _hook_of(with_local) == plan.recording_hook  # the outer one still records
    assert _hook_of(with_local) == plan.local_hook
    plan.slow_call(x)
    assert [name for _, name, _, _, _ in inner] == ["flipped"]
    assert [name for _, name, _, _, _ in outer] == ["flipped"]  # the inner call was inner's


def test_recording__plans_made_meanwhile_record_and_other_threads_do_not() -> None:
    import threading

    from shapecheck._runtime._decorator import plan_for
    from shapecheck._runtime._recording import recording

    def made_later(x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, " batch"]:
        total: Float[Tensor, " batch"] = x.sum(dim=1)
        return total

    x = torch.zeros(2, 3)
    elsewhere: list[object] = []
    with recording() as records:
        plan = plan_for(made_later)
        assert _hook_of(made_later) == plan.recording_hook
        worker = threading.Thread(target=lambda: elsewhere.append(plan.slow_call(x)))
        worker.start()
        worker.join()
        plan.slow_call(x)
    assert len(elsewhere) == 1  # the other thread ran, checked, and recorded nothing
    assert [name for _, name, _, _, _ in records] == ["total"]
    assert _hook_of(made_later) == plan.local_hook


def test_recording__a_failing_local_is_still_checked_while_recording() -> None:
    from shapecheck._runtime._decorator import plan_for
    from shapecheck._runtime._recording import recording

    def wrong(x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hiddens"]:
        bad: Float[Tensor, "batch hiddens"] = x.T
        return bad

    with recording() as records, pytest.raises(ShapeError, match="bad"):
        plan_for(wrong).slow_call(torch.zeros(2, 3))
    assert records == []


def test_run__survey_mode_does_not_hide_a_violation_from_the_tools() -> None:
    import shapecheck

    shapecheck.configure(mode="warn")
    try:
        with pytest.raises(ShapeError):
            run(Member(transposed), {"batch": 2, "hiddens": 3})
        assert shapecheck._config.current_mode() == "warn"  # restored after the run
    finally:
        shapecheck.configure(mode="raise")
