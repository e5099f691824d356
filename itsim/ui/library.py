"""The drug library browser: every fact of a drug with where it comes from."""
from __future__ import annotations

import ipywidgets as w

from .. import data, drugs
from ..units import fmt
from .panel import Panel
from .style import BLUE, GREY, ORANGE, box, esc

FACT_LABELS = {
    "fda_approved_intrathecal": "FDA-approved for intrathecal use",
    "available_concentrations": "Products (concentrations)",
    "pump_start_concentration": "Concentration to start a pump with",
    "starting_dose": "Starting dose",
    "usual_daily_dose": "Usual daily dose",
    "max_daily_dose": "Maximum daily dose",
    "max_concentration": "Maximum concentration",
    "granuloma_risk_concentration": "Inflammatory-mass risk from",
    "titration": "Dose changes",
    "titration_consensus": "Dose changes (consensus)",
    "stability": "Stable in the pump",
    "stability_diluted": "Stable in the pump (diluted)",
    "stability_first_fill": "First refill after a new fill",
    "lipophilicity": "Fat solubility",
    "csf_half_life": "Half-life in CSF",
    "csf_clearance": "Clearance from CSF",
    "withdrawal": "Withdrawal if stopped",
}


def fact_text(fact) -> str:
    """A fact's value in words."""
    if fact.name == "fda_approved_intrathecal":
        return "yes" if fact.value else "no (used off-label)"
    if fact.name == "lipophilicity":
        ow = fact.get("octanol_water")
        return fact["class"] + (f" (octanol/water {ow:g})" if ow is not None else "")
    if fact.name == "withdrawal":
        return fact["risk"]
    if fact.name.startswith("titration"):
        parts = []
        if "max_increase" in fact.extra:
            parts.append(f"rise up to {fact['max_increase']:.0%}")
        if "max_increase_cancer" in fact.extra:
            parts.append(f"{fact['max_increase_cancer']:.0%} in cancer pain")
        if "max_decrease" in fact.extra:
            parts.append(f"fall up to {fact['max_decrease']:.0%}")
        if "max_step" in fact.extra:
            parts.append(f"steps up to {fmt(fact['max_step'], 'dose_rate')}")
        if "max_per_week" in fact.extra:
            parts.append(f"at most {fact['max_per_week']} a week")
        if "min_interval" in fact.extra:
            gap = fact["min_interval"]
            parts.append(f"at least {fmt(gap, 'time', 'h' if gap < 2 else 'day')} apart")
        return ", ".join(parts)
    return fact.text


def drug_table_html(drug) -> str:
    d = drugs.get(drug)
    rows = []
    for name, label in FACT_LABELS.items():
        f = d.fact(name)
        if f is None:
            continue
        where = (f'<span style="color:{ORANGE}">teaching assumption</span>' if f.assumption
                 else esc(f.label))
        rows.append(f"<tr><td style='padding:3px 8px'><b>{esc(label)}</b></td>"
                    f"<td style='padding:3px 8px'>{esc(fact_text(f))}</td>"
                    f"<td style='padding:3px 8px'>{where}</td>"
                    f"<td style='padding:3px 8px;color:{GREY};font-size:90%'>{esc(f.note)}</td>"
                    "</tr>")
    tags = sorted({t for n in FACT_LABELS if d.fact(n) for t in d.fact(n).source})
    refs = "".join(f"<li><b>{esc(t)}</b> {esc(data.sources()[t]['title'])}</li>" for t in tags)
    return (f"<h4 style='margin:4px 0'>{esc(d.display_name)}: for {esc(d.indication)} "
            f"({esc(d.drug_class)})</h4>"
            "<table style='border-collapse:collapse'><tr><th align=left>Fact</th>"
            "<th align=left>Value</th><th align=left>Source</th><th align=left>Note</th></tr>"
            + "".join(rows) + "</table>"
            f"<details><summary>Sources ({len(tags)})</summary><ul>{refs}</ul></details>")


class DrugBrowser(Panel):
    """Pick a drug to see its facts, each with its source or marked as an assumption."""

    title = "Drug library"

    def __init__(self, drug: str = "morphine"):
        super().__init__()
        self.readout.layout = w.Layout(width="100%")
        self.inputs = {"drug": w.Dropdown(
            options=[(d.display_name, d.name) for d in drugs.library().values()], value=drug,
            description="Drug")}
        self.figure = None
        self._finish()

    def compute(self, drug):
        return drugs.get(drug)

    def render(self, drug):
        self.readout.value = box(drug_table_html(drug), BLUE)
