from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from parcours.ingest.profile import conversion_like, profile_log

T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def events(con):
    rows = [  # customer, hours after T0, activity, channel, revenue, event_seq, resource
        ("7", 0, "view", "web", None, 0), ("7", 0, "view", "web", None, 1), ("7", 2, "order", "store", 5.0, 2),
        ("7", 6, "return", "store", -5.0, 3), ("12", 0, "view", None, None, 4), ("12", 48, "order", "web", 9.0, 5),
    ]
    frame = pd.DataFrame(rows, columns=["customer_id", "hours", "activity", "channel", "revenue", "event_seq"])
    frame["ts"] = [T0 + timedelta(hours=h) for h in frame.hours]
    frame["source"] = "s.csv"
    frame["resource"] = "r"
    return con.create_table("events", frame.drop(columns="hours"))


def test_the_profile_counts_events_customers_and_their_span(events) -> None:
    profile = profile_log(events, has_revenue=True, has_channel=True)
    assert (profile.events, profile.customers, profile.span_days) == (6, 2, 2.0)
    assert profile.events_per_customer == {"p10": 2.2, "p50": 3.0, "p90": 3.8, "p99": 3.98, "max": 4.0}


def test_the_gaps_are_between_a_customers_consecutive_events_and_ties_are_counted(events) -> None:
    profile = profile_log(events, has_revenue=True, has_channel=True)
    # customer 7: 0, 2, 4 hours; customer 12: 48 hours; one of the four gaps is a tie
    assert profile.gap_hours["p50"] == 3.0 and profile.gap_hours["max"] == 48.0
    assert profile.tie_share == 0.25


def test_activities_channels_and_tokens_are_counted_with_a_missing_channel_as_its_own_token(events) -> None:
    profile = profile_log(events, has_revenue=True, has_channel=True)
    assert (profile.activities, profile.channels, profile.tokens) == (3, 2, 5)
    assert profile.top_activities == [{"activity": "view", "rows": 3}, {"activity": "order", "rows": 2},
                                      {"activity": "return", "rows": 1}]


def test_money_tells_purchases_from_returns(events) -> None:
    profile = profile_log(events, has_revenue=True, has_channel=True)
    assert profile.purchase_like == ["order"] and profile.return_like == ["return"]
    assert profile.conversion_like == ["order"]


def test_without_revenue_no_activity_is_purchase_like(events) -> None:
    profile = profile_log(events, has_revenue=False, has_channel=True)
    assert profile.purchase_like == [] and profile.revenue_activities == []


def test_digit_ids_are_integer_ids_and_extra_columns_are_listed(events) -> None:
    profile = profile_log(events, has_revenue=True, has_channel=True)
    assert profile.id_type == "integer" and profile.extra_columns == ["resource"]


def test_ids_with_letters_are_text_ids(con) -> None:
    frame = pd.DataFrame({"customer_id": ["a1", "7"], "ts": [T0, T0], "activity": "x", "channel": "web",
                          "revenue": pd.Series([None, None], dtype="float64"), "event_seq": [0, 1], "source": "s"})
    assert profile_log(con.create_table("t", frame), has_revenue=False, has_channel=True).id_type == "text"


def test_an_empty_log_has_an_empty_profile(con, events) -> None:
    profile = profile_log(events.filter(events.customer_id == "none"), has_revenue=True, has_channel=True)
    assert (profile.events, profile.customers, profile.gap_hours, profile.tie_share) == (0, 0, {}, 0.0)


def test_a_cancelled_order_is_not_a_conversion() -> None:
    assert conversion_like(["order cancelled", "checkout", "Order placed"]) == ["Order placed"]
