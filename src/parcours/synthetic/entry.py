"""Seeded scenarios of continuous journey entry, with every customer's potential outcomes: the impact design's test bed.

The demo starts its journeys at the same time for everyone. Real customers enter journeys at any
time, one after the other or several at once, and a journey-impact design must stay valid there.
The calendar, in days from ``start``::

    [0, 365) purchase history | [365, 548) journey period | [548, 731) outcome period

- the **purchase history**: orders (a view, then the order, on web, app or store) at a rate set by
  a latent value trait; they go on, at the same rate, all through the log;
- the **journey period**: journeys start at any day of it. Each journey has steps days apart and
  may contain orders of its own;
- the **outcome period**: the baseline orders plus each lived journey's effect (extra orders, or
  churn: no more orders at all).

Three scenarios (:data:`SCENARIOS`):

``measured``
    One journey at a time: each customer lives at most one journey, chosen by a multinomial logit
    on their (observed) number of orders in the history, so choice is confounded with value
    through something the log shows.
``unmeasured``
    The same, but the choice of ``cart_abandon`` (no effect at all) also follows a trait the
    history hardly shows: a change of pace in the last two months of the history that changes the
    customer's order rate from then on, and makes them likelier to abandon carts. No adjustment for the
    history removes that confounding, so a correct gate refuses the journey.
``overlapping``
    Each journey is entered or not on its own (a logit per journey), so a customer lives several,
    at overlapping times.

Outcomes are drawn with common random numbers: every customer's outcome-period revenue is known
under every set of journeys, and :func:`entry_effects` gives the exact effect a design estimates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from parcours.schema import JOURNEY_ID

HISTORY_END, PERIOD_END, LOG_END = 365, 548, 731
SCENARIOS = ("measured", "unmeasured", "overlapping")
CHANNELS = ("web", "app", "store")


@dataclass(frozen=True)
class EntryJourney:
    """A journey of the scenarios: its steps (tokens, an order's revenue share of the customer's spend) and effect."""

    name: str
    steps: tuple[tuple[str, float], ...]
    logit: float
    value_slope: float
    extra_orders: float = 0.0
    churn: float = 0.0


JOURNEYS = (
    EntryJourney("web_to_store", (("view_item@web", 0), ("add_to_cart@web", 0), ("store_visit@store", 0),
                                  ("order@store", 1.0)), -1.2, 0.7, extra_orders=1.2),
    EntryJourney("app_loyalty", (("open_app@app", 0), ("view_item@app", 0), ("order@app", 1.0)),
                 -1.4, 0.9, extra_orders=0.6),
    EntryJourney("complaint_churn", (("order@web", 1.0), ("complaint@phone", 0), ("call_back@phone", 0)),
                 -1.4, -0.8, churn=0.5),
    EntryJourney("cart_abandon", (("view_item@app", 0), ("add_to_cart@app", 0), ("reminder@email", 0)),
                 -1.2, -0.3),
    EntryJourney("email_winback", (("email_open@email", 0), ("view_item@web", 0), ("order@web", 0.7)),
                 -1.3, -0.6, extra_orders=0.5),
    EntryJourney("coupon_hunter", (("coupon@email", 0), ("order@web", 0.4), ("return@store", -0.4)),
                 -1.5, 0.3, extra_orders=0.3, churn=0.1),
    EntryJourney("random_browse", (("view_item@web", 0), ("view_item@app", 0), ("wishlist@app", 0)),
                 -1.4, 0.0),
)
CONFOUNDED = "cart_abandon"  # the journey an unmeasured trait chooses, in the ``unmeasured`` scenario


@dataclass(frozen=True)
class EntryLog:
    """A generated scenario.

    Attributes
    ----------
    events
        ``customer_id, ts, activity, channel, revenue`` (typed: ``ts`` UTC instants), time-ordered.
    entries
        One row per lived journey: ``customer_id``, ``journey``, ``start_ts``, ``end_ts``.
    customers
        Per customer: ``value``, ``p_<journey>`` (the probability of living it; in the one-at-a-time
        scenarios also ``p_none``), ``entry_<journey>`` (its start day from ``start``, NaN when not
        lived) and the potential outcomes (see :func:`entry_effects`).
    start
        The first instant of the log.
    scenario
        One of :data:`SCENARIOS`.
    """

    events: pd.DataFrame
    entries: pd.DataFrame
    customers: pd.DataFrame
    start: datetime
    scenario: str

    def day(self, when: date) -> float:
        """Days from the log's start to the start (UTC midnight) of ``when``."""
        return (datetime(when.year, when.month, when.day, tzinfo=UTC) - self.start).total_seconds() / 86_400


