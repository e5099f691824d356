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

from dataclasses import dataclass

import numpy as np

from .body import response
from .errors import InputError


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
        ``day`` (the last step by default): a clinically important change [S2]. Pain (NRS)
        only: no threshold for the Ashworth scale is sourced."""
        if self.scale != "NRS":
            raise InputError("scale", self.scale, "responders are counted for pain (NRS); "
                             "no sourced threshold exists for muscle tone")
        k = -1 if day is None else min(int(np.searchsorted(self.t, day, side="right")) - 1,
                                       self.t.size - 1)
        return float(np.mean(self.score[:, k] <= (1 - response.IMPORTANT_CHANGE) * self.baseline))

    def percentiles(self, q=(10, 50, 90)) -> np.ndarray:
        """Score percentiles over patients at every step: array (len(q), steps)."""
        return np.percentile(self.score, q, axis=0)

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
    ``simulate_kwargs`` describe (the arguments of :func:`itsim.simulate`)."""
    from .simulation import simulate
    if not isinstance(patient, str):
        raise InputError("patient", patient, "a preset name: " + ", ".join(response.presets()))
    draws = response.draw(patient, n, seed)
    tl = simulate(step=step, patient=patient, **simulate_kwargs)
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
