"""[tool.shapecheck] in pyproject.toml, and the command line over it."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shapecheck._settings import Settings, SettingsError, find_pyproject, load_settings

REPO = Path(__file__).resolve().parent.parent


def _write(folder: Path, text: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_settings__every_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        [tool.shapecheck]
        packages = ["pkg", "other"]
        exclude = ["pkg.legacy", "*.test_*"]
        registry = "pkg_shapes:registry"
        strict-imports = true

        [tool.shapecheck.lint]
        ignore = ["SC301"]
        per-file-ignores = { "pkg/generated/*.py" = ["SC201", "SC402"] }
        """,
    )
    assert load_settings(path) == Settings(
        packages=("pkg", "other"),
        exclude=("pkg.legacy", "*.test_*"),
        registry="pkg_shapes:registry",
        strict_imports=True,
        lint_ignore=("SC301",),
        lint_per_file_ignores={"pkg/generated/*.py": ("SC201", "SC402")},
        source=path,
    )


def test_settings__a_string_for_a_list_and_the_defaults(tmp_path: Path) -> None:
    path = _write(tmp_path, '[tool.shapecheck]\npackages = "pkg"\n')
    assert load_settings(path) == Settings(packages=("pkg",), source=path)


def test_settings__found_above_the_current_folder_and_only_with_the_table(
    tmp_path: Path,
) -> None:
    _write(tmp_path, '[tool.shapecheck]\npackages = ["top"]\n')
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    _write(tmp_path / "a", '[project]\nname = "no-table-here"\n')
    assert find_pyproject(inner) == tmp_path / "pyproject.toml"
    assert load_settings(start=inner).packages == ("top",)
    lonely = tmp_path.parent / f"{tmp_path.name}-lonely"
    lonely.mkdir()
    assert load_settings(start=lonely) == Settings()


BAD = [
    ("[tool.shapecheck]\npakages = ['x']\n", "unknown key `pakages` (known: packages, "),
    (
        "[tool.shapecheck]\nstrict_imports = true\n",
        "unknown key `strict_imports`; did you mean `strict-imports`?",
    ),
    (
        "[tool.shapecheck]\npackages = [1]\n",
        "`packages` must be a string or an array of strings, got [1]",
    ),
    (
        "[tool.shapecheck]\nexclude = 3\n",
        "`exclude` must be a string or an array of strings, got 3",
    ),
    (
        "[tool.shapecheck]\nregistry = 'nocolon'\n",
        "`registry` must be \"MODULE:OBJECT\", got 'nocolon'",
    ),
    (
        "[tool.shapecheck]\nstrict-imports = 'yes'\n",
        "`strict-imports` must be true or false, got 'yes'",
    ),
    ("[tool.shapecheck]\nlint = 3\n", "`lint` must be a table, got int"),
    (
        "[tool.shapecheck.lint]\nignore = 'SC301'\n",
        "[tool.shapecheck].lint: `ignore` must be an array of strings",
    ),
    ("[tool.shapecheck.lint]\nselect = []\n", "[tool.shapecheck].lint: unknown key `select`"),
    (
        "[tool.shapecheck.lint]\nper-file-ignores = []\n",
        "`per-file-ignores` must be a table, got an array",
    ),
    (
        "[tool.shapecheck.lint.per-file-ignores]\n'a.py' = 'SC201'\n",
        "per-file-ignores: `a.py` must be an array of strings",
    ),
    ("[tool.shapecheck\n", "not valid TOML"),
    ("[tool]\nshapecheck = 3\n", "[tool.shapecheck] must be a table, got int"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m[:30] for _, m in BAD])
def test_settings__bad_values_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(SettingsError) as raised:
        load_settings(path)
    said = str(raised.value)
    assert message in said and "\n" not in said
    assert said.startswith(str(path))


def test_settings__a_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="no such file"):
        load_settings(tmp_path / "nowhere.toml")


# ------------------------------------------------------------- on the command line

PACKAGE = """
from jaxtyping import Float
from torch import Tensor


def double(x: Float[Tensor, "batch hiddens"]) -> Float[Tensor, "batch hiddens"]:
    return 2 * x
"""


def _cli(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shapecheck.cli", *argv],
        cwd=folder,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{folder}:{REPO}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    package = tmp_path / "sc_pkg"
    (package / "legacy").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "ops.py").write_text(PACKAGE)
    (package / "legacy" / "__init__.py").write_text("")
    (package / "legacy" / "old.py").write_text("import not_installed_anywhere\n")
    _write(tmp_path, '[tool.shapecheck]\npackages = ["sc_pkg"]\n')
    return tmp_path


