"""Scenario files: an instructor's case as TOML, checked on load, then simulated.

Only data is read (no code runs). Unknown keys are refused and every bad value is reported
with its key, the value and what is allowed. The format (see docs/design.md):

    title = "Baclofen, first months"       days = 90          step = "1 min" (optional)
    [patient]   condition = "spasticity"    weight = "70 kg"
                preset = "spinal-spasticity"  (what the patient feels; baseline, seed, exposure,
                sensitivity, tolerance optional)
    [pump]      kind = "programmable"       reservoir = "20 mL"   low_reservoir_alarm = "2 mL"
                (preset, accuracy, flow, flow_activated_valve)
    [catheter]  tip = "T10"   length = "60 cm"   (primed, volume_per_cm, tubing_volume)
    [drug]      name = "baclofen"   concentration = "500 mcg/mL"   fill = "20 mL"
    [program]   mode = "continuous"   dose = "300 mcg/day"   (steps, bolus_*, [patient_bolus])
    [patient_presses]  per_day = 3.6   seed = 1      (or days = [1.2, 3.4])
    [csf]       target = "T4"     (follow the drug in the CSF: tip, target level, brainstem)
    [[events]]  at = "day 40"   kind = "catheter-occlusion"   (and the kind's parameters)
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from .device import pump_presets
from .errors import InputError
from .events import EVENT_SPECS, event
from .units import parse

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TOP = {"title", "description", "days", "step", "patient", "pump", "catheter", "drug", "program",
       "patient_presses", "events", "csf"}
SECTIONS = {
    "patient": {"condition", "weight", "preset", "baseline", "seed", "exposure", "sensitivity",
                "tolerance"},
    "pump": {"kind", "preset", "reservoir", "low_reservoir_alarm", "accuracy", "flow",
             "flow_activated_valve"},
    "catheter": {"tip", "length", "primed", "volume_per_cm", "tubing_volume"},
    "drug": {"name", "concentration", "fill"},
    "program": {"mode", "dose", "rate", "steps", "bolus_dose", "bolus_duration", "bolus_every",
                "patient_bolus"},
    "patient_presses": {"per_day", "seed", "days"},
    "csf": {"target"},
}
REQUIRED = {"drug": {"name", "concentration", "fill"}, "pump": {"kind"}}
CONDITIONS = ("pain", "spasticity")


@dataclass(frozen=True)
class Scenario:
    """A checked case: ``kwargs`` are the arguments of :func:`itsim.simulate`."""

    title: str
    description: str
    patient: dict
    kwargs: dict

    def run(self):
        from .simulation import simulate
        return simulate(**self.kwargs)


MAX_BYTES = 1_000_000          # a case file is a page of text; refuse anything far larger
MAX_DEPTH = 8                  # tables and arrays nested deeper than any scenario needs


def read(path) -> str:
    """The text of a scenario file: UTF-8 (a byte-order mark is fine); anything else is
    refused with one plain message."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError("scenario", str(path), "no such file") from None
    except IsADirectoryError:
        raise InputError("scenario", str(path), "a folder, not a scenario file") from None
    except OSError as e:
        raise InputError("scenario", str(path), f"cannot be read ({e.strerror})") from None
    if len(data) > MAX_BYTES:
        raise InputError("scenario", str(path), f"a text file of at most {MAX_BYTES:,} bytes")
    if b"\0" in data:
        raise InputError("scenario", str(path), "a text file (TOML); this one holds binary data "
                         "(saved as UTF-16, or not a text file at all)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError("scenario", str(path), f"text in UTF-8 (byte {e.start} is not): save "
                         "the file as UTF-8") from None


def load(path) -> Scenario:
    """Read and check a scenario file."""
    path = Path(path)
    return loads(read(path), name=path.name)


def parse_toml(text: str, name: str = "scenario") -> dict:
    """TOML text as data, refusing what no scenario needs: a file that is not TOML, nested
    deeper than MAX_DEPTH, or larger than MAX_BYTES."""
    if not isinstance(text, str):
        raise InputError(name, type(text).__name__, "TOML text")
    if len(text) > MAX_BYTES:
        raise InputError(name, f"{len(text):,} characters", f"at most {MAX_BYTES:,}")
    try:
        raw = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as e:
        raise InputError(name, "TOML", f"not valid TOML: {e}") from None
    except RecursionError:
        raise InputError(name, "TOML", f"nested deeper than a scenario can be "
                         f"({MAX_DEPTH} levels)") from None
    _depth(raw, name)
    return raw


