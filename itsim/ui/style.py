"""Colours and small HTML pieces shared by every panel.

Colours are the Okabe-Ito palette, safe for the common kinds of colour blindness; meaning
is never carried by colour alone (each line is labelled, each finding says its severity).
"""
from __future__ import annotations

import html

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


def plain_message(error, labels: dict | None = None) -> str:
    """An InputError in plain words, naming the box by its label rather than its code name:
    "Daily dose: '300 mg' is not possible. That is an amount of drug, not a dose per time; ..."."""
    parameter = getattr(error, "parameter", None)
    if parameter is None:
        return str(error) or "That input is not possible."
    label = (labels or {}).get(parameter, parameter.replace("_", " ").capitalize())
    allowed = error.allowed[0].upper() + error.allowed[1:]
    return f"{label}: {error.value!r} is not possible. {allowed}."
