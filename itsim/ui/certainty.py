"""How sure are we (lesson 01): move one assumption of the body model across its plausible
range and see three of its results beside what was measured in people.

The assumptions and their ranges are the ones declared in ``data/validation.toml``; the results
are validation rows (``itsim.body.validation``), each computed with the model under its
study's conditions. Each setting's results are cached, so a setting seen once comes back at
once.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import ipywidgets as w
import numpy as np
import plotly.graph_objects as go

from .. import data
from ..body import validation
from ..errors import InputError
from .figure import FigureWidget
from .panel import Panel, field, redraw
from .style import BLUE, FIGURE_LAYOUT, GREEN, GREY, ORANGE, VERMILLION, box, esc

# (label a learner reads, the data path, what it is in plain words)
ASSUMPTIONS = (
    ("Mixing between levels (low back)", "body:csf.mixing_flow",
     "how fast the pulsing CSF mixes the drug between neighbouring levels in the lumbar canal"),
    ("Mixing at the neck", "body:csf.cervical_mixing_flow",
     "how fast the strongly pulsing CSF of the neck mixes it into the head"),
    ("How far an injection spreads", "body:csf.spread_levels",
     "how many levels either side of the needle a fast injection reaches at once"),
)
RESULTS = ("isobaric_peak", "tracer_head", "baclofen_chronic_lumbar")
SHORT = {"isobaric_peak": "bolus at L5: peak at T10 [M8]",
         "tracer_head": "tracer reaches the head [C16]",
         "baclofen_chronic_lumbar": "slow infusion: CSF below the tip [B12]"}
SETTINGS = 5                        # evenly spread settings over the plausible range (log)
VERDICT_STYLE = {"good": (GREEN, "circle"), "fair": (ORANGE, "diamond"),
                 "poor": (VERMILLION, "x")}


def _spec(path: str) -> dict:
    spec = validation.assumptions().get(path)
    if spec is None:
        raise InputError("assumption", path, "one of " + ", ".join(p for _, p, _ in
                                                                   ASSUMPTIONS))
    return spec


def _number(value) -> float:
    return float(str(value).split()[0])


def settings(path: str) -> list[tuple[str, object]]:
    """(label, value) for each setting of ``path``: the plausible range spread evenly on a
    log scale (whole numbers for a count), and the value in itsim's data, in order."""
    spec, now = _spec(path), data.value(path)
    lo, hi = spec["range"]
    unit = spec.get("unit")
    if isinstance(now, int) and not unit:
        values = sorted(set(range(int(lo), int(hi) + 1)) | {now})
    else:
        values = sorted({float(f"{v:.2g}") for v in np.geomspace(lo, hi, SETTINGS)}
                        | {_number(now)})
    out = []
    for v in values:
        label = f"{v:g} {unit}" if unit else f"{v:g}"
        if v == _number(now):
            label += " (itsim)"
        out.append((label, validation.setting(spec, v)))
    return out


def itsim_setting(path: str):
    """The setting that is the value in itsim's data."""
    return next(v for label, v in settings(path) if label.endswith("(itsim)"))


@lru_cache(maxsize=64)
def results(path: str, value) -> dict:
    """{row key: simulated value} for RESULTS with ``path`` set to ``value``."""
    chosen = [r for r in validation.rows() if r.key in RESULTS]
    if _number(value) == _number(data.value(path)):          # itsim's own value
        return {r.key: validation.simulated(r) for r in chosen}
    with data.override({path: value}):
        return {r.key: validation.simulated(r) for r in chosen}


@dataclass
class Certainty:
    path: str
    value: object
    rows: list
    simulated: dict

    def verdict(self, key: str) -> str:
        row = next(r for r in self.rows if r.key == key)
        return validation.verdict(row, self.simulated[key])