def generate_entry_log(customers: int = 6_000, scenario: str = "measured", seed: int = 0,
                       start: datetime | None = None) -> EntryLog:
    """Generate a continuous-entry scenario (see the module docstring).

    Parameters
    ----------
    customers
        Number of customers (50,000 take a few seconds).
    scenario
        ``measured``, ``unmeasured`` or ``overlapping``.
    seed
        Seed of every draw: the same arguments give the same log.
    start
        First instant (UTC); default 2024-01-01.

    Returns
    -------
    EntryLog
    """
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario={scenario!r}: expected one of {', '.join(SCENARIOS)}")
    rng = np.random.default_rng(seed)
    start = start or datetime(2024, 1, 1, tzinfo=UTC)
    people = _draw_people(rng, customers, scenario)
    history = _orders(rng, people, 0.0, LOG_END)
    score = _standardised(np.log1p(np.bincount(history.who[history.t < HISTORY_END], minlength=customers)))
    people, entries = _choose(rng, people, score, scenario)
    journey_events = _journey_events(rng, people, entries)
    people, outcome_events = _outcomes(rng, people, entries, history)
    events = pd.concat([history[history.t < PERIOD_END], journey_events, outcome_events], ignore_index=True)
    events = _typed(events.sort_values(["t", "step"], kind="stable"), people, start)
    entries = _typed_entries(entries, journey_events, people, start)
    return EntryLog(events, entries, people.drop(columns=["rate", "spend", "pace"]), start, scenario)


def _draw_people(rng: np.random.Generator, n: int, scenario: str) -> pd.DataFrame:
    value = rng.normal(size=n)
    pace = rng.normal(size=n) if scenario == "unmeasured" else np.zeros(n)
    return pd.DataFrame({"customer_id": [f"K{i:06d}" for i in range(1, n + 1)], "value": value, "pace": pace,
                         "rate": 5.0 * np.exp(0.5 * value),  # orders a year
                         "spend": np.exp(np.log(50) + 0.3 * value + rng.normal(0, 0.2, n))})


def _standardised(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() or 1.0)


def _orders(rng: np.random.Generator, people: pd.DataFrame, begin: float, end: float) -> pd.DataFrame:
    """Background orders of everyone on days ``[begin, end)``; the unmeasured pace speeds them up after the history."""
    rate = people.rate.to_numpy()
    who = np.repeat(np.arange(len(people)), rng.poisson(rate * (end - begin) / 365 * 1.6))
    t = rng.uniform(begin, end, len(who))
    speed = np.exp(0.6 * people.pace.to_numpy()[who])  # 1 everywhere but in the unmeasured scenario
    kept = rng.random(len(who)) < np.where(t < HISTORY_END - 60, 1.0, np.minimum(speed, 1.6)) / 1.6
    who, t = who[kept], t[kept]
    return _order_pairs(rng, people, who, t)


