from datetime import date, timedelta

import ibis
import pandas as pd
import pytest

from parcours.impact.design import (
    ImpactDesignError,
    busiest_channels,
    customer_covariates,
    history_matrices,
    journey_history,
    journey_members,
    net_revenue,
    treatment_matrix,
    trial_design,
)
from parcours.settings import ImpactSettings, ValueSettings
from tests.lib.impact.conftest import T0, hand_events

#: Landmark day 182; observation window days [121, 182), placebo window [91, 121), outcome [182, 243).
#: The hand log's value settings, explicit (a library call below the step gets them resolved).
VALUE = ValueSettings(purchase_activities=["order"], return_activities=["return"], horizon_months=6)
SETTINGS = ImpactSettings(landmark=date(2024, 7, 1), observation_months=2, placebo_months=1, outcome_months=2)
ROWS = [
    ("A", 10, "order", "web", 50.0), ("A", 20, "complaint", "phone", None), ("A", 95, "order", "store", 30.0),
    ("A", 100, "return", "store", -10.0), ("A", 130, "view_item", "web", None), ("A", 190, "order", "web", 40.0),
    ("A", 200, "return", "store", -5.0),
    ("B", 100, "order", "web", 20.0),
    ("C", 150, "view_item", "app", None),
    ("D", 5, "view_item", "web", None), ("D", 300, "order", "web", 70.0),
]


@pytest.fixture
def hand_log(con):
    return hand_events(con, ROWS)


@pytest.fixture
def design(hand_log):
    return trial_design(hand_log, SETTINGS, VALUE)


def test_windows_run_back_from_the_landmark(design) -> None:
    assert (design.placebo_start, design.observation_start, design.landmark, design.outcome_end) == (
        date(2024, 4, 1), date(2024, 5, 1), date(2024, 7, 1), date(2024, 8, 31))
    assert design.outcome_complete


def test_the_default_landmark_is_the_customer_value_one(hand_log) -> None:
    value = VALUE.model_copy(update={"landmark": date(2024, 8, 1)})
    short = ImpactSettings(observation_months=1, placebo_months=1)
    assert trial_design(hand_log, short, value).landmark == value.landmark
    last = (T0 + timedelta(days=300)).date()
    assert trial_design(hand_log, short, VALUE).landmark == last + timedelta(days=1 - 183)  # less 6 months


def test_a_log_without_history_before_the_windows_is_a_clear_error(hand_log) -> None:
    with pytest.raises(ImpactDesignError, match="impact.observation_months=6 − impact.placebo_months=1"):
        trial_design(hand_log, ImpactSettings(landmark=date(2024, 7, 1), observation_months=6, placebo_months=1),
                     VALUE)


def test_a_landmark_after_the_log_is_a_clear_error(hand_log) -> None:
    with pytest.raises(ImpactDesignError, match="impact.landmark=2026-01-01: outside the event log"):
        trial_design(hand_log, SETTINGS.model_copy(update={"landmark": date(2026, 1, 1)}), VALUE)


def test_an_outcome_window_past_the_log_is_incomplete(hand_log) -> None:
    late = SETTINGS.model_copy(update={"landmark": date(2024, 9, 15)})
    assert not trial_design(hand_log, late, VALUE).outcome_complete


def test_covariates_split_early_history_from_the_placebo_window(hand_log, design) -> None:
    x = customer_covariates(hand_log, design, SETTINGS, VALUE, ["web", "phone", "store"])
    a = x.loc["A"]
    assert (a.events, a.orders, a.revenue, a.complaints, a.tenure_days, a.recency_days, a.order_recency_days) == (
        2, 1, 50.0, 1, 81, 71, 81)
    assert (a.recent_events, a.recent_orders, a.recent_revenue) == (2, 1, 30.0)
    assert (a.share_web, a.share_phone, a.share_store) == (0.5, 0.5, 0.0)


