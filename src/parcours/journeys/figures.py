"""Pictures of journeys, returned as plotly figures: their sizes, how their count was chosen, and the
first steps of one journey."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import pandas as pd
import plotly.graph_objects as go

from parcours.journeys.classifier import SEPARATOR
from parcours.journeys.naming import readable

END = "(end)"


def journey_sizes_figure(journeys: pd.DataFrame, noise_instances: int = 0) -> go.Figure:
    """Horizontal bars: instances per journey, largest on top, with noise as a grey bar at the bottom."""
    table = journeys.sort_values("n_instances")
    names = [f"{j}: {n}" for j, n in zip(table.journey_id, table.name, strict=True)]
    fig = go.Figure()
    if noise_instances:  # the first category is drawn lowest
        fig.add_trace(go.Bar(x=[noise_instances], y=["-1: no journey (noise)"], orientation="h",
                             marker_color="#bbbbbb", hovertemplate="%{x:,} instances<extra></extra>"))
    fig.add_trace(go.Bar(x=table.n_instances, y=names, orientation="h", marker_color="#4c72b0",
                         hovertemplate="%{y}<br>%{x:,} instances<extra></extra>"))
    fig.update_layout(title="Discovered journeys by size", showlegend=False, xaxis_title="journey instances",
                      height=max(300, 22 * (len(table) + 2)), margin={"l": 10, "r": 10, "t": 40, "b": 40},
                      plot_bgcolor="white")
    return fig


def representativeness_curve(curve: pd.DataFrame, chosen: int, kmedoids: float | None = None) -> go.Figure:
    """The mean distance from each path to its journey's medoid for 1, 2, ... journeys, with the count chosen.

    Parameters
    ----------
    curve
        ``journeys`` and ``representativeness`` (the greedy curve discovery read the count off).
    chosen
        The journeys discovered (purchase-path journeys aside).
    kmedoids
        Weighted k-medoids' representativeness with as many journeys, drawn as a point beside it.
    """
    fig = go.Figure(go.Scatter(x=curve.journeys, y=curve.representativeness, mode="lines+markers", name="greedy",
                               hovertemplate="%{x} journeys: mean distance %{y:.3f}<extra></extra>"))
    fig.add_vline(x=chosen, line_dash="dot", annotation_text=f"{chosen} chosen (the knee)")
    if kmedoids is not None and kmedoids == kmedoids:
        fig.add_trace(go.Scatter(x=[chosen], y=[kmedoids], mode="markers", name="weighted k-medoids",
                                 marker={"symbol": "x", "size": 11}))
    fig.update_layout(title="How many journeys: representativeness against their number",
                      xaxis_title="journeys", yaxis_title="mean normalised edit distance to the medoid (lower: better)",
                      plot_bgcolor="white", height=380, margin={"l": 10, "r": 10, "t": 40, "b": 40})
    return fig


def first_steps_sankey(variants: pd.DataFrame, steps: int = 4, title: str = "") -> go.Figure:
    """How a journey's instances flow through their first ``steps`` steps (a Sankey diagram).

    Parameters
    ----------
    variants
        The journey's variants: ``variant`` (tokens joined by `` → ``) and ``count``.
    steps
        How many first steps to draw; instances that end earlier flow into ``(end)``.
    """
    flows: dict[tuple[tuple[int, str], tuple[int, str]], int] = defaultdict(int)
    for variant, count in zip(variants.variant, variants["count"], strict=True):
        tokens = variant.split(SEPARATOR)[:steps]
        path = [(i, t) for i, t in enumerate(tokens)]
        if len(tokens) < steps:
            path.append((len(tokens), END))
        for a, b in pairwise(path):
            flows[(a, b)] += int(count)
    nodes = sorted({n for pair in flows for n in pair})
    index = {n: i for i, n in enumerate(nodes)}
    labels = [f"{i + 1}. {readable(t) if t != END else t}" for i, t in nodes]
    links = {"source": [index[a] for a, _ in flows], "target": [index[b] for _, b in flows],
             "value": list(flows.values())}
    fig = go.Figure(go.Sankey(node={"label": labels, "pad": 12, "thickness": 14}, link=links,
                              arrangement="snap"))
    fig.update_layout(title=title or f"First {steps} steps", margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig
