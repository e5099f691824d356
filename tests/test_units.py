"""Units at the edges: parsing, refusals and conversions."""
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itsim import InputError
from itsim.units import fmt, parse, show, significant


@pytest.mark.parametrize("text, kind, expected", [
    ("500 mcg/mL", "concentration", 500.0),
    ("25 mg/mL", "concentration", 25000.0),
    ("0.6 mL/day", "flow", 0.6),
    ("0.1 mL/h", "flow", 2.4),
    ("2 mg", "mass", 2000.0),
    ("25 µg", "mass", 25.0),
    ("3 ug", "mass", 3.0),
    ("0.1 mcg/h", "dose_rate", 2.4),
    ("12 h", "time", 0.5),
    ("60 cm", "length", 60.0),
])
def test_parse_to_canonical(text, kind, expected):
    assert parse(text, kind, "x") == pytest.approx(expected)


@pytest.mark.parametrize("value, kind, fragment", [
    ("2 mg", "concentration", "that is an amount of drug, not a concentration"),  # mg for mg/mL
    ("2 mg", "volume", "that is an amount of drug, not a volume"),
    ("300 mcg", "dose_rate", "that is an amount of drug, not a dose per time"),
    ("500 mcg/mL", "dose_rate", "that is a concentration (amount per volume), not a dose"),
    ("300 mcg/h*h", "dose_rate", "that is an amount of drug, not a dose per time"),
    (300, "dose_rate", "number without a unit is ambiguous"),
    ("300", "dose_rate", "a number without a unit is ambiguous"),
    ("1,5 mg", "mass", "decimal point and no commas"),
    ("1,000 mcg", "mass", "decimal point and no commas"),
    ("-2 mL", "volume", "more than zero"),
    ("0 mL", "volume", "more than zero"),
    ("nan mL", "volume", "finite number"),
    ("inf mL", "volume", "finite number"),
    ("", "volume", "expected a volume"),
    (None, "volume", "expected a volume"),
    ("banana", "volume", "could not read it"),
])
def test_bad_values_name_parameter_value_and_unit(value, kind, fragment):
    with pytest.raises(InputError) as e:
        parse(value, kind, "fill")
    message = str(e.value)
    assert message.startswith(f"fill = {value!r}")
    assert fragment in message
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize("text, kind, expected", [
    ("300 mcg/24h", "dose_rate", 300.0), ("300 mcg/24 hours", "dose_rate", 300.0),
    ("300 MCG/day", "dose_rate", 300.0), ("2 MG", "mass", 2000.0), ("0.6 ML/day", "flow", 0.6),
    ("10 uL", "volume", 0.01), ("25 Mg/mL", "concentration", 25000.0),
])
def test_how_nurses_write_units_is_understood(text, kind, expected):
    assert parse(text, kind, "x") == pytest.approx(expected)


def test_zero_allowed_only_when_asked():
    assert parse("0 mL", "volume", "target", allow_zero=True) == 0.0


def test_accepts_pint_quantities_from_itsim_and_elsewhere():
    import pint

    from itsim.units import registry
    assert parse(registry().Quantity(2, "mg"), "mass", "x") == 2000.0
    other = pint.UnitRegistry()
    assert parse(other.Quantity(2, "milligram"), "mass", "x") == pytest.approx(2000.0)


@given(st.floats(min_value=1e-6, max_value=1e6))
def test_mg_mcg_round_trip(x):
    assert parse(f"{x!r} mg", "mass", "x") == pytest.approx(x * 1000, rel=1e-12)
    assert parse(f"{x * 1000!r} mcg", "mass", "x") == pytest.approx(x * 1000, rel=1e-12)


@given(st.floats(min_value=1e-6, max_value=1e4))
def test_flow_per_hour_and_per_day_agree(x):
    assert parse(f"{x!r} mL/h", "flow", "x") == pytest.approx(parse(f"{x * 24!r} mL/day",
                                                                     "flow", "x"), rel=1e-12)


def test_formatting():
    assert fmt(0.6, "flow") == "0.6 mL/day"
    assert fmt(0.6, "flow", "mL/h") == "0.025 mL/h"
    assert fmt(20000, "dose_rate", "mg/day") == "20 mg/day"
    assert fmt(1, "time") == "1 day" and fmt(30, "time") == "30 days"
    assert fmt(0.045, "time") == "1.08 h" and fmt(0.01, "time") == "14.4 min"
    assert significant(0.0041666) == "0.00417" and significant(225.4) == "225"
    assert significant(math.inf) == "inf"


def test_show_a_quantity():
    from itsim import dosing
    assert show(dosing.rate("300 mcg/day", "500 mcg/mL")) == "0.6 mL/day"
    assert show(dosing.rate("300 mcg/day", "500 mcg/mL"), "mL/h") == "0.025 mL/h"
