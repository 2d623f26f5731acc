"""Day arithmetic shared by the stages: event days, the log's first and last day, the default landmark.

A *day* is the UTC day of an instant as days since 1970-01-01, an integer every engine computes the same
way. The value and impact stages both cut the log at a landmark day into a calibration and a holdout (or
outcome) window, so they must count days identically: this module is the one place that does it.
"""

from __future__ import annotations

from datetime import date

import ibis.expr.types as ir

from parcours.engine import seconds_since_epoch
from parcours.schema import SECONDS_PER_DAY, TIMESTAMP
from parcours.stages import StageSkipped

DAY_S = SECONDS_PER_DAY
#: Days in one model time unit (a month as pymc-marketing counts it).
DAYS_PER_UNIT = {"D": 1.0, "W": 7.0, "M": 30.4375}
DAYS_PER_MONTH = DAYS_PER_UNIT["M"]
EPOCH = date(1970, 1, 1)


class EmptyLogError(StageSkipped):
    """The event log has no event, so it has no first or last day."""


def day_number(day: date) -> int:
    """Days since 1970-01-01 of ``day`` (the engine's ``day`` column).

    >>> day_number(date(1970, 1, 2))
    1
    """
    return (day - EPOCH).days


def day_date(number: int) -> date:
    """The date of a day number (inverse of :func:`day_number`).

    >>> day_date(19723)
    datetime.date(2024, 1, 1)
    """
    return date.fromordinal(EPOCH.toordinal() + int(number))


def with_day(events: ir.Table) -> ir.Table:
    """Add ``day``: the UTC day of the event, as days since 1970-01-01 (an integer, portable across engines).

    From :func:`parcours.engine.seconds_since_epoch`, which reads the instant on DuckDB without the per-row
    time-zone conversion of Ibis's ``epoch_seconds`` (half the cost of a pass over the events).
    """
    return events.mutate(day=_day_of(events[TIMESTAMP]))


def _day_of(ts: ir.TimestampValue) -> ir.IntegerValue:
    return (seconds_since_epoch(ts) / DAY_S).floor().cast("int64")


def horizon_days(horizon_months: int) -> int:
    """Whole days of a horizon of ``horizon_months`` months (30.4375 days each).

    >>> horizon_days(12)
    365
    """
    return round(horizon_months * DAYS_PER_MONTH)


def observed_days(events: ir.Table) -> tuple[int, int]:
    """First and last event day (day numbers) of the log.

    The day of the first and last instant, as :func:`with_day` computes it: the day is monotone in time, so
    this equals the first and last of every event's day, with two conversions instead of one per event.

    Raises
    ------
    EmptyLogError
        When the log has no event.
    """
    bounds = events.aggregate(first=events[TIMESTAMP].min(), last=events[TIMESTAMP].max())
    days = bounds.select(*[_day_of(bounds[k]).name(k) for k in ("first", "last")])
    span = days.to_pyarrow().to_pylist()[0]
    if span["first"] is None:
        raise EmptyLogError("the event log is empty: there is no customer to value")
    return int(span["first"]), int(span["last"])


def default_landmark(events: ir.Table, horizon_months: int) -> date:
    """The day after the last event minus the horizon, so the last ``horizon_months`` can be the holdout."""
    return day_date(observed_days(events)[1] + 1 - horizon_days(horizon_months))
