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

Text is read as **one number and a unit**, never as arithmetic: a decimal or exponent
number (``0.5``, ``.5``, ``5e-3``, ``1.2E+3``), then unit names joined by ``/``, ``*``, ``·``
or a space, with small integer powers (``m^2``, ``m**2``). ``"250 mcg/mL + 0.25 mg/mL"``,
``"10**10**10 mcg/mL"`` or a second number are refused, as is text longer than
:data:`MAX_TEXT` characters, before pint sees it. A bare number, a comma in a number, NaN,
infinity, a value too large or too small for a float, a negative value or the wrong kind of
unit (a mass where a concentration is needed: the classic mg/mL mix-up) raises
:class:`itsim.InputError` naming the parameter, the value and the unit expected. The pint
registry is built on first use so that ``import itsim`` stays fast.
"""
from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from numbers import Number, Real

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

MAX_TEXT = 100      # characters: the longest quantity text read (longer is refused unread)

_COMMA_NUMBER = re.compile(r"\d,\d")
_PER_24H = re.compile(r"/\s*24\s*(h|hr|hrs|hours?)\b", re.I)
# Unit words people type in any case. No intrathecal quantity is ever in mega-units, so
# "ML" and "MG" mean mL and mg, never megalitres or megagrams.
# The micro sign µ and the Greek letter μ both mean micro (the regex, ignoring case, takes
# either).
_CASELESS = {"mcg": "mcg", "mg": "mg", "ug": "ug", "µg": "µg", "ml": "mL", "ul": "uL",
             "µl": "µL", "μg": "µg", "μl": "µL"}
_TOKEN = re.compile(r"(?<![A-Za-zµ])(mcg|mg|ug|µg|ml|ul|µl)(?![A-Za-z])", re.I)

# The grammar of a quantity: NUMBER [UNIT]. Every part is unambiguous (a unit word starts
# with a letter and a separator is never a word character), so matching is linear.
NUMBER = r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_NUMBER = re.compile(rf"{NUMBER}|[-+]?(?:nan|inf(?:inity)?)(?![^\W\d])", re.I)
_BARE_NUMBER = re.compile(NUMBER)
_WORD = r"[^\W\d]\w*"                               # a unit name: a letter, then letters/digits
_ATOM = rf"{_WORD}(?:(?:\^|\*\*)[-+]?[0-9])?"       # with a one-digit power: m^2, s**-1
_UNIT = re.compile(rf"{_ATOM}(?:(?:\s*[/*·]\s*|\s+){_ATOM})*")


def _kind(kind) -> Kind:
    if not isinstance(kind, str) or kind not in KINDS:
        raise InputError("kind", kind, "one of " + ", ".join(KINDS))
    return KINDS[kind]


def _expected(k: Kind) -> str:
    return f"expected {k.description} with a unit, such as '{k.example}'"


def normalise(text: str) -> str:
    """How people write doses, made readable for pint: 'mcg/24h' -> 'mcg/day', 'MCG' -> 'mcg'."""
    if not isinstance(text, str):
        raise InputError("text", text, "text such as '300 mcg/24h'")
    text = _PER_24H.sub("/day", text)
    return _TOKEN.sub(lambda m: _CASELESS[m.group(1).lower()], text)


def split(text: str) -> tuple[str, str] | None:
    """``text`` (already normalised) as (number, unit) if it is one number and a unit
    expression ('0.6 mL/day' -> ('0.6', 'mL/day'); '300' -> ('300', '')), else None.
    Text longer than MAX_TEXT is None unread."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        return None
    text = text.strip()
    m = _NUMBER.match(text)
    if m is None:
        return None
    unit = text[m.end():].lstrip()
    if unit and _UNIT.fullmatch(unit) is None:
        return None
    return m.group(), unit


def read_number(text) -> float | None:
    """A bare decimal number written as text ('0.6', '5e-3') as a float, else None (no
    units, no arithmetic, no NaN or infinity; a number beyond the float range is inf)."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        return None
    text = text.strip()
    return float(text) if _BARE_NUMBER.fullmatch(text) else None


@lru_cache(maxsize=1)
def registry():
    """The package's one pint registry (built on first use)."""
    import pint

    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    ureg.define("mcg = microgram")
    return ureg


