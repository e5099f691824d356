"""Dose arithmetic and its safety checks. FOR EDUCATION ONLY.

Public functions take quantities (``"300 mcg/day"``, ``"500 mcg/mL"``) and return pint
quantities or small result objects; the arithmetic runs on floats in canonical units (mcg,
mL, day). The basic relation is

    daily dose (mcg/day) = flow (mL/day) x concentration (mcg/mL)

>>> from itsim import dosing
>>> dosing.rate("300 mcg/day", "500 mcg/mL")
<Quantity(0.6, 'milliliter / day')>
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from numbers import Real

from . import drugs as _drugs
from .device import pump_preset
from .errors import InputError
from .units import check_number, fmt, parse, quantity, significant

SEVERITIES = ("danger", "caution", "info")


@dataclass(frozen=True)
class Finding:
    """One result of a dosing check, in plain words for the learner."""

    code: str          # stable identifier, e.g. "above-max-concentration"
    severity: str      # "danger", "caution" or "info"
    message: str
    source: str = ""   # where the limit comes from, e.g. "[Z2, Z4]"

    def __str__(self) -> str:
        return f"{self.severity.upper()}: {self.message}" + (f" {self.source}" if self.source else "")


# --- the basic relations (floats in canonical units) -----------------------------------

def _result(x: float, kind: str, what: str, inputs: dict, *, zero_ok: bool = False) -> float:
    """``x`` (``what``, of unit kind ``kind``, worked out from ``inputs``: {parameter:
    value}) if it is a finite float that did not underflow to zero; else InputError naming the first
    input and the others. ``zero_ok``: an exact zero is a real answer, not an underflow."""
    label = {"flow": "mL/day", "dose_rate": "mcg/day", "concentration": "mcg/mL",
             "mass": "mcg", "time": "days", "volume": "mL"}[kind]
    if math.isfinite(x) and (x != 0 or zero_ok):
        return x
    (name, value), *others = inputs.items()
    given = "".join(f" and {n} = {v!r}" for n, v in others if v is not None)
    size = (f"too large to compute with (more than {sys.float_info.max:.3g} {label})"
            if not math.isfinite(x) else
            f"too small to compute with (it rounds to zero in {label})")
    raise InputError(name, value, f"with it{given}, {what} is {size}")


def _flow(dose: float, conc: float) -> float:
    return dose / conc


def rate(daily_dose, concentration):
    """Pump flow (mL/day) that delivers ``daily_dose`` at ``concentration``."""
    flow = _flow(parse(daily_dose, "dose_rate", "daily_dose"),
                 parse(concentration, "concentration", "concentration"))
    return quantity(_result(flow, "flow", "the rate", {"daily_dose": daily_dose,
                                                      "concentration": concentration}), "flow")


def daily_dose(rate, concentration):
    """Daily dose (mcg/day) delivered by a flow ``rate`` at ``concentration``."""
    dose = parse(rate, "flow", "rate") * parse(concentration, "concentration", "concentration")
    return quantity(_result(dose, "dose_rate", "the daily dose",
                            {"rate": rate, "concentration": concentration}), "dose_rate")


def concentration_for(daily_dose, rate):
    """Concentration (mcg/mL) that gives ``daily_dose`` at flow ``rate``."""
    conc = parse(daily_dose, "dose_rate", "daily_dose") / parse(rate, "flow", "rate")
    return quantity(_result(conc, "concentration", "the concentration",
                            {"daily_dose": daily_dose, "rate": rate}), "concentration")


def amount(volume, concentration):
    """Drug (mcg) in ``volume`` of a solution at ``concentration``."""
    v = parse(volume, "volume", "volume", allow_zero=True)
    mass = v * parse(concentration, "concentration", "concentration")
    return quantity(_result(mass, "mass", "the amount", {"volume": volume,
                                                        "concentration": concentration},
                            zero_ok=v == 0), "mass")


def _days_until(volume: float, target: float, flow: float) -> float:
    return max(volume - target, 0.0) / flow


def days_until(volume, target, rate):
    """Days for a reservoir holding ``volume`` to fall to ``target`` at flow ``rate``
    (zero if it is already there)."""
    v = parse(volume, "volume", "volume", allow_zero=True)
    t = parse(target, "volume", "target", allow_zero=True)
    days = _days_until(v, t, parse(rate, "flow", "rate"))
    return quantity(_result(days, "time", "the time", {"rate": rate, "volume": volume,
                                                      "target": target}, zero_ok=v <= t),
                    "time")


# --- checks ------------------------------------------------------------------------------

BIG = 10_000      # mcg: from here on a mcg-based figure is also easier to read in mg


def dose_text(x: float, drug) -> str:
    """A daily dose (mcg/day) in the drug's usual unit; large mcg figures also in mg."""
    drug = _drugs.get(drug)
    _real(x)
    unit = "mg/day" if drug.dose_unit == "mcg/day" and x >= BIG else drug.dose_unit
    return fmt(x, "dose_rate", unit)


def _real(x, name: str = "x") -> None:
    if isinstance(x, bool) or not isinstance(x, Real):
        raise InputError(name, x, "a number")


