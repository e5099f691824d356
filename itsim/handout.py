"""Handouts: a lesson as one static HTML page, for learners without a kernel.

``itsim export LESSON --html`` runs the lesson in a fresh kernel, with plotly figures drawn
as interactive HTML (plotly.js embedded) and the widgets' state saved so that a browser can
draw them from it (the widget manager script comes from a CDN, so widgets need a network
connection; figures do not), and writes one .html file.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError


def export_html(notebook, output=None, *, code: bool = True, timeout: int = 600) -> Path:
    """Run ``notebook`` and write it as HTML to ``output`` (default: beside it, .html)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from nbconvert import HTMLExporter

    path = Path(notebook)
    if path.suffix != ".ipynb" or not path.is_file():
        raise InputError("lesson", str(notebook), "a notebook file (.ipynb) of the course")
    out = Path(output) if output else path.with_suffix(".html")
    nb = nbformat.read(path, as_version=4)
    before = os.environ.get("PLOTLY_RENDERER")
    os.environ["PLOTLY_RENDERER"] = "notebook"            # figures as HTML with plotly.js
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}},
                       store_widget_state=True).execute()
    except CellExecutionError as e:
        raise InputError("lesson", str(notebook), f"a notebook that runs ({e.ename})") from None
    finally:
        if before is None:
            os.environ.pop("PLOTLY_RENDERER", None)
        else:
            os.environ["PLOTLY_RENDERER"] = before
    exporter = HTMLExporter(template_name="lab", exclude_input=not code,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    try:
        out.write_text(body, encoding="utf-8")
    except OSError as e:
        raise InputError("--output", str(out), f"cannot be written ({e.strerror})") from None
    return out
