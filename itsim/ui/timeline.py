"""A figure of one simulated patient: the score, the overdose and withdrawal indices, the
reservoir, and the pump's alarms and events marked on the time axis."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..errors import InputError
from .body import FIGURE_WIDTH
from .figure import FigureWidget
from .style import BLUE, FIGURE_LAYOUT, GREY, ORANGE, PURPLE, VERMILLION


def timeline_figure(tl, title: str = "", events: tuple = ()) -> go.Figure:
    """Three rows over days: the patient's score (pain or tone), the overdose and withdrawal
    indices (0-1), and the reservoir (mL); alarms as red crosses on the reservoir, and the log
    entries of ``events`` kinds as grey lines."""
    r = tl.response
    if r is None:
        raise InputError("tl", "a timeline without a patient", "a timeline with a patient's "
                         "response: simulate with patient=..., e.g. patient='cancer-pain'")
    t = np.asarray(tl.t)
    od = r.pharmacology.overdose_effect
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        row_heights=[0.4, 0.3, 0.3])
    fig.add_trace(go.Scatter(x=t, y=r.score, name="pain (NRS)" if r.scale == "NRS"
                             else "tone (Ashworth)", line=dict(color=BLUE, width=3)), 1, 1)
    fig.add_trace(go.Scatter(x=t, y=r.effects[od], name=f"overdose: {od.replace('_', ' ')}",
                             line=dict(color=VERMILLION, width=2.5)), 2, 1)
    fig.add_trace(go.Scatter(x=t, y=r.withdrawal, name="withdrawal",
                             line=dict(color=PURPLE, width=2.5, dash="dash")), 2, 1)
    fig.add_trace(go.Scatter(x=t, y=tl.reservoir, name="reservoir (mL)",
                             line=dict(color=ORANGE, width=2.5)), 3, 1)
    alarms = [a for a in tl.alarms]
    if alarms:
        idx = np.minimum(np.searchsorted(t, [a.day for a in alarms]), t.size - 1)
        fig.add_trace(go.Scatter(x=[a.day for a in alarms], y=np.asarray(tl.reservoir)[idx],
                                 mode="markers", name="pump alarm",
                                 text=[a.kind for a in alarms],
                                 marker=dict(symbol="x", size=12, color=VERMILLION,
                                             line=dict(color="black", width=1))), 3, 1)
    for e in tl.log:
        if e.kind in events:
            fig.add_vline(x=e.day, line=dict(color=GREY, dash="dot"))
    fig.update_layout(**{**FIGURE_LAYOUT, "width": FIGURE_WIDTH + 150, "height": 560,
                         "margin": dict(l=60, r=20, t=110, b=50)}, title_text=title)
    fig.update_yaxes(range=[0, r.scale_max * 1.05], row=1, col=1)
    fig.update_yaxes(range=[0, 1], title_text="index", row=2, col=1)
    fig.update_yaxes(rangemode="tozero", title_text="mL", row=3, col=1)
    fig.update_xaxes(title_text="days", row=3, col=1)
    return fig


def course_figure(x_title: str, layout: dict) -> FigureWidget:
    """An empty live figure for a patient's course: the score above (trace 0), the overdose
    sign (1) and withdrawal (2) indices below, with the 0.5 syndrome line. Panels fill it."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.55, 0.45],
                        vertical_spacing=0.08)
    hover = "day %{x:.2f}: %{y:.2f}<extra></extra>"
    fig.add_trace(go.Scatter(name="score (pain or tone)", line=dict(color=BLUE, width=3),
                             hovertemplate=hover), 1, 1)
    fig.add_trace(go.Scatter(name="overdose sign", line=dict(color=VERMILLION, width=2.5),
                             hovertemplate=hover), 2, 1)
    fig.add_trace(go.Scatter(name="withdrawal", line=dict(color=PURPLE, width=2.5, dash="dash"),
                             hovertemplate=hover), 2, 1)
    fig.add_hline(y=0.5, line=dict(color=GREY, dash="dot"), row=2, col=1)
    fig.update_layout(**layout)
    fig.update_yaxes(title_text="index (0-1)", range=[0, 1], row=2, col=1)
    fig.update_xaxes(title_text=x_title, row=2, col=1)
    return FigureWidget(fig)
