"""Panels for the trial (lesson 04) and the implantation (lesson 05).

Each panel calls :mod:`itsim.trial` or :mod:`itsim.implant` and draws the result: the
screening doses with their readings, a pain trial with its side effects, a cohort of virtual
patients under two protocols, the surgical plan on a spine picture, priming, and the weeks
after surgery. Model runs are cached, so moving a slider costs a few milliseconds.
"""
from __future__ import annotations

from functools import lru_cache

import ipywidgets as w
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import implant, trial
from ..body import csf
from ..units import fmt, parse, significant
from .body import FIGURE_WIDTH, SPINE_AXIS, _narrow_readout, _region_shapes
from .figure import FigureWidget
from .panel import Panel, field, redraw
from .style import (BLUE, FIGURE_LAYOUT, GREEN, GREY, ORANGE, PURPLE, SKY, VERMILLION, box,
                    esc)

DECISION_COLOURS = {"candidate": BLUE, "not a candidate": VERMILLION, "repeat": ORANGE}
MAS_TICKS = dict(tickvals=[0, 1, 1.5, 2, 3, 4], ticktext=["0", "1", "1+", "2", "3", "4"])
COHORT_SIZE = 500
COHORT_SEED = 1
ONE_PLOT = {**FIGURE_LAYOUT, "width": FIGURE_WIDTH, "height": 380}


def _decision_html(t: trial.TrialResult) -> str:
    colour = DECISION_COLOURS[t.decision]
    unit = "mcg" if t.drug in ("baclofen", "ziconotide", "sufentanil") else "mg"
    first = ""
    if t.first_pump_dose is not None:
        first = (f"<br><b>First pump dose:</b> "
                 f"{esc(fmt(t.first_pump_dose, 'dose_rate', unit + '/day'))}"
                 f" <span style='color:{GREY}'>({esc(t.first_dose_note)})</span>")
    return (f"<b style='color:{colour};font-size:1.1em'>Decision: {esc(t.decision.upper())}"
            f"</b><br>{'<br>'.join(esc(r) for r in t.reasons)}{first}")


def _seed_slider(label="Another day (new scatter)"):
    return w.IntSlider(value=0, min=0, max=30, description=label, **field("420px", "190px"))


# --- baclofen screening -------------------------------------------------------------------

