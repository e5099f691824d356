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


def test_a_lumbar_baclofen_bolus_is_counted_in_the_balance_and_eases_withdrawal():
    kw = dict(drug="baclofen", concentration="500 mcg/mL", fill="20 mL", days=4,
              program={"mode": "continuous", "dose": "300 mcg/day"}, patient="spinal-spasticity",
              catheter={"tip": "T10", "primed": True})
    base = [{"at": 1, "kind": "catheter-disconnection"}]
    a = itsim.simulate(**kw, events=base)
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


@pytest.mark.parametrize("name, good", [
    ("morphine_pocket_fill", ["naloxone", "call-help"] + ["wait 40 min", "naloxone"] * 8),
    ("morphine_cap_injection", ["naloxone", "call-help", "drain-port", "wait 3 min", "naloxone"]),
    ("baclofen_disconnection", ["call-help", "benzodiazepine", "check-ck-temperature",
                                "it-bolus"] + ["wait 6 h", "benzodiazepine"] * 3),
    ("baclofen_empty_pump", ["call-help", "benzodiazepine", "interrogate",
                             "check-ck-temperature", "restore"]),
    ("ziconotide_psychiatric", ["stop-pump", "call-help", "interrogate"]),
    ("morphine_entry_error", ["naloxone-2mg", "call-help", "interrogate", "stop-pump",
                              "empty-pump"] + ["wait 30 min", "naloxone-2mg"] * 12),
    ("baclofen_entry_error", ["call-help", "interrogate", "stop-pump", "empty-pump"])])
def test_doing_nothing_harms_and_the_right_care_scores_well(name, good):
    idle = _play(name, [])
    assert idle.harmed and idle.score <= 20
    done = _play(name, good)
    assert not done.harmed and done.score >= 90, done.text()


def test_a_benzodiazepine_in_an_opioid_overdose_is_unsafe_and_scored_so():
    r = _play("morphine_entry_error", ["benzodiazepine", "naloxone-2mg", "call-help",
                                       "interrogate", "stop-pump"]
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
