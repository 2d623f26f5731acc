from datetime import date

import pytest

from parcours.days import day_date
from parcours.value.rfm import (
    CustomerValueError,
    default_landmark,
    holdout_actuals,
    observed_days,
    rfm_summary,
)
from tests.lib.value.conftest import value_events

ROWS = [
    # a: buys on days 0, 7 (twice: one transaction of 30) and 14, returns 10 on day 20
    ("a", 0.5, "order", 100.0), ("a", 7.1, "order", 10.0), ("a", 7.9, "order", 20.0), ("a", 14.2, "order", 50.0),
    ("a", 20.0, "return", -10.0),
    # b: one purchase only, then browses
    ("b", 3.0, "order", 40.0), ("b", 5.0, "view_item", None),
    # c: two orders without revenue
    ("c", 1.0, "order", None), ("c", 8.0, "order", 0.0),
    # d: only browses
    ("d", 2.0, "view_item", None),
    # a, b buy after the landmark (day 28)
    ("a", 30.0, "order", 60.0), ("b", 29.0, "order", 25.0), ("b", 33.0, "return", -5.0),
]


@pytest.fixture
def events(con):
    return value_events(con, ROWS)


def _summary(events, **kwargs):
    options = {"purchase_activities": ["order"], "return_activities": ["return"], "time_unit": "D"} | kwargs
    return rfm_summary(events, day_date(19723 + 28), **options).to_pandas().set_index("customer_id")


def test_rfm_counts_days_of_purchases_as_transactions(events) -> None:
    rfm = _summary(events)
    assert rfm.loc["a", ["frequency", "recency", "T"]].tolist() == [2, 14, 28]
    assert rfm.loc["b", ["frequency", "recency", "T"]].tolist() == [0, 0, 25]


def test_monetary_is_the_mean_repeat_transaction_net_of_the_return_share(events) -> None:
    rfm = _summary(events)
    # repeat transactions 30 and 50; returns 10 of 180 gross: each keeps 170 / 180
    assert rfm.loc["a", "monetary"] == pytest.approx(40 * 170 / 180)
    assert _summary(events, returns="ignore").loc["a", "monetary"] == pytest.approx(40)


def test_single_purchases_orders_without_revenue_and_browsers(events) -> None:
    rfm = _summary(events)
    assert rfm.loc["b", "monetary"] == 0 and rfm.loc["c", ["frequency", "monetary"]].tolist() == [1, 0]
    assert "d" not in rfm.index


def test_time_unit_scales_recency_and_t(events) -> None:
    rfm = _summary(events, time_unit="W")
    assert rfm.loc["a", ["recency", "T"]].tolist() == pytest.approx([2, 4])


def test_holdout_actuals_count_transactions_after_the_landmark_net_of_returns(events) -> None:
    actuals = holdout_actuals(events, day_date(19723 + 28), day_date(19723 + 40), purchase_activities=["order"],
                              return_activities=["return"]).to_pandas().set_index("customer_id")
    assert actuals.loc["a"].tolist() == [1, 60] and actuals.loc["b"].tolist() == [1, 20]


def test_default_landmark_leaves_the_horizon_for_the_holdout(events) -> None:
    first, last = observed_days(events)
    assert (first, last) == (19723, 19723 + 33)
    assert default_landmark(events, 1) == date(2024, 1, 5)  # day 34 (after the last) minus 30 days


def test_an_empty_log_is_a_clear_error(con) -> None:
    with pytest.raises(CustomerValueError, match="empty"):
        observed_days(value_events(con, [("a", 0, "order", 1.0)]).limit(0))


def test_the_default_landmark_of_an_empty_log_is_the_value_stages_error(con) -> None:
    with pytest.raises(CustomerValueError, match="empty"):
        default_landmark(value_events(con, [("a", 0, "order", 1.0)]).limit(0), 1)
