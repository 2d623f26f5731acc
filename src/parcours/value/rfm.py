"""Transactions and RFM summaries from the event log, computed on the engine.

A *transaction* is a customer's purchases on one UTC day (its value: their summed revenue, an order
without revenue counting 0). At a landmark day, a customer's summary is the classic
(frequency, recency, T, monetary) of Fader, Hardie & Lee: repeat transactions, time from the first
to the last, time from the first to the landmark, mean value of the repeat transactions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import ibis
import ibis.expr.types as ir

from parcours import days
from parcours.days import DAYS_PER_UNIT, day_number, with_day
from parcours.schema import ACTIVITY, CUSTOMER_ID, REVENUE
from parcours.stages import StageSkipped


class CustomerValueError(StageSkipped):
    """The event log cannot give customer values: no purchase or conversion, too few repeat buyers, too short."""


def observed_days(events: ir.Table) -> tuple[int, int]:
    """First and last event day of the log (:func:`parcours.days.observed_days`), as the value stage's error.

    Raises
    ------
    CustomerValueError
        When the log has no event: there is no customer to value.
    """
    with _no_customer_to_value():
        return days.observed_days(events)


def default_landmark(events: ir.Table, horizon_months: int) -> date:
    """The day after the last event minus the horizon (:func:`parcours.days.default_landmark`).

    Raises
    ------
    CustomerValueError
        When the log has no event.
    """
    with _no_customer_to_value():
        return days.default_landmark(events, horizon_months)


@contextmanager
def _no_customer_to_value() -> Iterator[None]:
    """An empty log, as the value stage says it: :class:`CustomerValueError` instead of ``EmptyLogError``."""
    try:
        yield
    except days.EmptyLogError as empty:
        raise CustomerValueError(str(empty)) from empty


def transactions(events: ir.Table, purchase_activities: list[str], has_revenue: bool = True) -> ir.Table:
    """One row per customer and day with a purchase: ``customer_id``, ``day``, ``value`` (summed revenue)."""
    purchases = with_day(events).filter(events[ACTIVITY].isin(purchase_activities))
    amount = purchases[REVENUE].fill_null(0.0) if has_revenue else ibis.literal(0.0)
    return purchases.mutate(amount=amount).group_by([CUSTOMER_ID, "day"]).aggregate(value=ibis._.amount.sum())


def rfm_summary(events: ir.Table, landmark: date, *, purchase_activities: list[str],
                return_activities: list[str], returns: str = "net", time_unit: str = "W",
                has_revenue: bool = True) -> ir.Table:
    """Frequency, recency, T and monetary value of every customer who purchased before ``landmark``.

    Parameters
    ----------
    events
        The canonical event log.
    landmark
        First day *not* observed: purchases before it count; ``T`` runs to it.
    purchase_activities, return_activities
        Activities that are purchases, and that give money back (their revenue is negative).
    returns
        ``"net"``: monetary is scaled by ``1 + returns / gross revenue`` (at least 0), so each
        purchase loses the customer's return share; ``"ignore"``: returns are not counted.
    time_unit
        ``D``, ``W`` or ``M``: the unit of ``recency`` and ``T``.

    Returns
    -------
    ibis.expr.types.Table
        ``customer_id``, ``frequency`` (repeat transactions), ``recency``, ``T``, ``monetary``
        (mean value of the repeat transactions; 0 without any), ``first_day``, ``last_day``,
        ``revenue`` (gross) and ``returned`` (negative or 0).
    """
    cut = day_number(landmark)
    daily = transactions(events, purchase_activities, has_revenue)
    daily = daily.filter(daily.day < cut)
    ranked = daily.mutate(rank=ibis.row_number().over(group_by=CUSTOMER_ID, order_by="day"))
    per = ranked.group_by(CUSTOMER_ID).aggregate(
        n=ranked.count(), first_day=ranked.day.min(), last_day=ranked.day.max(), revenue=ranked.value.sum(),
        repeat_value=ranked.value.sum(where=ranked["rank"] > 0).fill_null(0.0))
    if has_revenue and returns == "net":
        per = per.left_join(returned(events, return_activities, None, cut), CUSTOMER_ID).drop(f"{CUSTOMER_ID}_right")
    else:
        per = per.mutate(returned=ibis.literal(0.0))
    unit = DAYS_PER_UNIT[time_unit]
    frequency = per.n - 1
    kept = ibis.greatest(1.0 + per.returned.fill_null(0.0) / ibis.greatest(per.revenue, 1e-9), 0.0)
    monetary = ibis.ifelse(frequency > 0, per.repeat_value / frequency.cast("float64") * kept, 0.0)
    return per.select(
        # day differences cast to float64 first: Spark reads a literal like 7.0 as a decimal and rounds to 6 places
        CUSTOMER_ID, frequency=frequency, recency=(per.last_day - per.first_day).cast("float64") / unit,
        T=(cut - per.first_day).cast("float64") / unit, monetary=ibis.greatest(monetary, 0.0), first_day=per.first_day,
        last_day=per.last_day, revenue=per.revenue, returned=per.returned.fill_null(0.0),
    ).order_by(CUSTOMER_ID)


def returned(events: ir.Table, return_activities: list[str], start: int | None, end: int) -> ir.Table:
    """Per customer, the money given back (``returned``, negative) on days ``[start, end)``."""
    is_return = events[ACTIVITY].isin(return_activities) if return_activities else ibis.literal(False)
    back = with_day(events).filter(is_return)
    back = back.filter(back.day < end) if start is None else back.filter((back.day >= start) & (back.day < end))
    return back.group_by(CUSTOMER_ID).aggregate(returned=(-back[REVENUE].abs()).fill_null(0.0).sum())


def holdout_actuals(events: ir.Table, start: date, end: date, *, purchase_activities: list[str],
                    return_activities: list[str], returns: str = "net", has_revenue: bool = True) -> ir.Table:
    """What each customer did in the holdout days ``[start, end)``.

    Returns
    -------
    ibis.expr.types.Table
        ``customer_id``, ``holdout_purchases`` (transactions) and ``holdout_revenue`` (their value,
        less the returns of the same days when ``returns`` is ``"net"``), for customers with a purchase.
    """
    first, last = day_number(start), day_number(end)
    daily = transactions(events, purchase_activities, has_revenue)
    daily = daily.filter((daily.day >= first) & (daily.day < last))
    bought = daily.group_by(CUSTOMER_ID).aggregate(holdout_purchases=daily.count(), gross=daily.value.sum())
    if not (has_revenue and returns == "net"):
        return bought.select(CUSTOMER_ID, "holdout_purchases", holdout_revenue=bought.gross)
    net = bought.left_join(returned(events, return_activities, first, last), CUSTOMER_ID)
    return net.select(CUSTOMER_ID, "holdout_purchases", holdout_revenue=net.gross + net.returned.fill_null(0.0))

