"""Trigger rules end to end: mine on the earlier part of the journeys' period, back-test on the later part,
suggest actions, and publish the rules that pass as a validated, versioned rule set."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from parcours.schema import JOURNEY_ID, SECONDS_PER_DAY, VARIANT_SEPARATOR
from parcours.settings.sections import TriggerSettings
from parcours.triggers.actions import suggest_action
from parcours.triggers.backtest import Stream, annotate, attribute, rule_scores, rule_set_scores
from parcours.triggers.data import Chunk, TriggerData
from parcours.triggers.matcher import match_events, no_triggers
from parcours.triggers.mine import (
    HOUR,
    Candidate,
    candidate_rules,
    defining_steps_from,
    defining_times,
    most_frequent,
    pattern_counts,
    score_candidates,
    select_rules,
    tally_candidates,
)
from parcours.triggers.rules import Rule, Step, validate_rule_set

SEPARATOR = VARIANT_SEPARATOR
DAY = float(SECONDS_PER_DAY)


@dataclass
class TriggerRuleSet:
    """The published rule set (``document``, as in ``trigger_rules.json``), every rule mining kept with its
    scores and why it was or was not published (``table``, as in ``trigger_rules.csv``), the set's back-test,
    and whether it earns the registry's ``champion`` alias."""

    document: dict
    table: pd.DataFrame
    backtest: dict
    champion: bool
    params: dict = field(default_factory=dict)


def mine_trigger_rules(data: TriggerData, journeys: pd.DataFrame, impact: pd.DataFrame | None,
                       settings: TriggerSettings, max_window_s: float, version: str | None = None) -> TriggerRuleSet:
    """Mine, back-test and publish trigger rules.

    Parameters
    ----------
    data
        From :func:`trigger_data`.
    journeys
        ``journey_id``, ``name`` and ``representative`` (tokens joined by " → ").
    impact
        ``journey_id``, ``effect`` and ``finding`` (``journey_impact.csv``); ``None``: no effects known.
    settings
        Thresholds, pruning, caps and the action catalogue.
    max_window_s
        The longest a rule's window may be: the inactivity gap, so a match stays within one instance.
    version
        The rule set's version (e.g. the run id); default: from the time of creation.

    Returns
    -------
    TriggerRuleSet
    """
    effects = _effects(journeys, impact)
    eligible = _eligible(journeys, impact, settings)
    held, sizes = data.held_tokens()
    defining = defining_steps_from(held, sizes, eligible)
    patterns = _patterns(data, defining, settings)
    candidates = candidate_rules(patterns)
    tallies: dict = {}
    for chunk in data.chunks():
        early = chunk.instances[chunk.instances.start < data.cut]
        steps = chunk.steps[chunk.steps.journey_instance_id.isin(early.journey_instance_id)]
        tally_candidates(candidates, steps, early, defining, tallies)
    kept = select_rules(score_candidates(candidates, tallies, sizes, settings, max_window_s), settings)
    rules, suggestions = _rules(kept, journeys, effects, settings)
    targets = {rule.rule_id: s.target_step for rule, s in zip(rules, suggestions, strict=True)}
    replay = _replay(data, rules, defining, targets, settings)
    scores = rule_scores(replay.triggers, replay.sizes)
    table = _table(kept, rules, suggestions, scores, defining, effects, settings)
    published = [r for r in rules if table.set_index("rule_id").published[r.rule_id]]
    backtest = _set_backtest(published, replay)
    champion = bool(published) and _set_passes(backtest["capped"], settings)
    created = datetime.now(UTC).replace(microsecond=0)
    document = _document(published, table, {**backtest, "passed": champion, "cut": data.cut}, settings,
                         version or f"parcours-{created:%Y%m%dT%H%M%SZ}", created)
    validate_rule_set(document, "trigger_rules.json (as published)")
    params = {"cut": datetime.fromtimestamp(data.cut, UTC).isoformat(), "eligible_journeys": len(eligible),
              "mining_instances": int(sizes.sum()), "candidates": sum(map(len, patterns.values())),
              "kept": len(kept), "published": len(published), "customer_groups": data.groups}
    return TriggerRuleSet(document, table, backtest, champion, params)


def _patterns(data: TriggerData, defining: dict[int, str], settings: TriggerSettings) -> dict[int, list[tuple]]:
    """Each eligible journey's candidate patterns, counted over the distinct beginnings of its mining-period
    instances."""
    counts = {k: Counter() for k in defining}
    heads = data.heads(list(defining), settings.max_entry_steps)
    for k, rows in heads.groupby(JOURNEY_ID):
        counts[int(k)] = pattern_counts(rows.tokens, defining[int(k)], settings, weights=rows.instances)
    return {k: most_frequent(c, settings) for k, c in counts.items()}


