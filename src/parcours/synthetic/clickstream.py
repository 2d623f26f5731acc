"""Seeded web-shop clickstreams: sessions of page views, without revenue, shaped like a real shop's.

A real shop's clickstream has a dozen page types, users who come back for several sessions, long
loops between the catalog and product pages, and a checkout funnel most sessions never reach.
Each session here follows one of three intents, each a Markov chain over the pages:

- ``browse``: the main page, the catalog and product pages, back and forth, then leave;
- ``abandon``: the same, then the cart and part of the checkout, then leave;
- ``buy``: through the cart, a delivery choice and a payment choice to ``payment_done``.

With ``url_pages`` the catalog and product pages are URLs (``/catalog/shoes?page=2``,
``/product/1234``) with hundreds of distinct values, as web analytics exports them. The intent of
every session is kept in ``intent``: the truth a discovery can be scored against.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

END = "(end)"
PURCHASE = "payment_done"

_BROWSE = {
    "start": {"main": 0.5, "catalog": 0.5},
    "main": {"catalog": 0.8, END: 0.2},
    "catalog": {"product1": 0.35, "product2": 0.35, "main": 0.1, END: 0.2},
    "product1": {"catalog": 0.6, "product2": 0.1, END: 0.3},
    "product2": {"catalog": 0.6, "product1": 0.1, END: 0.3},
}
_CHECKOUT = {
    "delivery_choice": {"delivery_courier": 0.5, "delivery_pickup": 0.5},
    "delivery_courier": {"payment_choice": 1.0},
    "delivery_pickup": {"payment_choice": 1.0},
    "payment_choice": {"payment_card": 0.7, "payment_cash": 0.3},
    "payment_card": {PURCHASE: 1.0},
    "payment_cash": {PURCHASE: 1.0},
    PURCHASE: {END: 0.8, "catalog": 0.2},
}
INTENTS: dict[str, dict[str, dict[str, float]]] = {
    "browse": _BROWSE,
    "abandon": {**_BROWSE, **_CHECKOUT,
                "product1": {"cart": 0.45, "catalog": 0.4, END: 0.15},
                "product2": {"cart": 0.45, "catalog": 0.4, END: 0.15},
                "cart": {"delivery_choice": 0.55, "catalog": 0.15, END: 0.3},
                "delivery_courier": {"payment_choice": 0.5, END: 0.5},
                "delivery_pickup": {"payment_choice": 0.5, END: 0.5},
                "payment_choice": {END: 1.0}},
    "buy": {**_BROWSE, **_CHECKOUT,
            "main": {"catalog": 1.0},
            "catalog": {"product1": 0.5, "product2": 0.5},
            "product1": {"cart": 0.7, "catalog": 0.3},
            "product2": {"cart": 0.7, "catalog": 0.3},
            "cart": {"delivery_choice": 0.95, "catalog": 0.05}},
}
SHARES = {"browse": 0.55, "abandon": 0.25, "buy": 0.2}
_MAX_STEPS = 60


def generate_clickstream(users: int = 4_000, seed: int = 0, mean_sessions: float = 2.0, url_pages: bool = False,
                         start: datetime | None = None) -> pd.DataFrame:
    """Events of ``users`` web-shop users: ``customer_id``, ``session_id``, ``ts``, ``activity``,
    ``channel`` (desktop or mobile), ``revenue`` (always missing) and ``intent`` (the session's truth).

    Parameters
    ----------
    users
        Users; each has 1 + Poisson(``mean_sessions`` − 1) sessions, days apart.
    seed
        Seed of everything.
    mean_sessions
        Mean sessions per user.
    url_pages
        Catalog and product pages as URLs with ids and query strings (hundreds of distinct activities).
    start
        The first day (default 2025-01-01, UTC).
    """
    rng = np.random.default_rng(seed)
    origin = pd.Timestamp(start or datetime(2025, 1, 1, tzinfo=UTC))
    platform = rng.choice(["desktop", "mobile"], size=users, p=[0.6, 0.4])
    rows = []
    for user in range(users):
        day = rng.uniform(0, 30)
        for session in range(1 + rng.poisson(mean_sessions - 1)):
            intent = rng.choice(list(SHARES), p=list(SHARES.values()))
            clock = origin + pd.Timedelta(days=day)
            for page in _walk(rng, INTENTS[intent]):
                clock += pd.Timedelta(seconds=float(rng.gamma(2.0, 20.0)))
                rows.append((f"u{user:05d}", f"u{user:05d}-s{session}", clock, _shown(rng, page, url_pages),
                             platform[user], intent))
            day += rng.exponential(7.0) + 0.5
    frame = pd.DataFrame(rows, columns=["customer_id", "session_id", "ts", "activity", "channel", "intent"])
    return frame.assign(revenue=np.nan)


def _walk(rng: np.random.Generator, chain: dict[str, dict[str, float]]) -> list[str]:
    pages, state = [], "start"
    while len(pages) < _MAX_STEPS:
        moves = chain[state]
        state = rng.choice(list(moves), p=list(moves.values()))
        if state == END:
            break
        pages.append(state)
    return pages


def _shown(rng: np.random.Generator, page: str, url_pages: bool) -> str:
    """The page as an analytics export names it: its type, or with ``url_pages`` a URL."""
    if not url_pages:
        return page
    if page == "catalog":
        category = ("shoes", "shirts", "bags", "hats", "socks", "coats")[int(rng.integers(6))]
        return f"/catalog/{category}?page={int(rng.integers(1, 6))}"
    if page in ("product1", "product2"):
        return f"/product/{int(rng.zipf(1.3)) % 400 + (0 if page == 'product1' else 400)}"
    return f"/{page.replace('_', '-')}"
