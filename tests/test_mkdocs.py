"""The MkDocs plugin: `::: shapes` blocks found in a page, a sample site built
with `mkdocs build --strict` and its HTML and SVGs read back, and the one-line
errors of a page that names a bad module or writes a malformed block.

The sites are built in a subprocess, as a user builds them. The plugin's entry
point comes from a dist-info folder made in a temporary directory on
PYTHONPATH, so that the tests do not depend on how shapecheck was installed.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

if importlib.util.find_spec("mkdocs") is None:
    pytest.skip("mkdocs is not installed: pip install mkdocs", allow_module_level=True)

from shapecheck.mkdocs import Block, BlockError, find_blocks  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "tests" / "mkdocs_project"
SAMPLES = ROOT / "tests" / "docs_samples"
ENTRY_POINTS = "[mkdocs.plugins]\nshapecheck = shapecheck.mkdocs:ShapecheckPlugin\n"


# --- finding the blocks (in process) --------------------------------------------


@dataclass(frozen=True)
class FindCase:
    id: str
    markdown: str
    blocks: list[Block]
    bare_shapes_is_other: bool = False


FOUND = [
    FindCase("module", "::: shapes models.lstm", [Block("shapes", "models.lstm", 1)]),
    FindCase("function", "::: shapes models.lstm:lstm", [Block("shapes", "models.lstm:lstm", 1)]),
    FindCase(
        "method",
        "x\n\n:::shapes   models.rnn_model:RNNModelH.forward  ",
        [Block("shapes", "models.rnn_model:RNNModelH.forward", 3)],
    ),
    FindCase("glossary", "::: shapes-glossary models", [Block("shapes-glossary", "models", 1)]),
    FindCase("an identifier of another plugin", "::: models.lstm\n::: shapes_util", []),
    FindCase("a module named shapes", "::: shapes.flow\n::: shapes-glossaryx models", []),
    FindCase("bare, left to another plugin", "::: shapes", [], bare_shapes_is_other=True),
    FindCase("indented", "    ::: shapes models.lstm\n- ::: shapes models.lstm", []),
    FindCase(
        "in fenced code",
        "```markdown\n::: shapes models.lstm\n```\n~~~~\n::: shapes x\n~~~\n~~~~\n"
        "::: shapes models.gru",
        [Block("shapes", "models.gru", 8)],
    ),
    FindCase(
        "a longer fence holds a shorter one",
        "````\n```\n::: shapes nope\n```\n````\n::: shapes-glossary models",
        [Block("shapes-glossary", "models", 6)],
    ),
]

MALFORMED = [
    ("bare", "::: shapes", "'::: shapes' must be '::: shapes MODULE' or"),
    ("two targets", "::: shapes models.lstm models.gru", "'::: shapes models.lstm models.gru'"),
    ("a path", "::: shapes models/lstm.py", "'::: shapes models/lstm.py' must be"),
    ("no object", "::: shapes models.lstm:", "'::: shapes models.lstm:' must be"),
    ("not a name", "::: shapes 3d.conv", "'::: shapes 3d.conv' must be"),
    ("glossary bare", "::: shapes-glossary", "must be '::: shapes-glossary PACKAGE', as in"),
    (
        "glossary of an object",
        "::: shapes-glossary models:lstm",
        "'::: shapes-glossary models:lstm'",
    ),
]


@pytest.mark.parametrize("case", FOUND, ids=[case.id for case in FOUND])
def test_find_blocks__found(case: FindCase) -> None:
    found = find_blocks(case.markdown, bare_shapes_is_other=case.bare_shapes_is_other)
    assert found == case.blocks


@pytest.mark.parametrize(
    ("markdown", "message"), [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED]
)
def test_find_blocks__malformed(markdown: str, message: str) -> None:
    with pytest.raises(BlockError) as raised:
        find_blocks("# Page\n\n" + markdown)
    assert raised.value.line == 3
    assert message in raised.value.message and "\n" not in raised.value.message


def test_find_blocks__the_usage_shows_the_corrected_form() -> None:
    with pytest.raises(BlockError) as raised:
        find_blocks("::: shapes models.lstm models.gru")
    assert raised.value.message == (
        "'::: shapes models.lstm models.gru' must be '::: shapes MODULE' or "
        "'::: shapes MODULE:OBJECT', as in '::: shapes models.lstm:lstm'"
    )


def test_mkdocs__docstring_example_runs() -> None:
    import shapecheck.mkdocs

    doc = shapecheck.mkdocs.__doc__ or ""
    code = doc.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "shapecheck.mkdocs example", "exec"), {})


# --- building sites (subprocesses) ------------------------------------------------


@pytest.fixture(scope="module")
def entry_point(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for PYTHONPATH whose dist-info declares the plugin's entry point."""
    folder = tmp_path_factory.mktemp("entry_point")
    info = folder / "shapecheck_mkdocs_test-0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: shapecheck-mkdocs-test\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    return folder


