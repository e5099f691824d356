"""Panels for the refill lesson (07): the refill-date calculator, discrepancy practice, the
refill station, and the pocket-fill case study.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import ipywidgets as w
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import dosing, refill
from ..errors import InputError
from ..refill_station import (ALL_STEPS, ANTISEPTICS, NEEDLES, SITES, STEP_LABELS,
                              RefillCase, RefillSession)
from ..simulation import simulate
from ..units import fmt, parse
from .body import FIGURE_WIDTH, _narrow_readout
from .figure import FigureWidget
from .panel import Panel, Shown, field, handled, redraw
from .timeline import course_figure
from .style import (BLUE, FIGURE_LAYOUT, GREEN, GREY, ORANGE, PURPLE, VERMILLION, box,
                    esc, findings_html, plain_message)

ONE_PLOT = {**FIGURE_LAYOUT, "width": FIGURE_WIDTH, "height": 380}
PUMPS = [("programmable, 20 mL", "programmable-20"), ("programmable, 40 mL", "programmable-40"),
         ("valve-gated, 20 mL (patient boluses at their maximum)", "valve-gated-20")]
DRUG_DEFAULTS = {"baclofen": ("500 mcg/mL", "300 mcg/day"), "morphine": ("10 mg/mL", "2 mg/day"),
                 "ziconotide": ("25 mcg/mL", "2.4 mcg/day"),
                 "hydromorphone": ("10 mg/mL", "1 mg/day")}


# --- the refill-date calculator ---------------------------------------------------------------

class RefillCalculator(Panel):
    """When is the next refill due? The reservoir over time, the alarm, the stability limit,
    and the clinic day to book."""

    title = "Refill-date calculator"

    def __init__(self, drug="morphine"):
        super().__init__()
        conc, dose = DRUG_DEFAULTS[drug]
        self.inputs = {
            "drug": w.Dropdown(options=list(DRUG_DEFAULTS), value=drug, description="Drug",
                               **field("420px", "170px", typed=False)),
            "concentration": w.Text(value=conc, description="Concentration",
                                    **field("420px", "170px")),
            "dose": w.Text(value=dose, description="Daily dose", **field("420px", "170px")),
            "fill": w.Text(value="20 mL", description="Volume filled", **field("420px", "170px")),
            "pump": w.Dropdown(options=PUMPS, value="programmable-20", description="Pump",
                               **field("420px", "170px", typed=False)),
            "bolus": w.Text(value="", description="Patient bolus dose",
                            placeholder="if the patient has a bolus button, e.g. 10 mcg",
                            **field("420px", "170px")),
            "per_day": w.IntSlider(value=4, min=1, max=12, description="Boluses a day (max)",
                                   **field("420px", "170px")),
            "start": w.DatePicker(value=dt.date(2026, 12, 3), description="Refilled on",
                                  **field("420px", "170px", typed=False)),
            "first_fill": w.Checkbox(value=False, description="First fill of a new pump",
                                     indent=False, layout=w.Layout(width="420px")),
            "diluted": w.Checkbox(value=False, description="Drug diluted", indent=False,
                                  layout=w.Layout(width="420px")),
        }
        self.reactions["drug"] = self._drug_changed
        fig = go.Figure()
        fig.add_trace(go.Scatter(name="reservoir volume", line=dict(color=BLUE, width=3),
                                 hovertemplate="day %{x:.0f}: %{y:.1f} mL<extra></extra>"))
        fig.add_trace(go.Scatter(name="alarm volume", mode="lines",
                                 line=dict(color=ORANGE, width=2, dash="dash"),
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(name="stability limit", mode="lines",
                                 line=dict(color=PURPLE, width=2, dash="dot"), hoverinfo="skip"))
        fig.add_trace(go.Scatter(name="book the refill", mode="markers",
                                 marker=dict(color=GREEN, size=16, symbol="star",
                                             line=dict(color="black", width=1)),
                                 hovertemplate="book on day %{x}<extra></extra>"))
        fig.add_trace(go.Scatter(name="alarm would sound", mode="markers+text",
                                 textposition="top right",
                                 marker=dict(color=ORANGE, size=11, symbol="diamond"),
                                 hovertemplate="day %{x:.1f}<extra></extra>"))
        fig.add_trace(go.Scatter(name="margin before the alarm", mode="lines+text",
                                 textposition="top center",
                                 line=dict(color=GREEN, width=6), hoverinfo="skip"))
        fig.update_layout(**ONE_PLOT)
        fig.update_xaxes(title_text="days after the refill")
        fig.update_yaxes(title_text="mL in the reservoir", rangemode="tozero")
        self.figure = FigureWidget(fig)
        _narrow_readout(self)
        self._finish()

    def _drug_changed(self, change):
        with self.hold():
            conc, dose = DRUG_DEFAULTS[change["new"]]
            self.inputs["concentration"].value, self.inputs["dose"].value = conc, dose

    def compute(self, drug, concentration, dose, fill, pump, bolus, per_day, start, first_fill,
                diluted):
        parse(dose, "dose_rate", "dose")                        # named as the learner sees it
        program = {"mode": "continuous", "dose": dose}
        if bolus.strip():
            parse(bolus, "mass", "bolus")
            program["patient_bolus"] = {"dose": bolus, "duration": "5 min", "lockout": "1 h",
                                        "max_per_day": int(per_day)}
        return refill.schedule(drug, concentration, fill, program, pump=pump, start=start,
                               first_fill=first_fill, diluted=diluted)

    def render(self, p: refill.RefillPlan):
        end = max(p.visit_day + 10, (p.stability_day or 0) + 5, (p.alarm_day or 0) + 5)
        end = min(end, (p.empty_day or end) + 10, 400)
        days = np.linspace(0, end, 200)
        vol = np.maximum(p.fill - p.daily_volume * days, 0)
        stab = p.stability_day if (p.stability_day or 0) <= end else None
        level = p.alarm_volume if p.alarm_volume > 0 else p.reserve
        warn = p.warning_day
        shows = warn is not None and warn <= end
        what = "alarm" if p.alarm_volume > 0 else "reserve reached"
        gap = p.days_before_alarm
        redraw(self.figure, {
            0: dict(x=days, y=vol), 1: dict(x=[0, end], y=[level] * 2,
                                            name="alarm volume" if p.alarm_volume > 0 else
                                            "reserve (no alarm)"),
            2: dict(x=[stab, stab] if stab else [], y=[0, p.fill] if stab else []),
            3: dict(x=[p.visit_day], y=[max(p.fill - p.daily_volume * p.visit_day, 0)]),
            4: dict(x=[warn] if shows else [], y=[level] if shows else [],
                    text=[f"{what}, day {warn:.0f}"] if shows else [],
                    name="alarm would sound" if p.alarm_volume > 0 else "reserve reached"),
            5: dict(x=[p.visit_day, warn] if shows else [],
                    y=[level + 0.04 * p.fill] * 2 if shows else [],
                    text=["", f"{gap:.0f} days' margin"] if shows else [])},
            {"title": dict(text=f"Book the refill on day {p.visit_day}"
                                + (f" ({p.visit:%a %d %b %Y})" if p.visit else "")
                                + (f": {gap:.0f} days before the {what}" if shows else ""))})
        values = self.values()
        flags = dosing.check(p.drug, concentration=values["concentration"],
                             daily_dose=values["dose"])
        danger = [f for f in flags if f.severity == "danger"]
        self.readout.value = box("<br>".join(esc(x) for x in p.summary().splitlines())
                                 + (findings_html(danger) if danger else ""),
                                 VERMILLION if danger else BLUE)


# --- discrepancy practice ---------------------------------------------------------------------

class DiscrepancyPractice(Panel):
    """Seeded cases: compare the volumes, decide, get instant feedback with the rule."""

    title = "Residual volume: does it add up?"

    def __init__(self, case=1):
        super().__init__()
        self.inputs = {
            "case": w.IntSlider(value=case, min=1, max=40, description="Case number",
                                **field("420px", "170px")),
            "answer": w.RadioButtons(options=[("not chosen yet", "")] + [
                (a, a) for a in refill.ANSWERS], value="", description="Your verdict",
                style={"description_width": "170px"}, layout=w.Layout(width="460px")),
        }
        self.reactions["case"] = self._case_changed
        fig = go.Figure()
        fig.add_trace(go.Bar(name="volumes", x=["expected", "measured"], marker_color=[BLUE, ORANGE],
                             marker_pattern_shape=["", "/"], texttemplate="%{y:.1f} mL",
                             textposition="outside", hovertemplate="%{x}: %{y} mL<extra></extra>"))
        fig.update_layout(**{**ONE_PLOT, "height": 320}, showlegend=False)
        fig.update_yaxes(title_text="mL", rangemode="tozero")
        self.figure = FigureWidget(fig)
        _narrow_readout(self)
        self._finish()

    def _case_changed(self, change):
        """A new case clears the verdict."""
        with self.hold():
            self.inputs["answer"].value = ""

    def compute(self, case, answer):
        return refill.practice_case(int(case)), answer

    def render(self, result):
        c, answer = result
        r = c.result
        redraw(self.figure, {0: dict(y=[c.expected, c.measured])},
               {"yaxis": dict(range=[0, max(c.expected, c.measured) * 1.25 + 0.5]),
                "title": dict(text="At emptying" if c.when == "emptying" else "After filling")})
        head = f"<b>Case {c.seed}.</b> {esc(c.prompt())}<br>"
        if not answer:
            self.readout.value = box(head + "Choose your verdict.", GREY)
            return
        right = answer == c.answer
        colour = BLUE if right else VERMILLION
        verdict = "✔ Right." if right else f"✘ Not quite: it is <b>{esc(c.answer)}</b>."
        self.readout.value = box(
            head + f"<b style='color:{colour}'>{verdict}</b><br>{esc(r.difference_text)}; "
            f"evaluate above {fmt(r.threshold, 'volume')} {esc(r.source)}.<br>"
            f"{esc(r.meaning)}", colour)


# --- the refill station -----------------------------------------------------------------------

class RefillStation(Shown):
    """The refill procedure as buttons: choose the options of each step, press its button, read
    what the nurse sees; "Finish" scores the session and shows the patient's next days."""

    def __init__(self, cases: list[RefillCase] | None = None):
        self.cases = cases or [RefillCase()]
        self.case_box = w.Dropdown(options=[(c.title, i) for i, c in enumerate(self.cases)],
                                   value=0, description="Case", **field("460px", "120px",
                                                                        typed=False))
        self.listen(self.case_box, lambda _: self.reset())
        opt = {
            "verify": {"second_check": w.Checkbox(value=False, indent=False,
                                                  description="with a second nurse")},
            "assess": {"escalate": w.Checkbox(value=False, indent=False,
                                              description="call the physician")},
            "locate": {"template": w.Checkbox(value=False, indent=False,
                                              description="use the template")},
            "prepare": {"mask": w.Checkbox(value=False, indent=False, description="mask",
                                           layout=w.Layout(width="70px")),
                        "antiseptic": w.Dropdown(options=ANTISEPTICS, value=ANTISEPTICS[0],
                                                 description="Skin",
                                                 **field("230px", "40px", typed=False)),
                        "dried": w.Checkbox(value=False, indent=False, description="let dry",
                                            layout=w.Layout(width="80px"))},
            "access": {"needle": w.Dropdown(options=NEEDLES, value="non-coring",
                                            description="Needle", **field("200px", "55px",
                                                                          typed=False)),
                       "site": w.Dropdown(options=SITES, value="reservoir port",
                                          description="Into", **field("200px", "55px",
                                                                      typed=False))},
            "aspirate": {"recorded": w.Text(value="", description="Record",
                                            placeholder="mL that came back",
                                            **field("200px", "55px"))},
            "inject": {"volume": w.Text(value="20 mL", description="Volume",
                                        **field("150px", "55px")),
                       "filter": w.Checkbox(value=False, indent=False,
                                            description="kit filter",
                                            layout=w.Layout(width="95px")),
                       "check_return": w.Checkbox(value=False, indent=False,
                                                  description="draw back",
                                                  tooltip="draw back every few mL while "
                                                  "injecting and look at what returns",
                                                  layout=w.Layout(width="100px"))},
            "program": {"volume": w.Text(value="20 mL", description="Volume",
                                         **field("200px", "55px")),
                        "concentration": w.Text(value="", description="Conc.",
                                                placeholder="type it, e.g. 500 mcg/mL",
                                                **field("200px", "55px")),
                        "dose": w.Text(value="", description="Dose",
                                       placeholder="only a dose the doctor orders",
                                       tooltip="leave empty to keep the prescribed dose; a "
                                       "pump that ran dry restarts at the dose the physician "
                                       "orders", **field("230px", "55px"))},
            "observe": {"minutes": w.IntSlider(value=30, min=0, max=720, step=15,
                                               description="Minutes",
                                               tooltip="30-60 min after a refill; at least "
                                               "8 h (480 min) after a restart",
                                               **field("300px", "55px"))},
            "document": {"volumes": w.Checkbox(value=False, indent=False,
                                               description="volumes",
                                               layout=w.Layout(width="85px")),
                         "dates": w.Checkbox(value=False, indent=False,
                                             description="refill and alarm dates",
                                             layout=w.Layout(width="170px"))},
        }
        self.options = opt
        self._defaults = {id(wd): wd.value for widgets in opt.values() for wd in widgets.values()}
        rows = []
        self.buttons = {}
        for i, step in enumerate(ALL_STEPS):
            b = w.Button(description=f"{i + 1}. {step}", tooltip=STEP_LABELS[step],
                         layout=w.Layout(width="130px"))
            self.on_press(b, lambda _, s=step: self.press(s))
            self.buttons[step] = b
            rows.append(w.HBox([b, w.HTML(f"<span style='color:{GREY};line-height:1.2'>"
                                          f"{esc(STEP_LABELS[step])}</span>",
                                          layout=w.Layout(width="270px"))]
                               + list(opt.get(step, {}).values()),
                               layout=w.Layout(flex_flow="row wrap", align_items="center")))
        self.finish_button = w.Button(description="Finish and see the patient",
                                      button_style="primary", layout=w.Layout(width="240px"))
        self.on_press(self.finish_button, lambda _: self.finish())
        self.reset_button = w.Button(description="Reset", tooltip="Start the case again",
                                     layout=w.Layout(width="90px"))
        self.on_press(self.reset_button, lambda _: self.reset())
        self.log = w.HTML(layout=w.Layout(width="460px"))
        self.readout = w.HTML(layout=w.Layout(width="330px"))
        self.figure = course_figure("days after the refill", {
            **ONE_PLOT, "height": 420, "margin": dict(l=60, r=20, t=110, b=50)})
        self.widget = w.VBox([
            w.HTML("<h4 style='margin:4px 0'>The refill station</h4>"), self.case_box,
            *rows, w.HBox([self.finish_button, self.reset_button]),
            w.HBox([self.log, self.readout], layout=w.Layout(flex_flow="row wrap")),
            self.figure])
        self.report = None
        self.reset()

    def labels(self) -> dict:
        return {name: wd.description for widgets in self.options.values()
                for name, wd in widgets.items()}

    @property
    def case(self) -> RefillCase:
        return self.cases[self.case_box.value]

    @handled
    def reset(self):
        self.session = RefillSession(self.case)
        self.report = None
        self.lines = []
        c = self.case
        for widgets in self.options.values():
            for name, wd in widgets.items():
                wd.value = self._defaults[id(wd)]
        self.options["inject"]["volume"].value = c.order_volume
        self.options["program"]["volume"].value = c.order_volume
        self.log.value = box(f"<b>{esc(c.title)}</b>: the patient is here for a refill, "
                             f"day {c.visit_day:g} after the last one. Work through the steps.",
                             GREY)
        self.readout.value = ""
        redraw(self.figure, {0: dict(x=[], y=[]), 1: dict(x=[], y=[]), 2: dict(x=[], y=[])},
               {"title": dict(text="The patient's next days appear here")})

    @handled
    def press(self, step: str):
        """Do ``step`` with the options set on screen (as a learner's click does)."""
        if self.report is not None:
            self.lines.append("The session is finished: press <b>Reset</b> to start again.")
            self.log.value = box("<br>".join(self.lines[-12:]), BLUE)
            return
        kw = {}
        for name, wd in self.options.get(step, {}).items():
            value = wd.value
            if isinstance(value, str) and not value.strip():
                continue
            if name == "recorded" and not any(c.isalpha() for c in value):
                value = f"{value} mL"
            kw[name] = value
        try:
            seen = self.session.do(step, **kw)
        except InputError as e:
            self.lines.append(f"<span style='color:{VERMILLION}'>"
                              f"{esc(plain_message(e, self.labels()))}</span>")
        else:
            self.lines.append(f"<b>{len(self.session.done)}. {esc(step)}</b>: {esc(seen)}")
        self.log.value = box("<br>".join(self.lines[-12:]), BLUE)

    @handled
    def finish(self):
        if self.report is not None:
            return self.report
        self.report = r = self.session.finish()
        tl = r.timeline
        days = np.asarray(tl.t) - self.case.visit_day
        keep = days >= -2
        rr = tl.response
        od = rr.pharmacology.overdose_effect
        redraw(self.figure, {0: dict(x=days[keep], y=rr.score[keep]),
                             1: dict(x=days[keep], y=rr.effects[od][keep],
                                     name=f"overdose sign: {od.replace('_', ' ')}"),
                             2: dict(x=days[keep], y=rr.withdrawal[keep])},
               {"title": dict(text=f"Score {r.score}/100: " + ("safe" if r.safe else "UNSAFE")),
                "yaxis": dict(title=dict(text="pain (NRS)" if rr.scale == "NRS" else
                                         "tone (Ashworth)"), range=[0, rr.scale_max * 1.05])})
        self.readout.value = box("<br>".join(esc(x) for x in r.summary().splitlines()),
                                 BLUE if r.safe else VERMILLION)
        return r


