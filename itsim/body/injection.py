"""A single intrathecal injection (a trial dose by lumbar puncture), without pump or catheter.

>>> from itsim.body.injection import inject
>>> shot = inject("baclofen", "50 mcg", patient="spinal-spasticity", hours=12)
>>> 3 < shot.peak_hours() < 7
True

The dose enters the CSF over ``duration`` at the injection level; an injection is fast, so it
spreads over the neighbouring levels (itsim.body.csf.spread_profile). Then the same CSF and
response models as ``itsim.simulate``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..units import parse
from . import csf, response


@dataclass
class Injection:
    """Concentrations (mcg/mL) at the injection level, the target and the brainstem, and the
    response, every ``step`` minutes from the injection (``hours`` array)."""

    drug: str
    dose: float                  # mcg
    hours: np.ndarray
    tip: np.ndarray
    target: np.ndarray
    brainstem: np.ndarray
    response: response.Response | None

    def peak_hours(self, effect: str | None = None) -> float:
        """Hours from the injection to the largest main effect (or to the peak of
        ``effect``, e.g. 'respiratory_depression')."""
        if self.response is None:
            raise InputError("patient", None, "inject with a patient to see effects")
        x = self.response.relief if effect is None else self.response.effects[effect]
        return float(self.hours[int(np.argmax(x))])


def inject(drug, dose, *, level="L3", target=None, patient=None, hours=24, step="1 min",
           duration="1 min") -> Injection:
    """Follow one intrathecal injection of ``dose`` (e.g. '0.25 mg') at ``level`` for
    ``hours``. ``patient``: a preset or dict as for ``itsim.simulate``; ``target``: the
    level whose concentration drives the effect (the injection level by default)."""
    from .. import drugs
    d = drugs.get(drug).name
    mcg = parse(dose, "mass", "dose")
    dt = parse(step, "time", "step") * 1440.0
    over = parse(duration, "time", "duration") * 1440.0
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours <= 24 * 14:
        raise InputError("hours", hours, "a number of hours from above 0 to 336 (two weeks)")
    n = int(round(hours * 60 / dt))
    if n < 2:
        raise InputError("step", step, f"must be shorter than the {hours:g} h followed")
    if over > hours * 60:
        raise InputError("duration", duration, f"must fit in the {hours:g} h followed")
    tip = csf.index(level)
    aim = tip if target is None else csf.index(target)
    model = csf.model_for(d)
    k_end = max(1, int(round(over / dt)))
    mass = np.zeros(n)
    mass[:k_end] = mcg / k_end
    cols = model.response(mass, dt, csf.spread_profile(tip), [tip, aim, csf.index("cranial")])
    resp = None
    if patient is not None:
        person = response.patient(patient)
        ph = response.pharmacology(d, person.preset)
        resp = response.respond(cols[1], cols[2], dt, ph, baseline=person.baseline,
                                exposure=person.exposure, sensitivity=person.sensitivity,
                                tolerance=person.tolerance)
        resp.patient = person
    return Injection(d, mcg, (np.arange(n) + 1) * dt / 60.0, cols[0], cols[1], cols[2], resp)