@dataclass
class _Replay:
    """The back-test period replayed group by group: every kept rule's triggers, annotated, the published
    set's triggers without and with the global frequency cap (filled by :func:`_set_backtest`), the stream and
    the journeys' instances after the cut."""

    triggers: pd.DataFrame
    sizes: pd.Series
    stream: Stream
    data: TriggerData
    defining: dict
    settings: TriggerSettings


def _replay(data: TriggerData, rules: list[Rule], defining: dict, targets: dict, settings: TriggerSettings) -> _Replay:
    parts, sizes, stream = [], [], Stream()
    for chunk in data.chunks():
        events = chunk.stream(data.cut)
        stream = stream.plus(Stream.of(events))
        sizes.append(chunk.instances.journey_id[chunk.instances.start >= data.cut].value_counts())
        parts.append(_annotated(match_events(rules, events), chunk, defining, data.cut, targets))
    later = pd.concat(sizes).groupby(level=0).sum() if sizes else pd.Series(dtype="int64")
    return _Replay(pd.concat(parts, ignore_index=True), later, stream, data, defining, settings)


def _annotated(fired: pd.DataFrame, chunk: Chunk, defining: dict, cut: float, targets: dict) -> pd.DataFrame:
    reached = defining_times(chunk.steps, chunk.instances, defining)
    return annotate(attribute(fired, chunk.instances), chunk.instances, reached, cut, chunk.steps, targets)


def _effects(journeys: pd.DataFrame, impact: pd.DataFrame | None) -> dict[int, float]:
    if impact is None:
        return {}
    return {int(k): float(v) for k, v in impact.set_index(JOURNEY_ID).effect.dropna().items()}


def _eligible(journeys: pd.DataFrame, impact: pd.DataFrame | None, settings: TriggerSettings) -> list[int]:
    """The journeys that get rules (``settings.journeys``): findings, estimated effects, or all."""
    ids = [int(j) for j in journeys.journey_id if j >= 0]
    if settings.journeys == "all":
        return ids
    if impact is None:
        return []
    rows = impact.set_index(JOURNEY_ID)
    chosen = rows.effect.notna() if settings.journeys == "estimated" else rows.finding.fillna(False).astype(bool)
    return [j for j in ids if j in rows.index and chosen[j]]


def _rules(kept: list[Candidate], journeys: pd.DataFrame, effects: dict, settings: TriggerSettings) -> tuple:
    named = journeys.set_index(JOURNEY_ID)
    rules, suggestions, count = [], [], {}
    for candidate in kept:
        k = candidate.journey_id
        count[k] = count.get(k, 0) + 1
        path = str(named["representative"].get(k, "")).split(SEPARATOR)
        suggestion = suggest_action(candidate.pattern, path, effects.get(k), settings.actions)
        rules.append(Rule(f"j{k}-r{count[k]}", k, tuple(Step(t) for t in candidate.pattern),
                          candidate.scores["window_s"], suggestion.delay_s, settings.cap_per_customer,
                          suggestion.action, journey_name=str(named["name"].get(k, ""))))
        suggestions.append(suggestion)
    return rules, suggestions


def _table(kept: list[Candidate], rules: list[Rule], suggestions: list, scores: pd.DataFrame, defining: dict,
           effects: dict, settings: TriggerSettings) -> pd.DataFrame:
    """One row per rule mining kept: its mining and back-test scores, whether it is published and why not."""
    tested = scores.set_index("rule_id")
    rows = []
    for candidate, rule, suggestion in zip(kept, rules, suggestions, strict=True):
        test = tested.loc[rule.rule_id].to_dict() if rule.rule_id in tested.index else {"triggers": 0}
        effect = effects.get(rule.journey_id, np.nan)
        row = {"rule_id": rule.rule_id, JOURNEY_ID: rule.journey_id, "journey_name": rule.journey_name,
               "pattern": SEPARATOR.join(candidate.pattern), "window_h": rule.window_s / HOUR,
               "action_id": (rule.action or {}).get("action_id"), "action_label": (rule.action or {}).get("label"),
               "channel": (rule.action or {}).get("channel"), "action_note": suggestion.note,
               "delay_h": rule.delay_s / HOUR, "defining_step": defining[rule.journey_id],
               "target_step": suggestion.target_step, "effect": effect,
               **{f"mining_{k}": candidate.scores[k] for k in ("precision", "recall", "support", "lead_time_s")},
               **{k: test.get(k, np.nan) for k in BACKTEST_SCORES}}
        row["expected_value"] = (row["support"] or 0) * effect
        row["reason"] = _rejection(row, settings)
        row["published"] = row["reason"] == ""
        rows.append(row)
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS).astype({"triggers": "Int64", "support": "Int64"})
    return table.sort_values(["published", "expected_value"], ascending=[False, False], key=_by_size,
                             ignore_index=True)


