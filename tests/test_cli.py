"""The itsim command: help, version, one-line errors, and a real JupyterLab course start."""
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import itsim

ROOT = Path(__file__).resolve().parents[1]


def run(*args, **kw):
    return subprocess.run([sys.executable, "-m", "itsim", *args], capture_output=True,
                          text=True, timeout=60, **kw)


def test_version_and_help():
    assert run("--version").stdout.strip() == f"itsim {itsim.__version__}"
    out = run("--help")
    assert out.returncode == 0 and "course" in out.stdout and "education only" in out.stdout


def test_console_script_is_the_same_command():
    exe = Path(sys.executable).with_name("itsim")
    if not exe.exists():
        pytest.skip("itsim console script not installed in this environment")
    assert subprocess.run([str(exe), "--version"], capture_output=True, text=True
                          ).stdout.strip() == f"itsim {itsim.__version__}"


@pytest.mark.parametrize("args, fragment", [
    (["bogus"], "invalid choice: 'bogus'"),
    (["course", "--port", "x"], "invalid int value"),
    (["course", "--port", "70000"], "--port = 70000"),
    (["course", "--dir", "/nonexistent"], "--dir = '/nonexistent'"),
    (["course", "--print-command", "--", "--IdentityProvider.token="], "token authentication"),
])
def test_errors_are_one_line_exit_2_no_traceback(args, fragment):
    out = run(*args)
    assert out.returncode == 2
    lines = [ln for ln in out.stderr.splitlines() if not ln.startswith("For education only")]
    assert len(lines) == 1 and fragment in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def test_course_command_is_localhost_with_token_auth():
    out = run("course", "--print-command", "--no-browser", "--port", "8123")
    assert out.returncode == 0
    cmd = out.stdout
    assert "lessons/00_start_here.ipynb" in cmd and "--ServerApp.ip=127.0.0.1" in cmd
    assert f"--ServerApp.root_dir={ROOT}" in cmd and "--ServerApp.port=8123" in cmd
    assert "token" not in cmd and "password" not in cmd


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(url, tries=100):
    """HTTP status of ``url``, waiting while the server is not yet accepting connections."""
    for _ in range(tries):
        try:
            with urllib.request.urlopen(url) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code
        except urllib.error.URLError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


@pytest.mark.slow
def test_course_starts_jupyterlab_on_the_start_page(tmp_path):
    """Start the real server as a learner would; the browser is a script that records
    what it was asked to open."""
    browser = tmp_path / "browser.py"
    opened = tmp_path / "opened.txt"
    browser.write_text(f"import sys; open({str(opened)!r}, 'w').write(sys.argv[1])\n")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "BROWSER": f"{sys.executable} {browser} %s"}
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "itsim", "course", "--port", str(port), "--",
                             "--LabApp.news_url=None",
                             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        token, log = None, ""
        deadline = time.time() + 60
        while time.time() < deadline and token is None:
            line = proc.stdout.readline()
            log += line
            m = re.search(rf"http://127\.0\.0\.1:{port}/lab\?token=([0-9a-f]+)", line)
            token = m.group(1) if m else None
        assert token, log
        base = f"http://127.0.0.1:{port}"
        assert status(f"{base}/api/contents/lessons/00_start_here.ipynb") == 403  # no token
        with urllib.request.urlopen(f"{base}/api/contents/lessons/00_start_here.ipynb"
                                    f"?token={token}") as r:
            assert json.load(r)["name"] == "00_start_here.ipynb"
        for _ in range(100):
            if opened.exists():
                break
            time.sleep(0.1)
        target = opened.read_text()
        page = Path(target.removeprefix("file://")).read_text() if target.startswith(
            "file://") else target
        assert "lab/tree/lessons/00_start_here.ipynb" in page
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    with pytest.raises(urllib.error.URLError):          # the server went with the command
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=2)


def test_app_command_serves_the_patients_pages_with_voila_on_localhost_with_a_token():
    out = run("app", "--print-command", "--no-browser")
    assert out.returncode == 0
    cmd = out.stdout.strip()
    assert "-m voila" in cmd and "09_living_with_a_pump.ipynb" in cmd
    assert "--Voila.ip=127.0.0.1" in cmd and "--token" in cmd
    other = run("app", "07_refill", "--print-command")
    assert "lessons/07_refill.ipynb" in other.stdout
    bad = run("app", "no_such_lesson")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().splitlines()[-1].startswith("itsim: error: page =")


def test_check_explains_every_problem_and_new_case_templates_pass(tmp_path):
    for template in ("basic", "refill", "complication"):
        case = tmp_path / f"{template}.toml"
        out = run("new-case", "--template", template, "--output", str(case))
        assert out.returncode == 0, out.stderr
        ok = run("check", str(case))
        assert ok.returncode == 0 and "fine" in ok.stdout
        assert run("run", str(case)).returncode == 0
    bad = tmp_path / "bad.toml"
    bad.write_text('colour = "red"\n[pump]\nkind = "programable"\n[drug]\nname = "baclofen"\n'
                   'concentration = "500"\n[[events]]\nat = "day 5"\nkind = "refil"\n')
    out = run("check", str(bad))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    for fragment in ("'colour'", "'pump.kind'", "needs 'fill'", "'drug.concentration'",
                     "'events[0].kind'"):
        assert fragment in out.stdout, fragment
    again = run("new-case", "--output", str(bad))
    assert again.returncode == 2 and "exists" in again.stderr


def test_link_is_an_nbgitpuller_link_to_the_start_page():
    out = run("link", "--hub", "https://hub.example.org", "--repo", "https://github.com/a/itsim")
    assert out.returncode == 0
    url = out.stdout.strip()
    assert url.startswith("https://hub.example.org/hub/user-redirect/git-pull?")
    assert "lab%2Ftree%2Fitsim%2Flessons%2F00_start_here.ipynb" in url
    assert run("link", "--hub", "hub.example.org").returncode == 2


def test_export_writes_a_static_html_handout(tmp_path):
    out = tmp_path / "capstone.html"
    r = run("export", "10_capstone_cases", "--html", "--output", str(out), "--no-code")
    assert r.returncode == 0, r.stderr
    html = out.read_text()
    assert "Capstone: three patients" in html and "js-plotly-plot" in html.replace(
        "plotly-graph-div", "js-plotly-plot")
    assert "from itsim import" not in html                     # --no-code: prose and results
    assert run("export", "10_capstone_cases").returncode == 2    # --html is needed
    assert run("export", "nope", "--html").returncode == 2