def _order_pairs(rng: np.random.Generator, people: pd.DataFrame, who: np.ndarray, t: np.ndarray) -> pd.DataFrame:
    channel = rng.choice(CHANNELS, size=len(who), p=[0.5, 0.25, 0.25])
    revenue = np.round(people.spend.to_numpy()[who] * rng.lognormal(0, 0.4, len(who)), 2)
    lead = np.where(channel == "store", 0.0, rng.uniform(0.01, 0.1, len(who)))
    view = pd.DataFrame({"who": who, "t": t - lead, "token": np.where(channel == "store", "store_visit@store",
                                                                      np.char.add("view_item@", channel)),
                         "revenue": np.nan, "step": 0})
    order = pd.DataFrame({"who": who, "t": t, "token": np.char.add("order@", channel), "revenue": revenue, "step": 1})
    return pd.concat([view, order], ignore_index=True).assign(journey="")


def _choose(rng: np.random.Generator, people: pd.DataFrame, score: np.ndarray,
            scenario: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Who lives which journey, and when it starts (uniform over the journey period, leaving room to finish)."""
    n = len(people)
    logits = np.column_stack([j.logit + j.value_slope * score for j in JOURNEYS])
    if scenario == "unmeasured":
        logits[:, [j.name for j in JOURNEYS].index(CONFOUNDED)] += 1.5 * people.pace.to_numpy()
    if scenario == "overlapping":
        probs = 1 / (1 + np.exp(-logits))
        lived = rng.random(probs.shape) < probs
        extra = {f"p_{j.name}": probs[:, k] for k, j in enumerate(JOURNEYS)}
    else:
        full = np.column_stack([np.zeros(n), logits])  # "none" first
        probs = np.exp(full) / np.exp(full).sum(axis=1, keepdims=True)
        choice = np.minimum((rng.random(n)[:, None] > probs.cumsum(axis=1)).sum(axis=1), len(JOURNEYS))
        lived = choice[:, None] == np.arange(1, len(JOURNEYS) + 1)[None, :]
        extra = {"p_none": probs[:, 0], **{f"p_{j.name}": probs[:, k + 1] for k, j in enumerate(JOURNEYS)}}
    who, k = np.nonzero(lived)
    entries = pd.DataFrame({"who": who, "k": k, "t": rng.uniform(HISTORY_END, PERIOD_END - 21, len(who))})
    starts = {f"entry_{j.name}": np.full(n, np.nan) for j in JOURNEYS}
    for index, journey in enumerate(JOURNEYS):
        mine = entries[entries.k == index]
        starts[f"entry_{journey.name}"][mine.who.to_numpy()] = mine.t.to_numpy()
    return people.assign(**extra, **starts), entries


def _journey_events(rng: np.random.Generator, people: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """Each lived journey's steps, 1 to 6 days apart (several instances of it, at any inactivity gap)."""
    frames = []
    spend = people.spend.to_numpy()
    for index, journey in enumerate(JOURNEYS):
        mine = entries[entries.k == index]
        t = mine.t.to_numpy().copy()
        for step, (token, share) in enumerate(journey.steps):
            revenue = np.round(share * spend[mine.who] * rng.lognormal(0, 0.3, len(mine)), 2) if share else np.nan
            frames.append(pd.DataFrame({"who": mine.who.to_numpy(), "t": t.copy(), "token": token,
                                        "revenue": revenue, "step": step, "journey": journey.name}))
            t += rng.uniform(1, 6, len(mine))
    return pd.concat(frames, ignore_index=True)


def _outcomes(rng: np.random.Generator, people: pd.DataFrame, entries: pd.DataFrame,
              history: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Outcome-period orders: baseline (the background orders after the journey period) and each journey's effect.

    ``base`` is the baseline revenue, ``gain_<journey>`` the revenue of its extra orders and
    ``lost_<journey>`` whether it churns the customer: under any set of journeys ``S`` the outcome is
    ``(0 if any lost in S else base) + sum of gains in S`` (:func:`outcome_under`).
    """
    n = len(people)
    base_orders = history[history.t >= PERIOD_END]
    orders_only = base_orders[base_orders.step == 1]
    columns = {"base": np.bincount(orders_only.who, weights=orders_only.revenue, minlength=n)}
    lived = np.zeros((n, len(JOURNEYS)), dtype=bool)
    lived[entries.who.to_numpy(), entries.k.to_numpy()] = True
    churned = np.zeros(n, dtype=bool)
    frames = []
    for index, journey in enumerate(JOURNEYS):
        who = np.repeat(np.arange(n), rng.poisson(journey.extra_orders, n))
        extra = _order_pairs(rng, people, who, rng.uniform(PERIOD_END, LOG_END, len(who)))
        bought = extra[extra.step == 1]
        columns[f"gain_{journey.name}"] = np.bincount(bought.who, weights=bought.revenue, minlength=n)
        columns[f"lost_{journey.name}"] = rng.random(n) < journey.churn
        churned |= columns[f"lost_{journey.name}"] & lived[:, index]
        frames.append(extra[lived[extra.who, index]])
    frames.append(base_orders[~churned[base_orders.who]])
    people = people.assign(**{k: np.round(v, 2) if v.dtype.kind == "f" else v for k, v in columns.items()})
    return people, pd.concat(frames, ignore_index=True)


def outcome_under(customers: pd.DataFrame, lived: np.ndarray) -> np.ndarray:
    """Each customer's outcome-period revenue had they lived the journeys flagged in ``lived``
    (customers × journeys)."""
    lost = np.column_stack([customers[f"lost_{j.name}"].to_numpy(bool) for j in JOURNEYS])
    gain = np.column_stack([customers[f"gain_{j.name}"].to_numpy(float) for j in JOURNEYS])
    return np.where((lost & lived).any(axis=1), 0.0, customers.base.to_numpy(float)) + (gain * lived).sum(axis=1)


def entry_effects(log: EntryLog, observation_start: float, landmark: float,
                  customer_ids=None) -> dict[str, float]:
    """The true effect of entering each journey in the observation window, against not entering it there.

    Among the customers *at risk* of entering ``k`` at the window's start (not already past it: in
    the one-at-a-time scenarios, no journey entered before the window; in the overlapping one, not
    ``k``), the effect on customer ``i`` is their outcome had they entered ``k`` in the window minus
    their outcome had they not, with everything else as it would have happened. Not entering ``k``
    in the window means, one at a time, another choice made with the probabilities that customers
    with the same history have, given no journey before the window; overlapping, the other journeys
    as they were lived. Customers the design keeps who were not at risk count with the outcome they
    had, against the one under ``k``.

    Parameters
    ----------
    log
        The scenario.
    observation_start, landmark
        The window, in days from the log's start (:meth:`EntryLog.day`).
    customer_ids
        The customers to average over (those an estimate kept); default everyone at risk.

    Returns
    -------
    dict
        Journey name → average effect.
    """
    c = log.customers if customer_ids is None else log.customers[log.customers.customer_id.isin(set(customer_ids))]
    entry = np.column_stack([c[f"entry_{j.name}"].to_numpy(float) for j in JOURNEYS])
    lived = ~np.isnan(entry)
    before = lived & (entry < observation_start)
    last_entry = PERIOD_END - 21
    ahead = min(1.0, max(0.0, (last_entry - observation_start) / (last_entry - HISTORY_END)))
    effects = {}
    for k, journey in enumerate(JOURNEYS):
        with_k, without_k = lived.copy(), lived.copy()
        with_k[:, k], without_k[:, k] = True, False
        if log.scenario == "overlapping":
            at_risk = ~before[:, k]
            effect = outcome_under(c, with_k) - outcome_under(c, without_k)
        else:
            at_risk = ~before.any(axis=1)
            alone = np.zeros_like(lived)
            alone[:, k] = True
            effect = np.where(at_risk, outcome_under(c, alone) - _natural_course(c, k, ahead),
                              outcome_under(c, alone) - outcome_under(c, lived))
        if customer_ids is None:
            effect = effect[at_risk]
        effects[journey.name] = float(effect.mean()) if len(effect) else float("nan")
    return effects


def _natural_course(c: pd.DataFrame, k: int, ahead: float) -> np.ndarray:
    """Expected outcome of an at-risk customer who does not enter ``k`` in the window (one journey at a time).

    Given no journey before the window, a customer chose ``j`` with weight ``p_j`` times the share of
    entry days at or after the window's start (``ahead`` for any journey, 1 for none).
    """
    names = ["none", *(j.name for j in JOURNEYS)]
    weight = np.column_stack([c[f"p_{name}"].to_numpy(float) for name in names])
    weight[:, 1:] *= ahead
    weight[:, k + 1] = 0.0
    weight /= weight.sum(axis=1, keepdims=True)
    outcomes = [outcome_under(c, np.zeros((len(c), len(JOURNEYS)), dtype=bool))]
    for j in range(len(JOURNEYS)):
        alone = np.zeros((len(c), len(JOURNEYS)), dtype=bool)
        alone[:, j] = True
        outcomes.append(outcome_under(c, alone))
    return (weight * np.column_stack(outcomes)).sum(axis=1)


def _typed(events: pd.DataFrame, people: pd.DataFrame, start: datetime) -> pd.DataFrame:
    token = events.token.str.split("@", n=1, expand=True)
    ts = pd.Timestamp(start) + pd.to_timedelta(np.round(events.t.to_numpy() * 86_400), unit="s")
    return pd.DataFrame({"customer_id": people.customer_id.to_numpy()[events.who.to_numpy()], "ts": ts,
                         "activity": token[0].to_numpy(), "channel": token[1].to_numpy(),
                         "revenue": events.revenue.to_numpy(float)}).reset_index(drop=True)


def _typed_entries(entries: pd.DataFrame, journey_events: pd.DataFrame, people: pd.DataFrame,
                   start: datetime) -> pd.DataFrame:
    span = journey_events.groupby(["who", "journey"]).t.agg(["min", "max"]).reset_index()
    at = lambda days: pd.Timestamp(start) + pd.to_timedelta(np.round(days * 86_400), unit="s")  # noqa: E731
    return pd.DataFrame({"customer_id": people.customer_id.to_numpy()[span.who.to_numpy()], "journey": span.journey,
                         "start_ts": at(span["min"].to_numpy()), "end_ts": at(span["max"].to_numpy())})


def planted_assignments(log: EntryLog, instances: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Label journey instances with the journey the scenario planted in them: the discovery a design is tested on.

    Parameters
    ----------
    log
        The scenario.
    instances
        ``customer_id``, ``journey_instance_id``, ``start_ts``, ``end_ts`` of the log's instances.

    Returns
    -------
    tuple
        The assignments (``customer_id``, ``journey_instance_id``, ``journey_id``, ``probability``
        1): an instance overlapping a lived journey gets that journey's index in :data:`JOURNEYS`
        (the first, when it overlaps several), any other ``-1``; and the journeys (``journey_id``,
        ``name``).
    """
    both = instances.merge(log.entries, on="customer_id", suffixes=("", "_journey"))
    both = both[(both.start_ts <= both.end_ts_journey) & (both.end_ts >= both.start_ts_journey)]
    index = {j.name: i for i, j in enumerate(JOURNEYS)}
    labelled = both.assign(journey_id=both.journey.map(index).astype("int64")).sort_values(JOURNEY_ID)
    labelled = labelled.drop_duplicates("journey_instance_id")[["customer_id", "journey_instance_id", JOURNEY_ID]]
    noise = instances.loc[~instances.journey_instance_id.isin(labelled.journey_instance_id),
                          ["customer_id", "journey_instance_id"]].assign(journey_id=-1)
    assignments = pd.concat([labelled, noise], ignore_index=True).assign(probability=1.0)
    journeys = pd.DataFrame({JOURNEY_ID: list(index.values()), "name": list(index)})
    return assignments.sort_values("journey_instance_id", ignore_index=True), journeys
