"""Issue 16 (clinically safe teaching): the words lessons and questions teach."""
import json
from pathlib import Path

from itsim.exercises import QUESTIONS

ROOT = Path(__file__).resolve().parents[1]


def _markdown(nb: str) -> str:
    cells = json.loads((ROOT / nb).read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def test_the_brainstem_peak_is_the_model_not_the_arrival_time():
    ex = QUESTIONS["ex1.2"]
    assert "model's brainstem" in ex.prompt
    assert "[C16]" in ex.explain and "1-3 h" in ex.explain and "[M13]" in ex.explain
    assert "[C16]" in QUESTIONS["q1.3"].explain
    text = _markdown("lessons/01_intrathecal_space.ipynb")
    assert "1 to 3 hours" in text and "[C16]" in text
    assert "not as the time morphine reaches the brainstem" in text


def test_complication_rates_are_not_tagged_to_case_reports():
    import tomllib
    raw = tomllib.loads((ROOT / "itsim" / "data" / "procedures.toml").read_text())
    for name, c in raw["implant"]["complications"].items():
        for key in ("risk", "window"):
            assert not set(c[key].get("source", ())) & {"S91", "S92"}, (name, key)


def test_q10_3_treats_the_withdrawal_first():
    q = QUESTIONS["q10.3"]
    assert "withdrawal now" in q.choices[q.expected()]
    assert "[B7]" in q.explain and "[S135]" in q.explain and "T6 or above" in q.explain
