import pandas as pd
import pytest

from parcours.report import RANKING_COLUMNS, RankingInputError, rank_journeys


def test_trusted_journeys_come_first_by_confidence_weighted_value(ranking) -> None:
    assert ranking.journey_id.tolist()[:3] == [0, 1, 2]
    assert ranking.status.tolist() == ["trusted"] * 3 + ["not yet trustworthy", "not estimated"]


def test_a_failed_check_is_listed_apart_however_large_its_value(ranking) -> None:
    failed = ranking[ranking.journey_id == 3].iloc[0]
    assert failed["rank"] == 4 and failed.reason == "failed its overlap or covariate balance check"


def test_a_journey_without_an_estimate_says_why(ranking) -> None:
    assert ranking.iloc[-1].reason == "fewer than impact.min_treated=50 treated customers"


def test_value_at_stake_is_weighted_by_one_minus_the_q_value(ranking) -> None:
    unclear = ranking[ranking.journey_id == 2].iloc[0]
    assert unclear.weighted_value == pytest.approx(2_400 * 0.4)


def test_the_best_published_rules_are_named_and_unpublished_ones_are_not(ranking) -> None:
    first = ranking.iloc[0]
    assert first.best_rules == "add_to_cart@web → Nudge to order (precision 0.98, coverage 0.90)"
    assert first.published_rules == 1


def test_conversion_and_time_to_first_order_come_from_the_timing(ranking) -> None:
    row = ranking[ranking.journey_id == 1].iloc[0]
    assert (row.conversion, row.days_to_first_order) == (0.9, 3.0)


def test_ranks_run_from_one_in_order(ranking) -> None:
    assert ranking["rank"].tolist() == [1, 2, 3, 4, 5] and list(ranking.columns) == list(RANKING_COLUMNS)


def test_no_rules_and_no_timing_leave_those_columns_empty(journeys, impact) -> None:
    ranking = rank_journeys(journeys, impact)
    assert (ranking.best_rules == "").all() and ranking.conversion.isna().all()


def test_a_missing_column_is_named(journeys, impact) -> None:
    with pytest.raises(RankingInputError, match="journey_impact: missing column.*q_value"):
        rank_journeys(journeys, impact.drop(columns=["q_value"]))


def test_no_journeys_give_an_empty_ranking(journeys, impact) -> None:
    assert rank_journeys(journeys.iloc[:0], impact.iloc[:0]).empty


def test_the_order_does_not_depend_on_the_input_order(journeys, impact, timing, rules) -> None:
    shuffled = rank_journeys(journeys.sample(frac=1, random_state=1), impact.sample(frac=1, random_state=2),
                             timing, rules)
    pd.testing.assert_frame_equal(shuffled, rank_journeys(journeys, impact, timing, rules))
