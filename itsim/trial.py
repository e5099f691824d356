"""The screening trial: test doses, readings, and the decision whether to implant a pump.

>>> from itsim import trial
>>> t = trial.screening("spinal-spasticity", noise=False)
>>> t.decision, t.positive_dose, t.first_pump_dose
('candidate', 50.0, 100.0)

Three kinds of trial, each on the body model (``itsim.body``: CSF and response):

- :func:`screening`: intrathecal baclofen by the label's schedule, 50 then 75 then 100 mcg at
  24-h intervals, observed for 4-8 h, the Modified Ashworth grade read hourly; no response
  to 100 mcg means not a candidate [S151];
- :func:`single_shot`: one opioid or ziconotide test dose with hourly pain readings, the
  required observation and the success rule (a 50 % fall in pain without intolerable side
  effects [S89]);
- :func:`continuous`: a catheter trial over days through a pump (itsim.simulate), as an
  inpatient [A2].

Which observation rule applies when (:func:`observation_rule`): an intrathecal *morphine*
test dose is watched at least 24 h in a fully equipped, staffed setting, the label's rule
[M2, S80]; another hydrophilic opioid's (hydromorphone's) at least 24 h too, like single-shot
neuraxial morphine [M14], because hydrophilic opioids cause delayed respiratory depression
[M16, M23] (a labelled, conservative teaching rule); another opioid's single shot at least
6 h, outpatient or inpatient, and an outpatient then goes home to a responsible adult who
keeps watching [S87, A5]; a catheter
trial is done as an inpatient [A2]; baclofen screening doses are watched 4-8 h [S151].

A reading is not the model's score: it has scatter (a labelled assumption), a placebo fall in
pain [Z11], and is recorded the way people record it (whole NRS points, Ashworth grades), so
that one good hour is not proof. A response counts only when it is *sustained* over
consecutive readings. :func:`cohort` runs a trial for many seeded virtual patients at once,
to count how a shorter observation or a one-reading rule would misclassify them.
Numbers: ``data/procedures.toml``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import data, drugs
from .body import response
from .body.injection import inject
from .errors import InputError
from .facts import Fact, parse_fact
from .units import fmt, parse, significant

STEP_MIN = 5.0                 # model grid of a test dose (minutes)
FOLLOW_HOURS = 24              # each test dose is followed for a day (the next comes then)
DECISIONS = ("candidate", "not a candidate", "repeat")


# --- facts ---------------------------------------------------------------------------------

_KINDS = {"doses": "mass", "small_patient_dose": "mass", "spacing": "time", "observe": "time",
          "assess_at": "time", "long_effect": "time", "observe_min": "time",
          "observe_morphine": "time", "observe_hydrophilic": "time", "continuous_days": "time",
          "every": "time"}


@lru_cache(maxsize=None)
def facts(section: str) -> dict[str, Fact]:
    """The facts of ``[trial.<section>]`` (baclofen, pain, readings) in procedures.toml."""
    raw = data.load("procedures")["trial"][section]
    out = {}
    for k, v in raw.items():
        if k == "test_dose":                  # a table of facts, one per drug
            for drug, f in v.items():
                out[f"test_dose {drug}"] = parse_fact(
                    f"procedures.toml [trial.{section}].test_dose.{drug}", f"test dose {drug}",
                    f, "mass")
        else:
            out[k] = parse_fact(f"procedures.toml [trial.{section}].{k}", k, v, _KINDS.get(k))
    return out


def test_dose(drug: str) -> str:
    """A sourced example test dose for ``drug`` as written in the data (e.g. '1 mg')."""
    d = drugs.get(drug).name
    f = facts("pain").get(f"test_dose {d}")
    if f is None:
        raise InputError("drug", d, "a drug with a sourced test dose: " + ", ".join(
            k.split()[1] for k in facts("pain") if k.startswith("test_dose")))
    return f.text


def all_facts():
    """(owner, Fact) for every trial fact: for the assumptions table and tests."""
    for section in data.load("procedures")["trial"]:
        for f in facts(section).values():
            yield f"trial {section}", f


def required_hours(drug: str) -> float:
    """Hours of observation required after a single test dose of ``drug``."""
    d = drugs.get(drug).name
    if d == "baclofen":
        return facts("baclofen")["observe"].low * 24
    if d == "morphine":
        return facts("pain")["observe_morphine"].value * 24
    if hydrophilic_opioid(d):
        return facts("pain")["observe_hydrophilic"].value * 24
    return facts("pain")["observe_min"].value * 24


def _assumed(f: Fact) -> str:
    """A labelled teaching rule built on sourced facts: '[M14, M16, M23], a teaching
    assumption'."""
    return ("[" + ", ".join(f.source) + "], a teaching assumption" if f.source and f.assumption
            else f.label)


