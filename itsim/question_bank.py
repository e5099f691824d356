"""The course's questions. Every expected answer is computed by itsim from the question's
inputs, so it can never drift from the model. Ids: q<lesson>.<n> in lessons, ex<lesson>.<n>
in exercise notebooks."""
from __future__ import annotations

from . import dosing, drugs
from .exercises import Question, register
from .units import parse

def _mag(q) -> float:
    """Canonical float of a quantity returned by itsim."""
    return float(q.magnitude)


register(Question(
    "q0.1", "How many micrograms (mcg) are in one milligram (mg)?",
    lambda: parse("1 mg", "mass", "q0.1"), hint="Milli means one thousandth; micro means one "
    "millionth.", explain="1 mg = 1000 mcg. Mixing the two up gives a dose 1000 times too big "
    "or too small.", kind="mass", unit="mcg", require_unit=True))
register(Question(
    "q3.1", "Baclofen 500 mcg/mL is prescribed at 300 mcg/day. At what rate must the pump run, "
    "in mL/day?", lambda: _mag(dosing.rate("300 mcg/day", "500 mcg/mL")),
    hint="rate = daily dose ÷ concentration; the mcg cancel and leave mL/day.",
    explain="300 mcg/day ÷ 500 mcg/mL = 0.6 mL/day.", kind="flow", unit="mL/day"))
register(Question(
    "q3.2", "The ziconotide label's starting limit is 2.4 mcg/day. What is that in mcg per hour?",
    lambda: drugs.get("ziconotide").starting_dose.high, hint="There are 24 hours in a day.",
    explain="2.4 mcg/day ÷ 24 h/day = 0.1 mcg/h, the figure the label also gives.",
    kind="dose_rate", unit="mcg/h", require_unit=True))
register(Question(
    "q3.3", "Morphine 10 mg/mL runs at 0.25 mL/day in a pump filled with 20 mL. The low-reservoir "
    "alarm is set at 2 mL. In how many days will it sound?",
    lambda: _mag(dosing.days_until("20 mL", "2 mL", "0.25 mL/day")),
    hint="Only the volume above the alarm counts: (fill − alarm) ÷ rate.",
    explain="(20 − 2) mL ÷ 0.25 mL/day = 72 days, well inside morphine's 90-day stability. "
    "The alarm is a backstop, not the refill date [S70]: plan the refill about a week before "
    "it, by day 65.",
    kind="time", unit="day"))
register(Question(
    "q3.4", "An order for baclofen reads 300 mg/day where 300 mcg/day was meant. How many times "
    "the intended dose is that?",
    lambda: "c", hint="How many micrograms are in a milligram?",
    explain="1 mg = 1000 mcg, so 300 mg is 1000 × 300 mcg: a dose no pump should ever accept.",
    choices={"a": "10 times", "b": "100 times", "c": "1000 times", "d": "the same dose"}))
register(Question(
    "q3.5", "Which limit decides when a patient on ziconotide 25 mcg/mL at 2.4 mcg/day (20 mL "
    "pump, not a first fill) must come back for a refill?",
    lambda: ("a" if dosing.prescription("ziconotide", "25 mcg/mL", "2.4 mcg/day")
             .refill_reason.startswith("drug stability") else "b"),
    hint="Compare the days to the low-reservoir alarm with the drug's stability in the pump.",
    explain="The alarm is about 188 days away, but undiluted ziconotide is only good for 84 days.",
    choices={"a": "the drug's stability in the pump", "b": "the low-reservoir alarm"}))

register(Question(
    "ex3.1", "Morphine 10 mg/mL at 3 mg/day: pump rate in mL/day?",
    lambda: _mag(dosing.rate("3 mg/day", "10 mg/mL")),
    hint="Use the same mass unit in the dose and the concentration before dividing.",
    explain="3 mg/day ÷ 10 mg/mL = 0.3 mL/day.", kind="flow", unit="mL/day"))
register(Question(
    "ex3.2", "That pump is filled with 20 mL and alarms at 2 mL. Days until the low-reservoir "
    "alarm?", lambda: _mag(dosing.days_until("20 mL", "2 mL", "0.3 mL/day")),
    hint="(fill − alarm volume) ÷ rate.", explain="18 mL ÷ 0.3 mL/day = 60 days; plan the "
    "refill about a week before the alarm, by day 53 [S70].",
    kind="time", unit="day"))
register(Question(
    "ex3.3", "A constant-flow pump runs at one fixed rate (here 0.5 mL/day, 20 mL reservoir), so "
    "the dose is set by how strong the solution is. To give morphine 2 mg/day, how many mL of "
    "the 25 mg/mL stock (the strong solution from the pharmacy) go into the reservoir before "
    "it is topped up with saline?",
    lambda: dosing.solution_makeup("20 mL", "0.5 mL/day", "2 mg/day", "25 mg/mL").drug_volume,
    hint="Running time = 20 mL ÷ 0.5 mL/day; drug needed = 2 mg/day × running time; then divide "
    "by the stock concentration.",
    explain="40 days × 2 mg/day = 80 mg = 3.2 mL of 25 mg/mL, made up to 20 mL with 16.8 mL saline.",
    kind="volume", unit="mL"))
register(Question(
    "ex3.4", "Ziconotide 25 mcg/mL undiluted at the label's starting limit of 2.4 mcg/day: pump "
    "rate in mL/day?", lambda: _mag(dosing.rate("2.4 mcg/day", "25 mcg/mL")),
    hint="rate = daily dose ÷ concentration.",
    explain="2.4 ÷ 25 = 0.096 mL/day: 20 mL would last about 208 days, but the 84-day stability "
    "limit comes first.", kind="flow", unit="mL/day"))
register(Question(
    "ex3.5", "A patient takes 300 mg/day of oral morphine. Using the 300:100:10:1 rule "
    "(oral:IV:epidural:intrathecal), what is the intrathecal equivalent in mg/day?",
    lambda: dosing.convert_morphine("300 mg/day", "oral", "intrathecal").value,
    hint="Divide the oral dose by 300.",
    explain="300 ÷ 300 = 1 mg/day, but real patients needed anything from 10:1 to 125:1 (up to "
    "30 mg/day, above the 20 mg/day above which the label advises caution [M1]). Cut the dose by 25-50 % for incomplete "
    "cross-tolerance (a teaching assumption), start lower and titrate.", kind="dose_rate",
    unit="mg/day"))
register(Question(
    "ex3.6", "Ziconotide: the label allows steps of at most 2.4 mcg/day, no more than 3 times a "
    "week. Starting at 2.4 mcg/day with a step every 3 days, on which day is 19.2 mcg/day "
    "reached?", lambda: dosing.titration_plan("ziconotide", "2.4 mcg/day",
                                               "19.2 mcg/day").days_to_target,
    hint="How many 2.4 mcg/day steps from 2.4 to 19.2? Each takes 3 days.",
    explain="Seven steps, 3 days apart: day 21, in line with the label's 'maximum 19.2 "
    "mcg/day by day 21'.",
    kind="time", unit="day"))


# --- lesson 02: the pump system ---------------------------------------------------------------
def _catheter_volume(length, tubing="0 mL"):
    from .device.catheter import make_catheter
    return make_catheter(length, tubing_volume=tubing).volume


def _sim(**kw):
    from .simulation import simulate
    return simulate(**kw)


register(Question(
    "q2.1", "A catheter is cut to 80 cm. Its internal volume is 0.0026 mL per cm. How much fluid "
    "does it hold, in mL?", lambda: _catheter_volume("80 cm"),
    hint="Volume = length × volume per cm.", explain="80 × 0.0026 = 0.208 mL: tiny, but at "
    "0.1 mL/day it takes two days to push through.", kind="volume", unit="mL",
    tolerance=0.02))
register(Question(
    "q2.2", "Pump tubing and catheter together hold 0.356 mL. A new implant, not primed, runs at "
    "0.1 mL/day. After how many days does the drug first reach the tip?",
    lambda: _sim(drug="morphine", concentration="10 mg/mL", fill="20 mL", days=6,
                 step="10 min", program={"mode": "continuous", "rate": "0.1 mL/day"},
                 catheter={"length": "60 cm", "primed": False}).first_drug_at_tip_day,
    hint="The whole dead volume must be pushed out first: volume ÷ rate.",
    explain="0.356 mL ÷ 0.1 mL/day = 3.56 days without drug: this is why a priming bolus is "
    "given after implantation.", kind="time", unit="day", tolerance=0.02))
