"""Speed and accuracy of the whole chain with the body: 180 days at 1-minute steps.

    python benchmarks/csf_speed.py [--repeat N]

Times itsim.simulate(..., csf_target="T4", patient="cancer-pain"): program -> pump ->
catheter -> the exact block-modal CSF solution at the tip, the target level and the cranial
compartment -> the patient's response (score, side effects, tolerance, withdrawal); and solves
the same CSF model with scipy.integrate.solve_ivp (BDF) for comparison: speed ratio and
largest difference.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from scipy.integrate import solve_ivp

import itsim
from itsim.body.csf import index, model_for, spread_profile

CASE = dict(drug="morphine", concentration="10 mg/mL", fill="20 mL", days=180,
            program={"mode": "continuous", "dose": "2 mg/day"},
            events=[{"at": "day 60", "kind": "refill", "volume": "20 mL"},
                    {"at": "day 90", "kind": "bolus", "dose": "0.5 mg", "duration": "30 min"}])


def chain():
    return itsim.simulate(**CASE, csf_target="T4", patient="cancer-pain")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    n = ap.parse_args().repeat
    model = model_for("morphine")
    outs = [index("T10"), index("T4"), index("cranial")]
    chain()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        tl = chain()
        times.append((time.perf_counter() - t) * 1000)
    fast = statistics.median(times)
    print(f"program -> pump -> catheter -> CSF -> response, 180 days at 1 min: {fast:.1f} ms "
          "median "
          f"({min(times):.1f}-{max(times):.1f}, {n} runs)")

    conc = np.array([tl.csf["tip"], tl.csf["target"], tl.csf["brainstem"]])
    mass, fast_mass = np.diff(tl.csf_cumulative, prepend=0.0), tl.csf["fast"]
    tip, dt, steps = index("T10"), 1.0, mass.size
    slow_rate, fast_rate = (mass - fast_mass) / dt, fast_mass / dt
    profile = spread_profile(tip) / model.volumes

    def rhs(t, c):
        k = min(int(t // dt), steps - 1)
        f = model.M @ c + fast_rate[k] * profile
        f[tip] += slow_rate[k] / model.volumes[tip]
        return f
    t = time.perf_counter()
    sol = solve_ivp(rhs, (0, steps * dt), np.zeros(model.volumes.size), method="BDF",
                    t_eval=np.arange(1, steps + 1) * dt, rtol=1e-8, atol=1e-10,
                    max_step=30.0)
    slow = (time.perf_counter() - t) * 1000
    diff = np.abs(sol.y[outs] - conc).max() / np.abs(conc).max()
    print(f"solve_ivp (BDF) of the same CSF model alone: {slow:.0f} ms -> the exact solver's "
          f"whole chain is {slow / fast:.0f}x faster; largest difference {diff:.1e} of the peak")


if __name__ == "__main__":
    main()
