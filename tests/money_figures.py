"""The report's money, recomputed from the numbers shown beside it (:mod:`parcours.report.audit`)."""

from __future__ import annotations

from parcours.report.audit import card_sentences, kpis, money_problems, ranked_rows

__all__ = ["assert_money_adds_up", "card_sentences", "kpis", "ranked_rows"]


def assert_money_adds_up(html: str, locale=None) -> None:
    """Every money figure of the report equals what the numbers beside it make, and reads as its value."""
    assert money_problems(html, locale) == []
