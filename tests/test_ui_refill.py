"""Panels of lesson 07 used as a learner would; the lesson and exercises use them."""
from pathlib import Path

import pytest

from itsim import refill
from itsim.refill_station import STEPS, load_cases
from itsim.ui import refill as R

from test_ui_procedures import _check_outputs

ROOT = Path(__file__).resolve().parents[1]
CASES = load_cases(ROOT / "scenarios" / "cases" / "refill_station.toml")


def test_calculator_finds_the_deciding_clock_and_names_bad_input():
    p = R.RefillCalculator()
    # alarm and stability both on day 90: planned a week before the alarm, never at it
    assert "Stability limit: 90 days" in p.readout_text and "day 83" in p.readout_text
    assert "7 days before the alarm" in p.readout_text
    assert p.figure.layout.title.text.endswith("7 days before the alarm")
    margin = p.figure.data[5]
    assert list(margin.x) == [83, pytest.approx(90)] and "margin" in margin.text[1]
    p.set(dose="3 mg/day")
    assert "low-reservoir alarm" in p.readout_text.split("Refill planned")[1]
    p.set(dose="0.5 mg/day")
    assert "stability" in p.readout_text.split("Refill planned")[1]
    p.set(dose="300 mg")
    assert p.error and p.error.startswith("Daily dose:")
    p.reset()
    assert p.error is None and p.values() == p.defaults


def test_discrepancy_practice_gives_instant_feedback():
    p = R.DiscrepancyPractice()
    case = refill.practice_case(1)
    assert "Choose your verdict" in p.readout_text
    p.set(answer=case.answer)
    assert "Right" in p.readout_text
    wrong = next(a for a in refill.ANSWERS if a != case.answer)
    p.set(answer=wrong)
    assert "Not quite" in p.readout_text
    p.set(case=2)
    assert p.values()["answer"] == ""                 # a new case clears the verdict


def tick_safety(st):
    """The safety choices a learner must make on screen (they start unticked)."""
    st.options["prepare"]["mask"].value = True
    st.options["prepare"]["antiseptic"].value = "aqueous chlorhexidine"
    st.options["prepare"]["dried"].value = True
    st.options["inject"]["filter"].value = True
    st.options["inject"]["check_return"].value = True
    st.options["document"]["volumes"].value = True
    st.options["document"]["dates"].value = True


def test_refill_station_safety_choices_start_unticked_and_cost_points_if_left():
    st = R.RefillStation(CASES)
    st.options["verify"]["second_check"].value = True
    st.options["locate"]["template"].value = True
    st.options["program"]["concentration"].value = "500 mcg/mL"
    for step in STEPS:
        st.press(step)
    r = st.finish()
    assert {"no-mask", "alcohol-antiseptic", "antiseptic-wet", "no-filter", "no-return-check",
            "no-volumes-recorded", "no-dates-recorded"} <= {m.code for m in r.errors}
    assert r.score < 100 and "[S150]" in st.readout_text


def test_refill_station_buttons_run_a_whole_session():
    st = R.RefillStation(CASES)
    st.options["verify"]["second_check"].value = True
    st.options["locate"]["template"].value = True
    st.options["program"]["concentration"].value = "500 mcg/mL"
    tick_safety(st)
    for step in STEPS:
        st.buttons[step].click()
    r = st.finish()
    assert r.score == 100 and "Score 100/100" in st.readout_text
    assert len(st.figure.data[0].x) > 0
    st.press("verify")
    assert "finished" in st.log.value
    st.options["access"]["site"].value = "side port"
    st.reset()
    assert st.options["access"]["site"].value == "reservoir port"


def test_refill_station_shows_a_plain_message_for_a_step_that_cannot_happen():
    st = R.RefillStation(CASES)
    st.buttons["inject"].click()                       # no needle in yet
    assert "not in yet" in st.log.value
    st.case_box.value = 1                              # another case resets the session
    assert st.session.done == [] and st.report is None


def test_refill_station_pocket_fill_case_is_unsafe():
    st = R.RefillStation(CASES)
    st.case_box.value = [c.port_hard for c in CASES].index(True)
    st.options["program"]["concentration"].value = "10 mg/mL"
    for step in STEPS:
        if step != "confirm":
            st.press(step)
    r = st.finish()
    assert not r.safe and "pocket fill" in st.readout_text


def test_pocket_fill_case_study_shows_an_overdose_only_for_the_pocket():
    good, bad = R.pocket_fill_runs()
    assert good.summary()["response"]["overdose"]["first_day"] is None
    assert bad.summary()["response"]["overdose"]["first_day"] is not None
    assert len(R.pocket_fill_figure().data) == 4


