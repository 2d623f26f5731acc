"""The incremental matcher: one pass over a stream of events, a small state per customer, fired triggers out.

For every rule and customer the state holds, per matched prefix of the rule's pattern, the start
and the last step of the best partial match: the one that started latest (every later step
has the most room in the window) and, among those, ended latest (most room for the next gap).
An event extends each prefix it can, from the longest down, so one event is never used
twice in one match. When the last step matches, the rule fires (if its conditions hold and the
customer's cap allows) at the event's time plus the rule's delay, and the rule's state for that
customer starts afresh. The state never grows with the customer's history: at most the pattern's
length of pairs per rule.

Matching the same events in one batch (:func:`match_events`) and as a stream (:meth:`Matcher.feed`,
event by event in time order) gives identical triggers: the batch is the stream.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from parcours.triggers.rules import Rule

TRIGGER_COLUMNS = ("customer_id", "rule_id", "journey_id", "started_at", "matched_at", "fire_at", "action_id",
                   "channel")


@dataclass(frozen=True)
class Trigger:
    """A rule fired for a customer: its pattern spanned ``started_at`` .. ``matched_at`` (seconds); act at ``fire_at``.
    """

    customer_id: str
    rule_id: str
    journey_id: int
    started_at: float
    matched_at: float
    fire_at: float
    action_id: str | None
    channel: str | None


class Matcher:
    """Evaluate a rule set over events fed in time order, one customer's state at a time.

    Parameters
    ----------
    rules
        The rules (:func:`parcours.triggers.rules.parse_rules`).
    attributes
        Customer id → attributes the rules' conditions read (e.g. ``{"value_tier": "high"}``).
    frequency_cap
        ``(n, seconds)``: all rules together fire at most ``n`` triggers per customer in any ``seconds``
        (by ``fire_at``); the triggers held back are counted in ``capped``.
    """

    def __init__(self, rules: list[Rule], attributes: dict[str, dict[str, Any]] | None = None,
                 frequency_cap: tuple[int, float] | None = None) -> None:
        self.rules = list(rules)
        self.attributes = attributes or {}
        self.frequency_cap = frequency_cap
        self.capped = 0
        self._recent: dict[Any, list[float]] = defaultdict(list)
        self._steps: dict[str, list[tuple[int, int]]] = defaultdict(list)  # token → (rule, position), last first
        for r, rule in enumerate(self.rules):
            for position, step in enumerate(rule.pattern):
                self._steps[step.token].append((r, position))
        for places in self._steps.values():
            places.sort(key=lambda place: -place[1])
        self._state: dict[str, dict[int, list]] = {}
        self._fired: dict[tuple[str, int], int] = defaultdict(int)

    def feed(self, customer_id: str, ts: float, token: str) -> list[Trigger]:
        """Take one event (``ts`` in seconds, not before the customer's previous one) and return what fires."""
        places = self._steps.get(token)
        if not places:
            return []
        state = self._state.setdefault(customer_id, {})
        fired, completed = [], set()
        for r, position in places:
            if r in completed:  # this event finished a match of the rule: it starts no other
                continue
            rule = self.rules[r]
            prefixes = state.get(r)
            if prefixes is None:
                prefixes = state[r] = [None] * len(rule.pattern)
            matched = self._extend(rule, prefixes, position, ts)
            if matched is not None:
                completed.add(r)
                trigger = self._fire(customer_id, r, rule, matched, ts)
                if trigger is not None:
                    fired.append(trigger)
        return fired

    @staticmethod
    def _extend(rule: Rule, prefixes: list, position: int, ts: float) -> float | None:
        """Extend the partial matches with this step; return the match's start when the pattern completes."""
        if position == 0:
            candidate = (ts, ts)
        else:
            before = prefixes[position - 1]
            if before is None:
                return None
            start, last = before
            gap = rule.pattern[position].max_gap_s
            if (gap is not None and ts - last > gap) or (rule.window_s is not None and ts - start > rule.window_s):
                return None
            candidate = (start, ts)
        if position == len(rule.pattern) - 1:
            prefixes[:] = [None] * len(prefixes)
            return candidate[0]
        current = prefixes[position]
        if current is None or candidate >= current:
            prefixes[position] = candidate
        return None

    def _fire(self, customer_id: str, r: int, rule: Rule, started: float, ts: float) -> Trigger | None:
        if self._fired[(customer_id, r)] >= rule.cap_per_customer:
            return None
        if rule.conditions:
            attributes = self.attributes.get(customer_id, {})
            if not all(condition.holds(attributes) for condition in rule.conditions):
                return None
        fire_at = ts + rule.delay_s
        if self.frequency_cap is not None and not self._within_cap(customer_id, fire_at):
            self.capped += 1
            return None
        self._fired[(customer_id, r)] += 1
        action = rule.action or {}
        return Trigger(customer_id, rule.rule_id, rule.journey_id, started, ts, fire_at, action.get("action_id"),
                       action.get("channel"))

    def _within_cap(self, customer_id: Any, fire_at: float) -> bool:
        """Whether the customer may get one more trigger at ``fire_at``; if so, it is counted."""
        most, period = self.frequency_cap
        recent = [t for t in self._recent[customer_id] if abs(fire_at - t) < period]
        if len(recent) >= most:
            self._recent[customer_id] = recent
            return False
        self._recent[customer_id] = [*recent, fire_at]
        return True


def match_events(rules: list[Rule], events: pd.DataFrame, attributes: dict[str, dict[str, Any]] | None = None,
                 frequency_cap: tuple[int, float] | None = None) -> pd.DataFrame:
    """Every trigger the rules fire over a batch of events: the stream matcher, fed in time order.

    Parameters
    ----------
    rules
        The rule set.
    events
        ``customer_id``, ``ts`` (timestamps, or seconds) and ``token`` (``activity@channel``); events
        at the same instant keep their order in the frame.
    attributes
        Customer attributes for the rules' conditions.
    frequency_cap
        ``(n, seconds)``: at most ``n`` triggers per customer in any ``seconds``, all rules together.

    Returns
    -------
    pandas.DataFrame
        One row per trigger (``TRIGGER_COLUMNS``), in matching order; ``started_at``, ``matched_at`` and
        ``fire_at`` in seconds since the epoch. ``attrs["capped"]``: the triggers the frequency cap held back.
    """
    seconds = seconds_since_epoch(events["ts"])
    order = pd.Series(seconds).reset_index(drop=True).sort_values(kind="stable").index.to_numpy()
    matcher = Matcher(rules, attributes, frequency_cap)
    customers, tokens = events["customer_id"].to_numpy(), events["token"].to_numpy()
    fired = [t for i in order for t in matcher.feed(customers[i], float(seconds[i]), tokens[i])]
    triggers = pd.DataFrame([t.__dict__ for t in fired], columns=list(TRIGGER_COLUMNS))
    triggers.attrs["capped"] = matcher.capped
    return triggers


def seconds_since_epoch(ts: pd.Series) -> np.ndarray:
    """Timestamps (or numbers, taken as seconds already) as float seconds since the epoch."""
    if pd.api.types.is_datetime64_any_dtype(ts):
        return (ts - pd.Timestamp(0, tz=ts.dt.tz)).dt.total_seconds().to_numpy()
    return ts.to_numpy(dtype=float)
