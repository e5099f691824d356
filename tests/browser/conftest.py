"""Real-browser fixtures: Debian's Chromium driven by Playwright, against a JupyterLab and a
Voila server started here on 127.0.0.1 with a token, in temporary Jupyter folders, and
stopped afterwards. Skipped, with the reason, when Chromium or Playwright is missing.
Screenshots go to test-artifacts/ (not committed)."""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium",
                             shutil.which("chromium") or "") if p and Path(p).is_file()), None)


def pytest_collection_modifyitems(config, items):
    reason = None
    if CHROMIUM is None:
        reason = "Chromium is not installed (apt-get install chromium; .ci/run does it)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is not installed (pip install -e '.[test]')"
    if reason:
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _jupyter_env() -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="itsim-browser-"))
    settings = tmp / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    return {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp / "config"),
            "JUPYTER_DATA_DIR": str(tmp / "data"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime")}


def _wait(url: str, proc: subprocess.Popen, seconds: float = 90):
    end = time.time() + seconds
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"no answer from {url}")


def _stop(proc: subprocess.Popen):
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def lab():
    """A JupyterLab server on 127.0.0.1: (base URL, token)."""
    port, token = free_port(), secrets.token_hex(16)
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
         "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.expose_app_in_browser=True", "--allow-root"],
        env=_jupyter_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(f"http://127.0.0.1:{port}/api/status?token={token}", proc)
        yield f"http://127.0.0.1:{port}", token
    finally:
        _stop(proc)


def voila(lesson: str):
    """``itsim app LESSON`` (Voila) on a free port: yields the page URL with its token."""
    port, token = free_port(), secrets.token_hex(16)
    from itsim.cli import app_command
    cmd = app_command(ROOT, lesson, port, browser=False)
    cmd = [c for c in cmd if c != "--token"] + [f"--token={token}"]
    proc = subprocess.Popen(cmd, env=_jupyter_env(), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/?token={token}"
        _wait(url, proc, seconds=120)
        yield url
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def voila_app():
    """``itsim app`` (Voila) serving the patients' pages: (page URL with its token)."""
    from itsim.cli import PATIENT_PAGE
    yield from voila(PATIENT_PAGE)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM,
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, request):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    page.close()
