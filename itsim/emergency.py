"""The emergency room: a patient with a pump arrives with signs; the learner acts over time.

A case is a scenario file (the format ``itsim run`` reads) with one more table,
``[emergency]``: when the patient arrives, what they say, which actions are right, required or
unsafe, and how long the outcome is followed. The scenario is simulated on its own timeline;
every action the learner takes is an event in that simulation at the minute it was taken
(``naloxone``, ``benzodiazepine``, ``csf-drainage``, ``it-bolus``, ``call-help``, the pump's
``program`` stopped, ``empty``, and the case's own way to restore delivery), so the patient
responds: naloxone wears off before intrathecal morphine does, drainage takes drug out of the
CSF, a benzodiazepine eases the signs of withdrawal but not the cause.

>>> from itsim import emergency
>>> s = emergency.Session("morphine_cap_injection")
>>> v = s.vitals()                      # what the monitor shows now
>>> s.act("naloxone")                   # 0.4 mg IV now
>>> s.wait("3 min")

Vital signs come from the model's indices by the mapping in ``data/emergency.toml``
(sourced anchors or labelled teaching assumptions); so do the harm rules and the score.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import data
from .errors import InputError
from .facts import parse_fact

KINDS = ("opioid-overdose", "baclofen-withdrawal", "baclofen-overdose", "ziconotide-psychiatric")
# what the learner can do: action -> (label, physician only)
ACTIONS = {
    "naloxone": ("Naloxone {naloxone_low} IV", False),
    "naloxone-2mg": ("Naloxone {naloxone_high} IV", False),
    "benzodiazepine": ("Benzodiazepine (diazepam {benzodiazepine})", False),
    "call-help": ("Call for help (physician, ICU)", False),
    "check-ck-temperature": ("Check CK and temperature", False),
    "interrogate": ("Interrogate the pump", False),
    "stop-pump": ("Stop the pump (program 0)", False),
    "empty-pump": ("Empty the reservoir", False),
    "drain-port": ("CSF drainage {drainage} via the access port", True),
    "drain-lp": ("CSF drainage {drainage} by lumbar puncture", True),
    "it-bolus": ("Intrathecal baclofen bolus {it_bolus} (lumbar puncture)", True),
    "it-bolus-100": ("Intrathecal baclofen bolus {it_bolus_high} (lumbar puncture)", True),
    "naloxone-infusion": ("Naloxone IV infusion over 12 h", True),
    "restore": ("The physician's restart of delivery (the case's fix)", True),
    "physostigmine": ("Physostigmine IV", True),
}
# actions that change nothing in the simulated patient: the pump read-out, a blood test, and
# physostigmine (it failed in severe intrathecal baclofen overdose [B19] and is not advised
# [S110]; a case lists it as unsafe, and its own harms are not modelled)
NO_EFFECT = ("interrogate", "check-ck-temperature", "physostigmine")
EMERGENCY_KEYS = {"kind", "arrival", "presentation", "limit", "horizon", "right", "required",
                  "unsafe", "why", "explain", "teach", "restore", "restore_label"}
STEP_MIN = 1.0


def facts() -> dict:
    return _facts()


@lru_cache(maxsize=1)
def _facts() -> dict:
    raw = data.load("emergency")
    kinds = {"vitals": None, "harm": None, "score": None}
    out = {}
    for section in kinds:
        out[section] = {}
        for k, v in raw[section].items():
            unit = "time" if k.endswith("minutes") else None
            out[section][k] = parse_fact(f"emergency.toml [{section}].{k}", k, v, unit)
    out["teach"] = {sec: {k: parse_fact(f"emergency.toml [teach.{sec}].{k}", k, v)
                          for k, v in items.items()} for sec, items in raw["teach"].items()}
    return out


def teaching(section: str) -> list[str]:
    """The sourced teaching points of ``section`` (e.g. ``"opioid_overdose"``) as lines."""
    t = facts()["teach"]
    if section not in t:
        raise InputError("section", section, "expected one of " + ", ".join(t))
    return [f"{f.value} [{', '.join(f.source)}]" for f in t[section].values()]


def all_facts():
    from . import emergency_events
    for section, items in emergency_events.facts().items():
        for f in items.values():
            yield f"emergency {section}", f
    for section in ("vitals", "harm", "score"):
        for f in facts()[section].values():
            yield f"emergency {section}", f


# --- cases ------------------------------------------------------------------------------------

@dataclass
class Case:
    name: str
    title: str
    kind: str
    presentation: str
    arrival: float              # day
    limit: float                # minutes for the first right action
    horizon: float              # minutes followed after arrival
    right: tuple
    required: tuple
    unsafe: tuple
    why: dict
    explain: str
    teach: tuple
    restore: list               # events (dicts without 'at') that restore delivery
    scenario: dict              # the raw scenario table (without [emergency])
    restore_label: str = "Restore delivery"   # what the case's restore action is, in words


def folder() -> Path:
    from . import shipped
    return shipped.folder() / "emergency"


def names() -> list[str]:
    return sorted(p.stem for p in folder().glob("*.toml"))


def _minutes(value, where) -> float:
    from .units import parse
    return parse(value, "time", where) * 1440


def from_dict(raw: dict, name: str = "case") -> Case:
    """A checked case from a parsed TOML table (the scenario keys plus ``[emergency]``)."""
    from . import scenario
    from .events import parse_day
    if not isinstance(raw, dict) or "emergency" not in raw:
        raise InputError("emergency", None, "an emergency case needs an [emergency] table")
    em = raw["emergency"]
    if not isinstance(em, dict):
        raise InputError("emergency", em, "expected a table")
    for key in em:
        if key not in EMERGENCY_KEYS:
            raise InputError(f"emergency.{key}", em[key], "unknown; allowed: "
                             + ", ".join(sorted(EMERGENCY_KEYS)))
    for key in ("kind", "arrival", "presentation", "right", "explain"):
        if key not in em:
            raise InputError(f"emergency.{key}", None, "this key is needed")
    if em["kind"] not in KINDS:
        raise InputError("emergency.kind", em["kind"], "expected one of " + ", ".join(KINDS))
    for key in ("presentation", "explain"):
        if not isinstance(em[key], str) or not em[key].strip():
            raise InputError(f"emergency.{key}", em[key], "expected text")
    lists = {}
    for key in ("right", "required", "unsafe", "teach"):
        v = em.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise InputError(f"emergency.{key}", v, "expected a list of names")
        allowed = facts()["teach"] if key == "teach" else ACTIONS
        for x in (y for item in v for y in item.split("|")):
            if x not in allowed:
                raise InputError(f"emergency.{key}", x, "expected one of " + ", ".join(allowed))
        lists[key] = tuple(v)
    if not lists["right"]:
        raise InputError("emergency.right", [], "at least one right action")
    why = em.get("why", {})
    if not isinstance(why, dict) or not all(isinstance(v, str) for v in why.values()):
        raise InputError("emergency.why", why, "a table of action = \"why it is unsafe\"")
    for k in why:
        if k not in ACTIONS:
            raise InputError(f"emergency.why.{k}", why[k], "expected an action: "
                             + ", ".join(ACTIONS))
    restore = em.get("restore", [])
    restore_label = em.get("restore_label", "Restore delivery")
    if not isinstance(restore_label, str) or not restore_label.strip():
        raise InputError("emergency.restore_label", restore_label, "expected text")
    if not isinstance(restore, list) or not all(isinstance(r, dict) and "kind" in r
                                                for r in restore):
        raise InputError("emergency.restore", restore, "a list of events (tables with 'kind')")
    rest = {k: v for k, v in raw.items() if k != "emergency"}
    sc = scenario.from_dict(copy.deepcopy(rest))
    if sc.kwargs.get("patient") is None:
        raise InputError("patient", None, "an emergency case needs a [patient] (the vital "
                         "signs come from the patient's response)")
    arrival = parse_day(em["arrival"], "emergency.arrival")
    limit = _minutes(em.get("limit", "30 min"), "emergency.limit")
    horizon = _minutes(em.get("horizon", "24 h"), "emergency.horizon")
    days = sc.kwargs["days"]
    days = float(days) if isinstance(days, (int, float)) else _minutes(days, "days") / 1440
    if arrival >= days:
        raise InputError("emergency.arrival", em["arrival"], f"before the end of the "
                         f"{days:g} days simulated")
    case = Case(name, str(raw.get("title", name)), em["kind"], em["presentation"].strip(),
                arrival, limit, horizon, lists["right"], lists["required"], lists["unsafe"],
                dict(why), em["explain"].strip(), lists["teach"], restore, rest,
                restore_label.strip())
    for i, r in enumerate(restore):         # each restore event must be a valid event
        from .events import event
        spec = dict(r)
        kind = spec.pop("kind")
        try:
            event(arrival, kind, **spec)
        except InputError as err:
            raise InputError(f"emergency.restore[{i}].{err.parameter}", err.value,
                             err.allowed) from None
    return case


def load(name_or_path) -> Case:
    """A shipped case by name (``names()``) or a case file."""
    from . import scenario
    p = Path(str(name_or_path))
    if not p.suffix and "/" not in str(name_or_path):
        p = folder() / f"{name_or_path}.toml"
        if not p.is_file():
            raise InputError("case", name_or_path, "one of " + ", ".join(names()))
    raw = scenario.parse_toml(scenario.read(p), p.name)
    return from_dict(raw, p.stem)


def review(raw: dict) -> list[str]:
    """Problems with an emergency case (for ``itsim check``): [] when it runs."""
    try:
        Session(from_dict(raw)).vitals()
    except InputError as err:
        return [f"{err.parameter} = {err.value!r} is not allowed: {err.allowed}"]
    return []


# --- vital signs ------------------------------------------------------------------------------

def vitals_from(tl, k) -> dict:
    """Vital signs at step(s) ``k`` of a timeline with a patient (arrays or floats)."""
    v = {n: f.value for n, f in facts()["vitals"].items() if n != "sedation_scale"}
    r = tl.response
    eff = r.effects
    zero = np.zeros(np.shape(k))
    none = np.zeros(r.score.shape)
    resp = np.asarray(eff.get("respiratory_depression", none)[k], dtype=float)
    sed = np.asarray(eff.get("sedation", none)[k], dtype=float)
    conf = np.asarray(eff.get("confusion", none)[k], dtype=float)
    w = np.asarray(r.withdrawal[k], dtype=float)
    rescue = tl.rescue or {}
    b = np.asarray(rescue["benzodiazepine"][k]) if "benzodiazepine" in rescue else zero
    from . import emergency_events
    bz = emergency_events.facts()["benzodiazepine"]
    w_shown = w * (1 - bz["eases"].value * b)
    opioid = r.pharmacology.overdose_effect == "respiratory_depression"
    baclofen_od = sed if r.pharmacology.drug == "baclofen" else zero
    sed_all = np.clip(sed + bz["sedation"].value * b, 0, 1)
    resp_all = 1 - (1 - resp) * (1 - (bz["sedation"].value / 2 * b if opioid else 0 * b))
    # 8 a minute at the syndrome threshold (0.5), the sourced sign of overdose [M46]
    slope = (v["breathing_normal"] - v["breathing_slow"]) / 0.5
    breathing = v["breathing_normal"] - slope * resp_all + v["breathing_withdrawal"] * w_shown
    breathing = np.clip(breathing, 0, None)
    score = np.asarray(r.score[k], dtype=float)
    return {
        "breathing_per_min": breathing,
        "sedation_0_3": np.clip(np.rint(3 * np.maximum(sed_all, resp_all)), 0, 3),
        "temperature_c": v["temperature_normal"] + v["temperature_withdrawal"] * w_shown
        - v["temperature_baclofen_overdose"] * baclofen_od,
        "heart_per_min": v["heart_normal"] + v["heart_withdrawal"] * w_shown
        - v["heart_baclofen_overdose"] * baclofen_od,
        "systolic_mmhg": v["systolic_normal"] + v["systolic_withdrawal"] * w_shown
        - v["systolic_overdose"] * np.maximum(baclofen_od, resp_all if opioid else zero),
        "tone_or_pain": score * (1 - 0.3 * b) if r.scale == "MAS" else score,
        "confusion_0_1": conf,
        "withdrawal_shown": w_shown,
        "scale": r.scale,
    }


# --- a session --------------------------------------------------------------------------------

@dataclass
class Result:
    score: int
    harmed: bool
    harms: list
    first_right_min: float | None
    unsafe: list
    missing: list
    lines: list = field(default_factory=list)
    dangerous: list = field(default_factory=list)     # dangerous mistakes (score capped)

    def text(self) -> str:
        return "\n".join(self.lines)


class Session:
    """One patient in the emergency room. ``now`` is minutes since arrival."""

    def __init__(self, case):
        self.case = case if isinstance(case, Case) else load(case)
        self.now = 0.0
        self.actions: list[tuple[float, str]] = []
        self.finished: Result | None = None
        self._tl = None

    # the simulation with every action so far, followed to the horizon
    def _events(self):
        from . import emergency_events
        c = self.case
        evs = []
        day = lambda m: c.arrival + m / 1440          # noqa: E731
        for m, a in self.actions:
            at = day(m)
            if a == "naloxone":
                evs.append({"at": at, "kind": "naloxone", "dose": doses()["naloxone_low"]})
            elif a == "naloxone-2mg":
                evs.append({"at": at, "kind": "naloxone", "dose": doses()["naloxone_high"]})
            elif a == "benzodiazepine":
                evs.append({"at": at, "kind": "benzodiazepine",
                            "dose": doses()["benzodiazepine"]})
            elif a == "call-help":
                evs.append({"at": at, "kind": "call-help"})
            elif a == "stop-pump":
                evs.append({"at": at, "kind": "program", "mode": "stopped"})
            elif a == "empty-pump":
                evs.append({"at": at, "kind": "empty"})
            elif a in ("drain-port", "drain-lp"):
                evs.append({"at": at, "kind": "csf-drainage", "volume": doses()["drainage"],
                            "route": "access-port" if a == "drain-port" else "lumbar-puncture"})
            elif a in ("it-bolus", "it-bolus-100"):
                dose = _bolus()["dose" if a == "it-bolus" else "dose_high"].value
                evs.append({"at": at, "kind": "it-bolus", "dose": f"{dose:g} mcg",
                            "drug": "baclofen"})
            elif a == "naloxone-infusion":
                nal = emergency_events.facts()["naloxone"]
                evs.append({"at": at, "kind": "naloxone",
                            "dose": f"{nal['infusion_dose'].value:g} mcg",
                            "duration": f"{nal['infusion_pocket_fill'].value * 24:g} h"})
            elif a == "restore":
                evs.extend(dict(r, at=at) for r in c.restore)
        return evs

    def timeline(self):
        if self._tl is None:
            from .simulation import simulate
            kw = dict(self._kwargs())
            kw["events"] = list(kw.get("events", [])) + self._events()
            self._tl = simulate(**kw)
        return self._tl

    def _kwargs(self):
        from . import scenario
        sc = scenario.from_dict(copy.deepcopy(self.case.scenario))
        kw = dict(sc.kwargs)
        end = self.case.arrival + self.case.horizon / 1440
        kw["days"] = float(np.ceil(end * 24) / 24)
        kw["step"] = "1 min"
        return kw

    def k(self, minutes: float) -> int:
        tl = self.timeline()
        return min(int(round((self.case.arrival + minutes / 1440) * 1440 / tl.step_minutes)),
                   tl.t.size - 1)

    def vitals(self, at: float | None = None) -> dict:
        """The vital signs at ``at`` minutes after arrival (default: now), rounded."""
        v = vitals_from(self.timeline(), self.k(self.now if at is None else at))
        out = {"minute": round(self.now if at is None else at, 1)}
        for name, x in v.items():
            out[name] = x if isinstance(x, str) else round(float(x), 1)
        return out

    def history(self, before: float = 120.0):
        """Vital signs every minute from ``before`` minutes before arrival to now: (minutes,
        dict of arrays)."""
        tl = self.timeline()
        k0, k1 = self.k(-before), self.k(self.now)
        ks = np.arange(max(k0, 0), k1 + 1)
        minutes = (tl.t[ks] - self.case.arrival) * 1440
        return minutes, vitals_from(tl, ks)

    def interrogate(self) -> str:
        """What the pump's programmer shows now: the program, the reservoir as the pump
        estimates it, and its alarms (never the hidden cause)."""
        tl = self.timeline()
        k = self.k(self.now)
        day = tl.t[k]
        alarms = [e for e in tl.alarms if e.day <= day]
        conc = self._programmed_concentration(day)
        lines = [f"Drug: {tl.drug}; pump: {tl.pump_kind}.",
                 f"Programmed flow now: {float(tl.commanded[k]):.3g} mL/day."]
        if conc is not None:
            from .units import fmt
            unit = "mg/mL" if conc >= 1000 and tl.drug != "baclofen" else "mcg/mL"
            dose_unit = "mg/day" if unit == "mg/mL" else "mcg/day"
            lines.append(f"Concentration in the programmer: {fmt(conc, 'concentration', unit)} "
                         "(compare it with the label of the drug that was filled); dose "
                         "shown: " + fmt(float(tl.commanded[k]) * conc, "dose_rate", dose_unit)
                         + ".")
        lines.append("Alarms: " + ("; ".join(f"{e.kind} (day {e.day:.1f})" for e in alarms)
                                   if alarms else "none logged"))
        return "\n".join(lines)

    def _programmed_concentration(self, day):
        """The concentration the programmer was last told (mcg/mL), from the scenario."""
        from .units import parse
        sc = self.case.scenario
        conc = sc.get("drug", {}).get("concentration")
        from .events import parse_day
        for e in sorted(sc.get("events", []), key=lambda e: parse_day(e["at"], "at")):
            if e.get("kind") == "refill" and parse_day(e["at"], "at") <= day:
                conc = e.get("programmed_concentration", e.get("concentration", conc))
        return None if conc is None else parse(conc, "concentration", "concentration")

    def act(self, action: str):
        """Take ``action`` now (one of ``ACTIONS``)."""
        if self.finished is not None:
            raise InputError("action", action, "the case is finished: press Reset to start again")
        if action not in ACTIONS:
            raise InputError("action", action, "expected one of " + ", ".join(ACTIONS))
        label, physician = action_label(action), ACTIONS[action][1]
        if self.now >= self.case.horizon - 1e-9:
            raise InputError("action", label, f"the case's {self.case.horizon / 60:g} hours "
                             "are over: nothing more can be done. Press Finish to see the "
                             "score, or Reset to start again")
        if physician and not any(a == "call-help" for _, a in self.actions):
            raise InputError("action", label, "a physician does this: call for help first")
        self.actions.append((self.now, action))
        if action not in NO_EFFECT:
            self._tl = None

    def label(self, action: str) -> str:
        """The action in words (the case's own words for ``restore``)."""
        return self.case.restore_label if action == "restore" else action_label(action)

    def restore_text(self) -> str:
        """The restore action in full: the case's words and what a restart means."""
        return f"{self.case.restore_label}: {restart_note()}"

    def wait(self, duration="5 min"):
        """Let time pass (at most to the horizon)."""
        m = _minutes(duration, "wait")
        self.now = min(self.now + m, self.case.horizon)

    def _no_call_danger(self, vit, ks) -> str | None:
        """Why not calling for help was a dangerous mistake, or None. Dangerous when the
        patient arrived breathing slowly or very drowsy, when the vital signs crossed those
        thresholds at any time, or when the case's required care needs a call or a
        physician."""
        c, h = self.case, facts()["harm"]
        arrive = vitals_from(self.timeline(), max(ks[0] - 1, 0))   # before any action
        if (arrive["breathing_per_min"] <= h["call_breathing"].value
                or arrive["sedation_0_3"] >= h["call_sedation"].value):
            return (f"no call for help for a patient who arrived breathing "
                    f"{float(arrive['breathing_per_min']):.0f} a minute with a sedation score "
                    f"of {float(arrive['sedation_0_3']):.0f}: breathing and circulation may "
                    "need a physician and ICU support")
        bad = ((vit["breathing_per_min"] <= h["call_breathing"].value)
               | (vit["sedation_0_3"] >= h["call_sedation"].value))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            m = (self.timeline().t[ks[i]] - c.arrival) * 1440
            return (f"no call for help, although at {m:.0f} min the patient was breathing "
                    f"{float(vit['breathing_per_min'][i]):.0f} a minute with a sedation score "
                    f"of {float(vit['sedation_0_3'][i]):.0f}: breathing and circulation may "
                    "need a physician and ICU support")
        steps = [a for a in c.required if all(ACTIONS[x][1] for x in a.split("|"))]
        if steps:
            return ("no call for help, although this patient needs a physician for "
                    + ", ".join(" or ".join(self.label(x).split(":")[0] for x in a.split("|"))
                                for a in steps))
        if "call-help" in c.required:
            return ("no call for help, although this case's required care includes it: a "
                    "physician must see the patient")
        return None

    def check_ck_temperature(self) -> str:
        v = self.vitals()
        w = float(self.timeline().response.withdrawal[self.k(self.now)])
        ck = "raised (muscle breakdown risk)" if w >= facts()["harm"]["withdrawal_severe"].value \
            * 0.8 else "normal"
        return f"Temperature {v['temperature_c']:.1f} °C; CK {ck}."

    def finish(self) -> Result:
        """Follow the patient to the horizon and score the outcome and the timing."""
        c, tl = self.case, self.timeline()
        f = facts()
        k0, k1 = self.k(0), self.k(c.horizon)
        harms = []
        eff = tl.response.effects
        dtm = tl.step_minutes
        if "respiratory_depression" in eff and c.kind != "ziconotide-psychiatric":
            r = np.asarray(eff["respiratory_depression"][k0:k1 + 1])
            run = _longest(r >= f["harm"]["breathing_arrest"].value) * dtm
            if run >= f["harm"]["breathing_minutes"].value * 1440:
                harms.append(f"breathing 8 a minute or slower for {run:.0f} min: harm from lack "
                             "of oxygen")
        ks = np.arange(k0, k1 + 1)
        vit = vitals_from(tl, ks)
        if c.kind == "opioid-overdose":
            # slow breathing with heavy sedation left without a repeat dose or an infusion
            h = f["harm"]
            bad = ((vit["breathing_per_min"] < h["breathing_unattended"].value)
                   & (vit["sedation_0_3"] >= h["sedation_unattended"].value))
            run = _longest(bad) * dtm
            if run >= h["unattended_minutes"].value * 1440:
                harms.append(f"breathing under {h['breathing_unattended'].value:g} a minute "
                             f"and very drowsy for {run:.0f} min with no repeat naloxone: "
                             "harm from lack of oxygen (repeat it or start an infusion, and "
                             "keep watching)")
        # the withdrawal itself (the cause), not the signs a benzodiazepine eases
        real = np.asarray(tl.response.withdrawal[min(k0 + 60, k1):k1 + 1], dtype=float)
        if real.size and real.max() >= f["harm"]["withdrawal_severe"].value:
            harms.append("severe withdrawal: high fever, rigidity, muscle breakdown (the "
                         "baclofen was not restored: benzodiazepines ease the signs, not the "
                         "cause)")
        if c.kind == "ziconotide-psychiatric":
            stopped = [m for m, a in self.actions if a in ("stop-pump", "empty-pump")]
            limit = f["harm"]["confusion_minutes"].value * 1440
            if not stopped or stopped[0] > limit:
                harms.append("the ziconotide ran on with severe psychiatric signs")
        right = [m for m, a in self.actions if a in c.right]
        first = right[0] if right else None
        unsafe = [(m, a) for m, a in self.actions if a in c.unsafe]
        done = {a for _, a in self.actions}
        missing = [a for a in c.required if not set(a.split("|")) & done]
        s = f["score"]
        score = 0.0 if harms else s["outcome"].value
        if first is not None:
            score += s["timing"].value * max(0.0, 1 - first / c.limit)
        if not missing:                  # a required step left out removes all these points
            score += s["steps"].value
        score -= s["unsafe"].value * len(unsafe)
        dangerous = []
        if "call-help" not in done:
            d = self._no_call_danger(vit, ks)
            if d:
                dangerous.append(d)
                score = min(score, s["danger_cap"].value)
        score = int(round(min(100, max(0, score))))
        lines = [f"Score {score}/100.",
                 "Outcome: " + ("; ".join(harms) if harms else "the patient came to no harm.")]
        lines.append(f"First right action at {first:.0f} min (aim: within {c.limit:.0f} min)."
                     if first is not None else "No right action was taken.")
        lines.extend("DANGER: " + d + "." for d in dangerous)
        for m, a in unsafe:
            lines.append(f"Unsafe at {m:.0f} min: {self.label(a)}. {c.why.get(a, '')}".rstrip())
        if missing:
            lines.append("Missing (required, the required-steps points are lost): "
                         + ", ".join(" or ".join(self.label(x) for x in a.split("|"))
                                     for a in missing) + ".")
        restarts = [m for m, a in self.actions if a == "restore"]
        if restarts:
            lines.append(f"Restart at {restarts[0]:.0f} min: " + restart_note())
        lines.append(c.explain)
        for sec in c.teach:
            lines.extend("- " + t for t in teaching(sec))
        self.finished = Result(score, bool(harms), harms, first, [a for _, a in unsafe],
                               missing, lines, dangerous)
        return self.finished


@lru_cache(maxsize=1)
def doses() -> dict:
    """What the actions give, as text, from emergency.toml: naloxone's smallest and largest
    single dose [M5, S20], the benzodiazepine dose, the middle of the sourced drainage volume
    [S16, S20] and the two intrathecal bolus doses [B4, B5]."""
    from . import emergency_events
    from .units import fmt
    f = emergency_events.facts()
    nal, drain, bolus = f["naloxone"]["dose"], f["drainage"]["volume"], f["it_bolus"]
    return {"naloxone_low": fmt(nal.low, "mass", "mg"), "naloxone_high": fmt(nal.high, "mass", "mg"),
            "benzodiazepine": fmt(f["benzodiazepine"]["dose"].value, "mass", "mg"),
            "drainage": fmt((drain.low + drain.high) / 2, "volume"),
            "it_bolus": fmt(bolus["dose"].value, "mass"),
            "it_bolus_high": fmt(bolus["dose_high"].value, "mass")}


def action_label(action: str) -> str:
    """An action in words, with its dose from the data (``ACTIONS`` holds the templates)."""
    return ACTIONS[action][0].format(**doses())


def restart_note() -> str:
    """What restoring delivery after a break means at the bedside: the physician's restart,
    at the dose the physician orders, with a close watch (the refill station's rule,
    ``procedures.toml [refill].restart_observe``)."""
    from . import refill
    from .units import fmt
    obs, order = refill.facts()["restart_observe"], refill.facts()["restart_order"]
    tags = ", ".join(dict.fromkeys(order.source + obs.source))
    return ("this is the physician's restart. The physician orders the dose, which may be "
            "lower than before (an overdose has followed a restart after a break); a "
            "full-dose restart without an order is dangerous. Watch the patient closely for "
            f"at least {fmt(obs.value, 'time')} after the restart [{tags}]. (In this exercise "
            "the model restarts at the case's programmed dose.)")


def _bolus() -> dict:
    from . import emergency_events
    return emergency_events.facts()["it_bolus"]


def bolus_time_course() -> str:
    """When a physician's intrathecal baclofen bolus works, in words (sourced)."""
    b = _bolus()
    return (f"An intrathecal baclofen bolus starts to work after {b['onset'].text}, is strongest "
            f"at {b['peak'].text} and wears off after {b['lasts'].text} "
            f"[{', '.join(dict.fromkeys(b['onset'].source + b['peak'].source))}]: it bridges, "
            "it does not restore delivery.")


def _longest(mask: np.ndarray) -> int:
    """Length of the longest run of True."""
    if not mask.any():
        return 0
    padded = np.concatenate(([0], mask.astype(np.int8), [0]))
    d = np.diff(padded)
    return int((np.flatnonzero(d == -1) - np.flatnonzero(d == 1)).max())
