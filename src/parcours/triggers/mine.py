"""Mining entry rules: candidate patterns from the first steps of each journey's instances, scored on instances.

A journey's *defining step* is its most telling token: among the tokens at least half its instances
hold, the one whose instances most often belong to the journey. Candidate entry patterns are the
ordered sub-sequences of each instance's first steps, up to that defining step. Every candidate is
run through the real matcher (:class:`parcours.triggers.Matcher`) over every instance of the mining
period, so the precision it claims is the share of *matching instances*, of any journey, that are
instances of its journey; recall the share of the journey's instances it matches; lead time the
median time from the match to the defining step; support the distinct customers it catches.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd

from parcours.schema import JOURNEY_ID
from parcours.settings.sections import TriggerSettings
from parcours.triggers.matcher import match_events
from parcours.triggers.rules import Rule, Step

HOUR = 3_600.0
CANDIDATE_COLUMNS = ("rule_id", JOURNEY_ID, "pattern", "matched", "true_matches", "precision", "recall", "support",
                     "lead_time_s", "window_s")


@dataclass(frozen=True, eq=False)
class Candidate:
    """A scored candidate rule: its journey, its pattern and the instances of its journey it matched (a sorted
    array of instance codes)."""

    journey_id: int
    pattern: tuple[str, ...]
    scores: dict
    instances: np.ndarray | frozenset


def defining_steps(instances: pd.DataFrame, journey_ids: list[int], min_recall: float = 0.5) -> dict[int, str]:
    """Each journey's most telling token, from instances in pandas (see :func:`defining_steps_from`).

    Parameters
    ----------
    instances
        ``journey_instance_id``, ``journey_id`` and ``tokens`` (a list per instance).
    journey_ids
        The journeys to find it for.
    min_recall
        The token must be in at least this share of the journey's instances.
    """
    held = instances[["journey_instance_id", JOURNEY_ID, "tokens"]].explode("tokens").drop_duplicates()
    held = held.dropna(subset=["tokens"]).groupby([JOURNEY_ID, "tokens"]).size().rename("instances").reset_index()
    return defining_steps_from(held, instances.journey_id.value_counts(), journey_ids, min_recall)


def defining_steps_from(held: pd.DataFrame, sizes: pd.Series, journey_ids: list[int],
                        min_recall: float = 0.5) -> dict[int, str]:
    """Each journey's most telling token.

    Parameters
    ----------
    held
        ``journey_id``, ``tokens`` and ``instances``: how many instances of the journey hold the token.
    sizes
        Journey id → its number of instances.
    journey_ids
        The journeys to find it for.
    min_recall
        The token must be in at least this share of the journey's instances.

    Returns
    -------
    dict
        Journey id → the token with the highest precision (share of the instances holding it that are the
        journey's) among those in ``min_recall`` of its instances (ties: the more frequent, then the first
        by name), or its most frequent token when none reaches ``min_recall``.
    """
    everywhere = held.groupby("tokens").instances.sum()
    steps = {}
    for journey in journey_ids:
        counts = held.loc[held.journey_id == journey].set_index("tokens").instances
        if counts.empty:
            continue
        scores = pd.DataFrame({"recall": counts / sizes[journey], "precision": counts / everywhere[counts.index],
                               "token": counts.index}, index=counts.index)
        frequent = scores[scores.recall >= min_recall]
        chosen = (frequent.sort_values(["precision", "recall", "token"], ascending=[False, False, True])
                  if len(frequent) else scores.sort_values(["recall", "token"], ascending=[False, True]))
        steps[journey] = str(chosen.index[0])
    return steps


def pattern_counts(token_lists, defining: str, settings: TriggerSettings, weights=None) -> Counter:
    """How many instances hold each ordered sub-sequence of their first steps, up to the defining step.

    Each instance counts once per pattern; patterns are at most ``max_pattern_length`` long, taken from
    at most ``max_entry_steps`` first steps. ``weights``: how many instances each token list stands for
    (default one each), so distinct beginnings are expanded once.
    """
    counts: Counter = Counter()
    for tokens, weight in zip(token_lists, weights if weights is not None else itertools.repeat(1), strict=False):
        tokens = list(tokens)
        head = (tokens[: tokens.index(defining) + 1] if defining in tokens else tokens)[: settings.max_entry_steps]
        for pattern in {tuple(head[i] for i in chosen) for length in range(1, min(settings.max_pattern_length,
                                                                                   len(head)) + 1)
                        for chosen in combinations(range(len(head)), length)}:
            counts[pattern] += int(weight)
    return counts


def most_frequent(counts: Counter, settings: TriggerSettings) -> list[tuple]:
    """The ``candidates_per_journey`` most frequent patterns (ties: in pattern order, so chunking changes nothing)."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [pattern for pattern, _ in ranked[: settings.candidates_per_journey]]