def test_exercise_07_solutions_pass_and_blanks_get_not_yet():
    from itsim.exercises import QUESTIONS
    bank = sorted(q for q in QUESTIONS if q.startswith("ex7."))
    blank = _check_outputs(ROOT / "exercises" / "07_refill.ipynb")
    solved = _check_outputs(ROOT / "exercises" / "solutions" / "07_refill.ipynb")
    assert sorted(blank) == sorted(solved) == bank and len(bank) >= 4
    assert all(t.startswith("[NOT YET]") for t in blank.values()), blank
    assert all(t.startswith("[RIGHT]") for t in solved.values()), solved


def test_lesson_07_asks_its_questions_and_uses_its_panels():
    from itsim.exercises import QUESTIONS
    text = (ROOT / "lessons" / "07_refill.ipynb").read_text()
    for q in sorted(q for q in QUESTIONS if q.startswith("q7.")):
        assert f'ui.Question(\\"{q}\\")' in text
    for panel in ("RefillCalculator()", "DiscrepancyPractice()", "RefillStation(",
                  "pocket_fill_figure()"):
        assert panel in text


def _markdown(nb):
    import nbformat
    cells = nbformat.read(ROOT / "lessons" / nb, as_version=4).cells
    return [" ".join(c.source.split()) for c in cells if c.cell_type == "markdown"]


def test_lesson_07_pocket_fill_naloxone_is_repeated_and_watched_for_hours():
    para = next(p for c in _markdown("07_refill.ipynb") for p in c.split("\n")
                if "pocket fill" in p and "naloxone" in p and "What to do" in p)
    assert "again" in para and "hours" in para and "wears off" in para
    assert "[M43]" in para and "12 hours" in para and "[M5, S20]" in para


def test_lesson_07_teaches_the_restart_plan_and_the_long_watch():
    text = " ".join(_markdown("07_refill.ipynb"))
    assert "decides the restart" in text and "at least 8 h" in text
    assert "[B8]" in text and "[B18]" in text


@pytest.mark.parametrize("bad", ["cases = 3", "[[cases]]\ncolour = 'red'", "not toml ["])
def test_bad_case_files_give_a_clear_error(tmp_path, bad):
    f = tmp_path / "cases.toml"
    f.write_text(bad)
    from itsim import InputError
    with pytest.raises(InputError):
        load_cases(f)


def test_refill_station_has_an_assess_and_escalate_row_the_late_case_needs():
    st = R.RefillStation(CASES)
    st.case_box.value = [c.title for c in CASES].index("Baclofen: the patient comes late")
    st.options["verify"]["second_check"].value = True
    st.options["locate"]["template"].value = True
    st.options["program"]["concentration"].value = "500 mcg/mL"
    tick_safety(st)
    for step in STEPS:
        st.press(step)
    assert not st.finish().safe and "UNSAFE" in st.readout_text
    st.reset()
    st.options["verify"]["second_check"].value = True
    st.options["locate"]["template"].value = True
    st.options["program"]["concentration"].value = "500 mcg/mL"
    st.options["assess"]["escalate"].value = True
    tick_safety(st)
    for step in STEPS[:2] + ("assess",) + STEPS[2:]:
        st.press(step)
    r = st.finish()                      # escalated, but the old dose and a 30 min watch
    assert not r.safe and {"dose-not-as-ordered", "restart-short-observation"} <= {
        m.code for m in r.errors}


def test_the_late_case_restarts_at_the_physicians_dose_with_a_long_watch_on_screen():
    st = R.RefillStation(CASES)
    st.case_box.value = [c.title for c in CASES].index("Baclofen: the patient comes late")
    assert st.options["program"]["dose"].value == ""            # nothing typed by default
    assert st.options["observe"]["minutes"].max >= 480
    st.options["verify"]["second_check"].value = True
    st.options["locate"]["template"].value = True
    st.options["assess"]["escalate"].value = True
    tick_safety(st)
    for step in STEPS[:2] + ("assess",):
        st.press(step)
    assert "restart plan for this case" in st.log.value and "150 mcg/day" in st.log.value
    st.options["program"]["concentration"].value = "500 mcg/mL"
    st.options["program"]["dose"].value = "150 mcg/day"
    st.options["observe"]["minutes"].value = 480
    for step in STEPS[2:]:
        st.press(step)
    r = st.finish()
    assert r.safe and r.score == 100 and "safe" in st.readout_text
    st.reset()
    assert st.options["program"]["dose"].value == "" and st.options["observe"]["minutes"].value == 30
