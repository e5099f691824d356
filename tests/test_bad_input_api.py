"""The bad-input corpus, API part: every public function of units, dosing, refill, exercises
and cohorts either works or raises InputError naming the parameter, for None, lists, dicts,
bools, NaN, infinity, huge and tiny values, negatives, empty text, wrong units and types."""
import datetime as dt
import math
import time
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

import itsim
from itsim import InputError, dosing, exercises, refill, units

CONT = {"mode": "continuous", "dose": "2.5 mg/day"}
PAIN = dict(patient="cancer-pain", drug="morphine", concentration="10 mg/mL", fill="20 mL",
            program={"mode": "continuous", "dose": "1 mg/day"},
            catheter={"tip": "T10", "primed": True})
_COHORT = []


def a_cohort():
    """One small pain cohort, made on first use and shared by the cases that need it."""
    if not _COHORT:
        _COHORT.append(itsim.cohort(10, seed=1, days=2, **PAIN))
    return _COHORT[0]


def plan():
    return dosing.titration_plan("ziconotide", "2.4 mcg/day", "19.2 mcg/day")


def rx():
    return dosing.prescription("baclofen", "500 mcg/mL", "300 mcg/day")


def sched(**kw):
    args = {"concentration": "10 mg/mL", "fill": "20 mL", "program": CONT, **kw}
    return refill.schedule("morphine", args.pop("concentration"), args.pop("fill"),
                           args.pop("program"), **args)


Q = units.registry  # noqa: E731  (a quantity maker for the cases below)

