"""Panels for lesson 08: complications on a running patient, the inflammatory-mass risk, MRI
by pump kind, and the troubleshooting game.
"""
from __future__ import annotations

from functools import lru_cache

import ipywidgets as w
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import hazards, troubleshoot
from ..errors import InputError
from ..simulation import simulate
from .body import FIGURE_WIDTH, _narrow_readout
from .figure import FigureWidget
from .panel import Panel, Shown, field, handled, redraw
from .timeline import course_figure
from .style import BLUE, FIGURE_LAYOUT, GREY, ORANGE, VERMILLION, box, esc

ONE_PLOT = {**FIGURE_LAYOUT, "width": FIGURE_WIDTH, "height": 460,
            "margin": dict(l=60, r=20, t=120, b=50)}
PATIENTS = {
    "baclofen, spasticity": dict(drug="baclofen", concentration="2000 mcg/mL", fill="40 mL",
                                 program={"mode": "continuous", "dose": "300 mcg/day"},
                                 pump="programmable-40", patient="spinal-spasticity"),
    "morphine, cancer pain": dict(drug="morphine", concentration="10 mg/mL", fill="20 mL",
                                  program={"mode": "continuous", "dose": "2 mg/day"},
                                  pump="programmable-20", patient="cancer-pain"),
}
# complication -> (events at day D, what the pump can show)
COMPLICATIONS = {
    "catheter disconnection": lambda d: [{"at": f"day {d}", "kind": "catheter-disconnection"}],
    "catheter occlusion": lambda d: [{"at": f"day {d}", "kind": "catheter-occlusion"}],
    "catheter kink (half the flow)": lambda d: [{"at": f"day {d}", "kind": "catheter-kink"}],
    "catheter fracture": lambda d: [{"at": f"day {d}", "kind": "catheter-fracture"}],
    "catheter migration": lambda d: [{"at": f"day {d}", "kind": "catheter-migration"}],
    "MRI, motor restarts a day late": lambda d: [{"at": f"day {d}", "kind": "mri",
                                                  "recovery_delay": "24 h"}],
    "deep infection, pump removed 2 days later": lambda d: [
        {"at": f"day {d}", "kind": "infection", "explant": "2 day"}],
    "pocket fill at a refill (18 mL)": lambda d: [{"at": f"day {d}", "kind": "pocket-fill",
                                                   "volume": "18 mL"}],
    "catheter access port injection (5 mL)": None,             # need the drug: see _events
    "tenfold concentration typed at a refill": None,
}
DAYS = 14
RUN_IN = 30            # days of therapy before the window shown: the body has adapted


def _events(complication: str, patient: str, day: float) -> list:
    kw = PATIENTS[patient]
    conc = kw["concentration"]
    if complication == "tenfold concentration typed at a refill":
        number, unit = conc.split()
        return [{"at": f"day {day}", "kind": "refill", "volume": kw["fill"],
                 "concentration": conc,
                 "programmed_concentration": f"{float(number) / 10!r} {unit}"}]
    if complication == "catheter access port injection (5 mL)":
        return [{"at": f"day {day}", "kind": "cap-injection", "volume": "5 mL",
                 "concentration": conc}]
    return COMPLICATIONS[complication](day)


@lru_cache(maxsize=128)
def complication_run(patient: str, complication: str, day: float):
    """A patient with ``complication`` on ``day`` of a two-week window that follows a month of
    therapy (cached). Days on the timeline count from the start of the window."""
    if patient not in PATIENTS:
        raise InputError("patient", patient, "one of " + ", ".join(PATIENTS))
    if complication not in COMPLICATIONS:
        raise InputError("complication", complication, "one of " + ", ".join(COMPLICATIONS))
    return simulate(**PATIENTS[patient], days=RUN_IN + DAYS, step="10 min",
                    events=_events(complication, patient, RUN_IN + day))


