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

from itsim import InputError, data, patient_guide as g, patient_safety as ps
from itsim.device.pump import ambient_pressure, constant_flow_factor, make_pump
from itsim.ui.patient import AlarmGuide, EmergencyCard, RefillCalendar, TravelGuide, WarningSigns
from itsim.ui.style import plain_text

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "lessons" / "09_living_with_a_pump.ipynb"


def prose(path: Path) -> str:
    """The page's markdown as plain sentences (headings, bullets and emphasis removed; the
    sources section left out). A paragraph or bullet wrapped over several lines is one piece
    of text; a heading, a bullet or a paragraph without closing punctuation gets a full stop
    (so wrapped lines do not count as short sentences)."""
    nb = json.loads(path.read_text())
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    md = md.split("## Where this comes from")[0]
    out, piece = [], []

    def flush():
        if piece:
            text = " ".join(piece)
            out.append(text if re.search(r"[.!?:;]$", text) else text + ".")
            piece.clear()

    for line in md.splitlines():
        raw = line.strip()
        if not raw or re.match(r"^(#+\s|\*\s|\d+\.\s)", raw):
            flush()
        text = re.sub(r"^#+\s*|^\*\s*|^\d+\.\s*", "", raw)
        text = re.sub(r"[*_`]", "", text).strip()
        if text:
            piece.append(text)
        if raw.startswith("#"):
            flush()
    flush()
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
    c = g.refill_calendar("2026-12-03", "20 mL", "0.5 mL/day", pump="programmable")
    assert c.alarm_date == dt.date(2027, 1, 8)              # (20 - 2) / 0.5 = 36 days
    assert c.empty_date == dt.date(2027, 1, 12)             # 40 days
    # planned a week before the alarm, never at it [S70, B8] (the week: a labelled assumption)
    assert c.visit_date == dt.date(2027, 1, 1) and c.visit_date.weekday() < 5
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
    cal = RefillCalendar()                  # "not sure": the earliest kind, 3 mL left
    assert "Wednesday 30 December 2026" in cal.readout_text
    assert "Wednesday 06 January 2027" in cal.readout_text and "earliest" in cal.readout_text
    cal.set(pump="programmable")
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


# --- issue 16 §2: the patients' page routes emergencies ---------------------------------------

def test_fever_is_infection_or_baclofen_withdrawal_and_both_answers_are_right():
    # it was filed under "wound" only: an ITB patient answering "too little" was told "not quite"
    fever = ps.signs()["fever"]
    assert set(fever.groups) == {"wound", "too-little"}
    assert {"B7", "B14"} <= set(fever.source)          # the boxed warning: fever, withdrawal
    for group, other in (("too-little", "the wound or an infection"),
                         ("wound", "too little medicine")):
        a = ps.sort_sign("fever", group)
        assert a.right and a.text.startswith("Yes") and other in a.text
        assert "Both answers are right" in a.text and "emergency" in a.text
    wrong = ps.sort_sign("fever", "too-much")
    assert not wrong.right and "too little medicine" in wrong.text and "infection" in wrong.text
    signs = WarningSigns()
    pick, answer = signs.rows["fever"]
    pick.value = "too-little"
    assert "✔" in answer.value and "1 of" in signs.score.value


def test_every_sign_is_sourced_and_groups_and_tiers_are_checked(monkeypatch):
    known = data.sources()
    table = ps.signs()
    assert set(table) == set(data.load("patient")["signs"])       # every sign on the page
    for name, s in table.items():
        assert s.groups[0] == data.load("patient")["signs"][name]["group"]
        assert s.tier in ps.TIERS
        assert s.source and all(t in known for t in s.source + s.note_source), name
        for group in ps.GROUPS:                          # every group: right iff listed
            assert ps.sort_sign(name, group).right == (group in s.groups)
    for sign, group in (("nope", "wound"), ("fever", "nope"), ("fever", "")):
        with pytest.raises(InputError):
            ps.sort_sign(sign, group)
    raw, real = data.load("patient"), data.load
    for bad in ({"group": "wound", "also": ["hunger"], "tier": "call", "source": ["S12"]},
                {"group": "wound", "also": ["wound"], "tier": "call", "source": ["S12"]},
                {"group": "wound", "tier": "soon", "source": ["S12"]},
                {"group": "wound", "tier": "call", "source": []},
                {"group": "wound", "tier": "call", "source": ["NOPE"]},
                {"group": "wound", "tier": "call", "source": ["S12"], "note": "unsourced"}):
        monkeypatch.setattr(data, "load", lambda name, bad=bad: {**raw, "signs": {"x": bad}}
                            if name == "patient" else real(name))
        with pytest.raises(InputError):
            ps.signs()
    monkeypatch.undo()