register(Question(
    "q2.3", "A programmable pump sounds its two-tone alarm. What does it mean?",
    lambda: "b" if {"reservoir-empty", "end-of-service", "motor-stall"} <= _critical() else "a",
    hint="Which alarms does itsim mark critical: a refill due soon, or delivery stopped?",
    explain="Two tones = critical: the reservoir is empty, the battery is at end of service or "
    "the motor has stalled. Drug is not flowing or soon will not be: call at once.",
    choices={"a": "a refill or replacement is due soon: book an appointment",
             "b": "drug has stopped or is about to stop: call the doctor now"}))
register(Question(
    "q2.4", "A patient with a constant-flow pump has a fever of 39 °C. Compared with its labelled "
    "rate, the pump runs…",
    lambda: "a" if _fever_factor(39.0) > 1 else "b",
    hint="The propellant is warmed by the body: what happens to its pressure?",
    explain="Faster: the warmer propellant pushes harder (in this model about 10 % per °C, a "
    "labelled teaching assumption).", choices={"a": "faster", "b": "slower", "c": "the same"}))

register(Question(
    "ex2.1", "A Prometra-style catheter is supplied 110 cm long and trimmed by 30 cm. At 0.0026 mL "
    "per cm, what is the implanted catheter volume, in mL?",
    lambda: _catheter_volume("80 cm"), hint="Implanted length = 110 − 30 cm.",
    explain="80 cm × 0.0026 mL/cm = 0.208 mL.", kind="volume", unit="mL", tolerance=0.02))
register(Question(
    "ex2.2", "A 20 mL programmable pump is filled with baclofen 500 mcg/mL at 250 mcg/day; the "
    "low-reservoir alarm is set at 2 mL. On which day does the alarm sound?",
    lambda: _sim(drug="baclofen", concentration="500 mcg/mL", fill="20 mL", days=40,
                 step="10 min", program={"mode": "continuous", "dose": "250 mcg/day"}
                 ).first("low-reservoir"),
    hint="Rate = 250 ÷ 500 mL/day; then (20 − 2) mL ÷ rate.",
    explain="0.5 mL/day; 18 mL ÷ 0.5 = day 36.", kind="time", unit="day"))
register(Question(
    "ex2.3", "A pump shows its elective replacement indicator on day 100. If nothing is done, on "
    "which day does it stop?",
    lambda: _sim(drug="baclofen", concentration="2000 mcg/mL", fill="20 mL", days=200,
                 step="1 h", program={"mode": "continuous", "dose": "100 mcg/day"},
                 events=[{"at": "day 100", "kind": "eri"}]).first("end-of-service"),
    hint="The pump runs for a fixed time after the indicator.",
    explain="90 days after the indicator: day 190. Replacement should be planned long before.",
    kind="time", unit="day"))
register(Question(
    "ex2.4", "A valve-gated pump holds 20 mL, runs at 0.3 mL/day and allows 4 patient boluses of "
    "0.02 mL a day. Its 'date of next refill' is when 3 mL are left if every bolus is used. "
    "In how many days is that?",
    lambda: _refill_day(20, 0.3, 0.02, 4),
    hint="Daily use = 0.3 + 4 × 0.02 mL; usable = 20 − 3 mL.",
    explain="17 mL ÷ 0.38 mL/day = 44.7 days.", kind="time", unit="day"))


def _critical():
    from .timeline import CRITICAL
    return CRITICAL


def _fever_factor(celsius):
    from .device.pump import ambient_pressure, constant_flow_factor, make_pump
    return float(constant_flow_factor(make_pump("constant-flow-30"), celsius, ambient_pressure()))


def _refill_day(*args):
    from .device.pump import refill_day
    return refill_day(*args)


# --- lesson 06: programming -----------------------------------------------------------------
register(Question(
    "q6.1", "Baclofen goes from 500 to 2000 mcg/mL at 300 mcg/day; tubing and catheter hold "
    "0.356 mL of the old solution. For a bridge bolus, the pump runs at dose ÷ old "
    "concentration until that volume is cleared. How many hours does that take?",
    lambda: dosing.bridge_bolus("300 mcg/day", "500 mcg/mL", "2000 mcg/mL",
                                "0.356 mL").duration,
    hint="Flow = 300 ÷ 500 mL/day; time = 0.356 mL ÷ flow, then in hours.",
    explain="0.6 mL/day clears 0.356 mL in 0.593 days = 14.2 h; then the pump drops to "
    "0.15 mL/day.", kind="time", unit="h", tolerance=0.02))
register(Question(
    "q6.2", "The reservoir holds baclofen 500 mcg/mL but 50 mcg/mL is typed into the programmer "
    "for an order of 300 mcg/day. How much baclofen reaches the spinal fluid per day?",
    lambda: float(_sim(drug="baclofen", concentration="500 mcg/mL", fill="20 mL", days=2,
                       step="10 min", program={"mode": "continuous", "dose": "300 mcg/day"},
                       events=[{"at": "day 0", "kind": "refill", "volume": "20 mL",
                                "programmed_concentration": "50 mcg/mL"}]).to_csf[:144].mean()),
    hint="The pump sets its flow from the concentration it was told: 300 ÷ 50 mL/day. What is "
    "really in that volume?", explain="6 mL/day × 500 mcg/mL = 3000 mcg/day: ten times the order.",
    kind="dose_rate", unit="mcg/day"))
register(Question(
    "q6.3", "The concentration is raised from 500 to 2000 mcg/mL with no bridge bolus. While the "
    "old solution is still in the catheter, the patient receives…",
    lambda: "b" if _no_bridge_ratio() < 1 else "a",
    hint="The pump already runs at the new, slower rate, but pushes out the old, weaker fluid.",
    explain="A quarter of the dose for days: at 0.15 mL/day the 0.356 mL of old solution takes "
    "2.4 days to clear. Going the other way (stronger to weaker) gives an overdose.",
    choices={"a": "more than ordered", "b": "less than ordered", "c": "exactly the order"}))


def _no_bridge_ratio():
    tl = _sim(drug="baclofen", concentration="500 mcg/mL", fill="20 mL", days=3, step="10 min",
              program={"mode": "continuous", "dose": "300 mcg/day"},
              events=[{"at": "day 1", "kind": "refill", "volume": "20 mL",
                       "concentration": "2000 mcg/mL"}])
    return float(tl.to_csf[(tl.t > 1.1) & (tl.t < 2)].mean()) / 300


register(Question(
    "ex6.1", "Morphine goes from 10 to 25 mg/mL at 5 mg/day, with "
    "0.4 mL of old solution in tubing and catheter. How long (hours) must the bridge bolus "
    "run?", lambda: dosing.bridge_bolus("5 mg/day", "10 mg/mL", "25 mg/mL", "0.4 mL").duration,
    hint="Flow = 5 ÷ 10 mL/day; time = 0.4 mL ÷ that flow.",
    explain="0.5 mL/day clears 0.4 mL in 0.8 days = 19.2 h.", kind="time", unit="h",
    tolerance=0.02))
register(Question(
    "ex6.2", "Morphine 10 mg/mL is in the pump but 1 mg/mL is entered for an order of 2 mg/day. "
    "How many mg/day does the patient get?",
    lambda: float(_sim(drug="morphine", concentration="10 mg/mL", fill="20 mL", days=1,
                       step="10 min", program={"mode": "continuous", "dose": "2 mg/day"},
                       events=[{"at": "day 0", "kind": "refill", "volume": "20 mL",
                                "programmed_concentration": "1 mg/mL"}]).to_csf.mean()),
    hint="Flow = order ÷ entered concentration; dose = flow × real concentration.",
    explain="2 mL/day × 10 mg/mL = 20 mg/day: ten times the order, and a full 20 mL "
    "pump is empty in 10 days instead of 100.", kind="dose_rate", unit="mg/day"))
register(Question(
    "ex6.3", "A periodic-bolus program gives baclofen 100 mcg/day basal plus 50 mcg every 6 hours. "
    "How much reaches the spinal fluid in a day?",
    lambda: _sim(drug="baclofen", concentration="500 mcg/mL", fill="20 mL", days=1,
                 step="1 min", program={"mode": "periodic-bolus", "dose": "100 mcg/day",
                                        "bolus_dose": "50 mcg", "bolus_duration": "1 h",
                                        "bolus_every": "6 h"}).balance.to_csf,
    hint="Basal for the day plus the boluses: how many 6-hour periods in a day?",
    explain="100 + 4 × 50 = 300 mcg.", kind="mass", unit="mcg"))