def _range_text(f, drug) -> str:
    if f.low is None:
        return f"at most {dose_text(f.high, drug)}"
    return f"{dose_text(f.low, drug)} to {dose_text(f.high, drug)}"


def concentration_text(x: float, drug) -> str:
    """A concentration (mcg/mL) in the drug's usual unit."""
    drug = _drugs.get(drug)
    _real(x)
    unit = "mg/mL" if drug.concentration_unit == "mcg/mL" and x >= BIG else drug.concentration_unit
    return fmt(x, "concentration", unit)


def _above(x: float | None, limit: float | None) -> bool:
    """``x`` exceeds ``limit`` beyond float rounding (None on either side: no)."""
    return x is not None and limit is not None and x > limit * (1 + 1e-9)


def _max_dose_finding(drug, dose: float) -> list[Finding]:
    f = drug.max_daily_dose
    if f is None or not _above(dose, f.value):
        return []
    times = f" ({significant(dose / f.value)} times it)" if dose >= 2 * f.value else ""
    danger = f.get("danger_above")
    danger = None if danger is None else parse(danger, "dose_rate", "max_daily_dose.danger_above")
    if f.get("severity") == "caution":        # a quoted ceiling, not a proven one (data note)
        if danger is None or not _above(dose, danger):
            words = f.get("caution_words")
            return [Finding("above-max-daily-dose", "caution",
                            f"{dose_text(dose, drug)} is above {dose_text(f.value, drug)}, the "
                            f"highest daily dose the sources quote for {drug.name}{times}: a "
                            "caution, not a proven ceiling. Check the order and watch closely."
                            + (f" {words}" if words else ""), f.label)]
        words = f.get("danger_words")
        return [Finding("above-max-daily-dose", "danger",
                        f"{dose_text(dose, drug)} is above {dose_text(danger, drug)}"
                        + (f" ({words.rstrip('.')})" if words else "")
                        + (f", and {significant(dose / f.value)} times "
                           f"{dose_text(f.value, drug)}, the highest dose the sources quote"
                           if times else "") + ".", f.label)]
    words = f.get("limit_words")           # what the limit is, when it is not a hard maximum
    return [Finding("above-max-daily-dose", "danger",
                    f"{dose_text(dose, drug)} is above "
                    + (f"{dose_text(f.value, drug)}, {words}" if words else
                       f"the maximum daily dose for {drug.name} ({dose_text(f.value, drug)})")
                    + f"{times}.", f.label)]


def _check(drug, conc: float | None, dose: float | None, previous: float | None,
           cancer: bool, new_start: bool, interval: float | None, days_since: float | None,
           stability_limit: tuple[float, str] | None) -> list[Finding]:
    out: list[Finding] = []
    f = drug.max_concentration
    if f is not None and _above(conc, f.value):
        out.append(Finding("above-max-concentration", "danger",
                           f"{concentration_text(conc, drug)} is above the maximum concentration for "
                           f"{drug.name} ({concentration_text(f.value, drug)}).", f.label))
    f = drug.granuloma_risk_concentration
    if conc is not None and f is not None and not _above(f.value, conc):
        out.append(Finding("granuloma-risk", "caution",
                           f"At {concentration_text(conc, drug)}, inflammatory masses at the catheter tip "
                           f"are more likely (the risk rises from {concentration_text(f.value, drug)}).",
                           f.label))
    if dose is not None:
        out += _max_dose_finding(drug, dose)
    f = drug.usual_daily_dose
    if f is not None and _above(dose, f.high) and not any(
            x.code == "above-max-daily-dose" for x in out):
        out.append(Finding("above-usual-dose", "caution",
                           f"{dose_text(dose, drug)} is above the usual range "
                           f"({_range_text(f, drug)}).", f.label))
    f = drug.starting_dose
    if new_start and f is not None and _above(dose, f.high):
        out.append(Finding("above-starting-dose", "danger",
                           f"{dose_text(dose, drug)} is above the starting dose for a new "
                           f"patient ({_range_text(f, drug)}).",
                           f.label))
    lowest = drug.starting_dose.low if drug.starting_dose else None
    if drug.starting_dose is None and drug.usual_daily_dose is not None:
        lowest = drug.usual_daily_dose.low
    if dose is not None and lowest is not None and _above(lowest, dose):
        out.append(Finding("below-usual-dose", "caution",
                           f"{dose_text(dose, drug)} is below the lowest starting or usual dose "
                           f"({dose_text(lowest, drug)}): check the units and the order.",
                           (drug.starting_dose or drug.usual_daily_dose).label))
    if previous is not None and dose is not None:
        ratio = dose / previous
        if ratio >= 100 or ratio <= 0.01:
            out.append(Finding("unit-slip", "danger",
                               f"The new dose is {significant(ratio)} times the previous one "
                               f"({dose_text(previous, drug)}): check mg against mcg "
                               "(1 mg = 1000 mcg)."))
        out += _check_change(drug, previous, dose, cancer, days_since)
    if interval is not None and stability_limit is not None and interval > stability_limit[0]:
        limit, label, *what = stability_limit
        if what and what[0] == "pump limit":
            out.append(Finding("beyond-pump-limit", "danger",
                               f"A refill interval of {fmt(interval, 'time')} is longer than a "
                               f"drug may stay in the pump ({fmt(limit, 'time')}: refill at "
                               "least every 6 months).", label))
        else:
            out.append(Finding("beyond-stability", "danger",
                               f"A refill interval of {fmt(interval, 'time')} is longer than "
                               f"{drug.name} stays stable in the pump ({fmt(limit, 'time')}).",
                               label))
    return out