def test_the_emergency_tier_covers_the_signs_that_cannot_wait():
    table = ps.signs()
    for name in ("very sleepy, hard to wake", "slow or shallow breathing", "a seizure (a fit)",
                 "a stiff neck, or light hurts your eyes"):
        assert table[name].emergency, name
    for name in ("pain coming back", "a red, swollen or leaking wound", "dizzy or light-headed"):
        assert not table[name].emergency, name
    assert {"S12", "S13"} <= set(table["a stiff neck, or light hurts your eyes"].source)
    route = ps.tier("emergency")
    assert "emergency department now" in route.text and "pump card" in route.text
    assert route.assumption and route.note        # where the sources say "call", it is labelled
    cards = {e.key: e for e in ps.emergencies()}
    text = " ".join(e.sign + " " + e.means.text for e in cards.values()).lower()
    for words in ("fever with stiff muscles, confusion, a racing heart or a seizure",
                  "two-tone alarm, and you cannot reach your care team", "stiff neck",
                  "light that hurts your eyes", "meningitis", "very slow breathing",
                  "hard to wake"):
        assert words in text, words
    assert {"B7", "B14"} <= set(cards["fever-with-more"].means.source)
    assert {"S12", "S13"} <= set(cards["stiff-neck"].means.source)
    assert {"S5", "S6"} <= set(cards["two-tone-no-answer"].means.source)
    # the answer marks it in words and a sign, not by colour alone
    signs = WarningSigns()
    pick, answer = signs.rows["slow or shallow breathing"]
    pick.value = "too-much"
    assert "⚠ EMERGENCY" in answer.value and "pump card" in plain_text(answer.value)
    pick, answer = signs.rows["pain coming back"]
    pick.value = "too-little"
    assert "EMERGENCY" not in answer.value and "Call your care team" in answer.value
    card = EmergencyCard()
    assert card.readout_text.startswith("⚠ EMERGENCY")
    assert all(e.sign in card.readout_text for e in cards.values())


def test_a_two_tone_alarm_calls_the_doctor_at_once_then_the_emergency_department():
    a = g.alarm("two-tone")
    assert "straight away" in a.action and "emergency department" in a.action
    assert {"S5", "S6", "S12"} <= set(a.source.strip("[]").split(", "))
    guide = AlarmGuide()
    guide.choice.value = "two-tone"
    assert guide.readout_text.startswith("⚠ EMERGENCY") and "pump card" in guide.readout_text
    guide.choice.value = "single"
    assert "EMERGENCY" not in guide.readout_text


def test_pills_ziconotide_and_alcohol_advice():
    pills = ps.advice("pills")
    assert "B16" in pills.source and "not" in pills.text and "withdrawal" in pills.text
    zic = ps.advice("ziconotide")
    assert zic.source == ("Z6",)
    for words in ("confused", "see or hear things", "mood"):       # [Z6]
        assert words in zic.text
    alcohol = ps.advice("alcohol")               # not in the reference: a labelled assumption
    assert alcohol.assumption and "Not found" in alcohol.note and "opioid" in alcohol.text
    with pytest.raises(InputError):
        ps.advice("sauna")


def test_travel_and_diving_advice_per_pump_kind():
    kinds = {p["kind"] for p in data.load("devices")["pump"].values()}
    assert kinds | {"not-sure"} == set(ps.pump_kinds())
    prometra = ps.travel("valve-gated")
    assert "S42" in prometra.diving.source and "pressure chamber" in prometra.diving.text
    codman = ps.travel("constant-flow")
    assert "S46" in codman.diving.source and "scuba" in codman.diving.text
    assert "snorkelling are fine" in codman.diving.text
    synchromed = ps.travel("programmable")
    assert "S58" in synchromed.diving.source and "10 metres" in synchromed.diving.text
    assert "snorkel" not in synchromed.diving.text + prometra.diving.text     # Codman's only
    unsure = ps.travel("not-sure")
    assert "scuba" in unsure.diving.text and unsure.diving.assumption
    for kind in ps.pump_kinds():
        t = ps.travel(kind)
        assert "S5" in t.flying.source and "early for a refill" in t.flying.text
    with pytest.raises(InputError):
        ps.travel("insulin")


