"""Suggested actions: the catalogue entry for the step a rule should nudge towards, or intervene before."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parcours.settings.sections import CatalogueAction
from parcours.tokens import token_activity

RAISES, DESTROYS = "raises", "destroys"


@dataclass(frozen=True)
class Suggestion:
    """The action for a rule (``None`` when the catalogue has none), the step it targets and why."""

    action: dict | None
    target_step: str | None
    delay_s: float
    note: str


def suggest_action(pattern: tuple[str, ...], representative: list[str], effect: float | None,
                   catalogue: list[CatalogueAction]) -> Suggestion:
    """What to do when a customer matches ``pattern`` and so enters the journey.

    For a journey that raises value (``effect`` > 0) the action nudges towards the first later step of
    the journey's representative path that has a ``raises`` entry; for one that destroys value, it
    intervenes before the first later step with a ``destroys`` entry (the damaging step). "Later"
    means after the pattern's last step in the representative (the whole path when the pattern is not
    in it). An entry's ``step`` is a token, or an activity that stands for every channel; tokens win.

    Parameters
    ----------
    pattern
        The rule's entry pattern (tokens).
    representative
        The journey's representative path (tokens).
    effect
        The journey's estimated effect on value; ``None`` or NaN: no direction, so no action.
    catalogue
        The action catalogue (``conf/triggers.yaml``, ``actions``).
    """
    if effect is None or not np.isfinite(effect) or effect == 0:
        return Suggestion(None, None, 0.0, "no estimated effect on value: no action suggested")
    when = RAISES if effect > 0 else DESTROYS
    later = _after(pattern, representative)
    for step in later:
        entry = _entry(step, when, catalogue)
        if entry is not None:
            verb = "nudge towards" if when == RAISES else "intervene before"
            action = {"action_id": entry.action_id, "label": entry.label, "channel": entry.channel}
            return Suggestion(action, step, entry.delay_hours * 3_600.0, f"{verb} {step}")
    listed = ", ".join(later) or "none"
    return Suggestion(None, later[0] if later else None, 0.0,
                      f"no catalogue entry ({when}) for the journey's later steps: {listed}")


def _after(pattern: tuple[str, ...], path: list[str]) -> list[str]:
    """The path's steps after the pattern, matched in order from the start (the whole path if it is not in it)."""
    position = -1
    for token in pattern:
        found = next((i for i in range(position + 1, len(path)) if path[i] == token), None)
        if found is None:
            return list(path)
        position = found
    return list(path[position + 1:])


def _entry(step: str, when: str, catalogue: list[CatalogueAction]) -> CatalogueAction | None:
    activity = token_activity(step)
    matches = [a for a in catalogue if a.when == when and a.step in (step, activity)]
    return min(matches, key=lambda a: a.step != step, default=None)
