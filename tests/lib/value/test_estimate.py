import numpy as np
import pandas as pd
import pytest

from parcours.settings import ValueSettings
from parcours.value import VALUE_COLUMNS, CustomerValueError, estimate_customer_value
from parcours.value.holdout import compare_holdout, frequency_buckets, holdout_metrics
from tests.lib.value.conftest import LANDMARK, PROCESS, value_events

pytestmark = pytest.mark.slow  # statistical: purchase models fitted with pymc


def test_every_buyer_gets_a_value_inside_its_interval(valued, simulated_log) -> None:
    values = valued.values
    assert list(values.columns) == VALUE_COLUMNS
    assert len(values) == simulated_log.customer_id.nunique() == values.customer_id.nunique()
    assert (values.clv_low <= values.clv).all() and (values.clv <= values.clv_high).all()
    assert values.p_alive.between(0, 1).all() and (values.clv_low > 0).all()
    assert valued.metrics["customers_without_purchase"] == 0


def test_customers_who_never_bought_are_counted_not_valued(con, simulated_log) -> None:
    browsers = simulated_log.head(5).assign(customer_id=[f"B{i}" for i in range(5)], activity="view_item",
                                            revenue=float("nan"))  # a view carries no money
    events = con.create_table("log", pd.concat([simulated_log, browsers], ignore_index=True))
    value = estimate_customer_value(events, ValueSettings(landmark=LANDMARK, refit=False))
    assert value.metrics["customers_without_purchase"] == 5 and not value.values.customer_id.str.startswith("B").any()


def test_published_values_are_as_of_the_end_of_the_log(valued) -> None:
    assert valued.params["landmark"] == LANDMARK.isoformat()
    assert valued.params["as_of"] == valued.params["holdout_end"] > LANDMARK.isoformat()


def test_single_purchase_customers_are_valued_at_the_population_spend(valued) -> None:
    once = valued.values[valued.values.frequency == 0]
    assert len(once) and once.expected_spend.nunique() == 1
    assert once.expected_spend.iloc[0] == pytest.approx(PROCESS.p * PROCESS.v / (PROCESS.q - 1), rel=0.2)


def test_predictions_follow_the_bgnbd_logic(valued) -> None:
    from parcours.value.predict import predict_customers

    rfm = pd.DataFrame({"customer_id": ["f1", "f3", "f6", "gone"], "frequency": [1, 3, 6, 6],
                        "recency": [50.0, 50.0, 50.0, 5.0], "T": [50.0] * 4, "monetary": [30.0] * 4})
    out = predict_customers(valued.purchases, valued.spend, rfm, ValueSettings(horizon_months=6)).set_index("customer_id")
    assert out.loc[["f1", "f3", "f6"], "expected_purchases"].is_monotonic_increasing
    assert out.loc["gone", "p_alive"] < 0.2 < out.loc["f6", "p_alive"]
    assert out.loc["gone", "clv"] < out.loc["f6", "clv"]


def test_holdout_comparison_is_exact_on_a_hand_table() -> None:
    calibration = pd.DataFrame({"customer_id": ["a", "b", "c"], "frequency": [0, 3, 9],
                                "predicted_purchases": [0.5, 2.0, 4.0], "expected_spend": [10.0, 20.0, 30.0]})
    actuals = pd.DataFrame({"customer_id": ["b", "c"], "holdout_purchases": [1, 5], "holdout_revenue": [25.0, 140.0]})
    table = compare_holdout(calibration, actuals)
    assert table.actual_purchases.tolist() == [0, 1, 5]
    assert table.predicted_revenue.tolist() == [5.0, 40.0, 120.0]
    metrics = holdout_metrics(table)
    assert metrics["purchases_error_share"] == pytest.approx((6.5 - 6) / 6)
    assert metrics["revenue_error_share"] == pytest.approx((165 - 165) / 165)
    assert metrics["purchases_mae"] == pytest.approx((0.5 + 1 + 1) / 3)
    assert frequency_buckets(table).label.tolist() == ["0", "3", "7+"]


