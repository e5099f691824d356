"""The exercise checker: right, close, wrong and not yet, and never an exception."""
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from itsim import InputError
from itsim.exercises import QUESTIONS, ask, check, question
from itsim.units import convert

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("qid", sorted(QUESTIONS))
def test_the_computed_answer_is_right_and_a_blank_is_not_yet(qid):
    q = question(qid)
    expected = q.expected()
    if q.is_choice:
        assert check(qid, expected).status == "right"
        wrong = next(k for k in q.choices if k != expected)
        assert check(qid, wrong).status == "wrong"
    else:
        assert check(qid, q.answer_text()).status == "right"
        assert check(qid, convert(expected, q.kind, q.unit)).status == "right"  # bare number
        assert check(qid, convert(expected, q.kind, q.unit) * 1.05).status == "close"
        assert check(qid, convert(expected, q.kind, q.unit) * 2).status == "wrong"
    for blank in (..., None, "", "   "):
        assert check(qid, blank).status == "not yet"
    assert q.id in repr(ask(qid)) and q.prompt in ask(qid)._repr_markdown_()


def test_feedback_names_the_mg_mcg_slip_and_the_wrong_kind_of_unit():
    assert "1 mg = 1000 mcg" in check("q3.1", "600 mL/day").message
    assert "check your units" in check("q3.3", "0.072").message      # no masses in a time
    wrong_kind = check("q3.1", "0.6 mL")
    assert wrong_kind.status == "wrong" and "not a flow" in wrong_kind.message
    assert check("q3.1", "0.025 mL/h").status == "right"   # any unit of the right kind


def test_choices_accept_letter_or_text():
    assert check("q3.4", "C").status == "right"
    assert check("q3.4", "c)").status == "right"
    assert check("q3.4", "1000 times").status == "right"
    assert check("q3.4", "z").status == "not yet"


def test_unknown_question_is_an_input_error():
    with pytest.raises(InputError, match="question = 'q99'"):
        check("q99", 1)


@given(st.one_of(st.text(max_size=30), st.floats(allow_nan=True, allow_infinity=True),
                 st.integers(), st.booleans(), st.lists(st.integers(), max_size=3)))
def test_nothing_a_learner_types_raises(answer):
    for qid in ("q3.1", "q3.4", "ex3.3"):
        assert check(qid, answer).status in ("right", "close", "wrong", "not yet")


def test_html_feedback_is_escaped():
    html = check("q3.1", "<b>x</b>")._repr_html_()
    assert "<b>x</b>" not in html and "&lt;b&gt;" in html


def _check_outputs(path):
    """The text of every check(...) cell's output in a stored notebook, by question id."""
    nb = json.loads(path.read_text())
    out = {}
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "code" and "check(" in src:
            qid = src.split('check("')[1].split('"')[0]
            texts = ["".join(o.get("data", {}).get("text/plain", "")) for o in cell["outputs"]]
            out[qid] = " ".join(texts)
    return out


def test_solutions_pass_every_check_and_blanks_get_not_yet():
    """nbval proves the stored outputs are what the notebooks produce; this reads them."""
    bank = sorted(q for q in QUESTIONS if q.startswith("ex3."))
    blank = _check_outputs(ROOT / "exercises" / "03_dosing.ipynb")
    solved = _check_outputs(ROOT / "exercises" / "solutions" / "03_dosing.ipynb")
    assert sorted(blank) == sorted(solved) == bank
    assert all(text.startswith("[NOT YET]") for text in blank.values()), blank
    assert all(text.startswith("[RIGHT]") for text in solved.values()), solved


def test_a_number_typed_in_a_box_is_read_in_the_question_unit():
    assert check("q0.1", "1000").status == "right"
    assert check("q0.1", " 1 ").status == "wrong"
    assert check("q3.3", "72").status == "right"


@pytest.mark.parametrize("qid, answer, status, fragment", [
    ("q3.2", "2.4 mcg/day", "not yet", "give the answer in mcg/h"),   # restating is not converting
    ("q0.1", "1 mg", "not yet", "give the answer in mcg"),
    ("q3.2", "0.1 mcg/h", "right", ""),
    ("q3.1", "0,6", "not yet", "decimal point"),
    ("q3.1", "-0.6", "not yet", "more than zero"),
    ("q3.1", "3/5", "right", ""),
    ("q3.1", "0.6 ML/day", "right", ""),
    ("q3.1", "0.6 mL/24h", "right", ""),
    ("ex3.1", 10 ** 400, "not yet", "finite"),
])
def test_odd_answers_get_useful_feedback(qid, answer, status, fragment):
    fb = check(qid, answer)
    assert fb.status == status and fragment in fb.message, fb
