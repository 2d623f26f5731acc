"""Journey steps (tokens): how an event's activity and channel make one, and how one is read back.

A token is ``activity@channel``, or the activity alone in a log without channels. Activities and
channels are data: they may hold spaces, accents, ``<``, emoji, even ``@``. The channel is what comes
after the *last* ``@``, so an activity with an ``@`` in it still reads back whole when a channel follows.
"""

from __future__ import annotations

SEPARATOR = "@"


def split_token(token: str) -> tuple[str, str]:
    """``(activity, channel)`` of a token; the channel is ``""`` for a token without one.

    Examples
    --------
    >>> split_token("order@web"), split_token("Resolve ticket"), split_token("mail@home page@web")
    (('order', 'web'), ('Resolve ticket', ''), ('mail@home page', 'web'))
    """
    activity, separator, channel = str(token).rpartition(SEPARATOR)
    return (activity, channel) if separator else (str(token), "")


def token_activity(token: str) -> str:
    """The activity of a token (:func:`split_token`)."""
    return split_token(token)[0]
