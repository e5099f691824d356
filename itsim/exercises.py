"""Instant feedback for questions in lessons and exercises.

>>> from itsim.exercises import check
>>> check("q3.1", "0.6 mL/day").status
'right'

Expected answers are computed by itsim from the question's inputs, never typed in. An
answer can be a quantity string (``"0.6 mL/day"``), a pint quantity, a bare number in the
unit the question names, or, for a choice question, the letter or text of a choice. Text is
read as one number and a unit (``units.parse``), never as arithmetic. A blank (``...`` or
``None``) gets "not yet"; nothing a learner types as an answer raises an exception or a
warning. A question id that is not text is a programmer's error (InputError); an unknown id
gets "not yet".
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from numbers import Real
from typing import Callable

from .errors import InputError, UnitKindError
from .units import (KINDS, MAX_TEXT, check_number, convert, fmt, normalise, parse, read_number,
                    registry, significant, split)

MASS_KINDS = ("mass", "dose_rate", "concentration", "flow")   # where a mg/mcg slip shows


@dataclass(frozen=True)
class Question:
    """A question with an answer computed by itsim.

    Numeric questions give ``kind`` (a unit kind), ``unit`` (the unit a bare number is
    read in) and ``expected`` (canonical float); choice questions give ``choices`` and
    ``expected`` returning the key of the right choice.
    """

    id: str
    prompt: str
    expected: Callable[[], object]
    hint: str
    explain: str = ""
    kind: str | None = None
    unit: str | None = None
    tolerance: float = 0.01          # relative: "right" within this
    close: float = 0.10              # relative: "close" within this
    require_unit: bool = False       # a conversion question: a text answer must use `unit`
    choices: dict[str, str] = field(default_factory=dict)

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)

    def answer_text(self) -> str:
        x = self.expected()
        if self.is_choice:
            return f"{x}) {self.choices[x]}"
        return fmt(x, self.kind, self.unit)


@dataclass(frozen=True)
class Feedback:
    """The result of a check: ``status`` is one of right, close, wrong, not yet."""

    question: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "right"

    def __repr__(self) -> str:
        return f"[{self.status.upper()}] {self.message}"

    def _repr_html_(self) -> str:
        colours = {"right": ("#0072B2", "✔ Right"), "close": ("#E69F00", "≈ Close"),
                   "wrong": ("#D55E00", "✘ Not right"), "not yet": ("#555555", "… Not yet")}
        colour, label = colours[self.status]
        return (f'<div role="status" style="border-left:6px solid {colour};padding:6px 10px;'
                f'margin:4px 0;background:#f7f7f7"><b>{label}</b> '
                f'({html.escape(self.question)}): {html.escape(self.message)}</div>')


QUESTIONS: dict[str, Question] = {}


def register(q: Question) -> Question:
    """Add a question to the bank (ids are unique)."""
    if not isinstance(q, Question):
        raise InputError("q", q, "a Question")
    if not isinstance(q.id, str) or q.id in QUESTIONS:
        raise InputError("q.id", q.id, "a new question id as text (not one already in the bank)")
    QUESTIONS[q.id] = q
    return q


def _qid(qid) -> str:
    if not isinstance(qid, str):
        raise InputError("qid", qid, "a question id as text, such as 'q3.1'")
    return qid


def question(qid: str) -> Question:
    """The question with id ``qid``."""
    try:
        return QUESTIONS[_qid(qid)]
    except KeyError:
        lessons = sorted({q.split(".")[0] for q in QUESTIONS}, key=lambda p: (p[0] != "q",
                                                                              int(p.lstrip("qex"))))
        raise InputError("question", qid, f"a question id such as q3.1 or ex7.2 ({len(QUESTIONS)} "
                         f"in all, in groups {', '.join(lessons)}; exercises.QUESTIONS lists "
                         "them)") from None


@dataclass(frozen=True)
class Prompt:
    """A question's text, shown as the cell's output (``ask("ex3.1")``)."""

    question: Question

    def __repr__(self) -> str:
        q = self.question
        unit = f" (answer in {_plural(q.unit)})" if q.unit else ""
        lines = [f"{q.id}: {q.prompt}{unit}"]
        lines += [f"  {k}) {v}" for k, v in q.choices.items()]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        q = self.question
        unit = f" *(answer in {_plural(q.unit)})*" if q.unit else ""
        choices = "".join(f"\n- **{k})** {v}" for k, v in q.choices.items())
        return f"**{q.id}.** {q.prompt}{unit}{choices}"


def _plural(unit: str) -> str:
    return "days" if unit == "day" else unit


def ask(qid: str) -> Prompt:
    """The text of question ``qid``, for a notebook cell to show."""
    return Prompt(question(qid))


def check(qid: str, answer) -> Feedback:
    """Check ``answer`` to question ``qid`` and return friendly feedback (never raises for
    an answer; a ``qid`` that is not text raises InputError)."""
    if _qid(qid) not in QUESTIONS:
        return Feedback(str(qid), "not yet", f"There is no question {qid!r}: check the id in "
                        "the ask(...) cell above.")
    q = question(qid)
    if answer is None or answer is Ellipsis or (isinstance(answer, str) and not answer.strip()):
        return Feedback(qid, "not yet", "Replace the ... with your answer, then run the cell again.")
    if q.is_choice:
        return _check_choice(q, answer)
    return _check_number(q, answer)


def _check_choice(q: Question, answer) -> Feedback:
    if (isinstance(answer, bool) or not isinstance(answer, (str, int))
            or len(str(answer)) > MAX_TEXT):
        return Feedback(q.id, "not yet", f"Answer with one of: {', '.join(q.choices)}.")
    key = str(answer).strip().rstrip(")").strip()
    by_text = {v.lower(): k for k, v in q.choices.items()}
    key = key.lower() if key.lower() in q.choices else by_text.get(key.lower(), key.lower())
    if key not in q.choices:
        return Feedback(q.id, "not yet", f"Answer with one of: {', '.join(q.choices)}.")
    if key == q.expected():
        return Feedback(q.id, "right", q.explain or f"{key}) {q.choices[key]}.")
    return Feedback(q.id, "wrong", f"Not {key}). Hint: {q.hint}")


def _as_number(answer):
    """A bare number (a Python number, or text such as '0.6' or '5e-3') as a float, else
    None (text with a unit, or anything else, goes to ``units.parse``)."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, Real):
        try:
            return float(answer)
        except OverflowError:
            return math.inf
    return read_number(answer)


