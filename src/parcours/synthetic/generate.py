"""Seeded omnichannel retail demo log with planted journeys and a truth file to test against.

The story, in days from ``start``:

- ``[0, 290)`` early history: each customer's purchase history (orders on web, store and app, a few
  returns and complaints), driven by a latent *value* trait;
- ``[300, 333)`` recent history: more orders of the same kind (ending over a month before the window,
  so that no journey instance runs into it);
- ``[365, 455)`` observation window: most customers live one planted journey (web buyers who then
  visit a store, complaint then churn, ...), chosen with probabilities that depend on their early
  order count (:mod:`parcours.synthetic.choice`), so journey choice is confounded with value; the
  others browse at random;
- ``485`` landmark; ``[485, 665)`` outcome window: baseline orders, plus the planted effect of the
  journey (extra orders, or churn).

Baseline orders do not pause between the periods: from the early history to the landmark a customer keeps
buying at their rate, except within ``QUIET_DAYS`` (:mod:`parcours.synthetic.timeline`) of their own window
events, so a background order never joins or splits the window's journey (the truth records that journey's
first and last instant). After the early history each customer lapses at an exponential time (mean
``LAPSE_MEAN_DAYS``), and no baseline order comes after it. Buying goes on and some customers stop, as the
purchase models assume, so a value model fitted before the landmark can be checked on the outcome window
honestly; a pause of five months in everybody's orders looked like a mass dropout followed by a mass return.
The lapse is also a confounder no history fully shows: an order in the observation window says that the
customer had not lapsed yet. These draws come from their own random stream, so a seed's planted journeys are
those of the story without them.

Every customer's outcome revenue is drawn under *no* journey and under *each* planted journey with
the same random numbers (potential outcomes), and their choice probabilities are kept, so any
causal estimand is known exactly (:func:`parcours.synthetic.choice.versus_rest_effects`). A share of
dirty rows (missing ids, bad dates, duplicates, malformed lines, ...) is added on top of the real
events, and their counts per quarantine reason are part of the truth.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from parcours.synthetic.choice import CHOICES, choose_journeys, versus_rest_effects
from parcours.synthetic.journeys import PLANTED, journey_events
from parcours.synthetic.text import add_dirty_rows, as_text
from parcours.synthetic.timeline import (
    LANDMARK,
    LAPSE_MEAN_DAYS,
    OUTCOME_END,
    PRE_END,
    QUIET_DAYS,
    RECENT_END,
    RECENT_START,
    WINDOW_END,
    WINDOW_START,
    frame,
)

__all__ = ["DemoLog", "ensure_demo_log", "generate_demo_log"]


@dataclass(frozen=True)
class DemoLog:
    """The generated log (as written, text), the per-customer truth and the identity table."""

    events: pd.DataFrame
    customers: pd.DataFrame
    identities: pd.DataFrame
    truth: dict

    def write(self, folder: Path) -> dict[str, Path]:
        """Write ``events.csv``, ``identities.csv``, ``customers_truth.csv`` and ``truth.json``."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = {name: folder / name for name in
                 ("events.csv", "identities.csv", "customers_truth.csv", "truth.json")}
        columns = ["customer_id", "ts", "activity", "channel", "revenue"]
        lines = self.events[columns[0]].astype("string")
        for column in columns[1:]:
            lines = lines + "," + self.events[column].astype("string").fillna("")
        lines = lines.where(self.events["_malformed"].eq(""), self.events["_malformed"])
        with paths["events.csv"].open("w") as out:
            out.write(",".join(columns) + "\n")
            out.write("\n".join(lines.tolist()) + "\n")
        self.identities.to_csv(paths["identities.csv"], index=False)
        self.customers.to_csv(paths["customers_truth.csv"], index=False)
        paths["truth.json"].write_text(json.dumps(self.truth, indent=2, default=str))
        return paths


