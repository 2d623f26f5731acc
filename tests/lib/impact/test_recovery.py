"""The must-show of journey impact: on the confounded demo generator, the doubly robust estimate recovers the
planted effects where the naive difference does not, and a random "journey" is never a finding."""

import pandas as pd
import pytest
from scipy.stats import kendalltau

from parcours.impact import estimate_journey_impact
from parcours.settings import ImpactSettings, ValueSettings
from parcours.synthetic import PLANTED, versus_rest_effects
from tests.lib.impact.conftest import PLACEBO_ID, planted_trial

pytestmark = pytest.mark.slow
SEEDS = (1, 2, 3, 4, 5)
NAMES = [j.name for j in PLANTED]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> pd.DataFrame:
    """Per seed and journey: the estimate, and the true effect over the customers it is averaged over
    (eligible, in the journey's common support)."""
    settings, frames = ImpactSettings(), []
    for seed in SEEDS:
        trial = planted_trial(10_000, seed, tmp_path_factory.mktemp(f"seed{seed}"))
        impact = estimate_journey_impact(trial.events, trial.instances, trial.assignments, trial.journeys,
                                         settings, ValueSettings())
        table = impact.table.set_index("journey_id")
        for k, name in enumerate(NAMES):
            kept = impact.support.index[impact.support[k]]
            table.loc[k, "truth"] = versus_rest_effects(trial.log.customers, kept)[name]
        frames.append(table.reset_index().assign(seed=seed))
    return pd.concat(frames, ignore_index=True)


def test_intervals_cover_the_true_effect_in_nine_journeys_out_of_ten(runs) -> None:
    planted = runs[runs.journey_id != PLACEBO_ID]
    covered = (planted.ci_low <= planted.truth) & (planted.truth <= planted.ci_high)
    assert len(planted) == len(SEEDS) * len(NAMES) and covered.mean() >= 0.9


def test_the_naive_difference_misses_where_choice_follows_value(runs) -> None:
    for name in ("web_to_store", "complaint_churn", "cart_abandon"):
        rows = runs[runs.name == name]
        assert ((rows.naive_diff < rows.ci_low) | (rows.naive_diff > rows.ci_high)).all(), name


def test_effects_rank_the_journeys_in_the_planted_order(runs) -> None:
    planted = runs[runs.journey_id != PLACEBO_ID]
    mean = planted.groupby("name")[["truth", "effect"]].mean()
    assert list(mean.sort_values("truth").index) == list(mean.sort_values("effect").index)
    for _, rows in planted.groupby("seed"):
        assert kendalltau(rows.truth, rows.effect).statistic >= 13 / 15  # at most one swapped pair of six


def test_a_random_journey_is_never_a_finding(runs) -> None:
    placebo = runs[runs.journey_id == PLACEBO_ID]
    assert len(placebo) == len(SEEDS) and not placebo.finding.any() and (placebo.q_value >= 0.05).all()


def test_the_checks_pass_on_a_design_without_hidden_confounding(runs) -> None:
    assert runs.refutation_ok.mean() >= 0.9 and runs.overlap_ok.mean() >= 0.9