class HowSure(Panel):
    """One assumption of the body model, moved across its plausible range: three results
    against what was measured in people, as a share of the published value (1 = agrees)."""

    title = "How sure are we? One assumption at a time"

    def __init__(self, assumption: str = ASSUMPTIONS[0][1]):
        super().__init__()
        self.inputs = {
            "assumption": w.Dropdown(options=[(label, p) for label, p, _ in ASSUMPTIONS],
                                     value=assumption, description="Assumption",
                                     **field("420px", "100px", typed=False)),
            "setting": w.SelectionSlider(options=settings(assumption),
                                         value=itsim_setting(assumption),
                                         description="Setting", continuous_update=False,
                                         **field("520px", "100px", typed=False)),
        }
        self.reactions["assumption"] = self._assumption_changed
        self._rows = [r for r in validation.rows() if r.key in RESULTS]
        labels = [SHORT[r.key] for r in self._rows]
        shapes = []
        for i, r in enumerate(self._rows):
            shapes.append(dict(type="rect", xref="x", yref="y", x0=r.low / r.centre,
                               x1=r.high / r.centre, y0=i - 0.3, y1=i + 0.3,
                               fillcolor=GREEN, opacity=0.25, line=dict(width=0),
                               layer="below"))
        self.figure = FigureWidget(
            data=[go.Scatter(x=[1.0] * len(labels), y=labels, mode="markers+text",
                             textposition="top center", cliponaxis=False,
                             marker=dict(size=16, line=dict(color="black", width=1)),
                             hovertemplate="%{y}: model ÷ published %{x:.2g}<extra></extra>",
                             name="the model")],
            layout=go.Layout(
                **{**FIGURE_LAYOUT, "height": 320, "margin": dict(l=190, r=10, t=60, b=60)},
                width=520, showlegend=False, shapes=shapes,
                xaxis=dict(type="log", range=[-2, 2], title="model ÷ people (1 = agrees)",
                           tickvals=[0.01, 0.1, 0.5, 1, 2, 10, 100],
                           ticktext=["÷100", "÷10", "÷2", "1", "×2", "×10", "×100"]),
                yaxis=dict(range=[-0.6, len(labels) - 0.4])))
        self.readout.layout.width = "290px"
        self._finish()

    def _assumption_changed(self, change):
        options = settings(change["new"])
        with self.hold():
            slider = self.inputs["setting"]
            slider.options = options
            slider.value = itsim_setting(change["new"])

    def reset(self):
        with self.hold():
            self.inputs["assumption"].value = ASSUMPTIONS[0][1]
            self._assumption_changed({"new": ASSUMPTIONS[0][1]})
        self.update()

    def compute(self, assumption, setting):
        allowed = [v for _, v in settings(assumption)]
        if setting not in allowed:
            raise InputError("setting", setting, "one of the settings the slider offers")
        return Certainty(assumption, setting, self._rows, results(assumption, setting))

    def render(self, c: Certainty):
        ratio = [c.simulated[r.key] / r.centre for r in self._rows]
        verdicts = [c.verdict(r.key) for r in self._rows]
        redraw(self.figure,
               {0: dict(x=np.clip(ratio, 0.0101, 99), text=verdicts,
                        marker=dict(color=[VERDICT_STYLE[v][0] for v in verdicts],
                                    symbol=[VERDICT_STYLE[v][1] for v in verdicts],
                                    size=16, line=dict(color="black", width=1)))},
               {"title": dict(text=f"{self._label(c.path)} = {self._shown(c.value)}: "
                                   f"{verdicts.count('good')} of {len(verdicts)} agree")})
        what = next(words for _, p, words in ASSUMPTIONS if p == c.path)
        lines = [f"<b>{esc(self._label(c.path))}</b>: {esc(what)}. A teaching assumption "
                 "(not measured): judge it by the results. Green bands: what was measured "
                 "in people."]
        for r, v in zip(self._rows, verdicts):
            sim = c.simulated[r.key]
            lines.append(f"<b>{esc(SHORT[r.key])}</b>: model {sim:.3g} {esc(r.unit)}, "
                         f"people {esc(r.published.split(' (')[0])}: <b>{v}</b>")
        lines.append("Can one setting make all three agree? If not, the model's structure, not "
                     "only a number, limits it (all results: docs/validation.ipynb).")
        self.readout.value = box("<br>".join(lines), BLUE if "poor" not in verdicts else GREY)

    @staticmethod
    def _label(path: str) -> str:
        return next(label for label, p, _ in ASSUMPTIONS if p == path)

    @staticmethod
    def _shown(value) -> str:
        return f"{value:g}" if isinstance(value, (int, float)) else str(value)