def _check_change(drug, previous: float, dose: float, cancer: bool,
                  days_since: float | None) -> list[Finding]:
    t = drug.titration
    if t is None:
        return []
    out = []
    change = dose - previous
    if "max_step" in t.extra:                      # an absolute step limit (ziconotide)
        if _above(change, t["max_step"]):
            out.append(Finding("titration-too-fast", "danger",
                               f"A rise of {dose_text(change, drug)} is bigger than the label "
                               f"allows in one step ({dose_text(t['max_step'], drug)}).", t.label))
    else:
        limit = t.get("max_increase_cancer", t["max_increase"]) if cancer else t["max_increase"]
        if _above(change, previous * limit):
            out.append(Finding("titration-step-too-large", "caution",
                               f"A rise of {change / previous:.0%} is bigger than the usual step "
                               f"(up to {limit:.0%}{' in cancer pain' if cancer else ''}).",
                               t.label))
        down = t.get("max_decrease")
        if down is not None and _above(-change, previous * down):
            out.append(Finding("titration-step-too-large", "caution",
                               f"A fall of {-change / previous:.0%} is bigger than the usual step "
                               f"(down to {down:.0%}).", t.label))
    if (days_since is not None and change > 0 and "min_interval" in t.extra
            and days_since < t["min_interval"] - 1e-9):
        out.append(Finding("titration-too-soon", "danger" if "max_step" in t.extra else "caution",
                           f"The last change was {fmt(days_since, 'time', 'h')} ago; increases "
                           f"need at least {fmt(t['min_interval'], 'time', 'h')} between them.",
                           t.label))
    return out


def check_schedule(drug, schedule) -> list[Finding]:
    """Check a titration schedule, a list of ``(day, daily dose)`` pairs in time order
    (days as numbers or quantities such as "36 h"), against the drug's rules: step size,
    time between increases, increases per 7 days and the maximum daily dose."""
    drug = _drugs.get(drug)
    pair = "a (day, daily dose) pair such as (3, '4.8 mcg/day')"
    if not isinstance(schedule, (list, tuple)) or not schedule:
        raise InputError("schedule", schedule, f"a non-empty list of steps, each {pair}")
    points = []
    for i, step in enumerate(schedule):
        if not isinstance(step, (list, tuple)) or len(step) != 2:
            raise InputError(f"schedule[{i}]", step, pair)
        day, dose = step
        t = (check_number(day, f"schedule[{i}] day", allow_zero=True)
             if isinstance(day, Real) else parse(day, "time", f"schedule[{i}] day",
                                                 allow_zero=True))
        points.append((t, parse(dose, "dose_rate", f"schedule[{i}] dose")))
    if any(b[0] <= a[0] for a, b in zip(points, points[1:])):
        raise InputError("schedule", schedule, "days must be in increasing order")
    out: list[Finding] = []
    rises = []
    for (t0, x0), (t1, x1) in zip(points, points[1:]):
        out += _check_change(drug, x0, x1, False, t1 - t0)
        if x1 > x0:
            rises.append(t1)
    t = drug.titration
    per_week = t.get("max_per_week") if t is not None else None
    if per_week is not None:
        for i, day in enumerate(rises):
            n = sum(1 for r in rises[: i + 1] if r > day - 7 + 1e-9)
            if n > per_week:
                out.append(Finding("titration-too-fast", "danger",
                                   f"{n} increases in the 7 days up to day {day:g}; the label "
                                   f"allows at most {per_week}.", t.label))
                break
    out += _max_dose_finding(drug, max(x for _, x in points))
    seen, unique = set(), []
    for f in out:
        if (f.code, f.message) not in seen:
            seen.add((f.code, f.message))
            unique.append(f)
    return unique


def _flag(value, name: str) -> bool:
    """A yes/no option: True or False only (a string such as 'no' would count as yes)."""
    if not isinstance(value, bool):
        raise InputError(name, value, "True or False")
    return value


def stability_limit(drug, *, first_fill: bool = False, diluted: bool = False):
    """(days, source label) the drug may stay in the pump, or None if not known."""
    drug = _drugs.get(drug)
    _flag(first_fill, "first_fill")
    _flag(diluted, "diluted")
    name = ("stability_first_fill" if first_fill and drug.stability_first_fill
            else "stability_diluted" if diluted and drug.stability_diluted else "stability")
    f = drug.fact(name)
    return None if f is None else (f.value, f.label)


