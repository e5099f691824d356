"""The emergency room: events with their time courses, the mass balance, the cases and scores."""
import numpy as np
import pytest

import itsim
from itsim import InputError, emergency
from itsim.events import event


def _cap(extra=(), days=61.5):
    return itsim.simulate(
        drug="morphine", concentration="10 mg/mL", fill="20 mL",
        program={"mode": "continuous", "dose": "2 mg/day"},
        catheter={"tip": "T10", "length": "60 cm"}, patient="cancer-pain", days=days,
        step="1 min", events=[{"at": 60, "kind": "cap-injection", "volume": "2 mL",
                               "concentration": "10 mg/mL"}, *extra])


def _r(tl, hours):
    return float(tl.response.effects["respiratory_depression"][np.searchsorted(tl.t, 60 + hours / 24)])


def test_naloxone_wears_off_before_intrathecal_morphine_so_breathing_slows_again():
    none = _cap()
    given = _cap([{"at": 60 + 2 / 24, "kind": "naloxone", "dose": "2 mg"}])
    assert _r(given, 2.2) < 0.5 * _r(none, 2.2)            # it works at once
    assert _r(given, 8) > 0.8 * _r(none, 8)                # and is gone hours later
    assert _r(given, 8) > _r(given, 2.2) + 0.2             # re-narcotisation


def test_csf_drainage_removes_drug_and_keeps_the_mass_balance():
    none = _cap()
    drained = _cap([{"at": 60 + 1 / 24, "kind": "csf-drainage", "volume": "35 mL",
                     "route": "access-port"}])
    assert _r(drained, 6) < _r(none, 6) - 0.1
    b = drained.balance
    assert b.drained > 0 and drained.mass_balance_error < 1e-6
    assert b.to_csf == pytest.approx(none.balance.to_csf - b.drained, rel=1e-9)
    assert drained.csf_cumulative[-1] == pytest.approx(b.to_csf, rel=1e-9)
    assert drained.summary()["delivered"]["drained_from_csf_mcg"] == pytest.approx(b.drained)


def test_access_port_drainage_reaches_no_csf_after_a_disconnection():
    tl = itsim.simulate(drug="baclofen", concentration="500 mcg/mL", fill="20 mL", days=3,
                        program={"mode": "continuous", "dose": "300 mcg/day"},
                        patient="spinal-spasticity", catheter={"tip": "T10", "primed": True},
                        events=[{"at": 1, "kind": "catheter-disconnection"},
                                {"at": 2, "kind": "csf-drainage", "volume": "30 mL",
                                 "route": "access-port"}])
    assert tl.balance.drained == 0
    assert any("no longer reaches the CSF" in e.detail for e in tl.log)


def disconnected_on_baclofen(days: float):
    """(simulate's arguments, the disconnection on day 1, its timeline): baclofen 300 mcg/day."""
    kw = dict(drug="baclofen", concentration="500 mcg/mL", fill="20 mL", days=days,
              program={"mode": "continuous", "dose": "300 mcg/day"}, patient="spinal-spasticity",
              catheter={"tip": "T10", "primed": True})
    base = [{"at": 1, "kind": "catheter-disconnection"}]
    return kw, base, itsim.simulate(**kw, events=base)


def test_a_lumbar_baclofen_bolus_is_counted_in_the_balance_and_eases_withdrawal():
    kw, base, a = disconnected_on_baclofen(days=4)
    b = itsim.simulate(**kw, events=base + [{"at": 2, "kind": "it-bolus", "dose": "50 mcg"}])
    assert b.balance.filled == pytest.approx(a.balance.filled + 50)
    assert b.mass_balance_error < 1e-6
    k = np.searchsorted(b.t, 2.3)
    assert b.response.score[k] < a.response.score[k]


def test_ten_mg_of_naloxone_says_reconsider_the_diagnosis():
    tl = _cap([{"at": 60.01 + i / 1440 * 3, "kind": "naloxone", "dose": "2 mg"} for i in range(5)],
              days=61)
    assert tl.first("reconsider-diagnosis") is not None
    fewer = _cap([{"at": 60.01, "kind": "naloxone", "dose": "2 mg"}], days=61)
    assert fewer.first("reconsider-diagnosis") is None