class ComplicationExplorer(Panel):
    """Trigger a complication on a running patient and follow the next days: the score, the
    overdose and withdrawal indices, and what the pump itself shows."""

    title = "Complications on a running patient"

    def __init__(self, patient="baclofen, spasticity", complication="catheter disconnection"):
        super().__init__()
        self.inputs = {
            "patient": w.Dropdown(options=list(PATIENTS), value=patient, description="Patient",
                                  **field("460px", "150px", typed=False)),
            "complication": w.Dropdown(options=list(COMPLICATIONS), value=complication,
                                       description="What happens",
                                       **field("460px", "150px", typed=False)),
            "day": w.IntSlider(value=4, min=1, max=DAYS - 4, description="On day",
                               **field("460px", "150px")),
        }
        self.figure = course_figure("days", ONE_PLOT)
        _narrow_readout(self)
        self._finish()

    def compute(self, patient, complication, day):
        return complication_run(patient, complication, float(day)), float(day)

    def render(self, result):
        tl, day = result
        r, s = tl.response, tl.summary()
        od = r.pharmacology.overdose_effect
        t, keep = tl.t - RUN_IN, tl.t >= RUN_IN
        redraw(self.figure, {0: dict(x=t[keep], y=r.score[keep]),
                             1: dict(x=t[keep], y=r.effects[od][keep],
                                     name=f"overdose sign: {od.replace('_', ' ')}"),
                             2: dict(x=t[keep], y=r.withdrawal[keep])},
               {"yaxis": dict(title=dict(text="pain (NRS)" if r.scale == "NRS"
                                         else "tone (Ashworth)"), range=[0, r.scale_max * 1.05]),
                "shapes": [dict(type="line", xref="x", yref="paper", x0=day, x1=day, y0=0,
                                y1=1, line=dict(color=ORANGE, dash="dash"))],
                "title": dict(text=f"From day {day:g} (orange line)")})
        rows = []
        day += RUN_IN
        od_day, wd_day = s["response"]["overdose"]["first_day"], s["response"]["withdrawal"][
            "first_day"]
        if od_day is not None and od_day >= day:
            rows.append(f"<b>Overdose</b> {_after(od_day - day)} after it: "
                        f"{esc(s['response']['overdose']['signs'])}")
        if wd_day is not None and wd_day >= day:
            rows.append(f"<b>Withdrawal</b> {_after(wd_day - day)} after it: "
                        f"{esc(s['response']['withdrawal']['features'])}")
        if not rows:
            rows.append("No overdose or withdrawal syndrome within the two weeks.")
        alarms = [a for a in s["alarms"] if a["day"] >= day]
        rows.append("<b>What the pump shows</b>: " + (", ".join(
            f"{a['kind']} alarm{' (critical)' if a['critical'] else ''}" for a in alarms)
            or "nothing: no alarm"))
        notes = [e for e in tl.log if e.day >= day and e.category == "event" and e.detail]
        rows += [f"<span style='color:{GREY}'>{esc(e.kind)}: {esc(e.detail)}</span>"
                 for e in notes[:3]]
        harm = any(x is not None and x >= day for x in (od_day, wd_day))
        self.readout.value = box("<br>".join(rows), VERMILLION if harm else BLUE)


def _after(days: float) -> str:
    return f"{days * 24:.0f} h" if days < 2 else f"{days:.1f} days"


# --- inflammatory-mass risk -------------------------------------------------------------------

