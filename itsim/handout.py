"""Handouts: a lesson as one static HTML page, for learners without a kernel.

``itsim export LESSON --html`` runs the lesson in a fresh kernel, with plotly figures drawn
as interactive HTML (plotly.js embedded) and the widgets' state saved so that a browser can
draw them from it (the widget manager script comes from a CDN, so widgets need a network
connection; figures do not), and writes one .html file. The HTML that markdown renders to
(markdown cells and markdown outputs) is sanitised with nh3: no scripts, event handlers or
``javascript:`` links; figures and widgets are outputs and keep their scripts.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError

HTML_SUFFIXES = (".html", ".htm")


def sanitise(html: str) -> str:
    """``html`` with only nh3's safe tags and attributes (plus ``id`` and ``class``, for the
    heading anchors and code colours); ``data:`` URLs only as image sources."""
    import nh3
    attributes = {**nh3.ALLOWED_ATTRIBUTES, "*": {"id", "class", "lang", "title"}}
    return nh3.clean(html, attributes=attributes, attribute_filter=_data_only_in_images,
                     url_schemes=nh3.ALLOWED_URL_SCHEMES | {"data"})


def _data_only_in_images(tag: str, attribute: str, value: str):
    if value.lstrip().lower().startswith("data:") and not (
            tag == "img" and attribute == "src" and value.lstrip().lower().startswith("data:image/")):
        return None
    return value


def output_path(notebook, output=None) -> Path:
    """Where the handout of ``notebook`` goes: ``output`` (an .html file that is not the
    notebook) or, by default, beside it with ``.html``."""
    path = Path(notebook)
    out = Path(output) if output else path.with_suffix(".html")
    if out.suffix.lower() not in HTML_SUFFIXES:
        raise InputError("--output", str(output), "a file ending .html (the handout is HTML)")
    if out.resolve() == path.resolve() or (out.exists() and os.path.samefile(out, path)):
        raise InputError("--output", str(output), f"a file other than the lesson {path}")
    return out


def export_html(notebook, output=None, *, code: bool = True, timeout: int = 600) -> Path:
    """Run ``notebook`` and write it as HTML to ``output`` (default: beside it, .html)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(notebook)
    if path.suffix != ".ipynb" or not path.is_file():
        why = ("; this is a folder" if path.is_dir() else
               "; there is no such file" if not path.exists() else "")
        raise InputError("lesson", str(notebook), "a notebook file (.ipynb)" + why)
    out = output_path(path, output)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as e:  # noqa: BLE001 - nbformat raises many kinds for a bad file
        raise InputError("lesson", str(notebook), f"a readable notebook ({type(e).__name__})") \
            from None
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
    body = to_html(nb, code=code)
    try:
        out.write_text(body, encoding="utf-8")
    except OSError as e:
        raise InputError("--output", str(out), f"cannot be written ({e.strerror})") from None
    return out


def to_html(nb, *, code: bool = True) -> str:
    """An executed notebook as one HTML page (lab template), markdown sanitised."""
    from jinja2 import pass_context
    from nbconvert import HTMLExporter

    class Exporter(HTMLExporter):
        @pass_context
        def markdown2html(self, context, source):
            return sanitise(super().markdown2html(context, source))

    exporter = Exporter(template_name="lab", exclude_input=not code,
                        exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return body
