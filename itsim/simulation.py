"""The chain on one time grid: program -> pump -> catheter -> Timeline.

>>> import itsim
>>> tl = itsim.simulate(drug="baclofen", concentration="500 mcg/mL", fill="20 mL",
...                     program={"mode": "continuous", "dose": "300 mcg/day"}, days=60)
>>> tl.first("low-reservoir")
30.0

Every stage works on whole arrays; Python loops run only over events (refills, faults,
boluses), never over time steps.
"""
from __future__ import annotations

import numpy as np

from . import drugs as _drugs
from . import emergency_events
from .dosing import _bridge
from .device.catheter import Catheter, build_inlet, exit_offset, make_catheter
from .device.program import Program, accept_presses, program as make_program, random_presses
from .device.pump import (Pump, ambient_pressure, constant_flow_factor, draw_from_reservoir,
                          make_pump, refill_day)
from .errors import InputError
from .events import Event, event as make_event
from .timeline import Balance, LogEntry, Timeline
from .units import fmt, parse

MIN_PER_DAY = 1440.0
MAX_STEPS = 6_000_000


def simulate(*, drug, concentration, fill, program=None, pump="programmable-20",
             catheter=None, events=(), days=180, step="1 min", patient_presses=None,
             csf_target=None, patient=None) -> Timeline:
    """Simulate a pump and catheter for ``days``.

    ``drug``/``concentration``/``fill``: what is in the reservoir at the start. ``program``:
    a Program or a dict such as ``{"mode": "continuous", "dose": "300 mcg/day"}`` (not for
    constant-flow pumps). ``pump``: a preset name, a dict of pump settings (``preset``,
    ``low_reservoir_alarm``, ``accuracy``, ``flow``, ``flow_activated_valve``) or a Pump.
    ``catheter``: a dict (``length``, ``tip``, ``primed``, ...) or a Catheter. ``events``:
    Event values or dicts with ``at`` and ``kind``. ``patient_presses``: for a program with
    patient boluses, a list of days the button is pressed, or ``{"per_day": 3.6, "seed": 1}``.
    ``csf_target``: a vertebral level (e.g. ``"T4"``) to also follow the drug in the CSF at
    the tip, that level and the brainstem (for drugs whose CSF half-life is sourced).
    ``patient``: a preset name (``"cancer-pain"``, ...) or a dict (``preset``, ``baseline``,
    ``seed``, ...) to also simulate what the patient feels (``Timeline.response``); the target
    is then the tip's level unless ``csf_target`` says otherwise.
    """
    d = _drugs.get(drug)
    pump = _pump(pump)
    cath = _catheter(catheter)
    dt = round(parse(step, "time", "step") * MIN_PER_DAY, 9)      # minutes, free of float dust
    days_f = parse(days if not isinstance(days, (int, float)) or isinstance(days, bool)
                   else f"{days} day", "time", "days")
    n = int(round(days_f * MIN_PER_DAY / dt))
    if abs(n * dt - days_f * MIN_PER_DAY) > 1e-6 * dt or n < 1:
        raise InputError("step", step, f"must divide the {days_f:g} days simulated into whole "
                         "steps (e.g. '1 min', '10 min', '1 h')")
    if n > MAX_STEPS:
        raise InputError("days", days, f"at most {MAX_STEPS} steps of "
                         f"{fmt(dt / MIN_PER_DAY, 'time', 'min')}: use a longer step for years")
    conc0 = parse(concentration, "concentration", "concentration")
    fill0 = parse(fill, "volume", "fill", allow_zero=True)
    if fill0 > pump.reservoir * (1 + 1e-9):
        raise InputError("fill", fill, f"the reservoir holds {fmt(pump.reservoir, 'volume')}")
    prog = _program(program, pump)
    if events is None or isinstance(events, (str, dict)) or not hasattr(events, "__iter__"):
        raise InputError("events", events, "expected a list of events")
    evs = sorted((_event(e) for e in events), key=lambda e: e.day)
    for e in evs:
        if int(round(e.day * MIN_PER_DAY / dt)) >= n:
            raise InputError(f"{e.kind}.at", f"day {e.day:g}", f"before the end of the "
                             f"{days_f:g} days simulated")
        _applies(e, pump)
    presses = _presses(patient_presses, days_f)
    if patient is not None:
        from .body import response
        person = response.patient(patient)
        pharm = response.pharmacology(d.name, person.preset)
        csf_target = cath.tip if csf_target is None else csf_target
    if csf_target is not None:
        from .body import csf
        target = csf.index(str(csf_target))
        model = csf.model_for(d.name)
    sim = _Chain(d.name, conc0, fill0, prog, pump, cath, evs, n, dt, presses)
    tl = sim.run()
    if csf_target is not None:
        levels = [csf.index(cath.tip), target, csf.index("cranial")]
        mass = np.diff(tl.csf_cumulative, prepend=0.0)
        inputs, fast = csf.catheter_inputs(mass, sim.entered / dt, levels[0])
        from .body import systemic
        absorbed = systemic.equivalent_input([(k, m) for k, dg, m in sim.pockets
                                              if dg == d.name], n, dt, d.name)
        real = len(inputs)                    # inputs of drug that really entered the CSF
        if absorbed is not None:              # a pocket fill reaching the CSF through the blood
            inputs.append((absorbed, systemic.profile(model.volumes)))
        emergency_events.csf_changes(tl, evs, d.name, n, dt, model, inputs, real,
                                                 levels[0])
        conc = model.response([m for m, _ in inputs], dt, [w for _, w in inputs], levels)
        tl.csf = {"tip": conc[0], "target": conc[1], "brainstem": conc[2], "levels": levels,
                  "model": model, "fast": fast, "inputs": inputs}
    if patient is not None:
        # scores and indices in single precision (7 digits are plenty for a 0-10 score and
        # halve the memory traffic); the filters behind them run in double precision
        rescue = emergency_events.rescue(evs, d.name, n, dt)
        tl.response = response.respond(
            conc[1], conc[2], dt, pharm, baseline=person.baseline, exposure=person.exposure,
            sensitivity=person.sensitivity, tolerance=person.tolerance, dtype=np.float32,
            antagonism=rescue.get("antagonism"))
        tl.response.patient = person
        tl.rescue = rescue
    emergency_events.log(tl, evs, patient is not None, csf_target is not None)
    return tl


