"""Implantation: the surgical plan, priming the new catheter, and the weeks after surgery.

>>> from itsim import implant
>>> p = implant.plan("lower-limbs", length="80 cm")
>>> p.tip, round(p.catheter_volume, 3), [f.code for f in p.findings]
('T11', 0.208, [])

- :func:`plan`: the catheter tip level from the target (lower limbs T10-T12, upper limbs
  C5-T2, dystonia C1-C4 [S61]; for pain, the level of the pain [S65]), the entry level
  (L1-L2), the implanted catheter length and its volume (0.0026 mL/cm [S38]), the pump and
  its pocket (at most 2.5 cm deep for refills and telemetry), and how much of the drug reaches
  the target region (the CSF model at steady state);
- :func:`priming`: a new catheter holds no drug; the priming bolus fills it, skipping it
  leaves days without drug, doubling it gives a catheter's volume of drug as a bolus;
- :func:`complications` and :func:`complication_rates`: post-operative complications drawn
  with their sourced rates in their time windows, seeded.

Numbers: ``data/procedures.toml`` and ``data/devices.toml``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import data, device, drugs
from .body import csf, response
from .dosing import Finding
from .errors import InputError
from .facts import Fact, parse_fact
from .units import fmt, parse

TARGETS = ("lower-limbs", "upper-limbs", "dystonia", "pain")
PLACEMENTS = ("subfascial", "subcutaneous")
PRIMING = ("primed", "skipped", "doubled")
REACHED = 0.1          # a level is reached at a tenth of the tip's steady-state concentration


@lru_cache(maxsize=None)
def facts(section: str) -> dict[str, Fact]:
    """Facts of ``[implant.<section>]`` (tip, surgery) in procedures.toml."""
    kinds = {"pocket_depth_max": "length", "pocket_depth_usual": "length",
             "level_length": "length", "healing": "time"}
    raw = data.load("procedures")["implant"][section]
    return {k: parse_fact(f"procedures.toml [implant.{section}].{k}", k, v, kinds.get(k))
            for k, v in raw.items()}


@dataclass(frozen=True)
class Complication:
    """A post-operative complication: its sourced risk (share of patients), the window in
    which it starts (days after surgery), what the patient notices, and the itsim event it
    causes on the pump's timeline (if any)."""

    name: str
    label: str
    risk: Fact
    window: tuple[float, float]
    window_fact: Fact
    signs: str
    event: str | None


@lru_cache(maxsize=1)
def complication_table() -> dict[str, Complication]:
    raw = data.load("procedures")["implant"]["complications"]
    out = {}
    for name, c in raw.items():
        where = f"procedures.toml [implant.complications.{name}]"
        risk = parse_fact(f"{where}.risk", "risk", c["risk"])
        if not 0 < risk.value < 1:
            raise InputError(f"{where}.risk", risk.value, "a share between 0 and 1")
        w = parse_fact(f"{where}.window", "window", c["window"])
        window = (parse(w.low, "time", f"{where}.window.low", allow_zero=True),
                  parse(w.high, "time", f"{where}.window.high"))
        out[name] = Complication(name, c["label"], risk, window, w, c["signs"], c.get("event"))
    return out


def all_facts():
    """(owner, Fact) for every implant fact: for the assumptions table and tests."""
    for section in ("tip", "surgery"):
        for f in facts(section).values():
            yield "implant", f
    for c in complication_table().values():
        yield f"complication {c.name}", c.risk
        yield f"complication {c.name}", c.window_fact


# --- the plan -------------------------------------------------------------------------------

def tip_range(target: str) -> tuple[str, str] | None:
    """The sourced tip levels (lowest, highest) for ``target``; None for pain (its level)."""
    if target not in TARGETS:
        raise InputError("target", target, "one of " + ", ".join(TARGETS))
    f = facts("tip")[target]
    return None if target == "pain" else (f.low, f.high)


def levels_between(low: str, high: str) -> list[str]:
    """Vertebral levels from ``low`` up to ``high`` (both included), e.g. T12..T10."""
    a, b = csf.index(low), csf.index(high)
    return list(csf.LEVELS[min(a, b):max(a, b) + 1])


