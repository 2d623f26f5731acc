"""How long journeys take: durations and the time from a journey's start to its first conversion."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from parcours.schema import JOURNEY_ID, SECONDS_PER_DAY

QUANTILES = (0.1, 0.5, 0.9)


def timing_summary(instances: ir.Table, by: str | None = None) -> ir.Table:
    """Conversion share and the distribution of durations and times to first conversion.

    Parameters
    ----------
    instances
        Journey instances with ``duration_s`` and ``first_conversion_s`` (null when the instance
        never converts), from :func:`parcours.instances.journey_instances`.
    by
        A column to summarise per value of (e.g. ``journey_id``); ``None`` summarises all instances.

    Returns
    -------
    ibis.expr.types.Table
        One row per group (``group`` is ``"all"`` without ``by``): ``instances``, ``customers``,
        ``converted`` (share of instances with a conversion), ``duration_p10_days`` …
        ``duration_p90_days`` and ``conversion_p10_days`` … ``conversion_p90_days`` (days from
        the start to the first conversion, converted instances only), ``duration_mean_days``.
    """
    table = instances.mutate(group=instances[by].cast("string") if by else ibis.literal("all"))
    days = SECONDS_PER_DAY
    stats = {
        "instances": table.count(),
        "customers": table.customer_id.nunique(),
        "converted": table.first_conversion_s.notnull().mean(),
        "duration_mean_days": table.duration_s.mean() / days,
    }
    for name, column in (("duration", table.duration_s), ("conversion", table.first_conversion_s)):
        for q in QUANTILES:
            stats[f"{name}_p{round(q * 100)}_days"] = column.quantile(q) / days
    return table.group_by("group").aggregate(**stats).order_by(ibis.desc("instances"))


def timing_by_journey(instances: ir.Table, assignments: ir.Table) -> ir.Table:
    """:func:`timing_summary` for all instances (``group`` ``all``) and per journey (``group`` = journey id).

    Parameters
    ----------
    instances
        Journey instances, as for :func:`timing_summary`.
    assignments
        ``journey_instance_id`` → ``journey_id`` (``-1``: noise).
    """
    labelled = instances.join(assignments.select("journey_instance_id", JOURNEY_ID), "journey_instance_id")
    return ibis.union(timing_summary(instances), timing_summary(labelled, by=JOURNEY_ID)).order_by(
        [ibis.desc("instances"), "group"])