def _build(
    config: Path, site: Path, entry_point: Path, *paths: Path
) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict`, run from the repository's top as a user would."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (entry_point, ROOT, *paths))
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)]
    return subprocess.run(
        [*command, "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _site(tmp_path: Path, page: str, plugins: str = "[shapecheck]") -> Path:
    """A one-page project in `tmp_path`; returns its mkdocs.yml."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(page, encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: sample\ndocs_dir: docs\nplugins: {plugins}\n", encoding="utf-8")
    return config


def _code(text: str) -> str:
    """Markdown's `code` spans as the HTML shows them."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


@dataclass(frozen=True)
class Site:
    html: str  # index.html, entities decoded
    root: Path


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory, entry_point: Path) -> Site:
    site = tmp_path_factory.mktemp("sample") / "site"
    built = _build(PROJECT / "mkdocs.yml", site, entry_point)
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr, built.stderr
    return Site(html.unescape((site / "index.html").read_text(encoding="utf-8")), site)


def _hiddens_row() -> str:
    from models.dims import shapes

    return f"<td><code>hiddens</code></td>\n<td>{_code(shapes.dims['hiddens'])}</td>"


SHOWN = [
    ("an argument's shape", "<td><code>steps batch vocab</code></td>"),
    ("a return's expression", "<td><code>steps*batch vocab</code></td>"),
    ("a size at the example", "<td>1120 × 28</td>"),
    ("an intermediate", "<td><code>C_tilda</code></td>"),
    ("a relation", "axis 0 is <code>steps*batch</code> = 1120 at d2l"),
    ("the example sizes", "at the example <code>d2l</code>: batch=32, steps=35"),
    ("a function's heading", '<h3 id="lstm"><code>lstm</code></h3>'),
    ("the flow image", '<img alt="lstm" src="index/models.lstm.lstm.svg" />'),
    ("a glossary entry linked", '<a href="#models-lstm-lstm"><code>lstm.lstm</code></a>'),
    ("a glossary entry not on the page", "<code>gru.gru</code>,"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("fragment",), [case[1:] for case in SHOWN], ids=[c[0] for c in SHOWN])
def test_mkdocs__sample_site_shows(sample_site: Site, fragment: str) -> None:
    assert fragment in sample_site.html


@pytest.mark.slow
def test_mkdocs__sample_site_glossary_has_the_registry_description(sample_site: Site) -> None:
    assert _hiddens_row() in sample_site.html


@pytest.mark.slow
def test_mkdocs__sample_site_writes_the_flow_svg(sample_site: Site) -> None:
    svg = (sample_site.root / "index" / "models.lstm.lstm.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg and "C_tilda" in svg
    assert "::: shapes" not in sample_site.html


@pytest.mark.slow
def test_mkdocs__svg_false_writes_mermaid_only(tmp_path: Path, entry_point: Path) -> None:
    config = _site(
        tmp_path,
        "# LSTM\n\n::: shapes models.lstm:lstm\n",
        plugins="\n  - shapecheck:\n      svg: false\n      example: d2l",
    )
    built = _build(config, tmp_path / "site", entry_point)
    assert built.returncode == 0, built.stderr
    page = html.unescape((tmp_path / "site" / "index.html").read_text(encoding="utf-8"))
    assert '<code class="language-mermaid">flowchart' in page
    assert "<code>C_tilda</code>" in page and 'id="get_lstm_params"' not in page
    assert "<img" not in page and not list((tmp_path / "site").rglob("*.svg"))


@pytest.mark.slow
def test_mkdocs__beside_mkdocstrings(tmp_path: Path, entry_point: Path) -> None:
    if importlib.util.find_spec("mkdocstrings") is None:
        pytest.skip("mkdocstrings is not installed: pip install mkdocstrings-python")
    plugins = "\n  - shapecheck\n  - mkdocstrings:\n      handlers:\n        python:\n"
    plugins += f"          paths: [{str(ROOT)!r}]"
    page = "# LSTM\n\n::: shapes models.lstm:lstm\n\n::: models.lstm\n"
    built = _build(_site(tmp_path, page, plugins), tmp_path / "site", entry_point)
    assert built.returncode == 0, built.stderr
    text = html.unescape((tmp_path / "site" / "index.html").read_text(encoding="utf-8"))
    assert "<td><code>steps*batch vocab</code></td>" in text  # ours
    assert 'id="models.lstm.init_lstm_state"' in text  # mkdocstrings' own
    assert ":::" not in text


@dataclass(frozen=True)
class ErrorCase:
    id: str
    page: str  # the block, on line 3 of the page
    message: str  # the whole line after `ERROR    -  `
    plugins: str = "[shapecheck]"


ERRORS = [
    ErrorCase(
        "no such module",
        "::: shapes models.nope",
        "shapecheck: index.md:3: cannot import 'models.nope': no module named 'models.nope'",
    ),
    ErrorCase(
        "a module that raises on import",
        "::: shapes failing_import_pkg",
        "shapecheck: index.md:3: cannot import 'failing_import_pkg': "
        "RuntimeError: failing_import_pkg refuses to load",
    ),
    ErrorCase(
        "no such object",
        "::: shapes models.lstm:nope",
        "shapecheck: index.md:3: models.lstm has no object 'nope'",
    ),
    ErrorCase(
        "a glossary of no package",
        "::: shapes-glossary nope_pkg",
        "shapecheck: index.md:3: cannot import 'nope_pkg': no module named 'nope_pkg'",
    ),
    ErrorCase(
        "malformed",
        "::: shapes models.lstm models.gru",
        "shapecheck: index.md:3: '::: shapes models.lstm models.gru' must be "
        "'::: shapes MODULE' or '::: shapes MODULE:OBJECT', as in '::: shapes models.lstm:lstm'",
    ),
    ErrorCase(
        "an unknown example",
        "::: shapes models.lstm",
        "shapecheck: index.md:3: example: no example named 'huge' (known: d2l)",
        plugins="\n  - shapecheck:\n      example: huge",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("case", ERRORS, ids=[case.id for case in ERRORS])
def test_mkdocs__error_is_one_line(tmp_path: Path, entry_point: Path, case: ErrorCase) -> None:
    config = _site(tmp_path, f"# Page\n\n{case.page}\n", case.plugins)
    built = _build(config, tmp_path / "site", entry_point, SAMPLES)
    output = built.stdout + built.stderr
    assert built.returncode != 0
    assert "Traceback" not in output, output
    lines = [re.sub(r"^ERROR\s+-\s+", "", line) for line in output.splitlines()]
    assert case.message in lines, output


@pytest.mark.slow
def test_mkdocs__a_module_with_no_annotated_functions_warns(
    tmp_path: Path, entry_point: Path
) -> None:
    config = _site(tmp_path, "# Page\n\n::: shapes models.corpus\n")
    built = _build(config, tmp_path / "site", entry_point)
    output = built.stdout + built.stderr
    assert built.returncode != 0  # --strict
    assert "shapecheck: index.md:3: models.corpus has no annotated functions" in output, output
    assert "Traceback" not in output, output
