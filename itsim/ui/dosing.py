"""Dosing panels: the dose calculator, morphine route conversion and a titration planner."""
from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as w
import numpy as np
import plotly.graph_objects as go

from .. import dosing, drugs, refill
from ..device import pump_presets
from ..errors import InputError
from ..units import fmt, parse, quantity
from .figure import FigureWidget
from .panel import Panel, field, redraw
from .style import (BLUE, FIGURE_LAYOUT, GREEN, GREY, ORANGE, SKY, VERMILLION, box, cited, esc,
                    findings_html)

CONVENIENCE_RATE = "0.5 mL/day"   # only to suggest a concentration for drugs with no product


def starting_inputs(drug_name: str) -> dict:
    """First values for the calculator: the concentration pumps start with (else the first
    product, else one that gives the starting dose at 0.5 mL/day) and the top of the
    starting dose."""
    d = drugs.get(drug_name)
    dose = d.starting_dose.high if d.starting_dose else d.usual_daily_dose.low
    if d.pump_start_concentration:
        conc = d.pump_start_concentration.value
    elif d.available_concentrations:
        conc = d.available_concentrations.value[0]
    else:
        conc = float(dosing.concentration_for(fmt(dose, "dose_rate", sig=6),
                                              CONVENIENCE_RATE).magnitude)
    return {"concentration": fmt(conc, "concentration", d.concentration_unit, sig=4),
            "daily_dose": fmt(dose, "dose_rate", d.dose_unit, sig=4)}


@dataclass(frozen=True)
class FixedFlowDose:
    """A constant-flow pump cannot be programmed with a dose: its flow is fixed when it is
    made, so the concentration sets the dose (dose = concentration x flow). Floats in mcg/mL,
    mcg/day, mL/day; ``plan`` is the refill plan at that flow."""

    drug: object
    concentration: float
    flow: float
    flow_note: str               # where the fixed flow comes from
    gives: float                 # the daily dose this concentration gives
    asked: float                 # the daily dose typed in
    needed: float                # the concentration that would give it
    plan: object                 # refill.RefillPlan
    findings: tuple