def hydrophilic_opioid(drug: str) -> bool:
    """Is ``drug`` an opioid that drugs.toml classes as hydrophilic (morphine, hydromorphone
    [M23])? Hydrophilic opioids stay in the CSF longer and cause delayed respiratory
    depression [M16]."""
    d = drugs.get(drug)
    lip = d.lipophilicity
    return bool(d.is_opioid and lip is not None and lip.extra.get("class") == "hydrophilic")


@dataclass(frozen=True)
class ObservationRule:
    """Which observation rule applies to a trial: at least ``hours`` in ``setting``, then
    ``after`` (what happens after discharge), with the reason (``why``) and the sources."""

    trial: str
    drug: str
    hours: float | None
    setting: str
    after: str
    why: str
    source: str

    def text(self) -> str:
        least = "" if self.hours is None else f"at least {significant(self.hours, 3)} h, "
        return f"{least}{self.setting}; {self.after} ({self.why} {self.source})."


TRIALS = ("single-shot", "screening", "continuous")


def observation_rule(drug: str, trial: str = "single-shot") -> ObservationRule:
    """The observation rule for a ``trial`` ('single-shot', 'screening' or 'continuous') of
    ``drug``. A morphine test dose: 24 h, fully equipped and staffed (the label's rule is
    stricter than the general 6 h and replaces it) [M2]; another hydrophilic opioid
    (hydromorphone): 24 h with monitoring as after single-shot neuraxial morphine [M14], a
    labelled conservative teaching rule [M16, M23]; other opioids: 6 h, outpatient or
    inpatient, a responsible adult watching after discharge [S87, A5]; a catheter trial:
    inpatient, watched throughout [A2]; baclofen screening: 4-8 h after each dose [S151]."""
    d = drugs.get(drug).name
    if not isinstance(trial, str) or trial not in TRIALS:
        raise InputError("trial", trial, "one of " + ", ".join(TRIALS))
    pain = facts("pain")
    if trial == "continuous":
        f = pain["catheter_trial_setting"]
        return ObservationRule(trial, d, None, "as an inpatient", "watched throughout the "
                               "days of the trial", "catheter trials should be inpatient",
                               f.label)
    if d == "baclofen" or trial == "screening":
        if d != "baclofen":
            raise InputError("trial", trial, "'screening' is the baclofen trial; use "
                             "'single-shot' or 'continuous' for a pain drug")
        f = facts("baclofen")["observe"]
        return ObservationRule(trial, d, f.low * 24, f"up to {significant(f.high * 24, 3)} h "
                               "after each screening dose", "the next dose 24 h later",
                               "the label's screening schedule", f.label)
    if d == "morphine":
        f = pain["observe_morphine"]
        return ObservationRule(trial, d, f.value * 24, "in a fully equipped and staffed "
                               "setting", "not sent home before the 24 h are up",
                               "the morphine label: breathing can slow up to a day later; "
                               "stricter than the general 6 h, so it replaces it", f.label)
    if hydrophilic_opioid(d):
        f = pain["observe_hydrophilic"]
        return ObservationRule(trial, d, f.value * 24, "watched hourly for 12 h, then every "
                               "2 h", "not sent home before the 24 h are up",
                               "a hydrophilic opioid like morphine: breathing can slow hours "
                               "later; itsim's conservative teaching rule, the single-shot "
                               "neuraxial morphine monitoring, instead of the general 6 h:",
                               _assumed(f))
    f = pain["observe_min"]
    who = pain["after_discharge"]
    why = "the general rule for an intrathecal opioid test dose"
    if not drugs.get(d).is_opioid:
        why = f"the opioid figure, used for {d} as a teaching assumption"
    return ObservationRule(trial, d, f.value * 24, "as an outpatient or an inpatient",
                           f"an outpatient goes home only with {who.value} who keeps watching "
                           f"{who.label}", why, f.label)


def default_observe(drug: str) -> float:
    """Hours a trial watches each dose unless told otherwise: the label's longest (8 h) for
    baclofen screening, the required observation for the others."""
    d = drugs.get(drug).name
    return facts("baclofen")["observe"].high * 24 if d == "baclofen" else required_hours(d)


def _required_source(drug: str) -> str:
    d = drugs.get(drug).name
    key = {"baclofen": ("baclofen", "observe"), "morphine": ("pain", "observe_morphine")}.get(
        d, ("pain", "observe_hydrophilic" if hydrophilic_opioid(d) else "observe_min"))
    label = _assumed(facts(key[0])[key[1]])
    if not drugs.get(d).is_opioid and d != "baclofen":
        return f"{label}, the opioid figure, used for {d} as a teaching assumption"
    return label


# --- results ---------------------------------------------------------------------------------

