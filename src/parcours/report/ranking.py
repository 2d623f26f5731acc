"""The journey ranking: every discovered journey, proven effects first, by the value at stake.

A journey is in one of three honest states (:mod:`parcours.impact.status`): a *proven* gain or loss,
*no clear effect*, or *not measured* (with the plain reason). Proven journeys come first, by the size
of their value at stake; then those with no clear effect, then those not measured, each by customers.

One count of customers per journey is used by every figure: ``n_customers``, the customers who went
through it. Its *value at stake* is that count × its effect per customer (the effect measured on the
``n_treated`` of them who entered it during the trial's window), so every money figure can be
recomputed from the two numbers shown beside it. A journey not measured has no effect and no value at
stake here; ``journey_impact.csv`` keeps the estimate whose checks failed, for the data scientist.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from parcours.impact.status import (
    NO_CLEAR_EFFECT,
    NOT_MEASURED,
    PROVEN,
    PROVEN_GAIN,
    PROVEN_LOSS,
    STATES,
    checked_reason,
    effect_status,
)
from parcours.report.words import rule_sentence
from parcours.schema import JOURNEY_ID

STATUS_ORDER = {PROVEN_GAIN: 0, PROVEN_LOSS: 0, NO_CLEAR_EFFECT: 1, NOT_MEASURED: 2}
RANKING_COLUMNS = (
    "rank", JOURNEY_ID, "name", "status", "n_customers", "effect", "ci_low", "ci_high", "value_at_stake",
    "value_at_stake_low", "value_at_stake_high", "reason", "n_treated", "std_error", "q_value", "finding",
    "n_instances", "share", "family_id", "family", "representative", "stops_at", "conversion_share",
    "conversion", "days_to_first_order", "best_rules", "published_rules",
)
ESTIMATE_COLUMNS = ("effect", "ci_low", "ci_high", "std_error", "q_value")


class RankingInputError(ValueError):
    """An input table of the ranking lacks a column it needs."""


def rank_journeys(journeys: pd.DataFrame, impact: pd.DataFrame, timing: pd.DataFrame | None = None,
                  rules: pd.DataFrame | None = None, rules_per_journey: int = 3) -> pd.DataFrame:
    """Rank the discovered journeys: proven effects by value at stake, then no clear effect, then not measured.

    Parameters
    ----------
    journeys
        ``journeys.csv``: ``journey_id``, ``name``, ``n_instances``, ``n_customers``, ``share``,
        ``representative``.
    impact
        ``journey_impact.csv``: effect, interval, q-value, checks, finding and the plain ``reason``.
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
    _require(journeys, "journeys", (JOURNEY_ID, "name", "n_instances", "n_customers", "representative"))
    _require(impact, "journey_impact", (JOURNEY_ID, "effect", "ci_low", "ci_high", "q_value", "overlap_ok",
                                        "refutation_ok", "finding", "n_treated"))
    journeys, impact = (t.astype({JOURNEY_ID: "int64"}) for t in (journeys, impact))  # empty: typed alike
    impact = impact.drop(columns=["name", "status", "value_at_stake", "value_at_stake_low", "value_at_stake_high"],
                         errors="ignore")
    table = journeys.merge(impact, on=JOURNEY_ID, how="left")
    table = table.assign(**_states(table), **_timing(table.journey_id, timing),
                         **_best_rules(table.journey_id, rules, rules_per_journey))
    order = pd.DataFrame({
        "status": table.status.map(STATUS_ORDER),
        "value": np.where(table.status.isin(PROVEN), -table.value_at_stake.abs(), 0.0),
        "size": -table.n_customers.astype(float), "id": table.journey_id,
    }).sort_values(["status", "value", "size", "id"], kind="stable").index
    ranked = table.loc[order].reset_index(drop=True)
    ranked["rank"] = np.arange(1, len(ranked) + 1)
    return ranked.reindex(columns=list(RANKING_COLUMNS))


