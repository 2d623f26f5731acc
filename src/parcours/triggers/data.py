"""The trigger step's data: coded on the engine, handed to pandas one group of customers at a time.

Mining scores candidate rules instance by instance and the back-test replays rules customer by
customer (every matcher state, cap and frequency cap is a customer's own), so a group of whole
customers is an exact unit of work: the scores of all groups, added up, are the scores of the log.
The engine makes the integer codes once, into two temporary tables: a customer's code (its rank by
id), an instance's (customer code × stride + episode) and a token's (its rank in the vocabulary);
pandas then holds one group's events at a time, never the whole event log (DESIGN.md §6).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from parcours.engine import materialise, release, seconds_since_epoch
from parcours.instances import episode_steps, event_tokens
from parcours.schema import CUSTOMER_ID, EPISODE, EVENT_SEQ, JOURNEY_ID, TIMESTAMP, TOKENS
from parcours.settings.sections import TriggerSettings

#: Events per group of customers handed to pandas: a group's steps, instances and candidate matches stay
#: within a few hundred MB, whatever the size of the log.
EVENTS_PER_CHUNK = 1_000_000
INSTANCE = "journey_instance_id"
GROUP = "_group"


class NoTriggerDataError(ValueError):
    """The journeys give nothing to mine or back-test rules on (no assigned instances)."""


@dataclass(frozen=True)
class Chunk:
    """One group of customers: its events (``customer_id``, ``journey_instance_id`` codes, ``ts`` seconds,
    ``token`` categorical, in time order) and its instances (codes, ``start`` and ``end`` seconds, ``journey_id``,
    noise -1)."""

    steps: pd.DataFrame
    instances: pd.DataFrame

    def stream(self, since: float) -> pd.DataFrame:
        """The group's events from ``since`` on (``customer_id``, ``ts``, ``token``), as a live matcher sees them."""
        return self.steps.loc[self.steps.ts >= since, [CUSTOMER_ID, TIMESTAMP, "token"]]


@dataclass(frozen=True)
class TriggerData:
    """The coded events and instances on the engine, the cut between the mining and the back-test periods
    (seconds), and the number of customer groups they are read in.

    ``steps`` has ``_group``, ``customer_id`` and ``journey_instance_id`` (integer codes), ``ts`` (seconds),
    ``event_seq`` and ``token`` (a code into ``tokens``); ``instances`` has ``_group``, the two codes,
    ``start``, ``end``, ``journey_id`` and ``tokens`` (their list of tokens).
    """

    steps: ir.Table
    instances: ir.Table
    tokens: tuple[str, ...]
    cut: float
    groups: int

    def chunks(self) -> Iterator[Chunk]:
        """Each group of customers in turn, as pandas frames."""
        for group in range(self.groups):
            yield self.chunk(group)

    def chunk(self, group: int) -> Chunk:
        """One group of customers (``0 <= group < groups``) as pandas frames."""
        steps = (self.steps.filter(self.steps[GROUP] == group).order_by([TIMESTAMP, EVENT_SEQ])
                 .select(CUSTOMER_ID, INSTANCE, TIMESTAMP, "token").to_pandas())
        steps["token"] = pd.Categorical.from_codes(steps.token.to_numpy(dtype=np.int64), categories=self.tokens)
        instances = (self.instances.filter(self.instances[GROUP] == group)
                     .select(CUSTOMER_ID, INSTANCE, "start", "end", JOURNEY_ID).to_pandas())
        return Chunk(steps, instances)

    def heads(self, journeys: list[int], length: int) -> pd.DataFrame:
        """How many mining-period instances of ``journeys`` begin with each sequence of at most ``length`` tokens
        (``journey_id``, ``tokens``, ``instances``): counted on the engine, one row per distinct beginning."""
        early = self.instances.filter((self.instances.start < self.cut) & self.instances.journey_id.isin(journeys))
        heads = early.select(JOURNEY_ID, tokens=early[TOKENS][:length])
        return heads.group_by([JOURNEY_ID, "tokens"]).aggregate(instances=heads.count()).to_pandas()

    def held_tokens(self) -> tuple[pd.DataFrame, pd.Series]:
        """Over the mining period's instances: per journey and token, how many instances hold the token
        (``journey_id``, ``tokens``, ``instances``), and the instances per journey."""
        early = self.instances.filter(self.instances.start < self.cut)
        held = early.select(JOURNEY_ID, INSTANCE, tokens=early[TOKENS].unnest()).distinct()
        counts = held.group_by([JOURNEY_ID, "tokens"]).aggregate(instances=held.count()).to_pandas()
        sizes = early.group_by(JOURNEY_ID).aggregate(n=early.count()).to_pandas()
        return counts, sizes.set_index(JOURNEY_ID).n


