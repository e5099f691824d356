"""Widgets and figures: the only part of itsim that imports ipywidgets or plotly.

Every panel holds model inputs in widgets, calls the model layer and re-renders a figure and
a text readout from the result; each has a Reset button, and impossible input shows a
message in plain words instead of an exception.
"""
from .dosing import (DoseCalculator, RouteConversion, TitrationPlanner,
                     concentration_comparison)
from .device import (ConstantFlowPhysics, Programmer, ReservoirTimeline, TransitDelay,
                     bridge_figure, reservoir_figure)
from .emergency import EmergencyRoom
from .library import DrugBrowser, drug_table_html
from .quiz import Question
from .timeline import timeline_figure

__all__ = ["DoseCalculator", "RouteConversion", "TitrationPlanner", "DrugBrowser",
           "concentration_comparison",
           "drug_table_html", "Question", "ReservoirTimeline", "TransitDelay",
           "ConstantFlowPhysics", "Programmer", "bridge_figure",
           "reservoir_figure", "timeline_figure", "EmergencyRoom"]