@dataclass
class Plan:
    """A surgical plan and what follows from it. Lengths in cm, volumes in mL."""

    target: str
    tip: str
    target_levels: list                # the sourced tip range, lowest level first
    entry: str
    length: float
    intrathecal_length: float
    catheter_volume: float
    tubing_volume: float
    pump: str
    pocket_depth: float
    placement: str
    drug: str
    dose: float                        # mcg/day
    concentration: float               # mcg/mL
    profile: np.ndarray                # steady-state CSF concentration per level / at the tip
    covered: tuple                     # lowest and highest level reached (REACHED of the tip)
    findings: list = field(default_factory=list)

    @property
    def priming_volume(self) -> float:
        """What the priming bolus must push: pump tubing + catheter (mL)."""
        return self.tubing_volume + self.catheter_volume

    @property
    def rate(self) -> float:
        """Pump rate (mL/day) for the dose at the concentration."""
        return self.dose / self.concentration

    @property
    def days_to_tip_unprimed(self) -> float:
        """Days for the first drug to reach the tip if the priming bolus is skipped."""
        return self.priming_volume / self.rate

    def summary(self) -> str:
        span = ("the level of the pain" if self.target == "pain" else
                f"sourced tip levels {self.target_levels[-1]}-{self.target_levels[0]}")
        inside = (f"{fmt(self.intrathecal_length, 'length')} inside the spinal canal"
                  if self.length >= self.intrathecal_length else
                  f"too short: {fmt(self.intrathecal_length, 'length')} are needed inside the "
                  "spinal canal")
        lines = [f"Tip at {self.tip} for {self.target.replace('-', ' ')} ({span}); entry at "
                 f"{self.entry}.",
                 f"Implanted catheter {fmt(self.length, 'length')} ({inside}): "
                 f"{fmt(self.catheter_volume, 'volume')}; with the pump tubing "
                 f"{fmt(self.priming_volume, 'volume')} to prime.",
                 f"At {fmt(self.dose, 'dose_rate')} of {self.drug} "
                 f"{fmt(self.concentration, 'concentration')} the pump runs "
                 f"{fmt(self.rate, 'flow')}: unprimed, the drug would reach the tip after "
                 f"{fmt(self.days_to_tip_unprimed, 'time')}.",
                 f"A slow infusion reaches {self.covered[0]} to {self.covered[1]} (at least "
                 f"{100 * REACHED:g} % of the tip's concentration at steady state).",
                 f"Pump pocket {fmt(self.pocket_depth, 'length')} deep, {self.placement}."]
        lines += [f"{f.severity.upper()}: {f.message} {f.source}" for f in self.findings]
        return "\n".join(lines)


