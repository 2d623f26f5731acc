"""Journey instances: each customer's events cut into episodes (an inactivity gap, or a session), as token sequences."""

from __future__ import annotations

from itertools import pairwise

import ibis
import ibis.expr.types as ir

from parcours.engine import materialise, release, seconds_since_epoch
from parcours.ingest.folding import fold_expression
from parcours.schema import (
    ACTIVITY,
    CHANNEL,
    CUSTOMER_ID,
    END_TS,
    EPISODE,
    EVENT_LOG_COLUMNS,
    EVENT_SEQ,
    JOURNEY_INSTANCE_ID,
    N_EVENTS,
    REVENUE,
    START_TS,
    STEP_TIMES,
    TIMESTAMP,
    TOKENS,
)
from parcours.settings import EpisodeSettings

TOKEN = "token"


class EpisodeSettingsError(ValueError):
    """The episode settings name something the event log does not hold (a session column, say)."""


def event_tokens(events: ir.Table, settings: EpisodeSettings, *, has_channel: bool = True) -> ir.StringValue:
    """The token of each event: ``activity@channel`` (or the activity alone), then the abstraction map.

    Abstraction keys that contain ``@`` map whole tokens; the others map activities before the
    channel is appended. A resolved ``activity_folding`` folds the activities first
    (:mod:`parcours.ingest.folding`); left at ``auto``, nothing is folded here.
    """
    by_activity = {k: v for k, v in settings.abstraction.items() if "@" not in k}
    by_token = {k: v for k, v in settings.abstraction.items() if "@" in k}
    activity = events[ACTIVITY].substitute(by_activity) if by_activity else events[ACTIVITY]
    if isinstance(settings.activity_folding, dict):
        activity = fold_expression(activity, settings.activity_folding)
    if has_channel and settings.use_channel:
        token = activity + "@" + events[CHANNEL].fill_null(settings.missing_channel)
    else:
        token = activity
    return token.substitute(by_token) if by_token else token


def episode_steps(events: ir.Table, settings: EpisodeSettings, *, has_channel: bool = True) -> ir.Table:
    """Every event with its journey instance, its token and its position in the instance.

    A new instance starts at a customer's first event and after every gap longer than
    ``settings.inactivity_gap_days`` (never, if that is null); with ``settings.session_column``, at
    every event whose session differs from the customer's previous event's instead (a missing session
    is a value of its own). Events are ordered by time, ties by ``event_seq`` (source order).

    Raises
    ------
    EpisodeSettingsError
        If ``settings.session_column`` is not a column of ``events``.

    Returns
    -------
    ibis.expr.types.Table
        The event columns plus ``episode`` (1-based), ``journey_instance_id``
        (``<customer>:<episode>``), ``token``, ``step`` (1-based position in the instance) and
        ``is_step``: false for an immediate repeat folded away by ``collapse_repeats``.
    """
    by_customer = ibis.window(group_by=CUSTOMER_ID, order_by=[TIMESTAMP, EVENT_SEQ])
    tokens = events.mutate(**{TOKEN: event_tokens(events, settings, has_channel=has_channel)})
    prev_ts = tokens[TIMESTAMP].lag().over(by_customer)
    if settings.session_column is not None:
        session = _session(tokens, settings.session_column)
        starts = prev_ts.isnull() | ~session.identical_to(session.lag().over(by_customer))
    elif settings.inactivity_gap_days is None:
        starts = prev_ts.isnull()
    else:
        gap = ibis.interval(seconds=round(settings.inactivity_gap_days * 86_400))
        starts = prev_ts.isnull() | (tokens[TIMESTAMP] > prev_ts + gap)
    flagged = tokens.mutate(_start=starts.cast("int64"))
    numbered = flagged.mutate(**{EPISODE: flagged._start.cumsum().over(by_customer).cast("int64")}).drop("_start")
    by_episode = ibis.window(group_by=[CUSTOMER_ID, EPISODE], order_by=[TIMESTAMP, EVENT_SEQ])
    is_step = ibis.literal(True)
    if settings.collapse_repeats:
        prev_token = numbered[TOKEN].lag().over(by_episode)
        is_step = prev_token.isnull() | (prev_token != numbered[TOKEN])
    return numbered.mutate(
        **{JOURNEY_INSTANCE_ID: numbered[CUSTOMER_ID] + ":" + numbered[EPISODE].cast("string")},
        step=ibis.row_number().over(by_episode) + 1, is_step=is_step,
    )


