"""Widgets for the patients' pages (lesson 09): plain words, no code, no sliders (every
control is a labelled box, list or button that works with a keyboard and a screen reader).
Emergencies stand out by words, a sign and a thick border, not by colour alone; every widget
fits a phone's width.
"""
from __future__ import annotations

import datetime as dt

import ipywidgets as w

from .. import patient_guide as guide
from .. import patient_safety as safety
from ..errors import InputError
from .panel import Panel, Shown, field, handled
from .style import BLUE, GREEN, GREY, VERMILLION, box, error_box, esc, plain_message

DRUGS = [("I am not sure", ""), ("baclofen", "baclofen"), ("morphine", "morphine"),
         ("ziconotide", "ziconotide"), ("hydromorphone", "hydromorphone")]
# the pump kinds in plain names (short enough for a phone), "not sure" first
PUMPS = [("I am not sure", "not-sure"), ("set with a programmer", "programmable"),
         ("a valve pump (Prometra)", "valve-gated"), ("no battery (Codman)", "constant-flow")]


def _phone(typed: bool = True) -> dict:
    """An input as wide as 360 px, or the screen if narrower (a phone), label 150 px."""
    out = field("360px", "150px", typed=typed)
    out["layout"] = w.Layout(width="100%", max_width="360px")
    return out


class RefillCalendar(Panel):
    """My refill calendar: the day the pump was filled, how much went in, how fast it runs and
    which pump it is -> the last day to book the next refill (about a week before the alarm,
    or before a pump without an alarm gets low, unless the 6-month or the medicine's limit
    comes first: it says which sets the date), and the alarm or low date."""

    title = "My refill calendar"

    def __init__(self):
        super().__init__()
        self.inputs = {
            "refilled": w.DatePicker(value=dt.date(2026, 12, 3), description="Pump filled on",
                                     **_phone(typed=False)),
            "volume": w.Text(value="20 mL", description="Amount put in",
                             placeholder="for example 20 mL", **_phone()),
            "rate": w.Text(value="0.5 mL/day", description="Pump rate",
                           placeholder="for example 0.5 mL/day", **_phone()),
            "drug": w.Dropdown(options=DRUGS, value="", description="Medicine",
                               **_phone(typed=False)),
            "pump": w.Dropdown(options=PUMPS, value="not-sure", description="Pump type",
                               **_phone(typed=False)),
        }
        self.figure = None
        self._finish()
        self.readout.layout = w.Layout(width="100%", max_width="460px")

    def compute(self, refilled, volume, rate, drug, pump):
        return guide.refill_calendar(refilled, volume, rate, drug=drug or None, pump=pump)

    def render(self, c: guide.Calendar):
        day = "%A %d %B %Y"
        note = (f"<br><i>{esc(c.note)}</i>" if c.note else "")
        self.readout.value = box(
            f"Next refill: <b>on or before {c.visit_date:{day}}</b>.<br>"
            f"What sets this date: {esc(c.reason)}.<br>"
            + esc(c.warning_words()) + "<br>"
            f"The pump would be empty: about {c.empty_date:{day}}.{note}<br>"
            f"<span style='color:{GREY}'>Your clinic gives you the real dates. The amount and "
            "the rate are on your refill record.</span>", BLUE)


def wide(width: str = "560px") -> w.Layout:
    """A layout as wide as ``width``, or the screen if that is narrower (phones)."""
    return w.Layout(width="100%", max_width=width)


def emergency_box(body_html: str) -> str:
    """An emergency message: the word EMERGENCY and a warning sign, a thick dark border and a
    pale background (it stands out without colour too). ``body_html`` is already escaped."""
    return (f'<div role="alert" style="border:4px solid #000;border-left:12px solid '
            f'{VERMILLION};padding:8px 12px;background:#fff4ec;line-height:1.5;'
            f'max-width:560px;box-sizing:border-box">'
            f'<b style="font-size:1.1em">⚠ EMERGENCY</b><br>{body_html}</div>')


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _action_html(answer: safety.Answer) -> str:
    if answer.tier == "emergency":
        text = _sentence(answer.action.removeprefix("Emergency: "))
        return (f'<div style="border:3px solid #000;border-left:10px solid {VERMILLION};'
                f'padding:4px 8px;margin-top:4px;background:#fff4ec"><b>⚠ EMERGENCY:</b> '
                f'{esc(text)}</div>')
    return f'<div style="margin-top:2px">☎ {esc(answer.action)}</div>'


class AlarmGuide(Shown):
    """What does this alarm mean? Listen to an approximation of each sound, choose the one
    you hear, and read what it means and what to do. The two-tone alarm is critical: call the
    doctor at once, and go to the emergency department if the care team cannot be reached."""

    def __init__(self):
        self.choice = w.RadioButtons(options=[("I have not chosen yet", "")] + [
            (a.sound.capitalize(), k) for k, a in guide.alarms().items()], value="",
            description="What do you hear?", style={"description_width": "initial"},
            layout=wide("520px"))
        self.listen(self.choice, lambda _: self.update())
        players = []
        for kind, a in guide.alarms().items():
            audio = w.Audio(value=guide.tone(kind), format="wav", autoplay=False, loop=False,
                            layout=w.Layout(width="100%", max_width="300px"))
            players.append(w.VBox([w.HTML(f"{esc(a.sound.capitalize())}:"), audio],
                                  layout=wide("520px")))
        self.readout = w.HTML(layout=wide("560px"))
        self.reset_button = w.Button(description="Reset", tooltip="Clear the choice")
        self.on_press(self.reset_button, lambda _: self.reset())
        self.widget = w.VBox([w.HTML("<h4 style='margin:4px 0'>What does this alarm mean?"
                                     "</h4>"), *players,
                              w.HTML(f"<span style='color:{GREY}'>These sounds are made by "
                                     "the computer to give you an idea. They are not the "
                                     "pump's real sound. Ask your nurse to play the real "
                                     "alarms for you.</span>", layout=wide("560px")),
                              self.choice, self.reset_button, self.readout],
                             layout=wide("560px"))
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
        if kind == "two-tone":
            self.readout.value = emergency_box(
                f"<b>{esc(a.meaning)}</b><br>{esc(a.action)}")
        else:
            self.readout.value = box(f"<b>{esc(a.meaning)}</b><br>{esc(a.action)}", BLUE)


