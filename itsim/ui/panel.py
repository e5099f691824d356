"""The base of every interactive panel: inputs, a readout beside a figure, and a reset.

A panel holds model inputs in widgets, calls the model on every change, and re-renders the
figure and the text readout from the model's result. Nothing a learner does raises into the
notebook:

- impossible input (an ``InputError``) shows in the readout in plain words, and the figure
  is marked as having no result (its traces hidden, its title saying so) rather than left
  showing the last result as if it were still valid;
- a result that cannot be written for people (infinity, not-a-number, a number too large or
  too small to be real, or one ``units.fmt`` refuses) is refused the same way;
- anything else that goes wrong (a fault in itsim, not in the input) shows as "Something
  went wrong: ..." in the readout, is logged on the ``itsim.ui`` logger with its traceback,
  and is kept as ``failure`` for tests; it never escapes an observer.

Every observer and button callback of every widget in :mod:`itsim.ui` is registered through
:meth:`Shown.listen` and :meth:`Shown.on_press`, which apply the guard.
"""
from __future__ import annotations

import copy
import functools
import logging
from abc import ABC, abstractmethod

import ipywidgets as w
import numpy as np

from ..errors import InputError
from .style import error_box, failure_box, plain_message, plain_text, unreadable

log = logging.getLogger("itsim.ui")

MAX_TYPED = 200          # characters a typed box hands to the model: a box may hold several
                         # quantities (the programmer's flex steps), each read by units.parse
UNREADABLE_RESULT = ("The result is too large or too small to be real, so it is not shown. "
                     "Check each number and its unit (mg or mcg? per day or per hour?).")
NO_RESULT_TITLE = "No result: see the message beside"


def screen_typed(parameter: str, text: str) -> str:
    """``text`` typed into a box, refused (InputError naming ``parameter``) when it is longer
    than any box needs; else unchanged. What it says is for ``units.parse`` to read."""
    if len(text) > MAX_TYPED:
        raise InputError(parameter, text, f"at most {MAX_TYPED} characters: a number and its "
                         "unit, such as '500 mcg/mL'")
    return text


def handled(method):
    """A widget method that never raises into the notebook (see ``Shown._run``), for the
    methods a lesson may also call directly (``station.finish()``, ``game.answer()``)."""
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        return self._run(method, self, *args, **kwargs)
    return run


def field(width: str = "340px", label: str = "150px", typed: bool = True) -> dict:
    """Keyword arguments for an input widget: its own Layout (never shared between widgets)
    and a label width; boxes and sliders (``typed``) update on Enter or release, not on every
    keystroke."""
    out = dict(style={"description_width": label}, layout=w.Layout(width=width))
    return dict(out, continuous_update=False) if typed else out


def _differs(old, new) -> bool:
    if old is None or new is None:
        return not (old is None and new is None)
    if isinstance(old, str) or isinstance(new, str):
        return old != new
    try:
        a, b = np.asarray(old), np.asarray(new)
        return a.shape != b.shape or not np.array_equal(a, b)
    except (TypeError, ValueError):
        return True


def sync_state(fig) -> None:
    """Put a FigureWidget's current figure into its synced state (``_widget_data`` and
    ``_widget_layout``), the state a view starts from when it is drawn. plotly sets it only
    when the widget is made (before any trace or title) and sends every later change as a
    one-off message, which a view not yet drawn (plotly.js still loading) never sees.
    A figure that is not a widget has no synced state: nothing to do."""
    from plotly.basewidget import BaseFigureWidget
    if not isinstance(fig, BaseFigureWidget):
        return
    fig._widget_data = copy.deepcopy(fig._data)        # a copy: traitlets sends what differs
    fig._widget_layout = copy.deepcopy(fig._layout)


def sync_figures(widget) -> None:
    """``sync_state`` for every FigureWidget in ``widget`` (its children, theirs...)."""
    todo = [widget]
    while todo:
        w_ = todo.pop()
        sync_state(w_)
        todo.extend(getattr(w_, "children", ()))


def redraw(fig, traces: dict, layout: dict | None = None) -> None:
    """Update a FigureWidget in place with as few messages as is safe: traces whose changed
    properties are the same set go in one batch (with the layout in the first). A batch
    across traces that change *different* properties makes plotly send null for what a
    trace did not change, and the browser then clears it (a legend entry becomes "trace 6",
    a line loses its y values). The synced state is then brought up to date (``sync_state``)."""
    groups: dict = {}
    for i, props in traces.items():
        changed = {k: v for k, v in props.items() if _differs(fig.data[i][k], v)}
        if changed:
            groups.setdefault(frozenset(changed), {})[i] = changed
    pending = layout
    for members in groups.values():
        with fig.batch_update():
            for i, props in members.items():
                for k, v in props.items():
                    fig.data[i][k] = v
            if pending:
                fig.update_layout(pending)
                pending = None
    if pending:
        fig.update_layout(pending)
    if groups or layout:
        sync_state(fig)     # a view drawn later (see itsim.ui.figure) starts from this


