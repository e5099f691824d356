"""The body model against published human data: the measures behind docs/validation.ipynb and
tools/calibrate.py.

Each row of ``data/validation.toml`` names a published result (its source, value or range)
and a measure here that computes the same quantity with the model under the study's
conditions. A row is either in the **calibration** set (a fitted assumption was chosen by
``tools/calibrate.py`` to meet it) or in the **validation** set (no parameter was set from
it). The sets and the verdict rules are declared in the data file, before any fit.

>>> rows = [r for r in rows() if r.set == "validation"]
>>> len(rows) >= 24
True
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import data
from ..errors import InputError
from . import csf, response
from .injection import inject


@dataclass(frozen=True)
class Row:
    """One published result and the measure that reproduces it."""

    key: str
    set: str                  # "calibration" or "validation"
    what: str
    source: str
    published: str            # as the paper gives it, for the table
    measure: str              # name of a function in MEASURES
    args: tuple
    unit: str
    low: float
    high: float
    rule: str                 # "value", "range", "times", "at_least", "at_most", "points"
    fits: tuple = ()          # for calibration rows: the parameters fitted to it
    note: str = ""

    @property
    def centre(self) -> float:
        """The target a fit aims at: the value, or the geometric middle of a range."""
        return float(np.sqrt(self.low * self.high))


def rows() -> list[Row]:
    """The declared rows, calibration and validation, in the data file's order."""
    out = []
    for key, r in data.load("validation")["rows"].items():
        low, high = (r["value"], r["value"]) if "value" in r else (r["low"], r["high"])
        if r["set"] not in ("calibration", "validation"):
            raise InputError(f"validation.toml [rows.{key}].set", r["set"],
                             "calibration or validation")
        if r["measure"] not in MEASURES:
            raise InputError(f"validation.toml [rows.{key}].measure", r["measure"],
                             "one of " + ", ".join(MEASURES))
        out.append(Row(key, r["set"], r["what"], r["source"], r["published"], r["measure"],
                       tuple(r.get("args", ())), r.get("unit", ""), float(low), float(high),
                       r["rule"], tuple(r.get("fits", ())), r.get("note", "")))
    return out


def simulated(row: Row) -> float:
    """The model's value for ``row``, in the row's unit."""
    return float(MEASURES[row.measure](*row.args))


def verdict(row: Row, sim: float) -> str:
    """good / fair / poor by the rules stated at the top of validation.toml before looking."""
    low, high = row.low, row.high
    if row.rule == "value":
        ratio = sim / low
        return "good" if 0.8 <= ratio <= 1.25 else "fair" if 0.5 <= ratio <= 2 else "poor"
    if row.rule == "at_least":
        return "good" if sim >= low else "fair" if sim >= low / 2 else "poor"
    if row.rule == "at_most":
        return "good" if sim <= high else "fair" if sim <= 2 * high else "poor"
    if row.rule == "points":
        gap = abs(sim - low)
        return "good" if gap <= 5 else "fair" if gap <= 15 else "poor"
    if low <= sim <= high:
        return "good"
    if row.rule == "times":
        slack = (high - low) / 2
        return "fair" if low - slack <= sim <= high + slack else "poor"
    end = low if sim < low else high
    return "fair" if 0.5 <= sim / end <= 2 else "poor"


def setting(spec: dict, x: float):
    """A parameter's value as the data file writes it: ``x`` with the unit declared in
    validation.toml (``spec``), or the bare number."""
    return f"{x!r} {spec['unit']}" if spec.get("unit") else x


def assumptions() -> dict:
    """Every assumption with a plausible range: validation.toml [parameters] (fitted by
    tools/calibrate.py) and [sensitivity] (not fitted), path -> its spec."""
    table = data.load("validation")
    return {**table["parameters"], **table.get("sensitivity", {})}


