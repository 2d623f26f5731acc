"""The report assets called as functions on the five-journey world: the ladder's first rung for the pipelines.

No graph, no demo: each asset gets tiny tables and a context from ``dg.build_asset_context``.
"""

import dagster as dg
import ibis
import pandas as pd

from parcours_pipelines.defs.report.assets import CONSISTENT, NO_EARLIER_RUN, journey_ranking
from parcours_pipelines.resources import SettingsResource
from tests import report_world as world


def _rank(instance: dg.DagsterInstance) -> list:
    context = dg.build_asset_context(instance=instance)
    return list(journey_ranking(context, journeys=ibis.memtable(world.journeys()),
                                journey_impact=ibis.memtable(world.impact()), journey_timing=ibis.memtable(world.timing()),
                                trigger_rule_scores=ibis.memtable(world.rules()), settings=SettingsResource()))


def test_the_ranking_asset_yields_every_journey_once_and_its_consistency_check() -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        events = _rank(instance)
    ranking = next(e for e in events if isinstance(e, dg.Output))
    checks = {e.check_name: e.passed for e in events if isinstance(e, dg.AssetCheckResult)}
    assert sorted(ranking.value.journey_id) == [0, 1, 2, 3, 4] and ranking.value["rank"].tolist() == [1, 2, 3, 4, 5]
    assert checks == {CONSISTENT: True}  # a first run: the drift checks are not run, so not passed either
    assert ranking.metadata["drift"].value == NO_EARLIER_RUN


def test_the_ranking_asset_counts_the_journeys_in_each_state() -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        ranking = next(e for e in _rank(instance) if isinstance(e, dg.Output))
    counts = pd.Series(ranking.value.status).value_counts().to_dict()
    stated = {key: entry.value for key, entry in ranking.metadata.items() if key.startswith("journeys_")}
    assert stated == {f"journeys_{state.replace(' ', '_')}": counts.get(state, 0)
                      for state in ("proven gain", "proven loss", "no clear effect", "not measured")}
