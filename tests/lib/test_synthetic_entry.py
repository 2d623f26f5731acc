import numpy as np
import pandas as pd
import pytest

from parcours.synthetic.entry import (
    HISTORY_END,
    JOURNEYS,
    PERIOD_END,
    entry_effects,
    generate_entry_log,
    outcome_under,
    planted_assignments,
)


@pytest.fixture(scope="module")
def measured():
    return generate_entry_log(1_500, "measured", seed=4)


@pytest.fixture(scope="module")
def overlapping():
    return generate_entry_log(1_500, "overlapping", seed=4)


def _outcome_revenue(log) -> pd.Series:
    days = (log.events.ts - pd.Timestamp(log.start)).dt.total_seconds() / 86_400
    orders = log.events[(days >= PERIOD_END) & log.events.activity.eq("order")]
    return orders.groupby("customer_id").revenue.sum().reindex(log.customers.customer_id, fill_value=0.0)


def test_same_seed_gives_the_same_log() -> None:
    first, second = generate_entry_log(300, "measured", 2), generate_entry_log(300, "measured", 2)
    pd.testing.assert_frame_equal(first.events, second.events)
    assert not generate_entry_log(300, "measured", 3).events.equals(first.events)


def test_an_unknown_scenario_is_refused() -> None:
    with pytest.raises(ValueError, match="measured, unmeasured, overlapping"):
        generate_entry_log(100, "sideways")


def test_one_at_a_time_lives_at_most_one_journey(measured) -> None:
    assert measured.entries.customer_id.is_unique
    assert 0.4 < measured.entries.customer_id.nunique() / len(measured.customers) < 0.9


def test_overlapping_customers_live_several_journeys_at_once(overlapping) -> None:
    spans = overlapping.entries.sort_values(["customer_id", "start_ts"])
    again = spans.customer_id.eq(spans.customer_id.shift())
    assert again.sum() > 200 and (spans.start_ts < spans.end_ts.shift())[again].sum() > 10


def test_journeys_start_at_any_time_of_the_period(measured) -> None:
    days = (measured.entries.start_ts - pd.Timestamp(measured.start)).dt.total_seconds() / 86_400
    assert days.min() >= HISTORY_END and days.max() < PERIOD_END
    assert np.histogram(days, bins=4)[0].min() > 0.15 * len(days)


@pytest.mark.parametrize("scenario", ["measured", "overlapping"])
def test_the_potential_outcome_of_the_lived_journeys_is_the_observed_revenue(scenario) -> None:
    log = generate_entry_log(800, scenario, seed=9)
    lived = np.column_stack([log.customers[f"entry_{j.name}"].notna().to_numpy() for j in JOURNEYS])
    assert np.allclose(outcome_under(log.customers, lived), _outcome_revenue(log).to_numpy(), atol=0.05)


def test_a_journey_without_an_effect_has_none_against_no_journey(overlapping) -> None:
    effects = entry_effects(overlapping, HISTORY_END + 60, PERIOD_END)
    assert effects["random_browse"] == 0.0 and effects["cart_abandon"] == 0.0
    assert effects["web_to_store"] > 30 and effects["complaint_churn"] < -30


def test_planted_instances_carry_their_journey(measured) -> None:
    instances = measured.entries.rename(columns={"journey": "x"}).assign(journey_instance_id=lambda f: f.index.astype(str))
    assignments, journeys = planted_assignments(measured, instances.drop(columns="x"))
    assert list(journeys.name) == [j.name for j in JOURNEYS]
    named = assignments.merge(journeys, on="journey_id")
    assert (named.sort_values("journey_instance_id", key=lambda s: s.astype(int)).name.to_numpy()
            == measured.entries.journey.to_numpy()).all()