def sensitivity(keys) -> dict:
    """One-at-a-time sensitivity: each parameter of validation.toml [parameters] (fitted)
    and [sensitivity] (assumed) at the low and the high end of its plausible ``range``,
    everything else as in the data files; the rows ``keys`` simulated each time. Returns
    {parameter: {key: (at low, at high)}} and, under None, {key: as the data files give it}."""
    chosen = {r.key: r for r in rows() if r.key in keys}
    out = {None: {k: simulated(r) for k, r in chosen.items()}}
    for name, p in assumptions().items():
        ends = []
        for end in p["range"]:
            with data.override({t: setting(p, end) for t in [name] + list(p.get("also", []))}):
                ends.append({k: simulated(r) for k, r in chosen.items()})
        out[name] = {k: (ends[0][k], ends[1][k]) for k in chosen}
    return out


# --- measures: each reproduces one study's conditions -------------------------------------

def peak_time(t: np.ndarray, y: np.ndarray) -> float:
    """Time of the largest value of ``y``, between grid points (a parabola through the
    highest three), so that a fit sees it move smoothly."""
    k = int(np.argmax(y))
    if 0 < k < y.size - 1:
        a, b, c = y[k - 1], y[k], y[k + 1]
        den = a - 2 * b + c
        if den < 0:
            return float(t[k] + 0.5 * (a - c) / den * (t[1] - t[0]))
    return float(t[k])


def crossings(t: np.ndarray, y: np.ndarray, level: float) -> tuple[float, float]:
    """First upward and last downward crossing of ``level`` by ``y`` (interpolated)."""
    above = np.flatnonzero(y >= level)
    if not above.size:
        return float("nan"), float("nan")

    def at(i, j):
        if i < 0 or j >= y.size or y[i] == y[j]:
            return float(t[max(i, 0)] if i >= 0 else t[j])
        return float(t[i] + (level - y[i]) / (y[j] - y[i]) * (t[j] - t[i]))
    return at(above[0] - 1, above[0]), at(above[-1], above[-1] + 1)


def bolus_csf_at_1h(drug: str, dose: str, level: str = "L3") -> float:
    """CSF concentration (ng/mL) at the injection level 60 min after a lumbar bolus [M6]."""
    shot = inject(drug, dose, level=level, hours=2)
    return float(shot.tip[59] * 1000)


def bolus_peak(drug: str, dose: str, level: str, target: str, what: str) -> float:
    """Peak CSF concentration (mcg/mL) at ``target`` after a bolus at ``level``, or its time
    (min) when ``what`` is 'time' [M8]."""
    shot = _shot(drug, dose, level, target, 6.0, "1 min")
    if what == "time":
        return peak_time(shot.hours, shot.target) * 60
    return float(shot.target.max())


def bolus_half_life(drug: str, dose: str, level: str, target: str, t0: float,
                    t1: float) -> float:
    """Half-life (min) of the CSF concentration at ``target`` between ``t0`` and ``t1``
    minutes after a bolus at ``level`` (a log-linear fit) [M8]."""
    shot = _shot(drug, dose, level, target, 6.0, "1 min")
    minutes = shot.hours * 60
    keep = (minutes >= t0) & (minutes <= t1)
    slope = np.polyfit(minutes[keep], np.log(shot.target[keep]), 1)[0]
    return float(np.log(2) / -slope) if slope < 0 else float("inf")


def infusion_csf(drug: str, dose: str, duration: str, what: str) -> float:
    """Lumbar CSF Cmax (ng/mL) or AUC to 48 h (ng h/mL) of an intrathecal infusion [Z1]."""
    shot = _shot(drug, dose, "L3", "L3", 48.0, duration)
    if what == "cmax":
        return float(shot.tip.max() * 1000)
    return float(shot.tip.sum() * (shot.hours[1] - shot.hours[0]) * 1000)


@lru_cache(maxsize=32)
def _shot(drug, dose, level, target, hours, duration, patient=None):
    return inject(drug, dose, level=level, target=target, hours=hours, duration=duration,
                  patient=patient)


def chronic_csf(drug: str, dose_mcg_day: float, tip: str, site: str) -> float:
    """Steady-state CSF concentration (mcg/mL) at ``site`` during a slow infusion [B12]."""
    ss = response.steady_state(drug, csf.index(tip), float(dose_mcg_day))
    return float(ss[csf.index(site)])


