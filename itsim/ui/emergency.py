"""The emergency room as a widget: a patient arrives, the vital signs move, the nurse acts.

Code-free (Voilà): a case list, the story, action buttons, wait buttons, Finish and Reset; a
vitals plot (breathing, heart rate, temperature, sedation: each line with its own colour
and dash, Okabe-Ito) with a text readout beside it that says every number in words (meaning
is never carried by colour alone). Fits a 1366x768 screen: plot 480 px wide, readout
340 px (830 px in all, the width of a JupyterLab output on a laptop); on a phone the rows stack and the plot scrolls sideways.
"""
from __future__ import annotations

import ipywidgets as w
import plotly.graph_objects as go

from .. import emergency
from ..errors import InputError
from .figure import FigureWidget
from .panel import Shown, field, redraw
from .style import BLUE, FIGURE_LAYOUT, ORANGE, PURPLE, VERMILLION, box, esc

WAITS = ("2 min", "10 min", "1 h", "4 h")
# short button labels (the full label is the tooltip and goes in the notes); * = a physician
SHORT = {"naloxone": "Naloxone {naloxone_low} IV", "naloxone-2mg": "Naloxone {naloxone_high} IV",
         "benzodiazepine": "Diazepam {benzodiazepine}", "call-help": "Call for help",
         "check-ck-temperature": "Check CK, temp.", "interrogate": "Interrogate pump",
         "stop-pump": "Stop the pump", "empty-pump": "Empty the reservoir",
         "drain-port": "Drain CSF: port *", "drain-lp": "Drain CSF: lumbar *",
         "it-bolus": "IT baclofen {it_bolus} *", "it-bolus-100": "IT baclofen {it_bolus_high} *",
         "naloxone-infusion": "Naloxone drip 12 h *", "restore": "Physician's restart *",
         "physostigmine": "Physostigmine IV *"}


