"""The patients' pages (lesson 09): a refill calendar, what the alarms mean, and the warning
signs, in plain words. Numbers and words with their sources: ``data/patient.toml``.

>>> from itsim import patient_guide as g
>>> c = g.refill_calendar("2026-12-03", "20 mL", "0.5 mL/day", drug="baclofen")
>>> c.alarm_date.isoformat(), c.visit_date.isoformat(), c.days_before_alarm
('2027-01-08', '2027-01-01', 7)
"""
from __future__ import annotations

import datetime as dt
import io
import wave
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from . import data, drugs
from .dosing import plan_margin, pump_limit, refill_limit
from .errors import InputError
from .facts import parse_fact
from .refill import WEEKDAYS, parse_date, visit_day
from .refill import facts as refill_facts
from .units import fmt, parse

CALENDAR_DAYS = 3 * 365     # the calendar counts this far on from the fill
SAMPLE_RATE = 22050


# --- my refill calendar ---------------------------------------------------------------------

@dataclass(frozen=True)
class Calendar:
    refilled: dt.date
    alarm_date: dt.date | None      # None: the pump has no alarm (it keeps a reserve)
    empty_date: dt.date
    visit_date: dt.date
    reason: str
    margin: float = 7.0             # days the refill is planned before the alarm
    reserve_date: dt.date | None = None
    pump: str = "not-sure"          # the pump kind (PUMP_KINDS); "not-sure": the earliest
    #                                 dates of the three kinds
    set_by: str = "alarm"           # what sets the date: alarm, reserve, stability, pump limit
    #                                 or now (the pump is nearly low)
    note: str = ""                  # said with the dates (e.g. "not sure" of the pump)

    @property
    def has_alarm(self) -> bool:
        return self.alarm_date is not None

    @property
    def warning_date(self) -> dt.date:
        """The alarm date, or for a pump without an alarm the day it reaches its reserve."""
        return self.alarm_date if self.alarm_date is not None else self.reserve_date

    @property
    def days_before_alarm(self) -> int:
        """Whole days between the refill date and the alarm (or the reserve)."""
        return (self.warning_date - self.visit_date).days

    def warning_words(self) -> str:
        """The alarm (or, without one, the low) date in plain words, and how far the refill
        date is before it: a week when the alarm sets the date, more when the 6-month or
        the stability limit sets it."""
        day = "%A %d %B %Y"
        n = self.days_before_alarm
        gap = f"{n} day{'s' if n != 1 else ''}"
        if self.has_alarm:
            return (f"The low-medicine alarm would sound about {self.alarm_date:{day}}. Do not "
                    f"wait for it: your refill date is {gap} before it.")
        first = ("Your pump has no low-medicine alarm." if self.pump == "constant-flow" else
                 "Do not count on an alarm from this pump.")
        return (f"{first} It gets low about {self.reserve_date:{day}}: your refill date is "
                f"{gap} before that.")

    def summary(self) -> str:
        day = "%A %d %B %Y"
        return (f"Your pump was filled on {self.refilled:{day}}.\n"
                f"Your next refill should be on or before {self.visit_date:{day}} "
                f"(what sets this date: {self.reason}).\n"
                + self.warning_words() + "\n" +
                f"It would run empty on about {self.empty_date:{day}}."
                + (f"\n{self.note}" if self.note else ""))


PUMP_KINDS = ("programmable", "valve-gated", "constant-flow", "not-sure")
_PRESET = {"programmable": "programmable-20", "valve-gated": "valve-gated-20"}
KNOWN_KINDS = PUMP_KINDS[:3]
NOT_SURE_NOTE = ("You are not sure which pump you have. So these are the earliest dates of the "
                 "three kinds of pump. That is the safe choice. Ask your team which pump you "
                 "have. A pump with no battery has no alarm at all.")


def _pump_warning(pump: str) -> tuple[float, bool]:
    """(volume in mL the refill is planned against, whether the pump sounds an alarm then)
    for pump ``kind``: the programmable pump's low-reservoir alarm (devices.toml); the valve
    pump's 'date of next refill' volume (3 mL [S43], no alarm sound is named in the
    sources); a constant-flow pump has no alarm (0: it keeps a reserve)."""
    if pump == "constant-flow":
        return 0.0, False
    from .device import pump_preset
    f = pump_preset(_PRESET[pump]).facts["low_reservoir_alarm"]
    return float(f.value), pump != "valve-gated"


def refill_calendar(refilled, volume, rate, *, drug=None, alarm=None, pump=None) -> Calendar:
    """When the pump alarms, when it would run empty and the last weekday to book the next
    refill, from the day it was filled, the volume put in and how fast it runs (mL/day).
    The refill is planned a week before the alarm, never at it [S70, B8, S5] (the week is a
    teaching assumption); ``alarm = "0 mL"``: a pump without an alarm, planned a week before
    it reaches its reserve. Or give the ``pump`` kind (PUMP_KINDS): a programmable pump's alarm
    (2 mL, devices.toml), a valve pump's 3 mL 'date of next refill' level [S43] without an
    alarm sound, a constant-flow pump's reserve; "not-sure" (or nothing) takes the earliest
    refill date of the three kinds (the safest, like the diving and heat advice for "not
    sure"), with a note that says so. The pump's 6-month limit [S10] counts, and with ``drug``
    its stability limit in the pump; ``set_by`` and ``reason`` say which one sets the date."""
    if alarm is not None and pump is not None:
        raise InputError("alarm", alarm, "either the alarm volume or the pump kind, not both")
    if pump is not None and pump not in PUMP_KINDS:
        raise InputError("pump", pump, "one of " + ", ".join(PUMP_KINDS))
    if alarm is None and pump in (None, "not-sure"):
        every = [_calendar(refilled, volume, rate, drug, None, k) for k in KNOWN_KINDS]
        soonest = min(every, key=lambda c: (c.visit_date, c.warning_date))
        return replace(soonest, pump="not-sure", note=NOT_SURE_NOTE)
    return _calendar(refilled, volume, rate, drug, alarm, pump)


