"""Lesson 03: 20 mg/day intrathecal morphine is the label's caution level [M1], not a hard
maximum; the lesson still teaches never to start there (issue 16 clinical re-review)."""
import json
from pathlib import Path

LESSON = Path(__file__).resolve().parents[1] / "lessons" / "03_drugs_and_dosing.ipynb"


def _markdown() -> str:
    cells = json.loads(LESSON.read_text())["cells"]
    text = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return " ".join(text.replace("*", "").split())


def _outputs() -> str:
    cells = json.loads(LESSON.read_text())["cells"]
    return "".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code"
                   for o in c.get("outputs", []))


def test_morphine_20_mg_a_day_is_a_caution_level_not_a_maximum():
    text = _markdown()
    assert "maximum intrathecal morphine dose" not in text
    assert "above the maximum dose" not in text
    assert "dose above the maximum?" not in text
    assert "20 mg/day, the intrathecal morphine dose above which the label advises caution" \
        " [M1]" in text
    assert "not a hard maximum" in text


def test_the_lesson_still_says_never_start_there():
    text = _markdown()
    assert "never start a patient at or above it" in text
    assert "never start above the dose where the label advises caution" in text


def test_the_max_dose_column_is_explained_where_the_table_prints_it():
    if "max dose" in _outputs():
        text = _markdown()
        assert 'The "max dose" column' in text and "caution level" in text