def test_only_customers_known_before_the_window_are_eligible(hand_log, design) -> None:
    x = customer_covariates(hand_log, design, SETTINGS, VALUE, [])
    assert list(x.index) == ["A", "B", "D"]
    never = (date(2024, 4, 1) - date(2024, 1, 6)).days + 1  # longer ago than the log goes
    assert (x.loc["B", "tenure_days"], x.loc["B", "recency_days"], x.loc["B", "events"]) == (0, never, 0)
    assert x.notna().all().all()


def test_net_revenue_takes_returns_off_within_the_window(hand_log, design) -> None:
    outcome = net_revenue(hand_log, design.landmark, design.outcome_end, VALUE)
    placebo = net_revenue(hand_log, design.placebo_start, design.observation_start, VALUE)
    assert outcome.to_dict() == {"A": 35.0}
    assert placebo.to_dict() == {"A": 20.0, "B": 20.0}
    gross = net_revenue(hand_log, design.landmark, design.outcome_end, VALUE.model_copy(update={"returns": "ignore"}))
    assert gross.to_dict() == {"A": 40.0}


def test_busiest_channels_come_first(hand_log) -> None:
    assert busiest_channels(hand_log, 2) == ["web", "store"]
    assert busiest_channels(hand_log, 0) == []


def test_treated_means_an_instance_starting_in_the_observation_window(design) -> None:
    day = lambda d: T0 + pd.Timedelta(days=d)  # noqa: E731
    instances = ibis.memtable(pd.DataFrame({
        "customer_id": ["A", "A", "B", "B", "D", "D"], "journey_instance_id": [1, 2, 1, 2, 1, 2],
        "start_ts": [day(121), day(90), day(181.9), day(182), day(150), day(160)]}))
    assignments = ibis.memtable(pd.DataFrame({
        "customer_id": ["A", "A", "B", "B", "D", "D"], "journey_instance_id": [1, 2, 1, 2, 1, 2],
        "journey_id": [0, 1, 1, 2, -1, 3], "probability": [1.0, 1.0, 0.9, 1.0, 0.0, 0.3]}))
    members = journey_members(instances, assignments, design)
    assert sorted(map(tuple, members[["customer_id", "journey_id"]].to_numpy())) == [("A", 0), ("B", 1), ("D", 3)]
    confident = journey_members(instances, assignments, design, min_probability=0.5)
    assert sorted(confident.journey_id) == [0, 1]
    flags = treatment_matrix(members, pd.Index(["A", "B", "D", "E"]))
    assert flags.loc["E"].sum() == 0 and flags.loc["A", 0] == 1 and flags.loc["D", 3] == 1


def test_journey_history_counts_instances_by_their_whole_span(design) -> None:
    day = lambda d: T0 + pd.Timedelta(days=d)  # noqa: E731
    spans = [("A", 1, 0, 1.0, 50, 60), ("A", 2, 0, 1.0, 85, 95), ("B", 1, 1, 1.0, 100, 100),
             ("B", 2, 1, 1.0, 130, 131), ("D", 1, -1, 1.0, 100, 101), ("D", 2, 2, 0.3, 95, 96)]
    frame = pd.DataFrame(spans, columns=["customer_id", "journey_instance_id", "journey_id", "probability",
                                         "start", "end"])
    instances = ibis.memtable(frame.assign(start_ts=frame.start.map(day), end_ts=frame.end.map(day))[
        ["customer_id", "journey_instance_id", "start_ts", "end_ts"]])
    assignments = ibis.memtable(frame[["customer_id", "journey_instance_id", "journey_id", "probability"]])
    history = journey_history(instances, assignments, design)
    # A's second instance starts before the placebo window and ends in it: under way there
    assert sorted(map(tuple, history.to_numpy())) == [("A", 0, 1, 1), ("B", 1, 0, 1), ("D", 2, 0, 1)]
    assert len(journey_history(instances, assignments, design, min_probability=0.5)) == 2
    before, recent = history_matrices(history, pd.Index(["A", "B", "E"]))
    assert before.loc["A", 0] == 1 and recent.loc["B", 1] == 1 and before.loc["E"].sum() == recent.loc["E"].sum() == 0
