"""Refills: when the next one is due, what should come back out, and what a discrepancy means.

>>> from itsim import refill
>>> r = refill.discrepancy("6 mL", "3.5 mL")                 # worked example E3
>>> round(r.difference, 2), r.flagged
(2.5, True)

- :func:`schedule`: the next refill from the fill, the program (every mode, patient boluses
  at their maximum), the low-reservoir alarm (the valve-gated pump's 3 mL point [S43]), the
  drug's stability in the pump and the clinic calendar, whichever comes first, with the
  reason;
- :func:`discrepancy`: expected against withdrawn volume at emptying (more than 2 mL [S72]),
  or, on a pump with a fill-level sensor only, injected against measured after a refill
  (more than 1 mL in a 20 mL pump, 2 mL in a 40 mL pump [S71]), and what each direction
  suggests; :func:`after_refill_check` says what to check on a pump without a sensor;
- :func:`concentration_change`: the bridge bolus, and what happens without one while the old
  solution still fills the tubing and catheter.

The refill procedure itself, step by step, is :mod:`itsim.refill_station`.
Numbers: ``data/procedures.toml [refill]``, ``data/devices.toml``, ``data/drugs.toml``.
"""
from __future__ import annotations

import datetime as _dt
import inspect
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import data, drugs
from .device import pump_preset
from .device.program import Program, program as make_program
from .dosing import BridgeBolus, bridge_bolus, margin_reason, margin_words, refill_limit
from .errors import InputError
from .facts import Fact, parse_fact
from .units import check_number, fmt, parse

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HORIZON_DAYS = 1000            # the schedule looks this far ahead (the slowest pumps: ~833 days)
STEP_MIN = 10.0


@lru_cache(maxsize=1)
def facts() -> dict[str, Fact]:
    """The facts of ``[refill]`` in procedures.toml."""
    kinds = {"discrepancy_emptying": "volume", "discrepancy_after_20": "volume",
             "discrepancy_after_40": "volume", "confirm_volume": "volume", "observe": "time",
             "plan_margin": "time", "constant_flow_reserve": "volume", "max_in_pump": "time",
             "return_check": "volume", "bridge_tubing_volume": "volume",
             "restart_observe": "time"}
    raw = data.load("procedures")["refill"]
    for name in raw.get("fill_level_sensor", {}).get("value", ()):
        pump_preset(name)                  # a preset named as having a sensor must exist
    return {k: parse_fact(f"procedures.toml [refill].{k}", k, v, kinds.get(k))
            for k, v in raw.items()}


def all_facts():
    for f in facts().values():
        yield "refill", f


# --- when is the next refill due? -----------------------------------------------------------