# What heat, altitude and a dive do to pumps that are not gas-driven, as the log says it.
_NO_FLOW_CHANGE = ("no change in flow in this model: a {} pump sets its own flow; only a "
                   "gas-driven constant-flow pump speeds up with heat or low outside pressure "
                   "[S46]")
ENVIRONMENT_NOTES = {
    "programmable": {
        "temperature": _NO_FLOW_CHANGE.format("programmable"),
        "altitude": _NO_FLOW_CHANGE.format("programmable"),
        "dive": _NO_FLOW_CHANGE.format("programmable") + "; a baclofen pump's reservoir was "
                "deformed after scuba diving, and the advice is no deeper than 10 m [S58]"},
    "valve-gated": {
        "temperature": _NO_FLOW_CHANGE.format("valve-gated"),
        "altitude": _NO_FLOW_CHANGE.format("valve-gated"),
        "dive": "pressure effects on a valve-gated pump are not modelled: its maker forbids "
                "hyperbaric exposure [S42]"},
}

PUMP_KEYS = {"preset", "low_reservoir_alarm", "accuracy", "flow", "flow_activated_valve"}
CATHETER_KEYS = {"length", "tip", "volume_per_cm", "tubing_volume", "primed"}
PROGRAM_KEYS = {"mode", "dose", "rate", "steps", "bolus_dose", "bolus_duration", "bolus_every",
                "patient_bolus"}


def _known(name: str, spec: dict, allowed: set):
    for key in spec:
        if key not in allowed:
            raise InputError(f"{name}.{key}", spec[key], "unknown; allowed: "
                             + ", ".join(sorted(allowed)))


def _presses(spec, days: float):
    """Patient button presses: a list of days within the run, or {"per_day", "seed"}."""
    if spec is None:
        return None
    if isinstance(spec, dict):
        _known("patient_presses", spec, {"per_day", "seed"})
        per_day, seed = spec.get("per_day"), spec.get("seed", 0)
        if isinstance(per_day, bool) or not isinstance(per_day, (int, float)) or not (
                0 < per_day <= 48):
            raise InputError("patient_presses.per_day", per_day, "expected presses a day, "
                             "more than 0 and at most 48")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise InputError("patient_presses.seed", seed, "expected a whole number, 0 or more")
        return {"per_day": float(per_day), "seed": seed}
    if isinstance(spec, (str, bytes)) or not hasattr(spec, "__iter__"):
        raise InputError("patient_presses", spec, "expected a list of days or "
                         "{'per_day': 4, 'seed': 1}")
    out = []
    for x in spec:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 <= x < days:
            raise InputError("patient_presses", x, f"each press is a day from 0 to before "
                             f"{days:g}")
        out.append(float(x))
    return out


def _pump(spec) -> Pump:
    if isinstance(spec, Pump):
        return spec
    if isinstance(spec, str):
        return make_pump(spec)
    if isinstance(spec, dict):
        spec = dict(spec)
        _known("pump", spec, PUMP_KEYS)
        return make_pump(spec.pop("preset", "programmable-20"), **spec)
    raise InputError("pump", spec, "expected a preset name, a dict of settings or a Pump")


def _catheter(spec) -> Catheter:
    if isinstance(spec, Catheter):
        return spec
    if spec is None:
        return make_catheter()
    if isinstance(spec, dict):
        _known("catheter", spec, CATHETER_KEYS)
        return make_catheter(**spec)
    raise InputError("catheter", spec, "expected a dict of settings or a Catheter")


def _program(spec, pump: Pump) -> Program | None:
    if not pump.programmable:
        if spec is not None:
            raise InputError("program", spec, "a constant-flow pump cannot be programmed: its "
                             "rate is fixed (set pump.flow)")
        return None
    if spec is None:
        raise InputError("program", None, "a programmable pump needs a program, e.g. "
                         "{'mode': 'continuous', 'dose': '300 mcg/day'}")
    if isinstance(spec, Program):
        return spec
    if isinstance(spec, dict):
        _known("program", spec, PROGRAM_KEYS)
        return make_program(**spec)
    raise InputError("program", spec, "expected a dict such as {'mode': 'continuous', "
                     "'dose': '300 mcg/day'} or a Program")


# Events a pump kind cannot carry out, and why (refused before anything is simulated).
NOT_ON = {
    "constant-flow": (("program", "bolus", "priming-bolus", "bridge-bolus", "patient-bolus",
                       "eri"),
                      "a constant-flow pump cannot be programmed or give a bolus, and has no "
                      "battery: its rate is fixed. Drug can be given through the catheter "
                      "access port (cap-injection)"),
}