class MassRisk(Panel):
    """How the chance of an inflammatory mass grows with the opioid concentration, the daily
    dose and the years of therapy."""

    title = "Inflammatory mass: concentration, dose and years"
    CONCS = np.array([1, 2, 5, 10, 15, 20, 25, 30, 40, 50.0])
    DOSES = np.array([0.5, 1, 2, 5, 10, 15, 20.0])

    def __init__(self):
        super().__init__()
        self.inputs = {
            "drug": w.Dropdown(options=["morphine", "hydromorphone", "baclofen"],
                               value="morphine", description="Drug",
                               **field("420px", "170px", typed=False)),
            "concentration": w.SelectionSlider(options=[float(c) for c in self.CONCS], value=10.0,
                                               description="Concentration (mg/mL)",
                                               **field("460px", "170px")),
            "dose": w.SelectionSlider(options=[float(d) for d in self.DOSES], value=5.0,
                                      description="Daily dose (mg/day)",
                                      **field("460px", "170px")),
            "years": w.IntSlider(value=5, min=1, max=10, description="Years of therapy",
                                 **field("460px", "170px")),
        }
        fig = go.Figure()
        fig.add_trace(go.Heatmap(colorscale="Cividis", zmin=0, zmax=60,
                                 colorbar=dict(title="% in the years"),
                                 hovertemplate="%{x} mg/mL, %{y} mg/day: %{z:.1f} %"
                                 "<extra></extra>"))
        fig.add_trace(go.Scatter(mode="markers", name="chosen", showlegend=False,
                                 marker=dict(symbol="x", size=16, color=ORANGE,
                                             line=dict(color="black", width=2))))
        fig.update_layout(**{**ONE_PLOT, "height": 420})
        fig.update_xaxes(title_text="concentration (mg/mL)", type="category")
        fig.update_yaxes(title_text="daily dose (mg/day)", type="category")
        self.figure = FigureWidget(fig)
        _narrow_readout(self)
        self._finish()

    def compute(self, drug, concentration, dose, years):
        grid = np.array([[_chance(drug, c, d, years) for c in self.CONCS] for d in self.DOSES])
        return drug, concentration, dose, years, grid, _chance(drug, concentration, dose, years)

    def render(self, result):
        drug, conc, dose, years, grid, p = result
        redraw(self.figure, {0: dict(z=100 * grid, x=[f"{c:g}" for c in self.CONCS],
                                     y=[f"{d:g}" for d in self.DOSES]),
                             1: dict(x=[f"{conc:g}"], y=[f"{dose:g}"])},
               {"title": dict(text=f"{drug}: chance of a mass within {years} years")})
        rate = hazards.mass_rate(drug, f"{conc} mg/mL", f"{dose} mg/day")
        self.readout.value = box(
            f"<b>{100 * p:.1f} %</b> chance of a mass within {years} years "
            f"({rate:.3f} per patient-year).<br>"
            + (f"Hydromorphone is counted as morphine-equivalent: {dose:g} mg/day weighs as "
               f"{dose * hazards.morphine_equivalent(drug):g} mg/day of morphine, "
               f"{conc:g} mg/mL as {conc * hazards.morphine_equivalent(drug):g} mg/mL. One "
               "series found masses in 8.7 % of hydromorphone patients over 33.5 months "
               "[S100].<br>" if drug == "hydromorphone" else "")
            + f"<span style='color:{GREY}'>0.009 per patient-year in one series [S99]; more "
            f"often at 20-25 mg/mL and above [S101] and with higher doses [S99]. How much more "
            "is a teaching assumption (itsim: in proportion to the morphine-equivalent dose, "
            "twice above a morphine-equivalent 20 mg/mL; a tenth for baclofen). No dose is free "
            "of risk [S120], and no time is too early: most masses start after 2-4 months "
            "[S98], one was found at 5 weeks [S102]. New weakness or numbness: urgent MRI and "
            "neurosurgery now [S101].</span>", BLUE)


def _chance(drug, conc, dose, years) -> float:
    rate = hazards.mass_rate(drug, f"{conc} mg/mL", f"{dose} mg/day")
    return float(1 - np.exp(-rate * years))           # no floor on the onset [S102]


# --- MRI by pump kind ------------------------------------------------------------------------

MRI_PUMPS = {
    "programmable (peristaltic)": (dict(pump="programmable-20"), {}),
    "valve-gated, with a flow-activated valve": (
        dict(pump={"preset": "valve-gated-20", "flow_activated_valve": True}), {}),
    "valve-gated, older model without the valve": (
        dict(pump={"preset": "valve-gated-20", "flow_activated_valve": False}), {}),
    "valve-gated, emptied before the scan": (
        dict(pump={"preset": "valve-gated-20", "flow_activated_valve": False}),
        {"emptied": True}),
    "constant-flow (gas-driven)": (dict(pump="constant-flow-30", fill="30 mL"), {}),
}


_MRI_KIND = {k: ("programmable" if k.startswith("programmable") else
                 "constant-flow" if k.startswith("constant") else "valve-gated")
             for k in MRI_PUMPS}


