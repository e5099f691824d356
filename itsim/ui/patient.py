"""Widgets for the patients' pages (lesson 09): plain words, no code, no sliders (every
control is a labelled box, list or button that works with a keyboard and a screen reader).
"""
from __future__ import annotations

import datetime as dt

import ipywidgets as w

from .. import patient_guide as guide
from ..errors import InputError
from .panel import Panel, Shown, field, handled
from .style import BLUE, GREEN, GREY, VERMILLION, box, error_box, esc, plain_message

DRUGS = [("I am not sure", ""), ("baclofen", "baclofen"), ("morphine", "morphine"),
         ("ziconotide", "ziconotide"), ("hydromorphone", "hydromorphone")]


class RefillCalendar(Panel):
    """My refill calendar: the day the pump was filled, how much went in and how fast it
    runs -> the last day to book the next refill, about a week before the alarm (the alarm is
    a last warning, not the refill date), and the alarm date."""

    title = "My refill calendar"

    def __init__(self):
        super().__init__()
        self.inputs = {
            "refilled": w.DatePicker(value=dt.date(2026, 12, 3), description="Pump filled on",
                                     **field("360px", "150px", typed=False)),
            "volume": w.Text(value="20 mL", description="Amount put in",
                             placeholder="for example 20 mL", **field("360px", "150px")),
            "rate": w.Text(value="0.5 mL/day", description="Pump rate",
                           placeholder="for example 0.5 mL/day", **field("360px", "150px")),
            "drug": w.Dropdown(options=DRUGS, value="", description="Medicine",
                               **field("360px", "150px", typed=False)),
        }
        self.figure = None
        self._finish()

    def compute(self, refilled, volume, rate, drug):
        return guide.refill_calendar(refilled, volume, rate, drug=drug or None)

    def render(self, c: guide.Calendar):
        day = "%A %d %B %Y"
        self.readout.layout.width = "460px"
        warn = (f"The pump's low-medicine alarm would sound about {c.alarm_date:{day}}. "
                "Do not wait for it: that leaves about a week to spare.<br>"
                if c.alarm_date is not None else
                f"Your pump has no alarm. It gets low about {c.reserve_date:{day}}: come "
                "about a week before.<br>")
        self.readout.value = box(
            f"Next refill: <b>on or before {c.visit_date:{day}}</b> ({esc(c.reason)}).<br>"
            + warn +
            f"The pump would be empty: about {c.empty_date:{day}}.<br>"
            f"<span style='color:{GREY}'>Your clinic gives you the real dates. The amount and "
            "the rate are on your refill record.</span>", BLUE)


class AlarmGuide(Shown):
    """What does this alarm mean? Listen to an approximation of each sound, choose the one
    you hear, and read what it means and what to do."""

    def __init__(self):
        self.choice = w.RadioButtons(options=[("I have not chosen yet", "")] + [
            (a.sound.capitalize(), k) for k, a in guide.alarms().items()], value="",
            description="What do you hear?", style={"description_width": "150px"},
            layout=w.Layout(width="520px"))
        self.listen(self.choice, lambda _: self.update())
        players = []
        for kind, a in guide.alarms().items():
            audio = w.Audio(value=guide.tone(kind), format="wav", autoplay=False, loop=False,
                            layout=w.Layout(width="300px"))
            players.append(w.HBox([w.HTML(f"<span style='width:220px;display:inline-block'>"
                                          f"{esc(a.sound.capitalize())}:</span>"), audio]))
        self.readout = w.HTML(layout=w.Layout(width="520px"))
        self.reset_button = w.Button(description="Reset", tooltip="Clear the choice")
        self.on_press(self.reset_button, lambda _: self.reset())
        self.widget = w.VBox([w.HTML("<h4 style='margin:4px 0'>What does this alarm mean?"
                                     "</h4>"), *players,
                              w.HTML(f"<span style='color:{GREY}'>These sounds are made by "
                                     "the computer to give you an idea. They are not the "
                                     "pump's real sound. Ask your nurse to play the real "
                                     "alarms for you.</span>"),
                              self.choice, self.reset_button, self.readout])
        self.update()

    @handled
    def reset(self):
        self.choice.value = ""

    @handled
    def update(self):
        kind = self.choice.value
        if not kind:
            self.readout.value = box("Choose the sound you hear.", GREY)
            return
        a = guide.alarm(kind)
        urgent = kind == "two-tone"
        self.readout.value = box(f"<b>{esc(a.meaning)}</b><br>{esc(a.action)}",
                                 VERMILLION if urgent else BLUE)


class WarningSigns(Shown):
    """Sort the warning signs: too much medicine, too little medicine, or the wound. Each
    choice gets an answer at once."""

    def __init__(self):
        options = [("choose", "")] + [(v, k) for k, v in guide.GROUPS.items()]
        self.rows = {}
        boxes = []
        for sign in guide.signs():
            pick = w.Dropdown(options=options, value="", description=sign.capitalize(),
                              style={"description_width": "300px"},
                              layout=w.Layout(width="560px"))
            answer = w.HTML(layout=w.Layout(width="560px"))
            self.listen(pick, lambda _, s=sign: self.check(s))
            self.rows[sign] = (pick, answer)
            boxes += [pick, answer]
        self.score = self.readout = w.HTML()         # the readout is the score line
        self.reset_button = w.Button(description="Reset", tooltip="Clear every choice")
        self.on_press(self.reset_button, lambda _: self.reset())
        self.widget = w.VBox([w.HTML("<h4 style='margin:4px 0'>Warning signs: sort them</h4>"),
                              *boxes, self.reset_button, self.score])
        self._count()

    @handled
    def check(self, sign: str):
        pick, answer = self.rows[sign]
        if not pick.value:
            answer.value = ""
        else:
            try:
                right, text = guide.sort_sign(sign, pick.value)
            except InputError as e:
                answer.value = error_box(plain_message(e, {"sign": "Sign", "group": "Group"}))
            else:
                answer.value = (f'<div role="status" style="color:{GREEN if right else VERMILLION}'
                                f'">{"✔" if right else "✘"} {esc(text)}</div>')
        self._count()

    def _count(self):
        done = [(s, p.value) for s, (p, _) in self.rows.items() if p.value]
        right = sum(guide.signs()[s] == g for s, g in done)
        self.score.value = f"<b>{right} of {len(self.rows)}</b> sorted correctly."

    @handled
    def reset(self):
        for pick, answer in self.rows.values():
            pick.value = ""
            answer.value = ""
        self._count()
