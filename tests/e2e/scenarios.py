"""Generated logs shaped like the ones users bring, each a CSV and the mapping it needs.

They start from a small seeded demo log and change one thing each: the ids, a missing column, the
number of customers or activities, the time zones. None is tuned for a stage to pass: each only has
to run to a report, with what it lacks said plainly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from parcours.synthetic import generate_demo_log


def _demo(customers: int = 400, seed: int = 11) -> pd.DataFrame:
    frame = generate_demo_log(customers, seed=seed, dirty_share=0.0).events
    return frame[["customer_id", "ts", "activity", "channel", "revenue"]].copy()


def numeric_ids(_: int) -> pd.DataFrame:
    """Integer customer ids (each id numbered), some written with leading zeros: ``0007`` is not customer ``7``."""
    frame = _demo()
    numbers = pd.Series(pd.factorize(frame.customer_id)[0] + 1, index=frame.index)
    frame["customer_id"] = numbers.astype(str)
    odd = numbers % 7 == 0  # "0007" is a customer of its own, not "7"
    frame.loc[odd, "customer_id"] = numbers[odd].map(lambda n: f"{n:04d}")
    return frame


def no_revenue(_: int) -> pd.DataFrame:
    """A clickstream without money: the revenue column is gone."""
    return _demo().drop(columns="revenue")


def no_channel(_: int) -> pd.DataFrame:
    """One channel for everything: the channel column is gone."""
    return _demo().drop(columns="channel")


def only_purchases(_: int) -> pd.DataFrame:
    """A purchase log: nothing but orders with their revenue."""
    frame = _demo()
    return frame[frame.activity == "order"]


def one_event_per_customer(_: int) -> pd.DataFrame:
    """Each customer seen once."""
    return _demo().drop_duplicates("customer_id")


def handful_of_customers(_: int) -> pd.DataFrame:
    """Five customers."""
    frame = _demo()
    return frame[frame.customer_id.isin(frame.customer_id.drop_duplicates().head(5))]


def page_urls(seed: int) -> pd.DataFrame:
    """Hundreds of distinct activities: product views become the pages' URLs."""
    frame = _demo()
    views = frame.activity == "view_item"
    pages = np.random.default_rng(seed).integers(0, 400, int(views.sum()))
    frame.loc[views, "activity"] = [f"/product/{p}?ref=home page" for p in pages]
    return frame


def mixed_time_zones(seed: int) -> pd.DataFrame:
    """The same instants written with different UTC offsets (and some without one, read as UTC)."""
    frame = _demo()
    instants = pd.to_datetime(frame.ts, utc=True, format="mixed")
    offsets = np.random.default_rng(seed).choice([-5, 0, 1, 2, 9], len(frame))
    frame["ts"] = [(t + pd.Timedelta(hours=int(h))).strftime("%Y-%m-%dT%H:%M:%S") + f"{int(h):+03d}:00"
                   for t, h in zip(instants, offsets, strict=True)]
    return frame


def a_bot(seed: int) -> pd.DataFrame:
    """A single customer (a bot) with 100,000 page views beside ordinary customers."""
    frame = _demo(200)
    rng = np.random.default_rng(seed)
    start = pd.to_datetime(frame.ts, utc=True, format="mixed").min()
    seconds = np.sort(rng.integers(0, 300 * 86_400, 100_000))
    bot = pd.DataFrame({"customer_id": "bot-1", "ts": [(start + pd.Timedelta(seconds=int(s))).isoformat()
                                                      for s in seconds],
                        "activity": "view_item", "channel": "web", "revenue": np.nan})
    return pd.concat([frame, bot], ignore_index=True)


def names_with_spaces(_: int) -> pd.DataFrame:
    """Activities and channels as people write them: spaces, accents, ``<...>``, an ``@``, an emoji, and names a
    spreadsheet would run as formulas (``=``, ``+``, ``-`` first)."""
    frame = _demo()
    frame["activity"] = frame.activity.replace({
        "complaint": "réclamation client", "delivery_issue": "delivery issue", "view_item": "<view item>",
        "add_to_cart": "add to cart 🛒", "newsletter_open": "open mail@home", "email_click": "=HYPERLINK(1)",
        "social_click": "+social click", "cart_abandon": "-cart abandon"})
    frame["channel"] = frame.channel.replace({"store": "magasin physique"})
    return frame


SCENARIOS: dict[str, Callable[[int], pd.DataFrame]] = {
    f.__name__: f for f in (numeric_ids, no_revenue, no_channel, only_purchases, one_event_per_customer,
                            handful_of_customers, page_urls, mixed_time_zones, a_bot, names_with_spaces)
}


def write_scenario(name: str, folder: Path, seed: int = 3) -> tuple[Path, list[str]]:
    """The scenario's CSV in ``folder`` and the mapping it needs (a missing optional column mapped to null)."""
    frame = SCENARIOS[name](seed)
    path = folder / f"{name}.csv"
    frame.to_csv(path, index=False)
    missing = [f"ingest.columns.{c}=null" for c in ("channel", "revenue") if c not in frame.columns]
    return path, missing