class ScreeningTrial(Panel):
    """The label's baclofen screening for one patient: the doses 24 h apart, the model's tone
    and the hourly Ashworth readings, the decision and the first pump dose."""

    title = "Baclofen screening trial"

    def __init__(self, patient="spinal-spasticity", sensitivity=1.0, observe=8.0):
        super().__init__()
        self.inputs = {
            "patient": w.Dropdown(options=[("spasticity of spinal origin", "spinal-spasticity"),
                                           ("spasticity of cerebral origin",
                                            "cerebral-spasticity")],
                                  value=patient, description="Patient",
                                  **field("420px", "190px", typed=False)),
            "sensitivity": w.FloatSlider(value=sensitivity, min=0.2, max=3.0, step=0.1,
                                         description="Response to baclofen (×)",
                                         readout_format=".1f", **field("420px", "190px")),
            "start": w.Dropdown(options=[("50 mcg (the label's first dose)", "50 mcg"),
                                         ("25 mcg (a very small patient)", "25 mcg")],
                                value="50 mcg", description="First dose",
                                **field("420px", "190px", typed=False)),
            "observe": w.FloatSlider(value=observe, min=1, max=12, step=1,
                                     description="Watch each dose for (h)",
                                     readout_format=".0f", **field("420px", "190px")),
            "noise": w.Checkbox(value=False, description="Readings scatter, as in real life",
                                indent=False, layout=w.Layout(width="420px")),
            "seed": _seed_slider(),
        }
        fig = go.Figure()
        fig.add_trace(go.Scatter(name="tone in the model", mode="lines",
                                 line=dict(color=BLUE, width=3),
                                 hovertemplate="%{x:.0f} h: %{y:.2f}<extra></extra>"))
        fig.add_trace(go.Scatter(name="hourly reading (grade)", mode="markers",
                                 marker=dict(color=ORANGE, size=10, symbol="diamond",
                                             line=dict(color="black", width=1)),
                                 hovertemplate="%{x:.0f} h: read %{y}<extra></extra>"))
        fig.add_trace(go.Scatter(name="reading before the dose", mode="markers",
                                 marker=dict(color=GREY, size=11, symbol="square"),
                                 hovertemplate="before: %{y}<extra></extra>"))
        fig.add_trace(go.Scatter(name="response line (1 grade lower)", mode="lines",
                                 line=dict(color=GREEN, width=2, dash="dash"),
                                 hoverinfo="skip"))
        fig.update_layout(**ONE_PLOT, hovermode="closest")
        fig.update_yaxes(title_text="Modified Ashworth grade", range=[-0.2, 4.3], **MAS_TICKS)
        fig.update_xaxes(title_text="hours from the first dose")
        self.figure = FigureWidget(fig)
        _narrow_readout(self)
        self._finish()

    def compute(self, patient, sensitivity, start, observe, noise, seed):
        return _screening(patient, round(float(sensitivity), 3), start, float(observe),
                          bool(noise), int(seed))

    def render(self, t: trial.TrialResult):
        x, y, rx, ry, bx, by, lx, ly, shapes = [], [], [], [], [], [], [], [], []
        for d in t.doses:
            h0 = d.day * 24
            keep = d.hours <= 24
            x += [h0] + list(h0 + d.hours[keep]) + [None]        # from the score before it
            y += [t.patient.baseline] + list(d.score[keep]) + [None]
            rx += list(h0 + d.reading_hours)
            ry += list(d.readings)
            bx.append(h0)
            by.append(d.before)
            lx += [h0, h0 + 24, None]
            ly += [d.before - 1, d.before - 1, None]
            shapes.append(dict(type="rect", xref="x", yref="paper", x0=h0,
                               x1=h0 + t.observe_hours, y0=0, y1=1, fillcolor=SKY,
                               opacity=0.18, line=dict(width=0), layer="below"))
        redraw(self.figure, {0: dict(x=x, y=y), 1: dict(x=rx, y=ry), 2: dict(x=bx, y=by),
                             3: dict(x=lx, y=ly)},
               {"shapes": shapes, "xaxis": dict(range=[-1, 24 * len(t.doses)]),
                "title": dict(text=f"{len(t.doses)} dose{'s' if len(t.doses) > 1 else ''}: "
                                   f"{t.decision} (shaded: watched)")})
        rows = []
        for d in t.doses:
            state = ("response" if d.responded else "one good reading only"
                     if d.single_good else "no response")
            rows.append(f"Day {d.day:g}: <b>{fmt(d.dose, 'mass')}</b>, before "
                        f"{trial._reading_text(d.before, 'MAS')}, best reading "
                        f"{trial._reading_text(d.readings.min(), 'MAS')}: {state}")
        self.readout.value = box(
            _decision_html(t) + "<hr style='margin:6px 0'>" + "<br>".join(rows)
            + f"<br><span style='color:{GREY}'>A response: {esc(t.criterion)}. Readings are "
            "the model's tone plus scatter, recorded as the nearest grade (a teaching "
            "assumption). How the model's screening compares with published series: "
            "see the validation.</span>", DECISION_COLOURS[t.decision])


@lru_cache(maxsize=256)
def _screening(patient, sensitivity, start, observe, noise, seed):
    return trial.screening({"preset": patient, "sensitivity": sensitivity}, start=start,
                           observe=f"{observe} h", noise=noise, seed=seed)


# --- a pain trial ---------------------------------------------------------------------------

PAIN_DRUGS = {d: trial.test_dose(d) for d in ("morphine", "ziconotide")}  # sourced, in data
SIDE_EFFECTS = (("respiratory_depression", "slowed breathing", VERMILLION, "solid"),
                ("sedation", "drowsiness", PURPLE, "dash"),
                ("confusion", "confusion", ORANGE, "longdash"),
                ("pruritus", "itching", GREEN, "dot"),
                ("nausea", "nausea", SKY, "dashdot"))


