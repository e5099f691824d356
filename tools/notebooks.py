"""Author and refresh the course notebooks.

    python tools/notebooks.py new SCRIPT.py NOTEBOOK.ipynb   # percent-format script -> notebook
    python tools/notebooks.py export NOTEBOOK.ipynb          # notebook -> percent script (stdout)
    python tools/notebooks.py refresh [NOTEBOOK ...]         # run and store outputs

``refresh`` runs each notebook in a fresh kernel (seeded, like nbval does), stores the
text and figure outputs that nbval then checks strictly, and removes what must not be
committed: widget state (``metadata.widgets``, megabytes of plotly JS) and widget views.
A cell that shows a widget is tagged ``nbval-ignore-output`` (widgets only exist in a live
kernel); its other outputs are dropped with the view. With no arguments it refreshes every
notebook under lessons/ and exercises/.

The notebooks are the source: edit them in JupyterLab, or export one to a script, edit it
and build it again. Percent format: ``# %%`` starts a code cell, ``# %% [markdown]`` a markdown cell whose
lines start with ``# ``; ``# %% tags=["a", "b"]`` adds cell tags.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
IGNORE = "nbval-ignore-output"
HEADER = re.compile(r"^# %%(?P<md> \[markdown\])?(?: tags=(?P<tags>\[.*\]))?\s*$")


def new(script: Path, out: Path) -> None:
    cells, kind, tags, lines = [], None, [], []

    def flush():
        if kind is None:
            return
        text = "\n".join(lines).strip("\n")
        if kind == "md":
            text = "\n".join(re.sub(r"^# ?", "", ln) for ln in text.splitlines())
            cell = nbformat.v4.new_markdown_cell(text)
        else:
            cell = nbformat.v4.new_code_cell(text)
        if tags:
            cell.metadata["tags"] = tags
        cells.append(cell)

    for line in script.read_text().splitlines():
        m = HEADER.match(line)
        if m:
            flush()
            kind, lines = ("md" if m.group("md") else "code"), []
            tags = json.loads(m.group("tags")) if m.group("tags") else []
        else:
            lines.append(line)
    flush()
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, out)


def export(path: Path) -> str:
    """The notebook as a percent-format script (the inverse of ``new``), for bulk edits."""
    nb = nbformat.read(path, as_version=4)
    parts = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        tag_text = f" tags={json.dumps(tags)}" if tags else ""
        if cell.cell_type == "markdown":
            body = "\n".join(("# " + ln).rstrip() for ln in cell.source.splitlines())
            parts.append(f"# %% [markdown]{tag_text}\n{body}")
        else:
            parts.append(f"# %%{tag_text}\n{cell.source}")
    return "\n\n".join(parts) + "\n"


def refresh(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            store_widget_state=True)
    client.execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)                 # timestamps: noise in diffs
        if any(WIDGET_VIEW in o.get("data", {}) for o in cell.outputs):
            tags = cell.metadata.setdefault("tags", [])
            if IGNORE not in tags:
                tags.append(IGNORE)
        if IGNORE in cell.metadata.get("tags", []):
            cell.outputs = []
        for o in cell.outputs:
            if o.get("output_type") == "error":
                raise SystemExit(f"{path}: a cell raised {o['ename']}: {o['evalue']}")
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    print(f"refreshed {path.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["new"] and len(argv) == 3:
        new(Path(argv[1]), Path(argv[2]))
        return 0
    if argv[:1] == ["export"] and len(argv) == 2:
        print(export(Path(argv[1])), end="")
        return 0
    if argv[:1] == ["refresh"]:
        paths = [Path(p).resolve() for p in argv[1:]] or sorted(
            p for d in ("lessons", "exercises") for p in (ROOT / d).rglob("*.ipynb")
            if ".ipynb_checkpoints" not in p.parts)
        for p in paths:
            refresh(p)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