class EmergencyRoom(Shown):
    """Pick a case; act and wait; Finish scores the outcome and the time to the right action.

    Layout (one 1366x768 screen): the case and its story on top, the action buttons and the
    time buttons (Wait, Finish, Reset) under them, then the compact vitals plot with the
    readout beside it. Rows wrap on a narrow screen; the plot scrolls sideways on a phone."""

    def __init__(self, cases=None):
        names = emergency.names() if cases is None else list(cases)
        if not names:
            raise InputError("cases", cases, "at least one emergency case")
        self.cases = [emergency.load(n) for n in names]
        self.case_box = w.Dropdown(options=[(c.title, i) for i, c in enumerate(self.cases)],
                                   value=0, description="Case", **field("100%", "40px",
                                                                          typed=False))
        self.case_box.layout.max_width = "640px"
        self.listen(self.case_box, lambda _: self.reset())
        self.buttons = {}
        for name, (_, physician) in emergency.ACTIONS.items():
            full = emergency.action_label(name)
            b = w.Button(description=SHORT[name].format(**emergency.doses()) if name in SHORT
                         else full[:24],
                         tooltip=full + (" (a physician does this: call for help first)"
                                         if physician else ""),
                         layout=w.Layout(width="152px", height="30px", margin="1px", padding="0 4px"))
            self.on_press(b, lambda _, n=name: self.act(n))
            self.buttons[name] = b
        self.wait_buttons = []
        for d in WAITS:
            b = w.Button(description=f"Wait {d}",
                         layout=w.Layout(width="98px", height="30px", margin="1px", padding="0 4px"))
            self.on_press(b, lambda _, d=d: self.wait(d))
            self.wait_buttons.append(b)
        self.finish_button = w.Button(description="Finish and score", button_style="primary",
                                      layout=w.Layout(width="124px", height="30px", margin="1px", padding="0 4px"))
        self.on_press(self.finish_button, lambda _: self.finish())
        self.reset_button = w.Button(description="Reset", tooltip="Start the case again",
                                     icon="undo",
                                     layout=w.Layout(width="74px", height="30px", margin="1px", padding="0 4px"))
        self.on_press(self.reset_button, lambda _: self.reset())
        self.story = w.HTML(layout=w.Layout(width="100%", max_width="980px"))
        self.readout = w.HTML(layout=w.Layout(width="340px", max_width="100%"))
        self.readout.add_class("itsim-er-readout")
        minutes, v = emergency.Session(self.case).history()
        traces = [go.Scatter(name=name, mode="lines", x=minutes, y=y,
                             line=dict(color=colour, dash=dash, width=2.5))
                  for name, y, colour, dash in (("breathing /min", v["breathing_per_min"],
                                                 BLUE, "solid"),
                                             ("heart /min", v["heart_per_min"],
                                              VERMILLION, "dash"),
                                             ("temp. °C × 2", v["temperature_c"] * 2,
                                              ORANGE, "dot"),
                                             ("sedation (0-3) × 10", v["sedation_0_3"] * 10,
                                              PURPLE, "dashdot"))]
        # the traces and the first case's data go in with the figure: changes made to a
        # FigureWidget before it is on the page never reached the browser in Voila (plotly
        # 7, anywidget): the plot stayed empty until the first button press
        self.fig = FigureWidget(go.Figure(traces, layout=dict(
            FIGURE_LAYOUT, width=480, height=270, margin=dict(l=50, r=10, t=56, b=40),
            title=dict(FIGURE_LAYOUT["title"], text="Vital signs (the readout gives each "
                       "number in words)", font=dict(size=13)),
            legend=dict(FIGURE_LAYOUT["legend"], font=dict(size=10), itemwidth=30),
            xaxis_title="minutes since arrival", yaxis_title="value")))
        grid = w.GridBox(list(self.buttons.values()), layout=w.Layout(
            grid_template_columns="repeat(auto-fill, 154px)", width="100%", max_width="620px"))
        wb = self.wait_buttons
        timing = w.VBox([w.HBox(wb[:2]), w.HBox(wb[2:]),
                         w.HBox([self.finish_button, self.reset_button])])
        plot = w.Box([self.fig], layout=w.Layout(overflow="auto hidden", max_width="100%",
                                                 flex="0 1 auto"))
        self.widget = w.VBox([
            w.HTML("<h4 style='margin:2px 0'>Emergency room</h4>"), self.case_box, self.story,
            w.HBox([w.VBox([w.HTML("<b>Actions</b>, each done now (* a physician does it: "
                                   "call for help first)"), grid]),
                    w.VBox([w.HTML("<b>Time</b> passes when you wait"), timing])],
                   layout=w.Layout(flex_flow="row wrap", align_items="flex-start")),
            w.HBox([plot, self.readout],
                   layout=w.Layout(flex_flow="row wrap", align_items="flex-start"))],
            layout=w.Layout(width="100%", max_width="1000px"))
        self.widget.add_class("itsim-er")
        self.reset()

    @property
    def case(self):
        return self.cases[self.case_box.value]

    def reset(self):
        self.session = emergency.Session(self.case)
        self.buttons["restore"].tooltip = (self.session.restore_text()
                                           + " (a physician does this: call for help first)")
        self.notes = []
        self.story.value = (f"<p><b>{esc(self.case.title)}</b></p>"
                            f"<p>{esc(self.case.presentation)}</p>")
        self.show()

    def act(self, name: str):
        self.session.act(name)
        label = self.session.label(name)
        if name in ("it-bolus", "it-bolus-100"):
            self.notes.append(f"{self.session.now:.0f} min: {label}. "
                              + emergency.bolus_time_course())
        elif name == "restore":
            self.notes.append(f"{self.session.now:.0f} min: {self.session.restore_text()}")
        elif name == "interrogate":
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
                                 VERMILLION if result.harmed or result.unsafe or result.dangerous
                                 or result.missing else BLUE)

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
