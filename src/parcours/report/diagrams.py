"""A journey's paths and the two diagrams its report card draws from them: step flow and process map.

The paths are counted on the engine (one group-by over the instances); only each journey's most
frequent paths come back to Python, so the diagrams cost the same at any log size. Each card says
what share of the journey's instances those paths cover.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import ibis
import ibis.expr.types as ir
import pandas as pd
import plotly.graph_objects as go

from parcours.journeys.figures import first_steps_sankey
from parcours.mining.discovery import END, START, VARIANT_SEPARATOR, variant_text
from parcours.mining.figures import fold_process_map, process_map_graph, render
from parcours.schema import CUSTOMER_ID, JOURNEY_ID, JOURNEY_INSTANCE_ID, TOKENS


def journey_paths(instances: ir.Table, assignments: ir.Table, top: int = 300, min_customers: int = 1) -> pd.DataFrame:
    """The ``top`` most frequent paths (token sequences) of every journey that at least ``min_customers``
    distinct customers follow (the privacy floor), with the journey's total.

    Parameters
    ----------
    instances
        ``journey_instances`` (``tokens`` lists).
    assignments
        ``journey_assignments`` (``journey_id``; noise is ``-1`` and left out).
    top
        Paths kept per journey.
    min_customers
        Paths followed by fewer distinct customers are left out, so no flow or edge drawn from the
        paths rests on fewer (the journey's total still counts them).

    Returns
    -------
    pandas.DataFrame
        ``journey_id``, ``variant`` (tokens joined by `` → ``), ``count`` (instances), ``customers``
        and ``instances`` (the journey's total), most frequent first within each journey.
    """
    keys = [CUSTOMER_ID, JOURNEY_INSTANCE_ID]
    joined = instances.select(*keys, TOKENS).join(
        assignments.filter(assignments.journey_id >= 0).select(*keys, JOURNEY_ID), keys)
    counted = joined.group_by([JOURNEY_ID, variant_text(joined[TOKENS]).name("variant")]).aggregate(
        count=joined.count(), customers=joined[CUSTOMER_ID].nunique())
    totals = counted.mutate(instances=counted["count"].sum().over(group_by=JOURNEY_ID))
    public = totals.filter(totals.customers >= min_customers)
    window = ibis.window(group_by=JOURNEY_ID, order_by=[ibis.desc("count"), "variant"])
    ranked = public.mutate(_rank=ibis.row_number().over(window))
    kept = ranked.filter(ranked._rank < top).drop("_rank")
    frame = kept.to_pandas()
    return frame.sort_values([JOURNEY_ID, "count", "variant"], ascending=[True, False, True],
                             ignore_index=True).astype({JOURNEY_ID: "int64", "count": "int64", "customers": "int64",
                                                        "instances": "int64"})


def path_graph(paths: pd.DataFrame) -> pd.DataFrame:
    """The directly-follows graph of a journey's paths, each weighted by its count (start and end edges included).

    Returns
    -------
    pandas.DataFrame
        ``kind``, ``source``, ``target``, ``count`` and ``median_s`` (unknown here: null), the
        shape :func:`parcours.mining.figures.fold_process_map` draws.
    """
    edges: Counter[tuple[str, str, str]] = Counter()
    for variant, count in zip(paths.variant, paths["count"], strict=True):
        tokens = variant.split(VARIANT_SEPARATOR)
        edges[("start", START, tokens[0])] += int(count)
        for a, b in pairwise(tokens):
            edges[("follows", a, b)] += int(count)
        edges[("end", tokens[-1], END)] += int(count)
    rows = [{"kind": k, "source": s, "target": t, "count": c} for (k, s, t), c in edges.items()]
    graph = pd.DataFrame(rows, columns=["kind", "source", "target", "count"])
    return graph.assign(median_s=float("nan")).astype({"count": "int64"})


def process_map_svg(paths: pd.DataFrame, edges: int = 15) -> str:
    """A journey's process map (its ``edges`` most frequent moves, the rest folded) as inline SVG."""
    folded = fold_process_map(path_graph(paths), edges)
    return inline_svg(render(process_map_graph(folded), "svg").decode())


def step_flow_figure(paths: pd.DataFrame, steps: int = 5) -> go.Figure:
    """How a journey's instances flow through their first ``steps`` steps (a Sankey diagram)."""
    fig = first_steps_sankey(paths[["variant", "count"]], steps=steps, title=" ")
    return fig.update_layout(height=300, margin={"l": 10, "r": 10, "t": 10, "b": 10})


def inline_svg(document: str) -> str:
    """An SVG document without its XML prolog and doctype, to sit inside HTML; scales to its container."""
    start = document.find("<svg")
    if start < 0:
        raise ValueError("not an SVG document: no <svg> element")
    return document[start:].replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)
