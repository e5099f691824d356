"""Scenario files: every shipped case loads and runs; every bad file gets a clear error."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from itsim import InputError, scenario

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
BAD = ROOT / "tests" / "bad_scenarios"

# bad file -> what its one-line error must say (the key and what is wrong)
EXPECTED = {
    "unknown_top_key": "colour = 'red' is not allowed: unknown key",
    "unknown_pump_key": "pump.battery = 'AA' is not allowed: unknown key",
    "bad_pump_kind": "pump.kind = 'jet' is not allowed: expected one of constant-flow",
    "bad_reservoir": "pump.reservoir = '25 mL' is not allowed: a programmable pump comes in",
    "mg_for_concentration": "that is an amount of drug, not a concentration",
    "dose_without_unit": "program.dose = 300 is not allowed: a number without a unit",
    "missing_drug_name": "drug.name = None is not allowed: needed",
    "unknown_drug": "drug = 'aspirin' is not allowed",
    "overfilled": "fill = '25 mL' is not allowed: the reservoir holds 20 mL",
    "negative_days": "days = -3 is not allowed",
    "not_toml": "not valid TOML",
    "unknown_event_kind": "events[0].kind = 'teleport' is not allowed",
    "event_without_at": "events[0]",
    "event_bad_param": "events[0].refill.nurse = 'Sam' is not allowed: not a parameter",
    "event_after_end": "eri.at = 'day 300' is not allowed: before the end of the 30 days",
    "event_bad_time": "events[0].at = 'yesterday' is not allowed: expected a time",
    "kink_fraction_too_big": "events[0].catheter-kink.fraction = 1.5",
    "condition_mismatch": "patient.condition = 'pain' is not allowed: baclofen is for spasticity",
    "constant_flow_programmed": "cannot be programmed",
    "program_below_min_rate": "below the pump's minimum rate",
    "bad_tip": "catheter.tip = 'T13'",
    "python_code": "events[0].at",
    "preset_for_other_condition": "patient.preset = 'spinal-spasticity' is not allowed: a "
                                  "preset for pain",
    "unknown_preset": "patient.preset = 'headache' is not allowed: expected one of",
    "baseline_off_scale": "patient.baseline = 12 is not allowed: a score above 0 and at most "
                          "10 on the NRS scale",
    "baseline_without_preset": "patient.baseline = 6 is not allowed: only with a preset",
    "drug_without_maintenance_range": "patient.preset = 'chronic-non-cancer-pain' is not "
                                      "allowed: no sourced maintenance dose for fentanyl",
}


def test_the_corpus_and_the_table_agree():
    assert sorted(p.stem for p in BAD.glob("*.toml")) == sorted(EXPECTED)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_loads_and_runs(path):
    s = scenario.load(path)
    tl = s.run()
    assert s.title and s.description.strip()
    assert tl.mass_balance_error < 1e-6
    assert tl.reservoir.min() >= 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_scenarios_are_refused_with_the_key_and_the_reason(name):
    with pytest.raises(InputError) as e:
        scenario.load(BAD / f"{name}.toml").run()
    assert EXPECTED[name] in str(e.value), str(e.value)


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "itsim", "run", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


@pytest.mark.parametrize("name", ["unknown_pump_key", "not_toml", "python_code"])
def test_cli_bad_scenario_exits_2_with_one_line(name):
    out = run_cli(str(BAD / f"{name}.toml"))
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith("itsim: error: ")


def test_cli_missing_file():
    out = run_cli("nope.toml")
    assert out.returncode == 2 and "scenario = 'nope.toml' is not allowed: no such file" in \
        out.stderr


def test_cli_run_json_has_the_documented_keys(tmp_path):
    out = run_cli("scenarios/catheter_occlusion.toml", "--json", "--csv",
                  str(tmp_path / "t.csv"))
    assert out.returncode == 0, out.stderr
    s = json.loads(out.stdout)
    for key in ("alarms", "reservoir_empty_day", "delivered", "catheter_volume_ml",
                "first_drug_at_tip_day", "mass_balance_error"):
        assert key in s
    assert set(s["delivered"]) >= {"to_csf_mcg", "to_tissue_mcg", "in_reservoir_mcg",
                                   "in_catheter_mcg"}
    assert s["delivered"]["to_csf_mcg"] == pytest.approx(20_000)    # 40 days x 500 mcg/day
    assert s["reservoir_empty_day"] is None and s["alarms"] == []
    lines = (tmp_path / "t.csv").read_text().splitlines()
    assert lines[0].split(",")[:4] == ["day", "commanded_flow_ml_per_day",
                                       "delivered_flow_ml_per_day", "reservoir_ml"]
    assert len(lines) == 1 + 60 * 24                                 # hourly rows by default


def test_cli_run_text_summary():
    out = run_cli("scenarios/baclofen_first_months.toml")
    assert out.returncode == 0
    assert "low-reservoir (day 53.00)" in out.stdout and "Mass balance error" in out.stdout


def test_cli_csv_has_csf_columns_when_the_scenario_asks(tmp_path):
    out = run_cli("scenarios/concentration_entry_error.toml", "--csv", str(tmp_path / "c.csv"),
                  "--every", "1440")
    assert out.returncode == 0, out.stderr
    rows = (tmp_path / "c.csv").read_text().splitlines()
    header = rows[0].split(",")
    i = header.index("csf_tip_mcg_per_ml")
    assert header[i:i + 3] == ["csf_tip_mcg_per_ml", "csf_target_mcg_per_ml",
                               "csf_brainstem_mcg_per_ml"]
    tip = [float(r.split(",")[i]) for r in rows[1:]]
    assert tip[35] > 5 * tip[25] > 0          # ten times the dose after the day-30 refill


def test_cli_json_has_a_response_summary_and_csv_the_scores(tmp_path):
    out = run_cli("scenarios/morphine_trial_dose_breathing.toml", "--json", "--csv",
                  str(tmp_path / "r.csv"), "--every", "30")
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)["response"]
    assert r["patient"] == "chronic-non-cancer-pain" and r["scale"].startswith("pain")
    rd = r["effects"]["respiratory_depression"]
    assert 0.25 < rd["day"] - 2.333 < 0.6                   # hours after the bolus, not minutes
    header = (tmp_path / "r.csv").read_text().splitlines()[0].split(",")
    assert {"pain_score_nrs_0_10", "respiratory_depression_index_0_1",
            "withdrawal_index_0_1", "csf_brainstem_mcg_per_ml"} <= set(header)
