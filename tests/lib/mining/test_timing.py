import pytest

from parcours.instances import journey_instances
from parcours.mining import timing_summary
from parcours.settings import EpisodeSettings
from tests.lib.mining.conftest import events_table


@pytest.fixture
def instances(con):
    rows = [("a", 0, "view", "web"), ("a", 24, "order", "web"), ("a", 48, "order", "store"),  # converts after 1 day
            ("b", 0, "view", "app"), ("b", 72, "view", "web"),                                # never converts
            ("c", 0, "order", "store")]                                                       # converts at once
    return journey_instances(events_table(con, rows), EpisodeSettings())


def test_each_instance_knows_its_time_to_first_conversion(instances) -> None:
    frame = instances.to_pandas().set_index("customer_id")
    assert frame.first_conversion_s["a"] == 86_400 and frame.first_conversion_s["c"] == 0
    assert frame.first_conversion_s.isna()["b"]


def test_conversion_activities_are_configurable(con) -> None:
    table = events_table(con, [("a", 0, "view", "web"), ("a", 5, "signup", "web")])
    frame = journey_instances(table, EpisodeSettings(conversion_activities=["signup"])).to_pandas()
    assert frame.first_conversion_s.tolist() == [5 * 3600]


def test_summary_gives_conversion_share_and_distributions(instances) -> None:
    row = timing_summary(instances).to_pandas().iloc[0]
    assert (row.group, row.instances, row.customers) == ("all", 3, 3)
    assert row.converted == pytest.approx(2 / 3)
    medians = (row.duration_p50_days, row.conversion_p50_days)  # journey lengths in the data, in days
    assert medians == (2, pytest.approx(0.5))


def test_summary_per_group(instances) -> None:
    grouped = instances.mutate(journey_id=(instances.customer_id == "b").cast("int64"))
    table = timing_summary(grouped, by="journey_id").to_pandas().set_index("group")
    assert table.instances.to_dict() == {"0": 2, "1": 1} and table.converted["1"] == 0
