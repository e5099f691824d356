"""The docs stay true: every teaching assumption in the data is listed in docs/sources.md."""
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]


def test_every_assumption_is_listed():
    """docs/sources.md lists every teaching assumption in the data (tools/assumptions.py)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("assumptions", ROOT / "tools" / "assumptions.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.current() == tool.table(), "run: python tools/assumptions.py"


def test_design_doc_exists_and_names_the_canonical_units():
    text = (ROOT / "docs" / "design.md").read_text()
    assert "mcg, mL and day" in text


def test_notebook_export_and_build_round_trip(tmp_path):
    import importlib.util

    import nbformat
    spec = importlib.util.spec_from_file_location("nbtool", ROOT / "tools" / "notebooks.py")
    nbtool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(nbtool)
    for path in [ROOT / "lessons" / "03_drugs_and_dosing.ipynb",
                 ROOT / "exercises" / "03_dosing.ipynb"]:
        script = tmp_path / "nb.py"
        script.write_text(nbtool.export(path))
        nbtool.new(script, tmp_path / "nb.ipynb")
        a, b = (nbformat.read(p, as_version=4) for p in (path, tmp_path / "nb.ipynb"))
        assert [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in a.cells] == \
            [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in b.cells]


def test_scenario_format_doc_is_current():
    """docs/scenarios.md lists every key and event the code accepts (tools/scenario_docs.py)."""
    from itsim.authoring import format_doc
    assert (ROOT / "docs" / "scenarios.md").read_text() == format_doc(), \
        "run: python tools/scenario_docs.py"
