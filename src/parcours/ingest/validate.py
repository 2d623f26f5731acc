"""Normalise raw rows to canonical types and give each unusable row exactly one quarantine reason."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from parcours.engine import parse_with_format, read_wall_clock
from parcours.ingest.raw import extra_columns
from parcours.schema import ACTIVITY, CHANNEL, CUSTOMER_ID, INPUT_COLUMNS, REVENUE, TIMESTAMP
from parcours.settings import IngestSettings

_OFFSET = r"\d:\d{2}(:\d{2}(\.\d*)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$"  # an offset after a time part
UTC_TS = dt.Timestamp(timezone="UTC")
#: The instants an event time may be: what a nanosecond timestamp (pandas, NumPy, Spark's Arrow) can hold.
REPRESENTABLE = (datetime(1677, 9, 22, tzinfo=UTC), datetime(2262, 4, 11, tzinfo=UTC))


_BLANKS = r"^[ \t\n\r\f\x0b]+|[ \t\n\r\f\x0b]+$"  # string.whitespace, at either end
#: Characters nobody sees, that break tokens, pictures and files: C0 controls (NUL, tab, line breaks) and DEL.
_CONTROL = r"[\x00-\x1f\x7f]"


def clean_text(value: ir.Value) -> ir.StringValue:
    """Cast to text, strip surrounding blanks, and read an empty string as missing.

    A regular expression rather than ``strip()``: Ibis writes ``strip()`` for Spark with a ``\\v`` that
    Spark reads as the letter ``v`` (``"view"`` lost its first letter), and DuckDB runs this as fast.
    """
    return value.cast("string").re_replace(_BLANKS, "").nullif("")


def parse_time(value: ir.Value, timezone: str, time_format: str | None = None) -> ir.TimestampValue:
    """Parse event times into UTC instants; what cannot be parsed becomes null.

    Strings with ``Z`` or an offset denote their instant; naive strings are wall-clock times in
    ``timezone`` (daylight-saving changes by the rule of :func:`parcours.engine.localize_to_utc`).
    Typed timestamps keep their instant (aware) or are read in ``timezone`` (naive). With
    ``time_format``, a text that does not match it is null, like any unreadable time; so is an
    instant outside :data:`REPRESENTABLE` (``infinity``, year 1).
    """
    return _bounded(_parsed(value, timezone, time_format)[0])


def _parsed(value: ir.Value, timezone: str, time_format: str | None) -> tuple[ir.TimestampValue, ir.StringValue]:
    """The instants, and for a wall-clock time read in ``timezone`` across daylight saving its kind."""
    vtype, none = value.type(), ibis.null("string")
    if vtype.is_timestamp():
        return (value.cast(UTC_TS), none) if vtype.timezone else read_wall_clock(value, timezone)
    if vtype.is_date():
        return read_wall_clock(value.cast(dt.Timestamp()), timezone)
    text = clean_text(value)
    if time_format:
        parsed = parse_with_format(text, time_format)
        return (parsed.cast(UTC_TS), none) if parsed.type().timezone else read_wall_clock(parsed, timezone)
    has_offset = text.re_search(_OFFSET)
    local, kind = read_wall_clock(text.try_cast(dt.Timestamp()), timezone)
    return ibis.ifelse(has_offset, text.try_cast(UTC_TS), local), ibis.ifelse(has_offset, none, kind)


def _bounded(ts: ir.TimestampValue) -> ir.TimestampValue:
    """Null for an instant outside :data:`REPRESENTABLE` (``infinity``, year 1 or 9999): no tool after overflows."""
    low, high = REPRESENTABLE
    return ibis.ifelse((ts >= low) & (ts <= high), ts, ibis.null(UTC_TS))


def parse_revenue(value: ir.Value, decimal: str = ".") -> tuple[ir.FloatingValue, ir.BooleanValue]:
    """Return the revenue as float64 and whether a non-empty value failed to parse or is not finite.

    With ``decimal=","`` the text is read as much of Europe writes money: ``1.234,50`` is 1234.5 (dots,
    spaces and no-break spaces are thousands separators).
    """
    if value.type().is_numeric():
        number, given = value.cast("float64"), value.notnull()
    else:
        text = clean_text(value)
        readable = text.re_replace("[.\\s\u00a0\u202f]", "").replace(",", ".") if decimal == "," else text
        number, given = readable.try_cast("float64"), text.notnull()
    # |x| > the largest double rather than isinf(): Ibis's isinf() is false for infinities on Spark
    bad = given & (number.isnull() | number.isnan() | (number.abs() > sys.float_info.max))
    return ibis.ifelse(bad, ibis.null("float64"), number), bad


def classify(raw: ir.Table, settings: IngestSettings, now: datetime) -> ir.Table:
    """Add canonical typed columns, ``reason`` (null for usable rows) and ``detail``.

    Parameters
    ----------
    raw
        The raw table of :func:`parcours.ingest.read.read_events`.
    settings
        Time zone, time range, vocabulary.
    now
        The instant after which a time counts as future (plus the configured tolerance).

    Returns
    -------
    ibis.expr.types.Table
        The raw columns as read (``<name>_raw``, null on usable rows), the canonical columns, ``event_seq`` (file index
        · 2³² + line: source order, unique), ``line``, ``file_idx``, ``raw_line``,
        ``reason`` and ``detail``, ``_wall_clock`` (``skipped`` or ``repeated``: a local time read
        across a daylight-saving change) and ``_revenue_unread`` (the revenue text of an event kept
        without it, ``ingest.unreadable_revenue: keep_event``). The reason is the first rule broken, in
        the order of :data:`parcours.schema.REASONS`.
    """
    customer = clean_text(raw[CUSTOMER_ID])
    activity = clean_text(raw[ACTIVITY])
    instants, wall_clock = _parsed(raw[TIMESTAMP], settings.timezone, settings.time_format)  # read once
    ts = _bounded(instants)
    revenue, unreadable = parse_revenue(raw[REVENUE], settings.decimal)
    bad_revenue = unreadable if settings.unreadable_revenue == "quarantine" else ibis.literal(False)
    too_early = ts < settings.min_time if settings.min_time else ibis.literal(False)
    too_late = ts > settings.max_time if settings.max_time else ibis.literal(False)
    future = ts > now + timedelta(seconds=settings.future_tolerance_seconds)
    unknown = ~activity.isin(settings.vocabulary) if settings.vocabulary else ibis.literal(False)
    channel = clean_text(raw[CHANNEL])
    invisible = {name: value.re_search(_CONTROL).fill_null(False)
                 for name, value in ((CUSTOMER_ID, customer), (ACTIVITY, activity), (CHANNEL, channel))}
    hidden = invisible[CUSTOMER_ID] | invisible[ACTIVITY] | invisible[CHANNEL]
    reason = ibis.cases(
        (raw.malformed.notnull(), "malformed_row"),
        (hidden, "control_character"),
        (customer.isnull(), "missing_customer_id"),
        (activity.isnull(), "missing_activity"),
        (ts.isnull(), "unparseable_time"),
        (too_early | too_late, "time_out_of_range"),
        (future, "future_time"),
        (unknown, "unknown_activity"),
        (bad_revenue, "bad_revenue"),
        else_=ibis.null("string"),
    )
    detail = ibis.cases(
        (raw.malformed.notnull(), raw.malformed),
        *((invisible[name], ibis.literal(f"a control character (NUL, tab, line break, ...) inside {name}"))
          for name in invisible),
        (too_early | too_late, _range_text(settings)),
        (future, ibis.literal(f"after {now.isoformat()}")),
        else_=ibis.null("string"),
    )
    return raw.select(  # the original values are kept only where a reason needs them shown
        **{f"{c}_raw": ibis.ifelse(reason.notnull(), raw[c], ibis.null(raw[c].type())) for c in INPUT_COLUMNS},
        **{CUSTOMER_ID: customer, TIMESTAMP: ts, ACTIVITY: activity, CHANNEL: channel,
           REVENUE: revenue},
        event_seq=raw.file_idx * 2**32 + raw.line,
        line=raw.line, file_idx=raw.file_idx, raw_line=raw.raw_line,
        reason=reason, detail=detail, **{c: raw[c] for c in extra_columns(raw)},  # event attributes, as read
        _wall_clock=wall_clock,
        _revenue_unread=ibis.ifelse(unreadable & ~bad_revenue, raw[REVENUE].cast("string"), ibis.null("string")),
    )


def _range_text(settings: IngestSettings) -> ir.StringValue:
    low = settings.min_time.isoformat() if settings.min_time else "-inf"
    high = settings.max_time.isoformat() if settings.max_time else "+inf"
    return ibis.literal(f"outside [{low}, {high}]")
