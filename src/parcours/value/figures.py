"""Pictures of customer value, returned as plotly figures: the holdout check and the CLV distribution."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

LAYOUT = {"margin": {"l": 10, "r": 10, "t": 50, "b": 40}, "plot_bgcolor": "white", "height": 380}


def holdout_figure(buckets: pd.DataFrame, metrics: dict[str, float] | None = None) -> go.Figure:
    """Mean actual against mean predicted holdout purchases, by repeat purchases before the landmark.

    Parameters
    ----------
    buckets
        From :func:`parcours.value.holdout.frequency_buckets`.
    metrics
        Holdout metrics; ``purchases_error_share`` goes into the title when given.
    """
    fig = go.Figure()
    hover = "%{x} repeat purchases before<br>%{y:.2f} purchases after (mean)<br>%{customdata:,} customers"
    for column, colour, dash in (("actual", "#4c72b0", "solid"), ("predicted", "#dd8452", "dash")):
        fig.add_trace(go.Scatter(x=buckets.label, y=buckets[column], name=column, mode="lines+markers",
                                 line={"color": colour, "dash": dash}, customdata=buckets.customers,
                                 hovertemplate=hover + f"<extra>{column}</extra>"))
    title = "Holdout check: purchases after the landmark"
    share = (metrics or {}).get("purchases_error_share")
    if share is not None and share == share:
        title += f" (total predicted {share:+.1%} vs actual)"
    fig.update_layout(title=title, xaxis_title="repeat purchases before the landmark (calibration)",
                      yaxis_title="mean purchases in the holdout", **LAYOUT)
    return fig


def clv_distribution_figure(values: pd.DataFrame, bins: int = 60) -> go.Figure:
    """Histogram of customers' CLV (log-spaced bins), with the median and the 90th percentile marked."""
    clv = values.clv[values.clv > 0].to_numpy()
    fig = go.Figure()
    if len(clv):
        edges = np.geomspace(clv.min(), clv.max() * 1.0001, bins + 1) if clv.max() > clv.min() else np.array(
            [clv.min() * 0.99, clv.min() * 1.01])
        counts, edges = np.histogram(clv, edges)
        centres = np.sqrt(edges[:-1] * edges[1:])
        fig.add_trace(go.Bar(x=centres, y=counts, width=np.diff(edges), marker_color="#4c72b0",
                             hovertemplate="CLV ≈ %{x:,.0f}<br>%{y:,} customers<extra></extra>"))
        for q, label in ((0.5, "median"), (0.9, "p90")):
            fig.add_vline(x=float(np.quantile(clv, q)), line_dash="dot", annotation_text=label)
    fig.update_layout(title=f"Customer lifetime value ({len(values):,} customers)", xaxis_type="log",
                      xaxis_title="CLV over the horizon (discounted)", yaxis_title="customers", showlegend=False,
                      **LAYOUT)
    return fig


def holdout_png(buckets: pd.DataFrame, width: float = 6.4, height: float = 3.6) -> bytes:
    """The holdout chart of :func:`holdout_figure` as PNG bytes (matplotlib, drawn in memory), for
    places that show images, not scripts (the Dagster UI's metadata)."""
    from io import BytesIO

    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    axes = figure.add_subplot()
    axes.plot(buckets.label, buckets.actual, "o-", color="#4c72b0", label="actual")
    axes.plot(buckets.label, buckets.predicted, "s--", color="#dd8452", label="predicted")
    axes.set_xlabel("repeat purchases before the landmark")
    axes.set_ylabel("mean purchases in the holdout")
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(frameon=False)
    figure.tight_layout()
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
