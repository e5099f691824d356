"""The error family: one base class, the same messages, and errors that survive pickling
(a cohort's worker processes send them back to the parent)."""
import ast
import concurrent.futures
import multiprocessing
import pickle
from pathlib import Path

import pytest

import itsim
from itsim import errors
from itsim.errors import InputError, ItsimError, UnitKindError, UnknownDrugError

ROOT = Path(__file__).resolve().parents[1]


def error_classes():
    """Every exception class in itsim.errors (public or not, found, not listed by hand)."""
    return sorted((c for c in vars(errors).values()
                   if isinstance(c, type) and issubclass(c, BaseException)),
                  key=lambda c: c.__name__)


def test_one_base_class_for_the_family():
    assert itsim.ItsimError is ItsimError and "ItsimError" in itsim.__all__
    classes = error_classes()
    assert {c.__name__ for c in classes} >= {"ItsimError", "InputError", "UnknownDrugError",
                                              "UnitKindError"}
    assert all(issubclass(c, ItsimError) for c in classes)
    assert issubclass(InputError, ValueError) and issubclass(UnknownDrugError, KeyError)
    assert issubclass(UnitKindError, InputError) and issubclass(UnknownDrugError, InputError)


def test_no_error_class_is_defined_outside_errors_py():
    """An exception class elsewhere in the package would escape the family."""
    stray = []
    for path in sorted((ROOT / "itsim").rglob("*.py")):
        if path.name == "errors.py" and path.parent.name == "itsim":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    ast.unparse(b).split(".")[-1].endswith(("Error", "Exception"))
                    for b in node.bases):
                stray.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert not stray


def test_messages_are_as_before():
    e = InputError("daily_dose", "300 mg", "'mg' is not a dose per time")
    assert str(e) == "daily_dose = '300 mg' is not allowed: 'mg' is not a dose per time"
    assert str(UnknownDrugError("drug", "x", "one of a, b")) == \
        "drug = 'x' is not allowed: one of a, b"
    assert str(UnitKindError("fill", 3, "a volume")) == "fill = 3 is not allowed: a volume"


def instances():
    for cls in error_classes():
        if issubclass(cls, InputError):
            yield cls("drug.fill", {"value": "20 kg"}, "expected a volume, e.g. '20 mL'")
        else:
            yield cls("something went wrong")


@pytest.mark.parametrize("error", list(instances()), ids=lambda e: type(e).__name__)
def test_every_error_class_pickles_with_its_attributes(error):
    error.add_note("while loading case 3")
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error) and back.args == error.args
    assert back.__notes__ == ["while loading case 3"]
    for name in ("parameter", "value", "allowed"):
        if hasattr(error, name):
            assert getattr(back, name) == getattr(error, name)


def test_a_value_that_cannot_be_pickled_keeps_the_message():
    error = InputError("patient", (x for x in ()), "a patient preset")
    back = pickle.loads(pickle.dumps(error))
    assert str(back) == str(error) and back.parameter == "patient"
    assert repr(back.value) == repr(error.value)


def _refuse(n):
    from itsim import drugs
    drugs.get(f"no-such-drug-{n}")


def test_errors_come_back_from_worker_processes():
    """As a cohort's chunks do: the parent gets the real class, its parts and message."""
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as pool:
        with pytest.raises(UnknownDrugError) as info:
            pool.submit(_refuse, 7).result(timeout=60)
    assert info.value.parameter == "drug" and info.value.value == "no-such-drug-7"
    assert "expected one of" in info.value.allowed and str(info.value).startswith("drug = ")