def test_revenue_asked_of_a_log_without_it_is_a_clear_error(con) -> None:
    events = value_events(con, [("a", 0, "order", 1.0)])
    with pytest.raises(CustomerValueError, match="no revenue column"):
        estimate_customer_value(events, ValueSettings(outcome="revenue"), has_revenue=False)


def test_a_log_with_neither_revenue_nor_a_conversion_is_skipped_with_its_reason(con) -> None:
    events = value_events(con, [("a", 0, "view_item", None), ("a", 40, "Resolve ticket", None)])
    with pytest.raises(CustomerValueError, match="no purchase or conversion activity"):
        estimate_customer_value(events, ValueSettings(), has_revenue=False)


def test_a_landmark_outside_the_log_is_a_clear_error(con) -> None:
    events = value_events(con, [("a", 0, "order", 1.0), ("a", 40, "order", 2.0)])
    with pytest.raises(CustomerValueError, match="value.landmark 2030-01-01 must fall after"):
        estimate_customer_value(events, ValueSettings(landmark="2030-01-01"))


def test_too_few_repeat_buyers_is_a_clear_error(con) -> None:
    rows = [(c, d, "order", 10.0) for c in "abc" for d in (0, 5)] + [("z", 400, "view_item", None)]
    with pytest.raises(CustomerValueError, match="min_repeat_buyers=20"):
        estimate_customer_value(value_events(con, rows), ValueSettings(landmark="2024-06-01"))


def test_no_purchase_before_the_landmark_is_a_clear_error(con) -> None:
    rows = [("a", 0, "view_item", None), ("a", 100, "order", 10.0)]
    with pytest.raises(CustomerValueError, match="no purchase"):
        estimate_customer_value(value_events(con, rows), ValueSettings(landmark="2024-02-01"))


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12])
def test_parameters_and_holdout_totals_are_recovered_from_the_known_process(con, seed) -> None:
    from parcours.synthetic.purchases import simulate_purchases

    log = simulate_purchases(40_000, PROCESS, calibration_weeks=104, total_weeks=130, seed=seed)
    value = estimate_customer_value(con.create_table("log", log), ValueSettings(landmark=LANDMARK, refit=False))
    truth = PROCESS.as_dict()
    fitted = {**value.purchases.point(), **value.spend.point()}
    for name in ("r", "alpha", "a", "b"):
        assert abs(np.log(fitted[name] / truth[name])) < 0.15, (name, fitted[name], truth[name])
    mean_spend = {k: d["p"] * d["v"] / (d["q"] - 1) for k, d in (("fitted", fitted), ("truth", truth))}
    assert mean_spend["fitted"] == pytest.approx(mean_spend["truth"], rel=0.03)
    # the directly estimated log-parameters lie within 4 Laplace standard errors of the truth
    # (+0.02: purchases on one day are one transaction, which the continuous process ignores)
    errors = {**value.purchases.laplace.standard_errors(), **value.spend.laplace.standard_errors()}
    for name in ("r", "alpha", "p", "q", "v"):
        assert abs(np.log(fitted[name] / truth[name])) < 4 * errors[f"{name}_log__"] + 0.02, name
    assert abs(value.metrics["holdout_purchases_error_share"]) < 0.04


def test_figures_draw_the_holdout_and_the_clv_distribution(valued) -> None:
    from parcours.value.figures import clv_distribution_figure, holdout_figure, holdout_png

    figure = holdout_figure(valued.buckets, {"purchases_error_share": -0.01})
    assert [t.name for t in figure.data] == ["actual", "predicted"] and "-1.0%" in figure.layout.title.text
    assert sum(clv_distribution_figure(valued.values).data[0].y) == len(valued.values)
    assert holdout_png(valued.buckets).startswith(b"\x89PNG")