def _session(events: ir.Table, column: str) -> ir.StringValue:
    if column not in events.columns:
        kept = [c for c in events.columns if c not in EVENT_LOG_COLUMNS]
        raise EpisodeSettingsError(
            f"episodes.session_column {column!r} is not a column of the event log; its event attributes are: "
            f"{', '.join(kept) or 'none'} (an input column outside the mapping is kept under its own name)")
    return events[column].cast("string")


def journey_instances(events: ir.Table, settings: EpisodeSettings, *, has_channel: bool = True) -> ir.Table:
    """Cut each customer's events into journey instances (see :func:`episode_steps`).

    Parameters
    ----------
    events
        The canonical event log.
    settings
        Gap, abstraction map, repeat collapsing.
    has_channel
        Whether the log has a channel column worth putting in tokens.

    Returns
    -------
    ibis.expr.types.Table
        One row per instance: ``customer_id``, ``journey_instance_id`` (``<customer>:<episode>``),
        ``episode`` (1-based), ``start_ts``, ``end_ts``, ``n_events``, ``tokens`` (ordered list),
        ``step_times`` (each token's time, seconds since the epoch), ``n_tokens``, ``duration_s``, ``revenue``
        (sum, null without revenue) and
        ``first_conversion_s``: seconds from the start to the first conversion activity (null if none).
    """
    settings = _with_conversions(events, settings)
    steps = episode_steps(events, settings, has_channel=has_channel)
    step = ibis.struct({"pos": steps.step, "token": steps[TOKEN], "at": seconds_since_epoch(steps[TIMESTAMP])})
    grouped = steps.group_by([CUSTOMER_ID, JOURNEY_INSTANCE_ID, EPISODE]).aggregate(
        **{
            START_TS: steps[TIMESTAMP].min(),
            END_TS: steps[TIMESTAMP].max(),
            N_EVENTS: steps.count(),
            "_steps": step.collect(where=steps.is_step),
            REVENUE: steps[REVENUE].sum(),
            "_converted_at": steps[TIMESTAMP].min(where=steps[ACTIVITY].isin(settings.conversion_activities)),
        }
    )
    in_order = grouped._steps.sort()
    ordered = in_order.map(lambda s: s.token)
    return grouped.select(
        CUSTOMER_ID, JOURNEY_INSTANCE_ID, EPISODE, START_TS, END_TS, N_EVENTS,
        **{TOKENS: ordered, STEP_TIMES: in_order.map(lambda s: s.at), "n_tokens": ordered.length().cast("int64")},
        duration_s=grouped[END_TS].epoch_seconds() - grouped[START_TS].epoch_seconds(),
        revenue=grouped[REVENUE],
        first_conversion_s=grouped._converted_at.epoch_seconds() - grouped[START_TS].epoch_seconds(),
    ).order_by([CUSTOMER_ID, EPISODE])


def _with_conversions(events: ir.Table, settings: EpisodeSettings) -> EpisodeSettings:
    """``conversion_activities`` and ``activity_folding`` resolved from the log when left at ``auto``
    (see :mod:`parcours.ingest.resolve`)."""
    if "auto" not in (settings.conversion_activities, settings.activity_folding):
        return settings
    from parcours.ingest.resolve import settled
    from parcours.settings import Settings

    return settled(Settings(episodes=settings), events, has_revenue=True).episodes