def parse(value, kind: str, parameter: str, *, allow_zero: bool = False) -> float:
    """Convert ``value`` (string or pint quantity) of ``kind`` to a float in canonical units.

    Text must be one number and a unit (see the module docstring). Raises InputError for
    anything else, a missing or wrong unit, NaN, infinity, a value out of the float range,
    a negative value, or zero unless ``allow_zero``.
    """
    k = _kind(kind)
    if not isinstance(parameter, str):
        raise InputError("parameter", parameter, "text naming the input, e.g. 'fill'")
    if not isinstance(allow_zero, bool):
        raise InputError("allow_zero", allow_zero, "True or False")
    expected = _expected(k)
    if isinstance(value, bool) or value is None:
        raise InputError(parameter, value, expected)
    if isinstance(value, Number):
        raise InputError(parameter, value,
                         f"a number without a unit is ambiguous; {expected}")
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            shown = f"{value[:20]}… ({len(value)} characters)"
            raise InputError(parameter, shown, f"at most {MAX_TEXT} characters; {expected}")
        return _parse_text(value, kind, parameter, allow_zero)
    if not (hasattr(value, "units") and hasattr(value, "magnitude")):
        raise InputError(parameter, value, expected)
    ureg = registry()
    magnitude = value.magnitude
    if isinstance(magnitude, bool) or not isinstance(magnitude, Real):
        raise InputError(parameter, value, f"{expected}, a single number")
    try:
        magnitude = float(magnitude)
    except OverflowError:
        raise InputError(parameter, value, f"too large to compute with; {expected}") from None
    if isinstance(value, ureg.Quantity):
        units = value.units
    else:   # a quantity from another pint registry: its units by name in this one
        try:
            units = ureg.parse_units(str(value.units))
        except Exception:
            raise InputError(parameter, value, f"unknown unit '{value.units}'; {expected}") \
                from None
    return _to_canonical(magnitude, units, value, k, expected, parameter, allow_zero)


@lru_cache(maxsize=4096)
def _parse_text(value: str, kind: str, parameter: str, allow_zero: bool) -> float:
    """parse() for text (at most MAX_TEXT characters): the same text always gives the same
    float, so it is read once."""
    k = KINDS[kind]
    expected = _expected(k)
    text = value.strip()
    if not text:
        raise InputError(parameter, value, expected)
    if _COMMA_NUMBER.search(text):
        raise InputError(parameter, value,
                         "write numbers with a decimal point and no commas "
                         "(is '1,5' one and a half or fifteen?); " + expected)
    parts = split(normalise(text))
    if parts is None:
        raise InputError(parameter, value, "could not read it: write one number and a unit, "
                         f"without arithmetic or a second number; {expected}")
    number, unit = parts
    magnitude = float(number)
    if magnitude == 0 and re.search("[1-9]", re.split("[eE]", number)[0]):
        raise InputError(parameter, value, f"too small to compute with (it rounds to zero); "
                         f"{expected}")
    if not math.isfinite(magnitude):
        raise InputError(parameter, value, "expected a finite number" if number.strip("+-")
                         .isalpha() else f"too large to compute with; {expected}")
    if not unit:
        raise UnitKindError(parameter, value,
                            f"a number without a unit is ambiguous; {expected}")
    try:
        units = registry().parse_units(unit.replace("·", "*"))
    except Exception:
        raise InputError(parameter, value, f"could not read it: unknown unit '{unit}'; "
                         f"{expected}") from None
    return _to_canonical(magnitude, units, value, k, expected, parameter, allow_zero)


