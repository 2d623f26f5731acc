"""The log's profile: what a clean event log holds, computed once right after ingest.

Every later stage reads its capabilities from here (is there money, a channel, a conversion, enough
time?), and every ``auto`` setting is resolved from it (:mod:`parcours.ingest.resolve`). The profile is a
few aggregates on the engine; it never brings the events into memory.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from parcours.engine import iso_instant, seconds_since_epoch
from parcours.schema import ACTIVITY, CHANNEL, CUSTOMER_ID, EVENT_LOG_COLUMNS, EVENT_SEQ, REVENUE, TIMESTAMP

QUANTILES = (0.1, 0.5, 0.9, 0.99)
#: Words that name a conversion as done: a purchase, an order, a sale, a paid transaction.
OUTCOME_WORDS = frozenset({"purchase", "purchased", "order", "ordered", "buy", "bought", "paid", "transaction",
                           "subscribed", "booked", "conversion", "converted", "sale"})
#: Words that name a step towards one (a checkout, a payment, a sign-up): a conversion once completed.
PROCESS_WORDS = frozenset({"checkout", "payment", "pay", "subscribe", "subscription", "signup", "booking"})
#: Words that make such an activity its opposite or an unfinished step (a cancelled order, a failed payment).
NEGATION_WORDS = frozenset({"cancel", "cancelled", "canceled", "fail", "failed", "failure", "abandon", "abandoned",
                            "refund", "refunded", "return", "returned", "remove", "removed", "error", "declined",
                            "reject", "rejected", "unsubscribe", "issue", "bug"})
#: Words that mark the completed step of a multi-step conversion (payment_choice … payment_done).
COMPLETION_WORDS = frozenset({"done", "complete", "completed", "success", "successful", "confirmed", "placed",
                              "finished", "succeeded"})


@dataclass(frozen=True)
class LogProfile:
    """What the clean event log holds (see :func:`profile_log`).

    Quantiles are keyed ``p10``, ``p50``, ``p90``, ``p99``; gaps are between a customer's consecutive
    events, in hours. ``revenue_activities`` lists, per activity with money on some row, its rows, the
    rows with revenue and the positive and negative ones. ``purchase_like`` are the activities whose rows
    carry positive revenue at least half the time, ``return_like`` negative revenue; ``conversion_like``
    are those whose names read as a conversion (:data:`CONVERSION_WORDS`).
    """

    events: int
    customers: int
    first_ts: str | None
    last_ts: str | None
    span_days: float
    events_per_customer: dict[str, float]
    gap_hours: dict[str, float]
    activities: int
    channels: int
    tokens: int
    tie_share: float
    id_type: str
    has_revenue: bool
    has_channel: bool
    revenue_activities: list[dict[str, Any]] = field(default_factory=list)
    purchase_like: list[str] = field(default_factory=list)
    return_like: list[str] = field(default_factory=list)
    conversion_like: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    top_activities: list[dict[str, Any]] = field(default_factory=list)
    #: Rows per activity, every activity: what the activity folding is chosen from.
    activity_rows: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the content of ``log_profile.json``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LogProfile:
        """The profile of :meth:`to_dict` (extra keys, such as resolved settings, are ignored)."""
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def facts(self) -> list[tuple[str, str]]:
        """The profile as (what, value) lines a person reads: the CLI, the UI and the report's first page."""
        def q(d: dict[str, float], unit: str = "") -> str:
            return " / ".join(f"{d.get(k, float('nan')):,.3g}{unit}" for k in ("p10", "p50", "p90"))

        money = (f"yes, on {', '.join(r['activity'] for r in self.revenue_activities[:5])}"
                 if self.has_revenue and self.revenue_activities else "yes, but on no row" if self.has_revenue
                 else "no")
        return [
            ("events", f"{self.events:,}"), ("customers (or cases)", f"{self.customers:,} ({self.id_type} ids)"),
            ("time span", f"{(self.first_ts or '')[:10]} … {(self.last_ts or '')[:10]} ({self.span_days:,.1f} days)"),
            ("events per customer (p10 / p50 / p90)", q(self.events_per_customer)),
            ("gap between a customer's events, hours (p10 / p50 / p90)", q(self.gap_hours)),
            ("distinct activities · channels · steps", f"{self.activities:,} · {self.channels:,} · {self.tokens:,}"),
            ("events at the same instant as the customer's previous one", f"{self.tie_share:.1%}"),
            ("revenue", money), ("channel", "yes" if self.has_channel else "no"),
            ("purchase-like activities (positive revenue)", ", ".join(self.purchase_like) or "none"),
            ("conversion-like activities (by name)", ", ".join(self.conversion_like) or "none"),
            ("extra columns kept", ", ".join(self.extra_columns) or "none"),
        ]


