"""Panels of lessons 04 and 05, set as a learner would; the lessons and exercises use them."""
import json
from pathlib import Path

import pytest

from itsim.exercises import QUESTIONS
from itsim.ui import procedures as P

ROOT = Path(__file__).resolve().parents[1]


def test_screening_panel_follows_the_ladder_and_resets():
    p = P.ScreeningTrial()
    assert p.error is None and "CANDIDATE" in p.readout_text and "50 mcg" in p.readout_text
    p.set(sensitivity=0.3, noise=False)
    assert "100 mcg" in p.readout_text and "200 mcg/day" in p.readout_text
    assert len([x for x in p.figure.data[2].x]) == 3            # three doses, three "before"
    p.set(observe=2.0)
    assert "shorter than the 4 h required" in p.readout_text
    p.reset()
    assert p.values() == p.defaults


def test_pain_panel_shows_the_late_breathing_risk_and_refuses_a_daily_dose():
    p = P.PainTrial()
    p.set(observe=6.0)
    assert "REPEAT" in p.readout_text and "after the 6 h observation ended" in p.readout_text
    p.set(dose="1 mg/day")
    assert p.error and "Test dose" in p.error and "not possible" in p.error
    p.set(dose="1 mg", drug="ziconotide")
    assert p.values()["dose"] == "2.5 mcg" and p.values()["observe"] == 6   # drug defaults
    assert p.error is None


def test_cohort_panel_counts_what_a_short_observation_misses():
    p = P.TrialCohort()
    p.set(observe=1.0)
    assert "get a different decision" in p.readout_text
    assert p.figure.data[1].y[0] < p.figure.data[0].y[0]       # fewer candidates
    p.set(protocol="morphine 1 mg, opioid-naive", observe=6.0)
    assert "100 %" in p.readout_text                           # breathing peak after 6 h


def test_surgical_plan_panel_checks_the_plan():
    p = P.SurgicalPlan()
    assert "0.208 mL" in p.readout_text and "No flags" in p.readout_text
    p.set(pocket_depth=3.0)
    assert "DANGER" in p.readout_text and "2.5 cm" in p.readout_text
    p.set(pocket_depth=2.0, target="upper-limbs")
    assert p.values()["tip"] == "T1"
    p.set(length=20)
    assert "cannot reach" in p.readout_text
    p.set(dose="lots")
    assert p.error and "Daily dose" in p.error


def test_priming_panel_compares_with_a_proper_priming():
    p = P.PrimingPanel()
    assert "2.04 days" in p.readout_text
    p.set(case="morphine for pain at T10", action="doubled")
    assert "4.08 mg" in p.readout_text               # 0.408 mL x 10 mg/mL at once


def test_postop_panel_draws_twenty_patients():
    p = P.PostOpTimeline()
    n = sum(len(t.x) for t in p.figure.data)
    assert n >= 1 and "of 20" in p.readout_text and "15.0 %" in p.readout_text


def _check_outputs(path):
    out = {}
    for cell in json.loads(path.read_text())["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "code" and "check(" in src:
            qid = src.split('check("')[1].split('"')[0]
            texts = ["".join(o.get("data", {}).get("text/plain", "")) for o in cell["outputs"]]
            out[qid] = " ".join(t for t in texts if t)
    return out


@pytest.mark.parametrize("lesson, name", [("4", "04_the_trial"), ("5", "05_implantation")])
def test_exercise_solutions_pass_every_check_and_blanks_get_not_yet(lesson, name):
    bank = sorted(q for q in QUESTIONS if q.startswith(f"ex{lesson}."))
    blank = _check_outputs(ROOT / "exercises" / f"{name}.ipynb")
    solved = _check_outputs(ROOT / "exercises" / "solutions" / f"{name}.ipynb")
    assert sorted(blank) == sorted(solved) == bank and len(bank) >= 4
    assert all(text.startswith("[NOT YET]") for text in blank.values()), blank
    assert all(text.startswith("[RIGHT]") for text in solved.values()), solved


@pytest.mark.parametrize("lesson, name, panels", [
    ("4", "04_the_trial", ("ScreeningTrial()", "PainTrial()", "TrialCohort()")),
    ("5", "05_implantation", ("SurgicalPlan()", "PrimingPanel()", "PostOpTimeline()"))])
def test_lessons_ask_their_questions_and_use_their_panels(lesson, name, panels):
    text = (ROOT / "lessons" / f"{name}.ipynb").read_text()
    qs = sorted(q for q in QUESTIONS if q.startswith(f"q{lesson}."))
    assert len(qs) >= 3
    for q in qs:
        assert f'ui.Question(\\"{q}\\")' in text
    for panel in panels:
        assert panel in text
    assert "By the end of this lesson" in text and "## Summary" in text


def test_pain_trial_names_the_observation_rule_that_applies():
    from itsim.ui.procedures import PainTrial
    p = PainTrial()
    p.inputs["drug"].value = "morphine"
    assert "Observation rule" in p.readout.value and "24 h" in p.readout.value
