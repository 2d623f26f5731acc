"""The planted journeys of the demo log and the events of the observation window."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from parcours.synthetic.timeline import WINDOW_END, WINDOW_START, frame


@dataclass(frozen=True)
class PlantedJourney:
    """A journey template: ordered steps with inclusion probabilities and its planted effect."""

    name: str
    label: str
    steps: tuple[tuple[str, float], ...]
    gap_hours: tuple[float, float]
    logit: float
    value_slope: float
    extra_orders: float = 0.0
    churn: float = 0.0


PLANTED = (
    PlantedJourney("web_to_store", "web order → store visit",
                   (("view_item@web", 1.0), ("add_to_cart@web", 0.9), ("order@web", 1.0),
                    ("store_visit@store", 1.0), ("order@store", 0.6)), (2, 72), 0.2, 0.9, extra_orders=1.5),
    PlantedJourney("complaint_churn", "delivery issue → complaint",
                   (("order@web", 1.0), ("delivery_issue@web", 0.8), ("complaint@phone", 1.0),
                    ("complaint@email", 0.7), ("cancel_subscription@web", 0.5)), (6, 96), -0.3, -0.7, churn=0.6),
    PlantedJourney("movers", "address change → home order",
                   (("address_change@web", 1.0), ("view_item@app", 1.0), ("view_item@app", 0.6),
                    ("order@app", 1.0), ("store_visit@store", 0.4)), (12, 120), -0.4, 0.0, extra_orders=1.0),
    PlantedJourney("newsletter_nurture", "newsletter → web order",
                   (("email_open@email", 1.0), ("email_click@email", 1.0), ("view_item@web", 1.0),
                    ("order@web", 0.9)), (1, 48), 0.3, 0.4, extra_orders=0.8),
    PlantedJourney("cart_abandon", "abandoned app cart → reminder",
                   (("view_item@app", 1.0), ("add_to_cart@app", 1.0), ("cart_abandon@app", 1.0),
                    ("reminder_open@email", 0.8), ("view_item@app", 0.4)), (1, 30), 0.1, -0.3),
    PlantedJourney("social_discovery", "social ad → app order",
                   (("social_click@social", 1.0), ("view_item@web", 0.8), ("view_item@app", 1.0),
                    ("order@app", 1.0)), (1, 36), -0.2, -0.2, extra_orders=0.5),
)
BROWSE = ("view_item@web", "view_item@app", "email_open@email", "social_click@social", "search@web")
def journey_events(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    frames = [browsing_events(rng, people)]
    for journey in PLANTED:
        who = np.flatnonzero(people.journey.to_numpy() == journey.name)
        tokens = np.array([s for s, _ in journey.steps])
        include = rng.random((len(who), len(tokens))) < np.array([p for _, p in journey.steps])
        gaps = rng.uniform(*journey.gap_hours, size=(len(who), len(tokens))) / 24
        gaps[:, 0] = 0
        times = rng.uniform(WINDOW_START, WINDOW_END - 30, len(who))[:, None] + gaps.cumsum(axis=1)
        labels = np.tile(tokens, (len(who), 1))
        swap = rng.random(len(who)) < 0.1  # a few instances swap two adjacent steps
        pos = rng.integers(0, len(tokens) - 1, len(who))
        rows = np.flatnonzero(swap)
        labels[rows, pos[rows]], labels[rows, pos[rows] + 1] = labels[rows, pos[rows] + 1], labels[rows, pos[rows]]
        r, c = np.nonzero(include)
        tok = labels[r, c]
        revenue = np.where(np.char.startswith(tok.astype(str), "order@"),
                           np.round(people.spend.to_numpy()[who[r]] * rng.lognormal(0, 0.4, len(r)), 2), np.nan)
        frames.append(frame(people, who[r], times[r, c], tok, revenue, c))
        noisy = np.flatnonzero(rng.random(len(who)) < 0.2)  # and a few get an extra browse step
        frames.append(frame(people, who[noisy], times[noisy, 0] + rng.uniform(0, 2, len(noisy)),
                             rng.choice(BROWSE, len(noisy)), np.nan, 9))
    return pd.concat(frames)


def browsing_events(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    who = np.flatnonzero((people.journey.to_numpy() == "none") & (rng.random(len(people)) < 0.6))
    n_steps = rng.integers(1, 5, len(who))
    rep = np.repeat(who, n_steps)
    t = np.repeat(rng.uniform(WINDOW_START, WINDOW_END - 10, len(who)), n_steps) + rng.uniform(0, 5, len(rep))
    return frame(people, rep, t, rng.choice(BROWSE, len(rep)), np.nan, 0)


def is_window_journey(instances: pd.DataFrame, truth: pd.DataFrame) -> pd.Series:
    """Whether each instance is its customer's journey of the observation window (planted, or the random browse).

    Background orders keep :data:`parcours.synthetic.timeline.QUIET_DAYS` away from a customer's window events,
    so they are instances of their own, in the window or not; the one that starts between the customer's first
    and last window event (``window_first``, ``window_last`` of the truth table) is the window's journey.

    Parameters
    ----------
    instances
        ``customer_id`` and ``start_ts`` of the demo log's instances.
    truth
        The truth table (``customers_truth.csv``, or :attr:`parcours.synthetic.DemoLog.customers`).

    Returns
    -------
    pandas.Series
        Boolean, aligned with ``instances``; false for an id the truth does not know (an unstitched device).
    """
    spans = truth.set_index("customer_id")
    start = pd.to_datetime(instances.start_ts, utc=True)
    first, last = (pd.to_datetime(instances.customer_id.map(spans[c]), utc=True)
                   for c in ("window_first", "window_last"))
    return (start >= first - pd.Timedelta(seconds=1)) & (start <= last)


def planted_labels(instances: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Label the demo's journey instances with their customer's planted journey: the discovery a design is tested on.

    Parameters
    ----------
    instances
        ``customer_id``, ``journey_instance_id``, ``start_ts`` of the demo log's instances.
    truth
        The truth table (``customers_truth.csv``): ``customer_id``, ``planted_journey``, ``window_first``,
        ``window_last``.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``journey_instance_id``, ``journey_id`` (the planted journey's index in
        :data:`PLANTED` for the customer's window journey, :func:`is_window_journey`; ``-1`` for any other:
        the orders around it are no journey) and ``probability`` 1.
    """
    index = {j.name: i for i, j in enumerate(PLANTED)}
    planted = instances.customer_id.map(truth.set_index("customer_id").planted_journey).map(index)
    labels = planted.where(is_window_journey(instances, truth)).fillna(-1).astype("int64")
    return instances[["customer_id", "journey_instance_id"]].assign(journey_id=labels, probability=1.0)
