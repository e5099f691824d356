"""Look at a notebook as a learner sees it: JupyterLab in headless Chromium, run all cells,
then a screenshot of every panel (and of the whole page).

    python tools/screenshot.py NOTEBOOK [OUT_DIR]     # default OUT_DIR: /tmp/itsim-shots

Needs Debian's chromium (apt-get install chromium) and the playwright package; starts its own
JupyterLab on 127.0.0.1 with a token, in temporary Jupyter folders, and stops it at the end.
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/lib/chromium/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(port: int, token: str) -> subprocess.Popen:
    tmp = tempfile.mkdtemp()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": f"{tmp}/config", "JUPYTER_DATA_DIR": f"{tmp}/data",
           "JUPYTER_RUNTIME_DIR": f"{tmp}/runtime"}
    settings = Path(tmp, "config", "lab", "user-settings", "@jupyterlab",
                    "apputils-extension")
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={ROOT}", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.expose_app_in_browser=True", "--allow-root"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=1)
            return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("JupyterLab did not start")


IDLE = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session
            && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle'; }"""


def wait_idle(page, timeout: float) -> None:
    """Wait until the notebook's kernel has been idle for a moment."""
    end, calm = time.time() + timeout, 0
    while time.time() < end:
        calm = calm + 1 if page.evaluate(IDLE) else 0
        if calm >= 4:
            return
        time.sleep(0.5)
    raise SystemExit("the kernel did not become idle")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    from playwright.sync_api import sync_playwright
    notebook = Path(argv[0]).resolve().relative_to(ROOT)
    out = Path(argv[1] if len(argv) > 1 else "/tmp/itsim-shots")
    out.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(16)
    lab = start_lab(port, token)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            page.goto(f"http://127.0.0.1:{port}/lab/tree/{notebook}?token={token}")
            page.wait_for_selector(".jp-Notebook", timeout=60000)
            wait_idle(page, 60)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            time.sleep(3)
            wait_idle(page, 300)
            time.sleep(3)
            errors = page.locator(".jp-OutputArea-output[data-mime-type*='error']").count()
            panels = page.locator(".widget-vbox:has(.js-plotly-plot)")
            stem = notebook.stem
            shots = []
            for i in range(panels.count()):
                panel = panels.nth(i)
                if panel.locator(".widget-vbox:has(.js-plotly-plot)").count():
                    continue                                  # an outer box: take the inner
                panel.scroll_into_view_if_needed()
                time.sleep(0.8)
                path = out / f"{stem}-panel{len(shots) + 1}.png"
                panel.screenshot(path=str(path))
                shots.append(path)
            browser.close()
        print(f"{notebook}: {len(shots)} panels, {errors} error outputs")
        for s in shots:
            print(f"  {s}")
        return 1 if errors else 0
    finally:
        lab.terminate()
        lab.wait(timeout=20)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
