"""A classroom on one machine: a real JupyterHub with N trainees running a lesson at once.

    python benchmarks/classroom.py [--trainees 20] [--lesson lessons/04_the_trial.ipynb]

Starts JupyterHub on 127.0.0.1 (configurable-http-proxy from the npm registry, a dummy
authenticator and the simple local-process spawner: test use only), signs in N trainees,
starts their servers, opens a kernel for each, runs the lesson's code cells and then a burst
of widget updates in every kernel at the same time, and reports: server start time per
trainee (median / worst), memory per trainee, and the model-call latency of a widget update
under that load (median / p95). Everything it started is stopped at the end, even on
failure. Traffic goes to 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHP_PLACES = [ROOT / "tests" / "browser" / "node_modules" / ".bin" / "configurable-http-proxy"]

BURST = textwrap.dedent('''
    import json as _json, time as _time
    from itsim import trial as _trial
    from itsim.ui.procedures import ScreeningTrial as _Screening
    _p = _Screening()
    _model, _whole = [], []
    for _i in range(20):
        _s = round(0.3 + 0.1 * (_i % 25), 1)
        _t = _time.perf_counter()
        _trial.screening({"preset": "spinal-spasticity", "sensitivity": _s}, seed=_i)
        _model.append((_time.perf_counter() - _t) * 1000)
        _t = _time.perf_counter()
        _p.set(sensitivity=_s, seed=_i % 30)
        _whole.append((_time.perf_counter() - _t) * 1000)
    print("BURST" + _json.dumps({"model": _model, "whole": _whole}))
''')


def chp_command() -> str | None:
    for place in CHP_PLACES:
        if place.is_file():
            return str(place)
    return shutil.which("configurable-http-proxy")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    """A JupyterHub on 127.0.0.1 in a temporary folder; a context manager that always stops
    it (and every server it spawned) on the way out."""

    def __init__(self, chp: str):
        self.dir = Path(tempfile.mkdtemp(prefix="itsim-hub-"))
        self.port, self.api_port = free_port(), free_port()
        self.token = secrets.token_hex(32)
        self.url = f"http://127.0.0.1:{self.port}"
        (self.dir / "jupyterhub_config.py").write_text(textwrap.dedent(f'''
            c = get_config()  # noqa
            c.JupyterHub.ip = "127.0.0.1"
            c.JupyterHub.port = {self.port}
            c.JupyterHub.hub_ip = "127.0.0.1"
            c.JupyterHub.hub_port = {self.api_port}
            c.JupyterHub.db_url = "sqlite:///{self.dir}/hub.sqlite"
            c.JupyterHub.cookie_secret_file = "{self.dir}/cookie_secret"
            c.JupyterHub.authenticator_class = "dummy"
            c.Authenticator.allow_all = True
            c.JupyterHub.spawner_class = "simple"
            c.SimpleLocalProcessSpawner.home_dir_template = "{self.dir}/home/{{username}}"
            c.Spawner.cmd = ["{sys.executable}", "-m", "jupyterhub.singleuser"]
            c.Spawner.args = ["--ServerApp.root_dir={ROOT}", "--allow-root"]
            c.Spawner.environment = {{"PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1",
                                     "OMP_NUM_THREADS": "1"}}   # as deploy/tljh
            c.Spawner.start_timeout = 120
            c.Spawner.http_timeout = 120
            c.ConfigurableHTTPProxy.command = ["{chp}"]
            c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
            c.JupyterHub.services = [{{"name": "classroom", "api_token": "{self.token}"}}]
            c.JupyterHub.load_roles = [{{"name": "classroom", "services": ["classroom"],
                                         "scopes": ["admin:users", "admin:servers",
                                                    "tokens", "access:servers"]}}]
        '''))

    def __enter__(self):
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(self.dir / "config"),
               "JUPYTER_RUNTIME_DIR": str(self.dir / "runtime"), "PYTHONHASHSEED": "0"}
        self.log = open(self.dir / "hub.log", "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f",
                                      str(self.dir / "jupyterhub_config.py")],
                                     cwd=self.dir, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        end = time.time() + 60
        while time.time() < end:
            try:
                self.api("GET", "/hub/api/")
                return self
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.5)
        self.__exit__(None, None, None)
        raise RuntimeError("JupyterHub did not start; see " + str(self.dir / "hub.log"))

    def __exit__(self, *exc):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)      # the hub, the proxy, every server
            self.proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def api(self, method: str, path: str, body=None, token=None):
        req = urllib.request.Request(self.url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {token or self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            text = r.read().decode()
            return json.loads(text) if text else None


def start_trainee(hub: Hub, name: str) -> float:
    """Start a trainee's server; seconds until it is ready."""
    t = time.perf_counter()
    hub.api("POST", f"/hub/api/users/{name}/server")
    end = time.time() + 180
    while time.time() < end:
        user = hub.api("GET", f"/hub/api/users/{name}")
        server = user.get("servers", {}).get("")
        if server and server.get("ready"):
            return time.perf_counter() - t
        time.sleep(0.25)
    raise RuntimeError(f"{name}'s server did not become ready")


