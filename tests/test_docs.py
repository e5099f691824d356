"""The docs stay true: every teaching assumption in the data is listed in docs/sources.md."""
from pathlib import Path

from itsim import device, drugs

ROOT = Path(__file__).resolve().parents[1]


def test_every_assumption_is_listed():
    text = (ROOT / "docs" / "sources.md").read_text()
    missing = []
    for d in drugs.library().values():
        for f in d.facts.values():
            for x in (f, *f.alternatives):
                if x.assumption and f"| {d.name} | {f.name}" not in text:
                    missing.append((d.name, f.name))
    for p in device.pump_presets().values():
        for f in p.facts.values():
            if f.assumption and f"| pump {p.name} | {f.name}" not in text:
                missing.append((p.name, f.name))
    assert missing == []


def test_design_doc_exists_and_names_the_canonical_units():
    text = (ROOT / "docs" / "design.md").read_text()
    assert "mcg, mL and day" in text