# --- lesson 01: the intrathecal space ---------------------------------------------------------
def _inject(drug, dose, **kw):
    from .body.injection import inject
    return inject(drug, dose, **kw)


def _half_life_days(drug):
    from .body.csf import half_life_minutes
    return half_life_minutes(drug)[0] / 1440.0


def _brainstem_share(drug):
    """Highest brainstem concentration as a share of the highest at the injection level,
    after one lumbar injection (the share does not depend on the amount)."""
    shot = _inject(drug, "0.1 mg", hours=36, step="5 min")
    return float(shot.brainstem.max() / shot.tip.max())


def _brainstem_peak_days(drug, dose):
    """Time (days, itsim's unit of time) from a lumbar injection to the brainstem peak."""
    shot = _inject(drug, dose, hours=36)
    return float(shot.hours[int(shot.brainstem.argmax())]) / 24.0


def _lumbosacral_volume():
    from .body.csf import index, segment_volumes
    return float(segment_volumes()[:index("T12") + 1].sum())


register(Question(
    "q1.1", "By the 300:100:10:1 rule (oral : IV : epidural : intrathecal), what intrathecal "
    "morphine dose matches 60 mg/day by mouth, in mg/day?",
    lambda: dosing.convert_morphine("60 mg/day", "oral", "intrathecal").value,
    hint="Oral to intrathecal is 300 to 1: divide by 300.",
    explain="60 ÷ 300 = 0.2 mg/day. A rule of thumb, not a measured equivalence: start low "
    "and titrate.", kind="dose_rate", unit="mg/day"))
register(Question(
    "q1.2", "The same bolus of morphine and of fentanyl is injected at L3. Which leaves the "
    "larger share of its peak concentration at the brainstem?",
    lambda: "a" if _brainstem_share("morphine") > _brainstem_share("fentanyl") else "b",
    hint="Which drug stays dissolved in the CSF long enough to be carried up to the head?",
    explain="Morphine: hydrophilic, it stays in the CSF for hours and is carried up to the "
    "brainstem. Lipophilic fentanyl leaves the CSF for the tissues within minutes, before it "
    "gets far.", choices={"a": "morphine (hydrophilic)", "b": "fentanyl (lipophilic)",
                          "c": "the same share"}))
register(Question(
    "q1.3", "After one intrathecal injection of morphine 0.25 mg, when is the risk of slowed "
    "breathing highest in the model?",
    lambda: _clock_choice(_inject("morphine", "0.25 mg", patient="chronic-non-cancer-pain",
                                  hours=36, step="5 min").peak_hours("respiratory_depression")),
    hint="Look at the clock: where is the peak of the breathing-risk line?",
    explain="About half a day later, long after the pain relief, as in people: delayed slowed "
    "breathing is seen on average 8-12 h after neuraxial morphine [M13], although a lumbar "
    "tracer already reaches the head within 1-3 h [C16]. That is why the label asks for 24 "
    "hours of observation [M2].",
    choices={"a": "in the first hour", "b": "about half a day later",
             "c": "two days later"}))
register(Question(
    "q1.4", "Morphine's CSF half-life is 196 min. If nothing else moved it, how many hours "
    "would the concentration take to fall to one eighth?",
    lambda: 3 * _half_life_days("morphine"),
    hint="One eighth is half of a half of a half: three half-lives.",
    explain="3 × 196 min = 588 min = 9.8 h.", kind="time", unit="h", tolerance=0.02))


def _clock_choice(hours):
    return "a" if hours < 3 else ("c" if hours > 36 else "b")


def _mixing_ends() -> str:
    """q1.5: lumbar mixing at both ends of its plausible range (validation.toml)."""
    from . import data
    from .body import validation
    rows = {r.key: r for r in validation.rows()}
    spec = validation.assumptions()["body:csf.mixing_flow"]
    seen = []
    for end in spec["range"]:
        with data.override({"body:csf.mixing_flow": validation.setting(spec, end)}):
            seen.append({k: validation.simulated(rows[k]) for k in ("tracer_head",
                                                                    "isobaric_peak")})
    sooner = seen[1]["tracer_head"] < seen[0]["tracer_head"]
    peak_poor = all(validation.verdict(rows["isobaric_peak"], s["isobaric_peak"]) == "poor"
                    for s in seen)
    if not sooner:
        return "c"
    return "b" if peak_poor else "a"


register(Question(
    "q1.5", "In the panel, move 'Mixing between levels' from its lowest to its highest "
    "setting. What happens?",
    _mixing_ends,
    hint="Watch the tracer's dot and the dot of the bolus peak at T10, against their green "
    "bands.",
    explain="Faster mixing carries the tracer to the head sooner, nearer the 1-3 h seen in "
    "people [C16], but at no setting does the bolus peak at T10 come near the 30-60 µg/mL "
    "measured [M8]: in this model an injection spreads over a fixed number of levels whatever "
    "its volume. When no value of an assumption fixes a result, it is the model's structure "
    "that has to change, not the number.",
    choices={"a": "both move into the range seen in people: that one number was all it "
                  "needed",
             "b": "the tracer reaches the head sooner, but the bolus peak at T10 stays far "
                  "below what people show",
             "c": "nothing changes"}))


register(Question(
    "ex1.1", "From itsim.body.csf.segment_volumes(): how many mL of CSF does the model hold in "
    "the lumbosacral region, from the sacral sac (S1) up to T12?",
    _lumbosacral_volume,
    hint="Add up the volumes from index 0 (S1) to csf.index('T12'), inclusive.",
    explain="20 mL in the sacral sac plus 6 × 5 mL from L5 to T12 = 50 mL, the measured "
    "lumbosacral volume the model is built on.", kind="volume", unit="mL"))
register(Question(
    "ex1.2", "Inject morphine 0.25 mg at L3 (itsim.body.injection.inject, 36 h). How many hours "
    "after the injection is the model's brainstem concentration highest?",
    lambda: _brainstem_peak_days("morphine", "0.25 mg"),
    hint="shot.hours[shot.brainstem.argmax()]",
    explain="About 10 h in the model. That is the model, not people: a tracer injected in the "
    "lumbar CSF peaks in the head within 1-3 h [C16]. 8-12 h is when delayed slowed breathing "
    "is seen after morphine [M13]; the model was tuned to that window, so its drug climbs too "
    "slowly.",
    kind="time", unit="h", tolerance=0.03))
register(Question(
    "ex1.3", "Do the same with fentanyl 25 mcg. How many hours earlier than morphine's is "
    "fentanyl's brainstem peak?",
    lambda: (_brainstem_peak_days("morphine", "0.25 mg")
             - _brainstem_peak_days("fentanyl", "25 mcg")),
    hint="Morphine's peak time minus fentanyl's peak time.",
    explain="Fentanyl's small brainstem peak comes hours earlier and is far lower: most of it "
    "has left the CSF before it could travel far.", kind="time", unit="h", tolerance=0.03))
register(Question(
    "ex1.4", "A patient receives 30 mg/day of IV morphine. By the IV : intrathecal step of "
    "the rule (100 : 1), what is the intrathecal equivalent, in mcg/day?",
    lambda: dosing.convert_morphine("30 mg/day", "iv", "intrathecal").value,
    hint="Divide by 100, then turn mg into mcg (× 1000).",
    explain="30 mg/day ÷ 100 = 0.3 mg/day = 300 mcg/day.", kind="dose_rate", unit="mcg/day"))
register(Question(
    "ex1.5", "The 300:1 rule turns 300 mg/day of oral morphine into 1 mg/day intrathecal. "
    "What should you make of that number?",
    lambda: ("b" if dosing.convert_morphine("300 mg/day", "oral", "intrathecal").high
             > dosing.convert_morphine("300 mg/day", "oral", "intrathecal").low else "a"),
    hint="Compare the rule with the ratios that worked in real patients "
    "(dosing.convert_morphine gives them as low and high).",
    explain="A starting estimate only: the oral-to-intrathecal ratios that worked in patients "
    "ran from 10:1 to 125:1 [M20], so the dose is found by starting low and titrating.",
    choices={"a": "it is the dose this patient needs",
             "b": "a starting estimate: real patients vary widely, so start low and titrate",
             "c": "it must be multiplied by 300 again"}))


# --- lesson 04: the trial; lesson 05: implantation ------------------------------------------

