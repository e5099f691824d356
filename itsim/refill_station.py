"""The refill station: practise a refill step by step, make mistakes safely, see what follows.

>>> from itsim.refill_station import RefillCase, RefillSession, correct_session
>>> report = correct_session(RefillCase()).finish()
>>> report.score, report.errors
(100, [])

A session is a state machine over the real steps, in order [S66, S69, S72, S71, S150]:
verify the order (with a second person), interrogate the pump, locate the port, prepare,
access with a non-coring needle, aspirate and compare, confirm placement, inject slowly,
update the programmer, observe. ``do(step, ...)`` returns what the nurse sees, in plain words
(never the hidden truth: a needle in the pocket feels the same as one in the port until the
placement check). ``finish()`` runs the patient through ``itsim.simulate`` from the last refill
to a week after this one, with every mistake as an event on the timeline (a pocket fill, a
catheter-access-port injection, a wrong concentration in the programmer, a reservoir volume
not updated, an overfill, a late refill, a wrong drug), and scores the session.

The instructor's traps live in the :class:`RefillCase` (a wrong syringe, a port hard to find
by touch, a pump that gives more than programmed, a visit after the reservoir ran dry).

A pump that ran dry is a restart, not a refill: the nurse assesses the patient and calls the
physician, who decides the restart (``assess`` gives the order, from the case's
``restart_dose``); the nurse programs the dose ordered and watches the patient for at least
8 h (``[refill].restart_observe``: the >= 8 h watch after starting the therapy [B8], applied to
a restart because an overdose followed a restart by about 6 h [B18]; a labelled teaching
rule). A restart at the old dose without the physician's decision, or a short watch, is a
dangerous mistake.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from . import drugs
from .device import pump_preset
from .errors import InputError
from .dosing import concentration_text
from .refill import discrepancy, facts
from .body.response import withdrawal_features
from .units import check_number, fmt, parse

NOTABLE = 0.3          # a side-effect index worth telling the learner about (0-1 scale)

STEPS = ("verify", "interrogate", "locate", "prepare", "access", "aspirate", "confirm",
         "inject", "program", "observe", "document")
ASSESS = "assess"          # required when the patient arrives with an empty pump or withdrawal
ALL_STEPS = STEPS[:2] + (ASSESS,) + STEPS[2:]
STEP_LABELS = {
    "verify": "Verify the order, drug and concentration (with a second nurse)",
    "interrogate": "Interrogate the pump",
    "assess": "Assess the patient; if the pump ran dry or withdrawal shows, call the physician "
              "for the restart plan",
    "locate": "Locate the reservoir port",
    "prepare": "Prepare: mask, antisepsis without alcohol, sterile field, refill kit",
    "access": "Access the port with the needle",
    "aspirate": "Aspirate the residual and compare",
    "confirm": "Confirm placement (inject 5 mL, draw it back freely)",
    "inject": "Inject slowly through the filter, drawing back as you go",
    "program": "Update the programmer: reservoir volume, concentration (and a restart dose "
               "only as the physician orders)",
    "observe": "Observe the patient",
    "document": "Document the volumes, the next refill and alarm dates",
}
NEEDLES = ("non-coring", "standard")
SITES = ("reservoir port", "side port")
ANTISEPTICS = ("alcohol-based", "aqueous chlorhexidine", "povidone-iodine")
DANGER = ("pocket-fill", "cap-injection", "wrong-drug", "wrong-concentration",
          "wrong-programmed-concentration", "overfill", "programmer-volume-too-high",
          "no-escalation", "inject-unconfirmed", "restart-without-order",
          "dose-not-as-ordered", "restart-short-observation")
DANGER_CAP = 40            # the most a session with a dangerous mistake can score


def _restart_watch_source() -> str:
    """Where the watch after a restart comes from, for people."""
    f = facts()["restart_observe"]
    return ("a teaching rule based on [" + ", ".join(f.source) + "]" if f.assumption
            else f.label)


@dataclass(frozen=True)
class RefillCase:
    """A patient due for a refill, and any traps the instructor set. Quantities as text."""

    title: str = "Baclofen refill, spinal spasticity"
    patient: str = "spinal-spasticity"
    drug: str = "baclofen"
    concentration: str = "500 mcg/mL"          # in the pump now
    dose: str = "300 mcg/day"
    pump: str = "programmable-20"
    tip: str = "T10"
    last_fill: str = "20 mL"
    visit_day: float = 23.0                    # days since the last refill (the planned day)
    order_drug: str | None = None              # the new order (default: the same)
    order_concentration: str | None = None
    order_volume: str = "20 mL"
    syringe_drug: str | None = None            # what was actually drawn up (a trap)
    syringe_concentration: str | None = None
    port_hard: bool = False                    # cannot be found by touch alone
    accuracy: float = 1.0                      # delivered / programmed
    follow_days: float = 7.0
    restart_dose: str | None = None            # the physician's restart order if the pump ran
                                               # dry (the instructor's choice; None: the dose)

    @classmethod
    def from_dict(cls, spec: dict) -> RefillCase:
        """A case from a scenario table (unknown keys refused)."""
        names = {f.name for f in fields(cls)}
        for key in spec:
            if key not in names:
                raise InputError(f"case.{key}", spec[key], "unknown; allowed: "
                                 + ", ".join(sorted(names)))
        return cls(**spec)

    @property
    def order(self) -> tuple[str, float, float]:
        """(drug, concentration mcg/mL, volume mL) of the new order."""
        d = drugs.get(self.order_drug or self.drug).name
        conc = parse(self.order_concentration or self.concentration, "concentration",
                     "order_concentration")
        return d, conc, parse(self.order_volume, "volume", "order_volume")

    @property
    def syringe(self) -> tuple[str, float]:
        d, conc, _ = self.order
        return (drugs.get(self.syringe_drug).name if self.syringe_drug else d,
                parse(self.syringe_concentration, "concentration", "syringe_concentration")
                if self.syringe_concentration else conc)

    @property
    def rate(self) -> float:
        """Programmed flow (mL/day)."""
        return (parse(self.dose, "dose_rate", "dose")
                / parse(self.concentration, "concentration", "concentration"))

    @property
    def expected_residual(self) -> float:
        """What the pump thinks is left at the visit (mL)."""
        return max(parse(self.last_fill, "volume", "last_fill") - self.rate * self.visit_day,
                   0.0)

    @property
    def actual_residual(self) -> float:
        """What is really left (mL), with the pump's true accuracy."""
        return max(parse(self.last_fill, "volume", "last_fill")
                   - self.rate * self.accuracy * self.visit_day, 0.0)

    @property
    def empty_day(self) -> float:
        return parse(self.last_fill, "volume", "last_fill") / (self.rate * self.accuracy)

    def plan(self):
        """When this visit should have been booked, from the last refill
        (``itsim.refill.schedule``: a week before the low-reservoir alarm)."""
        from .refill import schedule
        return schedule(self.drug, self.concentration, self.last_fill,
                        {"mode": "continuous", "dose": self.dose}, pump=self.pump)

    @property
    def ran_dry(self) -> bool:
        """The reservoir was empty before the visit: the refill restarts the drug."""
        return self.visit_day > self.empty_day

    @property
    def restart_order(self) -> float:
        """The physician's restart dose (mcg/day) for this case."""
        return parse(self.restart_dose or self.dose, "dose_rate", "restart_dose")


