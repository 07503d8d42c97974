"""A registry named outside the target, for code this project does not own:
linear_operator's DiagLinearOperator methods run at distinct sizes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("linear_operator")

HERE = Path(__file__).resolve().parent / "thirdparty"
REPO = HERE.parent.parent


def _verify(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shapecheck.cli", "verify", "--json", *argv],
        cwd=HERE,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{HERE}:{REPO}"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_registry__outside_the_package_runs_its_methods() -> None:
    target = "linear_operator.operators.diag_linear_operator"
    without = {v["name"]: v for v in json.loads(_verify(target).stdout)}
    done = _verify(target, "--registry", "linear_operator_shapes:shapes")
    assert done.returncode == 0, done.stderr
    verdicts = {v["name"]: v for v in json.loads(done.stdout)}
    diag = {n: v for n, v in verdicts.items() if ".DiagLinearOperator." in n}
    assert all("[DiagLinearOperator(n)]" in name for name in diag)
    verified = [n for n, v in diag.items() if v["status"] == "verified"]
    assert len(verified) >= 5, diag
    matmul = verdicts[f"{target}.DiagLinearOperator.matmul [DiagLinearOperator(n)]"]
    assert matmul["message"].startswith("checked under distinct")
    sizes = matmul["sizes"]
    assert sizes["M"] == sizes["N"] != sizes["P"]  # square, from the factory's dims
    # Without the registry, every method of DiagLinearOperator is skipped.
    plain = [v for n, v in without.items() if ".DiagLinearOperator." in n]
    assert plain and all(v["status"] == "skipped" for v in plain)
    assert all("register a factory for DiagLinearOperator" in v["message"] for v in plain)
    # A bare Tensor argument is a skip that names the parameter, never a violation.
    triangular = verdicts[f"{target}.DiagLinearOperator.solve_triangular [DiagLinearOperator(n)]"]
    assert triangular["status"] == "skipped"
    assert triangular["message"] == "no example: `rhs`: a bare Tensor has no shape to make it at"
    assert not [v for v in verdicts.values() if v["status"] == "violated"]
