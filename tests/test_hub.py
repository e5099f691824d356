"""A real JupyterHub with two trainees: both can run the start page. Skipped, with the reason,
without configurable-http-proxy (.ci/run installs it from the npm registry) or JupyterHub."""
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

jupyterhub = pytest.importorskip("jupyterhub", reason="JupyterHub is not installed "
                                 "(pip install -e '.[test]')")
import classroom  # noqa: E402


@pytest.mark.skipif(classroom.chp_command() is None,
                    reason="configurable-http-proxy is not installed (npm install in "
                    "tests/browser; .ci/run does it)")
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_two_trainees_run_the_start_page_on_a_real_hub():
    r = classroom.classroom(2, ROOT / "lessons" / "00_start_here.ipynb", burst=False)
    assert r["trainees"] == 2 and len(r["outputs"]) == 2
    for out in r["outputs"]:
        assert "Traceback" not in out
    assert 0 < r["start_s_median"] < 120 and r["memory_mb_per_trainee"] > 50
