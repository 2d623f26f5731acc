"""The impact asset called as a function: a log too short for a trial is skipped, every journey said not measured."""

from datetime import UTC, datetime, timedelta

import dagster as dg
import ibis
import pandas as pd

from parcours.schema import JOURNEY_ID
from parcours.stages import SKIPPED
from parcours_pipelines.defs.impact.assets import journey_impact
from parcours_pipelines.resources import MlflowResource, SettingsResource

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def _events() -> pd.DataFrame:
    """Three customers' orders over ten days: no history before any window, no outcome after one."""
    rows = [(c, T0 + timedelta(days=d, hours=i), "order", "web", 10.0) for i, c in enumerate("abc") for d in range(10)]
    events = pd.DataFrame(rows, columns=["customer_id", "ts", "activity", "channel", "revenue"])
    return events.assign(event_seq=range(len(events)), source="shop.csv")


def test_a_log_too_short_for_a_trial_is_skipped_with_every_journey_not_measured(tmp_path) -> None:
    journeys = pd.DataFrame({JOURNEY_ID: [0, 1], "name": ["web orders", "store visits"]})
    instances = pd.DataFrame({"customer_id": ["a"], "journey_instance_id": ["a:1"]})
    assignments = pd.DataFrame({"journey_instance_id": ["a:1"], JOURNEY_ID: [0]})
    output = journey_impact(
        dg.build_asset_context(), event_log=ibis.memtable(_events()), log_profile={"has_revenue": True},
        journey_instances=ibis.memtable(instances), journey_assignments=ibis.memtable(assignments),
        journeys=ibis.memtable(journeys), customer_value=ibis.memtable(pd.DataFrame({"customer_id": ["a"], "clv": [1.0]})),
        settings=SettingsResource(), mlflow=MlflowResource(tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}"))
    table = output.value
    assert table[JOURNEY_ID].tolist() == [0, 1] and (table.status == "not measured").all()
    reason = output.metadata[SKIPPED].value
    assert "the log covers 10 days" in reason and (table.reason == reason).all()