class DoseCalculator(Panel):
    """Drug, concentration and daily dose -> pump rate, days to the low-reservoir alarm,
    refill timing and the dosing checks, with the reservoir drawn over time."""

    title = "Dose calculator"

    def __init__(self, drug: str = "baclofen", pump: str = "programmable-20"):
        super().__init__()
        start = starting_inputs(drug)
        self.inputs = {
            "drug": w.Dropdown(options=[(d.display_name, d.name) for d in
                                        drugs.library().values()], value=drug,
                               description="Drug", **_dropdown_style()),
            "concentration": w.Text(value=start["concentration"], description="Concentration",
                                    placeholder="e.g. 500 mcg/mL", **field("340px", "150px")),
            "daily_dose": w.Text(value=start["daily_dose"], description="Daily dose",
                                 placeholder="e.g. 300 mcg/day", **field("340px", "150px")),
            "pump": w.Dropdown(options=[(p.label, p.name) for p in pump_presets().values()],
                               value=pump, description="Pump", **_dropdown_style()),
            "fill": w.Text(value="20 mL", description="Volume filled", **field("340px", "150px")),
            "low_reservoir_alarm": w.Text(value="2 mL", description="Low-reservoir alarm",
                                          **field("340px", "150px")),
            "previous_dose": w.Text(value="", description="Previous dose",
                                    placeholder="optional, e.g. 150 mcg/day", **field("340px", "150px")),
            "new_start": w.Checkbox(value=False, description="New patient (first pump dose)",
                                    indent=False),
        }
        self.reactions["drug"] = self._drug_changed
        self.reactions["pump"] = lambda _: self._show_pump_fields()
        self._show_pump_fields()
        self.figure = FigureWidget(
            data=[go.Scatter(name="reservoir volume", line=dict(color=BLUE, width=3),
                             hovertemplate="day %{x:.0f}: %{y:.1f} mL<extra></extra>"),
                  go.Scatter(name="low-reservoir alarm", mode="lines",
                             line=dict(color=ORANGE, dash="dash", width=2)),
                  go.Scatter(name="drug stability limit", mode="lines",
                             line=dict(color=VERMILLION, dash="dot", width=2)),
                  go.Scatter(name="alarm sounds", mode="markers+text", textposition="top right",
                             marker=dict(color=ORANGE, size=11, symbol="diamond")),
                  go.Scatter(name="refill planned", mode="markers+text",
                             textposition="bottom left",
                             marker=dict(color=GREEN, size=14, symbol="star",
                                         line=dict(color="black", width=1)))],
            layout=go.Layout(**FIGURE_LAYOUT, width=520,
                             xaxis=dict(title="days after the refill", rangemode="tozero"),
                             yaxis=dict(title="drug left in the pump (mL)", rangemode="tozero")))
        self._finish()

    def _drug_changed(self, change):
        start = starting_inputs(change["new"])
        with self.hold():
            self.inputs["concentration"].value = start["concentration"]
            self.inputs["daily_dose"].value = start["daily_dose"]
            self.inputs["previous_dose"].value = ""

    def _show_pump_fields(self):
        """A constant-flow pump has no low-reservoir alarm: hide that box."""
        fixed = pump_presets()[self.inputs["pump"].value].kind == "constant-flow"
        self.inputs["low_reservoir_alarm"].layout.display = "none" if fixed else None

    def compute(self, drug, concentration, daily_dose, pump, fill, low_reservoir_alarm,
                previous_dose, new_start):
        previous = previous_dose.strip() or None
        if pump_presets()[pump].kind == "constant-flow":
            return fixed_flow_dose(drug, concentration, daily_dose, pump, fill, previous,
                                   new_start)
        return dosing.prescription(drug, concentration, daily_dose, pump=pump, fill=fill,
                                   low_reservoir_alarm=low_reservoir_alarm,
                                   previous_dose=previous, new_start=new_start)

    def render(self, p):
        if isinstance(p, FixedFlowDose):
            return self._render_fixed(p)
        self._render_prescription(p)

    def _render_fixed(self, f: FixedFlowDose):
        plan, d = f.plan, f.drug
        empty = plan.empty_day
        horizon = min(max(empty or 0, plan.stability_day or 0) * 1.08 or 30, 3 * 365)
        days = np.linspace(0, horizon, 200)
        top = plan.fill * 1.05
        self._draw(days, np.maximum(plan.fill - plan.daily_volume * days, 0), top,
                   plan.stability_day, None, f"{d.display_name}: a constant-flow pump after a "
                   "refill", (plan.due_day, max(plan.fill - plan.daily_volume * plan.due_day, 0)))
        stability = (f"at most {fmt(plan.stability_day, 'time')}, the longest a drug may stay "
                     f"in the pump {plan.stability_source}" if plan.limit == "pump limit"
                     else fmt(plan.stability_day, "time"))
        self.readout.value = box(
            "<b>A constant-flow pump cannot be programmed with a dose.</b> Its flow is fixed "
            f"when it is made: <b>{fmt(f.flow, 'flow')}</b>"
            f"<span style='color:{GREY}'>{esc(cited(f.flow_note))}</span>. The dose is the "
            "concentration × that flow.<br>"
            f"<b>Daily dose</b>: {dosing.concentration_text(f.concentration, d)} × "
            f"{fmt(f.flow, 'flow')} = <b>{dosing.dose_text(f.gives, d)}</b><br>"
            f"<b>For {dosing.dose_text(f.asked, d)}</b>: fill it with "
            f"{dosing.concentration_text(f.needed, d)}<br>"
            "<b>Reservoir empty</b> in "
            + (fmt(empty, "time") if empty is not None else
               f"more than {refill.HORIZON_DAYS} days") + "<br>"
            f"<b>Stable in the pump</b>: {stability}<br>"
            f"<b>Refill within</b> {fmt(plan.due_day, 'time')} "
            f"<span style='color:{GREY}'>({esc(plan.reason)})</span><br>"
            + (f"<b>Reserve of {fmt(plan.reserve, 'volume')}</b> reached in "
               f"{fmt(plan.reserve_day, 'time')}: the refill keeps "
               f"{fmt(plan.reserve_day - plan.due_day, 'time')} in hand.<br>"
               if plan.reserve_day is not None else "") +
            "No alarm: a constant-flow pump has no battery; only the refill calendar protects "
            f"the patient.<hr style='margin:6px 0'>{findings_html(f.findings)}", BLUE)

    def _draw(self, days, volume, top, stability_day, alarm, title, planned=None):
        """The reservoir over ``days``, the stability limit if it falls within them, the
        alarm line and mark (``alarm``: (volume, day), or None for a pump without one) and
        the planned refill (``planned``: (day, volume))."""
        horizon = float(days[-1])
        traces4 = (dict(x=[planned[0]], y=[planned[1]], visible=True,
                        text=[f"refill by day {planned[0]:.0f}"]) if planned is not None
                   else dict(visible=False))
        shows = stability_day is not None and stability_day <= horizon
        traces = {0: dict(x=days, y=volume),
                  2: dict(x=[stability_day] * 2 if shows else [], y=[0, top] if shows else [],
                          visible=shows)}
        if alarm is None:
            traces[1] = dict(visible=False)
            traces[3] = dict(visible=False)
        else:
            level, day = alarm
            traces[1] = dict(x=[0, horizon], y=[level] * 2, visible=True)
            traces[3] = dict(x=[day], y=[level], text=[f"alarm after {fmt(day, 'time')}"],
                             visible=True)
        traces[4] = traces4
        redraw(self.figure, traces, {"title": dict(text=title), "yaxis": dict(range=[0, top])})

    def _render_prescription(self, p: dosing.Prescription):
        horizon = min(max(p.days_to_empty, p.stability_days or 0) * 1.08, 3 * 365)
        days = np.linspace(0, horizon, 200)
        top = p.fill * 1.05
        self._draw(days, p.reservoir_volume(days), top, p.limit_days,
                   (p.low_reservoir_alarm, p.days_to_alarm),
                   f"{p.drug.display_name}: reservoir after a refill",
                   (p.refill_within_days, float(p.reservoir_volume(p.refill_within_days))))
        d = p.drug
        stability = (f"not given for {d.name}; at most {fmt(p.limit_days, 'time')}, the longest "
                     f"a drug may stay in the pump {p.limit_label}" if p.stability_days is None
                     else fmt(p.stability_days, "time"))
        self.readout.value = box(
            f"<b>Pump rate</b>: {fmt(p.flow, 'flow')} ({fmt(p.flow, 'flow', 'mL/h')})<br>"
            f"<b>Daily dose</b>: {dosing.dose_text(p.daily_dose, d)}<br>"
            f"<b>Low-reservoir alarm</b> in {fmt(p.days_to_alarm, 'time')}<br>"
            f"<b>Reservoir empty</b> in {fmt(p.days_to_empty, 'time')}<br>"
            f"<b>Stable in the pump</b>: {stability}<br>"
            f"<b>Refill within</b> {fmt(p.refill_within_days, 'time')} "
            f"<span style='color:{GREY}'>({esc(p.refill_reason)})</span><br>"
            f"<b>Margin</b>: the alarm would sound {fmt(p.days_before_alarm, 'time')} after "
            "the planned refill; it is a backstop, not the refill date"
            f"<hr style='margin:6px 0'>{findings_html(p.findings)}", BLUE)