class PainTrial(Panel):
    """One intrathecal test dose for pain: hourly pain readings, the 50 % line, side effects
    with the breathing risk, the observation window and the decision."""

    title = "A single-shot pain trial"

    def __init__(self, drug="morphine", patient="chronic-non-cancer-pain"):
        super().__init__()
        self.inputs = {
            "drug": w.Dropdown(options=[("morphine", "morphine"), ("ziconotide", "ziconotide")],
                               value=drug, description="Drug",
                               **field("420px", "190px", typed=False)),
            "dose": w.Text(value=PAIN_DRUGS[drug], description="Test dose",
                           placeholder="e.g. 1 mg", **field("420px", "190px")),
            "patient": w.Dropdown(options=[("opioid-naive (non-cancer pain)",
                                            "chronic-non-cancer-pain"),
                                           ("opioid-tolerant (cancer pain)", "cancer-pain")],
                                  value=patient, description="Patient",
                                  **field("420px", "190px", typed=False)),
            "observe": w.FloatSlider(value=trial.required_hours(drug), min=1, max=24, step=1,
                                     description="Watch for (h)", readout_format=".0f",
                                     **field("420px", "190px")),
            "noise": w.Checkbox(value=True, description="Readings scatter, as in real life",
                                indent=False, layout=w.Layout(width="420px")),
            "seed": _seed_slider(),
        }
        self.reactions["drug"] = self._drug_changed
        fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4],
                            vertical_spacing=0.08)
        fig.add_trace(go.Scatter(name="pain in the model", line=dict(color=BLUE, width=3),
                                 hovertemplate="%{x:.0f} h: %{y:.1f}<extra></extra>"), 1, 1)
        fig.add_trace(go.Scatter(name="hourly reading", mode="markers",
                                 marker=dict(color=ORANGE, size=9, symbol="diamond",
                                             line=dict(color="black", width=1)),
                                 hovertemplate="%{x:.0f} h: %{y}<extra></extra>"), 1, 1)
        fig.add_trace(go.Scatter(name="50 % below the reading before", mode="lines",
                                 line=dict(color=GREEN, width=2, dash="dash"),
                                 hoverinfo="skip"), 1, 1)
        for key, label, colour, dash in SIDE_EFFECTS:
            fig.add_trace(go.Scatter(name=label, line=dict(color=colour, width=2.5, dash=dash),
                                     hovertemplate=label + " %{x:.0f} h: %{y:.2f}"
                                     "<extra></extra>"), 2, 1)
        fig.update_layout(**{**ONE_PLOT, "height": 500, "margin": dict(l=60, r=20, t=150, b=50)},
                          hovermode="closest")
        fig.update_yaxes(title_text="pain (NRS 0-10)", range=[-0.3, 10.3], row=1, col=1)
        fig.update_yaxes(title_text="side effect (0-1)", range=[0, 1], row=2, col=1)
        fig.update_xaxes(title_text="hours after the dose", range=[0, 24], row=2, col=1)
        self.figure = FigureWidget(fig)
        _narrow_readout(self)
        self._finish()

    def _drug_changed(self, change):
        with self.hold():
            self.inputs["dose"].value = PAIN_DRUGS[change["new"]]
            self.inputs["observe"].value = trial.required_hours(change["new"])

    def compute(self, drug, dose, patient, observe, noise, seed):
        mcg = parse(dose, "mass", "dose")
        return _pain(drug, mcg, patient, float(observe), bool(noise), int(seed))

    def render(self, t: trial.TrialResult):
        d = t.doses[0]
        keep = d.hours <= 24
        traces = {0: dict(x=np.r_[0.0, d.hours[keep]], y=np.r_[t.patient.baseline,
                                                               d.score[keep]]),
                  1: dict(x=d.reading_hours, y=d.readings),
                  2: dict(x=[0, 24], y=[d.before / 2, d.before / 2])}
        for i, (key, *_rest) in enumerate(SIDE_EFFECTS):
            e = d.effects.get(key)
            traces[3 + i] = (dict(x=d.hours[keep], y=e[keep], visible=True) if e is not None
                             else dict(x=[], y=[], visible=False))
        shade = dict(type="rect", xref="x", yref="paper", x0=0, x1=t.observe_hours, y0=0, y1=1,
                     fillcolor=SKY, opacity=0.18, line=dict(width=0), layer="below")
        redraw(self.figure, traces, {"shapes": [shade], "title": dict(
            text=f"{t.drug} {fmt(d.dose, 'mass', 'mcg' if t.drug == 'ziconotide' else 'mg')}: "
                 f"{t.decision} (shaded: watched)")})
        extra = ""
        if "respiratory_depression" in d.effects:
            peak = d.peak_hours("respiratory_depression")
            extra = (f"<br>Breathing risk highest at <b>{significant(peak, 2)} h</b> "
                     f"(watched {significant(t.observe_hours, 3)} h; required "
                     f"{significant(t.required_hours, 3)} h).")
        best = d.readings.min() if d.readings.size else d.before
        self.readout.value = box(
            _decision_html(t) + "<hr style='margin:6px 0'>"
            f"Pain before: {d.before:g}; lowest reading {best:g}.{extra}<br>"
            + (f"<b>Observation rule</b>: {esc(t.observation.text())}<br>"
               if t.observation is not None else "")
            + f"<span style='color:{GREY}'>Success: {esc(t.criterion)}. Readings include a "
            "6 % placebo fall [Z11] and scatter (a teaching assumption).</span>",
            DECISION_COLOURS[t.decision])


