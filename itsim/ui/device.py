"""Device panels: reservoir and alarms, catheter transit, constant-flow physics, and the
clinician programmer. Each panel's model call is one ``itsim.simulate`` run."""
from __future__ import annotations

import math

import ipywidgets as w
import numpy as np
import plotly.graph_objects as go

from .. import dosing, drugs
from ..device import pump_presets
from ..device.catheter import make_catheter
from ..device.pump import ambient_pressure, constant_flow_factor, make_pump
from ..errors import InputError
from ..simulation import simulate
from ..units import fmt, parse
from .figure import FigureWidget
from .panel import Panel, field, redraw
from .style import (BLUE, FIGURE_LAYOUT, GREY, ORANGE, PURPLE, VERMILLION, box, esc,
                    findings_html)

KIND_COLOURS = {"programmable": BLUE, "valve-gated": ORANGE, "constant-flow": PURPLE}


def _alarm_html(tl) -> str:
    alarms = tl.alarms
    if not alarms:
        return "No alarms."
    rows = [f"day {a.day:.1f}: <b>{esc(a.kind)}</b>"
            + (f" <span style='color:{VERMILLION}'>(critical, two-tone)</span>" if a.critical
               else " (single tone)") for a in alarms]
    return "<br>".join(rows)


class ReservoirTimeline(Panel):
    """One pump over weeks: the reservoir emptying, the alarms, and a refill."""

    title = "Reservoir and alarms"
    DAYS = 90

    def __init__(self, pump: str = "programmable-20"):
        super().__init__()
        self.inputs = {
            "pump": w.Dropdown(options=[(p.label, p.name) for p in pump_presets().values()],
                               value=pump, description="Pump",
                               **field("380px", "190px", typed=False)),
            "daily_dose": w.Text(value="300 mcg/day", description="Baclofen daily dose",
                                 **field("380px", "190px")),
            "concentration": w.Text(value="500 mcg/mL", description="Concentration", **field("380px", "190px")),
            "refill_day": w.IntSlider(value=28, min=0, max=self.DAYS - 1,     # within the run
                                      description="Refill on day "
                                      "(0 = none)", **field("460px", "170px")),
        }
        self.figure = FigureWidget(
            data=[go.Scatter(name="reservoir", line=dict(color=BLUE, width=3),
                             hovertemplate="day %{x:.1f}: %{y:.1f} mL<extra></extra>"),
                  go.Scatter(name="alarms", mode="markers+text", textposition="top center",
                             marker=dict(size=12, symbol="diamond", color=ORANGE))],
            layout=go.Layout(**FIGURE_LAYOUT, width=560,
                             xaxis=dict(title="day", range=[0, self.DAYS]),
                             yaxis=dict(title="drug in the reservoir (mL)", rangemode="tozero")))
        self._finish()

    def compute(self, pump, daily_dose, concentration, refill_day):
        parse(daily_dose, "dose_rate", "daily_dose")            # named as the learner sees it
        parse(concentration, "concentration", "concentration")
        preset = pump_presets()[pump]
        kw = dict(drug="baclofen", concentration=concentration, fill=preset.facts[
            "reservoir"].text, pump=pump, days=self.DAYS, step="10 min")
        if preset.kind == "constant-flow":
            flow = dosing.rate(daily_dose, concentration)
            kw["pump"] = {"preset": pump, "flow": flow}
        else:
            kw["program"] = {"mode": "continuous", "dose": daily_dose}
        if refill_day:
            kw["events"] = [{"at": f"day {refill_day}", "kind": "refill",
                             "volume": preset.facts["reservoir"].text}]
        return simulate(**kw)

    def _dose_and_conc(self):
        v = self.values()
        return v["daily_dose"], v["concentration"]

    def render(self, tl):
        redraw(self.figure, {
            0: {"x": tl.t[::6], "y": tl.reservoir[::6], "line.color": KIND_COLOURS[tl.pump_kind]},
            1: {"x": [a.day for a in tl.alarms],
                "y": [float(np.interp(a.day, tl.t, tl.reservoir)) for a in tl.alarms],
                "text": [a.kind for a in tl.alarms],
                "textposition": ["top left" if i % 2 == 0 else "bottom right"
                                 for i in range(len(tl.alarms))]}},
            {"title": dict(text=f"A {tl.pump_kind} pump over {self.DAYS} days")})
        s = tl.summary()
        empty = s["reservoir_empty_day"]
        point = tl.first("refill-point")
        self.readout.value = box(
            f"<b>Rate</b>: {fmt(dosing.rate(*self._dose_and_conc()).magnitude, 'flow')}<br>"
            f"<b>Reservoir empty</b>: "
            + (f"not in {self.DAYS} days" if empty is None else f"day {empty:.1f}")
            + (f"<br><b>Refill planned for</b> day {point:.1f} (3 mL left)" if point else "")
            + f"<hr style='margin:6px 0'><b>Alarms</b><br>{_alarm_html(tl)}"
            + ("" if tl.pump_kind != "valve-gated" else
               f"<br><span style='color:{GREY}'>This pump's alarms are not in the sources "
               "itsim uses.</span>")
            + ("" if tl.pump_kind != "constant-flow" else
               "<br><span style='color:" + GREY + "'>A constant-flow pump has no battery and no "
               "alarms: only the refill calendar protects the patient.</span>"), BLUE)


