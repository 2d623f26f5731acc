"""Seeded omnichannel retail demo log with planted journeys and a truth file to test against.

The story, in days from ``start``:

- ``[0, 300)`` pre-period: each customer's purchase history (orders on web, store and app, a few
  returns and complaints), driven by a latent *value* trait;
- ``[365, 455)`` observation window: most customers live one planted journey (web buyers who then
  visit a store, complaint then churn, ...), chosen with probabilities that depend on their value,
  so journey choice is confounded with value; the others browse at random;
- ``485`` landmark; ``[485, 665)`` outcome window: baseline orders, plus the planted effect of the
  journey (extra orders, or churn).

Every customer's outcome revenue is drawn under *no* journey and under *each* planted journey with
the same random numbers (potential outcomes), so any causal estimand is known exactly. A share of
dirty rows (missing ids, bad dates, duplicates, malformed lines, ...) is added on top of the real
events, and their counts per quarantine reason are part of the truth.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

PRE_END, WINDOW_START, WINDOW_END, LANDMARK, OUTCOME_END = 300, 365, 455, 485, 665
_DAY = 86_400


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
_BROWSE = ("view_item@web", "view_item@app", "email_open@email", "social_click@social", "search@web")
_DIRTY_KINDS = ("missing_customer_id", "unparseable_time", "time_out_of_range", "future_time",
                "missing_activity", "bad_revenue", "malformed_row", "duplicate")


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
    start = start or datetime(2024, 1, 1, tzinfo=UTC)
    people = _draw_customers(rng, customers)
    parts = [_pre_period(rng, people), _journeys(rng, people), _outcomes(rng, people)]
    events = pd.concat([p for p in parts if len(p)], ignore_index=True)
    events = _assign_devices(rng, events, people)
    events = events.drop_duplicates(["customer_id", "t", "token", "revenue"]).sort_values(["t", "order"], kind="stable")
    text = _as_text(events.reset_index(drop=True), start, rng)
    text, dirty = _add_dirty_rows(rng, text, dirty_share)
    truth = _truth(people, events, dirty, start, customers, seed)
    identities = people.loc[people.device.notna(), ["device", "customer_id"]].rename(columns={"device": "identifier"})
    return DemoLog(events=text, customers=_truth_table(people), identities=identities.reset_index(drop=True), truth=truth)


def _draw_customers(rng: np.random.Generator, n: int) -> pd.DataFrame:
    value = rng.normal(size=n)
    logits = np.column_stack([np.zeros(n)] + [j.logit + j.value_slope * value for j in PLANTED])
    logits[:, 0] = 0.3  # "no planted journey"
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    choice = (rng.random(n)[:, None] > probs.cumsum(axis=1)).sum(axis=1)
    return pd.DataFrame({
        "customer_id": [f"C{i:07d}" for i in range(1, n + 1)],
        "value": value,
        "rate": 3.0 * np.exp(0.5 * value),  # orders a year
        "spend": np.exp(np.log(60) + 0.3 * value + rng.normal(0, 0.2, n)),
        "journey": np.where(choice == 0, "none", np.array(["none", *[j.name for j in PLANTED]])[choice]),
        "device": np.where(rng.random(n) < 0.05, [f"D{h:012x}" for h in rng.integers(0, 2**47, n)], None),
    })


def _orders(rng: np.random.Generator, people: pd.DataFrame, who: np.ndarray, t: np.ndarray) -> pd.DataFrame:
    """A browse-then-order (web, app) or visit-then-order (store) pair of events per order time."""
    channel = rng.choice(["web", "store", "app"], size=len(who), p=[0.5, 0.3, 0.2])
    revenue = np.round(people.spend.to_numpy()[who] * rng.lognormal(0, 0.4, len(who)), 2)
    lead = np.where(channel == "store", 0.0, rng.uniform(0.02, 0.15, len(who)))
    first = np.where(channel == "store", "store_visit@store", "view_item@" + channel)
    return pd.concat([
        _frame(people, who, t - lead, first, np.nan, 0),
        _frame(people, who, t, "order@" + channel, revenue, 1),
    ])


def _frame(people: pd.DataFrame, who: np.ndarray, t: np.ndarray, token, revenue, order: int) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": people.customer_id.to_numpy()[who], "t": t, "token": token,
                         "revenue": revenue, "order": order})


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
    complaints = _frame(people, whiners, rng.uniform(0, PRE_END, len(whiners)), "complaint@phone", np.nan, 0)
    return pd.concat([orders, returns, complaints])


def _journeys(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    frames = [_browsing(rng, people)]
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
        frames.append(_frame(people, who[r], times[r, c], tok, revenue, c))
        noisy = np.flatnonzero(rng.random(len(who)) < 0.2)  # and a few get an extra browse step
        frames.append(_frame(people, who[noisy], times[noisy, 0] + rng.uniform(0, 2, len(noisy)),
                             rng.choice(_BROWSE, len(noisy)), np.nan, 9))
    return pd.concat(frames)


def _browsing(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    who = np.flatnonzero((people.journey.to_numpy() == "none") & (rng.random(len(people)) < 0.6))
    n_steps = rng.integers(1, 5, len(who))
    rep = np.repeat(who, n_steps)
    t = np.repeat(rng.uniform(WINDOW_START, WINDOW_END - 10, len(who)), n_steps) + rng.uniform(0, 5, len(rep))
    return _frame(people, rep, t, rng.choice(_BROWSE, len(rep)), np.nan, 0)


def _outcomes(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    """Outcome-window orders; the potential outcome under every journey is stored on ``people``."""
    n = len(people)
    who = np.repeat(np.arange(n), rng.poisson(people.rate.to_numpy() * (OUTCOME_END - LANDMARK) / 365))
    base = _orders(rng, people, who, rng.uniform(LANDMARK, OUTCOME_END, len(who)))
    y0 = np.bincount(who, weights=base.revenue.to_numpy()[len(who):], minlength=n)
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
        frames.append(extra[np.tile(mine[extra_who], 2)])
    frames.append(base[~np.tile(churned[who], 2)])
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


def _as_text(events: pd.DataFrame, start: datetime, rng: np.random.Generator) -> pd.DataFrame:
    """Write times as ISO 8601 with ``Z`` (80%), with a +01:00/+02:00 offset (10%) or naive UTC (10%)."""
    ts = pd.Timestamp(start) + pd.to_timedelta(np.round(events.t.to_numpy() * _DAY), unit="s")
    style = rng.choice(3, size=len(events), p=[0.8, 0.1, 0.1])
    text = _format_times(pd.DatetimeIndex(ts), style)
    parts = events.token.astype("string").str.split("@", n=1, expand=True)
    activity, channel = parts[0], parts[1]
    return pd.DataFrame({
        "customer_id": events.customer_id.to_numpy(), "ts": text, "activity": activity.to_numpy(),
        "channel": channel.to_numpy(), "revenue": _money(events.revenue.to_numpy()),
        "_malformed": "",
    })


def _money(values: np.ndarray) -> np.ndarray:
    text = np.char.mod("%.2f", np.nan_to_num(values)).astype(object)
    return np.where(np.isnan(values), "", text)


def _format_times(ts: pd.DatetimeIndex, style: np.ndarray) -> np.ndarray:
    out = np.asarray(ts.strftime("%Y-%m-%dT%H:%M:%SZ"), dtype=object)
    offset = style == 1
    if offset.any():
        local = np.asarray(ts[offset].tz_convert("Europe/Paris").strftime("%Y-%m-%dT%H:%M:%S%z"), dtype=str)
        out[offset] = [f"{v[:-2]}:{v[-2:]}" for v in local]
    naive = style == 2
    if naive.any():
        out[naive] = np.asarray(ts[naive].strftime("%Y-%m-%d %H:%M:%S"), dtype=object)
    return out


def _add_dirty_rows(rng: np.random.Generator, text: pd.DataFrame, share: float) -> tuple[pd.DataFrame, dict]:
    n_dirty = int(round(share * len(text)))
    kinds = rng.choice(_DIRTY_KINDS, size=n_dirty)
    source = text.iloc[rng.integers(0, len(text), n_dirty)].reset_index(drop=True)
    dirty = source.copy()
    dirty.loc[kinds == "missing_customer_id", "customer_id"] = ""
    dirty.loc[kinds == "unparseable_time", "ts"] = rng.choice(["not a date", "2024-02-30T25:61:00", "yesterday"],
                                                              int((kinds == "unparseable_time").sum()))
    dirty.loc[kinds == "time_out_of_range", "ts"] = "1900-01-01T00:00:00Z"
    dirty.loc[kinds == "future_time", "ts"] = "2099-06-01T12:00:00Z"
    dirty.loc[kinds == "missing_activity", "activity"] = ""
    dirty.loc[kinds == "bad_revenue", "revenue"] = rng.choice(["12.50 EUR", "n/a", "1e999"],
                                                              int((kinds == "bad_revenue").sum()))
    dup = kinds == "duplicate"
    dirty.loc[dup, "ts"] = _format_times(pd.DatetimeIndex(pd.to_datetime(source.ts[dup], utc=True, format="ISO8601")),
                                         np.full(int(dup.sum()), 2))
    malformed = kinds == "malformed_row"
    dirty.loc[malformed, "_malformed"] = dirty.customer_id[malformed] + ",broken line"
    positions = np.sort(rng.integers(0, len(text) + 1, n_dirty))
    merged = pd.concat([text.assign(_k=np.arange(len(text)) * 2 + 1), dirty.assign(_k=positions * 2)])
    merged = merged.sort_values("_k", kind="stable").drop(columns="_k").reset_index(drop=True)
    return merged, {kind: int((kinds == kind).sum()) for kind in _DIRTY_KINDS}


def _truth(people: pd.DataFrame, events: pd.DataFrame, dirty: dict, start: datetime, n: int, seed: int) -> dict:
    day = lambda d: (start + timedelta(days=d)).isoformat()  # noqa: E731
    return {
        "customers": n, "seed": seed, "events": len(events),
        "windows": {"pre_period": [day(0), day(PRE_END)], "observation": [day(WINDOW_START), day(WINDOW_END)],
                    "landmark": day(LANDMARK), "outcome": [day(LANDMARK), day(OUTCOME_END)]},
        "journeys": {j.name: {"label": j.label, "steps": [s for s, _ in j.steps], "extra_orders": j.extra_orders,
                              "churn": j.churn, "value_slope": j.value_slope,
                              "customers": int((people.journey == j.name).sum()),
                              "mean_effect": round(float((people[f"outcome_{j.name}"] - people.outcome_none).mean()), 2)}
                     for j in PLANTED},
        "dirty_rows": dirty,
        "expected_ingest": {"clean": len(events), "duplicates": dirty["duplicate"],
                            "quarantined": sum(v for k, v in dirty.items() if k != "duplicate"),
                            "rows_in": len(events) + sum(dirty.values())},
        "devices": int(people.device.notna().sum()),
    }


def _truth_table(people: pd.DataFrame) -> pd.DataFrame:
    columns = ["customer_id", "value", "journey", "device", "outcome_observed", "outcome_none",
               *[f"outcome_{j.name}" for j in PLANTED]]
    return people[columns].rename(columns={"journey": "planted_journey"})
