from datetime import date

import numpy as np
import pandas as pd
import pytest

from parcours.impact import IMPACT_COLUMNS, ImpactDesignError, estimate_journey_impact
from parcours.settings import ImpactSettings, ValueSettings
from tests.lib.impact.conftest import PLACEBO_ID

pytestmark = pytest.mark.slow  # statistical: cross-fitted AIPW on generated trials


@pytest.fixture
def impact(small_impact):
    return small_impact


def _row(impact, name: str) -> pd.Series:
    return impact.table.set_index("name").loc[name]


def test_one_row_per_journey_with_the_contract_columns(impact, small_trial) -> None:
    assert list(impact.table.columns) == list(IMPACT_COLUMNS)
    assert len(impact.table) == len(small_trial.journeys) + 1 and impact.table.journey_id.is_unique


def test_a_journey_without_enough_treated_is_listed_not_estimated(impact) -> None:
    nobody = _row(impact, "nobody")
    assert nobody.n_treated == 0 and np.isnan(nobody.effect) and "impact.min_treated=50" in nobody.note
    assert not nobody.finding and impact.table.iloc[-1]["name"] == "nobody"


def test_the_naive_difference_is_biased_where_better_customers_choose_the_journey(impact) -> None:
    web = _row(impact, "web_to_store")
    assert web.naive_diff > web.ci_high  # better customers chose the journey: adjusting removes a large part
    assert web.ci_low < web.effect < web.ci_high and web.p_value < 1e-6


def test_findings_need_a_small_q_value_and_both_checks(impact) -> None:
    table = impact.table[impact.table.effect.notna()]
    expected = (table.q_value < 0.05) & table.overlap_ok & table.refutation_ok
    assert (table.finding == expected).all() and table.finding.any()
    assert not _row(impact, "placebo").finding
    assert (table.q_value >= table.p_value).all()


def test_value_at_stake_is_customers_times_the_effect(impact) -> None:
    table = impact.table.dropna(subset=["effect"])
    np.testing.assert_allclose(table.value_at_stake, table.n_treated * table.effect)
    assert (table.value_at_stake_low <= table.value_at_stake).all()


def test_clv_is_a_second_outcome(impact) -> None:
    web = _row(impact, "web_to_store")
    assert impact.params["outcome"] == "net_revenue"
    assert web.ci_low_clv < web.effect_clv < web.ci_high_clv
    assert web.effect_clv / web.effect == pytest.approx(2.0, abs=0.5)  # the stand-in CLV is twice the revenue


def test_weighting_balances_what_was_unbalanced(impact) -> None:
    balance = impact.balance[impact.balance.journey_id == 0].set_index("covariate")  # web_to_store
    assert balance.loc["orders", "smd_before"] > 0.3
    assert abs(balance.loc["orders", "smd_after"]) < 0.1
    assert set(impact.balance.journey_id) == set(impact.table.dropna(subset=["effect"]).journey_id)


def test_propensities_and_support_are_kept_for_the_estimated_journeys(impact) -> None:
    assert list(impact.propensities.index) == list(impact.customers) == list(impact.support.index)
    assert PLACEBO_ID in impact.propensities and 50 not in impact.propensities
    assert impact.propensities.stack().between(0, 1).all()
    n_used = impact.table.set_index("journey_id").n_used
    assert all(impact.support[j].sum() == n_used[j] for j in impact.support.columns)


def test_run_numbers_are_reported(impact) -> None:
    assert impact.metrics["journeys_estimated"] == 7 and impact.metrics["eligible_customers"] > 3_000
    assert impact.params["landmark"] == impact.design.landmark.isoformat()


def test_without_the_whole_outcome_window_the_clv_is_the_outcome(small_trial, small_clv) -> None:
    late = ImpactSettings(landmark=date(2025, 8, 1))  # the log ends before six months after it
    one = small_trial.journeys.head(1)
    result = estimate_journey_impact(small_trial.events, small_trial.instances, small_trial.assignments, one, late,
                                     ValueSettings(), customer_value=small_clv)
    assert result.params["outcome"] == "clv" and np.isnan(result.table.effect_clv[0])
    with pytest.raises(ImpactDesignError, match="no outcome: the log ends on 2025-10-27"):
        estimate_journey_impact(small_trial.events, small_trial.instances, small_trial.assignments, one, late,
                                ValueSettings())


@pytest.fixture(scope="module")
def sampled_impact(small_trial, small_clv):
    """The same trial estimated on a 1,500-customer sample of the ~3,700 eligible."""
    journeys = pd.concat([small_trial.journeys, pd.DataFrame({"journey_id": [50], "name": ["nobody"]})])
    return estimate_journey_impact(small_trial.events, small_trial.instances, small_trial.assignments, journeys,
                                   ImpactSettings(max_customers=1_500), ValueSettings(), customer_value=small_clv)