def test_naloxone_does_not_reverse_ziconotide():
    kw = dict(drug="ziconotide", concentration="25 mcg/mL", fill="5 mL", days=3, step="10 min",
              program={"mode": "continuous", "dose": "6 mcg/day"},
              patient="chronic-non-cancer-pain", catheter={"tip": "T10", "primed": True})
    a = itsim.simulate(**kw)
    b = itsim.simulate(**kw, events=[{"at": 1, "kind": "naloxone", "dose": "2 mg"}])
    assert np.array_equal(a.response.effects["confusion"], b.response.effects["confusion"])
    assert any("does not reverse" in e.detail for e in b.log)


@pytest.mark.parametrize("kind, params, parameter", [
    ("csf-drainage", {"volume": "30 mL", "route": "nose"}, "csf-drainage.route"),
    ("naloxone", {"dose": "0.4 mL"}, "naloxone.dose"),
    ("naloxone", {}, "naloxone.dose"),
    ("it-bolus", {"dose": "-5 mcg"}, "it-bolus.dose")])
def test_bad_emergency_events_are_refused(kind, params, parameter):
    with pytest.raises(InputError) as e:
        event("day 1", kind, **params)
    assert e.value.parameter == parameter


def test_at_least_six_cases_ship_and_each_runs():
    names = emergency.names()
    assert len(names) >= 6
    kinds = {emergency.load(n).kind for n in names}
    assert {"opioid-overdose", "baclofen-withdrawal", "baclofen-overdose",
            "ziconotide-psychiatric"} <= kinds
    for n in names:
        v = emergency.Session(n).vitals()
        for key in ("breathing_per_min", "sedation_0_3", "temperature_c", "heart_per_min",
                    "systolic_mmhg", "tone_or_pain"):
            assert np.isfinite(v[key])


def _play(name, plan):
    s = emergency.Session(name)
    for a in plan:
        if a.startswith("wait "):
            s.wait(a[5:])
        else:
            s.act(a)
    s.wait("24 h")
    return s.finish()


