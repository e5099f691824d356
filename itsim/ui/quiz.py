"""A question with instant feedback, drawn from the bank in :mod:`itsim.exercises`."""
from __future__ import annotations

import ipywidgets as w

from .. import exercises
from .panel import Shown, handled
from .style import box, esc


class Question(Shown):
    """Shows a question, takes an answer (a box for numbers, buttons for choices) and gives
    feedback at once; "Show answer" reveals the worked answer."""

    def __init__(self, qid: str):
        self.question = exercises.question(qid)
        q = self.question
        if q.is_choice:
            self.answer = w.RadioButtons(options=[(f"{k}) {v}", k) for k, v in q.choices.items()],
                                         value=None, layout=w.Layout(width="auto"))
        else:
            unit = "days" if q.unit == "day" else q.unit
            self.answer = w.Text(placeholder=f"a number, or with its unit: 1.5 {unit}",
                                 layout=w.Layout(width="380px"),
                                 description=f"Answer ({unit})",
                                 style={"description_width": "initial"},
                                 continuous_update=False)
        self.check_button = w.Button(description="Check", button_style="primary")
        self.show_button = w.Button(description="Show answer")
        self.reset_button = w.Button(description="Reset")
        self.feedback = self.readout = w.HTML()       # the readout is the feedback
        self.on_press(self.check_button, lambda _: self.check())
        self.on_press(self.show_button, lambda _: self.show_answer())
        self.on_press(self.reset_button, lambda _: self.reset())
        if not q.is_choice:
            self.listen(self.answer, lambda _: self.check())
        self.widget = w.VBox([
            w.HTML(f"<b>{esc(q.id)}.</b> {esc(q.prompt)}"), self.answer,
            w.HBox([self.check_button, self.show_button, self.reset_button]), self.feedback])

    @handled
    def check(self, answer=None):
        """Check ``answer`` (or what is in the box) and show the feedback."""
        value = self.answer.value if answer is None else answer
        if value is None or (isinstance(value, str) and not value.strip()):
            what = "Choose an answer" if self.question.is_choice else "Type an answer in the box"
            result = exercises.Feedback(self.question.id, "not yet", f"{what}, then press Check.")
            self.feedback.value = result._repr_html_()
            return result
        result = exercises.check(self.question.id, value)
        self.feedback.value = result._repr_html_()
        return result

    @handled
    def show_answer(self):
        q = self.question
        self.feedback.value = box(f"<b>Answer</b>: {esc(q.answer_text())}. {esc(q.explain)}")

    @handled
    def reset(self):
        self.answer.value = None if self.question.is_choice else ""
        self.feedback.value = ""
