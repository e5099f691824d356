"""Dose arithmetic against worked examples from the reference, and its properties."""
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itsim import InputError, dosing, drugs
from itsim.units import parse


def mag(q):
    return float(q.magnitude)


# --- worked examples: shared/reference/devices-and-procedures.md section 9 ------------------

def test_E1_prometra_fav_mri_leak():
    # Infumorph 25 mg/mL x <= 10 microlitres -> <= 0.25 mg morphine [S35]
    assert mag(dosing.amount("10 uL", "25 mg/mL")) == pytest.approx(250.0)  # mcg


def test_E4_archimedes_running_time_and_solution_makeup():
    m = dosing.solution_makeup("20 mL", "0.5 mL/day", "2 mg/day", "25 mg/mL")
    assert m.running_time == pytest.approx(40.0)
    assert m.drug_amount == pytest.approx(80_000.0)          # 80 mg in mcg
    assert m.drug_volume == pytest.approx(3.2)
    assert m.diluent_volume == pytest.approx(16.8)
    assert m.final_concentration == pytest.approx(4000.0)    # 4 mg/mL
    assert mag(dosing.daily_dose("0.5 mL/day", "4 mg/mL")) == pytest.approx(2000.0)


def test_E5_minimum_rate_outlasts_stability():
    # 0.048 mL/day: 20 mL lasts 416.7 days, 40 mL 833.3 days; morphine is stable 90 days
    p20 = dosing.prescription("morphine", "25 mg/mL", "1.2 mg/day", pump="programmable-20")
    p40 = dosing.prescription("morphine", "25 mg/mL", "1.2 mg/day", pump="programmable-40")
    assert p20.flow == pytest.approx(0.048)
    assert p20.days_to_empty == pytest.approx(416.7, abs=0.05)
    assert p40.days_to_empty == pytest.approx(833.3, abs=0.05)
    assert p20.refill_within_days == 90 and p20.refill_reason.startswith("drug stability")


def test_E7_ziconotide_units_and_refill_cap():
    assert parse("2.4 mcg/day", "dose_rate", "x") == pytest.approx(parse("0.1 mcg/h",
                                                                          "dose_rate", "x"))
    p = dosing.prescription("ziconotide", "25 mcg/mL", "2.4 mcg/day")
    assert p.flow == pytest.approx(0.096)
    assert p.days_to_empty == pytest.approx(208.3, abs=0.05)
    assert p.refill_within_days == 84
    first = dosing.prescription("ziconotide", "25 mcg/mL", "2.4 mcg/day", first_fill=True)
    assert first.refill_within_days == 14
    diluted = dosing.prescription("ziconotide", "10 mcg/mL", "2.4 mcg/day", diluted=True)
    assert diluted.refill_within_days == 40


def test_basic_relations():
    assert mag(dosing.rate("300 mcg/day", "500 mcg/mL")) == pytest.approx(0.6)
    assert mag(dosing.daily_dose("0.6 mL/day", "500 mcg/mL")) == pytest.approx(300)
    assert mag(dosing.concentration_for("300 mcg/day", "0.6 mL/day")) == pytest.approx(500)
    assert mag(dosing.days_until("20 mL", "2 mL", "0.25 mL/day")) == pytest.approx(72)
    assert mag(dosing.days_until("1 mL", "2 mL", "0.25 mL/day")) == 0


def test_mg_and_mcg_never_mix_silently():
    assert mag(dosing.rate("0.3 mg/day", "500 mcg/mL")) == pytest.approx(0.6)
    with pytest.raises(InputError, match="daily_dose = '300 mg'"):
        dosing.rate("300 mg", "500 mcg/mL")
    with pytest.raises(InputError, match="concentration = '500 mcg'"):
        dosing.rate("300 mcg/day", "500 mcg")


# --- checks ------------------------------------------------------------------------------------

def codes(findings):
    return sorted(f.code for f in findings)


def test_checks_flag_each_limit_with_its_source():
    f = dosing.check("morphine", concentration="30 mg/mL", daily_dose="25 mg/day",
                     previous_dose="10 mg/day", refill_interval="120 day")
    assert codes(f) == ["above-max-concentration", "above-max-daily-dose", "beyond-stability",
                        "granuloma-risk", "titration-step-too-large"]
    by = {x.code: x for x in f}
    assert by["above-max-daily-dose"].source == "[M1]"
    assert by["beyond-stability"].source == "[S70]"
    assert "150%" in by["titration-step-too-large"].message


def test_no_findings_for_a_plain_prescription():
    assert dosing.check("baclofen", concentration="500 mcg/mL", daily_dose="300 mcg/day",
                        previous_dose="250 mcg/day") == []


