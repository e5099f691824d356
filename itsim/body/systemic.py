"""Drug that reaches the blood instead of the CSF: a pocket fill (drug injected under the skin
around the pump instead of into its reservoir).

itsim has no blood compartment. The drug in the pocket is absorbed with a first-order
half-time; what is absorbed is counted as the intrathecal dose that would have the same
effect (systemic dose ÷ the drug's ratio, ``data/response.toml [systemic]``) and spread through
the whole CSF by volume, since the blood reaches the brain and the spinal cord alike. The
result feeds the same CSF and response models, so a morphine pocket fill shows its overdose
course. Drugs without a ratio get no systemic effect (``equivalent_input`` returns None).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .. import data
from ..facts import Fact, parse_fact


@lru_cache(maxsize=1)
def facts() -> dict[str, Fact]:
    raw = data.load("response")["systemic"]
    out = {"absorption": parse_fact("response.toml [systemic].absorption", "absorption",
                                    raw["absorption"], "time")}
    for drug, f in raw["ratio"].items():
        out[drug] = parse_fact(f"response.toml [systemic].ratio.{drug}", f"ratio {drug}", f)
    return out


def all_facts():
    for name, f in facts().items():
        yield "systemic (pocket fill)", f


def equivalent_input(pockets, n: int, dt: float, drug: str) -> np.ndarray | None:
    """Intrathecal-equivalent mcg per step (``n`` steps of ``dt`` minutes) from
    ``pockets`` = [(step, mcg injected under the skin)]; None when nothing was injected or
    the drug has no sourced or assumed ratio."""
    f = facts()
    if not pockets or drug not in f:
        return None
    from .recurrence import first_order
    given = np.zeros(n)
    for k, mcg in pockets:
        given[k] += mcg
    keep = float(np.exp(-np.log(2) * dt / (f["absorption"].value * 1440)))
    depot = first_order(keep, given)                     # in the pocket at the end of each step
    absorbed = given + np.concatenate(([0.0], depot[:-1])) - depot
    return absorbed / float(f[drug].value)


def profile(volumes: np.ndarray) -> np.ndarray:
    """How a systemic dose is shared over the CSF compartments: by volume."""
    v = np.asarray(volumes, dtype=float)
    return v / v.sum()
