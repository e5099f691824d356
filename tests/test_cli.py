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
from itsim import cli

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


# --- Jupyter options: read as Jupyter reads them ---------------------------------------------

SPELLINGS = [
    ["--ServerApp.token", ""], ["--ServerApp.token="], ["--ServerApp.token=''"],
    ["-IdentityProvider.token", '""'], ["--IdentityProvider.token", "secret", "notes.ipynb"],
    ["--no-browser", "--PasswordIdentityProvider.hashed_password="],
    ["--ip", "0.0.0.0"], ["--ip=localhost", "--port", "8890"], ["--config", "c.py"],
    ["--ServerApp.disable_check_xsrf", "True", "--LabApp.news_url=None"],
    ["--debug", "--ServerApp.allow_remote_access=false", "--", "--ServerApp.token="],
]


@pytest.mark.parametrize("argv", SPELLINGS, ids=" ".join)
def test_jupyter_options_are_read_as_traitlets_reads_them(argv):
    """Every Class.trait value Jupyter's own parser takes from the command line, our guard
    sees with the same value (both forms, one or two dashes, aliases, '--' ending options)."""
    from jupyterlab.labapp import LabApp
    from traitlets.config.loader import KVArgParseConfigLoader
    config = KVArgParseConfigLoader(argv, aliases=LabApp.aliases, flags=LabApp.flags,
                                    classes=[]).load_config()
    from_flags = {f"{section}.{trait}" for arg in argv if arg.lstrip("-") in LabApp.flags
                  for section, traits in LabApp.flags[arg.lstrip("-")][0].items()
                  for trait in traits}
    theirs = {f"{section}.{trait}": str(value) for section, traits in config.items()
              for trait, value in traits.items() if f"{section}.{trait}" not in from_flags}
    ours = {name: value for name, value in cli.jupyter_options(argv) if "." in name}
    assert ours == theirs


@pytest.mark.parametrize("extra", [
    ["--IdentityProvider.token=a-long-secret"], ["--LabApp.news_url=None", "--no-browser"],
    ["--ip=localhost", "--port", "8890"], ["--ServerApp.ip", "127.0.0.1"],
    ["--ServerApp.disable_check_xsrf=False"], ["--ServerApp.allow_remote_access", "0"],
    ["lessons/07_refill.ipynb"], ["--", "--ServerApp.token="],     # after '--': a file name
])
def test_safe_jupyter_options_pass_through(extra):
    cmd = cli.lab_command(ROOT, None, False, extra)
    assert cmd[-len(extra):] == extra and "--ServerApp.ip=127.0.0.1" in cmd


# --- app: only the course's lessons ----------------------------------------------------------

@pytest.mark.parametrize("page", ["07_refill", "07_refill.ipynb", "lessons/07_refill.ipynb",
                                  str(ROOT / "lessons" / "07_refill.ipynb")])
def test_app_takes_a_lesson_by_name_or_path(page):
    cmd = cli.app_command(ROOT, page, None, False)
    assert cmd[3] == str(ROOT / "lessons" / "07_refill.ipynb")


def test_app_refuses_notebooks_outside_the_lessons_and_names_them(tmp_path):
    mine = tmp_path / "mine.ipynb"
    mine.write_text("{}")
    for page in (str(mine), str(ROOT / "exercises" / "07_refill.ipynb"), "docs/validation.ipynb"):
        with pytest.raises(itsim.InputError) as info:
            cli.app_command(ROOT, page, None, False)
        assert "a lesson of the course: 00_start_here," in str(info.value)
        assert "09_living_with_a_pump" in str(info.value)


# --- run: shipped scenarios, CSV spacing -----------------------------------------------------

SHORT = """title = "Two days"
days = 2
step = "10 min"
[pump]
kind = "programmable"
reservoir = "20 mL"
[drug]
name = "baclofen"
concentration = "500 mcg/mL"
fill = "20 mL"
[program]
mode = "continuous"
dose = "300 mcg/day"
"""