def profile_log(events: ir.Table, *, has_revenue: bool, has_channel: bool) -> LogProfile:
    """Profile a clean event log (DESIGN.md §3).

    Parameters
    ----------
    events
        The canonical event log (extra columns after the canonical ones are event attributes).
    has_revenue, has_channel
        Whether the input mapped a revenue and a channel column.

    Returns
    -------
    LogProfile
    """
    totals = events.aggregate(events=events.count(), first=events[TIMESTAMP].min(),
                              last=events[TIMESTAMP].max()).to_pyarrow().to_pylist()[0]
    first, last = totals["first"], totals["last"]
    pairs = _activity_channels(events, has_revenue)
    activities = _per_activity(pairs)
    tokens = (pairs[ACTIVITY] + "@" + pairs[CHANNEL].fillna("")).nunique()
    return LogProfile(
        events=int(totals["events"]), first_ts=iso_instant(first), last_ts=iso_instant(last),
        span_days=round((last - first).total_seconds() / 86_400, 3) if first else 0.0,
        **_customers(events), **_gaps(events), activities=len(activities),
        channels=int(pairs[CHANNEL].dropna().nunique()), tokens=int(tokens),
        has_revenue=has_revenue, has_channel=has_channel, **_money(activities, has_revenue),
        conversion_like=conversion_like(list(activities[ACTIVITY])),
        extra_columns=[c for c in events.columns if c not in EVENT_LOG_COLUMNS],
        top_activities=activities.head(10)[[ACTIVITY, "rows"]].to_dict("records"),
        activity_rows={str(a): int(r) for a, r in zip(activities[ACTIVITY], activities["rows"], strict=True)},
    )


