"""The screening trial: the baclofen ladder (every path), pain trials, readings, criteria at
their boundaries, cohorts, and clear errors."""
import numpy as np
import pytest

from itsim import InputError, trial


def spinal(sensitivity):
    return {"preset": "spinal-spasticity", "sensitivity": sensitivity}


@pytest.mark.parametrize("sensitivity, doses, decision, positive", [
    (1.0, [50], "candidate", 50),              # positive at 50 mcg
    (0.4, [50, 75], "candidate", 75),          # inadequate at 50, positive 24 h later at 75
    (0.3, [50, 75, 100], "candidate", 100),    # positive only at 100
    (0.2, [50, 75, 100], "not a candidate", None),   # no response to 100: not a candidate
])
def test_screening_follows_the_label_ladder_on_every_path(sensitivity, doses, decision,
                                                          positive):
    t = trial.screening(spinal(sensitivity), noise=False)
    assert [d.dose for d in t.doses] == doses
    assert [d.day for d in t.doses] == [0, 1, 2][:len(doses)]        # 24 h apart [S151]
    assert t.decision == decision and t.positive_dose == positive
    if positive:                                                      # doubled [B5, B8]
        assert t.first_pump_dose == 2 * positive
    else:
        assert t.first_pump_dose is None and "100 mcg" in t.reasons[0]


def test_first_pump_dose_is_not_doubled_when_the_effect_lasted_over_8_hours():
    t = trial.screening(spinal(3.0), noise=False, observe="24 h")
    assert t.doses[0].effect_hours > 8
    assert t.first_pump_dose == t.positive_dose == 50
    assert "lasted over 8 h" in t.first_dose_note


def test_small_patients_start_at_25_mcg_and_other_starts_are_refused():
    assert trial.ladder("25 mcg") == [25, 50, 75, 100]
    assert trial.ladder("0.05 mg") == [50, 75, 100]
    with pytest.raises(InputError, match="start"):
        trial.ladder("60 mcg")


def test_a_too_short_observation_cannot_give_a_candidate():
    t = trial.screening("spinal-spasticity", noise=False, observe="2 h")
    assert t.decision in ("repeat", "not a candidate") and t.observe_hours == 2
    assert any("shorter than the 4 h required" in r for r in t.reasons)


def test_readings_are_recorded_as_ashworth_grades_and_whole_nrs_points():
    assert list(trial.record(np.array([3.0, 2.6, 2.4, 1.3, 1.2, 0.2]), "MAS",
                             np.zeros(6))) == [3, 3, 2, 1.5, 1, 0]
    nrs = trial.record(np.array([7.4, 7.6, -0.3, 11.0]), "NRS", np.zeros(4))
    assert list(nrs) == [7, 8, 0, 10] and not np.signbit(nrs).any()


@pytest.mark.parametrize("before, reading, met", [
    (8, 4, True), (8, 5, False), (7, 3, True), (7, 4, False)])       # 50 % fall [S89]
def test_pain_criterion_at_its_boundary(before, reading, met):
    assert trial._met(np.array([before]), np.array([[reading]]), "NRS", 0.5)[0, 0] == met


@pytest.mark.parametrize("before, reading, met", [
    (3, 2, True), (3, 3, False), (2, 1.5, False), (2, 1, True)])     # one grade (assumption)
def test_tone_criterion_at_its_boundary(before, reading, met):
    assert trial._met(np.array([before]), np.array([[reading]]), "MAS", 0.0)[0, 0] == met


def test_a_response_must_be_sustained_over_consecutive_readings():
    met = np.array([[True, False, True, False], [False, True, True, False]])
    assert list(trial._runs(met, 2)) == [False, True]
    assert list(trial._runs(met, 1)) == [True, True]
    assert list(trial._runs(met, 5)) == [False, False]


def test_morphine_needs_24_hours_and_the_breathing_peak_comes_after_6():
    assert trial.required_hours("morphine") == 24                  # [S80, S141]
    assert trial.required_hours("ziconotide") == 6                 # [S87]
    assert trial.required_hours("baclofen") == 4                   # [S151]
    full = trial.single_shot("morphine", "1 mg", noise=False)
    assert full.decision == "candidate" and full.observe_hours == 24
    short = trial.single_shot("morphine", "1 mg", noise=False, observe="6 h")
    assert short.decision == "repeat"
    assert short.doses[0].peak_hours("respiratory_depression") > 6
    assert any("after the 6 h observation ended" in r for r in short.reasons)


def test_too_much_morphine_is_intolerable_and_means_repeat_with_a_lower_dose():
    t = trial.single_shot("morphine", "10 mg", noise=False)
    assert t.decision == "repeat" and "sedation" in t.doses[0].intolerable
    assert t.first_pump_dose is None


def test_a_pain_candidate_starts_the_pump_at_the_sourced_starting_dose():
    t = trial.single_shot("morphine", "1 mg", noise=False)
    assert t.first_pump_dose == 200.0 and "[M1]" in t.first_dose_note   # 0.2 mg/day


def test_placebo_and_scatter_alone_can_give_one_good_reading_but_rarely_a_sustained_one():
    # a patient the drug barely reaches: any fall comes from placebo and scatter
    c1 = trial.cohort(400, seed=2, drug="morphine", patient="chronic-non-cancer-pain",
                      dose="0.001 mg", sustained=1)
    c2 = trial.cohort(400, seed=2, drug="morphine", patient="chronic-non-cancer-pain",
                      dose="0.001 mg", sustained=2)
    assert c1.share("candidate") > c2.share("candidate")


