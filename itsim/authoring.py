"""The instructor's tools: check a scenario file and explain every error in plain words, write
a commented starting file, document the format, and make a hub link.

``itsim check case.toml``, ``itsim new-case --template refill`` and ``itsim link --hub URL``
call these; ``python tools/scenario_docs.py`` writes docs/scenarios.md from :func:`format_doc`.
"""
from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from . import scenario
from .errors import InputError
from .events import EVENT_SPECS
from .timeline import finding_line

# --- check ------------------------------------------------------------------------------------

def _plain(e: InputError) -> str:
    return f"'{e.parameter}' = {e.value!r} cannot be used: {e.allowed}."


@dataclass(frozen=True)
class Review:
    """What ``itsim check`` says of a case: ``problems`` (each stops ``itsim run``; none means
    it runs) and ``findings`` (dosing checks of a case that runs, e.g. a concentration above
    the library's maximum), each in plain words."""

    problems: list
    findings: list


def check(text: str, name: str = "case") -> list[str]:
    """Every problem found in a scenario (TOML text), each in plain words; [] when it runs."""
    return review(text, name).problems


def review(text: str, name: str = "case") -> Review:
    """Check a case as ``itsim run`` would, by running it: [] problems exactly when ``itsim run``
    succeeds. Each section and each event is first checked on its own, so that one mistake
    does not hide the next; when none is found the whole case is simulated and reported on
    the same path as ``itsim run`` (scenario.loads, Scenario.run, both summaries)."""
    try:
        raw = scenario.parse_toml(text, name)
    except InputError as err:
        if err.value == "TOML" and err.allowed.startswith("not valid TOML"):
            return Review([f"The file is not valid TOML: {err.allowed[len('not valid TOML: '):]}"
                           ". Check quotes, brackets and '=' signs."], [])
        return Review([_plain(err)], [])
    if not (isinstance(raw, dict) and "emergency" in raw):
        problems = _section_problems(raw)
        if problems:
            return Review(problems, [])
    try:
        _, timeline = run_case(raw, name)
        timeline.text_summary()                 # both of what itsim run prints (text, JSON):
        summary = json.loads(timeline.to_json())  # a refusal in either shows here
    except InputError as err:
        return Review([_plain(err)], [])
    return Review([], [finding_line(f) for f in summary.get("findings", [])])


def run_case(raw: dict, name: str = "case"):
    """(title, Timeline) of a parsed case, as ``itsim run`` makes it: a scenario, or an
    emergency-room case (``[emergency]``), run as the patient's course if nobody acts."""
    if "emergency" in raw:
        from . import emergency
        case = emergency.from_dict(raw, name)
        return case.title, emergency.Session(case).timeline()
    case = scenario.from_dict(raw)
    return case.title, case.run()


def _section_problems(raw: dict) -> list[str]:
    """Problems found by checking each section and each event on its own (each of them is
    also refused by scenario.from_dict, so this only lists more at once)."""
    problems = []
    for key in raw:
        if key not in scenario.TOP:
            problems.append(f"'{key}' is not a scenario key. Allowed: "
                            + ", ".join(sorted(scenario.TOP)) + ".")
    for section, allowed in scenario.SECTIONS.items():
        table = raw.get(section)
        if table is None:
            continue
        if not isinstance(table, dict):
            problems.append(f"'{section}' must be a table, written [{section}].")
            continue
        for key in table:
            if key not in allowed:
                problems.append(f"'{section}.{key}' is not a key of [{section}]. Allowed: "
                                + ", ".join(sorted(allowed)) + ".")
    for section, needed in scenario.REQUIRED.items():
        if not isinstance(raw.get(section), dict):
            if section not in raw:
                problems.append(f"The case needs a [{section}] table.")
            continue
        for key in sorted(needed - set(raw[section])):
            problems.append(f"[{section}] needs '{key}'.")
    from .units import parse
    section_checks = {
        "pump": lambda t: "kind" in t and scenario._pump(t),
        "patient": scenario._patient,
        "drug": lambda t: [parse(t[k], kind, f"drug.{k}", allow_zero=k == "fill")
                           for k, kind in (("concentration", "concentration"),
                                           ("fill", "volume")) if k in t],
    }
    for section, run in section_checks.items():
        if isinstance(raw.get(section), dict):
            try:
                run(raw[section])
            except InputError as err:
                problems.append(_plain(err))
    events = raw.get("events", [])
    if isinstance(events, list):
        for i, e in enumerate(events):
            if not isinstance(e, dict):
                problems.append(f"events[{i}] must be an [[events]] table.")
                continue
            try:
                scenario._event(i, e)
            except InputError as err:
                problems.append(_plain(err))
    return problems


