"""A continuous-entry scenario run through the journey-impact step and scored against its truth.

The test bed of the impact design (tests and ``benchmarks/bench_impact_entry.py``): the scenario's
events are cut into instances, each instance is labelled with the journey the scenario planted in it
(:func:`parcours.synthetic.entry.planted_assignments`: a perfect discovery, so that what is measured
is the design and not the clustering), the step estimates every journey, and each estimate gets the
exact effect over the customers it was averaged over.

The instances are cut at half a day of inactivity. The scenarios' journeys have steps days apart
and the history's orders come every few weeks: at the default gap of 30 days an instance would run
a journey together with the orders around it, and where an instance starts would no longer say when
the journey did (issue 22 is about choosing the gap from the log).
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from parcours.impact import JourneyImpact, estimate_journey_impact
from parcours.instances import journey_instances
from parcours.settings import EpisodeSettings, ImpactSettings, ValueSettings
from parcours.synthetic.entry import EntryLog, entry_effects, planted_assignments

#: Instances of the test bed: cut at half a day of inactivity (see the module docstring).
ENTRY_EPISODES = EpisodeSettings(inactivity_gap_days=0.5)


@dataclass(frozen=True)
class ScoredImpact:
    """The step's result on a scenario, and its table with the truth beside each estimate.

    ``table`` is ``impact.table`` plus ``truth`` (the exact average effect over the customers the
    estimate kept; NaN where none was made), ``covered`` (the 95% interval holds it) and ``strong``
    (the truth is at least 3 standard errors from 0: a journey the gate must let through).
    """

    impact: JourneyImpact
    table: pd.DataFrame


def score_entry_log(log: EntryLog, impact: ImpactSettings | None = None, value: ValueSettings | None = None,
                    episodes: EpisodeSettings = ENTRY_EPISODES) -> ScoredImpact:
    """Estimate every planted journey's impact on ``log`` with the library's step, and score it.

    Parameters
    ----------
    log
        A scenario of :func:`parcours.synthetic.entry.generate_entry_log`.
    impact, value
        The step's settings; default the defaults.
    episodes
        How the events are cut into instances (default :data:`ENTRY_EPISODES`).

    Returns
    -------
    ScoredImpact
    """
    events, instances, assignments, journeys = entry_inputs(log, episodes)
    result = estimate_journey_impact(events, instances, assignments, journeys, impact or ImpactSettings(),
                                     value or ValueSettings())
    return ScoredImpact(result, _with_truth(log, result))


def entry_inputs(log: EntryLog, episodes: EpisodeSettings = ENTRY_EPISODES) -> tuple[ir.Table, ir.Table, ir.Table,
                                                                                   pd.DataFrame]:
    """The journey-impact step's inputs on ``log``: events (in DuckDB), instances, planted assignments, journeys."""
    con = ibis.duckdb.connect()
    frame = log.events.assign(event_seq=range(len(log.events)), source="entry.csv")
    events = con.create_table("events", frame, overwrite=True)
    instances = con.create_table("instances", journey_instances(events, episodes), overwrite=True)
    spans = instances.select("customer_id", "journey_instance_id", "start_ts", "end_ts").to_pandas()
    assignments, journeys = planted_assignments(log, spans)
    return events, instances, ibis.memtable(assignments), journeys


def _with_truth(log: EntryLog, result: JourneyImpact) -> pd.DataFrame:
    table = result.table
    window = log.day(result.design.observation_start), log.day(result.design.landmark)
    truth = {}
    for row in table.itertuples():
        if pd.notna(row.effect) and row.journey_id in result.support:
            kept = result.support.index[result.support[row.journey_id].to_numpy(bool)]
            truth[row.journey_id] = entry_effects(log, *window, customer_ids=kept)[row.name]
    return against_truth(table, table.journey_id.map(truth).astype("float64"))


def against_truth(table: pd.DataFrame, truth: pd.Series) -> pd.DataFrame:
    """An impact table with ``truth`` beside each estimate, ``covered`` (its 95% interval holds it) and
    ``strong`` (the truth at least 3 standard errors from 0)."""
    table = table.assign(truth=truth)
    table["covered"] = (table.ci_low <= table.truth) & (table.truth <= table.ci_high)
    table["strong"] = (table.truth.abs() >= 3 * table.std_error).fillna(False)
    return table