def test_titration_step_depends_on_cancer_pain():
    kw = dict(daily_dose="1.4 mg/day", previous_dose="1 mg/day")
    assert codes(dosing.check("morphine", **kw)) == ["titration-step-too-large"]
    assert dosing.check("morphine", cancer=True, **kw) == []


def test_baclofen_decrease_limit():
    f = dosing.check("baclofen", daily_dose="200 mcg/day", previous_dose="300 mcg/day")
    assert codes(f) == ["titration-step-too-large"] and "fall of 33%" in f[0].message


def test_ziconotide_titration_faster_than_the_label_allows():
    f = dosing.check("ziconotide", daily_dose="6 mcg/day", previous_dose="2.4 mcg/day",
                     days_since_last_change="12 h")
    assert codes(f) == ["titration-too-fast", "titration-too-soon"]
    assert all(x.severity == "danger" for x in f)
    schedule = [(0, "2.4 mcg/day"), (1, "4.8 mcg/day"), (2, "7.2 mcg/day"), (3, "9.6 mcg/day"),
                (4, "12 mcg/day")]
    f = dosing.check_schedule("ziconotide", schedule)
    assert codes(f) == ["titration-too-fast"]
    assert "4 increases in the 7 days up to day 4" in f[0].message and "at most 3" in f[0].message
    assert dosing.check_schedule("ziconotide", schedule[:4]) == []     # 3 a week is allowed


def test_new_start_above_starting_dose_and_pump_minimum():
    p = dosing.prescription("morphine", "25 mg/mL", "2 mg/day", new_start=True)
    assert "above-starting-dose" in codes(p.findings)
    p = dosing.prescription("ziconotide", "100 mcg/mL", "1 mcg/day")
    assert "below-min-rate" in codes(p.findings)          # 0.01 mL/day < 0.048 [S2]


def test_prescription_refuses_impossible_pump_inputs():
    with pytest.raises(InputError, match="holds at most 20 mL"):
        dosing.prescription("baclofen", "500 mcg/mL", "300 mcg/day", fill="30 mL")
    with pytest.raises(InputError, match="less than the fill volume"):
        dosing.prescription("baclofen", "500 mcg/mL", "300 mcg/day", fill="2 mL",
                            low_reservoir_alarm="2 mL")
    with pytest.raises(InputError, match="pump = 'nope'"):
        dosing.prescription("baclofen", "500 mcg/mL", "300 mcg/day", pump="nope")


# --- conversions -----------------------------------------------------------------------------

def test_morphine_route_chain():
    c = dosing.convert_morphine("300 mg/day", "oral", "intrathecal")
    assert c.value == pytest.approx(1000) and c.ratio == 300
    assert (c.low, c.high) == (pytest.approx(2400), pytest.approx(30_000))  # 125:1 .. 10:1
    assert "rule of thumb" in c.caveat
    assert dosing.convert_morphine("1 mg/day", "intrathecal", "epidural").value == 10_000
    assert dosing.convert_morphine("10 mg/day", "iv", "oral").value == pytest.approx(30_000)
    with pytest.raises(InputError, match="from_route = 'rectal'"):
        dosing.convert_morphine("1 mg/day", "rectal", "oral")


def test_hydromorphone_conversion_takes_the_lower_target_dose():
    to_h = dosing.convert_hydromorphone_morphine("6 mg/day", to="hydromorphone")
    assert (to_h.value, to_h.low, to_h.high) == (1000, 1000, 3000)       # 6:1 .. 2:1
    to_m = dosing.convert_hydromorphone_morphine("1 mg/day", to="morphine")
    assert (to_m.value, to_m.low, to_m.high) == (2000, 2000, 6000)
    assert to_m.source == "[M15]"


@given(st.floats(min_value=0.01, max_value=1e5), st.sampled_from(dosing.ROUTES),
       st.sampled_from(dosing.ROUTES))
def test_route_conversion_round_trips(dose, a, b):
    there = dosing.convert_morphine(f"{dose!r} mcg/day", a, b).value
    back = dosing.convert_morphine(f"{there!r} mcg/day", b, a).value
    assert back == pytest.approx(dose, rel=1e-9)


# --- titration plans ---------------------------------------------------------------------------

def test_ziconotide_label_plan_reaches_the_maximum_on_day_21():
    plan = dosing.titration_plan("ziconotide", "2.4 mcg/day", "19.2 mcg/day")
    assert plan.days_to_target == 21 and plan.interval == 3
    assert plan.doses[-1] == pytest.approx(19.2)
    assert plan.dose_on(20.9) == pytest.approx(16.8)
    assert dosing.check_schedule("ziconotide", list(zip(plan.days, [
        f"{x!r} mcg/day" for x in plan.doses]))) == []