@dataclass
class Mistake:
    code: str
    what: str
    teaching: str
    source: str = ""

    @property
    def dangerous(self) -> bool:
        return self.code in DANGER


@dataclass
class RefillReport:
    """The scored session: steps done in order, what was missed, the mistakes with their
    teaching points, and what happened to the patient (``timeline``)."""

    case: RefillCase
    done: list
    missed: list
    out_of_order: list
    errors: list
    timeline: object
    outcome: list
    score: int
    harmed: bool = False            # overdose, withdrawal or an empty pump after this visit
    situation: list = field(default_factory=list)   # how the patient arrived (not scored)

    @property
    def safe(self) -> bool:
        """No dangerous mistake, and no harm to the patient after this visit."""
        return not self.harmed and not any(m.dangerous for m in self.errors)

    def summary(self) -> str:
        lines = self.situation + [
            f"Score {self.score}/100 - " + ("safe" if self.safe else "UNSAFE") + ".",
            "Steps in the order done: " + (", ".join(self.done) or "none") + "."]
        if self.missed:
            lines.append("Missed: " + ", ".join(STEP_LABELS[s][0].lower() + STEP_LABELS[s][1:]
                                                for s in self.missed) + ".")
        if self.out_of_order:
            lines.append("Out of order: " + ", ".join(self.out_of_order) + ".")
        for m in self.errors:
            lines.append(f"{'DANGER' if m.dangerous else 'Note'}: {m.what} {m.teaching} "
                         f"{m.source}".rstrip())
        lines += self.outcome
        return "\n".join(lines)


