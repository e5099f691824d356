"""Implantation: catheter volume (E2), priming, the plan's checks, post-op complications."""
import math

import pytest

import itsim
from itsim import InputError, implant


@pytest.mark.parametrize("trimmed, volume", [(30, 0.208), (0, 0.286)])
def test_implanted_catheter_volume_worked_example_E2(trimmed, volume):
    # devices §9 E2: length = 110 cm - trimmed; volume = length x 0.0026 mL/cm [S38]
    p = implant.plan("lower-limbs", length=f"{110 - trimmed} cm")
    assert p.catheter_volume == pytest.approx(volume)
    assert p.priming_volume == pytest.approx(volume + 0.2)       # + pump tubing (assumption)


def test_days_to_the_tip_without_priming_is_volume_over_rate():
    p = implant.plan("lower-limbs", length="80 cm", dose="100 mcg/day",
                     concentration="500 mcg/mL")
    assert p.rate == pytest.approx(0.2)                          # mL/day
    assert p.days_to_tip_unprimed == pytest.approx(0.408 / 0.2)


def test_priming_skipped_primed_and_doubled():
    kw = dict(length="80 cm", dose="100 mcg/day", concentration="500 mcg/mL", days=5)
    primed = implant.priming("primed", **kw)
    skipped = implant.priming("skipped", **kw)
    doubled = implant.priming("doubled", **kw)
    assert primed.first_at_tip < 0.05                            # within the hour
    assert skipped.first_at_tip == pytest.approx(primed.plan.days_to_tip_unprimed, rel=0.02)
    assert skipped.effect_day > 2 > primed.effect_day
    # the second priming bolus pushes a whole primed volume of drug into the CSF
    assert doubled.extra == pytest.approx(0.408 * 500)
    extra = (doubled.timeline.summary()["delivered"]["to_csf_mcg"]
             - primed.timeline.summary()["delivered"]["to_csf_mcg"])
    # (less the basal dose the pump skips while the second bolus runs)
    assert extra == pytest.approx(doubled.extra, rel=0.01)
    assert doubled.timeline.mass_balance_error < 1e-9


def test_plan_defaults_sit_in_the_sourced_ranges_without_findings():
    for target, (lo, hi) in {"lower-limbs": ("T10", "T12"), "upper-limbs": ("C5", "T2"),
                             "dystonia": ("C1", "C4")}.items():
        p = implant.plan(target, length="100 cm")
        assert p.tip in implant.levels_between(lo, hi)
        assert [f.code for f in p.findings] == []


def test_plan_flags_a_deep_pocket_a_short_catheter_and_a_tip_out_of_range():
    assert "pocket-too-deep" not in codes(pocket_depth="2.5 cm")        # the limit [S15]
    assert "pocket-too-deep" in codes(pocket_depth="2.6 cm")
    assert "catheter-too-short" in codes(target="upper-limbs", length="20 cm")
    assert "tip-outside-range" in codes(tip="T6")
    assert "placement" in codes(placement="subcutaneous")


def codes(target="lower-limbs", **kw):
    return [f.code for f in implant.plan(target, **kw).findings]


def test_a_higher_tip_reaches_higher_levels():
    low = implant.plan("lower-limbs", tip="T12", length="100 cm")
    high = implant.plan("lower-limbs", tip="T6", length="100 cm")
    assert itsim.body.csf.index(high.covered[1]) > itsim.body.csf.index(low.covered[1])


@pytest.mark.parametrize("kw, parameter", [
    (dict(target="knees"), "target"),
    (dict(target="pain"), "pain_level"),
    (dict(pain_level="T8"), "pain_level"),
    (dict(tip="L3"), "tip"),
    (dict(tip="X9"), "tip"),
    (dict(length="120 cm"), "length"),
    (dict(length="60"), "length"),
    (dict(pocket_depth="-1 cm"), "pocket_depth"),
    (dict(placement="in the arm"), "placement"),
    (dict(dose="100 mcg"), "dose"),
])
def test_bad_plans_name_the_parameter(kw, parameter):
    with pytest.raises(InputError) as e:
        implant.plan(**kw)
    assert e.value.parameter == parameter


def test_complications_are_seeded_and_in_their_windows():
    assert implant.complications(3) == implant.complications(3)
    table = implant.complication_table()
    for seed in range(200):
        for c in implant.complications(seed):
            lo, hi = table[c.name].window
            assert lo <= c.day <= hi


def test_long_run_complication_rates_match_the_sources():
    n = 40000
    for name, (drawn, risk) in implant.complication_rates(n, seed=11).items():
        sd = math.sqrt(risk * (1 - risk) / n)
        assert abs(drawn - risk) < 4 * sd, name                # 15 % PDPH [S92], ...


def test_healing_period_is_6_to_8_weeks():
    assert implant.healing_weeks() == (6, 8)                   # [S90, S6]


def test_every_implant_fact_has_a_source_or_is_a_labelled_assumption():
    for _, f in implant.all_facts():
        assert f.source or (f.assumption and f.note)
