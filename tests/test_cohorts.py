"""Virtual cohorts: what is refused, and the size limit that keeps a run in memory."""
import time

import numpy as np
import pytest

import itsim
from itsim import InputError, cohorts

PAIN = dict(patient="cancer-pain", drug="morphine", concentration="10 mg/mL", fill="20 mL",
            program={"mode": "continuous", "dose": "1 mg/day"},
            catheter={"tip": "T10", "primed": True})


@pytest.fixture(scope="module")
def pain():
    return itsim.cohort(30, seed=2, days=4, **PAIN)


def test_the_documented_size_fits_and_a_million_patients_is_refused_before_simulating():
    assert 10_000 * 366 * 24 <= cohorts.MAX_PATIENT_STEPS      # 10 000 x a (leap) year hourly
    t0 = time.perf_counter()
    with pytest.raises(InputError) as e:
        itsim.cohort(1_000_000, days=180, **PAIN)                 # was a 16 GiB MemoryError
    assert time.perf_counter() - t0 < 3.0                         # refused, not simulated
    message = str(e.value)
    assert e.value.parameter == "n" and f"{cohorts.MAX_PATIENT_STEPS:,} patient-steps" in message
    assert f"at most {cohorts.MAX_PATIENT_STEPS // (180 * 24):,} patients" in message


def test_one_patient_more_than_the_limit_is_refused_and_a_cohort_within_it_runs():
    steps = 180 * 24
    most = cohorts.MAX_PATIENT_STEPS // steps                     # 23 148 for 180 hourly days
    with pytest.raises(InputError, match="patient-steps"):
        itsim.cohort(most + 1, days=180, **PAIN)
    assert itsim.cohort(200, days=2, **PAIN).score.shape == (200, 2 * 24)


@pytest.mark.parametrize("day", [-0.5, 4.5, 1e9, float("nan"), float("inf"), "2", [1], True])
def test_responders_on_a_day_outside_the_run_is_refused(pain, day):
    with pytest.raises(InputError) as e:
        pain.responders(day)
    assert e.value.parameter == "day"


def test_responders_on_days_within_the_run(pain):
    assert pain.responders(0) == pain.responders(0.01)
    assert pain.responders(4) == pain.responders() == pain.responders(pain.end)
    assert pain.step_of(1.0) == 24 and pain.step_of(4) == pain.t.size - 1


@pytest.mark.parametrize("q", [150, -1, [10, 101], float("nan"), "50", [], True, [[10, 20]],
                               None])
def test_percentiles_outside_0_to_100_are_refused(pain, q):
    with pytest.raises(InputError) as e:
        pain.percentiles(q)
    assert e.value.parameter == "q"


def test_percentiles_of_one_or_several(pain):
    assert pain.percentiles(50).shape == (pain.t.size,)
    assert np.array_equal(pain.percentiles([0, 100])[1], pain.score.max(axis=0))
