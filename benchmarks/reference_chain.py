"""The chain program -> pump -> catheter written the obvious way: one Python loop step by
step, fluid parcels in a queue. Slow on purpose; it is the yardstick for the vectorised
simulator (benchmarks/simulate_speed.py) and an independent check of it (tests).

Covers: a continuous program (and program changes), refills (volume, concentration,
programmed concentration), pump accuracy, kinks and occlusions, and a primed or unprimed
catheter. Units: mL, mcg, days; ``dt`` in minutes.
"""
from __future__ import annotations

from collections import deque


def run(*, conc, fill, dose, days, dt=1.0, accuracy=1.0, cath_volume=0.356, primed=True,
        alarm=2.0, events=()):
    """``events``: (day, kind, dict) with kinds refill (volume, conc, programmed),
    program (dose), kink (fraction), occlusion. Returns a dict of results."""
    n = int(round(days * 1440 / dt))
    by_step = {}
    for day, kind, params in events:
        by_step.setdefault(int(round(day * 1440 / dt)), []).append((kind, params))
    reservoir, res_conc, prog_conc, factor = fill, conc, conc, 1.0
    parcels = deque([[cath_volume, conc if primed else 0.0]])
    to_csf = removed = 0.0
    filled = fill * conc + (cath_volume * conc if primed else 0.0)
    low_day = empty_day = None
    for k in range(n):
        for kind, p in by_step.get(k, ()):
            if kind == "refill":
                removed += reservoir * res_conc
                reservoir, res_conc = p["volume"], p.get("conc", res_conc)
                prog_conc = p.get("programmed", p.get("conc", prog_conc))
                filled += reservoir * res_conc
                low_day = empty_day = None
            elif kind == "program":
                dose = p["dose"]
            elif kind == "kink":
                factor *= 1 - p["fraction"]
            elif kind == "occlusion":
                factor = 0.0
        want = dose / prog_conc * dt / 1440 * accuracy * factor
        take = min(want, reservoir)
        reservoir -= take
        if low_day is None and reservoir <= alarm + 1e-12 and take > 0:
            low_day = (k + 1) * dt / 1440
        if empty_day is None and want > 0 and reservoir <= 1e-12:
            empty_day = (k + 1) * dt / 1440
        if take > 0:
            parcels.append([take, res_conc])
        out = take
        while out > 1e-15 and parcels:
            vol, c = parcels[0]
            moved = min(vol, out)
            to_csf += moved * c
            out -= moved
            if moved >= vol - 1e-15:
                parcels.popleft()
            else:
                parcels[0][0] = vol - moved
    in_catheter = sum(v * c for v, c in parcels)
    return {"reservoir": reservoir, "to_csf": to_csf, "in_catheter": in_catheter,
            "removed": removed, "filled": filled, "low_day": low_day, "empty_day": empty_day}
