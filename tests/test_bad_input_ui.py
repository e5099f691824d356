"""The panel part of the bad-input corpus: every panel and widget of itsim.ui, used as a
learner would (typed text, extreme sliders and dropdowns, far dates), never raises; the
readout says in plain words why there is no result (no traceback, no inf or nan, no e+, no
python notation, no absurd number of digits), and the figure is marked as having no result
instead of keeping the last one as if it were still valid. Then Reset brings the result back.

A case expects either ``"refused"`` (a plain InputError message) or ``"result"`` (a valid,
readable result); an unexpected exception ("Something went wrong") fails either.
"""
import datetime as dt
import inspect
import logging
import re
import time
from pathlib import Path

import pytest

from itsim import simulate, troubleshoot, ui as itsim_ui
from itsim.errors import InputError
from itsim.refill_station import STEPS, load_cases
from itsim.ui import (body, certainty, complications, device, dosing, library, panel, patient,
                      procedures, quiz, refill, timeline)
from itsim.ui.panel import NO_RESULT_TITLE, Panel, Shown
from itsim.ui.style import plain_message, unreadable

ROOT = Path(__file__).resolve().parents[1]
LONG = "a" * 20000
SUM = "250 mcg/mL + 0.25 mg/mL"
NOISE = re.compile(r"Traceback|Something went wrong|object at 0x|datetime\.|\bNone\b|\[\[|"
                   r"\{'|e\+|\\n")

PANELS = {
    "SpineView": body.SpineView, "SpreadComparison": body.SpreadComparison,
    "RespiratoryClock": body.RespiratoryClock, "ReservoirTimeline": device.ReservoirTimeline,
    "TransitDelay": device.TransitDelay, "ConstantFlowPhysics": device.ConstantFlowPhysics,
    "Programmer": device.Programmer, "DoseCalculator": dosing.DoseCalculator,
    "RouteConversion": dosing.RouteConversion, "TitrationPlanner": dosing.TitrationPlanner,
    "ScreeningTrial": procedures.ScreeningTrial, "PainTrial": procedures.PainTrial,
    "TrialCohort": procedures.TrialCohort, "SurgicalPlan": procedures.SurgicalPlan,
    "PrimingPanel": procedures.PrimingPanel, "PostOpTimeline": procedures.PostOpTimeline,
    "RefillCalculator": refill.RefillCalculator,
    "DiscrepancyPractice": refill.DiscrepancyPractice,
    "ComplicationExplorer": complications.ComplicationExplorer,
    "MassRisk": complications.MassRisk, "MRIByPumpKind": complications.MRIByPumpKind,
    "RefillCalendar": patient.RefillCalendar, "DrugBrowser": library.DrugBrowser,
    "HowSure": certainty.HowSure,
}
_built = {}


def built(name):
    """One panel of each kind for the module (a FigureWidget takes a while to build)."""
    if name not in _built:
        _built[name] = PANELS[name]()
    return _built[name]


def without_echoes(text: str, typed) -> str:
    """``text`` without what the learner typed (theirs to read again) and without anything in
    quotes: a message repeats the input in quotes, shortened when long."""
    for t in sorted(typed, key=len, reverse=True):
        flat = " ".join(t.split())
        if flat:
            text = text.replace(flat, "")
    return re.sub(r"'[^']*'", "''", text)


def assert_plain(widget, typed=()):
    """No exception escaped and the readout is plain words."""
    text = widget.readout_text
    assert widget.failure is None, text
    assert text and len(text) < 3000, len(text)
    assert not NOISE.search(text), text
    for quoted in re.findall(r"'([^']*)'", text):          # a quoted number: what was typed
        if unreadable(quoted):
            assert any(quoted.rstrip("…") in " ".join(t.split()) for t in typed), quoted
    bare = without_echoes(text, typed)
    assert unreadable(bare) is None, bare
    return text


def assert_refused(p: Panel, typed=(), contains=""):
    text = assert_plain(p, typed)
    assert p.error is not None and p.result is None
    assert text.startswith("Cannot calculate. "), text
    assert contains in text, text
    if p.figure is not None:                  # no stale result shown as if it were valid
        assert p.figure_marked
        assert all(t.visible is False for t in p.figure.data)
        assert p.figure.layout.title.text == NO_RESULT_TITLE


