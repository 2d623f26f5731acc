"""The temporal profile of journeys: the typical time between two steps, and the instances that deviate.

This is the temporal profile of Stertz, Mangler and Rinderle-Ma (2020) as pm4py computes it
(``discover_temporal_profile`` and ``conformance_temporal_profile``): for every pair of tokens
``(a, b)`` where ``b`` comes after ``a`` in an instance (not only directly), the mean and the
sample standard deviation of the seconds between them; an occurrence deviates when it lies more
than ``zeta`` standard deviations from the mean. Here the pairs are unnested from the journey
instances' ordered tokens and step times and read by two group-bys on the engine, so it runs on
the whole log, and a test checks it equals pm4py's on the same log.

The pairs of an instance grow with the square of its length; ``max_distance`` bounds how many
steps apart two tokens may be (``None`` keeps every pair, as pm4py does).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from parcours.engine import materialise, release
from parcours.schema import CUSTOMER_ID, JOURNEY_ID, JOURNEY_INSTANCE_ID, STEP_TIMES, TOKENS


def label_instances(instances: ir.Table, assignments: ir.Table, column: str = JOURNEY_ID) -> ir.Table:
    """Instances with their journey (``column`` of ``assignments``), for a profile per journey."""
    return instances.join(assignments.select(JOURNEY_INSTANCE_ID, column), JOURNEY_INSTANCE_ID)


def step_pairs(instances: ir.Table, *, max_distance: int | None = None, by: str | None = None) -> ir.Table:
    """Every ordered pair of steps of an instance, with the seconds between them, read off the instances'
    ordered tokens and step times (no sort of the events, no self-join).

    Parameters
    ----------
    instances
        Journey instances with ``tokens`` and ``step_times``, from
        :func:`parcours.instances.journey_instances`.
    max_distance
        Keep pairs at most this many steps apart (``None``: every pair).
    by
        A column of ``instances`` to carry along (e.g. ``journey_id``) for a profile per group.

    Returns
    -------
    ibis.expr.types.Table
        ``journey_instance_id``, ``customer_id``, ``source``, ``target``, ``distance`` (steps
        apart, ≥ 1) and ``seconds`` (from the source's time to the target's), plus ``by``.
    """
    carried = [by] if by else []
    longer = instances.filter(instances.n_tokens > 1).select(JOURNEY_INSTANCE_ID, CUSTOMER_ID, *carried, TOKENS,
                                                             STEP_TIMES, "n_tokens")
    first = longer.mutate(_i=ibis.range(0, longer.n_tokens - 1).unnest())
    after = first.n_tokens - 1 - first._i  # steps after the source
    reach = after if max_distance is None else ibis.least(after, max_distance)
    pair = first.mutate(_d=ibis.range(1, reach + 1).unnest())
    tokens, times, i, d = pair[TOKENS], pair[STEP_TIMES], pair._i, pair._d
    return pair.select(JOURNEY_INSTANCE_ID, CUSTOMER_ID, *carried, source=tokens[i], target=tokens[i + d],
                       distance=d.cast("int64"), seconds=(times[i + d] - times[i]).cast("float64"))


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
    # zeta to 6 decimals: pairs as far from their means up to float noise tie, and the tie breaks by name on
    # every engine (two steps at one instant give two pairs whose zetas differ in the last bits by engine)
    worst_first = ibis.window(group_by=JOURNEY_INSTANCE_ID, order_by=[
        ibis.desc(deviations.zeta.round(6).fill_null(float("inf"))), "source", "target"])
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


def journey_temporal_profile(con: ibis.BaseBackend, instances: ir.Table, *, by: str | None, max_distance: int | None,
                             zeta: float) -> tuple[ir.Table, ir.Table, dict[str, float]]:
    """The profile, the deviating instances and their summary, from one computation of the step pairs.

    The pairs are unnested once into a temporary table of ``con``, read by the profile and by the deviations,
    and dropped once both are computed (each into a temporary table too).

    Returns
    -------
    tuple
        :func:`temporal_profile`, :func:`deviating_instances` and :func:`describe_temporal`.
    """
    pairs = materialise(con, step_pairs(instances, max_distance=max_distance, by=by), "pairs")
    profile = materialise(con, temporal_profile(pairs, by=by), "profile")
    deviations = materialise(con, temporal_deviations(pairs, profile, zeta=zeta, by=by), "deviations")
    release(con, pairs)
    stats = describe_temporal(profile, deviations, int(instances.count().to_pyarrow().as_py()))
    worst = materialise(con, deviating_instances(deviations, by=by), "worst")
    release(con, deviations)
    return profile, worst, stats
