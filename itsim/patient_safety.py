"""The patients' page (lesson 09): what each warning sign can mean and how urgent it is, the
emergency signs (go now, show the pump card), and travel, diving and heat advice per pump
kind, in plain words. Words and their sources: ``data/patient.toml``.

A sign can belong to more than one group: a fever can be an infection or, with baclofen,
withdrawal [B7, B14]. Every group it belongs to is a right answer, and the answer names the
others, so both lead to the right action.

>>> from itsim import patient_safety as ps
>>> ps.sort_sign("fever", "too-little").right
True
>>> ps.signs()["slow or shallow breathing"].tier
'emergency'
"""
from __future__ import annotations

from dataclasses import dataclass

from . import data
from .errors import InputError
from .facts import Fact, parse_fact

GROUPS = {"too-much": "too much medicine", "too-little": "too little medicine",
          "wound": "the wound or an infection"}
TIERS = ("call", "emergency")
TOPICS = ("flying", "diving", "heat")
FLIGHT_TEMPERATURE_C = 37.0          # no fever: the flight's effect alone


def _raw() -> dict:
    return data.load("patient")


def _tags(where: str, tags) -> tuple[str, ...]:
    known = data.sources()
    tags = tuple(tags)
    for tag in tags:
        if tag not in known:
            raise InputError(f"{where}.source", tag, "expected a tag listed in sources.toml")
    return tags


# --- warning signs ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Sign:
    name: str
    groups: tuple[str, ...]          # the first is the sign's main group
    tier: str                        # "call" or "emergency"
    source: tuple[str, ...]
    note: str = ""                   # said with the answer (e.g. when it becomes an emergency)
    note_source: tuple[str, ...] = ()

    @property
    def emergency(self) -> bool:
        return self.tier == "emergency"


def signs() -> dict[str, Sign]:
    """Warning sign -> :class:`Sign` (every group it can belong to, its tier, its sources)."""
    out = {}
    for name, v in _raw()["signs"].items():
        where = f"patient.toml [signs].{name}"
        groups = (v.get("group"), *v.get("also", ()))
        for g in groups:
            if g not in GROUPS:
                raise InputError(f"{where}.group", g, "one of " + ", ".join(GROUPS))
        if len(set(groups)) != len(groups):
            raise InputError(f"{where}.also", v.get("also"), "groups other than its group")
        if v.get("tier") not in TIERS:
            raise InputError(f"{where}.tier", v.get("tier"), "one of " + ", ".join(TIERS))
        source = _tags(where, v.get("source", ()))
        if not source:
            raise InputError(f"{where}.source", source, "at least one source tag")
        note = v.get("note", "")
        note_source = _tags(f"{where}.note", v.get("note_source", ()))
        if note and not note_source:
            raise InputError(f"{where}.note_source", note_source, "the note's source tags")
        out[name] = Sign(name, groups, v["tier"], source, note, note_source)
    return out


def tier(kind: str) -> Fact:
    """What to do for a tier ("call" or "emergency"), as a fact (sources, and the course's
    labelled teaching rule)."""
    raw = _raw()["tiers"]
    if kind not in raw:
        raise InputError("tier", kind, "one of " + ", ".join(raw))
    return parse_fact(f"patient.toml [tiers].{kind}", kind, raw[kind])


def _names(groups) -> str:
    return ", or of ".join(GROUPS[g] for g in groups)


@dataclass(frozen=True)
class Answer:
    right: bool
    text: str                         # what the page says
    tier: str                         # "call" or "emergency"
    action: str                       # what to do, in plain words


def sort_sign(sign: str, group: str) -> Answer:
    """Is ``sign`` a sign of ``group``? Any of the sign's groups is right; the answer names
    the others and says what to do (its tier)."""
    table = signs()
    if sign not in table:
        raise InputError("sign", sign, "one of the signs on the page")
    if group not in GROUPS:
        raise InputError("group", group, "one of " + ", ".join(GROUPS))
    s = table[sign]
    others = [g for g in s.groups if g != group]
    if group in s.groups:
        text = f"Yes: {sign} can be a sign of {GROUPS[group]}."
        if others:
            text += f" It can also be a sign of {_names(others)}. Both answers are right."
    else:
        text = f"Not quite: {sign} can be a sign of {_names(s.groups)}."
    if s.note:
        text += " " + s.note
    action = tier(s.tier).text
    return Answer(group in s.groups, text, s.tier, action)


