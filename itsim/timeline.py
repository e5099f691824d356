"""The result of a simulation: arrays on one time grid, the event log, summary and balance.

Arrays have one value per time step; step ``k`` covers days ``t[k]`` to ``t[k] + dt``.
Flows are means over the step (mL/day, mcg/day); ``reservoir`` is the volume at the step's
end (mL); ``catheter_fluid`` is the concentration of the solution leaving the catheter
(mcg/mL). With ``csf_target`` the CSF concentrations (mcg/mL) at the tip's level, the target
level and the cranial compartment (brainstem) are filled in too. Amounts are mcg; the drug is the scenario's drug unless ``by_drug`` says otherwise.
"""
from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

ALARM_KINDS = ("low-reservoir", "reservoir-empty", "elective-replacement", "end-of-service",
               "motor-stall")
CRITICAL = {"reservoir-empty", "end-of-service", "motor-stall"}


@dataclass(frozen=True)
class LogEntry:
    """One line of the event log. ``category`` is alarm, event or info."""

    day: float
    kind: str
    category: str
    detail: str = ""

    @property
    def critical(self) -> bool:
        return self.category == "alarm" and self.kind in CRITICAL

    def as_dict(self) -> dict:
        out = {"day": round(self.day, 4), "kind": self.kind, "category": self.category}
        if self.category == "alarm":
            out["critical"] = self.critical
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass
class Balance:
    """Drug accounts (mcg): everything put in = what is still in the pump and catheter +
    what left it (to the CSF, to tissue) + what was taken out at refills."""

    filled: float
    in_reservoir: float
    in_catheter: float
    to_csf: float
    to_tissue: float
    removed: float
    drained: float = 0.0        # taken out of the CSF by drainage (to_csf is net of it)

    @property
    def error(self) -> float:
        return self.filled - (self.in_reservoir + self.in_catheter + self.to_csf
                              + self.to_tissue + self.removed + self.drained)

    def as_dict(self) -> dict:
        out = {"filled_mcg": self.filled, "to_csf_mcg": self.to_csf,
               "to_tissue_mcg": self.to_tissue, "in_reservoir_mcg": self.in_reservoir,
               "in_catheter_mcg": self.in_catheter, "removed_at_refill_mcg": self.removed}
        if self.drained:
            out["drained_from_csf_mcg"] = self.drained
        return out