@lru_cache(maxsize=32)
def mri_run(kind: str, recovery_h: int):
    pump, extra = MRI_PUMPS[kind]
    kw = dict(drug="morphine", concentration="10 mg/mL", fill="20 mL",
              program={"mode": "continuous", "dose": "2 mg/day"}, patient="cancer-pain",
              days=4, step="10 min")
    kw.update(pump)
    if "constant-flow" in kind:
        kw.pop("program")
    mri = {"at": "day 1", "kind": "mri", **extra}
    if kind.startswith("programmable"):
        mri["recovery_delay"] = f"{recovery_h} h"
    events = [mri]
    if "flow-activated" in kind:
        events.append({"at": "day 2", "kind": "fav-reset"})
    return simulate(**kw, events=events)


class MRIByPumpKind(Panel):
    """One MRI scan with each kind of pump: what reaches the patient around the scan."""

    title = "MRI by pump kind"

    def __init__(self):
        super().__init__()
        self.inputs = {
            "kind": w.Dropdown(options=list(MRI_PUMPS), value=list(MRI_PUMPS)[0],
                               description="Pump", **field("460px", "110px", typed=False)),
            "recovery": w.IntSlider(value=0, min=0, max=24, step=2,
                                    description="Restart delay (h)",
                                    **field("460px", "110px")),
        }
        fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
        fig.add_trace(go.Scatter(name="drug to the spinal fluid (mg/day)",
                                 line=dict(color=BLUE, width=3),
                                 hovertemplate="day %{x:.2f}: %{y:.2f} mg/day<extra></extra>"),
                      1, 1)
        fig.add_trace(go.Scatter(name="pain", line=dict(color=ORANGE, width=3),
                                 hovertemplate="day %{x:.2f}: %{y:.1f}<extra></extra>"), 2, 1)
        fig.update_layout(**ONE_PLOT, shapes=[dict(type="line", xref="x", yref="paper", x0=1,
                                                   x1=1, y0=0, y1=1,
                                                   line=dict(color=GREY, dash="dot"))])
        fig.update_yaxes(title_text="pain (NRS)", range=[0, 10], row=2, col=1)
        fig.update_xaxes(title_text="days (scan on day 1)", row=2, col=1)
        self.figure = FigureWidget(fig)
        _narrow_readout(self)
        self._finish()

    def compute(self, kind, recovery):
        return kind, mri_run(kind, int(recovery))

    def render(self, result):
        kind, tl = result
        to_csf = tl.to_csf / 1000
        redraw(self.figure, {0: dict(x=tl.t, y=to_csf), 1: dict(x=tl.t, y=tl.response.score)},
               {"yaxis": dict(range=[0, max(float(np.percentile(to_csf, 99)) * 1.3, 0.5)]),
                "title": dict(text=kind)})
        advice = {
            "programmable (peristaltic)": "The rotor stops in the magnet; it should restart, "
            "but 2-24 h late has been reported. Do not program it 'stopped' beforehand; "
            "interrogate after the scan [S11].",
            "valve-gated, with a flow-activated valve": "The valve lets through at most 10 "
            "microlitres, then shuts until it is reset: no drug meanwhile [S35].",
            "valve-gated, older model without the valve": "The valves may open and dump the "
            "reservoir and catheter into the patient: empty the pump first [S34, S40].",
            "valve-gated, emptied before the scan": "Emptied: nothing to dump, but no drug "
            "until it is refilled [S34].",
            "constant-flow (gas-driven)": "This preset is modelled on the Codman 3000, the one "
            "constant-flow model named as not affected [S52]. That is not true of every "
            "constant-flow pump: follow the model's own MRI labelling.",
        }[kind]
        steps = hazards.mri_checklist(_MRI_KIND[kind], "baclofen")
        alarms = ", ".join(a["kind"] for a in tl.summary()["alarms"]) or "none"
        od = tl.summary()["response"]["overdose"]["first_day"]
        checklist = "".join(
            f"<li><b>{esc(f['when'])}</b>{' (baclofen)' if f.get('drugs') else ''}: "
            f"{esc(f.value)} {esc(f.label)}</li>" for f in steps)
        self.readout.value = box(
            f"{esc(advice)}<br><b>Alarms</b>: {esc(alarms)}<br>"
            + (f"<b style='color:{VERMILLION}'>Overdose</b> from day {od:.2f}." if od else
               "No overdose.") + "<br><b>Checklist for this kind of pump</b>:"
            f"<ol style='margin:2px 0 0 18px;padding:0'>{checklist}</ol>",
            VERMILLION if od else BLUE)