def test_planes_are_fine_and_the_constant_flow_pump_runs_faster_as_lesson_02_teaches():
    cabin = ps.cabin_altitude()
    assert cabin.assumption and cabin.value == pytest.approx(240000.0)        # cm
    pump = make_pump("constant-flow-30")
    model = float(constant_flow_factor(pump, 37.0, ambient_pressure(altitude_m=2400))) - 1
    assert ps.cabin_flow_change() == pytest.approx(model) and 0.1 < model < 0.16
    codman = ps.travel("constant-flow")
    assert codman.cabin_change == pytest.approx(model)
    said = f"about {model * 100:.0f} % faster"
    assert "another kind of pump" in codman.flying.text and "faster" in codman.flying.text
    assert said in codman.flying_text()
    assert ps.travel("programmable").cabin_change is None
    panel = TravelGuide()
    panel.kind.value = "constant-flow"
    assert said in panel.readout_text and "S46" in panel.readout_text
    panel.kind.value = "valve-gated"
    assert "pressure chamber" in panel.readout_text
    page = prose(PAGE) + json.loads(PAGE.read_text())["cells"][-1]["source"][0]
    text = PAGE.read_text()
    assert f"about {model * 100:.0f} %" in text and "runs a little faster" in page


def test_the_page_teaches_the_emergencies_and_the_new_advice():
    text = prose(PAGE)
    for words in ("Emergency: go now", "emergency department now", "show it to the staff",
                  "a fever with stiff muscles, confusion, a racing heart or a fit",
                  "a two-tone alarm, and you cannot reach your care team", "meningitis",
                  "very slow breathing", "A fever can be an infection. With baclofen, it can "
                  "also be withdrawal", "pills do not replace the pump",
                  "see or hear things that are not there", "Alcohol, sleeping pills",
                  "pressure chamber", "a week before the alarm"):
        assert words in text, words
    assert "Fever" not in text.split("The wound or an infection")[0].split("Too little")[0]
    nb = json.loads(PAGE.read_text())
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "EmergencyCard()" in code and "TravelGuide()" in code


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


def test_travel_guide_and_emergency_card_every_choice_in_plain_words():
    panel = TravelGuide()
    for _, kind in panel.kind.options:
        panel.kind.value = kind
        text = panel.readout_text
        assert panel.failure is None and "Traceback" not in text
        assert text.startswith("Flying.") and "Diving." in text and "Heat." in text
    assert EmergencyCard().readout_text.count("Show your pump card") == 1


# --- clinical review of issue 16 --------------------------------------------------------------

def test_sudden_floppiness_or_drowsiness_is_an_emergency():
    # an overdose can come on suddenly and needs a hospital [S153]
    table = ps.signs()
    for name in ("muscles suddenly very floppy", "very sleepy, hard to wake"):
        s = table[name]
        assert s.emergency and "S153" in s.note_source, name
        assert "refill" in s.note and "change of dose" in s.note and "hospital" in s.note
    pick, answer = WarningSigns().rows["muscles suddenly very floppy"]
    pick.value = "too-much"
    assert "⚠ EMERGENCY" in answer.value
    card = {e.key: e for e in ps.emergencies()}["sudden-floppy"]
    assert "floppy" in card.sign and "drowsy" in card.sign and "refill" in card.sign
    assert "suddenly" in card.means.text and "S153" in card.means.source
    assert card.sign in EmergencyCard().readout_text
    # the too-much signs the page keeps at "call" say when they become an emergency
    for name, s in table.items():
        if s.groups[0] == "too-much" and not s.emergency:
            assert "emergency" in s.note and "refill" in s.note, name


def test_flying_advice_says_it_comes_from_another_kind_of_pump_and_diving_asks_the_team():
    for kind in ps.pump_kinds():
        t = ps.travel(kind)
        assert "S56" in t.flying.source
        assert "Planes are fine" not in t.flying.text
        assert "another kind of pump" in t.flying.text and "Ask your team" in t.flying.text
    dive = ps.travel("programmable").diving
    assert dive.text.startswith("Ask your team first") and "one case" in dive.text
    assert "10 metres" in dive.text and dive.source == ("S58",)


