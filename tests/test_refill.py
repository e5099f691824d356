"""Refills: the arithmetic against worked examples, and the refill station's every path."""
import datetime as dt

import pytest

import itsim
from itsim import InputError, refill
from itsim.units import fmt
from itsim.refill_station import STEPS, RefillCase, RefillSession, correct_session

# --- worked examples: shared/reference/devices-and-procedures.md section 9 -----------------


@pytest.mark.parametrize("expected, measured, when, pump, flagged", [
    ("18 mL", "16.8 mL", "after-refill", "programmable-20", True),     # 1.2 mL > 1 mL [S71]
    ("40 mL", "38.5 mL", "after-refill", "programmable-40", False),    # 1.5 mL < 2 mL [S71]
    ("6 mL", "3.5 mL", "emptying", "programmable-20", True),           # 2.5 mL > 2 mL [S72]
    ("6 mL", "4 mL", "emptying", "programmable-20", False),            # exactly 2 mL: not above
    ("3 mL", "8 mL", "emptying", "programmable-20", True),             # more came back
])
def test_E3_discrepancy_thresholds(expected, measured, when, pump, flagged):
    # the after-refill rule comes from a pump with a fill-level sensor [S71]
    d = refill.discrepancy(expected, measured, when=when, pump=pump,
                           sensor=True if when == "after-refill" else None)
    assert d.flagged is flagged


@pytest.mark.parametrize("pump", ["programmable-20", "programmable-40", "valve-gated-20",
                                  "constant-flow-30"])
def test_the_after_refill_rule_is_refused_on_a_pump_without_a_fill_level_sensor(pump):
    # the presets have no sensor: the volume shown after a refill is what the nurse typed
    assert refill.facts()["fill_level_sensor"].assumption
    assert not refill.has_fill_level_sensor(pump)
    with pytest.raises(InputError) as e:
        refill.discrepancy("18 mL", "16.8 mL", when="after-refill", pump=pump)
    assert e.value.parameter == "when" and "fill-level sensor" in e.value.allowed
    check = refill.after_refill_check(pump)
    assert "no fill-level sensor" in check and "re-access the reservoir" in check
    assert "burning or stinging" in check and "[S150" in check
    with pytest.raises(InputError):
        refill.discrepancy("18 mL", "16.8 mL", when="after-refill", pump=pump, sensor="yes")
    assert refill.discrepancy("6 mL", "3.5 mL", pump=pump).flagged      # emptying still applies


def test_after_refill_practice_cases_are_on_a_pump_with_a_sensor():
    cases = [refill.practice_case(i) for i in range(40)]
    after = [c for c in cases if c.when == "after-refill"]
    assert after and all("fill-level sensor" in c.prompt() for c in after)
    assert all(c.answer in refill.ANSWERS for c in after)


def test_discrepancy_direction_says_what_it_suggests():
    less = refill.discrepancy("6 mL", "3.5 mL")
    more = refill.discrepancy("3 mL", "8 mL")
    assert less.difference == pytest.approx(2.5) and "more than programmed" in less.meaning
    assert more.difference == pytest.approx(-5) and "withdrawal" in more.meaning
    assert "pocket fill" in refill.discrepancy("18 mL", "16.8 mL", when="after-refill",
                                               sensor=True).meaning


def test_E9_valve_gated_refill_date_with_every_bolus_used():
    # 20 mL, basal 0.3 mL/day, 4 boluses a day x 0.02 mL: (20 - 3) / 0.38 = 44.7 days [S43]
    p = refill.schedule("baclofen", "500 mcg/mL", "20 mL",
                        {"mode": "continuous", "rate": "0.3 mL/day",
                         "patient_bolus": {"dose": "10 mcg", "duration": "5 min",
                                           "lockout": "1 h", "max_per_day": 4}},
                        pump="valve-gated-20")
    assert p.alarm_day == pytest.approx(17 / 0.38, rel=1e-3)        # the controller's date
    assert p.alarm_volume == 3.0 and "refill point" in p.reason
    assert p.due_day == pytest.approx(17 / 0.38 - 7, rel=1e-3)      # planned a week before it