def chronic_gradient(drug: str, tip: str, cm: float) -> float:
    """How many times lower the steady-state concentration is ``cm`` from the tip of a slow
    infusion, above and below it (geometric mean; levels ``level_length`` apart) [C21]. The
    cord is taken to follow the CSF of its level."""
    ss = response.steady_state(drug, csf.index(tip), 1000.0)
    i = csf.index(tip)
    from ..implant import facts as implant_facts          # (implant imports body modules)
    pos = (np.arange(len(csf.LEVELS) - 1) - i) * implant_facts("surgery")["level_length"].value
    spinal = ss[:-1]
    up = np.interp(cm, pos[i:], np.log(spinal[i:]))
    down = np.interp(-cm, pos[:i + 1], np.log(spinal[:i + 1]))
    return float(np.exp(np.log(ss[i]) - (up + down) / 2))


def exposure_ratio(drug: str, other: str, level: str = "L3", at: str = "T11") -> float:
    """CSF exposure (AUC per dose) at ``at`` after equal bolus doses at ``level``: ``drug``
    over ``other`` (the site of action on the cord follows its level's CSF) [M24]."""
    def auc(d):
        shot = _shot(d, "100 mcg", level, at, 24.0, "1 min")
        return float(shot.target.sum())
    return auc(drug) / auc(other)


def tracer_cranial_peak(level: str = "L3") -> float:
    """Hours from a lumbar tracer bolus to the peak of its intracranial concentration [C16]."""
    model = csf.tracer_model()
    n, dt = 24 * 60, 1.0
    mass = np.zeros(n)
    mass[0] = 1.0
    c = model.response(mass, dt, csf.spread_profile(csf.index(level)), [csf.index("cranial")])
    return peak_time((np.arange(n) + 1) * dt / 60, c[0])


def _relief_times(shot) -> tuple[float, float, float, float]:
    r = shot.response.relief
    start, end = crossings(shot.hours, r, 0.5 * r.max())
    return peak_time(shot.hours, r), start, end, float(r.max())


def bolus_effect(drug: str, dose: str, preset: str, what: str) -> float:
    """A bolus effect's time course (hours): 'peak'; 'start' and 'end' of half the peak
    effect; 'duration' of half the peak [B3, B11]."""
    shot = _shot(drug, dose, "L3", None, 24.0, "1 min", preset)
    peak, start, end, _ = _relief_times(shot)
    return {"peak": peak, "start": start, "end": end, "duration": end - start}[what]


def analgesia(drug: str, dose: str, preset: str, what: str, level: str = "L3",
              hours: float = 60.0) -> float:
    """After an opioid bolus, hours to a clinically important fall in pain (30 % [SC2]),
    'onset', or how long it lasts, 'duration' [M6, M8, M50]."""
    shot = _shot(drug, dose, level, None, hours, "1 min", preset)
    r = shot.response
    start, end = crossings(shot.hours, -r.score, -(1 - response.IMPORTANT_CHANGE) * r.baseline)
    if np.isnan(start):
        return 0.0
    return start if what == "onset" else end - start


def effect_peak(drug: str, dose: str, preset: str, effect: str) -> float:
    """Hours from a bolus to the peak of a side effect's index [M13]."""
    shot = _shot(drug, dose, "L3", None, 36.0, "1 min", preset)
    return peak_time(shot.hours, shot.response.effects[effect])


def bolus_side_effect(drug: str, dose: str, preset: str, effect: str) -> float:
    """Largest index (0-1) of a side effect after a bolus [B18, M12, M44]."""
    shot = _shot(drug, dose, "L3", None, 24.0, "1 min", preset)
    return float(shot.response.effects[effect].max())


def _continuous(drug, conc, dose, preset, days, step="10 min", fill="20 mL", events=()):
    """Continuous delivery at ``dose`` through a primed catheter with its tip at T10."""
    from ..simulation import simulate                     # (simulation imports body modules)
    return simulate(drug=drug, concentration=conc, fill=fill, days=days, step=step,
                    program={"mode": "continuous", "dose": dose}, events=list(events),
                    catheter={"tip": "T10", "primed": True}, patient=preset)


