"""The base of every interactive panel: inputs, a readout beside a figure, and a reset.

A panel holds model inputs in widgets, calls the model on every change, and re-renders the
figure and the text readout from the model's result. Impossible input never raises in the
notebook: the readout shows the message in plain words instead.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import ipywidgets as w

from ..errors import InputError
from .style import error_box, plain_message, plain_text


def field(width: str = "340px", label: str = "150px", typed: bool = True) -> dict:
    """Keyword arguments for an input widget: its own Layout (never shared between widgets)
    and a label width; boxes and sliders (``typed``) update on Enter or release, not on every
    keystroke."""
    out = dict(style={"description_width": label}, layout=w.Layout(width=width))
    return dict(out, continuous_update=False) if typed else out


class Shown:
    """Anything a notebook shows as its ``self.widget``; ``self.readout`` (when it has one)
    is the text beside it."""

    @property
    def readout_text(self) -> str:
        """The readout as plain text (for tests and screen readers)."""
        return plain_text(self.readout.value)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class Panel(Shown, ABC):
    """Subclasses set ``self.inputs`` (name -> widget), build ``self.figure`` (or None) and
    implement ``compute(**values)`` (the model call) and ``render(result)``."""

    title = ""

    def __init__(self):
        self.readout = w.HTML(layout=w.Layout(width="330px"))
        self.reset_button = w.Button(description="Reset", tooltip="Back to the starting values",
                                     layout=w.Layout(width="90px"))
        self.reset_button.on_click(lambda _: self.reset())
        self.result = None
        self.error: str | None = None

    def _finish(self):
        """Call at the end of a subclass __init__: remember defaults, wire and draw."""
        self.defaults = {k: v.value for k, v in self.inputs.items()}
        for widget in self.inputs.values():
            widget.observe(lambda _change: self.update(), names="value")
        controls = w.VBox(list(self.inputs.values()) + [self.reset_button])
        body = [self.figure, self.readout] if self.figure is not None else [self.readout]
        header = [w.HTML(f"<h4 style='margin:4px 0'>{self.title}</h4>")] if self.title else []
        self.widget = w.VBox(header + [controls, w.HBox(body, layout=w.Layout(
            flex_flow="row wrap", align_items="flex-start"))])
        self.update()

    def values(self) -> dict:
        return {k: v.value for k, v in self.inputs.items()}

    def set(self, **values):
        """Set inputs by name (as a learner would) and update once."""
        with self.hold():
            for k, v in values.items():
                self.inputs[k].value = v
        self.update()
        return self

    def hold(self):
        return _Hold(self)

    def reset(self):
        self.set(**self.defaults)

    def update(self):
        if getattr(self, "_holding", False):
            return
        try:
            self.result = self.compute(**self.values())
            self.error = None
        except InputError as e:
            self.result, self.error = None, plain_message(e, self.labels())
            self.readout.value = error_box(self.error)
            return
        self.render(self.result)

    def labels(self) -> dict:
        """Input name -> the label a learner sees."""
        return {k: v.description for k, v in self.inputs.items() if getattr(v, "description", "")}

    @abstractmethod
    def compute(self, **values):
        """The model call: input values -> a result object (raise InputError if impossible)."""

    @abstractmethod
    def render(self, result):
        """Draw ``result`` into the figure and the readout."""


class _Hold:
    def __init__(self, panel):
        self.panel = panel

    def __enter__(self):
        self.panel._holding = True

    def __exit__(self, *exc):
        self.panel._holding = False