def test_E13_measured_accuracy_leaves_less_in_the_reservoir():
    # 60 days at 0.25 mL/day from 20 mL: the pump expects 5.0 mL; +1 % delivers 15.15 mL
    tl = itsim.simulate(drug="morphine", concentration="10 mg/mL", fill="20 mL",
                        program={"mode": "continuous", "dose": "2.5 mg/day"},
                        pump={"preset": "programmable-20", "accuracy": 1.01}, days=61,
                        step="10 min", events=[{"at": "day 60", "kind": "refill",
                                                "volume": "20 mL"}])
    r = tl.summary()["refills"][0]
    assert r["expected_ml"] == pytest.approx(5.0) and r["in_reservoir_ml"] == pytest.approx(4.85)
    assert r["flagged"] is False


@pytest.mark.parametrize("drug, kw, days", [
    ("morphine", {}, 90),                                           # [S70]
    ("ziconotide", {"first_fill": True}, 14),                       # [Z3, Z5]
    ("ziconotide", {"diluted": True}, 40),
    ("ziconotide", {}, 84),
])
def test_stability_limits_cap_the_interval(drug, kw, days):
    conc, dose = {"morphine": ("25 mg/mL", "0.5 mg/day"),
                  "ziconotide": ("25 mcg/mL", "2.4 mcg/day")}[drug]
    p = refill.schedule(drug, conc, "20 mL", {"mode": "continuous", "dose": dose}, **kw)
    assert p.due_day == days and "stability" in p.reason


def test_the_refill_is_planned_a_week_before_the_alarm_never_at_it():
    # the alarm is a backstop [S70]: plan ahead of the alarm date [B8, S5]
    p = refill.schedule("morphine", "10 mg/mL", "20 mL", {"mode": "continuous",
                                                           "dose": "2.5 mg/day"})
    margin = refill.facts()["plan_margin"]
    assert margin.value == 7 and margin.assumption                  # a labelled assumption
    assert p.alarm_day == pytest.approx(72) and p.empty_day == pytest.approx(80)
    assert p.margin == 7 and p.planned_day == pytest.approx(65) and "alarm" in p.reason
    assert p.booked_day == p.visit_day == 65 and p.days_before_alarm == pytest.approx(7)
    assert p.visit_day < p.alarm_day - 6.99
    assert "7 days before the alarm" in p.summary()


def test_a_constant_flow_pump_keeps_a_reserve_and_is_never_planned_to_run_dry():
    # 30 mL at 0.5 mL/day: empty on day 60, the old plan booked day 60 (the empty day)
    p = refill.schedule("morphine", "10 mg/mL", "30 mL", pump="constant-flow-30")
    reserve = refill.facts()["constant_flow_reserve"]
    assert reserve.assumption and p.reserve == reserve.value == 3.0
    assert p.alarm_day is None and p.empty_day == pytest.approx(60)
    assert p.reserve_day == pytest.approx(54) and p.warning_day == pytest.approx(54)
    assert p.planned_day == pytest.approx(47) and p.visit_day == 47
    assert p.empty_day - p.visit_day >= 13 and "never" in p.reason
    with pytest.raises(InputError) as e:
        refill.schedule("morphine", "10 mg/mL", "2 mL", pump="constant-flow-30")
    assert e.value.parameter == "fill"


def test_an_alarm_less_than_a_week_away_means_refill_now():
    p = refill.schedule("morphine", "10 mg/mL", "5 mL", {"mode": "continuous",
                                                          "dose": "5 mg/day"})
    assert p.alarm_day == pytest.approx(6) and p.due_day == 0 and p.visit_day == 0
    assert "refill now" in p.reason