def generate_demo_log(customers: int = 10_000, seed: int = 7, start: datetime | None = None,
                      dirty_share: float = 0.01) -> DemoLog:
    """Generate the omnichannel demo log.

    Parameters
    ----------
    customers
        Number of customers (10k take about a second, 500k about a minute).
    seed
        Seed of every random draw: the same arguments give the same log.
    start
        First instant of the pre-period (UTC); default 2024-01-01.
    dirty_share
        Dirty rows added, as a share of the real events.

    Returns
    -------
    DemoLog
        Events as text columns ``customer_id, ts, activity, channel, revenue`` (with an internal
        ``_malformed`` column for lines written as is), the per-customer truth, the identity table
        and ``truth`` (windows, planted journeys and effects, dirty rows per quarantine reason).
    """
    rng = np.random.default_rng(seed)
    background = np.random.default_rng([seed, 1])  # baseline orders between the periods, and lapses
    start = start or datetime(2024, 1, 1, tzinfo=UTC)
    people = _draw_customers(rng, customers)
    early = _pre_period(rng, people)
    people = choose_journeys(rng, people, _order_counts(people, early))
    people["lapse"] = PRE_END + background.exponential(LAPSE_MEAN_DAYS, customers)
    recent = _recent_orders(rng, people)
    window = journey_events(rng, people)
    people = _window_span(people, window, start)
    parts = [early, recent, window, _between_orders(background, people, window), _outcomes(rng, people)]
    events = pd.concat([p for p in parts if len(p)], ignore_index=True)
    # Times are written to the second and ingest compares stitched ids: drop what it would call a duplicate.
    events["second"] = np.round(events.t.to_numpy() * 86_400)
    events = events.drop_duplicates(["customer_id", "second", "token", "revenue"]).drop(columns="second")
    events = _assign_devices(rng, events, people).sort_values(["t", "order"], kind="stable")
    text = as_text(events.reset_index(drop=True), start, rng)
    text, dirty = add_dirty_rows(rng, text, dirty_share)
    truth = _truth(people, events, dirty, start, customers, seed)
    identities = people.loc[people.device.notna(), ["device", "customer_id"]].rename(columns={"device": "identifier"})
    return DemoLog(events=text, customers=_truth_table(people), identities=identities.reset_index(drop=True),
                   truth=truth)


def ensure_demo_log(settings: Any, customers: int | None = None, home: Path | None = None) -> bool:
    """Generate the demo log under ``PARCOURS_HOME`` when no ``ingest.path`` is configured and it is missing.

    Parameters
    ----------
    settings
        The loaded :class:`parcours.settings.Settings` (its ``ingest.path`` and ``demo`` section).
    customers
        Overrides ``demo.customers`` (e.g. a small log for a notebook run by the tests).
    home
        ``PARCOURS_HOME`` (default: the environment's).

    Returns
    -------
    bool
        Whether a log was generated.
    """
    from parcours.paths import default_events_path, demo_dir

    if settings.ingest.path or default_events_path(home).exists():
        return False
    demo = settings.demo
    generate_demo_log(customers or demo.customers, demo.seed, demo.start, demo.dirty_share).write(demo_dir(home))
    return True


def _draw_customers(rng: np.random.Generator, n: int) -> pd.DataFrame:
    value = rng.normal(size=n)
    return pd.DataFrame({
        "customer_id": [f"C{i:07d}" for i in range(1, n + 1)],
        "value": value,
        "rate": 3.0 * np.exp(0.5 * value),  # orders a year
        "spend": np.exp(np.log(60) + 0.3 * value + rng.normal(0, 0.2, n)),
        "device": np.where(rng.random(n) < 0.05, [f"D{h:012x}" for h in rng.integers(0, 2**47, n)], None),
    })


