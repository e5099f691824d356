"""The package's error family: :class:`ItsimError` is the base of every error itsim raises on
purpose; every bad input raises an :class:`InputError` (also a ``ValueError``)."""
from __future__ import annotations



class ItsimError(Exception):
    """An error raised by itsim on purpose (catch this to catch them all)."""


class InputError(ItsimError, ValueError):
    """A value given to itsim is not allowed.

    The message names the parameter, the value given and what is allowed, in plain
    words, so it can be shown to a learner as it is.
    """

    def __init__(self, parameter: str, value: object, allowed: str):
        self.parameter = parameter
        self.value = value
        self.allowed = allowed
        super().__init__(f"{parameter} = {value!r} is not allowed: {allowed}")

    def __reduce__(self):
        # Default exception pickling calls cls(*self.args) with the one message: rebuild from
        # the three parts instead (workers of a cohort send errors back to the parent).
        rest = {k: v for k, v in self.__dict__.items()
                if k not in ("parameter", "value", "allowed")}       # e.g. __notes__
        return type(self), (self.parameter, _picklable(self.value), self.allowed), rest


class UnknownDrugError(InputError, KeyError):
    """A drug name that is not in the drug library."""

    def __str__(self) -> str:  # KeyError would otherwise quote the whole message
        return self.args[0]


class UnitKindError(InputError):
    """A quantity of the wrong kind: a mass where a concentration is needed, say."""


class _Shown:
    """Stands in for a value that cannot be pickled: same repr, so the same message."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _picklable(value):
    import pickle                       # only when an error is pickled (not at import itsim)
    try:
        pickle.dumps(value)
    except Exception:    # noqa: BLE001 - any value a learner passed, any reason it won't pickle
        return _Shown(repr(value))
    return value