@lru_cache(maxsize=None)
def _refill_fact(name: str, kind: str):
    """One fact of procedures.toml [refill], parsed once (a dose-calculator update reads
    several)."""
    from . import data
    from .facts import parse_fact
    return parse_fact(f"procedures.toml [refill].{name}", name,
                      data.load("procedures")["refill"][name], kind)


def pump_limit() -> tuple[float, str]:
    """(days, source label) the longest any drug may stay in the pump: refill at least every
    6 months [S10]."""
    f = _refill_fact("max_in_pump", "time")
    return f.value, f.label


def plan_margin() -> tuple[float, str]:
    """(days, label) a refill is planned before the low-reservoir alarm (or, on a pump
    without one, before it reaches its reserve): the alarm is a backstop, not the refill
    date [S70, B8, S5]; one week is a labelled teaching assumption."""
    f = _refill_fact("plan_margin", "time")
    return f.value, f.label


def margin_words(margin: float) -> str:
    """'a week' for 7 days, else the days written out."""
    return "a week" if abs(margin - 7) < 1e-9 else fmt(margin, "time")


def margin_reason(margin: float, label: str, before: str = "the low-reservoir alarm") -> str:
    """Why the refill is planned ``margin`` days before ``before``, with the sources."""
    tail = "; the week is a teaching assumption" if "assumption" in label else f" {label}"
    return (f"{margin_words(margin)} before {before}: the alarm is only a backstop "
            f"[S70, B8]{tail}")


def refill_limit(drug, *, first_fill: bool = False, diluted: bool = False):
    """(days, source label, what) the drug may stay in the pump: its own stability limit
    (``what`` = "stability"), or for a drug with none the pump's limit of 6 months [S10]
    (``what`` = "pump limit"), whichever is shorter."""
    stab = stability_limit(drug, first_fill=first_fill, diluted=diluted)
    days, label = pump_limit()
    if stab is not None and stab[0] <= days:
        return stab[0], stab[1], "stability"
    return days, label, "pump limit"


def check(drug, *, concentration=None, daily_dose=None, previous_dose=None,
          cancer: bool = False, new_start: bool = False, refill_interval=None,
          days_since_last_change=None, first_fill: bool = False,
          diluted: bool = False) -> list[Finding]:
    """Check a prescription against the drug library; returns findings (empty = none).

    Flags a concentration or daily dose above the maximum, a dose above the usual range
    (or above the starting range when ``new_start``), a change from ``previous_dose``
    bigger than the usual titration step (ziconotide: faster than the label allows), and a
    ``refill_interval`` longer than the drug's stability in the pump.
    """
    drug = _drugs.get(drug)
    p = _parse_optional
    return _check(drug, p(concentration, "concentration", "concentration"),
                  p(daily_dose, "dose_rate", "daily_dose"),
                  p(previous_dose, "dose_rate", "previous_dose"), _flag(cancer, "cancer"),
                  _flag(new_start, "new_start"), p(refill_interval, "time", "refill_interval"),
                  p(days_since_last_change, "time", "days_since_last_change", zero=True),
                  refill_limit(drug, first_fill=first_fill, diluted=diluted))


def _parse_optional(value, kind, name, zero=False):
    return None if value is None else parse(value, kind, name, allow_zero=zero)


# --- a prescription on a pump: the dose calculator's model call ----------------------------

@dataclass(frozen=True)
class Prescription:
    """A drug, concentration and daily dose on a pump, with what follows from them.

    Floats in canonical units: mcg/mL, mcg/day, mL, mL/day, days.
    """

    drug: object
    concentration: float
    daily_dose: float
    fill: float
    low_reservoir_alarm: float
    flow: float
    days_to_alarm: float
    days_to_empty: float
    stability_days: float | None
    refill_within_days: float
    refill_reason: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    margin: float = 0.0              # days the refill is planned before the alarm
    limit_days: float | None = None  # the drug's stability, or the pump's 6-month limit
    limit_label: str = ""

    @property
    def days_before_alarm(self) -> float:
        """How many days before the low-reservoir alarm the refill is planned."""
        return self.days_to_alarm - self.refill_within_days

    def reservoir_volume(self, days):
        """Reservoir volume (mL) after ``days`` of delivery (array or float), never below 0."""
        import numpy as np
        try:
            t = np.asarray(days, dtype=float)
        except (TypeError, ValueError, OverflowError):
            t = None
        if t is None or not np.all(np.isfinite(t)) or np.any(t < 0) or isinstance(days, bool):
            raise InputError("days", days, "days from the refill: a number or an array of "
                             "numbers, finite and 0 or more")
        return np.maximum(self.fill - self.flow * t, 0.0)

    def summary(self) -> str:
        """A short plain-text readout."""
        d = self.drug
        lines = [
            f"{d.display_name} {concentration_text(self.concentration, d)}, "
            f"{dose_text(self.daily_dose, d)}",
            f"Pump rate: {fmt(self.flow, 'flow')} ({fmt(self.flow, 'flow', 'mL/h')})",
            f"Low-reservoir alarm ({fmt(self.low_reservoir_alarm, 'volume')}) in "
            f"{fmt(self.days_to_alarm, 'time')}; empty in {fmt(self.days_to_empty, 'time')}",
            f"Refill within {fmt(self.refill_within_days, 'time')} ({self.refill_reason}); "
            f"the alarm would sound {fmt(self.days_before_alarm, 'time')} later",
        ]
        lines += [str(f) for f in self.findings] or ["No flags."]
        return "\n".join(lines)


