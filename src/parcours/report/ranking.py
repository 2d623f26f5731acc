"""The journey ranking: every discovered journey, ordered by the value at stake the marketer can trust.

A journey's *value at stake* is its customers × its effect on value (``journey_impact``), weighted
by the confidence of the estimate (1 − its q-value). Journeys whose estimate passed its overlap and
refutation checks are ranked by that weighted value; those whose estimate failed a check come next,
apart, as "not yet trustworthy"; journeys too small to estimate come last, by size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TRUSTED, UNTRUSTED, NOT_ESTIMATED = "trusted", "not yet trustworthy", "not estimated"
STATUS_ORDER = {TRUSTED: 0, UNTRUSTED: 1, NOT_ESTIMATED: 2}
RANKING_COLUMNS = (
    "rank", "journey_id", "name", "status", "value_at_stake", "effect", "ci_low", "ci_high", "n_customers",
    "weighted_value", "confidence", "value_at_stake_low", "value_at_stake_high", "std_error", "q_value", "finding",
    "n_treated", "n_instances", "share", "family_id", "family", "representative", "stops_at", "conversion_share",
    "conversion", "days_to_first_order", "best_rules", "published_rules", "reason",
)


class RankingInputError(ValueError):
    """An input table of the ranking lacks a column it needs."""


def rank_journeys(journeys: pd.DataFrame, impact: pd.DataFrame, timing: pd.DataFrame | None = None,
                  rules: pd.DataFrame | None = None, rules_per_journey: int = 3) -> pd.DataFrame:
    """Rank the discovered journeys by trustworthy, confidence-weighted value at stake.

    Parameters
    ----------
    journeys
        ``journeys.csv``: ``journey_id``, ``name``, ``n_instances``, ``n_customers``, ``share``,
        ``representative``.
    impact
        ``journey_impact.csv``: effect, interval, q-value, checks, value at stake, note.
    timing
        ``journey_timing.csv`` (``group`` = journey id): ``converted`` and ``conversion_p50_days``.
    rules
        ``trigger_rules.csv``: the candidate rules with their back-test; the published ones are named.
    rules_per_journey
        How many published rules to name per journey (by expected value).

    Returns
    -------
    pandas.DataFrame
        ``RANKING_COLUMNS``, one row per journey in rank order (``rank`` from 1).

    Raises
    ------
    RankingInputError
        When a table lacks a column the ranking reads.
    """
    _require(journeys, "journeys", ("journey_id", "name", "n_instances", "n_customers", "representative"))
    _require(impact, "journey_impact", ("journey_id", "effect", "ci_low", "ci_high", "q_value", "overlap_ok",
                                        "refutation_ok", "finding", "value_at_stake", "n_treated", "note"))
    journeys, impact = (t.astype({"journey_id": "int64"}) for t in (journeys, impact))  # empty: typed alike
    table = journeys.merge(impact.drop(columns=["name"], errors="ignore"), on="journey_id", how="left")
    table = table.assign(**_status(table), **_timing(table.journey_id, timing),
                         **_best_rules(table.journey_id, rules, rules_per_journey))
    table["confidence"] = (1.0 - table.q_value.astype(float)).clip(0.0, 1.0)
    table["weighted_value"] = table.value_at_stake.astype(float) * table.confidence
    order = pd.DataFrame({
        "status": table.status.map(STATUS_ORDER),
        "value": np.where(table.status == TRUSTED, -table.weighted_value.abs(),
                          np.where(table.status == UNTRUSTED, -table.value_at_stake.abs(), 0.0)),
        "size": -table.n_customers.astype(float), "id": table.journey_id,
    }).sort_values(["status", "value", "size", "id"], kind="stable").index
    ranked = table.loc[order].reset_index(drop=True)
    ranked["rank"] = np.arange(1, len(ranked) + 1)
    return ranked.reindex(columns=list(RANKING_COLUMNS))


def _require(table: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise RankingInputError(f"{name}: missing column(s) {', '.join(missing)} needed to rank the journeys")


def _status(table: pd.DataFrame) -> dict[str, pd.Series]:
    """``status`` and the ``reason`` a journey is not (yet) ranked among the trusted ones."""
    estimated = table.effect.notna()
    overlap, refuted = table.overlap_ok.fillna(False).astype(bool), table.refutation_ok.fillna(False).astype(bool)
    status = np.where(~estimated, NOT_ESTIMATED, np.where(overlap & refuted, TRUSTED, UNTRUSTED))
    reasons = []
    for has_effect, ok_overlap, ok_refutation, note in zip(estimated, overlap, refuted, table.note, strict=True):
        failed = ([] if ok_overlap else ["overlap or covariate balance"]) + (
            [] if ok_refutation else ["placebo or permutation refutation"])
        if not has_effect:
            reasons.append(str(note) if isinstance(note, str) and note else "no effect estimated")
        else:
            reasons.append(f"failed its {' and '.join(failed)} check" if failed else "")
    return {"status": pd.Series(status, index=table.index), "reason": pd.Series(reasons, index=table.index)}


def _timing(ids: pd.Series, timing: pd.DataFrame | None) -> dict[str, pd.Series]:
    """Share of the journey's instances with an order, and the median days to the first one."""
    if timing is None or timing.empty:
        return {"conversion": pd.Series(np.nan, index=ids.index),
                "days_to_first_order": pd.Series(np.nan, index=ids.index)}
    by_id = timing.assign(group=timing.group.astype(str)).set_index("group")
    keys = ids.astype(str)
    return {"conversion": keys.map(by_id.converted).astype(float),
            "days_to_first_order": keys.map(by_id.conversion_p50_days).astype(float)}


def _best_rules(ids: pd.Series, rules: pd.DataFrame | None, limit: int) -> dict[str, pd.Series]:
    """The best published rules of each journey, as one line: pattern → action (back-test precision, coverage)."""
    if rules is None or rules.empty:
        return {"best_rules": pd.Series("", index=ids.index), "published_rules": pd.Series(0, index=ids.index)}
    published = rules[rules.published.astype(bool)].copy()
    published["_order"] = -published.expected_value.abs().fillna(0.0)
    lines = {}
    for journey_id, group in published.sort_values(["journey_id", "_order", "rule_id"]).groupby("journey_id"):
        lines[journey_id] = "; ".join(_rule_line(r) for r in group.head(limit).itertuples())
    counts = published.groupby("journey_id").size()
    return {"best_rules": ids.map(lines).fillna(""), "published_rules": ids.map(counts).fillna(0).astype(int)}


def _rule_line(rule) -> str:
    action = rule.action_label if isinstance(rule.action_label, str) and rule.action_label else "no action in catalogue"
    return f"{rule.pattern} → {action} (precision {rule.precision:.2f}, coverage {rule.coverage:.2f})"