@pytest.mark.parametrize("every, rows", [(None, 48), ("10", 288), ("30", 96), ("2880", 1)])
def test_csv_rows_are_spaced_as_asked(tmp_path, every, rows, capsys):
    case = tmp_path / "short.toml"
    case.write_text(SHORT)
    out = tmp_path / "out.csv"
    assert cli.main(["run", str(case), "--csv", str(out)]
                    + (["--every", every] if every else [])) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == rows + 1                       # and the header
    if rows > 1:
        t = [float(line.split(",")[0]) for line in lines[1:3]]
        assert round((t[1] - t[0]) * 1440) == (int(every) if every else 60)


def test_csv_every_is_exact_or_refused():
    assert cli.csv_every(None, 1.0, 1000) == 60 and cli.csv_every(None, 180.0, 10) == 1
    assert cli.csv_every(None, 7.0, 1000) == 9               # nearest whole steps to 60 min
    assert cli.csv_every(0.3, 0.1, 10) == 3                  # float dust is not a remainder
    for minutes in (0.25, 1e300, 1001.0):
        with pytest.raises(itsim.InputError):
            cli.csv_every(minutes, 1.0, 1000)


def test_a_shipped_scenario_runs_by_name_from_any_folder(tmp_path):
    out = run("run", "catheter_occlusion", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["title"] == "Baclofen: a catheter blocks on day 40"
    assert cli.scenario_arg("catheter_occlusion").endswith(
        os.path.join("itsim", "scenarios", "catheter_occlusion.toml"))
    assert cli.scenario_arg("no_such_case") == "no_such_case"   # load() then says why


def test_a_closed_pipe_is_no_traceback():
    proc = subprocess.Popen([sys.executable, "-m", "itsim", "run", "catheter_occlusion"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()                                  # as `| head -0` does
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert "Traceback" not in err and proc.returncode == 1


# --- handouts: markdown sanitised, outputs kept ----------------------------------------------

def test_handout_sanitises_markdown_and_keeps_figures_and_widgets():
    import nbformat.v4 as v4
    import plotly.graph_objects as go
    import plotly.io as pio

    from itsim.handout import to_html
    figure = pio.to_html(go.Figure(go.Scatter(y=[1, 3, 2])), include_plotlyjs=False,
                         full_html=False)
    view = {"model_id": "abc123", "version_major": 2, "version_minor": 0}
    state = {"state": {"abc123": {"model_name": "IntSliderModel", "model_module":
                                  "@jupyter-widgets/controls", "model_module_version": "2.0.0",
                                  "state": {"value": 7}}}, "version_major": 2, "version_minor": 0}
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# Safe heading\n\nText <script>alert(1)</script> and "
                             "<img src=x onerror=\"alert(2)\"> and [a link](javascript:alert(3))"
                             " and $a < b$."),
        v4.new_code_cell("fig", outputs=[
            v4.new_output("display_data", data={"text/html": figure}),
            v4.new_output("display_data", data={
                "application/vnd.jupyter.widget-view+json": view, "text/plain": "slider"}),
            v4.new_output("display_data", data={"text/markdown": "**bold** <script>stolen()</script>"}),
        ])])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": state}
    html = to_html(nb)
    assert "alert(" not in html and "onerror" not in html and "javascript:" not in html
    assert "stolen()" not in html and "<strong>bold</strong>" in html
    assert 'id="Safe-heading"' in html and "$a &lt; b$" in html          # anchors and math
    assert "Plotly.newPlot" in html and '"y":[1,3,2]' in html.replace(" ", "")
    assert 'application/vnd.jupyter.widget-state+json' in html and '"abc123"' in html
    assert 'application/vnd.jupyter.widget-view+json' in html


def test_export_refuses_to_write_over_its_own_source(tmp_path):
    nb = tmp_path / "notes.ipynb"
    nb.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    before = nb.read_bytes()
    for output in (nb, tmp_path / "x" / ".." / "notes.ipynb", tmp_path / "notes.txt"):
        out = run("export", str(nb), "--html", "-o", str(output))
        assert out.returncode == 2 and "--output" in out.stderr and "Traceback" not in out.stderr
    assert nb.read_bytes() == before