def assert_result(p: Panel, typed=(), contains=""):
    text = assert_plain(p, typed)
    assert p.error is None and p.result is not None, text
    assert contains in text, text
    if p.figure is not None:
        assert not p.figure_marked
        assert any(t.visible is not False for t in p.figure.data)
        assert p.figure.layout.title.text != NO_RESULT_TITLE


CASES = [
    ("HowSure", {"assumption": "body:csf.spread_levels", "setting": 1}, "result", ""),
    ("HowSure", {"assumption": "body:csf.cervical_mixing_flow", "setting": "39.0 mL/min"},
     "result", ""),
    ("HowSure", {"setting": "0.02 mL/min"}, "result", ""),
    # --- lesson 01: the body ---------------------------------------------------------------
    ("SpineView", {"dose": ""}, "refused", "Dose (amount): nothing is filled in yet."),
    ("SpineView", {"dose": "abc"}, "refused", "Dose (amount): 'abc' is not possible."),
    ("SpineView", {"dose": LONG}, "refused", "(20000 characters) is not possible"),
    ("SpineView", {"dose": "1e300 mcg"}, "refused", "too large or too small to be real"),
    ("SpineView", {"dose": "-5"}, "refused", "Dose (amount): '-5' is not possible."),
    ("SpineView", {"tip": "S1", "hours": 48.0, "scale": "linear", "delivery": "infusion"},
     "result", "48 h after the start"),
    ("SpreadComparison", {"other": "sufentanil", "tip": "C1", "hours": 24.0}, "result",
     "At 24 h"),
    ("SpreadComparison", {"tip": "S1", "hours": 0.5}, "result", "At 0.5 h"),
    ("RespiratoryClock", {"dose": "10**10**10 mcg/mL"}, "refused", "Single dose:"),
    ("RespiratoryClock", {"dose": SUM}, "refused", "Single dose:"),
    ("RespiratoryClock", {"dose": "1e-300 mcg"}, "refused", ""),
    ("RespiratoryClock", {"drug": "hydromorphone", "patient": "cancer-pain"}, "result",
     "Breathing risk peaks"),
    # --- lessons 02 and 06: the device ---------------------------------------------------------
    ("ReservoirTimeline", {"daily_dose": "1e400 mL"}, "refused", "Baclofen daily dose:"),
    ("ReservoirTimeline", {"pump": "constant-flow-30", "daily_dose": "1e-300 mcg/day"},
     "refused", ""),
    ("ReservoirTimeline", {"pump": "valve-gated-20", "refill_day": 89}, "result",
     "Reservoir empty"),
    ("ReservoirTimeline", {"concentration": "5 mcg"}, "refused", "Concentration:"),
    ("TransitDelay", {"rate": 10 ** -1.318, "length": 110}, "result", "Drug reaches the tip"),
    ("TransitDelay", {"rate": 10 ** 0.7, "length": 20}, "result", "Drug reaches the tip"),
    ("ConstantFlowPhysics", {"temperature": 41.0, "altitude": 3000}, "result", "% of the"),
    ("ConstantFlowPhysics", {"temperature": 36.0, "altitude": 0}, "result", "% of the"),
    ("Programmer", {"dose": "1e300 mcg/day"}, "refused", "Daily dose (basal):"),
    ("Programmer", {"mode": "flex", "steps": LONG}, "refused", "Flex steps:"),
    ("Programmer", {"mode": "flex", "steps": "00:00 1e-300 mcg/day"}, "refused",
     "Flex steps: '00:00 1e-300 mcg/day' is not possible"),
    ("Programmer", {"mode": "periodic-bolus", "bolus": "50 mcg every 6 h"}, "refused",
     "Periodic bolus:"),
    ("Programmer", {"programmed": ""}, "refused",
     "Concentration entered: nothing is filled in yet."),
    # --- lesson 03: dosing ----------------------------------------------------------------------
    ("DoseCalculator", {"pump": "constant-flow-30"}, "result",
     "A constant-flow pump cannot be programmed with a dose."),
    ("DoseCalculator", {"pump": "constant-flow-30", "daily_dose": "1e300 mg/day"}, "refused",
     ""),
    ("DoseCalculator", {"daily_dose": "1e-300 mcg/day"}, "refused", ""),
    ("DoseCalculator", {"concentration": "1e-300 mcg/mL"}, "refused", ""),
    ("DoseCalculator", {"daily_dose": SUM}, "refused", "Daily dose:"),
    ("DoseCalculator", {"fill": "0 mL"}, "refused", "Volume filled:"),
    ("DoseCalculator", {"previous_dose": "10**10**10 mcg/mL"}, "refused", "Previous dose:"),
    ("DoseCalculator", {"drug": "ziconotide", "new_start": True}, "result", "Pump rate"),
    ("RouteConversion", {"dose": "1e308 mg/day"}, "refused", "Morphine dose:"),
    ("RouteConversion", {"dose": "0.000001 mg/day", "from_route": "intrathecal",
                         "to_route": "oral"}, "result", "Rule-of-thumb equivalent"),
    ("TitrationPlanner", {"start": 2.4, "target": 0.5}, "refused",
     "Must be at least the start dose"),
    ("TitrationPlanner", {"profile": "consensus", "start": 0.1, "target": 19.2}, "result",
     "Target reached"),
    # --- lessons 04 and 05: the trial and the implant -----------------------------------------
    ("ScreeningTrial", {"patient": "cerebral-spasticity", "sensitivity": 0.2, "observe": 1.0,
                        "start": "25 mcg", "noise": True, "seed": 30}, "result", "Decision"),
    ("ScreeningTrial", {"sensitivity": 3.0, "observe": 12.0}, "result", "Decision"),
    ("PainTrial", {"dose": "1e-320 mcg/day"}, "refused", "Test dose:"),
    ("PainTrial", {"dose": LONG}, "refused", "Test dose:"),
    ("PainTrial", {"drug": "ziconotide", "observe": 1.0, "seed": 30}, "result", "Decision"),
    ("TrialCohort", {"protocol": "morphine 1 mg, opioid-naive", "observe": 1.0,
                     "sustained": 3}, "result", "patients get a different decision"),
    ("SurgicalPlan", {"concentration": "abc"}, "refused", "Concentration: 'abc'"),
    ("SurgicalPlan", {"dose": "1e300 mg/day"}, "refused", ""),
    ("SurgicalPlan", {"target": "pain", "pain_level": "C1", "tip": "T12", "length": 20,
                      "pocket_depth": 4.0, "placement": "subcutaneous"}, "result",
     "Catheter: 20 cm implanted"),
    ("PrimingPanel", {"action": "doubled", "length": 30}, "result", "Priming volume"),
    ("PostOpTimeline", {"seed": 50}, "result", "had a complication"),
    # --- lesson 07: refills ---------------------------------------------------------------------
    ("RefillCalculator", {"dose": "1e-300 mcg/day"}, "refused", ""),
    ("RefillCalculator", {"dose": "1e300 mg/day"}, "refused", ""),
    ("RefillCalculator", {"start": dt.date(9999, 12, 31)}, "refused",
     "Refilled on: 31 December 9999 is not possible."),
    ("RefillCalculator", {"bolus": "abc"}, "refused", "Patient bolus dose: 'abc'"),
    ("RefillCalculator", {"start": None}, "result", "Book the refill: day"),
    ("RefillCalculator", {"pump": "valve-gated-20", "per_day": 12, "bolus": "1000 mcg"},
     "result", "patient boluses at their maximum"),
    ("DiscrepancyPractice", {"case": 40, "answer": refill.refill.ANSWERS[-1]}, "result",
     "Case 40."),
    # --- lesson 08: complications ---------------------------------------------------------------
    ("ComplicationExplorer", {"patient": "morphine, cancer pain",
                              "complication": "tenfold concentration typed at a refill",
                              "day": complications.DAYS - 4}, "result", "What the pump shows"),
    ("MassRisk", {"drug": "baclofen", "concentration": 50.0, "dose": 20.0, "years": 10},
     "result", "chance of a mass within 10 years"),
    ("MRIByPumpKind", {"kind": "constant-flow (gas-driven)", "recovery": 24}, "result",
     "named as not affected [S52]"),
    # --- lesson 09: the patients' page ----------------------------------------------------------
    ("RefillCalendar", {"rate": "1e-300 mL/day"}, "refused", "Pump rate:"),
    ("RefillCalendar", {"refilled": dt.date(9999, 12, 31)}, "refused",
     "Pump filled on: 31 December 9999 is not possible."),
    ("RefillCalendar", {"refilled": None}, "refused", "Pump filled on: nothing is filled in"),
    ("RefillCalendar", {"volume": "1e400 mL"}, "refused", "Amount put in:"),
    ("RefillCalendar", {"drug": "baclofen", "rate": "0.001 mL/day"}, "refused", "Pump rate:"),
    ("RefillCalendar", {"rate": LONG}, "refused", "Pump rate:"),
    ("DrugBrowser", {"drug": "ziconotide"}, "result", "Ziconotide"),
]