def check_file(path) -> list[str]:
    """:func:`check` of a file, read as ``itsim run`` reads it."""
    return review_file(path).problems


def review_file(path) -> Review:
    """:func:`review` of a file, read as ``itsim run`` reads it (scenario.read)."""
    return review(scenario.read(path), Path(path).name)


# --- new-case templates --------------------------------------------------------------------

# the patient and device of the refill and complication templates
_BACLOFEN_40_ML = '''[patient]
preset = "spinal-spasticity"

[pump]
kind = "programmable"
reservoir = "40 mL"

[catheter]
tip = "T10"
length = "60 cm"

[drug]
name = "baclofen"
concentration = "2000 mcg/mL"
fill = "40 mL"

[program]
mode = "continuous"
dose = "300 mcg/day"
'''

TEMPLATES = {
    "basic": '''# A scenario for itsim: `itsim check THIS_FILE` explains any problem in plain words,
# `itsim run THIS_FILE` simulates it. Every key, unit and allowed value: docs/scenarios.md.
title = "Baclofen for spasticity: the first months"
description = """
What the learner should notice (shown with the summary).
"""
days = 90                         # how long to simulate (days, up to 3650)

[patient]
preset = "spinal-spasticity"      # what the patient feels: chronic-non-cancer-pain,
                                  # cancer-pain, spinal-spasticity, cerebral-spasticity

[pump]
kind = "programmable"             # programmable | valve-gated | constant-flow
reservoir = "20 mL"               # 20 or 40 mL for programmable pumps

[catheter]
tip = "T10"                       # vertebral level of the tip
length = "60 cm"                  # implanted length (at most the supplied 110 cm)

[drug]
name = "baclofen"
concentration = "500 mcg/mL"      # always with its unit: mcg/mL or mg/mL
fill = "20 mL"

[program]
mode = "continuous"               # continuous | flex | periodic-bolus | single-bolus | stopped
dose = "300 mcg/day"              # a dose per day, with its unit
''',
    "refill": '''# A refill case for itsim (`itsim check THIS_FILE`, then `itsim run THIS_FILE --json`:
# the "refills" list reports each refill's expected and withdrawn volumes and its flag).
title = "A refill that does not add up"
description = """
What the learner should find at the refill.
"""
days = 70

''' + _BACLOFEN_40_ML + '''
[[events]]
at = "day 60"                     # when: "day N" (days from the start)
kind = "refill"
volume = "40 mL"                  # what is put in the reservoir
# concentration = "2000 mcg/mL"   # a new strength (needed if the drug changes)
# programmed_concentration = "200 mcg/mL"   # what is typed into the programmer (an error)
# entered_volume = "20 mL"        # the reservoir volume typed into the programmer
# aspirated = "3 mL"              # what the nurse withdrew and recorded

# Errors an instructor can add at a refill:
# [[events]]
# at = "day 60"
# kind = "pocket-fill"            # the needle missed the port: drug under the skin
# volume = "18 mL"
''',
    "complication": '''# A complication for itsim: pick one event kind from docs/hazards.md.
title = "A catheter comes off the pump"
description = """
What happens, what the pump shows, and what the patient feels.
"""
days = 30

''' + _BACLOFEN_40_ML + '''
[[events]]
at = "day 20"
kind = "catheter-disconnection"   # or catheter-occlusion, catheter-kink, catheter-fracture,
                                  # catheter-migration, mri, eri, inflammatory-mass,
                                  # infection, csf-leak, cap-injection, pocket-fill
''',
}


def new_case(template: str = "basic") -> str:
    if template not in TEMPLATES:
        raise InputError("--template", template, "one of " + ", ".join(TEMPLATES))
    return TEMPLATES[template]


# --- the format, documented from the code ---------------------------------------------------

