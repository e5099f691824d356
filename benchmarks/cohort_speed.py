"""Virtual cohort speed: 10 000 seeded patients for one year at hourly steps (target <= 1 s).

    python benchmarks/cohort_speed.py

Times the whole public call, itsim.cohort(...): pump, catheter and CSF once, then the
response of every patient (float32, (10 000, 8760) scores). Prints the median of 5 runs.
"""
from __future__ import annotations

import statistics
import time

import itsim

ARGS = dict(seed=1, patient="spinal-spasticity", drug="baclofen", concentration="2000 mcg/mL",
            fill="20 mL", days=365, program={"mode": "continuous", "dose": "400 mcg/day"},
            catheter={"tip": "T10", "primed": True},
            events=[{"at": d, "kind": "refill", "volume": "20 mL"} for d in range(80, 365, 80)])


def main(n: int = 10_000, repeats: int = 5) -> None:
    itsim.cohort(100, **ARGS)                                  # warm caches and imports
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        c = itsim.cohort(n, **ARGS)
        times.append(time.perf_counter() - t0)
    print(f"{n} patients x {c.score.shape[1]} hourly steps (1 year): median "
          f"{statistics.median(times) * 1000:.0f} ms over {repeats} runs (target 1000 ms); "
          f"min {min(times) * 1000:.0f} ms")
    print("summary:", c.summary())


if __name__ == "__main__":
    main()
