"""Pump programs: what the clinician programs, turned into commanded flow per time step.

The pump turns a programmed *dose* into a flow with the concentration the clinician
*entered* (``programmed`` concentration), which may differ from what is really in the
reservoir: that is how a concentration entry error becomes an overdose.

Canonical units: doses mcg/day, bolus doses mcg, durations days, flows mL/day.
"""
from __future__ import annotations

from dataclasses import dataclass

import re

import numpy as np

from ..errors import InputError
from ..units import parse

MODES = ("continuous", "flex", "periodic-bolus", "single-bolus", "stopped")
MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class PatientBolus:
    """Patient-activated bolus limits (set by the physician): dose (mcg), duration (days),
    lockout between boluses (days) and the most allowed in any 24 h."""

    dose: float
    duration: float
    lockout: float
    max_per_day: int


@dataclass(frozen=True)
class Program:
    """A programmed mode and its settings (canonical floats; None where not used)."""

    mode: str
    dose: float | None = None           # mcg/day: continuous, or basal for periodic-bolus
    rate: float | None = None           # mL/day: a rate instead of a dose
    steps: tuple = ()                   # flex: ((minute of day, mcg/day), ...)
    bolus_dose: float | None = None     # mcg: periodic-bolus and single-bolus
    bolus_duration: float | None = None  # days
    bolus_every: float | None = None    # days: periodic-bolus
    patient_bolus: PatientBolus | None = None

    def basal_flow(self, programmed_conc: float) -> float:
        """The steady flow (mL/day) of continuous mode or the basal of periodic-bolus."""
        if self.rate is not None:
            return self.rate
        return (self.dose or 0.0) / programmed_conc

    def _daily(self, k0: int, k1: int, dt: float) -> np.ndarray:
        """A flex program's dose (mcg/day) at each step: one day's pattern, repeated."""
        per_day = MINUTES_PER_DAY / dt
        if abs(per_day - round(per_day)) > 1e-9:         # steps do not divide a day
            return _pattern(self.steps, np.arange(k0, k1) * dt)
        per_day = int(round(per_day))
        day = _pattern(self.steps, np.arange(per_day) * dt)
        return np.resize(np.roll(day, -(k0 % per_day)), k1 - k0)

    def flows(self, k0: int, k1: int, dt: float, programmed_conc: float) -> np.ndarray:
        """Commanded flow (mL/day) for steps k0..k1-1 of ``dt`` minutes, the program having
        started at step k0."""
        n = k1 - k0
        if self.mode == "stopped":
            return np.zeros(n)
        if self.mode == "continuous":
            return np.full(n, self.basal_flow(programmed_conc))
        if self.mode == "flex":
            return self._daily(k0, k1, dt) / programmed_conc
        since = np.arange(n) * dt
        bolus_flow = self.bolus_dose / programmed_conc / self.bolus_duration
        window = self.bolus_duration * MINUTES_PER_DAY
        if self.mode == "single-bolus":
            return np.where(since < window, bolus_flow, 0.0)
        every = self.bolus_every * MINUTES_PER_DAY               # periodic-bolus
        return self.basal_flow(programmed_conc) + np.where(since % every < window,
                                                            bolus_flow, 0.0)


def _steps(value, where) -> tuple:
    """A flex schedule: [["00:00", "300 mcg/day"], ["08:00", "400 mcg/day"], ...]."""
    if not isinstance(value, (list, tuple)) or not value:
        raise InputError(where, value, "expected a list of [\"HH:MM\", dose] pairs")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise InputError(f"{where}[{i}]", item, "expected [\"HH:MM\", dose]")
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", str(item[0]).strip())
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise InputError(f"{where}[{i}]", item[0], "expected a clock time from 00:00 to 23:59")
        minute = int(m.group(1)) * 60 + int(m.group(2))
        out.append((minute, parse(item[1], "dose_rate", f"{where}[{i}] dose", allow_zero=True)))
    minutes = [m for m, _ in out]
    if minutes != sorted(set(minutes)) or minutes[0] != 0:
        raise InputError(where, value, "steps must start at 00:00 and be in time order")
    return tuple(out)



def _pattern(steps, minutes):
    starts = np.array([m for m, _ in steps], dtype=float)
    doses = np.array([d for _, d in steps], dtype=float)
    return doses[np.searchsorted(starts, minutes % MINUTES_PER_DAY, side="right") - 1]


