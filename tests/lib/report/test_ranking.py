import pandas as pd
import pytest

from parcours.report import RANKING_COLUMNS, RankingInputError, rank_journeys


def test_proven_effects_come_first_by_value_at_stake_then_no_clear_effect_then_not_measured(ranking) -> None:
    assert ranking.journey_id.tolist() == [0, 1, 2, 3, 4]
    assert ranking.status.tolist() == ["proven gain", "proven loss", "no clear effect", "not measured",
                                       "not measured"]


def test_a_failed_check_is_not_measured_however_large_its_estimate(ranking) -> None:
    failed = ranking[ranking.journey_id == 3].iloc[0]
    assert failed["rank"] == 4 and failed.reason.startswith("its customers differ from the others")
    assert pd.isna(failed.effect) and pd.isna(failed.value_at_stake)


def test_a_journey_without_an_estimate_says_why_in_plain_words(ranking) -> None:
    assert ranking.iloc[-1].reason.startswith("only 15 of its customers entered it during the measured period")


def test_an_effect_that_could_be_zero_says_so(ranking) -> None:
    assert ranking[ranking.journey_id == 2].iloc[0].reason == "the effect cannot be told from zero"


def test_value_at_stake_is_the_journeys_customers_times_its_effect(ranking) -> None:
    measured = ranking[ranking.effect.notna()]
    assert measured.value_at_stake.tolist() == pytest.approx((measured.n_customers * measured.effect).tolist())
    assert measured.value_at_stake_low.tolist() == pytest.approx((measured.n_customers * measured.ci_low).tolist())


def test_the_best_published_rules_are_sentences_and_unpublished_ones_are_left_out(ranking) -> None:
    first = ranking.iloc[0]
    assert first.best_rules == ("When a customer does web add to cart, send “Nudge to order” by email 2 h later: "
                                "right 500 times in 510, reaches 90% of this journey.")
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


def test_a_journey_missing_from_the_impact_table_is_not_measured(journeys, impact) -> None:
    ranking = rank_journeys(journeys, impact[impact.journey_id != 0])
    row = ranking[ranking.journey_id == 0].iloc[0]
    assert row.status == "not measured" and row.reason == "no effect was estimated for this journey"


def test_no_journeys_give_an_empty_ranking(journeys, impact) -> None:
    assert rank_journeys(journeys.iloc[:0], impact.iloc[:0]).empty


def test_the_order_does_not_depend_on_the_input_order(journeys, impact, timing, rules) -> None:
    shuffled = rank_journeys(journeys.sample(frac=1, random_state=1), impact.sample(frac=1, random_state=2),
                             timing, rules)
    pd.testing.assert_frame_equal(shuffled, rank_journeys(journeys, impact, timing, rules))