@lru_cache(maxsize=256)
def _pain(drug, mcg, patient, observe, noise, seed):
    return trial.single_shot(drug, f"{mcg!r} mcg", patient, observe=f"{observe} h",
                             noise=noise, seed=seed)


# --- cohorts: how a protocol classifies many patients ---------------------------------------

PROTOCOLS = {
    "baclofen, spinal origin": dict(drug="baclofen", patient="spinal-spasticity"),
    "baclofen, cerebral origin": dict(drug="baclofen", patient="cerebral-spasticity"),
    "morphine 1 mg, opioid-naive": dict(drug="morphine", patient="chronic-non-cancer-pain",
                                        dose="1 mg"),
}


@lru_cache(maxsize=256)
def trial_cohort(protocol: str, observe: float | None, sustained: int | None):
    """A cached cohort of COHORT_SIZE virtual patients for one of PROTOCOLS."""
    return trial.cohort(COHORT_SIZE, seed=COHORT_SEED, **PROTOCOLS[protocol],
                        observe=None if observe is None else f"{observe} h", sustained=sustained)


class TrialCohort(Panel):
    """The same virtual patients under the proper protocol and under yours (a shorter
    observation, a one-reading rule): how many would be classified differently."""

    title = "500 virtual patients, two protocols"

    def __init__(self, protocol="baclofen, spinal origin", observe=2.0, sustained=2):
        super().__init__()
        self.inputs = {
            "protocol": w.Dropdown(options=list(PROTOCOLS), value=protocol,
                                   description="Trial", **field("420px", "190px", typed=False)),
            "observe": w.FloatSlider(value=observe, min=1, max=24, step=1,
                                     description="Your observation (h)", readout_format=".0f",
                                     **field("420px", "190px")),
            "sustained": w.IntSlider(value=sustained, min=1, max=3,
                                     description="Good readings in a row", **field("420px",
                                                                                   "190px")),
        }
        fig = go.Figure()
        for name, colour, pattern in (("the proper protocol", BLUE, ""),
                                      ("your protocol", ORANGE, "/")):
            fig.add_trace(go.Bar(name=name, x=list(trial.DECISIONS), marker_color=colour,
                                 marker_pattern_shape=pattern, texttemplate="%{y:.0f} %",
                                 textposition="outside",
                                 hovertemplate="%{x}: %{y:.1f} %<extra>" + name + "</extra>"))
        fig.update_layout(**ONE_PLOT, barmode="group")
        fig.update_yaxes(title_text="% of patients", range=[0, 115])
        self.figure = FigureWidget(fig)
        _narrow_readout(self)
        self._finish()

    def compute(self, protocol, observe, sustained):
        proper = trial_cohort(protocol, None, None)
        mine = trial_cohort(protocol, float(observe), int(sustained))
        return protocol, proper, mine

    def render(self, result):
        protocol, proper, mine = result
        redraw(self.figure, {0: dict(y=[100 * proper.share(d) for d in trial.DECISIONS]),
                             1: dict(y=[100 * mine.share(d) for d in trial.DECISIONS])},
               {"title": dict(text=f"{protocol}: watched {significant(proper.observe_hours, 3)}"
                                   f" h vs {significant(mine.observe_hours, 3)} h")})
        differ = int(np.sum(proper.decision != mine.decision))
        lost = int(np.sum((proper.decision == "candidate") & (mine.decision != "candidate")))
        gained = int(np.sum((proper.decision != "candidate") & (mine.decision == "candidate")))
        rows = [f"<b>{differ} of {COHORT_SIZE}</b> patients get a different decision.",
                f"Candidates your protocol misses: <b>{lost}</b>",
                f"Patients it calls candidates wrongly: <b>{gained}</b>"]
        if mine.late_breathing is not None:
            rows.append(f"Breathing risk peaked after your observation ended in "
                        f"<b>{100 * np.mean(mine.late_breathing):.0f} %</b> of patients.")
        self.readout.value = box(
            "<br>".join(rows) + f"<br><span style='color:{GREY}'>The proper protocol: watched "
            f"{significant(proper.observe_hours, 3)} h, {proper.sustained} good readings in a "
            "row. Same patients and same scatter in both.</span>",
            VERMILLION if differ else BLUE)


