"""docs/hazards.md: every row's scenario runs and shows the signs and alarms the table lists
(or their documented absence); the seeded risk processes reproduce their rates."""
import re
from pathlib import Path

import numpy as np
import pytest

import itsim
from itsim import InputError, hazards, scenario

ROOT = Path(__file__).resolve().parents[1]
TABLE = (ROOT / "docs" / "hazards.md").read_text()
ROWS = [r for r in TABLE.splitlines() if re.match(r"^\| \d+ \|", r)]


def run(name):
    tl = scenario.load(ROOT / "scenarios" / f"{name}.toml").run()
    return tl, tl.summary()


def alarms(s):
    return [(a["kind"], a["critical"]) for a in s["alarms"]]


def first(s, what):
    return s["response"][what]["first_day"]


def check_over_delivery(tl, s):
    assert tl.reservoir_empty_day == pytest.approx(80, abs=0.01)     # 20 mL at 0.25 mL/day
    assert ("low-reservoir", False) not in alarms(s)                 # dry before the alarm
    assert s["refills"][0]["flagged"] and s["refills"][0]["discrepancy_ml"] > 2


def check_under_delivery(tl, s):
    assert s["refills"][0]["flagged"] and s["refills"][0]["discrepancy_ml"] < -2
    assert alarms(s) == []


def check_empty_reservoir(tl, s):
    assert alarms(s)[:2] == [("low-reservoir", False), ("reservoir-empty", True)]
    assert 0 < first(s, "withdrawal") - tl.reservoir_empty_day < 4   # builds over 24-72 h


def check_battery_end_of_service(tl, s):
    assert [(a["kind"], a["day"]) for a in s["alarms"]] == [("elective-replacement", 10.0),
                                                            ("end-of-service", 100.0)]
    assert 100 < first(s, "withdrawal") < 104


def check_mri_programmable_stall(tl, s):
    assert alarms(s) == [("motor-stall", True)]
    assert tl.first("motor-stall-recovery") == pytest.approx(3 + 1 / 24 + 1, abs=1e-3)
    stalled = (tl.t > 3.05) & (tl.t < 4.03)
    assert tl.delivered[stalled].max() == 0


def check_mri_valve_gated(tl, s):
    assert tl.first("valve-shut") is not None


def check_mri_constant_flow(tl, s):
    assert alarms(s) == [] and tl.first("mri") == 3
    assert np.ptp(tl.delivered) < 1e-9                               # the flow never changed


def check_catheter_kink(tl, s):
    assert alarms(s) == []
    assert s["refills"][0]["flagged"] and s["refills"][0]["discrepancy_ml"] < -2


def check_catheter_occlusion(tl, s):
    assert alarms(s) == []
    assert 40 < first(s, "withdrawal") < 44


def _withdrawal_after(day):
    def check(tl, s):
        assert alarms(s) == []
        assert day < first(s, "withdrawal") < day + 4
        assert tl.to_tissue[tl.t > day + 0.1].min() > 0 or tl.to_csf[tl.t > day + 0.1].max() == 0
    return check


def check_csf_leak(tl, s):
    assert alarms(s) == []
    entry = next(e for e in tl.log if e.kind == "csf-leak")
    assert "headache" in entry.detail


def check_infection_explant(tl, s):
    assert "fever" in next(e for e in tl.log if e.kind == "infection").detail
    assert tl.first("explant") == 32
    assert 32 < first(s, "withdrawal") < 36


def check_inflammatory_mass(tl, s):
    assert s["inflammatory_mass"]["start_day"] == 60 and s["inflammatory_mass"]["size_end"] > 0.8
    raw = scenario.load(ROOT / "scenarios" / "inflammatory_mass.toml")
    kw = dict(raw.kwargs, events=[e for e in raw.kwargs["events"]
                                  if e.kind != "inflammatory-mass"])
    without = itsim.simulate(**kw).summary()
    assert s["response"]["score_end"] > without["response"]["score_end"] + 1   # pain returns
    assert alarms(s) == alarms(without)                                       # no alarm


