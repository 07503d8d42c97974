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
    # package folder of shapecheck must match one of them, and models none.
    import fnmatch

    import tomllib

    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text())
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {
        top: [
            ".".join(init.parent.relative_to(root).parts)
            for init in (root / top).rglob("__init__.py")
        ]
        for top in ("shapecheck", "models")
    }
    assert (
        "shapecheck._runtime" in packages["shapecheck"]
        and "shapecheck._spec" in packages["shapecheck"]
    )
    for package in packages["shapecheck"]:
        assert any(fnmatch.fnmatchcase(package, pattern) for pattern in include), package
    for package in packages["models"]:
        assert not any(fnmatch.fnmatchcase(package, pattern) for pattern in include), package


@pytest.mark.slow
def test_packaging__the_wheel_installs_shapecheck_and_no_models(tmp_path: Path) -> None:
    # Built from a copy of what a clean clone holds: no build/ left by an
    # earlier build of the working tree can slip files in.
    import shutil
    import zipfile

    root = tmp_path / "project"
    here = Path(__file__).resolve().parent.parent
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("shapecheck", "models"):
        shutil.copytree(here / name, root / name, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(here / name, root / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path / "dist"),
            str(root),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    (wheel,) = (tmp_path / "dist").glob("shapecheck-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"shapecheck", wheel.name.split("-py")[0] + ".dist-info"}, tops
    assert "shapecheck/_runtime/_plan.py" in names and "shapecheck/py.typed" in names
    assert "shapecheck/docs/_collect.py" in names and "shapecheck/_lint/__init__.py" in names
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    probe = (
        "import importlib.util, sys\n"
        f"sys.path.insert(0, {str(site)!r})\n"
        "import shapecheck\n"
        "print(shapecheck.__file__)\n"
        "print(importlib.util.find_spec('models'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    shown, models = done.stdout.splitlines()
    assert shown.startswith(str(site)) and models == "None", done.stdout