def candidate_patterns(token_lists: list[list[str]], defining: str, settings: TriggerSettings) -> list[tuple]:
    """The most frequent ordered sub-sequences of the instances' first steps, up to the defining step
    (:func:`pattern_counts`, then :func:`most_frequent`)."""
    return most_frequent(pattern_counts(token_lists, defining, settings), settings)


def candidate_rules(patterns: dict[int, list[tuple]]) -> list[Rule]:
    """One rule per candidate pattern (no window, delay or action yet), ``c0``, ``c1``, ..."""
    return [Rule(f"c{i}", journey, tuple(Step(t) for t in pattern), None, 0.0, 1, None)
            for i, (journey, pattern) in enumerate((j, p) for j, ps in patterns.items() for p in ps)]


@dataclass
class Tally:
    """A candidate's matches over the groups of customers seen so far: matched instances, true matches'
    instances, customers, lead times to the defining step and pattern spans."""

    matched: int = 0
    customers: int = 0
    instances: list = field(default_factory=list)
    leads: list = field(default_factory=list)
    spans: list = field(default_factory=list)


def tally_candidates(rules: list[Rule], steps: pd.DataFrame, instances: pd.DataFrame, defining: dict[int, str],
                     tallies: dict[str, Tally]) -> None:
    """Run every candidate through the matcher over one group of customers' instances, adding to ``tallies``.

    Parameters
    ----------
    rules
        From :func:`candidate_rules`.
    steps
        The group's mining-period events: ``journey_instance_id``, ``ts`` (seconds) and ``token``, in time order.
    instances
        ``journey_instance_id``, ``customer_id`` and ``journey_id`` of the group's mining-period instances.
    defining
        Journey id → its defining step.
    tallies
        Rule id → its :class:`Tally`, updated in place (a customer is in one group only, so counts add up).
    """
    fires = match_events(rules, steps[["journey_instance_id", "ts", "token"]].rename(
        columns={"journey_instance_id": "customer_id"}))
    fires = fires.rename(columns={"customer_id": "journey_instance_id"}).merge(
        instances[["journey_instance_id", "customer_id", JOURNEY_ID]].rename(columns={JOURNEY_ID: "truth"}),
        on="journey_instance_id")
    index = {rule.rule_id: i for i, rule in enumerate(rules)}
    journey = np.array([rule.journey_id for rule in rules], dtype=np.int64)
    codes, named = pd.factorize(fires.rule_id)
    rule = np.array([index[r] for r in named], dtype=np.int64)[codes] if len(fires) else np.zeros(0, np.int64)
    matched = np.bincount(rule, minlength=len(rules))
    true = fires[fires.truth.to_numpy() == journey[rule]].assign(_rule=rule[fires.truth.to_numpy() == journey[rule]])
    first = defining_times(steps, instances, defining)
    if first:  # when each true match's instance reaches its journey's defining step
        reached = pd.concat(first, names=["truth"]).rename("reached").reset_index().astype({"truth": "int64"})
        true = true.merge(reached, on=["truth", "journey_instance_id"], how="left")
    else:
        true = true.assign(reached=np.nan)
    true = true.sort_values("_rule", kind="stable")
    bounds = np.cumsum(np.bincount(true._rule.to_numpy(), minlength=len(rules)))[:-1]
    customers = np.bincount(true.drop_duplicates(["_rule", "customer_id"])._rule.to_numpy(), minlength=len(rules))
    parts = [np.split(values, bounds) for values in (
        true.journey_instance_id.to_numpy(), (true.reached - true.matched_at).to_numpy(dtype=float),
        (true.matched_at - true.started_at).to_numpy(dtype=float))]
    for i, candidate in enumerate(rules):
        tally = tallies.setdefault(candidate.rule_id, Tally())
        tally.matched += int(matched[i])
        tally.customers += int(customers[i])
        tally.instances.append(parts[0][i])
        tally.leads.append(parts[1][i])
        tally.spans.append(parts[2][i])


