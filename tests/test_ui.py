"""Panels: impossible input shows a plain message, never an exception; Reset restores."""
import pytest

from itsim import ui


@pytest.fixture(scope="module")
def shared_calculator():
    return ui.DoseCalculator(drug="baclofen")    # a FigureWidget takes about a second to build


@pytest.fixture
def calculator(shared_calculator):
    shared_calculator.reset()
    return shared_calculator


def test_calculator_reads_out_the_prescription(calculator):
    calculator.reset()
    text = calculator.readout_text
    assert "Pump rate: 0.4 mL/day" in text and "Low-reservoir alarm in 45 days" in text
    line = calculator.figure.data[0]
    assert line.y[0] == pytest.approx(20) and min(line.y) == pytest.approx(0)


@pytest.mark.parametrize("field, value, message", [
    ("daily_dose", "300 mg", "Daily dose: '300 mg' is not possible. That is an amount of drug, not a dose per time"),
    ("daily_dose", "300", "Daily dose: '300' is not possible"),
    ("concentration", "-5 mcg/mL", "Concentration: '-5 mcg/mL' is not possible. Must be more"),
    ("fill", "40 mL", "Volume filled: '40 mL' is not possible. The 20 mL pump holds at most"),
    ("low_reservoir_alarm", "25 mL", "Low-reservoir alarm: '25 mL' is not possible"),
    ("previous_dose", "abc", "Previous dose: 'abc' is not possible"),
])
def test_impossible_input_shows_a_plain_message(calculator, field, value, message):
    calculator.reset()
    calculator.set(**{field: value})           # must not raise
    assert calculator.readout_text.startswith("Cannot calculate. " + message)
    assert calculator.error is not None
    calculator.reset()
    assert calculator.error is None and "Pump rate: 0.4 mL/day" in calculator.readout_text


def test_a_1000_fold_error_is_flagged_not_hidden(calculator):
    calculator.set(daily_dose="200 mg/day")
    assert ("Stop and check: 200 mg/day is above 2400 mcg/day (itsim's teaching rule: the top "
            "of the continuous doses at which overdoses were reported [B18]), and 200 times "
            "1000 mcg/day, the highest dose the sources quote.") in calculator.readout_text
    calculator.reset()


def test_changing_drug_loads_its_starting_values(calculator):
    calculator.set(drug="ziconotide")
    assert calculator.values()["concentration"] == "25 mcg/mL"
    assert calculator.values()["daily_dose"] == "2.4 mcg/day"
    assert "Refill within 84 days" in calculator.readout_text
    for name in ("morphine", "hydromorphone", "fentanyl", "sufentanil", "bupivacaine",
                 "clonidine"):
        calculator.set(drug=name)
        assert calculator.error is None, (name, calculator.readout_text)
    calculator.reset()
    assert calculator.values()["drug"] == "baclofen"


def test_constant_flow_pump_dose_is_concentration_times_its_fixed_flow(calculator):
    calculator.set(pump="constant-flow-30", concentration="500 mcg/mL", daily_dose="300 mcg/day")
    text = calculator.readout_text
    assert calculator.failure is None and calculator.error is None
    assert text.startswith("A constant-flow pump cannot be programmed with a dose.")
    assert "Daily dose: 500 mcg/mL × 0.5 mL/day = 250 mcg/day" in text     # flow: the preset
    assert "For 300 mcg/day: fill it with 600 mcg/mL" in text
    assert "Reservoir empty in 40 days" in text and "No alarm" in text
    line, alarm, _, mark, planned = calculator.figure.data
    assert line.y[0] == pytest.approx(20) and min(line.y) == pytest.approx(0)
    assert alarm.visible is False and mark.visible is False               # no alarm to draw
    # never planned to run dry: a week before the 3 mL reserve (day 34), not the empty day 40
    assert "Reserve of 3 mL reached in 34 days" in text and "Refill within 27 days" in text
    assert list(planned.x) == [pytest.approx(27)] and planned.y[0] == pytest.approx(6.5)
    assert calculator.inputs["low_reservoir_alarm"].layout.display == "none"
    calculator.set(daily_dose="300000 mcg/day")           # the concentration it needs is flagged
    assert "Stop and check: 600 mg/mL is above the maximum concentration" in calculator.readout_text
    calculator.set(pump="programmable-20")
    assert calculator.inputs["low_reservoir_alarm"].layout.display is None
    assert calculator.figure.data[1].visible is not False
    calculator.reset()


