"""The intrathecal drug library, loaded from ``itsim/data/drugs.toml``.

Every fact carries its sources (tags resolved in ``sources.toml``) or is marked as a
labelled teaching assumption. Quantities are parsed and unit-checked on load and held as
floats in canonical units (mcg, mL, day; see :mod:`itsim.units`).

>>> from itsim import drugs
>>> drugs.get("baclofen").max_concentration.value      # mcg/mL
2000.0
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import data
from .errors import InputError, UnknownDrugError
from .facts import Fact, parse_fact

# Which kind of quantity each fact holds (facts not listed hold plain values).
FACT_KINDS = {
    "available_concentrations": "concentration",
    "starting_dose": "dose_rate",
    "usual_daily_dose": "dose_rate",
    "max_daily_dose": "dose_rate",
    "max_concentration": "concentration",
    "pump_start_concentration": "concentration",
    "granuloma_risk_concentration": "concentration",
    "stability": "time",
    "stability_diluted": "time",
    "stability_first_fill": "time",
    "csf_half_life": "time",
}
INDICATIONS = ("pain", "spasticity")
WITHDRAWAL_RISKS = ("none", "present", "severe", "life-threatening")


@dataclass(frozen=True)
class Drug:
    """A drug in the library; facts not known for this drug are ``None``."""

    name: str
    display_name: str
    indication: str
    drug_class: str
    dose_unit: str
    concentration_unit: str
    facts: dict[str, Fact]

    def fact(self, name: str) -> Fact | None:
        return self.facts.get(name)

    def __getattr__(self, name: str):
        facts = self.__dict__.get("facts", {})
        if name in facts:
            return facts[name]
        if name in FACT_NAMES:
            return None
        raise AttributeError(name)

    @property
    def is_opioid(self) -> bool:
        return self.drug_class == "opioid"


FACT_NAMES = (
    "fda_approved_intrathecal", "available_concentrations", "starting_dose",
    "usual_daily_dose", "max_daily_dose", "max_concentration", "pump_start_concentration",
    "granuloma_risk_concentration", "titration",
    "titration_consensus", "stability", "stability_diluted", "stability_first_fill",
    "lipophilicity", "csf_half_life", "csf_clearance", "withdrawal",
)


@lru_cache(maxsize=1)
def library() -> dict[str, Drug]:
    """All drugs by name, parsed and unit-checked."""
    out = {}
    for name, raw in data.load("drugs").items():
        if name == "conversion":
            continue
        if raw.get("indication") not in INDICATIONS:
            raise InputError(f"drugs.toml [{name}].indication", raw.get("indication"),
                             f"expected one of {', '.join(INDICATIONS)}")
        facts = {k: parse_fact(f"drugs.toml [{name}].{k}", k, v, FACT_KINDS.get(k))
                 for k, v in raw.items() if k in FACT_NAMES}
        unknown = set(raw) - set(FACT_NAMES) - {
            "display_name", "indication", "drug_class", "dose_unit", "concentration_unit"}
        if unknown:
            raise InputError(f"drugs.toml [{name}]", sorted(unknown), "unknown keys")
        risk = facts["withdrawal"].get("risk")
        if risk not in WITHDRAWAL_RISKS:
            raise InputError(f"drugs.toml [{name}].withdrawal.risk", risk,
                             f"expected one of {', '.join(WITHDRAWAL_RISKS)}")
        out[name] = Drug(name=name, display_name=raw["display_name"],
                         indication=raw["indication"], drug_class=raw["drug_class"],
                         dose_unit=raw["dose_unit"],
                         concentration_unit=raw["concentration_unit"], facts=facts)
    return out


def names() -> list[str]:
    """Names of the drugs in the library."""
    return list(library())


def get(name) -> Drug:
    """The drug called ``name`` (case-insensitive), or UnknownDrugError."""
    if isinstance(name, Drug):
        return name
    key = str(name).strip().lower() if isinstance(name, str) else None
    try:
        return library()[key]
    except KeyError:
        raise UnknownDrugError("drug", name, "expected one of " + ", ".join(names())) from None


def conversions() -> dict:
    """The route and opioid conversion tables (raw, with sources)."""
    return data.load("drugs")["conversion"]


def summary() -> str:
    """One line per drug: indication, maximum concentration and daily dose, stability in the
    pump and withdrawal risk, in each drug's usual units (``*`` = teaching assumption)."""
    from .units import fmt

    def show(fact, kind, unit, missing="-"):
        if fact is None or fact.value is None:
            return missing
        if unit.startswith("mcg") and fact.value >= 10_000:
            unit = "mg" + unit[3:]
        return fmt(fact.value, kind, unit) + ("*" if fact.assumption else "")

    rows = [f"{'drug':<14}{'for':<12}{'max conc.':<14}{'max dose':<16}{'stable':<10}withdrawal"]
    for d in library().values():
        rows.append(f"{d.name:<14}{d.indication:<12}"
                    f"{show(d.max_concentration, 'concentration', d.concentration_unit):<14}"
                    f"{show(d.max_daily_dose, 'dose_rate', d.dose_unit) + _caution(d):<16}"
                    f"{show(d.stability, 'time', 'day', '?'):<10}{d.withdrawal['risk']}")
    rows.append("* teaching assumption (unverified)   - none known   ? not in the library: "
                "check the product label")
    rows.append("† a caution level the sources quote, not a hard maximum: never start at or "
                "above it")
    return "\n".join(rows)


def _caution(d) -> str:
    """'†' when a drug's daily-dose limit is a caution level rather than a hard maximum."""
    f = d.max_daily_dose
    return "†" if f is not None and (f.get("severity") == "caution" or f.get("limit_words")) else ""
