"""Colours and small HTML pieces shared by every panel.

Colours are the Okabe-Ito palette, safe for the common kinds of colour blindness; meaning
is never carried by colour alone (each line is labelled, each finding says its severity).
"""
from __future__ import annotations

import datetime as dt
import html
import math
import re
from numbers import Real

BLUE = "#0072B2"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#555555"

SEVERITY_COLOURS = {"danger": VERMILLION, "caution": ORANGE, "info": BLUE}
SEVERITY_WORDS = {"danger": "Stop and check", "caution": "Caution", "info": "Note"}

FIGURE_LAYOUT = dict(
    template="simple_white",
    height=320,
    margin=dict(l=60, r=20, t=90, b=50),
    font=dict(size=13),
    title=dict(x=0, xanchor="left", y=0.98, yanchor="top", font=dict(size=15)),
    legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
)


def esc(text) -> str:
    return html.escape(str(text))


def box(body_html: str, colour: str = GREY) -> str:
    """A bordered readout box (``body_html`` is already escaped)."""
    return (f'<div role="status" aria-live="polite" style="border-left:6px solid {colour};'
            f'padding:6px 12px;background:#f7f7f7;min-width:260px;line-height:1.5">'
            f"{body_html}</div>")


def plain_text(html_text: str) -> str:
    """HTML as the plain text a screen reader would read (for readouts and tests)."""
    import re
    text = re.sub(r"<(br|hr|/?(div|li|tr|td|th|ul|table|h\d|summary|details))\b[^>]*>", " ",
                  html_text)
    text = re.sub(r"<[^>]+>", "", text)                       # inline tags: nothing
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def error_box(message: str) -> str:
    """What a panel shows instead of results when an input is impossible."""
    return box(f"<b>Cannot calculate.</b><br>{esc(message)}", VERMILLION)


def cited(label: str) -> str:
    """' [M1]' for a source tag, ' (a teaching assumption ...)' for anything else."""
    return f" {label}" if label.startswith("[") else f" (a {label})"


def findings_html(findings) -> str:
    if not findings:
        return f'<div style="color:{GREEN}"><b>✔ No flags</b> from the dosing checks.</div>'
    rows = []
    for f in findings:
        colour = SEVERITY_COLOURS[f.severity]
        rows.append(f'<li style="margin:2px 0"><b style="color:{colour}">'
                    f"{SEVERITY_WORDS[f.severity]}:</b> {esc(f.message)} "
                    f'<span style="color:{GREY}">{esc(f.source)}</span></li>')
    return '<ul style="padding-left:18px;margin:4px 0">' + "".join(rows) + "</ul>"


ECHO_CHARS = 60        # how much of a long typed value a message repeats
MAX_DIGITS = 12        # a number written with more digits (or dots) than this is not readable
_UNREADABLE = re.compile(r"\b(?:inf|infinity|nan)\b|\d[eE][+-]?\d|\d[\d.]{%d,}" % MAX_DIGITS,
                         re.IGNORECASE)


def unreadable(text: str) -> str | None:
    """The first thing in ``text`` no person should be shown as a result: infinity,
    not-a-number, a number in e-notation or one of more than MAX_DIGITS digits (300 zeros after
    the point, say). None if there is none."""
    m = _UNREADABLE.search(text)
    return None if m is None else m.group(0)


def plain_value(value) -> str | None:
    """A value from an InputError as a person would write it (quoted text, shortened if long;
    a date; a number), or None when it is empty or is not something the learner typed (a
    list, a dict: python's notation is not for people)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = " ".join(value.split())
        if not text:
            return None
        if len(text) > ECHO_CHARS:
            return f"'{text[:ECHO_CHARS]}…' ({len(value)} characters)"
        return f"'{text}'"
    if isinstance(value, dt.date):
        return f"{value:%d %B %Y}"
    if isinstance(value, Real) and not isinstance(value, bool):
        x = float(value)
        return f"{x:g}" if math.isfinite(x) and not unreadable(f"{x:g}") else None
    return None


def plain_message(error, labels: dict | None = None) -> str:
    """An InputError in plain words, naming the box by its label rather than its code name:
    "Daily dose: '300 mg' is not possible. That is an amount of drug, not a dose per time; ...".
    A dotted parameter (``program.dose``) is named by its last part when only that has a
    label; an empty box says so; a value that is not plain text is not repeated."""
    parameter = getattr(error, "parameter", None)
    if parameter is None:
        return str(error) or "That input is not possible."
    labels = labels or {}
    last = re.split(r"[.\]\[]", str(parameter).rstrip("]"))[-1].strip()
    label = labels.get(parameter) or labels.get(last) or last.replace("_", " ").capitalize()
    allowed = str(error.allowed or "").strip().rstrip(".")
    if unreadable(allowed):
        allowed = "the numbers it leads to are too large or too small to be real"
    allowed = allowed[:1].upper() + allowed[1:]
    shown = plain_value(error.value)
    if shown is not None:
        head = f"{label}: {shown} is not possible."
    elif isinstance(error.value, str) or error.value is None:
        head = f"{label}: nothing is filled in yet."
    else:
        head = f"{label}: this is not possible."
    return f"{head} {allowed}." if allowed else head


def failure_box(error: Exception) -> str:
    """What a widget shows when something inside itsim failed (not the learner's input)."""
    detail = " ".join(str(error).split())[:300]
    return box(f"<b>Something went wrong:</b> {esc(type(error).__name__)}: {esc(detail)}<br>"
               "This is a fault in itsim, not in what you entered. Please tell the course "
               "team what you did.", VERMILLION)
