"""The out-of-time back-test: replay rules on the events after the mining period, as a live stream would.

Every trigger is attributed to the journey instance the customer was in when it matched. It is a
true trigger when that instance belongs to the rule's journey. Per rule: precision (true triggers /
triggers), coverage (the journey's instances starting after the cut that got a true trigger),
lead time (median time from the trigger to the journey's defining step), support (distinct customers
with a true trigger). For the rule set: the same pooled, the triggers per active customer per week,
and what the global frequency cap held back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEEK = 7 * 86_400.0


def attribute(triggers: pd.DataFrame, instances: pd.DataFrame) -> pd.DataFrame:
    """Each trigger with the instance its customer was in when it matched (``journey_instance_id``,
    ``truth`` its journey; -2 when the match fell outside every instance)."""
    if triggers.empty:
        return triggers.assign(journey_instance_id=pd.Series([], dtype="str"), truth=pd.Series([], dtype="int64"))
    spans = instances[["customer_id", "journey_instance_id", "start", "end", "journey_id"]].sort_values("start")
    ordered = triggers.assign(_row=np.arange(len(triggers))).sort_values("matched_at")
    joined = pd.merge_asof(ordered, spans.rename(columns={"journey_id": "truth"}), left_on="matched_at",
                           right_on="start", by="customer_id", direction="backward")
    outside = joined.end.isna() | (joined.matched_at > joined.end)
    joined.loc[outside, ["journey_instance_id", "truth"]] = [None, -2]
    return joined.sort_values("_row").drop(columns=["_row", "start", "end"]).astype({"truth": "int64"})


def rule_scores(attributed: pd.DataFrame, instances: pd.DataFrame, reached: dict[int, pd.Series],
                cut: float) -> pd.DataFrame:
    """Per rule: ``triggers``, ``true_triggers``, ``precision``, ``coverage``, ``support``, ``lead_time_s``."""
    later = instances[instances.start >= cut]
    sizes = later.journey_id.value_counts()
    rows = []
    for (rule_id, journey), fired in attributed.groupby(["rule_id", "journey_id"], sort=False):
        rows.append({"rule_id": rule_id, **_scores(fired, journey, later, sizes, reached)})
    columns = ["rule_id", "triggers", "true_triggers", "precision", "coverage", "support", "lead_time_s"]
    return pd.DataFrame(rows, columns=columns)


def _scores(fired: pd.DataFrame, journey, later: pd.DataFrame, sizes: pd.Series, reached: dict) -> dict:
    """The scores of triggers meant for one journey (one rule's, or all of its rules' pooled)."""
    true = fired[fired.truth == journey]
    caught = true.journey_instance_id[true.journey_instance_id.isin(later.journey_instance_id)].nunique()
    lead = reached.get(journey, pd.Series(dtype=float)).reindex(true.journey_instance_id).to_numpy()
    lead = lead - true.matched_at.to_numpy()
    return {"triggers": len(fired), "true_triggers": len(true),
            "precision": len(true) / len(fired) if len(fired) else np.nan,
            "coverage": caught / sizes[journey] if sizes.get(journey, 0) else np.nan,
            "support": int(true.customer_id.nunique()),
            "lead_time_s": float(np.nanmedian(lead)) if np.isfinite(lead).any() else np.nan}


def rule_set_scores(attributed: pd.DataFrame, instances: pd.DataFrame, stream: pd.DataFrame, cut: float,
                    journeys: list[int]) -> dict:
    """The rule set as a whole: pooled precision, coverage of the ruled journeys' instances, triggers per
    active customer per week, and the largest number of triggers one customer got in a week."""
    later = instances[(instances.start >= cut) & instances.journey_id.isin(journeys)]
    true = attributed[attributed.truth == attributed.journey_id]
    caught = later.journey_instance_id.isin(true.journey_instance_id).sum()
    weeks = max((stream.ts.max() - cut) / WEEK, 1 / 7) if len(stream) else np.nan
    active = stream.customer_id.nunique()
    return {"triggers": len(attributed), "true_triggers": len(true),
            "precision": len(true) / len(attributed) if len(attributed) else np.nan,
            "coverage": caught / len(later) if len(later) else np.nan,
            "active_customers": int(active), "weeks": float(weeks),
            "triggers_per_customer_week": len(attributed) / active / weeks if active else np.nan,
            "max_triggers_in_a_week": _max_in_a_week(attributed)}


def _max_in_a_week(triggers: pd.DataFrame) -> int:
    """The most triggers any customer got within 7 days."""
    most = 0
    for _, times in triggers.groupby("customer_id").fire_at:
        t = np.sort(times.to_numpy())
        most = max(most, int((np.searchsorted(t, t + WEEK, side="left") - np.arange(len(t))).max()))
    return most


def lead_times_to(attributed: pd.DataFrame, steps: pd.DataFrame, targets: dict[str, str | None]) -> dict[str, float]:
    """Per rule: the median time from a true trigger to its action's target step, the first such step after the
    trigger in the same instance (NaN when no true trigger's instance reaches it): how long the action has.

    Parameters
    ----------
    attributed
        From :func:`attribute`.
    steps
        The events with ``journey_instance_id``, ``ts`` (seconds) and ``token``.
    targets
        Rule id → the step its action nudges towards or intervenes before (``None``: no action).
    """
    true = attributed.loc[attributed.truth == attributed.journey_id, ["rule_id", "journey_instance_id", "matched_at"]]
    waits = {}
    for rule_id, target in targets.items():
        fired = true[true.rule_id == rule_id]
        later = steps.loc[steps.token == target, ["journey_instance_id", "ts"]].merge(fired, on="journey_instance_id")
        later = later[later.ts >= later.matched_at]
        first = later.groupby(["journey_instance_id", "matched_at"]).ts.min()
        wait = first.to_numpy() - first.index.get_level_values("matched_at").to_numpy()
        waits[rule_id] = float(np.median(wait)) if len(wait) else np.nan
    return waits
