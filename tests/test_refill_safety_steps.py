"""Issue 16 §6: the refill station's safety steps (asepsis and mask [S150], the kit's filter,
placement confirmed by free aspiration before injecting [S66, S74], drawing back while
injecting, the record [S66, B8, S150]). Each skipped step shows in the score and the
mistakes; the model answer keeps full marks."""
import pytest

from itsim import refill
from itsim.refill_station import (DANGER_CAP, STEPS, RefillCase, RefillSession,
                                  correct_session)


def session(case=None, skip=(), **choices):
    s = RefillSession(case or RefillCase())
    _, conc, vol = s.case.order
    base = {"verify": {"second_check": True}, "locate": {"template": True},
            "program": {"volume": f"{vol!r} mL", "concentration": f"{conc!r} mcg/mL"}}
    for step in STEPS:
        if step not in skip:
            s.do(step, **{**base.get(step, {}), **choices.get(step, {})})
    return s.finish()


def codes(r):
    return [m.code for m in r.errors]


def test_the_model_answer_does_every_safety_step_and_scores_full_marks():
    for case in (RefillCase(), RefillCase(visit_day=36)):
        r = correct_session(case).finish()
        assert r.score == 100 and r.errors == [] and r.safe
    assert "document" in STEPS and STEPS.index("document") > STEPS.index("program")


@pytest.mark.parametrize("choices, code, source", [
    ({"prepare": {"mask": False}}, "no-mask", "[S150]"),
    ({"prepare": {"antiseptic": "alcohol-based"}}, "alcohol-antiseptic", "[S150]"),
    ({"prepare": {"dried": False}}, "antiseptic-wet", "[S150]"),
    ({"inject": {"filter": False}}, "no-filter", "teaching assumption (unverified)"),
    ({"inject": {"check_return": False}}, "no-return-check", "teaching assumption (unverified)"),
    ({"document": {"dates": False}}, "no-dates-recorded", "[S66, B8, S150]"),
    ({"document": {"volumes": False}}, "no-volumes-recorded", "[S66, B8, S150]"),
])
def test_each_skipped_safety_choice_is_a_mistake_with_its_source_and_costs_points(
        choices, code, source):
    r = session(**choices)
    assert codes(r) == [code]
    assert r.errors[0].source == source
    assert r.score < 100 and r.score == 80          # every step done: only the clean bonus lost


@pytest.mark.parametrize("skip, code", [(("prepare",), "no-asepsis"),
                                        (("document",), "not-documented")])
def test_skipping_a_whole_safety_step_is_missed_and_a_mistake(skip, code):
    r = session(skip=skip)
    assert code in codes(r) and skip[0] in r.missed and r.score < 80


def test_injecting_before_a_free_aspiration_is_a_dangerous_mistake():
    # the pump ran dry: nothing comes back at the aspiration, so only the 5 mL check
    # (or a second needle [S74]) proves where the needle is
    late = RefillCase(visit_day=36)
    s = RefillSession(late)
    for step, kw in (("verify", {"second_check": True}), ("interrogate", {}),
                     ("assess", {"escalate": True}), ("locate", {}), ("prepare", {}),
                     ("access", {})):
        s.do(step, **kw)
    assert "does not prove where the needle is" in s.do("aspirate")
    assert "No fluid has come back freely yet" in s.do("inject")
    for step, kw in (("program", {"volume": "20 mL", "concentration": "500 mcg/mL"}),
                     ("observe", {}), ("document", {})):
        s.do(step, **kw)
    r = s.finish()
    assert "inject-unconfirmed" in codes(r) and not r.safe and r.score <= DANGER_CAP
    assert "[S66, S74]" in r.summary()
    # a routine patient: the residual coming back freely is the confirmation
    assert "inject-unconfirmed" not in codes(session(skip=("confirm",)))
    # no aspiration and no check at all, needle in the reservoir: still a dangerous mistake
    r = session(skip=("aspirate", "confirm"))
    assert "inject-unconfirmed" in codes(r) and not r.safe


def test_drawing_back_while_injecting_stops_a_pocket_fill_early():
    hard = RefillCase(patient="cancer-pain", drug="morphine", concentration="10 mg/mL",
                      dose="2 mg/day", visit_day=60, port_hard=True)
    every = refill.facts()["return_check"].value
    checked = session(hard, skip=("confirm",), locate={"template": False})
    blind = session(hard, skip=("confirm",), locate={"template": False},
                    inject={"check_return": False})
    tissue = lambda r: r.timeline.summary()["delivered"]["to_tissue_mcg"]
    assert tissue(checked) == pytest.approx(every * 10000)          # 5 mL, then you stop
    assert tissue(blind) == pytest.approx(20 * 10000)               # the whole syringe
    assert "pocket-fill" in codes(checked) and "no-return-check" in codes(blind)


def test_bad_antiseptic_is_refused():
    from itsim.errors import InputError
    s = RefillSession()
    with pytest.raises(InputError) as e:
        s.do("prepare", antiseptic="soap")
    assert e.value.parameter == "antiseptic" and s.done == []


def test_the_record_names_the_next_refill_before_the_alarm():
    s = correct_session()
    text = s.seen[-1]
    p = refill.schedule("baclofen", "500 mcg/mL", "20 mL",
                        {"mode": "continuous", "dose": "300 mcg/day"}, pump="programmable-20")
    assert f"next refill planned {p.visit_day:g} days" in text
    assert f"alarm about {p.alarm_day:.0f} days" in text and p.visit_day < p.alarm_day


def test_the_new_facts_are_sourced_or_labelled():
    f = refill.facts()
    assert f["asepsis"].source == ("S150",) and f["pump_filter"].source == ("S2",)
    assert f["pump_filter"].value == "0.22 µm"
    assert f["free_aspiration"].source == ("S66", "S74")
    for name in ("kit_filter", "return_check", "bridge_tubing_volume"):
        assert f[name].assumption and f[name].note
