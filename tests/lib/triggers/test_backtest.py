import numpy as np
import pandas as pd
import pytest

from parcours.triggers.backtest import WEEK, Stream, annotate, attribute, lead_times_to, rule_scores, rule_set_scores

HOUR = 3_600.0
NO_STEPS = pd.DataFrame({"journey_instance_id": pd.Series([], dtype=str), "ts": pd.Series([], dtype=float),
                         "token": pd.Series([], dtype=str)})


def later_sizes(instances: pd.DataFrame, cut: float) -> pd.Series:
    return instances.journey_id[instances.start >= cut].value_counts()


@pytest.fixture
def instances() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": ["a", "a", "b"], "journey_instance_id": ["a:1", "a:2", "b:1"],
                         "start": [0.0, 100 * HOUR, 10 * HOUR], "end": [5 * HOUR, 110 * HOUR, 20 * HOUR],
                         "journey_id": [1, 2, 1]})


def _triggers(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "rule_id", "journey_id", "matched_at"])
    return frame.assign(started_at=frame.matched_at, fire_at=frame.matched_at)


def test_a_trigger_belongs_to_the_instance_its_customer_was_in(instances) -> None:
    fired = attribute(_triggers([("a", "r", 1, 101 * HOUR), ("a", "r", 1, 2 * HOUR), ("b", "r", 1, 30 * HOUR)]),
                      instances)
    assert fired.journey_instance_id.fillna("none").tolist() == ["a:2", "a:1", "none"]
    assert fired.truth.tolist() == [2, 1, -2]


def test_rule_scores_count_true_triggers_coverage_and_lead(instances) -> None:
    fired = attribute(_triggers([("a", "r", 1, 1 * HOUR), ("b", "r", 1, 12 * HOUR), ("a", "r", 1, 101 * HOUR)]),
                      instances)
    reached = {1: pd.Series({"a:1": 3 * HOUR, "b:1": 12 * HOUR})}
    scores = rule_scores(annotate(fired, instances, reached, 0.0, NO_STEPS), later_sizes(instances, 0.0)).iloc[0]
    assert (scores.triggers, scores.true_triggers, scores.support) == (3, 2, 2)
    assert scores.precision == pytest.approx(2 / 3) and scores.coverage == pytest.approx(1.0)
    assert scores.lead_time_s == pytest.approx(HOUR)  # median of 2 h and 0 h


def test_the_set_counts_triggers_per_active_customer_week_and_the_busiest_week(instances) -> None:
    fired = attribute(_triggers([("a", "r", 1, 1 * HOUR), ("a", "s", 1, 2 * HOUR), ("b", "r", 1, 12 * HOUR)]),
                      instances)
    stream = pd.DataFrame({"customer_id": ["a", "b"], "ts": [0.0, 2 * WEEK], "token": ["x@w", "x@w"]})
    scores = rule_set_scores(annotate(fired, instances, {}, 0.0, NO_STEPS), later_sizes(instances, 0.0),
                             Stream.of(stream), cut=0.0, journeys=[1])
    assert scores["triggers_per_customer_week"] == pytest.approx(3 / 2 / 2)
    assert scores["max_triggers_in_a_week"] == 2 and np.isclose(scores["coverage"], 1.0)


def test_no_triggers_attribute_to_no_instances(instances) -> None:
    from parcours.triggers.matcher import no_triggers

    fired = attribute(no_triggers(), instances)
    assert fired.empty and {"journey_instance_id", "truth"} <= set(fired.columns)


def test_lead_time_to_the_target_step_counts_true_triggers_and_later_steps_only(instances) -> None:
    fired = attribute(_triggers([("a", "r", 1, 1 * HOUR), ("b", "r", 1, 12 * HOUR), ("a", "r", 1, 101 * HOUR)]),
                      instances)
    steps = pd.DataFrame({"journey_instance_id": ["a:1", "a:1", "b:1", "a:2"], "ts": [0.0, 4 * HOUR, 18 * HOUR,
                                                                                      105 * HOUR],
                          "token": ["visit@store"] * 4})
    assert lead_times_to(fired, steps, {"r": "visit@store"}) == {"r": pytest.approx(4.5 * HOUR)}  # 3 h and 6 h
    assert np.isnan(lead_times_to(fired, steps, {"r": None})["r"])


def test_the_busiest_week_counts_one_customer_at_a_time() -> None:
    from parcours.triggers.backtest import _max_in_a_week

    times = [0.0, 1 * HOUR, 8 * 24 * HOUR, 9 * 24 * HOUR, 9.5 * 24 * HOUR, 0.5 * HOUR]
    triggers = pd.DataFrame({"customer_id": ["a", "a", "a", "a", "a", "b"], "fire_at": times})
    assert _max_in_a_week(triggers) == 3  # a's days 8, 9 and 9.5; b's one trigger does not join a's first two


def test_streams_of_separate_customers_add_up() -> None:
    one = Stream.of(pd.DataFrame({"customer_id": ["a", "a"], "ts": [1.0, 5.0]}))
    other = Stream.of(pd.DataFrame({"customer_id": ["b"], "ts": [3.0]}))
    assert one.plus(other) == Stream(last=5.0, active=2) and Stream().plus(one) == one