def _unit_given(answer) -> str | None:
    """The unit written in a text answer ('0.1 mcg/h' -> 'mcg/h'), or None."""
    parts = split(normalise(answer)) if isinstance(answer, str) and len(answer) <= MAX_TEXT \
        else None
    return parts[1] if parts and parts[1] else None


def _shown(answer) -> str:
    """An answer as it is quoted back in feedback: at most 40 characters."""
    text = answer if isinstance(answer, str) else repr(answer)
    return text if len(text) <= 40 else text[:40] + "…"


def _check_number(q: Question, answer) -> Feedback:
    k = KINDS[q.kind]
    number = _as_number(answer)
    try:
        if number is not None:
            value = check_number(number, "answer", answer) / convert(1.0, q.kind, q.unit)
            if not math.isfinite(value) or (number and not value):
                raise InputError("answer", answer, "too large or too small to compute with")
        else:
            value = parse(answer, q.kind, "answer", allow_zero=True)
    except UnitKindError:
        return Feedback(q.id, "wrong", f"That is not {k.description}: the question asks for "
                        f"one, in {q.unit} (for example '{k.example}'). Hint: {q.hint}")
    except InputError as e:
        return Feedback(q.id, "not yet", f"Could not use {_shown(answer)!r}: {e.allowed}. "
                        f"A number in {q.unit}, or a quantity such as '{k.example}', works.")
    if q.require_unit and number is None:
        unit = _unit_given(answer)
        try:
            same = unit is not None and abs(
                registry().Quantity(1, unit.replace("·", "*")).to(q.unit).magnitude - 1) < 1e-9
        except Exception:
            same = False
        if not same:
            return Feedback(q.id, "not yet", f"The question asks you to convert: give the answer "
                            f"in {q.unit}.")
    expected = float(q.expected())        # a Python float: no numpy overflow warnings
    shown = fmt(value, q.kind, q.unit, sig=4)
    err = abs(value - expected) / abs(expected) if expected else (0.0 if not value else math.inf)
    if err <= q.tolerance:
        return Feedback(q.id, "right", f"{shown}. {q.explain}".strip())
    if err <= q.close:
        return Feedback(q.id, "close", f"{shown} is within {q.close:.0%} of the answer but not "
                        f"within {q.tolerance:.0%}: check your rounding and working.")
    for factor in (1000, 0.001):
        if value and expected and abs(value / expected / factor - 1) <= q.close:
            why = ("check mg against mcg (1 mg = 1000 mcg)" if q.kind in MASS_KINDS
                   else "check your units")
            return Feedback(q.id, "wrong", f"{shown} is {significant(value / expected)} times the "
                            f"answer: {why}.")
    return Feedback(q.id, "wrong", f"{shown} is not right. Hint: {q.hint}")


from . import question_bank  # noqa: E402,F401  (registers the questions)