def test_the_refill_calendar_knows_the_pump_kind():
    base = ("2026-12-03", "20 mL", "0.5 mL/day")
    # a constant-flow pump has no alarm: no alarm date, the reserve date instead
    cf = g.refill_calendar(*base, pump="constant-flow")
    assert cf.alarm_date is None and cf.reserve_date is not None and cf.set_by == "reserve"
    assert "no low-medicine alarm" in cf.warning_words() and "alarm would sound" not in \
        cf.summary()
    assert cf.visit_date <= cf.reserve_date - dt.timedelta(days=7)
    # programmable: the alarm (2 mL) sets the date
    prog = g.refill_calendar(*base, pump="programmable")
    assert prog.alarm_date == dt.date(2027, 1, 8) and not prog.note
    # a valve pump: no alarm sound is named in the sources; its 3 mL level [S43]
    vg = g.refill_calendar(*base, pump="valve-gated")
    assert vg.alarm_date is None and vg.reserve_date == dt.date(2026, 12, 3) + \
        dt.timedelta(days=34) and "S43" in vg.note
    with pytest.raises(InputError) as e:
        g.refill_calendar(*base, pump="insulin")
    assert e.value.parameter == "pump"
    with pytest.raises(InputError):
        g.refill_calendar(*base, pump="programmable", alarm="2 mL")


@pytest.mark.parametrize("rate, drug", [("0.5 mL/day", None), ("0.05 mL/day", None),
                                        ("0.1 mL/day", "morphine"), ("1.5 mL/day", "baclofen")])
def test_not_sure_of_the_pump_takes_the_earliest_refill_date_of_the_kinds(rate, drug):
    # like the diving and heat advice for "not sure": the safest of the three kinds, said so
    base = ("2026-12-03", "20 mL", rate)
    kinds = [g.refill_calendar(*base, drug=drug, pump=k)
             for k in ("programmable", "valve-gated", "constant-flow")]
    earliest = min(c.visit_date for c in kinds)
    for unsure in (g.refill_calendar(*base, drug=drug, pump="not-sure"),
                   g.refill_calendar(*base, drug=drug)):
        assert unsure.visit_date == earliest and unsure.pump == "not-sure"
        assert unsure.warning_date == min(c.warning_date for c in kinds
                                          if c.visit_date == earliest)
        assert "earliest dates of the three kinds" in unsure.note
        assert "Ask your team which pump" in unsure.note


def test_not_sure_is_earlier_than_the_programmable_pump_when_its_alarm_is_lower():
    base = ("2026-12-03", "20 mL", "0.5 mL/day")
    prog = g.refill_calendar(*base, pump="programmable")
    unsure = g.refill_calendar(*base, pump="not-sure")
    assert unsure.visit_date < prog.visit_date      # the old "not sure" used these dates
    assert "Do not count on an alarm" in unsure.warning_words()


def test_the_refill_calendar_says_what_sets_the_date():
    # 20 mL at 0.05 mL/day: the alarm is ~a year away; the 6-month limit sets the date
    slow = g.refill_calendar("2026-12-03", "20 mL", "0.05 mL/day", pump="programmable")
    assert slow.set_by == "pump limit" and "6 months" in slow.reason
    gap = slow.days_before_alarm
    assert gap > 100 and f"{gap} days before it" in slow.warning_words()
    assert "a week" not in slow.warning_words()
    stab = g.refill_calendar("2026-12-03", "20 mL", "0.1 mL/day", drug="morphine")
    assert stab.set_by == "stability" and "keeps" in stab.reason
    week = g.refill_calendar("2026-12-03", "20 mL", "0.5 mL/day", pump="programmable")
    assert week.set_by == "alarm" and "7 days before it" in week.warning_words()


def test_the_refill_calendar_panel_has_a_pump_choice_and_fits_a_phone():
    cal = RefillCalendar()
    choice = cal.inputs["pump"]
    assert choice.value == "not-sure" and "I am not sure" in dict(
        (v, k) for k, v in choice.options)["not-sure"]
    assert "Ask your team which pump" in cal.readout_text
    assert cal.readout.layout.width == "100%" and cal.readout.layout.max_width == "460px"
    choice.value = "constant-flow"
    text = cal.readout_text
    assert "no low-medicine alarm" in text and "alarm would sound" not in text
    assert "What sets this date" in text
    cal.set(rate="0.05 mL/day", pump="programmable")
    assert "6 months" in cal.readout_text and "to spare" not in cal.readout_text
    assert all(len(label) <= 26 for label, _ in choice.options)      # fits 390 px
