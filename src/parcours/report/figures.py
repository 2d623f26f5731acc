"""The report's overview pictures, returned as plotly figures: value at stake, and the journey landscape."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from parcours.impact.status import NO_CLEAR_EFFECT, PROVEN, PROVEN_GAIN, PROVEN_LOSS
from parcours.report.locale import ReportLocale

#: Green and red for proven effects only; grey for an effect that could be zero.
COLOURS = {PROVEN_GAIN: "#2a9d8f", PROVEN_LOSS: "#e76f51", NO_CLEAR_EFFECT: "#b0b0b0"}


def _label(row) -> str:
    return f"#{row.rank} {row.name}"


def value_at_stake_figure(ranking: pd.DataFrame, locale: ReportLocale | None = None, top: int = 15) -> go.Figure:
    """Horizontal bars: the proven journeys' value at stake (customers × effect), gain in green, loss in red.

    Journeys with no clear effect or not measured have no value at stake to draw.
    """
    locale = locale or ReportLocale()
    shown = ranking[ranking.status.isin(PROVEN)].head(top).iloc[::-1]
    hover = [locale.gettext("{stake} at stake: {customers} customers × {effect}", stake=locale.money(r.value_at_stake),
                            customers=locale.number(r.n_customers), effect=locale.money(r.effect))
             for r in shown.itertuples()]
    fig = go.Figure(go.Bar(
        x=shown.value_at_stake, y=[_label(r) for r in shown.itertuples()], orientation="h",
        marker_color=[COLOURS[s] for s in shown.status], customdata=hover,
        hovertemplate="%{y}<br>%{customdata}<extra></extra>"))
    fig.update_layout(title=locale.gettext("Value at stake of the proven effects"),
                      xaxis_title=locale.gettext("{unit} (customers × effect)", unit=locale.unit()),
                      height=max(320, 28 * len(shown) + 90), margin={"l": 10, "r": 10, "t": 40, "b": 40},
                      plot_bgcolor="white", showlegend=False)
    return fig.update_xaxes(zeroline=True, zerolinecolor="#444444", gridcolor="#eeeeee")


def landscape_figure(ranking: pd.DataFrame, locale: ReportLocale | None = None) -> go.Figure:
    """The journey landscape: each measured journey's effect (with its 95% interval) against its customers.

    Bubble area follows the size of the value at stake; colour is the state: a proven gain, a proven
    loss, or no clear effect (grey).
    """
    locale = locale or ReportLocale()
    shown = ranking[ranking.effect.notna()]
    largest = max(float(np.sqrt(shown.value_at_stake.abs().max())) if len(shown) else 1.0, 1.0)
    fig = go.Figure()
    for state, colour in COLOURS.items():
        part = shown[shown.status == state]
        if part.empty:
            continue
        size = np.sqrt(part.value_at_stake.abs().to_numpy(dtype=float))
        fig.add_trace(go.Scatter(
            x=part.effect, y=part.n_customers, mode="markers", name=locale.gettext(state),
            error_x={"type": "data", "symmetric": False, "array": part.ci_high - part.effect,
                     "arrayminus": part.effect - part.ci_low, "color": colour, "thickness": 1},
            marker={"size": 8 + 40 * size / largest, "color": colour, "opacity": 0.75,
                    "line": {"width": 1, "color": "white"}},
            text=[_label(r) for r in part.itertuples()],
            customdata=[locale.gettext("effect {effect} per customer, {customers} customers",
                                       effect=locale.money(r.effect), customers=locale.number(r.n_customers))
                        for r in part.itertuples()],
            hovertemplate="%{text}<br>%{customdata}<extra></extra>"))
    fig.update_layout(title=locale.gettext("Journey landscape: effect per customer and reach"), plot_bgcolor="white",
                      height=420, xaxis_title=locale.gettext("effect per customer ({unit}, 95% interval)",
                                                             unit=locale.unit()),
                      yaxis_title=locale.gettext("customers"),
                      margin={"l": 10, "r": 10, "t": 40, "b": 40}, legend={"orientation": "h", "y": -0.2})
    fig.update_yaxes(type="log", gridcolor="#eeeeee")
    return fig.update_xaxes(zeroline=True, zerolinecolor="#444444", gridcolor="#eeeeee")