def prescription(drug, concentration, daily_dose, *, pump="programmable-20", fill=None,
                 low_reservoir_alarm=None, previous_dose=None, cancer: bool = False,
                 new_start: bool = False, first_fill: bool = False,
                 diluted: bool = False) -> Prescription:
    """Rate, alarm and refill timing and the dosing checks for one prescription.

    ``fill`` defaults to the pump's reservoir and ``low_reservoir_alarm`` to the preset's
    alarm volume. Also flags a flow below the pump's minimum rate or a fill above its
    reservoir. A programmable or valve-gated pump: a constant-flow pump's flow is fixed, so
    its dose is set by the concentration (see ``daily_dose``, ``concentration_for`` and
    ``solution_makeup``).
    """
    drug = _drugs.get(drug)
    preset = pump_preset(pump)
    if preset.kind == "constant-flow" or preset.low_reservoir_alarm is None:
        raise InputError("pump", pump, "a programmable or valve-gated pump; "
                         f"a {preset.kind} pump runs at one fixed flow, so its dose is set by the "
                         "concentration: use daily_dose(flow, concentration), "
                         "concentration_for(daily_dose, flow) or solution_makeup(...)")
    for name, value in (("cancer", cancer), ("new_start", new_start)):
        _flag(value, name)
    conc = parse(concentration, "concentration", "concentration")
    dose = parse(daily_dose, "dose_rate", "daily_dose")
    fill_ml = preset.reservoir if fill is None else parse(fill, "volume", "fill")
    alarm = (preset.low_reservoir_alarm if low_reservoir_alarm is None
             else parse(low_reservoir_alarm, "volume", "low_reservoir_alarm", allow_zero=True))
    if _above(fill_ml, preset.reservoir):
        raise InputError("fill", fill, f"the {fmt(preset.reservoir, 'volume')} pump holds at most "
                         f"{fmt(preset.reservoir, 'volume')}")
    if alarm >= fill_ml:
        raise InputError("low_reservoir_alarm", low_reservoir_alarm,
                         f"must be less than the fill volume ({fmt(fill_ml, 'volume')})")
    flow = _result(_flow(dose, conc), "flow", "the rate",
                   {"daily_dose": daily_dose, "concentration": concentration})
    prev = _parse_optional(previous_dose, "dose_rate", "previous_dose")
    stab = stability_limit(drug, first_fill=first_fill, diluted=diluted)
    limit = refill_limit(drug, first_fill=first_fill, diluted=diluted)
    findings = _check(drug, conc, dose, prev, cancer, new_start, None, None, None)
    inputs = {"daily_dose": daily_dose, "concentration": concentration, "fill": fill}
    to_alarm = _result(_days_until(fill_ml, alarm, flow), "time", "the time to the alarm",
                       inputs)
    to_empty = _result(fill_ml / flow, "time", "the time to empty", inputs)
    if preset.min_rate is not None and flow < preset.min_rate * (1 - 1e-9):
        findings.append(Finding(
            "below-min-rate", "danger",
            f"The rate {fmt(flow, 'flow')} is below the pump's minimum "
            f"({fmt(preset.min_rate, 'flow')}): use a lower concentration.",
            preset.facts["min_rate"].label))
    if preset.max_rate is not None and _above(flow, preset.max_rate):
        findings.append(Finding(
            "above-max-rate", "danger",
            f"The rate {fmt(flow, 'flow')} is above what the pump can deliver (about "
            f"{fmt(preset.max_rate, 'flow')}).", preset.facts["max_rate"].label))
    margin, margin_label = plan_margin()
    within = max(to_alarm - margin, 0.0)
    reason = margin_reason(margin, margin_label) if within > 0 else (
        f"the low-reservoir alarm is less than {margin_words(margin)} away: refill now")
    if limit[0] < within:
        within = limit[0]
        reason = (f"drug stability limit {limit[1]}" if limit[2] == "stability" else
                  f"the longest a drug may stay in the pump, 6 months {limit[1]}")
    return Prescription(drug=drug, concentration=conc, daily_dose=dose, fill=fill_ml,
                        low_reservoir_alarm=alarm, flow=flow, days_to_alarm=to_alarm,
                        days_to_empty=to_empty, stability_days=None if stab is None
                        else stab[0], refill_within_days=within, refill_reason=reason,
                        findings=tuple(findings), margin=margin, limit_days=limit[0],
                        limit_label=limit[1])


# --- bridge bolus after a concentration change ----------------------------------------------