def _orders(rng: np.random.Generator, people: pd.DataFrame, who: np.ndarray, t: np.ndarray) -> pd.DataFrame:
    """A browse-then-order (web, app) or visit-then-order (store) pair of events per order time."""
    channel = rng.choice(["web", "store", "app"], size=len(who), p=[0.5, 0.3, 0.2])
    revenue = np.round(people.spend.to_numpy()[who] * rng.lognormal(0, 0.4, len(who)), 2)
    lead = np.where(channel == "store", 0.0, rng.uniform(0.02, 0.15, len(who)))
    first = np.where(channel == "store", "store_visit@store", "view_item@" + channel)
    return pd.concat([
        frame(people, who, t - lead, first, np.nan, 0),
        frame(people, who, t, "order@" + channel, revenue, 1),
    ])


def _pre_period(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    n_orders = rng.poisson(people.rate.to_numpy() * PRE_END / 365)
    who = np.repeat(np.arange(len(people)), n_orders)
    t = rng.uniform(0.2, PRE_END, len(who))  # leaves room for the browse before the first order
    orders = _orders(rng, people, who, t)
    bought = orders[orders.token.str.startswith("order@")]
    returned = bought[rng.random(len(bought)) < 0.03]
    returns = returned.assign(t=returned.t + rng.uniform(3, 20, len(returned)), token="return@store",
                              revenue=-returned.revenue, order=2)
    p_complaint = 1 / (1 + np.exp(2.5 + 0.8 * people.value.to_numpy()))
    whiners = np.flatnonzero(rng.random(len(people)) < p_complaint)
    complaints = frame(people, whiners, rng.uniform(0, PRE_END, len(whiners)), "complaint@phone", np.nan, 0)
    return pd.concat([orders, returns, complaints])


def _order_counts(people: pd.DataFrame, events: pd.DataFrame) -> np.ndarray:
    buyers = events.customer_id[events.token.str.startswith("order@")]
    return np.bincount(people.customer_id.searchsorted(buyers), minlength=len(people))  # ids are sorted


def _recent_orders(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    who = np.repeat(np.arange(len(people)), rng.poisson(people.rate.to_numpy() * (RECENT_END - RECENT_START) / 365))
    t = rng.uniform(RECENT_START + 0.2, RECENT_END, len(who))
    return _kept(_orders(rng, people, who, t), t < people.lapse.to_numpy()[who])


def _kept(orders: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """The event pairs of :func:`_orders` (first the browses or visits, then the orders) whose order ``keep`` keeps."""
    return orders[np.tile(keep, 2)]


def _window_span(people: pd.DataFrame, window: pd.DataFrame, start: datetime) -> pd.DataFrame:
    """``window_first`` and ``window_last``: each customer's first and last window event (day, and instant)."""
    span = window.groupby("customer_id").t.agg(["min", "max"]).reindex(people.customer_id)
    first, last = span["min"].to_numpy(), span["max"].to_numpy()
    instant = lambda days: pd.Timestamp(start) + pd.to_timedelta(np.round(days * 86_400), unit="s")  # noqa: E731
    return people.assign(window_first_day=first, window_last_day=last, window_first=instant(first),
                         window_last=instant(last))


def _between_orders(rng: np.random.Generator, people: pd.DataFrame, window: pd.DataFrame) -> pd.DataFrame:
    """Baseline orders from the early history to the landmark, outside the recent history, before the
    customer's lapse and :data:`QUIET_DAYS` away from their own window events."""
    frames = []
    first, last, rate = (people[c].to_numpy() for c in ("window_first_day", "window_last_day", "rate"))
    for low, high in ((PRE_END, RECENT_START), (RECENT_END, LANDMARK)):
        who = np.repeat(np.arange(len(people)), rng.poisson(rate * (high - low) / 365))
        t = rng.uniform(low, high, len(who))
        near = (t > first[who] - QUIET_DAYS) & (t < last[who] + QUIET_DAYS)  # NaN (no window event): never near
        frames.append(_kept(_orders(rng, people, who, t), (t < people.lapse.to_numpy()[who]) & ~near))
    return pd.concat(frames)


def _outcomes(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    """Outcome-window orders; the potential outcome under every journey is stored on ``people``."""
    n = len(people)
    who = np.repeat(np.arange(n), rng.poisson(people.rate.to_numpy() * (OUTCOME_END - LANDMARK) / 365))
    t = rng.uniform(LANDMARK, OUTCOME_END, len(who))
    base, alive = _orders(rng, people, who, t), t < people.lapse.to_numpy()[who]
    y0 = np.bincount(who[alive], weights=base.revenue.to_numpy()[len(who):][alive], minlength=n)
    people["outcome_none"] = np.round(y0, 2)
    realised = people.journey.to_numpy()
    churned = np.zeros(n, dtype=bool)
    frames = []
    for journey in PLANTED:
        extra_who = np.repeat(np.arange(n), rng.poisson(journey.extra_orders, n))
        extra = _orders(rng, people, extra_who, rng.uniform(LANDMARK, OUTCOME_END, len(extra_who)))
        gain = np.bincount(extra_who, weights=extra.revenue.to_numpy()[len(extra_who):], minlength=n)
        lost = rng.random(n) < journey.churn
        people[f"outcome_{journey.name}"] = np.round(np.where(lost, 0.0, y0) + gain, 2)
        mine = realised == journey.name
        churned |= mine & lost
        frames.append(_kept(extra, mine[extra_who]))
    frames.append(_kept(base, alive & ~churned[who]))
    people["outcome_observed"] = _observed(people, realised)
    return pd.concat(frames)


def _observed(people: pd.DataFrame, realised: np.ndarray) -> np.ndarray:
    observed = people.outcome_none.to_numpy().copy()
    for journey in PLANTED:
        mine = realised == journey.name
        observed[mine] = people[f"outcome_{journey.name}"].to_numpy()[mine]
    return observed


def _assign_devices(rng: np.random.Generator, events: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Half the web and app events of customers with a known device are logged under the device id."""
    device = events.customer_id.map(people.set_index("customer_id").device)
    digital = events.token.str.endswith(("@web", "@app"))
    swap = device.notna() & digital & (rng.random(len(events)) < 0.5)
    return events.assign(customer_id=events.customer_id.where(~swap, device))


def _truth(people: pd.DataFrame, events: pd.DataFrame, dirty: dict, start: datetime, n: int, seed: int) -> dict:
    day = lambda d: (start + timedelta(days=d)).isoformat()  # noqa: E731
    rest = versus_rest_effects(_truth_table(people))
    return {
        "customers": n, "seed": seed, "events": len(events),
        "windows": {"pre_period": [day(0), day(PRE_END)], "recent": [day(RECENT_START), day(RECENT_END)],
                    "observation": [day(WINDOW_START), day(WINDOW_END)],
                    "landmark": day(LANDMARK), "outcome": [day(LANDMARK), day(OUTCOME_END)]},
        "journeys": {j.name: {"label": j.label, "steps": [s for s, _ in j.steps], "extra_orders": j.extra_orders,
                              "churn": j.churn, "value_slope": j.value_slope,
                              "customers": int((people.journey == j.name).sum()),
                              "mean_effect": _mean_effect(people, j.name),
                              "versus_rest_effect": round(rest[j.name], 2)}
                     for j in PLANTED},
        "dirty_rows": dirty,
        "expected_ingest": {"clean": len(events), "duplicates": dirty["duplicate"],
                            "quarantined": sum(v for k, v in dirty.items() if k != "duplicate"),
                            "rows_in": len(events) + sum(dirty.values())},
        "devices": int(people.device.notna().sum()),
    }


def _mean_effect(people: pd.DataFrame, name: str) -> float:
    """Average over all customers of (outcome under the journey − outcome under none)."""
    return round(float((people[f"outcome_{name}"] - people.outcome_none).mean()), 2)


def _truth_table(people: pd.DataFrame) -> pd.DataFrame:
    columns = ["customer_id", "value", "journey", "device", "window_first", "window_last", "lapse", "outcome_observed",
               *[f"outcome_{c}" for c in CHOICES], *[f"p_{c}" for c in CHOICES]]
    return people[columns].rename(columns={"journey": "planted_journey", "lapse": "lapse_day"})