def plan(target="lower-limbs", tip=None, *, pain_level=None, entry="L1", length="60 cm",
         pump="programmable-20", pocket_depth="2 cm", placement="subfascial",
         drug="baclofen", concentration="500 mcg/mL", dose="100 mcg/day") -> Plan:
    """A surgical plan. ``target``: lower-limbs, upper-limbs, dystonia or pain (then
    ``pain_level``, the vertebral level of the pain). ``tip``: the chosen tip level (default:
    the middle of the sourced range, or the pain level). ``length``: the implanted catheter
    length (supplied length minus what was trimmed). The findings flag a tip outside the
    sourced range, a pocket deeper than 2.5 cm, a catheter too short to reach the tip."""
    tips, surgery = facts("tip"), facts("surgery")
    rng = tip_range(target)
    if target == "pain":
        if pain_level is None:
            raise InputError("pain_level", pain_level, "the vertebral level of the pain, "
                             "e.g. T8, for a pain target")
        pain = _level(pain_level, "pain_level")
        rng = (pain, pain)
    elif pain_level is not None:
        raise InputError("pain_level", pain_level, "only for target = 'pain'")
    chosen = _level(tip if tip is not None else (rng[0] if target == "pain"
                                                   else tips[target]["default"]), "tip")
    entry_level = _level(entry, "entry")
    if csf.index(chosen) < csf.index(entry_level):
        raise InputError("tip", chosen, f"at or above the entry level {entry_level}: the "
                         "catheter is threaded upwards from the entry")
    cath = device.catheter_facts()
    cm = parse(length, "length", "length")
    supplied = cath["supplied_length"].value
    if cm > supplied:
        raise InputError("length", length, f"at most the supplied {fmt(supplied, 'length')} "
                         f"{cath['supplied_length'].label}")
    per_level = surgery["level_length"].value
    inside = (csf.index(chosen) - csf.index(entry_level)) * per_level
    depth = parse(pocket_depth, "length", "pocket_depth")
    if placement not in PLACEMENTS:
        raise InputError("placement", placement, "one of " + ", ".join(PLACEMENTS))
    preset = device.pump_preset(pump)
    d = drugs.get(drug).name
    conc = parse(concentration, "concentration", "concentration")
    rate = parse(dose, "dose_rate", "dose")
    levels = levels_between(*rng)
    profile = _profile(d, chosen)
    reached = np.flatnonzero(profile[:-1] >= REACHED)
    covered = (csf.LEVELS[reached[0]], csf.LEVELS[reached[-1]])
    findings = []
    if chosen not in levels_between(*rng):
        findings.append(Finding("tip-outside-range", "caution",
                                f"The tip at {chosen} is outside the sourced range for "
                                f"{target.replace('-', ' ')} ({rng[0]}-{rng[1]}).",
                                tips[target].label))
    if cm < inside:
        findings.append(Finding("catheter-too-short", "danger",
                                f"{fmt(cm, 'length')} cannot reach from {entry_level} to "
                                f"{chosen}: that needs about {fmt(inside, 'length')} inside the "
                                f"canal (at {fmt(per_level, 'length')} per level, a teaching "
                                "assumption), before any length is tunnelled to the pump."))
    deepest = surgery["pocket_depth_max"]
    if depth > deepest.value + 1e-9:
        findings.append(Finding("pocket-too-deep", "danger",
                                f"A pocket {fmt(depth, 'length')} deep is deeper than "
                                f"{fmt(deepest.value, 'length')}: the refill needle may not "
                                "reach the port and the programmer may not talk to the pump.",
                                deepest.label))
    from .dosing import check as dosing_check
    findings += [f for f in dosing_check(d, concentration=concentration, daily_dose=dose)
                 if f.severity == "danger"]
    if placement == "subcutaneous":
        findings.append(Finding("placement", "info", "A best-practice panel favours "
                                "subfascial pumps; adults are often implanted under the skin, "
                                "children under the fascia.", surgery["subfascial"].label))
    return Plan(target, chosen, levels, entry_level, cm, inside, cm * cath["volume_per_cm"].value,
                cath["pump_tubing_volume"].value, preset.name, depth, placement, d, rate, conc,
                profile, covered, findings)


def _level(value, parameter: str) -> str:
    level = str(value).strip().upper()
    if level not in csf.LEVELS[:-1]:
        raise InputError(parameter, value, "a vertebral level such as T10, C5 or L1")
    return level


@lru_cache(maxsize=128)
def _profile(drug: str, tip: str) -> np.ndarray:
    """Steady-state CSF concentration along the canal for a slow infusion at ``tip``, as a
    share of the tip's (the model is linear, so the dose does not change the shape)."""
    level = csf.index(tip)
    c = response.steady_state(drug, level, 1.0)
    return c / c[level]


# --- priming --------------------------------------------------------------------------------

@dataclass
class Priming:
    """A new implant's first days: ``timeline`` (itsim.simulate with the response),
    ``first_at_tip`` (days until drug first leaves the tip), ``extra`` (mcg pushed into the
    CSF as a bolus by an unneeded second priming bolus), ``effect_day`` (days until half of the
    main effect that the dose gives by the end)."""

    action: str
    plan: Plan
    timeline: object
    first_at_tip: float | None
    extra: float
    effect_day: float | None

    def summary(self) -> str:
        unit = drugs.get(self.plan.drug).dose_unit.split("/")[0]
        what = {"primed": "Primed: the priming bolus filled tubing and catheter",
                "skipped": "Priming skipped: the catheter was full of drug-free fluid",
                "doubled": "Primed twice: the second bolus pushed a whole primed volume of drug "
                           "into the CSF"}[self.action]
        at_tip = ("never within the simulated days" if self.first_at_tip is None
                  else fmt(self.first_at_tip, "time"))
        effect = ("not within the simulated days" if self.effect_day is None
                  else fmt(self.effect_day, "time"))
        lines = [f"{what}. Drug at the tip after {at_tip}; half of the full effect after "
                 f"{effect}."]
        if self.extra > 0:
            lines.append(f"Extra drug given at once: {fmt(self.extra, 'mass', unit)}.")
        return " ".join(lines)


