"""The package's error family: every bad input raises an :class:`InputError`."""
from __future__ import annotations


class InputError(ValueError):
    """A value given to itsim is not allowed.

    The message names the parameter, the value given and what is allowed, in plain
    words, so it can be shown to a learner as it is.
    """

    def __init__(self, parameter: str, value: object, allowed: str):
        self.parameter = parameter
        self.value = value
        self.allowed = allowed
        super().__init__(f"{parameter} = {value!r} is not allowed: {allowed}")


class UnknownDrugError(InputError, KeyError):
    """A drug name that is not in the drug library."""

    def __str__(self) -> str:  # KeyError would otherwise quote the whole message
        return self.args[0]


class UnitKindError(InputError):
    """A quantity of the wrong kind: a mass where a concentration is needed, say."""
