"""Complications over months and years: seeded risk processes with sourced rates.

>>> from itsim import hazards
>>> events = hazards.draw(years=10, seed=3, drug="morphine", concentration="25 mg/mL",
...                       dose="10 mg/day")
>>> all(e["kind"] in hazards.KINDS for e in events)
True

- catheter faults: 0.02 per patient-year, shared between occlusion, fracture, disconnection
  and kink as in a published series [S94];
- an inflammatory mass at the tip: 0.009 per patient-year [S99] at a reference morphine dose,
  scaled by the *morphine-equivalent* dose (hydromorphone counts at the highest sourced
  potency ratio, so 2 mg/day of hydromorphone weighs as 12 mg/day of morphine), more often at
  or above a morphine-equivalent 20 mg/mL [S101], rarely with other drugs. There is no floor
  on the onset: most masses start after 2-4 months [S98], but one was found at 5 weeks
  [S102]. It grows and traps the drug (simulated by the ``inflammatory-mass`` event: loss of
  effect; its size is the neurological deficit index);
- the battery: the replacement indicator 90 days before the end of a 5-7 year life [S3];
- MRI: :func:`mri_checklist` gives the steps for each kind of pump (data/devices.toml).

Events come out as dicts for :func:`itsim.simulate`; :func:`rates` checks long-run rates.
Numbers: ``data/hazards.toml``.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import data, drugs
from .errors import InputError
from .facts import Fact, parse_fact
from .units import parse

KINDS = ("catheter-occlusion", "catheter-fracture", "catheter-disconnection", "catheter-kink",
         "inflammatory-mass", "eri")
OPIOIDS_AT_RISK = ("morphine", "hydromorphone")
_UNITS = {"reference_dose": "dose_rate", "concentration_flag": "concentration",
          "earliest_reported": "time", "typical_onset": "time", "growth": "time",
          "life": "time"}
PUMP_KINDS = ("programmable", "valve-gated", "constant-flow")
MRI_WHEN = ("before", "during", "after")


@lru_cache(maxsize=None)
def facts(section: str) -> dict[str, Fact]:
    """Facts of ``[<section>]`` in hazards.toml (catheter, inflammatory-mass, battery)."""
    raw = data.load("hazards")[section]
    out = {}
    for key, value in raw.items():
        if key == "share":
            for kind, f in value.items():
                out[f"share {kind}"] = parse_fact(f"hazards.toml [{section}].share.{kind}",
                                                  kind, f)
        else:
            out[key] = parse_fact(f"hazards.toml [{section}].{key}", key, value,
                                  _UNITS.get(key))
    return out


def all_facts():
    for section in data.load("hazards"):
        for f in facts(section).values():
            yield f"hazard {section}", f


def mass_growth(days_since: np.ndarray, growth: float | None = None) -> np.ndarray:
    """Size of an inflammatory mass (0-1) ``days_since`` it started: first-order growth
    with half-time ``growth`` days (default from the data)."""
    half = facts("inflammatory-mass")["growth"].value if growth is None else growth
    t = np.maximum(np.asarray(days_since, dtype=float), 0.0)
    return 1.0 - np.exp2(-t / half)


def morphine_equivalent(drug) -> float:
    """How many mg of morphine one mg of ``drug`` counts as for the mass risk: 1 for
    morphine; for hydromorphone the highest of the sourced intrathecal ratios (2:1 to 6:1,
    data/drugs.toml), so that the risk is not understated (teaching assumption, see
    hazards.toml ``[inflammatory-mass].equivalence``). Other drugs: 1 (their rate is scaled
    by ``other_drug_factor`` instead)."""
    d = drugs.get(drug).name
    if d != "hydromorphone":
        return 1.0
    return max(float(r["value"])
               for r in drugs.conversions()["hydromorphone_morphine"]["ratios"])


def mass_rate(drug, concentration, dose) -> float:
    """Inflammatory masses per patient-year for ``drug`` at ``concentration`` and ``dose``.
    Morphine and hydromorphone are compared on their morphine-equivalent dose and
    concentration (:func:`morphine_equivalent`)."""
    f = facts("inflammatory-mass")
    d = drugs.get(drug).name
    conc = parse(concentration, "concentration", "concentration")
    dose = parse(dose, "dose_rate", "dose")
    if d not in OPIOIDS_AT_RISK:
        return dose / f["reference_dose"].value * f["rate"].value * f["other_drug_factor"].value
    k = morphine_equivalent(d)
    rate = k * dose / f["reference_dose"].value * f["rate"].value
    if k * conc >= f["concentration_flag"].value - 1e-9:
        rate *= f["concentration_factor"].value
    return rate


@lru_cache(maxsize=None)
def _mri_steps() -> tuple:
    out = []
    for i, raw in enumerate(data.load("devices")["mri"]["checklist"]):
        where = f"devices.toml [[mri.checklist]] {i + 1}"
        f = parse_fact(where, "mri", raw)
        if f.get("when") not in MRI_WHEN or not set(f.get("pumps", ())) <= set(PUMP_KINDS):
            raise InputError(where, raw, "when in " + ", ".join(MRI_WHEN) + "; pumps among "
                             + ", ".join(PUMP_KINDS))
        out.append(f)
    return tuple(out)


def mri_checklist(pump_kind: str, drug=None) -> list[Fact]:
    """The MRI steps for a ``pump_kind`` (programmable, valve-gated, constant-flow), in
    order before / during / after the scan; with ``drug`` (e.g. ``"baclofen"``) the steps
    for that drug are added. Each step is a :class:`Fact`: ``value`` is the text,
    ``source`` its tags, ``f["when"]`` the moment."""
    if not isinstance(pump_kind, str) or pump_kind not in PUMP_KINDS:
        raise InputError("pump_kind", pump_kind, "one of " + ", ".join(PUMP_KINDS))
    name = None if drug is None else drugs.get(drug).name
    steps = [f for f in _mri_steps() if pump_kind in f["pumps"]
             and (not f.get("drugs") or name in f["drugs"])]
    return sorted(steps, key=lambda f: MRI_WHEN.index(f["when"]))


def mri_checklist_text(pump_kind: str, drug=None) -> str:
    """The checklist as plain lines: 'Before: ... [S11]'."""
    return "\n".join(f"{f['when'].capitalize()}: {f.value} {f.label}"
                      for f in mri_checklist(pump_kind, drug))


def draw(years: float, seed: int, *, drug, concentration, dose, battery: bool = True) -> list:
    """Complications in one virtual patient over ``years`` (seeded): event dicts for
    :func:`itsim.simulate`, in time order. ``battery``: a battery-powered pump (ERI)."""
    if isinstance(years, bool) or not isinstance(years, (int, float)) or not 0 < years <= 30:
        raise InputError("years", years, "a number of years above 0, at most 30")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "a whole number, 0 or more")
    rng = np.random.default_rng([seed, 11])
    days = years * 365.25
    events = []
    cat = facts("catheter")
    t = rng.exponential(365.25 / cat["fault_rate"].value)
    if t < days:
        kinds = [k for k in KINDS[:4]]
        p = np.array([cat[f"share {k}"].value for k in kinds])
        kind = kinds[int(rng.choice(len(kinds), p=p / p.sum()))]
        events.append({"at": f"day {t:.4f}", "kind": kind})
    m = facts("inflammatory-mass")
    rate = mass_rate(drug, concentration, dose)
    t = rng.exponential(365.25 / rate) if rate > 0 else np.inf     # no floor on the onset
    if t < days:
        events.append({"at": f"day {t:.4f}", "kind": "inflammatory-mass"})
    if battery:
        b = facts("battery")["life"]
        end = rng.uniform(b.low, b.high)
        eri = end - 90
        if eri < days:
            events.append({"at": f"day {eri:.4f}", "kind": "eri"})
    return sorted(events, key=lambda e: float(e["at"].split()[1]))


def rates(n: int = 20000, years: float = 5.0, seed: int = 0, **therapy) -> dict:
    """Per patient-year, over ``n`` virtual patients followed ``years``: drawn rate of a first
    catheter fault and of a mass (each patient's first), beside the sourced/derived rate.
    Exact only while the chance of an event within ``years`` is small."""
    faults = masses = 0
    for i in range(n):
        kinds = [e["kind"] for e in draw(years, seed * 1_000_003 + i, battery=False,
                                         **therapy)]
        faults += any(k.startswith("catheter") for k in kinds)
        masses += "inflammatory-mass" in kinds
    return {"catheter_fault": (-np.log1p(-faults / n) / years, facts("catheter")["fault_rate"].value),
            "inflammatory_mass": (-np.log1p(-masses / n) / years, mass_rate(**therapy))}
