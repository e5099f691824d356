"""Body panels (lesson 01): the drug along the spinal canal, hydrophilic against lipophilic
spread, and the delayed respiratory-depression clock after an intrathecal morphine dose.

Every panel calls the model (``itsim.simulate`` with ``csf_target``, ``Timeline.spine`` and
``itsim.body.injection.inject``) on a coarse step and caches the runs, so moving a slider
costs a millisecond or two of model time.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as w
import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .. import drugs
from ..body import csf
from ..body.injection import inject
from ..errors import InputError
from ..simulation import simulate
from ..units import fmt, parse, significant
from .figure import FigureWidget
from .panel import Panel, field, redraw
from .style import BLUE, FIGURE_LAYOUT, GREY, ORANGE, VERMILLION, box, cited, esc

STEP = "5 min"                   # model step behind every panel (the runs are cached)
HOURS = 48                       # how long the spine view follows the drug
BOLUS_DURATION = "30 min"        # a pump bolus: the pump's maximum is about 1 mL/h
BOLUS_VOLUME = 0.25              # mL: the dose is made up in this volume (0.5 mL/h as a bolus)
REACHED = 0.1                    # a level counts as reached at a tenth of the highest value
STILL_THERE = 0.01               # comparison: levels holding 1 % of the drug's peak at the tip
SPINAL_LEVELS = csf.LEVELS[:-1]  # where a catheter tip can sit: S1 up to C1
REGIONS = (("sacrum + lumbar", "S1", "L1"), ("thoracic", "T12", "T1"),
           ("cervical", "C7", "C1"), ("head", "cranial", "cranial"))
# The two clinical facts drawn on the respiratory clock, with their sources
# (shared/reference/drugs-and-pharmacology.md, section 2.3):
ONSET_WINDOW_HOURS = (8, 12)     # average onset of delayed respiratory depression [M13]
ONSET_SOURCE = "[M13]"
OBSERVE_HOURS = 24               # observe at least 24 h after a single neuraxial dose [M2]
OBSERVE_SOURCE = "[M2]"
CLOCK_HOURS = 36
PATIENTS = (("opioid-naive (non-cancer pain)", "chronic-non-cancer-pain"),
            ("opioid-tolerant (cancer pain)", "cancer-pain"))


def csf_drugs() -> list[str]:
    """Drugs whose CSF half-life itsim knows (sourced, or scaled from morphine's)."""
    names = []
    for d in drugs.library().values():
        try:
            csf.half_life_minutes(d.name)
        except InputError:
            continue
        names.append(d.name)
    return names


def default_dose(drug: str) -> str:
    """A first dose for the panels: one day of the drug's starting dose (its lower end), as an
    amount in the drug's own mass unit, e.g. '0.2 mg' for morphine."""
    d = drugs.get(drug)
    s = d.starting_dose
    mcg = s.low if s.low is not None else s.high
    unit = d.dose_unit.split("/")[0]
    return fmt(mcg, "mass", unit, sig=4)


def dose_source(drug: str) -> str:
    return drugs.get(drug).starting_dose.label


def amount_text(mcg: float, drug: str) -> str:
    unit = drugs.get(drug).dose_unit.split("/")[0]
    return fmt(mcg, "mass", unit)


def conc_text(x: float) -> str:
    """A CSF concentration for people, always in mcg/mL (no unit switching)."""
    if x <= 0:
        return "0 mcg/mL"
    if x < 1e-4:
        return "under 0.0001 mcg/mL"
    return f"{significant(x, 2)} mcg/mL"


def percent_text(share: float) -> str:
    p = 100 * share
    if p >= 10:
        return f"{p:.0f} %"
    if p >= 0.01:
        return f"{significant(p, 2)} %"
    return "under 0.01 %"


@lru_cache(maxsize=128)
def course(drug: str, mcg: float, delivery: str, tip: str):
    """One pump run followed in the CSF for ``HOURS``: ``mcg`` as a bolus over
    ``BOLUS_DURATION``, or as a continuous infusion of ``mcg`` every 24 h, through a primed
    catheter with its tip at ``tip``. Cached: the panels call it on every slider move."""
    concentration = f"{mcg / BOLUS_VOLUME!r} mcg/mL"
    if delivery == "bolus":
        program = {"mode": "single-bolus", "bolus_dose": f"{mcg!r} mcg",
                   "bolus_duration": BOLUS_DURATION}
    elif delivery == "infusion":
        program = {"mode": "continuous", "dose": f"{mcg!r} mcg/day"}
    else:
        raise InputError("delivery", delivery, "expected 'bolus' or 'infusion'")
    return simulate(drug=drug, concentration=concentration, fill="20 mL", program=program,
                    days=HOURS / 24, step=STEP, catheter={"tip": tip, "primed": True},
                    csf_target=tip)


@lru_cache(maxsize=128)
def highest(drug: str, mcg: float, delivery: str, tip: str) -> float:
    """The highest concentration anywhere in the canal over the run (for a steady axis)."""
    tl = course(drug, mcg, delivery, tip)
    k = int(np.argmax(tl.csf["tip"]))
    return float(max(tl.csf["tip"][k], tl.spine(tl.t[k]).max()))


def spine_at(tl, hours: float) -> np.ndarray:
    """Concentration (mcg/mL) in every compartment, sacral sac to head, ``hours`` after the
    start of the run (the step that contains that moment)."""
    return tl.spine(hours / 24 - 1e-9)


def reach(profile: np.ndarray, share: float = REACHED):
    """The lowest and highest levels holding at least ``share`` of the highest concentration,
    and how many levels that is."""
    if profile.max() <= 0:
        return None, None, 0
    where = np.nonzero(profile >= share * profile.max())[0]
    return csf.LEVELS[where[0]], csf.LEVELS[where[-1]], int(where[-1] - where[0] + 1)


def _hours(tl) -> np.ndarray:
    return np.asarray(tl.t) * 24


def _region_shapes(row_axis: str = "y", x_domain: str = "x domain"):
    """Light bands behind the levels of each region of the spine, and the regions' names
    written upright to the left of the level labels."""
    shapes, notes = [], []
    for i, (name, lo, hi) in enumerate(REGIONS):
        y0, y1 = csf.index(lo) - 0.5, csf.index(hi) + 0.5
        shapes.append(dict(type="rect", xref=x_domain, yref=row_axis, x0=0, x1=1, y0=y0, y1=y1,
                           fillcolor="#eeeeee" if i % 2 == 0 else "#ffffff",
                           line=dict(width=0), layer="below"))
        if lo != hi:
            notes.append(dict(xref=x_domain, yref=row_axis, x=-0.2, y=(y0 + y1) / 2,
                              text=name, showarrow=False, textangle=-90, xanchor="center",
                              font=dict(size=12, color=GREY)))
    return shapes, notes


SPINE_AXIS = dict(type="category", categoryorder="array", categoryarray=list(csf.LEVELS),
                  tickvals=list(csf.LEVELS),
                  ticktext=[lv if lv != "cranial" else "head" for lv in csf.LEVELS],
                  tickfont=dict(size=10))


# figure and readout side by side fit a notebook about 850 px wide (a laptop screen with
# JupyterLab's file browser open)
FIGURE_WIDTH = 550
READOUT_WIDTH = "290px"


def _narrow_readout(panel: Panel) -> None:
    panel.readout.layout.width = READOUT_WIDTH


# two plots side by side in one figure
TWO_PLOTS = {**FIGURE_LAYOUT, "height": 540, "width": FIGURE_WIDTH,
             "margin": dict(l=74, r=8, t=140, b=55),
             "legend": {**FIGURE_LAYOUT["legend"], "y": 1.17}}


def decade_ticks(lo: float, hi: float, suffix: str = "", every: int = 1) -> dict:
    """Tick marks at powers of ten (every ``every``-th one, counted down from the top)
    between 10**lo and 10**hi, written as plain numbers (0.001, not 1m or 10^-3)."""
    top = int(np.floor(hi))
    powers = [e for e in range(int(np.ceil(lo)), top + 1) if (top - e) % every == 0]
    vals = [10.0 ** e for e in powers]
    return dict(tickvals=vals, ticktext=[f"{v:.{max(0, -e)}f}{suffix}" if e < 0 else
                                         f"{v:.0f}{suffix}" for e, v in zip(powers, vals)])


def _log_range(top: float, decades: float) -> list[float]:
    top = max(top, 1e-12)
    return [np.log10(top) - decades, np.log10(top) + 0.25]


# --- the spine view ---------------------------------------------------------------------------
@dataclass
class SpineResult:
    drug: str
    mcg: float
    delivery: str
    tip: str
    hours: float
    scale: str
    tl: object
    profile: np.ndarray
    top: float

    @property
    def at_tip(self) -> float:
        return float(self.profile[csf.index(self.tip)])

    @property
    def at_brainstem(self) -> float:
        return float(self.profile[-1])


class SpineView(Panel):
    """Drug concentration along the spinal canal, sacrum to head, at a chosen time after a
    bolus or during an infusion through a catheter, with the tip and brainstem over time."""

    title = "The drug along the spinal canal"

    def __init__(self, drug: str = "morphine", delivery: str = "bolus", tip: str = "T10",
                 hours: float = 2.0):
        super().__init__()
        self.inputs = {
            "drug": w.Dropdown(options=[(drugs.get(n).display_name, n) for n in csf_drugs()],
                               value=drug, description="Drug",
                               **field("400px", "160px", typed=False)),
            "dose": w.Text(value=default_dose(drug), description="Dose (amount)",
                           placeholder="e.g. 0.2 mg", **field("400px", "160px")),
            "delivery": w.Dropdown(options=[("bolus: the dose over 30 min", "bolus"),
                                            ("slow infusion: dose per 24 h", "infusion")],
                                   value=delivery, description="Given as",
                                   **field("400px", "160px", typed=False)),
            "tip": w.SelectionSlider(options=list(SPINAL_LEVELS), value=tip,
                                     description="Catheter tip at", **field("460px", "160px")),
            "hours": w.FloatSlider(value=hours, min=0.5, max=HOURS, step=0.5,
                                   description="Hours after the start", readout_format=".1f",
                                   **field("460px", "160px")),
            "scale": w.Dropdown(options=[("tenfold steps (log)", "log"),
                                         ("even steps", "linear")], value="log",
                                description="Concentration axis",
                                **field("400px", "160px", typed=False)),
        }
        self.reactions["drug"] = self._drug_changed
        fig = make_subplots(rows=1, cols=2, column_widths=[0.44, 0.56], horizontal_spacing=0.15,
                            subplot_titles=("Along the canal<br>at the time shown",
                                            "Over time<br>solid: tip · dashed: brainstem"))
        fig.add_trace(go.Scatter(name="along the canal", mode="lines+markers",
                                 line=dict(color=BLUE, width=3), marker=dict(size=6),
                                 hovertemplate="%{y}: %{x:.3g} mcg/mL<extra></extra>"), 1, 1)
        fig.add_trace(go.Scatter(name="catheter tip", mode="markers",
                                 marker=dict(color=ORANGE, size=15, symbol="diamond",
                                             line=dict(color="black", width=1)),
                                 hovertemplate="tip %{y}: %{x:.3g} mcg/mL<extra></extra>"), 1, 1)
        fig.add_trace(go.Scatter(name="brainstem", mode="markers",
                                 marker=dict(color=VERMILLION, size=13, symbol="square",
                                             line=dict(color="black", width=1)),
                                 hovertemplate="brainstem: %{x:.3g} mcg/mL<extra></extra>"), 1, 1)
        fig.add_trace(go.Scatter(name="at the tip", showlegend=False,
                                 line=dict(color=ORANGE, width=3),
                                 hovertemplate="%{x:.1f} h: %{y:.3g} mcg/mL<extra></extra>"),
                      1, 2)
        fig.add_trace(go.Scatter(name="at the brainstem", showlegend=False,
                                 line=dict(color=VERMILLION, width=3, dash="dash"),
                                 hovertemplate="%{x:.1f} h: %{y:.3g} mcg/mL<extra></extra>"),
                      1, 2)
        fig.add_trace(go.Scatter(name="time shown", mode="lines",
                                 line=dict(color=GREY, width=2, dash="dot"),
                                 hoverinfo="skip"), 1, 2)
        fig.update_annotations(font=dict(size=13))
        shapes, notes = _region_shapes()
        fig.update_layout(**TWO_PLOTS, shapes=shapes, hovermode="closest")
        for note in notes:
            fig.add_annotation(**note)
        fig.update_yaxes(**SPINE_AXIS, row=1, col=1)
        fig.update_xaxes(title_text="mcg/mL", row=1, col=1)
        fig.update_xaxes(title_text="hours after the start", range=[0, HOURS], row=1, col=2)
        fig.update_yaxes(title_text="mcg/mL", row=1, col=2)
        self.figure = FigureWidget(fig)
        self._drawn = None
        _narrow_readout(self)
        self._finish()

    def _drug_changed(self, change):
        with self.hold():
            self.inputs["dose"].value = default_dose(change["new"])

    def compute(self, drug, dose, delivery, tip, hours, scale):
        mcg = parse(dose, "mass", "dose")
        tl = course(drug, mcg, delivery, tip)
        return SpineResult(drug, mcg, delivery, tip, float(hours), scale, tl,
                           spine_at(tl, float(hours)), highest(drug, mcg, delivery, tip))

    def render(self, r: SpineResult):
        log = r.scale == "log"
        hours = _hours(r.tl)
        traces = {0: dict(x=r.profile, y=list(csf.LEVELS)),
                  1: dict(x=[r.at_tip], y=[r.tip]),
                  2: dict(x=[r.at_brainstem], y=["cranial"])}
        if self._drawn is not r.tl:                   # the series change only with the inputs
            traces[3] = dict(x=hours, y=r.tl.csf["tip"])
            traces[4] = dict(x=hours, y=r.tl.csf["brainstem"])
            self._drawn = r.tl
        yr = _log_range(r.top, 5) if log else [0, r.top * 1.08]
        traces[5] = dict(x=[r.hours, r.hours], y=[10 ** yr[0], 10 ** yr[1]] if log else yr)
        kind = "log" if log else "linear"
        plain = dict(tickvals=None, ticktext=None)
        how = ("bolus over " + BOLUS_DURATION if r.delivery == "bolus"
               else "slow infusion, the dose every 24 h")
        redraw(self.figure, traces, {
            "xaxis": dict(type=kind, range=yr,
                          title=dict(text="mcg/mL (log: ×10 a step)" if log else "mcg/mL"),
                          **(decade_ticks(*yr, every=2) if log else plain)),
            "yaxis2": dict(type=kind, range=yr, **(decade_ticks(*yr) if log else plain)),
            "title": dict(text=f"{drugs.get(r.drug).display_name}, "
                               f"{amount_text(r.mcg, r.drug)} as a {how}: {r.hours:g} h")})
        self.readout.value = box(self._readout_html(r, hours), BLUE)

    def _readout_html(self, r: SpineResult, hours) -> str:
        d = drugs.get(r.drug)
        hi = int(np.argmax(r.profile))
        low, high, n = reach(r.profile)
        stem = r.tl.csf["brainstem"]
        stem_peak = float(hours[int(np.argmax(stem))])
        t_half, source = csf.half_life_minutes(r.drug)
        share = r.at_brainstem / r.at_tip if r.at_tip > 0 else 0.0
        how = ("a bolus over " + BOLUS_DURATION if r.delivery == "bolus"
               else "a slow infusion (the dose every 24 h)")
        spread = ("nowhere yet" if n == 0 else
                  f"{low} to {high} ({n} level{'s' if n != 1 else ''})")
        if stem_peak < HOURS - 0.5:
            stem_note = f"{stem_peak:.1f} h after the start"
        elif stem[int(np.searchsorted(hours, HOURS / 2))] > 0.95 * stem.max():
            stem_note = f"none: it levels off at {conc_text(stem[-1])}"
        else:
            stem_note = f"still rising at {HOURS} h"
        return (
            f"<b>{esc(d.display_name)} {esc(amount_text(r.mcg, r.drug))}</b> as {how}, "
            f"catheter tip at {r.tip}<br><b>{r.hours:g} h after the start</b>:<br>"
            f"Highest: {conc_text(r.profile[hi])} at {csf.LEVELS[hi]}<br>"
            f"At the tip ({r.tip}): {conc_text(r.at_tip)}<br>"
            f"At the brainstem: {conc_text(r.at_brainstem)} ({percent_text(share)} of the "
            "tip)<br>"
            f"Spread (at least a tenth of the highest): {spread}"
            f"<hr style='margin:6px 0'>"
            f"<b>Brainstem peak</b>: {stem_note}<br>"
            f"<b>CSF half-life</b>: {fmt(t_half / 1440, 'time', 'min')} "
            f"<span style='color:{GREY}'>{esc(source)}</span><br>"
            f"<span style='color:{GREY}'>The dose box starts at one day of the drug's lower "
            f"starting dose{esc(cited(dose_source(r.drug)))}. The CSF volumes are sourced; "
            "how the drug mixes between levels is a teaching assumption.</span>")


# --- hydrophilic against lipophilic -----------------------------------------------------------
COMPARE_AMOUNT = 100.0           # mcg of each drug: the plots show shares of each drug's own
                                 # peak, which do not depend on the amount (the model is linear)
COMPARE_HOURS = 24


@dataclass
class CompareResult:
    drugs: tuple
    tip: str
    hours: float
    runs: tuple            # Timelines
    profiles: tuple        # shares of each drug's own peak at the tip
    peaks: tuple           # each drug's peak at the tip (mcg/mL)


class SpreadComparison(Panel):
    """Morphine (hydrophilic) against a lipophilic drug after the same bolus: how far each
    spreads along the canal and how fast each clears, as shares of its own peak at the tip."""

    title = "Hydrophilic against lipophilic"

    def __init__(self, other: str = "fentanyl", tip: str = "L3", hours: float = 4.0):
        super().__init__()
        others = [n for n in csf_drugs() if n != "morphine"]
        self.inputs = {
            "other": w.Dropdown(options=[(_with_class(n), n) for n in others], value=other,
                                description="Compare morphine with",
                                **field("400px", "190px", typed=False)),
            "tip": w.SelectionSlider(options=list(SPINAL_LEVELS), value=tip,
                                     description="Catheter tip at", **field("460px", "190px")),
            "hours": w.FloatSlider(value=hours, min=0.5, max=COMPARE_HOURS, step=0.5,
                                   description="Hours after the bolus", readout_format=".1f",
                                   **field("460px", "190px")),
        }
        fig = make_subplots(rows=1, cols=2, column_widths=[0.44, 0.56], horizontal_spacing=0.22,
                            subplot_titles=("Along the canal<br>at the time shown",
                                            "Over time<br>solid: tip · dotted: brainstem"))
        for colour, dash, symbol, show in ((BLUE, "solid", "circle", True),
                                           (ORANGE, "dash", "diamond", True)):
            fig.add_trace(go.Scatter(mode="lines+markers", showlegend=show, legendgroup=colour,
                                     line=dict(color=colour, width=3, dash=dash),
                                     marker=dict(size=7, symbol=symbol),
                                     hovertemplate="%{y}: %{x:.3g} % of its peak<extra></extra>"),
                          1, 1)
        for colour in (BLUE, ORANGE):
            fig.add_trace(go.Scatter(showlegend=False, legendgroup=colour,
                                     line=dict(color=colour, width=3),
                                     hovertemplate="tip, %{x:.1f} h: %{y:.3g} %<extra></extra>"),
                          1, 2)
            fig.add_trace(go.Scatter(showlegend=False, legendgroup=colour,
                                     line=dict(color=colour, width=3, dash="dot"),
                                     hovertemplate="brainstem, %{x:.1f} h: %{y:.3g} %"
                                     "<extra></extra>"), 1, 2)
        fig.add_trace(go.Scatter(name="time shown", mode="lines",
                                 line=dict(color=GREY, width=2, dash="dot"), hoverinfo="skip",
                                 y=[1e-4, 200]), 1, 2)
        fig.update_annotations(font=dict(size=13))
        shapes, notes = _region_shapes()
        fig.update_layout(**TWO_PLOTS, shapes=shapes, title_text="The same bolus of each drug")
        for note in notes:
            fig.add_annotation(**note)
        fig.update_yaxes(**SPINE_AXIS, row=1, col=1)
        fig.update_xaxes(title_text="% of its own peak at the tip (log)", type="log",
                         range=[-4, np.log10(150)], **decade_ticks(-4, 2, " %", 2), row=1, col=1)
        fig.update_xaxes(title_text="hours after the bolus", range=[0, COMPARE_HOURS], row=1,
                         col=2)
        fig.update_yaxes(title_text="% of its peak at the tip", type="log",
                         range=[-4, np.log10(150)], **decade_ticks(-4, 2, " %"), row=1, col=2)
        self.figure = FigureWidget(fig)
        _narrow_readout(self)
        self._finish()

    def compute(self, other, tip, hours):
        pair = ("morphine", other)
        runs = tuple(course(d, COMPARE_AMOUNT, "bolus", tip) for d in pair)
        peaks = tuple(float(tl.csf["tip"].max()) for tl in runs)
        profiles = tuple(spine_at(tl, float(hours)) / p for tl, p in zip(runs, peaks))
        return CompareResult(pair, tip, float(hours), runs, profiles, peaks)

    def render(self, r: CompareResult):
        traces = {6: dict(x=[r.hours, r.hours])}
        for i, (name, tl, prof, peak) in enumerate(zip(r.drugs, r.runs, r.profiles, r.peaks)):
            hours = _hours(tl)
            keep = hours <= COMPARE_HOURS + 1e-9
            traces[i] = dict(name=_with_class(name), x=100 * prof, y=list(csf.LEVELS))
            traces[2 + 2 * i] = dict(x=hours[keep], y=100 * tl.csf["tip"][keep] / peak)
            traces[3 + 2 * i] = dict(x=hours[keep], y=100 * tl.csf["brainstem"][keep] / peak)
        redraw(self.figure, traces, {"title": dict(
            text=f"The same bolus at {r.tip}: morphine and {r.drugs[1]}, {r.hours:g} h later")})
        rows = []
        for name, tl, prof in zip(r.drugs, r.runs, r.profiles):
            rows.append(self._drug_html(name, tl, prof, r.hours))
        self.readout.value = box("<hr style='margin:6px 0'>".join(rows)
                                 + f"<br><span style='color:{GREY}'>Shares of each drug's own "
                                 "peak at the tip, so the amount given does not matter. Where "
                                 "no CSF half-life was found, it is morphine's scaled by the "
                                 "octanol/water coefficient (the exponent is a teaching "
                                 "assumption).</span>", BLUE)

    @staticmethod
    def _drug_html(name, tl, prof, hours) -> str:
        t_half, source = csf.half_life_minutes(name)
        where = np.nonzero(prof >= STILL_THERE)[0]
        covers = ("nowhere: it has cleared" if where.size == 0 else
                  f"{csf.LEVELS[where[0]]} to {csf.LEVELS[where[-1]]} ({where.size} levels)")
        h = _hours(tl)
        tip = tl.csf["tip"]
        k = int(np.argmax(tip))
        below = np.nonzero(tip[k:] < 0.1 * tip[k])[0]
        tenth = (f"{h[k + below[0]]:.1f} h" if below.size else f"over {HOURS} h")
        stem = tl.csf["brainstem"]
        j = int(np.argmax(stem))
        colour = BLUE if name == "morphine" else ORANGE
        return (f"<b style='color:{colour}'>{esc(_with_class(name))}</b><br>"
                f"CSF half-life {fmt(t_half / 1440, 'time', 'min')} "
                f"<span style='color:{GREY}'>{esc(source)}</span><br>"
                f"At {hours:g} h, 1 % of its tip peak or more: {covers}<br>"
                f"Tip down to a tenth of its peak after {tenth}<br>"
                f"Brainstem: highest {percent_text(stem[j] / tip[k])} of the tip's peak, at "
                f"{h[j]:.1f} h")


def _with_class(name: str) -> str:
    lip = drugs.get(name).lipophilicity
    kind = lip.get("class") if lip else None
    return f"{name} ({kind})" if kind else name


# --- the respiratory-depression clock ---------------------------------------------------------
TRIAL_DOSE = "0.25 mg"            # morphine: the smaller dose of the human CSF study [M6]


def clock_dose(drug: str) -> str:
    """The clock's first dose: morphine's trial dose, else one day of the lower starting dose."""
    return TRIAL_DOSE if drug == "morphine" else default_dose(drug)


@lru_cache(maxsize=64)
def trial_dose(drug: str, mcg: float, patient: str):
    """One lumbar intrathecal injection followed for ``CLOCK_HOURS`` with the response model."""
    return inject(drug, f"{mcg!r} mcg", patient=patient, hours=CLOCK_HOURS, step=STEP)


@dataclass
class ClockResult:
    drug: str
    mcg: float
    patient: str
    shot: object

    @property
    def index(self) -> np.ndarray:
        return self.shot.response.effects["respiratory_depression"]

    @property
    def peak_hours(self) -> float:
        return self.shot.peak_hours("respiratory_depression")


class RespiratoryClock(Panel):
    """The breathing-risk index (brainstem) over 36 h after one intrathecal dose, with the
    usual onset window of delayed respiratory depression and the 24 h observation rule."""

    title = "The delayed respiratory-depression clock"

    def __init__(self, drug: str = "morphine", dose: str = TRIAL_DOSE,
                 patient: str = "chronic-non-cancer-pain"):
        super().__init__()
        options = [n for n in ("morphine", "hydromorphone", "sufentanil") if n in csf_drugs()]
        self.inputs = {
            "drug": w.Dropdown(options=[(_with_class(n), n) for n in options], value=drug,
                               description="Drug", **field("400px", "150px", typed=False)),
            "dose": w.Text(value=dose, description="Single dose",
                           placeholder="e.g. 0.25 mg", **field("400px", "150px")),
            "patient": w.Dropdown(options=list(PATIENTS), value=patient, description="Patient",
                                  **field("400px", "150px", typed=False)),
        }
        self.reactions["drug"] = self._drug_changed
        lo, hi = ONSET_WINDOW_HOURS
        self.figure = FigureWidget(
            data=[go.Scatter(name="breathing-risk index (brainstem)",
                             line=dict(color=BLUE, width=3),
                             hovertemplate="%{x:.1f} h: %{y:.3g}<extra></extra>"),
                  go.Scatter(name="peak", mode="markers+text", textposition="top center",
                             marker=dict(color=VERMILLION, size=12, symbol="diamond",
                                         line=dict(color="black", width=1)))],
            layout=go.Layout(
                **{**FIGURE_LAYOUT, "height": 360, "margin": dict(l=70, r=20, t=90, b=50)},
                width=FIGURE_WIDTH,
                xaxis=dict(title="hours after the injection", range=[0, CLOCK_HOURS],
                           dtick=4),
                yaxis=dict(title="index (0 none, 1 the most)", rangemode="tozero"),
                shapes=[dict(type="rect", xref="x", yref="paper", x0=lo, x1=hi, y0=0, y1=1,
                             fillcolor=ORANGE, opacity=0.2, line=dict(width=0),
                             layer="below"),
                        dict(type="line", xref="x", yref="paper", x0=OBSERVE_HOURS,
                             x1=OBSERVE_HOURS, y0=0, y1=1,
                             line=dict(color=GREY, width=2, dash="dash"))],
                annotations=[dict(xref="x", yref="paper", x=(lo + hi) / 2, y=0.02,
                                  text=f"usual onset<br>{lo}–{hi} h {ONSET_SOURCE}",
                                  showarrow=False, yanchor="bottom", font=dict(size=11)),
                             dict(xref="x", yref="paper", x=OBSERVE_HOURS + 0.4, y=0.97,
                                  text=f"observe at least<br>{OBSERVE_HOURS} h "
                                  f"{OBSERVE_SOURCE}", showarrow=False, xanchor="left",
                                  yanchor="top", align="left", font=dict(size=11))]))
        _narrow_readout(self)
        self._finish()

    def _drug_changed(self, change):
        with self.hold():
            self.inputs["dose"].value = clock_dose(change["new"])

    def compute(self, drug, dose, patient):
        mcg = parse(dose, "mass", "dose")
        return ClockResult(drug, mcg, patient, trial_dose(drug, mcg, patient))

    def render(self, r: ClockResult):
        shot = r.shot
        idx = r.index
        k = int(np.argmax(idx))
        peak = float(idx[k])
        redraw(self.figure,
               {0: dict(x=shot.hours, y=idx),
                1: dict(x=[shot.hours[k]], y=[peak], text=[f"peak {shot.hours[k]:.1f} h"])},
               {"yaxis": dict(range=[0, max(0.05, 1.3 * peak)]),
                "title": dict(text=f"{drugs.get(r.drug).display_name} "
                                   f"{amount_text(r.mcg, r.drug)}, one injection at L3")})
        self.readout.value = box(self._readout_html(r, k, peak), BLUE)

    def _readout_html(self, r: ClockResult, k: int, peak: float) -> str:
        shot = r.shot
        h = shot.hours
        at = int(np.argmin(np.abs(h - OBSERVE_HOURS)))
        relief_peak = shot.peak_hours()
        lo, hi = ONSET_WINDOW_HOURS
        lipophilic = (drugs.get(r.drug).lipophilicity or {}).get("class") == "lipophilic"
        later = r.index[at] / peak if peak > 0 else 0.0
        gap = h[k] - relief_peak
        order = (f"Pain relief peaks at {relief_peak:.1f} h: the breathing risk peaks "
                 f"{gap:.1f} h later, when the patient may look settled and asleep."
                 if gap > 1 else
                 f"Pain relief peaks at {relief_peak:.1f} h, about when the breathing risk "
                 "does: the risk is early and short.")
        rule = (f"Lipophilic single shots: watch continuously for 20 min, then hourly for 2 h "
                f"<span style='color:{GREY}'>[M14]</span>." if lipophilic else
                f"After a single neuraxial morphine dose: observe at least {OBSERVE_HOURS} h "
                f"<span style='color:{GREY}'>{OBSERVE_SOURCE}</span>; hourly for 12 h, then "
                f"every 2 h for 12 h <span style='color:{GREY}'>[M14]</span>."
                + ("" if r.drug == "morphine" else " (The sources give this rule for morphine.)"))
        return (
            f"<b>Breathing risk peaks</b> {h[k]:.1f} h after the injection "
            f"(index {significant(peak, 2)})<br>"
            f"<b>At {OBSERVE_HOURS} h</b> it is still {percent_text(later)} of that peak<br>"
            f"{'Inside' if lo <= h[k] <= hi else 'Outside'} the usual {lo}–{hi} h onset window "
            f"<span style='color:{GREY}'>{ONSET_SOURCE}</span><br>{order}"
            f"<hr style='margin:6px 0'>{rule}<br>"
            f"<span style='color:{GREY}'>The index runs from 0 (none) to 1 (the most the "
            "model allows). It is a teaching model, not the chance that breathing slows. "
            "The neck's CSF mixing was tuned with the 8–12 h window in view, so the timing "
            "is a calibration, not a proof.</span>")

