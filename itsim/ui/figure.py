"""The figure of every panel: plotly's FigureWidget with a light front-end module.

plotly's FigureWidget is an anywidget whose front-end module (``_esm``) is the whole of
plotly.js with plotly's widget code: about 5 MB of JavaScript, which took JupyterLab 1.4-2.6 s
to load on a 2-core machine with one core busy, for each figure. anywidget gives a widget's model 2 s from
its creation in the page to load its module; past that its ``ready`` promise is rejected, and
every message from the kernel to that model is dropped from then on (anywidget 0.11
``AnyModel._handle_comm_msg`` awaits ``ready`` before it applies one). The figure is then
drawn from the state it was opened with (plotly opens the widget before it sets the figure:
no traces, no title) and stays so: the lesson's first figure drew empty in some runs, and
moving a slider did not change it.

``FigureWidget`` here sends a module of a few lines instead, so the model is ready at once and
every message reaches it. plotly's own module travels as a synced string (``_plotly_bundle``,
the same text plotly sends as its ``_esm``) and runs when a figure is first drawn, once per
page for all figures of the same plotly version; plotly's widget code then draws the figure as
before. It runs as the body of a function, in one go on the page's thread, not through the
browser's module loader: there a slow compile of the 5 MB held up the small modules of the
other figures made meanwhile past their 2 s. (If it cannot, e.g. a plotly whose module has
another shape, it is imported as a module.) A view drawn after plotly.js has loaded starts
from the synced figure state, which :func:`itsim.ui.panel.redraw` keeps current, so an update
sent while plotly.js was still loading is not lost either.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

import plotly
import plotly.graph_objects as go
import traitlets
from plotly.basewidget import BaseFigureWidget

LIGHT_ESM = r"""
// itsim: plotly's FigureWidget front end, run once per page when a figure is first drawn
const LOADED = (globalThis.__itsimPlotlyWidget ??= new Map());

// plotly's module ends in its one export statement (then comments): as the body of a
// function that returns the exports, it runs on the page's thread in one go, not through
// the browser's module loader, where a slow 5 MB compile holds up the small modules of
// other widgets made meanwhile (anywidget gives each 2 s)
function asFunction(text) {
  const at = Math.max(text.lastIndexOf("export{"), text.lastIndexOf("export {"));
  const end = at < 0 ? -1 : text.indexOf("}", at);
  if (end < 0) return null;
  const tail = text.slice(end + 1).replace(/^;/, "");
  if (!/^\s*(?:\/\*(?:[^*]|\*(?!\/))*\*\/\s*)*$/.test(tail)) return null;
  const names = text.slice(text.indexOf("{", at) + 1, end).split(",").map((part) => {
    const [local, exported] = part.trim().split(/\s+as\s+/);
    return JSON.stringify(exported || local) + ":" + local;
  });
  return new Function('"use strict";' + text.slice(0, at) + ";return{" + names + "};" + tail);
}

function importModule(text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
  return import(url).finally(() => URL.revokeObjectURL(url));
}

function plotlyWidget(model) {
  const id = model.get("_plotly_bundle_id");
  let loading = LOADED.get(id);
  if (!loading) {
    const text = model.get("_plotly_bundle");
    let run = null;
    try {
      run = asFunction(text);
    } catch (error) {       // not plain script (or the page forbids it): load it as a module
      run = null;
    }
    loading = run ? Promise.resolve().then(run) : importModule(text);
    loading.catch(() => LOADED.delete(id));
    LOADED.set(id, loading);
  }
  return loading;
}

export default {
  async render({ model, el, signal }) {
    const bundle = await plotlyWidget(model);
    if (signal && signal.aborted) return;
    const widget = typeof bundle.default === "function" ? bundle.default() : bundle.default;
    if (widget.initialize) widget.initialize({ model });
    return widget.render({ model, el, signal });
  },
};
"""


@lru_cache(maxsize=1)
def plotly_bundle() -> tuple[str, str]:
    """plotly's widget module (the text plotly sends as its ``_esm``) and an id for it."""
    text = str(BaseFigureWidget._esm)
    digest = hashlib.sha1(text.encode()).hexdigest()[:12]
    return text, f"plotly {plotly.__version__} {digest}"


class FigureWidget(go.FigureWidget):
    """``plotly.graph_objects.FigureWidget`` whose front-end module is light (see above)."""

    _esm = LIGHT_ESM
    _plotly_bundle = traitlets.Unicode().tag(sync=True)
    _plotly_bundle_id = traitlets.Unicode().tag(sync=True)

    @traitlets.default("_plotly_bundle")
    def _bundle_default(self):
        return plotly_bundle()[0]

    @traitlets.default("_plotly_bundle_id")
    def _bundle_id_default(self):
        return plotly_bundle()[1]
