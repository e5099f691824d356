"""Troubleshooting cases: every case is solvable from its investigations and scores right."""
from pathlib import Path

import pytest

from itsim import InputError, troubleshoot as T

ROOT = Path(__file__).resolve().parents[1]
CASES = T.library(ROOT / "scenarios" / "troubleshooting")


def test_at_least_six_cases_covering_different_causes():
    assert len(CASES) >= 6 and len({c.cause for c in CASES}) >= 6


@pytest.mark.parametrize("case", CASES, ids=lambda c: Path(c.path).stem)
def test_every_case_is_solvable_and_scores_correctly(case):
    g = T.Game(case)
    clues = [n for n in T.investigations() if g.investigate(n).abnormal]
    assert clues, "no investigation points to the cause"
    # a learner who orders only the investigations that show something, and answers right
    best = T.Game(case)
    for n in clues:
        best.investigate(n)
    r = best.answer(case.cause, *case.plan)
    assert r.score == 100 and r.cause_right and r.action_right
    # every investigation ordered: right answer, but points lost for the ones that showed nothing
    wasteful = g.answer(case.cause, *case.plan)
    assert 80 <= wasteful.score <= 100 and (wasteful.wasted > 0) == (wasteful.score < 100)
    wrong_cause = next(c for c in T.CAUSES if c != case.cause)
    wrong_action = next(a for a in T.ACTIONS if a not in case.plan)
    assert T.Game(case).answer(wrong_cause, wrong_action).score <= 20


def test_the_clues_are_the_ones_the_sources_describe():
    by = {Path(c.path).stem: c for c in CASES}
    g = T.Game(by["baclofen_disconnection"])
    assert g.investigate("interrogate").abnormal is False       # the pump cannot see it
    assert g.investigate("x-ray").abnormal and g.investigate("cap-aspiration").abnormal
    g = T.Game(by["baclofen_occlusion"])
    assert "more than expected" in g.investigate("residual").text
    assert g.investigate("x-ray").abnormal is False              # an occlusion does not show
    g = T.Game(by["morphine_mass"])
    assert "mass" in g.investigate("mri").text and "weakness" in g.investigate("examine").text
    g = T.Game(by["concentration_error"])
    assert "refill record says" in g.investigate("interrogate").text


def test_bad_answers_and_cases_are_refused_plainly(tmp_path):
    g = T.Game(CASES[0])
    with pytest.raises(InputError):
        g.investigate("astrology")
    with pytest.raises(InputError):
        g.answer("gremlins", "no-change")
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\ncomplaint = "x"\nhistory = "x"\npresent_day = 5\n'
                   'cause = "boredom"\naction = "no-change"\nexplain = "x"\n[scenario]\n')
    with pytest.raises(InputError, match="cause"):
        T.load(bad)


# --- issue 16 ---------------------------------------------------------------------------------

def _case(name):
    return next(c for c in CASES if Path(c.path).stem == name)


def test_contrast_through_the_access_port_clears_the_catheter_first():
    # morphine 25 mg/mL, 0.3 mL in the line: 7.5 mg pushed in at once unless drawn back
    assert T.drug_in_line("25 mg/mL", "0.3 mL") == pytest.approx(7500)
    assert T.drug_in_line("25 mg/mL", "300 uL") == pytest.approx(7500)
    with pytest.raises(InputError):
        T.drug_in_line("25 mg/mL", "0.3 mg")
    g = T.Game(_case("morphine_mass"))
    f = g.investigate("contrast-ct")
    assert "drawn back and discarded" in f.text and "[S18, S122]" in f.text
    v = f.values
    assert v["drug_in_line_mcg"] == pytest.approx(25000 * v["catheter_ml"], rel=1e-6)


def test_mri_stall_treats_the_stiff_patient_and_does_not_empty_the_pump():
    c = _case("mri_stall")
    assert "not emptied" not in c.history
    assert c.first == "treat-withdrawal" and "wait" not in T.ACTIONS[c.actions[0]]
    assert "bridge" in c.explain and "neither emptied" in c.explain
    g = T.Game(_case("mri_stall"))
    f = g.investigate("mri")
    assert "emptied" not in f.text


def test_a_new_deficit_is_urgent_and_withdrawal_is_treated_first():
    mass = _case("morphine_mass")
    assert mass.actions == ("urgent-mri-neurosurgery",)
    assert "now" in T.ACTIONS["urgent-mri-neurosurgery"] and "cover" in T.ACTIONS[
        "urgent-mri-neurosurgery"]
    d = _case("baclofen_disconnection")
    assert d.plan == ("treat-withdrawal", "revise-catheter")
    assert "T6 or above" in d.explain and "autonomic dysreflexia" in d.explain
    assert "[B7]" in d.explain and "[S135]" in d.explain
    r = T.Game(d).answer("catheter-disconnection", "revise-catheter")
    assert not r.action_right                            # repair before treatment: not right