def _applies(e: Event, pump: Pump):
    kinds, why = NOT_ON.get(pump.kind, ((), ""))
    if e.kind in kinds:
        raise InputError(f"{e.kind}.at", f"day {e.day:g}", why)


def _event(spec) -> Event:
    if isinstance(spec, Event):
        if (isinstance(spec.day, bool) or not isinstance(spec.day, (int, float))
                or not np.isfinite(spec.day) or spec.day < 0):
            raise InputError(f"{spec.kind}.at", spec.day, "a day from 0 on (a finite number)")
        return spec
    if isinstance(spec, dict):
        spec = dict(spec)
        if "at" not in spec or "kind" not in spec:
            raise InputError("event", spec, "each event needs 'at' and 'kind'")
        return make_event(spec.pop("at"), spec.pop("kind"), **spec)
    raise InputError("event", spec, "expected a dict with 'at' and 'kind', or an Event")


class _Chain:
    """One simulation run. Stages fill arrays of ``n`` steps of ``dt`` minutes."""

    def __init__(self, drug, conc, fill, prog, pump, cath, events, n, dt, presses):
        self.drug, self.conc0, self.fill0 = drug, conc, fill
        self.prog, self.pump, self.cath, self.events = prog, pump, cath, events
        self.n, self.dt, self.presses = n, dt, presses
        self.log: list[LogEntry] = []
        self.extra: dict = {}

    # -- helpers -------------------------------------------------------------------------------
    def k(self, day: float) -> int:
        """The step an event at ``day`` happens in (at its start)."""
        return min(int(round(day * MIN_PER_DAY / self.dt)), self.n)

    def day(self, k: int) -> float:
        return k * self.dt / MIN_PER_DAY

    def note(self, day, kind, category="event", detail=""):
        self.log.append(LogEntry(float(day), kind, category, detail))

    # -- stage 1: program -> commanded flow (mL/day) ---------------------------------------------
    def commanded(self) -> np.ndarray:
        n, dt = self.n, self.dt
        if self.prog is None:                             # constant-flow: the restrictor's rate
            return np.full(n, self.pump.flow)
        q = np.zeros(n)
        prog, conc_prog = self.prog, self.conc0
        self._check_rate(prog, conc_prog, 0.0)
        start = 0
        self.programs = [(0, prog, conc_prog)]
        changes = [e for e in self.events if e.kind == "program" or (
            e.kind == "refill" and (e.get("programmed_concentration") is not None
                                    or e.get("concentration") is not None))]
        for i, e in enumerate(changes):
            if e.kind == "program":
                prog = e.get("program")
                self.note(e.day, "program-change", "event", _describe(prog, conc_prog))
            else:
                conc_prog = e.get("programmed_concentration", e.get("concentration"))
            k = self.k(e.day)
            if i + 1 < len(changes) and self.k(changes[i + 1].day) == k:
                continue                             # apply every change of this step first
            q[start:k] = self.programs[-1][1].flows(start, k, dt, self.programs[-1][2])
            self._check_rate(prog, conc_prog, e.day)
            self.programs.append((k, prog, conc_prog))
            start = k
        q[start:] = self.programs[-1][1].flows(start, n, dt, self.programs[-1][2])
        self._overrides(q)
        return q

    def _check_rate(self, prog: Program, conc_prog: float, day: float):
        uses_dose = prog.rate is None and prog.mode != "stopped"
        if conc_prog <= 0 and uses_dose:
            raise InputError("refill.programmed_concentration", f"0 mcg/mL on day {day:g}",
                             "a program given as a dose needs the drug's concentration; for "
                             "saline, program a rate (e.g. the minimum 0.048 mL/day)")
        top = self.pump.preset.max_rate
        if prog.bolus_dose is not None and top is not None and conc_prog > 0 and (
                prog.bolus_dose / conc_prog / prog.bolus_duration > top * (1 + 1e-6)):
            raise InputError("program.bolus_duration", fmt(prog.bolus_duration, "time", "min"),
                             f"the bolus would run faster than the pump can deliver (about "
                             f"{fmt(top, 'flow')}): give it over a longer time")
        if prog.mode not in ("continuous", "flex", "periodic-bolus"):
            return
        basal = ([d / conc_prog for _, d in prog.steps] if prog.mode == "flex"
                 else [prog.basal_flow(conc_prog)])
        lo, hi = self.pump.preset.min_rate, self.pump.preset.max_rate
        for flow in basal:
            if lo is not None and 0 < flow < lo * (1 - 1e-9):
                raise InputError("program", f"{fmt(flow, 'flow')} on day {day:g}",
                                 f"below the pump's minimum rate {fmt(lo, 'flow')}: use a "
                                 "lower concentration")
            if hi is not None and flow > hi * (1 + 1e-9):
                raise InputError("program", f"{fmt(flow, 'flow')} on day {day:g}",
                                 f"above what the pump can deliver (about {fmt(hi, 'flow')})")

    def _program_at(self, k: int):
        current = self.programs[0]
        for p in self.programs:
            if p[0] <= k:
                current = p
        return current

    def _window(self, q, day, duration, volume, replace=False):
        """Deliver ``volume`` mL over ``duration`` days from ``day``: exactly that volume over
        the whole steps the window covers (at least one)."""
        a = min(self.k(day), self.n - 1)
        b = min(max(self.k(day + duration), a + 1), self.n)
        flow = volume / ((b - a) * self.dt / MIN_PER_DAY)
        top = self.pump.preset.max_rate
        if top is not None and volume / duration > top * (1 + 1e-6):
            raise InputError("bolus", f"{fmt(volume, 'volume')} over "
                             f"{fmt(duration, 'time', 'min' if duration < 1 / 24 else 'h')}",
                             f"faster than the pump can deliver (about {fmt(top, 'flow')}): "
                             "give it over a longer time")
        if replace:
            q[a:b] = flow
        else:
            q[a:b] += flow
        return a, b

    def _overrides(self, q):
        """Boluses on top of the program, and priming and bridge boluses that replace it (one
        after another: a second replacing bolus starts when the one before has finished)."""
        free = 0                                     # first step after the last replacing bolus
        for e in self.events:
            _, prog, conc_prog = self._program_at(self.k(e.day))
            if e.kind == "bolus":
                dur = e.get("duration")
                _dose_needs_drug("bolus.at", e.day, conc_prog)
                self._window(q, e.day, dur, e.get("dose") / conc_prog)
                self.note(e.day, "bolus", "event", f"{fmt(e.get('dose'), 'mass')} over "
                          f"{fmt(dur, 'time', 'min' if dur < 1 / 24 else 'h')}")
            elif e.kind == "priming-bolus":
                top = self.pump.preset.max_rate
                if e.get("duration") is None and top is None:
                    raise InputError("priming-bolus.duration", None, "needed for this pump: "
                                     "its maximum rate is not in the sources")
                dur = e.get("duration") or self.cath.volume / top
                _, free = self._window(q, max(e.day, free * self.dt / MIN_PER_DAY), dur,
                                       self.cath.volume, replace=True)
                self.note(e.day, "priming-bolus", "event",
                          f"{fmt(self.cath.volume, 'volume')} to fill tubing and catheter")
            elif e.kind == "bridge-bolus":
                if prog.mode != "continuous" or prog.dose is None:
                    raise InputError("bridge-bolus.at", f"day {e.day:g}", "a bridge bolus "
                                     "needs a continuous program with a dose")
                bridge = _bridge(prog.dose, e.get("old_concentration"), conc_prog,
                                 catheter=self.cath.catheter_volume)   # tubing: a range [S17]
                _, free = self._window(q, max(e.day, free * self.dt / MIN_PER_DAY),
                                       bridge.duration, bridge.volume, replace=True)
                self.note(e.day, "bridge-bolus", "event", f"{fmt(bridge.flow, 'flow')} for "
                          f"{fmt(bridge.duration, 'time')} to clear the old solution")
        self._patient_boluses(q)

    def _patient_boluses(self, q):
        limits = [(k, p.patient_bolus, c) for k, p, c in self.programs if p.patient_bolus]
        presses = [e.day for e in self.events if e.kind == "patient-bolus"]
        if isinstance(self.presses, dict):
            presses += list(random_presses(float(self.presses.get("per_day", 0)),
                                           self.day(self.n), int(self.presses.get("seed", 0))))
        elif self.presses is not None:
            presses += [float(x) for x in self.presses]
        if not presses:
            return
        if not limits:
            raise InputError("patient-bolus", presses[0], "the program has no patient bolus")
        resets = [e.day for e in self.events if e.kind in ("refill", "program")]
        bounds = [self.day(k) for k, _, _ in self.programs] + [np.inf]
        accepted, refused = [], []
        for (k, prog, conc), end in zip(self.programs, bounds[1:]):
            mine = [d for d in presses if self.day(k) <= d < end]
            if prog.patient_bolus is None:         # no patient bolus in this program
                refused += mine
                continue
            given, denied = accept_presses(mine, prog.patient_bolus, resets)
            accepted += given
            refused += denied
            if given:
                _dose_needs_drug("patient-bolus.at", given[0], conc)
            for day in given:
                self._window(q, day, prog.patient_bolus.duration, prog.patient_bolus.dose / conc)
        self.extra["patient_boluses"] = {"pressed": len(presses), "given": len(accepted),
                                         "refused": len(refused)}

    # -- stage 2: pump -> delivered volume per step (mL) -------------------------------------------
    def pump_stage(self, commanded: np.ndarray):
        pump, n = self.pump, self.n
        want = commanded * (pump.accuracy * self.dt / MIN_PER_DAY)
        if pump.kind == "constant-flow" and any(e.kind in ("temperature", "altitude", "dive")
                                                for e in self.events):
            want *= self._environment()
        stopping = {"catheter-kink", "catheter-occlusion", "eri", "mri", "infection"}
        stop = np.ones(n) if any(e.kind in stopping for e in self.events) else None
        fills = [(0, self.fill0)]
        estimates = self.estimates = [(0, self.fill0)]   # what the pump believes it holds
        self.halted = []                  # steps when the pump itself stood still (it knows)
        self.reservoir_conc = [(0, self.drug, self.conc0)]
        for e in self.events:
            k = self.k(e.day)
            if e.kind in ("catheter-kink", "catheter-occlusion"):
                factor = 0.0 if e.kind == "catheter-occlusion" else 1 - e.get("fraction")
                stop[k:] *= factor
                self.note(e.day, e.kind, "event")
            elif e.kind == "eri":
                if pump.preset.value("eri_to_end_of_service") is None:
                    raise InputError("eri.at", f"day {e.day:g}", "only for pumps whose battery "
                                     "behaviour is in the sources (the programmable presets); a "
                                     "constant-flow pump has no battery")
                if any(x.kind == "elective-replacement" for x in self.log):
                    self.note(e.day, "eri-repeated", "info", "the indicator was already on")
                    continue
                self.note(e.day, "elective-replacement", "alarm")
                eos = e.day + pump.preset.value("eri_to_end_of_service")
                if self.k(eos) < n:
                    stop[self.k(eos):] = 0.0
                    self.halted.append((self.k(eos), n))
                    self.note(eos, "end-of-service", "alarm")
            elif e.kind == "mri":
                self._mri(e, want, stop, fills)
            elif e.kind == "fav-reset":                # the MRI handling reads these
                self.note(e.day, "fav-reset", "event", "" if pump.kind == "valve-gated" else
                          "nothing to reset: only a valve-gated pump has a flow-activated valve")
            elif e.kind in ("temperature", "altitude", "dive") and pump.kind != "constant-flow":
                self.note(e.day, e.kind, "info", ENVIRONMENT_NOTES[pump.kind][e.kind])
            elif e.kind in ("infection", "csf-leak"):
                self._complication(e, stop)
            elif e.kind in ("refill", "empty"):
                volume = e.get("volume", 0.0)
                if volume > pump.reservoir * (1 + 1e-9):
                    raise InputError("refill.volume", fmt(volume, "volume"),
                                     f"the reservoir holds {fmt(pump.reservoir, 'volume')}")
                fills.append((k, volume))
                entered = e.get("entered_volume")
                if entered is not None and entered > pump.reservoir * (1 + 1e-9):
                    raise InputError("refill.entered_volume", fmt(entered, "volume"),
                                     f"the programmer takes at most the reservoir, "
                                     f"{fmt(pump.reservoir, 'volume')}")
                estimates.append((k, volume if entered is None else entered))
                last = self.reservoir_conc[-1]
                drug = e.get("drug", last[1]) if e.kind == "refill" else last[1]
                if e.kind == "refill" and e.get("concentration") is None and (
                        drug != last[1] or last[2] == 0):
                    raise InputError("refill.concentration", None, f"needed on day {e.day:g}: "
                                     "the drug changes or the pump was emptied before")
                conc = e.get("concentration", last[2]) if e.kind == "refill" else 0.0
                if drug is not None:
                    _drugs.get(drug)
                self.reservoir_conc.append((k, drug, conc))
                self.note(e.day, e.kind, "event", f"{fmt(volume, 'volume')} of {drug} "
                          f"{fmt(conc, 'concentration')}" if e.kind == "refill" else "")
        if stop is not None:
            want *= stop
        pulse = pump.preset.value("pulse_volume") if pump.kind == "valve-gated" else None
        res = draw_from_reservoir(want, fills, pump.low_reservoir_alarm
                                  if pump.programmable else None, pulse)
        refills = [e for e in self.events if e.kind == "refill"]
        inexact = estimates != fills or abs(pump.accuracy - 1) > 1e-12 or stop is not None
        if refills or (inexact and pump.programmable):
            # the pump's own estimate: entered volume less what it was told to deliver. It
            # does not measure its reservoir, so its low-reservoir alarm follows the estimate
            # (a blocked catheter does not stop the count; a stalled or dead pump does)
            told = commanded * (self.dt / MIN_PER_DAY)
            for a, b in self.halted:
                told[a:b] = 0.0
            if inexact and pump.programmable:
                res.low_steps = draw_from_reservoir(told, estimates, pump.low_reservoir_alarm,
                                                    pulse).low_steps
            self.extra["refills"] = [self._refill_check(e, res, estimates, told)
                                     for e in refills]
        # Only the programmable preset's alarms are in the sources; the valve-gated controller
        # plans the refill for the 3 mL point [S43], and a constant-flow pump has no alarms.
        alarms = pump.kind == "programmable"
        for k in res.low_steps:
            self.note(self.day(k), "low-reservoir" if alarms else "refill-point",
                      "alarm" if alarms else "event")
        for k in res.empty_steps:
            self.note(self.day(k), "reservoir-empty", "alarm" if alarms else "event")
        self.fills = fills
        return res

    def _complication(self, e, stop):
        """An infection or a CSF leak: no device physics, a log entry with its signs; an
        infected pump may be removed (delivery stops)."""
        from .implant import complication_table
        table = complication_table()
        if e.kind == "csf-leak":
            self.note(e.day, "csf-leak", "event", table["csf-leak"].signs)
            return
        depth = e.get("depth")
        if depth not in ("superficial", "deep"):
            raise InputError("infection.depth", depth, "'superficial' or 'deep'")
        c = table[f"{depth}-infection"]
        self.note(e.day, "infection", "event", f"{c.label}: {c.signs}")
        if e.get("explant") is not None:
            out = e.day + e.get("explant")
            stop[self.k(out):] = 0.0
            self.halted.append((self.k(out), self.n))
            self.note(out, "explant", "event", "the infected pump is removed: delivery stops")

    def _refill_check(self, e, res, estimates, told) -> dict:
        """At a refill: the volume the pump expects, what is really there, what was withdrawn,
        and whether the difference needs evaluating [S72]."""
        from .refill import discrepancy
        k = self.k(e.day)
        start, entered = [(s, v) for s, v in estimates if s < k][-1] if k else (0, self.fill0)
        given = told[start:k].sum()                # mL the pump was told to give since then
        expected = max(entered - float(given), 0.0)
        actual = float(res.reservoir[k - 1]) if k else self.fill0
        aspirated = e.get("aspirated", actual) if e.get("aspirated") is not None else actual
        d = discrepancy(f"{expected!r} mL", f"{aspirated!r} mL", pump=self.pump.preset.name)
        return {"day": round(e.day, 4), "expected_ml": round(expected, 4),
                "in_reservoir_ml": round(actual, 4), "aspirated_ml": round(aspirated, 4),
                "discrepancy_ml": round(d.difference, 4) + 0.0,   # + 0.0: never "-0"
                "flagged": d.flagged,
                "meaning": d.meaning}

    def _mri(self, e, want, stop, fills):
        pump, k = self.pump, self.k(e.day)
        dur = e.get("duration")
        if e.get("emptied"):
            fills.append((k, 0.0))
            self.estimates.append((k, 0.0))
            self.reservoir_conc.append((k, self.reservoir_conc[-1][1], 0.0))
            self.note(e.day, "empty", "event", "emptied before the MRI")
        if pump.kind == "programmable":
            end = e.day + dur + e.get("recovery_delay")
            stop[k:self.k(end)] = 0.0
            self.halted.append((k, self.k(end)))
            self.note(e.day, "motor-stall", "alarm", "rotor stopped in the magnet")
            self.note(end, "motor-stall-recovery", "event")
        elif pump.kind == "valve-gated":
            if pump.flow_activated_valve:
                want[k] += pump.preset.value("mri_valve_dose")
                later = [x.day for x in self.events if x.kind == "fav-reset" and x.day > e.day]
                stop[k + 1:self.k(later[0]) if later else self.n] = 0.0
                self.note(e.day, "valve-shut", "event", "flow-activated valve closed until reset")
            else:
                want[k] += pump.reservoir            # valves open: the reservoir empties
                self.note(e.day, "valve-dump", "event", "valves opened in the magnet")
        else:
            self.note(e.day, "mri", "event", "constant-flow pump modelled on the Codman 3000, "
                      "the one model named as not affected by MRI [S52]: flow unchanged")

    def _environment(self) -> np.ndarray:
        """Body temperature and ambient pressure over time -> constant-flow factor."""
        temp = np.full(self.n, 37.0)
        pressure = np.full(self.n, ambient_pressure())
        for e in self.events:
            if e.kind not in ("temperature", "altitude", "dive"):
                continue
            a, b = self.k(e.day), self.k(e.day + e.get("duration"))
            if e.kind == "temperature":
                temp[a:b] = e.get("value")
            elif e.kind == "altitude":
                pressure[a:b] = ambient_pressure(altitude_m=e.get("value"))
            else:
                pressure[a:b] = ambient_pressure(depth_m=e.get("depth"))
        return constant_flow_factor(self.pump, temp, pressure)

    # -- stage 3: catheter -> drug out of the tip (and to tissue) ----------------------------------
    def catheter_stage(self, delivered: np.ndarray, cumulative: np.ndarray):
        n, cath = self.n, self.cath
        leaks = any(e.kind in ("catheter-leak", "inflammatory-mass") for e in self.events)
        leak = np.zeros(n) if leaks else 0.0
        self.mass = None
        caps = np.zeros(n) if any(e.kind == "cap-injection" for e in self.events) else 0.0
        cap_pieces = []
        outlets = [(0, cath.volume, "csf")]
        for e in self.events:
            k = self.k(e.day)
            if e.kind == "catheter-leak":
                leak[k:] = e.get("fraction")
                self.note(e.day, e.kind, "event")
            elif e.kind == "inflammatory-mass":
                from .hazards import facts as hazard_facts, mass_growth
                size = mass_growth((np.arange(k, n) + 1 - k) * self.dt / MIN_PER_DAY,
                                   e.get("growth"))
                self.mass = np.zeros(n) if self.mass is None else self.mass
                self.mass[k:] = np.maximum(self.mass[k:], size)
                trapped = hazard_facts("inflammatory-mass")["trapped"].value
                leak[k:] = np.maximum(leak[k:], size * trapped)
                self.note(e.day, e.kind, "event", "a mass starts to grow at the catheter tip")
            elif e.kind == "cap-injection":
                _at_most_a_refill(e)
                if any(x.kind == "catheter-occlusion" and x.day <= e.day for x in self.events):
                    self.note(e.day, "cap-injection-failed", "event", "the catheter is blocked: "
                              "nothing could be injected")
                    continue
                caps[k] += e.get("volume")
                drug = e.get("drug") or self.reservoir_conc[-1][1]
                cap_pieces.append((k, drug, e.get("concentration"), e.get("volume")))
                self.note(e.day, "cap-injection", "event", f"{fmt(e.get('volume'), 'volume')} "
                          "straight into the catheter")
            elif e.kind in ("catheter-disconnection", "catheter-fracture", "catheter-migration"):
                offset = min(exit_offset(cath, e.kind, e.get("position")), outlets[-1][1])
                outlets.append((k, offset, "tissue"))
                self.note(e.day, e.kind, "event")
        self.leaking = leaks and bool(np.any(leak))
        into = delivered * (1 - leak) if self.leaking else delivered
        self.entered = into + caps if cap_pieces else into      # mL entering in each step
        # mL entered by the end of each step: what the pump delivered, if nothing else
        vin = np.cumsum(self.entered) if cap_pieces or self.leaking else cumulative
        before = np.concatenate(([0.0], vin[:-1]))          # ... by the start of each step
        # (coordinate, step, order within the step, drug, conc): at one coordinate the later
        # piece wins; within a step an injection comes before the pump fluid that follows it
        pieces = []
        for k, drug, conc in self.reservoir_conc:
            if k < n:
                pieces.append((before[k], k, 0, drug, conc))
        placed: dict = {}                         # injections in one step go one after another
        for i, (k, drug, conc, vol) in enumerate(cap_pieces):
            x = before[k] + placed.get(k, 0.0)
            placed[k] = placed.get(k, 0.0) + vol
            pieces.append((x, k, 2 * i + 1, drug, conc))
            resume = [p for p in self.reservoir_conc if p[0] <= k][-1]
            # the same sum the next injection in this step starts from: no rounding gap
            pieces.append((before[k] + placed[k], k, 2 * i + 2, resume[1], resume[2]))
        pieces = [(x, d, c) for x, _, _, d, c in sorted(pieces, key=lambda p: p[:3])]
        start_drug = self.drug if cath.primed else None
        inlet = build_inlet(cath.volume, (start_drug, self.conc0 if cath.primed else 0.0),
                            pieces, vin[-1])
        self.inlet, self.vin, self.outlets = inlet, vin, outlets
        self.cap_pieces = cap_pieces
        self.leak_steps = delivered * leak if self.leaking else None
        return inlet, vin, outlets

    def exits(self, drug: str):
        """Cumulative mcg of ``drug`` out to the CSF and to tissue by the end of each step, and
        what is in the catheter at the end: between the inlet and the exit point, plus any
        stretch stranded beyond a break."""
        vin, n = self.vin, self.n
        mass = self.inlet.mass_function(drug)
        if len(self.outlets) == 1:                      # the usual case: one exit, the tip
            offset = self.outlets[0][1]
            out = mass(vin - offset) - mass(-offset)
            return out, np.zeros(n), float(mass(vin[-1]) - mass(vin[-1] - offset))
        to = {"csf": np.zeros(n), "tissue": np.zeros(n)}
        bounds = [k for k, _, _ in self.outlets] + [n]
        stranded = 0.0
        for j, ((k0, offset, where), k1) in enumerate(zip(self.outlets, bounds[1:])):
            before = vin[k0 - 1] if k0 > 0 else 0.0
            if j > 0:                       # the exit moved nearer the pump at step k0
                stranded += float(mass(before - offset) - mass(before - self.outlets[j - 1][1]))
            if k1 <= k0:
                continue
            gained = mass(vin[k0:k1] - offset) - mass(before - offset)
            to[where][k0:k1] += gained
            to[where][k1:] += gained[-1]
        offset = self.outlets[-1][1]
        in_catheter = stranded + float(mass(vin[-1]) - mass(vin[-1] - offset))
        return to["csf"], to["tissue"], in_catheter

    def exit_concentration(self) -> np.ndarray:
        """Concentration (mcg/mL) of the fluid at the exit point (tip, or a break)."""
        if len(self.inlet.concs) == 1:
            return np.full(self.n, self.inlet.concs[0])
        u = self.vin - self.cath.volume
        bounds = [k for k, _, _ in self.outlets] + [self.n]
        for (k0, offset, _), k1 in zip(self.outlets, bounds[1:]):
            u[k0:k1] = self.vin[k0:k1] - offset
        return self.inlet.conc_at(u)

    # -- the whole chain ---------------------------------------------------------------------------
    def pocket_fills(self):
        """Drug injected into the pump pocket: [(step, drug, mcg)]; the syringe holds the
        reservoir's solution of that moment unless the event says otherwise."""
        out = []
        for e in self.events:
            if e.kind != "pocket-fill":
                continue
            k = self.k(e.day)
            _, drug, conc = [p for p in self.reservoir_conc if p[0] <= k][-1]
            drug = e.get("drug") or drug
            conc = e.get("concentration", conc) if e.get("concentration") is not None else conc
            if drug is None or conc <= 0:
                raise InputError("pocket-fill.concentration", None, f"needed on day {e.day:g}: "
                                 "the reservoir holds no drug then")
            _drugs.get(drug)
            _at_most_a_refill(e)
            out.append((k, drug, e.get("volume") * conc))
            self.note(e.day, "pocket-fill", "event", f"{fmt(e.get('volume'), 'volume')} of "
                      f"{drug} {fmt(conc, 'concentration')} into the pump pocket, under the skin")
        return out

    def run(self) -> Timeline:
        commanded = self.commanded()
        res = self.pump_stage(commanded)
        self.catheter_stage(res.delivered, res.cumulative)
        self.pockets = self.pocket_fills()
        drugs_seen = [self.drug] + [d for _, d, _ in self.reservoir_conc if d] + [
            e.get("drug") for e in self.events if e.kind == "cap-injection" and e.get("drug")] + [
            d for _, d, _ in self.pockets]
        drugs_seen = list(dict.fromkeys(d for d in drugs_seen if d))
        per_day = MIN_PER_DAY / self.dt
        to_csf_main = to_tissue_main = None
        by_drug = {}
        for drug in drugs_seen:
            csf, tissue, in_cath = self.exits(drug)
            if self.leaking:
                tissue = tissue + np.cumsum(self.leak_steps * self._reservoir_conc_of(drug))
            for k, d, mcg in self.pockets:
                if d == drug:
                    tissue = tissue.copy()
                    tissue[k:] += mcg
            by_drug[drug] = self._balance(drug, csf[-1], tissue[-1], in_cath, res)
            if drug == self.drug:
                to_csf_main, to_tissue_main = csf, tissue
        tip = self.exit_concentration()
        first = self._first_at_tip(to_csf_main)
        self._drug_at_tip_log()
        self.log.sort(key=lambda e: e.day)
        if self.pump.kind == "valve-gated":
            self.extra["refill_date_day"] = self._valve_refill_day()
        self.extra["findings"] = self._findings()
        return Timeline(
            step_minutes=self.dt, commanded=commanded, delivered=res.delivered * per_day,
            reservoir=res.reservoir, catheter_fluid=tip, csf_cumulative=to_csf_main,
            tissue_cumulative=to_tissue_main, log=self.log,
            drug=self.drug, by_drug=by_drug, catheter_volume=self.cath.volume,
            first_drug_at_tip_day=first, pump_kind=self.pump.kind, extra=self.extra,
            mass=self.mass)

    def _findings(self) -> list[dict]:
        """The dosing checks of every solution put in the reservoir (a concentration above the
        library's maximum, say), as ``dosing.check`` words them, with the day."""
        from .dosing import check
        out, seen = [], set()
        for k, drug, conc in self.reservoir_conc:
            if drug is None or conc <= 0 or (drug, conc) in seen:
                continue
            seen.add((drug, conc))
            for f in check(drug, concentration=f"{conc!r} mcg/mL"):
                out.append({"day": round(self.day(k), 4), "code": f.code,
                            "severity": f.severity, "message": f.message, "source": f.source})
        return out

    def _reservoir_conc_of(self, drug) -> np.ndarray:
        """Concentration of ``drug`` in the reservoir at each step (mcg/mL)."""
        conc = np.zeros(self.n)
        bounds = [k for k, _, _ in self.reservoir_conc] + [self.n]
        for (k0, d, c), k1 in zip(self.reservoir_conc, bounds[1:]):
            if d == drug:
                conc[k0:k1] = c
        return conc

    def _balance(self, drug, csf, tissue, in_cath, res) -> Balance:
        filled = self.cath.volume * self.conc0 if (self.cath.primed and drug == self.drug) else 0.0
        removed = 0.0
        for i, ((k, vol), (_, d, c)) in enumerate(zip(self.fills, self.reservoir_conc)):
            if d == drug:
                filled += vol * c
            if i > 0:                 # what was left is aspirated before the new fill
                prev_k, prev_vol = self.fills[i - 1]
                left = prev_vol if prev_k == k else float(res.reservoir[k - 1])
                _, pd, pc = self.reservoir_conc[i - 1]
                if pd == drug:
                    removed += left * pc
        for _, d, conc, vol in self.cap_pieces:      # the injections that went in
            if d == drug:
                filled += vol * conc
        filled += sum(mcg for _, d, mcg in self.pockets if d == drug)   # given, into tissue
        _, last_drug, last_conc = self.reservoir_conc[-1]
        in_res = float(res.reservoir[-1]) * last_conc if last_drug == drug else 0.0
        return Balance(filled, in_res, in_cath, float(csf), float(tissue), removed)

    def _first_at_tip(self, to_csf):
        if self.cath.primed and self.conc0 > 0:
            return 0.0
        moved = np.nonzero(to_csf > 1e-12)[0]
        return None if moved.size == 0 else self.day(int(moved[0]) + 1)

    def _drug_at_tip_log(self):
        """When each new solution reaches the tip (after a refill that changed it)."""
        u_tip = self.vin - self.cath.volume
        prev = (self.drug, self.conc0)
        for k, drug, conc in self.reservoir_conc[1:]:
            if (drug, conc) == prev or conc == 0 or k >= self.n:
                prev = (drug, conc) if conc else prev
                continue
            start = self.vin[k - 1] if k > 0 else 0.0
            i = int(np.searchsorted(u_tip, start + 1e-12))
            if i < self.n:
                self.note(self.day(i + 1), "new-solution-at-tip", "info",
                          f"{drug} {fmt(conc, 'concentration')} reaches the tip")
            prev = (drug, conc)

    def _valve_refill_day(self):
        """The valve-gated controller's 'date of next refill' [S43]: when the last fill would be
        down to 3 mL if every allotted patient bolus were used (None if never)."""
        k, volume = self.fills[-1]
        _, prog, conc = self._program_at(k)
        per_day = int(round(MIN_PER_DAY / self.dt))
        basal = float(prog.flows(k, k + per_day, self.dt, conc).mean()) if conc > 0 else 0.0
        pb = prog.patient_bolus
        bolus_ml = pb.dose / conc if pb and conc > 0 else 0.0
        days = refill_day(volume, basal, bolus_ml, pb.max_per_day if pb else 0,
                          at=self.pump.low_reservoir_alarm)
        return None if days == float("inf") else round(self.day(k) + days, 4)


def _at_most_a_refill(e: Event):
    """A pocket fill or an access-port injection is a refill syringe gone astray: it holds at
    most a full refill of the largest pump."""
    from .device import pump_presets
    largest = max(p.reservoir for p in pump_presets().values())
    if e.get("volume") > largest * (1 + 1e-9):
        raise InputError(f"{e.kind}.volume", fmt(e.get("volume"), "volume"),
                         f"at most a refill syringe holds: a full refill of the largest pump, "
                         f"{fmt(largest, 'volume')}")


def _dose_needs_drug(parameter: str, day: float, conc_prog: float):
    """A bolus is given as a dose: with saline (0 mcg/mL) programmed there is no volume for it."""
    if conc_prog <= 0:
        raise InputError(parameter, f"day {day:g}", "a bolus given as a dose needs the drug's "
                         "concentration, and the pump is programmed for saline (0 mcg/mL) then")


def _describe(prog: Program, conc_prog: float) -> str:
    if prog.mode == "continuous" and prog.dose is not None:
        return f"continuous {fmt(prog.dose, 'dose_rate')} at {fmt(conc_prog, 'concentration')}"
    return prog.mode