@dataclass
class TestDose:
    """One test dose and what was seen. Times in hours after the injection; ``score`` and
    ``effects`` are the model's (continuous), ``readings`` what was recorded within the
    observation (NRS whole points or Ashworth grades)."""

    dose: float                         # mcg
    day: float                          # days from the first test dose
    hours: np.ndarray
    score: np.ndarray
    effects: dict
    reading_hours: np.ndarray
    readings: np.ndarray
    before: float                       # the reading just before the dose
    responded: bool                     # the criterion met at `sustained` readings in a row
    single_good: bool                   # met at one reading at least
    intolerable: list = field(default_factory=list)   # side effects too strong, while watched
    missed: list = field(default_factory=list)        # too strong only after observation ended
    effect_hours: float = 0.0           # how long the recorded response lasted

    def peak_hours(self, effect: str) -> float:
        """Hours after the dose to the model's peak of ``effect`` (e.g. 'respiratory_depression')."""
        if effect not in self.effects:
            raise InputError("effect", effect, "one of " + ", ".join(self.effects))
        return float(self.hours[int(np.argmax(self.effects[effect]))])


@dataclass
class TrialResult:
    """A whole trial: its doses, the decision (candidate / not a candidate / repeat) with the
    reasons, and the first pump dose it suggests (mcg/day, with where the rule comes from)."""

    kind: str
    drug: str
    patient: response.Patient
    scale: str
    observe_hours: float
    required_hours: float
    criterion: str
    doses: list
    decision: str
    reasons: list
    first_pump_dose: float | None = None
    first_dose_note: str = ""
    observation: ObservationRule | None = None

    @property
    def positive_dose(self) -> float | None:
        """The test dose (mcg) that gave the response, if any."""
        for d in self.doses:
            if d.responded:
                return d.dose
        return None

    def summary(self) -> str:
        """The trial in plain words: each dose, the decision and its reasons."""
        unit = drugs.get(self.drug).dose_unit.split("/")[0]
        watched = (f"run for {significant(self.observe_hours / 24, 3)} days"
                   if self.kind == "continuous trial" else
                   f"observed {significant(self.observe_hours, 3)} h after each dose (required:"
                   f" at least {significant(self.required_hours, 3)} h)")
        lines = [f"{self.kind.capitalize()}: {self.drug} for {self.patient.label}, {watched}."]
        if self.observation is not None:
            lines.append("Observation rule: " + self.observation.text())
        if self.kind == "continuous trial":
            d = self.doses[0]
            days = np.ceil(d.reading_hours / 24 - 1e-9)
            means = ", ".join(f"day {int(k)} {d.readings[days == k].mean():.1f}"
                              for k in np.unique(days))
            lines.append(f"{fmt(d.dose, 'dose_rate', unit + '/day')}. Before: {d.before:g}; mean "
                         f"pain reading {means}.")
        for d in self.doses if self.kind != "continuous trial" else []:
            seen = ", ".join(_reading_text(x, self.scale) for x in d.readings) or "none"
            verdict = ("response" if d.responded else
                       "one good reading, not sustained" if d.single_good else "no response")
            lines.append(f"Day {d.day:g}: {fmt(d.dose, 'mass', unit)}. Before: "
                         f"{_reading_text(d.before, self.scale)}; readings: {seen} -> {verdict}.")
            if d.intolerable:
                lines.append("  Too strong while watched: " + ", ".join(d.intolerable) + ".")
            if d.missed:
                lines.append("  After the observation ended: " + ", ".join(d.missed) + ".")
        lines.append(f"Decision: {self.decision.upper()}. " + " ".join(self.reasons))
        if self.first_pump_dose is not None:
            lines.append(f"First pump dose: {fmt(self.first_pump_dose, 'dose_rate', unit + '/day')}"
                         f" ({self.first_dose_note}).")
        elif self.first_dose_note:
            lines.append(self.first_dose_note)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def _reading_text(x: float, scale: str) -> str:
    if scale == "MAS":
        return "1+" if x == 1.5 else f"{x:g}"
    return f"{x:g}"


# --- readings --------------------------------------------------------------------------------

def record(score: np.ndarray, scale: str, noise: np.ndarray) -> np.ndarray:
    """Readings as people record them: the model's ``score`` plus ``noise`` (same shape),
    then whole NRS points 0-10 or the nearest Modified Ashworth grade (0, 1, 1+, 2, 3, 4)."""
    x = np.asarray(score, dtype=float) + noise
    if scale == "NRS":
        return np.clip(np.round(x), 0, 10) + 0.0          # + 0.0: no "-0"
    grades = np.asarray(facts("readings")["mas_grades"].value, dtype=float)
    return grades[np.abs(x[..., None] - grades).argmin(axis=-1)]


def _noise_sd(scale: str) -> float:
    return facts("readings")["nrs_noise" if scale == "NRS" else "mas_noise"].value


def _placebo(scale: str) -> float:
    return facts("pain")["placebo" if scale == "NRS" else "placebo_tone"].value