def test_titration_plan_refuses_what_the_label_forbids():
    with pytest.raises(InputError, match="target = '21.6 mcg/day'.*19.2"):
        dosing.titration_plan("ziconotide", "2.4 mcg/day", "21.6 mcg/day")
    with pytest.raises(InputError, match="start = '5 mcg/day'"):
        dosing.titration_plan("ziconotide", "5 mcg/day", "10 mcg/day")
    with pytest.raises(InputError, match="step = '3 mcg/day'"):
        dosing.titration_plan("ziconotide", "2.4 mcg/day", "10 mcg/day", step="3 mcg/day")
    with pytest.raises(InputError, match="interval = '1 day'"):
        dosing.titration_plan("ziconotide", "2.4 mcg/day", "10 mcg/day", interval="1 day")
    with pytest.raises(InputError, match="profile"):
        dosing.titration_plan("morphine", "0.2 mg/day", "1 mg/day")


@given(st.floats(min_value=0.1, max_value=2.4), st.floats(min_value=0.1, max_value=19.2),
       st.sampled_from(["label", "consensus"]))
def test_every_generated_plan_passes_the_checks(start, target, profile):
    target = max(start, target)
    plan = dosing.titration_plan("ziconotide", f"{start!r} mcg/day", f"{target!r} mcg/day",
                                 profile=profile)
    rules = drugs.get("ziconotide").fact("titration" if profile == "label"
                                         else "titration_consensus")
    steps = [b - a for a, b in zip(plan.doses, plan.doses[1:])]
    assert all(0 < s <= rules["max_step"] + 1e-9 for s in steps)
    assert plan.doses[-1] == pytest.approx(target)
    assert all(b - a >= rules["min_interval"] for a, b in zip(plan.days, plan.days[1:]))
    schedule = list(zip(plan.days, [f"{x!r} mcg/day" for x in plan.doses]))
    assert dosing.check_schedule("ziconotide", schedule) == []


# --- properties ------------------------------------------------------------------------------

doses = st.floats(min_value=1e-3, max_value=1e5)      # mcg/day
concs = st.floats(min_value=1e-2, max_value=1e5)      # mcg/mL


@given(doses, concs)
def test_dose_rate_dose_round_trip(dose, conc):
    r = dosing.rate(f"{dose!r} mcg/day", f"{conc!r} mcg/mL")
    back = dosing.daily_dose(r, f"{conc!r} mcg/mL")
    assert mag(back) == pytest.approx(dose, rel=1e-12)
    assert mag(dosing.concentration_for(f"{dose!r} mcg/day", r)) == pytest.approx(conc, rel=1e-12)


@given(st.floats(min_value=1, max_value=1000), st.floats(min_value=0.1, max_value=2000),
       st.floats(min_value=1, max_value=20), st.floats(min_value=0, max_value=0.99))
def test_prescription_volumes_add_up(dose, conc, fill, alarm_fraction):
    p = dosing.prescription("baclofen", f"{conc!r} mcg/mL", f"{dose!r} mcg/day",
                            fill=f"{fill!r} mL", low_reservoir_alarm=f"{fill * alarm_fraction!r} mL")
    assert p.days_to_alarm * p.flow + p.low_reservoir_alarm == pytest.approx(p.fill)
    assert p.days_to_empty * p.flow == pytest.approx(p.fill)
    assert p.refill_within_days <= p.days_to_alarm
    assert p.reservoir_volume([0, p.days_to_empty, 2 * p.days_to_empty]).tolist() == \
        pytest.approx([p.fill, 0, 0], abs=1e-9)


@given(st.floats(min_value=1, max_value=50), st.floats(min_value=0.05, max_value=5),
       st.floats(min_value=1, max_value=20000), st.floats(min_value=100, max_value=50000))
def test_solution_makeup_conserves_drug_and_volume(res, flow, dose, stock):
    try:
        m = dosing.solution_makeup(f"{res!r} mL", f"{flow!r} mL/day", f"{dose!r} mcg/day",
                                   f"{stock!r} mcg/mL")
    except InputError as e:
        assert e.parameter == "stock_concentration"
        return
    assert m.drug_volume + m.diluent_volume == pytest.approx(res)
    assert m.final_concentration * res == pytest.approx(m.drug_amount)
    assert m.final_concentration * flow == pytest.approx(dose)


