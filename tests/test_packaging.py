"""pyproject.toml and environment.yml list the same packages; the README is true."""
import re
import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def split(req):
    req = req.split(";")[0].strip()
    name, spec = re.match(r"([A-Za-z0-9_.\-]+)\s*(.*)", req).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(split(r) for r in project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    listed = dict(split(d) for d in env["dependencies"] if isinstance(d, str)
                  and split(d)[0] not in ("python", "pip"))
    assert listed == wanted
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert split(python)[1] == project["requires-python"]


def test_readme_states_the_commands_and_the_disclaimer():
    readme = (ROOT / "README.md").read_text()
    assert 'pip install -e ".[test]" && pytest' in readme
    assert "itsim course" in readme and "pip install -e ." in readme
    assert "education" in readme.lower()


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install -e ".[test]"' in ci and "pytest" in ci


def test_data_files_ship_with_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "data/*.toml" in config["tool"]["setuptools"]["package-data"]["itsim"]


def test_freed_memory_is_kept_for_reuse_unless_turned_off():
    """On Linux with glibc, importing itsim fixes the malloc thresholds (re-runs then reuse
    memory instead of faulting in fresh pages); ITSIM_MALLOC=default leaves them alone."""
    import os
    import subprocess
    code = "import itsim; print(itsim.memory.keep_freed_memory())"
    glibc = sys.platform.startswith("linux") and os.confstr("CS_GNU_LIBC_VERSION")
    run = lambda env: subprocess.run([sys.executable, "-c", code], capture_output=True,  # noqa: E731
                                     text=True, check=True, env={**os.environ, **env}).stdout
    assert run({}).strip() == str(bool(glibc))
    assert run({"ITSIM_MALLOC": "default"}).strip() == "False"