# --- the emergency card -----------------------------------------------------------------------

@dataclass(frozen=True)
class Emergency:
    key: str
    sign: str
    means: Fact


def emergencies() -> list[Emergency]:
    """The signs that mean: go to the emergency department now, show your pump card."""
    out = []
    for key, v in _raw()["emergency"].items():
        where = f"patient.toml [emergency].{key}"
        if not isinstance(v.get("sign"), str) or not v["sign"]:
            raise InputError(f"{where}.sign", v.get("sign"), "the sign in plain words")
        means = parse_fact(f"{where}.means", key, v.get("means"))
        if not means.source:
            raise InputError(f"{where}.means.source", (), "the sources of what it means")
        out.append(Emergency(key, v["sign"], means))
    return out


# --- other advice -----------------------------------------------------------------------------

def advice(topic: str) -> Fact:
    """Advice on the page: "pills" (baclofen pills are not enough), "ziconotide" (its warning
    signs), "alcohol" (with an opioid pump)."""
    raw = _raw()["advice"]
    if topic not in raw:
        raise InputError("topic", topic, "one of " + ", ".join(raw))
    return parse_fact(f"patient.toml [advice].{topic}", topic, raw[topic])


# --- travel, diving and heat, per pump kind -----------------------------------------------------

def pump_kinds() -> dict[str, str]:
    """Pump kind -> how a patient would know it, in plain words."""
    return dict(_raw()["pump_kinds"])


def cabin_altitude() -> Fact:
    """The cabin altitude of an airliner (a labelled teaching assumption), in cm."""
    raw = _raw()["flight"]["cabin_altitude"]
    return parse_fact("patient.toml [flight].cabin_altitude", "cabin_altitude", raw, "length")


def cabin_flow_change() -> float:
    """How much faster (a fraction: 0.13 = 13 % faster) lesson 02's constant-flow pump model
    runs at the cabin altitude, at normal body temperature. Both the model's constants and the
    cabin altitude are labelled teaching assumptions."""
    from .device.pump import ambient_pressure, constant_flow_factor, make_pump
    pump = make_pump("constant-flow-30")
    metres = cabin_altitude().value / 100.0           # cm -> m
    return float(constant_flow_factor(pump, FLIGHT_TEMPERATURE_C,
                                      ambient_pressure(altitude_m=metres))) - 1.0


@dataclass(frozen=True)
class Travel:
    kind: str
    flying: Fact
    diving: Fact
    heat: Fact
    cabin_change: float | None = None    # constant-flow only: lesson 02's model in a plane

    def flying_text(self) -> str:
        """The flying advice, with the model's number for a constant-flow pump."""
        if self.cabin_change is None:
            return self.flying.text
        return (f"{self.flying.text} In this course's model it runs about "
                f"{self.cabin_change * 100:.0f} % faster in the plane (a best guess: the "
                "real figure was not found).")


def travel(kind: str) -> Travel:
    """Flying, diving and heat advice for pump ``kind`` (see :func:`pump_kinds`)."""
    raw = _raw()["travel"]
    if kind not in raw:
        raise InputError("pump kind", kind, "one of " + ", ".join(raw))
    facts = {}
    for topic in TOPICS:
        if topic not in raw[kind]:
            raise InputError(f"patient.toml [travel.{kind}]", topic, "flying, diving and heat")
        facts[topic] = parse_fact(f"patient.toml [travel.{kind}].{topic}", topic,
                                  raw[kind][topic])
    change = cabin_flow_change() if kind == "constant-flow" else None
    return Travel(kind, **facts, cabin_change=change)


def all_facts():
    """Every fact of the patients' safety advice: (owner, Fact)."""
    for k in TIERS:
        yield "patient tiers", tier(k)
    for e in emergencies():
        yield "patient emergency", e.means
    for topic in _raw()["advice"]:
        yield "patient advice", advice(topic)
    yield "patient flight", cabin_altitude()
    for kind in _raw()["travel"]:
        t = travel(kind)
        yield from (("patient travel", f) for f in (t.flying, t.diving, t.heat))


__all__ = ["GROUPS", "TIERS", "Sign", "signs", "tier", "Answer", "sort_sign", "Emergency",
           "emergencies", "advice", "pump_kinds", "cabin_altitude", "cabin_flow_change",
           "Travel", "travel", "all_facts"]
