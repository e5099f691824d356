"""What the emergency-care events do in the simulator (numbers in ``data/emergency.toml``).

- ``it-bolus``: drug injected by lumbar puncture straight into the CSF (counted as filled and
  delivered to the CSF in the mass balance);
- ``csf-drainage``: CSF drained by lumbar puncture or through the catheter access port; the
  drug in it leaves the body (counted as removed in the balance: ``Balance.drained``, and
  taken off ``to_csf``, which is net of it). Because the CSF model is linear, removing the
  drug present at that moment is one negative input at that step: exact for the model;
- ``it-infusion``: the drug given into the CSF at a dose rate for a while by a physician
  (restoring intrathecal delivery while the pump or catheter cannot), counted like a bolus;
- ``naloxone``: blocks opioid effects, wearing off with its half-time (``Timeline.rescue``);
  with a ``duration`` the dose is spread evenly over it (an IV infusion);
- ``benzodiazepine``: eases the signs of withdrawal shown (not the cause) and adds sedation;
- ``call-help``: a log entry.

Pure numpy, used by ``itsim.simulation.simulate``.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import data
from .facts import parse_fact
from .timeline import LogEntry
from .units import fmt

KINDS = ("naloxone", "benzodiazepine", "csf-drainage", "it-bolus", "it-infusion", "call-help")
_UNITS = {"dose": "mass", "repeat": "time", "reconsider_after": "mass", "half_time": "time",
          "potency": "mass", "infusion_pocket_fill": "time", "volume": "volume",
          "dose_high": "mass", "infusion_dose": "mass", "onset": "time", "peak": "time",
          "lasts": "time"}
# catheter faults after which the access port no longer reaches the CSF
_CUT_OFF = ("catheter-disconnection", "catheter-fracture", "catheter-occlusion")


@lru_cache(maxsize=1)
def facts() -> dict:
    """{section: {name: Fact}} for the treatment sections of emergency.toml."""
    raw = data.load("emergency")
    out = {}
    for section in ("naloxone", "benzodiazepine", "drainage", "it_bolus", "it_infusion"):
        out[section] = {k: parse_fact(f"emergency.toml [{section}].{k}", k, v, _UNITS.get(k))
                        for k, v in raw[section].items()}
    return out


def _level(evs, kind, n, dt, half_time_min) -> np.ndarray:
    """Amount on board (the event's dose units, mcg) at each step: doses that decay."""
    from .body.recurrence import first_order
    given = np.zeros(n)
    for e in evs:
        if e.kind == kind:
            k = min(int(round(e.day * 1440 / dt)), n - 1)
            steps = max(1, int(round((e.get("duration") or 0) * 1440 / dt)))
            end = min(k + steps, n)
            given[k:end] += e.get("dose") / steps     # an infusion: spread over its steps
    if not given.any():
        return given
    return first_order(float(np.exp(-np.log(2) * dt / half_time_min)), given)


def rescue(evs, drug: str, n: int, dt: float) -> dict:
    """Arrays on the simulation's grid: naloxone on board (mcg), the factor that divides the
    opioid's effect-site concentration (``antagonism``, None when it does not apply) and the
    benzodiazepine effect (0-1)."""
    f = facts()
    nal, benzo = f["naloxone"], f["benzodiazepine"]
    out = {}
    if any(e.kind == "naloxone" for e in evs):
        level = _level(evs, "naloxone", n, dt, nal["half_time"].value * 1440)
        out["naloxone_mcg"] = level
        if drug in nal["reverses"].value:
            out["antagonism"] = 1.0 + level / nal["potency"].value
    if any(e.kind == "benzodiazepine" for e in evs):
        level = _level(evs, "benzodiazepine", n, dt, benzo["half_time"].value * 1440)
        out["benzodiazepine"] = level / (level + benzo["potency"].value)
    return out


def _nearest(volumes: np.ndarray, site: int, volume: float) -> np.ndarray:
    """Share of each compartment's CSF drained when ``volume`` mL is taken nearest ``site``
    first, outwards (the assumption ``[drainage].spread``)."""
    order = sorted(range(volumes.size), key=lambda i: (abs(i - site), i))
    share, left = np.zeros(volumes.size), volume
    for i in order:
        take = min(left, volumes[i])
        share[i] = take / volumes[i]
        left -= take
        if left <= 0:
            break
    return share


def csf_changes(tl, evs, drug, n, dt, model, inputs, real, tip):
    """Add the lumbar boluses and the drainages to the CSF ``inputs`` (in place; the first
    ``real`` of them are drug that entered the CSF, the rest the systemic equivalent of a
    pocket fill) and to the mass balance. Returns (mcg given by lumbar puncture, mcg of real
    drug drained)."""
    from .body import csf
    f = facts()
    lp_site = csf.index(f["drainage"]["puncture_level"].value)
    flags = [True] * real + [False] * (len(inputs) - real)
    given = 0.0
    extra = np.zeros(n)
    for e in evs:
        if e.kind not in ("it-bolus", "it-infusion"):
            continue
        k = min(int(round(e.day * 1440 / dt)), n - 1)
        if e.get("drug") not in (None, drug):
            tl.log.append(LogEntry(e.day, e.kind, "info", f"{e.get('drug')} is not the "
                                   f"drug followed in this run ({drug}): its effect is not "
                                   "simulated"))
            continue
        mass = np.zeros(n)
        if e.kind == "it-bolus":
            mass[k] = e.get("dose")
        else:                                   # mcg/day over its duration (days)
            steps = max(1, int(round(e.get("duration") * 1440 / dt)))
            mass[k:k + steps] = e.get("dose_rate") * dt / 1440
        inputs.append((mass, tip if e.get("site") == "tip" else lp_site))
        flags.append(True)
        given += float(mass.sum())
        extra += mass
    drained_total = 0.0
    cut = [e.day for e in evs if e.kind in _CUT_OFF]
    for e in sorted((e for e in evs if e.kind == "csf-drainage"), key=lambda e: e.day):
        k = min(int(round(e.day * 1440 / dt)), n - 1)
        route = e.get("route")
        if route == "access-port":
            if any(c <= e.day for c in cut):
                tl.log.append(LogEntry(e.day, "csf-drainage", "info", "the access port no "
                                       "longer reaches the CSF (catheter fault): nothing "
                                       "drained from the CSF"))
                continue
            site = tip
        else:
            site = lp_site
        share = _nearest(model.volumes, site, e.get("volume"))
        everything = range(model.volumes.size)
        removed = []
        for group in (True, False):
            chosen = [i for i, fl in enumerate(flags) if fl == group]
            if not chosen or k == 0:
                removed.append(np.zeros(model.volumes.size))
                continue
            state = model.response([inputs[i][0][:k] for i in chosen], dt,
                                   [inputs[i][1] for i in chosen], everything)[:, -1]
            removed.append(np.clip(state, 0, None) * model.volumes * share)
        for group, mcg in zip((True, False), removed):
            total = float(mcg.sum())
            if total <= 0:
                continue
            mass = np.zeros(n)
            mass[k] = -total
            inputs.append((mass, mcg / total))
            flags.append(group)
            if group:
                drained_total += total
                extra[k] -= total
        tl.log.append(LogEntry(e.day, "csf-drainage-removed", "info",
                               f"{removed[0].sum():.4g} mcg of {drug} removed with the CSF"))
    if given or drained_total:
        b = tl.by_drug[drug]
        b.filled += given
        b.to_csf += given - drained_total
        b.drained += drained_total
        tl.csf_cumulative = tl.csf_cumulative + np.cumsum(extra)
        tl.__dict__.pop("to_csf", None)
        if given:
            tl.extra["given_by_lumbar_puncture_mcg"] = round(given, 6)
    return given, drained_total


def log(tl, evs, has_patient: bool, has_csf: bool):
    """Log each emergency event; naloxone's running total and the 10 mg point."""
    nal = facts()["naloxone"]
    total = 0.0
    told = False
    for e in evs:
        if e.kind not in KINDS:
            continue
        detail = ""
        if e.kind == "naloxone":
            total += e.get("dose")
            over = (f" over {fmt(e.get('duration'), 'time', 'h')}" if e.get("duration")
                    else "")
            detail = (f"{fmt(e.get('dose'), 'mass', 'mg')} IV{over} (total "
                      f"{fmt(total, 'mass', 'mg')})")
            if tl.drug not in nal["reverses"].value:
                detail += f": naloxone does not reverse {tl.drug}"
            if total >= nal["reconsider_after"].value * (1 - 1e-9) and not told:
                told = True
                tl.log.append(LogEntry(e.day, "reconsider-diagnosis", "info",
                                       "10 mg of naloxone given: if there is no response, "
                                       "question the diagnosis [M5, S20]"))
        elif e.kind == "benzodiazepine":
            detail = f"{fmt(e.get('dose'), 'mass', 'mg')}: eases the signs, not the cause"
        elif e.kind == "csf-drainage":
            detail = f"{fmt(e.get('volume'), 'volume')} by {e.get('route').replace('-', ' ')}"
            if not has_csf:
                detail += " (no CSF simulated in this run: nothing removed)"
        elif e.kind == "it-bolus":
            detail = f"{fmt(e.get('dose'), 'mass')} by lumbar puncture"
        elif e.kind == "it-infusion":
            where = ("at the catheter tip" if e.get("site") == "tip"
                     else "by lumbar puncture")
            detail = (f"{fmt(e.get('dose_rate'), 'dose_rate')} into the CSF {where} for "
                      f"{fmt(e.get('duration'), 'time', 'h')}")
        elif e.kind == "call-help":
            detail = "help called"
        if e.kind in ("naloxone", "benzodiazepine") and not has_patient:
            detail += " (no patient simulated in this run: no effect shown)"
        tl.log.append(LogEntry(e.day, e.kind, "event", detail))
    tl.log.sort(key=lambda x: x.day)