# --- the surgical plan ----------------------------------------------------------------------

PLAN_DRUGS = {"baclofen": ("500 mcg/mL", "100 mcg/day"), "morphine": ("10 mg/mL", "0.5 mg/day")}
TIP_LEVELS = [lv for lv in csf.LEVELS[:-1] if csf.index(lv) > csf.index("L1")]


class SurgicalPlan(Panel):
    """The plan on a spine picture: where the catheter enters and ends, the sourced tip range
    for the target, and how far a slow infusion reaches; the catheter volume, the priming
    volume and the pocket depth with their checks."""

    title = "The surgical plan"

    def __init__(self, target="lower-limbs"):
        super().__init__()
        self.inputs = {
            "target": w.Dropdown(options=[("spasticity of the legs", "lower-limbs"),
                                          ("spasticity of the arms", "upper-limbs"),
                                          ("dystonia", "dystonia"), ("pain", "pain")],
                                 value=target, description="Treating",
                                 **field("420px", "190px", typed=False)),
            "pain_level": w.SelectionSlider(options=TIP_LEVELS, value="T8",
                                            description="Level of the pain",
                                            disabled=target != "pain",
                                            **field("460px", "190px")),
            "tip": w.SelectionSlider(options=TIP_LEVELS, value=_default_tip(target),
                                     description="Catheter tip at", **field("460px", "190px")),
            "length": w.IntSlider(value=80, min=20, max=110, description="Implanted length (cm)",
                                  **field("460px", "190px")),
            "pocket_depth": w.FloatSlider(value=2.0, min=0.5, max=4.0, step=0.1,
                                          description="Pocket depth (cm)", readout_format=".1f",
                                          **field("460px", "190px")),
            "placement": w.Dropdown(options=[("under the fascia", "subfascial"),
                                             ("under the skin", "subcutaneous")],
                                    value="subfascial", description="Pump placed",
                                    **field("420px", "190px", typed=False)),
            "drug": w.Dropdown(options=list(PLAN_DRUGS), value="baclofen", description="Drug",
                               **field("420px", "190px", typed=False)),
            "concentration": w.Text(value=PLAN_DRUGS["baclofen"][0],
                                    description="Concentration", **field("420px", "190px")),
            "dose": w.Text(value=PLAN_DRUGS["baclofen"][1], description="Daily dose",
                           **field("420px", "190px")),
        }
        self.reactions["target"] = self._target_changed
        self.reactions["drug"] = self._drug_changed
        fig = go.Figure()
        fig.add_trace(go.Bar(name="drug at each level (% of the tip)",
                             orientation="h", marker_color=BLUE, y=list(csf.LEVELS),
                             hovertemplate="%{y}: %{x:.1f} %<extra></extra>"))
        fig.add_trace(go.Scatter(name="catheter", mode="lines", line=dict(color=ORANGE, width=6),
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(name="tip", mode="markers",
                                 marker=dict(color=ORANGE, size=16, symbol="diamond",
                                             line=dict(color="black", width=1)),
                                 hovertemplate="tip at %{y}<extra></extra>"))
        fig.add_trace(go.Scatter(name="needle entry", mode="markers",
                                 marker=dict(color=GREY, size=14, symbol="triangle-right"),
                                 hovertemplate="entry at %{y}<extra></extra>"))
        shapes, notes = _region_shapes(x_domain="paper")
        fig.update_layout(**{**ONE_PLOT, "height": 600, "margin": dict(l=110, r=20, t=50,
                                                                      b=120),
                             "legend": dict(orientation="h", x=0, y=-0.1, yanchor="top")},
                          shapes=shapes, hovermode="closest")
        for note in notes:
            fig.add_annotation(**{**note, "x": -0.17})
        fig.update_yaxes(**SPINE_AXIS)
        fig.update_xaxes(title_text="% of the tip's concentration", range=[-30, 105],
                         tickvals=[0, 25, 50, 75, 100])
        self._region_shapes = shapes
        self.figure = FigureWidget(fig)
        _narrow_readout(self)
        self._finish()

    def _target_changed(self, change):
        with self.hold():
            self.inputs["pain_level"].disabled = change["new"] != "pain"
            self.inputs["tip"].value = (_default_tip(change["new"]) if change["new"] != "pain"
                                        else self.inputs["pain_level"].value)

    def _drug_changed(self, change):
        with self.hold():
            conc, dose = PLAN_DRUGS[change["new"]]
            self.inputs["concentration"].value = conc
            self.inputs["dose"].value = dose

    def compute(self, target, pain_level, tip, length, pocket_depth, placement, drug,
                concentration, dose):
        return implant.plan(target, tip, pain_level=pain_level if target == "pain" else None,
                            length=f"{length} cm", pocket_depth=f"{pocket_depth:.1f} cm",
                            placement=placement, drug=drug, concentration=concentration,
                            dose=dose)

    def render(self, p: implant.Plan):
        lo, hi = p.target_levels[0], p.target_levels[-1]
        band = dict(type="rect", xref="x", yref="y", x0=-28, x1=104,
                    y0=csf.index(lo) - 0.5, y1=csf.index(hi) + 0.5, fillcolor=GREEN,
                    opacity=0.2, line=dict(color=GREEN, width=2))
        redraw(self.figure, {0: dict(x=100 * p.profile),
                             1: dict(x=[-12, -12], y=[p.entry, p.tip]),
                             2: dict(x=[-12], y=[p.tip]), 3: dict(x=[-22], y=[p.entry])},
               {"shapes": self._region_shapes + [band],
                "title": dict(text=f"Tip at {p.tip}. Green: " + (
                    "the level of the pain" if p.target == "pain" else
                    "where the sources put it"))})
        flags = "".join(f"<li><b>{esc(f.severity.upper())}</b>: {esc(f.message)} "
                        f"<span style='color:{GREY}'>{esc(f.source)}</span></li>"
                        for f in p.findings)
        colour = (VERMILLION if any(f.severity == "danger" for f in p.findings) else
                  ORANGE if p.findings else BLUE)
        canal = (f"{fmt(p.intrathecal_length, 'length')} of it in the spinal canal"
                 if p.length >= p.intrathecal_length else
                 f"<b>too short</b>: about {fmt(p.intrathecal_length, 'length')} needed in the "
                 "spinal canal")
        self.readout.value = box(
            f"<b>Catheter</b>: {fmt(p.length, 'length')} implanted, {canal}<br>"
            f"Catheter volume: <b>{fmt(p.catheter_volume, 'volume')}</b> "
            f"<span style='color:{GREY}'>(0.0026 mL/cm [S38])</span><br>"
            f"Priming volume (+ pump tubing): <b>{fmt(p.priming_volume, 'volume')}</b><br>"
            f"Pump rate: {fmt(p.rate, 'flow')}; unprimed, drug reaches the tip after "
            f"<b>{fmt(p.days_to_tip_unprimed, 'time')}</b><br>"
            f"A slow infusion reaches {p.covered[0]} to {p.covered[1]} "
            f"(a tenth of the tip or more)<br>"
            f"Pocket {fmt(p.pocket_depth, 'length')} deep (at most 2.5 cm)"
            + (f"<ul style='padding-left:18px;margin:4px 0'>{flags}</ul>" if flags else
               f"<br><b style='color:{GREEN}'>✔ No flags</b>"), colour)


def _default_tip(target: str) -> str:
    return (implant.facts("tip")[target]["default"] if target != "pain" else "T8")


# --- priming -----------------------------------------------------------------------------

PRIMING_CASES = {"baclofen for leg spasticity": dict(target="lower-limbs", drug="baclofen",
                                                     concentration="500 mcg/mL",
                                                     dose="100 mcg/day"),
                 "morphine for pain at T10": dict(target="pain", pain_level="T10",
                                                  drug="morphine", concentration="10 mg/mL",
                                                  dose="0.5 mg/day")}
PRIMING_DAYS = 10


@lru_cache(maxsize=64)
def _priming(case: str, action: str, length: int):
    return implant.priming(action, days=PRIMING_DAYS, length=f"{length} cm",
                           **PRIMING_CASES[case])


class PrimingPanel(Panel):
    """A new catheter is full of drug-free fluid: prime it, skip the priming bolus, or give
    it twice, and see the first days."""

    title = "Priming the new catheter"

    def __init__(self, case="baclofen for leg spasticity", action="skipped"):
        super().__init__()
        self.inputs = {
            "case": w.Dropdown(options=list(PRIMING_CASES), value=case, description="Patient",
                               **field("420px", "190px", typed=False)),
            "action": w.RadioButtons(options=[("priming bolus given", "primed"),
                                              ("priming bolus forgotten", "skipped"),
                                              ("priming bolus given twice", "doubled")],
                                     value=action, description="Priming",
                                     style={"description_width": "190px"},
                                     layout=w.Layout(width="420px")),
            "length": w.IntSlider(value=80, min=30, max=110, description="Implanted length (cm)",
                                  **field("460px", "190px")),
        }
        fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4],
                            vertical_spacing=0.08)
        fig.add_trace(go.Scatter(name="with a proper priming bolus",
                                 line=dict(color=GREY, width=2, dash="dot"),
                                 hovertemplate="day %{x:.2f}: %{y:.2f}<extra></extra>"), 1, 1)
        fig.add_trace(go.Scatter(name="as chosen", line=dict(color=BLUE, width=3),
                                 hovertemplate="day %{x:.2f}: %{y:.2f}<extra></extra>"), 1, 1)
        fig.add_trace(go.Scatter(name="overdose sign (as chosen)",
                                 line=dict(color=VERMILLION, width=2.5),
                                 hovertemplate="day %{x:.2f}: %{y:.2f}<extra></extra>"), 2, 1)
        fig.update_layout(**{**ONE_PLOT, "height": 460, "margin": dict(l=60, r=20, t=110,
                                                                      b=50)})
        fig.update_yaxes(title_text="side effect (0-1)", range=[0, 1], row=2, col=1)
        fig.update_xaxes(title_text="days after surgery", range=[0, PRIMING_DAYS], row=2, col=1)
        self.figure = FigureWidget(fig)
        _narrow_readout(self)
        self._finish()

    def compute(self, case, action, length):
        return _priming(case, action, int(length)), _priming(case, "primed", int(length))

    def render(self, result):
        mine, ref = result
        r, r0 = mine.timeline.response, ref.timeline.response
        days = np.asarray(mine.timeline.t)
        od = r.pharmacology.overdose_effect
        scale = "tone (Modified Ashworth)" if r.scale == "MAS" else "pain (NRS 0-10)"
        redraw(self.figure, {0: dict(x=days, y=r0.score), 1: dict(x=days, y=r.score),
                             2: dict(x=days, y=r.effects[od],
                                     name=f"{od.replace('_', ' ')} (as chosen)")},
               {"yaxis": dict(title=dict(text=scale), range=[0, r.scale_max * 1.05]),
                "title": dict(text=f"{mine.plan.drug}: priming {mine.action}")})
        peak = float(r.effects[od].max())
        self.readout.value = box(
            f"{esc(mine.summary())}<br>Priming volume {fmt(mine.plan.priming_volume, 'volume')}"
            f" at {fmt(mine.plan.rate, 'flow')}.<br>Highest {esc(od.replace('_', ' '))} index: "
            f"<b>{peak:.2f}</b> (with a proper priming bolus "
            f"{float(r0.effects[od].max()):.2f}).",
            VERMILLION if mine.action != "primed" else BLUE)


