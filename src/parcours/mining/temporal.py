"""The temporal profile of journeys: the typical time between two steps, and the instances that deviate.

This is the temporal profile of Stertz, Mangler and Rinderle-Ma (2020) as pm4py computes it
(``discover_temporal_profile`` and ``conformance_temporal_profile``): for every pair of tokens
``(a, b)`` where ``b`` comes after ``a`` in an instance (not only directly), the mean and the
sample standard deviation of the seconds between them; an occurrence deviates when it lies more
than ``zeta`` standard deviations from the mean. Here it is a self-join and two group-bys on the
engine, so it runs on the whole log, and a test checks it equals pm4py's on the same log.

The pairs of an instance grow with the square of its length; ``max_distance`` bounds how many
steps apart two tokens may be (``None`` keeps every pair, as pm4py does).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from parcours.schema import CUSTOMER_ID, EVENT_SEQ, JOURNEY_INSTANCE_ID, TIMESTAMP


def label_steps(steps: ir.Table, assignments: ir.Table, column: str = "journey_id") -> ir.Table:
    """Steps with their instance's journey (``column`` of ``assignments``), for a profile per journey."""
    return steps.join(assignments.select(JOURNEY_INSTANCE_ID, column), JOURNEY_INSTANCE_ID)


def step_pairs(steps: ir.Table, *, max_distance: int | None = None, by: str | None = None) -> ir.Table:
    """Every ordered pair of steps of an instance, with the seconds between them.

    Parameters
    ----------
    steps
        Events with their instance and token, from :func:`parcours.eventlog.episodes.episode_steps`.
    max_distance
        Keep pairs at most this many steps apart (``None``: every pair).
    by
        A column of ``steps`` to carry along (e.g. ``journey_id``) for a profile per group.

    Returns
    -------
    ibis.expr.types.Table
        ``journey_instance_id``, ``customer_id``, ``source``, ``target``, ``distance`` (steps
        apart, ≥ 1) and ``seconds`` (from the source's time to the target's), plus ``by``.
    """
    kept = steps.filter(steps.is_step)
    order = ibis.window(group_by=JOURNEY_INSTANCE_ID, order_by=[TIMESTAMP, EVENT_SEQ])
    carried = [by] if by else []
    numbered = kept.select(
        JOURNEY_INSTANCE_ID, CUSTOMER_ID, *carried, token=kept.token, at=kept[TIMESTAMP].epoch_seconds(),
        pos=ibis.row_number().over(order),
    )
    left, right = numbered, numbered.view()
    condition = [left[JOURNEY_INSTANCE_ID] == right[JOURNEY_INSTANCE_ID], left.pos < right.pos]
    if max_distance is not None:
        condition.append(right.pos - left.pos <= max_distance)
    joined = left.join(right, condition)
    return joined.select(
        left[JOURNEY_INSTANCE_ID], left[CUSTOMER_ID], *[left[c] for c in carried],
        source=left.token, target=right.token, distance=right.pos - left.pos,
        seconds=(right.at - left.at).cast("float64"),
    )


def temporal_profile(pairs: ir.Table, *, by: str | None = None) -> ir.Table:
    """The typical time between two tokens: mean and standard deviation over all their pairs.

    Parameters
    ----------
    pairs
        From :func:`step_pairs`.
    by
        Profile each value of this column separately (it becomes the first key).

    Returns
    -------
    ibis.expr.types.Table
        One row per ``(source, target)`` (and ``by``): ``pairs``, ``instances`` (distinct),
        ``mean_s``, ``std_s`` (sample; 0 for a single pair, as pm4py), ``median_s`` and
        ``directly`` (share of the pairs that are adjacent steps); most pairs first.
    """
    keys = ([by] if by else []) + ["source", "target"]
    profile = pairs.group_by(keys).aggregate(
        pairs=pairs.count(), instances=pairs[JOURNEY_INSTANCE_ID].nunique(),
        mean_s=pairs.seconds.mean(), std_s=pairs.seconds.std(how="sample"),
        median_s=pairs.seconds.quantile(0.5), directly=(pairs.distance == 1).mean(),
    )
    return profile.mutate(std_s=profile.std_s.fill_null(0.0)).order_by([ibis.desc("pairs"), *keys])


def temporal_deviations(pairs: ir.Table, profile: ir.Table, *, zeta: float, by: str | None = None) -> ir.Table:
    """The pair occurrences more than ``zeta`` standard deviations from their profile's mean.

    Returns
    -------
    ibis.expr.types.Table
        The deviating pairs (columns of :func:`step_pairs`) with ``mean_s``, ``std_s`` and
        ``zeta`` (how many standard deviations away; null when the standard deviation is 0).
    """
    keys = ([by] if by else []) + ["source", "target"]
    expected = profile.select(*keys, "mean_s", "std_s")
    joined = pairs.join(expected, keys)
    off = (joined.seconds - joined.mean_s).abs()
    deviating = joined.filter(off > zeta * joined.std_s)
    away = (deviating.seconds - deviating.mean_s).abs()
    return deviating.mutate(zeta=ibis.ifelse(deviating.std_s > 0, away / deviating.std_s, ibis.null("float64")))


def deviating_instances(deviations: ir.Table, by: str | None = None) -> ir.Table:
    """One row per instance with a deviation: how many pairs deviate and the worst of them.

    Returns
    -------
    ibis.expr.types.Table
        ``journey_instance_id``, ``customer_id`` (and ``by``), ``deviating_pairs``, ``max_zeta``,
        and the ``source``, ``target``, ``seconds`` and ``mean_s`` of the pair furthest from its
        mean (in standard deviations); most deviating first.
    """
    worst_first = ibis.window(group_by=JOURNEY_INSTANCE_ID,
                              order_by=[ibis.desc(deviations.zeta.fill_null(float("inf"))), "source", "target"])
    ranked = deviations.mutate(
        _rank=ibis.row_number().over(worst_first), deviating_pairs=deviations.count().over(
            ibis.window(group_by=JOURNEY_INSTANCE_ID)),
    )
    worst = ranked.filter(ranked._rank == 0)
    return worst.select(
        JOURNEY_INSTANCE_ID, CUSTOMER_ID, *([by] if by else []), "deviating_pairs", max_zeta=worst.zeta,
        source=worst.source, target=worst.target, seconds=worst.seconds, mean_s=worst.mean_s,
    ).order_by([ibis.desc("deviating_pairs"), JOURNEY_INSTANCE_ID])


def describe_temporal(profile: ir.Table, deviations: ir.Table, instances: int) -> dict[str, float]:
    """Summary numbers: profiled pairs, deviating pair occurrences and the share of deviating instances."""
    deviating = int(deviations[JOURNEY_INSTANCE_ID].nunique().to_pyarrow().as_py() or 0)
    return {
        "profiled_pairs": float(profile.count().to_pyarrow().as_py()),
        "pair_occurrences": float(profile.pairs.sum().to_pyarrow().as_py() or 0),
        "deviating_occurrences": float(deviations.count().to_pyarrow().as_py()),
        "deviating_instances": float(deviating),
        "deviating_share": deviating / instances if instances else 0.0,
    }