class RefillSession:
    """One nurse's refill of ``case``. Call ``do(step, ...)`` for each step, then
    ``finish()``. Steps may be repeated (e.g. access again after a failed placement check)."""

    def __init__(self, case: RefillCase | None = None):
        self.case = case or RefillCase()
        self.case.order                                   # check the case once, up front
        self.preset = pump_preset(self.case.pump)
        self.done: list[str] = []
        self.syringe = self.case.syringe
        self.second_check = False
        self.caught = False
        self.template = False
        self.needle: str | None = None                     # coring or not
        self.site: str | None = None                       # reservoir / pocket / cap
        self.aspirated = False
        self.recorded: float | None = None
        self.reservoir = self.case.actual_residual         # mL really in the reservoir
        self.pocket = 0.0
        self.cap = 0.0
        self.overfilled = 0.0
        self.entered_volume: float | None = None
        self.entered_conc: float | None = None
        self.entered_dose: float | None = None            # a dose typed at the programmer
        self.order_given: float | None = None             # the physician's restart dose
        self.observed = 0.0
        self.escalated = False
        self.confirmed = False                             # fluid drawn back freely since access
        self.mask = self.antiseptic = self.dried = None
        self.unconfirmed = 0.0                             # mL injected before it was confirmed
        self.unfiltered = False
        self.unchecked = False
        self.documented: dict | None = None
        self.seen: list[str] = []

    # -- the steps ---------------------------------------------------------------------------
    def do(self, step: str, **choices) -> str:
        """Do ``step`` with the trainee's ``choices``; returns what the nurse sees."""
        if step not in ALL_STEPS:
            raise InputError("step", step, "one of " + ", ".join(ALL_STEPS))
        text = getattr(self, f"_{step}")(**choices)
        self.done.append(step)
        self.seen.append(text)
        return text

    @staticmethod
    def _conc(x: float, drug: str) -> str:
        return concentration_text(x, drugs.get(drug))

    def _verify(self, second_check: bool = True) -> str:
        self.second_check = bool(second_check)
        d, conc, vol = self.case.order
        sd, sc = self.syringe
        ordered = f"{d} {self._conc(conc, d)}"
        if (sd, sc) != (d, conc):
            if self.second_check:
                self.syringe, self.caught = (d, conc), True
                return (f"The second nurse reads the syringe: {sd} {self._conc(sc, sd)}, "
                        f"but the order is {ordered}. The right solution is drawn up.")
            return (f"Syringe: {sd} {self._conc(sc, sd)}; the order reads {ordered}. "
                    "Checked by you alone.")
        return (f"Order: {ordered}, {fmt(vol, 'volume')}. The syringe matches"
                + (", checked by a second nurse." if self.second_check else
                   ", checked by you alone."))

    def _interrogate(self) -> str:
        c = self.case
        alarm = self.preset.low_reservoir_alarm
        c0 = parse(c.concentration, "concentration", "concentration")
        lines = [f"Programmer: {c.drug} {self._conc(c0, c.drug)} at {c.dose}; expected "
                 f"reservoir volume {fmt(c.expected_residual, 'volume')}."]
        if c.visit_day >= c.empty_day:
            lines.append(f"Alarm: reservoir EMPTY since day {c.empty_day:.1f} (critical). The "
                         "drug has stopped: check the patient for withdrawal now.")
        elif alarm is not None and c.expected_residual <= alarm:
            lines.append("Alarm: low reservoir.")
        return " ".join(lines)

    def _assess(self, escalate: bool = True) -> str:
        """Look at the patient before touching the pump; ``escalate``: call the physician."""
        c = self.case
        self.escalated = bool(escalate)
        empty = c.ran_dry
        signs = (withdrawal_features(drugs.get(c.drug).name).rstrip(".")
                 or "what the drug was treating coming back")
        if empty:
            seen = (f"The reservoir ran dry about {c.visit_day - c.empty_day:.1f} days ago. The "
                    f"patient shows signs of withdrawal: {signs}.")
        else:
            seen = f"Look for withdrawal ({signs}) and for overdose (drowsiness, slow breathing)."
        if not self.escalated:
            return seen + " You carry on with the refill without calling anyone."
        if empty:
            f = facts()
            self.order_given = c.restart_order
            return (seen + " You call the physician now: a missed refill needs a doctor at once "
                    "[S153]. The withdrawal must be assessed and treated [B7]. The refill "
                    "restarts the drug, and the physician decides the restart, the dose and how "
                    f"long to watch {f['restart_order'].label}; overdoses have followed a restart "
                    "[B18]. The physician's restart plan for this case: program "
                    f"{fmt(self.order_given, 'dose_rate')} and watch the patient for at least "
                    f"{fmt(f['restart_observe'].value, 'time')} after the restart "
                    f"({_restart_watch_source()}).")
        return seen + " Nothing alarming: you note it and carry on."

    def _locate(self, template: bool = True) -> str:
        self.template = bool(template)
        return ("The port is found with the template." if self.template else
                "The port is found by touch.")

    def _prepare(self, mask: bool = True, antiseptic: str = "aqueous chlorhexidine",
                 dried: bool = True) -> str:
        """``mask``: wear one; ``antiseptic``: one of ANTISEPTICS; ``dried``: let it dry fully
        before the needle goes in [S150]."""
        if antiseptic not in ANTISEPTICS:
            raise InputError("antiseptic", antiseptic, "one of " + ", ".join(ANTISEPTICS))
        self.mask, self.antiseptic, self.dried = bool(mask), antiseptic, bool(dried)
        return (f"{'Mask on' if self.mask else 'No mask'}; skin cleaned with {antiseptic}"
                f"{', left to dry fully' if self.dried else ', still wet'}. Sterile field and "
                f"refill kit ready: {facts()['needle'].value}, and the kit's filter.")

    def _access(self, needle: str = "non-coring", site: str = "reservoir port") -> str:
        if needle not in NEEDLES:
            raise InputError("needle", needle, "one of " + ", ".join(NEEDLES))
        if site not in SITES:
            raise InputError("site", site, "one of " + ", ".join(SITES))
        self.needle = needle
        if site == "side port":
            self.site = "cap"
        elif self.case.port_hard and not self.template:
            self.site = "pocket"                         # missed: it feels the same
        else:
            self.site = "reservoir"
        self.aspirated = False
        self.confirmed = False
        return f"Needle in ({needle} needle, {site})."

    def _need_needle(self, step):
        if self.site is None:
            raise InputError("step", step, "the needle is not in yet: access the port first")

    def _aspirate(self, recorded=None) -> str:
        self._need_needle("aspirate")
        if self.site == "reservoir":
            came = self.reservoir
            self.reservoir = 0.0
            self.aspirated = True
            self.confirmed = self.confirmed or came > 0
            text = (f"{fmt(came, 'volume')} comes back freely: clear, like the drug." if came > 0
                    else "Nothing comes back: the reservoir is empty, so this does not prove "
                    "where the needle is. Confirm placement before you inject [S74].")
        elif self.site == "pocket":
            came = 0.0
            text = "Nothing comes back, only a little blood-stained fluid."
        else:
            came = 0.0
            text = "Clear fluid comes back slowly: it looks like CSF."
        self.recorded = came if recorded is None else parse(recorded, "volume", "recorded",
                                                            allow_zero=True)
        if self.site != "reservoir":
            return text + (" The needle may not be in the reservoir: do not inject. Find the "
                           "port again, with the template.")
        if "interrogate" in self.done:
            d = discrepancy(f"{self.case.expected_residual!r} mL", f"{self.recorded!r} mL",
                            pump=self.preset.name)
            text += " Against the programmer: " + d.summary().split(": ", 1)[1]
        return text

    def _confirm(self) -> str:
        self._need_needle("confirm")
        v = facts()["confirm_volume"].value
        if self.site == "reservoir":
            self.confirmed = True
            return (f"{fmt(v, 'volume')} goes in and comes back freely: the needle is in the "
                    "reservoir.")
        if self.site == "pocket":
            self.pocket += v
            return (f"{fmt(v, 'volume')} goes in but nothing comes back, and a small swelling "
                    "appears under the skin: the needle is not in the reservoir.")
        self.cap += v
        return f"{fmt(v, 'volume')} goes in; only clear fluid comes back."

    def _inject(self, volume=None, filter: bool = True, check_return: bool = True) -> str:
        """``filter``: through the refill kit's filter; ``check_return``: draw back every few
        mL while injecting and look at what returns (both teaching assumptions, data
        ``[refill].kit_filter`` and ``return_check``)."""
        self._need_needle("inject")
        vol = parse(volume or self.case.order_volume, "volume", "volume")
        self.unfiltered = self.unfiltered or not filter
        self.unchecked = self.unchecked or not check_return
        if not self.confirmed:
            self.unconfirmed += vol
        every = facts()["return_check"].value
        lead = "" if self.confirmed else "No fluid has come back freely yet. "
        if self.site == "reservoir":
            room = self.preset.reservoir - self.reservoir
            into = min(vol, room)
            self.reservoir += into
            if vol > room + 1e-9:
                self.overfilled += vol - room
                self.pocket += vol - room
                return (lead + f"{fmt(into, 'volume')} goes in, then the plunger pushes back "
                        "hard; the rest goes somewhere else.")
            if check_return:
                return (lead + f"{fmt(vol, 'volume')} injected slowly. Each time you draw back, "
                        "the solution returns freely and looks like what went in.")
            return lead + f"{fmt(vol, 'volume')} injected slowly, without drawing back."
        if check_return and vol > every:
            if self.site == "pocket":
                self.pocket += every
                return (lead + f"After {fmt(every, 'volume')} you draw back: nothing returns and "
                        "the skin over the pump swells. You stop: the needle is not in the "
                        "reservoir. Find the port again, with the template.")
            self.cap += every
            return (lead + f"After {fmt(every, 'volume')} you draw back: only clear fluid "
                    "trickles back slowly, not the free return of the reservoir. You stop.")
        if self.site == "pocket":
            self.pocket += vol
            return lead + f"{fmt(vol, 'volume')} injected; the skin over the pump swells a little."
        self.cap += vol
        return lead + f"{fmt(vol, 'volume')} injected."

    def _program(self, volume=None, concentration=None, dose=None) -> str:
        """``dose``: a new daily dose, only as the physician orders (None: keep the
        prescribed dose)."""
        if volume is None or concentration is None:
            raise InputError("volume" if volume is None else "concentration", None,
                             "type the new reservoir volume and the concentration into the "
                             "programmer")
        entered = parse(volume, "volume", "volume", allow_zero=True)
        if entered > self.preset.reservoir + 1e-9:
            raise InputError("volume", volume, f"the programmer takes at most the reservoir, "
                             f"{fmt(self.preset.reservoir, 'volume')}")
        conc = parse(concentration, "concentration", "concentration")
        daily = parse(dose if dose is not None else self.case.dose, "dose_rate", "dose")
        rate = daily / conc
        low, high = self.preset.min_rate, self.preset.max_rate
        if (low is not None and rate < low * (1 - 1e-9)) or (high is not None and rate > high):
            raise InputError("concentration" if dose is None else "dose",
                             concentration if dose is None else dose,
                             f"the programmer refuses it: at {fmt(daily, 'dose_rate')} and "
                             f"{self._conc(conc, self.case.order[0])} the pump would have to "
                             f"run at {fmt(rate, 'flow')}, outside what it can do. Check the "
                             "unit (mg or mcg)")
        self.entered_volume, self.entered_conc = entered, conc
        self.entered_dose = None if dose is None else daily
        return (f"Programmer updated: reservoir {fmt(self.entered_volume, 'volume')}, "
                f"{self._conc(self.entered_conc, self.case.order[0])}"
                + ("" if dose is None else f", dose {fmt(daily, 'dose_rate')}") + ".")

    def programmed_dose(self) -> float:
        """The daily dose the pump runs at after the visit (mcg/day)."""
        if "program" in self.done and self.entered_dose is not None:
            return self.entered_dose
        return parse(self.case.dose, "dose_rate", "dose")

    def restarts(self) -> bool:
        """The pump had run dry and the visit put drug back into the reservoir."""
        return self.case.ran_dry and self.reservoir > 0

    def _observe(self, minutes=None) -> str:
        low = facts()["observe"].low * 1440
        observed = float(low if minutes is None else check_number(minutes, "minutes",
                                                                   allow_zero=True))
        self.observed = observed
        text = (f"The patient is watched for {observed:g} min" + (
            f" ({fmt(observed / 1440, 'time')})." if observed >= 60 else "."))
        if self.restarts():
            need = facts()["restart_observe"]
            text += (f" After a restart, watch at least {fmt(need.value, 'time')} "
                     f"({_restart_watch_source()}).")
        return text

    def _document(self, volumes: bool = True, dates: bool = True) -> str:
        """Write down the volumes (removed, injected) and the next refill and alarm dates
        [S66, B8, S150]."""
        from .refill import schedule
        self.documented = {"volumes": bool(volumes), "dates": bool(dates)}
        c = self.case
        d, conc, _ = c.order
        parts = []
        if volumes:
            parts.append(f"removed {fmt(self.recorded or 0.0, 'volume')}, injected into the "
                         f"reservoir {fmt(self.reservoir, 'volume')} of {d} "
                         f"{self._conc(conc, d)}")
        if dates:
            def plan(dose):
                return schedule(d, f"{conc!r} mcg/mL", f"{max(self.reservoir, 1e-3)!r} mL",
                                {"mode": "continuous", "dose": f"{dose!r} mcg/day"},
                                pump=self.preset.name)
            running = self.programmed_dose()
            prescribed = parse(c.dose, "dose_rate", "dose")
            try:
                p = plan(running)
                # a restart below the prescription will be titrated back up: the pump then
                # empties sooner, so the record also gives the date at the prescribed dose
                q = plan(prescribed) if prescribed > running else None
            except InputError:
                parts.append("next refill and alarm dates: work them out with the prescriber")
            else:
                alarm = ("the pump has no low-reservoir alarm" if p.alarm_day is None else
                         f"the low-reservoir alarm about {p.alarm_day:.0f} days from today")
                parts.append(f"next refill planned {p.visit_day:g} days from today at "
                             f"{fmt(running, 'dose_rate')}, before {alarm}")
                if q is not None:
                    parts.append(f"at the prescribed {fmt(prescribed, 'dose_rate')} the refill "
                                 f"is due {q.visit_day:g} days from today: book the earlier "
                                 f"date ({q.visit_day:g} days) while the dose may go back up")
                parts.append("re-plan the refill date at every dose change")
        if not parts:
            return "Nothing is written down."
        return "Written in the record: " + "; ".join(parts) + "."

    # -- the end -------------------------------------------------------------------------------
    def finish(self) -> RefillReport:
        """Score the session and run the patient forward through the body model."""
        mistakes = self._mistakes()
        tl = self._timeline()
        missed = [s for s in STEPS if s not in self.done]
        first = list(dict.fromkeys(self.done))
        out = [s for i, s in enumerate(first)
               if any(ALL_STEPS.index(t) > ALL_STEPS.index(s) for t in first[:i])]
        escalate = self.needs_escalation(tl)
        if escalate and "assess" not in self.done:
            missed.insert(1, "assess")
        harmed = self._harmed(tl)
        if escalate and not ("assess" in self.done and self.escalated):
            mistakes.append(Mistake(
                "no-escalation", "The patient arrived with an empty pump or in withdrawal, and "
                "no one assessed them or called the physician.",
                "When the reservoir ran dry or withdrawal shows, assess the patient and escalate "
                "before and beside the refill: a missed refill needs a doctor at once, and "
                "baclofen withdrawal can be fatal.", "[S153, B7]"))
        first = [s for s in first if s in STEPS]                       # the scored steps
        out = [s for s in out if s in STEPS]
        in_order = len([s for s in first if s not in out])
        n = len(STEPS)
        score = round(60 * len(first) / n + 20 * in_order / n) + (
            20 if not mistakes and not harmed else 0)
        if harmed or any(m.dangerous for m in mistakes):
            score = min(score, DANGER_CAP)
        return RefillReport(self.case, self.done, missed, out, mistakes, tl,
                            self._outcome(tl), score, harmed, self._situation())

    def _mistakes(self) -> list:
        c, out = self.case, []
        d, conc, _ = c.order
        sd, sc = self.syringe
        f = facts()
        if "verify" in self.done and not self.second_check:
            out.append(Mistake("no-second-check", "The order was checked by one person only.",
                               "Check every refill and reprogramming with a second "
                               "experienced person.", "[S66, S114]"))
        gave = "inject" in self.done
        if gave and sd != d:
            out.append(Mistake("wrong-drug", f"{sd} was given instead of {d}.",
                               "Read the label against the order with a second person.",
                               "[S66]"))
        elif gave and abs(sc - conc) > 1e-9 * conc:
            out.append(Mistake("wrong-concentration", f"{self._conc(sc, sd)} was given "
                               f"instead of {self._conc(conc, d)}.",
                               "Read the concentration against the order with a second "
                               "person.", "[S66]"))
        if self.pocket > 0:
            out.append(Mistake("pocket-fill", f"{fmt(self.pocket, 'volume')} went under the skin "
                               "around the pump (a pocket fill).",
                               "Use the template when the port is hard to feel, check that "
                               "fluid comes back before injecting, and stop if it does not.",
                               "[S73, S66]"))
        if self.overfilled > 0:
            out.append(Mistake("overfill", f"{fmt(self.overfilled, 'volume')} more than the "
                               "reservoir holds was pushed in.",
                               "Empty the reservoir first and never inject more than it holds.",
                               "[S69, S121]"))
        if self.cap > 0:
            out.append(Mistake("cap-injection", f"{fmt(self.cap, 'volume')} went through the "
                               "side port (catheter access port) straight into the spinal "
                               "fluid.", "Refills go into the central reservoir port; the side "
                               "port bypasses the pump.", "[S14, S66]"))
        if self.needle == "standard":
            out.append(Mistake("coring-needle", "A standard (coring) needle was used.",
                               "Use the kit's non-coring needle: a coring needle can damage "
                               "the septum.", "[S66, S14]"))
        if "program" in self.done:
            if abs(self.entered_conc - conc) > 1e-9 * conc:
                out.append(Mistake("wrong-programmed-concentration",
                                   f"The programmer was given {self._conc(self.entered_conc, d)}"
                                   f"; the order is {self._conc(conc, d)}.",
                                   "The pump turns the dose into a rate with the concentration "
                                   "entered: a wrong entry changes the dose.", "[S66]"))
        if self._entered() > self.reservoir + 1.0:
            out.append(Mistake("programmer-volume-too-high", "The programmer believes "
                               f"{fmt(self._entered(), 'volume')} but the pump holds "
                               f"{fmt(self.reservoir, 'volume')}.",
                               "The low-reservoir alarm will come too late or never: the pump "
                               "can run dry without warning.", "[S66]"))
        elif abs(self._entered() - self.reservoir) > 1.0:
            out.append(Mistake("reservoir-not-updated", "The programmer's reservoir volume "
                               f"({fmt(self._entered(), 'volume')}) is not what the pump holds "
                               f"({fmt(self.reservoir, 'volume')}).",
                               "Enter the new reservoir volume: the low-reservoir alarm is "
                               "worked out from it.", "[S66]"))
        out += self._safety_mistakes()
        if self.restarts():
            out += self._restart_mistakes()
        elif (self.entered_dose is not None and "program" in self.done
              and abs(self.entered_dose - parse(c.dose, "dose_rate", "dose"))
              > 1e-9 * self.entered_dose):
            out.append(Mistake("dose-not-as-ordered", "The programmer was given "
                               f"{fmt(self.entered_dose, 'dose_rate')}; the order is {c.dose}.",
                               "A refill does not change the dose: program the dose ordered.",
                               "[S66]"))
        if (not self.restarts() and "observe" in self.done
                and self.observed < f["observe"].low * 1440 - 1e-9):
            out.append(Mistake("short-observation", f"The patient was watched for "
                               f"{self.observed:g} min.", "Watch 30-60 min after a refill for "
                               "signs of overdose or withdrawal.", f["observe"].label))
        return out

    def _restart_mistakes(self) -> list:
        """The pump had run dry: the physician decides the restart, and the watch is long."""
        f, out = facts(), []
        dose = self.programmed_dose()
        ordered = self.order_given if self.escalated else None
        if ordered is None:
            out.append(Mistake("restart-without-order", "The pump had run dry and was restarted "
                               f"at {fmt(dose, 'dose_rate')} without the physician's decision.",
                               "A pump that ran dry is a restart, not a routine refill: call the "
                               "physician, who decides the restart dose and how long to watch; "
                               "overdoses have followed a restart.", "[S153, B18]"))
        elif abs(dose - ordered) > 1e-9 * ordered:
            out.append(Mistake("dose-not-as-ordered", f"The pump was restarted at "
                               f"{fmt(dose, 'dose_rate')}; the physician ordered "
                               f"{fmt(ordered, 'dose_rate')}.", "Program the restart dose the "
                               "physician ordered (type it into the programmer's dose).",
                               "[S153, B18]"))
        need = f["restart_observe"]
        if self.observed < need.value * 1440 - 1e-9:
            seen = ("was not watched" if "observe" not in self.done else
                    f"was watched for {self.observed:g} min")
            out.append(Mistake("restart-short-observation", f"After the restart the patient "
                               f"{seen}.", f"Watch at least {fmt(need.value, 'time')} after a "
                               "restart: an overdose followed a restart by about 6 h [B18], "
                               "long after a routine refill's 30-60 min watch.",
                               f"({_restart_watch_source()})"))
        return out

    def _safety_mistakes(self) -> list:
        """Asepsis, the filter, the placement check by free aspiration, drawing back while
        injecting, and the record."""
        f, out = facts(), []
        needle_in = "access" in self.done
        if needle_in and "prepare" not in self.done:
            out.append(Mistake("no-asepsis", "The needle went in without the preparation: no "
                               "mask, no skin antisepsis.", "Wear a mask, clean the skin with "
                               "aqueous chlorhexidine or povidone-iodine (never alcohol) and "
                               "let it dry fully.", f["asepsis"].label))
        if "prepare" in self.done:
            if not self.mask:
                out.append(Mistake("no-mask", "No mask was worn.", "Wear a mask: the needle "
                                   "goes into a system that opens onto the spinal fluid.",
                                   f["asepsis"].label))
            if self.antiseptic == "alcohol-based":
                out.append(Mistake("alcohol-antiseptic", "The skin was cleaned with an "
                                   "alcohol-based antiseptic.", "Use aqueous chlorhexidine or "
                                   "povidone-iodine: alcohol must be avoided (a risk of nerve "
                                   "damage).", f["asepsis"].label))
            if not self.dried:
                out.append(Mistake("antiseptic-wet", "The needle went in through wet "
                                   "antiseptic.", "Let the antiseptic dry fully first.",
                                   f["asepsis"].label))
        if self.unconfirmed > 0:
            out.append(Mistake("inject-unconfirmed", f"{fmt(self.unconfirmed, 'volume')} was "
                               "injected before fluid had been drawn back freely from the "
                               "reservoir.", "Confirm the needle's position first: draw fluid "
                               "back freely (or put in 5 mL and draw it back; with an empty "
                               "pump, a second needle shows the backflow). Only then fill.",
                               f["free_aspiration"].label))
        if self.unfiltered:
            out.append(Mistake("no-filter", "The drug was injected without the refill kit's "
                               "filter.", "Give the refill through the kit's filter (teaching "
                               "assumption; the pump's own bacterial filter is "
                               f"{f['pump_filter'].value} {f['pump_filter'].label}).",
                               f["kit_filter"].label))
        if self.unchecked:
            out.append(Mistake("no-return-check", "The drug was injected without drawing back "
                               "as it went in.", "Draw back every few mL while injecting and "
                               "look at what returns: it should come back freely and look "
                               "like the drug; if nothing, blood or cloudy fluid returns, "
                               "stop.", f["return_check"].label))
        if "inject" in self.done:
            doc = self.documented
            if doc is None:
                out.append(Mistake("not-documented", "Nothing was written down.",
                                   "Record the volumes removed and injected and the next "
                                   "refill and low-reservoir alarm dates.",
                                   f["documentation"].label))
            else:
                for key, what in (("volumes", "the volumes removed and injected"),
                                  ("dates", "the next refill and low-reservoir alarm dates")):
                    if not doc[key]:
                        out.append(Mistake(f"no-{key}-recorded", f"The record lacks {what}.",
                                           f"Write down {what}.", f["documentation"].label))
        return out

    def needs_escalation(self, tl=None) -> bool:
        """The patient arrived with an empty reservoir, or already in withdrawal (``tl``: the
        session's timeline, to read the withdrawal before the visit)."""
        c = self.case
        if c.ran_dry:
            return True
        if tl is None or tl.response is None:
            return False
        first = tl.summary()["response"]["withdrawal"]["first_day"]
        return first is not None and first < c.visit_day

    def _situation(self) -> list:
        c = self.case
        if c.ran_dry:
            return [f"Situation: the patient came on day {c.visit_day:g}; the reservoir ran dry "
                    f"on day {c.empty_day:.1f}, so the drug had stopped before the visit "
                    "(withdrawal risk; with baclofen it can be fatal [B7]). Plan refills about a "
                    "week before the alarm date, never at it [S70]."]
        p = c.plan()
        if c.visit_day > p.booked_day:
            alarm = ("" if p.warning_day is None else
                     f", {p.margin:g} days before the alarm on day {p.warning_day:.0f}")
            return [f"Finding: this refill is on day {c.visit_day:g}, later than planned: it "
                    f"should have been booked for day {p.booked_day}{alarm} "
                    f"({p.reason}). Book each refill when the last one is done."]
        return []

    def _harmed(self, tl) -> bool:
        """Overdose, or withdrawal or an empty reservoir starting after this visit."""
        r = tl.summary()
        resp = r["response"]
        day = self.case.visit_day
        after = [resp["overdose"]["first_day"], tl.reservoir_empty_day]
        if not self.case.ran_dry:
            after.append(resp["withdrawal"]["first_day"])
        if any(x is not None and x >= day - 1e-9 for x in after):
            return True
        return bool(tl.response.effects[resp["overdose"]["effect"]][tl.t >= day].max() >= 0.5)

    def _entered(self) -> float:
        """The reservoir volume the programmer ends up believing (mL)."""
        if self.entered_volume is not None:
            return self.entered_volume
        return self.case.expected_residual

    def _timeline(self):
        from .simulation import simulate
        c = self.case
        day = c.visit_day
        events = []
        d0 = drugs.get(c.drug).name
        c0 = parse(c.concentration, "concentration", "concentration")
        sd, sc = self.syringe
        changed = self.aspirated or self.reservoir > c.actual_residual + 1e-9 or \
            "program" in self.done
        if changed:
            into = max(self.reservoir - (0.0 if self.aspirated else c.actual_residual), 0.0)
            left = 0.0 if self.aspirated else c.actual_residual
            total = left + into
            conc = (left * c0 + into * sc) / total if total > 0 else sc
            drug = sd if into > 0 else d0
            refill = {"at": f"day {day!r}", "kind": "refill", "volume": f"{total!r} mL",
                      "drug": drug, "concentration": f"{conc!r} mcg/mL",
                      "entered_volume": f"{self._entered()!r} mL"}
            if self.recorded is not None:
                refill["aspirated"] = f"{self.recorded!r} mL"
            if "program" in self.done and abs(self.entered_conc - conc) > 1e-9 * conc:
                refill["programmed_concentration"] = f"{self.entered_conc!r} mcg/mL"
            events.append(refill)
        dose = self.programmed_dose()
        if abs(dose - parse(c.dose, "dose_rate", "dose")) > 1e-9 * dose:
            events.append({"at": f"day {day!r}", "kind": "program", "mode": "continuous",
                           "dose": f"{dose!r} mcg/day"})
        if self.pocket > 0:
            events.append({"at": f"day {day!r}", "kind": "pocket-fill",
                           "volume": f"{self.pocket!r} mL", "drug": sd,
                           "concentration": f"{sc!r} mcg/mL"})
        if self.cap > 0:
            events.append({"at": f"day {day!r}", "kind": "cap-injection",
                           "volume": f"{self.cap!r} mL", "drug": sd,
                           "concentration": f"{sc!r} mcg/mL"})
        return simulate(drug=d0, concentration=c.concentration, fill=c.last_fill,
                        program={"mode": "continuous", "dose": c.dose},
                        pump={"preset": c.pump, "accuracy": c.accuracy},
                        catheter={"tip": c.tip}, events=events,
                        days=c.visit_day + c.follow_days, step="10 min", patient=c.patient)

    def _when(self, day: float) -> str:
        """A day of the timeline as time from this refill, in words."""
        d = day - self.case.visit_day
        if abs(d) < 2:
            return f"{abs(d) * 24:.1f} h {'after' if d >= 0 else 'before'} the refill"
        return f"{abs(d):.1f} days {'after' if d >= 0 else 'before'} the refill"

    def _outcome(self, tl) -> list:
        """What happened to the patient after the refill, in plain words."""
        r = tl.summary()
        resp, rr = r["response"], tl.response
        after = tl.t >= self.case.visit_day
        k = max(int(after.argmax()) - 1, 0)
        name = "pain" if rr.scale == "NRS" else "muscle tone"
        out = [f"Patient: {name} {rr.score[k]:.1f} at the visit; after it between "
               f"{rr.score[after].min():.1f} and {rr.score[after].max():.1f} "
               f"(scale 0-{rr.scale_max:g})."]
        strong = [f"{e.replace('_', ' ')} {v[k]:.2f} -> {v[after].max():.2f}"
                  for e, v in rr.effects.items()
                  if v[after].max() >= NOTABLE and v[after].max() > v[k] + 0.05]
        if strong:
            out.append("Side effects rose after the refill (index 0-1, at the visit -> "
                       "highest): " + ", ".join(strong) + ".")
        od, wd = resp["overdose"], resp["withdrawal"]
        if od["first_day"] is not None:
            out.append(f"Overdose ({od['effect'].replace('_', ' ')}) from "
                       f"{self._when(od['first_day'])}: {od['signs']}")
        if wd["first_day"] is not None:
            out.append(f"Withdrawal from {self._when(wd['first_day'])}: {wd['features']}")
        for a in r["alarms"]:
            out.append(f"Pump alarm: {a['kind']}, {self._when(a['day'])}.")
        for f in r.get("refills", []):
            if f["flagged"]:
                out.append(f"Refill check: {f['meaning']}")
        return out