def journey_instances_in_passes(con: ibis.BaseBackend, events: ir.Table, settings: EpisodeSettings, *,
                                has_channel: bool = True, events_per_pass: int = 5_000_000) -> ir.Table:
    """:func:`journey_instances` computed into a temporary table of ``con``, in passes over groups of customers.

    The instances' token lists are a list aggregate, whose state DuckDB keeps in memory rather than
    spilling: 20M events (6.7M instances) exceed a 2GB memory limit in one pass. Customers are split
    into ``ceil(events / events_per_pass)`` ranges of their id holding about as many events each
    (:func:`customer_ranges`); each range's instances are computed on their own (a customer's episodes never
    span two ranges), then the parts are put together.

    Returns
    -------
    ibis.expr.types.Table
        The rows of :func:`journey_instances`: ordered by customer and episode in one pass; in several, in no
        guaranteed order (the engine may interleave the parts).
    """
    settings = _with_conversions(events, settings)  # auto settings resolved once, on every customer's events
    n_events = int(events.count().to_pyarrow().as_py())
    passes = max(1, -(-n_events // events_per_pass))
    if passes == 1:
        return materialise(con, journey_instances(events, settings, has_channel=has_channel), "instances")
    parts = [materialise(con, journey_instances(events.filter(within), settings, has_channel=has_channel),
                         f"instances_part{k}") for k, within in enumerate(customer_ranges(events, passes, n_events))]
    whole = materialise(con, ibis.union(*parts), "instances")
    for part in parts:
        release(con, part)
    return whole


def customer_ranges(events: ir.Table, parts: int, n_events: int, sample_events: int = 100_000,
                    seed: int = 0) -> list[ir.BooleanValue]:
    """Filters that split the customers into ``parts`` ranges of their id, each with about as many events.

    The bounds are quantiles of the customer id over a sample of about ``sample_events`` events, sorted by the
    engine (so the ranges follow its order of strings and cannot overlap). A range is two comparisons per
    row, where a group by hash computes a hash of every id: 0.32 s against 1.5 s per pass over 52M events.
    A range can be empty: when one customer holds more than a part's share of the events.

    Parameters
    ----------
    events
        The event log.
    parts
        How many ranges.
    n_events
        The log's events (to size the sample).
    sample_events, seed
        The sample that places the bounds (on Spark unseeded: the bounds may differ between runs, every row
        still passes exactly one range).

    Returns
    -------
    list
        ``parts`` filters on ``customer_id``; every row passes exactly one (a missing id the last).
    """
    fraction = min(1.0, sample_events / max(n_events, 1))
    seeded = ibis.get_backend(events).name != "pyspark"  # Ibis cannot seed Spark's sample: its bounds may move
    sample = events if fraction >= 1.0 else events.sample(fraction, seed=seed if seeded else None)
    ids = sample.select(CUSTOMER_ID).filter(sample[CUSTOMER_ID].notnull()).order_by(CUSTOMER_ID).to_pyarrow()
    ids = ids[CUSTOMER_ID].to_pylist()
    if parts <= 1 or not ids:
        return [ibis.literal(True)]
    bounds = [ids[len(ids) * k // parts] for k in range(1, parts)]
    customer = events[CUSTOMER_ID]
    ranges = [customer <= bounds[0]]
    ranges += [(customer > low) & (customer <= high) for low, high in pairwise(bounds)]
    return [*ranges, (customer > bounds[-1]) | customer.isnull()]


def describe_instances(instances: ir.Table) -> dict[str, float]:
    """Summary numbers of journey instances: counts, instances per customer, lengths and durations."""
    stats = instances.aggregate(
        instances=instances.count(),
        customers=instances[CUSTOMER_ID].nunique(),
        events=instances[N_EVENTS].sum(),
        median_tokens=instances.n_tokens.median(),
        max_tokens=instances.n_tokens.max(),
        median_duration_days=instances.duration_s.median() / 86_400,
        distinct_sequences=instances[TOKENS].nunique(),
    ).to_pyarrow().to_pylist()[0]
    stats = {k: float(v or 0) for k, v in stats.items()}
    stats["instances_per_customer"] = stats["instances"] / stats["customers"] if stats["customers"] else 0.0
    return stats


def count_covered_events(instances: ir.Table, events: ir.Table) -> tuple[int, int]:
    """Return (events counted in instances, events in the log); equal when every event is covered."""
    covered = instances[N_EVENTS].sum().to_pyarrow().as_py() or 0
    return int(covered), int(events.count().to_pyarrow().as_py())