@dataclass
class Timeline:
    step_minutes: float
    commanded: np.ndarray
    delivered: np.ndarray
    reservoir: np.ndarray
    catheter_fluid: np.ndarray
    csf_cumulative: np.ndarray      # mcg to the CSF by the end of each step
    tissue_cumulative: np.ndarray   # mcg to tissue by the end of each step
    log: list
    drug: str
    by_drug: dict              # drug -> Balance
    catheter_volume: float     # mL, tubing + catheter
    first_drug_at_tip_day: float | None
    pump_kind: str
    extra: dict = field(default_factory=dict)
    csf: dict | None = None          # {"tip", "target", "brainstem": arrays; "levels", "model"}
    response: object = None          # itsim.body.response.Response, with a patient
    mass: np.ndarray | None = None   # size (0-1) of an inflammatory mass at the tip, if any
    rescue: dict | None = None       # emergency care: naloxone, benzodiazepine arrays

    @cached_property
    def t(self) -> np.ndarray:
        """Start of each step (days)."""
        return np.arange(self.commanded.size) * (self.step_minutes / 1440)

    @cached_property
    def to_csf(self) -> np.ndarray:
        """Drug reaching the CSF (mcg/day, mean over each step)."""
        return np.diff(self.csf_cumulative, prepend=0.0) * (1440 / self.step_minutes)

    @cached_property
    def to_tissue(self) -> np.ndarray:
        """Drug going to tissue instead (mcg/day, mean over each step)."""
        return np.diff(self.tissue_cumulative, prepend=0.0) * (1440 / self.step_minutes)

    @property
    def balance(self) -> Balance:
        return self.by_drug[self.drug]

    @property
    def mass_balance_error(self) -> float:
        """Largest |error| over all drugs (mcg); rounding only."""
        return max(abs(b.error) for b in self.by_drug.values())

    @property
    def alarms(self) -> list:
        return [e for e in self.log if e.category == "alarm"]

    def first(self, kind: str):
        """Day of the first log entry of ``kind``, or None."""
        return next((e.day for e in self.log if e.kind == kind), None)

    @property
    def reservoir_empty_day(self):
        return self.first("reservoir-empty")

    def summary(self) -> dict:
        """The figures scripts and tests read (``itsim run --json``)."""
        b = self.balance
        return {
            "drug": self.drug,
            "days": round(self.commanded.size * self.step_minutes / 1440, 6),
            "pump": self.pump_kind,
            "alarms": [{"kind": e.kind, "day": round(e.day, 4), "critical": e.critical}
                       for e in self.alarms],
            "reservoir_empty_day": _r(self.reservoir_empty_day),
            "delivered": {k: round(v, 6) for k, v in b.as_dict().items()},
            "delivered_by_drug": {d: {k: round(v, 6) for k, v in x.as_dict().items()}
                                  for d, x in self.by_drug.items()},
            "reservoir_end_ml": round(float(self.reservoir[-1]), 6),
            "catheter_volume_ml": round(self.catheter_volume, 6),
            "first_drug_at_tip_day": _r(self.first_drug_at_tip_day),
            "mass_balance_error": self.mass_balance_error,
            **self.extra,
            **({"inflammatory_mass": {
                "start_day": _r(self.first("inflammatory-mass")),
                "size_end": round(float(self.mass[-1]), 4)}} if self.mass is not None else {}),
            **({"response": self.response.summary(self.t)} if self.response else {}),
        }

    def to_json(self, indent: int | None = 2) -> str:
        out = dict(self.summary(), log=[e.as_dict() for e in self.log])
        return json.dumps(out, indent=indent)

    COLUMNS = ("day", "commanded_flow_ml_per_day", "delivered_flow_ml_per_day", "reservoir_ml",
               "catheter_fluid_mcg_per_ml", "to_csf_mcg_per_day", "to_tissue_mcg_per_day")
    CSF_COLUMNS = ("csf_tip_mcg_per_ml", "csf_target_mcg_per_ml", "csf_brainstem_mcg_per_ml")

    @property
    def columns(self) -> tuple:
        return (self.COLUMNS + (self.CSF_COLUMNS if self.csf else ())
                + (tuple(self.response.columns()) if self.response else ()))

    def rows(self, every: int = 1):
        """The arrays as rows (every ``every``-th step), in ``columns`` order."""
        cols = [self.t, self.commanded, self.delivered, self.reservoir,
                self.catheter_fluid, self.to_csf, self.to_tissue]
        if self.csf:
            cols += [self.csf["tip"], self.csf["target"], self.csf["brainstem"]]
        if self.response:
            cols += list(self.response.columns().values())
        return zip(*(np.round(c[::every], 9) for c in cols))

    def spine(self, day: float) -> np.ndarray:
        """CSF concentration (mcg/mL) in every compartment, sacral sac to cranial, at the end
        of the step containing ``day`` (needs ``csf_target``)."""
        if not self.csf:
            from .errors import InputError
            raise InputError("csf_target", None, "simulate with csf_target='T4' (say) first")
        k = min(int(day * 1440 / self.step_minutes), self.commanded.size - 1)
        model, inputs = self.csf["model"], self.csf["inputs"]
        every = range(model.volumes.size)
        return model.response([m[:k + 1] for m, _ in inputs], self.step_minutes,
                              [w for _, w in inputs], every)[:, k]

    def to_csv(self, file=None, every: int = 1) -> str | None:
        """Write the time series as CSV (to ``file``, a path or open file; else return it)."""
        if file is None:
            buf = io.StringIO()
            self.to_csv(buf, every)
            return buf.getvalue()
        if isinstance(file, (str, bytes)) or hasattr(file, "__fspath__"):
            with open(file, "w", newline="") as f:
                return self.to_csv(f, every)
        w = csv.writer(file)
        w.writerow(self.columns)
        w.writerows(self.rows(every))
        return None

    def text_summary(self) -> str:
        """A readable summary for people."""
        s = self.summary()
        d = s["delivered"]
        lines = [f"{s['days']:g} days, {self.pump_kind} pump, {self.drug}",
                 f"Delivered to the CSF: {_amount(d['to_csf_mcg'])}; to tissue: "
                 f"{_amount(d['to_tissue_mcg'])}",
                 f"Left in the reservoir: {s['reservoir_end_ml']:.2f} mL "
                 f"({_amount(d['in_reservoir_mcg'])}); in the catheter: "
                 f"{_amount(d['in_catheter_mcg'])} (catheter + tubing volume "
                 f"{s['catheter_volume_ml']:.3f} mL)"]
        tip = s["first_drug_at_tip_day"]
        lines.append("Drug first at the catheter tip: " + ("never" if tip is None else
                                                           f"day {tip:g}"))
        empty = s["reservoir_empty_day"]
        lines.append("Reservoir empty: " + ("no" if empty is None else f"day {empty:g}"))
        happened = [e for e in self.log if e.category != "alarm"]
        if happened:
            lines.append("Events: " + ", ".join(f"{e.kind} (day {e.day:.2f})"
                                                for e in happened[:12])
                         + (f", and {len(happened) - 12} more" if len(happened) > 12 else ""))
        lines.append("Alarms: " + (", ".join(f"{a['kind']} (day {a['day']:.2f}"
                                             f"{', critical' if a['critical'] else ''})"
                                             for a in s["alarms"]) or "none"))
        if "inflammatory_mass" in s:
            m = s["inflammatory_mass"]
            lines.append(f"Inflammatory mass at the tip from day {m['start_day']:g}: size "
                         f"{m['size_end']:.2f} of full at the end (traps the drug; the "
                         "neurological deficit grows with it)")
        lines += [finding_line(f) for f in s.get("findings", [])]
        for r in s.get("refills", []):
            lines.append(f"Refill day {r['day']:g}: expected {r['expected_ml']:g} mL, withdrawn "
                         f"{r['aspirated_ml']:g} mL ({r['discrepancy_ml']:+g} mL): "
                         + ("EVALUATE. " + r["meaning"] if r["flagged"] else "within range"))
        if self.response:
            lines += _response_lines(s["response"])
        lines.append(f"Mass balance error: {s['mass_balance_error']:.2e} mcg")
        return "\n".join(lines)