def _met(before, readings, scale: str, success: float) -> np.ndarray:
    """Which readings meet the response criterion: a fall of ``positive_fall`` grades on the
    Ashworth scale, or a fall of ``success`` (a fraction) in pain."""
    before = np.asarray(before, dtype=float)[..., None]
    if scale == "MAS":
        return before - readings >= facts("baclofen")["positive_fall"].value - 1e-9
    return readings <= (1 - success) * before + 1e-9


def _runs(met: np.ndarray, n: int) -> np.ndarray:
    """True where ``met`` (patients x readings) holds at ``n`` consecutive readings."""
    if met.shape[-1] < n:
        return np.zeros(met.shape[:-1], dtype=bool)
    windows = np.lib.stride_tricks.sliding_window_view(met, n, axis=-1)
    return windows.all(axis=-1).any(axis=-1)


# --- the engine: one test dose for many patients at once -------------------------------------

@lru_cache(maxsize=64)
def _concentrations(drug: str, mcg: float, level: str):
    shot = inject(drug, f"{mcg!r} mcg", level=level, hours=FOLLOW_HOURS, step=f"{STEP_MIN} min")
    return shot.hours, shot.target, shot.brainstem


@dataclass
class _Batch:
    """Patients x steps for one dose; readings patients x readings."""
    hours: np.ndarray
    score: np.ndarray
    effects: dict
    reading_hours: np.ndarray
    readings: np.ndarray
    before: np.ndarray
    met: np.ndarray
    responded: np.ndarray
    single_good: np.ndarray
    intolerable: dict          # effect -> bool per patient (within the observation)
    missed: dict               # effect -> bool per patient (only after it)
    effect_hours: np.ndarray


def _dose_batch(drug, mcg, ph, people: dict, rng, *, observe, every, sustained, success,
                noise, level) -> _Batch:
    hours, c_target, c_brain = _concentrations(drug, float(mcg), level)
    r = response.respond(c_target, c_brain, STEP_MIN, ph, baseline=people["baseline"],
                         exposure=people["exposure"], sensitivity=people["sensitivity"],
                         tolerance=people["tolerance"])
    scale = r.scale
    score = np.atleast_2d(r.score)
    effects = {k: np.atleast_2d(v) for k, v in r.effects.items()}
    n = score.shape[0]
    placebo = _placebo(scale)
    # every reading of the day is drawn, then the observation keeps its first ones: the same
    # patients and the same scatter whatever the observation, so outcomes can be compared
    all_hours = np.arange(every, FOLLOW_HOURS + 1e-9, every)
    idx = np.clip(np.round(all_hours * 60 / STEP_MIN).astype(int) - 1, 0, hours.size - 1)
    sd = _noise_sd(scale) if noise else 0.0
    scatter = rng.normal(0.0, 1.0, (n, all_hours.size + 1)) * sd
    seen = all_hours <= observe + 1e-9
    true = score[:, idx] * (1 - placebo)
    readings = record(true, scale, scatter[:, 1:])[:, seen]
    before = record(np.asarray(people["baseline"], float).reshape(-1), scale, scatter[:, 0])
    met = _met(before, readings, scale, success)
    thr = response.model_facts()["syndrome_threshold"].value
    watched = hours <= observe + 1e-9
    bad = [e for e in facts("readings")["intolerable"].value if e in effects]
    intolerable = {e: (effects[e][:, watched] >= thr).any(axis=1) for e in bad}
    missed = {e: ~intolerable[e] & (effects[e][:, ~watched] >= thr).any(axis=1) for e in bad}
    # how long the recorded response lasted (hours between the first and last good reading)
    rh = all_hours[seen]
    first = np.where(met.any(axis=1), rh[np.argmax(met, axis=1)] if rh.size else 0.0, 0.0)
    last = np.where(met.any(axis=1),
                    rh[met.shape[1] - 1 - np.argmax(met[:, ::-1], axis=1)] if rh.size else 0.0,
                    0.0)
    return _Batch(hours, score, effects, rh, readings, before, met, _runs(met, sustained),
                  met.any(axis=1), intolerable, missed, last - first + np.where(
                      met.any(axis=1), every, 0.0))


def _check_observe(observe, drug) -> float:
    h = parse(observe, "time", "observe") * 24
    if h > FOLLOW_HOURS:
        raise InputError("observe", observe, f"at most {FOLLOW_HOURS} h (each dose is followed "
                         "for a day)")
    every = facts("readings")["every"].value * 24
    if h < every - 1e-9:
        raise InputError("observe", observe, f"at least one reading: {significant(every, 3)} h "
                         "or more")
    return h


def _check_sustained(sustained) -> int:
    if isinstance(sustained, bool) or not isinstance(sustained, int) or not 1 <= sustained <= 6:
        raise InputError("sustained", sustained, "a whole number of readings in a row, 1 to 6")
    return sustained


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "a whole number, 0 or more")
    return seed