def test_baclofen_without_a_stability_figure_gets_the_pumps_six_month_limit():
    # S10: a drug cannot stay in the pump more than 6 months; before, 760 days
    p = refill.schedule("baclofen", "2000 mcg/mL", "40 mL",
                        {"mode": "continuous", "dose": "100 mcg/day"}, pump="programmable-40")
    limit = refill.facts()["max_in_pump"]
    assert limit.source == ("S10",) and limit.value == 182
    assert p.alarm_day == pytest.approx(760) and p.due_day == 182 and p.limit == "pump limit"
    assert "6 months [S10]" in p.reason and "[S10]" in p.summary()
    # a drug's own, shorter stability still decides
    m = refill.schedule("morphine", "25 mg/mL", "20 mL", {"mode": "continuous",
                                                          "dose": "0.5 mg/day"})
    assert m.due_day == 90 and m.limit == "stability"
    assert any(f.code == "beyond-pump-limit" and f.source == "[S10]" for f in
               itsim.dosing.check("baclofen", refill_interval="200 days"))
    assert itsim.dosing.prescription("baclofen", "2000 mcg/mL", "100 mcg/day",
                                     pump="programmable-40").refill_within_days == 182


def test_every_program_mode_counts_its_real_volume():
    flex = refill.schedule("baclofen", "500 mcg/mL", "20 mL", {
        "mode": "flex", "steps": [["00:00", "200 mcg/day"], ["12:00", "400 mcg/day"]]})
    assert flex.daily_volume == pytest.approx(0.6, rel=1e-3)          # 300 mcg/day on average
    periodic = refill.schedule("baclofen", "500 mcg/mL", "20 mL", {
        "mode": "periodic-bolus", "dose": "200 mcg/day", "bolus_dose": "50 mcg",
        "bolus_duration": "30 min", "bolus_every": "12 h"})
    assert periodic.daily_volume == pytest.approx(0.6, rel=1e-3)     # 200 + 2 x 50
    flow = refill.schedule("morphine", "10 mg/mL", "30 mL", pump="constant-flow-30")
    assert flow.alarm_day is None and flow.empty_day == pytest.approx(
        30 / itsim.device.pump_preset("constant-flow-30").value("flow"), rel=1e-3)


def test_the_visit_is_booked_on_the_last_clinic_day_before_the_planned_day():
    # alarm day 72 from Thu 3 Dec 2026 is Sat 13 Feb 2027; planned a week before: day 65,
    # Sat 6 Feb; the clinic sees the patient on Friday 5 Feb (day 64), 8 days before the alarm
    p = refill.schedule("morphine", "10 mg/mL", "20 mL", {"mode": "continuous",
                                                           "dose": "2.5 mg/day"},
                        start="2026-12-03")
    assert p.date(p.alarm_day) == dt.date(2027, 2, 13)
    assert p.date(p.due_day) == dt.date(2027, 2, 6) and p.visit == dt.date(2027, 2, 5)
    assert p.visit_day == 64 and p.days_before_alarm == pytest.approx(8)
    q = refill.schedule("morphine", "10 mg/mL", "20 mL", {"mode": "continuous",
                                                           "dose": "2.5 mg/day"},
                        start="2026-12-03", holidays=["2027-02-05"])
    assert q.visit == dt.date(2027, 2, 4)


def test_the_patients_calendar_shows_the_refill_a_week_before_the_alarm():
    from itsim import patient_guide as g
    c = g.refill_calendar("2026-12-03", "20 mL", "0.5 mL/day", pump="programmable")
    assert c.alarm_date == dt.date(2027, 1, 8)                   # (20 - 2) / 0.5 = 36 days
    assert c.visit_date == dt.date(2027, 1, 1) and c.days_before_alarm == 7
    assert "a week" in c.summary() and "Do not wait" in c.summary()
    none = g.refill_calendar("2026-12-03", "30 mL", "0.5 mL/day", alarm="0 mL")
    assert none.alarm_date is None and none.reserve_date == dt.date(2027, 1, 26)
    assert none.visit_date == dt.date(2027, 1, 19) and none.empty_date == dt.date(2027, 2, 1)
    slow = g.refill_calendar("2026-12-03", "20 mL", "0.05 mL/day", drug="baclofen")
    assert (slow.visit_date - slow.refilled).days <= 182 and "6 months" in slow.reason