def _depth(raw, name: str):
    """Refuse tables or arrays nested deeper than MAX_DEPTH (without recursing)."""
    todo = [(raw, 0)]
    while todo:
        value, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise InputError(name, "TOML", f"tables or arrays nested more than {MAX_DEPTH} "
                             "levels deep; no scenario needs that")
        children = value.values() if isinstance(value, dict) else (
            value if isinstance(value, list) else ())
        todo.extend((v, depth + 1) for v in children if isinstance(v, (dict, list)))


def loads(text: str, name: str = "scenario") -> Scenario:
    """Check a scenario given as TOML text."""
    return from_dict(parse_toml(text, name))


def from_dict(raw: dict) -> Scenario:
    _keys("", raw, TOP)
    for section, allowed in SECTIONS.items():
        if section in raw:
            if not isinstance(raw[section], dict):
                raise InputError(section, raw[section], "expected a table [" + section + "]")
            _keys(section + ".", raw[section], allowed)
    for section, needed in REQUIRED.items():
        if section not in raw:
            raise InputError(section, None, f"the scenario needs a [{section}] table")
        for key in sorted(needed - set(raw[section])):
            raise InputError(f"{section}.{key}", None, "needed")
    title = raw.get("title", "Untitled case")
    if not isinstance(title, str):
        raise InputError("title", title, "expected text")
    days = raw.get("days", 180)
    if isinstance(days, bool) or not isinstance(days, (int, float)) or not 0 < days <= 3650:
        raise InputError("days", days, "expected a number of days, more than 0 and at most 3650")
    drug = raw["drug"]
    kwargs = dict(drug=_text(drug, "name", "drug"),
                  concentration=drug["concentration"], fill=drug["fill"], days=days,
                  pump=_pump(raw["pump"]), catheter=dict(raw.get("catheter", {})) or None,
                  events=[_event(i, e) for i, e in enumerate(_list(raw, "events"))])
    if "step" in raw:
        kwargs["step"] = raw["step"]
    if "program" in raw:
        kwargs["program"] = dict(raw["program"])
    if "csf" in raw and "target" in raw["csf"]:
        kwargs["csf_target"] = raw["csf"]["target"]
    if "patient_presses" in raw:
        kwargs["patient_presses"] = _presses(raw["patient_presses"])
    patient = _patient(raw.get("patient", {}))
    if "response" in patient:
        kwargs["patient"] = patient["response"]
    scenario = Scenario(title, str(raw.get("description", "")), patient, kwargs)
    _dry_run_checks(scenario)
    return scenario


def _keys(prefix: str, table: dict, allowed: set):
    for key in table:
        if key not in allowed:
            raise InputError(prefix + key, table[key], "unknown key; allowed: "
                             + ", ".join(sorted(allowed)))


def _text(table, key, section):
    value = table[key]
    if not isinstance(value, str):
        raise InputError(f"{section}.{key}", value, "expected text")
    return value


def _list(raw, key):
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InputError(key, value, "expected [[events]] tables")
    return value


def _pump(table: dict) -> dict:
    kinds = sorted({p.kind for p in pump_presets().values()})
    kind = table["kind"]
    if kind not in kinds:
        raise InputError("pump.kind", kind, "expected one of " + ", ".join(kinds))
    out = {k: v for k, v in table.items() if k not in ("kind", "reservoir", "preset")}
    candidates = [p for p in pump_presets().values() if p.kind == kind]
    if "preset" in table:
        match = [p for p in candidates if p.name == table["preset"]]
        if not match:
            raise InputError("pump.preset", table["preset"], f"expected a {kind} preset: "
                             + ", ".join(p.name for p in candidates))
        preset = match[0]
    elif "reservoir" in table:
        volume = parse(table["reservoir"], "volume", "pump.reservoir")
        match = [p for p in candidates if abs(p.reservoir - volume) < 1e-9]
        if not match:
            sizes = ", ".join(p.facts["reservoir"].text for p in candidates)
            raise InputError("pump.reservoir", table["reservoir"],
                             f"a {kind} pump comes in: {sizes}")
        preset = match[0]
    else:
        preset = candidates[0]
    if "preset" in table and "reservoir" in table and abs(
            parse(table["reservoir"], "volume", "pump.reservoir") - preset.reservoir) > 1e-9:
        raise InputError("pump.reservoir", table["reservoir"],
                         f"the {preset.name} preset holds {preset.facts['reservoir'].text}")
    return {"preset": preset.name, **out}


