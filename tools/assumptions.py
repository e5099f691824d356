"""Rewrite the "Teaching assumptions in use" table in docs/sources.md from the data files.

    python tools/assumptions.py          # rewrite the table
    python tools/assumptions.py --check  # exit 1 if the table is out of date (the tests do this)
"""
from __future__ import annotations

import sys
from pathlib import Path

from itsim import device, drugs

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "sources.md"
START, END = "| drug or device |", "\n## Derived values"


def rows() -> list[str]:
    out = ["| drug or device | fact | value | why it is an assumption |", "|---|---|---|---|"]

    def add(owner, name, fact):
        for x in (fact, *fact.alternatives):
            if x.assumption:
                alt = " (alternative)" if x is not fact else ""
                value = x.text or x.extra.get("class", "") or ("30 % / 50 % steps"
                                                                if name == "titration" else "")
                out.append(f"| {owner} | {name}{alt} | {value} | {x.note} |")

    for d in drugs.library().values():
        for f in d.facts.values():
            add(d.name, f.name, f)
    for p in device.pump_presets().values():
        for f in p.facts.values():
            add(f"pump {p.name}", f.name, f)
    for f in device.catheter_facts().values():
        add("catheter", f.name, f)
    from itsim.body.csf import csf_facts
    for f in csf_facts().values():
        add("CSF", f.name, f)
    from itsim import (emergency, hazards, implant, patient_guide, patient_safety, refill, trial,
                       troubleshoot)
    from itsim.body import systemic
    from itsim.body.response import all_facts
    for source in (all_facts, systemic.all_facts, trial.all_facts, implant.all_facts,
                   refill.all_facts, hazards.all_facts, troubleshoot.all_facts,
                   patient_guide.all_facts, patient_safety.all_facts, emergency.all_facts):
        for owner, f in source():
            add(owner, f.name, f)
    return out


def table() -> str:
    return "\n".join(rows()) + "\n"


def current() -> str:
    text = DOC.read_text()
    return text[text.index(START):text.index(END)]


def main(argv):
    if "--check" in argv:
        return 0 if current() == table() else 1
    text = DOC.read_text()
    DOC.write_text(text[:text.index(START)] + table() + text[text.index(END):])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
