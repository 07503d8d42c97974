"""The HTML shape reference in a real browser: headless Chromium, no network.

Two runs per page. The first loads a copy of the page with a probe script
injected at the top of `<head>`: it records uncaught errors and
`console.error` calls, and on load writes the bounding box of every inline
`<svg>` and the list of fetched resources as JSON into `<pre id="sc-result">`;
`--dump-dom` prints the DOM, and the JSON is read back from it. The same run
logs console messages to stderr, where an error line also fails the test. The
second run takes a screenshot of the page as generated.

The pages: one rendered from a hand-made `Report`, and the `models` package's
page from `shapecheck.docs.render("models", format="html")`.

Skipped when no `chromium` or `chromium-browser` binary is on PATH.
"""

from __future__ import annotations

import html
import importlib
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shapecheck._spec import Path as LeafPath
from shapecheck._spec import Step, TensorSpec, parse_shape
from shapecheck.docs._html import render_html
from shapecheck.docs._model import (
    DocsProblem,
    Example,
    Flow,
    FlowNode,
    FunctionDoc,
    GlossaryEntry,
    Intermediate,
    ModuleDoc,
    Place,
    Report,
    Row,
    SymbolicAxis,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium binary on PATH (looked for `chromium` and `chromium-browser`)",
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

PROBE = """<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (event) {
    var where = event.target && event.target !== window ? " loading " + event.target.outerHTML : "";
    errors.push("error: " + (event.message || event.type) + where);
  }, true);
  window.addEventListener("unhandledrejection", function (event) {
    errors.push("unhandled rejection: " + String(event.reason));
  });
  var original = console.error;
  console.error = function () {
    errors.push("console.error: " + Array.prototype.join.call(arguments, " "));
    return original.apply(console, arguments);
  };
  window.addEventListener("load", function () {
    var svgs = Array.prototype.map.call(document.querySelectorAll("svg"), function (svg) {
      var box = svg.getBoundingClientRect();
      var title = svg.querySelector("title");
      return {width: box.width, height: box.height, title: title ? title.textContent : null};
    });
    var resources = performance.getEntriesByType("resource").map(function (entry) {
      return entry.name;
    });
    var pre = document.createElement("pre");
    pre.id = "sc-result";
    pre.textContent = JSON.stringify({errors: errors, svgs: svgs, resources: resources});
    document.body.appendChild(pre);
  });
})();
</script>"""


def _flags(profile: Path) -> list[str]:
    assert CHROMIUM is not None
    return [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]


@dataclass(frozen=True)
class Loaded:
    result: dict[str, Any]
    console: list[str]  # stderr lines from the page's console


def _load(page: Path, work: Path) -> Loaded:
    """Load `page` with the probe injected; return what the probe saw."""
    text = page.read_text(encoding="utf-8")
    assert text.count("<head>") == 1
    probed = work / f"probed-{page.name}"
    probed.write_text(text.replace("<head>", "<head>\n" + PROBE, 1), encoding="utf-8")
    run = subprocess.run(
        [
            *_flags(work / "profile-dom"),
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            probed.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    match = re.search(r'<pre id="sc-result">(.*?)</pre>', run.stdout, re.DOTALL)
    assert match, f"the probe wrote no result; stderr:\n{run.stderr[-3000:]}"
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    return Loaded(json.loads(html.unescape(match.group(1))), console)


def _console_errors(loaded: Loaded) -> list[str]:
    return [
        line
        for line in loaded.console
        if "ERROR" in line or "Uncaught" in line or "error" in line.lower()
    ]


def _screenshot(page: Path, work: Path) -> bytes:
    png = work / "page.png"
    run = subprocess.run(
        [
            *_flags(work / "profile-shot"),
            "--hide-scrollbars",
            f"--screenshot={png}",
            "--window-size=1280,2000",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert png.is_file(), run.stderr[-3000:]
    return png.read_bytes()


# --- the pages ----------------------------------------------------------------


def _at(root: str, *steps: int | str) -> LeafPath:
    """The path `root`, then per step a tuple's index (an int) or a field (a str)."""
    return LeafPath(
        root, tuple(Step("index", s) if isinstance(s, int) else Step("field", s) for s in steps)
    )


def _tensor(shape: str) -> TensorSpec:
    return TensorSpec("Float", None, parse_shape(shape), None)


def _hand_made() -> str:
    flow = Flow(
        title="lstm",
        slug="models.lstm.lstm",
        nodes=(
            FlowNode("inputs", _tensor("steps batch vocab"), (35, 32, 28), None),
            FlowNode("X", _tensor("batch vocab"), (32, 28), "for X in inputs"),
            FlowNode("Y", _tensor("batch vocab"), (32, 28), "(H @ W_hq) + b_q"),
            FlowNode("return[0]", _tensor("steps*batch vocab"), (1120, 28), "torch.cat"),
        ),
    )
    lstm = FunctionDoc(
        qualname="lstm",
        module="models.lstm",
        file="models/lstm.py",
        line=84,
        signature="lstm(inputs, state, params)",
        summary="Run the LSTM over `inputs`, one-hot encoded and time-major.",
        rows=(
            Row(_at("inputs"), "argument", _tensor("steps batch vocab"), (35, 32, 28), "one-hot"),
            Row(
                _at("return", 0),
                "return",
                _tensor("steps*batch vocab"),
                (1120, 28),
                "a | b",
            ),
        ),
        intermediates=(
            Intermediate("X", 91, _tensor("batch vocab"), (32, 28), "inputs", "for"),
            Intermediate("Y", 97, _tensor("batch vocab"), None, "(H @ W_hq) + b_q", "+"),
        ),
        relations=(SymbolicAxis(Place(_at("return", 0), None, 0), "steps*batch", 1120, "d2l"),),
        flow=flow,
        problems=(
            DocsProblem(
                "example", "models/lstm.py", 84, "lstm", "example run failed: <boom> & more"
            ),
        ),
    )
    odd = Flow('odd<"&>', "odd", (FlowNode("a<b", _tensor(""), None, None),))
    second = FunctionDoc(
        "Model.forward",
        "models.odd",
        "models/odd.py",
        3,
        "forward(self, x)",
        "",
        (),
        (),
        (),
        odd,
        (),
    )
    report = Report(
        target="models",
        modules=(
            ModuleDoc("models.lstm", "Long short-term memory.", (lstm,)),
            ModuleDoc("models.odd", "", (second,)),
        ),
        glossary=(
            GlossaryEntry("batch", "the minibatch size", ("models.lstm.lstm",)),
            GlossaryEntry("steps", None, ("models.lstm.lstm",)),
        ),
        example=Example("d2l", (("batch", 32), ("steps", 35))),
        problems=(DocsProblem("annotation", "models/x.py", 1, "f", "invalid dimension string"),),
    )
    return render_html(report)


def _models() -> str:
    render = getattr(importlib.import_module("shapecheck.docs"), "render", None)
    if render is None:
        pytest.skip("shapecheck.docs.render does not exist yet")
    page = render("models", format="html")
    text = getattr(page, "text", page)  # a `Rendered`, or the page itself
    assert isinstance(text, str), f"render(..., format='html') returned {type(page).__name__}"
    return text


PAGES: dict[str, Callable[[], str]] = {"hand_made": _hand_made, "models": _models}


@pytest.mark.parametrize("name", PAGES)
def test_browser__page_loads_without_errors_and_draws_every_svg(name: str, tmp_path: Path) -> None:
    page = tmp_path / f"{name}.html"
    text = PAGES[name]()
    page.write_text(text, encoding="utf-8")
    svg_count = len(re.findall(r"<svg\b", text))
    assert svg_count > 0

    loaded = _load(page, tmp_path)
    assert loaded.result["errors"] == []
    assert _console_errors(loaded) == []
    assert loaded.result["resources"] == []  # nothing fetched: fonts, images, scripts
    svgs = loaded.result["svgs"]
    assert len(svgs) == svg_count
    for svg in svgs:
        assert svg["width"] > 0 and svg["height"] > 0, svg

    png = _screenshot(page, tmp_path)
    assert png.startswith(PNG_MAGIC)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1280, 2000)


def test_browser__probe_reports_errors(tmp_path: Path) -> None:
    """The harness itself: a page that throws and logs an error must not pass."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>broken</title></head><body>"
        '<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0"></svg>'
        "<script>missing_function();</script>"
        '<script>console.error("boom");</script>'
        "</body></html>",
        encoding="utf-8",
    )
    loaded = _load(page, tmp_path)
    errors = loaded.result["errors"]
    assert any("missing_function" in error for error in errors), errors
    assert any(error == "console.error: boom" for error in errors), errors
    assert any("Uncaught" in line for line in _console_errors(loaded)), loaded.console
    assert loaded.result["svgs"] == [{"width": 0, "height": 0, "title": None}]


# --- the sidebar wraps long names at dots only ------------------------------------

LINES_PROBE = """<script>
window.addEventListener("load", function () {
  // Each sidebar name's visual lines: a new line starts at a character whose
  // box is lower than the one before it.
  var names = Array.prototype.map.call(
    document.querySelectorAll("nav.sidebar code, nav.sidebar .brand"), function (element) {
      var lines = [""], top = null;
      var walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        for (var i = 0; i < node.data.length; i++) {
          var range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          var rects = range.getClientRects();
          if (rects.length) {
            if (top !== null && rects[0].top > top + 2) { lines.push(""); }
            top = rects[0].top;
          }
          lines[lines.length - 1] += node.data[i];
        }
      }
      return {text: element.textContent, lines: lines};
    });
  var nav = document.querySelector("nav.sidebar");
  var pre = document.createElement("pre");
  pre.id = "sc-result";
  pre.textContent = JSON.stringify({
    names: names, scrollWidth: nav.scrollWidth, clientWidth: nav.clientWidth
  });
  document.body.appendChild(pre);
});
</script>"""


def _long_names() -> str:
    function = FunctionDoc(
        "LongClassNameForWrap.a_method_with_a_long_name",
        "shapecheck_sample.deeply_nested_package.another_level.module_with_a_long_name",
        "m.py",
        1,
        "f(x)",
        "",
        (Row(_at("x"), "argument", _tensor("batch"), None, ""),),
        (),
        (),
        None,
        (),
    )
    report = Report(
        target="shapecheck_sample.deeply_nested",
        modules=(ModuleDoc(function.module, "", (function,)),),
        glossary=(),
        example=None,
        problems=(),
    )
    return render_html(report)


def test_browser__sidebar_names_wrap_only_after_dots(tmp_path: Path) -> None:
    page = tmp_path / "long.html"
    page.write_text(_long_names().replace("<head>", "<head>\n" + LINES_PROBE, 1), encoding="utf-8")
    run = subprocess.run(
        [*_flags(tmp_path / "profile"), "--window-size=1280,900", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    match = re.search(r'<pre id="sc-result">(.*?)</pre>', run.stdout, re.DOTALL)
    assert match, f"the probe wrote no result; stderr:\n{run.stderr[-3000:]}"
    result = json.loads(html.unescape(match.group(1)))
    names = {name["text"]: name["lines"] for name in result["names"]}
    module = "shapecheck_sample.deeply_nested_package.another_level.module_with_a_long_name"
    qualname = "LongClassNameForWrap.a_method_with_a_long_name"
    assert len(names[module]) >= 2 and len(names[qualname]) >= 2, names  # they do wrap
    for text, lines in names.items():
        assert "".join(lines) == text
        for line in lines[:-1]:
            assert line.endswith((".", " ")), (text, lines)  # never inside a word
    assert result["scrollWidth"] <= result["clientWidth"]  # and nothing sticks out
