"""The report's overview pictures, returned as plotly figures: value at stake, and the journey landscape."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from parcours.report.ranking import TRUSTED, UNTRUSTED

COLOURS = {"raises": "#2a9d8f", "destroys": "#e76f51", UNTRUSTED: "#b0b0b0", "unclear": "#8da0cb"}


def _label(row) -> str:
    return f"#{row.rank} {row.name}"


def value_at_stake_figure(ranking: pd.DataFrame, currency: str = "€", top: int = 15) -> go.Figure:
    """Horizontal bars: the best-ranked journeys' confidence-weighted value at stake, sign by colour.

    Journeys not yet trustworthy are drawn in grey with their unweighted value, so a large but
    unchecked number is visible and visibly different.
    """
    shown = ranking[ranking.status.isin([TRUSTED, UNTRUSTED])].head(top).iloc[::-1]
    value = np.where(shown.status == TRUSTED, shown.weighted_value, shown.value_at_stake)
    colours = [COLOURS[UNTRUSTED] if s != TRUSTED else COLOURS["raises" if v >= 0 else "destroys"]
               for s, v in zip(shown.status, value, strict=True)]
    fig = go.Figure(go.Bar(
        x=value, y=[_label(r) for r in shown.itertuples()], orientation="h", marker_color=colours,
        customdata=np.stack([shown.status, shown.n_customers], axis=-1) if len(shown) else None,
        hovertemplate=f"%{{y}}<br>{currency}%{{x:,.0f}} at stake<br>%{{customdata[1]:,}} customers · "
                      "%{customdata[0]}<extra></extra>"))
    fig.update_layout(title="Value at stake, weighted by confidence", xaxis_title=f"{currency} (customers × effect)",
                      height=max(320, 28 * len(shown) + 90), margin={"l": 10, "r": 10, "t": 40, "b": 40},
                      plot_bgcolor="white", showlegend=False)
    return fig.update_xaxes(zeroline=True, zerolinecolor="#444444", gridcolor="#eeeeee")


def landscape_figure(ranking: pd.DataFrame, currency: str = "€") -> go.Figure:
    """The journey landscape: each estimated journey's effect (with its 95% interval) against its customers.

    Bubble area follows the value at stake; colour says whether the journey raises value, destroys
    it, cannot be told from zero, or is not yet trustworthy.
    """
    shown = ranking[ranking.effect.notna()]
    fig = go.Figure()
    for kind, part in _kinds(shown).items():
        size = np.sqrt(part.value_at_stake.abs().to_numpy(dtype=float))
        fig.add_trace(go.Scatter(
            x=part.effect, y=part.n_customers, mode="markers", name=kind,
            error_x={"type": "data", "symmetric": False, "array": part.ci_high - part.effect,
                     "arrayminus": part.effect - part.ci_low, "color": COLOURS[kind], "thickness": 1},
            marker={"size": 8 + 40 * size / max(float(np.sqrt(ranking.value_at_stake.abs().max() or 1.0)), 1.0),
                    "color": COLOURS[kind], "opacity": 0.75, "line": {"width": 1, "color": "white"}},
            text=[_label(r) for r in part.itertuples()],
            hovertemplate=f"%{{text}}<br>effect {currency}%{{x:,.1f}} per customer<br>%{{y:,}} customers"
                          "<extra></extra>"))
    fig.update_layout(title="Journey landscape: effect per customer and reach", plot_bgcolor="white", height=420,
                      xaxis_title=f"effect per customer ({currency}, 95% interval)", yaxis_title="customers",
                      margin={"l": 10, "r": 10, "t": 40, "b": 40}, legend={"orientation": "h", "y": -0.2})
    fig.update_yaxes(type="log", gridcolor="#eeeeee")
    return fig.update_xaxes(zeroline=True, zerolinecolor="#444444", gridcolor="#eeeeee")


def _kinds(estimated: pd.DataFrame) -> dict[str, pd.DataFrame]:
    trusted = estimated.status == TRUSTED
    clear = trusted & estimated.finding.fillna(False).astype(bool)
    raises = estimated.effect >= 0
    parts = {"raises": estimated[clear & raises], "destroys": estimated[clear & ~raises],
             "unclear": estimated[trusted & ~clear], UNTRUSTED: estimated[~trusted]}
    return {kind: part for kind, part in parts.items() if len(part)}
