"""Lesson 01 panels (itsim.ui.body): the spine view, hydrophilic against lipophilic, and the
respiratory-depression clock. Impossible input shows a plain message, never an exception;
Reset restores; a slider move is fast and does not rerun the simulation."""
import time
from pathlib import Path

import numpy as np
import pytest

from itsim.body import csf
from itsim.exercises import QUESTIONS
from itsim.ui import body
from test_ui_procedures import _check_outputs  # noqa: E402  (one helper for every exercise test)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shared_spine():
    return body.SpineView()            # a FigureWidget takes a while to build: share it


@pytest.fixture
def spine(shared_spine):
    shared_spine.reset()
    return shared_spine


def test_spine_view_draws_the_canal_and_reads_it_out(spine):
    line, tip, stem = spine.figure.data[:3]
    assert list(line.y) == list(csf.LEVELS) and len(line.x) == 26
    assert list(tip.y) == ["T10"] and list(stem.y) == ["cranial"]
    r = spine.result
    assert tip.x[0] == pytest.approx(r.profile[csf.index("T10")])
    text = spine.readout_text
    assert text.startswith("Morphine (preservative-free) 0.2 mg as a bolus over 30 min, "
                           "catheter tip at T10 2 h after the start")
    assert "Highest: " in text and "at T10" in text
    assert "CSF half-life: 196 min [M6]" in text
    assert "lower starting dose [M1]" in text
    # the readout's numbers are the figure's numbers
    assert f"At the tip (T10): {body.conc_text(r.at_tip)}" in text
    assert f"At the brainstem: {body.conc_text(r.at_brainstem)}" in text


@pytest.mark.parametrize("value, message", [
    ("0.2 mg/day", "Dose (amount): '0.2 mg/day' is not possible. That is a dose per time, "
                   "not an amount of drug"),
    ("0.2", "Dose (amount): '0.2' is not possible"),
    ("abc", "Dose (amount): 'abc' is not possible"),
    ("-1 mg", "Dose (amount): '-1 mg' is not possible"),
    ("0 mg", "Dose (amount): '0 mg' is not possible"),
])
def test_spine_view_impossible_dose_is_a_plain_message(spine, value, message):
    spine.set(dose=value)                      # must not raise
    assert spine.readout_text.startswith("Cannot calculate. " + message), spine.readout_text
    assert spine.error is not None
    spine.reset()
    assert spine.error is None and spine.readout_text.startswith("Morphine")


def test_moving_the_time_slider_reuses_the_run(spine):
    spine.set(hours=3.0)
    before = body.course.cache_info()
    drawn = spine._drawn
    for hours in np.arange(0.5, 48.01, 2.5):
        spine.set(hours=float(hours))
        assert f"{hours:g} h after the start" in spine.readout_text
    after = body.course.cache_info()
    assert after.misses == before.misses          # no new simulation for a time change
    assert spine._drawn is drawn                  # the series over time were not resent
    assert list(spine.figure.data[5].x) == [48.0, 48.0]


def test_a_bolus_peaks_higher_and_spreads_further_than_a_slow_infusion(spine):
    spine.set(hours=4.0)
    bolus_peak, bolus_reach = spine.result.top, body.reach(spine.result.profile)[2]
    spine.set(delivery="infusion")
    infusion_peak, infusion_reach = spine.result.top, body.reach(spine.result.profile)[2]
    assert bolus_peak > 3 * infusion_peak
    assert bolus_reach > infusion_reach
    assert "slow infusion (the dose every 24 h)" in spine.readout_text


def test_tip_level_moves_the_peak_and_what_reaches_the_brainstem(spine):
    peaks = {}
    for tip in ("L2", "T4"):
        spine.set(tip=tip, hours=0.5)
        assert csf.LEVELS[int(np.argmax(spine.result.profile))] == tip
        peaks[tip] = spine.result.tl.csf["brainstem"].max()
    assert peaks["T4"] > 10 * peaks["L2"]


def test_drug_change_loads_a_dose_and_every_csf_drug_runs(spine):
    assert set(body.csf_drugs()) >= {"morphine", "hydromorphone", "fentanyl", "sufentanil",
                                     "baclofen", "ziconotide"}
    for name in body.csf_drugs():
        spine.set(drug=name)
        assert spine.values()["dose"] == body.default_dose(name)
        assert spine.error is None, (name, spine.readout_text)
    spine.set(drug="baclofen")
    assert spine.values()["dose"] == "50 mcg"
    spine.reset()
    assert spine.values() == spine.defaults


def test_linear_axis_hides_what_the_log_axis_shows(spine):
    assert spine.figure.layout.xaxis.type == "log"
    assert spine.figure.layout.xaxis.ticktext[-1] in ("1", "10", "100")
    spine.set(scale="linear")
    assert spine.figure.layout.xaxis.type == "linear"
    assert spine.figure.layout.xaxis.range[0] == 0
    assert spine.figure.layout.xaxis.tickvals is None


def test_spread_comparison_morphine_reaches_the_brainstem_fentanyl_clears():
    c = body.SpreadComparison()
    m, f = c.result.runs
    share = [tl.csf["brainstem"].max() / tl.csf["tip"].max() for tl in (m, f)]
    assert share[0] > 100 * share[1]
    c.set(hours=8.0)
    text = c.readout_text
    assert text.startswith("morphine (hydrophilic) CSF half-life 196 min [M6]")
    assert "fentanyl (lipophilic) CSF half-life 29 min" in text
    assert "1 % of its tip peak or more: nowhere: it has cleared" in text
    assert [t.name for t in c.figure.data if t.showlegend is not False] == [
        "morphine (hydrophilic)", "fentanyl (lipophilic)", "time shown"]
    c.set(other="sufentanil")
    assert "sufentanil (lipophilic)" in c.readout_text
    c.reset()
    assert c.values()["other"] == "fentanyl" and c.error is None