CASES = [
    # --- units.parse: text --------------------------------------------------------------
    ("parse None", lambda: units.parse(None, "volume", "fill"), "fill"),
    ("parse list", lambda: units.parse(["20 mL"], "volume", "fill"), "fill"),
    ("parse dict", lambda: units.parse({"value": 20, "unit": "mL"}, "volume", "fill"), "fill"),
    ("parse bool", lambda: units.parse(True, "volume", "fill"), "fill"),
    ("parse bytes", lambda: units.parse(b"20 mL", "volume", "fill"), "fill"),
    ("parse bare int", lambda: units.parse(20, "volume", "fill"), "fill"),
    ("parse complex", lambda: units.parse(2 + 1j, "volume", "fill"), "fill"),
    ("parse empty", lambda: units.parse("", "volume", "fill"), "fill"),
    ("parse blank", lambda: units.parse("   ", "volume", "fill"), "fill"),
    ("parse nan", lambda: units.parse("nan mL", "volume", "fill"), "fill"),
    ("parse inf", lambda: units.parse("inf mL", "volume", "fill"), "fill"),
    ("parse negative", lambda: units.parse("-20 mL", "volume", "fill"), "fill"),
    ("parse zero", lambda: units.parse("0 mL", "volume", "fill"), "fill"),
    ("parse wrong kind", lambda: units.parse("20 mg", "volume", "fill"), "fill"),
    ("parse unknown unit", lambda: units.parse("20 spoons", "volume", "fill"), "fill"),
    ("parse sum", lambda: units.parse("250 mcg/mL + 0.25 mg/mL", "concentration", "c"), "c"),
    ("parse tower", lambda: units.parse("10**10**10 mcg/mL", "concentration", "c"), "c"),
    ("parse second number", lambda: units.parse("1 mL/10 min", "flow", "rate"), "rate"),
    ("parse function", lambda: units.parse("sqrt(4) mL", "volume", "fill"), "fill"),
    ("parse long", lambda: units.parse("1" * 20_000 + " mL", "volume", "fill"), "fill"),
    ("parse overflow", lambda: units.parse("1e308 mg", "mass", "dose"), "dose"),
    ("parse underflow", lambda: units.parse("1e-400 mL", "volume", "fill", allow_zero=True),
     "fill"),
    ("parse comma", lambda: units.parse("1,5 mL", "volume", "fill"), "fill"),
    ("parse no number", lambda: units.parse("mL", "volume", "fill"), "fill"),
    ("parse unknown kind", lambda: units.parse("20 mL", "liquid", "fill"), "kind"),
    ("parse bad allow_zero", lambda: units.parse("0 mL", "volume", "fill", allow_zero="yes"),
     "allow_zero"),
    # --- units.parse: quantities --------------------------------------------------------
    ("parse quantity nan", lambda: units.parse(Q().Quantity(math.nan, "mL"), "volume", "fill"),
     "fill"),
    ("parse quantity huge int", lambda: units.parse(Q().Quantity(10 ** 400, "mL"), "volume",
                                                     "fill"), "fill"),
    ("parse quantity array", lambda: units.parse(Q().Quantity([1.0, 2.0], "mL"), "volume",
                                                  "fill"), "fill"),
    ("parse quantity wrong kind", lambda: units.parse(Q().Quantity(2, "mg"), "volume", "fill"),
     "fill"),
    ("parse quantity dimensionless", lambda: units.parse(Q().Quantity(2, ""), "volume", "fill"),
     "fill"),
    # --- the other units helpers --------------------------------------------------------
    ("fmt text", lambda: units.fmt("0.6", "flow"), "x"),
    ("fmt list", lambda: units.fmt([0.6], "flow"), "x"),
    ("fmt unit", lambda: units.fmt(0.6, "flow", "L/s"), "unit"),
    ("fmt kind", lambda: units.fmt(0.6, "speed"), "kind"),
    ("fmt sig", lambda: units.fmt(0.6, "flow", sig=0), "sig"),
    ("significant huge sig", lambda: units.significant(1.0, 10 ** 6), "sig"),
    ("significant text", lambda: units.significant("1"), "x"),
    ("significant huge int", lambda: units.significant(10 ** 400), "x"),
    ("convert list unit", lambda: units.convert(1.0, "mass", ["mg"]), "unit"),
    ("convert kind", lambda: units.convert(1.0, "weight", "mg"), "kind"),
    ("quantity inf", lambda: units.quantity(math.inf, "mass"), "x"),
    ("quantity kind", lambda: units.quantity(1.0, None), "kind"),
    ("show text", lambda: units.show("2 mg"), "q"),
    ("check_number huge int", lambda: units.check_number(10 ** 400, "x"), "x"),
    ("check_number bool", lambda: units.check_number(True, "x"), "x"),
    ("normalise None", lambda: units.normalise(None), "text"),
    # --- dosing: the basic relations ----------------------------------------------------
    ("rate zero", lambda: dosing.rate("0 mcg/day", "500 mcg/mL"), "daily_dose"),
    ("rate mg for mg/mL", lambda: dosing.rate("300 mcg/day", "500 mg"), "concentration"),
    ("rate overflow", lambda: dosing.rate("1e300 mg/day", "1e-300 mcg/mL"), "daily_dose"),
    ("rate underflow", lambda: dosing.rate("1e-300 mcg/day", "1e300 mg/mL"), "daily_dose"),
    ("daily_dose overflow", lambda: dosing.daily_dose("1e300 mL/day", "1e300 mcg/mL"), "rate"),
    ("daily_dose None", lambda: dosing.daily_dose(None, "500 mcg/mL"), "rate"),
    ("concentration_for list", lambda: dosing.concentration_for(["300 mcg/day"], "0.6 mL/day"),
     "daily_dose"),
    ("amount negative", lambda: dosing.amount("-1 mL", "500 mcg/mL"), "volume"),
    ("amount overflow", lambda: dosing.amount("1e300 mL", "1e300 mcg/mL"), "volume"),
    ("days_until dict", lambda: dosing.days_until({}, "2 mL", "0.6 mL/day"), "volume"),
    ("days_until zero rate", lambda: dosing.days_until("20 mL", "2 mL", "0 mL/day"), "rate"),
    ("days_until overflow", lambda: dosing.days_until("20 mL", "2 mL", "1e-307 mL/day"), "rate"),
    ("dose_text text", lambda: dosing.dose_text("300", "baclofen"), "x"),
    ("dose_text drug", lambda: dosing.dose_text(300.0, "aspirin"), "drug"),
    ("concentration_text list", lambda: dosing.concentration_text([500.0], "baclofen"), "x"),
    # --- dosing: checks ------------------------------------------------------------------
    ("check drug None", lambda: dosing.check(None, daily_dose="300 mcg/day"), "drug"),
    ("check drug list", lambda: dosing.check(["baclofen"], daily_dose="300 mcg/day"), "drug"),
    ("check dose per volume", lambda: dosing.check("baclofen", daily_dose="300 mcg/mL"),
     "daily_dose"),
    ("check cancer text", lambda: dosing.check("morphine", daily_dose="1 mg/day", cancer="no"),
     "cancer"),
    ("check new_start 1", lambda: dosing.check("morphine", daily_dose="1 mg/day", new_start=1),
     "new_start"),
    ("check interval mL", lambda: dosing.check("morphine", refill_interval="30 mL"),
     "refill_interval"),
    ("check since negative", lambda: dosing.check("morphine", days_since_last_change="-1 day"),
     "days_since_last_change"),
    ("stability first_fill None", lambda: dosing.stability_limit("ziconotide", first_fill=None),
     "first_fill"),
    ("schedule empty", lambda: dosing.check_schedule("ziconotide", []), "schedule"),
    ("schedule None", lambda: dosing.check_schedule("ziconotide", None), "schedule"),
    ("schedule text", lambda: dosing.check_schedule("ziconotide", "0: 2.4 mcg/day"), "schedule"),
    ("schedule short step", lambda: dosing.check_schedule("ziconotide", [(0,)]), "schedule[0]"),
    ("schedule int step", lambda: dosing.check_schedule("ziconotide", [5]), "schedule[0]"),
    ("schedule nan day", lambda: dosing.check_schedule("ziconotide", [(math.nan, "2.4 mcg/day")]),
     "schedule[0] day"),
    ("schedule bad dose", lambda: dosing.check_schedule("ziconotide", [(0, "2.4 mcg")]),
     "schedule[0] dose"),
    ("schedule order", lambda: dosing.check_schedule("ziconotide", [(3, "2.4 mcg/day"),
                                                                    (0, "4.8 mcg/day")]),
     "schedule"),
    # --- dosing: a prescription on a pump -------------------------------------------------
    ("prescription constant-flow", lambda: dosing.prescription(
        "morphine", "10 mg/mL", "1 mg/day", pump="constant-flow-30"), "pump"),
    ("prescription pump list", lambda: dosing.prescription(
        "morphine", "10 mg/mL", "1 mg/day", pump=["programmable-20"]), "pump"),
    ("prescription overfill", lambda: dosing.prescription(
        "morphine", "10 mg/mL", "1 mg/day", fill="25 mL"), "fill"),
    ("prescription alarm above fill", lambda: dosing.prescription(
        "morphine", "10 mg/mL", "1 mg/day", fill="5 mL", low_reservoir_alarm="6 mL"),
     "low_reservoir_alarm"),
    ("prescription overflow", lambda: dosing.prescription(
        "morphine", "1e-300 mcg/mL", "1e300 mg/day"), "daily_dose"),
    ("prescription cancer text", lambda: dosing.prescription(
        "morphine", "10 mg/mL", "1 mg/day", cancer="yes"), "cancer"),
    ("reservoir_volume text", lambda: rx().reservoir_volume("a week"), "days"),
    ("reservoir_volume negative", lambda: rx().reservoir_volume([-1, 2]), "days"),
    ("reservoir_volume nan", lambda: rx().reservoir_volume(math.nan), "days"),
    # --- dosing: refill arithmetic and conversions -----------------------------------------
    ("bridge underflow", lambda: dosing.bridge_bolus("1e-300 mcg/day", "1e300 mg/mL", "10 mg/mL",
                                                     "0.4 mL"), "daily_dose"),
    ("bridge zero volume", lambda: dosing.bridge_bolus("5 mg/day", "10 mg/mL", "25 mg/mL",
                                                       "0 mL"), "volume"),
    ("makeup too dilute", lambda: dosing.solution_makeup("20 mL", "0.5 mL/day", "2 mg/day",
                                                         "1 mg/mL"), "stock_concentration"),
    ("makeup overflow", lambda: dosing.solution_makeup("20 mL", "1e-307 mL/day", "1 mg/day",
                                                       "10 mg/mL"), "flow"),
    ("morphine route list", lambda: dosing.convert_morphine("300 mg/day", ["oral"], "iv"),
     "from_route"),
    ("morphine route dict", lambda: dosing.convert_morphine("300 mg/day", "oral", {"iv": 1}),
     "to_route"),
    ("morphine route None", lambda: dosing.convert_morphine("300 mg/day", None, "iv"),
     "from_route"),
    ("morphine dose mass", lambda: dosing.convert_morphine("300 mg", "oral", "iv"), "dose"),
    ("hydromorphone to list", lambda: dosing.convert_hydromorphone_morphine("1 mg/day",
                                                                            ["morphine"]), "to"),
    ("hydromorphone overflow", lambda: dosing.convert_hydromorphone_morphine("1e308 mcg/day",
                                                                             "morphine"), "dose"),
    # --- dosing: titration plans --------------------------------------------------------------
    ("plan tiny step", lambda: dosing.titration_plan("ziconotide", "2.4 mcg/day", "19.2 mcg/day",
                                                     step="1e-9 mcg/day"), "step"),
    ("plan profile list", lambda: dosing.titration_plan("ziconotide", "2.4 mcg/day",
                                                        "19.2 mcg/day", profile=["label"]),
     "profile"),
    ("plan profile unknown", lambda: dosing.titration_plan("ziconotide", "2.4 mcg/day",
                                                           "19.2 mcg/day", profile="fast"),
     "profile"),
    ("plan drug without rules", lambda: dosing.titration_plan("baclofen", "50 mcg/day",
                                                              "100 mcg/day"), "profile"),
    ("plan target below start", lambda: dosing.titration_plan("ziconotide", "2.4 mcg/day",
                                                              "1 mcg/day"), "target"),
    ("plan interval short", lambda: dosing.titration_plan("ziconotide", "2.4 mcg/day",
                                                          "19.2 mcg/day", interval="1 h"),
     "interval"),
    ("plan huge interval", lambda: dosing.titration_plan("ziconotide", "2.4 mcg/day",
                                                         "19.2 mcg/day", interval="1e308 day"),
     "interval"),
    ("dose_on text", lambda: plan().dose_on("day 3"), "day"),
    ("dose_on negative", lambda: plan().dose_on(-1), "day"),
    # --- refill.schedule ------------------------------------------------------------------------
    ("schedule program text", lambda: sched(program="continuous"), "program"),
    ("schedule program list", lambda: sched(program=[CONT]), "program"),
    ("schedule program key", lambda: sched(program={**CONT, "speed": 2}), "program.speed"),
    ("schedule program None", lambda: sched(program=None), "program"),
    ("schedule constant-flow program", lambda: sched(pump="constant-flow-30", fill="30 mL"),
     "program"),
    ("schedule clinic_days int", lambda: sched(start="2026-12-03", clinic_days=5),
     "clinic_days"),
    ("schedule clinic_days text", lambda: sched(start="2026-12-03", clinic_days="Mon"),
     "clinic_days"),
    ("schedule clinic_days empty", lambda: sched(start="2026-12-03", clinic_days=[]),
     "clinic_days"),
    ("schedule clinic_days no start", lambda: sched(clinic_days=["Mon"]), "clinic_days"),
    ("schedule holidays text", lambda: sched(start="2026-12-03", holidays="2026-12-25"),
     "holidays"),
    ("schedule bad holiday", lambda: sched(start="2026-12-03", holidays=["2026-12-25", "Xmas"]),
     "holidays[1]"),
    ("schedule holiday None", lambda: sched(start="2026-12-03", holidays=[None]), "holidays[0]"),
    ("schedule holidays no start", lambda: sched(holidays=["2026-12-25"]), "holidays"),
    ("schedule far future", lambda: sched(start="9999-12-01"), "start"),
    ("schedule start int", lambda: sched(start=20261203), "start"),
    ("schedule start text", lambda: sched(start="next Tuesday"), "start"),
    ("schedule overfill", lambda: sched(fill="25 mL"), "fill"),
    ("schedule alarm above fill", lambda: sched(fill="5 mL", low_reservoir_alarm="6 mL"),
     "low_reservoir_alarm"),
    ("schedule concentration tiny", lambda: sched(concentration="1e-300 mcg/mL"),
     "concentration"),
    ("schedule diluted text", lambda: sched(diluted="no"), "diluted"),
    ("plan date text", lambda: sched(start="2026-12-03").date("3"), "day"),
    ("plan date beyond dates", lambda: sched(start="2026-12-03").date(10 ** 9), "day"),
    ("visit_day nan", lambda: refill.visit_day(math.nan, "2026-12-03"), "due"),
    ("visit_day beyond dates", lambda: refill.visit_day(10 ** 7, "2026-12-03"), "due"),
    ("parse_date list", lambda: refill.parse_date(["2026-12-03"], "start"), "start"),
    # --- refill: discrepancy, concentration change, practice ----------------------------------
    ("discrepancy when list", lambda: refill.discrepancy("6 mL", "3 mL", when=["emptying"]),
     "when"),
    ("discrepancy above reservoir", lambda: refill.discrepancy("6 mL", "25 mL"), "measured"),
    ("discrepancy nan", lambda: refill.discrepancy("nan mL", "3 mL"), "expected"),
    ("discrepancy pump", lambda: refill.discrepancy("6 mL", "3 mL", pump="teapot"), "pump"),
    ("concentration_change overflow", lambda: refill.concentration_change(
        "1e300 mg/day", "1e-300 mcg/mL", "10 mg/mL", "0.4 mL"), "daily_dose"),
    ("concentration_change overlap", lambda: refill.concentration_change(
        "1e-300 mcg/day", "10 mg/mL", "1e300 mg/mL", "0.4 mL"), "daily_dose"),
    ("practice seed text", lambda: refill.practice_case("3"), "seed"),
    ("practice seed negative", lambda: refill.practice_case(-3), "seed"),
    ("practice seed bool", lambda: refill.practice_case(True), "seed"),
    # --- exercises ------------------------------------------------------------------------------
    ("check id list", lambda: exercises.check(["q3.1"], "0.6 mL/day"), "qid"),
    ("check id None", lambda: exercises.check(None, "0.6 mL/day"), "qid"),
    ("ask id list", lambda: exercises.ask(["q3.1"]), "qid"),
    ("ask unknown", lambda: exercises.ask("q99"), "question"),
    ("question id int", lambda: exercises.question(31), "qid"),
    ("register None", lambda: exercises.register(None), "q"),
    ("register duplicate", lambda: exercises.register(exercises.question("q3.1")), "q.id"),
    # --- cohorts --------------------------------------------------------------------------------
    ("cohort n zero", lambda: itsim.cohort(0, days=2, **PAIN), "n"),
    ("cohort n float", lambda: itsim.cohort(2.5, days=2, **PAIN), "n"),
    ("cohort n text", lambda: itsim.cohort("10", days=2, **PAIN), "n"),
    ("cohort a million", lambda: itsim.cohort(1_000_000, days=180, **PAIN), "n"),
    ("cohort seed negative", lambda: itsim.cohort(5, seed=-1, days=2, **PAIN), "seed"),
    ("cohort patient dict", lambda: itsim.cohort(5, days=2, **{**PAIN, "patient": {}}),
     "patient"),
    ("responders after the run", lambda: a_cohort().responders(day=30), "day"),
    ("responders before the run", lambda: a_cohort().responders(day=-1), "day"),
    ("responders day text", lambda: a_cohort().responders(day="1"), "day"),
    ("percentiles 150", lambda: a_cohort().percentiles(q=150), "q"),
    ("percentiles nan", lambda: a_cohort().percentiles(q=[50, math.nan]), "q"),
    ("percentiles text", lambda: a_cohort().percentiles(q="median"), "q"),
]