@dataclass(frozen=True)
class RefillPlan:
    """Days from the refill (and dates, when a start date is given) of the low-reservoir
    alarm, the empty reservoir and the stability limit. The alarm is a backstop, not the
    refill date [S70]: the refill is **planned** a margin (``margin`` days) before the alarm
    (a pump without an alarm: before it reaches its ``reserve``), or at the drug's stability
    limit (or the pump's 6-month limit [S10]) if that comes first, and **booked** on the last
    open clinic day on or before the planned day (``visit_day``)."""

    drug: str
    fill: float                      # mL
    daily_volume: float              # mL/day on average, patient boluses at their maximum
    alarm_volume: float              # mL (0: the pump has no alarm)
    alarm_day: float | None
    empty_day: float | None
    stability_day: float | None      # the drug's stability, or the pump's 6-month limit
    stability_source: str
    due_day: float                   # the planned day (see planned_day)
    reason: str
    visit_day: int                   # the booked day
    start: _dt.date | None = None
    boluses: bool = False            # patient boluses counted at their daily maximum
    margin: float = 0.0              # days planned before the alarm (or the reserve)
    reserve: float = 0.0             # mL kept in a pump without an alarm
    reserve_day: float | None = None  # when a pump without an alarm reaches its reserve
    limit: str = "stability"         # what stability_day is: "stability" or "pump limit"

    def date(self, day: float | None) -> _dt.date | None:
        """The date of ``day`` (days from the refill, 0 or more), or None without a start
        date (or for None)."""
        if day is None:
            return None
        day = check_number(day, "day", allow_zero=True)
        return None if self.start is None else _add_days(self.start, day, "day", day)

    @property
    def planned_day(self) -> float:
        """The day the refill is planned for (days from this refill)."""
        return self.due_day

    @property
    def booked_day(self) -> int:
        """The day the refill is booked (the last open clinic day on or before the plan)."""
        return self.visit_day

    @property
    def warning_day(self) -> float | None:
        """The alarm day, or for a pump without an alarm the day it reaches its reserve."""
        return self.alarm_day if self.alarm_day is not None else self.reserve_day

    @property
    def days_before_alarm(self) -> float | None:
        """Days between the booked refill and the alarm (or the reserve): the margin kept."""
        w = self.warning_day
        return None if w is None else w - self.visit_day

    @property
    def visit(self) -> _dt.date | None:
        return self.date(self.visit_day)

    def summary(self) -> str:
        def when(day):
            if day is None:
                return f"not within {HORIZON_DAYS} days"
            d = self.date(day)
            return fmt(day, "time") + (f" ({d:%a %d %b %Y})" if d else "")
        limit = ("Stability limit: " + f"{when(self.stability_day)} {self.stability_source}"
                 if self.limit == "stability" else
                 f"Longest a drug may stay in the pump: {when(self.stability_day)} "
                 f"{self.stability_source}")
        warn = (f"Low-reservoir alarm ({fmt(self.alarm_volume, 'volume')}): "
                f"{when(self.alarm_day)}" if self.alarm_volume > 0 else
                f"No alarm: reserve of {fmt(self.reserve, 'volume')} reached after "
                f"{when(self.reserve_day)}")
        lines = [f"{self.drug}: {fmt(self.fill, 'volume')} at {fmt(self.daily_volume, 'flow')} "
                 "on average" + (" (patient boluses at their maximum)." if self.boluses
                                 else "."),
                 warn,
                 f"Reservoir empty: {when(self.empty_day)}",
                 limit,
                 f"Refill planned for day {self.due_day:.1f} ({self.reason}).",
                 f"Book the refill: day {self.visit_day}"
                 + (f", {self.visit:%a %d %b %Y}" if self.visit else "")
                 + (f", {fmt(self.days_before_alarm, 'time')} before the "
                    + ("alarm" if self.alarm_volume > 0 else "reserve")
                    if self.days_before_alarm is not None else "") + "."]
        return "\n".join(lines)