UNITS = {"volume": "a volume, e.g. \"20 mL\"", "concentration": "a concentration, e.g. "
         "\"500 mcg/mL\"", "mass": "an amount, e.g. \"50 mcg\"", "time": "a duration, e.g. "
         "\"30 min\", \"2 day\"", "fraction": "a number above 0, at most 1",
         "text": "text", "bool": "true or false", "temperature": "e.g. \"38.5 degC\"",
         "length_m": "a height or depth, e.g. \"2400 m\"", "program": "as in [program]"}


def format_doc() -> str:
    """docs/scenarios.md: every key, unit and allowed value (from the code)."""
    from .device import pump_presets
    from .body.response import presets
    lines = ["# Scenario files: every key", "",
             "*Written by `python tools/scenario_docs.py` from the code; a test keeps it "
             "current.* A scenario is a TOML file. Check one with `itsim check FILE`; start "
             "one with `itsim new-case --template basic|refill|complication > FILE`. Every "
             "quantity is text with its unit; a number without a unit is refused.", "",
             "## Top level", "", "| key | what |", "|---|---|",
             "| title | the case's name (text) |", "| description | what the learner should "
             "notice (text) |", "| days | days to simulate, above 0 and at most 3650 |",
             "| step | the time step, e.g. \"1 min\" (default) or \"10 min\" |", ""]
    what = {
        "patient": "who the patient is: `preset` (" + ", ".join(presets()) + "), optional "
                   "`baseline`, `seed`, `exposure`, `sensitivity`, `tolerance`; "
                   "`condition` (pain or spasticity) and `weight` are descriptive",
        "pump": "`kind` (" + ", ".join(sorted({p.kind for p in pump_presets().values()}))
                + "), `reservoir` or `preset` (" + ", ".join(pump_presets()) + "), "
                "`low_reservoir_alarm`, `accuracy` (delivered / programmed, or \"measured\"), "
                "`flow` (constant-flow), `flow_activated_valve` (valve-gated)",
        "catheter": "`tip` (a vertebral level such as T10), `length` (implanted, at most "
                    "110 cm), `primed` (true/false), `volume_per_cm`, `tubing_volume`",
        "drug": "`name`, `concentration`, `fill` (all needed)",
        "program": "`mode` (continuous, flex, periodic-bolus, single-bolus, stopped), `dose` "
                   "or `rate`, `steps` (flex: [[\"HH:MM\", \"dose\"], ...]), `bolus_dose`, "
                   "`bolus_duration`, `bolus_every`, `[program.patient_bolus]` (dose, duration, "
                   "lockout, max_per_day)",
        "patient_presses": "`per_day` and `seed`, or `days` (a list): when the patient presses "
                           "the bolus button",
        "csf": "`target`: a vertebral level whose CSF concentration is followed",
    }
    lines += ["## Tables", "", "| table | keys |", "|---|---|"]
    lines += [f"| [{s}] | {what[s]} |" for s in scenario.SECTIONS]
    lines += ["", "## Events", "", "Each `[[events]]` table has `at` (\"day N\") and `kind`, "
              "and the kind's parameters:", "", "| kind | parameters (required in bold) |",
              "|---|---|"]
    for kind, spec in EVENT_SPECS.items():
        params = ", ".join(("**" + p + "**" if req else p) + f" ({UNITS.get(unit, unit)})"
                           for p, (unit, req, _) in spec.items()) or "none"
        lines.append(f"| {kind} | {params} |")
    lines += ["", "The hazards each event stands for, and a scenario for each: "
              "[hazards.md](hazards.md).", ""]
    return "\n".join(lines)


# --- a hub link --------------------------------------------------------------------------------

def hub_link(hub: str, repo: str, branch: str = "main",
             page: str = "lessons/00_start_here.ipynb") -> str:
    """An nbgitpuller link: the learner's hub pulls the course and opens the start page."""
    if not isinstance(hub, str) or not hub.startswith(("https://", "http://")):
        raise InputError("--hub", hub, "the hub's address, e.g. https://hub.example.org")
    if not isinstance(repo, str) or not repo.startswith(("https://", "http://")) or not (
            repo.split("://", 1)[1].strip("/")):
        raise InputError("--repo", repo, "the course repository's address (https://...)")
    if not isinstance(branch, str) or not branch.strip():
        raise InputError("--branch", branch, "a branch name, e.g. main")
    folder = repo.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    query = urllib.parse.urlencode({"repo": repo, "branch": branch,
                                    "urlpath": f"lab/tree/{folder}/{page}"})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"
