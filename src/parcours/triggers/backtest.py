"""The out-of-time back-test: replay rules on the events after the mining period, as a live stream would.

Every trigger is attributed to the journey instance the customer was in when it matched. It is a
true trigger when that instance belongs to the rule's journey. Per rule: precision (true triggers /
triggers), coverage (the journey's instances starting after the cut that got a true trigger),
lead time (median time from the trigger to the journey's defining step), support (distinct customers
with a true trigger). For the rule set: the same pooled, the triggers per active customer per week,
and what the global frequency cap held back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd

from parcours.schema import JOURNEY_ID

WEEK = 7 * 86_400.0


def attribute(triggers: pd.DataFrame, instances: pd.DataFrame) -> pd.DataFrame:
    """Each trigger with the instance its customer was in when it matched (``journey_instance_id``,
    ``truth`` its journey; -2 when the match fell outside every instance)."""
    if triggers.empty:
        return triggers.assign(journey_instance_id=pd.Series([], dtype="str"), truth=pd.Series([], dtype="int64"))
    spans = instances[["customer_id", "journey_instance_id", "start", "end", JOURNEY_ID]].sort_values("start")
    ordered = triggers.assign(_row=np.arange(len(triggers))).sort_values("matched_at")
    joined = pd.merge_asof(ordered, spans.rename(columns={JOURNEY_ID: "truth"}), left_on="matched_at",
                           right_on="start", by="customer_id", direction="backward")
    outside = joined.end.isna() | (joined.matched_at > joined.end)
    joined.loc[outside, ["journey_instance_id", "truth"]] = [None, -2]
    return joined.sort_values("_row").drop(columns=["_row", "start", "end"]).astype({"truth": "int64"})


def annotate(attributed: pd.DataFrame, instances: pd.DataFrame, reached: dict[int, pd.Series], cut: float,
             steps: pd.DataFrame, targets: dict[str, str | None] | None = None) -> pd.DataFrame:
    """Each attributed trigger of one group of customers with what its scores need, so the triggers of all
    groups can be scored together without the events: ``true`` (its instance is of the rule's journey),
    ``later`` (that instance started after the cut), ``lead_s`` (time to the journey's defining step) and
    ``target_wait_s`` (time to its action's target step, :func:`waits_to_targets`).

    Parameters
    ----------
    attributed
        From :func:`attribute`.
    instances
        The group's instances (``journey_instance_id``, ``start``).
    reached
        Journey id → per instance, when its defining step first happens.
    cut
        Start of the back-test period (seconds).
    steps
        The group's events (``journey_instance_id``, ``ts``, ``token``).
    targets
        Rule id → the step its action aims at (``None``: no action); default: none.
    """
    attributed = attributed.reset_index(drop=True)
    true = attributed.truth.to_numpy() == attributed.journey_id.to_numpy()
    starts = instances.set_index("journey_instance_id").start
    later = attributed.journey_instance_id.map(starts).to_numpy(dtype=float) >= cut
    lead = np.full(len(attributed), np.nan)
    for journey, rows in attributed[true].groupby(JOURNEY_ID, sort=False).groups.items():
        at = reached.get(journey, pd.Series(dtype=float)).reindex(attributed.journey_instance_id[rows]).to_numpy()
        lead[rows] = at - attributed.matched_at[rows].to_numpy()
    return attributed.assign(true=true, later=later & true, lead_s=lead,
                             target_wait_s=waits_to_targets(attributed, steps, targets or {}))


def rule_scores(annotated: pd.DataFrame, sizes: pd.Series) -> pd.DataFrame:
    """Per rule: ``triggers``, ``true_triggers``, ``precision``, ``coverage``, ``support``, ``lead_time_s`` and
    ``target_lead_time_s``.

    Parameters
    ----------
    annotated
        From :func:`annotate`, the triggers of every group of customers.
    sizes
        Journey id → its instances starting after the cut.
    """
    rows = []
    for (rule_id, journey), fired in annotated.groupby(["rule_id", JOURNEY_ID], sort=False):
        waits = fired.target_wait_s[fired.true].to_numpy()
        rows.append({"rule_id": rule_id, **_scores(fired, journey, sizes),
                     "target_lead_time_s": float(np.nanmedian(waits)) if np.isfinite(waits).any() else np.nan})
    columns = ["rule_id", "triggers", "true_triggers", "precision", "coverage", "support", "lead_time_s",
               "target_lead_time_s"]
    return pd.DataFrame(rows, columns=columns)


def _scores(fired: pd.DataFrame, journey, sizes: pd.Series) -> dict:
    """The scores of triggers meant for one journey (one rule's, or all of its rules' pooled)."""
    true = fired[fired.true]
    caught = true.journey_instance_id[true.later].nunique()
    lead = true.lead_s.to_numpy()
    return {"triggers": len(fired), "true_triggers": len(true),
            "precision": len(true) / len(fired) if len(fired) else np.nan,
            "coverage": caught / sizes[journey] if sizes.get(journey, 0) else np.nan,
            "support": int(true.customer_id.nunique()),
            "lead_time_s": float(np.nanmedian(lead)) if np.isfinite(lead).any() else np.nan}


@dataclass(frozen=True)
class Stream:
    """What the set's back-test needs of the events after the cut: the last event's time and the active
    customers; streams of separate groups of customers add up (:meth:`plus`)."""

    last: float = -np.inf
    active: int = 0

    @classmethod
    def of(cls, events: pd.DataFrame) -> Stream:
        """From events (``customer_id``, ``ts`` seconds)."""
        return cls(float(events.ts.max()) if len(events) else -np.inf, int(events.customer_id.nunique()))

    def plus(self, other: Stream) -> Stream:
        return Stream(max(self.last, other.last), self.active + other.active)


def rule_set_scores(annotated: pd.DataFrame, sizes: pd.Series, stream: Stream, cut: float,
                    journeys: list[int]) -> dict:
    """The rule set as a whole: pooled precision, coverage of the ruled journeys' instances, triggers per
    active customer per week, and the largest number of triggers one customer got in a week.

    Parameters
    ----------
    annotated
        From :func:`annotate`, the set's triggers over every group of customers.
    sizes
        Journey id → its instances starting after the cut.
    stream
        The events after the cut, summarised.
    cut
        Start of the back-test period (seconds).
    journeys
        The journeys the set has rules for.
    """
    later = int(sizes.reindex(journeys).fillna(0).sum())
    true = annotated[annotated.true]
    caught = true.journey_instance_id[true.later].nunique()
    weeks = max((stream.last - cut) / WEEK, 1 / 7) if stream.active else np.nan
    return {"triggers": len(annotated), "true_triggers": len(true),
            "precision": len(true) / len(annotated) if len(annotated) else np.nan,
            "coverage": caught / later if later else np.nan,
            "active_customers": stream.active, "weeks": float(weeks),
            "triggers_per_customer_week": len(annotated) / stream.active / weeks if stream.active else np.nan,
            "max_triggers_in_a_week": _max_in_a_week(annotated)}


def _max_in_a_week(triggers: pd.DataFrame) -> int:
    """The most triggers any customer got within 7 days."""
    if triggers.empty:
        return 0
    customer = pd.factorize(triggers.customer_id)[0]
    order = np.lexsort((triggers.fire_at.to_numpy(), customer))
    return int(_most_within(customer[order], triggers.fire_at.to_numpy(dtype=np.float64)[order], WEEK))


@numba.njit(cache=True)
def _most_within(customer, t, period):  # pragma: no cover - compiled
    """Over events sorted by customer then time: the most of one customer's within ``period`` of each other."""
    most, j = 0, 0
    for i in range(len(t)):
        if j < i:
            j = i
        while j < len(t) and customer[j] == customer[i] and t[j] < t[i] + period:
            j += 1
        most = max(most, j - i)
    return most


def waits_to_targets(attributed: pd.DataFrame, steps: pd.DataFrame, targets: dict[str, str | None]) -> np.ndarray:
    """Per trigger: the time from a true trigger to its action's target step, the first such step after the
    trigger in the same instance (NaN when the trigger is not true, has no target, or its instance never reaches
    it): how long the action has.

    Parameters
    ----------
    attributed
        From :func:`attribute`.
    steps
        The events with ``journey_instance_id``, ``ts`` (seconds) and ``token``.
    targets
        Rule id → the step its action nudges towards or intervenes before (``None``: no action).
    """
    waits = np.full(len(attributed), np.nan)
    if attributed.empty:
        return waits
    true = attributed.assign(_row=np.arange(len(attributed)),
                             target=attributed.rule_id.map(targets).astype(object))
    true = true.loc[(true.truth == true.journey_id) & true.target.notna(),
                    ["_row", "journey_instance_id", "matched_at", "target"]]
    if true.empty:
        return waits
    later = steps.loc[steps.token.isin(true.target.unique()), ["journey_instance_id", "ts", "token"]]
    later = later.astype({"token": str})
    later = later.merge(true, left_on=["journey_instance_id", "token"], right_on=["journey_instance_id", "target"])
    later = later[later.ts >= later.matched_at]
    first = later.groupby("_row").ts.min()
    waits[first.index.to_numpy()] = first.to_numpy() - attributed.matched_at.to_numpy()[first.index.to_numpy()]
    return waits


def lead_times_to(attributed: pd.DataFrame, steps: pd.DataFrame, targets: dict[str, str | None]) -> dict[str, float]:
    """Per rule: the median of :func:`waits_to_targets` over its true triggers (NaN when none reaches it)."""
    waits = pd.Series(waits_to_targets(attributed, steps, targets), index=attributed.index)
    return {rule_id: (float(np.nanmedian(w)) if np.isfinite(w := waits[attributed.rule_id == rule_id]).any()
                      else np.nan) for rule_id in targets}
