"""Errors that reach the user as one clear sentence, without a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix (bad input, wrong file, refused action).

    ``str(error)`` is the translated, one-line message shown by the CLI and
    the GUI.
    """


class NotFound(UserError):
    """A named batch, application, rubric … does not exist."""


class Refused(UserError):
    """The action is not allowed in the current state."""