def check_refill_pocket_fill(tl, s):
    assert 60 <= first(s, "overdose") < 61
    assert s["refills"][0]["flagged"]


def check_cap_injection(tl, s):
    assert first(s, "overdose") == pytest.approx(60, abs=0.1)
    assert alarms(s) == []


def check_concentration_entry_error(tl, s):
    assert 30 <= first(s, "overdose") < 31


EXPECT = {
    "over_delivery": check_over_delivery, "under_delivery": check_under_delivery,
    "empty_reservoir": check_empty_reservoir,
    "battery_end_of_service": check_battery_end_of_service,
    "mri_programmable_stall": check_mri_programmable_stall,
    "mri_valve_gated": check_mri_valve_gated, "mri_constant_flow": check_mri_constant_flow,
    "catheter_kink": check_catheter_kink, "catheter_occlusion": check_catheter_occlusion,
    "catheter_disconnection": _withdrawal_after(20), "catheter_fracture": _withdrawal_after(20),
    "catheter_migration": _withdrawal_after(20), "csf_leak": check_csf_leak,
    "infection_explant": check_infection_explant, "inflammatory_mass": check_inflammatory_mass,
    "refill_pocket_fill": check_refill_pocket_fill, "cap_injection": check_cap_injection,
    "concentration_entry_error": check_concentration_entry_error,
}


def test_the_table_covers_every_hazard_the_issue_names():
    names = " ".join(r.split("|")[2].lower() for r in ROWS)
    for hazard in ("over-delivery", "under-delivery", "empty reservoir", "battery", "motor stall",
                   "mri, valve-gated", "mri, constant-flow", "kink", "occlusion",
                   "disconnection", "fracture", "migration", "csf leak", "infection",
                   "inflammatory mass", "pocket fill", "access port", "programming",
                   "withdrawal", "overdose"):
        assert hazard in names, hazard
    assert len(ROWS) == 20


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.split("|")[2].strip())
def test_every_row_has_a_scenario_that_shows_it(row):
    files = re.findall(r"`([a-z_]+)\.toml`", row.split("|")[-2])
    assert files, row
    for name in files:
        assert name in EXPECT, f"no expectation for {name}"
        tl, s = run(name)
        assert tl.mass_balance_error < 1e-6
        EXPECT[name](tl, s)


def test_catheter_faults_and_masses_happen_at_their_sourced_rates():
    r = hazards.rates(4000, years=5, seed=2, drug="morphine", concentration="10 mg/mL",
                      dose="5 mg/day")
    for name, (drawn, sourced) in r.items():
        assert drawn == pytest.approx(sourced, rel=0.25), name     # 0.020 [S94], 0.009 [S99]


def test_mass_risk_rises_with_dose_and_concentration_and_is_low_for_baclofen():
    low = hazards.mass_rate("morphine", "10 mg/mL", "5 mg/day")
    assert hazards.mass_rate("morphine", "10 mg/mL", "10 mg/day") == pytest.approx(2 * low)
    assert hazards.mass_rate("morphine", "25 mg/mL", "5 mg/day") == pytest.approx(2 * low)
    assert hazards.mass_rate("baclofen", "2000 mcg/mL", "5 mg/day") < low / 5


def test_drawn_events_are_seeded_and_run_in_the_simulator():
    kw = dict(drug="morphine", concentration="25 mg/mL", dose="10 mg/day")
    assert hazards.draw(7, 5, **kw) == hazards.draw(7, 5, **kw)
    found = {e["kind"] for seed in range(400) for e in hazards.draw(7, seed, **kw)}
    assert {"eri", "inflammatory-mass", "catheter-occlusion"} <= found
    for seed in range(3):
        events = [e for e in hazards.draw(1, seed, **kw) if e["kind"] != "eri"]
        itsim.simulate(drug="morphine", concentration="25 mg/mL", fill="20 mL",
                       program={"mode": "continuous", "dose": "10 mg/day"}, days=365,
                       step="1 h", events=events)