def test_concentration_change_without_a_bridge_underdoses_for_days():
    c = refill.concentration_change("300 mcg/day", "500 mcg/mL", "2000 mcg/mL", "0.356 mL")
    assert c.overlap_days == pytest.approx(0.356 / 0.15)
    assert c.dose_without_bridge == pytest.approx(75)              # a quarter of the dose
    assert c.bridge.flow == pytest.approx(0.6)


@pytest.mark.parametrize("call, parameter", [
    (lambda: refill.discrepancy("-1 mL", "2 mL"), "expected"),
    (lambda: refill.discrepancy("6 mL", "25 mL"), "measured"),
    (lambda: refill.discrepancy("6 mL", "5 mL", when="later"), "when"),
    (lambda: refill.schedule("morphine", "10 mg/mL", "25 mL", {"mode": "continuous",
                                                                "dose": "2 mg/day"}), "fill"),
    (lambda: refill.schedule("aspirin", "10 mg/mL", "20 mL", {}), "drug"),
    (lambda: refill.schedule("morphine", "10 mg/mL", "20 mL"), "program"),
    (lambda: refill.schedule("morphine", "10 mg/mL", "20 mL", {"mode": "continuous",
                                                                "dose": "2 mg/day"},
                             start="13/02/2027"), "start"),
    (lambda: refill.schedule("morphine", "10 mg/mL", "20 mL", {"mode": "continuous",
                                                                "dose": "2 mg/day"},
                             start="2027-01-01", clinic_days=["Funday"]), "clinic_days"),
])
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(InputError) as e:
        call()
    assert e.value.parameter == parameter


# --- the refill station ------------------------------------------------------------------

def test_a_complete_correct_session_scores_full_marks_and_keeps_the_patient_stable():
    r = correct_session().finish()
    assert r.score == 100 and r.safe and r.errors == [] and r.missed == []
    assert r.timeline.summary()["response"]["overdose"]["first_day"] is None
    assert r.timeline.summary()["response"]["withdrawal"]["first_day"] is None
    assert r.timeline.mass_balance_error < 1e-6


def run(case=None, skip=(), **choices):
    """A session doing every step except ``skip``, with ``choices`` per step (the programmer
    gets the order's volume and concentration unless ``choices`` say otherwise)."""
    s = RefillSession(case or RefillCase())
    _, conc, vol = s.case.order
    choices["program"] = {"volume": f"{vol!r} mL", "concentration": f"{conc!r} mcg/mL",
                          **choices.get("program", {})}
    for step in STEPS:
        if step not in skip:
            s.do(step, **choices.get(step, {}))
    return s.finish()


def codes(r):
    return [m.code for m in r.errors]


def summary(r):
    return r.timeline.summary()


MORPHINE = RefillCase(patient="cancer-pain", drug="morphine", concentration="10 mg/mL",
                      dose="2 mg/day", visit_day=60)


def test_pocket_fill_leads_to_an_overdose_course():
    r = run(RefillCase(**{**MORPHINE.__dict__, "port_hard": True}), skip=("confirm",),
            locate={"template": False}, inject={"check_return": False})
    assert "pocket-fill" in codes(r) and not r.safe
    s = summary(r)
    assert s["delivered"]["to_tissue_mcg"] == pytest.approx(20 * 10000)
    assert s["response"]["overdose"]["first_day"] is not None
    assert s["response"]["overdose"]["first_day"] >= MORPHINE.visit_day
    assert s["refills"][0]["flagged"]                      # nothing came back: evaluate


def test_the_placement_check_catches_a_missed_port():
    s = RefillSession(RefillCase(port_hard=True))
    for step in ("verify", "interrogate", "locate", "prepare", "access", "aspirate"):
        s.do(step, **({"template": False} if step == "locate" else {}))
    assert "not in the reservoir" in s.do("confirm")
    s.do("locate", template=True)
    s.do("access")
    s.do("aspirate")
    assert "comes back freely: the needle is in the reservoir" in s.do("confirm")
    s.do("inject")
    s.do("program", volume="20 mL", concentration="500 mcg/mL")
    s.do("observe")
    s.do("document")
    r = s.finish()
    assert codes(r) == ["pocket-fill"]                     # only the 5 mL test went astray
    assert summary(r)["delivered"]["to_tissue_mcg"] == pytest.approx(5 * 500)