def fixed_flow_dose(drug, concentration, daily_dose, pump, fill, previous_dose=None,
                    new_start=False) -> FixedFlowDose:
    """The dose calculator's model call for a constant-flow ``pump``: the dose its fixed flow
    gives at ``concentration``, the concentration that would give ``daily_dose``, the refill
    plan and the dosing checks of the dose it gives."""
    preset = pump_presets()[pump]
    flow = quantity(preset.value("flow"), "flow")
    gives = dosing.daily_dose(flow, concentration)
    needed = dosing.concentration_for(daily_dose, flow)
    findings = dosing.check(drug, concentration=concentration, daily_dose=gives,
                            previous_dose=previous_dose, new_start=new_start)
    # the concentration suggested for the dose asked is checked too
    findings += [f for f in dosing.check(drug, concentration=needed, daily_dose=daily_dose,
                                         new_start=new_start) if f not in findings]
    return FixedFlowDose(
        drugs.get(drug), parse(concentration, "concentration", "concentration"),
        preset.value("flow"), preset.facts["flow"].label,
        parse(gives, "dose_rate", "daily_dose"), parse(daily_dose, "dose_rate", "daily_dose"),
        parse(needed, "concentration", "concentration"),
        refill.schedule(drug, concentration, fill, None, pump=pump), tuple(findings))