class TransitDelay(Panel):
    """How long a new drug takes to reach the catheter tip: volume / rate."""

    title = "Catheter dead volume and transit delay"

    def __init__(self):
        super().__init__()
        self.inputs = {
            "rate": w.FloatLogSlider(value=0.1, base=10, min=-1.318, max=0.7, step=0.02,
                                     description="Pump rate (mL/day)", readout_format=".3f",
                                     **field("460px", "170px")),
            "length": w.IntSlider(value=60, min=20, max=110, step=5,
                                  description="Catheter length (cm)", **field("460px", "170px")),
        }
        self.figure = FigureWidget(
            data=[go.Scatter(name="drug leaving the tip (share of full dose)",
                             line=dict(color=BLUE, width=3, shape="hv"))],
            layout=go.Layout(**FIGURE_LAYOUT, width=560,
                             xaxis=dict(title="days after a new implant (no priming bolus)"),
                             yaxis=dict(title="share of the programmed dose", range=[0, 1.1],
                                        tickformat=".0%")))
        self._finish()

    def compute(self, rate, length):
        cath = make_catheter(f"{length} cm", primed=False)
        days = math.ceil(max(2.0, 1.6 * cath.volume / rate))      # whole days of 10-min steps
        tl = simulate(drug="morphine", concentration="10 mg/mL", fill="20 mL",
                      program={"mode": "continuous", "rate": f"{rate} mL/day"},
                      catheter={"length": f"{length} cm", "primed": False},
                      days=days, step="10 min")
        return cath, rate, tl

    def render(self, result):
        cath, rate, tl = result
        full = rate * 10_000
        redraw(self.figure, {0: dict(x=tl.t, y=tl.to_csf / full)},
               {"title": dict(text=f"{fmt(cath.volume, 'volume')} must be pushed through "
                                   "first")})
        arrive = cath.volume / rate
        self.readout.value = box(
            f"<b>Catheter</b>: {length_text(cath)}<br>"
            f"<b>Dead volume</b> (tubing + catheter): {fmt(cath.volume, 'volume')}<br>"
            f"<b>Rate</b>: {fmt(rate, 'flow')}<br>"
            f"<b>Drug reaches the tip after</b> {fmt(arrive, 'time')} "
            f"({fmt(cath.volume, 'volume')} ÷ {fmt(rate, 'flow')})<br>"
            f"<span style='color:{GREY}'>The simulation found: day "
            f"{tl.first_drug_at_tip_day:.2f}</span>", BLUE)


def length_text(cath) -> str:
    return (f"{cath.length:g} cm × {fmt(cath.volume_per_cm, 'volume')}/cm = "
            f"{fmt(cath.catheter_volume, 'volume')}, plus {fmt(cath.tubing_volume, 'volume')} "
            "of pump tubing")