def bolus_on_therapy(drug, conc, dose, bolus, preset, effect) -> float:
    """Largest index of a side effect in the day after a pump bolus of ``bolus`` given on
    day 9 of continuous delivery at ``dose`` [B18: overdoses followed boluses]."""
    tl = _continuous(drug, conc, dose, preset, 10,
                     events=[{"at": "day 9", "kind": "bolus", "dose": bolus}])
    return float(tl.response.effects[effect][tl.t >= 9].max())


def continuous_side_effect(drug, conc, dose, preset, effect) -> float:
    """Largest index of a side effect over 10 days of continuous delivery [B18]."""
    return float(_continuous(drug, conc, dose, preset, 10).response.effects[effect].max())


def continuous_relief(drug, conc, dose, preset) -> float:
    """Relief (0-1) after a week of continuous delivery [M22]."""
    return float(_continuous(drug, conc, dose, preset, 7).response.relief[-1])


def continuous_start(drug, conc, dose, preset, what) -> float:
    """After starting continuous delivery: hours to a tenth ('onset') and to 90 % ('peak')
    of the effect reached after 5 days [B13]."""
    tl = _continuous(drug, conc, dose, preset, 5, step="5 min")
    r = tl.response.relief
    share = 0.1 if what == "onset" else 0.9
    return crossings(tl.t * 24, r, share * r[-1])[0]


def _ml_per_day(dose, conc) -> float:
    from ..dosing import rate
    return rate(dose, conc).to("mL/day").magnitude


def tolerance_factor(drug, conc, dose, preset, days, first, last) -> float:
    """Ratio of the tolerance factor (the dose rise needed for the same relief, a lower
    bound) between days ``first`` and ``last`` of continuous delivery [M28, M29, M31, B2];
    refills of 20 mL before the reservoir empties."""
    refill = int(20 / _ml_per_day(dose, conc) * 0.8)
    events = [{"at": d, "kind": "refill", "volume": "20 mL"}
              for d in range(refill, days, refill)]
    tl = _continuous(drug, conc, dose, preset, days, step="1 h", events=events)
    t, f = tl.t, tl.response.tolerance
    at = lambda d: float(f[min(np.searchsorted(t, d), f.size - 1)])   # noqa: E731
    return (at(last) if first == 0 else at(last) / at(first))


def tolerance_change_percent(*args) -> float:
    """As :func:`tolerance_factor`, as a percentage change [B2]."""
    return (tolerance_factor(*args) - 1) * 100


def withdrawal_flag_hours(drug, conc, dose, preset) -> float:
    """Hours from the reservoir running dry to the withdrawal flag (index at the syndrome
    threshold) after two months of therapy [B14]."""
    fill = f"{60 * _ml_per_day(dose, conc):.6g} mL"
    tl = _continuous(drug, conc, dose, preset, 66, fill=fill)
    threshold = response.model_facts()["syndrome_threshold"].value
    start = crossings(tl.t * 24, tl.response.withdrawal, threshold)[0]
    return start - tl.reservoir_empty_day * 24 if np.isfinite(start) else float("inf")


def withdrawal_max(drug, conc, dose, preset) -> float:
    """Largest withdrawal index in 20 days after a small fill runs dry [M47, Z6]."""
    return float(_continuous(drug, conc, dose, preset, 20, step="1 h", fill="2 mL")
                 .response.withdrawal.max())


def screening_share(preset: str, n: int = 2000, seed: int = 3) -> float:
    """Share (%) of virtual patients whose baclofen screening is positive [S82]."""
    from .. import trial
    return 100 * float(trial.cohort(n, seed=seed, patient=preset).share("candidate"))


MEASURES = {f.__name__: f for f in (
    bolus_csf_at_1h, bolus_peak, bolus_half_life, infusion_csf, chronic_csf, chronic_gradient,
    exposure_ratio, tracer_cranial_peak, bolus_effect, analgesia, effect_peak,
    bolus_side_effect, continuous_side_effect, bolus_on_therapy, continuous_relief,
    continuous_start, tolerance_factor, tolerance_change_percent, withdrawal_flag_hours,
    withdrawal_max, screening_share)}