def program(mode: str = "continuous", *, dose=None, rate=None, steps=None, bolus_dose=None,
            bolus_duration=None, bolus_every=None, patient_bolus=None) -> Program:
    """Build and check a program, e.g. ``program("continuous", dose="300 mcg/day")``."""
    if mode not in MODES:
        raise InputError("program.mode", mode, "expected one of " + ", ".join(MODES))
    p = _optional
    dose_v, rate_v = p(dose, "dose_rate", "program.dose", True), p(rate, "flow", "program.rate")
    if dose_v is not None and rate_v is not None:
        raise InputError("program.rate", rate, "give a dose or a rate, not both")
    kw = dict(mode=mode, dose=dose_v, rate=rate_v)
    needs = {"continuous": ("dose or rate",), "flex": ("steps",),
             "periodic-bolus": ("bolus_dose", "bolus_duration", "bolus_every"),
             "single-bolus": ("bolus_dose", "bolus_duration"), "stopped": ()}[mode]
    if mode == "continuous" and dose_v is None and rate_v is None:
        raise InputError("program.dose", None, "continuous mode needs a dose, e.g. '300 mcg/day'")
    if mode == "flex":
        if steps is None:
            raise InputError("program.steps", None, "flex mode needs steps, e.g. "
                             '[["00:00", "300 mcg/day"], ["08:00", "400 mcg/day"]]')
        kw["steps"] = _steps(steps, "program.steps")
    if mode in ("periodic-bolus", "single-bolus"):
        for name, value in (("bolus_dose", bolus_dose), ("bolus_duration", bolus_duration)):
            if value is None:
                raise InputError(f"program.{name}", None, f"{mode} mode needs it")
        kw["bolus_dose"] = parse(bolus_dose, "mass", "program.bolus_dose")
        kw["bolus_duration"] = parse(bolus_duration, "time", "program.bolus_duration")
    if mode == "periodic-bolus":
        if bolus_every is None:
            raise InputError("program.bolus_every", None, "periodic-bolus mode needs it")
        kw["bolus_every"] = parse(bolus_every, "time", "program.bolus_every")
        if kw["bolus_every"] <= kw["bolus_duration"]:
            raise InputError("program.bolus_every", bolus_every,
                             "must be longer than the bolus duration")
    unused = {"steps": steps, "bolus_dose": bolus_dose, "bolus_every": bolus_every}
    for name, value in unused.items():
        if value is not None and name not in kw:
            raise InputError(f"program.{name}", value, f"not used in {mode} mode (it uses "
                             f"{', '.join(needs) or 'nothing'})")
    if patient_bolus is not None:
        kw["patient_bolus"] = _patient_bolus(patient_bolus)
    return Program(**kw)


def _optional(value, kind, name, zero=False):
    return None if value is None else parse(value, kind, name, allow_zero=zero)


def _patient_bolus(spec) -> PatientBolus:
    if isinstance(spec, PatientBolus):
        return spec
    if not isinstance(spec, dict):
        raise InputError("program.patient_bolus", spec, "expected a table with dose, duration, "
                         "lockout and max_per_day")
    allowed = {"dose", "duration", "lockout", "max_per_day"}
    for key in spec:
        if key not in allowed:
            raise InputError(f"program.patient_bolus.{key}", spec[key],
                             "expected only " + ", ".join(sorted(allowed)))
    for key in allowed:
        if key not in spec:
            raise InputError(f"program.patient_bolus.{key}", None, "needed")
    n = spec["max_per_day"]
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 48:
        raise InputError("program.patient_bolus.max_per_day", n, "expected a whole number 1-48")
    return PatientBolus(parse(spec["dose"], "mass", "program.patient_bolus.dose"),
                        parse(spec["duration"], "time", "program.patient_bolus.duration"),
                        parse(spec["lockout"], "time", "program.patient_bolus.lockout",
                              allow_zero=True), n)


def accept_presses(press_days, limits: PatientBolus, resets=()) -> tuple:
    """Which presses of the patient's button give a bolus: not within ``lockout`` of the last
    accepted one or of a reset (a programming session or refill, ``resets``), and no more than
    ``max_per_day`` in any 24 h. One pass; returns (accepted days, refused days)."""
    from bisect import bisect_right
    resets = sorted(resets)
    accepted, refused = [], []
    for day in sorted(press_days):
        i = bisect_right(resets, day) - 1
        last = max(accepted[-1] if accepted else -np.inf, resets[i] if i >= 0 else -np.inf)
        recent = len(accepted) - bisect_right(accepted, day - 1 + 1e-12)
        if day - last < limits.lockout - 1e-12 or recent >= limits.max_per_day:
            refused.append(day)
        else:
            accepted.append(day)
    return tuple(accepted), tuple(refused)


def random_presses(per_day: float, days: float, seed: int, waking=(7 / 24, 23 / 24)) -> tuple:
    """Seeded button presses: a Poisson process at ``per_day`` presses a day, during waking
    hours only. A teaching model of patient behaviour, not data."""
    rng = np.random.default_rng(seed)
    span = waking[1] - waking[0]
    n = rng.poisson(per_day * days)
    t = np.sort(rng.uniform(0, days * span, n))
    day = np.floor(t / span)
    return tuple(day + waking[0] + (t - day * span))