def schedule(drug, concentration, fill, program=None, *, pump="programmable-20",
             low_reservoir_alarm=None, start=None, first_fill: bool = False,
             diluted: bool = False, clinic_days=None, holidays=()) -> RefillPlan:
    """The next refill. ``program``: as for ``itsim.simulate`` (any mode; patient boluses are
    counted at their daily maximum); a constant-flow pump runs at its preset flow (no
    program). ``start``: the date of this refill (a ``datetime.date`` or 'YYYY-MM-DD', at
    most HORIZON_DAYS before the last date there is) to get dates; ``clinic_days``: weekdays
    the clinic works (a list such as ['Mon', 'Wed']; default from the data: Mon-Fri);
    ``holidays``: dates it is closed (a list; None for none). Clinic days and holidays need
    ``start``.

    The refill is planned ``plan_margin`` (a week, a labelled teaching assumption) before the
    low-reservoir alarm, never at it [S70, B8, S5]; a constant-flow pump, which has no alarm,
    keeps a reserve (``constant_flow_reserve``) and is planned the same margin before it
    would reach it, so it is never planned to run dry."""
    d = drugs.get(drug)
    preset = pump_preset(pump)
    begin = parse_date(start, "start")
    if begin is not None and begin > LATEST_START:
        raise InputError("start", start, f"a date on or before {LATEST_START:%d %B %Y}: the "
                         f"schedule looks {HORIZON_DAYS} days ahead")
    closed = _holidays(holidays)
    _clinic_days(clinic_days)
    if begin is None:
        for name, value in (("clinic_days", clinic_days), ("holidays", holidays)):
            if value is not None and (name == "clinic_days" or closed):
                raise InputError(name, value, "needs start (the date of this refill): without "
                                 "dates the visit cannot be booked on clinic days")
    conc = parse(concentration, "concentration", "concentration")
    volume = parse(fill, "volume", "fill")
    if volume > preset.reservoir * (1 + 1e-9):
        raise InputError("fill", fill, f"at most the reservoir, {fmt(preset.reservoir, 'volume')}")
    alarm = (preset.low_reservoir_alarm if low_reservoir_alarm is None else
             parse(low_reservoir_alarm, "volume", "low_reservoir_alarm", allow_zero=True))
    if alarm is None:
        alarm = 0.0                               # a constant-flow pump has no alarm
    if alarm >= volume:
        if low_reservoir_alarm is None:
            raise InputError("fill", fill, f"more than the pump's low-reservoir alarm volume "
                             f"({fmt(alarm, 'volume')})")
        raise InputError("low_reservoir_alarm", low_reservoir_alarm,
                         f"less than the fill ({fmt(volume, 'volume')})")
    f = facts()
    reserve = 0.0 if alarm > 0 else f["constant_flow_reserve"].value
    if reserve >= volume:
        raise InputError("fill", fill, f"more than the reserve a pump without an alarm keeps "
                         f"({fmt(reserve, 'volume')}) {f['constant_flow_reserve'].label}")
    days, cum = _cumulative(preset, program, conc, concentration)
    alarm_day = _reach(days, cum, volume - alarm) if alarm > 0 else None
    reserve_day = _reach(days, cum, volume - reserve) if reserve > 0 else None
    empty_day = _reach(days, cum, volume)
    limit_days, limit_label, limit_kind = refill_limit(d, first_fill=first_fill,
                                                       diluted=diluted)
    margin = f["plan_margin"]
    candidates = []
    warning = alarm_day if alarm_day is not None else reserve_day
    if warning is not None:
        before = ("the low-reservoir alarm" if preset.kind == "programmable" else
                  f"the refill point at {fmt(alarm, 'volume')}" if alarm > 0 else
                  f"the pump reaches its reserve of {fmt(reserve, 'volume')}")
        planned = warning - margin.value
        if planned <= 0:
            why = f"{before} is less than {margin_words(margin.value)} away: refill now"
        elif alarm > 0:
            why = margin_reason(margin.value, margin.label, before)
        else:
            why = (f"{margin_words(margin.value)} before {before}: it has no alarm and must "
                   "never be planned to run dry; the reserve and the week are teaching "
                   "assumptions")
        candidates.append((max(planned, 0.0), why))
    candidates.append((limit_days, f"the drug's stability in the pump {limit_label}"
                       if limit_kind == "stability" else
                       f"the longest a drug may stay in the pump, 6 months {limit_label}"))
    due, reason = min(candidates, key=lambda c: c[0])
    visit = visit_day(due, begin, clinic_days, holidays)
    has_boluses = isinstance(program, dict) and bool(program.get("patient_bolus")) or bool(
        getattr(program, "patient_bolus", None))
    return RefillPlan(d.name, volume, float(cum[-1] / days[-1]), alarm, alarm_day, empty_day,
                      limit_days, limit_label, due, reason, visit, begin, has_boluses,
                      margin.value, reserve, reserve_day, limit_kind)


def _cumulative(preset, program, conc, concentration=None):
    """Days and cumulative mL the pump is told to deliver (patient boluses at their maximum)."""
    days = np.arange(1, int(HORIZON_DAYS * 1440 / STEP_MIN) + 1) * STEP_MIN / 1440
    if preset.kind == "constant-flow":
        if program is not None:
            raise InputError("program", program, "a constant-flow pump cannot be programmed: "
                             "its flow is fixed")
        return days, preset.value("flow") * days
    example = "a program, e.g. {'mode': 'continuous', 'dose': '300 mcg/day'}, or a Program"
    if program is None:
        raise InputError("program", None, example)
    if isinstance(program, dict):
        allowed = set(inspect.signature(make_program).parameters)
        for key in program:
            if key not in allowed:
                raise InputError(f"program.{key}" if isinstance(key, str) else "program",
                                 program[key] if isinstance(key, str) else program,
                                 "unknown; allowed: " + ", ".join(sorted(allowed)))
        prog = make_program(**program)
    elif isinstance(program, Program):
        prog = program
    else:
        raise InputError("program", program, example)
    with np.errstate(over="ignore", invalid="ignore"):
        flows = prog.flows(0, days.size, STEP_MIN, conc)              # mL/day per step
        cum = np.cumsum(flows) * STEP_MIN / 1440
        if prog.patient_bolus is not None:
            pb = prog.patient_bolus
            cum = cum + pb.dose / conc * pb.max_per_day * days
    if not np.all(np.isfinite(cum)):
        raise InputError("concentration", concentration, "with this program the volumes "
                         f"delivered over {HORIZON_DAYS} days are too large to compute with: "
                         "check the concentration and the doses")
    return days, cum


