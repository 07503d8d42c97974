"""Static typing samples in tests/types/, checked by mypy; and what `import shapecheck` loads."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

TYPES = Path(__file__).parent / "types"
ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def mypy_output() -> str:
    """One mypy run over every sample (it shares the project's cache)."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "mypy.ini"), str(TYPES)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


def errors_in(output: str, name: str) -> dict[int, str]:
    pattern = rf"{name}:(\d+): error: .*\[([\w-]+)\]"
    return {int(m.group(1)): m.group(2) for m in re.finditer(pattern, output)}


@pytest.mark.slow
def test_types__accepted_sample_passes_mypy(mypy_output: str) -> None:
    assert errors_in(mypy_output, "accept_check.py") == {}
    assert "accept_check.py" not in mypy_output


@pytest.mark.slow
def test_types__rejected_sample_fails_on_every_marked_line(mypy_output: str) -> None:
    path = TYPES / "reject_check.py"
    expected = {
        number: match.group(1)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if (match := re.search(r"# expect: ([\w-]+)", line))
    }
    assert len(expected) == 4
    assert errors_in(mypy_output, "reject_check.py") == expected, mypy_output


def test_import__pulls_in_nothing_heavy_it_does_not_need() -> None:
    code = (
        "import sys, shapecheck\n"
        "heavy = ['sympy', 'matplotlib', 'hypothesis', 'pytest', 'torch._dynamo',\n"
        "         'shapecheck.cli', 'shapecheck._target', 'models']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_packaging__every_subpackage_ships() -> None:
    # A wheel holds the packages pyproject.toml's find-include names: every
    # package folder of shapecheck and models must match one of them.
    import fnmatch

    import tomllib

    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text())
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [
        ".".join(init.parent.relative_to(root).parts)
        for top in ("shapecheck", "models")
        for init in (root / top).rglob("__init__.py")
    ]
    assert "shapecheck._runtime" in packages and "shapecheck._spec" in packages
    for package in packages:
        assert any(fnmatch.fnmatchcase(package, pattern) for pattern in include), package