def _trial():
    from . import trial
    return trial


def _implant():
    from . import implant
    return implant


def _after_inadequate_50() -> str:
    t = _trial()
    a_day_later = abs(t.facts("baclofen")["spacing"].value - 1) < 1e-9
    return "b" if t.ladder("50 mcg")[1] == 75 and a_day_later else "a"


def _first_reading_that_counts(before: int, choices: dict) -> str:
    """The highest reading (of the choices) that meets the 50 % rule after ``before``."""
    import numpy as np
    t = _trial()
    ok = [k for k, v in choices.items()
          if t._met(np.array([before]), np.array([[float(v)]]), "NRS",
                    t.facts("pain")["success"].value)[0, 0]]
    return max(ok, key=lambda k: float(choices[k]))


def _one_good_hour() -> str:
    import numpy as np
    t = _trial()
    met = t._met(np.array([7.0]), np.array([[6.0, 3.0, 6.0, 7.0]]), "NRS",
                 t.facts("pain")["success"].value)
    return "a" if t._runs(met, t.facts("readings")["sustained"].value)[0] else "b"


def _why_24h() -> str:
    t = _trial()
    peak = t.single_shot("morphine", "1 mg", noise=False).doses[0].peak_hours(
        "respiratory_depression")
    return "b" if peak > t.required_hours("ziconotide") else "a"


register(Question(
    "q4.1", "The 50 mcg baclofen screening dose gave no clear fall in tone. What comes next by "
    "the label's schedule?", _after_inadequate_50,
    hint="The label steps the dose up once a day, not within the same day.",
    explain="75 mcg, 24 h later, watched for 4-8 h; then 100 mcg. No response to 100 mcg means "
    "not a candidate [S151].",
    choices={"a": "50 mcg again an hour later", "b": "75 mcg, 24 hours later",
             "c": "100 mcg, 24 hours later", "d": "stop: not a candidate"}))
register(Question(
    "q4.2", "Screening was positive at 75 mcg, and the effect lasted about 5 hours. What first "
    "daily pump dose does the label suggest?",
    lambda: 75.0 * _trial().facts("baclofen")["first_dose_factor"].value,
    hint="Double the positive screening dose and give it over 24 h (unless its effect lasted "
    "more than 8 h).", explain="2 × 75 mcg = 150 mcg/day [B5, B8].",
    kind="dose_rate", unit="mcg/day"))
register(Question(
    "q4.3", "Pain was 8 before an intrathecal test dose. Which reading is the highest that still "
    "counts as a 50 % fall?",
    lambda: _first_reading_that_counts(8, {"a": "6", "b": "5", "c": "4", "d": "2"}),
    hint="Half of 8.", explain="4: half of the pain before the dose [S89]. 5 is a fall of "
    "37.5 %.", choices={"a": "6", "b": "5", "c": "4", "d": "2"}))
register(Question(
    "q4.4", "Pain readings after a test dose: 7 before, then 6, 3, 6 and 7, one an hour. Is "
    "that a response?", _one_good_hour,
    hint="How many readings in a row met the 50 % rule?",
    explain="No: one good hour (3) among readings that stayed high. Scatter and the placebo "
    "effect can give one good reading; a response must hold. Repeat the trial.",
    choices={"a": "yes: the pain fell by more than half", "b": "no: one good reading is not "
             "proof"}))
register(Question(
    "q4.5", "Why is a morphine test dose watched for 24 hours, when itsim watches a ziconotide "
    "test dose for 6?", _why_24h,
    hint="Look at when the breathing-risk line peaks in the pain-trial panel.",
    explain="Morphine stays in the CSF and drifts up to the brainstem: the risk of slowed "
    "breathing peaks about half a day after the dose [M13], so the label asks for 24 h "
    "[S80]. Ziconotide does not depress breathing [S78]; its 6 hours are the opioid figure "
    "[S87], a teaching assumption for ziconotide.",
    choices={"a": "morphine's pain relief takes a day to start",
             "b": "the risk of slowed breathing peaks hours after the dose",
             "c": "the label is being cautious without a reason"}))

register(Question(
    "q5.1", "A catheter supplied 110 cm long is trimmed by 25 cm before it is connected. What "
    "is the implanted catheter's volume, at 0.0026 mL per cm?",
    lambda: _implant().plan("lower-limbs", length="85 cm").catheter_volume,
    hint="(110 − 25) cm × 0.0026 mL/cm.", explain="85 cm × 0.0026 mL/cm = 0.221 mL [S38].",
    kind="volume", unit="mL", tolerance=0.02))
register(Question(
    "q5.2", "Tubing and catheter hold 0.408 mL. Baclofen 500 mcg/mL runs at 100 mcg/day. If the "
    "priming bolus is forgotten, after how many days does the drug reach the tip?",
    lambda: _implant().plan("lower-limbs", length="80 cm", concentration="500 mcg/mL",
                            dose="100 mcg/day").days_to_tip_unprimed,
    hint="First the rate: 100 mcg/day ÷ 500 mcg/mL. Then volume ÷ rate.",
    explain="0.2 mL/day; 0.408 mL ÷ 0.2 mL/day = 2.04 days without any drug.",
    kind="time", unit="day", tolerance=0.02))
register(Question(
    "q5.3", "Where does the catheter tip usually sit for spasticity of the legs?",
    lambda: "b" if _implant().tip_range("lower-limbs") == ("T10", "T12") else "a",
    hint="The spinal cord segments for the legs lie in the low thoracic canal.",
    explain="Around T10-T12 [S61, S62]; higher tips (C5-T2) for the arms.",
    choices={"a": "at L1, where the needle goes in", "b": "around T10-T12",
             "c": "at C1, to reach the brain"}))
register(Question(
    "q5.4", "The pump pocket was made 3 cm deep. What problem do you expect?",
    lambda: "c" if "pocket-too-deep" in [f.code for f in _implant().plan(
        "lower-limbs", pocket_depth="3 cm").findings] else "a",
    hint="Manufacturers give a greatest depth for the pump under the skin.",
    explain="Deeper than 2.5 cm, the refill needle may not reach the port and the programmer "
    "may not talk to the pump [S15, S42, S47].",
    choices={"a": "none: deeper is safer", "b": "the catheter will kink",
             "c": "refills and programming may fail"}))
register(Question(
    "q5.5", "When do infections after an intrathecal pump implant mostly appear?",
    lambda: "b" if _implant().complication_table()["deep-infection"].window[1] <= 92 else "c",
    hint="Look at the post-operative timeline panel.",
    explain="Usually in the first 2 months [S13]: wounds are checked closely while they "
    "heal (6-8 weeks).", choices={"a": "on the day of surgery only",
                                  "b": "usually in the first 2 months",
                                  "c": "evenly over the pump's life"}))

register(Question(
    "ex4.1", "Run trial.screening('spinal-spasticity', noise=False). At which dose did the typical "
    "patient respond?", lambda: _trial().screening("spinal-spasticity", noise=False)
    .positive_dose, hint="t.positive_dose", explain="50 mcg, the first dose of the ladder.",
    kind="mass", unit="mcg"))
register(Question(
    "ex4.2", "A patient who responds only 30 % as strongly: trial.screening({'preset': "
    "'spinal-spasticity', 'sensitivity': 0.3}, noise=False). What first pump dose does the "
    "trial suggest?", lambda: _trial().screening({"preset": "spinal-spasticity",
                                                  "sensitivity": 0.3}, noise=False)
    .first_pump_dose, hint="t.first_pump_dose (in mcg/day)",
    explain="A response only at 100 mcg, doubled: 200 mcg/day.", kind="dose_rate",
    unit="mcg/day"))
register(Question(
    "ex4.3", "trial.single_shot('morphine', '1 mg', noise=False): how many hours after the dose "
    "does the risk of slowed breathing peak?",
    lambda: _trial().single_shot("morphine", "1 mg", noise=False).doses[0].peak_hours(
        "respiratory_depression") / 24,
    hint="t.doses[0].peak_hours('respiratory_depression')",
    explain="About 12 h: within the usual 8-12 h onset of delayed respiratory depression "
    "[M13].", kind="time", unit="h", tolerance=0.03))