@dataclass(frozen=True)
class BridgeBolus:
    """Flow (mL/day) while the old solution clears the tubing and catheter, for how long
    (days), and the flow afterwards. ``volume``: the volume of old solution the bridge is
    worked out for (mL); ``rule``: when that volume was picked from a range, which end and
    why [S17]."""

    flow: float
    duration: float
    flow_after: float
    volume: float | None = None
    rule: str = ""


def bridge_tubing() -> tuple[float, float, str]:
    """(low, high, label) the pump tubing's volume as a range (mL): the real ranges were not
    found, so it is a labelled teaching assumption (``procedures.toml [refill]``)."""
    f = _refill_fact("bridge_tubing_volume", "volume")
    return f.low, f.high, f.label


def bridge_volume(old: float, new: float, volume) -> tuple[float, str]:
    """The volume of old solution a bridge is worked out for, and why. ``volume``: one known
    volume (mL), or a ``(low, high)`` range when it is not known exactly. From a range, use
    the smallest volume when the concentration goes up and the largest when it goes down
    [S17]: either way, a wrong guess can only leave the patient a little short for a while,
    never give too much."""
    if not isinstance(volume, tuple):
        return float(volume), ""
    low, high = (float(v) for v in volume)
    if not 0 <= low <= high:
        raise InputError("volume", volume, "a range (low, high) with 0 <= low <= high")
    if new > old:
        return low, (
            f"The concentration goes up, so the bridge is worked out for the smallest likely "
            f"volume, {fmt(low, 'volume')} (range {low:.3g}-{fmt(high, 'volume')}) "
            "[S17]. If the bridge ran on after the old solution had gone, the stronger new "
            "drug would reach the spine at the bridge's high rate: an overdose. Ending a little "
            "early only leaves some weaker old drug running at the new, lower rate: a short "
            "underdose.")
    return high, (
        f"The concentration goes down, so the bridge is worked out for the largest likely "
        f"volume, {fmt(high, 'volume')} (range {low:.3g}-{fmt(high, 'volume')}) [S17]. "
        "If the bridge ended too soon, stronger old drug still in the tubing would run at the "
        "new, higher rate: an overdose. Running a little long only gives some weaker new drug "
        "at the bridge's lower rate: a short underdose.")


def _bridge(dose: float, old: float, new: float, volume=None, *,
            catheter: float | None = None) -> BridgeBolus:
    """``volume``: mL or a (low, high) range; or ``catheter``: the catheter's volume (mL), to
    which the pump tubing's range (a teaching assumption) is added."""
    if catheter is not None:
        low, high, _ = bridge_tubing()
        volume = (catheter + low, catheter + high)
    vol, rule = bridge_volume(old, new, volume)
    flow = dose / old
    return BridgeBolus(flow, vol / flow, dose / new, vol, rule)


def bridge_bolus(daily_dose, old_concentration, new_concentration, volume) -> BridgeBolus:
    """After a concentration change the tubing and catheter (``volume``) still hold the old
    solution. To keep giving ``daily_dose`` while it clears, run at dose / old concentration
    for volume / that flow, then at dose / new concentration [S17]. ``volume``: one volume
    (e.g. ``"0.356 mL"``), or a ``(low, high)`` pair when the tubing's volume is known only
    as a range: the smallest is used when the concentration goes up, the largest when it goes
    down [S17]."""
    dose = parse(daily_dose, "dose_rate", "daily_dose")
    old = parse(old_concentration, "concentration", "old_concentration")
    new = parse(new_concentration, "concentration", "new_concentration")
    if isinstance(volume, (tuple, list)):
        if len(volume) != 2:
            raise InputError("volume", volume, "one volume, or a (low, high) pair of volumes")
        vol = tuple(parse(v, "volume", "volume") for v in volume)
        if vol[0] > vol[1]:
            raise InputError("volume", volume, "a (low, high) pair with low <= high")
    else:
        vol = parse(volume, "volume", "volume")
    inputs = {"daily_dose": daily_dose, "old_concentration": old_concentration,
              "new_concentration": new_concentration, "volume": volume}
    _result(dose / old, "flow", "the bridge flow", inputs)      # before dividing by it
    b = _bridge(dose, old, new, vol)
    for x, kind, what in ((b.duration, "time", "the bridge's duration"),
                          (b.flow_after, "flow", "the flow after it")):
        _result(x, kind, what, inputs)
    return b


# --- making up a refill solution (constant-flow pump arithmetic, [S48]) ---------------------

@dataclass(frozen=True)
class SolutionMakeup:
    """How to make up a reservoir's worth of drug for a fixed-flow pump (mL, mcg, days)."""

    running_time: float
    drug_amount: float
    drug_volume: float
    diluent_volume: float
    final_concentration: float