def _reach(days, cum, volume) -> float | None:
    """First day (interpolated) at which ``cum`` reaches ``volume``."""
    i = int(np.searchsorted(cum, volume - 1e-12))
    if i >= cum.size:
        return None
    before_t = days[i - 1] if i else 0.0
    before = cum[i - 1] if i else 0.0
    step = cum[i] - before
    return float(before_t + (days[i] - before_t) * ((volume - before) / step if step else 1.0))


LATEST_START = _dt.date.max - _dt.timedelta(days=HORIZON_DAYS)   # the schedule's dates exist


def parse_date(value, parameter: str = "start") -> _dt.date | None:
    """A date from a ``datetime.date`` (a datetime gives its date) or 'YYYY-MM-DD' text;
    None for None; InputError naming ``parameter`` for anything else."""
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and len(value) <= 40:
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(parameter, value, "a date written YYYY-MM-DD, e.g. '2026-12-03'")


def _add_days(start: _dt.date, days: float, parameter: str, value) -> _dt.date:
    """``start`` + whole ``days``, or InputError if that date is past the last one there is."""
    try:
        return start + _dt.timedelta(days=int(np.floor(days + 1e-9)))
    except OverflowError:
        raise InputError(parameter, value, f"a day whose date exists: from {start:%d %B %Y} "
                         f"at most {(_dt.date.max - start).days} days on") from None


def _clinic_days(clinic_days) -> tuple[str, ...]:
    """The weekdays the clinic works: a list of 'Mon'...'Sun', default from the data."""
    if clinic_days is None:
        return tuple(facts()["clinic_days"].value)
    allowed = "a list of weekdays written " + ", ".join(WEEKDAYS)
    if isinstance(clinic_days, str) or not isinstance(clinic_days, (list, tuple, set,
                                                                     frozenset)):
        raise InputError("clinic_days", clinic_days, allowed + ", e.g. ['Mon', 'Thu']")
    if not clinic_days:
        raise InputError("clinic_days", clinic_days, allowed + ": at least one")
    for day in clinic_days:
        if not isinstance(day, str) or day not in WEEKDAYS:
            raise InputError("clinic_days", clinic_days, f"{allowed}; {day!r} is not one")
    return tuple(clinic_days)


def _holidays(holidays) -> frozenset:
    """The dates the clinic is closed: a list of dates (None: none)."""
    if holidays is None:
        return frozenset()
    if isinstance(holidays, (str, _dt.date)) or not isinstance(holidays, (list, tuple, set,
                                                                          frozenset)):
        raise InputError("holidays", holidays, "a list of dates written YYYY-MM-DD, e.g. "
                         "['2026-12-25']")
    out = set()
    for i, h in enumerate(holidays):
        day = parse_date(h, f"holidays[{i}]")
        if day is None:
            raise InputError(f"holidays[{i}]", h, "a date written YYYY-MM-DD, e.g. '2026-12-25'")
        out.add(day)
    return frozenset(out)


def visit_day(due, start=None, clinic_days=None, holidays=None) -> int:
    """The last whole day on or before ``due`` (days from ``start``, 0 to HORIZON_DAYS) that
    the clinic is open (``clinic_days``, ``holidays``: as for :func:`schedule`); without a
    start date, the whole day of ``due``."""
    due = check_number(due, "due", allow_zero=True)
    open_days, closed = _clinic_days(clinic_days), _holidays(holidays)
    start = parse_date(start, "start")
    last = int(np.floor(due + 1e-9))
    if start is None:
        return last
    _add_days(start, last, "due", due)
    for back in range(last + 1):
        day = start + _dt.timedelta(days=last - back)
        if WEEKDAYS[day.weekday()] in open_days and day not in closed:
            return last - back
    raise InputError("clinic_days", list(open_days), "the clinic is never open before the "
                     "refill is due: refill today")


# --- discrepancy ------------------------------------------------------------------------------

WHEN = ("emptying", "after-refill")


