"""The installed package is whole: build a wheel, install it in a fresh virtual environment
outside the checkout, and from another folder check every question with its own answer and a
wrong one, load the shipped case collections and run a shipped scenario with ``itsim run``.

    python .ci/wheel_check.py            # prints one summary line; exit 1 on any failure

The wheel is built from a copy of pyproject.toml, README.md and itsim/ (the checkout is not
written to). Dependencies come from the package index as for any user (pip's cache helps).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "catheter_occlusion"

# Runs inside the fresh environment, from an empty folder: prints one JSON report.
PROBE = r'''
import json, sys
from pathlib import Path
import itsim
from itsim import exercises, refill_station, troubleshoot
from itsim.units import convert

report = {"itsim": itsim.__file__, "questions": 0, "failures": []}
for qid, q in sorted(exercises.QUESTIONS.items()):
    report["questions"] += 1
    try:
        expected = q.expected()
        if q.is_choice:
            own, wrong = expected, next(k for k in q.choices if k != expected)
        else:
            own, wrong = q.answer_text(), convert(expected, q.kind, q.unit) * 2
        got = exercises.check(qid, own).status, exercises.check(qid, wrong).status
        if got != ("right", "wrong"):
            report["failures"].append(f"{qid}: own answer {own!r} -> {got[0]}, "
                                      f"wrong answer {wrong!r} -> {got[1]}")
    except Exception as e:
        report["failures"].append(f"{qid}: {type(e).__name__}: {e}")
try:
    report["troubleshooting_cases"] = len(troubleshoot.library())
    report["refill_cases"] = len(refill_station.load_cases())
except Exception as e:
    report["failures"].append(f"shipped case collections: {type(e).__name__}: {e}")
print(json.dumps(report))
'''


def sh(*cmd, cwd=None, env=None, check=True) -> subprocess.CompletedProcess:
    out = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                         text=True)
    if check and out.returncode:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {out.returncode}:\n"
                           f"{out.stdout[-2000:]}{out.stderr[-2000:]}")
    return out


def main() -> int:
    start = time.time()
    tmp = Path(tempfile.mkdtemp(prefix="itsim-wheel-"))
    failures: list[str] = []
    try:
        src = tmp / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, src / name)
        shutil.copytree(ROOT / "itsim", src / "itsim",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        sh(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp / "dist", src)
        wheel = next((tmp / "dist").glob("itsim-*.whl"))
        sh(sys.executable, "-m", "venv", tmp / "venv")
        bindir = tmp / "venv" / ("Scripts" if os.name == "nt" else "bin")
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        sh(bindir / "python", "-m", "pip", "install", "--quiet", wheel, env=env)
        elsewhere = tmp / "elsewhere"               # no checkout, no scenarios/ beside it
        elsewhere.mkdir()

        probe = sh(bindir / "python", "-c", PROBE, cwd=elsewhere, env=env, check=False)
        try:
            report = json.loads(probe.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            report = {"questions": 0, "failures": [f"probe failed: {probe.stderr[-2000:]}"]}
        failures += report["failures"]
        installed = Path(report.get("itsim", ""))
        if ROOT in installed.resolve().parents:
            failures.append(f"itsim was imported from the checkout ({installed})")

        run = sh(bindir / "itsim", "run", SCENARIO, "--json", cwd=elsewhere, env=env,
                 check=False)
        try:
            ran = run.returncode == 0 and json.loads(run.stdout)["title"]
        except (ValueError, KeyError):
            ran = False
        if not ran:
            failures.append(f"itsim run {SCENARIO}: exit {run.returncode}: "
                            f"{run.stderr.strip()[-500:]}")

        # The lessons are not in the wheel: itsim course says so in one line (exit 2).
        course = sh(bindir / "itsim", "course", "--print-command", cwd=elsewhere, env=env,
                    check=False)
        lines = [ln for ln in course.stderr.splitlines() if not ln.startswith("For education")]
        if course.returncode != 2 or len(lines) != 1 or "--dir" not in lines[0]:
            failures.append(f"itsim course without lessons: exit {course.returncode}, "
                            f"{course.stderr.strip()!r}")
    except Exception as e:      # noqa: BLE001 - a build or install step failed: report it
        failures.append(f"{type(e).__name__}: {e}")
        report = {"questions": 0}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    for f in failures:
        print(f"wheel check: FAILED {f}")
    # One item per question (its own answer right and a wrong one wrong), the case
    # collections, the import location, itsim run and itsim course: a failure each at most.
    items = report.get("questions", 0) + 4 if report.get("questions") else len(failures)
    print(f"wheel: {items - len(failures)} passed, {len(failures)} failed "
          f"({report.get('questions', 0)} questions with their own answer and a wrong one, "
          f"the shipped cases, itsim run {SCENARIO}, itsim course without lessons; "
          f"{time.time() - start:.0f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