def priming(action="primed", *, days=10, patient=None, **plan_args) -> Priming:
    """Simulate the first ``days`` after implantation with the plan's drug, dose, tip and
    catheter, the catheter starting drug-free: ``action`` primed (one priming bolus), skipped
    or doubled (two). ``patient``: a preset (default: the one that fits the target)."""
    from .simulation import simulate
    if action not in PRIMING:
        raise InputError("action", action, "one of " + ", ".join(PRIMING))
    if isinstance(days, bool) or not isinstance(days, (int, float)) or not 1 <= days <= 90:
        raise InputError("days", days, "a number of days from 1 to 90")
    p = plan_args.pop("plan", None) or plan(**plan_args)
    person = patient or ("spinal-spasticity" if p.target != "pain" else "chronic-non-cancer-pain")
    events = [{"at": "day 0", "kind": "priming-bolus"}] * {"primed": 1, "skipped": 0,
                                                           "doubled": 2}[action]
    tl = simulate(drug=p.drug, concentration=f"{p.concentration!r} mcg/mL", fill="20 mL",
                  program={"mode": "continuous", "dose": f"{p.dose!r} mcg/day"},
                  pump=p.pump, catheter={"tip": p.tip, "length": f"{p.length!r} cm",
                                         "primed": False},
                  events=events, days=days, step="10 min", patient=person)
    extra = p.priming_volume * p.concentration if action == "doubled" else 0.0
    relief = tl.response.relief
    half = 0.5 * relief[-1]
    k = np.flatnonzero(relief >= half) if half > 0 else np.array([], dtype=int)
    first = tl.summary().get("first_drug_at_tip_day")
    return Priming(action, p, tl, first, extra,
                   None if k.size == 0 else round(float(tl.t[k[0]] + tl.step_minutes / 1440), 4))


# --- after surgery --------------------------------------------------------------------------

@dataclass(frozen=True)
class PostOp:
    """One drawn complication: day it starts (after surgery), which, and what it looks like."""

    day: float
    name: str
    label: str
    signs: str
    event: str | None


def complications(seed: int = 0) -> list[PostOp]:
    """The complications one virtual patient has after surgery, drawn with the sourced risks
    in their windows (seeded), in order of the day they start."""
    return _draw(1, seed)[0]


def _draw(n: int, seed: int) -> list[list[PostOp]]:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "a whole number, 0 or more")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 1_000_000:
        raise InputError("n", n, "a whole number of patients from 1 to 1000000")
    rng = np.random.default_rng(seed)
    table = complication_table()
    out = [[] for _ in range(n)]
    for c in table.values():              # one draw per complication, in the data file's order
        hit = rng.random(n) < c.risk.value
        day = rng.uniform(c.window[0], c.window[1], n)
        for i in np.flatnonzero(hit):
            out[i].append(PostOp(round(float(day[i]), 3), c.name, c.label, c.signs, c.event))
    return [sorted(x, key=lambda p: p.day) for x in out]


def complication_rates(n: int = 10000, seed: int = 0) -> dict:
    """Share of ``n`` virtual patients with each complication, beside the sourced risk:
    {name: (drawn share, sourced risk)}."""
    drawn = _draw(n, seed)
    counts = {name: 0 for name in complication_table()}
    for person in drawn:
        for p in {x.name for x in person}:
            counts[p] += 1
    return {name: (counts[name] / n, c.risk.value) for name, c in complication_table().items()}


def healing_weeks() -> tuple[float, float]:
    """The healing period with activity restrictions (weeks) [S90, S6]."""
    f = facts("surgery")["healing"]
    return f.low / 7, f.high / 7