def _require(table: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise RankingInputError(f"{name}: missing column(s) {', '.join(missing)} needed to rank the journeys")


def _states(table: pd.DataFrame) -> dict[str, pd.Series]:
    """``status``, ``reason``; the estimate blanked where not measured; value at stake = customers × effect."""
    status = effect_status(table)
    measured = status != NOT_MEASURED
    columns = {c: table[c].astype(float).where(measured) for c in ESTIMATE_COLUMNS}
    customers = table.n_customers.astype(float)
    for name, source in (("value_at_stake", "effect"), ("value_at_stake_low", "ci_low"),
                         ("value_at_stake_high", "ci_high")):
        columns[name] = customers * columns[source]
    given = table.reason.astype("object") if "reason" in table else pd.Series(None, index=table.index, dtype="object")
    reason = given.where(given.notna() & (given != ""), None)
    reason = reason.where(reason.notna() | table.effect.isna(), checked_reason(table))
    reason = reason.where(reason.notna(), "no effect was estimated for this journey")
    return {"status": status, "reason": reason.where(~status.isin(PROVEN), "").astype("object"),
            "finding": table.finding.fillna(False).astype(bool),
            "n_treated": table.n_treated.fillna(0).astype("int64"), **columns}


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
    """The best published rules of each journey (by expected value), as sentences (:func:`words.rule_sentence`)."""
    if rules is None or rules.empty:
        return {"best_rules": pd.Series("", index=ids.index), "published_rules": pd.Series(0, index=ids.index)}
    published = rules[rules.published.astype(bool)].copy()
    published["_order"] = -published.expected_value.abs().fillna(0.0)
    lines = {}
    for journey_id, group in published.sort_values([JOURNEY_ID, "_order", "rule_id"]).groupby(JOURNEY_ID):
        lines[journey_id] = " ".join(rule_sentence(r) for r in group.head(limit).itertuples())
    counts = published.groupby(JOURNEY_ID).size()
    return {"best_rules": ids.map(lines).fillna(""), "published_rules": ids.map(counts).fillna(0).astype(int)}


def ranking_problems(ranking: pd.DataFrame, journey_ids: pd.Series) -> list[str]:
    """What makes a ranking inconsistent; empty when it is one row per journey, ranked, in its state.

    Checked: ranks 1 … n; the journeys those of ``journey_ids``, once each; every state one of the three;
    proven before no clear effect before not measured; value at stake = customers × effect; no effect
    where not measured.
    """
    problems = []
    if ranking["rank"].tolist() != list(range(1, len(ranking) + 1)):
        problems.append("ranks do not run from 1 in order")
    if sorted(ranking.journey_id.tolist()) != sorted(journey_ids.tolist()):
        problems.append("the ranked journeys are not the discovered journeys, once each")
    order = ranking.status.map(STATUS_ORDER)
    if order.isna().any():
        problems.append(f"unknown states: {sorted(set(ranking.status[order.isna()].astype(str)))}")
    elif not order.is_monotonic_increasing:
        problems.append("states out of order: proven, then no clear effect, then not measured")
    stake = ranking.n_customers.astype(float) * ranking.effect.astype(float)
    off = ~np.isclose(ranking.value_at_stake.astype(float), stake, rtol=1e-9, equal_nan=True)
    if off.any():
        problems.append(f"value at stake is not customers × effect for journeys {ranking.journey_id[off].tolist()}")
    if ranking.effect[ranking.status == NOT_MEASURED].notna().any():
        problems.append("a journey not measured shows an effect")
    return problems


def run_description(ingest_summary: dict, ranking: pd.DataFrame, published_rules: int) -> str:
    """What a run read and found, in three lines of markdown: the input and its counts, the journeys by state, and
    the largest proven gain or loss with the rules published (the MLflow run's description).

    Examples
    --------
    >>> summary = {"sources": [{"path": "/data/events.csv"}], "clean": 6124, "customers": 399, "quarantined": 53}
    >>> ranking = pd.DataFrame({"name": ["buys once", "leaves"], "status": ["proven gain", "not measured"],
    ...                         "value_at_stake": [1250.0, float("nan")]})
    >>> print(run_description(summary, ranking, 1))
    **events.csv**: 6,124 events from 399 customers (53 rows quarantined).
    2 journeys: 1 proven gain, 0 proven loss, 0 no clear effect, 1 not measured.
    The largest proven: buys once (+1,250.00 at stake); 1 trigger rule published.
    """
    inputs = ", ".join(Path(str(s.get("path", ""))).name for s in ingest_summary.get("sources", [])) or "the input"
    first = (f"**{inputs}**: {ingest_summary['clean']:,} events from {ingest_summary['customers']:,} customers "
             f"({ingest_summary['quarantined']:,} rows quarantined).")
    counts = ranking.status.value_counts()
    states = ", ".join(f"{int(counts.get(state, 0))} {state}" for state in STATES)
    proven = ranking[ranking.status.isin(PROVEN)]
    if len(proven):
        biggest = proven.loc[proven.value_at_stake.abs().idxmax()]
        top = f"The largest proven: {biggest['name']} ({biggest.value_at_stake:+,.2f} at stake)"
    else:
        top = "None proven"
    rules = f"{published_rules} trigger rule{'' if published_rules == 1 else 's'} published"
    return f"{first}\n{len(ranking)} journeys: {states}.\n{top}; {rules}."
