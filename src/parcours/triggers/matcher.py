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
event by event in time order) gives identical triggers: the batch runs the same state machine,
compiled (:mod:`parcours.triggers.kernel`), customer by customer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from parcours.schema import JOURNEY_ID
from parcours.triggers.kernel import match_sorted
from parcours.triggers.rules import Rule

INF = float("inf")
NOTHING: tuple = ()
CAPPED = object()  # a rule's state for a customer who had every trigger the rule's cap allows
TRIGGER_COLUMNS = ("customer_id", "rule_id", JOURNEY_ID, "started_at", "matched_at", "fire_at", "action_id",
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
        # token → (rule, position, last position, max gap, window), later positions first, so an event
        # extends a longer prefix before it may start a shorter one (one event, one step of a match)
        self._places: dict[str, list[tuple]] = defaultdict(list)
        for r, rule in enumerate(self.rules):
            window = INF if rule.window_s is None else rule.window_s
            for position, step in enumerate(rule.pattern):
                gap = INF if step.max_gap_s is None or position == 0 else step.max_gap_s
                self._places[step.token].append((r, position, len(rule.pattern) - 1, gap, window))
        for places in self._places.values():
            places.sort(key=lambda place: -place[1])
        self._state: dict[Any, list] = {}  # customer → per rule, None or the best (start, last) per prefix
        self._fired: dict[tuple[Any, int], int] = defaultdict(int)

    def feed(self, customer_id: Any, ts: float, token: str) -> Sequence[Trigger]:
        """Take one event (``ts`` in seconds, not before the customer's previous one) and return what fires."""
        places = self._places.get(token)
        return () if places is None else self._advance(customer_id, ts, places)

    def _advance(self, customer_id: Any, ts: float, places: list[tuple]) -> Sequence[Trigger]:
        """One event of the customer's, at each of the places its token steps in the rules."""
        state = self._state.get(customer_id)
        if state is None:
            state = self._state[customer_id] = [None] * len(self.rules)
        fired, completed = NOTHING, ()
        for r, position, last_position, gap, window in places:
            if r in completed:  # this event finished a match of the rule: it starts no other
                continue
            prefixes = state[r]
            if prefixes is CAPPED:
                continue
            if position == 0:
                start = ts
            else:
                before = None if prefixes is None else prefixes[position - 1]
                if before is None or ts - before[1] > gap or ts - before[0] > window:
                    continue
                start = before[0]
            if position == last_position:
                state[r], completed = None, (*completed, r)
                trigger = self._fire(customer_id, r, self.rules[r], start, ts, state)
                if trigger is not None:
                    fired = [*fired, trigger]
                continue
            if prefixes is None:
                prefixes = state[r] = [None] * last_position
            current = prefixes[position]
            if current is None or (start, ts) >= current:
                prefixes[position] = (start, ts)
        return fired

    def _fire(self, customer_id: Any, r: int, rule: Rule, started: float, ts: float, state: list) -> Trigger | None:
        """The trigger of a completed match, unless a condition or the frequency cap holds it back. The rule's
        state for the customer becomes ``CAPPED`` at its last allowed trigger: nothing it sees matters after."""
        if rule.conditions:
            attributes = self.attributes.get(customer_id, {})
            if not all(condition.holds(attributes) for condition in rule.conditions):
                return None
        fire_at = ts + rule.delay_s
        if self.frequency_cap is not None and not self._within_cap(customer_id, fire_at):
            self.capped += 1
            return None
        self._fired[(customer_id, r)] += 1
        if self._fired[(customer_id, r)] >= rule.cap_per_customer:
            state[r] = CAPPED
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
    """Every trigger the rules fire over a batch of events: the stream matcher's state machine, compiled
    (:func:`parcours.triggers.kernel.match_sorted`), customer by customer, triggers in stream order.

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
    if not rules or events.empty:
        return no_triggers()
    seconds = seconds_since_epoch(events["ts"])
    customer_codes, customers = pd.factorize(events["customer_id"], use_na_sentinel=False)
    token_codes, tokens = pd.factorize(events["token"], use_na_sentinel=False)
    places = _place_arrays(Matcher(rules), list(tokens))
    order = np.argsort(seconds, kind="stable")
    by_customer = order[np.argsort(customer_codes[order], kind="stable")]
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    most, period = frequency_cap or (0, 0.0)
    event, place_rank, rule, started, matched, fire_at, held_back = match_sorted(
        customer_codes[by_customer], seconds[by_customer], token_codes[by_customer], *places[:-1],
        np.array([r.delay_s for r in rules], dtype=np.float64), np.array([r.cap_per_customer for r in rules]),
        _allowed(rules, customers, attributes), most, period, len(rules), max(len(r.pattern) for r in rules),
        int(places[-1][token_codes].sum()))
    event = by_customer[event]
    stream_order = np.lexsort((place_rank, rank[event]))
    event, rule = event[stream_order], rule[stream_order]
    actions = [r.action or {} for r in rules]
    triggers = pd.DataFrame({
        "customer_id": np.asarray(customers)[customer_codes[event]],
        "rule_id": np.array([r.rule_id for r in rules], dtype=object)[rule],
        JOURNEY_ID: np.array([r.journey_id for r in rules], dtype=np.int64)[rule],
        "started_at": started[stream_order], "matched_at": matched[stream_order], "fire_at": fire_at[stream_order],
        "action_id": np.array([a.get("action_id") for a in actions], dtype=object)[rule],
        "channel": np.array([a.get("channel") for a in actions], dtype=object)[rule]})
    triggers.attrs["capped"] = int(held_back)
    return triggers


def no_triggers() -> pd.DataFrame:
    """An empty trigger table with the columns' types."""
    types = {JOURNEY_ID: "int64", "started_at": "float64", "matched_at": "float64", "fire_at": "float64",
             "action_id": "object", "channel": "object"}
    triggers = pd.DataFrame({c: pd.Series([], dtype=types.get(c, "str")) for c in TRIGGER_COLUMNS})
    triggers.attrs["capped"] = 0
    return triggers


def _place_arrays(matcher: Matcher, tokens: list) -> tuple:
    """The matcher's places as arrays: per token code its range, then rule, position, last position, gap and
    window per place; last, per token code, how many rules it ends (a bound on its triggers)."""
    ranges, rows = np.zeros((len(tokens), 2), dtype=np.int64), []
    for code, token in enumerate(tokens):
        token_places = matcher._places.get(token, [])
        ranges[code] = len(rows), len(rows) + len(token_places)
        rows.extend(token_places)
    table = np.array(rows, dtype=np.float64).reshape(-1, 5)
    ends = np.array([sum(p[1] == p[2] for p in matcher._places.get(t, [])) for t in tokens], dtype=np.int64)
    return (ranges[:, 0].copy(), ranges[:, 1].copy(), table[:, 0].astype(np.int64), table[:, 1].astype(np.int64),
            table[:, 2].astype(np.int64), table[:, 3].copy(), table[:, 4].copy(), ends)


def _allowed(rules: list[Rule], customers, attributes: dict | None) -> np.ndarray:
    """Whether each customer (row) meets each rule's conditions; one row for all when no rule has any."""
    if not any(r.conditions for r in rules):
        return np.ones((1, len(rules)), dtype=np.bool_)
    attributes = attributes or {}
    return np.array([[all(c.holds(attributes.get(customer, {})) for c in r.conditions) for r in rules]
                     for customer in customers], dtype=np.bool_).reshape(len(customers), len(rules))


def seconds_since_epoch(ts: pd.Series) -> np.ndarray:
    """Timestamps (or numbers, taken as seconds already) as float seconds since the epoch."""
    if pd.api.types.is_datetime64_any_dtype(ts):
        return (ts - pd.Timestamp(0, tz=ts.dt.tz)).dt.total_seconds().to_numpy()
    return ts.to_numpy(dtype=float)