def test_side_port_injection_goes_straight_to_the_csf():
    r = run(MORPHINE, access={"site": "side port"})
    assert "cap-injection" in codes(r)
    assert summary(r)["response"]["overdose"]["first_day"] == pytest.approx(60, abs=0.2)


def test_wrong_concentration_in_the_programmer_changes_the_dose():
    r = run(MORPHINE, program={"concentration": "1 mg/mL"})
    assert codes(r) == ["wrong-programmed-concentration"]
    assert summary(r)["response"]["overdose"]["first_day"] is not None


def test_a_forgotten_reservoir_update_puts_the_alarm_at_the_wrong_time():
    good = summary(run())
    r = run(skip=("program",))
    assert "reservoir-not-updated" in codes(r)
    alarms = [a["day"] for a in summary(r)["alarms"] if a["kind"] == "low-reservoir"]
    # the pump still believes the 3.2 mL it expected before the refill: it sounds the
    # low-reservoir alarm 2 days later, (3.2 - 2) / 0.6, with a full reservoir
    assert alarms == [pytest.approx(28 + (3.2 - 2) / 0.6)]
    assert [a for a in good["alarms"] if a["day"] >= 28] == []


def test_an_overfill_sends_the_excess_under_the_skin():
    r = run(skip=("aspirate",))                           # the residual was never withdrawn
    assert "overfill" in codes(r) and "pocket-fill" in codes(r)
    residual = RefillCase().actual_residual
    assert summary(r)["delivered"]["to_tissue_mcg"] == pytest.approx(residual * 500)


def test_a_late_refill_means_withdrawal():
    r = run(RefillCase(visit_day=40))
    assert r.situation and "ran dry" in r.situation[0]          # how the patient arrived
    assert "reservoir EMPTY" in RefillSession(RefillCase(visit_day=40)).do("interrogate")
    s = summary(r)
    assert s["reservoir_empty_day"] < 40
    assert s["response"]["withdrawal"]["first_day"] < 40


def test_a_wrong_syringe_is_caught_by_the_second_check_or_given():
    trap = RefillCase(syringe_drug="morphine", syringe_concentration="10 mg/mL")
    caught = run(trap)
    assert codes(caught) == [] and "second nurse reads the syringe" in RefillSession(
        trap).do("verify")
    given = run(trap, verify={"second_check": False})
    assert "wrong-drug" in codes(given) and "no-second-check" in codes(given)
    # baclofen stops reaching the spinal fluid: withdrawal after the old drug is gone
    assert summary(given)["response"]["withdrawal"]["first_day"] is not None


def test_out_of_order_and_missed_steps_cost_points():
    s = RefillSession()
    for step in ("interrogate", "verify", "locate", "prepare", "access", "aspirate", "inject"):
        s.do(step)
    s.do("program", volume="20 mL", concentration="500 mcg/mL")
    r = s.finish()
    assert r.out_of_order == ["verify"] and set(r.missed) == {"confirm", "observe", "document"}
    assert r.score < 100


def test_bad_input_at_a_step_changes_nothing():
    s = RefillSession()
    s.do("verify")
    before = dict(s.__dict__)
    for step, kw in (("fly", {}), ("access", {"needle": "bent"}), ("aspirate", {}),
                     ("inject", {"volume": "-2 mL"})):
        with pytest.raises(InputError):
            s.do(step, **kw)
    assert {k: v for k, v in s.__dict__.items()} == before


def test_a_case_refuses_unknown_keys():
    with pytest.raises(InputError, match="case.colour"):
        RefillCase.from_dict({"colour": "blue"})


def test_doing_nothing_is_not_safe():
    # a visit two days before the alarm (day 30): doing nothing lets the pump run dry (day 33.3)
    r = RefillSession(RefillCase(visit_day=28)).finish()
    assert not r.safe and r.score <= 40                    # the pump runs dry after the visit


def test_telling_the_programmer_more_than_the_pump_holds_is_dangerous():
    s = RefillSession()
    s.do("program", volume="20 mL", concentration="500 mcg/mL")    # nothing was refilled
    r = s.finish()
    assert "programmer-volume-too-high" in codes(r) and not r.safe