class ConstantFlowPhysics(Panel):
    """A gas-driven pump's flow with fever and altitude (flow follows the pressure
    difference; the sizes of the effects are labelled teaching assumptions)."""

    title = "Constant-flow pump: fever and altitude"

    def __init__(self):
        super().__init__()
        self.inputs = {
            "temperature": w.FloatSlider(value=37.0, min=36.0, max=41.0, step=0.1,
                                         description="Body temperature (°C)", **field("460px", "170px")),
            "altitude": w.IntSlider(value=0, min=0, max=3000, step=100,
                                    description="Altitude (m)", **field("460px", "170px")),
        }
        self.pump = make_pump("constant-flow-30")
        self.figure = FigureWidget(
            data=[go.Scatter(name="flow vs body temperature, at this altitude",
                             line=dict(color=PURPLE, width=3)),
                  go.Scatter(name="now", mode="markers", marker=dict(size=14, color=ORANGE,
                                                                     symbol="diamond"))],
            layout=go.Layout(**FIGURE_LAYOUT, width=560,
                             xaxis=dict(title="body temperature (°C)"),
                             yaxis=dict(title="flow (% of the labelled rate)")))
        self._finish()

    def compute(self, temperature, altitude):
        temps = np.linspace(36, 41, 51)
        p = ambient_pressure(altitude_m=altitude)
        curve = constant_flow_factor(self.pump, temps, p) * 100
        now = float(constant_flow_factor(self.pump, temperature, p)) * 100
        return temps, curve, temperature, altitude, p, now

    def render(self, r):
        temps, curve, temperature, altitude, p, now = r
        redraw(self.figure, {0: dict(x=temps, y=curve), 1: dict(x=[temperature], y=[now])},
               {"title": dict(text=f"{now:.0f} % of the labelled flow")})
        nominal = self.pump.flow
        days = self.pump.reservoir / (nominal * now / 100)
        self.readout.value = box(
            f"<b>Flow</b>: {now:.0f} % of the labelled {fmt(nominal, 'flow')} = "
            f"{fmt(nominal * now / 100, 'flow')}<br>"
            f"<b>Outside pressure</b>: {p:.0f} kPa (sea level 101 kPa)<br>"
            f"<b>A full 30 mL reservoir lasts</b> {fmt(days, 'time')} at this flow "
            f"(vs {fmt(self.pump.reservoir / nominal, 'time')})<hr style='margin:6px 0'>"
            f"<span style='color:{GREY}'>A warm propellant pushes harder; at altitude the air "
            "pressure outside the body is lower, so less pressure pushes back. How much per "
            "degree is a teaching assumption: the manufacturer's figure was not found.</span>",
            PURPLE)