BACKTEST_SCORES = ("triggers", "precision", "coverage", "support", "lead_time_s", "target_lead_time_s")
TABLE_COLUMNS = ["rule_id", JOURNEY_ID, "journey_name", "pattern", "window_h", "action_id", "action_label",
                 "channel", "action_note", "delay_h", "defining_step", "target_step", "effect", "mining_precision",
                 "mining_recall", "mining_support", "mining_lead_time_s", "triggers", "precision", "coverage",
                 "support", "lead_time_s", "target_lead_time_s", "expected_value", "published", "reason"]


def _by_size(column: pd.Series) -> pd.Series:
    return column.abs() if column.name == "expected_value" else column


def _rejection(row: dict, settings: TriggerSettings) -> str:
    """Why the back-test keeps a rule from being published ("" when it passes)."""
    failed = []
    if not row["triggers"]:
        return "never fired in the back-test"
    if not row["precision"] >= settings.min_precision:
        failed.append(f"precision {row['precision']:.2f} < {settings.min_precision}")
    if not row["coverage"] >= settings.min_recall:
        failed.append(f"coverage {row['coverage']:.2f} < {settings.min_recall}")
    if row["support"] < settings.privacy_floor:
        failed.append(f"support {row['support']} customers < privacy floor {settings.privacy_floor}")
    if not row["lead_time_s"] >= settings.min_lead_time_hours * HOUR:
        failed.append(f"lead time below {settings.min_lead_time_hours} h")
    return "; ".join(failed)


def _set_backtest(published: list[Rule], replay: _Replay) -> dict:
    """The published set replayed without and with the global frequency cap. Without it, rules do not interact
    (a matcher's state and caps are each rule's own), so the set's triggers are its rules' from the replay; with
    it, the set is matched again, group by group."""
    settings, data = replay.settings, replay.data
    journeys = sorted({r.journey_id for r in published})
    ids = {r.rule_id for r in published}
    result = {"uncapped": rule_set_scores(replay.triggers[replay.triggers.rule_id.isin(ids)], replay.sizes,
                                          replay.stream, data.cut, journeys) | {"held_back_by_cap": 0}}
    cap = (settings.frequency_cap, settings.frequency_cap_days * DAY)
    parts, held_back = [], 0
    for chunk in data.chunks() if published else ():
        events = chunk.stream(data.cut)
        fired = match_events(published, events, frequency_cap=cap)
        held_back += fired.attrs["capped"]
        parts.append(_annotated(fired, chunk, replay.defining, data.cut, {}))
    triggers = pd.concat(parts, ignore_index=True) if parts else annotate(
        attribute(no_triggers(), _NO_INSTANCES), _NO_INSTANCES, {}, data.cut, _NO_STEPS)
    result["capped"] = rule_set_scores(triggers, replay.sizes, replay.stream, data.cut, journeys)
    result["capped"]["held_back_by_cap"] = held_back
    return result


_NO_INSTANCES = pd.DataFrame({"customer_id": pd.Series([], dtype="int64"),
                              "journey_instance_id": pd.Series([], dtype="int64"), "start": pd.Series([], dtype=float),
                              "end": pd.Series([], dtype=float), JOURNEY_ID: pd.Series([], dtype="int64")})
_NO_STEPS = pd.DataFrame({"journey_instance_id": pd.Series([], dtype="int64"), "ts": pd.Series([], dtype=float),
                          "token": pd.Series([], dtype=str)})


def _set_passes(scores: dict, settings: TriggerSettings) -> bool:
    return bool(scores["precision"] >= settings.min_precision and scores["coverage"] >= settings.min_recall
                and scores["triggers_per_customer_week"] <= settings.max_triggers_per_customer_week)


def _document(published: list[Rule], table: pd.DataFrame, backtest: dict, settings: TriggerSettings,
              version: str, created: datetime) -> dict:
    rows = table.set_index("rule_id")
    rules = []
    for rule in published:
        row = rows.loc[rule.rule_id]
        evidence = {"defining_step": row.defining_step, "target_step": row.target_step, "effect": row.effect,
                    "expected_value": row.expected_value,
                    "mining": {k: row[f"mining_{k}"] for k in ("precision", "recall", "support", "lead_time_s")},
                    "backtest": {k: row[k] for k in BACKTEST_SCORES}}
        rules.append({"rule_id": rule.rule_id, JOURNEY_ID: rule.journey_id, "journey_name": rule.journey_name,
                      "pattern": [{"token": s.token} for s in rule.pattern], "window_s": rule.window_s,
                      "conditions": [], "action": rule.action, "action_note": row.action_note,
                      "delay_s": rule.delay_s, "cap_per_customer": rule.cap_per_customer,
                      "evidence": _plain(evidence)})
    rules.sort(key=lambda r: -abs(r["evidence"]["expected_value"] or 0))
    return {"schema_version": 1, "rule_set_version": version, "created_at": created.isoformat(),
            "frequency_cap": {"max_triggers": settings.frequency_cap, "period_s": settings.frequency_cap_days * DAY},
            "backtest": _plain(backtest), "rules": rules}


def _plain(value):
    """JSON-ready: numpy scalars to Python, NaN to None."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
