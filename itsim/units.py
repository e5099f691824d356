"""Quantities at the edges, floats in the core.

Public functions accept strings such as ``"500 mcg/mL"`` or pint quantities, convert them
once to the canonical units below, and the arithmetic runs on plain floats:

=============  ============  =========================
kind           canonical     example input
=============  ============  =========================
mass           mcg           ``"2 mg"``
volume         mL            ``"20 mL"``
time           day           ``"12 h"``
concentration  mcg/mL        ``"25 mg/mL"``
dose_rate      mcg/day       ``"300 mcg/day"``
flow           mL/day        ``"0.1 mL/h"``
length         cm            ``"60 cm"``
pressure       kPa           ``"101 kPa"``
=============  ============  =========================

A bare number, a comma in a number, NaN, infinity, a negative value or the wrong kind of
unit (a mass where a concentration is needed: the classic mg/mL mix-up) raises
:class:`itsim.InputError` naming the parameter, the value and the unit expected. The pint
registry is built on first use so that ``import itsim`` stays fast.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from numbers import Real

from .errors import InputError, UnitKindError


@dataclass(frozen=True)
class Kind:
    name: str
    canonical: str     # pint unit expression of the canonical unit
    label: str         # how the canonical unit is written for people
    example: str
    description: str


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("mass", "microgram", "mcg", "2 mg", "an amount of drug"),
        Kind("volume", "milliliter", "mL", "20 mL", "a volume"),
        Kind("time", "day", "day", "12 h", "a duration"),
        Kind("concentration", "microgram / milliliter", "mcg/mL", "500 mcg/mL",
             "a concentration (amount per volume)"),
        Kind("dose_rate", "microgram / day", "mcg/day", "300 mcg/day",
             "a dose per time"),
        Kind("flow", "milliliter / day", "mL/day", "0.6 mL/day", "a flow (volume per time)"),
        Kind("length", "centimeter", "cm", "60 cm", "a length"),
        Kind("pressure", "kilopascal", "kPa", "101 kPa", "a pressure"),
    )
}

# Display units people use, by kind: {label: factor to multiply a canonical value by}.
DISPLAY: dict[str, dict[str, float]] = {
    "mass": {"mcg": 1.0, "mg": 1e-3},
    "volume": {"mL": 1.0},
    "time": {"day": 1.0, "h": 24.0, "min": 1440.0},
    "concentration": {"mcg/mL": 1.0, "mg/mL": 1e-3},
    "dose_rate": {"mcg/day": 1.0, "mg/day": 1e-3, "mcg/h": 1 / 24},
    "flow": {"mL/day": 1.0, "mL/h": 1 / 24, "µL/h": 1000 / 24},
    "length": {"cm": 1.0, "m": 0.01},
    "pressure": {"kPa": 1.0},
}

_COMMA_NUMBER = re.compile(r"\d,\d")
_PER_24H = re.compile(r"/\s*24\s*(h|hr|hrs|hours?)\b", re.I)
# Unit words people type in any case. No intrathecal quantity is ever in mega-units, so
# "ML" and "MG" mean mL and mg, never megalitres or megagrams.
_CASELESS = {"mcg": "mcg", "mg": "mg", "ug": "ug", "µg": "µg", "ml": "mL", "ul": "uL",
             "µl": "µL"}
_TOKEN = re.compile(r"(?<![A-Za-zµ])(mcg|mg|ug|µg|ml|ul|µl)(?![A-Za-z])", re.I)


def normalise(text: str) -> str:
    """How people write doses, made readable for pint: 'mcg/24h' -> 'mcg/day', 'MCG' -> 'mcg'."""
    text = _PER_24H.sub("/day", text)
    return _TOKEN.sub(lambda m: _CASELESS[m.group(1).lower()], text)


@lru_cache(maxsize=1)
def registry():
    """The package's one pint registry (built on first use)."""
    import pint

    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    ureg.define("mcg = microgram")
    return ureg


def parse(value, kind: str, parameter: str, *, allow_zero: bool = False) -> float:
    """Convert ``value`` (string or pint quantity) of ``kind`` to a float in canonical units.

    Raises InputError for a missing or wrong unit, NaN, infinity, a negative value, or
    zero unless ``allow_zero``.
    """
    k = KINDS[kind]
    expected = f"expected {k.description} with a unit, such as '{k.example}'"
    if isinstance(value, bool) or value is None:
        raise InputError(parameter, value, expected)
    if isinstance(value, Real):
        raise InputError(parameter, value,
                         f"a number without a unit is ambiguous; {expected}")
    if isinstance(value, str):
        return _parse_text(value, kind, parameter, allow_zero)
    ureg = registry()
    if isinstance(value, ureg.Quantity):
        q = value
    elif hasattr(value, "units") and hasattr(value, "magnitude"):
        # a quantity from another pint registry: go through its text form
        return parse(f"{value.magnitude} {value.units}", kind, parameter, allow_zero=allow_zero)
    else:
        raise InputError(parameter, value, expected)
    return _to_canonical(q, value, k, expected, parameter, allow_zero)