# --- the pocket-fill case study -------------------------------------------------------------

@lru_cache(maxsize=4)
def pocket_fill_runs(days: float = 3.0):
    """Morphine 10 mg/mL at 2 mg/day for cancer pain: a correct refill on day 1 against the
    same 18 mL injected into the pocket (and nothing into the reservoir)."""
    base = dict(drug="morphine", concentration="10 mg/mL", fill="8 mL",
                program={"mode": "continuous", "dose": "2 mg/day"}, days=days, step="10 min",
                patient="cancer-pain", catheter={"tip": "T10"})
    good = simulate(**base, events=[{"at": "day 1", "kind": "refill", "volume": "20 mL"}])
    bad = simulate(**base, events=[{"at": "day 1", "kind": "pocket-fill", "volume": "18 mL"}])
    return good, bad


def pocket_fill_figure(days: float = 3.0) -> go.Figure:
    """Breathing risk and pain over the days around a correct refill and a pocket fill."""
    good, bad = pocket_fill_runs(days)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.55, 0.45])
    for tl, name, colour, dash in ((good, "refill into the reservoir", BLUE, "solid"),
                                   (bad, "18 mL into the pocket", VERMILLION, "dash")):
        h = np.asarray(tl.t) * 24 - 24
        fig.add_trace(go.Scatter(x=h, y=tl.response.effects["respiratory_depression"],
                                 name=name, line=dict(color=colour, width=3, dash=dash),
                                 legendgroup=name), 1, 1)
        fig.add_trace(go.Scatter(x=h, y=tl.response.score, name=name, showlegend=False,
                                 line=dict(color=colour, width=3, dash=dash),
                                 legendgroup=name), 2, 1)
    fig.add_hline(y=0.5, line=dict(color=GREY, dash="dot"), row=1, col=1,
                  annotation_text="overdose (index 0.5)", annotation_position="top left")
    fig.update_layout(**{**ONE_PLOT, "height": 460, "margin": dict(l=60, r=20, t=110, b=50)},
                      title_text="Morphine pocket fill: breathing risk and pain")
    fig.update_yaxes(title_text="breathing risk (0-1)", range=[0, 1], row=1, col=1)
    fig.update_yaxes(title_text="pain (NRS)", range=[0, 10], row=2, col=1)
    fig.update_xaxes(title_text="hours after the refill", row=2, col=1)
    return fig


__all__ = ["RefillCalculator", "DiscrepancyPractice", "RefillStation", "pocket_fill_figure",
           "pocket_fill_runs"]