def _one(person: response.Patient) -> dict:
    return {"baseline": person.baseline, "exposure": person.exposure,
            "sensitivity": person.sensitivity, "tolerance": person.tolerance}


def _dose(b: _Batch, i: int, mcg: float, day: float) -> TestDose:
    return TestDose(mcg, day, b.hours, b.score[i], {k: v[i] for k, v in b.effects.items()},
                    b.reading_hours, b.readings[i], float(b.before[i]), bool(b.responded[i]),
                    bool(b.single_good[i]),
                    [_effect_name(e) for e, m in b.intolerable.items() if m[i]],
                    [_effect_name(e) for e, m in b.missed.items() if m[i]],
                    float(b.effect_hours[i]))


def _effect_name(e: str) -> str:
    return e.replace("_", " ")


# --- baclofen screening ----------------------------------------------------------------------

def ladder(start="50 mcg") -> list[float]:
    """The screening doses (mcg) from ``start``: the label's 50, 75, 100 mcg, or 25 mcg first
    for a very small patient [S151]."""
    f = facts("baclofen")
    doses = list(f["doses"].value)
    small = f["small_patient_dose"].value
    mcg = parse(start, "mass", "start")
    if abs(mcg - small) < 1e-9:
        return [small] + doses
    if abs(mcg - doses[0]) < 1e-9:
        return doses
    raise InputError("start", start, f"the label's first screening dose, {fmt(doses[0], 'mass')}"
                     f", or {fmt(small, 'mass')} for a very small patient")


def screening(patient="spinal-spasticity", *, start="50 mcg", observe="8 h", sustained=None,
              noise=True, seed=0, level="L3") -> TrialResult:
    """A baclofen screening trial by the label's schedule for one patient (a preset name,
    a dict as for ``itsim.simulate`` or a Patient): a test dose by lumbar puncture at
    ``level``, readings every hour for ``observe``; no sustained response -> the next dose
    24 h later; none at 100 mcg -> not a candidate. ``noise``: readings scatter (seeded by
    ``seed``); ``sustained``: readings in a row that must show the response (default from
    the data)."""
    person = response.patient(patient)
    if person.scale != "MAS":
        raise InputError("patient", person.preset, "a spasticity preset (spinal-spasticity, "
                         "cerebral-spasticity): baclofen screening reads muscle tone")
    doses = ladder(start)
    obs = _check_observe(observe, "baclofen")
    rule = _check_sustained(facts("readings")["sustained"].value if sustained is None
                            else sustained)
    rng = np.random.default_rng(_check_seed(seed))
    ph = response.pharmacology("baclofen", person.preset)
    spacing = facts("baclofen")["spacing"].value
    tests, reasons = [], []
    for k, mcg in enumerate(doses):
        b = _dose_batch("baclofen", mcg, ph, _one(person), rng, observe=obs,
                        every=facts("readings")["every"].value * 24, sustained=rule,
                        success=0.0, noise=noise, level=level)
        t = _dose(b, 0, mcg, k * spacing)
        tests.append(t)
        if t.responded or t.intolerable:
            break
    decision, reasons, first, note = _screening_decision(tests, obs, rule)
    return TrialResult("baclofen screening", "baclofen", person, "MAS", obs,
                       required_hours("baclofen"), _criterion("MAS", 0.0, rule), tests,
                       decision, reasons, first, note, observation_rule("baclofen", "screening"))


def _criterion(scale, success, rule) -> str:
    times = "reading" if rule == 1 else f"{rule} readings in a row"
    if scale == "MAS":
        fall = facts("baclofen")["positive_fall"].value
        return (f"tone at least {fall:g} Ashworth grade below the reading before the dose, "
                f"at {times}")
    return f"pain at least {100 * success:g} % below the reading before the dose, at {times}"