def _event(i: int, table: dict) -> dict:
    if "at" not in table or "kind" not in table:
        raise InputError(f"events[{i}]", table, "each event needs 'at' and 'kind'")
    kind = table["kind"]
    if kind not in EVENT_SPECS:
        raise InputError(f"events[{i}].kind", kind, "expected one of " + ", ".join(EVENT_SPECS))
    params = {k: v for k, v in table.items() if k not in ("at", "kind")}
    try:
        return event(table["at"], kind, **params)
    except InputError as e:
        raise InputError(f"events[{i}].{e.parameter}", e.value, e.allowed) from None


def _presses(table: dict):
    if "days" in table:
        days = table["days"]
        if not isinstance(days, list) or not all(isinstance(d, (int, float)) and d >= 0
                                                 for d in days):
            raise InputError("patient_presses.days", days, "expected a list of days")
        return days
    per_day, seed = table.get("per_day"), table.get("seed", 0)
    if isinstance(per_day, bool) or not isinstance(per_day, (int, float)) or not 0 < per_day <= 48:
        raise InputError("patient_presses.per_day", per_day, "expected presses a day, 0 to 48")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("patient_presses.seed", seed, "expected a whole number (for repeatable "
                         "presses)")
    return {"per_day": per_day, "seed": seed}


def _patient(table: dict) -> dict:
    out = {}
    if "condition" in table:
        if table["condition"] not in CONDITIONS:
            raise InputError("patient.condition", table["condition"],
                             "expected one of " + ", ".join(CONDITIONS))
        out["condition"] = table["condition"]
    if "weight" in table:
        if not isinstance(table["weight"], str):
            raise InputError("patient.weight", table["weight"], "expected a body weight with a "
                             "unit, such as '70 kg'")
        kg = parse(table["weight"], "mass", "patient.weight") / 1e9
        if not 2 <= kg <= 300:
            raise InputError("patient.weight", table["weight"], "expected 2 to 300 kg")
        out["weight_kg"] = kg
    if "preset" in table:
        from .body.response import patient
        spec = {k: table[k] for k in ("preset", "baseline", "seed", "exposure", "sensitivity",
                                      "tolerance") if k in table}
        person = patient(spec)                  # checks every value, names the key
        condition = "pain" if person.scale == "NRS" else "spasticity"
        if out.get("condition", condition) != condition:
            raise InputError("patient.preset", table["preset"], f"a preset for "
                             f"{out['condition']} (this one is for {condition})")
        out["response"] = spec
    elif set(table) & {"baseline", "seed", "exposure", "sensitivity", "tolerance"}:
        key = sorted(set(table) & {"baseline", "seed", "exposure", "sensitivity",
                                   "tolerance"})[0]
        raise InputError(f"patient.{key}", table[key], "only with a preset, e.g. "
                         "preset = 'spinal-spasticity'")
    return out


def _dry_run_checks(s: Scenario):
    """Check what simulate checks, without simulating: pump, catheter, program, drug."""
    from . import drugs
    from .simulation import _catheter, _program, _pump
    d = drugs.get(s.kwargs["drug"])
    pump = _pump(s.kwargs["pump"])
    _catheter(s.kwargs["catheter"])
    _program(s.kwargs.get("program"), pump)
    if "csf_target" in s.kwargs:
        from .body import csf
        csf.index(str(s.kwargs["csf_target"]))
        csf.model_for(d.name)
    if "patient" in s.kwargs:
        from .body.response import pharmacology
        try:
            pharmacology(d.name, s.kwargs["patient"]["preset"])
        except InputError as e:
            raise InputError("patient.preset", s.kwargs["patient"]["preset"], e.allowed) from None
    parse(s.kwargs["concentration"], "concentration", "drug.concentration")
    parse(s.kwargs["fill"], "volume", "drug.fill", allow_zero=True)
    condition = s.patient.get("condition")
    if condition and condition != d.indication:
        raise InputError("patient.condition", condition, f"{d.name} is for {d.indication}")