def _id(case):
    name, inputs, expect, _ = case
    shown = ",".join(f"{k}={(v[:12] + '…') if isinstance(v, str) and len(v) > 12 else v}"
                     for k, v in inputs.items())
    return f"{name}[{shown}]->{expect}"


@pytest.fixture
def sent(monkeypatch):
    """Every plotly update message, to check that none carries plotly's 'undefined': a batch
    that does (traces changing different properties) makes the browser clear what it did not
    change (a legend entry becomes "trace 6", a line loses its values)."""
    from plotly.basewidget import BaseFigureWidget
    messages = []
    original = BaseFigureWidget._send_update_msg

    def spy(self, restyle_data, relayout_data, trace_indexes=None, source_view_id=None):
        messages.append((restyle_data, relayout_data))
        return original(self, restyle_data, relayout_data, trace_indexes, source_view_id)

    monkeypatch.setattr(BaseFigureWidget, "_send_update_msg", spy)
    return messages


def assert_real_values(messages):
    from plotly.basedatatypes import Undefined
    for restyle, relayout in messages:
        for key, values in restyle.items():
            assert all(v is not Undefined for v in values), key
        assert all(v is not Undefined for v in relayout.values()), relayout


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_a_learners_input_never_raises_and_reads_plainly(case, sent):
    name, inputs, expect, contains = case
    p = built(name)
    p.reset()
    typed = [v for v in inputs.values() if isinstance(v, str)]
    started = time.perf_counter()
    with p.hold():                       # set the inputs as one change, then press send
        for k, v in inputs.items():
            p.inputs[k].value = v
    p.update()
    if isinstance(p, device.Programmer):
        p.send()
    assert time.perf_counter() - started < 20           # no input stalls the kernel
    if expect == "refused":
        assert_refused(p, typed, contains)
    else:
        assert_result(p, typed, contains)
    p.reset()                            # and Reset brings a real result back
    assert_result(p)
    assert_real_values(sent)


