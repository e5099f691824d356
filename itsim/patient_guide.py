"""The patients' pages (lesson 09): a refill calendar, what the alarms mean, and the warning
signs, in plain words. Numbers and words with their sources: ``data/patient.toml``.

>>> from itsim import patient_guide as g
>>> c = g.refill_calendar("2026-12-03", "20 mL", "0.5 mL/day", drug="baclofen")
>>> c.alarm_date.isoformat(), c.visit_date.isoformat()
('2027-01-08', '2027-01-08')
"""
from __future__ import annotations

import datetime as dt
import io
import wave
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import data, drugs
from .dosing import stability_limit
from .errors import InputError
from .facts import parse_fact
from .refill import WEEKDAYS, parse_date, visit_day
from .units import fmt, parse

CALENDAR_DAYS = 3 * 365     # the calendar counts this far on from the fill
GROUPS = {"too-much": "too much medicine", "too-little": "too little medicine",
          "wound": "the wound or an infection"}
SAMPLE_RATE = 22050


# --- my refill calendar ---------------------------------------------------------------------

@dataclass(frozen=True)
class Calendar:
    refilled: dt.date
    alarm_date: dt.date
    empty_date: dt.date
    visit_date: dt.date
    reason: str

    def summary(self) -> str:
        day = "%A %d %B %Y"
        return (f"Your pump was filled on {self.refilled:{day}}.\n"
                f"Its low-medicine alarm will sound on about {self.alarm_date:{day}}.\n"
                f"It would run empty on about {self.empty_date:{day}}.\n"
                f"Your next refill should be on or before {self.visit_date:{day}} "
                f"({self.reason}).")


def refill_calendar(refilled, volume, rate, *, drug=None, alarm="2 mL") -> Calendar:
    """When the pump alarms, when it would run empty and the last weekday to book the next
    refill, from the day it was filled, the volume put in and how fast it runs (mL/day).
    ``drug``: if given, its stability limit in the pump counts too."""
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
    to_alarm, to_empty = (fill - low) / flow, fill / flow
    if not to_empty <= CALENDAR_DAYS:            # every date shown is within the calendar
        raise InputError("rate", rate, "a pump rate that empties the pump within 3 years; "
                         "check the amount put in too")
    due, reason = to_alarm, "before the alarm"
    if drug is not None:
        limit = stability_limit(drugs.get(drug))
        if limit is not None and limit[0] < due:
            due, reason = limit[0], "the medicine only keeps this long in the pump"
    visit = visit_day(due, start)
    on = lambda days: start + dt.timedelta(days=int(np.floor(days + 1e-9)))  # noqa: E731
    return Calendar(start, on(to_alarm), on(to_empty), on(visit), reason)


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


# --- warning signs --------------------------------------------------------------------------

def signs() -> dict[str, str]:
    """Warning sign -> its group (too-much, too-little, wound)."""
    out = {}
    for sign, v in data.load("patient")["signs"].items():
        if v["group"] not in GROUPS:
            raise InputError(f"patient.toml [signs].{sign}", v["group"], "one of "
                             + ", ".join(GROUPS))
        out[sign] = v["group"]
    return out


def sort_sign(sign: str, group: str) -> tuple[bool, str]:
    """Is ``sign`` a sign of ``group``? Returns (right, what to say)."""
    table = signs()
    if sign not in table:
        raise InputError("sign", sign, "one of the signs on the page")
    if group not in GROUPS:
        raise InputError("group", group, "one of " + ", ".join(GROUPS))
    right = table[sign] == group
    where = GROUPS[table[sign]]
    what = (f"Yes: {sign} can be a sign of {where}." if right else
            f"Not quite: {sign} is a sign of {where}.")
    return right, what + " Call your care team. If breathing is slow or you cannot wake the " \
        "person, call an ambulance."


def all_facts():
    raw = data.load("patient")["tones"]
    for kind, f in raw.items():
        yield "patient pages", parse_fact(f"patient.toml [tones].{kind}", kind, f)


__all__ = ["refill_calendar", "Calendar", "alarms", "alarm", "tone", "signs", "sort_sign",
           "GROUPS", "WEEKDAYS"]