# --- clinical review of issue 16: the patient's withdrawal comes before the device -------------

WITHDRAWAL_CASES = ["missed_refill", "battery_end", "mri_stall", "baclofen_disconnection"]


@pytest.mark.parametrize("name", WITHDRAWAL_CASES)
def test_treating_the_withdrawal_first_is_the_right_action(name):
    c = _case(name)
    device = c.actions[0]
    # treat the withdrawal first, then the device action: full marks
    r = T.Game(c).answer(c.cause, "treat-withdrawal", device)
    assert r.action_right and r.action_points == 30 and r.score == 100 and not r.mistakes
    assert r.feedback[1].startswith("Right action: treat the withdrawal first")
    # the withdrawal treated but the device left alone: the cause is still there
    r = T.Game(c).answer(c.cause, "treat-withdrawal")
    assert not r.action_right and r.action_points == 20 and r.score < 100 and not r.mistakes
    assert "the cause is still there" in r.summary()
    # the device fix alone leaves the patient untreated: a named mistake, capped like the
    # emergency room's and the refill station's dangerous mistakes
    r = T.Game(c).answer(c.cause, device)
    assert not r.action_right and r.action_points == 10
    assert r.mistakes == ["the patient comes first"] and r.score <= 40
    assert "Mistake: the patient comes first" in r.summary() and "capped at 40" in r.summary()
    # the device fix first and the withdrawal after, or no treatment at all: the same mistake
    for plan in ((device, "treat-withdrawal"), ("no-change",)):
        r = T.Game(c).answer(c.cause, *plan)
        assert not r.action_right and r.score <= 40 and r.mistakes == ["the patient comes first"]
    # the right first step, then a wrong one
    r = T.Game(c).answer(c.cause, "treat-withdrawal", "no-change")
    assert not r.action_right and r.action_points == 15


def test_every_case_whose_patient_shows_withdrawal_treats_it_first():
    for c in CASES:
        shows = "Signs of withdrawal" in T.Game(c).investigate("examine").text
        if shows:
            assert c.first == "treat-withdrawal", c.path
        if c.first == "treat-withdrawal":
            assert c.scenario.kwargs["drug"] == "baclofen"


def test_other_cases_keep_their_single_action():
    c = _case("concentration_error")
    assert not c.first
    assert T.Game(c).answer(c.cause, "treat-overdose", "correct-programming").action_right
    assert T.Game(c).answer(c.cause, "correct-programming").action_right
    assert T.Game(c).answer(c.cause, "correct-programming", "no-change").action_points == 15
    assert T.Game(c).answer(c.cause, "treat-withdrawal").action_points == 0
    # no first action: no cap, the usual 50 + 30 + 20
    r = T.Game(c).answer(c.cause, "correct-programming")
    assert r.score == 100 and not r.mistakes
    assert T.Game(c).answer(c.cause, "no-change").score == 70


def test_the_baclofen_bridge_is_intrathecal_and_oral_baclofen_is_only_an_adjunct():
    for name in ("battery_end", "missed_refill", "mri_stall"):
        text = " ".join(_case(name).explain.split())
        assert "oral or bolus" not in text and "by another route" not in text, name
        assert "intrathecal bolus" in text and "[B16" in text, name
        assert "oral baclofen" in text and ("not enough" in text or "adjunct" in text), name
    assert "oral baclofen alone is not enough" in T.ACTIONS["treat-withdrawal"]
    assert "by another route" not in T.ACTIONS["recheck-pump"]


def test_a_bad_first_action_is_refused(tmp_path):
    src = (ROOT / "scenarios" / "troubleshooting" / "missed_refill.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(src.replace('first = "treat-withdrawal"', 'first = "pray"'))
    with pytest.raises(InputError, match="first"):
        T.load(bad)
    bad.write_text(src.replace('first = "treat-withdrawal"', 'first = "refill-pump"'))
    with pytest.raises(InputError, match="first"):
        T.load(bad)
    with pytest.raises(InputError, match="then"):
        T.Game(_case("missed_refill")).answer("empty-reservoir", "treat-withdrawal", "pray")


def test_lesson_08_states_the_withdrawal_cap_the_game_uses():
    import json
    nb = Path(T.__file__).resolve().parents[1] / "lessons" / "08_complications.ipynb"
    text = " ".join(" ".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"]
                             if c["cell_type"] == "markdown").split())
    assert f"caps the score at {T.FIRST_CAP}" in text and "the patient comes first" in text
    assert "the cause is still there" in text