def test_mass_growth_and_bad_input():
    assert hazards.mass_growth(0.0) == 0 and hazards.mass_growth(30.0) == pytest.approx(0.5)
    with pytest.raises(InputError):
        hazards.draw(0, 1, drug="morphine", concentration="10 mg/mL", dose="1 mg/day")
    with pytest.raises(InputError):
        itsim.simulate(drug="baclofen", concentration="500 mcg/mL", fill="20 mL",
                       program={"mode": "continuous", "dose": "300 mcg/day"}, days=5,
                       events=[{"at": "day 1", "kind": "infection", "depth": "medium"}])


# --- issue 16: the mass risk is potency-adjusted and has no floor on the onset ---------------

def test_hydromorphone_mass_risk_is_morphine_equivalent():
    morphine_5 = hazards.mass_rate("morphine", "10 mg/mL", "5 mg/day")
    hydro_2 = hazards.mass_rate("hydromorphone", "2 mg/mL", "2 mg/day")
    ratios = [r["value"] for r in itsim.drugs.conversions()["hydromorphone_morphine"]["ratios"]]
    k = max(ratios)                                       # 6:1 [M22], the highest sourced
    assert hazards.morphine_equivalent("hydromorphone") == k
    assert hydro_2 > morphine_5                           # 2 mg/day = 12 mg/day morphine
    assert hydro_2 == pytest.approx(morphine_5 * 2 * k / 5)
    # the 20 mg/mL flag [S101] fires for hydromorphone below its 15 mg/mL maximum
    flag = 20 / k
    below = hazards.mass_rate("hydromorphone", f"{flag * 0.9:.4f} mg/mL", "2 mg/day")
    above = hazards.mass_rate("hydromorphone", f"{flag * 1.1:.4f} mg/mL", "2 mg/day")
    assert above == pytest.approx(2 * below)
    assert hazards.mass_rate("morphine", "10 mg/mL", "5 mg/day") == pytest.approx(0.009)


def test_a_mass_can_start_before_two_months():
    kw = dict(drug="morphine", concentration="25 mg/mL", dose="20 mg/day")
    starts = [float(e["at"].split()[1]) for seed in range(3000)
              for e in hazards.draw(1, seed, **kw) if e["kind"] == "inflammatory-mass"]
    assert min(starts) < 35                               # one case at 5 weeks [S102]
    f = hazards.facts("inflammatory-mass")
    assert "earliest" not in f and f["earliest_reported"].value == pytest.approx(35)
    assert f["hydromorphone_series"].value == 0.087 and f["hydromorphone_series"].source == (
        "S100",)


# --- issue 16: an MRI checklist per pump kind --------------------------------------------------

def _text(kind, drug=None):
    return " ".join(f.value for f in hazards.mri_checklist(kind, drug))


def test_mri_checklist_per_pump_kind():
    prog = hazards.mri_checklist("programmable")
    assert [f["when"] for f in prog] == sorted((f["when"] for f in prog),
                                               key=hazards.MRI_WHEN.index)
    assert "S11" in {t for f in prog for t in f.source}
    p = _text("programmable")
    assert "beforehand whether" in p and "bridge" in p and "'stopped pump'" in p
    assert "Empty" not in p and "empty all" not in p.lower()       # not this pump's rule
    assert "withdrawal" not in p and "withdrawal" in _text("programmable", "baclofen")
    v = _text("valve-gated")
    assert "0.0 mg/day" in v and "reset" in v and "MR Unsafe" in v
    assert {"S40", "S41", "S35"} <= {t for f in hazards.mri_checklist("valve-gated")
                                     for t in f.source}
    c = _text("constant-flow")
    assert "Codman 3000" in c and "that model only" in c
    with pytest.raises(InputError):
        hazards.mri_checklist("magnetic")