# --- the troubleshooting game ------------------------------------------------------------------

class TroubleshootingGame(Shown):
    """Pick a case, order investigations, name the cause and the plan (the first action and,
    optionally, what comes next), get scored."""

    def __init__(self, cases: list):
        if not cases:
            raise InputError("cases", cases, "at least one troubleshooting case")
        self.cases = cases
        self.case_box = w.Dropdown(options=[(c.title, i) for i, c in enumerate(cases)], value=0,
                                   description="Case", **field("460px", "90px", typed=False))
        self.listen(self.case_box, lambda _: self.reset())
        self.buttons = []
        for name, (label, cost, risk, _) in troubleshoot.investigations().items():
            b = w.Button(description=name, tooltip=f"{label} (cost {cost:g}; risk: {risk})",
                         layout=w.Layout(width="130px"))
            self.on_press(b, lambda _, n=name: self.investigate(n))
            self.buttons.append(b)
        self.cause = w.Dropdown(options=[("choose the cause", "")] + [
            (v, k) for k, v in troubleshoot.CAUSES.items()], value="", description="Cause",
            **field("460px", "90px", typed=False))
        self.action = w.Dropdown(options=[("choose the action", "")] + [
            (v, k) for k, v in troubleshoot.ACTIONS.items()], value="", description="Action",
            **field("460px", "90px", typed=False))
        self.then = w.Dropdown(options=[("nothing more (optional)", "")] + [
            (v, k) for k, v in troubleshoot.ACTIONS.items()], value="", description="Then",
            **field("460px", "90px", typed=False))
        self.submit = w.Button(description="Submit", button_style="primary")
        self.on_press(self.submit, lambda _: self.answer())
        self.reset_button = w.Button(description="Reset", tooltip="Start the case again")
        self.on_press(self.reset_button, lambda _: self.reset())
        self.story = w.HTML(layout=w.Layout(width="460px"))
        self.readout = w.HTML(layout=w.Layout(width="360px"))
        self.widget = w.VBox([
            w.HTML("<h4 style='margin:4px 0'>Troubleshooting</h4>"), self.case_box,
            w.HTML("<b>Investigations</b> (hover for cost and risk):"),
            w.HBox(self.buttons, layout=w.Layout(flex_flow="row wrap", width="700px")),
            self.cause, self.action, self.then, w.HBox([self.submit, self.reset_button]),
            w.HBox([self.story, self.readout], layout=w.Layout(flex_flow="row wrap"))])
        self.reset()

    def labels(self) -> dict:
        return {"cause": "Cause", "action": "Action", "then": "Then"}

    @handled
    def reset(self):
        self.game = troubleshoot.Game(self.cases[self.case_box.value])
        self.result = None
        self.cause.value, self.action.value, self.then.value = "", "", ""
        self.lines = [f"<b>{esc(self.game.case.title)}</b>",
                      esc(self.game.case.complaint), f"<i>{esc(self.game.case.history)}</i>"]
        self.story.value = box("<br>".join(self.lines), GREY)
        self.readout.value = ""

    @handled
    def investigate(self, name: str):
        f = self.game.investigate(name)
        self.lines.append(f"<b>{esc(f.title)}</b>: {esc(f.text)}")
        self.story.value = box("<br>".join(self.lines), BLUE)
        return f

    @handled
    def answer(self):
        missing = [name for name, box in (("the cause", self.cause), ("the action", self.action))
                   if not box.value]
        if missing:
            self.readout.value = box(f"Choose {' and '.join(missing)} first, then press "
                                     "<b>Submit</b>.", GREY)
            return None
        self.result = r = self.game.answer(self.cause.value, self.action.value, self.then.value)
        self.readout.value = box("<br>".join(esc(x) for x in r.summary().splitlines()),
                                 BLUE if r.cause_right and r.action_right else VERMILLION)
        return r