@pytest.mark.parametrize("call, parameter", [pytest.param(c, p, id=i) for i, c, p in CASES])
def test_bad_input_raises_input_error_naming_the_parameter(call, parameter):
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(InputError) as e:
            call()
    assert time.perf_counter() - t0 < 5.0                # a hang guard, not a benchmark
    assert e.value.parameter == parameter
    assert str(e.value).startswith(f"{parameter} = ") and " is not allowed: " in str(e.value)
    assert len(str(e.value)) < 600                       # never the whole of a huge input
    assert [str(w.message) for w in caught] == []        # and no warning escapes


def test_the_corpus_is_large_and_its_names_unique():
    assert len(CASES) >= 80 and len({i for i, _, _ in CASES}) == len(CASES)


@given(st.text(), st.sampled_from(sorted(units.KINDS)), st.booleans())
def test_parse_of_any_text_is_a_finite_float_or_an_input_error(text, kind, zero):
    try:
        x = units.parse(text, kind, "value", allow_zero=zero)
    except InputError as e:
        assert e.parameter == "value"
    else:
        assert type(x) is float and math.isfinite(x) and (x > 0 or zero and x == 0)


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=120),
                 st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3),
                                                                     st.integers(), max_size=2),
                 st.binary(max_size=10), st.dates()))
def test_every_answer_gets_feedback_without_an_exception_or_a_warning(answer):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        statuses = {exercises.check(qid, answer).status for qid in ("q3.1", "q3.4", "ex8.3")}
    assert statuses <= {"right", "close", "wrong", "not yet"} and caught == []


def test_good_inputs_next_to_the_bad_ones_still_work():
    assert dosing.prescription("morphine", "10 mg/mL", "1 mg/day", pump="valve-gated-20").flow \
        == pytest.approx(0.1)
    # alarm on day 72, planned a week before it (day 65, a Saturday): booked Friday day 64
    assert sched(start=dt.date(2026, 12, 3), holidays=None).visit == dt.date(2027, 2, 5)
    assert exercises.check("q3.1", "0.6 mL/day").status == "right"
    assert a_cohort().responders(day=1) == a_cohort().responders(day=1.01)