def _calendar(refilled, volume, rate, drug, alarm, pump) -> Calendar:
    """The calendar for one known pump kind, or for an alarm volume (``refill_calendar``)."""
    kind = pump
    if alarm is None:
        warn_ml, audible = _pump_warning(kind)
    else:
        warn_ml = parse(alarm, "volume", "alarm", allow_zero=True)
        audible = warn_ml > 0
        kind = pump or ("constant-flow" if warn_ml == 0 else "programmable")
    start = parse_date(refilled, "refilled")
    if start is None:
        raise InputError("refilled", refilled, "the date the pump was filled")
    latest = dt.date.max - dt.timedelta(days=CALENDAR_DAYS)
    if start > latest:
        raise InputError("refilled", refilled, f"a date on or before {latest:%d %B %Y}, so the "
                         "calendar can count 3 years on")
    fill = parse(volume, "volume", "volume")
    flow = parse(rate, "flow", "rate")
    low = warn_ml
    if low >= fill:
        raise InputError("volume", volume, f"more than the alarm volume ({fmt(low, 'volume')})")
    reserve = 0.0 if low > 0 else refill_facts()["constant_flow_reserve"].value
    if reserve >= fill:
        raise InputError("volume", volume, f"more than the reserve ({fmt(reserve, 'volume')})")
    to_warning, to_empty = (fill - max(low, reserve)) / flow, fill / flow
    if not to_empty <= CALENDAR_DAYS:            # every date shown is within the calendar
        raise InputError("rate", rate, "a pump rate that empties the pump within 3 years; "
                         "check the amount put in too")
    margin = plan_margin()[0]
    due = max(to_warning - margin, 0.0)
    if audible:
        set_by, reason = "alarm", "a week before the alarm: the alarm is only a last warning"
    else:
        set_by, reason = "reserve", ("a week before it gets low: " + (
            "it has no alarm, so never let it run dry" if kind == "constant-flow" else
            "never let it run dry"))
    if due == 0:
        set_by, reason = "now", "the pump is nearly low: call your clinic now"
    limit = refill_limit(drugs.get(drug)) if drug is not None else (*pump_limit(), "pump limit")
    if limit[0] < due:
        due = limit[0]
        set_by = limit[2]
        reason = ("how long the medicine keeps in the pump: it is sooner than a week before "
                  "the " + ("alarm" if audible else "low date") if limit[2] == "stability" else
                  "medicine should not stay in the pump more than 6 months: that is sooner "
                  "than a week before the " + ("alarm" if audible else "low date"))
    visit = visit_day(due, start)
    on = lambda days: start + dt.timedelta(days=int(np.floor(days + 1e-9)))  # noqa: E731
    note = ""
    if kind == "valve-gated" and alarm is None:
        note = ("The dates use the level where this pump's 'date of next refill' falls, about "
                "3 mL left [S43]. Your team gives you the real date.")
    return Calendar(start, on(to_warning) if audible else None, on(to_empty), on(visit),
                    reason, margin, None if audible else on(to_warning), kind, set_by, note)


# --- alarms ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Alarm:
    kind: str
    sound: str
    meaning: str
    action: str
    source: str


def alarms() -> dict[str, Alarm]:
    """The pump's two alarm sounds (a programmable pump's), in plain words."""
    raw = data.load("patient")["alarms"]
    return {k: Alarm(k, v["sound"], v["meaning"], v["action"], "[" + ", ".join(v["source"]) + "]")
            for k, v in raw.items()}


def alarm(kind: str) -> Alarm:
    table = alarms()
    if kind not in table:
        raise InputError("alarm", kind, "one of " + ", ".join(table))
    return table[kind]


@lru_cache(maxsize=4)
def tone(kind: str) -> bytes:
    """A WAV file (bytes) approximating the alarm ``kind``: a teaching approximation, not the
    pump's real sound (its pitch and loudness are not in the sources)."""
    raw = data.load("patient")["tones"]
    if kind not in raw:
        raise InputError("alarm", kind, "one of " + ", ".join(raw))
    f = parse_fact(f"patient.toml [tones].{kind}", kind, raw[kind])
    seconds = float(f.extra["seconds"])
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    pitches = np.asarray(f.value, dtype=float)
    which = (np.floor(t / 0.25) % pitches.size).astype(int)            # alternate each 1/4 s
    phase = 2 * np.pi * np.cumsum(pitches[which]) / SAMPLE_RATE
    wave_ = np.sin(phase) * np.minimum(1.0, np.minimum(t, seconds - t) / 0.01)  # no clicks
    pcm = (0.4 * 32767 * wave_).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def tone_note(kind: str) -> str:
    raw = data.load("patient")["tones"]
    return parse_fact(f"patient.toml [tones].{kind}", kind, raw[kind]).note


def all_facts():
    raw = data.load("patient")["tones"]
    for kind, f in raw.items():
        yield "patient pages", parse_fact(f"patient.toml [tones].{kind}", kind, f)


# Warning signs, the emergency card and travel advice: itsim.patient_safety.
__all__ = ["refill_calendar", "Calendar", "alarms", "alarm", "tone", "WEEKDAYS"]