def test_a_sample_is_drawn_past_max_customers(sampled_impact, impact) -> None:
    assert sampled_impact.metrics["sampled_customers"] == 1_500
    assert sampled_impact.metrics["eligible_customers"] == impact.metrics["eligible_customers"] > 1_500
    assert len(sampled_impact.propensities) == 1_500


def test_a_sample_still_counts_and_values_the_whole_population(sampled_impact, impact) -> None:
    both = impact.table.merge(sampled_impact.table, on="journey_id", suffixes=("", "_s"))
    assert (both.n_treated == both.n_treated_s).all()
    estimated = both.effect_s.notna()
    assert (both.n_used_s[estimated] <= 1_500).all()
    assert np.allclose(both.value_at_stake_s[estimated], both.n_treated[estimated] * both.effect_s[estimated])


def test_a_smaller_sample_gives_wider_intervals(sampled_impact, impact) -> None:
    """A sample of 1,500 of the ~3,700 eligible widens intervals by about sqrt(3,700 / 1,500) = 1.6. One journey's
    interval width is itself noisy (the churners' moves by half between fold seeds on the same customers), so the
    typical journey's widening is what is asserted, not every journey's."""
    both = impact.table.merge(sampled_impact.table, on="journey_id", suffixes=("", "_s"))
    both = both[both.effect.notna() & both.effect_s.notna()]
    assert len(both) >= 3
    ratio = (both.ci_high_s - both.ci_low_s) / (both.ci_high - both.ci_low)
    assert ratio.median() > 1.2 and (ratio > 1).mean() > 0.5, ratio.tolist()


def test_the_sample_is_seeded() -> None:
    from parcours.impact.estimate import TrialData, sample_trial

    customers = [f"c{i}" for i in range(5_000)]
    trial = TrialData(pd.DataFrame({"x": np.arange(5_000.0)}, index=customers), np.arange(5_000.0), "net_revenue",
                      None, np.zeros(5_000), pd.DataFrame(index=customers), pd.DataFrame(index=customers))
    treated = pd.DataFrame({7: np.arange(5_000) % 2}, index=trial.covariates.index)
    first, first_t = sample_trial(trial, treated, 1_000, seed=3)
    again, _ = sample_trial(trial, treated, 1_000, seed=3)
    assert first.covariates.index.equals(again.covariates.index)
    assert first_t.index.equals(first.covariates.index)
    assert np.array_equal(first.outcome, first.covariates.x.to_numpy())
    assert sample_trial(trial, treated, None, seed=3)[0] is trial


def test_nothing_is_fitted_when_no_journey_can_be_estimated(small_trial, monkeypatch) -> None:
    import parcours.impact.estimate as estimate

    def no_fit(*args, **kwargs):
        raise AssertionError("a model was fitted with no journey to estimate")

    monkeypatch.setattr(estimate, "cross_fit_mean", no_fit)
    result = estimate_journey_impact(small_trial.events, small_trial.instances, small_trial.assignments,
                                     small_trial.journeys, ImpactSettings(min_treated=100_000), ValueSettings())
    assert result.table.effect.isna().all() and result.table.note.str.contains("min_treated").all()


def test_a_journey_short_of_new_customers_says_how_many_entered_it(impact_settings) -> None:
    from parcours.impact.estimate import TrialData, _journey_row

    customers = [f"c{i}" for i in range(400)]
    t = np.r_[np.ones(80, int), np.zeros(320, int)]
    recent = pd.DataFrame({3: np.r_[np.ones(60), np.zeros(340)]}, index=customers)  # 60 of the 80 already in it
    trial = TrialData(pd.DataFrame({"x": np.arange(400.0)}, index=customers), np.zeros(400), "net_revenue", None,
                      np.zeros(400), pd.DataFrame(index=customers), recent)
    row, _, _ = _journey_row(trial, 3, t, impact_settings)
    assert row["n_treated"] == 20
    assert row["note"] == ("fewer than impact.min_treated=50 treated customers new to the journey (of the 80 who "
                           "entered it, 60 had an instance of it in the placebo window)")


def test_journeys_estimated_in_worker_processes_equal_those_estimated_one_by_one(small_trial, small_clv) -> None:
    def estimate(n_jobs: int) -> pd.DataFrame:
        return estimate_journey_impact(small_trial.events, small_trial.instances, small_trial.assignments,
                                       small_trial.journeys, ImpactSettings(n_jobs=n_jobs), ValueSettings(),
                                       customer_value=small_clv).table

    one_by_one, side_by_side = estimate(1), estimate(2)
    assert one_by_one.effect.notna().sum() >= 2  # at least two journeys went to the two workers
    pd.testing.assert_frame_equal(one_by_one, side_by_side)