def score_candidates(rules: list[Rule], tallies: dict[str, Tally], sizes: pd.Series, settings: TriggerSettings,
                     max_window_s: float) -> list[Candidate]:
    """Each candidate's scores from its tally over every group: precision is the share of matching instances,
    of any journey, that are its journey's; recall the share of its journey's instances it matches; support the
    distinct customers it catches; lead time the median time from the match to the defining step; the window
    ``window_quantile`` of its pattern's span (between an hour and ``max_window_s``, the inactivity gap, so a
    match never spans two instances).

    Parameters
    ----------
    sizes
        Journey id → its instances in the mining period.
    """
    candidates = []
    for rule in rules:
        tally = tallies.get(rule.rule_id, Tally())
        true = np.sort(np.concatenate(tally.instances)) if tally.instances else np.array([], dtype=np.int64)
        lead = np.concatenate(tally.leads) if tally.leads else np.array([])
        span = np.concatenate(tally.spans) if tally.spans else np.array([])
        window = (float(np.clip(np.quantile(span, settings.window_quantile), HOUR, max_window_s))
                  if len(span) else max_window_s)
        scores = {"matched": tally.matched, "true_matches": len(true),
                  "precision": len(true) / tally.matched if tally.matched else 0.0,
                  "recall": len(true) / sizes.get(rule.journey_id, 1), "support": tally.customers,
                  "lead_time_s": float(np.nanmedian(lead)) if np.isfinite(lead).any() else np.nan,
                  "window_s": window}
        candidates.append(Candidate(rule.journey_id, tuple(s.token for s in rule.pattern), scores, true))
    return candidates


def defining_times(steps: pd.DataFrame, instances: pd.DataFrame, defining: dict[int, str]) -> dict[int, pd.Series]:
    """Journey id → per instance of it, when its defining step first happens (seconds)."""
    journey_of = instances.set_index("journey_instance_id").journey_id
    first = steps.assign(journey_id=steps.journey_instance_id.map(journey_of))
    if isinstance(first.token.dtype, pd.CategoricalDtype):  # compare codes, not strings
        code_of = {t: c for c, t in enumerate(first.token.cat.categories)}
        wanted = first.journey_id.map({j: code_of.get(t, -2) for j, t in defining.items()}).fillna(-2).to_numpy()
        first = first[first.token.cat.codes.to_numpy() == wanted]
    else:
        first = first[first.token.to_numpy(dtype=object) == first.journey_id.map(defining).to_numpy(dtype=object)]
    first = first.groupby([JOURNEY_ID, "journey_instance_id"]).ts.min()
    return {int(j): first.loc[j] for j in first.index.get_level_values(0).unique()}


def select_rules(candidates: list[Candidate], settings: TriggerSettings) -> list[Candidate]:
    """The candidates meeting the thresholds, pruned of redundant and overlapping ones.

    Per journey, by F1 (then lead time), a candidate is kept unless the journey already has
    ``max_rules_per_journey``, its matched instances overlap a kept rule's by ``max_overlap``
    (Jaccard) or more, or its pattern is a sub- or super-sequence of a kept rule's without being
    ``min_precision_gain`` more precise. A pattern kept for one journey is not reused by another.
    """
    passing = [c for c in candidates if _meets_thresholds(c.scores, settings)]
    passing.sort(key=lambda c: (-_f1(c.scores), -np.nan_to_num(c.scores["lead_time_s"], nan=-np.inf), c.pattern))
    kept: list[Candidate] = []
    for candidate in passing:
        mine = [k for k in kept if k.journey_id == candidate.journey_id]
        if len(mine) >= settings.max_rules_per_journey or any(k.pattern == candidate.pattern for k in kept):
            continue
        if any(_jaccard(candidate.instances, k.instances) >= settings.max_overlap or _redundant(candidate, k, settings)
               for k in mine):
            continue
        kept.append(candidate)
    return kept


def _meets_thresholds(scores: dict, settings: TriggerSettings) -> bool:
    lead = scores["lead_time_s"]
    return (scores["precision"] >= settings.min_precision and scores["recall"] >= settings.min_recall
            and scores["support"] >= max(settings.min_support, settings.privacy_floor)
            and np.isfinite(lead) and lead >= settings.min_lead_time_hours * HOUR)


def _f1(scores: dict) -> float:
    p, r = scores["precision"], scores["recall"]
    return 2 * p * r / (p + r) if p + r else 0.0


def _jaccard(a, b) -> float:
    """Overlap of two sets of instances (sorted arrays of distinct codes, or sets)."""
    a, b = _as_array(a), _as_array(b)
    both = len(np.intersect1d(a, b, assume_unique=True))
    either = len(a) + len(b) - both
    return both / either if either else 1.0


def _as_array(instances) -> np.ndarray:
    return instances if isinstance(instances, np.ndarray) else np.array(sorted(instances))


def _redundant(candidate: Candidate, kept: Candidate, settings: TriggerSettings) -> bool:
    """A sub- or super-sequence of a kept pattern that is not clearly more precise."""
    related = _is_subsequence(candidate.pattern, kept.pattern) or _is_subsequence(kept.pattern, candidate.pattern)
    return related and candidate.scores["precision"] < kept.scores["precision"] + settings.min_precision_gain


def _is_subsequence(short: tuple, long: tuple) -> bool:
    remaining = iter(long)
    return all(token in remaining for token in short)