def _dropdown_style():
    return dict(style={"description_width": "150px"}, layout=w.Layout(width="340px"))



class RouteConversion(Panel):
    """Morphine by one route -> the equivalent by another, with the range real patients
    showed and why the ratio is only a starting point."""

    title = "Morphine route conversion"

    def __init__(self, dose: str = "300 mg/day", from_route: str = "oral",
                 to_route: str = "intrathecal"):
        super().__init__()
        routes = [("by mouth (oral)", "oral"), ("intravenous (IV)", "iv"),
                  ("epidural", "epidural"), ("intrathecal", "intrathecal")]
        self.inputs = {
            "dose": w.Text(value=dose, description="Morphine dose", **field("340px", "150px")),
            "from_route": w.Dropdown(options=routes, value=from_route, description="From",
                                     **_dropdown_style()),
            "to_route": w.Dropdown(options=routes, value=to_route, description="To",
                                   **_dropdown_style()),
        }
        self.figure = FigureWidget(
            data=[go.Bar(orientation="h", marker_color=[SKY, SKY, SKY, BLUE],
                         texttemplate="%{x:.3~g} mg/day", textposition="auto",
                         insidetextanchor="end", hovertemplate="%{y}: %{x:.3~g} mg/day"
                         "<extra></extra>")],
            layout=go.Layout(**{**FIGURE_LAYOUT, "height": 260,
                                "margin": dict(l=90, r=20, t=50, b=50)}, width=520,
                             xaxis=dict(title="equivalent morphine dose (mg/day, log scale)",
                                        type="log"),
                             yaxis=dict(autorange="reversed"), showlegend=False))
        self._finish()

    def compute(self, dose, from_route, to_route):
        main = dosing.convert_morphine(dose, from_route, to_route)
        each = {r: dosing.convert_morphine(dose, from_route, r).value for r in dosing.ROUTES}
        return main, each

    def render(self, result):
        main, each = result
        names = {"oral": "oral", "iv": "IV", "epidural": "epidural", "intrathecal": "intrathecal"}
        to_route = self.inputs["to_route"].value
        redraw(self.figure, {0: {"y": [names[r] for r in dosing.ROUTES],
                                 "x": [each[r] / 1000 for r in dosing.ROUTES],
                                 "marker.color": [BLUE if r == to_route else SKY
                                                  for r in dosing.ROUTES]}},
               {"title": dict(text="The same dose by each route (300 : 100 : 10 : 1)")})
        rng = ""
        if main.low != main.high:
            rng = (f"<br>The ratios seen in real patients would give "
                   f"<b>{fmt(main.low, 'dose_rate', 'mg/day')}</b> to "
                   f"<b>{fmt(main.high, 'dose_rate', 'mg/day')}</b>.")
        self.readout.value = box(
            f"<b>Rule-of-thumb equivalent</b>: {fmt(main.value, 'dose_rate', 'mg/day')} "
            f"(ratio {main.ratio_text}) "
            f"<span style='color:{GREY}'>{esc(main.source)}</span>{rng}"
            f"<hr style='margin:6px 0'>{esc(main.caveat)}", BLUE)