def _screening_decision(tests, obs, rule):
    f = facts("baclofen")
    last = tests[-1]
    short = obs < f["observe"].low * 24 - 1e-9
    if last.intolerable:
        return ("repeat", [f"The {fmt(last.dose, 'mass')} dose caused "
                           f"{', '.join(last.intolerable)}: treat, then screen again with a "
                           "lower dose."], None, "")
    if last.responded:
        reasons = [f"Tone fell by at least {f['positive_fall'].value:g} Ashworth grade at "
                   f"{fmt(last.dose, 'mass')} (that threshold is a teaching assumption; the "
                   f"label asks for a significant decrease {f['doses'].label})."]
        if short:
            return ("repeat", reasons + [_short_text(obs, "baclofen")], None, "")
        lasted = last.effect_hours > f["long_effect"].value * 24
        factor = 1.0 if lasted else f["first_dose_factor"].value
        why = (f"the screening dose itself, because its effect lasted over "
               f"{fmt(f['long_effect'].value, 'time')} {f['long_effect'].label}" if lasted else
               f"the positive screening dose doubled, over 24 h {f['first_dose_factor'].label}")
        still = last.readings.size and (last.before - last.readings[-1]
                                        >= f["positive_fall"].value - 1e-9)
        if not lasted and still:
            why += (f"; the effect was still there when watching stopped after "
                    f"{fmt(obs / 24, 'time')}: if it lasts beyond "
                    f"{fmt(f['long_effect'].value, 'time')}, the label starts at the "
                    f"screening dose itself {f['long_effect'].label}")
        return "candidate", reasons, last.dose * factor, why
    if short:
        return ("repeat", [_short_text(obs, "baclofen")], None, "")
    if last.single_good:
        more = "" if obs >= f["observe"].high * 24 - 1e-9 else " Watch the full 4-8 h next time."
        return ("repeat", [f"At {fmt(last.dose, 'mass')} the tone fell at one reading only: one "
                           f"good hour is not proof. Screen again.{more}"], None, "")
    return ("not a candidate", [f"No response up to {fmt(last.dose, 'mass')}: non-responders "
                                f"to 100 mcg are not pump candidates {f['doses'].label}."],
            None, "")


def _short_text(obs, drug) -> str:
    return (f"The observation ({significant(obs, 3)} h) was shorter than the "
            f"{significant(required_hours(drug), 3)} h required {_required_source(drug)}: the "
            "result cannot be trusted.")


# --- opioid and ziconotide single shot -----------------------------------------------------

def single_shot(drug="morphine", dose=None, patient="chronic-non-cancer-pain", *,
                observe=None, sustained=None, success=None, noise=True, seed=0,
                level="L3") -> TrialResult:
    """One intrathecal test dose of an opioid or ziconotide with hourly pain readings for
    ``observe`` (default: the required observation for the drug). Success: pain at least
    ``success`` (default 50 % [S89]) below the reading before the dose, sustained over
    consecutive readings, without intolerable side effects."""
    d = drugs.get(drug).name
    person = response.patient(patient)
    if person.scale != "NRS":
        raise InputError("patient", person.preset, "a pain preset (chronic-non-cancer-pain, "
                         "cancer-pain) for a pain trial")
    if dose is None:
        raise InputError("dose", dose, f"a test dose of {d} with its unit, e.g. "
                         f"'{_example_dose(d)}'")
    mcg = parse(dose, "mass", "dose")
    need = required_hours(d)
    obs = _check_observe(f"{need} h" if observe is None else observe, d)
    rule = _check_sustained(facts("readings")["sustained"].value if sustained is None
                            else sustained)
    ok = facts("pain")["success"].value if success is None else success
    if isinstance(ok, bool) or not isinstance(ok, (int, float)) or not 0.1 <= ok <= 0.9:
        raise InputError("success", success, "a fraction of the pain from 0.1 to 0.9 "
                         "(0.5 is a 50 % fall)")
    rng = np.random.default_rng(_check_seed(seed))
    ph = response.pharmacology(d, person.preset)
    b = _dose_batch(d, mcg, ph, _one(person), rng, observe=obs,
                    every=facts("readings")["every"].value * 24, sustained=rule, success=ok,
                    noise=noise, level=level)
    t = _dose(b, 0, mcg, 0.0)
    decision, reasons = _pain_decision(t, d, obs, ok)
    top = drugs.get(d).max_daily_dose
    if top is not None and top.value is not None and mcg > top.value:
        reasons.insert(0, f"The test dose {fmt(mcg, 'mass')} is more than the drug's whole "
                          f"maximum daily dose ({fmt(top.value, 'mass')} a day {top.label}): "
                          "check mg against mcg.")
    first, note = (_opioid_first_dose(d, person) if decision == "candidate" else (None, ""))
    return TrialResult("single-shot trial", d, person, "NRS", obs, need,
                       _criterion("NRS", ok, rule), [t], decision, reasons, first, note,
                       observation_rule(d, "single-shot"))


def _example_dose(drug: str) -> str:
    try:
        return test_dose(drug)
    except InputError:
        return "a dose with its unit, e.g. 1 mg"


def _pain_decision(t: TestDose, drug: str, obs: float, ok: float):
    reasons = []
    if "respiratory_depression" in t.effects:
        peak = t.peak_hours("respiratory_depression")
        if peak > obs:
            reasons.append(f"The risk of slowed breathing peaked {significant(peak, 2)} h after "
                           f"the dose, after the {significant(obs, 3)} h observation ended.")
    if t.missed:
        reasons.append(f"{', '.join(t.missed).capitalize()} came after the observation "
                       "ended: nobody was watching.")
    if obs < required_hours(drug) - 1e-9:
        return "repeat", [_short_text(obs, drug)] + reasons
    if t.intolerable:
        return "repeat", [f"Intolerable side effects ({', '.join(t.intolerable)}): repeat with "
                          "a lower dose."] + reasons
    if t.responded:
        return "candidate", [f"Pain fell by at least {100 * ok:g} % and stayed down "
                             f"{facts('pain')['success'].label}."] + reasons
    if t.single_good:
        return "repeat", ["Pain fell enough at one reading only: one good hour is not "
                          "proof. Repeat the trial."] + reasons
    return "not a candidate", [f"Pain never fell by {100 * ok:g} %: not a candidate at this "
                               "dose and drug."] + reasons