class Shown:
    """Anything a notebook shows as its ``self.widget``; ``self.readout`` (when it has one)
    is the text beside it, where messages go. ``failure`` is the unexpected exception of the
    last guarded call (None when it had none)."""

    failure: Exception | None = None

    @property
    def readout_text(self) -> str:
        """The readout as plain text (for tests and screen readers)."""
        return plain_text(self.readout.value)

    def _repr_mimebundle_(self, **kwargs):
        sync_figures(self.widget)
        return self.widget._repr_mimebundle_(**kwargs)

    def labels(self) -> dict:
        """Parameter name -> the label a learner sees, for messages."""
        return {}

    # --- the guard: every callback goes through it -------------------------------------------
    def _run(self, callback, *args, **kwargs):
        """``callback(*args, **kwargs)``, and nothing it raises reaches the notebook: an
        InputError becomes a plain message in the readout, anything else "Something went
        wrong" (logged, and kept as ``failure``). Returns None when it raised."""
        self.failure = None
        try:
            return callback(*args, **kwargs)
        except InputError as e:
            self.refuse(plain_message(e, self.labels()))
        except Exception as e:            # noqa: BLE001  (the one place that may)
            self.fail(e)
        return None

    def guarded(self, callback):
        """``callback`` wrapped in the guard (see ``_run``)."""
        return functools.wraps(callback)(functools.partial(self._run, callback))

    def listen(self, widget, callback, names="value"):
        """``widget.observe(callback)``, guarded."""
        widget.observe(self.guarded(callback), names=names)

    def on_press(self, button, callback):
        """``button.on_click(callback)``, guarded."""
        button.on_click(self.guarded(callback))

    def refuse(self, message: str):
        """Show ``message`` (plain words) instead of a result."""
        self._show_problem(error_box(message), message)

    def fail(self, error: Exception):
        """An unexpected fault: log it with its traceback, keep it, and say so plainly."""
        log.error("%s: %s", type(self).__name__, error, exc_info=error)
        self.failure = error
        html = failure_box(error)
        self._show_problem(html, plain_text(html))

    def _show_problem(self, html: str, message: str):
        self.readout.value = html


class Panel(Shown, ABC):
    """Subclasses set ``self.inputs`` (name -> widget), build ``self.figure`` (or None) and
    implement ``compute(**values)`` (the model call) and ``render(result)``. ``reactions``
    (input name -> callback(change)) run before the update when that input changes, e.g. to
    load a drug's starting values."""

    title = ""

    def __init__(self):
        self.readout = w.HTML(layout=w.Layout(width="330px"))
        self.reset_button = w.Button(description="Reset", tooltip="Back to the starting values",
                                     layout=w.Layout(width="90px"))
        self.on_press(self.reset_button, lambda _: self.reset())
        self.result = None
        self.error: str | None = None
        self.reactions: dict = {}
        self._holding = 0
        self._hidden = None             # the figure's title and trace visibility, when marked

    def _finish(self):
        """Call at the end of a subclass __init__: remember defaults, wire and draw."""
        self.defaults = {k: v.value for k, v in self.inputs.items()}
        for name, widget in self.inputs.items():
            self.listen(widget, functools.partial(self._changed, name))
        controls = w.VBox(list(self.inputs.values()) + [self.reset_button])
        body = [self.figure, self.readout] if self.figure is not None else [self.readout]
        header = [w.HTML(f"<h4 style='margin:4px 0'>{self.title}</h4>")] if self.title else []
        self.widget = w.VBox(header + [controls, w.HBox(body, layout=w.Layout(
            flex_flow="row wrap", align_items="flex-start"))])
        self.update()

    def _changed(self, name, change):
        reaction = self.reactions.get(name)
        if reaction is not None:
            reaction(change)
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

    def typed(self) -> dict:
        """The text in each typed box (name -> text)."""
        return {k: v.value for k, v in self.inputs.items() if isinstance(v, w.Text)}

    def update(self):
        """Call the model with the inputs and draw the result, or say plainly why not."""
        if self._holding:
            return
        self._run(self._update)

    def _update(self):
        for name, text in self.typed().items():
            screen_typed(name, text)
        result = self.compute(**self.values())
        self.result, self.error = result, None
        self._unmark_figure()
        try:
            self.render(result)
        except InputError:            # a number of the result that cannot be written (inf)
            self.refuse(UNREADABLE_RESULT)
            return
        if unreadable(self._shown_text()):
            self.refuse(UNREADABLE_RESULT)

    def _shown_text(self) -> str:
        """The readout's text without what the learner typed (echoes are theirs to read)."""
        text = self.readout_text
        for typed in sorted(self.typed().values(), key=len, reverse=True):
            if typed.strip():
                text = text.replace(" ".join(typed.split()), "")
        return text

    def _show_problem(self, html: str, message: str):
        self.result, self.error = None, message
        self.readout.value = html
        self._mark_figure()

    def _mark_figure(self):
        """Hide every trace and say in the title that there is no result (once)."""
        fig = self.figure
        if fig is None or self._hidden is not None:
            return
        self._hidden = (fig.layout.title.text, [t.visible for t in fig.data])
        redraw(fig, {i: dict(visible=False) for i in range(len(fig.data))},
               {"title": dict(text=NO_RESULT_TITLE)})

    def _unmark_figure(self):
        if self._hidden is None:
            return
        title, visible = self._hidden
        self._hidden = None
        redraw(self.figure, {i: dict(visible=True if v is None else v)
                             for i, v in enumerate(visible)}, {"title": dict(text=title)})

    @property
    def figure_marked(self) -> bool:
        """True while the figure shows no result (after impossible input or a fault)."""
        return self._hidden is not None

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
    """Inputs change without an update until the outermost hold ends (holds nest)."""

    def __init__(self, panel):
        self.panel = panel

    def __enter__(self):
        self.panel._holding += 1

    def __exit__(self, *exc):
        self.panel._holding -= 1