class EmergencyCard(Shown):
    """The emergency signs: go to the emergency department now (or call an ambulance) and
    show the pump card. From ``data/patient.toml`` [emergency] and [tiers.emergency]."""

    def __init__(self):
        route = _sentence(safety.tier("emergency").text.removeprefix("Emergency: "))
        items = "".join(f"<li style='margin:4px 0'><b>{esc(e.sign)}</b> {esc(e.means.text)}"
                        "</li>" for e in safety.emergencies())
        self.readout = w.HTML(
            f'<section aria-labelledby="itsim-emergency" style="border:4px solid #000;'
            f'border-left:14px solid {VERMILLION};background:#fff4ec;padding:8px 14px;'
            f'line-height:1.5;max-width:600px;box-sizing:border-box">'
            f'<h4 id="itsim-emergency" style="margin:4px 0;font-size:1.2em">⚠ EMERGENCY: '
            f'go now</h4><p style="margin:4px 0"><b>{esc(route)}</b></p>'
            f'<ul style="margin:4px 0;padding-left:1.2em">{items}</ul></section>',
            layout=wide("600px"))
        self.widget = w.VBox([self.readout], layout=wide("600px"))


class WarningSigns(Shown):
    """Sort the warning signs: too much medicine, too little medicine, or the wound or an
    infection. A sign can belong to more than one group (every one is right). Each choice
    gets an answer at once, with what to do; emergencies are marked in words, not by colour
    alone."""

    def __init__(self):
        options = [("choose", "")] + [(v, k) for k, v in safety.GROUPS.items()]
        self.table = safety.signs()
        self.rows = {}
        boxes = []
        for sign in self.table:
            pick = w.Dropdown(options=options, value="", description=sign.capitalize(),
                              style={"description_width": "initial"},
                              layout=wide("560px"))
            answer = w.HTML(layout=wide("560px"))
            self.listen(pick, lambda _, s=sign: self.check(s))
            self.rows[sign] = (pick, answer)
            boxes += [pick, answer]
        self.score = self.readout = w.HTML()         # the readout is the score line
        self.reset_button = w.Button(description="Reset", tooltip="Clear every choice")
        self.on_press(self.reset_button, lambda _: self.reset())
        self.widget = w.VBox([w.HTML("<h4 style='margin:4px 0'>Warning signs: sort them</h4>"
                                     "<span>Some signs fit more than one group.</span>"),
                              *boxes, self.reset_button, self.score], layout=wide("560px"))
        self._count()

    @handled
    def check(self, sign: str):
        pick, answer = self.rows[sign]
        if not pick.value:
            answer.value = ""
        else:
            try:
                a = safety.sort_sign(sign, pick.value)
            except InputError as e:
                answer.value = error_box(plain_message(e, {"sign": "Sign", "group": "Group"}))
            else:
                answer.value = (f'<div role="status" style="color:'
                                f'{GREEN if a.right else VERMILLION}">'
                                f'{"✔" if a.right else "✘"} {esc(a.text)}</div>'
                                + _action_html(a))
        self._count()

    def _count(self):
        done = [(s, p.value) for s, (p, _) in self.rows.items() if p.value]
        right = sum(g in self.table[s].groups for s, g in done)
        self.score.value = f"<b>{right} of {len(self.rows)}</b> sorted correctly."

    @handled
    def reset(self):
        for pick, answer in self.rows.values():
            pick.value = ""
            answer.value = ""
        self._count()


class TravelGuide(Shown):
    """Flying, diving and heat: the advice for your kind of pump."""

    def __init__(self):
        kinds = safety.pump_kinds()
        self.kind = w.Dropdown(options=[(v, k) for k, v in kinds.items()], value="not-sure",
                               description="My pump is", style={"description_width": "initial"},
                              layout=wide("560px"))
        self.listen(self.kind, lambda _: self.update())
        self.readout = w.HTML(layout=wide("560px"))
        self.widget = w.VBox([w.HTML("<h4 style='margin:4px 0'>Travel, diving and heat for "
                                     "my pump</h4>"), self.kind, self.readout],
                             layout=wide("560px"))
        self.update()

    def labels(self) -> dict:
        return {"pump kind": "My pump is"}

    @handled
    def update(self):
        t = safety.travel(self.kind.value)
        facts = (t.flying, t.diving, t.heat)
        tags = sorted({tag for f in facts for tag in f.source})
        rows = "".join(f"<div style='margin:4px 0'><b>{name}.</b> {esc(text)}</div>" for name, text
                       in (("Flying", t.flying_text().replace(" %", "\u00a0%")),
                           ("Diving", t.diving.text),
                           ("Heat", t.heat.text)))
        guess = (" Some of this is the course's own advice, where the makers say nothing: "
                 "ask your team." if any(f.assumption for f in facts) or t.cabin_change
                 is not None else "")
        self.readout.value = box(
            rows + f"<span style='color:{GREY}'>Sources: {esc(', '.join(tags))}.{guess}"
            "</span>", BLUE)