def test_the_programmer_refuses_a_concentration_in_the_wrong_unit():
    s = RefillSession()
    with pytest.raises(InputError, match="mg or mcg"):
        s.do("program", volume="20 mL", concentration="500 mg/mL")
    with pytest.raises(InputError, match="at most the reservoir"):
        s.do("program", volume="200 mL", concentration="500 mcg/mL")
    with pytest.raises(InputError, match="type the new reservoir volume"):
        s.do("program")
    assert s.done == []


def test_a_failed_aspiration_says_to_stop():
    s = RefillSession(RefillCase(port_hard=True))
    s.do("locate", template=False)
    s.do("access")
    assert "do not inject" in s.do("aspirate")


# --- schedule: crashes that used to escape --------------------------------------------------

CONT = {"mode": "continuous", "dose": "2.5 mg/day"}


@pytest.mark.parametrize("kw, parameter", [
    (dict(program="continuous"), "program"), (dict(program=["continuous"]), "program"),
    (dict(program={"mode": "continuous", "dose": "2.5 mg/day", "speed": 3}), "program.speed"),
    (dict(program={1: 2}), "program"),
    (dict(start="2026-12-03", clinic_days=5), "clinic_days"),
    (dict(start="2026-12-03", clinic_days="Mon"), "clinic_days"),
    (dict(start="2026-12-03", clinic_days=[]), "clinic_days"),
    (dict(start="2026-12-03", clinic_days=["Mon", None]), "clinic_days"),
    (dict(start="2026-12-03", holidays="2027-02-12"), "holidays"),
    (dict(start="2026-12-03", holidays=["2027-02-12", "xx"]), "holidays[1]"),
    (dict(start="2026-12-03", holidays=[None]), "holidays[0]"),
    (dict(start="9999-12-01"), "start"), (dict(start=20261203), "start"),
    (dict(start=dt.date.max), "start"),
    (dict(clinic_days=["Mon"]), "clinic_days"),             # no dates: cannot be applied
    (dict(holidays=["2027-02-12"]), "holidays"),
    (dict(first_fill="no"), "first_fill"),
    (dict(concentration="1e-300 mcg/mL"), "concentration"),
])
def test_schedule_refuses_bad_calendars_and_programs_by_name(kw, parameter):
    args = {"concentration": "10 mg/mL", "program": CONT, **kw}
    with pytest.raises(InputError) as e:
        refill.schedule("morphine", args.pop("concentration"), "20 mL", args.pop("program"),
                        **args)
    assert e.value.parameter == parameter


def test_schedule_takes_none_for_no_holidays_a_program_object_and_a_datetime():
    from itsim.device.program import program
    base = refill.schedule("morphine", "10 mg/mL", "20 mL", CONT, start="2026-12-03")
    assert refill.schedule("morphine", "10 mg/mL", "20 mL", CONT, start="2026-12-03",
                           holidays=None).visit == base.visit == dt.date(2027, 2, 5)
    assert refill.schedule("morphine", "10 mg/mL", "20 mL", program(**CONT),
                           start=dt.datetime(2026, 12, 3, 9, 30)).visit == base.visit
    latest = refill.LATEST_START
    assert refill.schedule("morphine", "10 mg/mL", "20 mL", CONT, start=latest).start == latest


def test_visit_day_and_date_refuse_what_has_no_date():
    p = refill.schedule("morphine", "10 mg/mL", "20 mL", CONT, start="2026-12-03")
    for bad in ("3", -1, float("nan"), 10 ** 9):
        with pytest.raises(InputError):
            p.date(bad)
    assert refill.visit_day(72.4, "2026-12-03") == 71          # Sat 13 Feb -> Fri 12 Feb
    assert refill.visit_day(72.4) == 72
    with pytest.raises(InputError):
        refill.visit_day(10 ** 7, "2026-12-03")


# --- the late patient: assess and escalate (issue 16 §3) -----------------------------------

