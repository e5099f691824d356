"""The case files shipped inside the package, found with importlib.resources."""
from pathlib import Path

import pytest

from itsim import InputError, refill_station, shipped, troubleshoot

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_folder_is_inside_the_package():
    assert shipped.folder() == ROOT / "itsim" / "scenarios"
    assert shipped.scenario_names() == sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml"))
    assert len(shipped.scenario_names()) >= 20


@pytest.mark.parametrize("name", ["catheter_occlusion", "catheter_occlusion.toml"])
def test_a_scenario_by_name(name):
    assert shipped.scenario(name) == ROOT / "itsim" / "scenarios" / "catheter_occlusion.toml"


@pytest.mark.parametrize("name", ["nope", "../pyproject", "troubleshooting/battery_end",
                                  "cases/refill_station", ""])
def test_other_names_are_refused_with_the_list(name):
    with pytest.raises(InputError) as info:
        shipped.scenario(name)
    assert info.value.parameter == "scenario" and "catheter_occlusion" in info.value.allowed


def test_the_case_collections_default_to_the_shipped_files():
    assert [c.title for c in troubleshoot.library()] == \
        [c.title for c in troubleshoot.library(ROOT / "scenarios" / "troubleshooting")]
    assert len(refill_station.load_cases()) == \
        len(refill_station.load_cases(ROOT / "scenarios" / "cases" / "refill_station.toml"))