def trigger_data(events: ir.Table, instances: ir.Table, assignments: ir.Table, episodes, settings: TriggerSettings,
                 *, has_channel: bool = True, con: ibis.BaseBackend | None = None,
                 events_per_chunk: int = EVENTS_PER_CHUNK) -> TriggerData:
    """Code the events and instances on the engine, with each instance's journey, and find the cut.

    Parameters
    ----------
    events
        The canonical event log.
    instances
        ``journey_instances``.
    assignments
        ``journey_assignments`` (``journey_instance_id``, ``journey_id``, ``probability``).
    episodes
        The episode settings the instances were cut with (tokens, gap).
    settings
        The trigger settings (``min_probability``: below it an assignment counts as noise; ``mining_share``).
    has_channel
        Whether tokens carry the channel.
    con
        The engine the tables are kept in; default: the events' own backend.
    events_per_chunk
        About how many events one group of customers holds.

    Returns
    -------
    TriggerData

    Raises
    ------
    NoTriggerDataError
        When there is no journey instance at all.
    """
    con = con or ibis.get_backend(events)
    customers = _customer_codes(con, events)
    n_events = int(customers.events.sum().to_pyarrow().as_py() or 0)
    if n_events == 0:
        raise NoTriggerDataError("no journey instance: there are no journeys to enter")
    groups = max(1, -(-n_events // events_per_chunk))
    stride = int(instances[EPISODE].max().to_pyarrow().as_py() or 0) + 1
    tokens = events.select(token=event_tokens(events, episodes, has_channel=has_channel)).distinct()
    vocabulary = tuple(sorted(tokens.to_pandas().token.astype(str)))  # read off the events: no window
    codes = ibis.memtable(pd.DataFrame({"token": list(vocabulary), "_code": np.arange(len(vocabulary))}))
    steps = episode_steps(events, episodes, has_channel=has_channel)  # its window runs once, into the table
    coded = steps.join(customers, CUSTOMER_ID).join(codes, "token")
    coded = materialise(con, coded.select(
        _group=coded._customer % groups, customer_id=coded._customer,
        journey_instance_id=coded._customer * stride + coded[EPISODE], ts=seconds_since_epoch(coded[TIMESTAMP]),
        event_seq=coded[EVENT_SEQ], token=coded._code), "trigger_steps")
    spans = _coded_instances(con, instances, assignments, customers, settings, groups, stride)
    assigned = spans.filter(spans.journey_id >= 0)
    # no instance assigned to a journey (every one is noise): nothing to mine, and the empty set is published
    timed = assigned if int(assigned.count().to_pyarrow().as_py()) else spans
    cut = float(timed.start.quantile(settings.mining_share).to_pyarrow().as_py())
    return TriggerData(coded, spans, vocabulary, cut, groups)


def _customer_codes(con: ibis.BaseBackend, events: ir.Table) -> ir.Table:
    """Each customer's code (rank by id, from 0) and number of events."""
    counts = events.group_by(CUSTOMER_ID).aggregate(events=events.count())
    ranked = counts.mutate(_customer=ibis.row_number().over(order_by=CUSTOMER_ID).cast("int64"))
    return materialise(con, ranked, "trigger_customers")


def _coded_instances(con: ibis.BaseBackend, instances: ir.Table, assignments: ir.Table, customers: ir.Table,
                     settings: TriggerSettings, groups: int, stride: int) -> ir.Table:
    """The instances with their codes, start and end (seconds) and journey (noise and weak members: -1)."""
    labels = assignments.select(INSTANCE, JOURNEY_ID, "probability")
    spans = instances.select(CUSTOMER_ID, INSTANCE, EPISODE, "start_ts", "end_ts", TOKENS)
    joined = spans.join(customers, CUSTOMER_ID).left_join(labels, INSTANCE)
    kept = joined.probability.fill_null(0) >= settings.min_probability
    return materialise(con, joined.select(
        _group=joined._customer % groups, customer_id=joined._customer,
        journey_instance_id=joined._customer * stride + joined[EPISODE],
        start=seconds_since_epoch(joined.start_ts), end=seconds_since_epoch(joined.end_ts),
        journey_id=ibis.ifelse(kept & joined.journey_id.notnull(), joined.journey_id, -1).cast("int64"),
        tokens=joined[TOKENS]), "trigger_instances")


def release_trigger_data(data: TriggerData) -> None:
    """Drop the engine's temporary tables of ``data`` once the rules are mined and back-tested."""
    for table in (data.steps, data.instances):
        release(ibis.get_backend(table), table)
