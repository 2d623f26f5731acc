"""journey_impact on journeys the pipeline discovered itself (not planted labels), through Dagster."""

import pandas as pd
import pytest

from tests.pipelines.conftest import window_assignments

pytestmark = pytest.mark.slow


def test_discovered_journeys_get_effects_with_the_planted_signs(demo_run) -> None:
    result, out, demo_files = demo_run.result, demo_run.out, demo_run.files
    assert result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["journey_impact_is_one_coherent_row_per_journey"].passed
    assert "journey_impact_estimates_pass_their_checks" in evaluations
    impact = pd.read_csv(out / "journey_impact.csv")
    assert set(impact.journey_id) == set(pd.read_csv(out / "journeys.csv").journey_id)
    effect = impact.set_index("journey_id")
    for planted, sign in (("web_to_store", 1), ("complaint_churn", -1)):
        journey = _discovered(out, demo_files, planted)
        row = effect.loc[journey]
        assert row.finding and sign * row.ci_low > 0 and sign * row.ci_high > 0, (planted, row.to_dict())
    metadata = {e.asset_key.to_user_string(): e.event_specific_data.materialization.metadata
                for e in result.get_asset_materialization_events()}["journey_impact"]
    assert metadata["forest_plot"].value.startswith("![journey impact: effects with their 95% intervals]")
    assert metadata["journeys_estimated"].value >= 4 and metadata["landmark"].value


def _discovered(out, demo_files, planted: str) -> int:
    """The discovered journey holding most of the planted journey's observation-window instances."""
    mine = window_assignments(out, demo_files)
    mine = mine[(mine.planted_journey == planted) & (mine.journey_id >= 0)]
    return int(mine.journey_id.value_counts().index[0])