NALOXONE_HOURLY = ["wait 1 h", "naloxone-2mg"] * 8
# (case, plan, expected): "good" = no harm and >= 90; "harm" = harmed and <= 50;
# "danger" = a dangerous mistake, score capped at 40 (the patient may still come to no harm)
PLANS = [
    # doing nothing harms in every case
    *[(n, [], "harm") for n in ("morphine_pocket_fill", "morphine_cap_injection",
                                "baclofen_disconnection", "baclofen_empty_pump",
                                "ziconotide_psychiatric", "morphine_entry_error",
                                "baclofen_entry_error")],
    # the right care scores about 100
    ("morphine_pocket_fill", ["naloxone-2mg", "call-help"] + NALOXONE_HOURLY, "good"),
    ("morphine_pocket_fill", ["naloxone-2mg", "call-help", "naloxone-infusion"], "good"),
    ("morphine_cap_injection", ["naloxone-2mg", "call-help", "drain-port"] + NALOXONE_HOURLY,
     "good"),
    ("morphine_cap_injection", ["naloxone-2mg", "call-help", "drain-port", "naloxone-infusion"],
     "good"),
    ("morphine_cap_injection", ["naloxone-2mg", "call-help", "drain-lp"]
     + ["wait 30 min", "naloxone-2mg"] * 23,
     "good"),
    ("baclofen_disconnection", ["call-help", "benzodiazepine", "check-ck-temperature",
                                "restore"], "good"),
    ("baclofen_disconnection", ["call-help", "benzodiazepine", "check-ck-temperature",
                                "it-bolus-100", "wait 2 h", "restore"], "good"),
    ("baclofen_empty_pump", ["call-help", "benzodiazepine", "interrogate",
                             "check-ck-temperature", "restore"], "good"),
    ("ziconotide_psychiatric", ["stop-pump", "call-help", "interrogate"], "good"),
    ("morphine_entry_error", ["naloxone-2mg", "call-help", "interrogate", "stop-pump",
                              "empty-pump", "drain-port"] + NALOXONE_HOURLY, "good"),
    ("baclofen_entry_error", ["call-help", "interrogate", "stop-pump", "empty-pump"], "good"),
    # the review's unsafe shortcuts: harm or a capped score
    # 1. benzodiazepines alone (the signs eased, the cause left)
    ("baclofen_disconnection", ["call-help", "benzodiazepine", "check-ck-temperature"]
     + ["wait 6 h", "benzodiazepine"] * 3, "harm"),
    ("baclofen_disconnection", ["call-help", "benzodiazepine", "check-ck-temperature",
                                "it-bolus"], "harm"),         # a bolus alone wears off
    ("baclofen_empty_pump", ["benzodiazepine"] + ["wait 6 h", "benzodiazepine"] * 3, "harm"),
    ("baclofen_empty_pump", ["call-help", "benzodiazepine", "interrogate",
                             "check-ck-temperature"] + ["wait 6 h", "benzodiazepine"] * 3,
     "harm"),
    # 2. one naloxone dose and walking away
    ("morphine_cap_injection", ["naloxone-2mg", "call-help", "drain-port"], "harm"),
    ("morphine_cap_injection", ["naloxone", "call-help", "drain-port", "wait 3 min",
                                "naloxone"], "harm"),
    ("morphine_pocket_fill", ["naloxone-2mg", "call-help"], "harm"),
    ("morphine_pocket_fill", ["naloxone", "call-help"] + ["wait 40 min", "naloxone"] * 8,
     "harm"),                                 # 0.4 mg now and then leaves her breathing < 10
    ("morphine_entry_error", ["naloxone-2mg", "call-help", "interrogate", "stop-pump",
                              "empty-pump", "drain-port"], "harm"),
    # 3. no call for help for a patient breathing slowly or very drowsy on arrival
    ("baclofen_entry_error", ["interrogate", "stop-pump", "empty-pump"], "danger"),
    ("morphine_pocket_fill", ["naloxone-2mg", "naloxone-infusion"] + NALOXONE_HOURLY, "refused"),
    # the clinical re-review: no call for help in a case that needs a physician or a call is
    # a dangerous mistake even when the arrival signs looked mild (naloxone every 10 min,
    # never a call, never a drainage scored 87 "no harm"; ziconotide without a call 93)
    ("morphine_cap_injection", ["naloxone"] + ["wait 10 min", "naloxone"] * 71, "danger"),
    ("ziconotide_psychiatric", ["stop-pump", "interrogate"], "danger"),
    # a required step left out costs all the required-steps points (the drainage: was 96)
    ("morphine_entry_error", ["naloxone-2mg", "call-help", "interrogate", "stop-pump",
                              "empty-pump"] + NALOXONE_HOURLY, "incomplete"),
    # drainage does not help a pocket fill: an invasive step with no benefit
    ("morphine_pocket_fill", ["naloxone-2mg", "call-help", "drain-port"] + NALOXONE_HOURLY,
     "unsafe"),
    ("morphine_pocket_fill", ["naloxone-2mg", "call-help", "drain-lp"] + NALOXONE_HOURLY,
     "unsafe"),
]


def _verdict(name, plan):
    try:
        r = _play(name, plan)
    except InputError as e:
        assert "call for help first" in e.allowed
        return "refused", None
    if r.harmed:
        return "harm", r
    if r.dangerous:
        return "danger", r
    if r.unsafe:
        return "unsafe", r
    if r.missing:
        return "incomplete", r
    return "good", r


@pytest.mark.parametrize("name, plan, expected", PLANS)
def test_each_case_harms_when_nothing_is_done_scores_the_right_care_and_catches_shortcuts(
        name, plan, expected):
    verdict, r = _verdict(name, plan)
    assert verdict == expected, r.text() if r else verdict
    if expected == "good":
        assert r.score >= 90, r.text()
    elif expected == "harm":
        assert r.score <= 50, r.text()
    elif expected == "danger":
        assert r.score <= emergency.facts()["score"]["danger_cap"].value
        assert "DANGER" in r.text() and "call for help" in r.text()
    elif expected == "unsafe":
        sc = emergency.facts()["score"]
        assert r.score <= 100 - sc["unsafe"].value, r.text()
        assert all(_why(name, a) in r.text() for a in r.unsafe)
    elif expected == "incomplete":
        assert r.score <= 100 - emergency.facts()["score"]["steps"].value, r.text()
        assert "Missing (required" in r.text()


