"""`itsim check` and `itsim run` cannot disagree: check says fine exactly when run exits 0.

The cases the reliability review found (check said "fine", run refused) are listed one by one;
then hypothesis builds scenarios from good and bad pieces and compares the two commands on
each. Both commands run in-process through ``itsim.cli.main``.
"""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from itsim import cli

BASE = {
    "title": "case",
    "days": 30,
    "pump": {"kind": "programmable", "reservoir": "20 mL"},
    "catheter": {"tip": "T10", "length": "60 cm"},
    "drug": {"name": "baclofen", "concentration": "500 mcg/mL", "fill": "20 mL"},
    "program": {"mode": "continuous", "dose": "300 mcg/day"},
}
CONSTANT = {**BASE, "pump": {"kind": "constant-flow"},
            "drug": {"name": "morphine", "concentration": "10 mg/mL", "fill": "20 mL"}}
del CONSTANT["program"]
VALVE = {**BASE, "pump": {"kind": "valve-gated"}}


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)                     # a TOML basic string is a JSON string
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def to_toml(case: dict) -> str:
    lines = []
    for key, value in case.items():
        if not isinstance(value, (dict, list)) or key == "events" and not value:
            lines.append(f"{key} = {toml_value(value)}")
    for key, value in case.items():
        if isinstance(value, dict):
            lines.append(f"[{key}]")
            lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()]
    for e in case.get("events", []):
        lines.append("[[events]]")
        lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in e.items()]
    return "\n".join(lines) + "\n"


def verdicts(tmp_path, case: dict, capsys) -> tuple[bool, int]:
    """(check said fine, run's exit code) for one case; anything but exit 0/1/2 raises."""
    path = tmp_path / "case.toml"
    path.write_text(to_toml(case) if isinstance(case, dict) else case, encoding="utf-8")
    try:
        checked = cli.main(["check", str(path)])
    except SystemExit as e:                    # an unreadable file: check exits 2 as well
        checked = e.code
    capsys.readouterr()
    try:
        ran = cli.main(["run", str(path), "--json"])
    except SystemExit as e:
        ran = e.code
    out = capsys.readouterr()
    if ran == 2:
        assert len(out.err.strip().splitlines()) == 1 and "Traceback" not in out.err
    assert checked in (0, 1, 2) and ran in (0, 2)
    return checked == 0, ran


def with_(base: dict, **changes) -> dict:
    case = json.loads(json.dumps(base))
    for key, value in changes.items():
        section, _, field = key.partition("__")
        if field:
            case.setdefault(section, {})[field] = value
        else:
            case[section] = value
    return case


def ev(day, kind, **params):
    return {"at": f"day {day}", "kind": kind, **params}


