"""Speed of the simulator: 180 days at 1-minute steps through program -> pump -> catheter.

    python benchmarks/simulate_speed.py [--repeat N]

Prints the median and spread of itsim.simulate for a few cases, and the same chain computed
by a plain per-step Python loop (benchmarks/reference_chain.py), as a ratio. Target: the
vectorised chain at most 10 ms median on the project's 2-core machine.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import reference_chain  # noqa: E402

import itsim  # noqa: E402

BASE = dict(drug="baclofen", concentration="500 mcg/mL", fill="20 mL",
            program={"mode": "continuous", "dose": "300 mcg/day"}, days=180)
CASES = {
    "continuous, 180 days": {},
    "with 5 refills, a kink and an MRI": dict(events=[
        {"at": f"day {d}", "kind": "refill", "volume": "20 mL"} for d in (28, 56, 84, 112, 140)
    ] + [{"at": "day 100", "kind": "catheter-kink", "fraction": 0.3},
         {"at": "day 60", "kind": "mri", "recovery_delay": "6 h"}]),
    "flex program, 4 steps a day": dict(program={"mode": "flex", "steps": [
        ["00:00", "250 mcg/day"], ["06:00", "350 mcg/day"], ["12:00", "300 mcg/day"],
        ["20:00", "250 mcg/day"]]}),
    "constant-flow with fever and a flight": dict(
        program=None, pump="constant-flow-30", fill="30 mL", events=[
            {"at": "day 20", "kind": "temperature", "value": "39 degC", "duration": "3 days"},
            {"at": "day 50", "kind": "altitude", "value": "2400 m", "duration": "8 h"}]),
}


def timed(fn, repeat):
    fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out), min(out), max(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    n = ap.parse_args().repeat
    print(f"itsim.simulate, 180 days at 1 min ({n} runs)      median ms    min    max")
    for name, kw in CASES.items():
        med, lo, hi = timed(lambda kw=kw: itsim.simulate(**{**BASE, **kw}), n)
        print(f"  {name:<46}{med:8.2f}{lo:7.2f}{hi:7.2f}")
    def everything():
        tl = itsim.simulate(**BASE)
        return tl.t, tl.to_csf, tl.to_tissue, tl.summary()
    med, lo, hi = timed(everything, n)
    print(f"  {'continuous, also reading t, to_csf, to_tissue':<46}{med:8.2f}{lo:7.2f}{hi:7.2f}")
    vec, _, _ = timed(lambda: itsim.simulate(**BASE), n)
    loop, _, _ = timed(lambda: reference_chain.run(conc=500.0, fill=20.0, dose=300.0,
                                                   days=180), max(3, n // 10))
    print(f"per-step Python loop, same chain: {loop:.0f} ms median -> vectorised is "
          f"{loop / vec:.0f}x faster")


if __name__ == "__main__":
    main()