def _to_canonical(magnitude: float, units, value, k: Kind, expected: str, parameter: str,
                  allow_zero: bool) -> float:
    """``magnitude`` in pint ``units`` (read from ``value``) as a checked float in ``k``'s
    canonical unit."""
    ureg = registry()
    q = ureg.Quantity(magnitude, units)
    if q.dimensionless:
        raise UnitKindError(parameter, value,
                            f"a number without a unit is ambiguous; {expected}")
    try:
        x = float(q.to(k.canonical).magnitude)
    except OverflowError:
        raise InputError(parameter, value, f"too large to compute with; {expected}") from None
    except Exception:
        given = next((other.description for other in KINDS.values()
                      if q.dimensionality == ureg.Quantity(1, other.canonical).dimensionality),
                     f"'{q.units:~}'")
        raise UnitKindError(parameter, value,
                            f"that is {given}, not {k.description}; {expected}") from None
    if math.isfinite(magnitude) and not math.isfinite(x):
        raise InputError(parameter, value, f"too large to compute with (more than "
                         f"{sys.float_info.max:.3g} {k.label}); {expected}")
    if magnitude != 0 and x == 0:
        raise InputError(parameter, value, f"too small to compute with (it rounds to zero in "
                         f"{k.label}); {expected}")
    return check_number(x, parameter, value, k.label, allow_zero=allow_zero)


def check_number(x: float, parameter: str, shown=None, unit: str = "",
                 *, allow_zero: bool = False) -> float:
    """Refuse NaN, infinity, negatives and (unless allowed) zero; return ``x`` as a float."""
    shown = x if shown is None else shown
    try:
        ok = not isinstance(x, bool) and isinstance(x, Real) and math.isfinite(x)
    except OverflowError:             # an int too large for a float
        ok = False
    if not ok:
        raise InputError(parameter, shown, "expected a finite number")
    if x < 0 or (x == 0 and not allow_zero):
        need = "zero or more" if allow_zero else "more than zero"
        raise InputError(parameter, shown, f"must be {need}{' ' + unit if unit else ''}")
    return float(x)


def _number(x, name: str = "x") -> float:
    """``x`` as a float if it is a real number (infinity and NaN included), else InputError."""
    try:
        if not isinstance(x, bool) and isinstance(x, Real):
            return float(x)
    except OverflowError:
        pass
    raise InputError(name, x, "a number")


def _finite(x, name: str = "x") -> float:
    try:
        if not isinstance(x, bool) and isinstance(x, Real) and math.isfinite(x):
            return float(x)
    except OverflowError:
        pass
    raise InputError(name, x, "a finite number")


def quantity(x: float, kind: str):
    """A pint quantity in canonical units for a finite float ``x`` of ``kind``."""
    k = _kind(kind)
    return registry().Quantity(_finite(x), k.canonical)


def convert(x: float, kind: str, unit: str) -> float:
    """A canonical float of ``kind`` expressed in display ``unit`` (see DISPLAY)."""
    units = DISPLAY[_kind(kind).name]
    if not isinstance(unit, str) or unit not in units:
        raise InputError("unit", unit, f"expected one of {', '.join(units)}")
    return _number(x) * units[unit]


def _sig(sig) -> int:
    if isinstance(sig, bool) or not isinstance(sig, int) or not 1 <= sig <= 17:
        raise InputError("sig", sig, "a whole number of significant figures from 1 to 17")
    return sig


def fmt(x: float, kind: str, unit: str | None = None, sig: int = 3) -> str:
    """Format a canonical float for people, e.g. ``fmt(0.6, 'flow') -> '0.6 mL/day'``.
    Durations under a day are given in hours (under an hour, in minutes) unless ``unit``
    says otherwise; infinity and NaN are written 'inf' and 'nan'."""
    k = _kind(kind)
    x = _number(x)
    if unit is None and kind == "time" and 0 < x < 1:
        unit = "h" if x >= 1 / 24 else "min"
    unit = k.label if unit is None else unit
    text = significant(convert(x, kind, unit), sig)
    return f"{text} {'days' if unit == 'day' and text != '1' else unit}"


def significant(x: float, sig: int = 3) -> str:
    """``x`` rounded to ``sig`` significant figures, without trailing zeros; beyond 1e15 or
    below 1e-9 in powers of ten ('1.23e20')."""
    sig = _sig(sig)
    x = _number(x)
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    if not 1e-9 <= abs(x) < 1e15:
        mantissa, exponent = f"{x:.{sig - 1}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent)}"
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
