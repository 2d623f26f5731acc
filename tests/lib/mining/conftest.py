from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from parcours.instances import episode_steps, journey_instances
from parcours.settings import EpisodeSettings

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def events_table(con, rows: list[tuple], name: str = "events"):
    """(customer, hours after T0, activity, channel) in source order → an event-log table."""
    frame = pd.DataFrame(rows, columns=["customer_id", "hours", "activity", "channel"])
    frame["ts"] = [T0 + timedelta(hours=h) for h in frame.hours]
    frame["revenue"] = None
    frame["event_seq"] = range(len(frame))
    frame["source"] = "hand.csv"
    return con.create_table(name, frame.drop(columns="hours").astype({"revenue": "float64"}), overwrite=True)


def instances_of(steps, settings: EpisodeSettings | None = None):
    """The journey instances of steps' underlying events (their event-log columns), cut with ``settings``."""
    events = steps.select("customer_id", "ts", "activity", "channel", "revenue", "event_seq", "source")
    return journey_instances(events, settings or EpisodeSettings())


def pm4py_input(steps) -> pd.DataFrame:
    """The same steps as pm4py sees them: in source order, one case per journey instance, prepared
    with ``pm4py.format_dataframe`` as pm4py documents (its ``get_variants`` silently mixes cases up
    on a frame that is not grouped by case)."""
    import pm4py

    frame = steps.filter(steps.is_step).to_pandas().sort_values("event_seq").reset_index(drop=True)
    frame = frame[["journey_instance_id", "token", "ts"]]
    return pm4py.format_dataframe(frame, case_id="journey_instance_id", activity_key="token", timestamp_key="ts")


@pytest.fixture
def tied(con):
    """Two customers, ties on timestamps, a gap that splits an instance, a one-event instance."""
    rows = [("a", 0, "view", "web"), ("a", 1, "cart", "web"), ("a", 1, "order", "web"),
            ("b", 0, "order", "store"), ("b", 0, "visit", "store"), ("a", 2, "visit", "store"),
            ("b", 5, "review", "web"), ("a", 24 * 60, "view", "app"), ("c", 3, "view", "web")]
    return episode_steps(events_table(con, rows), EpisodeSettings())