def _opioid_first_dose(drug: str, person: response.Patient):
    if person.opioid_tolerant and drugs.get(drug).is_opioid:
        m = response.pharmacology(drug, person.preset).maintenance
        return m.low, (f"the lower end of the range for opioid-tolerant patients, {m.text} "
                       f"{m.label}; no sourced rule converts a test dose into a pump dose")
    s = drugs.get(drug).starting_dose
    low = s.low if s.low is not None else s.high
    return low, (f"the lower end of the {drug} starting dose {s.text or fmt(s.high, 'dose_rate')}"
                 f" {s.label}; no sourced rule converts a test dose into a pump dose")


# --- continuous catheter trial ---------------------------------------------------------------

def continuous(drug="morphine", dose=None, patient="chronic-non-cancer-pain", *,
               concentration=None, days=None, tip="T10", success=None, noise=True,
               seed=0) -> TrialResult:
    """A continuous intrathecal trial over ``days`` (default 3 [S88]) through an external pump
    and a temporary catheter with its tip at ``tip``: the pump, catheter, CSF and response
    of ``itsim.simulate`` (the programmable 20 mL preset stands in for the external pump).
    Success: the mean pain reading over the last day at least ``success`` below the
    reading before the trial, without intolerable side effects."""
    from .simulation import simulate
    d = drugs.get(drug).name
    person = response.patient(patient)
    if person.scale != "NRS":
        raise InputError("patient", person.preset, "a pain preset for a pain trial")
    if dose is None:
        raise InputError("dose", dose, "a daily dose with its unit, e.g. '0.5 mg/day'")
    rate = parse(dose, "dose_rate", "dose")
    span = facts("pain")["continuous_days"].value if days is None else parse(
        days if isinstance(days, str) else f"{days} day", "time", "days")
    if not 1 <= span <= 14:
        raise InputError("days", days, "a trial of 1 to 14 days")
    ok = facts("pain")["success"].value if success is None else success
    if isinstance(ok, bool) or not isinstance(ok, (int, float)) or not 0.1 <= ok <= 0.9:
        raise InputError("success", success, "a fraction of the pain from 0.1 to 0.9")
    conc = concentration or f"{max(rate / 0.5, 1e-3)!r} mcg/mL"       # 0.5 mL/day by default
    tl = simulate(drug=d, concentration=conc, fill="20 mL",
                  program={"mode": "continuous", "dose": dose}, days=span, step="10 min",
                  catheter={"tip": tip, "primed": True}, patient=person)
    r = tl.response
    rng = np.random.default_rng(_check_seed(seed))
    every = facts("readings")["every"].value * 24
    hours = np.arange(1, tl.t.size + 1) * tl.step_minutes / 60
    rh = np.arange(every, hours[-1] + 1e-9, every)
    idx = np.clip(np.round(rh * 60 / tl.step_minutes).astype(int) - 1, 0, hours.size - 1)
    sd = _noise_sd("NRS") if noise else 0.0
    scatter = rng.normal(0.0, sd, rh.size + 1)
    readings = record(r.score[idx] * (1 - _placebo("NRS")), "NRS", scatter[1:])
    before = float(record(np.array([person.baseline]), "NRS", scatter[:1])[0])
    last_day = rh > hours[-1] - 24 + 1e-9
    mean_fall = 1 - readings[last_day].mean() / before if before > 0 else 0.0
    met = _met(np.array([before]), readings[None, :], "NRS", ok)[0]
    thr = response.model_facts()["syndrome_threshold"].value
    bad = [_effect_name(e) for e in facts("readings")["intolerable"].value
           if e in r.effects and r.effects[e].max() >= thr]
    t = TestDose(rate, 0.0, hours, r.score, r.effects, rh, readings, before,
                 bool(mean_fall >= ok - 1e-9), bool(met.any()), bad, [],
                 float(met.sum() * every))
    reasons = [f"Mean pain over the last day {100 * mean_fall:.0f} % below the reading before "
               f"the trial (success: {100 * ok:g} % {facts('pain')['success'].label})."]
    if bad:
        decision = "repeat"
        reasons.append(f"Intolerable side effects ({', '.join(bad)}): repeat at a lower dose.")
    elif t.responded:
        decision = "candidate"
    elif t.single_good:
        decision = "repeat"
        reasons.append("Some readings were good, but the last day's average was not: one "
                       "good hour is not proof.")
    else:
        decision = "not a candidate"
    first, note = (rate, "the daily dose that worked in the trial; a teaching choice, no "
                   "sourced rule") if decision == "candidate" else (None, "")
    return TrialResult("continuous trial", d, person, "NRS", span * 24, span * 24,
                       f"mean pain over the last day at least {100 * ok:g} % below the "
                       "reading before the trial", [t], decision, reasons, first, note,
                       observation_rule(d, "continuous"))