@lru_cache(maxsize=4096)
def _parse_text(value: str, kind: str, parameter: str, allow_zero: bool) -> float:
    """parse() for text: the same text always gives the same float, so it is read once."""
    k = KINDS[kind]
    expected = f"expected {k.description} with a unit, such as '{k.example}'"
    text = value.strip()
    if not text:
        raise InputError(parameter, value, expected)
    if _COMMA_NUMBER.search(text):
        raise InputError(parameter, value,
                         "write numbers with a decimal point and no commas "
                         "(is '1,5' one and a half or fifteen?); " + expected)
    try:
        q = registry().Quantity(normalise(text))
    except Exception:
        raise InputError(parameter, value, f"could not read it; {expected}") from None
    if q.dimensionless:
        raise UnitKindError(parameter, value,
                            f"a number without a unit is ambiguous; {expected}")
    return _to_canonical(q, value, k, expected, parameter, allow_zero)


def _to_canonical(q, value, k: Kind, expected: str, parameter: str, allow_zero: bool) -> float:
    """A pint quantity ``q`` (read from ``value``) as a checked float in ``k``'s canonical unit."""
    ureg = registry()
    try:
        magnitude = q.to(k.canonical).magnitude
    except Exception:
        if q.dimensionless:
            raise UnitKindError(parameter, value,
                                f"a number without a unit is ambiguous; {expected}") from None
        given = next((other.description for other in KINDS.values()
                      if q.dimensionality == ureg.Quantity(1, other.canonical).dimensionality),
                     f"'{q.units:~}'")
        raise UnitKindError(parameter, value,
                            f"that is {given}, not {k.description}; {expected}") from None
    try:
        magnitude = float(magnitude)
    except (TypeError, ValueError):
        raise InputError(parameter, value, f"{expected}, a single value") from None
    return check_number(magnitude, parameter, value, k.label, allow_zero=allow_zero)


def check_number(x: float, parameter: str, shown=None, unit: str = "",
                 *, allow_zero: bool = False) -> float:
    """Refuse NaN, infinity, negatives and (unless allowed) zero; return ``x``."""
    shown = x if shown is None else shown
    if isinstance(x, bool) or not isinstance(x, Real) or not math.isfinite(x):
        raise InputError(parameter, shown, "expected a finite number")
    if x < 0 or (x == 0 and not allow_zero):
        need = "zero or more" if allow_zero else "more than zero"
        raise InputError(parameter, shown, f"must be {need}{' ' + unit if unit else ''}")
    return float(x)


def quantity(x: float, kind: str):
    """A pint quantity in canonical units for a float ``x`` of ``kind``."""
    return registry().Quantity(x, KINDS[kind].canonical)


def convert(x: float, kind: str, unit: str) -> float:
    """A canonical float of ``kind`` expressed in display ``unit`` (see DISPLAY)."""
    try:
        return x * DISPLAY[kind][unit]
    except KeyError:
        raise InputError("unit", unit, f"expected one of {', '.join(DISPLAY[kind])}") from None


def fmt(x: float, kind: str, unit: str | None = None, sig: int = 3) -> str:
    """Format a canonical float for people, e.g. ``fmt(0.6, 'flow') -> '0.6 mL/day'``.
    Durations under a day are given in hours (under an hour, in minutes) unless ``unit``
    says otherwise."""
    if unit is None and kind == "time" and 0 < x < 1:
        unit = "h" if x >= 1 / 24 else "min"
    unit = unit or KINDS[kind].label
    text = significant(convert(x, kind, unit), sig)
    return f"{text} {'days' if unit == 'day' and text != '1' else unit}"


def significant(x: float, sig: int = 3) -> str:
    """``x`` rounded to ``sig`` significant figures, without trailing zeros."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    digits = max(sig - 1 - int(math.floor(math.log10(abs(x)))), 0)
    return f"{round(x, digits):.{digits}f}".rstrip("0").rstrip(".") if digits else f"{round(x):d}"


def show(q, unit: str | None = None, sig: int = 3) -> str:
    """A pint quantity from itsim written for people: ``show(rate) -> '0.6 mL/day'``."""
    for name, k in KINDS.items():
        try:
            x = float(q.to(k.canonical).magnitude)
        except Exception:
            continue
        return fmt(x, name, unit, sig)
    raise InputError("q", q, "expected a quantity of one of: " + ", ".join(KINDS))