# Each was "fine" for itsim check and refused by itsim run before the two shared one path.
REFUSED = {
    "fill over the reservoir": with_(BASE, drug__fill="25 mL"),
    "constant-flow overfilled": with_(CONSTANT, drug__fill="40 mL"),
    "refill over the reservoir": with_(BASE, events=[ev(10, "refill", volume="25 mL")]),
    "entered volume over the reservoir": with_(BASE, events=[
        ev(10, "refill", volume="20 mL", entered_volume="30 mL")]),
    "aspirated more than the reservoir": with_(BASE, events=[
        ev(10, "refill", volume="20 mL", aspirated="30 mL")]),
    "drug change without concentration": with_(BASE, events=[
        ev(10, "refill", volume="20 mL", drug="morphine")]),
    "unknown drug at a refill": with_(BASE, events=[
        ev(10, "refill", volume="20 mL", drug="aspirin", concentration="1 mg/mL")]),
    "rate below the pump's minimum at the start": with_(BASE, drug__concentration="2000 mcg/mL",
                                                        program__dose="50 mcg/day"),
    "rate above the pump's maximum at the start": with_(BASE, drug__concentration="50 mcg/mL",
                                                        program__dose="2000 mcg/day"),
    "rate out of range after a refill": with_(BASE, events=[
        ev(10, "refill", volume="20 mL", concentration="10 mcg/mL")]),
    "rate out of range after a program event": with_(BASE, events=[
        ev(10, "program", mode="continuous", dose="10 mcg/day")]),
    "step a bare number": with_(BASE, step=5),
    "step that does not divide the days": with_(BASE, days=1, step="7 min"),
    "step zero": with_(BASE, step="0 min"),
    "step negative": with_(BASE, step="-1 min"),
    "step a volume": with_(BASE, step="1 mL"),
    "event at the end": with_(BASE, events=[ev(30, "catheter-occlusion")]),
    "event after the end": with_(BASE, events=[ev(31, "catheter-occlusion")]),
    "event at an infinite day": with_(BASE, events=[ev("1e400", "catheter-occlusion")]),
    "infection depth unknown": with_(BASE, events=[ev(10, "infection", depth="middling")]),
    "presses beyond the end": with_(BASE, program__patient_bolus={
        "dose": "20 mcg", "duration": "10 min", "lockout": "2 h", "max_per_day": 4},
        patient_presses={"days": [1.0, 45.0]}),
    "patient bolus without limits": with_(BASE, events=[ev(3, "patient-bolus")]),
    "eri on a constant-flow pump": with_(CONSTANT, events=[ev(3, "eri")]),
    "bridge bolus with a flex program": with_(BASE, program={
        "mode": "flex", "steps": [["00:00", "300 mcg/day"], ["12:00", "400 mcg/day"]]},
        events=[ev(3, "bridge-bolus", old_concentration="1000 mcg/mL")]),
    "bolus faster than the pump": with_(BASE, events=[ev(3, "bolus", dose="5000 mcg",
                                                         duration="1 min")]),
    "pocket fill after empty": with_(BASE, events=[ev(3, "empty"), ev(4, "pocket-fill",
                                                                      volume="5 mL")]),
    "valve-gated priming without a duration": with_(VALVE, events=[ev(0, "priming-bolus")]),
    "constant-flow program event": with_(CONSTANT, events=[
        ev(3, "program", mode="continuous", dose="1 mg/day")]),
    "constant-flow bolus": with_(CONSTANT, events=[ev(3, "bolus", dose="1 mg")]),
    "constant-flow priming bolus": with_(CONSTANT, events=[ev(0, "priming-bolus")]),
    "constant-flow bridge bolus": with_(CONSTANT, events=[
        ev(3, "bridge-bolus", old_concentration="5 mg/mL")]),
    "constant-flow patient bolus": with_(CONSTANT, events=[ev(3, "patient-bolus")]),
    "saline then a bolus": with_(BASE, events=[
        ev(5, "refill", volume="20 mL", concentration="0 mcg/mL"),
        ev(5, "program", mode="continuous", rate="0.5 mL/day"), ev(6, "bolus", dose="50 mcg")]),
    "a million mL pocket fill": with_(BASE, events=[ev(5, "pocket-fill", volume="1000000 mL")]),
    "500 mL through the access port": with_(BASE, events=[
        ev(5, "cap-injection", volume="500 mL", concentration="500 mcg/mL")]),
    "arithmetic in a concentration": with_(BASE, drug__concentration="250 mcg/mL + 0.25 mg/mL"),
    "a tower of powers": with_(BASE, drug__concentration="10**10**10 mcg/mL"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_check_refuses_what_run_refuses(name, tmp_path, capsys):
    fine, ran = verdicts(tmp_path, REFUSED[name], capsys)
    assert (fine, ran) == (False, 2)


@pytest.mark.parametrize("text, why", [
    ("\ufeff" + to_toml(BASE), "a UTF-8 byte-order mark"),
])
def test_check_and_run_accept_the_same_odd_files(text, why, tmp_path, capsys):
    assert verdicts(tmp_path, text, capsys) == (True, 0), why


@pytest.mark.parametrize("data, why", [
    (to_toml(BASE).encode("utf-16"), "UTF-16"),
    ("title = 'Café'\n".encode("latin-1") + to_toml(BASE)[13:].encode(), "Latin-1"),
    (bytes(range(256)) * 4, "binary"),
    (b"a = " + b"[" * 20000 + b"]" * 20000, "nested arrays"),
    (b"x = {" * 3000 + b"}" * 3000, "nested tables"),
    (".".join(["k"] * 20000).encode() + b" = 1", "a 20,000-level dotted key"),
])
def test_unreadable_files_are_refused_in_one_line_by_both(data, why, tmp_path, capsys):
    path = tmp_path / "case.toml"
    path.write_bytes(data)
    for command in ("check", "run"):
        try:
            code = cli.main([command, str(path)])
        except SystemExit as e:
            code = e.code
        out = capsys.readouterr()
        assert code in (1, 2), (why, command)
        assert "Traceback" not in out.err + out.out, why


def test_findings_are_reported_by_check_and_run(tmp_path, capsys):
    case = with_(BASE, drug__concentration="6000 mcg/mL", program__dose="600 mcg/day")
    path = tmp_path / "case.toml"
    path.write_text(to_toml(case), encoding="utf-8")
    assert cli.main(["check", str(path)]) == 0
    said = capsys.readouterr().out
    assert "fine" in said and "above the maximum concentration for baclofen" in said
    assert cli.main(["run", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert [f["code"] for f in summary["findings"]] == ["above-max-concentration"]
    assert cli.main(["run", str(path)]) == 0
    assert "DANGER (day 0)" in capsys.readouterr().out


# --- generated scenarios -------------------------------------------------------------------

def mostly(good: list, bad: list):
    """Good values about six times as often as bad ones, so that many cases run."""
    return st.sampled_from(good * 6 + bad)


VOLUMES = mostly(["5 mL", "10 mL", "20 mL"], ["0 mL", "25 mL", "40 mL", "-1 mL", "5",
                                             "1e400 mL", "5 mg"])
CONCENTRATIONS = mostly(["500 mcg/mL", "1000 mcg/mL", "2000 mcg/mL"],
                        ["0 mcg/mL", "10 mg/mL", "6000 mcg/mL", "50 mcg/mL", "5 mg",
                         "500 mcg/mL + 1 mcg/mL"])
DOSES = mostly(["300 mcg/day", "400 mcg/day"], ["50 mcg/day", "3000 mcg/day", "2 mg/day",
                                                "300 mcg", "0 mcg/day"])
DAYS = mostly(["day 3", "day 10.5", "day 20"], ["day 0", "day 29.99", "day 30", "day 40",
                                                "day -1", "36 h", 5])
EVENT = st.fixed_dictionaries({"at": DAYS}).flatmap(lambda head: st.one_of(
    st.fixed_dictionaries({**{k: st.just(v) for k, v in head.items()},
                           "kind": st.just("refill"), "volume": VOLUMES},
                          optional={"concentration": CONCENTRATIONS,
                                    "drug": mostly(["baclofen"], ["morphine", "x"]),
                                    "entered_volume": VOLUMES,
                                    "aspirated": VOLUMES}),
    st.fixed_dictionaries({**{k: st.just(v) for k, v in head.items()},
                           "kind": st.sampled_from(["pocket-fill", "cap-injection"]),
                           "volume": VOLUMES},
                          optional={"concentration": CONCENTRATIONS}),
    st.fixed_dictionaries({**{k: st.just(v) for k, v in head.items()},
                           "kind": st.just("bolus"), "dose": st.sampled_from(
                               ["50 mcg", "5000 mcg", "1 mg", "50 mcg/day"])},
                          optional={"duration": st.sampled_from(["1 min", "1 h", "0 h"])}),
    st.fixed_dictionaries({**{k: st.just(v) for k, v in head.items()},
                           "kind": st.just("program"), "mode": st.sampled_from(
                               ["continuous", "stopped", "bogus"]),
                           "dose": DOSES}),
    st.fixed_dictionaries({**{k: st.just(v) for k, v in head.items()},
                           "kind": st.sampled_from(["temperature", "altitude", "dive"]),
                           "duration": st.sampled_from(["1 day", "2 h", "0 h"])}).map(
        lambda e: {**e, {"temperature": "value", "altitude": "value",
                         "dive": "depth"}[e["kind"]]: {"temperature": "39 degC",
                                                       "altitude": "2400 m",
                                                       "dive": "20 m"}[e["kind"]]}),
    st.fixed_dictionaries({**{k: st.just(v) for k, v in head.items()},
                           "kind": st.sampled_from(
                               ["catheter-occlusion", "catheter-disconnection", "eri", "mri",
                                "empty", "priming-bolus", "patient-bolus", "fav-reset",
                                "inflammatory-mass", "csf-leak", "catheter-migration"])}),
    st.fixed_dictionaries({**{k: st.just(v) for k, v in head.items()},
                           "kind": st.just("infection")},
                          optional={"depth": st.sampled_from(["deep", "superficial", "odd"]),
                                    "explant": st.sampled_from(["2 day", "0 day"])}),
    st.fixed_dictionaries({**{k: st.just(v) for k, v in head.items()},
                           "kind": st.just("bridge-bolus"),
                           "old_concentration": CONCENTRATIONS}),
))

CASES = st.fixed_dictionaries(
    {"title": st.just("generated"),
     "days": mostly([30], [1, 0, 4000, 2.5]),
     "pump": mostly([{"kind": "programmable", "reservoir": "20 mL"},
                     {"kind": "programmable", "reservoir": "40 mL"}, {"kind": "valve-gated"}],
                    [{"kind": "constant-flow"}, {"kind": "programmable", "reservoir": "30 mL"}]),
     "program": mostly([{"mode": "continuous", "dose": "300 mcg/day"}],
                       [{"mode": "stopped"}, {"mode": "continuous", "dose": "50 mcg/day"},
                        {"mode": "continuous", "dose": "300 mcg"}, {"mode": "bogus"}]),
     "drug": st.fixed_dictionaries({
         "name": mostly(["baclofen"], ["morphine", "ziconotide", "aspirin"]),
         "concentration": CONCENTRATIONS,
         "fill": VOLUMES}),
     "events": st.lists(EVENT, max_size=3)},
    optional={"step": mostly(["1 min", "10 min"], ["7 min", "1 h", "0 min", 5]),
              "catheter": st.fixed_dictionaries({"tip": mostly(["T10", "L2"], ["X9"])},
                                                optional={"length": st.sampled_from(
                                                    ["60 cm", "200 cm"])}),
              "patient": st.sampled_from([{"preset": "spinal-spasticity"},
                                          {"preset": "cancer-pain"}])})


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow], deadline=None)
@given(case=CASES)
def test_check_says_fine_if_and_only_if_run_exits_0(case, tmp_path, capsys):
    fine, ran = verdicts(tmp_path, case, capsys)
    event("runs" if ran == 0 else "refused")
    assert fine == (ran == 0), to_toml(case)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(case=CASES)
def test_any_scenario_runs_with_mass_balance_or_is_refused_plainly(case):
    """No exception but InputError; what runs keeps its mass balance, with no negative or
    non-finite amounts anywhere (patient response included)."""
    import numpy as np

    from itsim import InputError, scenario
    try:
        tl = scenario.loads(to_toml(case)).run()
    except InputError as e:
        assert str(e)
        event("refused")
        return
    event("runs")
    for b in tl.by_drug.values():
        assert abs(b.error) <= 1e-9 * max(b.filled, 1.0)
        assert min(b.in_reservoir, b.in_catheter, b.to_csf, b.to_tissue, b.removed) >= -1e-9
    arrays = [tl.commanded, tl.delivered, tl.reservoir, tl.catheter_fluid, tl.to_csf,
              tl.to_tissue]
    if tl.response:
        arrays += list(tl.response.columns().values())
    for a in arrays:
        assert np.all(np.isfinite(a))
        assert a.min() >= -1e-6 * max(1.0, float(np.abs(a).max()))


@pytest.mark.parametrize("hub, repo, branch, parameter", [
    ("hub.example.org", "https://example.org/c.git", "main", "--hub"),
    ("https://hub.example.org", "https://", "main", "--repo"),
    ("https://hub.example.org", "https://example.org/c.git", " ", "--branch"),
    ("https://hub.example.org", None, "main", "--repo"),
])
def test_hub_link_refuses_what_it_cannot_link(hub, repo, branch, parameter):
    from itsim import InputError
    from itsim.authoring import hub_link
    with pytest.raises(InputError) as e:
        hub_link(hub, repo, branch)
    assert e.value.parameter == parameter


@pytest.mark.parametrize("kind, params", [
    ("temperature", {"value": "10**10**10 degC", "duration": "1 day"}),
    ("temperature", {"value": "39 degC + 1 degC", "duration": "1 day"}),
    ("temperature", {"value": "x" * 20000, "duration": "1 day"}),
    ("catheter-occlusion", {}),
])
def test_event_text_is_read_without_arithmetic_or_backtracking(kind, params):
    import time

    from itsim import InputError
    from itsim.events import event
    start = time.perf_counter()
    at = "day " + "1" * 20000 + "x" if kind == "catheter-occlusion" else "day 1"
    with pytest.raises(InputError):
        event(at, kind, **params)
    assert time.perf_counter() - start < 1.0            # a hang guard, not a benchmark


def test_emergency_cases_are_checked_and_run_on_one_path(tmp_path, capsys):
    """An emergency-room case ([emergency]) runs as the patient's course if nobody acts; a
    broken one is refused by both commands."""
    from itsim import emergency
    for name in emergency.names():
        path = emergency.folder() / f"{name}.toml"
        assert verdicts(tmp_path, path.read_text(encoding="utf-8"), capsys) == (True, 0), name
    text = (emergency.folder() / f"{emergency.names()[0]}.toml").read_text(encoding="utf-8")
    broken = text.replace("[emergency]", "[emergency]\nbogus = 1", 1)
    assert verdicts(tmp_path, broken, capsys) == (False, 2)
