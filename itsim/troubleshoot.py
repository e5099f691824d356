"""Troubleshooting cases: a patient presents; investigate, name the cause, choose the action.

>>> from itsim import troubleshoot
>>> case = troubleshoot.load("scenarios/troubleshooting/baclofen_disconnection.toml")
>>> game = troubleshoot.Game(case)
>>> "X-ray" in game.investigate("x-ray").title
True

A case is a TOML file: the presentation (``complaint``, ``history``, ``present_day``), the
right ``cause`` and ``action`` (a list of acceptable actions), optionally a ``first`` action
that must come before them (``first = "treat-withdrawal"`` where the patient shows withdrawal:
treat the patient, then the device), an ``explain`` text, and a ``[scenario]`` table in the
scenario format. The scenario is simulated; every investigation
reads what the simulation says at the day the patient presents (the pump's log only shows
what a pump can know; an X-ray shows the catheter; the examination reads the body model).
``Game.answer(cause, action, then="")`` scores the learner: 50 for the cause, 30 for the plan
(``action`` first, then the optional ``then``), and up to 20 less the cost of investigations that
showed nothing (costs are a teaching scale in ``data/hazards.toml``). With a ``first`` action,
the plan is right when it starts with it (the second step, if named, must be an acceptable
device action); the right first step alone earns 20 of the 30 (the patient is treated but the
cause is still there); the right first step with a wrong second step earns 15. A plan that does not
start with the ``first`` action skips the patient's treatment: that is a named mistake ("the patient
comes first") and caps the score at ``FIRST_CAP`` (40, like the emergency room's and the refill
station's dangerous mistakes); fixing the device without treating the patient earns 10 of the 30.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import data, drugs, scenario
from .errors import InputError
from .facts import parse_fact
from .refill_station import DANGER_CAP as FIRST_CAP   # the same cap as a dangerous refill mistake
from .units import fmt, parse

CAUSES = {
    "catheter-occlusion": "a blocked catheter",
    "catheter-kink": "a kinked catheter",
    "catheter-disconnection": "the catheter came off the pump",
    "catheter-fracture": "a broken catheter",
    "catheter-migration": "the catheter tip moved out of place",
    "inflammatory-mass": "an inflammatory mass at the catheter tip",
    "empty-reservoir": "the reservoir ran empty",
    "battery-end": "the battery reached its end of service",
    "motor-stall": "the pump's motor stalled (MRI)",
    "programming-error": "a wrong concentration in the programmer",
    "pocket-fill": "drug injected into the pump pocket",
    "infection": "an infection",
    "no-fault": "nothing is wrong with the pump system",
}
ACTIONS = {
    "treat-withdrawal": "treat the withdrawal first (restore intrathecal delivery now: for "
                        "baclofen an intrathecal bolus by a physician, benzodiazepines, ICU "
                        "care if severe; oral baclofen alone is not enough), then repair the "
                        "cause",
    "revise-catheter": "surgery to repair or replace the catheter",
    "replace-pump": "replace the pump",
    "refill-pump": "refill the pump now",
    "correct-programming": "correct the programming (and treat the overdose)",
    "treat-overdose": "treat the overdose and watch closely (naloxone for opioids)",
    "stop-opioid": "stop the opioid (saline in the pump) with pain relief by another route; "
                   "urgent MRI and surgeons at once if a neurological deficit appears",
    "urgent-mri-neurosurgery": "a new neurological deficit: urgent MRI and neurosurgery now; "
                               "stop the opioid (saline) with opioid cover by another route",
    "recheck-pump": "interrogate the pump again; replace it if it does not restart",
    "antibiotics": "antibiotics; remove the pump if the infection is deep",
    "no-change": "no change to the pump",
}


@lru_cache(maxsize=1)
def investigations() -> dict:
    """name -> (label, cost, risk, Fact) from hazards.toml [investigations]."""
    raw = data.load("hazards")["investigations"]
    out = {}
    for name, f in raw.items():
        fact = parse_fact(f"hazards.toml [investigations].{name}", name, f)
        out[name] = (fact.extra["label"], float(fact.value), fact.extra["risk"], fact)
    return out


def all_facts():
    for name, (_, _, _, fact) in investigations().items():
        yield "troubleshooting", fact


def drug_in_line(concentration, volume) -> float:
    """Drug (mcg) sitting in a catheter of ``volume`` filled at ``concentration``: what an
    injection through the catheter access port pushes into the spinal fluid ahead of itself
    unless that volume is first drawn back and discarded [S18, S122]. Morphine 25 mg/mL in
    0.3 mL: 7500 mcg (7.5 mg) at once."""
    return parse(concentration, "concentration", "concentration") * parse(volume, "volume",
                                                                          "volume")


@dataclass(frozen=True)
class Case:
    title: str
    complaint: str
    history: str
    present_day: float
    cause: str
    actions: tuple
    explain: str
    scenario: scenario.Scenario
    path: str = ""
    first: str = ""

    @property
    def plan(self) -> tuple:
        """The model answer as an ordered plan: the ``first`` action (if any), then the device
        action."""
        return ((self.first,) if self.first else ()) + (self.actions[0],)

    def plan_text(self) -> str:
        return "; then ".join(ACTIONS[a] for a in self.plan)


def load(path) -> Case:
    """Read and check a troubleshooting case."""
    path = Path(path)
    try:
        raw = data.tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, data.tomllib.TOMLDecodeError) as e:
        raise InputError("case", str(path), f"a readable TOML file ({e})") from None
    return from_dict(raw, str(path))


def from_dict(raw: dict, where: str = "case") -> Case:
    allowed = {"title", "complaint", "history", "present_day", "cause", "action", "explain",
               "scenario"}
    for key in raw:
        if key not in allowed | {"first"}:
            raise InputError(key, raw[key], "unknown key; allowed: " + ", ".join(
                sorted(allowed | {"first"})))
    for key in allowed:
        if key not in raw:
            raise InputError(key, None, "needed")
    first = raw.get("first", "")
    if first and first not in ACTIONS:
        raise InputError("first", first, "one of " + ", ".join(ACTIONS))
    if raw["cause"] not in CAUSES:
        raise InputError("cause", raw["cause"], "one of " + ", ".join(CAUSES))
    actions = raw["action"] if isinstance(raw["action"], list) else [raw["action"]]
    for a in actions:
        if a not in ACTIONS:
            raise InputError("action", a, "one of " + ", ".join(ACTIONS))
    if first and first in actions:
        raise InputError("first", first, "an action that is not also in 'action' (the first "
                         "step comes before the device action)")
    s = scenario.from_dict(raw["scenario"])
    day = raw["present_day"]
    if isinstance(day, bool) or not isinstance(day, (int, float)) or not 0 < day < s.kwargs["days"]:
        raise InputError("present_day", day, f"a day within the {s.kwargs['days']} simulated")
    return Case(raw["title"], raw["complaint"], raw["history"], float(day), raw["cause"],
                tuple(actions), raw["explain"], s, where, first)


@dataclass(frozen=True)
class Finding:
    """What an investigation showed; ``values`` holds its numbers where it measures
    something (the residual: ``expected_ml``, ``withdrawn_ml``)."""

    name: str
    title: str
    text: str
    cost: float
    risk: str
    abnormal: bool
    values: dict = field(default_factory=dict)


@dataclass
class Result:
    score: int
    cause_right: bool
    action_right: bool
    wasted: float
    action_points: int = 0
    feedback: list = field(default_factory=list)
    mistakes: list = field(default_factory=list)       # named mistakes that capped the score

    def summary(self) -> str:
        return f"Score {self.score}/100.\n" + "\n".join(self.feedback)


class Game:
    """One learner working one case."""

    def __init__(self, case: Case):
        self.case = case
        self.tl = _run(case)
        self.k = min(int(np.searchsorted(self.tl.t, case.present_day, side="right")) - 1,
                     self.tl.t.size - 1)
        self.done: list[Finding] = []

    # -- what the learner sees ---------------------------------------------------------------
    def presentation(self) -> str:
        c = self.case
        return f"{c.title}\n{c.complaint}\nHistory: {c.history}"

    def investigate(self, name: str) -> Finding:
        table = investigations()
        if name not in table:
            raise InputError("investigation", name, "one of " + ", ".join(table))
        label, cost, risk, _ = table[name]
        text, abnormal, *values = getattr(self, "_" + name.replace("-", "_"))()
        f = Finding(name, label[0].upper() + label[1:], text, cost, risk, abnormal,
                    values[0] if values else {})
        self.done.append(f)
        return f

    def answer(self, cause: str, action: str, then: str = "") -> Result:
        """Score the cause and the plan: ``action`` first, then (optionally) ``then``."""
        if cause not in CAUSES:
            raise InputError("cause", cause, "one of " + ", ".join(CAUSES))
        if action not in ACTIONS:
            raise InputError("action", action, "one of " + ", ".join(ACTIONS))
        if then and then not in ACTIONS:
            raise InputError("then", then, "empty or one of " + ", ".join(ACTIONS))
        c = self.case
        cause_ok = cause == c.cause
        points, note = self._plan_points(action, then)
        action_ok = points == 30
        seen = {f.name: f for f in self.done}
        wasted = sum(f.cost for f in seen.values() if not f.abnormal)
        score = 50 * cause_ok + points + int(max(0.0, 20 - wasted))
        fb = [("Right: " if cause_ok else f"Not {CAUSES[cause]}: it was ") + CAUSES[c.cause] + ".",
              ("Right action: " if action_ok else "Better action: ") + c.plan_text() + "."]
        if note:
            fb.append(note)
        mistakes = []
        if c.first and action != c.first:
            # the patient's treatment was skipped (or delayed behind the device): capped
            mistakes.append("the patient comes first")
            score = min(score, FIRST_CAP)
            fb.append(f"Mistake: the patient comes first; {ACTIONS[c.first].split(' (')[0]}, "
                      f"before the device. The score is capped at {FIRST_CAP}.")
        fb.append(c.explain.strip())
        if wasted:
            names = ", ".join(f.name for f in seen.values() if not f.abnormal and f.cost)
            fb.append(f"Investigations that showed nothing cost {wasted:g} points: {names}.")
        return Result(score, cause_ok, action_ok, wasted, feedback=fb, action_points=points,
                      mistakes=mistakes)

    def _plan_points(self, action: str, then: str) -> tuple:
        """Points (of 30) for the plan ``action`` then ``then``, and a note on a partial one."""
        c = self.case
        then_ok = not then or then in c.actions
        if c.first:
            if action == c.first:
                if not then:
                    return 20, (f"Right to {ACTIONS[c.first].split(' (')[0]}, but the cause is "
                                f"still there: then {ACTIONS[c.actions[0]]}.")
                return (30, "") if then_ok else (
                    15, f"Right to {ACTIONS[c.first].split(' (')[0]}; the next step is "
                        f"wrong: then {ACTIONS[c.actions[0]]}.")
            if action in c.actions:
                return 10, ("The device action is right, but the patient comes first: "
                            f"{ACTIONS[c.first]}.")
            return 0, ""
        if action in c.actions:
            return (30, "") if then_ok else (
                15, f"The first step is right; the second ({ACTIONS[then]}) is not.")
        return 0, ""

    # -- the truth at the day the patient presents ------------------------------------------
    def _events(self, *kinds):
        return [e for e in self.case.scenario.kwargs["events"]
                if e.kind in kinds and e.day <= self.case.present_day + 1e-9]

    def _catheter(self):
        faults = self._events("catheter-occlusion", "catheter-kink", "catheter-disconnection",
                              "catheter-fracture", "catheter-migration")
        return faults[-1].kind if faults else None

    def _mass(self) -> float:
        m = self.tl.mass
        return 0.0 if m is None else float(m[self.k])

    def _examine(self):
        r = self.tl.response
        k = self.k
        scale = "Pain" if r.scale == "NRS" else "Muscle tone (Ashworth)"
        lines = [f"{scale} {r.score[k]:.1f} of {r.scale_max:g} "
                 f"(before therapy {float(r.baseline):g})."]
        abnormal = False
        if r.withdrawal is not None and r.withdrawal[k] >= 0.3:
            lines.append("Signs of withdrawal: " + r.pharmacology.withdrawal_features)
            abnormal = True
        od = r.pharmacology.overdose_effect
        if od and r.effects[od][k] >= 0.3:
            lines.append(f"Signs of overdose ({od.replace('_', ' ')}): "
                         + r.pharmacology.overdose_signs)
            abnormal = True
        if self._mass() >= 0.3:
            lines.append("New weakness and numbness in the legs: a neurological deficit.")
            abnormal = True
        if self._events("infection"):
            lines.append("The wound is red and swollen; fever.")
            abnormal = True
        if self._events("pocket-fill"):
            lines.append("Swelling around the pump.")
            abnormal = True
        return " ".join(lines), abnormal

    def _interrogate(self):
        day = self.case.present_day
        seen = [e for e in self.tl.log if e.day <= day + 1e-9 and (
            e.category == "alarm" or e.kind in ("motor-stall-recovery", "refill",
                                                "program-change"))]
        lines = [f"Programmed: {self._program_text()}."]
        refills = [e for e in self._events("refill") if e.get("programmed_concentration")]
        if refills:
            e = refills[-1]
            lines.append(f"Programmed concentration {fmt(e.get('programmed_concentration'), 'concentration')}"
                         f"; the refill record says {fmt(e.get('concentration'), 'concentration')}.")
        lines.append("Log: " + ("; ".join(f"day {e.day:.1f} {e.kind.replace('-', ' ')}"
                                           for e in seen) or "no alarms") + ".")
        abnormal = bool(refills) or any(e.category == "alarm" for e in seen)
        return " ".join(lines), abnormal

    def _program_text(self) -> str:
        kw = self.case.scenario.kwargs
        prog = kw.get("program") or {}
        what = prog.get("dose") or prog.get("rate") or "fixed flow"
        return f"{kw['drug']} {kw['concentration']}, {prog.get('mode', 'constant flow')} {what}"

    def _residual(self):
        k = self.k
        actual = float(self.tl.reservoir[k])
        expected = self._expected(k)
        d = expected - actual
        verdict = ("(within range)." if abs(d) <= 2 else
                   f"({fmt(abs(d), 'volume')} {'less' if d > 0 else 'more'} than expected: "
                   "evaluate [S72]).")
        text = f"Expected {fmt(expected, 'volume')}; withdrawn {fmt(actual, 'volume')} {verdict}"
        return text, abs(d) > 2, {"expected_ml": expected, "withdrawn_ml": actual}

    def _expected(self, k: int) -> float:
        """The pump's own estimate now: the last fill less what it was told to deliver."""
        kw, tl = self.case.scenario.kwargs, self.tl
        start, volume = 0, float(str(kw["fill"]).split()[0])
        for e in self._events("refill", "empty"):
            start = int(round(e.day * 1440 / tl.step_minutes))
            v = e.get("entered_volume") if e.get("entered_volume") is not None else \
                e.get("volume", 0.0)
            volume = v
        told = tl.commanded[start:k + 1].sum() * tl.step_minutes / 1440
        return max(volume - told, 0.0)

    def _blood_tests(self):
        if self._events("infection"):
            return "White cells and CRP raised; cultures pending.", True
        return "Normal.", False

    def _x_ray(self):
        fault = self._catheter()
        text = {"catheter-kink": "A sharp bend in the catheter near the pump.",
                "catheter-disconnection": "The catheter is not attached to the pump's connector.",
                "catheter-fracture": "A break in the catheter along its course.",
                "catheter-migration": "The catheter tip is out of its place."}.get(fault)
        return (text, True) if text else ("Pump and catheter look normal.", False)

    def _rotor_study(self):
        if self.tl.pump_kind != "programmable":
            return "Not possible: this pump has no rotor.", False
        k = self.k
        moving = self.tl.commanded[k] == 0 or self.tl.delivered[k] > 0 or \
            self._catheter() in ("catheter-occlusion", "catheter-kink")
        if moving:
            return "The rotor turns as programmed.", False
        return "The rotor does not move.", True

    def _line(self) -> dict:
        """The catheter's contents now: volume (mL) and the drug in it (mcg)."""
        volume = float(self.tl.catheter_volume)
        conc = float(self.tl.catheter_fluid[self.k])
        return {"catheter_ml": volume, "drug_in_line_mcg": conc * volume}

    def _line_text(self) -> str:
        line = self._line()
        amount = fmt(line["drug_in_line_mcg"], "mass",
                     drugs.get(self.tl.drug).dose_unit.split("/")[0])
        return (f"First {fmt(line['catheter_ml'], 'volume')} (at least the catheter's contents) "
                f"was drawn back and discarded: it held {amount} of drug that an injection "
                "would otherwise push into the spinal fluid at once [S18, S122]. ")

    def _cap_aspiration(self):
        fault = self._catheter()
        if fault in ("catheter-occlusion", "catheter-kink") or self._mass() > 0.5:
            return "Hard or impossible to draw back CSF [S67, S98].", True
        if fault in ("catheter-disconnection", "catheter-fracture", "catheter-migration"):
            return "No CSF comes back.", True
        return "CSF comes back freely.", False

    def _contrast_ct(self):
        fault = self._catheter()
        text = {"catheter-occlusion": "Contrast does not pass along the catheter.",
                "catheter-kink": "Contrast passes slowly through a narrowing.",
                "catheter-disconnection": "Contrast leaks into the tissue at the pump connector.",
                "catheter-fracture": "Contrast leaks into the tissue at a break.",
                "catheter-migration": "Contrast collects outside the intrathecal space."}.get(fault)
        if text is None and self._mass() > 0.3:
            text = "Flow up the spinal canal is blocked at the catheter tip."
        note = " (sensitivity 81 %, specificity 93 % [S68])"
        return (self._line_text() + (text or "Contrast flows freely into the spinal fluid.")
                + note, text is not None, self._line())

    def _mri(self):
        kind = self.tl.pump_kind
        handling = {"programmable": "The pump's motor stalls in the scanner; interrogate it "
                                    "afterwards [S11].",
                    "valve-gated": "The pump was emptied and programmed to 0.0 first, and its "
                                   "valve reset after [S34, S40, S35].",
                    "constant-flow": "This pump is modelled on the Codman 3000, the one "
                                     "constant-flow model named as not affected [S52]; any "
                                     "other model follows its own MRI labelling."}[kind]
        if self._mass() > 0.3:
            return ("A mass at the catheter tip presses on the spinal cord. " + handling, True)
        return "No mass at the catheter tip. " + handling, False


def _run(case: Case):
    tl = case.scenario.run()
    if tl.response is None:
        raise InputError("scenario.patient", None, "a troubleshooting case needs a patient "
                         "preset, so that the examination has something to show")
    return tl


def library(folder=None) -> list[Case]:
    """Every case in ``folder`` (default: the cases shipped with itsim), by file name."""
    if folder is None:
        from . import shipped
        folder = shipped.troubleshooting()
    paths = sorted(Path(folder).glob("*.toml"))
    if not paths:
        raise InputError("folder", str(folder), "a folder with troubleshooting cases (*.toml)")
    return [load(p) for p in paths]
