"""How long the model call behind each widget update takes (target: well under 50 ms).

    python benchmarks/widget_latency.py [--repeat N]

Prints, for each panel, the median and 95th percentile of (a) the model call alone and
(b) the whole update (model call + figure and readout re-render, without a browser).
"""
from __future__ import annotations

import argparse
import statistics
import time

from itsim import dosing, exercises


def timed(fn, repeat):
    fn()  # warm up (first pint parse builds the registry)
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    out.sort()
    return statistics.median(out), out[int(0.95 * (len(out) - 1))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200)
    n = ap.parse_args().repeat
    from pathlib import Path

    from itsim import implant, refill, refill_station, trial, troubleshoot
    from itsim.ui import complications
    case = troubleshoot.load(Path(__file__).resolve().parents[1] / "scenarios" /
                             "troubleshooting" / "baclofen_disconnection.toml")
    from itsim.body import csf
    vary = iter([0.5 + (i % 97) / 40 for i in range(100 * n)])
    lengths = iter([30 + i % 80 for i in range(100 * n)])

    def cold(fn):
        """The call with every model cache emptied first (the first move of that widget)."""
        def run():
            for f in (trial._concentrations, csf._model_for, implant._profile):
                f.cache_clear()
            return fn()
        return run

    def screening():
        return trial.screening({"preset": "spinal-spasticity", "sensitivity": next(vary)},
                               seed=1)

    def plan():
        return implant.plan("lower-limbs", length=f"{next(lengths)} cm")

    model = [
        ("dose calculator: dosing.prescription", lambda: dosing.prescription(
            "baclofen", "500 mcg/mL", "300 mcg/day", fill="20 mL", low_reservoir_alarm="2 mL",
            previous_dose="250 mcg/day")),
        ("route conversion: 5 x convert_morphine", lambda: [dosing.convert_morphine(
            "300 mg/day", "oral", r) for r in ("oral", "iv", "epidural", "intrathecal",
                                               "intrathecal")]),
        ("titration planner: titration_plan", lambda: dosing.titration_plan(
            "ziconotide", "2.4 mcg/day", "19.2 mcg/day")),
        ("question: exercises.check", lambda: exercises.check("q3.1", "0.6 mL/day")),
        ("screening trial: trial.screening", screening),
        ("  ... with empty model caches", cold(screening)),
        ("pain trial: trial.single_shot", lambda: trial.single_shot(
            "morphine", "1 mg", {"preset": "chronic-non-cancer-pain",
                                 "sensitivity": next(vary)}, observe="6 h")),
        ("trial cohort: trial.cohort (500 patients)", lambda: trial.cohort(
            500, seed=1, observe=f"{1 + next(lengths) % 12} h")),
        ("surgical plan: implant.plan", plan),
        ("  ... with empty model caches", cold(plan)),
        ("priming: implant.priming (10 days)", lambda: implant.priming(
            "skipped", days=10, length=f"{next(lengths)} cm")),
        ("post-op: 20 patients' complications", lambda: implant._draw(20, next(lengths))),
        ("refill calculator: refill.schedule", lambda: refill.schedule(
            "morphine", "10 mg/mL", "20 mL", {"mode": "continuous",
                                              "dose": f"{1 + next(lengths) % 40 / 10} mg/day"},
            start="2026-12-03")),
        ("discrepancy practice: refill.practice_case", lambda: refill.practice_case(
            next(lengths)).result),
        ("refill station: session.finish (a week after)", lambda: refill_station
         .correct_session().finish()),
        ("complication explorer: 44 days at 10 min (uncached)", lambda: (
            complications.complication_run.cache_clear(),
            complications.complication_run("baclofen, spasticity", "catheter disconnection",
                                           float(1 + next(lengths) % 9)))),
        ("troubleshooting: start a case and investigate", lambda: troubleshoot.Game(
            case).investigate("x-ray")),
    ]
    print(f"model call per widget update ({n} runs)        median ms   p95 ms")
    for name, fn in model:
        med, p95 = timed(fn, n)
        print(f"  {name:<44}{med:8.3f}{p95:9.3f}")

    from itsim import ui
    from itsim.ui import procedures
    calc, conv, plan = ui.DoseCalculator(), ui.RouteConversion(), ui.TitrationPlanner()
    screen, pain, surgery = (procedures.ScreeningTrial(), procedures.PainTrial(),
                             procedures.SurgicalPlan())
    seeds = iter(range(100 * n))
    doses = iter([f"{200 + i % 50} mcg/day" for i in range(10 * n)])
    panels = {
        "DoseCalculator (new daily dose)": lambda: calc.set(daily_dose=next(doses)),
        "RouteConversion (new route)": lambda: conv.set(
            to_route="epidural" if conv.values()["to_route"] != "epidural" else "iv"),
        "TitrationPlanner (new target)": lambda: plan.set(
            target=10.0 if plan.values()["target"] != 10.0 else 19.2),
        "ScreeningTrial (new day of readings)": lambda: screen.set(seed=next(seeds) % 31,
                                                                   sensitivity=next(vary)),
        "PainTrial (new day of readings)": lambda: pain.set(seed=next(seeds) % 31,
                                                            observe=float(next(seeds) % 24 + 1)),
        "SurgicalPlan (new catheter length)": lambda: surgery.set(length=next(lengths)),
    }
    print(f"whole panel update, no browser ({n} runs)      median ms   p95 ms")
    for name, fn in panels.items():
        med, p95 = timed(fn, n)
        print(f"  {name:<44}{med:8.3f}{p95:9.3f}")


if __name__ == "__main__":
    main()