@pytest.mark.parametrize("call", [
    lambda: dosing.rate("0 mcg/day", "500 mcg/mL"),
    lambda: dosing.rate("nan mcg/day", "500 mcg/mL"),
    lambda: dosing.rate("300 mcg/day", -1),
    lambda: dosing.prescription("aspirin", "1 mg/mL", "1 mg/day"),
    lambda: dosing.check("baclofen", daily_dose="300 mcg/mL"),
    lambda: dosing.check_schedule("ziconotide", [(1, "2.4 mcg/day"), (0, "4.8 mcg/day")]),
    lambda: dosing.convert_hydromorphone_morphine("1 mg/day", to="fentanyl"),
])
def test_bad_input_raises_the_package_error(call):
    with pytest.raises(InputError):
        call()


def test_a_rate_no_pump_can_deliver_is_flagged_as_an_assumption_based_limit():
    p = dosing.prescription("baclofen", "500 mcg/mL", "200 mg/day")      # mg for mcg: 400 mL/day
    f = {x.code: x for x in p.findings}
    assert "above-max-rate" in f and f["above-max-rate"].source.startswith("teaching assumption")
    assert "above-max-daily-dose" in f


def test_underdoses_and_unit_slips_against_the_previous_dose_are_flagged():
    f = {x.code: x for x in dosing.check("baclofen", daily_dose="0.2 mcg/day")}
    assert "below-usual-dose" in f and "check the units" in f["below-usual-dose"].message
    f = {x.code: x for x in dosing.check("baclofen", daily_dose="150 mcg/day",
                                         previous_dose="150 mg/day")}
    assert f["unit-slip"].severity == "danger" and "0.001 times" in f["unit-slip"].message
    assert "unit-slip" not in codes(dosing.check("baclofen", daily_dose="300 mcg/day",
                                                 previous_dose="250 mcg/day"))
    assert dosing.check("ziconotide", daily_dose="1.2 mcg/day") == []   # label start has no floor


def test_ratio_is_written_in_the_direction_of_travel():
    assert dosing.convert_morphine("1 mg/day", "intrathecal", "oral").ratio_text == "1 : 300"
    assert dosing.convert_morphine("300 mg/day", "oral", "intrathecal").ratio_text == "300 : 1"
    assert "10:1" not in dosing.convert_morphine("10 mg/day", "iv", "epidural").caveat


# --- crashes that used to escape as TypeError, ValueError, inf or a hang --------------------

def test_a_valve_gated_pump_prescription_works_with_its_refill_point():
    p = dosing.prescription("morphine", "10 mg/mL", "1 mg/day", pump="valve-gated-20")
    assert p.flow == pytest.approx(0.1) and p.low_reservoir_alarm == 3.0     # [S43]
    assert p.days_to_alarm == pytest.approx(170.0) and p.days_to_empty == pytest.approx(200.0)
    assert "below-min-rate" not in codes(p.findings)     # no minimum rate is published


def test_a_constant_flow_pump_prescription_is_refused_with_what_to_use():
    with pytest.raises(InputError) as e:
        dosing.prescription("morphine", "10 mg/mL", "1 mg/day", pump="constant-flow-30")
    assert e.value.parameter == "pump" and "solution_makeup" in str(e.value)


@pytest.mark.parametrize("call, parameter, fragment", [
    (lambda: dosing.rate("1e300 mg/day", "1e-300 mcg/mL"), "daily_dose", "too large"),
    (lambda: dosing.rate("1e-300 mcg/day", "1e300 mg/mL"), "daily_dose", "too small"),
    (lambda: dosing.daily_dose("1e300 mL/day", "1e300 mcg/mL"), "rate", "too large"),
    (lambda: dosing.daily_dose("1e-300 mL/day", "1e-300 mcg/mL"), "rate", "too small"),
    (lambda: dosing.concentration_for("1e300 mcg/day", "1e-300 mL/day"), "daily_dose",
     "too large"),
    (lambda: dosing.amount("1e300 mL", "1e300 mcg/mL"), "volume", "too large"),
    (lambda: dosing.days_until("20 mL", "2 mL", "1e-307 mL/day"), "rate", "too large"),
    (lambda: dosing.prescription("morphine", "1e-300 mcg/mL", "1e300 mg/day"), "daily_dose",
     "too large"),
    (lambda: dosing.solution_makeup("20 mL", "1e-307 mL/day", "1 mg/day", "10 mg/mL"), "flow",
     "too large"),
    (lambda: dosing.bridge_bolus("1e-300 mcg/day", "1e300 mg/mL", "10 mg/mL", "0.4 mL"),
     "daily_dose", "too small"),
    (lambda: dosing.convert_hydromorphone_morphine("1e308 mcg/day", "morphine"), "dose",
     "too large"),
])
def test_results_beyond_the_float_range_are_refused(call, parameter, fragment):
    with pytest.raises(InputError) as e:
        call()
    assert e.value.parameter == parameter and fragment in str(e.value)