def finding_line(f: dict) -> str:
    """One dosing finding of ``summary()["findings"]`` for people."""
    return f"{f['severity'].upper()} (day {f['day']:g}): {f['message']} {f['source']}".rstrip()


def _response_lines(r: dict) -> list[str]:
    """The patient part of the readable summary."""
    lines = [f"Patient ({r['patient']}): {r['scale']} {r['baseline']:g} before, best "
             f"{r['score_best']:.1f} (day {r['score_best_day']:.2f}), {r['score_end']:.1f} at "
             "the end"]
    side = [f"{k.replace('_', ' ')} {v['max']:.2f}" for k, v in r["effects"].items()]
    lines.append("Side effects (largest index, 0-1): " + ", ".join(side))
    od, w = r["overdose"], r["withdrawal"]
    if od and od["first_day"] is not None:
        lines.append(f"OVERDOSE from day {od['first_day']:.2f}: {od['signs']}")
    if w["first_day"] is not None:
        lines.append(f"WITHDRAWAL from day {w['first_day']:.2f}: {w['features']}")
    return lines


def _r(x):
    return None if x is None or (isinstance(x, float) and math.isinf(x)) else round(x, 4)


def _amount(mcg: float) -> str:
    return f"{mcg / 1000:.3f} mg" if abs(mcg) >= 10_000 else f"{mcg:.2f} mcg"
