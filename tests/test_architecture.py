"""The layers: widgets and plots only in itsim.ui; a fast, quiet model import."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI_ONLY = {"ipywidgets", "plotly", "anywidget", "IPython"}


def imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_only_itsim_ui_imports_widgets_or_plotly():
    offenders = []
    for path in (ROOT / "itsim").rglob("*.py"):
        if (ROOT / "itsim" / "ui") in path.parents:
            continue
        for name in imported_modules(path):
            if name.split(".")[0] in UI_ONLY:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_model_layers_do_not_print():
    offenders = []
    for path in (ROOT / "itsim").rglob("*.py"):
        if (ROOT / "itsim" / "ui") in path.parents or path.name in ("cli.py", "__main__.py"):
            continue
        tree = ast.parse(path.read_text())
        offenders += [f"{path.name}:{n.lineno}" for n in ast.walk(tree)
                      if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
    assert offenders == []


def test_import_itsim_is_fast_and_loads_no_heavy_modules():
    code = ("import time, sys; t = time.perf_counter(); import itsim; "
            "print(time.perf_counter() - t); "
            "print(sorted(m for m in ('pint', 'ipywidgets', 'plotly', 'numpy') if m in sys.modules))")
    times = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout.split("\n")
        times.append(float(out[0]))
        assert out[1] == "[]"
    assert min(times) < 0.5, times


def test_model_layers_import_without_ui_packages():
    code = ("import sys; sys.modules.update({m: None for m in ('ipywidgets', 'plotly')}); "
            "import itsim.dosing, itsim.drugs, itsim.exercises, itsim.cli; "
            "print(itsim.dosing.rate('1 mg/day', '1 mg/mL'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
