"""Events: timestamped values on the timeline (refills, program changes, faults, MRI, ...).

An event is data, not a callback: ``Event(day, kind, params)`` with ``params`` already
unit-checked into canonical floats. :func:`event` builds one from what a person writes:

>>> from itsim.events import event
>>> event("day 40", "catheter-occlusion")
Event(day=40.0, kind='catheter-occlusion', params={})
>>> event("day 30", "refill", volume="20 mL", concentration="500 mcg/mL").params["volume"]
20.0
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .errors import InputError
from .units import parse

# kind -> {parameter: (unit kind | python type, required, default)}
# unit kinds are parsed with itsim.units; "fraction" is a number in (0, 1]; "text" a string.
EVENT_SPECS: dict[str, dict[str, tuple]] = {
    "refill": {"volume": ("volume", True, None), "concentration": ("concentration", False, None),
               "drug": ("text", False, None),
               "programmed_concentration": ("concentration", False, None),
               # what the nurse enters as the new reservoir volume (the pump's estimate, which
               # its low-reservoir alarm follows) and what was withdrawn before filling
               "entered_volume": ("volume", False, None),
               "aspirated": ("volume", False, None)},
    # drug injected into the pump pocket (under the skin) instead of the reservoir
    "pocket-fill": {"volume": ("volume", True, None),
                    "concentration": ("concentration", False, None),
                    "drug": ("text", False, None)},
    "empty": {},                                # reservoir aspirated, nothing put back
    "program": {"mode": ("program", True, None), "dose": ("program", False, None),
                "rate": ("program", False, None), "steps": ("program", False, None),
                "bolus_dose": ("program", False, None),
                "bolus_duration": ("program", False, None),
                "bolus_every": ("program", False, None),
                "patient_bolus": ("program", False, None)},
    "bolus": {"dose": ("mass", True, None), "duration": ("time", False, 1 / 24)},
    "priming-bolus": {"duration": ("time", False, None)},
    "bridge-bolus": {"old_concentration": ("concentration", True, None)},
    "patient-bolus": {},                        # one press of the patient's bolus button
    "cap-injection": {"volume": ("volume", True, None),
                      "concentration": ("concentration", False, 0.0),
                      "drug": ("text", False, None)},
    "mri": {"duration": ("time", False, 1 / 24), "recovery_delay": ("time", False, 0.0),
            "emptied": ("bool", False, False)},
    "fav-reset": {},
    "eri": {},                                  # battery: elective replacement indicator
    "catheter-kink": {"fraction": ("fraction", False, 0.5)},
    "catheter-occlusion": {},
    "catheter-disconnection": {},
    "catheter-fracture": {"position": ("fraction", False, 0.5)},
    "catheter-migration": {},
    "catheter-leak": {"fraction": ("fraction", False, 0.5)},
    # an inflammatory mass (granuloma) at the catheter tip: it grows to full size with the
    # half-time ``growth``; the share of drug it traps grows with it (default: data/hazards.toml)
    "inflammatory-mass": {"growth": ("time", False, None)},
    # complications with no device physics: a log entry with their signs; an infected pump
    # may be explanted (delivery stops ``explant`` after the infection starts)
    "infection": {"depth": ("text", False, "deep"), "explant": ("time", False, None)},
    "csf-leak": {},
    "temperature": {"value": ("temperature", True, None), "duration": ("time", True, None)},
    "altitude": {"value": ("length_m", True, None), "duration": ("time", True, None)},
    "dive": {"depth": ("length_m", True, None), "duration": ("time", True, None)},
    # emergency care (itsim.emergency; time courses in data/emergency.toml): drugs given to
    # the patient, not through the pump. Naloxone IV blocks opioid effects for a while;
    # a benzodiazepine eases withdrawal signs (not the cause) and adds sedation. A naloxone
    # ``duration`` spreads the dose evenly over that time (an IV infusion).
    "naloxone": {"dose": ("mass", True, None), "duration": ("time", False, None)},
    "benzodiazepine": {"dose": ("mass", True, None)},
    # CSF drained through the catheter access port or by lumbar puncture: the drug in it is
    # removed (counted as removed in the mass balance)
    "csf-drainage": {"volume": ("volume", True, None), "route": ("text", False, "lumbar-puncture")},
    # a bolus of the pump's drug (or ``drug``) injected by lumbar puncture, not through the pump
    "it-bolus": {"dose": ("mass", True, None), "drug": ("text", False, None)},
    # the pump's drug (or ``drug``) given into the CSF at ``dose_rate`` for ``duration`` by a
    # physician (by lumbar puncture, not through the pump): restores intrathecal delivery
    # while the pump or catheter cannot (e.g. until a disconnected catheter is repaired)
    # ``site``: "lumbar-puncture" or "tip" (the catheter tip: delivery through a repaired
    # catheter)
    "it-infusion": {"dose_rate": ("dose_rate", True, None), "duration": ("time", True, None),
                    "drug": ("text", False, None), "site": ("text", False, "lumbar-puncture")},
    "call-help": {},                            # a log entry: the time help was called
}
ROUTES = ("lumbar-puncture", "access-port")
SITES = ("lumbar-puncture", "tip")
KINDS = tuple(EVENT_SPECS)
_DAY = re.compile(r"^\s*day\s+(?P<n>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\s*$",
                  re.I)


@dataclass(frozen=True)
class Event:
    """One event: ``day`` (float, days from the start), ``kind`` and canonical params."""

    day: float
    kind: str
    params: dict = field(default_factory=dict)

    def get(self, key, default=None):
        return self.params.get(key, default)


def parse_day(at, parameter: str = "at") -> float:
    """``"day 40"``, ``"day 2.5"``, a duration such as ``"36 h"``, or a number of days."""
    if isinstance(at, (int, float)) and not isinstance(at, bool):
        from .units import check_number
        return check_number(float(at), parameter, at, "days", allow_zero=True)
    if isinstance(at, str):
        m = _DAY.match(at) if len(at) <= 40 else None
        if m:
            day = float(m.group("n"))
            if not math.isfinite(day):
                raise InputError(parameter, at, "expected a finite day, such as 'day 40'")
            return day
    try:
        return parse(at, "time", parameter, allow_zero=True)
    except InputError:
        raise InputError(parameter, at, "expected a time such as 'day 40', 'day 2.5' or "
                         "'36 h'") from None


def _param(kind: str, name: str, spec, value):
    where = f"{kind}.{name}"
    unit = spec[0]
    if unit == "text":
        if not isinstance(value, str) or not value.strip():
            raise InputError(where, value, "expected text")
        if kind == "csf-drainage" and value.strip() not in ROUTES:
            raise InputError(where, value, "expected one of " + ", ".join(ROUTES))
        if kind == "it-infusion" and name == "site" and value.strip() not in SITES:
            raise InputError(where, value, "expected one of " + ", ".join(SITES))
        return value.strip()
    if unit == "bool":
        if not isinstance(value, bool):
            raise InputError(where, value, "expected true or false")
        return value
    if unit == "fraction":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise InputError(where, value, "expected a fraction above 0 and at most 1, e.g. 0.5")
        return float(value)
    if unit == "temperature":
        return _temperature(value, where)
    if unit == "length_m":
        metres = parse(value, "length", where, allow_zero=True) / 100.0     # cm -> m
        top = 9000.0 if name == "value" else 60.0
        if metres > top:
            raise InputError(where, value, f"expected 0 to {top:g} m")
        return metres
    allow_zero = name in ("concentration", "recovery_delay", "entered_volume", "aspirated")
    return parse(value, unit, where, allow_zero=allow_zero)


def _temperature(value, where) -> float:
    """Body temperature in °C from '38.5 degC' (or a pint quantity)."""
    from .units import normalise, read_number, registry, split
    ureg = registry()
    bad = InputError(where, value, "expected a temperature such as '38.5 degC'")
    try:
        if isinstance(value, str):
            parts = split(normalise(value))          # one number and a unit, never arithmetic
            number = None if parts is None or not parts[1] else read_number(parts[0])
            if number is None:
                raise bad
            q = ureg.Quantity(number, ureg.parse_units(parts[1]))
        else:
            q = value
        c = float(q.to("degC").magnitude)
    except InputError:
        raise
    except Exception:
        raise bad from None
    if not 30 <= c <= 45:
        raise InputError(where, value, "expected a body temperature from 30 to 45 degC")
    return c


def event(at, kind: str, **params) -> Event:
    """Build and check an event; unknown kinds or parameters are refused."""
    if not isinstance(kind, str) or kind not in EVENT_SPECS:
        raise InputError("kind", kind, "expected one of " + ", ".join(KINDS))
    spec = EVENT_SPECS[kind]
    unknown = sorted(set(params) - set(spec))
    if unknown:
        allowed = ", ".join(spec) or "no parameters"
        raise InputError(f"{kind}.{unknown[0]}", params[unknown[0]], f"not a parameter of a "
                         f"{kind} event (allowed: {allowed})")
    if kind == "program":                 # checked as a whole by the program module
        from .device.program import program
        return Event(parse_day(at), kind, {"program": program(**params)})
    out = {}
    for name, (unit, required, default) in spec.items():
        if name in params and params[name] is not None:
            out[name] = _param(kind, name, spec[name], params[name])
        elif required:
            raise InputError(f"{kind}.{name}", None, "this event needs it")
        elif default is not None:
            out[name] = default
    return Event(parse_day(at), kind, out)
