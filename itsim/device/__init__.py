"""The implanted device: pump presets (and, later, program, pump and catheter models)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .. import data
from ..errors import InputError
from ..facts import Fact, parse_fact

PRESET_KINDS = {"reservoir": "volume", "min_rate": "flow", "max_rate": "flow",
                "low_reservoir_alarm": "volume", "dead_space": "volume", "cap_volume": "volume",
                "eri_to_end_of_service": "time", "measured_accuracy": None,
                "mri_recovery_delay": "time", "pulse_volume": "volume",
                "mri_valve_dose": "volume", "flow": "flow", "vapour_pressure": "pressure",
                "vapour_pressure_slope": None}
CATHETER_KINDS = {"volume_per_cm": "volume", "supplied_length": "length",
                  "pump_tubing_volume": "volume"}


@dataclass(frozen=True)
class PumpPreset:
    """A pump model's published specification; floats in mL and mL/day."""

    name: str
    kind: str
    description: str
    facts: dict[str, Fact]

    @property
    def label(self) -> str:
        """A short name for people, e.g. 'programmable, 20 mL'."""
        return f"{self.kind}, {self.facts['reservoir'].text}"

    def value(self, name: str, default=None):
        """A fact's value (canonical float), or ``default`` if this pump has no such fact."""
        f = self.facts.get(name)
        return default if f is None else f.value

    @property
    def reservoir(self) -> float:
        return self.facts["reservoir"].value

    @property
    def min_rate(self) -> float | None:
        return self.value("min_rate")

    @property
    def max_rate(self) -> float | None:
        return self.value("max_rate")

    @property
    def low_reservoir_alarm(self) -> float | None:
        return self.value("low_reservoir_alarm")


@lru_cache(maxsize=1)
def pump_presets() -> dict[str, PumpPreset]:
    """All pump presets from ``devices.toml``, unit-checked."""
    out = {}
    for name, raw in data.load("devices")["pump"].items():
        unknown = set(raw) - set(PRESET_KINDS) - {"kind", "description"}
        if unknown:
            raise InputError(f"devices.toml [pump.{name}]", sorted(unknown), "unknown keys")
        facts = {k: parse_fact(f"devices.toml [pump.{name}].{k}", k, v, PRESET_KINDS[k])
                 for k, v in raw.items() if k in PRESET_KINDS}
        out[name] = PumpPreset(name, raw["kind"], raw["description"], facts)
    return out


def pump_preset(name) -> PumpPreset:
    """The preset called ``name`` (e.g. ``"programmable-20"``)."""
    if isinstance(name, PumpPreset):
        return name
    try:
        return pump_presets()[name]
    except (KeyError, TypeError):
        raise InputError("pump", name, "expected one of " + ", ".join(pump_presets())) from None


@lru_cache(maxsize=1)
def catheter_facts() -> dict[str, Fact]:
    """Catheter facts from ``devices.toml`` (volume per cm, supplied length, tubing volume)."""
    raw = data.load("devices")["catheter"]
    return {k: parse_fact(f"devices.toml [catheter].{k}", k, v, CATHETER_KINDS[k])
            for k, v in raw.items()}