register(Question(
    "ex4.4", "trial.cohort(500, seed=1, observe='2 h') against trial.cohort(500, seed=1): how "
    "many of the 500 patients lose their candidacy when each dose is watched for only 2 h?",
    lambda: "c" if _cohort_lost(2) >= 50 else ("b" if _cohort_lost(2) >= 5 else "a"),
    hint="(c8.decision == 'candidate') & (c2.decision != 'candidate'), then .sum()",
    explain="Many (in the model about 4 in 10): the tone has barely begun to fall by 2 h "
    "(the peak comes about 4 h after the dose [S85]), so responders are called "
    "non-responders.",
    choices={"a": "none or almost none (fewer than 5)", "b": "a few (5 to 49)",
             "c": "many (50 or more)"}))
register(Question(
    "ex4.5", "trial.continuous('morphine', '0.5 mg/day', noise=False): what daily dose does the "
    "continuous trial suggest for the pump, in mg/day?",
    lambda: _trial().continuous("morphine", "0.5 mg/day", noise=False).first_pump_dose,
    hint="t.first_pump_dose is in mcg/day.", explain="0.5 mg/day, the dose that worked.",
    kind="dose_rate", unit="mg/day"))


def _cohort_lost(hours: int) -> int:
    t = _trial()
    full, short = t.cohort(500, seed=1), t.cohort(500, seed=1, observe=f"{hours} h")
    return int(((full.decision == "candidate") & (short.decision != "candidate")).sum())


register(Question(
    "ex5.1", "implant.plan('lower-limbs', length='70 cm'): how many mL does the priming bolus "
    "have to push (pump tubing and catheter)?",
    lambda: _implant().plan("lower-limbs", length="70 cm").priming_volume,
    hint="p.priming_volume", explain="70 × 0.0026 = 0.182 mL of catheter + 0.2 mL of tubing "
    "(the tubing volume is a teaching assumption) = 0.382 mL.", kind="volume", unit="mL",
    tolerance=0.02))
register(Question(
    "ex5.2", "Same plan, morphine 10 mg/mL at 0.5 mg/day (drug='morphine', "
    "concentration='10 mg/mL', dose='0.5 mg/day'): days until the drug reaches the tip if "
    "priming is forgotten?",
    lambda: _implant().plan("lower-limbs", length="70 cm", concentration="10 mg/mL",
                            dose="0.5 mg/day", drug="morphine").days_to_tip_unprimed,
    hint="p.days_to_tip_unprimed, or volume ÷ (dose ÷ concentration).",
    explain="0.05 mL/day: 0.382 ÷ 0.05 = 7.6 days without morphine.", kind="time",
    unit="day", tolerance=0.02))
register(Question(
    "ex5.3", "implant.priming('doubled', target='pain', pain_level='T10', drug='morphine', "
    "concentration='10 mg/mL', dose='0.5 mg/day'): how much morphine reached the CSF at once?",
    lambda: _implant().priming("doubled", target="pain", pain_level="T10", drug="morphine",
                               concentration="10 mg/mL", dose="0.5 mg/day").extra,
    hint="r.extra (mcg)", explain="The whole primed volume, 0.356 mL × 10 mg/mL = 3.56 mg: "
    "seven days of the daily dose at once.", kind="mass", unit="mg", tolerance=0.02))
register(Question(
    "ex5.4", "implant.complication_rates(20000, seed=2): what share of virtual patients had a "
    "post-dural puncture headache, compared with the 15 % in the data (a teaching figure)?",
    lambda: "a" if abs(_implant().complication_rates(20000, seed=2)["headache"][0] - 0.15)
    < 0.01 else "b",
    hint="rates['headache'] gives (drawn, sourced).",
    explain="Within a percentage point of 15 %: drawing many patients reproduces the rate; "
    "20 patients would scatter widely around it.",
    choices={"a": "within one percentage point of 15 %", "b": "far from it"}))


# --- lesson 07: refills ------------------------------------------------------------------------

def _refill():
    from . import refill
    return refill


def _discrepancy_choice(expected, measured, when="emptying", pump="programmable-20") -> str:
    r = _refill().discrepancy(expected, measured, when=when, pump=pump)
    if not r.flagged:
        return "a"
    return "b" if r.difference > 0 else "c"


_DISCREPANCY_CHOICES = {"a": "within range: carry on and note it",
                        "b": "evaluate: less came back than expected (over-delivery, a leak, "
                             "a pocket fill)",
                        "c": "evaluate: more came back than expected (under-delivery, a stall, "
                             "a blocked catheter)"}

register(Question(
    "q7.1", "Baclofen 2000 mcg/mL runs at 600 mcg/day in a 40 mL pump filled to 40 mL, with the "
    "low-reservoir alarm at 2 mL. After how many days will the alarm sound?",
    lambda: _refill().schedule("baclofen", "2000 mcg/mL", "40 mL",
                               {"mode": "continuous", "dose": "600 mcg/day"},
                               pump="programmable-40").alarm_day,
    hint="Rate = dose ÷ concentration; then (fill − alarm volume) ÷ rate.",
    explain="0.3 mL/day; (40 − 2) mL ÷ 0.3 mL/day = 126.7 days. Plan the refill about a week "
    "before it (by day 119): the alarm is a backstop [S70]. No stability figure for baclofen "
    "was found, but no drug may stay in the pump more than 6 months [S10].", kind="time", unit="day",
    tolerance=0.01))
register(Question(
    "q7.2", "A new pump is filled with undiluted ziconotide for the first time. When must the "
    "first refill come at the latest?",
    lambda: {14.0: "a", 40.0: "b", 84.0: "c"}.get(_refill().schedule(
        "ziconotide", "25 mcg/mL", "20 mL", {"mode": "continuous", "dose": "2.4 mcg/day"},
        first_fill=True).due_day, "d"),
    hint="Drug is lost to the pump's new internal surfaces at first.",
    explain="Within 14 days [Z3, Z5], whatever the reservoir volume says; later refills every "
    "84 days undiluted (40 days diluted).",
    choices={"a": "within 14 days", "b": "within 40 days", "c": "within 84 days",
             "d": "when the low-reservoir alarm sounds"}))
register(Question(
    "q7.3", "The programmer expects 6.0 mL in the reservoir. You withdraw 3.5 mL. What now?",
    lambda: _discrepancy_choice("6 mL", "3.5 mL"),
    hint="The rule at emptying: evaluate a difference of more than 2 mL [S72].",
    explain="2.5 mL less than expected: evaluate. The pump may have given more than "
    "programmed, or drug went elsewhere. Watch for overdose and track the trend.",
    choices=_DISCREPANCY_CHOICES))
register(Question(
    "q7.4", "You inject 18.0 mL into a 20 mL programmable pump (like itsim's, with no "
    "fill-level sensor) and type 18 mL into the programmer, which then shows 18 mL. What does "
    "that tell you about where the drug went?",
    lambda: "a" if _refill().has_fill_level_sensor("programmable-20") else "b",
    hint="Where does the number on the programmer come from?",
    explain="Nothing: without a fill-level sensor the programmer shows what you typed, so it "
    "cannot reveal a pocket fill (the >1 mL after-refill rule [S71] needs a sensor). Watch for "
    "swelling at the pump, burning or stinging, a fill that feels difficult [S150]; if in "
    "doubt, re-access the reservoir and draw back [S66].",
    choices={"a": "the fill went into the reservoir", "b": "nothing: check the signs and, "
             "if in doubt, re-access the reservoir and draw back", "c": "a pocket fill"}))
register(Question(
    "q7.5", "Baclofen changes from 500 to 2000 mcg/mL at 300 mcg/day; tubing and catheter hold "
    "0.356 mL of the old solution. Without a bridge bolus, what daily dose does the patient get "
    "while the old solution clears?",
    lambda: _refill().concentration_change("300 mcg/day", "500 mcg/mL", "2000 mcg/mL",
                                           "0.356 mL").dose_without_bridge,
    hint="The pump now runs at 300 ÷ 2000 mL/day, but what leaves the catheter is still the "
    "500 mcg/mL solution.", explain="0.15 mL/day × 500 mcg/mL = 75 mcg/day, a quarter of "
    "the dose, for 2.4 days: enough for withdrawal to start. A bridge bolus avoids it [S17].",
    kind="dose_rate", unit="mcg/day"))
register(Question(
    "q7.6", "Where does the refill needle go?",
    lambda: "a", hint="The side port leads straight into the catheter.",
    explain="Into the central reservoir port, with the kit's non-coring needle [S66]. The side "
    "(catheter access) port bypasses the pump: a refill there puts the whole syringe into the "
    "spinal fluid at once [S14].",
    choices={"a": "the central reservoir port", "b": "the side (catheter access) port",
             "c": "either, whichever is easier to feel"}))

