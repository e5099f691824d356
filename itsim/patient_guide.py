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
from dataclasses import dataclass
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

    @property
    def warning_date(self) -> dt.date:
        """The alarm date, or for a pump without an alarm the day it reaches its reserve."""
        return self.alarm_date if self.alarm_date is not None else self.reserve_date

    @property
    def days_before_alarm(self) -> int:
        """Whole days between the refill date and the alarm (or the reserve)."""
        return (self.warning_date - self.visit_date).days

    def summary(self) -> str:
        day = "%A %d %B %Y"
        warn = (f"The low-medicine alarm would sound on about {self.alarm_date:{day}}. Do "
                "not wait for it: plan to come about a week before.\n"
                if self.alarm_date is not None else
                f"Your pump has no alarm. It gets low on about {self.reserve_date:{day}}. "
                "Plan to come about a week before that.\n")
        return (f"Your pump was filled on {self.refilled:{day}}.\n"
                f"Your next refill should be on or before {self.visit_date:{day}} "
                f"({self.reason}).\n"
                + warn +
                f"It would run empty on about {self.empty_date:{day}}.")


def refill_calendar(refilled, volume, rate, *, drug=None, alarm="2 mL") -> Calendar:
    """When the pump alarms, when it would run empty and the last weekday to book the next
    refill, from the day it was filled, the volume put in and how fast it runs (mL/day).
    The refill is planned a week before the alarm, never at it [S70, B8, S5] (the week is a
    teaching assumption); ``alarm = "0 mL"``: a pump without an alarm, planned a week before
    it reaches its reserve. The pump's 6-month limit [S10] counts, and with ``drug`` its
    stability limit in the pump."""
    start = parse_date(refilled, "refilled")
    if start is None:
        raise InputError("refilled", refilled, "the date the pump was filled")
    latest = dt.date.max - dt.timedelta(days=CALENDAR_DAYS)
    if start > latest:
        raise InputError("refilled", refilled, f"a date on or before {latest:%d %B %Y}, so the "
                         "calendar can count 3 years on")
    fill = parse(volume, "volume", "volume")
    flow = parse(rate, "flow", "rate")
    low = parse(alarm, "volume", "alarm", allow_zero=True)
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
    reason = ("a week before the alarm: the alarm is only a last warning" if low > 0 else
              "a week before it gets low: it has no alarm, so never let it run dry")
    if due == 0:
        reason = "the pump is nearly low: call your clinic now"
    limit = refill_limit(drugs.get(drug)) if drug is not None else (*pump_limit(), "pump limit")
    if limit[0] < due:
        due = limit[0]
        reason = ("the medicine only keeps this long in the pump" if limit[2] == "stability"
                  else "medicine should not stay in the pump more than 6 months")
    visit = visit_day(due, start)
    on = lambda days: start + dt.timedelta(days=int(np.floor(days + 1e-9)))  # noqa: E731
    return Calendar(start, on(to_warning) if low > 0 else None, on(to_empty), on(visit),
                    reason, margin, None if low > 0 else on(to_warning))


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