def test_cli__packages_is_the_default_target(project: Path) -> None:
    done = _cli(project, "verify")
    assert done.returncode == 0, done.stderr
    assert "verified  sc_pkg.ops.double" in done.stdout
    assert done.stderr.splitlines() == [
        "shapecheck verify: skipped module sc_pkg.legacy.old: "
        "ModuleNotFoundError: No module named 'not_installed_anywhere'"
    ]


def test_cli__exclude_from_the_settings_and_the_command_line(project: Path) -> None:
    assert _cli(project, "verify", "--exclude", "sc_pkg.legacy").stderr == ""
    _write(project, '[tool.shapecheck]\npackages = ["sc_pkg"]\nexclude = ["*.legacy"]\n')
    done = _cli(project, "verify")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("verified  sc_pkg.ops.double")


def test_cli__strict_imports_from_the_settings_or_the_flag(project: Path) -> None:
    done = _cli(project, "verify", "--strict-imports")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "shapecheck verify: error: cannot import 'sc_pkg.legacy.old': "
        "ModuleNotFoundError: No module named 'not_installed_anywhere'"
    )
    _write(project, '[tool.shapecheck]\npackages = ["sc_pkg"]\nstrict-imports = true\n')
    assert _cli(project, "verify").returncode == 2


def test_cli__a_bad_setting_or_registry_is_a_usage_error(project: Path) -> None:
    _write(project, '[tool.shapecheck]\npackages = ["sc_pkg"]\nexcludes = []\n')
    done = _cli(project, "verify")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("shapecheck verify: error: ")
    assert "unknown key `excludes`" in done.stderr and len(done.stderr.splitlines()) == 1
    done = _cli(project, "verify", "sc_pkg", "--config", "missing.toml")
    assert done.returncode == 2 and "missing.toml: no such file" in done.stderr
    _write(project, '[tool.shapecheck]\npackages = ["sc_pkg"]\n')
    for registry, said in [
        ("nowhere_module:shapes", "cannot import 'nowhere_module'"),
        ("sc_pkg.ops:shapes", "sc_pkg.ops has no 'shapes'"),
        ("sc_pkg.ops:double", "is a function, not a shapecheck.Registry"),
        ("no-colon", "must be MODULE:OBJECT"),
    ]:
        done = _cli(project, "verify", "sc_pkg", "--registry", registry, "--exclude", "*.legacy")
        assert (done.returncode, done.stdout) == (2, ""), registry
        assert said in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr


def test_cli__ci_has_no_default_target_without_settings(tmp_path: Path) -> None:
    done = _cli(tmp_path, "ci", "--skip", "mypy")
    assert done.returncode == 2
    assert "no TARGET given, and no `packages` in [tool.shapecheck]" in done.stderr


def test_cli__lint_ignores_from_the_settings_and_the_flag(project: Path) -> None:
    (project / "sc_pkg" / "bare.py").write_text(
        "from torch import Tensor\n\n\ndef f(x: Tensor) -> Tensor:\n    return x\n"
    )
    done = _cli(project, "lint")
    assert done.returncode == 1 and "sc_pkg/bare.py:4: SC201" in done.stdout
    done = _cli(project, "lint", "--ignore", "SC201")
    assert done.returncode == 0, done.stdout
    assert "0 findings; 1 suppressed;" in done.stdout
    _write(
        project,
        '[tool.shapecheck]\npackages = ["sc_pkg"]\n'
        '[tool.shapecheck.lint]\nper-file-ignores = { "sc_pkg/bare.py" = ["SC201"] }\n',
    )
    assert _cli(project, "lint").returncode == 0
    for argv in (
        ("lint", "--ignore", "SC999"),
        ("ci", "--ignore", "SC999"),
        ("verify", "--ignore", "X"),
    ):
        done = _cli(project, *argv)
        assert (done.returncode, done.stdout) == (2, ""), argv
        said = done.stderr.strip()
        if argv[0] == "verify":
            assert "unrecognized arguments: --ignore" in said  # lint's and ci's flag only
        else:
            assert said.startswith(f"shapecheck {argv[0]}: error: unknown lint code 'SC999'")
    _write(project, '[tool.shapecheck.lint]\nignore = ["SC3O1"]\n')
    done = _cli(project, "lint", "sc_pkg")
    assert done.returncode == 2 and "unknown lint code 'SC3O1' in ignore" in done.stderr
