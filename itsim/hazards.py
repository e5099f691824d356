"""Complications over months and years: seeded risk processes with sourced rates.

>>> from itsim import hazards
>>> events = hazards.draw(years=10, seed=3, drug="morphine", concentration="25 mg/mL",
...                       dose="10 mg/day")
>>> all(e["kind"] in hazards.KINDS for e in events)
True

- catheter faults: 0.02 per patient-year, shared between occlusion, fracture, disconnection
  and kink as in a published series [S94];
- an inflammatory mass at the tip: 0.009 per patient-year [S99] at a reference opioid dose,
  scaled by the dose, more often at or above 20 mg/mL of morphine or hydromorphone [S101],
  rarely with other drugs, never before 2 months [S98]; it grows and traps the drug
  (simulated by the ``inflammatory-mass`` event: loss of effect; its size is the neurological
  deficit index);
- the battery: the replacement indicator 90 days before the end of a 5-7 year life [S3].

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
          "earliest": "time", "growth": "time", "life": "time"}


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


def mass_rate(drug, concentration, dose) -> float:
    """Inflammatory masses per patient-year for ``drug`` at ``concentration`` and ``dose``."""
    f = facts("inflammatory-mass")
    d = drugs.get(drug).name
    conc = parse(concentration, "concentration", "concentration")
    rate = parse(dose, "dose_rate", "dose") / f["reference_dose"].value * f["rate"].value
    if d not in OPIOIDS_AT_RISK:
        return rate * f["other_drug_factor"].value
    if conc >= f["concentration_flag"].value - 1e-9:
        rate *= f["concentration_factor"].value
    return rate


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
    t = m["earliest"].value + rng.exponential(365.25 / rate) if rate > 0 else np.inf
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
    f = facts("inflammatory-mass")
    at_risk = years - f["earliest"].value / 365.25
    return {"catheter_fault": (-np.log1p(-faults / n) / years, facts("catheter")["fault_rate"].value),
            "inflammatory_mass": (-np.log1p(-masses / n) / at_risk, mass_rate(**therapy))}