register(Question(
    "ex7.1", "A valve-gated pump: refill.schedule('baclofen', '500 mcg/mL', '20 mL', "
    "{'mode': 'continuous', 'rate': '0.3 mL/day', 'patient_bolus': {'dose': '10 mcg', "
    "'duration': '5 min', 'lockout': '1 h', 'max_per_day': 4}}, pump='valve-gated-20'). In how "
    "many days does the controller date the refill (the 3 mL point, p.alarm_day)?",
    lambda: _refill().schedule("baclofen", "500 mcg/mL", "20 mL",
                               {"mode": "continuous", "rate": "0.3 mL/day",
                                "patient_bolus": {"dose": "10 mcg", "duration": "5 min",
                                                  "lockout": "1 h", "max_per_day": 4}},
                               pump="valve-gated-20").alarm_day,
    hint="p.alarm_day; by hand: (20 − 3) mL ÷ (0.3 + 4 × 0.02) mL/day.",
    explain="(20 − 3) ÷ 0.38 = 44.7 days: the controller's refill date assumes every allotted "
    "bolus is used [S43]. itsim also warns there, so it plans the refill a week earlier "
    "(p.planned_day, 37.7 days).", kind="time", unit="day"))
register(Question(
    "ex7.2", "Morphine 10 mg/mL at 2.5 mg/day, 20 mL, refilled on Thursday 2026-12-03 "
    "(start='2026-12-03'): on which day after the refill should the next one be booked?",
    lambda: float(_refill().schedule("morphine", "10 mg/mL", "20 mL",
                                     {"mode": "continuous", "dose": "2.5 mg/day"},
                                     start="2026-12-03").visit_day),
    hint="p.visit_day: plan a week before the alarm, then the last clinic day on or before.",
    explain="The alarm is due on day 72 (Saturday 13 February). Plan a week before it, day 65, "
    "a Saturday: book Friday, day 64, 8 days before the alarm [S70].", kind="time",
    unit="day"))
register(Question(
    "ex7.3", "A 40 mL pump with a fill-level sensor: refill.discrepancy('38.5 mL', '36.0 mL', "
    "when='after-refill', pump='programmable-40', sensor=True). What is your verdict? (Without "
    "sensor=True it is refused: itsim's presets have no sensor.)",
    lambda: "b" if _refill().discrepancy("38.5 mL", "36 mL", when="after-refill",
                                         pump="programmable-40", sensor=True).flagged else "a",
    hint="In a 40 mL pump with a sensor the after-refill threshold is 2 mL [S71].",
    explain="2.5 mL is missing, above 2 mL: suspect a pocket fill. On a pump without a sensor "
    "the programmer only shows what you typed: check the signs and re-access the reservoir "
    "(refill.after_refill_check).",
    choices={"a": "within range", "b": "evaluate: suspect a pocket fill"}))
register(Question(
    "ex7.4", "refill.concentration_change('300 mcg/day', '500 mcg/mL', '2000 mcg/mL', "
    "'0.356 mL'): how long does the old solution take to clear without a bridge bolus?",
    lambda: _refill().concentration_change("300 mcg/day", "500 mcg/mL", "2000 mcg/mL",
                                           "0.356 mL").overlap_days,
    hint="c.overlap_days (days)", explain="0.356 mL ÷ 0.15 mL/day = 2.37 days.",
    kind="time", unit="day", tolerance=0.02))
register(Question(
    "ex7.5", "On the case 'Morphine refill: the port is hard to feel', locate the port by "
    "touch (template=False), skip the placement check, inject without drawing back "
    "(check_return=False) and do the rest. How much morphine went under the skin?",
    lambda: _ex75(), hint="Find the pocket-fill event in report.timeline.log, or "
    "report.timeline.summary()['delivered']['to_tissue_mcg'].",
    explain="The whole 20 mL syringe of 10 mg/mL: 200 mg of morphine under the skin. Drawing "
    "back while injecting would have stopped it after the first 5 mL (50 mg).",
    kind="mass", unit="mg"))


def _ex75() -> float:
    from .refill_station import STEPS, RefillCase, RefillSession
    case = RefillCase(title="Morphine refill: the port is hard to feel", patient="cancer-pain",
                      drug="morphine", concentration="10 mg/mL", dose="2 mg/day", visit_day=60,
                      port_hard=True)                # as in scenarios/cases/refill_station.toml
    s = RefillSession(case)
    choices = {"locate": {"template": False}, "inject": {"check_return": False},
               "program": {"volume": "20 mL", "concentration": "10 mg/mL"}}
    for step in STEPS:
        if step != "confirm":
            s.do(step, **choices.get(step, {}))
    return s.finish().timeline.summary()["delivered"]["to_tissue_mcg"]


# --- lesson 08: complications and troubleshooting -------------------------------------------

BACLOFEN_40 = dict(drug="baclofen", concentration="2000 mcg/mL", fill="40 mL",
                  program={"mode": "continuous", "dose": "300 mcg/day"}, pump="programmable-40",
                  catheter={"tip": "T10", "length": "60 cm"},
                  patient="spinal-spasticity")       # as in scenarios/catheter_disconnection.toml


def _disconnection():
    from .simulation import simulate
    return simulate(**BACLOFEN_40, days=30,
                    events=[{"at": "day 20", "kind": "catheter-disconnection"}]).summary()


def _pump_shows_after_disconnection() -> str:
    return "a" if not [a for a in _disconnection()["alarms"] if a["day"] >= 20] else "b"


def _mri_unaffected() -> str:
    import numpy as np

    from .simulation import simulate
    tl = simulate(drug="morphine", concentration="10 mg/mL", fill="30 mL",
                  pump="constant-flow-30", days=3, step="10 min",
                  events=[{"at": "day 1", "kind": "mri"}])
    from .device import pump_preset
    named = "Codman 3000" in pump_preset("constant-flow-30").description
    return "c" if np.ptp(tl.delivered) < 1e-9 and named else "b"


def _five_year_mass() -> str:
    import math
    from . import hazards
    f = hazards.facts("inflammatory-mass")
    p = 1 - math.exp(-f["rate"].value * 5)          # no floor on the onset [S102]
    return "b" if 0.02 < p < 0.08 else ("a" if p <= 0.02 else "c")


register(Question(
    "q8.1", "A baclofen patient's catheter comes off the pump. What does the pump show?",
    _pump_shows_after_disconnection, hint="Can the pump tell where the drug goes after it "
    "leaves?", explain="Nothing: the pump keeps running and counting. The clue is the patient "
    "(withdrawal over 24-72 h [B14]), then the X-ray or an access-port aspiration [S21, S67].",
    choices={"a": "nothing: no alarm", "b": "a critical two-tone alarm",
             "c": "a low-reservoir alarm"}))
register(Question(
    "q8.2", "The simulator's constant-flow pump keeps flowing through an MRI scan. What may you "
    "conclude about constant-flow pumps in a scanner?", _mri_unaffected,
    hint="The preset is modelled on one named pump. Is what holds for one model true of all?",
    explain="Only one model, the Codman 3000, is named as not affected [S52], and the preset "
    "is modelled on it. For any other constant-flow pump follow its own MRI labelling. A "
    "programmable pump's rotor stops in the magnet [S11]; a valve-gated pump is emptied and "
    "set to 0.0 first [S34, S40].",
    choices={"a": "every gas-driven constant-flow pump is safe in any MRI",
             "b": "constant-flow pumps must always be emptied first",
             "c": "that one named model is not affected; check any other model's labelling"}))
register(Question(
    "q8.3", "At a refill 8 mL comes back where the programmer expected 3.2 mL. Which cause "
    "fits best?",
    lambda: "b" if _refill().discrepancy("3.2 mL", "8 mL").difference < 0 else "a",
    hint="More came back: did the pump give more or less than it counted?",
    explain="More came back than expected: under-delivery, a stall or a blocked catheter "
    "[S72]; the patient may be in withdrawal.",
    choices={"a": "a pocket fill at the last refill", "b": "a blocked catheter or stall",
             "c": "the pump gave too much"}))
register(Question(
    "q8.4", "An inflammatory mass forms in about 0.009 patients per year [S99]. What is the "
    "chance over 5 years?", _five_year_mass,
    hint="Rate × years, for a small rate.",
    explain="About 4 % (0.009 × 5 years): roughly 1 patient in 25. Higher doses and "
    "concentrations raise it [S99, S101]. Most masses start after 2-4 months [S98], but one "
    "was found at 5 weeks [S102]: no period is safe.",
    choices={"a": "under 2 %", "b": "about 4 %, 1 in 25", "c": "over 10 %"}))