def test_valve_gated_pump_gets_a_prescription(calculator):
    calculator.set(pump="valve-gated-20")
    assert calculator.failure is None, calculator.readout_text
    assert "Pump rate: 0.4 mL/day" in calculator.readout_text
    calculator.reset()


def test_route_conversion_and_titration_panels():
    r = ui.RouteConversion()
    assert "Rule-of-thumb equivalent: 1 mg/day" in r.readout_text
    assert "real patients would give 2.4 mg/day to 30 mg/day" in r.readout_text
    r.set(dose="300 mcg")
    assert r.readout_text.startswith("Cannot calculate. Morphine dose:")
    t = ui.TitrationPlanner()
    assert "Target reached on day 21" in t.readout_text
    t.set(target=1.0)
    assert "Target (mcg/day): '1 mcg/day' is not possible. Must be at least the start dose" \
        in t.readout_text
    t.reset()
    assert list(t.figure.data[0].y)[-1] == pytest.approx(19.2)


def test_drug_browser_shows_sources_and_assumptions():
    b = ui.DrugBrowser("hydromorphone")
    assert "teaching assumption" in b.readout_text and "[S66]" in b.readout_text
    b.set(drug="ziconotide")
    assert "19.2 mcg/day" in b.readout_text and "Z2" in b.readout_text


def test_question_widget_gives_feedback_and_the_answer():
    q = ui.Question("q3.1")
    assert q.check("0.6 mL/day").status == "right"
    q.answer.value = "600 mL/day"
    assert "1 mg = 1000 mcg" in q.feedback.value
    q.show_answer()
    assert "0.6 mL/day" in q.feedback.value
    q.reset()
    assert q.feedback.value == "" and q.answer.value == ""
    choice = ui.Question("q3.4")
    assert choice.check("c").status == "right"


def test_concentration_comparison_text_matches_figure():
    fig, text = ui.concentration_comparison("baclofen", "300 mcg/day")
    assert list(fig.data[0].y) == pytest.approx([3, 30, 60, 120])
    assert "2000 mcg/mL: rate 0.15 mL/day, alarm in 120 days" in text


def test_reservoir_timeline_panel():
    r = ui.ReservoirTimeline()
    assert "day 58.0: low-reservoir (single tone)" in r.readout_text
    r.set(pump="constant-flow-30")
    assert "No alarms" in r.readout_text and "no battery" in r.readout_text
    r.set(daily_dose="300 mcg")
    assert r.readout_text.startswith("Cannot calculate. Baclofen daily dose: '300 mcg'")
    r.reset()
    assert r.error is None and r.values()["pump"] == "programmable-20"


def test_transit_delay_panel_agrees_with_volume_over_rate():
    t = ui.TransitDelay()
    t.set(rate=0.5, length=110)
    assert "Drug reaches the tip after 23.3 h (0.486 mL ÷ 0.5 mL/day)" in t.readout_text
    assert "The simulation found: day 0.97" in t.readout_text


def test_constant_flow_panel():
    c = ui.ConstantFlowPhysics()
    assert "100 % of the labelled 0.5 mL/day" in c.readout_text
    c.set(temperature=39.0)
    assert "121 %" in c.readout_text
    c.set(temperature=37.0, altitude=2400)
    assert "113 %" in c.readout_text


def test_programmer_flags_an_entry_error_before_sending():
    p = ui.Programmer()
    assert "Press Review" in p.readout_text
    p.set(programmed="50 mcg/mL")
    assert "will deliver 10 times the dose" in p.confirm.value
    assert p.figure.data[0].x == () or len(p.figure.data[0].x) == 0   # nothing sent yet
    p.send()
    assert "Reaching the CSF on day 1: 3000 mcg/day (ordered 300 mcg/day)" in p.readout_text
    p.set(mode="flex")
    assert p.inputs["steps"].layout.display is None and p.inputs["dose"].layout.display == "none"
    p.set(steps="08:00 300 mcg/day")
    assert "Flex steps: '08:00 300 mcg/day' is not possible. Steps must start at 00:00" \
        in p.readout_text
    p.reset()
    assert p.error is None and p.inputs["steps"].layout.display == "none"
