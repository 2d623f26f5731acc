"""What the numbers mean, in plain words for the marketer: money, durations, and each journey's effect."""

from __future__ import annotations

import math

import pandas as pd

from parcours.report.ranking import NOT_ESTIMATED, TRUSTED


def money(value: float | None, currency: str = "€", signed: bool = False) -> str:
    """``1234.5`` → ``€1,235``; large amounts shortened (``€146k``, ``€1.2M``); missing → ``–``.

    Examples
    --------
    >>> money(77.38), money(-121504.7), money(1_234_567), money(12.0, signed=True), money(None)
    ('€77', '−€122k', '€1.2M', '+€12', '–')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    size = abs(value)
    text = (f"{size / 1e6:.1f}M" if size >= 1e6 else f"{size / 1e3:.0f}k" if size >= 1e4 else f"{size:,.0f}")
    sign = "−" if value < 0 else ("+" if signed and value > 0 else "")
    return f"{sign}{currency}{text}"


def days(value: float | None) -> str:
    """``0.08`` → ``2 h``; ``3.04`` → ``3.0 days``; missing → ``–``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value < 1:
        return f"{value * 24:.0f} h"
    return f"{value:.1f} days"


def outcome_phrase(impact: pd.DataFrame) -> str:
    """What the effects are measured on, from ``journey_impact``'s ``outcome`` and window columns."""
    if impact.empty or "outcome" not in impact.columns or pd.isna(impact.outcome.iloc[0]):
        return "customer value"
    row = impact.iloc[0]
    if row.outcome == "clv":
        return "predicted customer lifetime value"
    if row.outcome == "conversions":
        return f"conversions between {str(row.landmark)[:10]} and {str(row.outcome_end)[:10]}"
    return f"net revenue (returns deducted) between {str(row.landmark)[:10]} and {str(row.outcome_end)[:10]}"


def effect_sentence(row, outcome: str, currency: str = "€") -> str:
    """One journey's effect in plain words, honest about its interval and its checks.

    Parameters
    ----------
    row
        A ``journey_ranking`` row (attribute access).
    outcome
        What the effect is on (:func:`outcome_phrase`).
    """
    if row.status == NOT_ESTIMATED:
        return f"No effect was estimated for this journey: {row.reason}."
    interval = f"(95% interval {money(row.ci_low, currency)} to {money(row.ci_high, currency)} per customer)"
    if row.status != TRUSTED:
        return (f"The estimate, {money(row.effect, currency, signed=True)} per customer {interval}, "
                f"{row.reason}; do not act on it yet.")
    if not bool(row.finding):
        return (f"We cannot tell this journey's effect from zero: per customer it lies between "
                f"{money(row.ci_low, currency)} and {money(row.ci_high, currency)} on {outcome}.")
    direction = "more" if row.effect >= 0 else "less"
    return (f"Customers who go through this journey bring {money(abs(row.effect), currency)} {direction} {outcome} "
            f"than comparable customers who do not {interval}. Across its {int(row.n_treated):,} customers, that is "
            f"about {money(row.value_at_stake, currency)} at stake.")