@dataclass(frozen=True)
class Discrepancy:
    """``difference`` = expected − measured (mL): positive when less came back (or is in the
    pump) than expected."""

    when: str
    expected: float
    measured: float
    threshold: float
    source: str

    @property
    def difference(self) -> float:
        return self.expected - self.measured

    @property
    def flagged(self) -> bool:
        return abs(self.difference) > self.threshold + 1e-9

    @property
    def meaning(self) -> str:
        if not self.flagged:
            return "Within the expected range: carry on, and note it to follow the trend."
        if self.when == "after-refill":
            return ("The pump holds less than was injected: suspect a pocket fill (drug under "
                    "the skin). Stop, watch for overdose, re-check the volume." if
                    self.difference > 0 else
                    "The pump reports more than was injected: check the entry and the "
                    "measurement.")
        if self.difference > 0:
            return ("Less came back than expected: the pump may have given more than "
                    "programmed, or drug went somewhere else (a leak, a pocket fill at the last "
                    "refill). Evaluate: watch for overdose.")
        return ("More came back than expected: the pump may have given less (a stall, a "
                "blocked catheter), so the patient may be underdosed or in withdrawal. "
                "Evaluate the pump and catheter.")

    @property
    def difference_text(self) -> str:
        d = self.difference
        if abs(d) < 1e-9:
            return "no difference"
        return f"{fmt(abs(d), 'volume')} {'less' if d > 0 else 'more'} than expected"

    def summary(self) -> str:
        flag = "EVALUATE" if self.flagged else "within range"
        return (f"{self.when}: expected {fmt(self.expected, 'volume')}, measured "
                f"{fmt(self.measured, 'volume')}: {self.difference_text} "
                f"(evaluate above {fmt(self.threshold, 'volume')} {self.source}): {flag}. "
                f"{self.meaning}")


def has_fill_level_sensor(pump) -> bool:
    """Does the pump preset measure its own fill level? None of itsim's presets does
    (``[refill].fill_level_sensor``): the volume shown after a refill is what was typed."""
    return pump_preset(pump).name in facts()["fill_level_sensor"].value


def after_refill_check(pump="programmable-20") -> str:
    """What to check after a refill on ``pump``: the sensor rule [S71] where the pump has a
    fill-level sensor, else the clinical signs and re-accessing the reservoir."""
    f = facts()
    if has_fill_level_sensor(pump):
        small, large = f["discrepancy_after_20"], f["discrepancy_after_40"]
        return ("Compare the volume injected with what the pump's fill-level sensor reads: more "
                f"than {fmt(small.value, 'volume')} missing (20 mL pump) or "
                f"{fmt(large.value, 'volume')} (40 mL pump) suggests a pocket fill "
                f"{small.label}.")
    c = f["fill_check"]
    return ("This pump has no fill-level sensor: the volume it shows after a refill is what you "
            "typed, so it cannot reveal a pocket fill. Watch for the signs instead: "
            f"{c.value} {c.label}. If in doubt, stop: re-access the reservoir and draw back; "
            "fluid that returns freely shows the needle is in the reservoir, none suggests a "
            "pocket fill: watch the patient for overdose.")


def discrepancy(expected, measured, *, when: str = "emptying",
                pump="programmable-20", sensor: bool | None = None) -> Discrepancy:
    """Compare volumes at a refill. ``when='emptying'``: the volume the pump expects in the
    reservoir against the volume withdrawn (evaluate above 2 mL [S72]).
    ``when='after-refill'``: the volume injected against what a **fill-level sensor** then
    measures (above 1 mL in a 20 mL pump, 2 mL in a 40 mL pump [S71]). It applies only to a
    pump with a sensor: ``sensor`` (default: whether the preset has one; none of itsim's
    presets does) set to True for a pump of that size that has one. Without a sensor the
    rule is refused, with what to check instead (:func:`after_refill_check`)."""
    if when not in WHEN:
        raise InputError("when", when, "one of " + ", ".join(WHEN))
    preset = pump_preset(pump)
    if sensor is not None and not isinstance(sensor, bool):
        raise InputError("sensor", sensor, "True or False (or None: from the pump preset)")
    if when == "after-refill" and not (has_fill_level_sensor(pump) if sensor is None
                                       else sensor):
        raise InputError("when", when, "'emptying': the after-refill rule [S71] needs a pump "
                         f"with a fill-level sensor and the {preset.name} pump has none "
                         "(pass sensor=True for one that has). " + after_refill_check(pump))
    exp = parse(expected, "volume", "expected", allow_zero=True)
    got = parse(measured, "volume", "measured", allow_zero=True)
    for name, v, raw in (("expected", exp, expected), ("measured", got, measured)):
        if v > preset.reservoir * (1 + 1e-9):
            raise InputError(name, raw, f"at most the reservoir, {fmt(preset.reservoir, 'volume')}")
    f = facts()
    if when == "emptying":
        limit = f["discrepancy_emptying"]
    else:
        limit = f["discrepancy_after_40" if preset.reservoir > 30 else "discrepancy_after_20"]
    return Discrepancy(when, exp, got, limit.value, limit.label)


