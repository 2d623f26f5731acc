"""The one exception every stage shares: data that cannot be used as given.

It sits below every stage so that the CLI can tell bad data (one line, exit 3) from a bug (a traceback)
without importing the stages that raise it.
"""


class InputError(ValueError):
    """Data that cannot be used as given: an event file as mapped, a rule set, a table of attributes."""