def _why(name, action):
    why = emergency.load(name).why.get(action)
    assert why, f"{name}: unsafe {action} needs a why"
    return why


GOOD = {}
for _n, _p, _v in PLANS:
    if _v == "good":
        GOOD.setdefault(_n, _p)


@pytest.mark.parametrize("name, step", [(n, st) for n in sorted(GOOD)
                                        for st in emergency.load(n).required])
def test_leaving_out_any_required_step_costs_the_required_steps_points_and_is_named(name, step):
    steps = emergency.facts()["score"]["steps"].value
    leave = set(step.split("|"))
    if "call-help" in leave:              # then no physician can act either
        leave |= {a for a, (_, physician) in emergency.ACTIONS.items() if physician}
    plan = [a for a in GOOD[name] if a not in leave]
    verdict, r = _verdict(name, plan)
    assert verdict != "good"
    if r is not None:
        assert r.score <= 100 - steps, r.text()
        missing = next(x for x in r.lines if x.startswith("Missing (required"))
        s = emergency.Session(name)
        assert all(s.label(a) in missing for a in step.split("|")), missing


def test_no_call_for_help_is_dangerous_when_the_signs_cross_the_thresholds_later():
    from itsim import scenario
    raw = scenario.parse_toml((emergency.folder() / "morphine_pocket_fill.toml").read_text())
    raw["emergency"]["required"] = ["naloxone|naloxone-2mg"]     # no call listed
    raw["emergency"]["arrival"] = "day 60.003"                   # before the signs
    s = emergency.Session(emergency.from_dict(raw, "early"))
    h = emergency.facts()["harm"]
    v = s.vitals()
    assert v["breathing_per_min"] > h["call_breathing"].value
    assert v["sedation_0_3"] < h["call_sedation"].value
    s.act("naloxone")
    s.wait("24 h")
    r = s.finish()
    assert r.dangerous and "no call for help, although at" in r.dangerous[0]
    assert r.score <= emergency.facts()["score"]["danger_cap"].value


@pytest.mark.parametrize("name", ["baclofen_empty_pump", "baclofen_disconnection"])
def test_restoring_baclofen_is_the_physicians_restart_at_the_ordered_dose_and_watched(
        name, monkeypatch):
    import dataclasses
    from itsim import refill
    from itsim.units import fmt
    s = emergency.Session(name)
    assert "physician" in s.case.restore_label and "mcg/day" not in s.case.restore_label
    obs = refill.facts()["restart_observe"]
    text = s.restore_text()
    assert "dose the physician orders" in s.case.restore_label
    assert "may be lower" in text and f"at least {fmt(obs.value, 'time')}" in text
    s.act("call-help")
    s.act("restore")
    s.wait("24 h")
    r = s.finish()
    assert any(x.startswith("Restart at 0 min") and "physician orders the dose" in x
               for x in r.lines)
    # the watch comes from the refill station's fact, not a copy
    monkeypatch.setitem(refill.facts(), "restart_observe",
                        dataclasses.replace(obs, value=0.5))
    assert "at least 12 h" in emergency.Session(name).restore_text()


def test_benzodiazepines_alone_leave_the_real_withdrawal_rising_and_restoring_baclofen_treats_it():
    severe = emergency.facts()["harm"]["withdrawal_severe"].value
    benzo = emergency.Session("baclofen_disconnection")
    for a in ["call-help", "benzodiazepine"]:
        benzo.act(a)
    for _ in range(3):
        benzo.wait("6 h")
        benzo.act("benzodiazepine")
    benzo.wait("24 h")
    r = benzo.finish()
    k0, k1 = benzo.k(0), benzo.k(benzo.case.horizon)
    w = benzo.timeline().response.withdrawal
    assert w[k1] > severe > w[k0]                        # the cause went on
    assert r.harmed and "benzodiazepines ease the signs" in r.text()
    fixed = emergency.Session("baclofen_disconnection")
    fixed.act("call-help")
    fixed.act("restore")
    fixed.wait("24 h")
    fw = fixed.timeline().response.withdrawal
    assert fw[k1] < w[k0] and fw[k0:k1 + 1].max() < severe
    assert "restore" in fixed.case.required and "catheter" in fixed.case.restore_label