class TitrationPlanner(Panel):
    """Ziconotide from a starting dose to a target within the label's (or the consensus)
    titration limits, drawn as a staircase."""

    title = "Ziconotide titration planner"

    def __init__(self, start: float = 2.4, target: float = 19.2, profile: str = "label"):
        super().__init__()
        z = drugs.get("ziconotide")
        slider = dict(readout_format=".1f")
        self.inputs = {
            "start": w.FloatSlider(value=start, min=0.1, max=z.starting_dose.high, step=0.1,
                                   description="Start (mcg/day)", **slider,
                                   **field("420px")),
            "target": w.FloatSlider(value=target, min=0.5, max=z.max_daily_dose.value, step=0.1,
                                    description="Target (mcg/day)", **slider,
                                    **field("420px")),
            "profile": w.ToggleButtons(options=[("Label limits", "label"),
                                                ("Consensus (slower)", "consensus")],
                                       value=profile, description="Rules",
                                       style={"description_width": "150px"}),
        }
        self.reactions["profile"] = self._profile_changed
        self.figure = FigureWidget(
            data=[go.Scatter(name="planned dose", line=dict(color=BLUE, width=3, shape="hv"),
                             mode="lines+markers",
                             hovertemplate="day %{x:g}: %{y:.1f} mcg/day<extra></extra>"),
                  go.Scatter(name="maximum 19.2 mcg/day", mode="lines",
                             line=dict(color=VERMILLION, dash="dash", width=2))],
            layout=go.Layout(**FIGURE_LAYOUT, width=520,
                             xaxis=dict(title="day", rangemode="tozero"),
                             yaxis=dict(title="ziconotide (mcg/day)", rangemode="tozero")))
        self._finish()

    def _profile_changed(self, change):
        """Each set of rules starts from its own starting dose (label 2.4, PACC up to 1.2)."""
        z = drugs.get("ziconotide").starting_dose
        alt = z.alternatives[0] if z.alternatives else z
        with self.hold():
            self.inputs["start"].value = z.high if change["new"] == "label" else alt.high

    def compute(self, start, target, profile):
        if target < start:
            raise InputError("target", f"{target:g} mcg/day",
                             f"must be at least the start dose ({start:g} mcg/day)")
        return dosing.titration_plan("ziconotide", f"{start} mcg/day", f"{target} mcg/day",
                                     profile=profile)

    def render(self, plan: dosing.TitrationPlan):
        z = drugs.get("ziconotide")
        end = max(plan.days_to_target, 1) * 1.1
        redraw(self.figure, {0: dict(x=list(plan.days) + [end],
                                     y=list(plan.doses) + [plan.doses[-1]]),
                             1: dict(x=[0, end], y=[z.max_daily_dose.value] * 2)},
               {"title": dict(text=f"{len(plan.days) - 1} steps over "
                                   f"{plan.days_to_target:g} days")})
        self.readout.value = box(
            f"<b>Target reached</b> on day {plan.days_to_target:g}<br>"
            f"<b>Step</b>: up to {fmt(plan.step, 'dose_rate')} every {fmt(plan.interval, 'time')}"
            f"<br><span style='color:{GREY}'>Rules: {esc(plan.profile)} {esc(plan.source)}</span>"
            f"<hr style='margin:6px 0'>" + "<br>".join(esc(r) for r in plan.rows()[:12])
            + ("<br>…" if len(plan.rows()) > 12 else ""), BLUE)


def concentration_comparison(drug: str, daily_dose: str, concentrations=None,
                             pump: str = "programmable-20"):
    """A bar chart of the days until a refill is due at each concentration of ``drug``
    for the same ``daily_dose``, and the matching lines of text. Returns (figure, text)."""
    d = drugs.get(drug)
    if concentrations is None and d.available_concentrations is None:
        raise InputError("concentrations", None, f"{d.name} has no products in the library: give "
                         "the concentrations to compare, e.g. ['10 mcg/mL', '50 mcg/mL']")
    concs = concentrations or [fmt(c, "concentration", d.concentration_unit, sig=4)
                               for c in d.available_concentrations.value]
    rows = [(c, dosing.prescription(d.name, c, daily_dose, pump=pump)) for c in concs]
    fig = go.Figure(
        [go.Bar(x=[c for c, _ in rows], y=[p.days_to_alarm for _, p in rows],
                name="days to the low-reservoir alarm", marker_color=BLUE,
                texttemplate="%{y:.0f} days", textposition="outside"),
         go.Bar(x=[c for c, _ in rows], y=[p.refill_within_days for _, p in rows],
                name="refill planned (a week before the alarm, or the stability limit if sooner)", marker_color=ORANGE,
                texttemplate="%{y:.0f} days", textposition="outside")],
        layout=go.Layout(**FIGURE_LAYOUT, width=620, barmode="group",
                         title_text=f"{d.display_name} {daily_dose}: the same dose, "
                         "different strengths",
                         xaxis=dict(title="concentration in the pump"),
                         yaxis=dict(title="days after a full refill", rangemode="tozero")))
    text = "\n".join(f"{c:>12}: rate {fmt(p.flow, 'flow')}, alarm in "
                     f"{fmt(p.days_to_alarm, 'time')}, refill within "
                     f"{fmt(p.refill_within_days, 'time')} ({p.refill_reason})" for c, p in rows)
    return fig, text