# --- changing the concentration ---------------------------------------------------------------

@dataclass(frozen=True)
class ConcentrationChange:
    """After a refill with a new concentration, the tubing and catheter still hold
    ``volume`` mL of the old solution. ``bridge``: the bolus that clears it at the old
    concentration; without it, the patient gets ``dose_without_bridge`` (mcg/day) for
    ``overlap_days`` instead of the prescribed dose. ``volume_range``: the (low, high) volumes
    the bridge chose from [S17], if the volume was a range. With ``fill`` (the new fill, mL):
    the emptied reservoir still holds ``residual`` mL of the old solution [S2], which mixes
    with the new fill: ``effective`` is the mix's concentration and ``dose_after`` the dose the
    pump gives with it while running for the new concentration, until the next refill."""

    daily_dose: float
    old: float
    new: float
    volume: float
    bridge: BridgeBolus
    volume_range: tuple | None = None
    fill: float | None = None
    residual: float = 0.0
    residual_label: str = ""

    @property
    def overlap_days(self) -> float:
        return self.volume / self.bridge.flow_after

    @property
    def dose_without_bridge(self) -> float:
        return self.bridge.flow_after * self.old

    @property
    def effective(self) -> float:
        """The reservoir's concentration once the new fill has mixed with the residual."""
        if not self.fill:
            return self.new
        return (self.residual * self.old + self.fill * self.new) / (self.residual + self.fill)

    @property
    def dose_after(self) -> float:
        """mcg/day the pump gives from the mixed reservoir, programmed for the new
        concentration."""
        return self.bridge.flow_after * self.effective

    def dilution_text(self) -> str:
        if not self.fill:
            return ""
        ratio = self.dose_after / self.daily_dose
        way = ("less" if ratio < 1 else "more")
        return (f"The emptied reservoir still holds up to {fmt(self.residual, 'volume')} of the "
                f"old solution {self.residual_label}: mixed with {fmt(self.fill, 'volume')} of "
                f"the new, the reservoir holds {fmt(self.effective, 'concentration')}, not "
                f"{fmt(self.new, 'concentration')}. Programmed for the new concentration, the "
                f"pump gives {fmt(self.dose_after, 'dose_rate')} instead of "
                f"{fmt(self.daily_dose, 'dose_rate')} (x{ratio:.2g}, {abs(ratio - 1):.0%} "
                f"{way}) until the next refill.")

    def summary(self) -> str:
        change = self.dose_without_bridge / self.daily_dose
        text = (f"Without a bridge bolus the old solution runs at the new rate "
                f"{fmt(self.bridge.flow_after, 'flow')} for {fmt(self.overlap_days, 'time')}: "
                f"{fmt(self.dose_without_bridge, 'dose_rate')} instead of "
                f"{fmt(self.daily_dose, 'dose_rate')} (x{change:.2g}). Bridge bolus: "
                f"{fmt(self.bridge.flow, 'flow')} for {fmt(self.bridge.duration, 'time')}, then "
                f"{fmt(self.bridge.flow_after, 'flow')}.")
        for extra in (self.bridge.rule, self.dilution_text()):
            if extra:
                text += " " + extra
        return text


