"""The catheter: plug flow from the pump to the tip, and what faults do to it.

Fluid moves through the pump tubing and catheter like a column: a new drug or concentration
reaches the tip only after the whole internal volume has been pushed through. Every parcel
of fluid that enters is placed on a *volume coordinate* (mL entered so far; the fluid that
filled the catheter beforehand sits at -V..0). A parcel leaves the catheter when the
coordinate at the exit point passes it, so the drug that has left by any time is the
cumulative drug along the coordinate, read off at the exit coordinate: exact, and vectorised
with ``np.interp``. Canonical units: mL, mcg, mcg/mL.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..units import parse
from . import catheter_facts



@dataclass(frozen=True)
class Catheter:
    """Implanted catheter: length (cm), tip level, internal volume (mL) of catheter and of
    the pump tubing before it, and whether it starts full of drug (``primed``) or of
    drug-free fluid (a new implant before its priming bolus)."""

    length: float
    tip: str
    volume_per_cm: float
    tubing_volume: float
    primed: bool = True

    @property
    def catheter_volume(self) -> float:
        return self.length * self.volume_per_cm

    @property
    def volume(self) -> float:
        """Everything between the reservoir and the tip (mL): tubing + catheter."""
        return self.tubing_volume + self.catheter_volume


def make_catheter(length="60 cm", tip="T10", *, volume_per_cm=None, tubing_volume=None,
                  primed=True) -> Catheter:
    facts = catheter_facts()
    cm = parse(length, "length", "catheter.length")
    supplied = facts["supplied_length"].value
    if cm > supplied:
        raise InputError("catheter.length", length, f"at most the supplied {supplied:g} cm")
    from ..body.csf import LEVELS
    level = str(tip).strip().upper()
    if level not in LEVELS[:-1]:                   # any vertebral level, not the cranial end
        raise InputError("catheter.tip", tip, "expected a vertebral level such as T10, C5 or L1")
    per_cm = (facts["volume_per_cm"].value if volume_per_cm is None else
              parse(volume_per_cm, "volume", "catheter.volume_per_cm"))
    tubing = (facts["pump_tubing_volume"].value if tubing_volume is None else
              parse(tubing_volume, "volume", "catheter.tubing_volume", allow_zero=True))
    if not isinstance(primed, bool):
        raise InputError("catheter.primed", primed, "true or false")
    return Catheter(cm, level, per_cm, tubing, primed)


@dataclass
class Inlet:
    """The fluid that entered the catheter, along the volume coordinate: piece i spans
    [starts[i], starts[i+1]) at concentration concs[i] of drug drugs[i] (None: no drug)."""

    starts: np.ndarray
    concs: np.ndarray
    drugs: list
    end: float

    def cumulative(self, drug: str):
        """Knots (x, mass in mcg) of the cumulative mass of ``drug`` along the coordinate."""
        x = np.append(self.starts, self.end)
        widths = np.diff(x)
        mass = np.where([d == drug for d in self.drugs], self.concs, 0.0) * widths
        return x, np.concatenate(([0.0], np.cumsum(mass)))

    def mass_function(self, drug: str):
        """u -> cumulative mass (mcg) of ``drug`` up to coordinate(s) ``u`` (within the
        coordinates entered so far)."""
        if len(self.concs) == 1:                 # one solution throughout: a straight line
            conc = self.concs[0] if self.drugs[0] == drug else 0.0
            start = self.starts[0]
            return lambda u: (u - start) * conc
        x, m = self.cumulative(drug)
        return lambda u: np.interp(u, x, m)

    def conc_at(self, u) -> np.ndarray:
        """Concentration (mcg/mL) of the parcel at coordinate(s) ``u`` (any drug)."""
        i = np.clip(np.searchsorted(self.starts, u, side="right") - 1, 0, len(self.concs) - 1)
        return self.concs[i]

    def drug_at(self, u: float):
        i = int(np.clip(np.searchsorted(self.starts, u, side="right") - 1, 0,
                        len(self.drugs) - 1))
        return self.drugs[i]


def build_inlet(volume: float, initial: tuple, pieces: list, total: float) -> Inlet:
    """``initial`` = (drug, conc) filling the catheter at the start; ``pieces`` =
    [(coordinate where it starts, drug, conc)] in order; ``total`` = volume entered by the end."""
    starts = [-volume] + [p[0] for p in pieces]
    drugs = [initial[0]] + [p[1] for p in pieces]
    concs = [initial[1]] + [p[2] for p in pieces]
    # pieces that start at the same coordinate: the later one wins
    keep = [i for i in range(len(starts)) if i + 1 == len(starts) or starts[i + 1] > starts[i]]
    # a piece of the same solution as the one before it just continues it
    keep = [i for j, i in enumerate(keep) if j == 0 or (drugs[i], concs[i]) != (
        drugs[keep[j - 1]], concs[keep[j - 1]])]
    return Inlet(np.array([starts[i] for i in keep], dtype=float),
                 np.array([concs[i] for i in keep], dtype=float), [drugs[i] for i in keep],
                 max(total, starts[keep[-1]]))


def exit_offset(catheter: Catheter, kind: str, position: float | None = None) -> float:
    """How far (mL from the pump's reservoir) fluid travels before it leaves: the tip, or a
    break. ``position`` is the fraction of the catheter's length from the pump (fractures)."""
    if kind == "catheter-disconnection":          # at the pump connector
        return catheter.tubing_volume
    if kind == "catheter-fracture":
        return catheter.tubing_volume + position * catheter.catheter_volume
    return catheter.volume                        # at the tip (normal, or migrated)