class Programmer(Panel):
    """A clinician programmer: enter the order, review it on a confirm screen with the
    dosing checks, then send it to the pump and see 30 days of delivery."""

    title = "Clinician programmer"

    def __init__(self, drug: str = "baclofen"):
        super().__init__()
        self.inputs = {
            "drug": w.Dropdown(options=[(d.display_name, d.name) for d in
                                        drugs.library().values()], value=drug,
                               description="Drug in the pump",
                               **field("380px", "190px", typed=False)),
            "concentration": w.Text(value="500 mcg/mL", description="Concentration in the pump",
                                    **field("380px", "190px")),
            "programmed": w.Text(value="500 mcg/mL", description="Concentration entered",
                                 **field("380px", "190px")),
            "mode": w.Dropdown(options=["continuous", "flex", "periodic-bolus"],
                               value="continuous", description="Mode",
                               **field("380px", "190px", typed=False)),
            "dose": w.Text(value="300 mcg/day", description="Daily dose (basal)", **field("380px", "190px")),
            "steps": w.Text(value="00:00 250 mcg/day; 08:00 350 mcg/day",
                            description="Flex steps", **field("380px", "190px")),
            "bolus": w.Text(value="50 mcg every 6 h over 1 h",
                            description="Periodic bolus", **field("380px", "190px")),
            "previous_dose": w.Text(value="", placeholder="optional, e.g. 250 mcg/day",
                                    description="Previous dose", **field("380px", "190px")),
        }
        self.sent = False
        self.review_button = w.Button(description="Review", button_style="info")
        self.send_button = w.Button(description="Send to pump", button_style="warning")
        self.on_press(self.review_button, lambda _: self.review())
        self.on_press(self.send_button, lambda _: self.send())
        self.confirm = w.HTML()
        self.figure = FigureWidget(
            data=[go.Scatter(name="drug reaching the CSF (mcg/day)",
                             line=dict(color=BLUE, width=2)),
                  go.Scatter(name="dose ordered", mode="lines",
                             line=dict(color=GREY, dash="dash"))],
            layout=go.Layout(**FIGURE_LAYOUT, width=560,
                             xaxis=dict(title="day"), yaxis=dict(title="mcg/day",
                                                                 rangemode="tozero")))
        self.reactions["mode"] = lambda _: self._show_mode_fields()
        self._show_mode_fields()
        self._finish()
        self.widget.children = self.widget.children[:2] + (
            w.HBox([self.review_button, self.send_button]), self.confirm) + \
            self.widget.children[2:]

    # the program's parameters -> the box the learner typed them in
    BOXES = {"program.steps": "steps", "program.dose": "dose", "program.bolus_dose": "bolus",
             "program.bolus_every": "bolus", "program.bolus_duration": "bolus"}

    def _show_mode_fields(self):
        """Show only the boxes the chosen mode uses."""
        mode = self.inputs["mode"].value
        self.inputs["steps"].layout.display = None if mode == "flex" else "none"
        self.inputs["bolus"].layout.display = None if mode == "periodic-bolus" else "none"
        self.inputs["dose"].layout.display = "none" if mode == "flex" else None

    def order(self, values=None) -> dict:
        """The program as itsim.simulate takes it, from the boxes (raises InputError)."""
        v = values or self.values()
        if v["mode"] == "continuous":
            return {"mode": "continuous", "dose": v["dose"]}
        if v["mode"] == "flex":
            steps = []
            for part in v["steps"].split(";"):
                bits = part.strip().split(None, 1)
                if len(bits) != 2:
                    raise InputError("Flex steps", v["steps"], "write them like "
                                     "'00:00 250 mcg/day; 08:00 350 mcg/day'")
                steps.append(bits)
            return {"mode": "flex", "steps": steps}
        text = v["bolus"].replace(" over ", " every ").split(" every ")
        if len(text) != 3:
            raise InputError("Periodic bolus", v["bolus"], "write it like '50 mcg every 6 h "
                             "over 1 h'")
        return {"mode": "periodic-bolus", "dose": v["dose"], "bolus_dose": text[0].strip(),
                "bolus_every": text[1].strip(), "bolus_duration": text[2].strip()}

    def compute(self, drug, concentration, programmed, mode, dose, steps, bolus,
                previous_dose):
        program = self.order()
        actual = parse(concentration, "concentration", "Concentration in the pump")
        entered = parse(programmed, "concentration", "Concentration entered")
        try:
            tl = simulate(drug=drug, concentration=concentration, fill="20 mL",
                          program=program, days=30, step="10 min",
                          events=[{"at": "day 0", "kind": "refill", "volume": "20 mL",
                                   "concentration": concentration,
                                   "programmed_concentration": programmed}])
        except InputError as e:            # name the box as typed, not the program's terms
            if e.parameter == "program":                 # the rate the order leads to
                if mode == "periodic-bolus":            # basal and bolus together
                    raise InputError("bolus", f"{dose} basal + {bolus}", e.allowed) from e
                box = "steps" if mode == "flex" else "dose"
            else:
                box = self.BOXES.get(e.parameter)
                if box is None:
                    raise
            raise InputError(box, self.inputs[box].value, e.allowed) from e
        ordered = float(tl.commanded[:144].mean()) * entered      # what the order means, a day
        # the checks see the whole day's dose (basal + boluses, or the flex schedule's mean)
        findings = dosing.check(drug, concentration=concentration,
                                daily_dose=f"{ordered!r} mcg/day",
                                previous_dose=previous_dose.strip() or None)
        if abs(actual / entered - 1) > 1e-9:
            findings.insert(0, dosing.Finding(
                "programmed-concentration-mismatch", "danger",
                f"The concentration entered ({programmed}) is not the one in the pump "
                f"({concentration}): the pump will deliver {actual / entered:.3g} times the "
                "dose ordered."))
        return findings, tl, ordered

    def update(self):
        self.sent = False
        self.confirm.value = ""
        super().update()

    def render(self, result):
        findings, tl, ordered = result
        v = self.values()
        d = drugs.get(v["drug"])
        what = {"continuous": v["dose"], "flex": v["steps"],
                "periodic-bolus": f"{v['dose']} basal + {v['bolus']}"}[v["mode"]]
        self.confirm.value = box(
            f"<b>Confirm</b>: {esc(d.display_name)} {esc(v['concentration'])} in the pump; "
            f"programmed with <b>{esc(v['programmed'])}</b>; {esc(v['mode'])}: {esc(what)} "
            + ("" if v["mode"] == "continuous" else
               f" (= {esc(dosing.dose_text(ordered, d))} in a day)") + findings_html(findings),
            VERMILLION if findings else BLUE)
        if not self.sent:
            self.readout.value = box("Press <b>Review</b>, check every line, then "
                                     "<b>Send to pump</b>.", GREY)
            redraw(self.figure, {i: dict(x=[], y=[]) for i in range(len(self.figure.data))},
                   {"title": dict(text="Nothing sent to the pump yet")})
            return
        redraw(self.figure, {0: dict(x=tl.t, y=tl.to_csf),
                             1: dict(x=[0, 30], y=[ordered, ordered])},
               {"title": dict(text="30 days after sending the program")})
        first_day = float(tl.to_csf[:144].mean())
        empty = tl.reservoir_empty_day
        self.readout.value = box(
            f"<b>Reaching the CSF on day 1</b>: {dosing.dose_text(first_day, d)} "
            f"(ordered {dosing.dose_text(ordered, d)})<br>"
            f"<b>Pump empty</b>: " + ("not within 30 days" if empty is None else
                                      f"day {empty:.1f}, then nothing: withdrawal risk")
            + f"<hr style='margin:6px 0'><b>Alarms</b><br>{_alarm_html(tl)}",
            VERMILLION if abs(first_day - ordered) > 0.05 * ordered else BLUE)

    def review(self):
        self.sent = False
        self.confirm.value = ""
        Panel.update(self)

    def send(self):
        """Send the order: the same model call, drawn as sent (unless it is impossible)."""
        self.sent = True
        self.confirm.value = ""
        Panel.update(self)
        if self.error is not None:
            self.sent = False