def test_cohorts_are_seeded_and_a_short_observation_misclassifies():
    a = trial.cohort(300, seed=5, observe="8 h")
    assert a.summary() == trial.cohort(300, seed=5, observe="8 h").summary()
    early = trial.cohort(300, seed=5, observe="1 h")       # before the effect builds
    assert a.share("candidate") > 0.8 and early.share("candidate") < 0.1
    m6 = trial.cohort(300, seed=5, drug="morphine", patient="chronic-non-cancer-pain",
                      dose="1 mg", observe="6 h")
    assert m6.summary()["breathing_peak_after_observation"] == 1.0


def test_continuous_trial_runs_through_the_pump_and_decides():
    t = trial.continuous("morphine", "0.5 mg/day", noise=False)
    assert t.decision == "candidate" and t.observe_hours == 72      # 3 days [S88]
    assert t.first_pump_dose == 500.0
    assert "day 3" in t.summary()
    low = trial.continuous("morphine", "0.01 mg/day", noise=False)
    assert low.decision == "not a candidate"


@pytest.mark.parametrize("call, parameter", [
    (lambda: trial.screening("cancer-pain"), "patient"),
    (lambda: trial.screening("spinal-spasticity", observe="30 min"), "observe"),
    (lambda: trial.screening("spinal-spasticity", observe="2 day"), "observe"),
    (lambda: trial.screening("spinal-spasticity", observe=8), "observe"),
    (lambda: trial.screening("spinal-spasticity", sustained=0), "sustained"),
    (lambda: trial.screening("spinal-spasticity", seed=-1), "seed"),
    (lambda: trial.single_shot("morphine"), "dose"),
    (lambda: trial.single_shot("morphine", "1 mg/day"), "dose"),
    (lambda: trial.single_shot("morphine", "1 mg", "spinal-spasticity"), "patient"),
    (lambda: trial.single_shot("morphine", "1 mg", success=1.5), "success"),
    (lambda: trial.continuous("morphine", "0.5 mg/day", days=30), "days"),
    (lambda: trial.cohort(0), "n"),
    (lambda: trial.cohort(10).share("maybe"), "decision"),
])
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(InputError) as e:
        call()
    assert e.value.parameter == parameter


def test_every_trial_fact_has_a_source_or_is_a_labelled_assumption():
    seen = list(trial.all_facts())
    assert len(seen) >= 20
    for _, f in seen:
        assert f.source or (f.assumption and f.note)


# --- issue 16: which observation rule applies when ------------------------------------------

def test_observation_rule_says_which_rule_applies():
    m = trial.observation_rule("morphine")
    assert m.hours == pytest.approx(24) and "M2" in m.source and "replaces" in m.why
    f = trial.observation_rule("fentanyl")                   # lipophilic: the general 6 h
    assert f.hours == pytest.approx(6) and "responsible adult" in f.after and "A5" in f.source
    c = trial.observation_rule("morphine", "continuous")
    assert c.hours is None and "inpatient" in c.setting and "A2" in c.source
    b = trial.observation_rule("baclofen", "screening")
    assert b.hours == pytest.approx(4)
    with pytest.raises(InputError):
        trial.observation_rule("morphine", "screening")
    with pytest.raises(InputError):
        trial.observation_rule("morphine", "overnight")
    # every trial result names its rule
    assert "24 h" in trial.single_shot("morphine", "1 mg", noise=False).summary().split(
        "Observation rule:")[1]
    assert "inpatient" in trial.continuous("morphine", "0.5 mg/day", noise=False).summary()
    assert "responsible adult" in trial.single_shot("ziconotide", "2.5 mcg",
                                                    noise=False).summary()


def test_a_hydrophilic_opioid_test_dose_is_watched_24_h_like_morphine():
    # hydromorphone is hydrophilic (partition coefficient 2 [M23]); hydrophilic opioids cause
    # delayed respiratory depression [M16]: itsim's labelled rule is the 24 h of single-shot
    # neuraxial morphine [M14], never 6 h and home
    from itsim import drugs
    assert drugs.get("hydromorphone").lipophilicity.extra["octanol_water"] == 2.0
    assert trial.hydrophilic_opioid("hydromorphone") and trial.hydrophilic_opioid("morphine")
    assert not trial.hydrophilic_opioid("fentanyl") and not trial.hydrophilic_opioid(
        "ziconotide")                                          # hydrophilic, not an opioid
    h = trial.observation_rule("hydromorphone")
    assert h.hours == pytest.approx(24) and "responsible adult" not in h.after
    assert "not sent home before the 24 h" in h.after and "hourly for 12 h" in h.setting
    assert "[M14, M16, M23], a teaching assumption" in h.source
    assert trial.required_hours("hydromorphone") == 24 == trial.default_observe("hydromorphone")
    fact = trial.facts("pain")["observe_hydrophilic"]
    assert fact.assumption and fact.note and {"M14", "M16", "M23"} <= set(fact.source)
    assert fact.value * 24 == pytest.approx(trial.facts("pain")["observe_morphine"].value * 24)
    for d in ("fentanyl", "sufentanil"):                      # lipophilic: 6 h stays
        assert trial.required_hours(d) == 6


def test_lesson_04_reconciles_the_hydromorphone_rule():
    from pathlib import Path
    text = (Path(__file__).resolve().parents[1] / "lessons" / "04_the_trial.ipynb").read_text()
    row = next(line for line in text.splitlines() if "Single shot of **hydromorphone**" in line)
    assert "at least 24 hours" in row and "[M14, M16, M23]" in row and "assumption" in row
    assert "hydromorphone single-shot: at least 24 h" in text        # the stored output