def test_every_panel_and_widget_of_itsim_ui_is_in_the_corpus():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)
    mine = {c for c in subclasses(Shown) if c.__module__.startswith("itsim.ui.")}
    panels = {c.__name__ for c in mine if issubclass(c, Panel) and not inspect.isabstract(c)}
    assert panels == set(PANELS), panels ^ set(PANELS)
    assert panels == {name for name, *_ in CASES}
    others = {c.__name__ for c in mine if c is not Panel} - panels
    assert others == {"RefillStation", "TroubleshootingGame", "AlarmGuide", "WarningSigns",
                      "Question", "EmergencyCard", "TravelGuide",
                      "EmergencyRoom"}             # each has its own test below


# --- widgets that are not panels ------------------------------------------------------------

REFILL_CASES = load_cases(ROOT / "scenarios" / "cases" / "refill_station.toml")


@pytest.mark.parametrize("options", [
    {("aspirate", "recorded"): "abc", ("inject", "volume"): "-5",
     ("program", "concentration"): "10**10**10 mcg/mL"},
    {("aspirate", "recorded"): "1e400", ("inject", "volume"): LONG,
     ("program", "volume"): "1e-320 mL", ("program", "concentration"): SUM},
    {("aspirate", "recorded"): "", ("inject", "volume"): "", ("program", "volume"): "",
     ("program", "concentration"): "", ("access", "site"): "side port"},
], ids=["typed-nonsense", "extremes", "all-blank"])
def test_refill_station_takes_any_typed_step_and_finishes_plainly(options):
    st = refill.RefillStation(REFILL_CASES)
    st.options["observe"]["minutes"].value = 0
    for (step, name), value in options.items():
        st.options[step][name].value = value
    typed = [v for v in options.values() if isinstance(v, str)]
    for step in STEPS:
        st.buttons[step].click()                        # as a learner: every button in turn
    st.finish_button.click()
    st.finish_button.click()                            # twice: nothing new
    assert st.failure is None
    log = st.log.value
    assert "Traceback" not in log and "object at 0x" not in log
    assert unreadable(without_echoes(panel.plain_text(log), typed)) is None
    if st.readout.value:
        assert_plain(st, typed)
    st.reset_button.click()
    assert st.session.done == [] and st.report is None and st.failure is None


