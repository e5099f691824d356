"""The emergency room as a widget: a patient arrives, the vital signs move, the nurse acts.

Code-free (Voilà): a case list, the story, action buttons, wait buttons, Finish and Reset; a
vitals plot (breathing, heart rate, temperature; sedation beside) with a text readout beside
it that says every number in words (meaning is never carried by colour alone). Fits a
1366x768 screen: plot 560 px wide, readout 360 px.
"""
from __future__ import annotations

import ipywidgets as w
import plotly.graph_objects as go

from .. import emergency
from ..errors import InputError
from .panel import Shown, field, redraw
from .style import BLUE, FIGURE_LAYOUT, ORANGE, PURPLE, VERMILLION, box, esc

WAITS = ("2 min", "10 min", "1 h", "4 h")


class EmergencyRoom(Shown):
    """Pick a case; act and wait; Finish scores the outcome and the time to the right action."""

    def __init__(self, cases=None):
        names = emergency.names() if cases is None else list(cases)
        if not names:
            raise InputError("cases", cases, "at least one emergency case")
        self.cases = [emergency.load(n) for n in names]
        self.case_box = w.Dropdown(options=[(c.title, i) for i, c in enumerate(self.cases)],
                                   value=0, description="Case", **field("560px", "60px",
                                                                          typed=False))
        self.listen(self.case_box, lambda _: self.reset())
        self.buttons = {}
        for name, (label, physician) in emergency.ACTIONS.items():
            b = w.Button(description=label[:34], tooltip=label + (" (a physician does this: "
                                                                  "call for help first)"
                                                                  if physician else ""),
                         layout=w.Layout(width="272px"))
            self.on_press(b, lambda _, n=name: self.act(n))
            self.buttons[name] = b
        self.wait_buttons = []
        for d in WAITS:
            b = w.Button(description=f"Wait {d}", layout=w.Layout(width="90px"))
            self.on_press(b, lambda _, d=d: self.wait(d))
            self.wait_buttons.append(b)
        self.finish_button = w.Button(description="Finish and score", button_style="primary")
        self.on_press(self.finish_button, lambda _: self.finish())
        self.reset_button = w.Button(description="Reset", tooltip="Start the case again")
        self.on_press(self.reset_button, lambda _: self.reset())
        self.story = w.HTML(layout=w.Layout(width="560px"))
        self.readout = w.HTML(layout=w.Layout(width="360px"))
        self.fig = go.FigureWidget(layout=dict(FIGURE_LAYOUT, width=560, height=300))
        for name, colour, dash in (("breathing /min", BLUE, "solid"),
                                   ("heart rate /min", VERMILLION, "dash"),
                                   ("temperature °C x 2", ORANGE, "dot"),
                                   ("sedation 0-3 x 10", PURPLE, "dashdot")):
            self.fig.add_trace(go.Scatter(name=name, line=dict(color=colour, dash=dash,
                                                               width=2.5)))
        self.fig.update_layout(xaxis_title="minutes since arrival", yaxis_title="value",
                               title="Vital signs")
        grid = w.GridBox(list(self.buttons.values()),
                         layout=w.Layout(grid_template_columns="repeat(2, 276px)"))
        self.widget = w.VBox([
            w.HTML("<h4 style='margin:4px 0'>Emergency room</h4>"), self.case_box, self.story,
            w.HBox([self.fig, self.readout]),
            w.HBox([w.VBox([w.HTML("<b>Actions</b> (each happens now):"), grid]),
                    w.VBox([w.HTML("<b>Time</b>"), *self.wait_buttons, self.finish_button,
                            self.reset_button])])])
        self.reset()

    @property
    def case(self):
        return self.cases[self.case_box.value]

    def reset(self):
        self.session = emergency.Session(self.case)
        self.notes = []
        self.story.value = (f"<p><b>{esc(self.case.title)}</b></p>"
                            f"<p>{esc(self.case.presentation)}</p>")
        self.show()

    def act(self, name: str):
        self.session.act(name)
        label = emergency.ACTIONS[name][0]
        if name == "interrogate":
            self.notes.append("Pump: " + self.session.interrogate().replace("\n", " "))
        elif name == "check-ck-temperature":
            self.notes.append(self.session.check_ck_temperature())
        else:
            self.notes.append(f"{self.session.now:.0f} min: {label}.")
        self.show()

    def wait(self, duration: str):
        self.session.wait(duration)
        self.show()

    def finish(self):
        result = self.session.finish()
        self.readout.value = box("<br>".join(esc(x) for x in result.lines),
                                 VERMILLION if result.harmed or result.unsafe else BLUE)

    def show(self):
        s = self.session
        minutes, v = s.history()
        redraw(self.fig, {0: dict(x=minutes, y=v["breathing_per_min"]),
                          1: dict(x=minutes, y=v["heart_per_min"]),
                          2: dict(x=minutes, y=v["temperature_c"] * 2),
                          3: dict(x=minutes, y=v["sedation_0_3"] * 10)})
        now = s.vitals()
        what = "Tone (Modified Ashworth 0-4)" if now["scale"] == "MAS" else "Pain (0-10)"
        rows = [f"<b>Minute {now['minute']:.0f}</b> after arrival",
                f"Breathing: {now['breathing_per_min']:.0f} a minute",
                f"Sedation: {now['sedation_0_3']:.0f} of 3",
                f"Temperature: {now['temperature_c']:.1f} °C",
                f"Heart rate: {now['heart_per_min']:.0f} a minute",
                f"Blood pressure (systolic): {now['systolic_mmhg']:.0f} mmHg",
                f"{what}: {now['tone_or_pain']:.1f}"]
        if now["confusion_0_1"] >= 0.3:
            rows.append("Mental state: confused, frightened, seeing things")
        rows += [esc(n) for n in self.notes[-5:]]
        self.readout.value = box("<br>".join(rows))
