from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from parcours.instances import (
    EpisodeSettingsError,
    count_covered_events,
    customer_ranges,
    describe_instances,
    journey_instances,
    journey_instances_in_passes,
)
from parcours.settings import EpisodeSettings

T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def events(con):
    rows = [  # customer, day offset, activity, channel, revenue, event_seq
        ("a", 0, "view", "web", None, 1), ("a", 0, "view", "web", None, 0), ("a", 1, "order", "store", 5.0, 2),
        ("a", 40, "view", None, None, 3), ("b", 0, "y", "app", None, 5), ("b", 0, "x", "app", None, 4),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "day", "activity", "channel", "revenue", "event_seq"])
    frame["ts"] = [T0 + timedelta(days=d) for d in frame.day]
    frame["source"] = "s.csv"
    return con.create_table("events", frame.drop(columns="day"))


def _instances(events, **kwargs) -> pd.DataFrame:
    return journey_instances(events, EpisodeSettings(**kwargs), has_channel=kwargs.pop("has_channel", True)).to_pandas()


def test_a_long_gap_starts_a_new_instance(events) -> None:
    frame = _instances(events)
    assert frame.journey_instance_id.tolist() == ["a:1", "a:2", "b:1"]
    assert frame.n_events.tolist() == [3, 1, 2]
    assert [list(t) for t in frame.tokens] == [["view@web", "view@web", "order@store"], ["view@unknown"],
                                               ["x@app", "y@app"]]


def test_no_gap_gives_one_instance_per_customer(events) -> None:
    assert _instances(events, inactivity_gap_days=None).n_events.tolist() == [4, 2]


def test_gap_is_configurable(events) -> None:
    assert len(_instances(events, inactivity_gap_days=0.5)) == 4


def test_collapse_folds_immediate_repeats_but_counts_every_event(events) -> None:
    first = _instances(events, collapse_repeats=True).iloc[0]
    assert list(first.tokens) == ["view@web", "order@store"] and first.n_events == 3


def test_abstraction_maps_activities_and_tokens(events) -> None:
    frame = _instances(events, abstraction={"view": "browse", "order@store": "store_purchase"})
    assert list(frame.tokens[0]) == ["browse@web", "browse@web", "store_purchase"]


def test_without_channel_the_token_is_the_activity(events) -> None:
    frame = journey_instances(events, EpisodeSettings(), has_channel=False).to_pandas()
    assert list(frame.tokens[2]) == ["x", "y"]


def test_times_revenue_and_duration(events) -> None:
    first = _instances(events).iloc[0]
    assert (first.start_ts, first.end_ts) == (pd.Timestamp(T0), pd.Timestamp(T0 + timedelta(days=1)))
    span_revenue_episode = (first.duration_s, first.revenue, first.episode)
    assert span_revenue_episode == (86_400, 5.0, 1)


def test_every_event_is_covered(events) -> None:
    instances = journey_instances(events, EpisodeSettings())
    assert count_covered_events(instances, events) == (6, 6)
    assert describe_instances(instances)["instances_per_customer"] == 1.5


@pytest.mark.parametrize("events_per_pass", [1, 2, 100])
def test_passes_over_groups_of_customers_give_the_same_instances(con, events, events_per_pass) -> None:
    one = _instances(events).sort_values("journey_instance_id", ignore_index=True)
    passes = journey_instances_in_passes(con, events, EpisodeSettings(), events_per_pass=events_per_pass)
    frame = passes.to_pandas().sort_values("journey_instance_id", ignore_index=True)
    pd.testing.assert_frame_equal(frame.assign(tokens=frame.tokens.map(list)), one.assign(tokens=one.tokens.map(list)))
    assert not [t for t in con.list_tables() if "_part" in t]  # the parts are dropped once put together


@pytest.fixture
def many_customers(con):
    ids = [f"c{i % 97:03d}" for i in range(2_000)] + ["whale"] * 1_500 + [None] * 3
    frame = pd.DataFrame({"customer_id": ids, "n": range(len(ids))})
    return con.create_table("many", frame)


@pytest.mark.parametrize("parts", [1, 2, 7])
def test_customer_ranges_put_every_row_in_exactly_one_range(many_customers, parts) -> None:
    ranges = customer_ranges(many_customers, parts, n_events=3_503, sample_events=500)
    hits = many_customers.select(*[r.cast("int8").name(f"r{k}") for k, r in enumerate(ranges)]).to_pandas()
    assert len(ranges) == parts and (hits.sum(axis=1) == 1).all()


def test_customer_ranges_keep_a_customer_whole_and_balance_the_rest(many_customers) -> None:
    ranges = customer_ranges(many_customers, 4, n_events=3_503)
    sizes = [many_customers.filter(r).count().to_pyarrow().as_py() for r in ranges]
    whale = [many_customers.filter(r & (many_customers.customer_id == "whale")).count().to_pyarrow().as_py()
             for r in ranges]
    assert sorted(whale) == [0, 0, 0, 1_500] and sum(sizes) == 3_503
    # a range ends at a customer's last event: a part's share, plus at most one customer's events (21 here)
    assert max(n for n, w in zip(sizes, whale, strict=True) if not w) <= 3_503 / 4 + 21


@pytest.fixture
def sessions(con):
    rows = [  # customer, minutes, activity, session: a's second session starts a minute after the first ends
        ("a", 0, "view", "s1"), ("a", 1, "cart", "s1"), ("a", 2, "view", "s2"), ("a", 3, "order", "s2"),
        ("b", 0, "view", None), ("b", 5, "view", None), ("b", 6, "order", "s9"),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "minutes", "activity", "session_id"])
    frame["ts"] = [T0 + timedelta(minutes=m) for m in frame.minutes]
    frame = frame.assign(channel=None, revenue=float("nan"), event_seq=range(len(frame)), source="s.csv")
    frame["channel"] = frame["channel"].astype("string")
    return con.create_table("sessions", frame.drop(columns="minutes"))


def test_a_session_column_starts_an_instance_at_each_new_session(sessions) -> None:
    frame = journey_instances(sessions, EpisodeSettings(session_column="session_id"), has_channel=False).to_pandas()
    assert [list(t) for t in frame.tokens] == [["view", "cart"], ["view", "order"], ["view", "view"], ["order"]]
    assert frame.journey_instance_id.tolist() == ["a:1", "a:2", "b:1", "b:2"]


def test_a_session_column_the_log_lacks_is_named_in_the_error(sessions) -> None:
    with pytest.raises(EpisodeSettingsError, match="'visit'.*session_id"):
        journey_instances(sessions, EpisodeSettings(session_column="visit"), has_channel=False).to_pandas()


def test_a_real_clickstreams_sessions_are_its_instances(con) -> None:
    """ecom_clickstream (../shared/logs): with session_column, one instance per user and session id."""
    from parcours.ingest import ingest_events
    from parcours.paths import conf_dir
    from parcours.settings import load_settings, parse_assignments
    from tests.conftest import SHARED_LOG_MAPPINGS, shared_log

    settings = load_settings(conf_dir(), parse_assignments([*SHARED_LOG_MAPPINGS["ecom_clickstream"],
                                                            "episodes.session_column=session_id"]))
    events = ingest_events(con, settings.ingest, shared_log("ecom_clickstream")).events
    instances = journey_instances(events, settings.episodes).to_pandas()
    sessions = events.select("customer_id", "session_id").distinct().count().execute()
    assert len(instances) == sessions > instances.customer_id.nunique()