def run_code(hub: Hub, name: str, token: str, code: str, timeout: float = 300) -> str:
    """Open a kernel on the trainee's server and run ``code``; return what it printed."""
    import websocket
    kernel = hub.api("POST", f"/user/{name}/api/kernels", {"name": "python3"}, token=token)
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{hub.port}/user/{name}/api/kernels/{kernel['id']}/channels",
        header=[f"Authorization: token {token}"], timeout=timeout)
    try:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({"header": {"msg_id": msg_id, "msg_type": "execute_request",
                                       "username": name, "session": uuid.uuid4().hex,
                                       "version": "5.3"},
                            "parent_header": {}, "metadata": {}, "channel": "shell",
                            "content": {"code": code, "silent": False, "store_history": False,
                                        "user_expressions": {}, "allow_stdin": False}}))
        out, end = [], time.time() + timeout
        while time.time() < end:
            m = _message(ws.recv())
            if m.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = m["header"]["msg_type"]
            if kind == "stream":
                out.append(m["content"]["text"])
            elif kind == "error":
                raise RuntimeError(f"{name}: {m['content']['ename']}: {m['content']['evalue']}")
            elif kind == "status" and m["content"]["execution_state"] == "idle":
                return "".join(out)
        raise RuntimeError(f"{name}: the code did not finish in {timeout} s")
    finally:
        ws.close()


def _message(raw) -> dict:
    """A kernel message from the websocket: JSON text, or (with binary buffers, e.g. a
    widget's) the server's binary frame: offsets first, then the JSON, then the buffers."""
    if isinstance(raw, str):
        return json.loads(raw)
    n = int.from_bytes(raw[:4], "big")
    offsets = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(n)]
    return json.loads(raw[offsets[0]:offsets[1] if n > 1 else None].decode())


def lesson_code(path: Path) -> str:
    import nbformat
    nb = nbformat.read(path, as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    return "import os\nos.chdir(%r)\n" % str(path.parent) + "\n".join(cells)


def memory_per_trainee(hub: Hub, n: int) -> float:
    """MB of memory held by the trainees' servers and kernels, per trainee."""
    import psutil
    total = 0
    for p in psutil.Process(hub.proc.pid).children(recursive=True):
        try:
            cmd = " ".join(p.cmdline())
            if "jupyterhub.singleuser" in cmd or "ipykernel" in cmd:
                total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20 / n


def classroom(trainees: int, lesson: Path, burst: bool = True) -> dict:
    chp = chp_command()
    if chp is None:
        raise RuntimeError("configurable-http-proxy not found: npm install in tests/browser")
    names = [f"trainee{i:02d}" for i in range(1, trainees + 1)]
    with Hub(chp) as hub:
        hub.api("POST", "/hub/api/users", {"usernames": names})
        starts = [None] * trainees

        def start(i):
            starts[i] = start_trainee(hub, names[i])
        threads = [threading.Thread(target=start, args=(i,)) for i in range(trainees)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        tokens = [hub.api("POST", f"/hub/api/users/{n}/tokens",
                          {"expires_in": 3600, "note": "classroom"})["token"] for n in names]
        code = lesson_code(lesson) + ("\n" + BURST if burst else "")
        outputs, errors = [None] * trainees, []

        def work(i):
            try:
                outputs[i] = run_code(hub, names[i], tokens[i], code)
            except Exception as e:          # noqa: BLE001  (reported below, never hidden)
                errors.append(f"{names[i]}: {e}")
        t0 = time.perf_counter()
        threads = [threading.Thread(target=work, args=(i,)) for i in range(trainees)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        memory = memory_per_trainee(hub, trainees)
    if errors:
        raise RuntimeError("; ".join(errors))
    result = {"trainees": trainees, "lesson": str(lesson.relative_to(ROOT)),
              "start_s_median": round(statistics.median(starts), 2),
              "start_s_worst": round(max(starts), 2), "run_all_s": round(wall, 1),
              "memory_mb_per_trainee": round(memory)}
    if burst:
        model, whole = [], []
        for out in outputs:
            data = json.loads(out.split("BURST", 1)[1])
            model += data["model"]
            whole += data["whole"]
        model.sort(), whole.sort()
        result.update(model_ms_median=round(statistics.median(model), 2),
                      model_ms_p95=round(model[int(0.95 * (len(model) - 1))], 2),
                      update_ms_median=round(statistics.median(whole), 2),
                      update_ms_p95=round(whole[int(0.95 * (len(whole) - 1))], 2))
    result["outputs"] = outputs
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trainees", type=int, default=20)
    ap.add_argument("--lesson", default="lessons/04_the_trial.ipynb")
    a = ap.parse_args()
    r = classroom(a.trainees, ROOT / a.lesson)
    r.pop("outputs")
    print(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