# --- cohorts ---------------------------------------------------------------------------------

@dataclass
class TrialCohort:
    """Outcomes of one trial protocol in ``n`` seeded virtual patients. ``decision``: one of
    DECISIONS per patient; ``positive_dose``: the test dose that gave the response (mcg, NaN
    if none); ``missed``: patients with an intolerable side effect only after the
    observation ended."""

    drug: str
    preset: str
    observe_hours: float
    sustained: int
    decision: np.ndarray
    positive_dose: np.ndarray
    missed: np.ndarray
    late_breathing: np.ndarray | None = None   # breathing risk peaked after the observation

    def share(self, decision: str) -> float:
        if decision not in DECISIONS:
            raise InputError("decision", decision, "one of " + ", ".join(DECISIONS))
        return float(np.mean(self.decision == decision))

    def summary(self) -> dict:
        out = {d: round(self.share(d), 4) for d in DECISIONS}
        out["missed_side_effects"] = round(float(np.mean(self.missed)), 4)
        if self.late_breathing is not None:
            out["breathing_peak_after_observation"] = round(float(np.mean(self.late_breathing)), 4)
        return out


def cohort(n: int, *, seed: int = 0, drug="baclofen", patient="spinal-spasticity", dose=None,
           observe=None, sustained=None, success=None, noise=True) -> TrialCohort:
    """The same trial in ``n`` seeded virtual patients of preset ``patient`` (drawn as in
    ``itsim.cohort``; the readings' scatter drawn per patient from the same seed). Baclofen:
    the screening ladder; other drugs: one test dose ``dose``. Decisions here follow the
    readings only (a too-short observation is not refused), so that two protocols can be
    compared on the same patients."""
    d = drugs.get(drug).name
    people = response.draw(patient, n, _check_seed(seed))
    ph = response.pharmacology(d, patient)
    scale = response.patient(patient).scale
    rule = _check_sustained(facts("readings")["sustained"].value if sustained is None
                            else sustained)
    obs = _check_observe(f"{default_observe(d)} h" if observe is None else observe, d)
    every = facts("readings")["every"].value * 24
    rng = np.random.default_rng([seed, 1])
    decision = np.full(n, "not a candidate", dtype=object)
    positive = np.full(n, np.nan)
    missed = np.zeros(n, dtype=bool)
    if d == "baclofen":
        if scale != "MAS":
            raise InputError("patient", patient, "a spasticity preset for baclofen screening")
        open_ = np.ones(n, dtype=bool)
        for mcg in ladder("50 mcg"):
            b = _dose_batch(d, mcg, ph, people, rng, observe=obs, every=every, sustained=rule,
                            success=0.0, noise=noise, level="L3")
            bad = np.any([m for m in b.intolerable.values()], axis=0) if b.intolerable else \
                np.zeros(n, bool)
            hit = open_ & b.responded & ~bad
            decision[hit] = "candidate"
            positive[hit] = mcg
            decision[open_ & bad] = "repeat"
            missed |= open_ & (np.any(list(b.missed.values()), axis=0) if b.missed else False)
            open_ &= ~(b.responded | bad)
        return TrialCohort(d, patient, obs, rule, decision, positive, missed)
    if dose is None:
        raise InputError("dose", dose, f"a test dose of {d}, e.g. '{_example_dose(d)}'")
    mcg = parse(dose, "mass", "dose")
    ok = facts("pain")["success"].value if success is None else success
    b = _dose_batch(d, mcg, ph, people, rng, observe=obs, every=every, sustained=rule,
                    success=ok, noise=noise, level="L3")
    bad = np.any(list(b.intolerable.values()), axis=0) if b.intolerable else np.zeros(n, bool)
    missed = np.any(list(b.missed.values()), axis=0) if b.missed else np.zeros(n, bool)
    decision[b.responded & ~bad] = "candidate"
    positive[b.responded & ~bad] = mcg
    decision[bad | (b.single_good & ~b.responded)] = "repeat"
    late = None
    if "respiratory_depression" in b.effects:
        peak = b.hours[np.argmax(b.effects["respiratory_depression"], axis=1)]
        late = peak > obs
    return TrialCohort(d, patient, obs, rule, decision, positive, missed, late)