def test_refill_station_finish_without_any_step_is_plain():
    st = refill.RefillStation(REFILL_CASES)
    st.finish_button.click()
    assert st.failure is None
    if st.report is None:
        assert_plain(st)
    else:
        assert "Score" in st.readout_text


def test_troubleshooting_game_any_order_any_answer():
    g = complications.TroubleshootingGame(
        troubleshoot.library(ROOT / "scenarios" / "troubleshooting"))
    for i in range(len(g.cases)):
        g.case_box.value = i
        g.submit.click()                                # nothing chosen yet
        assert_plain(g) and "Choose the cause and the action first" in g.readout_text
        for b in g.buttons + g.buttons:                 # every investigation, twice
            b.click()
        assert g.failure is None and "Traceback" not in g.story.value
        g.cause.value, g.action.value = g.cause.options[-1][1], g.action.options[1][1]
        g.submit.click()
        assert "Score" in assert_plain(g)
        g.submit.click()                                # again after scoring
        assert g.failure is None
        g.reset_button.click()
        assert g.game.done == [] and g.cause.value == ""


def test_alarm_guide_and_warning_signs_every_choice():
    a = patient.AlarmGuide()
    for _, value in a.choice.options:
        a.choice.value = value
        assert_plain(a)
    a.reset_button.click()
    assert assert_plain(a) == "Choose the sound you hear."
    s = patient.WarningSigns()
    for pick, answer in s.rows.values():
        for _, value in pick.options:
            pick.value = value
            assert s.failure is None and "Traceback" not in answer.value
    s.reset_button.click()
    assert assert_plain(s) == f"0 of {len(s.rows)} sorted correctly."


@pytest.mark.parametrize("typed", ["", "abc", "1e400 mL", "-5", "10**10**10 mcg/mL", SUM, LONG,
                                   "1e-320 mL/day", "0,6 mL/day", "0.6 mL/day"])
def test_question_box_takes_anything_typed(typed):
    q = quiz.Question("q3.1")
    q.answer.value = "placeholder"                      # so that "" is a change too
    q.answer.value = typed
    q.check_button.click()
    text = assert_plain(q, [typed])
    assert text.startswith(("… Not yet", "✘ Not right", "≈ Close", "✔ Right")), text
    if typed == "0.6 mL/day":
        assert text.startswith("✔ Right")
    elif typed:
        assert not text.startswith("✔ Right")
    q.show_button.click()
    q.reset_button.click()
    assert q.failure is None and q.answer.value == ""


def test_choice_question_checked_with_nothing_chosen():
    q = quiz.Question("q3.4")
    q.check_button.click()
    assert assert_plain(q).startswith("… Not yet")


def test_timeline_figure_of_a_run_without_a_patient_is_an_input_error():
    tl = simulate(drug="baclofen", concentration="500 mcg/mL", fill="20 mL",
                  program={"mode": "continuous", "dose": "300 mcg/day"}, days=1, step="1 h")
    with pytest.raises(InputError) as e:
        timeline.timeline_figure(tl)
    text = plain_message(e.value)
    assert not NOISE.search(text) and "simulate with patient=" in text


# --- the guard itself -----------------------------------------------------------------------

class Faulty(Panel):
    """A panel whose model call has a bug (not an InputError) for some inputs."""

    def __init__(self):
        super().__init__()
        import ipywidgets as w
        import plotly.graph_objects as go
        self.inputs = {"x": w.Text(value="1 mL", description="Volume")}
        self.reactions["x"] = self._react
        self.react_fails = False
        self.figure = go.FigureWidget(data=[go.Scatter(x=[0, 1], y=[0, 1], name="line")],
                                      layout=go.Layout(title_text="a result"))
        self._finish()

    def _react(self, change):
        if self.react_fails:
            raise KeyError("a bug in a reaction")

    def compute(self, x):
        if x == "bug":
            return 1 / 0
        from itsim.units import parse
        return parse(x, "volume", "x")

    def render(self, value):
        if value > 1e6:
            self.readout.value = f"{value * 1e300 * 1e300} mL"      # inf
        else:
            self.readout.value = f"{value:g} mL"
        self.figure.layout.title.text = "a result"


