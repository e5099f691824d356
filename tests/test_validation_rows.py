"""The declared calibration and validation sets, the data override behind fitting, and the
calibration tool (tools/calibrate.py)."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest

from itsim import data
from itsim.body import response, validation

ROOT = Path(__file__).resolve().parents[1]


def _calibrate():
    spec = importlib.util.spec_from_file_location("calibrate", ROOT / "tools" / "calibrate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_sets_are_declared_and_apart():
    rows = validation.rows()
    table = data.load("validation")
    fitted = {p for stage in table["calibration"]["stages"] for p in stage}
    assert fitted == set(table["parameters"])
    for r in rows:
        assert r.source and r.published and r.rule in (
            "value", "range", "times", "at_least", "at_most", "points")
        if r.set == "validation":
            assert not r.fits, f"{r.key}: a validation row cannot be fitted to"
        assert set(r.fits) <= fitted, f"{r.key} names a parameter no stage fits"
    for stage in table["calibration"]["stages"]:
        assert any(set(r.fits) & set(stage) for r in rows), stage
    assert sum(r.set == "validation" for r in rows) >= 24


def test_a_fitted_parameter_is_a_labelled_assumption():
    """Only assumptions are fitted, never a sourced number."""
    from itsim.facts import parse_fact
    for path in data.load("validation")["parameters"]:
        name, _, dotted = path.partition(":")
        table = data.load(name)
        *parents, leaf = dotted.split(".")
        for key in parents:
            table = table[key]
        raw = table[leaf] if isinstance(table[leaf], dict) else table
        fact = parse_fact(path, leaf, raw)
        assert fact.assumption and not fact.source, path


@pytest.mark.parametrize("rule, low, high, sim, want", [
    ("value", 10, 10, 12, "good"), ("value", 10, 10, 19, "fair"), ("value", 10, 10, 21, "poor"),
    ("range", 2, 3, 2.5, "good"), ("range", 2, 3, 5.9, "fair"), ("range", 2, 3, 0.9, "poor"),
    ("times", 8, 12, 13.9, "fair"), ("times", 8, 12, 14.1, "poor"),
    ("at_least", 0.5, 0.5, 0.3, "fair"), ("at_most", 0.1, 0.1, 0.05, "good"),
    ("points", 97, 97, 89, "fair"), ("points", 97, 97, 93, "good")])
def test_verdict_rules(rule, low, high, sim, want):
    row = validation.Row("k", "validation", "w", "S", "p", "bolus_peak", (), "", low, high, rule)
    assert validation.verdict(row, sim) == want


def test_override_changes_the_model_and_then_restores_it():
    row = next(r for r in validation.rows() if r.key == "ziconotide_low_dose")
    before = validation.simulated(row)
    stored = response.pharmacology("ziconotide", "chronic-non-cancer-pain").steepness
    with data.override({"response:drugs.ziconotide.steepness": 1.0}):
        flat = validation.simulated(row)
        ph = response.pharmacology("ziconotide", "chronic-non-cancer-pain")
        assert ph.steepness == 1.0
    assert flat > before                        # a flatter curve: more relief at a low dose
    assert validation.simulated(row) == before
    assert response.pharmacology("ziconotide", "chronic-non-cancer-pain").steepness == stored
    with pytest.raises(KeyError):
        with data.override({"response:drugs.ziconotide.no_such_thing": 1}):
            pass
    assert validation.simulated(row) == before


def test_steepness_keeps_the_maintenance_effect():
    """Whatever the Hill coefficient, the middle of the group's maintenance range gives the
    declared share of the maximum effect at steady state (how the EC50 is defined)."""
    m = response.model_facts()["maintenance_effect"].value
    for n in (1.0, 2.5):
        with data.override({"response:drugs.ziconotide.steepness": n}):
            ph = response.pharmacology("ziconotide", "chronic-non-cancer-pain")
            dose = float(np.sqrt(ph.maintenance.low * ph.maintenance.high))
            from itsim.body import csf
            ref = csf.index(response.model_facts()["reference_level"].value)
            x = response.steady_state("ziconotide", ref, dose)[ref] / ph.ec50
            assert x ** n / (1 + x ** n) == pytest.approx(m)
            half = response.half_effect_dose(ph)
            x = response.steady_state("ziconotide", ref, half)[ref] / ph.ec50
            assert x == pytest.approx(1.0)


def test_a_calibration_stage_meets_its_row_and_reruns_the_same():
    cal = _calibrate()
    spec = data.load("validation")["parameters"]
    name = "response:drugs.ziconotide.steepness"
    rows = [r for r in validation.rows() if name in r.fits]
    first, res = cal.fit_stage([name], rows, spec, {})
    again, _ = cal.fit_stage([name], rows, spec, {})
    assert first == again
    assert max(abs(e) for e in res) < 0.02            # within 2 % of the published target
    assert 1.5 < first[name] < 4


def test_calibrate_writes_a_fact_line_that_reads_back(tmp_path, monkeypatch):
    cal = _calibrate()
    for f in data.DATA_DIR.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    path = "response:drugs.baclofen.withdrawal_time"
    fixed = {path: "13.8 h", "response:drugs.ziconotide.steepness": 2.0}
    used = {p: ["some_row [B14]"] for p in fixed}
    assert len(cal.write(fixed, used, "2026-12-04", check=True)) == 2
    assert cal.write(fixed, used, "2026-12-04", check=False)
    import tomllib
    raw = tomllib.loads((tmp_path / "response.toml").read_text())["drugs"]
    w = raw["baclofen"]["withdrawal_time"]
    assert w["value"] == "13.8 h" and w["fitted"] and w["assumption"]
    assert w["fitted_to"] == ["some_row [B14]"] and w["fitted_on"] == "2026-12-04"
    assert w["note"].startswith("The severe syndrome develops")
    assert raw["ziconotide"]["steepness"]["value"] == 2.0
    assert cal.write(fixed, used, "2026-12-04", check=True) == []


def test_the_data_files_hold_what_the_calibration_gives():
    """Rerunning tools/calibrate.py gives the values in the data files (to the digits it
    writes): nothing fitted was changed by hand afterwards."""
    cal = _calibrate()
    fixed, used = cal.calibrate()
    assert cal.write(fixed, used, "any day", check=True) == []
