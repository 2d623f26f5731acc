"""Firing a published rule set on events as they arrive: from the CLI, in a notebook, or in the model server."""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pandas as pd

from parcours.instances import event_tokens
from parcours.schema import ACTIVITY, CHANNEL, CUSTOMER_ID, TIMESTAMP
from parcours.triggers.matcher import TRIGGER_COLUMNS, match_events, seconds_since_epoch
from parcours.triggers.rules import RuleSet, TriggerRulesError

FIRED_COLUMNS = tuple(c for c in TRIGGER_COLUMNS if c != "started_at")


def screen_events(events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a request's events into the usable ones and, one row each, the others with what is wrong.

    A usable event has a ``customer_id`` and an ``activity`` that are non-empty text (not a number
    turned text, not a nested object, no control character) and an ISO-8601 ``ts``. A model server
    answers the usable ones and names the others, instead of failing the whole batch.

    Returns
    -------
    tuple of pandas.DataFrame
        The usable events, and ``row`` (position in the request), ``customer_id`` and ``error``.
    """
    problems = pd.Series(None, index=events.index, dtype="object")
    for column in (CUSTOMER_ID, ACTIVITY, TIMESTAMP):
        if column not in events.columns:
            problems[:] = f"missing column {column}"
            return events.iloc[:0], _errors(events, problems)
    for column in (CUSTOMER_ID, ACTIVITY):
        bad = ~events[column].map(_plain_text)
        problems = problems.where(~bad | problems.notna(), f"{column}: not a non-empty text without control characters")
    ts = pd.to_datetime(events[TIMESTAMP].where(events[TIMESTAMP].map(lambda v: isinstance(v, str))), utc=True,
                        format="ISO8601", errors="coerce")
    problems = problems.where(ts.notna() | problems.notna(), "ts: not an ISO-8601 time")
    return events[problems.isna()], _errors(events, problems)


def _plain_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != "" and not any(ord(c) < 32 or ord(c) == 127 for c in value)


def _errors(events: pd.DataFrame, problems: pd.Series) -> pd.DataFrame:
    bad = problems.notna().to_numpy()
    ids = events[CUSTOMER_ID] if CUSTOMER_ID in events.columns else pd.Series(None, index=events.index)
    return pd.DataFrame({"row": np.flatnonzero(bad), "customer_id": pd.Series(
        [v if isinstance(v, str) else None for v in ids[bad]], dtype="object"), "error": problems[bad].to_list()})


def tokenize(events: pd.DataFrame, episodes: Any, source: str = "events") -> pd.DataFrame:
    """``customer_id``, ``ts`` (UTC timestamps) and ``token`` of each event, the tokens made as the pipeline
    makes them (``activity@channel``, then the abstraction map of ``episodes``), in time order.

    A ``token`` column is taken as is; otherwise ``activity`` and (optionally) ``channel`` are needed.

    Raises
    ------
    TriggerRulesError
        When ``customer_id``, ``ts`` or both ``token`` and ``activity`` are missing, or a ``ts`` does not
        parse; the message names ``source`` and the column.
    """
    missing = [c for c in (CUSTOMER_ID, TIMESTAMP) if c not in events.columns]
    if "token" not in events.columns and ACTIVITY not in events.columns:
        missing.append("token (or activity)")
    if missing:
        raise TriggerRulesError(f"{source}: missing column(s) {', '.join(missing)}")
    try:
        ts = pd.to_datetime(events[TIMESTAMP], utc=True, format="ISO8601")
    except (ValueError, TypeError) as error:
        raise TriggerRulesError(f"{source}: column ts: not ISO-8601 timestamps ({error})") from error
    frame = events.assign(**{TIMESTAMP: ts, CUSTOMER_ID: events[CUSTOMER_ID].astype(str)})
    if "token" not in frame.columns:
        has_channel = CHANNEL in frame.columns
        table = ibis.memtable(frame[[c for c in (ACTIVITY, CHANNEL) if c in frame.columns]].astype(str))
        frame["token"] = table.mutate(token=event_tokens(table, episodes, has_channel=has_channel)).to_pandas().token
    return frame[[CUSTOMER_ID, TIMESTAMP, "token"]].sort_values(TIMESTAMP, kind="stable", ignore_index=True)


def fire_rules(rule_set: RuleSet, events: pd.DataFrame, episodes: Any,
               attributes: dict[str, dict[str, Any]] | None = None, *, latest_only: bool = False,
               source: str = "events") -> pd.DataFrame:
    """The triggers a rule set fires on a batch of events (its frequency cap applied).

    Parameters
    ----------
    rule_set
        From :func:`parcours.triggers.rules.load_rule_set`.
    events
        ``customer_id``, ``ts`` and ``token``, or ``activity`` (and ``channel``).
    episodes
        The episode settings whose abstraction map made the rules' tokens.
    attributes
        Customer attributes for the rules' conditions.
    latest_only
        Only the triggers each customer's latest event fires: what fires *now*, when ``events`` are a
        customer's recent history.
    source
        Named in errors.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``rule_id``, ``journey_id``, ``matched_at``, ``fire_at`` (UTC timestamps),
        ``action_id`` and ``channel``, one row per trigger.
    """
    stream = tokenize(events, episodes, source)
    fired = match_events(rule_set.rules, stream, attributes, rule_set.frequency_cap)
    if latest_only and len(fired):
        latest = pd.Series(seconds_since_epoch(stream[TIMESTAMP])).groupby(stream[CUSTOMER_ID].to_numpy()).max()
        fired = fired[fired.matched_at.to_numpy() >= fired.customer_id.map(latest).to_numpy()]
    for column in ("matched_at", "fire_at"):
        fired[column] = pd.to_datetime(fired[column].round(6), unit="s", utc=True)
    return fired[list(FIRED_COLUMNS)].reset_index(drop=True)
