"""Canonical column names and types of the event log (DESIGN.md §3)."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt

CUSTOMER_ID = "customer_id"
TIMESTAMP = "ts"
ACTIVITY = "activity"
CHANNEL = "channel"
REVENUE = "revenue"
EVENT_SEQ = "event_seq"
SOURCE = "source"

#: Columns a mapping must provide (required) or may provide (optional).
REQUIRED_INPUT_COLUMNS = (CUSTOMER_ID, TIMESTAMP, ACTIVITY)
OPTIONAL_INPUT_COLUMNS = (CHANNEL, REVENUE)
INPUT_COLUMNS = REQUIRED_INPUT_COLUMNS + OPTIONAL_INPUT_COLUMNS

EVENT_LOG_SCHEMA = ibis.schema(
    {
        CUSTOMER_ID: dt.String(nullable=False),
        TIMESTAMP: dt.Timestamp(timezone="UTC", nullable=False),
        ACTIVITY: dt.String(nullable=False),
        CHANNEL: dt.string,
        REVENUE: dt.float64,
        EVENT_SEQ: dt.Int64(nullable=False),
        SOURCE: dt.String(nullable=False),
    }
)
EVENT_LOG_COLUMNS = tuple(EVENT_LOG_SCHEMA.names)

# Quarantine: the original values (as text, under their canonical names), where they came from, why.
LINE = "line"
REASON = "reason"
DETAIL = "detail"
RAW_LINE = "raw_line"
QUARANTINE_COLUMNS = (*INPUT_COLUMNS, SOURCE, LINE, REASON, DETAIL, RAW_LINE)

# Journey instances (DESIGN.md §7).
JOURNEY_INSTANCE_ID = "journey_instance_id"
EPISODE = "episode"
START_TS = "start_ts"
END_TS = "end_ts"
N_EVENTS = "n_events"
TOKENS = "tokens"
STEP_TIMES = "step_times"  # each token's time, seconds since the epoch: the process map and step pairs read them
JOURNEY_INSTANCE_COLUMNS = (
    CUSTOMER_ID,
    JOURNEY_INSTANCE_ID,
    EPISODE,
    START_TS,
    END_TS,
    N_EVENTS,
    TOKENS,
    STEP_TIMES,
    "n_tokens",
    "duration_s",
    REVENUE,
    "first_conversion_s",
)

# Journeys (DESIGN.md §7): the column every stage after discovery joins on, and the id of noise (journeys are
# numbered from 0 by size, so a later stage keeps the journeys with ``journey_id >= 0``).
JOURNEY_ID = "journey_id"
NOISE = -1

#: Quarantine reasons, in the order they are tested: a row gets the first that applies.
REASONS = (
    "malformed_row",
    "control_character",
    "missing_customer_id",
    "missing_activity",
    "unparseable_time",
    "time_out_of_range",
    "future_time",
    "unknown_activity",
    "bad_revenue",
)

#: The words every stage shares, defined once: how a token sequence is written as text (variants, representatives,
#: rule patterns), and the seconds in a day (time windows are in days, timestamps in seconds).
VARIANT_SEPARATOR = " → "
SECONDS_PER_DAY = 86_400