register(Question(
    "q8.5", "A baclofen patient has itching without a rash, returning spasticity and a racing "
    "heart. What is it most likely?", lambda: "b",
    hint="Think of what happens when the baclofen stops arriving.",
    explain="Early baclofen withdrawal: itching without a rash is very suggestive [B14, S13]. "
    "Restore delivery urgently; look for the cause (empty pump, catheter problem).",
    choices={"a": "an allergy to baclofen", "b": "baclofen withdrawal",
             "c": "a baclofen overdose"}))

register(Question(
    "ex8.1", "Run scenario.load('../scenarios/catheter_disconnection.toml').run(): how many "
    "hours after the disconnection on day 20 does the model flag the withdrawal syndrome "
    "(index at least 0.5)?",
    lambda: _disconnection()["response"]["withdrawal"]["first_day"] - 20, hint="s = tl.summary(); s['response']['withdrawal']['first_day'] is in days.",
    explain="Inside the 24-72 h over which the syndrome develops untreated [B14]. Early signs "
    "come first and need action at once: returning spasticity, itching, tingling [S153]. "
    "The flag comes later here than after months at a higher dose; in the sources the "
    "severity rises with the dose and the time on therapy [B14].", kind="time", unit="h",
    tolerance=0.03))
register(Question(
    "ex8.2", "hazards.mass_rate('morphine', '25 mg/mL', '10 mg/day') against "
    "hazards.mass_rate('morphine', '10 mg/mL', '5 mg/day'): how many times higher?",
    lambda: {2: "a", 4: "b", 8: "c"}.get(round(_hz().mass_rate("morphine", "25 mg/mL",
                                                               "10 mg/day")
                                               / _hz().mass_rate("morphine", "10 mg/mL",
                                                                 "5 mg/day")), "d"),
    hint="Divide one rate by the other.",
    explain="Four times: twice for the dose, twice for a concentration of 20 mg/mL or more "
    "(both factors are teaching assumptions around [S99, S101]).",
    choices={"a": "2 times", "b": "4 times", "c": "8 times", "d": "the same"}))
register(Question(
    "ex8.3", "troubleshoot.Game(troubleshoot.load('../scenarios/troubleshooting/"
    "baclofen_occlusion.toml')): investigate 'residual'. How many mL more than expected came "
    "back?", lambda: _occlusion_extra(), hint="finding.values has expected_ml and withdrawn_ml.",
    explain="The pump counted drug it could not push through the blocked catheter.",
    kind="volume", unit="mL", tolerance=0.02))


def _hz():
    from . import hazards
    return hazards


def _occlusion_extra() -> float:
    from . import shipped, troubleshoot
    g = troubleshoot.Game(troubleshoot.load(shipped.troubleshooting() / "baclofen_occlusion.toml"))
    v = g.investigate("residual").values
    return v["withdrawn_ml"] - v["expected_ml"]


# --- lesson 10: capstone ---------------------------------------------------------------------

def _capstone_first_alarm() -> str:
    from .simulation import simulate
    tl = simulate(drug="baclofen", concentration="2000 mcg/mL", fill="20 mL",
                  program={"mode": "continuous", "dose": "300 mcg/day"}, days=140, step="3 h",
                  patient={"preset": "cerebral-spasticity", "sensitivity": 0.7})
    first = tl.alarms[0]
    return "a" if first.kind == "low-reservoir" and not first.critical else "b"


register(Question(
    "q10.1", "In case 1, which alarm comes first, and what should the patient do?",
    _capstone_first_alarm, hint="Look at the list of alarms above the figure.",
    explain="The single-tone low-reservoir alarm (day 120): call the clinic at once, because "
    "the refill was planned a week before this alarm and is now overdue. "
    "The two-tone alarm means the drug has stopped: call at once [S5, S12].",
    choices={"a": "one beep an hour (low reservoir): book the refill",
             "b": "a two-tone alarm: the drug has stopped"}))
register(Question(
    "q10.2", "In case 2, at what rate must the pump run while the bridge bolus clears the old "
    "10 mg/mL solution at 3 mg/day?",
    lambda: _refill().concentration_change("3 mg/day", "10 mg/mL", "25 mg/mL",
                                           "0.356 mL").bridge.flow,
    hint="The old solution must still give 3 mg/day: rate = dose ÷ old concentration.",
    explain="3 mg/day ÷ 10 mg/mL = 0.3 mL/day, for 0.356 mL ÷ 0.3 mL/day = 1.2 days; then "
    "0.12 mL/day for the new 25 mg/mL solution.", kind="flow", unit="mL/day"))
register(Question(
    "q10.3", "A baclofen patient with a spinal cord injury at T4 has withdrawal signs, a normal "
    "pump log and the expected volume in the reservoir. What comes first?", lambda: "d",
    hint="Which is more urgent: the patient or the search for the cause?",
    explain="Treat the withdrawal first: restore baclofen now (an intrathecal bolus given by a "
    "physician; ICU care if it is severe) [S110]. A spinal cord injury at T6 or above puts him "
    "at high risk [B7], and autonomic dysreflexia, sepsis and meningitis belong in the "
    "differential [S135]. Then look for the cause, cheapest first: a plain X-ray of pump and "
    "catheter for a kink, a break or a disconnection [S21, S137]; an access-port study comes "
    "after [S67, S68].",
    choices={"a": "an MRI with contrast", "b": "a plain X-ray of pump and catheter",
             "c": "a contrast study through the access port",
             "d": "treat the withdrawal now, then a plain X-ray to find the cause"}))


# --- lesson 11: emergencies ------------------------------------------------------------------

def _em():
    from . import emergency
    return emergency


def _breathing_after_naloxone(case="morphine_cap_injection", at=60.0, later=(5.0, 240.0)):
    """Breaths a minute 5 min and 4 h after 2 mg of naloxone given ``at`` minutes after
    arrival, in the emergency room's model."""
    s = _em().Session(case)
    s.wait(f"{at} min")
    s.act("naloxone-2mg")
    return [s.vitals(at + m)["breathing_per_min"] for m in later]


def _renarcotisation_choice() -> str:
    soon, later = _breathing_after_naloxone()
    return "b" if later < soon - 2 else "a"


def _withdrawal_first_choice() -> str:
    c = _em().load("baclofen_disconnection")
    return "c" if ("benzodiazepine" in c.right and "call-help" in c.required
                   and "restore" in c.required and c.restore) else "d"


def _ed_now_choice(choices: dict) -> str:
    from . import patient_safety as ps
    now = {e.sign for e in ps.emergencies()} | {n for n, s in ps.signs().items() if s.emergency}
    hits = [k for k, v in choices.items() if v in now]
    return hits[0] if len(hits) == 1 else "none"


def _ed_now_choices() -> dict:
    from . import patient_safety as ps
    fever = next(e.sign for e in ps.emergencies() if e.key == "fever-with-more")
    return {"a": "itching or tingling, with no rash", "b": "pain coming back",
            "c": fever, "d": "muscles stiff again"}


_ED_NOW = _ed_now_choices()


def _drainage_choice() -> str:
    em = _em()
    plain, drained = em.Session("morphine_cap_injection"), em.Session("morphine_cap_injection")
    drained.act("call-help")
    drained.act("drain-port")
    k = plain.k(240)
    takes_out = drained.timeline().balance.drained > 0
    eases = (drained.timeline().response.effects["respiratory_depression"][k]
             < plain.timeline().response.effects["respiratory_depression"][k])
    return "a" if takes_out and eases else "b"


def _ziconotide_choice() -> str:
    from . import emergency_events
    no_withdrawal = drugs.get("ziconotide").withdrawal.extra.get("risk") == "none"
    naloxone_no = "ziconotide" not in emergency_events.facts()["naloxone"]["reverses"].value
    stop_is_right = "stop-pump" in _em().load("ziconotide_psychiatric").right
    return "b" if no_withdrawal and naloxone_no and stop_is_right else "c"


def _baclofen_overdose_choice() -> str:
    from . import emergency_events
    c = _em().load("baclofen_entry_error")
    no_antidote = "baclofen" not in emergency_events.facts()["naloxone"]["reverses"].value
    return "c" if no_antidote and "physostigmine" in c.unsafe else "b"