def test_a_zero_result_from_zero_input_is_still_an_answer():
    assert mag(dosing.amount("0 mL", "10 mg/mL")) == 0
    assert mag(dosing.days_until("2 mL", "2 mL", "1e-300 mL/day")) == 0


@pytest.mark.parametrize("schedule, parameter", [
    ([], "schedule"), (None, "schedule"), ("0 2.4 mcg/day", "schedule"),
    ({0: "2.4 mcg/day"}, "schedule"), ([(0,)], "schedule[0]"), ([5], "schedule[0]"),
    ([(0, "2.4 mcg/day"), (3, "4.8 mcg/day", "x")], "schedule[1]"),
    ([(0, "2.4 mcg/day"), ("x", "4.8 mcg/day")], "schedule[1] day"),
    ([(True, "2.4 mcg/day")], "schedule[0] day"),
    ([(0, "2.4 mcg/day"), (3, None)], "schedule[1] dose"),
])
def test_a_malformed_schedule_names_the_step(schedule, parameter):
    with pytest.raises(InputError) as e:
        dosing.check_schedule("ziconotide", schedule)
    assert e.value.parameter == parameter


def test_a_one_step_schedule_checks_the_maximum_only():
    assert codes(dosing.check_schedule("ziconotide", [(0, "30 mcg/day")])) == [
        "above-max-daily-dose"]


@pytest.mark.parametrize("route", [["oral"], {"oral": 1}, None, 3, "ORAL"])
def test_a_route_that_is_not_one_of_the_names_is_refused(route):
    for call, name in ((lambda: dosing.convert_morphine("300 mg/day", route, "iv"), "from_route"),
                       (lambda: dosing.convert_morphine("300 mg/day", "iv", route), "to_route")):
        with pytest.raises(InputError) as e:
            call()
        assert e.value.parameter == name


def test_a_tiny_titration_step_is_refused_at_once():
    t0 = time.perf_counter()
    with pytest.raises(InputError) as e:
        dosing.titration_plan("ziconotide", "2.4 mcg/day", "19.2 mcg/day", step="1e-9 mcg/day")
    assert time.perf_counter() - t0 < 1.0                  # a hang guard, not a benchmark
    assert e.value.parameter == "step" and f"at most {dosing.MAX_PLAN_STEPS} steps" in str(e.value)
    plan = dosing.titration_plan("ziconotide", "2.4 mcg/day", "19.2 mcg/day", step="0.0168 mcg/day")
    assert len(plan.days) == dosing.MAX_PLAN_STEPS + 1     # the smallest step allowed works


@pytest.mark.parametrize("name", ["cancer", "new_start", "first_fill", "diluted"])
def test_a_yes_no_option_must_be_true_or_false(name):
    with pytest.raises(InputError) as e:
        dosing.check("morphine", daily_dose="1 mg/day", **{name: "no"})   # "no" is truthy
    assert e.value.parameter == name


def test_baclofen_above_1000_mcg_is_a_caution_and_a_gross_overdose_a_danger():
    # B5's 'not to exceed 1000 mcg/day' is label-derived wording that was not found: a caution
    over = dosing.check("baclofen", daily_dose="1100 mcg/day")
    assert [(f.code, f.severity) for f in over] == [("above-max-daily-dose", "caution")]
    slip = dosing.check("baclofen", daily_dose="200 mg/day")      # above B18's 2400 mcg/day
    assert any(f.code == "above-max-daily-dose" and f.severity == "danger" for f in slip)


def test_oral_to_intrathecal_morphine_flags_the_range_above_the_maximum_and_cross_tolerance():
    c = dosing.convert_morphine("300 mg/day", "oral", "intrathecal")
    assert c.high == pytest.approx(30_000)                         # 300 mg / 10
    assert [f.code for f in c.findings] == ["above-max-daily-dose"]
    assert c.findings[0].severity == "danger" and "30 mg/day" in c.caveat
    assert c.reduced == (pytest.approx(500), pytest.approx(750))   # 25-50 % less than 1 mg
    assert "cross-tolerance" in c.caveat.lower() and "assumption" in c.reduction_label
    assert dosing.convert_morphine("10 mg/day", "oral", "iv").findings == ()
