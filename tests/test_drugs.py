"""The drug library: complete, sourced, unit-checked, and matching the reference."""
import pytest

from itsim import InputError, UnknownDrugError, data, drugs
from itsim.facts import parse_fact

REQUIRED = ["morphine", "hydromorphone", "fentanyl", "sufentanil", "bupivacaine", "clonidine",
            "ziconotide", "baclofen"]


def all_facts():
    for d in drugs.library().values():
        for f in d.facts.values():
            yield d, f
            for alt in f.alternatives:
                yield d, alt


def test_library_has_the_required_drugs_with_indications():
    lib = drugs.library()
    assert set(REQUIRED) <= set(lib)
    assert lib["baclofen"].indication == "spasticity"
    assert all(lib[n].indication == "pain" for n in REQUIRED if n != "baclofen")


@pytest.mark.parametrize("name", REQUIRED)
def test_each_drug_has_the_core_facts(name):
    d = drugs.get(name)
    for fact in ("fda_approved_intrathecal", "titration", "lipophilicity", "withdrawal",
                 "max_concentration"):
        assert d.fact(fact) is not None, (name, fact)
    assert d.starting_dose is not None or d.usual_daily_dose is not None


def test_every_fact_has_a_resolvable_source_or_is_a_labelled_assumption():
    known = data.sources()
    for d, f in all_facts():
        if f.assumption:
            assert f.note, (d.name, f.name)
            assert "not confirmed" in f.note or "assumption" in f.note, (d.name, f.name)
        else:
            assert f.source, (d.name, f.name)
            assert all(tag in known for tag in f.source), (d.name, f.name)


def test_sources_have_titles_and_resolve_to_the_reference_files():
    for tag, s in data.sources().items():
        assert s["title"], tag
        assert s["reference"] in ("devices-and-procedures.md", "drugs-and-pharmacology.md")


@pytest.mark.parametrize("drug, fact, attr, expected", [
    # values as given in shared/reference (canonical units: mcg, mL, day)
    ("ziconotide", "max_daily_dose", "value", 19.2),                 # Z2
    ("ziconotide", "starting_dose", "high", 2.4),                    # Z2
    ("ziconotide", "stability", "value", 84),                        # Z3, Z5
    ("ziconotide", "stability_diluted", "value", 40),
    ("ziconotide", "stability_first_fill", "value", 14),
    ("ziconotide", "csf_half_life", "value", 4.6 / 24),              # Z1
    ("morphine", "stability", "value", 90),                          # S70
    ("morphine", "starting_dose", "low", 200), ("morphine", "starting_dose", "high", 1000),
    ("morphine", "usual_daily_dose", "high", 10000),                 # M1
    ("morphine", "max_daily_dose", "value", 20000),                  # M1
    ("morphine", "max_concentration", "value", 25000),               # M1, M4
    ("baclofen", "usual_daily_dose", "low", 300), ("baclofen", "usual_daily_dose", "high", 800),
    ("baclofen", "max_concentration", "value", 2000),
])
def test_values_match_the_reference(drug, fact, attr, expected):
    assert getattr(drugs.get(drug).fact(fact), attr) == pytest.approx(expected)


def test_concentrations_and_titration_rules():
    assert drugs.get("baclofen").available_concentrations.value == (50, 500, 1000, 2000)
    assert drugs.get("morphine").available_concentrations.value == (10000, 25000)
    z = drugs.get("ziconotide").titration
    assert (z["max_step"], z["min_interval"], z["max_per_week"]) == (2.4, 1.0, 3)
    assert drugs.get("morphine").titration["max_increase"] == 0.30
    assert drugs.get("ziconotide").withdrawal["risk"] == "none"
    assert drugs.get("baclofen").withdrawal["risk"] == "life-threatening"


def test_lookup_is_case_insensitive_and_unknown_names_are_refused():
    assert drugs.get(" Baclofen ").name == "baclofen"
    with pytest.raises(UnknownDrugError) as e:
        drugs.get("aspirin")
    assert "aspirin" in str(e.value) and "morphine" in str(e.value)
    assert isinstance(e.value, InputError) and isinstance(e.value, ValueError)


@pytest.mark.parametrize("raw, fragment", [
    ({"value": "20 mg/day"}, "needs a source"),
    ({"value": "20 mg/day", "assumption": True}, "needs a source"),
    ({"value": "20 mg/day", "source": ["NOPE"]}, "sources.toml"),
    ({"value": "20 mg", "source": ["M1"]}, "not a dose per time"),
    ("20 mg/day", "expected a table"),
])
def test_bad_facts_are_refused(raw, fragment):
    with pytest.raises(InputError, match=fragment):
        parse_fact("drugs.toml [x].max_daily_dose", "max_daily_dose", raw, "dose_rate")


def test_summary_marks_assumptions():
    text = drugs.summary()
    assert "hydromorphone pain        15 mg/mL*" in text
    assert "ziconotide    pain        100 mcg/mL    19.2 mcg/day  " in text
