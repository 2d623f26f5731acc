"""The directly-follows graph and the variants of journey instances, as Ibis expressions on the engine.

Counts equal pm4py's ``discover_dfg`` and ``get_variants`` on the same log (a test checks it,
ties on timestamps included: both keep source order), at a fraction of the cost, because the
work reads the journey instances' ordered tokens with a few group-bys on DuckDB rather than
sorting the events again in pandas.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from parcours.schema import CUSTOMER_ID, STEP_TIMES, TOKENS, VARIANT_SEPARATOR

START, END = "[start]", "[end]"
__all__ = ["END", "START", "VARIANT_SEPARATOR"]  # the separator is schema's, re-exported where it is used


def directly_follows(instances: ir.Table) -> ir.Table:
    """The directly-follows graph over tokens within journey instances, read off their ordered tokens.

    Each instance's consecutive tokens are unnested once into pairs (no second sort of the events: the
    instances already hold their tokens and step times in order) and aggregated; the start and end edges
    are aggregated straight from each instance's first and last token, so only the pairs are unnested.

    Parameters
    ----------
    instances
        Journey instances with ``tokens`` and ``step_times``, from
        :func:`parcours.instances.journey_instances`.

    Returns
    -------
    ibis.expr.types.Table
        One row per edge: ``kind`` (``start``, ``follows`` or ``end``), ``source``, ``target``
        (``[start]``/``[end]`` for the start and end edges), ``count``, ``customers`` (distinct),
        ``share`` (of the source's outgoing count, end edges included), and ``median_s``,
        ``p90_s``: seconds between the two steps (null for start and end edges).
    """
    graph = ibis.union(*(_edge_counts(edges) for edges in step_edges(instances)))
    share = graph["count"] / graph["count"].sum().over(group_by="source")
    return graph.mutate(share=share).order_by([ibis.desc("count"), "source", "target"])


def _edge_counts(edges: ir.Table) -> ir.Table:
    """Count, distinct customers and the median and p90 seconds of each edge of one kind."""
    return edges.group_by(["kind", "source", "target"]).aggregate(
        count=edges.count(), customers=edges.customer.nunique(),
        median_s=edges.seconds.quantile(0.5), p90_s=edges.seconds.quantile(0.9),
    )


def step_edges(instances: ir.Table) -> tuple[ir.Table, ir.Table, ir.Table]:
    """The start, follows and end pairs of every instance (``kind``, ``source``, ``target``, ``customer``,
    ``seconds``: between the two steps, null for start and end)."""
    n = instances.n_tokens
    held = instances.filter(n > 0)
    null_seconds = ibis.null("float64")
    starts = held.select(kind=ibis.literal("start"), source=ibis.literal(START), target=held[TOKENS][0],
                         customer=held[CUSTOMER_ID], seconds=null_seconds)
    ends = held.select(kind=ibis.literal("end"), source=held[TOKENS][held.n_tokens - 1], target=ibis.literal(END),
                       customer=held[CUSTOMER_ID], seconds=null_seconds)
    longer = instances.filter(n > 1).select(CUSTOMER_ID, TOKENS, STEP_TIMES, "n_tokens")
    at = longer.mutate(_i=ibis.range(0, longer.n_tokens - 1).unnest())
    times = at[STEP_TIMES]
    follows = at.select(kind=ibis.literal("follows"), source=at[TOKENS][at._i], target=at[TOKENS][at._i + 1],
                        customer=at[CUSTOMER_ID], seconds=(times[at._i + 1] - times[at._i]).cast("float64"))
    return starts, follows, ends


def variant_text(tokens: ir.ArrayValue) -> ir.StringValue:
    """A token sequence as the variant text that keys variants everywhere (tokens joined by `` → ``)."""
    return tokens.join(VARIANT_SEPARATOR)


def variants(instances: ir.Table) -> ir.Table:
    """Distinct token sequences with how many instances and customers follow them.

    Parameters
    ----------
    instances
        Journey instances (``tokens`` lists), from :func:`parcours.instances.journey_instances`.

    Returns
    -------
    ibis.expr.types.Table
        One row per variant, most frequent first (ties by the variant text): ``rank`` (1-based),
        ``variant`` (tokens joined by `` → ``), ``n_tokens``, ``count`` (instances),
        ``customers``, ``share`` and ``cum_share`` (the coverage curve) and
        ``median_duration_s``.
    """
    named = instances.mutate(variant=variant_text(instances[TOKENS]))
    grouped = named.group_by("variant").aggregate(
        n_tokens=named.n_tokens.max(), count=named.count(), customers=named[CUSTOMER_ID].nunique(),
        median_duration_s=named.duration_s.quantile(0.5),
    )
    order = [ibis.desc("count"), "variant"]
    total = grouped["count"].sum().over()
    cumulative = grouped["count"].sum().over(ibis.cumulative_window(order_by=order))
    return grouped.mutate(
        rank=ibis.row_number().over(order_by=order) + 1, share=grouped["count"] / total, cum_share=cumulative / total,
    ).order_by("rank").select("rank", "variant", "n_tokens", "count", "customers", "share", "cum_share",
                              "median_duration_s")


def filter_variants(table: ir.Table, *, top_k: int | None = None, coverage: float | None = None) -> ir.Table:
    """Keep the ``top_k`` most frequent variants and/or the fewest that cover ``coverage`` of the instances.

    A variant is kept under ``coverage`` if the instances before it cover less than that share, so
    the kept variants reach the share with as few variants as possible.
    """
    kept = table
    if top_k is not None:
        kept = kept.filter(kept["rank"] <= top_k)
    if coverage is not None:
        kept = kept.filter(kept.cum_share - kept.share < coverage)
    return kept


def describe_process_map(graph: ir.Table) -> dict[str, float]:
    """Summary numbers of a process map: tokens, edges, and the instances it starts."""
    follows = graph.filter(graph.kind == "follows")
    starts = graph.filter(graph.kind == "start")
    ends = ibis.union(graph.select(token=graph.source), graph.select(token=graph.target))
    stats = {
        "tokens": ends.filter(~ends.token.isin([START, END])).token.nunique(),
        "edges": follows.count(),
        "instances": starts["count"].sum(),
        "transitions": follows["count"].sum(),
    }
    return {k: float(v.to_pyarrow().as_py() or 0) for k, v in stats.items()}


def describe_variants(table: ir.Table, top: int = 10) -> dict[str, float]:
    """Summary numbers of the variants: how many, instances, and the share the ``top`` cover."""
    stats = table.aggregate(
        variants=table.count(), instances=table["count"].sum(),
        top_coverage=table.cum_share.max(where=table["rank"] <= top),
        singletons=(table["count"] == 1).sum(),
    ).to_pyarrow().to_pylist()[0]
    return {k: float(v or 0) for k, v in stats.items()} | {"top": float(top)}


def count_consistency(table: ir.Table, instances: ir.Table, *, kind: str) -> dict[str, int]:
    """Counts that must all be equal when a process map (``kind="map"``) or the variants
    (``kind="variants"``) account for every journey instance exactly once."""
    n_instances = int(instances.count().to_pyarrow().as_py())
    if kind == "map":
        counted = {"start_edges": table["count"].sum(where=table.kind == "start"),
                   "end_edges": table["count"].sum(where=table.kind == "end")}
    else:
        counted = {"variant_instances": table["count"].sum(), "coverage_curve_end": table.cum_share.max()}
    values = {k: float(v.to_pyarrow().as_py() or 0) for k, v in counted.items()}
    if "coverage_curve_end" in values:
        values["coverage_curve_end"] *= n_instances
    return {"instances": n_instances} | {k: round(v) for k, v in values.items()}