def test_the_baclofen_bolus_can_be_chosen_and_its_time_course_is_sourced():
    from itsim import emergency_events
    b = emergency_events.facts()["it_bolus"]
    assert b["dose"].value == 50 and b["dose_high"].value == 100        # mcg [B4, B5]
    assert "B3" in b["peak"].source and b["peak"].low == pytest.approx(4 / 24)
    for action, dose in (("it-bolus", 50), ("it-bolus-100", 100)):
        s = emergency.Session("baclofen_disconnection")
        s.act("call-help")
        s.act(action)
        assert s.timeline().extra["given_by_lumbar_puncture_mcg"] == pytest.approx(dose)
    assert "4 h to 6 h" in emergency.bolus_time_course()


def test_an_it_infusion_at_the_tip_is_counted_in_the_balance():
    kw, base, a = disconnected_on_baclofen(days=3)
    b = itsim.simulate(**kw, events=base + [{"at": 1.5, "kind": "it-infusion",
                                             "dose_rate": "300 mcg/day", "duration": "12 h",
                                             "site": "tip"}])
    assert b.balance.filled == pytest.approx(a.balance.filled + 150)
    assert b.mass_balance_error < 1e-6
    k = np.searchsorted(b.t, 2.5)
    assert b.response.withdrawal[k] < a.response.withdrawal[k]
    with pytest.raises(InputError) as e:
        event("day 1", "it-infusion", dose_rate="300 mcg/day", duration="1 h", site="arm")
    assert e.value.parameter == "it-infusion.site"


def test_a_naloxone_infusion_spreads_the_dose_over_12_hours():
    one = _cap([{"at": 60 + 1 / 24, "kind": "naloxone", "dose": "4.8 mg"}], days=61)
    drip = _cap([{"at": 60 + 1 / 24, "kind": "naloxone", "dose": "4.8 mg",
                  "duration": "12 h"}], days=61)
    k1, k10 = (np.searchsorted(drip.t, 60 + h / 24) for h in (1.5, 10))
    assert drip.rescue["naloxone_mcg"][k1] < one.rescue["naloxone_mcg"][k1]
    assert drip.rescue["naloxone_mcg"][k10] > 5 * one.rescue["naloxone_mcg"][k10]
    assert any("over 12 h" in e.detail for e in drip.log)


def test_morphine_programming_error_is_an_intrathecal_overdose_that_needs_drainage():
    c = emergency.load("morphine_entry_error")
    assert "drain-port|drain-lp" in c.required
    r = _play("morphine_entry_error", ["naloxone-2mg", "call-help", "interrogate", "stop-pump",
                                       "empty-pump"] + NALOXONE_HOURLY)
    assert "CSF drainage" in " ".join(x for x in r.lines if x.startswith("Missing"))
    assert r.score <= 100 - emergency.facts()["score"]["steps"].value


def test_acting_after_the_case_is_over_is_refused_in_plain_words():
    s = emergency.Session("morphine_cap_injection")
    s.wait("24 h")
    with pytest.raises(InputError) as e:
        s.act("naloxone")
    assert "Press Finish" in e.value.allowed
    assert not s.finish().harmed is None                   # finish still works


def test_the_ziconotide_case_says_the_jump_was_a_titration_error():
    c = emergency.load("ziconotide_psychiatric")
    assert "titration error" in c.explain and "2.4 mcg/day" in c.explain
    assert "titration error" in " ".join(emergency.teaching("ziconotide"))


def test_a_benzodiazepine_in_an_opioid_overdose_is_unsafe_and_scored_so():
    r = _play("morphine_entry_error", ["benzodiazepine", "naloxone-2mg", "call-help",
                                       "interrogate", "stop-pump", "drain-port"]
              + ["wait 30 min", "naloxone-2mg"] * 12)
    assert "benzodiazepine" in r.unsafe and r.score <= 75
    assert "slows the breathing" in r.text()


def test_benzodiazepines_ease_the_signs_not_the_cause():
    s = emergency.Session("baclofen_disconnection")
    s.act("benzodiazepine")
    s.wait("1 h")
    eased = s.vitals()
    plain = emergency.Session("baclofen_disconnection")
    plain.wait("1 h")
    assert eased["heart_per_min"] < plain.vitals()["heart_per_min"] - 5
    k = s.k(60)
    assert s.timeline().response.withdrawal[k] == pytest.approx(
        plain.timeline().response.withdrawal[k], rel=1e-6)       # the cause goes on


