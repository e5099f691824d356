"""Every panel's figure is itsim's FigureWidget (itsim/ui/figure.py): a light front-end module,
so anywidget's 2 s for a model to become ready is never spent loading plotly.js (the figure
then drew empty and stayed so), and a synced state that follows every update, so a view
drawn after plotly.js has loaded starts from the current figure."""
from __future__ import annotations

import ast
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from plotly.basewidget import BaseFigureWidget

from itsim.ui.figure import LIGHT_ESM, FigureWidget
from itsim.ui.procedures import ScreeningTrial

UI = Path(__file__).resolve().parents[1] / "itsim" / "ui"


@pytest.fixture(scope="module")
def screening():
    return ScreeningTrial()            # a FigureWidget takes a while to build: share it


def test_no_ui_module_makes_plotlys_figurewidget_itself():
    offenders = []
    for path in UI.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "FigureWidget" \
                    and getattr(node.value, "id", "") == "go" and path.name != "figure.py":
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_the_figure_sends_a_light_module_and_plotlys_as_text(screening):
    fig = screening.figure
    assert isinstance(fig, FigureWidget)
    state = fig.get_state()
    assert state["_esm"] == LIGHT_ESM and len(state["_esm"]) < 10_000
    assert state["_plotly_bundle"] == str(BaseFigureWidget._esm)     # plotly's own module
    assert state["_plotly_bundle_id"].startswith("plotly ")


def test_the_synced_state_follows_every_update(screening):
    fig = screening.figure
    screening.set(sensitivity=2.0)
    assert fig._widget_data[0]["y"] == list(fig.data[0].y)
    assert fig._widget_layout["title"]["text"] == fig.layout.title.text
    screening.set(sensitivity=0.5)
    assert fig._widget_data[0]["y"] == list(fig.data[0].y)
    assert fig._widget_layout["title"]["text"] == fig.layout.title.text
    screening.reset()


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_plotlys_module_turns_into_a_function(tmp_path):
    """The light module runs plotly's as a function (not through the module loader); a plotly
    whose module no longer fits would silently take the slower way: this says so."""
    source = LIGHT_ESM[LIGHT_ESM.index("function asFunction"):
                       LIGHT_ESM.index("function importModule")]
    bundle = tmp_path / "bundle.js"
    bundle.write_text(str(BaseFigureWidget._esm))
    script = (source + "\nconst text = require('fs').readFileSync(process.argv[1], 'utf8');"
              "\nconst run = asFunction(text), body = run ? run.toString() : '';"
              "\nconst at = body.lastIndexOf(';return{');"
              "\nconsole.log(JSON.stringify(run && body.slice(at, body.indexOf('}', at) + 1)));")
    out = subprocess.run(["node", "-e", script, str(bundle)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    returned = json.loads(out.stdout)
    assert returned is not None and '"default":' in returned and '"FigureView":' in returned
