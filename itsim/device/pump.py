"""Pumps: what a pump really delivers, from the reservoir it really has.

Three kinds: ``programmable`` (peristaltic, battery, programmable), ``valve-gated``
(programmable, delivers in small pulses through valves) and ``constant-flow`` (gas-driven,
no battery, one fixed rate that changes with body temperature and ambient pressure).
Canonical units: mL, mL/day, days, kPa, degC.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..units import fmt, parse
from . import PumpPreset, pump_preset

SEA_LEVEL_KPA = 101.325
BODY_TEMPERATURE_C = 37.0


@dataclass(frozen=True)
class Pump:
    """A pump: its preset, and the settings of this patient's pump (floats, canonical)."""

    preset: PumpPreset
    low_reservoir_alarm: float | None
    accuracy: float = 1.0               # delivered / commanded (programmable pumps)
    flow: float | None = None           # constant-flow pumps: rate at 37 degC, sea level
    flow_activated_valve: bool = True   # valve-gated pumps: shuts in an MRI (Prometra II)

    @property
    def kind(self) -> str:
        return self.preset.kind

    @property
    def reservoir(self) -> float:
        return self.preset.reservoir

    @property
    def programmable(self) -> bool:
        return self.kind != "constant-flow"


def make_pump(preset="programmable-20", *, low_reservoir_alarm=None, accuracy=None, flow=None,
              flow_activated_valve=None) -> Pump:
    """A pump from a preset name, with optional settings checked against the preset."""
    p = pump_preset(preset)
    alarm = (p.low_reservoir_alarm if low_reservoir_alarm is None else
             parse(low_reservoir_alarm, "volume", "pump.low_reservoir_alarm", allow_zero=True))
    if alarm is not None and alarm >= p.reservoir:
        raise InputError("pump.low_reservoir_alarm", low_reservoir_alarm,
                         f"must be below the reservoir ({fmt(p.reservoir, 'volume')})")
    acc = 1.0
    if accuracy is not None:
        if p.kind != "programmable":
            raise InputError("pump.accuracy", accuracy, "only programmable pumps take it")
        if accuracy == "measured":
            acc = p.value("measured_accuracy")
        elif (isinstance(accuracy, (int, float)) and not isinstance(accuracy, bool)
              and 0.5 <= accuracy <= 1.5):
            acc = float(accuracy)
        else:
            raise InputError("pump.accuracy", accuracy, "expected 'measured' or a factor from "
                             "0.5 to 1.5 (1.01 = delivers 1 % more than programmed)")
    rate = None
    if p.kind == "constant-flow":
        rate = p.value("flow") if flow is None else parse(flow, "flow", "pump.flow")
    elif flow is not None:
        raise InputError("pump.flow", flow, "only constant-flow pumps have a fixed flow; "
                         "program the others")
    fav = True
    if flow_activated_valve is not None:
        if p.kind != "valve-gated" or not isinstance(flow_activated_valve, bool):
            raise InputError("pump.flow_activated_valve", flow_activated_valve,
                             "true or false, for valve-gated pumps only")
        fav = flow_activated_valve
    return Pump(p, alarm, acc, rate, fav)


def ambient_pressure(altitude_m: float = 0.0, depth_m: float = 0.0) -> float:
    """Ambient pressure (kPa): the standard atmosphere at ``altitude_m``, plus about 10.05 kPa
    per metre of sea water at ``depth_m`` (physics, not clinical data)."""
    if depth_m > 0:
        return SEA_LEVEL_KPA + 10.05 * depth_m
    return SEA_LEVEL_KPA * (1 - 2.25577e-5 * altitude_m) ** 5.25588


def constant_flow_factor(pump: Pump, temperature_c, pressure_kpa):
    """Flow relative to the nominal rate: flow follows the pressure difference across the
    restrictor [S55], propellant vapour pressure (rising with temperature) minus ambient
    pressure. Zero if the outside pressure is higher (a deep dive). Arrays or floats."""
    pv37 = pump.preset.value("vapour_pressure")
    slope = pump.preset.value("vapour_pressure_slope")
    pv = pv37 * np.exp(slope * (np.asarray(temperature_c, dtype=float) - BODY_TEMPERATURE_C))
    return np.maximum(pv - np.asarray(pressure_kpa, dtype=float), 0.0) / (pv37 - SEA_LEVEL_KPA)


@dataclass
class ReservoirResult:
    delivered: np.ndarray      # mL per step actually pumped out of the reservoir
    cumulative: np.ndarray     # mL pumped out by the end of each step
    reservoir: np.ndarray      # mL left at the end of each step
    low_steps: list            # when the low-reservoir alarm sounds (in steps, fractional)
    empty_steps: list          # when the reservoir runs dry (in steps, fractional)


def draw_from_reservoir(want: np.ndarray, fills: list, alarm: float | None,
                        pulse: float | None = None) -> ReservoirResult:
    """Deliver ``want`` (mL per step) from a reservoir refilled as ``fills`` says:
    [(first step, volume put in)], the first at step 0. The pump cannot deliver more than the
    reservoir holds; a valve-gated pump delivers whole pulses of ``pulse`` mL."""
    n = want.size
    delivered = np.zeros(n)
    cumulative = np.zeros(n)
    reservoir = np.zeros(n)
    total = 0.0
    low, empty = [], []
    bounds = [k for k, _ in fills] + [n]
    for (start, volume), end in zip(fills, bounds[1:]):
        if end <= start:
            continue
        cum = np.cumsum(want[start:end])
        out = np.minimum(cum, volume)
        if pulse:
            out = np.floor(out / pulse + 1e-6) * pulse       # a millionth of a pulse is rounding
            delivered[start:end] = np.diff(out, prepend=0.0)
        else:                                   # what was wanted, until the reservoir runs dry
            dry = int(np.searchsorted(cum, volume, side="right"))
            delivered[start:start + dry] = want[start:start + dry]
            if dry < end - start:
                delivered[start + dry] = volume - (cum[dry - 1] if dry else 0.0)
        cumulative[start:end] = out + total if total else out
        total += out[-1]
        reservoir[start:end] = volume - out
        if alarm is not None:
            t = 0.0 if volume <= alarm else _crossing(cum, volume - alarm)
            if t is not None:
                low.append(start + t)
        t = (0.0 if cum[-1] > 0 else None) if volume <= 0 else _crossing(cum, volume)
        if t is not None:
            empty.append(start + t)
    return ReservoirResult(delivered, cumulative, reservoir, low, empty)


def _crossing(cum: np.ndarray, level: float, tol: float = 1e-9):
    """When (in steps from the segment's start, fractional) cumulative volume ``cum`` first
    reaches ``level``, interpolating within the step; None if it never does."""
    if cum[-1] < level - tol:
        return None
    i = int(np.searchsorted(cum, level - tol, side="left"))     # cum never decreases
    before = cum[i - 1] if i > 0 else 0.0
    step = cum[i] - before
    return i + (min(max((level - before) / step, 0.0), 1.0) if step > 0 else 1.0)


def refill_day(fill, basal, bolus_volume, boluses_per_day, at=None) -> float:
    """Valve-gated pumps: days until the reservoir reaches ``at`` mL (default: the valve-gated
    preset's refill volume, 3.0 mL [S43]) if every allotted patient bolus is used. Floats in
    mL and mL/day."""
    if at is None:
        at = pump_preset("valve-gated-20").low_reservoir_alarm
    daily = basal + bolus_volume * boluses_per_day
    if daily <= 0 or fill <= at:
        return 0.0 if fill <= at else math.inf
    return (fill - at) / daily