def solution_makeup(reservoir, flow, daily_dose, stock_concentration) -> SolutionMakeup:
    """Running time = reservoir / flow; drug = daily dose x running time, drawn from the
    stock and made up to the reservoir volume with saline."""
    res = parse(reservoir, "volume", "reservoir")
    q = parse(flow, "flow", "flow")
    dose = parse(daily_dose, "dose_rate", "daily_dose")
    stock = parse(stock_concentration, "concentration", "stock_concentration")
    inputs = {"daily_dose": daily_dose, "reservoir": reservoir, "flow": flow,
              "stock_concentration": stock_concentration}
    days = _result(res / q, "time", "the running time", {"flow": flow, "reservoir": reservoir})
    amount = _result(dose * days, "mass", "the drug needed", inputs)
    volume = _result(amount / stock, "volume", "the stock volume",
                     {"stock_concentration": stock_concentration, **inputs})
    if _above(volume, res):
        raise InputError("stock_concentration", stock_concentration,
                         f"too dilute: {fmt(volume, 'volume')} of it would be needed but the "
                         f"reservoir holds {fmt(res, 'volume')}")
    return SolutionMakeup(days, amount, volume, max(res - volume, 0.0), amount / res)


# --- conversions -----------------------------------------------------------------------------

ROUTES = ("oral", "iv", "epidural", "intrathecal")


@dataclass(frozen=True)
class Conversion:
    """A converted dose (mcg/day) with the ratio used, the range other ratios in the sources
    give (``low``/``high``), and why it is only a starting point."""

    value: float
    low: float
    high: float
    ratio: float
    source: str
    caveat: str
    reduced: tuple[float, float] | None = None   # after the cross-tolerance reduction
    reduction_label: str = ""
    findings: tuple[Finding, ...] = ()           # e.g. the range runs above the maximum dose

    @property
    def ratio_text(self) -> str:
        """'300 : 1' going down in dose, '1 : 300' going up."""
        return (f"{significant(self.ratio)} : 1" if self.ratio >= 1
                else f"1 : {significant(1 / self.ratio)}")

    @property
    def dose(self):
        """The converted dose as a pint quantity (mcg/day)."""
        return quantity(self.value, "dose_rate")

    def __str__(self) -> str:
        return (f"{fmt(self.value, 'dose_rate', 'mg/day')} (other ratios in the sources give "
                f"{fmt(self.low, 'dose_rate', 'mg/day')} to {fmt(self.high, 'dose_rate', 'mg/day')})")


def convert_morphine(dose, from_route: str, to_route: str) -> Conversion:
    """Equianalgesic morphine dose by another route, using oral:IV:epidural:intrathecal =
    300:100:10:1. Real ratios vary widely: for oral <-> intrathecal, ``low``/``high`` are
    what the ratios seen in patients (10:1 to 125:1) would give."""
    table = _drugs.conversions()["morphine_routes"]
    ratios = table["ratios"]
    for name, route in (("from_route", from_route), ("to_route", to_route)):
        if not isinstance(route, str) or route not in ratios:
            raise InputError(name, route, "expected one of " + ", ".join(ROUTES))
    d = parse(dose, "dose_rate", "dose")
    ratio = ratios[from_route] / ratios[to_route]
    value = d / ratio
    low = high = value
    observed = table["observed_oral_to_intrathecal"]
    pair = {from_route, to_route}
    if pair == {"oral", "intrathecal"}:
        ratios_seen = (observed["low"], observed["high"])
        conv = [d / r if from_route == "oral" else d * r for r in ratios_seen]
        low, high = min(conv), max(conv)
    for x in (value, low, high):
        _result(x, "dose_rate", "the converted dose", {"dose": dose})
    if pair == {"oral", "intrathecal"}:
        caveat = ("A rule of thumb, not a measured equivalence: the oral-to-intrathecal ratios "
                  f"that worked in patients ran from {observed['low']}:1 to {observed['high']}:1. "
                  "Start from the lower dose and titrate.")
    else:
        caveat = ("A rule of thumb made by chaining ratios, not a measured equivalence; real "
                  "patients vary widely. Start low and titrate.")
    cut = table.get("cross_tolerance_reduction")
    reduced, label = None, ""
    if cut is not None:
        from .facts import parse_fact
        f = parse_fact("drugs.toml [conversion.morphine_routes].cross_tolerance_reduction",
                       "cross_tolerance_reduction", cut)
        reduced, label = (value * (1 - f.high), value * (1 - f.low)), f.label
        caveat += (f" Cross-tolerance is incomplete: reduce the calculated dose by "
                   f"{f.low:.0%}-{f.high:.0%} ({fmt(reduced[0], 'dose_rate', 'mg/day')} to "
                   f"{fmt(reduced[1], 'dose_rate', 'mg/day')}) when switching ({label}).")
    findings: tuple = ()
    if to_route == "intrathecal":
        findings = tuple(_max_dose_finding(_drugs.get("morphine"), high))
        if findings:
            caveat += (f" The top of the range, {fmt(high, 'dose_rate', 'mg/day')}, is above "
                       "the highest intrathecal dose the sources quote: never start there.")
    return Conversion(value, low, high, ratio, "[" + ", ".join(table["source"]) + "]", caveat,
                      reduced, label, findings)