def test_physician_actions_need_help_called_first():
    s = emergency.Session("morphine_cap_injection")
    with pytest.raises(InputError, match="call for help first"):
        s.act("drain-lp")
    s.act("call-help")
    s.act("drain-lp")


def test_a_bad_case_gives_plain_problems():
    from itsim import scenario
    raw = scenario.parse_toml((emergency.folder() / "morphine_pocket_fill.toml").read_text())
    raw["emergency"]["right"] = ["dance"]
    assert "emergency.right" in emergency.review(raw)[0]
    raw["emergency"]["right"] = ["naloxone"]
    raw["emergency"]["arrival"] = "day 99"
    assert "emergency.arrival" in emergency.review(raw)[0]
    assert emergency.review(scenario.parse_toml(
        (emergency.folder() / "morphine_pocket_fill.toml").read_text())) == []


def test_every_emergency_fact_is_sourced_or_a_labelled_assumption():
    facts = list(emergency.all_facts())
    assert len(facts) > 20
    for owner, f in facts:
        assert f.source or (f.assumption and f.note), (owner, f.name)
    assert "10 mg" in " ".join(emergency.teaching("opioid_overdose"))


def test_itsim_check_reads_an_emergency_case_and_gives_plain_problems(tmp_path, capsys):
    from itsim import cli
    good = emergency.folder() / "baclofen_empty_pump.toml"
    assert cli.main(["check", str(good)]) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text().replace('right = ["call-help"', 'right = ["pray"'))
    capsys.readouterr()
    assert cli.main(["check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "emergency.right" in out and "pray" in out


def test_baclofen_overdose_has_no_antidote_physostigmine_is_unsafe_and_stopping_the_pump_helps():
    s = emergency.Session("baclofen_entry_error")
    assert s.case.kind == "baclofen-overdose"
    assert "200 mcg/mL" in s.interrogate()              # the clue: a zero left off
    v = s.vitals()
    assert v["breathing_per_min"] < 12 and v["sedation_0_3"] >= 2 and v["heart_per_min"] < 70
    stopped = emergency.Session("baclofen_entry_error")
    stopped.act("call-help")
    stopped.act("stop-pump")
    stopped.wait("12 h")                                   # recovery is slow [B20]
    idle = emergency.Session("baclofen_entry_error")
    idle.wait("12 h")
    assert stopped.vitals()["breathing_per_min"] > idle.vitals()["breathing_per_min"] + 2
    naloxone = emergency.Session("baclofen_entry_error")
    naloxone.act("naloxone-2mg")
    naloxone.wait("12 h")                                 # naloxone does not reverse baclofen
    assert naloxone.vitals()["breathing_per_min"] == idle.vitals()["breathing_per_min"]
    r = _play("baclofen_entry_error", ["call-help", "physostigmine", "interrogate", "stop-pump"])
    assert "physostigmine" in r.unsafe and r.score <= 75 and "not advised" in r.text()
    assert "no antidote" in r.text().lower() and "physostigmine is not advised" in r.text()


def test_physostigmine_changes_nothing_in_the_simulated_patient():
    a = emergency.Session("baclofen_entry_error")
    a.act("call-help")
    b = emergency.Session("baclofen_entry_error")
    b.act("call-help")
    b.act("physostigmine")
    a.wait("2 h"), b.wait("2 h")
    assert a.vitals() == b.vitals()


def test_after_a_pocket_fill_one_naloxone_dose_is_not_enough_repeating_it_is():
    once = _play("morphine_pocket_fill", ["naloxone-2mg", "call-help"])
    assert once.harmed and "breathing" in once.harms[0]        # it wore off: re-narcotisation
    repeated = _play("morphine_pocket_fill", ["naloxone-2mg", "call-help"]
                     + ["wait 60 min", "naloxone-2mg"] * 8)
    assert not repeated.harmed


def test_q11_3_says_the_other_withdrawal_signs_need_a_call_straight_away():
    from itsim import exercises
    q = exercises.question("q11.3")
    assert "straight away" in q.explain and "today" not in q.explain and "S153" in q.explain
