"""Virtual cohorts: many seeded patients on the same therapy, simulated at once.

>>> import itsim
>>> c = itsim.cohort(200, seed=1, patient="spinal-spasticity", drug="baclofen",
...                  concentration="500 mcg/mL", fill="20 mL", days=30,
...                  program={"mode": "continuous", "dose": "300 mcg/day"})
>>> c.score.shape
(200, 720)

The pump, catheter and CSF are simulated once (they do not depend on the patient); the
patients differ in the response (exposure, sensitivity, tolerance, baseline), drawn from the
group's variability in data/response.toml. Because the CSF model is linear, a patient's
exposure factor scales the concentrations exactly.
"""
from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from numbers import Real

import numpy as np

from .body import response
from .errors import InputError
from .units import parse

# Patients x time steps in one cohort. Each float32 array over the cohort takes 4 bytes a
# patient-step, and a run peaks at about 5 (measured: 10 000 patients x 8760 hourly steps,
# 88 million patient-steps, peaked near 0.5 GB), so this keeps a run near 0.5 GB.
MAX_PATIENT_STEPS = 100_000_000


@dataclass
class Cohort:
    """``score``: (patients, steps) float32 on the group's scale; ``t``: days (step starts);
    ``factors``: per-patient arrays; ``overdose_max``: largest overdose index per patient."""

    preset: str
    scale: str
    t: np.ndarray
    score: np.ndarray
    baseline: np.ndarray
    factors: dict
    overdose_effect: str | None
    overdose_max: np.ndarray | None

    def responders(self, day: float | None = None) -> float:
        """Share of patients whose pain score is at least 30 % below their baseline on
        ``day`` (days within the run; the last step by default): a clinically important
        change [SC2]. Pain (NRS) only: no threshold for the Ashworth scale is sourced."""
        if self.scale != "NRS":
            raise InputError("scale", self.scale, "responders are counted for pain (NRS); "
                             "no sourced threshold exists for muscle tone")
        k = -1 if day is None else self.step_of(day)
        return float(np.mean(self.score[:, k] <= (1 - response.IMPORTANT_CHANGE) * self.baseline))

    @property
    def end(self) -> float:
        """The end of the run (days): the start of the last step plus one step."""
        step = float(self.t[1] - self.t[0]) if self.t.size > 1 else 0.0
        return float(self.t[-1]) + step

    def step_of(self, day) -> int:
        """The index of the step that ``day`` (days from the start, within the run) falls in."""
        ok = not isinstance(day, bool) and isinstance(day, Real) and math.isfinite(day)
        if not ok or not self.t[0] - 1e-9 <= day <= self.end + 1e-9:
            raise InputError("day", day, f"a day within the run: {float(self.t[0]):.6g} to "
                             f"{self.end:.6g}")
        return min(int(np.searchsorted(self.t, day, side="right")) - 1, self.t.size - 1)

    def percentiles(self, q=(10, 50, 90)) -> np.ndarray:
        """Score percentiles (``q``: one or more numbers from 0 to 100) over patients at every
        step: array (len(q), steps), or (steps,) for a single ``q``."""
        try:
            qs = np.asarray(q, dtype=float)
        except (TypeError, ValueError):
            qs = None
        if (qs is None or isinstance(q, (bool, str)) or qs.ndim > 1 or qs.size == 0
                or not np.all(np.isfinite(qs)) or np.any((qs < 0) | (qs > 100))
                or any(isinstance(x, bool) for x in np.atleast_1d(np.asarray(q, dtype=object)))):
            raise InputError("q", q, "percentiles: a number or a list of numbers from 0 to 100")
        return np.percentile(self.score, qs, axis=0)

    def summary(self) -> dict:
        out = {"patients": int(self.score.shape[0]), "preset": self.preset, "scale": self.scale,
               "score_end_median": round(float(np.median(self.score[:, -1])), 3)}
        if self.scale == "NRS":
            out["responders_end"] = round(self.responders(), 4)
        if self.overdose_max is not None:
            thr = response.model_facts()["syndrome_threshold"].value
            out["overdose_share"] = round(float(np.mean(self.overdose_max >= thr)), 4)
        return out


def cohort(n: int, *, seed: int = 0, patient, step: str = "1 h", **simulate_kwargs) -> Cohort:
    """Simulate ``n`` virtual patients of preset ``patient`` (seeded) on the therapy that
    ``simulate_kwargs`` describe (the arguments of :func:`itsim.simulate`). Patients x time
    steps may be at most MAX_PATIENT_STEPS (10 000 patients for a year of hourly steps fit);
    more is refused before anything is simulated."""
    from .simulation import simulate
    if not isinstance(patient, str):
        raise InputError("patient", patient, "a preset name: " + ", ".join(response.presets()))
    draws = response.draw(patient, n, seed)
    days = simulate_kwargs.get("days", inspect.signature(simulate).parameters["days"].default)
    steps = _steps(days, step)
    if steps is not None and steps <= MAX_PATIENT_STEPS:  # (longer: simulate names days, step)
        _check_size(n, steps)                               # before anything big is made
    tl = simulate(step=step, patient=patient, **simulate_kwargs)
    _check_size(n, int(tl.t.size))
    ph = tl.response.pharmacology
    dt = tl.step_minutes
    od = [ph.overdose_effect] if ph.overdose_effect else []
    r = response.respond(tl.csf["target"], tl.csf["brainstem"], dt, ph,
                         baseline=draws["baseline"], exposure=draws["exposure"],
                         sensitivity=draws["sensitivity"], tolerance=draws["tolerance"],
                         outputs=od, dtype=np.float32, reduce_effects=True)
    return Cohort(patient, r.scale, tl.t, r.score, draws["baseline"],
                  {k: draws[k] for k in ("exposure", "sensitivity", "tolerance")},
                  ph.overdose_effect, r.effects.get(ph.overdose_effect) if od else None)


def _steps(days, step) -> int | None:
    """The number of time steps ``simulate`` will make of ``days`` in steps of ``step``, or
    None if they cannot be read (``simulate`` then says why)."""
    try:
        d = parse(days if isinstance(days, bool) or not isinstance(days, (int, float))
                  else f"{days} day", "time", "days")
        return max(int(round(d / parse(step, "time", "step"))), 1)
    except (InputError, OverflowError, ValueError):
        return None


def _check_size(n: int, steps: int | None) -> None:
    if steps is not None and n * steps > MAX_PATIENT_STEPS:
        raise InputError("n", n, f"at most {max(MAX_PATIENT_STEPS // steps, 1):,} patients for "
                         f"{steps:,} time steps: a cohort holds at most "
                         f"{MAX_PATIENT_STEPS:,} patient-steps (each of its float32 arrays is "
                         f"then {MAX_PATIENT_STEPS * 4 / 2 ** 30:.2f} GiB); use fewer patients, "
                         "fewer days or a longer step")