def _late_case():
    from itsim.refill_station import load_cases
    return next(c for c in load_cases() if "late" in c.title)


def _plain_refill(case, assess=None, dose=None, minutes=30):
    """A refill with every step; ``dose``: a dose typed at the programmer (None: keep the
    prescribed one); ``minutes``: the watch afterwards."""
    s = RefillSession(case)
    d, conc, vol = s.case.order
    s.do("verify", second_check=True)
    s.do("interrogate")
    if assess is not None:
        s.do("assess", escalate=assess)
    for step, kw in (("locate", {"template": True}), ("prepare", {}), ("access", {}),
                     ("aspirate", {}), ("confirm", {}), ("inject", {"volume": f"{vol!r} mL"}),
                     ("program", {"volume": f"{vol!r} mL", "concentration": f"{conc!r} mcg/mL",
                                  **({} if dose is None else {"dose": dose})}),
                     ("observe", {"minutes": minutes}), ("document", {})):
        s.do(step, **kw)
    return s


def test_a_plain_refill_of_a_patient_whose_pump_ran_dry_is_unsafe():
    # the old station scored this 100/100 "safe": _harmed ignored withdrawal on arrival
    case = _late_case()
    assert case.visit_day > case.empty_day
    r = _plain_refill(case).finish()
    assert not r.safe and r.score <= 40 and "no-escalation" in codes(r)
    assert "assess" in r.missed and "[S153, B7]" in r.summary()
    skipped = _plain_refill(case, assess=False).finish()          # looked, called no one
    assert not skipped.safe and "no-escalation" in codes(skipped)
    done = _plain_refill(case, assess=True, dose="150 mcg/day", minutes=480).finish()
    assert done.safe and done.score == 100 and "no-escalation" not in codes(done)
    assert correct_session(case).finish().score == 100            # the model answer escalates


# --- the late patient's record: the refill date at the restart dose and at the prescription ---

def test_the_restart_record_gives_the_date_at_the_prescribed_dose_and_says_replan():
    case = _late_case()
    s = correct_session(case)
    text = " ".join(s.seen[-1].split())
    vol = f"{s.reservoir!r} mL"

    def due(dose):
        return refill.schedule("baclofen", "500 mcg/mL", vol, {"mode": "continuous",
                               "dose": dose}, pump=s.preset.name).visit_day

    low, full = due(case.restart_dose), due(case.dose)
    assert full < low                           # titrating back up empties the pump sooner
    assert f"next refill planned {low:g} days from today at 150 mcg/day" in text
    assert f"at the prescribed 300 mcg/day the refill is due {full:g} days" in text
    assert f"book the earlier date ({full:g} days)" in text
    assert "re-plan the refill date at every dose change" in text
    # a routine refill at the prescribed dose: one date, and the same re-plan rule
    plain = " ".join(correct_session().seen[-1].split())
    assert "at the prescribed" not in plain
    assert "re-plan the refill date at every dose change" in plain


# --- the late patient: the physician decides the restart, and the watch is long ------------

def test_a_restart_at_the_old_dose_with_a_30_min_watch_is_unsafe():
    # the old station scored this 100/100 "safe": assess, then the full dose and 30 min [B18]
    case = _late_case()
    r = _plain_refill(case, assess=True).finish()
    assert not r.safe and r.score <= 40
    assert {"dose-not-as-ordered", "restart-short-observation"} <= set(codes(r))
    assert "[B8, B18]" in r.summary() and "150 mcg/day" in r.summary()
    # the right dose but the routine watch: still unsafe
    short = _plain_refill(case, assess=True, dose="150 mcg/day", minutes=60).finish()
    assert codes(short) == ["restart-short-observation"] and not short.safe
    # no physician: whatever the nurse restarts at is not the physician's decision
    alone = _plain_refill(case, assess=False, minutes=480).finish()
    assert {"no-escalation", "restart-without-order"} <= set(codes(alone)) and not alone.safe
    alone = _plain_refill(case, assess=False, dose="150 mcg/day", minutes=480).finish()
    assert "restart-without-order" in codes(alone) and not alone.safe