def convert_hydromorphone_morphine(dose, to: str) -> Conversion:
    """Intrathecal hydromorphone <-> intrathecal morphine. The sources give 2:1 to 6:1;
    ``value`` is the lower (safer) target dose of that range."""
    if not isinstance(to, str) or to not in ("morphine", "hydromorphone"):
        raise InputError("to", to, "expected 'morphine' or 'hydromorphone'")
    table = _drugs.conversions()["hydromorphone_morphine"]
    d = parse(dose, "dose_rate", "dose")
    options = [(r["value"], d * r["value"] if to == "morphine" else d / r["value"],
                r["source"]) for r in table["ratios"]]
    ratio, value, source = min(options, key=lambda o: o[1])
    values = [o[1] for o in options]
    for x in values:
        _result(x, "dose_rate", "the converted dose", {"dose": dose})
    return Conversion(value, min(values), max(values), ratio, "[" + ", ".join(source) + "]",
                      table["note"] + " Incomplete cross-tolerance is a further reason to "
                      "start lower.")


# --- titration plans --------------------------------------------------------------------------

MAX_PLAN_STEPS = 1000      # a computing limit on a plan's length, not a clinical rule

@dataclass(frozen=True)
class TitrationPlan:
    """Doses (mcg/day) from each day in ``days`` on, and the rules used."""

    drug: object
    days: tuple[float, ...]
    doses: tuple[float, ...]
    step: float
    interval: float
    profile: str
    source: str

    @property
    def days_to_target(self) -> float:
        return self.days[-1]

    def dose_on(self, day: float) -> float:
        """The planned dose (mcg/day) on ``day`` (days from the plan's start, 0 or more)."""
        day = check_number(day, "day", allow_zero=True)
        current = 0.0
        for d, x in zip(self.days, self.doses):
            if d <= day + 1e-9:
                current = x
        return current

    def rows(self) -> list[str]:
        return [f"day {d:g}: {dose_text(x, self.drug)}" for d, x in zip(self.days, self.doses)]


def titration_plan(drug, start, target, *, step=None, interval=None,
                   profile: str = "label") -> TitrationPlan:
    """A plan from ``start`` to ``target`` in equal steps no bigger, and no more often, than
    the drug's titration rules allow (``profile``: "label" or "consensus").

    Default interval: the shortest whole number of days that keeps within the limit on
    increases per week and the minimum interval (ziconotide label: 3 days).
    """
    drug = _drugs.get(drug)
    if not isinstance(profile, str):
        raise InputError("profile", profile, "'label' or 'consensus'")
    rules = drug.titration if profile == "label" else drug.titration_consensus
    if profile not in ("label", "consensus") or rules is None or "max_step" not in rules.extra:
        raise InputError("profile", profile, f"{drug.name} has no step-limited titration "
                         "rules; plans are available for " + ", ".join(
                             d.name for d in _drugs.library().values()
                             if d.titration and "max_step" in d.titration.extra))
    x0 = parse(start, "dose_rate", "start")
    x1 = parse(target, "dose_rate", "target")
    mx = drug.max_daily_dose
    if mx is not None and _above(x1, mx.value):
        raise InputError("target", target, f"at most the maximum daily dose, "
                         f"{dose_text(mx.value, drug)} {mx.label}")
    sd = drug.starting_dose
    if sd is not None and _above(x0, sd.high):
        raise InputError("start", start, f"at most the starting dose, "
                         f"{dose_text(sd.high, drug)} {sd.label}")
    if x1 < x0:
        raise InputError("target", target, f"at least the start dose ({dose_text(x0, drug)})")
    max_step = rules["max_step"]
    s = max_step if step is None else parse(step, "dose_rate", "step")
    if _above(s, max_step):
        raise InputError("step", step, f"at most {dose_text(max_step, drug)} {rules.label}")
    min_gap = max(rules["min_interval"], 7 / rules["max_per_week"])
    gap = float(math.ceil(min_gap - 1e-9)) if interval is None else parse(interval, "time",
                                                                          "interval")
    if gap < min_gap - 1e-9:
        raise InputError("interval", interval, f"at least {fmt(min_gap, 'time')} (no more than "
                         f"{rules['max_per_week']} increases a week) {rules.label}")
    n = math.ceil((x1 - x0) / s - 1e-9)
    if n > MAX_PLAN_STEPS:
        raise InputError("step", step, f"at least {dose_text((x1 - x0) / MAX_PLAN_STEPS, drug)}"
                         f" for this start and target: a plan has at most {MAX_PLAN_STEPS} steps")
    _result(n * gap, "time", "the plan's length", {"interval": interval}, zero_ok=n == 0)
    doses = [min(x0 + i * s, x1) for i in range(n + 1)]
    return TitrationPlan(drug, tuple(i * gap for i in range(n + 1)), tuple(doses), s, gap,
                         profile, rules.label)


__all__ = [
    "Finding", "rate", "daily_dose", "concentration_for", "amount", "days_until", "check",
    "stability_limit", "refill_limit", "pump_limit", "plan_margin", "Prescription", "prescription", "SolutionMakeup", "solution_makeup",
    "BridgeBolus", "bridge_bolus", "bridge_tubing", "bridge_volume", "Conversion", "convert_morphine", "convert_hydromorphone_morphine", "TitrationPlan",
    "titration_plan", "check_schedule",
]
