"""The one exception type for anything a user can cause."""
from __future__ import annotations


class UserError(ValueError):
    """A problem caused by user input (settings, formulas, files, links).

    Its message is written for a student and is shown in the app as is.
    """
