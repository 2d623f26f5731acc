import ibis.expr.types as ir
import pandas as pd
import pytest

from parcours.settings import EpisodeSettings, TriggerSettings
from parcours.triggers import mine_trigger_rules, trigger_data
from parcours.triggers.data import release_trigger_data
from tests.lib.triggers.conftest import CATALOGUE

DAY = 86_400.0


def _mined(world, events_per_chunk: int):
    settings = TriggerSettings(actions=CATALOGUE)
    data = trigger_data(world.events, world.instances, world.assignments, EpisodeSettings(), settings,
                        events_per_chunk=events_per_chunk)
    return data, mine_trigger_rules(data, world.journeys, world.impact, settings, max_window_s=30 * DAY)


@pytest.mark.slow
def test_customers_are_read_in_groups_of_about_the_chunk_size(world) -> None:
    events = int(world.events.count().execute())
    data, _ = _mined(world, events_per_chunk=500)
    sizes = [len(data.chunk(g).steps) for g in range(data.groups)]
    assert data.groups == -(-events // 500) and sum(sizes) == events and max(sizes) < 2 * 500


@pytest.mark.slow
def test_mining_in_groups_of_customers_gives_the_rules_of_the_whole_log(world) -> None:
    _, whole = _mined(world, events_per_chunk=10**9)
    _, grouped = _mined(world, events_per_chunk=500)
    pd.testing.assert_frame_equal(whole.table, grouped.table)
    assert whole.backtest == grouped.backtest and whole.document["rules"] == grouped.document["rules"]


def test_no_step_holds_the_whole_event_log_in_pandas(world, monkeypatch) -> None:
    """Every table the trigger step brings out of the engine is at most about one group's events."""
    events = int(world.events.count().execute())
    largest = []
    to_pandas, to_pyarrow = ir.Table.to_pandas, ir.Table.to_pyarrow

    def counted_pandas(self, *args, **kwargs):
        frame = to_pandas(self, *args, **kwargs)
        largest.append(len(frame))
        return frame

    def counted_arrow(self, *args, **kwargs):
        table = to_pyarrow(self, *args, **kwargs)
        largest.append(table.num_rows)
        return table

    monkeypatch.setattr(ir.Table, "to_pandas", counted_pandas)
    monkeypatch.setattr(ir.Table, "to_pyarrow", counted_arrow)
    data, rules = _mined(world, events_per_chunk=300)
    assert rules.document["rules"] and data.groups >= 8
    assert max(largest) < 2 * 300 < events / 4


def test_every_event_and_instance_is_coded_once(world) -> None:
    data, _ = _mined(world, events_per_chunk=500)
    steps = pd.concat([data.chunk(g).steps for g in range(data.groups)])
    instances = pd.concat([data.chunk(g).instances for g in range(data.groups)])
    assert len(steps) == int(world.events.count().execute())
    assert instances.journey_instance_id.is_unique and len(instances) == int(world.instances.count().execute())
    assert set(steps.journey_instance_id) == set(instances.journey_instance_id)
    assert set(steps.token.astype(str)) == set(data.tokens)


def test_the_cut_is_the_mining_share_of_assigned_instance_starts(world) -> None:
    data, _ = _mined(world, events_per_chunk=500)
    starts = world.instances.select("start_ts").to_pandas().start_ts
    seconds = (starts - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    assert data.cut == pytest.approx(seconds.quantile(TriggerSettings().mining_share))


def test_releasing_drops_the_engine_tables(world) -> None:
    import ibis

    data, _ = _mined(world, events_per_chunk=500)
    con = ibis.get_backend(data.steps)
    names = {data.steps.get_name(), data.instances.get_name()}
    release_trigger_data(data)
    assert not names & set(con.list_tables())