def test_an_unexpected_exception_is_shown_logged_and_kept_never_raised(caplog):
    p = Faulty()
    assert p.readout_text == "1 mL" and p.failure is None
    with caplog.at_level(logging.ERROR, logger="itsim.ui"):
        p.inputs["x"].value = "bug"                     # as a learner: the observer fires
    assert isinstance(p.failure, ZeroDivisionError)
    assert p.readout_text.startswith("Something went wrong: ZeroDivisionError: division by zero")
    assert p.error is not None and p.figure_marked
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)
    p.inputs["x"].value = "2 mL"                        # a good input clears it
    assert p.failure is None and p.readout_text == "2 mL" and not p.figure_marked
    assert p.figure.data[0].visible is not False and p.figure.layout.title.text == "a result"
    p.inputs["x"].value = "1e7 mL"                      # a result that is inf when written
    assert p.readout_text.startswith("Cannot calculate. The result is too large or too small")
    assert p.failure is None and p.figure_marked
    p.react_fails = True                                # a fault in a reaction: no update
    p.inputs["x"].value = "3 mL"
    assert isinstance(p.failure, KeyError) and "Something went wrong" in p.readout_text
    p.react_fails = False
    p.reset_button.click()
    assert p.readout_text == "1 mL" and p.failure is None


def test_a_fault_in_a_widget_button_is_shown_not_raised(monkeypatch):
    g = complications.TroubleshootingGame(
        troubleshoot.library(ROOT / "scenarios" / "troubleshooting"))

    def broken(*_):
        raise RuntimeError("a bug in the game")
    monkeypatch.setattr(g.game, "investigate", broken)
    g.buttons[0].click()
    assert isinstance(g.failure, RuntimeError)
    assert g.readout_text.startswith("Something went wrong: RuntimeError: a bug in the game")
    assert g.investigate("x-ray") is None               # a direct call is guarded too
    monkeypatch.undo()
    g.buttons[0].click()                                # and the next good click clears it
    assert g.failure is None and "Something went wrong" not in g.story.value


def test_every_callback_in_itsim_ui_goes_through_the_guard():
    for path in sorted((ROOT / "itsim" / "ui").glob("*.py")):
        if path.name == "panel.py":
            continue
        text = path.read_text()
        assert ".observe(" not in text and ".on_click(" not in text, path.name


def test_marking_the_figure_sends_real_values_only(sent):
    c = itsim_ui.DoseCalculator()
    stab = c.figure.data[2].visible
    c.set(daily_dose="abc")
    assert c.figure_marked
    c.set(daily_dose="300 mcg/day")
    assert sent and not c.figure_marked and c.figure.data[2].visible == stab
    assert_real_values(sent)


def test_emergency_room_any_order_of_actions_in_every_case():
    from itsim.ui.emergency import EmergencyRoom
    room = EmergencyRoom()
    for i in range(len(room.cases)):
        room.case_box.value = i
        room.finish_button.click()                      # scored before anything was done
        assert room.failure is None
        for b in list(room.buttons.values())[::-1] + room.wait_buttons:   # every action
            b.click()
            assert room.failure is None
        room.finish_button.click()
        room.finish_button.click()                      # twice: nothing new
        assert room.failure is None and "Traceback" not in room.readout_text
        assert unreadable(room.readout_text) is None
        room.reset_button.click()
        assert room.failure is None


def test_travel_guide_and_emergency_card_for_every_pump_kind():
    guide = patient.TravelGuide()
    for _, kind in guide.kind.options:
        guide.kind.value = kind
        assert guide.failure is None
        text = guide.readout_text
        assert "Flying" in text and "Diving" in text and unreadable(text) is None
    card = patient.EmergencyCard()
    assert "EMERGENCY" in card.readout_text and "pump card" in card.readout_text