def conversion_like(activities: list[str]) -> list[str]:
    """The activities whose names read as a conversion done.

    No negation word (cancelled, failed, refund, ...) may appear. A conversion is an outcome word
    (``purchase``, ``order``, ``paid``, ...), or a process word completed (``payment_done``, not
    ``payment_choice``); only when the log has neither are the bare process steps taken.

    Examples
    --------
    >>> conversion_like(["catalog", "payment_choice", "payment_card", "payment_done", "cart"])
    ['payment_done']
    >>> conversion_like(["view_item", "order", "cancel order", "checkout_bug", "payment_details", "Resolve ticket"])
    ['order']
    >>> conversion_like(["register request", "pay compensation", "reject request"])
    ['pay compensation']
    """
    words = {a: set(re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", str(a)).lower())) for a in activities}
    clean = [a for a in activities if not words[a] & NEGATION_WORDS]
    done = [a for a in clean if words[a] & OUTCOME_WORDS or (words[a] & PROCESS_WORDS and words[a] & COMPLETION_WORDS)]
    return sorted(done or [a for a in clean if words[a] & PROCESS_WORDS])


def _quantiles(column: ir.NumericColumn) -> dict[str, float]:
    return _rounded(column.as_table().aggregate(**_quantile_struct(column)).to_pyarrow().to_pylist()[0]["s"])


def _quantile_struct(column: ir.NumericColumn) -> dict[str, ir.StructScalar]:
    """``s``: the :data:`QUANTILES` and the maximum of ``column``, from one sort (a multi-quantile aggregate)."""
    values = column.cast("float64")
    cuts = values.quantile(list(QUANTILES))
    return {"s": ibis.struct({f"p{round(q * 100)}": cuts[i] for i, q in enumerate(QUANTILES)} | {"max": values.max()})}


def _rounded(stats: dict[str, Any] | None) -> dict[str, float]:
    return {k: round(float(v), 4) for k, v in (stats or {}).items() if v is not None}


def _gaps(events: ir.Table) -> dict[str, Any]:
    """Gaps between a customer's consecutive events (hours) and the share of events tied with the previous one."""
    by_customer = ibis.window(group_by=CUSTOMER_ID, order_by=[TIMESTAMP, EVENT_SEQ])
    seconds = seconds_since_epoch(events[TIMESTAMP])
    gaps = events.select(gap=seconds - seconds.lag().over(by_customer))
    gaps = gaps.filter(gaps.gap.notnull())
    row = gaps.aggregate(n=gaps.count(), tied=gaps.count(where=gaps.gap == 0),
                         **_quantile_struct(gaps.gap / 3_600.0)).to_pyarrow().to_pylist()[0]
    if not row["n"]:
        return {"gap_hours": {}, "tie_share": 0.0}
    return {"gap_hours": _rounded(row["s"]), "tie_share": round(row["tied"] / row["n"], 6)}


def _activity_channels(events: ir.Table, has_revenue: bool) -> Any:
    """Per activity and channel: rows, rows with revenue, positive and negative ones (one scan; pandas)."""
    money = events[REVENUE] if has_revenue else ibis.null("float64")
    return events.group_by([ACTIVITY, CHANNEL]).aggregate(
        rows=events.count(), with_revenue=events.count(where=money.notnull()),
        positive=events.count(where=money > 0), negative=events.count(where=money < 0)).to_pandas()


def _per_activity(pairs: Any) -> Any:
    """The per-channel counts summed per activity, the busiest first."""
    per = pairs.groupby(ACTIVITY, as_index=False, sort=False)[["rows", "with_revenue", "positive", "negative"]].sum()
    return per.sort_values(["rows", ACTIVITY], ascending=[False, True], kind="stable").reset_index(drop=True)


def _money(activities: Any, has_revenue: bool) -> dict[str, Any]:
    if not has_revenue:
        return {"revenue_activities": [], "purchase_like": [], "return_like": []}
    carrying = activities[activities.with_revenue > 0]
    return {
        "revenue_activities": carrying.astype({c: "int64" for c in ("rows", "with_revenue", "positive", "negative")})
        .to_dict("records"),
        "purchase_like": sorted(carrying.loc[carrying.positive * 2 >= carrying.rows, ACTIVITY]),
        "return_like": sorted(carrying.loc[carrying.negative * 2 >= carrying.rows, ACTIVITY]),
    }


def _customers(events: ir.Table) -> dict[str, Any]:
    """Customers, events per customer (quantiles) and the id type, from one pass over the per-customer counts.

    The id type is ``integer`` (digits only), ``uuid`` or ``text``, from the distinct ids (leading zeros
    stay text ids).
    """
    per = events.group_by(CUSTOMER_ID).aggregate(n=events.count())
    ids = per[CUSTOMER_ID]
    row = per.aggregate(
        customers=per.count(), digits=per.count(where=ids.re_search(r"^-?[0-9]+$")),
        uuids=per.count(where=ids.re_search(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                                            r"[0-9a-fA-F]{12}$")),
        **_quantile_struct(per.n)).to_pyarrow().to_pylist()[0]
    n = int(row["customers"])
    id_type = "integer" if n and row["digits"] == n else "uuid" if n and row["uuids"] == n else "text"
    return {"customers": n, "events_per_customer": _rounded(row["s"]), "id_type": id_type}