def test_respiratory_clock_peaks_in_the_sourced_window_and_shows_the_rules():
    r = body.RespiratoryClock()
    lo, hi = body.ONSET_WINDOW_HOURS
    assert lo <= r.result.peak_hours <= hi
    text = r.readout_text
    assert f"Inside the usual {lo}–{hi} h onset window [M13]" in text
    assert "observe at least 24 h [M2]" in text
    band, line = r.figure.layout.shapes
    assert (band.x0, band.x1) == (lo, hi) and line.x0 == line.x1 == body.OBSERVE_HOURS
    peak = r.figure.data[1]
    assert peak.x[0] == pytest.approx(r.result.peak_hours)
    # a larger dose, a larger index at the same time
    small = r.result.index.max()
    r.set(dose="0.5 mg")
    assert r.result.index.max() > 1.5 * small
    # an opioid-tolerant patient: much less effect on breathing
    r.set(dose="0.25 mg", patient="cancer-pain")
    assert r.result.index.max() < 0.5 * small
    r.set(drug="sufentanil")
    assert r.values()["dose"] == body.default_dose("sufentanil") == "10 mcg"
    assert r.result.peak_hours < lo and "continuously for 20 min" in r.readout_text
    r.reset()
    assert r.values() == r.defaults and r.values()["dose"] == body.TRIAL_DOSE


@pytest.mark.parametrize("change, message", [
    ({"drug": "sufentanil"}, "Drug: 'sufentanil' is not possible. No sourced maintenance dose"),
    ({"dose": "0.25 mg/day"}, "Single dose: '0.25 mg/day' is not possible"),
    ({"dose": "lots"}, "Single dose: 'lots' is not possible"),
])
def test_respiratory_clock_impossible_input_is_a_plain_message(change, message):
    r = body.RespiratoryClock()
    r.set(**change)
    assert r.readout_text.startswith("Cannot calculate. " + message), r.readout_text
    r.reset()
    assert r.error is None and r.readout_text.startswith("Breathing risk peaks")


def test_model_call_behind_each_update_is_well_under_50_ms(spine):
    spine.set(hours=1.0)                      # warm the run and the caches
    model, whole = [], []
    for hours in np.arange(0.5, 48.01, 1.5):
        values = {**spine.values(), "hours": float(hours)}
        t0 = time.perf_counter()
        spine.compute(**values)
        t1 = time.perf_counter()
        spine.set(hours=float(hours))
        whole.append(time.perf_counter() - t1)
        model.append(t1 - t0)
    body.course.cache_clear()
    body.highest.cache_clear()
    t0 = time.perf_counter()
    spine.set(tip="T6")                       # a new simulation, uncached
    cold = time.perf_counter() - t0
    assert np.median(model) < 0.02 and np.median(whole) < 0.05 and cold < 0.1, (
        np.median(model), np.median(whole), cold)


def test_decade_ticks_are_plain_numbers():
    assert body.decade_ticks(-3.2, 1.3)["ticktext"] == ["0.001", "0.01", "0.1", "1", "10"]
    assert body.decade_ticks(-4, 2, " %", every=2)["ticktext"] == ["0.0001 %", "0.01 %",
                                                                   "1 %", "100 %"]


def test_exercise_01_solutions_pass_every_check_and_blanks_get_not_yet():
    bank = sorted(q for q in QUESTIONS if q.startswith("ex1."))
    blank = _check_outputs(ROOT / "exercises" / "01_intrathecal_space.ipynb")
    solved = _check_outputs(ROOT / "exercises" / "solutions" / "01_intrathecal_space.ipynb")
    assert sorted(blank) == sorted(solved) == bank and len(bank) >= 3
    assert all(text.startswith("[NOT YET]") for text in blank.values()), blank
    assert all(text.startswith("[RIGHT]") for text in solved.values()), solved


def test_lesson_01_asks_its_questions_and_uses_its_panels():
    text = (ROOT / "lessons" / "01_intrathecal_space.ipynb").read_text()
    lesson_qs = sorted(q for q in QUESTIONS if q.startswith("q1."))
    assert len(lesson_qs) >= 3
    for q in lesson_qs:
        assert f'ui.Question(\\"{q}\\")' in text
    for panel in ("SpineView()", "SpreadComparison()", "RespiratoryClock()"):
        assert panel in text


def test_figure_updates_never_clear_what_they_did_not_change(monkeypatch):
    """plotly fills a batch's gaps with a sentinel the browser reads as null (a legend entry
    became "trace 6"): every update message must carry real values only."""
    from plotly.basedatatypes import Undefined
    from plotly.basewidget import BaseFigureWidget
    sent = []
    original = BaseFigureWidget._send_update_msg

    def spy(self, restyle_data, relayout_data, trace_indexes=None, source_view_id=None):
        sent.append(restyle_data)
        return original(self, restyle_data, relayout_data, trace_indexes, source_view_id)

    monkeypatch.setattr(BaseFigureWidget, "_send_update_msg", spy)
    c = body.SpreadComparison()
    c.set(hours=6.0)
    c.set(other="sufentanil")
    s = body.SpineView()
    for change in ({"hours": 5.0}, {"scale": "linear"}, {"tip": "T4"}, {"drug": "baclofen"},
                   {"delivery": "infusion"}):
        s.set(**change)
    r = body.RespiratoryClock()
    r.set(dose="0.5 mg")
    assert sent
    for data in sent:
        for key, values in data.items():
            assert all(v is not Undefined for v in values), (key, data)
    assert c.figure.data[6].name == "time shown"
