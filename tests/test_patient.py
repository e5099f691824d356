"""The patients' pages: plain language (Flesch-Kincaid grade 6 or less), the refill calendar's
arithmetic, the alarms and the warning signs."""
import datetime as dt
import io
import json
import re
import wave
from pathlib import Path

import pytest
import textstat

from itsim import InputError, patient_guide as g
from itsim.ui.patient import AlarmGuide, RefillCalendar, WarningSigns

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "lessons" / "09_living_with_a_pump.ipynb"


def prose(path: Path) -> str:
    """The page's markdown as plain sentences (headings, bullets and emphasis removed; the
    sources section left out)."""
    nb = json.loads(path.read_text())
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    md = md.split("## Where this comes from")[0]
    out = []
    for line in md.splitlines():
        line = re.sub(r"^#+\s*|^\*\s*|^\d+\.\s*", "", line)
        line = re.sub(r"[*_`]", "", line).strip()
        if line:
            out.append(line if re.search(r"[.!?:;]$", line) else line + ".")
    return " ".join(out)


def test_the_patient_page_reads_at_grade_6_or_below():
    text = prose(PAGE)
    assert len(text.split()) > 600
    assert textstat.flesch_kincaid_grade(text) <= 6


def test_the_patient_page_has_no_code_beyond_its_widgets():
    nb = json.loads(PAGE.read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(len(c.splitlines()) <= 2 for c in code)        # an import, or one widget
    assert "learning only" in "".join("".join(c["source"]) for c in nb["cells"][:1])


def test_refill_calendar_arithmetic_and_weekdays():
    c = g.refill_calendar("2026-12-03", "20 mL", "0.5 mL/day")
    assert c.alarm_date == dt.date(2027, 1, 8)              # (20 - 2) / 0.5 = 36 days
    assert c.empty_date == dt.date(2027, 1, 12)             # 40 days
    assert c.visit_date == dt.date(2027, 1, 8) and c.visit_date.weekday() < 5
    slow = g.refill_calendar("2026-12-03", "20 mL", "0.1 mL/day", drug="morphine")
    assert slow.visit_date == dt.date(2027, 3, 3)           # morphine keeps 90 days [S70]
    for bad in (dict(volume="1 mL"), dict(rate="0.5 mL"), dict(volume="20")):
        with pytest.raises(InputError):
            g.refill_calendar("2026-12-03", **{"volume": "20 mL", "rate": "0.5 mL/day", **bad})


def test_refill_calendar_keeps_every_date_within_three_years_and_the_calendar():
    # every date shown (the empty date is the last) must be within 3 years of the fill
    edge = g.refill_calendar("2026-12-03", "20 mL", f"{20 / 1095!r} mL/day")
    assert edge.empty_date == dt.date(2026, 12, 3) + dt.timedelta(days=1095)
    for rate, drug in (("0.01 mL/day", "morphine"), ("1e-300 mL/day", "baclofen"),
                       ("1e-320 mL/day", None), (f"{20 / 1096!r} mL/day", None)):
        with pytest.raises(InputError) as e:     # the drug's stability used to hide these
            g.refill_calendar("2026-12-03", "20 mL", rate, drug=drug)
        assert e.value.parameter == "rate"
    g.refill_calendar(dt.date(9996, 12, 31), "20 mL", "0.5 mL/day")     # last date 9999
    for late in (dt.date(9997, 1, 1), dt.date(9999, 12, 31), "9999-12-01"):
        with pytest.raises(InputError) as e:
            g.refill_calendar(late, "20 mL", "0.5 mL/day")
        assert e.value.parameter == "refilled" and "31 December 9996" in e.value.allowed


def test_the_alarm_tones_are_real_sound_files():
    for kind, seconds in (("single", 1.0), ("two-tone", 3.0)):
        with wave.open(io.BytesIO(g.tone(kind))) as w:
            assert w.getnchannels() == 1 and w.getnframes() == int(seconds * w.getframerate())
    assert "approximation" in g.tone_note("two-tone")


def test_panels_answer_in_plain_words():
    cal = RefillCalendar()
    assert "Friday 08 January 2027" in cal.readout_text
    cal.set(rate="fast")
    assert cal.error and cal.error.startswith("Pump rate:")
    guide = AlarmGuide()
    guide.choice.value = "two-tone"
    assert "straight away" in guide.readout_text
    guide.reset()
    assert "Choose" in guide.readout_text
    signs = WarningSigns()
    pick, answer = signs.rows["fever"]
    pick.value = "wound"
    assert "✔" in answer.value and "1 of" in signs.score.value
    pick.value = "too-much"
    assert "✘" in answer.value
    signs.reset()
    assert pick.value == ""


def test_every_lesson_states_objectives_and_ends_with_a_summary():
    for path in sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb")):
        if path.name.startswith("00"):
            continue
        nb = json.loads(path.read_text())
        md = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
        first = md[0].lower()
        assert "learn" in first or "able to" in first, path.name        # objectives at the top
        assert any("## Summary" in m or "## In short" in m for m in md[-3:]), \
            path.name


def test_the_start_page_lists_every_lesson_with_its_time():
    text = (ROOT / "lessons" / "00_start_here.ipynb").read_text()
    for path in sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb")):
        if not path.name.startswith("00"):
            assert f"({path.name})" in text, path.name
    assert text.count(" min |") >= 10