register(Question(
    "q11.1", "Morphine went into the catheter access port. At minute 60 you give naloxone 2 mg "
    "IV and the breathing picks up within minutes. What happens over the next hours if you "
    "give no more?", _renarcotisation_choice,
    hint="Which lasts longer: naloxone in the blood or morphine in the spinal fluid?",
    explain="Naloxone wears off before intrathecal morphine does, so the breathing slows again "
    "(re-narcotisation). Keep watching and repeat it: 0.4-2 mg every 2-3 minutes; if there is "
    "no response after 10 mg, question the diagnosis [M5, S20].",
    choices={"a": "the breathing stays normal: the naloxone has reversed the morphine",
             "b": "the breathing slows again as the naloxone wears off: watch and repeat it",
             "c": "the patient goes into opioid withdrawal for days"}))
register(Question(
    "q11.2", "A baclofen patient has fever, rebound stiffness and a racing heart; the catheter "
    "has come off. What comes first?", _withdrawal_first_choice,
    hint="Baclofen tablets work less reliably than you need here; what eases the signs while "
    "baclofen is put back into the spinal fluid?",
    explain="Call for help at once. High-dose benzodiazepines are the mainstay; oral baclofen "
    "is less reliable, so pills alone are not enough [B16, B17]. A physician restores "
    "intrathecal baclofen (a bolus by lumbar puncture bridges for a few hours; the catheter or "
    "pump is fixed), with ICU care if it is severe [B14, S110]. Check CK and temperature "
    "[B14]. A benzodiazepine eases the signs, not the cause.",
    choices={"a": "baclofen tablets by mouth, and wait for the next refill",
             "b": "naloxone 2 mg IV",
             "c": "call for help; high-dose benzodiazepines while a physician puts baclofen back "
                  "into the spinal fluid",
             "d": "a benzodiazepine alone: it treats the withdrawal"}))
register(Question(
    "q11.3", "A patient with a baclofen pump phones the clinic. Which of these means: go to the "
    "emergency department now and show the pump card?", lambda: _ed_now_choice(_ED_NOW),
    hint="Fever on its own is a call; fever with more is not.",
    explain="A fever with stiff muscles, confusion, a racing heart or a seizure can be baclofen "
    "withdrawal, which can kill, or a severe infection [B7, B14]. The other signs can be "
    "early withdrawal: call the care team straight away, do not wait [S153].", choices=_ED_NOW))
register(Question(
    "q11.4", "After morphine went into the access port, why does a physician remove 30-40 mL "
    "of spinal fluid (CSF)?", _drainage_choice,
    hint="Where is the morphine?",
    explain="The drug is in the CSF: taking out 30-40 mL through the access port or by lumbar "
    "puncture takes morphine out with it, and the reservoir is emptied [S16, S20]. After a "
    "pocket fill the drug is under the skin, so drainage does not help there: naloxone and "
    "monitoring [S20, M43].",
    choices={"a": "it takes morphine out of the CSF, so less reaches the brainstem",
             "b": "it lowers the pressure from the extra fluid injected",
             "c": "it is the first treatment for every pump overdose, pocket fill included"}))
register(Question(
    "q11.5", "A patient on ziconotide is confused, frightened and sees people who are not "
    "there. What do you do?", _ziconotide_choice,
    hint="Does ziconotide have a withdrawal syndrome? Does naloxone reverse it?",
    explain="Stop the ziconotide and call for help. Its boxed warning is severe psychiatric "
    "symptoms and neurological impairment, and it must not be used with a history of psychosis "
    "[Z6]; it has no withdrawal, so it can be stopped at once [Z6, M47]. Naloxone does not "
    "reverse it [S78].",
    choices={"a": "naloxone 0.4 mg IV",
             "b": "stop the ziconotide now and call for help: it can be stopped at once",
             "c": "lower the dose slowly over a week to avoid withdrawal"}))
register(Question(
    "q11.6", "A tenfold programming error gave a patient too much intrathecal baclofen. What is "
    "the antidote?", _baclofen_overdose_choice,
    hint="Think of what has been tried, and what failed.",
    explain="There is none: call for help, support breathing and circulation, stop the pump and "
    "empty the reservoir; physostigmine is not advised [S110, B19]. CSF drainage by lumbar "
    "puncture has helped [B18].",
    choices={"a": "naloxone", "b": "physostigmine",
             "c": "none: support breathing and circulation, stop and empty the pump, call for "
                  "help"}))


def _ex111() -> float:
    """Minutes from 2 mg of naloxone (given at minute 60) until the breathing is below 8 a
    minute again, after the access-port injection."""
    s = _em().Session("morphine_cap_injection")
    s.wait("60 min")
    s.act("naloxone-2mg")
    m = 61.0
    while s.vitals(m)["breathing_per_min"] >= 8 and m < s.case.horizon:
        m += 1
    return (m - 60) / 1440                           # days (canonical time)


def _ex112() -> float:
    s = _em().Session("morphine_cap_injection")
    s.act("call-help")
    s.act("drain-port")
    return s.timeline().balance.drained             # mcg (canonical mass)


def _ex113() -> float:
    from .units import parse
    s = _em().Session("baclofen_entry_error")
    flow = float(s.timeline().commanded[s.k(0)])                       # mL/day
    real = parse(s.case.scenario["drug"]["concentration"], "concentration", "drug")
    return flow * real                               # mcg/day (canonical dose rate)


def _ex114() -> str:
    s = _em().Session("morphine_pocket_fill")
    s.act("naloxone-2mg")
    s.act("call-help")
    s.wait("24 h")
    return "b" if s.finish().harmed else "a"


register(Question(
    "ex11.1", "Case 'morphine_cap_injection': s = emergency.Session('morphine_cap_injection'); "
    "s.wait('60 min'); s.act('naloxone-2mg'). How many minutes after the naloxone does the "
    "breathing fall below 8 a minute again? (s.vitals(m)['breathing_per_min'] is the breathing "
    "m minutes after arrival.)", _ex111,
    hint="Step m up from 61, one minute at a time, until s.vitals(m)['breathing_per_min'] < 8; "
    "then subtract 60. In the emergency room: wait 1 h, give naloxone 2 mg, then wait and watch "
    "the readout.",
    explain="A little over 2 hours in the model: one dose of naloxone wears off long before "
    "the intrathecal morphine is gone (re-narcotisation), so repeat it and get the CSF drained "
    "[M5, S20]. (How long naloxone acts here is a teaching assumption.)",
    kind="time", unit="min", tolerance=0.03, close=0.15))
register(Question(
    "ex11.2", "Same case: a physician drains 35 mL of CSF through the access port at once "
    "(s.act('call-help'); s.act('drain-port')). How much morphine leaves with the CSF? "
    "(s.timeline().balance.drained, in mcg)", _ex112,
    hint="s.timeline().balance.drained is in mcg; 1 mg = 1000 mcg.",
    explain="About 15 mg of the 20 mg injected, because the drainage came before the morphine "
    "had spread far from the catheter tip. Drainage takes drug out of the CSF [S16, S20]; "
    "naloxone only blocks it for a while.",
    kind="mass", unit="mg", tolerance=0.02))
register(Question(
    "ex11.3", "Case 'baclofen_entry_error': the syringe said 2000 mcg/mL and the interrogation "
    "(s.interrogate()) shows the flow and the concentration typed into the programmer. What "
    "dose does the pump really give?", _ex113,
    hint="Real dose = programmed flow (mL/day) × the real concentration (mcg/mL).",
    explain="3 mL/day × 2000 mcg/mL = 6000 mcg/day, ten times the 600 mcg/day prescribed: the "
    "programmer shows 600 mcg/day because it was told 200 mcg/mL. No antidote: stop the pump, "
    "empty it, support breathing and circulation; physostigmine is not advised [S110, B19].",
    kind="dose_rate", unit="mcg/day"))
register(Question(
    "ex11.4", "Case 'morphine_pocket_fill': give naloxone 2 mg and call for help at once, then "
    "nothing more; wait 24 h and finish (s.finish()). What is the outcome?", _ex114,
    hint="result.harmed and result.text(); or play it in the emergency room.",
    explain="Harm: the morphine under the skin reaches the blood over hours and one dose wears "
    "off, so the breathing slows again. Repeat naloxone and keep watching: a hydromorphone "
    "pocket fill needed IV naloxone over 12 h [M43, S20].",
    choices={"a": "no harm: one dose was enough", "b": "harm: the breathing slowed again"}))