def load_cases(path=None) -> list[RefillCase]:
    """The ``[[cases]]`` of a TOML file (default: the station's cases shipped with itsim,
    scenarios/cases/refill_station.toml)."""
    from pathlib import Path

    from .data import tomllib
    if path is None:
        from . import shipped
        path = shipped.refill_cases()
    try:
        raw = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise InputError("path", str(path), f"a readable TOML file ({e})") from None
    cases = raw.get("cases")
    if not isinstance(cases, list) or not cases:
        raise InputError("cases", str(path), "at least one [[cases]] table")
    out = []
    for i, spec in enumerate(cases):
        case = RefillCase.from_dict(spec)
        try:
            case.order, case.syringe, case.expected_residual
            pump_preset(case.pump)
        except InputError as e:
            raise InputError(f"cases[{i}].{e.parameter}", e.value, e.allowed) from None
        out.append(case)
    return out


def correct_session(case: RefillCase | None = None) -> RefillSession:
    """Every step, in order, done right (the model answer)."""
    s = RefillSession(case)
    d, conc, vol = s.case.order
    s.do("verify", second_check=True)
    s.do("interrogate")
    if s.case.ran_dry:
        s.do("assess", escalate=True)
    s.do("locate", template=True)
    s.do("prepare", mask=True, antiseptic="aqueous chlorhexidine", dried=True)
    s.do("access", needle="non-coring", site="reservoir port")
    s.do("aspirate")
    s.do("confirm")
    s.do("inject", volume=f"{vol!r} mL", filter=True, check_return=True)
    restart = s.case.ran_dry
    s.do("program", volume=f"{vol!r} mL", concentration=f"{conc!r} mcg/mL",
         **({"dose": f"{s.order_given!r} mcg/day"} if restart else {}))
    f = facts()
    s.do("observe", minutes=(f["restart_observe"].value if restart else f["observe"].low) * 1440)
    s.do("document", volumes=True, dates=True)
    return s