def bridge_figure(without, with_bridge, ordered: float = 300.0):
    """Drug reaching the CSF after a concentration change, with and without a bridge bolus
    (two Timelines from itsim.simulate). A static figure."""
    fig = go.Figure(
        [go.Scatter(x=without.t, y=without.to_csf, name="no bridge bolus",
                    line=dict(color=VERMILLION, width=3)),
         go.Scatter(x=with_bridge.t, y=with_bridge.to_csf, name="bridge bolus",
                    line=dict(color=BLUE, width=3, dash="dot")),
         go.Scatter(x=[without.t[0], without.t[-1]], y=[ordered, ordered], name="dose ordered",
                    mode="lines", line=dict(color=GREY, dash="dash"))],
        layout=go.Layout(**FIGURE_LAYOUT, width=640, title_text="After the refill on day 1",
                         xaxis=dict(title="day"), yaxis=dict(title="reaching the CSF (mcg/day)",
                                                             rangemode="tozero")))
    return fig


def reservoir_figure(timelines: dict):
    """Reservoir volume over time for several simulations side by side ({label: Timeline}),
    with each alarm marked. A static figure."""
    fig = go.Figure(layout=go.Layout(**FIGURE_LAYOUT, width=680, title_text="Same drug, same "
                                     "dose, three kinds of pump",
                                     xaxis=dict(title="day"),
                                     yaxis=dict(title="drug in the reservoir (mL)",
                                                rangemode="tozero")))
    dashes = ["solid", "dash", "dot"]
    for i, (label, tl) in enumerate(timelines.items()):
        colour = KIND_COLOURS.get(tl.pump_kind, GREY)
        step = max(1, len(tl.t) // 600)
        fig.add_trace(go.Scatter(x=tl.t[::step], y=tl.reservoir[::step], name=label,
                                 line=dict(color=colour, width=3, dash=dashes[i % 3])))
        if tl.alarms:
            fig.add_trace(go.Scatter(
                x=[a.day for a in tl.alarms],
                y=[float(np.interp(a.day, tl.t, tl.reservoir)) for a in tl.alarms],
                mode="markers", name=f"{label}: alarms", showlegend=False,
                marker=dict(color=colour, size=11, symbol="diamond"),
                hovertext=[a.kind for a in tl.alarms]))
    return fig