def concentration_change(daily_dose, old_concentration, new_concentration, volume=None, *,
                         catheter=None, fill=None, residual=None,
                         pump="programmable-20") -> ConcentrationChange:
    """The bridge bolus and the overlap without one.

    ``volume``: the old solution in tubing and catheter (mL), one volume or a ``(low, high)``
    pair; or ``catheter``: the catheter's own volume, to which the pump tubing's range (a
    teaching assumption, ``[refill].bridge_tubing_volume``) is added. From a range the bridge
    uses the smallest volume when the concentration goes up and the largest when it goes down
    [S17]. ``fill``: the new fill's volume, to show how the residual left in the emptied
    reservoir (``residual``; default: the pump's dead space, up to 1.4 mL [S2]) dilutes it."""
    if (volume is None) == (catheter is None):
        raise InputError("volume", volume, "give either volume (tubing + catheter) or catheter "
                         "(the catheter's own volume; the pump tubing's range is added)")
    if catheter is not None:
        cath = parse(catheter, "volume", "catheter")
        t = facts()["bridge_tubing_volume"]
        volume = (f"{cath + t.low!r} mL", f"{cath + t.high!r} mL")
    b = bridge_bolus(daily_dose, old_concentration, new_concentration, volume)
    dose = parse(daily_dose, "dose_rate", "daily_dose")
    rng = None
    if isinstance(volume, (tuple, list)):
        rng = tuple(parse(v, "volume", "volume") for v in volume)
    fill_ml, res, res_label = None, 0.0, ""
    if fill is not None:
        fill_ml = parse(fill, "volume", "fill")
        preset = pump_preset(pump)
        if fill_ml > preset.reservoir + 1e-9:
            raise InputError("fill", fill, f"at most the reservoir, "
                             f"{fmt(preset.reservoir, 'volume')}")
        if residual is None:
            f = preset.facts.get("dead_space")
            if f is None:
                raise InputError("residual", None, f"give it: the {preset.label} pump's "
                                 "residual volume is not in the sources")
            res, res_label = f.value, f.label
        else:
            res = parse(residual, "volume", "residual", allow_zero=True)
    c = ConcentrationChange(dose, parse(old_concentration, "concentration", "old_concentration"),
                            parse(new_concentration, "concentration", "new_concentration"),
                            b.volume, b, rng, fill_ml, res, res_label)
    for what, x in (("the overlap", c.overlap_days), ("the dose without a bridge",
                                                       c.dose_without_bridge)):
        if not math.isfinite(x) or x == 0:
            raise InputError("volume", volume, f"with daily_dose = {daily_dose!r}, "
                             f"old_concentration = {old_concentration!r} and new_concentration "
                             f"= {new_concentration!r}, {what} is out of the range a float "
                             "can hold")
    return c


# --- practice ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PracticeCase:
    """A seeded discrepancy exercise: the situation and the right verdict."""

    seed: int
    when: str
    pump: str
    expected: float
    measured: float

    @property
    def result(self) -> Discrepancy:
        return discrepancy(f"{self.expected!r} mL", f"{self.measured!r} mL", when=self.when,
                           pump=self.pump, sensor=True if self.when == "after-refill" else None)

    @property
    def answer(self) -> str:
        """'within range', 'less than expected' or 'more than expected'."""
        r = self.result
        if not r.flagged:
            return "within range"
        return "less than expected" if r.difference > 0 else "more than expected"

    def prompt(self) -> str:
        size = fmt(pump_preset(self.pump).reservoir, "volume")
        if self.when == "emptying":
            return (f"A {size} pump. The programmer expects {fmt(self.expected, 'volume')} in the "
                    f"reservoir; you withdraw {fmt(self.measured, 'volume')}.")
        return (f"A {size} pump with a fill-level sensor (not one of itsim's presets, which "
                "have none). You inject "
                f"{fmt(self.expected, 'volume')}; the sensor then reads "
                f"{fmt(self.measured, 'volume')} in the reservoir.")


ANSWERS = ("within range", "less than expected", "more than expected")


def practice_case(seed: int) -> PracticeCase:
    """Discrepancy practice case number ``seed`` (the same seed gives the same case)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "a whole number, 0 or more")
    rng = np.random.default_rng([seed, 7])
    pump = ("programmable-20", "programmable-40")[int(rng.integers(2))]
    size = pump_preset(pump).reservoir
    when = "emptying" if rng.random() < 0.6 else "after-refill"
    thr = (facts()["discrepancy_emptying"] if when == "emptying" else
           facts()["discrepancy_after_40" if size > 30 else "discrepancy_after_20"]).value
    verdict = int(rng.integers(3 if when == "emptying" else 2))   # within / less / more
    # keep clear of the threshold (0.2 mL either side) so rounding cannot change the verdict
    gap = (float(rng.uniform(0.1, thr - 0.2)) if verdict == 0 else
           float(rng.uniform(thr + 0.2, thr + 4.0)))
    gap = round(gap, 1) * (-1 if verdict == 2 else 1)
    if when == "emptying":
        expected = round(float(rng.uniform(max(2.0, gap + 0.5), size / 2)), 1)
    else:
        expected = round(float(rng.uniform(size * 0.6, size)), 1)
    measured = round(min(max(expected - gap, 0.0), size), 1)
    return PracticeCase(seed, when, pump, expected, measured)
