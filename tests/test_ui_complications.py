"""Panels of lesson 08, used as a learner would; the lesson and exercises use them."""
from pathlib import Path

import pytest

from itsim import troubleshoot
from itsim.exercises import QUESTIONS
from itsim.ui import complications as C

from test_ui_procedures import _check_outputs

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("patient", list(C.PATIENTS))
def test_every_complication_runs_and_shows_its_course(patient):
    p = C.ComplicationExplorer(patient=patient)
    for complication in C.COMPLICATIONS:
        p.set(complication=complication)
        assert p.error is None and "What the pump shows" in p.readout_text
    p.set(complication="catheter disconnection")
    assert "Withdrawal" in p.readout_text and "no alarm" in p.readout_text
    p.set(complication="pocket fill at a refill (18 mL)")
    assert "Overdose" in p.readout_text
    p.reset()
    assert p.values() == p.defaults


def test_mass_risk_panel_rises_with_concentration_and_dose():
    p = C.MassRisk()
    low = float(p.readout_text.split(" %")[0])
    p.set(concentration=25.0, dose=10.0)
    assert float(p.readout_text.split(" %")[0]) > 3 * low


def test_mri_panel_per_pump_kind():
    p = C.MRIByPumpKind()
    expect = {"programmable (peristaltic)": "motor-stall",
              "valve-gated, older model without the valve": "Overdose",
              "constant-flow (gas-driven)": "Codman 3000"}
    for kind, text in expect.items():
        p.set(kind=kind)
        assert text in p.readout_text, kind
    # issue 16: each kind shows its checklist; the bridge decision for the stalling pump
    p.set(kind="programmable (peristaltic)")
    assert "bridge" in p.readout_text and "(baclofen)" in p.readout_text
    p.set(kind="valve-gated, older model without the valve")
    assert "0.0 mg/day" in p.readout_text and "MR Unsafe" in p.readout_text
    p.set(kind="constant-flow (gas-driven)")
    assert "not true of every" in p.readout_text and "Not affected [S52]" not in p.readout_text


def test_troubleshooting_game_scores_and_resets():
    g = C.TroubleshootingGame(troubleshoot.library(ROOT / "scenarios" / "troubleshooting"))
    g.case_box.value = [c.cause for c in g.cases].index("catheter-disconnection")
    g.investigate("x-ray")
    g.answer()                                            # nothing chosen yet
    assert g.readout_text == "Choose the cause and the action first, then press Submit."
    g.cause.value = "catheter-disconnection"
    g.answer()
    assert "Choose the action first" in g.readout_text
    g.cause.value, g.action.value = "catheter-disconnection", "treat-withdrawal"
    g.then.value = "revise-catheter"                       # the patient first, then the cause
    assert g.answer().score == 100 and "Score 100/100" in g.readout_text
    g.reset()
    assert g.cause.value == "" and g.game.done == []


def test_troubleshooting_game_takes_a_plan_withdrawal_first_then_the_device():
    g = C.TroubleshootingGame(troubleshoot.library(ROOT / "scenarios" / "troubleshooting"))
    g.case_box.value = [c.cause for c in g.cases].index("empty-reservoir")
    assert g.then.value == "" and "then" in g.labels()
    g.investigate("interrogate")
    g.cause.value, g.action.value = "empty-reservoir", "refill-pump"
    r = g.answer()
    assert not r.action_right and "the patient comes first" in g.readout_text
    g.action.value, g.then.value = "treat-withdrawal", "refill-pump"
    assert g.answer().score == 100 and "Right action: treat the withdrawal first" in \
        g.readout_text
    g.reset()
    assert g.then.value == ""


def test_exercise_08_solutions_pass_and_blanks_get_not_yet():
    bank = sorted(q for q in QUESTIONS if q.startswith("ex8."))
    blank = _check_outputs(ROOT / "exercises" / "08_complications.ipynb")
    solved = _check_outputs(ROOT / "exercises" / "solutions" / "08_complications.ipynb")
    assert sorted(blank) == sorted(solved) == bank and len(bank) >= 3
    assert all(t.startswith("[NOT YET]") for t in blank.values()), blank
    assert all(t.startswith("[RIGHT]") for t in solved.values()), solved


def test_lesson_08_asks_its_questions_and_uses_its_panels():
    text = (ROOT / "lessons" / "08_complications.ipynb").read_text()
    for q in sorted(q for q in QUESTIONS if q.startswith("q8.")):
        assert f'ui.Question(\\"{q}\\")' in text
    for panel in ("ComplicationExplorer()", "MassRisk()", "MRIByPumpKind()",
                  "TroubleshootingGame("):
        assert panel in text
