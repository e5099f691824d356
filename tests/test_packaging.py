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


def test_everything_the_package_reads_ships_inside_it():
    """Every file under itsim/ that is not Python matches a package-data pattern (the wheel
    carries it), and the top-level scenarios/ is the package's own folder, linked."""
    import fnmatch
    import os
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["itsim"]
    package = ROOT / "itsim"
    data = [p.relative_to(package).as_posix() for p in package.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert any(d.startswith("scenarios/troubleshooting/") for d in data)
    assert [d for d in data if not any(fnmatch.fnmatchcase(d, pat) for pat in patterns)] == []
    link = ROOT / "scenarios"
    assert link.is_symlink() and os.readlink(link) == "itsim/scenarios"


def test_no_module_reads_files_beside_the_package():
    """Paths from __file__'s parents reach the checkout, which a wheel does not have; only the
    CLI looks there, for the lessons (itsim course/app/export, with a clear message if absent)."""
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in sorted((ROOT / "itsim").rglob("*.py"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if ".parents[" in line or ".parent.parent" in line]
    assert {o.split(":")[0] for o in offenders} <= {"itsim/cli.py"}, offenders


def test_ci_runs_the_wheel_check_the_second_numeric_setting_and_the_thorough_profile():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python .ci/wheel_check.py" in ci and (ROOT / ".ci" / "wheel_check.py").is_file()
    assert "export HYPOTHESIS_PROFILE=ci" in ci
    assert re.search(r"OPENBLAS_CORETYPE=\$second OPENBLAS_NUM_THREADS=1 pytest lessons "
                     r"exercises docs", ci)


def test_every_data_file_in_the_package_is_package_data():
    """A file the package reads but pyproject's package-data misses is absent from a wheel
    (the emergency cases were, until the wheel check in .ci/run caught it)."""
    import fnmatch
    import sys
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    root = Path(__file__).resolve().parents[1]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["itsim"]
    files = [p.relative_to(root / "itsim").as_posix() for p in (root / "itsim").rglob("*")
             if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    def matches(path: str, pattern: str) -> bool:       # glob: '*' stays within one folder
        a, b = path.split("/"), pattern.split("/")
        return len(a) == len(b) and all(fnmatch.fnmatchcase(x, y) for x, y in zip(a, b))
    missing = [f for f in files if not any(matches(f, pat) for pat in patterns)]
    assert files and missing == []