def test_the_physician_gives_the_restart_plan_and_the_model_answer_follows_it():
    case = _late_case()
    s = RefillSession(case)
    s.do("verify")
    s.do("interrogate")
    text = s.do("assess", escalate=True)
    assert "physician's restart plan" in text and "150 mcg/day" in text and "8 h" in text
    assert s.order_given == pytest.approx(150.0)
    model = correct_session(case)
    r = model.finish()
    assert r.score == 100 and r.safe and r.errors == []
    assert model.programmed_dose() == pytest.approx(150.0)
    assert model.observed >= 8 * 60
    # the pump really runs at the ordered dose after the visit, not at the old 300 mcg/day
    tl = r.timeline
    after = tl.t > case.visit_day + 1
    assert tl.commanded[after].max() * 500 == pytest.approx(150.0)      # mL/day x mcg/mL
    assert [e.day for e in tl.log if e.kind == "program-change"] == [case.visit_day]
    # a case without a restart order: the physician keeps the prescribed dose
    plain = RefillCase(visit_day=36)
    assert plain.restart_order == pytest.approx(300.0)
    assert correct_session(plain).finish().score == 100


def test_the_restart_facts_are_sourced_or_labelled():
    f = refill.facts()
    watch, order = f["restart_observe"], f["restart_order"]
    assert watch.value == pytest.approx(8 / 24) and watch.assumption
    assert set(watch.source) == {"B8", "B18"} and "starting the therapy" in watch.note
    assert not order.assumption and "B18" in order.source and "S153" in order.source
    assert watch.value * 1440 > f["observe"].high * 1440          # longer than a refill's watch


def test_a_routine_refill_does_not_change_the_dose():
    r = _plain_refill(RefillCase(), dose="450 mcg/day").finish()
    assert "dose-not-as-ordered" in codes(r) and not r.safe
    ok = _plain_refill(RefillCase(), dose="300 mcg/day").finish()
    assert ok.errors == [] and ok.safe


def test_a_negative_watch_is_refused_without_changing_the_session():
    s = RefillSession()
    with pytest.raises(InputError) as e:
        s.do("observe", minutes=-5)
    assert e.value.parameter == "minutes" and s.done == [] and s.observed == 0


# --- every station case is booked as refill.schedule plans ----------------------------------

def test_every_station_case_is_booked_on_or_before_the_planned_day_or_is_the_late_trap():
    from itsim.refill_station import load_cases
    for case in load_cases():
        p = refill.schedule(case.drug, case.concentration, case.last_fill,
                            {"mode": "continuous", "dose": case.dose}, pump=case.pump)
        assert p.days_before_alarm >= refill.facts()["plan_margin"].value - 1e-9
        if "late" in case.title:
            assert case.visit_day > p.empty_day                  # the trap: it ran dry
        else:
            assert case.visit_day <= p.booked_day, case.title


def test_a_visit_after_the_planned_day_is_named_as_a_finding():
    # day 28: two days before the alarm on day 30, five days after the planned day 23
    late_planned = correct_session(RefillCase(visit_day=28)).finish()
    text = " ".join(late_planned.situation)
    assert "later than planned" in text and "day 23" in text and "day 30" in text
    assert correct_session(RefillCase()).finish().situation == []      # day 23: on the plan


def test_assessing_a_routine_patient_is_allowed_and_not_required():
    s = RefillSession(RefillCase())
    text = s.do("assess", escalate=False)
    assert "withdrawal" in text and "carry on" in text
    assert correct_session(RefillCase()).finish().score == 100
    assert not RefillSession(RefillCase()).needs_escalation()


def test_after_refill_check_on_a_sensor_pump_gives_the_sourced_thresholds(monkeypatch):
    monkeypatch.setattr(refill, "has_fill_level_sensor", lambda pump: True)
    text = refill.after_refill_check("programmable-20")
    f = refill.facts()
    assert f"more than {fmt(f['discrepancy_after_20'].value, 'volume')} missing" in text
    assert f"or {fmt(f['discrepancy_after_40'].value, 'volume')} (40 mL pump)" in text
    assert "1 mL" in text and "2 mL" in text and "[S71]" in text
