"""Pictures of journey impact: the forest plot of effects with their intervals, and the propensity overlap.

Figures are returned (plotly), or drawn in memory as PNG bytes (matplotlib) for the Dagster UI.
"""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from parcours.impact.status import NO_CLEAR_EFFECT, NOT_MEASURED, PROVEN_GAIN, PROVEN_LOSS, effect_status

#: Colours by state (:mod:`parcours.impact.status`): green and red for proven effects only; an estimate whose
#: checks failed is drawn, in light grey, as the data scientist's evidence of why it is not measured.
COLOURS = {PROVEN_GAIN: "#2a9d8f", PROVEN_LOSS: "#e76f51", NO_CLEAR_EFFECT: "#8d99ae", NOT_MEASURED: "#ced4da"}


def _estimated(table: pd.DataFrame) -> pd.DataFrame:
    rows = table[table.effect.notna()].sort_values("effect")
    return rows.assign(status=effect_status(rows), label=rows.journey_id.astype(str) + ": " + rows["name"].astype(str))


def forest_figure(table: pd.DataFrame, outcome: str = "net revenue in the outcome window") -> go.Figure:
    """Each estimated journey's effect with its 95% interval, the naive difference beside it.

    Parameters
    ----------
    table
        The impact table (:class:`parcours.impact.JourneyImpact` ``.table``).
    outcome
        What the effect is measured on, for the axis title.
    """
    rows = _estimated(table)
    fig = go.Figure()
    for status, colour in COLOURS.items():
        mine = rows[rows.status == status]
        if mine.empty:
            continue
        fig.add_trace(go.Scatter(
            x=mine.effect, y=mine.label, mode="markers", name=status, marker={"color": colour, "size": 9},
            error_x={"type": "data", "symmetric": False, "array": mine.ci_high - mine.effect,
                     "arrayminus": mine.effect - mine.ci_low, "color": colour},
            customdata=np.column_stack([mine.ci_low, mine.ci_high, mine.q_value, mine.n_treated]),
            hovertemplate="effect %{x:,.1f} [%{customdata[0]:,.1f}, %{customdata[1]:,.1f}]<br>"
                          "q = %{customdata[2]:.3g}, %{customdata[3]:,} customers<extra>%{y}</extra>"))
    fig.add_trace(go.Scatter(x=rows.naive_diff, y=rows.label, mode="markers", name="naive difference",
                             marker={"symbol": "x", "color": "#adb5bd", "size": 8},
                             hovertemplate="naive %{x:,.1f}<extra>%{y}</extra>"))
    fig.add_vline(x=0, line_color="#495057", line_width=1)
    fig.update_layout(title="Journey impact: effect per customer with its 95% interval",
                      xaxis_title=f"effect on {outcome}", plot_bgcolor="white",
                      height=max(300, 28 * len(rows) + 140), margin={"l": 10, "r": 10, "t": 50, "b": 40})
    return fig


def overlap_figure(propensities: pd.DataFrame, treated: pd.DataFrame, journey_id: int, name: str = "") -> go.Figure:
    """Histograms of the propensity of the treated and of the others for one journey: overlap at a glance."""
    e = propensities[journey_id]
    fig = go.Figure()
    for flag, label, colour in ((1, "in the journey", "#2a9d8f"), (0, "the others", "#8d99ae")):
        mine = e[treated[journey_id].reindex(e.index, fill_value=0) == flag]
        fig.add_trace(go.Histogram(x=mine, name=label, histnorm="probability density", opacity=0.6,
                                   xbins={"start": 0, "end": 1, "size": 0.02}, marker_color=colour))
    fig.update_layout(barmode="overlay", title=f"Propensity overlap: {journey_id} {name}".strip(),
                      xaxis_title="propensity (cross-fitted)", yaxis_title="density", plot_bgcolor="white")
    return fig


def forest_png(table: pd.DataFrame, width: float = 7.5) -> bytes:
    """The forest plot of :func:`forest_figure` as PNG bytes (matplotlib, drawn in memory)."""
    from matplotlib.figure import Figure

    rows = _estimated(table)
    figure = Figure(figsize=(width, max(2.5, 0.32 * len(rows) + 1.2)), dpi=100)
    axes = figure.add_subplot()
    y = np.arange(len(rows))
    for status, colour in COLOURS.items():
        mine = (rows.status == status).to_numpy()
        if mine.any():
            axes.errorbar(rows.effect[mine], y[mine], xerr=[(rows.effect - rows.ci_low)[mine],
                                                              (rows.ci_high - rows.effect)[mine]],
                          fmt="o", color=colour, label=status, capsize=3)
    axes.scatter(rows.naive_diff, y, marker="x", color="#adb5bd", label="naive difference", zorder=1)
    axes.axvline(0, color="#495057", linewidth=0.8)
    axes.set_yticks(y, [label[:48] for label in rows.label], fontsize=8)
    axes.set_xlabel("effect per customer (95% interval)")
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(frameon=False, fontsize=8, loc="lower right")
    figure.tight_layout()
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