# --- after surgery -----------------------------------------------------------------------

POSTOP_PATIENTS = 20
POSTOP_DAYS = 90
POSTOP_SYMBOLS = {"headache": ("circle", BLUE), "csf-leak": ("square", SKY),
                  "hygroma": ("triangle-up", GREEN), "tip-dislodgement": ("diamond", ORANGE),
                  "superficial-infection": ("x", PURPLE),
                  "deep-infection": ("star", VERMILLION)}


class PostOpTimeline(Panel):
    """Twenty virtual patients after surgery: who gets which complication, and when, beside
    the healing period; with the long-run rates against the sources."""

    title = "The first three months after surgery"

    def __init__(self, seed=0):
        super().__init__()
        self.inputs = {"seed": w.IntSlider(value=seed, min=0, max=50,
                                           description="Another 20 patients",
                                           **field("420px", "190px"))}
        fig = go.Figure()
        table = implant.complication_table()
        for name, (symbol, colour) in POSTOP_SYMBOLS.items():
            fig.add_trace(go.Scatter(name=table[name].label, mode="markers",
                                     marker=dict(symbol=symbol, color=colour, size=13,
                                                 line=dict(color="black", width=1)),
                                     hovertemplate="patient %{y}, day %{x:.0f}: "
                                     + table[name].label + "<extra></extra>"))
        lo, hi = implant.healing_weeks()
        fig.update_layout(**{**ONE_PLOT, "height": 480, "margin": dict(l=60, r=20, t=150,
                                                                      b=50)},
                          shapes=[dict(type="rect", xref="x", yref="paper", x0=0, x1=hi * 7,
                                       y0=0, y1=1, fillcolor=SKY, opacity=0.15,
                                       line=dict(width=0), layer="below")])
        fig.update_xaxes(title_text="days after surgery (shaded: healing, 6-8 weeks)",
                         range=[-2, POSTOP_DAYS])
        fig.update_yaxes(title_text="patient", range=[0.3, POSTOP_PATIENTS + 0.7], dtick=1)
        self.figure = FigureWidget(fig)
        _narrow_readout(self)
        self._finish()

    def compute(self, seed):
        return implant._draw(POSTOP_PATIENTS, int(seed))

    def render(self, people):
        traces = {}
        for i, name in enumerate(POSTOP_SYMBOLS):
            pts = [(p.day, k + 1) for k, person in enumerate(people) for p in person
                   if p.name == name]
            traces[i] = dict(x=[d for d, _ in pts], y=[k for _, k in pts])
        redraw(self.figure, traces, {"title": dict(
            text=f"{POSTOP_PATIENTS} virtual patients: "
                 f"{sum(1 for p in people if p)} with a complication")})
        rates = _rates()
        rows = "".join(f"<tr><td>{esc(implant.complication_table()[k].label)}</td>"
                       f"<td style='text-align:right'>{100 * drawn:.1f} %</td>"
                       f"<td style='text-align:right'>{100 * risk:.1f} %</td></tr>"
                       for k, (drawn, risk) in rates.items())
        self.readout.value = box(
            f"<b>{sum(1 for p in people if p)} of {POSTOP_PATIENTS}</b> had a complication in "
            "the first 3 months.<br><table style='font-size:0.95em'><tr><th>complication</th>"
            "<th>10 000 drawn</th><th>in the data</th></tr>" + rows + "</table>"
            f"<span style='color:{GREY}'>Rates as the reference gives them; several are "
            "labelled teaching figures, because their tags point to case reports. The windows "
            "in which they start are partly teaching assumptions.</span>", BLUE)


@lru_cache(maxsize=1)
def _rates():
    return implant.complication_rates(10000, seed=0)
